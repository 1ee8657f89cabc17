//! Quote removal for words that contain no expansion.
//!
//! [`literal`] computes the value a shell word would have after quote
//! removal, or `None` when the value depends on the environment (parameter,
//! command, arithmetic, tilde or brace expansion) or when the word is
//! malformed (an unterminated quote). Glob characters are kept as they are.
//! [`literal_prefix`] gives the part before the first expansion
//! (`"poetry==$V"` → `poetry==`).

/// Why decoding stopped before the end of the word.
enum Stop {
    /// An expansion starts here; what was decoded before it is exact.
    Expansion,
    /// An unterminated quote or an escape that is not decoded.
    Malformed,
}

/// The value of `raw` after quote removal, or `None` if the word contains an
/// expansion or cannot be decoded.
///
/// Recognised syntax: backslash escapes, `'single'`, `"double"` (where `\`
/// only escapes `$`, `` ` ``, `"`, `\` and newline), `$'ANSI-C'` with the
/// common single-character escapes, and `$"translated"` strings (treated like
/// double quotes). `$name`, `${..}`, `$(..)`, `$((..))`, `$[..]`, special
/// parameters, backticks, a leading unquoted `~` and unquoted brace
/// expansions such as `{a,b}` or `{1..3}` make the word non-literal.
pub(crate) fn literal(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    decode(raw, &mut out).ok().map(|()| out)
}

/// The value of `raw` after quote removal up to its first expansion: the
/// whole value when it has none, `""` when it starts with one, `None` when
/// the word is malformed. Brace expansion drops the part from its `{` on.
pub(crate) fn literal_prefix(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    match decode(raw, &mut out) {
        Ok(()) | Err(Stop::Expansion) => Some(out),
        Err(Stop::Malformed) => None,
    }
}

/// Decodes `raw` into `out`, stopping at the first expansion.
fn decode(raw: &str, out: &mut String) -> Result<(), Stop> {
    let chars: Vec<char> = raw.chars().collect();
    let mut i = 0;
    // Unquoted brace tracking, to spot brace expansion: where `out` was at the `{`.
    let mut brace_open: Option<usize> = None;
    let mut brace_sep = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => match chars.get(i + 1) {
                Some('\n') => i += 2,
                Some(&next) => {
                    out.push(next);
                    i += 2;
                }
                None => {
                    out.push('\\');
                    i += 1;
                }
            },
            '\'' => {
                let end = find_from(&chars, i + 1, '\'').ok_or(Stop::Malformed)?;
                out.extend(&chars[i + 1..end]);
                i = end + 1;
            }
            '"' => i = double_quoted(&chars, i + 1, out)?,
            '`' => return Err(Stop::Expansion),
            '$' => match chars.get(i + 1) {
                Some('\'') => i = ansi_c(&chars, i + 2, out)?,
                Some('"') => i = double_quoted(&chars, i + 2, out)?,
                Some(&next) if starts_expansion(next) => return Err(Stop::Expansion),
                _ => {
                    out.push('$');
                    i += 1;
                }
            },
            '~' if i == 0 => return Err(Stop::Expansion),
            '{' => {
                brace_open = Some(out.len());
                brace_sep = false;
                out.push(c);
                i += 1;
            }
            ',' if brace_open.is_some() => {
                brace_sep = true;
                out.push(c);
                i += 1;
            }
            '.' if brace_open.is_some() && chars.get(i + 1) == Some(&'.') => {
                brace_sep = true;
                out.push_str("..");
                i += 2;
            }
            '}' => {
                if let Some(at) = brace_open
                    && brace_sep
                {
                    out.truncate(at);
                    return Err(Stop::Expansion);
                }
                brace_open = None;
                out.push(c);
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(())
}

/// Whether `$` followed by `c` starts a parameter, command or arithmetic
/// expansion.
fn starts_expansion(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '_' | '{' | '(' | '[' | '@' | '*' | '#' | '?' | '-' | '$' | '!'
        )
}

/// Index of the first `needle` at or after `from`.
fn find_from(chars: &[char], from: usize, needle: char) -> Option<usize> {
    chars
        .get(from..)?
        .iter()
        .position(|&c| c == needle)
        .map(|p| p + from)
}

