//! The plan layer: from a single-stage Dockerfile, its build context and the
//! rules, decide the stages (`dependencies`, `build`, `runtime`), what each
//! instruction is for, what the runtime receives and on which base — or decide
//! to leave the file unchanged, with the reason.
//!
//! Invariants: pure (no I/O); every instruction of the input gets a
//! [`Decision`] naming the rule that placed it; when anything the runtime might
//! need cannot be shown, the outcome is [`Outcome::Unchanged`].

mod base;
mod closure;
mod entry;
mod facts;
pub mod graph;
mod no_gain;
mod non_root;
mod pragma;
mod profile;
mod rebase;
mod render;
mod rule_ids;
mod steps;
mod types;

pub(crate) use types::first_line;
pub use types::{
    Addition, BaseChoice, CommandDecision, Decision, Gate, Location, Options, Outcome, OwnedPath,
    Placement, Rewrite, RuntimeUser, StageSummary, UserPolicy, Warning,
};

use crate::model::{Context, Model, ModelError};
use crate::plan::rule_ids as ids;
use crate::rules::{Role, Rules};
use crate::syntax::{Dockerfile, Keyword};
use steps::{CmdKind, StepKind};

/// Plans a rewrite of `df`. `ctx` is the build context, when known.
///
/// A pipeline of phases, each of which may stop with the gate that leaves
/// the file unchanged: the user's pragmas, an existing multi-stage file, the
/// profile and base tag, the classified steps and the start command, what no
/// rule understands, the runtime closure, a tool the container runs, the
/// runtime base (with the no-gain check and non-root ownership), and last
/// the rendering.
pub fn plan(
    df: &Dockerfile,
    ctx: Option<&Context>,
    rules: &Rules,
    opts: &Options,
) -> Result<Outcome, ModelError> {
    let model = Model::build(df)?;
    Ok(match plan_model(df, &model, ctx, rules, opts) {
        Ok(outcome) => outcome,
        Err(Stop { gate, profile }) => unchanged_outcome(df, gate, profile),
    })
}

/// Why planning stopped: the gate, and the profile that applied, if any.
struct Stop {
    gate: Gate,
    profile: Option<String>,
}

impl Stop {
    fn new(gate: Gate, profile: Option<&str>) -> Stop {
        Stop {
            gate,
            profile: profile.map(str::to_owned),
        }
    }

    /// A gate about the base image: it concerns the final FROM, which it
    /// names in words.
    fn at_from(
        model: &Model,
        df: &Dockerfile,
        rule: &str,
        reason: String,
        profile: Option<&str>,
    ) -> Stop {
        Stop::new(
            facts::gate_near(df, model.final_stage().from_item, rule, reason),
            profile,
        )
    }
}

/// The outcome of a file left unchanged: every instruction stays, under the gate's rule.
fn unchanged_outcome(df: &Dockerfile, gate: Gate, profile: Option<String>) -> Outcome {
    let rule = gate.rule.clone();
    Outcome::Unchanged {
        gate,
        profile,
        decisions: df
            .instructions()
            .map(|i| Decision {
                line: i.start_line,
                span: i.span.clone(),
                text: first_line(df, i),
                placement: Placement::Unchanged,
                rule: rule.clone(),
                reason: "the file is left unchanged".into(),
                commands: Vec::new(),
            })
            .collect(),
    }
}

/// The phases of [`plan`], on the built model.
fn plan_model(
    df: &Dockerfile,
    model: &Model,
    ctx: Option<&Context>,
    rules: &Rules,
    opts: &Options,
) -> Result<Outcome, Stop> {
    pragma_gate(df)?;
    if model.stages.len() > 1 {
        return multi_stage(df, model, ctx, rules, opts);
    }
    let final_stage = model.final_stage();
    let base = &final_stage.base;
    let profile_id = profile_of(df, model, rules)?;
    let profile = Some(profile_id.as_str());

    let infos = steps::classify_stage(df, final_stage, rules, ctx);
    let entry = start_command(df, &infos, rules, profile)?;
    understood(df, &infos, profile)?;

    // What the runtime needs.
    let closure =
        closure::runtime_closure(&profile_id, df, &infos, &entry, ctx, rules, &base.resolved)
            .map_err(|g| Stop::new(g, profile))?;
    runtime_tool_gate(df, &infos, &closure, profile)?;

    let chosen = runtime_base(
        df, model, &infos, &entry, &closure, ctx, rules, opts, profile,
    )?;
    let rewrite = render::render(&render::Input {
        df,
        model,
        infos: &infos,
        entry: &entry,
        closure: &closure,
        chosen: &chosen,
        ctx,
        opts,
        profile: &profile_id,
    });
    Ok(Outcome::Rewrite(Box::new(rewrite)))
}

