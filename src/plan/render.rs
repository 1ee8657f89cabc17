//! Writing the planned stages as Dockerfile text. Kept instructions come out
//! byte for byte with the comments and blank lines above them; changes inside
//! a kept instruction (a stage name after FROM, a cache mount after RUN) are
//! [`Edit`]s applied in one place.

use super::base::{Chosen, EntryRewrite};
use super::closure::is_account_command;
use super::entry::Entry;
use super::steps::{CmdKind, StepInfo, StepKind};
use super::types::{
    Addition, CommandDecision, Decision, Options, OwnedPath, Placement, Rewrite, RuntimeUser,
    StageSummary, first_line,
};
use super::types::{Closure, PruneStep, Venv};
use crate::emit::{Edit, apply};
use crate::model::{Context, Model};
use crate::plan::rule_ids as ids;
use crate::rules::{PackageManager, Role};
use crate::syntax::{Body, Dockerfile, Keyword};
use std::collections::{BTreeMap, BTreeSet};

/// Where the build stage sets aside the directories the setup created, for a
/// runtime base without a shell.
const STAGED_DIRS: &str = "/tmp/dfsplit-dirs";
/// Where the build stage sets aside, owned by `--non-root`'s user, empty
/// folders whose copies give the runtime's folders that owner.
const OWNED_DIRS: &str = "/tmp/dfsplit-owned";

/// ENV names that only steer builds and package managers: they stay in the build stage.
const BUILD_ONLY_ENV: &[&str] = &[
    "CGO_ENABLED",
    "GOOS",
    "GOARCH",
    "GOARM",
    "GOAMD64",
    "GOFLAGS",
    "GOPROXY",
    "GOPRIVATE",
    "GONOSUMDB",
    "GONOPROXY",
    "GOSUMDB",
    "GOTOOLCHAIN",
    "GO111MODULE",
    "DEBIAN_FRONTEND",
    "PIP_NO_CACHE_DIR",
    "PIP_DISABLE_PIP_VERSION_CHECK",
    "PIP_DEFAULT_TIMEOUT",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_ROOT_USER_ACTION",
    "POETRY_VERSION",
    "POETRY_HOME",
    "POETRY_NO_INTERACTION",
    "POETRY_VIRTUALENVS_CREATE",
    "POETRY_VIRTUALENVS_IN_PROJECT",
    "PIPENV_VENV_IN_PROJECT",
    "UV_COMPILE_BYTECODE",
    "UV_LINK_MODE",
    "UV_NO_CACHE",
    "UV_CACHE_DIR",
    "UV_FROZEN",
    "UV_LOCKED",
    "UV_NO_DEV",
    "UV_NO_EDITABLE",
    "UV_PYTHON_DOWNLOADS",
    "UV_PROJECT_ENVIRONMENT",
    "UV_NO_INSTALLER_METADATA",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_HTTP_TIMEOUT",
    "UV_CONCURRENT_DOWNLOADS",
    "NPM_CONFIG_LOGLEVEL",
    "NPM_CONFIG_FUND",
    "NPM_CONFIG_AUDIT",
    "NPM_CONFIG_UPDATE_NOTIFIER",
    "YARN_CACHE_FOLDER",
    "MAVEN_OPTS",
    "MAVEN_CONFIG",
    "GRADLE_OPTS",
    "DOTNET_CLI_TELEMETRY_OPTOUT",
    "DOTNET_SKIP_FIRST_TIME_EXPERIENCE",
    "DOTNET_NOLOGO",
    "NUGET_XMLDOC_MODE",
];

fn is_secret(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|s| n.contains(s))
}

fn is_build_only_env(name: &str) -> bool {
    BUILD_ONLY_ENV.contains(&name)
        || ["NPM_CONFIG_", "PIP_", "POETRY_", "PIPENV_"]
            .iter()
            .any(|p| name.starts_with(p))
}

/// Generated text in the file's own style: its line endings, and lower-case
/// keywords when its FROM is written in lower case.
pub(super) struct Out {
    pub(super) nl: &'static str,
    lower: bool,
    text: String,
}

impl Out {
    pub(super) fn for_file(df: &Dockerfile, from: &crate::syntax::Instruction) -> Out {
        Out {
            nl: if df.source.contains("\r\n") {
                "\r\n"
            } else {
                "\n"
            },
            lower: df
                .text(&from.keyword_span)
                .chars()
                .all(|c| c.is_ascii_lowercase()),
            text: String::new(),
        }
    }

    pub(super) fn kw(&self, k: &str) -> String {
        if self.lower {
            k.to_ascii_lowercase()
        } else {
            k.to_string()
        }
    }
    fn line(&mut self, s: &str) {
        self.text.push_str(s);
        self.text.push_str(self.nl);
    }
    fn raw(&mut self, s: &str) {
        self.text.push_str(s);
        if !s.ends_with('\n') {
            self.text.push_str(self.nl);
        }
    }
    fn blank(&mut self) {
        let double = format!("{0}{0}", self.nl);
        if !self.text.is_empty() && !self.text.ends_with(&double) {
            self.text.push_str(self.nl);
        }
    }
}

fn json_array(words: &[String]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| serde_json::to_string(w).unwrap_or_else(|_| format!("\"{w}\"")))
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// Writes a generated line in the file's style and records it as an
/// addition of `stage`, with the rule and reason that explain it.
fn add(
    out: &mut Out,
    additions: &mut Vec<Addition>,
    stage: &str,
    text: String,
    rule: &str,
    reason: impl Into<String>,
) {
    out.line(&text);
    additions.push(Addition {
        stage: stage.to_string(),
        text,
        rule: rule.to_string(),
        reason: reason.into(),
    });
}

/// Where each step goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Deps,
    Build,
    Runtime,
    Both,
}

