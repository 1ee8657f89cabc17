//! Rules data: language profiles, the runtime base catalogue and the system
//! package map, with their typed loader and a small query API.
//!
//! # Invariant
//!
//! This module is pure data plus loading. It knows nothing of Dockerfile
//! syntax, and its only I/O is reading the overlay directory given to
//! [`Rules::load`]. Callers hand it already-split commands (`program`, `args`)
//! and image references as strings.
//!
//! # Files
//!
//! The YAML files in `rules/` are embedded in the binary; they are the source
//! of truth and what errors point into. `build.rs` loads them with this very
//! module (parse, validate, merge) and embeds the result twice:
//!
//! * the merged, validated set in postcard's binary form, which
//!   [`Rules::embedded_shared`] reads as it is — no validation or merge at
//!   run time (they were half of a `dfsplit rewrite` process's instructions),
//!   and no text to scan (reading the same set as JSON took twice the
//!   instructions). Each profile, each base family's candidates and the
//!   package map are written apart and read on first use ([`EmbeddedSet`]):
//!   a Go file reads the Go profile and the Go family, no other. A broken
//!   embedded file fails the build with its `FILE:LINE:COL`;
//! * each file as parsed, as JSON, which an overlay load reads in the place
//!   of the YAML (the YAML parser took ~95% of a run) before validating and
//!   merging as for YAML, so errors in an overlay are found and located as
//!   ever.
//!
//! A user directory
//! (`--rules DIR`) is overlaid on them: `bases.yaml` and `packages.yaml` (or
//! `.yml`) extend the catalogue and package map, every other `*.yaml`/`*.yml`
//! file is a profile, and other files (`*.md`, hidden files) are ignored.
//!
//! # Merge rule
//!
//! Entries are matched by key: profiles, rules, gates, launchers, runtime
//! artifacts, families, candidates and packages by `id`; builders by `image`;
//! `env` by variable name.
//!
//! * A new key is added, **before** the embedded entries, so user rules are
//!   tried first.
//! * The same key replaces the embedded entry in place, except profiles and
//!   families, which are *extended* unless they say `merge: replace`:
//!   scalars given in the overlay replace, lists of strings are unioned,
//!   keyed lists are merged by this same rule.
//!
//! After merging, the whole set is validated again (unique ids, references,
//! placeholders), so an overlay cannot produce an inconsistent rule set.

mod error;
pub mod pattern;
mod schema;
mod tools;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

pub use error::{RulesError, SourceLocation};
pub use pattern::{ImageRef, Vars};
pub use schema::{
    AppKind, ArgPattern, Artifact, ArtifactKind, BaseFamily, Bases, Builder, BuilderAccount,
    CacheMount, CandidateRelease, CandidateSpec, CommandMatch, CommandRule, Core, DefaultSuite,
    Detect, DevPatterns, EntrypointConvention, GateRule, Harmless, Libc, MergeMode,
    NativeLibraries, NativeLibrary, PackageKind, PackageManager, PackageNames, PackageRule,
    Packages, Profile, Release, Requirement, Role, RuntimeArtifact, RuntimeNeeds, ToolImage, Tools,
    User, Wrapper,
};

use schema::{BaseFamilyFile, BasesFile, PackagesFile, ProfileFile};

/// One embedded rule file: its display name, its YAML (the source of truth,
/// also used to locate errors) and the same data as JSON, converted by
/// `build.rs` at build time (empty in the build script itself, which reads
/// the YAML).
struct Embedded {
    name: &'static str,
    yaml: &'static str,
    json: &'static str,
}

// `build.rs` compiles this module too, to load the embedded files before
// there is any JSON of them; it sets `dfsplit_rules_json` for the crate it
// builds the JSON for, not for itself.
#[cfg(dfsplit_rules_json)]
macro_rules! out_dir_json {
    ($file:expr) => {
        include_str!(concat!(env!("OUT_DIR"), "/rules/", $file))
    };
}
#[cfg(not(dfsplit_rules_json))]
macro_rules! out_dir_json {
    ($file:expr) => {
        ""
    };
}
#[cfg(dfsplit_rules_json)]
macro_rules! out_dir_bytes {
    ($file:expr) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/rules/", $file))
    };
}
#[cfg(not(dfsplit_rules_json))]
macro_rules! out_dir_bytes {
    ($file:expr) => {
        b""
    };
}

macro_rules! embedded {
    ($($stem:literal),* $(,)?) => {
        &[$(Embedded {
            name: concat!("rules/", $stem, ".yaml"),
            yaml: include_str!(concat!("../../rules/", $stem, ".yaml")),
            json: out_dir_json!(concat!($stem, ".json")),
        }),*]
    };
}

/// The embedded files loaded, validated and merged by `build.rs`, in
/// postcard's binary form (an [`EmbeddedSet`]).
const MERGED: &[u8] = out_dir_bytes!("merged.postcard");

/// What `build.rs` writes: compiled into the build script only.
#[cfg(not(dfsplit_rules_json))]
pub(crate) mod embed;

/// The embedded rule files, in load order.
const EMBEDDED: &[Embedded] = embedded![
    "node", "go", "python", "java", "dotnet", "rust", "bases", "packages", "core"
];

/// Variables a base template may use without a builder pattern capturing them.
/// Variables every family has: the release read from the tag (`suite`),
/// the chosen release of a candidate (`distro`, `release`), and the tag's
/// version as written (`version`: `22.13.1`, or a moving line such as `lts`).
const BUILTIN_VARS: &[&str] = &["suite", "distro", "release", "version"];

/// How many wrappers deep matching looks (`poetry run python -m pytest`).
const MAX_UNWRAP: usize = 3;

/// What kind of rule file a file name denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Profile,
    Bases,
    Packages,
    Core,
}

/// A rule file parsed by kind.
#[allow(
    clippy::large_enum_variant,
    reason = "one at a time, moved straight into the merge"
)]
enum RuleFile {
    Profile(ProfileFile),
    Bases(BasesFile),
    Packages(PackagesFile),
    Core(Core),
}

/// The last path component of a file name as given (`/` or a backslash).
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

fn file_kind(file_name: &str) -> Option<FileKind> {
    if file_name.starts_with('.') {
        return None;
    }
    let stem = file_name
        .strip_suffix(".yaml")
        .or_else(|| file_name.strip_suffix(".yml"))?;
    Some(match stem {
        "bases" => FileKind::Bases,
        "packages" => FileKind::Packages,
        "core" => FileKind::Core,
        _ => FileKind::Profile,
    })
}

/// The loaded, merged and validated rule set.
///
/// The embedded set is read in parts (see [`EmbeddedSet`]): what every
/// question needs at start-up — each profile's [`ProfileHead`], the base
/// catalogue's releases and builders with each candidate's image, the core
/// tables — and each profile whole, each family's candidates and the package
/// map only when a question needs them. A set loaded with an overlay has
/// every part read.
#[derive(Clone)]
pub struct Rules {
    /// What is read of each profile at start-up, in profile order.
    heads: Vec<ProfileHead>,
    /// Each profile whole, in the same order.
    profiles: Vec<Lazy<Profile>>,
    /// The catalogue without its candidates (every family's list empty).
    catalogue: Bases,
    /// Each family's candidate images, in the order of `catalogue.families`.
    candidate_images: Vec<Vec<String>>,
    /// Each family's candidates, in the same order.
    candidates: Vec<Lazy<Vec<CandidateSpec>>>,
    /// The whole catalogue, put together when asked for ([`Rules::bases`]).
    bases: OnceLock<Bases>,
    packages: Lazy<Packages>,
    core: Core,
}

impl PartialEq for Rules {
    fn eq(&self, other: &Self) -> bool {
        // The heads are made from the profiles: comparing these is enough.
        self.profiles().eq(other.profiles())
            && self.bases() == other.bases()
            && self.packages() == other.packages()
            && self.core == other.core
    }
}

impl fmt::Debug for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rules")
            .field("profiles", &self.profiles().collect::<Vec<_>>())
            .field("bases", self.bases())
            .field("packages", self.packages())
            .field("core", &self.core)
            .finish()
    }
}

/// The rule set as the loader builds it: every part owned and read.
/// Private, so that a [`Rules`] only ever comes from the loader or from the
/// build-time output ([`EmbeddedSet`]), never from unchecked input.
#[derive(Debug, Clone)]
struct MergedSet {
    profiles: Vec<Profile>,
    bases: Bases,
    packages: Packages,
    core: Core,
}

impl From<MergedSet> for Rules {
    fn from(m: MergedSet) -> Self {
        let MergedSet {
            profiles,
            bases,
            packages,
            core,
        } = m;
        let (catalogue, candidate_images) = catalogue_head(&bases);
        Rules {
            heads: profiles.iter().map(ProfileHead::of).collect(),
            profiles: profiles.into_iter().map(Lazy::read).collect(),
            catalogue,
            candidate_images,
            candidates: bases
                .families
                .iter()
                .map(|f| Lazy::read(f.candidates.clone()))
                .collect(),
            bases: OnceLock::from(bases),
            packages: Lazy::read(packages),
            core,
        }
    }
}

/// The catalogue without its candidates, and each family's candidate
/// images: what start-up reads of it ([`Rules`]).
fn catalogue_head(bases: &Bases) -> (Bases, Vec<Vec<String>>) {
    let families = bases
        .families
        .iter()
        .map(|f| BaseFamily {
            id: f.id.clone(),
            builders: f.builders.clone(),
            candidates: Vec::new(),
        })
        .collect();
    let images = bases
        .families
        .iter()
        .map(|f| f.candidates.iter().map(|c| c.image.clone()).collect())
        .collect();
    let head = Bases {
        releases: bases.releases.clone(),
        musl_markers: bases.musl_markers.clone(),
        families,
    };
    (head, images)
}

