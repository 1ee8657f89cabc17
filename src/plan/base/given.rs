//! `--base IMAGE`: the image the user named, with the facts the catalogue
//! has for it.

use super::{Chosen, candidate_matches, finish, incompatible, template_values};
use crate::plan::entry::Entry;
use crate::plan::rule_ids as ids;
use crate::plan::types::{Closure, Gate, Options, UserPolicy};
use crate::rules::{
    AppKind, BaseCandidate, CandidateReport, CandidateSpec, ImageRef, Libc, RejectedCandidate,
    Rules, Vars, version_key,
};

/// `--base IMAGE`: the user's image as given, even when a non-root variant
/// exists, once the catalogue shows it holds what the app needs at run
/// time. What it knows of the image decides which checks it gets ([`identify`]):
///
/// - one of the catalogue's bases for this builder: the checks of the
///   catalogue's own pick ([`incompatible`]), and — when the name is not
///   the one the catalogue would write — the version the builder's tag
///   names and a release whose glibc is not older than the builder's;
/// - a base of the builder's family the catalogue does not offer for this
///   builder (musl for a glibc build, a release with an older glibc, a
///   version not published): refused with the catalogue's reason;
/// - the builder's own image, or its repository with the same version and
///   release: it holds everything the build stage had (the no-gain rule
///   then decides whether the split is worth it);
/// - a base of another family that suits this kind of app (a Debian slim
///   image for a Go binary): the same checks with its facts;
/// - an image the catalogue knows for another kind of app
///   (`core/base-incompatible`), or does not know at all
///   (`core/base-unknown`): the file is left unchanged, saying what the app
///   needs and how to go on.
pub(super) fn with_base(
    img: &str,
    report: &CandidateReport<'_>,
    c: &Closure,
    entry: &Entry,
    builder: &str,
    opts: &Options,
    rules: &Rules,
) -> Result<Chosen, Gate> {
    let named = normal(img);
    let refuse = |rule: &str, why: String| Gate {
        rule: rule.into(),
        message: format!("--base {img}: {why}"),
        at: None,
    };
    // A non-root variant named outright (`…:nonroot`) runs as another
    // user than a root original: only with --non-root.
    let names_nonroot = report
        .accepted
        .iter()
        .any(|k| k.nonroot_image.as_deref() == Some(named.as_str()));
    if names_nonroot && opts.user == UserPolicy::Keep && c.runs_as_root() {
        return Err(refuse(
            ids::core::BASE_INCOMPATIBLE,
            "it runs as a non-root user by default and the original runs as root: the runtime keeps the original's user (--non-root allows it, and gives that user the folders the app writes)".into(),
        ));
    }
    let (spec, reason) = match identify(&named, report, c, rules) {
        Known::Offered(k, vars) => {
            // The user's image is used as given, even when a non-root variant exists.
            if let Some(why) = incompatible(k.spec, c, entry, builder, opts) {
                return Err(refuse(ids::core::BASE_INCOMPATIBLE, why));
            }
            let mut reason = format!("chosen with --base {img}");
            // A name the catalogue would write itself passed its checks
            // already; any other is checked as the catalogue's pick is.
            let written = k.image == named || k.nonroot_image.as_deref() == Some(named.as_str());
            if !written {
                let release = same_build(k.spec, &vars, &named, report, rules).map_err(|why| {
                    refuse(
                        ids::core::BASE_INCOMPATIBLE,
                        format!("it is the catalogue's {}, and {why}", k.spec.id),
                    )
                })?;
                if let Some(r) = release {
                    reason.push_str(&format!("; {r}"));
                }
            }
            (Some(k.spec.clone()), reason)
        }
        Known::Refused(r) => {
            return Err(refuse(
                ids::core::BASE_INCOMPATIBLE,
                format!(
                    "it is the catalogue's {}, which the catalogue does not offer for `{}`: {}{}",
                    r.spec.id,
                    builder_name(report),
                    r.reason,
                    bases_for(c, report)
                ),
            ));
        }
        Known::Builder(why) => {
            let mut chosen = finish(
                img.to_string(),
                None,
                None,
                format!("chosen with --base {img}: {why}"),
                c,
                entry,
                opts,
            );
            chosen.builder_image = true;
            return Ok(chosen);
        }
        Known::NotBuilder(why) => {
            return Err(refuse(
                ids::core::BASE_INCOMPATIBLE,
                format!(
                    "it is the builder's repository under another tag, and {why}, so nothing shows it holds what this app {}",
                    needs_line(c, report)
                ),
            ));
        }
        Known::Suited(spec, family, vars) => {
            if let Some(why) =
                incompatible(spec, c, entry, builder, opts).or_else(|| libc_differs(spec, report))
            {
                return Err(refuse(
                    ids::core::BASE_INCOMPATIBLE,
                    format!("it is the catalogue's {}: {why}", spec.id),
                ));
            }
            let release = same_build(spec, &vars, &named, report, rules).map_err(|why| {
                refuse(
                    ids::core::BASE_INCOMPATIBLE,
                    format!("it is the catalogue's {}, and {why}", spec.id),
                )
            })?;
            let mut reason = format!(
                "chosen with --base {img}, the catalogue's {} (of the {} family), a base for {} too",
                spec.id,
                family,
                app(c.app_kind)
            );
            if let Some(r) = release {
                reason.push_str(&format!("; {r}"));
            }
            (Some(spec.clone()), reason)
        }
        Known::Elsewhere(what) => {
            return Err(refuse(
                ids::core::BASE_INCOMPATIBLE,
                format!(
                    "the catalogue knows it as {what}; this is {} from `{}`, which {}",
                    app(c.app_kind),
                    builder_name(report),
                    needs_line(c, report)
                ),
            ));
        }
        Known::FamilyBuilder(family) => {
            return Err(refuse(
                ids::core::BASE_UNKNOWN,
                format!(
                    "the catalogue knows it as a build image of this builder's family ({family}), from another repository than `{}`, whose tags it does not read against the builder's; {}",
                    report.builder.image.name,
                    ways_on(c, report)
                ),
            ));
        }
        Known::Unknown => {
            return Err(refuse(
                ids::core::BASE_UNKNOWN,
                format!(
                    "the base catalogue does not know this image, so nothing shows it holds what {} from `{}` needs: {}; {}",
                    app(c.app_kind),
                    builder_name(report),
                    needs(c.app_kind),
                    ways_on(c, report)
                ),
            ));
        }
    };
    let mut chosen = finish(img.to_string(), None, spec, reason, c, entry, opts);
    given_locale(&mut chosen, &named, rules);
    Ok(chosen)
}

