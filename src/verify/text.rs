//! The text report: a table for people, built as a string (the caller prints it).

use super::measure::Measure;
use super::report::{BaseSize, ImageReport, Report};
use super::{config, probes, stop};

/// `193.3 MB`.
pub(crate) fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// `s` cut to `max` bytes (on a character boundary), with `…` when cut.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Like [`mb`], but small amounts stay visible (`4.2 kB`): a jar added on top of a JRE.
pub(crate) fn small_mb(bytes: u64) -> String {
    if bytes >= 100_000 {
        mb(bytes)
    } else {
        format!("{:.1} kB", bytes as f64 / 1e3)
    }
}

/// `node:20-slim 193.1 MB (34%)`: the base and its share of the image.
pub(crate) fn base_cell(b: &BaseSize) -> String {
    match (b.size_bytes, b.added_bytes) {
        (Some(size), Some(added)) if size + added > 0 => format!(
            "{} {} ({:.0}%)",
            b.image,
            mb(size),
            100.0 * size as f64 / (size + added) as f64
        ),
        (Some(size), _) => format!("{} {}", b.image, mb(size)),
        (None, _) => format!("{} ?", b.image),
    }
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.join(",")
    }
}

/// The probes' part of the text report: one line per probe, both answers.
fn probes_text(s: &mut String, probes: &[probes::ProbeResult]) {
    use std::fmt::Write as _;
    if probes.is_empty() {
        return;
    }
    let agreeing = probes.iter().filter(|p| p.agree).count();
    let _ = writeln!(s, "\nprobes ({agreeing} of {} agree):", probes.len());
    for p in probes {
        let verdict = match p.verdict {
            probes::Verdict::Agree => "agree",
            probes::Verdict::Differ => "DIFFER",
            probes::Verdict::BothFail => "BOTH FAIL",
            probes::Verdict::NotRun => "not run",
        };
        let request = format!("{} {}", p.method, p.path);
        if p.name == request {
            let _ = writeln!(s, "  {request}: {verdict}");
        } else {
            let _ = writeln!(s, "  {} ({request}): {verdict}", p.name);
        }
        for (w, a) in [("original", &p.original), ("rewrite", &p.rewrite)] {
            let Some(a) = a else { continue };
            let answer = match (&a.error, a.status) {
                (Some(e), _) => format!("no answer: {e}"),
                (None, Some(st)) => {
                    let body: String = a.body.split_whitespace().collect::<Vec<_>>().join(" ");
                    format!("[{st}] {body:.70}")
                }
                (None, None) => "–".into(),
            };
            let _ = writeln!(s, "    {w:<9} {answer}");
        }
        if let Some(why) = &p.why
            && p.verdict != probes::Verdict::Agree
        {
            let _ = writeln!(s, "    why: {why}");
        }
    }
}

/// The report as a table for people (what `dfsplit verify` prints).
pub fn text(rep: &Report) -> String {
    render(rep, true)
}

/// The same table without the times the build, the cache rebuilds and the
/// stop took, so the same findings give the same table: what the PR bot puts
/// in a pull request's body, which a re-run must not change because a build
/// took a second longer.
pub fn text_untimed(rep: &Report) -> String {
    render(rep, false)
}

