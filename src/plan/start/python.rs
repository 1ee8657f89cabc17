//! `poetry run X`, `pipenv run X`, `uv run X` → `X` from the environment
//! the build made: the project environment in the app's folder put first on
//! PATH (uv's `.venv`, an in-project poetry or pipenv venv), or the venv
//! dfsplit creates and activates for poetry and pipenv.

use super::{Plan, Tool, shown};
use crate::plan::rule_ids as ids;
use crate::plan::steps::CmdKind;

/// `uv run` options that only steer whether it syncs first.
const UV_FLAGS: &[&str] = &[
    "--frozen",
    "--locked",
    "--no-sync",
    "--offline",
    "--no-dev",
    "-q",
    "--quiet",
];

pub(super) fn translate(t: &Tool) -> Result<Plan, String> {
    let words = t.words;
    let tool = words.first().map(String::as_str).unwrap_or("");
    if words.get(1).map(String::as_str) != Some("run") {
        return Err("the start command is not `… run X` itself".into());
    }
    let mut i = 2;
    while let Some(w) = words.get(i).filter(|w| w.starts_with('-')) {
        if tool == "uv" && UV_FLAGS.contains(&w.as_str()) {
            i += 1;
            continue;
        }
        return Err(format!(
            "`{tool} run {w}` changes what runs or with which packages, which the runtime would not repeat"
        ));
    }
    let command = &words[i..];
    let Some(program) = command.first() else {
        return Err(format!("`{tool} run` names no command"));
    };
    if program.contains('/') && !program.ends_with(".py") {
        return Err(format!(
            "`{program}` is a path, not a command the environment provides"
        ));
    }
    let mut argv: Vec<String> = command.to_vec();
    if tool == "uv" && program.ends_with(".py") {
        // `uv run app.py` runs the script with the environment's Python.
        argv.insert(0, "python".into());
    } else if program.ends_with(".py") {
        return Err(format!("`{tool} run {program}` runs a file, not a command"));
    }
    let (env, how) = environment(tool, t)?;
    let mut warnings = Vec::new();
    let run = shown(words);
    if tool == "uv" && !words[2..i].iter().any(|w| w == "--no-sync") {
        warnings.push(format!(
            "`{run}` synced the environment with uv.lock at every start (installing what was missing, over the network; `--frozen` only keeps the lock file as it is); the runtime runs `{}` from the environment the build made",
            argv[0]
        ));
    }
    Ok(Plan {
        argv,
        build: None,
        env: env.map(|e| format!("VIRTUAL_ENV={e} PATH=\"{e}/bin:$PATH\"")),
        rule: ids::python::START_TOOL_ENV,
        reason: format!(
            "`{run}` only looked `{}` up in the project's environment and started it; {how}, so the runtime starts it directly, in the same working directory, as PID 1 (exec form)",
            command[0]
        ),
        warnings,
    })
}

/// The environment the tool runs the command in: a project environment
/// (`Some(path)`, put first on PATH), or none when the packages go into the
/// venv dfsplit activates (or the system site), which is on PATH already;
/// with the words that say so.
fn environment(tool: &str, t: &Tool) -> Result<(Option<String>, String), String> {
    let app = t.workdir.trim_end_matches('/');
    let install = t
        .infos
        .iter()
        .flat_map(|i| i.commands().iter().map(move |c| (i, c)))
        .rfind(|(_, c)| {
            matches!(c.kind, CmdKind::Profile { .. })
                && match tool {
                    "uv" => c.rule == ids::python::UV_SYNC || c.rule == ids::python::UV_SYNC_PROD,
                    "poetry" => {
                        c.rule == ids::python::POETRY_INSTALL
                            || c.rule == ids::python::POETRY_INSTALL_PROD
                    }
                    "pipenv" => c.rule == ids::python::PIPENV_INSTALL,
                    _ => false,
                }
        });
    let Some((info, cmd)) = install else {
        return Err(format!(
            "no `{tool}` install step writes the environment `{tool} run` uses, so it would be made at start"
        ));
    };
    if info.workdir.trim_end_matches('/') != app {
        return Err(format!(
            "the environment is installed in {}, but the app starts in {app}",
            info.workdir
        ));
    }
    let env = |k: &str| cmd.assignments.get(k).or_else(|| info.env.get(k)).cloned();
    let truthy = |v: Option<String>| {
        v.is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
    };
    match tool {
        "uv" => {
            let path = match env("UV_PROJECT_ENVIRONMENT") {
                Some(p) => crate::model::join_path(app, &p),
                None => format!("{app}/.venv"),
            };
            Ok((
                Some(path.clone()),
                format!("`uv sync` wrote that environment, {path}, at build time"),
            ))
        }
        "poetry" => {
            let in_project = truthy(env("POETRY_VIRTUALENVS_IN_PROJECT"))
                || t.ctx
                    .and_then(|c| c.text("poetry.toml"))
                    .is_some_and(|s| s.replace(' ', "").contains("in-project=true"));
            if in_project {
                Ok((
                    Some(format!("{app}/.venv")),
                    format!("poetry keeps it in the project, {app}/.venv"),
                ))
            } else {
                Ok((
                    None,
                    "poetry installs into the active virtual environment, which is first on PATH"
                        .into(),
                ))
            }
        }
        _ => {
            if truthy(env("PIPENV_VENV_IN_PROJECT")) {
                Ok((
                    Some(format!("{app}/.venv")),
                    format!("pipenv keeps it in the project, {app}/.venv"),
                ))
            } else {
                Ok((
                    None,
                    "pipenv installs into the active virtual environment (or the system site), which is first on PATH".into(),
                ))
            }
        }
    }
}
