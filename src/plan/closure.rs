//! The runtime closure: what the running app needs from the build. This
//! file does what every language shares (system packages, setup steps,
//! users, files outside the app), then asks the profile's module in
//! `profile/`; it never names a language.

use super::entry::Entry;
pub(crate) use super::facts::is_account_command;
use super::facts::{gate, gate_at, push_copy, runs_as_non_root};
use super::non_root::inside;
use super::profile;
use super::steps::{CmdInfo, CmdKind, StepInfo, StepKind};
use super::types::{Closure, Gate, NumericAccount};
use crate::model::{Context, join_path};
use crate::plan::rule_ids as ids;
use crate::plan::types::Warning;
use crate::rules::{PackageManager, Rules};
use crate::syntax::shell;
use crate::syntax::{Body, Command, Dockerfile, Keyword};
use std::collections::BTreeSet;

#[allow(clippy::too_many_arguments)]
pub(crate) fn runtime_closure(
    profile: &str,
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
    rules: &Rules,
    builder: &str,
    build_only: &[usize],
) -> Result<Closure, Gate> {
    let mut c = Closure {
        needs_shell: entry.shell_form,
        ..Closure::default()
    };
    if ctx.is_none() {
        c.warnings.push(Warning::new(
            ids::core::NO_CONTEXT,
            "no build context: working from the Dockerfile alone, so the rewrite copies more than it might need",
        ));
    }
    common(&mut c, df, infos, entry, build_only, builder)?;
    let facts = rules.builder_facts(builder);
    c.accounts
        .settle_homes(facts.release.as_ref().map(|(r, _)| r));
    c.numeric_account = numeric_account(&c, &facts);
    homes_left_as_made(&mut c, df, infos, entry);
    workdir_in_home(&mut c, df, infos, entry);
    let input = profile::Input {
        df,
        infos,
        entry,
        ctx,
        rules,
        builder,
    };
    language(profile)?.closure(&mut c, &input)?;
    // Once the profile has said what the runtime copies.
    super::setup_order::order(&mut c, df, infos, entry, ctx)?;
    Ok(c)
}

/// What the builder's accounts say of the original's USER when it is a
/// numeric uid ([`NumericAccount`]).
fn numeric_account(c: &Closure, facts: &crate::rules::BuilderFacts) -> NumericAccount {
    let Some(name) = c.user.as_deref().map(|u| u.split(':').next().unwrap_or(u)) else {
        return NumericAccount::None;
    };
    if name.is_empty() || !name.chars().all(|ch| ch.is_ascii_digit()) {
        return NumericAccount::None;
    }
    let Ok(uid) = name.parse::<u32>() else {
        return NumericAccount::None;
    };
    // root and nobody: every base with /etc/passwd has them, with the same
    // homes (scratch has none, and is the numeric fall-back's own case).
    if uid == 0 || uid == 65534 {
        return NumericAccount::None;
    }
    // The setup creates it (a fixed id, or useradd's pick, which is the
    // same in the build stage): its lines are copied or the setup repeated.
    let fixed = c
        .account_ids
        .values()
        .any(|v| v.split(':').next() == Some(name));
    let picked = c
        .created_users
        .iter()
        .any(|u| !c.account_ids.contains_key(u));
    if fixed || picked && facts.account_by_uid(uid).ok().flatten().is_none() {
        return NumericAccount::None;
    }
    match facts.account_by_uid(uid) {
        Ok(Some(a)) => NumericAccount::Builder(a.clone()),
        Err(why) => NumericAccount::Unknown(why),
        Ok(None) if uid < 1000 => NumericAccount::System(format!(
            "uid {uid} is in the range of the builder's distribution's system accounts (Debian's daemon 1, www-data 33, _apt 42, …), which the catalogue does not list by id"
        )),
        Ok(None) => NumericAccount::None,
    }
}

/// The language module of `profile`, or why there is none.
fn language(profile: &str) -> Result<&'static dyn profile::Language, Gate> {
    profile::language(profile).ok_or_else(|| {
        gate(
            ids::core::NO_PROFILE,
            format!("the `{profile}` profile has no runtime plan yet"),
        )
    })
}

