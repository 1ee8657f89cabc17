//! Lowering of the tree-sitter-bash concrete syntax tree into the
//! [`Script`](super::Script) model.
//!
//! Every range taken from the tree goes through [`Lowerer::span`], which
//! clamps it to the input and snaps it to `char` boundaries, so the spans of
//! the result can always be used to slice the input.

use super::literal::literal;
use super::{
    AndOr, AndOrList, Assignment, Command, Compound, CompoundKind, Pipeline, Redirect, Script,
    SimpleCommand, Substitution, Word,
};
use std::ops::Range;
use tree_sitter::{Node, Parser, Tree};

/// Nesting depth (statements inside compounds or substitutions) beyond which
/// the lowering stops descending and reports the node as an error, so that
/// adversarial input cannot overflow the stack.
const MAX_DEPTH: usize = 100;

/// Parses `src` and lowers the tree. See [`super::parse`].
pub(super) fn parse(src: &str) -> Script {
    let whole_input_error = || Script {
        lists: Vec::new(),
        errors: if src.is_empty() {
            Vec::new()
        } else {
            std::iter::once(0..src.len()).collect()
        },
    };
    let Some(tree) = parse_tree(src) else {
        return whole_input_error();
    };
    // A heredoc whose body is not part of the input (BuildKit hands heredoc
    // bodies over separately) confuses the grammar. Terminate such heredocs
    // after the end of the input and keep that parse if it is better; every
    // span is clamped to `src`, so the synthetic text never shows.
    let tree = match unterminated_heredocs(&tree, src) {
        Some(delimiters) => {
            let mut text = String::with_capacity(src.len() + 16);
            text.push_str(src);
            for delimiter in delimiters {
                text.push('\n');
                text.push_str(&delimiter);
            }
            text.push('\n');
            match parse_tree(&text) {
                Some(fixed) if error_count(&fixed) < error_count(&tree) => fixed,
                _ => tree,
            }
        }
        None => tree,
    };
    let mut lowerer = Lowerer {
        src,
        errors: Vec::new(),
    };
    let lists = lowerer.sequence(tree.root_node(), 0, true);
    let mut errors = lowerer.errors;
    collect_errors(&tree, src, &mut errors);
    suspicious_heredoc_delimiters(&tree, src, &mut errors);
    errors.sort_by_key(|r| (r.start, r.end));
    errors.dedup();
    Script { lists, errors }
}

fn parse_tree(text: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_bash::LANGUAGE.into())
        .ok()?;
    parser.parse(scanner_safe(text).as_bytes(), None)
}

/// Works around a memory-safety bug in tree-sitter-bash 0.25.1: after a `{`
/// its external scanner calls C `isdigit` on the next code point (and again
/// after `{digits..`), which reads outside glibc's table for code points
/// above 255 and can crash the process (upstream issue #337).
///
/// Returns `text` with each non-ASCII character in those two positions
/// replaced by as many `:` bytes as it has UTF-8 bytes. Byte offsets are
/// unchanged, and the lowering reads all text from the original input, so
/// the only effect is on how the grammar sees such a character (as an
/// ordinary word character, which is what the shell does too).
fn scanner_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut fixed: Option<Vec<u8>> = None;
    let skip_digits = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    for (brace, _) in text.match_indices('{') {
        let mut i = skip_digits(brace + 1);
        if bytes.get(i..i + 2) == Some(b"..") {
            i = skip_digits(i + 2);
        }
        if bytes.get(i).is_some_and(|b| !b.is_ascii()) {
            let len = text
                .get(i..)
                .and_then(|t| t.chars().next())
                .map_or(1, char::len_utf8);
            let buf = fixed.get_or_insert_with(|| bytes.to_vec());
            if let Some(char_bytes) = buf.get_mut(i..i + len) {
                char_bytes.fill(b':');
            }
        }
    }
    match fixed.map(String::from_utf8) {
        Some(Ok(s)) => std::borrow::Cow::Owned(s),
        // Replacing whole characters by ASCII keeps the text valid UTF-8;
        // should that ever fail, parse the original rather than panic.
        Some(Err(_)) | None => std::borrow::Cow::Borrowed(text),
    }
}

