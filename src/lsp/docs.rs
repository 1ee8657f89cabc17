//! Where a rule is documented: the `codeDescription` link of a diagnostic.
//!
//! Every rule id has a `### \`id\`` heading in one page of `rules/` (the
//! engine's own in `core.md`, a profile's in `<profile>.md`, bases and
//! packages in `bases.md` and `packages.md`). The pages are read at build
//! time, so the link names the page that really has the heading. The link is
//! `<base>/<page>.md#<anchor>`, the anchor as the repository's Markdown
//! renderer makes it from the heading (`core/split` → `coresplit`); the base
//! is [`RULES_URL`] unless the client sets `rulesUrl` in its
//! initialization options.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The rules folder of the repository's main branch.
pub const RULES_URL: &str = "https://github.com/dfsplit/dfsplit/blob/main/rules";

const PAGES: &[(&str, &str)] = &[
    ("core", include_str!("../../rules/core.md")),
    ("node", include_str!("../../rules/node.md")),
    ("go", include_str!("../../rules/go.md")),
    ("python", include_str!("../../rules/python.md")),
    ("java", include_str!("../../rules/java.md")),
    ("dotnet", include_str!("../../rules/dotnet.md")),
    ("rust", include_str!("../../rules/rust.md")),
    ("bases", include_str!("../../rules/bases.md")),
    ("packages", include_str!("../../rules/packages.md")),
];

/// Rule id → page, from the headings; the first page naming an id wins, so
/// `core` and the profiles come before `bases` and `packages`.
fn index() -> &'static HashMap<&'static str, &'static str> {
    static INDEX: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map = HashMap::new();
        for (page, text) in PAGES {
            for line in text.lines() {
                let Some(id) = line
                    .strip_prefix("### `")
                    .and_then(|rest| rest.strip_suffix('`'))
                else {
                    continue;
                };
                map.entry(id).or_insert(*page);
            }
        }
        map
    })
}

/// The page of `rule` (`core`, `node`, …), when one documents it.
pub fn page(rule: &str) -> Option<&'static str> {
    index().get(rule).copied()
}

/// The link to `rule`'s documentation under `base`, when a page documents it.
pub fn url(base: &str, rule: &str) -> Option<String> {
    let page = page(rule)?;
    let anchor: String = rule
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Some(format!("{}/{page}.md#{anchor}", base.trim_end_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_name_the_page_with_the_heading() {
        assert_eq!(
            url(RULES_URL, "core/split").as_deref(),
            Some("https://github.com/dfsplit/dfsplit/blob/main/rules/core.md#coresplit")
        );
        assert_eq!(page("go/mod-download"), Some("go"));
        assert_eq!(page("node/distroless"), Some("bases"));
        assert_eq!(
            url("https://x/rules/", "core/no-context").as_deref(),
            Some("https://x/rules/core.md#coreno-context")
        );
        assert_eq!(url(RULES_URL, "nope/never"), None);
    }
}
