//! The project's own parser cases: one fixture per feature in `tests/syntax/`,
//! each snapshotted as an outline (every item, argument, span and source text),
//! and each checked to round-trip byte for byte.

use dfsplit::syntax;

#[test]
fn syntax_cases() {
    insta::glob!("syntax/*.Dockerfile", |path| {
        let input = std::fs::read(path).expect("fixture");
        let df = syntax::parse_bytes(&input).expect("fixtures are UTF-8");
        assert_eq!(df.print().as_bytes(), &input[..], "round trip");
        insta::assert_snapshot!(df.to_outline());
    });
}
