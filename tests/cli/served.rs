//! A `ttx serve` started and stopped by a test: on loopback, on a free port, with its
//! journal and links in a fresh folder, killed when the test ends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::root;

/// The scenario the web console tests play, from Acme's program (its roster gives person
/// links).
pub const SCENARIO: &str = "../../scenarios/payments-credential-leak.yaml";

/// A running server.
pub struct Served {
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    stderr: Arc<Mutex<String>>,
    stdout: Arc<Mutex<String>>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The port.
    pub port: u16,
    /// The folder of the journal and links.
    pub dir: PathBuf,
    /// The links file as written at the first start.
    pub links: Value,
}

/// A free loopback port (the listener is closed again before the server binds it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A fresh folder for one test's files.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("serve")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("test folder");
    dir
}

impl Served {
    /// Starts a new exercise of [`SCENARIO`], seed 7, pinned clock.
    pub fn start(name: &str) -> Served {
        Served::start_with(name, SCENARIO)
    }

    /// Starts a new exercise of `scenario` (a path from examples/acme), seed 7, pinned clock.
    pub fn start_with(name: &str, scenario: &str) -> Served {
        let dir = fresh_dir(name);
        let port = free_port();
        let journal = dir.join("j.jsonl");
        let links = dir.join("links.json");
        let args = vec![
            "serve".to_string(),
            scenario.to_string(),
            "--seed".into(),
            "7".into(),
            "--now".into(),
            "2026-05-14T14:00:00Z".into(),
            "--journal".into(),
            journal.display().to_string(),
            "--bind".into(),
            format!("127.0.0.1:{port}"),
            "--links".into(),
            links.display().to_string(),
        ];
        let mut s = Served::spawn(&args, dir, port);
        let text = std::fs::read_to_string(s.dir.join("links.json")).expect("links file");
        s.links = serde_json::from_str(&text).expect("links JSON");
        s
    }

    /// Resumes this server's journal on the same port after it was killed.
    pub fn resume(&mut self) {
        let journal = self.dir.join("j.jsonl");
        let args = vec![
            "serve".to_string(),
            "--resume".into(),
            journal.display().to_string(),
            "--bind".into(),
            format!("127.0.0.1:{}", self.port),
        ];
        let links = self.links.clone();
        let fresh = Served::spawn(&args, self.dir.clone(), self.port);
        let old = std::mem::replace(self, fresh);
        drop(old);
        self.links = links;
    }

