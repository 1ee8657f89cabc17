//! `.dockerignore` as BuildKit reads and applies it, so that the build
//! context the analysis sees is the one `docker build` sends.
//!
//! Invariant: for every path, [`DockerIgnore::check`] gives the answer
//! current BuildKit's context sender gives (moby/patternmatcher's reading
//! and matching, fsutil's walk) and [`DockerIgnore::legacy_excluded`] the
//! answer of Docker 20.10's BuildKit 0.8, or the file is refused: [`parse`]
//! refuses a line BuildKit rejects or whose meaning depends on
//! regular-expression features BuildKit passes through (`\d`, `\w`,
//! classes with `*` in them), and [`DockerIgnore::legacy_unmodelled`] says
//! when Docker 20.10's reading is not modelled (`+ ( ) | { }`, operators
//! there). The caller then reports the context as unknown rather than plan
//! on a wrong one. Matching takes O(pattern × path) time and no recursion,
//! whatever the line. Only the Docker 20.10 reading can be checked against
//! an engine here (`tests/dockerignore_buildkit.rs`); the current one
//! follows BuildKit's documented rules and sources, by unit tests.
//!
//! The rules, as BuildKit has them (facts, not its code):
//! - Reading: a UTF-8 byte-order mark is dropped; a line starting with `#`
//!   is a comment (checked before trimming); the line is trimmed; a leading
//!   `!` makes an exception (the rest trimmed again); the pattern is
//!   cleaned like Go's `filepath.Clean` and one leading `/` is dropped.
//!   Unlike `.gitignore`, a pattern is always anchored at the context root:
//!   `*.md` is the root's Markdown files, not every folder's.
//! - Matching: `*` is any run of characters but `/`, `?` one character but
//!   `/`, `[...]` a class (`^` negates), `\` escapes; `**` followed by more
//!   is "any number of folders" (`(.*/)?`), `**` at the end is "anything"
//!   (both as Go's `.`, which never crosses a newline).
//!   A pattern with no wildcard is compared as a string; `foo**` is a string
//!   prefix; `**foo` (no other wildcard) a string suffix, and `**/foo` also
//!   matches `foo` itself.
//! - A pattern hits a path when it matches the path or hit one of its
//!   parent folders; the last hitting pattern decides (an exception
//!   re-includes). Patterns are only tried while they could change the
//!   answer, exactly as fsutil walks, which matters in rare orders such as
//!   `a`, `!a/x`, `a` (BuildKit sends `a/x`).
//! - A folder that is excluded is still walked when an exception could
//!   re-include something below it: always when an exception has a wildcard
//!   (after dropping a trailing `/**` or `/*`), otherwise when an exception
//!   starts with the folder's path.

use std::fmt;

/// A `.dockerignore` line BuildKit rejects (the build fails) or whose
/// meaning dfsplit cannot model faithfully.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPattern {
    /// 1-based line in the ignore file.
    pub line: usize,
    /// The line as written (trimmed).
    pub pattern: String,
    /// Why.
    pub why: &'static str,
}

impl fmt::Display for BadPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: `{}`: {}", self.line, self.pattern, self.why)
    }
}

/// The patterns of one ignore file, ready to check paths.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
    /// Whether some pattern is an exception (`!`).
    exceptions: bool,
    /// Whether every exception is a plain path (after dropping a trailing
    /// `/**` or `/*`): then an excluded folder is only walked when an
    /// exception lies under it.
    plain_exceptions: bool,
    /// Why Docker 20.10's reading cannot be modelled, if it cannot: its
    /// BuildKit escapes only `.` and `$`, so `+ ( ) | { }` are
    /// regular-expression operators there (and literal characters later).
    legacy_unmodelled: Option<String>,
}

/// What a folder's check leaves for its entries: per pattern, whether it hit
/// the folder (fsutil's "parent results").
#[derive(Debug, Clone, Default)]
pub struct Hits(Vec<bool>);

