//! The syntax layer: a lossless Dockerfile tree that reads files exactly as
//! BuildKit's parser does.
//!
//! Invariants (tested in `tests/syntax_*.rs` and by the property test):
//! - **Lossless.** [`Dockerfile::items`] partition the input: every byte belongs to
//!   exactly one item (trivia, instruction or error node), in order. Printing the
//!   items' text gives the input back byte for byte ([`Dockerfile::print`]).
//! - **Spanned.** Every instruction, keyword, flag, argument, heredoc and variable
//!   reference carries a byte span into [`Dockerfile::source`].
//! - **BuildKit's reading.** Directives, escape character, continuation lines,
//!   comment and blank lines inside continuations, heredocs, JSON/shell form and
//!   the argument splitting of each instruction follow BuildKit's parser, so
//!   [`Dockerfile::to_buildkit_dump`] reproduces BuildKit's `result` files.
//! - **Never panics.** Any bytes give a tree or, for invalid UTF-8, a clear error.
//!   A malformed instruction becomes an [`ErrorNode`] over its lines and parsing
//!   goes on.
//! - Knows nothing of rewriting, build contexts or LSP.

mod dump;
mod heredoc;
mod json;
mod outline;
mod scan;
pub mod shell;
mod vars;
mod words;

use serde::Serialize;
use std::fmt;
use std::ops::Range;

pub use vars::{VarRef, process_word};

/// A byte range into [`Dockerfile::source`].
pub type Span = Range<usize>;

/// The escape character BuildKit uses when no `# escape=` directive says otherwise.
pub const DEFAULT_ESCAPE: char = '\\';

/// The largest input dfsplit parses, in bytes (1 MiB). The largest real
/// Dockerfiles are a few tens of KB; planning costs about 10 µs and 3.5 KB per
/// RUN line, so at this size a rewrite takes about half a second and 150 MB (see
/// BENCHMARKS.md, "Big inputs"). A larger input is not parsed: its tree is
/// one [`ErrorNode`] and one [`Diagnostic`] of kind
/// [`DiagnosticKind::TooLarge`] giving its size and this limit, which every
/// front end reports as an error (rule `core/input-too-large`) and leaves the
/// file unchanged. The parse entries ([`parse`], [`parse_bytes`],
/// [`parse_read`]) are the only place the limit is checked.
pub const MAX_INPUT_BYTES: usize = 1 << 20;

/// A parsed Dockerfile: the source, its lossless items and what went wrong.
#[derive(Debug, Clone, Serialize)]
pub struct Dockerfile {
    /// The whole input, byte for byte (including a byte-order mark, if any).
    #[serde(skip)]
    pub source: String,
    /// The escape character in force (`\` or `` ` ``).
    pub escape: char,
    /// Parser directives found before the first instruction.
    pub directives: Vec<Directive>,
    /// Trivia, instructions and error nodes, partitioning the source in order.
    pub items: Vec<Item>,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
    #[serde(skip)]
    line_starts: Vec<usize>,
}

/// A parser directive such as `# syntax=docker/dockerfile:1` or `` # escape=` ``.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Lower-cased name: `syntax`, `escape` or `check`.
    pub name: String,
    /// The value as written, without surrounding blanks.
    pub value: String,
    /// The whole line, without its line ending.
    pub span: Span,
    /// The value's span.
    pub value_span: Span,
}

/// One piece of the file.
// Most items are instructions, so boxing them would only add an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Item {
    /// Blank lines, comments, directives, a byte-order mark.
    Trivia(Trivia),
    /// A well-formed instruction.
    Instruction(Instruction),
    /// An instruction BuildKit's parser rejects, over all its lines.
    Error(ErrorNode),
}

impl Item {
    /// The bytes this item covers.
    pub fn span(&self) -> Span {
        match self {
            Item::Trivia(t) => t.span.clone(),
            Item::Instruction(i) => i.span.clone(),
            Item::Error(e) => e.span.clone(),
        }
    }
}

