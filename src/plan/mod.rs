//! The plan layer: from a single-stage Dockerfile, its build context and the
//! rules, decide the stages (`dependencies`, `build`, `runtime`), what each
//! instruction is for, what the runtime receives and on which base — or decide
//! to leave the file unchanged, with the reason.
//!
//! Invariants: pure (no I/O); every instruction of the input gets a
//! [`Decision`] naming the rule that placed it; when anything the runtime might
//! need cannot be shown, the outcome is [`Outcome::Unchanged`].

mod accounts;
mod base;
mod closure;
mod entry;
mod entry_script;
mod facts;
pub mod graph;
mod locale;
mod make;
mod no_gain;
mod non_root;
mod pragma;
mod profile;
mod rebase;
mod render;
mod rule_ids;
mod setup_order;
mod spawn;
mod start;
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
/// A pipeline of phases, each of which may stop with the gate that leaves the
/// file unchanged: the user's pragmas, the multi-stage case (handed to
/// `rebase`), the build image and its profile, then [`plan_runtime`] for the
/// rest (classify, entry, closure, base, render).
pub fn plan(
    df: &Dockerfile,
    ctx: Option<&Context>,
    rules: &Rules,
    opts: &Options,
) -> Result<Outcome, ModelError> {
    let model = Model::build(df)?;
    if let Some(gate) = pragma_gate(df) {
        return Ok(unchanged(df, gate, None));
    }
    if let Some(why) = ctx.and_then(|c| c.unknown.as_ref()) {
        let gate = Gate {
            rule: ids::core::CONTEXT_UNKNOWN.into(),
            message: format!(
                "the files the build sees cannot be known, so what the runtime needs cannot be shown: {why}"
            ),
            at: None,
        };
        return Ok(unchanged(df, gate, None));
    }
    let forced = match pragma::placements(df) {
        Ok(f) => f,
        Err(gate) => return Ok(unchanged(df, gate, None)),
    };
    if model.stages.len() > 1 {
        if let Some(f) = forced.first() {
            let gate = pragma::refuse(
                &f.pragma,
                format!(
                    "{} places an instruction of a file that already has {} stages; placement pragmas are carried out when a single-stage file is split, so the file is left as it is",
                    f.word(),
                    model.stages.len()
                ),
            );
            return Ok(unchanged(df, gate, None));
        }
        return Ok(multi_stage(df, &model, ctx, rules, opts));
    }
    let profile_id = match build_profile(df, &model, rules) {
        Ok(id) => id,
        Err((gate, profile)) => return Ok(unchanged(df, gate, profile)),
    };
    let outcome = match plan_runtime(df, &model, ctx, rules, opts, &profile_id, &forced) {
        Ok(rewrite) => Outcome::Rewrite(Box::new(rewrite)),
        Err(gate) if start::translatable(&gate.rule) && !forced.is_empty() => {
            // The pragmas name instructions of the input; a translated start
            // rewrites that text, so the two are not combined.
            let why = format!(
                "the file has the placement pragma {}, and a start translation is not combined with placement pragmas",
                forced[0].name()
            );
            unchanged(df, start::refused(gate, &why), Some(profile_id))
        }
        Err(gate) if start::translatable(&gate.rule) => {
            match translated_start(df, &model, ctx, rules, opts, &profile_id, gate) {
                Ok(rewrite) => Outcome::Rewrite(Box::new(rewrite)),
                Err(gate) => unchanged(df, gate, Some(profile_id)),
            }
        }
        Err(gate) => unchanged(df, gate, Some(profile_id)),
    };
    Ok(outcome)
}

/// A build tool starts the app (`go run`, `gradle bootRun`, `poetry run` …):
/// the start command translated into a build step and the artifact it
/// writes ([`start`]), then that text planned as any other and told about
/// the original; or the tool's gate, saying why it is not translated.
fn translated_start(
    df: &Dockerfile,
    model: &Model,
    ctx: Option<&Context>,
    rules: &Rules,
    opts: &Options,
    profile_id: &str,
    gate: Gate,
) -> Result<Rewrite, Gate> {
    let infos = steps::classify_stage(df, model.final_stage(), rules, ctx);
    let entry = entry::Entry::find(df, &infos).map_err(|_| gate.clone())?;
    let t = start::translate(df, &infos, &entry, ctx, &gate)
        .map_err(|why| start::refused(gate.clone(), &why))?;
    let df2 = crate::syntax::parse(&t.source);
    let model2 = match Model::build(&df2) {
        Ok(m)
            if df2
                .diagnostics
                .iter()
                .all(|d| d.severity != crate::syntax::Severity::Error) =>
        {
            m
        }
        _ => {
            return Err(start::refused(
                gate,
                "the translated file does not read back",
            ));
        }
    };
    match plan_runtime(&df2, &model2, ctx, rules, opts, profile_id, &[]) {
        Ok(rw) => Ok(start::map_back(df, &df2, &t, rw)),
        Err(g) => Err(start::gate_back(df, &df2, &t, g)),
    }
}

