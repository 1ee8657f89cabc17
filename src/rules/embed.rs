//! What `build.rs` makes of the embedded rule files. Compiled only into the
//! build script (see `out_dir_json!`), which includes this module whole, so
//! what is embedded is made by the same loader, validation and merge as any
//! overlay.

use super::{
    BasesFile, Core, EMBEDDED, Loader, PackagesFile, ProfileFile, RulesError, base_name, file_kind,
};
use super::{
    Blob, EmbeddedSet, EmbeddedSource, FileKind, MergedSet, ProfileHead, Rules, catalogue_head,
};

/// The embedded files loaded from their YAML, validated and merged, in
/// postcard's binary form: what [`Rules::embedded_shared`] reads at run time.
///
/// # Errors
///
/// The first problem of the embedded files, located (`FILE:LINE:COL`).
pub(crate) fn merged_postcard() -> Result<Vec<u8>, RulesError> {
    let set = MergedSet::load_with(std::iter::empty(), EmbeddedSource::Yaml)?;
    Ok(write(&set))
}

/// The merged set as an [`EmbeddedSet`]: each profile, each family's
/// candidates and the package map written apart, as bytes of their own, so
/// start-up reads none of them.
fn write(set: &MergedSet) -> Vec<u8> {
    fn bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
        postcard::to_allocvec(value).expect("rule types serialize to postcard")
    }
    let profiles: Vec<Vec<u8>> = set.profiles.iter().map(bytes).collect();
    let candidates: Vec<Vec<u8>> = set
        .bases
        .families
        .iter()
        .map(|f| bytes(&f.candidates))
        .collect();
    let packages = bytes(&set.packages);
    let (catalogue, candidate_images) = catalogue_head(&set.bases);
    bytes(&EmbeddedSet {
        heads: set.profiles.iter().map(ProfileHead::of).collect(),
        profiles: profiles.iter().map(|b| Blob(b)).collect(),
        catalogue,
        candidate_images,
        candidates: candidates.iter().map(|b| Blob(b)).collect(),
        packages: Blob(&packages),
        core: set.core.clone(),
    })
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
