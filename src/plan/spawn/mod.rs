//! Programs the app starts at run time (`core/spawned-program`).
//!
//! The original runs on the build image, which has what the runtime base may
//! not (a full `node:20` has git, curl, ImageMagick; distroless has no shell
//! at all). An app that starts a program — Node's `child_process`, Python's
//! `subprocess`/`os.system`, Go's `os/exec`, Java's `ProcessBuilder` — would
//! fail on the runtime with ENOENT where the original works. So the app's own
//! sources the build copies in are read (`scan`), and after the base is
//! chosen every program they start is checked against what the runtime has
//! (`check`): the base's catalogue facts, what the start command itself runs
//! by name, what the runtime installs and what it receives. A program the
//! runtime is not shown to have, or one not named by a literal, leaves the
//! file unchanged with the file, line and program.
//!
//! A literal command line run through `/bin/sh` (`exec`, `os.system`,
//! `shell=True`) asks for a base with a shell before the choice
//! (`Closure::spawn_shell`), and each program of the line is checked after.
//!
//! Imports nothing above `steps`, `types`, `facts`, `base`, `entry` and
//! `rule_ids`; `plan_runtime` calls `scan` before the base is chosen and
//! `check` after.

mod lex;
mod scan;
#[cfg(test)]
mod tests;

use super::base::Chosen;
use super::entry::Entry;
use super::facts;
use super::rule_ids as ids;
use super::steps::{CmdKind, PATH_DIRS, StepInfo, StepKind};
use super::types::{Closure, Gate};
use crate::model::{Context, join_path};
use crate::rules::{AppKind, Libc, Requirement};
use crate::syntax::Dockerfile;
use lex::Lang;
use scan::What;

/// A call in the app's sources that starts a program.
#[derive(Debug, Clone)]
pub(crate) struct Spawn {
    /// The source file, as a context path.
    pub file: String,
    /// The COPY that brings it into the image.
    pub item: usize,
    pub line: usize,
    pub call: String,
    what: What,
}

/// What [`scan`] read, for [`check`]: the calls, and what the steps and the
/// context say the runtime gets beside the base.
#[derive(Debug, Default)]
pub(crate) struct Spawned {
    spawns: Vec<Spawn>,
    /// The build image the original runs on, for the reason.
    builder: String,
    /// Programs the runtime gets by name: those of the system packages a
    /// RUN repeated there installs (a placement pragma), and a Python app's
    /// declared dependencies.
    installed: Vec<String>,
}

impl Spawn {
    fn at(&self) -> String {
        format!("{} line {}", self.file, self.line)
    }
}

/// The language of a source file of the profile's own language.
fn language(profile: &str, path: &str) -> Option<Lang> {
    let ext = path.rsplit_once('.').map(|(_, e)| e)?;
    match (profile, ext) {
        ("node", "js" | "mjs" | "cjs" | "ts" | "mts" | "cts" | "jsx" | "tsx") => {
            (!path.ends_with(".d.ts")).then_some(Lang::Js)
        }
        ("python", "py") => Some(Lang::Python),
        ("go", "go") => Some(Lang::Go),
        ("java", "java") => Some(Lang::Java),
        ("java", "kt") => Some(Lang::Kotlin),
        _ => None,
    }
}

/// Folders whose files are not the app's own running code: dependencies
/// (installed or vendored), virtual environments and tests.
const NOT_APP_DIRS: &[&str] = &[
    "node_modules",
    "bower_components",
    "vendor",
    "third_party",
    ".venv",
    "venv",
    "site-packages",
    "test",
    "tests",
    "__tests__",
    "__mocks__",
    "spec",
    "testdata",
    "e2e",
    "cypress",
];

