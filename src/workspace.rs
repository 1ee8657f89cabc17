//! Whole-repository runs, shared by `rewrite --all` and the PR bot: finding
//! the Dockerfiles under a folder (honouring `.gitignore` as git does, see
//! [`crate::gitignore`]), analysing each with its own folder as build
//! context and the `.dfsplit.yaml` that applies to it, and replacing a file
//! atomically.
//!
//! Invariants: a file is only ever replaced whole (written beside, synced,
//! renamed over, its mode kept), and never when its text would not change;
//! one file that cannot be read or planned is reported and the others go on.

use crate::analysis::{self, Analysis};
use crate::config::{Config, Settings, Verdict};
use crate::gitignore::{Ignores, bytes};
use crate::host::context;
use crate::rules::Rules;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Whether a file name is a Dockerfile's: `Dockerfile`, `Containerfile`,
/// `*.Dockerfile`, `Dockerfile.*` (not `*.dockerignore`).
pub fn is_dockerfile_name(name: &str) -> bool {
    if name.ends_with(".dockerignore") {
        return false;
    }
    name == "Dockerfile"
        || name == "Containerfile"
        || (name.len() > ".Dockerfile".len() && name.ends_with(".Dockerfile"))
        || (name.len() > "Dockerfile.".len() && name.starts_with("Dockerfile."))
}

/// Why the walk failed.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// The folder does not exist or is not one.
    #[error("{}: not a directory", .0.display())]
    NotADirectory(PathBuf),
    /// A folder of the tree could not be read.
    #[error("{}: {source}", path.display())]
    Walk {
        /// The folder (or entry) that could not be read.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
}

/// The Dockerfiles under `dir`, in path order. Hidden files and folders
/// (names starting with `.`) are skipped, and so is what `.ignore`,
/// `.gitignore` and the repository's `info/exclude` leave out
/// ([`crate::gitignore`]: gitignore(5)'s rules, with `.gitignore` files from
/// the repository's root down, in a git repository or not; git's global
/// excludes file is not read). An ignored folder is not entered; symbolic
/// links are neither followed nor listed; `dir` itself is always walked.
pub fn find(dir: &Path) -> Result<Vec<PathBuf>, WalkError> {
    if !dir.is_dir() {
        return Err(WalkError::NotADirectory(dir.to_path_buf()));
    }
    let (mut ignores, mut rel) = Ignores::above(dir);
    let mut files = Vec::new();
    walk(dir, &mut rel, &mut ignores, &mut files)?;
    files.sort();
    Ok(files)
}

/// Adds the Dockerfiles in `folder` (at `rel` from the top of `ignores`)
/// and its folders to `files`.
fn walk(
    folder: &Path,
    rel: &mut Vec<u8>,
    ignores: &mut Ignores,
    files: &mut Vec<PathBuf>,
) -> Result<(), WalkError> {
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WalkError::Walk { path, source }
    };
    let mut entries = std::fs::read_dir(folder)
        .and_then(|d| d.collect::<Result<Vec<_>, _>>())
        .map_err(failed(folder))?;
    entries.sort_by_key(|e| e.file_name());
    ignores.enter(folder, rel);
    for entry in entries {
        let name = entry.file_name();
        let name_bytes = bytes(&name);
        if name_bytes.starts_with(b".") {
            continue;
        }
        let kind = entry.file_type().map_err(failed(&entry.path()))?;
        let len = rel.len();
        if !rel.is_empty() {
            rel.push(b'/');
        }
        rel.extend_from_slice(&name_bytes);
        if kind.is_dir() {
            if !ignores.is_ignored(rel, true) {
                walk(&entry.path(), rel, ignores, files)?;
            }
        } else if kind.is_file()
            && is_dockerfile_name(&name.to_string_lossy())
            && !ignores.is_ignored(rel, false)
        {
            files.push(entry.path());
        }
        rel.truncate(len);
    }
    ignores.leave();
    Ok(())
}

/// How a path is shown and put in diff headers: relative to the current
/// folder when under it, else as given without a leading `/` (so that
/// `git apply` and `patch -p1` read `a/<name>`).
pub fn display_name(path: &Path) -> String {
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            let abs = std::path::absolute(path).ok()?;
            abs.strip_prefix(&cwd).ok().map(Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf());
    let s = shown.to_string_lossy().replace('\\', "/");
    let s = s.trim_start_matches("./").trim_start_matches('/');
    if s.is_empty() { ".".into() } else { s.into() }
}

