//! `python/native-libs`: dependencies that load a shared library the full
//! builder image has and the slim runtime lacks.
//!
//! The full `python:X` image (Debian's buildpack-deps) carries the -dev
//! packages of common C libraries (libpq-dev, default-libmysqlclient-dev,
//! …), so pip compiles a package published as source only (`psycopg2`,
//! `mysqlclient`) against them without the Dockerfile installing anything;
//! a package may also load a library through ctypes (`python-magic`). The
//! slim runtime has none of these libraries: the import fails at start
//! (`libpq.so.5: cannot open shared object file`). The profile's
//! `runtime.libraries` table names such packages; the dependency files the
//! installs read (requirements files, pyproject.toml, lock files, setup.py)
//! and the packages `pip install` names are searched for them, and the
//! runtime installs each one's runtime packages (`packages.yaml`, from the
//! build package it `links`).

use super::Input;
use crate::plan::rule_ids as ids;
use crate::plan::steps::CmdInfo;
use crate::plan::types::Closure;
use crate::rules::ImageRef;

/// Whether `builder` is the full image of python or pypy (no `slim` or
/// `alpine` variant): the one with the -dev libraries of the table.
pub(super) fn full_builder(builder: &str) -> bool {
    let image = ImageRef::parse(builder);
    let tag = image.tag.as_deref().unwrap_or("latest");
    matches!(image.name.as_str(), "python" | "pypy")
        && !tag.contains("slim")
        && !tag.contains("alpine")
        && !tag.contains("windows")
        && !tag.contains("nanoserver")
}

/// PEP 503's normal form: lower case, runs of `-`, `_`, `.` as one `-`.
fn normalise(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for ch in name.chars() {
        if matches!(ch, '-' | '_' | '.') {
            dash = true;
        } else {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(ch.to_ascii_lowercase());
        }
    }
    out
}

/// The words of `text` (read from `source`) that may be package names:
/// runs of letters, digits, `-`, `_` and `.`, normalised, outside `#`
/// comments. `psycopg2==2.9.10`, `"psycopg2>=2"`, `name = "psycopg2"` and
/// `psycopg2 = "^2.9"` each give `psycopg2`; `psycopg2-binary` stays itself.
/// A TOML lock file (`poetry.lock`, `uv.lock`, `pdm.lock`) gives only its
/// packages' `name = "…"` entries: the extras it lists for a package
/// (SQLAlchemy's `postgresql = ["psycopg2"]`) are not installed.
fn names_in(source: &str, text: &str) -> Vec<String> {
    let lock = source.ends_with(".lock") && !source.ends_with("Pipfile.lock");
    let words = |line: &str| -> Vec<String> {
        line.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .filter(|w| !w.is_empty())
            .map(normalise)
            .collect()
    };
    text.lines()
        .map(|line| line.split_once('#').map_or(line, |(code, _)| code))
        .filter_map(|line| {
            if !lock {
                return Some(words(line));
            }
            let (key, value) = line.split_once('=')?;
            (key.trim() == "name").then(|| words(value))
        })
        .flatten()
        .collect()
}

/// The dependency texts one install command reads: the files its rule
/// reads, found in the build context (by path, else by name), with where
/// they were found; and, for `pip install NAME…`, its own arguments.
fn sources(cmd: &CmdInfo, input: &Input) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(ctx) = input.ctx {
        for read in &cmd.reads {
            let read = read.trim_start_matches("./");
            let name = read.rsplit('/').next().unwrap_or(read);
            let found = ctx.text(read).map(|t| (read.to_string(), t)).or_else(|| {
                ctx.contents
                    .iter()
                    .find(|(p, _)| p.rsplit('/').next() == Some(name))
                    .map(|(p, t)| (p.clone(), t.as_str()))
            });
            if let Some((path, text)) = found {
                out.push((path, text.to_string()));
            }
        }
    }
    if cmd.rule == ids::python::PIP_INSTALL_PACKAGES {
        let args = super::pip_install_names(cmd);
        out.push((format!("`{}`", cmd.text), args.join(" ")));
    }
    out
}

/// Adds the runtime packages of the libraries the app's dependencies load
/// (`python/native-libs`), when the builder is the full image that has
/// them; the reason names each package, where it was read, and why.
pub(super) fn native_libraries(c: &mut Closure, input: &Input) {
    if !full_builder(input.builder) {
        return;
    }
    let Some(profile) = input.rules.profile("python") else {
        return;
    };
    let Some(libraries) = &profile.runtime.libraries else {
        return;
    };
    let table = &libraries.packages;
    let mut said: Vec<String> = Vec::new();
    let mut added_any = false;
    for cmd in input
        .infos
        .iter()
        .flat_map(|i| i.commands())
        .filter(|cmd| super::places::DEPENDENCY_INSTALLS.contains(&cmd.rule.as_str()))
    {
        for (source, text) in sources(cmd, input) {
            let names = names_in(&source, &text);
            for lib in table {
                let wanted = normalise(&lib.package);
                if !names.contains(&wanted)
                    || said.iter().any(|s| s.starts_with(&format!("{wanted} ")))
                {
                    continue;
                }
                let Some(runtime) = input.rules.runtime_package(&lib.links) else {
                    continue;
                };
                let mut new = Vec::new();
                for p in runtime {
                    if !c.packages.contains(p) {
                        c.packages.push(p.clone());
                        new.push(p.as_str());
                    }
                }
                added_any |= !new.is_empty();
                said.push(format!(
                    "{wanted} ({source}) → {}: {}",
                    runtime.join(", "),
                    lib.why
                ));
            }
        }
    }
    if !added_any {
        return;
    }
    c.library_note = Some((
        libraries.id.clone(),
        format!(
            "the full builder image has system libraries the app's dependencies load, and the slim runtime does not: {}",
            said.join("; ")
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_from_every_format() {
        let has = |text: &str, n: &str| names_in("requirements.txt", text).contains(&n.to_string());
        assert!(has("psycopg2==2.9.10\n", "psycopg2"));
        assert!(has("dependencies = [\"mysqlclient>=2.2\"]", "mysqlclient"));
        assert!(has(
            "[[package]]\nname = \"Python_Magic\"\n",
            "python-magic"
        ));
        assert!(has("psycopg2 = \"^2.9\"\n", "psycopg2"));
        assert!(!has("psycopg2-binary==2.9.10\n", "psycopg2"));
        assert!(!has("psycopg==3.2\n", "psycopg2"));
        assert!(!has("flask==3.0  # not psycopg2\n", "psycopg2"));
        // A lock file's packages, not the extras it lists for them.
        let lock = "[[package]]\nname = \"sqlalchemy\"\n\n[package.extras]\npostgresql = [\"psycopg2 (>=2.7)\"]\nmysql = [\"mysqlclient (>=1.4.0)\"]\n";
        assert_eq!(names_in("poetry.lock", lock), vec!["sqlalchemy"]);
        assert!(
            names_in("uv.lock", "[[package]]\nname = \"psycopg2\"\n")
                .contains(&"psycopg2".to_string())
        );
    }

    #[test]
    fn only_the_full_image_has_the_libraries() {
        for full in [
            "python:3.11",
            "python:3.12-bookworm",
            "python",
            "pypy:3.10",
            "docker.io/library/python:3.11",
        ] {
            assert!(full_builder(full), "{full}");
        }
        for other in [
            "python:3.11-slim",
            "python:3.12-slim-bookworm",
            "python:3.12-alpine",
            "ghcr.io/astral-sh/uv:python3.12-bookworm-slim",
            "example.com/team/python:3.11",
        ] {
            assert!(!full_builder(other), "{other}");
        }
    }
}
