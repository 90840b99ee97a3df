//! An exercise on its own thread. rhai's compiled scripts are not `Send`, so the thread
//! compiles the scenario itself, owns the [`Facilitation`] (exercise and journal), and
//! answers requests sent over a channel, in order; between requests it moves a followed
//! clock on. This is how the terminal console runs, and how a server drives an exercise:
//! a watcher is told of every event journaled, whoever's request wrote it, and of the
//! followed clock moving, so every screen can be brought up to date.

use std::sync::mpsc;
use std::time::Duration;

use crate::authoring::model::roster::Roster;
use crate::exercise::caller::Caller;
use crate::exercise::command::Command;
use crate::exercise::event::Timed;
use crate::exercise::facilitation::{Facilitation, Open, Opened, Response};
use crate::exercise::realtime::Monotonic;
use crate::exercise::state::Compiled;
use crate::exercise::status_line::Status;
use crate::exercise::view::RoleItem;

/// Everything the exercise thread needs, built on that thread (compiled scripts cannot
/// move between threads).
pub struct Setup {
    /// The compiled scenario.
    pub compiled: Compiled,
    /// How to open the session.
    pub open: Open,
    /// The roster participants are checked against.
    pub roster: Option<Roster>,
    /// Real time for the followed clock.
    pub clock: Box<dyn Monotonic>,
    /// Show the truth inline from the start.
    pub truth: bool,
}

/// What a watcher is told: the events journaled since it was last told (on opening, the
/// whole log so far), and the status after them.
#[derive(Clone, Debug)]
pub struct Journaled {
    /// The `seq` (position in the journal) of the first of `events`.
    pub first: u64,
    /// The events, in journal order; empty when only the followed clock moved.
    pub events: Vec<Timed>,
    /// The status after them, without the truth (what may be projected).
    pub status: Status,
    /// The status with the truth: held injects, what comes next, every expectation.
    pub revealed: Status,
}

/// A watcher of an exercise thread (see [`Driver::spawn_watched`]).
pub type Watcher = Box<dyn FnMut(Journaled) + Send>;

enum Request {
    Line(String, mpsc::Sender<Response>),
    Command(Caller, Box<Command>, mpsc::Sender<Response>),
    Status(mpsc::Sender<Status>),
    View(String, mpsc::Sender<Vec<RoleItem>>),
}

/// A handle on an exercise that lives on its own thread: requests go over a channel and
/// are answered in order; what the followed clock brings while nobody types goes to the
/// update callback. Dropping the driver (or [`Driver::stop`]) ends the thread after the
/// request in hand, closing the journal cleanly.
pub struct Driver {
    requests: Option<mpsc::Sender<Request>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// How often a front end should call [`Facilitation::tick`] while following real time
/// (the exercise thread of a [`Driver`] does).
pub const TICK: Duration = Duration::from_millis(200);

impl Driver {
    /// Starts the exercise thread: `setup` runs on it (compiling the scenario there), the
    /// session opens, and the thread serves requests until the driver is dropped.
    /// `on_update` receives what a followed clock delivers between requests.
    pub fn spawn<F, U>(setup: F, on_update: U) -> Result<(Driver, Opened), String>
    where
        F: FnOnce() -> Result<Setup, String> + Send + 'static,
        U: FnMut(Response, Status) + Send + 'static,
    {
        Driver::spawn_watched(setup, on_update, None)
    }

