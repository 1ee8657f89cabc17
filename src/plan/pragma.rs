//! Pragmas: comments in the Dockerfile that tell dfsplit what to do,
//! hadolint-style — `# dfsplit: ignore-file` (leave the file as it is), and
//! the placement pragmas `# dfsplit: runtime`, `# dfsplit: build` and
//! `# dfsplit: keep` on the instruction below.
//!
//! `ignore-file` leaves the file unchanged. A placement pragma is the
//! user's decision about the next instruction below it, which the planner
//! carries out ([`placements`] reads them; the closure, the base choice and
//! render honour them) or, when it cannot be honoured safely, leaves the
//! file unchanged with a gate naming the pragma's line — never placed
//! otherwise in silence. An unknown `dfsplit:` word (a typo) gates too.
//!
//! - `runtime`: the instruction is in the runtime stage. A RUN or COPY stays
//!   in the build stage as well (later build steps see it, as in the
//!   original) and is repeated in the runtime before the files it takes from
//!   the build; the base must have a shell, and the package manager the RUN
//!   uses. Only commands that do not read what the build made qualify.
//! - `build`: the instruction is kept out of the runtime; what it produces
//!   is copied only when the runtime needs it anyway (with a warning).
//! - `keep`: the instruction stays byte for byte in the final stage at its
//!   place among the original's instructions there (a RUN or COPY after the
//!   files the runtime takes from the build); a start command is never
//!   translated for the base.

use crate::plan::Location;
use crate::plan::rule_ids as ids;
use crate::plan::steps::{CmdKind, StepInfo, StepKind};
use crate::plan::types::{Closure, Gate};
use crate::syntax::{Body, Dockerfile, Item, Keyword, Span, TriviaKind};

/// A pragma and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pragma {
    /// The word after `dfsplit:` (`ignore-file`, `runtime`, `build`, `keep`, …).
    pub word: String,
    /// The comment line (its line ending excluded).
    pub at: Location,
    /// Its index in the file's items.
    pub item: usize,
}

/// Every `# dfsplit: WORD` comment of `df`, in order.
pub(crate) fn pragmas(df: &Dockerfile) -> Vec<Pragma> {
    let src = df.source.as_str();
    let mut out = Vec::new();
    for (index, item) in df.items.iter().enumerate() {
        let Item::Trivia(t) = item else { continue };
        if t.kind != TriviaKind::Comment {
            continue;
        }
        let text = &src[t.span.clone()];
        let line_text = text.trim_end_matches(['\r', '\n']);
        let Some(rest) = line_text.trim_start().strip_prefix('#') else {
            continue;
        };
        let Some(word) = rest.trim_start().strip_prefix("dfsplit:") else {
            continue;
        };
        let word = word.split_whitespace().next().unwrap_or("").to_string();
        let span: Span = t.span.start..t.span.start + line_text.len();
        out.push(Pragma {
            word,
            at: Location {
                line: src[..t.span.start].matches('\n').count() + 1,
                span,
                cited: true,
            },
            item: index,
        });
    }
    out
}

/// What a placement pragma asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Force {
    Runtime,
    Build,
    Keep,
}

/// A placement pragma and the instruction it places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Forced {
    /// The instruction (an index into the file's items).
    pub item: usize,
    pub force: Force,
    /// The pragma itself.
    pub pragma: Pragma,
}

impl Forced {
    /// `` `# dfsplit: runtime` (line 9) ``, for decisions and warnings
    /// (which are located at the instruction).
    pub fn name(&self) -> String {
        format!("{} (line {})", self.word(), self.pragma.at.line)
    }

    /// `` `# dfsplit: runtime` ``, for gates (located at the pragma's line).
    pub fn word(&self) -> String {
        format!("`# dfsplit: {}`", self.pragma.word)
    }
}

/// The gate of a pragma that cannot be honoured: at its line, so the user
/// sees which comment it is about.
pub(crate) fn refuse(p: &Pragma, message: String) -> Gate {
    Gate {
        rule: ids::core::PRAGMA_PLACEMENT.into(),
        message,
        at: Some(p.at.clone()),
    }
}

