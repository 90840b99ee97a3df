//! The hub between the exercise thread and the web pages. The exercise thread's watcher
//! hands it every event journaled (whoever's request wrote it) and the status; the hub
//! projects each event once per view (the facilitator with and without the truth, the
//! observer, the room, each role), renders what that view shows, keeps it for pages and
//! reconnecting streams, and broadcasts it. A stream only ever picks its own view's
//! messages, so what a role receives was decided by the engine's projection, never by
//! hiding things in the browser.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{broadcast, watch};
use ttx_engine::authoring::model::roster::Roster;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::exercise::command::Command;
use ttx_engine::exercise::driver::{Driver, Journaled};
use ttx_engine::exercise::event::{Event, LinkChange, Timed};
use ttx_engine::exercise::facilitation::Verdict;
use ttx_engine::exercise::status_line::Status;
use ttx_engine::exercise::view::{self, Audience, Projector};

use super::guard::{self, Holder, Refusal};
use super::links::{self, Book, Grant};
use super::lock::Lock;
use super::pages::Pages;

/// A way of looking at the exercise: what one page and its stream show.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum View {
    /// The facilitator, with the truth revealed or not.
    Facilitator {
        /// Red-herring marks, notes, draws and held injects shown.
        truth: bool,
    },
    /// A participant-safe audience.
    Of(Audience),
}

impl View {
    /// The view a grant looks through (`truth` only counts for the facilitator).
    pub fn of(grant: &Grant, truth: bool) -> View {
        match grant {
            Grant::Facilitator => View::Facilitator { truth },
            Grant::Observer => View::Of(Audience::Observer),
            Grant::Room => View::Of(Audience::Room),
            Grant::Role(r) | Grant::Person { role: r, .. } => View::Of(Audience::Role(r.clone())),
        }
    }
}

/// One message of a stream.
#[derive(Clone, Debug)]
pub enum Message {
    /// A new entry of the feed, with its journal `seq`.
    Item(u64, Arc<str>),
    /// The clock, rendered.
    Clock(Arc<str>),
    /// The side panel (forms, question, who is connected), rendered.
    Panel(Arc<str>),
}

/// What moved since the views were last rendered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Changed {
    /// New events (and the status after them).
    Log,
    /// Only the status: a followed clock's tick, a pace set.
    Status,
    /// Only who is connected.
    Connections,
}

/// One broadcast: what changed, rendered for every view.
pub struct Published {
    /// Messages per view.
    pub per_view: HashMap<View, Vec<Message>>,
    /// Whether the exercise has ended with this update.
    pub ended: bool,
}

/// What a view has been shown so far.
#[derive(Default)]
struct Shown {
    items: Vec<(u64, Arc<str>)>,
    clock: Arc<str>,
    panel: Arc<str>,
}

/// The exercise as the pages know it.
pub struct State {
    /// The journal's events so far, in order (`seq` is the position).
    pub log: Vec<Timed>,
    /// The status without the truth.
    pub status: Option<Status>,
    /// The status with the truth.
    pub revealed: Option<Status>,
    /// Connected streams per grant.
    pub connected: BTreeMap<Grant, usize>,
    /// Whether the exercise has ended.
    pub ended: bool,
    /// The live links the facilitator may revoke or reissue: name and label.
    pub links: Vec<(String, String)>,
    projectors: Vec<Projector>,
    shown: HashMap<View, Shown>,
}

/// Per-token request budgets, and the forms already sent.
struct Guards {
    buckets: HashMap<[u8; 32], (f64, Instant)>,
    nonces: HashSet<String>,
    nonce_order: VecDeque<String>,
}

/// How many form nonces are remembered (oldest forgotten first).
const NONCES_KEPT: usize = 100_000;
/// A participant's token may post this many requests at once…
const BURST: f64 = 20.0;
/// …and this many a second after that.
const REFILL_PER_SEC: f64 = 5.0;
/// The facilitator's token drives the exercise (and scripts drive it through that
/// token), so it has ten times the budget.
const FACILITATOR_FACTOR: f64 = 10.0;

/// The hub.
pub struct Hub {
    /// The scenario played.
    pub scenario: Scenario,
    /// The program's roster, for names.
    pub roster: Option<Roster>,
    /// The links: their hashes, the links file, the tokens this run knows.
    links: Lock<Book>,
    /// The exercise thread, set once it runs.
    driver: Lock<Option<Arc<Driver>>>,
    pages: Pages,
    state: Lock<State>,
    guards: Lock<Guards>,
    tx: broadcast::Sender<Arc<Published>>,
    /// Flips to true when the server is asked to stop: streams end, the server drains.
    pub stopping: watch::Sender<bool>,
}