/// What a trivia item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TriviaKind {
    /// The UTF-8 byte-order mark at the very start.
    Bom,
    /// A line holding only blanks (and its line ending).
    Blank,
    /// A comment line (and its line ending).
    Comment,
    /// A parser directive line (and its line ending).
    Directive,
}

/// Bytes that carry no instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trivia {
    /// What it is.
    pub kind: TriviaKind,
    /// Its bytes, including the line ending.
    pub span: Span,
}

/// An instruction BuildKit's parser rejects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorNode {
    /// All lines of the malformed instruction, with their line endings.
    pub span: Span,
    /// The keyword as written, if one could be read.
    pub keyword: Option<String>,
    /// A plain-language message.
    pub message: String,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// BuildKit's parser rejects the file.
    Error,
    /// The parser accepts it but `docker build` rejects the instruction.
    Invalid,
    /// Accepted, but probably not what was meant.
    Warning,
}

/// What a diagnostic is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosticKind {
    /// What BuildKit's parser (or `docker build`) says about the text.
    Syntax,
    /// The input is over [`MAX_INPUT_BYTES`] and was not parsed.
    TooLarge,
}

impl DiagnosticKind {
    fn is_syntax(&self) -> bool {
        *self == DiagnosticKind::Syntax
    }
}

/// A located message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// How bad.
    pub severity: Severity,
    /// What it is about (left out of JSON for syntax diagnostics).
    #[serde(skip_serializing_if = "DiagnosticKind::is_syntax")]
    pub kind: DiagnosticKind,
    /// Where (bytes).
    pub span: Span,
    /// 1-based line of `span.start`.
    pub line: usize,
    /// 1-based column (in characters) of `span.start`.
    pub column: usize,
    /// What is wrong, in plain words.
    pub message: String,
}

/// The 18 Dockerfile instructions, plus any other word BuildKit's parser lets by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    /// An unknown instruction, lower-cased. `docker build` rejects it.
    Unknown(String),
}

impl Keyword {
    /// Reads a keyword in any case.
    pub fn parse(word: &str) -> Keyword {
        match word.to_ascii_lowercase().as_str() {
            "add" => Keyword::Add,
            "arg" => Keyword::Arg,
            "cmd" => Keyword::Cmd,
            "copy" => Keyword::Copy,
            "entrypoint" => Keyword::Entrypoint,
            "env" => Keyword::Env,
            "expose" => Keyword::Expose,
            "from" => Keyword::From,
            "healthcheck" => Keyword::Healthcheck,
            "label" => Keyword::Label,
            "maintainer" => Keyword::Maintainer,
            "onbuild" => Keyword::Onbuild,
            "run" => Keyword::Run,
            "shell" => Keyword::Shell,
            "stopsignal" => Keyword::Stopsignal,
            "user" => Keyword::User,
            "volume" => Keyword::Volume,
            "workdir" => Keyword::Workdir,
            other => Keyword::Unknown(other.to_string()),
        }
    }

    /// The lower-case name, as BuildKit prints it.
    pub fn as_str(&self) -> &str {
        match self {
            Keyword::Add => "add",
            Keyword::Arg => "arg",
            Keyword::Cmd => "cmd",
            Keyword::Copy => "copy",
            Keyword::Entrypoint => "entrypoint",
            Keyword::Env => "env",
            Keyword::Expose => "expose",
            Keyword::From => "from",
            Keyword::Healthcheck => "healthcheck",
            Keyword::Label => "label",
            Keyword::Maintainer => "maintainer",
            Keyword::Onbuild => "onbuild",
            Keyword::Run => "run",
            Keyword::Shell => "shell",
            Keyword::Stopsignal => "stopsignal",
            Keyword::User => "user",
            Keyword::Volume => "volume",
            Keyword::Workdir => "workdir",
            Keyword::Unknown(s) => s,
        }
    }

    /// Whether BuildKit expands `$VAR` references in this instruction's arguments.
    pub fn expands_variables(&self) -> bool {
        matches!(
            self,
            Keyword::Add
                | Keyword::Arg
                | Keyword::Copy
                | Keyword::Env
                | Keyword::Expose
                | Keyword::From
                | Keyword::Label
                | Keyword::Stopsignal
                | Keyword::User
                | Keyword::Volume
                | Keyword::Workdir
        )
    }
}

