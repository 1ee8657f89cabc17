//! Choosing the runtime base from the catalogue's facts and what the
//! analysis showed the app needs.

use super::Gate;
use super::closure::{Closure, Entry};
use super::Options;
use crate::rules::{CandidateSpec, PackageManager, Requirement, Rules};
use crate::syntax::Command;
use std::str::FromStr;

/// Which runtime base the user asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseChoice {
    /// The smallest base the analysis shows compatible.
    Auto,
    /// The slim variant of the builder's family (has a shell and a package manager).
    Slim,
    /// A distroless base (no shell).
    Distroless,
    /// The empty image.
    Scratch,
    /// This exact image.
    Image(String),
}

impl FromStr for BaseChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "auto" => BaseChoice::Auto,
            "slim" => BaseChoice::Slim,
            "distroless" => BaseChoice::Distroless,
            "scratch" => BaseChoice::Scratch,
            "" => return Err("empty base".into()),
            other => BaseChoice::Image(other.to_string()),
        })
    }
}

/// Kinds of runtime base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Scratch,
    Distroless,
    Slim,
    Alpine,
}

pub(crate) fn kind(spec: &CandidateSpec) -> Kind {
    if spec.image == "scratch" {
        Kind::Scratch
    } else if spec.image.contains("distroless") || spec.image.contains("chiseled") {
        Kind::Distroless
    } else if spec.image.contains("alpine") {
        Kind::Alpine
    } else {
        Kind::Slim
    }
}

/// Whether a resolved image matches a candidate's image template.
pub(crate) fn candidate_matches(template: &str, image: &str) -> bool {
    let mut glob = String::new();
    let mut depth = 0;
    let mut in_var = false;
    for ch in template.chars() {
        match ch {
            '[' => {
                depth += 1;
                glob.push('*');
            }
            ']' => depth -= 1,
            '{' => in_var = true,
            '}' => {
                in_var = false;
                if depth == 0 {
                    glob.push('*');
                }
            }
            _ if in_var || depth > 0 => {}
            c => glob.push(c),
        }
    }
    let glob = glob.replace("**", "*");
    if !template.contains(':') && template != "scratch" {
        return image == glob
            || image.strip_prefix(glob.as_str()).is_some_and(|r| r.starts_with(':') || r.starts_with('@'))
            || crate::rules::pattern::glob_match(&glob, image);
    }
    crate::rules::pattern::glob_match(&glob, image)
}

/// The chosen runtime base.
#[derive(Debug, Clone)]
pub(crate) struct Chosen {
    pub image: String,
    pub spec: Option<CandidateSpec>,
    pub reason: String,
    /// USER to set when the original sets none (non-root by default).
    pub user: Option<(String, String)>,
    /// CMD rewritten for a base whose ENTRYPOINT is the interpreter.
    pub cmd_rewrite: Option<Vec<String>>,
    /// Copy CA certificates and zoneinfo from the build stage (scratch).
    pub copy_ca_certs: bool,
    pub copy_tzdata: bool,
}

/// Why a candidate cannot serve, or `None` when it can.
fn incompatible(spec: &CandidateSpec, c: &Closure, entry: &Entry, builder: &str) -> Option<String> {
    if let Some(kind) = c.app_kind
        && !spec.suits.contains(&kind)
    {
        return Some(format!("it does not suit a {kind:?} app"));
    }
    if c.needs_shell && !spec.shell {
        return Some("it has no shell, and the start command, a health check or a setup step needs one".into());
    }
    if !c.packages.is_empty() {
        let pm = c.package_manager.unwrap_or(PackageManager::Apt);
        if !spec.shell || spec.package_manager != pm {
            return Some(format!(
                "the runtime needs system packages ({}) and it has no {} to install them",
                c.packages.join(", "),
                match pm {
                    PackageManager::Apk => "apk",
                    _ => "apt",
                }
            ));
        }
    }
    if !c.replay.is_empty() && !spec.shell {
        return Some("setup steps (users, system files) must be repeated and it has no shell".into());
    }
    for r in &spec.requires {
        match r {
            Requirement::CgoDisabled if !c.static_binary => {
                return Some("the binary is not built with CGO_ENABLED=0, so it needs a C library".into());
            }
            Requirement::ExecFormOnly if c.needs_shell => {
                return Some("it has no shell".into());
            }
            Requirement::NoPackageManagerAtRuntime if c.needs_launcher => {
                return Some("the app starts through a package manager (npm start …), which it lacks".into());
            }
            Requirement::SameInterpreter if !same_family(&spec.image, builder) => {
                return Some("the virtual environment's interpreter path differs from the builder's".into());
            }
            _ => {}
        }
    }
    if c.same_family && !same_family(&spec.image, builder) {
        return Some("installed packages are tied to the builder's interpreter path".into());
    }
    if spec.entrypoint.is_some() && cmd_rewrite(spec, entry).is_none() {
        return Some("its ENTRYPOINT would change how the start command runs".into());
    }
    None
}

fn same_family(template: &str, builder: &str) -> bool {
    let repo = |s: &str| -> String {
        let last_slash = s.rfind('/').map_or(0, |p| p + 1);
        match s[last_slash..].find(':') {
            Some(p) => s[..last_slash + p].to_string(),
            None => s.to_string(),
        }
    };
    repo(template) == repo(builder)
}

