//! The analysis every front end reads (`dfsplit::analyze`, printed by
//! `rewrite --format json`), checked on every corpus case: applying its
//! edits to the input gives the reviewed rewrite, and every span it gives —
//! of a decision, a command inside a RUN, a diagnostic — slices the input
//! where it says.

mod common;

use common::dfsplit;
use dfsplit::emit::{Edit, apply};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/cases");
    let mut v: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("corpus/cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("case.toml").is_file())
        .collect();
    v.sort();
    v
}

/// `flags = [...]` of case.toml, with `--non-root` for the non-root variant.
fn flags(case: &Path, non_root: bool) -> Vec<String> {
    let toml: toml::Table = std::fs::read_to_string(case.join("case.toml"))
        .expect("case.toml")
        .parse()
        .expect("case.toml parses");
    let mut v: Vec<String> = toml
        .get("flags")
        .and_then(|f| f.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if non_root {
        v.push("--non-root".into());
    }
    v
}

fn is_non_root_case(case: &Path) -> bool {
    std::fs::read_to_string(case.join("case.toml"))
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| t.get("non_root").and_then(|v| v.as_bool()))
        .unwrap_or(false)
}

fn span(v: &Value) -> Option<std::ops::Range<usize>> {
    let s = v.get("start")?.as_u64()? as usize;
    let e = v.get("end")?.as_u64()? as usize;
    Some(s..e)
}

/// What is left of a command's text once line continuations, comment lines
/// inside them, blanks, quotes and escape characters (a backslash, or the
/// backtick of files with an escape directive) are gone: the script a RUN
/// runs and its bytes in the file compare equal this way.
fn squeezed(s: &str) -> String {
    s.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace() && !matches!(c, '\\' | '`' | '"'))
        .collect()
}

