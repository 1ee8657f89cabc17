//! Classifying each instruction of a single-stage file: what it is for
//! (dependencies, build, test, runtime configuration, system setup) and which
//! rule says so.

use crate::model::context::is_dependency_manifest;
use crate::model::{Context, Stage, Step, expand, instruction, join_path};
use crate::plan::rule_ids as ids;
use crate::rules::pattern::program_basename;
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
    /// COPY --from a tool image (the rules' `tools.images`) of the files it
    /// lists: a build tool, kept in the build stage.
    CopyTool {
        rule: String,
        why: String,
        /// The file names it brings (`uv`, `uvx`).
        programs: Vec<String>,
    },
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
    /// ENV: the names it sets that only steer builds and package managers
    /// (the rules' `tools.build-env`).
    pub build_env: Vec<String>,
    /// RUN: the download cache it fills, which a BuildKit cache mount may
    /// keep between builds (see [`download_cache`]).
    pub cache_mount: Option<CacheMount>,
}

/// A download cache a BuildKit cache mount may keep (the rules'
/// `tools.cache-mounts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CacheMount {
    /// Where the tool keeps it (`/root/.npm`).
    pub target: String,
    /// What the explanation calls it (`npm's download cache`).
    pub what: String,
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

/// A COPY or ADD path word as BuildKit reads it: quotes and escapes removed
/// and the step's ENV and ARG values substituted (both instructions replace
/// variables in their paths), so `COPY . ${APP}` writes where `WORKDIR ${APP}`
/// works.
pub(crate) fn copy_word(df: &Dockerfile, info: &StepInfo, word: &str) -> String {
    crate::model::expand(word, &info.env, df.escape)
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
                let tool = rules.tool_image(&from).filter(|t| {
                    !sources.is_empty() && sources.iter().all(|s| t.files.contains(&s.value))
                });
                match tool {
                    Some(t) => StepKind::CopyTool {
                        rule: t.id.clone(),
                        why: t.why.clone(),
                        programs: sources
                            .iter()
                            .map(|s| s.value.rsplit('/').next().unwrap_or("").to_string())
                            .collect(),
                    },
                    None => StepKind::CopyOther(format!(
                        "copies from `{from}`, which is not the build context"
                    )),
                }
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
                    .map(|s| crate::model::expand(&s.value, &step.env, df.escape))
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
            StepKind::Run(classify_run(df, inst, cmd, step, rules, ctx))
        }
        _ => StepKind::Config,
    };
    let build_env = match (&inst.keyword, &inst.body) {
        (Keyword::Env, Body::KeyValues { pairs }) => pairs
            .iter()
            .map(|p| process_word(&p.key.value, df.escape))
            .filter(|k| rules.is_build_env(k))
            .collect(),
        _ => Vec::new(),
    };
    let cache_mount = match &kind {
        StepKind::Run(cmds) => download_cache(cmds, &step.env, rules),
        _ => None,
    };
    StepInfo {
        item: step.item,
        keyword: inst.keyword.clone(),
        kind,
        workdir: step.workdir.clone(),
        env: step.env.clone(),
        user: step.user.clone(),
        build_env,
        cache_mount,
    }
}

