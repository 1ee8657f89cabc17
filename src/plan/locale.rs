//! Whether the runtime base can load the locale the file's own ENV names.
//!
//! glibc's `setlocale(LC_ALL, "")` reads `LC_ALL`, then each category's
//! `LC_…`, then `LANG`; when one names a locale whose data is missing, the
//! whole call fails and the program stays in the POSIX locale, where a JVM
//! reads and writes file names (and before Java 18 file contents) as ASCII.
//! The catalogue says which locale data a base has only for the candidates
//! with a `locale` fact (the jlink bases: C.UTF-8, copied in where the base
//! has none). On such a base, a file that names any other locale would run
//! in POSIX, while the original runs in that locale whenever its builder
//! image has the data — which the analysis cannot see (the eclipse-temurin
//! images generate en_US.UTF-8). So the file is left unchanged
//! (`core/locale-unavailable`). Imports nothing above `steps`, `types`,
//! `facts`, `base` and `rule_ids`.

use super::base::Chosen;
use super::facts;
use super::rule_ids as ids;
use super::steps::StepInfo;
use super::types::{Closure, Gate};
use crate::syntax::{Body, Dockerfile, Keyword, process_word};
use std::collections::BTreeMap;

/// The categories `setlocale(LC_ALL, "")` reads one variable each for,
/// after `LC_ALL` and before `LANG` (glibc's `locale/setlocale.c`).
const CATEGORIES: [&str; 12] = [
    "LC_CTYPE",
    "LC_NUMERIC",
    "LC_TIME",
    "LC_COLLATE",
    "LC_MONETARY",
    "LC_MESSAGES",
    "LC_PAPER",
    "LC_NAME",
    "LC_ADDRESS",
    "LC_TELEPHONE",
    "LC_MEASUREMENT",
    "LC_IDENTIFICATION",
];

/// Debian's package of every locale glibc ships, compiled: installed in
/// the runtime (from the runtime's own release), it has whatever the file
/// names.
const ALL_LOCALES_PACKAGE: &str = "locales-all";

/// A locale variable the file's own ENV gives the running app.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Setting {
    key: String,
    /// The value as the model expands it.
    value: String,
    /// The value as written.
    raw: String,
    /// The ENV instruction that set it last.
    item: usize,
}

impl Setting {
    /// Written with a variable that expands to nothing here (a build
    /// argument without a default): the locale it names cannot be read.
    fn unread(&self) -> bool {
        self.value.is_empty() && self.raw.contains('$')
    }

    /// glibc ignores an empty variable.
    fn set(&self) -> bool {
        !self.value.is_empty() || self.unread()
    }
}

/// Leaves the file unchanged when the chosen base's catalogue entry says
/// which locale data it has and the file's own ENV names a locale beyond
/// it (and beyond C, POSIX and C.UTF-8: the catalogue's own locale, which
/// the base gets, or a warning says why not). ENVs a `# dfsplit: build`
/// pragma keeps out of the runtime (`build_only`) do not count.
pub(crate) fn check(
    df: &Dockerfile,
    infos: &[StepInfo],
    chosen: &Chosen,
    closure: &Closure,
    build_only: &[usize],
) -> Result<(), Gate> {
    let has = match (&chosen.locale, &chosen.locale_dropped) {
        (Some((lang, _)), _) => Some(locale_dir(lang)),
        (None, Some(_)) => None,
        // The catalogue does not say what the base has.
        (None, None) => return Ok(()),
    };
    if closure
        .packages
        .iter()
        .chain(&chosen.extra_packages)
        .any(|p| p == ALL_LOCALES_PACKAGE)
    {
        return Ok(());
    }
    let env = runtime_settings(df, infos, build_only);
    let Some(s) = missing(&env, |value| {
        let dir = locale_dir(value);
        matches!(dir.as_str(), "C" | "POSIX" | "C.utf8") || has.as_deref() == Some(dir.as_str())
    }) else {
        return Ok(());
    };
    let base_has = match &chosen.locale {
        Some((lang, Some(from))) => format!("its only locale is {lang}, copied in from {from}"),
        Some((lang, None)) => format!("its only locale is {lang}"),
        None => "it has no locale data".into(),
    };
    let (key, raw, image) = (&s.key, &s.raw, &chosen.image);
    let what = if s.unread() {
        format!(
            "`{key}={raw}` takes its locale from a build argument without a default, so the analysis cannot tell whether the runtime base {image} has it ({base_has})"
        )
    } else {
        format!("`{key}={raw}` names a locale the runtime base {image} does not have ({base_has})")
    };
    Err(facts::gate_at(
        df,
        s.item,
        ids::core::LOCALE_UNAVAILABLE,
        format!(
            "{what}: glibc would fall back to POSIX, where a JVM reads and writes file names, and before Java 18 file contents, as ASCII, while the original runs in that locale if its builder image has the data, which the analysis cannot see (the eclipse-temurin images generate en_US.UTF-8). Set {key}=C.UTF-8 if UTF-8 is all the app needs, or name with --base a runtime image that has this locale"
        ),
    ))
}

/// `LANG`, `LC_ALL` and the categories' variables as the file's ENV
/// instructions leave them for the runtime (a later ENV wins).
fn runtime_settings(
    df: &Dockerfile,
    infos: &[StepInfo],
    build_only: &[usize],
) -> BTreeMap<String, Setting> {
    let mut env = BTreeMap::new();
    for info in infos {
        if info.keyword != Keyword::Env || build_only.contains(&info.item) {
            continue;
        }
        let Some(Body::KeyValues { pairs }) = df.instruction_at(info.item).map(|i| &i.body) else {
            continue;
        };
        for p in pairs {
            let key = process_word(&p.key.value, df.escape);
            if key != "LANG" && key != "LC_ALL" && !CATEGORIES.contains(&key.as_str()) {
                continue;
            }
            let value = info.env.get(&key).cloned().unwrap_or_default();
            env.insert(
                key.clone(),
                Setting {
                    key,
                    value,
                    raw: p.value.value.clone(),
                    item: info.item,
                },
            );
        }
    }
    env
}

