//! `ttx lsp`: the checks of `ttx validate`, navigation and completion in the author's
//! editor, over the Language Server Protocol on standard input and output. A thin front
//! end: the engine's [`Workspace`] answers every question (which diagnostics, which id is
//! where, what may be typed); this module turns its byte offsets into the protocol's lines
//! and columns and its answers into JSON-RPC.
//!
//! Requests are answered on the server's thread; diagnostics are worked out on a thread of
//! their own (see [`checker`]) once the editor has been quiet for the debounce time
//! (150 ms, `initializationOptions.debounce_ms`), for the file that changed first and then
//! for the other open files of its program, so editing an architecture re-checks the open
//! scenarios that bind to it, and a long check holds no request.

mod checker;
mod convert;
mod transport;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{self as lsp, Uri};
use ttx_engine::authoring::symbols::SymbolKind;
use ttx_engine::authoring::workspace::{Location, OutlineItem, Workspace};

use crate::exit::Exit;
use convert::{Encoding, LineIndex, path_of, uri_of};
use transport::{Incoming, Outgoing, Transport};

const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(150);

/// Runs the server on standard input and output until the client says `exit` or goes
/// away. Exit 0 after `shutdown` then `exit`, 1 otherwise, as the protocol asks.
pub fn run() -> Exit {
    let transport = Transport::start(std::io::BufReader::new(std::io::stdin()), std::io::stdout());
    let mut server = Server::new(transport.outgoing.clone());
    let clean = server.serve(&transport.incoming);
    drop(server);
    transport.finish();
    if clean { Exit::Ok } else { Exit::Problems }
}

/// An open document's text as the protocol sees it.
struct Document {
    uri: Uri,
    version: i32,
    lines: LineIndex,
}

struct Server {
    out: std::sync::mpsc::Sender<Outgoing>,
    workspace: Workspace,
    documents: HashMap<PathBuf, Document>,
    encoding: Encoding,
    debounce: Duration,
    /// Files to check, the first changed first, and when to.
    dirty: Vec<PathBuf>,
    due: Option<Instant>,
    initialized: bool,
    shut_down: bool,
    /// The thread that works out diagnostics, started by `initialize`.
    checker: Option<checker::Checker>,
    /// The texts changed since the checker's last job.
    updates: Vec<checker::Update>,
}

impl Server {
    fn new(out: std::sync::mpsc::Sender<Outgoing>) -> Server {
        Server {
            out,
            workspace: Workspace::new(),
            documents: HashMap::new(),
            encoding: Encoding::Utf16,
            debounce: DEFAULT_DEBOUNCE,
            dirty: Vec::new(),
            due: None,
            initialized: false,
            shut_down: false,
            checker: None,
            updates: Vec::new(),
        }
    }