/// What a question about commands needs of a profile before the profile is
/// read whole: its detection, its wrappers, its build variables (asked of
/// every ENV), and the keys its rules and tool tables answer to: every
/// program its command rules, gates, launchers and tool matches can match,
/// the command rules its cache mounts are filled by, and its tool images.
/// A question none of these keys matches is not answered by any rule of the
/// profile, so the profile is not read for it.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
struct ProfileHead {
    id: String,
    detect: Detect,
    wrappers: Vec<Wrapper>,
    /// `tools.build-env`.
    build_env: Vec<String>,
    /// The `program` globs of every command rule, gate and launcher, sorted,
    /// each once.
    programs: Vec<String>,
    /// The `program` globs of `tools.config` and `tools.cache-clean`.
    tool_programs: Vec<String>,
    /// The command rules `tools.cache-mounts` are filled by.
    cache_rules: Vec<String>,
    /// The image globs of `tools.images`.
    tool_images: Vec<String>,
}

impl ProfileHead {
    fn of(p: &Profile) -> Self {
        let programs: Vec<String> = p
            .commands
            .iter()
            .map(|r| &r.matcher)
            .chain(p.gates.iter().map(|g| &g.matcher))
            .chain(p.runtime.entrypoint.launchers.iter().map(|g| &g.matcher))
            .flat_map(|m| m.program.iter().cloned())
            .collect();
        let set = |items: Vec<String>| {
            let mut items = items;
            items.sort();
            items.dedup();
            items
        };
        let t = &p.tools;
        ProfileHead {
            id: p.id.clone(),
            detect: p.detect.clone(),
            wrappers: p.wrappers.clone(),
            build_env: t.build_env.clone(),
            programs: set(programs),
            tool_programs: set(t
                .config
                .iter()
                .chain(&t.cache_clean)
                .flat_map(|m| m.program.iter().cloned())
                .collect()),
            cache_rules: set(t
                .cache_mounts
                .iter()
                .flat_map(|m| m.rules.iter().cloned())
                .collect()),
            tool_images: set(t.images.iter().map(|i| i.image.clone()).collect()),
        }
    }

    /// Whether some rule of the profile may match a command running
    /// `program`: the first test [`pattern::match_command`] makes.
    fn may_run(&self, program: &str) -> bool {
        pattern::any_glob(&self.programs, pattern::program_basename(program))
    }
}

/// A part of the rule set: read, or the postcard bytes `build.rs` embedded
/// for it, read when first asked for.
#[derive(Clone)]
struct Lazy<T> {
    bytes: &'static [u8],
    value: OnceLock<T>,
}

impl<T: serde::de::DeserializeOwned> Lazy<T> {
    fn read(value: T) -> Self {
        Lazy {
            bytes: &[],
            value: OnceLock::from(value),
        }
    }

    fn embedded(bytes: &'static [u8]) -> Self {
        Lazy {
            bytes,
            value: OnceLock::new(),
        }
    }

    /// The value, read from its bytes on first use. Should they not read
    /// (they always do; a test reads every part), `yaml` takes the part
    /// from the embedded YAML loaded, validated and merged.
    fn get(&self, yaml: impl FnOnce(&MergedSet) -> T) -> &T {
        self.value.get_or_init(|| {
            postcard::from_bytes(self.bytes).unwrap_or_else(|_| yaml(MergedSet::embedded_yaml()))
        })
    }
}

/// The embedded set as `build.rs` writes it (postcard): the parts read at
/// start-up, and each profile and the package map as bytes of their own,
/// read when first needed (see [`Rules`]). Every profile is consulted for
/// every command, but a command is only matched by the profiles whose
/// programs it runs: a Go file reads the Go profile and none of the others.
#[derive(serde::Deserialize, serde::Serialize)]
struct EmbeddedSet<'a> {
    heads: Vec<ProfileHead>,
    #[serde(borrow)]
    profiles: Vec<Blob<'a>>,
    /// The catalogue without its candidates ([`catalogue_head`]).
    catalogue: Bases,
    candidate_images: Vec<Vec<String>>,
    /// Each family's candidates.
    #[serde(borrow)]
    candidates: Vec<Blob<'a>>,
    #[serde(borrow)]
    packages: Blob<'a>,
    core: Core,
}

/// Bytes written as one postcard byte string, read in place.
struct Blob<'a>(&'a [u8]);

impl serde::Serialize for Blob<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Blob<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&'a [u8]>::deserialize(d).map(Blob)
    }
}

impl EmbeddedSet<'static> {
    /// The set `bytes` hold, its profiles and package map left unread, or
    /// `None` if they hold none.
    fn read(bytes: &'static [u8]) -> Option<Rules> {
        let set: EmbeddedSet<'static> = postcard::from_bytes(bytes).ok()?;
        let families = set.catalogue.families.len();
        if set.heads.len() != set.profiles.len()
            || set.candidate_images.len() != families
            || set.candidates.len() != families
        {
            return None;
        }
        Some(Rules {
            heads: set.heads,
            profiles: set
                .profiles
                .into_iter()
                .map(|b| Lazy::embedded(b.0))
                .collect(),
            catalogue: set.catalogue,
            candidate_images: set.candidate_images,
            candidates: set
                .candidates
                .into_iter()
                .map(|b| Lazy::embedded(b.0))
                .collect(),
            bases: OnceLock::new(),
            packages: Lazy::embedded(set.packages.0),
            core: set.core,
        })
    }
}

/// Remembers file texts and where entries came from, to locate errors.
#[derive(Default)]
struct Loader<'a> {
    texts: HashMap<&'a str, &'a str>,
    /// Entry id → file that last defined it.
    origin: HashMap<String, &'a str>,
}

/// How the embedded files are read when they are loaded file by file: from
/// the JSON `build.rs` made of each (an overlay load), or from their YAML
/// (`build.rs`, and tests checking the two agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EmbeddedSource {
    Json,
    Yaml,
}

impl<'a> Loader<'a> {
    fn parse<T: serde::de::DeserializeOwned>(
        &mut self,
        file: &'a str,
        text: &'a str,
    ) -> Result<T, RulesError> {
        self.texts.insert(file, text);
        // YAML 1.2 booleans only: `y`, `no`, `on` stay strings (`yarn`'s
        // program patterns must not turn into `true`).
        let options = serde_saphyr::options! { strict_booleans: true };
        serde_saphyr::from_str_with_options::<T>(text, options)
            .map_err(|e| RulesError::from_yaml(file, &e))
    }

    /// An embedded file: its build-time JSON when there is one, else (or if
    /// the JSON somehow does not fit) its YAML, which then reports the error.
    fn parse_embedded<T: serde::de::DeserializeOwned>(
        &mut self,
        file: &'static Embedded,
        source: EmbeddedSource,
    ) -> Result<T, RulesError> {
        if source == EmbeddedSource::Json && !file.json.is_empty() {
            if let Ok(parsed) = serde_json::from_str::<T>(file.json) {
                self.texts.insert(file.name, file.yaml);
                return Ok(parsed);
            }
        }
        self.parse(file.name, file.yaml)
    }

    /// Best-effort location of the `nth` (0-based) `id: <id>` line in `file`.
    fn locate_in(&self, file: &str, key: &str, value: &str, nth: usize) -> SourceLocation {
        let Some(text) = self.texts.get(file).copied() else {
            return SourceLocation::file(file);
        };
        let mut seen = 0;
        for (idx, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            let (body, offset) = match trimmed.strip_prefix("- ") {
                Some(rest) => (
                    rest.trim_start(),
                    indent + (trimmed.len() - rest.trim_start().len()),
                ),
                None => (trimmed, indent),
            };
            let Some(rest) = body.strip_prefix(key).and_then(|r| r.strip_prefix(':')) else {
                continue;
            };
            let rest = rest.split(" #").next().unwrap_or("").trim();
            let unquoted = rest.trim_matches(|c| c == '"' || c == '\'');
            if unquoted == value {
                if seen == nth {
                    return SourceLocation::at(file, idx as u64 + 1, offset as u64 + 1);
                }
                seen += 1;
            }
        }
        SourceLocation::file(file)
    }

    fn locate(&self, id: &str) -> SourceLocation {
        self.locate_by(id, "id")
    }

    /// Where the entry noted as `value` was last defined: its `key: value` line.
    fn locate_by(&self, value: &str, key: &str) -> SourceLocation {
        match self.origin.get(value) {
            Some(file) => self.locate_in(file, key, value, 0),
            None => SourceLocation::file("<rules>"),
        }
    }

    fn note(&mut self, id: &str, file: &'a str) {
        self.origin.insert(id.to_owned(), file);
    }
}

impl Rules {
    /// Loads the embedded rules and, if given, overlays the rule files found
    /// directly in `overlay` (see the module docs for the merge rule).
    ///
    /// # Errors
    ///
    /// [`RulesError::Yaml`] for malformed files or unknown keys (with
    /// `FILE:LINE:COL`), [`RulesError::Invalid`] for inconsistent rules,
    /// [`RulesError::Io`]/[`RulesError::NotADirectory`] for an unreadable
    /// overlay.
    pub fn load(overlay: Option<&Path>) -> Result<Rules, RulesError> {
        let Some(dir) = overlay else {
            return Self::embedded();
        };
        let files = read_overlay_dir(dir)?;
        Self::load_overlay_texts(files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
    }

    /// Like [`Rules::load`], without copying the embedded rules when there is
    /// no overlay: the process-wide [`Rules::embedded_shared`] is borrowed.
    /// What a one-shot command wants: copying the shared set (and dropping
    /// the copy at exit) was a fifth of a `dfsplit rewrite` process's
    /// instructions.
    ///
    /// # Errors
    ///
    /// As [`Rules::load`].
    pub fn load_shared(overlay: Option<&Path>) -> Result<Cow<'static, Rules>, RulesError> {
        match (overlay, Self::embedded_shared()) {
            (None, Some(rules)) => Ok(Cow::Borrowed(rules)),
            _ => Self::load(overlay).map(Cow::Owned),
        }
    }

    /// The embedded rules alone: a copy of [`Rules::embedded_shared`].
    ///
    /// # Errors
    ///
    /// Only if the embedded files are broken, which fails the build.
    pub fn embedded() -> Result<Rules, RulesError> {
        match Self::embedded_shared() {
            Some(rules) => Ok(rules.clone()),
            None => Self::embedded_from_yaml(),
        }
    }

