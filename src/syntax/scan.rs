//! Reading the file line by line into items, following BuildKit's `Parse`.

use super::heredoc;
use super::json::{JsonForm, NOT_STRINGS, parse_json};
use super::vars::find_refs;
use super::words::{
    Piece, extract_flags, is_go_space, parse_words, split_re_ws, trim_space, whitespace_delimited,
};
use super::*;

/// A physical line as `bufio.ScanLines` + `trimNewline` see it.
#[derive(Debug, Clone, Copy)]
struct Line {
    /// First byte of the line (after a BOM on line 1).
    start: usize,
    /// End of the content, without trailing `\r`/`\n`.
    content_end: usize,
    /// End including the line ending.
    end: usize,
}

fn split_lines(source: &str, first_start: usize) -> Vec<Line> {
    let bytes = source.as_bytes();
    let mut lines = Vec::new();
    let mut start = first_start;
    while start < bytes.len() {
        let nl = bytes[start..].iter().position(|&b| b == b'\n');
        let end = nl.map_or(bytes.len(), |p| start + p + 1);
        let mut content_end = end;
        while content_end > start && matches!(bytes[content_end - 1], b'\n' | b'\r') {
            content_end -= 1;
        }
        lines.push(Line {
            start,
            content_end,
            end,
        });
        start = end;
    }
    lines
}

/// Maps offsets in the logical line back to the source.
#[derive(Debug, Default, Clone)]
pub(crate) struct SourceMap {
    /// (logical start, source start, length), contiguous in logical space.
    segments: Vec<(usize, usize, usize)>,
    /// Where an empty logical line sits in the source.
    anchor: usize,
}

impl SourceMap {
    fn push(&mut self, logical: usize, source: usize, len: usize) {
        if len > 0 {
            self.segments.push((logical, source, len));
        }
    }

    fn pos(&self, l: usize) -> usize {
        for &(ls, ss, len) in &self.segments {
            if l < ls + len {
                return ss + l.saturating_sub(ls);
            }
        }
        self.segments
            .last()
            .map_or(self.anchor, |&(_, ss, len)| ss + len)
    }

    fn range(&self, r: &Range<usize>) -> Span {
        let start = self.pos(r.start);
        if r.end <= r.start {
            return start..start;
        }
        start..self.pos(r.end - 1) + 1
    }

    /// A map for `text[offset..]` of the line this map describes.
    fn shifted(&self, offset: usize) -> SourceMap {
        SourceMap {
            segments: self
                .segments
                .iter()
                .filter_map(|&(ls, ss, len)| {
                    if ls + len <= offset {
                        None
                    } else if ls >= offset {
                        Some((ls - offset, ss, len))
                    } else {
                        Some((0, ss + (offset - ls), len - (offset - ls)))
                    }
                })
                .collect(),
            anchor: self.pos(offset),
        }
    }
}

/// BuildKit's continuation test: `([^E])E[ \t]*$|^E[ \t]*$`. Returns the
/// length of the content to keep when the line continues.
fn continuation(content: &str, escape: char) -> Option<usize> {
    let t = content.trim_end_matches([' ', '\t']);
    let before = t.strip_suffix(escape)?;
    match before.chars().next_back() {
        None => Some(0),
        Some(c) if c != escape => Some(before.len()),
        Some(_) => None,
    }
}

fn is_comment(content: &str) -> bool {
    content.trim_start_matches(is_go_space).starts_with('#')
}

/// `^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$` → (name, value range).
fn directive_of(line: &str) -> Option<(String, Range<usize>)> {
    let rest = line.strip_prefix('#')?;
    let after_hash = rest.trim_start_matches([' ', '\t']);
    let name_len = after_hash
        .char_indices()
        .take_while(|&(i, c)| {
            if i == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_alphanumeric()
            }
        })
        .count();
    if name_len == 0 {
        return None;
    }
    let name = &after_hash[..name_len];
    let after_name = after_hash[name_len..].trim_start_matches([' ', '\t']);
    let after_eq = after_name.strip_prefix('=')?;
    let value = after_eq.trim_start_matches([' ', '\t']);
    let value_trimmed = value.trim_end_matches([' ', '\t']);
    if value_trimmed.is_empty() {
        return None;
    }
    let start = line.len() - value.len();
    Some((
        name.to_ascii_lowercase(),
        start..start + value_trimmed.len(),
    ))
}

