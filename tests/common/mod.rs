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
    // Written from a thread, so a child that prints much before it reads
    // cannot block on a full pipe; a child that exits before reading it all
    // (bad usage) closes the pipe, which is not a test failure.
    let writer = stdin.map(|input| {
        let mut pipe = child.stdin.take().expect("stdin");
        let input = input.to_vec();
        std::thread::spawn(move || match pipe.write_all(&input) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("write stdin: {e}"),
            _ => {}
        })
    });
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("dfsplit runs");
    if let Some(w) = writer {
        w.join().expect("stdin writer");
    }
    out
}

/// Lossy UTF-8 of command output.
#[allow(dead_code)] // not every test file uses it
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