/// Whether `path` is the app's own running code: not in a folder of
/// [`NOT_APP_DIRS`], not a test (`*_test.go`, `*.test.js`, `*.spec.ts`,
/// `test_*.py`, `*_test.py`, `conftest.py`), not minified, not a build
/// script (`setup.py`, `*.config.js`, gulp and grunt files).
fn app_source(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let dirs = path.split('/').rev().skip(1);
    !dirs.into_iter().any(|d| NOT_APP_DIRS.contains(&d))
        && !name.ends_with("_test.go")
        && !name.contains(".test.")
        && !name.contains(".spec.")
        && !name.contains(".min.")
        && !name.contains(".config.")
        && !(name.ends_with(".py") && (stem.starts_with("test_") || stem.ends_with("_test")))
        && !matches!(
            stem,
            "conftest" | "setup" | "noxfile" | "gulpfile" | "Gulpfile" | "Gruntfile"
        )
}

/// The COPY or ADD of the stage that brings context file `path` into the
/// image, if any.
fn copied_by(infos: &[StepInfo], path: &str) -> Option<usize> {
    infos.iter().find_map(|i| {
        let StepKind::CopyContext { sources, .. } = &i.kind else {
            return None;
        };
        sources
            .iter()
            .any(|s| {
                let s = s.trim_start_matches("./").trim_end_matches('/');
                s.is_empty()
                    || s == "."
                    || path == s
                    || path.starts_with(&format!("{s}/"))
                    || path
                        .match_indices('/')
                        .map(|(at, _)| &path[..at])
                        .chain([path])
                        .any(|prefix| facts::path_matches(s, prefix))
            })
            .then_some(i.item)
    })
}

/// Reads the app's sources for the programs they start. A literal command
/// line run through `/bin/sh` asks for a base with a shell
/// (`spawn_shell`); the rest is checked by [`check`] once the base is
/// chosen. Nothing without the build context, for a profile whose sources
/// are not read (.NET, Rust), or for a static site nginx serves.
pub(crate) fn scan(
    infos: &[StepInfo],
    ctx: Option<&Context>,
    profile: &str,
    builder: &str,
    closure: &mut Closure,
) -> Spawned {
    let Some(ctx) = ctx else {
        return Spawned::default();
    };
    if closure.static_site.is_some() {
        return Spawned::default();
    }
    let mut out = Vec::new();
    for (path, text) in &ctx.contents {
        let Some(lang) = language(profile, path) else {
            continue;
        };
        if !app_source(path) {
            continue;
        }
        let Some(item) = copied_by(infos, path) else {
            continue;
        };
        for f in scan::scan(text, lang) {
            out.push(Spawn {
                file: path.clone(),
                item,
                line: f.line,
                call: f.call,
                what: f.what,
            });
        }
    }
    if closure.spawn_shell.is_none()
        && let Some((s, line)) = out.iter().find_map(|s| Some((s, shell_line(&s.what)?)))
    {
        closure.needs_shell = true;
        closure.spawn_shell = Some(format!(
            "{} runs `{}` through /bin/sh ({})",
            s.at(),
            short(line),
            s.call
        ));
    }
    let mut installed = Vec::new();
    for info in infos {
        if closure.replay.contains(&info.item) || closure.kept.contains(&info.item) {
            for c in info.commands() {
                if let CmdKind::Packages {
                    build_only,
                    runtime,
                    ..
                } = &c.kind
                {
                    installed.extend(build_only.iter().chain(runtime).cloned());
                }
            }
        }
    }
    if closure.app_kind == Some(AppKind::PythonApp) {
        installed.extend(python_dependencies(ctx));
    }
    Spawned {
        spawns: out,
        builder: builder.to_string(),
        installed,
    }
}

/// The command line a call runs through a shell: `exec('…')`,
/// `os.system('…')`, and `sh -c '…'` / `bash -c '…'` in argument form.
fn shell_line(what: &What) -> Option<&str> {
    match what {
        What::Shell(line) => Some(line),
        What::Program(p, args) if is_shell(p) => {
            let c = args.iter().position(|a| a.as_deref() == Some("-c"))?;
            args.get(c + 1)?.as_deref()
        }
        _ => None,
    }
}

