//! Java: the jar the build writes, or its directory when the dependencies
//! are copied beside it; and, when it can be shown safe, a runtime jlink
//! builds from the builder's JDK with only the modules the app uses.

use super::Input;
use crate::model::{Context, join_path};
use crate::plan::entry::Entry;
use crate::plan::facts::{copy_target, gate, line_of, list, path_matches, produced};
use crate::plan::rule_ids as ids;
use crate::plan::steps::{StepInfo, StepKind};
use crate::plan::types::{Closure, CopySpec, Gate, Jlink, Warning};
use crate::rules::{AppKind, Role};
use crate::syntax::{Body, Dockerfile, Keyword};

/// Java's runtime plan, step by step: what the build writes, the jars and
/// class path the `java` entry names, a copy of each from the build, and the
/// jlink runtime (or why there is none).
fn java(c: &mut Closure, input: &Input) -> Result<(), Gate> {
    let (infos, entry, ctx) = (input.infos, input.entry, input.ctx);
    c.app_kind = Some(AppKind::JvmApp);
    let built = produced(infos, Role::Build);
    if built.is_empty() {
        prebuilt(c, input)?;
        let plan = builder_has_jlink(input.builder)
            .and_then(|()| jlink_plan(c, input.df, infos, entry, ctx, true));
        match plan {
            Ok(j) => c.jlink = Some(j),
            Err(why) => c.jlink_refused = Some(why),
        }
        return Ok(());
    }
    let paths = class_path(entry)?;
    // Dependencies copied beside the jar (or, without the context, maybe):
    // the jar's whole directory comes along.
    let thin = ctx.is_none_or(|x| {
        x.text("pom.xml")
            .is_some_and(|p| p.contains("copy-dependencies") || p.contains("classpathPrefix"))
    });
    for p in paths {
        copy_built(c, &built, join_path(&entry.workdir, &p), thin, ctx)?;
    }
    // Files the app may read relative to its working directory.
    if ctx.is_none() {
        c.warnings.push(Warning::new(
            ids::core::NO_CONTEXT,
            "without the build context, files the app reads from its working directory cannot be ruled out; only the jar is copied",
        ));
    }
    // jdeps reads the jars copied so far; the working directory, when it
    // comes along, may hold other jars the app never loads.
    match jlink_plan(c, input.df, infos, entry, ctx, false) {
        Ok(j) => c.jlink = Some(j),
        Err(why) => c.jlink_refused = Some(why),
    }
    if let Some(ctx) = ctx {
        working_directory(c, input, ctx)?;
    }
    Ok(())
}

/// Calls in JVM sources (Java, Kotlin, Groovy, Scala) that open files, or
/// name paths, relative to the working directory: java.nio.file, java.io,
/// `file:` URLs, Spring's file resources, Scala's and Kotlin's own.
const FILE_READ_CALLS: &[&str] = &[
    "Files.read",
    "Files.lines(",
    "Files.newBufferedReader(",
    "Files.newInputStream(",
    "Files.newByteChannel(",
    "Files.list(",
    "Files.walk(",
    "Files.find(",
    "Files.exists(",
    "Files.isRegularFile(",
    "Files.isDirectory(",
    "Files.copy(",
    "Path.of(",
    "Paths.get(",
    "new File(",
    "FileInputStream(",
    "FileReader(",
    "RandomAccessFile(",
    "FileChannel.open(",
    "Scanner(new File",
    "\"file:",
    "ResourceUtils.",
    "FileSystemResource(",
    "FileUrlResource(",
    "PathResource(",
    "Source.fromFile(",
];

/// Kotlin's constructors without `new` (`File("config.yml").readText()`,
/// kotlin.io.path's `Path("…")`), found only where no identifier goes on
/// before them (`MultipartFile(` is not one).
const KOTLIN_FILE_CALLS: &[&str] = &["File(", "Path("];

