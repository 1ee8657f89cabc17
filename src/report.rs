//! Reports: an [`Analysis`] as text for people (the explanation, one line
//! per diagnostic) and as the JSON report. The CLI prints them; the bot puts
//! them in pull requests. Pure: strings and JSON values, no I/O.
//!
//! Invariant: the JSON report only grows — fields are added, never renamed
//! or removed. Its `version` is [`REPORT_VERSION`] and its shape is
//! `schemas/report.schema.json` (a test checks every corpus case against it).

use crate::analysis::{Analysis, Diagnostic, rule};
use crate::plan::{Outcome as Plan, Placement};

/// A diagnostic as a compiler prints it: `NAME:LINE:COL: severity: message`
/// (`NAME: error: message` for an input over the size limit: it concerns no
/// place in the file).
pub fn diagnostic_line(name: &str, d: &Diagnostic) -> String {
    let label = match (d.severity, d.rule.as_str()) {
        (_, rule::BUILD_REJECTS) => "error (docker build rejects this)",
        (crate::analysis::Severity::Error, _) => "error",
        (crate::analysis::Severity::Warning, _) => "warning",
        (crate::analysis::Severity::Info, _) => "info",
        (crate::analysis::Severity::Hint, _) => "hint",
    };
    if d.rule == rule::INPUT_TOO_LARGE {
        return format!("{name}: {label}: {}", d.message);
    }
    format!("{name}:{}:{}: {label}: {}", d.line, d.column, d.message)
}

/// The version of the JSON reports. It changes only if a field ever had to
/// change meaning; fields are added without changing it.
pub const REPORT_VERSION: u32 = 1;

/// The JSON report of `dfsplit rewrite --format json`: the file, whether it
/// changes, the plan, the diagnostics, the edits (byte ranges of the input
/// and their new text) and the new text — left out for an input over the
/// size limit, which was not read (`core/input-too-large`).
pub fn rewrite_json(name: &str, a: &Analysis) -> serde_json::Value {
    let mut v = serde_json::json!({
        "version": REPORT_VERSION,
        "file": name,
        "changed": a.changed(),
        "plan": a.outcome,
        "diagnostics": a.diagnostics,
        "edits": a.edits,
    });
    if !a
        .diagnostics
        .iter()
        .any(|d| d.rule == rule::INPUT_TOO_LARGE)
    {
        v["dockerfile"] = a.output.as_str().into();
    }
    v
}

/// The JSON report of `dfsplit explain --format json`.
pub fn explain_json(name: &str, a: &Analysis) -> serde_json::Value {
    serde_json::json!({
        "version": REPORT_VERSION,
        "file": name,
        "plan": a.outcome,
        "diagnostics": a.diagnostics,
    })
}

/// A line of `rewrite --all --format json` for a file that was not
/// analysed: left alone by the configuration (`skipped`) or not readable
/// (`error`, with its location).
pub fn not_analysed_json(
    name: &str,
    skipped: Option<&str>,
    error: Option<&str>,
) -> serde_json::Value {
    let mut v = serde_json::json!({
        "version": REPORT_VERSION,
        "file": name,
        "changed": false,
    });
    if let Some(s) = skipped {
        v["skipped"] = s.into();
    }
    if let Some(e) = error {
        v["error"] = e.into();
    }
    v
}

/// One file of a SARIF log: its URI (relative to the repository, with `/`)
/// and its analysis, or why it could not be analysed.
pub struct SarifFile<'a> {
    /// The file, relative to the folder the run started in.
    pub uri: &'a str,
    /// What dfsplit made of it; `Err` with a message when it could not be read.
    pub analysis: Result<&'a Analysis, &'a str>,
}

