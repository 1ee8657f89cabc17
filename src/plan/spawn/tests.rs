//! `core/spawned-program` on whole plans: the file and its context in,
//! the outcome out.

use super::lex::Lang;
use super::{app_source, language};
use crate::model::Context;
use crate::plan::{Options, Outcome, plan};
use crate::rules::Rules;

/// The rewritten text, or the gate's rule and text.
fn plan_of(dockerfile: &str, files: &[(&str, &str)]) -> Result<String, (String, String)> {
    let rules = Rules::embedded().expect("rules");
    let df = crate::syntax::parse(dockerfile);
    let ctx = Context::from_files(files.iter().copied());
    match plan(&df, Some(&ctx), &rules, &Options::default()).expect("plannable") {
        Outcome::Rewrite(r) => Ok(r.text),
        Outcome::Unchanged { gate, .. } => Err((gate.rule.clone(), gate.text())),
    }
}

const NODE: &str = "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"server.js\"]\n";
const PKG: &str = r#"{"name":"s","dependencies":{"ms":"2.1.3"}}"#;

fn node(server: &str) -> Result<String, (String, String)> {
    plan_of(
        NODE,
        &[
            ("package.json", PKG),
            ("package-lock.json", "{}"),
            ("server.js", server),
        ],
    )
}

fn refused(out: Result<String, (String, String)>) -> String {
    match out {
        Err((rule, text)) if rule == "core/spawned-program" => text,
        other => panic!("expected core/spawned-program, got {other:?}"),
    }
}

#[test]
fn a_builder_program_the_runtime_lacks_leaves_the_file_unchanged() {
    // The trial's app: git is in node:20, not in distroless nodejs.
    let text = refused(node(
        "const { execFile } = require('child_process');\n\nexecFile('git', ['--version'], cb);\n",
    ));
    assert!(text.contains("server.js line 3"), "{text}");
    assert!(
        text.contains("child_process.execFile starts `git`"),
        "{text}"
    );
    assert!(
        text.contains("gcr.io/distroless/nodejs20-debian13"),
        "{text}"
    );
}

#[test]
fn the_apps_own_runtime_is_always_there() {
    let out = node(
        "const cp = require('child_process');\ncp.fork('./w.js');\ncp.execFile(process.execPath, ['-v']);\n// cp.execFile('git')\nconst s = \"execFile('git')\";\n",
    )
    .expect("rewritten");
    assert!(
        out.contains("FROM gcr.io/distroless/nodejs20-debian13 AS runtime"),
        "{out}"
    );
}

#[test]
fn node_by_name_is_not_on_distroless_path() {
    // distroless nodejs has /nodejs/bin/node, outside the default PATH.
    let text = refused(node("require('child_process').spawn('node', ['w.js']);\n"));
    assert!(text.contains("starts `node`"), "{text}");
}

#[test]
fn a_command_line_through_the_shell_asks_for_a_base_with_one() {
    // `ls` and `wc` are on every base with a shell: the slim image.
    let out =
        node("const { execSync } = require('child_process');\nexecSync('ls -l /app | wc -l');\n")
            .expect("rewritten");
    assert!(out.contains("FROM node:20-slim AS runtime"), "{out}");
    // `curl` is on none of them.
    let text = refused(node(
        "const { execSync } = require('child_process');\nexecSync('curl -s http://x | wc -l');\n",
    ));
    assert!(text.contains("it starts `curl`"), "{text}");
}

#[test]
fn a_program_not_named_by_a_literal_is_refused() {
    let text = refused(node(
        "const cp = require('child_process');\nmodule.exports = (tool) => cp.spawn(tool, []);\n",
    ));
    assert!(text.contains("named by `tool`, not a literal"), "{text}");
}

#[test]
fn tests_and_files_the_build_does_not_copy_are_not_read() {
    let df = "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY src ./src\nCMD [\"node\", \"src/server.js\"]\n";
    let out = plan_of(
        df,
        &[
            ("package.json", PKG),
            ("package-lock.json", "{}"),
            ("src/server.js", "console.log('up');\n"),
            (
                "src/server.test.js",
                "require('child_process').execSync('git status');\n",
            ),
            (
                "scripts/release.js",
                "require('child_process').execFileSync('git', ['tag']);\n",
            ),
        ],
    );
    assert!(out.is_ok(), "{out:?}");
}

