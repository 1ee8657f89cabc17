//! `dfsplit pr --verify`: every rewrite is built and checked by the verify
//! library (`crate::verify`) before it goes into the pull request. A file
//! whose verify does not pass — it fails, the original is broken, both images
//! fail the same way — is left out of the commit, and the body and the summary
//! say why; a file that passes gets its measured sizes and verify's table in
//! the body instead of the catalogue's estimate.
//!
//! [`verify_all`] does the engine work; [`sort`] and the rendering below are
//! pure, so the tests build their reports by hand.

use super::Change;
use crate::verify::text::mb;
use crate::verify::{self, Outcome, Progress, Report, Subject, VerifyError};
use std::fmt::Write as _;
use std::path::Path;

/// A rewrite left out of the pull request: its verify did not pass.
#[derive(Debug, Clone)]
pub struct LeftOut {
    /// Path relative to the repository root, with `/`.
    pub path: String,
    /// What verify found.
    pub report: Report,
    /// The `env:` values the containers got, masked in the reason.
    pub env_mask: verify::options::Env,
    /// Whether verify was asked to start the app.
    pub smoke_check: bool,
}

impl LeftOut {
    /// Why, in one line: the outcome and the findings' first lines.
    pub fn reason(&self) -> String {
        self.env_mask.mask(&reason(&self.report))
    }
}

/// Why a report does not let its rewrite in, in one line.
pub fn reason(r: &Report) -> String {
    let findings: Vec<String> = match r.outcome {
        Outcome::BothFail => r.both_fail.iter().map(|f| one_line(f)).collect(),
        // The original's failure is the first, and the one that matters.
        Outcome::OriginalBroken => r.failures.iter().take(1).map(|f| one_line(f)).collect(),
        _ => r.failures.iter().map(|f| one_line(f)).collect(),
    };
    let head = match r.outcome {
        Outcome::Pass => "passed",
        Outcome::Fail => "the rewrite is not proven",
        Outcome::BothFail => "both images fail the same way, so nothing is proven",
        Outcome::OriginalBroken => "nothing is proven",
        Outcome::Unchanged => "the planner leaves it unchanged",
    };
    if findings.is_empty() {
        head.to_string()
    } else {
        format!("{head}: {}", findings.join("; "))
    }
}

/// A finding in one line. One that goes on with a build log (`the rewrite
/// does not build: LOG`) keeps what failed and the log's last BuildKit
/// `ERROR` line, which says which step failed and how; the rest of the log
/// (times, digests) is left out.
fn one_line(finding: &str) -> String {
    let mut lines = finding.lines();
    let first = lines.next().unwrap_or("").trim();
    match (first.split_once(": "), lines.rfind(|l| l.contains("ERROR"))) {
        (Some((what, _)), Some(error)) => format!("{what}: {}", error.trim()),
        _ => first.to_string(),
    }
}

/// Keeps the changes whose report passed, with the report attached, in their
/// order; the others are left out. `reports` is in the order of `changes`.
pub fn sort(changes: Vec<Change>, reports: Vec<Report>) -> (Vec<Change>, Vec<LeftOut>) {
    debug_assert_eq!(changes.len(), reports.len());
    let mut kept = Vec::new();
    let mut left_out = Vec::new();
    for (mut c, r) in changes.into_iter().zip(reports) {
        if r.passed && r.outcome == Outcome::Pass {
            c.verified = Some(r);
            kept.push(c);
        } else {
            left_out.push(LeftOut {
                path: c.path,
                report: r,
                env_mask: c.env_mask,
                smoke_check: c.smoke_check,
            });
        }
    }
    (kept, left_out)
}

