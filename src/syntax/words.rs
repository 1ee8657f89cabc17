//! BuildKit's argument splitting, with byte offsets.
//!
//! Each function mirrors one of BuildKit's line parsers and returns the same
//! strings, plus the byte range (into its input) each string came from.

use std::ops::Range;

/// A piece of the logical line: BuildKit's string and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Piece {
    pub value: String,
    pub range: Range<usize>,
}

/// BuildKit's `reWhitespace`: `[\t\v\f\r ]`.
pub(crate) fn is_re_ws(c: char) -> bool {
    matches!(c, '\t' | '\u{0b}' | '\u{0c}' | '\r' | ' ')
}

/// Go's `unicode.IsSpace`.
pub(crate) fn is_go_space(c: char) -> bool {
    c.is_whitespace()
}

/// `strings.TrimSpace`: the range of `s` without leading and trailing Unicode space.
pub(crate) fn trim_space(s: &str, base: usize) -> Range<usize> {
    let start = s.len() - s.trim_start_matches(is_go_space).len();
    let end = s.trim_end_matches(is_go_space).len().max(start);
    base + start..base + end
}

/// `reWhitespace.Split(s, -1)` (or `n` pieces at most when `limit` is set).
pub(crate) fn split_re_ws(s: &str, base: usize, limit: Option<usize>) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if limit.is_some_and(|n| out.len() + 1 >= n) {
            break;
        }
        if is_re_ws(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = iter.peek() {
                if !is_re_ws(d) {
                    break;
                }
                end = j + d.len_utf8();
                iter.next();
            }
            out.push(Piece {
                value: s[start..i].to_string(),
                range: base + start..base + i,
            });
            start = end;
        }
    }
    out.push(Piece {
        value: s[start..].to_string(),
        range: base + start..base + s.len(),
    });
    out
}

/// `parseStringsWhitespaceDelimited`: empty input gives no words.
pub(crate) fn whitespace_delimited(s: &str, base: usize) -> Vec<Piece> {
    if s.is_empty() {
        return Vec::new();
    }
    split_re_ws(s, base, None)
}

/// BuildKit's `parseWords`: split on unquoted space, keeping quotes and escapes
/// in the words (they are removed later, when the instruction runs).
pub(crate) fn parse_words(rest: &str, base: usize, escape: char) -> Vec<Piece> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut word_start = 0;
    let mut quote = '\0';
    let mut blank_ok = false;
    let chars: Vec<(usize, char)> = rest.char_indices().collect();
    let mut k = 0;
    loop {
        let at_end = k >= chars.len();
        let (pos, mut ch) = if at_end { (rest.len(), '\0') } else { chars[k] };
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if is_go_space(ch) {
                k += 1;
                continue;
            }
            phase = Phase::Word;
            word_start = pos;
        }
        if at_end {
            if blank_ok || !word.is_empty() {
                words.push(Piece {
                    value: std::mem::take(&mut word),
                    range: base + word_start..base + pos,
                });
            }
            break;
        }
        if phase == Phase::Word {
            if is_go_space(ch) {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    words.push(Piece {
                        value: std::mem::take(&mut word),
                        range: base + word_start..base + pos,
                    });
                }
                word.clear();
                blank_ok = false;
                k += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if k + 1 == chars.len() {
                    k += 1;
                    continue; // an escape at the very end is dropped
                }
                word.push(ch);
                k += 1;
                ch = chars[k].1;
            }
            word.push(ch);
            k += 1;
            continue;
        }
        // in quotes
        if ch == quote {
            phase = Phase::Word;
        }
        if ch == escape && quote != '\'' {
            if k + 1 == chars.len() {
                phase = Phase::Word;
                k += 1;
                continue;
            }
            word.push(ch);
            k += 1;
            ch = chars[k].1;
        }
        word.push(ch);
        k += 1;
    }
    words
}

/// BuildKit's `extractBuilderFlags`: the `--flags` at the start of `line`, and
/// the offset where the arguments start (`line.len()` when nothing follows).
pub(crate) fn extract_flags(line: &str, base: usize) -> (Vec<Piece>, usize) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word: Vec<u8> = Vec::new();
    let mut word_start = 0;
    let mut quote = 0u8;
    let mut blank_ok = false;
    let mut pos = 0;
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let finish = |word: &mut Vec<u8>| String::from_utf8_lossy(&std::mem::take(word)).into_owned();
    loop {
        let at_end = pos >= bytes.len();
        let ch = if at_end { 0 } else { bytes[pos] };
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if is_space(ch) {
                pos += 1;
                continue;
            }
            if ch != b'-' || pos + 1 == bytes.len() || bytes[pos + 1] != b'-' {
                return (words, pos);
            }
            phase = Phase::Word;
            word_start = pos;
        }
        if at_end {
            if word != b"--" && (blank_ok || !word.is_empty()) {
                words.push(Piece {
                    value: finish(&mut word),
                    range: base + word_start..base + pos,
                });
            }
            break;
        }
        if phase == Phase::Word {
            if is_space(ch) {
                phase = Phase::Spaces;
                if word == b"--" {
                    return (words, pos);
                }
                if blank_ok || !word.is_empty() {
                    words.push(Piece {
                        value: finish(&mut word),
                        range: base + word_start..base + pos,
                    });
                }
                word.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == b'\'' || ch == b'"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
            let mut c = ch;
            if c == b'\\' {
                if pos + 1 == bytes.len() {
                    pos += 1;
                    continue;
                }
                pos += 1;
                c = bytes[pos];
            }
            word.push(c);
            pos += 1;
            continue;
        }
        // in quotes
        if ch == quote {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        let mut c = ch;
        if c == b'\\' {
            if pos + 1 == bytes.len() {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            c = bytes[pos];
        }
        word.push(c);
        pos += 1;
    }
    (words, line.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(p: &[Piece]) -> Vec<&str> {
        p.iter().map(|p| p.value.as_str()).collect()
    }

    #[test]
    fn words_keep_quotes_and_report_ranges() {
        let s = r#"abc="123 456" def"#;
        let w = parse_words(s, 10, '\\');
        assert_eq!(values(&w), vec![r#"abc="123 456""#, "def"]);
        assert_eq!(w[0].range, 10..23);
        assert_eq!(w[1].range, 24..27);
    }

    #[test]
    fn flags_stop_at_first_non_flag_and_at_double_dash() {
        let (f, at) = extract_flags("--from=build --chown=1:1 src dst", 0);
        assert_eq!(values(&f), vec!["--from=build", "--chown=1:1"]);
        assert_eq!(at, 25);
        let (f, at) = extract_flags("--doit=true -- foo /tmp/", 0);
        assert_eq!(values(&f), vec!["--doit=true"]);
        assert_eq!(&"--doit=true -- foo /tmp/"[at..], " foo /tmp/");
        let (f, _) = extract_flags(r#"--mount="type=cache,target=/x" ls"#, 0);
        assert_eq!(values(&f), vec!["--mount=type=cache,target=/x"]);
    }

    #[test]
    fn re_whitespace_split_with_limit() {
        let p = split_re_ws("a \t b c", 0, Some(2));
        assert_eq!(values(&p), vec!["a", "b c"]);
        assert_eq!(p[1].range, 4..7);
    }
}