fn check(case: &Path, non_root: bool, problems: &mut Vec<String>) -> usize {
    let name = format!(
        "{}{}",
        case.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
        if non_root { " (--non-root)" } else { "" }
    );
    let input = std::fs::read_to_string(case.join("Dockerfile")).expect("Dockerfile");
    let flags = flags(case, non_root);
    let mut args = vec!["rewrite", "Dockerfile", "--format", "json", "--quiet"];
    args.extend(flags.iter().map(String::as_str));
    let out = dfsplit(case, &args, None);
    if out.status.code() != Some(0) {
        problems.push(format!("{name}: exit {:?}", out.status.code()));
        return 0;
    }
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let edits: Vec<Edit> = report["edits"]
        .as_array()
        .expect("edits")
        .iter()
        .map(|e| Edit {
            range: span(&e["range"]).expect("edit range"),
            content: e["content"].as_str().expect("edit content").to_string(),
        })
        .collect();
    let output = report["dockerfile"].as_str().expect("dockerfile");
    match apply(&input, &edits) {
        Ok(got) if got == output => {}
        Ok(_) => problems.push(format!(
            "{name}: applying the edits does not give the rewrite"
        )),
        Err(e) => problems.push(format!("{name}: edits do not apply: {e}")),
    }
    let expected = case.join(if non_root {
        "expected.non-root.Dockerfile"
    } else {
        "expected.Dockerfile"
    });
    let want = std::fs::read_to_string(&expected).unwrap_or_else(|_| input.clone());
    if output != want {
        problems.push(format!(
            "{name}: the report's dockerfile is not {}",
            expected.display()
        ));
    }
    if report["changed"].as_bool() != Some(!edits.is_empty()) {
        problems.push(format!("{name}: `changed` disagrees with the edits"));
    }
    let slice = |r: &std::ops::Range<usize>| input.get(r.clone());
    let mut spans = 0;
    // Decisions: the span is the instruction, starting with its first line.
    let plan = &report["plan"];
    let decisions = plan["decisions"].as_array().expect("decisions");
    for d in decisions {
        let text = d["text"].as_str().unwrap_or_default();
        let line = d["line"].as_u64().unwrap_or(0) as usize;
        let r = span(&d["span"]).expect("decision span");
        spans += 1;
        match slice(&r) {
            Some(s) if s.starts_with(text) => {}
            other => problems.push(format!(
                "{name}: decision `{text}` has span {r:?} = {other:?}"
            )),
        }
        if input[..r.start].matches('\n').count() + 1 != line {
            problems.push(format!("{name}: decision `{text}` is not on line {line}"));
        }
        for c in d["commands"].as_array().into_iter().flatten() {
            let ctext = c["text"].as_str().unwrap_or_default();
            let Some(r) = c.get("span").and_then(span) else {
                continue;
            };
            spans += 1;
            let inst = span(&d["span"]).expect("decision span");
            match slice(&r) {
                Some(s)
                    if squeezed(s) == squeezed(ctext)
                        && inst.start <= r.start
                        && r.end <= inst.end => {}
                other => problems.push(format!(
                    "{name}: command `{ctext}` has span {r:?} = {other:?}"
                )),
            }
        }
    }
    // Diagnostics: a span of the input, on the line and column they name.
    for d in report["diagnostics"].as_array().expect("diagnostics") {
        let r = span(&d["span"]).expect("diagnostic span");
        spans += 1;
        let Some(_) = slice(&r) else {
            problems.push(format!(
                "{name}: diagnostic span {r:?} is outside the input"
            ));
            continue;
        };
        let line = input[..r.start].matches('\n').count() + 1;
        let column = input[..r.start]
            .rsplit('\n')
            .next()
            .map_or(0, |l| l.chars().count())
            + 1;
        if d["line"].as_u64() != Some(line as u64) || d["column"].as_u64() != Some(column as u64) {
            problems.push(format!("{name}: diagnostic {d} is not at {line}:{column}"));
        }
        let message = d["message"].as_str().unwrap_or_default();
        if message.starts_with("line ") {
            problems.push(format!(
                "{name}: diagnostic message names its line: {message}"
            ));
        }
    }
    // One diagnostic says what happens to the file: the split, or why not.
    let says = |rule: &str| {
        report["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|d| d["rule"].as_str() == Some(rule))
    };
    match plan["outcome"].as_str() {
        Some("unchanged") => {
            let rule = plan["gate"]["rule"].as_str().unwrap_or_default();
            if !says(rule) {
                problems.push(format!("{name}: no diagnostic for the gate {rule}"));
            }
        }
        Some("rewrite") if !edits.is_empty() && !says("core/split") => {
            problems.push(format!(
                "{name}: a rewrite without its core/split diagnostic"
            ));
        }
        _ => {}
    }
    spans
}

#[test]
fn every_corpus_case_edits_and_spans_agree_with_the_rewrite() {
    let mut problems = Vec::new();
    let mut runs = 0;
    let mut spans = 0;
    for case in cases() {
        spans += check(&case, false, &mut problems);
        runs += 1;
        if is_non_root_case(&case) {
            spans += check(&case, true, &mut problems);
            runs += 1;
        }
    }
    assert!(runs >= 60, "the corpus has at least 60 runs, found {runs}");
    assert!(spans >= 800, "at least 800 spans checked, found {spans}");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The library call itself: a file that does not parse gets an error
/// diagnostic with its place, no plan and no edits.
#[test]
fn a_file_that_does_not_parse_has_an_error_and_no_edits() {
    let rules = dfsplit::rules::Rules::load(None).expect("rules");
    let text = "FROM node:20\nRUN <<EOF\necho hi\n";
    let a = dfsplit::analyze(text, None, &rules, &Default::default());
    assert!(a.outcome.is_none());
    assert!(a.edits.is_empty());
    assert_eq!(a.output, text);
    let errors: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.severity == dfsplit::analysis::Severity::Error)
        .collect();
    assert!(!errors.is_empty(), "{:?}", a.diagnostics);
    for d in errors {
        assert!(text.get(d.span.clone()).is_some());
        assert_eq!(d.rule, "core/syntax-error");
    }
}

/// `text` padded with comment lines of 1,000 bytes to exactly `len` bytes.
fn padded(text: &str, len: usize) -> String {
    let mut out = text.to_string();
    while out.len() < len {
        let line = (len - out.len()).min(1000);
        out.push('#');
        out.push_str(&" ".repeat(line.saturating_sub(2)));
        if line > 1 {
            out.push('\n');
        }
    }
    assert_eq!(out.len(), len);
    out
}

/// An input over the size limit is not parsed: one error with its own rule,
/// its size and the limit, no plan, no edits, the text back unchanged. At
/// the limit the same file is planned as usual.
#[test]
fn an_input_over_the_size_limit_gets_one_error_and_comes_out_unchanged() {
    use dfsplit::analysis::{Severity, rule};
    use dfsplit::syntax::MAX_INPUT_BYTES;
    let rules = dfsplit::rules::Rules::load(None).expect("rules");
    let case = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/cases/09-go-static");
    let text = std::fs::read_to_string(case.join("Dockerfile")).expect("Dockerfile");
    let ctx = dfsplit::host::context::collect(&case, None).expect("context");

    let at_limit = padded(&text, MAX_INPUT_BYTES);
    let a = dfsplit::analyze(&at_limit, Some(&ctx), &rules, &Default::default());
    assert!(a.changed(), "{:?}", a.diagnostics);
    assert!(
        a.diagnostics
            .iter()
            .all(|d| d.rule != rule::INPUT_TOO_LARGE)
    );

    let over = padded(&text, MAX_INPUT_BYTES + 1);
    let a = dfsplit::analyze(&over, Some(&ctx), &rules, &Default::default());
    assert!(a.outcome.is_none());
    assert!(a.edits.is_empty() && !a.changed());
    assert_eq!(a.output, over);
    assert_eq!(a.diagnostics.len(), 1, "{:?}", a.diagnostics);
    let d = &a.diagnostics[0];
    assert_eq!(
        (
            d.rule.as_str(),
            d.severity,
            d.span.clone(),
            d.line,
            d.column
        ),
        (rule::INPUT_TOO_LARGE, Severity::Error, 0..0, 1, 1)
    );
    assert_eq!(
        d.message,
        "the input is 1,048,577 bytes (1.0 MiB); dfsplit reads Dockerfiles up to 1,048,576 bytes (1 MiB) and leaves larger ones unchanged"
    );
    // The parse keeps the text it was given, as one error node.
    let df = dfsplit::syntax::parse(&over);
    assert!(df.too_large());
    assert_eq!(df.print(), over);
}

/// A gate about one instruction points at it: the editor shows the reason
/// on that line, and the message does not repeat the line number.
#[test]
fn a_gate_points_at_its_instruction() {
    let rules = dfsplit::rules::Rules::load(None).expect("rules");
    let text =
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"run\", \"dev\"]\n";
    let a = dfsplit::analyze(text, None, &rules, &Default::default());
    let gate = a
        .diagnostics
        .iter()
        .find(|d| d.severity == dfsplit::analysis::Severity::Hint)
        .expect("a hint saying why the file stays");
    assert_eq!(
        &text[gate.span.clone()],
        "CMD [\"npm\", \"run\", \"dev\"]\n"
    );
    assert_eq!(gate.line, 5);
    assert!(!gate.message.starts_with("line"), "{}", gate.message);
    assert!(a.edits.is_empty() && !a.changed());
}

/// The analysis's own rule ids have their sections in rules/core.md.
#[test]
fn the_analysis_rules_are_documented() {
    use dfsplit::analysis::rule;
    let core =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules/core.md"))
            .expect("rules/core.md");
    for id in [
        rule::SPLIT,
        rule::SYNTAX_ERROR,
        rule::BUILD_REJECTS,
        rule::SYNTAX_WARNING,
        rule::INPUT_TOO_LARGE,
    ] {
        let heading = format!("### `{id}`");
        let section = core
            .split(&heading)
            .nth(1)
            .unwrap_or_else(|| panic!("rules/core.md lacks {heading}"));
        let section = section.split("\n### ").next().unwrap_or("");
        for part in ["**What**", "**Why**", "**Example**"] {
            assert!(section.contains(part), "{id}: section lacks {part}");
        }
    }
}
