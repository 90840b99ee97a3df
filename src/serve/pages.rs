//! The web console's pages, rendered on the server from what the engine's projection
//! lets each view see: a page as served already holds everything its audience has
//! received (a reload or a browser without JavaScript shows the same), and the live
//! stream sends the same fragments. Every text is escaped by the templates.

use minijinja::{Environment, Value, context};
use serde::Serialize;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::exercise::channel::Channel;
use ttx_engine::exercise::clock::SimTime;
use ttx_engine::exercise::event::{Event, Timed};
use ttx_engine::exercise::status_line::{Mode, Status};
use ttx_engine::exercise::view::{self, Audience, Seen, SeenKind};

use super::hub::{State, View};
use super::links::Grant;

/// The templates.
pub struct Pages {
    env: Environment<'static>,
    /// The roster's team ids, proposed as owners of improvements.
    teams: Vec<String>,
}

/// A message shown at the top of a page after a post.
#[derive(Serialize)]
pub struct Flash {
    /// `refused` or `answer`.
    pub kind: &'static str,
    /// Its lines.
    pub lines: Vec<String>,
}

/// How many of the latest messages the facilitator's panel offers for the room's screen.
const SCREENABLE: usize = 8;

#[derive(Serialize)]
struct RoleRef {
    id: String,
    title: String,
}

#[derive(Serialize)]
struct Connected {
    label: String,
    count: usize,
}

#[derive(Serialize)]
struct QuestionState {
    number: usize,
    text: String,
    state: &'static str,
}

impl Pages {
    /// Loads the templates built into the binary; `teams` are proposed as owners.
    pub fn new(teams: Vec<String>) -> Pages {
        let mut env = Environment::new();
        for (name, text) in [
            ("layout.html", include_str!("templates/layout.html")),
            ("page.html", include_str!("templates/page.html")),
            ("error.html", include_str!("templates/error.html")),
            ("join.html", include_str!("templates/join.html")),
            ("clock.html", include_str!("templates/clock.html")),
            ("item.html", include_str!("templates/item.html")),
            ("fitem.html", include_str!("templates/fitem.html")),
            ("panel_role.html", include_str!("templates/panel_role.html")),
            (
                "panel_watch.html",
                include_str!("templates/panel_watch.html"),
            ),
            (
                "panel_facilitator.html",
                include_str!("templates/panel_facilitator.html"),
            ),
        ] {
            // The templates are part of the binary and covered by tests: one that does
            // not parse is a build defect, caught by the first test that renders it.
            if let Err(e) = env.add_template(name, text) {
                eprintln!("error: built-in template {name}: {e}");
            }
        }
        // A long inject in a drop-down is cut at a word, with an ellipsis.
        env.add_filter("truncate", |text: String, n: usize| -> String {
            if text.chars().count() <= n {
                return text;
            }
            let cut: String = text.chars().take(n).collect();
            let cut = cut
                .rsplit_once(' ')
                .map_or(cut.as_str(), |(a, _)| a)
                .to_string();
            format!("{cut}…")
        });
        Pages { env, teams }
    }

    fn render(&self, name: &str, ctx: Value) -> String {
        match self.env.get_template(name).and_then(|t| t.render(ctx)) {
            // Server-sent event data may not hold a carriage return; a fragment is one
            // line of HTML less its indentation.
            Ok(html) => html.replace('\r', ""),
            Err(e) => format!("<p class=\"error\">cannot render {name}: {e}</p>"),
        }
    }

    /// One entry of the facilitator's feed: the console's line, and with the truth an
    /// inject's facilitator note. `None` for what only the truth shows, with it off.
    /// `said` is the hot wash so far, which an `end` line counts.
    pub fn facilitator_item(
        &self,
        s: &Scenario,
        seq: u64,
        t: &Timed,
        truth: bool,
        said: (usize, usize),
    ) -> Option<String> {
        let line = view::facilitator_line_with(t, truth, s.clock, || said)?;
        let note = match &t.event {
            Event::Deliver { inject, .. } if truth => s
                .injects
                .iter()
                .find(|i| i.id.as_str() == inject)
                .and_then(|i| i.notes.as_ref())
                .map(|n| n.trim().to_string()),
            _ => None,
        };
        // The channel a feed filter sorts it under.
        let channel = match &t.event {
            Event::Message(m) => Some(m.channel.to_string()),
            Event::Deliver { .. } | Event::AdHocInject { .. } => Some("inject".to_string()),
            _ => None,
        };
        Some(self.render(
            "fitem.html",
            context! { seq, line, note, channel, name => t.event.name() },
        ))
    }

