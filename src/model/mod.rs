//! The model layer: stages, FROM resolution with global ARGs, ARG/ENV scope,
//! WORKDIR/USER/SHELL tracking and the absolute path each step works in; plus
//! the build context as data (file list and manifest contents).
//!
//! Invariant: pure. It reads a parsed [`Dockerfile`] and a [`Context`] the
//! front end collected; it does no I/O and never panics.

pub mod context;
mod image;

pub use context::Context;
pub use image::ImageRef;

use crate::syntax::{Body, Command, Dockerfile, Instruction, Item, Keyword, process_word};
use serde::Serialize;
use std::collections::BTreeMap;

/// One `FROM` and the instructions under it.
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    /// 0-based position.
    pub index: usize,
    /// The name after `AS`, if any.
    pub name: Option<String>,
    /// The base image, with global ARGs expanded.
    pub base: ImageRef,
    /// The earlier stage this one is built `FROM`, if any.
    pub parent: Option<usize>,
    /// Index into [`Dockerfile::items`] of the FROM.
    pub from_item: usize,
    /// The steps after FROM, in order.
    pub steps: Vec<Step>,
}

/// An instruction inside a stage, with the state in force when it runs.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Index into [`Dockerfile::items`].
    pub item: usize,
    /// Absolute working directory when the step runs.
    pub workdir: String,
    /// `USER` in force, if any was set in this stage (or inherited from a parent stage).
    pub user: Option<String>,
    /// The shell used for shell-form commands.
    pub shell: Vec<String>,
    /// Variables visible to the step: ARGs declared in the stage and ENVs.
    pub env: BTreeMap<String, String>,
}

/// A Dockerfile read into stages.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    /// `ARG`s before the first FROM: name → default.
    pub global_args: BTreeMap<String, Option<String>>,
    /// Item indices of the global ARGs.
    pub global_arg_items: Vec<usize>,
    /// The stages, in order.
    pub stages: Vec<Stage>,
}

/// Why a file could not be modelled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// BuildKit's parser rejects the file.
    #[error("{line}:{column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// `docker build` would reject an instruction.
    #[error("{line}:{column}: docker build rejects this: {message}")]
    Invalid {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// No FROM at all.
    #[error("no FROM instruction: nothing to build")]
    NoStage,
    /// An instruction other than ARG before the first FROM.
    #[error("{line}:1: {keyword} before the first FROM")]
    BeforeFrom {
        /// 1-based line.
        line: usize,
        /// The keyword.
        keyword: String,
    },
}

/// Expands `$X`, `${X}`, `${X:-d}`, `${X-d}`, `${X:+a}`, `${X+a}` with `vars`;
/// unknown variables expand to the empty string, as BuildKit does.
pub fn expand(raw: &str, vars: &BTreeMap<String, String>, escape: char) -> String {
    let unquoted = process_word(raw, escape);
    let mut out = String::with_capacity(unquoted.len());
    let mut rest = unquoted.as_str();
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            let Some(close) = inner.find('}') else {
                out.push_str(&rest[pos..]);
                return out;
            };
            let body = &inner[..close];
            let name_len = body
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(body.len());
            let (name, op) = body.split_at(name_len);
            let value = vars.get(name).map(String::as_str);
            let set_nonempty = value.is_some_and(|v| !v.is_empty());
            let piece = match (op.get(..2), op.get(..1)) {
                (Some(":-"), _) => {
                    if set_nonempty {
                        value.unwrap_or_default().to_string()
                    } else {
                        op[2..].to_string()
                    }
                }
                (Some(":+"), _) => {
                    if set_nonempty {
                        op[2..].to_string()
                    } else {
                        String::new()
                    }
                }
                (_, Some("-")) => value.map_or_else(|| op[1..].to_string(), str::to_string),
                (_, Some("+")) => value.map_or(String::new(), |_| op[1..].to_string()),
                _ => value.unwrap_or_default().to_string(),
            };
            out.push_str(&piece);
            rest = &inner[close + 1..];
        } else {
            let name_len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if name_len == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            out.push_str(vars.get(&after[..name_len]).map_or("", String::as_str));
            rest = &after[name_len..];
        }
    }
    out.push_str(rest);
    out
}

