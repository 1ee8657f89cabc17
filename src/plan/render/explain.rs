//! Why each step went where it did, and who the runtime runs as.

use super::{Place, env_keys, is_secret};
use crate::plan::base::Chosen;
use crate::plan::rule_ids as ids;
use crate::plan::steps::{CmdKind, StepInfo, StepKind};
use crate::plan::types::{Closure, NumericAccount, OwnedPath, Placement, RuntimeUser};
use crate::syntax::{Dockerfile, Keyword};

/// A command's role, as the explanation names it.
pub(super) fn command_role(kind: &CmdKind) -> String {
    match kind {
        CmdKind::Profile { role, .. } => role.as_str().to_string(),
        CmdKind::Packages { .. } => "system-packages".into(),
        CmdKind::PackageHousekeeping => "package-housekeeping".into(),
        CmdKind::UserSetup => "system-setup".into(),
        CmdKind::WorkdirLocal => "app-files".into(),
        CmdKind::Relocate => "build-output".into(),
        CmdKind::BuildConfig => "build-config".into(),
        CmdKind::Harmless => "no-effect".into(),
        CmdKind::Unknown => "unknown".into(),
    }
}

/// Who the runtime runs as, and why: the original's user, or the one
/// `--non-root` asked for with what it owns.
pub(crate) fn runtime_user(closure: &Closure, chosen: &Chosen) -> RuntimeUser {
    let base_user = chosen.spec.as_ref().map(|s| &s.user);
    if let Some(owner) = &chosen.owner {
        let name = match &chosen.user {
            Some((u, _)) => u.clone(),
            None if chosen.image.ends_with(":nonroot") => "nonroot".into(),
            None => base_user.map_or_else(|| owner.clone(), |u| u.name.clone()),
        };
        let how = match &chosen.user {
            Some((_, why)) => why.clone(),
            None if chosen.image.ends_with(":nonroot") => {
                "the base's :nonroot variant, whose default user is not root".into()
            }
            None => "the base's default user is not root".into(),
        };
        return RuntimeUser {
            name,
            rule: ids::core::NON_ROOT.into(),
            reason: format!(
                "asked for with --non-root ({how}); the original runs as root, so the user is given the folders the app may write (ids {owner})"
            ),
            owns: chosen
                .owned
                .dirs
                .iter()
                .map(|d| OwnedPath {
                    path: d.path.clone(),
                    reason: d.why.clone(),
                })
                .collect(),
            not_shown: chosen.owned.unproven.clone(),
        };
    }
    let (name, reason) = match (&closure.user, &closure.static_site) {
        (_, Some(site)) => {
            let drops = chosen.spec.as_ref().is_some_and(|s| s.drops_privileges);
            let mut why = if drops {
                "nginx serves the site: its master process starts as root and its workers run unprivileged; it only reads the site".to_string()
            } else {
                "nginx serves the site as the image's own non-root user, as the original's server ran as a non-root user; it only reads the site".to_string()
            };
            if drops && site.port < 1024 && closure.runs_as_root() {
                why.push_str(&format!(
                    "; an nginx running entirely as non-root could not listen on port {} everywhere",
                    site.port
                ));
            }
            // A root original on nginx-unprivileged: --non-root chose it.
            if !drops && closure.runs_as_root() {
                return RuntimeUser {
                    name: base_user.map_or("nginx".into(), |u| u.name.clone()),
                    rule: ids::core::NON_ROOT.into(),
                    reason: "asked for with --non-root: nginx-unprivileged runs nginx entirely as its own non-root user, which only reads the site".into(),
                    owns: Vec::new(),
                    not_shown: Vec::new(),
                };
            }
            (base_user.map_or("root".into(), |u| u.name.clone()), why)
        }
        (Some(u), None) if !closure.runs_as_root() => {
            let mut why = format!(
                "the original's USER `{u}`, kept: a split does not change who the app runs as"
            );
            // A numeric USER naming the builder's account: the base was
            // chosen for having it too (`core/user-numeric`).
            if let NumericAccount::Builder(a) = &closure.numeric_account {
                why.push_str(&format!(
                    "; uid {} is the builder image's account `{}` (HOME {}), which the runtime base has too, so HOME and the user's name are the original's",
                    a.uid, a.name, a.home
                ));
            }
            (u.clone(), why)
        }
        _ => (
            closure.user.clone().unwrap_or_else(|| "root".into()),
            "root, as in the original: a split does not change who the app runs as, and a non-root user could not write where the app writes; --non-root switches to a non-root user and gives it the folders the app writes".to_string(),
        ),
    };
    RuntimeUser {
        name,
        rule: ids::core::SAME_USER.into(),
        reason,
        owns: Vec::new(),
        not_shown: Vec::new(),
    }
}

