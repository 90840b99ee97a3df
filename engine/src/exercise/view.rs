//! What each audience may see of an exercise, decided in one place for every front end
//! (the console's `view`, the web console's pages and their live streams).
//!
//! A role sees its injects (channel, source, reliability, and which of the reports it
//! has seen contradict each other), ad-hoc injects to it, what other roles told it, what
//! it learnt, its own decisions and messages, the questions put to the room and the hot
//! wash; never red-herring marks, facilitator notes, draws, script output, hidden facts or
//! expectations: the [`Seen`] type has no field that could carry them. An observer sees
//! the union of what every role may see; the room's screen sees what was sent to every
//! role and the questions. The facilitator sees everything, with the truth (draws,
//! red-herring marks) behind a switch, because the facilitator's screen is often
//! projected.

use std::collections::HashSet;
use std::fmt;

use serde::Serialize;

use crate::authoring::model::scenario::Scenario;
use crate::authoring::model::sheet::Confidence;
use crate::exercise::channel::{Channel, Message, WHITE_CELL};
use crate::exercise::clock::SimTime;
use crate::exercise::event::{Event, LinkChange, Timed};

/// Who looks, among those who must not see the truth.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    /// One role's players.
    Role(String),
    /// Executives and evaluators: what every role may see, read-only.
    Observer,
    /// The room's projector: what was sent to everyone, and the questions.
    Room,
}

/// One thing an audience has seen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Seen {
    /// The event's position in the journal (its `seq`), for a stream to resume from.
    pub seq: u64,
    /// Scenario time, `H:MM:SS`.
    pub at: String,
    /// What kind of thing it is.
    #[serde(flatten)]
    pub kind: SeenKind,
    /// What the audience read or heard.
    pub text: String,
}

/// The console's name for what a role has seen.
pub type RoleItem = Seen;

/// The kinds of thing an audience sees.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SeenKind {
    /// An inject of the scenario.
    Inject {
        /// The inject's id, for `re=` (the prompt of a decision).
        inject: String,
        /// The roles it reached that this audience may know of.
        to: Vec<String>,
        /// Channel.
        via: String,
        /// Who it comes from.
        source: Option<String>,
        /// How reliable that source is (A to F).
        reliability: Option<String>,
        /// Injects this audience has seen that this one contradicts.
        conflicts_with: Vec<String>,
        /// The story time, when the scenario tells one.
        story: Option<String>,
    },
    /// An inject the facilitator made up.
    AdHoc {
        /// The roles it reached that this audience may know of.
        to: Vec<String>,
    },
    /// A role informed another.
    Message {
        /// The role that informed.
        from: String,
        /// The role informed.
        to: String,
    },
    /// Something said in the conversation the audience reads (see [`Channel`]).
    Said {
        /// The role that spoke, or `white` for the facilitator.
        from: String,
        /// Who spoke for the role.
        participant: Option<String>,
        /// Where: `war`, `dm:A+B` or `private:ROLE`.
        channel: Channel,
        /// What it answers or forwards: an inject id, or `#SEQ` of an earlier message.
        re: Option<String>,
        /// Whether it forwards the inject `re` names.
        forward: bool,
        /// What `re` names, as this audience had it: the forwarded or answered inject's
        /// text as it was delivered, or the answered message (`speaker: text`); none for
        /// something the audience never read.
        quote: Option<String>,
        /// Who said it, for a reader: the role, `the facilitator`, or the character's
        /// name.
        speaker: String,
        /// Where it was said, for a reader: `war room`, `direct message to comms`,
        /// `private line`, `question to Priya Raman`, `answer to legal`.
        place: String,
        /// A character's reliability (A to F), on their answers.
        reliability: Option<String>,
    },
    /// A fact a role's own decision brought to light.
    Learned {
        /// The role that learnt it.
        to: String,
    },
    /// A role decided (a catalog decision, or an action of its own).
    Decided {
        /// The role.
        by: String,
        /// The catalog decision's id; `None` for an action.
        decision: Option<String>,
        /// Who spoke for the role.
        participant: Option<String>,
        /// Why.
        rationale: Option<String>,
        /// How sure.
        confidence: Option<Confidence>,
        /// The inject that prompted it.
        prompted_by: Option<String>,
    },
    /// A discussion question was put to the room.
    Question {
        /// Its number, from 1.
        number: usize,
    },
    /// The room answered a question.
    Answer {
        /// Its number, from 1.
        number: usize,
    },
    /// A module opened: its title (the text is its briefing).
    Module {
        /// The module's title.
        title: String,
        /// The story time it opens at, when the scenario tells one.
        story: Option<String>,
    },
    /// The hot wash opened.
    HotWash,
    /// A hot-wash strength.
    Strength,
    /// A hot-wash area for improvement.
    Improve,
}

impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] ", self.at)?;
        match &self.kind {
            SeenKind::Inject {
                via,
                source,
                reliability,
                conflicts_with,
                story,
                ..
            } => {
                if let Some(story) = story {
                    write!(f, "(story {story}) ")?;
                }
                write!(f, "{via}")?;
                if let (Some(s), Some(r)) = (source, reliability) {
                    write!(f, " from {s} (reliability {r})")?;
                }
                write!(f, ": {}", self.text)?;
                if !conflicts_with.is_empty() {
                    write!(
                        f,
                        "   (contradicts what you heard in: {})",
                        conflicts_with.join(", ")
                    )?;
                }
                Ok(())
            }
            SeenKind::AdHoc { .. } => write!(f, "{}", self.text),
            SeenKind::Message { from, to } => write!(f, "from {from} to {to}: {}", self.text),
            SeenKind::Said {
                from,
                participant,
                channel,
                re,
                forward,
                quote,
                ..
            } => {
                let said = Message {
                    from: from.clone(),
                    participant: participant.clone(),
                    channel: channel.clone(),
                    text: self.text.clone(),
                    re: re.clone(),
                    forward: *forward,
                    reply: None,
                    reliability: None,
                    auto: false,
                };
                write!(f, "{}", message_line(&said))?;
                if let Some(q) = quote {
                    write!(f, "\n    > {q}")?;
                }
                Ok(())
            }
            SeenKind::Learned { .. } => write!(f, "you learn: {}", self.text),
            SeenKind::Decided { by, .. } => write!(f, "{by} decided: {}", self.text),
            SeenKind::Question { number } => write!(f, "question {number}: {}", self.text),
            SeenKind::Answer { number } => write!(f, "answer to question {number}: {}", self.text),
            SeenKind::Module { title, story } => {
                write!(f, "module: {title}")?;
                if let Some(story) = story {
                    write!(f, " (story {story})")?;
                }
                if !self.text.is_empty() {
                    write!(f, ": {}", self.text)?;
                }
                Ok(())
            }
            SeenKind::HotWash => write!(f, "{}", self.text),
            SeenKind::Strength => write!(f, "strength: {}", self.text),
            SeenKind::Improve => write!(f, "to improve: {}", self.text),
        }
    }
}

/// Projects a journal, event by event, onto one audience. It remembers which injects the
/// audience has seen, so a conflict is only ever named against a report it saw.
pub struct Projector {
    audience: Audience,
    seen: HashSet<String>,
    /// What each inject delivered so far said, to whomever: a forward shows it.
    delivered: std::collections::HashMap<String, String>,
    /// The messages so far by their journal place, and whether this audience read each:
    /// an answer quotes a message its reader read, and the room's screen shows any the
    /// facilitator puts on it.
    said: std::collections::HashMap<u64, (Message, bool)>,
}

impl Projector {
    /// A projector for `audience`, before the exercise's first event.
    pub fn new(audience: Audience) -> Projector {
        Projector {
            audience,
            seen: HashSet::new(),
            delivered: std::collections::HashMap::new(),
            said: std::collections::HashMap::new(),
        }
    }

