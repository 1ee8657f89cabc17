//! `dfsplit rewrite` and `dfsplit explain`: plan a multi-stage rewrite and
//! print it, its diff, its JSON report or its explanation.

use super::{Input, Outcome, read_input};
use anyhow::{Context as _, Result};
use clap::ValueEnum;
use dfsplit::analysis::{self, Analysis, rule};
use dfsplit::config::{Config, Settings, Verdict};
use dfsplit::model::Context;
use dfsplit::plan::{BaseChoice, Options, Outcome as Plan, UserPolicy};
use dfsplit::report;
use dfsplit::rules::Rules;
use dfsplit::syntax::Dockerfile;
use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

// What every planning command takes. (A plain comment: the subcommands'
// arguments are built on demand (`#[command(defer = true)]` on `Cmd`), and a
// doc comment here would then become each one's `about`.)
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The Dockerfile, or `-` for standard input (default: Dockerfile); with
    /// `rewrite --all`, the folder to search (default: the current one).
    #[arg(value_name = "FILE")]
    pub(super) file: Option<PathBuf>,
    /// The build context (default: the Dockerfile's folder; none for stdin).
    #[arg(long, value_name = "DIR")]
    pub(super) context: Option<PathBuf>,
    /// Runtime base: auto, slim, distroless, scratch, or an image reference
    /// (default: `.dfsplit.yaml`'s `base:`, else auto).
    #[arg(long, value_name = "auto|slim|distroless|scratch|IMAGE")]
    base: Option<String>,
    /// A folder of rule files that overlay the built-in ones (default:
    /// `.dfsplit.yaml`'s `rules:`).
    #[arg(long, value_name = "DIR")]
    pub(super) rules: Option<PathBuf>,
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
        value_parser = dfsplit::config::non_root_user
    )]
    non_root: Option<String>,
    /// Accepted for old scripts: running as the original's user is now the default.
    #[arg(long, hide = true, conflicts_with = "non_root")]
    keep_root: bool,
    /// Do not read `.dfsplit.yaml` (found upward from the Dockerfile, up to
    /// the repository root).
    #[arg(long)]
    pub(super) no_config: bool,
}

impl PlanArgs {
    /// The file named, or `Dockerfile`.
    pub(super) fn file(&self) -> PathBuf {
        self.file.clone().unwrap_or_else(|| "Dockerfile".into())
    }

