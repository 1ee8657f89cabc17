//! `make TARGET` in a RUN, read through the build context's Makefile: the
//! recipe lines of the target (and of the targets it depends on) are shell
//! commands, classified as a RUN's are. `make` then takes the verdict of
//! what its recipe runs (`make build` whose recipe is `go build -o app .` is
//! `go/build`). Anything the reading cannot follow — an include, a
//! conditional, a make function, an option that picks another Makefile or
//! directory, a recipe line no rule knows — leaves the command unknown, with
//! a reason naming the target (`core/make-target`).

use crate::model::Context;
use std::collections::BTreeMap;

/// One target's recipe, resolved: every line to run, in order (the
/// prerequisites' recipes first), variables expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recipe {
    /// The target asked for (the default goal when none was).
    pub target: String,
    /// The Makefile's context path.
    pub file: String,
    /// The shell lines, `@`/`-`/`+` prefixes removed, `$$` as `$`.
    pub lines: Vec<String>,
}

/// The Makefile names GNU make looks for, in its order.
const MAKEFILES: &[&str] = &["GNUmakefile", "makefile", "Makefile"];

/// The recipe `make ARGS` runs in the context's root folder, or why it
/// cannot be read.
pub(crate) fn recipe(args: &[Option<String>], ctx: &Context) -> Result<Recipe, String> {
    let mut target = None;
    for a in args {
        let Some(a) = a else {
            return Err("an argument of make comes from a variable".into());
        };
        if a.starts_with('-') {
            let allowed = a == "-s"
                || a == "--silent"
                || a == "-k"
                || a.starts_with("-j")
                || a.starts_with("--jobs");
            if !allowed {
                return Err(format!("make's option `{a}` is not followed"));
            }
        } else if a.contains('=') {
            return Err(format!("make's variable `{a}` is not followed"));
        } else if target.is_none() {
            target = Some(a.clone());
        } else {
            return Err("make is asked for several targets".into());
        }
    }
    let file = MAKEFILES
        .iter()
        .find(|f| ctx.has(f))
        .ok_or_else(|| "there is no Makefile in the build context".to_string())?;
    let text = ctx
        .text(file)
        .ok_or_else(|| format!("{file} was not read"))?;
    let parsed = parse(text).map_err(|why| format!("{file}: {why}"))?;
    let target = match target {
        Some(t) => t,
        None => parsed
            .default_goal
            .clone()
            .ok_or_else(|| format!("{file} has no target"))?,
    };
    let mut lines = Vec::new();
    let mut seen = Vec::new();
    collect(&parsed, &target, 0, &mut seen, &mut lines).map_err(|why| format!("{file}: {why}"))?;
    Ok(Recipe {
        target,
        file: file.to_string(),
        lines,
    })
}

#[derive(Debug, Default)]
struct Makefile {
    vars: BTreeMap<String, String>,
    /// target → (prerequisites, recipe lines as written)
    rules: BTreeMap<String, (Vec<String>, Vec<String>)>,
    default_goal: Option<String>,
}