    /// Serves until `exit` (true when `shutdown` came first) or the client is gone (false).
    fn serve(&mut self, incoming: &std::sync::mpsc::Receiver<Incoming>) -> bool {
        loop {
            // A steady stream of messages never lets the wait time out: work past its
            // debounce goes out before the next message is read.
            if self.due.is_some_and(|due| due <= Instant::now()) {
                self.publish_due();
            }
            let next = match self.due {
                Some(due) => incoming.recv_timeout(due.saturating_duration_since(Instant::now())),
                None => incoming.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match next {
                Ok(Incoming::Malformed(code, why)) => {
                    self.send_raw(Outgoing::Unreadable(code, why))
                }
                Ok(Incoming::Message(Message::Request(req))) => self.request(req),
                Ok(Incoming::Message(Message::Notification(n))) => {
                    if n.method == lsp::notification::Exit::METHOD {
                        return self.shut_down;
                    }
                    self.notification(n);
                }
                // The client answering a request of ours; the server sends none that matter.
                Ok(Incoming::Message(Message::Response(_))) => {}
                Err(RecvTimeoutError::Timeout) => self.publish_due(),
                Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
    }

    fn send(&self, message: impl Into<Message>) {
        self.send_raw(Outgoing::Message(message.into()));
    }

    fn send_raw(&self, message: Outgoing) {
        // The writer is gone only when the client is; the reader then ends the loop.
        let _ = self.out.send(message);
    }

    fn request(&mut self, req: Request) {
        let id = req.id.clone();
        if !self.initialized && req.method != lsp::request::Initialize::METHOD {
            return self.send(Response::new_err(
                id,
                ErrorCode::ServerNotInitialized as i32,
                "the server is not initialized yet".into(),
            ));
        }
        if self.shut_down {
            return self.send(Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                "the server is shut down".into(),
            ));
        }
        // A bug in a handler must not end the author's editing session: it is answered as
        // an internal error, and the server goes on.
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.answer(req)));
        let response = match answer {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                "ttx lsp failed on this request; please report it with the file".into(),
            ),
        };
        self.send(response);
    }

    fn answer(&mut self, req: Request) -> Result<serde_json::Value, (ErrorCode, String)> {
        use lsp::request::*;
        let json = |v: serde_json::Result<serde_json::Value>| {
            v.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        match req.method.as_str() {
            Initialize::METHOD => {
                let params: lsp::InitializeParams = params(req)?;
                json(serde_json::to_value(self.initialize(params)))
            }
            Shutdown::METHOD => {
                self.shut_down = true;
                // Changes and closes still waiting for the debounce go to the checker now:
                // a file closed just before shutdown ends with its diagnostics cleared.
                if self.due.is_some() {
                    self.publish_due();
                }
                Ok(serde_json::Value::Null)
            }
            Completion::METHOD => {
                let p: lsp::CompletionParams = params(req)?;
                json(serde_json::to_value(
                    self.completion(&p.text_document_position),
                ))
            }
            HoverRequest::METHOD => {
                let p: lsp::HoverParams = params(req)?;
                json(serde_json::to_value(
                    self.hover(&p.text_document_position_params),
                ))
            }
            GotoDefinition::METHOD => {
                let p: lsp::GotoDefinitionParams = params(req)?;
                let at = &p.text_document_position_params;
                let found = self.at(at).map_or_else(Vec::new, |(path, offset)| {
                    self.workspace.definition(&path, offset)
                });
                json(serde_json::to_value(self.locations(&found)))
            }
            References::METHOD => {
                let p: lsp::ReferenceParams = params(req)?;
                let found =
                    self.at(&p.text_document_position)
                        .map_or_else(Vec::new, |(path, offset)| {
                            self.workspace
                                .references(&path, offset, p.context.include_declaration)
                        });
                json(serde_json::to_value(self.locations(&found)))
            }
            PrepareRenameRequest::METHOD => {
                let p: lsp::TextDocumentPositionParams = params(req)?;
                json(serde_json::to_value(self.prepare_rename(&p)?))
            }
            Rename::METHOD => {
                let p: lsp::RenameParams = params(req)?;
                json(serde_json::to_value(self.rename(&p)?))
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp::DocumentSymbolParams = params(req)?;
                json(serde_json::to_value(self.outline(&p.text_document.uri)))
            }
            CodeActionRequest::METHOD => {
                let p: lsp::CodeActionParams = params(req)?;
                json(serde_json::to_value(quick_fixes(&p)))
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("ttx lsp does not answer `{other}`"),
            )),
        }
    }

    fn initialize(&mut self, params: lsp::InitializeParams) -> lsp::InitializeResult {
        self.initialized = true;
        let offered = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref());
        if offered.is_some_and(|o| o.contains(&lsp::PositionEncodingKind::UTF8)) {
            self.encoding = Encoding::Utf8;
        }
        if let Some(ms) = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("debounce_ms"))
            .and_then(serde_json::Value::as_u64)
        {
            self.debounce = Duration::from_millis(ms.min(10_000));
        }
        let mut folders: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| path_of(&f.uri))
            .collect();
        #[allow(deprecated)]
        if folders.is_empty()
            && let Some(root) = params.root_uri.as_ref().and_then(path_of)
        {
            folders.push(root);
        }
        for folder in &folders {
            self.workspace.add_folder(folder);
        }
        if self.checker.is_none() {
            self.checker = Some(checker::Checker::start(
                self.out.clone(),
                folders,
                self.encoding,
                self.workspace.parses(),
            ));
        }
        lsp::InitializeResult {
            capabilities: lsp::ServerCapabilities {
                position_encoding: Some(match self.encoding {
                    Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
                    Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
                }),
                text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
                    lsp::TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                        save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    },
                )),
                completion_provider: Some(lsp::CompletionOptions {
                    trigger_characters: Some([" ", "[", ",", "#", "-"].map(String::from).to_vec()),
                    ..Default::default()
                }),
                hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
                definition_provider: Some(lsp::OneOf::Left(true)),
                references_provider: Some(lsp::OneOf::Left(true)),
                rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                document_symbol_provider: Some(lsp::OneOf::Left(true)),
                code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                    lsp::CodeActionOptions {
                        code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                        ..Default::default()
                    },
                )),
                ..Default::default()
            },
            server_info: Some(lsp::ServerInfo {
                name: "ttx".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        }
    }

    fn notification(&mut self, n: Notification) {
        use lsp::notification::*;
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) =
                    n.extract::<lsp::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                else {
                    return;
                };
                let doc = p.text_document;
                if let Some(path) = path_of(&doc.uri) {
                    self.set_text(path, doc.uri, doc.version, doc.text);
                }
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) =
                    n.extract::<lsp::DidChangeTextDocumentParams>(DidChangeTextDocument::METHOD)
                else {
                    return;
                };
                self.change(p);
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                    && let Some(path) = path_of(&p.text_document.uri)
                {
                    self.mark(&path);
                }
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) =
                    n.extract::<lsp::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                else {
                    return;
                };
                if let Some(path) = path_of(&p.text_document.uri) {
                    let path = ttx_engine::authoring::paths::normalize(&path);
                    self.workspace.close(&path);
                    if let Some(doc) = self.documents.remove(&path) {
                        self.update(checker::Update::Closed(path.clone(), doc.uri));
                    }
                    self.mark(&path);
                }
            }
            DidChangeWatchedFiles::METHOD => {
                // Files changed on disk (a `git checkout`): every open file may read
                // differently against them.
                for path in self.workspace.open_files() {
                    self.mark(&path);
                }
            }
            _ => {}
        }
    }

    fn set_text(&mut self, path: PathBuf, uri: Uri, version: i32, text: String) {
        let path = ttx_engine::authoring::paths::normalize(&path);
        self.documents.insert(
            path.clone(),
            Document {
                uri,
                version,
                lines: LineIndex::new(&text),
            },
        );
        self.update(checker::Update::Text(path.clone(), text.clone()));
        self.workspace.set_text(&path, text);
        self.mark(&path);
    }

    fn change(&mut self, p: lsp::DidChangeTextDocumentParams) {
        let Some(path) = path_of(&p.text_document.uri) else {
            return;
        };
        let path = ttx_engine::authoring::paths::normalize(&path);
        let Some(mut text) = self.workspace.text(&path).map(str::to_string) else {
            return;
        };
        for change in p.content_changes {
            match change.range {
                Some(range) => {
                    let lines = LineIndex::new(&text);
                    let start = lines.offset(&text, range.start, self.encoding);
                    let end = lines.offset(&text, range.end, self.encoding).max(start);
                    text.replace_range(start..end, &change.text);
                }
                None => text = change.text,
            }
        }
        self.set_text(path, p.text_document.uri, p.text_document.version, text);
    }

    /// Schedules the diagnostics of `path` and the open files it binds.
    fn mark(&mut self, path: &Path) {
        for file in self.workspace.affected_by(path) {
            if !self.dirty.contains(&file) {
                self.dirty.push(file);
            }
        }
        self.due = Some(Instant::now() + self.debounce);
    }

    /// Hands the checker the texts changed since the last time and the files to check.
    fn publish_due(&mut self) {
        self.due = None;
        let dirty = std::mem::take(&mut self.dirty);
        let due = dirty
            .into_iter()
            .filter_map(|path| {
                let doc = self.documents.get(&path)?;
                Some(checker::Due {
                    uri: doc.uri.clone(),
                    version: doc.version,
                    path,
                })
            })
            .collect();
        let job = checker::Job {
            updates: std::mem::take(&mut self.updates),
            due,
        };
        if let Some(checker) = &self.checker {
            checker.submit(job);
        }
    }

    /// Keeps a change for the checker's next job; a later change of the same file
    /// replaces it.
    fn update(&mut self, update: checker::Update) {
        let path = match &update {
            checker::Update::Text(path, _) | checker::Update::Closed(path, _) => path.clone(),
        };
        self.updates.retain(|u| {
            !matches!(u, checker::Update::Text(p, _) | checker::Update::Closed(p, _) if *p == path)
        });
        self.updates.push(update);
    }

    /// The file and byte offset of a protocol position in an open document.
    fn at(&self, at: &lsp::TextDocumentPositionParams) -> Option<(PathBuf, usize)> {
        let path = ttx_engine::authoring::paths::normalize(&path_of(&at.text_document.uri)?);
        let doc = self.documents.get(&path)?;
        let text = self.workspace.text(&path)?;
        Some((
            path.clone(),
            doc.lines.offset(text, at.position, self.encoding),
        ))
    }

    /// Where places in files stand in the protocol's terms, for one answer.
    fn ranges(&self) -> Ranges<'_> {
        Ranges {
            server: self,
            read: HashMap::new(),
        }
    }

    fn locations(&self, found: &[Location]) -> Vec<lsp::Location> {
        let mut ranges = self.ranges();
        found
            .iter()
            .map(|l| lsp::Location::new(uri_of(&l.path), ranges.of(&l.path, l.pos)))
            .collect()
    }

    fn completion(
        &mut self,
        at: &lsp::TextDocumentPositionParams,
    ) -> Option<lsp::CompletionResponse> {
        let (path, offset) = self.at(at)?;
        let found = self.workspace.completions(&path, offset)?;
        let text = self.workspace.text(&path)?;
        let doc = self.documents.get(&path)?;
        let range = lsp::Range::new(
            doc.lines.position(text, found.start, self.encoding),
            at.position,
        );
        let items = found
            .candidates
            .into_iter()
            .map(|c| lsp::CompletionItem {
                label: c.label.clone(),
                detail: (!c.detail.is_empty()).then_some(c.detail),
                kind: Some(lsp::CompletionItemKind::VALUE),
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                    range, c.label,
                ))),
                ..Default::default()
            })
            .collect();
        Some(lsp::CompletionResponse::List(lsp::CompletionList {
            is_incomplete: false,
            items,
        }))
    }

    fn hover(&mut self, at: &lsp::TextDocumentPositionParams) -> Option<lsp::Hover> {
        let (path, offset) = self.at(at)?;
        let (pos, markdown) = self.workspace.hover(&path, offset)?;
        Some(lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: markdown,
            }),
            range: Some(self.ranges().of(&path, pos)),
        })
    }

    fn prepare_rename(
        &mut self,
        at: &lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>, (ErrorCode, String)> {
        let Some((path, offset)) = self.at(at) else {
            return Ok(None);
        };
        let Some(symbol) = self.workspace.symbol_at(&path, offset) else {
            return Ok(None);
        };
        if !symbol.kind.renamable() {
            return Err((
                ErrorCode::RequestFailed,
                format!("a {} cannot be renamed", symbol.kind.noun()),
            ));
        }
        Ok(Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
            range: self.ranges().of(&path, symbol.pos),
            placeholder: symbol.name,
        }))
    }

    fn rename(&mut self, p: &lsp::RenameParams) -> Result<lsp::WorkspaceEdit, (ErrorCode, String)> {
        let (path, offset) = self.at(&p.text_document_position).ok_or((
            ErrorCode::InvalidParams,
            "the document is not open".to_string(),
        ))?;
        let edits = self
            .workspace
            .rename(&path, offset, &p.new_name)
            .map_err(|e| (ErrorCode::RequestFailed, e.to_string()))?;
        // lsp-types' `Uri` caches parts of itself in cells, but hashes and compares by its
        // text alone, so it is a sound key; the protocol's type asks for this map.
        #[allow(clippy::mutable_key_type)]
        let mut changes: HashMap<Uri, Vec<lsp::TextEdit>> = HashMap::new();
        let mut ranges = self.ranges();
        for l in edits {
            changes
                .entry(uri_of(&l.path))
                .or_default()
                .push(lsp::TextEdit::new(
                    ranges.of(&l.path, l.pos),
                    p.new_name.clone(),
                ));
        }
        Ok(lsp::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        })
    }

    fn outline(&mut self, uri: &Uri) -> Option<lsp::DocumentSymbolResponse> {
        let path = ttx_engine::authoring::paths::normalize(&path_of(uri)?);
        let items = self.workspace.outline(&path);
        let mut ranges = self.ranges();
        Some(lsp::DocumentSymbolResponse::Nested(
            items
                .iter()
                .map(|i| document_symbol(&mut ranges, &path, i))
                .collect(),
        ))
    }
}