fn is_shell(p: &str) -> bool {
    matches!(p, "sh" | "bash" | "/bin/sh" | "/bin/bash" | "/usr/bin/bash")
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// Shell builtins (POSIX special and regular ones dash and bash both have):
/// they need the shell and nothing else.
const BUILTINS: &[&str] = &[
    "cd", "echo", "exit", "export", "set", "unset", "test", "[", "true", "false", "printf", "read",
    "shift", "trap", "umask", "wait", "kill", "pwd", ":", ".", "return", "type",
];

/// Utilities every base with a shell has: on Debian and Ubuntu those of
/// the essential packages (coreutils, grep, sed, tar, gzip, findutils), on
/// Alpine busybox's applets of the same names. The Node profile counts the
/// first twelve for start commands already.
const SHELL_UTILITIES: &[&str] = &[
    "cp", "mv", "mkdir", "rm", "ln", "cat", "touch", "sleep", "printf", "chmod", "ls", "tee",
    "env", "echo", "test", "true", "false", "wc", "head", "tail", "sort", "uniq", "cut", "tr",
    "date", "uname", "id", "whoami", "basename", "dirname", "mktemp", "readlink", "realpath",
    "stat", "du", "df", "chown", "grep", "sed", "tar", "gzip", "gunzip", "find", "xargs",
];

/// Programs of Debian packages whose name is not the package's. A package
/// not listed gives the program of its own name only.
const PACKAGE_PROGRAMS: &[(&str, &[&str])] = &[
    (
        "imagemagick",
        &["convert", "identify", "mogrify", "composite", "montage"],
    ),
    ("graphicsmagick", &["gm"]),
    ("ghostscript", &["gs"]),
    (
        "poppler-utils",
        &[
            "pdftotext",
            "pdftoppm",
            "pdfinfo",
            "pdftocairo",
            "pdfimages",
        ],
    ),
    (
        "postgresql-client",
        &["psql", "pg_dump", "pg_restore", "pg_isready"],
    ),
    ("default-mysql-client", &["mysql", "mysqldump"]),
    (
        "mariadb-client",
        &["mysql", "mysqldump", "mariadb", "mariadb-dump"],
    ),
    ("libreoffice", &["soffice", "libreoffice"]),
    ("libreoffice-writer", &["soffice", "libreoffice"]),
    ("tesseract-ocr", &["tesseract"]),
    ("openssh-client", &["ssh", "scp", "ssh-keygen"]),
    ("p7zip-full", &["7z", "7za"]),
    ("xz-utils", &["xz", "unxz"]),
    ("graphviz", &["dot"]),
    ("iputils-ping", &["ping"]),
    ("netcat-openbsd", &["nc"]),
    ("procps", &["ps", "pkill", "pgrep", "free", "top"]),
    ("chromium", &["chromium"]),
];

/// What the runtime has, as far as the analysis can show.
struct Runtime<'a> {
    image: &'a str,
    shell: bool,
    bash: bool,
    /// Programs found by name (on PATH).
    names: Vec<String>,
    /// Absolute paths known to exist (the base's interpreter).
    paths: Vec<String>,
    /// Folders the runtime receives from the build (files under them exist).
    copied: Vec<String>,
    workdir: &'a str,
}

impl Runtime<'_> {
    fn receives(&self, path: &str) -> bool {
        self.copied.iter().any(|c| {
            let c = c.trim_end_matches('/');
            c.is_empty() || path == c || path.starts_with(&format!("{c}/"))
        })
    }

    /// Whether the runtime has `prog` (a name looked up on PATH, or a path).
    fn has(&self, prog: &str) -> bool {
        if prog.contains('/') {
            let abs = join_path(self.workdir, prog);
            if self.paths.contains(&abs) || self.receives(&abs) {
                return true;
            }
            let (dir, name) = abs.rsplit_once('/').unwrap_or(("", &abs));
            return PATH_DIRS.contains(&dir) && self.has_name(name, false);
        }
        self.has_name(prog, true)
    }

    fn has_name(&self, name: &str, path_lookup: bool) -> bool {
        match name {
            "sh" => self.shell,
            "bash" => self.bash,
            _ if SHELL_UTILITIES.contains(&name) => self.shell,
            _ => {
                self.names.iter().any(|n| n == name)
                    || (path_lookup
                        && PATH_DIRS
                            .iter()
                            .any(|d| self.receives(&format!("{d}/{name}"))))
            }
        }
    }
}