/// What the catalogue knows of a named image, for the app at hand.
enum Known<'r, 'a> {
    /// One of the catalogue's bases for this builder, with the values its
    /// name gives the candidate's template.
    Offered(&'r BaseCandidate<'a>, Vars),
    /// A base of the builder's family the catalogue leaves out for this
    /// builder, with why.
    Refused(&'r RejectedCandidate<'a>),
    /// The builder's own image, or its repository with the same version
    /// and release: why it holds what the build had.
    Builder(String),
    /// The builder's repository under a tag that names another version or
    /// release, or one that cannot be compared: why.
    NotBuilder(String),
    /// A base of another family (its id) that suits this kind of app.
    Suited(&'r CandidateSpec, &'r str, Vars),
    /// Known for other kinds of app (or as another family's build image):
    /// what the catalogue says it is.
    Elsewhere(String),
    /// A build image of the builder's family (its id) from another
    /// repository, whose versions are not read against the builder's.
    FamilyBuilder(String),
    /// Not in the catalogue.
    Unknown,
}

/// What the catalogue knows of `named` (a normalised reference), looked up
/// in that order: the builder's family's bases, offered or not, the
/// builder's own repository, then every other family's bases and build
/// images.
fn identify<'r, 'a>(
    named: &str,
    report: &'r CandidateReport<'a>,
    c: &Closure,
    rules: &'r Rules,
) -> Known<'r, 'a> {
    // The family's most specific template that describes the name
    // (`aspnet:{major}.{minor}-alpine` over `aspnet:{major}.{minor}`), an
    // offered base before a refused one of the same.
    let mut best: Option<(usize, Known<'r, 'a>)> = None;
    let offered = report
        .accepted
        .iter()
        .filter_map(|k| Some((k.spec, Known::Offered(k, describes(k.spec, named)?))));
    let refused = report
        .rejected
        .iter()
        .filter_map(|r| describes(r.spec, named).map(|_| (r.spec, Known::Refused(r))));
    for (spec, known) in offered.chain(refused) {
        let rank = specificity(&spec.image);
        if best.as_ref().is_none_or(|(b, _)| rank > *b) {
            best = Some((rank, known));
        }
    }
    if let Some((_, known)) = best {
        return known;
    }
    let image = ImageRef::parse(named);
    let own = &report.builder.image;
    if image == *own {
        return Known::Builder(
            "the builder's own image, which holds everything the build stage has".into(),
        );
    }
    let family = family(report);
    if image.name == own.name && family.is_some() {
        return match same_as_builder(named, report, rules) {
            Ok(why) => Known::Builder(why),
            Err(why) => Known::NotBuilder(why),
        };
    }
    let bases = rules.bases();
    let builds = |fam: &crate::rules::BaseFamily| {
        fam.builders
            .iter()
            .any(|b| crate::rules::pattern::glob_match(&b.image, &image.name))
    };
    // Another build image of the builder's own family (`eclipse-temurin`
    // for a `maven` builder): its tag's version is not the builder's.
    if let Some(fam) = bases
        .families
        .iter()
        .find(|f| Some(f.id.as_str()) == family && builds(f))
    {
        return Known::FamilyBuilder(fam.id.clone());
    }
    let mut known: Vec<String> = Vec::new();
    for fam in bases
        .families
        .iter()
        .filter(|f| Some(f.id.as_str()) != family)
    {
        for spec in &fam.candidates {
            let Some(vars) = describes(spec, named) else {
                continue;
            };
            if c.app_kind.is_some_and(|k| spec.suits.contains(&k)) {
                return Known::Suited(spec, &fam.id, vars);
            }
            known.push(format!(
                "{} (a base for {}: {})",
                spec.id,
                kinds(&spec.suits),
                spec.notes.trim_end_matches('.')
            ));
        }
        if builds(fam) {
            known.push(format!("a build image of the {} family", fam.id));
        }
    }
    if known.is_empty() {
        Known::Unknown
    } else {
        known.dedup();
        Known::Elsewhere(known.join("; and as "))
    }
}

