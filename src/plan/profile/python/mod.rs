//! Python: the application directory and the virtual environment the
//! dependencies are installed into (created here, or the project manager's
//! own, or uv's project `.venv` when uv uses the image's interpreter).

mod uv;

use crate::model::Context;
use crate::plan::entry::Entry;
use crate::plan::facts::{
    gate, gate_at, gate_near, line_of, push_copy, runs_as_non_root, sources_outside,
};
use crate::plan::rule_ids as ids;
use crate::plan::steps::{CmdInfo, StepInfo, StepKind};
use crate::plan::types::{Closure, CopySpec, Gate, Venv, Warning};
use crate::rules::AppKind;
use crate::syntax::Dockerfile;
use uv::uv_project_env;

fn python(
    c: &mut Closure,
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
    builder: &str,
) -> Result<(), Gate> {
    c.app_kind = Some(AppKind::PythonApp);
    c.same_family = true;
    let app = entry.workdir.clone();
    if app == "/" {
        return Err(gate(
            ids::core::WORKDIR_ROOT,
            "the app lives in /, so what belongs to it cannot be told apart from the image",
        ));
    }
    // Django's development server needs Django and the app, both of which
    // the runtime has: the split is safe; that it is not a production
    // server is the original's choice, so it is said, not changed.
    if let Some(argv) = entry.commands.iter().find(|w| is_django_runserver(w)) {
        let message = format!(
            "`{}` starts Django's development server, which Django's documentation says not to use in production; the runtime keeps it as the original had it (a WSGI or ASGI server such as gunicorn is the production choice)",
            argv.join(" ")
        );
        let at = entry
            .cmd
            .as_ref()
            .or(entry.entrypoint.as_ref())
            .map(|(item, _)| *item);
        c.warnings.push(match at {
            Some(item) => Warning::at(df, item, ids::core::DEV_SERVER_KEPT, message),
            None => Warning::new(ids::core::DEV_SERVER_KEPT, message),
        });
    }
    if let Some((item, dest)) = sources_outside(df, infos, &app) {
        return Err(gate_at(
            df,
            item,
            ids::python::RT_APP,
            format!(
                "sources are copied to {dest}, outside {app} where the app starts; the runtime takes that directory alone"
            ),
        ));
    }
    let mut existing_venv: Option<String> = None;
    let mut app_reason = "Python runs from source: the application directory".to_string();
    // Steps (indices) that install the app's packages into the interpreter
    // or the active venv: pip, and poetry (which uses an active venv).
    let mut installs: Vec<usize> = Vec::new();
    // Steps that install the project manager itself (uv, poetry), which stay
    // in the build: the venv must be created after them.
    let mut tools: Vec<usize> = Vec::new();
    // The project manager that installs into the active venv, if any.
    let mut manager: Option<&str> = None;
    // `pip install --upgrade pip setuptools wheel` steps.
    let mut pip_upgrades: Vec<usize> = Vec::new();
    // Steps that write a project environment of their own (uv's .venv, an
    // in-project poetry or pipenv venv).
    let mut project_envs: Vec<usize> = Vec::new();
    for (n, info) in infos.iter().enumerate() {
        for cmd in info.commands() {
            let rule = cmd.rule.as_str();
            match rule {
                ids::python::VENV_CREATE => existing_venv = cmd.produces.first().cloned(),
                ids::python::INSTALL_TOOL => tools.push(n),
                ids::python::PIP_INSTALL_REQUIREMENTS
                | ids::python::PIP_INSTALL_PACKAGES
                | ids::python::PIP_INSTALL_PROJECT => {
                    if rule == ids::python::PIP_INSTALL_PACKAGES && only_pip_itself(cmd) {
                        // Upgrading pip itself: a tool step when a project
                        // manager installs the app, an install otherwise.
                        pip_upgrades.push(n);
                    } else {
                        installs.push(n);
                    }
                    if let Some(k) = ["PIP_USER", "PIP_TARGET", "PIP_PREFIX", "PIP_ROOT"]
                        .iter()
                        .find(|k| info.env.contains_key(**k) || cmd.assignments.contains_key(**k))
                    {
                        return Err(gate_at(
                            df,
                            info.item,
                            ids::python::RT_SITE_PACKAGES,
                            format!(
                                "{k} makes pip put packages where moving them is not supported yet"
                            ),
                        ));
                    }
                    if runs_as_non_root(info) {
                        return Err(gate_at(
                            df,
                            info.item,
                            ids::python::RT_SITE_PACKAGES,
                            "pip runs as a non-root user, so where its packages land depends on that user's rights; moving them is not supported yet",
                        ));
                    }
                    let bad = cmd.args.iter().flatten().find(|a| {
                        matches!(
                            a.as_str(),
                            "--user"
                                | "-t"
                                | "--target"
                                | "--prefix"
                                | "--root"
                                | "-e"
                                | "--editable"
                        ) || a.starts_with("--target=")
                            || a.starts_with("--prefix=")
                            || a.starts_with("--root=")
                            // attached short forms: -t/opt/x, -e.
                            || (a.starts_with("-t") || a.starts_with("-e"))
                                && a.len() > 2
                                && !a.starts_with("--")
                    });
                    if let Some(flag) = bad {
                        return Err(gate_at(
                            df,
                            info.item,
                            ids::python::RT_SITE_PACKAGES,
                            format!(
                                "`pip install {flag}` puts packages where moving them is not supported yet"
                            ),
                        ));
                    }
                }
                ids::python::POETRY_INSTALL
                | ids::python::POETRY_INSTALL_PROD
                | ids::python::PIPENV_INSTALL => {
                    let tool = if rule == ids::python::PIPENV_INSTALL {
                        "pipenv"
                    } else {
                        "poetry"
                    };
                    project_tool_step(df, info, &app, rule, tool)?;
                    if tool == "pipenv" && info.env.contains_key("PIPENV_IGNORE_VIRTUALENVS") {
                        return Err(gate_at(
                            df,
                            info.item,
                            rule,
                            "PIPENV_IGNORE_VIRTUALENVS makes pipenv create an environment of its own, where moving it is not supported yet",
                        ));
                    }
                    if manages_own_venv(df, infos, n, cmd, tool, ctx)? {
                        // The tool keeps its environment in the project
                        // (WORKDIR/.venv, which the start command may name):
                        // it travels with the application directory.
                        app_reason = format!(
                            "Python runs from source: the application directory, with the environment {}/.venv that {tool} keeps in the project",
                            app.trim_end_matches('/')
                        );
                        project_envs.push(n);
                    } else {
                        installs.push(n);
                        manager = manager.or(Some(tool));
                    }
                }
                ids::python::UV_SYNC | ids::python::UV_SYNC_PROD => {
                    project_tool_step(df, info, &app, rule, "uv")?;
                    project_envs.push(n);
                    let (venv, python) = uv_project_env(df, &infos[..n], info, cmd, ctx, builder)?;
                    if !venv.starts_with(&format!("{}/", app.trim_end_matches('/'))) {
                        push_copy(
                            c,
                            &venv,
                            ids::python::RT_PROJECT_VENV,
                            &format!(
                                "the project environment `uv sync` wrote (UV_PROJECT_ENVIRONMENT), outside the application directory; {python}"
                            ),
                        );
                    } else {
                        app_reason = format!(
                            "Python runs from source: the application directory, with the project environment {venv} that `uv sync` wrote in it; {python}"
                        );
                    }
                }
                // The project managers' other installs.
                r @ (ids::python::UV_VENV | ids::python::UV_PIP_INSTALL) => {
                    return Err(gate_at(
                        df,
                        info.item,
                        r,
                        format!(
                            "`{}` installs through its own tool (a project environment, or the system interpreter beside the tool); moving that is not supported yet",
                            cmd.text
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    if manager.is_some() {
        tools.extend(pip_upgrades);
        tools.sort_unstable();
    } else {
        installs.extend(pip_upgrades);
        installs.sort_unstable();
    }
    if let (Some(&env), Some(&inst)) = (project_envs.first(), installs.first()) {
        // Two environments on PATH: which one wins depends on the order of
        // the ENV lines, which the runtime stage does not repeat as is.
        return Err(gate_near(
            df,
            infos[env].item,
            ids::python::RT_VENV,
            format!(
                "lines {} and {}: a project environment of its own and packages installed with pip or into a venv; which comes first on PATH cannot be kept",
                line_of(df, infos[env].item),
                line_of(df, infos[inst].item)
            ),
        ));
    }
    let venv = match existing_venv {
        Some(v) => {
            // poetry and pipenv install into a venv only when it is active; a
            // venv that is only first on PATH leaves them on the system
            // interpreter (or their own environment).
            if let Some(tool) = manager
                && let Some(info) = infos.iter().find(|i| {
                    i.commands().iter().any(|c| {
                        c.rule.starts_with(ids::python::POETRY_INSTALL)
                            || c.rule == ids::python::PIPENV_INSTALL
                    })
                })
                && info.env.get("VIRTUAL_ENV") != Some(&v)
            {
                return Err(gate_at(
                    df,
                    info.item,
                    ids::python::RT_VENV,
                    format!(
                        "{tool} installs into the venv {v} only when VIRTUAL_ENV names it, and it does not"
                    ),
                ));
            }
            v
        }
        None => {
            if let Some(&first) = installs.first() {
                // The venv comes after the project manager's own install (it
                // stays on the system interpreter, in the build only) and
                // before the first COPY after it, so a source change does not
                // re-create it.
                let after_tools = tools.last().map_or(0, |t| t + 1);
                if first < after_tools {
                    return Err(gate_at(
                        df,
                        infos[first].item,
                        ids::python::RT_VENV,
                        "the app's packages are installed before (or in the same step as) the project manager itself, so they cannot be put in a venv of their own",
                    ));
                }
                let at = infos[after_tools..=first]
                    .iter()
                    .position(|i| matches!(i.kind, StepKind::CopyContext { .. }))
                    .map_or(first, |p| p + after_tools);
                let reason = match manager {
                    Some(tool) => format!(
                        "{tool} installs into the active virtual environment (VIRTUAL_ENV) instead of the system interpreter, where {tool} itself lives, so the runtime takes the app's packages in one copy, without {tool}"
                    ),
                    None => "pip installs into a virtual environment, so the runtime can take the packages in one copy".into(),
                };
                c.venv = Some(Venv {
                    path: "/opt/venv".into(),
                    at,
                    reason,
                });
            }
            "/opt/venv".into()
        }
    };
    if !installs.is_empty() || c.venv.is_some() {
        c.copies.push(CopySpec {
            from: venv.clone(),
            to: venv,
            rule: ids::python::RT_VENV.into(),
            reason:
                "the virtual environment holding the installed packages and their console scripts"
                    .into(),
        });
    }
    c.copies.push(CopySpec {
        from: app.clone(),
        to: app,
        rule: ids::python::RT_APP.into(),
        reason: app_reason,
    });
    Ok(())
}

/// `pip install [--upgrade] pip setuptools wheel` (any of them, with versions).
fn only_pip_itself(cmd: &CmdInfo) -> bool {
    let packages: Vec<&str> = cmd
        .words
        .iter()
        .map(String::as_str)
        .skip_while(|a| *a != "install")
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    !packages.is_empty()
        && packages.iter().all(|p| {
            let name = p
                .split(|c: char| "=<>~!;[ ".contains(c))
                .next()
                .unwrap_or(p);
            matches!(name, "pip" | "setuptools" | "wheel")
        })
}

/// Whether poetry or pipenv keeps its environment in the project
/// (`WORKDIR/.venv`) at install step `n`, rather than using an active venv
/// or the system interpreter. A setting it cannot read leaves the file
/// unchanged.
fn manages_own_venv(
    df: &Dockerfile,
    infos: &[StepInfo],
    n: usize,
    cmd: &CmdInfo,
    tool: &str,
    ctx: Option<&Context>,
) -> Result<bool, Gate> {
    let info = &infos[n];
    let env = |k: &str| cmd.assignments.get(k).or_else(|| info.env.get(k)).cloned();
    // `poetry config KEY VALUE` in this step or an earlier one.
    let config = |key: &str| -> Option<String> {
        infos[..=n]
            .iter()
            .flat_map(|i| i.commands())
            .filter(|c| {
                c.program
                    .as_deref()
                    .is_some_and(|p| p.rsplit('/').next() == Some("poetry"))
            })
            .filter_map(|c| {
                let a: Vec<&str> = c.words.iter().map(String::as_str).collect();
                (a.first() == Some(&"config") && a.get(1) == Some(&key))
                    .then(|| a.get(2).map(|v| v.to_string()))
                    .flatten()
            })
            .next_back()
    };
    let truthy = |name: &str, v: &str, yes: &[&str], no: &[&str]| -> Result<bool, Gate> {
        let v = v.trim().to_ascii_lowercase();
        if yes.contains(&v.as_str()) {
            Ok(true)
        } else if no.contains(&v.as_str()) {
            Ok(false)
        } else {
            Err(gate_at(
                df,
                info.item,
                ids::python::RT_VENV,
                format!("{name}=`{v}` cannot be read as on or off"),
            ))
        }
    };
    if tool == "pipenv" {
        let system = cmd.args.iter().flatten().any(|a| a == "--system");
        let in_project = match env("PIPENV_VENV_IN_PROJECT") {
            Some(v) => truthy(
                "PIPENV_VENV_IN_PROJECT",
                &v,
                &["1", "true", "yes", "on"],
                &["0", "false", "no", "off", ""],
            )?,
            None => false,
        };
        return Ok(in_project && !system);
    }
    // poetry: its settings come from the environment, `poetry config`, or a
    // poetry.toml in the project.
    let bools = (["true", "1"].as_slice(), ["false", "0"].as_slice());
    let create = match env("POETRY_VIRTUALENVS_CREATE").or_else(|| config("virtualenvs.create")) {
        Some(v) => truthy("virtualenvs.create", &v, bools.0, bools.1)?,
        None => true,
    };
    let in_project =
        match env("POETRY_VIRTUALENVS_IN_PROJECT").or_else(|| config("virtualenvs.in-project")) {
            Some(v) => truthy("virtualenvs.in-project", &v, bools.0, bools.1)?,
            None => false,
        };
    if let Some(text) = ctx.and_then(|c| c.text("poetry.toml")) {
        if text.contains("in-project") || text.contains("create") || text.contains("path") {
            return Err(gate_at(
                df,
                info.item,
                ids::python::RT_VENV,
                "the project's poetry.toml sets where poetry keeps its environment; reading it is not supported yet",
            ));
        }
    }
    Ok(create && in_project)
}

/// A project manager (`poetry install`, `uv sync`) must run as root in the
/// application directory: it finds the project from there, and an editable
/// install of the project points back at it.
fn project_tool_step(
    df: &Dockerfile,
    info: &StepInfo,
    app: &str,
    rule: &str,
    tool: &str,
) -> Result<(), Gate> {
    if info.workdir != app {
        return Err(gate_at(
            df,
            info.item,
            rule,
            format!(
                "{tool} runs in {} but the app starts in {app}",
                info.workdir
            ),
        ));
    }
    if runs_as_non_root(info) {
        return Err(gate_at(
            df,
            info.item,
            rule,
            format!(
                "{tool} runs as a non-root user, so who owns its environment depends on that user; moving it is not supported yet"
            ),
        ));
    }
    Ok(())
}

/// `python manage.py runserver …` (python3, python3.N, any path to manage.py).
fn is_django_runserver(argv: &[String]) -> bool {
    let program = argv.first().map(|p| p.rsplit('/').next().unwrap_or(p));
    let python = program.is_some_and(|p| {
        p == "python"
            || p == "python3"
            || p.strip_prefix("python3.")
                .is_some_and(|v| !v.is_empty() && v.chars().all(|ch| ch.is_ascii_digit()))
    });
    python
        && argv.get(1).is_some_and(|m| m.ends_with("manage.py"))
        && argv.get(2).is_some_and(|a| a == "runserver")
}

pub(crate) struct Python;

impl super::Language for Python {
    fn closure(&self, c: &mut Closure, i: &super::Input) -> Result<(), Gate> {
        python(c, i.df, i.infos, i.entry, i.ctx, i.builder)
    }
    fn stage_kind(&self, c: &mut Closure, _: Option<&Context>) -> AppKind {
        c.same_family = true;
        AppKind::PythonApp
    }
}
