//! uv's project environment (`.venv`): accepted only when uv is shown to
//! use the image's own interpreter (the project's `requires-python` against
//! the builder's version).

use crate::model::{Context, join_path};
use crate::plan::facts::gate_at;
use crate::plan::steps::{CmdInfo, StepInfo, StepKind};
use crate::plan::types::Gate;
use crate::syntax::{Body, Dockerfile};

/// Where `uv sync` puts the project environment, when it is shown to use
/// the image's own interpreter: a venv linked to an interpreter uv
/// downloaded (into root's home) would not run in the runtime stage.
pub(super) fn uv_project_env(
    df: &Dockerfile,
    infos_before: &[StepInfo],
    info: &StepInfo,
    cmd: &CmdInfo,
    ctx: Option<&Context>,
    builder: &str,
) -> Result<(String, String), Gate> {
    let fail = |why: String| gate_at(df, info.item, &cmd.rule, why);
    let env = |k: &str| info.env.get(k).or_else(|| cmd.assignments.get(k));
    no_interpreter_choice(cmd, env).map_err(fail)?;
    let Some(ctx) = ctx else {
        return Err(fail(
            "without a build context, uv's Python requirement cannot be checked against the image's Python, and an interpreter uv downloads would not be in the runtime".into(),
        ));
    };
    let Some(image_python) = python_version_of(builder) else {
        return Err(fail(format!(
            "the tag of `{builder}` does not say which Python minor version it holds, so uv's Python requirement cannot be checked against it"
        )));
    };
    let dir = info.workdir.trim_end_matches('/');
    // The files checked below are the context's own: the project must come
    // from the context root into the directory uv runs in.
    if !project_from_context_root(df, infos_before, dir) {
        return Err(fail(format!(
            "uv's project files do not come from the context root into {dir}, so the pyproject.toml and .python-version uv reads cannot be checked"
        )));
    }
    for file in [".python-version", "pyproject.toml", "uv.toml"] {
        if ctx.has(file) && ctx.text(file).is_none() {
            return Err(fail(format!("{file} could not be read")));
        }
    }
    project_accepts(ctx, &image_python).map_err(fail)?;
    let venv = match env("UV_PROJECT_ENVIRONMENT") {
        Some(v) => join_path(dir, v),
        None => format!("{dir}/.venv"),
    };
    let why = match ctx.text("pyproject.toml").and_then(requires_python) {
        Some(spec) => format!(
            "it links to the image's own Python {image_python}, which requires-python `{spec}` allows, so uv downloads no interpreter"
        ),
        None => format!(
            "it links to the image's own Python {image_python}: the project asks for no other, so uv downloads no interpreter"
        ),
    };
    Ok((venv, why))
}

/// The `uv sync` command line and environment (`env`) leave the choice of
/// interpreter and project to uv's defaults: no `--python`, `-p`,
/// `--managed-python`, `--project`, `--directory`, `UV_PYTHON` … ; else why.
fn no_interpreter_choice<'a>(
    cmd: &CmdInfo,
    env: impl Fn(&str) -> Option<&'a String>,
) -> Result<(), String> {
    if let Some(flag) = cmd.args.iter().flatten().find(|a| {
        // -p, -p3.13, -p=3.13, --python…, --python-preference…
        a.starts_with("-p") && !a.starts_with("--")
            || a.starts_with("--python")
            || a.starts_with("--managed-python")
            || a.starts_with("--no-managed-python")
    }) {
        return Err(format!(
            "`uv sync {flag}` may pick or download another interpreter than the image's, which the runtime base would not have"
        ));
    }
    if let Some(flag) = cmd
        .args
        .iter()
        .flatten()
        .find(|a| a.starts_with("--project") || a.starts_with("--directory"))
    {
        return Err(format!(
            "`uv sync {flag}` works on a project elsewhere than the directory the app starts in"
        ));
    }
    for k in ["UV_PYTHON", "UV_MANAGED_PYTHON", "UV_PYTHON_PREFERENCE"] {
        if env(k).is_some() {
            return Err(format!(
                "{k} may make uv pick or download another interpreter than the image's, which the runtime base would not have"
            ));
        }
    }
    Ok(())
}