/// Decodes a double-quoted body starting at `i` (just after the opening
/// quote) into `out`; returns the index after the closing quote.
fn double_quoted(chars: &[char], mut i: usize, out: &mut String) -> Result<usize, Stop> {
    while let Some(&c) = chars.get(i) {
        match c {
            '"' => return Ok(i + 1),
            '\\' => match chars.get(i + 1) {
                Some('\n') => i += 2,
                Some(&next @ ('$' | '`' | '"' | '\\')) => {
                    out.push(next);
                    i += 2;
                }
                _ => {
                    out.push('\\');
                    i += 1;
                }
            },
            '`' => return Err(Stop::Expansion),
            '$' => match chars.get(i + 1) {
                Some(&next) if starts_expansion(next) => return Err(Stop::Expansion),
                _ => {
                    out.push('$');
                    i += 1;
                }
            },
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Err(Stop::Malformed)
}

/// Decodes a `$'...'` body starting at `i` (just after `$'`) into `out`;
/// returns the index after the closing quote. Escapes other than the common
/// single-character ones (`\x`, `\u`, octal, `\c`) are not decoded and make
/// the whole word non-literal.
fn ansi_c(chars: &[char], mut i: usize, out: &mut String) -> Result<usize, Stop> {
    while let Some(&c) = chars.get(i) {
        match c {
            '\'' => return Ok(i + 1),
            '\\' => {
                let decoded = match chars.get(i + 1).ok_or(Stop::Malformed)? {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    'e' | 'E' => '\u{1b}',
                    'f' => '\u{c}',
                    'v' => '\u{b}',
                    '\\' => '\\',
                    '\'' => '\'',
                    '"' => '"',
                    '?' => '?',
                    _ => return Err(Stop::Malformed),
                };
                out.push(decoded);
                i += 2;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Err(Stop::Malformed)
}

#[cfg(test)]
mod tests {
    use super::{literal, literal_prefix};

    #[test]
    fn plain_and_quoted_words() {
        assert_eq!(literal("npm").as_deref(), Some("npm"));
        assert_eq!(literal("--omit=dev").as_deref(), Some("--omit=dev"));
        assert_eq!(literal("'c;d'").as_deref(), Some("c;d"));
        assert_eq!(literal("\"a && b\"").as_deref(), Some("a && b"));
        assert_eq!(literal("a\\ b").as_deref(), Some("a b"));
        assert_eq!(literal("\\$x").as_deref(), Some("$x"));
        assert_eq!(literal("pre'mid'\"post\"").as_deref(), Some("premidpost"));
        assert_eq!(literal("").as_deref(), Some(""));
    }

    #[test]
    fn double_quote_backslash_rules() {
        // Only $ ` " \ and newline are escapable inside double quotes.
        assert_eq!(literal(r#""a\$b""#).as_deref(), Some("a$b"));
        assert_eq!(literal(r#""a\nb""#).as_deref(), Some("a\\nb"));
        assert_eq!(literal(r#""a\"b""#).as_deref(), Some("a\"b"));
        assert_eq!(literal("\"a\\\nb\"").as_deref(), Some("ab"));
    }

    #[test]
    fn globs_stay_literal() {
        assert_eq!(
            literal("/var/lib/apt/lists/*").as_deref(),
            Some("/var/lib/apt/lists/*")
        );
        assert_eq!(literal("s3cmd=1.1.0*").as_deref(), Some("s3cmd=1.1.0*"));
        assert_eq!(literal("{}").as_deref(), Some("{}"));
        assert_eq!(literal("a$").as_deref(), Some("a$"));
        assert_eq!(literal("\"$\"").as_deref(), Some("$"));
    }

    #[test]
    fn expansions_are_not_literal() {
        for raw in [
            "$f",
            "${x}",
            "$(pwd)",
            "$((1+2))",
            "$[1+2]",
            "\"$HOME/x\"",
            "`date`",
            "\"`date`\"",
            "$1",
            "$@",
            "~/x",
            "~",
            "{a,b}",
            "x{1..3}",
        ] {
            assert_eq!(literal(raw), None, "{raw}");
        }
        // Quoted tilde and braces are literal.
        assert_eq!(literal("'~'/x").as_deref(), Some("~/x"));
        assert_eq!(literal("a~b").as_deref(), Some("a~b"));
        assert_eq!(literal("'{a,b}'").as_deref(), Some("{a,b}"));
    }

    #[test]
    fn ansi_c_strings() {
        assert_eq!(literal("$'a\\nb'").as_deref(), Some("a\nb"));
        assert_eq!(literal("$'it\\'s'").as_deref(), Some("it's"));
        assert_eq!(literal("$'\\x41'"), None);
        assert_eq!(literal("$\"hi\"").as_deref(), Some("hi"));
    }

    #[test]
    fn malformed_words_are_not_literal() {
        assert_eq!(literal("'open"), None);
        assert_eq!(literal("\"open"), None);
        assert_eq!(literal("$'open"), None);
        assert_eq!(literal("trailing\\").as_deref(), Some("trailing\\"));
    }

    #[test]
    fn prefixes_stop_at_the_first_expansion() {
        assert_eq!(literal_prefix("npm").as_deref(), Some("npm"));
        assert_eq!(
            literal_prefix("\"poetry==$POETRY_VERSION\"").as_deref(),
            Some("poetry==")
        );
        assert_eq!(literal_prefix("'uv'==${UV}").as_deref(), Some("uv=="));
        assert_eq!(literal_prefix("build:`x`").as_deref(), Some("build:"));
        assert_eq!(literal_prefix("$PKG").as_deref(), Some(""));
        assert_eq!(literal_prefix("~/x").as_deref(), Some(""));
        assert_eq!(literal_prefix("x{1..3}").as_deref(), Some("x"));
        assert_eq!(literal_prefix("a{b,c}d").as_deref(), Some("a"));
        assert_eq!(literal_prefix("'{a,b}'$x").as_deref(), Some("{a,b}"));
        assert_eq!(literal_prefix("a$'\\x41'"), None);
        assert_eq!(literal_prefix("\"open"), None);
        assert_eq!(literal_prefix("\"a$(b\"").as_deref(), Some("a"));
    }
}
