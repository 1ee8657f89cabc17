//! The smoke check: run each image the same way and compare what it answers.

use super::docker::{Docker, SHORT};
use super::http;
use super::probes::{Answer, Probe};
use super::stop::{self, Stop};
use serde::Serialize;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

/// How to run the images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Smoke {
    /// `docker run --rm IMG ARGS` (ARGS split on spaces; empty keeps the CMD).
    Exec(String),
    /// Run detached, publish PORT on 127.0.0.1, GET PATH.
    Http { port: u16, path: String },
}

/// `PORT[/PATH]` → (port, `/PATH`).
pub fn parse_http(spec: &str) -> Result<(u16, String), String> {
    let (port, path) = match spec.split_once('/') {
        Some((p, rest)) => (p, format!("/{rest}")),
        None => (spec, "/".to_string()),
    };
    let port: u16 = port
        .trim()
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("--http {spec}: expected PORT[/PATH], e.g. 8080/health"))?;
    Ok((port, path))
}

/// What each container is run with, beyond the image: `docker run` options
/// (`-e KEY`, `--env-file`, `-v`), the client environment carrying the `-e`
/// values, the arguments after the image, and the probes sent once it is ready.
#[derive(Debug, Clone, Default)]
pub struct Setup<'a> {
    pub run_options: Vec<String>,
    pub client_env: Vec<(String, String)>,
    pub args: &'a [String],
    pub probes: &'a [Probe],
}

/// How a run failed, as compared between the two images: the same class and
/// the same key (exit code or status plus the normalized message) in both is
/// "both fail the same way".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// `start` (docker run refused it), `exited`, `timeout` (exec still
    /// running), `exit` (exec non-zero), `no-answer`, `not-ready` (only
    /// 502/503/504), `missing-text`, `unhealthy`.
    pub class: &'static str,
    /// What is compared: exit code or status and the normalized message.
    pub detail: String,
    /// The output lines the detail was made from, as printed (the excerpt
    /// of a container that exited): what a disagreement shows. Empty when
    /// the detail is not made of output lines.
    #[serde(skip)]
    pub lines: Vec<String>,
}

impl Failure {
    /// Both runs failed the same way: the same class and detail (the lines
    /// as printed may differ in what the detail leaves out: times, ids).
    pub fn same_way(&self, other: &Failure) -> bool {
        self.class == other.class && self.detail == other.detail
    }
}

/// What one image did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Run {
    /// It answered (exec: exit 0; http: any status but 502/503/504) with the
    /// expected text, and is healthy when it has a HEALTHCHECK.
    pub ok: bool,
    /// The container port used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Exit status (exec) or HTTP status (http).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    /// Output (stdout then stderr) or the response body, cut to 4000 bytes.
    pub output: String,
    /// `healthy`, `unhealthy: …`, `starting (timed out)`, or absent when the image has no HEALTHCHECK.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<String>,
    /// What went wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The same, classified for the comparison with the other image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    pub seconds: f64,
    /// How the detached container ended on `docker stop` (http runs only; the
    /// report shows it beside the other image's, not inside the run).
    #[serde(skip)]
    pub stop: Option<Stop>,
    /// The answers to the probes, in order (empty when it was not ready).
    #[serde(skip)]
    pub probes: Vec<Answer>,
}

impl Run {
    fn fail(&mut self, class: &'static str, error: String, detail: String) {
        self.fail_with(
            Failure {
                class,
                detail,
                lines: Vec::new(),
            },
            error,
        );
    }
    fn fail_with(&mut self, failure: Failure, error: String) {
        self.ok = false;
        self.error = Some(error);
        self.failure = Some(failure);
    }
}

const EXEC_TIMEOUT: Duration = Duration::from_secs(120);
const HTTP_WAIT: Duration = Duration::from_secs(60);
const HEALTH_WAIT: Duration = Duration::from_secs(120);
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

