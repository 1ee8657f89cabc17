//! A multi-stage file whose final stage still runs on a toolchain image but
//! only receives artifacts (`COPY --from`) and configuration: the final
//! stage's FROM moves to a runtime base, and nothing else changes.

use super::base;
use super::closure::stage_needs;
use super::entry::Entry;
use super::facts;
use super::steps::{StepInfo, StepKind, classify_stage};
use super::types::{
    Addition, BaseChoice, Closure, Decision, Gate, Options, Placement, Rewrite, StageSummary,
    UserPolicy, first_line,
};
use crate::emit::{Edit, apply};
use crate::model::{Context, Model};
use crate::plan::rule_ids as ids;
use crate::plan::types::Warning;
use crate::rules::Rules;
use crate::syntax::{Body, Dockerfile, Instruction, Keyword};

/// Plans the rebase, or says why it cannot be done: the final stage must only
/// receive artifacts, run an entry that is no build tool, and move to a base
/// that needs nothing but a new FROM (and a USER when one is due).
pub(crate) fn rebase_final_stage(
    df: &Dockerfile,
    model: &Model,
    ctx: Option<&Context>,
    rules: &Rules,
    opts: &Options,
) -> Result<Rewrite, Gate> {
    let stage = model.final_stage();
    let Some(profile) = rules.profile_for_image(&stage.base.resolved) else {
        return Err(facts::gate(
            ids::core::NO_PROFILE,
            "no language profile applies to the final stage",
        ));
    };
    let infos = classify_stage(df, stage, rules, ctx);
    only_receives(df, model, &infos)?;
    let entry = super::runtime_entry(df, &infos, rules)?;
    let closure = stage_needs(&profile.id, df, &infos, &entry, ctx)?;
    let chosen = new_base(model, rules, opts, &closure, &entry)?;
    let NewFrom {
        from,
        name,
        edits,
        additions,
    } = edits(df, model, &infos, &chosen)?;
    let mut warnings = closure.warnings.clone();
    if matches!(opts.user, UserPolicy::NonRoot(_)) && closure.runs_as_root() {
        warnings.push(Warning::new(
            ids::core::NON_ROOT,
            "--non-root is not applied to an existing multi-stage file: the final stage's own COPY lines would have to hand their files to the user, so it keeps running as the original's user",
        ));
    }
    let text = apply(&df.source, &edits)
        .map_err(|e| facts::gate(ids::core::BASE_INCOMPATIBLE, e.to_string()))?;
    let mut stages: Vec<StageSummary> = model
        .stages
        .iter()
        .map(|s| StageSummary {
            name: s.name.clone().unwrap_or_else(|| s.index.to_string()),
            base: s.base.resolved.clone(),
        })
        .collect();
    if let Some(last) = stages.last_mut() {
        last.name = name;
        last.base = chosen.image.clone();
    }
    Ok(Rewrite {
        profile: profile.id.clone(),
        stages,
        decisions: decisions(df, model, from, &chosen),
        additions,
        base_before: stage.base.resolved.clone(),
        base_after: chosen.image.clone(),
        base_reason: chosen.reason.clone(),
        base_after_approx_mb: chosen.spec.as_ref().map(|s| s.approx_size_mb),
        user: super::render::runtime_user(&closure, &chosen),
        warnings,
        text,
    })
}

