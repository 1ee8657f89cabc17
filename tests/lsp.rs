//! `dfsplit lsp` driven over JSON-RPC: in process through an in-memory
//! connection (`dfsplit::lsp::serve`), and once through the binary on stdio
//! for what only the transport and the process do (malformed frames, exit
//! codes). Answers are insta snapshots with the repository's path and the
//! version replaced; edits are also applied the way a client does and
//! compared with the corpus's reviewed rewrites.

use dfsplit::lsp::{self, uri};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn case(name: &str) -> PathBuf {
    root().join("corpus/cases").join(name).join("Dockerfile")
}

fn uri_of(path: &Path) -> String {
    uri::from_path(path).unwrap().as_str().to_string()
}

/// A client talking to a server thread over an in-memory connection.
struct Client {
    conn: Connection,
    server: Option<JoinHandle<bool>>,
    next_id: i32,
    /// Notifications received while waiting for a response.
    pending: Vec<Notification>,
}

impl Client {
    fn start() -> Client {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || {
            let rules = dfsplit::rules::Rules::load(None).unwrap();
            lsp::serve(&server, &rules)
        });
        Client {
            conn: client,
            server: Some(handle),
            next_id: 1,
            pending: Vec::new(),
        }
    }

    /// Started and initialized with these capabilities and options.
    fn initialized(capabilities: Value, options: Value) -> (Client, Value) {
        let mut c = Client::start();
        let r = c.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": capabilities,
                   "initializationOptions": options}),
        );
        c.notify("initialized", json!({}));
        (c, r["result"].clone())
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Notification::new(method.into(), params).into())
            .unwrap();
    }

    /// The whole response as JSON (`result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = RequestId::from(self.next_id);
        self.next_id += 1;
        self.conn
            .sender
            .send(Request::new(id.clone(), method.into(), params).into())
            .unwrap();
        loop {
            match self.conn.receiver.recv_timeout(WAIT).expect("an answer") {
                Message::Response(r) if r.id == id => return serde_json::to_value(r).unwrap(),
                Message::Notification(n) => self.pending.push(n),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    /// The next notification of `method`.
    fn notification(&mut self, method: &str) -> Value {
        if let Some(i) = self.pending.iter().position(|n| n.method == method) {
            return self.pending.remove(i).params;
        }
        loop {
            match self
                .conn
                .receiver
                .recv_timeout(WAIT)
                .expect("a notification")
            {
                Message::Notification(n) if n.method == method => return n.params,
                Message::Notification(n) => self.pending.push(n),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}),
        );
        self.notification("textDocument/publishDiagnostics")
    }

    /// `shutdown`, `exit`; whether the server saw a clean shutdown.
    fn finish(mut self) -> bool {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null);
        self.notify("exit", Value::Null);
        self.server.take().unwrap().join().unwrap()
    }
}

/// JSON with the repository's location and the version replaced.
fn redact(v: &impl serde::Serialize) -> Value {
    let text = serde_json::to_string(v).unwrap();
    let text = text
        .replace(&uri_of(&root()), "file:///REPO")
        .replace(env!("CARGO_PKG_VERSION"), "[version]");
    serde_json::from_str(&text).unwrap()
}

/// Applies LSP text edits the way a client does: lines split at `\n`,
/// characters counted in UTF-16 units (written here independently of the
/// server's conversion).
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |pos: &Value| {
        let (line, ch) = (
            pos["line"].as_u64().unwrap(),
            pos["character"].as_u64().unwrap(),
        );
        let start: usize = text
            .split_inclusive('\n')
            .take(line as usize)
            .map(str::len)
            .sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= ch || c == '\n' {
                return start + i;
            }
            units += c.len_utf16() as u64;
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| (s.0, s.1));
    let mut out = String::new();
    let mut at = 0;
    for (s, e, t) in spans {
        out.push_str(&text[at..s]);
        out.push_str(t);
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

fn code_actions(c: &mut Client, uri: &str, context: Value) -> Value {
    c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
               "context": context}),
    )
}

#[test]
fn initialize_answers_capabilities() {
    let (c, result) = Client::initialized(json!({}), Value::Null);
    insta::assert_json_snapshot!(redact(&result));
    assert!(c.finish());
}

#[test]
fn bad_initialization_options_are_shown_and_the_server_starts() {
    let (mut c, _) = Client::initialized(json!({}), json!({"base": 3, "nonRoot": true, "x": 1}));
    insta::assert_json_snapshot!(c.notification("window/showMessage"));
    assert!(c.finish());
}

