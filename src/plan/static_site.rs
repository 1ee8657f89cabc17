//! A static site built with Node and served by a Node static file server
//! (`serve`, `http-server`): the runtime serves the same folder with nginx.
//!
//! Only command lines whose every option is understood are translated, into
//! an nginx server block that keeps the port and the way URLs map to files.
//! What nginx still does differently is listed, so the explanation can say
//! it. Anything else (the port taken from `$PORT` at start, a `serve.json`,
//! an option with no equivalent here) keeps the Node server.

use super::closure::Entry;
use crate::model::{Context, join_path};
use crate::syntax::shell;

/// Where the runtime stage serves the site from: a folder of its own, so the
/// nginx image's welcome page and `50x.html` are not served beside it.
pub(crate) const SITE_ROOT: &str = "/usr/share/nginx/site";
/// Where the build stage writes the server block.
pub(crate) const CONFIG_IN_BUILD: &str = "/tmp/dfsplit-nginx.conf";
/// Where the runtime stage puts it: it replaces the image's default server.
pub(crate) const CONFIG_IN_RUNTIME: &str = "/etc/nginx/conf.d/default.conf";

/// File types the Node servers send with their own type and nginx's
/// `mime.types` lists as `application/octet-stream` (a browser refuses an
/// `.mjs` module script sent that way).
const EXTRA_TYPES: &[(&str, &str)] = &[
    ("application/javascript", "mjs"),
    ("application/manifest+json", "webmanifest"),
    ("application/json", "map"),
    ("font/ttf", "ttf"),
    ("font/otf", "otf"),
];

/// The static server the original runs, translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StaticSite {
    /// `serve` or `http-server`.
    pub server: &'static str,
    /// How the original starts it, for messages (`serve -s dist -l 3000`).
    pub command: String,
    /// The served folder in the build stage (absolute).
    pub dir: String,
    /// The port it listens on.
    pub port: u16,
    /// The nginx server block, one line each.
    pub config: Vec<String>,
    /// What nginx still does differently, one clause each.
    pub differences: Vec<String>,
}

/// Whether the entry runs a Node static file server, and its translation.
/// `Ok(None)`: it does not; `Err(why)`: it does, but nginx cannot stand in
/// for it exactly.
pub(crate) fn detect(entry: &Entry, ctx: Option<&Context>) -> Result<Option<StaticSite>, String> {
    let [words] = entry.commands.as_slice() else {
        return Ok(None);
    };
    let Some((server, args, via)) = server_command(words, ctx)? else {
        return Ok(None);
    };
    if args.iter().any(|a| a.contains("$?")) {
        return Err(format!(
            "`{server}` is given a word that is only known when the container starts (a variable)"
        ));
    }
    let command = format!("{server} {}", args.join(" ")).trim().to_string();
    let parsed = match server {
        "serve" => parse_serve(&args)?,
        _ => parse_http_server(&args)?,
    };
    if server == "serve"
        && let Some(ctx) = ctx
        && let Some(f) = ctx
            .find(|name| name == "serve.json")
            .find(|p| !p.contains("node_modules/"))
    {
        return Err(format!(
            "the context has {f}: serve reads its settings from a serve.json in the served folder, and they are not translated"
        ));
    }
    let dir = join_path(&entry.workdir, &parsed.dir);
    if dir == "/" || dir == entry.workdir.trim_end_matches('/') {
        return Err(format!(
            "`{command}` serves the whole working directory, sources and node_modules included"
        ));
    }
    let mut config = vec![
        "server {".to_string(),
        format!("    listen {};", parsed.port),
        format!("    root {SITE_ROOT};"),
        // The Node servers answer with path-only redirects, which keep the
        // port the container is published on; nginx's absolute ones name
        // its own listen port.
        "    absolute_redirect off;".to_string(),
        // A `types` block here replaces the inherited list, so it is
        // included again before the additions.
        "    include /etc/nginx/mime.types;".to_string(),
        "    types {".to_string(),
    ];
    config.extend(EXTRA_TYPES.iter().map(|(t, e)| format!("        {t} {e};")));
    config.push("    }".to_string());
    // Both Node servers label text types UTF-8.
    config.push("    charset utf-8;".to_string());
    config.push(
        "    charset_types text/css text/plain text/xml application/javascript application/json;"
            .to_string(),
    );
    config.push("    location / {".to_string());
    config.extend(parsed.location.iter().map(|l| format!("        {l}")));
    config.push("    }".to_string());
    if parsed.error_page {
        config.push("    error_page 404 /404.html;".to_string());
    }
    config.push("}".to_string());
    let mut differences = parsed.differences;
    differences
        .push("nginx sends its own headers: no on-the-fly gzip and another ETag".to_string());
    Ok(Some(StaticSite {
        server,
        command: match via {
            Some(v) => format!("{command} (through `{v}`)"),
            None => command,
        },
        dir,
        port: parsed.port,
        config,
        differences,
    }))
}

