//! `mvn spring-boot:run` → `mvn package -DskipTests` and
//! `java -jar target/ARTIFACT-VERSION.jar`; `gradle bootRun` → `gradle
//! bootJar` and `java -jar build/libs/NAME-VERSION.jar`. The jar's name is
//! read from pom.xml, or from build.gradle and settings.gradle; when it is
//! not literal there, the start is not translated.

use super::{Plan, Tool, shown};

/// Maven options that mean the same to `package` and change nothing the app sees.
const MAVEN_FLAGS: &[&str] = &[
    "-q",
    "--quiet",
    "-B",
    "--batch-mode",
    "-e",
    "--errors",
    "-ntp",
    "--no-transfer-progress",
    "-DskipTests",
    "-DskipTests=true",
    "-Dmaven.test.skip=true",
];

/// Gradle options that change nothing the app sees.
const GRADLE_FLAGS: &[&str] = &[
    "--no-daemon",
    "-q",
    "--quiet",
    "--info",
    "--warn",
    "-w",
    "-i",
    "--console=plain",
    "--stacktrace",
    "-s",
];

pub(super) fn maven(t: &Tool) -> Result<Plan, String> {
    let words = t.words;
    let prog = words.first().map(String::as_str).unwrap_or("");
    let name = prog.rsplit('/').next().unwrap_or(prog);
    if name != "mvn" && name != "mvnw" {
        return Err("the start command is not Maven itself".into());
    }
    if t.appended {
        return Err("the CMD appends arguments to Maven's ENTRYPOINT".into());
    }
    let mut flags = Vec::new();
    let mut goal = None;
    for w in &words[1..] {
        if w == "spring-boot:run" || w.ends_with(":spring-boot-maven-plugin:run") {
            if goal.replace(w).is_some() {
                return Err("Maven is given more than one goal".into());
            }
        } else if MAVEN_FLAGS.contains(&w.as_str()) || w.starts_with("-P") && w.len() > 2 {
            flags.push(w.clone());
        } else if w.starts_with('-') {
            return Err(format!(
                "`{w}` may pass arguments, properties or JVM options to the app (spring-boot.run.*), which `java -jar` would not have"
            ));
        } else {
            return Err(format!(
                "`{w}`: only `spring-boot:run` is translated (exec:java's class path is Maven's own resolution, which a plain `java -cp` is not shown to reproduce)"
            ));
        }
    }
    if goal.is_none() {
        return Err("only `spring-boot:run` is translated (exec:java's class path is Maven's own resolution, which a plain `java -cp` is not shown to reproduce)".into());
    }
    let pom = t
        .ctx
        .and_then(|c| c.text("pom.xml"))
        .ok_or("pom.xml is not in the build context, so the jar's name cannot be read")?;
    let jar = maven_jar(pom)?;
    let mut build = vec![prog.to_string()];
    build.extend(flags);
    if !build
        .iter()
        .any(|f| f.starts_with("-DskipTests") || f == "-Dmaven.test.skip=true")
    {
        build.push("-DskipTests".into());
    }
    build.push("package".into());
    let argv = vec!["java".into(), "-jar".into(), format!("target/{jar}")];
    Ok(Plan {
        argv,
        reason: format!(
            "`{}` compiled and started the app at every start; the build stage packages it once (`{}`: spring-boot:run runs no tests either) and the runtime starts the jar Spring Boot's repackage writes, in the same working directory, with the JVM as PID 1",
            shown(words),
            shown(&build)
        ),
        build: Some(build),
        env: None,
        rule: crate::plan::rule_ids::java::START_MVN_PACKAGE,
        warnings: Vec::new(),
    })
}

