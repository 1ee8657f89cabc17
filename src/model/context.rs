//! The build context as data: which files exist (after `.dockerignore`) and
//! the text of the manifests the analysis reads. The front end collects it.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// File names whose contents the analysis reads.
pub const MANIFESTS: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "go.mod",
    "go.sum",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "settings.gradle",
    "settings.gradle.kts",
    "Directory.Build.props",
    "pyproject.toml",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "uv.lock",
    ".python-version",
    "setup.py",
    "setup.cfg",
    ".dockerignore",
];

/// Whether the analysis reads this file's text (by its name, not its folder):
/// manifests, and sources whose imports matter (Go for cgo and file access,
/// JavaScript/TypeScript for imports of devDependencies).
pub fn is_manifest(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    MANIFESTS.contains(&name)
        || name.ends_with(".csproj")
        || name.ends_with(".fsproj")
        || name.ends_with(".sln")
        || (name.starts_with("requirements") && name.ends_with(".txt"))
        || name.ends_with(".go")
        || [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]
            .iter()
            .any(|e| name.ends_with(e) && !name.ends_with(".d.ts"))
}

/// A build context: relative `/`-separated paths.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Context {
    /// Every file sent to the builder (after `.dockerignore`).
    pub files: BTreeSet<String>,
    /// Text of manifests (and Go sources, for cgo and embed signals), by path.
    pub contents: BTreeMap<String, String>,
}

impl Context {
    /// A context from (path, text) pairs; handy for tests and tools.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Context {
        let mut c = Context::default();
        for (p, text) in files {
            c.files.insert(p.to_string());
            if is_manifest(p) {
                c.contents.insert(p.to_string(), text.to_string());
            }
        }
        c
    }

    /// Whether a file exists.
    pub fn has(&self, path: &str) -> bool {
        self.files.contains(path.trim_start_matches("./"))
    }

    /// The text of a manifest, if read.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.contents
            .get(path.trim_start_matches("./"))
            .map(String::as_str)
    }

    /// Files whose name matches `pred`.
    pub fn find<'a>(&'a self, pred: impl Fn(&str) -> bool + 'a) -> impl Iterator<Item = &'a str> {
        self.files
            .iter()
            .map(String::as_str)
            .filter(move |p| pred(p.rsplit('/').next().unwrap_or(p)))
    }
}
