//! A static site built with Node and served by a Node static file server
//! (`serve`, `http-server`): the runtime serves the same folder with nginx.
//!
//! Only command lines whose every option is understood are translated, into
//! an nginx server block that keeps the port, which file answers which URL,
//! the file types and the cache header. What nginx still does differently is
//! listed, so the explanation can say it. Anything else (the port taken from
//! `$PORT` at start, a `serve.json`, an option with no equivalent here, a
//! server version other than the one translated) keeps the Node server.

use crate::model::{Context, join_path};
use crate::plan::entry::Entry;
use crate::plan::rule_ids as ids;
use crate::plan::steps::{StepInfo, StepKind};
use crate::plan::types::StaticSite;
use crate::syntax::{Body, Dockerfile, shell};
use serde_json::Value;

/// Where the runtime stage serves the site from: a folder of its own, so the
/// nginx image's welcome page and `50x.html` are not served beside it.
pub(crate) const SITE_ROOT: &str = "/usr/share/nginx/site";
/// Where the build stage writes the server block.
pub(crate) const CONFIG_IN_BUILD: &str = "/tmp/dfsplit-nginx.conf";
/// Where the runtime stage puts it: it replaces the image's default server.
pub(crate) const CONFIG_IN_RUNTIME: &str = "/etc/nginx/conf.d/default.conf";

/// The major version of each server whose behaviour is translated.
const TRANSLATED_MAJOR: u32 = 14;

