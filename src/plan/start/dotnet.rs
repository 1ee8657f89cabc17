//! `dotnet run [--project P] [-c CONF] [--no-launch-profile] [--urls U] [-- ARGS]`
//! → `dotnet publish P -c CONF -o DIR` in the build stage and
//! `dotnet DIR/ASSEMBLY.dll [--urls U] ARGS` as the start command, in the
//! same working directory.
//!
//! The project is read from the context as if it were copied into the
//! working directory (`COPY . .`): the translation is refused when it cannot
//! be found, when several projects could be meant, when `dotnet run` would
//! apply a launch profile (`Properties/launchSettings.json`: its URLs and
//! environment variables, which a published dll never reads), and when the
//! working directory — ASP.NET's content root — holds `appsettings*.json` or
//! `wwwroot/`, which the runtime stage would not hold there.

use super::{Plan, Tool, shown};
use crate::model::Context;
use crate::plan::rule_ids as ids;

pub(super) fn translate(t: &Tool) -> Result<Plan, String> {
    let words = t.words;
    if words.first().map(String::as_str) != Some("dotnet") {
        return Err("the start command is not `dotnet run …` itself".into());
    }
    match words.get(1).map(String::as_str) {
        Some("run") => {}
        Some("watch") => {
            return Err(
                "`dotnet watch` rebuilds on every change: a development container, never translated"
                    .into(),
            );
        }
        _ => return Err("the start command is not `dotnet run …` itself".into()),
    }
    if t.appended {
        return Err(
            "a CMD appends arguments to the ENTRYPOINT's `dotnet run`, which are not read here"
                .into(),
        );
    }
    let opts = options(&words[2..])?;
    let ctx = t
        .ctx
        .ok_or("there is no build context to find the project in")?;
    let project = find_project(opts.project.as_deref(), ctx)?;
    let dir = parent(&project);
    let launch = join(dir, "Properties/launchSettings.json");
    if !opts.no_launch_profile && ctx.has(&launch) {
        return Err(format!(
            "`dotnet run` applies the first profile of {launch} (its applicationUrl, environmentVariables, commandLineArgs), which the published app never reads; add `--no-launch-profile` if the container does not rely on it"
        ));
    }
    if let Some(f) = ctx.files.iter().find(|f| {
        let top = !f.contains('/');
        let name = f.rsplit('/').next().unwrap_or(f);
        (top && name.starts_with("appsettings") && name.ends_with(".json"))
            || f.starts_with("wwwroot/")
    }) {
        return Err(format!(
            "the app reads `{f}` from the working directory (ASP.NET's content root), where the runtime stage would hold only the publish folder"
        ));
    }
    let text = ctx
        .text(&project)
        .ok_or_else(|| format!("{project} cannot be read"))?;
    if ["Directory.Build.props", &join(dir, "Directory.Build.props")]
        .iter()
        .filter_map(|p| ctx.text(p))
        .any(|t| t.contains("AssemblyName") || t.contains("TargetFramework"))
    {
        return Err(
            "Directory.Build.props sets the assembly name or target framework, which is not followed"
                .into(),
        );
    }
    let assembly = assembly_name(&project, text)?;
    if let Some(f) = &opts.framework {
        match single_property(text, "TargetFramework") {
            Some(tf) if &tf == f => {}
            _ => {
                return Err(format!(
                    "`--framework {f}` is not shown to be the project's only TargetFramework"
                ));
            }
        }
    }
    let conf = opts
        .configuration
        .clone()
        .unwrap_or_else(|| "Release".into());
    let out = output_dir(t.workdir);
    if out != "/app/publish" && ctx.files.iter().any(|f| f.starts_with("publish/")) {
        return Err(format!(
            "the publish folder {out} would land on the context's own publish/ folder"
        ));
    }
    let mut build = vec!["dotnet".to_string(), "publish".to_string()];
    if opts.project.is_some() || project.contains('/') {
        build.push(project.clone());
    }
    build.extend(["-c".to_string(), conf.clone()]);
    if let Some(f) = &opts.framework {
        build.extend(["-f".to_string(), f.clone()]);
    }
    build.extend(["-o".to_string(), out.clone()]);
    let mut argv = vec!["dotnet".to_string(), format!("{out}/{assembly}.dll")];
    argv.extend(opts.args.iter().cloned());
    let mut warnings = Vec::new();
    if opts.configuration.is_none() {
        warnings.push(format!(
            "`{}` built the Debug configuration; the build stage publishes Release (optimized; code under `#if DEBUG` is left out), as a published image is made",
            shown(words)
        ));
    }
    Ok(Plan {
        argv,
        build: Some(build.clone()),
        env: None,
        rule: ids::dotnet::START_DOTNET_PUBLISH,
        reason: format!(
            "`{}` built {project} at every start, with the SDK in the image; the build stage publishes it once (`{}`), and the runtime starts the published {assembly}.dll with the same arguments in the same working directory, as PID 1 (exec form)",
            shown(words),
            shown(&build)
        ),
        warnings,
    })
}

