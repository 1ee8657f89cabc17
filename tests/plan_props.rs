//! Properties of the planner over every Dockerfile we have (corpus cases,
//! e2e apps, BuildKit's parser test files when `../shared` is present) and
//! over mutated copies of them: it never panics, every input instruction gets
//! a decision, the output re-parses, and rewriting the output changes nothing.

use dfsplit::plan::{self, Options, Outcome};
use dfsplit::rules::Rules;
use dfsplit::syntax;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("corpus")];
    let peer = root.join("../shared/peer/buildkit-parser");
    if peer.is_dir() {
        dirs.push(peer);
    } else {
        eprintln!(
            "SKIP (partly): {} absent; BuildKit files not planned",
            peer.display()
        );
    }
    let mut out = Vec::new();
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p
                .file_name()
                .is_some_and(|n| n == "Dockerfile" || n == "expected.Dockerfile")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Checks the planner's promises on one text; returns a problem, if any.
fn check(rules: &Rules, text: &str) -> Result<(), String> {
    let df = syntax::parse(text);
    let Ok(outcome) = plan::plan(&df, None, rules, &Options::default()) else {
        return Ok(()); // invalid input is refused, not planned
    };
    let instructions = df.instructions().count();
    match outcome {
        Outcome::Unchanged { decisions, .. } => {
            if decisions.len() != instructions {
                return Err(format!(
                    "{} decisions for {instructions} instructions",
                    decisions.len()
                ));
            }
        }
        Outcome::Rewrite(r) => {
            if r.decisions.len() != instructions {
                return Err(format!(
                    "{} decisions for {instructions} instructions",
                    r.decisions.len()
                ));
            }
            let again = syntax::parse(&r.text);
            if again.has_errors() {
                return Err(format!("the rewrite does not parse:\n{}", r.text));
            }
            match plan::plan(&again, None, rules, &Options::default()) {
                Ok(Outcome::Unchanged { .. }) => {}
                Ok(Outcome::Rewrite(r2)) if r2.text == r.text => {}
                Ok(Outcome::Rewrite(_)) => {
                    return Err(format!("rewriting the rewrite changes it:\n{}", r.text));
                }
                Err(e) => return Err(format!("the rewrite is refused: {e}\n{}", r.text)),
            }
        }
    }
    Ok(())
}

#[test]
fn every_known_dockerfile_keeps_the_promises() {
    let rules = Rules::embedded().expect("embedded rules load");
    let files = files();
    assert!(files.len() >= 60, "found only {} files", files.len());
    let mut problems = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        if let Err(p) = check(&rules, &text) {
            problems.push(format!("{}: {p}", f.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_dockerfiles_keep_the_promises(pick in any::<usize>(), cut in any::<usize>(), line in any::<usize>()) {
        let rules = RULES.with(|r| r.clone());
        let files = FILES.with(|f| f.clone());
        let text = &files[pick % files.len()];
        // Drop one line, or duplicate one: structural mutations a user makes.
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let mut mutated = String::new();
        let n = lines.len().max(1);
        for (i, l) in lines.iter().enumerate() {
            if i == cut % n && line % 2 == 0 {
                continue;
            }
            mutated.push_str(l);
            if i == cut % n && line % 2 == 1 {
                mutated.push_str(l);
            }
        }
        prop_assert_eq!(check(&rules, &mutated), Ok(()));
    }
}

thread_local! {
    static RULES: Rules = Rules::embedded().expect("rules");
    static FILES: Vec<String> = files().iter().filter_map(|f| std::fs::read_to_string(f).ok()).collect();
}
