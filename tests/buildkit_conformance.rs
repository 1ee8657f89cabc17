//! Conformance with BuildKit's own parser test files (`../shared/peer/buildkit-parser`).
//! Skips with a message when the folder is absent (a user's checkout).

use dfsplit::syntax::{self, Item, Severity};
use std::fs;
use std::path::{Path, PathBuf};

fn peer() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peer/buildkit-parser");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP: {} is absent; BuildKit conformance not checked",
            dir.display()
        );
        None
    }
}

fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .expect("readable test folder")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("Dockerfile").is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn valid_files_match_buildkit_result_dumps() {
    let Some(peer) = peer() else { return };
    let cases = cases(&peer.join("testfiles"));
    assert_eq!(cases.len(), 33, "BuildKit ships 33 valid cases");
    let mut failures = Vec::new();
    for case in &cases {
        let input = fs::read(case.join("Dockerfile")).expect("read Dockerfile");
        let expected = fs::read_to_string(case.join("result")).expect("read result");
        let df = syntax::parse_bytes(&input).expect("UTF-8");
        let errors: Vec<_> = df
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        let got = df.to_buildkit_dump();
        if !errors.is_empty() || got != expected {
            failures.push(format!(
                "{}: errors {:?}\n--- expected\n{}--- got\n{}",
                case.display(),
                errors,
                expected,
                got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn negative_files_are_rejected_with_a_message() {
    let Some(peer) = peer() else { return };
    let cases = cases(&peer.join("testfiles-negative"));
    assert_eq!(cases.len(), 4, "BuildKit ships 4 negative cases");
    for case in &cases {
        let input = fs::read(case.join("Dockerfile")).expect("read Dockerfile");
        let df = syntax::parse_bytes(&input).expect("UTF-8");
        let err = df
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
            .unwrap_or_else(|| panic!("{} was accepted", case.display()));
        assert!(!err.message.is_empty());
        assert!(err.line >= 1 && err.column >= 1);
        assert_eq!(
            df.print().as_bytes(),
            &input[..],
            "{} round trip",
            case.display()
        );
    }
}

#[test]
fn line_numbers_match_buildkit() {
    let Some(peer) = peer() else { return };
    let input = fs::read(peer.join("testfile-line/Dockerfile")).expect("read");
    let df = syntax::parse_bytes(&input).expect("UTF-8");
    let lines: Vec<(usize, usize)> = df
        .instructions()
        .map(|i| (i.start_line, i.end_line))
        .collect();
    // BuildKit's TestLineInformation expects these ranges for this file.
    assert_eq!(lines, vec![(5, 5), (11, 12), (17, 31)]);
}

#[test]
fn every_file_round_trips_byte_for_byte() {
    let Some(peer) = peer() else { return };
    let mut n = 0;
    for sub in ["testfiles", "testfiles-negative"] {
        for case in cases(&peer.join(sub)) {
            let input = fs::read(case.join("Dockerfile")).expect("read");
            let df = syntax::parse_bytes(&input).expect("UTF-8");
            assert_eq!(df.print().as_bytes(), &input[..], "{}", case.display());
            let mut at = 0;
            for item in &df.items {
                let span = item.span();
                assert_eq!(span.start, at, "{}: items leave a gap", case.display());
                at = span.end;
                if let Item::Instruction(i) = item {
                    assert!(i.keyword_span.start >= span.start && i.keyword_span.end <= span.end);
                }
            }
            assert_eq!(at, input.len());
            n += 1;
        }
    }
    let line = fs::read(peer.join("testfile-line/Dockerfile")).expect("read");
    assert_eq!(
        syntax::parse_bytes(&line)
            .expect("UTF-8")
            .print()
            .as_bytes(),
        &line[..]
    );
    assert_eq!(n, 37);
}