    /// Who it projects for.
    pub fn audience(&self) -> &Audience {
        &self.audience
    }

    /// Whether the audience is one role and that role is `role`.
    fn is_role(&self, role: &str) -> bool {
        matches!(&self.audience, Audience::Role(r) if r == role)
    }

    /// Which of `to` this audience may know reached them: a role knows of itself, the
    /// observer of all; the room is shown only what reached every role.
    fn reached(&self, s: &Scenario, to: &[String]) -> Option<Vec<String>> {
        match &self.audience {
            Audience::Role(r) => to.iter().any(|x| x == r).then(|| vec![r.clone()]),
            Audience::Observer => Some(to.to_vec()),
            Audience::Room => s
                .roles
                .keys()
                .all(|r| to.iter().any(|x| x == r.as_str()))
                .then(|| to.to_vec()),
        }
    }

    /// A message as this audience sees it, said in `place`.
    fn said(&self, s: &Scenario, m: &Message, place: String) -> SeenKind {
        let quote = match m.re.as_deref() {
            Some(seq) if seq.starts_with('#') => seq[1..]
                .parse::<u64>()
                .ok()
                .and_then(|n| self.said.get(&n))
                .filter(|(_, read)| *read)
                .map(|(q, _)| format!("{}: {}", speaker(s, q), q.text)),
            Some(inject) if m.forward || self.seen.contains(inject) => {
                self.delivered.get(inject).cloned()
            }
            _ => None,
        };
        SeenKind::Said {
            from: m.from.clone(),
            participant: m.participant.clone(),
            channel: m.channel.clone(),
            re: m.re.clone(),
            forward: m.forward,
            quote,
            speaker: speaker(s, m),
            place,
            reliability: m.reliability.clone(),
        }
    }