/// For a base whose ENTRYPOINT is the interpreter (distroless nodejs): the
/// exact CMD that keeps the original's meaning, if there is one.
fn cmd_rewrite(spec: &CandidateSpec, entry: &Entry) -> Option<Vec<String>> {
    let ep = spec.entrypoint.as_ref()?;
    let interp = ep.first()?.rsplit('/').next()?.to_string();
    if entry.entrypoint.is_some() {
        return None;
    }
    let Some((_, Command::Exec(args))) = &entry.cmd else {
        return None;
    };
    let first = args.first()?;
    if first.value != interp || ep.len() != 1 {
        return None;
    }
    Some(args[1..].iter().map(|a| a.value.clone()).collect())
}

pub(crate) fn choose(rules: &Rules, builder: &str, c: &Closure, entry: &Entry, opts: &Options) -> Result<Chosen, Gate> {
    let report = rules.explain_runtime_candidates(builder);
    let candidates = report.accepted;
    let mut rejected: Vec<String> = report
        .rejected
        .iter()
        .map(|r| format!("{}: {}", r.spec.id, r.reason))
        .collect();
    let mut ok: Vec<(&CandidateSpec, String)> = Vec::new();
    for cand in &candidates {
        match incompatible(cand.spec, c, entry, builder) {
            Some(why) => rejected.push(format!("{} ({}): {why}", cand.image, cand.spec.id)),
            None => ok.push((cand.spec, cand.image.clone())),
        }
    }
    let pick = match &opts.base {
        BaseChoice::Image(img) => {
            let spec = candidates.iter().find(|k| k.image == *img || candidate_matches(&k.spec.image, img)).map(|k| k.spec.clone());
            if let Some(s) = &spec
                && let Some(why) = incompatible(s, c, entry, builder)
            {
                return Err(Gate {
                    rule: "core/base-incompatible".into(),
                    reason: format!("--base {img}: {why}"),
                });
            }
            return Ok(finish(img.clone(), spec, format!("chosen with --base {img}"), c, entry, opts));
        }
        BaseChoice::Auto => {
            let auto: Vec<&(&CandidateSpec, String)> = ok
                .iter()
                .filter(|(s, _)| !s.requires.contains(&Requirement::BringCaCerts))
                .collect();
            auto.iter()
                .min_by_key(|(s, _)| s.approx_size_mb)
                .map(|(s, img)| {
                    let mut why = format!(
                        "the smallest compatible base in the catalogue (about {} MB compressed); {}",
                        s.approx_size_mb, s.notes
                    );
                    if ok.iter().any(|(s, _)| s.requires.contains(&Requirement::BringCaCerts)) {
                        why.push_str("; scratch is smaller but has no CA certificates, zoneinfo or users: ask for it with --base scratch");
                    }
                    ((*s).clone(), img.clone(), why)
                })
        }
        wanted => {
            let want = match wanted {
                BaseChoice::Slim => Kind::Slim,
                BaseChoice::Distroless => Kind::Distroless,
                _ => Kind::Scratch,
            };
            ok.iter()
                .find(|(s, _)| kind(s) == want)
                .map(|(s, img)| ((*s).clone(), img.clone(), format!("asked for with --base; {}", s.notes)))
        }
    };
    match pick {
        Some((spec, image, why)) => Ok(finish(image, Some(spec), why, c, entry, opts)),
        None => Err(Gate {
            rule: "core/base-incompatible".into(),
            reason: if rejected.is_empty() {
                format!("the catalogue has no runtime base for `{builder}`")
            } else {
                format!("no runtime base fits: {}", rejected.join("; "))
            },
        }),
    }
}

fn finish(image: String, spec: Option<CandidateSpec>, reason: String, c: &Closure, entry: &Entry, opts: &Options) -> Chosen {
    let mut image = image;
    let mut user = None;
    let scratch = spec.as_ref().is_some_and(|s| kind(s) == Kind::Scratch);
    if let Some(s) = &spec
        && !opts.keep_root
    {
        if s.user.uid != 0 {
            // Already non-root.
        } else if let Some(nonroot) = &s.nonroot_image
            && !nonroot.contains('{')
            && !nonroot.contains('[')
        {
            image = nonroot.clone();
        } else if let Some(u) = s.other_users.iter().find(|u| u.uid != 0) {
            user = Some((u.name.clone(), format!("the base's own non-root account `{}` (uid {})", u.name, u.uid)));
        } else {
            user = Some((
                "65532:65532".into(),
                if scratch {
                    "scratch has no /etc/passwd, so a numeric non-root user".into()
                } else {
                    "the base has no non-root account, so a numeric non-root user".into()
                },
            ));
        }
    }
    let cmd_rewrite = spec.as_ref().and_then(|s| cmd_rewrite(s, entry));
    Chosen {
        copy_ca_certs: scratch && c.needs_ca_certs,
        copy_tzdata: scratch && c.needs_tzdata,
        image,
        spec,
        reason,
        user,
        cmd_rewrite,
    }
}

#[cfg(test)]
mod tests {
    use super::candidate_matches;

    #[test]
    fn templates_match_resolved_images() {
        assert!(candidate_matches("node:{major}[-{suite}]-slim", "node:20-slim"));
        assert!(candidate_matches("node:{major}[-{suite}]-slim", "node:20-bookworm-slim"));
        assert!(!candidate_matches("node:{major}[-{suite}]-slim", "node:20"));
        assert!(candidate_matches("gcr.io/distroless/static-debian12", "gcr.io/distroless/static-debian12:nonroot"));
        assert!(!candidate_matches("gcr.io/distroless/static-debian12", "gcr.io/distroless/static-debian12-x"));
        assert!(candidate_matches("scratch", "scratch"));
    }
}
