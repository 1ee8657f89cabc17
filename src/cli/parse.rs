//! `dfsplit parse FILE [--format json|buildkit]`

use super::{Outcome, buffered_stdout, read_input, report};
use anyhow::Result;
use clap::ValueEnum;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The Dockerfile, or `-` for standard input.
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// The lossless tree with byte spans, for tools.
    Json,
    /// BuildKit's parser dump format (as in its test `result` files).
    Buildkit,
    /// A readable outline: one line per item and argument, with spans.
    Outline,
}

pub fn run(args: Args) -> Result<Outcome> {
    let input = read_input(&args.file)?;
    let Some(df) = input.parse() else {
        return Ok(Outcome::Failed);
    };
    let failed = report(&input.name, &df);
    if failed {
        return Ok(Outcome::Failed);
    }
    let mut out = buffered_stdout();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &df)?;
            writeln!(out)?;
        }
        Format::Buildkit => out.write_all(df.to_buildkit_dump().as_bytes())?,
        Format::Outline => out.write_all(df.to_outline().as_bytes())?,
    }
    out.flush()?;
    Ok(Outcome::Ok)
}
