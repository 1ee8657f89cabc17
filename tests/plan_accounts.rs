//! Accounts created on a runtime base without a shell (core/accounts-copied:
//! their lines, the homes their commands create, numeric primary groups),
//! and shell-form health checks written in exec form there
//! (core/healthcheck-exec): what is carried, and what keeps a base with a
//! shell or numeric ids.

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
    let ctx = dfsplit::host::context::collect(&dir, None).expect("context");
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
        "RUN useradd -r -G audio svc",
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

/// The plan's decision for the (last) line `USER svc`: its rule and reason.
fn user_decision(text: &str) -> (String, String) {
    let rules = Rules::embedded().expect("embedded rules");
    let df = syntax::parse(text);
    let Outcome::Rewrite(r) =
        plan::plan(&df, None, &rules, &Options::default()).expect("plannable")
    else {
        panic!("a rewrite expected:\n{text}");
    };
    let d = r
        .decisions
        .iter()
        .rev()
        .find(|d| d.text == "USER svc")
        .expect("a decision for USER svc");
    (d.rule.clone(), d.reason.clone())
}

/// A static Go service on distroless with `setup` before `USER svc`.
fn go(setup: &str) -> String {
    format!(
        "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /usr/local/bin/svc .\n\
         {setup}\nUSER svc\nCMD [\"svc\"]\n"
    )
}

#[test]
fn fixed_ids_are_copied_too_and_user_keeps_its_name() {
    // With numeric ids the runtime would find no account: HOME would be
    // `/` and getpwuid would fail where the original found `svc`.
    for setup in [
        "RUN useradd -r -u 999 svc",
        "RUN groupadd --gid 10001 svc && useradd --uid 10001 --gid svc --no-create-home svc",
    ] {
        let out = plan(&java(setup, "")).expect("a rewrite");
        let rt = runtime(&out);
        assert!(
            rt.contains("COPY --from=build --chown=0:0 /tmp/dfsplit-accounts/passwd /tmp/dfsplit-accounts/group /etc/\n"),
            "{setup}:\n{rt}"
        );
        assert!(rt.contains("\nUSER svc\n"), "{setup}:\n{rt}");
        assert!(!rt.contains("USER 999"), "{setup}:\n{rt}");
        assert!(!rt.contains("USER 10001"), "{setup}:\n{rt}");
        assert_eq!(
            user_decision(&go(setup)).0,
            "core/user",
            "{setup}: USER is kept as written"
        );
    }
}

