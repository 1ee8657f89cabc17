//! Rust: the binary cargo builds (its name read from Cargo.toml), static when
//! built for musl or with crt-static, a `cargo run` start command translated
//! into that binary, and the non-source files of the working directory when
//! the sources open files.

use super::Input;
use crate::model::{Context, join_path};
use crate::plan::facts::{gate, gate_at, gate_near};
use crate::plan::rule_ids as ids;
use crate::plan::steps::{CmdInfo, StepInfo, StepKind};
use crate::plan::types::{Closure, CopySpec, Gate, PruneStep, StartRewrite, Warning};
use crate::rules::AppKind;
use crate::syntax::{Body, Command, Dockerfile, Keyword};

/// `$CARGO_HOME` in the rust images.
const CARGO_HOME: &str = "/usr/local/cargo";

/// Calls and crates in Rust sources that open files at run time, most of
/// them relative to the working directory: the standard library's, and
/// libraries' (static folders, templates, .env and config files, SQLite).
const FILE_CALLS: &[&str] = &[
    "File::open(",
    "File::create(",
    "OpenOptions",
    "fs::read",
    "fs::write(",
    "fs::create_dir",
    "fs::metadata(",
    "fs::copy(",
    "fs::rename(",
    "fs::remove_",
    "read_to_string(",
    "read_dir(",
    "Path::new(",
    "PathBuf::from(",
    "ServeDir::new(",
    "ServeFile::new(",
    "Files::new(",
    "FileServer::",
    "NamedFile::open",
    "Tera::new(",
    "Handlebars",
    "register_templates_directory",
    "dotenv",
    "config::File",
    "Config::builder",
    "Connection::open(",
    "sqlite:",
    "migrate!",
];

/// Crates that make TLS connections and so read the CA bundle.
const TLS_CRATES: &[&str] = &[
    "reqwest",
    "ureq",
    "rustls",
    "native-tls",
    "openssl",
    "hyper-tls",
    "lettre",
    "aws-",
    "tonic",
    "isahc",
    "surf",
    "attohttpc",
    "postgres",
    "mongodb",
    "redis",
    "sqlx",
];

/// Names in the build context that are cargo's build input, never files the
/// binary reads: they stay in the build stage.
const BUILD_INPUTS: &[&str] = &[
    "src",
    "Cargo.toml",
    "Cargo.lock",
    "build.rs",
    "target",
    "tests",
    "benches",
    "examples",
    "rust-toolchain",
    "rust-toolchain.toml",
    "rustfmt.toml",
    ".rustfmt.toml",
    "clippy.toml",
    "deny.toml",
    ".dockerignore",
    ".gitignore",
    ".git",
    ".github",
];

/// Rust's runtime plan, step by step: the packages Cargo.toml declares,
/// the builds, the binary the start command runs (translating `cargo run`),
/// how it is linked, its copy, and the files it reads.
fn rust(c: &mut Closure, input: &Input) -> Result<(), Gate> {
    let Some(ctx) = input.ctx else {
        return Err(gate(
            ids::rust::RT_BINARY,
            "no build context: the binary's name comes from Cargo.toml, which cannot be read (give the context folder)",
        ));
    };
    if let Some(cfg) = ctx
        .find(|n| n == "config.toml" || n == "config")
        .find(|p| p.starts_with(".cargo/") || p.contains("/.cargo/"))
    {
        return Err(gate(
            ids::rust::RT_BINARY,
            format!(
                "the build context has {cfg}, which may set the target, the target directory or the rustflags: where the binary lands and how it is linked cannot be shown"
            ),
        ));
    }
    let pkgs = packages(ctx).map_err(|why| gate(ids::rust::RT_BINARY, why))?;
    let builds = builds(input, &pkgs)?;
    let (bin, build) = match cargo_run(c, input, ctx, &pkgs, &builds)? {
        Some(found) => found,
        None => entry_binary(input, &builds)?,
    };
    let static_why = link_mode(&build, input.builder);
    c.static_binary = static_why.is_some();
    c.app_kind = Some(if c.static_binary {
        AppKind::StaticBinary
    } else {
        AppKind::DynamicBinary
    });
    match static_why {
        Some(why) => c.static_note = Some(why),
        None => {
            c.binary_note = Some(format!(
                "the binary links the C library dynamically (target {}; no musl target and no crt-static), so it needs glibc ({})",
                build.triple.as_deref().unwrap_or("of the builder"),
                ids::rust::BUILD
            ))
        }
    }
    // A binary the start command finds on PATH: $CARGO_HOME/bin is on the
    // rust images' PATH only, so it lands in /usr/local/bin, on every base's.
    let by_name = !input.entry.program().unwrap_or_default().contains('/') && c.start.is_none();
    let to = if by_name {
        format!("/usr/local/bin/{}", bin.rsplit('/').next().unwrap_or(&bin))
    } else {
        bin.clone()
    };
    c.copies.push(CopySpec {
        reason: if by_name {
            format!("the compiled binary the start command runs by name; {} is on the rust images' PATH only, so it goes to /usr/local/bin, which every base's PATH has", bin.rsplit_once('/').map_or("", |(d, _)| d))
        } else {
            "the compiled binary the start command runs".into()
        },
        from: bin,
        to,
        rule: if build.install {
            ids::rust::RT_INSTALLED_BINARY
        } else {
            ids::rust::RT_BINARY
        }
        .into(),
    });
    let sources: Vec<(&str, &str)> = ctx
        .contents
        .iter()
        .filter(|(p, _)| p.ends_with(".rs") && !p.starts_with("tests/") && !p.contains("/tests/"))
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    data_files(c, input, ctx, &pkgs, &sources)?;
    // TLS clients read the CA bundle (scratch must receive it).
    c.needs_ca_certs = ctx
        .contents
        .iter()
        .any(|(p, t)| p.ends_with("Cargo.toml") && TLS_CRATES.iter().any(|k| t.contains(k)));
    Ok(())
}

