//! Setup steps that work on files the runtime receives from the build
//! (`core/setup-order`).
//!
//! The runtime stage repeats setup steps (users, system files) before it
//! copies the app's files from the build stage. A step that, in the
//! original, came after the COPY that brought the file it works on
//! (`COPY entrypoint.sh /entrypoint.sh`, then `RUN chmod +x /entrypoint.sh`)
//! would find nothing there. The build stage runs the step where the
//! original did, so the copy holds what it made; what the runtime does with
//! the step depends on whether that copy carries all of it:
//!
//! - every path the step works on is a file the runtime copies (a copied
//!   file, or an entry inside a copied folder): the copy brings it with the
//!   mode, owner and content the step gave it, so the step is not repeated
//!   (`carried`). Repeating it would apply it twice (`sed -i`, `>>`, `ln`);
//! - otherwise the step is repeated after the copies (`after_copies`), and
//!   every later repeated step with it (the original's order), when
//!   what it does to the copied paths gives the same result when done again
//!   (`chmod`, `chown`, `chgrp` without `-R`): the top of a copied folder,
//!   which COPY creates as root with mode 755, as the original's COPY did,
//!   or the folders above a copied file;
//! - anything else leaves the file unchanged, with the reason.
//!
//! Order: only paths an earlier instruction (a COPY or ADD, or a command
//! that puts a file there) brought count; a step before the COPY already
//! comes before it in the runtime.

use super::entry::Entry;
use super::facts::{copy_target, gate_at, is_account_command};
use super::non_root::inside;
use super::steps::{CmdInfo, CmdKind, StepInfo, StepKind};
use super::types::{Closure, Gate};
use crate::model::{Context, join_path};
use crate::plan::rule_ids as ids;
use crate::rules::pattern::program_basename;
use crate::syntax::{Body, Dockerfile, shell};

/// Folders every base has: a step on one of them does not wait for a copy.
const BASE_DIRS: &[&str] = &[
    "/",
    "/bin",
    "/etc",
    "/home",
    "/lib",
    "/opt",
    "/root",
    "/sbin",
    "/srv",
    "/usr",
    "/usr/bin",
    "/usr/lib",
    "/usr/local",
    "/usr/local/bin",
    "/usr/local/etc",
    "/usr/local/lib",
    "/usr/local/sbin",
    "/usr/local/share",
    "/usr/sbin",
    "/usr/share",
    "/var",
    "/var/lib",
    "/var/log",
    "/tmp",
];

/// Something an earlier instruction put at `path`, and whether it is one
/// file (a COPY of one context file to a file name, or a command that puts
/// one file there).
struct Brought {
    path: String,
    line: usize,
    file: bool,
}

/// What happens to one replayed step.
enum Verdict {
    /// Nothing it works on comes from a copy: repeated before the copies.
    Before,
    /// The copies carry all it did (the copies named).
    Carried(Vec<String>),
    /// Repeated after the copies (the paths it waits for).
    After(Vec<String>),
}

/// Decides, for each setup step the runtime repeats, whether it stays
/// before the copies, waits for them, or is carried by them; a step that
/// can be neither leaves the file unchanged (`core/setup-order`).
pub(crate) fn order(
    c: &mut Closure,
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
) -> Result<(), Gate> {
    if c.replay.is_empty() {
        return Ok(());
    }
    let mut brought: Vec<Brought> = Vec::new();
    // The line of the first step repeated after the copies: every later
    // repeated step follows it there, so the steps keep the original's
    // order among themselves (a `useradd` it makes comes before a later
    // `chown` of that user).
    let mut after_since: Option<usize> = None;
    for info in infos {
        if c.replay.contains(&info.item) {
            match verdict(c, df, info, entry, &brought)? {
                Verdict::Before => {
                    if let Some(line) = after_since {
                        c.replay_after_copies.push((
                            info.item,
                            format!(
                                "changes system files or owners; repeated after the runtime's copies from the build because the step on line {line} before it is, so the steps run in the original's order"
                            ),
                        ));
                    }
                }
                Verdict::Carried(copies) => {
                    c.replay.retain(|i| *i != info.item);
                    c.carried.push((info.item, carried_reason(&copies)));
                }
                Verdict::After(paths) => c.replay_after_copies.push((
                    info.item,
                    {
                        after_since.get_or_insert(
                            df.instruction_at(info.item).map_or(0, |i| i.start_line),
                        );
                    format!(
                        "changes system files or owners, and works on {} that the runtime only has once its copies from the build are made: repeated after them, as the original ran it after the COPY that brought what it works on; what it does there (a mode or owner, or a link no copy brings) comes out as in the original",
                        paths.join(", ")
                    )
                    },
                )),
            }
        }
        brought.extend(brings(df, info, ctx));
    }
    Ok(())
}

