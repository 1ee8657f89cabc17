//! Reading BuildKit's `--progress=plain` output: which Dockerfile steps ran
//! and which came from the cache.
//!
//! The format is a sequence of vertex blocks: `#N NAME` opens (or re-opens)
//! vertex `N`; later lines `#N CACHED`, `#N DONE 1.2s`, `#N ERROR …` or
//! `#N CANCELED` give its fate. Dockerfile steps are named
//! `[STAGE I/N] INSTRUCTION` (`[I/N] …` for an unnamed stage); `[internal] …`,
//! `exporting to image` and the like are BuildKit's own work and not steps.

use serde::Serialize;

/// One Dockerfile step as BuildKit reported it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The vertex number.
    pub vertex: u32,
    /// The stage name, when the stage has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The instruction as BuildKit printed it (`RUN npm ci`).
    pub instruction: String,
    /// `#N CACHED`.
    pub cached: bool,
    /// `#N DONE`.
    pub done: bool,
    /// `#N ERROR` or `#N CANCELED`.
    pub failed: bool,
    /// Seconds from `#N DONE 1.2s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
}

impl Step {
    /// A `FROM` step only resolves the base image: not counted as work.
    pub fn is_from(&self) -> bool {
        self.instruction
            .split_whitespace()
            .next()
            .is_some_and(|k| k.eq_ignore_ascii_case("FROM"))
    }
    /// The step did its work (was not taken from the cache).
    pub fn reran(&self) -> bool {
        !self.cached && (self.done || self.failed)
    }
    /// `[stage] INSTRUCTION` for messages.
    pub fn label(&self) -> String {
        match &self.stage {
            Some(s) => format!("[{s}] {}", self.instruction),
            None => self.instruction.clone(),
        }
    }
}

/// The Dockerfile steps of a plain-progress log, in order of first appearance.
pub fn parse_plain(log: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut other: Vec<u32> = Vec::new();
    for line in log.lines().flat_map(segments) {
        let Some(rest) = line.strip_prefix('#') else {
            continue;
        };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            continue;
        }
        let Ok(vertex) = rest[..digits].parse::<u32>() else {
            continue;
        };
        let rest = rest[digits..].trim_start();
        if let Some(step) = steps.iter_mut().find(|s| s.vertex == vertex) {
            apply_status(step, rest);
            continue;
        }
        if other.contains(&vertex) {
            continue;
        }
        match step_name(rest) {
            Some((stage, instruction)) => {
                let mut s = Step {
                    vertex,
                    stage,
                    instruction,
                    cached: false,
                    done: false,
                    failed: false,
                    seconds: None,
                };
                apply_status(&mut s, rest);
                steps.push(s);
            }
            None => {
                if !is_status(rest) {
                    other.push(vertex);
                }
            }
        }
    }
    steps
}

/// A step's output without a final newline glues the next status to it
/// (`#10 8.970 [0m#10 DONE 9.2s`): split before every `#N STATUS`.
fn segments(line: &str) -> Vec<&str> {
    let mut cuts = vec![0];
    for (i, _) in line.match_indices('#').filter(|(i, _)| *i > 0) {
        let rest = &line[i + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(' ') && is_status(rest[digits..].trim_start()) {
            cuts.push(i);
        }
    }
    cuts.push(line.len());
    cuts.windows(2).map(|w| &line[w[0]..w[1]]).collect()
}

fn is_status(rest: &str) -> bool {
    ["CACHED", "DONE", "ERROR", "CANCELED"]
        .iter()
        .any(|w| rest == *w || rest.starts_with(&format!("{w} ")))
}

fn apply_status(step: &mut Step, rest: &str) {
    if rest == "CACHED" {
        step.cached = true;
    } else if let Some(t) = rest.strip_prefix("DONE") {
        step.done = true;
        step.seconds = t.trim().strip_suffix('s').and_then(|n| n.parse().ok());
    } else if rest.starts_with("ERROR") || rest.starts_with("CANCELED") {
        step.failed = true;
    }
}

/// `[stage 2/7] RUN x` → (Some("stage"), "RUN x"); `[2/7] RUN x` → (None, …).
fn step_name(rest: &str) -> Option<(Option<String>, String)> {
    let inner = rest.strip_prefix('[')?;
    let close = inner.find(']')?;
    let label = &inner[..close];
    let instruction = inner[close + 1..].trim().to_string();
    let mut words: Vec<&str> = label.split_whitespace().collect();
    let pos = words.pop()?;
    let (a, b) = pos.split_once('/')?;
    if a.parse::<u32>().is_err() || b.parse::<u32>().is_err() || instruction.is_empty() {
        return None;
    }
    let stage = match words.as_slice() {
        [] => None,
        [s] => Some((*s).to_string()),
        _ => return None,
    };
    Some((stage, instruction))
}

/// Counts over the non-`FROM` steps.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    pub steps: usize,
    pub reran: usize,
    pub cached: usize,
}