fn cut(s: &str) -> String {
    if s.len() <= 4000 {
        return s.to_string();
    }
    let mut end = 4000;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Output as compared: line endings unified, trailing blanks trimmed.
pub fn normalize(s: &str) -> String {
    s.replace("\r\n", "\n").trim_end().to_string()
}

/// A failure message as compared between the two images: the image and
/// container names (which differ per image) replaced, numbers (times, pids,
/// ids) and runs of blanks collapsed.
pub fn normalize_message(s: &str, image: &str, name: &str) -> String {
    collapse(&s.replace(name, "CONTAINER").replace(image, "IMAGE"))
}

/// Digits (times, pids, ids) and runs of blanks collapsed, as failure
/// messages are compared.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = ' ';
    for c in s.trim().chars() {
        let c = if c.is_ascii_digit() {
            '0'
        } else if c.is_whitespace() {
            ' '
        } else {
            c
        };
        if (c == '0' && last == '0') || (c == ' ' && last == ' ') {
            continue;
        }
        out.push(c);
        last = c;
    }
    out
}

/// Runs the smoke check on `image`. `name` is a unique container name. An
/// http run sends the probes once the container is ready and ends with the
/// stop check (`docker stop -t STOP_GRACE`), whose time is not part of `seconds`.
#[allow(clippy::too_many_arguments)]
pub fn run(
    docker: &Docker,
    image: &str,
    name: &str,
    smoke: &Smoke,
    expect: Option<&str>,
    has_health: bool,
    stop_grace: u64,
    setup: &Setup,
) -> Run {
    let start = Instant::now();
    match smoke {
        Smoke::Exec(args) => {
            let mut r = exec(docker, image, name, args, expect, setup);
            r.seconds = secs(start);
            r
        }
        Smoke::Http { port, path } => {
            let guard = docker.guard_name(name);
            let publish = format!("127.0.0.1::{port}");
            let mut argv = vec!["run", "-d", "--name", name, "-p", &publish];
            argv.extend(setup.run_options.iter().map(String::as_str));
            argv.push(image);
            argv.extend(setup.args.iter().map(String::as_str));
            let started = docker.run_env(&argv, &setup.client_env, SHORT);
            if !started.ok() {
                let mut r = Run {
                    port: Some(*port),
                    seconds: secs(start),
                    ..Run::default()
                };
                let last = started.last_line();
                r.fail(
                    "start",
                    format!("docker run failed: {last}"),
                    normalize_message(&last, image, name),
                );
                return r;
            }
            let mut r = http_probe(docker, image, name, *port, path, expect, has_health);
            if r.run.ok
                && let Some(addr) = r.addr
            {
                r.run.probes = setup
                    .probes
                    .iter()
                    .map(|p| match http::send(addr, &p.request, PROBE_TIMEOUT) {
                        Ok(resp) => Answer::from_response(p, &resp),
                        Err(e) => Answer::failed(p, e),
                    })
                    .collect();
            }
            let mut r = r.run;
            r.seconds = secs(start);
            // Also after a failed probe: how a container that is still running
            // (or has already exited) ends is part of the picture.
            r.stop = Some(stop::stop(docker, name, stop_grace));
            drop(guard);
            r
        }
    }
}

fn secs(start: Instant) -> f64 {
    (start.elapsed().as_secs_f64() * 10.0).round() / 10.0
}

fn exec(
    docker: &Docker,
    image: &str,
    name: &str,
    args: &str,
    expect: Option<&str>,
    setup: &Setup,
) -> Run {
    let _guard = docker.guard_name(name);
    let mut argv = vec!["run", "--rm", "--name", name];
    argv.extend(setup.run_options.iter().map(String::as_str));
    argv.push(image);
    argv.extend(args.split_whitespace());
    argv.extend(setup.args.iter().map(String::as_str));
    let out = docker.run_env(&argv, &setup.client_env, EXEC_TIMEOUT);
    let combined = out.combined();
    let mut r = Run {
        status: out.code().map(i64::from),
        output: cut(&combined),
        ..Run::default()
    };
    let code = out.code().map_or("?".into(), |c| c.to_string());
    if out.timed_out {
        r.fail(
            "timeout",
            format!("still running after {} s", EXEC_TIMEOUT.as_secs()),
            String::new(),
        );
    } else if !out.ok() {
        let (failure, shown) = output_failure("exit", &code, &combined, image, name);
        r.fail_with(failure, format!("exit status {code}: {shown}"));
    } else if let Some(e) = expect.filter(|e| !combined.contains(e)) {
        let lines = meaningful_lines(&combined);
        let detail = format!(
            "exit 0: {}",
            normalize_message(&lines.join("\n"), image, name)
        );
        r.fail_with(
            Failure {
                class: "missing-text",
                detail,
                lines: lines.into_iter().map(str::to_string).collect(),
            },
            format!("the output lacks `{e}`"),
        );
    } else {
        r.ok = true;
    }
    r
}