fn parse(text: &str) -> Result<Makefile, String> {
    let mut m = Makefile::default();
    let mut current: Vec<String> = Vec::new();
    // Lines joined at a trailing backslash.
    let mut logical: Vec<String> = Vec::new();
    let mut acc = String::new();
    for line in text.lines() {
        if let Some(stripped) = line.strip_suffix('\\') {
            acc.push_str(stripped);
            acc.push(' ');
            continue;
        }
        acc.push_str(line);
        logical.push(std::mem::take(&mut acc));
    }
    if !acc.is_empty() {
        logical.push(acc);
    }
    for line in &logical {
        if let Some(recipe) = line.strip_prefix('\t') {
            if current.is_empty() {
                continue; // a tab-indented line outside a rule: blank or a comment
            }
            let recipe = recipe.trim();
            if recipe.is_empty() || recipe.starts_with('#') {
                continue;
            }
            for t in &current {
                if let Some(rule) = m.rules.get_mut(t) {
                    rule.1.push(recipe.to_string());
                }
            }
            continue;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let first = trimmed.split_whitespace().next().unwrap_or("");
        if matches!(
            first,
            "include"
                | "-include"
                | "sinclude"
                | "ifeq"
                | "ifneq"
                | "ifdef"
                | "ifndef"
                | "define"
                | "export"
                | "override"
                | "vpath"
        ) {
            return Err(format!("`{first}` is not followed"));
        }
        current.clear();
        if let Some((name, value)) = assignment(trimmed) {
            m.vars.insert(name, value);
            continue;
        }
        let Some((targets, prereqs)) = trimmed.split_once(':') else {
            return Err(format!("the line `{trimmed}` is not understood"));
        };
        let (prereqs, inline) = match prereqs.split_once(';') {
            Some((p, r)) => (p, Some(r.trim().to_string())),
            None => (prereqs, None),
        };
        if prereqs.starts_with(':') || targets.contains('%') || prereqs.contains('%') {
            return Err(format!("the rule `{trimmed}` is not followed"));
        }
        for t in targets.split_whitespace() {
            if t.starts_with('.') {
                continue; // .PHONY, .DEFAULT_GOAL...: special targets
            }
            m.default_goal.get_or_insert_with(|| t.to_string());
            let entry = m.rules.entry(t.to_string()).or_default();
            entry
                .0
                .extend(prereqs.split_whitespace().map(str::to_string));
            entry.1.extend(inline.clone());
            current.push(t.to_string());
        }
    }
    Ok(m)
}

/// `NAME = value`, `NAME := value`, `NAME ?= value` (not `+=`).
fn assignment(line: &str) -> Option<(String, String)> {
    let eq = line.find('=')?;
    let colon = line.find(':');
    if colon.is_some_and(|c| c < eq && !line[c..eq].chars().all(|ch| ch == ':')) {
        return None;
    }
    let name = line[..eq].trim_end_matches([':', '?', '+', ' ', '\t']);
    if line[..eq].ends_with('+') || name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    Some((name.to_string(), line[eq + 1..].trim().to_string()))
}

fn collect(
    m: &Makefile,
    target: &str,
    depth: usize,
    seen: &mut Vec<String>,
    out: &mut Vec<String>,
) -> Result<(), String> {
    if seen.iter().any(|s| s == target) {
        return Ok(());
    }
    if depth > 8 {
        return Err(format!("the target `{target}` depends too deeply"));
    }
    seen.push(target.to_string());
    let Some((prereqs, lines)) = m.rules.get(target) else {
        if depth == 0 {
            return Err(format!("there is no target `{target}`"));
        }
        return Ok(()); // a file the build context holds
    };
    for p in prereqs {
        let p = expand(m, p, target, prereqs)?;
        for p in p.split_whitespace() {
            collect(m, p, depth + 1, seen, out)?;
        }
    }
    for l in lines {
        let l = l.trim_start_matches(['@', '-', '+']).trim();
        out.push(expand(m, l, target, prereqs)?);
    }
    Ok(())
}

/// Expands make's `$(VAR)`, `${VAR}`, `$@`, `$<`, `$^` and `$$`; a make
/// function or an undefined variable is an error.
fn expand(m: &Makefile, text: &str, target: &str, prereqs: &[String]) -> Result<String, String> {
    fn go(
        m: &Makefile,
        text: &str,
        target: &str,
        prereqs: &[String],
        depth: usize,
    ) -> Result<String, String> {
        if depth > 8 {
            return Err("a variable refers to itself".into());
        }
        let mut out = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c != '$' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some((_, '$')) => out.push('$'),
                Some((_, '@')) => out.push_str(target),
                Some((_, '<')) => out.push_str(prereqs.first().map_or("", String::as_str)),
                Some((_, '^')) => out.push_str(&prereqs.join(" ")),
                Some((j, open @ ('(' | '{'))) => {
                    let close = if open == '(' { ')' } else { '}' };
                    let rest = &text[j + 1..];
                    let end = rest
                        .find(close)
                        .ok_or_else(|| format!("`{}` is not closed", &text[i..]))?;
                    let name = &rest[..end];
                    if name.contains(char::is_whitespace) || name.contains(',') {
                        return Err(format!("the make function `$({name})` is not followed"));
                    }
                    let value = m.vars.get(name).ok_or_else(|| {
                        format!("the variable `{name}` is not set in the Makefile")
                    })?;
                    out.push_str(&go(m, value, target, prereqs, depth + 1)?);
                    for _ in 0..=end {
                        chars.next();
                    }
                }
                _ => return Err(format!("`{}` is not followed", &text[i..])),
            }
        }
        Ok(out)
    }
    go(m, text, target, prereqs, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(makefile: &str) -> Context {
        let mut c = Context::default();
        c.files.insert("Makefile".into());
        c.contents.insert("Makefile".into(), makefile.into());
        c
    }

    fn args(a: &[&str]) -> Vec<Option<String>> {
        a.iter().map(|s| Some(s.to_string())).collect()
    }

    #[test]
    fn the_target_and_its_prerequisites_in_order() {
        let m = "BIN := bin/server\nGOFLAGS = -trimpath\n\n.PHONY: build deps\nbuild: deps\n\t@echo building $(BIN)\n\tgo build $(GOFLAGS) -o $(BIN) ./cmd/server\n\ndeps:\n\tgo mod download\n";
        let r = recipe(&args(&["build"]), &ctx(m)).unwrap();
        assert_eq!(
            r.lines,
            [
                "go mod download",
                "echo building bin/server",
                "go build -trimpath -o bin/server ./cmd/server"
            ]
        );
        // No target: the first one.
        assert_eq!(recipe(&[], &ctx(m)).unwrap().target, "build");
    }

    #[test]
    fn what_is_not_followed_is_named() {
        let err = recipe(
            &args(&["build"]),
            &ctx("include common.mk\nbuild:\n\tgo build\n"),
        )
        .unwrap_err();
        assert!(err.contains("`include`"), "{err}");
        let err = recipe(
            &args(&["build"]),
            &ctx("build:\n\tgo build -ldflags \"$(shell git describe)\"\n"),
        )
        .unwrap_err();
        assert!(err.contains("make function"), "{err}");
        let err = recipe(&args(&["-C", "src", "build"]), &ctx("build:\n\tgo build\n")).unwrap_err();
        assert!(err.contains("`-C`"), "{err}");
        let err = recipe(&args(&["release"]), &ctx("build:\n\tgo build\n")).unwrap_err();
        assert!(err.contains("no target `release`"), "{err}");
    }
}