    /// One entry of a participant-safe feed: with the channel a feed filter sorts it
    /// under and, on a role's page, where the role's answer to a message goes (the Talk
    /// card's `to`).
    pub fn item(&self, seen: &Seen, audience: &Audience) -> String {
        let wide = !matches!(audience, Audience::Role(_));
        let (channel, reply_to) = match (&seen.kind, audience) {
            (SeenKind::Said { channel, from, .. }, Audience::Role(role)) => {
                let to = match channel {
                    Channel::War | Channel::Team(_) => channel.to_string(),
                    Channel::Direct(a, b) => if a == role { b } else { a }.clone(),
                    Channel::Private(_) => "white".into(),
                    Channel::Character(c, _) => format!("char:{c}"),
                };
                (Some(channel.to_string()), (from != role).then_some(to))
            }
            (SeenKind::Said { channel, .. }, _) => (Some(channel.to_string()), None),
            (SeenKind::Inject { .. } | SeenKind::AdHoc { .. }, _) => {
                (Some("inject".to_string()), None)
            }
            _ => (None, None),
        };
        let forward = matches!(audience, Audience::Role(_));
        self.render(
            "item.html",
            context! { s => ser(seen), wide, channel, reply_to, forward },
        )
    }

    /// The clock of a view: the time, running or paused, time left; the facilitator's
    /// also carries the status line (with the truth when revealed).
    pub fn clock(&self, st: &State, view: &View) -> String {
        let status = match view {
            View::Facilitator { truth: true } => st.revealed.as_ref(),
            _ => st.status.as_ref(),
        };
        let Some(status) = status else {
            return self.render(
                "clock.html",
                context! { now => "0:00:00", mode => "starting" },
            );
        };
        let (mode, mode_class) = mode_words(status);
        let planned = SimTime::from_offset(status.planned);
        let left = if status.mode == Mode::Ended {
            None
        } else if status.now <= planned {
            Some(format!("{} left", planned.since(status.now).clock()))
        } else {
            Some(format!(
                "over the planned time by {}",
                status.now.since(planned).clock()
            ))
        };
        let line = matches!(view, View::Facilitator { .. }).then(|| status.to_string());
        self.render(
            "clock.html",
            context! { now => status.now.to_string(), mode, mode_class, left, status => line },
        )
    }

    /// The side panel of a view, with an empty form nonce (a page fills its own; the
    /// script keeps the page's when a new panel arrives).
    pub fn panel(&self, s: &Scenario, st: &State, view: &View) -> String {
        self.panel_with(s, st, view, "")
    }

