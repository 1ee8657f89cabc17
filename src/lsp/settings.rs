//! The server's settings: the client's `initializationOptions`, and per
//! document the repository's `.dfsplit.yaml` under them.
//!
//! ```json
//! {"base": "auto|slim|distroless|scratch|IMAGE", "nonRoot": false | true | "USER",
//!  "cacheMounts": true, "rulesUrl": "https://…/rules"}
//! ```
//!
//! Every key is optional. A key the server does not know, or a value of the
//! wrong kind, is reported to the user (`window/showMessage`) and the rest
//! is used; the server starts either way.
//!
//! The planning keys play the part of the CLI's flags: what the client sets
//! wins over `.dfsplit.yaml`, what it leaves out comes from the file, else
//! from the defaults. [`Settings::resolve`] lays them over a document's
//! configuration with `crate::config`'s own code (`Config::verdict`,
//! `config::Settings::under`), so a document is planned as `dfsplit rewrite`
//! plans the file on disk.

use super::docs::RULES_URL;
use crate::config::{self, Config, Verdict};
use crate::plan::{BaseChoice, Options, UserPolicy};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The client's settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// What the client set, as the CLI's flags would (unset: the
    /// repository's `.dfsplit.yaml`, else the default).
    pub client: config::Settings,
    /// The base of the rule documentation links.
    pub rules_url: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            client: config::Settings::default(),
            rules_url: RULES_URL.to_string(),
        }
    }
}

/// A folder's `.dfsplit.yaml` as last read: none, the file, or why it
/// could not be used (`FILE:LINE:COL: message`).
pub type FolderConfig = Result<Option<Config>, String>;

/// Reads the `.dfsplit.yaml` that applies to documents in `folder` (the
/// nearest one upward, not above the repository root).
pub fn read_config(folder: &Path) -> FolderConfig {
    Config::find(folder).map_err(|e| e.to_string())
}

/// What one document is planned with.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The planning options: the client's over the configuration's.
    pub options: Options,
    /// The configuration's rules overlay folder.
    pub rules: Option<PathBuf>,
    /// Why the configuration's `skip:` leaves the document alone.
    pub skip: Option<String>,
    /// The `.dfsplit.yaml` that applies.
    pub config: Option<PathBuf>,
    /// What could not be used, and what is used instead (the error names
    /// the place: `FILE:LINE:COL`).
    pub problem: Option<String>,
}

impl Settings {
    /// Settings from `initializationOptions` (absent or `null`: the
    /// defaults), with a message per key that could not be used.
    pub fn from_init(value: Option<&Value>) -> (Settings, Vec<String>) {
        let mut s = Settings::default();
        let mut problems = Vec::new();
        let obj = match value {
            None | Some(Value::Null) => return (s, problems),
            Some(Value::Object(o)) => o,
            Some(other) => {
                problems.push(format!(
                    "initializationOptions must be an object, not `{other}`: using the defaults"
                ));
                return (s, problems);
            }
        };
        // In key order, whatever order the map keeps, so the messages are stable.
        let mut entries: Vec<(&String, &Value)> = obj.iter().collect();
        entries.sort_by_key(|(k, _)| *k);
        for (key, v) in entries {
            let wrong = |what: &str| format!("initializationOptions.{key}: {what}, not `{v}`");
            match key.as_str() {
                "base" => match v.as_str().map(str::parse::<BaseChoice>) {
                    Some(Ok(b)) => s.client.base = Some(b),
                    _ => problems.push(wrong(
                        "expected auto, slim, distroless, scratch or an image reference",
                    )),
                },
                // `null` leaves the key unset, as JSON clients mean it.
                "nonRoot" => match v {
                    Value::Null => {}
                    Value::Bool(false) => s.client.user = Some(UserPolicy::Keep),
                    Value::Bool(true) => s.client.user = Some(UserPolicy::NonRoot(None)),
                    Value::String(u) if u.is_empty() => {
                        s.client.user = Some(UserPolicy::NonRoot(None))
                    }
                    Value::String(u) if !is_root(u) => {
                        s.client.user = Some(UserPolicy::NonRoot(Some(u.clone())))
                    }
                    _ => problems.push(wrong(
                        "expected true, false or a non-root user (name, uid or uid:gid)",
                    )),
                },
                "cacheMounts" => match v {
                    Value::Bool(b) => s.client.cache_mounts = Some(*b),
                    _ => problems.push(wrong("expected true or false")),
                },
                "rulesUrl" => match v {
                    Value::String(u) if !u.is_empty() => s.rules_url = u.clone(),
                    _ => problems.push(wrong("expected a URL")),
                },
                _ => problems.push(format!(
                    "initializationOptions.{key}: unknown setting (known: base, nonRoot, cacheMounts, rulesUrl)"
                )),
            }
        }
        (s, problems)
    }

