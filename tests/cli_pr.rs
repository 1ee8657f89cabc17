//! `dfsplit pr` through its real interfaces: real git repositories in
//! temporary folders with a bare repository as the remote, and a local HTTP
//! server on 127.0.0.1 playing GitHub's REST API, which checks each request
//! (method, path, headers, body) and answers as GitHub documents.

mod common;

use common::git;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const TOKEN: &str = "ghp_TESTtoken0123456789abcdefSECRET";

fn tmp(tag: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let d = std::env::temp_dir().join(format!("dfsplit-pr-{}-{n}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with("expected") || n.starts_with("explain") || n == "case.toml" {
            continue;
        }
        if e.path().is_dir() {
            copy_dir(&e.path(), &dst.join(&n));
        } else {
            std::fs::copy(e.path(), dst.join(&n)).unwrap();
        }
    }
}

/// A work repository (branch main) holding corpus `cases`, pushed to a bare remote.
fn repo(cases: &[&str]) -> (PathBuf, PathBuf) {
    let root = tmp("repo");
    let (work, remote) = (root.join("work"), root.join("remote.git"));
    std::fs::create_dir_all(&work).unwrap();
    git(&root, &["init", "-q", "--bare", "remote.git"]);
    git(&work, &["init", "-q", "-b", "main"]);
    for c in cases {
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("corpus/cases")
                .join(c),
            &work.join("svc").join(c),
        );
    }
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "initial"]);
    git(
        &work,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    );
    git(&work, &["push", "-q", "origin", "main"]);
    (work, remote)
}

fn pr(dir: &Path, args: &[&str], api: Option<&str>) -> Output {
    pr_env(dir, args, api, &[])
}

/// `dfsplit pr` with `envs` added (DOCKER, say).
fn pr_env(dir: &Path, args: &[&str], api: Option<&str>, envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dfsplit"));
    c.current_dir(dir)
        .arg("pr")
        .args(args)
        .env("GITHUB_TOKEN", TOKEN)
        .env_remove("GITHUB_REPOSITORY");
    c.envs(envs.iter().copied());
    c.env("GIT_CONFIG_NOSYSTEM", "1").env("HOME", dir);
    if let Some(url) = api {
        c.args(["--open", "--api-url", url, "--github-repo", "acme/shop"]);
    }
    let out = c.output().expect("dfsplit pr");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(TOKEN), "the token was printed:\n{all}");
    assert!(
        !all.contains("TESTtoken"),
        "part of the token was printed:\n{all}"
    );
    out
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A request as the fake API saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("request body is JSON")
    }
}

/// A fake GitHub API answering `answers` in order (status, extra headers, body).
struct Fake {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// Extra response headers.
type Headers = Vec<(&'static str, String)>;

fn fake(answers: Vec<(u16, Headers, String)>) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for (status, headers, body) in answers {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut r = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            let mut parts = line.split_whitespace();
            let (method, path) = (
                parts.next().unwrap_or("").to_string(),
                parts.next().unwrap_or("").to_string(),
            );
            let mut hs = Vec::new();
            loop {
                let mut h = String::new();
                r.read_line(&mut h).unwrap();
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':') {
                    hs.push((k.trim().to_string(), v.trim().to_string()));
                }
            }
            let len: usize = hs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .map(|(_, v)| v.parse().unwrap())
                .unwrap_or(0);
            let mut b = vec![0; len];
            r.read_exact(&mut b).unwrap();
            log.lock().unwrap().push(Seen {
                method,
                path,
                headers: hs,
                body: String::from_utf8(b).unwrap(),
            });
            let mut s = stream;
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            let _ = s.write_all(format!("{head}\r\n{body}").as_bytes());
        }
    });
    Fake { url, seen }
}

fn pull_json(number: u64, title: &str, body: &str) -> String {
    serde_json::json!({"number": number, "html_url": format!("https://github.com/acme/shop/pull/{number}"),
        "title": title, "body": body, "state": "open"}).to_string()
}