#[test]
fn diagnostics_follow_open_incremental_and_full_changes_and_close() {
    let (mut c, _) = Client::initialized(json!({}), Value::Null);
    let path = case("09-go-static");
    let uri = uri_of(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    let opened = c.open(&uri, &text);
    // An untagged base: the reason dfsplit leaves the file, as a hint on the FROM.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 12}, "end": {"line": 0, "character": 16}}, "text": ""}
        ]}),
    );
    let untagged = c.notification("textDocument/publishDiagnostics");
    // Two changes in one notification: the tag back, then a bad LABEL after a
    // non-ASCII character on a new line 2.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 12}, "end": {"line": 0, "character": 12}}, "text": ":1.23"},
            {"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}, "text": "LABEL a=\"🐳\" b\n"}
        ]}),
    );
    let syntax_error = c.notification("textDocument/publishDiagnostics");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": text}]}),
    );
    let full = c.notification("textDocument/publishDiagnostics");
    assert_eq!(
        full["diagnostics"], opened["diagnostics"],
        "full sync restores the first analysis"
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let closed = c.notification("textDocument/publishDiagnostics");
    insta::assert_json_snapshot!(redact(&json!({
        "opened": opened, "untagged": untagged, "syntax_error": syntax_error, "closed": closed
    })));
    assert!(c.finish());
}

#[test]
fn saving_reads_the_build_context_again() {
    let (mut c, _) = Client::initialized(json!({}), Value::Null);
    let dir = tempdir("save");
    let src = root().join("corpus/cases/09-go-static");
    for f in ["Dockerfile", "go.mod", "go.sum"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    std::fs::create_dir_all(dir.join("cmd/inventory")).unwrap();
    let main_go = dir.join("cmd/inventory/main.go");
    std::fs::copy(src.join("cmd/inventory/main.go"), &main_go).unwrap();
    let uri = uri_of(&dir.join("Dockerfile"));
    let before = c.open(
        &uri,
        &std::fs::read_to_string(dir.join("Dockerfile")).unwrap(),
    );
    // A source now imports "C": the context the analysis reads changes on disk.
    let mut go = std::fs::read_to_string(&main_go).unwrap();
    go.push_str("\nimport \"C\"\n");
    std::fs::write(&main_go, go).unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    let after = c.notification("textDocument/publishDiagnostics");
    let codes = |d: &Value| -> Vec<Value> {
        d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| json!([d["code"], d["severity"], d["message"]]))
            .collect()
    };
    insta::assert_json_snapshot!(json!({"before": codes(&before), "after_save": codes(&after)}));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(c.finish());
}

#[test]
fn a_gate_is_a_hint_on_the_line_it_concerns() {
    let (mut c, _) = Client::initialized(json!({}), Value::Null);
    let path = case("34-gate-npm-run-dev");
    let d = c.open(&uri_of(&path), &std::fs::read_to_string(&path).unwrap());
    insta::assert_json_snapshot!(redact(&d));
    let actions = code_actions(&mut c, &uri_of(&path), json!({"diagnostics": []}));
    assert_eq!(
        actions["result"],
        json!([]),
        "nothing to offer on an unchanged file"
    );
    assert!(c.finish());
}

#[test]
fn code_action_splits_the_file_as_the_corpus_rewrite() {
    let (mut c, _) = Client::initialized(json!({}), Value::Null);
    let path = case("09-go-static");
    let uri = uri_of(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    c.open(&uri, &text);
    let r = code_actions(&mut c, &uri, json!({"diagnostics": []}));
    let actions = r["result"].clone();
    insta::assert_json_snapshot!(redact(&actions));
    let expected = std::fs::read_to_string(path.with_file_name("expected.Dockerfile")).unwrap();
    let main = &actions[0];
    assert_eq!(main["title"], lsp::SPLIT_TITLE);
    let edits = main["edit"]["changes"][&uri].as_array().unwrap();
    assert_eq!(apply(&text, edits), expected);
    assert!(c.finish());
}

#[test]
fn code_action_kinds_quickfix_fix_all_and_versioned_edits() {
    let caps = json!({"workspace": {"workspaceEdit": {"documentChanges": true}}});
    let (mut c, _) = Client::initialized(caps, Value::Null);
    let path = case("01-node-npm-ci");
    let uri = uri_of(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    let published = c.open(&uri, &text);
    let split = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "core/split")
        .cloned()
        .expect("a core/split diagnostic");
    let fix_all = code_actions(
        &mut c,
        &uri,
        json!({"diagnostics": [split], "only": ["source.fixAll"]}),
    );
    let source = code_actions(
        &mut c,
        &uri,
        json!({"diagnostics": [split], "only": ["source"]}),
    );
    assert_eq!(
        (&fix_all["result"], &source["result"]),
        (&json!([]), &json!([]))
    );
    let on_diagnostic =
        code_actions(&mut c, &uri, json!({"diagnostics": [split]}))["result"].clone();
    let refactor_only = code_actions(
        &mut c,
        &uri,
        json!({"diagnostics": [split], "only": ["refactor"]}),
    )["result"]
        .clone();
    let summary = |actions: &Value| -> Vec<Value> {
        actions
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                json!({"title": a["title"], "kind": a["kind"], "isPreferred": a["isPreferred"],
                            "diagnostics": a["diagnostics"].as_array().map(Vec::len),
                            "version": a["edit"]["documentChanges"][0]["textDocument"]["version"]})
            })
            .collect()
    };
    insta::assert_json_snapshot!(json!({"on_diagnostic": summary(&on_diagnostic),
                                        "refactor_only": summary(&refactor_only)}));
    // Every action is a different text, and each applies to the one the CLI gives for its base.
    let rules = dfsplit::rules::Rules::load(None).unwrap();
    let ctx = dfsplit::host::context::collect(path.parent().unwrap(), None).unwrap();
    let mut outputs = Vec::new();
    for a in on_diagnostic.as_array().unwrap() {
        let edits = a["edit"]["documentChanges"][0]["edits"].as_array().unwrap();
        outputs.push(apply(&text, edits));
    }
    let main = dfsplit::analyze(&text, Some(&ctx), &rules, &Default::default());
    assert_eq!(outputs[0], main.output);
    outputs.dedup();
    assert_eq!(outputs.len(), on_diagnostic.as_array().unwrap().len());
    assert!(c.finish());
}

