//! The runtime entry (CMD/ENTRYPOINT) and the runtime closure: what the
//! running app needs from the build, per profile.

use super::entry::Entry;
use super::steps::{CmdKind, StepInfo, StepKind};
use super::types::{Closure, CopySpec, Gate, StaticSite};
use crate::model::{Context, join_path};
use crate::rules::{AppKind, PackageManager, Role, Rules};
use crate::syntax::shell;
use crate::syntax::{Body, Command, Dockerfile, Keyword};
use std::collections::BTreeSet;

fn gate(rule: &str, reason: impl Into<String>) -> Gate {
    Gate {
        rule: rule.into(),
        reason: reason.into(),
    }
}

use super::steps::PATH_DIRS;

/// Programs a start command may run besides the app on any base with a
/// shell: the file utilities of coreutils, which busybox has too. A base
/// without a shell (distroless) has none of them.
const SHELL_BASE_UTILITIES: &[&str] = &[
    "cp", "mv", "mkdir", "rm", "ln", "cat", "touch", "sleep", "printf", "chmod", "ls", "tee",
];

/// Whether `path` matches `pattern` (which may hold `*`).
fn path_matches(pattern: &str, path: &str) -> bool {
    crate::rules::pattern::glob_match(pattern, path)
}

pub(crate) fn runtime_closure(
    profile: &str,
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
    rules: &Rules,
    builder: &str,
) -> Result<Closure, Gate> {
    let mut c = Closure {
        needs_shell: entry.shell_form,
        ..Closure::default()
    };
    if ctx.is_none() {
        c.warnings.push(
            "no build context: working from the Dockerfile alone, so the rewrite copies more than it might need".into(),
        );
    }
    common(&mut c, df, infos, entry)?;
    match profile {
        "go" => go(&mut c, infos, entry, ctx)?,
        "node" => node(&mut c, df, infos, entry, ctx, rules)?,
        "python" => python(&mut c, df, infos, entry, ctx, builder)?,
        "java" => java(&mut c, infos, entry, ctx)?,
        "dotnet" => dotnet(&mut c, infos, entry, ctx)?,
        other => {
            return Err(gate(
                "core/no-profile",
                format!("the `{other}` profile has no runtime plan yet"),
            ));
        }
    }
    Ok(c)
}

/// Whether the context's .NET project uses the Web SDK (assumed without a context:
/// aspnet holds everything runtime holds).
fn dotnet_web(ctx: Option<&Context>) -> bool {
    ctx.is_none_or(|x| {
        x.contents.iter().any(|(p, t)| {
            (p.ends_with(".csproj") || p.ends_with(".fsproj"))
                && t.contains("Microsoft.NET.Sdk.Web")
        })
    })
}

/// Whether the .NET project opts into globalization-invariant mode.
fn invariant_globalization(ctx: Option<&Context>) -> bool {
    ctx.is_some_and(|x| {
        x.contents.iter().any(|(p, t)| {
            (p.ends_with(".csproj")
                || p.ends_with(".fsproj")
                || p.ends_with("Directory.Build.props"))
                && t.contains("<InvariantGlobalization>true</InvariantGlobalization>")
        })
    })
}

/// What a final stage that only receives artifacts needs from its base: the
/// app kind of the profile, plus the user, volumes and health check.
pub(crate) fn stage_needs(
    profile: &str,
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
) -> Result<Closure, Gate> {
    let mut c = Closure {
        needs_shell: entry.shell_form,
        ..Closure::default()
    };
    common(&mut c, df, infos, entry)?;
    let web = dotnet_web(ctx);
    c.invariant_globalization = invariant_globalization(ctx);
    c.app_kind = Some(match profile {
        "dotnet" if web => AppKind::DotnetWeb,
        "dotnet" => AppKind::DotnetConsole,
        "node" => AppKind::NodeApp,
        "python" => {
            c.same_family = true;
            AppKind::PythonApp
        }
        "java" => AppKind::JvmApp,
        "go" => AppKind::DynamicBinary,
        other => {
            return Err(gate(
                "core/no-profile",
                format!("the `{other}` profile has no runtime plan yet"),
            ));
        }
    });
    Ok(c)
}

/// System packages, user setup, files put outside the app, the user and the
/// health check: the same for every profile.
fn common(c: &mut Closure, df: &Dockerfile, infos: &[StepInfo], entry: &Entry) -> Result<(), Gate> {
    // Directories `mkdir` has created in the setup steps so far.
    let mut made_dirs: Vec<String> = Vec::new();
    let app_dirs: BTreeSet<&str> = infos
        .iter()
        .map(|i| i.workdir.as_str())
        .chain([entry.workdir.as_str()])
        .collect();
    let in_app = |path: &str| {
        app_dirs.iter().any(|d| {
            *d != "/" && (path == *d || path.starts_with(&format!("{}/", d.trim_end_matches('/'))))
        })
    };
    for info in infos {
        let cmds = info.commands();
        let mut setup = false;
        let mut other = false;
        for cmd in cmds {
            match &cmd.kind {
                CmdKind::Packages {
                    manager, runtime, ..
                } => {
                    c.package_manager = Some(*manager);
                    for p in runtime {
                        match p.as_str() {
                            // Data the distroless bases ship and scratch can receive by copy.
                            "ca-certificates" => c.needs_ca_certs = true,
                            "tzdata" => c.needs_tzdata = true,
                            _ => {
                                if !c.packages.contains(p) {
                                    c.packages.push(p.clone());
                                }
                            }
                        }
                    }
                }
                CmdKind::UserSetup => {
                    setup = true;
                    if matches!(
                        cmd.program.as_deref(),
                        Some("useradd" | "adduser" | "groupadd" | "addgroup")
                    ) && let Some(Some(name)) = cmd
                        .args
                        .iter()
                        .rev()
                        .find(|a| a.as_deref().is_some_and(|a| !a.starts_with('-')))
                    {
                        c.created_users.push(name.clone());
                    }
                }
                CmdKind::Relocate => {
                    for p in &cmd.produces {
                        push_copy(
                            c,
                            p,
                            "core/relocate",
                            "the build puts this file outside the application directory, and the runtime may use it",
                        );
                    }
                }
                CmdKind::Harmless
                | CmdKind::PackageHousekeeping
                | CmdKind::WorkdirLocal
                | CmdKind::BuildConfig => {}
                _ => other = true,
            }
        }
        if setup {
            if other {
                return Err(gate(
                    "core/mixed-setup",
                    format!(
                        "line {}: one RUN both builds and changes system files or users; it cannot be split safely",
                        line_of(df, info.item)
                    ),
                ));
            }
            if runs_as_non_root(info) {
                // The runtime repeats setup steps before its USER, as root.
                return Err(gate(
                    "core/system-setup",
                    format!(
                        "line {}: a setup step the runtime must repeat runs as `{}`; repeated before the runtime's USER it would run as root and leave root-owned files",
                        line_of(df, info.item),
                        info.user.as_deref().unwrap_or_default()
                    ),
                ));
            }
            c.replay.push(info.item);
            match owned_dir_ops(cmds, &info.workdir, &mut made_dirs) {
                Some(dirs) => {
                    for d in dirs {
                        if !c.owned_dirs.contains(&d) {
                            c.owned_dirs.push(d);
                        }
                    }
                }
                None => c.replay_needs_shell = true,
            }
            for x in cmds.iter().filter(|x| is_account_command(x)) {
                record_ids(c, x);
            }
        }
        // Files copied in from the context outside the application directories
        // (a config under /etc, a script in /usr/local/bin) are runtime files.
        if let StepKind::CopyContext { .. } = info.kind
            && let Some(inst) = df.instruction_at(info.item)
            && let Body::Copy { paths, .. } = &inst.body
            && let Some(dest) = paths.last()
        {
            let dest = crate::syntax::process_word(&dest.value, df.escape);
            let abs = join_path(&info.workdir, &dest);
            if dest.starts_with('/') && !in_app(&abs) && abs != "/" {
                push_copy(
                    c,
                    &abs,
                    "core/outside-files",
                    "put outside the application directory by a COPY (configuration, scripts): the runtime gets it at the same path",
                );
            }
        }
    }
    // The build stage copies the created directories aside as root at its
    // end; a non-root USER that later build steps run under would still be
    // in force there, and could not keep their owners.
    if !c.owned_dirs.is_empty()
        && let Some(last_user) = infos.iter().rposition(|i| i.keyword == Keyword::User)
        && infos[last_user + 1..].iter().any(|i| {
            matches!(
                i.kind,
                StepKind::Run(_) | StepKind::CopyContext { .. } | StepKind::CopyOther(_)
            ) && runs_as_non_root(i)
        })
    {
        c.replay_needs_shell = true;
    }
    // WORKDIR under a non-root USER creates the directory owned by that user;
    // the runtime stage sets its WORKDIR before its USER, as root.
    if let Some(info) = infos.iter().rev().find(|i| i.keyword == Keyword::Workdir)
        && info.workdir == entry.workdir
        && runs_as_non_root(info)
    {
        return Err(gate(
            "core/workdir",
            format!(
                "line {}: WORKDIR {} comes after USER {}, so the original creates it owned by that user; the runtime stage would create it as root",
                line_of(df, info.item),
                info.workdir,
                info.user.as_deref().unwrap_or_default()
            ),
        ));
    }
    // The user the app runs as.
    let original_user = infos
        .iter()
        .rev()
        .find(|i| i.keyword == Keyword::User)
        .and_then(|i| match &df.instruction_at(i.item)?.body {
            Body::Text { text: Some(t) } => Some(crate::model::expand(&t.value, &i.env, df.escape)),
            _ => None,
        });
    c.user = original_user;
    // A HEALTHCHECK runs inside the runtime image.
    for info in infos {
        let Some(inst) = df.instruction_at(info.item) else {
            continue;
        };
        if let Body::Health {
            health:
                crate::syntax::Health::Check {
                    command: Some(cmd), ..
                },
        } = &inst.body
        {
            let words: Vec<String> = match cmd {
                Command::Exec(a) => a.iter().map(|a| a.value.clone()).collect(),
                Command::Shell(a) => {
                    c.needs_shell = true;
                    shell::parse(&a.value)
                        .simple_commands()
                        .filter_map(|s| s.name().map(str::to_string))
                        .collect()
                }
            };
            for tool in ["curl", "wget"] {
                if words.iter().any(|w| w == tool) && !c.packages.iter().any(|p| p == tool) {
                    c.packages.push(tool.to_string());
                    c.package_manager.get_or_insert(PackageManager::Apt);
                }
            }
        }
    }
    Ok(())
}