/// Runs verify on each change (its folder as the build context, with its own
/// options: the run's, with the file's `verify:` checks from `.dfsplit.yaml`
/// over them), reporting progress as `PATH: step`. A run that cannot start for
/// one file (no temporary folder, say) leaves that file out with the reason;
/// an engine that stops answering, or a client that cannot build with
/// BuildKit, ends the whole run: no file could be shown to pass.
pub fn verify_all(
    root: &Path,
    todo: Vec<(Change, verify::Options)>,
    progress: &mut dyn Progress,
) -> Result<(Vec<Change>, Vec<LeftOut>), VerifyError> {
    let mut reports = Vec::with_capacity(todo.len());
    let mut changes = Vec::with_capacity(todo.len());
    let n = todo.len();
    for (i, (mut c, opts)) in todo.into_iter().enumerate() {
        c.checked = Some(checked(&opts));
        c.env_mask = opts.run_with.env.clone();
        c.smoke_check = opts.smoke.is_some();
        let opts = &opts;
        changes.push(c);
        let c = changes.last().expect("just pushed");
        progress.step(&format!("verifying {} ({} of {n})", c.path, i + 1));
        let file = root.join(&c.path);
        let dir = file.parent().unwrap_or(root).to_path_buf();
        let df = crate::syntax::parse(&c.before);
        let Some(plan) = c.analysis.outcome.as_ref() else {
            // `changes` only holds files with a plan; nothing to prove otherwise.
            let mut r = Report::new(&c.path);
            r.outcome = Outcome::Unchanged;
            r.passed = false;
            reports.push(r);
            continue;
        };
        let subject = Subject {
            name: &c.path,
            path: Some(&file),
            text: c.before.as_bytes(),
            dockerfile: &df,
            plan,
            context: Some(&dir),
        };
        let mut step = |m: &str| progress.step(&c.env_mask.mask(&format!("{}: {m}", c.path)));
        let report = match verify::run(&subject, opts, &mut step) {
            Ok(r) => r,
            Err(e @ (VerifyError::NoEngine { .. } | VerifyError::NoBuildKit { .. })) => {
                return Err(e);
            }
            Err(e) => {
                let mut r = Report::new(&c.path);
                r.outcome = Outcome::Fail;
                r.passed = false;
                r.failures.push(format!("verify could not run: {e}"));
                r
            }
        };
        progress.step(
            &c.env_mask
                .mask(&format!("{}: {}", c.path, summary(&report))),
        );
        reports.push(report);
    }
    Ok(sort(changes, reports))
}

/// What verify ran with `opts`, in one line for the body: the smoke check
/// (and the text it waited for), the probes, the stop check, what the
/// containers got (env keys, never values; arguments), or that the app was
/// not run.
pub fn checked(opts: &verify::Options) -> String {
    let mut parts = Vec::new();
    let expect = opts
        .expect
        .as_deref()
        .map(|e| format!(", answer containing `{e}`"))
        .unwrap_or_default();
    match &opts.smoke {
        None => {
            return "built and measured; not run (no `verify: smoke:` for this file in `.dfsplit.yaml`)".into();
        }
        Some(verify::Smoke::Http { port, path }) => {
            parts.push(format!("started, `GET {path}` on port {port}{expect}"));
            let p = &opts.run_with.probes;
            if !p.is_empty() {
                let names: Vec<String> = p.iter().map(|p| format!("`{}`", p.name)).collect();
                parts.push(format!(
                    "{} probe{} ({})",
                    p.len(),
                    if p.len() == 1 { "" } else { "s" },
                    names.join(", ")
                ));
            }
            parts.push(format!(
                "the stop check (`docker stop -t {}`)",
                opts.stop_timeout
            ));
        }
        Some(verify::Smoke::Exec(args)) => {
            let shown = if args.is_empty() {
                "its CMD".to_string()
            } else {
                format!("`{args}`")
            };
            parts.push(format!("run with {shown}{expect}"));
        }
    }
    let keys = opts.run_with.env.keys();
    if !keys.is_empty() {
        parts.push(format!("env {}", keys.join(", ")));
    }
    if !opts.run_with.env.files.is_empty() {
        parts.push(format!("{} env file(s)", opts.run_with.env.files.len()));
    }
    if !opts.run_with.volumes.is_empty() {
        let v: Vec<String> = opts
            .run_with
            .volumes
            .iter()
            .map(|v| format!("`{}`", v.container))
            .collect();
        parts.push(format!("volumes {}", v.join(", ")));
    }
    if !opts.run_with.args.is_empty() {
        parts.push(format!("arguments `{}`", opts.run_with.args.join(" ")));
    }
    parts.join("; ")
}

/// `pass, image 1118.2 MB → 152.0 MB (0.14×)` or `fail: …`.
pub fn summary(r: &Report) -> String {
    match (r.outcome, sizes(r)) {
        (Outcome::Pass, Some(s)) => format!("pass, image {s}"),
        (Outcome::Pass, None) => "pass".into(),
        (o, _) => format!("{}: {}", o.as_str(), reason(r)),
    }
}