/// The unquoted delimiters of heredocs that have no terminating line, in
/// order, or `None` if every heredoc is terminated.
fn unterminated_heredocs(tree: &Tree, src: &str) -> Option<Vec<String>> {
    if !tree.root_node().has_error() {
        return None;
    }
    let mut starts = Vec::new();
    let mut ends = 0usize;
    walk(tree, |node| {
        match node.kind() {
            "heredoc_start" => starts.push(node.byte_range()),
            "heredoc_end" => ends += 1,
            _ => {}
        }
        true
    });
    if starts.len() <= ends {
        return None;
    }
    // Bodies are read in order, so the unterminated ones are the last.
    let delimiters = starts[ends..]
        .iter()
        .filter_map(|r| src.get(r.clone()))
        .map(|raw| literal(raw).unwrap_or_else(|| raw.to_string()))
        .collect();
    Some(delimiters)
}

/// Number of ERROR and MISSING nodes, the measure of how well a text parsed.
fn error_count(tree: &Tree) -> usize {
    let mut count = 0;
    walk(tree, |node| {
        if node.is_error() || node.is_missing() {
            count += 1;
            return false;
        }
        true
    });
    count
}

/// Appends the ranges of ERROR nodes (outermost only) and the positions of
/// MISSING nodes, clamped to `src`.
fn collect_errors(tree: &Tree, src: &str, errors: &mut Vec<Range<usize>>) {
    if !tree.root_node().has_error() {
        return;
    }
    walk(tree, |node| {
        if node.is_error() || node.is_missing() {
            errors.push(clip(src, node.byte_range()));
            return false;
        }
        true
    });
}

/// Reports heredoc delimiters that swallowed an operator.
///
/// tree-sitter-bash reads the delimiter up to the next blank, so in
/// `cat <<EOF; echo hi` the delimiter becomes `EOF;` and `echo hi` turns into
/// arguments of `cat`. The structure is then wrong, so say so.
fn suspicious_heredoc_delimiters(tree: &Tree, src: &str, errors: &mut Vec<Range<usize>>) {
    walk(tree, |node| {
        if node.kind() == "heredoc_start" {
            let span = clip(src, node.byte_range());
            let raw = src.get(span.clone()).unwrap_or("");
            if has_unquoted_operator(raw) {
                errors.push(span);
            }
            return false;
        }
        true
    });
}

/// Whether `raw` contains one of `;&|()<>` outside quotes and not escaped.
fn has_unquoted_operator(raw: &str) -> bool {
    let mut quote = None;
    let mut escaped = false;
    for c in raw.chars() {
        match (quote, c) {
            (_, _) if escaped => escaped = false,
            (None, '\\') | (Some('"'), '\\') => escaped = true,
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, ';' | '&' | '|' | '(' | ')' | '<' | '>') => return true,
            _ => {}
        }
    }
    false
}

