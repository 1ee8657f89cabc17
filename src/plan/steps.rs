//! Classifying each instruction of a single-stage file: what it is for
//! (dependencies, build, test, runtime configuration, system setup) and which
//! rule says so.

use crate::model::context::is_dependency_manifest;
use crate::model::{Context, Stage, Step, expand, instruction, join_path};
use crate::plan::rule_ids as ids;
use crate::rules::{PackageClass, PackageManager, Role, Rules};
use crate::syntax::shell::{self, SimpleCommand};
use crate::syntax::{Body, Command, Dockerfile, Instruction, Keyword, Span, process_word};
use std::collections::BTreeMap;

/// What one simple command inside a RUN does.
#[derive(Debug, Clone)]
pub(crate) struct CmdInfo {
    /// The command's text.
    pub text: String,
    /// The command's bytes in the Dockerfile, when the script's text can be
    /// traced back to it (see [`script_origin`]).
    pub span: Option<Span>,
    /// Program name (literal), if known.
    pub program: Option<String>,
    /// Literal arguments (None for words with expansions).
    pub args: Vec<Option<String>>,
    /// The arguments as rules match them: literal, or the literal part
    /// before the first expansion followed by `$?` (`-buildmode=$?`).
    pub words: Vec<String>,
    /// Variable assignments before the program (`CGO_ENABLED=0 go build`).
    pub assignments: BTreeMap<String, String>,
    pub kind: CmdKind,
    /// Rule id that classified it.
    pub rule: String,
    /// Why.
    pub why: String,
    /// Absolute paths the command produces (resolved against WORKDIR).
    pub produces: Vec<String>,
    /// Files the rule says the command reads (manifests), relative to WORKDIR.
    pub reads: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CmdKind {
    /// A profile rule matched with this role.
    Profile { profile: String, role: Role },
    /// `apt-get install`/`apk add`: packages split into build-only and runtime.
    Packages {
        manager: PackageManager,
        build_only: Vec<String>,
        runtime: Vec<String>,
    },
    /// Package index refresh and cleanup (`apt-get update`, `rm -rf /var/lib/apt/lists/*`).
    PackageHousekeeping,
    /// Creates users or groups: the runtime needs them too.
    UserSetup,
    /// File operations that only touch paths under WORKDIR (or /tmp).
    WorkdirLocal,
    /// Configures a build tool for the build user (`git config`, `npm config
    /// set`, `corepack enable`): nothing the running app reads.
    BuildConfig,
    /// `cp`/`mv`/`install` of a file to an absolute path outside WORKDIR
    /// (e.g. the built jar to /opt/app.jar): that path is an output.
    Relocate,
    /// Prints or checks something; changes nothing.
    Harmless,
    /// Not understood.
    Unknown,
}

/// What an instruction is for.
#[derive(Debug, Clone)]
pub(crate) enum StepKind {
    /// ENV, ARG, WORKDIR, USER, SHELL, LABEL, EXPOSE, VOLUME, STOPSIGNAL,
    /// HEALTHCHECK, CMD, ENTRYPOINT, ONBUILD, MAINTAINER.
    Config,
    /// COPY/ADD of files from the context; `manifests_only` when every source
    /// is a dependency manifest or lockfile.
    CopyContext {
        manifests_only: bool,
        /// The sources, quotes removed (empty for a heredoc).
        sources: Vec<String>,
    },
    /// COPY --from another image or stage, ADD of a URL: not modelled.
    CopyOther(String),
    /// A RUN, split into commands.
    Run(Vec<CmdInfo>),
}

/// An instruction of the stage, classified.
#[derive(Debug, Clone)]
pub(crate) struct StepInfo {
    pub item: usize,
    pub keyword: Keyword,
    pub kind: StepKind,
    pub workdir: String,
    pub env: BTreeMap<String, String>,
    /// USER in force when the step runs, if any.
    pub user: Option<String>,
}

impl StepInfo {
    pub fn commands(&self) -> &[CmdInfo] {
        match &self.kind {
            StepKind::Run(c) => c,
            _ => &[],
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.commands()
            .iter()
            .any(|c| matches!(&c.kind, CmdKind::Profile { role: r, .. } if *r == role))
    }
}

/// A COPY source that names only manifests: a manifest name, or a glob
/// (`go.*`, `package*.json`) whose matches in the context are all manifests.
fn manifest_pattern(name: &str, ctx: Option<&Context>) -> bool {
    if !name.contains('*') && !name.contains('?') {
        return is_dependency_manifest(name);
    }
    let pattern = name.trim_start_matches("./");
    match ctx {
        Some(ctx) => {
            let mut matched = ctx
                .files
                .iter()
                .filter(|f| crate::rules::pattern::glob_match(pattern, f))
                .peekable();
            matched.peek().is_some() && matched.all(|f| is_dependency_manifest(f))
        }
        None => {
            [
                "go.mod",
                "package.json",
                "package-lock.json",
                "requirements.txt",
            ]
            .iter()
            .any(|m| crate::rules::pattern::glob_match(pattern, m))
                && !["main.go", "index.js", "app.py", "src"]
                    .iter()
                    .any(|m| crate::rules::pattern::glob_match(pattern, m))
        }
    }
}

/// Classifies every instruction of `stage`, then marks a command that runs
/// what an earlier step built (`app --version` as a smoke test) harmless
/// (`core/runs-build-output`): it changes nothing the runtime needs. The one
/// classification `plan`, `graph` and `rebase` all see.
pub(crate) fn classify_stage(
    df: &Dockerfile,
    stage: &Stage,
    rules: &Rules,
    ctx: Option<&Context>,
) -> Vec<StepInfo> {
    let mut infos: Vec<StepInfo> = stage
        .steps
        .iter()
        .filter_map(|step| Some(classify_step(df, instruction(df, step)?, step, rules, ctx)))
        .collect();
    let mut built: Vec<String> = Vec::new();
    for info in &mut infos {
        let StepKind::Run(cmds) = &mut info.kind else {
            continue;
        };
        for c in cmds.iter_mut() {
            if c.kind == CmdKind::Unknown
                && let Some(prog) = c.program.as_deref()
            {
                let abs = if prog.contains('/') {
                    Some(join_path(&info.workdir, prog))
                } else {
                    None
                };
                let hit = built.iter().any(|b| match &abs {
                    Some(a) => a == b,
                    None => b
                        .rsplit_once('/')
                        .is_some_and(|(dir, name)| name == prog && PATH_DIRS.contains(&dir)),
                });
                if hit {
                    c.kind = CmdKind::Harmless;
                    c.rule = ids::core::RUNS_BUILD_OUTPUT.into();
                    c.why = "runs the program an earlier step built, as a check; it changes nothing the runtime needs".into();
                }
            }
            built.extend(c.produces.iter().cloned());
        }
    }
    infos
}

pub(crate) fn classify_step(
    df: &Dockerfile,
    inst: &Instruction,
    step: &Step,
    rules: &Rules,
    ctx: Option<&Context>,
) -> StepInfo {
    let kind = match (&inst.keyword, &inst.body) {
        (Keyword::Copy | Keyword::Add, Body::Copy { paths, .. }) => {
            let from = inst.flag("from").and_then(|f| f.value.clone());
            let sources = &paths[..paths.len().saturating_sub(1)];
            let url = sources
                .iter()
                .any(|s| s.value.contains("://") || s.value.starts_with("git@"));
            if let Some(from) = from {
                StepKind::CopyOther(format!(
                    "copies from `{from}`, which is not the build context"
                ))
            } else if url {
                StepKind::CopyOther("ADD downloads from a URL".into())
            } else if !inst.heredocs.is_empty() {
                StepKind::CopyContext {
                    manifests_only: false,
                    sources: Vec::new(),
                }
            } else {
                let names: Vec<String> = sources
                    .iter()
                    .map(|s| process_word(&s.value, df.escape))
                    .collect();
                let manifests_only =
                    !names.is_empty() && names.iter().all(|n| manifest_pattern(n, ctx));
                StepKind::CopyContext {
                    manifests_only,
                    sources: names,
                }
            }
        }
        (Keyword::Run, Body::Command { command: Some(cmd) }) => {
            StepKind::Run(classify_run(df, inst, cmd, step, rules))
        }
        _ => StepKind::Config,
    };
    StepInfo {
        item: step.item,
        keyword: inst.keyword.clone(),
        kind,
        workdir: step.workdir.clone(),
        env: step.env.clone(),
        user: step.user.clone(),
    }
}

/// Where the text of a RUN's script comes from in the Dockerfile: the shell
/// form's bytes, the heredoc's body, or the script string of an exec-form
/// `["sh", "-c", "…"]`; `None` when the script is assembled from several
/// JSON strings.
fn script_origin(inst: &Instruction, cmd: &Command) -> Option<Span> {
    match cmd {
        Command::Exec(args) => match args.as_slice() {
            [sh, c, script] if sh.value.ends_with("sh") && c.value == "-c" => {
                Some(script.span.clone())
            }
            _ => None,
        },
        Command::Shell(a) => {
            let text = a.value.trim();
            match inst.heredocs.first() {
                Some(h)
                    if text.starts_with("<<")
                        && inst.heredocs.len() == 1
                        && !text.contains(char::is_whitespace) =>
                {
                    Some(h.body_span.clone())
                }
                _ => Some(a.span.clone()),
            }
        }
    }
}

/// Maps offsets in `script` (continuations joined, JSON escapes decoded,
/// comment lines inside a continuation dropped) to offsets in `source`, the
/// bytes it was made from: both are walked together and what the source has
/// beyond the script (an escape and its line break, a comment line, a JSON
/// backslash) is stepped over. `None` when the two cannot be matched.
pub(crate) fn trace_offsets(script: &str, source: &str, escape: char) -> Option<Vec<usize>> {
    let src = source.as_bytes();
    let mut map = Vec::with_capacity(script.len() + 1);
    let mut j = 0;
    for (i, b) in script.bytes().enumerate() {
        // A line continuation in the source that the script does not have.
        loop {
            if j < src.len() && src[j] == b {
                break;
            }
            let esc = escape as u32 as u8;
            if j < src.len() && src[j] == esc {
                // escape, optional trailing blanks, line break; then comment lines.
                let mut k = j + 1;
                while k < src.len() && (src[k] == b' ' || src[k] == b'\t') {
                    k += 1;
                }
                if k < src.len() && (src[k] == b'\n' || src[k] == b'\r') {
                    j = k;
                    while j < src.len() && (src[j] == b'\r' || src[j] == b'\n') {
                        j += 1;
                    }
                    // comment lines in the middle of a continuation
                    loop {
                        let line_start = j;
                        let mut k = j;
                        while k < src.len() && (src[k] == b' ' || src[k] == b'\t') {
                            k += 1;
                        }
                        if k < src.len() && src[k] == b'#' {
                            while k < src.len() && src[k] != b'\n' {
                                k += 1;
                            }
                            j = (k + 1).min(src.len());
                        } else {
                            j = line_start;
                            break;
                        }
                    }
                    continue;
                }
                // a JSON escape: `\"` stands for `"`
                j += 1;
                continue;
            }
            j += 1;
            if j > src.len() {
                return None;
            }
        }
        if j >= src.len() {
            return None;
        }
        let _ = i;
        map.push(j);
        j += 1;
    }
    map.push(j);
    Some(map)
}

/// The shell text a RUN executes: its shell form, or the heredoc body for `RUN <<EOF`.
fn run_script(inst: &Instruction, cmd: &Command) -> Option<String> {
    match cmd {
        Command::Exec(args) => {
            // ["sh", "-c", "script"] is a shell script; other exec forms are one command.
            match args.as_slice() {
                [sh, c, script] if (sh.value.ends_with("sh")) && c.value == "-c" => {
                    Some(script.value.clone())
                }
                _ => Some(
                    args.iter()
                        .map(|a| shell_quote(&a.value))
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
            }
        }
        Command::Shell(a) => {
            let text = a.value.trim();
            if let Some(h) = inst.heredocs.first()
                && text.starts_with("<<")
                && inst.heredocs.len() == 1
                && !text.contains(char::is_whitespace)
            {
                return Some(h.content.clone());
            }
            Some(a.value.clone())
        }
    }
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn classify_run(
    df: &Dockerfile,
    inst: &Instruction,
    cmd: &Command,
    step: &Step,
    rules: &Rules,
) -> Vec<CmdInfo> {
    let Some(script) = run_script(inst, cmd) else {
        return Vec::new();
    };
    let parsed = shell::parse(&script);
    let mut out = Vec::new();
    let mut cwd = step.workdir.clone();
    // Where each byte of the script is in the Dockerfile.
    let origin = script_origin(inst, cmd);
    let traced = origin.as_ref().and_then(|o| {
        let map = trace_offsets(&script, df.source.get(o.clone())?, df.escape)?;
        Some((o.start, map))
    });
    let span_of = |r: &Span| -> Option<Span> {
        let (base, map) = traced.as_ref()?;
        if r.is_empty() {
            return None;
        }
        Some(base + *map.get(r.start)?..base + *map.get(r.end - 1)? + 1)
    };
    if parsed.has_errors() {
        out.push(CmdInfo {
            text: script.clone(),
            span: span_of(&(0..script.len())),
            program: None,
            args: Vec::new(),
            words: Vec::new(),
            assignments: BTreeMap::new(),
            kind: CmdKind::Unknown,
            rule: ids::core::SHELL_SYNTAX.into(),
            why: "the shell script could not be parsed".into(),
            produces: Vec::new(),
            reads: Vec::new(),
        });
        return out;
    }
    for c in parsed.all_simple_commands() {
        let mut info = classify_command(&script, c, step, &mut cwd, rules);
        info.span = span_of(&c.span);
        out.push(info);
    }
    out
}

/// Folders on the default PATH of Debian-based images (and Go's /go/bin).
pub(crate) const PATH_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
    "/go/bin",
];

const HARMLESS: &[&str] = &[
    "echo", "printf", "true", "false", "set", "ls", "cat", "pwd", "env", "printenv", "id",
    "whoami", "uname", "which", "command", "test", "[", "sleep", "date", "node", "java", "python",
    "python3",
];
const FILE_OPS: &[&str] = &[
    "cp", "mv", "rm", "mkdir", "chmod", "chown", "ln", "touch", "sed", "tar", "unzip", "find",
    "xargs", "install",
];

fn classify_command(
    script: &str,
    c: &SimpleCommand,
    step: &Step,
    cwd: &mut String,
    rules: &Rules,
) -> CmdInfo {
    let text = script.get(c.span.clone()).unwrap_or("").to_string();
    let program = c.name().map(str::to_string);
    let args: Vec<Option<String>> = c.literal_args().map(|a| a.map(str::to_string)).collect();
    let assignments: BTreeMap<String, String> = c
        .assignments
        .iter()
        .map(|a| {
            (
                a.name.clone(),
                a.value
                    .as_ref()
                    .and_then(|v| v.literal.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let lit: Vec<String> = c.args().iter().map(|w| w.pattern_text()).collect();
    let mut info = CmdInfo {
        text,
        span: None,
        program: program.clone(),
        args: args.clone(),
        words: lit.clone(),
        assignments,
        kind: CmdKind::Unknown,
        rule: ids::core::UNKNOWN_COMMAND.into(),
        why: "no rule knows this command, so its effect on the runtime cannot be shown".into(),
        produces: Vec::new(),
        reads: Vec::new(),
    };
    let Some(prog) = program else {
        if c.words.is_empty() && !c.assignments.is_empty() {
            info.kind = CmdKind::Harmless;
            info.rule = ids::core::SHELL_ASSIGNMENT.into();
            info.why = "sets a shell variable for later commands".into();
        }
        return info;
    };
    let base = prog.rsplit('/').next().unwrap_or(&prog).to_string();

    // Output redirected to a file outside the working directory changes the system.
    let outside = |path: &str, wd: &str| {
        path.starts_with('/')
            && !path.starts_with("/dev/")
            && !path.starts_with("/tmp")
            && path != wd
            && !path.starts_with(&format!("{}/", wd.trim_end_matches('/')))
    };
    let redirected_outside = c.redirects.iter().any(|r| {
        r.op.contains('>')
            && r.target
                .as_ref()
                .and_then(|t| t.literal.as_deref())
                .is_some_and(|t| outside(t, cwd))
    });
    if redirected_outside {
        info.kind = CmdKind::UserSetup;
        info.rule = ids::core::SYSTEM_FILES.into();
        info.why =
            "writes a file outside the application directory; repeated in the runtime stage".into();
        return info;
    }
    if base == "cd" {
        if let Some(Some(dir)) = args.first() {
            *cwd = join_path(cwd, dir);
        }
        info.kind = CmdKind::Harmless;
        info.rule = ids::core::CD.into();
        info.why = "changes directory for the next commands".into();
        return info;
    }
    if let Some(m) = rules.classify_command(&prog, &lit) {
        info.kind = CmdKind::Profile {
            profile: m.profile.id.clone(),
            role: m.rule.role,
        };
        info.rule = m.rule.id.clone();
        info.why = m.rule.why.clone();
        info.reads = m.reads();
        info.produces = m
            .produces()
            .iter()
            .filter_map(|a| a.path.as_ref())
            .filter(|p| !p.contains('{'))
            .map(|p| {
                let p = expand(p, &step.env, '\\');
                if p.starts_with("~/") {
                    p
                } else {
                    join_path(cwd, &p)
                }
            })
            .collect();
        return info;
    }
    let first = lit.first().map(String::as_str);
    let tool_config = matches!(
        (base.as_str(), first),
        ("git", Some("config"))
            | ("npm" | "pnpm" | "yarn", Some("config"))
            | ("pip" | "pip3", Some("config"))
            | ("poetry", Some("config"))
            | ("go", Some("env"))
            | ("dotnet", Some("nuget"))
            | ("corepack", Some("enable" | "prepare" | "install"))
    );

    if tool_config {
        info.kind = CmdKind::BuildConfig;
        info.rule = ids::core::BUILD_TOOL_CONFIG.into();
        info.why = "configures a build tool (credentials, registries, package-manager shims) for the build; the running app does not read it".into();
        return info;
    }
    if matches!(base.as_str(), "apt-get" | "apt" | "apk") {
        let manager = if base == "apk" {
            PackageManager::Apk
        } else {
            PackageManager::Apt
        };
        let sub = lit
            .iter()
            .find(|a| !a.starts_with('-'))
            .cloned()
            .unwrap_or_default();
        if matches!(sub.as_str(), "install" | "add")
            && args
                .iter()
                .zip(&lit)
                .skip_while(|(_, l)| **l != sub)
                .skip(1)
                .any(|(a, _)| a.is_none())
        {
            // `apt-get install -y curl $EXTRA`: which packages is only known
            // when the build runs, so the runtime's counterparts are not.
            info.why = "a package name comes from a variable, so which runtime packages it needs cannot be shown".into();
            info.rule = ids::core::SYSTEM_PACKAGES.into();
            return info;
        }
        if matches!(sub.as_str(), "install" | "add") {
            let mut build_only = Vec::new();
            let mut runtime = Vec::new();
            for pkg in lit
                .iter()
                .skip_while(|a| **a != sub)
                .skip(1)
                .filter(|a| !a.starts_with('-'))
            {
                let name = pkg.split('=').next().unwrap_or(pkg).to_string();
                match rules.classify_package(&name, manager) {
                    PackageClass::Known(rule) => {
                        build_only.push(name.clone());
                        if let Some(names) = rule.names(manager) {
                            runtime.extend(names.runtime.iter().cloned());
                        }
                    }
                    PackageClass::DevUnknownRuntime => build_only.push(name),
                    PackageClass::Unknown => runtime.push(name),
                }
            }
            info.kind = CmdKind::Packages {
                manager,
                build_only,
                runtime,
            };
            info.rule = ids::core::SYSTEM_PACKAGES.into();
            info.why = "installs system packages: build-only ones stay in the build stage, runtime libraries and other packages are installed in the runtime stage".into();
        } else {
            info.kind = CmdKind::PackageHousekeeping;
            info.rule = ids::core::PACKAGE_HOUSEKEEPING.into();
            info.why = "refreshes or cleans the package index".into();
        }
        return info;
    }
    let sub = lit.first().map(String::as_str);
    let cache_clean = matches!(
        (base.as_str(), sub, lit.get(1).map(String::as_str)),
        (
            "npm" | "yarn" | "pnpm",
            Some("cache"),
            Some("clean" | "clear" | "prune")
        ) | ("pip" | "pip3", Some("cache"), Some("purge" | "remove"))
            | ("go", Some("clean"), _)
            | ("dotnet", Some("nuget"), Some("locals"))
    );
    if cache_clean {
        info.kind = CmdKind::PackageHousekeeping;
        info.rule = ids::core::PACKAGE_HOUSEKEEPING.into();
        info.why = "cleans a package manager's cache; nothing the runtime needs".into();
        return info;
    }
    if base == "rm"
        && lit
            .iter()
            .any(|a| a.starts_with("/var/lib/apt") || a.starts_with("/var/cache"))
    {
        info.kind = CmdKind::PackageHousekeeping;
        info.rule = ids::core::PACKAGE_HOUSEKEEPING.into();
        info.why = "removes package caches".into();
        return info;
    }
    if matches!(
        base.as_str(),
        "useradd" | "adduser" | "groupadd" | "addgroup" | "usermod"
    ) {
        info.kind = CmdKind::UserSetup;
        info.rule = ids::core::USER_SETUP.into();
        info.why = "creates a user or group the runtime runs as".into();
        return info;
    }
    if HARMLESS.contains(&base.as_str())
        && (base != "node" && base != "java" && !base.starts_with("python")
            || is_version_check(&lit))
    {
        info.kind = CmdKind::Harmless;
        info.rule = ids::core::HARMLESS.into();
        info.why = "prints or checks; changes no file".into();
        return info;
    }
    if matches!(base.as_str(), "cp" | "mv" | "install")
        && let Some(Some(dest)) = args.last()
        && outside(dest, cwd)
        && args
            .iter()
            .filter(|a| a.as_deref().is_some_and(|a| !a.starts_with('-')))
            .count()
            == 2
        && args
            .iter()
            .flatten()
            .filter(|a| !a.starts_with('-'))
            .all(|a| a == dest || !outside(a, cwd))
    {
        info.kind = CmdKind::Relocate;
        info.rule = ids::core::RELOCATE.into();
        info.why = format!("puts a file from the build at {dest}; the runtime takes it from there");
        info.produces = vec![dest.clone()];
        return info;
    }
    if FILE_OPS.contains(&base.as_str()) {
        let wd = cwd.clone();
        let local = args.iter().all(|a| match a {
            Some(a) if a.starts_with('-') => true,
            Some(a) if a.starts_with('/') => {
                a.starts_with(&format!("{}/", wd.trim_end_matches('/')))
                    || a == &wd
                    || a.starts_with("/tmp")
            }
            Some(_) => true,
            None => false,
        });
        if local && base != "chown" {
            info.kind = CmdKind::WorkdirLocal;
            info.rule = ids::core::WORKDIR_FILES.into();
            info.why = format!(
                "changes files under {wd} only, so nothing outside the application directory"
            );
        } else {
            info.kind = CmdKind::UserSetup;
            info.rule = ids::core::SYSTEM_FILES.into();
            info.why = "changes files outside the application directory (or their owner); repeated in the runtime stage".into();
        }
        return info;
    }
    info
}

fn is_version_check(args: &[String]) -> bool {
    matches!(args, [a] if a == "--version" || a == "-v" || a == "-version" || a == "version")
}
