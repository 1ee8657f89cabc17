//! The build context dfsplit reads (`host::context`) against the one a real
//! BuildKit sends, for hand-picked `.dockerignore` files (the rules that
//! differ from `.gitignore`, and BuildKit's corners) and a fixed-seed batch
//! of generated ones: each context is built with `FROM scratch` + `COPY . /`
//! and exported with `--output type=local`, so no image or registry is
//! needed. The engine's generation is read from its version (Docker 20.10
//! has BuildKit 0.8, which reads some files differently): its answer must
//! equal `collect_as` for that generation, and `collect` must refuse
//! exactly the files where the two generations disagree.
//!
//! DFSPLIT_E2E=1 cargo test --test dockerignore_buildkit -- --nocapture
//!
//! Without `DFSPLIT_E2E=1` it prints a skip message and passes; with it and
//! `CI=1`, a missing engine fails. `DOCKER` names the client (default
//! `docker`).

mod common;

use common::{docker, engine_version};
use dfsplit::host::context::{self, Engine};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The tree every scenario starts from: names chosen so that the patterns
/// below hit at the root, deeper, and not at all.
const TREE: &[&str] = &[
    "README.md",
    "README-secret.md",
    "notes.md",
    "package.json",
    "main.go",
    "go.mod",
    "secret.txt",
    "tempa",
    "temp/x.txt",
    "a/x",
    "a/y",
    "a/b/c.txt",
    "a/b/keep.txt",
    "src/index.ts",
    "src/keep.txt",
    "src/deep/more.md",
    "src/deep/secret.txt",
    "docs/guide.md",
    "docs/api/ref.txt",
    "docs/keep.txt",
    "cmd/server/main.go",
    "build/out.bin",
    "lib/a.txt",
    "somedir/temporary.txt",
    "somedir/sub/temp.txt",
    "x.txt",
    "ax.txt",
    "b.txt",
    "barfoo",
    "foobar/f.txt",
    "a+b",
    "aab",
    "f(1).txt",
    "f1.txt",
    "node_modules/x/index.js",
    "pkg/node_modules/y/index.js",
];

/// The rules where `.dockerignore` is not `.gitignore`, and BuildKit's own
/// corners.
const CASES: &[&str] = &[
    "*.md",
    "**/*.md",
    "secret.txt",
    "*\n!src\n!package.json",
    "*\n!go.mod\n!cmd",
    "*.md\n!README*.md\nREADME-secret.md",
    "*.md\nREADME-secret.md\n!README*.md",
    "*/temp*\n*/*/temp*\ntemp?",
    "a\n!a/x\na",
    "a\n!a/b\na/b/c.txt",
    "docs/**\n!docs/**/*.txt",
    "docs\n!docs/keep.txt",
    "**/keep.txt",
    "*\n!**/keep.txt",
    "foo**",
    "**x.txt",
    "/build\n./lib/../lib",
    "node_modules",
    "**/node_modules",
    "[a-c].txt",
    "[^a-c].txt",
    "  secret.txt  \n#README.md\n # notes.md",
    "!src\n*",
    "src/\n!src/keep.txt",
    "**",
    "**\n!src/deep",
    "/!x\nsrc",
    // Regular-expression operators in Docker 20.10's reading only: refused.
    "a+b",
    "f(1).txt",
    // An exception reaching into a folder dfsplit does not walk: refused.
    "node_modules\n!node_modules/x",
];

/// Patterns the generated cases draw from.
const WORDS: &[&str] = &[
    "*",
    "*.md",
    "**/*.md",
    "**/*.txt",
    "src",
    "!src",
    "src/",
    "!src/keep.txt",
    "!src/deep",
    "docs/**",
    "!docs/**/*.txt",
    "!**/keep*",
    "a",
    "!a/x",
    "a/b",
    "!a/b/keep.txt",
    "**/secret*",
    "*/temp*",
    "temp?",
    "/build",
    "node_modules",
    "!node_modules",
    "[a-c]*.txt",
    "**/deep/**",
    "somedir/**/temp.txt",
    "!*.md",
    "foo**",
    "**x.txt",
    "cmd/*/main.go",
    "!cmd",
];

/// The engine's BuildKit generation, from its version.
fn engine() -> Result<(String, Engine), String> {
    let version = engine_version()?;
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| format!("cannot read the engine's version `{version}`"))?;
    // Docker 20.10 built BuildKit 0.8 in; 23.0 came with 0.11.
    let generation = if major < 23 {
        Engine::Docker20
    } else {
        Engine::Current
    };
    Ok((version, generation))
}

struct Scratch(PathBuf);
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn files_under(root: &Path, rel: &str, out: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let kind = e.file_type().unwrap();
        if kind.is_dir() {
            // dfsplit records these folders without walking them.
            if name == "node_modules" || name == ".git" {
                out.insert(format!("{path}/"));
            } else {
                files_under(root, &path, out);
            }
        } else if kind.is_file() {
            out.insert(path);
        }
    }
}

