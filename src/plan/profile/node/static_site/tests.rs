use super::*;

/// The classified steps of a Dockerfile's final stage.
fn infos_of(df: &Dockerfile, ctx: Option<&Context>) -> Vec<StepInfo> {
    let rules = crate::rules::Rules::embedded().expect("rules");
    let model = crate::model::Model::build(df).expect("model");
    model
        .final_stage()
        .steps
        .iter()
        .filter_map(|step| {
            let inst = df.instruction_at(step.item)?;
            Some(crate::plan::steps::classify_step(
                df, inst, step, &rules, ctx,
            ))
        })
        .collect()
}

fn entry(words: &[&str], workdir: &str) -> Entry {
    Entry {
        entrypoint: None,
        cmd: None,
        argv: words.iter().map(|w| w.to_string()).collect(),
        commands: vec![words.iter().map(|w| w.to_string()).collect()],
        shell_form: false,
        workdir: workdir.into(),
    }
}

/// Detection on a bare entry: no Dockerfile around it (no COPY, so no
/// package.json is known to be in the image unless `files` puts it there
/// with a `COPY . .`).
fn site_in(words: &[&str], files: &[(&str, &str)]) -> Result<Option<StaticSite>, String> {
    let text = if files.is_empty() {
        "FROM node:22\nWORKDIR /app\n".to_string()
    } else {
        "FROM node:22\nWORKDIR /app\nCOPY . .\n".to_string()
    };
    let df = crate::syntax::parse(&text);
    let ctx = Context::from_files(files.iter().copied());
    let ctx = (!files.is_empty()).then_some(&ctx);
    let infos = infos_of(&df, ctx);
    detect(&entry(words, "/app"), &df, &infos, ctx)
}

fn site(words: &[&str]) -> Result<Option<StaticSite>, String> {
    site_in(words, &[])
}

fn has(s: &StaticSite, line: &str) -> bool {
    s.config.iter().any(|l| l.trim() == line)
}

#[test]
fn serve_single_page() {
    let s = site(&["serve", "-s", "build", "-l", "3000"])
        .unwrap()
        .unwrap();
    assert_eq!(
        (s.server, s.port, s.dir.as_str()),
        ("serve", 3000, "/app/build")
    );
    assert!(has(&s, "listen 3000;"));
    assert!(has(&s, "try_files $uri $uri/ @index;"));
    assert!(
        has(&s, "location ~ \"^/$|^(.*/)?\\.?[^./]+/*$\" {"),
        "{:#?}",
        s.config
    );
    assert!(has(&s, "rewrite \"^(.*)\\.html$\" $1 permanent;"));
    assert!(has(&s, "rewrite \"^(.+)/index$\" $1 permanent;"));
    let s = site(&["serve", "-s", "dist", "-l", "tcp://0.0.0.0:8080"])
        .unwrap()
        .unwrap();
    assert_eq!(s.port, 8080);
    let s = site(&["serve", "--single", "--listen=5000", "-n", "public"])
        .unwrap()
        .unwrap();
    assert_eq!((s.port, s.dir.as_str()), (5000, "/app/public"));
    // Grouped boolean short options.
    let s = site(&["serve", "-sn", "dist", "-p", "80"])
        .unwrap()
        .unwrap();
    assert!(has(&s, "try_files $uri $uri/ @index;"));
    // Every server block carries the server's own file types and charset.
    assert!(
        s.config
            .iter()
            .any(|l| l.contains("application/javascript mjs;"))
    );
    assert!(s.config.iter().any(|l| l.contains("text/vtt vtt;")));
    assert!(has(&s, "charset utf-8;"));
}

#[test]
fn serve_clean_urls() {
    let s = site(&["serve", "out", "-p", "80"]).unwrap().unwrap();
    assert!(has(
        &s,
        "try_files $uri $uri/index.html $uri.html $uri/ =404;"
    ));
    assert!(has(&s, "autoindex on;"));
    assert!(has(&s, "error_page 404 @notfound;"));
    assert!(has(&s, "try_files /404.html =404;"));
}

