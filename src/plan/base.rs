//! Choosing the runtime base from the catalogue's facts and what the
//! analysis showed the app needs.

use super::accounts::numeric;
use super::entry::Entry;
use super::types::{Accounts, BaseChoice, Closure, Gate, NumericAccount, Options, UserPolicy};
use crate::plan::rule_ids as ids;
use crate::rules::{
    BaseCandidate, CandidateReport, CandidateSpec, PackageManager, RejectReason, Requirement, Rules,
};
use crate::syntax::Command;

mod given;
use given::with_base;

/// Kinds of runtime base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Scratch,
    Distroless,
    Slim,
    Alpine,
}

pub(crate) fn kind(spec: &CandidateSpec) -> Kind {
    if spec.image == "scratch" {
        Kind::Scratch
    } else if spec.image.contains("distroless") || spec.image.contains("chiseled") {
        Kind::Distroless
    } else if spec.image.contains("alpine") {
        Kind::Alpine
    } else {
        Kind::Slim
    }
}

/// Whether a resolved image matches a candidate's image template.
pub(crate) fn candidate_matches(template: &str, image: &str) -> bool {
    // Every image the glob below matches starts with the template's text
    // up to its first variable or optional part (when that text holds no
    // glob character, nor a closing brace or bracket, which the glob drops):
    // most candidates are told apart here, before any glob is made.
    let literal = &template[..template
        .find(['{', '[', '}', ']'])
        .unwrap_or(template.len())];
    if !literal.contains(['*', '?']) && !image.starts_with(literal) {
        return false;
    }
    matches_by_glob(template, image)
}

/// [`candidate_matches`] without its shortcut: the template made a glob.
fn matches_by_glob(template: &str, image: &str) -> bool {
    let mut glob = String::new();
    let mut depth = 0;
    let mut in_var = false;
    for ch in template.chars() {
        match ch {
            '[' => {
                depth += 1;
                glob.push('*');
            }
            ']' => depth -= 1,
            '{' => in_var = true,
            '}' => {
                in_var = false;
                if depth == 0 {
                    glob.push('*');
                }
            }
            _ if in_var || depth > 0 => {}
            c => glob.push(c),
        }
    }
    let glob = glob.replace("**", "*");
    if !template.contains(':') && template != "scratch" {
        return image == glob
            || image
                .strip_prefix(glob.as_str())
                .is_some_and(|r| r.starts_with(':') || r.starts_with('@'))
            || crate::rules::pattern::glob_match(&glob, image);
    }
    crate::rules::pattern::glob_match(&glob, image)
}

/// The values an image reference gives a candidate's image template's
/// variables (`gcr.io/distroless/cc-{distro}` and
/// `gcr.io/distroless/cc-debian12:nonroot` → `distro = debian12`), or
/// `None` when the image is not of that template. A template without a tag
/// matches the repository alone, whatever the tag or digest; a variable
/// takes one or more characters up to the next `/`, `:` or `@`, and an
/// optional `[...]` group is tried with and without.
pub(crate) fn template_values(template: &str, image: &str) -> Option<crate::rules::pattern::Vars> {
    #[derive(Debug)]
    enum Part {
        Lit(char),
        Var(String),
        Group(Vec<Part>),
    }
    fn parts(chars: &mut std::str::Chars<'_>, in_group: bool) -> Option<Vec<Part>> {
        let mut out = Vec::new();
        while let Some(c) = chars.next() {
            match c {
                '[' if !in_group => out.push(Part::Group(parts(chars, true)?)),
                ']' if in_group => return Some(out),
                '[' | ']' => return None,
                '{' => {
                    let name: String = chars.by_ref().take_while(|&ch| ch != '}').collect();
                    out.push(Part::Var(name));
                }
                c => out.push(Part::Lit(c)),
            }
        }
        (!in_group).then_some(out)
    }
    fn walk(ps: &[&Part], s: &str, vars: &mut crate::rules::pattern::Vars) -> bool {
        let Some((first, rest)) = ps.split_first() else {
            return s.is_empty();
        };
        match first {
            Part::Lit(c) => s
                .strip_prefix(*c)
                .is_some_and(|tail| walk(rest, tail, vars)),
            Part::Var(name) => {
                let run = s.find(['/', ':', '@']).unwrap_or(s.len());
                for end in (1..=run).filter(|&e| s.is_char_boundary(e)) {
                    let value = &s[..end];
                    if vars.get(name).is_some_and(|v| v != value) {
                        continue;
                    }
                    let had = vars.insert(name.clone(), value.to_owned());
                    if walk(rest, &s[end..], vars) {
                        return true;
                    }
                    match had {
                        Some(v) => vars.insert(name.clone(), v),
                        None => vars.remove(name),
                    };
                }
                false
            }
            Part::Group(inner) => {
                let with: Vec<&Part> = inner.iter().chain(rest.iter().copied()).collect();
                let saved = vars.clone();
                if walk(&with, s, vars) {
                    return true;
                }
                *vars = saved;
                walk(rest, s, vars)
            }
        }
    }
    let parts = parts(&mut template.chars(), false)?;
    // The repository without tag or digest, when the template names no tag.
    let mut subject = image.split('@').next().unwrap_or(image);
    if !template.contains(':') {
        let last = subject.rfind('/').map_or(0, |i| i + 1);
        if let Some(colon) = subject[last..].find(':') {
            subject = &subject[..last + colon];
        }
    }
    let mut vars = crate::rules::pattern::Vars::new();
    let refs: Vec<&Part> = parts.iter().collect();
    walk(&refs, subject, &mut vars).then_some(vars)
}

/// The chosen runtime base.
#[derive(Debug, Clone)]
pub(crate) struct Chosen {
    pub image: String,
    pub spec: Option<CandidateSpec>,
    pub reason: String,
    /// USER to set when the original sets none (non-root by default).
    pub user: Option<(String, String)>,
    /// The start command rewritten for a base whose ENTRYPOINT is the interpreter.
    pub entry_rewrite: Option<EntryRewrite>,
    /// Copy CA certificates and zoneinfo from the build stage (scratch).
    pub copy_ca_certs: bool,
    pub copy_tzdata: bool,
    /// Packages to install because the base lacks data the app needs.
    pub extra_packages: Vec<String>,
    /// Things the user should know about the choice.
    pub notes: Vec<String>,
    /// The image is published without version tags (distroless used as root).
    pub untagged: bool,
    /// On a base without a shell, the account setup is not repeated and USER
    /// becomes these numeric ids.
    pub numeric_user: Option<String>,
    /// On a base without a shell whose /etc/passwd the setup's accounts
    /// (created without fixed ids) are added to: the build stage writes the
    /// base's files with their lines appended, the runtime copies them in,
    /// and USER stays as written (`core/accounts-copied`).
    pub accounts: Option<Accounts>,
    /// USER became numeric ids although it names an account the setup
    /// creates: why its lines of /etc/passwd and /etc/group are not copied
    /// in instead (`core/accounts-copied` refused), for the explanation.
    pub accounts_not_copied: Option<String>,
    /// `--non-root` switched a root app to a non-root user: its numeric
    /// `uid:gid`, which owns what the app may write.
    pub owner: Option<String>,
    /// What that user owns (set once the owner is known).
    pub owned: super::non_root::Ownership,
    /// `LANG` the runtime sets (the candidate's `locale`), and the image
    /// its locale data is copied from when the base has none.
    pub locale: Option<(String, Option<String>)>,
    /// Why the candidate's locale is not set up although the base has no
    /// locale data of its own (`--base` naming an image whose release
    /// cannot be read, so the image the data comes from cannot be named);
    /// render warns with what that means for the file at hand.
    pub locale_dropped: Option<String>,
    /// `--base` named the builder's own image, or its repository with the
    /// same version and release: it holds what the build stage had, and
    /// the no-gain rule weighs the split as on the builder itself.
    pub builder_image: bool,
}

impl Chosen {
    /// The rule that explains the base and what its facts add: the
    /// catalogue candidate's id, or `core/base-choice` for an image the
    /// catalogue does not describe.
    pub(crate) fn rule_id(&self) -> &str {
        self.spec
            .as_ref()
            .map_or(ids::core::BASE_CHOICE, |s| s.id.as_str())
    }

