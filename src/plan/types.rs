//! The plan layer's shared types: the public outcome of planning and the
//! data passed between its modules (the closure, copies, the static site).
//! It imports nothing from `plan/`, so no module of the layer depends on
//! another through its types.

use crate::rules::{AppKind, PackageManager};
use crate::syntax::{Dockerfile, Span};
use serde::{Serialize, Serializer};
use std::str::FromStr;

/// Which runtime base the user asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseChoice {
    /// The smallest base the analysis shows compatible.
    Auto,
    /// The slim variant of the builder's family (has a shell and a package manager).
    Slim,
    /// A distroless base (no shell).
    Distroless,
    /// The empty image.
    Scratch,
    /// This exact image.
    Image(String),
}

impl FromStr for BaseChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "auto" => BaseChoice::Auto,
            "slim" => BaseChoice::Slim,
            "distroless" => BaseChoice::Distroless,
            "scratch" => BaseChoice::Scratch,
            "" => return Err("empty base".into()),
            other => BaseChoice::Image(other.to_string()),
        })
    }
}

/// How to rewrite.
#[derive(Debug, Clone)]
pub struct Options {
    /// Which runtime base.
    pub base: BaseChoice,
    /// Add BuildKit cache mounts to package-manager steps.
    pub cache_mounts: bool,
    /// Who the runtime runs as.
    pub user: UserPolicy,
}

/// Who the runtime runs as.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum UserPolicy {
    /// The original's user: a split does not change who the app runs as.
    #[default]
    Keep,
    /// A non-root user when the original runs as root (`--non-root[=USER]`):
    /// the named one (`name`, `uid` or `uid:gid`), or the base's own.
    NonRoot(Option<String>),
}

impl Default for Options {
    fn default() -> Self {
        Options {
            base: BaseChoice::Auto,
            cache_mounts: true,
            user: UserPolicy::Keep,
        }
    }
}

/// Where an instruction of the input ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// Before the first FROM, unchanged.
    Global,
    /// In the `dependencies` stage.
    Dependencies,
    /// In the `build` stage.
    Build,
    /// Moved to the `runtime` stage.
    Runtime,
    /// Kept in the build stage and repeated in the runtime stage.
    BuildAndRuntime,
    /// The file is left unchanged.
    Unchanged,
}

/// What happened to one instruction of the input, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// 1-based line of the instruction.
    pub line: usize,
    /// The instruction's bytes in the input (its continuation lines and
    /// heredoc bodies included, the comments above it not).
    pub span: Span,
    /// The instruction's first line.
    pub text: String,
    /// Where it went.
    pub placement: Placement,
    /// The rule that decided it.
    pub rule: String,
    /// Why, in plain words.
    pub reason: String,
    /// Decisions about the commands inside a RUN.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<CommandDecision>,
}

/// What one command inside a RUN is for.
#[derive(Debug, Clone, Serialize)]
pub struct CommandDecision {
    /// The command text.
    pub text: String,
    /// The command's bytes in the input, when its text can be found there
    /// (not for an exec-form RUN, whose script is made of its JSON strings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// Its role (`install-deps`, `build`, `test`, `system-packages`, …).
    pub role: String,
    /// The rule.
    pub rule: String,
    /// Why.
    pub reason: String,
}

/// Something the rewrite adds that the input did not have.
#[derive(Debug, Clone, Serialize)]
pub struct Addition {
    /// The stage it goes in.
    pub stage: String,
    /// The text added.
    pub text: String,
    /// The rule.
    pub rule: String,
    /// Why.
    pub reason: String,
}

/// A stage of the output.
#[derive(Debug, Clone, Serialize)]
pub struct StageSummary {
    /// Its name.
    pub name: String,
    /// Its base image.
    pub base: String,
}

/// Who the runtime runs as.
#[derive(Debug, Clone, Serialize)]
pub struct RuntimeUser {
    /// The user (`root`, a name, or `uid:gid`).
    pub name: String,
    /// `core/same-user` (the original's) or `core/non-root` (`--non-root`).
    pub rule: String,
    /// Why, in plain words.
    pub reason: String,
    /// With `--non-root`: the directories handed to the user, each with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owns: Vec<OwnedPath>,
    /// With `--non-root`: writes the analysis cannot account for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_shown: Vec<String>,
}

/// A directory the runtime's user owns.
#[derive(Debug, Clone, Serialize)]
pub struct OwnedPath {
    /// Absolute path.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// Why the file stays as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    /// The rule.
    pub rule: String,
    /// Why, in one line, without the location (see [`Gate::text`]).
    pub message: String,
    /// The instruction it concerns, when it concerns one.
    pub at: Option<Location>,
}

