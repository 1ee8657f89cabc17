//! A small lexer for the sources `spawn` reads: identifiers, punctuation and
//! string literals with their line, comments dropped. Enough to find calls
//! and read a literal argument; not a parser. A string whose value is built
//! at run time (a JavaScript template with `${…}`, a Python f-string with a
//! field, a Kotlin template) is a string with no value.

/// The source languages read, each with its comment and string syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    /// JavaScript and TypeScript: `//`, `/* */`, '…', "…", `…` templates, regular expressions.
    Js,
    /// Python: `#`, '…', "…", triple quotes, string prefixes (f, r, b …).
    Python,
    /// Go: `//`, `/* */`, "…", `raw`, 'r'.
    Go,
    /// Java: `//`, `/* */`, "…", """text blocks""", 'c'.
    Java,
    /// Kotlin: as Java, and `$name` / `${…}` templates in strings.
    Kotlin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// An identifier, keyword or number.
    Id(String),
    /// A string literal: its value, or `None` when it is built at run time.
    Str(Option<String>),
    /// Any other character.
    P(char),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub tok: Tok,
    /// 1-based line where the token starts.
    pub line: usize,
}

impl Token {
    pub(crate) fn is_p(&self, c: char) -> bool {
        self.tok == Tok::P(c)
    }
    pub(crate) fn id(&self) -> Option<&str> {
        match &self.tok {
            Tok::Id(s) => Some(s),
            _ => None,
        }
    }
    pub(crate) fn is_id(&self, s: &str) -> bool {
        self.id() == Some(s)
    }
    pub(crate) fn str(&self) -> Option<&str> {
        match &self.tok {
            Tok::Str(Some(s)) => Some(s),
            _ => None,
        }
    }
}

struct Lexer<'a> {
    s: &'a [char],
    i: usize,
    line: usize,
    out: Vec<Token>,
    lang: Lang,
    /// Template literals open inside one another's `${…}` (bounded: a
    /// template and its expression call each other, and the stack must
    /// not run out on a crafted file).
    nest: usize,
}

/// Templates nested deeper than this are read as plain characters of the
/// expression that holds them (their text is dropped either way).
const MAX_NEST: usize = 64;

/// The tokens of `src`; never panics, whatever the input.
pub(crate) fn lex(src: &str, lang: Lang) -> Vec<Token> {
    let chars: Vec<char> = src.chars().collect();
    let mut l = Lexer {
        s: &chars,
        i: 0,
        line: 1,
        out: Vec::new(),
        lang,
        nest: 0,
    };
    // A `#!` line is not code.
    if chars.starts_with(&['#', '!']) {
        l.skip_line();
    }
    l.run();
    l.out
}

