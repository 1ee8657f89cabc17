//! End to end: `dfsplit verify` on every app of `corpus/e2e/` that has an
//! `e2e.toml`, with the smoke check, probes, env and arguments it names,
//! against a real Docker engine; apps with `non_root = true` a second time
//! with `--non-root` (the `non-root` variant).
//!
//! It takes minutes (cold: tens of minutes), so it only runs when asked:
//!
//! ```sh
//! eval "$(../shared/e2e/docker-up)" && ../shared/e2e/standins
//! DFSPLIT_E2E=1 cargo test --test e2e -- --nocapture
//! ```
//!
//! Without `DFSPLIT_E2E=1` it prints a skip message and passes. With it but
//! without an engine it prints a loud SKIP and passes — unless `CI` is set,
//! where a missing engine fails. It fails listing every app (and variant)
//! whose rewrite does not build, whose smoke check or a probe disagrees or
//! that both images fail the same way; apps the planner leaves unchanged are
//! listed, not failed. A full run writes `corpus/E2E.md`;
//! `DFSPLIT_E2E_APPS=a,b:non-root` runs only those apps (`a`: every variant;
//! `b:non-root`: that one) and writes nothing.

mod common;

use common::{docker, engine_version};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// An app's `e2e.toml` (unknown keys are errors).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AppToml {
    #[allow(dead_code)] // read by people; required so every app says what it is
    description: String,
    smoke: SmokeToml,
    /// A probe file, relative to the app folder → `verify --probes`.
    #[serde(default)]
    probes: Option<String>,
    /// `KEY=VALUE` → `verify --env` each.
    #[serde(default)]
    env: Vec<String>,
    /// Arguments after `--`: after the image, for both containers.
    #[serde(default)]
    args: Vec<String>,
    /// Verify the app a second time with `--non-root`.
    #[serde(default)]
    non_root: bool,
    /// A shell command run in the app folder before `verify` (with `DOCKER`
    /// set to the engine's client): what a CI job does before `docker
    /// build`, such as building a jar the Dockerfile only copies in.
    #[serde(default)]
    prepare: Option<String>,
    #[serde(default)]
    #[allow(dead_code)] // for people and for picking apps by hand
    features: Vec<String>,
}

/// `smoke = { http = "PORT/PATH", expect = "TEXT" }` or `{ exec = "ARGS", … }`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SmokeToml {
    #[serde(default)]
    http: Option<String>,
    #[serde(default)]
    exec: Option<String>,
    #[serde(default)]
    expect: Option<String>,
}

/// Reads and checks an e2e.toml: `Err` names the file (and the line, from the toml crate).
fn read_app_toml(path: &Path) -> Result<AppToml, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_app_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn parse_app_toml(text: &str) -> Result<AppToml, String> {
    let t: AppToml = toml::from_str(text).map_err(|e| e.to_string())?;
    match (&t.smoke.http, &t.smoke.exec) {
        (Some(_), Some(_)) | (None, None) => {
            return Err("smoke needs exactly one of `http` and `exec`".into());
        }
        (None, Some(_)) if t.probes.is_some() => {
            return Err("`probes` needs an http smoke check (the probes go to its port)".into());
        }
        _ => {}
    }
    if let Some(bad) = t.env.iter().find(|e| !e.contains('=')) {
        let key = bad.split('=').next().unwrap_or("");
        return Err(format!("env `{key}`: expected KEY=VALUE"));
    }
    Ok(t)
}

/// How an app is verified: as planned by default, or with `--non-root`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Default,
    NonRoot,
}

impl Variant {
    fn label(self) -> &'static str {
        match self {
            Variant::Default => "default",
            Variant::NonRoot => "non-root",
        }
    }
}

/// The variants an app runs in.
fn variants(t: &AppToml) -> Vec<Variant> {
    if t.non_root {
        vec![Variant::Default, Variant::NonRoot]
    } else {
        vec![Variant::Default]
    }
}

/// `DFSPLIT_E2E_APPS`: `app` selects every variant of the app,
/// `app:non-root` (or `app:default`) that one.
fn selected(filter: Option<&[String]>, app: &str, variant: Variant) -> bool {
    filter.is_none_or(|f| {
        f.iter().any(|entry| match entry.split_once(':') {
            Some((a, v)) => a == app && v == variant.label(),
            None => entry == app,
        })
    })
}

/// Checks the filter's entries name apps (and variants) that exist.
fn check_filter(filter: &[String], apps: &[(String, AppToml)]) -> Result<(), String> {
    for entry in filter {
        let (app, variant) = entry.split_once(':').unwrap_or((entry, ""));
        let Some((_, t)) = apps.iter().find(|(a, _)| a == app) else {
            return Err(format!("DFSPLIT_E2E_APPS: no app `{app}` with an e2e.toml"));
        };
        if !variant.is_empty() && !variants(t).iter().any(|v| v.label() == variant) {
            return Err(format!(
                "DFSPLIT_E2E_APPS: `{entry}`: the app has no `{variant}` variant (non_root = true adds non-root)"
            ));
        }
    }
    Ok(())
}

struct AppResult {
    app: String,
    variant: Variant,
    smoke: String,
    /// verify's exit code.
    code: Option<i32>,
    report: Option<Value>,
    stderr: String,
    seconds: f64,
    /// `--env` keys whose value (4 characters or more) appears in verify's output.
    leaked: Vec<String>,
}