#[derive(Debug, Clone)]
struct Pattern {
    /// The cleaned pattern, without `!`.
    text: String,
    exception: bool,
    how: How,
    /// The expression BuildKit compiles the pattern to; Docker 20.10's
    /// BuildKit matches every pattern with it.
    toks: Vec<Tok>,
}

#[derive(Debug, Clone)]
enum How {
    /// No wildcard: the path equals the pattern.
    Exact,
    /// `prefix**`: the path starts with the prefix.
    Prefix(String),
    /// `**suffix` with no other wildcard: the path ends with the suffix (or,
    /// for `**/name`, is `name`).
    Suffix(String),
    /// Everything else, matched as BuildKit's regular expression would.
    Tokens,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Char(char),
    /// `*`: any run without `/`.
    Run,
    /// `?`: one character but `/`.
    One,
    /// `**` at the end: anything.
    All,
    /// `**` followed by more: nothing, or anything ending in `/`.
    Dirs,
    /// `[...]`: one character in (or, negated, not in) the ranges. As a
    /// regular-expression class, a negated class also matches `/`.
    Class(bool, Vec<(char, char)>),
    /// A bare `^` outside a class: BuildKit's expression anchors there, so
    /// it only matches at the start of the path.
    Start,
}

/// Reads an ignore file's text as BuildKit does.
pub fn parse(text: &str) -> Result<DockerIgnore, BadPattern> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut patterns = Vec::new();
    // Go's bufio.Scanner splits on `\n` and drops one `\r` before it.
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.starts_with('#') {
            continue;
        }
        let line = raw.trim_matches(char::is_whitespace);
        if line.is_empty() {
            continue;
        }
        // Go's bufio.Scanner stops at a token of 64 KiB: the build fails.
        if raw.len() >= 64 * 1024 {
            return Err(BadPattern {
                line: i + 1,
                pattern: format!("{}…", line.chars().take(40).collect::<String>()),
                why: "a line of 64 KiB or more: BuildKit cannot read it, so the build fails",
            });
        }
        let bad = |why| BadPattern {
            line: i + 1,
            pattern: line.to_string(),
            why,
        };
        // ignorefile.ReadAll: `!`, the rest trimmed, cleaned, one leading
        // `/` dropped, `!` put back.
        let (invert, rest) = match line.strip_prefix('!') {
            Some(rest) => (true, rest.trim_matches(char::is_whitespace)),
            None => (false, line),
        };
        let mut rest = if rest.is_empty() {
            String::new()
        } else {
            clean(rest)
        };
        if rest.len() > 1 && rest.starts_with('/') {
            rest.remove(0);
        }
        // patternmatcher.New: trimmed and cleaned again, `!` included, so
        // that `/!x` is an exception and `!/` an error, as in BuildKit.
        let full = clean(format!("{}{rest}", if invert { "!" } else { "" }).trim());
        let (exception, cleaned) = match full.strip_prefix('!') {
            Some("") => {
                return Err(bad(
                    "an exception (`!`) with no pattern; BuildKit rejects it",
                ));
            }
            Some(rest) => (true, rest.to_string()),
            None => (false, full),
        };
        let (how, toks) = compile(&cleaned).map_err(bad)?;
        patterns.push(Pattern {
            text: cleaned,
            exception,
            how,
            toks,
        });
    }
    let legacy_unmodelled = patterns
        .iter()
        .find(|p| has_regex_operator(&p.text))
        .map(|p| {
            format!(
                "`{}{}`: Docker 20.10's BuildKit reads `+ ( ) | {{ }}` in a pattern as regular-expression operators, later ones as characters",
                if p.exception { "!" } else { "" },
                p.text
            )
        });
    let exceptions = patterns.iter().any(|p| p.exception);
    let plain_exceptions = patterns
        .iter()
        .filter(|p| p.exception)
        .all(|p| !without_trailing_glob(&p.text).contains(['*', '[', ']', '?', '^', '\\']));
    Ok(DockerIgnore {
        patterns,
        exceptions,
        plain_exceptions,
        legacy_unmodelled,
    })
}