/// The values `image` gives the candidate's template, when the template
/// describes it: it matches, a version variable reads as one (digits,
/// letters, dots: `aspnet:8.0-bookworm-slim` is not `aspnet:{major}.{minor}`
/// with the minor `0-bookworm-slim`), and a `{suite}` it names is one the
/// image is published for (`eclipse-temurin:21-jre-alpine` is not the glibc
/// JRE's `-{suite}`).
fn describes(spec: &CandidateSpec, image: &str) -> Option<Vars> {
    if !candidate_matches(&spec.image, image) {
        return None;
    }
    let vars = template_values(&spec.image, image)?;
    let plain = |v: &str| {
        v.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '.' || ch == '_')
    };
    if vars
        .iter()
        .any(|(k, v)| !RELEASE_VARS.contains(&k.as_str()) && !plain(v))
    {
        return None;
    }
    if let Some(s) = vars.get("suite")
        && !spec.suites.iter().any(|x| x == s)
    {
        return None;
    }
    Some(vars)
}

/// How much of a template is fixed text that every image it describes
/// holds (outside variables and optional parts): the more, the more
/// specific it is.
fn specificity(template: &str) -> usize {
    let (mut depth, mut in_var, mut n) = (0usize, false, 0);
    for ch in template.chars() {
        match ch {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '{' => in_var = true,
            '}' => in_var = false,
            _ if in_var || depth > 0 => {}
            _ => n += 1,
        }
    }
    n
}

