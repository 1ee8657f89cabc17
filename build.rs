//! Loads the embedded rule files (`rules/*.yaml`) at build time and embeds
//! the result.
//!
//! The YAML stays the source of truth. This script includes the loader
//! itself (`src/rules/`, compiled here without `dfsplit_rules_json`, so it
//! reads the YAML) and writes to `$OUT_DIR/rules/`:
//!
//! * `merged.postcard`: the files parsed, validated and merged as at run
//!   time, in postcard's binary form — `Rules::embedded_shared` reads it as
//!   it is, with nothing left to check;
//! * `<name>.json`: each file as parsed, which an overlay load (`--rules DIR`)
//!   reads instead of the YAML before validating and merging the overlay.
//!
//! A broken embedded file fails the build with its `FILE:LINE:COL` and the
//! loader's message. The crate is then built with `--cfg dfsplit_rules_json`,
//! which makes `src/rules/` include these files.

use std::path::Path;

#[allow(dead_code, unreachable_pub, unused_imports)]
#[path = "src/rules/mod.rs"]
mod rules;

fn main() {
    println!("cargo::rerun-if-changed=rules");
    println!("cargo::rerun-if-changed=src/rules");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rules");
    std::fs::create_dir_all(&out).expect("create $OUT_DIR/rules");
    let (merged, files) = match rules::embed::merged_postcard()
        .and_then(|merged| Ok((merged, rules::embed::file_jsons()?)))
    {
        Ok(found) => found,
        Err(e) => {
            eprintln!("error: the embedded rules do not load: {e}");
            std::process::exit(1);
        }
    };
    std::fs::write(out.join("merged.postcard"), merged).expect("write merged.postcard");
    for (stem, json) in files {
        std::fs::write(out.join(format!("{stem}.json")), json).expect("write a rule file's JSON");
    }
    println!("cargo::rustc-cfg=dfsplit_rules_json");
}
