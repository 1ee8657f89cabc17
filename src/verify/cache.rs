//! The cache check: which source file to touch, and a copy of the build
//! context to touch it in.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Files whose change is *meant* to re-run the dependency step, or that are
/// the build's own: never touched. Manifests come from the rules
/// (`detect.manifests`); besides them, the Dockerfiles and ignore files, the
/// e2e harness's `e2e.toml`, and the manifests of languages without a profile.
fn is_manifest_or_lock(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    const OTHERS: &[&str] = &[
        ".dockerignore",
        "e2e.toml",
        "Gemfile",
        "Gemfile.lock",
        "Cargo.toml",
        "Cargo.lock",
    ];
    crate::rules::pattern::any_glob(&crate::model::context::manifests().all, name)
        || OTHERS.contains(&name)
        || name.starts_with("Dockerfile")
        || name.ends_with(".dockerignore")
}

const SOURCE_EXT: &[&str] = &[
    "go", "js", "mjs", "cjs", "ts", "mts", "cts", "tsx", "jsx", "py", "java", "kt", "scala",
    "groovy", "cs", "fs", "vb", "rb", "php", "rs", "c", "h", "cc", "cpp", "hpp", "md", "html",
    "css",
];

fn has_source_ext(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.')
        .is_some_and(|(_, e)| SOURCE_EXT.contains(&e))
}

/// `*` and `?` within one path component (Go's filepath.Match without
/// classes); the pattern is a COPY source from the file under test.
pub fn glob(pattern: &str, name: &str) -> bool {
    crate::rules::pattern::glob_path(pattern, name)
}

/// Whether a COPY source (relative to the context) brings `file`.
pub fn source_covers(src: &str, file: &str) -> bool {
    let src = src.trim_start_matches("./").trim_end_matches('/');
    let src = src.trim_start_matches('/');
    if src.is_empty() || src == "." {
        return true;
    }
    if glob(src, file) {
        return true;
    }
    // A folder (or a pattern matching one) brings everything under it.
    file.match_indices('/').any(|(i, _)| glob(src, &file[..i]))
}

/// The file to touch: the first source file (by extension, in path order)
/// brought by the earliest COPY in `copies` that brings one; failing that, the
/// first other non-manifest file. `is_text` filters out binaries.
pub fn pick_file(
    copies: &[Vec<String>],
    files: &BTreeSet<String>,
    is_text: &dyn Fn(&str) -> bool,
) -> Option<String> {
    for want_source in [true, false] {
        for sources in copies {
            let found = files
                .iter()
                .filter(|f| !is_manifest_or_lock(f) && has_source_ext(f) == want_source)
                .filter(|f| sources.iter().any(|s| source_covers(s, f)))
                .find(|f| is_text(f));
            if let Some(f) = found {
                return Some(f.clone());
            }
        }
    }
    None
}

/// A folder removed when dropped.
pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies the listed context files (paths relative to `from`) into `to`.
pub fn copy_files(from: &Path, to: &Path, files: &BTreeSet<String>) -> std::io::Result<()> {
    for f in files {
        let dst = to.join(f);
        if let Some(parent) = dst.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from.join(f), &dst)?;
    }
    // The ignore file itself: the copy must be filtered like the original.
    let ignore = from.join(".dockerignore");
    if ignore.is_file() {
        std::fs::copy(ignore, to.join(".dockerignore"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[&str]) -> BTreeSet<String> {
        files.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn globs() {
        assert!(glob("package*.json", "package-lock.json"));
        assert!(glob("*.go", "main.go"));
        assert!(!glob("*.go", "cmd/main.go"));
        assert!(glob("src/?.ts", "src/a.ts"));
        assert!(!glob("src", "src2"));
        assert!(!glob("src/*", "src/a/b.ts"));
    }

    #[test]
    fn many_stars_answer() {
        // A COPY source with many stars: the old recursive matcher took
        // 51 s for 12 of them against 40 letters, and doubled with each
        // one more; part by part it is a single pass.
        let name = "a".repeat(60);
        assert!(!glob(&format!("{}b", "*a".repeat(40)), &name));
        assert!(glob(&"*a".repeat(40), &name));
        assert!(!glob(&"*a".repeat(61), &name));
    }

    #[test]
    fn covers() {
        assert!(source_covers(".", "a/b.go"));
        assert!(source_covers("./src/", "src/index.ts"));
        assert!(source_covers("src", "src/deep/x.ts"));
        assert!(!source_covers("src", "srcx/y.ts"));
        assert!(source_covers("build.js", "build.js"));
        assert!(source_covers("c*", "content/a.md"));
    }

    #[test]
    fn picks_first_source_after_manifests() {
        let files = set(&[
            ".dockerignore",
            "Dockerfile",
            "README.txt",
            "go.mod",
            "go.sum",
            "main.go",
            "web/index.html",
        ]);
        let copies = vec![
            vec!["go.mod".to_string(), "go.sum".to_string()],
            vec!["README.txt".to_string()],
            vec![".".to_string()],
        ];
        assert_eq!(
            pick_file(&copies, &files, &|_| true).as_deref(),
            Some("main.go")
        );
        // Only binaries: nothing to touch.
        assert_eq!(pick_file(&copies, &files, &|_| false), None);
        // A non-source text file when there is nothing else.
        let files = set(&["package.json", "content/a.txt"]);
        let copies = vec![vec!["content".to_string()]];
        assert_eq!(
            pick_file(&copies, &files, &|_| true).as_deref(),
            Some("content/a.txt")
        );
    }

    /// Every name the cache check's own list held before the manifest names
    /// moved to the rules is still never touched.
    #[test]
    fn the_old_list_is_still_never_touched() {
        const NAMES: &[&str] = &[
            "package.json",
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            ".npmrc",
            ".yarnrc",
            "go.mod",
            "go.sum",
            "go.work",
            "modules.txt",
            "pom.xml",
            "build.gradle",
            "build.gradle.kts",
            "settings.gradle",
            "settings.gradle.kts",
            "gradle.properties",
            "pyproject.toml",
            "setup.py",
            "setup.cfg",
            "Pipfile",
            "Pipfile.lock",
            "poetry.lock",
            "uv.lock",
            "packages.lock.json",
            "Directory.Build.props",
            "NuGet.config",
            "Gemfile",
            "Gemfile.lock",
            "Cargo.toml",
            "Cargo.lock",
            ".dockerignore",
            "e2e.toml",
        ];
        for name in NAMES {
            assert!(is_manifest_or_lock(name), "{name}");
            assert!(is_manifest_or_lock(&format!("app/{name}")), "app/{name}");
        }
        for f in [
            "Dockerfile",
            "a/.dockerignore",
            "Dockerfile.prod.dockerignore",
            "requirements.txt",
            "src/Api.fsproj",
            "App.sln",
        ] {
            assert!(is_manifest_or_lock(f), "{f}");
        }
        for f in [
            "main.go",
            "src/index.ts",
            "app.py",
            "README.md",
            "static/app.css",
        ] {
            assert!(!is_manifest_or_lock(f), "{f}");
        }
    }

    #[test]
    fn manifests_are_never_touched() {
        for f in [
            "requirements-dev.txt",
            "app/package.json",
            "Dockerfile.prod",
            "api.csproj",
        ] {
            assert!(is_manifest_or_lock(f), "{f}");
        }
        assert!(!is_manifest_or_lock("src/main.py"));
    }
}