impl AppResult {
    fn outcome(&self) -> &str {
        self.report
            .as_ref()
            .and_then(|r| r["outcome"].as_str())
            .unwrap_or("error")
    }
    fn failed(&self) -> bool {
        !matches!(self.outcome(), "pass" | "unchanged")
            || self.code != Some(0)
            || !self.leaked.is_empty()
    }
    /// Why it failed: verify's failures, the checks both images fail the
    /// same way, `--env` values verify printed; verify's stderr when there is
    /// no report.
    fn reasons(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .leaked
            .iter()
            .map(|k| format!("verify printed the value of --env {k}"))
            .collect();
        let Some(v) = &self.report else {
            out.push(self.stderr.trim().to_string());
            return out;
        };
        let list = |key: &str| -> Vec<String> {
            v[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        out.extend(list("failures"));
        out.extend(
            list("both_fail")
                .into_iter()
                .map(|b| format!("both fail the same way: {b}")),
        );
        out
    }
    /// `app` or `app (non-root)`.
    fn name(&self) -> String {
        match self.variant {
            Variant::Default => self.app.clone(),
            Variant::NonRoot => format!("{} (non-root)", self.app),
        }
    }
}

/// verify's arguments for one app and variant (after the Dockerfile).
fn verify_args(dir: &Path, t: &AppToml, variant: Variant) -> Vec<String> {
    let mut args: Vec<String> = vec!["--format".into(), "json".into()];
    if let Some(h) = &t.smoke.http {
        args.extend(["--http".into(), h.clone()]);
    } else if let Some(e) = &t.smoke.exec {
        args.extend(["--exec".into(), e.clone()]);
    }
    if let Some(x) = &t.smoke.expect {
        args.extend(["--expect".into(), x.clone()]);
    }
    if let Some(p) = &t.probes {
        args.extend(["--probes".into(), dir.join(p).display().to_string()]);
    }
    for e in &t.env {
        args.extend(["--env".into(), e.clone()]);
    }
    if variant == Variant::NonRoot {
        // The cache check does not depend on the user: run it once, by default.
        args.extend(["--non-root".into(), "--no-cache-check".into()]);
    }
    if !t.args.is_empty() {
        args.push("--".into());
        args.extend(t.args.iter().cloned());
    }
    args
}

fn run_app(root: &Path, app: &str, t: &AppToml, variant: Variant) -> AppResult {
    let dir = root.join("corpus/e2e").join(app);
    let mut args: Vec<String> = vec![
        "verify".into(),
        dir.join("Dockerfile").display().to_string(),
    ];
    args.extend(verify_args(&dir, t, variant));
    let smoke = match (&t.smoke.http, &t.smoke.exec) {
        (Some(h), _) => format!("http {h}"),
        (None, Some(e)) => format!("exec '{e}'"),
        (None, None) => "none".into(),
    };
    let start = Instant::now();
    if let Some(cmd) = &t.prepare {
        let prep = Command::new("sh")
            .args(["-c", cmd])
            .current_dir(&dir)
            .env("DOCKER", docker())
            .stdin(Stdio::null())
            .output()
            .expect("run the app's prepare command");
        if !prep.status.success() {
            return AppResult {
                app: app.to_string(),
                variant,
                smoke,
                code: prep.status.code(),
                report: None,
                leaked: Vec::new(),
                stderr: format!(
                    "prepare `{cmd}` failed: {}{}",
                    String::from_utf8_lossy(&prep.stdout),
                    String::from_utf8_lossy(&prep.stderr)
                ),
                seconds: start.elapsed().as_secs_f64(),
            };
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_dfsplit"))
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .expect("run dfsplit verify");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    AppResult {
        app: app.to_string(),
        variant,
        smoke,
        code: out.status.code(),
        report: serde_json::from_slice(&out.stdout).ok(),
        leaked: leaked(&t.env, &[&stdout, &stderr]),
        stderr: stderr.into_owned(),
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// The keys of `env` (`KEY=VALUE`) whose value appears in any of `outputs`
/// (values shorter than 4 characters, which verify does not mask, aside).
fn leaked(env: &[String], outputs: &[&str]) -> Vec<String> {
    env.iter()
        .filter_map(|e| e.split_once('='))
        .filter(|(_, v)| v.len() >= 4 && outputs.iter().any(|o| o.contains(v)))
        .map(|(k, _)| k.to_string())
        .collect()
}

/// Every app folder of corpus/e2e with an e2e.toml, parsed, sorted by name.
fn e2e_apps(root: &Path) -> Vec<(String, AppToml)> {
    let mut apps: Vec<(String, AppToml)> = std::fs::read_dir(root.join("corpus/e2e"))
        .expect("corpus/e2e")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("e2e.toml").is_file())
        .map(|e| {
            let t =
                read_app_toml(&e.path().join("e2e.toml")).unwrap_or_else(|e| panic!("e2e: {e}"));
            (e.file_name().to_string_lossy().into_owned(), t)
        })
        .collect();
    apps.sort_by(|a, b| a.0.cmp(&b.0));
    apps
}

#[test]
fn e2e_corpus() {
    if std::env::var("DFSPLIT_E2E").as_deref() != Ok("1") {
        eprintln!(
            "e2e: skipped (set DFSPLIT_E2E=1 to build and run every corpus/e2e app with Docker; .ci/run does)"
        );
        return;
    }
    let engine = match engine_version() {
        Ok(v) => v,
        Err(why) => {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "e2e: CI is set but no Docker engine answers ({} info: {why}); run ../shared/e2e/docker-up",
                    docker()
                );
            }
            eprintln!("\n**************************************************************");
            eprintln!(
                "*** SKIP e2e: no Docker engine answers ({} info: {why})",
                docker()
            );
            eprintln!(
                "*** start one: eval \"$(../shared/e2e/docker-up)\" && ../shared/e2e/standins"
            );
            eprintln!("**************************************************************\n");
            return;
        }
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let only: Option<Vec<String>> = std::env::var("DFSPLIT_E2E_APPS")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.split(',').map(|a| a.trim().to_string()).collect());
    let apps = e2e_apps(&root);
    if let Some(f) = &only {
        check_filter(f, &apps).unwrap_or_else(|e| panic!("e2e: {e}"));
    }
    let runs: Vec<(&str, &AppToml, Variant)> = apps
        .iter()
        .flat_map(|(app, t)| variants(t).into_iter().map(move |v| (app.as_str(), t, v)))
        .filter(|(app, _, v)| selected(only.as_deref(), app, *v))
        .collect();
    assert!(!runs.is_empty(), "e2e: no app with an e2e.toml selected");

    let start = Instant::now();
    let mut results = Vec::new();
    for (app, t, variant) in runs {
        eprintln!("e2e: {app} ({}) …", variant.label());
        let r = run_app(&root, app, t, variant);
        eprintln!(
            "e2e: {app} ({}): {} (exit {}, {:.0} s)",
            variant.label(),
            r.outcome(),
            r.code.map_or("?".into(), |c| c.to_string()),
            r.seconds
        );
        results.push(r);
    }
    let total = start.elapsed().as_secs_f64();
    let sizes = official_sizes(&root);
    let md = markdown(&results, &engine, total, &sizes);
    if only.is_none() {
        std::fs::write(root.join("corpus/E2E.md"), &md).expect("write corpus/E2E.md");
        eprintln!("e2e: wrote corpus/E2E.md");
    }
    println!("{md}");
    eprintln!("e2e: {} apps in {:.0} s", results.len(), total);

    let unchanged: Vec<String> = results
        .iter()
        .filter(|r| r.outcome() == "unchanged")
        .map(|r| format!("  {}: {}", r.name(), unchanged_reason(r)))
        .collect();
    if !unchanged.is_empty() {
        eprintln!(
            "e2e: left unchanged by the planner (not failures):\n{}",
            unchanged.join("\n")
        );
    }
    let failures: Vec<String> = results
        .iter()
        .filter(|r| r.failed())
        .map(|r| {
            let why = r.reasons().join("\n    ");
            format!("  {} ({}):\n    {why}", r.name(), r.outcome())
        })
        .collect();
    assert!(
        failures.is_empty(),
        "e2e: {} of {} apps failed:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n")
    );
}

fn unchanged_reason(r: &AppResult) -> String {
    r.report
        .as_ref()
        .map(|v| {
            format!(
                "{} [{}]",
                v["unchanged"]["reason"].as_str().unwrap_or("?"),
                v["unchanged"]["rule"].as_str().unwrap_or("?")
            )
        })
        .unwrap_or_default()
}

fn mb(v: &Value) -> String {
    v.as_f64()
        .map_or("?".into(), |b| format!("{:.1} MB", b / 1e6))
}

fn tools(v: &Value) -> String {
    let list: Vec<&str> = v
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if list.is_empty() {
        "–".into()
    } else {
        list.join(", ")
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(results: &[AppResult], engine: &str, total: f64, sizes: &[OfficialSize]) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let cold = if std::env::var("DFSPLIT_VERIFY_NO_CACHE").as_deref() == Ok("1") {
        " (DFSPLIT_VERIFY_NO_CACHE=1: both images built with --no-cache)"
    } else {
        ""
    };
    let _ = writeln!(
        s,
        "<!-- GENERATED by tests/e2e.rs (DFSPLIT_E2E=1 cargo test --test e2e -- --nocapture); do not edit by hand. -->\n"
    );
    let _ = writeln!(
        s,
        "# End-to-end results: `dfsplit verify` on `corpus/e2e/`\n"
    );
    let _ = writeln!(
        s,
        "Generated by the e2e harness: each app's original and rewrite built and run with a real \
         Docker engine ({engine}) on the **look-alike base images** of `../shared/e2e/standins` \
         (Debian packages under official tags; see `corpus/e2e/README.md`), so sizes and package \
         counts are the stand-ins', not the official images'. The look-alike distroless images \
         carry no dpkg database: their package count shows as `–`. The rewrites are planned with the \
         built-in catalogue (its Debian 13 distroless images, `nginxinc/nginx-unprivileged`, … are \
         stand-ins too). An app whose `e2e.toml` says `non_root = true` is verified twice: \
         `default`, and `non-root` (`verify --non-root --no-cache-check`). Whole run: {total:.0} s{cold}; \
         build times depend on the build cache at the time.\n"
    );
    let _ = writeln!(
        s,
        "Cache: blank lines (unique per run) appended to one source file copied after the dependency step, both images \
         rebuilt; steps re-run (of all non-FROM steps), and whether a dependency-install step re-ran.\n"
    );
    let _ = writeln!(
        s,
        "Stop: after an http smoke check (and the HEALTHCHECK wait), `docker stop -t GRACE` on each \
         container: `exited` = it ended on the stop signal within the grace, `killed` = it was still \
         running and got SIGKILL after the grace (exit 137); time and exit code per image. A different \
         class fails the app. Exec smoke checks end by themselves: `–`.\n"
    );
    let _ = writeln!(
        s,
        "Smoke: the http check waits for any answer (502/503/504 mean not yet) and compares status and \
         body. Probes: the app's `probes.yaml` requests, sent in order to each container once it is \
         ready; how many agree, and which do not. `both fail`: the original and the rewrite fail the \
         same way (the app cannot run here as configured): nothing is proven, and the app fails.\n"
    );
    let _ = writeln!(
        s,
        "| app | variant | result | base before → after | size before → after | packages | shell | package managers | compilers | cache re-run (orig / rewrite) | dep install re-ran (orig / rewrite) | smoke | probes | stop (orig / rewrite) | unexplained config diffs |"
    );
    let _ = writeln!(
        s,
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    let mut ratios = Vec::new();
    let mut base_rows = Vec::new();
    let (mut estimate_rows, mut estimates, mut facts_used) = (Vec::new(), Vec::new(), Vec::new());
    let (mut floors, mut added_ratios) = (Vec::new(), Vec::new());
    for r in results {
        let Some(v) = r.report.as_ref().filter(|v| v["outcome"] != "unchanged") else {
            continue;
        };
        let (o, w) = (&v["original"]["measure"], &v["rewrite"]["measure"]);
        if let (Some(a), Some(b)) = (o["size_bytes"].as_f64(), w["size_bytes"].as_f64())
            && a > 0.0
        {
            ratios.push(b / a);
        }
        let (row, floor, added) = base_row(&r.name(), v);
        base_rows.push(row);
        let (row, estimate, used) = estimate_row(&r.name(), v, sizes);
        estimate_rows.push(row);
        estimates.extend(estimate);
        for f in used {
            if !facts_used
                .iter()
                .any(|u: &&OfficialSize| std::ptr::eq(*u, f))
            {
                facts_used.push(f);
            }
        }
        floors.extend(floor);
        added_ratios.extend(added);
        let ratio = match (o["size_bytes"].as_f64(), w["size_bytes"].as_f64()) {
            (Some(a), Some(b)) if a > 0.0 => format!(" ({:.2}×)", b / a),
            _ => String::new(),
        };
        let pk = |m: &Value| m["packages"].as_u64().map_or("–".into(), |n| n.to_string());
        let yn = |m: &Value| match m["shell"].as_bool() {
            Some(true) => "yes",
            Some(false) => "no",
            None => "?",
        };
        let c = &v["cache"];
        let cache_cell = |w: &str| {
            let run = &c[w];
            match (run["reran"].as_u64(), run["steps"].as_u64()) {
                (Some(a), Some(b)) => {
                    format!("{a}/{b} in {:.0} s", run["seconds"].as_f64().unwrap_or(0.0))
                }
                _ => "–".into(),
            }
        };
        let deps = |w: &str| match c[w]["deps_reran"].as_array() {
            Some(a) if a.is_empty() => "no".to_string(),
            Some(_) => "**yes**".to_string(),
            None => "–".to_string(),
        };
        let cache = match c["skipped"].as_str() {
            Some(why) => format!("skipped: {why}"),
            None if c.is_null() => "–".into(),
            None => format!("{} / {}", cache_cell("original"), cache_cell("rewrite")),
        };
        let sm = &v["smoke"];
        let smoke = if sm.is_null() {
            "–".to_string()
        } else {
            let mut t = format!(
                "{} {}",
                r.smoke,
                match (sm["agree"].as_bool(), sm["verdict"].as_str()) {
                    (Some(true), _) => "agree",
                    (_, Some("both-fail")) => "**both fail**",
                    _ => "**DISAGREE**",
                }
            );
            for w in ["original", "rewrite"] {
                if let Some(h) = sm[w]["health"].as_str() {
                    t.push_str(&format!("; {w} {h}"));
                }
                if let Some(e) = sm[w]["error"].as_str() {
                    t.push_str(&format!("; {w}: {e}"));
                }
            }
            if let Some(n) = sm["note"].as_str() {
                t.push_str(&format!(" ({n})"));
            }
            t
        };
        let result = match r.outcome() {
            "pass" => "pass".to_string(),
            "both-fail" => "**both fail**".to_string(),
            other => format!("**{other}**"),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | `{}` → `{}` | {} → {}{} | {} → {} | {} → {} | {} → {} | {} → {} | {} | {} / {} | {} | {} | {} | {} |",
            r.app,
            r.variant.label(),
            result,
            v["base_before"].as_str().unwrap_or("?"),
            v["base_after"].as_str().unwrap_or("?"),
            mb(&o["size_bytes"]),
            mb(&w["size_bytes"]),
            ratio,
            pk(o),
            pk(w),
            yn(o),
            yn(w),
            tools(&o["package_managers"]),
            tools(&w["package_managers"]),
            tools(&o["compilers"]),
            tools(&w["compilers"]),
            cell(&cache),
            deps("original"),
            deps("rewrite"),
            cell(&smoke),
            cell(&probes_cell(&sm["probes"])),
            cell(&stop_cell(&v["stop"])),
            v["unexplained"].as_u64().unwrap_or(0),
        );
    }
    let _ = writeln!(s);
    let n = ratios.len();
    match median(ratios) {
        Some(m) => {
            let _ = writeln!(
                s,
                "**Median size ratio** (rewrite / original) over the {n} rewritten apps that built: **{m:.2}×**; \
                 median base floor (runtime base / original base, {} apps): **{}**; median added-bytes ratio \
                 (added on top of the base, rewrite / original, {} apps): **{}**.\n",
                floors.len(),
                times(median(floors)),
                added_ratios.len(),
                times(median(added_ratios)),
            );
        }
        None => {
            let _ = writeln!(s, "No rewritten app built: no size ratio.\n");
        }
    }
    let _ = writeln!(s, "## Base image and what is added on top\n");
    let _ = writeln!(
        s,
        "Each image's base is the FROM image of its final stage (the rewrite's `runtime` stage; \
         `FROM <stage>` is followed to its image), measured with `docker image inspect` `.Size` \
         (uncompressed, all layers; `scratch` is 0). *Added on top* is the image's size minus its \
         base's: what the Dockerfile's own steps put into the image. The *base floor* is the runtime \
         base's size divided by the original base's: the size ratio the rewrite would have if it \
         added nothing to its base, which is what the change of base alone gives on these stand-in \
         images. The *added ratio* is the rewrite's added bytes divided by the original's. `?`: the \
         base is not in the engine's image store.\n"
    );
    let _ = writeln!(
        s,
        "| app | base before → after | base floor | added on top before → after | added ratio | size ratio |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for row in base_rows {
        let _ = writeln!(s, "{row}");
    }
    let _ = writeln!(s);
    estimate_section(&mut s, &estimate_rows, estimates, &facts_used);
    let unchanged: Vec<&AppResult> = results
        .iter()
        .filter(|r| r.outcome() == "unchanged")
        .collect();
    let _ = writeln!(
        s,
        "## Left unchanged by the planner ({})\n",
        unchanged.len()
    );
    if unchanged.is_empty() {
        let _ = writeln!(s, "None.\n");
    }
    for r in unchanged {
        let _ = writeln!(s, "- `{}`: {}", r.name(), unchanged_reason(r));
    }
    let _ = writeln!(s);
    let failed: Vec<&AppResult> = results.iter().filter(|r| r.failed()).collect();
    let _ = writeln!(s, "## Failures ({})\n", failed.len());
    if failed.is_empty() {
        let _ = writeln!(s, "None.\n");
    }
    for r in failed {
        let _ = writeln!(s, "### `{}` ({})\n", r.name(), r.outcome());
        for w in r.reasons() {
            let _ = writeln!(s, "```\n{}\n```\n", w.trim());
        }
    }
    let mut unexplained = Vec::new();
    for r in results {
        let Some(v) = &r.report else { continue };
        for d in v["config"].as_array().into_iter().flatten() {
            if d["explained"] == false {
                let field = match d["key"].as_str() {
                    Some(k) => format!("{} {k}", d["field"].as_str().unwrap_or("?")),
                    None => d["field"].as_str().unwrap_or("?").to_string(),
                };
                unexplained.push(format!(
                    "- `{}`: {field}: `{}` → `{}`",
                    r.name(),
                    d["original"],
                    d["rewrite"]
                ));
            }
        }
    }
    let _ = writeln!(
        s,
        "## Unexplained config differences ({})\n",
        unexplained.len()
    );
    if unexplained.is_empty() {
        let _ = writeln!(s, "None.");
    }
    for u in unexplained {
        let _ = writeln!(s, "{u}");
    }
    s
}

/// One fact of `corpus/e2e/official-sizes.yaml`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficialSize {
    images: Vec<String>,
    mb: f64,
    #[serde(default)]
    proxy: Option<String>,
    source: String,
}

/// The published sizes of the official images, for the estimate section.
fn official_sizes(root: &Path) -> Vec<OfficialSize> {
    let path = root.join(OFFICIAL_SIZES);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const OFFICIAL_SIZES: &str = "corpus/e2e/official-sizes.yaml";

fn official<'a>(sizes: &'a [OfficialSize], image: &str) -> Option<&'a OfficialSize> {
    sizes.iter().find(|f| f.images.iter().any(|i| i == image))
}

/// One row of the estimate table: the official base sizes under the bytes
/// each image measurably adds on top of its base. `None` when a base has no
/// published size here or a measurement is missing.
fn estimate_row<'a>(
    app: &str,
    v: &Value,
    sizes: &'a [OfficialSize],
) -> (String, Option<f64>, Vec<&'a OfficialSize>) {
    let (o, w) = (&v["original"]["base"], &v["rewrite"]["base"]);
    let image = |b: &Value| b["image"].as_str().unwrap_or("?").to_string();
    let (fo, fw) = (official(sizes, &image(o)), official(sizes, &image(w)));
    let total = |f: Option<&OfficialSize>, b: &Value| -> Option<f64> {
        Some(f?.mb * 1e6 + b["added_bytes"].as_f64()?)
    };
    let estimate = ratio(total(fo, o), total(fw, w));
    let side = |f: Option<&OfficialSize>, b: &Value| match f {
        Some(f) => format!("`{}` {:.1} MB", image(b), f.mb),
        None => format!("`{}` ?", image(b)),
    };
    let row = format!(
        "| {app} | {} → {} | {} → {} | {} |",
        side(fo, o),
        side(fw, w),
        bytes(&o["added_bytes"]),
        bytes(&w["added_bytes"]),
        times(estimate),
    );
    (row, estimate, fo.into_iter().chain(fw).collect())
}

/// The estimate section: table, median and the facts it used.
fn estimate_section(s: &mut String, rows: &[String], estimates: Vec<f64>, used: &[&OfficialSize]) {
    use std::fmt::Write as _;
    let _ = writeln!(s, "## Estimate with the official images' published sizes\n");
    let _ = writeln!(
        s,
        "Not measured here (no registry): each base's uncompressed size as published for the official \
         image (facts in `{OFFICIAL_SIZES}`, sources below) plus the bytes the image measurably adds on \
         top of its base on the stand-ins. The stand-in toolchain images are about half the official \
         size, which is why the measured ratios above cannot go below their base floor. Where a \
         figure is uncertain the larger one is used, so the estimate errs on the large side. `?`: \
         no published size recorded.\n"
    );
    let _ = writeln!(
        s,
        "| app | official base before → after | added on top before → after | estimated size ratio |"
    );
    let _ = writeln!(s, "|---|---|---|---|");
    for row in rows {
        let _ = writeln!(s, "{row}");
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "**Estimated median size ratio** with the official base sizes ({} apps): **{}**.\n",
        estimates.len(),
        times(median(estimates))
    );
    let _ = writeln!(s, "Sizes used:\n");
    for f in used {
        let proxy = f
            .proxy
            .as_deref()
            .map(|p| format!(" (figure for `{p}`)"))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "- `{}`: {:.1} MB{proxy}; {}",
            f.images[0], f.mb, f.source
        );
    }
    let _ = writeln!(s);
}

