//! The `git` CLI, as the well-known PR actions use it: the user's
//! configuration, credentials and remotes as they are. Commits are made with
//! plumbing (a private index, `commit-tree`, `update-ref`), so the user's
//! working tree and index are never touched.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A repository and the git commands run in it.
pub struct Git {
    /// The repository's top folder.
    pub root: PathBuf,
}

/// A git command that failed: the command (without any secret) and its stderr.
#[derive(Debug, thiserror::Error)]
#[error("git {args}: {stderr}")]
pub struct GitError {
    /// The arguments.
    pub args: String,
    /// What git said.
    pub stderr: String,
}

impl Git {
    /// The repository that holds `dir`.
    pub fn open(dir: &Path) -> Result<Git, GitError> {
        let g = Git {
            root: dir.to_path_buf(),
        };
        let top = g.run(&["rev-parse", "--show-toplevel"])?;
        Ok(Git {
            root: PathBuf::from(top.trim()),
        })
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("git");
        c.current_dir(&self.root).args(args);
        c
    }

    fn output(&self, args: &[&str], envs: &[(&str, &str)]) -> Result<Output, GitError> {
        let mut c = self.command(args);
        for (k, v) in envs {
            c.env(k, v);
        }
        c.output().map_err(|e| GitError {
            args: args.join(" "),
            stderr: format!("cannot run git: {e}"),
        })
    }

    /// Runs git; its stdout, or an error with its stderr.
    pub fn run(&self, args: &[&str]) -> Result<String, GitError> {
        self.run_env(args, &[])
    }

    /// [`Git::run`] with extra environment variables.
    pub fn run_env(&self, args: &[&str], envs: &[(&str, &str)]) -> Result<String, GitError> {
        let out = self.output(args, envs)?;
        if !out.status.success() {
            return Err(GitError {
                args: args.join(" "),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The commit `rev` names, if it exists.
    pub fn rev(&self, rev: &str) -> Option<String> {
        self.run(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
    }

    /// The current branch's name.
    pub fn current_branch(&self) -> Result<String, GitError> {
        Ok(self
            .run(&["symbolic-ref", "--short", "HEAD"])?
            .trim()
            .to_string())
    }

    /// The blob id of `path` (relative to the root) at `commit`, if any.
    pub fn blob_at(&self, commit: &str, path: &str) -> Option<String> {
        self.run(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{commit}:{path}"),
        ])
        .ok()
        .map(|s| s.trim().to_string())
    }

    /// Writes `bytes` as a blob; its id.
    pub fn hash_blob(&self, bytes: &[u8]) -> Result<String, GitError> {
        use std::io::Write;
        let mut child = self
            .command(&["hash-object", "-w", "--stdin"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| GitError {
                args: "hash-object".into(),
                stderr: e.to_string(),
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(bytes);
        }
        let out = child.wait_with_output().map_err(|e| GitError {
            args: "hash-object".into(),
            stderr: e.to_string(),
        })?;
        if !out.status.success() {
            return Err(GitError {
                args: "hash-object".into(),
                stderr: String::from_utf8_lossy(&out.stderr).into(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// A commit on `parent` whose tree is `parent`'s with `files` (path,
    /// new text) replaced, made in a private index; its id.
    pub fn commit_files(
        &self,
        parent: &str,
        files: &[(String, String)],
        message: &str,
    ) -> Result<String, GitError> {
        let index = std::env::temp_dir().join(format!(
            "dfsplit-pr-index-{}-{}",
            std::process::id(),
            parent
        ));
        let index_s = index.to_string_lossy().into_owned();
        let env = [("GIT_INDEX_FILE", index_s.as_str())];
        let result = (|| {
            self.run_env(&["read-tree", parent], &env)?;
            for (path, text) in files {
                let blob = self.hash_blob(text.as_bytes())?;
                // Keep the file's mode (an executable Dockerfile stays one).
                let mode = self
                    .run(&["ls-tree", parent, "--", path])?
                    .split_whitespace()
                    .next()
                    .unwrap_or("100644")
                    .to_string();
                self.run_env(
                    &[
                        "update-index",
                        "--cacheinfo",
                        &format!("{mode},{blob},{path}"),
                    ],
                    &env,
                )?;
            }
            let tree = self.run_env(&["write-tree"], &env)?;
            let mut ident: Vec<(&str, &str)> = Vec::new();
            if self.run(&["config", "user.email"]).is_err() {
                ident.extend([
                    ("GIT_AUTHOR_NAME", "dfsplit"),
                    ("GIT_AUTHOR_EMAIL", "dfsplit@localhost"),
                    ("GIT_COMMITTER_NAME", "dfsplit"),
                    ("GIT_COMMITTER_EMAIL", "dfsplit@localhost"),
                ]);
            }
            let commit = self.run_env(
                &["commit-tree", tree.trim(), "-p", parent, "-m", message],
                &ident,
            )?;
            Ok(commit.trim().to_string())
        })();
        let _ = std::fs::remove_file(&index);
        result
    }
}
