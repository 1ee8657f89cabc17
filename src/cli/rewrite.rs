//! `dfsplit rewrite` and `dfsplit explain`: plan a multi-stage rewrite and
//! print it, its diff, its JSON report or its explanation.

use super::{Input, Outcome, read_input};
use anyhow::{Context as _, Result};
use clap::ValueEnum;
use dfsplit::analysis::{self, Analysis, rule};
use dfsplit::model::Context;
use dfsplit::plan::{BaseChoice, Options, Outcome as Plan, UserPolicy};
use dfsplit::report;
use dfsplit::rules::Rules;
use dfsplit::syntax::{self, Dockerfile};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What every planning command takes.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The Dockerfile, or `-` for standard input.
    #[arg(default_value = "Dockerfile")]
    pub(super) file: PathBuf,
    /// The build context (default: the Dockerfile's folder; none for stdin).
    #[arg(long, value_name = "DIR")]
    pub(super) context: Option<PathBuf>,
    /// Runtime base: auto, slim, distroless, scratch, or an image reference.
    #[arg(
        long,
        default_value = "auto",
        value_name = "auto|slim|distroless|scratch|IMAGE"
    )]
    base: String,
    /// A folder of rule files that overlay the built-in ones.
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// Leave RUN lines without BuildKit cache mounts (for the legacy builder).
    #[arg(long)]
    no_cache_mounts: bool,
    /// Run the runtime as a non-root user when the original runs as root,
    /// and give that user what the app may write (its directory, the
    /// directories the Dockerfile creates, VOLUMEs). USER: a name the runtime
    /// base has, `uid` or `uid:gid`; without it, the base's own non-root
    /// account (or uid 65532).
    #[arg(
        long,
        value_name = "USER",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "",
        value_parser = non_root_user
    )]
    non_root: Option<String>,
    /// Accepted for old scripts: running as the original's user is now the default.
    #[arg(long, hide = true, conflicts_with = "non_root")]
    keep_root: bool,
}

/// `--non-root=USER`: a name, `uid` or `uid:gid`, and not root.
fn non_root_user(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Ok(String::new());
    }
    let ok = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    let user = s.split(':').next().unwrap_or(s);
    if !s.split(':').all(ok) || s.matches(':').count() > 1 {
        return Err(format!(
            "`{s}` is not a user: give an account name, `uid` or `uid:gid`"
        ));
    }
    if user == "root" || user.trim_start_matches('0').is_empty() {
        return Err(format!("`{s}` is root, not a non-root user"));
    }
    Ok(s.to_string())
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum RewriteFormat {
    /// The whole new Dockerfile (or the input unchanged).
    Dockerfile,
    /// A report: stages, moves, dropped instructions, bases, size estimate, and the text.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct RewriteArgs {
    #[command(flatten)]
    plan: PlanArgs,
    /// Print a unified diff instead of the whole file.
    #[arg(long, conflicts_with = "write")]
    diff: bool,
    /// Exit 1 when a change would be made (prints nothing on stdout unless --diff).
    #[arg(long)]
    check: bool,
    /// Write the result back to FILE.
    #[arg(long)]
    write: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RewriteFormat::Dockerfile)]
    format: RewriteFormat,
    /// Say nothing on stderr unless something is wrong.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ExplainFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    plan: PlanArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    format: ExplainFormat,
}

/// An input read and parsed, with what planning it takes.
pub(super) struct Loaded {
    pub input: Input,
    pub df: Dockerfile,
    pub rules: Rules,
    pub ctx: Option<Context>,
    pub opts: Options,
}

/// An input analysed: what `rewrite`, `explain`, `graph` and `verify` print.
pub(super) struct Planned {
    pub input: Input,
    pub df: Dockerfile,
    pub plan: Plan,
    pub analysis: Analysis,
    pub loaded: LoadedRest,
}

/// What planning took, for a command that goes on from the analysis (graph).
pub(super) struct LoadedRest {
    pub rules: Rules,
    pub ctx: Option<Context>,
}

