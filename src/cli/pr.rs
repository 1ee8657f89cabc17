//! `dfsplit pr`: the PR bot's command line over `dfsplit::bot`. Every
//! setting of `.dfsplit.yaml`'s `pr:` section has a flag; a flag given wins
//! over the file, the file over the built-in default.

use super::Outcome;
use anyhow::Result;
use dfsplit::bot::{self, BotError, Open, Request};
use dfsplit::config::{Config, Settings};
use dfsplit::verify::{self, VerifyError};
use dfsplit::workspace::Planner;
use std::path::PathBuf;

/// The exit codes, as `dfsplit pr --help` prints them (and the README says).
pub const EXIT_CODES: &str = "\
Exit codes:
  0  every rewrite is in the pull request (or the dry run's), or there is nothing to improve
  1  some files are left out: a rewrite `--verify` did not pass, or a file over the size limit
     (the others are committed and the pull request is opened as usual)
  2  an error: a file that does not parse or build, git or the GitHub API failed, no engine
     for --verify, bad usage";

#[derive(Debug, clap::Args)]
pub struct PrArgs {
    /// A folder of the repository (default: the current one).
    #[arg(long, value_name = "DIR", default_value = ".")]
    repo: PathBuf,
    /// The bot's branch (default: `.dfsplit.yaml`'s `pr.branch`, else dfsplit/multi-stage).
    #[arg(long, value_parser = branch_name)]
    branch: Option<String>,
    /// The branch the pull request targets (default: `pr.base-branch`, else the current branch).
    #[arg(long, value_name = "BRANCH", value_parser = branch_name)]
    base_branch: Option<String>,
    /// Print the pull request's title, body and diff; touch nothing.
    #[arg(long, conflicts_with = "open")]
    dry_run: bool,
    /// Build and check each rewrite with `dfsplit verify` first (needs a Docker
    /// engine): only those that pass go in, with their measured sizes; the
    /// others are left out, and the body says why (default: `pr.verify`).
    #[arg(long, overrides_with = "no_verify")]
    verify: bool,
    /// Do not verify, whatever `pr.verify` says.
    #[arg(long, overrides_with = "verify")]
    no_verify: bool,
    /// Push the branch and create or update the pull request ($GITHUB_TOKEN).
    #[arg(long)]
    open: bool,
    /// The git remote to push to.
    #[arg(long, default_value = "origin", requires = "open")]
    remote: String,
    /// The GitHub API (GitHub Enterprise: https://HOST/api/v3).
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://api.github.com",
        requires = "open"
    )]
    api_url: String,
    /// OWNER/NAME on GitHub (default: $GITHUB_REPOSITORY, else read from the remote's URL).
    #[arg(long, value_name = "OWNER/NAME", requires = "open")]
    github_repo: Option<String>,
    /// A label for the pull request (repeatable; default: `pr.labels`).
    #[arg(long = "label", value_name = "LABEL", requires = "open")]
    labels: Vec<String>,
}

fn branch_name(s: &str) -> Result<String, String> {
    if dfsplit::config::valid_branch(s) {
        Ok(s.to_string())
    } else {
        Err(format!("`{s}` is not a branch name"))
    }
}

pub fn run(args: PrArgs) -> Result<Outcome> {
    let config = Config::find(&args.repo)?;
    let pr = config.as_ref().map(|c| c.pr.clone()).unwrap_or_default();
    let branch = args
        .branch
        .or(pr.branch)
        .unwrap_or_else(|| "dfsplit/multi-stage".into());
    // Where `verify` came from, for the message when no engine answers.
    let verify_from = if args.verify {
        Some("--verify".to_string())
    } else if args.no_verify {
        None
    } else if pr.verify == Some(true) {
        config
            .as_ref()
            .map(|c| format!("`pr.verify: true` in {}", c.path.display()))
    } else {
        None
    };
    let labels = if args.labels.is_empty() {
        pr.labels.clone()
    } else {
        args.labels
    };
    let open = if args.open {
        let token = std::env::var("GITHUB_TOKEN")
            .ok()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| anyhow::anyhow!("--open needs $GITHUB_TOKEN"))?;
        let github_repo = match args.github_repo.or_else(|| {
            std::env::var("GITHUB_REPOSITORY")
                .ok()
                .filter(|r| !r.is_empty())
        }) {
            Some(r) => r,
            None => {
                let git = bot::git::Git::open(&args.repo)?;
                let url = git.run(&["remote", "get-url", &args.remote])?;
                github_repo_of(url.trim()).ok_or_else(|| {
                    anyhow::anyhow!(
                        "cannot tell the GitHub repository from remote `{}`; give --github-repo OWNER/NAME",
                        args.remote
                    )
                })?
            }
        };
        if github_repo.split('/').count() != 2 || github_repo.split('/').any(str::is_empty) {
            anyhow::bail!("--github-repo: `{github_repo}` is not OWNER/NAME");
        }
        Some(Open {
            remote: args.remote,
            api_url: args.api_url,
            github_repo,
            token,
            labels,
        })
    } else {
        None
    };
    let req = Request {
        repo: args.repo,
        branch,
        base_branch: args.base_branch.or(pr.base_branch),
        dry_run: args.dry_run,
        open,
        verify: verify_from.is_some().then(|| verify::Options {
            // Developer knob, as for `dfsplit verify`: cold builds.
            no_cache: std::env::var_os("DFSPLIT_VERIFY_NO_CACHE").is_some_and(|v| v == "1"),
            ..verify::Options::default()
        }),
    };
    let mut planner = Planner::new(Settings::default(), None, true);
    let mut progress = |m: &str| eprintln!("dfsplit pr: {m}");
    let report = match bot::run(&req, &mut planner, &mut progress) {
        Ok(r) => r,
        Err(BotError::Verify(VerifyError::NoEngine { program, why })) => {
            let from = verify_from.unwrap_or_else(|| "--verify".into());
            let what = format!("{from} builds every rewrite before it goes into the pull request");
            eprintln!("{}", super::verify::no_engine_help(&program, &why, &what));
            eprintln!("dfsplit pr: nothing was changed");
            return Ok(Outcome::Failed);
        }
        Err(BotError::Verify(e)) => {
            eprintln!("dfsplit: {e}\ndfsplit pr: nothing was changed");
            return Ok(Outcome::Failed);
        }
        Err(e) => return Err(e.into()),
    };
    for l in &report.lines {
        println!("{l}");
    }
    // 2: something could not be read or done; 1: the pull request does
    // not carry every rewrite (some were left out); 0: it does, or there is
    // nothing to improve. The same order as `rewrite --all --check`.
    Ok(if report.failed {
        Outcome::Failed
    } else if report.left_out > 0 {
        Outcome::LeftOut
    } else {
        Outcome::Ok
    })
}

/// `OWNER/NAME` from a GitHub remote URL (https or ssh).
fn github_repo_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://github.com/")
        .or_else(|| url.strip_prefix("git@github.com:"))
        .or_else(|| url.strip_prefix("ssh://git@github.com/"))?;
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    (rest.split('/').count() == 2).then(|| rest.to_string())
}
