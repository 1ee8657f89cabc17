//! The `rewrite`, `explain` and `graph` command-line contract: stdout, stderr,
//! exit codes and flags, on copies of corpus cases in a temporary folder.

mod common;

use common::{dfsplit as run, text};
use std::path::{Path, PathBuf};

/// A fresh copy of a corpus case.
fn case(name: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/cases")
        .join(name);
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dst = std::env::temp_dir().join(format!("dfsplit-cli-{}-{n}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    copy_dir(&src, &dst);
    dst
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    for e in std::fs::read_dir(src).expect("read case").flatten() {
        let to = dst.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).expect("copy");
        }
    }
}

#[test]
fn rewrite_prints_the_whole_new_file() {
    let dir = case("09-go-static");
    let out = run(&dir, &["rewrite", "Dockerfile"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let expected = std::fs::read_to_string(dir.join("expected.Dockerfile")).expect("expected");
    assert_eq!(text(&out.stdout), expected);
}

#[test]
fn check_exits_1_when_a_change_would_be_made_and_0_when_not() {
    let dir = case("09-go-static");
    let out = run(&dir, &["rewrite", "Dockerfile", "--check"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "--check prints no file");
    let gated = case("34-gate-npm-run-dev");
    let out = run(&gated, &["rewrite", "Dockerfile", "--check"], None);
    assert_eq!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert!(
        err.contains("unchanged:") && err.contains("node/gate-run-dev"),
        "{err}"
    );
}

#[test]
fn unchanged_output_is_byte_for_byte_with_one_line_on_stderr() {
    let dir = case("29-gate-c-make");
    let input = std::fs::read(dir.join("Dockerfile")).expect("input");
    let out = run(&dir, &["rewrite", "Dockerfile"], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, input);
    assert_eq!(
        text(&out.stderr).lines().count(),
        1,
        "{}",
        text(&out.stderr)
    );
    let quiet = run(&dir, &["rewrite", "Dockerfile", "-q"], None);
    assert!(quiet.stderr.is_empty());
}

#[test]
fn diff_and_write() {
    let dir = case("15-python-pip-requirements");
    let out = run(&dir, &["rewrite", "Dockerfile", "--diff"], None);
    assert_eq!(out.status.code(), Some(0));
    let diff = text(&out.stdout);
    assert!(
        diff.starts_with("--- a/Dockerfile\n+++ b/Dockerfile\n"),
        "{diff}"
    );
    assert!(diff.contains("+FROM python:3.11-slim AS runtime"), "{diff}");

    let out = run(&dir, &["rewrite", "Dockerfile", "--write", "-q"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(dir.join("Dockerfile")).expect("written");
    let expected = std::fs::read_to_string(dir.join("expected.Dockerfile")).expect("expected");
    assert_eq!(written, expected);
    // Running again: already multi-stage, nothing to do.
    let again = run(&dir, &["rewrite", "Dockerfile", "--check"], None);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
}

#[test]
fn json_report_names_stages_bases_and_decisions() {
    let dir = case("17-python-native-psycopg2");
    let out = run(&dir, &["rewrite", "Dockerfile", "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["changed"], true);
    let plan = &v["plan"];
    assert_eq!(plan["outcome"], "rewrite");
    assert_eq!(plan["base_before"], "python:3.11-bookworm");
    assert_eq!(plan["base_after"], "python:3.11-slim-bookworm");
    assert!(plan["base_after_approx_mb"].as_u64().is_some());
    let stages: Vec<&str> = plan["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(stages, vec!["build", "runtime"]);
    let added: Vec<&str> = plan["additions"]
        .as_array()
        .expect("additions")
        .iter()
        .map(|a| a["text"].as_str().unwrap_or(""))
        .collect();
    assert!(added.iter().any(|a| a.contains("libpq5")), "{added:?}");
    assert!(
        v["dockerfile"]
            .as_str()
            .is_some_and(|d| d.contains("AS runtime"))
    );
}

#[test]
fn stdin_has_no_context_and_says_so() {
    let dir = case("09-go-static");
    let input = std::fs::read(dir.join("Dockerfile")).expect("input");
    let out = run(&dir, &["rewrite", "-"], Some(&input));
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("no build context"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("AS runtime"));
}

#[test]
fn bad_input_and_usage_exit_2() {
    let dir = case("09-go-static");
    for (args, stdin) in [
        (vec!["rewrite", "-"], &b"FROM a\nENV PATH\n"[..]),
        (vec!["rewrite", "-"], &b"FROM a\nFROBNICATE x\n"[..]),
        (vec!["rewrite", "missing/Dockerfile"], &b""[..]),
        (vec!["rewrite", "Dockerfile", "--base", ""], &b""[..]),
        (
            vec!["rewrite", "Dockerfile", "--rules", "no-such-dir"],
            &b""[..],
        ),
        (vec!["explain", "Dockerfile", "--format", "yaml"], &b""[..]),
    ] {
        let out = run(&dir, &args, Some(stdin));
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let out = run(&dir, &["rewrite", "-"], Some(b"FROM a\nENV PATH\n"));
    assert!(
        text(&out.stderr).starts_with("<stdin>:2:5: error:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn explain_and_graph() {
    let dir = case("09-go-static");
    let out = run(&dir, &["explain", "Dockerfile"], None);
    assert_eq!(out.status.code(), Some(0));
    let expected = std::fs::read_to_string(dir.join("explain.txt")).expect("explain.txt");
    assert_eq!(text(&out.stdout), expected);

    let out = run(&dir, &["graph", "Dockerfile", "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("graph JSON");
    let nodes = v["nodes"].as_array().expect("nodes");
    let entry = nodes
        .iter()
        .position(|n| n["kind"] == "entry")
        .expect("an entry node");
    let needed: Vec<&serde_json::Value> = v["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| e["kind"] == "needed-at-runtime" && e["to"] == entry)
        .collect();
    assert_eq!(needed.len(), 1);
    let from = needed[0]["from"].as_u64().expect("id") as usize;
    assert_eq!(nodes[from]["path"], "/usr/local/bin/inventory");
    let dot = run(&dir, &["graph", "Dockerfile"], None);
    assert!(text(&dot.stdout).starts_with("digraph dfsplit {"));
}

#[test]
fn overlay_rules_with_an_unknown_key_is_an_error_with_location() {
    let dir = case("09-go-static");
    let rules = dir.join("my-rules");
    std::fs::create_dir_all(&rules).expect("mkdir");
    std::fs::write(rules.join("go.yaml"), "id: go\nbogus: 1\n").expect("write");
    let out = run(
        &dir,
        &["rewrite", "Dockerfile", "--rules", "my-rules"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("go.yaml:2:1") && err.contains("bogus"),
        "{err}"
    );
}

/// An overlay that disables a candidate (an image its registry lacks): the
/// candidate is left out where it would have served, and not named for an
/// app of another kind.
#[test]
fn disabled_candidates_are_left_out_with_their_reason() {
    let overlay = std::env::temp_dir().join(format!("dfsplit-disabled-{}", std::process::id()));
    std::fs::create_dir_all(&overlay).expect("mkdir");
    std::fs::write(
        overlay.join("bases.yaml"),
        "families:
  - id: node
    candidates:
      - id: node/nginx-unprivileged
        image: nginxinc/nginx-unprivileged:stable-alpine
        shell: true
        libc: musl
        package-manager: apk
        user: {name: nginx, uid: 101}
        ca-certs: true
        approx-size-mb: 20
        libc-sensitive: false
        suits: [static-site]
        requires: [unprivileged-port]
        disabled: not in our registry
        notes: x
",
    )
    .expect("write overlay");
    let overlay_arg = overlay.to_str().expect("utf-8 path");
    // A static site on port 8080 would get nginx-unprivileged; disabled, it
    // gets the official image.
    let dir = case("05-node-static-nginx");
    let out = run(
        &dir,
        &["explain", "--rules", overlay_arg, "Dockerfile"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let explain = text(&out.stdout);
    assert!(
        explain.contains("runtime (nginx:stable-alpine)"),
        "{explain}"
    );
    // A Node server: nginx does not suit it, disabled or not.
    let dir = case("01-node-npm-ci");
    let out = run(
        &dir,
        &["explain", "--rules", overlay_arg, "Dockerfile"],
        None,
    );
    let explain = text(&out.stdout);
    assert!(!explain.contains("nginx"), "{explain}");
    let _ = std::fs::remove_dir_all(&overlay);
}

/// The runtime keeps the original's user; `--non-root` switches on purpose
/// and hands the user what the app writes (corpus case 62: an Express app
/// that creates /data/cdn at start).
#[test]
fn non_root_is_opt_in_and_hands_over_what_the_app_writes() {
    let dir = case("62-write-node-multer-cdn");
    let default = run(&dir, &["rewrite", "Dockerfile"], None);
    assert_eq!(default.status.code(), Some(0), "{}", text(&default.stderr));
    let out = text(&default.stdout);
    assert!(!out.contains("USER") && !out.contains(":nonroot"), "{out}");
    assert!(
        out.contains("FROM gcr.io/distroless/nodejs20-debian13 AS runtime"),
        "{out}"
    );
    let explain = text(&run(&dir, &["explain", "Dockerfile"], None).stdout);
    assert!(
        explain.contains("runtime user: root [core/same-user]"),
        "{explain}"
    );

    let non_root = run(&dir, &["rewrite", "Dockerfile", "--non-root"], None);
    assert_eq!(
        non_root.status.code(),
        Some(0),
        "{}",
        text(&non_root.stderr)
    );
    let out = text(&non_root.stdout);
    assert!(
        out.contains("nodejs20-debian13:nonroot AS runtime"),
        "{out}"
    );
    assert!(
        out.contains("COPY --from=build --chown=65532:65532 /usr/src/app /usr/src/app"),
        "{out}"
    );
    // /data, named beside CDN_DIR in server.js, arrives owned by the user.
    assert!(
        out.contains("chown 65532:65532 /tmp/dfsplit-owned/1/data"),
        "{out}"
    );
    assert!(
        out.contains("COPY --from=build /tmp/dfsplit-owned/1/ /\n"),
        "{out}"
    );
    let explain = text(&run(&dir, &["explain", "Dockerfile", "--non-root"], None).stdout);
    assert!(
        explain.contains("runtime user: nonroot [core/non-root]"),
        "{explain}"
    );
    assert!(
        explain.contains("owns /data: named in server.js:8"),
        "{explain}"
    );
    assert!(
        explain.contains("not shown: writes to other paths"),
        "{explain}"
    );

    // A name the base has, and numeric ids.
    let node = text(
        &run(
            &dir,
            &["rewrite", "Dockerfile", "--non-root=10001:10002"],
            None,
        )
        .stdout,
    );
    assert!(
        node.contains("USER 10001:10002") && node.contains("--chown=10001:10002"),
        "{node}"
    );

    // Naming the :nonroot variant outright is a user switch too.
    let named = run(
        &dir,
        &[
            "rewrite",
            "Dockerfile",
            "--base",
            "gcr.io/distroless/nodejs20-debian13:nonroot",
        ],
        None,
    );
    assert_eq!(named.status.code(), Some(0));
    assert_eq!(
        named.stdout,
        std::fs::read(dir.join("Dockerfile")).expect("input")
    );
    assert!(
        text(&named.stderr).contains("--non-root allows it"),
        "{}",
        text(&named.stderr)
    );
}

#[test]
fn non_root_refuses_root_and_bad_names_and_keep_root_is_the_default() {
    let dir = case("01-node-npm-ci");
    for bad in [
        "--non-root=root",
        "--non-root=0",
        "--non-root=0:0",
        "--non-root=a b",
        "--non-root=a:b:c",
    ] {
        let out = run(&dir, &["rewrite", "Dockerfile", bad], None);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", text(&out.stderr));
    }
    let default = run(&dir, &["rewrite", "Dockerfile"], None);
    let keep = run(&dir, &["rewrite", "Dockerfile", "--keep-root"], None);
    assert_eq!(keep.status.code(), Some(0));
    assert_eq!(keep.stdout, default.stdout);
    assert!(text(&keep.stderr).contains("--keep-root is the default now"));
}
