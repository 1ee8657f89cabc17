//! Glob patterns matched without regular expressions: the one engine behind
//! `.gitignore` files ([`crate::gitignore`]) and the `skip:` and
//! `overrides: path:` patterns of `.dfsplit.yaml` ([`crate::config`]).
//!
//! Two dialects are parsed into the same tokens and matched by the same
//! matcher:
//!
//! - [`Glob::git_name`] and [`Glob::git_path`]: git's wildmatch with
//!   `WM_PATHNAME`, as gitignore(5) uses it. Bytes are the unit (`?` is one
//!   byte, as in git); `[...]` takes `!` or `^`, ranges, `\` escapes and
//!   POSIX classes (`[[:digit:]]`); a `**` run between slashes (or at an end)
//!   crosses folders, any other run of stars is one `*`; a bad `[` makes the
//!   pattern match nothing, as git does; a pattern is never an error.
//! - [`Glob::new`]: the syntax `.dfsplit.yaml` has always accepted (globset's
//!   with `literal_separator`): `*`, `?`, `**` as a whole component,
//!   `[...]`/`[!...]`/`[^...]`, `{a,b}` (nested too), `\` escapes. Bytes
//!   are the unit here too, as globset's byte-level regexes have them: `?` is
//!   one byte (`??` matches `é`, `?` does not), and a class is a set of
//!   bytes, a non-ASCII member standing for each of its UTF-8 bytes alone
//!   (`[é]` matches neither `é` nor `e`, only one byte of `é`). A bad pattern
//!   is a [`GlobError`].
//!
//! **Invariant:** matching is a pure, total function of the pattern and the
//! path's bytes: it never panics, whatever the bytes, and takes time at most
//! proportional to the pattern's length times the path's (an automaton run
//! over the path, no backtracking, no recursion; consecutive `**/` are one);
//! `*`, `?` and — in the git dialect — `[...]` never match a `/`; only the
//! `**` forms above do. Building a pattern recurses only into nested `{...}`
//! groups of the `.dfsplit.yaml` dialect, at most [`MAX_NESTING`] deep (a
//! deeper pattern is a [`GlobError`]), so it never overflows the stack.

use std::fmt;

/// A compiled pattern: a small automaton over the path's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    prog: Vec<Inst>,
    /// Matches nothing (git: a `[` without its `]`, a trailing `\`).
    never: bool,
    /// `[...]` may match `/` (config, as globset's classes do).
    class_slash: bool,
}

/// One step of the automaton [`Glob::is_match`] runs: the tokens spelled
/// out as byte tests, forks and jumps.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Inst {
    /// Takes this byte.
    Byte(u8),
    /// Takes any byte but `/`.
    NotSlash,
    /// Takes any byte.
    AnyByte,
    /// Takes a byte of the class (`/` only where classes may match it).
    Class(Class),
    /// Goes on at both places.
    Fork(usize, usize),
    /// Goes on there.
    Jump(usize),
    /// The pattern is over: a match if the path is too.
    Done,
}

/// Why a `.dfsplit.yaml` pattern is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GlobError {
    /// A `[` without its `]`.
    UnclosedClass,
    /// A range whose end comes before its start (`[z-a]`).
    InvalidRange(char, char),
    /// A `}` without its `{`.
    UnopenedAlternates,
    /// A `{` without its `}`.
    UnclosedAlternates,
    /// A `\` at the end.
    DanglingEscape,
    /// `{...}` groups nested more than [`MAX_NESTING`] deep (globset took
    /// them; no `.dfsplit.yaml` is expected to have them).
    TooDeep,
}

/// How deep `{...}` groups may nest in a `.dfsplit.yaml` pattern: building
/// one recurses into them, so the depth is bounded.
pub const MAX_NESTING: usize = 100;

impl fmt::Display for GlobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GlobError::UnclosedClass => f.write_str("unclosed character class; missing ']'"),
            GlobError::InvalidRange(a, b) => write!(f, "invalid range; '{a}' > '{b}'"),
            GlobError::UnopenedAlternates => {
                f.write_str("unopened alternate group; missing '{' (maybe escape '}' with '[}]'?)")
            }
            GlobError::UnclosedAlternates => {
                f.write_str("unclosed alternate group; missing '}' (maybe escape '{' with '[{]'?)")
            }
            GlobError::DanglingEscape => f.write_str("dangling '\\'"),
            GlobError::TooDeep => write!(f, "alternate groups nested over {MAX_NESTING} deep"),
        }
    }
}

