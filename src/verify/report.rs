//! What a verify run found, as plain data: the outcome, each image's build
//! and measurements, the config differences, the smoke check, the probes, the
//! stop check and the cache check. `--format json` prints it as is; the field
//! names are stable.

use super::config::Diff;
use super::measure::Measure;
use super::text::{mb, small_mb};
use super::{probes, smoke, stop};
use serde::Serialize;

/// What a verify run showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The rewrite builds, and the smoke check, the probes and the stop agree.
    Pass,
    /// The rewrite does not build, or something disagrees, or it is bigger.
    Fail,
    /// Both images fail a check the same way: nothing disagrees, nothing is proven.
    BothFail,
    /// The original does not build.
    OriginalBroken,
    /// The planner leaves the file unchanged: nothing to prove.
    Unchanged,
}

impl Outcome {
    /// The name used in the JSON report (`both-fail`).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::BothFail => "both-fail",
            Outcome::OriginalBroken => "original-broken",
            Outcome::Unchanged => "unchanged",
        }
    }
}

/// One image: its build and what it holds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImageReport {
    pub tag: String,
    pub built: bool,
    pub build_seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<Measure>,
    /// The FROM image of the final stage and how much of the size it accounts for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<BaseSize>,
}

/// An image's base: the FROM image of its final stage (followed through
/// `FROM <stage>`), its size and what the image adds on top of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BaseSize {
    pub image: String,
    /// `docker image inspect` `.Size` of the base (0 for scratch); absent when
    /// the base is not in the engine's image store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// The image's size minus its base's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added_bytes: Option<u64>,
}