/// File types of common web files where nginx's `mime.types` (1.22) and the
/// server's library disagree: `mime-types` 2.x for serve, `mime` 1.x for
/// http-server (the versions serve 14 and http-server 14 install). Each
/// server's own answer is kept: a browser refuses an `.mjs` module sent as
/// `application/octet-stream`, or subtitles not sent as `text/vtt`. First
/// what both libraries say, then where they differ.
const TYPES: &[(&str, &str)] = &[
    ("application/javascript", "mjs"),
    ("application/json", "map"),
    ("application/manifest+json", "webmanifest"),
    ("application/xml", "xml xsl"),
    ("application/xslt+xml", "xslt"),
    ("application/ld+json", "jsonld"),
    ("application/geo+json", "geojson"),
    ("application/x-subrip", "srt"),
    ("application/dash+xml", "mpd"),
    ("application/epub+zip", "epub"),
    ("application/gzip", "gz"),
    ("application/x-tar", "tar"),
    ("text/markdown", "md markdown"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("text/yaml", "yaml yml"),
    ("text/calendar", "ics"),
    ("text/vtt", "vtt"),
    ("text/cache-manifest", "appcache"),
    ("image/bmp", "bmp"),
    ("image/apng", "apng"),
    ("font/ttf", "ttf"),
    ("font/otf", "otf"),
    ("audio/ogg", "oga"),
    ("audio/x-flac", "flac"),
    ("audio/mp4", "m4a"),
    ("audio/x-aac", "aac"),
    ("audio/webm", "weba"),
    ("video/ogg", "ogv"),
    ("model/gltf-binary", "glb"),
    ("model/gltf+json", "gltf"),
];
const SERVE_TYPES: &[(&str, &str)] = &[
    ("application/node", "cjs"),
    ("application/toml", "toml"),
    ("audio/ogg", "opus"),
    ("audio/wave", "wav"),
    ("image/heic", "heic"),
    ("image/vnd.microsoft.icon", "ico"),
];
const HTTP_SERVER_TYPES: &[(&str, &str)] = &[
    ("application/octet-stream", "cjs toml opus heic avif"),
    ("audio/wav", "wav"),
];
/// Types the servers label UTF-8 (every `text/*` they send, JavaScript and
/// JSON; serve also web manifests); nginx always adds it to text/html.
const CHARSET_TYPES: &str = "text/css text/plain text/xml text/markdown text/csv text/tab-separated-values text/yaml text/calendar text/vtt text/cache-manifest application/javascript application/json";

/// Whether the entry runs a Node static file server, and its translation.
/// `Ok(None)`: it does not; `Err(why)`: it does, but nginx cannot stand in
/// for it exactly.
pub(crate) fn detect(
    entry: &Entry,
    df: &Dockerfile,
    infos: &[StepInfo],
    ctx: Option<&Context>,
) -> Result<Option<StaticSite>, String> {
    let [words] = entry.commands.as_slice() else {
        return Ok(None);
    };
    let Some(found) = server_command(words, entry, df, infos, ctx)? else {
        return Ok(None);
    };
    let server = found.server;
    let args = &found.args;
    if let Some(w) = args.iter().find(|a| a.contains('$')) {
        return Err(format!(
            "`{server}` is given `{}`: a variable only the shell expands, when the container starts, or a folder literally named so",
            w.replace("$?", "$…")
        ));
    }
    let command = format!("{server} {}", args.join(" ")).trim().to_string();
    let mut parsed = match server {
        "serve" => parse_serve(args)?,
        _ => parse_http_server(args)?,
    };
    parsed.port = match (parsed.port, found.script_port) {
        (Some(p), _) | (None, Some(p)) => Some(p),
        (None, None) => None,
    };
    let Some(port) = parsed.port else {
        return Err(format!(
            "{server} takes its port from $PORT when the container starts ({} without it), and nginx's port is fixed when the image is built",
            if server == "serve" { 3000 } else { 8080 }
        ));
    };
    let mut differences = Vec::new();
    match server_version(server, infos, found.package.as_ref(), found.lock.as_deref()) {
        Pin::Major(m, _) if m == TRANSLATED_MAJOR => {}
        Pin::Major(m, from) => {
            return Err(format!(
                "{from} is {server} {m}; the translation follows {server} {TRANSLATED_MAJOR}"
            ));
        }
        Pin::Unpinned(from) => differences.push(format!(
            "{from}, so the newest {server} (major {TRANSLATED_MAJOR} as of 2026-12) is the one translated"
        )),
    }
    if server == "serve"
        && let Some(ctx) = ctx
        && let Some(f) = ctx
            .find(|name| {
                name == "now.json"
                    || name.starts_with("serve")
                        && name.ends_with(".json")
                        && name != "package.json"
            })
            .find(|p| !p.contains("node_modules/"))
    {
        return Err(format!(
            "the context has {f}: serve reads its settings from a serve.json (or now.json) in the served folder, and a build may put this one there"
        ));
    }
    let dir = served_folder(server, parsed.dir.as_deref(), &entry.workdir, &command)?;
    let config = server_block(server, port, parsed.server_lines);
    differences.extend(parsed.differences);
    differences.push(
        "nginx listens on IPv4 only, sends its own ETag, compresses nothing on the fly and answers methods other than GET and HEAD with 405; file types outside the common web ones follow nginx's list".to_string(),
    );
    Ok(Some(StaticSite {
        server,
        command: match found.via {
            Some(v) => format!("{command} (through `{v}`)"),
            None => command,
        },
        dir,
        port,
        config,
        differences,
    }))
}

/// The folder `server` serves (`dir`, from the working directory
/// `workdir`): one it is given, inside the working directory and not all of
/// it, and a path a COPY can name as is.
fn served_folder(
    server: &str,
    dir: Option<&str>,
    workdir: &str,
    command: &str,
) -> Result<String, String> {
    let Some(dir_word) = dir else {
        return Err(match server {
            "serve" => "serve is given no folder, so it serves the whole working directory".into(),
            _ => "http-server is given no folder: it serves ./public when that exists when it starts, else the working directory".into(),
        });
    };
    let dir = join_path(workdir, dir_word);
    if dir == "/" || dir == workdir.trim_end_matches('/') {
        return Err(format!(
            "`{command}` serves the whole working directory, sources and node_modules included"
        ));
    }
    if !dir
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+@".contains(c))
    {
        return Err(format!(
            "the folder `{dir}` has characters a COPY would read as a pattern or a separator"
        ));
    }
    Ok(dir)
}

/// nginx's server block for `server` on `port`: the site root, path-only
/// redirects, the file types and charsets the Node server answers with, and
/// the lines its options translate to (`server_lines`).
fn server_block(server: &str, port: u16, server_lines: Vec<String>) -> Vec<String> {
    let own = if server == "serve" {
        SERVE_TYPES
    } else {
        HTTP_SERVER_TYPES
    };
    let mut config = vec![
        "server {".to_string(),
        format!("    listen {port};"),
        format!("    root {SITE_ROOT};"),
        // The Node servers answer with path-only redirects, which keep the
        // port the container is published on; nginx's absolute ones name
        // its own listen port.
        "    absolute_redirect off;".to_string(),
        // A `types` block here replaces the inherited list, so it is
        // included again before the server's own answers.
        "    include /etc/nginx/mime.types;".to_string(),
    ];
    let mut line = "    types {".to_string();
    for (t, e) in TYPES.iter().chain(own) {
        let entry = format!(" {t} {e};");
        if line.len() + entry.len() > 100 {
            config.push(line);
            line = "       ".to_string();
        }
        line.push_str(&entry);
    }
    config.push(format!("{line} }}"));
    config.push("    charset utf-8;".to_string());
    config.push(format!(
        "    charset_types {CHARSET_TYPES}{};",
        if server == "serve" {
            " application/manifest+json"
        } else {
            ""
        }
    ));
    config.extend(server_lines);
    config.push("}".to_string());
    config
}

/// What the entry runs, when it is a static server.
struct Found {
    server: &'static str,
    args: Vec<String>,
    /// The launcher it went through (`npm start`).
    via: Option<String>,
    /// `PORT=N` set by the start script itself.
    script_port: Option<u16>,
    /// The package.json the image holds in the working directory, if known.
    package: Option<Value>,
    /// The lockfile beside it (package-lock.json), if known.
    lock: Option<String>,
}

/// The server program, its arguments and the launcher it went through, when
/// the command runs `serve` or `http-server`.
fn server_command(
    words: &[String],
    entry: &Entry,
    df: &Dockerfile,
    infos: &[StepInfo],
    ctx: Option<&Context>,
) -> Result<Option<Found>, String> {
    let Some((first, rest)) = words.split_first() else {
        return Ok(None);
    };
    // The package.json (and lockfile) the image has where the app starts.
    let workdir = entry.workdir.trim_end_matches('/');
    let read = |name: &str| -> Option<String> {
        let ctx = ctx?;
        let from = context_file_at(df, infos, ctx, &format!("{workdir}/{name}"))?;
        ctx.text(&from).map(str::to_string)
    };
    let package = read("package.json").and_then(|t| serde_json::from_str::<Value>(&t).ok());
    let lock = read("package-lock.json");
    let found = |server, args: &[String], via: Option<String>, script_port| Found {
        server,
        args: args.to_vec(),
        via,
        script_port,
        package: package.clone(),
        lock: lock.clone(),
    };
    if let Some(s) = server_name(first) {
        return Ok(Some(found(s, rest, None, None)));
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
                    Ok(server_name(p).map(|s| found(s, args, Some("npx".into()), None)))
                }
                None => Ok(None),
            }
        }
        "npm" | "yarn" | "pnpm" => {
            let (used, extra) = match rest {
                [s, tail @ ..] if s == "start" => (1, tail),
                [r, s, tail @ ..] if (r == "run" || r == "run-script") && s == "start" => (2, tail),
                _ => return Ok(None),
            };
            let launcher = format!("{first} {}", rest[..used].join(" "));
            let extra: Vec<String> = match extra {
                [] => Vec::new(),
                [dd, more @ ..] if dd == "--" => more.to_vec(),
                more if first != "npm" => more.to_vec(),
                _ => return Ok(None),
            };
            let Some(json) = &package else {
                return Ok(None);
            };
            let scripts = &json["scripts"];
            let Some(text) = scripts["start"].as_str() else {
                return Ok(None);
            };
            let Some((mut words, port)) = script_words(text)? else {
                return if text.contains("serve") || text.contains("http-server") {
                    Err(format!(
                        "the start script `{text}` is not one plain command (it has more than one, or operators, quotes or expansions)"
                    ))
                } else {
                    Ok(None)
                };
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
            Ok(Some(found(s, &words, Some(launcher), port)))
        }
        _ => Ok(None),
    }
}