struct Parser<'a> {
    src: &'a str,
    lines: Vec<Line>,
    line_starts: Vec<usize>,
    escape: char,
    directives_done: bool,
    directives: Vec<Directive>,
    items: Vec<Item>,
    diagnostics: Vec<Diagnostic>,
}

/// An instruction BuildKit's parser rejects: message and where (source offset).
struct Reject {
    message: String,
    at: usize,
}

pub(crate) fn parse(src: &str) -> Dockerfile {
    let bom = src.starts_with('\u{feff}');
    let first = if bom { 3 } else { 0 };
    let mut line_starts = vec![0];
    line_starts.extend(
        src.bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| i + 1)
            .filter(|&i| i < src.len()),
    );
    let mut p = Parser {
        src,
        lines: split_lines(src, first),
        line_starts,
        escape: DEFAULT_ESCAPE,
        directives_done: false,
        directives: Vec::new(),
        items: Vec::new(),
        diagnostics: Vec::new(),
    };
    if bom {
        p.items.push(Item::Trivia(Trivia {
            kind: TriviaKind::Bom,
            span: 0..3,
        }));
    }
    p.run();
    let no_instructions = !p
        .items
        .iter()
        .any(|i| matches!(i, Item::Instruction(_) | Item::Error(_)));
    if no_instructions {
        let at = src.len();
        p.diag(Severity::Error, at..at, "file with no instructions".into());
    }
    p.diagnostics.sort_by_key(|d| d.span.start);
    Dockerfile {
        source: src.to_string(),
        escape: p.escape,
        directives: p.directives,
        items: p.items,
        diagnostics: p.diagnostics,
        line_starts: p.line_starts,
    }
}