impl std::error::Error for GlobError {}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// This byte.
    Byte(u8),
    /// One byte, not `/`.
    One,
    /// Any bytes up to the next `/`.
    Star,
    /// Anything, `/` included, possibly nothing.
    Any,
    /// One byte in (or not in) the class.
    Class(Class),
    /// One of the branches.
    Alt(Vec<Vec<Tok>>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Class {
    negated: bool,
    items: Vec<Item>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    /// First to last, both included (none when last < first).
    Range(u32, u32),
    /// A POSIX class (git only), ASCII as git's own ctype.
    Named(Named),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    Alnum,
    Alpha,
    Blank,
    Cntrl,
    Digit,
    Graph,
    Lower,
    Print,
    Punct,
    Space,
    Upper,
    Xdigit,
}

impl Named {
    fn from_name(name: &[u8]) -> Option<Named> {
        Some(match name {
            b"alnum" => Named::Alnum,
            b"alpha" => Named::Alpha,
            b"blank" => Named::Blank,
            b"cntrl" => Named::Cntrl,
            b"digit" => Named::Digit,
            b"graph" => Named::Graph,
            b"lower" => Named::Lower,
            b"print" => Named::Print,
            b"punct" => Named::Punct,
            b"space" => Named::Space,
            b"upper" => Named::Upper,
            b"xdigit" => Named::Xdigit,
            _ => return None,
        })
    }

    fn has(self, u: u32) -> bool {
        let Ok(b) = u8::try_from(u) else {
            return false;
        };
        match self {
            Named::Alnum => b.is_ascii_alphanumeric(),
            Named::Alpha => b.is_ascii_alphabetic(),
            Named::Blank => b == b' ' || b == b'\t',
            Named::Cntrl => b.is_ascii_control(),
            Named::Digit => b.is_ascii_digit(),
            Named::Graph => b.is_ascii_graphic(),
            Named::Lower => b.is_ascii_lowercase(),
            Named::Print => b.is_ascii_graphic() || b == b' ',
            Named::Punct => b.is_ascii_punctuation(),
            // git's isspace: not \v nor \f.
            Named::Space => matches!(b, b' ' | b'\t' | b'\n' | b'\r'),
            Named::Upper => b.is_ascii_uppercase(),
            Named::Xdigit => b.is_ascii_hexdigit(),
        }
    }
}

impl Class {
    fn has(&self, u: u32) -> bool {
        let inside = self.items.iter().any(|i| match *i {
            Item::Range(a, b) => a <= u && u <= b,
            Item::Named(n) => n.has(u),
        });
        inside != self.negated
    }
}

impl Glob {
    /// A gitignore pattern matched against a file or folder *name* (git's
    /// patterns without a `/`): the whole pattern is one wildmatch pattern.
    pub fn git_name(pattern: &[u8]) -> Glob {
        Glob::git(pattern, 0)
    }

    /// A gitignore pattern matched against a path relative to the ignore
    /// file's folder (git's patterns with a `/`; the leading `/` already
    /// removed). As git does, the part before the first `*`, `?`, `[` or `\`
    /// is compared as it is and the rest is a pattern of its own, so a `**`
    /// right after that part counts as a leading one (`x/ab**` matches
    /// `x/abc/d`, as in git).
    pub fn git_path(pattern: &[u8]) -> Glob {
        let literal = pattern
            .iter()
            .position(|b| matches!(b, b'*' | b'?' | b'[' | b'\\'))
            .unwrap_or(pattern.len());
        Glob::git(pattern, literal)
    }

    fn git(p: &[u8], start: usize) -> Glob {
        let mut toks: Vec<Tok> = p[..start].iter().map(|&b| Tok::Byte(b)).collect();
        let mut never = false;
        let mut i = start;
        while i < p.len() && !never {
            match p[i] {
                b'\\' => match p.get(i + 1) {
                    Some(&b) => {
                        toks.push(Tok::Byte(b));
                        i += 2;
                    }
                    None => never = true,
                },
                b'?' => {
                    toks.push(Tok::One);
                    i += 1;
                }
                b'*' => {
                    let mut j = i;
                    while p.get(j) == Some(&b'*') {
                        j += 1;
                    }
                    let after_slash = i == start || p[i - 1] == b'/';
                    if j - i >= 2 && after_slash {
                        match p.get(j) {
                            // Trailing `/**`: everything inside.
                            None => {
                                toks.push(Tok::Any);
                                i = j;
                            }
                            // `**/`: no folders, or any path and a `/`.
                            // Several in a row mean what one does.
                            Some(b'/') => {
                                let t = Tok::Alt(vec![vec![], vec![Tok::Any, Tok::Byte(b'/')]]);
                                if toks.last() != Some(&t) {
                                    toks.push(t);
                                }
                                i = j + 1;
                            }
                            // `**\/`: wildmatch crosses folders but has no
                            // zero-folder shortcut for an escaped slash.
                            Some(b'\\') if p.get(j + 1) == Some(&b'/') => {
                                toks.push(Tok::Any);
                                i = j;
                            }
                            Some(_) => {
                                toks.push(Tok::Star);
                                i = j;
                            }
                        }
                    } else {
                        toks.push(Tok::Star);
                        i = j;
                    }
                }
                b'[' => match git_class(p, i + 1) {
                    Some((class, next)) => {
                        toks.push(Tok::Class(class));
                        i = next;
                    }
                    None => never = true,
                },
                b => {
                    toks.push(Tok::Byte(b));
                    i += 1;
                }
            }
        }
        Glob {
            prog: compile(&toks),
            never,
            class_slash: false,
        }
    }

    /// A `.dfsplit.yaml` pattern (globset's syntax, `*` and `?` not crossing
    /// `/`): `*`, `?`, `**` as a whole component (`**/x`, `x/**`, `x/**/y`,
    /// or the whole pattern; elsewhere it is `*`), `[...]`, `[!...]`,
    /// `[^...]`, `{a,b}` and `\` escaping any character.
    pub fn new(pattern: &str) -> Result<Glob, GlobError> {
        let toks = ConfigParser::parse(pattern)?;
        Ok(Glob {
            prog: compile(&toks),
            never: false,
            class_slash: true,
        })
    }

    /// Whether the whole of `path` (`/`-separated) matches.
    ///
    /// Runs the automaton over the path a byte at a time, keeping the set of
    /// steps it may be at: no backtracking and no recursion, so the time is
    /// at most proportional to the pattern's length times the path's, and
    /// the memory to the pattern's length.
    pub fn is_match(&self, path: &[u8]) -> bool {
        if self.never {
            return false;
        }
        let mut run = Run {
            prog: &self.prog,
            // Per step, the last position it was added at (+1; 0 never).
            seen: vec![0; self.prog.len()],
            todo: Vec::new(),
        };
        let mut now = Vec::new();
        let mut next = Vec::new();
        run.add(0, 0, &mut now);
        for (at, &b) in path.iter().enumerate() {
            next.clear();
            for &pc in &now {
                if self.takes(&self.prog[pc], b) {
                    run.add(pc + 1, at + 1, &mut next);
                }
            }
            if next.is_empty() {
                return false;
            }
            std::mem::swap(&mut now, &mut next);
        }
        now.iter().any(|&pc| self.prog[pc] == Inst::Done)
    }

    /// Whether the step `inst` takes the byte `b`.
    fn takes(&self, inst: &Inst, b: u8) -> bool {
        match inst {
            Inst::Byte(x) => *x == b,
            Inst::NotSlash => b != b'/',
            Inst::AnyByte => true,
            Inst::Class(c) => c.has(u32::from(b)) && (self.class_slash || b != b'/'),
            Inst::Fork(..) | Inst::Jump(_) | Inst::Done => false,
        }
    }
}

/// The state of one [`Glob::is_match`].
struct Run<'a> {
    prog: &'a [Inst],
    seen: Vec<usize>,
    todo: Vec<usize>,
}

