//! Where a Python app's files are: the directory it starts in, taken whole
//! (`python/rt-app`), or — when the app lives in `/` or its sources are
//! copied to folders beside the one it starts in — each place its COPY
//! instructions write, which are known exactly from their sources and
//! destinations (`python/rt-app-places`). The latter is accepted only when
//! nothing else writes the app's files: every RUN that changes files in a
//! working directory, or builds something, does it inside one of those
//! places.

use crate::model::{Context, join_path};
use crate::plan::entry::Entry;
use crate::plan::facts::{gate, gate_at, sources_outside};
use crate::plan::rule_ids as ids;
use crate::plan::steps::{CmdKind, StepInfo, StepKind};
use crate::plan::types::Gate;
use crate::rules::Role;
use crate::syntax::{Body, Dockerfile};

/// What the runtime takes of the app.
pub(super) struct AppPlaces {
    /// The directory the app starts in (the entry's WORKDIR).
    pub workdir: String,
    /// `None`: that directory, whole. `Some`: the places the COPY
    /// instructions write, outside the folders `closure::common` already
    /// copies (absolute destinations outside every WORKDIR).
    pub places: Option<Vec<String>>,
    /// Why the places are taken rather than the directory (for the reason).
    pub why: String,
}

impl AppPlaces {
    /// Whether the runtime takes `p` (absolute) at the same path.
    pub fn covers(&self, p: &str) -> bool {
        match &self.places {
            None => inside(p, &self.workdir) && self.workdir != "/",
            Some(places) => places.iter().any(|d| inside(p, d)),
        }
    }
}

/// The directory the app starts in when every source copy lands inside it
/// and it is not `/`; otherwise the places the copies write, when that is
/// shown complete; otherwise the gate the directory alone would give.
pub(super) fn app_places(
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
) -> Result<AppPlaces, Gate> {
    let app = entry.workdir.clone();
    let outside = sources_outside(df, infos, &app);
    if app != "/" && outside.is_none() {
        return Ok(AppPlaces {
            workdir: app,
            places: None,
            why: String::new(),
        });
    }
    let why = match &outside {
        Some((_, dest)) if app != "/" => format!(
            "sources are copied to {dest} beside {app} where the app starts, so the runtime takes each place the COPY instructions write"
        ),
        _ => {
            "the app lives in /, so the runtime takes exactly what its COPY instructions put there"
                .to_string()
        }
    };
    let refuse = |item: Option<usize>, what: String| -> Gate {
        let (rule, text) = if app == "/" {
            (
                ids::core::WORKDIR_ROOT,
                format!(
                    "the app lives in /, and {what}, so what belongs to it cannot be told apart from the image"
                ),
            )
        } else {
            (
                ids::python::RT_APP,
                format!(
                    "sources are copied outside {app} where the app starts, and {what}, so the places the app's files are in cannot be listed"
                ),
            )
        };
        match item {
            Some(item) => gate_at(df, item, rule, text),
            None => gate(rule, text),
        }
    };
    let mut places: Vec<String> = Vec::new();
    for info in infos {
        let StepKind::CopyContext { sources, .. } = &info.kind else {
            continue;
        };
        let Some(Body::Copy { paths, .. }) = df.instruction_at(info.item).map(|x| &x.body) else {
            continue;
        };
        let Some(last) = paths.last() else { continue };
        let raw = crate::plan::steps::copy_word(df, info, &last.value);
        if raw.contains('$') {
            return Err(refuse(
                Some(info.item),
                format!("the destination `{raw}` names a variable that cannot be read"),
            ));
        }
        let abs = join_path(&info.workdir, &raw);
        // An absolute destination outside every WORKDIR is copied by
        // `closure::common` (core/outside-files) already.
        if raw.starts_with('/') && abs != "/" && !in_any_workdir(infos, entry, &abs) {
            continue;
        }
        if !is_system_dir(&abs) {
            add(&mut places, abs);
            continue;
        }
        // `COPY . .` in `/`, `COPY app.py /usr/local/`: the entries the
        // sources bring, one by one, never the system folder itself.
        let Some(ctx) = ctx else {
            return Err(refuse(
                Some(info.item),
                format!(
                    "the COPY into {abs} brings files of the build context, which was not given"
                ),
            ));
        };
        for src in sources {
            match entries(ctx, src) {
                Some(names) => {
                    for n in names {
                        add(&mut places, join_path(&abs, &n));
                    }
                }
                None => {
                    return Err(refuse(
                        Some(info.item),
                        format!(
                            "what the COPY source `{src}` brings into {abs} cannot be listed from the build context"
                        ),
                    ));
                }
            }
        }
    }
    complete(infos, &places).map_err(|(item, what)| refuse(Some(item), what))?;
    Ok(AppPlaces {
        workdir: app,
        places: Some(places),
        why,
    })
}

/// Adds `p` unless a place already holds it; drops places `p` holds.
fn add(places: &mut Vec<String>, p: String) {
    if places.iter().any(|q| inside(&p, q)) {
        return;
    }
    places.retain(|q| !inside(q, &p));
    places.push(p);
}

/// `p` is `dir` or below it.
fn inside(p: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    p == dir || dir.is_empty() || p.starts_with(&format!("{dir}/"))
}

fn in_any_workdir(infos: &[StepInfo], entry: &Entry, p: &str) -> bool {
    infos
        .iter()
        .map(|i| i.workdir.as_str())
        .chain([entry.workdir.as_str()])
        .any(|d| d != "/" && inside(p, d))
}