    /// What the audience sees of the event at `seq` of an exercise of `s`, if anything.
    pub fn project(&mut self, s: &Scenario, seq: u64, t: &Timed) -> Option<Seen> {
        let participant_safe = !matches!(self.audience, Audience::Room);
        let (kind, text) = match &t.event {
            Event::Deliver {
                inject,
                to,
                via,
                source,
                reliability,
                conflicts_with,
                text,
                story,
                ..
            } => {
                self.delivered.insert(inject.clone(), text.clone());
                let to = self.reached(s, to)?;
                self.seen.insert(inject.clone());
                let conflicts_with = conflicts_with
                    .iter()
                    .filter(|c| self.seen.contains(c.as_str()))
                    .cloned()
                    .collect();
                let kind = SeenKind::Inject {
                    inject: inject.clone(),
                    to,
                    via: via.clone(),
                    source: source.clone(),
                    reliability: reliability.clone(),
                    conflicts_with,
                    story: story.clone(),
                };
                (kind, text.clone())
            }
            Event::ModuleOpened {
                title,
                briefing,
                story,
                ..
            } => (
                SeenKind::Module {
                    title: title.clone(),
                    story: story.clone(),
                },
                briefing.clone().unwrap_or_default(),
            ),
            Event::AdHocInject { to, text } => (
                SeenKind::AdHoc {
                    to: self.reached(s, to)?,
                },
                text.clone(),
            ),
            Event::Notify { from, to, text }
                if participant_safe
                    && (self.is_role(from)
                        || self.is_role(to)
                        || self.audience == Audience::Observer) =>
            {
                let kind = SeenKind::Message {
                    from: from.clone(),
                    to: to.clone(),
                };
                (kind, text.clone().unwrap_or_default())
            }
            Event::Message(m) => {
                let reads = match &self.audience {
                    Audience::Role(r) => m.channel.reaches(r, &s.teams),
                    Audience::Observer => m.channel.observed(),
                    Audience::Room => false,
                };
                self.said.insert(seq, (m.clone(), reads));
                if !reads {
                    return None;
                }
                if let (Some(inject), true) = (&m.re, m.forward)
                    && !self.is_role(&m.from)
                {
                    // The forward's recipient has now seen the inject.
                    self.seen.insert(inject.clone());
                }
                (self.said(s, m, message_place(m, s)), m.text.clone())
            }
            Event::Screen { message } => {
                let (m, _) = self.said.get(&(*message as u64))?.clone();
                (self.said(s, &m, "on the room screen".into()), m.text)
            }
            Event::Reveal { to, text, .. }
                if self.is_role(to) || self.audience == Audience::Observer =>
            {
                (SeenKind::Learned { to: to.clone() }, text.clone())
            }
            Event::Decision {
                by,
                decision,
                action,
                option,
                participant,
                rationale,
                confidence,
                prompted_by,
            } if self.is_role(by) || self.audience == Audience::Observer => {
                let text = match (decision, action) {
                    (Some(d), _) => decision_title_with(s, d, option.as_deref()),
                    (None, Some(a)) => a.clone(),
                    (None, None) => String::new(),
                };
                let kind = SeenKind::Decided {
                    by: by.clone(),
                    decision: decision.clone(),
                    participant: participant.clone(),
                    rationale: rationale.clone(),
                    confidence: *confidence,
                    prompted_by: prompted_by.clone(),
                };
                (kind, text)
            }
            Event::Ask { question } => {
                let ask = s.questions.get(question.checked_sub(1)?)?;
                (
                    SeenKind::Question { number: *question },
                    ask.ask.trim().to_string(),
                )
            }
            Event::Answer { question, text } => {
                (SeenKind::Answer { number: *question }, text.clone())
            }
            Event::HotWash => (
                SeenKind::HotWash,
                "the hot wash is open: what went well, and what should get better?".to_string(),
            ),
            Event::Strength { text } if participant_safe => (SeenKind::Strength, text.clone()),
            Event::Improve(i) if participant_safe => (
                SeenKind::Improve,
                match &i.owner {
                    Some(o) => format!("{} (owner: {o})", i.text),
                    None => i.text.clone(),
                },
            ),
            _ => return None,
        };
        Some(Seen {
            seq,
            at: t.at.label(s.clock),
            kind,
            text,
        })
    }
}

/// What an audience has seen so far, in journal order (each event's `seq` is its
/// position in the log).
pub fn seen_by(log: &[Timed], scenario: &Scenario, audience: Audience) -> Vec<Seen> {
    let mut p = Projector::new(audience);
    log.iter()
        .enumerate()
        .filter_map(|(i, t)| p.project(scenario, i as u64, t))
        .collect()
}

/// What one role has seen so far, in time order: the one projection of the journal that
/// is safe to show that role.
pub fn role_view(log: &[Timed], scenario: &Scenario, role: &str) -> Vec<Seen> {
    seen_by(log, scenario, Audience::Role(role.to_string()))
}

/// A catalog decision's title, or its id when it has none.
pub fn decision_title(s: &Scenario, decision: &str) -> String {
    // A reveal made by a character's reply names it `CHARACTER:REPLY`.
    if let Some((c, reply)) = decision.split_once(':')
        && let Some(character) = s.characters.get(c)
    {
        return format!("{}'s answer `{reply}`", character.name);
    }
    s.decisions
        .get(decision)
        .and_then(|d| d.title.clone())
        .unwrap_or_else(|| decision.to_string())
}

/// A decision's title with the option it was taken with, `Respond to the ransom: Refuse`.
pub fn decision_title_with(s: &Scenario, decision: &str, option: Option<&str>) -> String {
    let title = decision_title(s, decision);
    match option {
        Some(o) => {
            let o_title = s
                .decisions
                .get(decision)
                .and_then(|d| d.options.get(o))
                .map_or(o, String::as_str);
            format!("{title}: {o_title}")
        }
        None => title,
    }
}