/// Pre-order traversal without recursion; `visit` returns whether to descend
/// into the node's children.
fn walk(tree: &Tree, mut visit: impl FnMut(Node) -> bool) {
    let mut cursor = tree.walk();
    loop {
        if visit(cursor.node()) && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// Clamps `range` to `src` and widens it to `char` boundaries.
fn clip(src: &str, range: Range<usize>) -> Range<usize> {
    let mut end = range.end.min(src.len());
    let mut start = range.start.min(end);
    while !src.is_char_boundary(start) {
        start -= 1;
    }
    while !src.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// Node kinds that are statements (things that can appear in a list).
fn is_statement(kind: &str) -> bool {
    matches!(
        kind,
        "redirected_statement"
            | "variable_assignment"
            | "variable_assignments"
            | "command"
            | "declaration_command"
            | "unset_command"
            | "test_command"
            | "negated_command"
            | "for_statement"
            | "c_style_for_statement"
            | "while_statement"
            | "if_statement"
            | "case_statement"
            | "pipeline"
            | "list"
            | "compound_statement"
            | "function_definition"
            | "subshell"
    )
}

fn is_redirect(kind: &str) -> bool {
    matches!(
        kind,
        "file_redirect" | "herestring_redirect" | "heredoc_redirect"
    )
}

/// Node kinds inside `[ .. ]` / `[[ .. ]]` whose operands are split into
/// separate words.
fn is_test_expression(kind: &str) -> bool {
    matches!(
        kind,
        "unary_expression"
            | "binary_expression"
            | "ternary_expression"
            | "postfix_expression"
            | "parenthesized_expression"
    )
}

fn children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

/// The flattened form of a statement: commands and the operators between
/// them, grouped into pipelines and and-or lists by [`build_list`].
enum Item {
    Cmd(Command),
    Pipe,
    Op(AndOr),
    /// A `!` starting at the given offset.
    Bang(usize),
}

struct Lowerer<'s> {
    src: &'s str,
    /// Errors found during lowering (nesting too deep); the parser's own
    /// errors are collected separately.
    errors: Vec<Range<usize>>,
}

impl<'s> Lowerer<'s> {
    fn span(&self, node: Node) -> Range<usize> {
        clip(self.src, node.byte_range())
    }

    fn text(&self, node: Node) -> &'s str {
        let span = self.span(node);
        self.src.get(span).unwrap_or("")
    }

    /// Whether `node` lies entirely past the end of the real input (in the
    /// synthetic heredoc terminators).
    fn synthetic(&self, node: Node) -> bool {
        node.start_byte() >= self.src.len() && node.end_byte() > self.src.len()
    }

    /// Guards recursion; reports `node` as an error when too deep.
    fn too_deep(&mut self, node: Node, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            let span = self.span(node);
            self.errors.push(span);
            return true;
        }
        false
    }

    /// Lowers the statements directly under `node` (a program, substitution
    /// or ERROR node) into and-or lists. `top` enables `&` detection, which is
    /// not trusted inside ERROR nodes.
    fn sequence(&mut self, node: Node, depth: usize, top: bool) -> Vec<AndOrList> {
        let mut lists = Vec::new();
        if self.too_deep(node, depth) {
            return lists;
        }
        for child in children(node) {
            let kind = child.kind();
            if is_statement(kind) {
                let mut items = Vec::new();
                self.flatten(child, depth + 1, &mut items);
                lists.extend(build_list(items));
            } else if is_redirect(kind) && !self.synthetic(child) {
                // `$(< file)`, or a redirection stranded by an error.
                let redirect = self.redirect(child, depth + 1);
                lists.extend(build_list(vec![Item::Cmd(Command::Simple(self.simple(
                    Vec::new(),
                    Vec::new(),
                    redirect,
                )))]));
            } else if child.is_error() {
                lists.extend(self.sequence(child, depth + 1, false));
            } else if top && kind == "&" && !child.is_missing() {
                if let Some(last) = lists.last_mut() {
                    last.background = true;
                }
            }
        }
        lists
    }

    /// Flattens a statement into `items`.
    fn flatten(&mut self, node: Node, depth: usize, items: &mut Vec<Item>) {
        if self.too_deep(node, depth) {
            return;
        }
        match node.kind() {
            "list" | "pipeline" => {
                // Long `a && b && c ..` chains nest to the left; walk them
                // with an explicit stack instead of recursing per link.
                let mut stack = children(node);
                stack.reverse();
                while let Some(child) = stack.pop() {
                    match child.kind() {
                        "list" | "pipeline" => {
                            let mut nested = children(child);
                            nested.reverse();
                            stack.extend(nested);
                        }
                        "&&" => items.push(Item::Op(AndOr::And)),
                        "||" => items.push(Item::Op(AndOr::Or)),
                        "|" | "|&" => items.push(Item::Pipe),
                        k if is_statement(k) => self.flatten(child, depth + 1, items),
                        _ => {}
                    }
                }
            }
            "negated_command" => {
                items.push(Item::Bang(self.span(node).start));
                for child in children(node) {
                    if is_statement(child.kind()) {
                        self.flatten(child, depth + 1, items);
                    }
                }
            }
            "redirected_statement" => self.redirected(node, depth, items),
            "command" => {
                let c = self.command(node, depth);
                items.push(Item::Cmd(Command::Simple(c)));
            }
            "declaration_command" | "unset_command" => {
                let words = children(node)
                    .into_iter()
                    .filter(|c| !c.is_extra() && !c.is_error() && !c.is_missing())
                    .map(|c| self.word(c, depth))
                    .collect();
                items.push(Item::Cmd(Command::Simple(self.simple(
                    Vec::new(),
                    words,
                    Vec::new(),
                ))));
            }
            "test_command" => {
                let mut words = Vec::new();
                let mut redirects = Vec::new();
                self.test_words(node, depth, &mut words, &mut redirects);
                items.push(Item::Cmd(Command::Simple(self.simple(
                    Vec::new(),
                    words,
                    redirects,
                ))));
            }
            "variable_assignment" => {
                let a = self.assignment(node, depth);
                items.push(Item::Cmd(Command::Simple(self.simple(
                    vec![a],
                    Vec::new(),
                    Vec::new(),
                ))));
            }
            "variable_assignments" => {
                let assignments = children(node)
                    .into_iter()
                    .filter(|c| c.kind() == "variable_assignment")
                    .map(|c| self.assignment(c, depth))
                    .collect();
                items.push(Item::Cmd(Command::Simple(self.simple(
                    assignments,
                    Vec::new(),
                    Vec::new(),
                ))));
            }
            "for_statement"
            | "c_style_for_statement"
            | "while_statement"
            | "if_statement"
            | "case_statement"
            | "compound_statement"
            | "function_definition"
            | "subshell" => {
                let c = self.compound(node, depth);
                items.push(Item::Cmd(Command::Compound(c)));
            }
            _ => {}
        }
    }

    /// A `redirected_statement`: a body plus redirections, which attach to
    /// the body's last command. Heredoc redirections may carry the rest of
    /// the line (`cat <<EOF | sh`, `cat <<EOF && x`, `cat <<EOF > f`).
    fn redirected(&mut self, node: Node, depth: usize, items: &mut Vec<Item>) {
        let mut redirects = Vec::new();
        let mut words = Vec::new();
        let mut tail = Vec::new();
        for (i, child) in children(node).into_iter().enumerate() {
            let field = u32::try_from(i)
                .ok()
                .and_then(|i| node.field_name_for_child(i));
            if field == Some("body") {
                self.flatten(child, depth + 1, items);
            } else if child.kind() == "heredoc_redirect" {
                self.heredoc(child, depth, &mut redirects, &mut words, &mut tail);
            } else if is_redirect(child.kind()) {
                redirects.extend(self.redirect_with_extra_words(child, depth, &mut words));
            }
        }
        let target = items.iter_mut().rev().find_map(|item| match item {
            Item::Cmd(c) => Some(c),
            _ => None,
        });
        match target {
            Some(Command::Simple(c)) => {
                c.words.extend(words);
                c.words.sort_by_key(|w| w.span.start);
                c.redirects.extend(redirects);
                c.redirects.sort_by_key(|r| r.span.start);
                c.span =
                    command_span(&c.assignments, &c.words, &c.redirects).unwrap_or(c.span.clone());
            }
            Some(Command::Compound(c)) => {
                let end = redirects.iter().map(|r| r.span.end).max();
                c.redirects.extend(redirects);
                c.redirects.sort_by_key(|r| r.span.start);
                if let Some(end) = end {
                    c.span.end = c.span.end.max(end);
                }
            }
            None => {
                if !redirects.is_empty() || !words.is_empty() {
                    let c = self.simple(Vec::new(), words, redirects);
                    items.push(Item::Cmd(Command::Simple(c)));
                }
            }
        }
        items.extend(tail);
    }

    /// Lowers a `heredoc_redirect` node: the `<<EOF` redirection itself, the
    /// redirections and arguments that follow it on the same line, and any
    /// pipeline or `&&`/`||` continuation (pushed onto `tail`).
    fn heredoc(
        &mut self,
        node: Node,
        depth: usize,
        redirects: &mut Vec<Redirect>,
        words: &mut Vec<Word>,
        tail: &mut Vec<Item>,
    ) {
        let mut fd = None;
        let mut op = String::new();
        let mut start = None;
        let mut target = None;
        let mut body = None;
        for (i, child) in children(node).into_iter().enumerate() {
            let field = u32::try_from(i)
                .ok()
                .and_then(|i| node.field_name_for_child(i));
            match child.kind() {
                "file_descriptor" => {
                    fd = self.text(child).parse().ok();
                    start.get_or_insert(self.span(child).start);
                }
                "<<" | "<<-" if op.is_empty() => {
                    op = child.kind().to_string();
                    start.get_or_insert(self.span(child).start);
                }
                "heredoc_start" => target = Some(self.word(child, depth)),
                "heredoc_body" if child.start_byte() < self.src.len() => {
                    body = Some(self.span(child));
                }
                "pipeline" => {
                    // `| cmd`, aliased as a pipeline holding the rest.
                    for part in children(child) {
                        match part.kind() {
                            "|" | "|&" => tail.push(Item::Pipe),
                            k if is_statement(k) => self.flatten(part, depth + 1, tail),
                            _ => {}
                        }
                    }
                }
                "&&" => tail.push(Item::Op(AndOr::And)),
                "||" => tail.push(Item::Op(AndOr::Or)),
                k if field == Some("right") && is_statement(k) => {
                    self.flatten(child, depth + 1, tail);
                }
                k if is_redirect(k) && !self.synthetic(child) => {
                    redirects.extend(self.redirect_with_extra_words(child, depth, words));
                }
                _ if field == Some("argument") => words.push(self.word(child, depth)),
                _ => {}
            }
        }
        if op.is_empty() {
            return;
        }
        let start = start.unwrap_or(0);
        let end = target.as_ref().map_or(start + op.len(), |t| t.span.end);
        redirects.push(Redirect {
            span: clip(self.src, start..end),
            fd,
            op,
            target,
            heredoc_body: body,
        });
    }

    /// Lowers a redirection; extra destination words (`> f g` is parsed
    /// with `g` as a second destination) are arguments of the command and go
    /// to `words`.
    fn redirect_with_extra_words(
        &mut self,
        node: Node,
        depth: usize,
        words: &mut Vec<Word>,
    ) -> Option<Redirect> {
        if node.kind() == "heredoc_redirect" {
            let mut redirects = Vec::new();
            let mut tail = Vec::new();
            self.heredoc(node, depth, &mut redirects, words, &mut tail);
            return redirects.pop();
        }
        let mut fd = None;
        let mut op = None;
        let mut targets = Vec::new();
        for child in children(node) {
            if child.kind() == "file_descriptor" {
                fd = self.text(child).parse().ok();
            } else if !child.is_named() {
                if op.is_none() && !child.is_missing() {
                    op = Some(child.kind().to_string());
                }
            } else if !child.is_extra() && !child.is_error() && !child.is_missing() {
                targets.push(self.word(child, depth));
            }
        }
        let op = op?;
        let mut targets = targets.into_iter();
        let target = targets.next();
        words.extend(targets);
        let node_span = self.span(node);
        let end = target.as_ref().map_or(node_span.end, |t| t.span.end);
        Some(Redirect {
            span: node_span.start..end.max(node_span.start),
            fd,
            op,
            target,
            heredoc_body: None,
        })
    }

    fn redirect(&mut self, node: Node, depth: usize) -> Vec<Redirect> {
        let mut words = Vec::new();
        self.redirect_with_extra_words(node, depth, &mut words)
            .into_iter()
            .collect()
    }

    /// A `command` node: assignments, name, arguments, redirections.
    fn command(&mut self, node: Node, depth: usize) -> SimpleCommand {
        let mut assignments = Vec::new();
        let mut words = Vec::new();
        let mut redirects = Vec::new();
        for child in children(node) {
            let kind = child.kind();
            if child.is_extra() || child.is_error() || child.is_missing() {
                continue;
            }
            if kind == "variable_assignment" && words.is_empty() {
                assignments.push(self.assignment(child, depth));
            } else if is_redirect(kind) {
                let r = self.redirect_with_extra_words(child, depth, &mut words);
                redirects.extend(r);
            } else {
                // command_name, arguments, `$`, `=~`, `==`.
                words.push(self.word(child, depth));
            }
        }
        words.sort_by_key(|w| w.span.start);
        self.simple(assignments, words, redirects)
    }

    /// Splits `[ .. ]` / `[[ .. ]]` into the words the builtin receives.
    fn test_words(
        &mut self,
        node: Node,
        depth: usize,
        words: &mut Vec<Word>,
        redirects: &mut Vec<Redirect>,
    ) {
        if self.too_deep(node, depth) {
            return;
        }
        for child in children(node) {
            let kind = child.kind();
            if child.is_extra() || child.is_error() || child.is_missing() {
                continue;
            }
            if is_test_expression(kind) || kind == "redirected_statement" {
                self.test_words(child, depth + 1, words, redirects);
            } else if is_redirect(kind) {
                let r = self.redirect_with_extra_words(child, depth, words);
                redirects.extend(r);
            } else {
                words.push(self.word(child, depth));
            }
        }
    }

    fn assignment(&mut self, node: Node, depth: usize) -> Assignment {
        let mut name = String::new();
        let mut append = false;
        let mut value = None;
        for (i, child) in children(node).into_iter().enumerate() {
            let field = u32::try_from(i)
                .ok()
                .and_then(|i| node.field_name_for_child(i));
            match (field, child.kind()) {
                (Some("name"), _) => name = self.text(child).to_string(),
                (_, "+=") => append = true,
                (Some("value"), kind) => {
                    let mut w = self.word(child, depth);
                    if kind == "array" {
                        w.literal = None;
                    }
                    if !w.span.is_empty() {
                        value = Some(w);
                    }
                }
                _ => {}
            }
        }
        Assignment {
            span: self.span(node),
            name,
            append,
            value,
        }
    }

    /// Any node taken as one word.
    fn word(&mut self, node: Node, depth: usize) -> Word {
        let span = self.span(node);
        let raw = self.src.get(span.clone()).unwrap_or("").to_string();
        let literal = literal(&raw);
        let mut substitutions = Vec::new();
        self.substitutions(node, depth, &mut substitutions);
        Word {
            span,
            raw,
            literal,
            substitutions,
        }
    }

    /// Finds the outermost command/process substitutions under `node`.
    fn substitutions(&mut self, node: Node, depth: usize, out: &mut Vec<Substitution>) {
        if self.too_deep(node, depth) {
            return;
        }
        if matches!(node.kind(), "command_substitution" | "process_substitution") {
            let lists = self.sequence(node, depth + 1, true);
            out.push(Substitution {
                span: self.span(node),
                lists,
            });
            return;
        }
        for child in children(node) {
            if child.child_count() > 0 {
                self.substitutions(child, depth + 1, out);
            }
        }
    }

    fn compound(&mut self, node: Node, depth: usize) -> Compound {
        let kind = match node.kind() {
            "subshell" => CompoundKind::Subshell,
            "if_statement" => CompoundKind::If,
            "case_statement" => CompoundKind::Case,
            "function_definition" => CompoundKind::Function,
            "c_style_for_statement" => CompoundKind::For,
            "for_statement" => match node.child(0).map(|c| c.kind()) {
                Some("select") => CompoundKind::Other,
                _ => CompoundKind::For,
            },
            "while_statement" => match node.child(0).map(|c| c.kind()) {
                Some("until") => CompoundKind::Until,
                _ => CompoundKind::While,
            },
            "compound_statement" => match node.child(0).map(|c| c.kind()) {
                Some("{") => CompoundKind::Group,
                _ => CompoundKind::Other,
            },
            _ => CompoundKind::Other,
        };
        let mut compound = Compound {
            span: self.span(node),
            kind,
            inner: Vec::new(),
            words: Vec::new(),
            redirects: Vec::new(),
        };
        if !self.too_deep(node, depth) {
            self.compound_body(node, depth + 1, &mut compound);
        }
        compound.redirects.sort_by_key(|r| r.span.start);
        compound
    }

    /// Collects the nested simple commands, header words and redirections of
    /// a compound command, descending through clause nodes.
    fn compound_body(&mut self, node: Node, depth: usize, out: &mut Compound) {
        if self.too_deep(node, depth) {
            return;
        }
        for (i, child) in children(node).into_iter().enumerate() {
            let field = u32::try_from(i)
                .ok()
                .and_then(|i| node.field_name_for_child(i));
            let kind = child.kind();
            if node.kind() == "c_style_for_statement" && field != Some("body") {
                // `for ((i=0; ..; i++))`: arithmetic, not commands.
                continue;
            }
            if is_statement(kind) {
                let mut items = Vec::new();
                self.flatten(child, depth + 1, &mut items);
                for item in items {
                    match item {
                        Item::Cmd(Command::Simple(c)) => out.inner.push(c),
                        Item::Cmd(Command::Compound(c)) => out.inner.extend(c.inner),
                        _ => {}
                    }
                }
            } else if matches!(
                kind,
                "do_group" | "elif_clause" | "else_clause" | "case_item" | "ERROR"
            ) {
                self.compound_body(child, depth + 1, out);
            } else if is_redirect(kind) && field == Some("redirect") {
                out.redirects.extend(self.redirect(child, depth));
            } else if child.is_named()
                && !child.is_extra()
                && !child.is_missing()
                && matches!(field, Some("variable" | "value" | "name"))
            {
                let w = self.word(child, depth);
                out.words.push(w);
            }
        }
    }

    /// Builds a simple command, computing its span from its parts.
    fn simple(
        &self,
        assignments: Vec<Assignment>,
        words: Vec<Word>,
        redirects: Vec<Redirect>,
    ) -> SimpleCommand {
        let span = command_span(&assignments, &words, &redirects).unwrap_or(0..0);
        SimpleCommand {
            span,
            assignments,
            words,
            redirects,
        }
    }
}

