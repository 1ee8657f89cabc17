//! Small pattern languages used by the rules: globs, tag patterns, templates,
//! image references and command-line matching. All pure string functions.

use std::collections::BTreeMap;

use super::schema::{CommandMatch, Wrapper};

/// Glob match: `*` matches any run of characters (including none), `?` one
/// character; everything else is literal. Case-sensitive.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    // Called for every rule against every command (~100 rules per RUN
    // command), so it must not allocate: a literal pattern is a comparison,
    // ASCII is matched byte by byte, and only non-ASCII goes through chars.
    if !pattern.contains(['*', '?']) {
        return pattern == text;
    }
    if pattern.is_ascii() && text.is_ascii() {
        return glob_slices(pattern.as_bytes(), text.as_bytes(), b'*', b'?');
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob_slices(&p, &t, '*', '?')
}

/// A COPY source pattern against a context path, part by part: `*` and `?`
/// do not cross a `/` (Go's `filepath.Match` without classes), so the two
/// must have as many parts and each part is a [`glob_match`] — linear in the
/// path, whatever the pattern holds.
pub fn glob_path(pattern: &str, path: &str) -> bool {
    pattern.split('/').count() == path.split('/').count()
        && pattern
            .split('/')
            .zip(path.split('/'))
            .all(|(p, f)| glob_match(p, f))
}

/// The glob algorithm over any symbols: `star` matches any run, `one` any
/// single symbol (backtracking to the last star).
fn glob_slices<T: Copy + PartialEq>(p: &[T], t: &[T], star_sym: T, one: T) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == one || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == star_sym {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == star_sym)
}

/// True if `text` matches any of `patterns`.
pub fn any_glob(patterns: &[String], text: &str) -> bool {
    patterns.iter().any(|p| glob_match(p, text))
}

/// Variables read from an image tag (`major` → `20`).
pub type Vars = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum TagToken {
    Lit(char),
    Star,
    Var(String),
}

/// Reads a `{name}` variable after its `{`: lower-case letters and `_` up
/// to the closing `}`. `what` names the pattern in messages.
fn read_var_name(chars: &mut std::str::Chars<'_>, what: &str) -> Result<String, String> {
    let mut name = String::new();
    loop {
        match chars.next() {
            Some('}') => break,
            Some(ch) if ch.is_ascii_lowercase() || ch == '_' => name.push(ch),
            Some(ch) => return Err(format!("{what}: invalid character `{ch}` in variable name")),
            None => return Err(format!("{what}: unclosed `{{`")),
        }
    }
    if name.is_empty() {
        return Err(format!("{what}: empty variable name"));
    }
    Ok(name)
}

/// Checks the syntax of a tag pattern; returns a message on error.
pub fn check_tag_pattern(pattern: &str) -> Result<(), String> {
    tokenize_tag_pattern(pattern).map(|_| ())
}

/// Longest tag pattern accepted; real ones are a few dozen characters, and
/// the matcher recurses once per token.
const MAX_TAG_PATTERN: usize = 256;

fn tokenize_tag_pattern(pattern: &str) -> Result<Vec<TagToken>, String> {
    if pattern.chars().count() > MAX_TAG_PATTERN {
        return Err(format!(
            "tag pattern is longer than {MAX_TAG_PATTERN} characters"
        ));
    }
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            // `**` is `*`; collapsing keeps backtracking polynomial.
            '*' if out.last() == Some(&TagToken::Star) => {}
            '*' => out.push(TagToken::Star),
            '{' => {
                let name = read_var_name(&mut chars, &format!("tag pattern `{pattern}`"))?;
                out.push(TagToken::Var(name));
            }
            '}' => return Err(format!("tag pattern `{pattern}`: unmatched `}}`")),
            other => out.push(TagToken::Lit(other)),
        }
    }
    Ok(out)
}

/// Variable names a tag pattern captures.
pub fn tag_pattern_vars(pattern: &str) -> Vec<String> {
    tokenize_tag_pattern(pattern)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| match t {
            TagToken::Var(v) => Some(v),
            _ => None,
        })
        .collect()
}

/// Matches a whole tag against a tag pattern. `{var}` captures a maximal run
/// of ASCII digits (never followed by another digit). Returns the captures.
pub fn match_tag_pattern(pattern: &str, tag: &str) -> Option<Vars> {
    let tokens = tokenize_tag_pattern(pattern).ok()?;
    let text: Vec<char> = tag.chars().collect();
    let mut vars = Vars::new();
    if match_tokens(&tokens, &text, &mut vars) {
        Some(vars)
    } else {
        None
    }
}