/// Who said a message, for a reader: the role, `the facilitator`, or the character's name.
fn speaker(s: &Scenario, m: &Message) -> String {
    match s.characters.get(m.from.as_str()) {
        Some(c) if m.channel.character() == Some(m.from.as_str()) => c.name.clone(),
        _ if m.from == WHITE_CELL => "the facilitator".into(),
        _ => m.from.clone(),
    }
}

/// Where a message was said, as its reader is told beside who said it.
pub fn message_place(m: &Message, s: &Scenario) -> String {
    let name = |c: &str| {
        s.characters
            .get(c)
            .map_or(c, |c| c.name.as_str())
            .to_string()
    };
    match &m.channel {
        Channel::War => "war room".into(),
        Channel::Team(t) => format!("team channel ({})", s.team_name(t)),
        Channel::Direct(a, b) => {
            format!("direct message to {}", if *a == m.from { b } else { a })
        }
        Channel::Private(_) => "private line".into(),
        Channel::Character(c, r) if *r == m.from => format!("question to {}", name(c)),
        Channel::Character(_, r) => format!("answer to {r}"),
    }
}

/// A message as one line: who said it where, what it answers or forwards, and the text.
pub fn message_line(m: &Message) -> String {
    let (from, channel, text) = (m.from.as_str(), &m.channel, m.text.as_str());
    let who = match &m.participant {
        Some(p) => format!("{from} ({p})"),
        None => from.to_string(),
    };
    let to = |other: &str| {
        if other == WHITE_CELL {
            "the facilitator"
        } else {
            other
        }
        .to_string()
    };
    let place = match channel {
        Channel::War => "in the war room".to_string(),
        Channel::Team(t) => format!("in team {t}"),
        Channel::Direct(a, b) => format!("to {}", to(if a == from { b } else { a })),
        Channel::Private(r) if r == from => "to the facilitator".to_string(),
        Channel::Private(r) => format!("to {r} (private line)"),
        Channel::Character(c, r) if r == from => format!("asks {c}"),
        Channel::Character(_, r) => format!("to {r}"),
    };
    let text = if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    };
    match (m.re.as_deref(), m.forward) {
        (Some(inject), true) => format!("{who} forwarded {inject} {place}{text}"),
        (Some(re), false) => format!("{who} {place}, re {re}{text}"),
        (None, _) => format!("{who} {place}{text}"),
    }
}

/// The question on every screen: the last one asked, until it is answered (or another is
/// asked). Its number, from 1.
pub fn current_question(log: &[Timed]) -> Option<usize> {
    let mut current = None;
    for t in log {
        match &t.event {
            Event::Ask { question } => current = Some(*question),
            Event::Answer { question, .. } if current == Some(*question) => current = None,
            _ => {}
        }
    }
    current
}

/// Whether the facilitator has opened the hot wash to the participants.
pub fn hot_wash_open(log: &[Timed]) -> bool {
    log.iter().any(|t| matches!(t.event, Event::HotWash))
}

/// A decision a role may take, and when it took it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Choice {
    /// What the form posts: the decision's id, or `DECISION/OPTION` for one option of a
    /// decision with options.
    pub id: String,
    /// Its title (the id when it has none), with the option's title after a colon.
    pub title: String,
    /// When this role first took it (with this option).
    pub taken: Option<SimTime>,
}