/// The median (the mean of the two middle values for an even count).
fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => None,
        n if n % 2 == 1 => Some(v[n / 2]),
        n => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// `after / before`, when both are known and `before` is not 0.
fn ratio(before: Option<f64>, after: Option<f64>) -> Option<f64> {
    match (before, after) {
        (Some(a), Some(b)) if a > 0.0 => Some(b / a),
        _ => None,
    }
}

/// `0.35×`; below 0.1 two significant digits (`0.0026×`), so a tiny ratio is not shown as 0.
fn times(r: Option<f64>) -> String {
    match r {
        None => "–".into(),
        Some(r) if r > 0.0 && r < 0.1 => {
            let digits = (1 - r.log10().floor() as i32).max(2) as usize;
            format!("{r:.digits$}×")
        }
        Some(r) => format!("{r:.2}×"),
    }
}

/// Bytes for people, keeping small values visible: `89.7 MB`, `4.2 kB`, `310 B`.
fn bytes(v: &Value) -> String {
    match v.as_f64() {
        None => "?".into(),
        Some(b) if b >= 1e6 => format!("{:.1} MB", b / 1e6),
        Some(b) if b >= 1e3 => format!("{:.1} kB", b / 1e3),
        Some(b) => format!("{b:.0} B"),
    }
}