/// What BuildKit sent for `ignore` applied to TREE, and the context folder
/// and Dockerfile; `own` puts the patterns in `sub/Dockerfile.x.dockerignore`
/// instead, with a root `.dockerignore` that would keep everything.
fn built(work: &Path, n: usize, ignore: &str, own: bool) -> (BTreeSet<String>, PathBuf, PathBuf) {
    let ctx = work.join(format!("ctx{n}"));
    for f in TREE {
        let p = ctx.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, f).unwrap();
    }
    let dockerfile = if own {
        std::fs::write(ctx.join(".dockerignore"), "nothing-matches-this\n").unwrap();
        let sub = ctx.join("sub");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("Dockerfile.x.dockerignore"), ignore).unwrap();
        sub.join("Dockerfile.x")
    } else {
        std::fs::write(ctx.join(".dockerignore"), ignore).unwrap();
        work.join(format!("Dockerfile{n}"))
    };
    std::fs::write(&dockerfile, "FROM scratch\nCOPY . /\n").unwrap();
    let out = work.join(format!("out{n}"));
    let run = Command::new(docker())
        .arg("build")
        .arg("-q")
        .arg("-f")
        .arg(&dockerfile)
        .arg("--output")
        .arg(format!("type=local,dest={}", out.display()))
        .arg(&ctx)
        .env("DOCKER_BUILDKIT", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "docker build failed for {ignore:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut sent = BTreeSet::new();
    files_under(&out, "", &mut sent);
    (sent, ctx, dockerfile)
}

/// A small fixed-seed generator, so that CI runs the same cases every time
/// (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}

#[test]
fn the_context_dfsplit_reads_is_the_one_buildkit_sends() {
    if std::env::var("DFSPLIT_E2E").as_deref() != Ok("1") {
        eprintln!(
            "dockerignore_buildkit: skipped (set DFSPLIT_E2E=1 to compare with a real BuildKit; .ci/run does)"
        );
        return;
    }
    let (version, generation) = match engine() {
        Ok(e) => e,
        Err(why) => {
            assert!(
                std::env::var("CI").is_err(),
                "no Docker engine under CI: {why}"
            );
            eprintln!("dockerignore_buildkit: skipped, no Docker engine: {why}");
            return;
        }
    };
    let work =
        Scratch(std::env::temp_dir().join(format!("dfsplit-dockerignore-{}", std::process::id())));
    let mut rng = Rng(0x00df_5911_7a11_c0de);
    let mut cases: Vec<(String, bool)> = CASES.iter().map(|c| (c.to_string(), false)).collect();
    // The Dockerfile's own ignore file, beside it, wins over the root's.
    cases.push(("*\n!src".into(), true));
    for _ in 0..40 {
        let n = 1 + rng.next(5);
        let lines: Vec<&str> = (0..n).map(|_| WORDS[rng.next(WORDS.len())]).collect();
        cases.push((lines.join("\n"), false));
    }
    // The Dockerfile itself is not part of what is compared.
    let compared = |s: &BTreeSet<String>| -> BTreeSet<String> {
        s.iter()
            .filter(|f| !f.starts_with("sub/Dockerfile.x") || f.ends_with(".dockerignore"))
            .cloned()
            .collect()
    };
    let (mut wrong, mut checked, mut refused, mut unmodelled) = (Vec::new(), 0, 0, 0);
    for (n, (ignore, own)) in cases.iter().enumerate() {
        let (sent, ctx, dockerfile) = built(&work.0, n, ignore, *own);
        let sent = compared(&sent);
        let read = |engine| {
            context::collect_as(&ctx, Some(&dockerfile), engine)
                .unwrap_or_else(|e| panic!("{ignore:?}: {e}"))
        };
        let (this, other) = match generation {
            Engine::Current => (read(Engine::Current), read(Engine::Docker20)),
            Engine::Docker20 => (read(Engine::Docker20), read(Engine::Current)),
        };
        if this.unknown.is_none() {
            checked += 1;
        }
        if this.unknown.is_none() && sent != compared(&this.files) {
            let this = compared(&this.files);
            wrong.push(format!(
                "{ignore:?}{}: BuildKit sent but dfsplit missed {:?}; dfsplit read but BuildKit left out {:?}",
                if *own { " (own ignore file)" } else { "" },
                sent.difference(&this).collect::<Vec<_>>(),
                this.difference(&sent).collect::<Vec<_>>()
            ));
        }
        // `collect` answers only when both readings are known and agree.
        let c = context::collect(&ctx, Some(&dockerfile)).unwrap();
        let known = this.unknown.is_none() && other.unknown.is_none();
        if known && this.files == other.files {
            assert_eq!(c.unknown, None, "{ignore:?}");
            assert_eq!(compared(&c.files), compared(&this.files), "{ignore:?}");
        } else {
            assert!(
                c.unknown.is_some() && c.files.is_empty(),
                "{ignore:?}: the readings are unknown or disagree, yet collect gave {c:?}"
            );
            if known {
                refused += 1;
            } else {
                unmodelled += 1;
            }
        }
    }
    eprintln!(
        "dockerignore_buildkit: engine {version} ({generation:?}): {} contexts built, {checked} compared with \
         the engine's reading ({} differ); collect refused {refused} as read differently by the other \
         generation and {unmodelled} as not modelled",
        cases.len(),
        wrong.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
