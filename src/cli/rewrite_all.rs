//! `dfsplit rewrite --all [DIR]`: every Dockerfile under a folder, through
//! `dfsplit::workspace` (the walk, the configuration, atomic writes). One
//! file that cannot be read or planned is reported and the run goes on;
//! the exit code is 2 at the end if any failed.

use super::Outcome;
use super::rewrite::{RewriteArgs, RewriteFormat};
use anyhow::Result;
use dfsplit::analysis::{Analysis, Severity};
use dfsplit::plan::Outcome as Plan;
use dfsplit::report;
use dfsplit::workspace::{self, FileResult, Planner};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal as _, Write};
use std::path::PathBuf;

/// How many files ended how.
#[derive(Default)]
struct Counts {
    changed: usize,
    unchanged: usize,
    skipped: usize,
    failed: usize,
}

pub fn run(args: &RewriteArgs) -> Result<Outcome> {
    let dir = args.plan.file.clone().unwrap_or_else(|| PathBuf::from("."));
    if dir.as_os_str() == "-" {
        anyhow::bail!("--all reads a folder, not standard input");
    }
    let files = workspace::find(&dir)?;
    let mut planner = Planner::new(
        args.plan.settings()?,
        args.plan.rules.clone(),
        !args.plan.no_config,
    );
    // A progress bar on a terminal only: nothing of it when stderr is piped.
    let bar = if std::io::stderr().is_terminal() && !args.quiet {
        let b =
            ProgressBar::with_draw_target(Some(files.len() as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
            b.set_style(style);
        }
        b
    } else {
        ProgressBar::hidden()
    };
    let say = |line: String| {
        if !args.quiet {
            bar.suspend(|| eprintln!("{line}"));
        }
    };
    let mut out = std::io::stdout().lock();
    let mut counts = Counts::default();
    let mut sarif: Vec<(String, Result<Analysis, String>)> = Vec::new();
    let json = args.format == RewriteFormat::Json;
    for path in &files {
        bar.set_message(workspace::display_name(path));
        match planner.analyze(path) {
            FileResult::Failed { name, message } => {
                counts.failed += 1;
                bar.suspend(|| eprintln!("{message}"));
                if json {
                    json_line(
                        &mut out,
                        &report::not_analysed_json(&name, None, Some(&message)),
                    )?;
                }
                sarif.push((name, Err(message)));
            }
            FileResult::Skipped { name, reason } => {
                counts.skipped += 1;
                say(format!("{name}: skipped: {reason}"));
                if json {
                    json_line(
                        &mut out,
                        &report::not_analysed_json(&name, Some(&reason), None),
                    )?;
                }
            }
            FileResult::Analysed(f) => {
                let a = &f.analysis;
                if a.has_errors() {
                    counts.failed += 1;
                    bar.suspend(|| {
                        for d in a
                            .diagnostics
                            .iter()
                            .filter(|d| d.severity == Severity::Error)
                        {
                            eprintln!("{}", report::diagnostic_line(&f.name, d));
                        }
                    });
                } else if a.changed() {
                    counts.changed += 1;
                    if let Some(r) = a.rewrite() {
                        for w in &r.warnings {
                            say(format!("{}: warning: {w}", f.name));
                        }
                    }
                } else {
                    counts.unchanged += 1;
                    if let Some(Plan::Unchanged { gate, .. }) = &a.outcome {
                        say(format!("{}: unchanged: {} [{}]", f.name, gate, gate.rule));
                    }
                }
                if json {
                    json_line(&mut out, &report::rewrite_json(&f.name, a))?;
                } else if args.format == RewriteFormat::Sarif {
                    // Written once at the end.
                } else if args.diff {
                    if a.changed() {
                        let d = dfsplit::emit::unified_diff(&f.name, &f.text, &a.output);
                        bar.suspend(|| out.write_all(d.as_bytes()))?;
                    }
                } else if args.write {
                    if a.changed() {
                        match workspace::write_atomic(&f.path, a.output.as_bytes()) {
                            Ok(()) => say(format!("{}: rewritten", f.name)),
                            Err(e) => {
                                counts.failed += 1;
                                counts.changed -= 1;
                                bar.suspend(|| eprintln!("{}: cannot write: {e}", f.name));
                            }
                        }
                    }
                } else if !args.check && a.changed() {
                    bar.suspend(|| writeln!(out, "{}", f.name))?;
                }
                let name = f.name.clone();
                sarif.push((name, Ok(f.analysis)));
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if args.format == RewriteFormat::Sarif {
        let files: Vec<report::SarifFile> = sarif
            .iter()
            .map(|(uri, a)| report::SarifFile {
                uri,
                analysis: a.as_ref().map_err(String::as_str),
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &report::sarif(&files))?;
        writeln!(out)?;
    }
    if !args.quiet {
        let verb = if args.write {
            "rewritten"
        } else {
            "would be rewritten"
        };
        eprintln!(
            "dfsplit: {} Dockerfile{} under {}: {} {verb}, {} unchanged, {} skipped, {} failed",
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            dir.display(),
            counts.changed,
            counts.unchanged,
            counts.skipped,
            counts.failed,
        );
    }
    Ok(if counts.failed > 0 {
        Outcome::Failed
    } else if args.check && counts.changed > 0 {
        Outcome::CheckFailed
    } else {
        Outcome::Ok
    })
}

fn json_line(out: &mut impl Write, v: &serde_json::Value) -> Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    writeln!(out)?;
    Ok(())
}
