//! Unit tests for [`super::parse`] on real `RUN` lines.

use super::*;

/// Parses `src` and checks the span invariants of the whole result.
fn parse_checked(src: &str) -> Script {
    let script = parse(src);
    check_script(src, &script);
    script
}

fn check_span(src: &str, span: &Range<usize>) {
    assert!(
        span.start <= span.end && span.end <= src.len(),
        "span {span:?} out of bounds for {src:?}"
    );
    assert!(
        src.is_char_boundary(span.start) && src.is_char_boundary(span.end),
        "span {span:?} not on char boundaries in {src:?}"
    );
}

fn check_word(src: &str, w: &Word) {
    check_span(src, &w.span);
    assert_eq!(w.raw, &src[w.span.clone()]);
    for s in &w.substitutions {
        check_span(src, &s.span);
        assert!(w.span.start <= s.span.start && s.span.end <= w.span.end);
        for l in &s.lists {
            check_list(src, l);
        }
    }
}

fn check_simple(src: &str, c: &SimpleCommand) {
    check_span(src, &c.span);
    for a in &c.assignments {
        check_span(src, &a.span);
        if let Some(v) = &a.value {
            check_word(src, v);
        }
    }
    for w in &c.words {
        check_word(src, w);
    }
    for r in &c.redirects {
        check_redirect(src, r);
    }
}

fn check_redirect(src: &str, r: &Redirect) {
    check_span(src, &r.span);
    if let Some(t) = &r.target {
        check_word(src, t);
    }
    if let Some(b) = &r.heredoc_body {
        check_span(src, b);
    }
}

fn check_list(src: &str, l: &AndOrList) {
    check_span(src, &l.span);
    for p in l.pipelines() {
        check_span(src, &p.span);
        assert!(!p.commands.is_empty());
        for c in &p.commands {
            match c {
                Command::Simple(c) => check_simple(src, c),
                Command::Compound(c) => {
                    check_span(src, &c.span);
                    c.inner.iter().for_each(|i| check_simple(src, i));
                    c.words.iter().for_each(|w| check_word(src, w));
                    c.redirects.iter().for_each(|r| check_redirect(src, r));
                }
            }
        }
    }
}

fn check_script(src: &str, s: &Script) {
    for e in &s.errors {
        check_span(src, e);
    }
    for l in &s.lists {
        check_list(src, l);
    }
}

/// The text of a span.
fn at<'a>(src: &'a str, span: &Range<usize>) -> &'a str {
    &src[span.clone()]
}

/// The raw words of a simple command.
fn raw_words(c: &SimpleCommand) -> Vec<&str> {
    c.words.iter().map(|w| w.raw.as_str()).collect()
}

/// The literal words of a simple command (panics in the test if any word
/// is not literal).
fn lit_words(c: &SimpleCommand) -> Vec<&str> {
    c.words
        .iter()
        .map(|w| w.literal.as_deref().expect("literal word"))
        .collect()
}

fn simple(c: &Command) -> &SimpleCommand {
    c.as_simple().expect("simple command")
}

fn compound(c: &Command) -> &Compound {
    match c {
        Command::Compound(c) => c,
        Command::Simple(_) => panic!("expected a compound command"),
    }
}

fn ops(l: &AndOrList) -> Vec<AndOr> {
    l.rest.iter().map(|(op, _)| *op).collect()
}

#[test]
fn and_list_then_pipeline() {
    let src = "a && b; c | d";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    assert_eq!(s.lists.len(), 2);

    let l0 = &s.lists[0];
    assert_eq!(at(src, &l0.span), "a && b");
    assert!(!l0.background);
    assert_eq!(ops(l0), [AndOr::And]);
    assert_eq!(at(src, &l0.first.span), "a");
    assert_eq!(at(src, &l0.rest[0].1.span), "b");

    let l1 = &s.lists[1];
    assert_eq!(at(src, &l1.span), "c | d");
    assert!(l1.rest.is_empty());
    let cmds = &l1.first.commands;
    assert_eq!(cmds.len(), 2);
    assert_eq!(at(src, &cmds[0].span()), "c");
    assert_eq!(at(src, &cmds[1].span()), "d");

    let names: Vec<_> = s.simple_commands().map(|c| c.name()).collect();
    assert_eq!(names, [Some("a"), Some("b"), Some("c"), Some("d")]);
}