/// Folders every image has, which a setup step may change but the runtime
/// must not receive whole from the build stage.
const SYSTEM_DIRS: &[&str] = &[
    "/",
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/lib64",
    "/media",
    "/mnt",
    "/opt",
    "/proc",
    "/root",
    "/run",
    "/sbin",
    "/srv",
    "/sys",
    "/tmp",
    "/usr",
    "/usr/bin",
    "/usr/lib",
    "/usr/local",
    "/usr/local/bin",
    "/usr/local/lib",
    "/usr/local/share",
    "/usr/sbin",
    "/usr/share",
    "/var",
    "/var/cache",
    "/var/lib",
    "/var/log",
    "/var/run",
    "/var/tmp",
];

/// The directories a setup RUN creates, when every command of it that
/// changes the system is an account command or `mkdir` / `chown` / `chmod`
/// of directories `mkdir` created (here or in an earlier setup step):
/// then a base without a shell can receive those directories, owner and
/// mode included, by a copy from the build stage. `None` when it does more.
fn owned_dir_ops(
    cmds: &[super::steps::CmdInfo],
    workdir: &str,
    made: &mut Vec<String>,
) -> Option<Vec<String>> {
    let mut created = Vec::new();
    for x in cmds {
        let prog = x
            .program
            .as_deref()
            .map(|p| p.rsplit('/').next().unwrap_or(p));
        let operands = |skip_first: bool| -> Option<Vec<String>> {
            let mut out = Vec::new();
            let mut first = skip_first;
            for a in &x.args {
                let a = a.as_deref()?;
                if a.starts_with('-') {
                    // Only recursion (-R) and parents (-p): a flag with a
                    // value (mkdir -m) or any other is not understood here.
                    if !matches!(a, "-p" | "--parents" | "-R" | "--recursive") {
                        return None;
                    }
                    continue;
                }
                if first {
                    first = false;
                    continue;
                }
                out.push(join_path(workdir, a));
            }
            (!out.is_empty()).then_some(out)
        };
        match prog {
            Some("mkdir") => {
                let dirs = operands(false)?;
                for d in dirs {
                    if !made.contains(&d) {
                        made.push(d.clone());
                    }
                    created.push(d);
                }
            }
            Some("chown" | "chmod") => {
                // The owner or mode comes first; every target must be a
                // directory mkdir created, or a parent `mkdir -p` may have
                // created that is not one of the system's own folders.
                for t in operands(true)? {
                    let parent_of_made = made
                        .iter()
                        .any(|m| m.starts_with(&format!("{}/", t.trim_end_matches('/'))));
                    if made.contains(&t) {
                        continue;
                    }
                    if !parent_of_made || SYSTEM_DIRS.contains(&t.as_str()) {
                        return None;
                    }
                    made.push(t.clone());
                    created.push(t);
                }
            }
            _ if x.kind != CmdKind::UserSetup || is_account_command(x) => {}
            _ => return None,
        }
    }
    Some(created)
}

/// Why nginx cannot serve this static site in place of the Node server, when
/// something else the original does must also reach the runtime.
fn static_site_blocker(
    c: &Closure,
    df: &Dockerfile,
    infos: &[StepInfo],
    site: &StaticSite,
) -> Option<String> {
    if !c.packages.is_empty() {
        return Some(format!(
            "the runtime needs system packages ({})",
            c.packages.join(", ")
        ));
    }
    if !c.replay.is_empty() {
        return Some(
            "setup steps (users, system files) would have to be repeated in nginx's image".into(),
        );
    }
    if !c.copies.is_empty() {
        return Some("files put outside the application directory may be used at run time".into());
    }
    for (keyword, why) in [
        (
            Keyword::Healthcheck,
            "its HEALTHCHECK runs in the runtime image, and what it calls may not be in nginx's",
        ),
        (Keyword::Volume, "it declares a VOLUME"),
    ] {
        if let Some(i) = infos.iter().find(|i| i.keyword == keyword) {
            return Some(format!("line {}: {why}", line_of(df, i.item)));
        }
    }
    if !infos.iter().any(|i| i.has_role(Role::Build)) {
        return Some(format!("no build step writes {}", site.dir));
    }
    None
}

/// `useradd`, `adduser`, `groupadd`, `addgroup`.
pub(crate) fn is_account_command(c: &super::steps::CmdInfo) -> bool {
    matches!(
        c.program.as_deref(),
        Some("useradd" | "adduser" | "groupadd" | "addgroup")
    )
}

/// Records the numeric id an account command gives its user or group.
fn record_ids(c: &mut Closure, cmd: &super::steps::CmdInfo) {
    let args: Vec<&str> = cmd
        .args
        .iter()
        .map(|a| a.as_deref().unwrap_or(""))
        .collect();
    let is_group = matches!(cmd.program.as_deref(), Some("groupadd" | "addgroup"));
    let mut id = None;
    let mut group = None;
    let mut name = None;
    let mut k = 0;
    while k < args.len() {
        let a = args[k];
        let value = |k: usize| args.get(k + 1).map(|v| v.to_string());
        match a {
            "-u" | "--uid" if !is_group => {
                id = value(k);
                k += 1;
            }
            "-g" | "--gid" if is_group => {
                id = value(k);
                k += 1;
            }
            "-g" | "--gid" | "-G" | "--ingroup" => {
                group = value(k);
                k += 1;
            }
            "-s" | "--shell" | "-d" | "--home" | "--home-dir" | "-c" | "--comment" | "--gecos"
            | "-h" | "-k" | "-e" | "-f" | "-K" => k += 1,
            _ if a.starts_with("--uid=") && !is_group => id = Some(a[6..].to_string()),
            _ if a.starts_with("--gid=") => {
                if is_group {
                    id = Some(a[6..].to_string())
                } else {
                    group = Some(a[6..].to_string())
                }
            }
            _ if a.starts_with('-') => {}
            _ => name = Some(a.to_string()),
        }
        k += 1;
    }
    let (Some(name), Some(id)) = (name, id) else {
        return;
    };
    if !id.chars().all(|ch| ch.is_ascii_digit()) {
        return;
    }
    let key = if is_group {
        format!("group:{name}")
    } else {
        name
    };
    let value = match group {
        Some(g) if !is_group => format!("{id}:{g}"),
        _ => id,
    };
    c.account_ids.insert(key, value);
}

fn push_copy(c: &mut Closure, path: &str, rule: &str, reason: &str) {
    if !c.copies.iter().any(|x| x.from == path) {
        c.copies.push(CopySpec {
            from: path.to_string(),
            to: path.to_string(),
            rule: rule.into(),
            reason: reason.into(),
        });
    }
}

