//! Typed schema of the rule files.
//!
//! Every struct denies unknown keys, so a typo in a rule file is reported as an
//! error at the key's `FILE:LINE:COL` instead of being silently ignored. Keys
//! are spelled in kebab-case in YAML (`any-arg`, `ca-certs`, ...).
//! `rules/README.md` documents every key.
//!
//! The types also serialize, with the same key names: `build.rs` loads the
//! embedded YAML with the loader of this module (parsed with these types,
//! validated and merged) and writes the merged set in postcard's binary form,
//! which [`super::Rules::embedded`] reads through these same `Deserialize`
//! impls instead of parsing, validating and merging at every start (and each
//! file as JSON, which an overlay load reads). The merged types
//! ([`Profile`], [`Bases`], ...) take only that output: every key is written
//! there. Postcard is not self-describing, so a `Deserialize` here never asks
//! for "any" value when the format is not human-readable ([`one_or_many`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/// Deserializes either a single string or a list of strings into a `Vec`.
pub(crate) fn one_or_many<'de, D>(deserializer: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    // The binary form `build.rs` embeds is not self-describing: it always
    // holds the list, as the types serialize it.
    if !deserializer.is_human_readable() {
        return Vec::<String>::deserialize(deserializer);
    }
    deserializer.deserialize_any(OneOrManyVisitor)
}

struct OneOrManyVisitor;

impl<'de> Visitor<'de> for OneOrManyVisitor {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a list of strings")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(vec![v.to_owned()])
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(vec![v])
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(vec![v.to_string()])
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Err(E::custom(format!(
            "`{v}` reads as a number; quote it so its spelling is kept"
        )))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element::<String>()? {
            out.push(item);
        }
        Ok(out)
    }
}

/// One positional-argument slot of a [`CommandMatch`]: the argument must match
/// one of these glob patterns. Written in YAML as a string or a list of strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArgPattern(pub Vec<String>);

impl<'de> Deserialize<'de> for ArgPattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        one_or_many(deserializer).map(ArgPattern)
    }
}

/// How an overlay entry combines with an embedded entry of the same id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MergeMode {
    /// Keyed lists merge by key, string lists are unioned, other present keys
    /// replace the embedded value. This is the default.
    #[default]
    Extend,
    /// The overlay entry replaces the embedded one wholesale.
    Replace,
}

// ---------------------------------------------------------------------------
// Profiles
// ---------------------------------------------------------------------------

/// A language profile as written in a file (`rules/node.yaml`, ...).
///
/// All keys but `id` are optional here so that an overlay can extend an
/// embedded profile with just a few rules; [`Profile`] is the complete form.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ProfileFile {
    pub id: String,
    #[serde(default)]
    pub merge: MergeMode,
    pub name: Option<String>,
    pub detect: Option<Detect>,
    #[serde(default)]
    pub commands: Vec<CommandRule>,
    pub runtime: Option<RuntimeNeeds>,
    #[serde(default)]
    pub gates: Vec<GateRule>,
    #[serde(default)]
    pub wrappers: Vec<Wrapper>,
    pub tools: Option<Tools>,
}

/// A complete language profile: how to recognise the language and how to
/// classify its commands.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Profile {
    /// Stable identifier (`node`, `go`, ...); every rule id starts with `<id>/`.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// How to tell that a Dockerfile belongs to this profile.
    pub detect: Detect,
    /// Command rules for `RUN` steps, tried in order; the first match wins.
    pub commands: Vec<CommandRule>,
    /// What the runtime stage must receive and how the app is launched.
    pub runtime: RuntimeNeeds,
    /// `CMD`/`ENTRYPOINT` forms that run a build tool at runtime; when one
    /// matches, the Dockerfile is left unchanged.
    pub gates: Vec<GateRule>,
    /// Programs that run another program (`python -m`, `poetry run`, `npx`).
    pub wrappers: Vec<Wrapper>,
    /// What the engine knows of the profile's build tools beyond their
    /// command rules.
    pub tools: Tools,
}

