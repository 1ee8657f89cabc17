//! Python: the application directory and the virtual environment the
//! dependencies are installed into (created here, or the project manager's
//! own, or uv's project `.venv` when uv uses the image's interpreter).

mod native;
mod places;
mod uv;
mod venv_pip;

use super::Input;
use crate::model::Context;
use crate::plan::entry::Entry;
use crate::plan::facts::{gate_at, gate_near, line_of, push_copy, runs_as_non_root};
use crate::plan::rule_ids as ids;
use crate::plan::steps::{CmdInfo, StepInfo, StepKind};
use crate::plan::types::{Closure, CopySpec, Gate, Venv, Warning};
use crate::rules::AppKind;
use crate::syntax::Dockerfile;
use uv::uv_project_env;

/// Python's runtime plan, step by step: the application directory, a word
/// on Django's development server, the install steps read in order, the
/// virtual environment the packages go into, and the copies.
fn python(c: &mut Closure, input: &Input) -> Result<(), Gate> {
    let (df, infos) = (input.df, input.infos);
    c.app_kind = Some(AppKind::PythonApp);
    c.same_family = true;
    let placed = places::app_places(df, infos, input.entry, input.ctx)?;
    let app = placed.workdir.clone();
    super::entry_script_runs(c, input, &app)?;
    warn_dev_server(c, df, input.entry);
    // What the runtime takes at the same path: the app's places and the
    // files `closure::common` copies from outside the app.
    let taken: Vec<String> = c.copies.iter().map(|x| x.to.clone()).collect();
    let covered = |p: &str| {
        placed.covers(p)
            || taken
                .iter()
                .any(|t| p == t || p.starts_with(&format!("{}/", t.trim_end_matches('/'))))
    };
    let mut found = scan_installs(c, input, &app, &covered)?;
    found.place_pip_upgrades();
    one_environment_on_path(df, infos, &found)?;
    let venv = match found.existing_venv.take() {
        Some(v) => {
            existing_venv_is_active(df, infos, found.manager, &v)?;
            v
        }
        None => {
            if let Some(&first) = found.installs.first() {
                c.venv = Some(new_venv(input, &found, first)?);
            }
            "/opt/venv".into()
        }
    };
    if !found.installs.is_empty() || c.venv.is_some() {
        c.copies.push(CopySpec {
            from: venv.clone(),
            to: venv,
            rule: ids::python::RT_VENV.into(),
            reason:
                "the virtual environment holding the installed packages and their console scripts"
                    .into(),
        });
    }
    if let Some(places) = &placed.places
        && let Some(&n) = found.project_envs.first()
        && !places
            .iter()
            .any(|p| app == *p || app.starts_with(&format!("{}/", p.trim_end_matches('/'))))
    {
        return Err(gate_at(
            df,
            infos[n].item,
            ids::python::RT_APP,
            format!(
                "the project environment is written in {app}, which no COPY writes, so the runtime would not take it"
            ),
        ));
    }
    match &placed.places {
        None => c.copies.push(CopySpec {
            from: app.clone(),
            to: app.clone(),
            rule: ids::python::RT_APP.into(),
            reason: found.app_reason,
        }),
        Some(places) => {
            for p in places {
                push_copy(c, p, ids::python::RT_APP_PLACES, &placed.why);
            }
        }
    }
    static_root(c, input, &app)?;
    native::native_libraries(c, input);
    Ok(())
}