fn assert_api_headers(s: &Seen) {
    assert_eq!(
        s.header("Authorization"),
        Some(format!("Bearer {TOKEN}").as_str()),
        "{s:?}"
    );
    assert_eq!(s.header("Accept"), Some("application/vnd.github+json"));
    assert_eq!(s.header("X-GitHub-Api-Version"), Some("2022-11-28"));
    assert!(s.header("User-Agent").unwrap_or("").starts_with("dfsplit/"));
}

#[test]
fn dry_run_touches_nothing_and_nothing_to_improve_makes_no_branch() {
    let (work, _) = repo(&["09-go-static"]);
    let before = std::fs::read(work.join("svc/09-go-static/Dockerfile")).unwrap();
    let out = pr(&work, &["--dry-run"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("# build(docker): multi-stage build for svc/09-go-static/Dockerfile"),
        "{t}"
    );
    assert!(
        t.contains("`golang:1.23` → `gcr.io/distroless/static-debian13`"),
        "{t}"
    );
    assert!(t.contains("<!-- dfsplit: version="), "{t}");
    assert!(t.contains("--- a/svc/09-go-static/Dockerfile"), "{t}");
    assert_eq!(
        std::fs::read(work.join("svc/09-go-static/Dockerfile")).unwrap(),
        before
    );
    assert_eq!(git(&work, &["branch", "--list"]), "* main");
    assert_eq!(git(&work, &["status", "--porcelain"]), "");

    // A file left as it is says why, with the rule, as `rewrite --all
    // --check` does; nothing is proposed.
    let (quiet, _) = repo(&["34-gate-npm-run-dev"]);
    let out = pr(&quiet, &[], None);
    assert_eq!(out.status.code(), Some(0));
    let t = text(&out);
    let lines: Vec<&str> = t.trim().lines().collect();
    assert_eq!(lines.len(), 2, "{t}");
    assert!(
        lines[0].starts_with("dfsplit pr: svc/34-gate-npm-run-dev/Dockerfile: unchanged: the container runs a build tool at start (`npm run dev`)")
            && lines[0].ends_with("[node/gate-run-dev]"),
        "{t}"
    );
    assert_eq!(
        lines[1],
        "dfsplit pr: nothing to improve; no branch, no pull request"
    );
    // A file the configuration skips is named too, and still does not count
    // as left out (exit 0).
    commit_config(&work, "skip: [svc/]\n");
    let out = pr(&work, &["--dry-run"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        text(&out).trim(),
        format!(
            "dfsplit pr: svc/09-go-static/Dockerfile: skipped: `svc/` under `skip:` in {}\n\
             dfsplit pr: nothing to improve; no branch, no pull request",
            work.join(".dfsplit.yaml").display()
        )
    );
    assert_eq!(git(&quiet, &["branch", "--list"]), "* main");
}

/// The exit codes a CI job reads (`dfsplit pr --help`): 0 when every
/// rewrite is in the pull request or there is nothing to do, 1 when some are
/// left out (here: an over-size file beside a rewrite that is committed), 2
/// for an error — a Dockerfile that does not parse makes the run fail even
/// though the other file's rewrite is committed.
#[test]
fn exit_codes_say_whether_everything_went_in() {
    // 0: everything went in.
    let (work, _) = repo(&["09-go-static"]);
    let out = pr(&work, &[], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("committed 1 file"), "{}", text(&out));
    // 2: a file that does not parse, beside one that is rewritten.
    let (work, _) = repo(&["09-go-static"]);
    std::fs::create_dir_all(work.join("svc/bad")).unwrap();
    std::fs::write(
        work.join("svc/bad/Dockerfile"),
        "FROM golang:1.23\nRUN <<EOF\necho never closed\n",
    )
    .unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "bad"]);
    let out = pr(&work, &[], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("svc/bad/Dockerfile: does not parse or build; left out"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("committed 1 file"), "{}", text(&out));
    // The scheme is in the help a user reads.
    let help = pr(&work, &["--help"], None);
    assert_eq!(help.status.code(), Some(0));
    let help = text(&help);
    assert!(
        help.contains("Exit codes:") && help.contains("1  some files are left out"),
        "{help}"
    );
}

/// A Dockerfile over the size limit is left out with the reason, without
/// failing the run (exit 1: not every file is in the pull request); the
/// others are still rewritten.
#[test]
fn a_file_over_the_size_limit_is_skipped_with_the_reason() {
    let (work, _) = repo(&["09-go-static"]);
    let big_dir = work.join("svc/big");
    std::fs::create_dir_all(&big_dir).unwrap();
    let mut big = b"FROM golang:1.23\n".to_vec();
    while big.len() <= dfsplit::syntax::MAX_INPUT_BYTES {
        big.extend_from_slice(b"RUN echo padding-padding-padding\n");
    }
    std::fs::write(big_dir.join("Dockerfile"), &big).unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "a generated Dockerfile"]);
    let out = pr(&work, &["--dry-run"], None);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains(&format!(
            "dfsplit pr: svc/big/Dockerfile: skipped: the input is {}",
            big.len()
                .to_string()
                .as_bytes()
                .rchunks(3)
                .rev()
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join(",")
        )),
        "{t}"
    );
    assert!(t.contains("up to 1,048,576 bytes (1 MiB)"), "{t}");
    assert!(
        t.contains("# build(docker): multi-stage build for svc/09-go-static/Dockerfile"),
        "{t}"
    );
    assert!(!t.contains("--- a/svc/big/Dockerfile"), "{t}");
}

