//! A build tool that starts the app (`go run`, `gradle bootRun`,
//! `mvn spring-boot:run`, `poetry run`, `uv run`, `pipenv run`, `dotnet run`), translated
//! into what a person splitting stages writes: the artifact built once at
//! image build time, and a start command that runs it.
//!
//! The translation is a rewrite of the *input* before planning: the start
//! instruction (CMD or ENTRYPOINT) is replaced by its exec-form translation,
//! and the build step (and, for a project environment, the ENV that puts it
//! on PATH) is appended after the last instruction, where it sees the same
//! files, ENV, WORKDIR and USER as the tool did at start. That text is then
//! planned as any other file, so the build step is placed, the artifact
//! copied and the base chosen by the profile's own rules; [`map_back`] turns
//! the outcome into one about the original file: every instruction keeps its
//! own span and line, the changed start instruction is decided by the
//! translation's rule, and the appended lines become additions.
//!
//! Invariants: only a start command whose every word is understood is
//! translated (a shell-form one only when it is a single literal command);
//! the translation never runs the app with other arguments, in another
//! directory or under another user; dev-mode starts (watchers, reloaders)
//! are never translated; anything else keeps the tool's gate, with why.

mod dotnet;
mod go;
mod java;
mod python;

use super::rule_ids as ids;
use super::steps::StepInfo;
use super::types::{Addition, Gate, Location, Placement, Rewrite, Warning, first_line};
use crate::model::Context;
use crate::syntax::{Command, Dockerfile, Keyword, Span};

/// The gates a translation may lift.
const TRANSLATABLE: &[&str] = &[
    ids::go::GATE_GO_RUN,
    ids::java::GATE_MVN_RUN,
    ids::java::GATE_GRADLE_RUN,
    ids::python::GATE_TOOL_RUN,
    ids::dotnet::GATE_RUN,
];

/// Whether `rule` is a build-tool start a translation may lift.
pub(crate) fn translatable(rule: &str) -> bool {
    TRANSLATABLE.contains(&rule)
}

/// What one language's translation gives.
pub(super) struct Plan {
    /// The new start instruction's arguments (exec form).
    pub argv: Vec<String>,
    /// Shell words of the build step appended at the end of the stage.
    pub build: Option<Vec<String>>,
    /// An ENV line's body appended after it (a project environment on PATH).
    pub env: Option<String>,
    /// The rule that explains the change.
    pub rule: &'static str,
    /// Why, in plain words (without the new line, which is appended).
    pub reason: String,
    /// What the user should know (dropped behaviour of the tool).
    pub warnings: Vec<String>,
}

/// What a language module reads.
pub(super) struct Tool<'a> {
    /// The tool's words: program, subcommand, flags, the app's arguments.
    pub words: &'a [String],
    pub ctx: Option<&'a Context>,
    /// WORKDIR at the start.
    pub workdir: &'a str,
    pub infos: &'a [StepInfo],
    /// Arguments a CMD appends to an exec-form ENTRYPOINT holding the tool.
    pub appended: bool,
}

/// The translated input.
pub(crate) struct Translation {
    /// The text planned in place of the input.
    pub source: String,
    /// Ordinal (among instructions) of the start instruction.
    start: usize,
    /// The new start line.
    line: String,
    plan: Plan,
}