/// The catalog decisions `role` may take, in the scenario's order, with when it took each:
/// a decision with options once per option.
pub fn choices(s: &Scenario, log: &[Timed], role: &str) -> Vec<Choice> {
    let taken = |id: &str, option: Option<&str>| {
        log.iter().find_map(|t| match &t.event {
            Event::Decision {
                by,
                decision: Some(x),
                option: o,
                ..
            } if by == role && x == id && o.as_deref() == option => Some(t.at),
            _ => None,
        })
    };
    let mut out = Vec::new();
    for (id, d) in s
        .decisions
        .iter()
        .filter(|(_, d)| d.by.iter().any(|r| r.as_str() == role))
    {
        let title = d.title.clone().unwrap_or_else(|| id.to_string());
        if d.options.is_empty() {
            out.push(Choice {
                id: id.to_string(),
                title: title.clone(),
                taken: taken(id.as_str(), None),
            });
        }
        for (o, o_title) in &d.options {
            out.push(Choice {
                id: format!("{id}/{o}"),
                title: format!("{title}: {o_title}"),
                taken: taken(id.as_str(), Some(o.as_str())),
            });
        }
    }
    out
}

/// How many strengths and areas for improvement the hot wash in `log` holds: each line
/// journaled as it was said, and the lists an `end` carries (a sheet's).
pub fn hot_wash_said<'a>(log: impl IntoIterator<Item = &'a Timed>) -> (usize, usize) {
    let (mut strengths, mut improvements) = (0, 0);
    for t in log {
        match &t.event {
            Event::Strength { .. } => strengths += 1,
            Event::Improve(_) => improvements += 1,
            Event::End {
                strengths: s,
                improvements: i,
            } => {
                strengths += s.len();
                improvements += i.len();
            }
            _ => {}
        }
    }
    (strengths, improvements)
}

/// One event as the facilitator's screen shows it, or `None` when it is part of the
/// truth (a draw, script output) and `truth` is off. Red-herring marks are shown only
/// with `truth`; conflicting reports are ambiguity the room lives with, so always shown.
/// An `end` counts only its own lists; [`facilitator_line_with`] counts the whole hot wash.
pub fn facilitator_line(
    t: &Timed,
    truth: bool,
    pace: crate::authoring::duration::Pace,
) -> Option<String> {
    facilitator_line_with(t, truth, pace, || hot_wash_said([t]))
}