/// How many output lines a failure shows and compares.
const EXCERPT_LINES: usize = 5;

/// How many lines of a container's log are read to find the excerpt in.
const LOG_TAIL: &str = "200";

/// A line of output that cannot reflect what the app did: npm's notices
/// (`npm notice New major version of npm available! …`, and the bare
/// `npm notice` lines around them), printed or not by the same npm
/// depending on whether its registry check got through in time.
fn is_noise(line: &str) -> bool {
    let t = line.trim();
    t == "npm notice" || t.starts_with("npm notice ")
}

/// The non-blank lines of `text` that are not noise ([`is_noise`]).
fn meaningful_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !is_noise(l))
        .collect()
}

/// Whether a line reads as the report of an error, not npm's own report of a
/// failed script (`npm error …`, `npm ERR! …`, which follow the app's):
/// - its first word names an error or exception type and a `:` follows
///   (`Error: …`, `TypeError: …`, `Error [ERR_MODULE_NOT_FOUND]: …`,
///   `ModuleNotFoundError: …`, `java.lang.IllegalStateException: …`,
///   `Exception in thread "main" …`);
/// - it starts with `error:`, `error[`, `fatal:`, `fatal error:` or `panic:`
///   in any case (compilers, Go, git-style tools);
/// - it holds a log level `ERROR`, `FATAL` or `CRITICAL` as a word
///   (`[ERROR] Exception in worker process`, `ERROR:root:…`), or
///   `level=error` / `level=fatal`;
/// - a Rust thread `panicked at`.
pub fn looks_like_error(line: &str) -> bool {
    let t = line.trim();
    if t.starts_with("npm error") || t.starts_with("npm ERR!") {
        return false;
    }
    let first = t.split([' ', ':']).next().unwrap_or("");
    let type_name = !first.is_empty()
        && first
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '$'))
        && (first.ends_with("Error") || first.ends_with("Exception"));
    if type_name && t.contains(':') {
        return true;
    }
    let lower = t.to_ascii_lowercase();
    if ["error:", "error[", "fatal:", "fatal error:", "panic:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return true;
    }
    if lower.contains("level=error") || lower.contains("level=fatal") {
        return true;
    }
    if t.contains("panicked at") {
        return true;
    }
    t.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| matches!(w, "ERROR" | "FATAL" | "CRITICAL"))
}

/// The lines of a failed run's output that are shown and compared: of its
/// non-blank lines without noise ([`is_noise`]), the `n` lines that end two
/// lines after the last one that reads as an error ([`looks_like_error`]):
/// the error with what led to it and the start of its stack trace. Without
/// such a line, the last `n`.
pub fn excerpt(text: &str, n: usize) -> Vec<&str> {
    let lines = meaningful_lines(text);
    let end = match lines.iter().rposition(|l| looks_like_error(l)) {
        Some(at) => (at + 3).min(lines.len()),
        None => lines.len(),
    };
    lines[end.saturating_sub(n)..end].to_vec()
}

/// The failure of a run that ended with exit code `code` and printed
/// `output`, and the excerpt as shown (lines joined by ` | `).
fn output_failure(
    class: &'static str,
    code: &str,
    output: &str,
    image: &str,
    name: &str,
) -> (Failure, String) {
    let lines = excerpt(output, EXCERPT_LINES);
    let shown = lines.join(" | ");
    let failure = Failure {
        class,
        detail: format!("exit {code}: {}", normalize_message(&shown, image, name)),
        lines: lines.iter().map(|l| l.to_string()).collect(),
    };
    (failure, shown)
}

/// An http run so far, with the address probes go to once it is ready.
struct Probed {
    run: Run,
    addr: Option<SocketAddr>,
}

/// An answer that means "not yet": a proxy or server still starting.
pub fn not_yet(status: u16) -> bool {
    matches!(status, 502..=504)
}