fn match_tokens(tokens: &[TagToken], text: &[char], vars: &mut Vars) -> bool {
    let Some((first, rest)) = tokens.split_first() else {
        return text.is_empty();
    };
    match first {
        TagToken::Lit(c) => text.first() == Some(c) && match_tokens(rest, &text[1..], vars),
        TagToken::Star => (0..=text.len()).any(|i| match_tokens(rest, &text[i..], vars)),
        TagToken::Var(name) => {
            let digits = text.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return false;
            }
            let before = vars.clone();
            vars.insert(name.clone(), text[..digits].iter().collect());
            if match_tokens(rest, &text[digits..], vars) {
                true
            } else {
                *vars = before;
                false
            }
        }
    }
}

/// Variable names used in an image template, and whether each is inside an
/// optional `[...]` group: `(name, optional)`. Errors on bad syntax.
pub fn template_vars(template: &str) -> Result<Vec<(String, bool)>, String> {
    let mut out = Vec::new();
    let mut in_group = false;
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' if in_group => return Err(format!("template `{template}`: nested `[`")),
            '[' => in_group = true,
            ']' if !in_group => return Err(format!("template `{template}`: unmatched `]`")),
            ']' => in_group = false,
            '{' => {
                let name = read_var_name(&mut chars, &format!("template `{template}`"))?;
                out.push((name, in_group));
            }
            '}' => return Err(format!("template `{template}`: unmatched `}}`")),
            _ => {}
        }
    }
    if in_group {
        return Err(format!("template `{template}`: unclosed `[`"));
    }
    Ok(out)
}

/// Renders a template. `{var}` outside a group must be known (else `None`);
/// a `[...]` group is emitted only if every variable inside it is known.
pub fn render_template(template: &str, vars: &Vars) -> Option<String> {
    let mut out = String::new();
    let mut group: Option<(String, bool)> = None; // (buffer, all vars known)
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' => group = Some((String::new(), true)),
            ']' => {
                let (buf, ok) = group.take()?;
                if ok {
                    out.push_str(&buf);
                }
            }
            '{' => {
                let name: String = chars.by_ref().take_while(|&ch| ch != '}').collect();
                match (vars.get(&name), group.as_mut()) {
                    (Some(v), Some((buf, _))) => buf.push_str(v),
                    (Some(v), None) => out.push_str(v),
                    (None, Some((_, ok))) => *ok = false,
                    (None, None) => return None,
                }
            }
            other => match group.as_mut() {
                Some((buf, _)) => buf.push(other),
                None => out.push(other),
            },
        }
    }
    if group.is_some() {
        return None;
    }
    Some(out)
}

