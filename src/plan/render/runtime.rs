//! The runtime stage: its FROM, the ARGs and ENV its instructions use, the
//! packages and setup the app needs, what it copies from the build, and the
//! moved configuration with the start command.

use super::lines::{Out, add, json_array, parent_dir};
use super::{ACCOUNTS_DIR, OWNED_DIRS, STAGED_DIRS};
use super::{Layout, Place, Writer, env_keys, is_secret};
use crate::plan::accounts::{self, Home};
use crate::plan::base::EntryRewrite;
use crate::plan::closure::is_account_command;
use crate::plan::locale::locale_dir;
use crate::plan::profile::java;
use crate::plan::rule_ids as ids;
use crate::plan::types::{Addition, Closure, Location, Placement, Venv, Warning};
use crate::rules::PackageManager;
use crate::syntax::{Body, Keyword};
use std::collections::{BTreeMap, BTreeSet};

/// The runtime stage.
pub(super) fn stage(w: &mut Writer, l: &Layout) {
    from_line(w, l);
    args(w, l);
    env(w, l);
    packages(w, l);
    setup(w, l);
    workdir_after_setup(w, l);
    runtime_tools(w, l);
    forced_copies(w);
    certificates(w, l);
    copies(w, l);
    setup_after_copies(w, l);
    owned_folders(w, l);
    config(w, l);
}

/// The runtime base.
fn from_line(w: &mut Writer, l: &Layout) {
    let chosen = w.i.chosen;
    let runtime_name = &l.runtime_name;
    w.out.blank();
    let from_rt = format!(
        "{} {} {} {runtime_name}",
        w.out.kw("FROM"),
        chosen.image,
        w.out.kw("AS")
    );
    if chosen.untagged {
        // Distroless images carry no version tags: `latest` would only trade
        // one linter warning (DL3006) for another (DL3007).
        w.out.line("# hadolint ignore=DL3006");
    }
    w.add(
        runtime_name,
        from_rt,
        chosen.rule_id(),
        chosen.reason.clone(),
    );
}

/// ARGs the runtime instructions use.
fn args(w: &mut Writer, l: &Layout) {
    let (df, infos) = (w.i.df, w.i.infos);
    let (places, runtime_name) = (&l.places, &l.runtime_name);
    let runtime_items: Vec<usize> = infos
        .iter()
        .zip(places)
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
            Some(d) => format!("{} {name}={d}", w.out.kw("ARG")),
            None => format!("{} {name}", w.out.kw("ARG")),
        };
        w.add(
            runtime_name,
            line,
            ids::core::ARG_SCOPE,
            format!(
                "`{name}` is used by an instruction of the runtime stage, and an ARG must be declared in the stage that uses it"
            ),
        );
    }
}

