//! Whether the venv dfsplit creates may be made without pip and setuptools.
//!
//! `python -m venv` seeds pip (and setuptools before Python 3.12): 15–25 MB
//! that the runtime would carry although the original image never had a
//! second pip. The venv is created with `--without-pip` instead, and the
//! build's installs go through the builder's own pip with
//! `PIP_PYTHON=<venv>/bin/python` (pip's `--python` option, pip ≥ 22.3), so
//! every `pip install` line stays byte for byte and installs into the venv.
//!
//! pip and setuptools stay in the venv when something needs them there:
//! `python -m pip` (it runs the pip of the interpreter first on PATH, the
//! venv's), `setup.py` or a build without isolation (they import setuptools
//! from the venv), a start command that runs pip, or a builder whose pip may
//! be older than 22.3 (Python before 3.7, or an image whose pip version is
//! not known).

use crate::plan::entry::Entry;
use crate::plan::facts::line_of;
use crate::plan::steps::{CmdInfo, StepInfo};
use crate::rules::pattern::program_basename;
use crate::syntax::Dockerfile;

/// Why pip and setuptools must stay in the venv created before step `at`,
/// or `None` when it can be created without them.
pub(super) fn pip_needed_in_venv(
    df: &Dockerfile,
    infos: &[StepInfo],
    at: usize,
    entry: &Entry,
    builder: &str,
) -> Option<String> {
    if let Some(why) = builder_pip_too_old(builder) {
        return Some(why);
    }
    for info in &infos[at..] {
        for cmd in info.commands() {
            if let Some(what) = needs_venv_pip(cmd) {
                return Some(format!("line {}: {what}", line_of(df, info.item)));
            }
            if cmd.assignments.contains_key("PIP_NO_BUILD_ISOLATION")
                || (info.env.contains_key("PIP_NO_BUILD_ISOLATION") && is_pip(cmd))
            {
                return Some(format!(
                    "line {}: PIP_NO_BUILD_ISOLATION makes pip build with the setuptools of the venv",
                    line_of(df, info.item)
                ));
            }
        }
    }
    if entry.commands.iter().any(|argv| runs_pip(argv)) {
        return Some("the start command runs pip".into());
    }
    None
}

/// The builder's pip may not know `--python` (added in pip 22.3): an image
/// that is not python or pypy, or one of Python before 3.7 (the last pip
/// for 3.6 is 21.3).
fn builder_pip_too_old(builder: &str) -> Option<String> {
    let without_digest = builder.split('@').next().unwrap_or(builder);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    let (name, tag) = last.split_once(':').unwrap_or((last, "latest"));
    if name != "python" && name != "pypy" {
        return Some(format!(
            "the builder `{builder}` is not a python image, so whether its pip has `--python` (pip 22.3 or later) is not known"
        ));
    }
    let mut parts = tag.split(['.', '-']);
    let major = parts.next().and_then(|p| p.parse::<u32>().ok());
    let minor = parts.next().and_then(|p| p.parse::<u32>().ok());
    match (major, minor) {
        (Some(m), _) if m < 3 => {}
        (Some(3), Some(n)) if n < 7 => {}
        _ => return None,
    }
    Some(format!(
        "the builder `{builder}` has a pip older than 22.3, which cannot install into another interpreter (`--python`)"
    ))
}

/// `python`, `python3`, `python3.N`, `pypy3` (any path).
fn is_python(program: &str) -> bool {
    let p = program_basename(program);
    matches!(p, "python" | "python3" | "pypy3" | "pypy")
        || p.strip_prefix("python3.")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
}

/// `pip`, `pip3`, `pip3.N` (any path).
fn is_pip_program(program: &str) -> bool {
    let p = program_basename(program);
    p == "pip"
        || p == "pip3"
        || p.strip_prefix("pip3.")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
}

fn is_pip(cmd: &CmdInfo) -> bool {
    cmd.program.as_deref().is_some_and(is_pip_program)
        || cmd.program.as_deref().is_some_and(is_python) && module_is(&cmd.args, "pip")
}

/// `-m MODULE` among the interpreter's arguments.
fn module_is(args: &[Option<String>], module: &str) -> bool {
    args.windows(2)
        .any(|w| w[0].as_deref() == Some("-m") && w[1].as_deref() == Some(module))
        || args.iter().flatten().any(|a| a == &format!("-m{module}"))
}

/// A build command that uses pip or setuptools from inside the venv.
fn needs_venv_pip(cmd: &CmdInfo) -> Option<String> {
    let program = cmd.program.as_deref()?;
    if is_python(program) {
        if module_is(&cmd.args, "pip") || module_is(&cmd.args, "ensurepip") {
            return Some(format!(
                "`{}` runs the pip of the venv's interpreter",
                cmd.text
            ));
        }
        if cmd.args.iter().flatten().any(|a| a.ends_with("setup.py")) {
            return Some(format!("`{}` imports setuptools from the venv", cmd.text));
        }
    }
    if is_pip(cmd)
        && let Some(flag) = cmd
            .args
            .iter()
            .flatten()
            .find(|a| *a == "--no-build-isolation" || *a == "--no-use-pep517")
    {
        return Some(format!(
            "`{}` builds with the setuptools of the venv ({flag})",
            cmd.text
        ));
    }
    None
}

/// The start command runs pip (`pip …`, `python -m pip …`).
fn runs_pip(argv: &[String]) -> bool {
    let Some(program) = argv.first() else {
        return false;
    };
    if is_pip_program(program) {
        return true;
    }
    is_python(program)
        && argv
            .windows(2)
            .any(|w| w[0] == "-m" && (w[1] == "pip" || w[1] == "ensurepip"))
}

#[cfg(test)]
mod tests {
    use super::builder_pip_too_old;

    #[test]
    fn builder_versions() {
        for ok in [
            "python:3.11",
            "python:3.12-slim",
            "python",
            "python:slim-bookworm",
            "docker.io/library/python:3.7-alpine",
            "pypy:3.10",
            "python:3",
            "python:3.13@sha256:abc",
        ] {
            assert_eq!(builder_pip_too_old(ok), None, "{ok}");
        }
        for old in [
            "python:3.6",
            "python:3.6-slim",
            "python:2.7",
            "pypy:2",
            "debian:bookworm",
            "ubuntu:22.04",
        ] {
            assert!(builder_pip_too_old(old).is_some(), "{old}");
        }
    }
}