/// Joins a WORKDIR argument onto the current directory.
pub fn join_path(base: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{}", base.trim_end_matches('/'), path)
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in joined.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

impl Model {
    /// Reads the stages of a parsed file. Fails on syntax errors, on
    /// instructions `docker build` rejects, and on files with no FROM.
    pub fn build(df: &Dockerfile) -> Result<Model, ModelError> {
        use crate::syntax::Severity;
        if let Some(d) = df
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
        {
            return Err(ModelError::Syntax {
                line: d.line,
                column: d.column,
                message: d.message.clone(),
            });
        }
        if let Some(d) = df
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Invalid)
        {
            return Err(ModelError::Invalid {
                line: d.line,
                column: d.column,
                message: d.message.clone(),
            });
        }
        let escape = df.escape;
        let mut global_args: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut global_arg_items = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        // State of the current stage.
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        let mut workdir = String::from("/");
        let mut user: Option<String> = None;
        let mut shell = vec!["/bin/sh".to_string(), "-c".to_string()];

        for (idx, item) in df.items.iter().enumerate() {
            let Item::Instruction(inst) = item else {
                continue;
            };
            if stages.is_empty() && inst.keyword != Keyword::From {
                if let Body::Arg { decls } = &inst.body {
                    let vars = resolved_globals(&global_args, escape);
                    for d in decls {
                        let default = d.default.as_ref().map(|v| expand(&v.value, &vars, escape));
                        global_args.insert(d.name.value.clone(), default);
                    }
                    global_arg_items.push(idx);
                    continue;
                }
                return Err(ModelError::BeforeFrom {
                    line: inst.start_line,
                    keyword: inst.keyword.to_string(),
                });
            }
            match &inst.body {
                Body::From { image, alias, .. } => {
                    let vars = resolved_globals(&global_args, escape);
                    let raw = image.as_ref().map_or(String::new(), |a| a.value.clone());
                    let resolved = expand(&raw, &vars, escape);
                    let parent = stages.iter().position(|s| {
                        s.name
                            .as_deref()
                            .is_some_and(|n| n.eq_ignore_ascii_case(&resolved))
                    });
                    match parent.map(|p| &stages[p]) {
                        Some(p) => {
                            let last = p.steps.last();
                            env = last.map_or_else(BTreeMap::new, |s| s.env.clone());
                            workdir = last.map_or("/".into(), |s| s.workdir.clone());
                            user = last.and_then(|s| s.user.clone());
                            shell = last.map_or(shell.clone(), |s| s.shell.clone());
                        }
                        None => {
                            env = BTreeMap::new();
                            workdir = "/".into();
                            user = None;
                            shell = vec!["/bin/sh".into(), "-c".into()];
                        }
                    }
                    stages.push(Stage {
                        index: stages.len(),
                        name: alias.as_ref().map(|a| a.value.to_ascii_lowercase()),
                        base: ImageRef::parse(&raw, &resolved),
                        parent,
                        from_item: idx,
                        steps: Vec::new(),
                    });
                    continue;
                }
                Body::Arg { decls } => {
                    for d in decls {
                        let value = match &d.default {
                            Some(v) => expand(&v.value, &env, escape),
                            None => global_args
                                .get(&d.name.value)
                                .cloned()
                                .flatten()
                                .unwrap_or_default(),
                        };
                        env.insert(d.name.value.clone(), value);
                    }
                }
                Body::KeyValues { pairs } if inst.keyword == Keyword::Env => {
                    let before = env.clone();
                    for p in pairs {
                        let v = expand(&p.value.value, &before, escape);
                        env.insert(process_word(&p.key.value, escape), v);
                    }
                }
                Body::Text { text: Some(t) } if inst.keyword == Keyword::Workdir => {
                    workdir = join_path(&workdir, &expand(&t.value, &env, escape));
                }
                Body::Text { text: Some(t) } if inst.keyword == Keyword::User => {
                    user = Some(expand(&t.value, &env, escape));
                }
                Body::Command {
                    command: Some(Command::Exec(args)),
                } if inst.keyword == Keyword::Shell => {
                    shell = args.iter().map(|a| a.value.clone()).collect();
                }
                _ => {}
            }
            let stage = stages.last_mut().ok_or(ModelError::NoStage)?;
            stage.steps.push(Step {
                item: idx,
                workdir: workdir.clone(),
                user: user.clone(),
                shell: shell.clone(),
                env: env.clone(),
            });
        }
        if stages.is_empty() {
            return Err(ModelError::NoStage);
        }
        Ok(Model {
            global_args,
            global_arg_items,
            stages,
        })
    }

    /// The stage the build produces (the last one).
    pub fn final_stage(&self) -> &Stage {
        // `build` guarantees at least one stage.
        &self.stages[self.stages.len() - 1]
    }

    /// The image a stage's chain starts from: its own base, or, for a stage
    /// built `FROM <stage>`, that stage's (followed to the first one on an image).
    pub fn root_base<'a>(&'a self, stage: &'a Stage) -> &'a ImageRef {
        let mut stage = stage;
        // `build` only links a stage to an earlier one, so this ends.
        while let Some(p) = stage.parent {
            stage = &self.stages[p];
        }
        &stage.base
    }
}