    /// What the document at `path` (none for an `untitled:` buffer) is
    /// planned with, given its folder's configuration: the configuration's
    /// settings for that path (its `overrides:` applied) with the client's
    /// over them, and its rules overlay — or why `skip:` leaves it alone. A
    /// configuration that could not be read counts as none, and says so.
    pub fn resolve(&self, path: Option<&Path>, config: &FolderConfig) -> Resolved {
        let alone = |problem: Option<String>| Resolved {
            options: self.client.options(),
            rules: None,
            skip: None,
            config: None,
            problem,
        };
        let (path, c) = match (path, config) {
            (Some(path), Ok(Some(c))) => (path, c),
            (Some(_), Err(e)) => {
                return alone(Some(format!(
                    "{e} (`{}` is not used until it is fixed)",
                    config::FILE_NAME
                )));
            }
            _ => return alone(None),
        };
        match c.verdict(path) {
            Verdict::Plan(s) => Resolved {
                options: s.under(&self.client).options(),
                rules: c.rules.clone(),
                config: Some(c.path.clone()),
                ..alone(None)
            },
            Verdict::Skip(why) => Resolved {
                skip: Some(why),
                config: Some(c.path.clone()),
                ..alone(None)
            },
        }
    }
}

/// `root`, `0` or `0:…`: not a non-root user.
fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user);
    name == "root" || name.trim_start_matches('0').is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_keys_set_the_options() {
        let (s, problems) = Settings::from_init(Some(&json!({
            "base": "distroless", "nonRoot": "app", "cacheMounts": false
        })));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.client.base, Some(BaseChoice::Distroless));
        assert_eq!(s.client.user, Some(UserPolicy::NonRoot(Some("app".into()))));
        assert_eq!(s.client.cache_mounts, Some(false));
        // Left out or `null`: unset, so `.dfsplit.yaml` or the default decides.
        let (s, problems) = Settings::from_init(Some(&json!({"nonRoot": null})));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.client, config::Settings::default());
    }

    #[test]
    fn bad_values_are_reported_and_the_rest_is_used() {
        let (s, problems) = Settings::from_init(Some(&json!({
            "base": "", "nonRoot": "root", "cacheMounts": "no", "colour": 1, "rulesUrl": "https://x"
        })));
        assert_eq!(s.client, config::Settings::default());
        assert_eq!(s.rules_url, "https://x");
        assert_eq!(
            problems,
            [
                "initializationOptions.base: expected auto, slim, distroless, scratch or an image reference, not `\"\"`",
                "initializationOptions.cacheMounts: expected true or false, not `\"no\"`",
                "initializationOptions.colour: unknown setting (known: base, nonRoot, cacheMounts, rulesUrl)",
                "initializationOptions.nonRoot: expected true, false or a non-root user (name, uid or uid:gid), not `\"root\"`",
            ]
        );
        let (_, problems) = Settings::from_init(Some(&json!([1])));
        assert_eq!(
            problems,
            ["initializationOptions must be an object, not `[1]`: using the defaults"]
        );
    }

    #[test]
    fn the_client_wins_over_the_configuration_as_flags_do() {
        let c = Config::parse(
            Path::new("/repo/.dfsplit.yaml"),
            "base: slim\ncache-mounts: false\nrules: ci/rules\nskip: [legacy/]\n\
             overrides:\n  - path: [batch/**]\n    base: scratch\n",
        )
        .unwrap();
        let config: FolderConfig = Ok(Some(c));
        let doc = Some(Path::new("/repo/api/Dockerfile"));
        let (unset, _) = Settings::from_init(None);
        let r = unset.resolve(doc, &config);
        assert_eq!(r.options.base, BaseChoice::Slim);
        assert!(!r.options.cache_mounts);
        assert_eq!(r.rules, Some(PathBuf::from("/repo/ci/rules")));
        assert_eq!((r.skip, r.problem), (None, None));
        // An override for the path, under the client's.
        let r = unset.resolve(Some(Path::new("/repo/batch/Dockerfile")), &config);
        assert_eq!(r.options.base, BaseChoice::Scratch);
        let (client, _) =
            Settings::from_init(Some(&json!({"base": "distroless", "cacheMounts": true})));
        let r = client.resolve(Some(Path::new("/repo/batch/Dockerfile")), &config);
        assert_eq!(r.options.base, BaseChoice::Distroless);
        assert!(r.options.cache_mounts);
        // `skip:` and an `untitled:` buffer (no path: no configuration).
        let r = unset.resolve(Some(Path::new("/repo/legacy/Dockerfile")), &config);
        assert!(r.skip.unwrap().contains("`skip:` in /repo/.dfsplit.yaml"));
        let r = unset.resolve(None, &config);
        assert_eq!(r.options.base, BaseChoice::Auto);
        assert_eq!(r.config, None);
    }

    #[test]
    fn a_bad_configuration_counts_as_none_and_says_so() {
        let (client, _) = Settings::from_init(Some(&json!({"nonRoot": true})));
        let config: FolderConfig = Err("/repo/.dfsplit.yaml:2:1: unknown field `x`".into());
        let r = client.resolve(Some(Path::new("/repo/Dockerfile")), &config);
        assert_eq!(r.options.user, UserPolicy::NonRoot(None));
        assert_eq!(r.options.base, BaseChoice::Auto);
        assert_eq!(
            r.problem.as_deref(),
            Some(
                "/repo/.dfsplit.yaml:2:1: unknown field `x` (`.dfsplit.yaml` is not used until it is fixed)"
            )
        );
    }
}
