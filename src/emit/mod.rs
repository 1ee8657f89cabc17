//! The emit layer: turning plans into text. Fixes are plain data ([`Edit`])
//! applied in one place ([`apply`]), so the CLI, the bot and the editor code
//! action all produce the same bytes.
//!
//! Invariant: pure; text not covered by an edit comes out byte for byte.

use serde::Serialize;
use std::ops::Range;

/// Replace the bytes in `range` of the source with `content`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// Byte range in the original source (empty for an insertion).
    pub range: Range<usize>,
    /// The new text.
    pub content: String,
}

/// Why a set of edits cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// Two edits touch the same bytes.
    #[error("edits overlap at bytes {first:?} and {second:?}")]
    Overlap {
        /// The earlier edit's range.
        first: Range<usize>,
        /// The later edit's range.
        second: Range<usize>,
    },
    /// An edit lies outside the source or splits a character.
    #[error("edit range {0:?} is outside the source or not on a character boundary")]
    OutOfBounds(Range<usize>),
}

/// Applies edits to `source`. Edits may come in any order; insertions at the
/// same offset keep their given order.
pub fn apply(source: &str, edits: &[Edit]) -> Result<String, EditError> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    let mut prev: Option<&Edit> = None;
    for e in sorted {
        let r = &e.range;
        if r.start > r.end
            || r.end > source.len()
            || !source.is_char_boundary(r.start)
            || !source.is_char_boundary(r.end)
        {
            return Err(EditError::OutOfBounds(r.clone()));
        }
        if let Some(p) = prev
            && r.start < p.range.end
        {
            return Err(EditError::Overlap {
                first: p.range.clone(),
                second: r.clone(),
            });
        }
        out.push_str(&source[at..r.start]);
        out.push_str(&e.content);
        at = r.end;
        prev = Some(e);
    }
    out.push_str(&source[at..]);
    Ok(out)
}

/// The fewest edits, line by line, that turn `before` into `after`: each
/// changed run of lines becomes one [`Edit`], trimmed to the bytes that
/// differ, so an editor applying them keeps the cursor and the undo history
/// of everything else. `apply(before, &edits_between(before, after))` is
/// `after`.
pub fn edits_between(before: &str, after: &str) -> Vec<Edit> {
    use similar::{DiffOp, TextDiff};
    if before == after {
        return Vec::new();
    }
    let diff = TextDiff::from_lines(before, after);
    // Byte offset of each line start, plus the end.
    let offsets = |text: &str| -> Vec<usize> {
        let mut v = vec![0];
        v.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        if *v.last().unwrap_or(&0) != text.len() {
            v.push(text.len());
        }
        v
    };
    let (old_at, new_at) = (offsets(before), offsets(after));
    let byte =
        |at: &[usize], line: usize| at.get(line).copied().unwrap_or(*at.last().unwrap_or(&0));
    let mut edits: Vec<Edit> = Vec::new();
    for op in diff.ops() {
        let (old, new) = match *op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index..old_index + old_len, new_index..new_index),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index..old_index, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                old_index..old_index + old_len,
                new_index..new_index + new_len,
            ),
        };
        let mut range = byte(&old_at, old.start)..byte(&old_at, old.end);
        let mut content = &after[byte(&new_at, new.start)..byte(&new_at, new.end)];
        // Trim what the two sides share at their ends, on character boundaries.
        let old_text = &before[range.clone()];
        let prefix = common_prefix(old_text, content);
        let suffix = common_suffix(&old_text[prefix..], &content[prefix..]);
        range = range.start + prefix..range.end - suffix;
        content = &content[prefix..content.len() - suffix];
        // Ops are in order: one that touches the previous edit joins it.
        if let Some(last) = edits.last_mut()
            && last.range.end >= range.start
        {
            let between = &before[last.range.end..range.start];
            last.content.push_str(between);
            last.content.push_str(content);
            last.range.end = range.end;
            continue;
        }
        edits.push(Edit {
            range,
            content: content.to_string(),
        });
    }
    edits
}

/// Bytes `a` and `b` share at the start, ending on a character boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i)
}

/// Bytes `a` and `b` share at the end, starting on a character boundary.
fn common_suffix(a: &str, b: &str) -> usize {
    let mut n = 0;
    for (x, y) in a.chars().rev().zip(b.chars().rev()) {
        if x != y {
            break;
        }
        n += x.len_utf8();
    }
    n
}

/// A unified diff of `before` and `after`, with `name` in the headers.
pub fn unified_diff(name: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_between_rebuild_the_text_and_touch_only_what_changed() {
        let before = "FROM node:20\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"s.js\"]\n";
        let after = "FROM node:20 AS build\nWORKDIR /app\nCOPY . .\n\nFROM node:20-slim AS runtime\nCMD [\"node\", \"s.js\"]\n";
        let edits = edits_between(before, after);
        assert_eq!(apply(before, &edits).unwrap(), after);
        // Two places change: the first FROM gains a name, a stage is inserted.
        assert_eq!(edits.len(), 2, "{edits:?}");
        assert_eq!(edits[0].range, 12..12);
        assert_eq!(edits[0].content, " AS build");
        assert!(edits_between(before, before).is_empty());
    }

    #[test]
    fn edits_between_keep_characters_whole() {
        let before = "LABEL a=\"é\"\nRUN x\n";
        let after = "LABEL a=\"è\"\nRUN x\n";
        let edits = edits_between(before, after);
        assert_eq!(apply(before, &edits).unwrap(), after);
        assert_eq!(edits.len(), 1);
        assert_eq!(&before[edits[0].range.clone()], "é");
        // No final newline on either side, and a deletion of everything.
        for (b, a) in [
            ("a\nb", "a\nc"),
            ("x\n", ""),
            ("", "y"),
            ("a\r\nb\r\n", "a\r\nc\r\nb\r\n"),
        ] {
            assert_eq!(apply(b, &edits_between(b, a)).unwrap(), a, "{b:?} → {a:?}");
        }
    }

    fn edit(r: Range<usize>, c: &str) -> Edit {
        Edit {
            range: r,
            content: c.into(),
        }
    }

    #[test]
    fn applies_in_source_order_and_keeps_the_rest() {
        let src = "FROM a\nRUN b\nCMD c\n";
        let out = apply(
            src,
            &[
                edit(13..18, "CMD [\"c\"]"),
                edit(0..6, "FROM x AS build"),
                edit(7..7, "# new\n"),
            ],
        )
        .expect("applies");
        assert_eq!(out, "FROM x AS build\n# new\nRUN b\nCMD [\"c\"]\n");
    }

    #[test]
    fn refuses_overlaps_and_bad_ranges() {
        assert!(matches!(
            apply("hello", &[edit(0..3, "x"), edit(2..4, "y")]),
            Err(EditError::Overlap { .. })
        ));
        let src = "héllo";
        assert_eq!(
            apply(src, &[edit(2..3, "x")]),
            Err(EditError::OutOfBounds(2..3))
        );
        assert_eq!(
            apply(src, &[edit(0..99, "x")]),
            Err(EditError::OutOfBounds(0..99))
        );
    }

    #[test]
    fn diff_names_the_file_and_shows_changes() {
        let d = unified_diff("Dockerfile", "FROM a\nRUN b\n", "FROM a\nRUN c\n");
        assert!(d.starts_with("--- a/Dockerfile\n+++ b/Dockerfile\n"));
        assert!(d.contains("-RUN b\n+RUN c\n"));
    }
}