/// The Python dependencies the manifests declare (requirements*.txt,
/// pyproject.toml, Pipfile), by name: pip puts a package's console script
/// of the same name (`gunicorn`, `alembic`, `celery`) on PATH in the
/// original, and the runtime takes the install (the venv, on PATH).
fn python_dependencies(ctx: &Context) -> Vec<String> {
    let mut out = Vec::new();
    for (path, text) in &ctx.contents {
        let name = path.rsplit('/').next().unwrap_or(path);
        let requirements = name.starts_with("requirements") && name.ends_with(".txt");
        if !(requirements || name == "pyproject.toml" || name == "Pipfile") {
            continue;
        }
        for line in text.lines() {
            let line = line.trim().trim_start_matches(['"', '\'']);
            let dep: String = line
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            if !dep.is_empty() && !line.starts_with('#') && !line.starts_with('[') {
                out.push(dep.to_ascii_lowercase());
            }
        }
    }
    out
}

/// What the runtime has: the catalogue's facts of the chosen base (a shell;
/// bash on a glibc base with a shell, which is Debian's or Ubuntu's;
/// the interpreter its ENTRYPOINT names when that is the profile's own
/// (`node`; `python`, `python3`; `java`), by name only when it lies on the
/// default PATH; else the profile's interpreter by name, with `npm` and
/// `npx` on a Node base that has npm), the
/// programs the start command runs by name as the rewrite keeps it, the
/// system packages the runtime installs (their programs), a Python app's
/// declared dependencies, and the folders it receives.
fn runtime<'a>(
    chosen: &'a Chosen,
    closure: &Closure,
    entry: &'a Entry,
    installed: &[String],
) -> Runtime<'a> {
    let spec = chosen.spec.as_ref();
    let shell = spec.is_some_and(|s| s.shell);
    let mut names: Vec<String> = Vec::new();
    let mut paths = Vec::new();
    let own: &[&str] = match closure.app_kind {
        Some(AppKind::NodeApp) => &["node"],
        Some(AppKind::PythonApp) => &["python", "python3"],
        Some(AppKind::JvmApp) => &["java"],
        _ => &[],
    };
    // The ENTRYPOINT is the interpreter only when it names one; a script
    // (`docker-entrypoint.sh`, `/__cacert_entrypoint.sh`) leaves the
    // family's own programs on PATH.
    let interp = spec
        .and_then(|s| s.entrypoint.as_ref())
        .and_then(|e| e.first())
        .filter(|e| own.contains(&e.rsplit('/').next().unwrap_or(e)));
    match interp {
        Some(interp) => {
            paths.push(interp.clone());
            if let Some((dir, name)) = interp.rsplit_once('/')
                && PATH_DIRS.contains(&dir)
            {
                names.push(name.to_string());
            }
        }
        None => {
            names.extend(own.iter().map(|s| s.to_string()));
            if closure.app_kind == Some(AppKind::NodeApp)
                && spec
                    .is_some_and(|s| !s.requires.contains(&Requirement::NoPackageManagerAtRuntime))
            {
                names.extend(["npm", "npx"].map(String::from));
            }
        }
    }
    if closure.jlink.is_some() {
        names.push("java".into());
    }
    // What the start command runs by name, unless the base's ENTRYPOINT
    // takes its place.
    if chosen.entry_rewrite.is_none() {
        for words in &entry.commands {
            if let Some(p) = words.first().filter(|p| !p.contains('/')) {
                names.push(p.clone());
            }
        }
    }
    let packages = closure
        .packages
        .iter()
        .chain(&chosen.extra_packages)
        .chain(installed);
    for p in packages {
        let name = p.split(['=', ':']).next().unwrap_or(p);
        names.push(name.to_string());
        if let Some((_, progs)) = PACKAGE_PROGRAMS.iter().find(|(pkg, _)| *pkg == name) {
            names.extend(progs.iter().map(|s| s.to_string()));
        }
    }
    Runtime {
        image: &chosen.image,
        shell,
        bash: shell && spec.is_some_and(|s| s.libc == Libc::Glibc),
        names,
        paths,
        copied: closure.copies.iter().map(|c| c.to.clone()).collect(),
        workdir: &entry.workdir,
    }
}