/// The first app source (tests aside) that opens files relative to the
/// working directory, with the call: `(path, call)`.
fn source_file_read(ctx: &Context) -> Option<(&str, &str)> {
    const SOURCES: [&str; 4] = [".java", ".kt", ".groovy", ".scala"];
    ctx.contents.iter().find_map(|(path, text)| {
        if !SOURCES.iter().any(|e| path.ends_with(e))
            || path.starts_with("src/test/")
            || path.contains("/src/test/")
        {
            return None;
        }
        if let Some(call) = FILE_READ_CALLS.iter().find(|c| text.contains(*c)) {
            return Some((path.as_str(), *call));
        }
        if !path.ends_with(".kt") {
            return None;
        }
        KOTLIN_FILE_CALLS
            .iter()
            .find(|call| {
                text.match_indices(*call).any(|(i, _)| {
                    text[..i]
                        .chars()
                        .next_back()
                        .is_none_or(|ch| !(ch.is_alphanumeric() || ch == '_' || ch == '.'))
                })
            })
            .map(|call| (path.as_str(), *call))
    })
}

/// A context file the COPY instructions put where Spring Boot or Quarkus
/// read their configuration from the working directory by convention
/// (`./application*.properties|yml|yaml`, `./config/…`), when the build
/// file names one of them: the line and the path it lands at. A COPY source
/// that is a pattern is matched against the context's files.
fn convention_config(input: &Input, ctx: &Context) -> Option<(usize, String)> {
    let framework = ["pom.xml", "build.gradle", "build.gradle.kts"]
        .iter()
        .filter_map(|m| ctx.text(m))
        .any(|t| t.contains("spring-boot") || t.contains("io.quarkus"));
    if !framework {
        return None;
    }
    let wd = input.entry.workdir.trim_end_matches('/');
    let is_config = |at: &str| {
        let Some(rel) = at.strip_prefix(&format!("{wd}/")) else {
            return false;
        };
        rel.starts_with("config/")
            || (!rel.contains('/')
                && rel.starts_with("application")
                && [".properties", ".yml", ".yaml"]
                    .iter()
                    .any(|e| rel.ends_with(e)))
    };
    for info in input.infos {
        let StepKind::CopyContext { sources, .. } = &info.kind else {
            continue;
        };
        let Some((dest_word, dest)) = copy_target(input.df, info) else {
            continue;
        };
        let into_dir = dest_word.ends_with('/') || dest_word == "." || sources.len() > 1;
        for s in sources {
            let s = s.trim_start_matches("./").trim_end_matches('/');
            for f in &ctx.files {
                let at = if s.is_empty() || s == "." {
                    join_path(&dest, f)
                } else if let Some(rest) = f.strip_prefix(&format!("{s}/")) {
                    join_path(&dest, rest)
                } else if f == s || path_matches(s, f) {
                    let name = f.rsplit('/').next().unwrap_or(f);
                    if into_dir || s.contains(['*', '?', '[']) {
                        join_path(&dest, name)
                    } else {
                        dest.clone()
                    }
                } else {
                    continue;
                };
                if is_config(&at) {
                    return Some((line_of(input.df, info.item), at));
                }
            }
        }
    }
    None
}

/// Working directories the builder image puts its own files in.
const SHARED_DIRS: &[&str] = &[
    "/opt",
    "/root",
    "/home",
    "/usr",
    "/usr/local",
    "/var",
    "/tmp",
];