/// Waits until the started container `name` answers `path` at all (and with
/// `expect` in the body), then for its HEALTHCHECK.
fn http_probe(
    docker: &Docker,
    image: &str,
    name: &str,
    port: u16,
    path: &str,
    expect: Option<&str>,
    has_health: bool,
) -> Probed {
    let mut r = Run {
        port: Some(port),
        ..Run::default()
    };
    let mapped = docker.run(&["port", name, &format!("{port}/tcp")], SHORT);
    let Some(addr) = host_addr(&mapped.stdout) else {
        // A container that exited at once has no port mapping any more: that
        // is an exit (as when it exits a moment later), not a start failure.
        if !running(docker, name) {
            exited(docker, &mut r, image, name);
            return Probed { run: r, addr: None };
        }
        let last = mapped.last_line();
        r.fail(
            "start",
            format!("no host port for {port}/tcp: {last}"),
            normalize_message(&last, image, name),
        );
        return Probed { run: r, addr: None };
    };
    let deadline = Instant::now() + HTTP_WAIT;
    // The last thing seen: (class, message for people, what is compared).
    let mut last = ("no-answer", "no answer".to_string(), String::new());
    let mut answered = false;
    while Instant::now() < deadline {
        match http::get(addr, path, Duration::from_secs(3)) {
            Ok(resp) => {
                let body = resp.body_text();
                r.status = Some(i64::from(resp.status));
                r.output = cut(&body);
                let seen = format!("HTTP {}: {:.80}", resp.status, body.trim());
                let key = format!("HTTP {}: {}", resp.status, normalize(&body));
                if not_yet(resp.status) {
                    last = ("not-ready", seen, key);
                } else if expect.is_some_and(|e| !body.contains(e)) {
                    last = ("missing-text", seen, key);
                } else {
                    answered = true;
                    break;
                }
            }
            Err(e) => last = ("no-answer", e.clone(), normalize_message(&e, image, name)),
        }
        if !running(docker, name) {
            exited(docker, &mut r, image, name);
            return Probed { run: r, addr: None };
        }
        std::thread::sleep(Duration::from_millis(700));
    }
    if !answered {
        let (class, seen, key) = last;
        let wanted = match (class, expect) {
            ("missing-text", Some(e)) => format!("with `{e}` in the body "),
            _ => String::new(),
        };
        r.fail(
            class,
            format!(
                "GET {path} never answered {wanted}in {} s (502/503/504 and no answer mean not yet; last: {seen})",
                HTTP_WAIT.as_secs()
            ),
            key,
        );
        return Probed { run: r, addr: None };
    }
    if has_health {
        let h = wait_health(docker, name);
        let healthy = h == "healthy";
        if !healthy {
            let detail = normalize_message(&h, image, name);
            r.fail(
                "unhealthy",
                "the HEALTHCHECK did not report healthy".into(),
                detail,
            );
            r.health = Some(h);
            return Probed { run: r, addr: None };
        }
        r.health = Some(h);
    }
    r.ok = true;
    Probed {
        run: r,
        addr: Some(addr),
    }
}

/// Records that the container exited: its exit code and the excerpt of its
/// log ([`excerpt`]).
fn exited(docker: &Docker, r: &mut Run, image: &str, name: &str) {
    let logs = docker.run(&["logs", "--tail", LOG_TAIL, name], SHORT);
    let code = docker
        .run(&["inspect", "-f", "{{.State.ExitCode}}", name], SHORT)
        .stdout
        .trim()
        .to_string();
    let (failure, shown) = output_failure("exited", &code, &logs.combined(), image, name);
    r.fail_with(
        failure,
        format!("the container exited (code {code}): {shown}"),
    );
}

fn running(docker: &Docker, name: &str) -> bool {
    let out = docker.run(&["inspect", "-f", "{{.State.Running}}", name], SHORT);
    out.stdout.trim() == "true"
}