/// The placement pragmas of `df`, each with the instruction below it; a
/// gate for a word dfsplit does not know, a pragma with no instruction
/// below, one above a FROM or a global ARG, or two on one instruction.
pub(crate) fn placements(df: &Dockerfile) -> Result<Vec<Forced>, Gate> {
    let first_from = df
        .items
        .iter()
        .position(|i| matches!(i, Item::Instruction(inst) if inst.keyword == Keyword::From));
    let mut out: Vec<Forced> = Vec::new();
    for p in pragmas(df) {
        let force = match p.word.as_str() {
            "ignore-file" => continue,
            "runtime" => Force::Runtime,
            "build" => Force::Build,
            "keep" => Force::Keep,
            other => {
                return Err(refuse(
                    &p,
                    format!(
                        "`# dfsplit: {other}` is not a pragma dfsplit knows (ignore-file, runtime, build, keep); the file is left as it is"
                    ),
                ));
            }
        };
        let below = df.items[p.item + 1..]
            .iter()
            .position(|i| !matches!(i, Item::Trivia(_)))
            .map(|k| p.item + 1 + k);
        let Some(item) = below.filter(|k| df.instruction_at(*k).is_some()) else {
            return Err(refuse(
                &p,
                format!(
                    "`# dfsplit: {}` has no instruction below it to place; the file is left as it is",
                    p.word
                ),
            ));
        };
        let inst = df.instruction_at(item).expect("an instruction");
        if inst.keyword == Keyword::From || first_from.is_none_or(|f| item < f) {
            return Err(refuse(
                &p,
                format!(
                    "`# dfsplit: {}` is above `{}`, which is not placed in a stage (a FROM, or an ARG before the first FROM); the file is left as it is",
                    p.word,
                    crate::plan::first_line(df, inst)
                ),
            ));
        }
        if let Some(other) = out.iter().find(|f| f.item == item) {
            return Err(refuse(
                &p,
                format!(
                    "{} and `# dfsplit: {}` (line {}) both place `{}`; keep one",
                    other.name(),
                    p.word,
                    p.at.line,
                    crate::plan::first_line(df, inst)
                ),
            ));
        }
        out.push(Forced {
            item,
            force,
            pragma: p,
        });
    }
    Ok(out)
}

/// The items placement pragmas send to the build only.
pub(crate) fn build_only(forced: &[Forced]) -> Vec<usize> {
    forced
        .iter()
        .filter(|f| f.force == Force::Build)
        .map(|f| f.item)
        .collect()
}