    /// The embedded rules, loaded once per process and shared (what the
    /// build context's manifest names are read from, and what
    /// [`Rules::embedded`] copies), or `None` if they are broken.
    ///
    /// They are read from the merged set `build.rs` made of them, as they
    /// are: it was validated when it was made. Should that set not read
    /// (it always does; a test checks it equals what loading the YAML
    /// gives), the YAML is loaded instead.
    pub fn embedded_shared() -> Option<&'static Rules> {
        static EMBEDDED: std::sync::OnceLock<Option<Rules>> = std::sync::OnceLock::new();
        EMBEDDED
            .get_or_init(|| EmbeddedSet::read(MERGED).or_else(|| Self::embedded_from_yaml().ok()))
            .as_ref()
    }

    /// Like [`Rules::load`], with overlay files given as `(name, text)` pairs
    /// instead of read from a directory. The last path component of `name`
    /// decides the kind of file, as for a directory; `name` is used in
    /// error messages.
    ///
    /// # Errors
    ///
    /// As [`Rules::load`], minus I/O errors.
    pub fn load_overlay_texts<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Rules, RulesError> {
        Self::load_with(files, EmbeddedSource::Json)
    }

    /// The embedded rules loaded from their YAML, validated and merged file
    /// by file: what `build.rs` embeds, and what the JSON must agree with.
    fn embedded_from_yaml() -> Result<Rules, RulesError> {
        Self::load_with(std::iter::empty(), EmbeddedSource::Yaml)
    }

    fn load_with<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
        source: EmbeddedSource,
    ) -> Result<Rules, RulesError> {
        MergedSet::load_with(files, source).map(Rules::from)
    }
}