/// The translation of the start command whose gate is `gate`, or why none.
pub(crate) fn translate(
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &super::entry::Entry,
    ctx: Option<&Context>,
    gate: &Gate,
) -> Result<Translation, String> {
    // The instruction that holds the tool: an ENTRYPOINT resets CMD, and a
    // CMD after an exec-form ENTRYPOINT only appends arguments.
    let (item, command, appended) = match (&entry.entrypoint, &entry.cmd) {
        (Some((item, c @ Command::Exec(_))), cmd) => (*item, c, cmd.is_some()),
        (Some((_, Command::Shell(_))), Some(_)) => {
            return Err("a shell-form ENTRYPOINT ignores the CMD, which an exec-form translation would append".into());
        }
        (Some((item, c)), None) | (None, Some((item, c))) => (*item, c, false),
        (None, None) => return Err("the file sets no start command".into()),
    };
    let words = literal_words(command)?;
    let tool = Tool {
        words: &words,
        ctx,
        workdir: &entry.workdir,
        infos,
        appended,
    };
    let plan = match gate.rule.as_str() {
        ids::go::GATE_GO_RUN => go::translate(&tool)?,
        ids::java::GATE_MVN_RUN => java::maven(&tool)?,
        ids::java::GATE_GRADLE_RUN => java::gradle(&tool)?,
        ids::python::GATE_TOOL_RUN => python::translate(&tool)?,
        ids::dotnet::GATE_RUN => dotnet::translate(&tool)?,
        _ => return Err("no translation is known for this tool".into()),
    };
    if plan.build.is_some()
        && let Some(user) = infos
            .last()
            .filter(|i| super::facts::runs_as_non_root(i))
            .and_then(|i| i.user.clone())
    {
        return Err(format!(
            "the app starts as USER {user}; the build step would run as that user, and its write access to where the artifact goes cannot be shown"
        ));
    }
    let inst = df
        .instruction_at(item)
        .ok_or("the start instruction cannot be read")?;
    let start = df
        .instructions()
        .position(|i| i.span == inst.span)
        .ok_or("the start instruction cannot be read")?;
    let keyword = df.text(&inst.keyword_span);
    let line = format!("{keyword} {}", json_array(&plan.argv));
    let source = rewrite_source(df, &inst.span, &line, &plan, keyword);
    Ok(Translation {
        source,
        start,
        line,
        plan,
    })
}

/// The words of a start command: an exec form's strings, or a shell form
/// that is one literal simple command (no variables, quotes, redirections
/// or operators, so splitting on blanks gives what the shell runs).
fn literal_words(command: &Command) -> Result<Vec<String>, String> {
    match command {
        Command::Exec(args) => Ok(args.iter().map(|a| a.value.clone()).collect()),
        Command::Shell(arg) => {
            let text = arg.value.trim();
            let plain = |c: char| c.is_ascii_alphanumeric() || " \t-_./=:,@+%".contains(c);
            if let Some(c) = text.chars().find(|c| !plain(*c)) {
                return Err(format!(
                    "the shell-form start command uses `{c}`, so what the shell runs is not read word by word"
                ));
            }
            let mut words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
            if words.first().is_some_and(|w| w == "exec") {
                words.remove(0);
            }
            Ok(words)
        }
    }
}

/// The input with the start instruction replaced by `line`, and the build
/// step and ENV appended after the last instruction (in the file's line
/// endings and keyword case).
fn rewrite_source(df: &Dockerfile, span: &Span, line: &str, plan: &Plan, keyword: &str) -> String {
    let src = &df.source;
    let eol = if src.contains("\r\n") { "\r\n" } else { "\n" };
    let lower = keyword.chars().all(|c| !c.is_ascii_uppercase());
    let kw = |k: &str| {
        if lower {
            k.to_ascii_lowercase()
        } else {
            k.to_string()
        }
    };
    // The instruction's span ends with its line ending (when it has one),
    // which the replacement keeps.
    let old = &src[span.clone()];
    let ending = if old.ends_with("\r\n") {
        "\r\n"
    } else if old.ends_with('\n') {
        "\n"
    } else {
        ""
    };
    let mut out = String::with_capacity(src.len() + 128);
    out.push_str(&src[..span.start]);
    out.push_str(line);
    out.push_str(ending);
    out.push_str(&src[span.end..]);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(eol);
    }
    if let Some(build) = &plan.build {
        let words: Vec<String> = build.iter().map(|w| shell_quote(w)).collect();
        out.push_str(&format!("{} {}{eol}", kw("RUN"), words.join(" ")));
    }
    if let Some(env) = &plan.env {
        out.push_str(&format!("{} {env}{eol}", kw("ENV")));
    }
    out
}

