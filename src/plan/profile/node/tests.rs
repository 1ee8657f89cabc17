//! Which package.json the prune and the lockfile warning read: the one the
//! COPY instructions put into the directory where the install runs.

use crate::model::Context;
use crate::plan::{Options, Outcome, plan};
use crate::rules::Rules;

/// The rewritten text and the warnings' texts for `body` after
/// `FROM node:20` / `WORKDIR /app`, with `files` as the build context.
fn rewrite(body: &str, files: &[(&str, &str)]) -> (String, Vec<String>) {
    let rules = Rules::embedded().expect("rules");
    let df = crate::syntax::parse(&format!("FROM node:20\nWORKDIR /app\n{body}"));
    let ctx = Context::from_files(files.iter().copied());
    match plan(&df, Some(&ctx), &rules, &Options::default()).expect("plannable") {
        Outcome::Rewrite(r) => (r.text, r.warnings.iter().map(|w| w.text()).collect()),
        Outcome::Unchanged { gate, .. } => panic!("unchanged: {}", gate.text()),
    }
}

const DEV_ONLY: &str = r#"{"name":"s","devDependencies":{"left-pad":"1.3.0"}}"#;
const INDEX: &str = "console.log('up');\n";

fn prunes(out: &(String, Vec<String>)) -> bool {
    out.0.contains("npm prune --omit=dev")
}

fn kept_because(out: &(String, Vec<String>)) -> Option<&str> {
    out.1
        .iter()
        .find_map(|w| w.strip_prefix("dev dependencies stay in the runtime: "))
}

#[test]
fn a_package_json_copied_from_a_subfolder_is_the_apps() {
    // `COPY app .` puts app/package.json into /app, where npm runs.
    let out = rewrite(
        "COPY app .\nRUN npm install\nCMD [\"node\", \"index.js\"]\n",
        &[("app/package.json", DEV_ONLY), ("app/index.js", INDEX)],
    );
    assert!(prunes(&out), "{out:?}");
    assert_eq!(kept_because(&out), None, "{out:?}");
    // No lockfile beside app/package.json: said, as for one at the root.
    assert!(out.1.iter().any(|w| w.contains("no lockfile")), "{out:?}");
    // With its lockfile beside it, nothing to say.
    let out = rewrite(
        "COPY app .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n",
        &[
            ("app/package.json", DEV_ONLY),
            ("app/package-lock.json", "{}"),
            ("app/index.js", INDEX),
        ],
    );
    assert!(prunes(&out), "{out:?}");
    assert!(!out.1.iter().any(|w| w.contains("no lockfile")), "{out:?}");
}

#[test]
fn the_root_package_json_is_not_read_for_an_app_copied_from_a_subfolder() {
    // The root's package.json has a devDependency nothing imports, the
    // app's has one the app imports: the app's decides, and they stay
    // (read from the root, npm would prune left-pad, which the app needs).
    let out = rewrite(
        "COPY app .\nRUN npm install\nCMD [\"node\", \"index.js\"]\n",
        &[
            (
                "package.json",
                r#"{"name":"tools","devDependencies":{"typescript":"5.4.0"}}"#,
            ),
            ("app/package.json", DEV_ONLY),
            ("app/index.js", "require('left-pad');\n"),
        ],
    );
    assert!(!prunes(&out), "{out:?}");
    assert_eq!(
        kept_because(&out),
        Some("app/index.js imports `left-pad`, a devDependency"),
        "{out:?}"
    );
}

#[test]
fn the_start_script_is_read_from_the_apps_package_json() {
    let pkg = r#"{"scripts":{"start":"nodemon index.js"},"devDependencies":{"nodemon":"3.0.0"}}"#;
    let out = rewrite(
        "COPY app/package.json ./\nRUN npm install\nCOPY app .\nCMD [\"npm\", \"start\"]\n",
        &[("app/package.json", pkg), ("app/index.js", INDEX)],
    );
    assert!(!prunes(&out), "{out:?}");
    assert_eq!(
        kept_because(&out),
        Some("the start script runs `nodemon`, a devDependency"),
        "{out:?}"
    );
}

#[test]
fn no_prune_when_the_copies_do_not_show_which_package_json_is_the_apps() {
    // `COPY . .` puts app/package.json at /app/app/package.json: nothing
    // shows what npm reads in /app.
    let out = rewrite(
        "COPY . .\nRUN npm install\nCMD [\"node\", \"app/index.js\"]\n",
        &[("app/package.json", DEV_ONLY), ("app/index.js", INDEX)],
    );
    assert!(!prunes(&out), "{out:?}");
    assert_eq!(
        kept_because(&out),
        Some(
            "the COPY and RUN instructions do not show which package.json is in /app (the build context has app/package.json)"
        ),
        "{out:?}"
    );
    // A RUN that names package.json after the COPY may change it.
    let out = rewrite(
        "COPY . .\nRUN sed -i 's/1.3.0/1.3.1/' package.json && npm install\nCMD [\"node\", \"index.js\"]\n",
        &[("package.json", DEV_ONLY), ("index.js", INDEX)],
    );
    assert!(!prunes(&out), "{out:?}");
    assert_eq!(
        kept_because(&out),
        Some(
            "the COPY and RUN instructions do not show which package.json is in /app (the build context has package.json)"
        ),
        "{out:?}"
    );
    // None anywhere.
    let out = rewrite(
        "COPY index.js .\nRUN npm install left-pad\nCMD [\"node\", \"index.js\"]\n",
        &[("index.js", INDEX)],
    );
    assert!(!prunes(&out), "{out:?}");
    assert_eq!(
        kept_because(&out),
        Some("package.json is not in the build context"),
        "{out:?}"
    );
}
