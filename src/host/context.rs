//! Collecting the build context from disk: the files `docker build` would
//! send (after `.dockerignore`) and the text of the manifests the analysis reads.

use super::dockerignore::{self, BadPattern, DockerIgnore, Hits};
use crate::model::{Context, context::is_manifest};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Files larger than this are listed but not read.
const MAX_READ: u64 = 256 * 1024;
/// Stop reading contents after this many bytes in total.
const MAX_TOTAL: usize = 16 * 1024 * 1024;

/// Why a build context could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// The path is not a folder.
    #[error("{}: the build context is not a directory", .0.display())]
    NotADirectory(PathBuf),
    /// Walking the folder failed.
    #[error("{}: cannot read the build context", .dir.display())]
    Walk {
        /// The folder that could not be read.
        dir: PathBuf,
        /// What the system reported.
        #[source]
        source: std::io::Error,
    },
    /// The ignore file has a line BuildKit rejects, or one whose meaning
    /// dfsplit cannot model: planning on a guessed context could break the
    /// app, so nothing is planned.
    #[error("{}: {bad}", .file.display())]
    Ignore {
        /// The ignore file.
        file: PathBuf,
        /// The line and why.
        bad: BadPattern,
    },
}

/// A folder still to read, and how each BuildKit generation sees it.
struct Folder {
    /// Its path relative to the context.
    rel: String,
    /// What its own check passes to its entries (current BuildKit).
    hits: Hits,
    /// Whether current BuildKit walks it.
    walked: bool,
    /// Whether Docker 20.10's BuildKit walks it.
    legacy_walked: bool,
    /// Whether an unreadable folder here is passed over: current BuildKit
    /// leaves it out and Docker 20.10's does not walk it (when it does, an
    /// unreadable folder fails its build).
    pass_unreadable: bool,
}

/// The ignore file BuildKit applies to a build of `dockerfile` with
/// context `dir`: `<Dockerfile>.dockerignore` beside the Dockerfile when it
/// exists, else the context root's `.dockerignore` (or none).
pub fn ignore_file(dir: &Path, dockerfile: Option<&Path>) -> Option<PathBuf> {
    dockerfile
        .and_then(own_ignore_file)
        .or_else(|| Some(dir.join(".dockerignore")).filter(|p| p.is_file()))
}

/// The Dockerfile's own ignore file, `<Dockerfile>.dockerignore` beside it,
/// when it exists.
pub fn own_ignore_file(dockerfile: &Path) -> Option<PathBuf> {
    let mut name = dockerfile.file_name()?.to_os_string();
    name.push(".dockerignore");
    Some(dockerfile.with_file_name(name)).filter(|p| p.is_file())
}

/// The build context in `dir` for a build of `dockerfile` (which picks the
/// ignore file, see [`ignore_file`]): every file `docker build` would send
/// (after the ignore file, applied as BuildKit applies it; `node_modules/`
/// and `.git/` recorded as `DIR/` when sent, not walked — an exception that
/// may reach into one makes the context unknown) and the text of the
/// manifests the analysis reads.
///
/// An ignore file whose meaning cannot be known — a line BuildKit rejects or
/// dfsplit does not model, or one where Docker 20.10's BuildKit and later
/// ones send different files — gives an empty context whose `unknown` says
/// why: the plan leaves the Dockerfile unchanged with that reason.
pub fn collect(dir: &Path, dockerfile: Option<&Path>) -> Result<Context, ContextError> {
    let walk = match walk(dir, dockerfile) {
        Ok(walk) => walk,
        Err(e @ ContextError::Ignore { .. }) => return Ok(unknown(e.to_string())),
        Err(e) => return Err(e),
    };
    if let Some(why) = walk
        .current_unknown
        .as_ref()
        .or(walk.legacy_unknown.as_ref())
    {
        return Ok(unknown(why.clone()));
    }
    let disputed: Vec<&String> = walk.current.symmetric_difference(&walk.legacy).collect();
    if let (Some(file), false) = (&walk.file, disputed.is_empty()) {
        let mut paths: Vec<&str> = disputed.iter().take(3).map(|p| p.as_str()).collect();
        let more = format!("and {} more", disputed.len().saturating_sub(3));
        if disputed.len() > 3 {
            paths.push(&more);
        }
        return Ok(unknown(format!(
            "{}: Docker 20.10's BuildKit and later ones send different files with this ignore file ({}), so what the build sees depends on the engine",
            file.display(),
            paths.join(", ")
        )));
    }
    Ok(walk.context(Engine::Current))
}