impl MergedSet {
    /// The embedded files loaded from their YAML, once per process: what a
    /// part of the embedded set that does not read is taken from.
    fn embedded_yaml() -> &'static MergedSet {
        static YAML: OnceLock<MergedSet> = OnceLock::new();
        YAML.get_or_init(|| {
            MergedSet::load_with(std::iter::empty(), EmbeddedSource::Yaml)
                .expect("the embedded rules load: build.rs loaded them")
        })
    }

    /// The embedded files, then `files` over them, each validated and
    /// merged in turn, then the merged set validated.
    fn load_with<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
        source: EmbeddedSource,
    ) -> Result<MergedSet, RulesError> {
        let mut loader = Loader::default();
        let mut rules = MergedSet {
            profiles: Vec::new(),
            bases: Bases::default(),
            packages: Packages::default(),
            core: Core::default(),
        };
        for file in EMBEDDED {
            let parsed = match file_kind(base_name(file.name)) {
                None => continue,
                Some(FileKind::Profile) => RuleFile::Profile(loader.parse_embedded(file, source)?),
                Some(FileKind::Bases) => RuleFile::Bases(loader.parse_embedded(file, source)?),
                Some(FileKind::Packages) => {
                    RuleFile::Packages(loader.parse_embedded(file, source)?)
                }
                Some(FileKind::Core) => RuleFile::Core(loader.parse_embedded(file, source)?),
            };
            rules.apply_file(&mut loader, file.name, parsed, false)?;
        }
        let mut seen_profiles: HashMap<String, String> = HashMap::new();
        for (name, text) in files {
            let parsed = match file_kind(base_name(name)) {
                None => continue,
                Some(FileKind::Profile) => {
                    // Two overlay files for the same profile would make the
                    // result depend on file order; refuse.
                    let parsed: ProfileFile = loader.parse(name, text)?;
                    if let Some(other) = seen_profiles.insert(parsed.id.clone(), name.to_owned()) {
                        return Err(RulesError::invalid(
                            loader.locate_in(name, "id", &parsed.id, 0),
                            format!("profile `{}` is also defined in {other}", parsed.id),
                        ));
                    }
                    RuleFile::Profile(parsed)
                }
                Some(FileKind::Bases) => RuleFile::Bases(loader.parse(name, text)?),
                Some(FileKind::Packages) => RuleFile::Packages(loader.parse(name, text)?),
                Some(FileKind::Core) => RuleFile::Core(loader.parse(name, text)?),
            };
            rules.apply_file(&mut loader, name, parsed, true)?;
        }
        rules.validate_merged(&loader)?;
        Ok(rules)
    }

    fn apply_file<'a>(
        &mut self,
        loader: &mut Loader<'a>,
        name: &'a str,
        file: RuleFile,
        overlay: bool,
    ) -> Result<(), RulesError> {
        match file {
            RuleFile::Profile(file) => {
                validate_profile_file(loader, name, &file)?;
                self.merge_profile(loader, name, file, overlay)
            }
            RuleFile::Bases(file) => {
                validate_bases_file(loader, name, &file)?;
                self.merge_bases(loader, name, file);
                Ok(())
            }
            RuleFile::Packages(file) => {
                validate_packages_file(loader, name, &file)?;
                self.merge_packages(loader, name, file);
                Ok(())
            }
            RuleFile::Core(file) => {
                tools::validate_tools(loader, name, &file.tools)?;
                tools::note_tools(loader, name, &file.tools);
                tools::merge_core(&mut self.core, file);
                Ok(())
            }
        }
    }

    fn merge_profile<'a>(
        &mut self,
        loader: &mut Loader<'a>,
        name: &'a str,
        file: ProfileFile,
        overlay: bool,
    ) -> Result<(), RulesError> {
        for id in profile_entry_ids(&file) {
            loader.note(id, name);
        }
        loader.note(&file.id, name);
        if let Some(t) = &file.tools {
            tools::note_tools(loader, name, t);
        }
        let existing = self.profiles.iter().position(|p| p.id == file.id);
        match (existing, file.merge) {
            (Some(idx), MergeMode::Extend) => {
                let p = &mut self.profiles[idx];
                if let Some(n) = file.name {
                    p.name = n;
                }
                if let Some(d) = file.detect {
                    union(&mut p.detect.images, d.images);
                    union(&mut p.detect.manifests, d.manifests);
                    union(&mut p.detect.read, d.read);
                    union(&mut p.detect.dependencies, d.dependencies);
                    union(&mut p.detect.commands, d.commands);
                }
                merge_keyed(&mut p.commands, file.commands, |r| r.id.as_str());
                merge_keyed(&mut p.gates, file.gates, |r| r.id.as_str());
                merge_keyed(&mut p.wrappers, file.wrappers, |w| w.id.as_str());
                if let Some(rt) = file.runtime {
                    merge_runtime(&mut p.runtime, rt);
                }
                if let Some(t) = file.tools {
                    tools::merge_tools(&mut p.tools, t);
                }
                Ok(())
            }
            (existing, _) => {
                let missing = |key: &str| {
                    RulesError::invalid(
                        loader.locate_in(name, "id", &file.id, 0),
                        format!(
                            "profile `{}` is new or replaced, so it needs `{key}`",
                            file.id
                        ),
                    )
                };
                let profile = Profile {
                    name: file.name.clone().ok_or_else(|| missing("name"))?,
                    detect: file.detect.clone().ok_or_else(|| missing("detect"))?,
                    runtime: file.runtime.clone().ok_or_else(|| missing("runtime"))?,
                    id: file.id,
                    commands: file.commands,
                    gates: file.gates,
                    wrappers: file.wrappers,
                    tools: file.tools.unwrap_or_default(),
                };
                match existing {
                    Some(idx) => self.profiles[idx] = profile,
                    None if overlay => self.profiles.insert(0, profile),
                    None => self.profiles.push(profile),
                }
                Ok(())
            }
        }
    }

    fn merge_bases<'a>(&mut self, loader: &mut Loader<'a>, name: &'a str, file: BasesFile) {
        merge_keyed(&mut self.bases.releases, file.releases, |r| {
            r.suite.as_str()
        });
        union(&mut self.bases.musl_markers, file.musl_markers);
        let mut new_families = Vec::new();
        for fam in file.families {
            loader.note(&fam.id, name);
            for c in &fam.candidates {
                loader.note(&c.id, name);
            }
            match self.bases.families.iter_mut().find(|f| f.id == fam.id) {
                Some(existing) if fam.merge == MergeMode::Extend => {
                    merge_keyed(&mut existing.builders, fam.builders, |b| b.image.as_str());
                    merge_keyed(&mut existing.candidates, fam.candidates, |c| c.id.as_str());
                }
                Some(existing) => *existing = family_from_file(fam),
                None => new_families.push(family_from_file(fam)),
            }
        }
        new_families.append(&mut self.bases.families);
        self.bases.families = new_families;
    }

    fn merge_packages<'a>(&mut self, loader: &mut Loader<'a>, name: &'a str, file: PackagesFile) {
        if let Some(d) = file.dev_patterns {
            union(&mut self.packages.dev_patterns.apt, d.apt);
            union(&mut self.packages.dev_patterns.apk, d.apk);
        }
        for p in &file.packages {
            loader.note(&p.id, name);
        }
        merge_keyed(&mut self.packages.packages, file.packages, |p| {
            p.id.as_str()
        });
    }

    /// Checks that need the merged set: global uniqueness and references.
    fn validate_merged(&self, loader: &Loader) -> Result<(), RulesError> {
        let mut ids: HashMap<&str, &str> = HashMap::new();
        for p in &self.profiles {
            for id in profile_ids(p) {
                if let Some(other) = ids.insert(id, &p.id) {
                    return Err(RulesError::invalid(
                        loader.locate(id),
                        format!(
                            "rule id `{id}` is used by profiles `{other}` and `{}`",
                            p.id
                        ),
                    ));
                }
            }
            let command_ids: HashSet<&str> = p.commands.iter().map(|r| r.id.as_str()).collect();
            for rt in &p.runtime.receives {
                for from in &rt.from {
                    if let Some(rule) = p.commands.iter().find(|r| &r.id == from) {
                        for ph in pattern::path_placeholders(&rt.path) {
                            if !rule.matcher.capture.contains_key(&ph)
                                && !rule.matcher.capture_args.contains_key(&ph)
                            {
                                return Err(RulesError::invalid(
                                    loader.locate(&rt.id),
                                    format!(
                                        "`{}` uses `{{{ph}}}` but its source rule `{from}` captures no `{ph}`",
                                        rt.id
                                    ),
                                ));
                            }
                        }
                    }
                    if !command_ids.contains(from.as_str()) {
                        return Err(RulesError::invalid(
                            loader.locate(&rt.id),
                            format!(
                                "`{}` takes its artifact from `{from}`, which is not a command rule of profile `{}`",
                                rt.id, p.id
                            ),
                        ));
                    }
                }
            }
        }
        let mut cand_ids = HashSet::new();
        for fam in &self.bases.families {
            let known = family_vars(&fam.builders);
            for c in &fam.candidates {
                if !cand_ids.insert(c.id.as_str()) {
                    return Err(RulesError::invalid(
                        loader.locate(&c.id),
                        format!("candidate id `{}` is used twice", c.id),
                    ));
                }
                check_candidate_vars(loader, c, &known, &self.bases)?;
            }
            for b in &fam.builders {
                for d in &b.default_suites {
                    let bad = if self.bases.release_by_suite(&d.suite).is_none() {
                        Some(format!("`{}` is not in `releases`", d.suite))
                    } else {
                        d.versions
                            .keys()
                            .find(|v| !known.contains(*v))
                            .map(|v| format!("`versions.{v}` is not a variable of its family"))
                    };
                    if let Some(bad) = bad {
                        return Err(RulesError::invalid(
                            loader.locate(&fam.id),
                            format!(
                                "family `{}`, builder `{}`: default suite {bad}",
                                fam.id, b.image
                            ),
                        ));
                    }
                }
            }
        }
        tools::check_cache_mount_rules(self, loader)?;
        for manager in [PackageManager::Apt, PackageManager::Apk] {
            let mut names: HashMap<&str, &str> = HashMap::new();
            for p in &self.packages.packages {
                for build in p.names(manager).map(|n| n.build.as_slice()).unwrap_or(&[]) {
                    if let Some(other) = names.insert(build.as_str(), p.id.as_str()) {
                        return Err(RulesError::invalid(
                            loader.locate(&p.id),
                            format!(
                                "package `{build}` is listed by both `{other}` and `{}`",
                                p.id
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

impl Rules {
    // -----------------------------------------------------------------------
    // Accessors
    // -----------------------------------------------------------------------

    /// All profiles, overlay-added ones first (each read whole).
    pub fn profiles(&self) -> impl Iterator<Item = &Profile> + Clone + '_ {
        (0..self.profiles.len()).map(|i| self.profile_at(i))
    }

    /// The ids of all profiles, in the order of [`Rules::profiles`].
    pub fn profile_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.heads.iter().map(|h| h.id.as_str())
    }

    /// How each profile is detected, in the order of [`Rules::profiles`],
    /// without reading the profiles whole.
    pub fn detects(&self) -> impl Iterator<Item = &Detect> + '_ {
        self.heads.iter().map(|h| &h.detect)
    }

    /// The profile with this id.
    pub fn profile(&self, id: &str) -> Option<&Profile> {
        let i = self.heads.iter().position(|h| h.id == id)?;
        Some(self.profile_at(i))
    }

    /// The `i`th profile, read on first use.
    fn profile_at(&self, i: usize) -> &Profile {
        self.profiles[i].get(|m| m.profiles[i].clone())
    }

    /// The profiles whose `detect` passes `test`, in order, each read.
    fn profiles_detected<'s, F: Fn(&Detect) -> bool>(
        &'s self,
        test: F,
    ) -> impl Iterator<Item = &'s Profile> + use<'s, F> {
        (0..self.heads.len())
            .filter(move |&i| test(&self.heads[i].detect))
            .map(|i| self.profile_at(i))
    }

    /// The profiles some rule of which may match a command running
    /// `program` ([`ProfileHead::may_run`]), in order, each read.
    fn profiles_running<'s, 'p>(
        &'s self,
        program: &'p str,
    ) -> impl Iterator<Item = &'s Profile> + use<'s, 'p> {
        (0..self.heads.len())
            .filter(move |&i| self.heads[i].may_run(program))
            .map(|i| self.profile_at(i))
    }

    /// Every profile's wrappers, in profile order.
    fn wrappers(&self) -> impl Iterator<Item = &Wrapper> + Clone + '_ {
        self.heads.iter().flat_map(|h| h.wrappers.iter())
    }

    /// The base-image catalogue (every family's candidates read).
    pub fn bases(&self) -> &Bases {
        self.bases.get_or_init(|| {
            let mut bases = self.catalogue.clone();
            for (i, f) in bases.families.iter_mut().enumerate() {
                f.candidates = self.family_candidates(i).to_vec();
            }
            bases
        })
    }

    /// The candidates of the `i`th family, read on first use.
    fn family_candidates(&self, i: usize) -> &[CandidateSpec] {
        self.candidates[i].get(|m| m.bases.families[i].candidates.clone())
    }

    /// The first runtime candidate of the catalogue (families in order)
    /// whose image template passes `test`; only that family's candidates
    /// are read.
    pub fn candidate_by_image(&self, test: impl Fn(&str) -> bool) -> Option<&CandidateSpec> {
        self.candidate_images
            .iter()
            .enumerate()
            .find_map(|(i, images)| {
                let at = images.iter().position(|image| test(image))?;
                self.family_candidates(i).get(at)
            })
    }

    /// The system-package map.
    pub fn packages(&self) -> &Packages {
        self.packages.get(|m| m.packages.clone())
    }

    /// Every rule id (commands, gates, launchers, runtime artifacts) of every
    /// profile, with its profile id.
    pub fn rule_ids(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.profiles()
            .flat_map(|p| profile_ids(p).map(move |id| (p.id.as_str(), id)))
    }

    // -----------------------------------------------------------------------
    // Queries
    // -----------------------------------------------------------------------

    /// The profile whose `detect.images` matches the image's name, e.g.
    /// `node:20-bookworm` → `node`.
    pub fn profile_for_image(&self, image_ref: &str) -> Option<&Profile> {
        let image = ImageRef::parse(image_ref);
        self.profiles_detected(|d| pattern::any_glob(&d.images, &image.name))
            .next()
    }

    /// Profiles whose `detect.manifests` matches a file name (the last path
    /// component is used), e.g. `go.mod` → `go`.
    pub fn profiles_for_manifest(&self, path: &str) -> Vec<&Profile> {
        let name = path.rsplit('/').next().unwrap_or(path);
        self.profiles_detected(|d| pattern::any_glob(&d.manifests, name))
            .collect()
    }

    /// The profile whose `detect.commands` lists this program.
    pub fn profile_for_program(&self, program: &str) -> Option<&Profile> {
        let base = pattern::program_basename(program);
        self.profiles_detected(|d| pattern::any_glob(&d.commands, base))
            .next()
    }

    /// The first command rule (profiles in order, rules in order) matching
    /// `program args...`.
    pub fn match_command<S: AsRef<str>>(&self, program: &str, args: &[S]) -> Option<&CommandRule> {
        self.classify_command(program, args).map(|m| m.rule)
    }

    /// Like [`Rules::match_command`], with the profile and the captures.
    pub fn classify_command<S: AsRef<str>>(
        &self,
        program: &str,
        args: &[S],
    ) -> Option<CommandMatchResult<'_>> {
        through_wrappers(self.wrappers(), program, args, &mut |prog, a| {
            self.profiles_running(prog)
                .find_map(|p| p.direct_match(prog, a))
        })
        .map(|(mut m, via)| {
            m.via = via;
            m
        })
    }

    /// The first gate (a `CMD`/`ENTRYPOINT` form running a build tool)
    /// matching `program args...`, with its profile.
    pub fn match_gate<S: AsRef<str>>(
        &self,
        program: &str,
        args: &[S],
    ) -> Option<(&Profile, &GateRule)> {
        self.first_entry_rule(program, args, |p| &p.gates)
    }

    /// The first launcher (a `CMD` going through a package manager) matching
    /// `program args...`, with its profile.
    pub fn match_launcher<S: AsRef<str>>(
        &self,
        program: &str,
        args: &[S],
    ) -> Option<(&Profile, &GateRule)> {
        self.first_entry_rule(program, args, |p| &p.runtime.entrypoint.launchers)
    }

    /// The first rule of `list(profile)`, over the profiles in order, matching
    /// `program args...` (seen through the wrappers), with its profile.
    fn first_entry_rule<S: AsRef<str>>(
        &self,
        program: &str,
        args: &[S],
        list: impl Fn(&Profile) -> &[GateRule],
    ) -> Option<(&Profile, &GateRule)> {
        through_wrappers(self.wrappers(), program, args, &mut |prog, a| {
            self.profiles_running(prog).find_map(|p| {
                list(p)
                    .iter()
                    .find(|g| pattern::match_command(&g.matcher, prog, a).is_some())
                    .map(|g| (p, g))
            })
        })
        .map(|(found, _)| found)
    }

    /// Runtime bases for the output of builder image `image_ref`, templates
    /// resolved from its tag, in order of preference. Candidates whose
    /// version cannot be read from the tag are left out (never assumed).
    pub fn runtime_candidates(&self, image_ref: &str) -> Vec<BaseCandidate<'_>> {
        self.explain_runtime_candidates(image_ref).accepted
    }

    /// [`Rules::runtime_candidates`] with the facts read from the builder tag
    /// and the reason each other candidate of the family was left out.
    pub fn explain_runtime_candidates(&self, image_ref: &str) -> CandidateReport<'_> {
        self.report(image_ref, true)
    }

    /// What the catalogue reads from a builder image's tag (its family's
    /// variables, release, C library, …), without judging the candidates:
    /// [`Rules::explain_runtime_candidates`]'s `builder`, for callers that
    /// need only that.
    pub fn builder_facts(&self, image_ref: &str) -> BuilderFacts {
        self.report(image_ref, false).builder
    }

    fn report(&self, image_ref: &str, candidates: bool) -> CandidateReport<'_> {
        let image = ImageRef::parse(image_ref);
        let tag = image.tag.clone().unwrap_or_default();
        let libc = if self
            .catalogue
            .musl_markers
            .iter()
            .any(|m| !m.is_empty() && tag.contains(m.as_str()))
        {
            Libc::Musl
        } else {
            Libc::Glibc
        };
        let suite = tag
            .split('-')
            .find(|part| self.catalogue.release_by_suite(part).is_some())
            .map(str::to_owned);
        let mut report = CandidateReport {
            builder: BuilderFacts {
                image: image.clone(),
                vars: Vars::new(),
                libc,
                suite: suite.clone(),
                release: None,
                moving: None,
                deprecated: None,
                unmaintained_release: None,
                interpreter_of: None,
                catalogued: false,
                accounts: Vec::new(),
                accounts_unsure: Vec::new(),
            },
            accepted: Vec::new(),
            rejected: Vec::new(),
        };
        for (fam_index, fam) in self.catalogue.families.iter().enumerate() {
            let Some(builder) = fam
                .builders
                .iter()
                .find(|b| pattern::glob_match(&b.image, &image.name))
            else {
                continue;
            };
            report
                .builder
                .interpreter_of
                .clone_from(&builder.interpreter_of);
            let mut vars = Vars::new();
            for pat in &builder.tags {
                if let Some(found) = pattern::match_tag_pattern(pat, &tag) {
                    for (k, v) in found {
                        vars.entry(k).or_insert(v);
                    }
                }
            }
            let version = tag_version(builder, &self.catalogue, image.tag.as_deref());
            let latest = version == TagVersion::Moving(None);
            match &version {
                TagVersion::Number(v) | TagVersion::Moving(Some(v)) => {
                    vars.insert("version".to_owned(), v.clone());
                }
                // An image holding another repository's interpreter names
                // its version inside a component (`python3.12-bookworm-slim`):
                // the interpreter's `{major}.{minor}` is the version written.
                TagVersion::Unknown if builder.interpreter_of.is_some() => {
                    if let (Some(major), Some(minor)) = (vars.get("major"), vars.get("minor")) {
                        let v = format!("{major}.{minor}");
                        vars.insert("version".to_owned(), v);
                    }
                }
                TagVersion::Moving(None) | TagVersion::Unknown => {}
            }
            if let TagVersion::Moving(series) = &version {
                report.builder.moving = Some(series.clone().unwrap_or_else(|| "latest".into()));
            }
            if report.builder.deprecated.is_none() {
                report.builder.deprecated.clone_from(&builder.deprecated);
            }
            for (k, v) in &vars {
                report.builder.vars.entry(k.clone()).or_insert(v.clone());
            }
            // The release the builder is built on: named in the tag, or the
            // image's default for this version. A musl builder has none.
            let release = match (&suite, libc) {
                (_, Libc::Musl) => None,
                (Some(s), _) => self
                    .catalogue
                    .release_by_suite(s)
                    .map(|r| (r.clone(), ReleaseSource::Tag)),
                (None, _) => builder
                    .default_suites
                    .iter()
                    .find(|d| versions_allow(&d.versions, &vars).is_ok())
                    .and_then(|d| self.catalogue.release_by_suite(&d.suite))
                    .map(|r| (r.clone(), ReleaseSource::Default)),
            };
            if report.builder.release.is_none() {
                report.builder.release.clone_from(&release);
            }
            // The builder's accounts: those of its release, or of every one.
            if !report.builder.catalogued {
                report.builder.catalogued = true;
                for a in &builder.accounts {
                    match &release {
                        _ if a.suites.is_empty() => report.builder.accounts.push(a.clone()),
                        Some((r, _)) if a.suites.contains(&r.suite) => {
                            report.builder.accounts.push(a.clone());
                        }
                        Some(_) => {}
                        None => report.builder.accounts_unsure.push(a.clone()),
                    }
                }
            }
            if report.builder.unmaintained_release.is_none()
                && let Some((r, ReleaseSource::Tag)) = &release
                && let Some(why) = &r.unmaintained
            {
                report.builder.unmaintained_release = Some((r.suite.clone(), why.clone()));
            }
            if !candidates {
                continue;
            }
            let facts = ReleaseFacts {
                bases: &self.catalogue,
                builder: release.as_ref(),
                builder_image: image_ref,
            };
            let moving = report.builder.moving.clone();
            for spec in self.family_candidates(fam_index) {
                let resolved = if uses_version(spec) && !vars.contains_key("version") && !latest {
                    Err(RejectReason::MissingVariable("version".into()))
                } else {
                    resolve_candidate(spec, &vars, suite.as_deref(), libc, &facts)
                };
                // A moving tag names no version and no release: say so.
                let resolved = match (resolved, &moving) {
                    (Err(RejectReason::MissingVariable(var)), Some(_)) => {
                        Err(RejectReason::MovingTag {
                            image: image_ref.to_owned(),
                            var: Some(var),
                        })
                    }
                    // The release is asked first; a variable the image is
                    // published per (`nodejs{major}`) is the plainer reason.
                    (Err(RejectReason::UnknownBuilderRelease(_)), Some(_)) => {
                        Err(RejectReason::MovingTag {
                            image: image_ref.to_owned(),
                            var: missing_var(spec, &vars),
                        })
                    }
                    (r, _) => r,
                };
                match resolved {
                    Ok(r) => report.accepted.push(BaseCandidate {
                        family: &fam.id,
                        image: r.image,
                        nonroot_image: r.nonroot,
                        spec,
                        release: r.release,
                        locale_from: r.locale_from,
                    }),
                    Err(reason) => report.rejected.push(RejectedCandidate {
                        family: &fam.id,
                        spec,
                        reason,
                    }),
                }
            }
        }
        report
    }

    /// Runtime counterpart of a Debian (apt) build package:
    /// `Some(&["libpq5"])` for `libpq-dev`, `Some(&[])` for a build-only
    /// package such as `gcc`, `None` if the package is not in the map.
    pub fn runtime_package(&self, dev_pkg: &str) -> Option<&[String]> {
        self.package_rule(dev_pkg, PackageManager::Apt)
            .and_then(|p| p.apt.as_ref())
            .map(|n| n.runtime.as_slice())
    }

    /// The package rule listing `name` as a build package for `manager`.
    pub fn package_rule(&self, name: &str, manager: PackageManager) -> Option<&PackageRule> {
        self.packages().packages.iter().find(|p| {
            p.names(manager)
                .is_some_and(|n| n.build.iter().any(|b| b == name))
        })
    }

    /// What the map says about a system package installed during the build.
    pub fn classify_package(&self, name: &str, manager: PackageManager) -> PackageClass<'_> {
        if let Some(rule) = self.package_rule(name, manager) {
            return PackageClass::Known(rule);
        }
        let patterns = match manager {
            PackageManager::Apt => &self.packages().dev_patterns.apt,
            PackageManager::Apk => &self.packages().dev_patterns.apk,
            PackageManager::None => return PackageClass::Unknown,
        };
        if pattern::any_glob(patterns, name) {
            PackageClass::DevUnknownRuntime
        } else {
            PackageClass::Unknown
        }
    }
}

