//! A readable outline of a parsed Dockerfile, for people and snapshot tests.

use super::dump::go_quote;
use super::*;
use std::fmt::Write;

pub(crate) fn outline(df: &Dockerfile) -> String {
    let mut o = String::new();
    for d in &df.directives {
        let _ = writeln!(o, "directive {} = {}", d.name, go_quote(&d.value));
    }
    if df.escape != DEFAULT_ESCAPE {
        let _ = writeln!(o, "escape {}", go_quote(&df.escape.to_string()));
    }
    for item in &df.items {
        let span = item.span();
        match item {
            Item::Trivia(t) => {
                let _ = writeln!(o, "{:?} {:?} {}", span, t.kind, go_quote(df.text(&span)));
            }
            Item::Error(e) => {
                let _ = writeln!(
                    o,
                    "{:?} ERROR {} over {}",
                    span,
                    go_quote(&e.message),
                    go_quote(df.text(&span))
                );
            }
            Item::Instruction(i) => instruction(&mut o, df, i, ""),
        }
    }
    for d in &df.diagnostics {
        let _ = writeln!(
            o,
            "{:?} at {}:{}: {}",
            d.severity, d.line, d.column, d.message
        );
    }
    o
}

fn arg(o: &mut String, df: &Dockerfile, indent: &str, label: &str, a: &Arg) {
    let _ = writeln!(
        o,
        "{indent}  {label} {} from {:?} {}",
        go_quote(&a.value),
        a.span,
        go_quote(df.text(&a.span))
    );
}

fn command(o: &mut String, df: &Dockerfile, indent: &str, c: &Command) {
    match c {
        Command::Exec(args) => {
            for a in args {
                arg(o, df, indent, "exec", a);
            }
        }
        Command::Shell(a) => arg(o, df, indent, "shell", a),
    }
}

fn instruction(o: &mut String, df: &Dockerfile, i: &Instruction, indent: &str) {
    let _ = writeln!(
        o,
        "{indent}{:?} {} lines {}-{} keyword {}",
        i.span,
        i.keyword,
        i.start_line,
        i.end_line,
        go_quote(df.text(&i.keyword_span))
    );
    for f in &i.flags {
        let _ = writeln!(
            o,
            "{indent}  flag {} = {} from {}",
            f.name,
            f.value.as_deref().map_or("(none)".to_string(), go_quote),
            go_quote(df.text(&f.span))
        );
    }
    match &i.body {
        Body::From {
            image,
            alias,
            words,
        } => {
            if let Some(a) = image {
                arg(o, df, indent, "image", a);
            }
            if let Some(a) = alias {
                arg(o, df, indent, "alias", a);
            }
            if image.is_none() || (words.len() > 1 && alias.is_none()) {
                for w in words {
                    arg(o, df, indent, "word", w);
                }
            }
        }
        Body::Command { command: c } => match c {
            Some(c) => command(o, df, indent, c),
            None => {
                let _ = writeln!(o, "{indent}  (no command)");
            }
        },
        Body::Copy { paths, json } => {
            for (n, p) in paths.iter().enumerate() {
                let label = match (n + 1 == paths.len(), json) {
                    (true, _) => "dest",
                    (false, true) => "src(json)",
                    (false, false) => "src",
                };
                arg(o, df, indent, label, p);
            }
        }
        Body::KeyValues { pairs } => {
            for p in pairs {
                arg(
                    o,
                    df,
                    indent,
                    if p.legacy { "key(legacy)" } else { "key" },
                    &p.key,
                );
                arg(o, df, indent, "value", &p.value);
            }
        }
        Body::Arg { decls } => {
            for d in decls {
                arg(o, df, indent, "name", &d.name);
                if let Some(v) = &d.default {
                    arg(o, df, indent, "default", v);
                }
            }
        }
        Body::Words { words, json } => {
            for w in words {
                arg(o, df, indent, if *json { "word(json)" } else { "word" }, w);
            }
        }
        Body::Text { text } => {
            if let Some(t) = text {
                arg(o, df, indent, "text", t);
            }
        }
        Body::Health { health } => match health {
            Health::None { word } => {
                let _ = writeln!(
                    o,
                    "{indent}  none {}",
                    word.as_ref()
                        .map_or("(bare)".into(), |w| go_quote(&w.value))
                );
            }
            Health::Check { word, command: c } => {
                arg(o, df, indent, "type", word);
                if let Some(c) = c {
                    command(o, df, indent, c);
                }
            }
        },
        Body::Onbuild { inner } => {
            if let Some(inner) = inner {
                instruction(o, df, inner, &format!("{indent}  "));
            }
        }
        Body::Unknown => {}
    }
    for h in &i.heredocs {
        let _ = writeln!(
            o,
            "{indent}  heredoc {} expand={} chomp={} fd={:?} marker {} content {} terminator {}",
            go_quote(&h.name),
            h.expand,
            h.chomp,
            h.fd,
            go_quote(df.text(&h.marker_span)),
            go_quote(&h.content),
            go_quote(df.text(&h.terminator_span))
        );
    }
    for v in &i.vars {
        let _ = writeln!(o, "{indent}  var {} {}", v.name, go_quote(df.text(&v.span)));
    }
    for c in &i.inner_comments {
        let _ = writeln!(o, "{indent}  inner comment {}", go_quote(df.text(c)));
    }
}
