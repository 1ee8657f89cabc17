//! Parses every shell-form `RUN` line of BuildKit's parser test files.
//!
//! The files live outside the repository, in
//! `../shared/peer/buildkit-parser/testfiles` next to the crate (override
//! with `DFSPLIT_BUILDKIT_TESTFILES`). Each `*/result` file lists
//! instructions as `(run "...")` with Go-quoted strings; a `run` with exactly
//! one string is the logical text of a shell-form `RUN`.

use super::super::*;
use super::{check_commands, check_script};
use std::path::PathBuf;

fn testfiles_dir() -> PathBuf {
    match std::env::var_os("DFSPLIT_BUILDKIT_TESTFILES") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/peer/buildkit-parser/testfiles"),
    }
}

/// Reads one Go double-quoted string at the start of `s` (which must begin
/// with `"`); returns the unquoted value and the rest of `s`.
fn go_unquote(s: &str) -> Option<(String, &str)> {
    let mut chars = s.strip_prefix('"')?.char_indices();
    let body = &s[1..];
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &body[i + 1..])),
            '\\' => {
                let (_, e) = chars.next()?;
                let hex = |chars: &mut std::str::CharIndices, n: usize| {
                    let digits: String = chars.by_ref().take(n).map(|(_, c)| c).collect();
                    u32::from_str_radix(&digits, 16)
                        .ok()
                        .and_then(char::from_u32)
                };
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'v' => out.push('\u{b}'),
                    '\\' | '"' | '\'' => out.push(e),
                    'x' => out.push(hex(&mut chars, 2)?),
                    'u' => out.push(hex(&mut chars, 4)?),
                    'U' => out.push(hex(&mut chars, 8)?),
                    '0'..='7' => {
                        let rest: String = chars.by_ref().take(2).map(|(_, c)| c).collect();
                        let code = u32::from_str_radix(&format!("{e}{rest}"), 8).ok()?;
                        out.push(char::from_u32(code)?);
                    }
                    _ => return None,
                }
            }
            _ => out.push(c),
        }
    }
    None
}

/// The shell-form RUN texts in one `result` file.
fn shell_runs(result: &str) -> Vec<String> {
    let mut runs = Vec::new();
    for line in result.lines() {
        let Some(pos) = line.find("(run \"") else {
            continue;
        };
        let mut rest = &line[pos + 5..];
        let mut strings = Vec::new();
        while let Some((s, tail)) = go_unquote(rest) {
            strings.push(s);
            rest = tail.trim_start();
        }
        assert!(rest.starts_with(')'), "could not read {line:?}");
        if strings.len() == 1 {
            runs.extend(strings);
        }
    }
    runs
}

#[test]
fn go_unquote_reads_buildkit_strings() {
    assert_eq!(
        go_unquote(r#""a \"b\" \\ \tc" "next""#),
        Some(("a \"b\" \\ \tc".to_string(), r#" "next""#))
    );
    assert_eq!(go_unquote(r#""\u00e9\x41""#), Some(("éA".to_string(), "")));
    assert_eq!(go_unquote(r#""open"#), None);
    assert_eq!(
        shell_runs("(run \"a && b\")\n(run \"ls\" \"-la\")\n(onbuild (run \"echo x\"))\n"),
        ["a && b", "echo x"]
    );
}

#[test]
fn buildkit_run_lines() {
    let dir = testfiles_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "skipping buildkit_run_lines: {} not found (set DFSPLIT_BUILDKIT_TESTFILES)",
            dir.display()
        );
        return;
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("result"))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();

    let mut lines = 0;
    let mut clean = 0;
    for path in &paths {
        let Ok(result) = std::fs::read_to_string(path) else {
            continue;
        };
        for src in shell_runs(&result) {
            let script = parse(&src);
            check_script(&src, &script);
            check_commands(&src, &script);
            if script.errors.is_empty() {
                clean += 1;
                for c in script.simple_commands() {
                    let text = &src[c.span.clone()];
                    let first = c
                        .assignments
                        .first()
                        .map(|a| a.span.clone())
                        .into_iter()
                        .chain(c.words.first().map(|w| w.span.clone()))
                        .chain(c.redirects.first().map(|r| r.span.clone()))
                        .min_by_key(|s| s.start)
                        .expect("a simple command has at least one part");
                    assert!(
                        text.starts_with(&src[first]),
                        "{text:?} does not start with its first part in {src:?}"
                    );
                }
                assert!(
                    script.simple_commands().count() > 0,
                    "no command found in {src:?}"
                );
            } else {
                eprintln!("syntax errors {:?} in {src:?}", script.errors);
            }
            lines += 1;
        }
    }
    eprintln!(
        "parsed {lines} RUN lines from {} files, {clean} without errors",
        paths.len()
    );
    assert!(
        lines > 0,
        "no shell-form RUN line found under {}",
        dir.display()
    );
    // All of BuildKit's RUN lines are valid shell: allow no regressions.
    assert_eq!(clean, lines, "some RUN lines had syntax errors");
}
