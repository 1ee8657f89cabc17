//! Node: the application directory (dev dependencies pruned unless one is
//! used at start), or, for a site its start command only serves, the built
//! folder alone behind nginx (`static_site`).

pub(crate) mod static_site;

use super::{Input, app_directory};
use crate::model::{Context, join_path};
use crate::plan::entry::Entry;
use crate::plan::facts::{gate, line_of};
use crate::plan::rule_ids as ids;
use crate::plan::steps::{CmdInfo, CmdKind, StepInfo};
use crate::plan::types::Warning;
use crate::plan::types::{Closure, CopySpec, Gate, PruneStep, StaticSite};
use crate::rules::{AppKind, PackageManager, Role};
use crate::syntax::{Dockerfile, Keyword};

/// Programs a start command may run besides the app on any base with a
/// shell: the file utilities of coreutils, which busybox has too. A base
/// without a shell (distroless) has none of them.
const SHELL_BASE_UTILITIES: &[&str] = &[
    "cp", "mv", "mkdir", "rm", "ln", "cat", "touch", "sleep", "printf", "chmod", "ls", "tee",
];

/// Why nginx cannot serve this static site in place of the Node server, when
/// something else the original does must also reach the runtime.
fn static_site_blocker(
    c: &Closure,
    df: &Dockerfile,
    infos: &[StepInfo],
    site: &StaticSite,
) -> Option<String> {
    if !c.packages.is_empty() {
        return Some(format!(
            "the runtime needs system packages ({})",
            c.packages.join(", ")
        ));
    }
    if !c.replay.is_empty() {
        return Some(
            "setup steps (users, system files) would have to be repeated in nginx's image".into(),
        );
    }
    if !c.copies.is_empty() {
        return Some("files put outside the application directory may be used at run time".into());
    }
    for (keyword, why) in [
        (
            Keyword::Healthcheck,
            "its HEALTHCHECK runs in the runtime image, and what it calls may not be in nginx's",
        ),
        (Keyword::Volume, "it declares a VOLUME"),
    ] {
        if let Some(i) = infos.iter().find(|i| i.keyword == keyword) {
            return Some(format!("line {}: {why}", line_of(df, i.item)));
        }
    }
    if !infos.iter().any(|i| i.has_role(Role::Build)) {
        return Some(format!("no build step writes {}", site.dir));
    }
    None
}

/// Node's runtime plan, step by step: nginx in place of a server that only
/// serves a built site; otherwise the application directory, the install
/// steps in it, what the start command runs, the copy and the prune.
fn node(c: &mut Closure, input: &Input) -> Result<(), Gate> {
    let (df, infos, entry) = (input.df, input.infos, input.entry);
    if serve_static_site(c, input) {
        return Ok(());
    }
    c.warnings.extend(
        c.nginx_refused
            .clone()
            .map(|w| Warning::new(ids::core::STATIC_SITE, w)),
    );
    c.app_kind = Some(AppKind::NodeApp);
    let installs = dependency_installs(infos);
    let app = app_directory(df, infos, entry, ids::node::RT_APP)?;
    for (info, _) in &installs {
        if info.workdir != app {
            return Err(gate(
                ids::node::RT_APP,
                format!(
                    "dependencies are installed in {} but the app starts in {app}",
                    info.workdir
                ),
            ));
        }
    }
    let package = app_package(input, &app);
    warn_no_lockfile(c, input.ctx, package.as_ref().ok().map(String::as_str));
    start_through_launcher(c, input)?;
    let script_runs = super::entry_script_runs(c, input, &app)?;
    prisma_engine_needs(c, input);
    start_commands_available(c, entry, &app, &script_runs)?;
    c.copies.push(CopySpec {
        from: app.clone(),
        to: app.clone(),
        rule: ids::node::RT_APP.into(),
        reason: "the application directory: sources, build output, package.json and node_modules"
            .into(),
    });
    plan_prune(c, &installs, input.ctx, &package, entry, &script_runs);
    Ok(())
}