    fn spawn(args: &[String], dir: PathBuf, port: u16) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ttx"))
            .args(args)
            .current_dir(root().join("examples/acme"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ttx serve starts");
        let collect = |from: Box<dyn Read + Send>| {
            let text = Arc::new(Mutex::new(String::new()));
            let sink = text.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(from).lines() {
                    let Ok(line) = line else { break };
                    let mut s = sink.lock().unwrap();
                    s.push_str(&line);
                    s.push('\n');
                }
            });
            text
        };
        let stderr = collect(Box::new(child.stderr.take().expect("stderr")));
        let stdout = collect(Box::new(child.stdout.take().expect("stdout")));
        let stdin = child.stdin.take();
        let mut s = Served {
            child: Some(child),
            stdin,
            stderr,
            stdout,
            base: format!("http://127.0.0.1:{port}"),
            port,
            dir,
            links: Value::Null,
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        while !s.stderr().contains("serving on ") {
            if let Some(Ok(Some(status))) = s.child.as_mut().map(|c| c.try_wait()) {
                panic!("ttx serve exited with {status}:\n{}", s.stderr());
            }
            assert!(
                Instant::now() < deadline,
                "ttx serve did not start:\n{}",
                s.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        s
    }

    /// What the server printed on standard error so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// What the server printed on standard output (the console's transcript) so far.
    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// Waits (bounded) until standard output holds `text`.
    pub fn until_stdout(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let out = self.stdout();
            if out.contains(text) {
                return out;
            }
            assert!(Instant::now() < deadline, "never printed `{text}`:\n{out}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A token from the links file, e.g. `["roles", "oncall"]`.
    pub fn token(&self, path: &[&str]) -> String {
        let mut v = &self.links;
        for p in path {
            v = &v[p];
        }
        v["token"].as_str().expect("a token").to_string()
    }

    /// Sends a console line on the server's standard input.
    pub fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").expect("stdin takes the line");
    }

    /// Closes the server's standard input.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// `kill -9`: no chance to finish anything.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM, and the exit code once the server has stopped (bounded).
    pub fn terminate(&mut self) -> Option<i32> {
        let mut c = self.child.take()?;
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(c.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = c.try_wait() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = c.kill();
                let _ = c.wait();
                panic!("ttx serve did not stop on SIGTERM:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    /// Waits (bounded) for the server to exit: its exit code, or `None` if it did not
    /// exit in time (then it is killed) or was ended by a signal.
    pub fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let mut c = self.child.take()?;
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = c.try_wait() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = c.kill();
                let _ = c.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The journal's lines.
    pub fn journal(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.join("j.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("journal line"))
            .collect()
    }

    /// How many lines the journal has.
    pub fn journal_len(&self) -> usize {
        self.journal().len()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// An HTTP client that never follows redirects and never treats a status as an error.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A response: status, headers we look at, body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn reply(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut r = r.expect("the server answers");
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    Reply {
        status: r.status().as_u16(),
        headers,
        body: r.body_mut().read_to_string().unwrap_or_default(),
    }
}

/// `POST /api/command` with a bearer token.
pub fn command(s: &Served, token: &str, line: &str) -> Reply {
    reply(
        agent()
            .post(format!("{}/api/command", s.base))
            .header("Authorization", format!("Bearer {token}"))
            .send(line),
    )
}

/// `GET path` with the join cookie of `token` (or none).
pub fn get(s: &Served, path: &str, cookie: Option<&str>) -> Reply {
    let mut req = agent().get(format!("{}{path}", s.base));
    if let Some(t) = cookie {
        req = req.header("Cookie", format!("ttx={t}"));
    }
    reply(req.call())
}

/// A form post from a page: the cookie, an `Origin`, the fields.
pub fn form(s: &Served, token: &str, origin: Option<&str>, fields: &[(&str, &str)]) -> Reply {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut req = agent()
        .post(format!("{}/act", s.base))
        .header("Cookie", format!("ttx={token}"))
        .header("Content-Type", "application/x-www-form-urlencoded");
    if let Some(o) = origin {
        req = req.header("Origin", o);
    }
    reply(req.send(body))
}

/// Percent-encodes a form value.
pub fn enc(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// What a token's event stream sends within `wait` (a raw HTTP/1.1 read, so the test
/// sees exactly the bytes of the stream), optionally resuming from `last_event_id`.
pub fn stream(
    s: &Served,
    token: &str,
    query: &str,
    last_event_id: Option<u64>,
    wait: Duration,
) -> String {
    stream_at(s.port, token, query, last_event_id, wait)
}

/// [`stream`] from a server's port, for a thread that does not hold the server.
pub fn stream_at(
    port: u16,
    token: &str,
    query: &str,
    last_event_id: Option<u64>,
    wait: Duration,
) -> String {
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let resume = last_event_id
        .map(|id| format!("Last-Event-ID: {id}\r\n"))
        .unwrap_or_default();
    write!(
        tcp,
        "GET /api/events{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n{resume}\r\n"
    )
    .unwrap();
    let deadline = Instant::now() + wait;
    let mut out = Vec::new();
    let mut buf = [0u8; 16384];
    while Instant::now() < deadline {
        match tcp.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `id:`s of the items in a stream's text.
pub fn ids(stream: &str) -> Vec<u64> {
    stream
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .filter_map(|v| v.trim().parse().ok())
        .collect()
}

/// `POST /api/command` with a body of `len` bytes announced, as a careful client sends a
/// large body (`Expect: 100-continue`): the status line the server answers with.
pub fn oversized_command(s: &Served, token: &str, len: usize) -> String {
    let mut tcp = TcpStream::connect(("127.0.0.1", s.port)).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        tcp,
        "POST /api/command HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {token}\r\nContent-Type: text/plain\r\nContent-Length: {len}\r\nExpect: 100-continue\r\n\r\n",
        s.port
    )
    .unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = tcp.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        if out.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    String::from_utf8_lossy(&out)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}
