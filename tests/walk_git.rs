//! `workspace::find` (`rewrite --all`, the PR bot) against git itself: the
//! Dockerfiles it finds must be those among `git ls-files --cached --others
//! --exclude-standard` that are not hidden (hidden paths are skipped by
//! design). Trees have Dockerfiles at several depths, hidden folders and odd
//! names; `.gitignore` files at several depths and `.git/info/exclude` hold
//! patterns drawn from a vocabulary of gitignore(5)'s tricky rules
//! (anchoring, `**`, negation under an excluded folder, trailing `/`,
//! escapes, trailing spaces). git's global and system configuration are kept
//! out (`HOME`, `XDG_CONFIG_HOME`, `GIT_CONFIG_GLOBAL`, `GIT_CONFIG_NOSYSTEM`).
//! Skipped, saying so, when `git` is not installed.

use dfsplit::workspace::{find, is_dockerfile_name};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Folders of every tree (`""` is the top).
const DIRS: &[&str] = &[
    "",
    "a",
    "a/b",
    "a/b/c",
    "a/build",
    "a/Dockerfile.d",
    "b",
    "build",
    "build/a",
    "x y",
    ".hidden",
    "a/.cache",
];

/// Files in each folder.
const NAMES: &[&str] = &[
    "Dockerfile",
    "Dockerfile.dev",
    "x.Dockerfile",
    "ab.Dockerfile",
    "Containerfile",
    "#x.Dockerfile",
    "!x.Dockerfile",
    "Dockerfile.sp ",
    "Dockerfile.[x]",
    "Dockerfile.[x",
    "README",
];

/// Where ignore files may be (besides `.git/info/exclude`).
const IGNORE_DIRS: &[&str] = &["", "a", "a/b", "b", "build"];

/// Path components patterns are made of.
const SEGMENTS: &[&str] = &[
    "a",
    "b",
    "c",
    "build",
    "**",
    "*",
    "?",
    "Dockerfile",
    "Dockerfile.*",
    "*.Dockerfile",
    "Dockerfile.dev",
    "Docker*",
    "Dockerfile.d",
    "[ab]",
    "[!a]*",
    "[^b]",
    "[a-c]",
    "b**",
    "**b",
    "a**",
    "x.Dockerfile",
    "\\#x.Dockerfile",
    "\\!x.Dockerfile",
    "Dockerfile.sp\\ ",
    "Dockerfile.\\[x]",
    "Dockerfile.[[]x]",
    "Dockerfile.[x",
    "[[:alpha:]]*",
    "x y",
];

/// Whole lines that are worth having as they are.
const LINES: &[&str] = &[
    "",
    "# Dockerfile",
    "#x.Dockerfile",
    "*",
    "!*/",
    "!Dockerfile",
    "!**/Dockerfile",
    "**/build/**",
    "a/**/Dockerfile",
    "!a/**",
    "Dockerfile.sp ",
    "Dockerfile.dev   ",
    "!",
    "/",
    "a/[b",
    "\\",
];

fn line() -> impl Strategy<Value = String> {
    let composed = (
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.3),
        prop::collection::vec(prop::sample::select(SEGMENTS), 1..=3),
        prop::sample::select(&["", "", "/", "  "][..]),
    )
        .prop_map(|(neg, anchor, segs, end)| {
            format!(
                "{}{}{}{end}",
                if neg { "!" } else { "" },
                if anchor { "/" } else { "" },
                segs.join("/")
            )
        });
    prop_oneof![3 => composed, 1 => prop::sample::select(LINES).prop_map(String::from)]
}

fn file() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(line(), 0..=4)
}

fn git_missing() -> bool {
    Command::new("git").arg("--version").output().is_err()
}