/// When the sources open files, or the context puts configuration where
/// Spring Boot or Quarkus read it by convention, the working directory
/// comes along at the same path (`java/rt-workdir`): in the jar's place when
/// the jar lives inside it, beside it otherwise. A gate when that directory
/// is `/`.
fn working_directory(c: &mut Closure, input: &Input, ctx: &Context) -> Result<(), Gate> {
    let why = if let Some((file, call)) = source_file_read(ctx) {
        format!("{file} opens files at run time (`{call}`)")
    } else if let Some((line, at)) = convention_config(input, ctx) {
        format!(
            "line {line} puts {at} where Spring Boot or Quarkus read their configuration from the working directory"
        )
    } else {
        return Ok(());
    };
    let wd = input.entry.workdir.trim_end_matches('/');
    if wd.is_empty() {
        return Err(gate(
            ids::core::WORKDIR_ROOT,
            format!(
                "{why}, and the working directory is /; what the app reads cannot be told apart from the image"
            ),
        ));
    }
    // A folder the builder image fills itself (the JDK under /opt/java,
    // Maven's cache under /root/.m2, other accounts' homes): copied whole it
    // would bring them into the runtime, bigger for nothing.
    if SHARED_DIRS.contains(&wd) {
        return Err(gate(
            ids::core::WORKDIR_ROOT,
            format!(
                "{why}, and the working directory is {wd}, which the builder image fills itself (a JDK under /opt, Maven's cache under /root/.m2): copied whole it would bring those into the runtime, and what the app reads cannot be told apart from them; a WORKDIR of the app's own (/app) makes it plain"
            ),
        ));
    }
    // The jars (or their folder) the build wrote inside it come with it.
    let covered = |x: &CopySpec| {
        (x.from == wd || x.from.starts_with(&format!("{wd}/")))
            && [ids::java::RT_MAVEN_JAR, ids::java::RT_GRADLE_JAR].contains(&x.rule.as_str())
    };
    let jars_inside: Vec<String> = c
        .copies
        .iter()
        .filter(|x| covered(x))
        .map(|x| x.from.clone())
        .collect();
    c.copies.retain(|x| !covered(x));
    c.copies.push(CopySpec {
        from: wd.to_string(),
        to: wd.to_string(),
        rule: ids::java::RT_WORKDIR.into(),
        reason: if jars_inside.is_empty() {
            format!("{why}, so the working directory comes along")
        } else {
            format!(
                "{why}, so the working directory comes along with {} in it",
                list(jars_inside.iter())
            )
        },
    });
    Ok(())
}

/// A jar built outside the image and copied in from the context
/// (`COPY target/app.jar app.jar`, `ARG JAR_FILE=target/*.jar` +
/// `COPY ${JAR_FILE} app.jar`): the build stage keeps the copy as written,
/// and the runtime takes the jar from it at the same path. Shown only when
/// each jar the entry runs is the destination of one such copy of one `.jar`
/// source, and every other copy from the context lands outside the working
/// directory (`core/outside-files`); anything else keeps `core/prebuilt`.
fn prebuilt(c: &mut Closure, input: &Input) -> Result<(), Gate> {
    let (df, infos, entry) = (input.df, input.infos, input.entry);
    let no = |why: String| {
        gate(
            ids::core::PREBUILT,
            format!("no Maven or Gradle package step, and {why}"),
        )
    };
    let paths = class_path(entry).map_err(|g| no(g.message))?;
    // Each copy from the context: its line, the path it lands at (the
    // destination, or the destination folder plus the source's name), and
    // its sources with ARG defaults and ENV expanded.
    let mut landed: Vec<(usize, usize, String, Vec<String>)> = Vec::new();
    for info in infos {
        let StepKind::CopyContext { .. } = info.kind else {
            continue;
        };
        let Some(inst) = df.instruction_at(info.item) else {
            continue;
        };
        let Body::Copy { paths: words, .. } = &inst.body else {
            continue;
        };
        let line = inst.start_line;
        if !inst.heredocs.is_empty() || words.len() < 2 {
            return Err(no(format!(
                "line {line} copies a heredoc or names no source"
            )));
        }
        let expanded: Vec<String> = words
            .iter()
            .map(|w| crate::model::expand(&w.value, &info.env, df.escape))
            .collect();
        let (dest, sources) = expanded.split_last().expect("two words at least");
        let into_dir = dest.ends_with('/') || dest == "." || sources.len() > 1;
        let base = join_path(&info.workdir, dest);
        let at = match (into_dir, sources) {
            (false, [_]) => base,
            (true, [one]) if !one.contains(['*', '?', '[']) => {
                join_path(&base, one.rsplit('/').next().unwrap_or(one))
            }
            _ => base,
        };
        landed.push((info.item, line, at, sources.to_vec()));
    }
    for p in &paths {
        let abs = join_path(&entry.workdir, p);
        let Some((_, line, _, sources)) = landed.iter().rev().find(|(_, _, at, _)| *at == abs)
        else {
            return Err(no(format!(
                "the entry runs {abs}, which no COPY from the context puts there: the jar is built outside the image, or by a tool no rule knows"
            )));
        };
        if sources.len() != 1 || !sources[0].ends_with(".jar") {
            return Err(no(format!(
                "line {line} copies {} to {abs}, not one `.jar` file",
                sources.join(" ")
            )));
        }
        // `COPY app.jar /opt/` made `core/outside-files` take all of /opt;
        // the jar is known, so only it is taken, unless another copy from
        // the context lands in that folder without its own copy.
        if let Some((dir, _)) = abs.rsplit_once('/') {
            let others_covered = landed.iter().all(|(_, _, at, _)| {
                *at == abs
                    || !at.starts_with(&format!("{dir}/"))
                    || c.copies.iter().any(|x| {
                        x.from != dir && (*at == x.from || at.starts_with(&format!("{}/", x.from)))
                    })
            });
            if others_covered {
                c.copies.retain(|x| {
                    !(x.rule == ids::core::OUTSIDE_FILES && x.from.trim_end_matches('/') == dir)
                });
            }
        }
        if !c
            .copies
            .iter()
            .any(|x| abs.starts_with(&format!("{}/", x.from)))
        {
            c.copies.retain(|x| x.from != abs);
            c.copies.push(CopySpec {
                from: abs.clone(),
                to: abs.clone(),
                rule: ids::java::RT_PREBUILT_JAR.into(),
                reason: format!(
                    "the jar built outside the image, copied in from the context by line {line}"
                ),
            });
        }
    }
    // What else comes from the context: outside the working directory it is
    // copied whole (`core/outside-files`); inside it the app may read it,
    // and only the jar is known.
    for (item, line, at, _) in &landed {
        let jar = paths.iter().any(|p| join_path(&entry.workdir, p) == *at);
        let outside = c.copies.iter().any(|x| {
            at == &x.from || at.starts_with(&format!("{}/", x.from.trim_end_matches('/')))
        });
        if !jar && !outside {
            return Err(no(format!(
                "line {line} copies more than the jar ({at}), which the app may read from its working directory"
            )));
        }
        c.prebuilt_copies.push(*item);
    }
    Ok(())
}

