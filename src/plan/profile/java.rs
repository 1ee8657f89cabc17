//! Java: the jar the build writes, or its directory when the dependencies
//! are copied beside it.

use crate::model::{Context, join_path};
use crate::plan::entry::Entry;
use crate::plan::facts::{gate, list, path_matches, produced};
use crate::plan::rule_ids as ids;
use crate::plan::steps::StepInfo;
use crate::plan::types::Warning;
use crate::plan::types::{Closure, CopySpec, Gate};
use crate::rules::{AppKind, Role};

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
            ids::core::PREBUILT,
            "no Maven or Gradle package step: the jar is built outside the image, or by a tool no rule knows",
        ));
    }
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
        c.warnings.push(Warning::new(
            ids::core::NO_CONTEXT,
            "without the build context, files the app reads from its working directory cannot be ruled out; only the jar is copied",
        ));
    }
    Ok(())
}

pub(crate) struct Java;

impl super::Language for Java {
    fn closure(&self, c: &mut Closure, i: &super::Input) -> Result<(), Gate> {
        java(c, i.infos, i.entry, i.ctx)
    }
    fn stage_kind(&self, _: &mut Closure, _: Option<&Context>) -> AppKind {
        AppKind::JvmApp
    }
}
