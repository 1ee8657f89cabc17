//! No gain, no rewrite (`core/no-gain`): a split whose runtime base is the
//! builder's own image (or no smaller in the catalogue) and whose build
//! leaves nothing behind only adds layers — the venv or the app copied once
//! more — so the file stays as it is, with the arithmetic as the reason.
//!
//! What the build removes is read from the classified steps: system
//! packages only the build uses, test steps, dependency caches and sources
//! the runtime does not copy, dev dependencies pruned. When any of these is
//! there, the split may gain even on the same base, and it goes ahead.

use super::base::{Chosen, candidate_matches};
use super::facts;
use super::steps::{CmdKind, StepInfo, StepKind};
use super::types::{Closure, Gate};
use crate::plan::rule_ids as ids;
use crate::rules::{Role, Rules};
use crate::syntax::{Dockerfile, Keyword};

/// Why the split would gain nothing (`Err`); else, when the runtime base is
/// no smaller than the builder, what the split gains all the same.
pub(crate) fn check(
    df: &Dockerfile,
    rules: &Rules,
    builder: &str,
    chosen: &Chosen,
    infos: &[StepInfo],
    c: &Closure,
) -> Result<Option<String>, Gate> {
    let runtime_mb = chosen.spec.as_ref().map(|s| s.approx_size_mb);
    // The catalogue's figure for the builder itself, when it is one of the
    // runtime bases (a slim image used to build).
    let builder_mb = rules
        .candidate_by_image(|image| candidate_matches(image, builder))
        .map(|s| s.approx_size_mb);
    let own = chosen.image == builder
        || crate::rules::ImageRef::parse(&chosen.image) == crate::rules::ImageRef::parse(builder);
    let base = if own {
        format!(
            "the runtime base `{}` is the builder's own image{}",
            chosen.image,
            runtime_mb.map_or(String::new(), |m| format!(" (about {m} MB): 0 MB saved"))
        )
    } else if chosen.builder_image {
        format!(
            "the runtime base `{}` is the builder's own image `{builder}` under another tag that names the same version and release",
            chosen.image
        )
    } else {
        match (builder_mb, runtime_mb) {
            (Some(b), Some(r)) if r >= b => format!(
                "the runtime base `{}` (about {r} MB in the catalogue) is no smaller than the builder `{builder}` (about {b} MB): {} MB saved at most",
                chosen.image, 0
            ),
            _ => return Ok(None),
        }
    };
    let removed = removed_by_build(df, infos, c);
    if !removed.is_empty() {
        return Ok(Some(format!(
            "no smaller than the builder, so what the split gains is what the build stage keeps out of the runtime: {}",
            removed.join("; ")
        )));
    }
    let mut what = Vec::new();
    if c.venv.is_some() {
        what.push("a virtual environment holding what the image already holds");
    }
    if !c.copies.is_empty() {
        what.push("copies of the app's files");
    }
    Err(facts::gate(
        ids::core::NO_GAIN,
        format!(
            "no gain: {base}; and the build removes nothing (no build-only system packages, test steps, dependency caches or sources left in the build stage, no dev dependencies pruned), so a split would only add {}",
            if what.is_empty() {
                "layers".to_string()
            } else {
                what.join(" and ")
            }
        ),
    ))
}

/// What the build stage would keep out of the runtime, one phrase each.
fn removed_by_build(df: &Dockerfile, infos: &[StepInfo], c: &Closure) -> Vec<String> {
    let mut out = Vec::new();
    let copied = |path: &str| {
        c.copies.iter().any(|k| {
            let to = k.to.trim_end_matches('/');
            path == to || path.starts_with(&format!("{to}/"))
        })
    };
    for info in infos {
        match &info.kind {
            StepKind::CopyContext { .. } if !c.prebuilt_copies.contains(&info.item) => {
                // Where the COPY writes, not the working directory it runs
                // in: `COPY app /app` before any WORKDIR runs in `/`.
                match copy_destination(df, info) {
                    Some(dest) if copied(&dest) => {}
                    Some(dest) => out.push(format!("sources copied to {dest}")),
                    None => out.push(format!(
                        "sources copied by line {}",
                        super::facts::line_of(df, info.item)
                    )),
                }
            }
            StepKind::CopyTool { programs, .. } => {
                out.push(format!(
                    "the build tool copied from its image ({})",
                    programs.join(", ")
                ));
            }
            _ => {}
        }
        if let Some(what) = download_cache_left(df, info, c) {
            out.push(what);
        }
        for cmd in info.commands() {
            match &cmd.kind {
                CmdKind::Packages { build_only, .. } if !build_only.is_empty() => {
                    out.push(format!("build-only packages ({})", build_only.join(", ")));
                }
                CmdKind::Profile { role, .. } if *role == Role::Test => {
                    out.push(format!("a test step (`{}`)", cmd.text));
                }
                CmdKind::Profile { .. } if cmd.produces.is_empty() => {
                    // What it writes is not known, so it may stay behind
                    // (a project manager installed for the build: uv, poetry).
                    out.push(format!("what `{}` installs for the build", cmd.text));
                }
                CmdKind::Profile { .. } => {
                    for p in &cmd.produces {
                        // With a venv, what an install would write under
                        // /usr/local goes into the venv, which is copied.
                        let in_venv = c.venv.is_some() && p.starts_with("/usr/local/");
                        if !copied(p) && !in_venv && !p.starts_with(&info.workdir) {
                            out.push(format!("{p}, written by `{}`", cmd.text));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if c.prune.is_some() {
        out.push("dev dependencies".into());
    }
    out
}

/// Where a COPY from the context writes: its last path resolved against
/// the working directory (`COPY app /app` → `/app`, `COPY . .` in `/app` →
/// `/app`), without a trailing slash; `None` when it cannot be read.
fn copy_destination(df: &Dockerfile, info: &StepInfo) -> Option<String> {
    let (dest, abs) = super::facts::copy_target(df, info)?;
    if dest.contains('$') {
        return None;
    }
    let trimmed = abs.trim_end_matches('/');
    Some(if trimmed.is_empty() {
        "/".into()
    } else {
        trimmed.into()
    })
}

/// The download cache a RUN of the original fills and leaves in its image
/// (npm's, yarn's, pip's: the step has no cache mount and does not clean
/// it): the split's build stage keeps it out of the runtime. Counted only
/// when the step runs as root (the cache is then where the rules say) and
/// no venv is added. Even a venv created without pip adds its own files
/// (interpreter links, activation scripts, bytecode): measured on the
/// stand-ins (corpus case 106), whose pip leaves no cache, the split came
/// out 0.1 MB bigger, so a pip cache is not counted as a gain beside a venv.
fn download_cache_left(df: &Dockerfile, info: &StepInfo, c: &Closure) -> Option<String> {
    if info.keyword != Keyword::Run || c.venv.is_some() {
        return None;
    }
    let inst = df.instruction_at(info.item)?;
    if inst.flag("mount").is_some() {
        return None;
    }
    let root = super::render::stage_user_is_root(info.user.as_deref());
    let (target, what) = super::render::cache_mount(info, root)?;
    let command = info.commands().first().map_or("", |c| c.text.as_str());
    Some(format!(
        "{what} ({target}), which `{command}` leaves in the original image"
    ))
}