/// `docker.io/library/node:20` as `node:20`: the form the catalogue's
/// templates are written in.
fn normal(img: &str) -> String {
    let r = ImageRef::parse(img);
    let mut out = r.name.clone();
    if let Some(t) = &r.tag {
        out.push(':');
        out.push_str(t);
    }
    if let Some(d) = &r.digest {
        out.push('@');
        out.push_str(d);
    }
    out
}

/// The builder's family in the catalogue (`None`: the catalogue has no
/// family for it).
fn family<'a>(report: &CandidateReport<'a>) -> Option<&'a str> {
    report
        .accepted
        .first()
        .map(|k| k.family)
        .or_else(|| report.rejected.first().map(|r| r.family))
}

/// The builder image as written in the FROM (its normalised name and tag).
fn builder_name(report: &CandidateReport<'_>) -> String {
    let b = &report.builder.image;
    match &b.tag {
        Some(t) => format!("{}:{t}", b.name),
        None => b.name.clone(),
    }
}

/// Template variables that name a distribution release: read against the
/// catalogue's releases (for their C library), never compared as text.
const RELEASE_VARS: [&str; 3] = ["distro", "release", "suite"];

/// A named image that is not the name the catalogue writes for this
/// builder, checked as the catalogue's pick is: each variable of the
/// candidate's template (the version, an Alpine release) as the builder's
/// tag names it, and — for a base whose glibc the build's binaries link
/// against — a release whose glibc is not older than the builder's.
/// `Ok` with what was read of the release, when anything was.
fn same_build(
    spec: &CandidateSpec,
    vars: &Vars,
    named: &str,
    report: &CandidateReport<'_>,
    rules: &Rules,
) -> Result<Option<String>, String> {
    let builder = builder_name(report);
    let moving = report.builder.moving.is_some();
    let template = crate::rules::pattern::template_vars(&spec.image).unwrap_or_default();
    for (var, _) in template
        .iter()
        .filter(|(v, _)| !RELEASE_VARS.contains(&v.as_str()))
    {
        match (report.builder.vars.get(var), vars.get(var)) {
            (None, None) => {}
            (Some(b), Some(g)) if same_line(b, g, moving) => {}
            (Some(b), Some(g)) => {
                return Err(format!(
                    "it names {var} `{g}` where the builder `{builder}` names `{b}`: what the build made is tied to that {var}"
                ));
            }
            (Some(b), None) => {
                return Err(format!(
                    "it names no {var} where the builder `{builder}` names `{b}`, so it follows the newest image instead"
                ));
            }
            (None, Some(g)) => {
                return Err(format!(
                    "it names {var} `{g}`, and the builder's tag `{builder}` does not say which it is built with (it is never assumed)"
                ));
            }
        }
    }
    if spec.libc != Libc::Glibc || !spec.libc_sensitive {
        return Ok(None);
    }
    glibc_not_older(Some(spec), vars, named, report, rules).map(Some)
}

/// Whether a value the image names keeps the builder's: the same, or —
/// when the builder's tag is not a moving line — a more precise version
/// within it (`22` → `22.11.0`, `3.12` → `3.12.7`).
fn same_line(builder: &str, given: &str, moving: bool) -> bool {
    given == builder
        || !moving
            && given
                .strip_prefix(builder)
                .is_some_and(|rest| rest.starts_with('.'))
}