#[test]
fn opens_once_then_reruns_change_nothing_and_a_foreign_push_is_left_alone() {
    let (work, remote) = repo(&["09-go-static", "34-gate-npm-run-dev"]);
    // First run: no open pull request → one is created.
    let api = fake(vec![
        (200, vec![], "[]".into()),
        (201, vec![], pull_json(7, "t", "b")),
    ]);
    let out = pr(&work, &[], Some(&api.url));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("opened pull request #7"),
        "{}",
        text(&out)
    );
    let seen = api.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        (
            "GET",
            "/repos/acme/shop/pulls?state=open&head=acme:dfsplit/multi-stage"
        )
    );
    assert_eq!(
        (seen[1].method.as_str(), seen[1].path.as_str()),
        ("POST", "/repos/acme/shop/pulls")
    );
    seen.iter().for_each(assert_api_headers);
    let created = seen[1].json();
    assert_eq!(created["head"], "dfsplit/multi-stage");
    assert_eq!(created["base"], "main");
    assert_eq!(
        created["title"],
        "build(docker): multi-stage build for svc/09-go-static/Dockerfile"
    );
    let body = created["body"].as_str().unwrap().to_string();
    assert!(
        body.contains("<!-- dfsplit: version=")
            && body.contains("### `svc/09-go-static/Dockerfile`"),
        "{body}"
    );
    assert!(
        !body.contains("34-gate-npm-run-dev"),
        "unchanged files are not in the body"
    );
    // The remote has the branch: one commit on main changing only the improved file.
    let tip = git(&remote, &["rev-parse", "refs/heads/dfsplit/multi-stage"]);
    assert_eq!(
        git(&remote, &["rev-parse", &format!("{tip}^")]),
        git(&remote, &["rev-parse", "main"])
    );
    assert_eq!(
        git(&remote, &["diff", "--name-only", "main", &tip]),
        "svc/09-go-static/Dockerfile"
    );
    assert!(git(&remote, &["log", "-1", "--format=%B", &tip]).contains("dfsplit-inputs:"));
    let expected = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/cases/09-go-static/expected.Dockerfile"),
    )
    .unwrap();
    assert_eq!(
        git(
            &remote,
            &["show", &format!("{tip}:svc/09-go-static/Dockerfile")]
        ),
        expected.trim_end()
    );
    // The user's working tree is as it was.
    assert_eq!(git(&work, &["status", "--porcelain"]), "");

    // Re-run, nothing new: no push, no PATCH.
    let title = created["title"].as_str().unwrap().to_string();
    let api = fake(vec![(
        200,
        vec![],
        format!("[{}]", pull_json(7, &title, &body)),
    )]);
    let out = pr(&work, &[], Some(&api.url));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("is up to date"), "{}", text(&out));
    assert!(!text(&out).contains("pushed"), "{}", text(&out));
    assert_eq!(api.seen.lock().unwrap().len(), 1);
    assert_eq!(
        git(&remote, &["rev-parse", "refs/heads/dfsplit/multi-stage"]),
        tip
    );

    // Someone else pushes to the branch: it is left alone.
    let other = tmp("other");
    git(
        &other,
        &[
            "clone",
            "-q",
            "-b",
            "dfsplit/multi-stage",
            remote.to_str().unwrap(),
            "c",
        ],
    );
    let c = other.join("c");
    std::fs::write(c.join("NOTES"), "mine\n").unwrap();
    git(&c, &["add", "NOTES"]);
    git(&c, &["commit", "-q", "-m", "a reviewer's fix"]);
    git(&c, &["push", "-q", "origin", "dfsplit/multi-stage"]);
    let theirs = git(&remote, &["rev-parse", "refs/heads/dfsplit/multi-stage"]);
    let api = fake(vec![]);
    let out = pr(&work, &[], Some(&api.url));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("not dfsplit's; leaving it alone"),
        "{}",
        text(&out)
    );
    assert_eq!(
        git(&remote, &["rev-parse", "refs/heads/dfsplit/multi-stage"]),
        theirs
    );
    assert!(api.seen.lock().unwrap().is_empty());
}