/// ENV the app sees, byte for byte; the venv on PATH; the app's directory.
fn env(w: &mut Writer, l: &Layout) {
    let (df, infos, closure, entry) = (w.i.df, w.i.infos, w.i.closure, w.i.entry);
    let (places, runtime_name) = (&l.places, &l.runtime_name);
    let static_site = closure.static_site.as_ref();
    let mut runtime_env_keys: BTreeSet<String> = BTreeSet::new();
    for (n, info) in infos.iter().enumerate() {
        if info.keyword != Keyword::Env || places[n] != Place::Both {
            continue;
        }
        let keys = env_keys(df, info.item);
        let i = df.instruction_at(info.item).expect("instruction");
        // A pragma placed it: byte for byte, secrets included, as asked.
        let forced = w.i.forced.iter().any(|f| f.item == info.item);
        if keys.iter().any(|k| is_secret(k)) && !forced {
            // Rewrite without the secrets.
            if let Body::KeyValues { pairs } = &i.body {
                let kept: Vec<String> = pairs
                    .iter()
                    .filter(|p| !is_secret(&p.key.value))
                    .map(|p| format!("{}={}", p.key.value, p.value.value))
                    .collect();
                if !kept.is_empty() {
                    let line = format!("{} {}", w.out.kw("ENV"), kept.join(" "));
                    w.emit_moved(info.item, Some(&line), false);
                }
            }
            w.decide(info.item, Placement::BuildAndRuntime, ids::core::ENV_SECRET, "the build keeps it; the runtime gets its values without the ones named like secrets (tokens, passwords, keys)".into(), None);
        } else {
            w.emit_moved(info.item, None, false);
            runtime_env_keys.extend(keys);
        }
    }
    if let Some(Venv { path: venv, .. }) = &closure.venv {
        let line = format!(
            "{} VIRTUAL_ENV={venv} PATH=\"{venv}/bin:$PATH\"",
            w.out.kw("ENV")
        );
        w.add(
            runtime_name,
            line,
            ids::python::RT_VENV,
            "the venv's bin/ comes first on PATH, as the installed console scripts were on PATH in the original",
        );
    }
    if w.i.chosen.jlink() && closure.jlink.is_some() {
        let home = java::JLINK_HOME;
        let line = format!(
            "{} JAVA_HOME={home} PATH=\"{home}/bin:$PATH\"",
            w.out.kw("ENV")
        );
        w.add(
            runtime_name,
            line,
            ids::java::JLINK_RUNTIME,
            "the jlink runtime's bin/ comes first on PATH, so `java` starts it as it started the builder's JDK, and JAVA_HOME names it",
        );
    }
    if let Some((lang, from)) = &w.i.chosen.locale
        && !runtime_env_keys.contains("LANG")
        && !runtime_env_keys.contains("LC_ALL")
    {
        let line = format!("{} LANG={lang}", w.out.kw("ENV"));
        let id = w.i.chosen.rule_id();
        w.add(
            runtime_name,
            line,
            id,
            format!(
                "the app runs in the {lang} locale, as in the official Java images (openjdk and distroless java set LANG=C.UTF-8, Temurin en_US.UTF-8): without one the JVM reads and writes file names, and before Java 18 file contents, as ASCII{}",
                if from.is_some() { "; the base has no locale data, so it is copied in" } else { "" }
            ),
        );
    }
    if let Some(why) = &w.i.chosen.locale_dropped {
        // The base's own rule decided that no locale is set up; a LANG the
        // file sets itself is kept, and names a locale glibc cannot load.
        let own = ["LANG", "LC_ALL"]
            .into_iter()
            .find(|k| runtime_env_keys.contains(*k));
        let message = format!(
            "{why}: no LANG is added and no locale data copied, so the app runs in the POSIX locale{}, where a JVM reads and writes file names, and before Java 18 file contents, as ASCII (the official JDK images run in a UTF-8 locale)",
            own.map_or(String::new(), |k| format!(
                " (the file's own {k} names a locale whose data the base lacks, and glibc falls back)"
            ))
        );
        w.warnings.push(Warning {
            at: Location::near(w.i.df, w.i.model.final_stage().from_item),
            ..Warning::new(w.i.chosen.rule_id(), message)
        });
    }
    if entry.workdir != "/" && static_site.is_none() && !workdir_waits(w) {
        let line = format!("{} {}", w.out.kw("WORKDIR"), entry.workdir);
        w.add(
            runtime_name,
            line,
            ids::core::WORKDIR,
            "the app starts in the same directory as in the original",
        );
    }
}

/// Whether the runtime's WORKDIR waits for the repeated setup: it lies in a
/// home the setup creates before the original enters it.
fn workdir_waits(w: &Writer) -> bool {
    w.i.closure.workdir_in_home.is_some()
        && !w.i.chosen.setup_not_repeated()
        && w.i.closure.static_site.is_none()
}

/// The runtime's WORKDIR after the repeated setup that creates the home it
/// lies in, so the account command makes the home as in the original
/// (owner, mode, skeleton files) instead of finding a folder WORKDIR made.
fn workdir_after_setup(w: &mut Writer, l: &Layout) {
    let (Some(home), true) = (&w.i.closure.workdir_in_home, workdir_waits(w)) else {
        return;
    };
    let line = format!("{} {}", w.out.kw("WORKDIR"), w.i.entry.workdir);
    w.add(
        &l.runtime_name,
        line,
        ids::core::WORKDIR,
        format!(
            "the app starts in the same directory as in the original; set after the repeated setup, which creates the home {home} it lies in, so the account command makes that home (owner, mode, skeleton files) as in the original rather than finding a folder WORKDIR made"
        ),
    );
}

