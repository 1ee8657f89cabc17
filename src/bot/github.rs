//! The GitHub REST API calls the bot makes (find, create and update a pull
//! request; add labels), through ureq with rustls. The token is sent in the
//! `Authorization` header only and never appears in a message.

use serde_json::{Value, json};
use std::time::Duration;

/// The API's base URL, the repository and the token.
pub struct Api {
    /// `https://api.github.com`, or a GitHub Enterprise `…/api/v3`.
    pub url: String,
    /// `OWNER/NAME`.
    pub repo: String,
    token: String,
    agent: ureq::Agent,
}

/// A pull request as the API gives it (the fields the bot reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    /// Its number.
    pub number: u64,
    /// Its page.
    pub html_url: String,
    /// Its title.
    pub title: String,
    /// Its body.
    pub body: String,
}

/// Why an API call failed, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401.
    #[error(
        "GitHub refused the token (401 Unauthorized): check that GITHUB_TOKEN is set and not expired"
    )]
    Unauthorized,
    /// 403 without a rate limit.
    #[error(
        "GitHub refused the request (403 Forbidden): the token needs `contents: write` and `pull-requests: write` on {repo}{detail}"
    )]
    Forbidden {
        /// The repository.
        repo: String,
        /// GitHub's message, if any.
        detail: String,
    },
    /// 404.
    #[error(
        "repository {repo} not found at {url} (404): check --github-repo / the remote, and that the token can see it"
    )]
    NotFound {
        /// The repository.
        repo: String,
        /// The API's URL.
        url: String,
    },
    /// 403/429 with rate-limit headers.
    #[error("GitHub's rate limit is reached: retry {when}")]
    RateLimited {
        /// When to retry, in words.
        when: String,
    },
    /// Any other answer.
    #[error("GitHub answered {status} to {what}: {message}")]
    Other {
        /// The status.
        status: u16,
        /// The call.
        what: String,
        /// GitHub's message.
        message: String,
    },
    /// No answer at all.
    #[error("cannot reach the GitHub API at {url}: {reason}")]
    Network {
        /// The API's URL.
        url: String,
        /// What failed.
        reason: String,
    },
}

struct Answer {
    status: u16,
    retry: Option<String>,
    rate_limited: bool,
    body: Value,
}

