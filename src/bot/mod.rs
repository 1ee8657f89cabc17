//! The PR bot (`dfsplit pr`): rewrites every Dockerfile of a repository the
//! engine improves (configuration and pragmas honoured), commits the
//! rewrites on a branch with the `git` CLI, and writes the pull request's
//! title and Markdown body; with `open`, pushes the branch and creates or
//! updates the pull request through the GitHub REST API. With `verify`,
//! each rewrite is first built and checked by the verify library ([`proof`]):
//! only those that pass are committed, with their measured sizes in the body.
//!
//! Invariants: stateless and deterministic — the same repository gives the
//! same commit tree and body; a re-run with nothing new changes nothing;
//! never a second pull request; a branch with commits that are not the
//! bot's is left alone; the user's working tree and index are not touched.

pub mod git;
pub mod github;
pub mod proof;

use crate::plan::Outcome;
use crate::verify::{self, Progress};
use crate::workspace::{self, FileResult, Planner};
use git::Git;
use proof::LeftOut;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The trailer every bot commit carries, with the hash of its inputs.
pub const TRAILER: &str = "dfsplit-inputs:";

/// What `dfsplit pr` is asked to do.
pub struct Request {
    /// A folder in the repository.
    pub repo: PathBuf,
    /// The bot's branch.
    pub branch: String,
    /// The branch the pull request targets (default: the current branch).
    pub base_branch: Option<String>,
    /// Print the body and the diff; touch nothing.
    pub dry_run: bool,
    /// Push and open or update the pull request.
    pub open: Option<Open>,
    /// Verify each rewrite with these options first; only those that pass go in.
    pub verify: Option<verify::Options>,
}

/// Where `--open` pushes and which API it calls.
pub struct Open {
    /// The git remote.
    pub remote: String,
    /// The API's base URL.
    pub api_url: String,
    /// `OWNER/NAME`.
    pub github_repo: String,
    /// `$GITHUB_TOKEN`.
    pub token: String,
    /// Labels for the pull request.
    pub labels: Vec<String>,
}

/// One file the pull request changes.
pub struct Change {
    /// Path relative to the repository root, with `/`.
    pub path: String,
    /// The text on the base branch.
    pub before: String,
    /// The rewrite.
    pub after: String,
    /// What the analysis said.
    pub analysis: crate::Analysis,
    /// What `dfsplit verify` found, when the run verified it (it passed).
    pub verified: Option<verify::Report>,
    /// The `verify:` checks `.dfsplit.yaml` sets for this file, with the
    /// configuration file they come from (none set: `None`).
    pub checks: Option<(PathBuf, crate::config::Checks)>,
    /// What verify ran on it, in words for the body (set when verified).
    pub checked: Option<String>,
    /// Whether verify was asked to start the app (a `verify: smoke:` check).
    pub smoke_check: bool,
    /// The `env:` values verify's containers got: masked in everything shown.
    pub env_mask: verify::options::Env,
}

/// What a run found and did, in lines for people.
pub struct Report {
    /// Lines to print.
    pub lines: Vec<String>,
    /// Whether anything failed (exit 2).
    pub failed: bool,
    /// How many files the engine would change are not in the pull request:
    /// left out because `dfsplit verify` did not pass, or skipped (over the
    /// size limit). The command line exits 1 when there are any.
    pub left_out: usize,
}