/// The options of `dotnet run` this translation understands.
#[derive(Default)]
struct Options {
    project: Option<String>,
    configuration: Option<String>,
    framework: Option<String>,
    no_launch_profile: bool,
    /// The app's arguments: `--urls U` (passed through by `dotnet run`) and
    /// everything after `--`, in order.
    args: Vec<String>,
}

fn options(words: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let (name, inline) = match w.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (w, None),
        };
        let value = |i: &mut usize| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            *i += 1;
            words
                .get(*i)
                .cloned()
                .ok_or_else(|| format!("`{name}` has no value"))
        };
        match name {
            "--" => {
                o.args.extend(words[i + 1..].iter().cloned());
                break;
            }
            "--project" => o.project = Some(value(&mut i)?),
            "-c" | "--configuration" => o.configuration = Some(value(&mut i)?),
            "-f" | "--framework" => o.framework = Some(value(&mut i)?),
            "--no-launch-profile" => o.no_launch_profile = true,
            // Restoring again is what publish does anyway.
            "--no-restore" => {}
            "--urls" => {
                let v = value(&mut i)?;
                o.args.extend(["--urls".to_string(), v]);
            }
            _ => {
                return Err(format!(
                    "`dotnet run {w}` is not an option whose meaning for the published app is known"
                ));
            }
        }
        i += 1;
    }
    Ok(o)
}