/// Detection hints for a profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Detect {
    /// Glob patterns over normalised image names (no tag), e.g. `node`,
    /// `mcr.microsoft.com/dotnet/sdk`.
    #[serde(default)]
    pub images: Vec<String>,
    /// Glob patterns over file names (not paths), e.g. `package.json`, `*.csproj`.
    #[serde(default)]
    pub manifests: Vec<String>,
    /// Of `manifests`, those whose text the analysis reads.
    #[serde(default)]
    pub read: Vec<String>,
    /// Of `manifests`, those that only declare dependencies (a COPY of them
    /// alone feeds the dependencies stage).
    #[serde(default)]
    pub dependencies: Vec<String>,
    /// Program names (basename of argv\[0\]) typical of the profile.
    #[serde(default)]
    pub commands: Vec<String>,
}

/// Role of a `RUN` step in the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Installs dependencies needed by later build steps.
    InstallDeps,
    /// Compiles or bundles the application.
    Build,
    /// Tests or lints; never needed at runtime.
    Test,
    /// Prepares something the runtime stage itself needs (e.g. production-only
    /// dependencies).
    RuntimeSetup,
    /// Installs or uses a build tool that the running application still calls.
    BuildToolAtRuntime,
}

impl Role {
    /// The kebab-case spelling used in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::InstallDeps => "install-deps",
            Role::Build => "build",
            Role::Test => "test",
            Role::RuntimeSetup => "runtime-setup",
            Role::BuildToolAtRuntime => "build-tool-at-runtime",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A classification rule for one kind of `RUN` command.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CommandRule {
    /// Stable id, `<profile>/<name>`, used in explanations and docs.
    pub id: String,
    /// Which commands this rule applies to.
    #[serde(rename = "match")]
    pub matcher: CommandMatch,
    /// What the step is for.
    pub role: Role,
    /// Files the step reads (manifests, lockfiles), relative to `WORKDIR`;
    /// may use `{capture}` placeholders.
    #[serde(default)]
    pub reads: Vec<String>,
    /// What the step leaves behind.
    #[serde(default)]
    pub produces: Vec<Artifact>,
    /// One line: why the step has this role.
    pub why: String,
}

/// Pattern over a simple command: program name plus argument constraints.
///
/// Arguments starting with `-` are options; `--` ends options. All patterns
/// are globs (`*`, `?`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CommandMatch {
    /// Program name patterns, matched against the basename of argv\[0\].
    #[serde(deserialize_with = "one_or_many")]
    pub program: Vec<String>,
    /// Leading positional arguments, in order: slot *n* must match one of its
    /// patterns. Further positionals are unconstrained.
    #[serde(default)]
    pub args: Vec<ArgPattern>,
    /// At least one positional argument must match one of these patterns.
    #[serde(default)]
    pub any_arg: Vec<String>,
    /// At least one option must match one of these patterns. An option with a
    /// value is seen both as `--name` and as `--name=value`.
    #[serde(default)]
    pub with_flag: Vec<String>,
    /// No option may match any of these patterns.
    #[serde(default)]
    pub without_flag: Vec<String>,
    /// Options that take a separate value (`--prefix DIR`), so the value is
    /// not mistaken for a positional argument.
    #[serde(default)]
    pub value_flags: Vec<String>,
    /// Named captures: name → option spellings whose value is captured
    /// (`output: [-o, --output]`). Captured options take a value.
    #[serde(default)]
    pub capture: BTreeMap<String, Vec<String>>,
    /// Named captures of positional arguments: name → 0-based index
    /// (`venv: 0` captures `/opt/venv` in `venv /opt/venv`).
    #[serde(default)]
    pub capture_args: BTreeMap<String, usize>,
    /// When true, no positional arguments beyond the `args` slots are allowed
    /// (so `yarn` alone can be told from `yarn add x`).
    #[serde(default)]
    pub exact: bool,
    /// Every positional argument beyond the `args` slots must match one of
    /// these patterns (`pip install poetry poetry-plugin-export`: only tools).
    #[serde(default)]
    pub rest_args: Vec<String>,
}

