//! Accounts a setup step creates, read from its `useradd`, `groupadd`,
//! `adduser` and `addgroup` commands, for a runtime base without a shell
//! (`core/accounts-copied`): the commands run in the build stage only, and
//! the runtime receives the lines they wrote to `/etc/passwd` and
//! `/etc/group`, appended to the base's own. That is only sound when every
//! option is understood and nothing but those two lines changes: a home
//! directory created, supplementary groups, a password or a non-unique id
//! keep the setup where a shell can repeat it.

use super::steps::CmdInfo;
use super::types::Accounts;

/// What one account command creates: a user (with the groups it makes or
/// names as primary), or a group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Created {
    /// The user's name (`useradd NAME`, `adduser NAME`).
    pub user: Option<String>,
    /// Groups created by name (`groupadd NAME`, `adduser --group`); a
    /// user's own group made by useradd's USERGROUPS_ENAB is carried by id
    /// at build time, since whether it exists depends on the builder's
    /// login.defs.
    pub groups: Vec<String>,
    /// Groups named as the user's primary group (`useradd -g G`, `adduser
    /// --ingroup G`): each must be created by the setup.
    pub primary: Option<String>,
}

impl Accounts {
    /// Adds what `cmd` creates, or records why it cannot be carried (the
    /// first such reason is kept).
    pub(crate) fn record(&mut self, cmd: &CmdInfo) {
        match read(cmd) {
            Ok(created) => {
                if let Some(g) = &created.primary
                    && !self.groups.contains(g)
                    && !created.groups.contains(g)
                {
                    self.refuse(cmd, format!("its primary group `{g}` is not one the setup creates, so the runtime base may not have it"));
                }
                for g in created.groups {
                    if !self.groups.contains(&g) {
                        self.groups.push(g);
                    }
                }
                if let Some(u) = created.user
                    && !self.users.contains(&u)
                {
                    self.users.push(u);
                }
            }
            Err(why) => self.refuse(cmd, why),
        }
    }

    fn refuse(&mut self, cmd: &CmdInfo, why: String) {
        self.refused
            .get_or_insert_with(|| format!("`{}`: {why}", cmd.text));
    }
}

/// What an account command creates, or why it cannot be carried as lines
/// of `/etc/passwd` and `/etc/group`.
pub(crate) fn read(cmd: &CmdInfo) -> Result<Created, String> {
    let mut args = Vec::with_capacity(cmd.args.len());
    for a in &cmd.args {
        match a {
            Some(a) => args.push(a.as_str()),
            None => return Err("an argument is only known at build time".into()),
        }
    }
    let program = cmd
        .program
        .as_deref()
        .map(|p| p.rsplit('/').next().unwrap_or(p));
    match program {
        Some("useradd") => useradd(&args),
        Some("groupadd") => groupadd(&args),
        Some("adduser") => adduser(&args),
        Some("addgroup") => addgroup(&args),
        _ => Err("not an account command dfsplit reads".into()),
    }
}

/// Splits `--name=value` into the flag and its value.
fn flag_value(a: &str) -> (&str, Option<&str>) {
    if a.starts_with("--")
        && let Some((f, v)) = a.split_once('=')
    {
        return (f, Some(v));
    }
    (a, None)
}