/// The release a named image is built on: the one its name gives
/// (`{distro}`, `{suite}`, `{release}`: `debian12`, `bookworm`, and Debian's
/// own numbering, `debian:12-slim`), or, when it names none, the default
/// the catalogue knows for its tag as for a builder's (`node:22-slim`:
/// bookworm). `Err` with what it names when that is no release the
/// catalogue knows.
fn release_of(
    vars: &Vars,
    named: &str,
    rules: &Rules,
) -> Result<Option<crate::rules::Release>, String> {
    let bases = rules.bases();
    if let Some(value) = RELEASE_VARS.iter().find_map(|v| vars.get(*v)) {
        let repo = ImageRef::parse(named).name;
        let repo = repo.rsplit('/').next().unwrap_or(&repo);
        return bases
            .release_by_suite(value)
            .or_else(|| bases.release_by_distro(value))
            .or_else(|| bases.release_by_distro(&format!("{repo}{value}")))
            .cloned()
            .map(Some)
            .ok_or_else(|| value.clone());
    }
    Ok(rules.builder_facts(named).release.map(|(r, _)| r))
}

/// The glibc check of the catalogue's pick, on a named image: its release's
/// glibc is not older than the builder's, for what the build linked may
/// need the newer symbols. The same release, or neither naming one (the
/// image then follows the builder's tag as the catalogue's own pick does),
/// also passes. `Ok` says what was compared.
fn glibc_not_older(
    spec: Option<&CandidateSpec>,
    vars: &Vars,
    named: &str,
    report: &CandidateReport<'_>,
    rules: &Rules,
) -> Result<String, String> {
    let builder = builder_name(report);
    let built = report.builder.release.as_ref().map(|(r, _)| r);
    let given = release_of(vars, named, rules);
    // The releases of this base a name could give instead, when the
    // builder's glibc is known: those whose glibc is not older.
    let listed = |bg: &str| {
        let bases = rules.bases();
        let Some(spec) = spec else {
            return String::new();
        };
        let var = RELEASE_VARS.iter().find(|v| vars.contains_key(**v));
        let fits = |r: &crate::rules::Release| {
            r.glibc
                .as_deref()
                .is_some_and(|g| version_key(g) >= version_key(bg))
        };
        let names: Vec<String> = if spec.releases.is_empty() {
            spec.suites
                .iter()
                .filter(|s| bases.release_by_suite(s).is_some_and(fits))
                .map(|s| format!("`{s}`"))
                .collect()
        } else {
            spec.releases
                .iter()
                .filter_map(|cr| bases.release_by_distro(&cr.distro))
                .filter(|r| fits(r))
                .map(|r| match var {
                    Some(&"distro") => format!("`{}`", r.distro),
                    _ => format!("`{}`", r.suite),
                })
                .collect()
        };
        if names.is_empty() {
            String::new()
        } else {
            format!(
                "name a release whose glibc is not older (for this base: {})",
                names.join(", ")
            )
        }
    };
    match (built, given) {
        (Some(b), Ok(Some(g))) if b.suite == g.suite => {
            Ok(format!("built on {}, the builder's own release", g.suite))
        }
        (Some(b), Ok(Some(g))) => match (b.glibc.as_deref(), g.glibc.as_deref()) {
            (Some(bg), Some(gg)) if version_key(gg) >= version_key(bg) => Ok(format!(
                "built on {}, whose glibc {gg} is not older than the builder's {bg} ({})",
                g.suite, b.suite
            )),
            (Some(bg), Some(gg)) => {
                let instead = listed(bg);
                Err(format!(
                    "it is built on {}, whose glibc {gg} is older than the builder's {bg} ({}): what the build linked there may need symbols it lacks{}",
                    g.suite,
                    b.suite,
                    if instead.is_empty() {
                        String::new()
                    } else {
                        format!("; {instead}")
                    }
                ))
            }
            _ => Err(format!(
                "the catalogue does not know the glibc of {} or of the builder's {}, so they cannot be compared",
                g.suite, b.suite
            )),
        },
        (None, Ok(None)) => Ok("neither it nor the builder names a release, so it follows the builder's tag as the catalogue's own pick does".into()),
        (None, _) => Err(format!(
            "`{builder}` does not say which release it is built on, and the catalogue does not know its default, so its glibc cannot be compared with the image's"
        )),
        (Some(b), Err(value)) => {
            let bg = b.glibc.as_deref().unwrap_or("?");
            let instead = listed(bg);
            Err(format!(
                "`{value}` in its name is no release the catalogue knows, so its glibc cannot be compared with the builder's {bg} ({}): {}declare this one and its glibc in a --rules overlay (bases.yaml `releases:`)",
                b.suite,
                if instead.is_empty() {
                    String::new()
                } else {
                    format!("{instead}, or ")
                }
            ))
        }
        (Some(b), Ok(None)) => Err(format!(
            "its name gives no release and the catalogue knows no default for its tag, so its glibc cannot be compared with the builder's {} ({})",
            b.glibc.as_deref().unwrap_or("?"),
            b.suite
        )),
    }
}