/// A Prisma client generated in the build (`node/prisma-generate`) loads
/// Prisma's query engine, a native library linked against OpenSSL, and
/// finds which OpenSSL the system has by running shell commands at start:
/// the runtime needs a base with a shell (the slim image of the builder's
/// series, not distroless) and, after a full builder image (`node:20`, which
/// has OpenSSL), the openssl package — unless the original installs it
/// itself, which makes it a runtime package already.
fn prisma_engine_needs(c: &mut Closure, input: &Input) {
    let generates = input
        .infos
        .iter()
        .flat_map(|i| i.commands())
        .any(|cmd| cmd.rule == ids::node::PRISMA_GENERATE);
    if !generates {
        return;
    }
    c.needs_shell = true;
    // A slim or Alpine builder has what the runtime of its series has: the
    // original ran the engine without more, so nothing is added.
    let full_builder = !input.builder.contains("slim") && !input.builder.contains("alpine");
    if full_builder
        && !c
            .packages
            .iter()
            .any(|p| p == "openssl" || p.starts_with("libssl"))
    {
        c.packages.push("openssl".into());
        c.package_manager.get_or_insert(PackageManager::Apt);
        c.warnings.push(Warning::new(
            ids::node::PRISMA_GENERATE,
            "the Prisma client loads its query engine, which links OpenSSL and looks for it with shell commands at start: the runtime gets the openssl package the full builder image has, and a base with a shell",
        ));
    } else {
        c.warnings.push(Warning::new(
            ids::node::PRISMA_GENERATE,
            "the Prisma client loads its query engine, which looks for OpenSSL with shell commands at start: the runtime gets a base with a shell",
        ));
    }
}

/// A start command that only serves a built site (`static_site`): nginx
/// serves the folder in its place, and the plan is complete (`true`), unless
/// something else must reach the runtime too — then why not is kept in
/// `nginx_refused` and the Node server stays.
fn serve_static_site(c: &mut Closure, input: &Input) -> bool {
    let (df, infos) = (input.df, input.infos);
    match static_site::detect(input.entry, df, infos, input.ctx) {
        Ok(Some(site)) => match static_site_blocker(c, df, infos, &site) {
            None => {
                c.app_kind = Some(AppKind::StaticSite);
                // The start command is not run in the runtime: nginx's is,
                // as root or not as the original's server ran.
                c.needs_shell = false;
                c.served_as = c.user.take();
                c.copies.push(CopySpec {
                    from: site.dir.clone(),
                    to: static_site::SITE_ROOT.into(),
                    rule: ids::core::STATIC_SITE.into(),
                    reason: format!(
                        "the built site, which `{}` served and nginx serves now",
                        site.command
                    ),
                });
                c.static_site = Some(site);
                return true;
            }
            Some(why) => {
                c.nginx_refused = Some(format!(
                    "the start command `{}` only serves static files, but nginx is not put in its place: {why}",
                    site.command
                ))
            }
        },
        Err(why) => {
            c.nginx_refused = Some(format!(
                "the start command runs a Node static file server, but nginx is not put in its place: {why}"
            ))
        }
        Ok(None) => {}
    }
    false
}

/// The commands that install dependencies into a `node_modules` (a full
/// install, or a production one), with their steps, in order.
fn dependency_installs(infos: &[StepInfo]) -> Vec<(&StepInfo, &CmdInfo)> {
    infos
        .iter()
        .flat_map(|i| i.commands().iter().map(move |c| (i, c)))
        .filter(|(_, c)| {
            matches!(
                &c.kind,
                CmdKind::Profile {
                    role: Role::InstallDeps | Role::RuntimeSetup,
                    ..
                }
            ) && c.produces.iter().any(|p| p.ends_with("/node_modules"))
        })
        .collect()
}

/// The context path of the package.json the package manager reads in the
/// app directory `app`: the one the COPY instructions put there
/// (`COPY app .` puts `app/package.json` into it) and no RUN names after
/// them (`static_site::context_file_at`). `Err` says why it cannot be told.
fn app_package(input: &Input, app: &str) -> Result<String, String> {
    let Some(ctx) = input.ctx else {
        return Err("without the build context, package.json cannot be read".into());
    };
    let target = format!("{}/package.json", app.trim_end_matches('/'));
    if let Some(path) = static_site::context_file_at(input.df, input.infos, ctx, &target) {
        return Ok(path);
    }
    let found: Vec<&str> = ctx
        .files
        .iter()
        .map(String::as_str)
        .filter(|f| *f == "package.json" || f.ends_with("/package.json"))
        .filter(|f| !f.split('/').any(|seg| seg == "node_modules"))
        .collect();
    Err(match found.as_slice() {
        [] => "package.json is not in the build context".into(),
        found => format!(
            "the COPY and RUN instructions do not show which package.json is in {app} (the build context has {}{})",
            found[..found.len().min(3)].join(", "),
            if found.len() > 3 { ", …" } else { "" }
        ),
    })
}