/// Why the bot stopped.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    /// A git command failed.
    #[error(transparent)]
    Git(#[from] git::GitError),
    /// The API failed.
    #[error("{0}")]
    Api(#[from] github::ApiError),
    /// `verify` could not run: no engine answers.
    #[error(transparent)]
    Verify(#[from] verify::VerifyError),
    /// Anything else, in words.
    #[error("{0}")]
    Other(String),
}

/// What [`changes`] found.
#[derive(Default)]
pub struct Found {
    /// The files the engine improves.
    pub changes: Vec<Change>,
    /// Files that could not be read, parsed or built (the run fails).
    pub problems: Vec<String>,
    /// Files left out with the reason, without failing the run: those over
    /// the size limit (`core/input-too-large`), which are not read.
    pub skipped: Vec<String>,
    /// Files left as they are without failing the run or counting as left
    /// out: those the engine does not rewrite (`PATH: unchanged: … [rule]`)
    /// and those `.dfsplit.yaml` skips (`PATH: skipped: …`), in the words of
    /// `rewrite --all --check`.
    pub unchanged: Vec<String>,
}

/// The files under `root` the engine improves, with what could not be read
/// and what was left out.
pub fn changes(root: &Path, planner: &mut Planner) -> Result<Found, BotError> {
    let files = workspace::find(root).map_err(|e| BotError::Other(e.to_string()))?;
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut skipped = Vec::new();
    let mut unchanged = Vec::new();
    for path in files {
        match planner.analyze(&path) {
            FileResult::Analysed(f) if f.analysis.has_errors() => {
                let too_large = f
                    .analysis
                    .diagnostics
                    .iter()
                    .find(|d| d.rule == crate::analysis::rule::INPUT_TOO_LARGE);
                match too_large {
                    Some(d) => skipped.push(format!("{}: skipped: {}", f.name, d.message)),
                    None => problems.push(format!("{}: does not parse or build; left out", f.name)),
                }
            }
            FileResult::Analysed(f) if f.analysis.changed() && !f.analysis.has_errors() => {
                let dir = path.parent().unwrap_or(root);
                let checks = match planner.config_for(dir) {
                    Ok(Some(c)) => {
                        Some((c.path.clone(), c.checks(&path))).filter(|(_, ch)| !ch.is_empty())
                    }
                    _ => None,
                };
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(Change {
                    path: rel,
                    before: f.text,
                    after: f.analysis.output.clone(),
                    analysis: f.analysis,
                    verified: None,
                    checks,
                    checked: None,
                    smoke_check: false,
                    env_mask: Default::default(),
                });
            }
            FileResult::Failed { message, .. } => problems.push(message),
            FileResult::Analysed(f) => {
                if let Some(Outcome::Unchanged { gate, .. }) = &f.analysis.outcome {
                    unchanged.push(format!("{}: unchanged: {gate} [{}]", f.name, gate.rule));
                }
            }
            FileResult::Skipped { name, reason } => {
                unchanged.push(format!("{name}: skipped: {reason}"));
            }
        }
    }
    Ok(Found {
        changes: out,
        problems,
        skipped,
        unchanged,
    })
}

/// The hash of what the pull request is made from: dfsplit's version and
/// every file's path, text and rewrite.
pub fn inputs_hash(changes: &[Change]) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    for c in changes {
        for part in [&c.path, &c.before, &c.after] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
    }
    h.finalize()
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The pull request's title.
pub fn title(changes: &[Change]) -> String {
    match changes {
        [one] => format!("build(docker): multi-stage build for {}", one.path),
        many => format!(
            "build(docker): multi-stage builds for {} Dockerfiles",
            many.len()
        ),
    }
}

/// The commit message: a conventional subject, the files, the trailer.
pub fn commit_message(changes: &[Change], hash: &str) -> String {
    let mut s = format!("{}\n\n", title(changes));
    s.push_str("Split by dfsplit into dependencies/build/runtime stages so the image no\nlonger ships its build toolchain:\n\n");
    for c in changes {
        if let Some(b) = c.analysis.base() {
            let _ = writeln!(s, "- {}: runtime {} -> {}", c.path, b.before, b.after);
        }
    }
    let _ = write!(s, "\n{TRAILER} {hash}\n");
    s
}

/// GitHub refuses a pull request body longer than this (characters).
pub const BODY_LIMIT: usize = 65_536;

/// The pull request's Markdown body, with a hidden marker carrying
/// dfsplit's version and the inputs' hash. Verified changes show their
/// measured sizes and verify's table; `left_out` lists the rewrites verify
/// did not pass. When verify's tables would take the body past GitHub's
/// limit, they are left out (with a line saying so).
pub fn body(changes: &[Change], left_out: &[LeftOut], hash: &str) -> String {
    let full = body_with(changes, left_out, hash, true);
    if full.chars().count() <= BODY_LIMIT {
        return full;
    }
    body_with(changes, left_out, hash, false)
}

fn body_with(changes: &[Change], left_out: &[LeftOut], hash: &str, tables: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "dfsplit rewrote {} into multi-stage builds: dependencies and the build run in their own stages, and the image that ships keeps only what the app needs at run time, on a smaller base. `dfsplit explain FILE` shows every decision with the rule that made it.\n",
        if changes.len() == 1 {
            "one Dockerfile".to_string()
        } else {
            format!("{} Dockerfiles", changes.len())
        }
    );
    let verified = changes.iter().any(|c| c.verified.is_some()) || !left_out.is_empty();
    if verified {
        let _ = writeln!(
            s,
            "Each rewrite was built beside its original with `dfsplit verify` (BuildKit, the file's folder as the build context): both images measured, their configs compared with the plan's decisions, and the dependency cache checked after a source edit; only rewrites that passed are in this pull request. {}\n",
            run_sentence(changes, left_out)
        );
        if !tables {
            let _ = writeln!(
                s,
                "verify's tables are not shown: with them this body would pass GitHub's limit of {BODY_LIMIT} characters. `dfsplit verify FILE` prints one.\n"
            );
        }
    }
    for c in changes {
        let Some(r) = c.analysis.rewrite() else {
            continue;
        };
        let _ = writeln!(s, "### `{}`\n", c.path);
        let stages: Vec<String> = r
            .stages
            .iter()
            .map(|st| format!("`{}` ({})", st.name, st.base))
            .collect();
        let _ = writeln!(s, "| | |\n|---|---|");
        let _ = writeln!(s, "| stages | {} |", stages.join(" → "));
        let _ = writeln!(
            s,
            "| runtime base | `{}` → `{}` |",
            r.base_before, r.base_after
        );
        match &c.verified {
            Some(report) => {
                let _ = writeln!(s, "{}", proof::size_row(report));
                if let Some(checked) = &c.checked {
                    let _ = writeln!(s, "| checked | {checked} |");
                }
            }
            None => {
                let size = r
                    .base_after_approx_mb
                    .map(|m| format!("about {m} MB compressed (catalogue estimate, not measured)"))
                    .unwrap_or_else(|| "not in the catalogue".into());
                let _ = writeln!(s, "| runtime base size | {size} |");
            }
        }
        let _ = writeln!(s, "| runs as | {} ({}) |", r.user.name, r.user.rule);
        let _ = writeln!(s, "\nWhy this base: {}\n", r.base_reason);
        if !r.warnings.is_empty() {
            let _ = writeln!(s, "**What to check before merging:**\n");
            for w in &r.warnings {
                let _ = writeln!(s, "- {w}");
            }
            let _ = writeln!(s);
        }
        if let Some(report) = &c.verified
            && tables
        {
            s.push_str(&proof::details(report, &c.env_mask));
            let _ = writeln!(s);
        }
    }
    s.push_str(&proof::left_out_section(left_out));
    let _ = writeln!(
        s,
        "---\nNot wanted for a file? Put `# dfsplit: ignore-file` at its top, or list it under `skip:` in `.dfsplit.yaml`; `base:`, `non-root:` and `overrides:` there change how files are rewritten. Re-running dfsplit updates this pull request; it never opens a second one, and leaves the branch alone once someone else has pushed to it.\n"
    );
    let _ = writeln!(
        s,
        "<!-- dfsplit: version={} inputs={hash} -->",
        env!("CARGO_PKG_VERSION")
    );
    s
}

/// What the body says about running the apps: whether `.dfsplit.yaml`'s
/// `verify:` gave every verified file a smoke check, some, or none.
fn run_sentence(changes: &[Change], left_out: &[LeftOut]) -> String {
    let all: Vec<bool> = changes
        .iter()
        .filter(|c| c.verified.is_some())
        .map(|c| c.smoke_check)
        .chain(left_out.iter().map(|l| l.smoke_check))
        .collect();
    if !all.is_empty() && all.iter().all(|r| *r) {
        "Each app was also started from both images and checked as the `verify:` settings of `.dfsplit.yaml` say (the smoke check, probes, and how each container ends on `docker stop`); the \"checked\" row of each file says what ran.".into()
    } else if all.iter().any(|r| *r) {
        "Files with a `verify: smoke:` check in `.dfsplit.yaml` were also started from both images and checked as it says (the \"checked\" row of each file); the others were not run: how to start them is not known here.".into()
    } else {
        "The apps were not run: how to start each one is not known here, so there was no smoke check (`verify: smoke:` in `.dfsplit.yaml` gives one per path, as `dfsplit verify FILE --http PORT/PATH` or `--exec ARGS` does).".into()
    }
}

/// The unified diffs of every change, named `a/PATH` / `b/PATH`.
pub fn diff(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| crate::emit::unified_diff(&c.path, &c.before, &c.after))
        .collect()
}

