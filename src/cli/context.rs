//! Collecting the build context from disk: the files `docker build` would
//! send (after `.dockerignore`) and the text of the manifests the analysis reads.

use anyhow::{Context as _, Result};
use dfsplit::model::{Context, context::is_manifest};
use std::path::Path;

/// Files larger than this are listed but not read.
const MAX_READ: u64 = 256 * 1024;
/// Stop reading contents after this many bytes in total.
const MAX_TOTAL: usize = 16 * 1024 * 1024;

pub fn collect(dir: &Path) -> Result<Context> {
    if !dir.is_dir() {
        anyhow::bail!("{}: the build context is not a directory", dir.display());
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
        let entry =
            entry.with_context(|| format!("{}: cannot read the build context", dir.display()))?;
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
