//! `.dfsplit.yaml`: a repository's settings for `rewrite` (one file or
//! `--all`), the PR bot and the editor server — the base policy, non-root,
//! cache mounts, a rules overlay, paths to skip, per-path overrides and the
//! bot's `pr:` section.
//!
//! The file is found upward from a Dockerfile's folder, stopping at the
//! repository root (the first folder with `.git`). Unknown keys and bad values
//! are errors at `FILE:LINE:COL` naming the key, as in the rules loader.
//!
//! ```yaml
//! base: distroless          # auto | slim | distroless | scratch | IMAGE
//! non-root: true            # false | true | USER (name, uid or uid:gid)
//! cache-mounts: false
//! rules: ci/dfsplit-rules   # an overlay folder, relative to this file
//! skip: [legacy/**, "**/Dockerfile.dev"]
//! overrides:
//!   - path: services/batch/**
//!     base: slim
//! pr:
//!   branch: dfsplit/multi-stage
//!   base-branch: main
//!   labels: [docker]
//! ```

use crate::plan::{BaseChoice, Options, UserPolicy};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::{Path, PathBuf};

/// The file name looked for.
pub const FILE_NAME: &str = ".dfsplit.yaml";

/// A `.dfsplit.yaml` that could not be read or is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but cannot be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Malformed YAML, an unknown key or a bad value: `FILE:LINE:COL: message`.
    #[error("{0}")]
    Invalid(String),
}

/// The settings a Dockerfile is planned with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// The runtime base policy.
    pub base: Option<BaseChoice>,
    /// Who the runtime runs as.
    pub user: Option<UserPolicy>,
    /// Whether to add BuildKit cache mounts.
    pub cache_mounts: Option<bool>,
}

impl Settings {
    /// `self` over `under`: what `self` sets wins.
    fn over(&self, under: &Settings) -> Settings {
        Settings {
            base: self.base.clone().or_else(|| under.base.clone()),
            user: self.user.clone().or_else(|| under.user.clone()),
            cache_mounts: self.cache_mounts.or(under.cache_mounts),
        }
    }

    /// Planning options from these settings (defaults where unset).
    pub fn options(&self) -> Options {
        let d = Options::default();
        Options {
            base: self.base.clone().unwrap_or(d.base),
            cache_mounts: self.cache_mounts.unwrap_or(d.cache_mounts),
            user: self.user.clone().unwrap_or(d.user),
        }
    }

    /// `cli` over `self`: the command line's flags win over the file.
    pub fn under(&self, cli: &Settings) -> Settings {
        cli.over(self)
    }
}

/// The bot's settings (`pr:`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrConfig {
    /// The branch the bot commits to.
    pub branch: Option<String>,
    /// The branch the pull request targets.
    pub base_branch: Option<String>,
    /// Labels put on the pull request.
    pub labels: Vec<String>,
    /// Run `dfsplit verify` on each changed file before proposing it.
    pub verify: Option<bool>,
}

/// A loaded `.dfsplit.yaml`.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file.
    pub path: PathBuf,
    /// Its folder: paths in the file are relative to it.
    pub dir: PathBuf,
    /// The settings for every file.
    pub settings: Settings,
    /// The rules overlay folder (resolved against `dir`).
    pub rules: Option<PathBuf>,
    /// The bot's settings.
    pub pr: PrConfig,
    skip: globset::GlobSet,
    overrides: Vec<(globset::GlobSet, Settings)>,
}

/// What the configuration says about one Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Planned with these settings.
    Plan(Settings),
    /// Left alone: the file matches `skip:` (the pattern).
    Skip(String),
}

impl Config {
    /// The settings of the Dockerfile at `path`, or why it is skipped.
    pub fn verdict(&self, path: &Path) -> Verdict {
        let rel = self.relative(path);
        if self.skip.is_match(&rel) {
            return Verdict::Skip(format!(
                "{} skips it (`skip:` in {})",
                rel,
                self.path.display()
            ));
        }
        let mut s = self.settings.clone();
        for (globs, o) in &self.overrides {
            if globs.is_match(&rel) {
                s = o.over(&s);
            }
        }
        Verdict::Plan(s)
    }

