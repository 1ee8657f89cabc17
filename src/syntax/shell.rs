//! Splitting shell-form `RUN` bodies into commands with exact byte spans.
//!
//! [`parse`] takes the *logical* text of a shell-form `RUN` instruction (line
//! continuations already joined; it may still contain newlines, for example
//! heredoc bodies) and returns a [`Script`]: the top-level and-or lists, their
//! pipelines, and every simple command with its assignments, words and
//! redirections.
//!
//! # Invariants
//!
//! * **Pure**: no I/O, no global state; the same input always gives the same
//!   [`Script`].
//! * **Never panics**, on any input. Syntax errors are reported as byte ranges
//!   in [`Script::errors`] and the parser recovers what it can around them.
//! * **Spans are byte offsets into the input `&str`**: every
//!   `Range<usize>` in the result satisfies `start <= end <= src.len()` and
//!   both ends lie on `char` boundaries, so `&src[span]` never panics.
//!   [`Word::raw`] is always exactly `&src[word.span]`.
//! * A simple command's span runs from its first assignment, word or
//!   redirection to its last one (a heredoc redirection ends at its
//!   delimiter; the heredoc body is not part of the command's span). Simple
//!   commands returned by [`Script::simple_commands`] come in source order and
//!   do not overlap.
//!
//! The parsing itself is done by tree-sitter-bash, which gives exact byte
//! ranges and recovers from errors; this module lowers its concrete syntax
//! tree into the small, serialisable model below.

mod literal;
mod lower;

use serde::Serialize;
use std::ops::Range;

/// Parses the logical text of a shell-form `RUN` instruction.
///
/// Never panics. An empty, blank or comment-only input gives a [`Script`]
/// with no lists and no errors. A heredoc operator whose body is not part of
/// `src` (as in `cat <<EOF > /etc/conf`, where BuildKit supplies the body
/// separately) is accepted without error; its [`Redirect::heredoc_body`] is
/// `None`.
pub fn parse(src: &str) -> Script {
    lower::parse(src)
}

/// A parsed shell script: a sequence of and-or lists separated by `;`, `&`
/// or newlines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Script {
    /// The top-level and-or lists, in source order.
    pub lists: Vec<AndOrList>,
    /// Byte ranges of syntax errors anywhere in the input (including inside
    /// command substitutions), sorted by start. A missing token (such as an
    /// absent `fi`) is reported as an empty range where it was expected.
    pub errors: Vec<Range<usize>>,
}

/// A chain of pipelines joined by `&&` and `||`, such as `a && b || c`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AndOrList {
    /// From the start of the first pipeline to the end of the last one (the
    /// terminating `;` or `&` is not included).
    pub span: Range<usize>,
    /// The first pipeline.
    pub first: Pipeline,
    /// The following pipelines, each with the operator that precedes it.
    pub rest: Vec<(AndOr, Pipeline)>,
    /// Whether the list is terminated by `&` (runs in the background).
    pub background: bool,
}

/// The operator joining two pipelines in an [`AndOrList`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum AndOr {
    /// `&&`: run the next pipeline only if the previous one succeeded.
    And,
    /// `||`: run the next pipeline only if the previous one failed.
    Or,
}

/// Commands joined by `|` (or `|&`), optionally negated with a leading `!`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pipeline {
    /// From the `!` (if any) or the first command to the end of the last
    /// command.
    pub span: Range<usize>,
    /// Whether the pipeline starts with `!`.
    pub negated: bool,
    /// The commands of the pipeline, never empty.
    pub commands: Vec<Command>,
}

/// One element of a [`Pipeline`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Command {
    /// A simple command such as `VAR=1 cmd arg > out`.
    Simple(SimpleCommand),
    /// A compound command such as `(..)`, `{ ..; }`, `if`, `for`, `while`.
    Compound(Compound),
}

/// A simple command: assignments, words and redirections.
///
/// Builtins with special syntax are simple commands too: for `export A=1`
/// the words are `export` and `A=1`; for `[ -f x ]` and `[[ .. ]]` the words
/// are the brackets and every operand and operator between them. A line that
/// only assigns (`A=1 B=2`) or only redirects (`> file`) has no words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimpleCommand {
    /// From the first assignment, word or redirection to the last one.
    pub span: Range<usize>,
    /// Assignments before the command name (`VAR=1` in `VAR=1 cmd`).
    pub assignments: Vec<Assignment>,
    /// The command name followed by its arguments.
    pub words: Vec<Word>,
    /// Redirections, in source order, wherever they appear in the command.
    pub redirects: Vec<Redirect>,
}