    /// The setup steps are not repeated in the runtime: their accounts
    /// become numeric ids or copied lines, their directories are copied.
    pub(crate) fn setup_not_repeated(&self) -> bool {
        self.numeric_user.is_some() || self.accounts.is_some()
    }

    /// The base takes the jlink runtime the build stage makes (Java).
    pub(crate) fn jlink(&self) -> bool {
        self.spec
            .as_ref()
            .is_some_and(|s| s.requires.contains(&Requirement::JlinkRuntime))
    }
}

/// How the start command changes on a base whose ENTRYPOINT is the interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EntryRewrite {
    /// The original sets only CMD, which starts the interpreter: CMD keeps its arguments.
    Cmd(Vec<String>),
    /// The original's ENTRYPOINT starts the interpreter by name: the same
    /// ENTRYPOINT with the base's interpreter path, which is not on PATH there.
    Entrypoint(Vec<String>),
}

/// Why a candidate cannot serve, or `None` when it can.
fn incompatible(
    spec: &CandidateSpec,
    c: &Closure,
    entry: &Entry,
    builder: &str,
    opts: &Options,
) -> Option<String> {
    if let Some(kind) = c.app_kind
        && !spec.suits.contains(&kind)
    {
        return Some(format!("it does not suit a {kind:?} app"));
    }
    if opts.user == UserPolicy::Keep && c.runs_as_root() && spec.user.uid != 0 {
        return Some(format!(
            "it runs as `{}` (uid {}) by default and the original runs as root: the runtime keeps the original's user (--non-root allows it)",
            spec.user.name, spec.user.uid
        ));
    }
    if let UserPolicy::NonRoot(Some(wanted)) = &opts.user
        && c.runs_as_root()
        && requested_ids(spec, wanted, c).is_none()
    {
        return Some(format!(
            "--non-root={wanted}: it has no account `{wanted}` (give numeric ids, e.g. --non-root=10001:10001)"
        ));
    }
    if let Some(u) = &c.user
        && let Some(name) = missing_user(spec, u, c, UserCheck::Usable)
    {
        return Some(format!(
            "the original runs as `{name}`, and no such user exists in it"
        ));
    }
    if let Some(why) = numeric_account_missing(spec, c) {
        return Some(why);
    }
    if (c.needs_ca_certs || c.needs_tzdata)
        && kind(spec) != Kind::Scratch
        && !spec.ca_certs
        && spec.package_manager == PackageManager::None
    {
        return Some("the app needs CA certificates or zoneinfo, and it has neither them nor a package manager".into());
    }
    if c.forced_shell && !spec.shell {
        return Some(
            "it has no shell, and a RUN a `# dfsplit:` pragma places in the runtime needs one"
                .into(),
        );
    }
    if let Some(pm) = c.forced_package_manager
        && (!spec.shell || spec.package_manager != pm)
    {
        return Some(format!(
            "a RUN a `# dfsplit:` pragma places in the runtime installs packages with {}, which it lacks",
            match pm {
                PackageManager::Apk => "apk",
                _ => "apt",
            }
        ));
    }
    if c.keep_entry && !matches!(entry_translation(spec, entry), Ok(None)) {
        return Some("its ENTRYPOINT starts an interpreter, and `# dfsplit: keep` keeps the start command as written".into());
    }
    if let Some(h) = &c.health_exec
        && !spec.shell
        && !matches!(entry_translation(spec, entry), Ok(None))
    {
        return Some(format!(
            "it has no shell for the shell-form health check, and in exec form `{}` would not be found there (the base starts the interpreter by its own path)",
            h.words.first().map_or("", String::as_str)
        ));
    }
    if c.needs_shell && !spec.shell {
        if let Some(script) = &c.entry_script {
            return Some(format!(
                "it has no shell, and the entry runs the shell script {script}"
            ));
        }
        if let Some(call) = &c.spawn_shell {
            return Some(format!("it has no shell, and {call}"));
        }
        return Some(
            "it has no shell, and the start command, a health check or a setup step needs one"
                .into(),
        );
    }
    if !c.packages.is_empty() {
        let pm = c.package_manager.unwrap_or(PackageManager::Apt);
        if !spec.shell || spec.package_manager != pm {
            return Some(format!(
                "the runtime needs system packages ({}) and it has no {} to install them",
                c.packages.join(", "),
                match pm {
                    PackageManager::Apk => "apk",
                    _ => "apt",
                }
            ));
        }
    }
    if !c.replay.is_empty()
        && spec.shell
        && let Some(why) = &c.replay_refused
    {
        return Some(format!(
            "it would repeat the setup steps, and they cannot be repeated as the original ran them [core/system-setup]: {why}"
        ));
    }
    if !c.replay.is_empty() && !spec.shell {
        if c.replay_needs_shell {
            return Some(
                "setup steps (users, system files) must be repeated and it has no shell".into(),
            );
        }
        if c.numeric_user().is_none()
            && let Some(why) = accounts_refused(spec, c, opts)
        {
            return Some(format!(
                "setup steps (users, system files) must be repeated and it has no shell; their accounts cannot be added to its /etc/passwd instead [core/accounts-copied]: {why}"
            ));
        }
    }
    for r in &spec.requires {
        match r {
            Requirement::CgoDisabled if !c.static_binary => {
                return Some(
                    "the binary is not built with CGO_ENABLED=0, so it needs a C library".into(),
                );
            }
            Requirement::ExecFormOnly if c.needs_shell => {
                return Some("it has no shell".into());
            }
            Requirement::NoPackageManagerAtRuntime if c.needs_launcher => {
                return Some(
                    "the app starts through a package manager (npm start …), which it lacks".into(),
                );
            }
            Requirement::NoIcu if !c.invariant_globalization => {
                return Some("it has no ICU or tzdata, so .NET would run globalization-invariant (culture-aware sorting, named cultures and time zones change), and the project does not set InvariantGlobalization".into());
            }
            Requirement::UnprivilegedPort
                if c.static_site.as_ref().is_some_and(|s| s.port < 1024) =>
            {
                return Some(format!(
                    "it runs as a non-root user, which cannot listen on port {} where the engine keeps the kernel's default for unprivileged ports (Kubernetes does)",
                    c.static_site.as_ref().map_or(0, |s| s.port)
                ));
            }
            Requirement::JlinkRuntime if c.jlink.is_none() => {
                return Some(c.jlink_refused.clone().unwrap_or_else(|| {
                    "it needs a jlink runtime, and none is planned for this app".into()
                }));
            }
            Requirement::SameInterpreter if !same_family(&spec.image, builder) => {
                return Some(
                    "the virtual environment's interpreter path differs from the builder's".into(),
                );
            }
            _ => {}
        }
    }
    if c.same_family && !same_family(&spec.image, builder) {
        return Some("installed packages are tied to the builder's interpreter path".into());
    }
    if entry_translation(spec, entry).is_err() {
        return Some("its ENTRYPOINT starts an interpreter, and the start command cannot be translated exactly".into());
    }
    None
}

