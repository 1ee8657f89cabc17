//! End to end: `dfsplit verify` on every app of `corpus/e2e/` that has an
//! `e2e.toml`, with the smoke check it names, against a real Docker engine.
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
//! where a missing engine fails. It fails listing every app whose rewrite does
//! not build or whose smoke check disagrees; apps the planner leaves unchanged
//! are listed, not failed. A full run writes `corpus/E2E.md`;
//! `DFSPLIT_E2E_APPS=a,b` runs only those apps (and writes nothing).

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn docker() -> String {
    std::env::var("DOCKER")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "docker".into())
}

fn engine_answers() -> Result<String, String> {
    let out = Command::new(docker())
        .args(["info", "--format", "{{.ServerVersion}}"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `{}`: {e}", docker()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// `key = "string"` and `key = { a = "x", b = "y" }` lines of an e2e.toml
/// (the only shapes these files use; arrays are skipped).
fn toml_strings(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        let Some((key, rest)) = line.split_once('=') else {
            continue;
        };
        let (key, rest) = (key.trim(), rest.trim());
        if key.starts_with('#') {
            continue;
        }
        if let Some(inner) = rest.strip_prefix('{') {
            let inner = inner.rsplit_once('}').map_or(inner, |(a, _)| a);
            let mut rest = inner;
            while let Some((k, after)) = rest.split_once('=') {
                let k = k.trim().trim_start_matches(',').trim();
                let Some((v, tail)) = toml_string(after.trim_start()) else {
                    break;
                };
                out.insert(format!("{key}.{k}"), v);
                rest = tail;
            }
        } else if let Some((v, _)) = toml_string(rest) {
            out.insert(key.to_string(), v);
        }
    }
    out
}

/// A basic TOML string at the start of `s`: (value, rest after the closing quote).
fn toml_string(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut v = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((v, &body[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => v.push('\n'),
                't' => v.push('\t'),
                other => v.push(other),
            },
            c => v.push(c),
        }
    }
    None
}

struct AppResult {
    app: String,
    smoke: String,
    /// verify's exit code.
    code: Option<i32>,
    report: Option<Value>,
    stderr: String,
    seconds: f64,
}

impl AppResult {
    fn outcome(&self) -> &str {
        self.report
            .as_ref()
            .and_then(|r| r["outcome"].as_str())
            .unwrap_or("error")
    }
    fn failed(&self) -> bool {
        !matches!(self.outcome(), "pass" | "unchanged") || self.code != Some(0)
    }
}

/// Look-alike images the harness builds itself, on top of the stand-ins of
/// `../shared/e2e/standins` (each folder's Dockerfile says what it mimics):
/// (tag, folder under corpus/e2e/standins-extra).
const EXTRA_STANDINS: &[(&str, &str)] = &[(
    "nginxinc/nginx-unprivileged:stable-alpine",
    "nginx-unprivileged",
)];

/// Builds the harness's own look-alikes (cached after the first time).
fn build_extra_standins(root: &Path) {
    for (tag, dir) in EXTRA_STANDINS {
        let dir = root.join("corpus/e2e/standins-extra").join(dir);
        let out = Command::new(docker())
            .args(["build", "-q", "-t", tag])
            .arg(&dir)
            .env("DOCKER_BUILDKIT", "1")
            .output()
            .expect("run docker build");
        assert!(
            out.status.success(),
            "e2e: building the look-alike {tag} from {} failed (are ../shared/e2e/standins built?):\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("e2e: look-alike {tag} built from {}", dir.display());
    }
}

/// The catalogue overlay describing what the look-alike registry holds.
const STANDINS_RULES: &str = "corpus/e2e/standins-rules";

fn run_app(root: &Path, app: &str) -> AppResult {
    let dir = root.join("corpus/e2e").join(app);
    let toml = toml_strings(&std::fs::read_to_string(dir.join("e2e.toml")).unwrap_or_default());
    let mut args: Vec<String> = vec![
        "verify".into(),
        dir.join("Dockerfile").display().to_string(),
        "--format".into(),
        "json".into(),
        // The stand-in registry has distroless images on Debian 12 only.
        "--rules".into(),
        root.join(STANDINS_RULES).display().to_string(),
    ];
    let smoke = if let Some(h) = toml.get("smoke.http") {
        args.extend(["--http".into(), h.clone()]);
        format!("http {h}")
    } else if let Some(e) = toml.get("smoke.exec") {
        args.extend(["--exec".into(), e.clone()]);
        format!("exec '{e}'")
    } else {
        "none".into()
    };
    if let Some(x) = toml.get("smoke.expect") {
        args.extend(["--expect".into(), x.clone()]);
    }
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_dfsplit"))
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .expect("run dfsplit verify");
    AppResult {
        app: app.to_string(),
        smoke,
        code: out.status.code(),
        report: serde_json::from_slice(&out.stdout).ok(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        seconds: start.elapsed().as_secs_f64(),
    }
}

#[test]
fn e2e_corpus() {
    if std::env::var("DFSPLIT_E2E").as_deref() != Ok("1") {
        eprintln!(
            "e2e: skipped (set DFSPLIT_E2E=1 to build and run every corpus/e2e app with Docker; .ci/run does)"
        );
        return;
    }
    let engine = match engine_answers() {
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
    build_extra_standins(&root);
    let only: Option<Vec<String>> = std::env::var("DFSPLIT_E2E_APPS")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.split(',').map(|a| a.trim().to_string()).collect());
    let mut apps: Vec<String> = std::fs::read_dir(root.join("corpus/e2e"))
        .expect("corpus/e2e")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("e2e.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|a| only.as_ref().is_none_or(|o| o.contains(a)))
        .collect();
    apps.sort();
    assert!(!apps.is_empty(), "e2e: no app with an e2e.toml selected");

    let start = Instant::now();
    let mut results = Vec::new();
    for app in &apps {
        eprintln!("e2e: {app} …");
        let r = run_app(&root, app);
        eprintln!(
            "e2e: {app}: {} (exit {}, {:.0} s)",
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
        .map(|r| format!("  {}: {}", r.app, unchanged_reason(r)))
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
            let why = r
                .report
                .as_ref()
                .and_then(|v| v["failures"].as_array().cloned())
                .map(|f| {
                    f.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("\n    ")
                })
                .unwrap_or_else(|| r.stderr.trim().to_string());
            format!("  {} ({}):\n    {why}", r.app, r.outcome())
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
         carry no dpkg database: their package count shows as `–`. The registry has distroless \
         images on Debian 12 only, so the rewrites are planned with the overlay `{STANDINS_RULES}` \
         (the built-in catalogue's distroless candidates, cut to Debian 12); without it the same \
         plans name the Debian 13 images. `nginxinc/nginx-unprivileged` is a look-alike the harness \
         builds on the nginx stand-in (`corpus/e2e/standins-extra/`). Whole run: {total:.0} s{cold}; \
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
        "| app | result | base before → after | size before → after | packages | shell | package managers | compilers | cache re-run (orig / rewrite) | dep install re-ran (orig / rewrite) | smoke | stop (orig / rewrite) | unexplained config diffs |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|---|---|---|");
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
        let (row, floor, added) = base_row(&r.app, v);
        base_rows.push(row);
        let (row, estimate, used) = estimate_row(&r.app, v, sizes);
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
                if sm["agree"].as_bool() == Some(true) {
                    "agree"
                } else {
                    "**DISAGREE**"
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
            other => format!("**{other}**"),
        };
        let _ = writeln!(
            s,
            "| {} | {} | `{}` → `{}` | {} → {}{} | {} → {} | {} → {} | {} → {} | {} → {} | {} | {} / {} | {} | {} | {} |",
            r.app,
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
        let _ = writeln!(s, "- `{}`: {}", r.app, unchanged_reason(r));
    }
    let _ = writeln!(s);
    let failed: Vec<&AppResult> = results.iter().filter(|r| r.failed()).collect();
    let _ = writeln!(s, "## Failures ({})\n", failed.len());
    if failed.is_empty() {
        let _ = writeln!(s, "None.\n");
    }
    for r in failed {
        let why = r
            .report
            .as_ref()
            .and_then(|v| v["failures"].as_array().cloned())
            .map(|f| {
                f.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_else(|| vec![r.stderr.trim().to_string()]);
        let _ = writeln!(s, "### `{}` ({})\n", r.app, r.outcome());
        for w in why {
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
                    r.app, d["original"], d["rewrite"]
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
    // estimate covers every app (the stand-in overlay's Debian 12 names).
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sizes = official_sizes(&root);
    for f in &sizes {
        assert!(f.mb > 0.0 && !f.source.is_empty(), "{:?}", f.images);
    }
    for e in std::fs::read_dir(root.join("corpus/e2e"))
        .unwrap()
        .flatten()
    {
        let df = e.path().join("Dockerfile");
        if !e.path().join("e2e.toml").is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&df).unwrap();
        let from = text
            .lines()
            .find_map(|l| l.strip_prefix("FROM "))
            .and_then(|l| l.split_whitespace().next())
            .unwrap();
        assert!(official(&sizes, from).is_some(), "{}: {from}", df.display());
        let out = Command::new(env!("CARGO_BIN_EXE_dfsplit"))
            .args(["rewrite", "--rules"])
            .arg(root.join(STANDINS_RULES))
            .arg(&df)
            .output()
            .unwrap();
        let new = String::from_utf8_lossy(&out.stdout);
        let runtime = new
            .lines()
            .filter_map(|l| l.strip_prefix("FROM "))
            .next_back()
            .and_then(|l| l.split_whitespace().next())
            .unwrap();
        assert!(
            official(&sizes, runtime).is_some(),
            "{}: {runtime}",
            df.display()
        );
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
    let t = toml_strings(
        "description = \"a \\\"b\\\"\"\nsmoke = { http = \"8080/health\", expect = \"ok, fine\" }\nfeatures = [\"x\"]\n# smoke = { exec = \"no\" }\n",
    );
    assert_eq!(t.get("description").map(String::as_str), Some("a \"b\""));
    assert_eq!(t.get("smoke.http").map(String::as_str), Some("8080/health"));
    assert_eq!(t.get("smoke.expect").map(String::as_str), Some("ok, fine"));
    assert!(!t.contains_key("smoke.exec"));
    let t = toml_strings("smoke = { exec = \"\", expect = \"v 1\" }");
    assert_eq!(t.get("smoke.exec").map(String::as_str), Some(""));
}
