//! Comparing the image configs of the original and the rewrite, and finding,
//! for each difference, what in the plan (or in the base images) explains it.

use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The config fields compared, in report order.
pub const FIELDS: &[&str] = &[
    "Cmd",
    "Entrypoint",
    "Env",
    "ExposedPorts",
    "WorkingDir",
    "User",
    "Healthcheck",
    "StopSignal",
];

/// Something in the plan that can explain a difference: an input instruction's
/// decision or an addition of the rewrite.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// Upper-case keyword (`ENV`, `USER`…).
    pub keyword: String,
    /// The text after the keyword (first line, trimmed).
    pub value: String,
    /// For ENV: the keys it sets.
    pub keys: Vec<String>,
    /// It ends up in the runtime stage (the image that ships).
    pub in_runtime: bool,
    /// An addition (not an input instruction).
    pub addition: bool,
    pub rule: String,
    pub reason: String,
}

impl Source {
    fn cite(&self) -> String {
        format!("[{}] {}", self.rule, self.reason)
    }
}

/// A base image and its config.
#[derive(Debug, Clone, Copy)]
pub struct Base<'a> {
    pub name: &'a str,
    pub config: &'a Value,
}

/// One difference between the two configs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// The config field (`Env`, `User`…).
    pub field: String,
    /// For Env: the variable; for ExposedPorts: the port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The value in the original (null when unset).
    pub original: Value,
    /// The value in the rewrite (null when unset).
    pub rewrite: Value,
    /// What explains it: `[rule] reason` from the plan, or a base image.
    pub reasons: Vec<String>,
    /// At least one reason was found.
    pub explained: bool,
}

/// Null, "", [] and {} all mean "not set".
fn unset(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn norm(v: &Value) -> Value {
    if unset(v) { Value::Null } else { v.clone() }
}

/// `["A=1","B=2"]` → {A: "1", B: "2"}.
pub fn env_map(config: &Value) -> BTreeMap<String, String> {
    config["Env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (kv.to_string(), String::new()),
        })
        .collect()
}