fn render(rep: &Report, timed: bool) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    if let Some(g) = &rep.unchanged {
        let _ = writeln!(
            s,
            "{}: unchanged: {} [{}]\nnothing to verify: the planner leaves the file as it is",
            rep.file, g.reason, g.rule
        );
        return s;
    }
    let _ = writeln!(
        s,
        "{}: {} profile, runtime base {} → {}",
        rep.file,
        rep.profile.as_deref().unwrap_or("?"),
        rep.base_before.as_deref().unwrap_or("?"),
        rep.base_after.as_deref().unwrap_or("?")
    );
    let (o, r) = (
        rep.original.clone().unwrap_or_default(),
        rep.rewrite.clone().unwrap_or_default(),
    );
    let _ = writeln!(s);
    let row = |s: &mut String, k: &str, a: String, b: String| {
        let _ = writeln!(s, "  {k:<18} {a:<28} {b}");
    };
    row(&mut s, "", "original".into(), "rewrite".into());
    let built = |i: &ImageReport| {
        if !i.built {
            "FAILED".into()
        } else if timed {
            format!("ok in {:.1} s", i.build_seconds)
        } else {
            "ok".into()
        }
    };
    row(&mut s, "build", built(&o), built(&r));
    if let (Some(a), Some(b)) = (&o.measure, &r.measure) {
        let ratio = if a.size_bytes > 0 {
            format!("  ({:.2}×)", b.size_bytes as f64 / a.size_bytes as f64)
        } else {
            String::new()
        };
        row(
            &mut s,
            "size",
            mb(a.size_bytes),
            format!("{}{ratio}", mb(b.size_bytes)),
        );
        if let (Some(x), Some(y)) = (&o.base, &r.base) {
            row(&mut s, "base", base_cell(x), base_cell(y));
            let added = |b: &BaseSize| b.added_bytes.map_or("?".into(), small_mb);
            row(&mut s, "added on top", added(x), added(y));
        }
        row(&mut s, "layers", a.layers.to_string(), b.layers.to_string());
        let pk = |m: &Measure| match m.packages {
            Some(n) => format!("{n} ({})", m.package_db.join("+")),
            None => "none found".into(),
        };
        row(&mut s, "OS packages", pk(a), pk(b));
        let yn = |x: bool| if x { "yes" } else { "no" }.to_string();
        row(&mut s, "shell (/bin/sh)", yn(a.shell), yn(b.shell));
        row(
            &mut s,
            "package managers",
            list(&a.package_managers),
            list(&b.package_managers),
        );
        row(&mut s, "compilers", list(&a.compilers), list(&b.compilers));
    }
    if !rep.config.is_empty() {
        let _ = writeln!(s, "\nconfig differences ({} unexplained):", rep.unexplained);
        for d in &rep.config {
            let field = match &d.key {
                Some(k) => format!("{} {k}", d.field),
                None => d.field.clone(),
            };
            let flag = if d.explained { " " } else { "!" };
            let _ = writeln!(
                s,
                "{flag} {field}: {} → {}",
                config::show(&d.original),
                config::show(&d.rewrite)
            );
            if d.reasons.is_empty() {
                let _ = writeln!(s, "      UNEXPLAINED: nothing in the plan accounts for it");
            }
            for why in &d.reasons {
                let _ = writeln!(s, "      ← {why}");
            }
        }
    }
    if let Some(sm) = &rep.smoke {
        let mut with = String::new();
        if !sm.args.is_empty() {
            with.push_str(&format!(", args `{}`", sm.args.join(" ")));
        }
        if !sm.env.is_empty() {
            with.push_str(&format!(", env {}", sm.env.join(",")));
        }
        for f in &sm.env_files {
            with.push_str(&format!(", env-file {f}"));
        }
        for v in &sm.volumes {
            with.push_str(&format!(", volume {v}"));
        }
        let _ = writeln!(
            s,
            "\nsmoke ({} {}{}{with}): {}",
            sm.kind,
            sm.target,
            sm.expect
                .as_ref()
                .map(|e| format!(", expect `{e}`"))
                .unwrap_or_default(),
            match sm.verdict {
                "agree" => "agree",
                "both-fail" => "BOTH FAIL the same way",
                _ => "DISAGREE",
            }
        );
        for (w, run) in [("original", &sm.original), ("rewrite", &sm.rewrite)] {
            let first = run.output.lines().next().unwrap_or("").trim();
            let _ = writeln!(
                s,
                "  {w:<9} {} {}{}{}",
                if run.ok { "ok  " } else { "FAIL" },
                run.status.map(|c| format!("[{c}] ")).unwrap_or_default(),
                format_args!("{first:.70}"),
                run.health
                    .as_ref()
                    .map(|h| format!("  health: {h}"))
                    .unwrap_or_default()
            );
            if let Some(e) = &run.error {
                let _ = writeln!(s, "            {e}");
            }
        }
        if let Some(n) = &sm.note {
            let _ = writeln!(s, "  note: {n}");
        }
        probes_text(&mut s, &sm.probes);
    }
    if let Some(st) = &rep.stop {
        match &st.skipped {
            Some(why) => {
                let _ = writeln!(s, "\nstop: – ({why})");
            }
            None => {
                let verdict = match st.agree {
                    Some(true) => "same",
                    Some(false) => "DIFFERENT",
                    None => "not compared",
                };
                let _ = writeln!(s, "\nstop (docker stop -t {}): {verdict}", st.grace_seconds);
                for (w, run) in [("original", &st.original), ("rewrite", &st.rewrite)] {
                    let d = run.as_ref().map_or("–".into(), |x| {
                        if timed {
                            stop::describe(x, st.grace_seconds)
                        } else {
                            stop::describe_untimed(x, st.grace_seconds)
                        }
                    });
                    let _ = writeln!(s, "  {w:<9} {d}");
                }
                if let Some(n) = &st.note {
                    let _ = writeln!(s, "  note: {n}");
                }
            }
        }
    }
    if let Some(c) = &rep.cache {
        let _ = write!(s, "\ncache check");
        match (&c.skipped, &c.changed_file) {
            (Some(why), _) => {
                let _ = writeln!(s, ": skipped ({why})");
            }
            (None, Some(f)) => {
                let _ = writeln!(s, " (blank lines appended to {f}):");
                for (w, run) in [("original", &c.original), ("rewrite", &c.rewrite)] {
                    if let Some(run) = run {
                        let took = if timed {
                            format!(", {:.1} s", run.seconds)
                        } else {
                            String::new()
                        };
                        let _ = writeln!(
                            s,
                            "  {w:<9} {} of {} steps re-ran, {} cached{took}; dependency install re-ran: {}",
                            run.reran,
                            run.steps,
                            run.cached,
                            if run.deps_reran.is_empty() {
                                "no".to_string()
                            } else {
                                format!("YES ({})", run.deps_reran.join("; "))
                            }
                        );
                    }
                }
            }
            _ => {
                let _ = writeln!(s);
            }
        }
    }
    for w in &rep.warnings {
        let _ = writeln!(s, "\nwarning: {w}");
    }
    let _ = writeln!(s);
    if rep.failures.is_empty() && !rep.both_fail.is_empty() {
        for b in &rep.both_fail {
            let _ = writeln!(s, "BOTH FAIL: both fail the same way: {b}");
        }
        let _ = writeln!(
            s,
            "nothing is proven: the original fails too (a missing --env, --volume or argument?)"
        );
    } else if rep.passed {
        let stops = if rep.stop.as_ref().is_some_and(|st| st.agree == Some(true)) {
            " (and it stops the same way)"
        } else {
            ""
        };
        let probes = match rep.smoke.as_ref().map_or(0, |sm| sm.probes.len()) {
            0 => String::new(),
            1 => " and so does its probe".into(),
            n => format!(" and so do its {n} probes"),
        };
        if rep.smoke.is_some() {
            let _ = writeln!(
                s,
                "PASS: the rewrite builds and the smoke check agrees{probes}{stops}"
            );
        } else {
            let _ = writeln!(
                s,
                "PASS: the rewrite builds and is not bigger (no smoke check was run: --exec or --http runs one)"
            );
        }
    } else {
        for f in &rep.failures {
            let _ = writeln!(s, "FAIL: {f}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::report::{CacheReport, CacheRun};

    fn report() -> Report {
        let mut r = Report::new("app/Dockerfile");
        for (which, secs, size) in [
            ("original", 41.7, 300_000_000),
            ("rewrite", 12.3, 30_000_000),
        ] {
            let img = ImageReport {
                tag: format!("dfsplit-verify/app-1:{which}"),
                built: true,
                build_seconds: secs,
                measure: Some(Measure {
                    size_bytes: size,
                    ..Measure::default()
                }),
                ..ImageReport::default()
            };
            if which == "original" {
                r.original = Some(img);
            } else {
                r.rewrite = Some(img);
            }
        }
        let run = CacheRun {
            built: true,
            seconds: 2.4,
            steps: 5,
            reran: 1,
            cached: 4,
            ..CacheRun::default()
        };
        r.cache = Some(CacheReport {
            changed_file: Some("main.go".into()),
            original: Some(run.clone()),
            rewrite: Some(run),
            ..CacheReport::default()
        });
        r
    }

    #[test]
    fn untimed_text_is_the_table_without_its_times() {
        let r = report();
        let timed = text(&r);
        let untimed = text_untimed(&r);
        assert!(
            timed.contains("ok in 41.7 s") && timed.contains("4 cached, 2.4 s;"),
            "{timed}"
        );
        assert!(
            !untimed.contains(" s ") && !untimed.contains(" s;"),
            "{untimed}"
        );
        assert!(
            untimed.contains("  build              ok                           ok\n"),
            "{untimed}"
        );
        // Only the build row and the cache rows differ.
        let (a, b): (Vec<&str>, Vec<&str>) = (timed.lines().collect(), untimed.lines().collect());
        assert_eq!(a.len(), b.len());
        let differ: Vec<&str> = a
            .iter()
            .zip(&b)
            .filter(|(x, y)| x != y)
            .map(|(x, _)| x.split_whitespace().next().unwrap_or(""))
            .collect();
        assert_eq!(
            differ,
            ["build", "original", "rewrite"],
            "{timed}\n{untimed}"
        );
    }

    #[test]
    fn a_pass_without_a_smoke_check_does_not_claim_one() {
        let t = text(&report());
        assert!(
            t.contains("PASS: the rewrite builds and is not bigger (no smoke check was run"),
            "{t}"
        );
        assert!(!t.contains("smoke check agrees"), "{t}");
    }
}
