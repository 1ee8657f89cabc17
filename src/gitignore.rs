//! `.gitignore` files as gitignore(5) defines them, and which paths a walk
//! leaves out because of them: the patterns of [`Patterns`], and the stack
//! of ignore files that applies to a folder, [`Ignores`].
//!
//! Files honoured, from strongest to weakest:
//!
//! 1. `.ignore` files (ripgrep's and fd's convention, same syntax), the
//!    deeper folder's first;
//! 2. `.gitignore` files, the deeper folder's first, from the repository's
//!    root down (a folder with its own `.git` starts a repository of its own:
//!    the `.gitignore` files above it do not apply inside it);
//! 3. the repository's `info/exclude` (`.git/info/exclude`, or the common
//!    git folder's for a linked worktree or a submodule's `.git` file).
//!
//! `.gitignore` and `.ignore` files that are symbolic links are not read
//! (git refuses them); `info/exclude` is read wherever it leads.
//!
//! Within one file the last matching pattern decides. git's global excludes
//! file (`core.excludesFile`, by default `~/.config/git/ignore`) is *not*
//! read: it is per user, so what `rewrite --all` finds would differ between
//! a laptop and CI, and finding it would mean reading git's configuration.
//! Nor is anything above the repository root (or, outside a repository,
//! above the folder walked).
//!
//! **Invariant:** whether a path is ignored depends only on the ignore
//! files' bytes, the path (relative, `/`-separated) and whether it is a
//! folder; a file that cannot be read counts as empty (as git warns and goes
//! on); nothing here ever panics or fails.

use crate::glob::Glob;
use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The longest ignore-file line read as a pattern, in bytes (64 KiB); a
/// longer line matches nothing (see [`Patterns::parse`]).
pub const MAX_LINE: usize = 64 * 1024;

/// The patterns of one ignore file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patterns {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    glob: Glob,
    /// `!`: a match re-includes.
    negated: bool,
    /// A trailing `/`: only folders match.
    dir_only: bool,
    /// No `/` but a trailing one: the pattern is matched against the name,
    /// at any depth; otherwise against the path from the file's folder.
    name_only: bool,
}

impl Patterns {
    /// Reads an ignore file's text, line by line as gitignore(5) says: a UTF-8
    /// byte-order mark at the start and a `\r` before the `\n` are dropped;
    /// blank lines and lines starting with `#` are nothing (`\#` starts a
    /// pattern with `#`); trailing spaces are dropped unless escaped with `\`;
    /// a leading `!` negates (`\!` is a literal `!`); a trailing `/` matches
    /// only folders; a `/` at the start or in the middle anchors the pattern
    /// to the file's folder, without one it matches a name at any depth.
    ///
    /// Two limits git does not have the same way: a line is cut at its first
    /// NUL byte (as git does), and a line longer than [`MAX_LINE`] bytes
    /// (after that cut) is no pattern at all, so that it matches nothing,
    /// where git would still read it; this keeps the memory a pattern takes
    /// bounded.
    pub fn parse(text: &[u8]) -> Patterns {
        let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        let mut rules = Vec::new();
        for line in text.split(|&b| b == b'\n') {
            // git reads a pattern as a C string: it ends at a NUL.
            let line = match line.iter().position(|&b| b == 0) {
                Some(nul) => &line[..nul],
                None => line,
            };
            if line.is_empty() || line[0] == b'#' || line.len() > MAX_LINE {
                continue;
            }
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if let Some(rule) = Rule::parse(trim_trailing_spaces(line)) {
                rules.push(rule);
            }
        }
        Patterns { rules }
    }

    /// Whether the file has no pattern.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// What the last pattern matching `rel` (relative to the file's folder,
    /// `/`-separated) says: `Some(true)` ignored, `Some(false)` re-included by
    /// a `!` pattern, `None` when no pattern matches.
    pub fn matched(&self, rel: &[u8], is_dir: bool) -> Option<bool> {
        let name = match rel.iter().rposition(|&b| b == b'/') {
            Some(i) => &rel[i + 1..],
            None => rel,
        };
        self.rules.iter().rev().find_map(|r| {
            if r.dir_only && !is_dir {
                return None;
            }
            let subject = if r.name_only { name } else { rel };
            r.glob.is_match(subject).then_some(!r.negated)
        })
    }
}

