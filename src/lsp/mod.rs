//! `dfsplit lsp`: a language server on stdio. The only module that knows LSP
//! types; it reads [`crate::analyze`]'s plain data and answers with:
//!
//! - **diagnostics** on open, on every change (full or incremental sync) and
//!   on save: the analysis's diagnostics (parse errors, the reason a file
//!   stays unchanged as a hint, the rewrite's warnings, and `core/split` as
//!   an information on the final FROM), each with its rule id as `code` and
//!   a link to the rule's page as `codeDescription`;
//! - the **code action** "Split into multi-stage build (dfsplit)": kind
//!   `refactor.rewrite`, or `quickfix` when asked for on the `core/split`
//!   diagnostic; never `isPreferred` and never a `source.fixAll` (it
//!   rewrites the file, so it is chosen on purpose). Its edit is the
//!   analysis's minimal edits. Other bases (slim, distroless) are separate
//!   actions when their rewrite differs;
//! - **hover** on an instruction: the stage it goes to, the rule and why
//!   (and the command's role inside a RUN).
//!
//! One thread, one message at a time; rules are loaded once per process,
//! and a rules overlay once per overlay folder (again after a save).
//! The build context is the document's folder on disk, read on open and on
//! save (and again for a code action when older than [`CONTEXT_TTL`]); the
//! text analysed is the editor's buffer.
//!
//! The `.dfsplit.yaml` that applies (found upward from the folder, as for
//! `dfsplit rewrite`) is read with the context, and again whenever a
//! `.dfsplit.yaml` is saved in the editor or changes on disk
//! (`workspace/didChangeWatchedFiles`, registered when the client can); the
//! client's settings win over it as flags do. A document its `skip:` matches
//! gets no split diagnostic, action or hover; a configuration or overlay that
//! cannot be used is shown (a message, and a warning on the document's first
//! line) and planning goes on without it.
//!
//! Robustness: a panic while handling a message becomes an error response
//! (or a log line) and the server goes on; a request for a document that is
//! not open is an `InvalidParams` error; `shutdown` and `exit` follow the
//! specification (exit code 0 after shutdown, 1 without); `$/cancelRequest`
//! is accepted (requests are answered in order, so by the time a
//! cancellation is read its request has been answered).

pub mod docs;
pub mod position;
pub mod settings;
pub mod stdio;
pub mod uri;

use crate::analysis::{self, Analysis, Severity};
use crate::config;
use crate::model::Context;
use crate::plan::{BaseChoice, Options, Outcome, Placement};
use crate::rules::Rules;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lt;
use lsp_types::notification::Notification as _;
use position::LineIndex;
use serde_json::Value;
use settings::{FolderConfig, Resolved, Settings};
use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// How old a folder's build context may be when a code action is asked for
/// before it is read again (a manifest may have been edited and saved).
pub const CONTEXT_TTL: Duration = Duration::from_secs(2);

/// The title of the main code action.
pub const SPLIT_TITLE: &str = "Split into multi-stage build (dfsplit)";

/// The rule id of the warning that a `.dfsplit.yaml` or its rules overlay
/// cannot be used (documented in `rules/core.md`).
pub const CONFIG_RULE: &str = "core/config";

/// The id of the server's `client/registerCapability` request for
/// `.dfsplit.yaml` changes.
const WATCH_REGISTRATION: &str = "dfsplit/watch-config";

/// Runs the server on stdin/stdout until `exit` or the end of stdin.
/// Returns whether the client shut it down first (exit code 0, else 1).
pub fn run_stdio() -> bool {
    let rules = match Rules::load(None) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("dfsplit lsp: cannot load the rules: {e}");
            return false;
        }
    };
    let (conn, threads) = stdio::connection();
    let clean = serve(&conn, &rules);
    drop(conn);
    threads.join();
    clean
}