#[test]
fn initialization_options_steer_the_rewrite() {
    let (mut c, _) = Client::initialized(
        json!({}),
        json!({"base": "slim", "cacheMounts": false, "rulesUrl": "https://example.invalid/rules/"}),
    );
    let path = case("01-node-npm-ci");
    let uri = uri_of(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    let published = c.open(&uri, &text);
    let actions = code_actions(&mut c, &uri, json!({"diagnostics": []}))["result"].clone();
    let rules = dfsplit::rules::Rules::load(None).unwrap();
    let ctx = dfsplit::host::context::collect(path.parent().unwrap(), None).unwrap();
    let opts = dfsplit::plan::Options {
        base: dfsplit::plan::BaseChoice::Slim,
        cache_mounts: false,
        ..Default::default()
    };
    let cli = dfsplit::analyze(&text, Some(&ctx), &rules, &opts);
    assert_eq!(actions[0]["title"], lsp::SPLIT_TITLE);
    let edits = actions[0]["edit"]["changes"][&uri].as_array().unwrap();
    assert_eq!(apply(&text, edits), cli.output);
    let titles: Vec<&Value> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["title"])
        .collect();
    insta::assert_json_snapshot!(redact(
        &json!({"diagnostics": published["diagnostics"], "titles": titles})
    ));
    assert!(c.finish());
}

