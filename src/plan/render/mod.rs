//! Writing the planned stages as Dockerfile text. Kept instructions come out
//! byte for byte with the comments and blank lines above them; changes inside
//! a kept instruction (a stage name after FROM, a cache mount after RUN) are
//! [`Edit`]s applied in one place.
//!
//! - `mod.rs`: where each step goes ([`Layout`]), the first FROM, and the
//!   [`Writer`] every stage writes through (text, decisions, additions);
//! - `build.rs`: the dependencies and build stages, with the lines they get
//!   (venv, manifests first, cache mounts, nginx block, set-aside folders,
//!   prune);
//! - `runtime.rs`: the runtime stage;
//! - `lines.rs`: generated lines in the file's style, and the comments that
//!   travel with each instruction;
//! - `explain.rs`: the decision and the reason for each step, and the user.

mod build;
mod explain;
mod lines;
mod runtime;

pub(super) use build::cache_mount;
pub(super) use explain::runtime_user;
pub(super) use lines::Out;

use super::base::Chosen;
use super::entry::Entry;
use super::pragma::{Force, Forced};
use super::steps::{CmdKind, StepInfo, StepKind};
use super::types::{
    Addition, CommandDecision, Decision, Options, Placement, Rewrite, StageSummary, first_line,
};
use super::types::{Closure, Gate, Location, Warning};
use crate::emit::{Edit, apply};
use crate::model::{Context, Model};
use crate::plan::rule_ids as ids;
use crate::rules::Role;
use crate::syntax::{Body, Dockerfile, Keyword};
use build::{Reorder, reorder_install};
use explain::step_reason;
use lines::{Unit, add, units};
use std::collections::BTreeMap;

/// Where the build stage sets aside the directories the setup created, for a
/// runtime base without a shell.
const STAGED_DIRS: &str = "/tmp/dfsplit-dirs";

/// Where the build stage writes the runtime base's /etc/passwd and
/// /etc/group with the setup's accounts appended, for a base without a shell.
const ACCOUNTS_DIR: &str = "/tmp/dfsplit-accounts";

/// Where that step mounts the runtime base's file system to read them.
const ACCOUNTS_BASE: &str = "/tmp/dfsplit-base";

/// Where the build stage sets aside, owned by `--non-root`'s user, empty
/// folders whose copies give the runtime's folders that owner.
const OWNED_DIRS: &str = "/tmp/dfsplit-owned";

/// The accounts `core/accounts-copied` carries, for the reasons: "the user
/// `svc` and the group `svc`".
fn account_names(a: &super::types::Accounts) -> String {
    let list = |kind: &str, names: &[String]| -> Option<String> {
        let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        match quoted.len() {
            0 => None,
            1 => Some(format!("the {kind} {}", quoted[0])),
            _ => Some(format!("the {kind}s {}", quoted.join(", "))),
        }
    };
    [list("user", &a.users), list("group", &a.groups)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" and ")
}

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

/// Where each step goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Deps,
    Build,
    Runtime,
    Both,
}

/// What render reads.
pub(crate) struct Input<'a> {
    pub df: &'a Dockerfile,
    pub model: &'a Model,
    pub infos: &'a [StepInfo],
    pub entry: &'a Entry,
    pub closure: &'a Closure,
    pub chosen: &'a Chosen,
    pub ctx: Option<&'a Context>,
    pub opts: &'a Options,
    pub profile: &'a str,
    /// The placement pragmas (`plan/pragma.rs`), already checked.
    pub forced: &'a [Forced],
}

/// Where each step goes, and the stages' names.
struct Layout {
    /// Per step (same index as the steps).
    places: Vec<Place>,
    /// The last step of the dependencies stage, when there is one.
    deps_end: Option<usize>,
    /// An install moved before the sources.
    reorder: Option<Reorder>,
    /// The first stage has a name of its own in the original (`FROM x AS y`).
    alias: Option<String>,
    has_deps: bool,
    first_name: String,
    build_name: String,
    runtime_name: String,
    /// Python: the step the venv is created before.
    first_pip: Option<usize>,
    /// Directories the setup created, on a base without a shell: the build
    /// stage sets the top-most ones aside, the runtime copies them in.
    staged: Vec<String>,
}