    /// `path` relative to the config's folder, with `/`.
    fn relative(&self, path: &Path) -> String {
        let abs = absolute(path);
        let rel = abs.strip_prefix(&self.dir).unwrap_or(&abs);
        rel.to_string_lossy().replace('\\', "/")
    }

    /// Parses `text` as the file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let name = path.display().to_string();
        let options = serde_saphyr::options! { strict_booleans: true };
        let raw: Raw = serde_saphyr::from_str_with_options(text, options)
            .map_err(|e| ConfigError::Invalid(yaml_error(&name, &e)))?;
        let dir = absolute(path.parent().unwrap_or(Path::new(".")));
        let settings = RawSettings {
            base: &raw.base,
            non_root: &raw.non_root,
            cache_mounts: raw.cache_mounts,
        }
        .settings(&name)?;
        let skip = globs(&name, "skip", &raw.skip)?;
        let mut overrides = Vec::new();
        for o in &raw.overrides {
            if o.path.is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "{name}: `overrides:` needs a `path:` pattern in each entry"
                )));
            }
            overrides.push((
                globs(&name, "overrides.path", &o.path)?,
                RawSettings {
                    base: &o.base,
                    non_root: &o.non_root,
                    cache_mounts: o.cache_mounts,
                }
                .settings(&name)?,
            ));
        }
        let pr = raw.pr.unwrap_or_default();
        for b in pr.branch.iter().chain(pr.base_branch.iter()) {
            if !valid_branch(&b.value) {
                return Err(ConfigError::Invalid(format!(
                    "{}: `pr.branch`/`pr.base-branch`: `{}` is not a branch name",
                    at(&name, &b.referenced),
                    b.value
                )));
            }
        }
        Ok(Config {
            path: path.to_path_buf(),
            rules: raw.rules.map(|r| dir.join(r)),
            dir,
            settings,
            pr: PrConfig {
                branch: pr.branch.map(|b| b.value),
                base_branch: pr.base_branch.map(|b| b.value),
                labels: pr.labels,
                verify: pr.verify,
            },
            skip,
            overrides,
        })
    }

    /// Reads the `.dfsplit.yaml` at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(path, &text)
    }

    /// The `.dfsplit.yaml` that applies to files in `dir`: the nearest one in
    /// `dir` or a folder above it, not above the repository root (the first
    /// folder with `.git`).
    pub fn find(dir: &Path) -> Result<Option<Config>, ConfigError> {
        match find_file(dir) {
            Some(p) => Config::load(&p).map(Some),
            None => Ok(None),
        }
    }
}

/// The nearest `.dfsplit.yaml` from `dir` upward, stopping at the repository root.
pub fn find_file(dir: &Path) -> Option<PathBuf> {
    let dir = absolute(dir);
    for d in dir.ancestors() {
        let f = d.join(FILE_NAME);
        if f.is_file() {
            return Some(f);
        }
        if d.join(".git").exists() {
            return None;
        }
    }
    None
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// A user for `--non-root=USER` or `non-root: USER`: a name, `uid` or
/// `uid:gid`, and not root.
pub fn non_root_user(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Ok(String::new());
    }
    let ok = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    let user = s.split(':').next().unwrap_or(s);
    if !s.split(':').all(ok) || s.matches(':').count() > 1 {
        return Err(format!(
            "`{s}` is not a user: give an account name, `uid` or `uid:gid`"
        ));
    }
    if user == "root" || user.trim_start_matches('0').is_empty() {
        return Err(format!("`{s}` is root, not a non-root user"));
    }
    Ok(s.to_string())
}