impl Run<'_> {
    /// Adds to `set` the steps that take a byte (or end) reachable from
    /// `pc` by forks and jumps alone, at position `at`; each step once.
    fn add(&mut self, pc: usize, at: usize, set: &mut Vec<usize>) {
        self.todo.push(pc);
        while let Some(pc) = self.todo.pop() {
            let Some(inst) = self.prog.get(pc) else {
                continue;
            };
            if self.seen[pc] == at + 1 {
                continue;
            }
            self.seen[pc] = at + 1;
            match *inst {
                Inst::Fork(a, b) => {
                    self.todo.push(b);
                    self.todo.push(a);
                }
                Inst::Jump(a) => self.todo.push(a),
                _ => set.push(pc),
            }
        }
    }
}

/// The automaton for `toks`, ending in [`Inst::Done`].
fn compile(toks: &[Tok]) -> Vec<Inst> {
    let mut prog = Vec::new();
    emit(toks, &mut prog);
    prog.push(Inst::Done);
    prog
}

/// Appends the steps for `toks` to `prog`. Recurses only into `{...}`
/// groups (as deep as they are nested in the pattern).
fn emit(toks: &[Tok], prog: &mut Vec<Inst>) {
    for t in toks {
        match t {
            Tok::Byte(b) => prog.push(Inst::Byte(*b)),
            Tok::One => prog.push(Inst::NotSlash),
            Tok::Class(c) => prog.push(Inst::Class(c.clone())),
            Tok::Star | Tok::Any => {
                // L: fork to L+1 or L+3; L+1: take; L+2: back to L.
                let l = prog.len();
                prog.push(Inst::Fork(l + 1, l + 3));
                prog.push(if *t == Tok::Star {
                    Inst::NotSlash
                } else {
                    Inst::AnyByte
                });
                prog.push(Inst::Jump(l));
            }
            Tok::Alt(branches) => {
                let mut ends = Vec::new();
                for (k, branch) in branches.iter().enumerate() {
                    if k + 1 == branches.len() {
                        emit(branch, prog);
                        break;
                    }
                    let fork = prog.len();
                    prog.push(Inst::Fork(fork + 1, 0));
                    emit(branch, prog);
                    ends.push(prog.len());
                    prog.push(Inst::Jump(0));
                    prog[fork] = Inst::Fork(fork + 1, prog.len());
                }
                let end = prog.len();
                for j in ends {
                    prog[j] = Inst::Jump(end);
                }
            }
        }
    }
}