/// One Dockerfile of a run, analysed.
#[derive(Debug)]
pub struct Analysed {
    /// The file.
    pub path: PathBuf,
    /// Its name as shown ([`display_name`]).
    pub name: String,
    /// Its text (empty for a file over the size limit, which is not read:
    /// its analysis has the `core/input-too-large` error).
    pub text: String,
    /// What dfsplit makes of it.
    pub analysis: Analysis,
    /// The `.dfsplit.yaml` that applied, if any.
    pub config: Option<PathBuf>,
}

/// What a run did with one file.
#[derive(Debug)]
pub enum FileResult {
    /// Read and analysed (the analysis may still hold errors: see
    /// [`Analysis::has_errors`]).
    Analysed(Box<Analysed>),
    /// Left alone by the configuration (`skip:`).
    Skipped {
        /// The file's name as shown.
        name: String,
        /// Why.
        reason: String,
    },
    /// Could not be read or planned; the message says why and where.
    Failed {
        /// The file's name as shown.
        name: String,
        /// `NAME: …` or `FILE:LINE:COL: …`.
        message: String,
    },
}

/// Plans many files, loading each rules overlay and each configuration once.
pub struct Planner {
    /// What the command line asked for: wins over the configuration.
    pub cli: Settings,
    /// `--rules DIR` from the command line: wins over the configuration's.
    pub cli_rules: Option<PathBuf>,
    /// Whether `.dfsplit.yaml` files are read.
    pub use_config: bool,
    rules: HashMap<Option<PathBuf>, Rules>,
    configs: HashMap<PathBuf, Option<PathBuf>>,
    loaded: HashMap<PathBuf, Config>,
}

impl Planner {
    /// A planner with the command line's settings.
    pub fn new(cli: Settings, cli_rules: Option<PathBuf>, use_config: bool) -> Planner {
        Planner {
            cli,
            cli_rules,
            use_config,
            rules: HashMap::new(),
            configs: HashMap::new(),
            loaded: HashMap::new(),
        }
    }

    /// The configuration that applies to files in `dir`.
    pub fn config_for(&mut self, dir: &Path) -> Result<Option<&Config>, String> {
        if !self.use_config {
            return Ok(None);
        }
        let file = match self.configs.get(dir) {
            Some(f) => f.clone(),
            None => {
                let f = crate::config::find_file(dir);
                self.configs.insert(dir.to_path_buf(), f.clone());
                f
            }
        };
        let Some(file) = file else {
            return Ok(None);
        };
        if !self.loaded.contains_key(&file) {
            let c = Config::load(&file).map_err(|e| e.to_string())?;
            self.loaded.insert(file.clone(), c);
        }
        Ok(self.loaded.get(&file))
    }

    fn rules(&mut self, dir: Option<PathBuf>) -> Result<&Rules, String> {
        if !self.rules.contains_key(&dir) {
            let r = Rules::load(dir.as_deref()).map_err(|e| e.to_string())?;
            self.rules.insert(dir.clone(), r);
        }
        Ok(&self.rules[&dir])
    }

