//! The stop check: how a long-running container ends on `docker stop`.
//!
//! `docker stop -t GRACE` sends the container's stop signal (SIGTERM unless
//! the image sets STOPSIGNAL), waits GRACE seconds, then sends SIGKILL. A
//! process running as PID 1 without a handler for the signal never sees it
//! (the kernel applies no default action to PID 1), so a rewrite that changes
//! what runs as PID 1 (`npm start` → `node server.js`, a shell-form CMD → an
//! exec-form one, or the reverse) can turn a prompt shutdown into a SIGKILL
//! after the grace period — which no smoke check notices.

use super::docker::{Docker, SHORT};
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;

/// How the container ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// It ended on the stop signal within the grace period.
    Exited,
    /// It was still running after the grace period and got SIGKILL (exit 137).
    Killed,
    /// It had already exited before `docker stop` was sent.
    AlreadyExited,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Exited => "exited",
            Class::Killed => "killed",
            Class::AlreadyExited => "already-exited",
        }
    }
}

/// What one container did on `docker stop`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stop {
    /// `exited`, `killed` or `already-exited`; absent when the check could not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<Class>,
    /// How long `docker stop` took, seconds (one decimal).
    pub seconds: f64,
    /// The container's exit code afterwards (`.State.ExitCode`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    /// `.State.OOMKilled`.
    pub oom_killed: bool,
    /// The signal `docker stop` sent first (the container's StopSignal, default SIGTERM).
    pub signal: String,
    /// Why the check could not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Exit code of a process ended by SIGKILL (128 + 9).
const SIGKILL_EXIT: i64 = 137;
/// `docker stop` returns a little after the grace period when it had to kill;
/// anything this close to the grace counts as "after the grace".
const SLACK: f64 = 0.5;

/// `killed` when the exit code is SIGKILL's and `docker stop` took (about) the
/// whole grace period; `exited` otherwise — including exit 137 well within the
/// grace (the stop signal itself was SIGKILL, or the app killed itself).
pub fn classify(exit_code: Option<i64>, seconds: f64, grace: u64) -> Class {
    if exit_code == Some(SIGKILL_EXIT) && seconds + SLACK >= grace as f64 {
        Class::Killed
    } else {
        Class::Exited
    }
}

/// The parts of `docker inspect CONTAINER` (the first object) the check reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub running: bool,
    pub exit_code: Option<i64>,
    pub oom_killed: bool,
    /// `Config.StopSignal`, or SIGTERM when unset.
    pub signal: String,
}

pub fn parse_state(container: &Value) -> Option<State> {
    let st = container.get("State")?;
    let signal = container["Config"]["StopSignal"]
        .as_str()
        .filter(|s| !s.trim().is_empty())
        .map_or("SIGTERM".to_string(), signal_name);
    Some(State {
        running: st["Running"].as_bool()?,
        exit_code: st["ExitCode"].as_i64(),
        oom_killed: st["OOMKilled"].as_bool().unwrap_or(false),
        signal,
    })
}

/// `15` → `SIGTERM`, `term` → `SIGTERM`; other names as written, upper-cased.
fn signal_name(s: &str) -> String {
    let s = s.trim();
    let numbered = [
        ("1", "SIGHUP"),
        ("2", "SIGINT"),
        ("3", "SIGQUIT"),
        ("9", "SIGKILL"),
        ("10", "SIGUSR1"),
        ("12", "SIGUSR2"),
        ("15", "SIGTERM"),
        ("28", "SIGWINCH"),
    ];
    if let Some((_, n)) = numbered.iter().find(|(k, _)| *k == s) {
        return (*n).to_string();
    }
    let up = s.to_ascii_uppercase();
    if up.starts_with("SIG") || up.chars().all(|c| c.is_ascii_digit()) {
        up
    } else {
        format!("SIG{up}")
    }
}