impl Profile {
    /// The first command rule of this profile matching `program args...`,
    /// directly or through one of this profile's wrappers.
    pub fn classify_command<S: AsRef<str>>(
        &self,
        program: &str,
        args: &[S],
    ) -> Option<CommandMatchResult<'_>> {
        through_wrappers(self.wrappers.iter(), program, args, &mut |p, a| {
            self.direct_match(p, a)
        })
        .map(|(mut m, via)| {
            m.via = via;
            m
        })
    }

    fn direct_match<S: AsRef<str>>(
        &self,
        program: &str,
        args: &[S],
    ) -> Option<CommandMatchResult<'_>> {
        self.commands.iter().find_map(|rule| {
            pattern::match_command(&rule.matcher, program, args).map(|m| CommandMatchResult {
                profile: self,
                rule,
                captures: m.captures,
                via: Vec::new(),
            })
        })
    }

    /// The first gate of this profile matching `program args...`, directly or
    /// through one of this profile's wrappers.
    pub fn match_gate<S: AsRef<str>>(&self, program: &str, args: &[S]) -> Option<&GateRule> {
        through_wrappers(self.wrappers.iter(), program, args, &mut |p, a| {
            self.gates
                .iter()
                .find(|g| pattern::match_command(&g.matcher, p, a).is_some())
        })
        .map(|(g, _)| g)
    }

    /// The first launcher of this profile matching `program args...`,
    /// directly or through one of this profile's wrappers.
    pub fn match_launcher<S: AsRef<str>>(&self, program: &str, args: &[S]) -> Option<&GateRule> {
        through_wrappers(self.wrappers.iter(), program, args, &mut |p, a| {
            self.runtime
                .entrypoint
                .launchers
                .iter()
                .find(|g| pattern::match_command(&g.matcher, p, a).is_some())
        })
        .map(|(g, _)| g)
    }
}

/// Runs `f` on the command, then on what it wraps (up to [`MAX_UNWRAP`]
/// levels), returning the first hit and the ids of the wrappers passed.
fn through_wrappers<'w, 'a, S: AsRef<str>, T>(
    wrappers: impl Iterator<Item = &'w Wrapper> + Clone,
    program: &'a str,
    args: &'a [S],
    f: &mut dyn FnMut(&str, &[S]) -> Option<T>,
) -> Option<(T, Vec<&'w str>)> {
    let (mut program, mut args) = (program, args);
    let mut via = Vec::new();
    for _ in 0..=MAX_UNWRAP {
        if let Some(found) = f(program, args) {
            return Some((found, via));
        }
        let (w, p, a) = wrappers
            .clone()
            .find_map(|w| pattern::unwrap_command(w, program, args).map(|(p, a)| (w, p, a)))?;
        via.push(w.id.as_str());
        program = p;
        args = a;
    }
    None
}