/// The `base` setting reaches the same check as `--base`: an image the
/// catalogue knows for another kind of app, or does not know, leaves the
/// document as it is, with the reason as a hint on the FROM (its rule
/// linked to its page) and no split onto it (corpus case 165).
#[test]
fn a_base_setting_nothing_shows_fit_is_a_hint_and_no_split() {
    let path = case("165-node-base-distroless-static");
    let uri = uri_of(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    for (base, rule) in [
        (
            "gcr.io/distroless/static-debian12",
            "core/base-incompatible",
        ),
        ("myregistry/node:20", "core/base-unknown"),
    ] {
        let (mut c, _) = Client::initialized(json!({}), json!({ "base": base }));
        let published = c.open(&uri, &text);
        let found: Vec<&Value> = published["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == rule)
            .collect();
        assert_eq!(found.len(), 1, "{base}: {published}");
        let d = found[0];
        assert_eq!(d["severity"], 4, "a hint: {d}");
        assert_eq!(d["range"]["start"]["line"], 1, "on the FROM: {d}");
        let message = d["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&format!("--base {base}: ")),
            "{message}"
        );
        let anchor = rule.replace('/', "");
        assert!(
            d["codeDescription"]["href"]
                .as_str()
                .is_some_and(|h| h.ends_with(&format!("rules/core.md#{anchor}"))),
            "{d}"
        );
        // No split onto the named image; the other kinds of base the
        // catalogue shows fit are still offered, each named.
        let actions = code_actions(&mut c, &uri, json!({"diagnostics": []}))["result"].clone();
        for a in actions.as_array().unwrap() {
            assert_ne!(a["title"], lsp::SPLIT_TITLE, "{base}: {a}");
            assert!(!a.to_string().contains(base), "{base}: {a}");
        }
        assert!(c.finish());
    }
}

#[test]
fn hover_tells_the_stage_rule_and_reason() {
    let (mut c, _) = Client::initialized(json!({}), Value::Null);
    let path = case("09-go-static");
    let uri = uri_of(&path);
    c.open(&uri, &std::fs::read_to_string(&path).unwrap());
    let mut hover = |line: u32, character: u32| {
        c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )["result"].clone()
    };
    // FROM, a RUN's command, the ENTRYPOINT, and a comment line (no hover).
    let answers = json!({
        "from": hover(0, 3), "go_build": hover(11, 8), "entrypoint": hover(15, 0), "comment": hover(4, 2)
    });
    insta::assert_json_snapshot!(answers);
    assert!(c.finish());
}

/// A step a placement pragma placed: hover gives the decision the
/// explanation gives, with the pragma's rule and line (corpus case 110).
#[test]
fn hover_on_a_step_a_pragma_placed_names_the_pragma() {
    let (mut c, _) = Client::initialized(json!({}), Value::Null);
    let path = case("110-pragma-runtime-apt-git");
    let uri = uri_of(&path);
    c.open(&uri, &std::fs::read_to_string(&path).unwrap());
    // Line 9 (0-based 8): `RUN apt-get update \`, under `# dfsplit: runtime` on line 7.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 8, "character": 1}}),
    )["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(hover.contains("core/pragma-placement"), "{hover}");
    assert!(
        hover.contains("`# dfsplit: runtime` (line 7): the user placed it in the runtime"),
        "{hover}"
    );
    assert!(c.finish());
}

#[test]
fn utf16_ranges_on_non_ascii_lines() {
    let (mut c, _) = Client::initialized(json!({}), Value::Null);
    let dir = tempdir("utf16");
    std::fs::write(dir.join("go.mod"), "module example.com/x\n\ngo 1.23\n").unwrap();
    std::fs::write(dir.join("main.go"), "package main\n\nfunc main() {}\n").unwrap();
    let text = "# é → 🐳\nFROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN echo \"🐳 é\" && go build -o /app .\nCMD [\"/app\"]\n";
    let path = dir.join("Dockerfile");
    std::fs::write(&path, text).unwrap();
    let uri = uri_of(&path);
    c.open(&uri, text);
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 20}}),
    )["result"]
        .clone();
    let actions = code_actions(&mut c, &uri, json!({"diagnostics": []}))["result"].clone();
    let edits = actions[0]["edit"]["changes"][&uri]
        .as_array()
        .unwrap()
        .clone();
    let rules = dfsplit::rules::Rules::load(None).unwrap();
    let ctx = dfsplit::host::context::collect(&dir, None).unwrap();
    let cli = dfsplit::analyze(text, Some(&ctx), &rules, &Default::default());
    assert_eq!(apply(text, &edits), cli.output);
    // A parse error after an astral character: its column counts 2 units for 🐳.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}}, "text": "LABEL a=\"🐳\" b\n"}
        ]}),
    );
    let error = c.notification("textDocument/publishDiagnostics");
    insta::assert_json_snapshot!(json!({"hover_range": hover["range"], "edits": edits,
                                        "error": error["diagnostics"]}));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(c.finish());
}

