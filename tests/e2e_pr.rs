//! `dfsplit pr --verify` against a real Docker engine: a repository with two
//! copies of the `seed-go-scratch` e2e app, one whose Go source does not
//! compile. The first rewrite is built, measured and committed; the second
//! is left out because its original does not build (nothing is proven).
//!
//! A second run must find the same and leave the branch and the body as they
//! are. Like `tests/e2e.rs` it only runs when asked (each run builds four
//! images and rebuilds two for the cache check: a minute or two):
//!
//! ```sh
//! eval "$(../shared/e2e/docker-up)"    # golang:1.23 and distroless static stand-ins needed
//! DFSPLIT_E2E=1 cargo test --test e2e_pr -- --nocapture
//! ```
//!
//! Without `DFSPLIT_E2E=1` it prints a skip line and passes; with it but no
//! engine, a loud SKIP — unless `CI` is set, where a missing engine fails.

mod common;

use common::git;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn docker() -> String {
    std::env::var("DOCKER")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "docker".into())
}

fn engine_answers() -> Result<(), String> {
    let out = Command::new(docker())
        .args(["info", "--format", "{{.ServerVersion}}"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `{}`: {e}", docker()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// The app's build files (not its `notes/`, which holds another Dockerfile).
fn copy_app(to: &Path) {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/e2e/seed-go-scratch");
    std::fs::create_dir_all(to).unwrap();
    for f in ["Dockerfile", "go.mod", "main.go"] {
        std::fs::copy(app.join(f), to.join(f)).unwrap();
    }
}

/// `905.3 MB → 9.2 MB (0.01×)` → (905.3, 9.2).
fn sizes(line: &str) -> (f64, f64) {
    let rest = line.split("image ").nth(1).expect("sizes in the line");
    let mut nums = rest
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<f64>().expect("a number"));
    (nums.next().unwrap(), nums.next().unwrap())
}

#[test]
fn pr_verify_with_docker() {
    if std::env::var("DFSPLIT_E2E").as_deref() != Ok("1") {
        eprintln!(
            "e2e_pr: skipped (set DFSPLIT_E2E=1 to run dfsplit pr --verify with Docker; .ci/run does)"
        );
        return;
    }
    if let Err(why) = engine_answers() {
        if std::env::var_os("CI").is_some() {
            panic!(
                "e2e_pr: CI is set but no Docker engine answers ({} info: {why})",
                docker()
            );
        }
        eprintln!(
            "\n*** SKIP e2e_pr: no Docker engine answers ({} info: {why})\n*** start one: eval \"$(../shared/e2e/docker-up)\"\n",
            docker()
        );
        return;
    }
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-pr-verify");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    git(&root, &["init", "-q", "-b", "main"]);
    copy_app(&root.join("svc/prverify-api"));
    copy_app(&root.join("svc/prverify-broken"));
    // Does not compile: the original cannot be built, so nothing can be proven.
    std::fs::write(
        root.join("svc/prverify-broken/main.go"),
        "package main\n\nfunc main() {\n\tprintln(\"unterminated\"\n}\n",
    )
    .unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "two services"]);

    let run = || {
        let started = std::time::Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_dfsplit"))
            .current_dir(&root)
            .args(["pr", "--verify"])
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Dev")
            .env("GIT_AUTHOR_EMAIL", "dev@example.com")
            .env("GIT_COMMITTER_NAME", "Dev")
            .env("GIT_COMMITTER_EMAIL", "dev@example.com")
            .output()
            .expect("dfsplit pr");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        eprintln!(
            "e2e_pr: dfsplit pr --verify took {:.0} s\n--- stderr\n{stderr}--- stdout\n{stdout}",
            started.elapsed().as_secs_f64()
        );
        // The broken copy is left out of the pull request each time: exit 1
        // (`dfsplit pr --help`: 0 all in, 1 files left out, 2 an error).
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        (stdout, stderr)
    };
    let (stdout, stderr) = run();
    // Progress on stderr, per file.
    assert!(
        stderr.contains("dfsplit pr: verifying svc/prverify-api/Dockerfile (1 of 2)")
            && stderr.contains("dfsplit pr: svc/prverify-api/Dockerfile: building the original as dfsplit-verify/prverify-api-"),
        "{stderr}"
    );
    // The working rewrite is measured, and smaller.
    let verified = stdout
        .lines()
        .find(|l| l.starts_with("dfsplit pr: verified svc/prverify-api/Dockerfile: pass, image "))
        .unwrap_or_else(|| panic!("no verified line:\n{stdout}"));
    let (before, after) = sizes(verified);
    assert!(after < before / 10.0, "{verified}");
    // The broken one is left out, with the reason.
    assert!(
        stdout.contains("dfsplit pr: svc/prverify-broken/Dockerfile: left out of the pull request, `dfsplit verify` did not pass: nothing is proven: the original does not build (the input is broken): #"),
        "{stdout}"
    );
    // Committed: only the rewrite that passed, on the bot's branch.
    assert_eq!(
        git(
            &root,
            &["diff", "--name-only", "main", "dfsplit/multi-stage"]
        ),
        "svc/prverify-api/Dockerfile"
    );
    assert_eq!(git(&root, &["status", "--porcelain"]), "");
    // The body: measured sizes and verify's table, and what was left out.
    for want in [
        "| image size | ",
        "measured by `dfsplit verify`",
        "<details><summary><code>dfsplit verify</code>: pass</summary>",
        "PASS: the rewrite builds and is not bigger",
        "- `svc/prverify-broken/Dockerfile`: nothing is proven: the original does not build",
    ] {
        assert!(stdout.contains(want), "{want}\n---\n{stdout}");
    }
    assert!(!stdout.contains("catalogue estimate"), "{stdout}");
    // A second run verifies again and finds the same: the branch stays, and
    // the body is the same text (so --open would not update the pull request).
    let tip = git(&root, &["rev-parse", "dfsplit/multi-stage"]);
    let (again, _) = run();
    assert!(
        again.contains("dfsplit pr: branch `dfsplit/multi-stage` is up to date"),
        "{again}"
    );
    assert_eq!(git(&root, &["rev-parse", "dfsplit/multi-stage"]), tip);
    let body = |out: &str| out[out.find("# build(docker)").expect("a body")..].to_string();
    assert_eq!(body(&again), body(&stdout));
    // verify removed what it built.
    let left = Command::new(docker())
        .args([
            "images",
            "-q",
            "--filter",
            "reference=dfsplit-verify/prverify-*",
        ])
        .output()
        .expect("docker images");
    assert_eq!(String::from_utf8_lossy(&left.stdout).trim(), "");
}