/// The download cache a RUN fills: the first of its commands that fills one
/// (the rules' `tools.cache-mounts`, without an `unless-arg` argument) —
/// unless the environment turns that tool's cache off (`unless-env`: the
/// mount would stay empty) or a command of the step cleans a cache itself
/// (it would try to delete the mount point: seen failing with EBUSY).
fn download_cache(
    cmds: &[CmdInfo],
    env: &BTreeMap<String, String>,
    rules: &Rules,
) -> Option<CacheMount> {
    let fills = |c: &CmdInfo| rules.cache_mount(&c.rule, c.program.as_deref()?);
    let turned_off = cmds.iter().filter_map(fills).any(|m| {
        env.keys()
            .any(|k| crate::rules::pattern::any_glob(&m.unless_env, k))
    });
    let cleans = cmds.iter().any(|c| {
        c.kind == CmdKind::PackageHousekeeping
            && c.args
                .iter()
                .flatten()
                .any(|a| a == "cache" || a == "clean")
    });
    if turned_off || cleans {
        return None;
    }
    cmds.iter().find_map(|c| {
        let m = fills(c)?;
        let skipped = c
            .args
            .iter()
            .flatten()
            .any(|a| crate::rules::pattern::any_glob(&m.unless_arg, a));
        (!skipped).then(|| CacheMount {
            target: m.target.clone(),
            what: m.what.clone(),
        })
    })
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
    ctx: Option<&Context>,
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
    let mut shell = ShellVars::default();
    // Whether each command reads the output of the one before (`a | b`).
    let mut piped: Vec<bool> = Vec::new();
    let mut prev_end: Option<usize> = None;
    for c in parsed.all_simple_commands() {
        piped.push(prev_end.is_some_and(|end| {
            script
                .get(end..c.span.start)
                .is_some_and(|between| between.trim() == "|")
        }));
        prev_end = Some(c.span.end);
        let mut info = if c.name() == Some("export") {
            shell.export(&script, c)
        } else {
            let before = cwd.clone();
            let mut info = classify_command(&script, c, step, &mut cwd, rules);
            if info.kind == CmdKind::Unknown
                && info.program.as_deref().map(program_basename) == Some("make")
            {
                through_make(&mut info, step, &before, rules, ctx);
            }
            shell.apply(c, &mut info);
            info
        };
        info.span = span_of(&c.span);
        out.push(info);
    }
    shell.gate_unknown_values(&mut out);
    name_network_fetches(&mut out, &piped);
    out
}

/// `make TARGET`: the verdict of what the target's recipe runs, read from
/// the build context's Makefile (`plan::make`). The recipe's commands are
/// classified as a RUN's; `make` takes the one profile rule among them (the
/// last build step when there are several, with every path they produce),
/// or is harmless when they only print or touch the app's files. Anything
/// else keeps it unknown, with the reason naming the target
/// (`core/make-target`).
fn through_make(info: &mut CmdInfo, step: &Step, cwd: &str, rules: &Rules, ctx: Option<&Context>) {
    let shown = info.text.clone();
    let refuse = |info: &mut CmdInfo, why: String| {
        info.rule = ids::core::MAKE_TARGET.into();
        info.why = why;
    };
    let Some(ctx) = ctx else {
        return refuse(
            info,
            format!(
                "`{shown}`: without the build context, what the Makefile's target runs cannot be read"
            ),
        );
    };
    if cwd != step.workdir {
        return refuse(
            info,
            format!(
                "`{shown}` runs in {cwd}, not in the working directory the build context's Makefile is read for"
            ),
        );
    }
    let recipe = match super::make::recipe(&info.args, ctx) {
        Ok(r) => r,
        Err(why) => {
            return refuse(
                info,
                format!("`{shown}`: {why}, so what it runs cannot be shown"),
            );
        }
    };
    let mut cmds: Vec<CmdInfo> = Vec::new();
    for line in &recipe.lines {
        let parsed = shell::parse(line);
        if parsed.has_errors() {
            return refuse(
                info,
                format!(
                    "`make {}` runs `{line}` ({}), whose shell text could not be parsed",
                    recipe.target, recipe.file
                ),
            );
        }
        let mut local = cwd.to_string();
        for c in parsed.all_simple_commands() {
            let sub = classify_command(line, c, step, &mut local, rules);
            if !matches!(
                sub.kind,
                CmdKind::Profile { .. } | CmdKind::Harmless | CmdKind::WorkdirLocal
            ) {
                return refuse(
                    info,
                    format!(
                        "`make {}` runs `{}` ({}), which {}",
                        recipe.target,
                        sub.text,
                        recipe.file,
                        if sub.kind == CmdKind::Unknown {
                            "no rule knows, so its effect on the runtime cannot be shown"
                                .to_string()
                        } else {
                            format!(
                                "changes the system [{}]: a recipe may only build, print or change the app's files",
                                sub.rule
                            )
                        }
                    ),
                );
            }
            cmds.push(sub);
        }
    }
    let profile: Vec<&CmdInfo> = cmds
        .iter()
        .filter(|c| matches!(c.kind, CmdKind::Profile { .. }))
        .collect();
    let lines = recipe.lines.join("; ");
    let chosen = profile
        .iter()
        .rev()
        .find(|c| {
            matches!(
                &c.kind,
                CmdKind::Profile {
                    role: Role::Build,
                    ..
                }
            )
        })
        .or(profile.last())
        .copied();
    match chosen {
        Some(c) => {
            info.kind = c.kind.clone();
            info.rule = c.rule.clone();
            info.why = format!(
                "`make {}` runs `{lines}` ({}): {}",
                recipe.target, recipe.file, c.why
            );
            // The profile reads the command's arguments and assignments
            // (`CGO_ENABLED=0 go build -buildmode=pie`): the recipe's.
            info.args = c.args.clone();
            info.words = c.words.clone();
            info.assignments = c.assignments.clone();
            info.produces = profile
                .iter()
                .flat_map(|c| c.produces.iter().cloned())
                .collect();
            info.reads = profile
                .iter()
                .flat_map(|c| c.reads.iter().cloned())
                .collect();
        }
        None => {
            let local = cmds.iter().any(|c| c.kind == CmdKind::WorkdirLocal);
            info.kind = if local {
                CmdKind::WorkdirLocal
            } else {
                CmdKind::Harmless
            };
            info.rule = ids::core::MAKE_TARGET.into();
            info.why = format!(
                "`make {}` runs `{lines}` ({}): it only prints or changes the app's files",
                recipe.target, recipe.file
            );
        }
    }
}