/// One row of the base table, with its base floor and added-bytes ratio.
fn base_row(app: &str, v: &Value) -> (String, Option<f64>, Option<f64>) {
    let (o, w) = (&v["original"], &v["rewrite"]);
    let base = |i: &Value| {
        format!(
            "`{}` {}",
            i["base"]["image"].as_str().unwrap_or("?"),
            mb(&i["base"]["size_bytes"])
        )
    };
    let floor = ratio(
        o["base"]["size_bytes"].as_f64(),
        w["base"]["size_bytes"].as_f64(),
    );
    let added = ratio(
        o["base"]["added_bytes"].as_f64(),
        w["base"]["added_bytes"].as_f64(),
    );
    let size = ratio(
        o["measure"]["size_bytes"].as_f64(),
        w["measure"]["size_bytes"].as_f64(),
    );
    let row = format!(
        "| {app} | {} → {} | {} | {} → {} | {} | {} |",
        base(o),
        base(w),
        times(floor),
        bytes(&o["base"]["added_bytes"]),
        bytes(&w["base"]["added_bytes"]),
        times(added),
        times(size),
    );
    (row, floor, added)
}

/// The probes column: how many agree, and each one that does not, with why.
fn probes_cell(probes: &Value) -> String {
    let Some(list) = probes.as_array().filter(|l| !l.is_empty()) else {
        return "–".into();
    };
    let agree = list.iter().filter(|p| p["agree"] == true).count();
    let mut t = format!("{agree}/{} agree", list.len());
    for p in list.iter().filter(|p| p["agree"] != true) {
        let verdict = match p["verdict"].as_str() {
            Some("both-fail") => "both fail",
            Some("not-run") => "not run",
            _ => "**differs**",
        };
        t.push_str(&format!(
            "; `{}` {verdict}: {}",
            p["name"].as_str().unwrap_or("?"),
            p["why"].as_str().unwrap_or("")
        ));
    }
    t
}

