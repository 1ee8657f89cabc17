//! Inputs over the size limit (`core/input-too-large`) through every
//! command: exit 2 with `FILE: error: …` naming the size and the limit,
//! nothing on stdout, the file unchanged on disk; `rewrite --all` reports the
//! file and goes on. The inputs are generated here: a corpus Dockerfile that
//! dfsplit rewrites, padded with comment lines past the limit.

mod common;

use dfsplit::syntax::MAX_INPUT_BYTES;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::text;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `text` with comment lines of 1,000 bytes appended up to exactly `len` bytes.
fn padded(text: &[u8], len: usize) -> Vec<u8> {
    let mut out = text.to_vec();
    while out.len() < len {
        let line = (len - out.len()).min(1000);
        out.push(b'#');
        out.extend(std::iter::repeat_n(b' ', line.saturating_sub(2)));
        if line > 1 {
            out.push(b'\n');
        }
    }
    assert_eq!(out.len(), len);
    out
}

/// A fresh folder holding corpus case `case`'s build context with its
/// Dockerfile padded to `len` bytes.
fn context(tag: &str, case: &str, len: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("size-limit-{tag}"));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("corpus/cases").join(case), &dir);
    let original = std::fs::read(dir.join("Dockerfile")).expect("Dockerfile");
    std::fs::write(dir.join("Dockerfile"), padded(&original, len)).expect("write");
    dir
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    for e in std::fs::read_dir(src).expect("read_dir").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("expected") || name.starts_with("explain") || name == "case.toml" {
            continue;
        }
        if e.path().is_dir() {
            copy_dir(&e.path(), &dst.join(&name));
        } else {
            std::fs::copy(e.path(), dst.join(&name)).expect("copy");
        }
    }
}

fn dfsplit(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    common::dfsplit(dir, args, stdin)
}

fn too_large_line(name: &str, size: usize) -> String {
    let size = size
        .to_string()
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|c| std::str::from_utf8(c).expect("digits"))
        .collect::<Vec<_>>()
        .join(",");
    format!("{name}: error: the input is {size} bytes (")
}

#[test]
fn every_command_refuses_a_file_over_the_limit_with_exit_2() {
    let size = MAX_INPUT_BYTES + 1;
    let dir = context("commands", "09-go-static", size);
    let before = std::fs::read(dir.join("Dockerfile")).expect("read");
    for args in [
        vec!["rewrite", "Dockerfile"],
        vec!["rewrite", "Dockerfile", "--write"],
        vec!["rewrite", "Dockerfile", "--format", "json"],
        vec!["explain", "Dockerfile"],
        vec!["graph", "Dockerfile"],
        vec!["parse", "Dockerfile"],
        vec!["verify", "Dockerfile", "--exec", "", "--expect", "ok"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_dfsplit"))
            .current_dir(&dir)
            .args(&args)
            // verify must stop before it looks for an engine.
            .env("DOCKER", "/nonexistent/docker")
            .output()
            .expect("run dfsplit");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
        assert!(
            err.starts_with(&too_large_line("Dockerfile", size)),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("up to 1,048,576 bytes (1 MiB)"),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
    assert_eq!(
        std::fs::read(dir.join("Dockerfile")).expect("read"),
        before,
        "unchanged"
    );
    // At the limit the same file is planned and rewritten.
    let dir = context("at-limit", "09-go-static", MAX_INPUT_BYTES);
    let out = dfsplit(&dir, &["rewrite", "Dockerfile"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(" AS runtime"));
}

#[test]
fn standard_input_over_the_limit_is_counted_and_refused() {
    let original =
        std::fs::read(root().join("corpus/cases/09-go-static/Dockerfile")).expect("read");
    let size = 3 * MAX_INPUT_BYTES + 5;
    let big = padded(&original, size);
    for cmd in ["parse", "rewrite"] {
        let out = dfsplit(&root(), &[cmd, "-"], Some(&big));
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {err}");
        assert!(out.stdout.is_empty());
        assert!(
            err.starts_with(&too_large_line("<stdin>", size)),
            "{cmd}: {err}"
        );
        assert!(err.contains("(3.0 MiB)"), "{err}");
    }
}

#[test]
fn rewrite_all_reports_the_big_file_and_goes_on() {
    let tree = Path::new(env!("CARGO_TARGET_TMPDIR")).join("size-limit-all");
    let _ = std::fs::remove_dir_all(&tree);
    let big = MAX_INPUT_BYTES * 2;
    let huge = context("all-big", "09-go-static", big);
    copy_dir(&huge, &tree.join("big"));
    copy_dir(&root().join("corpus/cases/09-go-static"), &tree.join("ok"));
    let big_before = std::fs::read(tree.join("big/Dockerfile")).expect("read");

    let out = dfsplit(&tree, &["rewrite", "--all", "--format", "json"], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(&too_large_line("big/Dockerfile", big)),
        "{err}"
    );
    assert!(err.contains("1 would be rewritten"), "{err}");
    assert!(err.contains("1 failed"), "{err}");
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 2);
    let big_line = &lines[0];
    assert_eq!(big_line["file"], "big/Dockerfile");
    assert_eq!(big_line["changed"], false);
    assert_eq!(big_line["diagnostics"][0]["rule"], "core/input-too-large");
    assert!(
        big_line.get("dockerfile").is_none(),
        "the text was not read: {big_line}"
    );
    assert_eq!(lines[1]["changed"], true);

    let out = dfsplit(&tree, &["rewrite", "--all", "--write"], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("ok/Dockerfile: rewritten"));
    assert_eq!(
        std::fs::read(tree.join("big/Dockerfile")).expect("read"),
        big_before
    );
    assert_ne!(
        std::fs::read(tree.join("ok/Dockerfile")).expect("read"),
        std::fs::read(root().join("corpus/cases/09-go-static/Dockerfile")).expect("read")
    );

    let out = dfsplit(&tree, &["rewrite", "--all", "--format", "sarif"], None);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "core/input-too-large" && r["level"] == "error"),
        "{results:?}"
    );
}