/// Shells an installer can be piped into (`curl … | sh`).
const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh"];

/// What a URL names, for a reason: `host/path` without scheme, user or query
/// (`sh.rustup.rs`, `deb.nodesource.com/setup_20.x`).
fn url_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    rest.trim_end_matches('/').to_string()
}

/// The first argument of `c` that is a URL, as written (variables shown
/// as the Dockerfile has them: `v${FD_VER}`).
fn first_url(c: &CmdInfo) -> Option<String> {
    c.text
        .split_whitespace()
        .map(|w| w.trim_matches(|ch| ch == '"' || ch == '\''))
        .find(|w| w.contains("://") || w.starts_with("git@"))
        .map(url_name)
}

/// Commands that fetch from the network at build time stay *unknown* — what
/// they bring cannot be shown — but the reason names what they fetch, so a
/// user knows which line to look at: an installer piped to a shell
/// (`curl … | sh`, both commands), a download (`curl`, `wget`), `git clone`.
fn name_network_fetches(out: &mut [CmdInfo], piped: &[bool]) {
    for i in 0..out.len() {
        if out[i].kind != CmdKind::Unknown || out[i].rule != ids::core::UNKNOWN_COMMAND {
            continue;
        }
        let prog = out[i].program.clone().unwrap_or_default();
        let base = program_basename(&prog);
        let why = match base {
            "curl" | "wget" => {
                let url = first_url(&out[i]).unwrap_or_else(|| "a URL".into());
                let into = out
                    .get(i + 1)
                    .filter(|_| piped.get(i + 1) == Some(&true))
                    .and_then(|n| n.program.as_deref())
                    .map(|p| program_basename(p).to_string())
                    .filter(|p| SHELLS.contains(&p.as_str()));
                match into {
                    Some(sh) => {
                        let why = format!(
                            "runs the installer downloaded from {url} with {sh} at build time; what it installs, and where, cannot be shown from the Dockerfile"
                        );
                        if out[i + 1].kind == CmdKind::Unknown {
                            out[i + 1].why = why.clone();
                        }
                        why
                    }
                    None => format!(
                        "downloads {url} at build time; what the runtime needs from it cannot be shown from the Dockerfile"
                    ),
                }
            }
            "git" if out[i].args.first().and_then(|a| a.as_deref()) == Some("clone") => {
                let url = first_url(&out[i]).unwrap_or_else(|| "a repository".into());
                format!(
                    "clones {url}: the sources come from the network at build time, not from the build context, so what the runtime needs from them cannot be shown"
                )
            }
            _ => continue,
        };
        out[i].why = why;
    }
}