fn unknown(why: String) -> Context {
    Context {
        unknown: Some(why),
        ..Context::default()
    }
}

/// Which BuildKit's reading of the ignore file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// BuildKit 0.10 and later (Docker 23 and later, buildx).
    Current,
    /// BuildKit 0.8, built into Docker 20.10 (Debian 12's `docker.io`).
    Docker20,
}

/// The build context one BuildKit generation would send, whether or not the
/// other agrees (for tests against a real engine, and tools).
pub fn collect_as(
    dir: &Path,
    dockerfile: Option<&Path>,
    engine: Engine,
) -> Result<Context, ContextError> {
    Ok(walk(dir, dockerfile)?.context(engine))
}

/// What one walk of the context found, for both generations.
struct Walked {
    file: Option<PathBuf>,
    current: BTreeSet<String>,
    legacy: BTreeSet<String>,
    contents: BTreeMap<String, String>,
    /// Why the current reading is not known (an exception may re-include
    /// files under `node_modules/` or `.git/`, which are not walked).
    current_unknown: Option<String>,
    /// Why Docker 20.10's reading is not known.
    legacy_unknown: Option<String>,
}

impl Walked {
    fn context(self, engine: Engine) -> Context {
        let (files, why) = match engine {
            Engine::Current => (self.current, self.current_unknown),
            Engine::Docker20 => (self.legacy, self.legacy_unknown),
        };
        if let Some(why) = why {
            return unknown(why);
        }
        let contents = self
            .contents
            .into_iter()
            .filter(|(p, _)| files.contains(p))
            .collect();
        Context {
            files,
            contents,
            unknown: None,
        }
    }
}