/// Reads and parses the input, loads the rules and the build context and
/// reads the options. `None` when the input is not text (exit 2).
pub(super) fn load_file(args: &PlanArgs) -> Result<Option<Loaded>> {
    let input = read_input(&args.file)?;
    let df = match syntax::parse_bytes(&input.bytes) {
        Ok(df) => df,
        Err(e) => {
            eprintln!("{}:{}:{}: error: {e}", input.name, e.line, e.column);
            return Ok(None);
        }
    };
    let rules = Rules::load(args.rules.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let ctx = context_for(args, &input)?;
    let opts = Options {
        base: args
            .base
            .parse::<BaseChoice>()
            .map_err(|e| anyhow::anyhow!("--base: {e}"))?,
        cache_mounts: !args.no_cache_mounts,
        user: match args.non_root.as_deref() {
            None => UserPolicy::Keep,
            Some("") => UserPolicy::NonRoot(None),
            Some(u) => UserPolicy::NonRoot(Some(u.to_string())),
        },
    };
    if args.keep_root {
        eprintln!(
            "dfsplit: --keep-root is the default now (the runtime runs as the original's user); --non-root asks for a non-root user"
        );
    }
    Ok(Some(Loaded {
        input,
        df,
        rules,
        ctx,
        opts,
    }))
}

/// Reads and analyses the input; prints the file's syntax problems (and why
/// it cannot be planned). `None` when the input is bad (exit 2).
pub(super) fn plan_file(args: &PlanArgs) -> Result<Option<Planned>> {
    let Some(l) = load_file(args)? else {
        return Ok(None);
    };
    let analysis = analysis::analyze_parsed(&l.df, l.ctx.as_ref(), &l.rules, &l.opts);
    let mut err = std::io::stderr().lock();
    for d in analysis.diagnostics.iter().filter(|d| {
        matches!(
            d.rule.as_str(),
            rule::SYNTAX_ERROR | rule::BUILD_REJECTS | rule::SYNTAX_WARNING
        )
    }) {
        writeln!(err, "{}", report::diagnostic_line(&l.input.name, d))?;
    }
    let Some(plan) = analysis.outcome.clone() else {
        return Ok(None);
    };
    Ok(Some(Planned {
        input: l.input,
        df: l.df,
        plan,
        analysis,
        loaded: LoadedRest {
            rules: l.rules,
            ctx: l.ctx,
        },
    }))
}

/// The build context: `--context`, else the Dockerfile's folder; none for stdin.
fn context_for(args: &PlanArgs, input: &Input) -> Result<Option<Context>> {
    Ok(match (&args.context, input.is_stdin()) {
        (Some(dir), _) => Some(super::context::collect(dir)?),
        (None, true) => None,
        (None, false) => {
            let dir = args
                .file
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            Some(super::context::collect(dir)?)
        }
    })
}

pub fn rewrite(args: RewriteArgs) -> Result<Outcome> {
    let Some(Planned {
        input,
        df,
        plan,
        analysis,
        ..
    }) = plan_file(&args.plan)?
    else {
        return Ok(Outcome::Failed);
    };
    let mut err = std::io::stderr().lock();
    let mut out = std::io::stdout().lock();
    let (changed, new_text) = (analysis.changed(), &analysis.output);
    match &plan {
        Plan::Unchanged { gate, .. } => {
            if !args.quiet {
                writeln!(err, "{}: unchanged: {} [{}]", input.name, gate, gate.rule)?;
            }
        }
        Plan::Rewrite(r) => {
            if !args.quiet {
                for w in &r.warnings {
                    writeln!(err, "{}: warning: {w}", input.name)?;
                }
            }
        }
    }
    if args.format == RewriteFormat::Json {
        serde_json::to_writer_pretty(&mut out, &report::rewrite_json(&input.name, &analysis))?;
        writeln!(out)?;
    } else if args.diff {
        out.write_all(dfsplit::emit::unified_diff(&input.name, &df.source, new_text).as_bytes())?;
    } else if args.write {
        if changed {
            let path = input
                .path
                .as_ref()
                .context("--write needs a file, not standard input")?;
            std::fs::write(path, new_text)
                .with_context(|| format!("{}: cannot write", path.display()))?;
            if !args.quiet {
                writeln!(err, "{}: rewritten", input.name)?;
            }
        }
    } else if !args.check {
        out.write_all(new_text.as_bytes())?;
    }
    if args.check && changed {
        return Ok(Outcome::CheckFailed);
    }
    Ok(Outcome::Ok)
}

pub fn explain(args: ExplainArgs) -> Result<Outcome> {
    let Some(Planned {
        input,
        plan,
        analysis,
        ..
    }) = plan_file(&args.plan)?
    else {
        return Ok(Outcome::Failed);
    };
    let mut out = std::io::stdout().lock();
    if args.format == ExplainFormat::Json {
        serde_json::to_writer_pretty(&mut out, &report::explain_json(&input.name, &analysis))?;
        writeln!(out)?;
        return Ok(Outcome::Ok);
    }
    out.write_all(report::explain_text(&input.name, &plan).as_bytes())?;
    Ok(Outcome::Ok)
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// Nodes and edges as JSON.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    #[command(flatten)]
    plan: PlanArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    format: GraphFormat,
}

pub fn graph(args: GraphArgs) -> Result<Outcome> {
    // Analysed first, so the graph is drawn only for a file the analysis
    // accepts, with the same problems printed; the graph classifies the
    // steps with the same code the plan does.
    let Some(Planned {
        input,
        df,
        loaded: LoadedRest { rules, ctx },
        ..
    }) = plan_file(&args.plan)?
    else {
        return Ok(Outcome::Failed);
    };
    let g = match dfsplit::plan::graph::dependency_graph(&df, ctx.as_ref(), &rules) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("{}: error: {e}", input.name);
            return Ok(Outcome::Failed);
        }
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        GraphFormat::Dot => out.write_all(g.to_dot().as_bytes())?,
        GraphFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &g.to_json())?;
            writeln!(out)?;
        }
    }
    if let Some(why) = &g.closure_unknown {
        eprintln!("{}: the runtime closure is unknown: {why}", input.name);
    }
    Ok(Outcome::Ok)
}