#[test]
fn fixed_ids_whose_lines_cannot_be_copied_stay_numeric_and_say_why() {
    for (setup, ids, why) in [
        // A primary group by a number neither the setup nor the base has.
        (
            "RUN useradd --system --uid 10001 --gid 100 svc",
            "USER 10001:100",
            "primary group is the number 100",
        ),
        // BusyBox's short options are not read.
        (
            "RUN addgroup -S -g 10001 svc && adduser -S -D -H -u 10001 -G svc svc",
            "USER 10001:10001",
            "`-S` is an option dfsplit does not read",
        ),
        // The id of distroless's own `nonroot`: two entries with one id.
        (
            "RUN useradd --system --uid 65532 --no-create-home svc",
            "USER 65532",
            "`svc` is given the id 65532, which the base's account `nonroot` has",
        ),
    ] {
        let text = go(setup);
        let out = plan(&text).expect("a rewrite");
        let rt = runtime(&out);
        assert!(!out.contains("/tmp/dfsplit-accounts"), "{setup}:\n{out}");
        assert!(rt.contains(&format!("\n{ids}\n")), "{setup}:\n{rt}");
        let (rule, reason) = user_decision(&text);
        assert_eq!(rule, "core/user-numeric", "{setup}");
        assert!(
            reason.contains("not copied in instead [core/accounts-copied]") && reason.contains(why),
            "{setup}: {reason}"
        );
        assert!(reason.contains("HOME is /"), "{setup}: {reason}");
    }
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

/// A Go service with `setup` before `USER svc`, built on `from`.
fn go_on(from: &str, setup: &str) -> String {
    go(setup).replace("FROM golang:1.23\n", &format!("FROM {from}\n"))
}

#[test]
fn a_home_the_setup_creates_is_copied_with_the_accounts() {
    for (setup, home) in [
        ("RUN useradd -m -u 10001 svc", "/home/svc"),
        (
            "RUN useradd --create-home --home-dir /var/lib/svc svc",
            "/var/lib/svc",
        ),
        (
            "RUN adduser --disabled-password --gecos '' svc",
            "/home/svc",
        ),
    ] {
        let out = plan(&go(setup)).expect("a rewrite");
        let rt = runtime(&out);
        assert!(
            out.contains("FROM gcr.io/distroless/static-debian13:nonroot AS runtime"),
            "{setup}:\n{out}"
        );
        assert!(
            out.contains("/tmp/dfsplit-accounts/passwd"),
            "{setup}:\n{out}"
        );
        // Set aside as the setup left it (cp -a: owner, mode, skeleton
        // files), copied in as a child so it keeps them.
        assert!(
            out.contains(&format!(
                "RUN mkdir -p /tmp/dfsplit-dirs/1 && cp -a {home} /tmp/dfsplit-dirs/1/\n"
            )),
            "{setup}:\n{out}"
        );
        let parent = &home[..home.rfind('/').unwrap() + 1];
        assert!(
            rt.contains(&format!(
                "COPY --from=build /tmp/dfsplit-dirs/1/ {parent}\n"
            )),
            "{setup}:\n{rt}"
        );
        assert!(rt.contains("\nUSER svc\n"), "{setup}:\n{rt}");
    }
}

#[test]
fn plain_useradd_follows_the_builders_login_defs() {
    // Debian (golang:1.23 is bookworm): no CREATE_HOME, so no home to copy;
    // the lines are copied and the explanation says why there is no home.
    let text = go("RUN useradd --uid 10001 svc");
    let out = plan(&text).expect("a rewrite");
    assert!(out.contains("/tmp/dfsplit-accounts/passwd"), "{out}");
    assert!(!out.contains("/tmp/dfsplit-dirs"), "{out}");
    assert!(runtime(&out).contains("\nUSER svc\n"), "{out}");
    // openjdk:17 is Oracle Linux 8, whose login.defs sets CREATE_HOME.
    let java_ol =
        java("RUN useradd svc", "").replace("FROM eclipse-temurin:17-jdk", "FROM openjdk:17");
    let out = plan(&java_ol).expect("a rewrite");
    assert!(
        out.contains("cp -a /home/svc /tmp/dfsplit-dirs/1/"),
        "{out}"
    );
    assert!(
        runtime(&out).contains("COPY --from=build /tmp/dfsplit-dirs/1/ /home/\n"),
        "{out}"
    );
    // A builder whose release the catalogue does not know (golang 1.19 has
    // no default suite): whether a home is made cannot be shown.
    let text = go_on("golang:1.19", "RUN useradd --uid 10001 svc");
    let out = plan(&text).expect("a rewrite");
    assert!(!out.contains("/tmp/dfsplit-accounts"), "{out}");
    assert!(runtime(&out).contains("\nUSER 10001\n"), "{out}");
    let (rule, reason) = user_decision(&text);
    assert_eq!(rule, "core/user-numeric");
    assert!(
        reason.contains("`useradd --uid 10001 svc`: the builder's release is not known")
            && reason.contains("CREATE_HOME"),
        "{reason}"
    );
}

#[test]
fn a_home_the_build_writes_into_is_not_carried() {
    for (setup, why) in [
        // A file is copied into the home, outside the app's directory.
        (
            "RUN useradd -m -u 10001 svc\nCOPY cfg.json /home/svc/.config/svc.json",
            "inside the home directory /home/svc",
        ),
        // The app lives in the home, and a setup step changes the home
        // after the build has entered it.
        (
            "RUN useradd -m -u 10001 svc\nWORKDIR /home/svc\nCOPY cfg.json ./\nRUN mkdir -p /home/svc/data && chown svc /home/svc/data",
            "after the build has entered it",
        ),
        // A build step as the account: its caches go to its HOME.
        (
            "RUN useradd -m -u 10001 svc\nUSER svc\nRUN go env GOCACHE",
            "builds as `svc`",
        ),
    ] {
        let text = go(setup);
        let out = plan(&text).expect("a rewrite");
        assert!(!out.contains("/tmp/dfsplit-accounts"), "{setup}:\n{out}");
        // The home is not set aside (a directory the setup makes in it is,
        // as any the setup makes).
        assert!(!out.contains("cp -a /home/svc /tmp"), "{setup}:\n{out}");
        let (rule, reason) = user_decision(&text);
        assert_eq!(rule, "core/user-numeric", "{setup}");
        assert!(reason.contains(why), "{setup}: {reason}");
    }
}

#[test]
fn a_home_the_app_lives_in_is_set_aside_before_the_build_enters_it() {
    // The app's directory is the home: the home is set aside right after
    // the setup steps that make it, before WORKDIR and COPY put the app's
    // files there; the runtime copies it in, then the app's files.
    for (setup, after) in [
        (
            "RUN useradd -m -u 10001 svc",
            "RUN useradd -m -u 10001 svc\n",
        ),
        // No fixed id: the lines are copied all the same.
        ("RUN useradd -m svc", "RUN useradd -m svc\n"),
        // A directory the setup makes in the home before the build enters
        // it is in the set-aside copy: it is taken after that step.
        (
            "RUN useradd -m svc\nRUN mkdir /home/svc/data && chown svc /home/svc/data",
            "chown svc /home/svc/data\n",
        ),
    ] {
        let text = go(&format!("{setup}\nWORKDIR /home/svc/app\nCOPY cfg.json ./"));
        let out = plan(&text).expect("a rewrite");
        let build = out.split(" AS runtime").next().unwrap_or_default();
        let set_aside =
            "RUN mkdir -p /tmp/dfsplit-dirs/1 && cp -a /home/svc /tmp/dfsplit-dirs/1/\n";
        assert!(
            build.contains(&format!("{after}{set_aside}WORKDIR /home/svc/app\n")),
            "{setup}:\n{out}"
        );
        // Once: not again at the build stage's end.
        assert_eq!(build.matches("cp -a /home/svc").count(), 1, "{out}");
        let rt = runtime(&out);
        assert!(
            rt.contains("COPY --from=build /tmp/dfsplit-dirs/1/ /home/\n"),
            "{rt}"
        );
        assert!(rt.contains("\nUSER svc\n"), "{rt}");
        let (rule, _) = user_decision(&text);
        assert_ne!(rule, "core/user-numeric", "{setup}");
    }
}

#[test]
fn a_numeric_primary_group_the_setup_creates_is_copied() {
    let text = go("RUN groupadd -g 10001 svc && useradd -u 10001 -g 10001 -M svc");
    let out = plan(&text).expect("a rewrite");
    assert!(out.contains("for g in svc; do grep"), "{out}");
    assert!(runtime(&out).contains("\nUSER svc\n"), "{out}");
    // 65532 is distroless's `nonroot` group: the base has it.
    let text = go("RUN useradd -r -u 10001 -g 65532 svc");
    let out = plan(&text).expect("a rewrite");
    assert!(out.contains("for u in svc; do grep"), "{out}");
    assert!(runtime(&out).contains("\nUSER svc\n"), "{out}");
}

#[test]
fn busybox_adduser_g_is_the_comment_not_a_group() {
    // BusyBox's `adduser -g` is the GECOS field; `-G` is the group. Read as
    // a group, the comment made the account's numeric ids unknown.
    let text = go_on(
        "golang:1.22-alpine",
        "RUN addgroup -S -g 10001 svc && adduser -S -D -H -u 10001 -G svc -g 'the service' svc",
    );
    let out = plan(&text).expect("a rewrite");
    assert!(runtime(&out).contains("\nUSER 10001:10001\n"), "{out}");
    let (rule, _) = user_decision(&text);
    assert_eq!(rule, "core/user-numeric");
}