/// An instruction a gate or a warning concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// 1-based line of the instruction.
    pub line: usize,
    /// Its bytes in the input.
    pub span: Span,
    /// The text people read starts with `line N:` (a message about one
    /// instruction among many); otherwise the message names the instruction
    /// in words (the start command, the base image) and the line is for
    /// editors only.
    #[serde(skip)]
    pub cited: bool,
}

impl Location {
    /// Instruction `item` of `df`, cited as `line N:`; `None` when `item` is not one.
    pub(crate) fn of(df: &Dockerfile, item: usize) -> Option<Location> {
        df.instruction_at(item).map(|i| Location {
            line: i.start_line,
            span: i.span.clone(),
            cited: true,
        })
    }

    /// Instruction `item` of `df`, which the message names in words.
    pub(crate) fn near(df: &Dockerfile, item: usize) -> Option<Location> {
        Location::of(df, item).map(|l| Location { cited: false, ..l })
    }
}

/// `line N: message`, or the message alone.
fn located(at: Option<&Location>, message: &str) -> String {
    match at {
        Some(l) if l.cited => format!("line {}: {message}", l.line),
        _ => message.to_string(),
    }
}

impl std::fmt::Display for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

impl Gate {
    /// The reason as people read it: `line N: message` when it concerns an instruction.
    pub fn text(&self) -> String {
        located(self.at.as_ref(), &self.message)
    }
}

/// The JSON report keeps `reason` as it always was (the located text) and
/// adds the message, line and span.
impl Serialize for Gate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Gate", 5)?;
        st.serialize_field("rule", &self.rule)?;
        st.serialize_field("reason", &self.text())?;
        st.serialize_field("message", &self.message)?;
        if let Some(at) = &self.at {
            st.serialize_field("line", &at.line)?;
            st.serialize_field("span", &at.span)?;
        } else {
            st.skip_field("line")?;
            st.skip_field("span")?;
        }
        st.end()
    }
}

/// Something the user should know about a rewrite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The rule behind it.
    pub rule: String,
    /// What, without the location (see [`Warning::text`]).
    pub message: String,
    /// The instruction it concerns, when it concerns one.
    pub at: Option<Location>,
}

impl Warning {
    /// A warning about the whole file.
    pub(crate) fn new(rule: &str, message: impl Into<String>) -> Warning {
        Warning {
            rule: rule.into(),
            message: message.into(),
            at: None,
        }
    }

    /// A warning about instruction `item`.
    pub(crate) fn at(
        df: &Dockerfile,
        item: usize,
        rule: &str,
        message: impl Into<String>,
    ) -> Warning {
        Warning {
            rule: rule.into(),
            message: message.into(),
            at: Location::of(df, item),
        }
    }

    /// The warning as people read it: `line N: message` when it concerns an instruction.
    pub fn text(&self) -> String {
        located(self.at.as_ref(), &self.message)
    }
}

/// In the JSON report a warning stays the string it always was; the
/// analysis ([`crate::analysis`]) gives its rule and span.
impl Serialize for Warning {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

/// The result of planning.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Leave the file unchanged.
    Unchanged {
        /// Why.
        gate: Gate,
        /// The profile that applied, if one did.
        profile: Option<String>,
        /// Per instruction, what the analysis saw (placement `unchanged`).
        decisions: Vec<Decision>,
    },
    /// A multi-stage rewrite.
    Rewrite(Box<Rewrite>),
}

/// A planned rewrite.
#[derive(Debug, Clone, Serialize)]
pub struct Rewrite {
    /// The profile.
    pub profile: String,
    /// The stages, in order.
    pub stages: Vec<StageSummary>,
    /// Per input instruction.
    pub decisions: Vec<Decision>,
    /// What was added.
    pub additions: Vec<Addition>,
    /// The original base image.
    pub base_before: String,
    /// The runtime base image.
    pub base_after: String,
    /// Why this runtime base.
    pub base_reason: String,
    /// Approximate compressed size of the runtime base (catalogue figure), MB.
    pub base_after_approx_mb: Option<u32>,
    /// Who the runtime runs as, and why.
    pub user: RuntimeUser,
    /// Warnings for the user.
    pub warnings: Vec<Warning>,
    /// The new Dockerfile.
    #[serde(skip)]
    pub text: String,
}