fn ports(config: &Value) -> Vec<String> {
    config["ExposedPorts"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn keywords(field: &str) -> &'static [&'static str] {
    match field {
        "Cmd" | "Entrypoint" => &["CMD", "ENTRYPOINT"],
        "Env" => &["ENV"],
        "ExposedPorts" => &["EXPOSE"],
        "WorkingDir" => &["WORKDIR"],
        "User" => &["USER"],
        "StopSignal" => &["STOPSIGNAL"],
        _ => &["HEALTHCHECK"],
    }
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
}

/// The plan's reasons for a difference of `field` (`key` for Env/ExposedPorts).
fn plan_reasons(
    field: &str,
    key: Option<&str>,
    orig: &Value,
    rew: &Value,
    sources: &[Source],
) -> Vec<String> {
    let kws = keywords(field);
    let mut out = Vec::new();
    for s in sources {
        let translated = (field == "Cmd" || field == "Entrypoint")
            && s.rule.ends_with("entry-translation")
            || field == "User" && s.rule == "core/user-numeric";
        if !translated && !kws.contains(&s.keyword.as_str()) {
            continue;
        }
        let relevant = translated
            || match field {
                "Env" => key.is_some_and(|k| s.keys.iter().any(|x| x == k)),
                "ExposedPorts" => key.is_some_and(|k| {
                    let port = k.split('/').next().unwrap_or(k);
                    s.value.split_whitespace().any(|w| {
                        let w = unquote(w);
                        w == k || w == port
                    })
                }),
                "User" | "WorkingDir" => {
                    let v = unquote(&s.value);
                    let side = if s.in_runtime { rew } else { orig };
                    side.as_str() == Some(v)
                }
                _ => true,
            };
        if !relevant {
            continue;
        }
        // What lands in the runtime unchanged explains nothing; what was
        // added, translated or kept out of the runtime does.
        let explains = translated
            || s.addition && s.in_runtime
            || !s.in_runtime && !s.addition
            || s.in_runtime && s.rule != "core/runtime-config";
        if explains && !out.contains(&s.cite()) {
            out.push(s.cite());
        }
    }
    out
}

fn base_reasons(
    orig: &Value,
    rew: &Value,
    get: impl Fn(&Value) -> Value,
    before: Option<Base>,
    after: Option<Base>,
    after_rule: Option<&str>,
) -> Vec<String> {
    let mut out = Vec::new();
    let tag = after_rule.map(|r| format!(" [{r}]")).unwrap_or_default();
    let bb = before.map(|b| norm(&get(b.config)));
    let ba = after.map(|b| norm(&get(b.config)));
    let from_after = !unset(rew) && ba.as_ref() == Some(rew);
    let from_before = !unset(orig) && bb.as_ref() == Some(orig);
    match (from_before, from_after, before, after) {
        (true, true, Some(b), Some(a)) => out.push(format!(
            "set by the base image: `{}` in the original, `{}` in the rewrite{tag}",
            b.name, a.name
        )),
        (_, true, _, Some(a)) => out.push(format!("set by the base image `{}`{tag}", a.name)),
        (true, false, Some(b), _) => {
            let not = match (after, &ba) {
                (Some(a), Some(Value::Null)) => {
                    format!("; the runtime base `{}` does not set it", a.name)
                }
                _ => String::new(),
            };
            // Name the runtime base's rule only when the runtime base is part of the reason.
            let tag = if not.is_empty() { tag.as_str() } else { "" };
            out.push(format!(
                "set by the original's base image `{}`{not}{tag}",
                b.name
            ));
        }
        _ => {}
    }
    out
}

/// Every difference between the two configs, with its reasons.
pub fn diff(
    orig: &Value,
    rew: &Value,
    before: Option<Base>,
    after: Option<Base>,
    sources: &[Source],
) -> Vec<Diff> {
    let after_rule = sources
        .iter()
        .find(|s| s.addition && s.in_runtime && s.keyword == "FROM")
        .map(|s| s.rule.as_str());
    let mut out = Vec::new();
    let mut push = |field: &str, key: Option<String>, o: Value, r: Value, reasons: Vec<String>| {
        out.push(Diff {
            field: field.to_string(),
            key,
            explained: !reasons.is_empty(),
            original: o,
            rewrite: r,
            reasons,
        });
    };
    for &field in FIELDS {
        match field {
            "Env" => {
                let (om, rm) = (env_map(orig), env_map(rew));
                let keys: std::collections::BTreeSet<&String> =
                    om.keys().chain(rm.keys()).collect();
                for k in keys {
                    let (o, r) = (om.get(k), rm.get(k));
                    if o == r {
                        continue;
                    }
                    let ov = o.map_or(Value::Null, |v| Value::String(v.clone()));
                    let rv = r.map_or(Value::Null, |v| Value::String(v.clone()));
                    let get = |c: &Value| {
                        env_map(c)
                            .get(k)
                            .map_or(Value::Null, |v| Value::String(v.clone()))
                    };
                    let mut reasons = plan_reasons(field, Some(k), &ov, &rv, sources);
                    reasons.extend(base_reasons(&ov, &rv, get, before, after, after_rule));
                    push(field, Some(k.clone()), ov, rv, reasons);
                }
            }
            "ExposedPorts" => {
                let (op, rp) = (ports(orig), ports(rew));
                let mut all: Vec<&String> = op.iter().chain(rp.iter()).collect();
                all.sort();
                all.dedup();
                for p in all {
                    let (o, r) = (op.contains(p), rp.contains(p));
                    if o == r {
                        continue;
                    }
                    let b = |x: bool| if x { Value::Bool(true) } else { Value::Null };
                    let get = |c: &Value| b(ports(c).contains(p));
                    let mut reasons = plan_reasons(field, Some(p), &b(o), &b(r), sources);
                    reasons.extend(base_reasons(&b(o), &b(r), get, before, after, after_rule));
                    push(field, Some(p.clone()), b(o), b(r), reasons);
                }
            }
            _ => {
                let (o, r) = (norm(&orig[field]), norm(&rew[field]));
                if o == r {
                    continue;
                }
                let get = |c: &Value| c[field].clone();
                let mut reasons = plan_reasons(field, None, &o, &r, sources);
                reasons.extend(base_reasons(&o, &r, get, before, after, after_rule));
                push(field, None, o, r, reasons);
            }
        }
    }
    out
}

/// A value for people: `["a","b"]`, `"x"`, `(unset)`.
pub fn show(v: &Value) -> String {
    match v {
        Value::Null => "(unset)".into(),
        Value::Bool(true) => "exposed".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn src(keyword: &str, value: &str, in_runtime: bool, addition: bool, rule: &str) -> Source {
        Source {
            keyword: keyword.into(),
            value: value.into(),
            keys: Vec::new(),
            in_runtime,
            addition,
            rule: rule.into(),
            reason: format!("why {rule}"),
        }
    }

    #[test]
    fn same_configs_have_no_diff() {
        let c = json!({"Cmd": ["node", "x.js"], "Env": ["A=1"], "User": "", "Healthcheck": null});
        let c2 = json!({"Cmd": ["node", "x.js"], "Env": ["A=1"], "Entrypoint": []});
        assert!(diff(&c, &c2, None, None, &[]).is_empty());
    }

    #[test]
    fn user_from_non_root_addition() {
        let o = json!({"User": ""});
        let r = json!({"User": "node"});
        let sources = [src("USER", "node", true, true, "core/non-root")];
        let d = diff(&o, &r, None, None, &sources);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].field, "User");
        assert!(d[0].explained);
        assert_eq!(d[0].reasons, ["[core/non-root] why core/non-root"]);
        // A USER translated to numeric ids is explained by its decision.
        let o = json!({"User": "app"});
        let r = json!({"User": "10001"});
        let sources = [src("USER", "app", true, false, "core/user-numeric")];
        let d = diff(&o, &r, None, None, &sources);
        assert_eq!(d[0].reasons, ["[core/user-numeric] why core/user-numeric"]);
    }

    #[test]
    fn unexplained_is_flagged() {
        let o = json!({"WorkingDir": "/app"});
        let r = json!({"WorkingDir": "/"});
        let d = diff(&o, &r, None, None, &[]);
        assert_eq!(d.len(), 1);
        assert!(!d[0].explained);
        assert!(d[0].reasons.is_empty());
    }

    #[test]
    fn entrypoint_from_base_and_cmd_translation() {
        let o = json!({"Cmd": ["node", "dist/index.js"]});
        let r =
            json!({"Cmd": ["dist/index.js"], "Entrypoint": ["/nodejs/bin/node"], "User": "65532"});
        let ba = json!({"Entrypoint": ["/nodejs/bin/node"], "User": "65532"});
        let bb = json!({"Cmd": ["node"]});
        let sources = [
            src(
                "CMD",
                "[\"node\", \"dist/index.js\"]",
                true,
                false,
                "core/entry-translation",
            ),
            src(
                "FROM",
                "distroless AS runtime",
                true,
                true,
                "node/distroless",
            ),
        ];
        let d = diff(
            &o,
            &r,
            Some(Base {
                name: "node:20",
                config: &bb,
            }),
            Some(Base {
                name: "distroless",
                config: &ba,
            }),
            &sources,
        );
        let fields: Vec<&str> = d.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["Cmd", "Entrypoint", "User"]);
        assert!(d.iter().all(|x| x.explained));
        assert!(
            d[1].reasons
                .iter()
                .any(|r| r.contains("core/entry-translation"))
        );
        assert!(
            d[1].reasons
                .iter()
                .any(|r| r == "set by the base image `distroless` [node/distroless]")
        );
        assert_eq!(
            d[2].reasons,
            ["set by the base image `distroless` [node/distroless]"]
        );
    }

    #[test]
    fn env_keys_from_bases_and_build_only() {
        let o = json!({"Env": ["PATH=/a", "SSL_CERT_FILE=/ca", "CGO_ENABLED=0", "NODE_ENV=production"]});
        let r = json!({"Env": ["PATH=/b", "NODE_ENV=production", "JAVA_HOME=/j"]});
        let bb = json!({"Env": ["PATH=/a", "SSL_CERT_FILE=/ca"]});
        let ba = json!({"Env": ["PATH=/b", "JAVA_HOME=/j"]});
        let mut build_env = src("ENV", "CGO_ENABLED=0", false, false, "go/build-env");
        build_env.keys = vec!["CGO_ENABLED".into()];
        let d = diff(
            &o,
            &r,
            Some(Base {
                name: "golang",
                config: &bb,
            }),
            Some(Base {
                name: "static",
                config: &ba,
            }),
            &[build_env],
        );
        let keys: Vec<&str> = d.iter().filter_map(|x| x.key.as_deref()).collect();
        assert_eq!(keys, ["CGO_ENABLED", "JAVA_HOME", "PATH", "SSL_CERT_FILE"]);
        assert!(d.iter().all(|x| x.explained), "{d:#?}");
        assert_eq!(d[0].reasons, ["[go/build-env] why go/build-env"]);
        assert_eq!(d[1].reasons, ["set by the base image `static`"]);
        assert!(d[2].reasons[0].contains("`golang` in the original, `static` in the rewrite"));
        assert!(d[3].reasons[0].starts_with("set by the original's base image `golang`"));
    }

    #[test]
    fn ports_and_healthcheck() {
        let o = json!({"ExposedPorts": {"3000/tcp": {}}, "Healthcheck": {"Test": ["CMD-SHELL", "curl x"]}});
        let r = json!({"ExposedPorts": {"80/tcp": {}}});
        let sources = [
            src("EXPOSE", "3000", false, false, "static/port"),
            src("EXPOSE", "80", true, true, "static/nginx"),
        ];
        let d = diff(&o, &r, None, None, &sources);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].key.as_deref(), Some("3000/tcp"));
        assert_eq!(d[0].reasons, ["[static/port] why static/port"]);
        assert_eq!(d[1].reasons, ["[static/nginx] why static/nginx"]);
        assert_eq!(d[2].field, "Healthcheck");
        assert!(!d[2].explained);
    }

    #[test]
    fn stop_signal_from_a_base_image() {
        // A runtime base with STOPSIGNAL changes what `docker stop` sends.
        let o = json!({"Cmd": ["npm", "start"]});
        let r = json!({"Cmd": ["npm", "start"], "StopSignal": "SIGINT"});
        let ba = json!({"StopSignal": "SIGINT"});
        let d = diff(
            &o,
            &r,
            None,
            Some(Base {
                name: "node-sigint:1",
                config: &ba,
            }),
            &[],
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].field, "StopSignal");
        assert_eq!(d[0].reasons, ["set by the base image `node-sigint:1`"]);
        // The same change with nothing to explain it is flagged.
        assert!(!diff(&o, &r, None, None, &[])[0].explained);
    }

    #[test]
    fn runtime_config_moved_as_is_explains_nothing() {
        let o = json!({"Cmd": ["a"]});
        let r = json!({"Cmd": ["b"]});
        let d = diff(
            &o,
            &r,
            None,
            None,
            &[src("CMD", "[\"a\"]", true, false, "core/runtime-config")],
        );
        assert!(!d[0].explained);
    }
}
