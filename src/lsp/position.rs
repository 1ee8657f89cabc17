//! Byte offsets ↔ LSP positions, in one place. LSP counts a position's
//! `character` in UTF-16 code units (the encoding every client supports) and
//! ends lines at `\n`, `\r\n` or `\r`; the analysis works in byte offsets of
//! UTF-8 text. Everything the server sends or reads goes through here.
//!
//! Out-of-range input is clamped, never an error or a panic: a line past the
//! end is the end of the text, a character past the end of its line is the
//! end of that line (before its line break), and a position inside a
//! character (between the two halves of a surrogate pair) is that
//! character's start.

use lsp_types::{Position, Range};
use std::ops::Range as Span;

/// Where each line starts, for one text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of each line's first byte; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    /// The lines of `text`.
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts }
    }

    /// The bytes of line `line` without its line break (`None` past the end).
    fn line_bytes(&self, text: &str, line: usize) -> Option<Span<usize>> {
        let start = *self.starts.get(line)?;
        let next = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let mut end = next;
        let b = text.as_bytes();
        if end > start && b[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && b[end - 1] == b'\r' {
            end -= 1;
        }
        Some(start..end)
    }

    /// The position of byte `offset` (clamped to the text, and back to the
    /// start of the character it falls in).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        // Between the \r and the \n of a line break is the line's end.
        if offset > start && text.as_bytes()[offset - 1] == b'\r' {
            offset -= 1;
        }
        let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(to_u32(line), to_u32(character))
    }

    /// The byte offset of `pos` (clamped as the module says).
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(line) = self.line_bytes(text, pos.line as usize) else {
            return text.len();
        };
        let mut units = 0usize;
        for (i, c) in text[line.clone()].char_indices() {
            let next = units + c.len_utf16();
            if next > pos.character as usize {
                return line.start + i;
            }
            units = next;
        }
        line.end
    }

    /// The range of a byte span.
    pub fn range(&self, text: &str, span: &Span<usize>) -> Range {
        Range::new(
            self.position(text, span.start),
            self.position(text, span.end.max(span.start)),
        )
    }

    /// The byte span of a range (its ends swapped when the client sent them
    /// the wrong way round).
    pub fn span(&self, text: &str, range: Range) -> Span<usize> {
        let a = self.offset(text, range.start);
        let b = self.offset(text, range.end);
        a.min(b)..a.max(b)
    }
}

/// `span` without the line break it ends with, so a range shown under an
/// instruction does not reach into the next line (an empty or line-break-only
/// span stays as it is).
pub fn without_line_break(text: &str, span: &Span<usize>) -> Span<usize> {
    let Some(s) = text.get(span.clone()) else {
        return span.clone();
    };
    let trimmed = s
        .strip_suffix("\r\n")
        .or_else(|| s.strip_suffix('\n'))
        .or_else(|| s.strip_suffix('\r'))
        .filter(|t| !t.is_empty())
        .unwrap_or(s);
    span.start..span.start + trimmed.len()
}

/// LSP numbers are `u32`; a text that long is not a Dockerfile.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line with 2-byte (é), 3-byte (→, 1 UTF-16 unit) and 4-byte (🐳, 2
    /// UTF-16 units) characters.
    const TEXT: &str = "FROM node:20\n# é → 🐳 x\r\nRUN a\rEND";

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn every_character_boundary_round_trips() {
        let idx = LineIndex::new(TEXT);
        for (offset, _) in TEXT.char_indices() {
            if TEXT[..offset].ends_with('\r') && TEXT[offset..].starts_with('\n') {
                // inside a line break: the line's end
                assert_eq!(idx.offset(TEXT, idx.position(TEXT, offset)), offset - 1);
                continue;
            }
            let p = idx.position(TEXT, offset);
            assert_eq!(idx.offset(TEXT, p), offset, "offset {offset} → {p:?}");
        }
        assert_eq!(idx.offset(TEXT, idx.position(TEXT, TEXT.len())), TEXT.len());
    }

    #[test]
    fn non_ascii_columns_count_utf16_units() {
        let idx = LineIndex::new(TEXT);
        let line1 = TEXT.find('#').unwrap();
        // "# é → 🐳 x": # 0, space 1, é 2, space 3, → 4, space 5, 🐳 6–7, space 8, x 9.
        let x = TEXT.find(" x").unwrap() + 1;
        assert_eq!(idx.position(TEXT, x), pos(1, 9));
        let whale = TEXT.find('🐳').unwrap();
        assert_eq!(idx.position(TEXT, whale), pos(1, 6));
        assert_eq!(idx.position(TEXT, whale + 4), pos(1, 8));
        assert_eq!(idx.offset(TEXT, pos(1, 2)), line1 + 2);
        // after é (2 bytes), the space is at byte 4 of the line, unit 3
        assert_eq!(idx.offset(TEXT, pos(1, 3)), line1 + 4);
    }

    #[test]
    fn inside_a_surrogate_pair_is_the_character_start() {
        let idx = LineIndex::new(TEXT);
        let whale = TEXT.find('🐳').unwrap();
        assert_eq!(idx.offset(TEXT, pos(1, 7)), whale);
        // a byte offset inside a character goes back to its start
        assert_eq!(idx.position(TEXT, whale + 2), pos(1, 6));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let idx = LineIndex::new(TEXT);
        assert_eq!(idx.position(TEXT, TEXT.find("RUN").unwrap()), pos(2, 0));
        assert_eq!(idx.position(TEXT, TEXT.find("END").unwrap()), pos(3, 0));
        // the end of line 1 is before its \r\n
        assert_eq!(idx.offset(TEXT, pos(1, 100)), TEXT.find("\r\n").unwrap());
        assert_eq!(idx.offset(TEXT, pos(2, 100)), TEXT.find("\rEND").unwrap());
    }

    #[test]
    fn out_of_range_is_clamped() {
        let idx = LineIndex::new(TEXT);
        assert_eq!(idx.offset(TEXT, pos(99, 0)), TEXT.len());
        assert_eq!(idx.offset(TEXT, pos(0, 999)), "FROM node:20".len());
        assert_eq!(idx.position(TEXT, 10_000), pos(3, 3));
        let empty = LineIndex::new("");
        assert_eq!(empty.position("", 0), pos(0, 0));
        assert_eq!(empty.offset("", pos(0, 5)), 0);
    }

    #[test]
    fn shown_ranges_stop_before_the_line_break() {
        let t = "RUN a\r\nRUN b\n\n";
        assert_eq!(without_line_break(t, &(0..7)), 0..5);
        assert_eq!(without_line_break(t, &(7..13)), 7..12);
        assert_eq!(without_line_break(t, &(13..14)), 13..14);
        assert_eq!(without_line_break(t, &(2..2)), 2..2);
    }

    #[test]
    fn a_reversed_range_is_put_right() {
        let idx = LineIndex::new(TEXT);
        let r = Range::new(pos(2, 3), pos(0, 4));
        assert_eq!(idx.span(TEXT, r), 4..TEXT.find("RUN").unwrap() + 3);
    }
}
