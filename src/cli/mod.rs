//! Command-line front end: argument parsing (clap), file I/O, printing and
//! exit codes. Exit 0 when the command did its job, 1 only where a command
//! documents it (e.g. `rewrite --check`), 2 for bad usage or input.

mod parse;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::io::{Read, Write};
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
enum Cmd {
    /// Parse a Dockerfile and print its syntax tree.
    Parse(parse::Args),
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
    /// Bad input or usage (exit 2); the message was printed.
    Failed,
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
        Cmd::Parse(args) => parse::run(args),
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
    pub bytes: Vec<u8>,
}

pub fn read_input(file: &Path) -> Result<Input> {
    if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        return Ok(Input {
            name: "<stdin>".into(),
            bytes,
        });
    }
    let bytes = std::fs::read(file).with_context(|| format!("{}: cannot read", file.display()))?;
    Ok(Input {
        name: file.display().to_string(),
        bytes,
    })
}

/// Prints diagnostics as `FILE:LINE:COL: severity: message`; returns whether any
/// was a syntax error.
pub fn report(name: &str, df: &dfsplit::syntax::Dockerfile) -> bool {
    use dfsplit::syntax::Severity;
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
        let _ = writeln!(
            stderr,
            "{name}:{}:{}: {label}: {}",
            d.line, d.column, d.message
        );
    }
    failed
}