fn inspect(docker: &Docker, name: &str) -> Result<State, String> {
    let out = docker.run(&["container", "inspect", name], SHORT);
    if !out.ok() {
        return Err(format!("docker inspect failed: {}", out.last_line()));
    }
    let v: Value = serde_json::from_str(&out.stdout).unwrap_or_default();
    v.get(0)
        .and_then(parse_state)
        .ok_or_else(|| "docker inspect gave no container state".to_string())
}

/// Stops the container `name` with `docker stop -t GRACE` and records how it ended.
/// The container is left in place (its guard removes it).
pub fn stop(docker: &Docker, name: &str, grace: u64) -> Stop {
    let mut s = Stop {
        signal: "SIGTERM".into(),
        ..Stop::default()
    };
    let before = match inspect(docker, name) {
        Ok(st) => st,
        Err(e) => {
            s.error = Some(e);
            return s;
        }
    };
    s.signal = before.signal.clone();
    if !before.running {
        s.class = Some(Class::AlreadyExited);
        s.exit_code = before.exit_code;
        s.oom_killed = before.oom_killed;
        return s;
    }
    let grace_arg = grace.to_string();
    let out = docker.run(
        &["stop", "-t", &grace_arg, name],
        SHORT + Duration::from_secs(grace),
    );
    s.seconds = (out.elapsed.as_secs_f64() * 10.0).round() / 10.0;
    if !out.ok() {
        s.error = Some(if out.timed_out {
            format!(
                "docker stop did not return in {} s",
                (SHORT.as_secs() + grace)
            )
        } else {
            format!("docker stop failed: {}", out.last_line())
        });
        return s;
    }
    match inspect(docker, name) {
        Ok(after) if !after.running => {
            s.exit_code = after.exit_code;
            s.oom_killed = after.oom_killed;
            s.class = Some(classify(after.exit_code, s.seconds, grace));
        }
        Ok(_) => s.error = Some("still running after docker stop".into()),
        Err(e) => s.error = Some(e),
    }
    s
}

fn exit(s: &Stop) -> String {
    let code = s.exit_code.map_or("exit ?".into(), |c| format!("exit {c}"));
    if s.oom_killed {
        format!("{code}, OOM-killed")
    } else {
        code
    }
}

/// One line for people: `exited on SIGTERM in 0.7 s (exit 1)`,
/// `killed after 5.2 s: SIGTERM ignored for the 5 s grace (exit 137)`.
pub fn describe(s: &Stop, grace: u64) -> String {
    match (s.class, &s.error) {
        (_, Some(e)) => format!("not checked: {e}"),
        (Some(Class::Exited), None) => {
            format!("exited on {} in {:.1} s ({})", s.signal, s.seconds, exit(s))
        }
        (Some(Class::Killed), None) => format!(
            "killed after {:.1} s: {} ignored for the {grace} s grace ({})",
            s.seconds,
            s.signal,
            exit(s)
        ),
        (Some(Class::AlreadyExited), None) => {
            format!("had already exited before docker stop ({})", exit(s))
        }
        (None, None) => "not checked".into(),
    }
}

/// [`describe`] without the seconds it took: the same class and exit always
/// read the same (a SIGKILL still names the grace it ignored).
pub fn describe_untimed(s: &Stop, grace: u64) -> String {
    match (s.class, &s.error) {
        (Some(Class::Exited), None) => format!("exited on {} ({})", s.signal, exit(s)),
        (Some(Class::Killed), None) => format!(
            "killed: {} ignored for the {grace} s grace ({})",
            s.signal,
            exit(s)
        ),
        _ => describe(s, grace),
    }
}

/// The comparison of the two stop results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Both were checked and ended the same way (same class).
    pub agree: Option<bool>,
    /// A different class: the run fails with this.
    pub failure: Option<String>,
    /// Same class with different exit codes, or a side that could not be checked.
    pub note: Option<String>,
}