/// The user's pragmas come first: `ignore-file`, and placement pragmas this
/// version does not carry out (so nothing is placed against them).
fn pragma_gate(df: &Dockerfile) -> Result<(), Stop> {
    let Some(p) = pragma::pragmas(df).into_iter().next() else {
        return Ok(());
    };
    let (rule, message) = match p.word.as_str() {
        "ignore-file" => (
            ids::core::PRAGMA_IGNORE_FILE,
            "`# dfsplit: ignore-file`: the file's author asked dfsplit to leave it as it is"
                .to_string(),
        ),
        "runtime" | "build" | "keep" => (
            ids::core::PRAGMA_PLACEMENT,
            format!(
                "`# dfsplit: {}` asks for a placement this version does not carry out yet, so the file is left as it is rather than placed otherwise",
                p.word
            ),
        ),
        other => (
            ids::core::PRAGMA_PLACEMENT,
            format!(
                "`# dfsplit: {other}` is not a pragma dfsplit knows (ignore-file, runtime, build, keep); the file is left as it is"
            ),
        ),
    };
    Err(Stop::new(
        Gate {
            rule: rule.into(),
            message,
            at: Some(p.at),
        },
        None,
    ))
}

/// A file that is already multi-stage: its final stage is rebased when it
/// runs on a build image of its own, else it is left as it is.
fn multi_stage(
    df: &Dockerfile,
    model: &Model,
    ctx: Option<&Context>,
    rules: &Rules,
    opts: &Options,
) -> Result<Outcome, Stop> {
    let final_stage = model.final_stage();
    let base = &final_stage.base;
    let is_builder = rules.profile_for_image(&base.resolved).is_some()
        && !rules
            .bases()
            .families
            .iter()
            .flat_map(|f| f.candidates.iter())
            .any(|c| base::candidate_matches(&c.image, &base.resolved));
    if is_builder && final_stage.parent.is_none() {
        return match rebase::rebase_final_stage(df, model, ctx, rules, opts) {
            Ok(r) => Ok(Outcome::Rewrite(Box::new(r))),
            Err(g) => Err(Stop::new(g, None)),
        };
    }
    Err(Stop::at_from(
        model,
        df,
        ids::core::ALREADY_MULTISTAGE,
        format!(
            "the file is already multi-stage and its final stage runs on `{}`",
            base.resolved
        ),
        None,
    ))
}

