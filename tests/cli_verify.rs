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

/// Expected text may look like a flag (a node option the app reports back).
#[test]
fn expect_takes_text_that_starts_with_a_dash() {
    let out = verify(
        &[APP, "--expect", "--max-old-space-size=128"],
        &[("DOCKER", "/nonexistent/docker")],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--expect needs a smoke check") && !err.contains("unexpected argument"),
        "{err}"
    );
}

#[test]
fn probes_need_http() {
    let probes = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("probes-usage.yaml");
    std::fs::write(&probes, "probes:\n  - path: /\n").expect("write");
    let p = probes.display().to_string();
    for args in [
        vec![APP, "--probes", &p],
        vec![APP, "--exec", "", "--probes", &p],
    ] {
        let out = verify(&args, &[("DOCKER", "/nonexistent/docker")]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains("--http"),
            "{}",
            text(&out.stderr)
        );
    }
    // What only a run uses needs a smoke check.
    for args in [
        vec![APP, "--env", "A=b"],
        vec![APP, "--volume", "/tmp:/data"],
        vec![APP, "--", "--port", "8080"],
    ] {
        let out = verify(&args, &[("DOCKER", "/nonexistent/docker")]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains("needs a smoke check"),
            "{}",
            text(&out.stderr)
        );
    }
    // A probe file is checked before any engine is asked.
    std::fs::write(&probes, "probes:\n  - path: /\n    method: FETCH\n").expect("write");
    let out = verify(
        &[APP, "--http", "8080", "--probes", &p],
        &[("DOCKER", "/nonexistent/docker")],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{p}:3:")) && err.contains("FETCH"),
        "{err}"
    );
}

