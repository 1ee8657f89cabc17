//! The build context as data: which files exist (after `.dockerignore`) and
//! the text of the manifests the analysis reads. The front end collects it.

use crate::rules::pattern::any_glob;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The manifest names of the embedded rules (`detect` in `rules/*.yaml`), the
/// one place they are listed: every profile's `manifests`, and of those the
/// ones whose text is `read` and the ones that only declare `dependencies`.
#[derive(Debug, Default)]
pub struct Manifests {
    /// Globs over file names: every manifest.
    pub all: Vec<String>,
    /// Globs over file names: manifests whose text the analysis reads.
    pub read: Vec<String>,
    /// Globs over file names: manifests that only declare dependencies.
    pub dependencies: Vec<String>,
}

/// The manifests of the embedded rules (loaded once).
pub fn manifests() -> &'static Manifests {
    static TABLE: OnceLock<Manifests> = OnceLock::new();
    TABLE.get_or_init(|| {
        // The embedded rules are checked by the test suite; should they ever
        // fail to load, no file is known as a manifest (nothing is read).
        let mut m = Manifests::default();
        let Some(rules) = crate::rules::Rules::embedded_shared() else {
            return m;
        };
        for d in rules.detects() {
            m.all.extend(d.manifests.iter().cloned());
            m.read.extend(d.read.iter().cloned());
            m.dependencies.extend(d.dependencies.iter().cloned());
        }
        m
    })
}

/// Whether the analysis reads a file called `name` (no folder), and whether
/// the file only declares dependencies: manifests by the rules, the context's
/// own `.dockerignore` (read), and sources whose text matters: Go sources (cgo
/// and file access), JavaScript/TypeScript sources (imports of
/// devDependencies), Python sources (folders the app writes to, for
/// `--non-root`), JVM sources (class loading jdeps cannot see, which refuses a
/// jlink runtime), shell scripts (an entrypoint script's commands), Makefiles (what `make
/// TARGET` runs) and Rust sources (files the binary opens) are only read.
fn file_use(name: &str) -> (bool, bool) {
    let m = manifests();
    let source = name.ends_with(".go")
        || name.ends_with(".py")
        || name.ends_with(".rs")
        || [".java", ".kt", ".groovy", ".scala"]
            .iter()
            .any(|e| name.ends_with(e))
        || [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]
            .iter()
            .any(|e| name.ends_with(e) && !name.ends_with(".d.ts"));
    // Shell scripts: an entrypoint script's commands are classified as the
    // start command's are (`plan::entry_script`).
    let script = name.ends_with(".sh") || matches!(name, "Makefile" | "makefile" | "GNUmakefile");
    let read = source || script || name == ".dockerignore" || any_glob(&m.read, name);
    let deps = any_glob(&m.dependencies, name);
    (read, deps)
}

/// Whether the analysis reads this file's text (by its name, not its folder):
/// manifests, and sources whose imports matter.
pub fn is_manifest(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    file_use(name).0
}

/// Whether a COPY source (a file or a folder, `gradle/`) only declares
/// dependencies, by its name.
pub(crate) fn is_dependency_manifest(path: &str) -> bool {
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    file_use(name).1
}

