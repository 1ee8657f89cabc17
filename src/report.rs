//! Reports: an [`Analysis`] as text for people (the explanation, one line
//! per diagnostic) and as the JSON report. The CLI prints them; the bot puts
//! them in pull requests. Pure: strings and JSON values, no I/O.
//!
//! Invariant: the JSON report only grows — fields are added, never renamed
//! or removed.

use crate::analysis::{Analysis, Diagnostic, rule};
use crate::plan::{Outcome as Plan, Placement};

/// A diagnostic as a compiler prints it: `NAME:LINE:COL: severity: message`.
pub fn diagnostic_line(name: &str, d: &Diagnostic) -> String {
    let label = match (d.severity, d.rule.as_str()) {
        (_, rule::BUILD_REJECTS) => "error (docker build rejects this)",
        (crate::analysis::Severity::Error, _) => "error",
        (crate::analysis::Severity::Warning, _) => "warning",
        (crate::analysis::Severity::Info, _) => "info",
        (crate::analysis::Severity::Hint, _) => "hint",
    };
    format!("{name}:{}:{}: {label}: {}", d.line, d.column, d.message)
}

/// The JSON report of `dfsplit rewrite --format json`: the file, whether it
/// changes, the plan, the diagnostics, the edits (byte ranges of the input
/// and their new text) and the new text.
pub fn rewrite_json(name: &str, a: &Analysis) -> serde_json::Value {
    serde_json::json!({
        "file": name,
        "changed": a.changed(),
        "plan": a.outcome,
        "diagnostics": a.diagnostics,
        "edits": a.edits,
        "dockerfile": a.output,
    })
}

/// The JSON report of `dfsplit explain --format json`.
pub fn explain_json(name: &str, a: &Analysis) -> serde_json::Value {
    serde_json::json!({
        "file": name,
        "plan": a.outcome,
        "diagnostics": a.diagnostics,
    })
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