/// `serve` or `http-server`, also through `node_modules/.bin/`.
fn server_name(word: &str) -> Option<&'static str> {
    // `./serve` is a file of the app, not the package's binary.
    let name = word
        .trim_start_matches("./")
        .strip_prefix("node_modules/.bin/")
        .unwrap_or(word);
    match name {
        "serve" => Some("serve"),
        "http-server" => Some("http-server"),
        _ => None,
    }
}

/// The words of a package.json script that is one plain command (no
/// operators, quotes, expansions or redirections), and the port a leading
/// `PORT=N` gives it. `Err` for other variables set in front of it.
#[allow(clippy::type_complexity)]
fn script_words(text: &str) -> Result<Option<(Vec<String>, Option<u16>)>, String> {
    if text.chars().any(|c| "&|;<>$`()'\"\\*?{}#".contains(c)) {
        return Ok(None);
    }
    let script = shell::parse(text);
    let mut cmds = script.simple_commands();
    let Some(sc) = cmds.next() else {
        return Ok(None);
    };
    if cmds.next().is_some() {
        return Ok(None);
    }
    let mut port = None;
    for a in &sc.assignments {
        let value = a.value.as_ref().and_then(|v| v.literal.as_deref());
        match (a.name.as_str(), value.and_then(port_of)) {
            ("PORT", Some(p)) => port = Some(p),
            (name, _) => {
                return Err(format!(
                    "the start script `{text}` sets {name} for the server, which is not translated"
                ));
            }
        }
    }
    let Some(name) = sc.name() else {
        return Ok(None);
    };
    let mut words = vec![name.to_string()];
    for w in sc.literal_args() {
        match w {
            Some(w) => words.push(w.to_string()),
            None => return Ok(None),
        }
    }
    Ok(Some((words, port)))
}

