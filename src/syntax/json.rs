//! JSON (exec) form, as BuildKit's `parseJSON` reads it.

use super::words::Piece;

/// The outcome of trying to read `rest` as a JSON array.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JsonForm {
    /// A JSON array of strings: the decoded strings and their literal ranges.
    Strings(Vec<Piece>),
    /// Valid JSON, but not an array of strings only: BuildKit rejects the instruction.
    NotStrings,
    /// Not JSON: BuildKit falls back to the shell/word form.
    NotJson,
}

pub(crate) const NOT_STRINGS: &str =
    "when using JSON array syntax, arrays must be comprised of strings only";

/// Reads `rest` (offset `base` in the logical line) as BuildKit does.
pub(crate) fn parse_json(rest: &str, base: usize) -> JsonForm {
    let trimmed = rest.trim_start_matches(char::is_whitespace);
    let lead = rest.len() - trimmed.len();
    if !trimmed.starts_with('[') {
        return JsonForm::NotJson;
    }
    let values: Vec<serde_json::Value> = match serde_json::from_str(trimmed) {
        Ok(v) => v,
        // Not a JSON array at all (bad syntax, trailing text): shell form.
        Err(_) => return JsonForm::NotJson,
    };
    if !values.iter().all(|v| v.is_string()) {
        return JsonForm::NotStrings;
    }
    // The text is a valid array of strings: find each literal's range.
    let mut pieces = Vec::with_capacity(values.len());
    let bytes = trimmed.as_bytes();
    let mut i = 0;
    let mut values = values.into_iter();
    while i < bytes.len() {
        if bytes[i] == b'"' {
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                if bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            let end = (i + 1).min(bytes.len());
            if let Some(serde_json::Value::String(s)) = values.next() {
                pieces.push(Piece {
                    value: s,
                    range: base + lead + start..base + lead + end,
                });
            }
        }
        i += 1;
    }
    JsonForm::Strings(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_with_ranges() {
        let s = r#"[ "a", "b\"c" ]"#;
        match parse_json(s, 4) {
            JsonForm::Strings(p) => {
                assert_eq!(p[0].value, "a");
                assert_eq!(p[0].range, 6..9);
                assert_eq!(p[1].value, "b\"c");
                assert_eq!(&s[p[1].range.start - 4..p[1].range.end - 4], r#""b\"c""#);
            }
            other => panic!("expected strings, got {other:?}"),
        }
    }

    #[test]
    fn nested_arrays_are_rejected_and_invalid_json_falls_back() {
        assert_eq!(
            parse_json(r#"[ "echo", [ "nested json" ] ]"#, 0),
            JsonForm::NotStrings
        );
        assert_eq!(parse_json("['echo','x']", 0), JsonForm::NotJson);
        assert_eq!(parse_json(r#"["a""#, 0), JsonForm::NotJson);
        assert_eq!(parse_json("echo hi", 0), JsonForm::NotJson);
    }
}