/// The folder of a context path, with its trailing slash (`""` at the root).
fn folder_of(path: &str) -> &str {
    path.rfind('/').map_or("", |at| &path[..=at])
}

/// A package.json without any lockfile beside it: said, not changed.
/// `package` is the app's package.json (`app_package`); when it cannot be
/// told, the one at the context root.
fn warn_no_lockfile(c: &mut Closure, ctx: Option<&Context>, package: Option<&str>) {
    let Some(ctx) = ctx else { return };
    let Some(package) = package.or_else(|| ctx.has("package.json").then_some("package.json"))
    else {
        return;
    };
    let dir = folder_of(package);
    if ![
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
    ]
    .iter()
    .any(|l| ctx.has(&format!("{dir}{l}")))
    {
        c.warnings.push(Warning::new(
            ids::node::INSTALL,
            "no lockfile in the build context: dependency versions are resolved at every build, as in the original",
        ));
    }
}

/// A start command run through a launcher (`npm start`, `yarn start`) needs
/// it in the runtime; `pnpm start` / `yarn start` through corepack also need
/// its shims, so the steps that enable corepack are repeated there (a gate
/// when such a step also does other work).
fn start_through_launcher(c: &mut Closure, input: &Input) -> Result<(), Gate> {
    let entry = input.entry;
    if let Some(prog) = entry.program()
        && input.rules.match_launcher(prog, &entry.argv[1..]).is_some()
    {
        c.needs_launcher = true;
    }
    if !(c.needs_launcher
        && entry
            .program()
            .is_some_and(|p| matches!(p, "pnpm" | "yarn")))
    {
        return Ok(());
    }
    for info in input.infos {
        if info
            .commands()
            .iter()
            .any(|x| x.program.as_deref() == Some("corepack"))
        {
            if info
                .commands()
                .iter()
                .all(|x| matches!(x.kind, CmdKind::BuildConfig | CmdKind::Harmless))
            {
                c.replay.push(info.item);
                c.replay_needs_shell = true;
            } else {
                return Err(gate(
                    ids::node::RT_APP,
                    "the app starts through corepack's package manager, and the step that enables it also does other work",
                ));
            }
        }
    }
    Ok(())
}

/// Every program the start command runs must be in the runtime: node, a
/// package manager, a script of the app (run by its shebang, so a shell is
/// needed), a shell builtin, or a file utility every base with a shell has.
/// Anything else is a gate.
fn start_commands_available(
    c: &mut Closure,
    entry: &Entry,
    app: &str,
    script_runs: &[Vec<String>],
) -> Result<(), Gate> {
    let mut todo: Vec<&[String]> = entry
        .commands
        .iter()
        .chain(script_runs)
        .map(Vec::as_slice)
        .collect();
    while let Some(words) = todo.pop() {
        let Some(prog) = words.first() else { continue };
        let name = prog.rsplit('/').next().unwrap_or(prog);
        // An init that runs the app as its child (`tini --`, `dumb-init`):
        // carried when the original installs it from system packages, which
        // the runtime installs too; the command it runs is checked as well.
        if INIT_WRAPPERS.contains(&name) {
            if !c.packages.iter().any(|p| p == name) {
                return Err(gate(
                    ids::node::RT_APP,
                    format!(
                        "the entry runs `{name}`, which the original does not install from system packages (it may be the build image's own), so the runtime would not have it"
                    ),
                ));
            }
            let rest = words[1..]
                .iter()
                .position(|w| !w.starts_with('-'))
                .map_or(&words[words.len()..], |at| &words[1 + at..]);
            todo.push(rest);
            continue;
        }
        if matches!(name, "node" | "npm" | "npx" | "yarn" | "pnpm" | "corepack") || c.needs_launcher
        {
            continue;
        }
        if prog.contains('/') {
            let abs = join_path(app, prog);
            if abs.starts_with(&format!("{}/", app.trim_end_matches('/'))) {
                // A script of the app: it runs with its shebang interpreter, usually sh.
                c.needs_shell = true;
                continue;
            }
        }
        if matches!(
            name,
            "sh" | "bash" | "exec" | "env" | "echo" | "test" | "[" | "true" | "set"
        ) {
            continue;
        }
        // File utilities every base with a shell has (coreutils, or
        // busybox on Alpine): `cp seed.json /data/ && node server.js`.
        if SHELL_BASE_UTILITIES.contains(&name) {
            c.needs_shell = true;
            continue;
        }
        // `CMD ["serve", "-s", "dist"]  # comment` is not valid JSON, so
        // Docker runs the whole line through /bin/sh: the program is then
        // the word `["serve",`, which no image has.
        if entry.shell_form && (prog.starts_with('[') || name.ends_with(',')) {
            return Err(gate(
                ids::node::RT_APP,
                "the start command looks like a JSON array but is not valid JSON (text after the `]`, such as a comment, or single quotes), so Docker runs the line through a shell as written, where its first word names no program: the original cannot start either; write it as valid JSON",
            ));
        }
        return Err(gate(
            ids::node::RT_APP,
            format!(
                "the entry runs `{name}`, which is neither node, a package manager nor a file of the app; the runtime would not have it"
            ),
        ));
    }
    Ok(())
}