/// The builder's repository under another tag (`node:20-bookworm` for
/// `node:20`), read as the catalogue reads a builder's tag: the same C
/// library, every version variable the same (or more precise), and a
/// release whose glibc is not older. `Ok` says why it holds the build's
/// runtime; `Err` why that is not shown.
fn same_as_builder(
    named: &str,
    report: &CandidateReport<'_>,
    rules: &Rules,
) -> Result<String, String> {
    let builder = builder_name(report);
    let given = rules.builder_facts(named);
    let (b, g) = (&report.builder, &given);
    if g.libc != b.libc {
        return Err(format!(
            "it is built on {} where the builder is built on {}",
            libc(g.libc),
            libc(b.libc)
        ));
    }
    let moving = b.moving.is_some();
    let mut names: Vec<&String> = b.vars.keys().chain(g.vars.keys()).collect();
    names.sort();
    names.dedup();
    for var in names {
        match (b.vars.get(var), g.vars.get(var)) {
            (Some(x), Some(y)) if same_line(x, y, moving) => {}
            (Some(x), Some(y)) => {
                return Err(format!(
                    "its tag names {var} `{y}` where `{builder}` names `{x}`"
                ));
            }
            (Some(x), None) => {
                return Err(format!(
                    "its tag does not name the {var} `{builder}` names (`{x}`)"
                ));
            }
            (None, Some(y)) => {
                return Err(format!(
                    "its tag names {var} `{y}`, which `{builder}` does not say"
                ));
            }
            (None, None) => {}
        }
    }
    if b.moving != g.moving {
        let line = |m: &Option<String>| match m {
            Some(l) => format!("the moving line `{l}`"),
            None => "a fixed version".to_string(),
        };
        return Err(format!(
            "its tag names {} where `{builder}` names {}, so they need not be the same build",
            line(&g.moving),
            line(&b.moving)
        ));
    }
    let release = if b.libc == Libc::Glibc {
        let vars = Vars::new();
        format!("; {}", glibc_not_older(None, &vars, named, report, rules)?)
    } else {
        String::new()
    };
    Ok(format!(
        "the builder's own repository, whose tag names the same version{release}, so it holds everything the build stage has"
    ))
}

fn libc(l: Libc) -> &'static str {
    match l {
        Libc::Glibc => "glibc",
        Libc::Musl => "musl",
        Libc::None => "no C library",
    }
}

/// The catalogue's libc check for a base of another family: a base whose
/// C library matters must have the builder's.
fn libc_differs(spec: &CandidateSpec, report: &CandidateReport<'_>) -> Option<String> {
    crate::rules::libc_mismatch(spec, report.builder.libc).then(|| {
        format!(
            "the builder uses {} but this base uses {}",
            libc(report.builder.libc),
            libc(spec.libc)
        )
    })
}

/// `a Node.js app`, for messages.
fn app(kind: Option<AppKind>) -> &'static str {
    match kind {
        Some(AppKind::StaticBinary) => "a statically linked binary",
        Some(AppKind::DynamicBinary) => "a binary linked against the C library",
        Some(AppKind::NodeApp) => "a Node.js app",
        Some(AppKind::StaticSite) => "a static site",
        Some(AppKind::PythonApp) => "a Python app",
        Some(AppKind::JvmApp) => "a JVM app",
        Some(AppKind::DotnetWeb) => "an ASP.NET Core app",
        Some(AppKind::DotnetConsole) => "a .NET app",
        Some(AppKind::DotnetSelfContained) => "a self-contained .NET app",
        None => "an app",
    }
}