    /// Reads, configures and analyses the Dockerfile at `path`, its folder
    /// being the build context.
    pub fn analyze(&mut self, path: &Path) -> FileResult {
        let name = display_name(path);
        let failed = |message: String| FileResult::Failed {
            name: name.clone(),
            message,
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let cli = self.cli.clone();
        let (settings, config_rules, config) = match self.config_for(&dir) {
            Err(e) => return failed(e),
            Ok(None) => (cli, None, None),
            Ok(Some(c)) => match c.verdict(path) {
                Verdict::Skip(reason) => return FileResult::Skipped { name, reason },
                Verdict::Plan(s) => (s.under(&cli), c.rules.clone(), Some(c.path.clone())),
            },
        };
        let input = match crate::host::input::read_file(path) {
            Ok(i) => i,
            Err(e) => return failed(format!("{name}: cannot read: {e}")),
        };
        let df = match input.parse() {
            Ok(df) => df,
            Err(e) => return failed(format!("{name}:{}:{}: error: {e}", e.line, e.column)),
        };
        let ctx = match context::collect(&dir, Some(path)) {
            Ok(c) => c,
            Err(e) => return failed(format!("{name}: {e}")),
        };
        let rules_dir = self.cli_rules.clone().or(config_rules);
        let opts = settings.options();
        let rules = match self.rules(rules_dir) {
            Ok(r) => r,
            Err(e) => return failed(e),
        };
        let analysis = analysis::analyze_parsed(&df, Some(&ctx), rules, &opts);
        FileResult::Analysed(Box::new(Analysed {
            path: path.to_path_buf(),
            name,
            text: df.source.clone(),
            analysis,
            config,
        }))
    }
}

/// Replaces the file at `path` with `contents`, atomically: written to a
/// temporary file beside it, synced, given the old file's permissions and
/// renamed over it (then the folder is synced). Readers see the old file or
/// the new one, never a part; on any error the old file is untouched and
/// the temporary one removed.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a file path"))?
        .to_string_lossy();
    let perms = std::fs::metadata(path)?.permissions();
    let tmp = dir.join(format!(".{name}.dfsplit-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(contents)?;
        f.set_permissions(perms)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        // The rename itself is durable once the folder is synced (POSIX);
        // where a folder cannot be opened this is skipped.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder with `files` (path, text) written in it.
    fn tree(tag: &str, files: &[(&str, &str)]) -> PathBuf {
        let root = std::env::temp_dir().join(format!("dfsplit-walk-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let f = root.join(path);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, text).unwrap();
        }
        root
    }

    /// `find(dir)`, relative to `dir`, with `/`.
    fn found(dir: &Path) -> Vec<String> {
        find(dir)
            .unwrap()
            .iter()
            .map(|p| {
                p.strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn find_skips_hidden_entries_and_lists_in_path_order() {
        let root = tree(
            "hidden",
            &[
                ("b/Dockerfile", ""),
                ("a.Dockerfile", ""),
                ("a/Dockerfile", ""),
                ("Dockerfile", ""),
                (".ci/Dockerfile", ""),
                ("a/.Dockerfile.x", ""),
                ("README", ""),
            ],
        );
        assert_eq!(
            found(&root),
            ["Dockerfile", "a/Dockerfile", "a.Dockerfile", "b/Dockerfile"]
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn find_deeper_gitignore_wins_and_ignore_beats_gitignore_beats_exclude() {
        let root = tree(
            "precedence",
            &[
                (".git/info/exclude", "x.Dockerfile\ny.Dockerfile\n"),
                (".gitignore", "Dockerfile.*\n!y.Dockerfile\n"),
                ("a/.gitignore", "!Dockerfile.dev\n"),
                ("a/Dockerfile.dev", ""),
                ("Dockerfile.dev", ""),
                ("x.Dockerfile", ""),
                ("y.Dockerfile", ""),
                ("b/.ignore", "!x.Dockerfile\n"),
                ("b/.gitignore", "Dockerfile\n"),
                ("b/x.Dockerfile", ""),
                ("b/Dockerfile", ""),
                ("c/.ignore", "Dockerfile\n"),
                ("c/.gitignore", "!Dockerfile\n"),
                ("c/Dockerfile", ""),
            ],
        );
        // a: deeper `!` re-includes; root: `.gitignore`'s `!y` beats
        // exclude's `y`, exclude's `x` applies; b: `.ignore`'s `!x` beats
        // exclude; c: `.ignore` beats `.gitignore`.
        assert_eq!(
            found(&root),
            ["a/Dockerfile.dev", "b/x.Dockerfile", "y.Dockerfile"]
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn find_survives_a_gitignore_line_of_thousands_of_double_stars() {
        // Before, the matcher recursed once per `**/` and overflowed the
        // stack: `find` aborted the process.
        let line = format!("/{}Dockerfile\n", "**/".repeat(21_000));
        let root = tree(
            "deep-stars",
            &[
                (".gitignore", line.as_str()),
                ("a/b/Dockerfile", ""),
                ("Dockerfile", ""),
                ("x.Dockerfile", ""),
            ],
        );
        assert_eq!(found(&root), ["x.Dockerfile"]);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[cfg(unix)]
    #[test]
    fn find_does_not_follow_a_symlinked_ignore_file() {
        // git refuses a `.gitignore` that is a symbolic link; `.ignore` is
        // read the same way.
        let root = tree(
            "symlinked-ignore",
            &[
                ("rules", "Dockerfile\n"),
                ("a/Dockerfile", ""),
                ("b/Dockerfile", ""),
                ("c/Dockerfile", ""),
                ("c/.gitignore", "Dockerfile\n"),
            ],
        );
        std::os::unix::fs::symlink("../rules", root.join("a/.gitignore")).unwrap();
        std::os::unix::fs::symlink("../rules", root.join("b/.ignore")).unwrap();
        assert_eq!(found(&root), ["a/Dockerfile", "b/Dockerfile"]);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn find_cannot_re_include_under_an_excluded_folder() {
        let root = tree(
            "parent",
            &[
                (".git/HEAD", ""),
                (".gitignore", "build/\n!build/Dockerfile\n"),
                ("build/Dockerfile", ""),
                ("build/.gitignore", "!Dockerfile\n"),
                ("Dockerfile", ""),
            ],
        );
        assert_eq!(found(&root), ["Dockerfile"]);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn find_reads_parent_gitignores_up_to_the_repository_root_only() {
        let root = tree(
            "parents",
            &[
                (".gitignore", "Dockerfile.a\n"),
                ("repo/.git/info/exclude", "Dockerfile.b\n"),
                ("repo/.gitignore", "/svc/Dockerfile.c\nsvc/x/\n"),
                ("repo/svc/Dockerfile.a", ""),
                ("repo/svc/Dockerfile.b", ""),
                ("repo/svc/Dockerfile.c", ""),
                ("repo/svc/Dockerfile.d", ""),
                ("repo/svc/x/Dockerfile", ""),
                ("out/.gitignore", "Dockerfile.d\n"),
                ("out/in/Dockerfile.a", ""),
                ("out/in/Dockerfile.d", ""),
            ],
        );
        // Above the repository's root nothing applies; the root's
        // `.gitignore` and exclude apply to a folder walked below it.
        assert_eq!(
            found(&root.join("repo/svc")),
            ["Dockerfile.a", "Dockerfile.d"]
        );
        // The folder walked is walked even when ignored itself.
        assert_eq!(found(&root.join("repo/svc/x")), ["Dockerfile"]);
        // Outside a repository, nothing above the folder walked.
        assert_eq!(
            found(&root.join("out/in")),
            ["Dockerfile.a", "Dockerfile.d"]
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn find_nested_repository_has_its_own_gitignores_and_exclude() {
        let root = tree(
            "nested",
            &[
                (".git/info/exclude", "Dockerfile.x\n"),
                (".gitignore", "Dockerfile.dev\n"),
                (".ignore", "Dockerfile.tmp\n"),
                ("Dockerfile.dev", ""),
                ("sub/.git/info/exclude", "Dockerfile.y\n"),
                ("sub/Dockerfile.dev", ""),
                ("sub/Dockerfile.tmp", ""),
                ("sub/Dockerfile.x", ""),
                ("sub/Dockerfile.y", ""),
            ],
        );
        // The outer `.ignore` still applies (it is no git file).
        assert_eq!(found(&root), ["sub/Dockerfile.dev", "sub/Dockerfile.x"]);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn find_reads_a_linked_worktrees_exclude_from_the_common_git_folder() {
        let root = tree(
            "worktree",
            &[
                ("main/.git/info/exclude", "Dockerfile.local\n"),
                ("main/.git/worktrees/wt/commondir", "../..\n"),
                ("wt/Dockerfile.local", ""),
                ("wt/Dockerfile", ""),
            ],
        );
        let gitdir = root.join("main/.git/worktrees/wt");
        std::fs::write(
            root.join("wt/.git"),
            format!("gitdir: {}\n", gitdir.display()),
        )
        .unwrap();
        assert_eq!(found(&root.join("wt")), ["Dockerfile"]);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn find_outside_a_repository_still_honours_gitignore() {
        let root = tree(
            "norepo",
            &[
                (".gitignore", "legacy/\n"),
                ("legacy/Dockerfile", ""),
                ("Dockerfile", ""),
            ],
        );
        assert_eq!(found(&root), ["Dockerfile"]);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn dockerfile_names() {
        for n in [
            "Dockerfile",
            "Containerfile",
            "api.Dockerfile",
            "Dockerfile.prod",
        ] {
            assert!(is_dockerfile_name(n), "{n}");
        }
        for n in [
            "Dockerfile.dockerignore",
            "dockerfile.md",
            ".Dockerfile",
            "Dockerfile.",
            "README",
            "Dockerfiles",
        ] {
            assert!(!is_dockerfile_name(n), "{n}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn write_atomic_keeps_the_mode_and_leaves_nothing_beside() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("dfsplit-atomic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("Dockerfile");
        std::fs::write(&f, "FROM a\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&f, b"FROM b\n").unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "FROM b\n");
        assert_eq!(
            std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o640
        );
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["Dockerfile"]);
        // A file that cannot be written stays as it was (no file at all here).
        assert!(write_atomic(&dir.join("missing"), b"x").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