/// Inits that start the app as their child and forward signals to it.
const INIT_WRAPPERS: &[&str] = &["tini", "tini-static", "dumb-init"];

/// Prunes dev dependencies when a full install ran (and no production one)
/// and nothing shows a devDependency is used at run time; otherwise says
/// why they stay.
fn plan_prune(
    c: &mut Closure,
    installs: &[(&StepInfo, &CmdInfo)],
    ctx: Option<&Context>,
    package: &Result<String, String>,
    entry: &Entry,
    script_runs: &[Vec<String>],
) {
    let ran = |role: Role| {
        installs
            .iter()
            .any(|(_, c)| matches!(&c.kind, CmdKind::Profile { role: r, .. } if *r == role))
    };
    if !ran(Role::InstallDeps) || ran(Role::RuntimeSetup) {
        return;
    }
    let manager = installs
        .iter()
        .find_map(|(_, c)| c.program.clone())
        .unwrap_or_else(|| "npm".into());
    match prune_blocker(ctx, package, entry, script_runs) {
        Prune::Nothing => {}
        Prune::Keep(why) => c.warnings.push(Warning::new(
            ids::node::PRUNE_PROD,
            format!("dev dependencies stay in the runtime: {why}"),
        )),
        Prune::Yes => {
            let cmd = match manager.as_str() {
                "npm" => Some("npm prune --omit=dev"),
                "pnpm" => Some("pnpm prune --prod"),
                _ => None,
            };
            match cmd {
                Some(cmd) => {
                    c.prune = Some(PruneStep {
                        command: cmd.to_string(),
                        rule: ids::node::PRUNE_PROD.into(),
                        reason: "removes devDependencies after the build; nothing the app runs needs them".into(),
                    });
                }
                None => c.warnings.push(Warning::new(
                    ids::node::PRUNE_PROD,
                    format!(
                        "dev dependencies stay in the runtime: `{manager}` has no prune command that keeps the lockfile's versions"
                    ),
                )),
            }
        }
    }
}

/// Whether dev dependencies can be pruned after the build.
enum Prune {
    /// Nothing shows a devDependency is used at run time.
    Yes,
    /// There are no devDependencies.
    Nothing,
    /// Something shows (or cannot rule out) that one is used.
    Keep(String),
}