/// `1118.2 MB → 152.0 MB (0.14×)`: the two images as measured.
pub fn sizes(r: &Report) -> Option<String> {
    let a = r.original.as_ref()?.measure.as_ref()?.size_bytes;
    let b = r.rewrite.as_ref()?.measure.as_ref()?.size_bytes;
    let ratio = if a > 0 {
        format!(" ({:.2}×)", b as f64 / a as f64)
    } else {
        String::new()
    };
    Some(format!("{} → {}{ratio}", mb(a), mb(b)))
}

/// The body's size row for a verified file.
pub fn size_row(r: &Report) -> String {
    match sizes(r) {
        Some(s) => format!(
            "| image size | {s}, measured by `dfsplit verify` (uncompressed, as `docker image ls` shows) |"
        ),
        None => "| image size | not measured (`dfsplit verify` could not read the images' sizes) |"
            .into(),
    }
}

/// Verify's table (without times) folded under a summary line.
pub fn details(r: &Report, env: &verify::options::Env) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<details><summary><code>dfsplit verify</code>: {}</summary>\n",
        r.outcome.as_str()
    );
    s.push_str(&fenced(&env.mask(&verify::text::text_untimed(r))));
    s.push_str("\n</details>\n");
    s
}

/// The body's section for the files left out, or nothing: each with the
/// reason in one line (verify's whole table would carry a build log's times
/// and digests, which change from run to run).
pub fn left_out_section(left_out: &[LeftOut]) -> String {
    if left_out.is_empty() {
        return String::new();
    }
    let mut s = String::new();
    let one = left_out.len() == 1;
    let _ = writeln!(
        s,
        "### Left out: `dfsplit verify` did not pass\n\n{} not in this pull request and {} as {}:\n",
        if one {
            "This rewrite is"
        } else {
            "These rewrites are"
        },
        if one {
            "the file stays"
        } else {
            "the files stay"
        },
        if one { "it is" } else { "they are" }
    );
    for l in left_out {
        let _ = writeln!(s, "- `{}`: {}", l.path, l.reason());
    }
    let _ = writeln!(
        s,
        "\n`dfsplit verify FILE` shows the whole report for one of them.\n"
    );
    s
}