impl Rule {
    fn parse(line: &[u8]) -> Option<Rule> {
        let (negated, p) = match line.strip_prefix(b"!") {
            Some(p) => (true, p),
            None => (false, line),
        };
        let (dir_only, p) = match p.strip_suffix(b"/") {
            Some(p) => (true, p),
            None => (false, p),
        };
        // An empty pattern (`!`, `/`, spaces) matches no name.
        if p.is_empty() {
            return None;
        }
        let name_only = !p.contains(&b'/');
        let glob = if name_only {
            Glob::git_name(p)
        } else {
            Glob::git_path(p.strip_prefix(b"/").unwrap_or(p))
        };
        Some(Rule {
            glob,
            negated,
            dir_only,
            name_only,
        })
    }
}

/// `line` without its trailing spaces, except one escaped with `\` (and
/// what follows it); a line ending in a lone `\` is kept as it is.
fn trim_trailing_spaces(line: &[u8]) -> &[u8] {
    let mut spaces_from = None;
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b' ' => {
                spaces_from.get_or_insert(i);
            }
            b'\\' => {
                if i + 1 == line.len() {
                    return line;
                }
                i += 1;
                spaces_from = None;
            }
            _ => spaces_from = None,
        }
        i += 1;
    }
    &line[..spaces_from.unwrap_or(line.len())]
}

/// The ignore files of one folder.
#[derive(Debug)]
struct Level {
    /// Where a path relative to this folder starts in a path relative to
    /// the top folder.
    offset: usize,
    dot_ignore: Patterns,
    gitignore: Patterns,
    /// `info/exclude`, for a repository's root folder.
    exclude: Patterns,
    /// The folder has a `.git`: git's files above it do not apply below.
    repo_root: bool,
}

/// The ignore files that apply in the folder a walk is in: one level per
/// folder from the top (the repository's root, or the folder walked when it
/// is in none) down. Paths given to it are relative to the top folder.
#[derive(Debug, Default)]
pub struct Ignores {
    levels: Vec<Level>,
}

impl Ignores {
    /// Gets ready to walk `dir`: reads the ignore files of the folders from
    /// the root of the repository `dir` is in (the nearest folder at or
    /// above it with a `.git`) down to `dir`'s parent. Returns them and
    /// `dir`'s path relative to the top folder, for [`Ignores::enter`] (empty
    /// when `dir` is the top: the repository's root or in no repository).
    /// `dir` itself is never checked against the files above it: the
    /// folder asked for is walked.
    pub fn above(dir: &Path) -> (Ignores, Vec<u8>) {
        let mut ignores = Ignores::default();
        let abs = std::fs::canonicalize(dir)
            .or_else(|_| std::path::absolute(dir))
            .unwrap_or_else(|_| dir.to_path_buf());
        let Some(root) = abs.ancestors().find(|d| d.join(".git").exists()) else {
            return (ignores, Vec::new());
        };
        let Ok(below) = abs.strip_prefix(root) else {
            return (ignores, Vec::new());
        };
        let mut folder = root.to_path_buf();
        let mut rel = Vec::new();
        for c in below.components() {
            ignores.enter(&folder, &rel);
            folder.push(c);
            if !rel.is_empty() {
                rel.push(b'/');
            }
            rel.extend_from_slice(&bytes(c.as_os_str()));
        }
        (ignores, rel)
    }

    /// Reads the ignore files of `folder`, whose path relative to the top
    /// folder is `rel` (empty for the top), before its entries are matched.
    pub fn enter(&mut self, folder: &Path, rel: &[u8]) {
        let repo_root = folder.join(".git").exists();
        let exclude = match repo_root.then(|| exclude_file(folder)).flatten() {
            Some(f) => read(&f),
            None => Patterns::default(),
        };
        self.levels.push(Level {
            offset: if rel.is_empty() { 0 } else { rel.len() + 1 },
            dot_ignore: read_in_tree(&folder.join(".ignore")),
            gitignore: read_in_tree(&folder.join(".gitignore")),
            exclude,
            repo_root,
        });
    }

    /// Forgets the ignore files of the folder last entered.
    pub fn leave(&mut self) {
        self.levels.pop();
    }