#[allow(deprecated)]
fn document_symbol(
    ranges: &mut Ranges<'_>,
    path: &Path,
    item: &OutlineItem,
) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: item.name.clone(),
        detail: (!item.detail.is_empty()).then(|| item.detail.clone()),
        kind: symbol_kind(item.kind),
        tags: None,
        deprecated: None,
        range: ranges.of(path, item.range),
        selection_range: ranges.of(path, item.selection),
        children: (!item.children.is_empty()).then(|| {
            item.children
                .iter()
                .map(|c| document_symbol(ranges, path, c))
                .collect()
        }),
    }
}

/// The protocol's ranges of the engine's places, in open documents or on disk; a file on
/// disk is read once per answer, however many places in it the answer names (a rename
/// across sessions).
struct Ranges<'a> {
    server: &'a Server,
    read: HashMap<PathBuf, (String, LineIndex)>,
}

impl Ranges<'_> {
    /// The text and line index of `path`: the open document's, or the file's on disk.
    fn text(&mut self, path: &Path) -> (&str, &LineIndex) {
        if let (Some(doc), Some(text)) = (
            self.server.documents.get(path),
            self.server.workspace.text(path),
        ) {
            return (text, &doc.lines);
        }
        let (text, lines) = self.read.entry(path.to_path_buf()).or_insert_with(|| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let lines = LineIndex::new(&text);
            (text, lines)
        });
        (text, lines)
    }

    /// The range of `pos` in `path`.
    fn of(&mut self, path: &Path, pos: ttx_engine::authoring::source::Pos) -> lsp::Range {
        let encoding = self.server.encoding;
        let (text, lines) = self.text(path);
        lines.range(text, pos, encoding)
    }
}

