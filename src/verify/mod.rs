//! Verify a rewrite: build the original and the rewrite with a real Docker
//! engine and show that the rewrite is the same app in a smaller image —
//! config differences explained by the plan, sizes and contents measured, a
//! smoke check run on both (a long-running one ends with a stop check: how
//! each container ends on `docker stop`), and the dependency cache checked
//! after a source edit.
//!
//! A library module the CLI (`dfsplit verify`) and the PR bot both call:
//! [`run`] takes plain data (the file, its plan, the context folder,
//! [`Options`]) and returns a [`Report`]; progress goes to a [`Progress`] the
//! caller implements. It prints nothing and never exits: the caller prints
//! ([`text::text`], or the report as JSON, with [`options::Env::mask`]) and
//! picks the exit code from [`Report::outcome`] and [`Report::passed`].
//!
//! This is the only code that talks to Docker, always through the docker CLI
//! (`$DOCKER`, default `docker`) with every call bounded in time and
//! containers/images removed by drop guards.

pub mod cache;
pub mod config;
pub mod docker;
pub mod http;
pub mod measure;
pub mod options;
pub mod probes;
pub mod progress;
pub mod report;
pub mod smoke;
pub mod stop;
pub mod text;

use crate::model::Model;
use crate::plan::{Outcome as Plan, Placement, Rewrite};
use crate::syntax::{self, Body, Dockerfile, Keyword};
use config::{Base, Diff, Source};
use docker::Docker;
use report::{
    BaseSize, CacheReport, CacheRun, Gate, ImageReport, SizeVerdict, SmokeReport, StopReport,
    outcome, size_rule, smoke_findings,
};
pub use report::{Outcome, Report};
use serde_json::Value;
pub use smoke::Smoke;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The Dockerfile to verify and its plan.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The name the report shows (the path as given, or `<stdin>`).
    pub name: &'a str,
    /// The file on disk; `None` when it has none (its text is then written to a
    /// temporary file for the build).
    pub path: Option<&'a Path>,
    /// The file's bytes.
    pub text: &'a [u8],
    /// The file, parsed.
    pub dockerfile: &'a Dockerfile,
    /// Its plan: a file the planner leaves unchanged has nothing to prove.
    pub plan: &'a Plan,
    /// The build context folder. Needed unless the plan leaves the file unchanged.
    pub context: Option<&'a Path>,
}

/// How to verify.
#[derive(Debug, Clone)]
pub struct Options {
    /// The smoke check run on both images, if any.
    pub smoke: Option<Smoke>,
    /// Text the smoke check's output (or body) must contain.
    pub expect: Option<String>,
    /// What both containers are run with.
    pub run_with: RunWith,
    /// A rewrite bigger than the original is a warning, not a failure.
    pub allow_bigger: bool,
    /// Keep the built images (`dfsplit-verify/NAME-RUN:original|rewrite`).
    pub keep_images: bool,
    /// Rebuild both after a source edit to see which steps re-run.
    pub cache_check: bool,
    /// The `docker stop -t` grace period of the stop check, seconds.
    pub stop_timeout: u64,
    /// Build both images with `--no-cache` (the cache check still uses the cache).
    pub no_cache: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            smoke: None,
            expect: None,
            run_with: RunWith::default(),
            allow_bigger: false,
            keep_images: false,
            cache_check: true,
            stop_timeout: 5,
            no_cache: false,
        }
    }
}

/// Where a run reports what it is doing (building, measuring, …), one line at a time.
pub trait Progress {
    /// A new step begins.
    fn step(&mut self, message: &str);
}

impl<F: FnMut(&str)> Progress for F {
    fn step(&mut self, message: &str) {
        self(message)
    }
}