fn wait_health(docker: &Docker, name: &str) -> String {
    let deadline = Instant::now() + HEALTH_WAIT;
    loop {
        let out = docker.run(&["inspect", "-f", "{{json .State.Health}}", name], SHORT);
        let v: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap_or_default();
        match v["Status"].as_str() {
            Some("healthy") => return "healthy".into(),
            Some("unhealthy") => {
                let last = v["Log"]
                    .as_array()
                    .and_then(|l| l.last())
                    .and_then(|e| e["Output"].as_str())
                    .unwrap_or("")
                    .trim()
                    .to_string();
                return format!("unhealthy: {last:.200}");
            }
            _ => {}
        }
        if Instant::now() >= deadline {
            return format!("starting (not healthy after {} s)", HEALTH_WAIT.as_secs());
        }
        if !running(docker, name) {
            return "the container exited before it was healthy".into();
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// The first address `docker port` printed (IPv4 preferred).
pub fn host_addr(out: &str) -> Option<SocketAddr> {
    let mut addrs: Vec<SocketAddr> = out
        .lines()
        .filter_map(|l| l.trim().to_socket_addrs().ok())
        .flatten()
        .collect();
    addrs.sort_by_key(|a| !a.is_ipv4());
    addrs.into_iter().next().map(|a| {
        if a.ip().is_unspecified() {
            SocketAddr::from(([127, 0, 0, 1], a.port()))
        } else {
            a
        }
    })
}

/// How the two runs compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agreement {
    /// Both fine with the same answer (the note: how they differ in what does not count).
    Agree(Option<String>),
    /// One failed, or both answered differently, or both failed differently.
    Differ(Option<String>),
    /// Both failed the same way (class and detail): what the failure is.
    BothFail(String),
}

/// Whether the two runs agree: both fine and the same answer. When the
/// answers differ but both contain the expected text, they agree with a note.
/// When both fail, they "both fail the same way" if their failures have the
/// same class and detail.
pub fn agree(a: &Run, b: &Run, expect: Option<&str>) -> Agreement {
    match (a.ok, b.ok, &a.failure, &b.failure) {
        (true, true, _, _) => {}
        (false, false, Some(x), Some(y)) if x.same_way(y) => {
            let what = a.error.clone().unwrap_or_else(|| x.class.to_string());
            return Agreement::BothFail(what);
        }
        (false, false, Some(x), Some(y)) if x.class != y.class => {
            return Agreement::Differ(Some(format!(
                "both fail, differently: original {}, rewrite {}",
                x.class, y.class
            )));
        }
        (false, false, Some(x), Some(y)) => {
            return Agreement::Differ(Some(format!(
                "both fail ({}), differently: {}",
                x.class,
                difference(x, y)
            )));
        }
        _ => return Agreement::Differ(None),
    }
    if a.status != b.status {
        return Agreement::Differ(Some(format!(
            "status {} vs {}",
            a.status.unwrap_or(-1),
            b.status.unwrap_or(-1)
        )));
    }
    if normalize(&a.output) == normalize(&b.output) {
        return Agreement::Agree(None);
    }
    match expect {
        Some(e) if a.output.contains(e) && b.output.contains(e) => Agreement::Agree(Some(
            "the outputs differ, but both contain the expected text".into(),
        )),
        _ => Agreement::Differ(Some("the outputs differ".into())),
    }
}

/// What differs between two failures of the same class, for people: the
/// exit codes, or the first pair of output lines that differ beyond what the
/// comparison leaves out (digits, blanks), each as printed.
fn difference(x: &Failure, y: &Failure) -> String {
    let code = |f: &Failure| {
        f.detail
            .strip_prefix("exit ")
            .and_then(|d| d.split_once(':'))
            .map(|(c, _)| c.to_string())
    };
    if let (Some(a), Some(b)) = (code(x), code(y))
        && a != b
    {
        return format!("exit code {a} in the original, {b} in the rewrite");
    }
    let shown = |f: &Failure| -> Vec<String> {
        if f.lines.is_empty() {
            vec![f.detail.clone()]
        } else {
            f.lines.clone()
        }
    };
    let (a, b) = (shown(x), shown(y));
    let key = |l: &str| collapse(l);
    let quote = |l: Option<&String>| match l {
        Some(l) => format!("`{}`", super::text::clip(l.trim(), 200)),
        None => "nothing".to_string(),
    };
    match (0..a.len().max(b.len())).find(|&i| a.get(i).map(|l| key(l)) != b.get(i).map(|l| key(l)))
    {
        Some(i) => format!(
            "the original's output has {} where the rewrite's has {}",
            quote(a.get(i)),
            quote(b.get(i))
        ),
        // Only what the comparison leaves out per line differs (the names
        // of the two images or containers): the whole details.
        None => format!(
            "original `{}`, rewrite `{}`",
            super::text::clip(&x.detail, 200),
            super::text::clip(&y.detail, 200)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_specs() {
        assert_eq!(parse_http("8080"), Ok((8080, "/".into())));
        assert_eq!(parse_http("80/"), Ok((80, "/".into())));
        assert_eq!(parse_http("8000/health"), Ok((8000, "/health".into())));
        assert_eq!(
            parse_http("8080/version.txt"),
            Ok((8080, "/version.txt".into()))
        );
        assert!(parse_http("x/health").is_err());
        assert!(parse_http("0").is_err());
        assert!(parse_http("").is_err());
    }

    #[test]
    fn docker_port_output() {
        assert_eq!(
            host_addr("[::1]:49154\n127.0.0.1:49153\n"),
            Some("127.0.0.1:49153".parse().unwrap())
        );
        assert_eq!(
            host_addr("0.0.0.0:32768\n"),
            Some("127.0.0.1:32768".parse().unwrap())
        );
        assert_eq!(host_addr("Error: no public port"), None);
    }

    fn ok(status: i64, output: &str) -> Run {
        Run {
            ok: true,
            status: Some(status),
            output: output.into(),
            ..Run::default()
        }
    }

    fn failed(class: &'static str, detail: &str) -> Run {
        let mut r = Run::default();
        r.fail(class, format!("{class}: {detail}"), detail.into());
        r
    }

    #[test]
    fn agreement() {
        use Agreement::*;
        assert_eq!(agree(&ok(0, "v1\n"), &ok(0, "v1\r\n"), None), Agree(None));
        assert!(matches!(
            agree(&ok(0, "v1"), &ok(0, "v2"), None),
            Differ(Some(_))
        ));
        assert!(matches!(
            agree(&ok(200, "ok 1"), &ok(200, "ok 2"), Some("ok")),
            Agree(Some(_))
        ));
        assert!(matches!(
            agree(&ok(200, "ok"), &ok(204, "ok"), Some("ok")),
            Differ(Some(_))
        ));
        // A 404 in both is an answer like any other.
        assert_eq!(
            agree(&ok(404, "Not Found"), &ok(404, "Not Found"), None),
            Agree(None)
        );
        let f = failed("exited", "exit 1: Error: API_KEY is required");
        assert_eq!(agree(&ok(0, "x"), &f, None), Differ(None));
        assert_eq!(agree(&f, &ok(0, "x"), None), Differ(None));
    }

    #[test]
    fn both_fail_the_same_way_or_not() {
        use Agreement::*;
        let a = failed("exited", "exit 1: Error: API_KEY is required");
        assert_eq!(
            agree(&a, &a.clone(), None),
            BothFail("exited: exit 1: Error: API_KEY is required".into())
        );
        // Same class, another exit code or message: they disagree.
        let b = failed("exited", "exit 2: Error: API_KEY is required");
        assert!(matches!(agree(&a, &b, None), Differ(Some(_))));
        let c = failed("exited", "exit 1: EACCES: permission denied, open 'data/x'");
        assert!(matches!(agree(&a, &c, None), Differ(Some(_))));
        // Another class: they disagree.
        let d = failed("no-answer", "connect: Connection refused (os error 0)");
        let why = agree(&a, &d, None);
        assert_eq!(
            why,
            Differ(Some(
                "both fail, differently: original exited, rewrite no-answer".into()
            ))
        );
        // Both lack the expected text with the same answer.
        let m = failed("missing-text", "HTTP 200: hello");
        assert!(matches!(agree(&m, &m.clone(), Some("bye")), BothFail(_)));
    }

    #[test]
    fn failure_messages_are_compared_without_what_differs_per_run() {
        let a = normalize_message(
            "Error response from daemon: container dfsplit-verify-ab12-original: \
             image dfsplit-verify/app-ab12:original has no command  (pid 4123, 12:03:55)",
            "dfsplit-verify/app-ab12:original",
            "dfsplit-verify-ab12-original",
        );
        let b = normalize_message(
            "Error response from daemon: container dfsplit-verify-ab12-rewrite: \
             image dfsplit-verify/app-ab12:rewrite has no command (pid 977, 12:04:10)",
            "dfsplit-verify/app-ab12:rewrite",
            "dfsplit-verify-ab12-rewrite",
        );
        assert_eq!(a, b);
        assert!(
            a.contains("container CONTAINER: image IMAGE has no command"),
            "{a}"
        );
        assert_ne!(
            normalize_message("missing API_KEY", "i", "n"),
            normalize_message("missing DB_URL", "i", "n")
        );
    }

    /// `node server.js` throwing at start under `npm start`, as npm 10 on
    /// node:20 prints it when its update check got through.
    const NPM_START_THROWS: &str = "
> t@1.0.0 start
> node server.js

/app/server.js:1
throw new Error(\"REAL CAUSE: missing config\")
^

Error: REAL CAUSE: missing config
    at Object.<anonymous> (/app/server.js:1:7)
    at Module._compile (node:internal/modules/cjs/loader:1521:14)
    at Module.load (node:internal/modules/cjs/loader:1266:32)
    at node:internal/main/run_main_module:28:49

Node.js v20.20.2
npm error code 1
npm error path /app
npm error command failed
npm error command sh -c node server.js
npm error A complete log of this run can be found in: /root/.npm/_logs/2025-01-07T10_00_00_000Z-debug-0.log
npm notice
npm notice New major version of npm available! 10.8.2 -> 12.2.3
npm notice Changelog: https://github.com/npm/cli/releases/tag/v12.2.3
npm notice To update run: npm install -g npm@12.2.3
npm notice
";

    /// gunicorn failing to load its worker class, from the given site-packages.
    fn gunicorn_fails(site: &str) -> String {
        format!(
            "[2025-01-07 10:00:00 +0000] [1] [INFO] Starting gunicorn 21.2.0
Traceback (most recent call last):
  File \"{site}/gunicorn/util.py\", line 84, in load_entry_point
    raise ImportError(\"Entry point %r not found\" % ((group, name),))
ImportError: Entry point ('gunicorn.workers', 'eventlet') not found
]
"
        )
    }

    #[test]
    fn the_excerpt_is_the_error_not_npms_notices() {
        let e = excerpt(NPM_START_THROWS, EXCERPT_LINES);
        assert_eq!(
            e,
            [
                "throw new Error(\"REAL CAUSE: missing config\")",
                "^",
                "Error: REAL CAUSE: missing config",
                "    at Object.<anonymous> (/app/server.js:1:7)",
                "    at Module._compile (node:internal/modules/cjs/loader:1521:14)",
            ]
        );
        // Without npm's lines (the container of the trial's repro-npmtail).
        let node_only = NPM_START_THROWS.split("Node.js v20").next().unwrap();
        assert!(
            excerpt(&format!("{node_only}Node.js v20.20.2\n"), EXCERPT_LINES)
                .contains(&"Error: REAL CAUSE: missing config")
        );
        // The error is the last line of a Python traceback: what led to it
        // comes before it.
        let py = gunicorn_fails("/opt/venv/lib/python3.11/site-packages");
        assert_eq!(
            excerpt(&py, EXCERPT_LINES),
            [
                "Traceback (most recent call last):",
                "  File \"/opt/venv/lib/python3.11/site-packages/gunicorn/util.py\", line 84, in load_entry_point",
                "    raise ImportError(\"Entry point %r not found\" % ((group, name),))",
                "ImportError: Entry point ('gunicorn.workers', 'eventlet') not found",
                "]",
            ]
        );
        // Nothing reads as an error: the last lines, notices aside.
        assert_eq!(
            excerpt(
                "a\nb\n\nc\nd\ne\nf\nnpm notice\nnpm notice Changelog: x\n",
                5
            ),
            ["b", "c", "d", "e", "f"]
        );
        assert!(excerpt("npm notice\n", 5).is_empty());
    }

    #[test]
    fn lines_that_read_as_errors() {
        for l in [
            "Error: REAL CAUSE: missing config",
            "TypeError: Cannot read properties of undefined (reading 'x')",
            "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'express'",
            "ModuleNotFoundError: No module named 'flask'",
            "java.lang.IllegalStateException: no datasource",
            "Exception in thread \"main\" java.lang.NoClassDefFoundError: x",
            "error: unexpected argument '--port' found",
            "error[E0425]: cannot find value",
            "panic: runtime error: invalid memory address",
            "fatal error: all goroutines are asleep - deadlock!",
            "thread 'main' panicked at src/main.rs:4:5:",
            "[2025-01-07 10:00:00 +0000] [7] [ERROR] Exception in worker process",
            "ERROR:root:database is unreachable",
            "time=\"2025\" level=error msg=\"bind: address in use\"",
        ] {
            assert!(looks_like_error(l), "{l}");
        }
        for l in [
            "npm error code 1",
            "npm ERR! code ELIFECYCLE",
            "npm notice New major version of npm available! 10.8.2 -> 12.2.3",
            "Node.js v20.20.2",
            "    at Object.<anonymous> (/app/server.js:1:7)",
            "    raise ImportError(\"Entry point %r not found\")",
            "Errors: 0",
            "ErrorBoundary mounted",
            "listening on 3000 (no errors)",
            "Traceback (most recent call last):",
        ] {
            assert!(!looks_like_error(l), "{l}");
        }
    }

    /// A run that exited with `code` after printing `logs`, as `exited` records it.
    fn exited_run(code: &str, logs: &str, side: &str) -> Run {
        let (image, name) = (format!("img:{side}"), format!("ctr-{side}"));
        let (failure, shown) = output_failure("exited", code, logs, &image, &name);
        let mut r = Run::default();
        r.fail_with(
            failure,
            format!("the container exited (code {code}): {shown}"),
        );
        r
    }

    #[test]
    fn npm_notices_in_one_container_only_are_the_same_failure() {
        use Agreement::*;
        let with = exited_run("1", NPM_START_THROWS, "original");
        let without = exited_run(
            "1",
            NPM_START_THROWS.split("npm notice").next().unwrap(),
            "rewrite",
        );
        assert!(matches!(agree(&with, &without, None), BothFail(_)));
    }

    #[test]
    fn same_class_different_output_shows_the_lines_that_differ() {
        use Agreement::*;
        // A venv rewrite moves the packages: the same error from another
        // path is still a difference (verify cannot tell it is harmless),
        // and the note shows both lines.
        let o = exited_run(
            "1",
            &gunicorn_fails("/usr/local/lib/python3.11/dist-packages"),
            "original",
        );
        let r = exited_run(
            "1",
            &gunicorn_fails("/opt/venv/lib/python3.11/site-packages"),
            "rewrite",
        );
        assert_eq!(
            agree(&o, &r, None),
            Differ(Some(
                "both fail (exited), differently: the original's output has \
                 `File \"/usr/local/lib/python3.11/dist-packages/gunicorn/util.py\", line 84, in load_entry_point` \
                 where the rewrite's has \
                 `File \"/opt/venv/lib/python3.11/site-packages/gunicorn/util.py\", line 84, in load_entry_point`"
                    .into()
            ))
        );
        // Another exit code.
        let r = exited_run(
            "2",
            &gunicorn_fails("/usr/local/lib/python3.11/dist-packages"),
            "rewrite",
        );
        assert_eq!(
            agree(&o, &r, None),
            Differ(Some(
                "both fail (exited), differently: exit code 1 in the original, 2 in the rewrite"
                    .into()
            ))
        );
        // One more line in the rewrite's.
        let o = exited_run("1", "Error: boom\n", "original");
        let r = exited_run("1", "Error: boom\nretrying\n", "rewrite");
        assert_eq!(
            agree(&o, &r, None),
            Differ(Some(
                "both fail (exited), differently: the original's output has nothing \
                 where the rewrite's has `retrying`"
                    .into()
            ))
        );
    }

    #[test]
    fn not_yet_answers() {
        assert!(not_yet(502) && not_yet(503) && not_yet(504));
        assert!(!not_yet(500) && !not_yet(404) && !not_yet(200) && !not_yet(501));
    }
}