/// The value of a flag that takes one: after `=`, or the next argument.
fn take<'a>(inline: Option<&'a str>, args: &[&'a str], k: &mut usize) -> Result<&'a str, String> {
    if let Some(v) = inline {
        return Ok(v);
    }
    *k += 1;
    args.get(*k)
        .copied()
        .ok_or_else(|| "an option is missing its value".to_string())
}

/// The one account a command names. The build stage's script names it
/// unquoted, so it must be a plain account name (shadow's default
/// NAME_REGEX and a bit more: letters, digits, `_`, `.`, `-`, a final `$`).
fn one_name(names: Vec<&str>) -> Result<String, String> {
    let plain = |n: &str| {
        let body = n.strip_suffix('$').unwrap_or(n);
        !body.is_empty()
            && !body.starts_with(['-', '.'])
            && body
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    };
    match names.as_slice() {
        [n] if !plain(n) => Err(format!("`{n}` is not a plain account name")),
        [n] => Ok(n.to_string()),
        [] => Err("it names no account".into()),
        _ => Err("it names more than one account".into()),
    }
}

/// Shadow's `useradd` (Debian, Ubuntu). With `--system` or
/// `--no-create-home` no home directory is made; without either, whether
/// one is made depends on the builder's `CREATE_HOME`, so it is refused.
fn useradd(args: &[&str]) -> Result<Created, String> {
    let mut names = Vec::new();
    let (mut system, mut no_home) = (false, false);
    let mut primary = None;
    let mut k = 0;
    while k < args.len() {
        let (f, inline) = flag_value(args[k]);
        match f {
            "-r" | "--system" => system = true,
            "-M" | "--no-create-home" => no_home = true,
            "-N" | "--no-user-group" | "-U" | "--user-group" | "-l" | "--no-log-init" => {}
            "-u" | "--uid" | "-c" | "--comment" | "-d" | "--home-dir" | "--home" | "-s"
            | "--shell" | "-K" | "--key" | "-e" | "--expiredate" | "-f" | "--inactive" => {
                take(inline, args, &mut k)?;
            }
            "-g" | "--gid" => {
                let g = take(inline, args, &mut k)?;
                if g.chars().all(|c| c.is_ascii_digit()) {
                    return Err(format!(
                        "its primary group is the number {g}, whose name the runtime base may not have"
                    ));
                }
                primary = Some(g.to_string());
            }
            "-m" | "--create-home" => {
                return Err("it creates a home directory, which the app may write to and the runtime would not have".into());
            }
            "-G" | "--groups" | "-a" | "--append" => {
                return Err("it adds the user to other groups, whose entries the runtime base does not have".into());
            }
            "-p" | "--password" => {
                return Err("it sets a password, kept in /etc/shadow, which is not carried".into());
            }
            "-o" | "--non-unique" => {
                return Err("it allows an id another account already has".into());
            }
            _ if f.starts_with('-') => {
                return Err(format!("`{f}` is an option dfsplit does not read"));
            }
            _ => names.push(args[k]),
        }
        k += 1;
    }
    if !system && !no_home {
        return Err("without --system or --no-create-home, whether it creates a home directory depends on the builder's CREATE_HOME setting".into());
    }
    let user = one_name(names)?;
    // useradd makes a group of the user's name unless told otherwise
    // (USERGROUPS_ENAB, -N): it is carried by its id at build time.
    Ok(Created {
        user: Some(user),
        groups: Vec::new(),
        primary,
    })
}

/// Shadow's `groupadd`.
fn groupadd(args: &[&str]) -> Result<Created, String> {
    let mut names = Vec::new();
    let mut k = 0;
    while k < args.len() {
        let (f, inline) = flag_value(args[k]);
        match f {
            "-r" | "--system" | "-f" | "--force" => {}
            "-g" | "--gid" | "-K" | "--key" => {
                take(inline, args, &mut k)?;
            }
            "-U" | "--users" => {
                return Err(
                    "it lists members, which belong to accounts the runtime base may not have"
                        .into(),
                );
            }
            "-p" | "--password" => {
                return Err(
                    "it sets a group password, kept in /etc/gshadow, which is not carried".into(),
                );
            }
            "-o" | "--non-unique" => {
                return Err("it allows an id another group already has".into());
            }
            _ if f.starts_with('-') => {
                return Err(format!("`{f}` is an option dfsplit does not read"));
            }
            _ => names.push(args[k]),
        }
        k += 1;
    }
    Ok(Created {
        user: None,
        groups: vec![one_name(names)?],
        primary: None,
    })
}

/// Debian's `adduser` (long options). It creates a home directory unless
/// told not to; BusyBox's short options are not read.
fn adduser(args: &[&str]) -> Result<Created, String> {
    let mut names = Vec::new();
    let (mut no_home, mut own_group, mut system) = (false, false, false);
    let mut primary = None;
    let mut k = 0;
    while k < args.len() {
        let (f, inline) = flag_value(args[k]);
        match f {
            "--system" => system = true,
            "--no-create-home" => no_home = true,
            "--group" => own_group = true,
            "--disabled-password" | "--disabled-login" | "--quiet" | "-q" => {}
            "--uid" | "--home" | "--shell" | "--gecos" | "--comment" => {
                take(inline, args, &mut k)?;
            }
            "--ingroup" => primary = Some(take(inline, args, &mut k)?.to_string()),
            _ if f.starts_with('-') => {
                return Err(format!("`{f}` is an option dfsplit does not read"));
            }
            _ => names.push(args[k]),
        }
        k += 1;
    }
    if !no_home {
        return Err("without --no-create-home it creates a home directory, which the app may write to and the runtime would not have".into());
    }
    if names.len() == 2 {
        return Err(
            "it adds a user to a group, whose member list the runtime base does not have".into(),
        );
    }
    let user = one_name(names)?;
    // Without --system, adduser makes a group of the user's name as
    // useradd does; with --system only when --group asks for it (else
    // `nogroup`, which the base has as gid 65534).
    let groups = if own_group && system {
        vec![user.clone()]
    } else {
        Vec::new()
    };
    Ok(Created {
        user: Some(user),
        groups,
        primary,
    })
}

/// Debian's `addgroup` (long options).
fn addgroup(args: &[&str]) -> Result<Created, String> {
    let mut names = Vec::new();
    let mut k = 0;
    while k < args.len() {
        let (f, inline) = flag_value(args[k]);
        match f {
            "--system" | "--quiet" | "-q" => {}
            "--gid" => {
                take(inline, args, &mut k)?;
            }
            _ if f.starts_with('-') => {
                return Err(format!("`{f}` is an option dfsplit does not read"));
            }
            _ => names.push(args[k]),
        }
        k += 1;
    }
    Ok(Created {
        user: None,
        groups: vec![one_name(names)?],
        primary: None,
    })
}

#[cfg(test)]
mod tests {
    use super::{Accounts, Created, read};
    use crate::plan::steps::{CmdInfo, CmdKind};

    fn cmd(text: &str) -> CmdInfo {
        let mut words = text.split_whitespace();
        let program = words.next().map(str::to_string);
        let args: Vec<Option<String>> = words.map(|w| Some(w.to_string())).collect();
        CmdInfo {
            text: text.into(),
            span: None,
            program,
            words: args.iter().flatten().cloned().collect(),
            args,
            assignments: Default::default(),
            kind: CmdKind::UserSetup,
            rule: String::new(),
            why: String::new(),
            produces: Vec::new(),
            reads: Vec::new(),
        }
    }

    fn user(name: &str, primary: Option<&str>) -> Created {
        Created {
            user: Some(name.into()),
            groups: Vec::new(),
            primary: primary.map(str::to_string),
        }
    }

    #[test]
    fn system_accounts_without_ids_are_read() {
        assert_eq!(
            read(&cmd("useradd --system --no-create-home clock")),
            Ok(user("clock", None))
        );
        assert_eq!(
            read(&cmd("useradd -r -g svc -s /usr/sbin/nologin svc")),
            Ok(user("svc", Some("svc")))
        );
        assert_eq!(
            read(&cmd("useradd --gid=svc -M --shell=/bin/false svc")),
            Ok(user("svc", Some("svc")))
        );
        assert_eq!(
            read(&cmd("groupadd -r svc")).map(|c| c.groups),
            Ok(vec!["svc".to_string()])
        );
        let a = read(&cmd(
            "adduser --system --group --no-create-home --disabled-password app",
        ))
        .unwrap();
        assert_eq!(
            (a.user.as_deref(), a.groups),
            (Some("app"), vec!["app".into()])
        );
    }

    #[test]
    fn what_changes_more_than_two_lines_is_refused() {
        for (text, why) in [
            ("useradd -m app", "creates a home directory"),
            ("useradd -r -G audio app", "other groups"),
            ("useradd app", "CREATE_HOME"),
            ("useradd -r -p x app", "password"),
            ("useradd -r -o -u 0 app", "already has"),
            ("useradd -r -g 100 app", "number 100"),
            ("useradd -r -Z x app", "`-Z`"),
            ("adduser --system app", "--no-create-home"),
            ("adduser -D -S app", "`-D`"),
            ("adduser --no-create-home app sudo", "member list"),
            ("groupadd -U a,b grp", "members"),
        ] {
            let got = read(&cmd(text)).expect_err(text);
            assert!(got.contains(why), "{text}: {got}");
        }
    }

    #[test]
    fn a_primary_group_must_be_created_first() {
        let mut a = Accounts::default();
        a.record(&cmd("groupadd -r svc"));
        a.record(&cmd("useradd -r -g svc svc"));
        assert_eq!(
            (a.users.clone(), a.groups.clone(), a.refused.clone()),
            (vec!["svc".into()], vec!["svc".into()], None)
        );
        let mut b = Accounts::default();
        b.record(&cmd("useradd -r -g staff app"));
        assert!(
            b.refused.as_deref().is_some_and(|r| r.contains("`staff`")),
            "{b:?}"
        );
    }
}
