//! The build context as data: which files exist (after `.dockerignore`) and
//! the text of the manifests the analysis reads. The front end collects it.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What the analysis does with a file it knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Its text is read (the front end collects it into [`Context::contents`]).
    Read,
    /// It only declares dependencies: a COPY of such files alone feeds the
    /// dependency step (the `dependencies` stage).
    Deps,
    /// Both.
    Both,
}
use Use::{Both, Deps, Read};

/// The files the analysis knows by their exact name.
const KNOWN_NAMES: &[(&str, Use)] = &[
    // Node
    ("package.json", Both),
    ("package-lock.json", Both),
    ("npm-shrinkwrap.json", Both),
    ("yarn.lock", Both),
    (".yarnrc.yml", Deps),
    (".npmrc", Deps),
    ("pnpm-lock.yaml", Both),
    ("pnpm-workspace.yaml", Deps),
    ("package*.json", Deps),
    // Go
    ("go.mod", Both),
    ("go.sum", Both),
    // Java
    ("pom.xml", Both),
    ("build.gradle", Both),
    ("build.gradle.kts", Both),
    ("settings.gradle", Both),
    ("settings.gradle.kts", Both),
    ("gradle.properties", Deps),
    (".mvn", Deps),
    ("mvnw", Deps),
    ("mvnw.cmd", Deps),
    ("gradlew", Deps),
    ("gradlew.bat", Deps),
    ("gradle", Deps),
    // Python
    ("pyproject.toml", Both),
    ("Pipfile", Both),
    ("Pipfile.lock", Both),
    ("poetry.lock", Both),
    ("uv.lock", Both),
    (".python-version", Read),
    ("poetry.toml", Both),
    ("uv.toml", Both),
    ("setup.py", Read),
    ("setup.cfg", Read),
    // .NET
    ("Directory.Build.props", Both),
    ("NuGet.config", Deps),
    ("nuget.config", Deps),
    // The context itself
    (".dockerignore", Read),
];

/// Whether the analysis reads a file called `name` (no folder), and whether
/// the file only declares dependencies: by its exact name, or by its form.
/// Project files (`requirements*.txt`, .NET projects and solutions) are
/// both; Go sources (cgo and file access), JavaScript/TypeScript sources
/// (imports of devDependencies) and Python sources (folders the app writes
/// to, for `--non-root`) are only read.
fn file_use(name: &str) -> (bool, bool) {
    let exact = KNOWN_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, u)| *u);
    let project = (name.starts_with("requirements") && name.ends_with(".txt"))
        || [".csproj", ".fsproj", ".sln"]
            .iter()
            .any(|e| name.ends_with(e));
    let source = name.ends_with(".go")
        || name.ends_with(".py")
        || [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]
            .iter()
            .any(|e| name.ends_with(e) && !name.ends_with(".d.ts"));
    let read = project || source || matches!(exact, Some(Read | Both));
    let deps = project || matches!(exact, Some(Deps | Both));
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

    /// (name, is_manifest, is_dependency_manifest) as the two separate lists
    /// (`MANIFESTS` here, `steps::is_dependency_manifest`) answered before
    /// they became one table.
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
        ("package*.json", false, true),
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
        ("Main.java", false, false),
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
        ("Cargo.toml", false, false),
        ("packages.lock.json", false, false),
        ("go.*", false, false),
    ];

    #[test]
    fn one_table_answers_both_questions_as_before() {
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