#[test]
fn cd_and_make() {
    let src = "cd x && make";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    assert_eq!(s.lists.len(), 1);
    let cmds: Vec<_> = s.simple_commands().collect();
    assert_eq!(cmds.len(), 2);
    assert_eq!(cmds[0].name(), Some("cd"));
    assert_eq!(cmds[0].args()[0].literal.as_deref(), Some("x"));
    assert_eq!(at(src, &cmds[0].span), "cd x");
    assert_eq!(cmds[1].name(), Some("make"));
    assert!(cmds[1].args().is_empty());
    assert_eq!(at(src, &cmds[1].span), "make");
}

#[test]
fn prefix_assignment() {
    let src = "VAR=1 cmd arg";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    let c = simple(&s.lists[0].first.commands[0]);
    assert_eq!(at(src, &c.span), src);
    assert_eq!(c.assignments.len(), 1);
    let a = &c.assignments[0];
    assert_eq!(a.name, "VAR");
    assert!(!a.append);
    assert_eq!(at(src, &a.span), "VAR=1");
    let v = a.value.as_ref().expect("value");
    assert_eq!(at(src, &v.span), "1");
    assert_eq!(v.literal.as_deref(), Some("1"));
    assert_eq!(c.name(), Some("cmd"));
    assert_eq!(lit_words(c), ["cmd", "arg"]);
}

#[test]
fn apt_get_line() {
    let src = "set -eux; apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    assert_eq!(s.lists.len(), 2);
    assert_eq!(at(src, &s.lists[0].span), "set -eux");
    assert_eq!(
        at(src, &s.lists[1].span),
        "apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*"
    );
    assert_eq!(ops(&s.lists[1]), [AndOr::And, AndOr::And]);

    let cmds: Vec<_> = s.simple_commands().collect();
    let spans: Vec<_> = cmds.iter().map(|c| at(src, &c.span)).collect();
    assert_eq!(
        spans,
        [
            "set -eux",
            "apt-get update",
            "apt-get install -y --no-install-recommends gcc",
            "rm -rf /var/lib/apt/lists/*",
        ]
    );
    assert_eq!(
        lit_words(cmds[2]),
        ["apt-get", "install", "-y", "--no-install-recommends", "gcc"]
    );
    // The glob stays a literal character.
    assert_eq!(lit_words(cmds[3]), ["rm", "-rf", "/var/lib/apt/lists/*"]);
}

#[test]
fn npm_go_pip_mvnw() {
    let src = "npm ci --omit=dev && npm cache clean --force";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    let cmds: Vec<_> = s.simple_commands().collect();
    assert_eq!(lit_words(cmds[0]), ["npm", "ci", "--omit=dev"]);
    assert_eq!(lit_words(cmds[1]), ["npm", "cache", "clean", "--force"]);
    assert_eq!(at(src, &cmds[1].span), "npm cache clean --force");

    let src = "CGO_ENABLED=0 go build -o /app ./cmd/server";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    let c = s.simple_commands().next().expect("one command");
    assert_eq!(c.assignments[0].name, "CGO_ENABLED");
    assert_eq!(
        c.assignments[0]
            .value
            .as_ref()
            .and_then(|v| v.literal.as_deref()),
        Some("0")
    );
    assert_eq!(c.name(), Some("go"));
    let args: Vec<_> = c.literal_args().collect();
    assert_eq!(
        args,
        [
            Some("build"),
            Some("-o"),
            Some("/app"),
            Some("./cmd/server")
        ]
    );
    assert_eq!(at(src, &c.span), src);

    let src = "pip install --no-cache-dir -r requirements.txt";
    let s = parse_checked(src);
    let c = s.simple_commands().next().expect("one command");
    assert_eq!(
        lit_words(c),
        ["pip", "install", "--no-cache-dir", "-r", "requirements.txt"]
    );

    let src = "./mvnw -B package -DskipTests";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    let c = s.simple_commands().next().expect("one command");
    assert_eq!(c.name(), Some("./mvnw"));
    assert_eq!(lit_words(c), ["./mvnw", "-B", "package", "-DskipTests"]);
}