impl Parser<'_> {
    fn diag(&mut self, severity: Severity, span: Span, message: String) {
        let (line, column) = line_col(self.src, &self.line_starts, span.start);
        self.diagnostics.push(Diagnostic {
            severity,
            kind: DiagnosticKind::Syntax,
            span,
            line,
            column,
            message,
        });
    }

    fn content(&self, i: usize) -> &str {
        let l = self.lines[i];
        &self.src[l.start..l.content_end]
    }

    fn trivia(&mut self, kind: TriviaKind, i: usize) {
        let l = self.lines[i];
        self.items.push(Item::Trivia(Trivia {
            kind,
            span: l.start..l.end,
        }));
    }

    fn error_item(&mut self, span: Span, keyword: Option<String>, reject: Reject) {
        let at = reject.at.clamp(span.start, span.end);
        self.diag(Severity::Error, at..span.end, reject.message.clone());
        self.items.push(Item::Error(ErrorNode {
            span,
            keyword,
            message: reject.message,
        }));
    }

    /// Looks for a parser directive on a line; returns whether it was one.
    fn directive(&mut self, i: usize, trimmed_start: usize) -> Result<bool, Reject> {
        if self.directives_done {
            return Ok(false);
        }
        let l = self.lines[i];
        let text = &self.src[trimmed_start..l.content_end];
        let Some((name, value)) = directive_of(text) else {
            self.directives_done = true;
            return Ok(false);
        };
        if !matches!(name.as_str(), "escape" | "syntax" | "check") {
            self.directives_done = true;
            return Ok(false);
        }
        if self.directives.iter().any(|d| d.name == name) {
            return Err(Reject {
                message: format!("only one {name} parser directive can be used"),
                at: trimmed_start,
            });
        }
        let value_span = trimmed_start + value.start..trimmed_start + value.end;
        let value = self.src[value_span.clone()].to_string();
        if name == "escape" {
            match value.as_str() {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                _ => {
                    return Err(Reject {
                        message: format!("invalid escape token '{value}' does not match ` or \\"),
                        at: value_span.start,
                    });
                }
            }
        }
        self.directives.push(Directive {
            name,
            value,
            span: trimmed_start..l.content_end,
            value_span,
        });
        Ok(true)
    }

    fn run(&mut self) {
        let mut i = 0;
        while i < self.lines.len() {
            let l = self.lines[i];
            let content = self.content(i);
            let lead = content.len() - content.trim_start_matches(is_go_space).len();
            let trimmed_start = l.start + lead;
            match self.directive(i, trimmed_start) {
                Ok(true) => {
                    self.trivia(TriviaKind::Directive, i);
                    i += 1;
                    continue;
                }
                Ok(false) => {}
                Err(reject) => {
                    self.error_item(l.start..l.end, None, reject);
                    i += 1;
                    continue;
                }
            }
            let trimmed = &self.src[trimmed_start..l.content_end];
            if trimmed.starts_with('#') {
                self.trivia(TriviaKind::Comment, i);
                i += 1;
                continue;
            }
            if trimmed.is_empty() {
                self.trivia(TriviaKind::Blank, i);
                i += 1;
                continue;
            }
            i = self.instruction(i, trimmed_start);
        }
    }

    /// Reads the instruction starting on line `first`; returns the next line index.
    fn instruction(&mut self, first: usize, trimmed_start: usize) -> usize {
        let escape = self.escape;
        let mut logical = String::new();
        let mut map = SourceMap {
            anchor: trimmed_start,
            ..SourceMap::default()
        };
        let mut inner_comments = Vec::new();
        let mut empty_continuation = false;
        let first_line = self.lines[first];
        let text = &self.src[trimmed_start..first_line.content_end];
        let mut more = match continuation(text, escape) {
            Some(keep) => {
                map.push(0, trimmed_start, keep);
                logical.push_str(&text[..keep]);
                true
            }
            None => {
                map.push(0, trimmed_start, text.len());
                logical.push_str(text);
                false
            }
        };
        let mut last = first;
        while more && last + 1 < self.lines.len() {
            last += 1;
            let l = self.lines[last];
            let content = self.content(last);
            if is_comment(content) {
                inner_comments.push(l.start..l.end);
                continue;
            }
            if content.trim_start_matches(is_go_space).is_empty() {
                empty_continuation = true;
                continue;
            }
            let keep = match continuation(content, escape) {
                Some(keep) => keep,
                None => {
                    more = false;
                    content.len()
                }
            };
            map.push(logical.len(), l.start, keep);
            logical.push_str(&content[..keep]);
        }
        let start_line = first + 1;
        let mut end_line = last + 1;
        let mut span = first_line.start..self.lines[last].end;

        let mut inst = match build(&logical, &map, escape, 0) {
            Ok(inst) => inst,
            Err(reject) => {
                let kw = logical
                    .split(super::words::is_re_ws)
                    .next()
                    .map(str::to_string);
                self.error_item(span, kw, reject);
                return last + 1;
            }
        };

        // Here-documents follow the instruction line.
        if can_contain_heredoc(&inst) && logical.contains("<<") {
            for marker in heredoc::markers(&logical) {
                let body_start = self.lines.get(last + 1).map_or(span.end, |l| l.start);
                let mut content = String::new();
                let mut terminated = None;
                while last + 1 < self.lines.len() {
                    last += 1;
                    let line_text = self.content(last);
                    let candidate = if marker.chomp {
                        line_text.trim_start_matches('\t')
                    } else {
                        line_text
                    };
                    if candidate == marker.name {
                        terminated = Some(last);
                        break;
                    }
                    // bufio.ScanLines drops one trailing \r before the \n.
                    let l = self.lines[last];
                    let raw = &self.src[l.start..l.end];
                    let raw = raw.strip_suffix('\n').unwrap_or(raw);
                    let raw = raw.strip_suffix('\r').unwrap_or(raw);
                    content.push_str(raw);
                    content.push('\n');
                }
                span.end = self.lines.get(last).map_or(span.end, |l| l.end);
                end_line = last + 1;
                let Some(t) = terminated else {
                    self.error_item(
                        span,
                        Some(self.src[inst.keyword_span.clone()].to_string()),
                        Reject {
                            message: format!(
                                "unterminated heredoc: no line `{}` ends the here-document",
                                marker.name
                            ),
                            at: map.range(&marker.range).start,
                        },
                    );
                    return last + 1;
                };
                let tl = self.lines[t];
                inst.heredocs.push(Heredoc {
                    name: marker.name.clone(),
                    expand: marker.expand,
                    chomp: marker.chomp,
                    fd: marker.fd,
                    marker_span: map.range(&marker.range),
                    body_span: body_start..tl.start,
                    terminator_span: tl.start..tl.end,
                    content,
                });
            }
        }

        inst.span = span.clone();
        inst.start_line = start_line;
        inst.end_line = end_line;
        if let Body::Onbuild { inner: Some(inner) } = &mut inst.body {
            inner.start_line = start_line;
            inner.end_line = end_line;
        }
        inst.inner_comments = inner_comments;
        if empty_continuation {
            self.diag(
                Severity::Warning,
                span.start..span.start,
                "empty continuation line: BuildKit ignores it, but it will become an error in a future release".into(),
            );
        }
        for (severity, at, message) in check(&inst, self.src) {
            self.diag(severity, at, message);
        }
        self.items.push(Item::Instruction(inst));
        last + 1
    }
}

