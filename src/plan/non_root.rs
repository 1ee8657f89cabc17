//! `--non-root`: what a root app's runtime user must own once the rewrite
//! switches it to a non-root account, and what the analysis cannot show.
//!
//! Without `--non-root` the runtime runs as the original's user and nothing
//! here applies (`core/same-user`). With it, the user gets the directories an
//! app may write to: the directory it starts in (its tree comes with
//! `COPY --chown`), every directory the Dockerfile creates or hands over
//! (`mkdir`, `chown -R`), every VOLUME, and the folders the app's own sources
//! name beside a file-system call (`fs.mkdirSync('/data/cdn')`). Everything
//! else stays root's, and the explanation says so.
//!
//! Invariant: pure; only reads the classified steps, the entry and the
//! context's source texts.

use super::entry::Entry;
use super::steps::StepInfo;
use crate::model::{Context, join_path};
use crate::syntax::{Body, Dockerfile, Keyword};

/// A directory handed to the runtime's user, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OwnedDir {
    /// Absolute, normalised.
    pub path: String,
    pub why: String,
}

/// What `--non-root` gives the user, and what it cannot show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Ownership {
    /// In path order: a parent before its children.
    pub dirs: Vec<OwnedDir>,
    /// Writes the analysis cannot account for, in plain words.
    pub unproven: Vec<String>,
}

impl Ownership {
    /// Whether `path` is one of the owned directories or inside one.
    pub fn covers(&self, path: &str) -> bool {
        self.dirs.iter().any(|d| inside(path, &d.path))
    }

    fn add(&mut self, path: &str, why: String) {
        if !self.dirs.iter().any(|d| d.path == path) {
            self.dirs.push(OwnedDir {
                path: path.to_string(),
                why,
            });
        }
    }
}

/// `path` is `dir` or below it.
pub(crate) fn inside(path: &str, dir: &str) -> bool {
    path == dir || path.starts_with(&format!("{}/", dir.trim_end_matches('/')))
}

/// Where a path lies, for handing it over.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Area {
    /// Writable by everyone already (`/tmp`), or the kernel's (`/proc`).
    Ignored,
    /// A folder of the operating system: never handed to the app's user.
    System,
    /// The folder to hand over for a path under it (`/data` for
    /// `/data/cdn`, `/var/lib/app` for `/var/lib/app/db`).
    App(String),
}

/// Top-level folders that belong to the system (or to every user).
const SYSTEM_TOPS: &[&str] = &[
    "bin", "boot", "etc", "lib", "lib32", "lib64", "libx32", "root", "sbin", "usr",
];
const IGNORED_TOPS: &[&str] = &["dev", "proc", "sys", "tmp"];
/// Folders whose children are the apps' own (`/opt/app`, `/srv/site`).
const SHARED_TOPS: &[&str] = &["home", "media", "mnt", "opt", "run", "srv"];
/// Under `/var`: folders whose children are the apps' own.
const SHARED_VAR: &[&str] = &["cache", "lib", "log", "run", "spool"];

fn area(path: &str) -> Area {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let Some(first) = parts.first() else {
        return Area::System;
    };
    if IGNORED_TOPS.contains(first) || path.starts_with("/var/tmp") {
        return Area::Ignored;
    }
    if SYSTEM_TOPS.contains(first) {
        return Area::System;
    }
    let depth = if *first == "var" {
        if parts.get(1).is_some_and(|p| SHARED_VAR.contains(p)) {
            3
        } else {
            2
        }
    } else if SHARED_TOPS.contains(first) {
        2
    } else {
        1
    };
    if parts.len() < depth {
        return Area::System;
    }
    Area::App(format!("/{}", parts[..depth].join("/")))
}

/// Hands over `path` (a directory the Dockerfile or the app names) when it
/// is the app's; says why not otherwise. `copied`: the destinations the
/// runtime receives whole from the build stage (with `--chown` inside the
/// app's directory), so a folder under one of them arrives owned already.
fn hand_over(
    own: &mut Ownership,
    app_dir: Option<&str>,
    copied: &[&str],
    path: &str,
    why: String,
    exact: bool,
) {
    if app_dir.is_some_and(|a| inside(path, a)) && copied.iter().any(|c| inside(path, c)) {
        return;
    }
    match area(path) {
        Area::Ignored => {}
        Area::System => own.unproven.push(format!(
            "{path} ({why}) is a system folder: it stays root's, so the app cannot write there"
        )),
        Area::App(top) => {
            let target = if exact { path.to_string() } else { top };
            // A file directly under a system folder (`/var/lib/app.db`):
            // its folder cannot be handed over.
            let last = target.rsplit('/').next().unwrap_or("");
            if !exact && target == path && last.contains('.') {
                own.unproven.push(format!(
                    "{path} ({why}) looks like a file in a system folder: it stays root's"
                ));
                return;
            }
            own.add(&target, why);
        }
    }
}