/// A document over the size limit: one error on the document with its rule
/// (linked to its page) and no code action; back under the limit it is
/// analysed as usual.
#[test]
fn a_document_over_the_size_limit_gets_one_error_and_no_action() {
    let (mut c, _) = Client::initialized(json!({}), Value::Null);
    let path = case("09-go-static");
    let uri = uri_of(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    let padding = "#".repeat(999) + "\n";
    let mut big = text.clone();
    while big.len() <= dfsplit::syntax::MAX_INPUT_BYTES {
        big.push_str(&padding);
    }
    let d = c.open(&uri, &big);
    let diagnostics = d["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{d}");
    let e = &diagnostics[0];
    assert_eq!(e["code"], "core/input-too-large");
    assert_eq!(e["severity"], 1);
    assert_eq!(
        e["range"],
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}})
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("dfsplit reads Dockerfiles up to 1,048,576 bytes"),
        "{e}"
    );
    assert!(
        e["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .contains("core.md"),
        "{e}"
    );
    let actions = code_actions(&mut c, &uri, json!({"diagnostics": []}));
    assert_eq!(actions["result"], json!([]));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let small = c.notification("textDocument/publishDiagnostics");
    assert!(
        small["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "core/split"),
        "{small}"
    );
    assert!(c.finish());
}

#[test]
fn bad_input_gets_error_answers_and_the_server_goes_on() {
    let mut c = Client::start();
    let early = c.request("textDocument/hover", json!({}));
    let init = c.request("initialize", json!({"capabilities": {}}));
    assert!(init.get("result").is_some(), "{init:?}");
    let again = c.request("initialize", json!({"capabilities": {}}));
    let unknown_doc = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nowhere/Dockerfile"}, "position": {"line": 0, "character": 0}}),
    );
    let unknown_action = code_actions(
        &mut c,
        "file:///nowhere/Dockerfile",
        json!({"diagnostics": []}),
    );
    let bad_params = c.request("textDocument/hover", json!({"textDocument": 7}));
    let unknown_method = c.request("textDocument/formatting", json!({}));
    // Notifications with bad parameters, for unknown documents, and cancellations are ignored.
    c.notify("textDocument/didOpen", json!({"textDocument": "x"}));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nowhere/Dockerfile", "version": 2}, "contentChanges": [{"text": "FROM x"}]}),
    );
    c.notify("$/cancelRequest", json!({"id": 99}));
    // A document that is not a Dockerfile at all, and positions past its end.
    let uri = "untitled:Untitled-1";
    let odd = c.open(uri, "\u{feff}\u{0}\r\r\nFROM\t🐳 AS\n\\\n");
    let far = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 999, "character": 999}}),
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 50, "character": 3}, "end": {"line": 0, "character": 1}}, "text": "x"}
        ]}),
    );
    let after_far_change = c.notification("textDocument/publishDiagnostics");
    let shutdown = c.request("shutdown", Value::Null);
    let after_shutdown = c.request("textDocument/hover", json!({}));
    insta::assert_json_snapshot!(json!({
        "before_initialize": early, "initialize_again": again, "unknown_document": unknown_doc,
        "unknown_document_action": unknown_action, "bad_params": bad_params,
        "unknown_method": unknown_method, "odd_text": odd, "far_hover": far,
        "after_far_change": after_far_change, "shutdown": shutdown, "after_shutdown": after_shutdown,
    }));
    c.notify("exit", Value::Null);
    assert!(
        c.server.take().unwrap().join().unwrap(),
        "exit after shutdown is clean"
    );
}

#[test]
fn exit_without_shutdown_is_not_clean() {
    let (c, _) = Client::initialized(json!({}), Value::Null);
    c.notify("exit", Value::Null);
    let mut c = c;
    assert!(!c.server.take().unwrap().join().unwrap());
}

/// A fresh folder under the temporary directory.
fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dfsplit-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One framed message.
fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Reads framed messages from the server's stdout.
fn read_messages(out: impl Read) -> Vec<Value> {
    let mut r = BufReader::new(out);
    let mut messages = Vec::new();
    loop {
        let mut len = None;
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap() == 0 {
                return messages;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                len = Some(n.parse::<usize>().unwrap());
            }
        }
        let mut body = vec![0; len.unwrap()];
        r.read_exact(&mut body).unwrap();
        messages.push(serde_json::from_slice(&body).unwrap());
    }
}

/// The binary on stdio: a malformed frame is skipped, and the exit code
/// says whether `shutdown` came before `exit`.
#[test]
fn stdio_skips_malformed_frames_and_exits_per_spec() {
    for clean in [true, false] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dfsplit"))
            .args(["lsp", "--stdio"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = Vec::new();
        input.extend(frame("{not json"));
        input.extend(frame(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
        ));
        input.extend(frame(
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ));
        if clean {
            input.extend(frame(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#));
        }
        input.extend(frame(r#"{"jsonrpc":"2.0","method":"exit"}"#));
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            // The server may exit before reading everything: its choice.
            let _ = stdin.write_all(&input);
        });
        let stdout = child.stdout.take().unwrap();
        let messages = read_messages(stdout);
        let status = child.wait().unwrap();
        writer.join().unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let ids: Vec<Value> = messages.iter().map(|m| m["id"].clone()).collect();
        assert_eq!(
            ids,
            if clean {
                vec![json!(1), json!(2)]
            } else {
                vec![json!(1)]
            }
        );
        assert!(
            stderr.contains("skipped a message that is not JSON-RPC"),
            "{stderr}"
        );
        assert_eq!(status.code(), Some(if clean { 0 } else { 1 }), "{stderr}");
    }
}

// `.dfsplit.yaml`: each document is planned as `dfsplit rewrite` plans the
// file on disk, with the client's settings in the place of its flags.

/// A repository in a fresh folder (`.git` bounds the search for
/// `.dfsplit.yaml`) with corpus case 04 in `svc/`: a Node app that gets a
/// distroless runtime by default, `node:20-slim` on slim, and an npm cache
/// mount. Returns the repository and its Dockerfile.
fn node_repo(name: &str) -> (PathBuf, PathBuf) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("expected") || name.starts_with("explain") || name == "case.toml" {
                continue;
            }
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &to.join(&name));
            } else {
                std::fs::copy(e.path(), to.join(&name)).unwrap();
            }
        }
    }
    let repo = tempdir(name);
    std::fs::create_dir(repo.join(".git")).unwrap();
    copy(
        &root().join("corpus/cases/04-node-typescript"),
        &repo.join("svc"),
    );
    let file = repo.join("svc/Dockerfile");
    (repo, file)
}