/// The project's own files accept the image's Python (`image_python`, a
/// minor version): `.python-version`, uv's `python-preference` (in
/// pyproject.toml's `[tool.uv]` or uv.toml) and `requires-python`; else why
/// uv may download another interpreter.
fn project_accepts(ctx: &Context, image_python: &str) -> Result<(), String> {
    if let Some(pinned) = ctx.text(".python-version") {
        let want = pinned
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'));
        // A patch level (3.11.9) or an implementation name asks for exactly
        // that, which the tag does not promise.
        if want.is_some_and(|w| w != image_python) {
            return Err(format!(
                ".python-version asks for Python {}, the image's tag promises {image_python}: uv may download an interpreter the runtime would not have",
                want.unwrap_or_default()
            ));
        }
    }
    // uv's own settings: an interpreter preference other than the system's.
    let pyproject_uv = ctx.text("pyproject.toml").map(|t| toml_table(t, "tool.uv"));
    for (file, text) in [
        ("pyproject.toml [tool.uv]", pyproject_uv.as_deref()),
        ("uv.toml", ctx.text("uv.toml")),
    ] {
        if let Some(pref) = text.and_then(|t| toml_value(t, "python-preference"))
            && !matches!(pref.as_str(), "system" | "only-system")
        {
            return Err(format!(
                "{file} sets python-preference = \"{pref}\": uv may use or download an interpreter the runtime would not have"
            ));
        }
    }
    if let Some(spec) = ctx.text("pyproject.toml").and_then(requires_python) {
        match python_satisfies(&spec, image_python) {
            Some(true) => {}
            Some(false) => {
                return Err(format!(
                    "requires-python `{spec}` excludes the image's Python {image_python}: uv would download an interpreter the runtime would not have"
                ));
            }
            None => {
                return Err(format!(
                    "requires-python `{spec}` cannot be checked against the image's Python {image_python}"
                ));
            }
        }
    }
    Ok(())
}

/// `3.12` from `python:3.12-slim`, `python:3.12.4`; `None` for `python:3`.
fn python_version_of(image: &str) -> Option<String> {
    let tag = crate::rules::pattern::ImageRef::parse(image).tag?;
    // uv's images name the Python after `python`: `python3.12-bookworm-slim`.
    let tag = match tag.find("python") {
        Some(at) => tag[at + "python".len()..].to_string(),
        None => tag,
    };
    let mut parts = tag.split(|c: char| !c.is_ascii_digit() && c != '.');
    let version = parts.next()?;
    let mut nums = version.split('.');
    let (major, minor) = (nums.next()?, nums.next()?);
    (!major.is_empty() && !minor.is_empty()).then(|| format!("{major}.{minor}"))
}

/// The `requires-python` value of a pyproject.toml's `[project]` table.
fn requires_python(pyproject: &str) -> Option<String> {
    toml_value(&toml_table(pyproject, "project"), "requires-python")
}

/// The lines of one `[table]` of a TOML file (keys and values only, enough
/// for the few string settings read here).
fn toml_table(text: &str, table: &str) -> String {
    let header = format!("[{table}]");
    let mut inside = false;
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            inside = t == header;
            continue;
        }
        if inside {
            out.push_str(t);
            out.push('\n');
        }
    }
    out
}

/// A `key = "value"` of a TOML fragment, quotes and comment removed.
fn toml_value(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix(key)?;
        let value = rest.trim_start().strip_prefix('=')?.trim();
        let value = value.split('#').next().unwrap_or(value).trim();
        Some(value.trim_matches(|c| c == '"' || c == '\'').to_string())
    })
}

/// Whether a COPY/ADD before the step brings `pyproject.toml` from the
/// context root into `dir` (`COPY . .`, `COPY pyproject.toml uv.lock ./`).
fn project_from_context_root(df: &Dockerfile, before: &[StepInfo], dir: &str) -> bool {
    before.iter().any(|i| {
        let StepKind::CopyContext { sources, .. } = &i.kind else {
            return false;
        };
        let Some(Body::Copy { paths, .. }) = df.instruction_at(i.item).map(|x| &x.body) else {
            return false;
        };
        let Some(dest) = paths.last() else {
            return false;
        };
        // BuildKit expands ENV and ARG values in a COPY destination.
        let into = join_path(
            &i.workdir,
            &crate::model::expand(&dest.value, &i.env, df.escape),
        );
        let from_root = sources.iter().any(|s| {
            matches!(
                s.trim_start_matches("./").trim_end_matches('/'),
                "" | "." | "pyproject.toml"
            )
        });
        from_root && into.trim_end_matches('/') == dir
    })
}