/// What the runtime needs from its base, by kind of app.
fn needs(kind: Option<AppKind>) -> &'static str {
    match kind {
        Some(AppKind::StaticBinary) => {
            "no C library, but what its start and setup use (a shell, accounts, CA certificates) must be known"
        }
        Some(AppKind::DynamicBinary) => {
            "the builder's C library, of a version not older than the builder's, and the shared libraries the binary links"
        }
        Some(AppKind::NodeApp) => {
            "Node.js of the builder's version (native addons are built for its ABI and C library)"
        }
        Some(AppKind::StaticSite) => "a web server for the built files",
        Some(AppKind::PythonApp) => {
            "the builder's Python interpreter, at the same path (the installed packages and any venv are tied to it)"
        }
        Some(AppKind::JvmApp) => {
            "a Java runtime of the builder's major version, or a glibc base for the build's jlink runtime"
        }
        Some(AppKind::DotnetWeb) => "the ASP.NET Core runtime of the project's version",
        Some(AppKind::DotnetConsole) => "the .NET runtime of the project's version",
        Some(AppKind::DotnetSelfContained) => {
            "the C library and the native libraries .NET links (ICU unless globalization-invariant)"
        }
        None => "what the app runs with",
    }
}

/// `needs: …; the catalogue's bases for …: …`.
fn needs_line(c: &Closure, report: &CandidateReport<'_>) -> String {
    format!("needs: {}{}", needs(c.app_kind), bases_for(c, report))
}

/// `; the catalogue's bases for BUILDER: …`, naming the bases the catalogue
/// offers this builder for this kind of app (empty when it offers none).
fn bases_for(c: &Closure, report: &CandidateReport<'_>) -> String {
    let offered = offered(c, report);
    if offered.is_empty() {
        return String::new();
    }
    format!(
        "; the catalogue's bases for `{}`: {offered}",
        builder_name(report)
    )
}

/// The images the catalogue offers this builder for this kind of app.
fn offered(c: &Closure, report: &CandidateReport<'_>) -> String {
    let mut images: Vec<&str> = report
        .accepted
        .iter()
        .filter(|k| c.app_kind.is_none_or(|a| k.spec.suits.contains(&a)))
        .map(|k| k.image.as_str())
        .collect();
    images.dedup();
    images.join(", ")
}

/// `core/base-unknown`'s two ways on: a base the catalogue lists for this
/// builder, or the image declared in a `--rules` overlay.
fn ways_on(c: &Closure, report: &CandidateReport<'_>) -> String {
    let family = family(report);
    let offered = offered(c, report);
    let mut out = if offered.is_empty() {
        String::new()
    } else {
        format!("name one of the catalogue's bases for it ({offered}), or ")
    };
    match family {
        Some(f) => out.push_str(&format!(
            "declare the image in a --rules overlay: a candidate of the `{f}` family in bases.yaml that says what it holds (rules/README.md)"
        )),
        None => out.push_str(
            "declare the image in a --rules overlay: a family for the builder in bases.yaml, with the image as a candidate that says what it holds (rules/README.md)",
        ),
    }
    out
}

