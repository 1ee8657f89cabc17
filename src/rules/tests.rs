//! Unit tests of loading, merging and querying, on the embedded rules.

use super::*;

fn rules() -> Rules {
    match Rules::embedded() {
        Ok(r) => r,
        Err(e) => panic!("embedded rules must load: {e}"),
    }
}

#[test]
fn embedded_rules_load() {
    let r = rules();
    let ids: Vec<&str> = r.profiles().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["node", "go", "python", "java", "dotnet"]);
}
