//! The calls in one source file that start a program, and what each starts:
//! Node's `child_process`, Python's `subprocess`, `os` and `pty`, Go's
//! `os/exec` (and `syscall.Exec`, `os.StartProcess`), Java's and Kotlin's
//! `ProcessBuilder` and `Runtime.exec`. Only calls through a name the file
//! binds to those modules count (`const { execFile } = require('child_process')`,
//! `from subprocess import run`, `import ex "os/exec"`): a word in a comment
//! or a string is not a call.

use super::lex::{Lang, Tok, Token, lex};

/// What a call starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum What {
    /// A program by a literal name or path, with its literal arguments
    /// (`None` for one that is not literal).
    Program(String, Vec<Option<String>>),
    /// A literal command line that `/bin/sh -c` runs.
    Shell(String),
    /// The app's own runtime: `fork`, `process.execPath`, `sys.executable`,
    /// `os.Args[0]`.
    Own,
    /// A program not named by a literal: the expression as written.
    Unknown(String),
}

/// A call that starts a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub line: usize,
    /// The call as people know it (`child_process.execFile`).
    pub call: String,
    pub what: What,
}

/// The calls of `src` (a file in `lang`) that start programs.
pub(crate) fn scan(src: &str, lang: Lang) -> Vec<Found> {
    // Cheap first: a file that names none of the modules starts nothing.
    let names_one = match lang {
        Lang::Js => src.contains("child_process"),
        Lang::Python => ["subprocess", "os", "pty", "asyncio"]
            .iter()
            .any(|m| src.contains(m)),
        Lang::Go => src.contains("os/exec") || src.contains("syscall") || src.contains("\"os\""),
        Lang::Java | Lang::Kotlin => src.contains("ProcessBuilder") || src.contains("Runtime"),
    };
    if !names_one {
        return Vec::new();
    }
    let t = lex(src, lang);
    match lang {
        Lang::Js => js(&t),
        Lang::Python => python(&t),
        Lang::Go => go(&t),
        Lang::Java | Lang::Kotlin => jvm(&t),
    }
}

