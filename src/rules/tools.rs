//! The build-tool tables (`tools:` in a profile and in `rules/core.yaml`)
//! and the engine's own tables (`rules/core.yaml`): how overlays merge them,
//! what is checked, and the questions the step classifier asks of them.
//!
//! Merging: lists of names or patterns are unioned, lists of command matches
//! get the overlay's new matches appended (every match of one list means the
//! same, so their order does not matter), and cache mounts are keyed by
//! `target` (same target replaces, a new one comes first).

use super::pattern::{self, any_glob};
use super::schema::{CacheMount, CommandMatch, Core, Tools};
use super::{Loader, MergedSet, Rules, RulesError, merge_keyed, union};

/// Adds the matches of `extra` that `list` lacks, keeping order.
fn append_new(list: &mut Vec<CommandMatch>, extra: Vec<CommandMatch>) {
    for m in extra {
        if !list.contains(&m) {
            list.push(m);
        }
    }
}

/// An overlay's `tools` over the embedded ones.
pub(super) fn merge_tools(base: &mut Tools, overlay: Tools) {
    append_new(&mut base.config, overlay.config);
    append_new(&mut base.cache_clean, overlay.cache_clean);
    merge_keyed(&mut base.cache_mounts, overlay.cache_mounts, |m| {
        m.target.as_str()
    });
    union(&mut base.build_env, overlay.build_env);
    merge_keyed(&mut base.images, overlay.images, |m| m.id.as_str());
}

/// An overlay's `core.yaml` over the embedded one: every list extended.
pub(super) fn merge_core(base: &mut Core, overlay: Core) {
    union(&mut base.harmless.programs, overlay.harmless.programs);
    union(
        &mut base.harmless.version_checks,
        overlay.harmless.version_checks,
    );
    union(
        &mut base.harmless.version_args,
        overlay.harmless.version_args,
    );
    union(&mut base.file_commands, overlay.file_commands);
    union(&mut base.cache_paths, overlay.cache_paths);
    merge_tools(&mut base.tools, overlay.tools);
}

/// Remembers which file each cache mount came from, to locate errors found
/// after merging.
pub(super) fn note_tools<'a>(loader: &mut Loader<'a>, file: &'a str, tools: &Tools) {
    for m in &tools.cache_mounts {
        loader.note(&m.target, file);
    }
}

/// Checks one file's `tools`: every match names a program, every cache
/// mount has an absolute target, a description and rules that fill it.
pub(super) fn validate_tools(loader: &Loader, file: &str, tools: &Tools) -> Result<(), RulesError> {
    for (key, list) in [
        ("config", &tools.config),
        ("cache-clean", &tools.cache_clean),
    ] {
        if list
            .iter()
            .any(|m| m.program.is_empty() || m.program.iter().any(String::is_empty))
        {
            return Err(RulesError::invalid(
                loader.locate_in(file, key, "", 0),
                format!("`tools.{key}`: every match needs at least one non-empty `program`"),
            ));
        }
    }
    let mut seen = Vec::new();
    for m in &tools.cache_mounts {
        let nth = seen.iter().filter(|t| **t == m.target.as_str()).count();
        let at = || loader.locate_in(file, "target", &m.target, nth);
        let problem = if nth > 0 {
            Some("is listed twice")
        } else if !m.target.starts_with('/') {
            Some("must be an absolute path")
        } else if m.what.trim().is_empty() {
            Some("needs a `what`")
        } else if m.rules.is_empty() {
            Some("needs the `rules` whose commands fill it")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(RulesError::invalid(
                at(),
                format!("cache mount `{}` {problem}", m.target),
            ));
        }
        seen.push(m.target.as_str());
    }
    Ok(())
}

/// After merging: every cache mount names command rules that exist.
pub(super) fn check_cache_mount_rules(
    rules: &MergedSet,
    loader: &Loader,
) -> Result<(), RulesError> {
    let all_tools =
        std::iter::once(&rules.core.tools).chain(rules.profiles.iter().map(|p| &p.tools));
    for m in all_tools.flat_map(|t| &t.cache_mounts) {
        let known = |id: &String| {
            rules
                .profiles
                .iter()
                .any(|p| p.commands.iter().any(|c| &c.id == id))
        };
        if let Some(id) = m.rules.iter().find(|id| !known(id)) {
            return Err(RulesError::invalid(
                loader.locate_by(&m.target, "target"),
                format!(
                    "cache mount `{}` is filled by `{id}`, which is not a command rule",
                    m.target
                ),
            ));
        }
    }
    Ok(())
}

