//! The reports tools read: SARIF 2.1.0 (validated against the official
//! schema, `tests/schemas/sarif-2.1.0/`) and the versioned JSON report
//! (validated against `schemas/report.schema.json`), for every corpus case,
//! as the `dfsplit` process prints them.

mod common;

use common::{dfsplit as run, text};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema(path: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join(path)).expect("schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("a valid schema")
}

fn errors(v: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Applies SARIF replacements (byte offsets) to `text`.
fn apply(text: &str, replacements: &[serde_json::Value]) -> String {
    let mut edits: Vec<(usize, usize, &str)> = replacements
        .iter()
        .map(|r| {
            let d = &r["deletedRegion"];
            let start = d["byteOffset"].as_u64().unwrap() as usize;
            let len = d["byteLength"].as_u64().unwrap() as usize;
            (
                start,
                start + len,
                r["insertedContent"]["text"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort();
    let (mut out, mut at) = (String::new(), 0);
    for (s, e, t) in edits {
        out.push_str(&text[at..s]);
        out.push_str(t);
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

#[test]
fn sarif_of_every_corpus_case_is_valid_and_its_fixes_give_the_rewrite() {
    let sarif_schema = schema("tests/schemas/sarif-2.1.0/sarif-schema-2.1.0.json");
    let cases = root().join("corpus/cases");
    let out = run(
        &cases,
        &["rewrite", "--all", "--format", "sarif", "-q"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let errs = errors(&sarif_schema, &log);
    assert!(
        errs.is_empty(),
        "SARIF does not meet the 2.1.0 schema:\n{}",
        errs.join("\n")
    );
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().expect("results");
    let mut fixed = 0;
    for case in std::fs::read_dir(&cases)
        .unwrap()
        .flatten()
        .map(|e| e.path())
    {
        let expected = case.join("expected.Dockerfile");
        let uri = format!("{}/Dockerfile", case.file_name().unwrap().to_string_lossy());
        if !case.join("Dockerfile").is_file() {
            continue;
        }
        let of_file: Vec<&serde_json::Value> = results
            .iter()
            .filter(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri.as_str()
            })
            .collect();
        let split: Vec<&&serde_json::Value> = of_file
            .iter()
            .filter(|r| r["ruleId"] == "core/split")
            .collect();
        // Cases planned with flags of their own are compared in tests/corpus.rs.
        let flags = std::fs::read_to_string(case.join("case.toml"))
            .unwrap_or_default()
            .lines()
            .any(|l| l.starts_with("flags"));
        if expected.is_file() && !flags {
            // One result for the improvable file, on its final FROM, with the rewrite as its fix.
            assert_eq!(split.len(), 1, "{uri}");
            let r = split[0];
            assert_eq!(r["level"], "warning");
            let input = std::fs::read_to_string(case.join("Dockerfile")).unwrap();
            let line = r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap();
            let from = input.lines().nth(line as usize - 1).unwrap();
            assert!(
                from.to_ascii_uppercase().starts_with("FROM"),
                "{uri}: {from}"
            );
            let change = &r["fixes"][0]["artifactChanges"][0];
            assert_eq!(change["artifactLocation"]["uri"], uri.as_str());
            let got = apply(&input, change["replacements"].as_array().unwrap());
            assert_eq!(
                got,
                std::fs::read_to_string(&expected).unwrap(),
                "{uri}: the fix is not the rewrite"
            );
            fixed += 1;
        } else if !expected.is_file() && !flags {
            // (A case whose outcome depends on its flags, such as 111's
            // `--base distroless`, is planned here without them.)
            assert!(split.is_empty(), "{uri}");
            // Why it stays unchanged, as a note.
            assert!(
                of_file.iter().any(|r| r["level"] == "note"),
                "{uri}: no note saying why it is unchanged"
            );
        }
    }
    assert!(fixed > 30, "only {fixed} cases with fixes");
}

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    // So that the test above proves something: a log without a version, and
    // a result with an unknown level, are refused.
    let v = schema("tests/schemas/sarif-2.1.0/sarif-schema-2.1.0.json");
    let bad = serde_json::json!({"runs": []});
    assert!(!errors(&v, &bad).is_empty());
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
        "results": [{"message": {"text": "m"}, "level": "fatal"}]}]});
    assert!(!errors(&v, &bad).is_empty());
    let r = schema("schemas/report.schema.json");
    assert!(!errors(&r, &serde_json::json!({"version": 2, "file": "x"})).is_empty());
    assert!(
        !errors(
            &r,
            &serde_json::json!({"version": 1, "file": "x", "diagnostics": [{"line": 0}]})
        )
        .is_empty()
    );
}

#[test]
fn sarif_names_parse_errors() {
    let d = std::env::temp_dir().join(format!("dfsplit-sarif-bad-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("a")).unwrap();
    std::fs::create_dir_all(d.join("b")).unwrap();
    std::fs::write(d.join("a/Dockerfile"), "FROM node:20\nCOPY x\n").unwrap();
    std::fs::write(d.join("b/Dockerfile"), b"FROM node:20\nRUN \xff\n").unwrap();
    let out = run(&d, &["rewrite", "--all", "--format", "sarif", "-q"], None);
    assert_eq!(out.status.code(), Some(2));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errs = errors(
        &schema("tests/schemas/sarif-2.1.0/sarif-schema-2.1.0.json"),
        &log,
    );
    assert!(errs.is_empty(), "{errs:?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let levels: Vec<(&str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap(),
                r["level"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        levels,
        [("a/Dockerfile", "error"), ("b/Dockerfile", "error")]
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn json_reports_of_every_corpus_case_meet_their_schema() {
    let v = schema("schemas/report.schema.json");
    let cases = root().join("corpus/cases");
    let out = run(
        &cases,
        &["rewrite", "--all", "--format", "json", "-q"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut n = 0;
    for line in text(&out.stdout).lines() {
        let doc: serde_json::Value = serde_json::from_str(line).expect("JSON Lines");
        let errs = errors(&v, &doc);
        assert!(errs.is_empty(), "{}: {}", doc["file"], errs.join("\n"));
        n += 1;
    }
    assert!(n > 60, "{n} reports");
    for case in ["01-node-npm-ci", "34-gate-npm-run-dev"] {
        let dir: &Path = &cases.join(case);
        for cmd in ["rewrite", "explain"] {
            let out = run(dir, &[cmd, "--format", "json"], None);
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(doc["version"], 1);
            let errs = errors(&v, &doc);
            assert!(errs.is_empty(), "{case} {cmd}: {}", errs.join("\n"));
        }
    }
}