/// A server's command line, understood.
struct Parsed {
    port: Option<u16>,
    dir: Option<String>,
    /// Lines of the server block after the common ones.
    server_lines: Vec<String>,
    differences: Vec<String>,
}

fn port_of(v: &str) -> Option<u16> {
    v.parse::<u16>().ok().filter(|p| *p > 0)
}

/// `serve` 14, whose options are read by the `arg` package: long options
/// take `--opt value` or `--opt=value`, short ones `-o value`, boolean short
/// ones may be grouped (`-sn`); anything else makes serve exit.
fn parse_serve(args: &[String]) -> Result<Parsed, String> {
    let (mut single, mut port, mut dir) = (false, None, None);
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            Some(_) if a.starts_with('-') => {
                return Err(format!(
                    "serve does not accept `{a}` (a short option takes its value as the next word) and would exit"
                ));
            }
            _ => (a, None),
        };
        match flag {
            "-l" | "--listen" | "-p" => {
                let v = match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        args.get(i)
                            .map(String::as_str)
                            .ok_or_else(|| format!("`{flag}` has no value"))?
                    }
                };
                if port.replace(serve_endpoint(v)?).is_some() {
                    return Err("serve listens on several endpoints".into());
                }
            }
            "--single" => single = true,
            // Output and clipboard only; serve never reads --no-port-switching.
            "--no-clipboard" | "--no-request-logging" | "--no-port-switching" => {}
            // nginx compresses nothing either way; it sends an ETag and Last-Modified.
            "--no-compression" | "--no-etag" => {}
            f if f.starts_with("--") => {
                return Err(format!("serve's option `{f}` is not translated"));
            }
            f if f.starts_with('-') && f.len() > 1 => {
                // Grouped boolean short options.
                for c in f[1..].chars() {
                    match c {
                        's' => single = true,
                        'n' | 'L' | 'u' => {}
                        c => return Err(format!("serve's option `-{c}` is not translated")),
                    }
                }
            }
            _ => {
                if dir.replace(a.to_string()).is_some() {
                    return Err("serve is given more than one folder, and would exit".into());
                }
            }
        }
        i += 1;
    }
    let (server_lines, differences) = serve_locations(single);
    Ok(Parsed {
        port,
        dir,
        server_lines,
        differences,
    })
}