/// A variable assignment `NAME=value` or `NAME+=value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// The whole assignment, from the name to the end of the value.
    pub span: Range<usize>,
    /// The variable name, including a subscript if any (`arr[1]`).
    pub name: String,
    /// Whether the operator is `+=` rather than `=`.
    pub append: bool,
    /// The value, `None` when empty (`NAME=`). An array value `(a b)` is one
    /// word whose [`Word::literal`] is `None`.
    pub value: Option<Word>,
}

/// A shell word, for example `--omit=dev`, `"a && b"` or `$(git rev-parse HEAD)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Word {
    /// The word in the source.
    pub span: Range<usize>,
    /// The source text of the word, exactly `&src[span]`.
    pub raw: String,
    /// The value after quote removal, when the word contains no expansion
    /// (no `$x`, `${..}`, `$(..)`, backticks, arithmetic, leading `~` or brace
    /// expansion). Glob characters are kept as literal characters, so
    /// `'*.txt'` and `*.txt` both give `*.txt`.
    pub literal: Option<String>,
    /// Command and process substitutions inside the word (`$(..)`, `` `..` ``,
    /// `<(..)`, `>(..)`), outermost only, in source order.
    pub substitutions: Vec<Substitution>,
}

impl Word {
    /// The value for matching against patterns: the literal value, or the
    /// literal part before the first expansion followed by `$?`
    /// (`"poetry==$V"` → `poetry==$?`), so a pattern like `poetry==*` still
    /// sees the package name while `poetry` alone does not match.
    pub fn pattern_text(&self) -> String {
        match &self.literal {
            Some(v) => v.clone(),
            None => format!(
                "{}$?",
                literal::literal_prefix(&self.raw).unwrap_or_default()
            ),
        }
    }
}

/// A command substitution (`$(..)`, `` `..` ``) or process substitution
/// (`<(..)`, `>(..)`) found inside a [`Word`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Substitution {
    /// The whole substitution, delimiters included.
    pub span: Range<usize>,
    /// The commands it runs. Their syntax errors are reported in the
    /// enclosing [`Script::errors`].
    pub lists: Vec<AndOrList>,
}

/// A redirection such as `> /tmp/x`, `2>&1`, `<<EOF` or `<<< "text"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redirect {
    /// From the file descriptor (or operator) to the end of the target. For a
    /// heredoc this ends at the delimiter word; the body is in
    /// [`Redirect::heredoc_body`].
    pub span: Range<usize>,
    /// The explicit file descriptor, `Some(2)` in `2>&1`.
    pub fd: Option<u32>,
    /// The operator alone: `>`, `>>`, `<`, `>&`, `<&`, `&>`, `&>>`, `>|`,
    /// `>&-`, `<&-`, `<<`, `<<-` or `<<<`. For `2>&1` this is `>&`.
    pub op: String,
    /// The target: a file name, a file descriptor (`1` in `2>&1`), a heredoc
    /// delimiter (`EOF`, `'EOF'`) or a here-string. `None` for `>&-`/`<&-`
    /// without target.
    pub target: Option<Word>,
    /// For heredocs whose body is part of the input: the body lines,
    /// including the final newline, excluding the terminating delimiter line.
    pub heredoc_body: Option<Range<usize>>,
}

/// A compound command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compound {
    /// The compound command, extended to include trailing redirections.
    pub span: Range<usize>,
    /// Which compound command it is.
    pub kind: CompoundKind,
    /// Every simple command nested inside (also inside nested compounds, but
    /// not inside command substitutions), in source order. For `if` and
    /// `while` this includes the condition commands.
    pub inner: Vec<SimpleCommand>,
    /// Words of the compound's own syntax that are not part of a nested
    /// command: the variable and items of `for`/`select`, the subject and
    /// patterns of `case`, the name of a function.
    pub words: Vec<Word>,
    /// Redirections applied to the whole compound (`{ ..; } > log`).
    pub redirects: Vec<Redirect>,
}