/// The shell variables of one RUN: plain assignments (`X=1;`, not seen by
/// the programs) and what `export` puts in the environment of every later
/// command of the same RUN — and only of that RUN, since each RUN is its own
/// shell. An exported variable is carried to the later commands as if it
/// were written before each of them (`X=1 npm run build`), so the rules and
/// the profiles read it where they read such assignments (`CGO_ENABLED`,
/// `PIP_TARGET`); `export` itself then changes nothing the runtime needs.
#[derive(Default)]
struct ShellVars {
    /// Plain assignments seen so far (value `None` when not literal).
    plain: BTreeMap<String, Option<String>>,
    /// Exported names and their values (`None` when not literal), in order.
    exported: Vec<(String, Option<String>)>,
    /// Indexes (in the RUN's commands) of the exports with a value known
    /// only when the build runs, and the names.
    unknown_exports: Vec<(usize, String)>,
    /// How many commands were seen.
    seen: usize,
}

impl ShellVars {
    /// `export A=1 B`: the names and values it exports, classified
    /// `core/shell-export`.
    fn export(&mut self, script: &str, c: &SimpleCommand) -> CmdInfo {
        let mut info = command_info(script, c);
        for (word, lit) in c.args().iter().zip(c.literal_args()) {
            let raw = lit
                .map(str::to_string)
                .unwrap_or_else(|| word.pattern_text());
            if raw.starts_with('-') {
                continue;
            }
            let (name, value) = match raw.split_once('=') {
                Some((n, _)) => (
                    n.to_string(),
                    lit.and_then(|l| l.split_once('='))
                        .map(|(_, v)| v.to_string()),
                ),
                None => {
                    let v = self.plain.get(&raw).cloned().unwrap_or(Some(String::new()));
                    (raw.clone(), v)
                }
            };
            if value.is_none() {
                self.unknown_exports.push((self.seen, name.clone()));
            }
            self.exported.retain(|(n, _)| *n != name);
            self.exported.push((name, value));
        }
        self.seen += 1;
        info.apply(Verdict::new(
            CmdKind::Harmless,
            ids::core::SHELL_EXPORT,
            "exports a variable to the later commands of this RUN only (each RUN is its own shell); they are classified with it",
        ));
        info
    }

    /// After a command is classified: remember a plain assignment, and give
    /// the command the exported variables it does not set itself.
    fn apply(&mut self, c: &SimpleCommand, info: &mut CmdInfo) {
        if c.words.is_empty() {
            for a in &c.assignments {
                let v = a
                    .value
                    .as_ref()
                    .map_or(Some(String::new()), |v| v.literal.clone());
                self.plain.insert(a.name.clone(), v);
            }
        }
        if info.program.is_some() {
            for (name, value) in &self.exported {
                info.assignments
                    .entry(name.clone())
                    .or_insert_with(|| value.clone().unwrap_or_default());
            }
        }
        self.seen += 1;
    }

