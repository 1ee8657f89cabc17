//! `dfsplit verify`: build the original and the rewrite with a real Docker
//! engine and show that the rewrite is the same app in a smaller image —
//! config differences explained by the plan, sizes and contents measured, a
//! smoke check run on both (a long-running one ends with a stop check: how
//! each container ends on `docker stop`), and the dependency cache checked
//! after a source edit.
//!
//! Exit codes: 0 when the rewrite builds and the smoke check and probes agree
//! (or the plan leaves the file unchanged: nothing to prove); 1 when the
//! rewrite (or the original) does not build, the smoke check or a probe
//! disagrees, both images fail it the same way (`both-fail`: nothing is
//! proven), the two containers end differently on `docker stop`, or the
//! rewrite is bigger than the original (unless `--allow-bigger`); 2 when no
//! engine answers, or for bad usage or input.

mod cache;
mod config;
mod docker;
mod http;
mod measure;
mod options;
mod probes;
mod progress;
mod smoke;
mod stop;

use super::Outcome;
use super::rewrite::{PlanArgs, Planned, plan_file};
use anyhow::{Context as _, Result};
use clap::ValueEnum;
use config::{Base, Diff, Source};
use dfsplit::model::Model;
use dfsplit::plan::{Outcome as Plan, Placement, Rewrite};
use dfsplit::syntax::{self, Body, Dockerfile, Keyword};
use docker::Docker;
use measure::Measure;
use serde::Serialize;
use serde_json::Value;
use smoke::Smoke;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum VerifyFormat {
    /// A table for people.
    Text,
    /// A report for tools (stable field names).
    Json,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    plan: PlanArgs,
    /// Smoke check: `docker run --rm IMAGE ARGS [-- ARGS]` on both images (ARGS
    /// split on spaces, then the arguments after `--`; '' with no `--` keeps the
    /// image's CMD); the outputs must agree.
    #[arg(
        long,
        value_name = "ARGS",
        allow_hyphen_values = true,
        conflicts_with = "http"
    )]
    exec: Option<String>,
    /// Smoke check: run both images detached, publish PORT on 127.0.0.1 and GET
    /// PATH (default `/`) until it answers at all (any status but 502/503/504;
    /// 60 s), then wait for a HEALTHCHECK; status and body must agree.
    #[arg(long, value_name = "PORT[/PATH]")]
    http: Option<String>,
    /// Text the smoke check's output (or body) must contain (--http waits for it).
    #[arg(long, value_name = "TEXT")]
    expect: Option<String>,
    /// Requests (YAML) sent in order to each container once --http finds it
    /// ready, on its PORT; each answer must agree between the two images.
    #[arg(long, value_name = "FILE", requires = "http")]
    probes: Option<PathBuf>,
    /// An environment variable for both containers (repeatable). The value is
    /// never printed nor put on docker's command line.
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// A file of KEY=VALUE lines for both containers (docker's --env-file; repeatable).
    #[arg(long, value_name = "FILE")]
    env_file: Vec<PathBuf>,
    /// Mount a host folder or file in both containers (repeatable); each
    /// container gets its own copy of a writable one, `:ro` ones are shared.
    #[arg(long, value_name = "HOST:CONTAINER[:ro]")]
    volume: Vec<String>,
    /// A rewrite bigger than the original is a warning, not a failure.
    #[arg(long)]
    allow_bigger: bool,
    /// Arguments passed to both containers after the image (they replace its
    /// CMD; with --exec they follow its ARGS).
    #[arg(last = true, value_name = "ARGS")]
    cmd_args: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    format: VerifyFormat,
    /// Keep the built images (`dfsplit-verify/NAME-RUN:original|rewrite`).
    #[arg(long)]
    keep_images: bool,
    /// Skip the rebuild after a source edit that checks the dependency cache.
    #[arg(long)]
    no_cache_check: bool,
    /// Stop check (with --http): after the probe, `docker stop -t SECS` each
    /// container; one still running SECS after the stop signal is SIGKILLed.
    /// The two must end the same way (on the signal, or killed after SECS).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 5,
        value_parser = clap::value_parser!(u64).range(1..=300)
    )]
    stop_timeout: u64,
}

/// One image: its build and what it holds.
#[derive(Debug, Clone, Default, Serialize)]
struct ImageReport {
    tag: String,
    built: bool,
    build_seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    measure: Option<Measure>,
    /// The FROM image of the final stage and how much of the size it accounts for.
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<BaseSize>,
}

/// An image's base: the FROM image of its final stage (followed through
/// `FROM <stage>`), its size and what the image adds on top of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
struct BaseSize {
    image: String,
    /// `docker image inspect` `.Size` of the base (0 for scratch); absent when
    /// the base is not in the engine's image store.
    #[serde(skip_serializing_if = "Option::is_none")]
    size_bytes: Option<u64>,
    /// The image's size minus its base's.
    #[serde(skip_serializing_if = "Option::is_none")]
    added_bytes: Option<u64>,
}

/// How each container ended on `docker stop` (http smoke checks only).
#[derive(Debug, Clone, Default, Serialize)]
struct StopReport {
    /// The `docker stop -t` grace period, seconds.
    grace_seconds: u64,
    /// Why there is no stop check (an exec smoke check ends by itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    original: Option<stop::Stop>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rewrite: Option<stop::Stop>,
    /// Both ended the same way (same class); absent when not compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    agree: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct SmokeReport {
    /// `exec` or `http`.
    kind: &'static str,
    /// The ARGS, or PORT/PATH.
    target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expect: Option<String>,
    /// Arguments after the image (`--`), for both containers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    args: Vec<String>,
    /// The `--env` keys (values are never reported) and `--env-file`s.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    env: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    env_files: Vec<String>,
    /// `--volume`s as given (host path made absolute).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    volumes: Vec<String>,
    original: smoke::Run,
    rewrite: smoke::Run,
    /// Both ran fine and answered the same.
    agree: bool,
    /// `agree`, `differ` or `both-fail` (both failed the same way).
    verdict: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    /// The `--probes`, in order, with both answers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    probes: Vec<probes::ProbeResult>,
}