impl fmt::Display for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str().to_ascii_uppercase())
    }
}

/// A string as BuildKit's parser yields it, with the bytes it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arg {
    /// BuildKit's value: quotes kept for shell-form words (they are removed
    /// later, when the instruction runs; see [`process_word`]); decoded for JSON.
    pub value: String,
    /// The bytes in the source. For a JSON element, the string literal with its quotes.
    pub span: Span,
}

/// A `--name[=value]` flag before an instruction's arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// Name without the dashes, e.g. `from`.
    pub name: String,
    /// The value after `=`, quotes removed; `None` for `--link`.
    pub value: Option<String>,
    /// The whole flag as BuildKit reports it, e.g. `--from=build`.
    pub text: String,
    /// The flag's bytes in the source.
    pub span: Span,
    /// The value's bytes, when there is a value.
    pub value_span: Option<Span>,
}

/// RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK command: JSON (exec) or shell form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "form", content = "args", rename_all = "snake_case")]
pub enum Command {
    /// `["a", "b"]`: run directly, no shell.
    Exec(Vec<Arg>),
    /// `a b`: handed to the shell as one string (continuations joined).
    Shell(Arg),
}

/// A `key=value` (or legacy `key value`) pair of ENV or LABEL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    /// The key, raw.
    pub key: Arg,
    /// The value, raw (quotes kept).
    pub value: Arg,
    /// `true` for the legacy `ENV key value` form.
    pub legacy: bool,
}

/// One name of an ARG, with its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArgDecl {
    /// The name.
    pub name: Arg,
    /// The default after `=`, raw.
    pub default: Option<Arg>,
}

/// HEALTHCHECK's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Health {
    /// `HEALTHCHECK NONE`, or a bare `HEALTHCHECK`.
    None {
        /// The `NONE` word when written.
        word: Option<Arg>,
    },
    /// `HEALTHCHECK [flags] CMD …`, or another type word (which `docker build` rejects).
    Check {
        /// The type word (`CMD`).
        word: Arg,
        /// The command, if any.
        command: Option<Command>,
    },
}

/// An instruction's arguments, typed by keyword.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// FROM image [AS name]
    From {
        /// The image reference, raw.
        image: Option<Arg>,
        /// The stage name after `AS`.
        alias: Option<Arg>,
        /// All words, as BuildKit splits them.
        words: Vec<Arg>,
    },
    /// RUN, CMD, ENTRYPOINT, SHELL.
    Command {
        /// `None` when nothing follows the keyword.
        command: Option<Command>,
    },
    /// COPY and ADD: sources then destination.
    Copy {
        /// All paths; the last is the destination.
        paths: Vec<Arg>,
        /// JSON form.
        json: bool,
    },
    /// ENV and LABEL.
    KeyValues {
        /// The pairs, in order.
        pairs: Vec<KeyValue>,
    },
    /// ARG with one or more names.
    Arg {
        /// The names, in order.
        decls: Vec<ArgDecl>,
    },
    /// EXPOSE, VOLUME: a list of words (VOLUME may be JSON).
    Words {
        /// The words.
        words: Vec<Arg>,
        /// JSON form.
        json: bool,
    },
    /// WORKDIR, USER, STOPSIGNAL, MAINTAINER: the rest of the line.
    Text {
        /// The text, if any.
        text: Option<Arg>,
    },
    /// HEALTHCHECK.
    Health {
        /// Its body.
        health: Health,
    },
    /// ONBUILD and the instruction it registers.
    Onbuild {
        /// The inner instruction, if any.
        inner: Option<Box<Instruction>>,
    },
    /// An unknown instruction: BuildKit keeps it and ignores its arguments.
    Unknown,
}

