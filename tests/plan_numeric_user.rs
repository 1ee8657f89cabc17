//! A numeric USER read against the builder image's accounts
//! (core/user-numeric): Docker takes HOME, the primary group and the name
//! from the image's /etc/passwd, so `USER 1000` on a node image is `node`
//! with HOME /home/node, and the runtime base must have the same account.

use dfsplit::plan::{self, BaseChoice, Options, Outcome, Rewrite};
use dfsplit::rules::Rules;
use dfsplit::syntax;

/// A Node server on `builder`, run as `user`.
fn node(builder: &str, user: &str) -> String {
    format!(
        "FROM {builder}\nWORKDIR /home/node/app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n\
         USER {user}\nCMD [\"node\", \"server.js\"]\n"
    )
}

/// A Java service built by javac on eclipse-temurin, run as `user`.
fn java(user: &str) -> String {
    format!(
        "FROM eclipse-temurin:17-jdk\nWORKDIR /opt/svc\nCOPY src ./src\n\
         RUN javac -d classes $(find src -name '*.java') && jar --create --file svc.jar --main-class Svc -C classes .\n\
         USER {user}\nCMD [\"java\", \"-jar\", \"svc.jar\"]\n"
    )
}

/// The plan of `text` with a build context holding a Node app and a Java
/// source: the rewrite, or the gate's text.
fn plan_with(text: &str, opts: &Options) -> Result<Rewrite, String> {
    let rules = Rules::embedded().expect("embedded rules");
    let dir =
        std::env::temp_dir().join(format!("dfsplit-plan-numeric-user-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).expect("temp dir");
    for (name, body) in [
        (
            "package.json",
            r#"{"name":"e","version":"1.0.0","dependencies":{"ms":"2.1.3"}}"#,
        ),
        (
            "package-lock.json",
            r#"{"name":"e","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"e","version":"1.0.0","dependencies":{"ms":"2.1.3"}},"node_modules/ms":{"version":"2.1.3"}}}"#,
        ),
        (
            "server.js",
            "require('http').createServer((q, s) => s.end(require('os').homedir())).listen(3000);\n",
        ),
        (
            "src/Svc.java",
            "public class Svc { public static void main(String[] a) {} }\n",
        ),
    ] {
        std::fs::write(dir.join(name), body).expect("context file");
    }
    let ctx = dfsplit::host::context::collect(&dir, None).expect("context");
    let df = syntax::parse(text);
    match plan::plan(&df, Some(&ctx), &rules, opts).expect("plannable") {
        Outcome::Rewrite(r) => Ok(*r),
        Outcome::Unchanged { gate, .. } => Err(gate.text()),
    }
}

fn plan(text: &str) -> Result<Rewrite, String> {
    plan_with(text, &Options::default())
}

#[test]
fn a_uid_naming_the_builders_account_keeps_a_base_with_that_account() {
    for user in ["1000", "1000:1000"] {
        let r = plan(&node("node:20", user)).expect("a rewrite");
        // node:20-slim has `node`, uid 1000, home /home/node, as node:20;
        // distroless has no account 1000 (HOME would be /).
        assert_eq!(r.base_after, "node:20-slim", "USER {user}");
        assert!(
            r.text.contains(&format!("\nUSER {user}\n")),
            "USER {user}: {}",
            r.text
        );
        assert!(
            r.base_reason.contains("gcr.io/distroless/nodejs20-debian13 (the original runs as uid 1000, the builder image's account `node` (HOME /home/node)"),
            "USER {user}: {}",
            r.base_reason
        );
        assert!(
            r.user
                .reason
                .contains("builder image's account `node` (HOME /home/node)"),
            "USER {user}: {}",
            r.user.reason
        );
    }
    // Asked for by name, distroless is refused with the same rule.
    let opts = Options {
        base: BaseChoice::Distroless,
        ..Options::default()
    };
    let why = plan_with(&node("node:20", "1000"), &opts).expect_err("no distroless base");
    assert!(
        why.contains("account `node`") && why.contains("core/user-numeric"),
        "{why}"
    );
}

#[test]
fn a_uid_in_the_system_range_keeps_the_builders_distribution() {
    // uid 33 is Debian's www-data (HOME /var/www): node:20-slim has it,
    // distroless does not.
    let r = plan(&node("node:20", "33")).expect("a rewrite");
    assert_eq!(r.base_after, "node:20-slim");
    assert!(
        r.base_reason.contains("system accounts"),
        "{}",
        r.base_reason
    );
}

#[test]
fn a_uid_no_account_has_runs_alike_on_distroless() {
    // No account in node:20 nor in distroless: HOME / in both; the choice
    // is the one it was.
    let r = plan(&node("node:20", "12345")).expect("a rewrite");
    assert_eq!(r.base_after, "gcr.io/distroless/nodejs20-debian13:nonroot");
    assert!(r.text.contains("\nUSER 12345\n"), "{}", r.text);
    // Named, the builder's account still keeps distroless out.
    let r = plan(&node("node:20", "node")).expect("a rewrite");
    assert_eq!(r.base_after, "node:20-slim");
}

#[test]
fn a_uid_only_some_releases_name_is_refused_when_no_base_has_it() {
    // eclipse-temurin:17-jdk is built on Ubuntu noble, whose images have
    // `ubuntu`, uid 1000: no base of the catalogue lists that account.
    let why = plan(&java("1000")).expect_err("left unchanged");
    assert!(
        why.contains("account `ubuntu` (HOME /home/ubuntu)"),
        "{why}"
    );
    // Another uid has no account there: rewritten as before.
    let r = plan(&java("12345")).expect("a rewrite");
    assert!(r.text.contains("\nUSER 12345\n"), "{}", r.text);
}