/// Why the accounts the setup creates cannot be added to this base's
/// /etc/passwd and /etc/group by copying (`core/accounts-copied`), or
/// `None` when they can: a base with those files (not scratch), a builder
/// with `RUN --mount` (not `--no-cache-mounts`), every account command
/// understood, at least one account, and none named like an account the
/// base already has or given a fixed id one of them has.
fn accounts_refused(spec: &CandidateSpec, c: &Closure, opts: &Options) -> Option<String> {
    let a = &c.accounts;
    if kind(spec) == Kind::Scratch {
        return Some("scratch has no /etc/passwd to add them to".into());
    }
    if !opts.cache_mounts {
        return Some("with --no-cache-mounts (the legacy builder) there is no RUN --mount to read the base's own /etc/passwd with".into());
    }
    if let Some(why) = &a.refused {
        return Some(why.clone());
    }
    if a.users.is_empty() && a.groups.is_empty() {
        return Some(
            "the setup creates no account, and the original's user has no fixed id".into(),
        );
    }
    let base_names: Vec<&str> = std::iter::once(&spec.user)
        .chain(spec.other_users.iter())
        .map(|u| u.name.as_str())
        .chain(["root", "nobody"])
        .collect();
    if let Some(n) = a
        .users
        .iter()
        .chain(a.groups.iter())
        .find(|n| base_names.contains(&n.as_str()))
    {
        return Some(format!("`{n}` is an account the base already has"));
    }
    // A fixed id the base's own accounts have would make two entries with
    // one id (the build stage's check would fail the build): the catalogue's
    // accounts, each with a group of the same id, root and nobody.
    let base_ids: Vec<(String, &str)> = std::iter::once(&spec.user)
        .chain(spec.other_users.iter())
        .map(|u| (u.uid.to_string(), u.name.as_str()))
        .chain([("0".to_string(), "root"), ("65534".to_string(), "nobody")])
        .collect();
    let fixed = a
        .users
        .iter()
        .map(|u| (u.as_str(), c.account_ids.get(u)))
        .chain(
            a.groups
                .iter()
                .map(|g| (g.as_str(), c.account_ids.get(&format!("group:{g}")))),
        );
    for (n, ids) in fixed {
        let Some(id) = ids.map(|v| v.split(':').next().unwrap_or(v)) else {
            continue;
        };
        if let Some((_, other)) = base_ids.iter().find(|(b, _)| b == id) {
            return Some(format!(
                "`{n}` is given the id {id}, which the base's account `{other}` has"
            ));
        }
    }
    // A numeric primary group no group of the setup has must be one of the
    // base's: each catalogue account's group has its uid as id.
    if let Some(g) = a
        .numeric_primary
        .iter()
        .find(|g| !base_ids.iter().any(|(b, _)| b == *g))
    {
        return Some(format!(
            "a user's primary group is the number {g}, which no group the setup creates has, and the base may not have a group of that id"
        ));
    }
    None
}

/// Why this base does not answer the original's numeric USER as the
/// builder did ([`NumericAccount`]), or `None` when it does: the builder's
/// account must be one of the base's with the same name, uid and home
/// (Docker gives the process that HOME and primary group, and the app's
/// lookups name it); a uid in the system range needs a base of the
/// builder's distribution, which has its system accounts.
fn numeric_account_missing(spec: &CandidateSpec, c: &Closure) -> Option<String> {
    let uid = c.user.as_deref()?.split(':').next()?;
    match &c.numeric_account {
        NumericAccount::None => None,
        NumericAccount::Builder(a) => {
            let same = kind(spec) != Kind::Scratch
                && std::iter::once(&spec.user)
                    .chain(spec.other_users.iter())
                    .any(|u| {
                        u.uid == a.uid && u.name == a.name && u.home.as_deref() == Some(&a.home)
                    });
            (!same).then(|| {
                format!(
                    "the original runs as uid {uid}, the builder image's account `{}` (HOME {}), and the catalogue lists no such account in it: without one HOME is / and the user's name does not resolve [core/user-numeric]",
                    a.name, a.home
                )
            })
        }
        NumericAccount::System(why) => {
            (!matches!(kind(spec), Kind::Slim | Kind::Alpine)).then(|| {
                format!(
                    "the original runs as uid {uid}, and {why}: it lacks them, so HOME and the user's name may differ [core/user-numeric]"
                )
            })
        }
        NumericAccount::Unknown(why) => Some(format!(
            "the original runs as uid {uid}, and {why}: HOME and the user's name may differ [core/user-numeric]"
        )),
    }
}

/// The numeric `uid:gid` of the user `--non-root=USER` names on this base:
/// numeric ids as given (`uid` alone: the same gid), an account the
/// catalogue lists for the base (its group has the same id), or one the
/// setup creates with fixed ids; `None` when the base has no such account.
fn requested_ids(spec: &CandidateSpec, wanted: &str, c: &Closure) -> Option<String> {
    match wanted.split_once(':') {
        Some((u, g)) if numeric(u) && numeric(g) => return Some(wanted.to_string()),
        None if numeric(wanted) => return Some(format!("{wanted}:{wanted}")),
        _ => {}
    }
    let name = wanted.split(':').next().unwrap_or(wanted);
    if kind(spec) != Kind::Scratch
        && let Some(u) = std::iter::once(&spec.user)
            .chain(spec.other_users.iter())
            .find(|u| u.name == name && u.uid != 0)
    {
        return Some(format!("{0}:{0}", u.uid));
    }
    if spec.shell && c.created_users.iter().any(|u| u == name) {
        return c.numeric_ids(wanted);
    }
    None
}

/// Accounts every Debian (and Alpine) base image has.
const SYSTEM_USERS: &[&str] = &[
    "root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy",
    "www-data", "backup", "list", "irc", "_apt", "nobody", "adm", "operator", "ftp", "guest",
];

/// Which question a user-name check answers. The two differ on purpose; the
/// rules are side by side in [`missing_user`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UserCheck {
    /// Can the runtime stage run as (or `--chown` to) this name? The base's
    /// accounts, `root` (except on scratch) and the accounts every Debian or
    /// Alpine image has, accounts the setup creates, names only known at build
    /// time (`$APP_UID`), and any name when USER becomes numeric ids (no shell).
    Usable,
    /// Does the name resolve on the base as written, with no translation to
    /// numeric ids? Only the accounts the catalogue lists for the base, and
    /// those the setup creates where it is replayed (a shell). Decides whether
    /// USER becomes numeric ids on a base without a shell.
    AsWritten,
}

/// The account name of `user` (`NAME[:GROUP]`) when it does not exist on
/// this base for `check`; `None` when it does.
fn missing_user<'a>(
    spec: &CandidateSpec,
    user: &'a str,
    c: &Closure,
    check: UserCheck,
) -> Option<&'a str> {
    let name = user.split(':').next().unwrap_or(user);
    // Numeric ids (or no name: `USER :1000`) need no account.
    let numeric = name.chars().all(|ch| ch.is_ascii_digit());
    // A variable's value is only known at build time.
    let variable = name.contains('$');
    // scratch has no /etc/passwd: the catalogue's `root` there is only its
    // default uid 0, and no name resolves (`USER root` fails to start).
    let listed = kind(spec) != Kind::Scratch
        && (spec.user.name == name || spec.other_users.iter().any(|u| u.name == name));
    let created = c.created_users.iter().any(|u| u == name);
    // Accounts every Debian (and Alpine) image has, beyond the catalogue's.
    let implied = name == "root" && kind(spec) != Kind::Scratch
        || matches!(kind(spec), Kind::Slim | Kind::Alpine) && SYSTEM_USERS.contains(&name);
    // Without a shell the setup is not replayed and USER becomes numeric ids.
    let translated = !spec.shell && c.numeric_user().is_some();
    let found = match check {
        UserCheck::Usable => numeric || variable || listed || created || implied || translated,
        UserCheck::AsWritten => numeric || listed || created && spec.shell,
    };
    (!found).then_some(name)
}

fn same_family(template: &str, builder: &str) -> bool {
    let repo = |s: &str| -> String {
        let last_slash = s.rfind('/').map_or(0, |p| p + 1);
        match s[last_slash..].find(':') {
            Some(p) => s[..last_slash + p].to_string(),
            None => s.to_string(),
        }
    };
    repo(template) == repo(builder)
}

/// How the original start command runs on a base with its own ENTRYPOINT.
/// `Ok(None)`: unchanged (no ENTRYPOINT, or a wrapper script that runs its
/// arguments); `Ok(Some(rewrite))`: the exact CMD or ENTRYPOINT that keeps
/// the meaning; `Err(())`: no exact translation.
fn entry_translation(spec: &CandidateSpec, entry: &Entry) -> Result<Option<EntryRewrite>, ()> {
    let Some(ep) = spec.entrypoint.as_ref() else {
        return Ok(None);
    };
    let Some(first) = ep.first() else {
        return Ok(None);
    };
    if first.ends_with(".sh") {
        // docker-entrypoint.sh and friends run the command they are given.
        return Ok(None);
    }
    // `node`, `/usr/local/bin/node` and `/nodejs/bin/node` name one
    // interpreter; so do `python3` and `/usr/bin/python3.11`.
    let program = |s: &str| {
        s.rsplit('/')
            .next()
            .unwrap_or(s)
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
            .to_string()
    };
    if let Some((_, original)) = &entry.entrypoint {
        // The original's ENTRYPOINT replaces the base's: it stays, with the
        // interpreter named by the base's path (a bare name is looked up on
        // PATH, where distroless images do not put it).
        let Command::Exec(args) = original else {
            return Err(());
        };
        let argv: Vec<&str> = args.iter().map(|a| a.value.as_str()).collect();
        return match argv.split_first() {
            Some((prog, rest)) if program(prog) == program(first) => {
                if *prog == first.as_str() {
                    return Ok(None);
                }
                let mut out = vec![first.clone()];
                out.extend(rest.iter().map(|s| s.to_string()));
                Ok(Some(EntryRewrite::Entrypoint(out)))
            }
            _ => Err(()),
        };
    }
    let Some((_, Command::Exec(args))) = &entry.cmd else {
        return Err(());
    };
    let argv: Vec<&str> = args.iter().map(|a| a.value.as_str()).collect();
    if argv.len() < ep.len()
        || program(argv[0]) != program(first)
        || argv[1..ep.len()] != ep[1..].iter().map(String::as_str).collect::<Vec<_>>()[..]
    {
        return Err(());
    }
    Ok(Some(EntryRewrite::Cmd(
        argv[ep.len()..].iter().map(|s| s.to_string()).collect(),
    )))
}