/// The location blocks that answer as `serve` does (`single`: `-s`, every
/// path without an extension answers /index.html), and what still differs.
fn serve_locations(single: bool) -> (Vec<String>, Vec<String>) {
    let mut differences = vec![
        "redirects and errors carry nginx's short HTML pages, and a file of a type nobody knows is sent as application/octet-stream where serve names no type".to_string(),
    ];
    // serve's clean URLs: `/x.html` redirects to `/x`, and `/x/index` to
    // `/x` (so `/index.html` goes `/index`, then `/`), in both modes.
    // Fallbacks to an .html file are named locations or `break`s, so an
    // internal redirect never meets these again.
    let clean_redirects = [
        "    location ~ \"\\.html$\" {".to_string(),
        "        rewrite \"^(.*)\\.html$\" $1 permanent;".to_string(),
        "    }".to_string(),
        "    location ~ \"/index$\" {".to_string(),
        "        rewrite ^/index$ / permanent;".to_string(),
        "        rewrite \"^(.+)/index$\" $1 permanent;".to_string(),
        "    }".to_string(),
    ];
    let mut server_lines = Vec::new();
    if single {
        // serve -s: a path without an extension (as Node's path.extname
        // sees it: the last part, trailing slashes aside, has no dot but a
        // leading one) answers /index.html even when a file or folder of
        // that name exists; one with an extension answers its file or its
        // folder's listing, else /index.html.
        server_lines.extend(clean_redirects);
        server_lines.extend([
            "    location ~ \"^/$|^(.*/)?\\.?[^./]+/*$\" {".to_string(),
            "        rewrite ^ /index.html break;".to_string(),
            "    }".to_string(),
            "    location / {".to_string(),
            "        try_files $uri $uri/ @index;".to_string(),
            "        autoindex on;".to_string(),
            "    }".to_string(),
            "    location @index {".to_string(),
            "        rewrite ^ /index.html break;".to_string(),
            "    }".to_string(),
        ]);
        differences.push("folder listings are nginx's".to_string());
    } else {
        // serve: the file, else `X/index.html`, else `X.html`, else the
        // folder's listing, else 404 with /404.html when the site has one.
        server_lines.extend(clean_redirects);
        server_lines.extend([
            "    location / {".to_string(),
            "        try_files $uri $uri/index.html $uri.html $uri/ =404;".to_string(),
            "        autoindex on;".to_string(),
            "    }".to_string(),
            "    error_page 404 @notfound;".to_string(),
            "    location @notfound {".to_string(),
            "        try_files /404.html =404;".to_string(),
            "    }".to_string(),
        ]);
        differences.push(
            "a folder without index.html is listed by nginx after a redirect to its trailing slash, and `/x/` does not answer x.html".to_string(),
        );
    }
    (server_lines, differences)
}

/// serve's `-l` endpoint: a port, or `tcp://0.0.0.0:PORT`.
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

/// A value minimist gives an option.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Opt {
    Flag(bool),
    Text(String),
}