/// Whether `b` can name a branch (git's `check-ref-format` rules, roughly:
/// no spaces, `..`, `~^:?*[\`, leading `-`, trailing `.lock`, …).
pub fn valid_branch(b: &str) -> bool {
    !b.is_empty()
        && !b.starts_with(['-', '/', '.'])
        && !b.ends_with(['/', '.'])
        && !b.contains("..")
        && !b.contains("//")
        && !b.ends_with(".lock")
        && b.chars()
            .all(|c| !c.is_control() && !" ~^:?*[\\".contains(c))
}

fn at(file: &str, loc: &serde_saphyr::Location) -> String {
    match loc.line() {
        0 => file.to_string(),
        l => format!("{file}:{l}:{}", loc.column()),
    }
}

fn globs(
    file: &str,
    key: &str,
    patterns: &[Spanned<String>],
) -> Result<globset::GlobSet, ConfigError> {
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        let pattern = p.value.trim_start_matches("./");
        // `dir/` means everything under it.
        let pattern = match pattern.strip_suffix('/') {
            Some(d) => format!("{d}/**"),
            None => pattern.to_string(),
        };
        let g = globset::GlobBuilder::new(&pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| {
                ConfigError::Invalid(format!(
                    "{}: `{key}`: `{}` is not a pattern: {}",
                    at(file, &p.referenced),
                    p.value,
                    e.kind()
                ))
            })?;
        b.add(g);
    }
    b.build()
        .map_err(|e| ConfigError::Invalid(format!("{file}: `{key}`: {e}")))
}