/// A program that runs another program: `python -m pip ...` runs `pip`,
/// `poetry run pytest` runs `pytest`, `npx tsc` runs `tsc`. Matching first
/// tries the command as written, then the unwrapped command.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Wrapper {
    /// Stable id, `<profile>/<name>`.
    pub id: String,
    /// Wrapper program name patterns.
    #[serde(deserialize_with = "one_or_many")]
    pub program: Vec<String>,
    /// Leading positional arguments that belong to the wrapper (`[run]`);
    /// the next positional is the wrapped program.
    #[serde(default)]
    pub args: Vec<ArgPattern>,
    /// Option whose value is the wrapped program (`-m` for `python -m pip`).
    #[serde(default)]
    pub module_flag: Option<String>,
    /// Options of the wrapper that take a separate value.
    #[serde(default)]
    pub value_flags: Vec<String>,
    /// One line: what the wrapper does.
    pub why: String,
}

/// What an artifact is, which tells the engine where it belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// An installed dependency tree the app loads at runtime
    /// (`node_modules`, a venv, site-packages).
    Dependencies,
    /// A download cache only later build steps use (`~/.m2`, Go module cache).
    DependencyCache,
    /// Compiled or bundled output (a binary, a jar, a publish folder, `dist/`).
    BuildOutput,
}

/// A path a step produces.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Artifact {
    /// Path template: relative to `WORKDIR` unless absolute; `~/` is the home
    /// of the user running the step; `{name}` inserts a capture; globs allowed.
    pub path: String,
    /// What the path holds.
    pub kind: ArtifactKind,
    /// Path to use when a capture in `path` is absent (e.g. no `-o` given).
    /// Without it the artifact is unknown in that case.
    #[serde(default)]
    pub default: Option<String>,
}

/// A `CMD`/`ENTRYPOINT` form with a special meaning (gate or launcher).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GateRule {
    /// Stable id, `<profile>/<name>`.
    pub id: String,
    /// Which commands this rule applies to.
    #[serde(rename = "match")]
    pub matcher: CommandMatch,
    /// One line: why this form forces the decision.
    pub why: String,
    /// The id of the start-command translation that may lift this gate
    /// (`go/start-go-build`: `go run` → `go build` + the binary), carried out
    /// by the engine (`src/plan/start/`); the gate stays when it refuses.
    #[serde(default)]
    pub translation: Option<String>,
}

/// What the runtime stage needs from the build, and launch conventions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuntimeNeeds {
    /// Things the runtime stage must receive.
    #[serde(default)]
    pub receives: Vec<RuntimeArtifact>,
    /// Environment the runtime stage must set (e.g. `PATH` for a venv).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// How the app is launched.
    #[serde(default)]
    pub entrypoint: EntrypointConvention,
    /// Packages of the language's registry that, installed on the full
    /// builder image, load a shared library of one of its system packages,
    /// which the slim runtime must install.
    #[serde(default)]
    pub libraries: Option<NativeLibraries>,
}

/// The table of [`NativeLibrary`] entries, under one rule id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NativeLibraries {
    /// Stable id, `<profile>/<name>`: the rule the runtime's install names.
    pub id: String,
    /// The packages, keyed by name.
    pub packages: Vec<NativeLibrary>,
}

/// A registry package that loads a system library at run time
/// (`psycopg2` → libpq's `libpq5`): the runtime installs that library's
/// runtime packages when the full builder image provided it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NativeLibrary {
    /// The package's name as the registry normalises it (`psycopg2`).
    pub package: String,
    /// The Debian build package of `packages.yaml` whose runtime packages
    /// it loads (`libpq-dev`), which the full builder image has.
    pub links: String,
    /// One line: why it needs the library (no wheel, ctypes, …).
    pub why: String,
}

