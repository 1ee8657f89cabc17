//! .NET: the publish folder, on the ASP.NET or plain runtime as the project's
//! SDK says, without ICU when the project is globalization-invariant.

use crate::model::{Context, join_path};
use crate::plan::entry::Entry;
use crate::plan::facts::gate;
use crate::plan::rule_ids as ids;
use crate::plan::steps::StepInfo;
use crate::plan::types::{Closure, CopySpec, Gate};
use crate::rules::AppKind;

/// Whether the context's .NET project uses the Web SDK (assumed without a context:
/// aspnet holds everything runtime holds).
fn dotnet_web(ctx: Option<&Context>) -> bool {
    ctx.is_none_or(|x| {
        x.contents.iter().any(|(p, t)| {
            (p.ends_with(".csproj") || p.ends_with(".fsproj"))
                && t.contains("Microsoft.NET.Sdk.Web")
        })
    })
}

/// Whether the .NET project opts into globalization-invariant mode.
fn invariant_globalization(ctx: Option<&Context>) -> bool {
    ctx.is_some_and(|x| {
        x.contents.iter().any(|(p, t)| {
            (p.ends_with(".csproj")
                || p.ends_with(".fsproj")
                || p.ends_with("Directory.Build.props"))
                && t.contains("<InvariantGlobalization>true</InvariantGlobalization>")
        })
    })
}

/// .NET's runtime plan: the folder `dotnet publish -o` writes, which must
/// hold what the entry runs; the app kind (self-contained, ASP.NET or
/// console) and ICU from the project; the folder's copy.
fn dotnet(
    c: &mut Closure,
    infos: &[StepInfo],
    entry: &Entry,
    ctx: Option<&Context>,
) -> Result<(), Gate> {
    let publish: Vec<(String, String)> = infos
        .iter()
        .flat_map(|i| i.commands())
        .filter(|c| {
            matches!(
                c.rule.as_str(),
                ids::dotnet::PUBLISH | ids::dotnet::PUBLISH_SELF_CONTAINED
            )
        })
        .flat_map(|c| c.produces.iter().map(move |p| (p.clone(), c.rule.clone())))
        .collect();
    let Some((dir, rule)) = publish.first().cloned() else {
        return Err(gate(
            ids::core::PREBUILT,
            "no `dotnet publish -o DIR` step: the app is built elsewhere",
        ));
    };
    if dir.contains('*') {
        return Err(gate(
            ids::dotnet::RT_PUBLISH,
            "`dotnet publish` has no -o: the publish folder's path depends on the project",
        ));
    }
    let self_contained = rule == ids::dotnet::PUBLISH_SELF_CONTAINED;
    let argv = &entry.argv;
    let target = match argv.first().map(String::as_str) {
        Some("dotnet") => argv.get(1).cloned().unwrap_or_default(),
        Some(p) => p.to_string(),
        None => String::new(),
    };
    let abs = join_path(&entry.workdir, &target);
    if !abs.starts_with(&format!("{}/", dir.trim_end_matches('/'))) {
        return Err(gate(
            ids::dotnet::RT_PUBLISH,
            format!("the entry runs {abs}, which is not in the publish folder {dir}"),
        ));
    }
    c.invariant_globalization = invariant_globalization(ctx);
    let web = dotnet_web(ctx);
    c.app_kind = Some(if self_contained {
        AppKind::DotnetSelfContained
    } else if web {
        AppKind::DotnetWeb
    } else {
        AppKind::DotnetConsole
    });
    c.copies.push(CopySpec {
        from: dir.clone(),
        to: dir,
        rule: ids::dotnet::RT_PUBLISH.into(),
        reason: "the publish folder holds the app and every assembly it loads".into(),
    });
    Ok(())
}

pub(crate) struct Dotnet;

impl super::Language for Dotnet {
    fn closure(&self, c: &mut Closure, i: &super::Input) -> Result<(), Gate> {
        dotnet(c, i.infos, i.entry, i.ctx)
    }
    fn stage_kind(&self, c: &mut Closure, ctx: Option<&Context>) -> AppKind {
        c.invariant_globalization = invariant_globalization(ctx);
        if dotnet_web(ctx) {
            AppKind::DotnetWeb
        } else {
            AppKind::DotnetConsole
        }
    }
}
