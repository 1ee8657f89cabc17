//! BuildKit's `Node.Dump()` format, as in its parser test `result` files.

use super::{Dockerfile, Instruction, Item, RawNode};
use std::fmt::Write;

pub(crate) fn dump(df: &Dockerfile) -> String {
    let mut out = String::new();
    for item in &df.items {
        if let Item::Instruction(inst) = item {
            out.push('(');
            out.push_str(&node(df, inst));
            out.push_str(")\n");
        }
    }
    out
}

fn node(df: &Dockerfile, inst: &Instruction) -> String {
    let keyword_text = df.text(&inst.keyword_span);
    // ONBUILD children carry spans into the same source.
    let mut s = keyword_text.to_lowercase();
    if !inst.flags.is_empty() {
        let quoted: Vec<String> = inst.flags.iter().map(|f| go_quote(&f.text)).collect();
        let _ = write!(s, " [{}]", quoted.join(" "));
    }
    for raw in &inst.raw {
        match raw {
            RawNode::Value(v) => {
                s.push(' ');
                s.push_str(&go_quote(v));
            }
            RawNode::Child(child) => {
                let _ = write!(s, " ({})", node(df, child));
            }
        }
    }
    s.trim().to_string()
}

/// Go's `strconv.Quote`.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if !is_go_printable(c) => {
                if (c as u32) < 0x10000 {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint`, closely enough: no controls, no spaces but ' ',
/// no format characters.
fn is_go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f
        | 0x2028..=0x202e | 0x2060..=0x206f | 0xd800..=0xdfff | 0xe000..=0xf8ff
        | 0xfeff | 0xfff9..=0xfffb | 0xf0000..)
}

#[cfg(test)]
mod tests {
    use super::go_quote;

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("\t\u{0}♥"), r#""\t\x00♥""#);
        assert_eq!(go_quote("\u{a0}"), r#""\u00a0""#);
    }
}
