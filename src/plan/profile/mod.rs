//! One module per language profile, behind [`Language`], registered by the
//! profile id its rules use (`rules/<id>.yaml`).
//!
//! A module says what the running app needs from the classified steps —
//! its files, its kind for base choice — and what render must add for it
//! (the venv, the prune, the nginx block), as typed fields of the closure.
//! What every language shares (system packages, setup steps, users, files
//! put outside the app) is done before, in `closure::common`.
//!
//! Invariant: a profile without a module here (one added through
//! `--rules DIR`) plans nothing: the file stays unchanged with
//! `core/no-profile`, naming the profile.

mod dotnet;
mod go;
pub(crate) mod java;
pub(crate) mod node;
mod python;
mod rust;

use super::entry::Entry;
use super::entry_script;
use super::facts::{gate, gate_at, sources_outside};
use super::rule_ids as ids;
use super::steps::StepInfo;
use super::types::{Closure, Gate};
use crate::model::Context;
use crate::model::join_path;
use crate::rules::{AppKind, Rules};
use crate::syntax::Dockerfile;

/// What a language module reads.
pub(crate) struct Input<'a> {
    pub df: &'a Dockerfile,
    pub infos: &'a [StepInfo],
    pub entry: &'a Entry,
    pub ctx: Option<&'a Context>,
    pub rules: &'a Rules,
    /// The build image, resolved (`python:3.12-slim`).
    pub builder: &'a str,
}

/// A language's runtime plan.
pub(crate) trait Language: Sync {
    /// What the runtime needs from the build, added to `c` after the shared
    /// part; an error leaves the file unchanged.
    fn closure(&self, c: &mut Closure, input: &Input) -> Result<(), Gate>;
    /// The app's kind when the final stage of a multi-stage file only
    /// receives artifacts (rebase), with what base choice needs beside it.
    fn stage_kind(&self, c: &mut Closure, ctx: Option<&Context>) -> AppKind;
}

/// The languages with a runtime plan: adding one is one line here.
const REGISTRY: &[(&str, &dyn Language)] = &[
    ("go", &go::Go),
    ("node", &node::Node),
    ("python", &python::Python),
    ("java", &java::Java),
    ("dotnet", &dotnet::Dotnet),
    ("rust", &rust::Rust),
];

/// The module of profile `id`, if it has one.
pub(crate) fn language(id: &str) -> Option<&'static dyn Language> {
    REGISTRY.iter().find(|(p, _)| *p == id).map(|(_, l)| *l)
}

/// The directory the app starts in, which the runtime takes whole (Node,
/// Python): not `/`, and every source copy lands inside it (a gate with
/// `rule` names the one that does not).
fn app_directory(
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &Entry,
    rule: &str,
) -> Result<String, Gate> {
    let app = entry.workdir.clone();
    if app == "/" {
        return Err(gate(
            ids::core::WORKDIR_ROOT,
            "the app lives in /, so what belongs to it cannot be told apart from the image",
        ));
    }
    if let Some((item, dest)) = sources_outside(df, infos, &app) {
        return Err(gate_at(
            df,
            item,
            rule,
            format!(
                "sources are copied to {dest}, outside {app} where the app starts; the runtime takes that directory alone"
            ),
        ));
    }
    Ok(app)
}

/// An entrypoint script of the app in its directory (`./docker-entrypoint.sh`,
/// `sh start.sh`): what it runs (`plan::entry_script`), each checked against
/// the profile's gates (`exec npm run dev`). The runtime then needs a shell
/// for the script itself. Shared by the profiles whose runtime runs such
/// scripts (Node, Python). Nothing when the entry runs no script or one
/// outside the app (checked as a program of the entry).
pub(crate) fn entry_script_runs(
    c: &mut Closure,
    input: &Input,
    app: &str,
) -> Result<Vec<Vec<String>>, Gate> {
    let entry = input.entry;
    let in_app = |p: &str| {
        join_path(&entry.workdir, p).starts_with(&format!("{}/", app.trim_end_matches('/')))
    };
    // The script's own word: after a shell given by its path
    // (`/bin/bash start.sh`) it is the second one, not the shell's.
    if !entry_script::script_word(entry).is_some_and(|(w, _)| in_app(w)) {
        return Ok(Vec::new());
    }
    let script = match entry_script::read(entry, input.ctx, input.rules) {
        Ok(Some(s)) => s,
        Ok(None) => return Ok(Vec::new()),
        Err(why) => return Err(gate(ids::core::ENTRY_SCRIPT, why)),
    };
    for words in &script.runs {
        if let Some((prog, args)) = words.split_first()
            && let Some((_, g)) = input.rules.match_gate(prog, args)
        {
            return Err(gate(
                &g.id,
                format!("{} runs `{}`: {}", script.path, words.join(" "), g.why),
            ));
        }
    }
    c.needs_shell = true;
    c.entry_script = Some(script.path);
    Ok(script.runs)
}