#[test]
fn if_else() {
    let src = "if [ -f package-lock.json ]; then npm ci; else npm install; fi";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    assert_eq!(s.lists.len(), 1);
    let c = compound(&s.lists[0].first.commands[0]);
    assert_eq!(c.kind, CompoundKind::If);
    assert_eq!(at(src, &c.span), src);
    let inner: Vec<_> = c.inner.iter().map(|c| at(src, &c.span)).collect();
    assert_eq!(inner, ["[ -f package-lock.json ]", "npm ci", "npm install"]);
    assert_eq!(
        lit_words(&c.inner[0]),
        ["[", "-f", "package-lock.json", "]"]
    );
    // simple_commands() descends into the compound.
    let names: Vec<_> = s.simple_commands().filter_map(|c| c.name()).collect();
    assert_eq!(names, ["[", "npm", "npm"]);
}

#[test]
fn subshell() {
    let src = "(cd web && npm run build)";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    let c = compound(&s.lists[0].first.commands[0]);
    assert_eq!(c.kind, CompoundKind::Subshell);
    assert_eq!(at(src, &c.span), src);
    let inner: Vec<_> = c.inner.iter().map(|c| at(src, &c.span)).collect();
    assert_eq!(inner, ["cd web", "npm run build"]);
}

#[test]
fn for_loop() {
    let src = "for f in a b; do echo $f; done";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    let c = compound(&s.lists[0].first.commands[0]);
    assert_eq!(c.kind, CompoundKind::For);
    let header: Vec<_> = c.words.iter().map(|w| w.raw.as_str()).collect();
    assert_eq!(header, ["f", "a", "b"]);
    assert_eq!(c.inner.len(), 1);
    let echo = &c.inner[0];
    assert_eq!(at(src, &echo.span), "echo $f");
    assert_eq!(raw_words(echo), ["echo", "$f"]);
    assert_eq!(echo.args()[0].literal, None);
}

#[test]
fn quoted_operators_and_redirects() {
    let src = "echo \"a && b\" 'c;d' > /tmp/x 2>&1";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    assert_eq!(s.lists.len(), 1);
    let cmds: Vec<_> = s.simple_commands().collect();
    assert_eq!(cmds.len(), 1);
    let c = cmds[0];
    assert_eq!(at(src, &c.span), src);
    assert_eq!(raw_words(c), ["echo", "\"a && b\"", "'c;d'"]);
    assert_eq!(lit_words(c), ["echo", "a && b", "c;d"]);
    assert_eq!(c.redirects.len(), 2);
    let out = &c.redirects[0];
    assert_eq!(at(src, &out.span), "> /tmp/x");
    assert_eq!(out.fd, None);
    assert_eq!(out.op, ">");
    assert_eq!(
        out.target.as_ref().and_then(|t| t.literal.as_deref()),
        Some("/tmp/x")
    );
    let dup = &c.redirects[1];
    assert_eq!(at(src, &dup.span), "2>&1");
    assert_eq!(dup.fd, Some(2));
    assert_eq!(dup.op, ">&");
    assert_eq!(dup.target.as_ref().map(|t| t.raw.as_str()), Some("1"));
}