#[test]
fn new_changes_update_the_same_branch_and_pull_request() {
    let (work, remote) = repo(&["09-go-static"]);
    let api = fake(vec![
        (200, vec![], "[]".into()),
        (201, vec![], pull_json(3, "t", "b")),
    ]);
    assert_eq!(pr(&work, &[], Some(&api.url)).status.code(), Some(0));
    let first = git(&remote, &["rev-parse", "refs/heads/dfsplit/multi-stage"]);
    // A second service lands on main.
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/cases/01-node-npm-ci"),
        &work.join("svc/web"),
    );
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "web"]);
    git(&work, &["push", "-q", "origin", "main"]);
    // The open one is found (by its branch) and updated; 422 on create is not reached.
    let api = fake(vec![
        (
            200,
            vec![],
            format!("[{}]", pull_json(3, "old", "old body")),
        ),
        (200, vec![], pull_json(3, "new", "new")),
    ]);
    let out = pr(&work, &[], Some(&api.url));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("updated pull request #3"),
        "{}",
        text(&out)
    );
    let seen = api.seen.lock().unwrap().clone();
    assert_eq!(
        (seen[1].method.as_str(), seen[1].path.as_str()),
        ("PATCH", "/repos/acme/shop/pulls/3")
    );
    assert_api_headers(&seen[1]);
    assert_eq!(
        seen[1].json()["title"],
        "build(docker): multi-stage builds for 2 Dockerfiles"
    );
    let second = git(&remote, &["rev-parse", "refs/heads/dfsplit/multi-stage"]);
    assert_ne!(first, second);
    assert_eq!(
        git(&remote, &["rev-parse", &format!("{second}^")]),
        git(&remote, &["rev-parse", "main"])
    );
    assert_eq!(
        git(&remote, &["branch", "--list"]).lines().count(),
        2,
        "one bot branch only"
    );
}