/// The static server the original runs, translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StaticSite {
    /// `serve` or `http-server`.
    pub server: &'static str,
    /// How the original starts it, for messages (`serve -s dist -l 3000`).
    pub command: String,
    /// The served folder in the build stage (absolute).
    pub dir: String,
    /// The port it listens on.
    pub port: u16,
    /// The nginx server block, one line each.
    pub config: Vec<String>,
    /// What nginx still does differently, one clause each.
    pub differences: Vec<String>,
}

/// A path the runtime stage copies from the build stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CopySpec {
    /// Absolute source path in the build stage (may end in a glob).
    pub from: String,
    /// Absolute destination in the runtime stage.
    pub to: String,
    pub rule: String,
    pub reason: String,
}

/// Python: a virtual environment created in the dependencies stage, which
/// the runtime receives in one copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Venv {
    /// Where (`/opt/venv`).
    pub path: String,
    /// The step (index into the steps) it is created before, in the
    /// original's order; render creates it before the first step at or
    /// after it that the stages write, when that step moved (manifests
    /// first), and leaves the file unchanged when that would come after
    /// one of `installs`.
    pub at: usize,
    /// The steps that install into it (pip, and poetry or pipenv using the
    /// active venv), in step order.
    pub installs: Vec<usize>,
    /// Why it is created.
    pub reason: String,
    /// Why pip and setuptools stay in it; `None`: it is created with
    /// `--without-pip` and the build's pip installs into it (`PIP_PYTHON`).
    pub keep_pip: Option<String>,
}

/// A command the build stage runs at its end: Node's `npm prune --omit=dev`,
/// Rust's `cargo build` for a start command that compiled at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PruneStep {
    /// `npm prune --omit=dev`, `cargo build --release`.
    pub command: String,
    pub rule: String,
    pub reason: String,
}

/// A start command the profile translates (Rust's `cargo run` → the binary
/// it builds): the instruction it replaces and the new exec form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StartRewrite {
    /// The CMD or ENTRYPOINT item it replaces.
    pub item: usize,
    /// `CMD` or `ENTRYPOINT`.
    pub keyword: &'static str,
    /// The new exec-form arguments.
    pub args: Vec<String>,
    pub rule: String,
    pub reason: String,
}

/// Java: a runtime that jlink builds at the end of the build stage from the
/// builder's own JDK, with the modules jdeps finds in what the app runs and
/// the ones it loads by name. Used only on a base that requires it
/// (`jlink-runtime` in the catalogue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Jlink {
    /// Absolute paths in the build stage that jdeps reads: jars, and folders
    /// holding jars or classes.
    pub inputs: Vec<String>,
}

/// The accounts the setup steps create, or why they cannot be carried.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Accounts {
    pub users: Vec<String>,
    pub groups: Vec<String>,
    /// Why the accounts cannot be copied into a base without a shell (the
    /// command as written, and what it would change besides the two lines).
    pub refused: Option<String>,
    /// Home directories the account commands create (`useradd -m`, Debian's
    /// `adduser`): set aside as the setup left them and copied into the
    /// runtime with their owner and mode, like the setup's own directories.
    pub homes: Vec<String>,
    /// Homes plain `useradd` creates only when the builder's login.defs sets
    /// CREATE_HOME, with the command that names each; settled against the
    /// builder's release by [`Accounts::settle_homes`].
    pub homes_if_create_home: Vec<(String, String)>,
    /// What the builder's login.defs decided for those, for the explanation.
    pub login_defs: Option<String>,
    /// Group ids the setup's `groupadd -g` / `addgroup --gid` give.
    pub gids: Vec<String>,
    /// Numeric primary groups (`useradd -g 100`) no group the setup creates
    /// has: the runtime base must have a group of that id.
    pub numeric_primary: Vec<String>,
    /// Homes the app's directory lies in (`useradd -m app` + `WORKDIR
    /// /home/app`): set aside right after the setup step that creates them
    /// (the item), before the build works there, rather than at the build
    /// stage's end; the app's own files come with the runtime's copies.
    pub set_aside_early: Vec<(String, usize)>,
}

/// A shell-form HEALTHCHECK that is one simple command of plain words
/// running the entry's own program: on a base without a shell it is
/// written in exec form (`core/healthcheck-exec`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HealthExec {
    /// The HEALTHCHECK instruction.
    pub item: usize,
    /// The command's bytes in the source (one piece: no continuation inside).
    pub span: crate::syntax::Span,
    /// Its words, as the shell would split them.
    pub words: Vec<String>,
}