/// The runtime base for `builder`: the catalogue's candidates screened
/// against what the app needs ([`screen`]), then the one `opts.base` asks for
/// — the user's image ([`with_base`]), the smallest that fits ([`auto_pick`]),
/// or the first of a kind — or the gate naming why none fits.
///
/// `follows` says why a candidate image cannot be written with the ARGs the
/// builder's FROM uses (`None`: it can); such candidates are set aside, so
/// `FROM node:${V}` with `V=22.13.1` gets `node:${V}-slim` rather than a
/// smaller image published per major only.
pub(crate) fn choose(
    rules: &Rules,
    builder: &str,
    c: &Closure,
    entry: &Entry,
    opts: &Options,
    follows: &dyn Fn(&str) -> Option<String>,
) -> Result<Chosen, Gate> {
    let report = rules.explain_runtime_candidates(builder);
    // A builder holding another repository's interpreter (uv's Python
    // images) counts as that repository for the same-interpreter checks.
    let holder = report.builder.interpreter_of.as_ref().map(|repo| {
        format!(
            "{repo}:{}",
            report.builder.image.tag.as_deref().unwrap_or("")
        )
    });
    let builder = holder.as_deref().unwrap_or(builder);
    let mut screened = screen(&report, c, entry, builder, opts);
    let mut unfollowed: Option<String> = None;
    screened.ok.retain(|k| match follows(&k.image) {
        None => true,
        Some(why) => {
            screened
                .smaller_rejected
                .push((k.spec.approx_size_mb, format!("{} ({why})", k.image)));
            screened
                .rejected
                .push(format!("{} ({}): {why}", k.image, k.spec.id));
            unfollowed.get_or_insert(why);
            false
        }
    });
    let pick = match &opts.base {
        BaseChoice::Image(img) => {
            return with_base(img, &report, c, entry, builder, opts, rules)
                .map(|chosen| builder_notes(chosen, &report.builder));
        }
        BaseChoice::Auto => auto_pick(&screened, c, opts),
        wanted => {
            let want = match wanted {
                BaseChoice::Slim => Kind::Slim,
                BaseChoice::Distroless => Kind::Distroless,
                _ => Kind::Scratch,
            };
            screened
                .ok
                .iter()
                .find(|k| kind(k.spec) == want)
                .map(|k| (*k, format!("asked for with --base; {}", k.spec.notes)))
        }
    };
    match pick {
        Some((k, why)) => Ok(builder_notes(
            finish_pick(k, why, c, entry, opts),
            &report.builder,
        )),
        // Every base that fits was set aside because it cannot follow the ARG.
        None if screened.ok.is_empty() && unfollowed.is_some() && pick_was_possible(&opts.base) => {
            Err(Gate {
                rule: ids::core::ARG_IN_FROM.into(),
                at: None,
                message: unfollowed.unwrap_or_default(),
            })
        }
        None => Err(Gate {
            rule: ids::core::BASE_INCOMPATIBLE.into(),
            at: None,
            message: if screened.rejected.is_empty() {
                format!("the catalogue has no runtime base for `{builder}`")
            } else {
                format!("no runtime base fits: {}", screened.rejected.join("; "))
            },
        }),
    }
}

/// Whether `--base` leaves the choice to the catalogue (so a gate about
/// ARGs, not about the kind asked for, explains an empty choice).
fn pick_was_possible(base: &BaseChoice) -> bool {
    matches!(base, BaseChoice::Auto)
}

/// What the builder's tag itself tells the user, added to the choice: a
/// moving tag the runtime follows (or does not depend on), an image no
/// longer maintained, a release past its support.
fn builder_notes(mut chosen: Chosen, builder: &crate::rules::BuilderFacts) -> Chosen {
    // `node:lts`, or `node` (no tag, so `latest`), quoted as code.
    let written = match &builder.image.tag {
        Some(t) => format!("`{}:{t}`", builder.image.name),
        None => format!("`{}` (no tag, so `latest`)", builder.image.name),
    };
    if let Some(series) = &builder.moving {
        if same_family(&chosen.image, &builder.image.name) {
            chosen.reason.push_str(&format!(
                "; {written} is a moving tag (the `{series}` line), and the runtime `{}` follows the same line rather than a version read into it",
                chosen.image
            ));
            chosen.notes.push(format!(
                "{written} and the runtime `{}` are moving tags that move together only when both are pulled again: build with `docker build --pull`, or a cached builder of an older line is paired with a newer runtime (native modules and installed packages are tied to the interpreter they were built for)",
                chosen.image
            ));
        } else {
            chosen.reason.push_str(&format!(
                "; {written} is a moving tag (the `{series}` line), and the runtime `{}` does not depend on its version",
                chosen.image
            ));
        }
    }
    if let Some(why) = &builder.deprecated {
        chosen
            .notes
            .push(format!("{written} is no longer maintained: {why}"));
    }
    if let Some((suite, why)) = &builder.unmaintained_release {
        let kept = chosen.image.contains(suite.as_str());
        chosen.notes.push(format!(
            "{written} is built on {suite}: {why}{}",
            if kept {
                format!(
                    "; the runtime `{}` stays on {suite} so what was built there runs on the same C library: move both to a maintained release",
                    chosen.image
                )
            } else {
                String::new()
            }
        ));
    }
    chosen
}

/// The catalogue's candidates sorted by whether they can run the app.
struct Screened<'r, 'a> {
    /// Candidates that fit, in the catalogue's order of preference.
    ok: Vec<&'r BaseCandidate<'a>>,
    /// Every candidate that does not fit, with why (for the gate).
    rejected: Vec<String>,
    /// Smaller candidates that did not fit, with why: the explanation names them.
    smaller_rejected: Vec<(u32, String)>,
}

/// Sorts the candidates of `report` into those that fit and those that do
/// not, keeping the reasons the gate and the explanation give.
fn screen<'r, 'a>(
    report: &'r CandidateReport<'a>,
    c: &Closure,
    entry: &Entry,
    builder: &str,
    opts: &Options,
) -> Screened<'r, 'a> {
    let mut rejected: Vec<String> = report
        .rejected
        .iter()
        .map(|r| format!("{}: {}", r.spec.id, r.reason))
        .collect();
    let mut ok: Vec<&BaseCandidate<'_>> = Vec::new();
    let mut smaller_rejected: Vec<(u32, String)> = Vec::new();
    // Candidates the catalogue itself left out for this builder (no release
    // or version fits), except those for the other C library or another
    // kind of app.
    for r in &report.rejected {
        let suits = c.app_kind.is_none_or(|k| r.spec.suits.contains(&k));
        if suits && !matches!(r.reason, RejectReason::LibcMismatch { .. }) {
            smaller_rejected.push((
                r.spec.approx_size_mb,
                format!("{} ({})", r.spec.id, r.reason),
            ));
        }
    }
    for cand in &report.accepted {
        match incompatible(cand.spec, c, entry, builder, opts) {
            Some(why) => {
                if !why.starts_with("it does not suit") {
                    smaller_rejected
                        .push((cand.spec.approx_size_mb, format!("{} ({why})", cand.image)));
                }
                rejected.push(format!("{} ({}): {why}", cand.image, cand.spec.id));
            }
            None => ok.push(cand),
        }
    }
    for k in &ok {
        if k.spec.requires.contains(&Requirement::OtherJvmVendor) {
            smaller_rejected.push((k.spec.approx_size_mb, format!("{} (another JVM build than the builder's: locale defaults, CA certificates and patch level differ; ask for it with --base)", k.image)));
        }
    }
    Screened {
        ok,
        rejected,
        smaller_rejected,
    }
}