fn carried_reason(copies: &[String]) -> String {
    format!(
        "changes files the runtime receives from the build ({}), after the COPY that brought them: the build stage runs it where the original did, and the runtime's copy carries what it made (mode, owner, content), so it is not repeated there (before the copy the file is not there, and after it the change would be made twice)",
        copies.join(", ")
    )
}

/// What one instruction puts in the image outside the runtime's reach
/// before the copies: a COPY/ADD's destination, the files a command puts
/// somewhere (`core/relocate`).
fn brings(df: &Dockerfile, info: &StepInfo, ctx: Option<&Context>) -> Vec<Brought> {
    let line = df.instruction_at(info.item).map_or(0, |i| i.start_line);
    match &info.kind {
        StepKind::CopyContext { .. } | StepKind::CopyOther(_) | StepKind::CopyTool { .. } => {
            let Some((dest, abs)) = copy_target(df, info) else {
                return Vec::new();
            };
            vec![Brought {
                file: one_file(df, info, ctx, &dest),
                path: abs,
                line,
            }]
        }
        _ => info
            .commands()
            .iter()
            .filter(|x| x.kind == CmdKind::Relocate)
            .flat_map(|x| x.produces.iter())
            // `cp -r dist /opt/app` moves a folder as well as a file, and
            // the top of a copied folder loses its owner and mode: never
            // taken for one file.
            .map(|p| Brought {
                path: p.clone(),
                line,
                file: false,
            })
            .collect(),
    }
}

/// A COPY from the context of one source that is a file there, to a name
/// that is not a folder (`COPY entrypoint.sh /entrypoint.sh`).
fn one_file(df: &Dockerfile, info: &StepInfo, ctx: Option<&Context>, dest: &str) -> bool {
    let (Some(ctx), StepKind::CopyContext { .. }) = (ctx, &info.kind) else {
        return false;
    };
    let Some(Body::Copy { paths, .. }) = df.instruction_at(info.item).map(|i| &i.body) else {
        return false;
    };
    if paths.len() != 2 || dest.ends_with('/') {
        return false;
    }
    let src = super::steps::copy_word(df, info, &paths[0].value);
    let src = join_path("/", &src);
    let src = src.trim_start_matches('/');
    !src.contains(['*', '?', '[']) && ctx.files.contains(src)
}