/// `python manage.py collectstatic` writes into the settings' STATIC_ROOT:
/// inside the application directory (`BASE_DIR / "staticfiles"`, a relative
/// or absolute path under it) the app's copy carries it; an absolute path
/// outside it is copied too; anything else (a value from the environment, an
/// expression) leaves the file unchanged, naming it.
fn static_root(c: &mut Closure, input: &Input, app: &str) -> Result<(), Gate> {
    let Some(info) = input.infos.iter().find(|i| {
        i.commands()
            .iter()
            .any(|c| c.rule == ids::python::COLLECTSTATIC)
    }) else {
        return Ok(());
    };
    let settings: Vec<(&String, &String)> = input
        .ctx
        .map(|ctx| {
            ctx.contents
                .iter()
                .filter(|(p, _)| p.ends_with("settings.py") || p.contains("settings/"))
                .collect()
        })
        .unwrap_or_default();
    let found: Vec<(String, String)> = settings
        .iter()
        .flat_map(|(path, text)| {
            text.lines().filter_map(move |l| {
                let (name, value) = l.split_once('=')?;
                (name.trim() == "STATIC_ROOT" && !l.starts_with(char::is_whitespace)).then(|| {
                    (
                        (*path).clone(),
                        value.split('#').next().unwrap_or("").trim().to_string(),
                    )
                })
            })
        })
        .collect();
    let Some((file, value)) = found.last() else {
        c.warnings.push(Warning::new(
            ids::python::COLLECTSTATIC,
            "STATIC_ROOT was not found in the settings in the build context: the runtime takes the application directory, which holds the collected files when STATIC_ROOT is inside it",
        ));
        return Ok(());
    };
    let literal = value
        .strip_prefix(['"', '\''])
        .and_then(|v| v.strip_suffix(['"', '\'']))
        .filter(|v| !v.contains(['"', '\'']));
    let inside_app =
        |p: &str| p == app || p.starts_with(&format!("{}/", app.trim_end_matches('/')));
    match literal {
        Some(p) if p.starts_with('/') && !inside_app(p) => {
            push_copy(
                c,
                p.trim_end_matches('/'),
                ids::python::COLLECTSTATIC,
                "STATIC_ROOT, where `collectstatic` put the static files, is outside the application directory",
            );
            Ok(())
        }
        Some(_) => Ok(()),
        None if value.contains("BASE_DIR")
            && !value.contains("..")
            && !value.contains("environ")
            && !value.contains("getenv") =>
        {
            Ok(())
        }
        None => Err(gate_at(
            input.df,
            info.item,
            ids::python::COLLECTSTATIC,
            format!(
                "{file} sets STATIC_ROOT = {value}, and where that is cannot be read, so whether the runtime gets the collected static files cannot be shown"
            ),
        )),
    }
}

