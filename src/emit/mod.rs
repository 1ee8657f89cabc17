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