impl Rules {
    /// The engine's own tables (`rules/core.yaml`).
    pub fn core(&self) -> &Core {
        &self.core
    }

    /// The `tools` tables that may answer a question: the core's, then
    /// each profile's whose head passes `may` (only those profiles are read;
    /// see [`super::ProfileHead`]).
    fn tools_where<'s, F: Fn(&super::ProfileHead) -> bool>(
        &'s self,
        may: F,
    ) -> impl Iterator<Item = &'s Tools> + use<'s, F> {
        let profiles = (0..self.heads.len())
            .filter(move |&i| may(&self.heads[i]))
            .map(|i| &self.profile_at(i).tools);
        std::iter::once(&self.core.tools).chain(profiles)
    }

    /// Whether `program args...` only configures a build tool for the build
    /// (some `tools.config` match, as written).
    pub fn is_tool_config<S: AsRef<str>>(&self, program: &str, args: &[S]) -> bool {
        let base = pattern::program_basename(program);
        self.tools_where(|h| any_glob(&h.tool_programs, base))
            .flat_map(|t| &t.config)
            .any(|m| pattern::match_command(m, program, args).is_some())
    }

    /// Whether `program args...` cleans a build tool's own cache (some
    /// `tools.cache-clean` match, as written).
    pub fn is_cache_clean<S: AsRef<str>>(&self, program: &str, args: &[S]) -> bool {
        let base = pattern::program_basename(program);
        self.tools_where(|h| any_glob(&h.tool_programs, base))
            .flat_map(|t| &t.cache_clean)
            .any(|m| pattern::match_command(m, program, args).is_some())
    }

    /// The download cache a command classified by `rule` fills, when its
    /// program is `program` (`node/install` run by `npm`: `/root/.npm`).
    pub fn cache_mount(&self, rule: &str, program: &str) -> Option<&CacheMount> {
        let base = pattern::program_basename(program);
        self.tools_where(|h| h.cache_rules.iter().any(|r| r == rule))
            .flat_map(|t| &t.cache_mounts)
            .find(|m| {
                m.rules.iter().any(|r| r == rule)
                    && (m.program.is_empty() || any_glob(&m.program, base))
            })
    }

    /// Whether the ENV name only steers builds and package managers.
    pub fn is_build_env(&self, name: &str) -> bool {
        any_glob(&self.core.tools.build_env, name)
            || self.heads.iter().any(|h| any_glob(&h.build_env, name))
    }

    /// The tool image `image` names (`ghcr.io/astral-sh/uv:0.5`), if any.
    pub fn tool_image(&self, image: &str) -> Option<&crate::rules::ToolImage> {
        let name = pattern::ImageRef::parse(image).name;
        self.tools_where(|h| h.tool_images.iter().any(|i| pattern::glob_match(i, &name)))
            .flat_map(|t| t.images.iter())
            .find(|i| pattern::glob_match(&i.image, &name))
    }

    /// Whether `program args...` prints or checks and changes no file: a
    /// harmless program, or a version check of one that runs code otherwise.
    pub fn is_harmless<S: AsRef<str>>(&self, program: &str, args: &[S]) -> bool {
        let h = &self.core.harmless;
        let base = pattern::program_basename(program);
        any_glob(&h.programs, base)
            || (any_glob(&h.version_checks, base)
                && matches!(args, [a] if any_glob(&h.version_args, a.as_ref())))
    }

    /// Whether the program's arguments are paths it changes (`cp`, `chmod`).
    pub fn is_file_command(&self, program: &str) -> bool {
        any_glob(&self.core.file_commands, pattern::program_basename(program))
    }

    /// Whether removing `path` only cleans a package manager's cache.
    pub fn is_cache_path(&self, path: &str) -> bool {
        any_glob(&self.core.cache_paths, path)
    }
}
