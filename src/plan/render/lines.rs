//! Generated lines in the file's style, and the comments and blank lines
//! that travel with each instruction.

use crate::plan::types::Addition;
use crate::syntax::Dockerfile;

/// Generated text in the file's own style: its line endings, and lower-case
/// keywords when its FROM is written in lower case.
pub(crate) struct Out {
    pub(crate) nl: &'static str,
    lower: bool,
    pub(crate) text: String,
}

impl Out {
    pub(crate) fn for_file(df: &Dockerfile, from: &crate::syntax::Instruction) -> Out {
        Out {
            nl: if df.source.contains("\r\n") {
                "\r\n"
            } else {
                "\n"
            },
            lower: df
                .text(&from.keyword_span)
                .chars()
                .all(|c| c.is_ascii_lowercase()),
            text: String::new(),
        }
    }

    pub(crate) fn kw(&self, k: &str) -> String {
        if self.lower {
            k.to_ascii_lowercase()
        } else {
            k.to_string()
        }
    }
    pub(super) fn line(&mut self, s: &str) {
        self.text.push_str(s);
        self.text.push_str(self.nl);
    }
    pub(super) fn raw(&mut self, s: &str) {
        self.text.push_str(s);
        if !s.ends_with('\n') {
            self.text.push_str(self.nl);
        }
    }
    pub(super) fn blank(&mut self) {
        let double = format!("{0}{0}", self.nl);
        if !self.text.is_empty() && !self.text.ends_with(&double) {
            self.text.push_str(self.nl);
        }
    }
}

pub(super) fn json_array(words: &[String]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| serde_json::to_string(w).unwrap_or_else(|_| format!("\"{w}\"")))
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// Writes a generated line in the file's style and records it as an
/// addition of `stage`, with the rule and reason that explain it.
pub(super) fn add(
    out: &mut Out,
    additions: &mut Vec<Addition>,
    stage: &str,
    text: String,
    rule: &str,
    reason: impl Into<String>,
) {
    out.line(&text);
    additions.push(Addition {
        stage: stage.to_string(),
        text,
        rule: rule.to_string(),
        reason: reason.into(),
    });
}

/// The lines around an instruction that belong to it: comments directly
/// above (`lead`, with any blank lines or stray comments before them) and
/// comments directly below it up to the next blank line (`trail`).
#[derive(Debug, Clone, Default)]
pub(super) struct Unit {
    pub(super) lead: std::ops::Range<usize>,
    /// The comment lines touching the instruction from above (inside `lead`).
    pub(super) attached: std::ops::Range<usize>,
    pub(super) trail: std::ops::Range<usize>,
}

/// Splits the gaps between consecutive instructions (`spans`) into units.
/// A gap with no blank line goes wholly to the instruction below; otherwise
/// the comments before its first blank line stay with the instruction above.
pub(super) fn units(
    source: &str,
    spans: &[std::ops::Range<usize>],
) -> (Vec<Unit>, std::ops::Range<usize>) {
    let mut out: Vec<Unit> = spans
        .iter()
        .map(|s| Unit {
            lead: s.start..s.start,
            attached: s.start..s.start,
            trail: s.end..s.end,
        })
        .collect();
    let mut file_tail = source.len()..source.len();
    for k in 0..spans.len() {
        let start = spans[k].end;
        let end = spans.get(k + 1).map_or(source.len(), |s| s.start);
        let gap = &source[start..end];
        let mut first_blank = None;
        let mut last_blank_end = None;
        let mut at = start;
        for line in gap.split_inclusive('\n') {
            if line.trim().is_empty() {
                first_blank.get_or_insert(at);
                last_blank_end = Some(at + line.len());
            }
            at += line.len();
        }
        let split = first_blank.unwrap_or(if k + 1 < spans.len() { start } else { end });
        out[k].trail = start..split;
        if k + 1 < spans.len() {
            out[k + 1].lead = split..end;
            let attached_start = last_blank_end.filter(|e| *e >= split).unwrap_or(split);
            out[k + 1].attached = attached_start..end;
        } else {
            file_tail = split..end;
        }
    }
    (out, file_tail)
}

/// The last component of an absolute path.
pub(super) fn base_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

/// The folder a path is in, with a trailing `/` (`/` for a top-level one).
pub(super) fn parent_dir(path: &str) -> String {
    match path.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) | None => "/".to_string(),
        Some((p, _)) => format!("{p}/"),
    }
}