/// A stand-in for the docker client: answers what verify asks, logs every
/// command line, and runs the "app" as one that prints its API_KEY (the
/// worst case for a secret). The real engine path is covered by tests/e2e.rs.
const FAKE_DOCKER: &str = r#"#!/bin/sh
echo "ARGV: $*" >> "$FAKE_DOCKER_LOG"
case "$1" in
  info) echo 20.10.24 ;;
  image)
    if [ "$2" = inspect ]; then
      case "$3" in *:original) size=200 ;; *:rewrite) size=100 ;; *) size=50 ;; esac
      echo "[{\"Size\": $size, \"Config\": {}}]"
    fi ;;
  create) echo fake-container ;;
  cp) exit 1 ;;
  run)
    echo "ENV: API_KEY=${API_KEY-unset}" >> "$FAKE_DOCKER_LOG"
    while [ $# -gt 0 ]; do
      case "$1" in dfsplit-verify/*) shift; echo "key=$API_KEY args=$*"; exit 0 ;; esac
      shift
    done
    exit 1 ;;
  *) exit 0 ;;
esac
"#;

#[test]
fn env_values_are_never_printed_nor_on_dockers_command_line() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fake-docker");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).expect("mkdir");
    let docker = dir.join("docker");
    std::fs::write(&docker, FAKE_DOCKER).expect("write");
    std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let log = dir.join("log");
    let secret = "sk-live-0a9f3c77e1";
    let data = format!("{}:/data", dir.join("data").display());
    let env_arg = format!("API_KEY={secret}");
    for format in ["text", "json"] {
        let _ = std::fs::remove_file(&log);
        let out = verify(
            &[
                APP,
                "--exec",
                "",
                "--expect",
                "key=",
                "--env",
                &env_arg,
                "--volume",
                &data,
                "--no-cache-check",
                "--format",
                format,
                "--",
                "--port",
                "8080",
            ],
            &[
                ("DOCKER", docker.to_str().unwrap()),
                ("FAKE_DOCKER_LOG", log.to_str().unwrap()),
            ],
        );
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
        assert!(!stdout.contains(secret), "{stdout}");
        assert!(!stderr.contains(secret), "{stderr}");
        // The app's own output had it: masked, not dropped.
        assert!(stdout.contains("key=***"), "{stdout}");
        let log = std::fs::read_to_string(&log).expect("log");
        let runs: Vec<&str> = log
            .lines()
            .filter(|l| l.starts_with("ARGV: run "))
            .collect();
        assert_eq!(runs.len(), 2, "{log}");
        // Both containers answer to one host name (an app that shows it
        // agrees), and every container removed takes its anonymous volumes.
        let removed: Vec<&str> = log.lines().filter(|l| l.starts_with("ARGV: rm ")).collect();
        assert!(!removed.is_empty(), "{log}");
        for rm in &removed {
            assert!(rm.starts_with("ARGV: rm -f -v "), "{rm}");
        }
        for run in &runs {
            assert!(run.contains(" --hostname dfsplit-verify "), "{run}");
            assert!(!run.contains(secret), "{run}");
            assert!(run.contains(" -e API_KEY "), "{run}");
            assert!(
                run.ends_with(":rewrite --port 8080") || run.ends_with(":original --port 8080"),
                "{run}"
            );
        }
        // The value reached docker through its environment, once per container.
        assert_eq!(
            log.matches(&format!("ENV: API_KEY={secret}")).count(),
            2,
            "{log}"
        );
        // Each container got its own copy of the writable folder.
        assert!(runs[0].contains("/volumes/original/0:/data"), "{}", runs[0]);
        assert!(runs[1].contains("/volumes/rewrite/0:/data"), "{}", runs[1]);
        if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
            assert_eq!(v["outcome"], "pass");
            assert_eq!(v["smoke"]["env"], serde_json::json!(["API_KEY"]));
            assert_eq!(v["smoke"]["args"], serde_json::json!(["--port", "8080"]));
        }
    }
}

/// Without run flags, `dfsplit verify FILE` runs what `.dfsplit.yaml`'s
/// `verify:` says for the file (what `dfsplit pr --verify` runs), with the
/// same care for env values; flags that name a run replace it whole.
#[test]
fn the_configs_verify_checks_run_when_no_flag_names_a_run() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("verify-config");
    let _ = std::fs::remove_dir_all(&dir);
    let app = dir.join("svc/api");
    std::fs::create_dir_all(dir.join(".git")).expect("mkdir");
    std::fs::create_dir_all(dir.join("fixtures")).expect("mkdir");
    std::fs::create_dir_all(&app).expect("mkdir");
    let seed = std::path::Path::new(APP).parent().unwrap();
    for f in ["Dockerfile", "go.mod", "main.go"] {
        std::fs::copy(seed.join(f), app.join(f)).expect("copy");
    }
    let docker = dir.join("docker");
    std::fs::write(&docker, FAKE_DOCKER).expect("write");
    std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let log = dir.join("log");
    let secret = "sk-live-77c0ffee";
    std::fs::write(
        dir.join(".dfsplit.yaml"),
        format!(
            "verify:\n  smoke: {{exec: ''}}\n  cache-check: false\noverrides:\n  - path: [svc/api/**]\n    verify:\n      smoke: {{exec: '', expect: 'key='}}\n      env: [API_KEY={secret}]\n      volumes: ['fixtures:/data']\n      args: [--port, '8080']\n"
        ),
    )
    .expect("write");
    let file = app.join("Dockerfile");
    let envs = [
        ("DOCKER", docker.to_str().unwrap()),
        ("FAKE_DOCKER_LOG", log.to_str().unwrap()),
    ];
    let out = verify(&[file.to_str().unwrap()], &envs);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("come from `verify:` in .dfsplit.yaml"),
        "{stderr}"
    );
    assert!(
        !stdout.contains(secret) && !stderr.contains(secret),
        "{stdout}{stderr}"
    );
    assert!(stdout.contains("key=***"), "{stdout}");
    let calls = std::fs::read_to_string(&log).expect("log");
    let runs: Vec<&str> = calls
        .lines()
        .filter(|l| l.starts_with("ARGV: run "))
        .collect();
    assert_eq!(runs.len(), 2, "{calls}");
    for run in &runs {
        assert!(
            run.contains(" -e API_KEY ") && !run.contains(secret),
            "{run}"
        );
        assert!(run.ends_with(" --port 8080"), "{run}");
    }
    // The volume's HOST is the config folder's `fixtures`, copied per container.
    assert!(runs[0].contains("/volumes/original/0:/data"), "{}", runs[0]);
    // The top level's `cache-check: false` reached verify: no rebuild.
    assert_eq!(
        calls
            .lines()
            .filter(|l| l.starts_with("ARGV: build "))
            .count(),
        2,
        "{calls}"
    );

    // A flag that names a run replaces the file's checks whole.
    let _ = std::fs::remove_file(&log);
    let out = verify(
        &[file.to_str().unwrap(), "--exec", "", "--no-cache-check"],
        &envs,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let calls = std::fs::read_to_string(&log).expect("log");
    assert!(!calls.contains(" -e API_KEY"), "{calls}");

    // Checks that cannot be used: exit 2 with where they are set, nothing built.
    std::fs::write(
        dir.join(".dfsplit.yaml"),
        "verify:\n  smoke: {http: 8080/health}\n  probes: probes.yaml\n",
    )
    .expect("write");
    let _ = std::fs::remove_file(&log);
    let out = verify(&[file.to_str().unwrap()], &envs);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(".dfsplit.yaml:3:11: `verify.probes`: ")
            && err.contains("probes.yaml is not a file"),
        "{err}"
    );
    assert!(!log.exists(), "nothing ran");
}
