//! Helpers shared by the command-line tests.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs the built `dfsplit` in `dir` with `args`, feeding `stdin` when given.
#[allow(dead_code)] // the pull-request tests run it through their own helpers
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

/// Runs `git ARGS` in `dir` with a fixed author and no system configuration,
/// asserts that it succeeded, and gives its trimmed standard output.
#[allow(dead_code)] // only the pull-request tests use it
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.com")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.com")
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The Docker client the end-to-end tests run: `DOCKER`, else `docker`.
#[allow(dead_code)] // only the tests that build with an engine use it
pub fn docker() -> String {
    std::env::var("DOCKER")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "docker".into())
}

/// The engine's version when it answers, else why not (what the client
/// printed, or why it could not run).
#[allow(dead_code)] // only the tests that build with an engine use it
pub fn engine_version() -> Result<String, String> {
    let out = Command::new(docker())
        .args(["info", "--format", "{{.ServerVersion}}"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `{}`: {e}", docker()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}
