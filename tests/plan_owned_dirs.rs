//! Directories a setup step creates for the app's own account, on a runtime
//! base without a shell (core/owned-dirs): which setups are handled by a
//! copy from the build stage, and which still keep every shell-less base out.

use dfsplit::plan::{self, Options, Outcome};
use dfsplit::rules::Rules;
use dfsplit::syntax;

/// A static Go service run as uid 10001, with `setup` between the build and
/// `USER app`, and `after` after it.
fn dockerfile(setup: &str, after: &str) -> String {
    format!(
        "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /usr/local/bin/svc .\n\
         RUN groupadd --gid 10001 app && useradd --uid 10001 --gid app app\n{setup}\nUSER app\n{after}\
         CMD [\"svc\"]\n"
    )
}

/// The rewritten text, or why the file is left unchanged.
fn plan(text: &str) -> Result<String, String> {
    let rules = Rules::embedded().expect("embedded rules");
    let df = syntax::parse(text);
    match plan::plan(&df, None, &rules, &Options::default()).expect("plannable") {
        Outcome::Rewrite(r) => Ok(r.text),
        Outcome::Unchanged { gate, .. } => Err(gate.text()),
    }
}

#[test]
fn created_directories_are_copied_with_their_owner_and_mode() {
    let out = plan(&dockerfile(
        "RUN mkdir -p /var/lib/svc/cache /srv/spool && chown -R app:app /var/lib/svc /srv/spool && chmod 750 /var/lib/svc",
        "",
    ))
    .expect("a rewrite");
    assert!(
        out.contains("FROM gcr.io/distroless/static-debian13"),
        "{out}"
    );
    // The top-most directories only: /var/lib/svc carries its cache.
    assert!(
        out.contains(
            "RUN mkdir -p /tmp/dfsplit-dirs/1 /tmp/dfsplit-dirs/2 && cp -a /srv/spool /tmp/dfsplit-dirs/1/ && cp -a /var/lib/svc /tmp/dfsplit-dirs/2/"
        ),
        "{out}"
    );
    assert!(
        out.contains("COPY --from=build /tmp/dfsplit-dirs/1/ /srv/\n"),
        "{out}"
    );
    assert!(
        out.contains("COPY --from=build /tmp/dfsplit-dirs/2/ /var/lib/\n"),
        "{out}"
    );
    // Plain useradd on golang:1.23 (Debian: login.defs does not set
    // CREATE_HOME) makes no home, so the account's lines are copied and
    // USER keeps the name (core/accounts-copied).
    assert!(out.contains("\nUSER app\n"), "{out}");
    assert!(out.contains("/tmp/dfsplit-accounts/passwd"), "{out}");
    // The setup is not repeated in the runtime stage (it has no shell).
    let runtime = out.split(" AS runtime").nth(1).expect("a runtime stage");
    assert!(!runtime.contains("RUN "), "{runtime}");
}

#[test]
fn other_setups_keep_shell_less_bases_out() {
    for (setup, after) in [
        // The owner of a folder every image has: copying /var/lib whole is no answer.
        ("RUN mkdir -p /var/lib/svc && chown app /var/lib", ""),
        // A directory mkdir did not create.
        ("RUN chown -R app:app /opt/svc", ""),
        // A flag with a value, not understood here.
        (
            "RUN mkdir -m 700 /var/lib/svc && chown app /var/lib/svc",
            "",
        ),
        // Something else that changes the system.
        (
            "RUN mkdir -p /var/lib/svc && chown app /var/lib/svc && ln -s /var/lib/svc /data",
            "",
        ),
        // A build step after USER: the build stage ends as `app`, which could
        // not keep the owners when it sets the directories aside.
        (
            "RUN mkdir -p /var/lib/svc && chown app /var/lib/svc",
            "RUN touch /src/stamp\n",
        ),
    ] {
        let why = plan(&dockerfile(setup, after)).expect_err(setup);
        assert!(
            why.contains("must be repeated and it has no shell"),
            "{setup}: {why}"
        );
    }
}