/// A build context: relative `/`-separated paths.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Context {
    /// Every file sent to the builder (after `.dockerignore`).
    pub files: BTreeSet<String>,
    /// Text of manifests (and Go sources, for cgo and embed signals), by path.
    pub contents: BTreeMap<String, String>,
    /// Why the files the build would see cannot be known (an ignore file
    /// dfsplit cannot read as BuildKit does, or one two BuildKit
    /// generations read differently): the plan then leaves the file
    /// unchanged (`core/context-unknown`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::{is_dependency_manifest, is_manifest};
    use crate::rules::{Rules, pattern::glob_match};

    /// `read` and `dependencies` qualify a profile's own `manifests`: each of
    /// their entries is one of them.
    #[test]
    fn read_and_dependency_files_are_manifests_of_their_profile() {
        let rules = Rules::embedded().unwrap();
        for p in rules.profiles() {
            for name in p.detect.read.iter().chain(&p.detect.dependencies) {
                assert!(
                    p.detect.manifests.contains(name),
                    "{}: `{name}` is in detect.read or detect.dependencies, not in detect.manifests",
                    p.id
                );
            }
        }
        assert!(
            super::manifests()
                .all
                .iter()
                .any(|m| glob_match(m, "go.mod"))
        );
    }

    /// (name, is_manifest, is_dependency_manifest) as the two separate lists
    /// (`MANIFESTS` here, `steps::is_dependency_manifest`) answered before
    /// they became one table, and as that table (`KNOWN_NAMES`) answered
    /// before the names moved to the rules (`detect` in `rules/*.yaml`).
    const OLD: &[(&str, bool, bool)] = &[
        // Node
        ("package.json", true, true),
        ("package-lock.json", true, true),
        ("npm-shrinkwrap.json", true, true),
        ("yarn.lock", true, true),
        (".yarnrc.yml", false, true),
        (".yarnrc", false, false),
        (".npmrc", false, true),
        ("pnpm-lock.yaml", true, true),
        ("pnpm-workspace.yaml", false, true),
        // A file literally named `package*.json` (the old table listed the
        // pattern as a name; a COPY source with `*` is matched against the
        // context's files instead, so the row never decided anything).
        ("package*.json", false, false),
        // Go
        ("go.mod", true, true),
        ("go.sum", true, true),
        ("go.work", false, false),
        ("main.go", true, false),
        ("vendor/modules.txt", false, false),
        // Java
        ("pom.xml", true, true),
        ("build.gradle", true, true),
        ("build.gradle.kts", true, true),
        ("settings.gradle", true, true),
        ("settings.gradle.kts", true, true),
        ("gradle.properties", false, true),
        (".mvn", false, true),
        (".mvn/", false, true),
        ("mvnw", false, true),
        ("mvnw.cmd", false, true),
        ("gradlew", false, true),
        ("gradlew.bat", false, true),
        ("gradle", false, true),
        ("gradle/", false, true),
        // JVM sources are read: class loading jdeps cannot see refuses a jlink runtime.
        ("Main.java", true, false),
        // Python
        ("pyproject.toml", true, true),
        ("poetry.lock", true, true),
        ("Pipfile", true, true),
        ("Pipfile.lock", true, true),
        ("uv.lock", true, true),
        (".python-version", true, false),
        ("setup.py", true, false),
        ("setup.cfg", true, false),
        ("requirements.txt", true, true),
        ("requirements-dev.txt", true, true),
        ("requirements.in", false, false),
        ("requirements/base.txt", false, false),
        // Python sources: read for the folders the app writes to (--non-root).
        ("app.py", true, false),
        // .NET
        ("Directory.Build.props", true, true),
        ("NuGet.config", false, true),
        ("nuget.config", false, true),
        ("Nuget.config", false, false),
        ("Api.csproj", true, true),
        ("Lib.fsproj", true, true),
        ("App.sln", true, true),
        ("Program.cs", false, false),
        // JavaScript and TypeScript sources
        ("index.js", true, false),
        ("index.mjs", true, false),
        ("index.cjs", true, false),
        ("index.ts", true, false),
        ("index.mts", true, false),
        ("index.cts", true, false),
        ("types.d.ts", false, false),
        ("style.css", false, false),
        // Rust: Cargo.toml is read (the binary's name), Cargo.lock only
        // declares dependencies, sources are read (files the binary opens).
        ("Cargo.toml", true, true),
        ("Cargo.lock", false, true),
        ("main.rs", true, false),
        ("rust-toolchain.toml", false, false),
        // The context's own file
        (".dockerignore", true, false),
        // Folders and paths
        ("src/package.json", true, true),
        ("./go.mod", true, true),
        ("a/b/requirements.txt", true, true),
        ("package.json/", false, true),
        ("src/Api.csproj/", false, true),
        ("main.go/", false, false),
        ("node_modules/", false, false),
        ("", false, false),
        // Others
        ("Dockerfile", false, false),
        ("Package.json", false, false),
        ("Gemfile", false, false),
        ("packages.lock.json", false, false),
        ("go.*", false, false),
    ];

    #[test]
    fn the_rules_answer_both_questions_as_before() {
        for (name, read, deps) in OLD {
            assert_eq!(is_manifest(name), *read, "is_manifest({name:?})");
            assert_eq!(
                is_dependency_manifest(name),
                *deps,
                "is_dependency_manifest({name:?})"
            );
        }
    }
}