/// The cache mount for a RUN, if one is safe: only download caches, which
/// never decide what ends up in the image.
fn cache_mount(info: &StepInfo, user_is_root: bool) -> Option<(&'static str, &'static str)> {
    if !user_is_root {
        return None;
    }
    // pip told not to cache (PIP_NO_CACHE_DIR, any value) would leave the mount empty.
    if info.env.contains_key("PIP_NO_CACHE_DIR")
        && info.commands().iter().any(|c| {
            ids::python::PIP_INSTALLS.contains(&c.rule.as_str())
                || c.rule == ids::python::INSTALL_TOOL
        })
    {
        return None;
    }
    // A step that cleans the cache itself would try to delete the mount point.
    if info.commands().iter().any(|c| {
        c.kind == CmdKind::PackageHousekeeping
            && c.args
                .iter()
                .flatten()
                .any(|a| a == "cache" || a == "clean")
    }) {
        return None;
    }
    for c in info.commands() {
        let args: Vec<&str> = c.args.iter().flatten().map(String::as_str).collect();
        match (c.rule.as_str(), c.program.as_deref()) {
            (ids::node::INSTALL | ids::node::INSTALL_PROD, Some("npm")) => {
                return Some(("target=/root/.npm", "npm's download cache"));
            }
            (ids::node::INSTALL | ids::node::INSTALL_PROD | ids::node::YARN_BARE, Some("yarn")) => {
                return Some((
                    "target=/usr/local/share/.cache/yarn",
                    "yarn's download cache",
                ));
            }
            (r, _)
                if (ids::python::PIP_INSTALLS.contains(&r) || r == ids::python::INSTALL_TOOL)
                    && !args.contains(&"--no-cache-dir") =>
            {
                return Some(("target=/root/.cache/pip", "pip's download and wheel cache"));
            }
            (ids::go::BUILD, _) => {
                return Some(("target=/root/.cache/go-build", "Go's build cache"));
            }
            _ => {}
        }
    }
    None
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn render(
    df: &Dockerfile,
    model: &Model,
    infos: &[StepInfo],
    entry: &Entry,
    closure: &Closure,
    chosen: &Chosen,
    ctx: Option<&Context>,
    opts: &Options,
    profile: &str,
) -> Rewrite {
    let stage = model.final_stage();
    let from = df
        .instruction_at(stage.from_item)
        .expect("the stage's FROM is an instruction");
    let mut out = Out::for_file(df, from);
    let mut decisions: BTreeMap<usize, Decision> = BTreeMap::new();
    let mut additions: Vec<Addition> = Vec::new();
    let mut warnings = closure.warnings.clone();
    for info in infos {
        if let Some(Body::Arg { decls }) = df.instruction_at(info.item).map(|i| &i.body) {
            for d in decls.iter().filter(|d| is_secret(&d.name.value)) {
                warnings.push(format!(
                    "ARG {} stays out of the runtime, but build arguments used by RUN remain visible in the build stages' layers and history; a secret mount (RUN --mount=type=secret) keeps it out of them",
                    d.name.value
                ));
            }
        }
    }
    warnings.extend(chosen.notes.iter().cloned());

    let decide = |decisions: &mut BTreeMap<usize, Decision>,
                  item: usize,
                  placement: Placement,
                  rule: &str,
                  reason: String,
                  info: Option<&StepInfo>| {
        if let Some(i) = df.instruction_at(item) {
            let commands = info
                .map(|info| {
                    info.commands()
                        .iter()
                        .map(|c| CommandDecision {
                            text: c.text.clone(),
                            role: match &c.kind {
                                CmdKind::Profile { role, .. } => role.as_str().to_string(),
                                CmdKind::Packages { .. } => "system-packages".into(),
                                CmdKind::PackageHousekeeping => "package-housekeeping".into(),
                                CmdKind::UserSetup => "system-setup".into(),
                                CmdKind::WorkdirLocal => "app-files".into(),
                                CmdKind::Relocate => "build-output".into(),
                                CmdKind::BuildConfig => "build-config".into(),
                                CmdKind::Harmless => "no-effect".into(),
                                CmdKind::Unknown => "unknown".into(),
                            },
                            rule: c.rule.clone(),
                            reason: c.why.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            decisions.insert(
                item,
                Decision {
                    line: i.start_line,
                    text: first_line(df, i),
                    placement,
                    rule: rule.to_string(),
                    reason,
                    commands,
                },
            );
        }
    };

    // --- Where each step goes.
    let is_install = |i: &StepInfo| {
        i.commands().iter().any(|c| {
            matches!(
                &c.kind,
                CmdKind::Profile {
                    role: Role::InstallDeps | Role::RuntimeSetup,
                    ..
                }
            ) && c.rule != ids::node::PRUNE_PROD
                && c.rule != ids::python::PIP_INSTALL_PROJECT
        })
    };
    let first_sources = infos
        .iter()
        .position(|i| {
            matches!(
                &i.kind,
                StepKind::CopyContext {
                    manifests_only: false,
                    ..
                }
            ) || i.has_role(Role::Build)
                || i.has_role(Role::Test)
        })
        .unwrap_or(infos.len());
    let mut deps_end = infos[..first_sources].iter().rposition(is_install);
    // `COPY . .` then the install: move the install (with a COPY of the
    // manifests it reads) before the sources, when that is shown safe.
    let (reorder, not_moved) = if deps_end.is_none() {
        match reorder_install(df, infos, first_sources, ctx, is_install) {
            Ok(r) => (Some(r), None),
            Err(why) => (None, why),
        }
    } else {
        (None, None)
    };
    if let Some(r) = &reorder {
        deps_end = Some(r.install);
    }
    if deps_end.is_none()
        && let Some(late) = infos.iter().position(is_install)
        && late > first_sources
    {
        warnings.push(format!(
            "line {}: dependencies are installed after the sources are copied, so any source change reinstalls them; {}",
            df.instruction_at(infos[late].item).map_or(0, |i| i.start_line),
            match &not_moved {
                Some(why) => format!("the install was not moved before them: {why}"),
                None => "copy the manifests first to get a cached dependency layer".to_string(),
            }
        ));
    }
    // Which build-side stage each step goes to.
    let side = |n: usize| -> Place {
        match &reorder {
            Some(r) if n == r.copy => Place::Build,
            _ if deps_end.is_some_and(|d| n <= d) => Place::Deps,
            _ => Place::Build,
        }
    };
    let mut places: Vec<Place> = Vec::with_capacity(infos.len());
    let last_user = infos.iter().rposition(|i| i.keyword == Keyword::User);
    let static_site = closure.static_site.as_ref();
    for (n, info) in infos.iter().enumerate() {
        let build_side = side(n);
        let p = match info.keyword {
            // nginx serves the site with its own start command and user; the
            // Node server's stay with the build stage, which never runs them.
            Keyword::Cmd | Keyword::Entrypoint if static_site.is_some() => build_side,
            Keyword::User if static_site.is_some() && Some(n) == last_user => build_side,
            // The Node server's environment: nginx reads none of it, and a
            // PATH without /usr/sbin would stop it from starting.
            Keyword::Env if static_site.is_some() => build_side,
            Keyword::Label
            | Keyword::Expose
            | Keyword::Stopsignal
            | Keyword::Healthcheck
            | Keyword::Cmd
            | Keyword::Entrypoint
            | Keyword::Maintainer => Place::Runtime,
            Keyword::Volume => Place::Both,
            // The last USER is the runtime's; the build keeps it only when
            // a later build step runs under it.
            Keyword::User if Some(n) == last_user => {
                let later_build_step = infos[n + 1..].iter().any(|i| {
                    matches!(
                        i.kind,
                        StepKind::Run(_) | StepKind::CopyContext { .. } | StepKind::CopyOther(_)
                    )
                });
                if later_build_step {
                    Place::Both
                } else {
                    Place::Runtime
                }
            }
            Keyword::Env => {
                let keys = env_keys(df, info.item);
                if keys.iter().all(|k| is_build_only_env(k) || is_secret(k)) {
                    build_side
                } else {
                    Place::Both
                }
            }
            Keyword::Run if closure.replay.contains(&info.item) => Place::Both,
            _ => build_side,
        };
        places.push(p);
    }

    // --- Names.
    let alias = match &from.body {
        Body::From { alias: Some(a), .. } => Some(a.value.clone()),
        _ => None,
    };
    let has_deps = deps_end.is_some();
    let first_name = alias.clone().unwrap_or_else(|| {
        if has_deps {
            "dependencies".into()
        } else {
            "build".into()
        }
    });
    let build_name = if has_deps {
        unique("build", &[&first_name])
    } else {
        first_name.clone()
    };
    let runtime_name = unique("runtime", &[&first_name, &build_name]);

    // --- Prelude: everything before FROM, byte for byte.
    out.text.push_str(&df.source[..from.span.start]);

    // The FROM, with a stage name when it has none.
    let mut from_text = df.text(&from.span).to_string();
    if alias.is_none() {
        if let Body::From {
            image: Some(img), ..
        } = &from.body
        {
            let at = img.span.end - from.span.start;
            from_text = apply(
                &from_text,
                &[Edit {
                    range: at..at,
                    content: format!(" {} {first_name}", out.kw("AS")),
                }],
            )
            .unwrap_or(from_text);
        }
    }
    // Comments travel with the instruction they touch.
    let mut spans = vec![from.span.clone()];
    spans.extend(
        infos
            .iter()
            .filter_map(|i| df.instruction_at(i.item))
            .map(|i| i.span.clone()),
    );
    let (all_units, file_tail) = units(&df.source, &spans);
    let unit_of: BTreeMap<usize, Unit> = infos
        .iter()
        .map(|i| i.item)
        .zip(all_units.iter().skip(1).cloned())
        .collect();
    out.raw(&from_text);
    out.text.push_str(&df.source[all_units[0].trail.clone()]);
    decide(
        &mut decisions,
        stage.from_item,
        if has_deps {
            Placement::Dependencies
        } else {
            Placement::Build
        },
        ids::core::STAGE_NAMES,
        format!(
            "the original base becomes the `{first_name}` stage; `FROM` stays literal so tools that bump image tags still find it"
        ),
        None,
    );

    // Python: where the closure puts the venv's creation.
    let first_pip = closure.venv.as_ref().map(|v| v.at);
    // Directories the setup created, on a base without a shell: the build
    // stage sets the top-most ones aside, the runtime copies them in.
    let staged: Vec<&String> = if chosen.numeric_user.is_some() {
        closure
            .owned_dirs
            .iter()
            .filter(|d| {
                !closure
                    .owned_dirs
                    .iter()
                    .any(|o| o != *d && d.starts_with(&format!("{}/", o.trim_end_matches('/'))))
            })
            .collect()
    } else {
        Vec::new()
    };

    let mut user_is_root = stage_user_is_root(None);
    // The stage's USER as written, to restore after a step that needs root.
    let mut stage_user: Option<String> = None;
    let emit_unit = |out: &mut Out, info: &StepInfo, edits: &[Edit], lead: bool| {
        let i = df
            .instruction_at(info.item)
            .expect("steps are instructions");
        let u = unit_of.get(&info.item).cloned().unwrap_or_default();
        if lead {
            out.text.push_str(&df.source[u.lead.clone()]);
        }
        let text = df.text(&i.span);
        let text = apply(text, edits).unwrap_or_else(|_| text.to_string());
        out.raw(&text);
        out.text.push_str(&df.source[u.trail.clone()]);
    };
    // A unit moved (or repeated) in the runtime stage: its attached comments, its text, its trailing comments.
    // `full`: the instruction is only in the runtime stage, so everything above it comes along.
    let emit_moved = |out: &mut Out, item: usize, text: Option<&str>, full: bool| {
        let u = unit_of.get(&item).cloned().unwrap_or_default();
        out.text.push_str(
            &df.source[if full {
                u.lead.clone()
            } else {
                u.attached.clone()
            }],
        );
        match text {
            Some(t) => out.line(t),
            None => {
                if let Some(i) = df.instruction_at(item) {
                    out.raw(df.text(&i.span));
                }
            }
        }
        out.text.push_str(&df.source[u.trail.clone()]);
    };

    for stage_kind in [Place::Deps, Place::Build] {
        if stage_kind == Place::Build && has_deps {
            out.blank();
            let line = format!(
                "{} {first_name} {} {build_name}",
                out.kw("FROM"),
                out.kw("AS")
            );
            add(
                &mut out,
                &mut additions,
                &build_name,
                line,
                ids::core::STAGE_NAMES,
                "the build stage starts from the dependencies stage, so a source change does not reinstall dependencies",
            );
        }
        let stage_name = if stage_kind == Place::Deps {
            &first_name
        } else {
            &build_name
        };
        for (n, info) in infos.iter().enumerate() {
            let p = places[n];
            let on_build_side = match p {
                Place::Deps => stage_kind == Place::Deps,
                Place::Build => stage_kind == Place::Build,
                Place::Both => side(n) == stage_kind,
                Place::Runtime => false,
            };
            if p == Place::Runtime {
                if stage_kind == Place::Build || !has_deps {
                    // Skip it on the build side; remember the gap so comments above it travel with it.
                }
                continue;
            }
            if !on_build_side {
                continue;
            }
            if Some(n) == first_pip
                && let Some(Venv {
                    path: venv,
                    reason: venv_reason,
                    ..
                }) = &closure.venv
            {
                let u = unit_of.get(&info.item).cloned().unwrap_or_default();
                out.text
                    .push_str(&df.source[u.lead.start..u.attached.start]);
                let run = format!("{} python3 -m venv {venv}", out.kw("RUN"));
                let env = format!(
                    "{} VIRTUAL_ENV={venv} PATH=\"{venv}/bin:$PATH\"",
                    out.kw("ENV")
                );
                out.line(&run);
                out.line(&env);
                for t in [run, env] {
                    additions.push(Addition {
                        stage: stage_name.clone(),
                        text: t,
                        rule: ids::python::RT_VENV.into(),
                        reason: venv_reason.clone(),
                    });
                }
            }
            if info.keyword == Keyword::User {
                stage_user = df.instruction_at(info.item).and_then(|i| match &i.body {
                    Body::Text { text: Some(t) } => Some(t.value.clone()),
                    _ => None,
                });
                user_is_root = stage_user_is_root(stage_user.as_deref());
            }
            let mut edits = Vec::new();
            let mut mount_note = None;
            if info.keyword == Keyword::Run
                && opts.cache_mounts
                && let Some(i) = df.instruction_at(info.item)
                && i.flag("mount").is_none()
                && let Some((target, what)) = cache_mount(info, user_is_root)
            {
                let at = i.keyword_span.end - i.span.start;
                edits.push(Edit {
                    range: at..at,
                    content: format!(" --mount=type=cache,{target}"),
                });
                mount_note = Some(what);
            }
            if let Some(r) = &reorder
                && n == r.install
            {
                let u = unit_of.get(&info.item).cloned().unwrap_or_default();
                out.text
                    .push_str(&df.source[u.lead.start..u.attached.start]);
                let line = format!("{}{} {} ./", out.kw("COPY"), r.flags, r.manifests.join(" "));
                add(
                    &mut out,
                    &mut additions,
                    stage_name,
                    line,
                    ids::core::MANIFESTS_FIRST,
                    format!(
                        "the original copies all sources before installing; copying only what the install reads ({}) first lets the dependency layer be cached",
                        r.manifests.join(", ")
                    ),
                );
            }
            let venv_here = Some(n) == first_pip && closure.venv.is_some();
            let moved_install = reorder.as_ref().is_some_and(|r| r.install == n);
            if venv_here || moved_install {
                let u = unit_of.get(&info.item).cloned().unwrap_or_default();
                out.text.push_str(&df.source[u.attached.clone()]);
            }
            emit_unit(&mut out, info, &edits, !(venv_here || moved_install));
            let (placement, rule, reason) =
                step_reason(df, info, p, stage_name, &runtime_name, closure);
            let reason = match mount_note {
                Some(what) => format!(
                    "{}; a BuildKit cache mount keeps {what} between builds (--no-cache-mounts to leave the line as it was)",
                    reason.trim_end_matches('.')
                ),
                None => reason,
            };
            let reason = if moved_install {
                format!(
                    "{}; moved before the sources it followed (line {}), after a COPY of only what it reads",
                    reason.trim_end_matches('.'),
                    reorder
                        .as_ref()
                        .and_then(|r| df.instruction_at(infos[r.copy].item))
                        .map_or(0, |i| i.start_line)
                )
            } else {
                reason
            };
            decide(
                &mut decisions,
                info.item,
                placement,
                &rule,
                reason,
                Some(info),
            );
        }
        if let Some(site) = static_site
            && (stage_kind == Place::Deps) == has_deps
        {
            // The server block for nginx, written where a shell exists; it
            // depends on nothing else, so the first stage keeps it cached.
            let esc = df.escape;
            out.blank();
            // nginx's `$uri` must reach the file as written.
            out.line("# hadolint ignore=SC2016");
            let mut text = format!("{} printf '%s\\n' {esc}", out.kw("RUN"));
            for l in &site.config {
                text.push_str(out.nl);
                text.push_str(&format!("    '{l}' {esc}"));
            }
            text.push_str(out.nl);
            text.push_str(&format!(
                "    > {}",
                super::profile::node::static_site::CONFIG_IN_BUILD
            ));
            out.line(&text);
            additions.push(Addition {
                stage: stage_name.clone(),
                text,
                rule: ids::core::STATIC_SITE.into(),
                reason: format!(
                    "the nginx server block that stands in for `{}`: port {}, the same files for the same URLs; {}",
                    site.command,
                    site.port,
                    site.differences.join("; ")
                ),
            });
        }
        if stage_kind == Place::Build
            && let Some(site) = static_site
        {
            // nginx's workers are not root: files only root could read (a
            // checkout made under umask 077) would answer 403, where the
            // original, serving as root, sent them.
            let chmod = format!("{} chmod -R a+rX {}", out.kw("RUN"), site.dir);
            let why = "makes every file of the site readable (and its folders enterable) by nginx's unprivileged workers; everything there is served to anyone anyway";
            let mut lines = vec![(chmod, why)];
            if let Some(user) = stage_user.as_deref().filter(|_| !user_is_root) {
                // As root, then back to the stage's own user.
                let also =
                    "the step between changes modes on files the build may have written as root";
                lines.insert(0, (format!("{} root", out.kw("USER")), also));
                lines.push((format!("{} {user}", out.kw("USER")), also));
            }
            for (line, reason) in lines {
                add(
                    &mut out,
                    &mut additions,
                    &build_name,
                    line,
                    ids::core::STATIC_SITE,
                    reason,
                );
            }
        }
        if stage_kind == Place::Build && !staged.is_empty() {
            let mut parts = vec![format!(
                "mkdir -p {}",
                (1..=staged.len())
                    .map(|n| format!("{STAGED_DIRS}/{n}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )];
            for (n, dir) in staged.iter().enumerate() {
                parts.push(format!("cp -a {dir} {STAGED_DIRS}/{}/", n + 1));
            }
            let line = format!("{} {}", out.kw("RUN"), parts.join(" && "));
            add(
                &mut out,
                &mut additions,
                &build_name,
                line,
                ids::core::OWNED_DIRS,
                format!(
                    "sets aside {} as the setup left {}, owner and mode included, for the runtime stage, whose base has no shell to create {} again",
                    staged
                        .iter()
                        .map(|d| d.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if staged.len() == 1 { "it" } else { "them" },
                    if staged.len() == 1 { "it" } else { "them" }
                ),
            );
        }
        if stage_kind == Place::Build
            && let Some(owner) = &chosen.owner
            && !chosen.owned.dirs.is_empty()
        {
            let staged: Vec<String> = chosen
                .owned
                .dirs
                .iter()
                .enumerate()
                .map(|(n, d)| format!("{OWNED_DIRS}/{}/{}", n + 1, base_name(&d.path)))
                .collect();
            let line = format!(
                "{} mkdir -p {} && chown {owner} {}",
                out.kw("RUN"),
                staged.join(" "),
                staged.join(" ")
            );
            add(
                &mut out,
                &mut additions,
                &build_name,
                line,
                ids::core::NON_ROOT,
                format!(
                    "empty folders owned by {owner}, for the runtime stage to copy over {}: a folder copied as a child keeps its owner, also where the runtime already has it",
                    chosen
                        .owned
                        .dirs
                        .iter()
                        .map(|d| d.path.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        if stage_kind == Place::Build {
            if let Some(PruneStep {
                command: cmd,
                rule,
                reason: why,
            }) = &closure.prune
            {
                let line = format!("{} {cmd}", out.kw("RUN"));
                add(
                    &mut out,
                    &mut additions,
                    &build_name,
                    line,
                    rule,
                    why.clone(),
                );
            }
        }
        if stage_kind == Place::Deps && !has_deps {
            // Single build stage: the loop for Build emits everything.
        }
    }

    // --- Runtime stage.
    out.blank();
    let from_rt = format!(
        "{} {} {} {runtime_name}",
        out.kw("FROM"),
        chosen.image,
        out.kw("AS")
    );
    if chosen.untagged {
        // Distroless images carry no version tags: `latest` would only trade
        // one linter warning (DL3006) for another (DL3007).
        out.line("# hadolint ignore=DL3006");
    }
    add(
        &mut out,
        &mut additions,
        &runtime_name,
        from_rt,
        &chosen
            .spec
            .as_ref()
            .map_or(ids::core::BASE_CHOICE.into(), |s| s.id.clone()),
        chosen.reason.clone(),
    );

    // ARGs the runtime instructions use.
    let runtime_items: Vec<usize> = infos
        .iter()
        .zip(&places)
        .filter(|(_, p)| matches!(p, Place::Runtime | Place::Both))
        .map(|(i, _)| i.item)
        .collect();
    let mut arg_defaults: BTreeMap<String, Option<String>> = BTreeMap::new();
    for info in infos {
        if let Some(Body::Arg { decls }) = df.instruction_at(info.item).map(|i| &i.body) {
            for d in decls {
                arg_defaults.insert(
                    d.name.value.clone(),
                    d.default.as_ref().map(|v| v.value.clone()),
                );
            }
        }
    }
    let mut needed_args: BTreeSet<String> = BTreeSet::new();
    for item in &runtime_items {
        if let Some(i) = df.instruction_at(*item) {
            for v in &i.vars {
                if arg_defaults.contains_key(&v.name) && !is_secret(&v.name) {
                    needed_args.insert(v.name.clone());
                }
            }
        }
    }
    for name in &needed_args {
        let line = match arg_defaults.get(name).cloned().flatten() {
            Some(d) => format!("{} {name}={d}", out.kw("ARG")),
            None => format!("{} {name}", out.kw("ARG")),
        };
        add(
            &mut out,
            &mut additions,
            &runtime_name,
            line,
            ids::core::ARG_SCOPE,
            format!(
                "`{name}` is used by an instruction of the runtime stage, and an ARG must be declared in the stage that uses it"
            ),
        );
    }

    // ENV the app sees, byte for byte.
    let mut runtime_env_keys: BTreeSet<String> = BTreeSet::new();
    for (n, info) in infos.iter().enumerate() {
        if info.keyword != Keyword::Env || places[n] != Place::Both {
            continue;
        }
        let keys = env_keys(df, info.item);
        let i = df.instruction_at(info.item).expect("instruction");
        if keys.iter().any(|k| is_secret(k)) {
            // Rewrite without the secrets.
            if let Body::KeyValues { pairs } = &i.body {
                let kept: Vec<String> = pairs
                    .iter()
                    .filter(|p| !is_secret(&p.key.value))
                    .map(|p| format!("{}={}", p.key.value, p.value.value))
                    .collect();
                if !kept.is_empty() {
                    let line = format!("{} {}", out.kw("ENV"), kept.join(" "));
                    emit_moved(&mut out, info.item, Some(&line), false);
                }
            }
            decide(&mut decisions, info.item, Placement::BuildAndRuntime, ids::core::ENV_SECRET, "the build keeps it; the runtime gets its values without the ones named like secrets (tokens, passwords, keys)".into(), None);
        } else {
            emit_moved(&mut out, info.item, None, false);
            runtime_env_keys.extend(keys);
        }
    }
    if let Some(Venv { path: venv, .. }) = &closure.venv {
        let line = format!(
            "{} VIRTUAL_ENV={venv} PATH=\"{venv}/bin:$PATH\"",
            out.kw("ENV")
        );
        add(
            &mut out,
            &mut additions,
            &runtime_name,
            line,
            ids::python::RT_VENV,
            "the venv's bin/ comes first on PATH, as the installed console scripts were on PATH in the original",
        );
    }
    if entry.workdir != "/" && static_site.is_none() {
        let line = format!("{} {}", out.kw("WORKDIR"), entry.workdir);
        add(
            &mut out,
            &mut additions,
            &runtime_name,
            line,
            ids::core::WORKDIR,
            "the app starts in the same directory as in the original",
        );
    }
    let mut packages = closure.packages.clone();
    packages.extend(
        chosen
            .extra_packages
            .iter()
            .filter(|p| !closure.packages.contains(p))
            .cloned(),
    );
    if !packages.is_empty() {
        let pkgs = packages.join(" ");
        // dfsplit cannot know which version the base's release ships, so the
        // install is unpinned; the ignore comment keeps linters that enforce
        // pinning from failing on a line the user did not write. `apt-get
        // clean` drops the package caches (~80 MB) that bases without
        // Debian's docker-clean hook would keep in the layer.
        let (ignore, line) = match closure.package_manager {
            Some(PackageManager::Apk) => (
                "DL3018",
                format!("{} apk add --no-cache {pkgs}", out.kw("RUN")),
            ),
            _ => (
                "DL3008",
                format!(
                    "{} apt-get update && apt-get install -y --no-install-recommends {pkgs} && apt-get clean && rm -rf /var/lib/apt/lists/*",
                    out.kw("RUN")
                ),
            ),
        };
        out.line(&format!("# hadolint ignore={ignore}"));
        add(
            &mut out,
            &mut additions,
            &runtime_name,
            line,
            ids::core::SYSTEM_PACKAGES,
            "runtime libraries of the build's -dev packages, packages the app may use, and the health check's tool; compilers and headers stay in the build stage",
        );
    }
    if chosen.numeric_user.is_none() {
        for item in &closure.replay {
            emit_moved(&mut out, *item, None, false);
        }
    } else {
        for (n, dir) in staged.iter().enumerate() {
            let parent = match dir.trim_end_matches('/').rsplit_once('/') {
                Some(("", _)) | None => "/".to_string(),
                Some((p, _)) => format!("{p}/"),
            };
            let line = format!(
                "{} --from={build_name} {STAGED_DIRS}/{}/ {parent}",
                out.kw("COPY"),
                n + 1
            );
            add(
                &mut out,
                &mut additions,
                &runtime_name,
                line,
                ids::core::OWNED_DIRS,
                format!(
                    "{dir} as the original has it: copied as a child of the set-aside folder, it keeps its owner and mode, and an existing {parent} keeps its own"
                ),
            );
        }
        // The setup steps are not repeated: the accounts are not created
        // (USER names numeric ids), the directories are copied.
        for item in &closure.replay {
            let info = infos.iter().find(|i| i.item == *item);
            let cmds = info.map_or(&[][..], |i| i.commands());
            let accounts = cmds.iter().any(is_account_command);
            let dirs = cmds.iter().any(|c| {
                c.program
                    .as_deref()
                    .is_some_and(|p| p.rsplit('/').next() == Some("mkdir"))
            });
            let what = match (accounts, dirs) {
                (true, true) => {
                    "creates the account the original runs as and directories for it; the runtime base has no shell to do it again, so its USER names the numeric ids and the directories are copied from the build stage with their owner and mode"
                }
                (false, true) => {
                    "creates directories and gives them an owner or mode; the runtime base has no shell to do it again, so they are copied from the build stage with their owner and mode"
                }
                _ => {
                    "creates the account the original runs as; the runtime base has no shell to create it again, so its USER names the numeric ids"
                }
            };
            decide(
                &mut decisions,
                *item,
                Placement::Build,
                ids::core::SYSTEM_SETUP,
                what.into(),
                info,
            );
        }
    }
    if chosen.copy_ca_certs {
        let line = format!(
            "{} --from={build_name} /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt",
            out.kw("COPY")
        );
        add(
            &mut out,
            &mut additions,
            &runtime_name,
            line,
            ids::go::RT_CA_CERTS,
            "scratch has no CA certificates and the program makes TLS calls (net/http, crypto/tls)",
        );
    }
    if chosen.copy_tzdata {
        let line = format!(
            "{} --from={build_name} /usr/share/zoneinfo /usr/share/zoneinfo",
            out.kw("COPY")
        );
        add(
            &mut out,
            &mut additions,
            &runtime_name,
            line,
            ids::go::RT_TZDATA,
            "scratch has no time zone database and the program loads locations",
        );
    }
    // No `--chown` on these copies: COPY --from keeps the owners the build
    // stage's own COPY --chown and RUN steps gave (seen with BuildKit, built
    // without the cache), which are the original's; a name there would be
    // looked up in the runtime base, which may not have it.
    // With --non-root, what lands in a folder the user owns comes owned by
    // it too (numeric ids: every base resolves them).
    for copy in &closure.copies {
        let (from_path, to_path) = if copy.from.contains('*') {
            let dir = copy.from.rsplit_once('/').map_or("/", |(d, _)| d);
            (copy.from.clone(), format!("{dir}/"))
        } else {
            (copy.from.clone(), copy.to.clone())
        };
        let chown = match &chosen.owner {
            Some(owner) if chosen.owned.covers(&copy.to) => format!(" --chown={owner}"),
            _ => String::new(),
        };
        let line = format!(
            "{} --from={build_name}{chown} {from_path} {to_path}",
            out.kw("COPY")
        );
        add(
            &mut out,
            &mut additions,
            &runtime_name,
            line,
            &copy.rule,
            copy.reason.clone(),
        );
    }
    if static_site.is_some() {
        let line = format!(
            "{} --from={build_name} {} {}",
            out.kw("COPY"),
            super::profile::node::static_site::CONFIG_IN_BUILD,
            super::profile::node::static_site::CONFIG_IN_RUNTIME
        );
        add(
            &mut out,
            &mut additions,
            &runtime_name,
            line,
            ids::core::STATIC_SITE,
            "the server block replaces the image's default server",
        );
    }

    if let Some(owner) = &chosen.owner {
        for (n, d) in chosen.owned.dirs.iter().enumerate() {
            let line = format!(
                "{} --from={build_name} {OWNED_DIRS}/{}/ {}",
                out.kw("COPY"),
                n + 1,
                parent_dir(&d.path)
            );
            add(
                &mut out,
                &mut additions,
                &runtime_name,
                line,
                ids::core::NON_ROOT,
                format!(
                    "gives {} to {owner} ({}), mode 755; what the folder holds stays",
                    d.path, d.why
                ),
            );
        }
    }

    // Moved configuration, in original order; a generated USER goes before
    // the start command (after every RUN and COPY of the stage).
    let original_user = infos.iter().any(|i| i.keyword == Keyword::User);
    let mut user_line = match (&chosen.user, original_user) {
        (Some((user, why)), false) => Some((format!("{} {user}", out.kw("USER")), why.clone())),
        _ => None,
    };
    let mut emit_user = |out: &mut Out, additions: &mut Vec<Addition>| {
        if let Some((line, why)) = user_line.take() {
            add(
                out,
                additions,
                &runtime_name,
                line,
                ids::core::NON_ROOT,
                format!("asked for with --non-root: {why}"),
            );
        }
    };
    for (n, info) in infos.iter().enumerate() {
        let p = places[n];
        if !matches!(p, Place::Runtime | Place::Both)
            || matches!(info.keyword, Keyword::Env | Keyword::Run)
        {
            continue;
        }
        if matches!(info.keyword, Keyword::Cmd | Keyword::Entrypoint) {
            emit_user(&mut out, &mut additions);
        }
        if info.keyword == Keyword::User
            && let Some(ids) = &chosen.numeric_user
        {
            let line = format!("{} {ids}", out.kw("USER"));
            emit_moved(&mut out, info.item, Some(&line), false);
            decide(
                &mut decisions,
                info.item,
                if p == Place::Both {
                    Placement::BuildAndRuntime
                } else {
                    Placement::Runtime
                },
                ids::core::USER_NUMERIC,
                format!(
                    "{}, so the runtime runs as its numeric ids: `{line}`",
                    if chosen.image == "scratch" {
                        "scratch has no /etc/passwd to look a name up in"
                    } else {
                        "the runtime base has no shell to create the account"
                    }
                ),
                None,
            );
            continue;
        }
        let rewritten = chosen.entry_rewrite.as_ref().and_then(|r| {
            let (keyword, args, slot, why) = match r {
                EntryRewrite::Cmd(args) => (
                    "CMD",
                    args,
                    &entry.cmd,
                    "the runtime base's ENTRYPOINT already starts the interpreter, so CMD keeps only its arguments",
                ),
                EntryRewrite::Entrypoint(args) => (
                    "ENTRYPOINT",
                    args,
                    &entry.entrypoint,
                    "the runtime base has the interpreter at its own path, not on PATH, so the ENTRYPOINT names that path",
                ),
            };
            slot.as_ref()
                .is_some_and(|(item, _)| *item == info.item)
                .then_some((keyword, args, why))
        });
        if let Some((keyword, args, why)) = rewritten {
            let line = format!("{} {}", out.kw(keyword), json_array(args));
            emit_moved(&mut out, info.item, Some(&line), true);
            decide(
                &mut decisions,
                info.item,
                Placement::Runtime,
                ids::core::ENTRY_TRANSLATION,
                format!("{why}: `{line}`"),
                None,
            );
            continue;
        }
        emit_moved(&mut out, info.item, None, p == Place::Runtime);
    }
    emit_user(&mut out, &mut additions);
    // What follows the last instruction (and its own comments) ends the file.
    let trailing = &df.source[file_tail];
    if !trailing.trim().is_empty() {
        out.blank();
        out.text.push_str(trailing.trim_start_matches(['\r', '\n']));
    }

    // Decisions for everything not yet decided.
    for (n, info) in infos.iter().enumerate() {
        if decisions.contains_key(&info.item) {
            continue;
        }
        let (placement, rule, reason) =
            step_reason(df, info, places[n], &build_name, &runtime_name, closure);
        decide(
            &mut decisions,
            info.item,
            placement,
            &rule,
            reason,
            Some(info),
        );
    }
    for item in &model.global_arg_items {
        decide(
            &mut decisions,
            *item,
            Placement::Global,
            ids::core::GLOBAL_ARG,
            "an ARG before the first FROM stays where it is: FROM lines use it".into(),
            None,
        );
    }

    let mut stages = vec![StageSummary {
        name: first_name.clone(),
        base: stage.base.resolved.clone(),
    }];
    if has_deps {
        stages.push(StageSummary {
            name: build_name.clone(),
            base: first_name.clone(),
        });
    }
    stages.push(StageSummary {
        name: runtime_name,
        base: chosen.image.clone(),
    });

    Rewrite {
        profile: profile.to_string(),
        stages,
        decisions: decisions.into_values().collect(),
        additions,
        base_before: stage.base.resolved.clone(),
        base_after: chosen.image.clone(),
        base_reason: chosen.reason.clone(),
        base_after_approx_mb: chosen.spec.as_ref().map(|s| s.approx_size_mb),
        user: runtime_user(closure, chosen),
        warnings,
        text: out.text,
    }
}

/// The lines around an instruction that belong to it: comments directly
/// above (`lead`, with any blank lines or stray comments before them) and
/// comments directly below it up to the next blank line (`trail`).
#[derive(Debug, Clone, Default)]
struct Unit {
    lead: std::ops::Range<usize>,
    /// The comment lines touching the instruction from above (inside `lead`).
    attached: std::ops::Range<usize>,
    trail: std::ops::Range<usize>,
}

/// Splits the gaps between consecutive instructions (`spans`) into units.
/// A gap with no blank line goes wholly to the instruction below; otherwise
/// the comments before its first blank line stay with the instruction above.
fn units(source: &str, spans: &[std::ops::Range<usize>]) -> (Vec<Unit>, std::ops::Range<usize>) {
    let mut out: Vec<Unit> = spans
        .iter()
        .map(|s| Unit {
            lead: s.start..s.start,
            attached: s.start..s.start,
            trail: s.end..s.end,
        })
        .collect();
    let mut file_tail = source.len()..source.len();
    for k in 0..spans.len() {
        let start = spans[k].end;
        let end = spans.get(k + 1).map_or(source.len(), |s| s.start);
        let gap = &source[start..end];
        let mut first_blank = None;
        let mut last_blank_end = None;
        let mut at = start;
        for line in gap.split_inclusive('\n') {
            if line.trim().is_empty() {
                first_blank.get_or_insert(at);
                last_blank_end = Some(at + line.len());
            }
            at += line.len();
        }
        let split = first_blank.unwrap_or(if k + 1 < spans.len() { start } else { end });
        out[k].trail = start..split;
        if k + 1 < spans.len() {
            out[k + 1].lead = split..end;
            let attached_start = last_blank_end.filter(|e| *e >= split).unwrap_or(split);
            out[k + 1].attached = attached_start..end;
        } else {
            file_tail = split..end;
        }
    }
    (out, file_tail)
}

/// An install moved before the `COPY . .` that preceded it.
struct Reorder {
    /// Index (in the steps) of the `COPY . .`.
    copy: usize,
    /// Index of the install.
    install: usize,
    /// The manifests to copy first.
    manifests: Vec<String>,
    /// The COPY's own flags (`--chown` …), repeated on the manifest COPY.
    flags: String,
}

/// Finds `COPY . <dir>` followed (only configuration between) by an install
/// in that directory that reads nothing but manifests, and decides whether
/// installing before the sources gives the same result: no lifecycle scripts
/// or local paths in the manifests, and no folder in the context that the
/// sources COPY would lay over the installed one.
fn reorder_install(
    df: &Dockerfile,
    infos: &[StepInfo],
    copy: usize,
    ctx: Option<&Context>,
    is_install: impl Fn(&StepInfo) -> bool,
) -> Result<Reorder, Option<String>> {
    let Some(ctx) = ctx else {
        return Err(Some(
            "without the build context the manifests cannot be checked".into(),
        ));
    };
    let c = infos.get(copy).ok_or(None)?;
    let StepKind::CopyContext { sources, .. } = &c.kind else {
        return Err(None);
    };
    if sources.len() != 1 || !matches!(sources[0].as_str(), "." | "./") {
        return Err(None);
    }
    let copy_inst = df.instruction_at(c.item).ok_or(None)?;
    let Body::Copy { paths, .. } = &copy_inst.body else {
        return Err(None);
    };
    let last = paths.last().ok_or(None)?;
    let dest = crate::model::join_path(
        &c.workdir,
        &crate::syntax::process_word(&last.value, df.escape),
    );
    let install = (copy + 1..infos.len())
        .find(|&n| !matches!(infos[n].kind, StepKind::Config))
        .ok_or(None)?;
    let i = &infos[install];
    if !is_install(i) || i.workdir != dest {
        return Err(None);
    }
    if (copy + 1..install).any(|n| {
        !matches!(
            infos[n].keyword,
            Keyword::Env | Keyword::Arg | Keyword::Label | Keyword::Expose
        )
    }) {
        return Err(Some(
            "other instructions stand between the COPY and the install".into(),
        ));
    }
    // Every command of the RUN must be the install or housekeeping.
    let mut manifests: Vec<String> = Vec::new();
    for cmd in i.commands() {
        match &cmd.kind {
            CmdKind::Profile {
                role: Role::InstallDeps | Role::RuntimeSetup,
                ..
            } => {
                manifests.extend(cmd.reads.iter().filter(|r| ctx.has(r)).cloned());
                if let Some(p) = cmd.program.as_deref().filter(|p| p.starts_with("./")) {
                    manifests.push(p.trim_start_matches("./").to_string());
                }
            }
            CmdKind::PackageHousekeeping | CmdKind::Harmless => {}
            _ => return Err(Some("the RUN does more than install dependencies".into())),
        }
    }
    manifests.dedup();
    if manifests.is_empty() {
        return Err(None);
    }
    for extra in [".npmrc"] {
        if ctx.has(extra) && !manifests.iter().any(|m| m == extra) {
            manifests.push(extra.to_string());
        }
    }
    // Things that make the early install differ from the original.
    for m in &manifests {
        let text = ctx.text(m).unwrap_or("");
        let name = m.rsplit('/').next().unwrap_or(m);
        let why = match name {
            "package.json" => serde_json::from_str::<serde_json::Value>(text).ok().and_then(|v| {
                let scripts = v.get("scripts")?.as_object()?;
                ["preinstall", "install", "postinstall", "prepare", "prepublish"]
                    .iter()
                    .find(|k| scripts.contains_key(**k))
                    .map(|k| format!("package.json has a `{k}` script, which runs during the install and may read any source"))
            }),
            "go.mod" => (text.contains("=> ./") || text.contains("=> ../"))
                .then(|| "go.mod replaces modules with local folders".to_string()),
            "pom.xml" => text.contains("<modules>").then(|| "pom.xml has modules, whose poms the install also reads".to_string()),
            n if n.starts_with("requirements") => text
                .lines()
                .map(str::trim)
                .any(|l| l.starts_with("-e") || l.starts_with('.') || l.starts_with('/') || l.starts_with("-r") || l.starts_with("file:") || l.contains(" @ file:"))
                .then(|| format!("{m} refers to local paths or other requirement files")),
            _ => None,
        };
        if let Some(why) = why {
            return Err(Some(why));
        }
    }
    if ctx.has(".yarnrc.yml") {
        return Err(Some(
            "a Yarn Berry project (.yarnrc.yml) reads more than its manifests".into(),
        ));
    }
    // A folder the install creates inside the app directory that the context also has
    // would be laid over the fresh install by the later `COPY . .`.
    for p in i.commands().iter().flat_map(|c| c.produces.iter()) {
        if let Some(rel) = p.strip_prefix(&format!("{}/", dest.trim_end_matches('/')))
            && ctx
                .files
                .iter()
                .any(|f| f == rel || f.starts_with(&format!("{rel}/")))
        {
            return Err(Some(format!(
                "the build context holds {rel}/, which the later COPY would lay over the fresh install"
            )));
        }
    }
    let flags: String = copy_inst
        .flags
        .iter()
        .map(|f| format!(" {}", f.text))
        .collect();
    Ok(Reorder {
        copy,
        install,
        manifests,
        flags,
    })
}

/// The last component of an absolute path.
fn base_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

/// The folder a path is in, with a trailing `/` (`/` for a top-level one).
fn parent_dir(path: &str) -> String {
    match path.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) | None => "/".to_string(),
        Some((p, _)) => format!("{p}/"),
    }
}

/// Who the runtime runs as, and why: the original's user, or the one
/// `--non-root` asked for with what it owns.
pub(super) fn runtime_user(closure: &Closure, chosen: &Chosen) -> RuntimeUser {
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
        (Some(u), None) if !closure.runs_as_root() => (
            u.clone(),
            format!("the original's USER `{u}`, kept: a split does not change who the app runs as"),
        ),
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

fn unique(name: &str, taken: &[&String]) -> String {
    if taken.iter().any(|t| t.as_str() == name) {
        format!("{name}-stage")
    } else {
        name.to_string()
    }
}

fn stage_user_is_root(user: Option<&str>) -> bool {
    user.is_none_or(|u| {
        let name = u.split(':').next().unwrap_or(u);
        name == "root" || name == "0"
    })
}

fn env_keys(df: &Dockerfile, item: usize) -> Vec<String> {
    match df.instruction_at(item).map(|i| &i.body) {
        Some(Body::KeyValues { pairs }) => pairs
            .iter()
            .map(|p| crate::syntax::process_word(&p.key.value, df.escape))
            .collect(),
        _ => Vec::new(),
    }
}

fn step_reason(
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
            _ => (
                placement(build_side),
                ids::core::SOURCES.into(),
                if closure.copies.iter().any(|c| matches!(c.rule.as_str(), ids::node::RT_APP | ids::python::RT_APP | ids::core::APP_FILES)) {
                    "the sources go to the build stage; the runtime takes the application directory from there".into()
                } else {
                    "the sources are only needed to build".into()
                },
            ),
        },
        _ => (placement(build_side), ids::core::BUILD_CONFIG.into(), "configures the build stage".into()),
    }
}