#[derive(Debug, Clone, Default, Serialize)]
struct CacheRun {
    built: bool,
    seconds: f64,
    steps: usize,
    reran: usize,
    cached: usize,
    /// The steps that ran again.
    reran_steps: Vec<String>,
    /// Dependency-install steps among them.
    deps_reran: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
struct CacheReport {
    /// The file that got blank lines appended (relative to the context).
    #[serde(skip_serializing_if = "Option::is_none")]
    changed_file: Option<String>,
    /// Why the check did not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    original: Option<CacheRun>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rewrite: Option<CacheRun>,
    /// A dependency-install step re-ran in the rewrite after the source edit.
    #[serde(skip_serializing_if = "Option::is_none")]
    rewrite_deps_reran: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
struct Gate {
    rule: String,
    reason: String,
}

/// The whole report (`--format json`).
#[derive(Debug, Clone, Serialize)]
struct Report {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<String>,
    /// `pass`, `fail`, `both-fail` (both images fail a check the same way:
    /// nothing disagrees, nothing is proven), `original-broken` or `unchanged`.
    outcome: &'static str,
    passed: bool,
    failures: Vec<String>,
    /// The checks both images fail the same way.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    both_fail: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unchanged: Option<Gate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    original: Option<ImageReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rewrite: Option<ImageReport>,
    /// Config differences; `explained: false` ones are flagged.
    config: Vec<Diff>,
    unexplained: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    smoke: Option<SmokeReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop: Option<StopReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cache: Option<CacheReport>,
    warnings: Vec<String>,
}

impl Report {
    fn new(file: &str) -> Report {
        Report {
            file: file.to_string(),
            context: None,
            outcome: "pass",
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

fn progress(msg: &str) {
    eprintln!("dfsplit verify: {msg}");
}

pub fn verify(args: VerifyArgs) -> Result<Outcome> {
    let smoke = match (&args.exec, &args.http) {
        (Some(a), _) => Some(Smoke::Exec(a.clone())),
        (None, Some(spec)) => match smoke::parse_http(spec) {
            Ok((port, path)) => Some(Smoke::Http { port, path }),
            Err(e) => {
                eprintln!("dfsplit: {e}");
                return Ok(Outcome::Failed);
            }
        },
        (None, None) => None,
    };
    if smoke.is_none() {
        let needs = [
            ("--expect", args.expect.is_some()),
            ("--env", !args.env.is_empty()),
            ("--env-file", !args.env_file.is_empty()),
            ("--volume", !args.volume.is_empty()),
            ("arguments after --", !args.cmd_args.is_empty()),
        ];
        if let Some((what, _)) = needs.iter().find(|(_, given)| *given) {
            eprintln!("dfsplit: {what} needs a smoke check: --exec 'ARGS' or --http PORT[/PATH]");
            return Ok(Outcome::Failed);
        }
    }
    if args.probes.is_some() && !matches!(smoke, Some(Smoke::Http { .. })) {
        eprintln!("dfsplit: --probes needs --http PORT[/PATH]: the probes go to its port");
        return Ok(Outcome::Failed);
    }
    let run_with = match RunWith::new(&args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("dfsplit: {e}");
            return Ok(Outcome::Failed);
        }
    };
    let Some(Planned {
        input, df, plan, ..
    }) = plan_file(&args.plan)?
    else {
        return Ok(Outcome::Failed);
    };
    let mut report = Report::new(&input.name);
    let r = match &plan {
        Plan::Unchanged { gate, profile, .. } => {
            report.outcome = "unchanged";
            report.profile = profile.clone();
            report.unchanged = Some(Gate {
                rule: gate.rule.clone(),
                reason: gate.reason.clone(),
            });
            print(&args, &report, &run_with.env)?;
            return Ok(Outcome::Ok);
        }
        Plan::Rewrite(r) => r,
    };
    report.profile = Some(r.profile.clone());
    report.base_before = Some(r.base_before.clone());
    report.base_after = Some(r.base_after.clone());
    report.warnings = r.warnings.clone();

    let context_dir: PathBuf = match (&args.plan.context, &input.path) {
        (Some(c), _) => c.clone(),
        (None, Some(p)) => p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf(),
        (None, None) => {
            eprintln!(
                "dfsplit: verify reads the Dockerfile from standard input only with --context DIR"
            );
            return Ok(Outcome::Failed);
        }
    };
    report.context = Some(context_dir.display().to_string());

    let docker = Docker::from_env();
    if let Err(why) = docker.check_engine() {
        eprintln!(
            "dfsplit: no Docker engine answers ({}: {why}).\n\
             dfsplit: verify builds and runs images: start one (`sudo dockerd &`, or \
             `eval \"$(../shared/e2e/docker-up)\"` in a dfsplit checkout) or set DOCKER_HOST \
             to a running engine; DOCKER names the client to use (now `{}`).",
            docker.program(),
            docker.program()
        );
        return Ok(Outcome::Failed);
    }

    let run_id = run_id();
    let work = cache::TempDir(std::env::temp_dir().join(format!("dfsplit-verify-{run_id}")));
    std::fs::create_dir_all(&work.0).context("cannot create a temporary folder")?;
    let original_file = match &input.path {
        Some(p) => p.clone(),
        None => {
            let p = work.0.join("Dockerfile.original");
            std::fs::write(&p, &input.bytes)?;
            p
        }
    };
    let rewrite_file = work.0.join("Dockerfile.rewrite");
    std::fs::write(&rewrite_file, &r.text)?;

    let name = image_name(&context_dir, &run_id);
    let keep = args.keep_images;
    let orig_tag = format!("dfsplit-verify/{name}:original");
    let rew_tag = format!("dfsplit-verify/{name}:rewrite");
    let _orig_img = docker.image_guard(&orig_tag, keep);
    let _rew_img = docker.image_guard(&rew_tag, keep);

    progress(&format!("building the original as {orig_tag}"));
    // Developer knob for measuring cold builds: DFSPLIT_VERIFY_NO_CACHE=1 builds
    // the two images with --no-cache (the cache check still uses the cache).
    let cold = std::env::var_os("DFSPLIT_VERIFY_NO_CACHE").is_some_and(|v| v == "1");
    let (mut orig, _) = build(&docker, &original_file, &context_dir, &orig_tag, cold);
    progress(&format!("building the rewrite as {rew_tag}"));
    let (mut rew, _) = build(&docker, &rewrite_file, &context_dir, &rew_tag, cold);
    if !orig.built {
        report.failures.push(format!(
            "the original does not build (the input is broken): {}",
            orig.error.as_deref().unwrap_or("")
        ));
    }
    if !rew.built {
        report.failures.push(format!(
            "the rewrite does not build: {}",
            rew.error.as_deref().unwrap_or("")
        ));
    }

    if orig.built && rew.built {
        let oi = docker.inspect(&orig_tag).unwrap_or_default();
        let ri = docker.inspect(&rew_tag).unwrap_or_default();
        progress("measuring both images");
        for (img, info, tag) in [(&mut orig, &oi, &orig_tag), (&mut rew, &ri, &rew_tag)] {
            match measure::measure(&docker, tag, info) {
                Ok(m) => img.measure = Some(m),
                Err(e) => report.warnings.push(format!("{tag}: cannot measure: {e}")),
            }
        }
        // How much of each image is its base: the original's final-stage FROM
        // and the rewrite's runtime FROM.
        let bases = [
            final_base(&df).unwrap_or_else(|| r.base_before.clone()),
            final_base(&syntax::parse(&r.text)).unwrap_or_else(|| r.base_after.clone()),
        ];
        for ((img, info), base) in [(&mut orig, &oi), (&mut rew, &ri)].into_iter().zip(bases) {
            let size = base_size(&docker, &base);
            if size.is_none() {
                report.warnings.push(format!(
                    "base image {base} is not in the engine's image store: its size is unknown"
                ));
            }
            img.base = Some(base_share(base, info["Size"].as_u64(), size));
        }
        // Config differences and what explains them.
        let bb = base_config(&docker, &r.base_before);
        let ba = base_config(&docker, &r.base_after);
        let sources = sources(&df, r);
        report.config = config::diff(
            &oi["Config"],
            &ri["Config"],
            bb.as_ref().map(|c| Base {
                name: &r.base_before,
                config: c,
            }),
            ba.as_ref().map(|c| Base {
                name: &r.base_after,
                config: c,
            }),
            &sources,
        );
        report.unexplained = report.config.iter().filter(|d| !d.explained).count();

        // Never bigger: the point of a rewrite is a smaller image.
        match size_rule(oi["Size"].as_u64(), ri["Size"].as_u64(), args.allow_bigger) {
            Some(SizeVerdict::Fail(f)) => report.failures.push(f),
            Some(SizeVerdict::Warn(w)) => report.warnings.push(w),
            None => {}
        }

        if let Some(sm) = &smoke {
            progress(&match run_with.probes.len() {
                0 => "smoke check".to_string(),
                n => format!("smoke check, then {n} probe(s) on each container"),
            });
            match run_smoke(
                &docker,
                sm,
                args.expect.as_deref(),
                (&orig_tag, &oi),
                (&rew_tag, &ri),
                &report.config,
                &run_id,
                args.stop_timeout,
                &run_with,
                &work.0,
            ) {
                Ok(s) => report.smoke = Some(s),
                Err(e) => report
                    .failures
                    .push(format!("cannot run the smoke check: {e}")),
            }
        }
        if let Some(s) = &report.smoke {
            let (failures, both) = smoke_findings(s);
            report.failures.extend(failures);
            report.both_fail.extend(both);
        }
        if let Some(sm) = &mut report.smoke {
            let (stop, failure) = stop_report(sm, args.stop_timeout);
            report.stop = Some(stop);
            report.failures.extend(failure);
        }

        if !args.no_cache_check {
            progress("cache check: rebuilding both after a source edit");
            report.cache = Some(cache_check(
                &docker,
                &df,
                r,
                (&original_file, &rewrite_file),
                &context_dir,
                &name,
                &run_id,
                &work.0,
            ));
        }
    }
    report.original = Some(orig);
    report.rewrite = Some(rew);
    report.passed = report.failures.is_empty() && report.both_fail.is_empty();
    report.outcome = outcome(&report);
    print(&args, &report, &run_with.env)?;
    // Exit 1: "the rewrite is not proven" (the same code `rewrite --check` uses for its finding).
    Ok(if report.passed {
        Outcome::Ok
    } else {
        Outcome::CheckFailed
    })
}

/// What both containers are run with (`--env`, `--env-file`, `--volume`,
/// `-- ARGS`, `--probes`), checked before anything is built.
struct RunWith {
    env: options::Env,
    volumes: Vec<options::Volume>,
    args: Vec<String>,
    probes: Vec<probes::Probe>,
}

impl RunWith {
    fn new(args: &VerifyArgs) -> Result<RunWith, String> {
        let env = options::Env::new(&args.env, &args.env_file)?;
        let volumes = args
            .volume
            .iter()
            .map(|v| options::Volume::parse(v))
            .collect::<Result<Vec<_>, _>>()?;
        let probes = match &args.probes {
            Some(f) => {
                let text = std::fs::read_to_string(f)
                    .map_err(|e| format!("--probes {}: {e}", f.display()))?;
                probes::parse(&f.display().to_string(), &text)?
            }
            None => Vec::new(),
        };
        Ok(RunWith {
            env,
            volumes,
            args: args.cmd_args.clone(),
            probes,
        })
    }

    /// The setup of one container (`which`: original or rewrite): its own
    /// copies of the writable volumes, made in `work`.
    fn setup(&self, work: &Path, which: &str) -> Result<smoke::Setup<'_>, String> {
        let (mut run_options, client_env) = self.env.docker_args(work)?;
        run_options.extend(options::volume_args(&self.volumes, work, which)?);
        Ok(smoke::Setup {
            run_options,
            client_env,
            args: &self.args,
            probes: &self.probes,
        })
    }
}

/// The report's outcome from its findings.
fn outcome(report: &Report) -> &'static str {
    if report.original.as_ref().is_some_and(|o| !o.built) {
        "original-broken"
    } else if !report.failures.is_empty() {
        "fail"
    } else if !report.both_fail.is_empty() {
        "both-fail"
    } else {
        "pass"
    }
}

/// The smoke check's and the probes' findings: disagreements (failures) and
/// checks both images fail the same way.
fn smoke_findings(s: &SmokeReport) -> (Vec<String>, Vec<String>) {
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
enum SizeVerdict {
    Fail(String),
    Warn(String),
}

/// A rewrite bigger than the original fails (a warning with `allow`).
/// `None` when it is not bigger or a size is unknown.
fn size_rule(original: Option<u64>, rewrite: Option<u64>, allow: bool) -> Option<SizeVerdict> {
    let (o, r) = (original?, rewrite?);
    if r <= o {
        return None;
    }
    let msg = format!(
        "the rewrite is bigger than the original: {} > {}",
        mb(r),
        mb(o)
    );
    Some(if allow {
        SizeVerdict::Warn(format!("{msg} (allowed by --allow-bigger)"))
    } else {
        SizeVerdict::Fail(msg)
    })
}

fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{:x}",
        (nanos as u64 ^ u64::from(std::process::id()) << 40) & 0xff_ffff_ffff
    )
}

/// `dfsplit-verify/<name>`: the context folder's name, made a valid repository
/// name, plus the run id.
fn image_name(context: &Path, run_id: &str) -> String {
    let dir = std::fs::canonicalize(context).unwrap_or_else(|_| context.to_path_buf());
    let raw = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    s = s
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string();
    s.truncate(60);
    if s.is_empty() {
        s = "app".into();
    }
    format!("{s}-{run_id}")
}

/// Builds one image; returns its report and the parsed steps.
fn build(
    docker: &Docker,
    file: &Path,
    context: &Path,
    tag: &str,
    no_cache: bool,
) -> (ImageReport, Vec<progress::Step>) {
    let out = docker.build(file, context, tag, no_cache);
    let log = out.combined();
    let steps = progress::parse_plain(&log);
    let mut rep = ImageReport {
        tag: tag.to_string(),
        built: out.ok(),
        build_seconds: secs(out.elapsed),
        ..ImageReport::default()
    };
    if !rep.built {
        rep.error = Some(if out.timed_out {
            "the build did not finish in 30 minutes".into()
        } else {
            build_error(&log)
        });
    }
    (rep, steps)
}

fn secs(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}

/// The useful lines of a failed build log: the failing step and the error.
fn build_error(log: &str) -> String {
    if log.contains("buildx component is missing") || log.contains("unknown flag: --progress") {
        return "this docker client cannot build with BuildKit here; set DOCKER to a client \
                with built-in BuildKit (e.g. /usr/bin/docker from Debian's docker.io 20.10) \
                or install the buildx plugin"
            .into();
    }
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail: Vec<&str> = lines.iter().rev().take(12).rev().copied().collect();
    tail.join("\n")
}

/// The config of a base image, when it is present locally (`scratch`: empty).
fn base_config(docker: &Docker, image: &str) -> Option<Value> {
    if image == "scratch" {
        return Some(serde_json::json!({}));
    }
    docker.inspect(image).map(|v| v["Config"].clone())
}

/// What in the plan can explain a config difference.
fn sources(df: &Dockerfile, r: &Rewrite) -> Vec<Source> {
    let runtime = r.stages.last().map_or("runtime", |s| s.name.as_str());
    let mut out = Vec::new();
    for d in &r.decisions {
        let inst = df.instructions().find(|i| i.start_line == d.line);
        let (keyword, value) = split_keyword(&d.text);
        out.push(Source {
            keys: inst.map(|i| env_keys(i, df.escape)).unwrap_or_default(),
            keyword,
            value,
            in_runtime: matches!(d.placement, Placement::Runtime | Placement::BuildAndRuntime),
            addition: false,
            rule: d.rule.clone(),
            reason: d.reason.clone(),
        });
    }
    for a in &r.additions {
        let parsed = syntax::parse(&a.text);
        let keys = parsed
            .instructions()
            .next()
            .map(|i| env_keys(i, parsed.escape))
            .unwrap_or_default();
        let (keyword, value) = split_keyword(a.text.lines().next().unwrap_or(""));
        out.push(Source {
            keyword,
            value,
            keys,
            in_runtime: a.stage == runtime,
            addition: true,
            rule: a.rule.clone(),
            reason: a.reason.clone(),
        });
    }
    out
}

fn split_keyword(text: &str) -> (String, String) {
    let t = text.trim();
    match t.split_once(char::is_whitespace) {
        Some((k, v)) => (k.to_ascii_uppercase(), v.trim().to_string()),
        None => (t.to_ascii_uppercase(), String::new()),
    }
}

fn env_keys(inst: &syntax::Instruction, escape: char) -> Vec<String> {
    match &inst.body {
        Body::KeyValues { pairs } if inst.keyword == Keyword::Env => pairs
            .iter()
            .map(|p| syntax::process_word(&p.key.value, escape))
            .collect(),
        _ => Vec::new(),
    }
}

fn has_healthcheck(info: &Value) -> bool {
    let test = &info["Config"]["Healthcheck"]["Test"];
    test.as_array()
        .is_some_and(|t| !t.is_empty() && t[0].as_str() != Some("NONE"))
}

#[allow(clippy::too_many_arguments)]
fn run_smoke(
    docker: &Docker,
    sm: &Smoke,
    expect: Option<&str>,
    (orig_tag, oi): (&str, &Value),
    (rew_tag, ri): (&str, &Value),
    diffs: &[Diff],
    run_id: &str,
    stop_grace: u64,
    with: &RunWith,
    work: &Path,
) -> Result<SmokeReport, String> {
    let mut note = None;
    let (kind, target, rew_smoke) = match sm {
        Smoke::Exec(a) => ("exec", a.clone(), sm.clone()),
        Smoke::Http { port, path } => {
            // A port change the plan explains (e.g. a static site moved to nginx
            // on 80): the rewrite is checked on its own port.
            let key = format!("{port}/tcp");
            let moved = diffs.iter().any(|d| {
                d.field == "ExposedPorts" && d.key.as_deref() == Some(&key) && d.explained
            });
            let added: Vec<u16> = diffs
                .iter()
                .filter(|d| d.field == "ExposedPorts" && d.explained && !d.rewrite.is_null())
                .filter_map(|d| d.key.as_deref()?.strip_suffix("/tcp")?.parse().ok())
                .collect();
            let rew = match (moved, added.as_slice()) {
                (true, [p]) => {
                    note = Some(format!(
                        "the rewrite serves on port {p} instead of {port} (explained by the plan)"
                    ));
                    Smoke::Http {
                        port: *p,
                        path: path.clone(),
                    }
                }
                _ => sm.clone(),
            };
            ("http", format!("{port}{path}"), rew)
        }
    };
    let o = smoke::run(
        docker,
        orig_tag,
        &format!("dfsplit-verify-{run_id}-original"),
        sm,
        expect,
        has_healthcheck(oi),
        stop_grace,
        &with.setup(work, "original")?,
    );
    let r = smoke::run(
        docker,
        rew_tag,
        &format!("dfsplit-verify-{run_id}-rewrite"),
        &rew_smoke,
        expect,
        has_healthcheck(ri),
        stop_grace,
        &with.setup(work, "rewrite")?,
    );
    let (verdict, why) = match smoke::agree(&o, &r, expect) {
        smoke::Agreement::Agree(n) => ("agree", n),
        smoke::Agreement::Differ(n) => ("differ", n),
        smoke::Agreement::BothFail(_) => ("both-fail", None),
    };
    let note = match (note, why) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    };
    let ready = o.ok && r.ok;
    let probes = with
        .probes
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let pick = |run: &smoke::Run| run.probes.get(i).filter(|_| ready).cloned();
            probes::compare(p, pick(&o).as_ref(), pick(&r).as_ref())
        })
        .collect();
    Ok(SmokeReport {
        kind,
        target,
        expect: expect.map(str::to_string),
        args: with.args.clone(),
        env: with.env.keys(),
        env_files: with
            .env
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect(),
        volumes: with.volumes.iter().map(options::Volume::show).collect(),
        agree: verdict == "agree",
        verdict,
        original: o,
        rewrite: r,
        note,
        probes,
    })
}

