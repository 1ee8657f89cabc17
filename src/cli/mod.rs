//! Command-line front end: argument parsing (clap), file I/O, printing and
//! exit codes. Exit 0 when the command did its job, 1 only where a command
//! documents it (e.g. `rewrite --check`), 2 for bad usage or input.

use dfsplit::host::context;
mod parse;
mod pr;
mod rewrite;
mod rewrite_all;
mod verify;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Turn a single-stage Dockerfile into a multi-stage one, with every decision explained.
#[derive(Debug, Parser)]
#[command(name = "dfsplit", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
enum Cmd {
    /// Rewrite a single-stage Dockerfile into a multi-stage one (stdout: the whole new file).
    Rewrite(rewrite::RewriteArgs),
    /// Show, per instruction, where the rewrite puts it and the rule that decided.
    Explain(rewrite::ExplainArgs),
    /// Print the dependency graph of files, steps and the runtime entry.
    Graph(rewrite::GraphArgs),
    /// Build the original and the rewrite with Docker and compare them (exit 1 when not proven).
    Verify(verify::VerifyArgs),
    /// Parse a Dockerfile and print its syntax tree.
    Parse(parse::Args),
    /// Run the language server on stdio (diagnostics, hover, a "split into stages" code action).
    Lsp {
        /// Accepted for editors that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Commit the rewrites of a repository's Dockerfiles on a branch and open or update a pull request.
    #[command(after_help = pr::EXIT_CODES)]
    Pr(pr::PrArgs),
    /// Print shell completions for the given shell.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

/// Outcome of a command: the exit code.
pub enum Outcome {
    Ok,
    /// `--check` found a change to make (exit 1).
    CheckFailed,
    /// Bad input or usage (exit 2); the message was printed.
    Failed,
    /// `dfsplit pr`: some rewrites are not in the pull request (exit 1).
    LeftOut,
}

pub fn run() -> ExitCode {
    // A bug must not look like success or like a crash (exit 101): report it as exit 2.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("dfsplit: internal error: {info}");
        eprintln!("dfsplit: this is a bug; please report it with the input that caused it");
    }));
    let cli = Cli::parse();
    let result = std::panic::catch_unwind(|| dispatch(cli));
    match result {
        Ok(Ok(Outcome::Ok)) => ExitCode::SUCCESS,
        Ok(Ok(Outcome::CheckFailed | Outcome::LeftOut)) => ExitCode::from(1),
        Ok(Ok(Outcome::Failed)) => ExitCode::from(2),
        Ok(Err(e)) => {
            eprintln!("dfsplit: {e:#}");
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}

fn dispatch(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Cmd::Rewrite(args) => rewrite::rewrite(args),
        Cmd::Explain(args) => rewrite::explain(args),
        Cmd::Graph(args) => rewrite::graph(args),
        Cmd::Verify(args) => verify::verify(args),
        Cmd::Parse(args) => parse::run(args),
        // Exit 1 when the client ends the server without `shutdown` (LSP's rule).
        Cmd::Lsp { .. } => Ok(if dfsplit::lsp::run_stdio() {
            Outcome::Ok
        } else {
            Outcome::CheckFailed
        }),
        Cmd::Pr(args) => pr::run(args),
        Cmd::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "dfsplit", &mut std::io::stdout());
            Ok(Outcome::Ok)
        }
        Cmd::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            std::io::stdout().write_all(&out)?;
            Ok(Outcome::Ok)
        }
    }
}

/// An input file (or `-` for stdin) and the name to print in messages.
pub struct Input {
    pub name: String,
    /// What was read: the bytes, or only the size of an input over the limit.
    pub read: dfsplit::host::input::Input,
    /// The file's path; `None` for standard input.
    pub path: Option<std::path::PathBuf>,
}

impl Input {
    pub fn is_stdin(&self) -> bool {
        self.path.is_none()
    }

    /// The parse of what was read (an input over the size limit gives a
    /// tree with that error and nothing else); prints `FILE:LINE:COL: error:`
    /// and gives `None` when the bytes are not UTF-8.
    pub fn parse(&self) -> Option<dfsplit::syntax::Dockerfile> {
        match self.read.parse() {
            Ok(df) => Some(df),
            Err(e) => {
                eprintln!("{}:{}:{}: error: {e}", self.name, e.line, e.column);
                None
            }
        }
    }
}

/// Reads a Dockerfile (`-`: standard input), keeping no more of it than
/// the parser accepts (`dfsplit::host::input`).
pub fn read_input(file: &Path) -> Result<Input> {
    use dfsplit::host::input;
    if file.as_os_str() == "-" {
        let read =
            input::read_from(std::io::stdin().lock()).context("cannot read standard input")?;
        return Ok(Input {
            name: "<stdin>".into(),
            read,
            path: None,
        });
    }
    let read =
        input::read_file(file).with_context(|| format!("{}: cannot read", file.display()))?;
    Ok(Input {
        name: file.display().to_string(),
        read,
        path: Some(file.to_path_buf()),
    })
}

/// Standard output, buffered: JSON written through the line-buffered
/// `stdout()` costs a system call per line (a 1 MB file's `parse` JSON is
/// 700,000 lines). Flush it before returning.
pub fn buffered_stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock())
}

/// Prints diagnostics as `FILE:LINE:COL: severity: message` (an input over
/// the size limit as `FILE: error: message`); returns whether any was an
/// error.
pub fn report(name: &str, df: &dfsplit::syntax::Dockerfile) -> bool {
    use dfsplit::syntax::{DiagnosticKind, Severity};
    let mut stderr = std::io::stderr().lock();
    let mut failed = false;
    for d in &df.diagnostics {
        let label = match d.severity {
            Severity::Error => {
                failed = true;
                "error"
            }
            Severity::Invalid => "error (docker build rejects this)",
            Severity::Warning => "warning",
        };
        let _ = if d.kind == DiagnosticKind::TooLarge {
            writeln!(stderr, "{name}: {label}: {}", d.message)
        } else {
            writeln!(
                stderr,
                "{name}:{}:{}: {label}: {}",
                d.line, d.column, d.message
            )
        };
    }
    failed
}
