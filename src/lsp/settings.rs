//! The server's settings: the client's `initializationOptions`.
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
//! `.dfsplit.yaml` (the repository settings of the bot/CI issue) does not
//! exist yet. When it does, [`Settings::for_folder`] is where a document's
//! folder settings are read and laid over these (the per-folder file wins,
//! as it does for the CLI).

use super::docs::RULES_URL;
use crate::plan::{BaseChoice, Options, UserPolicy};
use serde_json::Value;
use std::path::Path;

/// What the server plans with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Planning options, as the CLI's flags give them.
    pub options: Options,
    /// The base of the rule documentation links.
    pub rules_url: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            options: Options::default(),
            rules_url: RULES_URL.to_string(),
        }
    }
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
                    Some(Ok(b)) => s.options.base = b,
                    _ => problems.push(wrong(
                        "expected auto, slim, distroless, scratch or an image reference",
                    )),
                },
                "nonRoot" => match v {
                    Value::Bool(false) | Value::Null => s.options.user = UserPolicy::Keep,
                    Value::Bool(true) => s.options.user = UserPolicy::NonRoot(None),
                    Value::String(u) if u.is_empty() => {
                        s.options.user = UserPolicy::NonRoot(None)
                    }
                    Value::String(u) if !is_root(u) => {
                        s.options.user = UserPolicy::NonRoot(Some(u.clone()))
                    }
                    _ => problems.push(wrong(
                        "expected true, false or a non-root user (name, uid or uid:gid)",
                    )),
                },
                "cacheMounts" => match v {
                    Value::Bool(b) => s.options.cache_mounts = *b,
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

    /// The settings for a document in `folder`. Today the client's; the
    /// hook for `.dfsplit.yaml` once the repository settings exist.
    pub fn for_folder(&self, _folder: Option<&Path>) -> &Settings {
        self
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
        assert_eq!(s.options.base, BaseChoice::Distroless);
        assert_eq!(s.options.user, UserPolicy::NonRoot(Some("app".into())));
        assert!(!s.options.cache_mounts);
    }

    #[test]
    fn bad_values_are_reported_and_the_rest_is_used() {
        let (s, problems) = Settings::from_init(Some(&json!({
            "base": "", "nonRoot": "root", "cacheMounts": "no", "colour": 1, "rulesUrl": "https://x"
        })));
        assert_eq!(s.options.base, BaseChoice::Auto);
        assert_eq!(s.options.user, UserPolicy::Keep);
        assert!(s.options.cache_mounts);
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
}
