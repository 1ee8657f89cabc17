//! The container's start command (CMD/ENTRYPOINT), read from the classified steps.

use super::steps::StepInfo;
use crate::rules::{GateRule, Profile, Rules};
use crate::syntax::{Command, Dockerfile, Keyword, shell};

/// The container's start command.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// ENTRYPOINT item and command.
    pub entrypoint: Option<(usize, Command)>,
    /// CMD item and command.
    pub cmd: Option<(usize, Command)>,
    /// The effective argv when it can be read literally.
    pub argv: Vec<String>,
    /// Every simple command the entry runs (shell form may run several).
    pub commands: Vec<Vec<String>>,
    /// A shell form is involved.
    pub shell_form: bool,
    /// WORKDIR in force at the entry.
    pub workdir: String,
}

impl Entry {
    pub fn find(df: &Dockerfile, infos: &[StepInfo]) -> Result<Entry, String> {
        let mut entrypoint = None;
        let mut cmd = None;
        let mut workdir = "/".to_string();
        for info in infos {
            workdir = info.workdir.clone();
            let Some(inst) = df.instruction_at(info.item) else {
                continue;
            };
            match inst.keyword {
                Keyword::Entrypoint => {
                    entrypoint = inst.command().cloned().map(|c| (info.item, c));
                    // ENTRYPOINT resets CMD, as in docker.
                    cmd = None;
                }
                Keyword::Cmd => cmd = inst.command().cloned().map(|c| (info.item, c)),
                _ => {}
            }
        }
        if entrypoint.is_none() && cmd.is_none() {
            return Err("the file sets neither CMD nor ENTRYPOINT, so the container runs the build image's default command, which a runtime base does not have".into());
        }
        let mut shell_form = false;
        let mut commands = Vec::new();
        let mut argv = Vec::new();
        let mut take =
            |c: &Command, argv: &mut Vec<String>, commands: &mut Vec<Vec<String>>| match c {
                Command::Exec(a) => {
                    let words: Vec<String> = a.iter().map(|a| a.value.clone()).collect();
                    argv.extend(words.iter().cloned());
                }
                Command::Shell(a) => {
                    shell_form = true;
                    let script = shell::parse(&a.value);
                    for sc in script.simple_commands() {
                        let mut words: Vec<String> = sc
                            .literal_args()
                            .map(|w| w.unwrap_or("$?").to_string())
                            .collect();
                        if let Some(n) = sc.name() {
                            words.insert(0, n.to_string());
                        }
                        if words.first().is_some_and(|w| w == "exec") {
                            words.remove(0);
                        }
                        commands.push(words);
                    }
                    if let Some(first) = commands.first() {
                        argv.extend(first.iter().cloned());
                    }
                }
            };
        match (&entrypoint, &cmd) {
            (Some((_, e @ Command::Shell(_))), _) => take(e, &mut argv, &mut commands),
            (Some((_, e)), Some((_, c @ Command::Exec(_)))) => {
                take(e, &mut argv, &mut commands);
                take(c, &mut argv, &mut commands);
            }
            (Some((_, e)), _) => take(e, &mut argv, &mut commands),
            (None, Some((_, c))) => take(c, &mut argv, &mut commands),
            (None, None) => {}
        }
        if !shell_form {
            commands.push(argv.clone());
        }
        Ok(Entry {
            entrypoint,
            cmd,
            argv,
            commands,
            shell_form,
            workdir,
        })
    }

    /// The instruction that sets what runs: CMD when the entry has one
    /// (ENTRYPOINT resets it), else ENTRYPOINT.
    pub fn item(&self) -> usize {
        self.cmd
            .as_ref()
            .or(self.entrypoint.as_ref())
            .map_or(0, |(item, _)| *item)
    }

    /// The entry as one line, for messages.
    pub fn describe(&self) -> String {
        self.argv.join(" ")
    }

    /// A profile gate (build tool at runtime) matching one of the entry's commands.
    pub fn gate<'r>(&self, rules: &'r Rules) -> Option<(&'r Profile, &'r GateRule)> {
        self.commands.iter().find_map(|c| {
            let (prog, args) = c.split_first()?;
            rules.match_gate(prog, args)
        })
    }

    pub fn program(&self) -> Option<&str> {
        self.argv.first().map(String::as_str)
    }
}