pub fn compare(original: &Stop, rewrite: &Stop, grace: u64) -> Verdict {
    let (o, r) = (describe(original, grace), describe(rewrite, grace));
    match (original.class, rewrite.class) {
        (Some(a), Some(b)) if original.error.is_none() && rewrite.error.is_none() => {
            if a != b {
                Verdict {
                    agree: Some(false),
                    failure: Some(format!("stop behaviour differs: original {o}, rewrite {r}")),
                    note: None,
                }
            } else if original.exit_code != rewrite.exit_code
                || original.oom_killed != rewrite.oom_killed
            {
                Verdict {
                    agree: Some(true),
                    failure: None,
                    note: Some(format!(
                        "both {} on docker stop, with different exit codes: original {o}, rewrite {r}",
                        a.as_str()
                    )),
                }
            } else {
                Verdict {
                    agree: Some(true),
                    ..Verdict::default()
                }
            }
        }
        _ => {
            let why: Vec<String> = [("original", original, &o), ("rewrite", rewrite, &r)]
                .into_iter()
                .filter(|(_, s, _)| s.error.is_some() || s.class.is_none())
                .map(|(w, _, d)| format!("{w}: {d}"))
                .collect();
            Verdict {
                agree: None,
                failure: None,
                note: Some(format!("stop behaviour not compared ({})", why.join("; "))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ended(class: Class, seconds: f64, code: i64) -> Stop {
        Stop {
            class: Some(class),
            seconds,
            exit_code: Some(code),
            oom_killed: false,
            signal: "SIGTERM".into(),
            error: None,
        }
    }

    #[test]
    fn classification() {
        // node-express-nolock measured by hand: `npm start` forwards SIGTERM (0.7 s,
        // exit 1); `node server.js` as PID 1 ignores it (the full grace, exit 137).
        assert_eq!(classify(Some(1), 0.7, 10), Class::Exited);
        assert_eq!(classify(Some(137), 10.3, 10), Class::Killed);
        assert_eq!(classify(Some(137), 5.1, 5), Class::Killed);
        // The docker CLI may return a hair before the daemon's timer is reported.
        assert_eq!(classify(Some(137), 4.6, 5), Class::Killed);
        // A handler that exits 143 (128 + SIGTERM) or 0.
        assert_eq!(classify(Some(143), 0.2, 5), Class::Exited);
        assert_eq!(classify(Some(0), 0.1, 5), Class::Exited);
        // 137 right away is not "after the grace": STOPSIGNAL SIGKILL, or the app killed itself.
        assert_eq!(classify(Some(137), 0.3, 5), Class::Exited);
        // A slow but clean shutdown that ends before the kill.
        assert_eq!(classify(Some(0), 4.9, 5), Class::Exited);
    }

    #[test]
    fn container_state() {
        // Trimmed from `docker container inspect` on Docker 20.10.
        let v = json!({
            "Id": "4f1c…",
            "State": {"Status": "exited", "Running": false, "Paused": false,
                      "OOMKilled": false, "Dead": false, "Pid": 0, "ExitCode": 137,
                      "Error": "", "StartedAt": "2024-05-02T10:11:12.1Z",
                      "FinishedAt": "2024-05-02T10:11:22.3Z"},
            "Config": {"Image": "dfsplit-verify/x:rewrite", "StopSignal": "SIGQUIT"}
        });
        assert_eq!(
            parse_state(&v),
            Some(State {
                running: false,
                exit_code: Some(137),
                oom_killed: false,
                signal: "SIGQUIT".into()
            })
        );
        let v = json!({"State": {"Running": true, "ExitCode": 0, "OOMKilled": false},
                       "Config": {"Image": "x"}});
        let st = parse_state(&v).unwrap();
        assert!(st.running);
        assert_eq!(st.signal, "SIGTERM");
        assert_eq!(parse_state(&json!({"Config": {}})), None);
        assert_eq!(signal_name("15"), "SIGTERM");
        assert_eq!(signal_name("quit"), "SIGQUIT");
        assert_eq!(signal_name("SIGINT"), "SIGINT");
    }

    #[test]
    fn descriptions() {
        assert_eq!(
            describe(&ended(Class::Exited, 0.7, 1), 5),
            "exited on SIGTERM in 0.7 s (exit 1)"
        );
        assert_eq!(
            describe(&ended(Class::Killed, 5.2, 137), 5),
            "killed after 5.2 s: SIGTERM ignored for the 5 s grace (exit 137)"
        );
        let mut oom = ended(Class::AlreadyExited, 0.0, 137);
        oom.oom_killed = true;
        assert_eq!(
            describe(&oom, 5),
            "had already exited before docker stop (exit 137, OOM-killed)"
        );
        let failed = Stop {
            error: Some("docker stop failed: No such container: c1".into()),
            ..Stop::default()
        };
        assert_eq!(
            describe(&failed, 5),
            "not checked: docker stop failed: No such container: c1"
        );
    }

    #[test]
    fn a_different_class_fails() {
        let v = compare(
            &ended(Class::Exited, 0.7, 1),
            &ended(Class::Killed, 5.2, 137),
            5,
        );
        assert_eq!(v.agree, Some(false));
        assert_eq!(
            v.failure.as_deref(),
            Some(
                "stop behaviour differs: original exited on SIGTERM in 0.7 s (exit 1), \
                 rewrite killed after 5.2 s: SIGTERM ignored for the 5 s grace (exit 137)"
            )
        );
        // The other way round too, and a rewrite that quit by itself.
        assert!(
            compare(
                &ended(Class::Killed, 5.1, 137),
                &ended(Class::Exited, 0.1, 0),
                5
            )
            .failure
            .is_some()
        );
        assert!(
            compare(
                &ended(Class::Exited, 0.4, 0),
                &ended(Class::AlreadyExited, 0.0, 0),
                5
            )
            .failure
            .is_some()
        );
    }

    #[test]
    fn a_different_exit_code_is_a_note() {
        // npm forwards SIGTERM and exits 1; node with a handler exits 0.
        let v = compare(
            &ended(Class::Exited, 0.7, 1),
            &ended(Class::Exited, 0.2, 0),
            5,
        );
        assert_eq!(v.agree, Some(true));
        assert_eq!(v.failure, None);
        assert_eq!(
            v.note.as_deref(),
            Some(
                "both exited on docker stop, with different exit codes: original exited on \
                 SIGTERM in 0.7 s (exit 1), rewrite exited on SIGTERM in 0.2 s (exit 0)"
            )
        );
        // Same class, same code, different timing: nothing to say.
        assert_eq!(
            compare(
                &ended(Class::Killed, 5.1, 137),
                &ended(Class::Killed, 5.3, 137),
                5
            ),
            Verdict {
                agree: Some(true),
                failure: None,
                note: None
            }
        );
    }

    #[test]
    fn an_unchecked_side_is_a_note() {
        let failed = Stop {
            error: Some("docker stop did not return in 65 s".into()),
            signal: "SIGTERM".into(),
            ..Stop::default()
        };
        let v = compare(&ended(Class::Exited, 0.7, 1), &failed, 5);
        assert_eq!(v.agree, None);
        assert_eq!(v.failure, None);
        assert_eq!(
            v.note.as_deref(),
            Some(
                "stop behaviour not compared (rewrite: not checked: docker stop did not return in 65 s)"
            )
        );
    }

    #[test]
    fn json_field_names() {
        let v = serde_json::to_value(ended(Class::AlreadyExited, 0.0, 0)).unwrap();
        assert_eq!(v["class"], "already-exited");
        assert_eq!(v["exit_code"], 0);
        assert_eq!(v["oom_killed"], false);
        assert_eq!(v["signal"], "SIGTERM");
        assert!(v.get("error").is_none());
    }
}