/// Whether a pattern has `+ ( ) | { }` outside a class and not escaped.
fn has_regex_operator(pattern: &str) -> bool {
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '+' | '(' | ')' | '|' | '{' | '}' if !in_class => return true,
            _ => {}
        }
    }
    false
}

impl DockerIgnore {
    /// Whether `path` (relative to the context root, `/`-separated) is left
    /// out, given what its parent folder's check returned (`Hits::default()`
    /// for an entry of the root), and what to pass to its own entries.
    pub fn check(&self, path: &str, parent: &Hits) -> (bool, Hits) {
        let mut excluded = false;
        let mut hits = vec![false; self.patterns.len()];
        for (i, p) in self.patterns.iter().enumerate() {
            let mut hit = parent.0.get(i).copied().unwrap_or(false);
            if !hit {
                // Only tried while it could change the answer.
                if p.exception != excluded {
                    continue;
                }
                hit = p.matches(path);
            }
            hits[i] = hit;
            if hit {
                excluded = !p.exception;
            }
        }
        (excluded, Hits(hits))
    }

    /// Whether an excluded folder must still be walked, because an
    /// exception could re-include something below it.
    pub fn walk_excluded(&self, dir: &str) -> bool {
        if !self.exceptions {
            return false;
        }
        if !self.plain_exceptions {
            return true;
        }
        let dir = format!("{dir}/");
        self.patterns
            .iter()
            .filter(|p| p.exception)
            .any(|p| format!("{}/", without_trailing_glob(&p.text)).starts_with(&dir))
    }
}

/// Docker 20.10's BuildKit (0.8), still the `docker.io` of Debian 12: it
/// answers differently in corners, so the context walk computes both and
/// refuses a file where they disagree. Its rules: every pattern is the
/// expression (no string shortcuts, so `**foo` does not hit `barfoo`); a
/// pattern of N names that misses a path is tried on the path's first N
/// folder names only (one level, not every parent); and an excluded folder
/// is walked only when an exception starts with its path (with or without
/// wildcards), and is then sent itself, even empty.
impl DockerIgnore {
    /// Why Docker 20.10's reading of the file cannot be modelled, if so.
    pub fn legacy_unmodelled(&self) -> Option<&str> {
        self.legacy_unmodelled.as_deref()
    }

    /// Whether Docker 20.10's BuildKit leaves `path` out.
    pub fn legacy_excluded(&self, path: &str) -> bool {
        // Every entry of every context is asked: no work without patterns.
        if self.patterns.is_empty() {
            return false;
        }
        let parents: Vec<&str> = match path.rsplit_once('/') {
            Some((parent, _)) => parent.split('/').collect(),
            None => Vec::new(),
        };
        let mut excluded = false;
        for p in &self.patterns {
            if p.exception != excluded {
                continue;
            }
            let mut hit = p.expression_matches(path);
            let names = p.text.split('/').count();
            if !hit && !parents.is_empty() && names <= parents.len() {
                hit = p.expression_matches(&parents[..names].join("/"));
            }
            if hit {
                excluded = !p.exception;
            }
        }
        excluded
    }

    /// Whether Docker 20.10's BuildKit walks (and sends) an excluded folder.
    pub fn legacy_walk_excluded(&self, dir: &str) -> bool {
        let dir = format!("{dir}/");
        self.patterns
            .iter()
            .filter(|p| p.exception)
            .any(|p| format!("{}/", p.text).starts_with(&dir))
    }
}

impl Pattern {
    fn expression_matches(&self, path: &str) -> bool {
        let chars: Vec<char> = path.chars().collect();
        tokens_match(&self.toks, &chars)
    }

    fn matches(&self, path: &str) -> bool {
        match &self.how {
            How::Exact => path == self.text,
            How::Prefix(prefix) => path.starts_with(prefix.as_str()),
            How::Suffix(suffix) => {
                path.ends_with(suffix.as_str())
                    || suffix.strip_prefix('/').is_some_and(|name| path == name)
            }
            How::Tokens => self.expression_matches(path),
        }
    }
}