impl Layout {
    /// Which build-side stage step `n` goes to.
    fn side(&self, n: usize) -> Place {
        match &self.reorder {
            Some(r) if n == r.copy => Place::Build,
            _ if self.deps_end.is_some_and(|d| n <= d) => Place::Deps,
            _ => Place::Build,
        }
    }
}

/// The text being written and what is recorded about it.
struct Writer<'a> {
    i: &'a Input<'a>,
    out: Out,
    decisions: BTreeMap<usize, Decision>,
    additions: Vec<Addition>,
    warnings: Vec<Warning>,
    /// The comments and blank lines that travel with each step, by item.
    unit_of: BTreeMap<usize, Unit>,
}

impl Writer<'_> {
    /// Records where instruction `item` went and why.
    fn decide(
        &mut self,
        item: usize,
        placement: Placement,
        rule: &str,
        reason: String,
        info: Option<&StepInfo>,
    ) {
        let df = self.i.df;
        if let Some(i) = df.instruction_at(item) {
            let commands = info
                .map(|info| {
                    info.commands()
                        .iter()
                        .map(|c| CommandDecision {
                            text: c.text.clone(),
                            span: c.span.clone(),
                            role: explain::command_role(&c.kind),
                            rule: c.rule.clone(),
                            reason: c.why.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            self.decisions.insert(
                item,
                Decision {
                    line: i.start_line,
                    span: i.span.clone(),
                    text: first_line(df, i),
                    placement,
                    rule: rule.to_string(),
                    reason,
                    commands,
                },
            );
        }
    }

    /// Writes a generated line and records it as an addition of `stage`.
    fn add(&mut self, stage: &str, text: String, rule: &str, reason: impl Into<String>) {
        add(
            &mut self.out,
            &mut self.additions,
            stage,
            text,
            rule,
            reason,
        );
    }

    /// A kept step with its comments (`lead`: the blank lines and stray
    /// comments above them too), edited by `edits`.
    fn emit_unit(&mut self, info: &StepInfo, edits: &[Edit], lead: bool) {
        let df = self.i.df;
        let i = df
            .instruction_at(info.item)
            .expect("steps are instructions");
        let u = self.unit_of.get(&info.item).cloned().unwrap_or_default();
        if lead {
            self.out.text.push_str(&df.source[u.lead.clone()]);
        }
        let text = df.text(&i.span);
        let text = apply(text, edits).unwrap_or_else(|_| text.to_string());
        self.out.raw(&text);
        self.out.text.push_str(&df.source[u.trail.clone()]);
    }

    /// A unit moved (or repeated) in the runtime stage: its attached
    /// comments, its text, its trailing comments. `full`: the instruction is
    /// only in the runtime stage, so everything above it comes along.
    fn emit_moved(&mut self, item: usize, text: Option<&str>, full: bool) {
        let df = self.i.df;
        let u = self.unit_of.get(&item).cloned().unwrap_or_default();
        self.out.text.push_str(
            &df.source[if full {
                u.lead.clone()
            } else {
                u.attached.clone()
            }],
        );
        match text {
            Some(t) => self.out.line(t),
            None => {
                if let Some(i) = df.instruction_at(item) {
                    self.out.raw(df.text(&i.span));
                }
            }
        }
        self.out.text.push_str(&df.source[u.trail.clone()]);
    }
}

pub(crate) fn render(input: &Input) -> Result<Rewrite, Gate> {
    let Input {
        df, model, infos, ..
    } = *input;
    let closure = input.closure;
    let chosen = input.chosen;
    let stage = model.final_stage();
    let from = df
        .instruction_at(stage.from_item)
        .expect("the stage's FROM is an instruction");
    let out = Out::for_file(df, from);
    let mut warnings = closure.warnings.clone();
    for info in infos {
        if let Some(Body::Arg { decls }) = df.instruction_at(info.item).map(|i| &i.body) {
            for d in decls.iter().filter(|d| is_secret(&d.name.value)) {
                warnings.push(Warning {
                    at: Location::near(df, info.item),
                    ..Warning::new(
                        ids::core::ENV_SECRET,
                        format!(
                            "ARG {} stays out of the runtime, but build arguments used by RUN remain visible in the build stages' layers and history; a secret mount (RUN --mount=type=secret) keeps it out of them",
                            d.name.value
                        ),
                    )
                });
            }
        }
    }
    warnings.extend(chosen.notes.iter().map(|n| Warning {
        at: Location::near(df, stage.from_item),
        ..Warning::new(ids::core::BASE_CHOICE, n.clone())
    }));

    let l = layout(input, from, &mut warnings)?;

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
    let mut w = Writer {
        i: input,
        out,
        decisions: BTreeMap::new(),
        additions: Vec::new(),
        warnings,
        unit_of,
    };
    first_from(&mut w, &l, from, &all_units[0]);
    build::stages(&mut w, &l);
    runtime::stage(&mut w, &l);
    // What follows the last instruction (and its own comments) ends the file.
    let trailing = &df.source[file_tail];
    if !trailing.trim().is_empty() {
        w.out.blank();
        w.out
            .text
            .push_str(trailing.trim_start_matches(['\r', '\n']));
    }
    Ok(finish(w, &l))
}

/// Where each step goes, and the stages' names.
fn layout(
    input: &Input,
    from: &crate::syntax::Instruction,
    warnings: &mut Vec<Warning>,
) -> Result<Layout, Gate> {
    let Input { df, infos, ctx, .. } = *input;
    let closure = input.closure;
    let chosen = input.chosen;
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
        warnings.push(Warning::at(
            df,
            infos[late].item,
            ids::core::MANIFESTS_FIRST,
            format!(
                "dependencies are installed after the sources are copied, so any source change reinstalls them; {}",
                match &not_moved {
                    Some(why) => format!("the install was not moved before them: {why}"),
                    None => "copy the manifests first to get a cached dependency layer".to_string(),
                }
            ),
        ));
    }
    let mut l = Layout {
        places: Vec::with_capacity(infos.len()),
        deps_end,
        reorder,
        alias: None,
        has_deps: false,
        first_name: String::new(),
        build_name: String::new(),
        runtime_name: String::new(),
        first_pip: None,
        staged: Vec::new(),
    };
    l.places = places(input, &l);
    l.first_pip = venv_anchor(input, &l)?;
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
    // The setup's directories, and the homes its account commands create
    // when their accounts are copied in (`core/accounts-copied`); a folder
    // inside another comes with it.
    let homes = chosen.accounts.as_ref().map_or(&[][..], |a| &a.homes[..]);
    let dirs: Vec<&String> = homes
        .iter()
        .chain(closure.owned_dirs.iter().filter(|d| !homes.contains(d)))
        .collect();
    let staged: Vec<&String> = if chosen.setup_not_repeated() {
        dirs.iter()
            .copied()
            .filter(|d| {
                !dirs
                    .iter()
                    .any(|o| o != d && d.starts_with(&format!("{}/", o.trim_end_matches('/'))))
            })
            .collect()
    } else {
        Vec::new()
    };

    Ok(Layout {
        alias,
        has_deps,
        first_name,
        build_name,
        runtime_name,
        staged: staged.into_iter().cloned().collect(),
        ..l
    })
}

/// Python: the step the venv is created before. It is the profile's
/// `Venv::at` (the source COPY before the first install, or that install)
/// unless the layout moved that step later — `COPY . /app` goes to the
/// build stage when the install after it moves to the dependencies stage
/// (manifests first) — then the first step after it that the stages write
/// earlier (the moved install, before its manifests' COPY), so the venv is
/// created where that step was. Packages installed before the venv exists
/// go to the system interpreter and the runtime would copy an empty venv:
/// when any install into it would still be written first, or the step is
/// not written on the build side at all, the file is left unchanged.
fn venv_anchor(input: &Input, l: &Layout) -> Result<Option<usize>, Gate> {
    let Some(venv) = &input.closure.venv else {
        return Ok(None);
    };
    // Where a step is written on the build side: (stage, step), in the
    // order the text has them; `None` when only the runtime has it.
    let order = |n: usize| -> Option<(u8, usize)> {
        match l.places.get(n)? {
            Place::Runtime => None,
            _ => Some((u8::from(l.side(n) == Place::Build), n)),
        }
    };
    anchor_before_installs(venv.at, &venv.installs, input.infos.len(), order)
        .map(Some)
        .map_err(|n| Gate {
            rule: ids::python::RT_VENV.into(),
            message: "the virtual environment would be created after this install in the rewrite, so its packages would go to the system interpreter and the runtime would copy an empty environment".into(),
            at: Location::of(input.df, input.infos[n].item),
        })
}

/// The step to create the venv before: of the steps from `at` on, the one
/// written first (`order`: where a step is written, `None` when it is not
/// on the build side). `Err(step)`: an install into the venv that would be
/// written before it (or the first install, when no step from `at` on is
/// written on the build side).
fn anchor_before_installs(
    at: usize,
    installs: &[usize],
    len: usize,
    order: impl Fn(usize) -> Option<(u8, usize)>,
) -> Result<usize, usize> {
    let anchor = (at..len).filter_map(|n| order(n).map(|o| (o, n))).min();
    let Some((first, anchor)) = anchor else {
        return Err(installs.first().copied().unwrap_or(at));
    };
    match installs
        .iter()
        .copied()
        .filter(|&i| order(i).is_some_and(|o| o < first))
        .min_by_key(|&i| order(i))
    {
        Some(early) => Err(early),
        None => Ok(anchor),
    }
}

/// Which stage each step goes to.
fn places(input: &Input, l: &Layout) -> Vec<Place> {
    let Input { df, infos, .. } = *input;
    let closure = input.closure;
    let mut places: Vec<Place> = Vec::with_capacity(infos.len());
    let last_user = infos.iter().rposition(|i| i.keyword == Keyword::User);
    let static_site = closure.static_site.as_ref();
    for (n, info) in infos.iter().enumerate() {
        let build_side = l.side(n);
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
                        StepKind::Run(_)
                            | StepKind::CopyContext { .. }
                            | StepKind::CopyOther(_)
                            | StepKind::CopyTool { .. }
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
                if keys
                    .iter()
                    .all(|k| info.build_env.contains(k) || is_secret(k))
                {
                    build_side
                } else {
                    Place::Both
                }
            }
            Keyword::Run if closure.replay.contains(&info.item) => Place::Both,
            _ => build_side,
        };
        // A placement pragma wins (checked in `pragma::apply`).
        let p = match input.forced.iter().find(|f| f.item == info.item) {
            Some(f) if f.force == Force::Build => build_side,
            Some(_) if matches!(p, Place::Deps | Place::Build) => Place::Both,
            _ => p,
        };
        places.push(p);
    }

    places
}

