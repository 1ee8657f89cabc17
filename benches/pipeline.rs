//! In-process benchmarks of the library pipeline (divan), over the rewrite
//! corpus: every `corpus/cases/*/Dockerfile` with its folder as the build
//! context, collected as `dfsplit rewrite` collects it (src/cli/context.rs:
//! `.dockerignore` honoured, `node_modules` and `.git` not walked).
//!
//! * `rules_embedded`: loading the embedded rules (done once per process).
//! * `corpus::*`: one pass over the whole corpus per iteration — `parse`
//!   (syntax), `model` (stages and scope), `plan` (classify, closure, base
//!   and render: rendering happens inside `plan::plan`, which is the public
//!   entry) and `parse_plan` (both, as `dfsplit rewrite` runs them).
//! * `throughput_10k`: parse + plan + render of 10,000 generated small
//!   Dockerfiles on one thread: each is a corpus case with a
//!   `LABEL bench.variant="N"` line appended, so every file differs; the
//!   items/s figure is files per second, the budget the later `--all` has.
//!
//! Options are the defaults (the flags some cases give in `case.toml` are not
//! applied). Run: `cargo bench --bench pipeline` (see BENCHMARKS.md).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use dfsplit::model::{Context, Model};
use dfsplit::plan::{self, Options, Outcome};
use dfsplit::rules::Rules;
use dfsplit::syntax;
use divan::counter::ItemsCount;
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

struct Case {
    source: String,
    ctx: Context,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The corpus cases, read once.
fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("corpus/cases"))
            .expect("corpus/cases")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("Dockerfile").is_file())
            .collect();
        dirs.sort();
        assert!(dirs.len() >= 30, "only {} corpus cases", dirs.len());
        dirs.iter()
            .map(|d| Case {
                source: std::fs::read_to_string(d.join("Dockerfile")).expect("Dockerfile"),
                ctx: collect(d),
            })
            .collect()
    })
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules::embedded().expect("embedded rules"))
}

/// The build context as `dfsplit rewrite` collects it.
fn collect(dir: &Path) -> Context {
    dfsplit::host::context::collect(dir, Some(&dir.join("Dockerfile"))).expect("context")
}

/// Parse and plan one file, as `dfsplit rewrite` does; the output text.
fn rewrite(source: &str, ctx: &Context, rules: &Rules) -> usize {
    let df = syntax::parse(source);
    match plan::plan(&df, Some(ctx), rules, &Options::default()) {
        Ok(Outcome::Rewrite(r)) => r.text.len(),
        Ok(Outcome::Unchanged { decisions, .. }) => decisions.len(),
        Err(_) => 0,
    }
}

#[divan::bench(sample_count = 20)]
fn rules_embedded() -> Rules {
    Rules::embedded().expect("embedded rules")
}

mod corpus {
    use super::*;

    #[divan::bench(sample_count = 30)]
    fn parse(b: Bencher) {
        let cases = cases();
        b.counter(ItemsCount::new(cases.len())).bench(|| {
            for c in cases {
                black_box(syntax::parse(black_box(&c.source)));
            }
        });
    }

    #[divan::bench(sample_count = 30)]
    fn model(b: Bencher) {
        let parsed: Vec<_> = cases().iter().map(|c| syntax::parse(&c.source)).collect();
        b.counter(ItemsCount::new(parsed.len())).bench(|| {
            for df in &parsed {
                let _ = black_box(Model::build(black_box(df)));
            }
        });
    }

    #[divan::bench(sample_count = 30)]
    fn plan(b: Bencher) {
        let cases = cases();
        let rules = rules();
        let parsed: Vec<_> = cases.iter().map(|c| syntax::parse(&c.source)).collect();
        b.counter(ItemsCount::new(parsed.len())).bench(|| {
            for (df, c) in parsed.iter().zip(cases) {
                let _ = black_box(plan::plan(
                    black_box(df),
                    Some(&c.ctx),
                    rules,
                    &Options::default(),
                ));
            }
        });
    }

    #[divan::bench(sample_count = 30)]
    fn parse_plan(b: Bencher) {
        let cases = cases();
        let rules = rules();
        b.counter(ItemsCount::new(cases.len())).bench(|| {
            for c in cases {
                black_box(rewrite(black_box(&c.source), &c.ctx, rules));
            }
        });
    }
}

/// 10,000 small files derived from the corpus, each one different.
fn generated(n: usize) -> Vec<(String, &'static Context)> {
    let cases = cases();
    (0..n)
        .map(|i| {
            let c = &cases[i % cases.len()];
            let eol = if c.source.contains("\r\n") {
                "\r\n"
            } else {
                "\n"
            };
            let mut text = c.source.clone();
            if !text.ends_with('\n') {
                text.push_str(eol);
            }
            text.push_str(&format!("LABEL bench.variant=\"{i}\"{eol}"));
            (text, &c.ctx)
        })
        .collect()
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn throughput_10k(b: Bencher) {
    let files = generated(10_000);
    let rules = rules();
    b.counter(ItemsCount::new(files.len())).bench(|| {
        let mut total = 0;
        for (text, ctx) in &files {
            total += rewrite(black_box(text), ctx, rules);
        }
        total
    });
}