/// What the runtime needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Closure {
    pub copies: Vec<CopySpec>,
    /// System packages to install in the runtime stage.
    pub packages: Vec<String>,
    /// Why some of `packages` are installed although no build step
    /// installs their -dev package (Python's `python/native-libs`: a
    /// dependency that loads a library of the full builder image): the
    /// rule and its reason, for the runtime's install line.
    pub library_note: Option<(String, String)>,
    pub package_manager: Option<PackageManager>,
    /// RUN items to repeat in the runtime stage (users, system files).
    pub replay: Vec<usize>,
    /// Replayed items that work on a path an earlier COPY brought, which
    /// the runtime receives from the build: repeated after the copies, with
    /// why (`core/setup-order`, `plan/setup_order.rs`).
    pub replay_after_copies: Vec<(usize, String)>,
    /// Setup steps that only change files the runtime copies from the
    /// build, after the COPY that brought them: the copies carry what they
    /// made, so they are not repeated; with why (`core/setup-order`).
    pub carried: Vec<(usize, String)>,
    pub app_kind: Option<AppKind>,
    /// The entry or a replayed step needs `/bin/sh`.
    pub needs_shell: bool,
    /// The entrypoint script of the app the entry runs (its context path),
    /// which needs a shell: the base's explanation names it.
    pub entry_script: Option<String>,
    /// The entry goes through a package manager (`npm start`).
    pub needs_launcher: bool,
    /// A static binary (Go, CGO_ENABLED=0).
    pub static_binary: bool,
    /// Why a compiled binary is not static, for the base's explanation.
    pub binary_note: Option<String>,
    /// Why a binary built without `CGO_ENABLED=0` is static all the same,
    /// for the base's explanation (Go on an image without a C compiler).
    pub static_note: Option<String>,
    /// The app makes TLS calls or loads time zones (scratch must receive them).
    pub needs_ca_certs: bool,
    pub needs_tzdata: bool,
    /// Python: a venv the dependencies stage creates.
    pub venv: Option<Venv>,
    /// Node: a command that removes dev dependencies at the end of the build stage.
    pub prune: Option<PruneStep>,
    /// Rust: the build a start command that compiled at start needs, at the
    /// end of the build stage.
    pub build_step: Option<PruneStep>,
    /// Rust: the start command translated (`cargo run` → the binary).
    pub start: Option<StartRewrite>,
    /// Java: the jlink runtime, when shown safe.
    pub jlink: Option<Jlink>,
    /// Java: why no jlink runtime (a base that requires one says it).
    pub jlink_refused: Option<String>,
    /// Java: the COPY steps (items) of a jar built outside the image, and of
    /// files put outside the app beside it, that the runtime takes whole
    /// (`java/rt-prebuilt-jar`): the build stage keeps nothing of them out.
    pub prebuilt_copies: Vec<usize>,
    /// The interpreter image family must be the same as the builder's.
    pub same_family: bool,
    /// The user the original runs as (its last USER), resolved.
    pub user: Option<String>,
    /// A static site: the user the original's server ran as (nginx takes
    /// its place, and no USER is written).
    pub served_as: Option<String>,
    /// What the builder image's accounts say of a numeric USER (`1000`,
    /// `1000:1000`): the account it names there, or why that is not known.
    pub numeric_account: NumericAccount,
    /// Users and groups the replayed setup steps create.
    pub created_users: Vec<String>,
    /// The .NET project sets `InvariantGlobalization` (it does not need ICU).
    pub invariant_globalization: bool,
    /// A replayed step does more than create accounts and directories, so it
    /// needs a shell.
    pub replay_needs_shell: bool,
    /// The runtime's WORKDIR lies in this home, which a replayed account
    /// command creates before the original enters it: a base with a shell
    /// runs the setup before the WORKDIR, so the account command makes the
    /// home (owner, mode, skeleton files) as in the original.
    pub workdir_in_home: Option<String>,
    /// Why a base with a shell cannot repeat the setup faithfully (its
    /// runtime WORKDIR lies in a home the setup creates, and a setup step
    /// ran in another directory): such bases are not offered.
    pub replay_refused: Option<String>,
    /// Directories the replayed steps create (and give an owner or mode):
    /// on a base without a shell they are copied from the build stage with
    /// their owner and mode instead of being created again.
    pub owned_dirs: Vec<String>,
    /// Numeric ids of the accounts the setup steps create (name → id).
    pub account_ids: std::collections::BTreeMap<String, String>,
    /// A shell-form health check a base without a shell may run in exec form.
    pub health_exec: Option<HealthExec>,
    /// The accounts the replayed setup steps create, read for a base
    /// without a shell (`plan/accounts.rs`, `core/accounts-copied`).
    pub accounts: Accounts,
    /// Node: the app is a static site its start command only serves; nginx
    /// serves it in the runtime.
    pub static_site: Option<StaticSite>,
    /// Node: the start command only serves files, but nginx does not take
    /// its place; the sentence saying why (also among the warnings).
    pub nginx_refused: Option<String>,
    pub warnings: Vec<Warning>,
    /// Placement pragmas (`plan/pragma.rs`): a RUN the user placed in the
    /// runtime needs a shell there …
    pub forced_shell: bool,
    /// … and this package manager, when it installs packages.
    pub forced_package_manager: Option<PackageManager>,
    /// `# dfsplit: keep` on CMD or ENTRYPOINT: never translated for the base.
    pub keep_entry: bool,
    /// COPY instructions `# dfsplit: runtime` repeats in the runtime, before
    /// the files it takes from the build.
    pub forced_copies: Vec<usize>,
    /// RUN and COPY instructions `# dfsplit: keep` repeats in the runtime at
    /// their place among the original's instructions.
    pub kept: Vec<usize>,
    /// Node: global tools the container runs (`npm install -g serve`),
    /// installed again in the runtime stage by the original's own command.
    pub runtime_tools: Vec<PruneStep>,
    /// The app's sources run a literal command line through /bin/sh
    /// (`exec`, `os.system`): where, for the base's explanation
    /// (`plan/spawn`, `core/spawned-program`).
    pub spawn_shell: Option<String>,
}