/// The project file `dotnet run` builds, as a context path: the one named
/// (a file, or a folder holding exactly one project), or the only one at the
/// top of the context.
fn find_project(named: Option<&str>, ctx: &Context) -> Result<String, String> {
    let is_project = |p: &str| p.ends_with(".csproj") || p.ends_with(".fsproj");
    let path = named.map(|p| p.trim_start_matches("./").trim_end_matches('/').to_string());
    if let Some(p) = &path {
        if p.starts_with('/') || p.split('/').any(|s| s == "..") {
            return Err(format!(
                "`--project {p}` is not a path inside the working directory"
            ));
        }
        if is_project(p) {
            return if ctx.has(p) {
                Ok(p.clone())
            } else {
                Err(format!("the project {p} is not in the build context"))
            };
        }
    }
    let folder = path.unwrap_or_default();
    let found: Vec<&String> = ctx
        .files
        .iter()
        .filter(|f| is_project(f) && parent(f) == folder)
        .collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!(
            "no .csproj or .fsproj in {} of the build context",
            if folder.is_empty() {
                "the top"
            } else {
                &folder
            }
        )),
        _ => Err(format!(
            "several projects could be meant ({}) and `--project` names none",
            found
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The assembly's name: `<AssemblyName>` when the project sets it (plainly),
/// else the project file's name.
fn assembly_name(project: &str, text: &str) -> Result<String, String> {
    let stem = project
        .rsplit('/')
        .next()
        .unwrap_or(project)
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(project);
    let name = match text.matches("<AssemblyName").count() {
        0 => stem.to_string(),
        1 => single_property(text, "AssemblyName")
            .ok_or_else(|| format!("{project} sets AssemblyName in a way not read here"))?,
        _ => return Err(format!("{project} sets AssemblyName more than once")),
    };
    let ok = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    if name.is_empty() || !name.chars().all(ok) {
        return Err(format!(
            "the assembly name `{name}` is not a plain file name"
        ));
    }
    Ok(name)
}

/// The value of `<NAME>value</NAME>` when the project sets it once, without
/// a condition or a property reference.
fn single_property(text: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    if text.matches(&format!("<{name}")).count() != 1 {
        return None;
    }
    let start = text.find(&open)? + open.len();
    let end = start + text[start..].find(&close)?;
    let v = text[start..end].trim();
    (!v.contains('$') && !v.contains(';') && !v.is_empty()).then(|| v.to_string())
}

/// Where the publish folder goes.
fn output_dir(workdir: &str) -> String {
    if workdir == "/app" || workdir.starts_with("/app/") {
        format!("{}/publish", workdir.trim_end_matches('/'))
    } else {
        "/app/publish".to_string()
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    fn run(cmd: &str, files: &[(&str, &str)], workdir: &str) -> Result<Plan, String> {
        let ctx = Context::from_files(files.iter().copied());
        let w = words(cmd);
        translate(&Tool {
            words: &w,
            ctx: Some(&ctx),
            workdir,
            infos: &[],
            appended: false,
        })
    }

    const WEB: &str = "<Project Sdk=\"Microsoft.NET.Sdk.Web\"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>";

    #[test]
    fn args_after_double_dash_and_urls_go_to_the_app() {
        let p = run(
            "dotnet run --urls http://0.0.0.0:8080 -c Release -- --seed x",
            &[("Shop.csproj", WEB)],
            "/src",
        )
        .unwrap();
        assert_eq!(
            p.argv,
            words("dotnet /app/publish/Shop.dll --urls http://0.0.0.0:8080 --seed x")
        );
        assert_eq!(
            p.build.unwrap(),
            words("dotnet publish -c Release -o /app/publish")
        );
        assert!(p.warnings.is_empty(), "Release was named: no warning");
    }

    #[test]
    fn assembly_name_comes_from_the_project() {
        let csproj = "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><AssemblyName>Acme.Tool</AssemblyName></PropertyGroup></Project>";
        let p = run(
            "dotnet run --project=tool/Tool.csproj",
            &[("tool/Tool.csproj", csproj)],
            "/work",
        )
        .unwrap();
        assert_eq!(p.argv[1], "/app/publish/Acme.Tool.dll");
        assert_eq!(p.warnings.len(), 1, "Debug → Release is said");
    }

    #[test]
    fn refusals_name_what_stopped_them() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case] = &[
            ("dotnet watch run", &[("A.csproj", WEB)], "dotnet watch"),
            (
                "dotnet run --launch-profile http",
                &[("A.csproj", WEB)],
                "--launch-profile",
            ),
            (
                "dotnet run",
                &[("A.csproj", WEB), ("B.csproj", WEB)],
                "several projects",
            ),
            ("dotnet run --project X", &[("A.csproj", WEB)], "no .csproj"),
            (
                "dotnet run",
                &[("A.csproj", WEB), ("Properties/launchSettings.json", "{}")],
                "launchSettings.json",
            ),
            (
                "dotnet run --no-launch-profile",
                &[("A.csproj", WEB), ("appsettings.json", "{}")],
                "appsettings.json",
            ),
            ("dotnet run -f net9.0", &[("A.csproj", WEB)], "--framework"),
            (
                "dotnet run",
                &[(
                    "A.csproj",
                    "<Project><PropertyGroup><AssemblyName>$(X)</AssemblyName></PropertyGroup></Project>",
                )],
                "AssemblyName",
            ),
        ];
        for (cmd, files, why) in cases {
            let err = run(cmd, files, "/src").err().unwrap_or_default();
            assert!(err.contains(why), "{cmd}: {err}");
        }
    }

    #[test]
    fn a_named_framework_that_is_the_only_one_is_kept() {
        let p = run("dotnet run -f net8.0", &[("A.csproj", WEB)], "/app").unwrap();
        assert_eq!(
            p.build.unwrap(),
            words("dotnet publish -c Release -f net8.0 -o /app/publish")
        );
    }
}