/// How deep `ONBUILD ONBUILD …` is followed before the rest is kept as text.
const MAX_ONBUILD_DEPTH: usize = 8;

fn can_contain_heredoc(inst: &Instruction) -> bool {
    let target = match &inst.body {
        Body::Onbuild { inner: Some(inner) } => inner,
        _ => inst,
    };
    match (&target.keyword, &target.body) {
        (Keyword::Run, Body::Command { command }) => !matches!(command, Some(Command::Exec(_))),
        (Keyword::Copy | Keyword::Add, Body::Copy { json, .. }) => !json,
        _ => false,
    }
}

fn arg(p: &Piece, map: &SourceMap) -> Arg {
    Arg {
        value: p.value.clone(),
        span: map.range(&p.range),
    }
}

fn value(s: &str) -> RawNode {
    RawNode::Value(s.to_string())
}

/// BuildKit's `newNodeFromLine`: keyword, flags and typed arguments of a logical line.
fn build(
    logical: &str,
    map: &SourceMap,
    escape: char,
    depth: usize,
) -> Result<Instruction, Reject> {
    let trimmed = trim_space(logical, 0);
    let parts = split_re_ws(&logical[trimmed.clone()], trimmed.start, Some(2));
    let cmd = &parts[0];
    let mut flags = Vec::new();
    let mut args_range = trimmed.end..trimmed.end;
    if let Some(rest) = parts.get(1) {
        let (flag_pieces, at) = extract_flags(&rest.value, rest.range.start);
        for f in flag_pieces {
            let span = map.range(&f.range);
            let body = f.value.strip_prefix("--").unwrap_or(&f.value);
            let (name, value, value_span) = match body.split_once('=') {
                Some((n, v)) => {
                    let raw = &logical[f.range.clone()];
                    let value_span = raw
                        .find('=')
                        .map(|eq| map.range(&(f.range.start + eq + 1..f.range.end)));
                    (n.to_string(), Some(v.to_string()), value_span)
                }
                None => (body.to_string(), None, None),
            };
            flags.push(Flag {
                name,
                value,
                text: f.value.clone(),
                span,
                value_span,
            });
        }
        let after = rest.range.start + at;
        args_range = trim_space(&logical[after..rest.range.end], after);
    }
    let args = &logical[args_range.clone()];
    let base = args_range.start;
    let keyword = Keyword::parse(&cmd.value);
    let reject = |message: String, at: usize| Reject {
        message,
        at: map.pos(at),
    };

    let mut raw = Vec::new();
    let body = match &keyword {
        Keyword::Add | Keyword::Copy | Keyword::Volume => {
            let (pieces, json) = match parse_json(args, base) {
                JsonForm::Strings(p) => (p, true),
                JsonForm::NotStrings => return Err(reject(NOT_STRINGS.into(), base)),
                JsonForm::NotJson => (whitespace_delimited(args, base), false),
            };
            raw.extend(pieces.iter().map(|p| value(&p.value)));
            let list: Vec<Arg> = pieces.iter().map(|p| arg(p, map)).collect();
            if keyword == Keyword::Volume {
                Body::Words { words: list, json }
            } else {
                Body::Copy { paths: list, json }
            }
        }
        Keyword::Arg => {
            let words = parse_words(args, base, escape);
            raw.extend(words.iter().map(|w| value(&w.value)));
            let decls = words
                .iter()
                .map(|w| match w.value.find('=') {
                    Some(eq) => ArgDecl {
                        name: Arg {
                            value: w.value[..eq].to_string(),
                            span: map.range(&(w.range.start..w.range.start + eq)),
                        },
                        default: Some(Arg {
                            value: w.value[eq + 1..].to_string(),
                            span: map.range(&(w.range.start + eq + 1..w.range.end)),
                        }),
                    },
                    None => ArgDecl {
                        name: arg(w, map),
                        default: None,
                    },
                })
                .collect();
            Body::Arg { decls }
        }
        Keyword::Cmd | Keyword::Entrypoint | Keyword::Run | Keyword::Shell => {
            let command = maybe_json(args, base, map).map_err(|m| reject(m, base))?;
            push_command(&mut raw, command.as_ref());
            Body::Command { command }
        }
        Keyword::Env | Keyword::Label => {
            let words = parse_words(args, base, escape);
            let mut pairs = Vec::new();
            if let Some(first) = words.first() {
                if !first.value.contains('=') {
                    let p = split_re_ws(args, base, Some(2));
                    if p.len() < 2 {
                        return Err(reject(
                            format!(
                                "{} must have two arguments",
                                keyword.as_str().to_uppercase()
                            ),
                            base,
                        ));
                    }
                    raw.extend([value(&p[0].value), value(&p[1].value), value("")]);
                    pairs.push(KeyValue {
                        key: arg(&p[0], map),
                        value: arg(&p[1], map),
                        legacy: true,
                    });
                } else {
                    for w in &words {
                        let Some(eq) = w.value.find('=') else {
                            return Err(reject(
                                format!(
                                    "Syntax error - can't find = in {:?}. Must be of the form: name=value",
                                    w.value
                                ),
                                w.range.start,
                            ));
                        };
                        raw.extend([value(&w.value[..eq]), value(&w.value[eq + 1..]), value("=")]);
                        pairs.push(KeyValue {
                            key: Arg {
                                value: w.value[..eq].to_string(),
                                span: map.range(&(w.range.start..w.range.start + eq)),
                            },
                            value: Arg {
                                value: w.value[eq + 1..].to_string(),
                                span: map.range(&(w.range.start + eq + 1..w.range.end)),
                            },
                            legacy: false,
                        });
                    }
                }
            }
            Body::KeyValues { pairs }
        }
        Keyword::Expose | Keyword::From => {
            let words = whitespace_delimited(args, base);
            raw.extend(words.iter().map(|w| value(&w.value)));
            let words: Vec<Arg> = words.iter().map(|w| arg(w, map)).collect();
            if keyword == Keyword::Expose {
                Body::Words { words, json: false }
            } else {
                let alias = match words.as_slice() {
                    [_, as_kw, name] if as_kw.value.eq_ignore_ascii_case("as") => {
                        Some(name.clone())
                    }
                    _ => None,
                };
                Body::From {
                    image: words.first().cloned(),
                    alias,
                    words,
                }
            }
        }
        Keyword::Healthcheck => {
            let sep = args.find(is_go_space).unwrap_or(args.len());
            if sep == 0 {
                Body::Health {
                    health: Health::None { word: None },
                }
            } else {
                let typ = Piece {
                    value: args[..sep].to_string(),
                    range: base..base + sep,
                };
                let next =
                    sep + (args[sep..].len() - args[sep..].trim_start_matches(is_go_space).len());
                let command =
                    maybe_json(&args[next..], base + next, map).map_err(|m| reject(m, base))?;
                raw.push(value(&typ.value));
                push_command(&mut raw, command.as_ref());
                let word = arg(&typ, map);
                if typ.value.eq_ignore_ascii_case("none") {
                    Body::Health {
                        health: Health::None { word: Some(word) },
                    }
                } else {
                    Body::Health {
                        health: Health::Check { word, command },
                    }
                }
            }
        }
        Keyword::Maintainer | Keyword::Stopsignal | Keyword::User | Keyword::Workdir => {
            let text = (!args.is_empty()).then(|| Arg {
                value: args.to_string(),
                span: map.range(&args_range),
            });
            if let Some(t) = &text {
                raw.push(value(&t.value));
            }
            Body::Text { text }
        }
        Keyword::Onbuild => {
            if args.is_empty() || depth >= MAX_ONBUILD_DEPTH {
                // `ONBUILD ONBUILD …` is rejected later; stop before the stack does.
                if !args.is_empty() {
                    raw.push(value(args));
                }
                Body::Onbuild { inner: None }
            } else {
                let inner_map = map.shifted(base);
                let inner = build(args, &inner_map, escape, depth + 1)?;
                raw.push(RawNode::Child(Box::new(inner.clone())));
                Body::Onbuild {
                    inner: Some(Box::new(inner)),
                }
            }
        }
        Keyword::Unknown(_) => {
            raw.push(value(""));
            Body::Unknown
        }
    };

    let mut inst = Instruction {
        span: map.range(&(0..logical.len())),
        keyword,
        keyword_span: map.range(&cmd.range),
        flags,
        body,
        heredocs: Vec::new(),
        vars: Vec::new(),
        start_line: 0,
        end_line: 0,
        logical: logical.to_string(),
        inner_comments: Vec::new(),
        raw,
    };
    inst.vars = variable_refs(&inst, logical, map, escape);
    Ok(inst)
}