fn line_of(df: &Dockerfile, item: usize) -> usize {
    df.instruction_at(item).map_or(0, |i| i.start_line)
}

/// Paths produced by commands with the given role (and files the build moves
/// out of the working directory), with the rule ids.
fn produced(infos: &[StepInfo], role: Role) -> Vec<(String, String)> {
    infos
        .iter()
        .flat_map(|i| i.commands())
        .filter(|c| {
            matches!(&c.kind, CmdKind::Profile { role: r, .. } if *r == role)
                || c.kind == CmdKind::Relocate
        })
        .flat_map(|c| c.produces.iter().map(move |p| (p.clone(), c.rule.clone())))
        .collect()
}

/// Resolves the entry program to an absolute path, if it names a file.
fn resolve_program(prog: &str, workdir: &str, produced: &[(String, String)]) -> Option<String> {
    if prog.starts_with('/') {
        return Some(prog.to_string());
    }
    if prog.contains('/') {
        return Some(join_path(workdir, prog));
    }
    produced
        .iter()
        .find(|(p, _)| {
            let (dir, name) = p.rsplit_once('/').unwrap_or(("", p));
            name == prog && PATH_DIRS.contains(&dir)
        })
        .map(|(p, _)| p.clone())
}

/// Go modules that wrap C libraries and so need cgo.
const CGO_MODULES: &[&str] = &[
    "github.com/mattn/go-sqlite3",
    "github.com/confluentinc/confluent-kafka-go",
    "github.com/go-gl/",
    "gopkg.in/gographics/imagick",
    "github.com/h2non/bimg",
    "github.com/DataDog/zstd",
];

fn go(
    c: &mut Closure,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
) -> Result<(), Gate> {
    let built = produced(infos, Role::Build);
    if built.is_empty() {
        return Err(gate(
            "core/prebuilt",
            "no `go build -o PATH` step: the binary is built elsewhere, or its path cannot be read",
        ));
    }
    let prog = entry.program().unwrap_or_default();
    let Some(path) = resolve_program(prog, &entry.workdir, &built) else {
        return Err(gate(
            "go/rt-binary",
            format!("the entry runs `{prog}`, which is not a binary the build writes with -o"),
        ));
    };
    let Some((_, rule)) = built.iter().find(|(p, _)| path_matches(p, &path)) else {
        return Err(gate(
            "go/rt-binary",
            format!(
                "the entry runs `{path}`, but the build writes {}",
                list(built.iter().map(|b| &b.0))
            ),
        ));
    };
    if rule != "go/build" {
        return Err(gate(
            "go/rt-installed-binary",
            "the binary comes from `go install`; its name is not shown by the command",
        ));
    }
    // Static when CGO_ENABLED=0 is set for the build command.
    let build_cmd = infos
        .iter()
        .flat_map(|i| i.commands().iter().map(move |c| (i, c)))
        .find(|(_, c)| c.rule == "go/build" && c.produces.iter().any(|p| path_matches(p, &path)));
    if let Some((info, cmd)) = build_cmd {
        let cgo = cmd
            .assignments
            .get("CGO_ENABLED")
            .or_else(|| info.env.get("CGO_ENABLED"));
        // `-buildmode=pie` asks for the dynamic loader even without cgo
        // (seen: CGO_ENABLED=0 go build -buildmode=pie gives a binary with
        // an ELF interpreter, /lib64/ld-linux-x86-64.so.2). GOFLAGS comes
        // first and the command line after it; the last -buildmode counts;
        // one that is not literal is not known to be exe.
        let goflags = cmd
            .assignments
            .get("GOFLAGS")
            .or_else(|| info.env.get("GOFLAGS"))
            .map(String::as_str)
            .unwrap_or("");
        let words: Vec<&str> = goflags
            .split_whitespace()
            .chain(cmd.words.iter().map(String::as_str))
            .collect();
        let buildmode = words
            .iter()
            .enumerate()
            .filter_map(|(i, w)| {
                let bare = w.strip_prefix("--").or_else(|| w.strip_prefix('-'))?;
                if bare == "buildmode" {
                    Some(words.get(i + 1).copied().unwrap_or("$?"))
                } else {
                    bare.strip_prefix("buildmode=")
                }
            })
            .next_back();
        let exe = buildmode.is_none_or(|m| m == "exe" || m == "default");
        let cgo_off = cgo.is_some_and(|v| v == "0");
        c.static_binary = cgo_off && exe;
        c.binary_note = if !cgo_off {
            Some("the binary is not built with CGO_ENABLED=0, so it links the C library".into())
        } else if !exe {
            Some(match buildmode {
                Some(m) if !m.contains("$?") => format!(
                    "`-buildmode={m}`: not a plain executable (a pie binary asks for the C loader, /lib64/ld-linux-x86-64.so.2, even with CGO_ENABLED=0)"
                ),
                _ => "`-buildmode` comes from a variable, so the binary is not known to be a plain executable (pie asks for the C loader even with CGO_ENABLED=0)".into(),
            })
        } else {
            None
        };
    }
    c.app_kind = Some(if c.static_binary {
        AppKind::StaticBinary
    } else {
        AppKind::DynamicBinary
    });
    c.copies.push(CopySpec {
        from: path.clone(),
        to: path.clone(),
        rule: "go/rt-binary".into(),
        reason: "the compiled binary the entry runs".into(),
    });
    // Files the program may read at run time, and TLS / time zones.
    let sources: Vec<&str> = ctx
        .map(|x| {
            x.contents
                .iter()
                .filter(|(p, _)| p.ends_with(".go") && !p.ends_with("_test.go"))
                .map(|(_, t)| t.as_str())
                .collect()
        })
        .unwrap_or_default();
    let reads_files = ctx.is_none()
        || sources.iter().any(|s| {
            [
                "os.Open(",
                "os.ReadFile(",
                "ioutil.ReadFile(",
                "os.ReadDir(",
                "ParseFiles(",
                "ParseGlob(",
                "http.Dir(",
                "os.Stat(",
            ]
            .iter()
            .any(|p| s.contains(p))
        });
    if reads_files {
        if entry.workdir == "/" {
            return Err(gate(
                "core/workdir-root",
                "the program may read files from its working directory, which is /; what it reads cannot be shown",
            ));
        }
        if !path.starts_with(&format!("{}/", entry.workdir.trim_end_matches('/'))) || ctx.is_none()
        {
            c.copies.push(CopySpec {
                from: entry.workdir.clone(),
                to: entry.workdir.clone(),
                rule: "core/app-files".into(),
                reason: if ctx.is_none() {
                    "without the build context the program's data files cannot be ruled out, so the working directory comes along".into()
                } else {
                    "the Go sources open files at run time (os.Open, ReadFile, ParseFiles, http.Dir …), so the working directory comes along".into()
                },
            });
        } else {
            c.copies.clear();
            c.copies.push(CopySpec {
                from: entry.workdir.clone(),
                to: entry.workdir.clone(),
                rule: "core/app-files".into(),
                reason: "the binary and the files the Go sources open at run time (os.Open, ReadFile, ParseFiles, http.Dir …) live in the working directory".into(),
            });
        }
    }
    c.needs_ca_certs = ctx.is_none()
        || sources.iter().any(|s| {
            s.contains("\"net/http\"") || s.contains("\"crypto/tls\"") || s.contains("\"net/smtp\"")
        });
    c.needs_tzdata = ctx.is_none() || sources.iter().any(|s| s.contains("LoadLocation("));
    // Modules that only build with cgo (they wrap C libraries).
    let cgo_module = ctx.and_then(|x| x.text("go.mod")).and_then(|m| {
        CGO_MODULES
            .iter()
            .find(|module| m.contains(*module))
            .copied()
    });
    if let Some(module) = cgo_module
        && !c.static_binary
    {
        c.warnings.push(format!(
            "go.mod requires {module}, which needs cgo: the binary links the C library"
        ));
    }
    if sources.iter().any(|s| s.contains("import \"C\""))
        || (cgo_module.is_some() && !c.static_binary)
    {
        if c.static_binary {
            c.warnings
                .push("sources import \"C\" but CGO_ENABLED=0: the build itself decides".into());
        }
        c.app_kind = Some(AppKind::DynamicBinary);
        c.static_binary = false;
    }
    Ok(())
}