/// Renders a path template with captures; `None` if a capture is missing.
pub fn render_path(template: &str, captures: &Vars) -> Option<String> {
    let mut out = String::new();
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        if c == '{' {
            let name: String = chars.by_ref().take_while(|&ch| ch != '}').collect();
            out.push_str(captures.get(&name)?);
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Placeholder names used in a path template (`{output}` → `output`).
pub fn path_placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                out.push(after[..end].to_owned());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Normalised name without tag or digest: Docker Hub's `docker.io/`,
    /// `index.docker.io/` and `library/` prefixes are removed.
    pub name: String,
    /// Tag, if given.
    pub tag: Option<String>,
    /// Digest (`sha256:...`), if given.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses `[registry/]path[:tag][@digest]`. Never fails: odd input gives
    /// an odd name that simply matches no rule.
    pub fn parse(reference: &str) -> ImageRef {
        let reference = reference.trim();
        let (rest, digest) = match reference.split_once('@') {
            Some((r, d)) => (r, Some(d.to_owned())),
            None => (reference, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (
                &rest[..last_slash + i],
                Some(rest[last_slash + i + 1..].to_owned()),
            ),
            None => (rest, None),
        };
        let mut name = name;
        for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] {
            if let Some(stripped) = name.strip_prefix(prefix) {
                name = stripped;
                break;
            }
        }
        if let Some(stripped) = name.strip_prefix("library/") {
            name = stripped;
        }
        ImageRef {
            name: name.to_owned(),
            tag: tag.filter(|t| !t.is_empty()),
            digest,
        }
    }
}

/// Basename of a program path (`/usr/local/bin/npm` → `npm`).
pub fn program_basename(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

/// Result of matching a command against a [`CommandMatch`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArgMatch {
    /// Captured values by capture name.
    pub captures: Vars,
}

/// Matches `program args...` against `m`. Returns the captures on success.
pub fn match_command<S: AsRef<str>>(
    m: &CommandMatch,
    program: &str,
    args: &[S],
) -> Option<ArgMatch> {
    let base = program_basename(program);
    if !any_glob(&m.program, base) {
        return None;
    }
    let takes_value = |flag: &str| {
        m.value_flags.iter().any(|f| f == flag) || m.capture.values().flatten().any(|f| f == flag)
    };

    let (positionals, options) = split_args(args, takes_value);

    for (slot, pattern) in m.args.iter().enumerate() {
        let arg = positionals.get(slot)?;
        if !any_glob(&pattern.0, arg) {
            return None;
        }
    }
    if m.exact && positionals.len() > m.args.len() {
        return None;
    }
    if !m.rest_args.is_empty()
        && !positionals
            .iter()
            .skip(m.args.len())
            .all(|a| any_glob(&m.rest_args, a))
    {
        return None;
    }
    if !m.any_arg.is_empty() && !positionals.iter().any(|a| any_glob(&m.any_arg, a)) {
        return None;
    }
    let option_matches = |patterns: &[String], (name, value): &(&str, Option<&str>)| {
        any_glob(patterns, name)
            || value.is_some_and(|v| any_glob(patterns, &format!("{name}={v}")))
    };
    if !m.with_flag.is_empty() && !options.iter().any(|o| option_matches(&m.with_flag, o)) {
        return None;
    }
    if options.iter().any(|o| option_matches(&m.without_flag, o)) {
        return None;
    }

    let mut captures = Vars::new();
    for (cap, flags) in &m.capture {
        if let Some(value) = options
            .iter()
            .find_map(|(name, value)| value.filter(|_| flags.iter().any(|f| f == name)))
        {
            captures.insert(cap.clone(), value.to_owned());
        }
    }
    for (cap, index) in &m.capture_args {
        if let Some(value) = positionals.get(*index) {
            captures.insert(cap.clone(), (*value).to_owned());
        }
    }
    Some(ArgMatch { captures })
}

/// An option as `(name, value)`; `value` is `None` for boolean options.
type Opt<'a> = (&'a str, Option<&'a str>);

/// Splits arguments into positionals and options. `takes_value` says which
/// options consume the next argument.
fn split_args<'a, S: AsRef<str>>(
    args: &'a [S],
    takes_value: impl Fn(&str) -> bool,
) -> (Vec<&'a str>, Vec<Opt<'a>>) {
    let mut positionals = Vec::new();
    let mut options = Vec::new();
    let mut i = 0;
    let mut options_done = false;
    while i < args.len() {
        let arg = args[i].as_ref();
        if options_done || !arg.starts_with('-') || arg == "-" {
            positionals.push(arg);
        } else if arg == "--" {
            options_done = true;
        } else if let Some((name, value)) = arg.split_once('=') {
            options.push((name, Some(value)));
        } else if takes_value(arg) && i + 1 < args.len() {
            options.push((arg, Some(args[i + 1].as_ref())));
            i += 1;
        } else {
            options.push((arg, None));
        }
        i += 1;
    }
    (positionals, options)
}