/// One thing the runtime stage must receive.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuntimeArtifact {
    /// Stable id, `<profile>/<name>`.
    pub id: String,
    /// Short description.
    pub what: String,
    /// Path template, as in [`Artifact::path`]; `{name}` refers to captures of
    /// the producing rule.
    pub path: String,
    /// Rule ids whose output supplies this artifact as-is.
    #[serde(default)]
    pub from: Vec<String>,
    /// Command that produces the runtime form when the Dockerfile only has a
    /// build-time form (e.g. `npm ci --omit=dev` after a full `npm ci`).
    #[serde(default)]
    pub otherwise: Option<String>,
    /// Whether the app can run without it (e.g. no dependencies at all).
    #[serde(default)]
    pub optional: bool,
    /// One line: why the runtime needs it.
    pub why: String,
}

/// Launch conventions of a profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EntrypointConvention {
    /// Interpreter program the app is started with, if any (`node`, `java`).
    #[serde(default)]
    pub interpreter: Option<String>,
    /// Exec-form template of the usual launch, e.g. `["node", "{main}"]`.
    #[serde(default)]
    pub form: Vec<String>,
    /// `CMD` forms that go through a package manager (`npm start`): they work
    /// only on a runtime base that ships that tool.
    #[serde(default)]
    pub launchers: Vec<GateRule>,
    /// Free-form notes for humans.
    #[serde(default)]
    pub notes: Option<String>,
}

// ---------------------------------------------------------------------------
// Build tools, and the engine's own tables
// ---------------------------------------------------------------------------

/// What the engine knows of build tools beyond their command rules: commands
/// that only configure a tool or clean its cache, the download caches a
/// BuildKit cache mount may keep, and the environment variables that only
/// steer the tools. Written as `tools:` in a profile (its own tools) and in
/// `rules/core.yaml` (tools of no profile). Every table is consulted for
/// every Dockerfile, whichever profile it has: a Python image may still run
/// `git config`, or set `GOFLAGS`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Tools {
    /// Commands that configure a build tool for the build user (`npm config
    /// set`, `go env -w`, `corepack enable`): `core/build-tool-config`, kept
    /// in the build stage. Matched as written, not through wrappers, after
    /// the command rules.
    #[serde(default)]
    pub config: Vec<CommandMatch>,
    /// Commands that clean a tool's own cache (`npm cache clean --force`):
    /// `core/package-housekeeping`, nothing the runtime needs.
    #[serde(default)]
    pub cache_clean: Vec<CommandMatch>,
    /// Download caches a BuildKit cache mount may keep between builds.
    #[serde(default)]
    pub cache_mounts: Vec<CacheMount>,
    /// Globs over ENV names that only steer builds and package managers
    /// (`GOFLAGS`, `PIP_*`): an ENV that sets only these (or secrets) stays
    /// in the build stage (`core/env-build-only`).
    #[serde(default)]
    pub build_env: Vec<String>,
    /// Images a build copies a tool's files from (`COPY --from=IMAGE`): the
    /// tool stays in the build stage when the start command does not run it.
    #[serde(default)]
    pub images: Vec<ToolImage>,
}

/// A tool image: `COPY --from=IMAGE FILES… DEST` brings a build tool.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ToolImage {
    /// Stable id, `<profile>/<name>`.
    pub id: String,
    /// Glob over the image's name (no tag).
    pub image: String,
    /// The files such a COPY may take (absolute paths in the image).
    pub files: Vec<String>,
    /// One line: what the tool is for.
    pub why: String,
}