/// Leaves the file unchanged when the app's sources start a program the
/// runtime is not shown to have, run a command line through a shell it
/// lacks, or start a program not named by a literal. Nothing when the
/// runtime is the builder's own image (`--base` naming it).
pub(crate) fn check(
    df: &Dockerfile,
    spawned: &Spawned,
    chosen: &Chosen,
    closure: &Closure,
    entry: &Entry,
) -> Result<(), Gate> {
    if spawned.spawns.is_empty() || chosen.builder_image {
        return Ok(());
    }
    let rt = runtime(chosen, closure, entry, &spawned.installed);
    let builder = &spawned.builder;
    let gate = |s: &Spawn, what: String| {
        Err(facts::gate_near(
            df,
            s.item,
            ids::core::SPAWNED_PROGRAM,
            format!(
                "{}: {what}; the original runs it on {builder}. Install it in the runtime (a RUN the `# dfsplit: runtime` pragma places there), or name with --base an image that has it",
                s.at()
            ),
        ))
    };
    for s in &spawned.spawns {
        let missing = |prog: &str| {
            format!(
                "{} starts `{prog}`, which the runtime base {} is not known to have: it would fail there (ENOENT) where the original works",
                s.call, rt.image
            )
        };
        match &s.what {
            What::Own => {}
            What::Unknown(expr) => {
                return gate(
                    s,
                    format!(
                        "{} starts a program named by `{expr}`, not a literal, so whether the runtime base {} has it cannot be shown",
                        s.call, rt.image
                    ),
                );
            }
            What::Program(p, _) if !rt.has(p) => return gate(s, missing(p)),
            What::Program(..) | What::Shell(_) => {}
        }
        let Some(line) = shell_line(&s.what) else {
            continue;
        };
        if !rt.shell {
            return gate(
                s,
                format!(
                    "{} runs `{}` through /bin/sh, and the runtime base {} has no shell",
                    s.call,
                    short(line),
                    rt.image
                ),
            );
        }
        if let Err(why) = shell_programs(line, &rt) {
            return gate(
                s,
                format!("{} runs `{}` through /bin/sh: {why}", s.call, short(line)),
            );
        }
    }
    Ok(())
}

/// Each program a literal shell command line runs, checked: builtins need
/// the shell alone; `exec` and `command` run the word after them.
fn shell_programs(line: &str, rt: &Runtime) -> Result<(), String> {
    let script = crate::syntax::shell::parse(line);
    if script.has_errors() {
        return Err(
            "the line does not read as shell syntax, so what it runs cannot be shown".into(),
        );
    }
    for sc in script.all_simple_commands() {
        let mut words = sc.words.iter().map(|w| w.literal.as_deref());
        let mut name = words.next();
        while matches!(name, Some(Some("exec" | "command"))) {
            name = words.next();
        }
        match name {
            None => {}
            Some(None) => {
                return Err(format!(
                    "a program is named by `{}`, which is expanded at run time, so whether the runtime base {} has it cannot be shown",
                    sc.words.first().map_or("", |w| w.raw.as_str()),
                    rt.image
                ));
            }
            Some(Some(p)) if BUILTINS.contains(&p) || rt.has(p) => {}
            Some(Some(p)) => {
                return Err(format!(
                    "it starts `{p}`, which the runtime base {} is not known to have: it would fail there where the original works",
                    rt.image
                ));
            }
        }
    }
    Ok(())
}