    /// What the command line sets; the rest comes from `.dfsplit.yaml`.
    pub(super) fn settings(&self) -> Result<Settings> {
        Ok(Settings {
            base: match &self.base {
                Some(b) => Some(
                    b.parse::<BaseChoice>()
                        .map_err(|e| anyhow::anyhow!("--base: {e}"))?,
                ),
                None => None,
            },
            user: match self.non_root.as_deref() {
                None => None,
                Some("") => Some(UserPolicy::NonRoot(None)),
                Some(u) => Some(UserPolicy::NonRoot(Some(u.to_string()))),
            },
            cache_mounts: self.no_cache_mounts.then_some(false),
        })
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(super) enum RewriteFormat {
    /// The whole new Dockerfile (or the input unchanged).
    Dockerfile,
    /// A report: stages, moves, dropped instructions, bases, size estimate,
    /// and the text (with --all: one per line, JSON Lines).
    Json,
    /// SARIF 2.1.0 for code scanning: a result per improvable file with the
    /// rewrite as a fix, parse errors, and why files stay unchanged.
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct RewriteArgs {
    #[command(flatten)]
    pub(super) plan: PlanArgs,
    /// Every Dockerfile under the folder FILE names (default: the current
    /// one): `Dockerfile`, `*.Dockerfile`, `Dockerfile.*`, `Containerfile`,
    /// honouring `.gitignore`; each with its own folder as build context.
    #[arg(long, conflicts_with = "context")]
    pub(super) all: bool,
    /// Print a unified diff instead of the whole file.
    #[arg(long, conflicts_with = "write")]
    pub(super) diff: bool,
    /// Exit 1 when a change would be made (prints nothing on stdout unless --diff).
    #[arg(long)]
    pub(super) check: bool,
    /// Write the result back to FILE (atomically; an unchanged file is not touched).
    #[arg(long)]
    pub(super) write: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RewriteFormat::Dockerfile)]
    pub(super) format: RewriteFormat,
    /// Say nothing on stderr unless something is wrong.
    #[arg(short, long)]
    pub(super) quiet: bool,
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
    pub rules: Cow<'static, Rules>,
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
    pub rules: Cow<'static, Rules>,
    pub ctx: Option<Context>,
}

/// Reads and parses the input, loads the rules and the build context and
/// reads the options. `None` when the input is not text (exit 2).
pub(super) fn load_file(args: &PlanArgs) -> Result<Option<Loaded>> {
    let input = read_input(&args.file())?;
    let Some(df) = input.parse() else {
        return Ok(None);
    };
    let cli = args.settings()?;
    // The configuration of the file's folder (not for stdin); a `skip:`
    // pattern does not apply to a file named on the command line.
    let config = match (&input.path, args.no_config) {
        (Some(p), false) => Config::find(&parent_dir(p))?,
        _ => None,
    };
    let (settings, config_rules) = match &config {
        Some(c) => match c.verdict(input.path.as_deref().unwrap_or(Path::new("."))) {
            Verdict::Plan(s) => (s.under(&cli), c.rules.clone()),
            Verdict::Skip(_) => (c.settings.under(&cli), c.rules.clone()),
        },
        None => (cli, None),
    };
    let rules_dir = args.rules.clone().or(config_rules);
    let rules = Rules::load_shared(rules_dir.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let ctx = context_for(args, &input)?;
    let opts: Options = settings.options();
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
            rule::SYNTAX_ERROR | rule::BUILD_REJECTS | rule::SYNTAX_WARNING | rule::INPUT_TOO_LARGE
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
        (Some(dir), true) => Some(super::context::collect(dir, None)?),
        (Some(dir), false) => Some(super::context::collect(dir, Some(&args.file()))?),
        (None, true) => None,
        (None, false) => {
            let file = args.file();
            Some(super::context::collect(&parent_dir(&file), Some(&file))?)
        }
    })
}

/// A file's folder (`.` for a bare name).
fn parent_dir(file: &Path) -> PathBuf {
    file.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

pub fn rewrite(args: RewriteArgs) -> Result<Outcome> {
    if args.all {
        return super::rewrite_all::run(&args);
    }
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
    let mut out = super::buffered_stdout();
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
    // Diff headers and SARIF name the file relative to the current folder.
    let relative = match &input.path {
        Some(p) => dfsplit::workspace::display_name(p),
        None => input.name.clone(),
    };
    if args.format == RewriteFormat::Json {
        serde_json::to_writer_pretty(&mut out, &report::rewrite_json(&input.name, &analysis))?;
        writeln!(out)?;
    } else if args.format == RewriteFormat::Sarif {
        let log = report::sarif(&[report::SarifFile {
            uri: &relative,
            analysis: Ok(&analysis),
        }]);
        serde_json::to_writer_pretty(&mut out, &log)?;
        writeln!(out)?;
    } else if args.diff {
        out.write_all(dfsplit::emit::unified_diff(&relative, &df.source, new_text).as_bytes())?;
    } else if args.write {
        if changed {
            let path = input
                .path
                .as_ref()
                .context("--write needs a file, not standard input")?;
            dfsplit::workspace::write_atomic(path, new_text.as_bytes())
                .with_context(|| format!("{}: cannot write", path.display()))?;
            if !args.quiet {
                writeln!(err, "{}: rewritten", input.name)?;
            }
        }
    } else if !args.check {
        out.write_all(new_text.as_bytes())?;
    }
    out.flush()?;
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
    let mut out = super::buffered_stdout();
    if args.format == ExplainFormat::Json {
        serde_json::to_writer_pretty(&mut out, &report::explain_json(&input.name, &analysis))?;
        writeln!(out)?;
    } else {
        out.write_all(report::explain_text(&input.name, &plan).as_bytes())?;
    }
    out.flush()?;
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
    let mut out = super::buffered_stdout();
    match args.format {
        GraphFormat::Dot => out.write_all(g.to_dot().as_bytes())?,
        GraphFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &g.to_json())?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    if let Some(why) = &g.closure_unknown {
        eprintln!("{}: the runtime closure is unknown: {why}", input.name);
    }
    Ok(Outcome::Ok)
}