/// The outcome that leaves `df` as it is because of `gate`: every
/// instruction gets a decision naming the gate's rule.
fn unchanged(df: &Dockerfile, gate: Gate, profile: Option<String>) -> Outcome {
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

/// A gate about the base image: it concerns the final FROM, which it names in
/// words.
fn base_gate(df: &Dockerfile, model: &Model, rule: &str, message: String) -> Gate {
    facts::gate_near(df, model.final_stage().from_item, rule, message)
}

/// `# dfsplit: ignore-file` anywhere in the file comes first; placement
/// pragmas are read by [`pragma::placements`].
fn pragma_gate(df: &Dockerfile) -> Option<Gate> {
    let p = pragma::pragmas(df)
        .into_iter()
        .find(|p| p.word == "ignore-file")?;
    Some(Gate {
        rule: ids::core::PRAGMA_IGNORE_FILE.into(),
        message: "`# dfsplit: ignore-file`: the file's author asked dfsplit to leave it as it is"
            .into(),
        at: Some(p.at),
    })
}

/// An already multi-stage file: rebased when its final stage runs on a build
/// image of a profile (and derives from no stage of the file), else left
/// unchanged.
fn multi_stage(
    df: &Dockerfile,
    model: &Model,
    ctx: Option<&Context>,
    rules: &Rules,
    opts: &Options,
) -> Outcome {
    let final_stage = model.final_stage();
    let base = &final_stage.base;
    let is_builder = rules.profile_for_image(&base.resolved).is_some()
        && rules
            .candidate_by_image(|image| base::candidate_matches(image, &base.resolved))
            .is_none();
    if is_builder && final_stage.parent.is_none() {
        return match rebase::rebase_final_stage(df, model, ctx, rules, opts) {
            Ok(r) => Outcome::Rewrite(Box::new(r)),
            Err(g) => unchanged(df, g, None),
        };
    }
    let gate = base_gate(
        df,
        model,
        ids::core::ALREADY_MULTISTAGE,
        format!(
            "the file is already multi-stage and its final stage runs on `{}`",
            base.resolved
        ),
    );
    unchanged(df, gate, None)
}

/// The profile of the single stage's build image, or the gate (with the
/// profile, once known) when there is none or its base has no version.
fn build_profile(
    df: &Dockerfile,
    model: &Model,
    rules: &Rules,
) -> Result<String, (Gate, Option<String>)> {
    let base = &model.final_stage().base;
    if base.is_scratch() {
        return Err((
            base_gate(
                df,
                model,
                ids::core::NO_PROFILE,
                "the image is built FROM scratch: nothing to split".into(),
            ),
            None,
        ));
    }
    let Some(profile) = rules.profile_for_image(&base.resolved) else {
        return Err((
            base_gate(
                df,
                model,
                ids::core::NO_PROFILE,
                format!(
                    "no language profile applies: `{}` is not a known build image (profiles: {})",
                    base.resolved,
                    rules.profile_ids().collect::<Vec<_>>().join(", ")
                ),
            ),
            None,
        ));
    };
    let profile_id = profile.id.clone();
    // No tag is `latest`: read only where the catalogue knows that tag as a
    // moving line whose runtime counterpart it can name (`node` → `node:slim`).
    if base.tag.is_none()
        && base.digest.is_none()
        // `golang:` (an empty tag) is not `latest`: Docker rejects it.
        && (base.resolved.ends_with(':')
            || rules.builder_facts(&base.resolved).moving.is_none())
    {
        return Err((
            base_gate(
                df,
                model,
                ids::core::UNTAGGED_BASE,
                format!(
                    "`{}` has no tag, so the runtime base's version cannot be read from it",
                    base.resolved
                ),
            ),
            Some(profile_id),
        ));
    }
    Ok(profile_id)
}

/// The single-stage plan once the profile is known: classify the steps, read
/// the entry, refuse what is not understood, compute what the runtime needs,
/// choose its base, and render.
fn plan_runtime(
    df: &Dockerfile,
    model: &Model,
    ctx: Option<&Context>,
    rules: &Rules,
    opts: &Options,
    profile_id: &str,
    forced: &[pragma::Forced],
) -> Result<Rewrite, Gate> {
    let final_stage = model.final_stage();
    let base = &final_stage.base;
    let infos = steps::classify_stage(df, final_stage, rules, ctx);
    let entry = runtime_entry(df, &infos, rules)?;
    unmodelled_gate(df, &infos, &entry)?;
    let closure_with = |build_only: &[usize]| {
        closure::runtime_closure(
            profile_id,
            df,
            &infos,
            &entry,
            ctx,
            rules,
            &base.resolved,
            build_only,
        )
    };
    let mut closure = closure_with(&pragma::build_only(forced))?;
    pragma::apply(df, &infos, forced, &mut closure, &entry.workdir)?;
    runtime_tools(df, &infos, &mut closure)?;
    let spawned = spawn::scan(&infos, ctx, profile_id, &base.resolved, &mut closure);
    let chosen = match runtime_base(df, model, rules, opts, &infos, &entry, &closure, ctx) {
        Ok(chosen) => chosen,
        Err(gate) if !forced.is_empty() => {
            // When the plan without the pragmas finds a base, it is the
            // pragmas that cannot be honoured: say so at their line.
            let without = closure_with(&[]).ok().filter(|plain| {
                runtime_base(df, model, rules, opts, &infos, &entry, plain, ctx).is_ok()
            });
            if without.is_none() {
                return Err(gate);
            }
            let f = forced
                .iter()
                .find(|f| {
                    infos.iter().any(|i| {
                        i.item == f.item && matches!(i.keyword, Keyword::Run | Keyword::Copy)
                    })
                })
                .unwrap_or(&forced[0]);
            return Err(pragma::refuse(
                &f.pragma,
                format!(
                    "{} cannot be honoured: without the placement pragma{} the file would be split, but with {} no runtime base fits ({}): {}",
                    f.word(),
                    if forced.len() == 1 { "" } else { "s" },
                    if forced.len() == 1 { "it" } else { "them" },
                    gate.rule,
                    gate.message.trim_start_matches("no runtime base fits: ")
                ),
            ));
        }
        Err(gate) => return Err(gate),
    };
    locale::check(df, &infos, &chosen, &closure, &pragma::build_only(forced))?;
    spawn::check(df, &spawned, &chosen, &closure, &entry)?;
    render::render(&render::Input {
        df,
        model,
        infos: &infos,
        entry: &entry,
        closure: &closure,
        chosen: &chosen,
        ctx,
        opts,
        profile: profile_id,
        forced,
    })
}

/// The runtime entry (CMD/ENTRYPOINT), unless there is none or it runs a
/// build tool at start.
pub(crate) fn runtime_entry(
    df: &Dockerfile,
    infos: &[steps::StepInfo],
    rules: &Rules,
) -> Result<entry::Entry, Gate> {
    let entry =
        entry::Entry::find(df, infos).map_err(|reason| facts::gate(ids::core::NO_ENTRY, reason))?;
    if let Some((gate_profile, gate)) = entry.gate(rules) {
        return Err(facts::gate_near(
            df,
            entry.item(),
            &gate.id,
            format!(
                "the container runs a build tool at start (`{}`): {} ({} profile)",
                entry.describe(),
                gate.why,
                gate_profile.id
            ),
        ));
    }
    Ok(entry)
}

/// Anything not understood that could matter to the runtime stops here: a
/// COPY not modelled, a command of unknown kind, an ONBUILD.
fn unmodelled_gate(
    df: &Dockerfile,
    infos: &[steps::StepInfo],
    entry: &entry::Entry,
) -> Result<(), Gate> {
    for info in infos {
        if let StepKind::CopyTool { programs, .. } = &info.kind
            && let Some(p) = entry.commands.iter().filter_map(|c| c.first()).find(|p| {
                programs
                    .iter()
                    .any(|x| x == p.rsplit('/').next().unwrap_or(p))
            })
        {
            return Err(facts::gate_at(
                df,
                info.item,
                ids::core::UNMODELLED_COPY,
                format!(
                    "the start command runs `{p}`, which this COPY brings from a tool image; keeping a build tool in the runtime is not supported"
                ),
            ));
        }
        if let StepKind::CopyOther(why) = &info.kind {
            return Err(facts::gate_at(
                df,
                info.item,
                ids::core::UNMODELLED_COPY,
                format!("{why}; what it brings may be needed at runtime"),
            ));
        }
        for c in info.commands() {
            if c.kind == CmdKind::Unknown {
                return Err(facts::gate_at(
                    df,
                    info.item,
                    &c.rule,
                    format!("`{}`: {}", c.text, c.why),
                ));
            }
        }
    }
    if let Some(onbuild) = infos.iter().find(|i| matches!(i.keyword, Keyword::Onbuild)) {
        return Err(facts::gate_near(
            df,
            onbuild.item,
            ids::core::ONBUILD,
            "ONBUILD triggers run in images built FROM this one; which stage should carry them cannot be decided",
        ));
    }
    Ok(())
}

/// A tool installed for the container to run (a global process manager or
/// static server, `node/install-global-runtime-tool`): unless nginx takes
/// the static server's place, the runtime stage runs the original's own
/// install command again — same words, so the same version pin — on a base
/// of the builder's Node line that has npm (`needs_launcher`: never
/// distroless). Refused where repeating the command could install something
/// else or somewhere else: a word with an expansion, a `--prefix`, npm
/// configuration from ENV or ARG (the runtime does not carry it), a
/// non-root user, or a package manager other than npm (pnpm and yarn need
/// their own global folders set up).
fn runtime_tools(
    df: &Dockerfile,
    infos: &[steps::StepInfo],
    closure: &mut types::Closure,
) -> Result<(), Gate> {
    for info in infos {
        for c in info.commands() {
            if !matches!(
                c.kind,
                CmdKind::Profile {
                    role: Role::BuildToolAtRuntime,
                    ..
                }
            ) {
                continue;
            }
            if closure
                .static_site
                .as_ref()
                .is_some_and(|site| c.args.iter().flatten().any(|a| a.starts_with(site.server)))
            {
                continue;
            }
            let refuse = |what: String| {
                let mut why = format!(
                    "`{}` installs a tool the container runs, and the runtime cannot install it again the same way: {what}",
                    c.text
                );
                // Why nginx did not take a static server's place, when it was considered.
                if let Some(w) = &closure.nginx_refused {
                    why.push_str("; ");
                    why.push_str(w);
                }
                Err(facts::gate_at(df, info.item, &c.rule, why))
            };
            if c.program.as_deref() != Some("npm") {
                return refuse(format!(
                    "{} keeps global packages in a folder of its own, which the runtime base does not set up",
                    c.program.as_deref().unwrap_or("this package manager")
                ));
            }
            if !c.assignments.is_empty() || c.args.iter().any(Option::is_none) {
                return refuse(
                    "a word of it is expanded at build time, so the runtime could install another package or version".into(),
                );
            }
            if c.args
                .iter()
                .flatten()
                .any(|a| a == "--prefix" || a.starts_with("--prefix=") || a == "-C")
            {
                return refuse("it installs under another prefix".into());
            }
            if let Some(k) = info.env.keys().find(|k| {
                let k = k.to_ascii_lowercase();
                k.starts_with("npm_config_") || k == "prefix"
            }) {
                return refuse(format!(
                    "{k} configures npm in the build, and the runtime stage does not carry it"
                ));
            }
            if facts::runs_as_non_root(info) {
                return refuse(format!(
                    "it runs as `{}`, and the runtime installs as root before its USER",
                    info.user.as_deref().unwrap_or_default()
                ));
            }
            let command = c.text.trim().to_string();
            if !closure.runtime_tools.iter().any(|t| t.command == command) {
                closure.runtime_tools.push(types::PruneStep {
                    command,
                    rule: c.rule.clone(),
                    reason: "the original's own command, so the same version pin: the container runs this global tool, and a base of the builder's Node line with npm installs it to the same prefix".into(),
                });
            }
            closure.needs_launcher = true;
            closure.needs_shell = true;
        }
    }
    Ok(())
}

/// The runtime base: chosen from the catalogue, written with the file's
/// global ARGs, refused when it gains nothing, and — for a non-root user —
/// with the paths that user must own.
#[allow(clippy::too_many_arguments)]
fn runtime_base(
    df: &Dockerfile,
    model: &Model,
    rules: &Rules,
    opts: &Options,
    infos: &[steps::StepInfo],
    entry: &entry::Entry,
    closure: &types::Closure,
    ctx: Option<&Context>,
) -> Result<base::Chosen, Gate> {
    let base = &model.final_stage().base;
    // A candidate the FROM's ARGs cannot be written into is set aside
    // before the choice, so a smaller one published per major does not hide
    // one that follows the ARG.
    let follows = |image: &str| {
        base::parameterize(image, &base.raw, &model.global_args)
            .err()
            .map(|g| g.message)
    };
    let chosen = base::choose(rules, &base.resolved, closure, entry, opts, &follows)?;
    let (image, notes) = base::parameterize(&chosen.image, &base.raw, &model.global_args)?;
    if chosen.accounts.is_some() && image.contains('$') {
        // The build stage reads the runtime base's /etc/passwd through a
        // mount naming the image literally; one that follows an ARG is
        // not offered for copied accounts.
        let mut without = closure.clone();
        without.accounts.refused = Some(format!(
            "the runtime image `{image}` follows the FROM's ARG, and the build stage that writes its /etc/passwd must name it literally"
        ));
        return runtime_base(df, model, rules, opts, infos, entry, &without, ctx);
    }
    let mut chosen = base::Chosen {
        image,
        notes: chosen.notes.iter().cloned().chain(notes).collect(),
        ..chosen
    };
    match no_gain::check(df, rules, &base.resolved, &chosen, infos, closure) {
        Err(g) => return Err(base_gate(df, model, &g.rule, g.message)),
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
