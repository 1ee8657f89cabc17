//! Whole-repository runs, shared by `rewrite --all` and the PR bot: finding
//! the Dockerfiles under a folder (honouring `.gitignore`), analysing each
//! with its own folder as build context and the `.dfsplit.yaml` that applies
//! to it, and replacing a file atomically.
//!
//! Invariants: a file is only ever replaced whole (written beside, synced,
//! renamed over, its mode kept), and never when its text would not change;
//! one file that cannot be read or planned is reported and the others go on.

use crate::analysis::{self, Analysis};
use crate::config::{Config, Settings, Verdict};
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
    /// Reading the tree failed.
    #[error("{}: {source}", dir.display())]
    Walk {
        /// The folder walked.
        dir: PathBuf,
        /// What failed.
        #[source]
        source: ignore::Error,
    },
}

/// The Dockerfiles under `dir`, in path order: hidden folders and what
/// `.gitignore` (and `.ignore`, git's exclude file) leaves out are skipped,
/// in a git repository or not.
pub fn find(dir: &Path) -> Result<Vec<PathBuf>, WalkError> {
    if !dir.is_dir() {
        return Err(WalkError::NotADirectory(dir.to_path_buf()));
    }
    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        let entry = entry.map_err(|source| WalkError::Walk {
            dir: dir.to_path_buf(),
            source,
        })?;
        if entry.file_type().is_some_and(|t| t.is_file())
            && is_dockerfile_name(&entry.file_name().to_string_lossy())
        {
            files.push(entry.into_path());
        }
    }
    files.sort();
    Ok(files)
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