/// Django's development server needs Django and the app, both of which the
/// runtime has: the split is safe; that it is not a production server is
/// the original's choice, so it is said (at the CMD, else the ENTRYPOINT),
/// not changed.
fn warn_dev_server(c: &mut Closure, df: &Dockerfile, entry: &Entry) {
    let Some(argv) = entry.commands.iter().find(|w| is_django_runserver(w)) else {
        return;
    };
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

/// What the install steps say, as indices into the steps, in step order.
struct Installs {
    /// The venv a step creates (`python -m venv PATH`), the last one.
    existing_venv: Option<String>,
    /// What the application directory's copy holds, in words (more when a
    /// project environment lives inside it).
    app_reason: String,
    /// Steps that install the app's packages into the interpreter or the
    /// active venv: pip, and poetry or pipenv using an active venv.
    installs: Vec<usize>,
    /// Steps that install the project manager itself (uv, poetry), which
    /// stay in the build: the venv must be created after them.
    tools: Vec<usize>,
    /// The project manager that installs into the active venv, if any.
    manager: Option<&'static str>,
    /// `pip install --upgrade pip setuptools wheel` steps.
    pip_upgrades: Vec<usize>,
    /// Steps that write a project environment of their own (uv's .venv,
    /// an in-project poetry or pipenv venv).
    project_envs: Vec<usize>,
}

impl Installs {
    /// Upgrading pip itself is a tool step when a project manager installs
    /// the app, and one of the installs otherwise.
    fn place_pip_upgrades(&mut self) {
        let upgrades = std::mem::take(&mut self.pip_upgrades);
        let steps = if self.manager.is_some() {
            &mut self.tools
        } else {
            &mut self.installs
        };
        steps.extend(upgrades);
        steps.sort_unstable();
    }
}

/// Reads every command that installs Python packages or creates an
/// environment, in order, and gates on what cannot be moved to the runtime.
/// (uv's project environment outside the application directory is copied
/// from here, as it is met.)
fn scan_installs(
    c: &mut Closure,
    input: &Input,
    app: &str,
    covered: &dyn Fn(&str) -> bool,
) -> Result<Installs, Gate> {
    let mut found = Installs {
        existing_venv: None,
        app_reason: "Python runs from source: the application directory".to_string(),
        installs: Vec::new(),
        tools: Vec::new(),
        manager: None,
        pip_upgrades: Vec::new(),
        project_envs: Vec::new(),
    };
    for (n, info) in input.infos.iter().enumerate() {
        for cmd in info.commands() {
            let rule = cmd.rule.as_str();
            match rule {
                ids::python::VENV_CREATE => found.existing_venv = cmd.produces.first().cloned(),
                ids::python::INSTALL_TOOL => found.tools.push(n),
                ids::python::PIP_INSTALL_REQUIREMENTS
                | ids::python::PIP_INSTALL_PACKAGES
                | ids::python::PIP_INSTALL_PROJECT => {
                    if rule == ids::python::PIP_INSTALL_PACKAGES && only_pip_itself(cmd) {
                        found.pip_upgrades.push(n);
                    } else {
                        found.installs.push(n);
                    }
                    pip_target_is_movable(input.df, info, cmd, covered)?;
                }
                ids::python::POETRY_INSTALL
                | ids::python::POETRY_INSTALL_PROD
                | ids::python::PIPENV_INSTALL => manager_install(&mut found, input, n, cmd, app)?,
                ids::python::UV_SYNC | ids::python::UV_SYNC_PROD => {
                    uv_sync(c, &mut found, input, n, cmd, app)?;
                }
                // `uv venv` with no path, followed by `uv sync` in the same
                // folder: it makes the project environment `uv sync` then
                // fills, checked the same way (python/uv-venv).
                ids::python::UV_VENV if uv_venv_is_project_env(input.infos, n, cmd) => {
                    uv_sync(c, &mut found, input, n, cmd, app)?;
                }
                // The project managers' other installs.
                r @ (ids::python::UV_VENV | ids::python::UV_PIP_INSTALL) => {
                    return Err(gate_at(
                        input.df,
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
    Ok(found)
}

/// A pip install whose packages land in the venv (or the interpreter's
/// site-packages), where the runtime can take them: as root, without
/// `PIP_USER`/`PIP_TARGET`/`PIP_PREFIX`/`PIP_ROOT`, and without `--user`,
/// `--target`, `--prefix` or `--root`. `--editable PATH` is movable when
/// PATH is a folder the runtime takes at the same path (`covered`): the
/// venv's `.pth` or finder points at it, and both keep their paths.
fn pip_target_is_movable(
    df: &Dockerfile,
    info: &StepInfo,
    cmd: &CmdInfo,
    covered: &dyn Fn(&str) -> bool,
) -> Result<(), Gate> {
    editable_is_movable(df, info, cmd, covered)?;
    if let Some(k) = ["PIP_USER", "PIP_TARGET", "PIP_PREFIX", "PIP_ROOT"]
        .iter()
        .find(|k| info.env.contains_key(**k) || cmd.assignments.contains_key(**k))
    {
        return Err(gate_at(
            df,
            info.item,
            ids::python::RT_SITE_PACKAGES,
            format!("{k} makes pip put packages where moving them is not supported yet"),
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
            "--user" | "-t" | "--target" | "--prefix" | "--root"
        ) || a.starts_with("--target=")
            || a.starts_with("--prefix=")
            || a.starts_with("--root=")
            // attached short form: -t/opt/x.
            || a.starts_with("-t") && a.len() > 2 && !a.starts_with("--")
    });
    if let Some(flag) = bad {
        return Err(gate_at(
            df,
            info.item,
            ids::python::RT_SITE_PACKAGES,
            format!("`pip install {flag}` puts packages where moving them is not supported yet"),
        ));
    }
    Ok(())
}

/// `pip install -e PATH` (`--editable PATH`, `-ePATH`, `--editable=PATH`,
/// extras allowed): each PATH must be a local folder, not a VCS URL, that
/// lies in what the runtime takes of the app.
fn editable_is_movable(
    df: &Dockerfile,
    info: &StepInfo,
    cmd: &CmdInfo,
    covered: &dyn Fn(&str) -> bool,
) -> Result<(), Gate> {
    let mut args = cmd.args.iter();
    while let Some(a) = args.next() {
        let operand = match a.as_deref() {
            Some("-e" | "--editable") => match args.next() {
                Some(Some(v)) => v.clone(),
                _ => String::new(),
            },
            Some(x) if x.starts_with("--editable=") => x["--editable=".len()..].to_string(),
            Some(x) if x.starts_with("-e") && x.len() > 2 && !x.starts_with("--") => {
                x[2..].to_string()
            }
            _ => continue,
        };
        let path = operand
            .split('[')
            .next()
            .unwrap_or("")
            .trim_matches(['"', '\'']);
        let local =
            !path.is_empty() && !path.contains("://") && !path.contains('+') && !path.contains('$');
        let abs = crate::model::join_path(&info.workdir, path);
        if !local {
            return Err(gate_at(
                df,
                info.item,
                ids::python::RT_SITE_PACKAGES,
                format!(
                    "`pip install -e {operand}` checks the package out where pip chooses, not in a folder the runtime takes, so the editable link cannot be shown to hold; installing it without -e can be moved"
                ),
            ));
        }
        if !covered(&abs) {
            return Err(gate_at(
                df,
                info.item,
                ids::python::RT_SITE_PACKAGES,
                format!(
                    "`pip install -e {operand}` links the installed package to {abs}, which the runtime does not take at the same path (no COPY writes it); moving that is not supported"
                ),
            ));
        }
    }
    Ok(())
}

/// `poetry install` or `pipenv install` at step `n`: an environment the
/// tool keeps in the project, which travels with the application directory,
/// or an install into the active venv, which makes the tool the manager.
fn manager_install(
    found: &mut Installs,
    input: &Input,
    n: usize,
    cmd: &CmdInfo,
    app: &str,
) -> Result<(), Gate> {
    let (df, info) = (input.df, &input.infos[n]);
    let rule = cmd.rule.as_str();
    let tool = if rule == ids::python::PIPENV_INSTALL {
        "pipenv"
    } else {
        "poetry"
    };
    project_tool_step(df, info, app, rule, tool)?;
    if tool == "pipenv" && info.env.contains_key("PIPENV_IGNORE_VIRTUALENVS") {
        return Err(gate_at(
            df,
            info.item,
            rule,
            "PIPENV_IGNORE_VIRTUALENVS makes pipenv create an environment of its own, where moving it is not supported yet",
        ));
    }
    if manages_own_venv(df, input.infos, n, cmd, tool, input.ctx)? {
        // The tool keeps its environment in the project (WORKDIR/.venv,
        // which the start command may name): it travels with the
        // application directory.
        found.app_reason = format!(
            "Python runs from source: the application directory, with the environment {}/.venv that {tool} keeps in the project",
            app.trim_end_matches('/')
        );
        found.project_envs.push(n);
    } else {
        found.installs.push(n);
        found.manager = found.manager.or(Some(tool));
    }
    Ok(())
}

/// `uv sync` at step `n`: its project environment, once uv is shown to use
/// the image's interpreter, travels with the application directory or, when
/// `UV_PROJECT_ENVIRONMENT` puts it elsewhere, is copied on its own.
fn uv_sync(
    c: &mut Closure,
    found: &mut Installs,
    input: &Input,
    n: usize,
    cmd: &CmdInfo,
    app: &str,
) -> Result<(), Gate> {
    let (df, info) = (input.df, &input.infos[n]);
    project_tool_step(df, info, app, &cmd.rule, "uv")?;
    found.project_envs.push(n);
    let (venv, python) =
        uv_project_env(df, &input.infos[..n], info, cmd, input.ctx, input.builder)?;
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
        found.app_reason = format!(
            "Python runs from source: the application directory, with the project environment {venv} that `uv sync` wrote in it; {python}"
        );
    }
    Ok(())
}

/// `uv venv` at step `n` makes `WORKDIR/.venv` (no path, no
/// `UV_PROJECT_ENVIRONMENT`) and a later `uv sync` runs in the same folder:
/// the environment is uv's project environment.
fn uv_venv_is_project_env(infos: &[StepInfo], n: usize, cmd: &CmdInfo) -> bool {
    let info = &infos[n];
    let dir = info.workdir.trim_end_matches('/');
    let default = cmd.produces == [format!("{dir}/.venv")]
        && !cmd
            .args
            .iter()
            .skip(1)
            .any(|a| a.as_deref().is_none_or(|a| !a.starts_with('-')))
        && !info.env.contains_key("UV_PROJECT_ENVIRONMENT")
        && !cmd.assignments.contains_key("UV_PROJECT_ENVIRONMENT");
    default
        && infos[n..].iter().any(|i| {
            i.workdir == info.workdir
                && i.commands()
                    .iter()
                    .any(|c| c.rule == ids::python::UV_SYNC || c.rule == ids::python::UV_SYNC_PROD)
        })
}

/// Two environments on PATH (a project environment of its own, and packages
/// installed with pip or into a venv): which one wins depends on the order
/// of the ENV lines, which the runtime stage does not repeat as is.
fn one_environment_on_path(
    df: &Dockerfile,
    infos: &[StepInfo],
    found: &Installs,
) -> Result<(), Gate> {
    let (Some(&env), Some(&inst)) = (found.project_envs.first(), found.installs.first()) else {
        return Ok(());
    };
    Err(gate_near(
        df,
        infos[env].item,
        ids::python::RT_VENV,
        format!(
            "lines {} and {}: a project environment of its own and packages installed with pip or into a venv; which comes first on PATH cannot be kept",
            line_of(df, infos[env].item),
            line_of(df, infos[inst].item)
        ),
    ))
}

/// The Dockerfile's own venv `v`: poetry and pipenv install into a venv only
/// when it is active; one that is only first on PATH leaves them on the
/// system interpreter (or their own environment).
fn existing_venv_is_active(
    df: &Dockerfile,
    infos: &[StepInfo],
    manager: Option<&str>,
    v: &str,
) -> Result<(), Gate> {
    if let Some(tool) = manager
        && let Some(info) = infos.iter().find(|i| {
            i.commands().iter().any(|c| {
                c.rule.starts_with(ids::python::POETRY_INSTALL)
                    || c.rule == ids::python::PIPENV_INSTALL
            })
        })
        && info.env.get("VIRTUAL_ENV").map(String::as_str) != Some(v)
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
    Ok(())
}

/// The venv dfsplit creates (`/opt/venv`) for the installs, the first at
/// step `first`: after the project manager's own install (which stays on
/// the system interpreter, in the build only) and before the first COPY
/// after it, so a source change does not re-create it.
fn new_venv(input: &Input, found: &Installs, first: usize) -> Result<Venv, Gate> {
    let (df, infos) = (input.df, input.infos);
    let after_tools = found.tools.last().map_or(0, |t| t + 1);
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
    let reason = match found.manager {
        Some(tool) => format!(
            "{tool} installs into the active virtual environment (VIRTUAL_ENV) instead of the system interpreter, where {tool} itself lives, so the runtime takes the app's packages in one copy, without {tool}"
        ),
        None => "pip installs into a virtual environment, so the runtime can take the packages in one copy".into(),
    };
    let keep_pip = venv_pip::pip_needed_in_venv(df, infos, at, input.entry, input.builder);
    Ok(Venv {
        path: "/opt/venv".into(),
        at,
        installs: found.installs.clone(),
        reason,
        keep_pip,
    })
}

/// The packages `pip install NAME…` names: the words after `install` that
/// are not options (with their versions and extras, as written).
fn pip_install_names(cmd: &CmdInfo) -> Vec<&str> {
    cmd.words
        .iter()
        .map(String::as_str)
        .skip_while(|a| *a != "install")
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect()
}

/// `pip install [--upgrade] pip setuptools wheel` (any of them, with versions).
fn only_pip_itself(cmd: &CmdInfo) -> bool {
    let packages = pip_install_names(cmd);
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
        python(c, i)
    }
    fn stage_kind(&self, c: &mut Closure, _: Option<&Context>) -> AppKind {
        c.same_family = true;
        AppKind::PythonApp
    }
}