/// A download cache a BuildKit cache mount may keep between builds: only
/// caches that never decide what ends up in the image.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CacheMount {
    /// Where the tool keeps the cache when it runs as root: the mount's
    /// `target` (absolute). Overlays merge cache mounts by it.
    pub target: String,
    /// What the explanation calls it (`npm's download cache`).
    pub what: String,
    /// Ids of the command rules whose commands fill it.
    pub rules: Vec<String>,
    /// Program name patterns the command must have (basename); empty: any.
    #[serde(default, deserialize_with = "one_or_many")]
    pub program: Vec<String>,
    /// A command with one of these arguments does not fill it
    /// (`--no-cache-dir`); another command of the step still may.
    #[serde(default)]
    pub unless_arg: Vec<String>,
    /// ENV names (globs) that turn the cache off: a step that sees one and
    /// runs such a command gets no mount at all (it would stay empty).
    #[serde(default)]
    pub unless_env: Vec<String>,
}

/// `rules/core.yaml`: the engine's own tables, for commands and names that
/// belong to no language profile. An overlay's `core.yaml` extends every
/// list (and merges `tools` as a profile's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Core {
    /// Commands that print or check and change no file (`core/harmless`).
    #[serde(default)]
    pub harmless: Harmless,
    /// Programs whose arguments are paths (`cp`, `mkdir`, `sed -i`): on
    /// paths under the working directory or `/tmp` only, the command is
    /// `core/workdir-files`; otherwise `core/system-files`.
    #[serde(default)]
    pub file_commands: Vec<String>,
    /// Globs over paths whose removal (`rm -rf /var/lib/apt/lists/*`) only
    /// cleans a package manager's cache (`core/package-housekeeping`).
    #[serde(default)]
    pub cache_paths: Vec<String>,
    /// Build tools of no profile (`git config`, `DEBIAN_FRONTEND`).
    #[serde(default)]
    pub tools: Tools,
}

/// Commands that print or check and change no file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Harmless {
    /// Program name patterns harmless whatever their arguments (`echo`,
    /// `ls`, `test`).
    #[serde(default)]
    pub programs: Vec<String>,
    /// Program name patterns harmless only as a version check: exactly one
    /// argument, one of `version-args` (`node --version`; `node app.js` runs
    /// code).
    #[serde(default)]
    pub version_checks: Vec<String>,
    /// The spellings of that one argument (`--version`, `-v`).
    #[serde(default)]
    pub version_args: Vec<String>,
}

// ---------------------------------------------------------------------------
// Bases
// ---------------------------------------------------------------------------

/// `rules/bases.yaml` as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct BasesFile {
    #[serde(default)]
    pub releases: Vec<Release>,
    #[serde(default)]
    pub musl_markers: Vec<String>,
    #[serde(default)]
    pub families: Vec<BaseFamilyFile>,
}

/// A builder family as written (all keys but `id` optional, for overlays).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct BaseFamilyFile {
    pub id: String,
    #[serde(default)]
    pub merge: MergeMode,
    #[serde(default)]
    pub builders: Vec<Builder>,
    #[serde(default)]
    pub candidates: Vec<CandidateSpec>,
}

/// The base-image catalogue.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Bases {
    /// Distribution releases: the names tags use for them (`bookworm`,
    /// `jammy`, ...) and their C library. A tag component equal to one of
    /// these names sets the `{suite}` variable.
    pub releases: Vec<Release>,
    /// Tag substrings meaning the builder is musl-based (`alpine`).
    pub musl_markers: Vec<String>,
    /// Builder families, in order.
    pub families: Vec<BaseFamily>,
}

/// Builder images and the runtime bases that suit their output.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BaseFamily {
    /// Stable id (`go`, `node`, ...).
    pub id: String,
    /// Builder images this family applies to.
    pub builders: Vec<Builder>,
    /// Runtime candidates, in order of preference.
    pub candidates: Vec<CandidateSpec>,
}

impl Bases {
    /// The release a tag component names (`bookworm`), if any.
    pub fn release_by_suite(&self, suite: &str) -> Option<&Release> {
        self.releases.iter().find(|r| r.suite == suite)
    }

    /// The release with this distribution id (`debian12`), if any.
    pub fn release_by_distro(&self, distro: &str) -> Option<&Release> {
        self.releases.iter().find(|r| r.distro == distro)
    }
}