/// The base branch and its commit, after checking that every file read is
/// the base branch's (the commit goes on top of it).
fn base_of(git: &Git, req: &Request, changes: &[Change]) -> Result<(String, String), BotError> {
    let base_branch = match &req.base_branch {
        Some(b) => b.clone(),
        None => git.current_branch()?,
    };
    let base = git
        .rev(&format!("refs/heads/{base_branch}"))
        .ok_or_else(|| BotError::Other(format!("base branch `{base_branch}` does not exist")))?;
    for c in changes {
        let on_base = git.blob_at(&base, &c.path);
        let here = git.hash_blob(c.before.as_bytes())?;
        if on_base.as_deref() != Some(here.as_str()) {
            return Err(BotError::Other(format!(
                "{} differs from branch `{base_branch}` (uncommitted or another branch checked out): commit it or check out `{base_branch}`; nothing was changed",
                c.path
            )));
        }
    }
    Ok((base_branch, base))
}

/// Runs the bot. `progress` hears what verify is doing (with `req.verify`).
pub fn run(
    req: &Request,
    planner: &mut Planner,
    progress: &mut dyn Progress,
) -> Result<Report, BotError> {
    let git = Git::open(&req.repo)?;
    // Asked to verify: an engine must answer before anything is planned or built.
    if req.verify.is_some() {
        verify::check_engine()?;
    }
    let mut lines = Vec::new();
    let Found {
        changes,
        problems,
        skipped,
        unchanged,
    } = changes(&git.root, planner)?;
    let mut failed = !problems.is_empty();
    let mut left_out = skipped.len();
    lines.extend(problems.iter().map(|p| format!("dfsplit pr: {p}")));
    lines.extend(skipped.iter().map(|p| format!("dfsplit pr: {p}")));
    lines.extend(unchanged.iter().map(|p| format!("dfsplit pr: {p}")));
    if changes.is_empty() {
        lines.push("dfsplit pr: nothing to improve; no branch, no pull request".into());
        return Ok(Report {
            lines,
            failed,
            left_out,
        });
    }
    // Checked before verify spends minutes building; a dry run commits nothing.
    let on_base = if req.dry_run {
        None
    } else {
        Some(base_of(&git, req, &changes)?)
    };
    let (changes, not_passed) = match &req.verify {
        Some(opts) => {
            // Each file's checks from `.dfsplit.yaml`, read before anything is
            // built: a file whose checks cannot be used is not verified, so
            // it is not proposed (the run fails, as for a bad configuration).
            let mut todo = Vec::with_capacity(changes.len());
            for c in changes {
                match &c.checks {
                    Some((config, checks)) => match checks.options(config, opts) {
                        Ok(o) => todo.push((c, o)),
                        Err(e) => {
                            failed = true;
                            lines.push(format!(
                                "dfsplit pr: {}: not verified, left out: {e}",
                                c.path
                            ));
                        }
                    },
                    None => todo.push((c, opts.clone())),
                }
            }
            proof::verify_all(&git.root, todo, progress)?
        }
        None => (changes, Vec::new()),
    };
    left_out += not_passed.len();
    for c in &changes {
        if let Some(r) = &c.verified {
            lines.push(format!(
                "dfsplit pr: verified {}: {}",
                c.path,
                c.env_mask.mask(&proof::summary(r))
            ));
        }
    }
    for l in &not_passed {
        lines.push(format!(
            "dfsplit pr: {}: left out of the pull request, `dfsplit verify` did not pass: {}",
            l.path,
            l.reason()
        ));
    }
    if changes.is_empty() {
        lines.push(
            "dfsplit pr: no rewrite passed `dfsplit verify`; no branch, no pull request".into(),
        );
        return Ok(Report {
            lines,
            failed,
            left_out,
        });
    }
    let hash = inputs_hash(&changes);
    let title = title(&changes);
    let body = body(&changes, &not_passed, &hash);
    let Some((base_branch, base)) = on_base else {
        // A dry run: print, touch nothing.
        lines.push(format!("# {title}\n\n{body}\n{}", diff(&changes)));
        return Ok(Report {
            lines,
            failed,
            left_out,
        });
    };
    // The branch as it is: locally, and on the remote when opening.
    let branch_ref = format!("refs/heads/{}", req.branch);
    let mut known = git.rev(&branch_ref);
    if let Some(o) = &req.open {
        let tracking = format!("refs/remotes/{}/{}", o.remote, req.branch);
        // A branch missing on the remote is not an error.
        let _ = git.run(&[
            "fetch",
            "--quiet",
            &o.remote,
            &format!("+{branch_ref}:{tracking}"),
        ]);
        known = git.rev(&tracking).or(known);
    }
    let mut commit = None;
    if let Some(tip) = &known {
        // Renovate's rule: once anyone else has pushed, the branch is theirs.
        let log = git.run(&["log", "--format=%H%x00%B%x01", &format!("{base}..{tip}")])?;
        let foreign: Vec<&str> = log
            .split('\x01')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .filter(|e| !e.contains(TRAILER))
            .collect();
        if !foreign.is_empty() {
            lines.push(format!(
                "dfsplit pr: branch `{}` has commits that are not dfsplit's; leaving it alone (delete the branch to let dfsplit take it over)",
                req.branch
            ));
            return Ok(Report {
                lines,
                failed,
                left_out,
            });
        }
        let same = git
            .run(&["log", "-1", "--format=%B", tip])?
            .contains(&format!("{TRAILER} {hash}"))
            && git
                .run(&["merge-base", "--is-ancestor", &base, tip])
                .is_ok();
        if same {
            commit = Some(tip.clone());
            lines.push(format!(
                "dfsplit pr: branch `{}` is up to date ({hash})",
                req.branch
            ));
        }
    }
    let commit = match commit {
        Some(c) => c,
        None => {
            let files: Vec<(String, String)> = changes
                .iter()
                .map(|c| (c.path.clone(), c.after.clone()))
                .collect();
            let c = git.commit_files(&base, &files, &commit_message(&changes, &hash))?;
            let mut args = vec!["update-ref", branch_ref.as_str(), c.as_str()];
            let old_local = git.rev(&branch_ref);
            if let Some(old) = &old_local {
                args.push(old.as_str());
            }
            git.run(&args)?;
            lines.push(format!(
                "dfsplit pr: committed {} file{} on `{}` ({})",
                changes.len(),
                if changes.len() == 1 { "" } else { "s" },
                req.branch,
                &c[..12.min(c.len())]
            ));
            c
        }
    };
    let Some(o) = &req.open else {
        lines.push(format!("# {title}\n\n{body}"));
        return Ok(Report {
            lines,
            failed,
            left_out,
        });
    };
    if known.as_deref() != Some(commit.as_str()) {
        let lease = format!(
            "--force-with-lease={branch_ref}:{}",
            known.clone().unwrap_or_default()
        );
        git.run(&[
            "push",
            "--quiet",
            &lease,
            &o.remote,
            &format!("{commit}:{branch_ref}"),
        ])?;
        lines.push(format!(
            "dfsplit pr: pushed `{}` to {}",
            req.branch, o.remote
        ));
    }
    let api = github::Api::new(&o.api_url, &o.github_repo, o.token.clone());
    let pushed = |e: github::ApiError| {
        BotError::Other(format!(
            "{e}\ndfsplit pr: the branch `{}` is pushed; the pull request was not created or updated — run again once this is fixed",
            req.branch
        ))
    };
    let pr = match api.find_open(&req.branch).map_err(pushed)? {
        Some(pr) if pr.title == title && pr.body == body => {
            lines.push(format!(
                "dfsplit pr: pull request #{} is up to date: {}",
                pr.number, pr.html_url
            ));
            return Ok(Report {
                lines,
                failed,
                left_out,
            });
        }
        Some(pr) => {
            let pr = api.update(pr.number, &title, &body).map_err(pushed)?;
            lines.push(format!(
                "dfsplit pr: updated pull request #{}: {}",
                pr.number, pr.html_url
            ));
            pr
        }
        None => match api
            .create(&req.branch, &base_branch, &title, &body)
            .map_err(pushed)?
        {
            Some(pr) => {
                lines.push(format!(
                    "dfsplit pr: opened pull request #{}: {}",
                    pr.number, pr.html_url
                ));
                pr
            }
            None => {
                // 422: one exists after all (opened meanwhile, or not listed yet).
                let Some(pr) = api.find_open(&req.branch).map_err(pushed)? else {
                    return Err(BotError::Other(format!(
                        "GitHub says a pull request from `{}` exists but does not list it; nothing else was changed",
                        req.branch
                    )));
                };
                let pr = api.update(pr.number, &title, &body).map_err(pushed)?;
                lines.push(format!(
                    "dfsplit pr: updated pull request #{}: {}",
                    pr.number, pr.html_url
                ));
                pr
            }
        },
    };
    if !o.labels.is_empty() {
        api.label(pr.number, &o.labels).map_err(pushed)?;
    }
    Ok(Report {
        lines,
        failed,
        left_out,
    })
}