impl PackageRule {
    /// Names for one package manager.
    pub fn names(&self, manager: PackageManager) -> Option<&PackageNames> {
        match manager {
            PackageManager::Apt => self.apt.as_ref(),
            PackageManager::Apk => self.apk.as_ref(),
            PackageManager::None => None,
        }
    }
}

/// A matched command rule with the values it captured.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandMatchResult<'a> {
    /// The profile the rule belongs to.
    pub profile: &'a Profile,
    /// The rule.
    pub rule: &'a CommandRule,
    /// Captured option values (`output` → `/app/server`).
    pub captures: BTreeMap<String, String>,
    /// Ids of the wrappers the command was seen through (`python/python-m`).
    pub via: Vec<&'a str>,
}

impl CommandMatchResult<'_> {
    /// The rule's `produces`, with captures substituted; `path` is `None` when
    /// a capture is absent and the artifact has no `default`.
    pub fn produces(&self) -> Vec<ResolvedArtifact<'_>> {
        self.rule
            .produces
            .iter()
            .map(|a| ResolvedArtifact {
                path: pattern::render_path(&a.path, &self.captures).or_else(|| a.default.clone()),
                spec: a,
            })
            .collect()
    }

    /// The rule's `reads`, with captures substituted; entries whose capture is
    /// absent are dropped.
    pub fn reads(&self) -> Vec<String> {
        self.rule
            .reads
            .iter()
            .filter_map(|r| pattern::render_path(r, &self.captures))
            .collect()
    }
}

/// An artifact of a matched rule, with its path resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedArtifact<'a> {
    /// The artifact as written in the rule.
    pub spec: &'a Artifact,
    /// Resolved path, or `None` when it cannot be known from the command.
    pub path: Option<String>,
}

/// A runtime base with its image reference resolved for a given builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseCandidate<'a> {
    /// Family id (`node`, `go`, ...).
    pub family: &'a str,
    /// Resolved image reference, e.g. `node:20-slim`.
    pub image: String,
    /// Resolved non-root variant, if the image has one.
    pub nonroot_image: Option<String>,
    /// The facts about it.
    pub spec: &'a CandidateSpec,
    /// The release chosen for `{distro}`, when the image has releases.
    pub release: Option<ChosenRelease>,
    /// The image the locale data is copied from (`locale.from` rendered).
    pub locale_from: Option<String>,
}

/// The distribution release chosen for a candidate, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenRelease {
    /// Distribution id (`debian13`).
    pub distro: String,
    /// One clause on why this release: the C library against the builder's.
    pub why: String,
    /// Set when the release is no longer updated (why), so a warning is due.
    pub deprecated: Option<String>,
}

/// Where the builder's release was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseSource {
    /// A component of the tag (`-bookworm`).
    Tag,
    /// The catalogue's default for the image's version (`default-suites`).
    Default,
}

/// Facts read from a builder image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuilderFacts {
    /// The parsed reference.
    pub image: ImageRef,
    /// Variables read from the tag (`major`, `minor`, ...).
    pub vars: Vars,
    /// C library, from the tag (`alpine` → musl, else glibc).
    pub libc: Libc,
    /// Release name found in the tag (`bookworm`), if any.
    pub suite: Option<String>,
    /// The release the builder is built on, from the tag or the image's
    /// default for its version; `None` when neither says (or musl).
    pub release: Option<(Release, ReleaseSource)>,
    /// The moving release line the tag names (`lts`, `latest`; a missing
    /// tag is `latest`), when it names one instead of a version.
    pub moving: Option<String>,
    /// Why the builder image is no longer maintained, when it is not.
    pub deprecated: Option<String>,
    /// The release named in the tag (`buster`) and why it is no longer
    /// maintained, when it is not.
    pub unmaintained_release: Option<(String, String)>,
    /// The repository whose interpreter the builder holds (its catalogue
    /// entry's `interpreter-of`), if any.
    pub interpreter_of: Option<String>,
    /// Whether a builder of the catalogue matched the image: only then is
    /// anything known of its accounts.
    pub catalogued: bool,
    /// The catalogue's accounts of the builder (`accounts`) that its
    /// release has, or that every release has.
    pub accounts: Vec<BuilderAccount>,
    /// Accounts only some releases have, when the builder's release is not
    /// known: the image may have them or not.
    pub accounts_unsure: Vec<BuilderAccount>,
}

impl BuilderFacts {
    /// What the builder knows of uid `uid`: its account, whether it may
    /// have one, or (`Ok(None)`) that it has none beyond the system range.
    pub fn account_by_uid(&self, uid: u32) -> Result<Option<&BuilderAccount>, String> {
        if let Some(a) = self.accounts.iter().find(|a| a.uid == uid) {
            return Ok(Some(a));
        }
        if !self.catalogued {
            return Err(format!(
                "the catalogue does not describe the builder image {}, so whether uid {uid} is one of its accounts cannot be shown",
                self.image.name
            ));
        }
        if let Some(a) = self.accounts_unsure.iter().find(|a| a.uid == uid) {
            return Err(format!(
                "the builder's images on {} have an account `{}` with uid {uid} (HOME {}), and its release is not known from its tag",
                a.suites.join(", "),
                a.name,
                a.home
            ));
        }
        Ok(None)
    }
}

/// How a builder tag names its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagVersion {
    /// Digits and dots as written (`20`, `22.13.1`).
    Number(String),
    /// A moving release line (`lts`); `None` for `latest` (or no tag), whose
    /// variants carry no version (`node:slim`).
    Moving(Option<String>),
    /// Neither (a codename, `tip`): the version is not read.
    Unknown,
}

/// The version the first component of `tag` names for `builder`: a number,
/// one of its moving lines, or — a tag made only of variants (`slim`,
/// `alpine3.20`, `bookworm`), or no tag — `latest` when the image has it.
fn tag_version(builder: &Builder, bases: &Bases, tag: Option<&str>) -> TagVersion {
    let has_latest = builder.moving.iter().any(|m| m == "latest");
    let Some(tag) = tag.filter(|t| !t.is_empty()) else {
        return if has_latest {
            TagVersion::Moving(None)
        } else {
            TagVersion::Unknown
        };
    };
    let first = tag.split('-').next().unwrap_or(tag);
    // A moving line may be a number too (`python:3`, whose minor moves).
    if builder.moving.iter().any(|m| m == first) {
        return if first == "latest" {
            TagVersion::Moving(None)
        } else {
            TagVersion::Moving(Some(first.to_owned()))
        };
    }
    if first.starts_with(|c: char| c.is_ascii_digit())
        && !first.ends_with('.')
        && first.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        return TagVersion::Number(first.to_owned());
    }
    let variant = |part: &str| {
        bases.release_by_suite(part).is_some() || pattern::any_glob(&builder.variants, part)
    };
    if has_latest && tag.split('-').all(variant) {
        return TagVersion::Moving(None);
    }
    TagVersion::Unknown
}

/// A variable the candidate's image needs (outside `[...]`) that the
/// builder's tag does not give; the chosen release's are not counted.
fn missing_var(spec: &CandidateSpec, vars: &Vars) -> Option<String> {
    pattern::template_vars(&spec.image)
        .unwrap_or_default()
        .into_iter()
        .find(|(v, optional)| !optional && v != "distro" && v != "release" && !vars.contains_key(v))
        .map(|(v, _)| v)
}

/// Whether a candidate's image names the builder's `{version}`.
fn uses_version(spec: &CandidateSpec) -> bool {
    pattern::template_vars(&spec.image)
        .unwrap_or_default()
        .iter()
        .any(|(v, _)| v == "version")
}

/// Why a candidate was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectReason {
    /// The template needs a variable the builder tag does not give.
    MissingVariable(String),
    /// The variable's value is not among the published versions.
    VersionNotPublished {
        /// Variable name.
        var: String,
        /// Value read from the tag.
        value: String,
    },
    /// Builder and candidate C libraries differ.
    LibcMismatch {
        /// Builder's libc.
        builder: Libc,
        /// Candidate's libc.
        candidate: Libc,
    },
    /// No release of the image fits the builder: each one's reason.
    NoRelease(Vec<String>),
    /// The image's releases differ in C library, and the builder's release
    /// (so its C library) is not known from its tag.
    UnknownBuilderRelease(String),
    /// The catalogue (an overlay) says not to use it, and why.
    Disabled(String),
    /// The builder's tag is a moving line (`node:lts`): it gives no `var`
    /// (a major version), or (`None`) no release, which this base needs.
    MovingTag {
        /// The builder image as written.
        image: String,
        /// The variable the base needs, or `None` for the release.
        var: Option<String>,
    },
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::MissingVariable(v) => {
                write!(
                    f,
                    "the builder tag does not say `{v}`, and it is never assumed"
                )
            }
            RejectReason::VersionNotPublished { var, value } => {
                write!(f, "no image is published for {var} {value}")
            }
            RejectReason::LibcMismatch { builder, candidate } => write!(
                f,
                "the builder uses {} but this base uses {}",
                libc_name(*builder),
                libc_name(*candidate)
            ),
            RejectReason::NoRelease(why) => write!(f, "{}", why.join("; ")),
            RejectReason::Disabled(why) => write!(f, "disabled: {why}"),
            RejectReason::MovingTag {
                image,
                var: Some(var),
            } => write!(
                f,
                "`{image}` is a moving tag that names no `{var}` (it changes when a new release line takes it over), and this base is published per `{var}`, which is never assumed"
            ),
            RejectReason::MovingTag { image, var: None } => write!(
                f,
                "`{image}` is a moving tag, whose distribution release (so its C library) changes when the image moves to a new one, and no release of this base follows it; name the release in the tag (e.g. `-trixie`)"
            ),
            RejectReason::UnknownBuilderRelease(image) => write!(
                f,
                "`{image}` does not say which release it is built on, and the catalogue does not know its default, so its C library may be newer than this base's; name the release in the tag (e.g. `-bookworm`)"
            ),
        }
    }
}