#[test]
fn heredoc_without_body() {
    let src = "cat <<EOF > /etc/conf";
    let s = parse_checked(src);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let cmds: Vec<_> = s.simple_commands().collect();
    assert_eq!(cmds.len(), 1);
    let c = cmds[0];
    assert_eq!(at(src, &c.span), src);
    assert_eq!(raw_words(c), ["cat"]);
    assert_eq!(c.redirects.len(), 2);
    let h = &c.redirects[0];
    assert_eq!(h.op, "<<");
    assert_eq!(at(src, &h.span), "<<EOF");
    assert_eq!(h.target.as_ref().map(|t| t.raw.as_str()), Some("EOF"));
    assert_eq!(h.heredoc_body, None);
    assert_eq!(c.redirects[1].op, ">");
    assert_eq!(at(src, &c.redirects[1].span), "> /etc/conf");

    // Quoted delimiter, `<<-`, and a following `&&`.
    let src = "cat <<-'EOT' && echo done";
    let s = parse_checked(src);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let cmds: Vec<_> = s.simple_commands().collect();
    assert_eq!(cmds.len(), 2);
    assert_eq!(at(src, &cmds[0].span), "cat <<-'EOT'");
    let h = &cmds[0].redirects[0];
    assert_eq!(h.op, "<<-");
    assert_eq!(
        h.target.as_ref().and_then(|t| t.literal.as_deref()),
        Some("EOT")
    );
    assert_eq!(at(src, &cmds[1].span), "echo done");
    assert_eq!(ops(&s.lists[0]), [AndOr::And]);
}

#[test]
fn heredoc_with_body() {
    let src = "cat <<EOF > /etc/conf\nkey=$VALUE\nEOF";
    let s = parse_checked(src);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let c = s.simple_commands().next().expect("one command");
    assert_eq!(at(src, &c.span), "cat <<EOF > /etc/conf");
    let body = c.redirects[0].heredoc_body.as_ref().expect("body");
    assert_eq!(at(src, body), "key=$VALUE\n");

    // Heredoc feeding a pipeline, then another command on the next line.
    let src = "cat <<EOF | sh\necho hi\nEOF\nls -l";
    let s = parse_checked(src);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.lists.len(), 2);
    let p = &s.lists[0].first;
    let spans: Vec<_> = p.commands.iter().map(|c| at(src, &c.span())).collect();
    assert_eq!(spans, ["cat <<EOF", "sh"]);
    assert_eq!(at(src, &p.span), "cat <<EOF | sh");
    assert_eq!(at(src, &s.lists[1].span), "ls -l");
}

#[test]
fn negation() {
    let src = "! true";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    let p = &s.lists[0].first;
    assert!(p.negated);
    assert_eq!(at(src, &p.span), "! true");
    assert_eq!(at(src, &p.commands[0].span()), "true");

    // `!` negates the whole pipeline, not only its first command.
    let src = "! grep -q x f | wc -l && echo ok";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    let l = &s.lists[0];
    assert!(l.first.negated);
    assert_eq!(at(src, &l.first.span), "! grep -q x f | wc -l");
    assert_eq!(l.first.commands.len(), 2);
    assert!(!l.rest[0].1.negated);
}

#[test]
fn background() {
    let src = "cmd &";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    assert_eq!(s.lists.len(), 1);
    assert!(s.lists[0].background);
    assert_eq!(at(src, &s.lists[0].span), "cmd");

    let src = "a & b";
    let s = parse_checked(src);
    let bg: Vec<_> = s.lists.iter().map(|l| l.background).collect();
    assert_eq!(bg, [true, false]);
}

#[test]
fn command_substitution_in_assignment() {
    let src = "x=$(git rev-parse HEAD) make";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    let c = s.simple_commands().next().expect("command");
    assert_eq!(s.simple_commands().count(), 1);
    assert_eq!(c.name(), Some("make"));
    let a = &c.assignments[0];
    assert_eq!(a.name, "x");
    let v = a.value.as_ref().expect("value");
    assert_eq!(v.raw, "$(git rev-parse HEAD)");
    assert_eq!(v.literal, None);
    assert_eq!(v.substitutions.len(), 1);
    assert_eq!(at(src, &v.substitutions[0].span), "$(git rev-parse HEAD)");

    let all: Vec<_> = s.all_simple_commands().map(|c| at(src, &c.span)).collect();
    assert_eq!(all, [src, "git rev-parse HEAD"]);
}

#[test]
fn substitutions_in_arguments() {
    let src = "echo $(a; b) `c` <(d) \"x$(e)\"";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    let c = s.simple_commands().next().expect("command");
    let subs: Vec<_> = c
        .args()
        .iter()
        .flat_map(|w| &w.substitutions)
        .map(|s| at(src, &s.span))
        .collect();
    assert_eq!(subs, ["$(a; b)", "`c`", "<(d)", "$(e)"]);
    let all: Vec<_> = s.all_simple_commands().filter_map(|c| c.name()).collect();
    assert_eq!(all, ["echo", "a", "b", "c", "d", "e"]);
}

