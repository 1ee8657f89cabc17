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
use super::facts::{gate, gate_at, sources_outside};
use super::rule_ids as ids;
use super::steps::StepInfo;
use super::types::{Closure, Gate};
use crate::model::Context;
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