/// A here-document attached to RUN, COPY or ADD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// The delimiter, quotes removed (e.g. `EOF`).
    pub name: String,
    /// Whether variables are expanded in the body (unquoted delimiter).
    pub expand: bool,
    /// `<<-`: leading tabs are stripped from body lines.
    pub chomp: bool,
    /// The file descriptor before `<<`, if written.
    pub fd: Option<u32>,
    /// The `<<EOF` word on the instruction line.
    pub marker_span: Span,
    /// The body lines, with their line endings.
    pub body_span: Span,
    /// The terminator line, with its line ending (empty at end of file).
    pub terminator_span: Span,
    /// The body as BuildKit passes it on: each line followed by `\n`.
    pub content: String,
}

/// One Dockerfile instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Instruction {
    /// All its lines, from the first byte of its first line to the end of its
    /// last line (continuation lines, comments inside them and heredoc bodies included).
    pub span: Span,
    /// The instruction.
    pub keyword: Keyword,
    /// The keyword as written.
    pub keyword_span: Span,
    /// Flags before the arguments.
    pub flags: Vec<Flag>,
    /// The typed arguments.
    pub body: Body,
    /// Here-documents, in order.
    pub heredocs: Vec<Heredoc>,
    /// Variable references BuildKit expands, in order.
    pub vars: Vec<VarRef>,
    /// 1-based first line, as BuildKit counts.
    pub start_line: usize,
    /// 1-based last line (heredoc terminators included), as BuildKit counts.
    pub end_line: usize,
    /// The logical line BuildKit reads: continuations joined, comments and
    /// blank continuation lines removed.
    pub logical: String,
    /// Comment lines inside the instruction's continuation lines.
    pub inner_comments: Vec<Span>,
    /// BuildKit's node values after the keyword (for the `result` dump).
    #[serde(skip)]
    pub(crate) raw: Vec<RawNode>,
}

/// A BuildKit AST value after the keyword, for the `result` dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawNode {
    Value(String),
    Child(Box<Instruction>),
}

impl Instruction {
    /// The flag with this name (case-insensitive), if given.
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The instruction's command, for RUN/CMD/ENTRYPOINT/SHELL and HEALTHCHECK CMD.
    pub fn command(&self) -> Option<&Command> {
        match &self.body {
            Body::Command { command } => command.as_ref(),
            Body::Health {
                health: Health::Check { command, .. },
            } => command.as_ref(),
            _ => None,
        }
    }
}

/// The input was not UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the file is not valid UTF-8 (first bad byte at offset {offset})")]
pub struct NotUtf8 {
    /// Byte offset of the first invalid byte.
    pub offset: usize,
    /// Its 1-based line.
    pub line: usize,
    /// Its 1-based column (in bytes).
    pub column: usize,
}

/// Parses a Dockerfile from bytes. Fails only when the bytes are not UTF-8;
/// syntax errors are [`ErrorNode`]s and [`Diagnostic`]s in the tree. Bytes
/// over [`MAX_INPUT_BYTES`] are not parsed (nor checked for UTF-8): see
/// [`parse_read`].
pub fn parse_bytes(bytes: &[u8]) -> Result<Dockerfile, NotUtf8> {
    parse_read(bytes, bytes.len() as u64)
}

/// Parses an input of `size` bytes of which a front end read `bytes`: all of
/// them, or — when it saw that the input is over [`MAX_INPUT_BYTES`] and
/// stopped reading — only part or none of them. An input over the limit
/// gives [`Dockerfile::too_large`]'s tree (with its text only when `bytes`
/// is all of it and UTF-8); otherwise this is [`parse_bytes`].
pub fn parse_read(bytes: &[u8], size: u64) -> Result<Dockerfile, NotUtf8> {
    if let Some(d) = too_large(size.max(bytes.len() as u64)) {
        let whole = bytes.len() as u64 == size;
        let text = std::str::from_utf8(bytes).ok().filter(|_| whole);
        return Ok(Dockerfile::over_limit(text.unwrap_or(""), d));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(scan::parse(s)),
        Err(e) => {
            let offset = e.valid_up_to();
            let before = &bytes[..offset];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            Err(NotUtf8 {
                offset,
                line,
                column: offset - line_start + 1,
            })
        }
    }
}