/// What `dfsplit rewrite FILE ARGS…` prints (it reads the file's `.dfsplit.yaml`).
fn cli_rewrite(file: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dfsplit"))
        .arg("rewrite")
        .arg(file)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The code actions offered on a document: each one's title, and the text
/// its edits give (applied as a client does).
fn actions_applied(c: &mut Client, uri: &str, text: &str) -> Vec<(String, String)> {
    let r = code_actions(c, uri, json!({"diagnostics": []}));
    r["result"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .map(|a| {
            let edits = a["edit"]["changes"][uri].as_array().unwrap();
            (a["title"].as_str().unwrap().to_string(), apply(text, edits))
        })
        .collect()
}

/// The runtime stage's FROM line, and whether a cache mount was added.
fn shape(text: &str) -> Value {
    json!({
        "runtime": text.lines().find(|l| l.ends_with(" AS runtime")),
        "cache_mount": text.contains("--mount=type=cache"),
    })
}

/// Titles and shapes of the code actions.
fn summary(actions: &[(String, String)]) -> Value {
    actions
        .iter()
        .map(|(title, text)| json!({"title": title, "gives": shape(text)}))
        .collect()
}

/// `[code, severity, message]` of each published diagnostic, the temporary
/// folder's path replaced.
fn diagnostics(published: &Value, dir: &Path) -> Value {
    let list: Vec<Value> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            json!([
                d["code"],
                d["severity"],
                d["range"]["start"]["line"],
                d["message"]
            ])
        })
        .collect();
    in_tmp(&json!(list), dir)
}

/// JSON with the temporary folder's path as `[tmp]`.
fn in_tmp(v: &Value, dir: &Path) -> Value {
    let text = serde_json::to_string(v)
        .unwrap()
        .replace(dir.to_str().unwrap(), "[tmp]");
    serde_json::from_str(&text).unwrap()
}

fn save(c: &Client, uri: &str) {
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
}

#[test]
fn dfsplit_yaml_sets_the_base_of_the_code_action_as_for_rewrite() {
    let (mut c, _) = Client::initialized(json!({}), Value::Null);
    let (repo, file) = node_repo("config-base");
    let uri = uri_of(&file);
    let text = std::fs::read_to_string(&file).unwrap();
    let opened = c.open(&uri, &text);
    let without = actions_applied(&mut c, &uri, &text);
    // The file appears; saving the Dockerfile reads it.
    std::fs::write(repo.join(".dfsplit.yaml"), "base: slim\n").unwrap();
    save(&c, &uri);
    let saved = c.notification("textDocument/publishDiagnostics");
    let with = actions_applied(&mut c, &uri, &text);
    assert_eq!(without[0].1, cli_rewrite(&file, &["--no-config"]));
    assert_eq!(with[0].1, cli_rewrite(&file, &[]), "as `dfsplit rewrite`");
    assert_ne!(with[0].1, without[0].1);
    insta::assert_json_snapshot!(json!({
        "no_config": {"diagnostics": diagnostics(&opened, &repo), "actions": summary(&without)},
        "base_slim": {"diagnostics": diagnostics(&saved, &repo), "actions": summary(&with)},
    }));
    let _ = std::fs::remove_dir_all(&repo);
    assert!(c.finish());
}

#[test]
fn a_skipped_document_gets_no_split_but_its_errors() {
    let (mut c, _) = Client::initialized(json!({}), Value::Null);
    let (repo, file) = node_repo("config-skip");
    std::fs::write(repo.join(".dfsplit.yaml"), "skip: [svc/]\n").unwrap();
    let uri = uri_of(&file);
    let text = std::fs::read_to_string(&file).unwrap();
    let opened = c.open(&uri, &text);
    let actions = code_actions(&mut c, &uri, json!({"diagnostics": []}));
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}}),
    );
    // What `docker build` would reject is still shown.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}, "text": "FOO bar\n"}
        ]}),
    );
    let broken = c.notification("textDocument/publishDiagnostics");
    assert_eq!(actions["result"], json!([]));
    insta::assert_json_snapshot!(in_tmp(
        &json!({
            "opened": diagnostics(&opened, &repo),
            "hover": hover["result"],
            "with_an_unknown_instruction": diagnostics(&broken, &repo),
        }),
        &repo
    ));
    let _ = std::fs::remove_dir_all(&repo);
    assert!(c.finish());
}

