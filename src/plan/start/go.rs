//! `go run PACKAGE ARGS` → `go build -o BIN PACKAGE` in the build stage and
//! `BIN ARGS` as the start command.

use super::{Plan, Tool, shown};

/// Build flags of `go run` that take a value and mean the same to `go build`.
const VALUE_FLAGS: &[&str] = &["tags", "ldflags", "gcflags", "asmflags", "mod", "p"];
/// Build flags without a value that mean the same to `go build`.
const BOOL_FLAGS: &[&str] = &["a", "race", "msan", "asan", "trimpath", "v"];
/// Flags whose value is given with `=` only.
const EQ_FLAGS: &[&str] = &["buildvcs"];

pub(super) fn translate(t: &Tool) -> Result<Plan, String> {
    let words = t.words;
    if words.len() < 2 || words[0] != "go" || words[1] != "run" {
        return Err("the start command is not `go run …` itself".into());
    }
    let (flags, rest) = build_flags(&words[2..])?;
    let (packages, args) = packages(rest, t)?;
    let name = binary_name(&packages, t)?;
    let path = output_path(&name, t);
    let mut build = vec!["go".to_string(), "build".to_string()];
    build.extend(flags.iter().cloned());
    build.extend(["-o".to_string(), path.clone()]);
    build.extend(packages.iter().cloned());
    let mut argv = vec![path.clone()];
    argv.extend(args.iter().cloned());
    let run = shown(words);
    Ok(Plan {
        argv,
        build: Some(build.clone()),
        env: None,
        rule: crate::plan::rule_ids::go::START_GO_BUILD,
        reason: format!(
            "`{run}` compiled the app at every start; the build stage compiles the same package{} once (`{}`), and the runtime starts the binary with the same arguments in the same working directory, as PID 1 (exec form), so it receives the stop signal itself",
            if flags.is_empty() {
                String::new()
            } else {
                " with the same flags".to_string()
            },
            shown(&build)
        ),
        warnings: Vec::new(),
    })
}

/// The build flags before the package, and the words after them; any flag
/// that is not a build flag `go build` reads the same way is refused.
fn build_flags(words: &[String]) -> Result<(Vec<String>, &[String]), String> {
    let mut flags = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let Some(bare) = w.strip_prefix("--").or_else(|| w.strip_prefix('-')) else {
            break;
        };
        let (name, value) = match bare.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (bare, None),
        };
        if VALUE_FLAGS.contains(&name) {
            flags.push(w.clone());
            if value.is_none() {
                let v = words
                    .get(i + 1)
                    .ok_or_else(|| format!("`-{name}` has no value"))?;
                flags.push(v.clone());
                i += 1;
            }
        } else if BOOL_FLAGS.contains(&name) || EQ_FLAGS.contains(&name) && value.is_some() {
            flags.push(w.clone());
        } else {
            return Err(format!(
                "`go run {w}` is not a build flag `go build` reads the same way"
            ));
        }
        i += 1;
    }
    Ok((flags, &words[i..]))
}

/// The package `go run` builds (one import path, or a list of .go files)
/// and the app's arguments after it. Only packages of the main module are
/// translated: a path relative to the working directory, the module's own
/// import path, or files.
fn packages<'a>(words: &'a [String], t: &Tool) -> Result<(Vec<String>, &'a [String]), String> {
    let Some(first) = words.first() else {
        return Err("`go run` names no package".into());
    };
    if first.ends_with(".go") {
        let n = words.iter().take_while(|w| w.ends_with(".go")).count();
        if words[..n].iter().any(|w| w.contains('*')) {
            return Err("the Go files are named by a pattern".into());
        }
        return Ok((words[..n].to_vec(), &words[n..]));
    }
    if first.contains('@') {
        return Err(format!(
            "`{first}` names a module version, which `go run` downloads at start"
        ));
    }
    if first.contains("...") {
        return Err(format!("`{first}` is a pattern, not one package"));
    }
    let module = module_path(t);
    let local = first == "." || first.starts_with("./") || first.starts_with("../");
    let own = module
        .as_deref()
        .is_some_and(|m| first == m || first.starts_with(&format!("{m}/")));
    if !local && !own {
        return Err(format!(
            "`{first}` is not shown to be a package of the module in the context"
        ));
    }
    Ok((vec![first.clone()], &words[1..]))
}

/// The module path in go.mod, when the context has it.
fn module_path(t: &Tool) -> Option<String> {
    let text = t.ctx?.text("go.mod")?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix("module "))
        .map(|m| m.trim().trim_matches('"').to_string())
}

/// The binary's name: as `go build` names it (the package's last path
/// element, the module's for `.`, the first file's stem for files).
fn binary_name(packages: &[String], t: &Tool) -> Result<String, String> {
    let first = &packages[0];
    let name = if let Some(stem) = first.strip_suffix(".go") {
        stem.rsplit('/').next().unwrap_or(stem).to_string()
    } else {
        let trimmed = first.trim_end_matches('/');
        match trimmed.rsplit('/').next() {
            Some(".") | Some("..") | Some("") | None => module_path(t)
                .and_then(|m| m.rsplit('/').next().map(str::to_string))
                .unwrap_or_else(|| "app".into()),
            Some(last) => last.to_string(),
        }
    };
    let ok = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    if name.is_empty() || !name.chars().all(ok) || name.starts_with('.') {
        return Err(format!(
            "the binary's name `{name}` is not a plain file name"
        ));
    }
    Ok(name)
}

/// Where the binary goes: beside the sources in the working directory when
/// the context shows nothing there by that name, else /usr/local/bin.
fn output_path(name: &str, t: &Tool) -> String {
    let free = t.ctx.is_some_and(|c| {
        !c.files
            .iter()
            .any(|f| f == name || f.starts_with(&format!("{name}/")))
    });
    if free && t.workdir != "/" {
        format!("{}/{name}", t.workdir.trim_end_matches('/'))
    } else {
        format!("/usr/local/bin/{name}")
    }
}