/// A git command in `root`, away from the user's and the system's settings.
fn git(root: &Path, args: &[&str]) -> Vec<u8> {
    let home = root.join(".git").join("fake-home");
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", &home)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A repository with every folder and file of [`DIRS`] × [`NAMES`].
fn repo(tag: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("dfsplit-walk-git-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    git(&root, &["init", "-q"]);
    for d in DIRS {
        std::fs::create_dir_all(root.join(d)).unwrap();
        for n in NAMES {
            std::fs::write(root.join(d).join(n), "FROM scratch\n").unwrap();
        }
    }
    root
}

/// The ignore files of one case: one per [`IGNORE_DIRS`], then exclude.
fn write_ignores(root: &Path, files: &[Vec<String>], exclude: &[String]) {
    for (d, lines) in IGNORE_DIRS.iter().zip(files) {
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(root.join(d).join(".gitignore"), text).unwrap();
    }
    let mut text = exclude.join("\n");
    text.push('\n');
    std::fs::create_dir_all(root.join(".git/info")).unwrap();
    std::fs::write(root.join(".git/info/exclude"), text).unwrap();
}

/// What git lists that `find` should: Dockerfiles, nothing hidden.
fn git_dockerfiles(root: &Path) -> Vec<String> {
    let out = git(
        root,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    let mut files: Vec<String> = out
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8(p.to_vec()).unwrap())
        .filter(|p| {
            !p.split('/').any(|c| c.starts_with('.'))
                && is_dockerfile_name(p.rsplit('/').next().unwrap_or(p))
        })
        .collect();
    files.sort_by(|a, b| Path::new(a).cmp(Path::new(b)));
    files
}

/// `find(dir)` relative to `dir`.
fn found(dir: &Path) -> Vec<String> {
    find(dir)
        .unwrap()
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Compares `find` with git for one set of ignore files; with `sub`, also
/// `find` of the folder `a` (re-included at the end of the top
/// `.gitignore`, so that git lists it) with git's list under `a/`.
fn compare(
    root: &Path,
    files: &[Vec<String>],
    exclude: &[String],
    sub: bool,
) -> Result<(), String> {
    let mut files = files.to_vec();
    if sub {
        files[0].push("!/a/".into());
    }
    write_ignores(root, &files, exclude);
    let want = git_dockerfiles(root);
    let got = found(root);
    let shown = || format!("ignore files {files:?}, exclude {exclude:?}");
    if got != want {
        return Err(format!("{}\n  git:  {want:?}\n  find: {got:?}", shown()));
    }
    if sub {
        let want: Vec<String> = want
            .iter()
            .filter_map(|p| p.strip_prefix("a/").map(String::from))
            .collect();
        let got = found(&root.join("a"));
        if got != want {
            return Err(format!(
                "walking a/: {}\n  git:  {want:?}\n  find: {got:?}",
                shown()
            ));
        }
    }
    Ok(())
}

fn lines(ls: &[&str]) -> Vec<String> {
    ls.iter().map(|s| s.to_string()).collect()
}

/// Cases written by hand for the rules most easily got wrong.
#[test]
fn find_agrees_with_git_on_the_tricky_rules() {
    if git_missing() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let root = repo("fixed");
    let none = Vec::<String>::new();
    let cases: Vec<(Vec<Vec<String>>, Vec<String>)> = vec![
        // Negation cannot re-include under an excluded folder.
        (
            vec![
                lines(&["build/", "!build/Dockerfile"]),
                none.clone(),
                none.clone(),
                none.clone(),
                lines(&["!Dockerfile"]),
            ],
            none.clone(),
        ),
        // ... but can under a folder whose contents alone are excluded.
        (
            vec![
                lines(&["build/*", "!build/Dockerfile"]),
                none.clone(),
                none.clone(),
                none.clone(),
                none.clone(),
            ],
            none.clone(),
        ),
        // Anchored, middle slash, any depth.
        (
            vec![
                lines(&["/Dockerfile", "a/x.Dockerfile", "Dockerfile.dev"]),
                none.clone(),
                none.clone(),
                none.clone(),
                none.clone(),
            ],
            none.clone(),
        ),
        // `**` in its three places and elsewhere; git's literal-prefix cut.
        (
            vec![
                lines(&["**/b/Dockerfile", "a/**/Dockerfile.dev", "build/**", "a**"]),
                none.clone(),
                none.clone(),
                none.clone(),
                none.clone(),
            ],
            none.clone(),
        ),
        (
            vec![
                lines(&["Dockerfile", "!a/b**"]),
                none.clone(),
                none.clone(),
                none.clone(),
                none.clone(),
            ],
            none.clone(),
        ),
        // Trailing `/` only folders; escapes; trailing spaces.
        (
            vec![
                lines(&[
                    "Dockerfile.*/",
                    "\\#x.Dockerfile",
                    "\\!x.Dockerfile",
                    "Dockerfile.sp\\ ",
                    "x.Dockerfile   ",
                ]),
                none.clone(),
                none.clone(),
                none.clone(),
                none.clone(),
            ],
            none.clone(),
        ),
        // Deeper over shallower; `.gitignore` over exclude.
        (
            vec![
                lines(&["*.Dockerfile"]),
                lines(&["!x.Dockerfile"]),
                lines(&["x.Dockerfile"]),
                none.clone(),
                none.clone(),
            ],
            lines(&["!ab.Dockerfile", "Containerfile"]),
        ),
    ];
    for (files, exclude) in &cases {
        for sub in [false, true] {
            if let Err(e) = compare(&root, files, exclude, sub) {
                panic!("{e}");
            }
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn find_agrees_with_git_on_generated_ignore_files() {
    if git_missing() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let root = repo("prop");
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strategy = (
        prop::collection::vec(file(), IGNORE_DIRS.len()),
        file(),
        any::<bool>(),
    );
    let result = runner.run(&strategy, |(files, exclude, sub)| {
        compare(&root, &files, &exclude, sub).map_err(TestCaseError::fail)
    });
    let _ = std::fs::remove_dir_all(&root);
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Ignore files git reads in its own way: a `.gitignore` that is a
/// symbolic link is refused (git warns and goes on), and a line is cut at
/// its first NUL byte.
#[test]
fn find_agrees_with_git_on_symlinked_ignore_files_and_nul_bytes() {
    if git_missing() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let root = repo("odd-files");
    let none = vec![Vec::<String>::new(); IGNORE_DIRS.len()];
    write_ignores(&root, &none, &[]);
    // `a/.gitignore` links to a file that would ignore every Dockerfile.
    std::fs::write(root.join("rules"), "Dockerfile\n*.Dockerfile\n").unwrap();
    std::fs::remove_file(root.join("a/.gitignore")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("../rules", root.join("a/.gitignore")).unwrap();
    // `b/.gitignore`: the pattern is `Dockerfile`, what follows the NUL is
    // not part of it; `x.Dockerfile\0` is `x.Dockerfile`.
    std::fs::write(
        root.join("b/.gitignore"),
        b"Dockerfile\0.dev\nx.Dockerfile\0\n\0ab.Dockerfile\n",
    )
    .unwrap();
    let want = git_dockerfiles(&root);
    let got = found(&root);
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(got, want);
}
