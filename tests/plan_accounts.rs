//! Accounts created without fixed ids on a runtime base without a shell
//! (core/accounts-copied), and shell-form health checks written in exec
//! form there (core/healthcheck-exec): what is carried, and what keeps a
//! base with a shell.

use dfsplit::plan::{self, Options, Outcome};
use dfsplit::rules::Rules;
use dfsplit::syntax;

/// A Java service built by javac, with `setup` before `USER svc` and
/// `health` before the CMD.
fn java(setup: &str, health: &str) -> String {
    format!(
        "FROM eclipse-temurin:17-jdk\nWORKDIR /opt/svc\nCOPY src ./src\n\
         RUN javac -d classes $(find src -name '*.java') && jar --create --file svc.jar --main-class Svc -C classes .\n\
         {setup}\nUSER svc\n{health}CMD [\"java\", \"-jar\", \"svc.jar\"]\n"
    )
}

/// The rewritten text, or why the file is left unchanged, with a build
/// context holding the one source file (the jlink runtime needs one).
fn plan(text: &str) -> Result<String, String> {
    plan_with(text, &Options::default())
}

fn plan_with(text: &str, opts: &Options) -> Result<String, String> {
    let rules = Rules::embedded().expect("embedded rules");
    let dir = std::env::temp_dir().join(format!("dfsplit-plan-accounts-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).expect("temp dir");
    std::fs::write(
        dir.join("src/Svc.java"),
        "public class Svc { public static void main(String[] a) {} }\n",
    )
    .expect("source");
    let ctx = dfsplit::host::context::collect(&dir).expect("context");
    let df = syntax::parse(text);
    match plan::plan(&df, Some(&ctx), &rules, opts).expect("plannable") {
        Outcome::Rewrite(r) => Ok(r.text),
        Outcome::Unchanged { gate, .. } => Err(gate.text()),
    }
}

fn runtime(out: &str) -> &str {
    out.split(" AS runtime").nth(1).expect("a runtime stage")
}

#[test]
fn system_accounts_without_ids_are_copied_and_user_keeps_its_name() {
    let out = plan(&java("RUN groupadd -r svc && useradd -r -g svc svc", "")).expect("a rewrite");
    assert!(
        out.contains("FROM gcr.io/distroless/cc-debian13:nonroot AS runtime"),
        "{out}"
    );
    // The build stage reads the runtime image's own files and appends.
    assert!(
        out.contains("RUN --mount=type=bind,from=gcr.io/distroless/cc-debian13:nonroot,target=/tmp/dfsplit-base"),
        "{out}"
    );
    assert!(
        out.contains("for g in svc; do grep \"^$g:\" /etc/group"),
        "{out}"
    );
    assert!(
        out.contains("for u in svc; do grep \"^$u:\" /etc/passwd"),
        "{out}"
    );
    let rt = runtime(&out);
    assert!(
        rt.contains("COPY --from=build --chown=0:0 /tmp/dfsplit-accounts/passwd /tmp/dfsplit-accounts/group /etc/\n"),
        "{rt}"
    );
    // Before the app's files, so every later copy sees the accounts.
    assert!(
        rt.find("/tmp/dfsplit-accounts/passwd") < rt.find("/opt/svc/svc.jar"),
        "{rt}"
    );
    assert!(rt.contains("\nUSER svc\n"), "{rt}");
    // The account RUN is not repeated: the runtime has no shell.
    assert!(!rt.contains("RUN "), "{rt}");
}

#[test]
fn what_copying_two_lines_would_lose_keeps_a_base_with_a_shell() {
    for setup in [
        "RUN useradd -m svc",
        "RUN useradd -r -G audio svc",
        "RUN useradd svc",
        "RUN useradd -r -g staff svc",
        "RUN adduser --system svc",
        "RUN useradd -r svc && echo 'svc ALL=(ALL) NOPASSWD: ALL' >> /etc/sudoers",
    ] {
        let out = plan(&java(setup, "")).expect("a rewrite");
        let rt = runtime(&out);
        assert!(
            out.contains("FROM debian:trixie-slim AS runtime"),
            "{setup}:\n{out}"
        );
        assert!(!out.contains("/tmp/dfsplit-accounts"), "{setup}:\n{out}");
        // The setup is repeated where a shell runs it.
        assert!(rt.contains(setup), "{setup}:\n{rt}");
    }
}

#[test]
fn the_legacy_builder_keeps_a_base_with_a_shell() {
    let opts = Options {
        cache_mounts: false,
        ..Options::default()
    };
    let out = plan_with(&java("RUN useradd -r svc", ""), &opts).expect("a rewrite");
    assert!(out.contains("FROM debian:trixie-slim AS runtime"), "{out}");
    assert!(!out.contains("--mount"), "{out}");
    assert!(runtime(&out).contains("RUN useradd -r svc"), "{out}");
}

#[test]
fn fixed_ids_still_become_numeric() {
    let out = plan(&java("RUN useradd -r -u 999 svc", "")).expect("a rewrite");
    let rt = runtime(&out);
    assert!(rt.contains("USER 999"), "{rt}");
    assert!(!out.contains("/tmp/dfsplit-accounts"), "{out}");
}

#[test]
fn a_plain_shell_form_health_check_runs_in_exec_form_without_a_shell() {
    let out = plan(&java(
        "RUN useradd -r svc",
        "HEALTHCHECK --interval=10s \\\n  CMD java -cp svc.jar Svc --probe\n",
    ))
    .expect("a rewrite");
    let rt = runtime(&out);
    assert!(
        out.contains("FROM gcr.io/distroless/cc-debian13:nonroot AS runtime"),
        "{out}"
    );
    assert!(
        rt.contains("HEALTHCHECK --interval=10s \\\n  CMD [\"java\", \"-cp\", \"svc.jar\", \"Svc\", \"--probe\"]\n"),
        "{rt}"
    );
}

#[test]
fn a_health_check_that_needs_the_shell_keeps_it() {
    for health in [
        "HEALTHCHECK CMD java -cp svc.jar Svc --probe || exit 1\n",
        "HEALTHCHECK CMD java -cp $APP_JAR Svc --probe\n",
        "HEALTHCHECK CMD java -cp 'svc.jar' Svc --probe\n",
        "HEALTHCHECK CMD java -cp lib/* Svc --probe\n",
        "HEALTHCHECK CMD jcmd 1 VM.uptime\n",
    ] {
        let out = plan(&java("RUN useradd -r svc", health)).expect("a rewrite");
        let rt = runtime(&out);
        assert!(!out.contains("distroless"), "{health}:\n{out}");
        // Kept byte for byte on the base with a shell.
        assert!(rt.contains(health), "{health}:\n{rt}");
    }
}