#[test]
fn empty_blank_and_comment() {
    for src in [
        "",
        "   \t  ",
        "\n\n",
        "# only a comment",
        "  # indented comment\n",
    ] {
        let s = parse_checked(src);
        assert!(s.lists.is_empty(), "{src:?}");
        assert!(s.errors.is_empty(), "{src:?}");
        assert_eq!(s.simple_commands().count(), 0);
    }
    // A trailing comment is not a word.
    let src = "make all # build";
    let s = parse_checked(src);
    let c = s.simple_commands().next().expect("command");
    assert_eq!(lit_words(c), ["make", "all"]);
    assert_eq!(at(src, &c.span), "make all");
}

#[test]
fn garbage_reports_errors() {
    for src in [
        "&& ;; ((",
        "if true; then x",
        "echo 'unterminated",
        "))",
        "| |",
        "a &&",
    ] {
        let s = parse_checked(src);
        assert!(s.has_errors(), "{src:?} should have errors");
    }
    // Recovery keeps the command before the error.
    let s = parse_checked("if true; then x");
    assert!(s.simple_commands().any(|c| c.name() == Some("true")));
}

#[test]
fn redirects_attach_to_the_last_command() {
    let src = "a | b > f";
    let s = parse_checked(src);
    let p = &s.lists[0].first;
    assert_eq!(simple(&p.commands[0]).redirects.len(), 0);
    let b = simple(&p.commands[1]);
    assert_eq!(at(src, &b.span), "b > f");
    assert_eq!(b.redirects[0].op, ">");

    let src = "a && b 2>/dev/null";
    let s = parse_checked(src);
    let cmds: Vec<_> = s.simple_commands().collect();
    assert!(cmds[0].redirects.is_empty());
    assert_eq!(at(src, &cmds[1].span), "b 2>/dev/null");

    // `> f g`: `g` is an argument, not part of the redirection target.
    let src = "echo > f g";
    let s = parse_checked(src);
    let c = s.simple_commands().next().expect("command");
    assert_eq!(raw_words(c), ["echo", "g"]);
    assert_eq!(at(src, &c.redirects[0].span), "> f");
    assert_eq!(at(src, &c.span), src);

    // Leading redirection and a redirection-only command.
    let src = "2>/dev/null cmd x; > out";
    let s = parse_checked(src);
    let cmds: Vec<_> = s.simple_commands().collect();
    assert_eq!(at(src, &cmds[0].span), "2>/dev/null cmd x");
    assert_eq!(cmds[0].name(), Some("cmd"));
    assert!(cmds[1].words.is_empty());
    assert_eq!(at(src, &cmds[1].span), "> out");
}

#[test]
fn compound_redirects_and_kinds() {
    let src = "{ a; b; } > log";
    let s = parse_checked(src);
    let c = compound(&s.lists[0].first.commands[0]);
    assert_eq!(c.kind, CompoundKind::Group);
    assert_eq!(at(src, &c.span), src);
    assert_eq!(c.redirects.len(), 1);
    assert_eq!(c.inner.len(), 2);

    let cases = [
        ("while read l; do :; done < f", CompoundKind::While, 2),
        ("until a; do b; done", CompoundKind::Until, 2),
        ("case $x in a|b) echo;; *) y;; esac", CompoundKind::Case, 2),
        ("f() { echo; }", CompoundKind::Function, 1),
        ("((x++))", CompoundKind::Other, 0),
        ("for ((i=0;i<3;i++)); do x; done", CompoundKind::For, 1),
        ("select x in a; do y; done", CompoundKind::Other, 1),
    ];
    for (src, kind, inner) in cases {
        let s = parse_checked(src);
        assert!(s.errors.is_empty(), "{src:?}");
        let c = compound(&s.lists[0].first.commands[0]);
        assert_eq!(c.kind, kind, "{src:?}");
        assert_eq!(c.inner.len(), inner, "{src:?}");
    }
    let src = "case $x in a|b) echo;; esac";
    let s = parse_checked(src);
    let c = compound(&s.lists[0].first.commands[0]);
    let header: Vec<_> = c.words.iter().map(|w| w.raw.as_str()).collect();
    assert_eq!(header, ["$x", "a", "b"]);
}