/// The language profile of the build image, whose tag must say its version.
fn profile_of(df: &Dockerfile, model: &Model, rules: &Rules) -> Result<String, Stop> {
    let base = &model.final_stage().base;
    if base.is_scratch() {
        return Err(Stop::at_from(
            model,
            df,
            ids::core::NO_PROFILE,
            "the image is built FROM scratch: nothing to split".into(),
            None,
        ));
    }
    let Some(profile) = rules.profile_for_image(&base.resolved) else {
        return Err(Stop::at_from(
            model,
            df,
            ids::core::NO_PROFILE,
            format!(
                "no language profile applies: `{}` is not a known build image (profiles: {})",
                base.resolved,
                rules
                    .profiles()
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None,
        ));
    };
    if base.tag.is_none() && base.digest.is_none() {
        return Err(Stop::at_from(
            model,
            df,
            ids::core::UNTAGGED_BASE,
            format!(
                "`{}` has no tag, so the runtime base's version cannot be read from it",
                base.resolved
            ),
            Some(&profile.id),
        ));
    }
    Ok(profile.id.clone())
}

/// The runtime entry, unless the container runs a build tool at start.
fn start_command(
    df: &Dockerfile,
    infos: &[steps::StepInfo],
    rules: &Rules,
    profile: Option<&str>,
) -> Result<entry::Entry, Stop> {
    let entry = entry::Entry::find(df, infos)
        .map_err(|reason| Stop::new(facts::gate(ids::core::NO_ENTRY, reason), profile))?;
    if let Some((gate_profile, gate)) = entry.gate(rules) {
        return Err(Stop::new(
            facts::gate_near(
                df,
                entry.item(),
                &gate.id,
                format!(
                    "the container runs a build tool at start (`{}`): {} ({} profile)",
                    entry.describe(),
                    gate.why,
                    gate_profile.id
                ),
            ),
            profile,
        ));
    }
    Ok(entry)
}

/// Anything not understood that could matter to the runtime stops here: a
/// COPY from elsewhere, a command no rule knows, ONBUILD.
fn understood(
    df: &Dockerfile,
    infos: &[steps::StepInfo],
    profile: Option<&str>,
) -> Result<(), Stop> {
    for info in infos {
        if let StepKind::CopyOther(why) = &info.kind {
            return Err(Stop::new(
                facts::gate_at(
                    df,
                    info.item,
                    ids::core::UNMODELLED_COPY,
                    format!("{why}; what it brings may be needed at runtime"),
                ),
                profile,
            ));
        }
        for c in info.commands() {
            if c.kind == CmdKind::Unknown {
                return Err(Stop::new(
                    facts::gate_at(df, info.item, &c.rule, format!("`{}`: {}", c.text, c.why)),
                    profile,
                ));
            }
        }
    }
    if let Some(onbuild) = infos.iter().find(|i| matches!(i.keyword, Keyword::Onbuild)) {
        return Err(Stop::new(
            facts::gate_near(
                df,
                onbuild.item,
                ids::core::ONBUILD,
                "ONBUILD triggers run in images built FROM this one; which stage should carry them cannot be decided",
            ),
            profile,
        ));
    }
    Ok(())
}

/// A tool installed for the container to run (a global process manager or
/// static server): not supported in a runtime yet, unless nginx takes the
/// static server's place (known once the closure is planned).
fn runtime_tool_gate(
    df: &Dockerfile,
    infos: &[steps::StepInfo],
    closure: &types::Closure,
    profile: Option<&str>,
) -> Result<(), Stop> {
    let runtime_tool = infos.iter().find_map(|info| {
        info.commands()
            .iter()
            .find(|c| {
                matches!(
                    c.kind,
                    CmdKind::Profile {
                        role: Role::BuildToolAtRuntime,
                        ..
                    }
                )
            })
            .map(|c| (info, c))
    });
    let Some((info, c)) = runtime_tool else {
        return Ok(());
    };
    if closure
        .static_site
        .as_ref()
        .is_some_and(|site| c.args.iter().flatten().any(|a| a.starts_with(site.server)))
    {
        return Ok(());
    }
    let mut why = format!(
        "`{}` installs a tool the container runs; keeping it in a slim runtime is not supported yet",
        c.text
    );
    // Why nginx did not take a static server's place, when it was considered.
    if let Some(w) = &closure.nginx_refused {
        why.push_str("; ");
        why.push_str(w);
    }
    Err(Stop::new(
        facts::gate_at(df, info.item, &c.rule, why),
        profile,
    ))
}

/// The runtime base: chosen from the catalogue, its tag following the
/// builder's ARGs, checked for a gain (`core/no-gain`), and under
/// `--non-root` what its user must own.
#[allow(clippy::too_many_arguments)]
fn runtime_base(
    df: &Dockerfile,
    model: &Model,
    infos: &[steps::StepInfo],
    entry: &entry::Entry,
    closure: &types::Closure,
    ctx: Option<&Context>,
    rules: &Rules,
    opts: &Options,
    profile: Option<&str>,
) -> Result<base::Chosen, Stop> {
    let base = &model.final_stage().base;
    let chosen = base::choose(rules, &base.resolved, closure, entry, opts)
        .map_err(|g| Stop::new(g, profile))?;
    let mut chosen = match base::parameterize(&chosen.image, &base.raw, &model.global_args) {
        Ok((image, notes)) => base::Chosen {
            image,
            notes: chosen.notes.iter().cloned().chain(notes).collect(),
            ..chosen
        },
        Err(g) => return Err(Stop::new(g, profile)),
    };
    match no_gain::check(df, rules, &base.resolved, &chosen, infos, closure) {
        Err(g) => return Err(Stop::at_from(model, df, &g.rule, g.message, profile)),
        Ok(Some(gain)) => chosen.reason = format!("{}; {gain}", chosen.reason),
        Ok(None) => {}
    }
    if chosen.owner.is_some() {
        let copied: Vec<&str> = closure.copies.iter().map(|c| c.to.as_str()).collect();
        chosen.owned = non_root::ownership(df, infos, entry, ctx, &copied);
        if chosen
            .user
            .as_ref()
            .is_some_and(|(u, _)| u.starts_with(|c: char| c.is_ascii_digit()))
        {
            chosen.owned.unproven.push(
                "the user has no account in the base, so its home folder is /: what writes under $HOME (caches, dot-folders such as gunicorn's control socket) cannot".into(),
            );
        }
    }
    Ok(chosen)
}