/// Whether the image the jar is copied into has jdeps and jlink: not a JRE
/// image (`eclipse-temurin:21-jre-jammy`), and not Java 8 or older, whose
/// JDK has neither (modules came in Java 9). The build stage of a prebuilt
/// jar is that image, so a jlink step there could not run.
fn builder_has_jlink(builder: &str) -> Result<(), String> {
    let tag = builder
        .rsplit_once(':')
        .filter(|(_, t)| !t.contains('/'))
        .map_or("", |(_, t)| t);
    if tag.split(['-', '.']).any(|w| w == "jre") {
        return Err(format!(
            "no jlink runtime: `{builder}` is a JRE image, without the jdeps and jlink a build stage would need"
        ));
    }
    let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
    if let Ok(major) = digits.parse::<u32>()
        && (major < 9 || (major == 1 && tag.starts_with("1.8")))
    {
        return Err(format!(
            "no jlink runtime: `{builder}` is Java {}, whose JDK has no jdeps or jlink (modules came in Java 9)",
            if major == 1 { 8 } else { major }
        ));
    }
    Ok(())
}

/// The jars and class-path entries (`-jar`, `-cp`) of an entry that runs
/// `java`, as written (a trailing `/*` dropped); a gate when the entry runs
/// something else or names neither.
fn class_path(entry: &Entry) -> Result<Vec<String>, Gate> {
    let argv = &entry.argv;
    if argv.first().map(|p| p.rsplit('/').next().unwrap_or(p)) != Some("java") {
        return Err(gate(
            ids::java::RT_MAVEN_JAR,
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
            ids::java::RT_MAVEN_JAR,
            "the entry names no jar (-jar) or class path (-cp)",
        ));
    }
    Ok(paths)
}