/// The server program, its arguments and the launcher it went through, when
/// the command runs `serve` or `http-server`.
#[allow(clippy::type_complexity)]
fn server_command(
    words: &[String],
    ctx: Option<&Context>,
) -> Result<Option<(&'static str, Vec<String>, Option<String>)>, String> {
    let Some((first, rest)) = words.split_first() else {
        return Ok(None);
    };
    if let Some(s) = server_name(first) {
        return Ok(Some((s, rest.to_vec(), None)));
    }
    match first.as_str() {
        "npx" => {
            let mut rest = rest;
            while let Some((flag, tail)) = rest.split_first()
                && flag.starts_with('-')
            {
                if !matches!(flag.as_str(), "-y" | "--yes") {
                    return match tail.iter().find_map(|w| server_name(w)) {
                        Some(_) => Err(format!("npx's option `{flag}` is not translated")),
                        None => Ok(None),
                    };
                }
                rest = tail;
            }
            match rest.split_first() {
                Some((p, args)) => {
                    Ok(server_name(p).map(|s| (s, args.to_vec(), Some("npx".into()))))
                }
                None => Ok(None),
            }
        }
        "npm" | "yarn" | "pnpm" => {
            let (script, used, extra) = match rest {
                [s, tail @ ..] if s == "start" => ("start", 1, tail),
                [r, s, tail @ ..] if (r == "run" || r == "run-script") && s == "start" => {
                    ("start", 2, tail)
                }
                _ => return Ok(None),
            };
            let launcher = format!("{first} {}", rest[..used].join(" "));
            let extra: Vec<String> = match extra {
                [] => Vec::new(),
                [dd, more @ ..] if dd == "--" => more.to_vec(),
                more if first != "npm" => more.to_vec(),
                _ => return Ok(None),
            };
            let Some(pkg) = ctx.and_then(|c| c.text("package.json")) else {
                return Ok(None);
            };
            let Ok(json) = serde_json::from_str::<serde_json::Value>(pkg) else {
                return Ok(None);
            };
            let scripts = &json["scripts"];
            let Some(text) = scripts[script].as_str() else {
                return Ok(None);
            };
            let mut words = match script_words(text) {
                Some(w) => w,
                None => {
                    return if text.contains("serve") || text.contains("http-server") {
                        Err(format!(
                            "the start script `{text}` is not one plain command (it has more than one, or operators, quotes or expansions)"
                        ))
                    } else {
                        Ok(None)
                    };
                }
            };
            let Some(s) = words.first().and_then(|w| server_name(w)) else {
                return Ok(None);
            };
            for hook in ["prestart", "poststart"] {
                if scripts[hook].is_string() {
                    return Err(format!(
                        "package.json has a `{hook}` script, which `{launcher}` also runs"
                    ));
                }
            }
            words.remove(0);
            words.extend(extra);
            Ok(Some((s, words, Some(launcher))))
        }
        _ => Ok(None),
    }
}

/// `serve` or `http-server`, also through `node_modules/.bin/`.
fn server_name(word: &str) -> Option<&'static str> {
    let name = word
        .strip_prefix("./")
        .unwrap_or(word)
        .strip_prefix("node_modules/.bin/")
        .unwrap_or(word);
    match name {
        "serve" => Some("serve"),
        "http-server" => Some("http-server"),
        _ => None,
    }
}

/// The words of a package.json script that is one plain command (no
/// operators, quotes, expansions or redirections).
fn script_words(text: &str) -> Option<Vec<String>> {
    if text.chars().any(|c| "&|;<>$`()'\"\\*?{}#".contains(c)) {
        return None;
    }
    let script = shell::parse(text);
    let mut cmds = script.simple_commands();
    let sc = cmds.next()?;
    if cmds.next().is_some() {
        return None;
    }
    let mut words: Vec<String> = Vec::new();
    words.push(sc.name()?.to_string());
    for w in sc.literal_args() {
        words.push(w?.to_string());
    }
    Some(words)
}