#[test]
fn api_errors_are_clear_and_the_token_never_shows() {
    let cases: Vec<(u16, Headers, &str, &str)> = vec![
        (
            401,
            vec![],
            r#"{"message":"Bad credentials"}"#,
            "refused the token (401",
        ),
        (
            404,
            vec![],
            r#"{"message":"Not Found"}"#,
            "repository acme/shop not found",
        ),
        (
            403,
            vec![
                ("x-ratelimit-remaining", "0".into()),
                ("x-ratelimit-reset", "1700000000".into()),
            ],
            r#"{"message":"API rate limit exceeded"}"#,
            "rate limit is reached: retry after 2023-11-14 22:13:20 UTC",
        ),
        (
            429,
            vec![("retry-after", "60".into())],
            r#"{"message":"slow down"}"#,
            "retry in 60 seconds",
        ),
        (
            403,
            vec![],
            r#"{"message":"Resource not accessible by integration"}"#,
            "needs `contents: write` and `pull-requests: write`",
        ),
    ];
    for (status, headers, body, says) in cases {
        let (work, _) = repo(&["09-go-static"]);
        let api = fake(vec![(status, headers, body.to_string())]);
        let out = pr(&work, &[], Some(&api.url));
        assert_eq!(out.status.code(), Some(2), "{status}: {}", text(&out));
        let t = text(&out);
        assert!(t.contains(says), "{status}: {t}");
        assert!(
            t.contains("is pushed; the pull request was not created or updated"),
            "{status}: {t}"
        );
    }
    // 422 "already exists" on create: the existing one is found and updated.
    let (work, _) = repo(&["09-go-static"]);
    let api = fake(vec![
        (200, vec![], "[]".into()),
        (422, vec![], r#"{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"A pull request already exists for acme:dfsplit/multi-stage."}]}"#.into()),
        (200, vec![], format!("[{}]", pull_json(9, "x", "y"))),
        (200, vec![], pull_json(9, "x", "y")),
    ]);
    let out = pr(&work, &[], Some(&api.url));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("updated pull request #9"),
        "{}",
        text(&out)
    );
    assert_eq!(api.seen.lock().unwrap()[3].method, "PATCH");
    // No API at all.
    let (work, _) = repo(&["09-go-static"]);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = pr(&work, &[], Some(&format!("http://127.0.0.1:{port}")));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("cannot reach the GitHub API at http://127.0.0.1:"),
        "{}",
        text(&out)
    );
    // No token.
    let out = Command::new(env!("CARGO_BIN_EXE_dfsplit"))
        .current_dir(&work)
        .args(["pr", "--open", "--github-repo", "acme/shop"])
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("--open needs $GITHUB_TOKEN"));
}

/// Commits `.dfsplit.yaml` with `text` on main and pushes it.
fn commit_config(work: &Path, text: &str) {
    std::fs::write(work.join(".dfsplit.yaml"), text).unwrap();
    git(work, &["add", ".dfsplit.yaml"]);
    git(work, &["commit", "-q", "-m", "config"]);
    git(work, &["push", "-q", "origin", "main"]);
}