/// A package of the build context, from its Cargo.toml.
#[derive(Debug, Clone)]
struct Package {
    name: String,
    /// Its folder in the context (`""` at the root, `crates/api/` below).
    dir: String,
    /// Its binary targets.
    bins: Vec<String>,
    default_run: Option<String>,
}

/// The packages of the context: the root Cargo.toml's `[package]`, and its
/// `[workspace]` members (every Cargo.toml of the context in a member
/// folder). Why not, when the root Cargo.toml cannot be read.
fn packages(ctx: &Context) -> Result<Vec<Package>, String> {
    let Some(root) = ctx.text("Cargo.toml") else {
        return Err(
            "the build context has no readable Cargo.toml at its root, so the binary's name cannot be read"
                .into(),
        );
    };
    let root: toml::Table = root.parse().map_err(|e| {
        format!("Cargo.toml does not parse ({e}), so the binary's name cannot be read")
    })?;
    let mut out = Vec::new();
    if root.contains_key("package") {
        out.push(package(ctx, &root, "")?);
    }
    if let Some(members) = root
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
    {
        let globs: Vec<String> = members
            .iter()
            .filter_map(|m| m.as_str())
            .map(|m| m.trim_end_matches('/').to_string())
            .collect();
        for (path, text) in &ctx.contents {
            let Some(dir) = path.strip_suffix("/Cargo.toml") else {
                continue;
            };
            if !globs
                .iter()
                .any(|g| crate::rules::pattern::glob_match(g, dir))
            {
                continue;
            }
            let table: toml::Table = text
                .parse()
                .map_err(|e| format!("{path} does not parse ({e})"))?;
            out.push(package(ctx, &table, &format!("{dir}/"))?);
        }
    }
    if out.is_empty() {
        return Err("Cargo.toml names no package and no workspace member the context holds".into());
    }
    Ok(out)
}