    /// Whether `rel` (relative to the top folder, in the folder last entered)
    /// is left out: the first of `.ignore`, `.gitignore` and `info/exclude`
    /// that has a matching pattern decides, the deeper folder's file first.
    pub fn is_ignored(&self, rel: &[u8], is_dir: bool) -> bool {
        let levels = self.levels.iter().rev();
        let seen = |l: &&Level| rel.len() > l.offset;
        let dot_ignore = || {
            levels
                .clone()
                .filter(seen)
                .find_map(|l| l.dot_ignore.matched(&rel[l.offset..], is_dir))
        };
        // git's own files: those of the innermost repository only.
        let repo = || {
            let mut inside = Vec::new();
            for l in levels.clone() {
                inside.push(l);
                if l.repo_root {
                    break;
                }
            }
            inside
        };
        let gitignore = || {
            repo()
                .into_iter()
                .filter(|l| seen(l))
                .find_map(|l| l.gitignore.matched(&rel[l.offset..], is_dir))
        };
        let exclude = || {
            repo()
                .last()
                .filter(|l| l.repo_root && seen(l))
                .and_then(|l| l.exclude.matched(&rel[l.offset..], is_dir))
        };
        dot_ignore()
            .or_else(gitignore)
            .or_else(exclude)
            .unwrap_or(false)
    }
}

/// Where the repository at `root` keeps `info/exclude`: its `.git` folder,
/// or for a `.git` file (`gitdir: …`, a linked worktree or a submodule) the
/// git folder it names, or that folder's `commondir`.
fn exclude_file(root: &Path) -> Option<PathBuf> {
    let dotgit = root.join(".git");
    let git_dir = if dotgit.is_dir() {
        dotgit
    } else {
        let text = std::fs::read_to_string(&dotgit).ok()?;
        let named = text.lines().next()?.strip_prefix("gitdir:")?.trim();
        root.join(named)
    };
    let common = match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(c) => git_dir.join(c.trim_end_matches(['\n', '\r'])),
        Err(_) => git_dir,
    };
    Some(common.join("info").join("exclude"))
}

/// The patterns of the file at `path`; none when it is missing or cannot
/// be read.
fn read(path: &Path) -> Patterns {
    match std::fs::read(path) {
        Ok(text) => Patterns::parse(&text),
        Err(_) => Patterns::default(),
    }
}

/// [`read`] for an ignore file inside the tree (`.gitignore`, `.ignore`):
/// none when it is a symbolic link, which git refuses to follow for
/// `.gitignore` (it warns and goes on).
fn read_in_tree(path: &Path) -> Patterns {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => read(path),
        _ => Patterns::default(),
    }
}