/// Takes the two runs' stop results out of the smoke report and compares
/// them; the second value is the run's failure when they end differently.
/// They are compared only when both smoke checks passed (otherwise the smoke
/// check's failure says what is wrong).
fn stop_report(sm: &mut SmokeReport, grace: u64) -> (StopReport, Option<String>) {
    let mut rep = StopReport {
        grace_seconds: grace,
        ..StopReport::default()
    };
    if sm.kind == "exec" {
        rep.skipped = Some("exec smoke check: the process ends by itself".into());
        return (rep, None);
    }
    rep.original = sm.original.stop.take();
    rep.rewrite = sm.rewrite.stop.take();
    let (Some(o), Some(r)) = (&rep.original, &rep.rewrite) else {
        rep.note = Some("stop behaviour not compared: a container did not start".into());
        return (rep, None);
    };
    if !(sm.original.ok && sm.rewrite.ok) {
        rep.note = Some("stop behaviour not compared: the smoke check failed".into());
        return (rep, None);
    }
    let v = stop::compare(o, r, grace);
    rep.agree = v.agree;
    rep.note = v.note;
    (rep, v.failure)
}

/// The FROM image of the final stage, following `FROM <stage>` to the image
/// that stage chain starts from (the model's [`Model::root_base`]).
fn final_base(df: &Dockerfile) -> Option<String> {
    let model = Model::build(df).ok()?;
    Some(model.root_base(model.final_stage()).resolved.clone())
}

