//! The diagnostics of `ttx lsp`, worked out on a thread of their own so that a check of a
//! large scenario (a hundred milliseconds for 4 MiB against two programs) never holds a
//! completion, a hover or a definition the editor is waiting for.
//!
//! The checker keeps its own [`Workspace`], fed with the open documents' texts as they
//! change; the request thread keeps another for navigation and completion. Work arrives as
//! [`Job`]s; jobs that arrive while a check runs are folded into the work still to do
//! between two files, so a burst of typing is checked once, at its last version, and a file
//! already checked at an older version is checked again. Each file's diagnostics carry the
//! version of the text they were worked out on, as the protocol asks.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::thread::JoinHandle;

use lsp_server::{Message, Notification};
use lsp_types::notification::Notification as _;
use lsp_types::{self as lsp, Uri};
use ttx_engine::authoring::diagnostic::Diagnostic;
use ttx_engine::authoring::workspace::{Parses, Workspace};

use super::convert::{self, Encoding, LineIndex, uri_of};
use super::transport::Outgoing;

/// A change to what the editor holds open.
pub enum Update {
    /// A document was opened or changed: its text is now this.
    Text(PathBuf, String),
    /// A document was closed; its diagnostics are cleared.
    Closed(PathBuf, Uri),
}

/// A file to publish the diagnostics of, as the editor names it.
#[derive(Clone)]
pub struct Due {
    pub path: PathBuf,
    pub uri: Uri,
    pub version: i32,
}

/// What the request thread hands the checker: the texts that changed since the last job,
/// then the files to check, the first changed first.
pub struct Job {
    pub updates: Vec<Update>,
    pub due: Vec<Due>,
}

/// The checker's thread and the way to it.
pub struct Checker {
    jobs: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Checker {
    /// Starts the thread, which learns the programs under `folders`, shares the files'
    /// trees and ids of the request thread's workspace, and publishes on `out`.
    pub fn start(
        out: Sender<Outgoing>,
        folders: Vec<PathBuf>,
        encoding: Encoding,
        parses: Parses,
    ) -> Checker {
        let (jobs, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("ttx-lsp-checks".into())
            .spawn(move || {
                let mut workspace = Workspace::sharing(parses);
                for folder in &folders {
                    workspace.add_folder(folder);
                }
                Work {
                    out,
                    workspace,
                    encoding,
                    notes: HashMap::new(),
                }
                .serve(&rx);
            })
            .ok();
        Checker {
            jobs: thread.is_some().then_some(jobs),
            thread,
        }
    }

    /// Hands the checker a job; it starts on it at once, or between two files of its
    /// current one.
    pub fn submit(&self, job: Job) {
        if let Some(jobs) = &self.jobs {
            // The thread is gone only after a panic outside a check; nothing to do then.
            let _ = jobs.send(job);
        }
    }
}

impl Drop for Checker {
    /// Waits for the check under way, so that nothing is published after the server's
    /// writer has been closed.
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Work {
    out: Sender<Outgoing>,
    workspace: Workspace,
    encoding: Encoding,
    /// What was last published on each `ttx.yaml` that is not open: its notes about an
    /// architecture or roster that does not load.
    notes: HashMap<PathBuf, Vec<Diagnostic>>,
}

impl Work {
    fn serve(&mut self, jobs: &Receiver<Job>) {
        let mut todo: Vec<Due> = Vec::new();
        // The files checked since the checker was last idle, for their programs' notes.
        let mut checked: Vec<PathBuf> = Vec::new();
        loop {
            if todo.is_empty() {
                match jobs.recv() {
                    Ok(job) => self.take(job, &mut todo),
                    Err(_) => return,
                }
            }
            // Whatever came while the last file was checked goes in first.
            loop {
                match jobs.try_recv() {
                    Ok(job) => self.take(job, &mut todo),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => return,
                }
            }
            if todo.is_empty() {
                continue;
            }
            let next = todo.remove(0);
            self.publish_file(&next);
            if !checked.contains(&next.path) {
                checked.push(next.path);
            }
            if todo.is_empty() {
                self.publish_program_notes(&std::mem::take(&mut checked));
            }
        }
    }

    /// Applies a job's updates and puts its files first in `todo`, each file once, at the
    /// version the job names.
    fn take(&mut self, job: Job, todo: &mut Vec<Due>) {
        for update in job.updates {
            match update {
                Update::Text(path, text) => self.workspace.set_text(&path, text),
                Update::Closed(path, uri) => {
                    self.workspace.close(&path);
                    todo.retain(|d| d.path != path);
                    self.publish(uri, Vec::new(), None);
                }
            }
        }
        todo.retain(|d| !job.due.iter().any(|n| n.path == d.path));
        todo.splice(0..0, job.due);
    }

    fn publish_file(&mut self, due: &Due) {
        // A document closed since it was marked has had its diagnostics cleared.
        if self.workspace.text(&due.path).is_none() {
            return;
        }
        // A bug in a check must not end the author's editing session: the file gets no
        // new diagnostics and the checker goes on with the next. The file's ids are parsed
        // first, for the requests that wait on them (a completion in a large file lists the
        // last parse's until then).
        let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.workspace.prepare(&due.path);
            self.workspace.diagnostics(&due.path)
        }));
        let Ok(found) = found else {
            return;
        };
        let Some(text) = self.workspace.text(&due.path) else {
            return;
        };
        let lines = LineIndex::new(text);
        let diagnostics = found
            .iter()
            .map(|d| convert::diagnostic(d, text, &lines, self.encoding))
            .collect();
        self.publish(due.uri.clone(), diagnostics, Some(due.version));
    }

    /// `ttx validate` notes in ttx.yaml when the architecture or roster does not load; the
    /// editor shows them on that file even when it is not open. Once per program, after
    /// the files of a burst of changes are checked.
    fn publish_program_notes(&mut self, checked: &[PathBuf]) {
        let mut seen = std::collections::HashSet::new();
        for path in checked {
            let notes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.workspace.program_notes(path)
            }));
            let Ok(Some((program, notes))) = notes else {
                continue;
            };
            if !seen.insert(program.clone())
                || self.workspace.text(&program).is_some()
                || self
                    .notes
                    .get(&program)
                    .map_or(notes.is_empty(), |n| *n == notes)
            {
                continue;
            }
            let text = std::fs::read_to_string(&program).unwrap_or_default();
            let lines = LineIndex::new(&text);
            let diagnostics = notes
                .iter()
                .map(|d| convert::diagnostic(d, &text, &lines, self.encoding))
                .collect();
            self.publish(uri_of(&program), diagnostics, None);
            self.notes.insert(program, notes);
        }
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
        let note = Notification::new(
            lsp::notification::PublishDiagnostics::METHOD.into(),
            lsp::PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        );
        // The writer is gone only when the client is; the request thread then ends.
        let _ = self
            .out
            .send(Outgoing::Message(Message::Notification(note)));
    }
}