/// http-server's command line as `minimist` (with no declared booleans)
/// reads it: every option takes the next word as its value unless that
/// word starts with a dash; `-p8080` and `-c-1` carry theirs; `-d=false`
/// too. Returns the options in order and the positional words.
fn minimist(args: &[String]) -> (Vec<(String, Opt)>, Vec<String>) {
    // minimist's `/^(-|--)[^-]/`: a word that reads as an option.
    let optionlike = |w: &str| {
        let b = w.as_bytes();
        b.len() >= 2 && b[0] == b'-' && b[1] != b'-'
            || b.len() >= 3 && b[..2] == *b"--" && b[2] != b'-'
    };
    let (mut opts, mut positional) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let next = args.get(i + 1).filter(|n| !optionlike(n)).cloned();
        if a == "--" {
            positional.extend(args[i + 1..].iter().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--").filter(|l| !l.is_empty()) {
            if let Some((k, v)) = long.split_once('=') {
                opts.push((k.to_string(), Opt::Text(v.to_string())));
            } else if let Some(k) = long.strip_prefix("no-") {
                opts.push((k.to_string(), Opt::Flag(false)));
            } else if let Some(v) = next {
                opts.push((long.to_string(), Opt::Text(v)));
                i += 1;
            } else {
                opts.push((long.to_string(), Opt::Flag(true)));
            }
        } else if a.starts_with('-') && a.len() > 1 {
            let letters: Vec<char> = a[1..].chars().collect();
            let mut broken = false;
            for j in 0..letters.len() - 1 {
                let rest: String = letters[j + 1..].iter().collect();
                let letter = letters[j].to_string();
                let alpha = letters[j].is_ascii_alphabetic();
                if rest == "-" {
                    opts.push((letter, Opt::Text(rest)));
                    continue;
                }
                // `-d=false`, `-p8080`, `-c-1`, `-x/y`: the rest is the value.
                if alpha && rest.starts_with('=') {
                    opts.push((letter, Opt::Text(rest[1..].to_string())));
                } else if alpha && rest.ends_with(|c: char| c.is_ascii_digit())
                    || !(letters[j + 1].is_ascii_alphanumeric() || letters[j + 1] == '_')
                {
                    opts.push((letter, Opt::Text(rest)));
                } else {
                    opts.push((letter, Opt::Flag(true)));
                    continue;
                }
                broken = true;
                break;
            }
            let key = letters[letters.len() - 1];
            if !broken && key != '-' {
                match next {
                    Some(v) => {
                        opts.push((key.to_string(), Opt::Text(v)));
                        i += 1;
                    }
                    None => opts.push((key.to_string(), Opt::Flag(true))),
                }
            }
        } else {
            positional.push(a.clone());
        }
        i += 1;
    }
    (opts, positional)
}