/// One package: its name and binary targets (`[[bin]]` names, `src/main.rs`
/// under the package's name, `src/bin/*.rs` and `src/bin/*/main.rs`).
fn package(ctx: &Context, t: &toml::Table, dir: &str) -> Result<Package, String> {
    let pkg = t.get("package").and_then(|p| p.as_table());
    let Some(name) = pkg.and_then(|p| p.get("name")).and_then(|n| n.as_str()) else {
        return Err(format!(
            "{dir}Cargo.toml has no literal `[package] name`, so the binary's name cannot be read"
        ));
    };
    let autobins = pkg
        .and_then(|p| p.get("autobins"))
        .and_then(|a| a.as_bool())
        .unwrap_or(true);
    let mut bins: Vec<String> = Vec::new();
    let mut main_claimed = false;
    for b in t
        .get("bin")
        .and_then(|b| b.as_array())
        .into_iter()
        .flatten()
    {
        let path = b.get("path").and_then(|p| p.as_str());
        let bname = b.get("name").and_then(|n| n.as_str());
        match bname {
            Some(n) => bins.push(n.to_string()),
            None => return Err(format!("{dir}Cargo.toml has a [[bin]] without a name")),
        }
        if path.is_none_or(|p| p == "src/main.rs") && bname == Some(name)
            || path == Some("src/main.rs")
        {
            main_claimed = true;
        }
    }
    if autobins {
        if !main_claimed && ctx.has(&format!("{dir}src/main.rs")) && !bins.iter().any(|b| b == name)
        {
            bins.push(name.to_string());
        }
        let bin_dir = format!("{dir}src/bin/");
        for f in ctx.files.iter().filter_map(|f| f.strip_prefix(&bin_dir)) {
            let stem = match f.split_once('/') {
                Some((d, "main.rs")) => Some(d),
                None => f.strip_suffix(".rs"),
                _ => None,
            };
            if let Some(s) = stem
                && !bins.iter().any(|b| b == s)
            {
                bins.push(s.to_string());
            }
        }
    }
    Ok(Package {
        name: name.to_string(),
        dir: dir.to_string(),
        bins,
        default_run: pkg
            .and_then(|p| p.get("default-run"))
            .and_then(|d| d.as_str())
            .map(str::to_string),
    })
}

/// What a cargo command line says about the build, read from its words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Flags {
    /// Profile folder: `release`, `debug` or a custom profile's name.
    profile: String,
    triple: Option<String>,
    target_dir: Option<String>,
    packages: Vec<String>,
    bins: Vec<String>,
    /// Every flag that changes what is compiled, sorted (to compare a build
    /// with a `cargo run`).
    key: Vec<String>,
    /// `--path` of `cargo install`.
    path: Option<String>,
    root: Option<String>,
    /// Arguments for the program (`cargo run`).
    args: Vec<String>,
    /// The words before `--` or the program's arguments (`cargo run`).
    build_words: Vec<String>,
}

/// Options of `cargo build`/`run`/`install` that take a value.
const VALUE_FLAGS: &[&str] = &[
    "--bin",
    "-p",
    "--package",
    "--features",
    "-F",
    "--target",
    "--target-dir",
    "--profile",
    "-j",
    "--jobs",
    "--color",
    "--message-format",
    "--exclude",
    "--path",
    "--root",
    "--version",
    "--index",
    "--registry",
];

/// Options that change where the binary lands or what it is, beyond the
/// ones [`Flags`] reads: a command with one is not understood.
const UNREAD_FLAGS: &[&str] = &[
    "--manifest-path",
    "--config",
    "-Z",
    "--example",
    "--examples",
    "--git",
];

/// Reads the words of `cargo SUBCOMMAND …` after the subcommand. `run`:
/// positional words and those after `--` are the program's.
fn flags(words: &[String], run: bool) -> Result<Flags, String> {
    let mut f = Flags {
        profile: if run || !words.iter().any(|w| w == "install") {
            "debug".into()
        } else {
            "release".into()
        },
        ..Flags::default()
    };
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if w.contains("$?") {
            return Err(format!("`{w}` is not literal"));
        }
        if run && (w == "--" || !w.starts_with('-')) {
            let rest = if w == "--" {
                &words[i + 1..]
            } else {
                &words[i..]
            };
            f.args = rest.to_vec();
            if f.args.iter().any(|a| a.contains("$?")) {
                return Err("the program's arguments are not literal".into());
            }
            break;
        }
        f.build_words.push(w.clone());
        let (name, inline) = match w.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (w.as_str(), None),
        };
        if UNREAD_FLAGS.contains(&name) {
            return Err(format!("`{name}` is not read by this profile"));
        }
        let value = if VALUE_FLAGS.contains(&name) {
            match inline {
                Some(v) => Some(v),
                None => {
                    i += 1;
                    let v = words
                        .get(i)
                        .cloned()
                        .ok_or(format!("`{name}` has no value"))?;
                    f.build_words.push(v.clone());
                    Some(v)
                }
            }
        } else {
            None
        };
        match (name, value) {
            ("--release" | "-r", _) => f.profile = "release".into(),
            ("--debug", _) => f.profile = "debug".into(),
            ("--profile", Some(p)) => {
                f.profile = match p.as_str() {
                    "dev" | "test" => "debug".into(),
                    "bench" => "release".into(),
                    _ => p,
                }
            }
            ("--target", Some(t)) => f.triple = Some(t),
            ("--target-dir", Some(d)) => f.target_dir = Some(d),
            ("-p" | "--package", Some(p)) => f.packages.push(p),
            ("--bin", Some(b)) => f.bins.push(b),
            ("--path", Some(p)) => f.path = Some(p),
            ("--root", Some(r)) => f.root = Some(r),
            ("--features" | "-F", Some(v)) => f.key.push(format!("--features={v}")),
            (
                "--all-features" | "--no-default-features" | "--workspace" | "--all" | "--bins",
                _,
            ) => f.key.push(name.to_string()),
            _ => {}
        }
        i += 1;
    }
    f.key.push(format!("profile={}", f.profile));
    if let Some(t) = &f.triple {
        f.key.push(format!("target={t}"));
    }
    for p in &f.packages {
        f.key.push(format!("package={p}"));
    }
    for b in &f.bins {
        f.key.push(format!("bin={b}"));
    }
    f.key.sort();
    Ok(f)
}