pub(super) fn step_reason(
    df: &Dockerfile,
    info: &StepInfo,
    p: Place,
    build_side: &str,
    runtime: &str,
    closure: &Closure,
) -> (Placement, String, String) {
    let placement = |side: &str| {
        if side == "dependencies" {
            Placement::Dependencies
        } else {
            Placement::Build
        }
    };
    if let Some(site) = &closure.static_site {
        let static_server_install = info.keyword == Keyword::Run
            && !info.commands().is_empty()
            && info
                .commands()
                .iter()
                .all(|c| c.rule == ids::node::INSTALL_GLOBAL_RUNTIME_TOOL);
        match info.keyword {
            Keyword::Cmd | Keyword::Entrypoint => {
                return (
                    placement(build_side),
                    ids::core::STATIC_SITE.into(),
                    format!(
                        "nginx serves {} in the `{runtime}` stage with its image's own start command; `{}` stays in the build stage, which never runs it",
                        site.dir, site.command
                    ),
                );
            }
            Keyword::User if p != Place::Both => {
                return (
                    placement(build_side),
                    ids::core::STATIC_SITE.into(),
                    "the Node server ran as this user; nginx runs as its image sets it up (nginx-unprivileged: all as uid 101; the official image: its master as root, its workers as nginx), and has no such account".into(),
                );
            }
            Keyword::Env => {
                return (
                    placement(build_side),
                    ids::core::STATIC_SITE.into(),
                    "the Node server's environment; nginx reads none of it, and a PATH set for Node would hide nginx's own".into(),
                );
            }
            Keyword::Workdir => {
                return (
                    placement(build_side),
                    ids::core::STATIC_SITE.into(),
                    "sets where the build works; nginx serves from its own root, so the runtime sets no working directory".into(),
                );
            }
            Keyword::Run if static_server_install => {
                return (
                    placement(build_side),
                    ids::core::STATIC_SITE.into(),
                    "installs the Node static server, which the runtime no longer runs (nginx serves the site); it stays in the build stage".into(),
                );
            }
            _ => {}
        }
    }
    match info.keyword {
        Keyword::Cmd | Keyword::Entrypoint => (Placement::Runtime, ids::core::RUNTIME_CONFIG.into(), format!("the start command belongs to the `{runtime}` stage, unchanged")),
        Keyword::Label | Keyword::Expose | Keyword::Stopsignal | Keyword::Maintainer => {
            (Placement::Runtime, ids::core::RUNTIME_CONFIG.into(), format!("image metadata belongs to the image that ships: the `{runtime}` stage"))
        }
        Keyword::Healthcheck => (Placement::Runtime, ids::core::RUNTIME_CONFIG.into(), "the health check runs in the shipped image; its tool is installed there when the base lacks it".into()),
        Keyword::Volume => (Placement::BuildAndRuntime, ids::core::VOLUME.into(), "kept in the build stage (later steps behave the same) and declared in the runtime stage".into()),
        Keyword::User if p == Place::Both => (Placement::BuildAndRuntime, ids::core::USER.into(), "build steps after it run as this user, and the runtime runs as it too".into()),
        Keyword::User if p == Place::Runtime => (Placement::Runtime, ids::core::USER.into(), format!("the `{runtime}` stage runs as this user; no build step comes after it")),
        Keyword::Env => {
            let keys = env_keys(df, info.item);
            if p == Place::Both {
                (Placement::BuildAndRuntime, ids::core::ENV.into(), "the build uses it and the running app may read it".into())
            } else if keys.iter().any(|k| is_secret(k)) {
                (placement(build_side), ids::core::ENV_SECRET.into(), "named like a secret: it stays in the build and never reaches the runtime".into())
            } else {
                (placement(build_side), ids::core::ENV_BUILD_ONLY.into(), format!("{} only steer the build or the package manager", keys.join(", ")))
            }
        }
        Keyword::Arg => (placement(build_side), ids::core::ARG_SCOPE.into(), "build arguments stay in the build; the runtime redeclares only those its own instructions use".into()),
        Keyword::Workdir => (placement(build_side), ids::core::WORKDIR.into(), "sets where the build works; the runtime gets the final directory".into()),
        Keyword::Run if p == Place::Both => (Placement::BuildAndRuntime, ids::core::SYSTEM_SETUP.into(), "creates users or changes system files: repeated in the runtime stage".into()),
        Keyword::Run => {
            // The headline is the most significant command of the RUN.
            let weight = |k: &CmdKind| match k {
                CmdKind::Profile { .. } => 0,
                CmdKind::Packages { .. } => 1,
                CmdKind::UserSetup => 2,
                CmdKind::Relocate => 3,
                CmdKind::BuildConfig => 4,
                CmdKind::WorkdirLocal => 5,
                CmdKind::PackageHousekeeping => 6,
                CmdKind::Harmless => 7,
                CmdKind::Unknown => 8,
            };
            let main = info.commands().iter().min_by_key(|c| weight(&c.kind));
            match main {
                Some(c) => (placement(build_side), c.rule.clone(), c.why.clone()),
                None => (placement(build_side), ids::core::RUN.into(), "a build step".into()),
            }
        }
        Keyword::Copy | Keyword::Add => match &info.kind {
            StepKind::CopyContext { manifests_only: true, .. } => (placement(build_side), ids::core::MANIFESTS_FIRST.into(), "dependency manifests are copied before the sources, so the dependency layer is cached".into()),
            StepKind::CopyTool { rule, why, .. } => (placement(build_side), rule.clone(), why.clone()),
            _ => (
                placement(build_side),
                ids::core::SOURCES.into(),
                if closure.copies.iter().any(|c| matches!(c.rule.as_str(), ids::node::RT_APP | ids::python::RT_APP | ids::core::APP_FILES | ids::java::RT_WORKDIR)) {
                    "the sources go to the build stage; the runtime takes the application directory from there".into()
                } else {
                    "the sources are only needed to build".into()
                },
            ),
        },
        _ => (placement(build_side), ids::core::BUILD_CONFIG.into(), "configures the build stage".into()),
    }
}
