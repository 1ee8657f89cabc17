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
pub fn plan(
    df: &Dockerfile,
    ctx: Option<&Context>,
    rules: &Rules,
    opts: &Options,
) -> Result<Outcome, ModelError> {
    let model = Model::build(df)?;
    let final_stage = model.final_stage();
    let unchanged_at = |gate: Gate, profile: Option<String>| {
        let rule = gate.rule.clone();
        Ok(Outcome::Unchanged {
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
        })
    };
    // Gates about the base image concern the final FROM, which they name in words.
    let from = final_stage.from_item;
    let unchanged = |rule: &str, reason: String, profile: Option<String>| {
        unchanged_at(facts::gate_near(df, from, rule, reason), profile)
    };

    // The user's pragmas come first: `ignore-file`, and placement pragmas
    // this version does not carry out (so nothing is placed against them).
    if let Some(p) = pragma::pragmas(df).into_iter().next() {
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
        return unchanged_at(
            Gate {
                rule: rule.into(),
                message,
                at: Some(p.at),
            },
            None,
        );
    }

    if model.stages.len() > 1 {
        let base = &final_stage.base;
        let is_builder = rules.profile_for_image(&base.resolved).is_some()
            && !rules
                .bases()
                .families
                .iter()
                .flat_map(|f| f.candidates.iter())
                .any(|c| base::candidate_matches(&c.image, &base.resolved));
        if is_builder && final_stage.parent.is_none() {
            return match rebase::rebase_final_stage(df, &model, ctx, rules, opts) {
                Ok(r) => Ok(Outcome::Rewrite(Box::new(r))),
                Err(g) => unchanged_at(g, None),
            };
        }
        return unchanged(
            ids::core::ALREADY_MULTISTAGE,
            format!(
                "the file is already multi-stage and its final stage runs on `{}`",
                base.resolved
            ),
            None,
        );
    }

    let base = &final_stage.base;
    if base.is_scratch() {
        return unchanged(
            ids::core::NO_PROFILE,
            "the image is built FROM scratch: nothing to split".into(),
            None,
        );
    }
    let Some(profile) = rules.profile_for_image(&base.resolved) else {
        return unchanged(
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
        );
    };
    let profile_id = profile.id.clone();
    if base.tag.is_none() && base.digest.is_none() {
        return unchanged(
            ids::core::UNTAGGED_BASE,
            format!(
                "`{}` has no tag, so the runtime base's version cannot be read from it",
                base.resolved
            ),
            Some(profile_id),
        );
    }

    let infos = steps::classify_stage(df, final_stage, rules, ctx);

    // The runtime entry.
    let entry = match entry::Entry::find(df, &infos) {
        Ok(e) => e,
        Err(reason) => {
            return unchanged_at(facts::gate(ids::core::NO_ENTRY, reason), Some(profile_id));
        }
    };
    if let Some((gate_profile, gate)) = entry.gate(rules) {
        return unchanged_at(
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
            Some(profile_id),
        );
    }

    // Anything not understood that could matter to the runtime stops here.
    for info in &infos {
        if let StepKind::CopyOther(why) = &info.kind {
            return unchanged_at(
                facts::gate_at(
                    df,
                    info.item,
                    ids::core::UNMODELLED_COPY,
                    format!("{why}; what it brings may be needed at runtime"),
                ),
                Some(profile_id),
            );
        }
        for c in info.commands() {
            if c.kind == CmdKind::Unknown {
                return unchanged_at(
                    facts::gate_at(df, info.item, &c.rule, format!("`{}`: {}", c.text, c.why)),
                    Some(profile_id),
                );
            }
        }
    }
    // A tool installed for the container to run (a global process manager
    // or static server): not supported in a runtime yet, unless nginx takes
    // the static server's place (known once the closure is planned).
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
    if let Some(onbuild) = infos.iter().find(|i| matches!(i.keyword, Keyword::Onbuild)) {
        return unchanged_at(
            facts::gate_near(
                df,
                onbuild.item,
                ids::core::ONBUILD,
                "ONBUILD triggers run in images built FROM this one; which stage should carry them cannot be decided",
            ),
            Some(profile_id),
        );
    }

    // What the runtime needs.
    let closure =
        match closure::runtime_closure(&profile_id, df, &infos, &entry, ctx, rules, &base.resolved)
        {
            Ok(c) => c,
            Err(g) => return unchanged_at(g, Some(profile_id)),
        };

    if let Some((info, c)) = runtime_tool
        && closure
            .static_site
            .as_ref()
            .is_none_or(|site| !c.args.iter().flatten().any(|a| a.starts_with(site.server)))
    {
        let mut why = format!(
            "`{}` installs a tool the container runs; keeping it in a slim runtime is not supported yet",
            c.text
        );
        // Why nginx did not take a static server's place, when it was considered.
        if let Some(w) = &closure.nginx_refused {
            why.push_str("; ");
            why.push_str(w);
        }
        return unchanged_at(
            facts::gate_at(df, info.item, &c.rule, why),
            Some(profile_id),
        );
    }

    // The runtime base.
    let chosen = match base::choose(rules, &base.resolved, &closure, &entry, opts) {
        Ok(c) => c,
        Err(g) => return unchanged_at(g, Some(profile_id)),
    };

    let mut chosen = match base::parameterize(&chosen.image, &base.raw, &model.global_args) {
        Ok((image, notes)) => base::Chosen {
            image,
            notes: chosen.notes.iter().cloned().chain(notes).collect(),
            ..chosen
        },
        Err(g) => return unchanged_at(g, Some(profile_id)),
    };
    match no_gain::check(df, rules, &base.resolved, &chosen, &infos, &closure) {
        Err(g) => return unchanged(&g.rule, g.message, Some(profile_id)),
        Ok(Some(gain)) => chosen.reason = format!("{}; {gain}", chosen.reason),
        Ok(None) => {}
    }
    if chosen.owner.is_some() {
        let copied: Vec<&str> = closure.copies.iter().map(|c| c.to.as_str()).collect();
        chosen.owned = non_root::ownership(df, &infos, &entry, ctx, &copied);
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
    let rewrite = render::render(&render::Input {
        df,
        model: &model,
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