/// `.Size` of a base image in the engine's store (`scratch`: 0).
fn base_size(docker: &Docker, image: &str) -> Option<u64> {
    if image.eq_ignore_ascii_case("scratch") {
        return Some(0);
    }
    docker.inspect(image)?["Size"].as_u64()
}

/// The base and what the image adds on top of it (absent when a size is
/// unknown, or when the image is smaller than the base: then it is not built on it).
fn base_share(image: String, image_size: Option<u64>, base_size: Option<u64>) -> BaseSize {
    BaseSize {
        image,
        size_bytes: base_size,
        added_bytes: image_size
            .zip(base_size)
            .and_then(|(i, b)| i.checked_sub(b)),
    }
}

/// Commands whose RUN is a dependency-install step: those placed in the
/// `dependencies` stage and those whose role is `install-deps`.
fn dependency_markers(r: &Rewrite) -> Vec<String> {
    let mut out = Vec::new();
    for d in &r.decisions {
        for c in &d.commands {
            if d.placement == Placement::Dependencies || c.role == "install-deps" {
                out.push(collapse(&c.text));
            }
        }
    }
    out.retain(|m| !m.is_empty());
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_dependency_step(step: &progress::Step, markers: &[String], rewrite: bool) -> bool {
    let is_run = step
        .instruction
        .split_whitespace()
        .next()
        .is_some_and(|k| k.eq_ignore_ascii_case("RUN"));
    if !is_run {
        return false;
    }
    if rewrite && step.stage.as_deref() == Some("dependencies") {
        return true;
    }
    let text = collapse(&step.instruction);
    markers.iter().any(|m| text.contains(m.as_str()))
}

/// The sources of each COPY/ADD from the context after the last instruction
/// placed in `dependencies`, in file order.
fn copies_after_dependencies(df: &Dockerfile, r: &Rewrite) -> Vec<Vec<String>> {
    let last_dep = r
        .decisions
        .iter()
        .filter(|d| d.placement == Placement::Dependencies)
        .filter(|d| !split_keyword(&d.text).0.eq("FROM"))
        .map(|d| d.line)
        .max()
        .unwrap_or(0);
    df.instructions()
        .filter(|i| i.start_line > last_dep)
        .filter(|i| matches!(i.keyword, Keyword::Copy | Keyword::Add))
        .filter(|i| !i.flags.iter().any(|f| f.name == "from"))
        .filter_map(|i| match &i.body {
            Body::Copy { paths, .. } if paths.len() >= 2 => Some(
                paths[..paths.len() - 1]
                    .iter()
                    .map(|p| syntax::process_word(&p.value, df.escape))
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn cache_check(
    docker: &Docker,
    df: &Dockerfile,
    r: &Rewrite,
    (original_file, rewrite_file): (&Path, &Path),
    context_dir: &Path,
    name: &str,
    run_id: &str,
    work: &Path,
) -> CacheReport {
    let mut rep = CacheReport::default();
    let ctx = match super::context::collect(context_dir) {
        Ok(c) => c,
        Err(e) => {
            rep.skipped = Some(format!(
                "cannot read the context: {:#}",
                anyhow::Error::from(e)
            ));
            return rep;
        }
    };
    let copies = copies_after_dependencies(df, r);
    let is_text = |f: &str| {
        std::fs::read(context_dir.join(f))
            .is_ok_and(|b| !b.contains(&0) && std::str::from_utf8(&b).is_ok())
    };
    let Some(file) = cache::pick_file(&copies, &ctx.files, &is_text) else {
        rep.skipped = Some("no source file is copied after the dependency step".into());
        return rep;
    };
    // One copy per image, each with its own edit: the rewrite's build stage often
    // repeats the original's steps, and must not reuse the original's fresh layers.
    let mut copies_made = Vec::new();
    for which in ["original", "rewrite"] {
        let copy = work.join(format!("context-{which}"));
        if let Err(e) = cache::copy_files(context_dir, &copy, &ctx.files) {
            rep.skipped = Some(format!("cannot copy the context: {e}"));
            return rep;
        }
        let appended = std::fs::OpenOptions::new()
            .append(true)
            .open(copy.join(&file))
            .and_then(|mut f| f.write_all(edit_suffix(run_id, which == "rewrite").as_bytes()));
        if let Err(e) = appended {
            rep.skipped = Some(format!("cannot change {file}: {e}"));
            return rep;
        }
        copies_made.push(copy);
    }
    rep.changed_file = Some(file);
    let markers = dependency_markers(r);
    let mut runs = Vec::new();
    for ((which, dockerfile, rewrite), copy) in [
        ("original", original_file, false),
        ("rewrite", rewrite_file, true),
    ]
    .into_iter()
    .zip(&copies_made)
    {
        let tag = format!("dfsplit-verify/{name}:{which}-edited");
        let _img = docker.image_guard(&tag, false);
        let (img, steps) = build(docker, dockerfile, copy, &tag, false);
        let c = progress::counts(&steps);
        let work_steps: Vec<&progress::Step> = steps.iter().filter(|s| !s.is_from()).collect();
        runs.push(CacheRun {
            built: img.built,
            seconds: img.build_seconds,
            steps: c.steps,
            reran: c.reran,
            cached: c.cached,
            reran_steps: work_steps
                .iter()
                .filter(|s| s.reran())
                .map(|s| s.label())
                .collect(),
            deps_reran: work_steps
                .iter()
                .filter(|s| s.reran() && is_dependency_step(s, &markers, rewrite))
                .map(|s| s.label())
                .collect(),
            error: img.error,
        });
    }
    let rew = runs.pop();
    rep.original = runs.pop();
    rep.rewrite_deps_reran = rew
        .as_ref()
        .filter(|r| r.built)
        .map(|r| !r.deps_reran.is_empty());
    rep.rewrite = rew;
    rep
}

/// What the cache check appends: a newline, then a blank line whose spaces
/// and tabs spell the run id (and which image), so an earlier run's edit (same
/// content) cannot be answered from the build cache. Blank lines mean nothing
/// in the languages profiled.
fn edit_suffix(run_id: &str, second: bool) -> String {
    let n = u64::from_str_radix(run_id, 16).unwrap_or(0) << 1 | u64::from(second);
    let mut s = String::from("\n");
    s.extend((0..44).map(|i| if n >> i & 1 == 1 { '\t' } else { ' ' }));
    s.push('\n');
    s
}

/// Prints the report with every `--env` value masked.
fn print(args: &VerifyArgs, report: &Report, env: &options::Env) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let shown = if args.format == VerifyFormat::Json {
        serde_json::to_string_pretty(report)? + "\n"
    } else {
        text(report)
    };
    out.write_all(env.mask(&shown).as_bytes())?;
    Ok(())
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Like [`mb`], but small amounts stay visible (`4.2 kB`): a jar added on top of a JRE.
fn small_mb(bytes: u64) -> String {
    if bytes >= 100_000 {
        mb(bytes)
    } else {
        format!("{:.1} kB", bytes as f64 / 1e3)
    }
}

/// `node:20-slim 193.1 MB (34%)`: the base and its share of the image.
fn base_cell(b: &BaseSize) -> String {
    match (b.size_bytes, b.added_bytes) {
        (Some(size), Some(added)) if size + added > 0 => format!(
            "{} {} ({:.0}%)",
            b.image,
            mb(size),
            100.0 * size as f64 / (size + added) as f64
        ),
        (Some(size), _) => format!("{} {}", b.image, mb(size)),
        (None, _) => format!("{} ?", b.image),
    }
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.join(",")
    }
}

/// The probes' part of the text report: one line per probe, both answers.
fn probes_text(s: &mut String, probes: &[probes::ProbeResult]) {
    use std::fmt::Write as _;
    if probes.is_empty() {
        return;
    }
    let agreeing = probes.iter().filter(|p| p.agree).count();
    let _ = writeln!(s, "\nprobes ({agreeing} of {} agree):", probes.len());
    for p in probes {
        let verdict = match p.verdict {
            probes::Verdict::Agree => "agree",
            probes::Verdict::Differ => "DIFFER",
            probes::Verdict::BothFail => "BOTH FAIL",
            probes::Verdict::NotRun => "not run",
        };
        let request = format!("{} {}", p.method, p.path);
        if p.name == request {
            let _ = writeln!(s, "  {request}: {verdict}");
        } else {
            let _ = writeln!(s, "  {} ({request}): {verdict}", p.name);
        }
        for (w, a) in [("original", &p.original), ("rewrite", &p.rewrite)] {
            let Some(a) = a else { continue };
            let answer = match (&a.error, a.status) {
                (Some(e), _) => format!("no answer: {e}"),
                (None, Some(st)) => {
                    let body: String = a.body.split_whitespace().collect::<Vec<_>>().join(" ");
                    format!("[{st}] {body:.70}")
                }
                (None, None) => "–".into(),
            };
            let _ = writeln!(s, "    {w:<9} {answer}");
        }
        if let Some(why) = &p.why
            && p.verdict != probes::Verdict::Agree
        {
            let _ = writeln!(s, "    why: {why}");
        }
    }
}

/// The report as a table for people.
fn text(rep: &Report) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    if let Some(g) = &rep.unchanged {
        let _ = writeln!(
            s,
            "{}: unchanged: {} [{}]\nnothing to verify: the planner leaves the file as it is",
            rep.file, g.reason, g.rule
        );
        return s;
    }
    let _ = writeln!(
        s,
        "{}: {} profile, runtime base {} → {}",
        rep.file,
        rep.profile.as_deref().unwrap_or("?"),
        rep.base_before.as_deref().unwrap_or("?"),
        rep.base_after.as_deref().unwrap_or("?")
    );
    let (o, r) = (
        rep.original.clone().unwrap_or_default(),
        rep.rewrite.clone().unwrap_or_default(),
    );
    let _ = writeln!(s);
    let row = |s: &mut String, k: &str, a: String, b: String| {
        let _ = writeln!(s, "  {k:<18} {a:<28} {b}");
    };
    row(&mut s, "", "original".into(), "rewrite".into());
    let built = |i: &ImageReport| {
        if i.built {
            format!("ok in {:.1} s", i.build_seconds)
        } else {
            "FAILED".into()
        }
    };
    row(&mut s, "build", built(&o), built(&r));
    if let (Some(a), Some(b)) = (&o.measure, &r.measure) {
        let ratio = if a.size_bytes > 0 {
            format!("  ({:.2}×)", b.size_bytes as f64 / a.size_bytes as f64)
        } else {
            String::new()
        };
        row(
            &mut s,
            "size",
            mb(a.size_bytes),
            format!("{}{ratio}", mb(b.size_bytes)),
        );
        if let (Some(x), Some(y)) = (&o.base, &r.base) {
            row(&mut s, "base", base_cell(x), base_cell(y));
            let added = |b: &BaseSize| b.added_bytes.map_or("?".into(), small_mb);
            row(&mut s, "added on top", added(x), added(y));
        }
        row(&mut s, "layers", a.layers.to_string(), b.layers.to_string());
        let pk = |m: &Measure| match m.packages {
            Some(n) => format!("{n} ({})", m.package_db.join("+")),
            None => "none found".into(),
        };
        row(&mut s, "OS packages", pk(a), pk(b));
        let yn = |x: bool| if x { "yes" } else { "no" }.to_string();
        row(&mut s, "shell (/bin/sh)", yn(a.shell), yn(b.shell));
        row(
            &mut s,
            "package managers",
            list(&a.package_managers),
            list(&b.package_managers),
        );
        row(&mut s, "compilers", list(&a.compilers), list(&b.compilers));
    }
    if !rep.config.is_empty() {
        let _ = writeln!(s, "\nconfig differences ({} unexplained):", rep.unexplained);
        for d in &rep.config {
            let field = match &d.key {
                Some(k) => format!("{} {k}", d.field),
                None => d.field.clone(),
            };
            let flag = if d.explained { " " } else { "!" };
            let _ = writeln!(
                s,
                "{flag} {field}: {} → {}",
                config::show(&d.original),
                config::show(&d.rewrite)
            );
            if d.reasons.is_empty() {
                let _ = writeln!(s, "      UNEXPLAINED: nothing in the plan accounts for it");
            }
            for why in &d.reasons {
                let _ = writeln!(s, "      ← {why}");
            }
        }
    }
    if let Some(sm) = &rep.smoke {
        let mut with = String::new();
        if !sm.args.is_empty() {
            with.push_str(&format!(", args `{}`", sm.args.join(" ")));
        }
        if !sm.env.is_empty() {
            with.push_str(&format!(", env {}", sm.env.join(",")));
        }
        for f in &sm.env_files {
            with.push_str(&format!(", env-file {f}"));
        }
        for v in &sm.volumes {
            with.push_str(&format!(", volume {v}"));
        }
        let _ = writeln!(
            s,
            "\nsmoke ({} {}{}{with}): {}",
            sm.kind,
            sm.target,
            sm.expect
                .as_ref()
                .map(|e| format!(", expect `{e}`"))
                .unwrap_or_default(),
            match sm.verdict {
                "agree" => "agree",
                "both-fail" => "BOTH FAIL the same way",
                _ => "DISAGREE",
            }
        );
        for (w, run) in [("original", &sm.original), ("rewrite", &sm.rewrite)] {
            let first = run.output.lines().next().unwrap_or("").trim();
            let _ = writeln!(
                s,
                "  {w:<9} {} {}{}{}",
                if run.ok { "ok  " } else { "FAIL" },
                run.status.map(|c| format!("[{c}] ")).unwrap_or_default(),
                format_args!("{first:.70}"),
                run.health
                    .as_ref()
                    .map(|h| format!("  health: {h}"))
                    .unwrap_or_default()
            );
            if let Some(e) = &run.error {
                let _ = writeln!(s, "            {e}");
            }
        }
        if let Some(n) = &sm.note {
            let _ = writeln!(s, "  note: {n}");
        }
        probes_text(&mut s, &sm.probes);
    }
    if let Some(st) = &rep.stop {
        match &st.skipped {
            Some(why) => {
                let _ = writeln!(s, "\nstop: – ({why})");
            }
            None => {
                let verdict = match st.agree {
                    Some(true) => "same",
                    Some(false) => "DIFFERENT",
                    None => "not compared",
                };
                let _ = writeln!(s, "\nstop (docker stop -t {}): {verdict}", st.grace_seconds);
                for (w, run) in [("original", &st.original), ("rewrite", &st.rewrite)] {
                    let d = run
                        .as_ref()
                        .map_or("–".into(), |x| stop::describe(x, st.grace_seconds));
                    let _ = writeln!(s, "  {w:<9} {d}");
                }
                if let Some(n) = &st.note {
                    let _ = writeln!(s, "  note: {n}");
                }
            }
        }
    }
    if let Some(c) = &rep.cache {
        let _ = write!(s, "\ncache check");
        match (&c.skipped, &c.changed_file) {
            (Some(why), _) => {
                let _ = writeln!(s, ": skipped ({why})");
            }
            (None, Some(f)) => {
                let _ = writeln!(s, " (blank lines appended to {f}):");
                for (w, run) in [("original", &c.original), ("rewrite", &c.rewrite)] {
                    if let Some(run) = run {
                        let _ = writeln!(
                            s,
                            "  {w:<9} {} of {} steps re-ran, {} cached, {:.1} s; dependency install re-ran: {}",
                            run.reran,
                            run.steps,
                            run.cached,
                            run.seconds,
                            if run.deps_reran.is_empty() {
                                "no".to_string()
                            } else {
                                format!("YES ({})", run.deps_reran.join("; "))
                            }
                        );
                    }
                }
            }
            _ => {
                let _ = writeln!(s);
            }
        }
    }
    for w in &rep.warnings {
        let _ = writeln!(s, "\nwarning: {w}");
    }
    let _ = writeln!(s);
    if rep.failures.is_empty() && !rep.both_fail.is_empty() {
        for b in &rep.both_fail {
            let _ = writeln!(s, "BOTH FAIL: both fail the same way: {b}");
        }
        let _ = writeln!(
            s,
            "nothing is proven: the original fails too (a missing --env, --volume or argument?)"
        );
    } else if rep.passed {
        let stops = if rep.stop.as_ref().is_some_and(|st| st.agree == Some(true)) {
            " (and it stops the same way)"
        } else {
            ""
        };
        let probes = match rep.smoke.as_ref().map_or(0, |sm| sm.probes.len()) {
            0 => String::new(),
            1 => " and so does its probe".into(),
            n => format!(" and so do its {n} probes"),
        };
        let _ = writeln!(
            s,
            "PASS: the rewrite builds and the smoke check agrees{probes}{stops}"
        );
    } else {
        for f in &rep.failures {
            let _ = writeln!(s, "FAIL: {f}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_differ_per_run_and_stay_blank() {
        let (a, b) = (
            edit_suffix("2b722f0541", false),
            edit_suffix("2b722f0542", false),
        );
        assert_ne!(a, b);
        assert_ne!(a, edit_suffix("2b722f0541", true));
        assert!(a.trim().is_empty() && a.ends_with('\n'));
    }

    #[test]
    fn image_names_are_valid_repositories() {
        assert_eq!(
            image_name(Path::new("/x/Node TS_App"), "ab12"),
            "node-ts_app-ab12"
        );
        assert_eq!(image_name(Path::new("/"), "ab12"), "app-ab12");
    }

    #[test]
    fn what_an_image_adds_on_top_of_its_base() {
        // node-express-nolock on the stand-ins: node:20 553.7 MB, the image 559.5 MB.
        let b = base_share("node:20".into(), Some(559_528_297), Some(553_687_141));
        assert_eq!(b.added_bytes, Some(5_841_156));
        assert_eq!(small_mb(5_841_156), "5.8 MB");
        // java-plain-jar: a few kB of jar on top of the JRE.
        assert_eq!(small_mb(4_210), "4.2 kB");
        assert_eq!(base_cell(&b), "node:20 553.7 MB (99%)");
        let b = base_share("scratch".into(), Some(2_200_000), Some(0));
        assert_eq!(b.added_bytes, Some(2_200_000));
        assert_eq!(base_cell(&b), "scratch 0.0 MB (0%)");
        // Unknown base size: nothing is made up.
        let b = base_share("node:20-slim".into(), Some(282_900_000), None);
        assert_eq!(b.added_bytes, None);
        assert_eq!(base_cell(&b), "node:20-slim ?");
        // An image smaller than its "base" is not built on it: no added figure.
        let b = base_share("x:1".into(), Some(10), Some(20));
        assert_eq!(b.added_bytes, None);
        let v = serde_json::to_value(base_share("a".into(), Some(3), Some(1))).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"image": "a", "size_bytes": 1, "added_bytes": 2})
        );
    }

    fn smoke_report(kind: &'static str, stops: [Option<stop::Stop>; 2], ok: bool) -> SmokeReport {
        let [o, r] = stops;
        let run = |stop| smoke::Run {
            ok,
            stop,
            ..smoke::Run::default()
        };
        SmokeReport {
            kind,
            target: "3000/health".into(),
            expect: None,
            original: run(o),
            rewrite: run(r),
            agree: ok,
            verdict: if ok { "agree" } else { "differ" },
            note: None,
            args: Vec::new(),
            env: Vec::new(),
            env_files: Vec::new(),
            volumes: Vec::new(),
            probes: Vec::new(),
        }
    }

    fn stopped(class: stop::Class, seconds: f64, code: i64) -> Option<stop::Stop> {
        Some(stop::Stop {
            class: Some(class),
            seconds,
            exit_code: Some(code),
            signal: "SIGTERM".into(),
            ..stop::Stop::default()
        })
    }

    #[test]
    fn stop_reports() {
        use stop::Class::{Exited, Killed};
        let mut sm = smoke_report("exec", [None, None], true);
        let (rep, failure) = stop_report(&mut sm, 5);
        assert_eq!(failure, None);
        assert!(rep.skipped.is_some() && rep.original.is_none());
        assert!(text_of_stop(&rep).contains("stop: – (exec smoke check"));

        let mut sm = smoke_report(
            "http",
            [stopped(Exited, 0.7, 1), stopped(Killed, 5.2, 137)],
            true,
        );
        let (rep, failure) = stop_report(&mut sm, 5);
        assert!(sm.original.stop.is_none(), "moved out of the smoke run");
        assert_eq!(rep.agree, Some(false));
        assert!(
            failure
                .as_deref()
                .is_some_and(|f| f.starts_with("stop behaviour differs: original exited"))
        );
        let t = text_of_stop(&rep);
        assert!(t.contains("stop (docker stop -t 5): DIFFERENT"), "{t}");
        assert!(t.contains("  rewrite   killed after 5.2 s"), "{t}");
        let v = serde_json::to_value(&rep).unwrap();
        assert_eq!(v["grace_seconds"], 5);
        assert_eq!(v["original"]["class"], "exited");
        assert_eq!(v["rewrite"]["exit_code"], 137);
        assert_eq!(v["agree"], false);

        // A failed smoke check: reported, not compared (the smoke failure says why).
        let mut sm = smoke_report(
            "http",
            [stopped(Exited, 0.7, 1), stopped(Killed, 5.2, 137)],
            false,
        );
        let (rep, failure) = stop_report(&mut sm, 5);
        assert_eq!((rep.agree, failure), (None, None));
        assert!(rep.rewrite.is_some() && rep.note.is_some());
    }

    fn text_of_stop(st: &StopReport) -> String {
        let mut rep = Report::new("Dockerfile");
        rep.stop = Some(st.clone());
        text(&rep)
    }

    #[test]
    fn never_bigger() {
        assert_eq!(size_rule(Some(667_800_000), Some(5_900_000), false), None);
        assert_eq!(size_rule(Some(100), Some(100), false), None);
        assert_eq!(
            size_rule(Some(193_300_000), Some(282_900_000), false),
            Some(SizeVerdict::Fail(
                "the rewrite is bigger than the original: 282.9 MB > 193.3 MB".into()
            ))
        );
        assert_eq!(
            size_rule(Some(193_300_000), Some(282_900_000), true),
            Some(SizeVerdict::Warn(
                "the rewrite is bigger than the original: 282.9 MB > 193.3 MB \
                 (allowed by --allow-bigger)"
                    .into()
            ))
        );
        // An unknown size proves nothing either way.
        assert_eq!(size_rule(None, Some(1), false), None);
    }

    fn failed_run(class: &'static str, detail: &str) -> smoke::Run {
        smoke::Run {
            error: Some(format!("the container exited: {detail}")),
            failure: Some(smoke::Failure {
                class,
                detail: detail.into(),
            }),
            ..smoke::Run::default()
        }
    }

    fn probe_result(verdict: probes::Verdict, why: &str) -> probes::ProbeResult {
        probes::ProbeResult {
            name: "save a note".into(),
            method: "POST".into(),
            path: "/notes".into(),
            expect: None,
            compare: vec!["status".into()],
            original: Some(probes::Answer::default()),
            rewrite: Some(probes::Answer::default()),
            verdict,
            agree: verdict == probes::Verdict::Agree,
            why: Some(why.into()),
        }
    }

    #[test]
    fn outcomes_both_fail_and_disagreements() {
        // Both exit at start with the same message: both-fail, exit 1, said so.
        let mut sm = smoke_report("http", [None, None], false);
        sm.original = failed_run("exited", "exit 3: Error: API_KEY is required");
        sm.rewrite = sm.original.clone();
        sm.verdict = "both-fail";
        let (failures, both) = smoke_findings(&sm);
        assert!(failures.is_empty());
        assert_eq!(
            both,
            vec!["the smoke check: the container exited: exit 3: Error: API_KEY is required"]
        );
        let mut rep = Report::new("Dockerfile");
        rep.original = Some(ImageReport {
            built: true,
            ..ImageReport::default()
        });
        rep.both_fail = both;
        rep.passed = false;
        assert_eq!(outcome(&rep), "both-fail");
        rep.smoke = Some(sm);
        let t = text(&rep);
        assert!(t.contains("BOTH FAIL the same way"), "{t}");
        assert!(
            t.contains("both fail the same way: the smoke check: the container exited"),
            "{t}"
        );
        assert!(!t.contains("PASS"), "{t}");
        // A disagreement anywhere makes it a failure, not both-fail.
        rep.failures.push("probe `x` differs".into());
        assert_eq!(outcome(&rep), "fail");
        rep.original.as_mut().unwrap().built = false;
        assert_eq!(outcome(&rep), "original-broken");

        // Probes: one differs (a write failing only in the rewrite), one both fail.
        let mut sm = smoke_report("http", [None, None], true);
        sm.probes = vec![
            probe_result(probes::Verdict::Agree, ""),
            probe_result(probes::Verdict::Differ, "rewrite: status 500, expected 201"),
            probe_result(probes::Verdict::BothFail, "status 404, expected 201"),
        ];
        let (failures, both) = smoke_findings(&sm);
        assert_eq!(
            failures,
            vec!["probe `save a note` differs: rewrite: status 500, expected 201"]
        );
        assert_eq!(both, vec!["probe `save a note`: status 404, expected 201"]);
        let mut rep = Report::new("Dockerfile");
        rep.smoke = Some(sm);
        let t = text(&rep);
        assert!(t.contains("probes (1 of 3 agree):"), "{t}");
        assert!(t.contains("  save a note (POST /notes): DIFFER"), "{t}");
        assert!(
            t.contains("    why: rewrite: status 500, expected 201"),
            "{t}"
        );
        let v = serde_json::to_value(rep.smoke.as_ref().unwrap()).unwrap();
        assert_eq!(v["probes"][1]["verdict"], "differ");
        assert_eq!(v["probes"][2]["verdict"], "both-fail");
    }

    #[test]
    fn dependency_steps() {
        let step = |stage: Option<&str>, ins: &str| progress::Step {
            vertex: 1,
            stage: stage.map(str::to_string),
            instruction: ins.into(),
            cached: false,
            done: true,
            failed: false,
            seconds: None,
        };
        let markers = vec!["npm ci".to_string()];
        assert!(is_dependency_step(
            &step(None, "RUN  npm ci --omit=dev"),
            &markers,
            false
        ));
        assert!(is_dependency_step(
            &step(Some("dependencies"), "RUN apt-get update"),
            &markers,
            true
        ));
        assert!(!is_dependency_step(
            &step(Some("dependencies"), "COPY package.json ./"),
            &markers,
            true
        ));
        assert!(!is_dependency_step(
            &step(Some("build"), "RUN npm run build"),
            &markers,
            true
        ));
    }
}
