//! Collecting the build context from disk: the files `docker build` would
//! send (after `.dockerignore`) and the text of the manifests the analysis reads.

use crate::model::{Context, context::is_manifest};
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
        /// The context folder.
        dir: PathBuf,
        /// What the walk reported.
        #[source]
        source: ignore::Error,
    },
}

/// The build context in `dir`: every file `docker build` would send (after
/// `.dockerignore`; `node_modules/` and `.git/` recorded, not walked) and the
/// text of the manifests the analysis reads.
pub fn collect(dir: &Path) -> Result<Context, ContextError> {
    if !dir.is_dir() {
        return Err(ContextError::NotADirectory(dir.to_path_buf()));
    }
    let mut ctx = Context::default();
    let mut total = 0usize;
    // node_modules and .git are not walked (they can be huge), but whether
    // the context has them matters: they are recorded as `DIR/`.
    let skipped = std::sync::Arc::new(std::sync::Mutex::new(Vec::<std::path::PathBuf>::new()));
    let record = skipped.clone();
    let walker = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .hidden(false)
        .add_custom_ignore_filename(".dockerignore")
        .filter_entry(move |e| {
            let name = e.file_name().to_string_lossy();
            let skip = e.file_type().is_some_and(|t| t.is_dir())
                && (name == ".git" || name == "node_modules");
            if skip && let Ok(mut v) = record.lock() {
                v.push(e.path().to_path_buf());
            }
            !skip
        })
        .build();
    for entry in walker {
        let entry = entry.map_err(|source| ContextError::Walk {
            dir: dir.to_path_buf(),
            source,
        })?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if is_manifest(&rel) && total < MAX_TOTAL {
            let small = entry
                .metadata()
                .map(|m| m.len() <= MAX_READ)
                .unwrap_or(false);
            if small && let Ok(text) = std::fs::read_to_string(entry.path()) {
                total += text.len();
                ctx.contents.insert(rel.clone(), text);
            }
        }
        ctx.files.insert(rel);
    }
    for path in skipped.lock().map(|v| v.clone()).unwrap_or_default() {
        if let Ok(rel) = path.strip_prefix(dir) {
            ctx.files
                .insert(format!("{}/", rel.to_string_lossy().replace('\\', "/")));
        }
    }
    Ok(ctx)
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
        let ctx = collect(&dir.0).unwrap();
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
        let err = collect(Path::new("Cargo.toml")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cargo.toml: the build context is not a directory"
        );
    }
}