/// [`facilitator_line`], with `said` giving the whole hot wash up to and including this
/// event, which an `end` line counts (asked for only then).
pub fn facilitator_line_with(
    t: &Timed,
    truth: bool,
    pace: crate::authoring::duration::Pace,
    said: impl FnOnce() -> (usize, usize),
) -> Option<String> {
    let at = format!("[{}]", t.at.label(pace));
    let line = match &t.event {
        Event::Start {
            scenario_id,
            scenario_version,
            seed,
            ..
        } => {
            let seed = if truth {
                format!(" (seed {seed})")
            } else {
                String::new()
            };
            format!("{at} exercise {scenario_id} {scenario_version} starts{seed}")
        }
        Event::Draw {
            cause,
            what,
            result,
        } if truth => format!("{at}   draw ({cause}): {what} -> {result}"),
        Event::Print { cause, text } if truth => format!("{at}   script ({cause}): {text}"),
        Event::Draw { .. } | Event::Print { .. } => return None,
        Event::ScriptError {
            cause,
            at: place,
            message,
        } => {
            format!("{at} ✗ script error in {cause} at {place}: {message} (the exercise goes on)")
        }
        Event::Deliver {
            inject,
            to,
            via,
            source,
            reliability,
            red_herring,
            conflicts_with,
            text,
            story,
        } => {
            let from = match (source, reliability) {
                (Some(s), Some(r)) => format!(" from {s} ({r})"),
                _ => String::new(),
            };
            let at = match story {
                Some(story) => format!("{at} [story {story}]"),
                None => at,
            };
            let mut marks = String::new();
            if *red_herring && truth {
                marks.push_str(" [red herring]");
            }
            for c in conflicts_with {
                marks.push_str(&format!(" [conflicts with {c}]"));
            }
            format!(
                "{at} → {} by {via}{from}: {text}   ({inject}){marks}",
                to.join(", ")
            )
        }
        Event::Decision {
            by,
            decision,
            action,
            option,
            confidence,
            rationale,
            participant,
            ..
        } => {
            let what = match (decision, option) {
                (Some(d), Some(o)) => format!("{d} {o}"),
                _ => decision
                    .clone()
                    .or_else(|| action.clone())
                    .unwrap_or_default(),
            };
            let conf = confidence
                .map(|c| format!(" ({})", c.as_str()))
                .unwrap_or_default();
            let who = participant
                .as_ref()
                .map(|p| format!(" (said by {p})"))
                .unwrap_or_default();
            let why = rationale
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            format!("{at} ✓ {by} decided {what}{conf}{who}{why}")
        }
        Event::Notify { from, to, text } => {
            let text = text.as_ref().map(|t| format!(": {t}")).unwrap_or_default();
            format!("{at} ✓ {from} informed {to}{text}")
        }
        Event::Message(m) => format!("{at} {}", message_line(m)),
        Event::Reveal { fact, to, text, .. } => format!("{at} ! {to} learns {fact}: {text}"),
        Event::Note { text } => format!("{at} note: {text}"),
        Event::Link { link, change } => match change {
            LinkChange::Revoked => format!("{at} the join link of {link} was revoked"),
            LinkChange::Reissued => {
                format!("{at} the join link of {link} was issued anew; the old one no longer works")
            }
        },
        Event::AdHocInject { to, text } => format!("{at} → {} (ad hoc): {text}", to.join(", ")),
        Event::Advance { to } => format!("{at} clock moves to {}", to.label(pace)),
        Event::Pause { reason } => format!("{at} paused{}", colon(reason)),
        Event::Resume { reason } => format!("{at} resumed{}", colon(reason)),
        Event::Rate {
            objective,
            rating,
            reason,
        } => format!("{at} objective {objective} rated {rating} by the facilitator: {reason}"),
        Event::Strength { text } => format!("{at} hot wash, strength: {text}"),
        Event::Improve(i) => {
            let mut line = format!("{at} hot wash, to improve: {}", i.text);
            match &i.owner {
                Some(o) => line.push_str(&format!(" (owner {o})")),
                None => line.push_str(" (no owner yet)"),
            }
            if let Some(o) = &i.objective {
                line.push_str(&format!(" [objective {o}]"));
            }
            if let Some(r) = &i.re {
                line.push_str(&format!(" [restates {r}]"));
            }
            if let Some(a) = &i.action {
                line.push_str(&format!(" => {a}"));
            }
            line
        }
        Event::Present { person, role } => match role {
            Some(r) => format!("{at} present: {person} as {r}"),
            None => format!("{at} present: {person}"),
        },
        Event::Absent { person } => format!("{at} absent: {person}"),
        Event::Answer { question, text } => format!("{at} answer to question {question}: {text}"),
        Event::Ask { question } => format!("{at} question {question} is put to the room"),
        Event::Screen { message } => format!("{at} message #{message} is put on the room screen"),
        Event::HotWash => format!("{at} the hot wash opens"),
        Event::Open { .. } => return None,
        Event::ModuleOpened {
            module,
            title,
            briefing,
            story,
        } => {
            let story = story
                .as_ref()
                .map_or(String::new(), |s| format!(" [story {s}]"));
            let briefing = briefing
                .as_ref()
                .map_or(String::new(), |b| format!(": {b}"));
            format!("{at} ▶ module {title} ({module}){story}{briefing}")
        }
        Event::Ended { cause, reason } => {
            format!("{at} the scenario ends the exercise ({cause}): {reason}")
        }
        Event::End { .. } => match said() {
            (0, 0) => format!("{at} exercise ends"),
            (strengths, improvements) => format!(
                "{at} exercise ends: {strengths} strength(s), {improvements} area(s) for improvement"
            ),
        },
    };
    Some(line)
}

fn colon(text: &Option<String>) -> String {
    text.as_ref().map(|r| format!(": {r}")).unwrap_or_default()
}