/// `base:` in `.dfsplit.yaml` reaches the same check as `--base`: an image
/// the catalogue knows only for another kind of app is never proposed (the
/// Node app of corpus case 165 on distroless static, which has no Node.js),
/// and `rewrite --all` says why; without it the file is proposed as usual.
#[test]
fn a_config_base_nothing_shows_fit_is_not_proposed() {
    let (work, _) = repo(&["165-node-base-distroless-static"]);
    let out = pr(&work, &["--dry-run"], None);
    assert!(
        text(&out).contains("`node:20` → `gcr.io/distroless/nodejs20-debian13`"),
        "{}",
        text(&out)
    );
    commit_config(&work, "base: gcr.io/distroless/static-debian12\n");
    let out = pr(&work, &["--dry-run"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // The bot says why, as `rewrite --all` does below.
    let t = text(&out);
    assert!(
        t.contains("dfsplit pr: svc/165-node-base-distroless-static/Dockerfile: unchanged: --base gcr.io/distroless/static-debian12:")
            && t.contains("[core/base-incompatible]\n"),
        "{t}"
    );
    assert!(
        t.trim_end()
            .ends_with("dfsplit pr: nothing to improve; no branch, no pull request"),
        "{t}"
    );
    let all = Command::new(env!("CARGO_BIN_EXE_dfsplit"))
        .current_dir(&work)
        .args(["rewrite", "--all", "--check"])
        .output()
        .expect("dfsplit rewrite --all");
    assert_eq!(all.status.code(), Some(0));
    let why = String::from_utf8_lossy(&all.stderr);
    assert!(
        why.contains("unchanged: --base gcr.io/distroless/static-debian12:")
            && why.contains("[core/base-incompatible]"),
        "{why}"
    );
    assert_eq!(git(&work, &["branch", "--list"]), "* main");
}

#[test]
fn flags_win_over_the_pr_section_of_the_config() {
    let (work, _) = repo(&["09-go-static"]);
    commit_config(
        &work,
        "pr:\n  branch: bot/from-config\n  base-branch: main\n  labels: [from-config]\n",
    );
    // The file's branch and base branch are the defaults…
    let out = pr(&work, &[], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("on `bot/from-config`"),
        "{}",
        text(&out)
    );
    // …and flags win over them.
    git(&work, &["branch", "release"]);
    git(&work, &["checkout", "-q", "release"]);
    std::fs::write(work.join("NOTES"), "release notes\n").unwrap();
    git(&work, &["add", "NOTES"]);
    git(&work, &["commit", "-q", "-m", "release notes"]);
    git(&work, &["checkout", "-q", "main"]);
    let out = pr(
        &work,
        &["--branch", "bot/from-flag", "--base-branch", "release"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("on `bot/from-flag`"), "{}", text(&out));
    assert_eq!(
        git(&work, &["rev-parse", "bot/from-flag^"]),
        git(&work, &["rev-parse", "release"]),
        "the commit goes on top of --base-branch, not pr.base-branch"
    );
    assert_eq!(
        git(&work, &["rev-parse", "bot/from-config^"]),
        git(&work, &["rev-parse", "main"])
    );
    // Labels: the file's by default, --label's when given.
    for (args, labels) in [
        (vec![], serde_json::json!(["from-config"])),
        (
            vec!["--label", "docker", "--label", "size"],
            serde_json::json!(["docker", "size"]),
        ),
    ] {
        let api = fake(vec![
            (200, vec![], "[]".into()),
            (201, vec![], pull_json(5, "t", "b")),
            (200, vec![], "[]".into()),
        ]);
        let out = pr(&work, &args, Some(&api.url));
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out));
        let seen = api.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert_eq!(
            (seen[2].method.as_str(), seen[2].path.as_str()),
            ("POST", "/repos/acme/shop/issues/5/labels")
        );
        assert_eq!(seen[2].json()["labels"], labels, "{args:?}");
        assert_eq!(seen[1].json()["head"], "bot/from-config");
    }
    // A bad branch name on the command line is bad usage, as in the file.
    let out = pr(&work, &["--branch", "a b"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("not a branch name"), "{}", text(&out));
    // --label only means something with --open.
    let out = pr(&work, &["--label", "x"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("--open"), "{}", text(&out));
}

#[test]
fn verify_without_an_engine_is_exit_2_and_changes_nothing() {
    let (work, _) = repo(&["09-go-static"]);
    let no_engine = [
        ("DOCKER", "/nonexistent/docker"),
        ("DOCKER_HOST", "unix:///nonexistent.sock"),
    ];
    for args in [vec!["--verify"], vec!["--verify", "--dry-run"]] {
        let out = pr_env(&work, &args, None, &no_engine);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no Docker engine answers"), "{err}");
        assert!(err.contains("--verify builds every rewrite"), "{err}");
        assert!(err.contains("DOCKER_HOST"), "{err}");
        assert!(err.contains("nothing was changed"), "{err}");
        assert!(out.stdout.is_empty(), "no body without verify");
        assert_eq!(git(&work, &["branch", "--list"]), "* main");
    }
    // From the config: the message names it, and --no-verify overrides it.
    commit_config(&work, "pr:\n  verify: true\n");
    let out = pr_env(&work, &[], None, &no_engine);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("`pr.verify: true` in ") && text(&out).contains(".dfsplit.yaml"),
        "{}",
        text(&out)
    );
    assert_eq!(git(&work, &["branch", "--list"]), "* main");
    let out = pr_env(&work, &["--no-verify"], None, &no_engine);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("committed 1 file"), "{}", text(&out));
}

/// A stand-in for the docker client (verify only reaches an engine through
/// it): builds succeed except a rewrite whose context holds `BREAKS-REWRITE`;
/// the original images measure 905.3 MB, the rewrites 9.2 MB; with
/// `FAKE_NO_BUILDX` set, it is a client without the buildx plugin. The real engine
/// path is `tests/e2e_pr.rs`.
const FAKE_DOCKER: &str = r#"#!/bin/sh
echo "$*" >> "$FAKE_DOCKER_LOG"
case "$1" in
  info) echo 20.10.24 ;;
  build)
    if [ -n "$FAKE_NO_BUILDX" ]; then
      echo 'ERROR: BuildKit is enabled but the buildx component is missing or broken.' >&2
      exit 1
    fi
    tag=; ctx=
    while [ $# -gt 0 ]; do
      case "$1" in -t) tag=$2 ;; esac
      ctx=$1; shift
    done
    case "$tag" in *:rewrite)
      if [ -e "$ctx/BREAKS-REWRITE" ]; then
        echo '#9 [build 2/2] RUN npm run build' >&2
        echo '#9 ERROR: process "/bin/sh -c npm run build" did not complete successfully: exit code: 1' >&2
        exit 1
      fi ;;
    esac
    echo '#1 DONE 0.1s' ;;
  image)
    if [ "$2" = inspect ]; then
      case "$3" in *:original) size=905300000 ;; *:rewrite) size=9200000 ;; *) size=5000000 ;; esac
      echo "[{\"Size\": $size, \"Config\": {}, \"RootFS\": {\"Layers\": [\"a\", \"b\"]}}]"
    fi ;;
  create) echo fake-container ;;
  cp) exit 1 ;;
  *) exit 0 ;;