impl Hub {
    /// A hub for an exercise of `scenario`, before its first event.
    pub fn new(scenario: Scenario, roster: Option<Roster>, links: Book) -> Arc<Hub> {
        let mut projectors = vec![
            Projector::new(Audience::Observer),
            Projector::new(Audience::Room),
        ];
        projectors.extend(
            scenario
                .roles
                .keys()
                .map(|r| Projector::new(Audience::Role(r.to_string()))),
        );
        let (tx, _) = broadcast::channel(1024);
        Arc::new(Hub {
            pages: Pages::new(
                roster
                    .as_ref()
                    .map(|r| r.teams.iter().map(|t| t.id.to_string()).collect())
                    .unwrap_or_default(),
            ),
            scenario,
            roster,
            driver: Lock::new("the hub's exercise thread", None),
            state: Lock::new(
                "the hub's state",
                State {
                    log: Vec::new(),
                    status: None,
                    revealed: None,
                    connected: BTreeMap::new(),
                    ended: false,
                    links: links.rows(),
                    projectors,
                    shown: HashMap::new(),
                },
            ),
            guards: Lock::new(
                "the hub's request guards",
                Guards {
                    buckets: HashMap::new(),
                    nonces: HashSet::new(),
                    nonce_order: VecDeque::new(),
                },
            ),
            links: Lock::new("the hub's links", links),
            tx,
            stopping: watch::channel(false).0,
        })
    }

    /// Who a request is from (see [`guard::caller`]).
    pub fn caller(&self, headers: &axum::http::HeaderMap) -> Result<Holder, Refusal> {
        guard::caller(self.links.lock().keys(), headers)
    }

    /// Whether the token with this hash still opens the exercise.
    pub fn live(&self, key: &[u8; 32]) -> bool {
        self.links.lock().keys().live(key)
    }

    /// Lends the links to `f`, locked for `f` alone.
    pub fn links<R>(&self, f: impl FnOnce(&Book) -> R) -> R {
        f(&self.links.lock())
    }

    /// Revokes or reissues a link (the console's `links revoke NAME`, `links reissue
    /// NAME`, and the facilitator's page): the hashes are saved, then the change is
    /// journaled, without the token. Returns what to tell the facilitator (a reissue's
    /// new link among it). Blocks on the exercise thread: call it off the async workers.
    pub fn change_link(&self, name: &str, change: LinkChange) -> Result<String, String> {
        let changed = self.links.lock().change(name, change)?;
        let (rows, base) = self.links(|b| (b.rows(), b.base().to_string()));
        self.state.lock().links = rows;
        let label = changed.grant.label();
        let journaled = self.driver().and_then(|d| {
            d.execute(Command::Link {
                link: links::name_of(&changed.grant),
                change,
            })
        });
        let mut text = match &changed.token {
            Some(t) => format!(
                "the link of {label} is issued anew; the old one no longer opens the exercise. The new link (send it only to its holder): {}",
                links::url(&base, t)
            ),
            None => format!(
                "the link of {label} is revoked: it no longer opens the exercise, and its open pages stop"
            ),
        };
        if !journaled.is_some_and(|r| matches!(r.verdict, Verdict::Ok)) {
            text.push_str(
                " (the exercise did not journal it: it has stopped; the change stands in the keys file)",
            );
        }
        Ok(text)
    }

    /// The pages.
    pub fn pages(&self) -> &Pages {
        &self.pages
    }

    /// Hands the hub the exercise thread, once it runs.
    pub fn set_driver(&self, driver: Arc<Driver>) {
        *self.driver.lock() = Some(driver);
    }

    /// Lets go of the exercise thread, so it can stop once the last request is done.
    pub fn clear_driver(&self) {
        *self.driver.lock() = None;
    }

    /// The exercise thread, if it runs.
    pub fn driver(&self) -> Option<Arc<Driver>> {
        self.driver.lock().clone()
    }