/// What the runtime's user must own.
pub(crate) fn ownership(
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
    copied: &[&str],
) -> Ownership {
    let mut own = Ownership::default();
    let app_dir = (entry.workdir != "/").then(|| entry.workdir.clone());
    match &app_dir {
        Some(dir) => own.add(
            dir,
            "the directory the app starts in: its files come with --chown".into(),
        ),
        None => own.unproven.push(
            "the app starts in /, which stays root's: files it writes beside itself fail".into(),
        ),
    }
    // Directories the Dockerfile creates, or hands over (`chown -R`; a
    // plain `chown` or `chmod` may name a file, which is not a folder to
    // create).
    let mut made: Vec<String> = Vec::new();
    for info in infos {
        for cmd in info.commands() {
            let prog = cmd
                .program
                .as_deref()
                .map(|p| p.rsplit('/').next().unwrap_or(p));
            let flags = || cmd.args.iter().flatten().filter(|a| a.starts_with('-'));
            let recursive = flags().any(|f| f == "-R" || f == "--recursive");
            let takes = match prog {
                Some("mkdir") => 0,
                // The first operand is the owner.
                Some("chown") => 1,
                _ => continue,
            };
            let operands = cmd
                .args
                .iter()
                .flatten()
                .filter(|a| !a.starts_with('-'))
                .skip(takes);
            for a in operands {
                let path = join_path(&info.workdir, a);
                if prog == Some("mkdir") {
                    made.push(path.clone());
                } else if !recursive && !made.contains(&path) {
                    continue;
                }
                let why = format!(
                    "`{}` on line {}",
                    cmd.text,
                    df.instruction_at(info.item).map_or(0, |i| i.start_line)
                );
                hand_over(&mut own, app_dir.as_deref(), copied, &path, why, true);
            }
        }
        if info.keyword == Keyword::Volume
            && let Some(inst) = df.instruction_at(info.item)
            && let Body::Words { words, .. } = &inst.body
        {
            for w in words {
                let path = join_path(
                    &info.workdir,
                    &crate::syntax::process_word(&w.value, df.escape),
                );
                let why = format!(
                    "VOLUME on line {}: a new volume starts with the image's owner",
                    inst.start_line
                );
                hand_over(&mut own, app_dir.as_deref(), copied, &path, why, true);
            }
        }
    }
    // Folders the app's sources name beside a file-system call.
    if let Some(ctx) = ctx {
        for (file, text) in &ctx.contents {
            if !is_app_source(file) {
                continue;
            }
            for (n, line) in text.lines().enumerate() {
                if !writes_files(line) {
                    continue;
                }
                for lit in path_literals(line) {
                    let why = format!("named in {file}:{} (`{}`)", n + 1, short(line.trim()));
                    hand_over(&mut own, app_dir.as_deref(), copied, &lit, why, false);
                }
            }
        }
    }
    own.dirs.sort_by(|a, b| a.path.cmp(&b.path));
    own.unproven.push(
        "writes to other paths (built at run time, from the environment or a config file) cannot be seen: they stay root's; /tmp is writable by every user".into(),
    );
    if let Some(p) = low_port(df, infos) {
        own.unproven.push(format!(
            "port {p} is below 1024: Docker 20.10 and later let any user listen there, other runtimes (many Kubernetes set-ups) do not"
        ));
    }
    own
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// A source file of the app (not a dependency's, not a manifest).
fn is_app_source(path: &str) -> bool {
    let ext_ok = [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".py", ".go"]
        .iter()
        .any(|e| path.ends_with(e))
        && !path.ends_with(".d.ts");
    ext_ok
        && !path.split('/').any(|p| {
            matches!(
                p,
                "node_modules" | "vendor" | ".venv" | "venv" | "test" | "tests"
            )
        })
}

/// A line that touches the file system (or names a folder for it).
fn writes_files(line: &str) -> bool {
    const CALLS: &[&str] = &[
        // Node
        "fs.",
        "fsp.",
        "mkdir",
        "writeFile",
        "createWriteStream",
        "appendFile",
        "diskStorage",
        "destination",
        "dest:",
        "dest =",
        // Python
        "open(",
        "makedirs",
        "Path(",
        "os.path.join",
        "shutil.",
        // Go
        "os.Create",
        "os.OpenFile",
        "os.WriteFile",
        "os.MkdirAll",
        "os.Mkdir",
        // Databases that live in a file
        "sqlite",
        "Database(",
        "create_engine",
    ];
    const NAMES: &[&str] = &[
        "DIR", "FOLDER", "PATH", "STORAGE", "UPLOAD", "DATA", "DB_FILE",
    ];
    let trimmed = line.trim_start();
    if trimmed.starts_with("//") || trimmed.starts_with('#') || trimmed.starts_with('*') {
        return false;
    }
    if CALLS.iter().any(|c| line.contains(c)) {
        return true;
    }
    // `const UPLOAD_DIR = '/data/uploads'`, `DATA_PATH = "/srv/data"`: an
    // assignment to a plain name (not `=>`, `==`, nor a call's argument).
    line.split_once('=').is_some_and(|(lhs, rhs)| {
        let upper = lhs.to_ascii_uppercase();
        !rhs.starts_with(['=', '>'])
            && !lhs.ends_with(['!', '<', '>', '='])
            && !lhs.contains(['(', ')', '"', '\'', '`', ','])
            && NAMES.iter().any(|n| upper.contains(n))
    })
}

/// Absolute paths in string literals on a line (`'/data/cdn'`,
/// `"/srv/app/db.sqlite"`, `` `/data/${x}` `` up to the expansion).
fn path_literals(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let q = bytes[i];
        if matches!(q, b'\'' | b'"' | b'`') {
            let Some(len) = line[i + 1..].find(q as char) else {
                break;
            };
            let lit = &line[i + 1..i + 1 + len];
            let lit = lit.split("${").next().unwrap_or(lit);
            let lit = lit.split(['{', '%']).next().unwrap_or(lit);
            if lit.starts_with('/')
                && lit.len() > 1
                && !lit.starts_with("//")
                && lit
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-'))
            {
                let norm = join_path("/", lit);
                if norm != "/" {
                    out.push(norm);
                }
            }
            i += len + 2;
        } else {
            i += 1;
        }
    }
    out
}