/// A git bracket expression starting at `i` (after its `[`): the class and
/// where the pattern goes on, or `None` when wildmatch gives up (no `]`, a
/// bad `[:name:]`), which makes the whole pattern match nothing.
fn git_class(p: &[u8], mut i: usize) -> Option<(Class, usize)> {
    let negated = matches!(p.get(i), Some(b'!' | b'^'));
    if negated {
        i += 1;
    }
    let mut items = Vec::new();
    // The previous member, when it may start a range.
    let mut prev: Option<u8> = None;
    let mut first = true;
    loop {
        let c = *p.get(i)?;
        if c == b']' && !first {
            return Some((Class { negated, items }, i + 1));
        }
        first = false;
        if c == b'\\' {
            let e = *p.get(i + 1)?;
            items.push(Item::Range(u32::from(e), u32::from(e)));
            prev = Some(e);
            i += 2;
        } else if let Some(start) = prev.filter(|_| c == b'-' && range_end(p.get(i + 1))) {
            let mut j = i + 1;
            if p[j] == b'\\' {
                j += 1;
            }
            let end = *p.get(j)?;
            items.push(Item::Range(u32::from(start), u32::from(end)));
            prev = None;
            i = j + 1;
        } else if c == b'[' && p.get(i + 1) == Some(&b':') {
            let s = i + 2;
            let close = s + p[s..].iter().position(|&b| b == b']')?;
            if close > s && p[close - 1] == b':' {
                items.push(Item::Named(Named::from_name(&p[s..close - 1])?));
                prev = None;
                i = close + 1;
            } else {
                // No `:]` before the `]`: the `[` is a member like any.
                items.push(Item::Range(u32::from(b'['), u32::from(b'[')));
                prev = Some(b'[');
                i += 1;
            }
        } else {
            items.push(Item::Range(u32::from(c), u32::from(c)));
            prev = Some(c);
            i += 1;
        }
    }
}

/// Whether the byte after a `-` in a bracket ends a range (wildmatch: there
/// is one and it is not `]`).
fn range_end(next: Option<&u8>) -> bool {
    next.is_some_and(|&n| n != b']')
}

/// Tokens as `.dfsplit.yaml` patterns are read, before the `**` forms are
/// spelled out in the matcher's tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ptok {
    Lit(char),
    One,
    Star,
    /// `**/` at the start (or `**` alone): `(/?|.*/)`.
    Prefix,
    /// `/**` at the end: `/.*`.
    Suffix,
    /// `/**/`: `(/|/.*/)`.
    Middle,
    Class(Class),
    Alt(Vec<Vec<Ptok>>),
}

struct ConfigParser {
    /// The branches being read: the pattern itself first, then one per open
    /// `{` or `,`; `open` says where each group's branches begin.
    branches: Vec<Vec<Ptok>>,
    open: Vec<usize>,
}