/// The verdict for one replayed step, from the paths its commands work on.
fn verdict(
    c: &Closure,
    df: &Dockerfile,
    info: &StepInfo,
    entry: &Entry,
    brought: &[Brought],
) -> Result<Verdict, Gate> {
    let cmds = info.commands();
    // Per command: the paths it works on (None: not read).
    let mut read: Vec<(&CmdInfo, Option<Vec<String>>)> = Vec::new();
    let mut moved = false;
    for x in cmds {
        let base = program(x);
        if base == Some("cd") {
            moved = true;
            read.push((x, Some(Vec::new())));
            continue;
        }
        let ops = match x.kind {
            CmdKind::UserSetup if !is_account_command(x) => operands(x, &info.workdir, moved),
            _ => Some(Vec::new()),
        };
        read.push((x, ops));
    }
    // Paths an earlier instruction brought that the runtime copies.
    // `creates`: the command makes entries (a link, a folder, a file, a
    // redirect's target), which needs the folder it makes them in.
    let waits = |p: &str, creates: bool| -> Option<&Brought> {
        if inside(&entry.workdir, p) || BASE_DIRS.contains(&p) {
            // The runtime's WORKDIR (and what holds it) is there before
            // the copies.
            return None;
        }
        // At or below what was brought, or a folder the COPY made for it
        // (`/etc/myapp` for `/etc/myapp/config.json`); a command that makes
        // entries also waits for anything below such a folder. A command
        // that changes an entry already there (`rm`, `sed -i`, `chmod` of
        // `/etc/nginx/sites-enabled/default` beside a copied
        // `/etc/nginx/conf.d/app.conf`) does not: the entry came from a
        // package or the base, which the runtime has before its copies.
        brought.iter().find(|b| {
            c.copies.iter().any(|k| covers(&k.to, &b.path))
                && (inside(p, &b.path)
                    || made_for(&b.path, &entry.workdir)
                        .iter()
                        .any(|d| p == d || (creates && inside(p, d))))
        })
    };
    let mut waiting: Vec<(&CmdInfo, String, &Brought)> = Vec::new();
    for (x, ops) in &read {
        let creates = !matches!(program(x), Some("chmod" | "chown" | "chgrp" | "sed" | "rm"));
        for p in ops.iter().flatten() {
            if let Some(b) = waits(p, creates) {
                waiting.push((x, p.clone(), b));
            }
        }
    }
    if waiting.is_empty() {
        return Ok(Verdict::Before);
    }
    // Carried: every command is a file command (or harmless) and every
    // path it works on is a file the runtime copies, or lies inside a
    // copied folder.
    let carried = |p: &str| -> Option<String> {
        c.copies.iter().find_map(|k| {
            let file_copy = brought.iter().any(|b| b.file && b.path == k.to);
            let ok = (p != k.to && covers(&k.to, p)) || (p == k.to && file_copy);
            ok.then(|| k.to.clone())
        })
    };
    let mut copies: Vec<String> = Vec::new();
    let all_carried = read.iter().all(|(x, ops)| match (&x.kind, ops) {
        (CmdKind::UserSetup, Some(ops)) if !is_account_command(x) => {
            !ops.is_empty()
                && ops.iter().all(|p| match carried(p) {
                    Some(k) => {
                        if !copies.contains(&k) {
                            copies.push(k);
                        }
                        true
                    }
                    None => false,
                })
        }
        (
            CmdKind::Harmless
            | CmdKind::PackageHousekeeping
            | CmdKind::WorkdirLocal
            | CmdKind::BuildConfig,
            _,
        ) => true,
        _ => false,
    });
    if all_carried {
        return Ok(Verdict::Carried(copies));
    }
    // After the copies: every command that works on a waiting path does
    // the same when done again, and every command's paths were read.
    // A symbolic link no copy brings is made where the copies made its
    // folder; the same link as in the original.
    let link_again = |x: &CmdInfo| {
        program(x) == Some("ln")
            && x.args.iter().flatten().any(|a| {
                a == "--symbolic" || (a.starts_with('-') && !a.starts_with("--") && a.contains('s'))
            })
            && operands(x, &info.workdir, false).is_some_and(|ops| {
                ops.iter()
                    .all(|p| carried(p).is_none() && !c.copies.iter().any(|k| covers(p, &k.to)))
            })
    };
    let again = |x: &CmdInfo| {
        link_again(x)
            || matches!(program(x), Some("chmod" | "chown" | "chgrp"))
                && !x.args.iter().flatten().any(|a| {
                    a == "-R"
                        || a == "--recursive"
                        || (a.starts_with('-') && !a.starts_with("--") && a.contains('R'))
                })
    };
    if let Some((x, p, b)) = waiting.iter().find(|(x, _, _)| !again(x)) {
        return Err(unsafe_order(df, info, x, p, b));
    }
    if let Some((x, _)) = read.iter().find(|(_, ops)| ops.is_none()) {
        let (_, p, b) = &waiting[0];
        return Err(gate_at(
            df,
            info.item,
            ids::core::SETUP_ORDER,
            format!(
                "this setup step works on {p}, which the COPY on line {} brought and the runtime receives from the build, so it must be repeated after that copy; what `{}` works on cannot be read, so it cannot be shown that the step does the same there",
                b.line, x.text
            ),
        ));
    }
    let mut paths: Vec<String> = Vec::new();
    for (_, p, _) in &waiting {
        if !paths.contains(p) {
            paths.push(p.clone());
        }
    }
    Ok(Verdict::After(paths))
}

/// The gate for a step the runtime can neither repeat nor take from a copy.
fn unsafe_order(df: &Dockerfile, info: &StepInfo, x: &CmdInfo, p: &str, b: &Brought) -> Gate {
    let after = if matches!(program(x), Some("chmod" | "chown" | "chgrp")) {
        "repeated after it, recursively, it would also change what later steps of the original put there after it ran"
    } else {
        "repeated after it the change would be made a second time"
    };
    gate_at(
        df,
        info.item,
        ids::core::SETUP_ORDER,
        format!(
            "`{}` works on {p}, which the instruction on line {} brought and the runtime receives from the build stage with this change already made; repeated before that copy it finds nothing there, {after}, and the copy does not carry all the step does",
            x.text, b.line
        ),
    )
}