/// What a final stage that only receives artifacts needs from its base: the
/// app kind of the profile, plus the user, volumes and health check.
pub(crate) fn stage_needs(
    profile: &str,
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
) -> Result<Closure, Gate> {
    let mut c = Closure {
        needs_shell: entry.shell_form,
        ..Closure::default()
    };
    // No builder here: a health check's tool is installed with apt, as before.
    common(&mut c, df, infos, entry, &[], "")?;
    let kind = language(profile)?.stage_kind(&mut c, ctx);
    c.app_kind = Some(kind);
    Ok(c)
}

/// System packages, user setup, files put outside the app, the user and the
/// health check: the same for every profile. Steps in `build_only` (placed
/// there by `# dfsplit: build`) add nothing: no packages, setup, copies or
/// health-check tools.
fn common(
    c: &mut Closure,
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &Entry,
    build_only: &[usize],
    builder: &str,
) -> Result<(), Gate> {
    // Directories `mkdir` has created in the setup steps so far.
    let mut made_dirs: Vec<String> = Vec::new();
    let app_dirs: BTreeSet<&str> = infos
        .iter()
        .map(|i| i.workdir.as_str())
        .chain([entry.workdir.as_str()])
        .collect();
    for info in infos.iter().filter(|i| !build_only.contains(&i.item)) {
        let (setup, other) = read_commands(c, info.commands());
        if setup {
            setup_step(c, df, info, other, &mut made_dirs)?;
        }
        outside_copy(c, df, info, &app_dirs);
    }
    // The build stage copies the created directories aside as root at its
    // end; a non-root USER that later build steps run under would still be
    // in force there, and could not keep their owners.
    if !c.owned_dirs.is_empty()
        && let Some(last_user) = infos.iter().rposition(|i| i.keyword == Keyword::User)
        && infos[last_user + 1..].iter().any(|i| {
            matches!(
                i.kind,
                StepKind::Run(_)
                    | StepKind::CopyContext { .. }
                    | StepKind::CopyOther(_)
                    | StepKind::CopyTool { .. }
            ) && runs_as_non_root(i)
        })
    {
        c.replay_needs_shell = true;
    }
    workdir_gate(df, infos, entry)?;
    // The user the app runs as.
    c.user = infos
        .iter()
        .rev()
        .find(|i| i.keyword == Keyword::User)
        .and_then(|i| match &df.instruction_at(i.item)?.body {
            Body::Text { text: Some(t) } => Some(crate::model::expand(&t.value, &i.env, df.escape)),
            _ => None,
        });
    let kept: Vec<StepInfo> = infos
        .iter()
        .filter(|i| !build_only.contains(&i.item))
        .cloned()
        .collect();
    health_check_tools(c, df, &kept, entry, builder);
    Ok(())
}

/// What one step's commands add: system packages (CA certificates and
/// zoneinfo as flags), users created, files relocated outside the app.
/// Returns whether the step sets up users or system files, and whether it
/// also does anything else.
fn read_commands(c: &mut Closure, cmds: &[CmdInfo]) -> (bool, bool) {
    let mut setup = false;
    let mut other = false;
    for cmd in cmds {
        match &cmd.kind {
            CmdKind::Packages {
                manager, runtime, ..
            } => {
                c.package_manager = Some(*manager);
                for p in runtime {
                    match p.as_str() {
                        // Data the distroless bases ship and scratch can receive by copy.
                        "ca-certificates" => c.needs_ca_certs = true,
                        "tzdata" => c.needs_tzdata = true,
                        _ => {
                            if !c.packages.contains(p) {
                                c.packages.push(p.clone());
                            }
                        }
                    }
                }
            }
            CmdKind::UserSetup => {
                setup = true;
                if matches!(
                    cmd.program.as_deref(),
                    Some("useradd" | "adduser" | "groupadd" | "addgroup")
                ) && let Some(name) = account_name(cmd)
                {
                    c.created_users.push(name);
                }
            }
            CmdKind::Relocate => {
                for p in &cmd.produces {
                    push_copy(
                        c,
                        p,
                        ids::core::RELOCATE,
                        "the build puts this file outside the application directory, and the runtime may use it",
                    );
                }
            }
            CmdKind::Harmless
            | CmdKind::PackageHousekeeping
            | CmdKind::WorkdirLocal
            | CmdKind::BuildConfig => {}
            _ => other = true,
        }
    }
    (setup, other)
}