/// The first EXPOSEd port below 1024, if any.
fn low_port(df: &Dockerfile, infos: &[StepInfo]) -> Option<u16> {
    infos
        .iter()
        .filter(|i| i.keyword == Keyword::Expose)
        .filter_map(|i| df.instruction_at(i.item))
        .flat_map(|inst| match &inst.body {
            Body::Words { words, .. } => words.clone(),
            _ => Vec::new(),
        })
        .filter_map(|w| w.value.split('/').next()?.parse::<u16>().ok())
        .find(|p| *p < 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas() {
        assert_eq!(area("/data/cdn"), Area::App("/data".into()));
        assert_eq!(area("/var/lib/app/db"), Area::App("/var/lib/app".into()));
        assert_eq!(area("/var/app"), Area::App("/var/app".into()));
        assert_eq!(area("/opt/app/uploads"), Area::App("/opt/app".into()));
        assert_eq!(area("/var/lib"), Area::System);
        assert_eq!(area("/opt"), Area::System);
        assert_eq!(area("/etc/app"), Area::System);
        assert_eq!(area("/usr/share/man/man1"), Area::System);
        assert_eq!(area("/tmp/x"), Area::Ignored);
        assert_eq!(area("/var/tmp/x"), Area::Ignored);
        assert_eq!(area("/"), Area::System);
    }

    #[test]
    fn literals_beside_file_calls() {
        let line = "fs.mkdirSync('/data/cdn', { recursive: true }); // and \"/health\"";
        assert!(writes_files(line));
        assert_eq!(path_literals(line), ["/data/cdn", "/health"]);
        assert_eq!(
            path_literals("const p = `/srv/files/${name}`"),
            ["/srv/files"]
        );
        assert!(path_literals("fetch('https://x/y')").is_empty());
        assert!(path_literals("open('relative.txt')").is_empty());
        assert!(writes_files("const UPLOAD_DIR = '/data/uploads';"));
        assert!(writes_files("DB_PATH = \"/srv/app.db\""));
        assert!(!writes_files(
            "app.get('/health', (req, res) => res.send('ok'))"
        ));
        assert!(!writes_files("// fs.mkdirSync('/data')"));
    }

    #[test]
    fn hand_over_rules() {
        let mut own = Ownership::default();
        let app = Some("/app");
        // Arrives with the app's tree, which is copied whole.
        hand_over(&mut own, app, &["/app"], "/app/uploads", "x".into(), true);
        // Only /app/out is copied: /app/data must be made in the runtime.
        hand_over(&mut own, app, &["/app/out"], "/app/data", "u".into(), true);
        hand_over(&mut own, app, &["/app"], "/data/cdn", "y".into(), false);
        hand_over(
            &mut own,
            app,
            &["/app"],
            "/var/lib/app.db",
            "z".into(),
            false,
        );
        hand_over(&mut own, app, &["/app"], "/etc/app.conf", "w".into(), false);
        hand_over(&mut own, app, &["/app"], "/tmp/cache", "v".into(), false);
        assert_eq!(
            own.dirs.iter().map(|d| d.path.as_str()).collect::<Vec<_>>(),
            ["/app/data", "/data"]
        );
        assert_eq!(own.unproven.len(), 2, "{:?}", own.unproven);
        assert!(own.covers("/data/cdn/x.png") && !own.covers("/datax"));
    }
}