impl ConfigParser {
    fn parse(pattern: &str) -> Result<Vec<Tok>, GlobError> {
        let mut p = ConfigParser {
            branches: vec![Vec::new()],
            open: Vec::new(),
        };
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            match c {
                '?' => p.push(Ptok::One),
                '*' => i = p.star(&chars, i),
                '[' => i = p.class(&chars, i)?,
                '{' => {
                    if p.open.len() == MAX_NESTING {
                        return Err(GlobError::TooDeep);
                    }
                    p.open.push(p.branches.len());
                    p.branches.push(Vec::new());
                }
                '}' => {
                    let start = p.open.pop().ok_or(GlobError::UnopenedAlternates)?;
                    let alt = Ptok::Alt(p.branches.drain(start..).collect());
                    p.push(alt);
                }
                ',' if !p.open.is_empty() => p.branches.push(Vec::new()),
                '\\' => {
                    let &e = chars.get(i).ok_or(GlobError::DanglingEscape)?;
                    i += 1;
                    p.push(Ptok::Lit(e));
                }
                c => p.push(Ptok::Lit(c)),
            }
        }
        if !p.open.is_empty() {
            return Err(GlobError::UnclosedAlternates);
        }
        let top = p.branches.pop().unwrap_or_default();
        if top == [Ptok::Prefix] {
            return Ok(vec![Tok::Any]);
        }
        Ok(lower(&top))
    }

    fn push(&mut self, t: Ptok) {
        if let Some(b) = self.branches.last_mut() {
            b.push(t);
        }
    }

    /// A `*` was read at `i - 1`; returns where reading goes on.
    fn star(&mut self, chars: &[char], mut i: usize) -> usize {
        let prev = i.checked_sub(2).map(|j| chars[j]);
        if chars.get(i) != Some(&'*') {
            self.push(Ptok::Star);
            return i;
        }
        i += 1;
        let next = chars.get(i).copied();
        let two_stars = |p: &mut ConfigParser| {
            p.push(Ptok::Star);
            p.push(Ptok::Star);
        };
        let branch_empty = self.branches.last().is_none_or(Vec::is_empty);
        if branch_empty {
            match next {
                Some('/') => {
                    self.push(Ptok::Prefix);
                    i += 1;
                }
                None => self.push(Ptok::Prefix),
                Some(_) => two_stars(self),
            }
            return i;
        }
        let in_alt = self.branches.len() > 1;
        if prev != Some('/') && (!in_alt || !matches!(prev, Some(',' | '{'))) {
            two_stars(self);
            return i;
        }
        let suffix = match next {
            None => true,
            Some(',' | '}') if in_alt => true,
            Some('/') => {
                i += 1;
                false
            }
            Some(_) => {
                two_stars(self);
                return i;
            }
        };
        let last = self.branches.last_mut().and_then(Vec::pop);
        self.push(match last {
            Some(Ptok::Prefix) => Ptok::Prefix,
            Some(Ptok::Suffix) => Ptok::Suffix,
            _ if suffix => Ptok::Suffix,
            _ => Ptok::Middle,
        });
        i
    }

    /// A `[` was read at `i - 1`; returns where reading goes on.
    fn class(&mut self, chars: &[char], mut i: usize) -> Result<usize, GlobError> {
        let negated = matches!(chars.get(i), Some('!' | '^'));
        if negated {
            i += 1;
        }
        let mut ranges: Vec<(char, char)> = Vec::new();
        let mut first = true;
        let mut in_range = false;
        loop {
            let &c = chars.get(i).ok_or(GlobError::UnclosedClass)?;
            i += 1;
            match c {
                ']' if !first => break,
                '-' if first => ranges.push(('-', '-')),
                c if in_range => {
                    let r = ranges.last_mut().ok_or(GlobError::UnclosedClass)?;
                    r.1 = c;
                    if r.1 < r.0 {
                        return Err(GlobError::InvalidRange(r.0, r.1));
                    }
                    in_range = false;
                }
                '-' => in_range = true,
                c => ranges.push((c, c)),
            }
            first = false;
        }
        if in_range {
            ranges.push(('-', '-'));
        }
        let mut items = Vec::new();
        for (a, b) in ranges {
            byte_items(a, b, &mut items);
        }
        self.push(Ptok::Class(Class { negated, items }));
        Ok(i)
    }
}

/// The members of a byte-level class for the range `a`-`b` of a
/// `.dfsplit.yaml` class, as globset has them: globset writes each end as
/// its UTF-8 bytes into a byte-level regex class, so a lone non-ASCII `é` is
/// its two bytes as two members, and a range of non-ASCII ends is the first
/// end's leading bytes, a range from its last byte to the second end's first
/// byte, and the second end's trailing bytes.
fn byte_items(a: char, b: char, items: &mut Vec<Item>) {
    let single = |x: u8| Item::Range(u32::from(x), u32::from(x));
    let (mut abuf, mut bbuf) = ([0; 4], [0; 4]);
    let a = a.encode_utf8(&mut abuf).as_bytes();
    let b = b.encode_utf8(&mut bbuf).as_bytes();
    if a == b {
        items.extend(a.iter().map(|&x| single(x)));
        return;
    }
    let (a_head, a_last) = a.split_at(a.len() - 1);
    let (b_first, b_tail) = b.split_at(1);
    items.extend(a_head.iter().map(|&x| single(x)));
    items.push(Item::Range(u32::from(a_last[0]), u32::from(b_first[0])));
    items.extend(b_tail.iter().map(|&x| single(x)));
}