fn libc_name(l: Libc) -> &'static str {
    match l {
        Libc::Glibc => "glibc",
        Libc::Musl => "musl",
        Libc::None => "no libc",
    }
}

/// A candidate that was left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedCandidate<'a> {
    /// Family id.
    pub family: &'a str,
    /// The candidate.
    pub spec: &'a CandidateSpec,
    /// Why.
    pub reason: RejectReason,
}

/// Result of [`Rules::explain_runtime_candidates`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateReport<'a> {
    /// What was read from the builder reference.
    pub builder: BuilderFacts,
    /// Usable candidates, in order of preference.
    pub accepted: Vec<BaseCandidate<'a>>,
    /// The others, with reasons.
    pub rejected: Vec<RejectedCandidate<'a>>,
}

/// What the package map says about a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageClass<'a> {
    /// Listed in the map.
    Known(&'a PackageRule),
    /// Not listed but named like a development package (`*-dev`): build-only,
    /// runtime counterpart unknown.
    DevUnknownRuntime,
    /// Nothing known.
    Unknown,
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn read_overlay_dir(dir: &Path) -> Result<Vec<(String, String)>, RulesError> {
    let io = |source| RulesError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(dir).map_err(io)?;
    if !meta.is_dir() {
        return Err(RulesError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if file_kind(name).is_some() && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|source| RulesError::Io {
                path: path.clone(),
                source,
            })?;
            Ok((path.display().to_string(), text))
        })
        .collect()
}

/// Adds the strings of `extra` that `list` lacks, keeping order.
fn union(list: &mut Vec<String>, extra: Vec<String>) {
    for item in extra {
        if !list.contains(&item) {
            list.push(item);
        }
    }
}

/// Same key replaces in place; new keys go first, in overlay order.
fn merge_keyed<T>(base: &mut Vec<T>, overlay: Vec<T>, key: impl Fn(&T) -> &str) {
    let mut fresh = Vec::new();
    for item in overlay {
        match base.iter().position(|b| key(b) == key(&item)) {
            Some(i) => base[i] = item,
            None => fresh.push(item),
        }
    }
    fresh.append(base);
    *base = fresh;
}

fn merge_runtime(base: &mut RuntimeNeeds, overlay: RuntimeNeeds) {
    merge_keyed(&mut base.receives, overlay.receives, |r| r.id.as_str());
    base.env.extend(overlay.env);
    let e = overlay.entrypoint;
    if e.interpreter.is_some() {
        base.entrypoint.interpreter = e.interpreter;
    }
    if !e.form.is_empty() {
        base.entrypoint.form = e.form;
    }
    if e.notes.is_some() {
        base.entrypoint.notes = e.notes;
    }
    merge_keyed(&mut base.entrypoint.launchers, e.launchers, |l| {
        l.id.as_str()
    });
    match (&mut base.libraries, overlay.libraries) {
        (Some(b), Some(o)) => {
            b.id = o.id;
            merge_keyed(&mut b.packages, o.packages, |l| l.package.as_str());
        }
        (b @ None, o) => *b = o,
        (Some(_), None) => {}
    }
}

fn family_from_file(f: BaseFamilyFile) -> BaseFamily {
    BaseFamily {
        id: f.id,
        builders: f.builders,
        candidates: f.candidates,
    }
}

fn profile_entry_ids(f: &ProfileFile) -> impl Iterator<Item = &str> {
    let runtime = f.runtime.as_ref();
    f.commands
        .iter()
        .map(|r| r.id.as_str())
        .chain(f.gates.iter().map(|g| g.id.as_str()))
        .chain(f.wrappers.iter().map(|w| w.id.as_str()))
        .chain(
            runtime
                .into_iter()
                .flat_map(|r| r.entrypoint.launchers.iter().map(|l| l.id.as_str())),
        )
        .chain(
            runtime
                .into_iter()
                .flat_map(|r| r.receives.iter().map(|a| a.id.as_str())),
        )
        .chain(
            runtime
                .into_iter()
                .flat_map(|r| r.libraries.iter().map(|l| l.id.as_str())),
        )
}

fn profile_ids(p: &Profile) -> impl Iterator<Item = &str> {
    p.commands
        .iter()
        .map(|r| r.id.as_str())
        .chain(p.gates.iter().map(|g| g.id.as_str()))
        .chain(p.gates.iter().filter_map(|g| g.translation.as_deref()))
        .chain(p.tools.images.iter().map(|i| i.id.as_str()))
        .chain(p.wrappers.iter().map(|w| w.id.as_str()))
        .chain(p.runtime.entrypoint.launchers.iter().map(|l| l.id.as_str()))
        .chain(p.runtime.receives.iter().map(|a| a.id.as_str()))
        .chain(p.runtime.libraries.iter().map(|l| l.id.as_str()))
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

/// `<prefix>/<slug>` with a non-empty slug.
fn check_prefixed_id(
    loader: &Loader,
    file: &str,
    prefix: &str,
    id: &str,
    seen: &mut HashMap<String, usize>,
) -> Result<(), RulesError> {
    let nth = seen.entry(id.to_owned()).or_insert(0);
    // Located only on error: scanning the file for every id cost more than
    // the rest of loading the embedded rules.
    let at = |nth| loader.locate_in(file, "id", id, nth);
    *nth += 1;
    if *nth > 1 {
        return Err(RulesError::invalid(
            at(*nth - 1),
            format!("id `{id}` is used twice"),
        ));
    }
    match id.split_once('/') {
        Some((p, rest)) if p == prefix && is_slug(rest) => Ok(()),
        _ => Err(RulesError::invalid(
            at(0),
            format!(
                "id `{id}` must look like `{prefix}/name` (lowercase letters, digits, `-`, `.`)"
            ),
        )),
    }
}

fn validate_profile_file(loader: &Loader, file: &str, p: &ProfileFile) -> Result<(), RulesError> {
    if !is_slug(&p.id) {
        return Err(RulesError::invalid(
            loader.locate_in(file, "id", &p.id, 0),
            format!(
                "profile id `{}` must be lowercase letters, digits and `-`",
                p.id
            ),
        ));
    }
    let mut seen = HashMap::new();
    for id in profile_entry_ids(p) {
        check_prefixed_id(loader, file, &p.id, id, &mut seen)?;
    }
    let matchers = p
        .commands
        .iter()
        .map(|r| (&r.id, &r.matcher))
        .chain(p.gates.iter().map(|g| (&g.id, &g.matcher)))
        .chain(
            p.runtime
                .iter()
                .flat_map(|r| r.entrypoint.launchers.iter().map(|l| (&l.id, &l.matcher))),
        );
    for w in &p.wrappers {
        if w.program.is_empty() || w.program.iter().any(String::is_empty) {
            return Err(RulesError::invalid(
                loader.locate_in(file, "id", &w.id, 0),
                format!("wrapper `{}` needs at least one non-empty `program`", w.id),
            ));
        }
    }
    for (id, m) in matchers {
        if m.program.is_empty() || m.program.iter().any(String::is_empty) {
            return Err(RulesError::invalid(
                loader.locate_in(file, "id", id, 0),
                format!("`{id}`: `match.program` needs at least one non-empty name"),
            ));
        }
    }
    for r in &p.commands {
        let templates = r
            .reads
            .iter()
            .chain(r.produces.iter().map(|a| &a.path))
            .chain(r.produces.iter().filter_map(|a| a.default.as_ref()));
        for t in templates {
            for ph in pattern::path_placeholders(t) {
                if !r.matcher.capture.contains_key(&ph) && !r.matcher.capture_args.contains_key(&ph)
                {
                    return Err(RulesError::invalid(
                        loader.locate_in(file, "id", &r.id, 0),
                        format!(
                            "`{}` uses `{{{ph}}}` in `{t}` but `match.capture` has no `{ph}`",
                            r.id
                        ),
                    ));
                }
            }
        }
    }
    if let Some(t) = &p.tools {
        tools::validate_tools(loader, file, t)?;
    }
    Ok(())
}

fn family_vars(builders: &[Builder]) -> HashSet<String> {
    builders
        .iter()
        .flat_map(|b| b.tags.iter().flat_map(|t| pattern::tag_pattern_vars(t)))
        .chain(BUILTIN_VARS.iter().map(|v| (*v).to_owned()))
        .collect()
}

fn check_candidate_vars(
    loader: &Loader,
    c: &CandidateSpec,
    known: &HashSet<String>,
    bases: &Bases,
) -> Result<(), RulesError> {
    let at = || loader.locate(&c.id);
    for rel in &c.releases {
        if bases.release_by_distro(&rel.distro).is_none() {
            return Err(RulesError::invalid(
                at(),
                format!(
                    "`{}`: release `{}` is not a `distro` of `releases`",
                    c.id, rel.distro
                ),
            ));
        }
        if let Some(var) = rel.versions.keys().find(|v| !known.contains(*v)) {
            return Err(RulesError::invalid(
                at(),
                format!(
                    "`{}`: `releases.{}.versions.{var}` is not a variable of its family",
                    c.id, rel.distro
                ),
            ));
        }
    }
    for t in std::iter::once(&c.image).chain(c.nonroot_image.iter()) {
        let vars = pattern::template_vars(t).map_err(|m| RulesError::invalid(at(), m))?;
        // `{release}` is the chosen release's suite name (`trixie`), so it
        // needs `releases` as `{distro}` does.
        let uses_distro = vars.iter().any(|(v, _)| v == "distro" || v == "release");
        if uses_distro == c.releases.is_empty() {
            return Err(RulesError::invalid(
                at(),
                format!(
                    "`{}`: `{t}` {} `{{distro}}`, so the candidate {} `releases`",
                    c.id,
                    if uses_distro { "uses" } else { "does not use" },
                    if uses_distro { "needs" } else { "takes no" }
                ),
            ));
        }
        for (v, optional) in vars {
            if !known.contains(&v) {
                return Err(RulesError::invalid(
                    at(),
                    format!(
                        "`{}`: `{{{v}}}` in `{t}` is not captured by any builder tag pattern of its family",
                        c.id
                    ),
                ));
            }
            if v == "suite" && !optional {
                return Err(RulesError::invalid(
                    at(),
                    format!(
                        "`{}`: `{{suite}}` must sit inside an optional `[...]` group",
                        c.id
                    ),
                ));
            }
        }
    }
    if let Some(from) = c.locale.as_ref().and_then(|l| l.from.as_ref()) {
        let vars = pattern::template_vars(from).map_err(|m| RulesError::invalid(at(), m))?;
        for (v, _) in vars {
            let ok = if v == "distro" || v == "release" {
                !c.releases.is_empty()
            } else {
                known.contains(&v)
            };
            if !ok {
                return Err(RulesError::invalid(
                    at(),
                    format!(
                        "`{}`: `{{{v}}}` in `locale.from` (`{from}`) is not known for this candidate",
                        c.id
                    ),
                ));
            }
        }
    }
    for var in c.versions.keys() {
        if !known.contains(var) {
            return Err(RulesError::invalid(
                at(),
                format!(
                    "`{}`: `versions.{var}` is not a variable of its family",
                    c.id
                ),
            ));
        }
    }
    Ok(())
}

fn validate_bases_file(loader: &Loader, file: &str, b: &BasesFile) -> Result<(), RulesError> {
    let mut family_seen = HashSet::new();
    let mut seen = HashMap::new();
    for fam in &b.families {
        let duplicate = !family_seen.insert(fam.id.as_str());
        if duplicate || !is_slug(&fam.id) {
            return Err(RulesError::invalid(
                loader.locate_in(file, "id", &fam.id, usize::from(duplicate)),
                format!("family id `{}` must be a unique lowercase slug", fam.id),
            ));
        }
        for builder in &fam.builders {
            for t in &builder.tags {
                pattern::check_tag_pattern(t).map_err(|m| {
                    RulesError::invalid(loader.locate_in(file, "image", &builder.image, 0), m)
                })?;
            }
        }
        for c in &fam.candidates {
            check_prefixed_id(loader, file, &fam.id, &c.id, &mut seen)?;
        }
    }
    Ok(())
}

fn validate_packages_file(loader: &Loader, file: &str, p: &PackagesFile) -> Result<(), RulesError> {
    let mut seen = HashSet::new();
    for pkg in &p.packages {
        let at = || loader.locate_in(file, "id", &pkg.id, usize::from(seen.contains(&pkg.id)));
        if !is_slug(&pkg.id) {
            return Err(RulesError::invalid(
                at(),
                format!("package id `{}` must be a lowercase slug", pkg.id),
            ));
        }
        if seen.contains(&pkg.id) {
            return Err(RulesError::invalid(
                at(),
                format!("id `{}` is used twice", pkg.id),
            ));
        }
        if pkg.apt.is_none() && pkg.apk.is_none() {
            return Err(RulesError::invalid(
                at(),
                format!("package `{}` needs `apt` or `apk` names", pkg.id),
            ));
        }
        for names in pkg.apt.iter().chain(pkg.apk.iter()) {
            if names.build.is_empty() {
                return Err(RulesError::invalid(
                    at(),
                    format!("package `{}`: `build` needs at least one name", pkg.id),
                ));
            }
        }
        seen.insert(pkg.id.clone());
    }
    Ok(())
}

/// What choosing a candidate's release needs to know.
struct ReleaseFacts<'a> {
    bases: &'a Bases,
    /// The builder's release and where it was read, if known.
    builder: Option<&'a (Release, ReleaseSource)>,
    builder_image: &'a str,
}