/// A distribution release as builder tags name it, with its C library.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Release {
    /// The name tags use (`bookworm`, `trixie`, `jammy`).
    pub suite: String,
    /// The distribution id base images use (`debian12`).
    pub distro: String,
    /// The GNU C library version it ships (`2.36`), when known.
    #[serde(default)]
    pub glibc: Option<String>,
    /// Why the release no longer gets security updates, when it does not
    /// (`buster`): a builder on it gets a warning.
    #[serde(default)]
    pub unmaintained: Option<String>,
}

/// A builder image name and how to read versions from its tag.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Builder {
    /// Glob over the normalised image name (no tag).
    pub image: String,
    /// Tag patterns: `*` matches anything, `{var}` captures a run of digits.
    /// Every pattern that matches the whole tag contributes the variables it
    /// captures; an earlier pattern wins for the same variable.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The release a tag that names none is built on, by version: the first
    /// entry whose `versions` all match the tag's variables. A version not
    /// listed has no known release.
    #[serde(default)]
    pub default_suites: Vec<DefaultSuite>,
    /// Tags that name a moving release line instead of a version (`lts`,
    /// `current`, `latest`). The first component of such a tag fills
    /// `{version}` as written, except `latest` (also a missing tag), whose
    /// variants carry no version (`node:slim`). A moving tag gives no
    /// `{major}`: images published per major are not offered.
    #[serde(default)]
    pub moving: Vec<String>,
    /// Globs over tag components that name a variant of the image, not a
    /// version (`slim`, `alpine*`); release names (`bookworm`) always are.
    /// A tag made only of variants is `latest`'s variant (`node:slim`).
    #[serde(default)]
    pub variants: Vec<String>,
    /// Why the image is no longer maintained, when it is not (`openjdk`):
    /// a rewrite from it carries this as a warning.
    #[serde(default)]
    pub deprecated: Option<String>,
    /// The image repository whose interpreter these images hold, built the
    /// same way at the same path (uv's `python3.12-bookworm-slim` images are
    /// built FROM `python:3.12-slim-bookworm`): candidates that require the
    /// builder's own interpreter accept that repository's images.
    #[serde(default)]
    pub interpreter_of: Option<String>,
    /// The accounts the image has beyond its distribution's system accounts
    /// (uids 1–999 and nobody): a numeric USER is read against them, and
    /// any other uid from 1000 on is taken to have no account in it.
    #[serde(default)]
    pub accounts: Vec<BuilderAccount>,
}

/// One line of a builder's default releases.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DefaultSuite {
    /// A release name from `releases`.
    pub suite: String,
    /// Allowed values per tag variable (`minor: ["24", "25"]`).
    pub versions: BTreeMap<String, Vec<String>>,
}

/// Where a candidate image is published: one distribution release, for
/// which versions, and whether it is still maintained there.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CandidateRelease {
    /// A distribution id from `releases` (`debian13`); fills `{distro}`.
    pub distro: String,
    /// Allowed values per tag variable on this release; empty: any.
    #[serde(default)]
    pub versions: BTreeMap<String, Vec<String>>,
    /// Why this release is no longer updated, when it is not: it is used
    /// only when no maintained release fits, and then with a warning.
    #[serde(default)]
    pub deprecated: Option<String>,
}

/// C library of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Libc {
    /// GNU libc (Debian, Ubuntu, distroless).
    Glibc,
    /// musl (Alpine).
    Musl,
    /// No C library (scratch, distroless static).
    None,
}

/// Package manager available in an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageManager {
    /// Debian/Ubuntu `apt-get`.
    Apt,
    /// Alpine `apk`.
    Apk,
    /// None at all.
    None,
}