fn params<P: serde::de::DeserializeOwned>(req: Request) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(req.params).map_err(|e| {
        (
            ErrorCode::InvalidParams,
            format!("the parameters of `{}` do not read: {e}", req.method),
        )
    })
}

/// The protocol's symbol kind closest to each kind of id.
fn symbol_kind(kind: Option<SymbolKind>) -> lsp::SymbolKind {
    match kind {
        None => lsp::SymbolKind::NAMESPACE,
        Some(SymbolKind::Inject) => lsp::SymbolKind::EVENT,
        Some(SymbolKind::Decision) => lsp::SymbolKind::FUNCTION,
        Some(SymbolKind::Role | SymbolKind::Person | SymbolKind::Team | SymbolKind::Character) => {
            lsp::SymbolKind::CLASS
        }
        Some(SymbolKind::Module) => lsp::SymbolKind::MODULE,
        Some(SymbolKind::Fact) => lsp::SymbolKind::CONSTANT,
        Some(SymbolKind::Objective | SymbolKind::Expectation) => lsp::SymbolKind::PROPERTY,
        Some(SymbolKind::Component | SymbolKind::TrustBoundary) => lsp::SymbolKind::STRUCT,
        Some(SymbolKind::Runbook) => lsp::SymbolKind::FILE,
        Some(_) => lsp::SymbolKind::KEY,
    }
}

/// The did-you-mean of each diagnostic the client shows here, as a quick fix that puts the
/// suggested word in place.
#[allow(clippy::mutable_key_type)] // see `rename`
fn quick_fixes(p: &lsp::CodeActionParams) -> Vec<lsp::CodeActionOrCommand> {
    p.context
        .diagnostics
        .iter()
        .filter(|d| d.source.as_deref() == Some("ttx"))
        .filter_map(|d| {
            let word = d.data.as_ref()?.get("replace_with")?.as_str()?;
            let edit = lsp::TextEdit::new(d.range, word.to_string());
            Some(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: format!("Change to `{word}`"),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(lsp::WorkspaceEdit {
                    changes: Some(HashMap::from([(p.text_document.uri.clone(), vec![edit])])),
                    ..Default::default()
                }),
                is_preferred: Some(true),
                ..Default::default()
            }))
        })
        .collect()
}