    fn panel_with(&self, s: &Scenario, st: &State, view: &View, nonce: &str) -> String {
        let question = view::current_question(&st.log).and_then(|n| {
            s.questions.get(n - 1).map(|q| {
                context! { number => n, text => q.ask.trim() }
            })
        });
        let hot_wash = view::hot_wash_open(&st.log);
        let roles: Vec<RoleRef> = s
            .roles
            .iter()
            .map(|(id, r)| RoleRef {
                id: id.to_string(),
                title: r.title.clone(),
            })
            .collect();
        let ended = st.ended;
        match view {
            View::Of(Audience::Role(role)) => {
                let choices: Vec<Value> = view::choices(s, &st.log, role)
                    .into_iter()
                    .map(|c| {
                        context! { id => c.id, title => c.title, taken => c.taken.map(|t| t.to_string()) }
                    })
                    .collect();
                let injects: Vec<Value> = view::role_view(&st.log, s, role)
                    .into_iter()
                    .filter_map(|i| match i.kind {
                        SeenKind::Inject { inject, .. } => {
                            Some(context! { id => inject, at => i.at, text => i.text })
                        }
                        _ => None,
                    })
                    .rev()
                    .collect();
                let others: Vec<&RoleRef> = roles.iter().filter(|r| &r.id != role).collect();
                let characters: Vec<Value> = s
                    .characters
                    .iter()
                    .map(|(id, c)| context! { id => id.as_str(), name => c.name.clone() })
                    .collect();
                // The role's team channels: the scenario's teams it is in, then its own
                // players' (several people may play one role).
                let squads: Vec<Value> = s
                    .teams
                    .iter()
                    .filter(|(_, t)| t.roles.iter().any(|r| r.as_str() == role))
                    .map(|(id, t)| context! { id => id.as_str(), name => t.name.clone() })
                    .chain([context! { id => role, name => "the players of your role" }])
                    .collect();
                self.render(
                    "panel_role.html",
                    context! { nonce, question, hot_wash, ended, choices, injects, characters, squads,
                    others => ser(&others),
                    roles => ser(&roles),
                    teams => ser(&self.teams) },
                )
            }
            View::Of(_) => self.render("panel_watch.html", context! { question, hot_wash, ended }),
            View::Facilitator { truth } => {
                let connected: Vec<Connected> = st
                    .connected
                    .iter()
                    .filter(|(g, _)| **g != Grant::Facilitator)
                    .map(|(g, n)| Connected {
                        label: g.label(),
                        count: *n,
                    })
                    .collect();
                let asked: Vec<usize> = st
                    .log
                    .iter()
                    .filter_map(|t| match &t.event {
                        Event::Ask { question } => Some(*question),
                        _ => None,
                    })
                    .collect();
                let answered: Vec<usize> = st
                    .log
                    .iter()
                    .filter_map(|t| match &t.event {
                        Event::Answer { question, .. } => Some(*question),
                        _ => None,
                    })
                    .collect();
                let current = view::current_question(&st.log);
                let questions: Vec<QuestionState> = s
                    .questions
                    .iter()
                    .enumerate()
                    .map(|(i, q)| {
                        let n = i + 1;
                        QuestionState {
                            number: n,
                            text: q.ask.trim().to_string(),
                            state: if current == Some(n) {
                                "on screen"
                            } else if answered.contains(&n) {
                                "answered"
                            } else if asked.contains(&n) {
                                "asked"
                            } else {
                                "not asked"
                            },
                        }
                    })
                    .collect();
                let objectives: Vec<Value> = s
                    .objectives
                    .iter()
                    .map(|o| context! { id => o.id.as_str(), text => o.text.trim() })
                    .collect();
                // The next module to open, for its button: the first the journal has not
                // seen open.
                let next_module: Option<Value> = s
                    .modules
                    .iter()
                    .find(|m| {
                        !st.log.iter().any(|t| {
                            matches!(&t.event, Event::ModuleOpened { module, .. } if module == m.id.as_str())
                        })
                    })
                    .map(|m| context! { id => m.id.as_str(), title => m.title.trim() });
                let status = st.status.as_ref();
                let waiting: Vec<Value> = status
                    .map(|s| s.waiting.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|w| {
                        context! {
                            at => w.at.to_string(), role => w.role.clone(),
                            character => w.character.clone(), name => w.name.clone(),
                            question => w.question.clone(),
                            replies => w.replies.iter().map(|r| context! { id => r.id.clone(), text => r.text.clone() }).collect::<Vec<Value>>(),
                        }
                    })
                    .collect();
                // The latest messages of every channel, each one button from the room's
                // screen.
                let said: Vec<Value> = st
                    .log
                    .iter()
                    .enumerate()
                    .filter_map(|(seq, t)| match &t.event {
                        Event::Message(m) if !m.forward || !m.text.is_empty() => Some(context! {
                            seq, at => t.at.to_string(),
                            line => view::message_line(m),
                        }),
                        _ => None,
                    })
                    .rev()
                    .take(SCREENABLE)
                    .collect();
                // The organisation's runbook steps, as the expectations citing them fall
                // due.
                let steps: Vec<Value> = status
                    .map(|s| s.steps.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|d| {
                        context! {
                            expectation => d.expectation.clone(), role => d.role.clone(),
                            by => d.by.to_string(), runbook => d.runbook.clone(), step => d.step.clone(),
                        }
                    })
                    .collect();
                let paused = status.is_some_and(|s| s.mode == Mode::Paused);
                let following = status.is_some_and(|s| matches!(s.mode, Mode::Following(_)));
                self.render(
                    "panel_facilitator.html",
                    context! { nonce, truth, ended, hot_wash, paused, following, objectives, next_module, waiting, said, steps,
                    turns => s.clock == ttx_engine::authoring::duration::Pace::Turns,
                    connected => ser(&connected),
                    questions => ser(&questions),
                    links => st.links.iter().map(|(name, label)| context! { name, label }).collect::<Vec<Value>>(),
                    roles => ser(&roles) },
                )
            }
        }
    }

