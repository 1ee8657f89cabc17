//! The one call every front end makes: [`analyze`] reads a Dockerfile's text
//! with its build context, rules and options, and answers in plain data — the
//! outcome, every diagnostic with a byte span, a severity and a rule id, every
//! decision with the span of its instruction, and the edits whose application
//! is the new text. The CLI prints it, the editor server turns it into LSP
//! messages, the bot into commits and a pull-request body; none of them
//! plans or re-parses anything of its own.
//!
//! Invariants: pure (no I/O, no LSP or CLI types); every span slices the
//! input on character boundaries; `emit::apply(input, &edits)` is `output`;
//! an input that does not parse, or that `docker build` would reject, gets
//! no edits; an input over the size limit (`syntax::MAX_INPUT_BYTES`) is
//! not parsed and gets one error, `core/input-too-large`, and no edits.

use crate::emit::{self, Edit};
use crate::model::{Context, ModelError};
use crate::plan::{self, Decision, Options, Outcome, Rewrite};
use crate::rules::Rules;
use crate::syntax::{self, Dockerfile, Span};
use serde::Serialize;

/// Rule ids of the analysis's own diagnostics, documented in `rules/core.md`.
pub mod rule {
    /// The file does not parse.
    pub const SYNTAX_ERROR: &str = "core/syntax-error";
    /// The file parses, but `docker build` rejects it.
    pub const BUILD_REJECTS: &str = "core/build-rejects";
    /// The parser warns (BuildKit's warnings, such as an empty continuation line).
    pub const SYNTAX_WARNING: &str = "core/syntax-warning";
    /// The file can be split into stages.
    pub const SPLIT: &str = "core/split";
    /// The input is over the size limit (`syntax::MAX_INPUT_BYTES`) and
    /// was not parsed.
    pub const INPUT_TOO_LARGE: &str = "core/input-too-large";
}

/// How much a diagnostic matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be built as it is.
    Error,
    /// Something the user should look at.
    Warning,
    /// What dfsplit can do with the file.
    Info,
    /// Why dfsplit leaves the file as it is.
    Hint,
}

/// Something to tell the user about a place in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The bytes it concerns (empty at the start of the file when it
    /// concerns no instruction in particular).
    pub span: Span,
    /// 1-based line of `span.start`.
    pub line: usize,
    /// 1-based column, in characters, of `span.start`.
    pub column: usize,
    /// How much it matters.
    pub severity: Severity,
    /// The rule behind it (documented in `rules/`).
    pub rule: String,
    /// What, in plain words, without the location.
    pub message: String,
}

/// The runtime base, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseChange {
    /// The original's base image.
    pub before: String,
    /// The runtime stage's base image.
    pub after: String,
    /// Why this base.
    pub reason: String,
    /// The catalogue's approximate compressed size of `after`, in MB.
    pub after_approx_mb: Option<u32>,
}

/// What dfsplit makes of a Dockerfile.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// The plan; `None` when the file does not parse or `docker build`
    /// would reject it (the diagnostics say why).
    pub outcome: Option<Outcome>,
    /// Parse errors and warnings, the reason the file stays unchanged, the
    /// rewrite's warnings, and the rewrite itself as one `info`, in the
    /// order of the file.
    pub diagnostics: Vec<Diagnostic>,
    /// Edits against the input whose application gives `output`; empty
    /// when the file stays as it is.
    pub edits: Vec<Edit>,
    /// The new text (the input itself when nothing changes).
    #[serde(skip)]
    pub output: String,
}

impl Analysis {
    /// The plan's rewrite, when there is one.
    pub fn rewrite(&self) -> Option<&Rewrite> {
        match &self.outcome {
            Some(Outcome::Rewrite(r)) => Some(r),
            _ => None,
        }
    }

    /// Whether the output differs from the input.
    pub fn changed(&self) -> bool {
        !self.edits.is_empty()
    }

    /// Per input instruction, where it goes and why (placement `unchanged`
    /// when the file stays as it is; none when it does not parse).
    pub fn decisions(&self) -> &[Decision] {
        match &self.outcome {
            Some(Outcome::Rewrite(r)) => &r.decisions,
            Some(Outcome::Unchanged { decisions, .. }) => decisions,
            None => &[],
        }
    }

    /// The runtime base before and after, for a rewrite.
    pub fn base(&self) -> Option<BaseChange> {
        self.rewrite().map(|r| BaseChange {
            before: r.base_before.clone(),
            after: r.base_after.clone(),
            reason: r.base_reason.clone(),
            after_approx_mb: r.base_after_approx_mb,
        })
    }