/// Folders of the image itself (`/`, `/usr`, `/usr/local/bin`, `/etc`, …),
/// which the runtime base has too: never copied whole.
fn is_system_dir(p: &str) -> bool {
    const TOP: &[&str] = &[
        "bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "media", "mnt", "opt",
        "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var",
    ];
    let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
    match parts.as_slice() {
        [] => true,
        [top] => TOP.contains(top),
        ["usr", _] | ["var", _] | ["usr", "local", _] | ["usr", "share", _] => true,
        _ => false,
    }
}

/// The top-level names a COPY source brings into its destination: a folder
/// (`.`, `src/`) brings its entries, a file its own name; `None` for a
/// pattern, a variable or a path the context does not have.
fn entries(ctx: &Context, src: &str) -> Option<Vec<String>> {
    if src.contains(['*', '?', '[', '$']) {
        return None;
    }
    let rel = src.trim_start_matches("./").trim_matches('/');
    let rel = if rel == "." { "" } else { rel };
    if !rel.is_empty() && ctx.has(rel) {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        return Some(vec![name.to_string()]);
    }
    let prefix = if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    };
    let mut names: Vec<String> = ctx
        .files
        .iter()
        .filter_map(|f| f.strip_prefix(prefix.as_str()))
        .filter_map(|rest| rest.split('/').find(|s| !s.is_empty()))
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    (!names.is_empty()).then_some(names)
}

/// Installs of the app's dependencies, from its manifests or by name
/// (`native::native_libraries` reads what each of them reads).
pub(super) const DEPENDENCY_INSTALLS: &[&str] = &[
    ids::python::PIP_INSTALL_REQUIREMENTS,
    ids::python::PIP_INSTALL_PACKAGES,
    ids::python::PIP_INSTALL_PROJECT,
    ids::python::POETRY_INSTALL,
    ids::python::POETRY_INSTALL_PROD,
    ids::python::PIPENV_INSTALL,
    ids::python::UV_SYNC,
    ids::python::UV_SYNC_PROD,
];

/// Installs whose products are the venv's or a project environment's: the
/// dependency installs, and the environments and tools themselves.
fn is_install(rule: &str) -> bool {
    DEPENDENCY_INSTALLS.contains(&rule)
        || [
            ids::python::UV_VENV,
            ids::python::VENV_CREATE,
            ids::python::INSTALL_TOOL,
        ]
        .contains(&rule)
}

/// Nothing but the COPY instructions writes the app's files: a RUN that
/// changes files where it runs does it inside one of the places, and a
/// build or runtime-setup command says what it produces, inside them too.
fn complete(infos: &[StepInfo], places: &[String]) -> Result<(), (usize, String)> {
    let placed = |p: &str| inside(p, "/tmp") || places.iter().any(|d| inside(p, d));
    for info in infos {
        for cmd in info.commands() {
            match &cmd.kind {
                CmdKind::WorkdirLocal => {
                    let skip_first =
                        matches!(cmd.program.as_deref(), Some("chmod" | "chown" | "chgrp"));
                    let mut operands = cmd
                        .args
                        .iter()
                        .filter(|a| a.as_deref().is_none_or(|a| !a.starts_with('-')))
                        .skip(usize::from(skip_first));
                    let unplaced = operands.find(|a| match a {
                        Some(a) => !placed(&join_path(&info.workdir, a)),
                        None => true,
                    });
                    if unplaced.is_some() {
                        return Err((
                            info.item,
                            format!(
                                "`{}` changes files in {} outside the places the COPY instructions write",
                                cmd.text, info.workdir
                            ),
                        ));
                    }
                }
                // The installs the venv or a project environment receives
                // (`python::scan_installs` moves those).
                _ if is_install(&cmd.rule) => {}
                CmdKind::Profile {
                    role: Role::Build | Role::RuntimeSetup,
                    ..
                } if cmd.produces.is_empty() || cmd.produces.iter().any(|p| !placed(p)) => {
                    return Err((
                        info.item,
                        format!(
                            "`{}` writes files the runtime may need, and not only inside the places the COPY instructions write",
                            cmd.text
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_folders_are_never_taken_whole() {
        for p in [
            "/",
            "/usr",
            "/usr/local/bin",
            "/etc",
            "/opt",
            "/srv",
            "/var/www",
            "/home",
        ] {
            assert!(is_system_dir(p), "{p}");
        }
        for p in [
            "/app",
            "/src",
            "/opt/app",
            "/srv/app",
            "/home/user/app",
            "/var/www/site",
        ] {
            assert!(!is_system_dir(p), "{p}");
        }
    }

    #[test]
    fn entries_of_a_source() {
        let ctx = Context::from_files([
            ("app.py", ""),
            ("templates/a.html", ""),
            ("templates/b.html", ""),
            ("pkg/sub/m.py", ""),
        ]);
        assert_eq!(entries(&ctx, ".").unwrap(), ["app.py", "pkg", "templates"]);
        assert_eq!(entries(&ctx, "./templates/").unwrap(), ["a.html", "b.html"]);
        assert_eq!(entries(&ctx, "app.py").unwrap(), ["app.py"]);
        assert_eq!(entries(&ctx, "pkg").unwrap(), ["sub"]);
        assert!(entries(&ctx, "*.py").is_none());
        assert!(entries(&ctx, "missing").is_none());
    }

    #[test]
    fn places_absorb_what_they_hold() {
        let mut v = Vec::new();
        add(&mut v, "/srv/app/shared".into());
        add(&mut v, "/srv/app".into());
        add(&mut v, "/srv/app/service".into());
        add(&mut v, "/app.py".into());
        assert_eq!(v, ["/srv/app", "/app.py"]);
        assert!(!inside("/srv/application", "/srv/app"));
    }
}