/// Go's `path.Clean`: one `/` between names, no `.`, `..` resolved where it
/// can be, no trailing `/`; `.` for nothing.
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            name => parts.push(name),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// fsutil's `patternWithoutTrailingGlob`.
fn without_trailing_glob(p: &str) -> &str {
    let p = p.strip_suffix("/**").unwrap_or(p);
    p.strip_suffix("/*").unwrap_or(p)
}

/// How BuildKit compares a cleaned pattern, after checking it as Go's
/// `filepath.Match` does (a malformed pattern fails the build).
fn compile(pattern: &str) -> Result<(How, Vec<Tok>), &'static str> {
    validate(pattern)?;
    let chars: Vec<char> = pattern.chars().collect();
    let mut toks = Vec::new();
    // BuildKit's three plain kinds, then its expression.
    let (mut exact, mut prefix, mut suffix, mut regex) = (true, false, false, false);
    let mut i = 0;
    let mut first = true;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i == chars.len() {
                    if exact {
                        (exact, prefix) = (false, true);
                    } else {
                        regex = true;
                    }
                    toks.push(Tok::All);
                } else {
                    toks.push(Tok::Dirs);
                    regex = true;
                }
                if first {
                    (exact, prefix, suffix, regex) = (false, false, true, false);
                }
            }
            '*' => {
                toks.push(Tok::Run);
                regex = true;
            }
            '?' => {
                toks.push(Tok::One);
                regex = true;
            }
            '\\' => {
                // validate() guarantees a character follows.
                let next = chars[i];
                i += 1;
                if !next.is_ascii_punctuation() {
                    return Err("a backslash before anything but punctuation is a \
                         regular-expression escape in BuildKit, which dfsplit does not model");
                }
                toks.push(Tok::Char(next));
                regex = true;
            }
            '[' => {
                let (tok, used) = class(&chars[i..])?;
                toks.push(tok);
                i += used;
                regex = true;
            }
            ']' => {
                toks.push(Tok::Char(']'));
                regex = true;
            }
            '^' => toks.push(Tok::Start),
            c => toks.push(Tok::Char(c)),
        }
        first = false;
    }
    // Any later wildcard turns a plain kind into the expression.
    let how = if regex {
        How::Tokens
    } else if suffix {
        How::Suffix(chars[2..].iter().collect())
    } else if prefix {
        How::Prefix(chars[..chars.len() - 2].iter().collect())
    } else {
        debug_assert!(exact);
        How::Exact
    };
    Ok((how, toks))
}

/// A class after its `[`: the token and how many characters it used
/// (through the `]`). The syntax was checked by [`validate`]; this reads it
/// as the regular expression BuildKit hands it to.
fn class(chars: &[char]) -> Result<(Tok, usize), &'static str> {
    let mut i = 0;
    let negated = chars.first() == Some(&'^');
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let item = |i: &mut usize| -> Result<char, &'static str> {
        let c = chars[*i];
        *i += 1;
        if c == '\\' {
            let e = chars[*i];
            *i += 1;
            if !e.is_ascii_punctuation() {
                return Err(
                    "a backslash before anything but punctuation in a class is a \
                     regular-expression escape in BuildKit, which dfsplit does not model",
                );
            }
            return Ok(e);
        }
        if matches!(c, '*' | '?' | '[') {
            return Err(
                "a `*`, `?` or `[` inside a class is rewritten by BuildKit into \
                 a different expression, which dfsplit does not model",
            );
        }
        Ok(c)
    };
    while chars[i] != ']' || ranges.is_empty() {
        let lo = item(&mut i)?;
        let hi = if chars[i] == '-' && chars.get(i + 1) != Some(&']') {
            i += 1;
            item(&mut i)?
        } else {
            lo
        };
        ranges.push((lo, hi));
    }
    Ok((Tok::Class(negated, ranges), i + 1))
}