/// If `program args...` is a call through wrapper `w`, returns the wrapped
/// program and its arguments.
pub fn unwrap_command<'a, S: AsRef<str>>(
    w: &Wrapper,
    program: &str,
    args: &'a [S],
) -> Option<(&'a str, &'a [S])> {
    if !any_glob(&w.program, program_basename(program)) {
        return None;
    }
    let mut slot = 0;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_ref();
        if let Some(flag) = &w.module_flag {
            if arg == flag.as_str() {
                let module = args.get(i + 1)?.as_ref();
                return (slot == w.args.len()).then_some((module, &args[i + 2..]));
            }
            if let Some(module) = arg.strip_prefix(flag.as_str()).filter(|m| !m.is_empty()) {
                // `-mpip` form.
                return (slot == w.args.len()).then_some((module, &args[i + 1..]));
            }
        }
        if arg.starts_with('-') && arg != "-" {
            if !arg.contains('=') && w.value_flags.iter().any(|f| f == arg) {
                i += 1;
            }
        } else if slot < w.args.len() {
            if !any_glob(&w.args[slot].0, arg) {
                return None;
            }
            slot += 1;
        } else if w.module_flag.is_none() {
            return Some((arg, &args[i + 1..]));
        } else {
            // A script path (`python app.py`): not a wrapped program.
            return None;
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*.csproj", "App.csproj"));
        assert!(glob_match("requirements*.txt", "requirements-dev.txt"));
        assert!(!glob_match("requirements*.txt", "requirements.in"));
        assert!(glob_match("python3.*", "python3.11"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("abc", "abcd"));
        assert!(glob_match("*-dev", "libpq-dev"));
    }

    /// The allocation-free paths agree with matching over chars, on ASCII
    /// and non-ASCII alike.
    #[test]
    fn globs_agree_with_matching_over_chars() {
        use proptest::prelude::*;
        fn by_chars(pattern: &str, text: &str) -> bool {
            let p: Vec<char> = pattern.chars().collect();
            let t: Vec<char> = text.chars().collect();
            glob_slices(&p, &t, '*', '?')
        }
        let sym = "[ab*?é/.-]{0,8}";
        proptest!(ProptestConfig::with_cases(2000), |(p in sym, t in "[abé/.-]{0,10}")| {
            prop_assert_eq!(glob_match(&p, &t), by_chars(&p, &t), "{:?} vs {:?}", p, t);
        });
        assert!(glob_match("n?de", "nöde"));
        assert!(!glob_match("n?de", "nde"));
        assert!(glob_match("*é", "café"));
        assert!(!glob_match("caf?", "cafée"));
    }

    /// Part by part is the same as the definition read literally (`*` any
    /// run without `/`, `?` one byte that is not `/`), on inputs small
    /// enough for the literal reading's backtracking.
    #[test]
    fn glob_path_is_the_literal_definition() {
        use proptest::prelude::*;
        fn literal(p: &[u8], n: &[u8]) -> bool {
            match (p.first(), n.first()) {
                (None, None) => true,
                (Some(b'*'), _) => {
                    literal(&p[1..], n) || (!n.is_empty() && n[0] != b'/' && literal(p, &n[1..]))
                }
                (Some(b'?'), Some(&c)) => c != b'/' && literal(&p[1..], &n[1..]),
                (Some(a), Some(b)) => a == b && literal(&p[1..], &n[1..]),
                _ => false,
            }
        }
        proptest!(ProptestConfig::with_cases(4000), |(p in "[ab*?/.]{0,8}", t in "[ab/.]{0,10}")| {
            prop_assert_eq!(glob_path(&p, &t), literal(p.as_bytes(), t.as_bytes()), "{:?} vs {:?}", p, t);
        });
        assert!(glob_path("src/*.ts", "src/a.ts"));
        assert!(!glob_path("src/*", "src/a/b.ts"));
        assert!(!glob_path("*", "a/b"));
    }

    #[test]
    fn tag_patterns_capture_maximal_digit_runs() {
        let v = match_tag_pattern("{major}*", "20.11.1-alpine3.19").unwrap();
        assert_eq!(v["major"], "20");
        let v = match_tag_pattern("{major}.{minor}*", "3.11-slim-bookworm").unwrap();
        assert_eq!((v["major"].as_str(), v["minor"].as_str()), ("3", "11"));
        let v = match_tag_pattern(
            "*-eclipse-temurin-{major}*",
            "3.9.9-eclipse-temurin-21-alpine",
        )
        .unwrap();
        assert_eq!(v["major"], "21");
        assert!(match_tag_pattern("{major}*", "lts-slim").is_none());
        assert!(match_tag_pattern("*jdk{major}*", "21-jdk").is_none());
        assert!(match_tag_pattern("{major}.{minor}*", "3").is_none());
        assert!(check_tag_pattern("{major").is_err());
        assert!(check_tag_pattern("{Major}").is_err());
        assert!(check_tag_pattern(&"*".repeat(300)).is_err());
        assert!(match_tag_pattern(&"*".repeat(200), "20-slim").is_some());
        assert!(match_tag_pattern("*-*-*-*-*-x", &"-".repeat(60)).is_none());
    }

    #[test]
    fn templates_with_optional_groups() {
        let mut vars = Vars::new();
        vars.insert("major".into(), "3".into());
        assert_eq!(
            render_template("python:{major}[.{minor}]-slim[-{suite}]", &vars).as_deref(),
            Some("python:3-slim")
        );
        vars.insert("minor".into(), "11".into());
        vars.insert("suite".into(), "bookworm".into());
        assert_eq!(
            render_template("python:{major}[.{minor}]-slim[-{suite}]", &vars).as_deref(),
            Some("python:3.11-slim-bookworm")
        );
        assert_eq!(render_template("x:{nope}", &vars), None);
        assert!(template_vars("a[b[c]]").is_err());
        assert!(template_vars("a[b").is_err());
        assert_eq!(
            template_vars("n:{major}[-{suite}]").unwrap(),
            vec![("major".to_owned(), false), ("suite".to_owned(), true)]
        );
    }

    #[test]
    fn image_refs() {
        let r = ImageRef::parse("docker.io/library/node:20-bookworm@sha256:abc");
        assert_eq!(r.name, "node");
        assert_eq!(r.tag.as_deref(), Some("20-bookworm"));
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        let r = ImageRef::parse("localhost:5000/team/app");
        assert_eq!(
            (r.name.as_str(), r.tag.as_deref()),
            ("localhost:5000/team/app", None)
        );
        let r = ImageRef::parse("mcr.microsoft.com/dotnet/sdk:8.0");
        assert_eq!(r.name, "mcr.microsoft.com/dotnet/sdk");
        assert_eq!(r.tag.as_deref(), Some("8.0"));
        let r = ImageRef::parse("node:");
        assert_eq!((r.name.as_str(), r.tag), ("node", None));
    }

    fn cm(yaml: &str) -> CommandMatch {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn command_matching() {
        let m = cm("program: go\nargs: [build]\ncapture: {output: [-o]}\n");
        let r = match_command(
            &m,
            "/usr/local/go/bin/go",
            &argv("build -o /app/server ./cmd"),
        )
        .unwrap();
        assert_eq!(r.captures["output"], "/app/server");
        let r = match_command(&m, "go", &argv("build -o=bin/x .")).unwrap();
        assert_eq!(r.captures["output"], "bin/x");
        assert!(match_command(&m, "go", &argv("test ./...")).is_none());

        let m = cm(
            "program: npm\nargs: [[ci, install, i]]\nwith-flag: ['--omit=dev', --production]\nvalue-flags: [--omit]\n",
        );
        assert!(match_command(&m, "npm", &argv("ci --omit=dev")).is_some());
        assert!(match_command(&m, "npm", &argv("ci --omit dev")).is_some());
        assert!(match_command(&m, "npm", &argv("ci")).is_none());

        let m = cm("program: mvn\nany-arg: [package, install]\n");
        assert!(match_command(&m, "mvn", &argv("-B -DskipTests clean package")).is_some());
        assert!(match_command(&m, "mvn", &argv("test")).is_none());

        let m = cm("program: npm\nargs: [[ci, install]]\nwithout-flag: ['--omit=dev']\n");
        assert!(match_command(&m, "npm", &argv("ci --omit=dev")).is_none());
        assert!(match_command(&m, "npm", &argv("ci")).is_some());

        let m = cm("program: npm\nargs: [run, build]\n");
        assert!(match_command(&m, "npm", &argv("run build")).is_some());
        assert!(match_command(&m, "npm", &argv("run")).is_none());
        assert!(match_command(&m, "npm", &argv("-- run build")).is_some());

        let m = cm("program: yarn\nexact: true\n");
        assert!(match_command(&m, "yarn", &argv("--frozen-lockfile")).is_some());
        assert!(match_command(&m, "yarn", &argv("add x")).is_none());

        let m =
            cm("program: pip\nargs: [install, [uv, 'poetry==*']]\nrest-args: [uv, 'poetry*']\n");
        assert!(match_command(&m, "pip", &argv("install --no-cache-dir uv")).is_some());
        assert!(
            match_command(
                &m,
                "pip",
                &argv("install poetry==1.8.3 poetry-plugin-export")
            )
            .is_some()
        );
        assert!(match_command(&m, "pip", &argv("install uv flask")).is_none());
        assert!(match_command(&m, "pip", &argv("install flask uv")).is_none());

        let m = cm("program: venv\ncapture-args: {venv: 0}\n");
        let r = match_command(&m, "venv", &argv("--copies /opt/venv")).unwrap();
        assert_eq!(r.captures["venv"], "/opt/venv");
    }

    fn wrapper(yaml: &str) -> Wrapper {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn unwrapping() {
        let w = wrapper("id: p/m\nprogram: [python, 'python3*']\nmodule-flag: -m\nwhy: x\n");
        let a = argv("-u -m pip install -r r.txt");
        let (p, rest) = unwrap_command(&w, "python3.11", &a).unwrap();
        assert_eq!((p, rest.len()), ("pip", 3));
        assert!(unwrap_command(&w, "python", &argv("app.py")).is_none());
        assert!(unwrap_command(&w, "python", &argv("-m")).is_none());

        let w =
            wrapper("id: p/r\nprogram: [poetry, uv]\nargs: [run]\nvalue-flags: [--with]\nwhy: x\n");
        let a = argv("run --with rich pytest -q");
        let (p, rest) = unwrap_command(&w, "uv", &a).unwrap();
        assert_eq!((p, rest.len()), ("pytest", 1));
        assert!(unwrap_command(&w, "uv", &argv("sync")).is_none());
    }
}