    /// An export whose value is known only when the build runs, followed by
    /// a command that is not plainly harmless: what that command does with
    /// it cannot be shown, so the export is *unknown*, naming the variable.
    fn gate_unknown_values(&self, out: &mut [CmdInfo]) {
        for (at, name) in &self.unknown_exports {
            let used_later = out[at + 1..].iter().any(|c| {
                c.program.is_some()
                    && !matches!(c.kind, CmdKind::Harmless | CmdKind::PackageHousekeeping)
            });
            if used_later {
                let e = &mut out[*at];
                e.kind = CmdKind::Unknown;
                e.rule = ids::core::SHELL_EXPORT.into();
                e.why = format!(
                    "exports `{name}` with a value known only when the build runs, and later commands of this RUN see it, so what they do with it cannot be shown"
                );
            }
        }
    }
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

/// What a rule or table says of one command: its kind, the rule and why.
struct Verdict {
    kind: CmdKind,
    rule: String,
    why: String,
    /// Absolute paths it produces (profile rules, relocations).
    produces: Vec<String>,
    /// Files it reads (profile rules).
    reads: Vec<String>,
}

impl Verdict {
    fn new(kind: CmdKind, rule: &str, why: impl Into<String>) -> Verdict {
        Verdict {
            kind,
            rule: rule.into(),
            why: why.into(),
            produces: Vec::new(),
            reads: Vec::new(),
        }
    }
}

/// One command with a program, as the classification steps read it.
struct Cmd<'a> {
    /// The program as written (`/usr/bin/npm`).
    prog: &'a str,
    /// Its basename (`npm`).
    base: &'a str,
    /// Literal arguments (`None` for a word with an expansion).
    args: &'a [Option<String>],
    /// The arguments as rules match them (see [`CmdInfo::words`]).
    words: &'a [String],
    /// The directory the command runs in.
    cwd: &'a str,
    /// ARG and ENV values visible to the step.
    env: &'a BTreeMap<String, String>,
}

/// A classification step: a verdict, or `None` to let the next one try.
type ClassifyStep = fn(&Cmd, &Rules) -> Option<Verdict>;

/// The steps a command with a program goes through after the shell's own
/// effects ([`shell_effect`]), in order; the first verdict wins.
const STEPS: &[ClassifyStep] = &[
    profile_rule,
    tool_config,
    system_packages,
    cache_cleanup,
    user_setup,
    harmless,
    relocation,
    file_command,
];

/// Classifies one simple command of a RUN: what the shell does with it (a
/// redirect outside the app, `cd`), then each of [`STEPS`]. None of them
/// knows it: *unknown*, which leaves the file unchanged. `cwd` follows `cd`.
fn classify_command(
    script: &str,
    c: &SimpleCommand,
    step: &Step,
    cwd: &mut String,
    rules: &Rules,
) -> CmdInfo {
    let mut info = command_info(script, c);
    let Some(prog) = info.program.clone() else {
        if c.words.is_empty() && !c.assignments.is_empty() {
            info.apply(Verdict::new(
                CmdKind::Harmless,
                ids::core::SHELL_ASSIGNMENT,
                "sets a shell variable for later commands",
            ));
        }
        return info;
    };
    let base = prog.rsplit('/').next().unwrap_or(&prog).to_string();
    let verdict = shell_effect(c, &base, &info.args, cwd).or_else(|| {
        let cmd = Cmd {
            prog: &prog,
            base: &base,
            args: &info.args,
            words: &info.words,
            cwd: cwd.as_str(),
            env: &step.env,
        };
        STEPS.iter().find_map(|classify| classify(&cmd, rules))
    });
    if let Some(v) = verdict {
        info.apply(v);
    }
    info
}

/// A command's words, classified *unknown* until a step says otherwise.
fn command_info(script: &str, c: &SimpleCommand) -> CmdInfo {
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
    CmdInfo {
        text: script.get(c.span.clone()).unwrap_or("").to_string(),
        span: None,
        program: c.name().map(str::to_string),
        args: c.literal_args().map(|a| a.map(str::to_string)).collect(),
        words: c.args().iter().map(|w| w.pattern_text()).collect(),
        assignments,
        kind: CmdKind::Unknown,
        rule: ids::core::UNKNOWN_COMMAND.into(),
        why: "no rule knows this command, so its effect on the runtime cannot be shown".into(),
        produces: Vec::new(),
        reads: Vec::new(),
    }
}

impl CmdInfo {
    fn apply(&mut self, v: Verdict) {
        self.kind = v.kind;
        self.rule = v.rule;
        self.why = v.why;
        self.produces = v.produces;
        self.reads = v.reads;
    }
}

/// An absolute path outside the working directory `wd` (and outside `/dev`
/// and `/tmp`): a file there is system state, not the app's.
fn outside(path: &str, wd: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("/dev/")
        && !path.starts_with("/tmp")
        && path != wd
        && !path.starts_with(&format!("{}/", wd.trim_end_matches('/')))
}