/// Everything before the FROM, byte for byte, and the FROM with a stage name
/// when it has none.
fn first_from(w: &mut Writer, l: &Layout, from: &crate::syntax::Instruction, unit: &Unit) {
    let df = w.i.df;
    let stage = w.i.model.final_stage();
    let (alias, first_name, has_deps) = (&l.alias, &l.first_name, l.has_deps);
    // --- Prelude: everything before FROM, byte for byte.
    w.out.text.push_str(&df.source[..from.span.start]);

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
                    content: format!(" {} {first_name}", w.out.kw("AS")),
                }],
            )
            .unwrap_or(from_text);
        }
    }
    w.out.raw(&from_text);
    w.out.text.push_str(&df.source[unit.trail.clone()]);
    w.decide(
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
}

/// The decisions not yet made, and the rewrite.
fn finish(mut w: Writer, l: &Layout) -> Rewrite {
    let Input {
        df, model, infos, ..
    } = *w.i;
    let closure = w.i.closure;
    let chosen = w.i.chosen;
    let stage = model.final_stage();
    let (places, first_name, build_name, runtime_name, has_deps) = (
        &l.places,
        &l.first_name,
        &l.build_name,
        l.runtime_name.clone(),
        l.has_deps,
    );
    // Decisions for everything not yet decided.
    for (n, info) in infos.iter().enumerate() {
        if w.decisions.contains_key(&info.item) {
            continue;
        }
        let (placement, rule, reason) =
            step_reason(df, info, places[n], build_name, &runtime_name, closure);
        w.decide(info.item, placement, &rule, reason, Some(info));
    }
    // A step a pragma placed: the user's choice, with the pragma's line.
    for f in w.i.forced {
        let n = infos.iter().position(|i| i.item == f.item);
        let Some(d) = w.decisions.get_mut(&f.item) else {
            continue;
        };
        let side = match n.map(|n| places[n]) {
            Some(Place::Deps) => Placement::Dependencies,
            _ => Placement::Build,
        };
        let was_runtime = matches!(d.placement, Placement::Runtime | Placement::BuildAndRuntime);
        let moved = matches!(d.placement, Placement::BuildAndRuntime | Placement::Runtime)
            && (closure.replay.contains(&f.item)
                || closure.forced_copies.contains(&f.item)
                || closure.kept.contains(&f.item));
        d.reason = match f.force {
            Force::Runtime if moved => format!(
                "{}: the user placed it in the runtime: kept in the build stage (later steps may use it) and repeated in the `{runtime_name}` stage before the files it takes from the build",
                f.name()
            ),
            Force::Keep if moved => format!(
                "{}: the user keeps it where it is: byte for byte in the `{runtime_name}` stage at its place among the original's instructions there (and in the build stage, whose later steps may use it)",
                f.name()
            ),
            Force::Build if was_runtime => {
                d.placement = side;
                format!(
                    "{}: the user keeps it out of the runtime: it stays in the build stage only",
                    f.name()
                )
            }
            Force::Build if matches!(d.text.split_whitespace().next(), Some(k) if k.eq_ignore_ascii_case("RUN")) =>
            {
                format!(
                    "{}: the user keeps it out of the runtime: no package it installs, setup it makes or file it puts outside the app is repeated or copied there",
                    f.name()
                )
            }
            Force::Build => format!(
                "{}: the user keeps it out of the runtime; {}",
                f.name(),
                d.reason
            ),
            _ => format!("{}: as the user asked; {}", f.name(), d.reason),
        };
        d.rule = ids::core::PRAGMA_PLACEMENT.into();
    }
    for item in &model.global_arg_items {
        w.decide(
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
        profile: w.i.profile.to_string(),
        stages,
        decisions: w.decisions.into_values().collect(),
        additions: w.additions,
        base_before: stage.base.resolved.clone(),
        base_after: chosen.image.clone(),
        base_reason: chosen.reason.clone(),
        base_after_approx_mb: chosen.spec.as_ref().map(|s| s.approx_size_mb),
        user: runtime_user(closure, chosen),
        warnings: w.warnings,
        text: w.out.text,
    }
}

fn unique(name: &str, taken: &[&String]) -> String {
    if taken.iter().any(|t| t.as_str() == name) {
        format!("{name}-stage")
    } else {
        name.to_string()
    }
}

pub(crate) fn stage_user_is_root(user: Option<&str>) -> bool {
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

#[cfg(test)]
mod tests {
    use super::anchor_before_installs;

    /// Steps 0..len written in two stages: `deps` in the first, in step
    /// order, then the others, none only in the runtime.
    fn order(deps: &'static [usize]) -> impl Fn(usize) -> Option<(u8, usize)> {
        move |n| Some((u8::from(!deps.contains(&n)), n))
    }

    #[test]
    fn venv_stays_at_its_step_when_nothing_moved() {
        // RUN apt-get, WORKDIR, COPY requirements.txt, RUN pip, COPY .
        assert_eq!(
            anchor_before_installs(2, &[3], 5, order(&[0, 1, 2, 3])),
            Ok(2)
        );
    }

    #[test]
    fn venv_follows_the_install_moved_before_the_sources() {
        // RUN apt-get, WORKDIR, COPY . /app (to the build stage), RUN pip
        // (moved to the dependencies stage): before the install, not at
        // the COPY after it.
        assert_eq!(anchor_before_installs(2, &[3], 5, order(&[0, 1, 3])), Ok(3));
        // With an ENV between them, where the COPY was: before the ENV.
        assert_eq!(
            anchor_before_installs(2, &[4, 5], 6, order(&[0, 1, 3, 4])),
            Ok(3)
        );
    }

    #[test]
    fn an_install_written_before_the_venv_refuses() {
        assert_eq!(
            anchor_before_installs(2, &[1, 3], 5, order(&[0, 1, 2, 3])),
            Err(1)
        );
        // Nothing from the venv's step on is written on the build side.
        assert_eq!(anchor_before_installs(2, &[3], 5, |_| None), Err(3));
    }
}