/// The smallest candidate that fits and needs nothing asked for, with the
/// explanation of the choice (what smaller bases did not fit, and why).
fn auto_pick<'r, 'a>(
    screened: &Screened<'r, 'a>,
    c: &Closure,
    opts: &Options,
) -> Option<(&'r BaseCandidate<'a>, String)> {
    let ok = &screened.ok;
    let auto: Vec<&&BaseCandidate<'_>> = ok
        .iter()
        .filter(|k| !k.spec.requires.contains(&Requirement::BringCaCerts))
        // A JVM of another vendor changes locale defaults, cacerts and patch level.
        .filter(|k| !k.spec.requires.contains(&Requirement::OtherJvmVendor))
        .collect();
    // Between equal sizes, one whose default user suits the request:
    // the original's kind of user (root or not), non-root with --non-root.
    let want_non_root = matches!(opts.user, UserPolicy::NonRoot(_)) || !c.runs_as_root();
    auto.iter()
        .min_by_key(|k| (k.spec.approx_size_mb, (k.spec.user.uid != 0) != want_non_root))
        .map(|k| {
            let s = k.spec;
            let mut why = format!(
                "the smallest compatible base in the catalogue (about {} MB compressed); {}",
                s.approx_size_mb,
                s.notes.trim_end_matches('.')
            );
            if ok.iter().any(|k| k.spec.requires.contains(&Requirement::BringCaCerts)) {
                why.push_str("; scratch is smaller but has no CA certificates, zoneinfo or users: ask for it with --base scratch");
            }
            if !c.static_binary
                && let Some(note) = &c.binary_note
            {
                why.push_str("; ");
                why.push_str(note);
            }
            if c.static_binary
                && let Some(note) = &c.static_note
            {
                why.push_str("; ");
                why.push_str(note);
            }
            let mut smaller: Vec<&(u32, String)> = screened
                .smaller_rejected
                .iter()
                .filter(|(size, _)| *size < s.approx_size_mb)
                .collect();
            smaller.sort();
            if !smaller.is_empty() {
                why.push_str("; smaller bases that do not fit: ");
                why.push_str(&smaller.iter().map(|(_, w)| w.as_str()).collect::<Vec<_>>().join("; "));
            }
            (**k, why)
        })
}

/// The picked candidate made a [`Chosen`]: its release's reason added to
/// `why`, and a note when upstream no longer updates it.
fn finish_pick(
    k: &BaseCandidate<'_>,
    mut why: String,
    c: &Closure,
    entry: &Entry,
    opts: &Options,
) -> Chosen {
    if let Some(r) = &k.release {
        why.push_str("; ");
        why.push_str(&r.why);
    }
    let mut chosen = finish(
        k.image.clone(),
        k.nonroot_image.clone(),
        Some(k.spec.clone()),
        why,
        c,
        entry,
        opts,
    );
    if let Some((_, from)) = &mut chosen.locale {
        from.clone_from(&k.locale_from);
    }
    if let Some(why) = k.release.as_ref().and_then(|r| r.deprecated.as_ref()) {
        chosen.notes.push(format!(
            "the runtime base {} is no longer updated upstream: {why}",
            chosen.image
        ));
    }
    chosen
}

fn finish(
    image: String,
    nonroot_image: Option<String>,
    spec: Option<CandidateSpec>,
    reason: String,
    c: &Closure,
    entry: &Entry,
    opts: &Options,
) -> Chosen {
    let mut image = image;
    let mut user = None;
    let scratch = spec.as_ref().is_some_and(|s| kind(s) == Kind::Scratch);
    let mut extra_packages = Vec::new();
    if let Some(s) = &spec
        && !scratch
        && s.package_manager != PackageManager::None
    {
        if c.needs_ca_certs && !s.ca_certs {
            extra_packages.push("ca-certificates".to_string());
        }
        if c.needs_tzdata && kind(s) == Kind::Slim && !s.image.contains("distroless") {
            extra_packages.push("tzdata".to_string());
        }
    }
    // The original's own USER overrides the variant's default user, so the
    // non-root variant behaves the same and names its tag.
    if c.user.is_some()
        && let Some(nonroot) = &nonroot_image
    {
        image = nonroot.clone();
    }
    let mut owner = None;
    let mut notes = Vec::new();
    if let (Some(s), UserPolicy::NonRoot(wanted)) = (&spec, &opts.user) {
        if c.user.is_some() && c.runs_as_root() {
            notes.push(
                "--non-root: the original sets USER root itself, and the runtime keeps it".into(),
            );
        } else if c.user.is_none() && c.app_kind != Some(crate::rules::AppKind::StaticSite) {
            match wanted {
                Some(w) => {
                    let ids = requested_ids(s, w, c).unwrap_or_else(|| w.clone());
                    user = Some((w.clone(), format!("asked for with --non-root={w}")));
                    owner = Some(ids);
                }
                None if s.user.uid != 0 => {
                    // Already non-root by default.
                    owner = Some(format!("{0}:{0}", s.user.uid));
                }
                None if s.drops_privileges => {}
                None => {
                    if let Some(nonroot) = nonroot_image {
                        image = nonroot;
                        let uid = s
                            .other_users
                            .iter()
                            .find(|u| u.name == "nonroot")
                            .map_or(65532, |u| u.uid);
                        owner = Some(format!("{uid}:{uid}"));
                    } else if let Some(u) = s.other_users.iter().find(|u| u.uid != 0) {
                        user = Some((
                            u.name.clone(),
                            format!(
                                "the base's own non-root account `{}` (uid {})",
                                u.name, u.uid
                            ),
                        ));
                        owner = Some(format!("{0}:{0}", u.uid));
                    } else {
                        user = Some((
                            "65532:65532".into(),
                            if scratch {
                                "scratch has no /etc/passwd, so a numeric non-root user".into()
                            } else {
                                "the base has no non-root account, so a numeric non-root user"
                                    .into()
                            },
                        ));
                        owner = Some("65532:65532".into());
                    }
                }
            }
        } else if c.user.is_some() {
            notes.push(format!(
                "--non-root: the original already runs as `{}`, and the runtime keeps it",
                c.user.as_deref().unwrap_or_default()
            ));
        }
    }
    let entry_rewrite = spec
        .as_ref()
        .and_then(|s| entry_translation(s, entry).ok().flatten());
    // Without a shell, the setup's accounts are carried as their lines of
    // /etc/passwd and /etc/group whenever that is shown safe, fixed ids or
    // not: the name then resolves as in the original (HOME, getpwuid, the
    // primary group). Numeric ids are the fall-back when it is not.
    let accounts = spec
        .as_ref()
        .filter(|s| {
            !s.shell
                && !c.replay.is_empty()
                && !c.replay_needs_shell
                && accounts_refused(s, c, opts).is_none()
        })
        .map(|_| c.accounts.clone());
    let numeric_user = spec
        .as_ref()
        .filter(|s| {
            accounts.is_none()
                && !s.shell
                && (!c.replay.is_empty()
                    || c.user
                        .as_deref()
                        .is_some_and(|u| missing_user(s, u, c, UserCheck::AsWritten).is_some()))
        })
        .and_then(|_| c.numeric_user());
    // The original's USER names an account its setup creates, and it
    // becomes numeric ids all the same: why its lines are not copied.
    let accounts_not_copied = spec.as_ref().and_then(|s| {
        let name = c.user.as_deref()?.split(':').next()?;
        if numeric_user.is_none()
            || kind(s) == Kind::Scratch
            || !c.created_users.iter().any(|u| u == name)
        {
            return None;
        }
        accounts_refused(s, c, opts)
    });
    let untagged = !scratch && {
        let last = image.rsplit('/').next().unwrap_or(&image);
        !last.contains(':') && !image.contains('@')
    };
    Chosen {
        untagged,
        numeric_user,
        accounts,
        accounts_not_copied,
        owner,
        owned: Default::default(),
        locale: spec
            .as_ref()
            .and_then(|s| s.locale.as_ref())
            .map(|l| (l.lang.clone(), None)),
        locale_dropped: None,
        builder_image: false,
        notes,
        extra_packages,
        copy_ca_certs: scratch && c.needs_ca_certs,
        copy_tzdata: scratch && c.needs_tzdata,
        image,
        spec,
        reason,
        user,
        entry_rewrite,
    }
}