/// Serves one client on `conn` until `exit` (or until the client hangs up).
/// Returns whether `shutdown` came before.
pub fn serve(conn: &Connection, rules: &Rules) -> bool {
    let mut server = Server::new(rules, conn.sender.clone());
    for msg in &conn.receiver {
        if let Message::Notification(n) = &msg
            && n.method == lt::notification::Exit::METHOD
        {
            return server.state == State::ShutDown;
        }
        let id = match &msg {
            Message::Request(r) => Some(r.id.clone()),
            _ => None,
        };
        let method = match &msg {
            Message::Request(r) => r.method.clone(),
            Message::Notification(n) => n.method.clone(),
            Message::Response(_) => String::new(),
        };
        if std::panic::catch_unwind(AssertUnwindSafe(|| server.handle(msg))).is_err() {
            eprintln!(
                "dfsplit lsp: internal error while handling `{method}` (a bug: please report it)"
            );
            if let Some(id) = id {
                server.send(Response::new_err(
                    id,
                    ErrorCode::InternalError as i32,
                    format!("dfsplit: internal error while handling `{method}`"),
                ));
            }
        }
    }
    false
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before `initialize`.
    Starting,
    Running,
    /// After `shutdown`: only `exit` is expected.
    ShutDown,
}

/// An open document.
struct Document {
    version: i32,
    text: String,
    lines: LineIndex,
    /// Its path on disk (`file:` documents only).
    path: Option<PathBuf>,
    /// Its folder on disk (`file:` documents only): the build context.
    folder: Option<PathBuf>,
    /// The analysis of `text` with the settings, once made.
    analysis: Option<Analysis>,
    /// What that analysis was planned with.
    resolved: Option<Resolved>,
}

/// A folder's build context and `.dfsplit.yaml`, and when they were read.
struct Folder {
    context: Option<Context>,
    /// The contexts of the folder's Dockerfiles that have their own ignore
    /// file (`<Dockerfile>.dockerignore`, which BuildKit reads instead of
    /// the folder's `.dockerignore`), read when first needed.
    own: HashMap<PathBuf, Option<Context>>,
    config: FolderConfig,
    read: Instant,
}

/// The build context of `dir` for a build of `dockerfile`; when it cannot
/// be read, the reason goes to stderr and documents are planned without one.
fn read_context(dir: &Path, dockerfile: Option<&Path>) -> Option<Context> {
    match crate::host::context::collect(dir, dockerfile) {
        Ok(c) => Some(c),
        Err(e) => {
            eprintln!("dfsplit lsp: {e}: analysing without a build context");
            None
        }
    }
}

/// An error response's code and message.
type Failure = (ErrorCode, String);

struct Server<'r> {
    rules: &'r Rules,
    out: crossbeam_channel::Sender<Message>,
    state: State,
    settings: Settings,
    /// The client applies versioned `documentChanges`.
    document_changes: bool,
    docs: HashMap<lt::Uri, Document>,
    folders: HashMap<PathBuf, Folder>,
    /// Rules overlays by folder (a `.dfsplit.yaml`'s `rules:`), or why one
    /// could not be loaded.
    overlays: HashMap<PathBuf, Result<Rules, String>>,
    /// The client can watch files for the server (dynamic registration).
    can_watch: bool,
    /// Problems already shown with `window/showMessage`.
    shown: HashSet<String>,
}

impl<'r> Server<'r> {
    fn new(rules: &'r Rules, out: crossbeam_channel::Sender<Message>) -> Self {
        Server {
            rules,
            out,
            state: State::Starting,
            settings: Settings::default(),
            document_changes: false,
            docs: HashMap::new(),
            folders: HashMap::new(),
            overlays: HashMap::new(),
            can_watch: false,
            shown: HashSet::new(),
        }
    }

    fn send(&self, msg: impl Into<Message>) {
        // The client is gone when this fails; the loop ends on its own.
        let _ = self.out.send(msg.into());
    }