/// Every `versions` entry is a known variable with an allowed value.
fn versions_allow(
    versions: &BTreeMap<String, Vec<String>>,
    vars: &Vars,
) -> Result<(), RejectReason> {
    for (var, allowed) in versions {
        let value = vars
            .get(var)
            .ok_or_else(|| RejectReason::MissingVariable(var.clone()))?;
        if !allowed.contains(value) {
            return Err(RejectReason::VersionNotPublished {
                var: var.clone(),
                value: value.clone(),
            });
        }
    }
    Ok(())
}

/// `2.36` as numbers, for comparing C library versions.
pub(crate) fn version_key(v: &str) -> Vec<u32> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// The release of a candidate with releases: the first in the catalogue's
/// order that is published for the builder's version and whose C library is
/// not older than the builder's (for a libc-sensitive image), preferring a
/// maintained one. A binary built against a newer glibc may need symbols an
/// older one lacks; the other way round works.
fn choose_release(
    spec: &CandidateSpec,
    vars: &Vars,
    facts: &ReleaseFacts<'_>,
) -> Result<ChosenRelease, RejectReason> {
    let glibc_matters = spec.libc == Libc::Glibc && spec.libc_sensitive;
    let builder_glibc = facts
        .builder
        .and_then(|(r, _)| r.glibc.as_deref().map(|g| (r, g)));
    if glibc_matters && builder_glibc.is_none() {
        return Err(RejectReason::UnknownBuilderRelease(
            facts.builder_image.to_owned(),
        ));
    }
    let mut why_not: Vec<String> = Vec::new();
    let mut version_errors: Vec<RejectReason> = Vec::new();
    let mut fitting: Vec<(&CandidateRelease, String)> = Vec::new();
    for rel in &spec.releases {
        let release = facts.bases.release_by_distro(&rel.distro);
        let name = release.map_or(rel.distro.clone(), describe_release);
        if let Err(e) = versions_allow(&rel.versions, vars) {
            why_not.push(format!("{name}: {e}"));
            version_errors.push(e);
            continue;
        }
        let why = match builder_glibc {
            Some((builder, bg)) if glibc_matters => {
                match release.and_then(|r| r.glibc.as_deref()) {
                    Some(g) if version_key(g) >= version_key(bg) => format!(
                        "{name}, whose glibc {g} is not older than the builder's {bg} ({}{})",
                        builder.suite,
                        match facts.builder.map(|(_, s)| *s) {
                            Some(ReleaseSource::Default) =>
                                ", the image's default for this version",
                            _ => "",
                        }
                    ),
                    Some(g) => {
                        why_not.push(format!(
                            "{name}: its glibc {g} is older than the builder's {bg} ({}), and a binary linked there may need newer symbols",
                            builder.suite
                        ));
                        continue;
                    }
                    None => {
                        why_not.push(format!("{name}: its glibc version is not in the catalogue"));
                        continue;
                    }
                }
            }
            _ => format!("{name}, the catalogue's first choice of release for it"),
        };
        fitting.push((rel, why));
    }
    let pick = fitting
        .iter()
        .find(|(r, _)| r.deprecated.is_none())
        .or_else(|| fitting.first());
    match pick {
        Some((rel, why)) => Ok(ChosenRelease {
            distro: rel.distro.clone(),
            why: why.clone(),
            deprecated: rel.deprecated.clone(),
        }),
        // The version is published on no release at all: say just that.
        None if version_errors.len() == spec.releases.len()
            && version_errors.windows(2).all(|w| w[0] == w[1]) =>
        {
            Err(version_errors.swap_remove(0))
        }
        None => {
            why_not.dedup();
            Err(RejectReason::NoRelease(why_not))
        }
    }
}

/// `Debian 12 (bookworm)` style name of a release, for messages.
fn describe_release(r: &Release) -> String {
    let d = &r.distro;
    let pretty = if let Some(n) = d.strip_prefix("debian") {
        format!("Debian {n}")
    } else if let Some(n) = d.strip_prefix("ubuntu") {
        format!("Ubuntu {n}")
    } else {
        d.clone()
    };
    format!("{pretty} ({})", r.suite)
}

/// The catalogue's C library rule: a base whose C library matters must
/// have the builder's.
pub(crate) fn libc_mismatch(spec: &CandidateSpec, builder_libc: Libc) -> bool {
    spec.libc_sensitive && spec.libc != Libc::None && spec.libc != builder_libc
}

fn resolve_candidate(
    spec: &CandidateSpec,
    vars: &Vars,
    suite: Option<&str>,
    builder_libc: Libc,
    facts: &ReleaseFacts<'_>,
) -> Result<Resolved, RejectReason> {
    if let Some(why) = &spec.disabled {
        return Err(RejectReason::Disabled(why.clone()));
    }
    if libc_mismatch(spec, builder_libc) {
        return Err(RejectReason::LibcMismatch {
            builder: builder_libc,
            candidate: spec.libc,
        });
    }
    versions_allow(&spec.versions, vars)?;
    let mut vars = vars.clone();
    if let Some(s) = suite.filter(|s| spec.suites.iter().any(|x| x == s)) {
        vars.insert("suite".to_owned(), s.to_owned());
    }
    let release = if spec.releases.is_empty() {
        None
    } else {
        let chosen = choose_release(spec, &vars, facts)?;
        vars.insert("distro".to_owned(), chosen.distro.clone());
        if let Some(r) = facts.bases.release_by_distro(&chosen.distro) {
            vars.insert("release".to_owned(), r.suite.clone());
        }
        Some(chosen)
    };
    let render = |t: &str| {
        pattern::render_template(t, &vars).ok_or_else(|| {
            let missing = pattern::template_vars(t)
                .unwrap_or_default()
                .into_iter()
                .find(|(v, optional)| !optional && !vars.contains_key(v))
                .map_or_else(|| "?".to_owned(), |(v, _)| v);
            RejectReason::MissingVariable(missing)
        })
    };
    let image = render(&spec.image)?;
    let nonroot = spec.nonroot_image.as_deref().map(render).transpose()?;
    let locale_from = spec
        .locale
        .as_ref()
        .and_then(|l| l.from.as_deref())
        .map(render)
        .transpose()?;
    Ok(Resolved {
        image,
        nonroot,
        release,
        locale_from,
    })
}

/// A candidate's templates rendered for one builder.
struct Resolved {
    image: String,
    nonroot: Option<String>,
    release: Option<ChosenRelease>,
    locale_from: Option<String>,
}

#[cfg(test)]
mod tests;