/// A numeric USER read against the builder image's accounts (the
/// catalogue's `accounts` of the builder): Docker looks the uid up in the
/// image's /etc/passwd for the process's HOME, primary group and name, so
/// the runtime must answer the same lookup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum NumericAccount {
    /// No numeric USER, or one whose lookup every base with /etc/passwd
    /// answers alike (root, nobody), or one the setup creates (carried or
    /// repeated with it), or a uid from 1000 on the builder has no account
    /// for (HOME `/` in the original, as on any base without one).
    #[default]
    None,
    /// The uid is this account of the builder image.
    Builder(crate::rules::BuilderAccount),
    /// The uid is in the system range (1–999), where the builder's
    /// distribution has accounts the catalogue does not list by id: only a
    /// base of that distribution with those accounts answers alike.
    System(String),
    /// Whether the builder has an account of that uid cannot be shown.
    Unknown(String),
}

impl Closure {
    /// The original runs as root: it sets no USER, or `root` / uid 0 (for a
    /// static site, the user its server ran as).
    pub fn runs_as_root(&self) -> bool {
        self.user
            .as_deref()
            .or(self.served_as.as_deref())
            .is_none_or(|u| {
                let name = u.split(':').next().unwrap_or(u);
                name == "root" || name == "0"
            })
    }

    /// The original USER as numbers, when the setup steps give every id it names.
    pub fn numeric_user(&self) -> Option<String> {
        self.numeric_ids(self.user.as_deref()?)
    }

    /// `name[:group]` as numeric ids, from the accounts the setup creates and
    /// the ones every Debian and Alpine image has.
    pub fn numeric_ids(&self, user: &str) -> Option<String> {
        let (name, group) = match user.split_once(':') {
            Some((n, g)) => (n, Some(g)),
            None => (user, None),
        };
        let numeric = |s: &str| s.chars().all(|ch| ch.is_ascii_digit());
        // Accounts every Debian and Alpine image has, with their fixed ids.
        let well_known = |n: &str| match n {
            "root" => Some("0".to_string()),
            "nobody" => Some("65534".to_string()),
            _ => None,
        };
        let entry = if numeric(name) {
            name.to_string()
        } else {
            self.account_ids
                .get(name)
                .cloned()
                .or_else(|| well_known(name))?
        };
        let (uid, own_group) = match entry.split_once(':') {
            Some((u, g)) => (u.to_string(), Some(g.to_string())),
            None => (entry, None),
        };
        let gid = |g: &str| -> Option<String> {
            if g == "nogroup" || g == "nobody" {
                return Some("65534".to_string());
            }
            if numeric(g) {
                Some(g.to_string())
            } else {
                self.account_ids.get(&format!("group:{g}")).cloned()
            }
        };
        let group = match group.map(str::to_string).or(own_group) {
            Some(g) => Some(gid(&g)?),
            None => None,
        };
        Some(match group {
            Some(g) => format!("{uid}:{g}"),
            None => uid,
        })
    }
}

/// The first line of an instruction, without its line ending.
pub(crate) fn first_line(df: &Dockerfile, inst: &crate::syntax::Instruction) -> String {
    let text = df.text(&inst.span);
    text.lines()
        .next()
        .unwrap_or("")
        .trim_end_matches('\r')
        .to_string()
}