#[test]
fn builtins_with_special_syntax() {
    let src = "export A=1 B";
    let s = parse_checked(src);
    let c = s.simple_commands().next().expect("command");
    assert_eq!(c.name(), Some("export"));
    assert_eq!(lit_words(c), ["export", "A=1", "B"]);
    assert!(c.assignments.is_empty());

    let src = "[[ \"$a\" == b* ]] && unset X";
    let s = parse_checked(src);
    let cmds: Vec<_> = s.simple_commands().collect();
    assert_eq!(raw_words(cmds[0]), ["[[", "\"$a\"", "==", "b*", "]]"]);
    assert_eq!(lit_words(cmds[1]), ["unset", "X"]);

    let src = "A=1 B=";
    let s = parse_checked(src);
    let c = s.simple_commands().next().expect("command");
    assert!(c.words.is_empty());
    assert_eq!(c.name(), None);
    let names: Vec<_> = c.assignments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["A", "B"]);
    assert!(c.assignments[1].value.is_none());
}

#[test]
fn buildkit_style_multiline_and_tabs() {
    let src = "apt-get update \t&& dpkg -l | awk '/^ii/ {print $2}' > /tmp/dpkg.clean     && apt-get clean";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    let cmds: Vec<_> = s.simple_commands().collect();
    let spans: Vec<_> = cmds.iter().map(|c| at(src, &c.span)).collect();
    assert_eq!(
        spans,
        [
            "apt-get update",
            "dpkg -l",
            "awk '/^ii/ {print $2}' > /tmp/dpkg.clean",
            "apt-get clean",
        ]
    );
    // Single quotes keep `$2` literal.
    assert_eq!(
        cmds[2].args()[0].literal.as_deref(),
        Some("/^ii/ {print $2}")
    );

    let src = "set -e\nmake\n\nmake install";
    let s = parse_checked(src);
    let names: Vec<_> = s.simple_commands().filter_map(|c| c.name()).collect();
    assert_eq!(names, ["set", "make", "make"]);
    assert_eq!(s.lists.len(), 3);
}

#[test]
fn non_ascii_spans() {
    let src = "echo héllo 'wörld' && printf '→ %s' ünï";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    let cmds: Vec<_> = s.simple_commands().collect();
    assert_eq!(lit_words(cmds[0]), ["echo", "héllo", "wörld"]);
    assert_eq!(lit_words(cmds[1]), ["printf", "→ %s", "ünï"]);
}

#[test]
fn non_ascii_after_brace_does_not_crash() {
    // tree-sitter-bash 0.25.1 indexes a C ctype table with the code point
    // after `{` (upstream issue #337); `{\u{31860}` crashed on Linux.
    let mut code_points: Vec<char> = (0x100..=0x10FFFF)
        .step_by(251)
        .filter_map(char::from_u32)
        .collect();
    code_points.extend(['\u{31860}', '\u{6B41E}', 'é', '😀']);
    for c in code_points {
        for src in [
            format!("{{{c}"),
            format!("echo {{{c}}} && x"),
            format!("echo {{12..{c}"),
            format!("echo {{1..2{c}"),
        ] {
            let s = parse_checked(&src);
            // The character is still in the word, read from the input.
            let words: String = s
                .simple_commands()
                .flat_map(|c| c.words.iter().map(|w| w.raw.as_str()))
                .collect();
            assert!(s.has_errors() || words.contains(c), "{src:?}");
        }
    }
    let src = "echo {é,ü} x{ü}";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    let c = s.simple_commands().next().expect("command");
    assert_eq!(raw_words(c), ["echo", "{é,ü}", "x{ü}"]);
    assert_eq!(c.words[1].literal, None);
    assert_eq!(c.words[2].literal.as_deref(), Some("x{ü}"));
}

