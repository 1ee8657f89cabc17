//! Small readings of the classified steps that the shared closure and the
//! language modules both use: where a path is produced, which line an item
//! is on, a gate. Imports nothing above `steps`, `types` and `rule_ids`.

use super::steps::{CmdKind, PATH_DIRS, StepInfo, StepKind};
use super::types::{Closure, CopySpec, Gate, Location};
use crate::model::join_path;
use crate::rules::Role;
use crate::syntax::{Body, Dockerfile};
use std::collections::BTreeSet;

/// A gate about the whole file.
pub(crate) fn gate(rule: &str, message: impl Into<String>) -> Gate {
    Gate {
        rule: rule.into(),
        message: message.into(),
        at: None,
    }
}

/// A gate about instruction `item`, which its message names in words.
pub(crate) fn gate_near(
    df: &Dockerfile,
    item: usize,
    rule: &str,
    message: impl Into<String>,
) -> Gate {
    Gate {
        rule: rule.into(),
        message: message.into(),
        at: Location::near(df, item),
    }
}

/// A gate about instruction `item`, cited as `line N:`.
pub(crate) fn gate_at(
    df: &Dockerfile,
    item: usize,
    rule: &str,
    message: impl Into<String>,
) -> Gate {
    Gate {
        rule: rule.into(),
        message: message.into(),
        at: Location::of(df, item),
    }
}

/// Whether `path` matches `pattern` (which may hold `*`).
pub(crate) fn path_matches(pattern: &str, path: &str) -> bool {
    crate::rules::pattern::glob_match(pattern, path)
}

pub(crate) fn push_copy(c: &mut Closure, path: &str, rule: &str, reason: &str) {
    if !c.copies.iter().any(|x| x.from == path) {
        c.copies.push(CopySpec {
            from: path.to_string(),
            to: path.to_string(),
            rule: rule.into(),
            reason: reason.into(),
        });
    }
}

pub(crate) fn line_of(df: &Dockerfile, item: usize) -> usize {
    df.instruction_at(item).map_or(0, |i| i.start_line)
}

/// Paths produced by commands with the given role (and files the build moves
/// out of the working directory), with the rule ids.
pub(crate) fn produced(infos: &[StepInfo], role: Role) -> Vec<(String, String)> {
    infos
        .iter()
        .flat_map(|i| i.commands())
        .filter(|c| {
            matches!(&c.kind, CmdKind::Profile { role: r, .. } if *r == role)
                || c.kind == CmdKind::Relocate
        })
        .flat_map(|c| c.produces.iter().map(move |p| (p.clone(), c.rule.clone())))
        .collect()
}

/// Resolves the entry program to an absolute path, if it names a file.
pub(crate) fn resolve_program(
    prog: &str,
    workdir: &str,
    produced: &[(String, String)],
) -> Option<String> {
    if prog.starts_with('/') {
        return Some(prog.to_string());
    }
    if prog.contains('/') {
        return Some(join_path(workdir, prog));
    }
    produced
        .iter()
        .find(|(p, _)| {
            let (dir, name) = p.rsplit_once('/').unwrap_or(("", p));
            name == prog && PATH_DIRS.contains(&dir)
        })
        .map(|(p, _)| p.clone())
}

/// Where a COPY or ADD writes: its last path with ENV/ARG substituted, as
/// written, and resolved against the step's working directory (`COPY app
/// /app` before any WORKDIR → `/app`); `None` for another instruction.
pub(crate) fn copy_target(df: &Dockerfile, info: &StepInfo) -> Option<(String, String)> {
    let Some(Body::Copy { paths, .. }) = df.instruction_at(info.item).map(|x| &x.body) else {
        return None;
    };
    let dest = super::steps::copy_word(df, info, &paths.last()?.value);
    let abs = join_path(&info.workdir, &dest);
    Some((dest, abs))
}

/// The first COPY of sources (not only manifests) whose destination lies
/// outside `app`, the directory the app starts in, as (line, destination):
/// the runtime copies `app` alone, so what lands elsewhere would be missing.
pub(crate) fn sources_outside(
    df: &Dockerfile,
    infos: &[StepInfo],
    app: &str,
) -> Option<(usize, String)> {
    let app = app.trim_end_matches('/');
    infos.iter().find_map(|i| {
        let StepKind::CopyContext {
            manifests_only: false,
            ..
        } = &i.kind
        else {
            return None;
        };
        let (dest, abs) = copy_target(df, i)?;
        if dest.starts_with('/')
            && !dest.starts_with(&format!("{app}/"))
            && dest.trim_end_matches('/') != app
        {
            // Absolute paths outside the app are the common outside files.
            return None;
        }
        let inside = abs.trim_end_matches('/') == app || abs.starts_with(&format!("{app}/"));
        (!inside).then_some((i.item, abs))
    })
}

/// Whether the step runs under a USER other than root.
pub(crate) fn runs_as_non_root(info: &StepInfo) -> bool {
    info.user.as_deref().is_some_and(|u| {
        let name = u.split(':').next().unwrap_or(u);
        name != "root" && name != "0"
    })
}

pub(crate) fn list<'a>(items: impl Iterator<Item = &'a String>) -> String {
    let v: BTreeSet<&String> = items.collect();
    v.into_iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `useradd`, `adduser`, `groupadd`, `addgroup`.
pub(crate) fn is_account_command(c: &super::steps::CmdInfo) -> bool {
    matches!(
        c.program.as_deref(),
        Some("useradd" | "adduser" | "groupadd" | "addgroup")
    )
}