/// `exited 0.8 s, exit 1`: one image's stop result.
fn stop_side(s: &Value) -> String {
    match (s["class"].as_str(), s["error"].as_str()) {
        (_, Some(e)) => format!("not checked: {e}"),
        (Some(class), None) => format!(
            "{class} {:.1} s, exit {}{}",
            s["seconds"].as_f64().unwrap_or(0.0),
            s["exit_code"]
                .as_i64()
                .map_or("?".into(), |c| c.to_string()),
            if s["oom_killed"] == true { ", OOM" } else { "" }
        ),
        (None, None) => "–".into(),
    }
}

/// The stop column: both results, the verdict when they differ, verify's note.
fn stop_cell(stop: &Value) -> String {
    if stop.is_null() || stop["skipped"].is_string() {
        return "–".into();
    }
    let both = format!(
        "{} / {}",
        stop_side(&stop["original"]),
        stop_side(&stop["rewrite"])
    );
    let mut t = if stop["agree"] == false {
        format!("**DIFFERENT**: {both}")
    } else {
        both
    };
    if let Some(n) = stop["note"].as_str() {
        t.push_str(&format!(" ({n})"));
    }
    t
}

#[test]
fn medians_and_ratios() {
    assert_eq!(median(vec![]), None);
    assert_eq!(median(vec![0.51, 0.01, 0.35]), Some(0.35));
    assert_eq!(median(vec![0.4, 0.1, 0.3, 0.2]), Some(0.25));
    assert_eq!(
        ratio(Some(553.7), Some(193.3)).map(|r| times(Some(r))),
        Some("0.35×".into())
    );
    assert_eq!(ratio(Some(0.0), Some(1.0)), None);
    assert_eq!(ratio(None, Some(1.0)), None);
    assert_eq!(times(None), "–");
    // go-vendor-cli: distroless static 1.5 MB over golang 589.7 MB.
    assert_eq!(times(ratio(Some(589.7), Some(1.53))), "0.0026×");
    assert_eq!(times(Some(0.044)), "0.044×");
    assert_eq!(times(Some(0.0)), "0.00×");
    assert_eq!(times(Some(15.352)), "15.35×");
    assert_eq!(bytes(&Value::from(89_672_491u64)), "89.7 MB");
    assert_eq!(bytes(&Value::from(4_210u64)), "4.2 kB");
    assert_eq!(bytes(&Value::from(310u64)), "310 B");
    assert_eq!(bytes(&Value::Null), "?");
}

