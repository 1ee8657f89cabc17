//! `dfsplit verify`: the command-line layer over the library's
//! [`dfsplit::verify`]. It checks the arguments, plans the file, calls
//! [`verify::run`], prints the report (every `--env` value masked) and picks
//! the exit code.
//!
//! Exit codes: 0 when the rewrite builds and the smoke check and probes agree
//! (or the plan leaves the file unchanged: nothing to prove); 1 when the
//! rewrite (or the original) does not build, the smoke check or a probe
//! disagrees, both images fail it the same way (`both-fail`: nothing is
//! proven), the two containers end differently on `docker stop`, or the
//! rewrite is bigger than the original (unless `--allow-bigger`); 2 when no
//! engine answers or the docker client cannot build with BuildKit, or for bad
//! usage or input.

use super::Outcome;
use super::rewrite::{PlanArgs, Planned, plan_file};
use anyhow::Result;
use clap::ValueEnum;
use dfsplit::config::Config;
use dfsplit::verify::{self, Report, RunWith, Smoke, Subject, VerifyError, options, smoke};
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
    /// Text the smoke check's output (or body) must contain (--http waits for
    /// it). It may start with `-` (`--expect --max-old-space-size=128`).
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
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
    /// Default 5, or `.dfsplit.yaml`'s `verify: stop-timeout:`.
    #[arg(
        long,
        value_name = "SECS",
        value_parser = clap::value_parser!(u64).range(1..=300)
    )]
    stop_timeout: Option<u64>,
}

/// `.dfsplit.yaml`'s `verify:` checks for the file, as verify's options:
/// used when the command line names no way to run the app (no --exec,
/// --http, --expect, --probes, --env, --env-file, --volume nor arguments),
/// so that `dfsplit verify FILE` runs what `dfsplit pr --verify` runs.
/// `None` when there is no file, no configuration or no checks in it.
fn config_checks(args: &VerifyArgs) -> Result<Option<verify::Options>, String> {
    let named = args.exec.is_some()
        || args.http.is_some()
        || args.expect.is_some()
        || args.probes.is_some()
        || !args.env.is_empty()
        || !args.env_file.is_empty()
        || !args.volume.is_empty()
        || !args.cmd_args.is_empty();
    let file = args.plan.file();
    if named || args.plan.no_config || file.as_os_str() == "-" {
        return Ok(None);
    }
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Some(config) = Config::find(dir).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let checks = config.checks(&file);
    if checks.is_empty() {
        return Ok(None);
    }
    checks
        .options(&config.path, &verify::Options::default())
        .map(Some)
}

pub fn verify(args: VerifyArgs) -> Result<Outcome> {
    let from_config = match config_checks(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("dfsplit: {e}");
            return Ok(Outcome::Failed);
        }
    };
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
    let run_with = match RunWith::new(
        &args.env,
        &args.env_file,
        &args.volume,
        args.cmd_args.clone(),
        args.probes.as_deref(),
    ) {
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
    // The build context: --context, else the Dockerfile's folder (none for stdin).
    let context: Option<PathBuf> = match (&args.plan.context, &input.path) {
        (Some(c), _) => Some(c.clone()),
        (None, Some(p)) => Some(
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf(),
        ),
        (None, None) => None,
    };
    // The command line's checks, else `.dfsplit.yaml`'s `verify:` for this
    // file; the flags that do not name a run (--stop-timeout, --allow-bigger,
    // --no-cache-check) win over the file's either way.
    let d = verify::Options::default();
    let (smoke, expect, run_with, allow_bigger, cache_check, stop_timeout) = match from_config {
        Some(c) => {
            eprintln!(
                "dfsplit verify: the smoke check and what the containers run with come from `verify:` in .dfsplit.yaml"
            );
            (
                c.smoke,
                c.expect,
                c.run_with,
                c.allow_bigger,
                c.cache_check,
                c.stop_timeout,
            )
        }
        None => (
            smoke,
            args.expect.clone(),
            run_with,
            false,
            d.cache_check,
            d.stop_timeout,
        ),
    };
    let opts = verify::Options {
        smoke,
        expect,
        run_with,
        allow_bigger: args.allow_bigger || allow_bigger,
        keep_images: args.keep_images,
        cache_check: !args.no_cache_check && cache_check,
        stop_timeout: args.stop_timeout.unwrap_or(stop_timeout),
        // Developer knob for measuring cold builds: DFSPLIT_VERIFY_NO_CACHE=1 builds
        // the two images with --no-cache (the cache check still uses the cache).
        no_cache: std::env::var_os("DFSPLIT_VERIFY_NO_CACHE").is_some_and(|v| v == "1"),
    };
    let subject = Subject {
        name: &input.name,
        path: input.path.as_deref(),
        text: &input.read.bytes,
        dockerfile: &df,
        plan: &plan,
        context: context.as_deref(),
    };
    let mut progress = |msg: &str| eprintln!("dfsplit verify: {msg}");
    let report = match verify::run(&subject, &opts, &mut progress) {
        Ok(report) => report,
        Err(VerifyError::NoContext) => {
            eprintln!(
                "dfsplit: verify reads the Dockerfile from standard input only with --context DIR"
            );
            return Ok(Outcome::Failed);
        }
        Err(VerifyError::NoEngine { program, why }) => {
            eprintln!(
                "{}",
                no_engine_help(&program, &why, "verify builds and runs images")
            );
            return Ok(Outcome::Failed);
        }
        Err(e) => return Err(e.into()),
    };
    print(&args, &report, &opts.run_with.env)?;
    // Exit 1: "the rewrite is not proven" (the same code `rewrite --check` uses for its finding).
    Ok(if report.passed {
        Outcome::Ok
    } else {
        Outcome::CheckFailed
    })
}

/// What to say when no engine answers (`what` says why one is needed): how
/// to start one or point at one.
pub(super) fn no_engine_help(program: &str, why: &str, what: &str) -> String {
    format!(
        "dfsplit: no Docker engine answers ({program}: {why}).\n\
         dfsplit: {what}: start one (`sudo dockerd &`, or \
         `eval \"$(../shared/e2e/docker-up)\"` in a dfsplit checkout) or set DOCKER_HOST \
         to a running engine; DOCKER names the client to use (now `{program}`)."
    )
}

/// Prints the report with every `--env` value masked.
fn print(args: &VerifyArgs, report: &Report, env: &options::Env) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let shown = if args.format == VerifyFormat::Json {
        serde_json::to_string_pretty(report)? + "\n"
    } else {
        verify::text::text(report)
    };
    out.write_all(env.mask(&shown).as_bytes())?;
    Ok(())
}
