//! Converts the embedded rule files (`rules/*.yaml`) to JSON at build time.
//!
//! Parsing the YAML took about 95% of a `dfsplit rewrite` run. The YAML stays
//! the source of truth: each file is parsed here with the loader's own schema
//! (`src/rules/schema.rs`, included below) and the same parser options, and
//! written back as JSON to `$OUT_DIR/rules/<name>.json`. At run time
//! `Rules::embedded` deserialises that JSON into the same types through the
//! same `Deserialize` impls, then validates and merges exactly as before.
//!
//! A file that does not parse here is written as an empty JSON file (with a
//! cargo warning): the loader then falls back to the YAML, so a broken
//! embedded file fails at run time with the same `FILE:LINE:COL` error as
//! before rather than breaking the build.

use std::path::Path;

#[allow(dead_code, unreachable_pub)]
#[path = "src/rules/schema.rs"]
mod schema;

fn main() {
    println!("cargo::rerun-if-changed=rules");
    println!("cargo::rerun-if-changed=src/rules/schema.rs");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rules");
    std::fs::create_dir_all(&out).expect("create $OUT_DIR/rules");
    let mut entries: Vec<_> = std::fs::read_dir("rules")
        .expect("read rules/")
        .map(|e| e.expect("read rules/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    entries.sort();
    for path in entries {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("UTF-8 rule file name");
        let text = std::fs::read_to_string(&path).expect("read rule file");
        let json = match to_json(stem, &text) {
            Ok(json) => json,
            Err(e) => {
                println!(
                    "cargo::warning=rules/{stem}.yaml: {e} (the YAML will be parsed at run time)"
                );
                String::new()
            }
        };
        std::fs::write(out.join(format!("{stem}.json")), json).expect("write JSON rule file");
    }
}

/// The file parsed as the loader parses it (same type, same options), as JSON.
fn to_json(stem: &str, text: &str) -> Result<String, String> {
    fn convert<T: serde::de::DeserializeOwned + serde::Serialize>(
        text: &str,
    ) -> Result<String, String> {
        // Keep in step with `Loader::parse` in src/rules/mod.rs; the test
        // `embedded_json_matches_yaml` compares the two paths.
        let options = serde_saphyr::options! { strict_booleans: true };
        let value: T =
            serde_saphyr::from_str_with_options(text, options).map_err(|e| e.to_string())?;
        serde_json::to_string(&value).map_err(|e| e.to_string())
    }
    match stem {
        "bases" => convert::<schema::BasesFile>(text),
        "packages" => convert::<schema::PackagesFile>(text),
        "core" => convert::<schema::Core>(text),
        _ => convert::<schema::ProfileFile>(text),
    }
}