/// System packages the app needs at run time.
fn packages(w: &mut Writer, l: &Layout) {
    let (closure, chosen) = (w.i.closure, w.i.chosen);
    let runtime_name = &l.runtime_name;
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
                format!("{} apk add --no-cache {pkgs}", w.out.kw("RUN")),
            ),
            _ => (
                "DL3008",
                format!(
                    "{} apt-get update && apt-get install -y --no-install-recommends {pkgs} && apt-get clean && rm -rf /var/lib/apt/lists/*",
                    w.out.kw("RUN")
                ),
            ),
        };
        w.out.line(&format!("# hadolint ignore={ignore}"));
        let (rule, reason) = match &closure.library_note {
            Some((rule, note)) => (rule.as_str(), note.clone()),
            None => (
                ids::core::SYSTEM_PACKAGES,
                "runtime libraries of the build's -dev packages, packages the app may use, and the health check's tool; compilers and headers stay in the build stage".to_string(),
            ),
        };
        w.add(runtime_name, line, rule, reason);
    }
}

/// Setup steps repeated; on a base without a shell, the set-aside
/// directories copied in and the setup's decisions.
fn setup(w: &mut Writer, l: &Layout) {
    let (infos, closure, chosen) = (w.i.infos, w.i.closure, w.i.chosen);
    let (build_name, runtime_name, staged) = (&l.build_name, &l.runtime_name, &l.staged);
    carried(w);
    if !chosen.setup_not_repeated() {
        for item in closure
            .replay
            .iter()
            .filter(|i| !waits_for_copies(closure, **i))
        {
            w.emit_moved(*item, None, false);
        }
    } else {
        if let Some(a) = &chosen.accounts {
            let line = format!(
                "{} --from={build_name} --chown=0:0 {ACCOUNTS_DIR}/passwd {ACCOUNTS_DIR}/group /etc/",
                w.out.kw("COPY")
            );
            w.add(
                runtime_name,
                line,
                ids::core::ACCOUNTS_COPIED,
                format!(
                    "the base's own accounts plus {}, with the ids the build stage gave them, so {} the build gave resolve{} to the same names and ids as in the original; owned by root, as the base's files are",
                    super::account_names(a),
                    if closure.user.is_some() { "USER and every owner" } else { "every owner" },
                    if closure.user.is_some() { "" } else { "s" }
                ),
            );
        }
        for (n, dir) in staged.iter().enumerate() {
            let parent = parent_dir(dir);
            let line = format!(
                "{} --from={build_name} {STAGED_DIRS}/{}/ {parent}",
                w.out.kw("COPY"),
                n + 1
            );
            w.add(
                runtime_name,
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
            let copied = chosen.accounts.is_some();
            // What this step's account commands create, and whether the
            // original's USER names one of those users: only then is what
            // the explanation says of USER and HOME about this step.
            let created: Vec<accounts::Created> = cmds
                .iter()
                .filter(|c| is_account_command(c))
                .filter_map(|c| accounts::read(c).ok())
                .collect();
            let runs_as = closure
                .user
                .as_deref()
                .map(|u| u.split(':').next().unwrap_or(u))
                .and_then(|n| created.iter().find(|c| c.user.as_deref() == Some(n)));
            let (rule, what) = match (accounts, dirs) {
                (true, true) if copied && runs_as.is_some() => (
                    ids::core::ACCOUNTS_COPIED,
                    "creates the account the original runs as and directories for it; the runtime base has no shell to do it again, so it receives the account's lines of /etc/passwd and /etc/group, and the directories with their owner and mode, from the build stage",
                ),
                (true, true) if copied => (
                    ids::core::ACCOUNTS_COPIED,
                    "creates accounts and directories; the runtime base has no shell to do it again, so it receives the accounts' lines of /etc/passwd and /etc/group, and the directories with their owner and mode, from the build stage",
                ),
                (true, false) if copied && runs_as.is_some() => (
                    ids::core::ACCOUNTS_COPIED,
                    "creates the accounts; the runtime base has no shell to create them again, so it receives their lines of /etc/passwd and /etc/group from the build stage, and USER keeps the name",
                ),
                (true, false) if copied => (
                    ids::core::ACCOUNTS_COPIED,
                    "creates the accounts; the runtime base has no shell to create them again, so it receives their lines of /etc/passwd and /etc/group from the build stage",
                ),
                (true, true) => (ids::core::SYSTEM_SETUP, {
                    "creates the account the original runs as and directories for it; the runtime base has no shell to do it again, so its USER names the numeric ids and the directories are copied from the build stage with their owner and mode"
                }),
                (false, true) => (ids::core::SYSTEM_SETUP, {
                    "creates directories and gives them an owner or mode; the runtime base has no shell to do it again, so they are copied from the build stage with their owner and mode"
                }),
                _ => (ids::core::SYSTEM_SETUP, {
                    "creates the account the original runs as; the runtime base has no shell to create it again, so its USER names the numeric ids"
                }),
            };
            let mut what = what.to_string();
            if let Some(a) = &chosen.accounts {
                // The homes this step's account commands create: copied
                // with the other directories, or none made (CREATE_HOME).
                let homes: Vec<&Home> = created.iter().map(|c| &c.home).collect();
                let home_path = |h: &Home| match h {
                    Home::Made(p) | Home::ByLoginDefs(p) if a.homes.contains(p) => Some(p.clone()),
                    _ => None,
                };
                let carried: Vec<String> = homes.iter().filter_map(|h| home_path(h)).collect();
                if !carried.is_empty() {
                    // HOME is the home of the user the app runs as: said
                    // only when USER names the account whose home this is.
                    let users_home = runs_as.and_then(|c| home_path(&c.home));
                    what.push_str(&format!(
                        "; the home directory it creates ({}) is set aside as the setup left it, skeleton files, owner and mode included, and copied in, so {}",
                        carried.join(", "),
                        if users_home.is_some() {
                            "HOME is there and writable as in the original"
                        } else if carried.len() == 1 {
                            "it is there with the owner and mode it has in the original"
                        } else {
                            "they are there with the owners and modes they have in the original"
                        }
                    ));
                }
                if homes.iter().any(|h| matches!(h, Home::ByLoginDefs(_)))
                    && let Some(note) = &a.login_defs
                    && carried.is_empty()
                {
                    what.push_str(&format!("; {note}"));
                }
            }
            w.decide(*item, Placement::Build, rule, what, info);
        }
    }
}

/// Whether a replayed step works on a path the runtime receives from the
/// build, and so comes after the copies (`core/setup-order`).
fn waits_for_copies(closure: &Closure, item: usize) -> bool {
    closure.replay_after_copies.iter().any(|(i, _)| *i == item)
}

/// Setup steps whose effect the runtime's copies carry: build stage only
/// (`core/setup-order`). A step a pragma puts back in the runtime is not.
fn carried(w: &mut Writer) {
    let closure = w.i.closure;
    for (item, why) in &closure.carried {
        if closure.replay.contains(item) || closure.kept.contains(item) {
            continue;
        }
        let info = w.i.infos.iter().find(|i| i.item == *item);
        w.decide(
            *item,
            Placement::Build,
            ids::core::SETUP_ORDER,
            why.clone(),
            info,
        );
    }
}

/// Setup steps that work on a path the runtime receives from the build,
/// repeated after the copies, in the original's order, as the original ran
/// them after the COPY that brought the path (`core/setup-order`).
fn setup_after_copies(w: &mut Writer, _l: &Layout) {
    let (closure, chosen, infos) = (w.i.closure, w.i.chosen, w.i.infos);
    if chosen.setup_not_repeated() {
        return;
    }
    for item in closure
        .replay
        .iter()
        .filter(|i| waits_for_copies(closure, **i))
    {
        w.emit_moved(*item, None, false);
        let why = closure
            .replay_after_copies
            .iter()
            .find(|(i, _)| i == item)
            .map(|(_, why)| why.clone())
            .unwrap_or_default();
        let info = infos.iter().find(|i| i.item == *item);
        w.decide(
            *item,
            Placement::BuildAndRuntime,
            ids::core::SETUP_ORDER,
            why,
            info,
        );
    }
}

/// Global tools the container runs, installed by the original's own
/// command (`node/install-global-runtime-tool`), before the app's files so
/// the layer stays cached when only the app changes.
fn runtime_tools(w: &mut Writer, l: &Layout) {
    for tool in &w.i.closure.runtime_tools {
        // The original's line carries the same hadolint finding (DL3016,
        // an unpinned npm package) when it has no version: said once there.
        let unpinned = tool
            .command
            .split_whitespace()
            .skip(2)
            .any(|a| !a.starts_with('-') && !a.trim_start_matches('@').contains('@'));
        if unpinned {
            w.out.line("# hadolint ignore=DL3016");
        }
        let line = format!("{} {}", w.out.kw("RUN"), tool.command);
        w.add(&l.runtime_name, line, &tool.rule, tool.reason.clone());
    }
}

/// COPY instructions `# dfsplit: runtime` places in the runtime, byte for
/// byte, before the files the runtime takes from the build (which hold the
/// build's final state of them).
fn forced_copies(w: &mut Writer) {
    for item in &w.i.closure.forced_copies {
        w.emit_moved(*item, None, false);
    }
}

/// scratch: CA certificates and time zones.
fn certificates(w: &mut Writer, l: &Layout) {
    let chosen = w.i.chosen;
    let (build_name, runtime_name) = (&l.build_name, &l.runtime_name);
    if chosen.copy_ca_certs {
        let line = format!(
            "{} --from={build_name} /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt",
            w.out.kw("COPY")
        );
        w.add(
            runtime_name,
            line,
            ids::go::RT_CA_CERTS,
            "scratch has no CA certificates and the program makes TLS calls (net/http, crypto/tls)",
        );
    }
    if chosen.copy_tzdata {
        let line = format!(
            "{} --from={build_name} /usr/share/zoneinfo /usr/share/zoneinfo",
            w.out.kw("COPY")
        );
        w.add(
            runtime_name,
            line,
            ids::go::RT_TZDATA,
            "scratch has no time zone database and the program loads locations",
        );
    }
}

/// What the app needs from the build, and nginx's server block.
fn copies(w: &mut Writer, l: &Layout) {
    let (closure, chosen) = (w.i.closure, w.i.chosen);
    let (build_name, runtime_name) = (&l.build_name, &l.runtime_name);
    let static_site = closure.static_site.as_ref();
    // No `--chown` on these copies: COPY --from keeps the owners the build
    // stage's own COPY --chown and RUN steps gave (seen with BuildKit, built
    // without the cache), which are the original's; a name there would be
    // looked up in the runtime base, which may not have it.
    // With --non-root, what lands in a folder the user owns comes owned by
    // it too (numeric ids: every base resolves them).
    if chosen.jlink() && closure.jlink.is_some() {
        let home = java::JLINK_HOME;
        let line = format!("{} --from={build_name} {home} {home}", w.out.kw("COPY"));
        w.add(
            runtime_name,
            line,
            ids::java::JLINK_RUNTIME,
            "the Java runtime jlink built in the build stage; the base has none",
        );
        let line = format!(
            "{} --from={build_name} {}/ /etc/",
            w.out.kw("COPY"),
            java::LOCALTIME_SET_ASIDE
        );
        w.add(
            runtime_name,
            line,
            ids::java::JLINK_LOCALTIME,
            "the builder's /etc/localtime, copied as a folder so that a link stays a link: the JVM's default time zone (TimeZone.getDefault, ZoneId.systemDefault, dates in logs) is the link's target, Etc/UTC in the official JDK images, where without it distroless cc says GMT",
        );
    }
    if let Some((lang, Some(from))) = &chosen.locale {
        let dir = locale_dir(lang);
        let line = format!(
            "{} --from={from} /usr/lib/locale/{dir} /usr/lib/locale/{dir}",
            w.out.kw("COPY")
        );
        let id = chosen.rule_id();
        w.add(
            runtime_name,
            line,
            id,
            format!("the {lang} locale's data, which this base lacks, from an image of the same release (locale files follow its C library)"),
        );
    }
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
            w.out.kw("COPY")
        );
        w.add(runtime_name, line, &copy.rule, copy.reason.clone());
    }
    if static_site.is_some() {
        let line = format!(
            "{} --from={build_name} {} {}",
            w.out.kw("COPY"),
            crate::plan::profile::node::static_site::CONFIG_IN_BUILD,
            crate::plan::profile::node::static_site::CONFIG_IN_RUNTIME
        );
        w.add(
            runtime_name,
            line,
            ids::core::STATIC_SITE,
            "the server block replaces the image's default server",
        );
    }
}