#[test]
fn what_serve_leaves_to_the_node_server() {
    for (words, why) in [
        (&["serve", "-s", "build"][..], "$PORT"),
        (&["serve", "-l", "3000"][..], "whole working directory"),
        (
            &["serve", "-s", ".", "-l", "3000"][..],
            "whole working directory",
        ),
        (&["serve", "-C", "-s", "build", "-l", "3000"][..], "`-C`"),
        (
            &["serve", "-s", "b", "-l", "tcp://localhost:3000"][..],
            "every address",
        ),
        (
            &["serve", "-s", "b", "-l", "3000", "-l", "3001"][..],
            "several",
        ),
        (&["serve", "a", "b", "-l", "1"][..], "more than one folder"),
        (&["serve", "-s", "dist", "-l=3000"][..], "would exit"),
        (&["serve", "-s", "$DIST", "-l", "3000"][..], "variable"),
        (&["serve", "-s", "build", "-l", "$?"][..], "variable"),
        (
            &["serve", "-s", "my site", "-l", "3000"][..],
            "pattern or a separator",
        ),
    ] {
        let err = site(words).unwrap_err();
        assert!(err.contains(why), "{words:?}: {err}");
    }
    for f in ["public/serve.json", "config/serve.prod.json", "now.json"] {
        let err = site_in(&["serve", "-s", "build", "-l", "3000"], &[(f, "{}")]).unwrap_err();
        assert!(err.contains(f), "{err}");
    }
}

#[test]
fn http_server_as_minimist_reads_it() {
    let s = site(&["http-server", "dist", "-p", "8080"])
        .unwrap()
        .unwrap();
    assert_eq!(
        (s.server, s.port, s.dir.as_str()),
        ("http-server", 8080, "/app/dist")
    );
    assert!(has(&s, "try_files $uri $uri/ $uri.html =404;"));
    assert!(has(&s, "autoindex on;"));
    assert!(has(&s, "add_header Cache-Control \"max-age=3600\" always;"));
    let s = site(&["http-server", "-c-1", "-d", "false", "-p", "3000", "public"])
        .unwrap()
        .unwrap();
    assert!(has(&s, "autoindex off;"));
    assert!(has(&s, "error_page 403 =404 /404.html;"));
    assert!(s.config.iter().any(|l| l.contains("no-cache, no-store")));
    // `-d=false` is minimist's too.
    let s = site(&["http-server", "dist", "-d=false", "-p8080"])
        .unwrap()
        .unwrap();
    assert!(has(&s, "autoindex off;"));
    assert_eq!(s.port, 8080);
    // `-p` wins over `--port`, as in http-server.
    let s = site(&["http-server", "dist", "--port", "9000", "-p", "8080"])
        .unwrap()
        .unwrap();
    assert_eq!(s.port, 8080);
    // `-s dist`: minimist gives `dist` to -s, so no folder is left.
    assert!(
        site(&["http-server", "-p", "8080", "-s", "dist"])
            .unwrap_err()
            .contains("./public")
    );
    assert!(
        site(&["http-server", "dist"])
            .unwrap_err()
            .contains("$PORT")
    );
    assert!(
        site(&["http-server", "dist", "-p", "80", "-g"])
            .unwrap_err()
            .contains("`-g`")
    );
    assert!(
        site(&["http-server", "dist", "-e", "html", "-p", "80"])
            .unwrap_err()
            .contains("`-e`")
    );
    assert!(
        site(&["http-server", "dist", "-p", "80", "-p", "90"])
            .unwrap_err()
            .contains("twice")
    );
}