/// A setup step the runtime repeats (as root, before its USER): refused when
/// it also builds or runs as another user; else recorded with the
/// directories it creates and the accounts it makes.
fn setup_step(
    c: &mut Closure,
    df: &Dockerfile,
    info: &StepInfo,
    other: bool,
    made_dirs: &mut Vec<String>,
) -> Result<(), Gate> {
    let cmds = info.commands();
    if other {
        return Err(gate_at(
            df,
            info.item,
            ids::core::MIXED_SETUP,
            "one RUN both builds and changes system files or users; it cannot be split safely",
        ));
    }
    if runs_as_non_root(info) {
        // The runtime repeats setup steps before its USER, as root.
        return Err(gate_at(
            df,
            info.item,
            ids::core::SYSTEM_SETUP,
            format!(
                "a setup step the runtime must repeat runs as `{}`; repeated before the runtime's USER it would run as root and leave root-owned files",
                info.user.as_deref().unwrap_or_default()
            ),
        ));
    }
    c.replay.push(info.item);
    match owned_dir_ops(cmds, &info.workdir, made_dirs) {
        Some(dirs) => {
            for d in dirs {
                if !c.owned_dirs.contains(&d) {
                    c.owned_dirs.push(d);
                }
            }
        }
        None => c.replay_needs_shell = true,
    }
    for x in cmds.iter().filter(|x| is_account_command(x)) {
        record_ids(c, x);
        c.accounts.record(x);
    }
    Ok(())
}

/// The homes the account commands create are set aside as the setup left
/// them, as the owned directories are: at the end of the build stage, only
/// faithful when no build step writes into them after the setup. When the
/// build only works inside the app's own directory and that directory lies
/// in the home (`useradd -m app`, `WORKDIR /home/app`, `COPY . .`), the home
/// is set aside right after the setup step that creates it instead, before
/// the build enters it: the runtime then receives the home as the setup
/// left it and the app's files from the profile's copies, as any app
/// directory. A step writing elsewhere in a home, a setup step touching it
/// after the build entered it, or a build step run as a non-root user
/// (whose HOME, caches included, may be one of them) refuses carrying the
/// accounts (`core/accounts-copied`), with the reason.
fn homes_left_as_made(c: &mut Closure, df: &Dockerfile, infos: &[StepInfo], entry: &Entry) {
    if c.accounts.homes.is_empty() {
        return;
    }
    let app_dir = entry.workdir.as_str();
    // The position of the setup step that creates each home.
    let makers: Vec<(String, Option<usize>)> = c
        .accounts
        .homes
        .iter()
        .map(|h| (h.clone(), home_maker(c, infos, h)))
        .collect();
    for (n, info) in infos.iter().enumerate() {
        if c.replay.contains(&info.item) {
            continue;
        }
        let builds = matches!(
            info.kind,
            StepKind::Run(_)
                | StepKind::CopyContext { .. }
                | StepKind::CopyOther(_)
                | StepKind::CopyTool { .. }
        );
        if !builds && info.keyword != Keyword::Workdir {
            continue;
        }
        let line = df
            .instruction_at(info.item)
            .map(|i| super::types::first_line(df, i))
            .unwrap_or_default();
        if builds && runs_as_non_root(info) {
            c.accounts.refuse_because(format!(
                "`{line}` builds as `{}`, whose HOME (caches included) may be the home directory the setup creates, so a copy of it at the end of the build would not be the setup's",
                info.user.as_deref().unwrap_or_default()
            ));
            return;
        }
        let dest = match df.instruction_at(info.item).map(|i| &i.body) {
            Some(Body::Copy { paths, .. }) if builds => paths
                .last()
                .map(|d| join_path(&info.workdir, &super::steps::copy_word(df, info, &d.value))),
            _ => None,
        };
        let written: Vec<&str> = info
            .commands()
            .iter()
            .flat_map(|x| x.produces.iter().map(String::as_str))
            .chain(dest.as_deref())
            .chain(std::iter::once(info.workdir.as_str()))
            .collect();
        for (h, maker) in &makers {
            let Some(p) = written.iter().find(|p| inside(p, h)) else {
                continue;
            };
            // Inside the app's directory, which lies in the home, after
            // the setup made it: the home is set aside before this step.
            let early = match maker {
                Some(m)
                    if *m < n
                        && inside(app_dir, h)
                        && written.iter().all(|w| !inside(w, h) || inside(w, app_dir)) =>
                {
                    // After the last setup step before the build enters
                    // the app's directory; none may touch the home later.
                    let last = (*m..n)
                        .rev()
                        .find(|k| c.replay.contains(&infos[*k].item))
                        .unwrap_or(*m);
                    setup_touches_after(c, infos, h, n).map_or(Ok(infos[last].item), Err)
                }
                _ => Err(format!(
                    "`{line}` works or writes in {p}, inside the home directory {h} the setup creates, so a copy of it at the end of the build would carry the build's files"
                )),
            };
            match early {
                Ok(item) => {
                    if !c.accounts.set_aside_early.iter().any(|(e, _)| e == h) {
                        c.accounts.set_aside_early.push((h.clone(), item));
                    }
                }
                Err(why) => {
                    c.accounts.refuse_because(why);
                    return;
                }
            }
        }
    }
}