/// What the shell itself does: output redirected to a file outside the
/// working directory changes the system, whatever the program; `cd` moves
/// the next commands (`cwd` follows it).
fn shell_effect(
    c: &SimpleCommand,
    base: &str,
    args: &[Option<String>],
    cwd: &mut String,
) -> Option<Verdict> {
    let redirected_outside = c.redirects.iter().any(|r| {
        r.op.contains('>')
            && r.target
                .as_ref()
                .and_then(|t| t.literal.as_deref())
                .is_some_and(|t| outside(t, cwd))
    });
    if redirected_outside {
        return Some(Verdict::new(
            CmdKind::UserSetup,
            ids::core::SYSTEM_FILES,
            "writes a file outside the application directory; repeated in the runtime stage",
        ));
    }
    if base != "cd" {
        return None;
    }
    if let Some(Some(dir)) = args.first() {
        *cwd = join_path(cwd, dir);
    }
    Some(Verdict::new(
        CmdKind::Harmless,
        ids::core::CD,
        "changes directory for the next commands",
    ))
}

/// A profile's command rule: its role, what it reads, and the paths it
/// produces (ENV expanded, resolved against the working directory).
fn profile_rule(cmd: &Cmd, rules: &Rules) -> Option<Verdict> {
    let m = rules.classify_command(cmd.prog, cmd.words)?;
    let produces = m
        .produces()
        .iter()
        .filter_map(|a| a.path.as_ref())
        .filter(|p| !p.contains('{'))
        .map(|p| {
            let p = expand(p, cmd.env, '\\');
            if p.starts_with("~/") {
                p
            } else {
                join_path(cmd.cwd, &p)
            }
        })
        .collect();
    Some(Verdict {
        kind: CmdKind::Profile {
            profile: m.profile.id.clone(),
            role: m.rule.role,
        },
        rule: m.rule.id.clone(),
        why: m.rule.why.clone(),
        produces,
        reads: m.reads(),
    })
}

/// A command that only configures a build tool for the build user (the
/// rules' `tools.config`): nothing the running app reads.
fn tool_config(cmd: &Cmd, rules: &Rules) -> Option<Verdict> {
    rules.is_tool_config(cmd.prog, cmd.words).then(|| {
        Verdict::new(
            CmdKind::BuildConfig,
            ids::core::BUILD_TOOL_CONFIG,
            "configures a build tool (credentials, registries, package-manager shims) for the build; the running app does not read it",
        )
    })
}

/// `apt-get`/`apt`/`apk`: an install splits its packages into build-only
/// ones and what the runtime needs (the rules' package map); anything else
/// (`update`, `clean`) is housekeeping. An install of a package named by a
/// variable stays *unknown*: its runtime counterparts cannot be shown.
fn system_packages(cmd: &Cmd, rules: &Rules) -> Option<Verdict> {
    let manager = match cmd.base {
        "apk" => PackageManager::Apk,
        "apt-get" | "apt" => PackageManager::Apt,
        _ => return None,
    };
    let lit = cmd.words;
    let sub = lit
        .iter()
        .find(|a| !a.starts_with('-'))
        .cloned()
        .unwrap_or_default();
    if !matches!(sub.as_str(), "install" | "add") {
        return Some(Verdict::new(
            CmdKind::PackageHousekeeping,
            ids::core::PACKAGE_HOUSEKEEPING,
            "refreshes or cleans the package index",
        ));
    }
    if cmd
        .args
        .iter()
        .zip(lit)
        .skip_while(|(_, l)| **l != sub)
        .skip(1)
        .any(|(a, _)| a.is_none())
    {
        // `apt-get install -y curl $EXTRA`: which packages is only known
        // when the build runs, so the runtime's counterparts are not.
        return Some(Verdict::new(
            CmdKind::Unknown,
            ids::core::SYSTEM_PACKAGES,
            "a package name comes from a variable, so which runtime packages it needs cannot be shown",
        ));
    }
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
    Some(Verdict::new(
        CmdKind::Packages {
            manager,
            build_only,
            runtime,
        },
        ids::core::SYSTEM_PACKAGES,
        "installs system packages: build-only ones stay in the build stage, runtime libraries and other packages are installed in the runtime stage",
    ))
}

