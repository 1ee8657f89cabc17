//! Property test: thousands of mutated Dockerfiles (BuildKit's test files when
//! `../shared` is present, and the project's own fixtures) never make the parser
//! panic, always round-trip byte for byte, and keep every span in bounds.

use dfsplit::syntax::{self, Body, Command, Instruction, Item};
use proptest::prelude::*;
use std::path::Path;

/// Pieces that stress the parser: escapes, line endings, quotes, heredocs, JSON.
const TOKENS: &[&str] = &[
    "\\",
    "\\\n",
    "`",
    "`\n",
    "\n",
    "\r\n",
    "\r",
    "#",
    "# escape=`\n",
    "# escape=\\\n",
    "<<EOF",
    "<<-EOF",
    "\nEOF\n",
    "EOF",
    "\"",
    "'",
    "[",
    "]",
    "[\"a\", \"b\"]",
    " ",
    "\t",
    "$",
    "${",
    "}",
    "${A:-b}",
    "=",
    "--",
    "--mount=type=cache,target=/x ",
    "RUN ",
    "ONBUILD ",
    "FROM ",
    "ENV ",
    "COPY ",
    "HEALTHCHECK ",
    "ARG ",
    "\u{feff}",
    "é",
    "☃",
    "\u{0}",
];

fn seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("tests/syntax"), root.join("corpus")];
    let peer = root.join("../shared/peer/buildkit-parser");
    if peer.is_dir() {
        for sub in ["testfiles", "testfiles-negative", "testfile-line"] {
            dirs.push(peer.join(sub));
        }
    } else {
        eprintln!(
            "SKIP (partly): {} absent; mutating own fixtures only",
            peer.display()
        );
    }
    let mut out = Vec::new();
    for dir in dirs {
        for entry in walk(&dir) {
            if let Ok(text) = std::fs::read_to_string(&entry) {
                out.push(text);
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no seed files found");
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().contains("Dockerfile"))
        {
            out.push(p);
        }
    }
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, usize),
    Delete(usize, usize),
    Replace(usize, usize),
}

fn apply(seed: &str, muts: &[Mutation]) -> String {
    let mut s = seed.to_string();
    for m in muts {
        let boundary = |s: &str, at: usize| {
            let mut at = if s.is_empty() { 0 } else { at % (s.len() + 1) };
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        match *m {
            Mutation::Insert(at, tok) => {
                let at = boundary(&s, at);
                s.insert_str(at, TOKENS[tok % TOKENS.len()]);
            }
            Mutation::Delete(at, len) => {
                let a = boundary(&s, at);
                let b = boundary(&s, a + len % 8);
                s.replace_range(a..b.max(a), "");
            }
            Mutation::Replace(at, tok) => {
                let a = boundary(&s, at);
                let b = boundary(&s, a + 1);
                s.replace_range(a..b.max(a), TOKENS[tok % TOKENS.len()]);
            }
        }
    }
    s
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Insert(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Delete(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Replace(a, b)),
    ]
}

fn check_span(src: &str, span: &std::ops::Range<usize>, what: &str) {
    assert!(
        span.start <= span.end && span.end <= src.len(),
        "{what} span {span:?} out of bounds ({})",
        src.len()
    );
    assert!(
        src.is_char_boundary(span.start) && src.is_char_boundary(span.end),
        "{what} span {span:?} not on char boundaries"
    );
}

fn check_instruction(src: &str, i: &Instruction) {
    check_span(src, &i.span, "instruction");
    check_span(src, &i.keyword_span, "keyword");
    for f in &i.flags {
        check_span(src, &f.span, "flag");
    }
    for v in &i.vars {
        check_span(src, &v.span, "var");
    }
    for h in &i.heredocs {
        check_span(src, &h.body_span, "heredoc body");
    }
    if let Some(Command::Exec(a)) = i.command() {
        a.iter().for_each(|a| check_span(src, &a.span, "exec arg"));
    }
    if let Some(Command::Shell(a)) = i.command() {
        check_span(src, &a.span, "shell arg");
    }
    if let Body::Onbuild { inner: Some(inner) } = &i.body {
        check_instruction(src, inner);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_files_round_trip_and_never_panic(
        pick in any::<usize>(),
        muts in proptest::collection::vec(mutation(), 1..6),
    ) {
        let seeds = SEEDS.with(|s| s.clone());
        let seed = &seeds[pick % seeds.len()];
        let input = apply(seed, &muts);
        let df = syntax::parse(&input);
        prop_assert_eq!(df.print(), input.clone());
        let mut at = 0;
        for item in &df.items {
            let span = item.span();
            prop_assert_eq!(span.start, at);
            check_span(&input, &span, "item");
            at = span.end;
            if let Item::Instruction(i) = item {
                check_instruction(&input, i);
            }
        }
        prop_assert_eq!(at, input.len());
        for d in &df.diagnostics {
            check_span(&input, &d.span, "diagnostic");
            prop_assert!(d.line >= 1 && d.column >= 1);
        }
        let _ = df.to_buildkit_dump();
        let _ = df.to_outline();
    }
}

thread_local! {
    static SEEDS: Vec<String> = seeds();
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..300), |bytes| {
            match syntax::parse_bytes(&bytes) {
                Ok(df) => {
                    let printed = df.print();
                    prop_assert_eq!(printed.as_bytes(), &bytes[..]);
                }
                Err(e) => prop_assert!(std::str::from_utf8(&bytes).is_err() && e.line >= 1),
            }
            Ok(())
        })
        .expect("no panic, exact round trip");
}