#[test]
fn base_rows_from_verify_json() {
    // node-express-nolock's verify JSON on the stand-ins (trimmed).
    let v: Value = serde_json::from_str(
        r#"{"original": {"measure": {"size_bytes": 559528297},
                         "base": {"image": "node:20", "size_bytes": 553687141, "added_bytes": 5841156}},
            "rewrite": {"measure": {"size_bytes": 282929350},
                        "base": {"image": "node:20-slim", "size_bytes": 193256859, "added_bytes": 89672491}}}"#,
    )
    .unwrap();
    let (row, floor, added) = base_row("node-express-nolock", &v);
    assert_eq!(
        row,
        "| node-express-nolock | `node:20` 553.7 MB → `node:20-slim` 193.3 MB | 0.35× | 5.8 MB → 89.7 MB | 15.35× | 0.51× |"
    );
    assert!(floor.is_some_and(|f| (f - 0.349).abs() < 0.001));
    assert!(added.is_some_and(|a| a > 15.0));
    // A base missing from the image store: no ratios, nothing made up.
    let v: Value = serde_json::from_str(
        r#"{"original": {"measure": {"size_bytes": 10}, "base": {"image": "golang:1.23"}},
            "rewrite": {"measure": {"size_bytes": 5}, "base": {"image": "scratch", "size_bytes": 0, "added_bytes": 5}}}"#,
    )
    .unwrap();
    let (row, floor, added) = base_row("x", &v);
    assert_eq!((floor, added), (None, None));
    assert_eq!(
        row,
        "| x | `golang:1.23` ? → `scratch` 0.0 MB | – | ? → 5 B | – | 0.50× |"
    );
}

#[test]
fn estimate_rows_from_verify_json() {
    let sizes: Vec<OfficialSize> = serde_saphyr::from_str(
        "- {images: [\"node:20\"], mb: 1130, proxy: \"node:22\", source: a}\n- {images: [\"node:20-slim\"], mb: 227.3, source: b}\n",
    )
    .unwrap();
    let v: Value = serde_json::from_str(
        r#"{"original": {"base": {"image": "node:20", "size_bytes": 553687141, "added_bytes": 5841156}},
            "rewrite": {"base": {"image": "node:20-slim", "size_bytes": 193256859, "added_bytes": 7600000}}}"#,
    )
    .unwrap();
    let (row, estimate, used) = estimate_row("node-express-nolock", &v, &sizes);
    // (227.3 MB + 7.6 MB) / (1130 MB + 5.84 MB)
    let want = (227.3e6 + 7.6e6) / (1130e6 + 5_841_156.0);
    assert!(
        estimate.is_some_and(|e| (e - want).abs() < 1e-9),
        "{estimate:?}"
    );
    assert_eq!(
        row,
        "| node-express-nolock | `node:20` 1130.0 MB → `node:20-slim` 227.3 MB | 5.8 MB → 7.6 MB | 0.21× |"
    );
    assert_eq!(used.len(), 2);
    // No published size for a base: no estimate, nothing made up.
    let v: Value = serde_json::from_str(
        r#"{"original": {"base": {"image": "node:20", "added_bytes": 1}},
            "rewrite": {"base": {"image": "node:99-slim", "added_bytes": 1}}}"#,
    )
    .unwrap();
    let (row, estimate, used) = estimate_row("x", &v, &sizes);
    assert_eq!(estimate, None);
    assert_eq!(used.len(), 1);
    assert!(row.contains("`node:99-slim` ?"), "{row}");
}