/// Cleaning a cache: a tool's own (the rules' `tools.cache-clean`), or `rm`
/// of a package manager's cache folder (the rules' `cache-paths`).
fn cache_cleanup(cmd: &Cmd, rules: &Rules) -> Option<Verdict> {
    let why = if rules.is_cache_clean(cmd.prog, cmd.words) {
        "cleans a package manager's cache; nothing the runtime needs"
    } else if cmd.base == "rm" && cmd.words.iter().any(|a| rules.is_cache_path(a)) {
        "removes package caches"
    } else {
        return None;
    };
    Some(Verdict::new(
        CmdKind::PackageHousekeeping,
        ids::core::PACKAGE_HOUSEKEEPING,
        why,
    ))
}

/// Account tools: the runtime runs as the users they create, so the step is
/// repeated there (`plan::closure` reads their arguments).
fn user_setup(cmd: &Cmd, _: &Rules) -> Option<Verdict> {
    matches!(
        cmd.base,
        "useradd" | "adduser" | "groupadd" | "addgroup" | "usermod"
    )
    .then(|| {
        Verdict::new(
            CmdKind::UserSetup,
            ids::core::USER_SETUP,
            "creates a user or group the runtime runs as",
        )
    })
}

/// A command that prints or checks and changes no file (the rules'
/// `harmless`).
fn harmless(cmd: &Cmd, rules: &Rules) -> Option<Verdict> {
    rules.is_harmless(cmd.prog, cmd.words).then(|| {
        Verdict::new(
            CmdKind::Harmless,
            ids::core::HARMLESS,
            "prints or checks; changes no file",
        )
    })
}

/// `cp`/`mv`/`install` of one file to an absolute path outside the working
/// directory: that path is an output the runtime takes from the build.
fn relocation(cmd: &Cmd, _: &Rules) -> Option<Verdict> {
    if !matches!(cmd.base, "cp" | "mv" | "install") {
        return None;
    }
    let Some(Some(dest)) = cmd.args.last() else {
        return None;
    };
    let operands = || cmd.args.iter().flatten().filter(|a| !a.starts_with('-'));
    let one_source = cmd
        .args
        .iter()
        .filter(|a| a.as_deref().is_some_and(|a| !a.starts_with('-')))
        .count()
        == 2;
    if !outside(dest, cmd.cwd)
        || !one_source
        || !operands().all(|a| a == dest || !outside(a, cmd.cwd))
    {
        return None;
    }
    let mut v = Verdict::new(
        CmdKind::Relocate,
        ids::core::RELOCATE,
        format!("puts a file from the build at {dest}; the runtime takes it from there"),
    );
    v.produces = vec![dest.clone()];
    Some(v)
}

/// A file command (the rules' `file-commands`): on paths under the working
/// directory or `/tmp` only, its effect travels with the app; otherwise (or
/// `chown`, which changes owners) it is system setup the runtime repeats.
fn file_command(cmd: &Cmd, rules: &Rules) -> Option<Verdict> {
    if !rules.is_file_command(cmd.prog) {
        return None;
    }
    let wd = cmd.cwd;
    let local = cmd.args.iter().all(|a| match a {
        Some(a) if a.starts_with('-') => true,
        Some(a) if a.starts_with('/') => {
            a.starts_with(&format!("{}/", wd.trim_end_matches('/')))
                || a == wd
                || a.starts_with("/tmp")
        }
        Some(_) => true,
        None => false,
    });
    Some(if local && cmd.base != "chown" {
        Verdict::new(
            CmdKind::WorkdirLocal,
            ids::core::WORKDIR_FILES,
            format!("changes files under {wd} only, so nothing outside the application directory"),
        )
    } else {
        Verdict::new(
            CmdKind::UserSetup,
            ids::core::SYSTEM_FILES,
            "changes files outside the application directory (or their owner); repeated in the runtime stage",
        )
    })
}
