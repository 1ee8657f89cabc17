//! Pragmas: comments in the Dockerfile that tell dfsplit what to do,
//! hadolint-style — `# dfsplit: ignore-file` (leave the file as it is), and
//! the placement pragmas `# dfsplit: runtime`, `# dfsplit: build` and
//! `# dfsplit: keep` on the instruction below.
//!
//! This version honours `ignore-file`. A placement pragma is a user's
//! decision about one instruction that the planner does not yet carry out:
//! rather than place the instruction otherwise, the file is left unchanged
//! and the gate says so. An unknown `dfsplit:` pragma (a typo) does the same.

use crate::plan::Location;
use crate::syntax::{Dockerfile, Item, Span, TriviaKind};

/// A pragma and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pragma {
    /// The word after `dfsplit:` (`ignore-file`, `runtime`, `build`, `keep`, …).
    pub word: String,
    /// The comment line (its line ending excluded).
    pub at: Location,
}

/// Every `# dfsplit: WORD` comment of `df`, in order.
pub(crate) fn pragmas(df: &Dockerfile) -> Vec<Pragma> {
    let src = df.source.as_str();
    let mut out = Vec::new();
    for item in &df.items {
        let Item::Trivia(t) = item else { continue };
        if t.kind != TriviaKind::Comment {
            continue;
        }
        let text = &src[t.span.clone()];
        let line_text = text.trim_end_matches(['\r', '\n']);
        let Some(rest) = line_text.trim_start().strip_prefix('#') else {
            continue;
        };
        let Some(word) = rest.trim_start().strip_prefix("dfsplit:") else {
            continue;
        };
        let word = word.split_whitespace().next().unwrap_or("").to_string();
        let span: Span = t.span.start..t.span.start + line_text.len();
        out.push(Pragma {
            word,
            at: Location {
                line: src[..t.span.start].matches('\n').count() + 1,
                span,
                cited: true,
            },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dfsplit_comments_only() {
        let df = crate::syntax::parse(
            "# dfsplit: ignore-file\nFROM a\n  #dfsplit:keep   trailing words\r\nRUN x\n# hadolint ignore=DL3006\n# dfsplit is great\n",
        );
        let p = pragmas(&df);
        let words: Vec<(&str, usize)> = p.iter().map(|p| (p.word.as_str(), p.at.line)).collect();
        assert_eq!(words, [("ignore-file", 1), ("keep", 3)]);
        assert_eq!(
            &df.source[p[1].at.span.clone()],
            "  #dfsplit:keep   trailing words"
        );
    }
}
