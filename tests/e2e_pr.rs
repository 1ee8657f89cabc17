//! `dfsplit pr --verify` against a real Docker engine: a repository with three
//! copies of the `seed-go-scratch` e2e app and a `.dfsplit.yaml` whose
//! `verify:` section gives the smoke check (an override per path, as a user
//! writes one). The first rewrite is built, started, answered, stopped,
//! measured and committed. The second is left out because its original does
//! not build (nothing is proven). The third reports the Go release that built
//! it by reading `/usr/local/go/VERSION` from the builder image: the analysis
//! cannot see a file of the toolchain image read at run time, so its rewrite
//! builds, and only the smoke check shows that it answers 500 where the
//! original answers 200 — it is left out.
//!
//! A second run must find the same and leave the branch and the body as they
//! are. Like `tests/e2e.rs` it only runs when asked (each run builds six
//! images, runs four containers and rebuilds four images for the cache check:
//! a few minutes cold, about one warm):
//!
//! ```sh
//! eval "$(../shared/e2e/docker-up)"    # golang:1.23 and distroless static stand-ins needed
//! DFSPLIT_E2E=1 cargo test --test e2e_pr -- --nocapture
//! ```
//!
//! Without `DFSPLIT_E2E=1` it prints a skip line and passes; with it but no
//! engine, a loud SKIP — unless `CI` is set, where a missing engine fails.

mod common;

use common::{docker, engine_version, git};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The app's build files (not its `notes/`, which holds another Dockerfile).
fn copy_app(to: &Path) {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/e2e/seed-go-scratch");
    std::fs::create_dir_all(to).unwrap();
    for f in ["Dockerfile", "go.mod", "main.go"] {
        std::fs::copy(app.join(f), to.join(f)).unwrap();
    }
}

/// The toolchain copy's server: `/health` answers with the Go release read
/// from the builder image's `/usr/local/go/VERSION`, and 500 without it.
const TOOLCHAIN_MAIN_GO: &str = r#"package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		// Reports the Go release that built it, from the toolchain's own file.
		v, err := os.ReadFile("/usr/local/go/VERSION")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "ok %s", strings.SplitN(string(v), "\n", 2)[0])
	})
	log.Fatal(http.ListenAndServe("0.0.0.0:8080", mux))
}
"#;

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
    if let Err(why) = engine_version() {
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
    // Builds, but reads a file of the builder image at run time.
    copy_app(&root.join("svc/prverify-toolchain"));
    std::fs::write(
        root.join("svc/prverify-toolchain/main.go"),
        TOOLCHAIN_MAIN_GO,
    )
    .unwrap();
    // The smoke check for every service, and the text the api must answer.
    // (No `expect` for all: a rewrite that never answers it is waited for 60 s.)
    std::fs::write(
        root.join(".dfsplit.yaml"),
        "verify:\n  smoke: {http: 8080/health}\noverrides:\n  - path: [svc/prverify-api/**]\n    verify:\n      smoke: {http: 8080/health, expect: ok}\n",
    )
    .unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "three services"]);

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
        stderr.contains("dfsplit pr: verifying svc/prverify-api/Dockerfile (1 of 3)")
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
        stdout.contains("dfsplit pr: svc/prverify-broken/Dockerfile: left out of the pull request, `dfsplit verify` did not pass: nothing is proven: the original does not build (the input is broken): ERROR: "),
        "{stdout}"
    );
    // The one whose rewrite builds but answers differently is left out, with
    // what the smoke check saw.
    let toolchain = stdout
        .lines()
        .find(|l| l.starts_with("dfsplit pr: svc/prverify-toolchain/Dockerfile: left out of the pull request, `dfsplit verify` did not pass: the rewrite is not proven: the smoke check"))
        .unwrap_or_else(|| panic!("no left-out line for the toolchain copy:\n{stdout}"));
    assert!(toolchain.contains("500"), "{toolchain}");
    assert!(
        stderr.contains("svc/prverify-toolchain/Dockerfile: building the rewrite as"),
        "the rewrite was built: {stderr}"
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
        "PASS: the rewrite builds and the smoke check agrees (and it stops the same way)",
        "- `svc/prverify-broken/Dockerfile`: nothing is proven: the original does not build",
        "- `svc/prverify-toolchain/Dockerfile`: the rewrite is not proven: the smoke check",
        // What was checked: the override's smoke check, and the stop check.
        "| checked | started, `GET /health` on port 8080, answer containing `ok`; the stop check (`docker stop -t 5`) |",
        "Each app was also started from both images",
        "\nsmoke (",
        "\nstop (docker stop -t 5): ",
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
