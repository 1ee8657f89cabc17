//! What `build.rs` makes of the embedded rule files. Compiled only into the
//! build script (see `out_dir_json!`), which includes this module whole, so
//! the JSON is made by the same loader, validation and merge as any overlay.

use super::{
    BasesFile, Core, EMBEDDED, Loader, PackagesFile, ProfileFile, RulesError, base_name, file_kind,
};
use super::{FileKind, MergedSet, Rules};

/// The embedded files loaded from their YAML, validated and merged, in
/// postcard's binary form: what [`Rules::embedded_shared`] reads at run time.
///
/// # Errors
///
/// The first problem of the embedded files, located (`FILE:LINE:COL`).
pub(crate) fn merged_postcard() -> Result<Vec<u8>, RulesError> {
    let rules = MergedSet::from(Rules::embedded_from_yaml()?);
    Ok(postcard::to_allocvec(&rules).expect("rule types serialize to postcard"))
}

/// Each embedded file parsed as the loader parses it, as JSON, with the stem
/// of its name (`node`): what an overlay load reads in the place of the YAML.
///
/// # Errors
///
/// A file that does not parse, located.
pub(crate) fn file_jsons() -> Result<Vec<(&'static str, String)>, RulesError> {
    fn json<T: serde::Serialize>(value: &T) -> String {
        serde_json::to_string(value).expect("rule types serialize to JSON")
    }
    let mut out = Vec::new();
    for file in EMBEDDED {
        let mut loader = Loader::default();
        let text = match file_kind(base_name(file.name)) {
            None => continue,
            Some(FileKind::Profile) => json(&loader.parse::<ProfileFile>(file.name, file.yaml)?),
            Some(FileKind::Bases) => json(&loader.parse::<BasesFile>(file.name, file.yaml)?),
            Some(FileKind::Packages) => json(&loader.parse::<PackagesFile>(file.name, file.yaml)?),
            Some(FileKind::Core) => json(&loader.parse::<Core>(file.name, file.yaml)?),
        };
        let stem = base_name(file.name)
            .strip_suffix(".yaml")
            .expect("embedded files are .yaml");
        out.push((stem, text));
    }
    Ok(out)
}