/// Decides [`Prune`] from the app's package.json (`package`, its context
/// path, from `app_package`), the start script and the app's imports.
fn prune_blocker(
    ctx: Option<&Context>,
    package: &Result<String, String>,
    entry: &Entry,
    script_runs: &[Vec<String>],
) -> Prune {
    let (ctx, package) = match (ctx, package) {
        (Some(ctx), Ok(package)) => (ctx, package),
        (_, Err(why)) => return Prune::Keep(why.clone()),
        (None, Ok(_)) => {
            return Prune::Keep("without the build context, package.json cannot be read".into());
        }
    };
    let Some(pkg) = ctx.text(package) else {
        return Prune::Keep(format!("{package} could not be read"));
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(pkg) else {
        return Prune::Keep(format!("{package} is not valid JSON"));
    };
    // The scripts' paths are relative to the package.json's folder.
    let dir = folder_of(package);
    let dev: Vec<String> = json
        .get("devDependencies")
        .and_then(|d| d.as_object())
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    if dev.is_empty() {
        return Prune::Nothing;
    }
    let scripts = json.get("scripts").and_then(|s| s.as_object());
    let run_scripts = start_scripts(scripts, &entry.argv);
    let argv = &entry.argv;
    for d in &dev {
        for s in &run_scripts {
            if s.split(|ch: char| ch.is_whitespace() || ch == '&' || ch == ';')
                .any(|w| w == d)
            {
                return Prune::Keep(format!("the start script runs `{d}`, a devDependency"));
            }
        }
        if argv.iter().any(|a| a == d) {
            return Prune::Keep(format!("the entry runs `{d}`, a devDependency"));
        }
        if script_runs.iter().flatten().any(|a| a == d) {
            return Prune::Keep(format!("the entrypoint script runs `{d}`, a devDependency"));
        }
    }
    // Files the other scripts run (`node build.js`) are build tooling, not the app.
    let tooling: Vec<String> = scripts
        .map(|s| {
            s.iter()
                .filter(|(k, _)| !run_scripts.is_empty() && !k.ends_with("start"))
                .filter_map(|(_, v)| v.as_str())
                .flat_map(|v| {
                    v.split_whitespace()
                        .map(|w| format!("{dir}{}", w.trim_start_matches("./")))
                        .collect::<Vec<_>>()
                })
                .filter(|w| {
                    [".js", ".mjs", ".cjs", ".ts"]
                        .iter()
                        .any(|e| w.ends_with(e))
                })
                .collect()
        })
        .unwrap_or_default();
    match dev_import(ctx, &dev, &tooling) {
        Some(why) => Prune::Keep(why),
        None => Prune::Yes,
    }
}

/// The scripts the entry runs through the package manager (`npm start`,
/// `yarn run web`), with their `pre`/`post` scripts, from package.json's
/// `scripts`.
fn start_scripts(
    scripts: Option<&serde_json::Map<String, serde_json::Value>>,
    argv: &[String],
) -> Vec<String> {
    let mut run_scripts: Vec<String> = Vec::new();
    if let Some(prog) = argv.first().map(String::as_str)
        && matches!(prog, "npm" | "yarn" | "pnpm")
    {
        let name = match argv.get(1).map(String::as_str) {
            Some("start") | None => Some("start".to_string()),
            Some("run" | "run-script") => argv.get(2).cloned(),
            Some(other) => Some(other.to_string()),
        };
        if let (Some(name), Some(scripts)) = (name, scripts) {
            for key in [format!("pre{name}"), name.clone(), format!("post{name}")] {
                if let Some(s) = scripts.get(&key).and_then(|v| v.as_str()) {
                    run_scripts.push(s.to_string());
                }
            }
        }
    }
    run_scripts
}

/// An application source (not build tooling, tests or configuration) that
/// imports one of the devDependencies `dev` (type packages aside): the
/// sentence saying which, or `None`.
fn dev_import(ctx: &Context, dev: &[String], tooling: &[String]) -> Option<String> {
    for (path, text) in &ctx.contents {
        if tooling.iter().any(|t| t == path) {
            continue;
        }
        let is_src = [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]
            .iter()
            .any(|e| path.ends_with(e));
        let name = path.rsplit('/').next().unwrap_or(path);
        let is_tooling = name.contains(".config.")
            || name.contains(".test.")
            || name.contains(".spec.")
            || path
                .split('/')
                .any(|seg| matches!(seg, "test" | "tests" | "__tests__" | "scripts"));
        if !is_src || is_tooling {
            continue;
        }
        for d in dev.iter().filter(|d| !d.starts_with("@types/")) {
            for q in ['\'', '"'] {
                let imported = [
                    format!("require({q}{d}{q}"),
                    format!("from {q}{d}{q}"),
                    format!("import({q}{d}{q}"),
                    format!("require({q}{d}/"),
                    format!("from {q}{d}/"),
                ];
                if imported.iter().any(|p| text.contains(p.as_str())) {
                    return Some(format!("{path} imports `{d}`, a devDependency"));
                }
            }
        }
    }
    None
}

pub(crate) struct Node;

impl super::Language for Node {
    fn closure(&self, c: &mut Closure, i: &super::Input) -> Result<(), Gate> {
        node(c, i)
    }
    fn stage_kind(&self, _: &mut Closure, _: Option<&Context>) -> AppKind {
        AppKind::NodeApp
    }
}

#[cfg(test)]
mod tests;