/// Kind of application a runtime base suits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppKind {
    /// A statically linked binary (Go with `CGO_ENABLED=0`).
    StaticBinary,
    /// A binary linked against the C library (cgo).
    DynamicBinary,
    /// A Node.js server or CLI.
    NodeApp,
    /// Static files built by Node (a SPA) served by a web server.
    StaticSite,
    /// A Python application.
    PythonApp,
    /// A JVM application (jar).
    JvmApp,
    /// A framework-dependent ASP.NET Core app.
    DotnetWeb,
    /// A framework-dependent .NET console/worker app.
    DotnetConsole,
    /// A self-contained .NET app (bundles the runtime).
    DotnetSelfContained,
}

/// Condition the engine must check before using a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Requirement {
    /// The binary must be built with `CGO_ENABLED=0`.
    CgoDisabled,
    /// No shell: `CMD`/`ENTRYPOINT` must be in exec form, no `RUN`.
    ExecFormOnly,
    /// The launch must not go through a package manager (`npm start`).
    NoPackageManagerAtRuntime,
    /// CA certificates must be copied in if the app makes TLS calls.
    BringCaCerts,
    /// Native extensions and venvs must match the image's interpreter
    /// version and path.
    SameInterpreter,
    /// No ICU and no tzdata: .NET runs globalization-invariant there, so the
    /// project must opt in with `InvariantGlobalization`.
    NoIcu,
    /// Another JVM vendor than the Temurin builders: only when the builder
    /// is not Temurin, or the user asks for it.
    OtherJvmVendor,
    /// The runtime is the one jlink builds in the build stage from the
    /// builder's JDK: only when the java profile shows which modules the app
    /// needs (jdeps can see how it loads classes).
    JlinkRuntime,
    /// The server runs as a non-root user: the site's port must be 1024 or
    /// above (engines that keep the kernel's default for unprivileged ports,
    /// Kubernetes among them, refuse lower ones).
    UnprivilegedPort,
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct User {
    /// Account name.
    pub name: String,
    /// Numeric uid.
    pub uid: u32,
    /// Its home directory (the HOME Docker gives a process running as
    /// it), when the catalogue records it: a numeric USER naming a builder's
    /// account is only kept on a base whose account has the same name, uid
    /// and home.
    #[serde(default)]
    pub home: Option<String>,
}

/// An account a builder image has beyond its distribution's system accounts
/// (the official `node` images' `node`, uid 1000, home /home/node). Its
/// primary group has the same id and name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BuilderAccount {
    /// Account name.
    pub name: String,
    /// Numeric uid (and gid).
    pub uid: u32,
    /// Home directory, made by the image and owned by the account.
    pub home: String,
    /// The releases whose images have it (Ubuntu's `ubuntu` account, in the
    /// images from 23.04 on); empty: every image of the builder.
    #[serde(default)]
    pub suites: Vec<String>,
}