fn maybe_json(args: &str, base: usize, map: &SourceMap) -> Result<Option<Command>, String> {
    if args.is_empty() {
        return Ok(None);
    }
    Ok(Some(match parse_json(args, base) {
        JsonForm::Strings(p) => Command::Exec(p.iter().map(|p| arg(p, map)).collect()),
        JsonForm::NotStrings => return Err(NOT_STRINGS.into()),
        JsonForm::NotJson => Command::Shell(Arg {
            value: args.to_string(),
            span: map.range(&(base..base + args.len())),
        }),
    }))
}

fn push_command(raw: &mut Vec<RawNode>, command: Option<&Command>) {
    match command {
        Some(Command::Exec(a)) => raw.extend(a.iter().map(|a| value(&a.value))),
        Some(Command::Shell(a)) => raw.push(value(&a.value)),
        None => {}
    }
}

/// The `$VAR` references BuildKit expands in this instruction.
fn variable_refs(inst: &Instruction, logical: &str, map: &SourceMap, escape: char) -> Vec<VarRef> {
    // Work on logical ranges: find the logical range of each expanded piece.
    let mut pieces: Vec<Range<usize>> = Vec::new();
    let to_logical = |span: &Span| -> Option<Range<usize>> {
        let mut start = None;
        let mut end = None;
        for &(ls, ss, len) in &map.segments {
            if start.is_none() && span.start >= ss && span.start < ss + len {
                start = Some(ls + span.start - ss);
            }
            if span.end > ss && span.end <= ss + len {
                end = Some(ls + span.end - ss);
            }
        }
        Some(start?..end?)
    };
    let expanded_flags: &[&str] = match inst.keyword {
        Keyword::Copy | Keyword::Add => &["from", "chown", "chmod", "exclude", "checksum"],
        Keyword::From => &["platform"],
        Keyword::Run => &["mount"],
        _ => &[],
    };
    for f in &inst.flags {
        if expanded_flags
            .iter()
            .any(|n| f.name.eq_ignore_ascii_case(n))
            && let Some(vs) = &f.value_span
        {
            pieces.extend(to_logical(vs));
        }
    }
    if inst.keyword.expands_variables() {
        let mut push = |a: &Arg| pieces.extend(to_logical(&a.span));
        match &inst.body {
            Body::From { image, .. } => image.iter().for_each(&mut push),
            Body::Copy { paths, .. } => paths.iter().for_each(&mut push),
            Body::KeyValues { pairs } => {
                for p in pairs {
                    if inst.keyword == Keyword::Label {
                        push(&p.key);
                    }
                    push(&p.value);
                }
            }
            Body::Arg { decls } => decls
                .iter()
                .filter_map(|d| d.default.as_ref())
                .for_each(&mut push),
            Body::Words { words, .. } => words.iter().for_each(&mut push),
            Body::Text { text } => text.iter().for_each(&mut push),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for r in pieces {
        let Some(text) = logical.get(r.clone()) else {
            continue;
        };
        for mut v in find_refs(text, escape) {
            v.span = map.range(&(r.start + v.span.start..r.start + v.span.end));
            out.push(v);
        }
    }
    out.sort_by_key(|v| v.span.start);
    out
}

/// What `docker build` rejects although the parser accepts it.
fn check(inst: &Instruction, src: &str) -> Vec<(Severity, Span, String)> {
    let mut out = Vec::new();
    let kw = inst.keyword.to_string();
    let at = inst.keyword_span.clone();
    let mut invalid = |span: Span, msg: String| out.push((Severity::Invalid, span, msg));
    match &inst.body {
        Body::Unknown => invalid(
            at.clone(),
            format!("unknown instruction: {}", &src[at.clone()]),
        ),
        Body::From { words, alias, .. } => {
            if words.is_empty() {
                invalid(
                    at.clone(),
                    "FROM requires either one or three arguments".into(),
                );
            } else if words.len() != 1 && alias.is_none() {
                invalid(
                    words[0].span.start..words[words.len() - 1].span.end,
                    "FROM requires either one or three arguments".into(),
                );
            }
        }
        Body::Copy { paths, .. } if paths.len() < 2 => {
            invalid(
                at.clone(),
                format!(
                    "{kw} requires at least two arguments, but only one was provided. Destination could not be determined."
                ),
            );
        }
        Body::Command { command }
            if inst.keyword == Keyword::Shell && !matches!(command, Some(Command::Exec(_))) =>
        {
            invalid(
                at.clone(),
                "SHELL requires the arguments to be in JSON form".into(),
            );
        }
        Body::Command { command: None } if inst.keyword == Keyword::Run => {
            invalid(at.clone(), "RUN requires at least one argument".into());
        }
        Body::Health { health } => match health {
            Health::Check { word, command } => {
                if !word.value.eq_ignore_ascii_case("cmd") {
                    invalid(
                        word.span.clone(),
                        format!(
                            "Unknown type {:?} in HEALTHCHECK (try CMD)",
                            word.value.to_uppercase()
                        ),
                    );
                } else if command.is_none() {
                    invalid(
                        word.span.clone(),
                        "Missing command after HEALTHCHECK CMD".into(),
                    );
                }
            }
            Health::None { word: Some(w) } if inst.raw.len() > 1 => {
                invalid(w.span.clone(), "HEALTHCHECK NONE takes no arguments".into());
            }
            Health::None { .. } => {}
        },
        Body::Onbuild { inner } => match inner {
            None => invalid(at.clone(), "ONBUILD requires at least one argument".into()),
            Some(i)
                if matches!(
                    i.keyword,
                    Keyword::Onbuild | Keyword::From | Keyword::Maintainer
                ) =>
            {
                invalid(
                    i.keyword_span.clone(),
                    format!("{} isn't allowed as an ONBUILD trigger", i.keyword),
                )
            }
            Some(i) => {
                for (s, span, m) in check(i, src) {
                    out.push((s, span, m));
                }
            }
        },
        Body::Arg { decls } if decls.is_empty() => {
            invalid(at.clone(), "ARG requires at least one argument".into())
        }
        Body::KeyValues { pairs } if pairs.is_empty() => {
            invalid(at.clone(), format!("{kw} requires at least one argument"));
        }
        Body::Words { words, .. } if words.is_empty() => {
            invalid(at.clone(), format!("{kw} requires at least one argument"));
        }
        Body::Text { text: None } => {
            invalid(at.clone(), format!("{kw} requires exactly one argument"))
        }
        _ => {}
    }
    if inst.keyword == Keyword::Maintainer {
        out.push((
            Severity::Warning,
            at,
            "MAINTAINER is deprecated: use LABEL maintainer=…".into(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_follows_buildkit() {
        assert_eq!(continuation("echo \\", '\\'), Some(5));
        assert_eq!(continuation("echo \\  \t", '\\'), Some(5));
        assert_eq!(continuation("\\", '\\'), Some(0));
        assert_eq!(continuation("trailing\\\\", '\\'), None);
        assert_eq!(continuation("x`", '`'), Some(1));
        assert_eq!(continuation("x\\", '`'), None);
    }

    #[test]
    fn directive_lines() {
        assert_eq!(
            directive_of("# escape = `"),
            Some(("escape".into(), 11..12))
        );
        assert_eq!(
            directive_of("#syntax=docker/dockerfile:1 "),
            Some(("syntax".into(), 8..27))
        );
        assert_eq!(directive_of("# just a comment"), None);
        assert_eq!(directive_of("# a="), None);
    }
}