/// The executable jar `mvn package` writes: `finalName`, else
/// `artifactId-version`, read literally from the project (its own version,
/// else its parent's); only a single-module jar project whose Spring Boot
/// plugin repackages the jar.
fn maven_jar(pom: &str) -> Result<String, String> {
    let body = strip_blocks(
        pom,
        &[
            "dependencies",
            "dependencyManagement",
            "profiles",
            "properties",
            "reporting",
            "repositories",
            "pluginRepositories",
            "distributionManagement",
            "developers",
            "licenses",
            "scm",
        ],
    );
    if tag(&body, "modules").is_some() {
        return Err("pom.xml has modules; which module's jar the app is cannot be told".into());
    }
    if let Some(p) = tag(&body, "packaging")
        && p != "jar"
    {
        return Err(format!("pom.xml packages a `{p}`, not a jar"));
    }
    let parent = tag(&body, "parent").unwrap_or_default();
    let boot_parent = parent.contains("spring-boot-starter-parent");
    if !pom.contains("spring-boot-maven-plugin") {
        return Err("pom.xml has no spring-boot-maven-plugin to repackage the jar".into());
    }
    if !boot_parent && !pom.contains("<goal>repackage</goal>") {
        return Err("the Spring Boot plugin's repackage goal is not bound (no spring-boot-starter-parent, no repackage execution), so `mvn package` writes a plain jar".into());
    }
    if pom.contains("<classifier>") {
        return Err("pom.xml sets a classifier, so the executable jar's name is not read".into());
    }
    let own = strip_blocks(&body, &["parent", "build"]);
    let literal = |v: String, what: &str| -> Result<String, String> {
        if v.contains("${") || v.is_empty() {
            Err(format!("the {what} in pom.xml is not literal (`{v}`)"))
        } else {
            Ok(v)
        }
    };
    if let Some(build) = tag(&body, "build")
        && let Some(name) = tag(
            &strip_blocks(
                &build,
                &["plugins", "pluginManagement", "resources", "testResources"],
            ),
            "finalName",
        )
    {
        return Ok(format!("{}.jar", literal(name, "finalName")?));
    }
    let artifact = literal(
        tag(&own, "artifactId").ok_or("pom.xml has no artifactId")?,
        "artifactId",
    )?;
    let version = match tag(&own, "version") {
        Some(v) => literal(v, "version")?,
        None => literal(
            tag(&parent, "version").ok_or("pom.xml has no version")?,
            "parent's version",
        )?,
    };
    Ok(format!("{artifact}-{version}.jar"))
}

/// The text of the first `<name>…</name>` element, trimmed.
fn tag(text: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&close)? + start;
    Some(text[start..end].trim().to_string())
}

/// `text` without the named elements (and without comments).
fn strip_blocks(text: &str, names: &[&str]) -> String {
    let mut out = strip_comments(text);
    for name in names {
        let (open, close) = (format!("<{name}>"), format!("</{name}>"));
        while let Some(s) = out.find(&open) {
            let Some(e) = out[s..].find(&close) else {
                break;
            };
            out.replace_range(s..s + e + close.len(), "");
        }
    }
    out
}

fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(s) = rest.find("<!--") {
        out.push_str(&rest[..s]);
        match rest[s..].find("-->") {
            Some(e) => rest = &rest[s + e + 3..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

pub(super) fn gradle(t: &Tool) -> Result<Plan, String> {
    let words = t.words;
    let prog = words.first().map(String::as_str).unwrap_or("");
    let name = prog.rsplit('/').next().unwrap_or(prog);
    if name != "gradle" && name != "gradlew" {
        return Err("the start command is not Gradle itself".into());
    }
    if t.appended {
        return Err("the CMD appends arguments to Gradle's ENTRYPOINT".into());
    }
    let mut flags = Vec::new();
    let mut task = None;
    for w in &words[1..] {
        match w.as_str() {
            "bootRun" => {
                if task.replace(w).is_some() {
                    return Err("Gradle is given bootRun twice".into());
                }
            }
            "--continuous" | "-t" => {
                return Err(
                    "`--continuous` rebuilds on every change: a development container".into(),
                );
            }
            f if GRADLE_FLAGS.contains(&f) => flags.push(w.clone()),
            f if f.starts_with('-') => {
                return Err(format!(
                    "`{f}` may pass arguments, properties or JVM options to the app, which `java -jar` would not have"
                ));
            }
            other => {
                return Err(format!(
                    "`{other}`: only Spring Boot's `bootRun` is translated"
                ));
            }
        }
    }
    if task.is_none() {
        return Err("only Spring Boot's `bootRun` is translated".into());
    }
    let ctx = t
        .ctx
        .ok_or("without the build context, the jar's name cannot be read from build.gradle")?;
    let (script, kts) = match (ctx.text("build.gradle"), ctx.text("build.gradle.kts")) {
        (Some(s), _) => (s, false),
        (None, Some(s)) => (s, true),
        (None, None) => return Err("build.gradle is not in the build context".into()),
    };
    let jar = gradle_jar(script, kts, ctx, t.workdir)?;
    let mut build = vec![prog.to_string(), "bootJar".to_string()];
    for f in &flags {
        if !build.contains(f) {
            build.push(f.clone());
        }
    }
    if !build.iter().any(|f| f == "--no-daemon") {
        build.push("--no-daemon".into());
    }
    let argv = vec!["java".into(), "-jar".into(), format!("build/libs/{jar}")];
    Ok(Plan {
        argv,
        reason: format!(
            "`{}` compiled and started the app at every start; the build stage writes Spring Boot's executable jar once (`{}`) and the runtime starts it in the same working directory, with the JVM as PID 1",
            shown(words),
            shown(&build)
        ),
        build: Some(build),
        env: None,
        rule: crate::plan::rule_ids::java::START_GRADLE_BOOTJAR,
        warnings: Vec::new(),
    })
}

/// The jar `bootJar` writes: `ROOT-VERSION.jar` (`ROOT.jar` without a
/// version), where ROOT is settings.gradle's `rootProject.name` or the
/// project folder's name; refused when the build script configures the
/// archive, bootRun or bootJar, or the version is not literal.
fn gradle_jar(
    script: &str,
    kts: bool,
    ctx: &crate::model::Context,
    workdir: &str,
) -> Result<String, String> {
    if !script.contains("org.springframework.boot") {
        return Err("build.gradle does not apply the Spring Boot plugin, whose bootJar writes the executable jar".into());
    }
    for word in [
        "archiveFileName",
        "archiveBaseName",
        "archiveVersion",
        "archiveClassifier",
        "archiveAppendix",
        "archivesBaseName",
        "archivesName",
        "bootJar",
        "bootRun",
        "destinationDirectory",
        "buildDir",
        "layout.buildDirectory",
    ] {
        if script.contains(word) {
            return Err(format!(
                "build.gradle sets `{word}`, which changes the jar or how bootRun starts the app"
            ));
        }
    }
    let settings = ctx
        .text(if kts {
            "settings.gradle.kts"
        } else {
            "settings.gradle"
        })
        .or_else(|| ctx.text("settings.gradle"))
        .or_else(|| ctx.text("settings.gradle.kts"));
    if settings.is_some_and(|s| s.contains("include")) {
        return Err(
            "settings.gradle includes subprojects; which one's jar the app is cannot be told"
                .into(),
        );
    }
    let root = match settings.and_then(|s| assigned(s, "rootProject.name")) {
        Some(n) => n,
        None if settings.is_none_or(|s| !s.contains("rootProject.name")) => workdir
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty())
            .ok_or("the project folder is /, so the jar's name is not known")?
            .to_string(),
        None => return Err("rootProject.name in settings.gradle is not literal".into()),
    };
    let version = match assigned(script, "version") {
        Some(v) => Some(v),
        None if script
            .lines()
            .any(|l| l.trim_start().starts_with("version")) =>
        {
            return Err("the project's version in build.gradle is not literal".into());
        }
        None => match ctx.text("gradle.properties") {
            Some(p) if p.lines().any(|l| l.trim_start().starts_with("version")) => {
                return Err("the version comes from gradle.properties, which is not read".into());
            }
            _ => None,
        },
    };
    Ok(match version {
        Some(v) => format!("{root}-{v}.jar"),
        None => format!("{root}.jar"),
    })
}

/// The literal value of `name = 'v'` (or `"v"`) on a line of its own.
fn assigned(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let rest = l.trim().strip_prefix(name)?.trim_start();
        let v = rest.strip_prefix('=')?.trim();
        let q = v.chars().next().filter(|c| *c == '\'' || *c == '"')?;
        let inner = v[1..].strip_suffix(q)?;
        (!inner.contains('$') && !inner.contains(q)).then(|| inner.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::{assigned, maven_jar};

    #[test]
    fn maven_jar_name_is_the_projects_own_not_the_parents() {
        let pom = r#"<project>
  <parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>3.2.5</version></parent>
  <artifactId>shop</artifactId><version>1.4.0</version>
  <dependencies><dependency><artifactId>x</artifactId><version>9</version></dependency></dependencies>
  <build><plugins><plugin><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build>
</project>"#;
        assert_eq!(maven_jar(pom).unwrap(), "shop-1.4.0.jar");
        let inherit = pom.replace("<version>1.4.0</version>", "");
        assert_eq!(maven_jar(&inherit).unwrap(), "shop-3.2.5.jar");
        let fin = pom.replace("<build>", "<build><finalName>app</finalName>");
        assert_eq!(maven_jar(&fin).unwrap(), "app.jar");
        let var = pom.replace("1.4.0", "${revision}");
        assert!(maven_jar(&var).is_err());
        let plain = pom.replace("spring-boot-starter-parent", "my-parent");
        assert!(maven_jar(&plain).is_err());
    }

    #[test]
    fn gradle_assignments_are_read_only_when_literal() {
        assert_eq!(
            assigned("version = '0.0.1-SNAPSHOT'\n", "version").as_deref(),
            Some("0.0.1-SNAPSHOT")
        );
        assert_eq!(
            assigned("rootProject.name = \"demo\"", "rootProject.name").as_deref(),
            Some("demo")
        );
        assert_eq!(assigned("version = \"${major}.1\"", "version"), None);
    }
}
