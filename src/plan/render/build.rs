//! The build side: the dependencies stage (when the installs can come before
//! the sources) and the build stage, each kept step in its place with the
//! lines render adds there.

use super::explain::step_reason;
use super::lines::base_name;
use super::{ACCOUNTS_BASE, ACCOUNTS_DIR, OWNED_DIRS, STAGED_DIRS};
use super::{Layout, Place, Writer, stage_user_is_root};
use crate::emit::Edit;
use crate::model::Context;
use crate::plan::profile::java;
use crate::plan::rule_ids as ids;
use crate::plan::steps::{CmdKind, StepInfo, StepKind};
use crate::plan::types::{Addition, PruneStep, StaticSite, Venv};
use crate::rules::Role;
use crate::syntax::{Body, Dockerfile, Keyword};

/// The build stage's USER so far, to restore after a step that needs root.
struct StageUser {
    user: Option<String>,
    is_root: bool,
}

/// The dependencies and build stages.
pub(super) fn stages(w: &mut Writer, l: &Layout) {
    let closure = w.i.closure;
    let (first_name, build_name, has_deps) = (&l.first_name, &l.build_name, l.has_deps);
    let static_site = closure.static_site.as_ref();
    let mut u = StageUser {
        user: None,
        is_root: stage_user_is_root(None),
    };
    for stage_kind in [Place::Deps, Place::Build] {
        if stage_kind == Place::Build && has_deps {
            w.out.blank();
            let line = format!(
                "{} {first_name} {} {build_name}",
                w.out.kw("FROM"),
                w.out.kw("AS")
            );
            w.add(
                build_name,
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
        for (n, info) in w.i.infos.iter().enumerate() {
            step(w, l, n, info, stage_kind, stage_name, &mut u);
        }
        if let Some(site) = static_site
            && (stage_kind == Place::Deps) == has_deps
        {
            nginx_block(w, stage_name, site);
        }
        if stage_kind == Place::Build {
            if let Some(site) = static_site {
                site_readable(w, l, site, &u);
            }
            set_aside_dirs(w, l);
            accounts(w, l);
            owned_folders(w, l);
            prune(w, l);
            build_step(w, l);
            jlink(w, l, &u);
        }
    }
}

/// One step on the build side, when it goes to `stage_kind`.
fn step(
    w: &mut Writer,
    l: &Layout,
    n: usize,
    info: &StepInfo,
    stage_kind: Place,
    stage_name: &str,
    su: &mut StageUser,
) {
    let (df, infos, closure, opts) = (w.i.df, w.i.infos, w.i.closure, w.i.opts);
    let (places, reorder, first_pip) = (&l.places, &l.reorder, l.first_pip);
    let (has_deps, runtime_name) = (l.has_deps, &l.runtime_name);
    let p = places[n];
    let on_build_side = match p {
        Place::Deps => stage_kind == Place::Deps,
        Place::Build => stage_kind == Place::Build,
        Place::Both => l.side(n) == stage_kind,
        Place::Runtime => false,
    };
    if p == Place::Runtime {
        if stage_kind == Place::Build || !has_deps {
            // Skip it on the build side; remember the gap so comments above it travel with it.
        }
        return;
    }
    if !on_build_side {
        return;
    }
    if Some(n) == first_pip {
        venv_lines(w, info, stage_name);
    }
    if info.keyword == Keyword::User {
        su.user = df.instruction_at(info.item).and_then(|i| match &i.body {
            Body::Text { text: Some(t) } => Some(t.value.clone()),
            _ => None,
        });
        su.is_root = stage_user_is_root(su.user.as_deref());
    }
    let mut edits = Vec::new();
    let mut mount_note = None;
    if info.keyword == Keyword::Run
        && opts.cache_mounts
        && let Some(i) = df.instruction_at(info.item)
        && i.flag("mount").is_none()
        && let Some((target, what)) = cache_mount(info, su.is_root)
    {
        let at = i.keyword_span.end - i.span.start;
        edits.push(Edit {
            range: at..at,
            content: format!(" --mount=type=cache,target={target}"),
        });
        mount_note = Some(what);
    }
    if let Some(r) = reorder
        && n == r.install
    {
        // The venv's lines, when written here, already carry what stands
        // above the install.
        manifests_copy(w, info, r, stage_name, Some(n) != first_pip);
    }
    let venv_here = Some(n) == first_pip && closure.venv.is_some();
    let moved_install = reorder.as_ref().is_some_and(|r| r.install == n);
    if venv_here || moved_install {
        let u = w.unit_of.get(&info.item).cloned().unwrap_or_default();
        w.out.text.push_str(&df.source[u.attached.clone()]);
    }
    w.emit_unit(info, &edits, !(venv_here || moved_install));
    let (placement, rule, reason) = step_reason(df, info, p, stage_name, runtime_name, closure);
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
    w.decide(info.item, placement, &rule, reason, Some(info));
    set_aside_early(w, l, info.item, stage_name);
}

/// The homes set aside right after the setup step `item` that creates them,
/// before the build works in the app's directory inside them.
fn set_aside_early(w: &mut Writer, l: &Layout, item: usize, stage_name: &str) {
    let Some(a) = &w.i.chosen.accounts else {
        return;
    };
    let here: Vec<(usize, &String)> = l
        .staged
        .iter()
        .enumerate()
        .filter(|(_, d)| a.set_aside_early.iter().any(|(h, i)| h == *d && *i == item))
        .collect();
    if here.is_empty() {
        return;
    }
    let line = set_aside_line(w, &here);
    let dirs: Vec<&str> = here.iter().map(|(_, d)| d.as_str()).collect();
    w.add(
        stage_name,
        line,
        ids::core::ACCOUNTS_COPIED,
        format!(
            "sets aside the home {} right after the setup step that creates it, owner, mode and skeleton files included, before the build works in the app's directory inside it; the runtime stage, whose base has no shell to create it again, copies it in, then the app's files into it",
            dirs.join(", ")
        ),
    );
}

/// Python: the venv's creation, before the step that first installs into it.
fn venv_lines(w: &mut Writer, info: &StepInfo, stage_name: &str) {
    let df = w.i.df;
    let Some(Venv {
        path: venv,
        reason: venv_reason,
        keep_pip,
        ..
    }) = &w.i.closure.venv
    else {
        return;
    };
    let u = w.unit_of.get(&info.item).cloned().unwrap_or_default();
    w.out
        .text
        .push_str(&df.source[u.lead.start..u.attached.start]);
    // Without pip, the builder's own pip installs into the venv: its
    // `--python` option, given as PIP_PYTHON so the install lines stay as
    // they are.
    let (flag, pip_python, pip_reason) = match keep_pip {
        None => (
            " --without-pip",
            format!(" PIP_PYTHON={venv}/bin/python"),
            "; created without pip and setuptools, so the runtime does not carry them: the builder's pip installs into it (PIP_PYTHON, pip's --python)"
                .to_string(),
        ),
        Some(why) => (
            "",
            String::new(),
            format!("; pip (and, before Python 3.12, setuptools) stay in it: {why}"),
        ),
    };
    let reason = format!("{}{pip_reason}", venv_reason.trim_end_matches('.'));
    let run = format!("{} python3 -m venv{flag} {venv}", w.out.kw("RUN"));
    let env = format!(
        "{} VIRTUAL_ENV={venv} PATH=\"{venv}/bin:$PATH\"{pip_python}",
        w.out.kw("ENV")
    );
    w.out.line(&run);
    w.out.line(&env);
    for t in [run, env] {
        w.additions.push(Addition {
            stage: stage_name.to_string(),
            text: t,
            rule: ids::python::RT_VENV.into(),
            reason: reason.clone(),
        });
    }
}

/// The COPY of only the manifests an install reads, before the install that
/// moved ahead of the sources.
fn manifests_copy(w: &mut Writer, info: &StepInfo, r: &Reorder, stage_name: &str, lead: bool) {
    let df = w.i.df;
    let u = w.unit_of.get(&info.item).cloned().unwrap_or_default();
    if lead {
        w.out
            .text
            .push_str(&df.source[u.lead.start..u.attached.start]);
    }
    let line = format!(
        "{}{} {} ./",
        w.out.kw("COPY"),
        r.flags,
        r.manifests.join(" ")
    );
    w.add(
        stage_name,
                    line,
                    ids::core::MANIFESTS_FIRST,
                    format!(
                        "the original copies all sources before installing; copying only what the install reads ({}) first lets the dependency layer be cached",
                        r.manifests.join(", ")
                    ),
                );
}

/// The nginx server block, written where a shell exists; it depends on
/// nothing else, so the first stage keeps it cached.
fn nginx_block(w: &mut Writer, stage_name: &str, site: &StaticSite) {
    let df = w.i.df;
    // The server block for nginx, written where a shell exists; it
    // depends on nothing else, so the first stage keeps it cached.
    let esc = df.escape;
    w.out.blank();
    // nginx's `$uri` must reach the file as written.
    w.out.line("# hadolint ignore=SC2016");
    let mut text = format!("{} printf '%s\\n' {esc}", w.out.kw("RUN"));
    for l in &site.config {
        text.push_str(w.out.nl);
        text.push_str(&format!("    '{l}' {esc}"));
    }
    text.push_str(w.out.nl);
    text.push_str(&format!(
        "    > {}",
        crate::plan::profile::node::static_site::CONFIG_IN_BUILD
    ));
    w.out.line(&text);
    w.additions.push(Addition {
                stage: stage_name.to_string(),
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

/// nginx's workers are not root: files only root could read (a checkout made
/// under umask 077) would answer 403, where the original, serving as root,
/// sent them.
fn site_readable(w: &mut Writer, l: &Layout, site: &StaticSite, su: &StageUser) {
    let build_name = &l.build_name;
    // nginx's workers are not root: files only root could read (a
    // checkout made under umask 077) would answer 403, where the
    // original, serving as root, sent them.
    let chmod = format!("{} chmod -R a+rX {}", w.out.kw("RUN"), site.dir);
    let why = "makes every file of the site readable (and its folders enterable) by nginx's unprivileged workers; everything there is served to anyone anyway";
    let mut lines = vec![(chmod, why)];
    if let Some(user) = su.user.as_deref().filter(|_| !su.is_root) {
        // As root, then back to the stage's own user.
        let also = "the step between changes modes on files the build may have written as root";
        lines.insert(0, (format!("{} root", w.out.kw("USER")), also));
        lines.push((format!("{} {user}", w.out.kw("USER")), also));
    }
    for (line, reason) in lines {
        w.add(build_name, line, ids::core::STATIC_SITE, reason);
    }
}

/// The RUN line that copies each `(n, dir)` of the layout's staged
/// directories, owner and mode kept, to `STAGED_DIRS/<n + 1>/`, where the
/// runtime copies it from.
fn set_aside_line(w: &Writer, staged: &[(usize, &String)]) -> String {
    let mut parts = vec![format!(
        "mkdir -p {}",
        staged
            .iter()
            .map(|(n, _)| format!("{STAGED_DIRS}/{}", n + 1))
            .collect::<Vec<_>>()
            .join(" ")
    )];
    for (n, dir) in staged {
        parts.push(format!("cp -a {dir} {STAGED_DIRS}/{}/", n + 1));
    }
    format!("{} {}", w.out.kw("RUN"), parts.join(" && "))
}

/// On a base without a shell: the directories the setup created, set aside
/// with their owner and mode for the runtime to copy.
fn set_aside_dirs(w: &mut Writer, l: &Layout) {
    let build_name = &l.build_name;
    // Homes set aside right after their setup step are not set aside again.
    let early =
        w.i.chosen
            .accounts
            .as_ref()
            .map_or(&[][..], |a| &a.set_aside_early[..]);
    let staged: Vec<(usize, &String)> = l
        .staged
        .iter()
        .enumerate()
        .filter(|(_, d)| !early.iter().any(|(h, _)| h == *d))
        .collect();
    if staged.is_empty() {
        return;
    }
    let line = set_aside_line(w, &staged);
    w.add(
        build_name,
                line,
                ids::core::OWNED_DIRS,
                format!(
                    "sets aside {} as the setup left {}, owner and mode included, for the runtime stage, whose base has no shell to create {} again",
                    staged
                        .iter()
                        .map(|(_, d)| d.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if staged.len() == 1 { "it" } else { "them" },
                    if staged.len() == 1 { "it" } else { "them" }
                ),
            );
}

/// On a base without a shell, for the accounts the setup creates: the
/// runtime base's /etc/passwd and /etc/group with the lines the setup
/// wrote for them appended, for the runtime stage to copy
/// (`core/accounts-copied`). The base is read through a mount of its image,
/// so its own accounts stay as they are; the build fails, naming the file,
/// when an appended account has the name or id of one the base has.
fn accounts(w: &mut Writer, l: &Layout) {
    let (chosen, build_name) = (w.i.chosen, &l.build_name);
    let Some(a) = &chosen.accounts else {
        return;
    };
    let (dir, base) = (ACCOUNTS_DIR, ACCOUNTS_BASE);
    let mount = format!("--mount=type=bind,from={},target={base}", chosen.image);
    let mut parts = vec![format!(
        "set -eu; a={dir}; mkdir -p \"$a\"; cp {base}/etc/passwd {base}/etc/group \"$a/\""
    )];
    if !a.groups.is_empty() {
        parts.push(format!(
            "for g in {}; do grep \"^$g:\" /etc/group >> \"$a/group\"; done",
            a.groups.join(" ")
        ));
    }
    if !a.users.is_empty() {
        parts.push(format!(
            "for u in {}; do grep \"^$u:\" /etc/passwd >> \"$a/passwd\"; g=$(id -g \"$u\"); \
             cut -d: -f3 \"$a/group\" | grep -qx \"$g\" || grep \"^[^:]*:[^:]*:$g:\" /etc/group >> \"$a/group\"; done",
            a.users.join(" ")
        ));
    }
    parts.push(
        "for f in passwd group; do d=$(cut -d: -f1 \"$a/$f\" | sort | uniq -d; cut -d: -f3 \"$a/$f\" | sort | uniq -d); \
         if [ -n \"$d\" ]; then echo \"dfsplit: /etc/$f would hold two accounts with the same name or id: $d\" >&2; exit 1; fi; done"
            .to_string(),
    );
    parts.push("chmod 644 \"$a/passwd\" \"$a/group\"".to_string());
    let cont = format!(" {}{}    ", w.i.df.escape, w.out.nl);
    let line = format!(
        "{} {mount}{cont}{}",
        w.out.kw("RUN"),
        parts.join(&format!(";{cont}"))
    );
    // The lookups pipe into `grep -q` on purpose (pipefail would turn its
    // early exit into a failure), and a loop over one account is the
    // general form written for one.
    w.out.blank();
    w.out.line("# hadolint ignore=DL4006,SC2043");
    w.add(
        build_name,
        line,
        ids::core::ACCOUNTS_COPIED,
        format!(
            "writes {}'s /etc/passwd and /etc/group with the lines the setup wrote for {} appended (and each user's primary group, when the base has no group of that id), for the runtime stage, whose base has no shell to create the accounts again; the ids are the ones the setup gave or useradd picked here, the same commands on the same image as the original",
            chosen.image,
            super::account_names(a)
        ),
    );
}

/// With `--non-root`: empty folders owned by the user, whose copies give the
/// runtime's folders that owner.
fn owned_folders(w: &mut Writer, l: &Layout) {
    let chosen = w.i.chosen;
    let build_name = &l.build_name;
    let Some(owner) = &chosen.owner else {
        return;
    };
    if chosen.owned.dirs.is_empty() {
        return;
    }
    let staged: Vec<String> = chosen
        .owned
        .dirs
        .iter()
        .enumerate()
        .map(|(n, d)| format!("{OWNED_DIRS}/{}/{}", n + 1, base_name(&d.path)))
        .collect();
    let line = format!(
        "{} mkdir -p {} && chown {owner} {}",
        w.out.kw("RUN"),
        staged.join(" "),
        staged.join(" ")
    );
    w.add(
        build_name,
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

/// Node: the dev dependencies removed at the end of the build.
fn prune(w: &mut Writer, l: &Layout) {
    let build_name = &l.build_name;
    let closure = w.i.closure;
    if let Some(PruneStep {
        command: cmd,
        rule,
        reason: why,
    }) = &closure.prune
    {
        let line = format!("{} {cmd}", w.out.kw("RUN"));
        w.add(build_name, line, rule, why.clone());
    }
}

/// Rust: the build a start command used to run at start (`cargo run`).
fn build_step(w: &mut Writer, l: &Layout) {
    if let Some(PruneStep {
        command,
        rule,
        reason,
    }) = &w.i.closure.build_step
    {
        let line = format!("{} {command}", w.out.kw("RUN"));
        w.add(&l.build_name, line, rule, reason.clone());
    }
}

/// Java: the runtime jlink builds at the end of the build stage, when the
/// base takes it.
fn jlink(w: &mut Writer, l: &Layout, su: &StageUser) {
    let Some(j) = w.i.closure.jlink.as_ref().filter(|_| w.i.chosen.jlink()) else {
        return;
    };
    let cont = format!(" {}{}    ", w.i.df.escape, w.out.nl);
    let line = format!("{} {}", w.out.kw("RUN"), java::jlink_script(j).join(&cont));
    let by_name: Vec<String> = java::BY_NAME
        .iter()
        .map(|(m, why)| format!("{m} ({why})"))
        .collect();
    w.out.blank();
    let back_to = su.user.as_deref().filter(|_| !su.is_root);
    if back_to.is_some() {
        let root = format!("{} root", w.out.kw("USER"));
        w.add(
            &l.build_name,
            root,
            ids::java::JLINK_RUNTIME,
            format!("jlink writes {} as root", java::JLINK_HOME),
        );
    }
    // The step pipes into `grep -q` on purpose (pipefail would turn its
    // early exit into a failure), changes directory in a subshell, and
    // splits the file lists jdeps takes on purpose (their paths are checked
    // to need no quoting): what linters flag there is the intent.
    w.out.line("# hadolint ignore=DL3003,DL4006,SC2086");
    w.add(
        &l.build_name,
        line,
        ids::java::JLINK_RUNTIME,
        format!(
            "a Java runtime with only the modules the app uses, for a runtime base without Java: jdeps reads {} (a Spring Boot jar unpacked first), and these modules, loaded by name where jdeps cannot see them, are added when the JDK has them: {}; jlink writes {} without debug symbols, man pages or headers, and the JDK's own trust store (cacerts) replaces java.base's so the app trusts the same certificates",
            j.inputs.join(", "),
            by_name.join("; "),
            java::JLINK_HOME
        ),
    );
    // Still as root, so the set-aside link is root's, as the builder's is.
    let line = format!("{} {}", w.out.kw("RUN"), java::localtime_set_aside());
    w.add(
        &l.build_name,
        line,
        ids::java::JLINK_LOCALTIME,
        "sets aside the builder's /etc/localtime as it is (a link stays a link), when it has one, for the runtime stage, whose base may have none: the JVM names its default time zone after the link's target (Etc/UTC in the official JDK images), and without the file it says GMT",
    );
    if let Some(user) = back_to {
        let line = format!("{} {user}", w.out.kw("USER"));
        w.add(
            &l.build_name,
            line,
            ids::java::JLINK_RUNTIME,
            "back to the build stage's own user",
        );
    }
}

/// The cache mount for a RUN, if one is safe: the download cache the step
/// fills (`StepInfo::cache_mount`, from the rules), when it runs as root.
pub(crate) fn cache_mount(info: &StepInfo, user_is_root: bool) -> Option<(&str, &str)> {
    let m = info.cache_mount.as_ref().filter(|_| user_is_root)?;
    Some((&m.target, &m.what))
}

/// An install moved before the `COPY . .` that preceded it.
pub(super) struct Reorder {
    /// Index (in the steps) of the `COPY . .`.
    pub(super) copy: usize,
    /// Index of the install.
    pub(super) install: usize,
    /// The manifests to copy first.
    pub(super) manifests: Vec<String>,
    /// The COPY's own flags (`--chown` …), repeated on the manifest COPY.
    pub(super) flags: String,
}

/// Finds `COPY . <dir>` followed (only configuration between) by an install
/// in that directory that reads nothing but manifests, and decides whether
/// installing before the sources gives the same result: no lifecycle scripts
/// or local paths in the manifests, and no folder in the context that the
/// sources COPY would lay over the installed one.
pub(super) fn reorder_install(
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
