//! `dfsplit rewrite --all [DIR]`: the walk, the modes, atomic writes, diffs
//! that `git apply` and `patch -p1` take, JSON Lines, `.dfsplit.yaml`, and a
//! bad file that does not stop the run — on copies of corpus cases.

mod common;

use common::{dfsplit as run, text};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh empty folder.
fn tmp(tag: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let d = std::env::temp_dir().join(format!("dfsplit-all-{}-{n}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Copies corpus case `case` to `dst`, without its expected files.
fn copy_case(case: &str, dst: &Path) {
    let src = root().join("corpus/cases").join(case);
    copy_dir(&src, dst);
    for e in std::fs::read_dir(dst).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with("expected") || n.starts_with("explain") || n == "case.toml" {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap().flatten() {
        let to = dst.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// A repository-like tree: two services the engine improves, one it leaves
/// unchanged, one in an ignored folder, one under a hidden folder.
fn tree() -> PathBuf {
    let d = tmp("tree");
    copy_case("09-go-static", &d.join("services/api"));
    copy_case("01-node-npm-ci", &d.join("web"));
    copy_case("34-gate-npm-run-dev", &d.join("tools/dev"));
    copy_case("09-go-static", &d.join("build/out"));
    copy_case("09-go-static", &d.join(".cache/x"));
    std::fs::write(d.join(".gitignore"), "build/\n").unwrap();
    d
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs")
}

fn expected(case: &str) -> String {
    std::fs::read_to_string(
        root()
            .join("corpus/cases")
            .join(case)
            .join("expected.Dockerfile"),
    )
    .unwrap()
}

#[test]
fn check_lists_nothing_and_exits_1_naming_only_walked_files() {
    let d = tree();
    let out = run(&d, &["rewrite", "--all", "--check"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "dfsplit: 3 Dockerfiles under .: 2 would be rewritten, 1 unchanged, 0 skipped, 0 failed"
        ),
        "{err}"
    );
    assert!(err.contains("tools/dev/Dockerfile: unchanged:"), "{err}");
    assert!(
        !err.contains("build/out"),
        ".gitignore'd folder walked: {err}"
    );
    assert!(!err.contains(".cache"), "hidden folder walked: {err}");
    // Piped stderr: no progress bar drawing.
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
    // Without a mode, the files that would change, one per line.
    let out = run(&d, &["rewrite", "--all", "."], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "services/api/Dockerfile\nweb/Dockerfile\n"
    );
}

#[test]
fn diff_applies_with_git_apply_and_patch_p1() {
    let d = tree();
    let diff = run(&d, &["rewrite", "--all", "--diff", "-q"], None);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff.stderr));
    let patch = text(&diff.stdout);
    assert!(
        patch.starts_with("--- a/services/api/Dockerfile\n+++ b/services/api/Dockerfile\n"),
        "{patch}"
    );
    assert!(patch.contains("--- a/web/Dockerfile\n"), "{patch}");
    std::fs::write(d.join("all.patch"), &patch).unwrap();

    // git apply, in a repository.
    let g = tmp("git-apply");
    copy_dir(&d, &g);
    assert!(git(&g, &["init", "-q"]).status.success());
    let out = git(&g, &["apply", "--verbose", "all.patch"]);
    assert!(out.status.success(), "git apply: {}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(g.join("services/api/Dockerfile")).unwrap(),
        expected("09-go-static")
    );
    assert_eq!(
        std::fs::read_to_string(g.join("web/Dockerfile")).unwrap(),
        expected("01-node-npm-ci")
    );

    // patch -p1, no repository.
    let p = tmp("patch");
    copy_dir(&d, &p);
    let out = Command::new("patch")
        .current_dir(&p)
        .args(["-p1", "-i", "all.patch"])
        .output()
        .expect("patch runs");
    assert!(
        out.status.success(),
        "patch: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(p.join("services/api/Dockerfile")).unwrap(),
        expected("09-go-static")
    );
    assert_eq!(
        std::fs::read_to_string(p.join("web/Dockerfile")).unwrap(),
        expected("01-node-npm-ci")
    );

    // From another folder, with an absolute path: headers stay relative to cwd.
    let out = run(
        &d.join("services"),
        &[
            "rewrite",
            "--diff",
            d.join("services/api/Dockerfile").to_str().unwrap(),
        ],
        None,
    );
    assert!(
        text(&out.stdout).starts_with("--- a/api/Dockerfile\n+++ b/api/Dockerfile\n"),
        "{}",
        text(&out.stdout)
    );
}

#[cfg(unix)]
#[test]
fn write_replaces_changed_files_keeping_their_mode_and_leaves_the_rest_untouched() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let d = tree();
    let api = d.join("services/api/Dockerfile");
    std::fs::set_permissions(&api, std::fs::Permissions::from_mode(0o600)).unwrap();
    let gated = d.join("tools/dev/Dockerfile");
    let before = std::fs::metadata(&gated).unwrap();
    let gated_text = std::fs::read(&gated).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = run(&d, &["rewrite", "--all", "--write"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("services/api/Dockerfile: rewritten"));
    assert_eq!(
        std::fs::read_to_string(&api).unwrap(),
        expected("09-go-static")
    );
    assert_eq!(
        std::fs::metadata(&api).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // The unchanged file: same bytes, same inode, same mtime.
    let after = std::fs::metadata(&gated).unwrap();
    assert_eq!(std::fs::read(&gated).unwrap(), gated_text);
    assert_eq!(
        (after.ino(), after.mtime_nsec(), after.mtime()),
        (before.ino(), before.mtime_nsec(), before.mtime())
    );
    // Nothing left beside the files.
    let names: Vec<String> = std::fs::read_dir(d.join("services/api"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("dfsplit"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
    // A second run has nothing to do.
    let again = run(&d, &["rewrite", "--all", "--check"], None);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
}

#[test]
fn a_bad_file_is_reported_and_the_run_goes_on_with_exit_2() {
    let d = tree();
    std::fs::create_dir_all(d.join("broken")).unwrap();
    std::fs::write(
        d.join("broken/Dockerfile"),
        b"FROM golang:1.22\nRUN \xff\xfe\n",
    )
    .unwrap();
    std::fs::create_dir_all(d.join("invalid")).unwrap();
    std::fs::write(d.join("invalid/app.Dockerfile"), "RUN echo before from\n").unwrap();
    let out = run(&d, &["rewrite", "--all", "--write"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("broken/Dockerfile:2:"), "{err}");
    assert!(err.contains("invalid/app.Dockerfile:1:1: error"), "{err}");
    assert!(
        err.contains("2 rewritten, 1 unchanged, 0 skipped, 2 failed"),
        "{err}"
    );
    // The good files were still written; the bad ones are as they were.
    assert_eq!(
        std::fs::read_to_string(d.join("web/Dockerfile")).unwrap(),
        expected("01-node-npm-ci")
    );
    assert_eq!(
        std::fs::read(d.join("broken/Dockerfile")).unwrap(),
        b"FROM golang:1.22\nRUN \xff\xfe\n"
    );
}

#[test]
fn json_lines_one_report_per_file() {
    let d = tree();
    std::fs::write(d.join(".dfsplit.yaml"), "skip: [tools/]\n").unwrap();
    let out = run(&d, &["rewrite", "--all", "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let files: Vec<&str> = lines.iter().map(|l| l["file"].as_str().unwrap()).collect();
    assert_eq!(
        files,
        [
            "services/api/Dockerfile",
            "tools/dev/Dockerfile",
            "web/Dockerfile"
        ]
    );
    assert!(lines.iter().all(|l| l["version"] == 1));
    assert_eq!(lines[0]["changed"], true);
    assert_eq!(
        lines[0]["dockerfile"].as_str().unwrap(),
        expected("09-go-static")
    );
    assert!(
        lines[1]["skipped"].as_str().unwrap().contains("skip:"),
        "{}",
        lines[1]
    );
}

#[test]
fn config_sets_the_base_and_the_command_line_wins() {
    let d = tmp("config");
    copy_case("09-go-static", &d.join("svc"));
    std::fs::create_dir(d.join(".git")).unwrap();
    std::fs::write(
        d.join(".dfsplit.yaml"),
        "base: distroless\noverrides:\n  - path: [svc/**]\n    base: scratch\n",
    )
    .unwrap();
    let out = run(&d, &["rewrite", "--all", "--format", "json", "-q"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["dockerfile"].as_str().unwrap().contains("FROM scratch"),
        "{}",
        v["dockerfile"]
    );
    let out = run(
        &d,
        &[
            "rewrite",
            "--all",
            "--format",
            "json",
            "-q",
            "--base",
            "distroless",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["dockerfile"]
            .as_str()
            .unwrap()
            .contains("FROM gcr.io/distroless/static"),
        "{}",
        v["dockerfile"]
    );
    // The single-file command reads it too; --no-config does not.
    let one = run(&d.join("svc"), &["rewrite"], None);
    assert!(text(&one.stdout).contains("FROM scratch"));
    let none = run(&d.join("svc"), &["rewrite", "--no-config"], None);
    assert_eq!(text(&none.stdout), expected("09-go-static"));
    // A bad key: FILE:LINE:COL naming it, exit 2.
    std::fs::write(d.join(".dfsplit.yaml"), "base: slim\nnonroot: true\n").unwrap();
    let out = run(&d, &["rewrite", "--all"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(".dfsplit.yaml:2:1: ") && err.contains("nonroot"),
        "{err}"
    );
}