impl Lexer<'_> {
    fn peek(&self, k: usize) -> Option<char> {
        self.s.get(self.i + k).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.s.get(self.i).copied()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.peek(0) {
            if c == '\n' {
                break;
            }
            self.i += 1;
        }
    }

    fn skip_block_comment(&mut self) {
        self.i += 2;
        while self.peek(0).is_some() {
            if self.peek(0) == Some('*') && self.peek(1) == Some('/') {
                self.i += 2;
                return;
            }
            self.bump();
        }
    }

    fn push(&mut self, tok: Tok, line: usize) {
        self.out.push(Token { tok, line });
    }

    fn run(&mut self) {
        while let Some(c) = self.peek(0) {
            let line = self.line;
            let slash_comments = self.lang != Lang::Python;
            if c.is_whitespace() {
                self.bump();
            } else if slash_comments && c == '/' && self.peek(1) == Some('/') {
                self.skip_line();
            } else if slash_comments && c == '/' && self.peek(1) == Some('*') {
                self.skip_block_comment();
            } else if self.lang == Lang::Python && c == '#' {
                self.skip_line();
            } else if c.is_alphanumeric() || c == '_' || c == '$' {
                let start = self.i;
                while self
                    .peek(0)
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
                {
                    self.i += 1;
                }
                let word: String = self.s[start..self.i].iter().collect();
                // Python's string prefixes: f"…", rb'…'.
                if self.lang == Lang::Python
                    && word.len() <= 2
                    && word.chars().all(|c| "rRbBuUfF".contains(c))
                    && matches!(self.peek(0), Some('\'' | '"'))
                {
                    let lower = word.to_ascii_lowercase();
                    let v = self.python_string(lower.contains('r'), lower.contains('f'));
                    self.push(Tok::Str(v), line);
                } else {
                    self.push(Tok::Id(word), line);
                }
            } else if c == '"' || c == '\'' {
                let v = match self.lang {
                    Lang::Python => self.python_string(false, false),
                    Lang::Java | Lang::Kotlin if c == '"' && self.triple('"') => {
                        self.i += 3;
                        self.until_triple('"')
                    }
                    _ => self.quoted(c),
                };
                self.push(Tok::Str(v), line);
            } else if c == '`' && self.lang == Lang::Js {
                let v = self.template();
                self.push(Tok::Str(v), line);
            } else if c == '`' && self.lang == Lang::Go {
                self.bump();
                let mut v = String::new();
                while let Some(c) = self.bump() {
                    if c == '`' {
                        break;
                    }
                    v.push(c);
                }
                self.push(Tok::Str(Some(v)), line);
            } else if c == '/' && self.lang == Lang::Js && self.regex_may_start() {
                self.regex();
            } else {
                self.bump();
                self.push(Tok::P(c), line);
            }
        }
    }

    fn triple(&self, q: char) -> bool {
        self.peek(0) == Some(q) && self.peek(1) == Some(q) && self.peek(2) == Some(q)
    }

    /// After the opening triple quote: up to the closing one.
    fn until_triple(&mut self, q: char) -> Option<String> {
        let mut v = String::new();
        while self.peek(0).is_some() {
            if self.triple(q) {
                self.i += 3;
                break;
            }
            if self.peek(0) == Some('\\') {
                self.bump();
            }
            if let Some(c) = self.bump() {
                v.push(c);
            }
        }
        self.templated(v)
    }

    /// Kotlin's `$name` and `${…}` make a string built at run time.
    fn templated(&self, v: String) -> Option<String> {
        let chars: Vec<char> = v.chars().collect();
        let dynamic = self.lang == Lang::Kotlin
            && chars
                .windows(2)
                .any(|w| w[0] == '$' && (w[1] == '{' || w[1].is_alphabetic() || w[1] == '_'));
        (!dynamic).then_some(v)
    }

    /// A '…' or "…" literal on one line (an escape keeps the next character).
    fn quoted(&mut self, q: char) -> Option<String> {
        self.bump();
        let mut v = String::new();
        while let Some(c) = self.peek(0) {
            if c == '\n' {
                break;
            }
            self.bump();
            if c == q {
                break;
            }
            if c == '\\' {
                if let Some(n) = self.bump() {
                    v.push(match n {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                }
                continue;
            }
            v.push(c);
        }
        self.templated(v)
    }

    fn python_string(&mut self, raw: bool, f: bool) -> Option<String> {
        let q = self.peek(0).unwrap_or('"');
        let v = if self.triple(q) {
            self.i += 3;
            let mut v = String::new();
            while self.peek(0).is_some() {
                if self.triple(q) {
                    self.i += 3;
                    break;
                }
                if self.peek(0) == Some('\\') {
                    self.bump();
                    if raw {
                        v.push('\\');
                    }
                }
                if let Some(c) = self.bump() {
                    v.push(c);
                }
            }
            v
        } else if raw {
            self.bump();
            let mut v = String::new();
            while let Some(c) = self.peek(0) {
                if c == '\n' {
                    break;
                }
                self.bump();
                if c == q {
                    break;
                }
                v.push(c);
                if c == '\\'
                    && let Some(n) = self.bump()
                {
                    v.push(n);
                }
            }
            v
        } else {
            self.quoted(q).unwrap_or_default()
        };
        // An f-string with a replacement field is built at run time.
        let field = f && v.replace("{{", "").contains('{');
        (!field).then_some(v)
    }

    /// A JavaScript template literal: its value when it has no `${…}`.
    fn template(&mut self) -> Option<String> {
        self.nest += 1;
        let v = self.template_body();
        self.nest -= 1;
        v
    }

    fn template_body(&mut self) -> Option<String> {
        self.bump();
        let mut v = String::new();
        let mut dynamic = false;
        while let Some(c) = self.bump() {
            match c {
                '`' => break,
                '\\' => {
                    if let Some(n) = self.bump() {
                        v.push(n);
                    }
                }
                '$' if self.peek(0) == Some('{') => {
                    dynamic = true;
                    self.bump();
                    self.skip_expression();
                }
                _ => v.push(c),
            }
        }
        (!dynamic).then_some(v)
    }

    /// Inside `${…}`: up to the matching `}`, over nested strings and templates.
    fn skip_expression(&mut self) {
        let mut depth = 1;
        while let Some(c) = self.peek(0) {
            match c {
                '{' => {
                    depth += 1;
                    self.bump();
                }
                '}' => {
                    self.bump();
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                '\'' | '"' => {
                    self.quoted(c);
                }
                '`' if self.nest < MAX_NEST => {
                    self.template();
                }
                _ => {
                    self.bump();
                }
            }
        }
    }

    /// A `/` starts a regular expression where an operand is expected.
    fn regex_may_start(&self) -> bool {
        if self.peek(1) == Some('/') || self.peek(1) == Some('*') {
            return false;
        }
        match self.out.last().map(|t| &t.tok) {
            None => true,
            Some(Tok::P(c)) => "(,=:[!&|?{};+-*%<>~^".contains(*c),
            Some(Tok::Id(w)) => matches!(
                w.as_str(),
                "return"
                    | "typeof"
                    | "case"
                    | "do"
                    | "else"
                    | "in"
                    | "of"
                    | "void"
                    | "yield"
                    | "await"
                    | "delete"
                    | "instanceof"
                    | "new"
                    | "throw"
            ),
            Some(Tok::Str(_)) => false,
        }
    }

    fn regex(&mut self) {
        self.bump();
        let mut class = false;
        while let Some(c) = self.peek(0) {
            if c == '\n' {
                return;
            }
            self.bump();
            match c {
                '\\' => {
                    self.bump();
                }
                '[' => class = true,
                ']' => class = false,
                '/' if !class => break,
                _ => {}
            }
        }
        while self.peek(0).is_some_and(|c| c.is_alphabetic()) {
            self.i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(src: &str, lang: Lang) -> Vec<(Option<String>, usize)> {
        lex(src, lang)
            .into_iter()
            .filter_map(|t| match t.tok {
                Tok::Str(v) => Some((v, t.line)),
                _ => None,
            })
            .collect()
    }

    /// Templates nested in one another's `${…}` 200,000 deep: answered,
    /// where reading each nesting by a call of its own ran out of stack
    /// (the process aborted on a 200 kB file).
    #[test]
    fn deeply_nested_templates_do_not_exhaust_the_stack() {
        let n = 200_000;
        let src = format!(
            "const x = {}1{};\ncp.execFileSync('git');\n",
            "`${".repeat(n),
            "}`".repeat(n)
        );
        let toks = lex(&src, Lang::Js);
        assert!(toks.iter().any(|t| t.str() == Some("git") && t.line == 2));
    }

    #[test]
    fn comments_are_dropped_and_lines_kept() {
        let src = "// execFile('git')\n/* spawn('x')\n */ a('y') // z\n";
        assert_eq!(strs(src, Lang::Js), [(Some("y".into()), 3)]);
        assert_eq!(
            strs("# os.system('ls')\nx = 'a' # 'b'\n", Lang::Python),
            [(Some("a".into()), 2)]
        );
    }

    #[test]
    fn strings_built_at_run_time_have_no_value() {
        assert_eq!(
            strs("a(`git ${x}`, `ls`)", Lang::Js),
            [(None, 1), (Some("ls".into()), 1)]
        );
        assert_eq!(
            strs("f'{cmd}' f'{{x}}' rb'\\d' '''a\nb'''", Lang::Python),
            [
                (None, 1),
                (Some("{{x}}".into()), 1),
                (Some("\\d".into()), 1),
                (Some("a\nb".into()), 1)
            ]
        );
        assert_eq!(
            strs("ProcessBuilder(\"$tool\", \"ls\")", Lang::Kotlin),
            [(None, 1), (Some("ls".into()), 1)]
        );
    }

    #[test]
    fn a_regular_expression_is_not_a_string() {
        // The quote inside the regex must not open a string that eats the call.
        let src = "const re = /'/g; execFile('git')";
        assert_eq!(strs(src, Lang::Js), [(Some("git".into()), 1)]);
        // Division is not a regex.
        assert_eq!(
            strs("a = b / c; d('x') / 2", Lang::Js),
            [(Some("x".into()), 1)]
        );
    }
}