    /// A whole page for a grant: what it has received so far, newest first.
    pub fn page(&self, p: PageOf<'_>) -> String {
        let PageOf {
            scenario: s,
            state: st,
            view,
            grant,
            items,
            nonce,
            message,
            person_name,
        } = p;
        let (kind, heading, feed_title) = match grant {
            Grant::Facilitator => (
                "facilitator",
                "Facilitator".to_string(),
                "Everything that happened",
            ),
            Grant::Observer => (
                "observer",
                "Observer (read-only)".to_string(),
                "What the roles have seen and done",
            ),
            Grant::Room => ("room", "Room screen".to_string(), "Sent to everyone"),
            Grant::Role(r) => (
                "participant",
                role_heading(s, r, None),
                "What you have received and done",
            ),
            Grant::Person { role, .. } => (
                "participant",
                role_heading(s, role, person_name),
                "What you have received and done",
            ),
        };
        let panel = self.panel_with(s, st, view, nonce);
        let truth = matches!(view, View::Facilitator { truth: true });
        let items: Vec<Value> = items
            .into_iter()
            .rev()
            .map(|h| Value::from_safe_string(h.to_string()))
            .collect();
        let seq = st.log.len().saturating_sub(1);
        let clock = Value::from_safe_string(self.clock(st, view));
        let live = !st.ended || matches!(grant, Grant::Facilitator | Grant::Observer);
        let role = match view {
            View::Of(Audience::Role(r)) => Some(r.as_str()),
            _ => None,
        };
        self.render(
            "page.html",
            context! {
                kind, heading, feed_title, truth, seq, live, role, message => ser(&message),
                scenario => context! { title => s.title.clone(), id => s.id.as_str() },
                clock, panel => Value::from_safe_string(panel), items,
            },
        )
    }

    /// A page that says what went wrong and what to do.
    pub fn error(&self, title: &str, text: &str) -> String {
        self.render("error.html", context! { title, text })
    }

    /// The page a join link lands on: it moves on to the exercise at once (a same-site
    /// navigation, so the strict cookie it set is sent).
    pub fn join(&self, who: &str, query: &str) -> String {
        self.render("join.html", context! { who, query })
    }
}

/// What a page is made of.
pub struct PageOf<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// The exercise as the pages know it.
    pub state: &'a State,
    /// The view.
    pub view: &'a View,
    /// The grant.
    pub grant: &'a Grant,
    /// The feed so far, oldest first, rendered.
    pub items: Vec<std::sync::Arc<str>>,
    /// This page's form nonce.
    pub nonce: &'a str,
    /// A message after a post.
    pub message: Option<Flash>,
    /// A person link's name from the roster.
    pub person_name: Option<&'a str>,
}

/// A serializable value in a template's context.
fn ser<T: Serialize>(v: &T) -> Value {
    Value::from(minijinja::value::Serde(v))
}

fn role_heading(s: &Scenario, role: &str, person: Option<&str>) -> String {
    let title = s
        .roles
        .get(role)
        .map_or(role.to_string(), |r| r.title.clone());
    match person {
        Some(p) => format!("{p}, playing {title} ({role})"),
        None => format!("Playing {title} ({role})"),
    }
}

fn mode_words(status: &Status) -> (String, &'static str) {
    match status.mode {
        Mode::Running => ("running".into(), "running"),
        Mode::Following(1.0) => ("running in real time".into(), "following"),
        Mode::Following(pace) => (format!("running at {pace}x"), "following"),
        Mode::Paused => ("paused".into(), "paused"),
        Mode::Ended => ("ended".into(), "ended"),
    }
}