/// A word as the shell reads it back: as is when plain, else single-quoted.
pub(super) fn shell_quote(w: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,@+%".contains(c);
    if !w.is_empty() && w.chars().all(plain) {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

fn json_array(words: &[String]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| serde_json::to_string(w).unwrap_or_else(|_| format!("\"{w}\"")))
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// The start command as one line, for messages.
pub(super) fn shown(words: &[String]) -> String {
    words.join(" ")
}

/// The gate that stays when the start is not translated: the tool's, with why.
pub(crate) fn refused(mut gate: Gate, why: &str) -> Gate {
    gate.message = format!(
        "{}; it is not translated into a build step: {why}",
        gate.message
    );
    gate
}

/// The rewrite of the translated text `df2`, told about the original `df`:
/// spans, lines and texts are the original's, the start instruction is
/// decided by the translation's rule, and the lines the translation
/// appended become additions of the stage they landed in.
pub(crate) fn map_back(
    df: &Dockerfile,
    df2: &Dockerfile,
    t: &Translation,
    mut rw: Rewrite,
) -> Rewrite {
    let v1: Vec<_> = df.instructions().collect();
    let v2: Vec<_> = df2.instructions().collect();
    let ordinal = |span: &Span| v2.iter().position(|i| i.span == *span);
    let start_item = df
        .items
        .iter()
        .position(
            |i| matches!(i, crate::syntax::Item::Instruction(x) if x.span == v1[t.start].span),
        )
        .unwrap_or(0);
    let stage_of = |p: Placement| -> Vec<String> {
        let names: Vec<&str> = rw.stages.iter().map(|s| s.name.as_str()).collect();
        let runtime = names.last().copied().unwrap_or("runtime");
        let build = names
            .iter()
            .rev()
            .nth(1)
            .copied()
            .unwrap_or("build")
            .to_string();
        match p {
            Placement::Dependencies => vec![names.first().copied().unwrap_or("build").into()],
            Placement::Runtime => vec![runtime.into()],
            Placement::BuildAndRuntime => vec![build, runtime.into()],
            _ => vec![build],
        }
    };
    let mut additions = Vec::new();
    let mut decisions = Vec::new();
    for mut d in std::mem::take(&mut rw.decisions) {
        let Some(n) = ordinal(&d.span) else {
            decisions.push(d);
            continue;
        };
        if n >= v1.len() {
            for stage in stage_of(d.placement) {
                additions.push(Addition {
                    stage,
                    text: first_line(df2, v2[n]),
                    rule: t.plan.rule.into(),
                    reason: format!(
                        "the start command's translation: {}",
                        if v2[n].keyword == Keyword::Run {
                            "the artifact is built once, at image build time"
                        } else {
                            "the project environment comes first on PATH, as the tool put it"
                        }
                    ),
                });
            }
            continue;
        }
        let (old, new) = (v1[n], v2[n]);
        let delta = old.span.start as isize - new.span.start as isize;
        d.line = old.start_line;
        d.span = old.span.clone();
        d.text = first_line(df, old);
        for c in &mut d.commands {
            c.span = c.span.take().and_then(|s| {
                (n != t.start)
                    .then(|| (s.start as isize + delta) as usize..(s.end as isize + delta) as usize)
            });
        }
        if n == t.start {
            let also =
                (d.rule == ids::core::ENTRY_TRANSLATION).then(|| format!("; then {}", d.reason));
            d.rule = t.plan.rule.into();
            d.reason = format!(
                "{}: `{}`{}",
                t.plan.reason,
                t.line,
                also.unwrap_or_default()
            );
        }
        decisions.push(d);
    }
    rw.decisions = decisions;
    rw.additions.extend(additions);
    let relocate = |at: Option<Location>| -> Option<Location> {
        let at = at?;
        let n = ordinal(&at.span)?;
        let i = v1.get(n).copied().unwrap_or(v1[t.start]);
        Some(Location {
            line: i.start_line,
            span: i.span.clone(),
            cited: at.cited,
        })
    };
    for w in &mut rw.warnings {
        w.at = relocate(w.at.take());
    }
    for w in &t.plan.warnings {
        rw.warnings
            .push(Warning::at(df, start_item, t.plan.rule, w.clone()));
    }
    rw
}

/// A gate found while planning the translated text, told about the
/// original: its location is the original's instruction (the start
/// instruction for an appended line), and it says the start was translated.
pub(crate) fn gate_back(df: &Dockerfile, df2: &Dockerfile, t: &Translation, mut g: Gate) -> Gate {
    let v1: Vec<_> = df.instructions().collect();
    if let Some(at) = g.at.take() {
        let n = df2.instructions().position(|i| i.span == at.span);
        let i = n.and_then(|n| v1.get(n).copied()).unwrap_or(v1[t.start]);
        g.at = Some(Location {
            line: i.start_line,
            span: i.span.clone(),
            cited: at.cited,
        });
    }
    g.message = format!(
        "{} (with the start command translated by {} to `{}`)",
        g.message, t.plan.rule, t.line
    );
    g
}