#[test]
fn a_bad_dfsplit_yaml_is_shown_and_the_server_plans_without_it() {
    let (mut c, _) = Client::initialized(json!({}), Value::Null);
    let (repo, file) = node_repo("config-bad");
    let config = repo.join(".dfsplit.yaml");
    std::fs::write(&config, "base: slim\nnonroot: true\n").unwrap();
    let uri = uri_of(&file);
    let text = std::fs::read_to_string(&file).unwrap();
    let opened = c.open(&uri, &text);
    let message = c.notification("window/showMessage");
    // Planned with the defaults; every request is still answered.
    let actions = actions_applied(&mut c, &uri, &text);
    assert_eq!(actions[0].1, cli_rewrite(&file, &["--no-config"]));
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}}),
    );
    assert!(
        hover["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("dependencies")
    );
    // An edit does not show the message again.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "# edited\n"}
        ]}),
    );
    c.notification("textDocument/publishDiagnostics");
    c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert!(
        c.pending.iter().all(|n| n.method != "window/showMessage"),
        "{:?}",
        c.pending
    );
    // The command line refuses the same file, at the same place.
    let cli = Command::new(env!("CARGO_BIN_EXE_dfsplit"))
        .arg("rewrite")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(2));
    let cli_error = String::from_utf8_lossy(&cli.stderr).into_owned();
    assert!(
        message["message"]
            .as_str()
            .unwrap()
            .contains(cli_error.trim().trim_start_matches("dfsplit: ")),
        "{cli_error} / {message}"
    );
    // Fixed and saved in the editor: read again, and used.
    std::fs::write(&config, "base: slim\n").unwrap();
    save(&c, &uri_of(&config));
    let fixed = c.notification("textDocument/publishDiagnostics");
    insta::assert_json_snapshot!(in_tmp(
        &json!({
            "message": message,
            "opened": diagnostics(&opened, &repo),
            "actions": summary(&actions),
            "fixed": diagnostics(&fixed, &repo),
        }),
        &repo
    ));
    let _ = std::fs::remove_dir_all(&repo);
    assert!(c.finish());
}

#[test]
fn initialization_options_win_over_dfsplit_yaml_as_flags_do() {
    let (repo, file) = node_repo("config-precedence");
    std::fs::write(
        repo.join(".dfsplit.yaml"),
        "base: slim\ncache-mounts: false\n",
    )
    .unwrap();
    let uri = uri_of(&file);
    let text = std::fs::read_to_string(&file).unwrap();
    let mut seen = serde_json::Map::new();
    for options in [
        Value::Null,
        json!({"base": "distroless"}),
        json!({"cacheMounts": true}),
    ] {
        let (mut c, _) = Client::initialized(json!({}), options.clone());
        c.open(&uri, &text);
        let actions = actions_applied(&mut c, &uri, &text);
        seen.insert(options.to_string(), summary(&actions));
        // What the command line gives with the same values as flags, where it has one.
        let flags: &[&str] = match options["base"].as_str() {
            Some(_) => &["--base", "distroless"],
            None => &[],
        };
        if options.get("cacheMounts").is_none() {
            assert_eq!(actions[0].1, cli_rewrite(&file, flags), "{options}");
        }
        assert!(c.finish());
    }
    insta::assert_json_snapshot!(Value::Object(seen));
    let _ = std::fs::remove_dir_all(&repo);
}

#[test]
fn dfsplit_yaml_changes_on_disk_are_watched_when_the_client_can() {
    let caps = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    let (mut c, _) = Client::initialized(caps, Value::Null);
    // After `initialized`, the server asks to be told about `.dfsplit.yaml` changes.
    let register = match c.conn.receiver.recv_timeout(WAIT).expect("a request") {
        Message::Request(r) => r,
        other => panic!("unexpected {other:?}"),
    };
    c.conn
        .sender
        .send(lsp_server::Response::new_ok(register.id.clone(), Value::Null).into())
        .unwrap();
    let (repo, file) = node_repo("config-watch");
    let uri = uri_of(&file);
    let text = std::fs::read_to_string(&file).unwrap();
    let config = repo.join(".dfsplit.yaml");
    let opened = c.open(&uri, &text);
    let mut changed = |kind: u32| {
        c.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": uri_of(&config), "type": kind}]}),
        );
        c.notification("textDocument/publishDiagnostics")
    };
    std::fs::write(&config, "base: slim\n").unwrap();
    let created = changed(1);
    std::fs::write(&config, "skip: ['**/Dockerfile']\n").unwrap();
    let skipping = changed(2);
    std::fs::remove_file(&config).unwrap();
    let deleted = changed(3);
    assert_eq!(deleted["diagnostics"], opened["diagnostics"]);
    insta::assert_json_snapshot!(json!({
        "register": {"method": register.method, "params": register.params},
        "created": diagnostics(&created, &repo),
        "skipping": diagnostics(&skipping, &repo),
    }));
    let _ = std::fs::remove_dir_all(&repo);
    assert!(c.finish());
}