#[test]
fn a_package_the_runtime_installs_brings_its_program() {
    let df = "FROM python:3.11\nWORKDIR /app\nRUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
    let app = "import subprocess, sys\nsubprocess.run([sys.executable, '-V'])\nsubprocess.run(['ffmpeg', '-version'])\nsubprocess.run(['alembic', 'upgrade', 'head'])\n";
    let files = [
        ("requirements.txt", "flask==3.0.0\nalembic==1.13.1\n"),
        ("app.py", app),
    ];
    let out = plan_of(df, &files).expect("rewritten");
    assert!(out.contains("FROM python:3.11-slim AS runtime"), "{out}");
    // Without the package, ffmpeg would come from nowhere.
    let text = refused(plan_of(&df.replace(" ffmpeg ", " gcc "), &files));
    assert!(
        text.contains("app.py line 3: subprocess.run starts `ffmpeg`"),
        "{text}"
    );
}

#[test]
fn go_programs() {
    let go = "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\nCMD [\"/out/app\"]\n";
    let main = "package main\n\nimport \"os/exec\"\n\nfunc main() { exec.Command(\"git\", \"log\").Run() }\n";
    let text = refused(plan_of(
        go,
        &[("go.mod", "module x\n\ngo 1.23\n"), ("main.go", main)],
    ));
    assert!(
        text.contains("main.go line 5: exec.Command starts `git`"),
        "{text}"
    );
    // The binary itself, by os.Args[0]; and a test file's git.
    let own = "package main\n\nimport (\n\t\"os\"\n\t\"os/exec\"\n)\n\nfunc main() { exec.Command(os.Args[0], \"child\").Run() }\n";
    let test =
        "package main\n\nimport \"os/exec\"\n\nfunc TestX() { exec.Command(\"git\").Run() }\n";
    let out = plan_of(
        go,
        &[
            ("go.mod", "module x\n\ngo 1.23\n"),
            ("main.go", own),
            ("main_test.go", test),
        ],
    );
    assert!(out.is_ok(), "{out:?}");
}

#[test]
fn only_the_apps_own_running_code_is_read() {
    for p in [
        "server.js",
        "src/routes/export.ts",
        "app/main.py",
        "cmd/api/main.go",
        "src/main/java/a/App.java",
    ] {
        assert!(app_source(p), "{p}");
    }
    for p in [
        "node_modules/x/index.js",
        "vendor/github.com/a/b.go",
        "main_test.go",
        "test/api.js",
        "src/__tests__/a.ts",
        "src/a.test.ts",
        "src/a.spec.js",
        "tests/test_api.py",
        "app/test_views.py",
        "conftest.py",
        "setup.py",
        "webpack.config.js",
        "src/test/java/a/AppTest.java",
        "public/vendor/jquery.min.js",
        ".venv/lib/python3.11/site-packages/x.py",
    ] {
        assert!(!app_source(p), "{p}");
    }
}

#[test]
fn languages_follow_the_profile() {
    assert_eq!(language("node", "a.ts"), Some(Lang::Js));
    assert_eq!(language("node", "a.d.ts"), None);
    assert_eq!(language("node", "tool.py"), None);
    assert_eq!(language("java", "A.kt"), Some(Lang::Kotlin));
    assert_eq!(language("rust", "main.rs"), None);
}

#[test]
fn a_base_entrypoint_that_is_not_the_interpreter_leaves_the_familys_programs() {
    // node:20-slim's ENTRYPOINT is docker-entrypoint.sh, not node: node,
    // npm and npx are there all the same.
    let df = "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD [\"npm\", \"start\"]\n";
    let pkg = r#"{"name":"s","scripts":{"start":"node server.js"},"dependencies":{"ms":"2.1.3"}}"#;
    let files = |server: &'static str| {
        [
            ("package.json", pkg),
            ("package-lock.json", "{}"),
            ("server.js", server),
        ]
    };
    for prog in ["npx prisma migrate deploy", "node w.js"] {
        let server =
            format!("const {{ execSync }} = require('child_process');\nexecSync('{prog}');\n");
        let server: &'static str = Box::leak(server.into_boxed_str());
        let out = plan_of(df, &files(server)).expect("rewritten");
        assert!(out.contains("FROM node:20-slim AS runtime"), "{out}");
    }
    // A program the family does not bring is still refused there.
    let text = refused(plan_of(
        df,
        &files("const { execSync } = require('child_process');\nexecSync('git status');\n"),
    ));
    assert!(text.contains("it starts `git`"), "{text}");
}