#[test]
fn long_and_deep_inputs_do_not_crash() {
    // A long && chain keeps every command.
    let src = vec!["true"; 2000].join(" && ");
    let s = parse_checked(&src);
    assert!(s.errors.is_empty());
    assert_eq!(s.lists.len(), 1);
    assert_eq!(s.lists[0].rest.len(), 1999);
    assert_eq!(s.simple_commands().count(), 2000);

    // Absurd nesting is cut off and reported, not a stack overflow.
    let depth = 3000;
    let src = format!("{}x{}", "$(".repeat(depth), ")".repeat(depth));
    let s = parse_checked(&src);
    assert!(s.has_errors());
    // Nested subshells (with blanks, so that `((` is not arithmetic).
    let src = format!("{}x{}", "( ".repeat(depth), " )".repeat(depth));
    let s = parse_checked(&src);
    assert!(s.has_errors());
    // Moderate nesting is within the limit and fully lowered.
    let src = format!("{}x{}", "( ".repeat(20), " )".repeat(20));
    let s = parse_checked(&src);
    assert!(s.errors.is_empty());
    assert_eq!(
        s.simple_commands()
            .filter_map(|c| c.name())
            .collect::<Vec<_>>(),
        ["x"]
    );
}

#[test]
fn heredoc_delimiter_glued_to_operator_is_an_error() {
    // tree-sitter-bash takes `EOF;` as the delimiter; the result would put
    // `echo hi` into the arguments of `cat`, so it must be flagged.
    let src = "cat <<EOF; echo hi";
    let s = parse_checked(src);
    assert!(
        s.errors.iter().any(|e| at(src, e) == "EOF;"),
        "{:?}",
        s.errors
    );
    // A quoted operator character is a legitimate part of the delimiter.
    let src = "cat <<'E;F' > f";
    let s = parse_checked(src);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
}

#[test]
fn simple_commands_are_ordered_and_disjoint() {
    let src = "if a; then b | c; fi; (d && e) > f; g=$(h) i &";
    let s = parse_checked(src);
    assert!(s.errors.is_empty());
    let cmds: Vec<_> = s.simple_commands().collect();
    let names: Vec<_> = cmds.iter().filter_map(|c| c.name()).collect();
    assert_eq!(names, ["a", "b", "c", "d", "e", "i"]);
    for pair in cmds.windows(2) {
        assert!(pair[0].span.end <= pair[1].span.start);
    }
    assert!(s.lists[2].background);
}

#[test]
fn serializes_to_json() {
    let s = parse("cd x && make");
    let json = serde_json::to_value(&s).expect("serialize");
    assert_eq!(json["lists"][0]["span"]["start"], 0);
    assert_eq!(json["lists"][0]["span"]["end"], 12);
    assert_eq!(json["lists"][0]["rest"][0][0], "And");
    assert_eq!(json["errors"], serde_json::json!([]));
}

/// Checks the per-command invariants used by the corpus and property tests:
/// each simple command's span runs exactly from its first to its last part,
/// and (for error-free input) the commands of
/// [`Script::simple_commands`] are ordered and do not overlap.
fn check_commands(src: &str, s: &Script) {
    let cmds: Vec<_> = s.simple_commands().collect();
    for c in &cmds {
        let starts = c
            .assignments
            .iter()
            .map(|a| a.span.start)
            .chain(c.words.iter().map(|w| w.span.start))
            .chain(c.redirects.iter().map(|r| r.span.start));
        let ends = c
            .assignments
            .iter()
            .map(|a| a.span.end)
            .chain(c.words.iter().map(|w| w.span.end))
            .chain(c.redirects.iter().map(|r| r.span.end));
        if let (Some(start), Some(end)) = (starts.min(), ends.max()) {
            assert_eq!(c.span, start..end, "command span in {src:?}");
        }
    }
    if s.errors.is_empty() {
        for pair in cmds.windows(2) {
            assert!(
                pair[0].span.end <= pair[1].span.start,
                "overlapping commands {:?} and {:?} in {src:?}",
                pair[0].span,
                pair[1].span
            );
        }
    }
}

mod corpus;
mod props;