#[test]
fn official_sizes_cover_the_e2e_bases() {
    // Every base an e2e app builds on has a published size recorded, so the
    // estimate covers every app: its FROM, and the runtime base the built-in
    // catalogue picks (also with --non-root for the apps verified that way).
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sizes = official_sizes(&root);
    for f in &sizes {
        assert!(f.mb > 0.0 && !f.source.is_empty(), "{:?}", f.images);
    }
    for (app, t) in e2e_apps(&root) {
        let df = root.join("corpus/e2e").join(&app).join("Dockerfile");
        let text = std::fs::read_to_string(&df).unwrap();
        let from = text
            .lines()
            .find_map(|l| l.strip_prefix("FROM "))
            .and_then(|l| l.split_whitespace().next())
            .unwrap();
        assert!(official(&sizes, from).is_some(), "{}: {from}", df.display());
        for variant in variants(&t) {
            let mut c = Command::new(env!("CARGO_BIN_EXE_dfsplit"));
            c.arg("rewrite").arg(&df);
            if variant == Variant::NonRoot {
                c.arg("--non-root");
            }
            let out = c.output().unwrap();
            assert!(
                out.status.success(),
                "{app} ({}): dfsplit rewrite failed: {}",
                variant.label(),
                String::from_utf8_lossy(&out.stderr)
            );
            let new = String::from_utf8_lossy(&out.stdout);
            let runtime = new
                .lines()
                .filter_map(|l| l.strip_prefix("FROM "))
                .next_back()
                .and_then(|l| l.split_whitespace().next())
                .unwrap();
            assert!(
                official(&sizes, runtime).is_some(),
                "{app} ({}): {runtime} has no size in {OFFICIAL_SIZES}",
                variant.label()
            );
        }
    }
}

#[test]
fn stop_cells_from_verify_json() {
    assert_eq!(stop_cell(&Value::Null), "–");
    let exec: Value = serde_json::from_str(
        r#"{"grace_seconds": 5, "skipped": "exec smoke check: the process ends by itself"}"#,
    )
    .unwrap();
    assert_eq!(stop_cell(&exec), "–");
    let same: Value = serde_json::from_str(
        r#"{"grace_seconds": 5,
            "original": {"class": "killed", "seconds": 5.2, "exit_code": 137, "oom_killed": false, "signal": "SIGTERM"},
            "rewrite": {"class": "killed", "seconds": 5.2, "exit_code": 137, "oom_killed": false, "signal": "SIGTERM"},
            "agree": true}"#,
    )
    .unwrap();
    assert_eq!(
        stop_cell(&same),
        "killed 5.2 s, exit 137 / killed 5.2 s, exit 137"
    );
    let differ: Value = serde_json::from_str(
        r#"{"grace_seconds": 5,
            "original": {"class": "exited", "seconds": 0.8, "exit_code": 1, "oom_killed": false, "signal": "SIGTERM"},
            "rewrite": {"class": "killed", "seconds": 5.3, "exit_code": 137, "oom_killed": false, "signal": "SIGTERM"},
            "agree": false}"#,
    )
    .unwrap();
    assert_eq!(
        stop_cell(&differ),
        "**DIFFERENT**: exited 0.8 s, exit 1 / killed 5.3 s, exit 137"
    );
}

#[test]
fn reads_e2e_toml() {
    let t = parse_app_toml(
        "description = \"a \\\"b\\\"\"\nsmoke = { http = \"8080/health\", expect = \"ok, fine\" }\n\
         probes = \"probes.yaml\"\nenv = [\"API_KEY=test\"]\nargs = [\"--port\", \"8080\"]\n\
         non_root = true\nfeatures = [\"x\"]\n# smoke = { exec = \"no\" }\n",
    )
    .unwrap();
    assert_eq!(t.description, "a \"b\"");
    assert_eq!(t.smoke.http.as_deref(), Some("8080/health"));
    assert_eq!(t.smoke.expect.as_deref(), Some("ok, fine"));
    assert_eq!(t.smoke.exec, None);
    assert_eq!(variants(&t), vec![Variant::Default, Variant::NonRoot]);
    let dir = Path::new("/c/app");
    assert_eq!(
        verify_args(dir, &t, Variant::NonRoot),
        [
            "--format",
            "json",
            "--http",
            "8080/health",
            "--expect",
            "ok, fine",
            "--probes",
            "/c/app/probes.yaml",
            "--env",
            "API_KEY=test",
            "--non-root",
            "--no-cache-check",
            "--",
            "--port",
            "8080"
        ]
    );
    let t =
        parse_app_toml("description = \"d\"\nsmoke = { exec = \"\", expect = \"v 1\" }").unwrap();
    assert_eq!(t.smoke.exec.as_deref(), Some(""));
    assert_eq!(variants(&t), vec![Variant::Default]);
    assert_eq!(
        verify_args(dir, &t, Variant::Default),
        ["--format", "json", "--exec", "", "--expect", "v 1"]
    );
}

#[test]
fn e2e_toml_errors() {
    // Unknown keys, at any level, are errors with their line.
    let e = parse_app_toml("description = \"d\"\nsmoke = { http = \"80\" }\nprobe = \"p.yaml\"\n")
        .unwrap_err();
    assert!(e.contains("probe") && e.contains("line 3"), "{e}");
    let e = parse_app_toml("description = \"d\"\nsmoke = { http = \"80\", expct = \"x\" }\n")
        .unwrap_err();
    assert!(e.contains("expct"), "{e}");
    let e = parse_app_toml("description = \"d\"\nsmoke = { http = \"80\" }\nnon_root = \"yes\"\n")
        .unwrap_err();
    assert!(e.contains("non_root") || e.contains("line 3"), "{e}");
    for bad in [
        "description = \"d\"\nsmoke = { expect = \"x\" }\n",
        "description = \"d\"\nsmoke = { http = \"80\", exec = \"\" }\n",
        "description = \"d\"\nsmoke = { exec = \"\" }\nprobes = \"p.yaml\"\n",
        "description = \"d\"\nsmoke = { http = \"80\" }\nenv = [\"NOVALUE\"]\n",
        "smoke = { http = \"80\" }\n",
    ] {
        assert!(parse_app_toml(bad).is_err(), "{bad}");
    }
}

#[test]
fn every_e2e_toml_is_valid() {
    // The harness would stop at the first bad file; here every file is
    // checked without an engine, with the probe files they name.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let apps = e2e_apps(&root);
    assert!(!apps.is_empty());
    for (app, t) in &apps {
        if let Some(p) = &t.probes {
            let path = root.join("corpus/e2e").join(app).join(p);
            assert!(path.is_file(), "{app}: probes = {p}: no such file");
        }
    }
}