/// The position (in `infos`) of the setup step whose account command
/// creates `home`.
fn home_maker(c: &Closure, infos: &[StepInfo], home: &str) -> Option<usize> {
    infos.iter().position(|i| {
        c.replay.contains(&i.item)
            && i.commands()
                .iter()
                .filter(|x| is_account_command(x))
                .filter_map(|x| super::accounts::read(x).ok())
                .any(|cr| {
                    matches!(&cr.home, super::accounts::Home::Made(p) | super::accounts::Home::ByLoginDefs(p) if p == home)
                })
    })
}

/// A setup step after position `from` that names a path in `home`: a home
/// set aside before the build entered it would miss what that step did.
fn setup_touches_after(c: &Closure, infos: &[StepInfo], home: &str, from: usize) -> Option<String> {
    infos[from..]
        .iter()
        .filter(|i| c.replay.contains(&i.item))
        .flat_map(|i| i.commands().iter().map(move |x| (i, x)))
        .find(|(i, x)| {
            x.args
                .iter()
                .flatten()
                .any(|a| a.starts_with('/') && inside(&join_path(&i.workdir, a), home))
        })
        .map(|(_, x)| {
            format!(
                "`{}` changes the home directory {home} after the build has entered it, so it cannot be set aside as the setup left it before the build's files",
                x.text
            )
        })
}

/// Whether the runtime's WORKDIR lies in a home a setup step creates before
/// the original enters it (`useradd -m app`, then `WORKDIR /home/app`): a
/// base with a shell must run that step before the WORKDIR, else the
/// WORKDIR makes the folder first (root's, empty) and the account command
/// leaves it so. The setup then runs where the base starts, as it ran at /
/// in the original; when a setup step ran in another directory and names
/// a relative path there, a base with a shell is not offered
/// (`replay_refused`).
fn workdir_in_home(c: &mut Closure, df: &Dockerfile, infos: &[StepInfo], entry: &Entry) {
    let Some((home, maker)) = c
        .accounts
        .homes
        .iter()
        .filter(|h| inside(&entry.workdir, h))
        .find_map(|h| Some((h.clone(), home_maker(c, infos, h)?)))
    else {
        return;
    };
    // The original entered the home before the setup made it: the WORKDIR
    // came first there too.
    if infos[..maker].iter().any(|i| inside(&i.workdir, &home)) {
        return;
    }
    // Account commands name absolute paths only (a relative home is
    // refused); another command's relative operand depends on where it runs.
    let relative = |x: &CmdInfo| {
        !is_account_command(x)
            && x.args
                .iter()
                .any(|a| a.as_deref().is_none_or(|a| !a.starts_with(['-', '/'])))
    };
    if let Some((i, x)) = infos
        .iter()
        .filter(|i| c.replay.contains(&i.item) && i.workdir != "/")
        .find_map(|i| i.commands().iter().find(|x| relative(x)).map(|x| (i, x)))
    {
        c.replay_refused = Some(format!(
            "the app's directory {} lies in the home {home} the setup creates, so the setup must be repeated before the runtime enters it, where the base starts; `{}` on line {} names a relative path and ran in {}, not /",
            entry.workdir,
            x.text,
            df.instruction_at(i.item).map_or(0, |x| x.start_line),
            i.workdir
        ));
        return;
    }
    c.workdir_in_home = Some(home);
}