/// When the builder's FROM uses global ARGs (`FROM python:${PY}`), the
/// runtime FROM must follow them, or a `--build-arg` would pair a new builder
/// with the old runtime. Puts `${NAME}` back where the ARG's default appears
/// in the runtime image; fails when that cannot be done exactly.
pub(crate) fn parameterize(
    image: &str,
    raw_builder: &str,
    globals: &std::collections::BTreeMap<String, Option<String>>,
) -> Result<(String, Vec<String>), Gate> {
    let mut out = image.to_string();
    let mut notes = Vec::new();
    for (name, value) in globals {
        let used = raw_builder.contains(&format!("${{{name}}}"))
            || raw_builder.contains(&format!("${{{name}:"))
            || raw_builder
                .match_indices(&format!("${name}"))
                .any(|(i, m)| {
                    !raw_builder[i + m.len()..]
                        .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                });
        if !used {
            continue;
        }
        let fail = |why: String| Gate {
            rule: ids::core::ARG_IN_FROM.into(),
            message: why,
            at: None,
        };
        let Some(v) = value.as_deref().filter(|v| !v.is_empty()) else {
            return Err(fail(format!(
                "the base image comes from ARG {name}, which has no default, so the runtime base cannot be derived"
            )));
        };
        let bounded: Vec<usize> = out
            .match_indices(v)
            .filter(|(i, _)| {
                let before = out[..*i].chars().next_back();
                let after = out[i + v.len()..].chars().next();
                let edge =
                    |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '.'));
                // Digits may follow letters (nodejs20) but not other digits.
                (edge(before)
                    || before.is_some_and(|c| {
                        c.is_ascii_alphabetic() && v.starts_with(|d: char| d.is_ascii_digit())
                    }))
                    && edge(after)
            })
            .map(|(i, _)| i)
            .collect();
        if bounded.len() != 1
            || !v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        {
            return Err(fail(format!(
                "the base image comes from ARG {name} (default `{v}`), and the runtime base `{image}` cannot follow it exactly"
            )));
        }
        let at = bounded[0];
        out.replace_range(at..at + v.len(), &format!("${{{name}}}"));
        notes.push(format!(
            "the runtime base follows ARG {name}; a value passed with --build-arg must keep the form of its default `{v}`"
        ));
    }
    Ok((out, notes))
}

#[cfg(test)]
mod tests {
    use super::{
        Chosen, EntryRewrite, UserCheck, candidate_matches, choose, entry_translation,
        matches_by_glob, missing_user, template_values,
    };
    use crate::plan::entry::Entry;
    use crate::plan::rule_ids as ids;
    use crate::plan::types::{BaseChoice, Closure, Gate, Jlink, Options};
    use crate::rules::{AppKind, CandidateSpec, Rules};
    use crate::syntax::{Arg, Command, Span};

    fn exec(words: &[&str]) -> Command {
        Command::Exec(
            words
                .iter()
                .map(|w| Arg {
                    value: w.to_string(),
                    span: Span::default(),
                })
                .collect(),
        )
    }

    fn entry(entrypoint: Option<&[&str]>, cmd: Option<&[&str]>) -> Entry {
        Entry {
            entrypoint: entrypoint.map(|w| (1, exec(w))),
            cmd: cmd.map(|w| (2, exec(w))),
            argv: Vec::new(),
            commands: Vec::new(),
            shell_form: false,
            workdir: "/app".into(),
        }
    }

    /// The catalogue's candidate for `builder` whose image contains `needle`.
    fn candidate(rules: &Rules, builder: &str, needle: &str) -> CandidateSpec {
        rules
            .runtime_candidates(builder)
            .into_iter()
            .find(|c| c.image.contains(needle))
            .map(|c| c.spec.clone())
            .unwrap_or_else(|| panic!("no {needle} candidate for {builder}"))
    }

    #[test]
    fn start_commands_translate_only_when_exact() {
        let rules = Rules::embedded().unwrap();
        let node = candidate(&rules, "node:22-bookworm", "distroless/nodejs22");
        let java = candidate(&rules, "eclipse-temurin:21-jdk", "distroless/java21");
        let t = |spec: &CandidateSpec, ep: Option<&[&str]>, cmd: Option<&[&str]>| {
            entry_translation(spec, &entry(ep, cmd))
        };
        // CMD that starts the interpreter keeps its arguments.
        assert_eq!(
            t(&node, None, Some(&["node", "server.js"])),
            Ok(Some(EntryRewrite::Cmd(vec!["server.js".into()])))
        );
        assert_eq!(
            t(&java, None, Some(&["java", "-jar", "app.jar"])),
            Ok(Some(EntryRewrite::Cmd(vec!["app.jar".into()])))
        );
        // `java app.jar` is not `java -jar app.jar`.
        assert_eq!(
            t(&java, None, Some(&["java", "-cp", "app.jar", "Main"])),
            Err(())
        );
        // An ENTRYPOINT naming the interpreter gets the base's path, the rest kept.
        assert_eq!(
            t(
                &node,
                Some(&["node", "--enable-source-maps", "cli.js"]),
                Some(&["--help"])
            ),
            Ok(Some(EntryRewrite::Entrypoint(vec![
                "/nodejs/bin/node".into(),
                "--enable-source-maps".into(),
                "cli.js".into()
            ])))
        );
        assert_eq!(
            t(&node, Some(&["/usr/local/bin/node", "cli.js"]), None),
            Ok(Some(EntryRewrite::Entrypoint(vec![
                "/nodejs/bin/node".into(),
                "cli.js".into()
            ])))
        );
        assert_eq!(
            t(
                &java,
                Some(&["java", "-jar", "/app/app.jar"]),
                Some(&["up"])
            ),
            Ok(Some(EntryRewrite::Entrypoint(vec![
                "/usr/bin/java".into(),
                "-jar".into(),
                "/app/app.jar".into()
            ])))
        );
        // Already the base's own path: nothing to change.
        assert_eq!(
            t(&node, Some(&["/nodejs/bin/node", "cli.js"]), None),
            Ok(None)
        );
        // Another program first (an init, a package manager, a script): no exact translation.
        assert_eq!(
            t(&node, Some(&["tini", "--", "node", "cli.js"]), None),
            Err(())
        );
        assert_eq!(t(&node, Some(&["npm", "start"]), None), Err(()));
        assert_eq!(t(&node, Some(&["/app/start"]), None), Err(()));
        // Shell form needs a shell the base lacks.
        let shell = Entry {
            entrypoint: Some((
                1,
                Command::Shell(Arg {
                    value: "node cli.js".into(),
                    span: Span::default(),
                }),
            )),
            ..entry(None, None)
        };
        assert_eq!(entry_translation(&node, &shell), Err(()));
    }