/// The checks Go's `filepath.Match` makes on a pattern (BuildKit runs it
/// and fails the build on an error).
fn validate(pattern: &str) -> Result<(), &'static str> {
    const BAD: &str = "not a valid pattern (Go's filepath.Match rejects it, so the build fails)";
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    // An escaped or plain class item: not `-` or `]`, something after it.
    let item = |i: &mut usize| -> Result<char, &'static str> {
        let mut c = *chars.get(*i).ok_or(BAD)?;
        if c == '-' || c == ']' {
            return Err(BAD);
        }
        if c == '\\' {
            *i += 1;
            c = *chars.get(*i).ok_or(BAD)?;
        }
        *i += 1;
        if *i >= chars.len() {
            return Err(BAD);
        }
        Ok(c)
    };
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if i + 1 >= chars.len() {
                    return Err(BAD);
                }
                i += 2;
            }
            '[' => {
                i += 1;
                if chars.get(i) == Some(&'^') {
                    i += 1;
                }
                let mut n = 0;
                loop {
                    if chars.get(i) == Some(&']') && n > 0 {
                        i += 1;
                        break;
                    }
                    let lo = item(&mut i)?;
                    let mut hi = lo;
                    if chars.get(i) == Some(&'-') {
                        i += 1;
                        hi = item(&mut i)?;
                    }
                    if hi < lo {
                        return Err(BAD);
                    }
                    n += 1;
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Whether the expression matches the whole path, in O(tokens × path)
/// time and without recursion (a line of `*a*a*a…` or of many `**/` costs
/// no more than its length): `next[j]` says whether the tokens after the
/// current one match `s[j..]`, filled from the last token back.
fn tokens_match(toks: &[Tok], s: &[char]) -> bool {
    let n = s.len();
    let mut next = vec![false; n + 1];
    next[n] = true;
    let mut cur = vec![false; n + 1];
    for tok in toks.iter().rev() {
        match tok {
            Tok::Char(_) | Tok::One | Tok::Class(..) => {
                cur[n] = false;
                for j in 0..n {
                    let c = s[j];
                    let ok = match tok {
                        Tok::Char(want) => c == *want,
                        Tok::One => c != '/',
                        Tok::Class(negated, ranges) => {
                            ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi) != *negated
                        }
                        _ => unreachable!(),
                    };
                    cur[j] = ok && next[j + 1];
                }
            }
            Tok::Start => {
                cur.fill(false);
                cur[0] = next[0];
            }
            // `[^/]*`: the rest here, or one more character but `/`.
            Tok::Run => {
                cur[n] = next[n];
                for j in (0..n).rev() {
                    cur[j] = next[j] || (s[j] != '/' && cur[j + 1]);
                }
            }
            // `.*`: Go's `.` is any character but a newline.
            Tok::All => {
                cur[n] = next[n];
                for j in (0..n).rev() {
                    cur[j] = next[j] || (s[j] != '\n' && cur[j + 1]);
                }
            }
            // `(.*/)?`: the rest here, or after a `/` reached without
            // crossing a newline.
            Tok::Dirs => {
                let mut after_slash = false;
                cur[n] = next[n];
                for j in (0..n).rev() {
                    after_slash = (s[j] == '/' && next[j + 1]) || (s[j] != '\n' && after_slash);
                    cur[j] = next[j] || after_slash;
                }
            }
        }
        std::mem::swap(&mut cur, &mut next);
    }
    next[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `path` (with its parents walked first, as the context walk
    /// does) is left out.
    fn out(ignore: &str, path: &str) -> bool {
        let di = parse(ignore).unwrap();
        let mut hits = Hits::default();
        let parts: Vec<&str> = path.split('/').collect();
        let mut excluded = false;
        for n in 1..=parts.len() {
            let (e, h) = di.check(&parts[..n].join("/"), &hits);
            excluded = e;
            hits = h;
        }
        excluded
    }

    #[test]
    fn patterns_are_anchored_at_the_root_unlike_gitignore() {
        assert!(out("*.md", "README.md"));
        assert!(!out("*.md", "docs/guide.md"));
        assert!(out("**/*.md", "docs/guide.md"));
        assert!(out("**/*.md", "README.md"));
        assert!(!out("secret", "a/secret"));
        assert!(out("/secret", "secret"));
    }

    #[test]
    fn a_pattern_that_hits_a_folder_hits_what_is_in_it() {
        assert!(out("logs", "logs/a/b.log"));
        assert!(out("logs/", "logs/a.log"));
        assert!(out("*/temp*", "somedir/temporary.txt"));
        assert!(out("*/temp*", "somedir/temp/x"));
        assert!(!out("*/temp*", "a/b/temp"));
        assert!(out("temp?", "tempa"));
        assert!(!out("temp?", "temp/x/y") && out("temp?", "tempb/x"));
    }

    #[test]
    fn an_allow_list_keeps_the_folders_it_names() {
        let list = "*\n!src\n!package.json\n";
        assert!(!out(list, "src/index.ts"));
        assert!(!out(list, "src/deep/a.ts"));
        assert!(!out(list, "package.json"));
        assert!(out(list, "README.md"));
        assert!(out(list, "test/a.ts"));
    }

    #[test]
    fn the_last_hitting_line_decides() {
        assert!(!out("*.md\n!README*.md\nREADME-secret.md", "README.md"));
        assert!(out(
            "*.md\n!README*.md\nREADME-secret.md",
            "README-secret.md"
        ));
        assert!(!out(
            "*.md\nREADME-secret.md\n!README*.md",
            "README-secret.md"
        ));
    }

    #[test]
    fn patterns_are_tried_only_while_they_could_change_the_answer() {
        // `a` hits `a`, the second `a` is not tried there (already out);
        // for `a/x`, `!a/x` re-includes and the second `a` (a string
        // compare with `a/x`) does not hit: BuildKit sends `a/x`.
        assert!(!out("a\n!a/x\na", "a/x"));
        assert!(out("a\n!a/x\na", "a/y"));
    }

    #[test]
    fn double_star_in_its_places() {
        assert!(out("foo/**", "foo/x/y"));
        assert!(!out("foo/**", "foo"));
        assert!(out("foo**", "foobar"));
        assert!(out("**foo", "barfoo"));
        assert!(out("**/foo", "foo"));
        assert!(out("**/foo", "a/b/foo"));
        assert!(!out("**/foo", "a/barfoo"));
        assert!(out("a/**/b", "a/b"));
        assert!(out("a/**/b", "a/x/y/b"));
        assert!(out("**/node_modules/**", "pkg/node_modules/x"));
        assert!(out("**", "anything/at/all"));
        // `**` followed by a name (not `/`): nothing, or folders.
        assert!(out("a**b", "ab") && out("a**b", "ax/b") && !out("a**b", "axb"));
    }

    #[test]
    fn reading_trims_cleans_and_skips_comments() {
        assert!(out("  *.log  \n", "x.log"));
        assert!(out("\u{feff}x", "x"));
        assert!(!out("#x\n", "#x"));
        assert!(out(" #x\n", "#x"), "a comment only in column 1");
        assert!(out("./a/../b//c/", "b/c"));
        assert!(
            out("! keep\n*\n", "keep"),
            "an exception before is overridden"
        );
        assert!(!out("*\n! keep \n", "keep"));
        assert!(out("x\r\n", "x"));
    }

    #[test]
    fn classes_escapes_and_bad_patterns() {
        assert!(out("file[0-9].txt", "file3.txt"));
        assert!(!out("file[^0-9].txt", "file3.txt"));
        assert!(out("file[^0-9].txt", "filex.txt"));
        assert!(out("a\\*b", "a*b") && !out("a\\*b", "axb"));
        assert!(out("a+b(c)", "a+b(c)"));
        for bad in ["[", "a[]b", "[a-]", "[z-a]", "x\\", "!"] {
            assert!(parse(bad).is_err(), "{bad} should be rejected");
        }
        let err = parse("ok\nfile\\d").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.why.contains("does not model"), "{err}");
    }

    #[test]
    fn excluded_folders_are_walked_only_when_an_exception_can_reach_in() {
        let plain = parse("*\n!src/app\n").unwrap();
        assert!(plain.walk_excluded("src"));
        assert!(!plain.walk_excluded("test"));
        let none = parse("dist\n").unwrap();
        assert!(!none.walk_excluded("dist"));
        let wild = parse("*\n!**/*.go\n").unwrap();
        assert!(wild.walk_excluded("anything"));
        let trailing = parse("*\n!src/**\n").unwrap();
        assert!(trailing.walk_excluded("src") && !trailing.walk_excluded("lib"));
    }

    /// Whether Docker 20.10's BuildKit leaves `path` out.
    fn legacy_out(ignore: &str, path: &str) -> bool {
        parse(ignore).unwrap().legacy_excluded(path)
    }

    #[test]
    fn docker_20_checks_one_level_of_parents_and_only_expressions() {
        // The one-level parent check: `a` (one name) is tried on `a`, the
        // first name of `a/x`'s folder, so the last `a` hits again.
        assert!(legacy_out("a\n!a/x\na", "a/x"));
        assert!(!out("a\n!a/x\na", "a/x"));
        // `!src` (one name) re-includes everything whose first folder is src.
        assert!(!legacy_out("**/deep/**\n!src", "src/deep/more.md"));
        assert!(out("**/deep/**\n!src", "src/deep/more.md"));
        // No string shortcuts: `**foo` is `(.*/)?foo`.
        assert!(!legacy_out("**foo", "barfoo") && out("**foo", "barfoo"));
        assert!(legacy_out("**foo", "a/foo"));
        // An excluded folder is walked only for an exception under it,
        // wildcards or not.
        let di = parse("docs/**\n!docs/**/*.txt").unwrap();
        assert!(di.legacy_walk_excluded("docs") && !di.legacy_walk_excluded("docs/api"));
        assert!(di.walk_excluded("docs/api"));
    }

    #[test]
    fn regex_operators_make_docker_20_unmodelled() {
        for p in ["a+b", "f(1).txt", "x|", "a{2}", "!keep+"] {
            assert!(parse(p).unwrap().legacy_unmodelled().is_some(), "{p}");
        }
        for p in ["a\\+b", "[+]x", "plain.txt", "**/*.md"] {
            assert!(parse(p).unwrap().legacy_unmodelled().is_none(), "{p}");
        }
        // Later BuildKit reads them as characters.
        assert!(out("a+b", "a+b") && !out("a+b", "aab"));
    }

    #[test]
    fn double_star_does_not_cross_a_newline() {
        // Go's `.` is any character but a newline; `*` is `[^/]*`, which
        // crosses one.
        assert!(!out("a/**/b", "a/x\ny/b"));
        assert!(out("a/**/b", "a/z/b"));
        assert!(out("a*b", "a\nb"));
        assert!(out("x/**", "x/\n"), "the prefix kind is a string compare");
        assert!(!out("a?**", "ab\nc"));
    }

    #[test]
    fn long_and_pathological_lines_are_answered() {
        let name = "a".repeat(200);
        assert!(!out("*a*a*a*a*a*a*ab", &name));
        assert!(out("*a*a*a*a*a*a*a", &name));
        let deep = vec!["a"; 40].join("/") + "/y";
        let many = "**/".repeat(40) + "x";
        assert!(!out(&many, &deep));
        assert!(out(&("**/".repeat(40) + "y"), &deep));
        let long = "x".repeat(70_000);
        let err = parse(&format!("ok\n{long}\n")).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.why.contains("64 KiB"), "{err}");
    }

    #[test]
    fn clean_is_gos() {
        for (a, b) in [
            ("a//b", "a/b"),
            ("./a", "a"),
            ("a/./b/", "a/b"),
            ("a/../..", ".."),
            ("/../a", "/a"),
            ("", "."),
            ("/", "/"),
        ] {
            assert_eq!(clean(a), b, "{a}");
        }
    }
}
