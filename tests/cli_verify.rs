//! `dfsplit verify`: the exit-code contract that holds without a Docker engine
//! (the engine-backed behaviour is covered by `tests/e2e.rs`).

use std::process::{Command, Output};

fn verify(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dfsplit"));
    c.arg("verify").args(args);
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().expect("run dfsplit")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const APP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/corpus/e2e/seed-go-scratch/Dockerfile"
);
/// A file the planner always leaves unchanged (FROM scratch: nothing to split).
fn unchanged_file() -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("verify-unchanged");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let file = dir.join("Dockerfile");
    std::fs::write(&file, "FROM scratch\nCOPY app /app\nCMD [\"/app\"]\n").expect("write");
    std::fs::write(dir.join("app"), "x").expect("write");
    file.display().to_string()
}

#[test]
fn no_engine_is_exit_2_with_how_to_start_one() {
    let out = verify(
        &[APP, "--http", "8080/health"],
        &[
            ("DOCKER", "/nonexistent/docker"),
            ("DOCKER_HOST", "unix:///nonexistent.sock"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("no Docker engine answers"), "{err}");
    assert!(err.contains("DOCKER_HOST"), "{err}");
}

#[test]
fn unchanged_file_is_exit_0_without_an_engine() {
    let file = unchanged_file();
    let out = verify(
        &[&file, "--format", "json"],
        &[("DOCKER", "/nonexistent/docker")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["outcome"], "unchanged");
    assert_eq!(v["passed"], true);
    assert!(v["unchanged"]["rule"].as_str().is_some());
    let out = verify(&[&file], &[("DOCKER", "/nonexistent/docker")]);
    assert!(text(&out.stdout).contains("nothing to verify"));
}

#[test]
fn bad_usage_is_exit_2() {
    for args in [
        vec![APP, "--expect", "ok"],
        vec![APP, "--http", "web/health"],
        vec![APP, "--http", "80", "--exec", ""],
        vec!["/nonexistent/Dockerfile"],
    ] {
        let out = verify(&args, &[("DOCKER", "/nonexistent/docker")]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}