/// What an instruction that brought `path` made: the path and the folders
/// above it, up to one every base has or that holds the runtime's WORKDIR.
fn made_for(path: &str, workdir: &str) -> Vec<String> {
    let mut out = vec![path.to_string()];
    let mut p = path.trim_end_matches('/');
    while let Some((parent, _)) = p.rsplit_once('/') {
        let parent = if parent.is_empty() { "/" } else { parent };
        if BASE_DIRS.contains(&parent) || inside(workdir, parent) {
            break;
        }
        out.push(parent.to_string());
        p = parent;
    }
    out
}

/// A runtime copy to `to` brings `path` (a glob copies from its folder).
fn covers(to: &str, path: &str) -> bool {
    if to.contains(['*', '?', '[']) {
        return false;
    }
    inside(path, to)
}

fn program(x: &CmdInfo) -> Option<&str> {
    x.program.as_deref().map(program_basename)
}

/// The paths a file-changing command works on, resolved against `workdir`
/// (`None`: not read — an operand with an expansion, an option this does
/// not know, a relative path after `cd`).
fn operands(x: &CmdInfo, workdir: &str, moved: bool) -> Option<Vec<String>> {
    let args: Vec<&str> = x
        .args
        .iter()
        .map(|a| a.as_deref())
        .collect::<Option<Vec<_>>>()?;
    let resolve = |a: &str| -> Option<String> {
        if !a.starts_with('/') && moved {
            return None;
        }
        Some(join_path(workdir, a))
    };
    let mut out = Vec::new();
    match program(x) {
        Some("chmod" | "chown" | "chgrp") => {
            let chmod = program(x) == Some("chmod");
            let mut first = true;
            for a in args {
                if a.starts_with("--reference=") {
                    first = false;
                    continue;
                }
                let option = a.starts_with('-')
                    && !(chmod && first && a[1..].chars().all(|ch| "rwxXst".contains(ch)));
                if option {
                    if !matches!(
                        a,
                        "-R" | "--recursive"
                            | "-f"
                            | "-v"
                            | "-c"
                            | "-h"
                            | "--silent"
                            | "--quiet"
                            | "--verbose"
                            | "--changes"
                            | "--no-dereference"
                    ) {
                        return None;
                    }
                    continue;
                }
                if first {
                    first = false;
                    continue;
                }
                out.push(resolve(a)?);
            }
        }
        Some("sed") => {
            let mut in_place = false;
            let mut script = false;
            let mut value = false;
            let mut files = Vec::new();
            for a in args {
                if value {
                    value = false;
                    continue;
                }
                match a {
                    "-i" | "--in-place" => in_place = true,
                    "-e" | "-f" | "--expression" | "--file" => {
                        script = true;
                        value = true;
                    }
                    "-E" | "-r" | "-n" | "--regexp-extended" | "--quiet" | "--silent" => {}
                    _ if a.starts_with('-') => return None,
                    _ if !script => script = true,
                    _ => files.push(a),
                }
            }
            if !in_place {
                return Some(Vec::new());
            }
            for f in files {
                out.push(resolve(f)?);
            }
        }
        Some("ln") => {
            let mut symbolic = false;
            let mut names = Vec::new();
            for a in args {
                if a.starts_with("--") {
                    match a {
                        "--symbolic" => symbolic = true,
                        "--force" | "--no-dereference" | "--verbose" => {}
                        _ => return None,
                    }
                } else if let Some(flags) = a.strip_prefix('-') {
                    if !flags.chars().all(|ch| "sfnv".contains(ch)) {
                        return None;
                    }
                    symbolic |= flags.contains('s');
                } else {
                    names.push(a);
                }
            }
            let (link, targets) = names.split_last()?;
            if targets.is_empty() {
                return None;
            }
            out.push(resolve(link)?);
            if !symbolic {
                for t in targets {
                    out.push(resolve(t)?);
                }
            }
        }
        Some("cp" | "mv" | "rm" | "mkdir" | "touch") => {
            for a in args {
                if a.starts_with('-') {
                    let flags = a.trim_start_matches('-');
                    if !flags.chars().all(|ch| "rRfpaPvnu".contains(ch))
                        && !matches!(a, "--parents" | "--recursive" | "--force")
                    {
                        return None;
                    }
                    continue;
                }
                out.push(resolve(a)?);
            }
        }
        Some("tar" | "unzip" | "find" | "xargs" | "install") | None => return None,
        // Output redirected outside the app (`echo … >> /etc/x`).
        _ => {
            let parsed = shell::parse(&x.text);
            for s in parsed.simple_commands() {
                for r in &s.redirects {
                    if r.op.contains('>') && !r.op.contains('&') {
                        let t = r.target.as_ref()?.literal.as_deref()?;
                        out.push(resolve(t)?);
                    }
                }
            }
        }
    }
    Some(out)
}