/// Facts about one runtime base candidate. `image` is a template.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CandidateSpec {
    /// Stable id, `<family>/<name>`.
    pub id: String,
    /// Image template: `{var}` from the builder tag; `[...]` is optional and
    /// rendered only when every variable inside it is known.
    pub image: String,
    /// Template of a variant that runs as a non-root user, if any.
    #[serde(default)]
    pub nonroot_image: Option<String>,
    /// Whether `/bin/sh` exists.
    pub shell: bool,
    /// C library.
    pub libc: Libc,
    /// Package manager.
    pub package_manager: PackageManager,
    /// Default user.
    pub user: User,
    /// Other accounts that exist in the image (e.g. `node` uid 1000).
    #[serde(default)]
    pub other_users: Vec<User>,
    /// Image `ENTRYPOINT`, if set.
    #[serde(default)]
    pub entrypoint: Option<Vec<String>>,
    /// Whether a CA certificate bundle is present.
    pub ca_certs: bool,
    /// Approximate compressed pull size in MB (linux/amd64). Approximate:
    /// use for ranking only.
    pub approx_size_mb: u32,
    /// Distribution releases the image is published for, in order of
    /// preference (`{distro}` in the templates). Empty: the image follows
    /// the builder's tag and has no release of its own.
    #[serde(default)]
    pub releases: Vec<CandidateRelease>,
    /// Kinds of app this base suits.
    pub suits: Vec<AppKind>,
    /// Conditions to check before using it.
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// Allowed values per tag variable (`major: ["20", "22"]`); the candidate
    /// is offered only when each listed variable is known and allowed.
    #[serde(default)]
    pub versions: BTreeMap<String, Vec<String>>,
    /// Suites this image is published for; `{suite}` is set only if the
    /// builder's suite is one of them.
    #[serde(default)]
    pub suites: Vec<String>,
    /// Whether the candidate's libc must equal the builder's (default true;
    /// false for a web server that only serves files).
    #[serde(default = "yes")]
    pub libc_sensitive: bool,
    /// The image's server starts as root and runs its workers as an
    /// unprivileged account by itself; a USER would stop it from starting.
    #[serde(default)]
    pub drops_privileges: bool,
    /// Why this candidate is not to be used (an overlay's way to say an
    /// image is not available); it is then left out with that reason.
    #[serde(default)]
    pub disabled: Option<String>,
    /// The locale the app runs in on this base, when the rewrite sets one
    /// (a JVM in the POSIX locale reads and writes file names, and before
    /// Java 18 file contents, as ASCII).
    #[serde(default)]
    pub locale: Option<LocaleSpec>,
    /// One line: what to know when choosing it.
    pub notes: String,
}

/// The locale a candidate runs the app in: `LANG`, and where its data
/// comes from when the base has none.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LocaleSpec {
    /// The value of `LANG` (`C.UTF-8`).
    pub lang: String,
    /// Image template (same variables as `image`) whose
    /// `/usr/lib/locale/<name>` is copied in, for a base without locale
    /// data; it must be built on the same release (the files follow its C
    /// library).
    #[serde(default)]
    pub from: Option<String>,
}

fn yes() -> bool {
    true
}

// ---------------------------------------------------------------------------
// System packages
// ---------------------------------------------------------------------------

/// `rules/packages.yaml` as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct PackagesFile {
    #[serde(default)]
    pub dev_patterns: Option<DevPatterns>,
    #[serde(default)]
    pub packages: Vec<PackageRule>,
}

/// Name patterns of development packages per package manager.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DevPatterns {
    /// Globs over apt package names (`*-dev`).
    #[serde(default)]
    pub apt: Vec<String>,
    /// Globs over apk package names (`*-dev`).
    #[serde(default)]
    pub apk: Vec<String>,
}

/// The system-package catalogue.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Packages {
    /// Patterns of development packages with no entry of their own: build-only,
    /// runtime counterpart unknown.
    pub dev_patterns: DevPatterns,
    /// Known packages.
    pub packages: Vec<PackageRule>,
}

/// Kind of build-time system package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageKind {
    /// Compiler or build tool; nothing needed at runtime.
    BuildTool,
    /// Headers and link libraries; the runtime needs the shared library.
    DevLibrary,
    /// Download/unpack tool; usually build-only but sometimes used at runtime
    /// (health checks), so the engine should look at `CMD`/`HEALTHCHECK`.
    FetchTool,
}

/// Build and runtime names of one package for one package manager.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackageNames {
    /// Build-time package names (aliases allowed).
    #[serde(deserialize_with = "one_or_many")]
    pub build: Vec<String>,
    /// Runtime packages to install instead; empty for build-only packages.
    #[serde(default)]
    pub runtime: Vec<String>,
}

/// A build-time system package and its runtime counterpart.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackageRule {
    /// Stable id (`libpq`, `gcc`).
    pub id: String,
    /// Kind of package.
    pub kind: PackageKind,
    /// Debian bookworm names.
    #[serde(default)]
    pub apt: Option<PackageNames>,
    /// Alpine names.
    #[serde(default)]
    pub apk: Option<PackageNames>,
    /// One line: what uses it.
    pub why: String,
}
