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
//! verify:                  # how `dfsplit pr --verify` runs each file's images
//!   smoke: {http: 8080/health, expect: ok}
//! overrides:
//!   - path: services/batch/**
//!     base: slim
//!     verify: {smoke: {exec: '--version', expect: batch}}
//! pr:
//!   branch: dfsplit/multi-stage
//!   base-branch: main
//!   labels: [docker]
//! ```

use crate::glob::Glob;
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
    skip: Globs,
    overrides: Vec<(Globs, Settings)>,
    /// `verify:` for every file, then each override's (in order).
    checks: Checks,
    override_checks: Vec<(Globs, Checks)>,
}

/// What the configuration says about one Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Planned with these settings.
    Plan(Settings),
    /// Left alone: the file matches `skip:` (the reason names the pattern
    /// as written and the configuration file).
    Skip(String),
}

impl Config {
    /// The settings of the Dockerfile at `path`, or why it is skipped.
    pub fn verdict(&self, path: &Path) -> Verdict {
        let rel = self.relative(path);
        if let Some(pattern) = self.skip.first_match(&rel) {
            return Verdict::Skip(format!(
                "`{pattern}` under `skip:` in {}",
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

    /// How `dfsplit pr --verify` (and `dfsplit verify` without run flags)
    /// checks the Dockerfile at `path`: the top-level `verify:` with each
    /// matching override's `verify:` over it, key by key, later entries
    /// winning.
    pub fn checks(&self, path: &Path) -> Checks {
        let rel = self.relative(path);
        let mut c = self.checks.clone();
        for (globs, o) in &self.override_checks {
            if globs.is_match(&rel) {
                c = o.over(&c);
            }
        }
        c
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
        let checks = match raw.verify {
            Some(v) => v.checks(&name, &dir, "verify")?,
            None => Checks::default(),
        };
        let mut overrides = Vec::new();
        let mut override_checks = Vec::new();
        for o in raw.overrides {
            if o.path.is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "{name}: `overrides:` needs a `path:` pattern in each entry"
                )));
            }
            let set = globs(&name, "overrides.path", &o.path)?;
            if let Some(v) = o.verify {
                override_checks.push((set.clone(), v.checks(&name, &dir, "overrides.verify")?));
            }
            overrides.push((
                set,
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
            checks,
            override_checks,
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

/// The patterns of one `skip:` or `overrides: path:` list: a path matches
/// when one of them matches it whole.
#[derive(Debug, Clone, Default)]
struct Globs(Vec<(String, Glob)>);

impl Globs {
    fn is_match(&self, rel: &str) -> bool {
        self.first_match(rel).is_some()
    }

    /// The first pattern, as written, that `rel` matches.
    fn first_match(&self, rel: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(_, g)| g.is_match(rel.as_bytes()))
            .map(|(p, _)| p.as_str())
    }
}

/// The patterns of `key`, each as [`Glob::new`] reads it after a leading
/// `./` is dropped and with `dir/` meaning everything under `dir`.
fn globs(file: &str, key: &str, patterns: &[Spanned<String>]) -> Result<Globs, ConfigError> {
    let mut out = Vec::new();
    for p in patterns {
        let pattern = p.value.trim_start_matches("./");
        // `dir/` means everything under it.
        let pattern = match pattern.strip_suffix('/') {
            Some(d) => format!("{d}/**"),
            None => pattern.to_string(),
        };
        let g = Glob::new(&pattern).map_err(|e| {
            ConfigError::Invalid(format!(
                "{}: `{key}`: `{}` is not a pattern: {e}",
                at(file, &p.referenced),
                p.value,
            ))
        })?;
        out.push((p.value.clone(), g));
    }
    Ok(Globs(out))
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
    #[serde(default)]
    verify: Option<RawChecks>,
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
    #[serde(default)]
    verify: Option<RawChecks>,
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

/// How a Dockerfile's two images are run by `dfsplit verify` when the PR bot
/// verifies it (`verify:` at the top of `.dfsplit.yaml` and in each
/// `overrides:` entry). The vocabulary is verify's own flags and that of
/// `corpus/e2e/*/e2e.toml`: `smoke: {http: PORT[/PATH] | exec: ARGS,
/// expect: TEXT}`, `probes:` (a probes file, or the same list inline),
/// `env: [KEY=VALUE]`, `env-files:`, `volumes: [HOST:CONTAINER[:ro]]`,
/// `args:` (after the image), `stop-timeout:`, `allow-bigger:`,
/// `cache-check:`. Paths are relative to the configuration's folder.
///
/// Each key unset is `None`, so an override only replaces what it names.
/// Files (probes, env files, volumes) are read when the checks are turned
/// into [`crate::verify::Options`], not when the configuration is loaded: a
/// `rewrite` never needs them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checks {
    /// The smoke check, with the text its answer must contain.
    pub smoke: Option<SmokeCheck>,
    /// Requests sent once the http smoke check finds the container ready.
    pub probes: Option<ProbesFrom>,
    /// `KEY=VALUE` for both containers.
    pub env: Option<Vec<String>>,
    /// `--env-file` files (resolved against the configuration's folder).
    pub env_files: Option<Vec<PathBuf>>,
    /// `HOST:CONTAINER[:ro]`, HOST resolved against the configuration's folder.
    pub volumes: Option<Vec<String>>,
    /// Arguments after the image.
    pub args: Option<Vec<String>>,
    /// The stop check's grace period (`docker stop -t`), seconds.
    pub stop_timeout: Option<u64>,
    /// A bigger rewrite is a warning, not a failure.
    pub allow_bigger: Option<bool>,
    /// Rebuild both after a source edit (verify's default: yes).
    pub cache_check: Option<bool>,
    /// Where the smoke check was set (`FILE:LINE:COL`), for messages.
    pub origin: Option<String>,
}

/// `smoke: {http: …}` or `{exec: …}`, with `expect:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmokeCheck {
    /// How to run the images.
    pub smoke: crate::verify::Smoke,
    /// Text the answer must contain.
    pub expect: Option<String>,
}

/// Where the probes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbesFrom {
    /// A probes file (`dfsplit verify --probes`), and where it was named.
    File {
        /// The file, resolved against the configuration's folder.
        path: PathBuf,
        /// `FILE:LINE:COL` of the key.
        at: String,
    },
    /// The list, inline.
    Inline(Vec<crate::verify::probes::Probe>),
}

impl Checks {
    /// `self` over `under`, key by key.
    fn over(&self, under: &Checks) -> Checks {
        Checks {
            smoke: self.smoke.clone().or_else(|| under.smoke.clone()),
            probes: self.probes.clone().or_else(|| under.probes.clone()),
            env: self.env.clone().or_else(|| under.env.clone()),
            env_files: self.env_files.clone().or_else(|| under.env_files.clone()),
            volumes: self.volumes.clone().or_else(|| under.volumes.clone()),
            args: self.args.clone().or_else(|| under.args.clone()),
            stop_timeout: self.stop_timeout.or(under.stop_timeout),
            allow_bigger: self.allow_bigger.or(under.allow_bigger),
            cache_check: self.cache_check.or(under.cache_check),
            origin: if self.smoke.is_some() {
                self.origin.clone()
            } else {
                under.origin.clone()
            },
        }
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self
            == Checks {
                origin: self.origin.clone(),
                ..Checks::default()
            }
    }

    /// verify's options for these checks, over `base` (what the caller sets
    /// for every file: its cache knob, say). Reads the probes file, the env
    /// files and the volumes; the message names the setting and where it was
    /// made.
    pub fn options(
        &self,
        config: &Path,
        base: &crate::verify::Options,
    ) -> Result<crate::verify::Options, String> {
        let name = config.display();
        let where_ = self.origin.clone().unwrap_or_else(|| name.to_string());
        let http = matches!(
            self.smoke.as_ref().map(|s| &s.smoke),
            Some(crate::verify::Smoke::Http { .. })
        );
        let runs = self.probes.is_some()
            || self.env.is_some()
            || self.env_files.is_some()
            || self.volumes.is_some()
            || self.args.is_some();
        if self.smoke.is_none() && runs {
            return Err(format!(
                "{name}: `verify:` sets how the container runs (probes, env, env-files, volumes or args) but no `smoke:` check starts it; add `smoke: {{http: PORT/PATH}}` or `{{exec: ARGS}}`"
            ));
        }
        if self.probes.is_some() && !http {
            return Err(format!(
                "{where_}: `verify.probes` needs an http smoke check (`smoke: {{http: PORT/PATH}}`): the probes go to its port"
            ));
        }
        let (probes_file, inline) = match &self.probes {
            Some(ProbesFrom::File { path, at }) => {
                if !path.is_file() {
                    return Err(format!(
                        "{at}: `verify.probes`: {} is not a file",
                        path.display()
                    ));
                }
                (Some(path.as_path()), None)
            }
            Some(ProbesFrom::Inline(p)) => (None, Some(p.clone())),
            None => (None, None),
        };
        let mut run_with = crate::verify::RunWith::new(
            self.env.as_deref().unwrap_or_default(),
            self.env_files.as_deref().unwrap_or_default(),
            self.volumes.as_deref().unwrap_or_default(),
            self.args.clone().unwrap_or_default(),
            probes_file,
        )
        .map_err(|e| format!("{name}: `verify`: {e}"))?;
        if let Some(p) = inline {
            run_with.probes = p;
        }
        Ok(crate::verify::Options {
            smoke: self.smoke.as_ref().map(|s| s.smoke.clone()),
            expect: self.smoke.as_ref().and_then(|s| s.expect.clone()),
            run_with,
            allow_bigger: self.allow_bigger.unwrap_or(base.allow_bigger),
            cache_check: self.cache_check.unwrap_or(base.cache_check),
            stop_timeout: self.stop_timeout.unwrap_or(base.stop_timeout),
            ..base.clone()
        })
    }
}

/// `verify:` as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawChecks {
    #[serde(default)]
    smoke: Option<Spanned<RawSmoke>>,
    #[serde(default)]
    probes: Option<Spanned<RawProbes>>,
    #[serde(default)]
    env: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    env_files: Option<Vec<String>>,
    #[serde(default)]
    volumes: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    args: Option<Vec<String>>,
    #[serde(default)]
    stop_timeout: Option<Spanned<u64>>,
    #[serde(default)]
    allow_bigger: Option<bool>,
    #[serde(default)]
    cache_check: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSmoke {
    #[serde(default)]
    http: Option<Spanned<String>>,
    #[serde(default)]
    exec: Option<String>,
    #[serde(default)]
    expect: Option<String>,
}

/// `probes: FILE` or `probes: [ … ]` (the probes file's list).
enum RawProbes {
    File(String),
    Inline(Vec<crate::verify::probes::ProbeRaw>),
}

impl<'de> Deserialize<'de> for RawProbes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawProbes;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a probes file or a list of probes")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawProbes, E> {
                Ok(RawProbes::File(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RawProbes, A::Error> {
                let mut out = Vec::new();
                while let Some(p) = seq.next_element()? {
                    out.push(p);
                }
                Ok(RawProbes::Inline(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl RawChecks {
    fn checks(self, file: &str, dir: &Path, key: &str) -> Result<Checks, ConfigError> {
        let bad = |loc: &serde_saphyr::Location, what: &str| {
            ConfigError::Invalid(format!("{}: `{key}.{what}", at(file, loc)))
        };
        let mut origin = None;
        let smoke = match self.smoke {
            None => None,
            Some(s) => {
                origin = Some(at(file, &s.referenced));
                let loc = s.referenced;
                let s = s.value;
                let smoke = match (s.http, s.exec) {
                    (Some(h), None) => {
                        let (port, path) =
                            crate::verify::smoke::parse_http(&h.value).map_err(|_| {
                                bad(
                                    &h.referenced,
                                    &format!(
                                        "smoke.http`: `{}` is not PORT[/PATH], e.g. 8080/health",
                                        h.value
                                    ),
                                )
                            })?;
                        crate::verify::Smoke::Http { port, path }
                    }
                    (None, Some(e)) => crate::verify::Smoke::Exec(e),
                    _ => {
                        return Err(bad(
                            &loc,
                            "smoke`: needs exactly one of `http: PORT[/PATH]` and `exec: ARGS`",
                        ));
                    }
                };
                Some(SmokeCheck {
                    smoke,
                    expect: s.expect,
                })
            }
        };
        let probes =
            match self.probes {
                None => None,
                Some(p) => Some(match p.value {
                    RawProbes::File(f) => ProbesFrom::File {
                        path: dir.join(f),
                        at: at(file, &p.referenced),
                    },
                    RawProbes::Inline(list) => {
                        if list.is_empty() {
                            return Err(bad(&p.referenced, "probes`: the list is empty"));
                        }
                        ProbesFrom::Inline(crate::verify::probes::from_raw(file, list).map_err(
                            |e| ConfigError::Invalid(format!("{e} (in `{key}.probes`)")),
                        )?)
                    }
                }),
            };
        if let Some(env) = &self.env {
            for e in env {
                let key_ok = e.value.split_once('=').is_some_and(|(k, _)| {
                    !k.is_empty()
                        && !k.starts_with(|c: char| c.is_ascii_digit())
                        && k.chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
                });
                if !key_ok {
                    let k = e.value.split('=').next().unwrap_or("");
                    return Err(bad(
                        &e.referenced,
                        &format!("env`: `{k}`: expected KEY=VALUE with KEY a variable name"),
                    ));
                }
            }
        }
        let volumes = match self.volumes {
            None => None,
            Some(v) => {
                let mut out = Vec::new();
                for spec in v {
                    let parts: Vec<&str> = spec.value.split(':').collect();
                    let ok = matches!(parts.as_slice(), [h, c] | [h, c, "ro" | "rw"] if !h.is_empty() && c.starts_with('/'));
                    if !ok {
                        return Err(bad(
                            &spec.referenced,
                            &format!(
                                "volumes`: `{}` is not HOST:CONTAINER[:ro] (CONTAINER absolute)",
                                spec.value
                            ),
                        ));
                    }
                    let host = dir.join(parts[0]);
                    let rest = spec.value[parts[0].len()..].to_string();
                    out.push(format!("{}{rest}", host.display()));
                }
                Some(out)
            }
        };
        let stop_timeout = match self.stop_timeout {
            Some(t) if !(1..=300).contains(&t.value) => {
                return Err(bad(
                    &t.referenced,
                    &format!(
                        "stop-timeout`: {} is not between 1 and 300 seconds",
                        t.value
                    ),
                ));
            }
            t => t.map(|t| t.value),
        };
        Ok(Checks {
            smoke,
            probes,
            env: self.env.map(|v| v.into_iter().map(|e| e.value).collect()),
            env_files: self
                .env_files
                .map(|v| v.into_iter().map(|f| dir.join(f)).collect()),
            volumes,
            args: self.args,
            stop_timeout,
            allow_bigger: self.allow_bigger,
            cache_check: self.cache_check,
            origin,
        })
    }
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
        // The reason names the pattern that matched, as written.
        assert_eq!(
            c.verdict(Path::new("/repo/legacy/x/Dockerfile")),
            Verdict::Skip("`legacy/` under `skip:` in /repo/.dfsplit.yaml".into())
        );
        assert_eq!(
            c.verdict(Path::new("/repo/a/b/Dockerfile.dev")),
            Verdict::Skip("`**/Dockerfile.dev` under `skip:` in /repo/.dfsplit.yaml".into())
        );
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
    fn verify_checks_per_path_in_verifys_own_vocabulary() {
        let c = parse(
            "verify:\n  smoke: {http: 8080/health, expect: ok}\n  env: [PORT=8080]\n  stop-timeout: 7\n\
             overrides:\n  - path: [cli/**]\n    verify:\n      smoke: {exec: '--version', expect: 'tool 1.2'}\n      env: []\n\
             \x20 - path: [notes/**]\n    verify:\n      probes:\n        - {name: save, method: POST, path: /notes, body: hi, expect: {status: 201}}\n        - path: /notes\n          expect: {contains: hi}\n\
             \x20 - path: [files/**]\n    verify: {probes: probes.yaml, args: [--port, '8080'], volumes: ['data:/srv/data:ro']}\n",
        )
        .unwrap();
        let api = c.checks(Path::new("/repo/api/Dockerfile"));
        let smoke = api.smoke.clone().unwrap();
        assert_eq!(
            smoke.smoke,
            crate::verify::Smoke::Http {
                port: 8080,
                path: "/health".into()
            }
        );
        assert_eq!(smoke.expect.as_deref(), Some("ok"));
        assert_eq!(api.origin.as_deref(), Some("/repo/.dfsplit.yaml:2:10"));
        let o = api
            .options(&c.path, &crate::verify::Options::default())
            .unwrap();
        assert_eq!(o.stop_timeout, 7);
        assert_eq!(o.run_with.env.keys(), ["PORT"]);
        assert!(o.cache_check, "verify's default stays");
        // An override replaces what it names, key by key: the smoke check and env.
        let cli = c.checks(Path::new("/repo/cli/Dockerfile"));
        assert_eq!(
            cli.smoke.as_ref().map(|s| &s.smoke),
            Some(&crate::verify::Smoke::Exec("--version".into()))
        );
        assert_eq!(cli.env, Some(vec![]));
        assert_eq!(cli.stop_timeout, Some(7));
        assert_eq!(cli.origin.as_deref(), Some("/repo/.dfsplit.yaml:8:14"));
        // Inline probes: the probes file's format, checked when the file is read.
        let notes = c
            .checks(Path::new("/repo/notes/Dockerfile"))
            .options(&c.path, &crate::verify::Options::default())
            .unwrap();
        let names: Vec<&str> = notes
            .run_with
            .probes
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["save", "GET /notes"]);
        assert_eq!(notes.run_with.probes[0].request.body, b"hi");
        // Paths are the config folder's; files are read when the checks are used.
        let files = c.checks(Path::new("/repo/files/Dockerfile"));
        assert_eq!(
            files.probes,
            Some(ProbesFrom::File {
                path: PathBuf::from("/repo/probes.yaml"),
                at: "/repo/.dfsplit.yaml:17:22".into()
            })
        );
        assert_eq!(
            files.volumes,
            Some(vec!["/repo/data:/srv/data:ro".to_string()])
        );
        assert_eq!(files.args, Some(vec!["--port".to_string(), "8080".into()]));
        let e = files
            .options(&c.path, &crate::verify::Options::default())
            .unwrap_err();
        assert_eq!(
            e,
            "/repo/.dfsplit.yaml:17:22: `verify.probes`: /repo/probes.yaml is not a file"
        );
        // No `verify:` anywhere: nothing set.
        assert!(
            parse("base: slim\n")
                .unwrap()
                .checks(Path::new("/repo/Dockerfile"))
                .is_empty()
        );
    }

    #[test]
    fn verify_errors_name_the_place_and_the_key() {
        let e = parse("verify:\n  smoke: {http: 8080/health}\n  colour: red\n").unwrap_err();
        assert!(e.starts_with("/repo/.dfsplit.yaml:3:3: "), "{e}");
        assert!(e.contains("colour"), "{e}");
        let e = parse("verify:\n  smoke: {http: eighty/health}\n").unwrap_err();
        assert_eq!(
            e,
            "/repo/.dfsplit.yaml:2:17: `verify.smoke.http`: `eighty/health` is not PORT[/PATH], e.g. 8080/health"
        );
        let e = parse("verify:\n  smoke: {http: '80', exec: ''}\n").unwrap_err();
        assert_eq!(
            e,
            "/repo/.dfsplit.yaml:2:10: `verify.smoke`: needs exactly one of `http: PORT[/PATH]` and `exec: ARGS`"
        );
        let e = parse("overrides:\n  - path: [a/**]\n    verify:\n      stop-timeout: 0\n")
            .unwrap_err();
        assert_eq!(
            e,
            "/repo/.dfsplit.yaml:4:21: `overrides.verify.stop-timeout`: 0 is not between 1 and 300 seconds"
        );
        let e = parse("verify:\n  env: [PORT=1, 'BAD KEY=x']\n").unwrap_err();
        assert!(
            e.starts_with("/repo/.dfsplit.yaml:2:17: `verify.env`: `BAD KEY`"),
            "{e}"
        );
        let e = parse("verify:\n  probes:\n    - path: /x\n      metod: GET\n").unwrap_err();
        assert!(e.starts_with("/repo/.dfsplit.yaml:4:7: "), "{e}");
        assert!(e.contains("metod"), "{e}");
        let e = parse("verify:\n  probes:\n    - path: nope\n").unwrap_err();
        assert!(
            e.starts_with("/repo/.dfsplit.yaml:3:13: path `nope`"),
            "{e}"
        );
        let e = parse("verify:\n  volumes: [data]\n").unwrap_err();
        assert!(
            e.starts_with("/repo/.dfsplit.yaml:2:13: `verify.volumes`"),
            "{e}"
        );
        // Combinations are checked when the checks are used (an override may complete them).
        let c = parse("verify:\n  smoke: {exec: ''}\n  probes: p.yaml\n").unwrap();
        let e = c
            .checks(Path::new("/repo/Dockerfile"))
            .options(&c.path, &crate::verify::Options::default())
            .unwrap_err();
        assert!(
            e.starts_with("/repo/.dfsplit.yaml:2:10: `verify.probes` needs an http smoke check"),
            "{e}"
        );
        let c = parse("verify:\n  env: [A=1]\n").unwrap();
        let e = c
            .checks(Path::new("/repo/Dockerfile"))
            .options(&c.path, &crate::verify::Options::default())
            .unwrap_err();
        assert!(e.contains("but no `smoke:` check starts it"), "{e}");
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
