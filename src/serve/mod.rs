//! `ttx serve`: the exercise of `ttx run` (same journal, same determinism, the console
//! beside it), and a web console for everyone in it: a page per role, per person, for
//! observers, for the room's projector and for the facilitator, each showing only what
//! the engine's projection lets that audience see, live over server-sent events.
//!
//! The exercise lives on its own thread behind the engine's driver; the HTTP server runs
//! on a small tokio runtime beside it. Every input, from the terminal, the pipe or a
//! page, goes through the same driver, so it is journaled in one order; the driver's
//! watcher hands each journaled event to the [`hub::Hub`], which renders and fans it out.

mod guard;
mod hub;
mod links;
mod lock;
mod pages;
mod routes;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, mpsc};

use ttx_engine::exercise::facilitation::Open;

use crate::exit::Exit;
use crate::run_cmd::{self, Hold, Input, StartArgs};
use links::{Issued, Keys};
use ttx_engine::exercise::event::LinkChange;

/// The options of `ttx serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub start: StartArgs,
    /// The address to listen on. Anything but loopback makes the links reachable from
    /// the network: they are bearer secrets, and TLS belongs in a reverse proxy.
    #[arg(long, default_value = "127.0.0.1:7878")]
    pub bind: String,
    /// Write the join links to this file as JSON (created readable by you only).
    #[arg(long)]
    pub links: Option<PathBuf>,
    /// The address the links name when a reverse proxy serves the pages, e.g.
    /// https://ttx.example.org (default: http:// and the bound address).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

fn fail(message: impl std::fmt::Display) -> Exit {
    eprintln!("error: {message}");
    Exit::Usage
}

/// Runs `ttx serve`.
pub fn run(args: ServeArgs) -> Exit {
    if args.start.scenario.is_none() && args.start.resume.is_none() {
        return fail("name a scenario, or a journal with --resume");
    }
    if let Some(url) = &args.public_url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return fail(format!(
            "`{url}` is not an address the links can name; write it like https://ttx.example.org"
        ));
    }
    let prepared = match run_cmd::prepare(&args.start) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let (journal, resuming) = match &prepared.open {
        Open::Begin { journal, .. } => (journal.clone(), false),
        Open::Resume { journal, .. } => (journal.clone(), true),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("serve")
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the server: {e}")),
    };
    // Listen first: a port in use is found before a journal is created.
    let listener = match runtime.block_on(tokio::net::TcpListener::bind(&args.bind)) {
        Ok(l) => l,
        Err(e) => {
            return fail(format!(
                "cannot listen on {}: {e}; choose another address with --bind (e.g. --bind 127.0.0.1:7879)",
                args.bind
            ));
        }
    };
    let addr: SocketAddr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => return fail(format!("cannot listen on {}: {e}", args.bind)),
    };
    if !addr.ip().is_loopback() {
        eprintln!(
            "warning: listening on {addr}, beyond this machine: anyone who has a link can join, and the traffic is not encrypted; put a TLS reverse proxy in front (see SECURITY.md) and give its address with --public-url"
        );
    }
    let base = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .to_string();

    let keys_path = links::keys_path(&journal);
    let kept = if resuming {
        match Keys::load(&keys_path) {
            Ok(k) => k,
            Err(e) => return fail(e),
        }
    } else {
        None
    };
    let scenario = prepared.loaded.value.clone();
    let roster = prepared.roster.clone();
    let (keys, issued) = match kept {
        Some(k) => (k, Vec::new()),
        None => match Keys::issue(links::grants(&scenario, roster.as_ref())) {
            Ok(k) => k,
            Err(e) => return fail(e),
        },
    };
    let fresh = !issued.is_empty();
    // Off a terminal (a service manager, `2>serve.log`, CI) the tokens are never printed,
    // so they must be in a file: the one named, or one beside the journal. On --resume
    // the file written when the exercise started is the one a reissue updates.
    let links_file = args.links.clone().or_else(|| {
        let beside = links::default_links_path(&journal);
        ((fresh && !std::io::stderr().is_terminal()) || (!fresh && beside.exists()))
            .then_some(beside)
    });
    let hub = hub::Hub::new(
        scenario,
        roster,
        links::Book::new(
            keys,
            keys_path.clone(),
            links_file.clone(),
            base.clone(),
            issued.clone(),
        ),
    );

    let (tx, rx) = mpsc::channel::<Input>();
    let watcher = {
        let hub = hub.clone();
        Box::new(move |j| hub.journaled(j)) as ttx_engine::exercise::driver::Watcher
    };
    let (driver, opened) =
        match run_cmd::spawn_driver(prepared, args.start.truth, tx.clone(), Some(watcher)) {
            Ok(d) => d,
            Err(code) => return code,
        };
    if fresh {
        // The hashes go beside the journal (now that it exists), the tokens only to the
        // facilitator.
        if let Err(e) = hub.links(|b| b.keys().save(&keys_path)) {
            return fail(e);
        }
        if let Some(path) = &links_file {
            let text = serde_json::to_string_pretty(&links::links_json(&base, &issued))
                .unwrap_or_default();
            if let Err(e) = links::write_private(path, &(text + "\n")) {
                return fail(e);
            }
        }
    } else if args.links.as_ref().is_some_and(|f| !f.exists()) {
        eprintln!(
            "warning: the links issued when this exercise started keep working, and only their hashes are kept, so --links has nothing to write on --resume; use the links file written then (a `links reissue NAME` writes its new link there)"
        );
    }
    let written = if fresh { links_file.clone() } else { None };
    let driver = Arc::new(driver);
    hub.set_driver(driver.clone());

    let ctx = Arc::new(routes::Ctx {
        hub: hub.clone(),
        public: args.public_url.clone(),
    });
    let app = routes::router(ctx);
    let mut stopping = hub.stopping.subscribe();
    let server = runtime.spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopping.wait_for(|s| *s).await;
            })
            .await
    });
    watch_signals(tx.clone());
    eprintln!("serving on {base}");
    print_links(&base, &issued, fresh, written.as_deref());
    let local = {
        let hub = hub.clone();
        move |line: &str| links_command(line, &hub)
    };
    let exit = run_cmd::drive(
        &driver,
        opened,
        (tx, rx),
        resuming,
        Hold::UntilStopped,
        Some(&local),
    );
    // Streams end, the server drains, then the exercise thread closes the journal.
    let _ = hub.stopping.send(true);
    let _ = runtime
        .block_on(async { tokio::time::timeout(std::time::Duration::from_secs(5), server).await });
    hub.clear_driver();
    drop(driver);
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    exit
}