/// The matcher's tokens for parsed `.dfsplit.yaml` tokens.
fn lower(ptoks: &[Ptok]) -> Vec<Tok> {
    let mut out = Vec::new();
    for t in ptoks {
        match t {
            Ptok::Lit(c) => out.extend(c.encode_utf8(&mut [0; 4]).bytes().map(Tok::Byte)),
            Ptok::One => out.push(Tok::One),
            Ptok::Star => out.push(Tok::Star),
            Ptok::Prefix => out.push(Tok::Alt(vec![
                vec![],
                vec![Tok::Byte(b'/')],
                vec![Tok::Any, Tok::Byte(b'/')],
            ])),
            Ptok::Suffix => out.extend([Tok::Byte(b'/'), Tok::Any]),
            Ptok::Middle => out.push(Tok::Alt(vec![
                vec![Tok::Byte(b'/')],
                vec![Tok::Byte(b'/'), Tok::Any, Tok::Byte(b'/')],
            ])),
            Ptok::Class(c) => out.push(Tok::Class(c.clone())),
            // globset leaves out branches that come to nothing (`{a,}` is
            // `a`), and the group with them when none is left.
            Ptok::Alt(branches) => {
                let kept: Vec<Vec<Tok>> = branches
                    .iter()
                    .map(|b| lower(b))
                    .filter(|b| !b.is_empty())
                    .collect();
                if !kept.is_empty() {
                    out.push(Tok::Alt(kept));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(p: &str, t: &str) -> bool {
        Glob::git_name(p.as_bytes()).is_match(t.as_bytes())
    }

    fn path(p: &str, t: &str) -> bool {
        Glob::git_path(p.as_bytes()).is_match(t.as_bytes())
    }

    fn config(p: &str, t: &str) -> bool {
        Glob::new(p).unwrap().is_match(t.as_bytes())
    }

    #[test]
    fn git_star_and_question_do_not_match_a_slash() {
        assert!(path("a/*", "a/b"));
        assert!(!path("a/*", "a/b/c"));
        assert!(path("a*c", "abbc") && path("a*c", "ac"));
        assert!(!path("a*c", "a/c"));
        assert!(path("a?c", "abc"));
        assert!(!path("a?c", "a/c") && !path("a?c", "ac"));
        // `?` is one byte, as in git: `é` is two.
        assert!(!name("?", "é") && name("??", "é"));
    }

    #[test]
    fn git_brackets_take_ranges_negation_escapes_and_posix_classes() {
        assert!(name("[ab]x", "bx") && !name("[ab]x", "cx"));
        assert!(name("[a-c]", "b") && !name("[a-c]", "d"));
        assert!(name("[!a-c]", "d") && !name("[!a-c]", "b"));
        assert!(name("[^a-c]", "d") && !name("[^a-c]", "b"));
        // `]` first is a member; `-` first or last is one.
        assert!(name("[]a]", "]") && name("[!]]", "x") && !name("[!]]", "]"));
        assert!(name("[-a]", "-") && name("[a-]", "-"));
        // `\` escapes inside, the range end too.
        assert!(name("[\\]]", "]") && name("[a-\\z]", "q"));
        // A range backwards matches its start only (git compares each end).
        assert!(name("[c-a]", "c") && !name("[c-a]", "b"));
        // After a range, `-` is a member again.
        assert!(name("[a-c-e]", "-") && !name("[a-c-e]", "d"));
        assert!(name("[[:digit:]x]", "7") && name("[[:digit:]x]", "x"));
        assert!(!name("[[:digit:]]", "a") && name("[![:upper:]]", "a"));
        // `[:` without `:]` before the `]`: `[` is a member.
        assert!(name("[[:a]", ":") && name("[[:a]", "["));
        // Never a `/`, negated or not.
        assert!(!path("a[/]b", "a/b") && !path("a[!x]b", "a/b"));
    }

    #[test]
    fn git_bad_brackets_and_a_trailing_backslash_match_nothing() {
        for p in ["a[b", "[", "[!", "[]", "[[:foo:]]", "[a\\", "a\\"] {
            let g = Glob::git_name(p.as_bytes());
            for t in ["a[b", "[", "a", "]", "a\\", "ab", ""] {
                assert!(!g.is_match(t.as_bytes()), "{p} matched {t}");
            }
        }
    }

    #[test]
    fn git_backslash_escapes_the_next_character() {
        assert!(name("\\*", "*") && !name("\\*", "x"));
        assert!(name("a\\?", "a?") && !name("a\\?", "ab"));
        assert!(name("\\[a]", "[a]"));
        assert!(name("\\a", "a"));
    }

    #[test]
    fn git_double_star_leading_trailing_and_middle() {
        // Leading `**/`: any depth, the top included.
        assert!(path("**/b", "b") && path("**/b", "a/b") && path("**/b", "x/y/b"));
        assert!(!path("**/b", "b/c"));
        // Trailing `/**`: everything inside, not the folder itself.
        assert!(path("a/**", "a/b") && path("a/**", "a/b/c"));
        assert!(!path("a/**", "a"));
        // Middle `/**/`: zero or more folders.
        assert!(path("a/**/b", "a/b") && path("a/**/b", "a/x/b") && path("a/**/b", "a/x/y/b"));
        assert!(!path("a/**/b", "ab") && !path("a/**/b", "a/xb"));
        // Three or more stars are two.
        assert!(path("a/***/b", "a/x/y/b"));
    }

    #[test]
    fn git_other_double_stars_are_one_star() {
        assert!(path("a/**b", "a/xb") && !path("a/**b", "a/x/b"));
        assert!(path("a/b**/c", "a/bx/c") && name("x**", "xyz"));
        assert!(!path("x/**y/z", "x/a/y/z"));
    }

    #[test]
    fn git_the_literal_part_of_a_path_pattern_is_cut_before_a_double_star() {
        // git compares `x/ab` as it is and matches `**` alone against the
        // rest: a leading `**`, which crosses folders.
        assert!(path("x/ab**", "x/abc/d"));
        assert!(path("x/ab**/c", "x/abz/y/c"));
        // Not so for a name pattern, which is matched whole.
        assert!(!name("ab**", "ab/c"));
    }

    #[test]
    fn config_star_question_and_double_star_as_globset_reads_them() {
        assert!(config("*/Dockerfile", "a/Dockerfile"));
        assert!(!config("*/Dockerfile", "a/b/Dockerfile"));
        assert!(config("a?c", "abc") && !config("a?c", "a/c"));
        // `?` is one byte here too, as in globset.
        assert!(!config("?", "é") && config("??", "é"));
        assert!(config("**/Dockerfile.dev", "Dockerfile.dev"));
        assert!(config("**/Dockerfile.dev", "a/b/Dockerfile.dev"));
        assert!(config("legacy/**", "legacy/x/Dockerfile") && !config("legacy/**", "legacy"));
        assert!(config("a/**/b", "a/b") && config("a/**/b", "a/x/y/b"));
        assert!(config("**", "a/b/c"));
        // `**` not a whole component is two `*`.
        assert!(config("a**", "abc") && !config("a**", "a/b"));
        assert!(config("**a", "xa") && !config("**a", "x/a"));
        assert!(config("a/**b", "a/xb") && !config("a/**b", "a/x/b"));
    }

    #[test]
    fn config_classes_alternation_and_escapes() {
        assert!(config("[ab]", "a") && !config("[ab]", "c"));
        assert!(config("[!ab]", "c") && config("[^ab]", "c") && !config("[^ab]", "a"));
        assert!(config("[a-c]x", "bx") && config("[]]", "]") && config("[a-]", "-"));
        // A `\` in a class is itself (globset's classes take no escapes).
        assert!(config("[\\]", "\\"));
        assert!(config("{api,web}/Dockerfile", "web/Dockerfile"));
        assert!(!config("{api,web}/Dockerfile", "db/Dockerfile"));
        assert!(config("{a,{b,c}}x", "cx"));
        assert!(config("{a/**,b}", "a/z/y") && config("{**/x,y}", "q/x"));
        // An empty branch is left out (globset's `empty_alternates(false)`).
        assert!(config("a{,b}", "ab") && !config("a{,b}", "a"));
        assert!(config("a,b", "a,b"));
        assert!(config("\\*", "*") && !config("\\*", "x") && config("\\{a\\}", "{a}"));
    }

    #[test]
    fn config_bad_patterns_are_errors() {
        let e = |p: &str| Glob::new(p).unwrap_err();
        assert_eq!(e("a/[b"), GlobError::UnclosedClass);
        assert_eq!(e("[]"), GlobError::UnclosedClass);
        assert_eq!(e("[z-a]"), GlobError::InvalidRange('z', 'a'));
        assert_eq!(e("{a,b"), GlobError::UnclosedAlternates);
        assert_eq!(e("a}"), GlobError::UnopenedAlternates);
        assert_eq!(e("a\\"), GlobError::DanglingEscape);
    }

    #[test]
    fn deeply_nested_groups_are_an_error_not_a_stack_overflow() {
        let nested = |n: usize| format!("{}a{}", "{".repeat(n), "}".repeat(n));
        assert!(config(&nested(MAX_NESTING), "a"));
        assert_eq!(Glob::new(&nested(MAX_NESTING + 1)), Err(GlobError::TooDeep));
        assert_eq!(Glob::new(&nested(200_000)), Err(GlobError::TooDeep));
        // globset takes as deep.
        let globset = |p: &str| globset::GlobBuilder::new(p).literal_separator(true).build();
        assert!(globset(&nested(MAX_NESTING)).is_ok());
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        let g = Glob::new("*?[é]").unwrap();
        for t in [&b"\xff\xfe"[..], b"a\xc3", b"\xc3\xa9\xc3", b""] {
            let _ = g.is_match(t);
            let _ = Glob::git_path(b"*?[\xc3]/**").is_match(t);
        }
        assert!(Glob::new("*").unwrap().is_match(b"\xff"));
    }

    #[test]
    fn stars_that_backtrack_exponentially_are_answered_at_once() {
        // Not timed: before, each took tens of seconds; now a hang would
        // show. git answers these at once.
        let a120 = "a".repeat(120);
        assert!(!name("*a*a*a*a*a*ab", &a120) && !config("*a*a*a*a*a*ab", &a120));
        assert!(name("*a*a*a*a*a*a", &a120) && config("*a*a*a*a*a*a", &a120));
        let deep = "d/".repeat(16);
        let p = format!("{}x", "**/".repeat(16));
        assert!(!path(&p, &format!("{deep}y")) && path(&p, &format!("{deep}x")));
        assert!(path(&p, "x") && !path(&p, "x/d"));
    }

    #[test]
    fn thousands_of_double_star_slashes_do_not_overflow_the_stack() {
        let p = format!("{}Dockerfile", "**/".repeat(40_000));
        let g = Glob::git_path(p.as_bytes());
        assert!(g.is_match(b"Dockerfile") && g.is_match(b"a/b/Dockerfile"));
        assert!(!g.is_match(b"a/b/Dockerfile.dev"));
    }

    #[test]
    fn thousands_of_tokens_are_matched_without_recursion() {
        // `**/x/` does not collapse: every one is matched.
        let p = format!("{}y", "**/x/".repeat(1000));
        let g = Glob::git_path(p.as_bytes());
        assert!(g.is_match(format!("{}y", "x/".repeat(1000)).as_bytes()));
        assert!(g.is_match(format!("{}y", "a/x/".repeat(1000)).as_bytes()));
        assert!(!g.is_match(format!("{}y", "x/".repeat(999)).as_bytes()));
    }

    #[test]
    fn consecutive_double_star_slashes_are_one() {
        assert_eq!(Glob::git_path(b"**/**/**/x"), Glob::git_path(b"**/x"));
        assert_eq!(Glob::git_path(b"a/**/**/x"), Glob::git_path(b"a/**/x"));
    }

    #[test]
    fn config_question_mark_and_classes_are_bytes_as_in_globset() {
        // globset compiles `?` and `[...]` to byte-level regexes: `é` is
        // two units, and a class member `é` is its two bytes, each alone.
        assert!(!config("?", "é") && config("??", "é"));
        assert!(!config("[é]", "é") && config("[é][é]", "é"));
        assert!(config("[!a][!a]", "é") && !config("[!a]", "é"));
        assert!(!config("x?y", "xéy") && config("x??y", "xéy"));
        assert!(config("????", "🐳") && config("*", "🐳") && config("é*", "é🐳"));
        for (p, t) in [
            ("?", "é"),
            ("??", "é"),
            ("[é]", "é"),
            ("[é]?", "é"),
            ("[!é]", "é"),
            ("[a-é]?", "é"),
            ("[é-ü]?", "ö"),
            ("[é-ü]?", "ÿ"),
            ("[!é-ü]?", "ÿ"),
            ("*?", "🐳"),
            ("x?y", "xéy"),
            ("[🐳][🐳][🐳][🐳]", "🐳"),
        ] {
            let theirs = globset::GlobBuilder::new(p)
                .literal_separator(true)
                .build()
                .unwrap()
                .compile_matcher()
                .is_match(t);
            assert_eq!(config(p, t), theirs, "pattern {p:?} path {t:?}");
        }
    }

    /// Pieces `.dfsplit.yaml` patterns are made of: every special character
    /// of the syntax, and names.
    const PIECES: &[&str] = &[
        "a",
        "b",
        "ab",
        "x.",
        "/",
        "/",
        "*",
        "*",
        "?",
        "**",
        "**/",
        "/**",
        "{",
        "}",
        ",",
        "[",
        "]",
        "!",
        "^",
        "-",
        "\\",
        "\\*",
        "[!a]",
        "[a-c]",
        "{a,b}",
        "{,a}",
        ".",
        "é",
        "🐳",
        "[é]",
        "[!é]",
        "[a-é]",
        "[é-🐳]",
        "é?",
    ];

    /// Paths they are matched against.
    const PARTS: &[&str] = &[
        "", "a", "b", "ab", "ba", "x.b", "a-b", "*", "{a}", "a,b", "!", "]", "-", "é", "aé", "🐳",
        "é🐳", "xéy",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 3000,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// The own matcher reads and matches `.dfsplit.yaml` patterns as
        /// globset did (`literal_separator(true)`): same patterns refused,
        /// same paths matched.
        #[test]
        fn config_patterns_match_as_globset_did(
            pattern in proptest::collection::vec(proptest::sample::select(PIECES), 1..8),
            paths in proptest::collection::vec(
                proptest::collection::vec(proptest::sample::select(PARTS), 1..5),
                1..12,
            ),
        ) {
            let pattern = pattern.concat();
            let theirs = globset::GlobBuilder::new(&pattern).literal_separator(true).build();
            let ours = Glob::new(&pattern);
            match (&theirs, &ours) {
                (Err(t), Err(o)) => proptest::prop_assert_eq!(t.kind().to_string(), o.to_string()),
                (Ok(t), Ok(o)) => {
                    let t = t.compile_matcher();
                    for parts in &paths {
                        let path = parts.join("/");
                        proptest::prop_assert_eq!(
                            t.is_match(&path),
                            o.is_match(path.as_bytes()),
                            "pattern {:?} path {:?}", pattern, path
                        );
                    }
                }
                _ => proptest::prop_assert!(false, "{:?}: globset {:?}, ours {:?}", pattern, theirs.err(), ours.err()),
            }
        }
    }
}
