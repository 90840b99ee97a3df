//! A language-server client for the tests and the benchmark: starts `ttx lsp` as a
//! process and speaks JSON-RPC to it over its standard input and output, every wait
//! bounded by a deadline.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any one answer may take before the test fails (debug builds on 2 cores).
pub const DEADLINE: Duration = Duration::from_secs(120);

/// A running `ttx lsp` and what it has said.
pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    pub notifications: Vec<Value>,
}

impl Client {
    /// Starts `ttx lsp` without initializing it.
    pub fn spawn(ttx: &Path) -> Client {
        let mut child = Command::new(ttx)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ttx lsp starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut out = BufReader::new(stdout);
            while let Some(body) = read_frame(&mut out) {
                let Ok(v) = serde_json::from_slice::<Value>(&body) else {
                    return;
                };
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            rx,
            next_id: 1,
            notifications: Vec::new(),
        }
    }

    /// Starts `ttx lsp` and initializes it for the workspace folder `root`, checking
    /// after `debounce_ms` of quiet.
    pub fn start(ttx: &Path, root: &Path, debounce_ms: u64) -> Client {
        let mut c = Client::spawn(ttx);
        let answer = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": "w"}],
                "capabilities": {},
                "initializationOptions": {"debounce_ms": debounce_ms},
            }),
        );
        assert!(answer["result"]["capabilities"].is_object(), "{answer}");
        c.notify("initialized", json!({}));
        c
    }

    /// Writes bytes as they are.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write");
        stdin.flush().expect("flush");
    }

    fn send(&mut self, v: &Value) {
        let body = v.to_string();
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.send_raw(framed.as_bytes());
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response (the whole message).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|v| v.get("id") == Some(&json!(id)) && v.get("method").is_none())
    }

    /// The next message that `wanted` accepts; notifications passed over are kept.
    pub fn wait(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.notifications.iter().position(&wanted) {
            return self.notifications.remove(i);
        }
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(v) if wanted(&v) => return v,
                Ok(v) => self.notifications.push(v),
                Err(RecvTimeoutError::Timeout) => panic!("ttx lsp did not answer in time"),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("ttx lsp closed its output; stderr: {}", self.stderr_now())
                }
            }
        }
    }

    /// The diagnostics published for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let v = self.wait(|v| {
            v["method"] == "textDocument/publishDiagnostics"
                && v["params"]["uri"] == uri
                && v["params"]["version"] == version
        });
        v["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Opens a document with `text` (version 1) and returns its URI.
    pub fn open(&mut self, path: &Path, text: &str) -> String {
        let uri = uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        uri
    }

    /// Replaces a document's whole text.
    pub fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// Closes standard input: the client is gone.
    pub fn hang_up(&mut self) {
        self.stdin = None;
    }

    /// Everything the server says until it closes its output (after `exit`), added to
    /// the notifications kept.
    pub fn drain(&mut self) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(v) => self.notifications.push(v),
                Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => panic!("ttx lsp did not close its output"),
            }
        }
    }

    /// Waits for the server to end, within the deadline, and returns its status and
    /// standard error.
    pub fn finish(mut self) -> (ExitStatus, String) {
        self.stdin = None;
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return (status, self.stderr_now());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("ttx lsp did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stderr_now(&mut self) -> String {
        let mut s = String::new();
        if self.child.try_wait().ok().flatten().is_some()
            && let Some(mut e) = self.child.stderr.take()
        {
            let _ = e.read_to_string(&mut s);
        }
        s
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `file:` URI of a path (the tests' paths need no escaping).
pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The protocol position (line, UTF-16 column) of byte `offset` in `text`.
pub fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": before[start..].encode_utf16().count()})
}

/// `{textDocument, position}` at the end of the first `marker` in `text`.
pub fn at(uri: &str, text: &str, marker: &str) -> Value {
    let offset = text.find(marker).unwrap_or_else(|| panic!("no {marker:?}")) + marker.len();
    json!({"textDocument": {"uri": uri}, "position": position(text, offset)})
}

/// A scenario's `text` with injects of long text to `role` added at the head of its MSEL
/// until one more would pass `most` bytes (long texts, so a file of megabytes stays
/// inside the parser's limit on values); and how many were added.
pub fn grown(text: &str, role: &str, most: usize) -> (String, usize) {
    let chatter = "Routine chatter on the channel, nothing to act on here. ".repeat(14);
    let mut extra = String::new();
    let mut n = 0;
    loop {
        let inject = format!(
            "  - id: filler-{n}\n    at: 1h\n    to: [{role}]\n    via: chat\n    text: \"{n}: {chatter}\"\n"
        );
        if text.len() + extra.len() + inject.len() > most {
            break;
        }
        extra.push_str(&inject);
        n += 1;
    }
    let at = text.find("injects:\n").expect("injects") + "injects:\n".len();
    let mut out = text.to_string();
    out.insert_str(at, &extra);
    (out, n)
}

/// The YAML files directly in `dir`, sorted.
pub fn yaml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn read_frame(input: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse().ok();
        }
    }
    let mut body = vec![0; length?];
    input.read_exact(&mut body).ok()?;
    Some(body)
}