    /// Lends the state to `f`, locked for `f` alone. There is no way to hold the state's
    /// guard beyond a call: a guard kept alive (a temporary in a `match`) while a page is
    /// rendered deadlocked the server (see [`super::lock`]). Take what is needed and
    /// return it; render after.
    pub fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.state.lock())
    }

    /// A receiver of what is published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.tx.subscribe()
    }

    /// Every view there is: the facilitator's two, the observer, the room, each role.
    fn views(&self) -> Vec<View> {
        let mut v = vec![
            View::Facilitator { truth: false },
            View::Facilitator { truth: true },
            View::Of(Audience::Observer),
            View::Of(Audience::Room),
        ];
        v.extend(
            self.scenario
                .roles
                .keys()
                .map(|r| View::Of(Audience::Role(r.to_string()))),
        );
        v
    }

    /// What the exercise thread's watcher calls: projects, renders, keeps and broadcasts.
    pub fn journaled(&self, j: Journaled) {
        let mut st = self.state.lock();
        let mut per_view: HashMap<View, Vec<Message>> = HashMap::new();
        let mut items: HashMap<View, Vec<(u64, Arc<str>)>> = HashMap::new();
        for (i, t) in j.events.iter().enumerate() {
            let seq = j.first + i as u64;
            if matches!(t.event, Event::End { .. } | Event::Ended { .. }) {
                st.ended = true;
            }
            let said = if matches!(t.event, Event::End { .. }) {
                view::hot_wash_said(st.log.iter().chain(&j.events[..=i]))
            } else {
                (0, 0)
            };
            for truth in [false, true] {
                if let Some(html) = self
                    .pages
                    .facilitator_item(&self.scenario, seq, t, truth, said)
                {
                    items
                        .entry(View::Facilitator { truth })
                        .or_default()
                        .push((seq, html.into()));
                }
            }
            let State { projectors, .. } = &mut *st;
            for p in projectors.iter_mut() {
                if let Some(seen) = p.project(&self.scenario, seq, t) {
                    let html = self.pages.item(&seen, p.audience());
                    items
                        .entry(View::Of(p.audience().clone()))
                        .or_default()
                        .push((seq, html.into()));
                }
            }
        }
        // Without new events only the status moved (a followed clock's tick): the
        // participants' panels, made from the log alone, cannot have changed.
        let changed = if j.events.is_empty() {
            Changed::Status
        } else {
            Changed::Log
        };
        st.log.extend(j.events);
        st.status = Some(j.status);
        st.revealed = Some(j.revealed);
        for (view, list) in items {
            let msgs = per_view.entry(view.clone()).or_default();
            let shown = st.shown.entry(view).or_default();
            for (seq, html) in list {
                msgs.push(Message::Item(seq, html.clone()));
                shown.items.push((seq, html));
            }
        }
        self.refresh(&mut st, &mut per_view, changed);
        let ended = st.ended;
        drop(st);
        let _ = self.tx.send(Arc::new(Published { per_view, ended }));
    }

    /// Re-renders every view's clock and panel, adding those that changed to `out`.
    /// Re-renders what `changed` can have changed: clocks follow the status; the
    /// facilitator's panel follows the log, the status and who is connected; every
    /// other panel follows the log alone.
    fn refresh(&self, st: &mut State, out: &mut HashMap<View, Vec<Message>>, changed: Changed) {
        for view in self.views() {
            let facilitator = matches!(view, View::Facilitator { .. });
            if changed != Changed::Connections {
                let clock: Arc<str> = self.pages.clock(st, &view).into();
                let shown = st.shown.entry(view.clone()).or_default();
                if shown.clock != clock {
                    shown.clock = clock.clone();
                    out.entry(view.clone())
                        .or_default()
                        .push(Message::Clock(clock));
                }
            }
            if changed == Changed::Log || facilitator {
                let panel: Arc<str> = self.pages.panel(&self.scenario, st, &view).into();
                let shown = st.shown.entry(view.clone()).or_default();
                if shown.panel != panel {
                    shown.panel = panel.clone();
                    out.entry(view).or_default().push(Message::Panel(panel));
                }
            }
        }
    }

    /// A stream of `grant` opened (or closed): the facilitator's page shows who is here.
    pub fn connection(&self, grant: &Grant, opened: bool) {
        let mut st = self.state.lock();
        let n = st.connected.entry(grant.clone()).or_default();
        if opened {
            *n += 1;
        } else {
            *n = n.saturating_sub(1);
            if *n == 0 {
                st.connected.remove(grant);
            }
        }
        let mut per_view = HashMap::new();
        self.refresh(&mut st, &mut per_view, Changed::Connections);
        let ended = st.ended;
        drop(st);
        if !per_view.is_empty() {
            let _ = self.tx.send(Arc::new(Published { per_view, ended }));
        }
    }

    /// What a view has been shown after `seq` (everything with `None`), its clock and
    /// panel: what a page renders and a reconnecting stream catches up with.
    pub fn catch_up(&self, view: &View, after: Option<u64>) -> Vec<Message> {
        let st = self.state.lock();
        let Some(shown) = st.shown.get(view) else {
            return Vec::new();
        };
        let mut out: Vec<Message> = shown
            .items
            .iter()
            .filter(|(seq, _)| after.is_none_or(|a| *seq > a))
            .map(|(seq, html)| Message::Item(*seq, html.clone()))
            .collect();
        out.push(Message::Clock(shown.clock.clone()));
        out.push(Message::Panel(shown.panel.clone()));
        out
    }

    /// Whether a token may post now (a bucket per token: a burst, then a steady rate).
    pub fn allow(&self, key: [u8; 32], grant: &Grant) -> bool {
        let factor = if *grant == Grant::Facilitator {
            FACILITATOR_FACTOR
        } else {
            1.0
        };
        let (burst, rate) = (BURST * factor, REFILL_PER_SEC * factor);
        let mut g = self.guards.lock();
        let now = Instant::now();
        let (tokens, since) = g.buckets.entry(key).or_insert((burst, now));
        let refilled = (*tokens + now.duration_since(*since).as_secs_f64() * rate).min(burst);
        *since = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            true
        } else {
            *tokens = refilled;
            false
        }
    }

    /// Records a form's nonce; false if that form was already sent.
    pub fn first_use(&self, nonce: &str) -> bool {
        let mut g = self.guards.lock();
        if !g.nonces.insert(nonce.to_string()) {
            return false;
        }
        g.nonce_order.push_back(nonce.to_string());
        if g.nonce_order.len() > NONCES_KEPT
            && let Some(old) = g.nonce_order.pop_front()
        {
            g.nonces.remove(&old);
        }
        true
    }
}