impl Api {
    /// An API client for `repo` at `url` with `token`.
    pub fn new(url: &str, repo: &str, token: String) -> Api {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(format!("dfsplit/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Api {
            url: url.trim_end_matches('/').to_string(),
            repo: repo.to_string(),
            token,
            agent,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Answer, ApiError> {
        let url = format!("{}{path}", self.url);
        let auth = format!("Bearer {}", self.token);
        let with_headers = |r: ureq::RequestBuilder<ureq::typestate::WithoutBody>| {
            r.header("Authorization", &auth)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
        };
        let with_headers_body = |r: ureq::RequestBuilder<ureq::typestate::WithBody>| {
            r.header("Authorization", &auth)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
        };
        let result = match (method, body) {
            ("GET", _) => with_headers(self.agent.get(&url)).call(),
            ("POST", Some(b)) => with_headers_body(self.agent.post(&url)).send_json(b),
            ("PATCH", Some(b)) => with_headers_body(self.agent.patch(&url)).send_json(b),
            _ => unreachable!("the bot makes no other calls"),
        };
        let mut resp = result.map_err(|e| ApiError::Network {
            url: self.url.clone(),
            // ureq's errors name the host, never the headers.
            reason: e.to_string().replace(&self.token, "***"),
        })?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let remaining = header("x-ratelimit-remaining");
        let reset = header("x-ratelimit-reset");
        let retry_after = header("retry-after");
        let rate_limited = status == 429 || (status == 403 && remaining.as_deref() == Some("0"));
        let retry = retry_after
            .map(|s| format!("in {s} seconds (Retry-After)"))
            .or_else(|| {
                reset.map(|r| match r.parse::<u64>() {
                    Ok(epoch) => {
                        let now = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map(|d| d.as_secs())
                            .unwrap_or(0);
                        format!(
                            "after {} (Unix time {epoch}, in {} seconds)",
                            utc(epoch),
                            epoch.saturating_sub(now)
                        )
                    }
                    Err(_) => format!("after {r}"),
                })
            });
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            retry,
            rate_limited,
            body,
        })
    }

    fn fail(&self, a: Answer, what: &str) -> ApiError {
        let message = a.body["message"].as_str().unwrap_or("").to_string();
        if a.rate_limited {
            return ApiError::RateLimited {
                when: a.retry.unwrap_or_else(|| "later".into()),
            };
        }
        match a.status {
            401 => ApiError::Unauthorized,
            403 => ApiError::Forbidden {
                repo: self.repo.clone(),
                detail: if message.is_empty() {
                    String::new()
                } else {
                    format!(" (GitHub: {message})")
                },
            },
            404 => ApiError::NotFound {
                repo: self.repo.clone(),
                url: self.url.clone(),
            },
            status => ApiError::Other {
                status,
                what: what.into(),
                message: errors_text(&a.body, &message),
            },
        }
    }

    /// The open pull request from `branch` (of this repository), if any.
    pub fn find_open(&self, branch: &str) -> Result<Option<PullRequest>, ApiError> {
        let owner = self.repo.split('/').next().unwrap_or("");
        let path = format!(
            "/repos/{}/pulls?state=open&head={}:{}",
            self.repo,
            owner,
            encode(branch)
        );
        let a = self.call("GET", &path, None)?;
        if a.status != 200 {
            return Err(self.fail(a, "the list of pull requests"));
        }
        Ok(a.body.as_array().and_then(|v| v.first()).map(pull))
    }

    /// Opens a pull request; `Ok(None)` when GitHub says one already exists (422).
    pub fn create(
        &self,
        branch: &str,
        base: &str,
        title: &str,
        body: &str,
    ) -> Result<Option<PullRequest>, ApiError> {
        let a = self.call(
            "POST",
            &format!("/repos/{}/pulls", self.repo),
            Some(&json!({"title": title, "head": branch, "base": base, "body": body})),
        )?;
        match a.status {
            201 => Ok(Some(pull(&a.body))),
            422 if errors_text(&a.body, "").contains("already exists") => Ok(None),
            _ => Err(self.fail(a, "creating the pull request")),
        }
    }

    /// Sets a pull request's title and body.
    pub fn update(&self, number: u64, title: &str, body: &str) -> Result<PullRequest, ApiError> {
        let a = self.call(
            "PATCH",
            &format!("/repos/{}/pulls/{number}", self.repo),
            Some(&json!({"title": title, "body": body})),
        )?;
        if a.status != 200 {
            return Err(self.fail(a, "updating the pull request"));
        }
        Ok(pull(&a.body))
    }

    /// Adds labels to a pull request.
    pub fn label(&self, number: u64, labels: &[String]) -> Result<(), ApiError> {
        let a = self.call(
            "POST",
            &format!("/repos/{}/issues/{number}/labels", self.repo),
            Some(&json!({ "labels": labels })),
        )?;
        if a.status != 200 {
            return Err(self.fail(a, "adding labels"));
        }
        Ok(())
    }
}

fn pull(v: &Value) -> PullRequest {
    PullRequest {
        number: v["number"].as_u64().unwrap_or(0),
        html_url: v["html_url"].as_str().unwrap_or("").to_string(),
        title: v["title"].as_str().unwrap_or("").to_string(),
        body: v["body"].as_str().unwrap_or("").to_string(),
    }
}

/// GitHub's message and its `errors[].message`, joined.
fn errors_text(body: &Value, message: &str) -> String {
    let mut parts = vec![message.to_string()];
    if let Some(errors) = body["errors"].as_array() {
        parts.extend(
            errors
                .iter()
                .filter_map(|e| e["message"].as_str().map(str::to_string)),
        );
    }
    parts.retain(|p| !p.is_empty());
    parts.join("; ")
}

/// Percent-encodes a branch name for a query string.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A Unix time as `YYYY-MM-DD HH:MM:SS UTC`.
fn utc(epoch: u64) -> String {
    let (days, secs) = (epoch / 86400, epoch % 86400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(super::utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
    }
}