/// `text` in a fenced code block whose fence no line of `text` can close.
fn fenced(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let mut s = format!("{fence}text\n{text}");
    if !text.ends_with('\n') {
        s.push('\n');
    }
    s.push_str(&fence);
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::body;
    use crate::verify::measure::Measure;
    use crate::verify::report::{CacheReport, CacheRun, ImageReport};

    fn change(case: &str, path: &str) -> Change {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus/cases")
            .join(case);
        let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
        let ctx = crate::host::context::collect(&dir, None).unwrap();
        let rules = crate::rules::Rules::load(None).unwrap();
        let analysis =
            crate::analysis::analyze(&text, Some(&ctx), &rules, &crate::plan::Options::default());
        assert!(analysis.changed(), "{case} is rewritten");
        Change {
            path: path.into(),
            before: text,
            after: analysis.output.clone(),
            analysis,
            verified: None,
            checks: None,
            checked: None,
            smoke_check: false,
            env_mask: Default::default(),
        }
    }

    fn image(which: &str, built: bool, seconds: f64, size: u64) -> ImageReport {
        ImageReport {
            tag: format!("dfsplit-verify/app-1f2e3d:{which}"),
            built,
            build_seconds: seconds,
            measure: built.then(|| Measure {
                size_bytes: size,
                layers: 4,
                shell: which == "original",
                ..Measure::default()
            }),
            ..ImageReport::default()
        }
    }

    /// A report as verify writes one for a rewrite that passes.
    fn passing(file: &str, seconds: f64) -> Report {
        let mut r = Report::new(file);
        r.profile = Some("go".into());
        r.base_before = Some("golang:1.23".into());
        r.base_after = Some("gcr.io/distroless/static-debian13".into());
        r.original = Some(image("original", true, seconds, 905_300_000));
        r.rewrite = Some(image("rewrite", true, seconds / 2.0, 9_200_000));
        let run = CacheRun {
            built: true,
            seconds: seconds / 3.0,
            steps: 6,
            reran: 2,
            cached: 4,
            ..CacheRun::default()
        };
        r.cache = Some(CacheReport {
            changed_file: Some("main.go".into()),
            original: Some(run.clone()),
            rewrite: Some(run),
            rewrite_deps_reran: Some(false),
            ..CacheReport::default()
        });
        r
    }

    /// One whose rewrite does not build.
    fn failing(file: &str) -> Report {
        let mut r = Report::new(file);
        r.original = Some(image("original", true, 30.0, 1_100_000_000));
        r.rewrite = Some(ImageReport {
            error: Some("#12 ERROR: npm ci exited 1\nnpm ERR! missing lockfile".into()),
            ..image("rewrite", false, 3.0, 0)
        });
        r.failures.push(
            "the rewrite does not build: #12 ERROR: npm ci exited 1\nnpm ERR! missing lockfile"
                .into(),
        );
        r.passed = false;
        r.outcome = Outcome::Fail;
        r
    }

    #[test]
    fn only_passing_rewrites_are_kept_in_order_with_their_report() {
        let changes = vec![
            change("09-go-static", "a/Dockerfile"),
            change("01-node-npm-ci", "b/Dockerfile"),
            change("09-go-static", "c/Dockerfile"),
            change("09-go-static", "d/Dockerfile"),
        ];
        let mut broken = Report::new("c/Dockerfile");
        broken.original = Some(image("original", false, 1.0, 0));
        broken
            .failures
            .push("the original does not build (the input is broken): no go.sum".into());
        broken.passed = false;
        broken.outcome = Outcome::OriginalBroken;
        let mut both = passing("d/Dockerfile", 10.0);
        both.both_fail
            .push("the smoke check: exited 1: missing DATABASE_URL".into());
        both.passed = false;
        both.outcome = Outcome::BothFail;
        let reports = vec![
            passing("a/Dockerfile", 10.0),
            failing("b/Dockerfile"),
            broken,
            both,
        ];
        let (kept, left) = sort(changes, reports);
        assert_eq!(
            kept.iter().map(|c| c.path.as_str()).collect::<Vec<_>>(),
            ["a/Dockerfile"]
        );
        assert!(kept[0].verified.as_ref().is_some_and(|r| r.passed));
        let reasons: Vec<(String, String)> =
            left.iter().map(|l| (l.path.clone(), l.reason())).collect();
        assert_eq!(
            reasons,
            [
                (
                    "b/Dockerfile".to_string(),
                    "the rewrite is not proven: the rewrite does not build: #12 ERROR: npm ci exited 1"
                        .to_string()
                ),
                (
                    "c/Dockerfile".to_string(),
                    "nothing is proven: the original does not build (the input is broken): no go.sum"
                        .to_string()
                ),
                (
                    "d/Dockerfile".to_string(),
                    "both images fail the same way, so nothing is proven: the smoke check: exited 1: missing DATABASE_URL"
                        .to_string()
                ),
            ]
        );
        // A report that says pass but is not marked passed stays out too.
        let mut odd = passing("e/Dockerfile", 1.0);
        odd.passed = false;
        let (kept, left) = sort(vec![change("09-go-static", "e/Dockerfile")], vec![odd]);
        assert!(kept.is_empty() && left.len() == 1);
    }

    #[test]
    fn the_body_shows_measured_sizes_and_verifys_table_and_what_was_left_out() {
        let (kept, left) = sort(
            vec![
                change("09-go-static", "svc/api/Dockerfile"),
                change("01-node-npm-ci", "svc/web/Dockerfile"),
            ],
            vec![
                passing("svc/api/Dockerfile", 41.7),
                failing("svc/web/Dockerfile"),
            ],
        );
        let b = body(&kept, &left, "0123abcd");
        assert!(b.starts_with("dfsplit rewrote one Dockerfile"), "{b}");
        assert!(b.contains("with `dfsplit verify`"), "{b}");
        assert!(
            b.contains("| image size | 905.3 MB → 9.2 MB (0.01×), measured by `dfsplit verify`"),
            "{b}"
        );
        assert!(!b.contains("catalogue estimate"), "{b}");
        // verify's table, folded, in a fence, without times.
        assert!(
            b.contains("<details><summary><code>dfsplit verify</code>: pass</summary>\n\n```text\nsvc/api/Dockerfile: go profile, runtime base golang:1.23 → gcr.io/distroless/static-debian13\n"),
            "{b}"
        );
        assert!(b.contains("  size               905.3 MB"), "{b}");
        assert!(
            b.contains("PASS: the rewrite builds and is not bigger"),
            "{b}"
        );
        assert!(!b.contains("41.7") && !b.contains(" s;"), "times leak: {b}");
        // The file left out: named with the reason, not a section of its own.
        assert!(
            b.contains("### Left out: `dfsplit verify` did not pass\n\nThis rewrite is not in this pull request and the file stays as it is:\n\n- `svc/web/Dockerfile`: the rewrite is not proven: the rewrite does not build: #12 ERROR: npm ci exited 1\n"),
            "{b}"
        );
        assert!(
            b.contains("\n`dfsplit verify FILE` shows the whole report for one of them.\n"),
            "{b}"
        );
        // Only the kept file's table: a failed build's log has times and digests.
        assert_eq!(b.matches("<details>").count(), 1, "{b}");
        assert!(!b.contains("missing lockfile"), "{b}");
        assert!(!b.contains("### `svc/web/Dockerfile`"), "{b}");
        assert!(b.contains(" inputs=0123abcd -->"), "{b}");
        // The same findings with other timings give the same body: a re-run does not update it.
        let (kept2, left2) = sort(
            vec![
                change("09-go-static", "svc/api/Dockerfile"),
                change("01-node-npm-ci", "svc/web/Dockerfile"),
            ],
            vec![
                passing("svc/api/Dockerfile", 3.9),
                failing("svc/web/Dockerfile"),
            ],
        );
        assert_eq!(body(&kept2, &left2, "0123abcd"), b);
    }

    #[test]
    fn without_verify_the_body_says_nothing_of_it() {
        let b = body(&[change("09-go-static", "svc/api/Dockerfile")], &[], "h");
        assert!(b.contains("(catalogue estimate, not measured)"), "{b}");
        assert!(
            !b.contains("dfsplit verify") && !b.contains("<details>"),
            "{b}"
        );
    }

    #[test]
    fn tables_that_would_pass_githubs_limit_are_left_out() {
        let mut big = passing("svc/api/Dockerfile", 1.0);
        big.warnings.push("x".repeat(crate::bot::BODY_LIMIT));
        let (kept, left) = sort(
            vec![
                change("09-go-static", "svc/api/Dockerfile"),
                change("01-node-npm-ci", "svc/web/Dockerfile"),
            ],
            vec![big, failing("svc/web/Dockerfile")],
        );
        let b = body(&kept, &left, "h");
        assert!(b.chars().count() <= crate::bot::BODY_LIMIT);
        assert!(b.contains("verify's tables are not shown"), "{b}");
        assert!(!b.contains("<details>"), "{b}");
        // What matters stays: the measured sizes and why a file is left out.
        assert!(b.contains("| image size | 905.3 MB → 9.2 MB"), "{b}");
        assert!(
            b.contains("- `svc/web/Dockerfile`: the rewrite is not proven"),
            "{b}"
        );
    }

    #[test]
    fn summaries_for_the_run_output() {
        assert_eq!(
            summary(&passing("a", 1.0)),
            "pass, image 905.3 MB → 9.2 MB (0.01×)"
        );
        assert_eq!(
            summary(&failing("a")),
            "fail: the rewrite is not proven: the rewrite does not build: #12 ERROR: npm ci exited 1"
        );
    }

    #[test]
    fn a_build_logs_error_line_is_in_the_reason() {
        let mut r = failing("a");
        r.failures = vec![
            "the rewrite does not build: #8 [build 2/2] RUN go build -o /app .\n#8 0.412 main.go:3:1: syntax error\n#8 ERROR: process \"/bin/sh -c go build -o /app .\" did not complete successfully: exit code: 1".into(),
        ];
        assert_eq!(
            reason(&r),
            "the rewrite is not proven: the rewrite does not build: #8 ERROR: process \"/bin/sh -c go build -o /app .\" did not complete successfully: exit code: 1"
        );
    }

    #[test]
    fn a_fence_is_longer_than_any_backtick_run_inside() {
        assert_eq!(fenced("a\n"), "```text\na\n```\n");
        assert_eq!(fenced("x ```` y"), "`````text\nx ```` y\n`````\n");
    }
}