fn walk(dir: &Path, dockerfile: Option<&Path>) -> Result<Walked, ContextError> {
    if !dir.is_dir() {
        return Err(ContextError::NotADirectory(dir.to_path_buf()));
    }
    let file = ignore_file(dir, dockerfile);
    let ignore = match &file {
        Some(file) => {
            let text = std::fs::read(file).map_err(|source| ContextError::Walk {
                dir: file.clone(),
                source,
            })?;
            dockerignore::parse(&String::from_utf8_lossy(&text)).map_err(|bad| {
                ContextError::Ignore {
                    file: file.clone(),
                    bad,
                }
            })?
        }
        None => DockerIgnore::default(),
    };
    let mut current = BTreeSet::new();
    let mut legacy = BTreeSet::new();
    // How a reason names the ignore file (there is one whenever a reading
    // can be unknown: with no file there are no patterns).
    let shown = file
        .as_deref()
        .unwrap_or(Path::new(".dockerignore"))
        .display()
        .to_string();
    let mut current_unknown = None;
    let mut legacy_unknown = ignore
        .legacy_unmodelled()
        .map(|why| format!("{shown}: {why}"));
    let mut contents = BTreeMap::new();
    let mut total = 0usize;
    let mut stack = vec![Folder {
        rel: String::new(),
        hits: Hits::default(),
        walked: true,
        legacy_walked: true,
        pass_unreadable: false,
    }];
    while let Some(folder) = stack.pop() {
        let abs = dir.join(&folder.rel);
        let entries = match std::fs::read_dir(&abs) {
            Ok(entries) => entries,
            // BuildKit passes over an unreadable folder it leaves out.
            Err(e)
                if folder.pass_unreadable && e.kind() == std::io::ErrorKind::PermissionDenied =>
            {
                continue;
            }
            Err(source) => return Err(ContextError::Walk { dir: abs, source }),
        };
        let mut entries: Vec<(String, std::fs::FileType)> = entries
            .map(|e| {
                let e = e.map_err(|source| ContextError::Walk {
                    dir: abs.clone(),
                    source,
                })?;
                let kind = e.file_type().map_err(|source| ContextError::Walk {
                    dir: e.path(),
                    source,
                })?;
                Ok((e.file_name().to_string_lossy().into_owned(), kind))
            })
            .collect::<Result<_, ContextError>>()?;
        // Folders are pushed in reverse so that they are read in name order
        // (what the manifest reading limit sees first is then stable).
        entries.sort_by(|a, b| b.0.cmp(&a.0));
        for (name, kind) in entries {
            let rel = if folder.rel.is_empty() {
                name.clone()
            } else {
                format!("{}/{name}", folder.rel)
            };
            // What each generation does with the entry, if it walked here.
            let (out, hits) = if folder.walked {
                ignore.check(&rel, &folder.hits)
            } else {
                (true, Hits::default())
            };
            let legacy_out = !folder.legacy_walked || ignore.legacy_excluded(&rel);
            let (sent, legacy_sent) = if kind.is_dir() {
                let walks = folder.walked && (!out || ignore.walk_excluded(&rel));
                // Docker 20.10's BuildKit sends an excluded folder it walks.
                let legacy_walks =
                    folder.legacy_walked && (!legacy_out || ignore.legacy_walk_excluded(&rel));
                if name == ".git" || name == "node_modules" {
                    // Not walked (they can be huge), but whether the
                    // context has them matters: recorded as `DIR/`. An
                    // exception that may reach into one makes its files,
                    // which are not read, part of the context.
                    let why = || {
                        format!(
                            "{shown}: an exception may re-include files under {rel}/, which dfsplit does not read"
                        )
                    };
                    if walks && out && current_unknown.is_none() {
                        current_unknown = Some(why());
                    }
                    if legacy_walks && legacy_out && legacy_unknown.is_none() {
                        legacy_unknown = Some(why());
                    }
                    (!out, legacy_walks)
                } else {
                    if walks || legacy_walks {
                        stack.push(Folder {
                            rel,
                            hits,
                            walked: walks,
                            legacy_walked: legacy_walks,
                            pass_unreadable: out && !legacy_walks,
                        });
                    }
                    continue;
                }
            } else if kind.is_file() {
                (!out, !legacy_out)
            } else {
                continue;
            };
            if !sent && !legacy_sent {
                continue;
            }
            let entry = if kind.is_dir() {
                format!("{rel}/")
            } else {
                rel
            };
            if kind.is_file() && is_manifest(&entry) && total < MAX_TOTAL {
                let path = dir.join(&entry);
                let small = std::fs::metadata(&path).is_ok_and(|m| m.len() <= MAX_READ);
                if small && let Ok(text) = std::fs::read_to_string(&path) {
                    total += text.len();
                    contents.insert(entry.clone(), text);
                }
            }
            if sent {
                current.insert(entry.clone());
            }
            if legacy_sent {
                legacy.insert(entry);
            }
        }
    }
    Ok(Walked {
        file,
        current,
        legacy,
        contents,
        current_unknown,
        legacy_unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder under the temporary directory, removed when dropped.
    struct Dir(PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    #[test]
    fn honours_dockerignore_and_reads_only_manifests() {
        let dir =
            Dir(std::env::temp_dir().join(format!("dfsplit-context-test-{}", std::process::id())));
        write(
            &dir.0,
            &[
                (".dockerignore", "secret.txt\nlogs/\n"),
                ("package.json", "{\"name\":\"app\"}"),
                ("index.js", "require('x')"),
                ("README.md", "hello"),
                ("secret.txt", "no"),
                ("logs/a.log", "no"),
                ("node_modules/x/index.js", "module.exports = 1"),
            ],
        );
        let ctx = collect(&dir.0, None).unwrap();
        let files: Vec<&str> = ctx.files.iter().map(String::as_str).collect();
        assert_eq!(
            files,
            [
                ".dockerignore",
                "README.md",
                "index.js",
                "node_modules/",
                "package.json"
            ]
        );
        assert_eq!(ctx.text("package.json"), Some("{\"name\":\"app\"}"));
        assert_eq!(ctx.text("index.js"), Some("require('x')"));
        assert_eq!(ctx.text("README.md"), None);
    }

    #[test]
    fn a_file_is_not_a_context() {
        let err = collect(Path::new("Cargo.toml"), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cargo.toml: the build context is not a directory"
        );
    }
}
