//! Go: the binary `go build -o` writes (static when cgo is off), plus the
//! working directory when the sources open files relative to it.

use super::Input;
use crate::model::Context;
use crate::plan::entry::Entry;
use crate::plan::facts::{gate, list, path_matches, produced, resolve_program};
use crate::plan::rule_ids as ids;
use crate::plan::steps::{CmdInfo, StepInfo};
use crate::plan::types::Warning;
use crate::plan::types::{Closure, CopySpec, Gate};
use crate::rules::{AppKind, Role};

/// Go modules that wrap C libraries and so need cgo.
const CGO_MODULES: &[&str] = &[
    "github.com/mattn/go-sqlite3",
    "github.com/confluentinc/confluent-kafka-go",
    "github.com/go-gl/",
    "gopkg.in/gographics/imagick",
    "github.com/h2non/bimg",
    "github.com/DataDog/zstd",
];

/// Packages whose install puts a C compiler on PATH (Alpine and Debian names).
const C_COMPILER_PACKAGES: &[&str] = &[
    "gcc",
    "g++",
    "clang",
    "build-base",
    "alpine-sdk",
    "build-essential",
    "tcc",
    "zig",
    "musl-gcc",
];

/// Go 1.20 and later build with cgo off when no C compiler is found on PATH
/// ("The go command now disables cgo by default on systems without a C
/// toolchain", Go 1.20 release notes), and the golang Alpine images ship
/// without one. So a `golang:1.N…-alpine…` builder (N ≥ 20, read from the
/// tag, never assumed) whose steps install no compiler and set neither CC
/// nor CGO_ENABLED builds a static binary. The reason, or `None`.
fn cgo_off_without_compiler(
    builder: &str,
    infos: &[StepInfo],
    env: &std::collections::BTreeMap<String, String>,
) -> Option<String> {
    let image = builder
        .trim_start_matches("docker.io/")
        .trim_start_matches("library/");
    let (name, tag) = image.split_once(':')?;
    if name != "golang" || !tag.contains("alpine") {
        return None;
    }
    let mut parts = tag.split(['.', '-']);
    let (major, minor) = (parts.next()?, parts.next()?);
    if major != "1" || minor.parse::<u32>().ok()? < 20 {
        return None;
    }
    if env.contains_key("CC") || env.contains_key("CGO_ENABLED") {
        return None;
    }
    // Any installed package that is a compiler, or whose name is not literal.
    let installs_compiler = infos.iter().flat_map(|i| i.commands()).any(|cmd| {
        matches!(cmd.program.as_deref(), Some("apk" | "apt-get" | "apt"))
            && cmd.args.iter().any(|a| {
                a.as_deref().is_none_or(|a| {
                    C_COMPILER_PACKAGES.iter().any(|p| {
                        a == *p
                            || a.starts_with(&format!("{p}="))
                            || a.starts_with(&format!("{p}~"))
                    }) || a.starts_with("gcc")
                        || a.starts_with("clang")
                })
            })
    });
    if installs_compiler {
        return None;
    }
    Some(format!(
        "`{builder}` has no C compiler and Go 1.{minor} (1.20 and later) turns cgo off when none is found, so the binary is static ({})",
        ids::core::CGO_OFF_WITHOUT_COMPILER
    ))
}

/// Calls in Go sources that open files relative to the working directory:
/// the standard library's, and libraries' (.env files, config files,
/// templates and static folders).
const FILE_READ_CALLS: &[&str] = &[
    "os.Open(",
    "os.ReadFile(",
    "ioutil.ReadFile(",
    "os.ReadDir(",
    "ParseFiles(",
    "ParseGlob(",
    "http.Dir(",
    "os.Stat(",
    // Libraries that open files relative to the working directory:
    // .env files, config files, templates and static folders.
    "filepath.Walk",
    "filepath.Glob(",
    "godotenv.",
    "viper.",
    "LoadHTMLGlob(",
    "LoadHTMLFiles(",
    ".Static(",
    ".StaticFS(",
    ".StaticFile(",
    "html.New(",
    "gorm.Open(sqlite",
];