/// A file name's bytes (on Unix exactly; elsewhere as UTF-8).
pub fn bytes(s: &OsStr) -> Cow<'_, [u8]> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt as _;
        Cow::Borrowed(s.as_bytes())
    }
    #[cfg(not(unix))]
    {
        match s.to_string_lossy() {
            Cow::Borrowed(b) => Cow::Borrowed(b.as_bytes()),
            Cow::Owned(o) => Cow::Owned(o.into_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `text` says about `rel`: true ignored.
    fn ignored(text: &str, rel: &str, is_dir: bool) -> bool {
        Patterns::parse(text.as_bytes()).matched(rel.as_bytes(), is_dir) == Some(true)
    }

    #[test]
    fn blank_lines_and_comments_are_not_patterns() {
        let p = Patterns::parse(b"\n\n# Dockerfile\n   \n#\n");
        assert!(p.is_empty());
        assert!(!ignored("#Dockerfile\n", "#Dockerfile", false));
    }

    #[test]
    fn escaped_hash_and_bang_are_literal() {
        assert!(ignored("\\#x\n", "#x", false));
        assert!(ignored("\\!x\n", "!x", false));
        // Without the escape `!x` negates: nothing ignores `x` then.
        assert_eq!(Patterns::parse(b"!x\n").matched(b"x", false), Some(false));
        assert!(!ignored("!x\n", "!x", false));
    }

    #[test]
    fn trailing_spaces_are_trimmed_unless_escaped() {
        assert!(ignored("a  \n", "a", false));
        assert!(!ignored("a  \n", "a ", false));
        assert!(ignored("a\\ \n", "a ", false));
        assert!(ignored("a\\  \n", "a ", false));
        assert!(!ignored("a\\ \n", "a", false));
        // Tabs are not spaces here.
        assert!(ignored("a\t\n", "a\t", false));
        assert_eq!(trim_trailing_spaces(b"a\\"), b"a\\");
    }

    #[test]
    fn crlf_line_ends_and_a_byte_order_mark() {
        assert!(ignored("\u{feff}a\r\nb\r\n", "a", false));
        assert!(ignored("\u{feff}a\r\nb\r\n", "b", false));
    }

    #[test]
    fn negation_re_includes_and_the_last_match_wins() {
        let text = "*.Dockerfile\n!api.Dockerfile\n";
        assert!(ignored(text, "web.Dockerfile", false));
        assert!(!ignored(text, "api.Dockerfile", false));
        let text = "!api.Dockerfile\n*.Dockerfile\n";
        assert!(ignored(text, "api.Dockerfile", false));
    }

    #[test]
    fn a_trailing_slash_matches_only_folders() {
        assert!(ignored("build/\n", "build", true));
        assert!(!ignored("build/\n", "build", false));
        assert!(ignored("a/build/\n", "a/build", true));
        assert!(!ignored("a/build/\n", "a/build", false));
    }

    #[test]
    fn a_slash_at_the_start_or_in_the_middle_anchors() {
        assert!(ignored("/Dockerfile\n", "Dockerfile", false));
        assert!(!ignored("/Dockerfile\n", "a/Dockerfile", false));
        assert!(ignored("a/Dockerfile\n", "a/Dockerfile", false));
        assert!(!ignored("a/Dockerfile\n", "x/a/Dockerfile", false));
        assert!(ignored("a/*\n", "a/x", false));
        assert!(!ignored("a/*\n", "b/a/x", false));
    }

    #[test]
    fn no_slash_matches_the_name_at_any_depth() {
        assert!(ignored("Dockerfile.dev\n", "Dockerfile.dev", false));
        assert!(ignored("Dockerfile.dev\n", "a/b/Dockerfile.dev", false));
        assert!(ignored("b\n", "a/b", true));
        assert!(ignored("*.Dockerfile\n", "a/x.Dockerfile", false));
    }

    #[test]
    fn star_and_question_mark_do_not_cross_a_slash() {
        assert!(!ignored("a*\n", "ab/c", false));
        assert!(!ignored("a/*/c\n", "a/x/y/c", false));
        assert!(ignored("a/*/c\n", "a/x/c", false));
        assert!(!ignored("a?c\n", "a/c", false));
    }

    #[test]
    fn brackets_with_ranges_and_negation() {
        assert!(ignored("Dockerfile.[a-c]\n", "Dockerfile.b", false));
        assert!(!ignored("Dockerfile.[!a-c]\n", "Dockerfile.b", false));
        assert!(ignored("Dockerfile.[^a-c]\n", "Dockerfile.d", false));
    }

    #[test]
    fn double_star_in_its_three_places_and_elsewhere() {
        assert!(ignored("**/x\n", "a/b/x", false));
        assert!(ignored("**/x\n", "x", false));
        assert!(ignored("a/**\n", "a/b/c", false));
        assert!(!ignored("a/**\n", "a", true));
        assert!(ignored("a/**/x\n", "a/x", false));
        assert!(ignored("a/**/x\n", "a/b/c/x", false));
        // Elsewhere `**` is `*`.
        assert!(ignored("a**\n", "abc", false));
        assert!(!ignored("a/**x\n", "a/b/x", false));
    }

    #[test]
    fn a_line_is_cut_at_its_first_nul_as_git_does() {
        assert!(ignored("Dockerfile\0junk\n", "Dockerfile", false));
        assert!(!ignored("Dockerfile\0junk\n", "Dockerfile\0junk", false));
        assert!(Patterns::parse(b"\0Dockerfile\n").is_empty());
        // Trailing spaces before the NUL are trimmed as at a line's end.
        assert!(ignored("x  \0 \n", "x", false));
    }

    #[test]
    fn a_line_over_the_cap_matches_nothing() {
        let long = format!("{}\n", "*".repeat(MAX_LINE + 1));
        assert!(Patterns::parse(long.as_bytes()).is_empty());
        let at_cap = format!("{}\n", "*".repeat(MAX_LINE));
        assert!(ignored(&at_cap, "Dockerfile", false));
        // The lines around it are read as usual.
        assert!(ignored(&format!("a\n{long}b\n"), "b", false));
    }

    #[test]
    fn a_long_run_of_double_star_slashes_is_matched_without_recursion() {
        // 63 KB, under the cap: matched, as git does.
        let line = format!("/{}Dockerfile\n", "**/".repeat(21_000));
        assert!(ignored(&line, "a/b/Dockerfile", false));
        assert!(!ignored(&line, "a/b/Dockerfile.dev", false));
        // 120 KB, over it: nothing, and no stack overflow either way.
        let line = format!("/{}Dockerfile\n", "**/".repeat(40_000));
        assert!(!ignored(&line, "a/b/Dockerfile", false));
    }

    #[test]
    fn empty_patterns_match_nothing() {
        assert!(Patterns::parse(b"!\n/\n").is_empty());
    }
}