    fn notify<N: lt::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params));
    }

    fn handle(&mut self, msg: Message) {
        match msg {
            Message::Request(req) => {
                let id = req.id.clone();
                let result = self.request(req);
                self.send(match result {
                    Ok(v) => Response::new_ok(id, v),
                    Err((code, message)) => Response::new_err(id, code as i32, message),
                });
            }
            Message::Notification(n) => self.notification(n),
            // The server sends no requests, so answers are not expected.
            Message::Response(_) => {}
        }
    }

    fn request(&mut self, req: Request) -> Result<Value, Failure> {
        use lt::request::*;
        match (self.state, req.method.as_str()) {
            (State::Starting, Initialize::METHOD) => {
                let p: lt::InitializeParams = params(req.params)?;
                Ok(self.initialize(p))
            }
            (State::Starting, _) => Err((
                ErrorCode::ServerNotInitialized,
                "the server is not initialized yet".into(),
            )),
            (State::ShutDown, _) => Err((
                ErrorCode::InvalidRequest,
                "the server is shut down: only `exit` is expected".into(),
            )),
            (State::Running, Initialize::METHOD) => Err((
                ErrorCode::InvalidRequest,
                "the server is already initialized".into(),
            )),
            (State::Running, Shutdown::METHOD) => {
                self.state = State::ShutDown;
                Ok(Value::Null)
            }
            (State::Running, CodeActionRequest::METHOD) => {
                let p: lt::CodeActionParams = params(req.params)?;
                Ok(to_json(self.code_actions(p)?))
            }
            (State::Running, HoverRequest::METHOD) => {
                let p: lt::HoverParams = params(req.params)?;
                Ok(to_json(self.hover(p)?))
            }
            (State::Running, m) => Err((
                ErrorCode::MethodNotFound,
                format!("dfsplit does not answer `{m}`"),
            )),
        }
    }

    fn notification(&mut self, n: Notification) {
        use lt::notification::*;
        if self.state != State::Running {
            return;
        }
        let result = match n.method.as_str() {
            DidOpenTextDocument::METHOD => params(n.params).map(|p| self.did_open(p)),
            DidChangeTextDocument::METHOD => params(n.params).map(|p| self.did_change(p)),
            DidSaveTextDocument::METHOD => params(n.params).map(|p| self.did_save(p)),
            DidCloseTextDocument::METHOD => params(n.params).map(|p| self.did_close(p)),
            DidChangeWatchedFiles::METHOD => params(n.params).map(|p| self.did_change_watched(p)),
            Initialized::METHOD => {
                self.watch_config();
                Ok(())
            }
            // $/cancelRequest, $/setTrace, configuration changes, …
            _ => Ok(()),
        };
        if let Err((_, message)) = result {
            eprintln!("dfsplit lsp: `{}`: {message}", n.method);
        }
    }

    fn initialize(&mut self, p: lt::InitializeParams) -> Value {
        let (settings, problems) = Settings::from_init(p.initialization_options.as_ref());
        self.settings = settings;
        let workspace = p.capabilities.workspace.unwrap_or_default();
        self.document_changes = workspace
            .workspace_edit
            .and_then(|e| e.document_changes)
            .unwrap_or(false);
        self.can_watch = workspace
            .did_change_watched_files
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        self.state = State::Running;
        if !problems.is_empty() {
            self.notify::<lt::notification::ShowMessage>(lt::ShowMessageParams {
                typ: lt::MessageType::WARNING,
                message: format!("dfsplit: {}", problems.join("; ")),
            });
        }
        to_json(lt::InitializeResult {
            capabilities: capabilities(),
            server_info: Some(lt::ServerInfo {
                name: "dfsplit".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
    }

    /// Asks the client to report `.dfsplit.yaml` changes on disk, when it can.
    fn watch_config(&self) {
        use lt::request::Request as _;
        if !self.can_watch {
            return;
        }
        let options = lt::DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![lt::FileSystemWatcher {
                glob_pattern: lt::GlobPattern::String(format!("**/{}", config::FILE_NAME)),
                kind: None,
            }],
        };
        let params = lt::RegistrationParams {
            registrations: vec![lt::Registration {
                id: WATCH_REGISTRATION.into(),
                method: lt::notification::DidChangeWatchedFiles::METHOD.into(),
                register_options: Some(to_json(options)),
            }],
        };
        // The answer is not waited for: without it, saves still re-read.
        self.send(Request::new(
            WATCH_REGISTRATION.to_string().into(),
            lt::request::RegisterCapability::METHOD.into(),
            params,
        ));
    }

    fn did_open(&mut self, p: lt::DidOpenTextDocumentParams) {
        let d = p.text_document;
        if is_config(&d.uri) {
            // Sent by a client that gives dfsplit YAML files too: not a Dockerfile.
            return;
        }
        let path = uri::to_path(&d.uri);
        let folder = path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf);
        if let Some(f) = &folder {
            self.read_folder(f);
        }
        self.docs.insert(
            d.uri.clone(),
            Document {
                version: d.version,
                lines: LineIndex::new(&d.text),
                text: d.text,
                path,
                folder,
                analysis: None,
                resolved: None,
            },
        );
        self.publish(&d.uri);
    }

    fn did_change(&mut self, p: lt::DidChangeTextDocumentParams) {
        let uri = p.text_document.uri;
        if is_config(&uri) {
            return;
        }
        let Some(doc) = self.docs.get_mut(&uri) else {
            eprintln!(
                "dfsplit lsp: change to a document that is not open: {}",
                uri.as_str()
            );
            return;
        };
        for change in p.content_changes {
            match change.range {
                Some(range) => {
                    let span = doc.lines.span(&doc.text, range);
                    doc.text.replace_range(span, &change.text);
                }
                None => doc.text = change.text,
            }
            doc.lines = LineIndex::new(&doc.text);
        }
        doc.version = p.text_document.version;
        doc.analysis = None;
        self.publish(&uri);
    }

    fn did_save(&mut self, p: lt::DidSaveTextDocumentParams) {
        let uri = p.text_document.uri;
        if is_config(&uri) {
            self.config_changed();
            return;
        }
        let Some(folder) = self.docs.get(&uri).and_then(|d| d.folder.clone()) else {
            return;
        };
        // The folder is read again (a manifest or the configuration may have
        // changed since it was) and the rules overlays loaded again when
        // next used; every open document of the folder, and every one
        // planned with an overlay, is analysed again. A problem that remains
        // is shown again.
        self.shown.clear();
        self.overlays.clear();
        self.read_folder(&folder);
        let mut same: Vec<lt::Uri> = Vec::new();
        for (u, doc) in self.docs.iter_mut() {
            let overlay = doc.resolved.as_ref().is_some_and(|r| r.rules.is_some());
            if doc.folder.as_ref() == Some(&folder) || overlay {
                doc.analysis = None;
                same.push(u.clone());
            }
        }
        same.sort();
        for u in &same {
            self.publish(u);
        }
    }

    fn did_close(&mut self, p: lt::DidCloseTextDocumentParams) {
        let uri = p.text_document.uri;
        if self.docs.remove(&uri).is_some() {
            self.notify::<lt::notification::PublishDiagnostics>(lt::PublishDiagnosticsParams {
                uri,
                diagnostics: Vec::new(),
                version: None,
            });
        }
    }

    fn did_change_watched(&mut self, p: lt::DidChangeWatchedFilesParams) {
        if p.changes.iter().any(|c| is_config(&c.uri)) {
            self.config_changed();
        }
    }

    /// A `.dfsplit.yaml` was saved, made or deleted: every folder's
    /// configuration is read again (and overlays loaded again when used),
    /// and every open document analysed and published again.
    fn config_changed(&mut self) {
        self.shown.clear();
        self.overlays.clear();
        for (dir, f) in self.folders.iter_mut() {
            f.config = settings::read_config(dir);
        }
        let mut uris: Vec<lt::Uri> = Vec::new();
        for (u, doc) in self.docs.iter_mut() {
            doc.analysis = None;
            uris.push(u.clone());
        }
        uris.sort();
        for u in &uris {
            self.publish(u);
        }
    }

    /// Reads a folder's build context and configuration (again).
    fn read_folder(&mut self, folder: &Path) {
        let context = read_context(folder, None);
        self.folders.insert(
            folder.to_path_buf(),
            Folder {
                context,
                own: HashMap::new(),
                config: settings::read_config(folder),
                read: Instant::now(),
            },
        );
    }

    /// What the document is planned with; its rules overlay is loaded here
    /// (once per folder), or the reason it cannot be is its problem.
    fn resolve(&mut self, uri: &lt::Uri) -> Result<Resolved, Failure> {
        let doc = self.docs.get(uri).ok_or_else(|| not_open(uri))?;
        let none: FolderConfig = Ok(None);
        let config = doc
            .folder
            .as_ref()
            .and_then(|f| self.folders.get(f))
            .map_or(&none, |f| &f.config);
        let mut resolved = self.settings.resolve(doc.path.as_deref(), config);
        let Some(dir) = resolved.rules.clone() else {
            return Ok(resolved);
        };
        let overlay = self
            .overlays
            .entry(dir.clone())
            .or_insert_with(|| Rules::load(Some(&dir)).map_err(|e| e.to_string()));
        match overlay {
            Ok(_) => Ok(resolved),
            Err(e) => {
                resolved.problem = Some(format!(
                    "{e} (the rules overlay of {}: the built-in rules are used until it is fixed)",
                    resolved
                        .config
                        .as_deref()
                        .unwrap_or(Path::new(config::FILE_NAME))
                        .display()
                ));
                resolved.rules = None;
                Ok(resolved)
            }
        }
    }

    /// The rules a resolved document is planned with: its overlay, else the
    /// built-in ones.
    fn rules_for(&self, resolved: &Resolved) -> &Rules {
        match resolved.rules.as_ref().and_then(|d| self.overlays.get(d)) {
            Some(Ok(rules)) => rules,
            _ => self.rules,
        }
    }

    /// An open document, with its analysis (made once per version).
    fn analysed(&mut self, uri: &lt::Uri) -> Result<&Document, Failure> {
        self.analyse(uri)?;
        self.docs.get(uri).ok_or_else(|| not_open(uri))
    }

    /// Analyses an open document with its settings, unless done for this
    /// version; a problem with its configuration is shown once.
    fn analyse(&mut self, uri: &lt::Uri) -> Result<(), Failure> {
        if self
            .docs
            .get(uri)
            .ok_or_else(|| not_open(uri))?
            .analysis
            .is_some()
        {
            return Ok(());
        }
        let resolved = self.resolve(uri)?;
        // A Dockerfile with its own ignore file has a context of its own.
        let doc = self.docs.get(uri).ok_or_else(|| not_open(uri))?;
        let own = doc
            .path
            .clone()
            .filter(|p| crate::host::context::own_ignore_file(p).is_some())
            .zip(doc.folder.clone());
        if let Some((path, dir)) = &own
            && let Some(f) = self.folders.get_mut(dir)
        {
            f.own
                .entry(path.clone())
                .or_insert_with(|| read_context(dir, Some(path)));
        }
        let rules = self.rules_for(&resolved);
        let doc = self.docs.get(uri).ok_or_else(|| not_open(uri))?;
        let folder = doc.folder.as_ref().and_then(|f| self.folders.get(f));
        let ctx = match &own {
            Some((path, _)) => folder
                .and_then(|f| f.own.get(path))
                .and_then(Option::as_ref),
            None => folder.and_then(|f| f.context.as_ref()),
        };
        let a = analysis::analyze(&doc.text, ctx, rules, &resolved.options);
        if let Some(problem) = &resolved.problem
            && self.shown.insert(problem.clone())
        {
            self.notify::<lt::notification::ShowMessage>(lt::ShowMessageParams {
                typ: lt::MessageType::WARNING,
                message: format!("dfsplit: {problem}"),
            });
        }
        let doc = self.docs.get_mut(uri).ok_or_else(|| not_open(uri))?;
        doc.analysis = Some(a);
        doc.resolved = Some(resolved);
        Ok(())
    }

    fn publish(&mut self, uri: &lt::Uri) {
        let rules_url = self.settings.rules_url.clone();
        let Ok(doc) = self.analysed(uri) else {
            return;
        };
        let a = doc.analysis.as_ref().expect("analysed above");
        let resolved = doc.resolved.as_ref().expect("analysed above");
        // A problem with the configuration, on the first line.
        let problem = resolved.problem.as_ref().map(|message| {
            let first_line = doc.text.find('\n').map_or(doc.text.len(), |i| i + 1);
            analysis::Diagnostic {
                span: 0..first_line,
                line: 1,
                column: 1,
                severity: Severity::Warning,
                rule: CONFIG_RULE.into(),
                message: message.clone(),
            }
        });
        // A skipped document keeps what `docker build` would say, nothing of
        // the split.
        let kept = a.diagnostics.iter().filter(|d| {
            resolved.skip.is_none()
                || d.severity == Severity::Error
                || d.rule == analysis::rule::SYNTAX_WARNING
        });
        let diagnostics = problem
            .iter()
            .chain(kept)
            .map(|d| diagnostic(doc, d, &rules_url))
            .collect();
        let version = Some(doc.version);
        self.notify::<lt::notification::PublishDiagnostics>(lt::PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics,
            version,
        });
    }

    fn code_actions(
        &mut self,
        p: lt::CodeActionParams,
    ) -> Result<Vec<lt::CodeActionOrCommand>, Failure> {
        use lt::CodeActionKind as K;
        let uri = p.text_document.uri;
        let only = p.context.only;
        let wants = |kind: &K| {
            only.as_ref().is_none_or(|o| {
                o.iter().any(|k| {
                    kind.as_str() == k.as_str()
                        || kind.as_str().starts_with(&format!("{}.", k.as_str()))
                })
            })
        };
        if !wants(&K::QUICKFIX) && !wants(&K::REFACTOR_REWRITE) {
            return Ok(Vec::new());
        }
        let folder = self
            .docs
            .get(&uri)
            .ok_or_else(|| not_open(&uri))?
            .folder
            .clone();
        if let Some(f) = &folder
            && self
                .folders
                .get(f)
                .is_none_or(|c| c.read.elapsed() > CONTEXT_TTL)
        {
            self.read_folder(f);
            if let Some(doc) = self.docs.get_mut(&uri) {
                doc.analysis = None;
            }
        }
        let ctx = folder
            .as_ref()
            .and_then(|f| self.folders.get(f))
            .and_then(|f| f.context.clone());
        self.analyse(&uri)?;
        let doc = self.docs.get(&uri).ok_or_else(|| not_open(&uri))?;
        let main = doc.analysis.as_ref().expect("analysed above");
        let resolved = doc.resolved.as_ref().expect("analysed above");
        if resolved.skip.is_some() {
            return Ok(Vec::new());
        }
        let rules = self.rules_for(resolved);
        // The settings' base first, then the other kinds of base whose
        // rewrite is another text.
        let mut variants: Vec<(Option<&str>, Analysis)> = Vec::new();
        if main.changed() {
            variants.push((None, main.clone()));
        }
        for (name, base) in [
            ("slim", BaseChoice::Slim),
            ("distroless", BaseChoice::Distroless),
        ] {
            if resolved.options.base == base {
                continue;
            }
            let opts = Options {
                base,
                ..resolved.options.clone()
            };
            let a = analysis::analyze(&doc.text, ctx.as_ref(), rules, &opts);
            if a.changed()
                && a.output != main.output
                && variants.iter().all(|(_, v)| v.output != a.output)
            {
                variants.push((Some(name), a));
            }
        }
        let split_diagnostic = p.context.diagnostics.iter().find(|d| {
            d.source.as_deref() == Some("dfsplit")
                && d.code == Some(lt::NumberOrString::String(analysis::rule::SPLIT.into()))
        });
        let mut actions = Vec::new();
        for (i, (name, a)) in variants.iter().enumerate() {
            // The settings' own rewrite is the diagnostic's fix when asked on it.
            let quickfix =
                i == 0 && name.is_none() && split_diagnostic.is_some() && wants(&K::QUICKFIX);
            if !quickfix && !wants(&K::REFACTOR_REWRITE) {
                continue;
            }
            let title = match (name, a.base()) {
                (Some(n), Some(b)) => {
                    format!("Split into multi-stage build on {n}: {} (dfsplit)", b.after)
                }
                _ => SPLIT_TITLE.to_string(),
            };
            actions.push(lt::CodeActionOrCommand::CodeAction(lt::CodeAction {
                title,
                kind: Some(if quickfix {
                    K::QUICKFIX
                } else {
                    K::REFACTOR_REWRITE
                }),
                diagnostics: quickfix.then(|| split_diagnostic.cloned().into_iter().collect()),
                edit: Some(workspace_edit(&uri, doc, a, self.document_changes)),
                command: None,
                is_preferred: Some(false),
                disabled: None,
                data: None,
            }));
        }
        Ok(actions)
    }

    fn hover(&mut self, p: lt::HoverParams) -> Result<Option<lt::Hover>, Failure> {
        let rules_url = self.settings.rules_url.clone();
        let at = p.text_document_position_params;
        let doc = self.analysed(&at.text_document.uri)?;
        let a = doc.analysis.as_ref().expect("analysed above");
        let offset = doc.lines.offset(&doc.text, at.position);
        let inside = |s: &std::ops::Range<usize>| s.start <= offset && offset <= s.end;
        let Some(d) = a.decisions().iter().find(|d| inside(&d.span)) else {
            return Ok(None);
        };
        let link = |rule: &str| match docs::url(&rules_url, rule) {
            Some(u) => format!("[`{rule}`]({u})"),
            None => format!("`{rule}`"),
        };
        let range = |span: &std::ops::Range<usize>| {
            Some(
                doc.lines
                    .range(&doc.text, &position::without_line_break(&doc.text, span)),
            )
        };
        if let Some(r) = doc.resolved.as_ref().filter(|r| r.skip.is_some()) {
            let file = r.config.as_deref().unwrap_or(Path::new(config::FILE_NAME));
            return Ok(Some(lt::Hover {
                contents: lt::HoverContents::Markup(lt::MarkupContent {
                    kind: lt::MarkupKind::Markdown,
                    value: format!(
                        "**dfsplit** leaves this file alone: it matches `skip:` in `{}`",
                        file.display()
                    ),
                }),
                range: range(&d.span),
            }));
        }
        let mut text = match &a.outcome {
            Some(Outcome::Unchanged { gate, .. }) => format!(
                "**dfsplit** leaves this file unchanged: {} ({})\n\nThis instruction: {} ({})",
                gate.message,
                link(&gate.rule),
                d.reason,
                link(&d.rule)
            ),
            _ => format!(
                "**dfsplit**: {}\n\n{} ({})",
                goes_to(d.placement),
                d.reason,
                link(&d.rule)
            ),
        };
        let mut span = d.span.clone();
        // The command under the cursor, unless it is the RUN's only one
        // and says what the RUN says.
        let alone = |c: &crate::plan::CommandDecision| d.commands.len() == 1 && c.rule == d.rule;
        if let Some(c) = d
            .commands
            .iter()
            .find(|c| c.span.as_ref().is_some_and(&inside) && !alone(c))
        {
            text.push_str(&format!(
                "\n\n`{}` — {}: {} ({})",
                c.text.replace('`', "'"),
                c.role,
                c.reason,
                link(&c.rule)
            ));
            span = c.span.clone().unwrap_or(span);
        }
        Ok(Some(lt::Hover {
            contents: lt::HoverContents::Markup(lt::MarkupContent {
                kind: lt::MarkupKind::Markdown,
                value: text,
            }),
            range: range(&span),
        }))
    }
}

