//! `dfsplit rewrite` and `dfsplit explain`: plan a multi-stage rewrite and
//! print it, its diff, its JSON report or its explanation.

use super::{Input, Outcome, read_input, report};
use anyhow::{Context as _, Result};
use clap::ValueEnum;
use dfsplit::model::Context;
use dfsplit::plan::{self, BaseChoice, Options, Outcome as Plan, Placement, UserPolicy};
use dfsplit::rules::Rules;
use dfsplit::syntax::{self, Dockerfile, Severity};
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

pub(super) struct Planned {
    pub input: Input,
    pub df: Dockerfile,
    pub plan: Plan,
}

/// Reads and parses the input, loads the rules and the build context and
/// reads the options; prints parse problems. `None` when the input is bad
/// (exit 2).
pub(super) fn load_file(args: &PlanArgs) -> Result<Option<Loaded>> {
    let input = read_input(&args.file)?;
    let df = match syntax::parse_bytes(&input.bytes) {
        Ok(df) => df,
        Err(e) => {
            eprintln!("{}:{}:{}: error: {e}", input.name, e.line, e.column);
            return Ok(None);
        }
    };
    if report(&input.name, &df)
        || df
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Invalid)
    {
        return Ok(None);
    }
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

/// Reads, parses and plans; prints problems. `None` when the input is bad (exit 2).
pub(super) fn plan_file(args: &PlanArgs) -> Result<Option<Planned>> {
    let Some(l) = load_file(args)? else {
        return Ok(None);
    };
    match plan::plan(&l.df, l.ctx.as_ref(), &l.rules, &l.opts) {
        Ok(plan) => Ok(Some(Planned {
            input: l.input,
            df: l.df,
            plan,
        })),
        Err(e) => {
            eprintln!("{}: error: {e}", l.input.name);
            Ok(None)
        }
    }
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
        input, df, plan, ..
    }) = plan_file(&args.plan)?
    else {
        return Ok(Outcome::Failed);
    };
    let mut err = std::io::stderr().lock();
    let mut out = std::io::stdout().lock();
    let (changed, new_text) = match &plan {
        Plan::Unchanged { gate, .. } => {
            if !args.quiet {
                writeln!(err, "{}: unchanged: {} [{}]", input.name, gate, gate.rule)?;
            }
            (false, df.source.clone())
        }
        Plan::Rewrite(r) => {
            if !args.quiet {
                for w in &r.warnings {
                    writeln!(err, "{}: warning: {w}", input.name)?;
                }
            }
            (r.text != df.source, r.text.clone())
        }
    };
    if args.format == RewriteFormat::Json {
        let value = serde_json::json!({
            "file": input.name,
            "changed": changed,
            "plan": plan,
            "dockerfile": new_text,
        });
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
    } else if args.diff {
        out.write_all(dfsplit::emit::unified_diff(&input.name, &df.source, &new_text).as_bytes())?;
    } else if args.write {
        if changed {
            let path = input
                .path
                .as_ref()
                .context("--write needs a file, not standard input")?;
            std::fs::write(path, &new_text)
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
    let Some(Planned { input, plan, .. }) = plan_file(&args.plan)? else {
        return Ok(Outcome::Failed);
    };
    let mut out = std::io::stdout().lock();
    if args.format == ExplainFormat::Json {
        serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({ "file": input.name, "plan": plan }),
        )?;
        writeln!(out)?;
        return Ok(Outcome::Ok);
    }
    out.write_all(explain_text(&input.name, &plan).as_bytes())?;
    Ok(Outcome::Ok)
}

fn placement(p: Placement) -> &'static str {
    match p {
        Placement::Global => "global",
        Placement::Dependencies => "dependencies",
        Placement::Build => "build",
        Placement::Runtime => "runtime",
        Placement::BuildAndRuntime => "build+runtime",
        Placement::Unchanged => "unchanged",
    }
}

/// The plan as text for people: one block per instruction with the rule behind it.
pub fn explain_text(name: &str, plan: &Plan) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    match plan {
        Plan::Unchanged {
            gate,
            profile,
            decisions,
        } => {
            let _ = writeln!(s, "{name}: unchanged");
            if let Some(p) = profile {
                let _ = writeln!(s, "profile: {p}");
            }
            let _ = writeln!(s, "why: {} [{}]", gate, gate.rule);
            let _ = writeln!(s, "instructions: {} kept as they are", decisions.len());
        }
        Plan::Rewrite(r) => {
            let stages: Vec<String> = r
                .stages
                .iter()
                .map(|st| format!("{} ({})", st.name, st.base))
                .collect();
            let _ = writeln!(s, "{name}: rewrite with the {} profile", r.profile);
            let _ = writeln!(s, "stages: {}", stages.join(" → "));
            let size = r
                .base_after_approx_mb
                .map(|m| format!(", about {m} MB compressed"))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "runtime base: {} → {}{size}",
                r.base_before, r.base_after
            );
            let _ = writeln!(s, "  because: {}", r.base_reason);
            let _ = writeln!(s, "runtime user: {} [{}]", r.user.name, r.user.rule);
            let _ = writeln!(s, "  because: {}", r.user.reason);
            for o in &r.user.owns {
                let _ = writeln!(s, "  owns {}: {}", o.path, o.reason);
            }
            for n in &r.user.not_shown {
                let _ = writeln!(s, "  not shown: {n}");
            }
            let _ = writeln!(s);
            for d in &r.decisions {
                let _ = writeln!(
                    s,
                    "line {:>3}  {:<13}  {}",
                    d.line,
                    placement(d.placement),
                    d.text
                );
                let _ = writeln!(s, "           [{}] {}", d.rule, d.reason);
                for c in &d.commands {
                    let _ = writeln!(s, "           - `{}`: {} [{}]", c.text, c.role, c.rule);
                }
            }
            if !r.additions.is_empty() {
                let _ = writeln!(s);
                let _ = writeln!(s, "added:");
                for a in &r.additions {
                    let _ = writeln!(s, "  {:<13}  {}", a.stage, a.text);
                    let _ = writeln!(s, "                 [{}] {}", a.rule, a.reason);
                }
            }
            if !r.warnings.is_empty() {
                let _ = writeln!(s);
                for w in &r.warnings {
                    let _ = writeln!(s, "warning: {w}");
                }
            }
        }
    }
    s
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
    // Not planned: the graph classifies the steps itself, and the one error
    // planning could add (a file `docker build` rejects) is the graph's too.
    let Some(Loaded {
        input,
        df,
        rules,
        ctx,
        ..
    }) = load_file(&args.plan)?
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