/// The first setting (in file order) glibc reads that names a locale
/// `available` does not accept: `LC_ALL` alone when set; else each
/// category's variable, and `LANG` unless every category has its own.
fn missing(env: &BTreeMap<String, Setting>, available: impl Fn(&str) -> bool) -> Option<&Setting> {
    let set = |k: &str| env.get(k).filter(|s| s.set());
    let read: Vec<&Setting> = match set("LC_ALL") {
        Some(all) => vec![all],
        None => {
            let mut read: Vec<&Setting> = CATEGORIES.iter().filter_map(|c| set(c)).collect();
            if read.len() < CATEGORIES.len() {
                read.extend(set("LANG"));
            }
            read
        }
    };
    read.into_iter()
        .filter(|s| s.unread() || !available(&s.value))
        .min_by_key(|s| s.item)
}

/// The folder glibc loads a locale from under /usr/lib/locale: the codeset
/// normalised (`C.UTF-8` → `C.utf8`).
pub(crate) fn locale_dir(lang: &str) -> String {
    match lang.split_once('.') {
        Some((name, codeset)) => {
            let (codeset, modifier) = codeset
                .split_once('@')
                .map_or((codeset, None), |(c, m)| (c, Some(m)));
            let norm: String = codeset
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .collect();
            match modifier {
                Some(m) => format!("{name}.{norm}@{m}"),
                None => format!("{name}.{norm}"),
            }
        }
        None => lang.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Setting, locale_dir, missing};
    use std::collections::BTreeMap;

    fn env(settings: &[(&str, &str, usize)]) -> BTreeMap<String, Setting> {
        settings
            .iter()
            .map(|(k, v, item)| {
                (
                    (*k).to_string(),
                    Setting {
                        key: (*k).into(),
                        value: if v.starts_with('$') { "" } else { v }.to_string(),
                        raw: (*v).into(),
                        item: *item,
                    },
                )
            })
            .collect()
    }

    /// What a jlink base has: C.UTF-8 (and C, POSIX).
    fn c_utf8(value: &str) -> bool {
        matches!(locale_dir(value).as_str(), "C" | "POSIX" | "C.utf8")
    }

    fn named(settings: &[(&str, &str, usize)]) -> Option<String> {
        missing(&env(settings), c_utf8).map(|s| format!("{}={}", s.key, s.raw))
    }

    #[test]
    fn locale_folders_are_named_as_glibc_looks_them_up() {
        assert_eq!(locale_dir("C.UTF-8"), "C.utf8");
        assert_eq!(locale_dir("C.utf8"), "C.utf8");
        assert_eq!(locale_dir("en_US.UTF-8"), "en_US.utf8");
        assert_eq!(locale_dir("de_DE.ISO-8859-15@euro"), "de_DE.iso885915@euro");
        assert_eq!(locale_dir("POSIX"), "POSIX");
    }

    #[test]
    fn a_locale_the_base_lacks_is_named_wherever_glibc_reads_it() {
        assert_eq!(
            named(&[("LANG", "en_US.UTF-8", 2)]).as_deref(),
            Some("LANG=en_US.UTF-8")
        );
        assert_eq!(
            named(&[("LANG", "C.UTF-8", 2), ("LC_MESSAGES", "de_DE.UTF-8", 3)]).as_deref(),
            Some("LC_MESSAGES=de_DE.UTF-8"),
            "one category that cannot load makes setlocale(LC_ALL, \"\") fail"
        );
        assert_eq!(
            named(&[("LC_ALL", "fr_FR.UTF-8", 4), ("LANG", "C.UTF-8", 2)]).as_deref(),
            Some("LC_ALL=fr_FR.UTF-8")
        );
        assert_eq!(
            named(&[("LANG", "$LOCALE", 2)]).as_deref(),
            Some("LANG=$LOCALE"),
            "a build argument without a default cannot be read"
        );
        // The first in the file is named.
        assert_eq!(
            named(&[("LC_TIME", "de_DE.UTF-8", 5), ("LANG", "en_US.UTF-8", 3)]).as_deref(),
            Some("LANG=en_US.UTF-8")
        );
    }

    #[test]
    fn what_glibc_does_not_read_or_can_load_is_not_named() {
        for ok in [
            &[("LANG", "C.UTF-8", 2)][..],
            &[("LANG", "C.utf8", 2)],
            &[("LANG", "C", 2)],
            &[("LC_ALL", "POSIX", 2)],
            &[("LANG", "", 2)],
            &[("LANGUAGE", "en_US:en", 2)],
            // LC_ALL wins over every other variable.
            &[("LANG", "en_US.UTF-8", 2), ("LC_ALL", "C.UTF-8", 3)],
        ] {
            assert_eq!(named(ok), None, "{ok:?}");
        }
        // LANG is not read when every category has its own variable.
        let mut all: Vec<(&str, &str, usize)> = super::CATEGORIES
            .iter()
            .enumerate()
            .map(|(i, c)| (*c, "C.UTF-8", i + 3))
            .collect();
        all.push(("LANG", "en_US.UTF-8", 2));
        assert_eq!(named(&all), None);
    }
}