/// Files copied in from the context outside the application directories
/// (a config under /etc, a script in /usr/local/bin) are runtime files.
fn outside_copy(c: &mut Closure, df: &Dockerfile, info: &StepInfo, app_dirs: &BTreeSet<&str>) {
    let in_app = |path: &str| {
        app_dirs.iter().any(|d| {
            *d != "/" && (path == *d || path.starts_with(&format!("{}/", d.trim_end_matches('/'))))
        })
    };
    if let StepKind::CopyContext { .. } = info.kind
        && let Some((dest, abs)) = super::facts::copy_target(df, info)
        && dest.starts_with('/')
        && !in_app(&abs)
        && abs != "/"
    {
        push_copy(
            c,
            &abs,
            ids::core::OUTSIDE_FILES,
            "put outside the application directory by a COPY (configuration, scripts): the runtime gets it at the same path",
        );
    }
}

/// WORKDIR under a non-root USER creates the directory owned by that user;
/// the runtime stage sets its WORKDIR before its USER, as root.
fn workdir_gate(df: &Dockerfile, infos: &[StepInfo], entry: &Entry) -> Result<(), Gate> {
    if let Some(info) = infos.iter().rev().find(|i| i.keyword == Keyword::Workdir)
        && info.workdir == entry.workdir
        && runs_as_non_root(info)
    {
        return Err(gate_at(
            df,
            info.item,
            ids::core::WORKDIR,
            format!(
                "WORKDIR {} comes after USER {}, so the original creates it owned by that user; the runtime stage would create it as root",
                info.workdir,
                info.user.as_deref().unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

/// A HEALTHCHECK runs inside the runtime image: the tool it calls (curl,
/// wget) is a runtime package, and a shell-form check needs a shell —
/// unless [`health_exec`] shows its exec form runs the same. The package
/// comes from the builder's own package manager when no install step names
/// one: apk after an Alpine builder (whose runtime is Alpine too, the C
/// library being musl), else apt; BusyBox's wget, which every Alpine image
/// has, is not installed at all.
fn health_check_tools(
    c: &mut Closure,
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &Entry,
    builder: &str,
) {
    for info in infos {
        let Some(inst) = df.instruction_at(info.item) else {
            continue;
        };
        if let Body::Health {
            health:
                crate::syntax::Health::Check {
                    command: Some(cmd), ..
                },
        } = &inst.body
        {
            let words: Vec<String> = match cmd {
                Command::Exec(a) => a.iter().map(|a| a.value.clone()).collect(),
                Command::Shell(a) => {
                    match health_exec(df, info.item, a, entry) {
                        Some(h) => c.health_exec = Some(h),
                        None => c.needs_shell = true,
                    }
                    shell::parse(&a.value)
                        .simple_commands()
                        .filter_map(|s| s.name().map(str::to_string))
                        .collect()
                }
            };
            let alpine = builder.contains("alpine");
            for tool in ["curl", "wget"] {
                // Alpine images have BusyBox's wget, and the runtime after an
                // Alpine builder is Alpine too: the check keeps the very
                // wget the original ran (GNU wget would answer options
                // BusyBox's does not know differently).
                if alpine && tool == "wget" {
                    continue;
                }
                if words.iter().any(|w| w == tool) && !c.packages.iter().any(|p| p == tool) {
                    c.packages.push(tool.to_string());
                    c.package_manager
                        .get_or_insert(if builder.contains("alpine") {
                            PackageManager::Apk
                        } else {
                            PackageManager::Apt
                        });
                }
            }
        }
    }
}

/// A shell-form health check `/bin/sh -c` would run as one program with
/// plain words, when that program is the one the exec-form entry starts
/// (so the runtime is shown to find it on its PATH): written as a JSON
/// array it runs the same without a shell (`core/healthcheck-exec`).
/// Plain words: letters, digits and `_ . / : = , @ % + -`, none starting
/// with `~` or holding an `=` in the first word (an assignment) — no
/// quotes, variables, globs, redirections or operators the shell would
/// act on. The command's text must be one piece of the source.
fn health_exec(
    df: &Dockerfile,
    item: usize,
    a: &crate::syntax::Arg,
    entry: &Entry,
) -> Option<super::types::HealthExec> {
    if entry.shell_form || df.text(&a.span) != a.value {
        return None;
    }
    let words: Vec<String> = a.value.split_whitespace().map(str::to_string).collect();
    let plain = |w: &str| {
        w.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "_./:=,@%+-".contains(ch))
    };
    let first = words.first()?;
    if first.contains('=') || !words.iter().all(|w| plain(w)) {
        return None;
    }
    // Shell reserved words and builtins would not be programs.
    if matches!(
        first.as_str(),
        "exit" | "test" | "[" | "true" | "false" | "cd" | "exec" | "if" | "!" | "echo"
    ) || entry.argv.first() != Some(first)
    {
        return None;
    }
    Some(super::types::HealthExec {
        item,
        span: a.span.clone(),
        words,
    })
}

/// Folders every image has, which a setup step may change but the runtime
/// must not receive whole from the build stage.
const SYSTEM_DIRS: &[&str] = &[
    "/",
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/lib64",
    "/media",
    "/mnt",
    "/opt",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/srv",
    "/sys",
    "/tmp",
    "/usr",
    "/usr/bin",
    "/usr/lib",
    "/usr/local",
    "/usr/local/bin",
    "/usr/local/lib",
    "/usr/local/share",
    "/usr/sbin",
    "/usr/share",
    "/var",
    "/var/cache",
    "/var/lib",
    "/var/log",
    "/var/run",
    "/var/tmp",
];

/// The directories a setup RUN creates, when every command of it that
/// changes the system is an account command or `mkdir` / `chown` / `chmod`
/// of directories `mkdir` created (here or in an earlier setup step):
/// then a base without a shell can receive those directories, owner and
/// mode included, by a copy from the build stage. `None` when it does more.
fn owned_dir_ops(
    cmds: &[super::steps::CmdInfo],
    workdir: &str,
    made: &mut Vec<String>,
) -> Option<Vec<String>> {
    let mut created = Vec::new();
    for x in cmds {
        let prog = x
            .program
            .as_deref()
            .map(|p| p.rsplit('/').next().unwrap_or(p));
        let operands = |skip_first: bool| -> Option<Vec<String>> {
            let mut out = Vec::new();
            let mut first = skip_first;
            for a in &x.args {
                let a = a.as_deref()?;
                if a.starts_with('-') {
                    // Only recursion (-R) and parents (-p): a flag with a
                    // value (mkdir -m) or any other is not understood here.
                    if !matches!(a, "-p" | "--parents" | "-R" | "--recursive") {
                        return None;
                    }
                    continue;
                }
                if first {
                    first = false;
                    continue;
                }
                out.push(join_path(workdir, a));
            }
            (!out.is_empty()).then_some(out)
        };
        match prog {
            Some("mkdir") => {
                let dirs = operands(false)?;
                for d in dirs {
                    if !made.contains(&d) {
                        made.push(d.clone());
                    }
                    created.push(d);
                }
            }
            Some("chown" | "chmod") => {
                // The owner or mode comes first; every target must be a
                // directory mkdir created, or a parent `mkdir -p` may have
                // created that is not one of the system's own folders.
                for t in operands(true)? {
                    let parent_of_made = made
                        .iter()
                        .any(|m| m.starts_with(&format!("{}/", t.trim_end_matches('/'))));
                    if made.contains(&t) {
                        continue;
                    }
                    if !parent_of_made || SYSTEM_DIRS.contains(&t.as_str()) {
                        return None;
                    }
                    made.push(t.clone());
                    created.push(t);
                }
            }
            _ if x.kind != CmdKind::UserSetup || is_account_command(x) => {}
            _ => return None,
        }
    }
    Some(created)
}

/// Records the numeric id an account command gives its user or group.
/// The account a `useradd`/`adduser`/`groupadd`/`addgroup` creates: its
/// first operand, the values of the options skipped (`adduser -S app -u
/// 1001` creates `app`, not `1001`; `adduser app staff` adds `app` to
/// `staff`). None when an operand has an expansion.
fn account_name(cmd: &super::steps::CmdInfo) -> Option<String> {
    let mut args = cmd.args.iter();
    while let Some(a) = args.next() {
        let a = a.as_deref()?;
        match a {
            "-u" | "--uid" | "-g" | "--gid" | "-G" | "--groups" | "--ingroup" | "-s"
            | "--shell" | "-d" | "--home" | "--home-dir" | "-c" | "--comment" | "--gecos"
            | "-h" | "-k" | "--skel" | "-e" | "-f" | "-K" | "-p" | "--password" | "-R"
            | "--root" | "-b" | "--base-dir" | "--firstuid" | "--lastuid" | "--firstgid"
            | "--lastgid" | "--conf" => {
                args.next();
            }
            _ if a.starts_with('-') => {}
            _ => return Some(a.to_string()),
        }
    }
    None
}

fn record_ids(c: &mut Closure, cmd: &super::steps::CmdInfo) {
    let args: Vec<&str> = cmd
        .args
        .iter()
        .map(|a| a.as_deref().unwrap_or(""))
        .collect();
    let is_group = matches!(cmd.program.as_deref(), Some("groupadd" | "addgroup"));
    // `adduser -g` is BusyBox's GECOS comment (Debian's adduser has no
    // `-g`), not a group: `adduser -D -u 1000 -g 'App user' app`.
    let gecos_g = cmd.program.as_deref() == Some("adduser");
    let mut id = None;
    let mut group = None;
    let mut name = None;
    let mut k = 0;
    while k < args.len() {
        let a = args[k];
        let value = |k: usize| args.get(k + 1).map(|v| v.to_string());
        match a {
            "-u" | "--uid" if !is_group => {
                id = value(k);
                k += 1;
            }
            "-g" | "--gid" if is_group => {
                id = value(k);
                k += 1;
            }
            "-g" if gecos_g => k += 1,
            "-g" | "--gid" | "-G" | "--ingroup" => {
                group = value(k);
                k += 1;
            }
            "-s" | "--shell" | "-d" | "--home" | "--home-dir" | "-c" | "--comment" | "--gecos"
            | "-h" | "-k" | "-e" | "-f" | "-K" => k += 1,
            _ if a.starts_with("--uid=") && !is_group => id = Some(a[6..].to_string()),
            _ if a.starts_with("--gid=") => {
                if is_group {
                    id = Some(a[6..].to_string())
                } else {
                    group = Some(a[6..].to_string())
                }
            }
            _ if a.starts_with('-') => {}
            _ => name = Some(a.to_string()),
        }
        k += 1;
    }
    let (Some(name), Some(id)) = (name, id) else {
        return;
    };
    if !id.chars().all(|ch| ch.is_ascii_digit()) {
        return;
    }
    let key = if is_group {
        format!("group:{name}")
    } else {
        name
    };
    let value = match group {
        Some(g) if !is_group => format!("{id}:{g}"),
        _ => id,
    };
    c.account_ids.insert(key, value);
}
