//! Accounts a setup step creates, read from its `useradd`, `groupadd`,
//! `adduser` and `addgroup` commands, for a runtime base without a shell
//! (`core/accounts-copied`): the commands run in the build stage only, and
//! the runtime receives the lines they wrote to `/etc/passwd` and
//! `/etc/group`, appended to the base's own. That is only sound when every
//! option is understood and nothing but those two lines and the account's
//! home directory changes: the home, when one is created, is set aside as
//! the setup left it (skeleton files, owner and mode) and copied in like the
//! setup's other directories; supplementary groups, a password or a
//! non-unique id keep the setup where a shell can repeat it.

use super::steps::CmdInfo;
use super::types::Accounts;
use crate::rules::Release;

/// Whether an account command creates its user's home directory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Home {
    /// No home is created (`--system`, `--no-create-home`), or no user.
    #[default]
    None,
    /// This directory is created (`useradd -m`, Debian's `adduser`).
    Made(String),
    /// This directory is created when the builder's login.defs sets
    /// CREATE_HOME (plain `useradd`).
    ByLoginDefs(String),
}

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
    /// --ingroup G`): each must be created by the setup; a number (`useradd
    /// -g 10001`) must be the id of a group the setup creates or the base has.
    pub primary: Option<String>,
    /// The id a group command gives its group (`groupadd -g 10001`).
    pub gid: Option<String>,
    /// The user's home directory, when the command creates one.
    pub home: Home,
}