/// A server's command line, understood.
struct Parsed {
    port: u16,
    dir: String,
    /// Lines inside `location / { … }`.
    location: Vec<String>,
    /// Serve `/404.html` (when it exists) for a missing file.
    error_page: bool,
    differences: Vec<String>,
}

/// `--flag=value` or `--flag value`: the value, and how many words it took.
fn value<'a>(args: &'a [String], i: usize, flag: &str) -> Result<(&'a str, usize), String> {
    match args[i].split_once('=') {
        Some((_, v)) => Ok((v, 1)),
        None => args
            .get(i + 1)
            .map(|v| (v.as_str(), 2))
            .ok_or_else(|| format!("`{flag}` has no value")),
    }
}

fn port_of(v: &str) -> Option<u16> {
    v.parse::<u16>().ok().filter(|p| *p > 0)
}

/// `serve` 14: `serve [-s] [-l ENDPOINT] [FOLDER]`.
fn parse_serve(args: &[String]) -> Result<Parsed, String> {
    let (mut single, mut port, mut dir) = (false, None, None);
    let mut differences = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let flag = a.split_once('=').map_or(a, |(f, _)| f);
        match flag {
            "-s" | "--single" => single = true,
            "-l" | "--listen" | "-p" => {
                let (v, n) = value(args, i, flag)?;
                if port.is_some() {
                    return Err("serve listens on several endpoints".into());
                }
                port = Some(serve_endpoint(v)?);
                i += n;
                continue;
            }
            // Output and clipboard only; serve never reads --no-port-switching.
            "-n" | "--no-clipboard" | "-L" | "--no-request-logging" | "--no-port-switching" => {}
            // nginx compresses nothing either way; it sends an ETag and Last-Modified.
            "-u" | "--no-compression" | "--no-etag" => {}
            f if f.starts_with('-') => {
                return Err(format!("serve's option `{f}` is not translated"));
            }
            _ => {
                if dir.replace(a.to_string()).is_some() {
                    return Err("serve is given more than one folder".into());
                }
            }
        }
        i += 1;
    }
    let Some(port) = port else {
        return Err(
            "serve takes its port from $PORT when the container starts (3000 without it), and nginx's port is fixed when the image is built".into(),
        );
    };
    let Some(dir) = dir else {
        return Err("serve is given no folder, so it serves the whole working directory".into());
    };
    let location = if single {
        differences.push(
            "a path without a file answers index.html as with `serve -s`, but an existing extensionless file is served itself, and `/x.html` is not redirected to `/x`".to_string(),
        );
        vec!["try_files $uri /index.html;".to_string()]
    } else {
        differences.push(
            "clean URLs as serve's (`/about` answers about.html, `/docs` docs/index.html), but `/x.html` is not redirected to `/x` and `/about/` answers 404; folder listings are nginx's".to_string(),
        );
        vec![
            "try_files $uri $uri/index.html $uri.html $uri/ =404;".to_string(),
            "autoindex on;".to_string(),
        ]
    };
    Ok(Parsed {
        port,
        dir,
        location,
        error_page: !single,
        differences,
    })
}

/// serve's `-l` endpoint: a port, or `tcp://HOST:PORT` on every address.
fn serve_endpoint(v: &str) -> Result<u16, String> {
    if let Some(p) = port_of(v) {
        return Ok(p);
    }
    if let Some(rest) = v.strip_prefix("tcp://")
        && let Some((host, p)) = rest.rsplit_once(':')
        && let Some(p) = port_of(p)
    {
        return match host {
            "0.0.0.0" => Ok(p),
            _ => Err(format!(
                "serve listens on `{v}`, not on every address, which nginx's `listen` is not told here"
            )),
        };
    }
    Err(format!(
        "serve's endpoint `{v}` is not a port or tcp://0.0.0.0:PORT"
    ))
}