/// Why a run could not start or finish (a failed check is not an error: it is
/// in the [`Report`]).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// A rewrite needs a build context folder, and none was given.
    #[error("verify needs the build context folder")]
    NoContext,
    /// The docker client could not reach an engine.
    #[error("no Docker engine answers ({program}: {why})")]
    NoEngine {
        /// The docker client used.
        program: String,
        /// What it said.
        why: String,
    },
    /// The docker client answers but cannot build with BuildKit (a newer
    /// client without the buildx plugin): no build can show anything.
    #[error("the docker client `{program}` cannot build with BuildKit here: {advice}")]
    NoBuildKit {
        /// The docker client used.
        program: String,
        /// What to do about it.
        advice: String,
    },
    /// The working folder could not be made.
    #[error("cannot create a temporary folder")]
    TempDir(#[source] std::io::Error),
    /// Writing a Dockerfile to the working folder failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Whether an engine answers the docker client [`run`] would use (`$DOCKER`,
/// `DOCKER_HOST`): a caller about to verify many files asks once, first.
pub fn check_engine() -> Result<(), VerifyError> {
    let docker = Docker::from_env();
    docker.check_engine().map_err(|why| VerifyError::NoEngine {
        program: docker.program(),
        why,
    })
}

/// Verifies one Dockerfile's rewrite: builds, measures and runs both images.
pub fn run(
    subject: &Subject<'_>,
    opts: &Options,
    progress: &mut dyn Progress,
) -> Result<Report, VerifyError> {
    let df = subject.dockerfile;
    let mut report = Report::new(subject.name);
    let r = match subject.plan {
        Plan::Unchanged { gate, profile, .. } => {
            report.outcome = Outcome::Unchanged;
            report.profile = profile.clone();
            report.unchanged = Some(Gate {
                rule: gate.rule.clone(),
                reason: gate.text(),
            });
            return Ok(report);
        }
        Plan::Rewrite(r) => r,
    };
    report.profile = Some(r.profile.clone());
    report.base_before = Some(r.base_before.clone());
    report.base_after = Some(r.base_after.clone());
    report.warnings = r.warnings.iter().map(|w| w.text()).collect();

    let context_dir = subject.context.ok_or(VerifyError::NoContext)?;
    report.context = Some(context_dir.display().to_string());

    let docker = Docker::from_env();
    if let Err(why) = docker.check_engine() {
        return Err(VerifyError::NoEngine {
            program: docker.program(),
            why,
        });
    }

    let run_id = run_id();
    let work = cache::TempDir(std::env::temp_dir().join(format!("dfsplit-verify-{run_id}")));
    std::fs::create_dir_all(&work.0).map_err(VerifyError::TempDir)?;
    let original_file = match subject.path {
        Some(p) => p.to_path_buf(),
        None => {
            let p = work.0.join("Dockerfile.original");
            std::fs::write(&p, subject.text)?;
            p
        }
    };
    let rewrite_file = work.0.join("Dockerfile.rewrite");
    std::fs::write(&rewrite_file, &r.text)?;
    // BuildKit reads `<Dockerfile>.dockerignore` beside the Dockerfile before
    // the context's own: the rewrite, written here, is built with the same.
    if let Some(own) = subject.path.and_then(crate::host::context::own_ignore_file) {
        std::fs::copy(own, work.0.join("Dockerfile.rewrite.dockerignore"))?;
    }

    let name = image_name(context_dir, &run_id);
    let keep = opts.keep_images;
    let orig_tag = format!("dfsplit-verify/{name}:original");
    let rew_tag = format!("dfsplit-verify/{name}:rewrite");
    let _orig_img = docker.image_guard(&orig_tag, keep);
    let _rew_img = docker.image_guard(&rew_tag, keep);

    progress.step(&format!("building the original as {orig_tag}"));
    // The cache check always uses the cache.
    let cold = opts.no_cache;
    let (mut orig, _) = build(&docker, &original_file, context_dir, &orig_tag, cold);
    if orig.error.as_deref() == Some(NO_BUILDKIT) {
        return Err(VerifyError::NoBuildKit {
            program: docker.program(),
            advice: NO_BUILDKIT_ADVICE.into(),
        });
    }
    progress.step(&format!("building the rewrite as {rew_tag}"));
    let (mut rew, _) = build(&docker, &rewrite_file, context_dir, &rew_tag, cold);
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
        progress.step("measuring both images");
        for (img, info, tag) in [(&mut orig, &oi, &orig_tag), (&mut rew, &ri, &rew_tag)] {
            match measure::measure(&docker, tag, info) {
                Ok(m) => img.measure = Some(m),
                Err(e) => report.warnings.push(format!("{tag}: cannot measure: {e}")),
            }
        }
        // How much of each image is its base: the original's final-stage FROM
        // and the rewrite's runtime FROM.
        let bases = [
            final_base(df).unwrap_or_else(|| r.base_before.clone()),
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
        let sources = sources(df, r);
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
        match size_rule(oi["Size"].as_u64(), ri["Size"].as_u64(), opts.allow_bigger) {
            Some(SizeVerdict::Fail(f)) => report.failures.push(f),
            Some(SizeVerdict::Warn(w)) => report.warnings.push(w),
            None => {}
        }

        if let Some(sm) = &opts.smoke {
            progress.step(&match opts.run_with.probes.len() {
                0 => "smoke check".to_string(),
                n => format!("smoke check, then {n} probe(s) on each container"),
            });
            match run_smoke(
                &docker,
                sm,
                opts.expect.as_deref(),
                (&orig_tag, &oi),
                (&rew_tag, &ri),
                &report.config,
                &run_id,
                opts.stop_timeout,
                &opts.run_with,
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
            let (stop, failure) = stop_report(sm, opts.stop_timeout);
            report.stop = Some(stop);
            report.failures.extend(failure);
        }

        if opts.cache_check {
            progress.step(&cache_step(orig.build_seconds + rew.build_seconds));
            report.cache = Some(cache_check(
                &docker,
                df,
                r,
                (&original_file, &rewrite_file),
                context_dir,
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
    Ok(report)
}

/// What both containers are run with (`--env`, `--env-file`, `--volume`,
/// `-- ARGS`, `--probes`), checked before anything is built.
#[derive(Debug, Clone, Default)]
pub struct RunWith {
    /// Environment variables (values never printed nor put on a command line).
    pub env: options::Env,
    /// Host folders or files mounted in both containers.
    pub volumes: Vec<options::Volume>,
    /// Arguments after the image.
    pub args: Vec<String>,
    /// Requests sent to each container once the http smoke check finds it ready.
    pub probes: Vec<probes::Probe>,
}

impl RunWith {
    /// Reads and checks them: `KEY=VALUE` pairs, env files, `HOST:CONTAINER[:ro]`
    /// volumes, the arguments and a probes file. The message names the bad one.
    pub fn new(
        env: &[String],
        env_files: &[PathBuf],
        volumes: &[String],
        args: Vec<String>,
        probes_file: Option<&Path>,
    ) -> Result<RunWith, String> {
        let env = options::Env::new(env, env_files)?;
        let volumes = volumes
            .iter()
            .map(|v| options::Volume::parse(v))
            .collect::<Result<Vec<_>, _>>()?;
        let probes = match probes_file {
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
            args,
            probes,
        })
    }

    /// The setup of one container (`which`: original or rewrite): its own
    /// copies of the writable volumes, made in `work`.
    fn setup(&self, work: &Path, which: &str) -> Result<smoke::Setup<'_>, String> {
        let (mut run_options, client_env) = self.env.docker_args(work)?;
        // One host name for both: by default it is the container's id, so an
        // app that shows it would answer differently for no fault of the
        // rewrite.
        run_options.extend(["--hostname".to_string(), HOSTNAME.to_string()]);
        run_options.extend(options::volume_args(&self.volumes, work, which)?);
        Ok(smoke::Setup {
            run_options,
            client_env,
            args: &self.args,
            probes: &self.probes,
        })
    }
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

/// The host name of every container verify runs.
const HOSTNAME: &str = "dfsplit-verify";

/// What to do when the docker client cannot build with BuildKit.
const NO_BUILDKIT_ADVICE: &str = "set DOCKER to a client with built-in BuildKit (e.g. \
     /usr/bin/docker from Debian's docker.io 20.10) or install the buildx plugin";
/// A build's error when the client cannot build with BuildKit at all.
const NO_BUILDKIT: &str = "this docker client cannot build with BuildKit here; set DOCKER to a \
     client with built-in BuildKit (e.g. /usr/bin/docker from Debian's docker.io 20.10) or \
     install the buildx plugin";

/// The useful lines of a failed build log: the failing step and the error.
fn build_error(log: &str) -> String {
    if log.contains("buildx component is missing") || log.contains("unknown flag: --progress") {
        return NO_BUILDKIT.into();
    }
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(without_step_number)
        .collect();
    let tail: Vec<&str> = lines.iter().rev().take(12).rev().copied().collect();
    tail.join("\n")
}

/// A BuildKit progress line without its step number (`#9 ERROR: …` →
/// `ERROR: …`): the number depends on what the cache held, so the same
/// failure would read differently from one run to the next (and the bot
/// would rewrite a pull request's text for nothing).
fn without_step_number(line: &str) -> &str {
    line.strip_prefix('#')
        .and_then(|rest| rest.split_once(' '))
        .filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .map_or(line, |(_, rest)| rest)
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
        let inst = df.instructions().find(|i| i.span == d.span);
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
        .map(|d| d.span.end)
        .max()
        .unwrap_or(0);
    df.instructions()
        .filter(|i| i.span.start >= last_dep)
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

/// Builds that took this long together make the cache check worth a hint.
const SLOW_BUILDS_SECONDS: f64 = 60.0;

/// The progress line of the cache check: after slow first builds
/// (`build_seconds`, both together), how to skip it.
fn cache_step(build_seconds: f64) -> String {
    let step = "cache check: rebuilding both after a source edit";
    if build_seconds >= SLOW_BUILDS_SECONDS {
        format!(
            "{step} (the first builds took {build_seconds:.0} s; --no-cache-check skips this check)"
        )
    } else {
        step.to_string()
    }
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
    let ctx = match crate::host::context::collect(context_dir, Some(original_file)) {
        Ok(c) => c,
        Err(e) => {
            rep.skipped = Some(format!("cannot read the context: {}", error_chain(&e)));
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

/// An error and its sources, `: `-separated (as anyhow's `{:#}` prints them).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::text::{base_cell, small_mb, text};
    use super::*;

    #[test]
    fn a_build_error_reads_the_same_whatever_step_number_buildkit_gave() {
        let log = |n: u32| {
            format!(
                "#{n} [3/3] RUN go build .\n#{n} 0.512 main.go:4:2: syntax error\n#{n} ERROR: executor failed running [/bin/sh -c go build .]: exit code: 1\n"
            )
        };
        assert_eq!(build_error(&log(9)), build_error(&log(10)));
        assert_eq!(
            build_error(&log(9)),
            "[3/3] RUN go build .\n0.512 main.go:4:2: syntax error\nERROR: executor failed running [/bin/sh -c go build .]: exit code: 1"
        );
        assert_eq!(without_step_number("#3 echo #4"), "echo #4");
        assert_eq!(without_step_number("# not a step"), "# not a step");
        assert_eq!(without_step_number("#x1 y"), "#x1 y");
    }

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

    #[test]
    fn slow_first_builds_say_how_to_skip_the_cache_check() {
        assert_eq!(
            cache_step(12.4),
            "cache check: rebuilding both after a source edit"
        );
        assert_eq!(
            cache_step(95.2),
            "cache check: rebuilding both after a source edit \
             (the first builds took 95 s; --no-cache-check skips this check)"
        );
    }

    #[test]
    fn bigger_by_less_than_the_rounding_says_by_how_much() {
        assert_eq!(
            size_rule(Some(167_000_000), Some(167_012_345), false),
            Some(SizeVerdict::Fail(
                "the rewrite is bigger than the original by 12.3 kB: \
                 167012345 > 167000000 bytes (both 167.0 MB)"
                    .into()
            ))
        );
        assert_eq!(
            size_rule(Some(167_000_000), Some(167_000_512), true),
            Some(SizeVerdict::Warn(
                "the rewrite is bigger than the original by 512 bytes: \
                 167000512 > 167000000 bytes (both 167.0 MB) (allowed by --allow-bigger)"
                    .into()
            ))
        );
    }

    fn failed_run(class: &'static str, detail: &str) -> smoke::Run {
        smoke::Run {
            error: Some(format!("the container exited: {detail}")),
            failure: Some(smoke::Failure {
                class,
                detail: detail.into(),
                lines: Vec::new(),
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
        assert_eq!(outcome(&rep).as_str(), "both-fail");
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
        assert_eq!(outcome(&rep).as_str(), "fail");
        rep.original.as_mut().unwrap().built = false;
        assert_eq!(outcome(&rep).as_str(), "original-broken");

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
