//! The smoke check: run each image the same way and compare what it answers.

use super::docker::{Docker, SHORT};
use super::http;
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

/// What one image did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Run {
    /// It answered (exit 0 / HTTP 2xx) with the expected text, and is healthy when it has a HEALTHCHECK.
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
    pub seconds: f64,
    /// How the detached container ended on `docker stop` (http runs only; the
    /// report shows it beside the other image's, not inside the run).
    #[serde(skip)]
    pub stop: Option<Stop>,
}

const EXEC_TIMEOUT: Duration = Duration::from_secs(120);
const HTTP_WAIT: Duration = Duration::from_secs(60);
const HEALTH_WAIT: Duration = Duration::from_secs(120);

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

/// Runs the smoke check on `image`. `name` is a unique container name. An
/// http run ends with the stop check (`docker stop -t STOP_GRACE`), whose time
/// is not part of `seconds`.
pub fn run(
    docker: &Docker,
    image: &str,
    name: &str,
    smoke: &Smoke,
    expect: Option<&str>,
    has_health: bool,
    stop_grace: u64,
) -> Run {
    let start = Instant::now();
    match smoke {
        Smoke::Exec(args) => {
            let mut r = exec(docker, image, name, args, expect);
            r.seconds = secs(start);
            r
        }
        Smoke::Http { port, path } => {
            let guard = docker.guard_name(name);
            let publish = format!("127.0.0.1::{port}");
            let started = docker.run(&["run", "-d", "--name", name, "-p", &publish, image], SHORT);
            if !started.ok() {
                return Run {
                    port: Some(*port),
                    error: Some(format!("docker run failed: {}", started.last_line())),
                    seconds: secs(start),
                    ..Run::default()
                };
            }
            let mut r = http_probe(docker, name, *port, path, expect, has_health);
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

fn exec(docker: &Docker, image: &str, name: &str, args: &str, expect: Option<&str>) -> Run {
    let _guard = docker.guard_name(name);
    let mut argv = vec!["run", "--rm", "--name", name, image];
    argv.extend(args.split_whitespace());
    let out = docker.run(&argv, EXEC_TIMEOUT);
    let output = cut(&out.combined());
    let mut r = Run {
        status: out.code().map(i64::from),
        output,
        ..Run::default()
    };
    if out.timed_out {
        r.error = Some(format!("still running after {} s", EXEC_TIMEOUT.as_secs()));
    } else if !out.ok() {
        r.error = Some(format!(
            "exit status {}: {}",
            out.code().map_or("?".into(), |c| c.to_string()),
            out.last_line()
        ));
    } else if let Some(e) = expect.filter(|e| !out.combined().contains(e)) {
        r.error = Some(format!("the output lacks `{e}`"));
    } else {
        r.ok = true;
    }
    r
}

/// Probes the started container `name` (and waits for its HEALTHCHECK).
fn http_probe(
    docker: &Docker,
    name: &str,
    port: u16,
    path: &str,
    expect: Option<&str>,
    has_health: bool,
) -> Run {
    let mut r = Run {
        port: Some(port),
        ..Run::default()
    };
    let mapped = docker.run(&["port", name, &format!("{port}/tcp")], SHORT);
    let Some(addr) = host_addr(&mapped.stdout) else {
        r.error = Some(format!(
            "no host port for {port}/tcp: {}",
            mapped.last_line()
        ));
        return r;
    };
    let deadline = Instant::now() + HTTP_WAIT;
    let mut last = String::from("no answer");
    let mut answered = false;
    while Instant::now() < deadline {
        match http::get(addr, path, Duration::from_secs(3)) {
            Ok(resp) => {
                let body = resp.body_text();
                r.status = Some(i64::from(resp.status));
                r.output = cut(&body);
                let good_status = (200..300).contains(&resp.status);
                if good_status && expect.is_none_or(|e| body.contains(e)) {
                    answered = true;
                    break;
                }
                last = format!("HTTP {}: {:.80}", resp.status, body.trim());
            }
            Err(e) => last = e,
        }
        if !running(docker, name) {
            let logs = docker.run(&["logs", "--tail", "5", name], SHORT);
            r.error = Some(format!(
                "the container exited: {}",
                logs.combined()
                    .trim()
                    .lines()
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
            return r;
        }
        std::thread::sleep(Duration::from_millis(700));
    }
    if !answered {
        r.error = Some(match expect {
            Some(e) => format!(
                "GET {path} never answered 2xx with `{e}` in {} s (last: {last})",
                HTTP_WAIT.as_secs()
            ),
            None => format!(
                "GET {path} never answered 2xx in {} s (last: {last})",
                HTTP_WAIT.as_secs()
            ),
        });
        return r;
    }
    if has_health {
        let h = wait_health(docker, name);
        let healthy = h == "healthy";
        r.health = Some(h);
        if !healthy {
            r.error = Some("the HEALTHCHECK did not report healthy".into());
            return r;
        }
    }
    r.ok = true;
    r
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

/// Whether the two runs agree: both fine and the same answer. When the
/// answers differ but both contain the expected text, they agree with a note.
pub fn agree(a: &Run, b: &Run, expect: Option<&str>) -> (bool, Option<String>) {
    if !a.ok || !b.ok {
        return (false, None);
    }
    if a.status != b.status {
        return (
            false,
            Some(format!(
                "status {} vs {}",
                a.status.unwrap_or(-1),
                b.status.unwrap_or(-1)
            )),
        );
    }
    if normalize(&a.output) == normalize(&b.output) {
        return (true, None);
    }
    match expect {
        Some(e) if a.output.contains(e) && b.output.contains(e) => (
            true,
            Some("the outputs differ, but both contain the expected text".into()),
        ),
        _ => (false, Some("the outputs differ".into())),
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

    #[test]
    fn agreement() {
        assert_eq!(agree(&ok(0, "v1\n"), &ok(0, "v1\r\n"), None), (true, None));
        assert!(!agree(&ok(0, "v1"), &ok(0, "v2"), None).0);
        let (same, note) = agree(&ok(200, "ok 1"), &ok(200, "ok 2"), Some("ok"));
        assert!(same && note.is_some());
        assert!(!agree(&ok(200, "ok"), &ok(204, "ok"), Some("ok")).0);
        let failed = Run::default();
        assert!(!agree(&ok(0, "x"), &failed, None).0);
    }
}