/// The copy of `abs`, a jar or class-path entry, from what a build step
/// writes (`built`): the jar alone, or its directory when the dependencies
/// lie beside it (`thin`). A later copy of the same path replaces the
/// earlier one; a path no build step writes is a gate.
fn copy_built(
    c: &mut Closure,
    built: &[(String, String)],
    abs: String,
    thin: bool,
    ctx: Option<&Context>,
) -> Result<(), Gate> {
    let Some((pattern, rule)) = built.iter().find(|(pat, _)| {
        path_matches(pat, &abs)
            || pat
                .rsplit_once('/')
                .is_some_and(|(dir, _)| abs == dir || abs.starts_with(&format!("{dir}/")))
    }) else {
        return Err(gate(
            ids::core::PREBUILT,
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
    let rt_rule = if rule == ids::java::GRADLE_BUILD {
        ids::java::RT_GRADLE_JAR
    } else {
        ids::java::RT_MAVEN_JAR
    };
    let (from, reason) = if thin && path_matches(pattern, &abs) {
        (
            dir,
            if ctx.is_none() {
                "without the build context the jar's Class-Path cannot be read, so the whole output directory comes along".to_string()
            } else {
                "pom.xml copies dependencies next to the jar (copy-dependencies / classpathPrefix), so the whole output directory comes along".to_string()
            },
        )
    } else {
        (abs, "the jar or class path the entry runs".to_string())
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
    Ok(())
}

/// Where the build stage writes the jlink runtime, and where the runtime
/// stage puts it (`JAVA_HOME`).
pub(crate) const JLINK_HOME: &str = "/opt/jre";

/// Where the build stage sets aside the builder's own `/etc/localtime`,
/// which the runtime copies into `/etc/` as a folder so that a link stays a
/// link (`java/jlink-localtime`).
pub(crate) const LOCALTIME_SET_ASIDE: &str = "/tmp/dfsplit-localtime";

/// The build step that sets aside the builder's `/etc/localtime` as it is
/// (`cp -P`: a link is kept a link, a dangling one too), when it has one.
/// The JVM names its default time zone after the link's target (the
/// official images link `Etc/UTC`); a runtime without the file says `GMT`.
pub(crate) fn localtime_set_aside() -> String {
    format!(
        "mkdir -p {LOCALTIME_SET_ASIDE} && if [ -L /etc/localtime ] || [ -e /etc/localtime ]; then cp -P /etc/localtime {LOCALTIME_SET_ASIDE}/; fi"
    )
}

/// Modules jdeps cannot see because they are loaded by name, never by a
/// class reference; each is added when the builder's JDK has it. The list
/// and its reasons are documented in `rules/java.md#javajlink-runtime`.
pub(crate) const BY_NAME: &[(&str, &str)] = &[
    (
        "jdk.crypto.ec",
        "the SunEC provider, named in java.security: TLS with elliptic-curve keys and cipher suites (most HTTPS servers)",
    ),
    (
        "jdk.unsupported",
        "sun.misc.Unsafe and sun.reflect, which libraries (Netty, Objenesis, Kryo, Caffeine) reach by reflection",
    ),
    (
        "java.naming",
        "JNDI, which frameworks and logging libraries look up reflectively",
    ),
    (
        "jdk.naming.dns",
        "the JNDI DNS provider, found by its URL scheme",
    ),
    (
        "jdk.zipfs",
        "the zip and jar file-system provider, found through ServiceLoader (FileSystems.newFileSystem on a jar, nested jars)",
    ),
    (
        "jdk.localedata",
        "locale data beyond English, found through ServiceLoader (dates, numbers and messages formatted for other locales)",
    ),
    (
        "jdk.charsets",
        "the extended charsets, looked up by name (Charset.forName(\"Shift_JIS\"), EBCDIC)",
    ),
];

/// JVM options that load classes or modules jdeps cannot see, or that
/// depend on the module layout of a full JDK.
const UNSEEN_OPTIONS: &[(&str, &str)] = &[
    ("-javaagent:", "a Java agent"),
    ("-agentlib:", "a native agent"),
    ("-agentpath:", "a native agent"),
    ("--add-opens", "--add-opens"),
    ("--add-exports", "--add-exports"),
    ("--add-reads", "--add-reads"),
    ("--add-modules", "--add-modules"),
    ("--patch-module", "--patch-module"),
    ("--module-path", "a module path"),
    ("--upgrade-module-path", "a module path"),
    ("-p", "a module path"),
    ("--module", "a module to run"),
    ("-m", "a module to run"),
    ("-Djava.security.manager", "a security manager"),
    ("-Djava.system.class.loader", "its own system class loader"),
    ("-XX:StartFlightRecording", "Flight Recorder"),
    ("-XX:+FlightRecorder", "Flight Recorder"),
    ("-Dcom.sun.management", "JMX remote management"),
];

/// Environment variables the JVM reads options from.
const OPTION_ENV: &[&str] = &[
    "JAVA_TOOL_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "_JAVA_OPTIONS",
    "JAVA_OPTS",
];

/// Source texts that mean the app loads classes or modules in ways jdeps
/// cannot follow.
const UNSEEN_SOURCES: &[(&str, &str)] = &[
    (
        "javax.script",
        "a scripting engine (javax.script), found by name at run time",
    ),
    (
        "ScriptEngineManager",
        "a scripting engine (javax.script), found by name at run time",
    ),
    (
        "java.lang.instrument",
        "instrumentation (java.lang.instrument)",
    ),
    ("javax.tools", "the Java compiler at run time (javax.tools)"),
    ("jdk.jshell", "JShell at run time"),
    ("ModuleLayer", "module layers it builds itself"),
    ("com.sun.tools.attach", "the attach API"),
];

/// JDK tools other than `java`, which a jlink runtime does not have.
const JDK_TOOLS: &[&str] = &[
    "jcmd",
    "jps",
    "jstack",
    "jmap",
    "jinfo",
    "jstat",
    "keytool",
    "jshell",
    "jrunscript",
    "jar",
    "javac",
    "jfr",
];

/// The jlink runtime for this app, or why it cannot be shown safe (then the
/// base falls back to a JRE image, and the reason is in its explanation).
fn jlink_plan(
    c: &Closure,
    df: &Dockerfile,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
    prebuilt: bool,
) -> Result<Jlink, String> {
    let no = |why: String| format!("no jlink runtime: {why}");
    let Some(ctx) = ctx else {
        return Err(no(
            "without the build context the sources cannot be read for class loading jdeps cannot see".into(),
        ));
    };
    const SOURCES: [&str; 4] = [".java", ".kt", ".groovy", ".scala"];
    if prebuilt
        && !ctx
            .files
            .iter()
            .any(|p| SOURCES.iter().any(|e| p.ends_with(e)))
    {
        return Err(no(
            "the jar is built outside the image and its sources are not in the build context, so class loading jdeps cannot see cannot be ruled out".into(),
        ));
    }
    if entry.argv.first().map(String::as_str) != Some("java") {
        return Err(no(format!(
            "the entry starts java by its path (`{}`), which the runtime at {JLINK_HOME} does not have",
            entry.argv.first().map_or("", String::as_str)
        )));
    }
    jvm_options_seen(entry, infos).map_err(no)?;
    for info in infos.iter().filter(|i| i.keyword == Keyword::Healthcheck) {
        if let Some(inst) = df.instruction_at(info.item) {
            let text = df.text(&inst.span);
            if let Some(tool) = text
                .split(|ch: char| ch.is_whitespace() || "\"[],;&|".contains(ch))
                .map(|w| w.rsplit('/').next().unwrap_or(w))
                .find(|w| JDK_TOOLS.contains(w))
            {
                return Err(no(format!(
                    "line {}: the health check runs `{tool}`, a JDK tool the runtime would not have",
                    inst.start_line
                )));
            }
        }
    }
    for (path, text) in &ctx.contents {
        if !SOURCES.iter().any(|e| path.ends_with(e)) {
            continue;
        }
        if let Some((_, what)) = UNSEEN_SOURCES.iter().find(|(m, _)| text.contains(m)) {
            return Err(no(format!("{path} uses {what}, which jdeps cannot follow")));
        }
    }
    let inputs = jdeps_inputs(c).map_err(no)?;
    Ok(Jlink { inputs })
}

/// The JVM options the entry gives java (up to the jar or class path), then
/// those the final environment gives it (`JAVA_TOOL_OPTIONS` …): why one
/// loads classes or modules jdeps cannot see, or one only known at run time.
fn jvm_options_seen(entry: &Entry, infos: &[StepInfo]) -> Result<(), String> {
    let unseen_option = |arg: &str| {
        UNSEEN_OPTIONS
            .iter()
            .find(|(flag, _)| {
                if flag.ends_with(':') || flag.starts_with("-D") || flag.starts_with("-XX") {
                    arg.starts_with(flag)
                } else {
                    arg == *flag || arg.starts_with(&format!("{flag}="))
                }
            })
            .map(|(_, what)| *what)
    };
    for a in entry.argv.iter().skip(1) {
        if a.contains('$') {
            return Err(format!(
                "the entry's `{a}` is only known at run time, and may add JVM options jdeps cannot see"
            ));
        }
        if let Some(what) = unseen_option(a) {
            return Err(format!(
                "the entry runs java with {what} (`{a}`), which loads classes or modules jdeps cannot see"
            ));
        }
        if a == "-jar" || a == "-cp" || a == "-classpath" || a == "--class-path" {
            // The jar or class path follows; what comes after it is the app's.
            break;
        }
    }
    if let Some(last) = infos.last() {
        for name in OPTION_ENV {
            if let Some(v) = last.env.get(*name)
                && let Some(what) = v.split_whitespace().find_map(unseen_option)
            {
                return Err(format!(
                    "{name} gives the JVM {what}, which loads classes or modules jdeps cannot see"
                ));
            }
        }
    }
    Ok(())
}

/// What jdeps reads: the paths the runtime copies from the build, each one
/// a path the generated step can name unquoted, none under [`JLINK_HOME`].
fn jdeps_inputs(c: &Closure) -> Result<Vec<String>, String> {
    let safe = |p: &str| {
        !p.is_empty()
            && p.starts_with('/')
            && p.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "/._-+@".contains(ch))
    };
    let mut inputs: Vec<String> = Vec::new();
    for copy in &c.copies {
        if !safe(&copy.from) {
            return Err(format!(
                "`{}` holds characters the generated jdeps step would have to quote",
                copy.from
            ));
        }
        if !inputs.contains(&copy.from) {
            inputs.push(copy.from.clone());
        }
    }
    if inputs.is_empty()
        || inputs.iter().any(|p| {
            p.starts_with(JLINK_HOME)
                || JLINK_HOME.starts_with(&format!("{}/", p.trim_end_matches('/')))
        })
    {
        return Err(format!(
            "the app's files are not known apart from {JLINK_HOME}"
        ));
    }
    Ok(inputs)
}

/// The build stage's jlink step, one shell line each (joined with the
/// file's continuation by render): jdeps over the app's jars (a Spring Boot
/// fat jar unpacked first), the modules loaded by name, jlink into
/// [`JLINK_HOME`], and the shared libraries the runtime links that a base
/// without Java may lack (zlib for Debian's OpenJDK). The JDK's own trust
/// store replaces the one jlink takes from `java.base` (the images link it
/// to the distribution's CA bundle: Debian's, Oracle Linux's), so the app
/// trusts the same certificates as before. jdeps failing links
/// every module (as a full JRE would have them), with a message in the build
/// log; jlink failing on `--strip-debug` (a JDK whose jlink needs objcopy)
/// links again without it.
pub(crate) fn jlink_script(j: &Jlink) -> Vec<String> {
    let by_name: Vec<&str> = BY_NAME.iter().map(|(m, _)| *m).collect();
    vec![
        "set -eu; in=''; n=0;".into(),
        format!("for f in $(find {} -name '*.jar' | sort -u); do", j.inputs.join(" ")),
        "  if jar tf \"$f\" | grep -q '^BOOT-INF/lib/'; then".into(),
        "    n=$((n+1)); b=\"/tmp/jlink-boot$n\"; mkdir -p \"$b/root\"; (cd \"$b/root\" && jar xf \"$f\"); mv \"$b/root/BOOT-INF\" \"$b/inf\";".into(),
        "    in=\"$in $b/root $b/inf/classes $(find \"$b/inf/lib\" -name '*.jar' | tr '\\n' ' ')\";".into(),
        "  else in=\"$in $f\"; fi;".into(),
        "done;".into(),
        format!(
            "for d in {}; do if [ -d \"$d\" ] && [ -z \"$(find \"$d\" -name '*.jar' | head -n 1)\" ] && [ -n \"$(find \"$d\" -name '*.class' | head -n 1)\" ]; then in=\"$in $d\"; fi; done;",
            j.inputs.join(" ")
        ),
        "all=$(java --list-modules | sed 's/@.*//');".into(),
        "if mods=$(jdeps --ignore-missing-deps --print-module-deps --multi-release \"$(jdeps --version | cut -d. -f1)\" $in); then :;".into(),
        "else echo 'jdeps failed: linking every module' >&2; mods=$(echo \"$all\" | paste -sd, -); fi;".into(),
        format!("for m in {}; do", by_name.join(" ")),
        "  if echo \"$all\" | grep -qx \"$m\"; then mods=\"$mods,$m\"; fi;".into(),
        "done;".into(),
        "echo \"jlink modules: $mods\";".into(),
        format!("jlink --strip-debug --no-man-pages --no-header-files --add-modules \"$mods\" --output {JLINK_HOME}"),
        format!("  || {{ rm -rf {JLINK_HOME}; jlink --no-man-pages --no-header-files --add-modules \"$mods\" --output {JLINK_HOME}; }};"),
        "jdk=$(dirname \"$(dirname \"$(readlink -f \"$(command -v java)\")\")\");".into(),
        format!("if [ -e \"$jdk/lib/security/cacerts\" ]; then cp -L \"$jdk/lib/security/cacerts\" {JLINK_HOME}/lib/security/cacerts; fi;"),
        format!("for lib in $(ldd {JLINK_HOME}/bin/java {JLINK_HOME}/lib/*.so {JLINK_HOME}/lib/server/*.so 2>/dev/null | awk '$3 ~ /^\\// {{print $3}}' | sort -u); do"),
        "  case \"${lib##*/}\" in libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|ld-linux*|libgcc_s.so*|libstdc++.so*) ;;".into(),
        format!("    *) case \"$lib\" in {JLINK_HOME}/*) ;; *) cp -L \"$lib\" {JLINK_HOME}/lib/ ;; esac ;; esac;"),
        "done".into(),
    ]
}

pub(crate) struct Java;

impl super::Language for Java {
    fn closure(&self, c: &mut Closure, i: &super::Input) -> Result<(), Gate> {
        java(c, i)
    }
    fn stage_kind(&self, _: &mut Closure, _: Option<&Context>) -> AppKind {
        AppKind::JvmApp
    }
}

#[cfg(test)]
mod tests {
    use super::source_file_read;
    use crate::model::Context;

    fn read(files: &[(&str, &str)]) -> Option<(String, String)> {
        let ctx = Context::from_files(files.iter().copied());
        source_file_read(&ctx).map(|(p, c)| (p.to_string(), c.to_string()))
    }

    #[test]
    fn java_reads_relative_files() {
        let main = r#"class M { void m() throws Exception { var s = Files.readString(Path.of("config/a.txt")); } }"#;
        assert_eq!(
            read(&[("src/app/M.java", main)]),
            Some(("src/app/M.java".into(), "Files.read".into()))
        );
        let props = r#"class P { void m() throws Exception { new Properties().load(new FileInputStream("app.properties")); } }"#;
        assert_eq!(
            read(&[("src/P.java", props)]).map(|x| x.1),
            Some("FileInputStream(".into())
        );
    }

    #[test]
    fn tests_and_classpath_resources_do_not_count() {
        let test = r#"class T { void t() throws Exception { Files.readString(Path.of("fixture.txt")); } }"#;
        let res = r#"class R { java.io.InputStream i = R.class.getResourceAsStream("/a.txt"); }"#;
        assert_eq!(
            read(&[
                ("src/test/java/T.java", test),
                ("svc/src/test/java/T.java", test),
                ("src/main/java/R.java", res),
            ]),
            None
        );
    }

    #[test]
    fn kotlin_constructors_without_new() {
        let kt = r#"fun main() { println(File("config/a.txt").readText()) }"#;
        assert_eq!(
            read(&[("src/main/kotlin/Main.kt", kt)]).map(|x| x.1),
            Some("File(".into())
        );
        let upload = r#"fun save(f: MultipartFile) { println(f.originalFilename) }
class Up(val p: org.springframework.web.multipart.MultipartFile)"#;
        let named = r#"fun f() = MultipartFile("x")"#;
        assert_eq!(
            read(&[
                ("src/main/kotlin/Up.kt", upload),
                ("src/main/kotlin/N.kt", named)
            ]),
            None
        );
    }
}