/// Carries `runtime` and `keep` into the closure (and checks every pragma
/// against the plan): a RUN or COPY the runtime must repeat, what the base
/// then needs (a shell, a package manager, no translated start command);
/// a gate at the pragma's line when one cannot be honoured safely.
pub(crate) fn apply(
    df: &Dockerfile,
    infos: &[StepInfo],
    forced: &[Forced],
    c: &mut Closure,
    runtime_workdir: &str,
) -> Result<(), Gate> {
    let last_user = infos.iter().rposition(|i| i.keyword == Keyword::User);
    for f in forced {
        let Some((n, info)) = infos.iter().enumerate().find(|(_, i)| i.item == f.item) else {
            continue;
        };
        let text = crate::plan::first_line(df, df.instruction_at(f.item).expect("instruction"));
        let refuse = |why: String| {
            Err(refuse(
                &f.pragma,
                format!(
                    "{} asks for `{text}` {}, but {why}; the file is left as it is",
                    f.word(),
                    match f.force {
                        Force::Runtime => "in the runtime stage",
                        Force::Build => "in the build stage only",
                        Force::Keep => "to stay where it is, in the final stage",
                    }
                ),
            ))
        };
        let static_moves = c.static_site.is_some()
            && matches!(
                info.keyword,
                Keyword::Cmd | Keyword::Entrypoint | Keyword::Env
            )
            || c.static_site.is_some() && info.keyword == Keyword::User && Some(n) == last_user;
        match (f.force, &info.keyword) {
            (Force::Build, _) => match info.keyword {
                Keyword::Cmd | Keyword::Entrypoint if c.static_site.is_none() => {
                    return refuse("the runtime stage needs its start command".into());
                }
                Keyword::User if Some(n) == last_user && c.static_site.is_none() => {
                    return refuse("the runtime runs as the original's last USER (core/same-user): a split does not change who the app runs as".into());
                }
                _ => still_copied(df, info, f, c),
            },
            (_, _) if static_moves => {
                return refuse("nginx serves the site in the runtime with its own start command, user and environment (core/static-site)".into());
            }
            (_, Keyword::Run) => {
                for cmd in info.commands() {
                    let why = match &cmd.kind {
                        CmdKind::Harmless | CmdKind::UserSetup | CmdKind::PackageHousekeeping => {
                            None
                        }
                        CmdKind::Packages { manager, .. } => {
                            c.forced_package_manager = Some(*manager);
                            None
                        }
                        CmdKind::Profile { .. } | CmdKind::BuildConfig => Some(format!(
                            "`{}` runs a build tool, which the runtime base is not shown to have",
                            cmd.text
                        )),
                        CmdKind::Relocate | CmdKind::WorkdirLocal => Some(format!(
                            "`{}` works on files of the build; the runtime takes the files it needs from the build stage, where this step has run",
                            cmd.text
                        )),
                        CmdKind::Unknown => {
                            Some(format!("`{}` is a command no rule knows", cmd.text))
                        }
                    };
                    if let Some(why) = why {
                        return refuse(why);
                    }
                }
                let after_last_user = last_user.is_some_and(|u| u < n);
                if crate::plan::facts::runs_as_non_root(info)
                    && !(f.force == Force::Keep && after_last_user)
                {
                    return refuse(format!(
                        "it runs as `{}`, and the runtime would run it as root, before its USER",
                        info.user.as_deref().unwrap_or_default()
                    ));
                }
                c.forced_shell = true;
                // Packages this RUN installs itself are not installed a second time.
                let own: Vec<String> = info
                    .commands()
                    .iter()
                    .flat_map(|cmd| match &cmd.kind {
                        CmdKind::Packages { runtime, .. } => runtime.clone(),
                        _ => Vec::new(),
                    })
                    .collect();
                let others: Vec<String> = infos
                    .iter()
                    .filter(|i| i.item != f.item)
                    .flat_map(|i| i.commands())
                    .flat_map(|cmd| match &cmd.kind {
                        CmdKind::Packages { runtime, .. } => runtime.clone(),
                        _ => Vec::new(),
                    })
                    .collect();
                c.packages
                    .retain(|p| !own.contains(p) || others.contains(p));
                place(c, f, true);
            }
            (_, Keyword::Copy | Keyword::Add) => {
                let StepKind::CopyContext { .. } = info.kind else {
                    return refuse("it does not copy from the build context".into());
                };
                let inst = df.instruction_at(f.item).expect("instruction");
                if let Some(chown) = inst.flags.iter().find(|fl| fl.name == "chown") {
                    let v = chown.value.as_deref().unwrap_or("");
                    let numeric = v
                        .split(':')
                        .all(|p| p.chars().all(|ch| ch.is_ascii_digit()));
                    if !numeric && v.split(':').next() != Some("root") {
                        return refuse(format!(
                            "`--chown={v}` names an account the runtime base may not have (give numeric ids)"
                        ));
                    }
                }
                let dest = match &inst.body {
                    Body::Copy { paths, .. } => paths
                        .last()
                        .map(|d| super::steps::copy_word(df, info, &d.value))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                let runtime_dir = if c.static_site.is_some() {
                    "/"
                } else {
                    runtime_workdir
                };
                if !dest.starts_with('/') && info.workdir != runtime_dir {
                    return refuse(format!(
                        "its destination `{dest}` is relative to {}, and the runtime works in {runtime_dir}",
                        info.workdir
                    ));
                }
                place(c, f, false);
            }
            (Force::Keep, Keyword::Cmd | Keyword::Entrypoint) => c.keep_entry = true,
            (Force::Keep, Keyword::User) if Some(n) == last_user => c.forced_shell = true,
            (Force::Runtime | Force::Keep, Keyword::Env) => {}
            (
                _,
                Keyword::Cmd
                | Keyword::Entrypoint
                | Keyword::Expose
                | Keyword::Label
                | Keyword::Stopsignal
                | Keyword::Healthcheck
                | Keyword::Maintainer
                | Keyword::Volume,
            ) => {}
            (_, Keyword::User) if Some(n) == last_user => {}
            (_, Keyword::User) => {
                return refuse("only the original's last USER is the runtime's".into());
            }
            (_, Keyword::Workdir) => {
                return refuse(format!(
                    "the runtime sets its own working directory, the one the app starts in ({runtime_workdir})"
                ));
            }
            (_, Keyword::Arg) => {
                return refuse(
                    "the runtime declares the ARGs its own instructions use (core/arg-scope)"
                        .into(),
                );
            }
            (_, _) => {
                return refuse("this instruction cannot be placed in the runtime".into());
            }
        }
    }
    Ok(())
}

/// `# dfsplit: build` on a step whose output the runtime still takes from
/// the build (the start command or the app's directory needs it): a warning,
/// since the user may expect it gone.
fn still_copied(df: &Dockerfile, info: &StepInfo, f: &Forced, c: &mut Closure) {
    let outputs: Vec<String> = match &info.kind {
        StepKind::Run(cmds) => cmds.iter().flat_map(|x| x.produces.clone()).collect(),
        StepKind::CopyContext { .. } => match df.instruction_at(info.item).map(|i| &i.body) {
            Some(Body::Copy { paths, .. }) => paths
                .last()
                .map(|d| {
                    crate::model::join_path(
                        &info.workdir,
                        &super::steps::copy_word(df, info, &d.value),
                    )
                })
                .into_iter()
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let covered = outputs.iter().find_map(|p| {
        c.copies
            .iter()
            .find(|cp| {
                let from = cp.from.trim_end_matches('/');
                p.trim_end_matches('/') == from || p.starts_with(&format!("{from}/")) || from == "/"
            })
            .map(|cp| (p.clone(), cp.from.clone()))
    });
    if let Some((out, from)) = covered {
        c.warnings.push(crate::plan::Warning::at(
            df,
            info.item,
            ids::core::PRAGMA_PLACEMENT,
            format!(
                "{}: the step stays out of the runtime stage, but the runtime still takes {from} from the build, which holds what it makes ({out}): the app needs it",
                f.name()
            ),
        ));
    }
}

/// A RUN or COPY the runtime repeats: `runtime` before the files it takes
/// from the build (with the setup steps), `keep` at its place among the
/// original's instructions.
fn place(c: &mut Closure, f: &Forced, run: bool) {
    match f.force {
        Force::Runtime if run => {
            if !c.replay.contains(&f.item) {
                c.replay.push(f.item);
                c.replay.sort_unstable();
            }
            c.replay_needs_shell = true;
        }
        Force::Runtime => c.forced_copies.push(f.item),
        Force::Keep => {
            c.replay.retain(|i| *i != f.item);
            c.kept.push(f.item);
        }
        Force::Build => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dfsplit_comments_only() {
        let df = crate::syntax::parse(
            "# dfsplit: ignore-file\nFROM a\n  #dfsplit:keep   trailing words\r\nRUN x\n# hadolint ignore=DL3006\n# dfsplit is great\n",
        );
        let p = pragmas(&df);
        let words: Vec<(&str, usize)> = p.iter().map(|p| (p.word.as_str(), p.at.line)).collect();
        assert_eq!(words, [("ignore-file", 1), ("keep", 3)]);
        assert_eq!(
            &df.source[p[1].at.span.clone()],
            "  #dfsplit:keep   trailing words"
        );
    }

    fn placed(src: &str) -> Result<Vec<(usize, Force)>, String> {
        let df = crate::syntax::parse(src);
        placements(&df)
            .map(|v| {
                v.iter()
                    .map(|f| (df.instruction_at(f.item).unwrap().start_line, f.force))
                    .collect()
            })
            .map_err(|g| g.text())
    }

    #[test]
    fn a_placement_pragma_places_the_next_instruction() {
        assert_eq!(
            placed(
                "FROM a\n# dfsplit: runtime\n# a note\n\nRUN x\n# dfsplit: build\nEXPOSE 1\n# dfsplit: keep\nCMD y\n"
            ),
            Ok(vec![
                (5, Force::Runtime),
                (7, Force::Build),
                (9, Force::Keep)
            ])
        );
        // ignore-file is not a placement.
        assert_eq!(placed("# dfsplit: ignore-file\nFROM a\n"), Ok(vec![]));
    }

    #[test]
    fn a_pragma_that_places_nothing_or_twice_is_a_gate_at_its_line() {
        let gate = |src: &str| placed(src).unwrap_err();
        assert!(
            gate("FROM a\nRUN x\n# dfsplit: runtime\n")
                .starts_with("line 3: `# dfsplit: runtime` has no instruction below it")
        );
        assert!(gate("# dfsplit: keep\nFROM a\n").contains("is above `FROM a`"));
        assert!(
            gate("# dfsplit: build\nARG V=1\nFROM a:$V\n").contains("an ARG before the first FROM")
        );
        assert!(gate("FROM a\n# dfsplit: runtime\n# dfsplit: build\nRUN x\n").starts_with("line 3: `# dfsplit: runtime` (line 2) and `# dfsplit: build` (line 3) both place `RUN x`"));
        assert!(
            gate("FROM a\n# dfsplit: runtim\nRUN x\n")
                .starts_with("line 2: `# dfsplit: runtim` is not a pragma dfsplit knows")
        );
    }
}
