//! Running the docker CLI: every call bounded in time, containers and images
//! removed by guards (also when a step fails or panics).

use std::ffi::OsString;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The docker client to run: `$DOCKER` or `docker`, with `DOCKER_BUILDKIT=1`
/// unless the caller set it. `DOCKER_HOST` and the rest of the environment pass through.
#[derive(Debug, Clone)]
pub struct Docker {
    program: OsString,
    buildkit: Option<OsString>,
}

/// What a finished (or stopped) command printed.
pub struct Captured {
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl Captured {
    pub fn ok(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }
    /// The exit code, when the command ended by itself.
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }
    /// stdout then stderr.
    pub fn combined(&self) -> String {
        let mut s = self.stdout.clone();
        s.push_str(&self.stderr);
        s
    }
    /// The last non-empty line of stderr (or stdout), for short messages.
    pub fn last_line(&self) -> String {
        let pick = if self.stderr.trim().is_empty() {
            &self.stdout
        } else {
            &self.stderr
        };
        pick.lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string()
    }
}

/// Builds finish within this time.
pub const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Short engine calls (inspect, create, rm, port…).
pub const SHORT: Duration = Duration::from_secs(60);

impl Docker {
    pub fn from_env() -> Docker {
        let program = std::env::var_os("DOCKER")
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "docker".into());
        let buildkit = match std::env::var_os("DOCKER_BUILDKIT") {
            Some(v) if !v.is_empty() => None,
            _ => Some(OsString::from("1")),
        };
        Docker { program, buildkit }
    }

    pub fn program(&self) -> String {
        self.program.to_string_lossy().into_owned()
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        if let Some(v) = &self.buildkit {
            c.env("DOCKER_BUILDKIT", v);
        }
        c.stdin(Stdio::null());
        c
    }

    /// Runs `docker ARGS` and waits at most `timeout`.
    pub fn run(&self, args: &[&str], timeout: Duration) -> Captured {
        let mut c = self.command();
        c.args(args);
        run_bounded(c, timeout)
    }

    /// Runs `docker ARGS` with `env` added to the client's environment (how
    /// `docker run -e KEY` gets values that must not be on its command line).
    pub fn run_env(&self, args: &[&str], env: &[(String, String)], timeout: Duration) -> Captured {
        let mut c = self.command();
        c.args(args);
        c.envs(env.iter().map(|(k, v)| (k, v)));
        run_bounded(c, timeout)
    }

    /// `docker info`: `Err` with what the client said when no engine answers.
    pub fn check_engine(&self) -> Result<(), String> {
        let out = self.run(
            &["info", "--format", "{{.ServerVersion}}"],
            Duration::from_secs(30),
        );
        if out.ok() && !out.stdout.trim().is_empty() {
            return Ok(());
        }
        if out.timed_out {
            return Err(format!("`{} info` did not answer in 30 s", self.program()));
        }
        let why = if out.status.is_none() && out.stderr.is_empty() {
            format!("cannot run `{}`", self.program())
        } else {
            out.last_line()
        };
        Err(why)
    }

    /// `docker build --progress=plain`; the log is stderr and stdout together.
    pub fn build(&self, file: &Path, context: &Path, tag: &str, no_cache: bool) -> Captured {
        let mut c = self.command();
        c.arg("build").arg("--progress=plain");
        if no_cache {
            c.arg("--no-cache");
        }
        c.arg("-f").arg(file).arg("-t").arg(tag).arg(context);
        run_bounded(c, BUILD_TIMEOUT)
    }

    /// `docker image inspect`: the first object of the answer.
    pub fn inspect(&self, reference: &str) -> Option<serde_json::Value> {
        let out = self.run(&["image", "inspect", reference], SHORT);
        if !out.ok() {
            return None;
        }
        let v: serde_json::Value = serde_json::from_str(&out.stdout).ok()?;
        v.as_array()?.first().cloned()
    }

    /// A created (never started) container, removed when dropped.
    pub fn create(&self, image: &str) -> Result<Container, String> {
        // A command is needed for images without CMD/ENTRYPOINT (scratch); it never runs.
        let out = self.run(&["create", image, "dfsplit-verify-measure"], SHORT);
        if !out.ok() {
            return Err(format!("docker create failed: {}", out.last_line()));
        }
        Ok(Container {
            docker: self.clone(),
            id: out.stdout.trim().to_string(),
        })
    }

    /// Starts `docker cp CTR:PATH -` and hands its tar stream to `read`; the
    /// process is killed once `read` returns (so large directories are not
    /// streamed to the end when only the first entries matter).
    pub fn cp_stream<T>(
        &self,
        container: &str,
        path: &str,
        read: impl FnOnce(&mut dyn Read) -> T,
    ) -> Option<T> {
        let mut c = self.command();
        c.arg("cp")
            .arg(format!("{container}:{path}"))
            .arg("-")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = c.spawn().ok()?;
        let mut stdout = child.stdout.take()?;
        let result = read(&mut stdout);
        drop(stdout);
        let status = finish(&mut child, Duration::from_secs(5));
        // A missing path: the client exits non-zero without writing anything;
        // `read` saw an empty stream and the caller treats that as "absent".
        let _ = status;
        Some(result)
    }

    /// A unique container name for runs.
    pub fn guard_name(&self, name: &str) -> Container {
        Container {
            docker: self.clone(),
            id: name.to_string(),
        }
    }

    /// An image tag removed when dropped (unless `keep`).
    pub fn image_guard(&self, tag: &str, keep: bool) -> ImageGuard {
        ImageGuard {
            docker: self.clone(),
            tag: tag.to_string(),
            keep,
        }
    }
}

/// A container that is force-removed when dropped, with the anonymous
/// volumes its image's `VOLUME` lines made (named volumes are never touched).
pub struct Container {
    docker: Docker,
    pub id: String,
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = self.docker.run(&["rm", "-f", "-v", &self.id], SHORT);
    }
}

/// An image tag that is removed when dropped, unless kept.
pub struct ImageGuard {
    docker: Docker,
    pub tag: String,
    keep: bool,
}

impl Drop for ImageGuard {
    fn drop(&mut self) {
        if !self.keep {
            let _ = self.docker.run(&["image", "rm", "-f", &self.tag], SHORT);
        }
    }
}

/// Kills `child` if it does not end within `grace`; returns its status.
fn finish(child: &mut Child, grace: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(s)) => return Some(s),
            Ok(None) if start.elapsed() < grace => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                return child.wait().ok();
            }
        }
    }
}

/// Runs a command with piped output, killing it after `timeout`.
pub fn run_bounded(mut c: Command, timeout: Duration) -> Captured {
    let start = Instant::now();
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = match c.spawn() {
        Ok(ch) => ch,
        Err(e) => {
            return Captured {
                status: None,
                stdout: String::new(),
                stderr: format!("cannot run {:?}: {e}", c.get_program()),
                timed_out: false,
                elapsed: start.elapsed(),
            };
        }
    };
    let out = child.stdout.take().map(reader_thread);
    let err = child.stderr.take().map(reader_thread);
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if start.elapsed() < timeout => std::thread::sleep(Duration::from_millis(25)),
            Ok(None) => {
                timed_out = true;
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Err(_) => break None,
        }
    };
    let join = |h: Option<std::thread::JoinHandle<Vec<u8>>>| {
        h.and_then(|h| h.join().ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    Captured {
        status,
        stdout: join(out),
        stderr: join(err),
        timed_out,
        elapsed: start.elapsed(),
    }
}

fn reader_thread<R: Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    })
}