/// Whether every version `minor` (`3.12`, any patch level) satisfies the
/// PEP 440 specifier set; `None` when that cannot be told (a clause on a
/// patch level, an unknown operator).
fn python_satisfies(spec: &str, minor: &str) -> Option<bool> {
    let parse =
        |v: &str| -> Option<Vec<u32>> { v.trim().split('.').map(|p| p.parse().ok()).collect() };
    let have = parse(minor)?;
    let mut all = true;
    for clause in spec.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let op_len = clause
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(clause.len());
        let (op, version) = (clause[..op_len].trim(), clause[op_len..].trim());
        let (version, wildcard) = match version.strip_suffix(".*") {
            Some(v) => (v, true),
            None => (version, false),
        };
        let want = parse(version)?;
        if want.is_empty() || want.len() > 2 {
            // A patch level: `3.12` says nothing about it.
            return None;
        }
        use std::cmp::Ordering::*;
        // Versions compare zero-padded: 3.12.4 > 3.12, so a bound equal to
        // the minor itself is only decided by the patch level.
        let cmp = have.as_slice().cmp(&want[..]);
        let ok = match (op, wildcard) {
            (">=", false) => cmp != Less,
            (">", false) => match cmp {
                Greater => true,
                Equal => return None,
                Less => false,
            },
            ("<", false) => cmp == Less,
            ("<=", false) => match cmp {
                Less => true,
                Equal => return None,
                Greater => false,
            },
            ("==", true) => have.starts_with(&want),
            ("!=", true) => !have.starts_with(&want),
            ("~=", false) if want.len() == 2 => cmp != Less && have[0] == want[0],
            _ => return None,
        };
        all &= ok;
    }
    Some(all)
}

#[cfg(test)]
mod tests {
    use super::{python_satisfies, python_version_of, requires_python};

    #[test]
    fn python_minor_from_the_tag() {
        assert_eq!(python_version_of("python:3.12").as_deref(), Some("3.12"));
        assert_eq!(
            python_version_of("python:3.12-slim-bookworm").as_deref(),
            Some("3.12")
        );
        assert_eq!(
            python_version_of("python:3.11.9-slim").as_deref(),
            Some("3.11")
        );
        assert_eq!(
            python_version_of("docker.io/library/python:3.13").as_deref(),
            Some("3.13")
        );
        // A tag without a minor version says nothing about it.
        assert_eq!(python_version_of("python:3"), None);
        assert_eq!(python_version_of("python:3-slim"), None);
        assert_eq!(python_version_of("python:slim"), None);
        assert_eq!(python_version_of("python"), None);
    }

    #[test]
    fn requires_python_is_read_from_the_project_table() {
        let toml = "[tool.x]\nrequires-python = \"nope\"\n\n[project]\nname = \"a\"\nrequires-python = \">=3.11,<3.14\"  # comment\n[build-system]\n";
        assert_eq!(requires_python(toml).as_deref(), Some(">=3.11,<3.14"));
        assert_eq!(requires_python("[project]\nname = \"a\"\n"), None);
        assert_eq!(
            requires_python("[project]\nrequires-python='~=3.12'\n").as_deref(),
            Some("~=3.12")
        );
    }

    #[test]
    fn specifiers_against_a_minor_version() {
        let ok = |spec, v| python_satisfies(spec, v);
        assert_eq!(ok(">=3.11", "3.12"), Some(true));
        assert_eq!(ok(">=3.11", "3.11"), Some(true));
        assert_eq!(ok(">=3.12", "3.11"), Some(false));
        assert_eq!(ok(">=3.11,<3.13", "3.12"), Some(true));
        assert_eq!(ok(">=3.11,<3.13", "3.13"), Some(false));
        assert_eq!(ok("<3.12", "3.11"), Some(true));
        assert_eq!(ok("<3.12", "3.12"), Some(false));
        assert_eq!(ok("~=3.11", "3.13"), Some(true));
        assert_eq!(ok("~=3.11", "3.10"), Some(false));
        assert_eq!(ok("==3.12.*", "3.12"), Some(true));
        assert_eq!(ok("==3.12.*", "3.11"), Some(false));
        assert_eq!(ok("!=3.11.*", "3.11"), Some(false));
        assert_eq!(ok(">=3", "3.11"), Some(true));
        assert_eq!(ok("<4", "3.11"), Some(true));
        // The patch level decides, and `3.12` does not say it.
        assert_eq!(ok(">=3.12.4", "3.12"), None);
        assert_eq!(ok(">3.12", "3.12"), None);
        assert_eq!(ok(">3.12", "3.13"), Some(true));
        assert_eq!(ok("<=3.12", "3.12"), None);
        assert_eq!(ok("<=3.12", "3.11"), Some(true));
        assert_eq!(ok("==3.12", "3.12"), None);
        // Not PEP 440 (poetry's caret), or unknown operators.
        assert_eq!(ok("^3.11", "3.12"), None);
        assert_eq!(ok("===3.12", "3.12"), None);
    }
}