/// How long a stop may take once asked for: the server drains for up to 5 s, then the
/// exercise thread closes the journal.
const STOP_DEADLINE: std::time::Duration = std::time::Duration::from_secs(8);

/// Watches for SIGINT and SIGTERM on a thread and a runtime of their own, so a stop is
/// heard whatever the server's workers are doing. The first signal asks the console to
/// stop (the server drains, the journal is closed); if the process is still here after
/// [`STOP_DEADLINE`], or at a second signal, it waits for the journal write in hand and
/// exits: every acknowledged input is already on disk.
fn watch_signals(stop: mpsc::Sender<Input>) {
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                wait_for_signal().await;
                let _ = stop.send(Input::Stop);
                let _ = tokio::time::timeout(STOP_DEADLINE, wait_for_signal()).await;
            });
            let _writes = ttx_engine::exercise::journal::quiesce();
            eprintln!(
                "error: the server did not stop in time; exiting now (every acknowledged input is in the journal; resume it with `ttx serve --resume`)"
            );
            std::process::exit(2);
        });
    if let Err(e) = spawned {
        eprintln!(
            "warning: cannot watch for SIGTERM and Ctrl-C ({e}); stop the server with `quit`"
        );
    }
}

/// SIGINT or SIGTERM (Ctrl-C elsewhere).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        let mut int = match signal(SignalKind::interrupt()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The join links at a terminal; anywhere else (a log file, a service manager's journal)
/// only where they are and how many, since a log must not hold bearer secrets.
fn print_links(base: &str, issued: &Issued, fresh: bool, file: Option<&std::path::Path>) {
    if !fresh {
        eprintln!(
            "the links issued when this exercise started keep working (only their hashes are kept)"
        );
        return;
    }
    if !std::io::stderr().is_terminal() {
        let at = file.map_or_else(|| "no file".to_string(), |f| f.display().to_string());
        eprintln!(
            "{} join links written to {at} (readable by you only); they are not printed because standard error is not a terminal; `links NAME` on the console shows one",
            issued.len()
        );
        return;
    }
    eprintln!(
        "join links (bearer secrets: send each only to its holder; `links NAME` shows a QR code):"
    );
    for (g, t) in issued {
        eprintln!("  {:<24} {}", g.label(), links::url(base, t));
    }
}

/// The console's `links` commands (a front end's own: the engine knows nothing of tokens,
/// only journals what was done): the list, one link with its QR code for a phone in the
/// room, `links revoke NAME` and `links reissue NAME`.
fn links_command(line: &str, hub: &hub::Hub) -> Option<String> {
    let mut words = line.split_whitespace();
    if words.next() != Some("links") {
        return None;
    }
    let first = words.next();
    let change = match first {
        Some("revoke") => Some(LinkChange::Revoked),
        Some("reissue") => Some(LinkChange::Reissued),
        _ => None,
    };
    if let Some(change) = change {
        let Some(name) = words.next() else {
            return Some(format!(
                "! name the link: `links {} NAME` (NAME: observer, room, a role or a person; `role:ID` or `person:ID` when both share it)",
                first.unwrap_or_default()
            ));
        };
        return Some(match hub.change_link(name, change) {
            Ok(text) => text,
            Err(why) => format!("! {why}"),
        });
    }
    let (known, base) = hub.links(|b| (b.known().clone(), b.base().to_string()));
    let Some(name) = first else {
        if known.is_empty() {
            return Some(
                "the links were issued when this exercise started and only their hashes are kept; they are in the links file written then. `links revoke NAME` and `links reissue NAME` still work".into(),
            );
        }
        let mut out = String::new();
        for (g, t) in &known {
            out.push_str(&format!("{:<24} {}\n", g.label(), links::url(&base, t)));
        }
        out.push_str("`links NAME` shows one as a QR code (NAME: facilitator, observer, room, a role or a person); `links revoke NAME`, `links reissue NAME`");
        return Some(out);
    };
    let found = known
        .iter()
        .find(|(g, _)| links::name_of(g) == name || links::qualified_name(g) == name);
    let Some((g, t)) = found else {
        return Some(match hub.links(|b| b.keys().named(name)) {
            // A live link whose token this run does not know (issued before a resume).
            Ok(g) => format!(
                "! the link of {} was issued when this exercise started and only its hash is kept; it is in the links file written then, or `links reissue {name}` makes a new one",
                g.label()
            ),
            Err(why) => format!("! {why}"),
        });
    };
    let url = links::url(&base, t);
    let qr = match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::unicode::Dense1x2>()
            .quiet_zone(true)
            .build(),
        Err(e) => format!("(no QR code: {e})"),
    };
    Some(format!("{}: {url}\n{qr}", g.label()))
}
