//! `--base IMAGE`: the image the user named, with the facts the catalogue
//! has for it.

use super::{Chosen, candidate_matches, finish, incompatible, template_values};
use crate::plan::entry::Entry;
use crate::plan::rule_ids as ids;
use crate::plan::types::{Closure, Gate, Options, UserPolicy};
use crate::rules::{BaseCandidate, Rules};

/// `--base IMAGE`: the user's image as given, even when a non-root variant
/// exists, unless the catalogue knows it cannot run the app.
pub(super) fn with_base(
    img: &str,
    candidates: &[BaseCandidate<'_>],
    c: &Closure,
    entry: &Entry,
    builder: &str,
    opts: &Options,
    rules: &Rules,
) -> Result<Chosen, Gate> {
    let spec = candidates
        .iter()
        .find(|k| k.image == *img || candidate_matches(&k.spec.image, img))
        .map(|k| k.spec.clone());
    // A non-root variant named outright (`…:nonroot`) runs as another
    // user than a root original: only with --non-root.
    let names_nonroot = candidates
        .iter()
        .any(|k| k.nonroot_image.as_deref() == Some(img));
    if names_nonroot && opts.user == UserPolicy::Keep && c.runs_as_root() {
        return Err(Gate {
            rule: ids::core::BASE_INCOMPATIBLE.into(),
            message: format!(
                "--base {img}: it runs as a non-root user by default and the original runs as root: the runtime keeps the original's user (--non-root allows it, and gives that user the folders the app writes)"
            ),
            at: None,
        });
    }
    // The user's image is used as given, even when a non-root variant exists.
    if let Some(s) = &spec
        && let Some(why) = incompatible(s, c, entry, builder, opts)
    {
        return Err(Gate {
            rule: ids::core::BASE_INCOMPATIBLE.into(),
            message: format!("--base {img}: {why}"),
            at: None,
        });
    }
    let mut chosen = finish(
        img.to_string(),
        None,
        spec,
        format!("chosen with --base {img}"),
        c,
        entry,
        opts,
    );
    given_locale(&mut chosen, img, rules);
    Ok(chosen)
}

/// The locale data of a base named with `--base` that has none of its own
/// (the candidate's `locale.from`): the image it is copied from, rendered
/// with the release read from the given image's name as the catalogue's own
/// pick renders it (`cc-debian12` → `debian:bookworm-slim`). When the
/// release cannot be read, neither LANG nor the data is written: LANG
/// without the data would claim a locale glibc cannot load.
fn given_locale(chosen: &mut Chosen, img: &str, rules: &Rules) {
    let Some(spec) = &chosen.spec else { return };
    let Some(locale) = &spec.locale else { return };
    let Some(from) = &locale.from else { return };
    let lang = locale.lang.clone();
    let mut vars = template_values(&spec.image, img).unwrap_or_default();
    let bases = rules.bases();
    let release = vars
        .get("distro")
        .and_then(|d| bases.release_by_distro(d))
        .or_else(|| vars.get("suite").and_then(|s| bases.release_by_suite(s)))
        .cloned();
    if let Some(r) = &release {
        vars.insert("distro".to_owned(), r.distro.clone());
        vars.insert("release".to_owned(), r.suite.clone());
    }
    match crate::rules::pattern::render_template(from, &vars) {
        Some(image) => {
            let read = release.as_ref().map_or_else(String::new, |r| {
                format!(
                    " ({}, the release `{}` in the image's name)",
                    r.suite, r.distro
                )
            });
            chosen.reason.push_str(&format!(
                "; it has no {lang} locale data, which comes from {image}{read}"
            ));
            if let Some(why) = release.as_ref().and_then(|r| {
                spec.releases
                    .iter()
                    .find(|cr| cr.distro == r.distro)
                    .and_then(|cr| cr.deprecated.as_ref())
            }) {
                chosen.notes.push(format!(
                    "the runtime base {img} is no longer updated upstream: {why}"
                ));
            }
            chosen.locale = Some((lang, Some(image)));
        }
        None => {
            let which = match vars.get("distro").or_else(|| vars.get("suite")) {
                Some(v) => format!("`{v}` in its name is no release the catalogue knows"),
                None => "its name gives no release".to_owned(),
            };
            chosen.reason.push_str(&format!(
                "; it has no locale data, and the image that data comes from ({from}) follows the base's release: {which}, so the rewrite adds no LANG={lang} and copies no data, and the app runs in the POSIX locale (name a release the catalogue lists, such as {})",
                spec.releases
                    .iter()
                    .map(|r| format!("`{}`", r.distro))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ));
            chosen.locale = None;
            chosen.locale_dropped = Some(format!(
                "--base {img}: {which}, so the image its locale data would come from cannot be named"
            ));
        }
    }
}