/// `http-server` 14: `http-server [FOLDER] [-p PORT] [-a 0.0.0.0] [-d false] [-c N] [-s]`.
fn parse_http_server(args: &[String]) -> Result<Parsed, String> {
    let (opts, positional) = minimist(args);
    let mut seen: Vec<&str> = Vec::new();
    let (mut p, mut port_long, mut listing, mut cache) = (None, None, true, 3600i64);
    for (k, v) in &opts {
        if seen.contains(&k.as_str()) {
            return Err(format!(
                "http-server is given `{k}` twice, and would not start"
            ));
        }
        seen.push(k);
        let text = match v {
            Opt::Text(t) => Some(t.as_str()),
            Opt::Flag(_) => None,
        };
        match (k.as_str(), text) {
            ("p", Some(t)) => {
                p = Some(
                    port_of(t).ok_or_else(|| format!("http-server's port `{t}` is not a port"))?,
                )
            }
            ("port", Some(t)) => {
                port_long = Some(
                    port_of(t).ok_or_else(|| format!("http-server's port `{t}` is not a port"))?,
                )
            }
            ("a", Some("0.0.0.0")) => {}
            ("a", _) => {
                return Err(
                    "http-server is told to listen on another address than every IPv4 one".into(),
                );
            }
            ("d", Some("false")) => listing = false,
            ("d", None) if *v == Opt::Flag(true) => {}
            ("c", Some(t)) => {
                cache = t
                    .parse()
                    .map_err(|_| format!("http-server's cache time `{t}` is not a number"))?;
            }
            // Logging only; note that they take the next word as a value,
            // as minimist reads them, which a folder named there would be.
            ("s" | "silent" | "U" | "utc" | "log-ip", _) => {}
            (k, _) => {
                return Err(format!(
                    "http-server's option `{}{k}` is not translated",
                    if k.len() == 1 { "-" } else { "--" }
                ));
            }
        }
    }
    // http-server takes `-p` before `--port`.
    let port = p.or(port_long);
    let dir = match positional.as_slice() {
        [] => None,
        [d] => Some(d.clone()),
        _ => return Err("http-server is given more than one folder".into()),
    };
    let mut location = vec![
        // The file, else the folder (a redirect to its trailing slash, then
        // its index.html or listing), else the name with `.html`.
        "        try_files $uri $uri/ $uri.html =404;".to_string(),
        format!("        autoindex {};", if listing { "on" } else { "off" }),
    ];
    // http-server sends it on every answer, errors included.
    location.push(if cache < 0 {
        "        add_header Cache-Control \"no-cache, no-store, must-revalidate\" always;"
            .to_string()
    } else {
        format!("        add_header Cache-Control \"max-age={cache}\" always;")
    });
    let mut server_lines = vec!["    location / {".to_string()];
    server_lines.extend(location);
    server_lines.push("    }".to_string());
    server_lines.push("    error_page 404 /404.html;".to_string());
    let mut differences = vec![
        "a folder asked for without its trailing slash is redirected with 301, not 302".to_string(),
        "text in another encoding than UTF-8 is labelled UTF-8 (http-server detected its encoding)"
            .to_string(),
        "redirects and errors carry nginx's short HTML pages where http-server's were empty"
            .to_string(),
    ];
    if listing {
        differences.push(
            "folder listings are nginx's, and are shown even when the site has a 404.html".into(),
        );
    } else {
        // http-server answers a folder without index.html with the site's
        // 404.html (status 404) when it has one; nginx would say 403.
        server_lines.push("    error_page 403 =404 /404.html;".to_string());
        differences.push(
            "with listings off, a folder without index.html answers 404 even when the site has no 404.html (http-server: 403 then)".into(),
        );
    }
    Ok(Parsed {
        port,
        dir,
        server_lines,
        differences,
    })
}

/// Which major version of the server the image runs, and where that is read.
enum Pin {
    Major(u32, String),
    Unpinned(String),
}