/// With `--non-root`: the folders the user owns, copied over.
fn owned_folders(w: &mut Writer, l: &Layout) {
    let chosen = w.i.chosen;
    let (build_name, runtime_name) = (&l.build_name, &l.runtime_name);
    if let Some(owner) = &chosen.owner {
        for (n, d) in chosen.owned.dirs.iter().enumerate() {
            let line = format!(
                "{} --from={build_name} {OWNED_DIRS}/{}/ {}",
                w.out.kw("COPY"),
                n + 1,
                parent_dir(&d.path)
            );
            w.add(
                runtime_name,
                line,
                ids::core::NON_ROOT,
                format!(
                    "gives {} to {owner} ({}), mode 755; what the folder holds stays",
                    d.path, d.why
                ),
            );
        }
    }
}

/// Moved configuration, in original order; a generated USER goes before the
/// start command (after every RUN and COPY of the stage).
fn config(w: &mut Writer, l: &Layout) {
    let (infos, entry, chosen) = (w.i.infos, w.i.entry, w.i.chosen);
    let (places, runtime_name) = (&l.places, &l.runtime_name);
    let original_user = infos.iter().any(|i| i.keyword == Keyword::User);
    let mut user_line = match (&chosen.user, original_user) {
        (Some((user, why)), false) => Some((format!("{} {user}", w.out.kw("USER")), why.clone())),
        _ => None,
    };
    let mut emit_user = |out: &mut Out, additions: &mut Vec<Addition>| {
        if let Some((line, why)) = user_line.take() {
            add(
                out,
                additions,
                runtime_name,
                line,
                ids::core::NON_ROOT,
                format!("asked for with --non-root: {why}"),
            );
        }
    };
    for (n, info) in infos.iter().enumerate() {
        let p = places[n];
        let kept = w.i.closure.kept.contains(&info.item);
        if !matches!(p, Place::Runtime | Place::Both)
            || matches!(info.keyword, Keyword::Env | Keyword::Run) && !kept
            || w.i.closure.forced_copies.contains(&info.item)
        {
            continue;
        }
        if matches!(info.keyword, Keyword::Cmd | Keyword::Entrypoint) {
            emit_user(&mut w.out, &mut w.additions);
        }
        if info.keyword == Keyword::User
            && let Some(ids) = &chosen.numeric_user
        {
            let line = format!("{} {ids}", w.out.kw("USER"));
            w.emit_moved(info.item, Some(&line), false);
            w.decide(
                info.item,
                if p == Place::Both {
                    Placement::BuildAndRuntime
                } else {
                    Placement::Runtime
                },
                ids::core::USER_NUMERIC,
                format!(
                    "{}, so the runtime runs as its numeric ids: `{line}`{}",
                    if chosen.image == "scratch" {
                        "scratch has no /etc/passwd to look a name up in"
                    } else {
                        "the runtime base has no shell to create the account"
                    },
                    chosen.accounts_not_copied.as_ref().map_or(String::new(), |why| format!(
                        "; its lines of /etc/passwd and /etc/group are not copied in instead [{}]: {why}, so a lookup of the name or id finds no account (HOME is /, getpwuid fails) where the original found one",
                        ids::core::ACCOUNTS_COPIED
                    ))
                ),
                None,
            );
            continue;
        }
        if let Some(start) = w.i.closure.start.as_ref().filter(|s| s.item == info.item) {
            let line = format!("{} {}", w.out.kw(start.keyword), json_array(&start.args));
            w.emit_moved(info.item, Some(&line), true);
            w.decide(
                info.item,
                Placement::Runtime,
                &start.rule,
                format!("{}: `{line}`", start.reason),
                None,
            );
            continue;
        }
        if let Some(h) =
            w.i.closure
                .health_exec
                .as_ref()
                .filter(|h| h.item == info.item && chosen.spec.as_ref().is_some_and(|s| !s.shell))
            && let Some(inst) = w.i.df.instruction_at(info.item)
        {
            // The instruction as written (flags, continuations), with only
            // the command's bytes replaced by the JSON array.
            let text = w.i.df.text(&inst.span);
            let (from, to) = (h.span.start - inst.span.start, h.span.end - inst.span.start);
            let line = format!(
                "{}{}{}",
                &text[..from],
                json_array(&h.words),
                text[to..].trim_end_matches(['\r', '\n'])
            );
            w.emit_moved(info.item, Some(&line), true);
            w.decide(
                info.item,
                Placement::Runtime,
                ids::core::HEALTHCHECK_EXEC,
                format!(
                    "the runtime base has no shell to run the shell form, and the check is one program with plain words, the same program the start command runs, so in exec form it runs the same: `{}`",
                    json_array(&h.words)
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
            let line = format!("{} {}", w.out.kw(keyword), json_array(args));
            w.emit_moved(info.item, Some(&line), true);
            w.decide(
                info.item,
                Placement::Runtime,
                ids::core::ENTRY_TRANSLATION,
                format!("{why}: `{line}`"),
                None,
            );
            continue;
        }
        w.emit_moved(info.item, None, p == Place::Runtime);
    }
    emit_user(&mut w.out, &mut w.additions);
}