/// The final stage must only receive: no RUN or COPY from the context (it
/// still builds), no ONBUILD, and `COPY --from` only of a stage of this file.
fn only_receives(df: &Dockerfile, model: &Model, infos: &[StepInfo]) -> Result<(), Gate> {
    let stage = model.final_stage();
    for info in infos {
        let Some(inst) = df.instruction_at(info.item) else {
            continue;
        };
        match (&info.kind, &inst.keyword) {
            (StepKind::Run(_), _) | (StepKind::CopyContext { .. }, _) => {
                return Err(facts::gate_at(
                    df,
                    info.item,
                    ids::core::MULTISTAGE_SDK_FINAL,
                    format!(
                        "the final stage runs on the toolchain image `{}` and still builds; splitting an existing multi-stage file is not supported yet",
                        stage.base.resolved
                    ),
                ));
            }
            (_, Keyword::Onbuild) => {
                return Err(facts::gate_near(
                    df,
                    info.item,
                    ids::core::ONBUILD,
                    "ONBUILD triggers in the final stage",
                ));
            }
            (StepKind::CopyOther(_) | StepKind::CopyTool { .. }, _) => {
                // `COPY --from=<stage>` of an earlier stage: artifacts, which is the point.
                let from = inst
                    .flag("from")
                    .and_then(|f| f.value.clone())
                    .unwrap_or_default();
                if !model.stages.iter().any(|s| {
                    s.name.as_deref() == Some(&from.to_ascii_lowercase())
                        || s.index.to_string() == from
                }) {
                    return Err(facts::gate_at(
                        df,
                        info.item,
                        ids::core::UNMODELLED_COPY,
                        format!("copies from `{from}`, which is not a stage of this file"),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The runtime base for the final stage, chosen for the original's user, as
/// long as moving there needs nothing but a new FROM.
fn new_base(
    model: &Model,
    rules: &Rules,
    opts: &Options,
    closure: &Closure,
    entry: &Entry,
) -> Result<base::Chosen, Gate> {
    // The final stage's own COPY lines are kept as written: --non-root would
    // need them to hand files over (--chown), so the runtime keeps the
    // original's user, and says so.
    let keep = Options {
        user: UserPolicy::Keep,
        ..opts.clone()
    };
    let chosen = base::choose(
        rules,
        &model.final_stage().base.resolved,
        closure,
        entry,
        &keep,
        &|_| None,
    )?;
    if chosen.entry_rewrite.is_some()
        || chosen.setup_not_repeated()
        || chosen.copy_ca_certs
        || !chosen.extra_packages.is_empty()
    {
        return Err(facts::gate(
            ids::core::BASE_INCOMPATIBLE,
            format!(
                "moving the final stage to `{}` would need more than a new FROM",
                chosen.image
            ),
        ));
    }
    if matches!(opts.base, BaseChoice::Scratch) {
        return Err(facts::gate(
            ids::core::BASE_INCOMPATIBLE,
            "scratch needs files the final stage does not copy",
        ));
    }
    Ok(chosen)
}

/// What [`edits`] gives: the final FROM, the final stage's name, the edits
/// and the lines they add.
struct NewFrom<'d> {
    from: &'d Instruction,
    name: String,
    edits: Vec<Edit>,
    additions: Vec<Addition>,
}

/// The edits: the FROM image, a stage name, and a USER when one is due; with
/// the final FROM, the stage's name and the lines added.
fn edits<'d>(
    df: &'d Dockerfile,
    model: &Model,
    infos: &[StepInfo],
    chosen: &base::Chosen,
) -> Result<NewFrom<'d>, Gate> {
    let from = df
        .instruction_at(model.final_stage().from_item)
        .ok_or_else(|| facts::gate(ids::core::NO_ENTRY, "no FROM"))?;
    let Body::From {
        image: Some(img),
        alias,
        ..
    } = &from.body
    else {
        return Err(facts::gate(
            ids::core::NO_ENTRY,
            "the final FROM names no image",
        ));
    };
    let style = super::render::Out::for_file(df, from);
    let kw = |k: &str| style.kw(k);
    let nl = style.nl;
    let mut edits = vec![Edit {
        range: img.span.clone(),
        content: chosen.image.clone(),
    }];
    let mut additions = Vec::new();
    let name = alias
        .as_ref()
        .map(|a| a.value.clone())
        .unwrap_or_else(|| "runtime".into());
    if alias.is_none() {
        edits.push(Edit {
            range: img.span.end..img.span.end,
            content: format!(" {} runtime", kw("AS")),
        });
    }
    additions.push(Addition {
        stage: name.clone(),
        text: format!("{} {}", kw("FROM"), chosen.image),
        rule: chosen
            .spec
            .as_ref()
            .map_or(ids::core::BASE_CHOICE.into(), |s| s.id.clone()),
        reason: chosen.reason.clone(),
    });
    if let Some((user, why)) = &chosen.user {
        let at = infos
            .iter()
            .find(|i| matches!(i.keyword, Keyword::Cmd | Keyword::Entrypoint))
            .and_then(|i| df.instruction_at(i.item))
            .map_or(df.source.len(), |i| i.span.start);
        let line = format!("{} {user}", kw("USER"));
        edits.push(Edit {
            range: at..at,
            content: format!("{line}{nl}"),
        });
        additions.push(Addition {
            stage: name.clone(),
            text: line,
            rule: ids::core::NON_ROOT.into(),
            reason: why.clone(),
        });
    }
    Ok(NewFrom {
        from,
        name,
        edits,
        additions,
    })
}

/// One decision per instruction: the final FROM is rebased, every other line
/// kept byte for byte.
fn decisions(
    df: &Dockerfile,
    model: &Model,
    from: &Instruction,
    chosen: &base::Chosen,
) -> Vec<Decision> {
    let stage = model.final_stage();
    df.instructions()
        .map(|i| {
            let is_final_from = i.span == from.span;
            Decision {
                line: i.start_line,
                span: i.span.clone(),
                text: first_line(df, i),
                placement: if is_final_from { Placement::Runtime } else { Placement::Unchanged },
                rule: if is_final_from { ids::core::REBASE_FINAL_STAGE.into() } else { ids::core::ALREADY_MULTISTAGE.into() },
                reason: if is_final_from {
                    format!(
                        "the final stage only receives artifacts and configuration, so it runs on `{}` instead of the toolchain image `{}`",
                        chosen.image, stage.base.resolved
                    )
                } else {
                    "kept byte for byte: the earlier stages and the final stage's own lines stay as written".into()
                },
                commands: Vec::new(),
            }
        })
        .collect()
}