    /// The two user checks side by side, on the cases where they differ and
    /// where they agree.
    #[test]
    fn user_checks_usable_and_as_written() {
        let rules = Rules::embedded().unwrap();
        let scratch = candidate(&rules, "golang:1.22", "scratch");
        let slim = candidate(&rules, "node:22-bookworm", "-slim");
        let distroless = candidate(&rules, "node:22-bookworm", "distroless/nodejs22");
        let unprivileged = candidate(&rules, "node:22-bookworm", "nginx-unprivileged");
        assert!(slim.shell && !distroless.shell && !scratch.shell);
        let plain = Closure::default();
        // The setup creates `appuser` (replayed only where there is a shell).
        let setup = Closure {
            created_users: vec!["appuser".into()],
            ..Closure::default()
        };
        // The original runs as `ghost`, whose ids the setup shows.
        let mut ghost = Closure {
            user: Some("ghost".into()),
            ..Closure::default()
        };
        ghost.account_ids.insert("ghost".into(), "4242".into());
        let root = Closure {
            user: Some("root".into()),
            ..Closure::default()
        };
        // (base, closure, user, found when Usable, found when AsWritten)
        let cases: &[(&CandidateSpec, &Closure, &str, bool, bool)] = &[
            // `root`: scratch has no /etc/passwd, so no name resolves there
            // (`USER root` fails to start: "no matching entries in passwd
            // file", seen with docker 20.10); it is usable only as uid 0.
            (&scratch, &plain, "root", false, false),
            (&scratch, &root, "root", true, false),
            // Usable takes root as present on any other base
            // (nginx-unprivileged runs as `nginx`).
            (&unprivileged, &plain, "root", true, false),
            (&slim, &plain, "root", true, true),
            // Debian's system accounts exist on slim but are not in the catalogue.
            (&slim, &plain, "www-data", true, false),
            (&slim, &plain, "www-data:www-data", true, false),
            (&distroless, &plain, "www-data", false, false),
            // An account the setup creates: replayed on slim, not on distroless.
            (&slim, &setup, "appuser", true, true),
            (&distroless, &setup, "appuser", true, false),
            // Numeric ids need no account.
            (&scratch, &plain, "10001", true, true),
            (&distroless, &plain, "1000:1000", true, true),
            (&slim, &plain, ":1000", true, true),
            // A variable is only known at build time.
            (&slim, &plain, "$APP_UID", true, false),
            (&distroless, &plain, "${APP_USER}:app", true, false),
            // On a base without a shell, USER becomes the ids the setup shows.
            (&distroless, &ghost, "ghost", true, false),
            (&slim, &ghost, "ghost", false, false),
            // The catalogue's accounts.
            (&slim, &plain, "node", true, true),
            (&distroless, &plain, "nonroot", true, true),
            (&slim, &plain, "nonroot", false, false),
        ];
        for (spec, c, user, usable, as_written) in cases {
            let name = user.split(':').next().unwrap();
            let expect = |found: bool| (!found).then_some(name);
            assert_eq!(
                missing_user(spec, user, c, UserCheck::Usable),
                expect(*usable),
                "Usable: `{user}` on {}",
                spec.id
            );
            assert_eq!(
                missing_user(spec, user, c, UserCheck::AsWritten),
                expect(*as_written),
                "AsWritten: `{user}` on {}",
                spec.id
            );
        }
    }

    #[test]
    fn templates_match_resolved_images() {
        assert!(candidate_matches(
            "node:{major}[-{suite}]-slim",
            "node:20-slim"
        ));
        assert!(candidate_matches(
            "node:{major}[-{suite}]-slim",
            "node:20-bookworm-slim"
        ));
        assert!(!candidate_matches("node:{major}[-{suite}]-slim", "node:20"));
        assert!(candidate_matches(
            "gcr.io/distroless/static-debian12",
            "gcr.io/distroless/static-debian12:nonroot"
        ));
        assert!(!candidate_matches(
            "gcr.io/distroless/static-debian12",
            "gcr.io/distroless/static-debian12-x"
        ));
        assert!(candidate_matches("scratch", "scratch"));
    }

    /// The prefix shortcut of `candidate_matches` answers as the glob does,
    /// for every template of the catalogue against images made from every
    /// template (variables and optional parts filled in or left out) and
    /// every builder image.
    #[test]
    fn candidate_prefix_shortcut_agrees_with_the_glob() {
        let rules = Rules::embedded().unwrap();
        let bases = rules.bases();
        let templates: Vec<&str> = bases
            .families
            .iter()
            .flat_map(|f| f.candidates.iter())
            .flat_map(|c| std::iter::once(c.image.as_str()).chain(c.nonroot_image.as_deref()))
            .collect();
        let fill = |t: &str, keep_optional: bool| {
            let mut out = String::new();
            let (mut depth, mut in_var) = (0, false);
            for ch in t.chars() {
                match ch {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    '{' => in_var = true,
                    '}' => {
                        in_var = false;
                        if depth == 0 || keep_optional {
                            out.push_str("12");
                        }
                    }
                    _ if in_var => {}
                    c if depth == 0 || keep_optional => out.push(c),
                    _ => {}
                }
            }
            out
        };
        let mut images: Vec<String> = templates
            .iter()
            .flat_map(|t| {
                [
                    fill(t, true),
                    fill(t, false),
                    format!("{}:1", fill(t, false)),
                ]
            })
            .collect();
        images.extend(
            bases
                .families
                .iter()
                .flat_map(|f| f.builders.iter())
                .flat_map(|b| [b.image.clone(), format!("{}:1.22", b.image)]),
        );
        images.extend(["scratch", "", "nginx", "gcr.io/distroless"].map(String::from));
        let mut matched = 0;
        for t in &templates {
            for image in &images {
                let want = matches_by_glob(t, image);
                assert_eq!(candidate_matches(t, image), want, "{t} / {image}");
                matched += usize::from(want);
            }
        }
        // Not a trivial agreement: most pairs differ, some match.
        assert!(matched >= templates.len(), "{matched}");
        assert!(matched < templates.len() * images.len() / 2, "{matched}");
    }

    #[test]
    fn template_values_are_read_from_the_given_image() {
        let get = |t: &str, i: &str| {
            template_values(t, i).map(|v| {
                v.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            })
        };
        let cc = "gcr.io/distroless/cc-{distro}";
        assert_eq!(
            get(cc, "gcr.io/distroless/cc-debian12").as_deref(),
            Some("distro=debian12")
        );
        // A tag or digest the template does not name is not part of it.
        assert_eq!(
            get(cc, "gcr.io/distroless/cc-debian13:nonroot").as_deref(),
            Some("distro=debian13")
        );
        assert_eq!(
            get(cc, "gcr.io/distroless/cc-debian12@sha256:0123abcd").as_deref(),
            Some("distro=debian12")
        );
        assert_eq!(get(cc, "gcr.io/distroless/cc"), None);
        assert_eq!(get(cc, "gcr.io/distroless/base-debian12"), None);
        // An optional group is read when present, skipped when not.
        let node = "node:{major}[-{suite}]-slim";
        assert_eq!(
            get(node, "node:22-bookworm-slim").as_deref(),
            Some("major=22,suite=bookworm")
        );
        assert_eq!(get(node, "node:22-slim").as_deref(), Some("major=22"));
        assert_eq!(get(node, "node:22"), None);
        assert_eq!(
            get("python:{version}-slim", "python:3.12-slim").as_deref(),
            Some("version=3.12")
        );
    }

    /// `choose` with `--base IMAGE` for an app of `kind` built on `builder`
    /// (`node server.js`, `java -jar app.jar` or a binary as the entry).
    fn given(rules: &Rules, builder: &str, kind: AppKind, image: &str) -> Result<Chosen, Gate> {
        let c = Closure {
            app_kind: Some(kind),
            static_binary: kind == AppKind::StaticBinary,
            jlink: (kind == AppKind::JvmApp).then(|| Jlink {
                inputs: vec!["/app/app.jar".into()],
            }),
            ..Closure::default()
        };
        let cmd: &[&str] = match kind {
            AppKind::NodeApp => &["node", "server.js"],
            AppKind::JvmApp => &["java", "-jar", "app.jar"],
            _ => &["/usr/local/bin/app"],
        };
        let opts = Options {
            base: BaseChoice::Image(image.into()),
            ..Options::default()
        };
        choose(rules, builder, &c, &entry(None, Some(cmd)), &opts, &|_| {
            None
        })
    }

    /// The rule of the gate, or `ok IMAGE (RULE)` for a base chosen.
    fn outcome(r: &Result<Chosen, Gate>) -> String {
        match r {
            Ok(chosen) => format!("ok ({})", chosen.rule_id()),
            Err(g) => g.rule.clone(),
        }
    }