/// A SARIF 2.1.0 log of a run over `files`: one `warning` per file dfsplit
/// improves (rule `core/split`, on the final FROM, with the rewrite as a
/// `fix` whose replacements are the analysis's edits), an `error` per file
/// that does not parse or build, and a `note` per reason a file stays as it
/// is and per warning about a rewrite. Columns count Unicode code points.
pub fn sarif(files: &[SarifFile]) -> serde_sarif::sarif::Sarif {
    use crate::analysis::Severity;
    use serde_sarif::sarif as s;
    let mut rule_ids: Vec<String> = Vec::new();
    let mut results = Vec::new();
    for f in files {
        let location = |region: Option<s::Region>| {
            let physical = s::PhysicalLocation::builder()
                .artifact_location(s::ArtifactLocation::builder().uri(f.uri).build());
            let physical = match region {
                Some(r) => physical.region(r).build(),
                None => physical.build(),
            };
            s::Location::builder().physical_location(physical).build()
        };
        let a = match f.analysis {
            Ok(a) => a,
            Err(message) => {
                if !rule_ids.iter().any(|r| r == rule::SYNTAX_ERROR) {
                    rule_ids.push(rule::SYNTAX_ERROR.into());
                }
                results.push(
                    s::Result::builder()
                        .rule_id(rule::SYNTAX_ERROR)
                        .level(s::ResultLevel::Error)
                        .message(s::Message::builder().text(message).build())
                        .locations(vec![location(None)])
                        .build(),
                );
                continue;
            }
        };
        for d in &a.diagnostics {
            let level = match d.severity {
                Severity::Error => s::ResultLevel::Error,
                Severity::Info => s::ResultLevel::Warning,
                Severity::Warning | Severity::Hint => s::ResultLevel::Note,
            };
            if d.rule == rule::SYNTAX_WARNING {
                continue;
            }
            let index = match rule_ids.iter().position(|r| *r == d.rule) {
                Some(i) => i,
                None => {
                    rule_ids.push(d.rule.clone());
                    rule_ids.len() - 1
                }
            };
            let region = s::Region::builder()
                .start_line(d.line as i64)
                .start_column(d.column as i64)
                .byte_offset(d.span.start as i64)
                .byte_length((d.span.end - d.span.start) as i64)
                .build();
            let fixes = if d.rule == rule::SPLIT && a.changed() {
                let replacements: Vec<s::Replacement> = a
                    .edits
                    .iter()
                    .map(|e| {
                        s::Replacement::builder()
                            .deleted_region(
                                s::Region::builder()
                                    .byte_offset(e.range.start as i64)
                                    .byte_length((e.range.end - e.range.start) as i64)
                                    .build(),
                            )
                            .inserted_content(
                                s::ArtifactContent::builder()
                                    .text(e.content.as_str())
                                    .build(),
                            )
                            .build()
                    })
                    .collect();
                vec![
                    s::Fix::builder()
                        .description(
                            s::Message::builder()
                                .text(
                                    "rewrite as a multi-stage Dockerfile (dfsplit rewrite --write)",
                                )
                                .build(),
                        )
                        .artifact_changes(vec![
                            s::ArtifactChange::builder()
                                .artifact_location(
                                    s::ArtifactLocation::builder().uri(f.uri).build(),
                                )
                                .replacements(replacements)
                                .build(),
                        ])
                        .build(),
                ]
            } else {
                Vec::new()
            };
            let result = s::Result::builder()
                .rule_id(d.rule.as_str())
                .rule_index(index as i64)
                .level(level)
                .message(s::Message::builder().text(d.message.as_str()).build())
                .locations(vec![location(Some(region))]);
            results.push(if fixes.is_empty() {
                result.build()
            } else {
                result.fixes(fixes).build()
            });
        }
    }
    let rules: Vec<s::ReportingDescriptor> = rule_ids
        .iter()
        .map(|id| s::ReportingDescriptor::builder().id(id.as_str()).build())
        .collect();
    let driver = s::ToolComponent::builder()
        .name("dfsplit")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    let run = s::Run::builder()
        .tool(s::Tool::builder().driver(driver).build())
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .results(results)
        .build();
    s::Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
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
