//! Benchmark of the web console under a full room: 500 participant streams open on a
//! real `ttx serve` (loopback, fsync on), then
//! - fan-out: the facilitator sends an inject to every role; the time from sending it to
//!   each of the 500 streams receiving it (p50, p99 over every stream and round);
//! - decisions: a decision posted while the 500 streams are open, journaled and fsync'd
//!   before the answer (p50, p99);
//! - chat: 20 messages a second said in the war room by the roles' own links, each
//!   journaled and fsync'd before its answer (post p50, p99) and read by all 500 streams
//!   (fan-out p50, p99 from each post to each stream);
//! - memory: the server's resident memory per open stream.
//!
//!     cargo bench --bench serve
//!
//! Not a test: it never fails on a slow machine, it only prints figures. The load
//! generator shares the machine's two cores with the server, so the figures are an upper
//! bound of what a facilitator's laptop sees.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

const STREAMS: usize = 500;
const ROUNDS: usize = 30;
const DECISIONS: usize = 200;
/// Messages of the chat load, said at [`CHAT_PER_SEC`].
const CHAT: usize = 200;
const CHAT_PER_SEC: u64 = 20;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

struct Server {
    child: Child,
    port: u16,
    links: Value,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let links = dir.join("links.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ttx"))
        .args([
            "serve",
            "../../scenarios/payments-credential-leak.yaml",
            "--seed",
            "7",
            "--journal",
            dir.join("j.jsonl").to_str().unwrap(),
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--links",
            links.to_str().unwrap(),
        ])
        .current_dir(root().join("examples/acme"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ttx serve starts");
    let err = BufReader::new(child.stderr.take().unwrap());
    let mut lines = err.lines();
    for line in lines.by_ref() {
        let line = line.expect("stderr");
        if line.starts_with("serving on ") {
            break;
        }
    }
    // Keep draining stderr so the server never blocks on it.
    std::thread::spawn(move || for _ in lines {});
    let links = serde_json::from_str(&std::fs::read_to_string(links).unwrap()).unwrap();
    Server { child, port, links }
}

/// One participant's stream: reports when each round's marker arrives.
async fn participant(
    port: u16,
    token: String,
    ready: mpsc::Sender<()>,
    seen: mpsc::UnboundedSender<(usize, Instant)>,
) {
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let req = format!(
        "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    );
    tcp.write_all(req.as_bytes()).await.expect("request");
    let mut buf = vec![0u8; 8192];
    let mut text = String::new();
    let mut announced = false;
    loop {
        let n = match tcp.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let now = Instant::now();
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
        if !announced && text.contains("event: panel") {
            announced = true;
            let _ = ready.send(()).await;
        }
        while let Some(at) = text.find("bench round ") {
            let rest = &text[at + 12..];
            let Some(end) = rest.find(" marker") else {
                break;
            };
            if let Ok(round) = rest[..end].parse::<usize>() {
                let _ = seen.send((round, now));
            }
            text = rest[end..].to_string();
        }
        if text.len() > 65536 {
            text = text[text.len() - 1024..].to_string();
        }
    }
}

fn main() {
    let dir = std::env::temp_dir().join(format!("ttx-bench-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let server = start(&dir);
    let port = server.port;
    let facilitator = server.links["facilitator"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut tokens: Vec<String> = Vec::new();
    for group in ["roles", "people"] {
        for (_, v) in server.links[group].as_object().unwrap() {
            tokens.push(v["token"].as_str().unwrap().to_string());
        }
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let post = |line: &str| {
        let t = Instant::now();
        let r = agent
            .post(format!("http://127.0.0.1:{port}/api/command"))
            .header("Authorization", format!("Bearer {facilitator}"))
            .send(line)
            .expect("the server answers");
        assert_eq!(r.status().as_u16(), 200, "`{line}`");
        t.elapsed()
    };
    post("advance 5m");
    let idle_kib = rss_kib(server.child.id());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (ready_tx, mut ready_rx) = mpsc::channel::<()>(STREAMS);
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<(usize, Instant)>();
    let start_connect = Instant::now();
    for i in 0..STREAMS {
        let token = tokens[i % tokens.len()].clone();
        runtime.spawn(participant(port, token, ready_tx.clone(), seen_tx.clone()));
    }
    runtime.block_on(async {
        for _ in 0..STREAMS {
            ready_rx.recv().await.expect("a stream opens");
        }
    });
    let connected_in = start_connect.elapsed();
    // Let the server settle after the burst of connections.
    std::thread::sleep(Duration::from_millis(500));
    let loaded_kib = rss_kib(server.child.id());

    let roles: Vec<String> = server.links["roles"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let to = roles.join(",");
    let sent: Arc<std::sync::Mutex<Vec<Instant>>> = Arc::default();
    let mut fanout = Vec::new();
    for round in 0..ROUNDS {
        let t0 = Instant::now();
        sent.lock().unwrap().push(t0);
        post(&format!("inject {to} : bench round {round} marker"));
        let mut got = 0;
        runtime.block_on(async {
            while got < STREAMS {
                match tokio::time::timeout(Duration::from_secs(10), seen_rx.recv()).await {
                    Ok(Some((r, at))) if r == round => {
                        fanout.push(at.duration_since(t0));
                        got += 1;
                    }
                    Ok(Some(_)) => {}
                    _ => break,
                }
            }
        });
        if got < STREAMS {
            eprintln!("round {round}: only {got} of {STREAMS} streams received the inject");
        }
    }
    let mut decisions = Vec::new();
    for i in 0..DECISIONS {
        decisions.push(post(&format!(
            "decide oncall investigate_ci : bench decision {i}"
        )));
    }
    // The chat load: the roles talk in the war room, paced at CHAT_PER_SEC, each from its
    // own link (as a player's page does), and every stream reads every message.
    let role_tokens: Vec<(String, String)> = server.links["roles"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(role, v)| (role.clone(), v["token"].as_str().unwrap().to_string()))
        .collect();
    let mut chat_posts = Vec::new();
    let mut chat_sent = Vec::new();
    let pace = Duration::from_millis(1000 / CHAT_PER_SEC);
    let chat_start = Instant::now();
    for n in 0..CHAT {
        let (role, token) = &role_tokens[n % role_tokens.len()];
        let t0 = Instant::now();
        chat_sent.push(t0);
        let r = agent
            .post(format!("http://127.0.0.1:{port}/api/command"))
            .header("Authorization", format!("Bearer {token}"))
            .send(&format!(
                "say {role} war : bench round {} marker",
                ROUNDS + n
            ))
            .expect("the server answers");
        assert_eq!(r.status().as_u16(), 200, "chat message {n}");
        chat_posts.push(t0.elapsed());
        let next = chat_start + pace * (n as u32 + 1);
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    let mut chat_fanout = Vec::new();
    runtime.block_on(async {
        while chat_fanout.len() < CHAT * STREAMS {
            match tokio::time::timeout(Duration::from_secs(10), seen_rx.recv()).await {
                Ok(Some((r, at))) if (ROUNDS..ROUNDS + CHAT).contains(&r) => {
                    chat_fanout.push(at.duration_since(chat_sent[r - ROUNDS]));
                }
                Ok(Some(_)) => {}
                _ => break,
            }
        }
    });
    if chat_fanout.len() < CHAT * STREAMS {
        eprintln!(
            "chat: {} of {} deliveries arrived",
            chat_fanout.len(),
            CHAT * STREAMS
        );
    }
    chat_posts.sort();
    chat_fanout.sort();
    fanout.sort();
    decisions.sort();
    let per_stream = loaded_kib.saturating_sub(idle_kib) as f64 / STREAMS as f64;
    println!("ttx serve, {STREAMS} participant streams on loopback, fsync on");
    println!("  streams open in          {}", ms(connected_in));
    println!(
        "  fan-out to all streams   p50 {}  p99 {}  ({} deliveries)",
        ms(percentile(&fanout, 0.5)),
        ms(percentile(&fanout, 0.99)),
        fanout.len()
    );
    println!(
        "  decision post (fsync)    p50 {}  p99 {}  ({} posts)",
        ms(percentile(&decisions, 0.5)),
        ms(percentile(&decisions, 0.99)),
        decisions.len()
    );
    println!(
        "  chat post (fsync)        p50 {}  p99 {}  ({} messages at {CHAT_PER_SEC}/s from the roles' links)",
        ms(percentile(&chat_posts, 0.5)),
        ms(percentile(&chat_posts, 0.99)),
        chat_posts.len()
    );
    println!(
        "  chat fan-out             p50 {}  p99 {}  ({} deliveries)",
        ms(percentile(&chat_fanout, 0.5)),
        ms(percentile(&chat_fanout, 0.99)),
        chat_fanout.len()
    );
    println!(
        "  server memory            {} KiB idle, {} KiB with the streams: {:.1} KiB per stream",
        idle_kib, loaded_kib, per_stream
    );
    drop(server);
    runtime.shutdown_timeout(Duration::from_secs(1));
    let _ = std::fs::remove_dir_all(&dir);
}