    /// An image the catalogue knows only for another kind of app is
    /// refused, saying what it is and what the app needs; one it does not
    /// know at all is `core/base-unknown`, naming the way on.
    #[test]
    fn given_base_of_another_kind_or_unknown_is_refused() {
        let rules = Rules::embedded().unwrap();
        let node = |image: &str| given(&rules, "node:20", AppKind::NodeApp, image);
        let java = |image: &str| given(&rules, "eclipse-temurin:21-jdk", AppKind::JvmApp, image);
        let static_base = node("gcr.io/distroless/static-debian12");
        assert_eq!(outcome(&static_base), ids::core::BASE_INCOMPATIBLE);
        let why = static_base.unwrap_err().message;
        assert!(
            why.contains("go/distroless-static") && why.contains("Node.js"),
            "{why}"
        );
        for other in [
            "gcr.io/distroless/nodejs22-debian13",
            "golang:1.23",
            "python:3.12-slim",
        ] {
            assert_eq!(
                outcome(&java(other)),
                ids::core::BASE_INCOMPATIBLE,
                "{other}"
            );
        }
        for unknown in [
            "gcr.io/distroless/cc",
            "myregistry/jre:21",
            "registry.example/base",
        ] {
            let r = java(unknown);
            assert_eq!(outcome(&r), ids::core::BASE_UNKNOWN, "{unknown}");
            let why = r.unwrap_err().message;
            assert!(
                why.contains("--rules overlay") && why.contains("`java` family"),
                "{why}"
            );
        }
        assert_eq!(
            outcome(&node("myregistry/node:20")),
            ids::core::BASE_UNKNOWN
        );
        // Another build image of the family: its tag is not read against the builder's.
        assert_eq!(
            outcome(&given(
                &rules,
                "maven:3-eclipse-temurin-21",
                AppKind::JvmApp,
                "eclipse-temurin:21-jdk"
            )),
            ids::core::BASE_UNKNOWN
        );
    }

    /// A base the catalogue offers under another name than it writes keeps
    /// the version the builder's tag names, as the catalogue's own pick does.
    #[test]
    fn given_base_keeps_the_builders_version() {
        let rules = Rules::embedded().unwrap();
        let node = |image: &str| outcome(&given(&rules, "node:20", AppKind::NodeApp, image));
        assert_eq!(node("node:20-slim"), "ok (node/slim)");
        assert_eq!(node("node:20-bookworm-slim"), "ok (node/slim)");
        assert_eq!(node("docker.io/library/node:20-slim"), "ok (node/slim)");
        // A more precise version within the builder's line.
        assert_eq!(node("node:20.11.1-slim"), "ok (node/slim)");
        assert_eq!(
            node("gcr.io/distroless/nodejs20-debian13"),
            "ok (node/distroless)"
        );
        for other in [
            "gcr.io/distroless/nodejs22-debian13",
            "node:22-slim",
            "node:2-slim",
            "node:slim",
            "node:lts-slim",
        ] {
            assert_eq!(node(other), ids::core::BASE_INCOMPATIBLE, "{other}");
        }
        // A moving builder tag: only the same line.
        let lts = |image: &str| outcome(&given(&rules, "node:lts", AppKind::NodeApp, image));
        assert_eq!(lts("node:lts-slim"), "ok (node/slim)");
        assert_eq!(lts("node:22-slim"), ids::core::BASE_INCOMPATIBLE);
        let java = |image: &str| {
            outcome(&given(
                &rules,
                "maven:3-eclipse-temurin-17",
                AppKind::JvmApp,
                image,
            ))
        };
        assert_eq!(java("eclipse-temurin:17-jre"), "ok (java/temurin-jre)");
        assert_eq!(java("eclipse-temurin:21-jre"), ids::core::BASE_INCOMPATIBLE);
        assert_eq!(
            java("gcr.io/distroless/java21-debian13"),
            ids::core::BASE_INCOMPATIBLE
        );
    }

    /// For a base whose glibc the build's binaries link against, the
    /// release the name gives (or its tag's default) is never older than
    /// the builder's; a release the catalogue does not know cannot be
    /// compared.
    #[test]
    fn given_base_glibc_is_not_older_than_the_builders() {
        let rules = Rules::embedded().unwrap();
        // eclipse-temurin:21-jdk is built on Ubuntu noble (glibc 2.39).
        let noble = |image: &str| {
            outcome(&given(
                &rules,
                "eclipse-temurin:21-jdk",
                AppKind::JvmApp,
                image,
            ))
        };
        assert_eq!(
            noble("gcr.io/distroless/cc-debian13"),
            "ok (java/jlink-distroless)"
        );
        assert_eq!(noble("debian:trixie-slim"), "ok (java/jlink-debian-slim)");
        assert_eq!(noble("debian:13-slim"), "ok (java/jlink-debian-slim)");
        for older in [
            "gcr.io/distroless/cc-debian12",
            "debian:bookworm-slim",
            "debian:12-slim",
            "eclipse-temurin:21-jre-jammy",
            "gcr.io/distroless/cc-debian14",
            "debian:stable-slim",
        ] {
            assert_eq!(noble(older), ids::core::BASE_INCOMPATIBLE, "{older}");
        }
        let why = given(
            &rules,
            "eclipse-temurin:21-jdk",
            AppKind::JvmApp,
            "gcr.io/distroless/cc-debian12",
        )
        .unwrap_err()
        .message;
        assert!(
            why.contains("2.36") && why.contains("2.39") && why.contains("`debian13`"),
            "{why}"
        );
        // On jammy (glibc 2.35), Debian 12 is not older.
        let jammy = given(
            &rules,
            "eclipse-temurin:21-jdk-jammy",
            AppKind::JvmApp,
            "gcr.io/distroless/cc-debian12",
        );
        assert_eq!(outcome(&jammy), "ok (java/jlink-distroless)");
        // A cgo binary on bookworm.
        let cgo = |image: &str| {
            outcome(&given(
                &rules,
                "golang:1.22-bookworm",
                AppKind::DynamicBinary,
                image,
            ))
        };
        assert_eq!(
            cgo("gcr.io/distroless/base-debian12"),
            "ok (go/distroless-base)"
        );
        assert_eq!(
            cgo("gcr.io/distroless/base-debian11"),
            ids::core::BASE_INCOMPATIBLE
        );
    }

    /// A base of the builder's family the catalogue does not offer for this
    /// builder is refused with the catalogue's reason.
    #[test]
    fn given_base_the_catalogue_leaves_out_is_refused() {
        let rules = Rules::embedded().unwrap();
        let r = given(&rules, "node:20", AppKind::NodeApp, "node:20-alpine");
        assert_eq!(outcome(&r), ids::core::BASE_INCOMPATIBLE);
        let why = r.unwrap_err().message;
        assert!(why.contains("node/alpine") && why.contains("musl"), "{why}");
        // The most specific template wins: -alpine is not a minor version.
        let dotnet = given(
            &rules,
            "mcr.microsoft.com/dotnet/sdk:8.0",
            AppKind::DotnetWeb,
            "mcr.microsoft.com/dotnet/aspnet:8.0-alpine",
        );
        assert!(dotnet.unwrap_err().message.contains("musl"));
        let go = given(&rules, "golang:1.22", AppKind::StaticBinary, "alpine:3.20");
        assert_eq!(outcome(&go), ids::core::BASE_INCOMPATIBLE);
    }

    /// The builder's own image, or its repository under a tag the catalogue
    /// reads as the same version and release, holds what the build had.
    #[test]
    fn given_builder_repository_holds_the_runtime() {
        let rules = Rules::embedded().unwrap();
        let node = |image: &str| given(&rules, "node:20", AppKind::NodeApp, image);
        for same in ["node:20", "node:20-bookworm", "docker.io/library/node:20"] {
            let chosen = node(same).unwrap_or_else(|g| panic!("{same}: {}", g.message));
            assert!(chosen.builder_image && chosen.spec.is_none(), "{same}");
            assert_eq!(chosen.rule_id(), ids::core::BASE_CHOICE);
        }
        for other in ["node:22", "node:20-bullseye", "node:lts"] {
            assert_eq!(
                outcome(&node(other)),
                ids::core::BASE_INCOMPATIBLE,
                "{other}"
            );
        }
    }

    /// A base of another family that suits the app's kind is used with its
    /// facts, and the same checks.
    #[test]
    fn given_base_of_another_family_that_suits_gets_its_facts() {
        let rules = Rules::embedded().unwrap();
        let cgo = |image: &str| {
            given(
                &rules,
                "golang:1.22-bookworm",
                AppKind::DynamicBinary,
                image,
            )
        };
        let chosen = cgo("debian:bookworm-slim").unwrap_or_else(|g| panic!("{}", g.message));
        assert_eq!(chosen.rule_id(), "rust/debian-slim");
        assert_eq!(
            outcome(&cgo("debian:bullseye-slim")),
            ids::core::BASE_INCOMPATIBLE
        );
        // Numbered Debian tags are its releases.
        assert_eq!(outcome(&cgo("debian:12-slim")), "ok (rust/debian-slim)");
        assert_eq!(
            outcome(&cgo("debian:11-slim")),
            ids::core::BASE_INCOMPATIBLE
        );
    }
}