/// Parses a Dockerfile. Never panics; never fails: problems are in the tree
/// (an input over [`MAX_INPUT_BYTES`] is not parsed: see [`parse_read`]).
pub fn parse(source: &str) -> Dockerfile {
    match too_large(source.len() as u64) {
        Some(d) => Dockerfile::over_limit(source, d),
        None => scan::parse(source),
    }
}

/// The size limit, checked in this one place: the diagnostic of an input of
/// `size` bytes when that is over [`MAX_INPUT_BYTES`].
fn too_large(size: u64) -> Option<Diagnostic> {
    (size > MAX_INPUT_BYTES as u64).then(|| Diagnostic {
        severity: Severity::Error,
        kind: DiagnosticKind::TooLarge,
        span: 0..0,
        line: 1,
        column: 1,
        message: format!(
            "the input is {} ({}); dfsplit reads Dockerfiles up to {} ({}) and leaves larger ones unchanged",
            with_commas(size, "bytes"),
            binary_size(size),
            with_commas(MAX_INPUT_BYTES as u64, "bytes"),
            binary_size(MAX_INPUT_BYTES as u64),
        ),
    })
}

/// `1,048,576 bytes`.
fn with_commas(n: u64, unit: &str) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out} {unit}")
}

/// `1 MiB`, `9.8 MiB`, `3.2 GiB`, `512 KiB`.
fn binary_size(n: u64) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value} {}", units[unit])
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

impl Dockerfile {
    /// The tree of an input over [`MAX_INPUT_BYTES`]: not parsed; `text`
    /// (empty when it was not read) is one [`ErrorNode`], so printing the
    /// items still gives it back, and `diagnostic` says the size and the
    /// limit. Lines are not indexed: [`Self::line_col`] gives line 1.
    fn over_limit(text: &str, diagnostic: Diagnostic) -> Dockerfile {
        let items = if text.is_empty() {
            Vec::new()
        } else {
            vec![Item::Error(ErrorNode {
                span: 0..text.len(),
                keyword: None,
                message: diagnostic.message.clone(),
            })]
        };
        Dockerfile {
            source: text.to_string(),
            escape: DEFAULT_ESCAPE,
            directives: Vec::new(),
            items,
            diagnostics: vec![diagnostic],
            line_starts: vec![0],
        }
    }

    /// Whether the input was over [`MAX_INPUT_BYTES`] and not parsed.
    pub fn too_large(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.kind == DiagnosticKind::TooLarge)
    }

    /// The source text again, rebuilt from the items (equal to [`Self::source`]).
    pub fn print(&self) -> String {
        let mut out = String::with_capacity(self.source.len());
        for item in &self.items {
            out.push_str(&self.source[item.span()]);
        }
        out
    }

    /// The instructions, in order (error nodes skipped).
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.items.iter().filter_map(|i| match i {
            Item::Instruction(i) => Some(i),
            _ => None,
        })
    }

    /// The instruction at index `item` of [`Self::items`], if that item is one.
    pub fn instruction_at(&self, item: usize) -> Option<&Instruction> {
        match self.items.get(item) {
            Some(Item::Instruction(i)) => Some(i),
            _ => None,
        }
    }

    /// Whether BuildKit's parser would reject the file.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// The text of a span.
    pub fn text(&self, span: &Span) -> &str {
        self.source.get(span.clone()).unwrap_or("")
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.source, &self.line_starts, offset)
    }

    /// A readable outline of the tree: one line per item and per argument,
    /// each with its span and source text. Used by `dfsplit parse --format
    /// outline` and the snapshot tests.
    pub fn to_outline(&self) -> String {
        outline::outline(self)
    }

    /// The file in the format of BuildKit's parser test `result` files.
    pub fn to_buildkit_dump(&self) -> String {
        dump::dump(self)
    }
}

pub(crate) fn line_col(source: &str, line_starts: &[usize], offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let line = line_starts.partition_point(|&s| s <= offset).max(1);
    let start = line_starts.get(line - 1).copied().unwrap_or(0);
    let col = source
        .get(start..offset)
        .map_or(offset - start, |s| s.chars().count());
    (line, col + 1)
}