/// What the server can do.
fn capabilities() -> lt::ServerCapabilities {
    lt::ServerCapabilities {
        text_document_sync: Some(lt::TextDocumentSyncCapability::Options(
            lt::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lt::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lt::TextDocumentSyncSaveOptions::SaveOptions(
                    lt::SaveOptions {
                        include_text: Some(false),
                    },
                )),
                ..Default::default()
            },
        )),
        hover_provider: Some(lt::HoverProviderCapability::Simple(true)),
        code_action_provider: Some(lt::CodeActionProviderCapability::Options(
            lt::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lt::CodeActionKind::QUICKFIX,
                    lt::CodeActionKind::REFACTOR_REWRITE,
                ]),
                resolve_provider: Some(false),
                ..Default::default()
            },
        )),
        ..Default::default()
    }
}

/// An analysis diagnostic as LSP's.
fn diagnostic(doc: &Document, d: &analysis::Diagnostic, rules_url: &str) -> lt::Diagnostic {
    lt::Diagnostic {
        range: doc
            .lines
            .range(&doc.text, &position::without_line_break(&doc.text, &d.span)),
        severity: Some(match d.severity {
            Severity::Error => lt::DiagnosticSeverity::ERROR,
            Severity::Warning => lt::DiagnosticSeverity::WARNING,
            Severity::Info => lt::DiagnosticSeverity::INFORMATION,
            Severity::Hint => lt::DiagnosticSeverity::HINT,
        }),
        code: Some(lt::NumberOrString::String(d.rule.clone())),
        code_description: docs::url(rules_url, &d.rule)
            .and_then(|u| lt::Uri::from_str(&u).ok())
            .map(|href| lt::CodeDescription { href }),
        source: Some("dfsplit".into()),
        message: d.message.clone(),
        ..Default::default()
    }
}