/// Go's runtime plan, step by step: the binary the entry runs, how it is
/// linked, its copy, the working directory when the sources open files,
/// what else the sources need at run time, and cgo's last word.
fn go(c: &mut Closure, input: &Input) -> Result<(), Gate> {
    let (infos, entry, ctx) = (input.infos, input.entry, input.ctx);
    let path = entry_binary(infos, entry)?;
    link_mode(c, infos, &path, input.builder);
    c.app_kind = Some(if c.static_binary {
        AppKind::StaticBinary
    } else {
        AppKind::DynamicBinary
    });
    c.copies.push(CopySpec {
        from: path.clone(),
        to: path.clone(),
        rule: ids::go::RT_BINARY.into(),
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
    working_directory(c, entry, ctx, &path, &sources)?;
    c.needs_ca_certs = ctx.is_none()
        || sources.iter().any(|s| {
            s.contains("\"net/http\"") || s.contains("\"crypto/tls\"") || s.contains("\"net/smtp\"")
        });
    c.needs_tzdata = ctx.is_none() || sources.iter().any(|s| s.contains("LoadLocation("));
    cgo_in_sources(c, ctx, &sources);
    Ok(())
}

/// The binary the entry runs: one a `go build -o PATH` step writes (a gate
/// when there is none, when the entry runs something else, or when it comes
/// from `go install`, whose output name the command does not show).
fn entry_binary(infos: &[StepInfo], entry: &Entry) -> Result<String, Gate> {
    let built = produced(infos, Role::Build);
    if built.is_empty() {
        // A task runner at start (`make run`) builds or runs whatever its
        // recipe says when the container starts: say that, not "prebuilt".
        let prog = entry.program().unwrap_or_default();
        let runner = prog.rsplit('/').next().unwrap_or(prog);
        if ["make", "gmake", "just", "task", "mage"].contains(&runner) {
            return Err(gate(
                ids::core::PREBUILT,
                format!(
                    "the entry runs `{}`, a task runner whose recipe decides at start what is built and run, and no `go build -o PATH` step writes a binary for it: write the build as a RUN step and start the binary it writes",
                    entry.argv.join(" ")
                ),
            ));
        }
        return Err(gate(
            ids::core::PREBUILT,
            "no `go build -o PATH` step: the binary is built elsewhere, or its path cannot be read",
        ));
    }
    let prog = entry.program().unwrap_or_default();
    let Some(path) = resolve_program(prog, &entry.workdir, &built) else {
        return Err(gate(
            ids::go::RT_BINARY,
            format!("the entry runs `{prog}`, which is not a binary the build writes with -o"),
        ));
    };
    let Some((_, rule)) = built.iter().find(|(p, _)| path_matches(p, &path)) else {
        return Err(gate(
            ids::go::RT_BINARY,
            format!(
                "the entry runs `{path}`, but the build writes {}",
                list(built.iter().map(|b| &b.0))
            ),
        ));
    };
    if rule != ids::go::BUILD {
        return Err(gate(
            ids::go::RT_INSTALLED_BINARY,
            "the binary comes from `go install`; its name is not shown by the command",
        ));
    }
    Ok(path)
}

/// Whether the `go build` that writes `path` gives a static binary: cgo off
/// (CGO_ENABLED=0 for the command, or no C compiler on an Alpine builder)
/// and a plain executable. Sets `static_binary`, and the note that says why
/// (`static_note`) or why not (`binary_note`).
fn link_mode(c: &mut Closure, infos: &[StepInfo], path: &str, builder: &str) {
    let Some((info, cmd)) = infos
        .iter()
        .flat_map(|i| i.commands().iter().map(move |c| (i, c)))
        .find(|(_, c)| {
            c.rule == ids::go::BUILD && c.produces.iter().any(|p| path_matches(p, path))
        })
    else {
        return;
    };
    let cgo = cmd
        .assignments
        .get("CGO_ENABLED")
        .or_else(|| info.env.get("CGO_ENABLED"));
    let buildmode = buildmode(info, cmd);
    let exe = buildmode.is_none_or(|m| m == "exe" || m == "default");
    let default_off = if cgo.is_none() && !cmd.assignments.contains_key("CC") {
        cgo_off_without_compiler(builder, infos, &info.env)
    } else {
        None
    };
    let cgo_off = cgo.is_some_and(|v| v == "0") || default_off.is_some();
    c.static_binary = cgo_off && exe;
    if c.static_binary {
        c.static_note = default_off;
    }
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

/// The `-buildmode` a `go build` command uses, if it names one; one that is
/// not literal contains `$?`.
///
/// `-buildmode=pie` asks for the dynamic loader even without cgo (seen:
/// CGO_ENABLED=0 go build -buildmode=pie gives a binary with an ELF
/// interpreter, /lib64/ld-linux-x86-64.so.2). GOFLAGS comes first and the
/// command line after it; the last -buildmode counts.
fn buildmode<'a>(info: &'a StepInfo, cmd: &'a CmdInfo) -> Option<&'a str> {
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
    words
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
        .next_back()
}

/// When the sources open files (or, without the build context, may), the
/// working directory comes along: beside the binary's copy, or in its place
/// when the binary lives inside it. A gate when that directory is `/`.
fn working_directory(
    c: &mut Closure,
    entry: &Entry,
    ctx: Option<&Context>,
    path: &str,
    sources: &[&str],
) -> Result<(), Gate> {
    let reads_files = ctx.is_none()
        || sources
            .iter()
            .any(|s| FILE_READ_CALLS.iter().any(|p| s.contains(p)));
    if !reads_files {
        return Ok(());
    }
    if entry.workdir == "/" {
        return Err(gate(
            ids::core::WORKDIR_ROOT,
            "the program may read files from its working directory, which is /; what it reads cannot be shown",
        ));
    }
    if !path.starts_with(&format!("{}/", entry.workdir.trim_end_matches('/'))) || ctx.is_none() {
        c.copies.push(CopySpec {
            from: entry.workdir.clone(),
            to: entry.workdir.clone(),
            rule: ids::core::APP_FILES.into(),
            reason: if ctx.is_none() {
                "without the build context the program's data files cannot be ruled out, so the working directory comes along".into()
            } else {
                "the Go sources open files at run time (os.Open, ReadFile, ParseFiles, http.Dir, godotenv, viper, templates and static folders …), so the working directory comes along".into()
            },
        });
    } else {
        c.copies.clear();
        c.copies.push(CopySpec {
            from: entry.workdir.clone(),
            to: entry.workdir.clone(),
            rule: ids::core::APP_FILES.into(),
            reason: "the binary and the files the Go sources open at run time (os.Open, ReadFile, ParseFiles, http.Dir, godotenv, viper, templates and static folders …) live in the working directory".into(),
        });
    }
    Ok(())
}

/// Sources that import "C", or a go.mod requiring a module that only builds
/// with cgo (it wraps a C library): the binary links the C library, whatever
/// the build command says; each with a warning where it contradicts it.
fn cgo_in_sources(c: &mut Closure, ctx: Option<&Context>, sources: &[&str]) {
    let cgo_module = ctx.and_then(|x| x.text("go.mod")).and_then(|m| {
        CGO_MODULES
            .iter()
            .find(|module| m.contains(*module))
            .copied()
    });
    if let Some(module) = cgo_module
        && !c.static_binary
    {
        c.warnings.push(Warning::new(
            ids::go::BUILD,
            format!("go.mod requires {module}, which needs cgo: the binary links the C library"),
        ));
    }
    if sources.iter().any(|s| s.contains("import \"C\""))
        || (cgo_module.is_some() && !c.static_binary)
    {
        if c.static_binary {
            c.warnings.push(Warning::new(
                ids::go::BUILD,
                "sources import \"C\" but CGO_ENABLED=0: the build itself decides",
            ));
        }
        c.app_kind = Some(AppKind::DynamicBinary);
        c.static_binary = false;
    }
}

pub(crate) struct Go;

impl super::Language for Go {
    fn closure(&self, c: &mut Closure, i: &super::Input) -> Result<(), Gate> {
        go(c, i)
    }
    fn stage_kind(&self, _: &mut Closure, _: Option<&Context>) -> AppKind {
        AppKind::DynamicBinary
    }
}