/// `http-server` 14: `http-server [FOLDER] [-p PORT] [-a 0.0.0.0] [-d false] [-c N] [-s]`.
fn parse_http_server(args: &[String]) -> Result<Parsed, String> {
    let (mut port, mut dir, mut listing, mut cache) = (None, None, true, 3600i64);
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        // minimist also reads `-c10` and `-c-1`.
        if let Some(n) = a.strip_prefix("-c").filter(|n| !n.is_empty())
            && let Ok(n) = n.parse::<i64>()
        {
            cache = n;
            i += 1;
            continue;
        }
        let flag = a.split_once('=').map_or(a, |(f, _)| f);
        match flag {
            "-p" | "--port" => {
                let (v, n) = value(args, i, flag)?;
                port = Some(
                    port_of(v).ok_or_else(|| format!("http-server's port `{v}` is not a port"))?,
                );
                i += n;
                continue;
            }
            "-a" => {
                let (v, n) = value(args, i, flag)?;
                if v != "0.0.0.0" {
                    return Err(format!("http-server listens on `{v}` only"));
                }
                i += n;
                continue;
            }
            "-d" => {
                // `-d false` turns listings off; a bare `-d` means true.
                match args.get(i + 1).map(String::as_str) {
                    Some("false") => {
                        listing = false;
                        i += 2;
                    }
                    Some("true") => i += 2,
                    _ => i += 1,
                }
                continue;
            }
            "-c" => {
                let (v, n) = value(args, i, flag)?;
                cache = v
                    .parse()
                    .map_err(|_| format!("http-server's cache time `{v}` is not a number"))?;
                i += n;
                continue;
            }
            "-e" | "--ext" => {
                let (v, n) = value(args, i, flag)?;
                if v != "html" {
                    return Err(format!(
                        "http-server's default extension `{v}` is not translated"
                    ));
                }
                i += n;
                continue;
            }
            "-s" | "--silent" => {}
            f if f.starts_with('-') => {
                return Err(format!("http-server's option `{f}` is not translated"));
            }
            _ => {
                if dir.replace(a.to_string()).is_some() {
                    return Err("http-server is given more than one folder".into());
                }
            }
        }
        i += 1;
    }
    let Some(port) = port else {
        return Err(
            "http-server takes its port from $PORT when the container starts (8080 without it), and nginx's port is fixed when the image is built".into(),
        );
    };
    let Some(dir) = dir else {
        return Err("http-server is given no folder: it serves ./public when that exists when it starts, else the working directory".into());
    };
    let mut location = vec!["try_files $uri $uri/ $uri.html =404;".to_string()];
    if listing {
        location.push("autoindex on;".to_string());
    }
    location.push(if cache < 0 {
        "add_header Cache-Control \"no-cache, no-store, must-revalidate\";".to_string()
    } else {
        format!("add_header Cache-Control \"max-age={cache}\";")
    });
    let mut differences = vec![
        "a folder asked for without its trailing slash is redirected with 301, not 302".to_string(),
    ];
    if listing {
        differences.push(
            "folder listings are nginx's, and are shown even when the site has a 404.html"
                .to_string(),
        );
    }
    Ok(Parsed {
        port,
        dir,
        location,
        error_page: true,
        differences,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn site(words: &[&str], ctx: Option<&Context>) -> Result<Option<StaticSite>, String> {
        detect(&entry(words, "/app"), ctx)
    }

    #[test]
    fn serve_single_page() {
        let s = site(&["serve", "-s", "build", "-l", "3000"], None)
            .unwrap()
            .unwrap();
        assert_eq!(
            (s.server, s.port, s.dir.as_str()),
            ("serve", 3000, "/app/build")
        );
        assert!(
            s.config
                .contains(&"        try_files $uri /index.html;".to_string())
        );
        assert!(s.config.contains(&"    listen 3000;".to_string()));
        assert!(!s.config.iter().any(|l| l.contains("error_page")));
        let s = site(&["serve", "-s", "dist", "-l", "tcp://0.0.0.0:8080"], None)
            .unwrap()
            .unwrap();
        assert_eq!(s.port, 8080);
        let s = site(
            &["serve", "--single", "--listen=5000", "-n", "public"],
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!((s.port, s.dir.as_str()), (5000, "/app/public"));
    }

    #[test]
    fn serve_clean_urls() {
        let s = site(&["serve", "out", "-p", "80"], None).unwrap().unwrap();
        assert!(s.config.iter().any(|l| l.contains("$uri.html")));
        assert!(s.config.contains(&"        autoindex on;".to_string()));
        assert!(
            s.config
                .contains(&"    error_page 404 /404.html;".to_string())
        );
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
        ] {
            let err = site(words, None).unwrap_err();
            assert!(err.contains(why), "{words:?}: {err}");
        }
        let err = site(&["serve", "-s", "build", "-l", "$?"], None).unwrap_err();
        assert!(
            err.contains("only known when the container starts"),
            "{err}"
        );
        let ctx = Context::from_files([("public/serve.json", "{}")]);
        let err = site(&["serve", "-s", "build", "-l", "3000"], Some(&ctx)).unwrap_err();
        assert!(err.contains("public/serve.json"), "{err}");
    }

    #[test]
    fn http_server() {
        let s = site(&["http-server", "dist", "-p", "8080"], None)
            .unwrap()
            .unwrap();
        assert_eq!(
            (s.server, s.port, s.dir.as_str()),
            ("http-server", 8080, "/app/dist")
        );
        assert!(
            s.config
                .contains(&"        try_files $uri $uri/ $uri.html =404;".to_string())
        );
        assert!(s.config.contains(&"        autoindex on;".to_string()));
        assert!(
            s.config
                .contains(&"        add_header Cache-Control \"max-age=3600\";".to_string())
        );
        let s = site(
            &["http-server", "-c-1", "-d", "false", "-p", "3000", "public"],
            None,
        )
        .unwrap()
        .unwrap();
        assert!(!s.config.iter().any(|l| l.contains("autoindex")));
        assert!(s.config.iter().any(|l| l.contains("no-cache, no-store")));
        assert!(
            site(&["http-server", "dist"], None)
                .unwrap_err()
                .contains("$PORT")
        );
        assert!(
            site(&["http-server", "-p", "80"], None)
                .unwrap_err()
                .contains("./public")
        );
        assert!(
            site(&["http-server", "dist", "-p", "80", "-g"], None)
                .unwrap_err()
                .contains("`-g`")
        );
    }

    #[test]
    fn launchers() {
        let ctx = Context::from_files([(
            "package.json",
            r#"{"scripts": {"build": "node build.js", "start": "serve -s dist -l tcp://0.0.0.0:3000"}}"#,
        )]);
        let s = site(&["npm", "start"], Some(&ctx)).unwrap().unwrap();
        assert_eq!((s.port, s.dir.as_str()), (3000, "/app/dist"));
        assert!(s.command.contains("through `npm start`"), "{}", s.command);
        assert!(
            site(&["yarn", "run", "start"], Some(&ctx))
                .unwrap()
                .is_some()
        );
        // Not the start script, or no package.json to read it from.
        assert_eq!(site(&["npm", "run", "build"], Some(&ctx)).unwrap(), None);
        assert_eq!(site(&["npm", "start"], None).unwrap(), None);
        let hooks = Context::from_files([(
            "package.json",
            r#"{"scripts": {"prestart": "node gen.js", "start": "serve -s dist -l 3000"}}"#,
        )]);
        assert!(
            site(&["npm", "start"], Some(&hooks))
                .unwrap_err()
                .contains("prestart")
        );
        let chained = Context::from_files([(
            "package.json",
            r#"{"scripts": {"start": "node gen.js && serve -s dist -l 3000"}}"#,
        )]);
        assert!(
            site(&["npm", "start"], Some(&chained))
                .unwrap_err()
                .contains("not one plain command")
        );
        let s = site(&["npx", "-y", "serve", "-s", "build", "-l", "3000"], None)
            .unwrap()
            .unwrap();
        assert_eq!(s.dir, "/app/build");
        assert!(
            site(
                &["./node_modules/.bin/http-server", "www", "-p", "9000"],
                None
            )
            .unwrap()
            .is_some()
        );
        assert_eq!(site(&["node", "server.js"], None).unwrap(), None);
    }

    #[test]
    fn folders_resolve_against_the_working_directory() {
        let dir = |d: &str| {
            detect(&entry(&["http-server", d, "-p", "8080"], "/app/web"), None)
                .unwrap()
                .unwrap()
                .dir
        };
        assert_eq!(dir("dist"), "/app/web/dist");
        assert_eq!(dir("./dist/"), "/app/web/dist");
        assert_eq!(dir("/srv/www"), "/srv/www");
        assert_eq!(dir("../dist"), "/app/dist");
    }
}