/// The analysis's edits as a workspace edit on the open document (versioned
/// when the client supports it, so a stale edit is refused).
fn workspace_edit(
    uri: &lt::Uri,
    doc: &Document,
    a: &Analysis,
    versioned: bool,
) -> lt::WorkspaceEdit {
    let edits: Vec<lt::TextEdit> = a
        .edits
        .iter()
        .map(|e| lt::TextEdit {
            range: doc.lines.range(&doc.text, &e.range),
            new_text: e.content.clone(),
        })
        .collect();
    if versioned {
        lt::WorkspaceEdit {
            document_changes: Some(lt::DocumentChanges::Edits(vec![lt::TextDocumentEdit {
                text_document: lt::OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(doc.version),
                },
                edits: edits.into_iter().map(lt::OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        lt::WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..Default::default()
        }
    }
}

/// Where an instruction goes, in words.
fn goes_to(p: Placement) -> &'static str {
    match p {
        Placement::Global => "stays before the first FROM",
        Placement::Dependencies => "goes to the `dependencies` stage",
        Placement::Build => "goes to the `build` stage",
        Placement::Runtime => "goes to the `runtime` stage",
        Placement::BuildAndRuntime => {
            "stays in the `build` stage and is repeated in the `runtime` stage"
        }
        Placement::Unchanged => "stays as it is",
    }
}

fn params<P: serde::de::DeserializeOwned>(v: Value) -> Result<P, Failure> {
    serde_json::from_value(v)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid parameters: {e}")))
}

fn to_json(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Whether `uri` names a `.dfsplit.yaml`.
fn is_config(uri: &lt::Uri) -> bool {
    uri::to_path(uri).is_some_and(|p| {
        p.file_name()
            .is_some_and(|n| n == std::ffi::OsStr::new(config::FILE_NAME))
    })
}

fn not_open(uri: &lt::Uri) -> Failure {
    (
        ErrorCode::InvalidParams,
        format!(
            "{} is not open: send textDocument/didOpen first",
            uri.as_str()
        ),
    )
}
