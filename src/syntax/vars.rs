//! Variable references and quote removal, as BuildKit's word lexer applies
//! them to the arguments of FROM, COPY, ADD, ENV, ARG, LABEL, EXPOSE, USER,
//! VOLUME, WORKDIR and STOPSIGNAL (never to RUN, CMD or ENTRYPOINT, whose shell does it).

use serde::Serialize;
use std::ops::Range;

/// A `$NAME`, `${NAME}` or `${NAME<op>word}` reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VarRef {
    /// The variable's name.
    pub name: String,
    /// The whole reference (`$X` or `${X:-y}`) in the source.
    pub span: Range<usize>,
    /// The operator of a braced reference: `:-`, `-`, `:+`, `+`, `:?`, `?`,
    /// `#`, `##`, `%`, `%%`, `/`, `//`; `None` for a plain reference.
    pub op: Option<String>,
    /// The word after the operator, raw.
    pub word: Option<String>,
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

const OPS: [&str; 12] = [
    ":-", ":+", ":?", "##", "%%", "//", "-", "+", "?", "#", "%", "/",
];

/// Finds the references in `text` (a raw argument), with ranges relative to it.
/// Single-quoted text and escaped `$` are skipped, as BuildKit does.
pub(crate) fn find_refs(text: &str, escape: char) -> Vec<VarRef> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut in_double = false;
    let mut k = 0;
    while k < chars.len() {
        let (i, c) = chars[k];
        if c == escape {
            k += 2;
            continue;
        }
        if c == '\'' && !in_double {
            k += 1;
            while k < chars.len() && chars[k].1 != '\'' {
                k += 1;
            }
            k += 1;
            continue;
        }
        if c == '"' {
            in_double = !in_double;
            k += 1;
            continue;
        }
        if c != '$' {
            k += 1;
            continue;
        }
        let Some(&(_, next)) = chars.get(k + 1) else {
            break;
        };
        if next == '{' {
            // ${name[op word]}
            let mut j = k + 2;
            let name_start = j;
            while j < chars.len() && is_name_char(chars[j].1) {
                j += 1;
            }
            let name: String = chars[name_start..j].iter().map(|&(_, c)| c).collect();
            let rest_start = chars.get(j).map_or(text.len(), |&(p, _)| p);
            let mut depth = 1;
            let mut end = None;
            let mut m = j;
            while m < chars.len() {
                match chars[m].1 {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(m);
                            break;
                        }
                    }
                    _ => {}
                }
                m += 1;
            }
            let Some(end) = end else {
                break;
            };
            if !name.is_empty() {
                let inner = &text[rest_start..chars[end].0];
                let (op, word) = match OPS.iter().find(|op| inner.starts_with(**op)) {
                    Some(op) => (Some(op.to_string()), Some(inner[op.len()..].to_string())),
                    None => (None, None),
                };
                out.push(VarRef {
                    name,
                    span: i..chars[end].0 + 1,
                    op,
                    word,
                });
            }
            k = end + 1;
            continue;
        }
        if is_name_start(next) {
            let mut j = k + 1;
            while j < chars.len() && is_name_char(chars[j].1) {
                j += 1;
            }
            let end = chars.get(j).map_or(text.len(), |&(p, _)| p);
            out.push(VarRef {
                name: text[i + 1..end].to_string(),
                span: i..end,
                op: None,
                word: None,
            });
            k = j;
            continue;
        }
        k += 1;
    }
    out
}

/// Removes quotes and escapes from a raw shell-form word, as BuildKit does
/// before using it, without expanding variables (`$X` stays as written).
pub fn process_word(raw: &str, escape: char) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                } else {
                    out.push(c);
                }
            }
            Some(_) => {
                if c == '"' {
                    quote = None;
                } else if c == escape {
                    match chars.next() {
                        Some(d @ ('"' | '$')) => out.push(d),
                        Some(d) if d == escape => out.push(d),
                        Some(d) => {
                            out.push(c);
                            out.push(d);
                        }
                        None => out.push(c),
                    }
                } else {
                    out.push(c);
                }
            }
            None => {
                if c == '\'' || c == '"' {
                    quote = Some(c);
                } else if c == escape {
                    if let Some(d) = chars.next() {
                        out.push(d);
                    }
                } else {
                    out.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_plain_and_braced_references() {
        let r = find_refs(r#"${BASE:-node}:$TAG-x '$NOT' \$NOPE "$YES""#, '\\');
        let names: Vec<_> = r.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, vec!["BASE", "TAG", "YES"]);
        assert_eq!(r[0].span, 0..13);
        assert_eq!(r[0].op.as_deref(), Some(":-"));
        assert_eq!(r[0].word.as_deref(), Some("node"));
        assert_eq!(r[1].span, 14..18);
    }

    #[test]
    fn quote_removal() {
        assert_eq!(process_word(r#""value value1""#, '\\'), "value value1");
        assert_eq!(process_word(r"value\ value2", '\\'), "value value2");
        assert_eq!(process_word(r#"'a\"b'"#, '\\'), r#"a\"b"#);
        assert_eq!(process_word(r#""a\"b""#, '\\'), r#"a"b"#);
        assert_eq!(process_word("a`$b", '`'), "a$b");
    }
}