/// A cargo build or `cargo install --path` of the Dockerfile.
#[derive(Debug, Clone)]
struct Build {
    install: bool,
    /// Absolute folder the binaries land in.
    dir: String,
    bins: Vec<String>,
    triple: Option<String>,
    /// RUSTFLAGS in force.
    rustflags: String,
    key: Vec<String>,
    workdir: String,
}

/// The words of a command after its program (`build --release …`).
fn words(cmd: &CmdInfo) -> Vec<String> {
    cmd.args
        .iter()
        .map(|a| a.clone().unwrap_or_else(|| "$?".into()))
        .collect()
}

/// An environment value for a command: its own assignment, else the ENV.
fn env<'a>(info: &'a StepInfo, cmd: Option<&'a CmdInfo>, name: &str) -> Option<&'a str> {
    cmd.and_then(|c| c.assignments.get(name))
        .or_else(|| info.env.get(name))
        .map(String::as_str)
}

/// Every `cargo build` and `cargo install --path` of the Dockerfile, with
/// where its binaries land.
fn builds(input: &Input, pkgs: &[Package]) -> Result<Vec<Build>, Gate> {
    let mut out = Vec::new();
    for info in input.infos {
        for cmd in info.commands() {
            let install = cmd.rule == ids::rust::INSTALL_PATH;
            if cmd.rule != ids::rust::BUILD && !install {
                continue;
            }
            let ws = words(cmd);
            let f = flags(&ws[1..], false).map_err(|why| {
                gate_at(
                    input.df,
                    info.item,
                    &cmd.rule,
                    format!(
                        "`{}`: {why}, so where the binary lands cannot be shown",
                        cmd.text
                    ),
                )
            })?;
            if !copies_manifest_to(input.df, input.infos, &info.workdir) {
                return Err(gate_at(
                    input.df,
                    info.item,
                    ids::rust::RT_BINARY,
                    format!(
                        "`{}` runs in {}, where no COPY puts the context's Cargo.toml, so the binary's name cannot be read",
                        cmd.text, info.workdir
                    ),
                ));
            }
            let selected: Vec<&Package> = if install {
                let dir = f.path.as_deref().unwrap_or(".");
                let dir = join_path("/", dir).trim_start_matches('/').to_string();
                let dir = if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                pkgs.iter().filter(|p| p.dir == dir).collect()
            } else if !f.packages.is_empty() {
                pkgs.iter()
                    .filter(|p| f.packages.contains(&p.name))
                    .collect()
            } else if f.key.iter().any(|k| k == "--workspace" || k == "--all") {
                pkgs.iter().collect()
            } else {
                // The root package, or every member of a virtual workspace.
                match pkgs.iter().find(|p| p.dir.is_empty()) {
                    Some(p) => vec![p],
                    None => pkgs.iter().collect(),
                }
            };
            if selected.is_empty() {
                return Err(gate_at(
                    input.df,
                    info.item,
                    ids::rust::RT_BINARY,
                    format!(
                        "`{}`: the package it builds is not among the context's Cargo.toml files",
                        cmd.text
                    ),
                ));
            }
            let all: Vec<String> = selected
                .iter()
                .flat_map(|p| p.bins.iter().cloned())
                .collect();
            let bins = if f.bins.is_empty() {
                all
            } else {
                f.bins.iter().filter(|b| all.contains(b)).cloned().collect()
            };
            let triple = f
                .triple
                .clone()
                .or_else(|| env(info, Some(cmd), "CARGO_BUILD_TARGET").map(str::to_string));
            let dir = if install {
                let root = f
                    .root
                    .clone()
                    .or_else(|| env(info, Some(cmd), "CARGO_INSTALL_ROOT").map(str::to_string))
                    .or_else(|| env(info, Some(cmd), "CARGO_HOME").map(str::to_string))
                    .unwrap_or_else(|| CARGO_HOME.to_string());
                join_path(&info.workdir, &format!("{root}/bin"))
            } else {
                let target = f
                    .target_dir
                    .clone()
                    .or_else(|| env(info, Some(cmd), "CARGO_TARGET_DIR").map(str::to_string))
                    .unwrap_or_else(|| "target".into());
                let mut d = join_path(&info.workdir, &target);
                if let Some(t) = &triple {
                    d = format!("{d}/{t}");
                }
                format!("{d}/{}", f.profile)
            };
            let rustflags = [
                env(info, Some(cmd), "RUSTFLAGS"),
                env(info, Some(cmd), "CARGO_BUILD_RUSTFLAGS"),
                env(info, Some(cmd), "CARGO_ENCODED_RUSTFLAGS"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            out.push(Build {
                install,
                dir,
                bins,
                triple,
                rustflags,
                key: f.key.clone(),
                workdir: info.workdir.clone(),
            });
        }
    }
    Ok(out)
}

/// Whether a COPY of the context's root (`.`) or of its Cargo.toml lands in
/// `workdir`, so the context's root Cargo.toml is the one cargo reads there.
fn copies_manifest_to(df: &Dockerfile, infos: &[StepInfo], workdir: &str) -> bool {
    infos.iter().any(|i| {
        let StepKind::CopyContext { sources, .. } = &i.kind else {
            return false;
        };
        let Some(Body::Copy { paths, .. }) = df.instruction_at(i.item).map(|x| &x.body) else {
            return false;
        };
        let Some(dest) = paths.last() else {
            return false;
        };
        let dest = join_path(
            &i.workdir,
            &crate::plan::steps::copy_word(df, i, &dest.value),
        );
        let root = sources.iter().any(|s| matches!(s.as_str(), "." | "./"));
        let manifest = sources
            .iter()
            .any(|s| s == "Cargo.toml" || s == "./Cargo.toml");
        let wd = join_path("/", workdir);
        (root && dest == wd) || (manifest && (dest == wd || dest == format!("{wd}/Cargo.toml")))
    })
}

/// The binary the start command runs, when it is not `cargo run`: by path
/// (`/app/target/release/app`, `./target/release/app`) or by name on PATH
/// (`cargo install`), with the build that writes it.
fn entry_binary(input: &Input, builds: &[Build]) -> Result<(String, Build), Gate> {
    let entry = input.entry;
    let prog = entry.program().unwrap_or_default();
    if builds.is_empty() {
        return Err(gate(
            ids::core::PREBUILT,
            "no `cargo build` or `cargo install --path` step: the binary is built elsewhere, or where it lands cannot be read",
        ));
    }
    let candidates =
        |b: &Build| -> Vec<String> { b.bins.iter().map(|n| format!("{}/{n}", b.dir)).collect() };
    let found = if prog.contains('/') {
        let path = join_path(&entry.workdir, prog);
        builds
            .iter()
            .rev()
            .find(|b| candidates(b).contains(&path))
            .map(|b| (path, b.clone()))
    } else {
        builds
            .iter()
            .rev()
            .filter(|b| {
                b.install
                    && (crate::plan::steps::PATH_DIRS.contains(&b.dir.as_str())
                        || b.dir == format!("{CARGO_HOME}/bin"))
            })
            .find(|b| b.bins.iter().any(|n| n == prog))
            .map(|b| (format!("{}/{prog}", b.dir), b.clone()))
    };
    found.ok_or_else(|| {
        let written: Vec<String> = builds.iter().flat_map(candidates).collect();
        gate(
            ids::rust::RT_BINARY,
            format!(
                "the start command runs `{prog}`, which is not a binary the build writes ({})",
                if written.is_empty() {
                    "the build writes no binary target of the context's packages".to_string()
                } else {
                    written.join(", ")
                }
            ),
        )
    })
}

/// A `cargo run` start command: the binary it would build and run, the
/// start command that runs it directly with the same arguments, and the
/// build the build stage must do when no step builds it the same way.
fn cargo_run(
    c: &mut Closure,
    input: &Input,
    ctx: &Context,
    pkgs: &[Package],
    builds: &[Build],
) -> Result<Option<(String, Build)>, Gate> {
    let (df, entry) = (input.df, input.entry);
    // Which instruction holds it, and its words after `cargo run`.
    let mut found = None;
    for (keyword, slot) in [("ENTRYPOINT", &entry.entrypoint), ("CMD", &entry.cmd)] {
        let Some((item, cmd)) = slot else { continue };
        let ws: Vec<String> = match cmd {
            Command::Exec(a) => a.iter().map(|a| a.value.clone()).collect(),
            Command::Shell(_) => match entry.commands.as_slice() {
                [one] => one.clone(),
                _ => Vec::new(),
            },
        };
        if ws.len() >= 2 && ws[0].rsplit('/').next() == Some("cargo") && ws[1] == "run" {
            found = Some((keyword, *item, cmd, ws));
            break;
        }
        if keyword == "ENTRYPOINT" {
            // An ENTRYPOINT that runs something else decides.
            break;
        }
    }
    let Some((keyword, item, cmd, ws)) = found else {
        return Ok(None);
    };
    let refuse = |why: String| gate_near(df, item, ids::rust::CARGO_RUN, why);
    if let Command::Shell(text) = cmd
        && text.value.contains([
            '$', '`', '>', '<', '|', '&', ';', '(', '\\', '*', '?', '"', '\'',
        ])
    {
        return Err(refuse(format!(
            "`{}` is a shell command with shell syntax (variables, redirections, quoting, operators), which the exec form of the binary would not keep",
            text.value.trim()
        )));
    }
    let f = flags(&ws[2..], true).map_err(|why| refuse(format!("`{}`: {why}", ws.join(" "))))?;
    if keyword == "ENTRYPOINT"
        && entry.cmd.is_some()
        && f.args.is_empty()
        && !ws.iter().any(|w| w == "--")
    {
        return Err(refuse(
            "the ENTRYPOINT runs `cargo run` and CMD adds words cargo would read as its own options, not the program's".into(),
        ));
    }
    let sources_read_cargo_env = ctx.contents.iter().any(|(p, t)| {
        p.ends_with(".rs") && (t.contains("var(\"CARGO") || t.contains("var_os(\"CARGO"))
    });
    if sources_read_cargo_env {
        return Err(refuse(
            "the sources read CARGO_* variables at run time, which `cargo run` sets for the program and the binary alone would not have".into(),
        ));
    }
    if !copies_manifest_to(df, input.infos, &entry.workdir) {
        return Err(refuse(format!(
            "`cargo run` runs in {}, where no COPY puts the context's Cargo.toml, so the binary's name cannot be read",
            entry.workdir
        )));
    }
    // The package and the binary cargo run picks.
    let pkg = match f.packages.as_slice() {
        [] => pkgs.iter().find(|p| p.dir.is_empty()),
        [one] => pkgs.iter().find(|p| &p.name == one),
        _ => None,
    };
    let Some(pkg) = pkg else {
        return Err(refuse(
            "`cargo run` names no package of the context (a virtual workspace needs -p), so which binary it runs cannot be read".into(),
        ));
    };
    let bin = match (f.bins.as_slice(), &pkg.default_run, pkg.bins.as_slice()) {
        ([b], _, _) if pkg.bins.contains(b) => b.clone(),
        ([], Some(d), _) if pkg.bins.contains(d) => d.clone(),
        ([], None, [only]) => only.clone(),
        _ => {
            return Err(refuse(format!(
                "which binary `cargo run` runs cannot be read: package `{}` has {} ({})",
                pkg.name,
                if pkg.bins.is_empty() {
                    "no binary target".to_string()
                } else {
                    format!("binaries {}", pkg.bins.join(", "))
                },
                "name one with --bin or `default-run`"
            )));
        }
    };
    let last = input
        .infos
        .iter()
        .rev()
        .find(|i| i.keyword == Keyword::Cmd || i.keyword == Keyword::Entrypoint);
    let info = last.unwrap_or(&input.infos[0]);
    let triple = f
        .triple
        .clone()
        .or_else(|| env(info, None, "CARGO_BUILD_TARGET").map(str::to_string));
    let target = f
        .target_dir
        .clone()
        .or_else(|| env(info, None, "CARGO_TARGET_DIR").map(str::to_string))
        .unwrap_or_else(|| "target".into());
    let mut dir = join_path(&entry.workdir, &target);
    if let Some(t) = &triple {
        dir = format!("{dir}/{t}");
    }
    dir = format!("{dir}/{}", f.profile);
    let path = format!("{dir}/{bin}");
    // A build of the same flags in the same folder already wrote it.
    let same = builds
        .iter()
        .rev()
        .find(|b| !b.install && b.workdir == entry.workdir && b.key == f.key && b.dir == dir);
    let rustflags = [
        env(info, None, "RUSTFLAGS"),
        env(info, None, "CARGO_BUILD_RUSTFLAGS"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let build = match same {
        Some(b) => b.clone(),
        None => {
            let mut command = vec!["cargo".to_string(), "build".to_string()];
            command.extend(f.build_words.iter().cloned());
            c.build_step = Some(PruneStep {
                command: command.join(" "),
                rule: ids::rust::CARGO_RUN.into(),
                reason: "`cargo run` compiled the program at every start; the build stage compiles it once, with the same options, and the runtime runs the result".into(),
            });
            Build {
                install: false,
                dir: dir.clone(),
                bins: vec![bin.clone()],
                triple,
                rustflags,
                key: f.key.clone(),
                workdir: entry.workdir.clone(),
            }
        }
    };
    // cargo runs the program by its path relative to the working directory
    // when the target folder is inside it (argv[0] is `target/release/app`),
    // and docker resolves a relative exec path against WORKDIR too.
    let prefix = format!("{}/", entry.workdir.trim_end_matches('/'));
    let argv0 = path
        .strip_prefix(&prefix)
        .map_or_else(|| path.clone(), str::to_string);
    let mut args = vec![argv0];
    args.extend(f.args.iter().cloned());
    c.start = Some(StartRewrite {
        item,
        keyword,
        args,
        rule: ids::rust::CARGO_RUN.into(),
        reason: format!(
            "`{}` builds (when needed) and runs `{path}` in the working directory, replacing itself with it (exec); the runtime has no cargo, so it runs that binary with the same arguments{}",
            ws.join(" "),
            if same.is_some() {
                ", which the build stage already compiles"
            } else {
                ""
            }
        ),
    });
    // The exec form needs no shell; a shell-form health check still does.
    if entry.shell_form {
        c.needs_shell = shell_health_check(df);
    }
    Ok(Some((path, build)))
}

/// Whether a HEALTHCHECK uses the shell form.
fn shell_health_check(df: &Dockerfile) -> bool {
    df.instructions().any(|i| {
        matches!(
            &i.body,
            Body::Health {
                health: crate::syntax::Health::Check {
                    command: Some(Command::Shell(_)),
                    ..
                }
            }
        )
    })
}

/// Why the build gives a static binary (musl target, crt-static, an Alpine
/// builder's musl host), or `None` when it links glibc dynamically.
fn link_mode(b: &Build, builder: &str) -> Option<String> {
    let minus = b.rustflags.contains("-crt-static");
    if b.rustflags.contains("+crt-static") {
        return Some(format!(
            "RUSTFLAGS asks for `-C target-feature=+crt-static`, so the C library is linked in and the binary is static ({})",
            ids::rust::BUILD
        ));
    }
    if minus {
        return None;
    }
    match &b.triple {
        Some(t) if t.contains("musl") => Some(format!(
            "built for `{t}`, whose C library (musl) is linked in statically by default, so the binary is static ({})",
            ids::rust::BUILD
        )),
        Some(_) => None,
        None if builder.contains("alpine") => Some(format!(
            "`{builder}` compiles for musl, which Rust links in statically by default, so the binary is static ({})",
            ids::rust::BUILD
        )),
        None => None,
    }
}

/// When the sources open files, the files of the build context that are
/// not cargo's build input come along to where the app finds them (the
/// COPYs that brought them), with the folders the setup creates there; a
/// gate when that cannot be shown.
fn data_files(
    c: &mut Closure,
    input: &Input,
    ctx: &Context,
    pkgs: &[Package],
    sources: &[(&str, &str)],
) -> Result<(), Gate> {
    let reads = sources.iter().find_map(|(p, t)| {
        FILE_CALLS
            .iter()
            .find(|call| t.contains(*call))
            .map(|call| (*p, *call))
    });
    let Some((file, call)) = reads else {
        return Ok(());
    };
    let df = input.df;
    let workdir = &input.entry.workdir;
    if workdir == "/" {
        return Err(gate(
            ids::core::WORKDIR_ROOT,
            format!(
                "{file} opens files (`{call}`) and the working directory is /; what the binary reads cannot be told apart from the image"
            ),
        ));
    }
    let member_dirs: Vec<&str> = pkgs
        .iter()
        .filter(|p| !p.dir.is_empty())
        .map(|p| p.dir.trim_end_matches('/'))
        .collect();
    let mut carried: Vec<(String, String)> = Vec::new();
    for info in input.infos {
        let StepKind::CopyContext {
            manifests_only: false,
            sources: srcs,
        } = &info.kind
        else {
            continue;
        };
        let Some(Body::Copy { paths, .. }) = df.instruction_at(info.item).map(|x| &x.body) else {
            continue;
        };
        let Some(dest) = paths.last() else { continue };
        let dest = join_path(
            &info.workdir,
            &crate::plan::steps::copy_word(df, info, &dest.value),
        );
        for s in srcs {
            let s = s.trim_start_matches("./").trim_end_matches('/');
            if s.contains(['*', '?', '[', '$']) {
                return Err(gate_at(
                    df,
                    info.item,
                    ids::rust::DATA_FILES,
                    format!(
                        "{file} opens files (`{call}`), and this COPY's source `{s}` is a pattern: which files the binary reads cannot be shown"
                    ),
                ));
            }
            let entries: Vec<String> = if s.is_empty() || s == "." {
                let mut top: Vec<String> = ctx
                    .files
                    .iter()
                    .map(|f| f.split('/').next().unwrap_or(f).to_string())
                    .collect();
                top.dedup();
                top.into_iter()
                    .map(|t| (t.clone(), format!("{dest}/{t}")))
                    .map(|(t, _)| t)
                    .collect()
            } else {
                vec![s.to_string()]
            };
            let single = !(s.is_empty() || s == ".");
            for e in entries {
                let name = e.rsplit('/').next().unwrap_or(&e);
                if BUILD_INPUTS.contains(&name)
                    || name.starts_with("Dockerfile")
                    || name.ends_with(".rs")
                {
                    continue;
                }
                if member_dirs
                    .iter()
                    .any(|m| *m == e || m.starts_with(&format!("{e}/")))
                {
                    let extra = ctx.files.iter().find(|f| {
                        f.starts_with(&format!("{e}/"))
                            && !f.ends_with(".rs")
                            && !f.ends_with("Cargo.toml")
                    });
                    if let Some(x) = extra {
                        return Err(gate(
                            ids::rust::DATA_FILES,
                            format!(
                                "{file} opens files (`{call}`), and the workspace folder {e} holds {x} beside the crates' sources: which of its files the binary reads cannot be shown"
                            ),
                        ));
                    }
                    continue;
                }
                let to = if single
                    && !dest.ends_with('/')
                    && paths.len() == 2
                    && !is_dir_dest(&paths.last().map(|p| p.value.clone()).unwrap_or_default())
                {
                    dest.clone()
                } else {
                    format!("{}/{name}", dest.trim_end_matches('/'))
                };
                if !carried.iter().any(|(_, t)| *t == to) {
                    carried.push((e.clone(), to));
                }
            }
        }
    }
    // Folders the setup makes in the working directory (`mkdir data`).
    for info in input.infos {
        for cmd in info.commands() {
            if cmd.program.as_deref() != Some("mkdir") {
                continue;
            }
            for a in cmd.args.iter().flatten().filter(|a| !a.starts_with('-')) {
                let abs = join_path(&info.workdir, a);
                if !carried
                    .iter()
                    .any(|(_, t)| *t == abs || abs.starts_with(&format!("{t}/")))
                    && !abs.contains("/src")
                    && !abs.contains("/target")
                {
                    carried.push((a.clone(), abs));
                }
            }
        }
    }
    if carried.is_empty() {
        c.warnings.push(Warning::new(
            ids::rust::DATA_FILES,
            format!("{file} opens files (`{call}`), and the build context has nothing beside the sources and manifests to carry"),
        ));
    }
    for (_, to) in carried {
        c.copies.push(CopySpec {
            from: to.clone(),
            to,
            rule: ids::rust::DATA_FILES.into(),
            reason: format!("{file} opens files at run time (`{call}`), and this is not cargo's build input, so it comes along"),
        });
    }
    Ok(())
}

/// Whether a COPY destination as written names a folder (`./`, `/app/`).
fn is_dir_dest(d: &str) -> bool {
    d.ends_with('/') || d == "." || d == ".."
}

pub(crate) struct Rust;

impl super::Language for Rust {
    fn closure(&self, c: &mut Closure, i: &super::Input) -> Result<(), Gate> {
        rust(c, i)
    }
    fn stage_kind(&self, _: &mut Closure, _: Option<&Context>) -> AppKind {
        AppKind::DynamicBinary
    }
}