    /// Like [`Driver::spawn`], and `watch` is told of every event journaled (first the
    /// whole log on opening), whichever request or tick wrote it, and of each second the
    /// followed clock moves: what a server fans out to its pages.
    pub fn spawn_watched<F, U>(
        setup: F,
        mut on_update: U,
        mut watch: Option<Watcher>,
    ) -> Result<(Driver, Opened), String>
    where
        F: FnOnce() -> Result<Setup, String> + Send + 'static,
        U: FnMut(Response, Status) + Send + 'static,
    {
        let (ready_tx, ready_rx) = mpsc::channel::<Result<Opened, String>>();
        let (tx, rx) = mpsc::channel::<Request>();
        let thread = std::thread::Builder::new()
            .name("exercise".into())
            .spawn(move || {
                let setup = match setup() {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let Setup {
                    compiled,
                    open,
                    roster,
                    clock,
                    truth,
                } = setup;
                let (mut f, opened) =
                    match Facilitation::open(&compiled, open, roster, clock, truth) {
                        Ok(o) => o,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                let _ = ready_tx.send(Ok(opened));
                // What the watcher was last told: how much of the log, and the status.
                let mut told = 0usize;
                let mut told_status = None;
                let mut tell = |f: &Facilitation<'_>| {
                    let Some(w) = watch.as_mut() else { return };
                    let log = f.exercise().log();
                    let status = f.status_with(false);
                    if log.len() == told && told_status.as_ref() == Some(&status) {
                        return;
                    }
                    told_status = Some(status.clone());
                    let events = log[told..].to_vec();
                    let first = told as u64;
                    told = log.len();
                    w(Journaled {
                        first,
                        events,
                        revealed: f.status_with(true),
                        status,
                    });
                };
                tell(&f);
                loop {
                    match rx.recv_timeout(TICK) {
                        // The status is asked for separately: a pipe of commands does
                        // not pay for judging every condition after each one.
                        Ok(Request::Line(line, reply)) => {
                            let r = f.line(&line);
                            // Watchers hear of the events before the requester is
                            // answered, so a page is never behind its own post.
                            tell(&f);
                            let _ = reply.send(r);
                        }
                        Ok(Request::Command(caller, c, reply)) => {
                            let r = f.execute_as(&caller, *c);
                            tell(&f);
                            let _ = reply.send(r);
                        }
                        Ok(Request::Status(reply)) => {
                            let _ = reply.send(f.status());
                        }
                        Ok(Request::View(role, reply)) => {
                            let _ = reply.send(f.role_view(&role));
                        }
                        Err(mpsc::RecvTimeoutError::Timeout) => {
                            if let Some(r) = f.tick() {
                                tell(&f);
                                on_update(r, f.status());
                            } else if f.following() {
                                tell(&f);
                            }
                        }
                        Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    }
                }
            })
            .map_err(|e| format!("cannot start the exercise thread: {e}"))?;
        let mut driver = Driver {
            requests: Some(tx),
            thread: Some(thread),
        };
        match ready_rx.recv() {
            Ok(Ok(opened)) => Ok((driver, opened)),
            Ok(Err(e)) => {
                driver.stop();
                Err(e)
            }
            Err(_) => {
                driver.stop();
                Err("the exercise thread ended before the exercise opened".into())
            }
        }
    }

    fn ask<T>(&self, make: impl FnOnce(mpsc::Sender<T>) -> Request) -> Option<T> {
        let (tx, rx) = mpsc::channel();
        self.requests.as_ref()?.send(make(tx)).ok()?;
        rx.recv().ok()
    }

    /// Executes a console line; `None` if the exercise thread has gone.
    pub fn line(&self, line: &str) -> Option<Response> {
        self.ask(|tx| Request::Line(line.to_string(), tx))
    }

    /// Executes a command from the console, which may send every command.
    pub fn execute(&self, command: Command) -> Option<Response> {
        self.execute_as(Caller::Console, command)
    }

    /// Executes a command from `caller`, refused unless [`Caller::permit`] lets them.
    pub fn execute_as(&self, caller: Caller, command: Command) -> Option<Response> {
        self.ask(|tx| Request::Command(caller, Box::new(command), tx))
    }

    /// The status line.
    pub fn status(&self) -> Option<Status> {
        self.ask(Request::Status)
    }

    /// What a role has seen.
    pub fn role_view(&self, role: &str) -> Option<Vec<RoleItem>> {
        self.ask(|tx| Request::View(role.to_string(), tx))
    }

    /// Ends the exercise thread after the request in hand and waits for it, so the
    /// journal is closed (and its lock released) when this returns.
    pub fn stop(&mut self) {
        self.requests = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.stop();
    }
}