pub fn counts(steps: &[Step]) -> Counts {
    let work: Vec<&Step> = steps.iter().filter(|s| !s.is_from()).collect();
    Counts {
        steps: work.len(),
        reran: work.iter().filter(|s| s.reran()).count(),
        cached: work.iter().filter(|s| s.cached).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
#1 [internal] load build definition from Dockerfile
#1 sha256:bf63
#1 transferring dockerfile: 216B done
#1 DONE 0.0s

#4 [dependencies 1/4] FROM docker.io/library/node:20
#4 DONE 0.0s

#8 [dependencies 2/4] WORKDIR /app
#8 CACHED

#11 [dependencies 4/4] RUN --mount=type=cache,target=/root/.npm npm ci
#11 CACHED

#13 [build 2/4] COPY src ./src
#13 DONE 0.1s

#14 [build 3/4] RUN npm run build
#14 0.512 > tsc
#14 1.234 [2/3] not a step line
#14 2.4 [0m#14 DONE 2.5s

#15 [5/7] RUN make
#15 ERROR: executor failed running [/bin/sh -c make]: exit code: 2

#17 exporting to image
#17 DONE 0.3s
";

    #[test]
    fn steps_and_fates() {
        let steps = parse_plain(LOG);
        let names: Vec<String> = steps.iter().map(Step::label).collect();
        assert_eq!(
            names,
            [
                "[dependencies] FROM docker.io/library/node:20",
                "[dependencies] WORKDIR /app",
                "[dependencies] RUN --mount=type=cache,target=/root/.npm npm ci",
                "[build] COPY src ./src",
                "[build] RUN npm run build",
                "RUN make",
            ]
        );
        assert!(steps[2].cached && !steps[2].reran());
        assert!(steps[4].reran());
        assert_eq!(steps[4].seconds, Some(2.5));
        assert!(steps[5].failed && steps[5].reran());
        assert_eq!(
            counts(&steps),
            Counts {
                steps: 5,
                reran: 3,
                cached: 2
            }
        );
    }

    #[test]
    fn reopened_vertex_keeps_one_entry() {
        let log =
            "#5 [2/3] RUN a\n#5 0.1 out\n\n#6 [3/3] RUN b\n#5 [2/3] RUN a\n#5 CACHED\n#6 DONE 1s\n";
        let steps = parse_plain(log);
        assert_eq!(steps.len(), 2);
        assert!(steps[0].cached);
        assert!(steps[1].done);
        assert_eq!(steps[1].seconds, Some(1.0));
    }

    #[test]
    fn glued_status() {
        assert_eq!(
            segments("#10 8.9 x#10 DONE 9.2s"),
            ["#10 8.9 x", "#10 DONE 9.2s"]
        );
        assert_eq!(segments("#3 echo #4 is fine"), ["#3 echo #4 is fine"]);
    }

    #[test]
    fn not_steps() {
        assert_eq!(step_name("[internal] load .dockerignore"), None);
        assert_eq!(step_name("exporting to image"), None);
        assert_eq!(step_name("[a b 1/2] RUN x"), None);
        assert_eq!(
            step_name("[stage-0 1/2] RUN x"),
            Some((Some("stage-0".into()), "RUN x".into()))
        );
    }
}