/// `static-binary, dynamic-binary`, for messages.
fn kinds(suits: &[AppKind]) -> String {
    suits
        .iter()
        .map(|k| app(Some(*k)))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The locale data of a base named with `--base` that has none of its own
/// (the candidate's `locale.from`): the image it is copied from, rendered
/// with the release read from the given image's name as the catalogue's own
/// pick renders it (`cc-debian12` → `debian:bookworm-slim`). When the
/// release cannot be read, neither LANG nor the data is written: LANG
/// without the data would claim a locale glibc cannot load.
fn given_locale(chosen: &mut Chosen, img: &str, rules: &Rules) {
    let Some(spec) = &chosen.spec else { return };
    let Some(locale) = &spec.locale else { return };
    let Some(from) = &locale.from else { return };
    let lang = locale.lang.clone();
    let mut vars = template_values(&spec.image, img).unwrap_or_default();
    let bases = rules.bases();
    let release = vars
        .get("distro")
        .and_then(|d| bases.release_by_distro(d))
        .or_else(|| vars.get("suite").and_then(|s| bases.release_by_suite(s)))
        .cloned();
    if let Some(r) = &release {
        vars.insert("distro".to_owned(), r.distro.clone());
        vars.insert("release".to_owned(), r.suite.clone());
    }
    match crate::rules::pattern::render_template(from, &vars) {
        Some(image) => {
            let read = release.as_ref().map_or_else(String::new, |r| {
                format!(
                    " ({}, the release `{}` in the image's name)",
                    r.suite, r.distro
                )
            });
            chosen.reason.push_str(&format!(
                "; it has no {lang} locale data, which comes from {image}{read}"
            ));
            if let Some(why) = release.as_ref().and_then(|r| {
                spec.releases
                    .iter()
                    .find(|cr| cr.distro == r.distro)
                    .and_then(|cr| cr.deprecated.as_ref())
            }) {
                chosen.notes.push(format!(
                    "the runtime base {img} is no longer updated upstream: {why}"
                ));
            }
            chosen.locale = Some((lang, Some(image)));
        }
        None => {
            let which = match vars.get("distro").or_else(|| vars.get("suite")) {
                Some(v) => format!("`{v}` in its name is no release the catalogue knows"),
                None => "its name gives no release".to_owned(),
            };
            chosen.reason.push_str(&format!(
                "; it has no locale data, and the image that data comes from ({from}) follows the base's release: {which}, so the rewrite adds no LANG={lang} and copies no data, and the app runs in the POSIX locale (name a release the catalogue lists, such as {})",
                spec.releases
                    .iter()
                    .map(|r| format!("`{}`", r.distro))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ));
            chosen.locale = None;
            chosen.locale_dropped = Some(format!(
                "--base {img}: {which}, so the image its locale data would come from cannot be named"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{finish, given_locale};
    use crate::plan::entry::Entry;
    use crate::plan::types::{Closure, Options};
    use crate::rules::Rules;

    /// The locale of a base without locale data follows the release in the
    /// given image's name; a release the catalogue does not know names no
    /// image to copy it from, so neither LANG nor the data is written. The
    /// glibc check refuses such a name for the catalogue's glibc bases
    /// first (corpus cases 162, 163), so this reaches `given_locale` alone.
    #[test]
    fn given_locale_follows_the_release_in_the_name() {
        let rules = Rules::embedded().unwrap();
        let spec = rules
            .runtime_candidates("eclipse-temurin:21-jdk")
            .into_iter()
            .find(|k| k.spec.id == "java/jlink-distroless")
            .map(|k| k.spec.clone())
            .unwrap();
        let entry = Entry {
            entrypoint: None,
            cmd: None,
            argv: Vec::new(),
            commands: Vec::new(),
            shell_form: false,
            workdir: "/app".into(),
        };
        let chosen = |img: &str| {
            let mut c = finish(
                img.into(),
                None,
                Some(spec.clone()),
                String::new(),
                &Closure::default(),
                &entry,
                &Options::default(),
            );
            given_locale(&mut c, img, &rules);
            c
        };
        let known = chosen("gcr.io/distroless/cc-debian12");
        assert_eq!(
            known.locale,
            Some(("C.UTF-8".into(), Some("debian:bookworm-slim".into())))
        );
        assert!(known.locale_dropped.is_none());
        let unknown = chosen("gcr.io/distroless/cc-debian14");
        assert_eq!(unknown.locale, None);
        assert!(
            unknown
                .locale_dropped
                .as_deref()
                .is_some_and(|w| w.contains("`debian14`")),
            "{unknown:?}"
        );
    }
}