/// From the first part of a simple command to the last one.
fn command_span(
    assignments: &[Assignment],
    words: &[Word],
    redirects: &[Redirect],
) -> Option<Range<usize>> {
    let spans = assignments
        .iter()
        .map(|a| &a.span)
        .chain(words.iter().map(|w| &w.span))
        .chain(redirects.iter().map(|r| &r.span));
    let start = spans.clone().map(|s| s.start).min()?;
    let end = spans.map(|s| s.end).max()?;
    Some(start..end)
}

/// Groups flattened items into and-or lists (normally one; more only if
/// the tree was odd enough to leave an operator without a pipeline).
fn build_list(items: Vec<Item>) -> Option<AndOrList> {
    let mut pipelines: Vec<(Option<AndOr>, Pipeline)> = Vec::new();
    let mut pending_op = None;
    let mut negated_at: Option<usize> = None;
    let mut commands: Vec<Command> = Vec::new();
    for item in items {
        match item {
            Item::Cmd(c) => commands.push(c),
            Item::Pipe => {}
            Item::Bang(at) => {
                if commands.is_empty() && negated_at.is_none() {
                    negated_at = Some(at);
                }
            }
            Item::Op(op) => {
                let had_commands = !commands.is_empty();
                finish_pipeline(
                    pending_op,
                    negated_at.take(),
                    std::mem::take(&mut commands),
                    &mut pipelines,
                );
                if had_commands || pending_op.is_none() {
                    pending_op = Some(op);
                }
            }
        }
    }
    finish_pipeline(pending_op, negated_at, commands, &mut pipelines);

    let mut iter = pipelines.into_iter();
    let (_, first) = iter.next()?;
    let rest: Vec<(AndOr, Pipeline)> = iter.map(|(op, p)| (op.unwrap_or(AndOr::And), p)).collect();
    let end = rest.last().map_or(first.span.end, |(_, p)| p.span.end);
    Some(AndOrList {
        span: first.span.start..end.max(first.span.start),
        first,
        rest,
        background: false,
    })
}

/// Appends a pipeline made of `commands` (if any) to `pipelines`.
fn finish_pipeline(
    op: Option<AndOr>,
    negated_at: Option<usize>,
    commands: Vec<Command>,
    pipelines: &mut Vec<(Option<AndOr>, Pipeline)>,
) {
    let (Some(first), Some(last)) = (commands.first(), commands.last()) else {
        return;
    };
    let start = negated_at.unwrap_or(first.span().start);
    let span = start..last.span().end.max(start);
    pipelines.push((
        op,
        Pipeline {
            span,
            negated: negated_at.is_some(),
            commands,
        },
    ));
}