#[test]
fn minimist_words() {
    let w = |a: &[&str]| minimist(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let (o, p) = w(&[
        "-c-1",
        "-p8080",
        "dist",
        "-d=false",
        "--port=90",
        "--no-dotfiles",
        "-s",
    ]);
    assert_eq!(
        o,
        [
            ("c".into(), Opt::Text("-1".into())),
            ("p".into(), Opt::Text("8080".into())),
            ("d".into(), Opt::Text("false".into())),
            ("port".into(), Opt::Text("90".into())),
            ("dotfiles".into(), Opt::Flag(false)),
            ("s".into(), Opt::Flag(true)),
        ]
    );
    assert_eq!(p, ["dist"]);
    let (o, p) = w(&["-ds", "x", "--", "-p"]);
    assert_eq!(
        o,
        [
            ("d".into(), Opt::Flag(true)),
            ("s".into(), Opt::Text("x".into()))
        ]
    );
    assert_eq!(p, ["-p"]);
}

#[test]
fn launchers_and_the_package_json_the_image_holds() {
    let pkg = r#"{"scripts": {"build": "node build.js", "start": "serve -s dist -l tcp://0.0.0.0:3000"}, "dependencies": {"serve": "^14.2.1"}}"#;
    let s = site_in(&["npm", "start"], &[("package.json", pkg)])
        .unwrap()
        .unwrap();
    assert_eq!((s.port, s.dir.as_str()), (3000, "/app/dist"));
    assert!(s.command.contains("through `npm start`"), "{}", s.command);
    assert!(
        site_in(&["yarn", "run", "start"], &[("package.json", pkg)])
            .unwrap()
            .is_some()
    );
    // Not the start script; no package.json known to be in the image.
    assert_eq!(
        site_in(&["npm", "run", "build"], &[("package.json", pkg)]).unwrap(),
        None
    );
    assert_eq!(site(&["npm", "start"]).unwrap(), None);
    // Another major version of serve.
    let old = pkg.replace("^14.2.1", "6.5.8");
    assert!(
        site_in(&["npm", "start"], &[("package.json", &old)])
            .unwrap_err()
            .contains("serve 6")
    );
    // PORT set by the script itself is the port.
    let own =
        r#"{"scripts": {"start": "PORT=4000 serve -s dist"}, "dependencies": {"serve": "14.2.4"}}"#;
    assert_eq!(
        site_in(&["npm", "start"], &[("package.json", own)])
            .unwrap()
            .unwrap()
            .port,
        4000
    );
    let hooks = r#"{"scripts": {"prestart": "node gen.js", "start": "serve -s dist -l 3000"}}"#;
    assert!(
        site_in(&["npm", "start"], &[("package.json", hooks)])
            .unwrap_err()
            .contains("prestart")
    );
    let chained = r#"{"scripts": {"start": "node gen.js && serve -s dist -l 3000"}}"#;
    assert!(
        site_in(&["npm", "start"], &[("package.json", chained)])
            .unwrap_err()
            .contains("not one plain command")
    );
    let s = site(&["npx", "-y", "serve", "-s", "build", "-l", "3000"])
        .unwrap()
        .unwrap();
    assert_eq!(s.dir, "/app/build");
    assert!(
        s.differences
            .iter()
            .any(|d| d.contains("npx fetches the newest"))
    );
    assert!(
        site(&["./node_modules/.bin/http-server", "www", "-p", "9000"])
            .unwrap()
            .is_some()
    );
    assert_eq!(site(&["node", "server.js"]).unwrap(), None);
    // A script of the app that happens to be called serve.
    assert_eq!(
        site(&["./serve", "-s", "dist", "-l", "3000"]).unwrap(),
        None
    );
}

#[test]
fn which_package_json_the_image_holds() {
    let ctx = Context::from_files([
        ("package.json", "{}"),
        ("web/package.json", "{}"),
        ("package-lock.json", "{}"),
    ]);
    let at = |text: &str| {
        let df = crate::syntax::parse(text);
        let infos = infos_of(&df, Some(&ctx));
        context_file_at(&df, &infos, &ctx, "/app/package.json")
    };
    let f = |body: &str| at(&format!("FROM node:22\nWORKDIR /app\n{body}"));
    assert_eq!(f("COPY package.json ./\n").as_deref(), Some("package.json"));
    assert_eq!(
        f("COPY package*.json ./\n").as_deref(),
        Some("package.json")
    );
    assert_eq!(f("COPY . .\n").as_deref(), Some("package.json"));
    assert_eq!(
        f("COPY web/package.json ./\n").as_deref(),
        Some("web/package.json")
    );
    assert_eq!(f("COPY web/ ./\n").as_deref(), Some("web/package.json"));
    assert_eq!(f("COPY web .\n").as_deref(), Some("web/package.json"));
    assert_eq!(
        f("COPY package.json ./\nCOPY web/ .\n").as_deref(),
        Some("web/package.json")
    );
    assert_eq!(f("COPY web/package.json /other/\n"), None);
    // A file of another name copied over it, or a RUN that may change it.
    assert_eq!(
        f("COPY package.json ./\nCOPY package-lock.json ./package.json\n").as_deref(),
        Some("package-lock.json")
    );
    assert_eq!(
        f("COPY package.json ./\nRUN sed -i s/a/b/ package.json\n"),
        None
    );
}