esac
"#;

#[test]
fn verify_leaves_out_a_rewrite_that_does_not_pass_and_measures_the_others() {
    use std::os::unix::fs::PermissionsExt;
    let (work, remote) = repo(&["09-go-static"]);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/cases/01-node-npm-ci"),
        &work.join("svc/web"),
    );
    std::fs::write(work.join("svc/web/BREAKS-REWRITE"), "").unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "web"]);
    git(&work, &["push", "-q", "origin", "main"]);
    let bin = tmp("fake-docker");
    let docker = bin.join("docker");
    std::fs::write(&docker, FAKE_DOCKER).unwrap();
    std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = bin.join("log");
    let envs = [
        ("DOCKER", docker.to_str().unwrap()),
        ("FAKE_DOCKER_LOG", log.to_str().unwrap()),
    ];

    let api = fake(vec![
        (200, vec![], "[]".into()),
        (201, vec![], pull_json(4, "t", "b")),
    ]);
    let out = pr_env(&work, &["--verify"], Some(&api.url), &envs);
    // Exit 1: a rewrite is left out of the pull request.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    // Progress on stderr, the outcome on stdout.
    assert!(
        stderr.contains("dfsplit pr: verifying svc/09-go-static/Dockerfile (1 of 2)")
            && stderr.contains("dfsplit pr: svc/web/Dockerfile: building the rewrite as "),
        "{stderr}"
    );
    assert!(
        stdout.contains(
            "dfsplit pr: verified svc/09-go-static/Dockerfile: pass, image 905.3 MB → 9.2 MB (0.01×)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("dfsplit pr: svc/web/Dockerfile: left out of the pull request, `dfsplit verify` did not pass: the rewrite is not proven: the rewrite does not build: ERROR: process \"/bin/sh -c npm run build\" did not complete successfully: exit code: 1"),
        "{stdout}"
    );
    assert!(stdout.contains("committed 1 file"), "{stdout}");
    // Each file was built in its own folder.
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(
        calls
            .lines()
            .any(|l| l.starts_with("build ") && l.ends_with("/svc/web")),
        "{calls}"
    );
    // The commit holds only the rewrite that passed.
    let tip = git(&remote, &["rev-parse", "refs/heads/dfsplit/multi-stage"]);
    assert_eq!(
        git(&remote, &["diff", "--name-only", "main", &tip]),
        "svc/09-go-static/Dockerfile"
    );
    // The body: measured sizes and verify's table for it, the other file and why.
    let seen = api.seen.lock().unwrap().clone();
    let created = seen[1].json();
    assert_eq!(
        created["title"],
        "build(docker): multi-stage build for svc/09-go-static/Dockerfile"
    );
    let body = created["body"].as_str().unwrap().to_string();
    for want in [
        "| image size | 905.3 MB → 9.2 MB (0.01×), measured by `dfsplit verify`",
        "<details><summary><code>dfsplit verify</code>: pass</summary>",
        "### Left out: `dfsplit verify` did not pass",
        "- `svc/web/Dockerfile`: the rewrite is not proven: the rewrite does not build",
    ] {
        assert!(body.contains(want), "{want}\n---\n{body}");
    }
    assert!(!body.contains("catalogue estimate"), "{body}");
    assert!(!body.contains("### `svc/web/Dockerfile`"), "{body}");

    // Re-run: verify runs again and finds the same, so nothing is pushed or written.
    let api = fake(vec![(
        200,
        vec![],
        format!(
            "[{}]",
            pull_json(4, created["title"].as_str().unwrap(), &body)
        ),
    )]);
    let out = pr_env(&work, &["--verify"], Some(&api.url), &envs);
    // Exit 1: a rewrite is left out of the pull request.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("pull request #4 is up to date"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("pushed"), "{}", text(&out));
    assert_eq!(api.seen.lock().unwrap().len(), 1);

    // Nothing passes: no branch, no pull request, one line saying so.
    let (only, _) = repo(&["01-node-npm-ci"]);
    std::fs::write(only.join("svc/01-node-npm-ci/BREAKS-REWRITE"), "").unwrap();
    git(&only, &["add", "-A"]);
    git(&only, &["commit", "-q", "-m", "break"]);
    let out = pr_env(&only, &["--verify"], None, &envs);
    // Exit 1: a rewrite is left out of the pull request.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("no rewrite passed `dfsplit verify`; no branch, no pull request"),
        "{}",
        text(&out)
    );
    assert_eq!(git(&only, &["branch", "--list"]), "* main");
}