/// The arguments of the call whose `(` is at `open`: each a slice of tokens,
/// split at the commas of its own level; and the index after its `)`.
fn args(t: &[Token], open: usize) -> (Vec<&[Token]>, usize) {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = open + 1;
    let mut i = open;
    while i < t.len() {
        match t[i].tok {
            Tok::P('(' | '[' | '{') => depth += 1,
            Tok::P(')' | ']' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if i > start {
                        out.push(&t[start..i]);
                    }
                    return (out, i + 1);
                }
            }
            Tok::P(',') if depth == 1 => {
                out.push(&t[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    (out, i)
}

/// An expression as written, for a reason.
fn text(arg: &[Token]) -> String {
    let mut s = String::new();
    for tk in arg {
        match &tk.tok {
            Tok::Id(w) => {
                if s.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    s.push(' ');
                }
                s.push_str(w);
            }
            Tok::Str(Some(v)) => s.push_str(&format!("{v:?}")),
            Tok::Str(None) => s.push_str("\"…\""),
            Tok::P(c) => s.push(*c),
        }
        if s.chars().count() > 60 {
            s.push('…');
            break;
        }
    }
    s
}

/// Whether `arg` is exactly these identifiers and punctuation (`sys . executable`).
fn is(arg: &[Token], words: &[&str]) -> bool {
    arg.len() == words.len()
        && arg.iter().zip(words).all(|(tk, w)| match &tk.tok {
            Tok::Id(x) => x == w,
            Tok::P(c) => w.len() == 1 && w.starts_with(*c),
            Tok::Str(_) => false,
        })
}

/// The elements of a list written in place: `[a, b]`, `(a, b)`,
/// `List.of(a, b)`, `Arrays.asList(a, b)`, `new String[]{a, b}`,
/// `listOf(a, b)`, `arrayOf(a, b)`.
fn elements(arg: &[Token]) -> Option<Vec<&[Token]>> {
    let first = arg.first()?;
    let open = if first.is_p('[') || first.is_p('(') {
        0
    } else if is(&arg[..arg.len().min(3)], &["List", ".", "of"])
        || is(&arg[..arg.len().min(3)], &["Arrays", ".", "asList"])
    {
        3
    } else if ["listOf", "arrayOf", "mutableListOf"]
        .iter()
        .any(|w| first.is_id(w))
    {
        1
    } else if first.is_id("new") {
        arg.iter().position(|x| x.is_p('{'))?
    } else {
        return None;
    };
    let (items, end) = args(arg, open);
    (end == arg.len()).then_some(items)
}

fn literal(arg: &[Token]) -> Option<String> {
    match arg {
        [one] => one.str().map(str::to_string),
        _ => None,
    }
}

/// A program from its first word and the words after it.
fn program(first: &[Token], rest: &[&[Token]], own: &dyn Fn(&[Token]) -> bool) -> What {
    if own(first) {
        return What::Own;
    }
    match literal(first) {
        Some(p) => What::Program(p, rest.iter().map(|a| literal(a)).collect()),
        None => What::Unknown(text(first)),
    }
}

/// A program given as a list (`["git", "log"]`) or a single word.
fn program_or_list(arg: &[Token], own: &dyn Fn(&[Token]) -> bool) -> What {
    match elements(arg) {
        Some(items) if !items.is_empty() => program(items[0], &items[1..], own),
        _ => program(arg, &[], own),
    }
}

// ---------------------------------------------------------------------------
// Node.js
// ---------------------------------------------------------------------------

const NODE_CALLS: &[&str] = &[
    "exec",
    "execSync",
    "execFile",
    "execFileSync",
    "spawn",
    "spawnSync",
    "fork",
];

fn js_own(arg: &[Token]) -> bool {
    is(arg, &["process", ".", "execPath"])
        || is(arg, &["process", ".", "argv0"])
        || is(arg, &["process", ".", "argv", "[", "0", "]"])
}

/// The names a file binds to `child_process` (namespaces) and to its
/// functions (local name → the function).
fn js_bindings(t: &[Token]) -> (Vec<String>, Vec<(String, String)>, Vec<Found>) {
    let mut ns = Vec::new();
    let mut fns = Vec::new();
    let mut direct = Vec::new();
    for (i, tk) in t.iter().enumerate() {
        if !matches!(tk.str(), Some("child_process" | "node:child_process")) {
            continue;
        }
        let before = |k: usize| i.checked_sub(k).and_then(|j| t.get(j));
        // require('child_process')
        if before(1).is_some_and(|x| x.is_p('(')) && before(2).is_some_and(|x| x.is_id("require")) {
            // require('child_process').execSync(…)
            if t.get(i + 1).is_some_and(|x| x.is_p(')'))
                && t.get(i + 2).is_some_and(|x| x.is_p('.'))
                && let Some(f) = t.get(i + 3).and_then(Token::id)
                && NODE_CALLS.contains(&f)
                && t.get(i + 4).is_some_and(|x| x.is_p('('))
            {
                direct.extend(js_call(t, i + 4, f));
            }
            if !before(3).is_some_and(|x| x.is_p('=')) {
                continue;
            }
            match before(4) {
                Some(x) if x.is_p('}') => {
                    let close = i - 4;
                    if let Some(open) = (0..close).rev().find(|&j| t[j].is_p('{')) {
                        fns.extend(destructured(&t[open + 1..close], ":"));
                    }
                }
                Some(x) => {
                    if let Some(n) = x.id() {
                        ns.push(n.to_string());
                    }
                }
                None => {}
            }
            continue;
        }
        // import … from 'child_process'
        if before(1).is_some_and(|x| x.is_id("from"))
            && let Some(start) = (0..i).rev().find(|&j| t[j].is_id("import"))
        {
            let clause = &t[start + 1..i - 1];
            let mut k = 0;
            while k < clause.len() {
                if clause[k].is_p('*') && clause.get(k + 1).is_some_and(|x| x.is_id("as")) {
                    if let Some(n) = clause.get(k + 2).and_then(Token::id) {
                        ns.push(n.to_string());
                    }
                    k += 3;
                } else if clause[k].is_p('{') {
                    let close = (k..clause.len())
                        .find(|&j| clause[j].is_p('}'))
                        .unwrap_or(clause.len());
                    fns.extend(destructured(&clause[k + 1..close], "as"));
                    k = close + 1;
                } else if let Some(n) = clause[k].id() {
                    if n != "type" {
                        ns.push(n.to_string());
                    }
                    k += 1;
                } else {
                    k += 1;
                }
            }
        }
    }
    (ns, fns, direct)
}

/// `a, b: c` (`:` in destructuring, `as` in imports) → (local, function).
fn destructured(t: &[Token], rename: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in t.split(|x| x.is_p(',')) {
        let words: Vec<&str> = part
            .iter()
            .filter_map(|x| x.id().or(if x.is_p(':') { Some(":") } else { None }))
            .collect();
        match words.as_slice() {
            [f] => out.push((f.to_string(), f.to_string())),
            [f, r, local] if *r == rename => out.push((local.to_string(), f.to_string())),
            _ => {}
        }
    }
    out.retain(|(_, f)| NODE_CALLS.contains(&f.as_str()));
    out
}

/// The call of child_process's `f` whose `(` is at `open`.
fn js_call(t: &[Token], open: usize, f: &str) -> Option<Found> {
    let (a, _) = args(t, open);
    let line = t[open].line;
    let call = format!("child_process.{f}");
    let first = a.first()?;
    let what = match f {
        "fork" => What::Own,
        "exec" | "execSync" => match literal(first) {
            Some(cmd) => What::Shell(cmd),
            None => What::Unknown(text(first)),
        },
        _ => {
            // `shell: true` in the options runs the words through /bin/sh.
            let shell = a.iter().skip(1).any(|x| {
                x.windows(3)
                    .any(|w| w[0].is_id("shell") && w[1].is_p(':') && !w[2].is_id("false"))
            });
            let rest: Vec<&[Token]> = a.get(1).and_then(|x| elements(x)).unwrap_or_default();
            match program(first, &rest, &js_own) {
                What::Program(p, words) if shell => {
                    let mut line = p;
                    for w in &words {
                        match w {
                            Some(w) => {
                                line.push(' ');
                                line.push_str(w);
                            }
                            None => {
                                return Some(Found {
                                    line: t[open].line,
                                    call,
                                    what: What::Unknown(line),
                                });
                            }
                        }
                    }
                    What::Shell(line)
                }
                other => other,
            }
        }
    };
    Some(Found { line, call, what })
}

fn js(t: &[Token]) -> Vec<Found> {
    let (ns, mut fns, mut out) = js_bindings(t);
    // `const run = promisify(execFile)` / `util.promisify(cp.exec)`.
    for i in 0..t.len() {
        if !(t[i].is_id("promisify") && t.get(i + 1).is_some_and(|x| x.is_p('('))) {
            continue;
        }
        let (a, _) = args(t, i + 1);
        let target = match a.first() {
            Some([x]) => x
                .id()
                .and_then(|n| fns.iter().find(|(l, _)| l == n))
                .map(|(_, f)| f.clone()),
            Some([n, dot, f])
                if dot.is_p('.') && n.id().is_some_and(|n| ns.iter().any(|x| x == n)) =>
            {
                f.id()
                    .filter(|f| NODE_CALLS.contains(f))
                    .map(str::to_string)
            }
            _ => None,
        };
        let mut j = i;
        if j >= 2 && t[j - 1].is_p('.') {
            j -= 2;
        }
        if let (Some(f), Some(eq), Some(local)) = (
            target,
            j.checked_sub(1).and_then(|k| t.get(k)),
            j.checked_sub(2).and_then(|k| t.get(k)).and_then(Token::id),
        ) && eq.is_p('=')
        {
            fns.push((local.to_string(), f));
        }
    }
    for i in 0..t.len() {
        let Some(name) = t[i].id() else { continue };
        let after_dot = i > 0 && t[i - 1].is_p('.');
        // ns.execFile(…)
        if !after_dot
            && ns.iter().any(|n| n == name)
            && t.get(i + 1).is_some_and(|x| x.is_p('.'))
            && let Some(f) = t.get(i + 2).and_then(Token::id)
            && NODE_CALLS.contains(&f)
            && t.get(i + 3).is_some_and(|x| x.is_p('('))
        {
            out.extend(js_call(t, i + 3, f));
            continue;
        }
        // execFile(…), not obj.execFile(…) nor `function execFile(`.
        if !after_dot
            && t.get(i + 1).is_some_and(|x| x.is_p('('))
            && !(i > 0 && t[i - 1].is_id("function"))
            && let Some((_, f)) = fns.iter().find(|(l, _)| l == name)
        {
            out.extend(js_call(t, i + 1, f));
        }
    }
    out.sort_by_key(|f| f.line);
    out
}

// ---------------------------------------------------------------------------
// Python
// ---------------------------------------------------------------------------

/// Module → its functions that start programs.
const PY_CALLS: &[(&str, &[&str])] = &[
    (
        "subprocess",
        &[
            "run",
            "call",
            "check_call",
            "check_output",
            "Popen",
            "getoutput",
            "getstatusoutput",
        ],
    ),
    (
        "os",
        &[
            "system",
            "popen",
            "execv",
            "execve",
            "execl",
            "execle",
            "execlp",
            "execlpe",
            "execvp",
            "execvpe",
            "spawnl",
            "spawnle",
            "spawnlp",
            "spawnlpe",
            "spawnv",
            "spawnve",
            "spawnvp",
            "spawnvpe",
            "posix_spawn",
            "posix_spawnp",
        ],
    ),
    ("pty", &["spawn"]),
    (
        "asyncio",
        &["create_subprocess_exec", "create_subprocess_shell"],
    ),
];

fn py_own(arg: &[Token]) -> bool {
    is(arg, &["sys", ".", "executable"])
}

fn python(t: &[Token]) -> Vec<Found> {
    // (local name, module) for `import m [as x]`; (local, module, function)
    // for `from m import f [as x]`.
    let mut ns: Vec<(String, &str)> = Vec::new();
    let mut fns: Vec<(String, &str, String)> = Vec::new();
    for i in 0..t.len() {
        if t[i].is_id("import") && !(i >= 2 && t[i - 2].is_id("from")) {
            // import a, b as c
            let line = t[i].line;
            let mut k = i + 1;
            while k < t.len() && t[k].line == line {
                if let Some(m) = t[k].id()
                    && let Some((module, _)) = PY_CALLS.iter().find(|(x, _)| *x == m)
                {
                    let local = if t.get(k + 1).is_some_and(|x| x.is_id("as")) {
                        t.get(k + 2).and_then(Token::id).unwrap_or(m)
                    } else {
                        m
                    };
                    // `import os.path` binds `os` too.
                    ns.push((local.to_string(), module));
                }
                k += 1;
            }
        }
        if t[i].is_id("from")
            && let Some(m) = t.get(i + 1).and_then(Token::id)
            && t.get(i + 2).is_some_and(|x| x.is_id("import"))
            && let Some((module, funcs)) = PY_CALLS.iter().find(|(x, _)| *x == m)
        {
            let mut k = i + 3;
            let paren = t.get(k).is_some_and(|x| x.is_p('('));
            let line = t[i].line;
            while k < t.len() && (t[k].line == line || paren) {
                if t[k].is_p(')') {
                    break;
                }
                if let Some(f) = t[k].id().filter(|f| funcs.contains(f)) {
                    let local = if t.get(k + 1).is_some_and(|x| x.is_id("as")) {
                        t.get(k + 2).and_then(Token::id).unwrap_or(f)
                    } else {
                        f
                    };
                    fns.push((local.to_string(), module, f.to_string()));
                }
                k += 1;
            }
        }
    }
    let mut out = Vec::new();
    for i in 0..t.len() {
        let Some(name) = t[i].id() else { continue };
        if i > 0 && (t[i - 1].is_p('.') || t[i - 1].is_id("def") || t[i - 1].is_id("import")) {
            continue;
        }
        let (module, f, open) = if let Some((_, m)) = ns.iter().find(|(l, _)| l == name)
            && t.get(i + 1).is_some_and(|x| x.is_p('.'))
            && let Some(f) = t.get(i + 2).and_then(Token::id)
            && t.get(i + 3).is_some_and(|x| x.is_p('('))
            && PY_CALLS.iter().any(|(x, fs)| x == m && fs.contains(&f))
        {
            (*m, f.to_string(), i + 3)
        } else if let Some((_, m, f)) = fns.iter().find(|(l, _, _)| l == name)
            && t.get(i + 1).is_some_and(|x| x.is_p('('))
        {
            (*m, f.clone(), i + 1)
        } else {
            continue;
        };
        let (a, _) = args(t, open);
        let positional: Vec<&[Token]> = a
            .iter()
            .copied()
            .filter(|x| !(x.len() >= 2 && x[0].id().is_some() && x[1].is_p('=')))
            .collect();
        let keyword = |k: &str| {
            a.iter().copied().find_map(|x| {
                (x.len() >= 3 && x[0].is_id(k) && x[1].is_p('=') && !x[2].is_p('='))
                    .then(|| &x[2..])
            })
        };
        let shell_kw = keyword("shell").is_some_and(|v| !is(v, &["False"]));
        let call = format!("{module}.{f}");
        let line = t[open].line;
        let shell_line = |arg: &[Token]| match literal(arg) {
            Some(cmd) => What::Shell(cmd),
            None => What::Unknown(text(arg)),
        };
        let what = match (module, f.as_str()) {
            ("subprocess", "getoutput" | "getstatusoutput")
            | ("os", "system" | "popen")
            | ("asyncio", "create_subprocess_shell") => match positional.first() {
                Some(arg) => shell_line(arg),
                None => continue,
            },
            ("subprocess", _) => {
                let Some(arg) = positional.first().copied().or_else(|| keyword("args")) else {
                    continue;
                };
                if py_own(arg) {
                    What::Own
                } else if shell_kw {
                    match elements(arg) {
                        Some(items) if !items.is_empty() => shell_line(items[0]),
                        _ => shell_line(arg),
                    }
                } else {
                    program_or_list(arg, &py_own)
                }
            }
            ("os", f) if f.starts_with("spawn") => match positional.get(1) {
                Some(arg) => program(arg, &[], &py_own),
                None => continue,
            },
            ("pty", _) => match positional.first() {
                Some(arg) => program_or_list(arg, &py_own),
                None => continue,
            },
            _ => match positional.first() {
                Some(arg) => program(arg, &positional[1..], &py_own),
                None => continue,
            },
        };
        out.push(Found { line, call, what });
    }
    out
}

// ---------------------------------------------------------------------------
// Go
// ---------------------------------------------------------------------------

fn go_own(arg: &[Token]) -> bool {
    is(arg, &["os", ".", "Args", "[", "0", "]"])
}

fn go(t: &[Token]) -> Vec<Found> {
    // The name each import binds: its alias, or the path's last part.
    let import = |path: &str| -> Option<String> {
        let i = t.iter().position(|x| x.str() == Some(path))?;
        match i.checked_sub(1).map(|j| &t[j]) {
            Some(x) if x.id().is_some_and(|w| w != "import") => x.id().map(str::to_string),
            Some(x) if x.is_p('_') || x.is_p('.') => None,
            _ => path.rsplit('/').next().map(str::to_string),
        }
    };
    let (exec, syscall, os) = (import("os/exec"), import("syscall"), import("os"));
    let mut out = Vec::new();
    for i in 0..t.len() {
        let Some(name) = t[i].id() else { continue };
        if i > 0 && t[i - 1].is_p('.') {
            continue;
        }
        let Some(f) = t.get(i + 2).and_then(Token::id) else {
            continue;
        };
        if !(t.get(i + 1).is_some_and(|x| x.is_p('.')) && t.get(i + 3).is_some_and(|x| x.is_p('(')))
        {
            continue;
        }
        let (module, skip) = match f {
            "Command" | "LookPath" if exec.as_deref() == Some(name) => ("exec", 0),
            "CommandContext" if exec.as_deref() == Some(name) => ("exec", 1),
            "Exec" if syscall.as_deref() == Some(name) => ("syscall", 0),
            "StartProcess" if os.as_deref() == Some(name) => ("os", 0),
            _ => continue,
        };
        let (a, _) = args(t, i + 3);
        let Some(first) = a.get(skip) else { continue };
        out.push(Found {
            line: t[i].line,
            call: format!("{module}.{f}"),
            what: program(first, a.get(skip + 1..).unwrap_or(&[]), &go_own),
        });
    }
    out
}

// ---------------------------------------------------------------------------
// Java and Kotlin
// ---------------------------------------------------------------------------

fn jvm(t: &[Token]) -> Vec<Found> {
    let runtime = t.iter().any(|x| x.is_id("Runtime"));
    let builder = t.iter().any(|x| x.is_id("ProcessBuilder"));
    let never = |_: &[Token]| false;
    let mut out = Vec::new();
    for i in 0..t.len() {
        let Some(name) = t[i].id() else { continue };
        if !t.get(i + 1).is_some_and(|x| x.is_p('(')) {
            continue;
        }
        let after_dot = i > 0 && t[i - 1].is_p('.');
        let (call, a) = match name {
            "ProcessBuilder" if !after_dot => ("ProcessBuilder", args(t, i + 1).0),
            "command" if after_dot && builder => ("ProcessBuilder.command", args(t, i + 1).0),
            "exec" if after_dot && runtime => ("Runtime.exec", args(t, i + 1).0),
            _ => continue,
        };
        let Some(first) = a.first() else { continue };
        let what = if call == "Runtime.exec"
            && let Some(cmd) = literal(first)
        {
            // Runtime.exec(String) splits the line at white space, no shell.
            let mut words = cmd.split_whitespace().map(|w| Some(w.to_string()));
            match words.next().flatten() {
                Some(p) => What::Program(p, words.collect()),
                None => continue,
            }
        } else if a.len() == 1
            && let Some(items) = elements(first)
        {
            match items.split_first() {
                Some((p, rest)) => program(p, rest, &never),
                None => continue,
            }
        } else {
            program(first, &a[1..], &never)
        };
        out.push(Found {
            line: t[i].line,
            call: call.into(),
            what,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(src: &str, lang: Lang) -> Vec<(usize, String, What)> {
        scan(src, lang)
            .into_iter()
            .map(|f| (f.line, f.call, f.what))
            .collect()
    }

    fn prog(p: &str, args: &[&str]) -> What {
        What::Program(p.into(), args.iter().map(|a| Some(a.to_string())).collect())
    }

    #[test]
    fn node_calls_through_every_binding() {
        let src = r#"const http = require('http');
const { execFile, spawn: sp } = require('child_process');
const cp = require("node:child_process");
import * as kid from 'child_process';
import { execSync as run } from 'child_process';
// execFile('curl') in a comment
const help = "execFile('wget')";
execFile('git', ['--version'], cb);
sp(process.execPath, ['worker.js']);
cp.fork('./worker.js');
kid.spawnSync('convert', ['a.png', 'b.jpg']);
run('ls -l | wc -l');
cp.execFile(tool, []);
obj.execFile('not-ours');
require('child_process').exec(`tar czf ${out} .`);
cp.spawn('sh', ['-c', 'date'], { shell: false });
cp.spawn('echo', ['hi'], { shell: true });
"#;
        assert_eq!(
            found(src, Lang::Js),
            [
                (
                    8,
                    "child_process.execFile".into(),
                    prog("git", &["--version"])
                ),
                (9, "child_process.spawn".into(), What::Own),
                (10, "child_process.fork".into(), What::Own),
                (
                    11,
                    "child_process.spawnSync".into(),
                    prog("convert", &["a.png", "b.jpg"])
                ),
                (
                    12,
                    "child_process.execSync".into(),
                    What::Shell("ls -l | wc -l".into())
                ),
                (
                    13,
                    "child_process.execFile".into(),
                    What::Unknown("tool".into())
                ),
                (
                    15,
                    "child_process.exec".into(),
                    What::Unknown("\"…\"".into())
                ),
                (
                    16,
                    "child_process.spawn".into(),
                    prog("sh", &["-c", "date"])
                ),
                (
                    17,
                    "child_process.spawn".into(),
                    What::Shell("echo hi".into())
                ),
            ]
        );
    }

    #[test]
    fn node_promisified_calls() {
        let src = "const util = require('util');\nconst { exec } = require('child_process');\nconst run = util.promisify(exec);\nawait run('git pull');\n";
        assert_eq!(
            found(src, Lang::Js),
            [(
                4,
                "child_process.exec".into(),
                What::Shell("git pull".into())
            )]
        );
    }

    #[test]
    fn a_file_without_child_process_starts_nothing() {
        assert!(found("app.exec('x'); spawn('y')", Lang::Js).is_empty());
    }

    #[test]
    fn python_calls() {
        let src = r#"import os, sys
import subprocess as sp
from subprocess import check_output, run as go
# os.system("rm -rf /")
"""subprocess.run(["curl"])"""
sp.run(["ffmpeg", "-i", src], check=True)
check_output("git rev-parse HEAD", shell=True)
go([sys.executable, "-m", "worker"])
os.system(f"convert {a} {b}")
os.execvp("gunicorn", ["gunicorn", "app:app"])
sp.Popen(cmd)
sp.call(args=("pdftotext", "x.pdf"))
"#;
        assert_eq!(
            found(src, Lang::Python),
            [
                (
                    6,
                    "subprocess.run".into(),
                    What::Program("ffmpeg".into(), vec![Some("-i".into()), None])
                ),
                (
                    7,
                    "subprocess.check_output".into(),
                    What::Shell("git rev-parse HEAD".into())
                ),
                (8, "subprocess.run".into(), What::Own),
                (9, "os.system".into(), What::Unknown("\"…\"".into())),
                (
                    10,
                    "os.execvp".into(),
                    What::Program("gunicorn".into(), vec![None])
                ),
                (11, "subprocess.Popen".into(), What::Unknown("cmd".into())),
                (12, "subprocess.call".into(), prog("pdftotext", &["x.pdf"])),
            ]
        );
    }

    #[test]
    fn go_calls() {
        let src = "package main\n\nimport (\n\t\"os\"\n\tx \"os/exec\"\n)\n\n// exec.Command(\"curl\")\nfunc main() {\n\tx.Command(\"git\", \"log\").Run()\n\tx.CommandContext(ctx, os.Args[0], \"child\")\n\tx.Command(name)\n}\n";
        assert_eq!(
            found(src, Lang::Go),
            [
                (10, "exec.Command".into(), prog("git", &["log"])),
                (11, "exec.CommandContext".into(), What::Own),
                (12, "exec.Command".into(), What::Unknown("name".into())),
            ]
        );
    }

    #[test]
    fn java_and_kotlin_calls() {
        let src = "class A { void f() throws Exception {\n  new ProcessBuilder(\"git\", \"status\").start();\n  Runtime.getRuntime().exec(\"convert a.png b.jpg\");\n  new ProcessBuilder(List.of(\"ls\", \"-l\"));\n  new ProcessBuilder(cmd);\n  Runtime.getRuntime().exec(new String[]{\"sh\", \"-c\", \"date\"});\n} }\n";
        assert_eq!(
            found(src, Lang::Java),
            [
                (2, "ProcessBuilder".into(), prog("git", &["status"])),
                (
                    3,
                    "Runtime.exec".into(),
                    prog("convert", &["a.png", "b.jpg"])
                ),
                (4, "ProcessBuilder".into(), prog("ls", &["-l"])),
                (5, "ProcessBuilder".into(), What::Unknown("cmd".into())),
                (6, "Runtime.exec".into(), prog("sh", &["-c", "date"])),
            ]
        );
        assert_eq!(
            found(
                "fun f() = ProcessBuilder(listOf(\"git\", \"$ref\")).start()\n",
                Lang::Kotlin
            ),
            [(
                1,
                "ProcessBuilder".into(),
                What::Program("git".into(), vec![None])
            )]
        );
    }
}
