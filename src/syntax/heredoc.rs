//! Finding here-document markers (`<<EOF`, `<<-"EOF"`, `3<<EOF`) on an
//! instruction line, the way BuildKit does: split the line into shell words
//! (quotes and escapes kept, `\` as escape whatever the file's escape is), and
//! take every word that is wholly `N<<-WORD`.

use std::ops::Range;

/// A marker found on the logical line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Marker {
    pub name: String,
    pub expand: bool,
    pub chomp: bool,
    pub fd: Option<u32>,
    /// Range of the whole word in the logical line.
    pub range: Range<usize>,
}

/// Splits on unquoted whitespace, keeping quotes and escapes; `${…}` stays whole.
fn raw_words(line: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = line.char_indices().peekable();
    let mut quote: Option<char> = None;
    let mut brace_depth = 0usize;
    while let Some((i, c)) = chars.next() {
        if start.is_none() {
            if c.is_whitespace() {
                continue;
            }
            start = Some(i);
        }
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                }
            }
            Some(_) => {
                if c == '\\' {
                    chars.next();
                } else if c == '"' {
                    quote = None;
                }
            }
            None => {
                if c == '\\' {
                    chars.next();
                } else if c == '\'' || c == '"' {
                    quote = Some(c);
                } else if c == '$' && chars.peek().is_some_and(|&(_, d)| d == '{') {
                    brace_depth += 1;
                    chars.next();
                } else if c == '}' && brace_depth > 0 {
                    brace_depth -= 1;
                } else if c.is_whitespace() && brace_depth == 0 {
                    if let Some(s) = start.take() {
                        out.push(s..i);
                    }
                }
            }
        }
    }
    if let Some(s) = start {
        out.push(s..line.len());
    }
    out
}

/// Removes quotes and backslash escapes from a word; `None` when it holds
/// unquoted whitespace (it is not one word).
fn unquote(word: &str) -> Option<String> {
    if raw_words(word).len() > 1 {
        return None;
    }
    Some(super::vars::process_word(word, '\\'))
}

/// Reads `^(\d*)<<(-?)([^<]*)$` from a raw word.
fn marker_of(word: &str, range: Range<usize>) -> Option<Marker> {
    let lt = word.find("<<")?;
    let (digits, rest) = (&word[..lt], &word[lt + 2..]);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let name = unquote(rest)?;
    if name.is_empty() && !rest.contains(['\'', '"']) {
        return None;
    }
    let quotes = |s: &str| s.matches(['\'', '"']).count();
    let expand = quotes(&name) == quotes(rest);
    Some(Marker {
        name,
        expand,
        chomp,
        fd: if digits.is_empty() {
            None
        } else {
            digits.parse().ok()
        },
        range,
    })
}

/// Every here-document marker on `line`, in order.
pub(crate) fn markers(line: &str) -> Vec<Marker> {
    if !line.contains("<<") {
        return Vec::new();
    }
    raw_words(line)
        .into_iter()
        .filter_map(|r| marker_of(&line[r.clone()], r))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_markers_anywhere_in_the_line() {
        let m = markers(r#"RUN cat <<EOF > f && cat <<-"END" 3<<'X'"#);
        let names: Vec<_> = m
            .iter()
            .map(|m| (m.name.as_str(), m.expand, m.chomp, m.fd))
            .collect();
        assert_eq!(
            names,
            vec![
                ("EOF", true, false, None),
                ("END", false, true, None),
                ("X", false, false, Some(3))
            ]
        );
    }

    #[test]
    fn here_strings_and_quoted_text_are_not_markers() {
        assert!(markers("RUN cat <<<word").is_empty());
        assert!(markers("RUN echo '<<EOF'").is_empty());
        assert!(markers("RUN echo a<<b").is_empty());
    }
}