#[test]
fn verify_with_a_client_that_cannot_build_is_exit_2_and_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let (work, _) = repo(&["09-go-static"]);
    let bin = tmp("fake-docker-nobuildx");
    let docker = bin.join("docker");
    std::fs::write(&docker, FAKE_DOCKER).unwrap();
    std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = bin.join("log");
    let out = pr_env(
        &work,
        &["--verify"],
        None,
        &[
            ("DOCKER", docker.to_str().unwrap()),
            ("FAKE_DOCKER_LOG", log.to_str().unwrap()),
            ("FAKE_NO_BUILDX", "1"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot build with BuildKit here: set DOCKER to a client"),
        "{err}"
    );
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(git(&work, &["branch", "--list"]), "* main");
}

#[test]
fn verify_checks_in_the_config_that_cannot_be_used_leave_that_file_out() {
    use std::os::unix::fs::PermissionsExt;
    let (work, _) = repo(&["09-go-static", "01-node-npm-ci"]);
    // The Go service's checks name a probes file that is not there.
    commit_config(
        &work,
        "pr:\n  verify: true\noverrides:\n  - path: [svc/09-go-static/**]\n    verify: {smoke: {http: 8080/health}, probes: svc/09-go-static/probes.yaml}\n",
    );
    let bin = tmp("fake-docker-checks");
    let docker = bin.join("docker");
    std::fs::write(&docker, FAKE_DOCKER).unwrap();
    std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = bin.join("log");
    let envs = [
        ("DOCKER", docker.to_str().unwrap()),
        ("FAKE_DOCKER_LOG", log.to_str().unwrap()),
    ];
    let out = pr_env(&work, &["--dry-run"], None, &envs);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    // Exit 2: a setting could not be used; the other file still goes through verify.
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    let config = std::fs::canonicalize(work.join(".dfsplit.yaml")).unwrap();
    let probes = std::fs::canonicalize(&work)
        .unwrap()
        .join("svc/09-go-static/probes.yaml");
    let want = format!(
        "dfsplit pr: svc/09-go-static/Dockerfile: not verified, left out: {}:5:50: `verify.probes`: {} is not a file",
        config.display(),
        probes.display()
    );
    assert!(stdout.contains(&want), "{want}\n---\n{stdout}");
    assert!(
        stderr.contains("dfsplit pr: verifying svc/01-node-npm-ci/Dockerfile (1 of 1)"),
        "{stderr}"
    );
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(
        !calls
            .lines()
            .any(|l| l.starts_with("build ") && l.ends_with("/svc/09-go-static")),
        "nothing was built for the file whose checks cannot be used: {calls}"
    );
    // Its rewrite is not proposed; without a smoke check for the other, the body says the apps did not run.
    assert!(
        !stdout.contains("+++ b/svc/09-go-static/Dockerfile"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+++ b/svc/01-node-npm-ci/Dockerfile"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| checked | built and measured; not run (no `verify: smoke:` for this file in `.dfsplit.yaml`) |"),
        "{stdout}"
    );
    assert!(stdout.contains("The apps were not run"), "{stdout}");
}
