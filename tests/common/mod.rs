//! Helpers shared by the command-line tests.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs the built `dfsplit` in `dir` with `args`, feeding `stdin` when given.
pub fn dfsplit(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfsplit"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dfsplit");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("dfsplit runs")
}

/// Lossy UTF-8 of command output.
#[allow(dead_code)] // not every test file uses it
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