/// How each container ended on `docker stop` (http smoke checks only).
#[derive(Debug, Clone, Default, Serialize)]
pub struct StopReport {
    /// The `docker stop -t` grace period, seconds.
    pub grace_seconds: u64,
    /// Why there is no stop check (an exec smoke check ends by itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<stop::Stop>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<stop::Stop>,
    /// Both ended the same way (same class); absent when not compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agree: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SmokeReport {
    /// `exec` or `http`.
    pub kind: &'static str,
    /// The ARGS, or PORT/PATH.
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    /// Arguments after the image (`--`), for both containers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// The `--env` keys (values are never reported) and `--env-file`s.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env_files: Vec<String>,
    /// `--volume`s as given (host path made absolute).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<String>,
    pub original: smoke::Run,
    pub rewrite: smoke::Run,
    /// Both ran fine and answered the same.
    pub agree: bool,
    /// `agree`, `differ` or `both-fail` (both failed the same way).
    pub verdict: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The `--probes`, in order, with both answers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<probes::ProbeResult>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CacheRun {
    pub built: bool,
    pub seconds: f64,
    pub steps: usize,
    pub reran: usize,
    pub cached: usize,
    /// The steps that ran again.
    pub reran_steps: Vec<String>,
    /// Dependency-install steps among them.
    pub deps_reran: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CacheReport {
    /// The file that got blank lines appended (relative to the context).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_file: Option<String>,
    /// Why the check did not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<CacheRun>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<CacheRun>,
    /// A dependency-install step re-ran in the rewrite after the source edit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewrite_deps_reran: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Gate {
    pub rule: String,
    pub reason: String,
}

/// The whole report (`--format json`).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// What the run showed (serialized as `pass`, `fail`, `both-fail`,
    /// `original-broken` or `unchanged`).
    pub outcome: Outcome,
    pub passed: bool,
    pub failures: Vec<String>,
    /// The checks both images fail the same way.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub both_fail: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unchanged: Option<Gate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<ImageReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<ImageReport>,
    /// Config differences; `explained: false` ones are flagged.
    pub config: Vec<Diff>,
    pub unexplained: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smoke: Option<SmokeReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop: Option<StopReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheReport>,
    pub warnings: Vec<String>,
}

impl Report {
    /// An empty passing report for `file`, to be filled in.
    pub fn new(file: &str) -> Report {
        Report {
            file: file.to_string(),
            context: None,
            outcome: Outcome::Pass,
            passed: true,
            failures: Vec::new(),
            both_fail: Vec::new(),
            unchanged: None,
            profile: None,
            base_before: None,
            base_after: None,
            original: None,
            rewrite: None,
            config: Vec::new(),
            unexplained: 0,
            smoke: None,
            stop: None,
            cache: None,
            warnings: Vec::new(),
        }
    }
}

/// The report's outcome from its findings.
pub fn outcome(report: &Report) -> Outcome {
    if report.original.as_ref().is_some_and(|o| !o.built) {
        Outcome::OriginalBroken
    } else if !report.failures.is_empty() {
        Outcome::Fail
    } else if !report.both_fail.is_empty() {
        Outcome::BothFail
    } else {
        Outcome::Pass
    }
}

/// The smoke check's and the probes' findings: disagreements (failures) and
/// checks both images fail the same way.
pub fn smoke_findings(s: &SmokeReport) -> (Vec<String>, Vec<String>) {
    let (mut failures, mut both) = (Vec::new(), Vec::new());
    match s.verdict {
        "both-fail" => both.push(format!(
            "the smoke check: {}",
            s.original.error.as_deref().unwrap_or("?")
        )),
        "differ" => {
            let why = [("original", &s.original), ("rewrite", &s.rewrite)]
                .iter()
                .filter_map(|(w, run)| run.error.as_ref().map(|e| format!("{w}: {e}")))
                .chain(s.note.clone())
                .collect::<Vec<_>>()
                .join("; ");
            failures.push(format!("the smoke check fails: {why}"));
        }
        _ => {}
    }
    for p in &s.probes {
        let why = p.why.as_deref().unwrap_or("");
        match p.verdict {
            probes::Verdict::Differ => failures.push(format!("probe `{}` differs: {why}", p.name)),
            probes::Verdict::BothFail => both.push(format!("probe `{}`: {why}", p.name)),
            probes::Verdict::Agree | probes::Verdict::NotRun => {}
        }
    }
    (failures, both)
}

/// The never-bigger rule's finding.
#[derive(Debug, PartialEq, Eq)]
pub enum SizeVerdict {
    /// The rewrite is bigger: a failure.
    Fail(String),
    /// The rewrite is bigger, and that is allowed: a warning.
    Warn(String),
}

/// A rewrite bigger than the original fails (a warning with `allow`).
/// `None` when it is not bigger or a size is unknown.
pub fn size_rule(original: Option<u64>, rewrite: Option<u64>, allow: bool) -> Option<SizeVerdict> {
    let (o, r) = (original?, rewrite?);
    if r <= o {
        return None;
    }
    // Sizes that round to the same figure would read "167.0 MB > 167.0 MB":
    // then the difference itself and the exact sizes are said.
    let msg = if mb(r) == mb(o) {
        let diff = r - o;
        let by = if diff < 1000 {
            format!("{diff} byte{}", if diff == 1 { "" } else { "s" })
        } else {
            small_mb(diff)
        };
        format!(
            "the rewrite is bigger than the original by {by}: {r} > {o} bytes (both {})",
            mb(r)
        )
    } else {
        format!(
            "the rewrite is bigger than the original: {} > {}",
            mb(r),
            mb(o)
        )
    };
    Some(if allow {
        SizeVerdict::Warn(format!("{msg} (allowed by --allow-bigger)"))
    } else {
        SizeVerdict::Fail(msg)
    })
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn outcomes_keep_their_report_names() {
        let names = [
            (Outcome::Pass, "pass"),
            (Outcome::Fail, "fail"),
            (Outcome::BothFail, "both-fail"),
            (Outcome::OriginalBroken, "original-broken"),
            (Outcome::Unchanged, "unchanged"),
        ];
        for (o, name) in names {
            assert_eq!(o.as_str(), name);
            assert_eq!(serde_json::to_value(o).unwrap(), name);
        }
    }
}