/// The server's version: from its global install, else the lockfile, else
/// package.json; a bare install or npx gets the newest.
fn server_version(
    server: &str,
    infos: &[StepInfo],
    package: Option<&Value>,
    lock: Option<&str>,
) -> Pin {
    let major = |v: &str| -> Option<u32> {
        let digits: String = v
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    for info in infos {
        for c in info.commands() {
            if !matches!(
                c.rule.as_str(),
                ids::node::INSTALL_GLOBAL_RUNTIME_TOOL | ids::node::YARN_GLOBAL_RUNTIME_TOOL
            ) {
                continue;
            }
            for a in c.args.iter().flatten() {
                if a == server {
                    return Pin::Unpinned(format!("`{}` names no version", c.text));
                }
                if let Some(spec) = a.strip_prefix(&format!("{server}@")) {
                    return match major(spec) {
                        Some(m) => Pin::Major(m, format!("`{}`", c.text)),
                        None => Pin::Unpinned(format!("`{}` names no version number", c.text)),
                    };
                }
            }
        }
    }
    if let Some(v) = lock
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .and_then(|l| {
            l["packages"][format!("node_modules/{server}")]["version"]
                .as_str()
                .map(str::to_string)
        })
        && let Some(m) = major(&v)
    {
        return Pin::Major(m, format!("the lockfile's {server} {v}"));
    }
    if let Some(pkg) = package {
        for section in ["dependencies", "devDependencies"] {
            if let Some(spec) = pkg[section][server].as_str() {
                return match major(spec) {
                    Some(m) => Pin::Major(m, format!("package.json's {server} `{spec}`")),
                    None => Pin::Unpinned(format!(
                        "package.json's {server} `{spec}` names no version number"
                    )),
                };
            }
        }
    }
    Pin::Unpinned(format!(
        "no install of {server} names a version (npx fetches the newest when the container starts)"
    ))
}

/// The context file that ends up at `target` (absolute) after the COPY
/// instructions, when that can be told: the last COPY that writes it
/// decides. `None` when none does, or one writes it in a way that cannot be
/// followed (from another image or stage, a URL, a heredoc), or a RUN may
/// change it afterwards (it names the file).
pub(super) fn context_file_at(
    df: &Dockerfile,
    infos: &[StepInfo],
    ctx: &Context,
    target: &str,
) -> Option<String> {
    let name = target.rsplit('/').next().unwrap_or(target);
    let mut writer: Option<String> = None;
    for info in infos {
        let dest_of = |body: &Body| -> Option<(String, Vec<String>, bool)> {
            let Body::Copy { paths, .. } = body else {
                return None;
            };
            let (dest, sources) = paths.split_last()?;
            let raw = crate::plan::steps::copy_word(df, info, &dest.value);
            let sources: Vec<String> = sources
                .iter()
                .map(|s| crate::syntax::process_word(&s.value, df.escape))
                .collect();
            Some((join_path(&info.workdir, &raw), sources, raw.ends_with('/')))
        };
        match &info.kind {
            StepKind::CopyContext { .. } => {
                let body = &df.instruction_at(info.item)?.body;
                let (dest, sources, slash) = dest_of(body)?;
                let into_dir = slash || sources.len() > 1;
                for s in &sources {
                    let s = s.trim_start_matches("./").trim_end_matches('/');
                    let hit = if s.is_empty() || s == "." {
                        // The whole context into dest.
                        target
                            .strip_prefix(&format!("{}/", dest.trim_end_matches('/')))
                            .filter(|rel| ctx.has(rel))
                            .map(str::to_string)
                    } else if s.contains(['*', '?', '[']) {
                        ctx.files
                            .iter()
                            .filter(|f| crate::rules::pattern::glob_path(s, f))
                            .find(|f| {
                                format!(
                                    "{}/{}",
                                    dest.trim_end_matches('/'),
                                    f.rsplit('/').next().unwrap_or(f)
                                ) == target
                            })
                            .cloned()
                    } else if ctx.files.iter().any(|f| f.starts_with(&format!("{s}/"))) {
                        // A folder: its contents into dest.
                        target
                            .strip_prefix(&format!("{}/", dest.trim_end_matches('/')))
                            .map(|rel| format!("{s}/{rel}"))
                            .filter(|f| ctx.has(f))
                    } else if ctx.has(s) {
                        let lands = if into_dir {
                            format!(
                                "{}/{}",
                                dest.trim_end_matches('/'),
                                s.rsplit('/').next().unwrap_or(s)
                            )
                        } else {
                            dest.clone()
                        };
                        (lands == target).then(|| s.to_string())
                    } else {
                        None
                    };
                    if hit.is_some() {
                        writer = hit;
                    }
                }
            }
            StepKind::CopyOther(_) | StepKind::CopyTool { .. } => {
                let (dest, _, _) = df
                    .instruction_at(info.item)
                    .and_then(|i| dest_of(&i.body))?;
                if target == dest || target.starts_with(&format!("{}/", dest.trim_end_matches('/')))
                {
                    return None;
                }
            }
            StepKind::Run(_) => {
                if writer.is_some()
                    && df
                        .instruction_at(info.item)
                        .is_some_and(|i| df.text(&i.span).contains(name))
                {
                    return None;
                }
            }
            StepKind::Config => {}
        }
    }
    writer
}

#[cfg(test)]
mod tests;