fn node(
    c: &mut Closure,
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
    rules: &Rules,
) -> Result<(), Gate> {
    match super::static_site::detect(entry, df, infos, ctx) {
        Ok(Some(site)) => match static_site_blocker(c, df, infos, &site) {
            None => {
                c.app_kind = Some(AppKind::StaticSite);
                // The start command is not run in the runtime: nginx's is,
                // as root or not as the original's server ran.
                c.needs_shell = false;
                c.served_as = c.user.take();
                c.copies.push(CopySpec {
                    from: site.dir.clone(),
                    to: super::static_site::SITE_ROOT.into(),
                    rule: "core/static-site".into(),
                    reason: format!(
                        "the built site, which `{}` served and nginx serves now",
                        site.command
                    ),
                });
                c.static_site = Some(site);
                return Ok(());
            }
            Some(why) => c.warnings.push(format!(
                "the start command `{}` only serves static files, but nginx is not put in its place: {why}",
                site.command
            )),
        },
        Err(why) => c.warnings.push(format!(
            "the start command runs a Node static file server, but nginx is not put in its place: {why}"
        )),
        Ok(None) => {}
    }
    c.app_kind = Some(AppKind::NodeApp);
    let installs: Vec<(&StepInfo, &super::steps::CmdInfo)> = infos
        .iter()
        .flat_map(|i| i.commands().iter().map(move |c| (i, c)))
        .filter(|(_, c)| {
            matches!(
                &c.kind,
                CmdKind::Profile {
                    role: Role::InstallDeps | Role::RuntimeSetup,
                    ..
                }
            ) && c.produces.iter().any(|p| p.ends_with("/node_modules"))
        })
        .collect();
    let app = entry.workdir.clone();
    if app == "/" {
        return Err(gate(
            "core/workdir-root",
            "the app lives in /, so what belongs to it cannot be told apart from the image",
        ));
    }
    if let Some((line, dest)) = sources_outside(df, infos, &app) {
        return Err(gate(
            "node/rt-app",
            format!(
                "line {line}: sources are copied to {dest}, outside {app} where the app starts; the runtime takes that directory alone"
            ),
        ));
    }
    for (info, _) in &installs {
        if info.workdir != app {
            return Err(gate(
                "node/rt-app",
                format!(
                    "dependencies are installed in {} but the app starts in {app}",
                    info.workdir
                ),
            ));
        }
    }
    if let Some(ctx) = ctx
        && ctx.has("package.json")
        && ![
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
        ]
        .iter()
        .any(|l| ctx.has(l))
    {
        c.warnings.push("no lockfile in the build context: dependency versions are resolved at every build, as in the original".into());
    }
    if let Some(prog) = entry.program()
        && rules.match_launcher(prog, &entry.argv[1..]).is_some()
    {
        c.needs_launcher = true;
    }
    // `pnpm start` / `yarn start` through corepack: the shims must exist in the runtime too.
    if c.needs_launcher
        && entry
            .program()
            .is_some_and(|p| matches!(p, "pnpm" | "yarn"))
    {
        for info in infos {
            if info
                .commands()
                .iter()
                .any(|x| x.program.as_deref() == Some("corepack"))
            {
                if info
                    .commands()
                    .iter()
                    .all(|x| matches!(x.kind, CmdKind::BuildConfig | CmdKind::Harmless))
                {
                    c.replay.push(info.item);
                    c.replay_needs_shell = true;
                } else {
                    return Err(gate(
                        "node/rt-app",
                        "the app starts through corepack's package manager, and the step that enables it also does other work",
                    ));
                }
            }
        }
    }
    for words in &entry.commands {
        let Some(prog) = words.first() else { continue };
        let name = prog.rsplit('/').next().unwrap_or(prog);
        if matches!(name, "node" | "npm" | "npx" | "yarn" | "pnpm" | "corepack") || c.needs_launcher
        {
            continue;
        }
        if prog.contains('/') {
            let abs = join_path(&app, prog);
            if abs.starts_with(&format!("{}/", app.trim_end_matches('/'))) {
                // A script of the app: it runs with its shebang interpreter, usually sh.
                c.needs_shell = true;
                continue;
            }
        }
        if matches!(
            name,
            "sh" | "bash" | "exec" | "env" | "echo" | "test" | "[" | "true" | "set"
        ) {
            continue;
        }
        // File utilities every base with a shell has (coreutils, or
        // busybox on Alpine): `cp seed.json /data/ && node server.js`.
        if SHELL_BASE_UTILITIES.contains(&name) {
            c.needs_shell = true;
            continue;
        }
        return Err(gate(
            "node/rt-app",
            format!(
                "the entry runs `{name}`, which is neither node, a package manager nor a file of the app; the runtime would not have it"
            ),
        ));
    }
    c.copies.push(CopySpec {
        from: app.clone(),
        to: app.clone(),
        rule: "node/rt-app".into(),
        reason: "the application directory: sources, build output, package.json and node_modules"
            .into(),
    });
    // Prune dev dependencies when a full install ran and nothing shows a devDependency is used at run time.
    let full_install = installs.iter().any(|(_, c)| {
        matches!(
            c.kind,
            CmdKind::Profile {
                role: Role::InstallDeps,
                ..
            }
        )
    });
    let prod_install = installs.iter().any(|(_, c)| {
        matches!(
            c.kind,
            CmdKind::Profile {
                role: Role::RuntimeSetup,
                ..
            }
        )
    });
    if full_install && !prod_install {
        let manager = installs
            .iter()
            .find_map(|(_, c)| c.program.clone())
            .unwrap_or_else(|| "npm".into());
        match prune_blocker(ctx, entry) {
            Prune::Nothing => {}
            Prune::Keep(why) => c
                .warnings
                .push(format!("dev dependencies stay in the runtime: {why}")),
            Prune::Yes => {
                let cmd = match manager.as_str() {
                    "npm" => Some("npm prune --omit=dev"),
                    "pnpm" => Some("pnpm prune --prod"),
                    _ => None,
                };
                match cmd {
                    Some(cmd) => {
                        c.prune = Some((
                            cmd.to_string(),
                            "node/prune-prod".into(),
                            "removes devDependencies after the build; nothing the app runs needs them".into(),
                        ));
                    }
                    None => c.warnings.push(format!(
                        "dev dependencies stay in the runtime: `{manager}` has no prune command that keeps the lockfile's versions"
                    )),
                }
            }
        }
    }
    Ok(())
}

/// Whether dev dependencies can be pruned after the build.
enum Prune {
    /// Nothing shows a devDependency is used at run time.
    Yes,
    /// There are no devDependencies.
    Nothing,
    /// Something shows (or cannot rule out) that one is used.
    Keep(String),
}