    /// Whether a diagnostic is an error (the file cannot be planned).
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Analyses `text`: parses it, plans a rewrite with the build context
/// `ctx` (when known), and gives the result as plain data. A text over
/// [`syntax::MAX_INPUT_BYTES`] gets a `core/input-too-large` error and
/// comes out unchanged, without being parsed.
pub fn analyze(text: &str, ctx: Option<&Context>, rules: &Rules, opts: &Options) -> Analysis {
    let df = syntax::parse(text);
    analyze_parsed(&df, ctx, rules, opts)
}

/// [`analyze`] for a file already parsed.
pub fn analyze_parsed(
    df: &Dockerfile,
    ctx: Option<&Context>,
    rules: &Rules,
    opts: &Options,
) -> Analysis {
    let text = df.source.as_str();
    let lines = LineIndex::new(text);
    let diag = |span: Span, severity: Severity, rule: &str, message: String| Diagnostic {
        line: lines.line(span.start),
        column: lines.column(text, span.start),
        span,
        severity,
        rule: rule.to_string(),
        message,
    };
    let mut diagnostics: Vec<Diagnostic> = df
        .diagnostics
        .iter()
        .map(|d| {
            let (severity, rule) = match (d.kind, d.severity) {
                (syntax::DiagnosticKind::TooLarge, _) => (Severity::Error, rule::INPUT_TOO_LARGE),
                (_, syntax::Severity::Error) => (Severity::Error, rule::SYNTAX_ERROR),
                (_, syntax::Severity::Invalid) => (Severity::Error, rule::BUILD_REJECTS),
                (_, syntax::Severity::Warning) => (Severity::Warning, rule::SYNTAX_WARNING),
            };
            diag(d.span.clone(), severity, rule, d.message.clone())
        })
        .collect();
    let unchanged = |diagnostics: Vec<Diagnostic>, outcome: Option<Outcome>| Analysis {
        outcome,
        diagnostics,
        edits: Vec::new(),
        output: text.to_string(),
    };
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return unchanged(sorted(diagnostics), None);
    }
    let outcome = match plan::plan(df, ctx, rules, opts) {
        Ok(o) => o,
        Err(e) => {
            let (span, rule) = model_error_place(&e, &lines, text);
            diagnostics.push(diag(span, Severity::Error, rule, model_error_message(&e)));
            return unchanged(sorted(diagnostics), None);
        }
    };
    // Where a message about the file as a whole is shown: the final FROM.
    let final_from = df
        .instructions()
        .filter(|i| i.keyword == syntax::Keyword::From)
        .last()
        .map_or(0..0, |i| i.span.clone());
    match &outcome {
        Outcome::Unchanged { gate, .. } => {
            let span = gate
                .at
                .as_ref()
                .map_or(final_from.clone(), |l| l.span.clone());
            diagnostics.push(diag(span, Severity::Hint, &gate.rule, gate.message.clone()));
            unchanged(sorted(diagnostics), Some(outcome))
        }
        Outcome::Rewrite(r) => {
            for w in &r.warnings {
                let span = w.at.as_ref().map_or(final_from.clone(), |l| l.span.clone());
                diagnostics.push(diag(span, Severity::Warning, &w.rule, w.message.clone()));
            }
            let edits = emit::edits_between(text, &r.text);
            if !edits.is_empty() {
                let size = r
                    .base_after_approx_mb
                    .map(|mb| format!(" (about {mb} MB compressed)"))
                    .unwrap_or_default();
                diagnostics.push(diag(
                    final_from.clone(),
                    Severity::Info,
                    rule::SPLIT,
                    format!(
                        "single-stage image ships its build toolchain (`{}`): split into stages, the runtime on `{}`{size}",
                        r.base_before, r.base_after
                    ),
                ));
            }
            let output = r.text.clone();
            Analysis {
                outcome: Some(outcome),
                diagnostics: sorted(diagnostics),
                edits,
                output,
            }
        }
    }
}

/// Diagnostics in the order of the file (stable for equal positions).
fn sorted(mut v: Vec<Diagnostic>) -> Vec<Diagnostic> {
    v.sort_by_key(|d| (d.span.start, d.span.end));
    v
}

/// Where a model error is, and its rule.
fn model_error_place(e: &ModelError, lines: &LineIndex, text: &str) -> (Span, &'static str) {
    let at = |line: usize, column: usize, rule| {
        let start = lines.offset(text, line, column);
        let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
        (start..end, rule)
    };
    match e {
        ModelError::Syntax { line, column, .. } => at(*line, *column, rule::SYNTAX_ERROR),
        ModelError::Invalid { line, column, .. } => at(*line, *column, rule::BUILD_REJECTS),
        ModelError::BeforeFrom { line, .. } => at(*line, 1, rule::BUILD_REJECTS),
        ModelError::NoStage => (0..0, rule::BUILD_REJECTS),
    }
}

/// A model error's message without its location.
fn model_error_message(e: &ModelError) -> String {
    match e {
        ModelError::Syntax { message, .. } => message.clone(),
        ModelError::Invalid { message, .. } => message.clone(),
        ModelError::BeforeFrom { keyword, .. } => format!("{keyword} before the first FROM"),
        ModelError::NoStage => "no FROM instruction: nothing to build".into(),
    }
}

/// Line starts of a text, for byte offset ↔ line and column.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line of byte `offset`.
    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// 1-based column, in characters, of byte `offset`.
    fn column(&self, text: &str, offset: usize) -> usize {
        let start = self.starts[self.line(offset) - 1];
        text.get(start..offset).map_or(1, |s| s.chars().count() + 1)
    }

    /// Byte offset of 1-based `line` and character `column` (clamped to the text).
    fn offset(&self, text: &str, line: usize, column: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return text.len();
        };
        let rest = &text[start..];
        let in_line = rest.find('\n').map_or(rest, |n| &rest[..n]);
        start
            + in_line
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(in_line.len(), |(i, _)| i)
    }
}