/// The app names in the first column of `corpus/e2e/README.md`'s app table:
/// the first table after the `## Apps` heading, one row per app, its name in
/// backticks. `Err` says what does not have that shape.
fn readme_app_rows(readme: &str) -> Result<Vec<String>, String> {
    let mut lines = readme.lines().skip_while(|l| !l.starts_with("## Apps"));
    if lines.next().is_none() {
        return Err("no `## Apps` heading".into());
    }
    let table: Vec<&str> = lines
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .collect();
    if table.len() < 2 || !table[1].starts_with("|---") {
        return Err("no table (header and `|---` line) after the `## Apps` heading".into());
    }
    table[2..]
        .iter()
        .map(|row| {
            let first = row[1..].split('|').next().unwrap_or("").trim();
            first
                .strip_prefix('`')
                .and_then(|s| s.strip_suffix('`'))
                .filter(|s| !s.is_empty() && !s.contains('`'))
                .map(str::to_string)
                .ok_or_else(|| {
                    format!("row `{row}`: the first cell is not an app name in backticks")
                })
        })
        .collect()
}

/// What is wrong between the table's names and the app folders (those with
/// an e2e.toml): each folder once, and no other name. `is_dir` tells a folder
/// without an e2e.toml from a name that is no folder at all.
fn readme_table_problems(
    rows: &[String],
    apps: &[String],
    is_dir: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    for app in apps {
        match rows.iter().filter(|r| *r == app).count() {
            0 => problems.push(format!("`{app}` has an e2e.toml but no row in the table")),
            1 => {}
            n => problems.push(format!("`{app}` has {n} rows in the table")),
        }
    }
    for row in rows.iter().filter(|r| !apps.contains(r)) {
        problems.push(if is_dir(row) {
            format!("`{row}` is in the table, but corpus/e2e/{row} has no e2e.toml")
        } else {
            format!("`{row}` is in the table, but there is no folder corpus/e2e/{row}")
        });
    }
    problems
}

#[test]
fn readme_table_lists_every_app() {
    // corpus/e2e/README.md's app table is how people find an app for a
    // feature: an app added without a row (or a row left after its folder
    // went) fails here, without an engine.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("corpus/e2e");
    let mut apps: Vec<String> = std::fs::read_dir(&dir)
        .expect("corpus/e2e")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("e2e.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    apps.sort();
    assert!(!apps.is_empty());
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("corpus/e2e/README.md");
    let rows = readme_app_rows(&readme).unwrap_or_else(|e| panic!("corpus/e2e/README.md: {e}"));
    let problems = readme_table_problems(&rows, &apps, |name| dir.join(name).is_dir());
    assert!(
        problems.is_empty(),
        "corpus/e2e/README.md's app table (under `## Apps`) and the app folders disagree:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn readme_table_rows_and_problems() {
    let readme = "# x\n\n| tool | what |\n|---|---|\n| `not-an-app` | an earlier table |\n\n\
                  ## Apps\n\nSome text.\n\n| app | exercises |\n|---|---|\n\
                  | `a-one` | first, with a \\| pipe |\n| `b-two` | second |\n| `b-two` | again |\n| `gone` | left |\n\n\
                  | `c-later` | a later table |\n";
    let rows = readme_app_rows(readme).unwrap();
    assert_eq!(rows, ["a-one", "b-two", "b-two", "gone"]);
    let apps = ["a-one".to_string(), "b-two".into(), "new-app".into()];
    assert_eq!(
        readme_table_problems(&rows, &apps, |n| n == "gone"),
        [
            "`b-two` has 2 rows in the table",
            "`new-app` has an e2e.toml but no row in the table",
            "`gone` is in the table, but corpus/e2e/gone has no e2e.toml",
        ]
    );
    assert_eq!(
        readme_table_problems(&rows, &apps, |_| false)[2],
        "`gone` is in the table, but there is no folder corpus/e2e/gone"
    );
    assert!(readme_app_rows("## Apps\n\nno table\n").is_err());
    assert!(readme_app_rows("| `a` | b |\n").is_err());
    let e = readme_app_rows("## Apps\n\n| app | x |\n|---|---|\n| a-one | no backticks |\n")
        .unwrap_err();
    assert!(e.contains("a-one"), "{e}");
}

#[test]
fn failure_reasons_and_leaks() {
    let env = vec!["API_KEY=sk-12345".to_string(), "DEBUG=1".to_string()];
    assert_eq!(leaked(&env, &["ok", "key sk-12345 here"]), vec!["API_KEY"]);
    // verify masks values of 4 characters or more; shorter ones are not checked.
    assert!(leaked(&env, &["1 *** 1"]).is_empty());
    let r = AppResult {
        app: "notes".into(),
        variant: Variant::NonRoot,
        smoke: "http 8080/health".into(),
        code: Some(1),
        report: Some(serde_json::json!({
            "outcome": "both-fail",
            "failures": [],
            "both_fail": ["the smoke check: the container exited (code 3): API_KEY is required"]
        })),
        stderr: String::new(),
        seconds: 1.0,
        leaked: Vec::new(),
    };
    assert!(r.failed());
    assert_eq!(r.name(), "notes (non-root)");
    assert_eq!(
        r.reasons(),
        vec![
            "both fail the same way: the smoke check: the container exited (code 3): API_KEY is required"
        ]
    );
    let md = markdown(std::slice::from_ref(&r), "20.10", 1.0, &[]);
    assert!(md.contains("### `notes (non-root)` (both-fail)"), "{md}");
    assert!(md.contains("| notes | non-root | **both fail** |"), "{md}");
}

#[test]
fn app_filter() {
    let f = vec![
        "node-chown-data".to_string(),
        "go-vendor-cli:non-root".to_string(),
    ];
    assert!(selected(Some(&f), "node-chown-data", Variant::Default));
    assert!(selected(Some(&f), "node-chown-data", Variant::NonRoot));
    assert!(!selected(Some(&f), "go-vendor-cli", Variant::Default));
    assert!(selected(Some(&f), "go-vendor-cli", Variant::NonRoot));
    assert!(!selected(Some(&f), "seed-go-scratch", Variant::Default));
    assert!(selected(None, "seed-go-scratch", Variant::NonRoot));
    let plain = parse_app_toml("description = \"d\"\nsmoke = { exec = \"\" }\n").unwrap();
    let twice =
        parse_app_toml("description = \"d\"\nsmoke = { exec = \"\" }\nnon_root = true\n").unwrap();
    let apps = vec![("a".to_string(), plain), ("b".to_string(), twice)];
    assert!(
        check_filter(
            &["a".into(), "b:non-root".into(), "b:default".into()],
            &apps
        )
        .is_ok()
    );
    assert!(check_filter(&["a:non-root".into()], &apps).is_err());
    assert!(check_filter(&["c".into()], &apps).is_err());
}