fn yaml_error(file: &str, err: &serde_saphyr::Error) -> String {
    use serde_saphyr::MessageFormatter as _;
    let message = serde_saphyr::DefaultMessageFormatter.format_message(err.without_snippet());
    let message = message.escape_debug().to_string();
    match err.location() {
        Some(loc) if loc.line() > 0 => format!("{file}:{}:{}: {message}", loc.line(), loc.column()),
        _ => format!("{file}: {message}"),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    #[serde(default)]
    base: Option<Spanned<String>>,
    #[serde(default)]
    non_root: Option<Spanned<NonRoot>>,
    #[serde(default)]
    cache_mounts: Option<bool>,
    #[serde(default)]
    rules: Option<String>,
    #[serde(default)]
    skip: Vec<Spanned<String>>,
    #[serde(default)]
    overrides: Vec<RawOverride>,
    #[serde(default)]
    pr: Option<RawPr>,
}

/// The settings keys, as read (at the top and in each override).
struct RawSettings<'a> {
    base: &'a Option<Spanned<String>>,
    non_root: &'a Option<Spanned<NonRoot>>,
    cache_mounts: Option<bool>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NonRoot {
    Flag(bool),
    User(String),
}

impl RawSettings<'_> {
    fn settings(&self, file: &str) -> Result<Settings, ConfigError> {
        let base = match self.base {
            None => None,
            Some(b) => Some(b.value.parse::<BaseChoice>().map_err(|e| {
                ConfigError::Invalid(format!("{}: `base`: {e}", at(file, &b.referenced)))
            })?),
        };
        let user = match self.non_root {
            None => None,
            Some(n) => Some(match &n.value {
                NonRoot::Flag(false) => UserPolicy::Keep,
                NonRoot::Flag(true) => UserPolicy::NonRoot(None),
                NonRoot::User(u) => {
                    let u = non_root_user(u).map_err(|e| {
                        ConfigError::Invalid(format!(
                            "{}: `non-root`: {e}",
                            at(file, &n.referenced)
                        ))
                    })?;
                    UserPolicy::NonRoot((!u.is_empty()).then_some(u))
                }
            }),
        };
        Ok(Settings {
            base,
            user,
            cache_mounts: self.cache_mounts,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOverride {
    #[serde(default)]
    path: Vec<Spanned<String>>,
    #[serde(default)]
    base: Option<Spanned<String>>,
    #[serde(default)]
    non_root: Option<Spanned<NonRoot>>,
    #[serde(default)]
    cache_mounts: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPr {
    #[serde(default)]
    branch: Option<Spanned<String>>,
    #[serde(default)]
    base_branch: Option<Spanned<String>>,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    verify: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(Path::new("/repo/.dfsplit.yaml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_every_key_and_applies_overrides_in_order() {
        let c = parse(
            "base: distroless\nnon-root: true\ncache-mounts: false\nrules: ci/rules\n\
             skip: [legacy/, \"**/Dockerfile.dev\"]\n\
             overrides:\n  - path: [svc/batch/**]\n    base: slim\n    non-root: \"1000:1000\"\n\
             pr:\n  branch: bot/split\n  base-branch: main\n  labels: [docker]\n  verify: true\n",
        )
        .unwrap();
        assert_eq!(c.rules, Some(PathBuf::from("/repo/ci/rules")));
        assert_eq!(c.pr.branch.as_deref(), Some("bot/split"));
        assert_eq!(c.pr.verify, Some(true));
        assert_eq!(
            c.verdict(Path::new("/repo/api/Dockerfile")),
            Verdict::Plan(Settings {
                base: Some(BaseChoice::Distroless),
                user: Some(UserPolicy::NonRoot(None)),
                cache_mounts: Some(false),
            })
        );
        assert_eq!(
            c.verdict(Path::new("/repo/svc/batch/Dockerfile")),
            Verdict::Plan(Settings {
                base: Some(BaseChoice::Slim),
                user: Some(UserPolicy::NonRoot(Some("1000:1000".into()))),
                cache_mounts: Some(false),
            })
        );
        assert!(matches!(
            c.verdict(Path::new("/repo/legacy/x/Dockerfile")),
            Verdict::Skip(_)
        ));
        assert!(matches!(
            c.verdict(Path::new("/repo/a/b/Dockerfile.dev")),
            Verdict::Skip(_)
        ));
        // `*` does not cross folders.
        let c = parse("skip: ['*/Dockerfile']\n").unwrap();
        assert!(matches!(
            c.verdict(Path::new("/repo/a/Dockerfile")),
            Verdict::Skip(_)
        ));
        assert!(matches!(
            c.verdict(Path::new("/repo/a/b/Dockerfile")),
            Verdict::Plan(_)
        ));
    }

    #[test]
    fn errors_name_the_place_and_the_key() {
        let e = parse("base: slim\nnon-rot: true\n").unwrap_err();
        assert!(e.starts_with("/repo/.dfsplit.yaml:2:1: "), "{e}");
        assert!(e.contains("non-rot"), "{e}");
        let e = parse("non-root: root\n").unwrap_err();
        assert_eq!(
            e,
            "/repo/.dfsplit.yaml:1:11: `non-root`: `root` is root, not a non-root user"
        );
        let e = parse("skip: ['a/[b']\n").unwrap_err();
        assert!(e.starts_with("/repo/.dfsplit.yaml:1:8: `skip`: "), "{e}");
        let e = parse("cache-mounts: maybe\n").unwrap_err();
        assert!(e.starts_with("/repo/.dfsplit.yaml:1:15: "), "{e}");
        let e = parse("pr:\n  branch: 'a b'\n").unwrap_err();
        assert!(e.starts_with("/repo/.dfsplit.yaml:2:11: "), "{e}");
        let e = parse("overrides:\n  - path: [x]\n    colour: red\n").unwrap_err();
        assert!(e.starts_with("/repo/.dfsplit.yaml:3:5: "), "{e}");
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn found_upward_but_not_above_the_repository() {
        let root = std::env::temp_dir().join(format!("dfsplit-config-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("outer/repo/.git")).unwrap();
        std::fs::create_dir_all(root.join("outer/repo/a/b")).unwrap();
        std::fs::write(root.join("outer").join(FILE_NAME), "base: slim\n").unwrap();
        assert_eq!(find_file(&root.join("outer/repo/a/b")), None);
        std::fs::write(root.join("outer/repo/a").join(FILE_NAME), "base: slim\n").unwrap();
        assert_eq!(
            find_file(&root.join("outer/repo/a/b")),
            Some(root.join("outer/repo/a").join(FILE_NAME))
        );
        let _ = std::fs::remove_dir_all(&root);
    }
}