/// A string of ASCII digits: a numeric id.
pub(crate) fn numeric(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// Whether plain `useradd` creates a home directory on the builder's
/// release: its /etc/login.defs's CREATE_HOME. Debian's and Ubuntu's do not
/// set it (no home; the passwd line still names /home/NAME); the Red Hat
/// family's (Oracle Linux, Fedora, CentOS, Amazon Linux) set it to yes.
/// `Err` when the release is not known or not one of those.
pub(crate) fn login_defs_create_home(release: Option<&Release>) -> Result<bool, String> {
    let Some(r) = release else {
        return Err("the builder's release is not known, and whether plain useradd creates a home directory depends on its login.defs CREATE_HOME".into());
    };
    let d = r.distro.as_str();
    if d.starts_with("debian") || d.starts_with("ubuntu") {
        Ok(false)
    } else if ["ol", "fedora", "centos", "amzn", "rhel"]
        .iter()
        .any(|p| d.starts_with(p))
    {
        Ok(true)
    } else {
        Err(format!(
            "whether plain useradd creates a home directory depends on the builder's login.defs CREATE_HOME, which dfsplit does not know for {d}"
        ))
    }
}

impl Accounts {
    /// Adds what `cmd` creates, or records why it cannot be carried (the
    /// first such reason is kept).
    pub(crate) fn record(&mut self, cmd: &CmdInfo) {
        match read(cmd) {
            Ok(created) => {
                match &created.primary {
                    // A group id: one the setup gave a group, or (checked
                    // against the base) one the runtime base has.
                    Some(g)
                        if numeric(g)
                            && !self.gids.contains(g)
                            && !self.numeric_primary.contains(g) =>
                    {
                        self.numeric_primary.push(g.clone());
                    }
                    Some(g) if numeric(g) => {}
                    Some(g) if !self.groups.contains(g) && !created.groups.contains(g) => {
                        self.refuse(cmd, format!("its primary group `{g}` is not one the setup creates, so the runtime base may not have it"));
                    }
                    _ => {}
                }
                if let Some(id) = created.gid
                    && !self.gids.contains(&id)
                {
                    self.gids.push(id);
                }
                match created.home {
                    Home::Made(h) if !self.homes.contains(&h) => self.homes.push(h),
                    Home::ByLoginDefs(h) => self.homes_if_create_home.push((cmd.text.clone(), h)),
                    _ => {}
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

    /// Settles the homes plain `useradd` creates only under CREATE_HOME,
    /// now that the builder's release is known (or not): carried as homes
    /// made, dropped (none is made, in the original either), or refused.
    pub(crate) fn settle_homes(&mut self, release: Option<&Release>) {
        let pending = std::mem::take(&mut self.homes_if_create_home);
        let Some((first, _)) = pending.first() else {
            return;
        };
        match login_defs_create_home(release) {
            Ok(true) => {
                for (_, h) in pending {
                    if !self.homes.contains(&h) {
                        self.homes.push(h);
                    }
                }
                self.login_defs = Some(format!(
                    "plain useradd creates the home directory on the builder ({}), whose login.defs sets CREATE_HOME",
                    release.map_or("", |r| r.distro.as_str())
                ));
            }
            Ok(false) => {
                self.login_defs = Some(format!(
                    "plain useradd creates no home directory on the builder ({}), whose login.defs does not set CREATE_HOME, so there is none to carry, as in the original",
                    release.map_or("", |r| r.distro.as_str())
                ));
            }
            Err(why) => {
                self.refused
                    .get_or_insert_with(|| format!("`{first}`: {why}"));
            }
        }
    }

    /// Refuses carrying the accounts for a reason found outside their
    /// commands (the first reason is kept).
    pub(crate) fn refuse_because(&mut self, why: String) {
        self.refused.get_or_insert(why);
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

/// The home directory `useradd` or `adduser` gives `user`: the one named,
/// else `/home/NAME` (useradd's HOME=/home default, adduser's DHOME). Only
/// an absolute path is taken, since the runtime stage copies it to its
/// parent.
fn home_of(named: Option<&str>, user: &str) -> Result<String, String> {
    match named {
        Some(h)
            if h.starts_with('/') && !h.contains("..") && !h.trim_end_matches('/').is_empty() =>
        {
            Ok(h.trim_end_matches('/').to_string())
        }
        Some(h) => Err(format!(
            "its home directory `{h}` is not a plain absolute path"
        )),
        None => Ok(format!("/home/{user}")),
    }
}

/// Shadow's `useradd` (Debian, Ubuntu, the Red Hat family). With `-m` the
/// home directory is made; with `--system` or `--no-create-home` none is;
/// without any of them, one is made when the builder's login.defs sets
/// CREATE_HOME ([`Accounts::settle_homes`]).
fn useradd(args: &[&str]) -> Result<Created, String> {
    let mut names = Vec::new();
    let (mut system, mut no_home, mut make_home) = (false, false, false);
    let mut primary = None;
    let mut home_dir = None;
    let mut k = 0;
    while k < args.len() {
        let (f, inline) = flag_value(args[k]);
        match f {
            "-r" | "--system" => system = true,
            "-M" | "--no-create-home" => no_home = true,
            "-m" | "--create-home" => make_home = true,
            "-N" | "--no-user-group" | "-U" | "--user-group" | "-l" | "--no-log-init" => {}
            "-d" | "--home-dir" | "--home" => home_dir = Some(take(inline, args, &mut k)?),
            "-u" | "--uid" | "-c" | "--comment" | "-s" | "--shell" | "-K" | "--key" | "-e"
            | "--expiredate" | "-f" | "--inactive" => {
                take(inline, args, &mut k)?;
            }
            "-g" | "--gid" => {
                // A number is checked against the groups the setup creates
                // and the base's own (`Accounts::record`, base choice).
                primary = Some(take(inline, args, &mut k)?.to_string());
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
    if make_home && no_home {
        return Err("it both creates and does not create a home directory".into());
    }
    let user = one_name(names)?;
    // -m makes the home whatever login.defs says; --system or -M never
    // does; else CREATE_HOME decides.
    let home = if make_home {
        Home::Made(home_of(home_dir, &user)?)
    } else if system || no_home {
        Home::None
    } else {
        Home::ByLoginDefs(home_of(home_dir, &user)?)
    };
    // useradd makes a group of the user's name unless told otherwise
    // (USERGROUPS_ENAB, -N): it is carried by its id at build time.
    Ok(Created {
        user: Some(user),
        groups: Vec::new(),
        primary,
        gid: None,
        home,
    })
}

/// Shadow's `groupadd`.
fn groupadd(args: &[&str]) -> Result<Created, String> {
    let mut names = Vec::new();
    let mut gid = None;
    let mut k = 0;
    while k < args.len() {
        let (f, inline) = flag_value(args[k]);
        match f {
            "-r" | "--system" | "-f" | "--force" => {}
            "-g" | "--gid" => {
                let g = take(inline, args, &mut k)?;
                gid = numeric(g).then(|| g.to_string());
            }
            "-K" | "--key" => {
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
        gid,
        home: Home::None,
    })
}

/// Debian's `adduser` (long options). It creates a home directory from
/// /etc/skel unless told not to (`--no-create-home`, `--home
/// /nonexistent`); BusyBox's short options are not read.
fn adduser(args: &[&str]) -> Result<Created, String> {
    let mut names = Vec::new();
    let (mut no_home, mut own_group, mut system) = (false, false, false);
    let mut primary = None;
    let mut home_dir = None;
    let mut k = 0;
    while k < args.len() {
        let (f, inline) = flag_value(args[k]);
        match f {
            "--system" => system = true,
            "--no-create-home" => no_home = true,
            "--group" => own_group = true,
            "--disabled-password" | "--disabled-login" | "--quiet" | "-q" => {}
            "--home" => home_dir = Some(take(inline, args, &mut k)?),
            "--uid" | "--shell" | "--gecos" | "--comment" => {
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
    } else if system {
        Vec::new()
    } else {
        // A user that is not a system account is made a member of `users`
        // (gid 100) by newer adduser releases (seen with 3.134, Debian 12:
        // `users:x:100:notes`, so the process has 100 among its groups) and
        // not by older ones. The builder's own `users` line is carried as
        // the setup left it, members and all: the same groups either way.
        vec!["users".to_string()]
    };
    // A system account's default home has changed between adduser
    // releases (/home/NAME, then /nonexistent): only a named one is read.
    let home = match home_dir {
        _ if no_home => Home::None,
        Some("/nonexistent") => Home::None,
        None if system => {
            return Err("with --system and no --home, whether and where it creates a home directory depends on the adduser release".into());
        }
        named => Home::Made(home_of(named, &user)?),
    };
    Ok(Created {
        user: Some(user),
        groups,
        primary,
        gid: None,
        home,
    })
}

/// Debian's `addgroup` (long options).
fn addgroup(args: &[&str]) -> Result<Created, String> {
    let mut names = Vec::new();
    let mut gid = None;
    let mut k = 0;
    while k < args.len() {
        let (f, inline) = flag_value(args[k]);
        match f {
            "--system" | "--quiet" | "-q" => {}
            "--gid" => {
                let g = take(inline, args, &mut k)?;
                gid = numeric(g).then(|| g.to_string());
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
        gid,
        home: Home::None,
    })
}

#[cfg(test)]
mod tests {
    use super::{Accounts, Created, Home, login_defs_create_home, read};
    use crate::plan::steps::{CmdInfo, CmdKind};
    use crate::rules::Release;

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
            gid: None,
            home: Home::None,
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
            ("useradd -r -G audio app", "other groups"),
            ("useradd -r -p x app", "password"),
            ("useradd -r -o -u 0 app", "already has"),
            ("useradd -r -Z x app", "`-Z`"),
            ("useradd -m -M app", "both creates and does not"),
            ("useradd -m -d data app", "not a plain absolute path"),
            ("useradd -m -d / app", "not a plain absolute path"),
            ("adduser --system app", "adduser release"),
            ("adduser -D -S app", "`-D`"),
            ("adduser --no-create-home app sudo", "member list"),
            ("groupadd -U a,b grp", "members"),
        ] {
            let got = read(&cmd(text)).expect_err(text);
            assert!(got.contains(why), "{text}: {got}");
        }
    }

    #[test]
    fn homes_are_read_where_they_are_made() {
        let home = |text: &str| read(&cmd(text)).map(|c| c.home);
        let made = |p: &str| Ok(Home::Made(p.into()));
        assert_eq!(home("useradd -m app"), made("/home/app"));
        assert_eq!(
            home("useradd --create-home -u 10001 app"),
            made("/home/app")
        );
        assert_eq!(
            home("useradd -r -m -d /var/lib/app/ app"),
            made("/var/lib/app")
        );
        assert_eq!(
            home("useradd --home-dir=/srv/app app"),
            Ok(Home::ByLoginDefs("/srv/app".into()))
        );
        assert_eq!(home("useradd -r app"), Ok(Home::None));
        assert_eq!(home("useradd -M app"), Ok(Home::None));
        assert_eq!(
            home("adduser --disabled-password --gecos '' app"),
            made("/home/app")
        );
        assert_eq!(home("adduser --home /opt/app app"), made("/opt/app"));
        // Not a system account: the builder's `users` line comes along
        // (newer adduser releases make the user a member).
        assert_eq!(
            read(&cmd("adduser --disabled-password app")).map(|c| c.groups),
            Ok(vec!["users".to_string()])
        );
        assert_eq!(home("adduser --no-create-home app"), Ok(Home::None));
        assert_eq!(home("adduser --home /nonexistent app"), Ok(Home::None));
        assert_eq!(
            home("adduser --system --home /var/lib/app app"),
            made("/var/lib/app")
        );
    }

    #[test]
    fn plain_useradd_homes_follow_the_builders_login_defs() {
        let release = |distro: &str| Release {
            suite: String::new(),
            distro: distro.into(),
            glibc: None,
            unmaintained: None,
        };
        assert_eq!(
            login_defs_create_home(Some(&release("debian12"))),
            Ok(false)
        );
        assert_eq!(
            login_defs_create_home(Some(&release("ubuntu22.04"))),
            Ok(false)
        );
        assert_eq!(login_defs_create_home(Some(&release("ol8"))), Ok(true));
        assert!(login_defs_create_home(None).is_err());
        // Debian: no home made, nothing to carry, the lines are copied.
        let mut a = Accounts::default();
        a.record(&cmd("useradd app"));
        a.settle_homes(Some(&release("debian12")));
        assert_eq!((a.homes.clone(), a.refused.clone()), (vec![], None));
        assert!(
            a.login_defs
                .as_deref()
                .is_some_and(|n| n.contains("does not set CREATE_HOME"))
        );
        // Oracle Linux: the home is made, and carried.
        let mut b = Accounts::default();
        b.record(&cmd("useradd app"));
        b.settle_homes(Some(&release("ol8")));
        assert_eq!(b.homes, vec!["/home/app".to_string()]);
        // Unknown: refused, naming the command.
        let mut c = Accounts::default();
        c.record(&cmd("useradd app"));
        c.settle_homes(None);
        assert!(
            c.refused
                .as_deref()
                .is_some_and(|r| r.starts_with("`useradd app`:") && r.contains("CREATE_HOME")),
            "{c:?}"
        );
    }

    #[test]
    fn a_numeric_primary_group_is_one_the_setup_created_or_left_to_the_base() {
        let mut a = Accounts::default();
        a.record(&cmd("groupadd -g 10001 app"));
        a.record(&cmd("useradd -u 10001 -g 10001 -M app"));
        assert_eq!(
            (a.gids.clone(), a.numeric_primary.clone(), a.refused.clone()),
            (vec!["10001".to_string()], vec![], None)
        );
        let mut b = Accounts::default();
        b.record(&cmd("useradd -r -g 100 app"));
        assert_eq!(
            (b.numeric_primary.clone(), b.refused.clone()),
            (vec!["100".to_string()], None)
        );
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