#[test]
fn a_rules_overlay_is_loaded_once_and_again_after_a_save() {
    let (mut c, _) = Client::initialized(json!({}), Value::Null);
    let (repo, file) = node_repo("config-rules");
    // An overlay that disables the distroless Node image (copied from the
    // built-in catalogue with `disabled:` added): the runtime becomes slim.
    let bases = std::fs::read_to_string(root().join("rules/bases.yaml")).unwrap();
    let lines: Vec<&str> = bases.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == "- id: node/distroless")
        .unwrap();
    let end = lines
        .iter()
        .position(|l| l.trim() == "- id: node/slim")
        .unwrap();
    let overlay = repo.join("ci/rules");
    std::fs::create_dir_all(&overlay).unwrap();
    std::fs::write(
        overlay.join("bases.yaml"),
        format!(
            "families:\n  - id: node\n    candidates:\n{}\n        disabled: not in our registry\n",
            lines[start..end].join("\n")
        ),
    )
    .unwrap();
    std::fs::write(repo.join(".dfsplit.yaml"), "rules: ci/rules\n").unwrap();
    let uri = uri_of(&file);
    let text = std::fs::read_to_string(&file).unwrap();
    let opened = c.open(&uri, &text);
    let actions = actions_applied(&mut c, &uri, &text);
    assert_eq!(
        actions[0].1,
        cli_rewrite(&file, &[]),
        "as `dfsplit rewrite`"
    );
    // The overlay breaks on disk: the loaded one is kept while typing…
    std::fs::write(
        overlay.join("bases.yaml"),
        "families:\n  - id: node\n    candidates:\n      - id: node/distroless\n        image: x\n",
    )
    .unwrap();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "# edited\n"}
        ]}),
    );
    let typed = c.notification("textDocument/publishDiagnostics");
    assert_eq!(
        diagnostics(&typed, &repo)[0][3],
        diagnostics(&opened, &repo)[0][3],
        "still on the overlay's base"
    );
    // …and read again on save: its error is shown, and the built-in rules used.
    save(&c, &uri);
    let message = c.notification("window/showMessage");
    let saved = c.notification("textDocument/publishDiagnostics");
    insta::assert_json_snapshot!(in_tmp(
        &json!({
            "opened": diagnostics(&opened, &repo),
            "actions": summary(&actions),
            "message": message,
            "saved": diagnostics(&saved, &repo),
        }),
        &repo
    ));
    let _ = std::fs::remove_dir_all(&repo);
    assert!(c.finish());
}

/// A Dockerfile with its own ignore file (`<Dockerfile>.dockerignore`,
/// which BuildKit reads instead of the folder's `.dockerignore`) is planned
/// on the context that file gives, as `dfsplit rewrite` plans it: here the
/// folder's ignore file hides the Go sources and the Dockerfile's own does
/// not, so the scratch runtime gets the CA bundle its `net/http` needs.
#[test]
fn a_dockerfile_with_its_own_ignore_file_is_planned_on_its_context() {
    let (mut c, _) = Client::initialized(json!({}), Value::Null);
    let dir = tempdir("own-ignore");
    let case =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/cases/192-go-dockerignore-allow-list");
    std::fs::create_dir_all(dir.join("cmd/server")).unwrap();
    for f in ["go.mod", "cmd/server/main.go"] {
        std::fs::copy(case.join(f), dir.join(f)).unwrap();
    }
    std::fs::write(dir.join(".dockerignore"), "cmd\n").unwrap();
    std::fs::write(dir.join("Dockerfile.x.dockerignore"), "README.md\n").unwrap();
    std::fs::write(dir.join(".dfsplit.yaml"), "base: scratch\n").unwrap();
    let text = std::fs::read_to_string(case.join("Dockerfile")).unwrap();
    let path = dir.join("Dockerfile.x");
    std::fs::write(&path, &text).unwrap();
    let uri = uri_of(&path);
    c.open(&uri, &text);
    let actions = actions_applied(&mut c, &uri, &text);
    assert_eq!(
        actions[0].1,
        cli_rewrite(&path, &[]),
        "as `dfsplit rewrite`"
    );
    assert!(
        actions[0].1.contains("ca-certificates.crt"),
        "{}",
        actions[0].1
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(c.finish());
}