/// Decides [`Prune`] from package.json, the start script and the app's imports.
fn prune_blocker(ctx: Option<&Context>, entry: &Entry) -> Prune {
    let Some(ctx) = ctx else {
        return Prune::Keep("without the build context, package.json cannot be read".into());
    };
    let Some(pkg) = ctx.text("package.json") else {
        return Prune::Keep("package.json is not in the build context".into());
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(pkg) else {
        return Prune::Keep("package.json is not valid JSON".into());
    };
    let dev: Vec<String> = json
        .get("devDependencies")
        .and_then(|d| d.as_object())
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    if dev.is_empty() {
        return Prune::Nothing;
    }
    // Scripts the entry runs through the package manager.
    let scripts = json.get("scripts").and_then(|s| s.as_object());
    let mut run_scripts: Vec<String> = Vec::new();
    let argv = &entry.argv;
    if let Some(prog) = argv.first().map(String::as_str)
        && matches!(prog, "npm" | "yarn" | "pnpm")
    {
        let name = match argv.get(1).map(String::as_str) {
            Some("start") | None => Some("start".to_string()),
            Some("run" | "run-script") => argv.get(2).cloned(),
            Some(other) => Some(other.to_string()),
        };
        if let (Some(name), Some(scripts)) = (name, scripts) {
            for key in [format!("pre{name}"), name.clone(), format!("post{name}")] {
                if let Some(s) = scripts.get(&key).and_then(|v| v.as_str()) {
                    run_scripts.push(s.to_string());
                }
            }
        }
    }
    for d in &dev {
        for s in &run_scripts {
            if s.split(|ch: char| ch.is_whitespace() || ch == '&' || ch == ';')
                .any(|w| w == d)
            {
                return Prune::Keep(format!("the start script runs `{d}`, a devDependency"));
            }
        }
        if argv.iter().any(|a| a == d) {
            return Prune::Keep(format!("the entry runs `{d}`, a devDependency"));
        }
    }
    // Files the other scripts run (`node build.js`) are build tooling, not the app.
    let tooling: Vec<String> = scripts
        .map(|s| {
            s.iter()
                .filter(|(k, _)| !run_scripts.is_empty() && !k.ends_with("start"))
                .filter_map(|(_, v)| v.as_str())
                .flat_map(|v| {
                    v.split_whitespace()
                        .map(|w| w.trim_start_matches("./").to_string())
                        .collect::<Vec<_>>()
                })
                .filter(|w| {
                    [".js", ".mjs", ".cjs", ".ts"]
                        .iter()
                        .any(|e| w.ends_with(e))
                })
                .collect()
        })
        .unwrap_or_default();
    // Imports of devDependencies in application sources.
    for (path, text) in &ctx.contents {
        if tooling.iter().any(|t| t == path) {
            continue;
        }
        let is_src = [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]
            .iter()
            .any(|e| path.ends_with(e));
        let name = path.rsplit('/').next().unwrap_or(path);
        let is_tooling = name.contains(".config.")
            || name.contains(".test.")
            || name.contains(".spec.")
            || path
                .split('/')
                .any(|seg| matches!(seg, "test" | "tests" | "__tests__" | "scripts"));
        if !is_src || is_tooling {
            continue;
        }
        for d in dev.iter().filter(|d| !d.starts_with("@types/")) {
            for q in ['\'', '"'] {
                let imported = [
                    format!("require({q}{d}{q}"),
                    format!("from {q}{d}{q}"),
                    format!("import({q}{d}{q}"),
                    format!("require({q}{d}/"),
                    format!("from {q}{d}/"),
                ];
                if imported.iter().any(|p| text.contains(p.as_str())) {
                    return Prune::Keep(format!("{path} imports `{d}`, a devDependency"));
                }
            }
        }
    }
    Prune::Yes
}

fn python(
    c: &mut Closure,
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
    builder: &str,
) -> Result<(), Gate> {
    c.app_kind = Some(AppKind::PythonApp);
    c.same_family = true;
    let app = entry.workdir.clone();
    if app == "/" {
        return Err(gate(
            "core/workdir-root",
            "the app lives in /, so what belongs to it cannot be told apart from the image",
        ));
    }
    if let Some((line, dest)) = sources_outside(df, infos, &app) {
        return Err(gate(
            "python/rt-app",
            format!(
                "line {line}: sources are copied to {dest}, outside {app} where the app starts; the runtime takes that directory alone"
            ),
        ));
    }
    let mut existing_venv: Option<String> = None;
    let mut app_reason = "Python runs from source: the application directory".to_string();
    // Steps (indices) that install the app's packages into the interpreter
    // or the active venv: pip, and poetry (which uses an active venv).
    let mut installs: Vec<usize> = Vec::new();
    // Steps that install the project manager itself (uv, poetry), which stay
    // in the build: the venv must be created after them.
    let mut tools: Vec<usize> = Vec::new();
    // The project manager that installs into the active venv, if any.
    let mut manager: Option<&str> = None;
    // `pip install --upgrade pip setuptools wheel` steps.
    let mut pip_upgrades: Vec<usize> = Vec::new();
    // Steps that write a project environment of their own (uv's .venv, an
    // in-project poetry or pipenv venv).
    let mut project_envs: Vec<usize> = Vec::new();
    for (n, info) in infos.iter().enumerate() {
        for cmd in info.commands() {
            let rule = cmd.rule.as_str();
            match rule {
                "python/venv-create" => existing_venv = cmd.produces.first().cloned(),
                "python/install-tool" => tools.push(n),
                "python/pip-install-requirements"
                | "python/pip-install-packages"
                | "python/pip-install-project" => {
                    if rule == "python/pip-install-packages" && only_pip_itself(cmd) {
                        // Upgrading pip itself: a tool step when a project
                        // manager installs the app, an install otherwise.
                        pip_upgrades.push(n);
                    } else {
                        installs.push(n);
                    }
                    if let Some(k) = ["PIP_USER", "PIP_TARGET", "PIP_PREFIX", "PIP_ROOT"]
                        .iter()
                        .find(|k| info.env.contains_key(**k) || cmd.assignments.contains_key(**k))
                    {
                        return Err(gate(
                            "python/rt-site-packages",
                            format!(
                                "line {}: {k} makes pip put packages where moving them is not supported yet",
                                line_of(df, info.item)
                            ),
                        ));
                    }
                    if runs_as_non_root(info) {
                        return Err(gate(
                            "python/rt-site-packages",
                            format!(
                                "line {}: pip runs as a non-root user, so where its packages land depends on that user's rights; moving them is not supported yet",
                                line_of(df, info.item)
                            ),
                        ));
                    }
                    let bad = cmd.args.iter().flatten().find(|a| {
                        matches!(
                            a.as_str(),
                            "--user"
                                | "-t"
                                | "--target"
                                | "--prefix"
                                | "--root"
                                | "-e"
                                | "--editable"
                        ) || a.starts_with("--target=")
                            || a.starts_with("--prefix=")
                            || a.starts_with("--root=")
                            // attached short forms: -t/opt/x, -e.
                            || (a.starts_with("-t") || a.starts_with("-e"))
                                && a.len() > 2
                                && !a.starts_with("--")
                    });
                    if let Some(flag) = bad {
                        return Err(gate(
                            "python/rt-site-packages",
                            format!(
                                "line {}: `pip install {flag}` puts packages where moving them is not supported yet",
                                line_of(df, info.item)
                            ),
                        ));
                    }
                }
                "python/poetry-install"
                | "python/poetry-install-prod"
                | "python/pipenv-install" => {
                    let tool = if rule.starts_with("python/pipenv") {
                        "pipenv"
                    } else {
                        "poetry"
                    };
                    project_tool_step(df, info, &app, rule, tool)?;
                    if tool == "pipenv" && info.env.contains_key("PIPENV_IGNORE_VIRTUALENVS") {
                        return Err(gate(
                            rule,
                            format!(
                                "line {}: PIPENV_IGNORE_VIRTUALENVS makes pipenv create an environment of its own, where moving it is not supported yet",
                                line_of(df, info.item)
                            ),
                        ));
                    }
                    if manages_own_venv(df, infos, n, cmd, tool, ctx)? {
                        // The tool keeps its environment in the project
                        // (WORKDIR/.venv, which the start command may name):
                        // it travels with the application directory.
                        app_reason = format!(
                            "Python runs from source: the application directory, with the environment {}/.venv that {tool} keeps in the project",
                            app.trim_end_matches('/')
                        );
                        project_envs.push(n);
                    } else {
                        installs.push(n);
                        manager = manager.or(Some(tool));
                    }
                }
                "python/uv-sync" | "python/uv-sync-prod" => {
                    project_tool_step(df, info, &app, rule, "uv")?;
                    project_envs.push(n);
                    let (venv, python) = uv_project_env(df, &infos[..n], info, cmd, ctx, builder)?;
                    if !venv.starts_with(&format!("{}/", app.trim_end_matches('/'))) {
                        push_copy(
                            c,
                            &venv,
                            "python/rt-project-venv",
                            &format!(
                                "the project environment `uv sync` wrote (UV_PROJECT_ENVIRONMENT), outside the application directory; {python}"
                            ),
                        );
                    } else {
                        app_reason = format!(
                            "Python runs from source: the application directory, with the project environment {venv} that `uv sync` wrote in it; {python}"
                        );
                    }
                }
                r if r.starts_with("python/poetry")
                    || r.starts_with("python/pipenv")
                    || r.starts_with("python/uv") =>
                {
                    return Err(gate(
                        r,
                        format!(
                            "line {}: `{}` installs through its own tool (a project environment, or the system interpreter beside the tool); moving that is not supported yet",
                            line_of(df, info.item),
                            cmd.text
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    if manager.is_some() {
        tools.extend(pip_upgrades);
        tools.sort_unstable();
    } else {
        installs.extend(pip_upgrades);
        installs.sort_unstable();
    }
    if let (Some(&env), Some(&inst)) = (project_envs.first(), installs.first()) {
        // Two environments on PATH: which one wins depends on the order of
        // the ENV lines, which the runtime stage does not repeat as is.
        return Err(gate(
            "python/rt-venv",
            format!(
                "lines {} and {}: a project environment of its own and packages installed with pip or into a venv; which comes first on PATH cannot be kept",
                line_of(df, infos[env].item),
                line_of(df, infos[inst].item)
            ),
        ));
    }
    let venv = match existing_venv {
        Some(v) => {
            // poetry and pipenv install into a venv only when it is active; a
            // venv that is only first on PATH leaves them on the system
            // interpreter (or their own environment).
            if let Some(tool) = manager
                && let Some(info) = infos.iter().find(|i| {
                    i.commands().iter().any(|c| {
                        c.rule.starts_with("python/poetry-install")
                            || c.rule == "python/pipenv-install"
                    })
                })
                && info.env.get("VIRTUAL_ENV") != Some(&v)
            {
                return Err(gate(
                    "python/rt-venv",
                    format!(
                        "line {}: {tool} installs into the venv {v} only when VIRTUAL_ENV names it, and it does not",
                        line_of(df, info.item)
                    ),
                ));
            }
            v
        }
        None => {
            if let Some(&first) = installs.first() {
                // The venv comes after the project manager's own install (it
                // stays on the system interpreter, in the build only) and
                // before the first COPY after it, so a source change does not
                // re-create it.
                let after_tools = tools.last().map_or(0, |t| t + 1);
                if first < after_tools {
                    return Err(gate(
                        "python/rt-venv",
                        format!(
                            "line {}: the app's packages are installed before (or in the same step as) the project manager itself, so they cannot be put in a venv of their own",
                            line_of(df, infos[first].item)
                        ),
                    ));
                }
                let at = infos[after_tools..=first]
                    .iter()
                    .position(|i| matches!(i.kind, StepKind::CopyContext { .. }))
                    .map_or(first, |p| p + after_tools);
                c.create_venv = Some("/opt/venv".into());
                c.venv_at = Some(at);
                c.venv_reason = match manager {
                    Some(tool) => format!(
                        "{tool} installs into the active virtual environment (VIRTUAL_ENV) instead of the system interpreter, where {tool} itself lives, so the runtime takes the app's packages in one copy, without {tool}"
                    ),
                    None => "pip installs into a virtual environment, so the runtime can take the packages in one copy".into(),
                };
            }
            "/opt/venv".into()
        }
    };
    if !installs.is_empty() || c.create_venv.is_some() {
        c.copies.push(CopySpec {
            from: venv.clone(),
            to: venv,
            rule: "python/rt-venv".into(),
            reason:
                "the virtual environment holding the installed packages and their console scripts"
                    .into(),
        });
    }
    c.copies.push(CopySpec {
        from: app.clone(),
        to: app,
        rule: "python/rt-app".into(),
        reason: app_reason,
    });
    Ok(())
}

/// `pip install [--upgrade] pip setuptools wheel` (any of them, with versions).
fn only_pip_itself(cmd: &super::steps::CmdInfo) -> bool {
    let packages: Vec<&str> = cmd
        .words
        .iter()
        .map(String::as_str)
        .skip_while(|a| *a != "install")
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    !packages.is_empty()
        && packages.iter().all(|p| {
            let name = p
                .split(|c: char| "=<>~!;[ ".contains(c))
                .next()
                .unwrap_or(p);
            matches!(name, "pip" | "setuptools" | "wheel")
        })
}

/// Whether poetry or pipenv keeps its environment in the project
/// (`WORKDIR/.venv`) at install step `n`, rather than using an active venv
/// or the system interpreter. A setting it cannot read leaves the file
/// unchanged.
fn manages_own_venv(
    df: &Dockerfile,
    infos: &[StepInfo],
    n: usize,
    cmd: &super::steps::CmdInfo,
    tool: &str,
    ctx: Option<&Context>,
) -> Result<bool, Gate> {
    let info = &infos[n];
    let line = line_of(df, info.item);
    let env = |k: &str| cmd.assignments.get(k).or_else(|| info.env.get(k)).cloned();
    // `poetry config KEY VALUE` in this step or an earlier one.
    let config = |key: &str| -> Option<String> {
        infos[..=n]
            .iter()
            .flat_map(|i| i.commands())
            .filter(|c| {
                c.program
                    .as_deref()
                    .is_some_and(|p| p.rsplit('/').next() == Some("poetry"))
            })
            .filter_map(|c| {
                let a: Vec<&str> = c.words.iter().map(String::as_str).collect();
                (a.first() == Some(&"config") && a.get(1) == Some(&key))
                    .then(|| a.get(2).map(|v| v.to_string()))
                    .flatten()
            })
            .next_back()
    };
    let truthy = |name: &str, v: &str, yes: &[&str], no: &[&str]| -> Result<bool, Gate> {
        let v = v.trim().to_ascii_lowercase();
        if yes.contains(&v.as_str()) {
            Ok(true)
        } else if no.contains(&v.as_str()) {
            Ok(false)
        } else {
            Err(gate(
                "python/rt-venv",
                format!("line {line}: {name}=`{v}` cannot be read as on or off"),
            ))
        }
    };
    if tool == "pipenv" {
        let system = cmd.args.iter().flatten().any(|a| a == "--system");
        let in_project = match env("PIPENV_VENV_IN_PROJECT") {
            Some(v) => truthy(
                "PIPENV_VENV_IN_PROJECT",
                &v,
                &["1", "true", "yes", "on"],
                &["0", "false", "no", "off", ""],
            )?,
            None => false,
        };
        return Ok(in_project && !system);
    }
    // poetry: its settings come from the environment, `poetry config`, or a
    // poetry.toml in the project.
    let bools = (["true", "1"].as_slice(), ["false", "0"].as_slice());
    let create = match env("POETRY_VIRTUALENVS_CREATE").or_else(|| config("virtualenvs.create")) {
        Some(v) => truthy("virtualenvs.create", &v, bools.0, bools.1)?,
        None => true,
    };
    let in_project =
        match env("POETRY_VIRTUALENVS_IN_PROJECT").or_else(|| config("virtualenvs.in-project")) {
            Some(v) => truthy("virtualenvs.in-project", &v, bools.0, bools.1)?,
            None => false,
        };
    if let Some(text) = ctx.and_then(|c| c.text("poetry.toml")) {
        if text.contains("in-project") || text.contains("create") || text.contains("path") {
            return Err(gate(
                "python/rt-venv",
                format!(
                    "line {line}: the project's poetry.toml sets where poetry keeps its environment; reading it is not supported yet"
                ),
            ));
        }
    }
    Ok(create && in_project)
}

/// The first COPY of sources (not only manifests) whose destination lies
/// outside `app`, the directory the app starts in, as (line, destination):
/// the runtime copies `app` alone, so what lands elsewhere would be missing.
fn sources_outside(df: &Dockerfile, infos: &[StepInfo], app: &str) -> Option<(usize, String)> {
    let app = app.trim_end_matches('/');
    infos.iter().find_map(|i| {
        let StepKind::CopyContext {
            manifests_only: false,
            ..
        } = &i.kind
        else {
            return None;
        };
        let Some(Body::Copy { paths, .. }) = df.instruction_at(i.item).map(|x| &x.body) else {
            return None;
        };
        let dest = crate::syntax::process_word(&paths.last()?.value, df.escape);
        if dest.starts_with('/')
            && !dest.starts_with(&format!("{app}/"))
            && dest.trim_end_matches('/') != app
        {
            // Absolute paths outside the app are the common outside files.
            return None;
        }
        let abs = join_path(&i.workdir, &dest);
        let inside = abs.trim_end_matches('/') == app || abs.starts_with(&format!("{app}/"));
        (!inside).then(|| (line_of(df, i.item), abs))
    })
}

/// Whether the step runs under a USER other than root.
fn runs_as_non_root(info: &StepInfo) -> bool {
    info.user.as_deref().is_some_and(|u| {
        let name = u.split(':').next().unwrap_or(u);
        name != "root" && name != "0"
    })
}

/// A project manager (`poetry install`, `uv sync`) must run as root in the
/// application directory: it finds the project from there, and an editable
/// install of the project points back at it.
fn project_tool_step(
    df: &Dockerfile,
    info: &StepInfo,
    app: &str,
    rule: &str,
    tool: &str,
) -> Result<(), Gate> {
    if info.workdir != app {
        return Err(gate(
            rule,
            format!(
                "line {}: {tool} runs in {} but the app starts in {app}",
                line_of(df, info.item),
                info.workdir
            ),
        ));
    }
    if runs_as_non_root(info) {
        return Err(gate(
            rule,
            format!(
                "line {}: {tool} runs as a non-root user, so who owns its environment depends on that user; moving it is not supported yet",
                line_of(df, info.item)
            ),
        ));
    }
    Ok(())
}

/// Where `uv sync` puts the project environment, when it is shown to use
/// the image's own interpreter: a venv linked to an interpreter uv
/// downloaded (into root's home) would not run in the runtime stage.
fn uv_project_env(
    df: &Dockerfile,
    infos_before: &[StepInfo],
    info: &StepInfo,
    cmd: &super::steps::CmdInfo,
    ctx: Option<&Context>,
    builder: &str,
) -> Result<(String, String), Gate> {
    let line = line_of(df, info.item);
    let fail = |why: String| Err(gate(&cmd.rule, format!("line {line}: {why}")));
    let env = |k: &str| info.env.get(k).or_else(|| cmd.assignments.get(k));
    if let Some(flag) = cmd.args.iter().flatten().find(|a| {
        // -p, -p3.13, -p=3.13, --python…, --python-preference…
        a.starts_with("-p") && !a.starts_with("--")
            || a.starts_with("--python")
            || a.starts_with("--managed-python")
            || a.starts_with("--no-managed-python")
    }) {
        return fail(format!(
            "`uv sync {flag}` may pick or download another interpreter than the image's, which the runtime base would not have"
        ));
    }
    if let Some(flag) = cmd
        .args
        .iter()
        .flatten()
        .find(|a| a.starts_with("--project") || a.starts_with("--directory"))
    {
        return fail(format!(
            "`uv sync {flag}` works on a project elsewhere than the directory the app starts in"
        ));
    }
    for k in ["UV_PYTHON", "UV_MANAGED_PYTHON", "UV_PYTHON_PREFERENCE"] {
        if env(k).is_some() {
            return fail(format!(
                "{k} may make uv pick or download another interpreter than the image's, which the runtime base would not have"
            ));
        }
    }
    let Some(ctx) = ctx else {
        return fail(
            "without a build context, uv's Python requirement cannot be checked against the image's Python, and an interpreter uv downloads would not be in the runtime".into(),
        );
    };
    let Some(image_python) = python_version_of(builder) else {
        return fail(format!(
            "the tag of `{builder}` does not say which Python minor version it holds, so uv's Python requirement cannot be checked against it"
        ));
    };
    let dir = info.workdir.trim_end_matches('/');
    // The files checked below are the context's own: the project must come
    // from the context root into the directory uv runs in.
    if !project_from_context_root(df, infos_before, dir) {
        return fail(format!(
            "uv's project files do not come from the context root into {dir}, so the pyproject.toml and .python-version uv reads cannot be checked"
        ));
    }
    for file in [".python-version", "pyproject.toml", "uv.toml"] {
        if ctx.has(file) && ctx.text(file).is_none() {
            return fail(format!("{file} could not be read"));
        }
    }
    if let Some(pinned) = ctx.text(".python-version") {
        let want = pinned
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'));
        // A patch level (3.11.9) or an implementation name asks for exactly
        // that, which the tag does not promise.
        if want.is_some_and(|w| w != image_python) {
            return fail(format!(
                ".python-version asks for Python {}, the image's tag promises {image_python}: uv may download an interpreter the runtime would not have",
                want.unwrap_or_default()
            ));
        }
    }
    // uv's own settings: an interpreter preference other than the system's.
    let pyproject_uv = ctx.text("pyproject.toml").map(|t| toml_table(t, "tool.uv"));
    for (file, text) in [
        ("pyproject.toml [tool.uv]", pyproject_uv.as_deref()),
        ("uv.toml", ctx.text("uv.toml")),
    ] {
        if let Some(pref) = text.and_then(|t| toml_value(t, "python-preference"))
            && !matches!(pref.as_str(), "system" | "only-system")
        {
            return fail(format!(
                "{file} sets python-preference = \"{pref}\": uv may use or download an interpreter the runtime would not have"
            ));
        }
    }
    if let Some(spec) = ctx.text("pyproject.toml").and_then(requires_python) {
        match python_satisfies(&spec, &image_python) {
            Some(true) => {}
            Some(false) => {
                return fail(format!(
                    "requires-python `{spec}` excludes the image's Python {image_python}: uv would download an interpreter the runtime would not have"
                ));
            }
            None => {
                return fail(format!(
                    "requires-python `{spec}` cannot be checked against the image's Python {image_python}"
                ));
            }
        }
    }
    let venv = match env("UV_PROJECT_ENVIRONMENT") {
        Some(v) => join_path(dir, v),
        None => format!("{dir}/.venv"),
    };
    let why = match ctx.text("pyproject.toml").and_then(requires_python) {
        Some(spec) => format!(
            "it links to the image's own Python {image_python}, which requires-python `{spec}` allows, so uv downloads no interpreter"
        ),
        None => format!(
            "it links to the image's own Python {image_python}: the project asks for no other, so uv downloads no interpreter"
        ),
    };
    Ok((venv, why))
}

/// `3.12` from `python:3.12-slim`, `python:3.12.4`; `None` for `python:3`.
fn python_version_of(image: &str) -> Option<String> {
    let tag = crate::rules::pattern::ImageRef::parse(image).tag?;
    let mut parts = tag.split(|c: char| !c.is_ascii_digit() && c != '.');
    let version = parts.next()?;
    let mut nums = version.split('.');
    let (major, minor) = (nums.next()?, nums.next()?);
    (!major.is_empty() && !minor.is_empty()).then(|| format!("{major}.{minor}"))
}

/// The `requires-python` value of a pyproject.toml's `[project]` table.
fn requires_python(pyproject: &str) -> Option<String> {
    toml_value(&toml_table(pyproject, "project"), "requires-python")
}

/// The lines of one `[table]` of a TOML file (keys and values only, enough
/// for the few string settings read here).
fn toml_table(text: &str, table: &str) -> String {
    let header = format!("[{table}]");
    let mut inside = false;
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            inside = t == header;
            continue;
        }
        if inside {
            out.push_str(t);
            out.push('\n');
        }
    }
    out
}

/// A `key = "value"` of a TOML fragment, quotes and comment removed.
fn toml_value(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix(key)?;
        let value = rest.trim_start().strip_prefix('=')?.trim();
        let value = value.split('#').next().unwrap_or(value).trim();
        Some(value.trim_matches(|c| c == '"' || c == '\'').to_string())
    })
}

/// Whether a COPY/ADD before the step brings `pyproject.toml` from the
/// context root into `dir` (`COPY . .`, `COPY pyproject.toml uv.lock ./`).
fn project_from_context_root(df: &Dockerfile, before: &[StepInfo], dir: &str) -> bool {
    before.iter().any(|i| {
        let StepKind::CopyContext { sources, .. } = &i.kind else {
            return false;
        };
        let Some(Body::Copy { paths, .. }) = df.instruction_at(i.item).map(|x| &x.body) else {
            return false;
        };
        let Some(dest) = paths.last() else {
            return false;
        };
        let into = join_path(
            &i.workdir,
            &crate::syntax::process_word(&dest.value, df.escape),
        );
        let from_root = sources.iter().any(|s| {
            matches!(
                s.trim_start_matches("./").trim_end_matches('/'),
                "" | "." | "pyproject.toml"
            )
        });
        from_root && into.trim_end_matches('/') == dir
    })
}

/// Whether every version `minor` (`3.12`, any patch level) satisfies the
/// PEP 440 specifier set; `None` when that cannot be told (a clause on a
/// patch level, an unknown operator).
fn python_satisfies(spec: &str, minor: &str) -> Option<bool> {
    let parse =
        |v: &str| -> Option<Vec<u32>> { v.trim().split('.').map(|p| p.parse().ok()).collect() };
    let have = parse(minor)?;
    let mut all = true;
    for clause in spec.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let op_len = clause
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(clause.len());
        let (op, version) = (clause[..op_len].trim(), clause[op_len..].trim());
        let (version, wildcard) = match version.strip_suffix(".*") {
            Some(v) => (v, true),
            None => (version, false),
        };
        let want = parse(version)?;
        if want.is_empty() || want.len() > 2 {
            // A patch level: `3.12` says nothing about it.
            return None;
        }
        use std::cmp::Ordering::*;
        // Versions compare zero-padded: 3.12.4 > 3.12, so a bound equal to
        // the minor itself is only decided by the patch level.
        let cmp = have.as_slice().cmp(&want[..]);
        let ok = match (op, wildcard) {
            (">=", false) => cmp != Less,
            (">", false) => match cmp {
                Greater => true,
                Equal => return None,
                Less => false,
            },
            ("<", false) => cmp == Less,
            ("<=", false) => match cmp {
                Less => true,
                Equal => return None,
                Greater => false,
            },
            ("==", true) => have.starts_with(&want),
            ("!=", true) => !have.starts_with(&want),
            ("~=", false) if want.len() == 2 => cmp != Less && have[0] == want[0],
            _ => return None,
        };
        all &= ok;
    }
    Some(all)
}

fn java(
    c: &mut Closure,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
) -> Result<(), Gate> {
    c.app_kind = Some(AppKind::JvmApp);
    let built = produced(infos, Role::Build);
    if built.is_empty() {
        return Err(gate(
            "core/prebuilt",
            "no Maven or Gradle package step: the jar is built outside the image, or by a tool no rule knows",
        ));
    }
    let argv = &entry.argv;
    if argv.first().map(|p| p.rsplit('/').next().unwrap_or(p)) != Some("java") {
        return Err(gate(
            "java/rt-maven-jar",
            format!(
                "the entry runs `{}`, not `java`; what it needs cannot be shown",
                entry.describe()
            ),
        ));
    }
    let mut paths: Vec<String> = Vec::new();
    let mut it = argv.iter().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "-jar" => paths.extend(it.next().cloned()),
            "-cp" | "-classpath" | "--class-path" => {
                if let Some(cp) = it.next() {
                    paths.extend(
                        cp.split(':')
                            .map(|p| p.trim_end_matches("/*").trim_end_matches('*').to_string()),
                    );
                }
            }
            _ => {}
        }
    }
    if paths.is_empty() {
        return Err(gate(
            "java/rt-maven-jar",
            "the entry names no jar (-jar) or class path (-cp)",
        ));
    }
    let thin = ctx.is_none_or(|x| {
        x.text("pom.xml")
            .is_some_and(|p| p.contains("copy-dependencies") || p.contains("classpathPrefix"))
    });
    for p in paths {
        let abs = join_path(&entry.workdir, &p);
        let Some((pattern, rule)) = built.iter().find(|(pat, _)| {
            path_matches(pat, &abs)
                || pat
                    .rsplit_once('/')
                    .is_some_and(|(dir, _)| abs == dir || abs.starts_with(&format!("{dir}/")))
        }) else {
            return Err(gate(
                "core/prebuilt",
                format!(
                    "the entry uses {abs}, which no build step writes (the build writes {})",
                    list(built.iter().map(|b| &b.0))
                ),
            ));
        };
        let dir = pattern
            .rsplit_once('/')
            .map_or(pattern.as_str(), |(d, _)| d)
            .to_string();
        let rt_rule = if rule.starts_with("java/gradle") {
            "java/rt-gradle-jar"
        } else {
            "java/rt-maven-jar"
        };
        let (from, reason) = if thin && path_matches(pattern, &abs) {
            (
                dir.clone(),
                if ctx.is_none() {
                    "without the build context the jar's Class-Path cannot be read, so the whole output directory comes along".to_string()
                } else {
                    "pom.xml copies dependencies next to the jar (copy-dependencies / classpathPrefix), so the whole output directory comes along".to_string()
                },
            )
        } else {
            (
                abs.clone(),
                "the jar or class path the entry runs".to_string(),
            )
        };
        let spec = CopySpec {
            to: from.clone(),
            from,
            rule: rt_rule.into(),
            reason,
        };
        if let Some(existing) = c.copies.iter_mut().find(|x| x.from == spec.from) {
            *existing = spec;
        } else {
            c.copies.push(spec);
        }
    }
    // Files the app may read relative to its working directory.
    if ctx.is_none() {
        c.warnings.push("without the build context, files the app reads from its working directory cannot be ruled out; only the jar is copied".into());
    }
    Ok(())
}

fn dotnet(
    c: &mut Closure,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
) -> Result<(), Gate> {
    let publish: Vec<(String, String)> = infos
        .iter()
        .flat_map(|i| i.commands())
        .filter(|c| c.rule.starts_with("dotnet/publish"))
        .flat_map(|c| c.produces.iter().map(move |p| (p.clone(), c.rule.clone())))
        .collect();
    let Some((dir, rule)) = publish.first().cloned() else {
        return Err(gate(
            "core/prebuilt",
            "no `dotnet publish -o DIR` step: the app is built elsewhere",
        ));
    };
    if dir.contains('*') {
        return Err(gate(
            "dotnet/rt-publish",
            "`dotnet publish` has no -o: the publish folder's path depends on the project",
        ));
    }
    let self_contained = rule == "dotnet/publish-self-contained";
    let argv = &entry.argv;
    let target = match argv.first().map(String::as_str) {
        Some("dotnet") => argv.get(1).cloned().unwrap_or_default(),
        Some(p) => p.to_string(),
        None => String::new(),
    };
    let abs = join_path(&entry.workdir, &target);
    if !abs.starts_with(&format!("{}/", dir.trim_end_matches('/'))) {
        return Err(gate(
            "dotnet/rt-publish",
            format!("the entry runs {abs}, which is not in the publish folder {dir}"),
        ));
    }
    c.invariant_globalization = invariant_globalization(ctx);
    let web = dotnet_web(ctx);
    c.app_kind = Some(if self_contained {
        AppKind::DotnetSelfContained
    } else if web {
        AppKind::DotnetWeb
    } else {
        AppKind::DotnetConsole
    });
    c.copies.push(CopySpec {
        from: dir.clone(),
        to: dir,
        rule: "dotnet/rt-publish".into(),
        reason: "the publish folder holds the app and every assembly it loads".into(),
    });
    Ok(())
}

fn list<'a>(items: impl Iterator<Item = &'a String>) -> String {
    let v: BTreeSet<&String> = items.collect();
    v.into_iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::{python_satisfies, python_version_of, requires_python};

    #[test]
    fn python_minor_from_the_tag() {
        assert_eq!(python_version_of("python:3.12").as_deref(), Some("3.12"));
        assert_eq!(
            python_version_of("python:3.12-slim-bookworm").as_deref(),
            Some("3.12")
        );
        assert_eq!(
            python_version_of("python:3.11.9-slim").as_deref(),
            Some("3.11")
        );
        assert_eq!(
            python_version_of("docker.io/library/python:3.13").as_deref(),
            Some("3.13")
        );
        // A tag without a minor version says nothing about it.
        assert_eq!(python_version_of("python:3"), None);
        assert_eq!(python_version_of("python:3-slim"), None);
        assert_eq!(python_version_of("python:slim"), None);
        assert_eq!(python_version_of("python"), None);
    }

    #[test]
    fn requires_python_is_read_from_the_project_table() {
        let toml = "[tool.x]\nrequires-python = \"nope\"\n\n[project]\nname = \"a\"\nrequires-python = \">=3.11,<3.14\"  # comment\n[build-system]\n";
        assert_eq!(requires_python(toml).as_deref(), Some(">=3.11,<3.14"));
        assert_eq!(requires_python("[project]\nname = \"a\"\n"), None);
        assert_eq!(
            requires_python("[project]\nrequires-python='~=3.12'\n").as_deref(),
            Some("~=3.12")
        );
    }

    #[test]
    fn specifiers_against_a_minor_version() {
        let ok = |spec, v| python_satisfies(spec, v);
        assert_eq!(ok(">=3.11", "3.12"), Some(true));
        assert_eq!(ok(">=3.11", "3.11"), Some(true));
        assert_eq!(ok(">=3.12", "3.11"), Some(false));
        assert_eq!(ok(">=3.11,<3.13", "3.12"), Some(true));
        assert_eq!(ok(">=3.11,<3.13", "3.13"), Some(false));
        assert_eq!(ok("<3.12", "3.11"), Some(true));
        assert_eq!(ok("<3.12", "3.12"), Some(false));
        assert_eq!(ok("~=3.11", "3.13"), Some(true));
        assert_eq!(ok("~=3.11", "3.10"), Some(false));
        assert_eq!(ok("==3.12.*", "3.12"), Some(true));
        assert_eq!(ok("==3.12.*", "3.11"), Some(false));
        assert_eq!(ok("!=3.11.*", "3.11"), Some(false));
        assert_eq!(ok(">=3", "3.11"), Some(true));
        assert_eq!(ok("<4", "3.11"), Some(true));
        // The patch level decides, and `3.12` does not say it.
        assert_eq!(ok(">=3.12.4", "3.12"), None);
        assert_eq!(ok(">3.12", "3.12"), None);
        assert_eq!(ok(">3.12", "3.13"), Some(true));
        assert_eq!(ok("<=3.12", "3.12"), None);
        assert_eq!(ok("<=3.12", "3.11"), Some(true));
        assert_eq!(ok("==3.12", "3.12"), None);
        // Not PEP 440 (poetry's caret), or unknown operators.
        assert_eq!(ok("^3.11", "3.12"), None);
        assert_eq!(ok("===3.12", "3.12"), None);
    }
}