/// The kind of a [`Compound`] command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CompoundKind {
    /// `( .. )`
    Subshell,
    /// `{ ..; }`
    Group,
    /// `if .. then .. [elif ..] [else ..] fi`
    If,
    /// `for x in ..; do ..; done` and `for ((..)); do ..; done`
    For,
    /// `while ..; do ..; done`
    While,
    /// `until ..; do ..; done`
    Until,
    /// `case .. in .. esac`
    Case,
    /// `name() { .. }` or `function name { .. }`
    Function,
    /// Anything else: `(( .. ))` arithmetic, `select`.
    Other,
}

impl Script {
    /// Whether the input had syntax errors.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Every simple command of the script in source order: those of the
    /// top-level lists and those nested in compound commands, but not those
    /// inside command or process substitutions (see
    /// [`Script::all_simple_commands`]).
    pub fn simple_commands(&self) -> impl Iterator<Item = &SimpleCommand> + '_ {
        let mut out = Vec::new();
        for list in &self.lists {
            collect_list(list, false, &mut out);
        }
        out.into_iter()
    }

    /// Every simple command that the script may run, in source order,
    /// including those inside command and process substitutions at any depth
    /// (`git` in `x=$(git rev-parse HEAD) make`).
    pub fn all_simple_commands(&self) -> impl Iterator<Item = &SimpleCommand> + '_ {
        let mut out = Vec::new();
        for list in &self.lists {
            collect_list(list, true, &mut out);
        }
        // Pre-order keeps outer commands before their substitutions; a
        // stable sort by start puts substitutions of earlier words first.
        out.sort_by_key(|c| c.span.start);
        out.into_iter()
    }
}

impl AndOrList {
    /// All pipelines of the list, in source order.
    pub fn pipelines(&self) -> impl Iterator<Item = &Pipeline> + '_ {
        std::iter::once(&self.first).chain(self.rest.iter().map(|(_, p)| p))
    }
}

impl Command {
    /// The span of the command.
    pub fn span(&self) -> Range<usize> {
        match self {
            Command::Simple(c) => c.span.clone(),
            Command::Compound(c) => c.span.clone(),
        }
    }

    /// The simple command, if this is one.
    pub fn as_simple(&self) -> Option<&SimpleCommand> {
        match self {
            Command::Simple(c) => Some(c),
            Command::Compound(_) => None,
        }
    }
}

impl SimpleCommand {
    /// The command name: the literal value of the first word (`npm` in
    /// `npm ci`). `None` when there are no words or the first word contains an
    /// expansion (`$CC -o x`).
    pub fn name(&self) -> Option<&str> {
        self.words.first()?.literal.as_deref()
    }

    /// The arguments: every word after the first.
    pub fn args(&self) -> &[Word] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// The literal values of the arguments; `None` for an argument that
    /// contains an expansion.
    pub fn literal_args(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        self.args().iter().map(|w| w.literal.as_deref())
    }
}

/// Pushes the simple commands of `list` onto `out`, descending into
/// substitutions when `substitutions` is set.
fn collect_list<'a>(list: &'a AndOrList, substitutions: bool, out: &mut Vec<&'a SimpleCommand>) {
    for pipeline in list.pipelines() {
        for command in &pipeline.commands {
            match command {
                Command::Simple(c) => collect_simple(c, substitutions, out),
                Command::Compound(c) => {
                    if substitutions {
                        collect_words(&c.words, out);
                        for r in &c.redirects {
                            collect_redirect(r, out);
                        }
                    }
                    for inner in &c.inner {
                        collect_simple(inner, substitutions, out);
                    }
                }
            }
        }
    }
}

fn collect_simple<'a>(c: &'a SimpleCommand, substitutions: bool, out: &mut Vec<&'a SimpleCommand>) {
    out.push(c);
    if substitutions {
        for a in &c.assignments {
            collect_words(a.value.as_slice(), out);
        }
        collect_words(&c.words, out);
        for r in &c.redirects {
            collect_redirect(r, out);
        }
    }
}

fn collect_redirect<'a>(r: &'a Redirect, out: &mut Vec<&'a SimpleCommand>) {
    collect_words(r.target.as_slice(), out);
}

fn collect_words<'a>(words: &'a [Word], out: &mut Vec<&'a SimpleCommand>) {
    for w in words {
        for s in &w.substitutions {
            for list in &s.lists {
                collect_list(list, true, out);
            }
        }
    }
}

#[cfg(test)]
mod tests;