fn resolved_globals(
    globals: &BTreeMap<String, Option<String>>,
    _escape: char,
) -> BTreeMap<String, String> {
    globals
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
        .collect()
}

/// The instruction of a step.
pub fn instruction<'a>(df: &'a Dockerfile, step: &Step) -> Option<&'a Instruction> {
    df.instruction_at(step.item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    /// The image the final stage's chain starts from.
    fn final_root(text: &str) -> String {
        let m = Model::build(&parse(text)).unwrap();
        m.root_base(m.final_stage()).resolved.clone()
    }

    #[test]
    fn root_base_follows_stage_chains() {
        assert_eq!(
            final_root("FROM node:20\nWORKDIR /app\nCMD [\"npm\", \"start\"]\n"),
            "node:20"
        );
        // The rewrite's runtime stage is its last; a global ARG is resolved.
        assert_eq!(
            final_root(
                "ARG TAG=1.23\nFROM golang:${TAG} AS dependencies\nFROM dependencies AS build\n\
                 FROM gcr.io/distroless/static-debian12:nonroot AS runtime\nCOPY --from=build /a /a\n"
            ),
            "gcr.io/distroless/static-debian12:nonroot"
        );
        // A final stage built FROM an earlier stage has that stage's base.
        assert_eq!(
            final_root(
                "FROM maven:3-eclipse-temurin-17 AS base\nFROM base AS build\nRUN mvn package\n\
                 FROM build\nCMD [\"java\", \"-jar\", \"app.jar\"]\n"
            ),
            "maven:3-eclipse-temurin-17"
        );
        assert_eq!(final_root("FROM scratch\nCOPY app /app\n"), "scratch");
        // A global ARG naming a stage: the chain is followed after expansion.
        assert_eq!(
            final_root("ARG S=build\nFROM golang:1.23 AS build\nFROM $S\n"),
            "golang:1.23"
        );
    }

    #[test]
    fn global_args_resolve_from_and_stage_scope() {
        let df = parse(
            "ARG BASE=node\nARG TAG=20\nFROM ${BASE}:${TAG}-slim AS build\nARG TAG\nENV A=$TAG B=${MISSING:-x}\nWORKDIR app\nWORKDIR ../srv/./x\nUSER node\nFROM build\nRUN true\n",
        );
        let m = Model::build(&df).expect("model");
        assert_eq!(m.stages.len(), 2);
        let s = &m.stages[0];
        assert_eq!(s.base.resolved, "node:20-slim");
        assert_eq!(s.base.name, "node");
        assert_eq!(s.base.tag.as_deref(), Some("20-slim"));
        assert_eq!(s.name.as_deref(), Some("build"));
        let env_step = &s.steps[1];
        assert_eq!(env_step.env.get("A").map(String::as_str), Some("20"));
        assert_eq!(env_step.env.get("B").map(String::as_str), Some("x"));
        assert_eq!(s.steps[3].workdir, "/srv/x");
        let child = &m.stages[1];
        assert_eq!(child.parent, Some(0));
        assert_eq!(child.steps[0].workdir, "/srv/x");
        assert_eq!(child.steps[0].user.as_deref(), Some("node"));
    }

    #[test]
    fn rejects_what_docker_rejects() {
        assert!(matches!(
            Model::build(&parse("FROM a\nENV PATH\n")),
            Err(ModelError::Syntax { line: 2, .. })
        ));
        assert!(matches!(
            Model::build(&parse("RUN x\nFROM a\n")),
            Err(ModelError::BeforeFrom { line: 1, .. })
        ));
        assert!(matches!(
            Model::build(&parse("FROM a\nFOO\n")),
            Err(ModelError::Invalid { line: 2, .. })
        ));
    }

    #[test]
    fn expansion_forms() {
        let vars: BTreeMap<String, String> = [
            ("A".to_string(), "1".to_string()),
            ("E".to_string(), String::new()),
        ]
        .into();
        assert_eq!(
            expand("$A-${A}-${E:-d}-${E-d}-${U-u}-${A:+p}", &vars, '\\'),
            "1-1-d--u-p"
        );
        assert_eq!(expand("\"quoted $A\"", &vars, '\\'), "quoted 1");
    }
}
