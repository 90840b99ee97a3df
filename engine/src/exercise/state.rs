//! The exercise: a state machine over a compiled scenario, a simulated clock and one
//! seeded generator. Inputs (decisions, notifications, notes, clock moves) go in; events
//! come out. It never sleeps and never reads the wall clock, so the same scenario, seed and
//! inputs always give the same events.

use std::collections::{BTreeSet, HashMap, HashSet};

use rhai::AST;

use crate::authoring::diagnostic::Diagnostic;
use crate::authoring::duration::SimDuration;
use crate::authoring::load::Loaded;
use crate::authoring::model::scenario::{Inject, Scenario};
use crate::authoring::script::{self, Moment, RunError, ScriptHost, ScriptKind};
use crate::authoring::source::Pos;
use crate::authoring::spanned::Sp;
use crate::exercise::channel::{Channel, Message, WHITE_CELL};
use crate::exercise::clock::SimTime;
use crate::exercise::event::{Event, FileRef, Improvement, Timed};

/// A scenario with every script compiled once, ready to play any number of times.
pub struct Compiled {
    /// The loaded scenario.
    pub loaded: Loaded<Scenario>,
    setup: Option<AST>,
    inject_when: Vec<Option<AST>>,
    expect_when: Vec<Option<AST>>,
    effects: HashMap<String, AST>,
    decision_when: HashMap<String, AST>,
    reveal_when: HashMap<(String, usize), AST>,
    modifiers: HashMap<(String, usize, usize), AST>,
    /// The conditions of characters' replies, by (character, reply index).
    reply_when: HashMap<(String, usize), AST>,
    outcomes: Vec<(String, Option<AST>)>,
    /// Whether a module or an inject sets the story clock: asked at every delivery, so
    /// found once here rather than by scanning every inject each time.
    tells_story: bool,
    /// The injects timed after each inject, and after each decision, in scenario order:
    /// a delivery finds its followers without scanning every inject.
    after_inject: HashMap<String, Vec<usize>>,
    after_decision: HashMap<String, Vec<usize>>,
    /// The runbook steps the expectations cite, when the front end had the program's
    /// runbooks to read ([`Compiled::quote_runbooks`]).
    runbook_steps: Vec<crate::authoring::runbook::Cited>,
}

impl Compiled {
    /// Compiles every script of a (validated) scenario.
    pub fn new(loaded: Loaded<Scenario>) -> Result<Compiled, Vec<Diagnostic>> {
        let engine = script::sandbox();
        let mut errors = Vec::new();
        let functions = match script::compile_functions(
            &engine,
            &loaded.source,
            loaded.value.functions.as_ref(),
        ) {
            Ok(f) => f,
            Err(d) => {
                errors.push(d);
                None
            }
        };
        let mut compile = |text: &Sp<String>, kind: ScriptKind| -> Option<AST> {
            match script::compile(&engine, text, kind) {
                // Shared functions are merged into every script that may call them.
                Ok(ast) => Some(match &functions {
                    Some(f) => f.merge(&ast),
                    None => ast,
                }),
                Err(e) => {
                    let pos = script::position_in_file(&loaded.source, text.pos, e.line, e.col);
                    errors.push(Diagnostic::error(
                        &loaded.source.path,
                        pos,
                        crate::authoring::diagnostic::Code::ScriptSyntax,
                        format!("script error: {}", e.message),
                    ));
                    None
                }
            }
        };
        let s = &loaded.value;
        let setup = s
            .setup
            .as_ref()
            .and_then(|t| compile(t, ScriptKind::Script));
        let inject_when = s
            .injects
            .iter()
            .map(|i| {
                i.when
                    .as_ref()
                    .and_then(|w| compile(w, ScriptKind::Condition))
            })
            .collect();
        let expect_when = s
            .expectations
            .iter()
            .map(|e| {
                e.when
                    .as_ref()
                    .and_then(|w| compile(w, ScriptKind::Condition))
            })
            .collect();
        let outcomes = s
            .report
            .iter()
            .map(|(name, e)| (name.to_string(), compile(e, ScriptKind::Condition)))
            .collect();
        let mut effects = HashMap::new();
        let mut decision_when = HashMap::new();
        // A reply's reveals are keyed as `CHARACTER:REPLY` (no id has a `:`), beside the
        // decisions' keyed by decision id, so one reveal routine serves both.
        let mut reveal_sets: Vec<(String, &[crate::authoring::model::scenario::Reveal])> =
            Vec::new();
        let mut reply_when = HashMap::new();
        for (c, character) in &s.characters {
            for (n, r) in character.replies.iter().enumerate() {
                if let Some(ast) = r
                    .when
                    .as_ref()
                    .and_then(|w| compile(w, ScriptKind::Condition))
                {
                    reply_when.insert((c.to_string(), n), ast);
                }
                reveal_sets.push((reply_key(c.as_str(), r.id.as_str()), &r.reveals));
            }
        }
        for (id, d) in &s.decisions {
            reveal_sets.push((id.to_string(), &d.reveals));
        }
        let (mut reveal_when, mut modifiers) = (HashMap::new(), HashMap::new());
        for (key, reveals) in reveal_sets {
            for (r, reveal) in reveals.iter().enumerate() {
                if let Some(ast) = reveal
                    .when
                    .as_ref()
                    .and_then(|w| compile(w, ScriptKind::Condition))
                {
                    reveal_when.insert((key.clone(), r), ast);
                }
                for (m, modifier) in reveal.modifiers.iter().enumerate() {
                    if let Some(ast) = compile(&modifier.when, ScriptKind::Condition) {
                        modifiers.insert((key.clone(), r, m), ast);
                    }
                }
            }
        }
        for (id, d) in &s.decisions {
            if let Some(ast) = d
                .effect
                .as_ref()
                .and_then(|e| compile(e, ScriptKind::Script))
            {
                effects.insert(id.to_string(), ast);
            }
            if let Some(ast) = d
                .when
                .as_ref()
                .and_then(|w| compile(w, ScriptKind::Condition))
            {
                decision_when.insert(id.to_string(), ast);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let (mut after_inject, mut after_decision) = (
            HashMap::<String, Vec<usize>>::new(),
            HashMap::<String, Vec<usize>>::new(),
        );
        for (i, inject) in s.injects.iter().enumerate() {
            if let Some(after) = &inject.after {
                if let Some(x) = &after.inject {
                    after_inject.entry(x.to_string()).or_default().push(i);
                }
                if let Some(d) = &after.decision {
                    after_decision.entry(d.to_string()).or_default().push(i);
                }
            }
        }
        let tells_story = s.tells_story();
        Ok(Compiled {
            loaded,
            setup,
            inject_when,
            expect_when,
            effects,
            decision_when,
            reveal_when,
            modifiers,
            reply_when,
            outcomes,
            tells_story,
            after_inject,
            after_decision,
            runbook_steps: Vec::new(),
        })
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.loaded.value
    }

    /// Carries the runbook steps the expectations cite (see
    /// [`crate::authoring::runbook::cited`]), for the screens to quote when each falls due.
    pub fn quote_runbooks(&mut self, steps: Vec<crate::authoring::runbook::Cited>) {
        self.runbook_steps = steps;
    }

    /// The runbook step an expectation cites, when known.
    pub fn runbook_step(&self, expectation: &str) -> Option<&crate::authoring::runbook::Cited> {
        self.runbook_steps
            .iter()
            .find(|c| c.expectation == expectation)
    }
}

/// The files an exercise is played against, pinned by hash in the first event.
#[derive(Clone, Debug)]
pub struct Files {
    /// The scenario file.
    pub scenario: FileRef,
    /// The architecture file.
    pub architecture: Option<FileRef>,
    /// The roster file.
    pub roster: Option<FileRef>,
}

/// The two script hosts of an exercise: one seeded for the exercise's draws, one for
/// judging conditions for the status line without drawing. Building them costs more than
/// a simulated run, so a simulation hands them from run to run.
pub struct Hosts {
    /// Runs the journaled scripts and makes the seeded draws.
    pub main: ScriptHost,
    /// Judges conditions without drawing or journaling.
    pub status: ScriptHost,
}

impl Hosts {
    /// Fresh hosts, the main one seeded with `seed`.
    pub fn new(seed: u64) -> Hosts {
        Hosts {
            main: ScriptHost::new(seed),
            status: ScriptHost::new(0),
        }
    }

    /// The same hosts, ready for an exercise seeded with `seed`.
    pub fn reseed(self, seed: u64) -> Hosts {
        self.main.reseed(seed);
        self.status.reseed(0);
        self
    }
}

/// An exercise in progress.
pub struct Exercise<'c> {
    c: &'c Compiled,
    host: ScriptHost,
    status_host: ScriptHost,
    state: rhai::Map,
    now: SimTime,
    paused: bool,
    ended: bool,
    due: Vec<Option<SimTime>>,
    delivered: Vec<Option<SimTime>>,
    /// Scheduled, undelivered injects by (due time, index, occurrence): the next one is
    /// found in logarithmic time, not by scanning every inject. An inject that follows
    /// every taking of a decision (`each`) may be pending more than once.
    pending: BTreeSet<(SimTime, usize, u32)>,
    /// How many times each inject has been scheduled: the next occurrence's number.
    scheduled: Vec<u32>,
    /// Delivered injects in the order they were delivered.
    delivery_order: Vec<usize>,
    taken: HashMap<String, SimTime>,
    /// Every taking of each decision, in time order: for limits and cooldowns.
    uses: HashMap<String, Vec<SimTime>>,
    handoffs: HashSet<(String, String)>,
    revealed: HashSet<String>,
    held_expectations: HashSet<usize>,
    revealable: HashSet<String>,
    setup_state: Vec<(String, String)>,
    /// When each module opened, in scenario order.
    opened: Vec<Option<SimTime>>,
    /// The story clock: (session time, story time, how it is told) at each point that set
    /// it, in order.
    story_marks: Vec<(SimTime, SimDuration, Option<String>)>,
    log: Vec<Timed>,
}

/// What an inject can be timed after.
#[derive(Clone, Copy)]
enum Trigger<'a> {
    /// The first taking of a decision.
    Decision(&'a str),
    /// The delivery of an inject.
    Inject(&'a str),
}

/// Why the engine refused an input; nothing was recorded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

fn refuse<T>(message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(message.into()))
}

/// "no role `pmm` in this scenario (did you mean `pm`?)".
pub(crate) fn unknown<'a>(
    what: &str,
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    context: &str,
) -> String {
    match crate::authoring::suggest::did_you_mean(word, candidates) {
        Some(near) => format!("no {what} `{word}` {context} (did you mean `{near}`?)"),
        None => format!("no {what} `{word}` {context}"),
    }
}

/// How a character's reply is named where a decision id stands (a reveal's cause):
/// `CHARACTER:REPLY`. Ids have no `:`, so it is never a decision's.
pub fn reply_key(character: &str, reply: &str) -> String {
    format!("{character}:{reply}")
}

/// Whether a question mentions one of a reply's keywords (any, case-insensitive; a reply
/// without keywords answers any question).
fn mentions(question: &str, keywords: &[String]) -> bool {
    let question = question.to_lowercase();
    keywords.is_empty()
        || keywords
            .iter()
            .any(|k| question.contains(&k.to_lowercase()))
}

/// The longest message taken, in bytes: a paragraph of chat, not a document pasted in.
pub const MAX_MESSAGE_BYTES: usize = 4 * 1024;

impl<'c> Exercise<'c> {
    /// Whether a message may be said: its speaker and the roles its channel names are the
    /// scenario's (the speaker one of them, unless it is the war room or the facilitator
    /// speaks), its text is within [`MAX_MESSAGE_BYTES`], what it answers was said or
    /// delivered, and an inject it forwards is one the speaker has seen.
    fn check_message(&self, m: &Message) -> Result<(), Refusal> {
        let (from, channel, text, re, forward) = (
            m.from.as_str(),
            &m.channel,
            m.text.as_str(),
            m.re.as_deref(),
            m.forward,
        );
        let s = self.c.scenario();
        let role = |r: &str| -> Result<(), Refusal> {
            if s.roles.contains_key(r) {
                return Ok(());
            }
            refuse(unknown(
                "role",
                r,
                s.roles.keys().map(|k| k.as_str()),
                "in this scenario",
            ))
        };
        let white = from == WHITE_CELL;
        if let Some(c) = channel.character()
            && !s.characters.contains_key(c)
        {
            return refuse(unknown(
                "character",
                c,
                s.characters.keys().map(|k| k.as_str()),
                "in this scenario",
            ));
        }
        if let Channel::Team(t) = channel
            && s.team_roles(t).is_empty()
        {
            return refuse(unknown(
                "team",
                t,
                s.teams.keys().chain(s.roles.keys()).map(|k| k.as_str()),
                "in this scenario (a team of `teams:`, or a role for its own players)",
            ));
        }
        let as_character = channel.character() == Some(from);
        if !white && !as_character {
            role(from)?;
        }
        for r in channel.roles() {
            role(r)?;
        }
        if let Some(reply) = m.reply.as_deref() {
            if !as_character {
                return refuse(
                    "a scripted reply is a character's answer: `as CHARACTER ROLE REPLY`",
                );
            }
            let c = channel.character().unwrap_or_default();
            if !self.offered(c, None).iter().any(|r| r.id.as_str() == reply) {
                let replies = &s.characters[c].replies;
                return refuse(if replies.iter().any(|r| r.id.as_str() == reply) {
                    format!(
                        "{c}'s reply `{reply}` is not offered now: its condition, its time or the inject it waits for does not hold"
                    )
                } else {
                    unknown(
                        "reply",
                        reply,
                        replies.iter().map(|r| r.id.as_str()),
                        &format!("of {c}"),
                    )
                });
            }
        }
        match channel {
            Channel::War => {}
            Channel::Team(_) if white || channel.reaches(from, &s.teams) => {}
            Channel::Team(t) => {
                return refuse(format!(
                    "{from} is not in team {t}; its channel is for {}",
                    s.team_roles(t).join(", ")
                ));
            }
            Channel::Direct(a, b) if a == b => {
                return refuse(format!(
                    "a direct message goes from one role to another; {a} cannot message itself"
                ));
            }
            Channel::Character(_, r) if as_character || r == from => {}
            Channel::Character(c, r) => {
                return refuse(format!(
                    "the conversation with {c} is between {r} and {c}; {from} is neither{}",
                    if white {
                        format!(" (the facilitator answers as the character: `as {c} {r} : text`)")
                    } else {
                        String::new()
                    }
                ));
            }
            Channel::Private(r) if white || r == from => {}
            Channel::Direct(a, b) if !white && (a == from || b == from) => {}
            Channel::Private(r) => {
                return refuse(format!(
                    "the private line of {r} is between {r} and the facilitator; {from} is neither"
                ));
            }
            Channel::Direct(..) if white => {
                return refuse(
                    "the facilitator speaks to one role on its private line (`private:ROLE`), not in a direct message",
                );
            }
            Channel::Direct(a, b) => {
                return refuse(format!(
                    "a direct message between {a} and {b} is said by one of them, not by {from}"
                ));
            }
        }
        if text.trim().is_empty() && !forward {
            return refuse("a message says something: give its text after `:`");
        }
        if text.len() > MAX_MESSAGE_BYTES {
            return refuse(format!(
                "a message is at most {MAX_MESSAGE_BYTES} bytes, and this one is {}; split it, or share the document another way",
                text.len()
            ));
        }
        if forward {
            let Some(inject) = re else {
                return refuse("a forward names the inject it passes on");
            };
            if !matches!(channel, Channel::Direct(..)) || white {
                return refuse("an inject is forwarded from one role to another");
            }
            if self.revealed.contains(inject) {
                return refuse(format!(
                    "`{inject}` is a fact, not an inject: pass it on by saying it, with `re={inject}`"
                ));
            }
            if !self.has_seen(from, inject) {
                return refuse(format!(
                    "{from} has not seen `{inject}`; a role forwards what reached it"
                ));
            }
            return Ok(());
        }
        match re {
            None => Ok(()),
            Some(seq) if seq.starts_with('#') => {
                let said = seq[1..]
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| self.log.get(i))
                    .is_some_and(|t| matches!(t.event, Event::Message(_)));
                if said {
                    Ok(())
                } else {
                    refuse(format!(
                        "no message {seq} to answer; `#N` names the journal's event N, a message"
                    ))
                }
            }
            Some(inject) => {
                // A revealed fact is quoted the same way: `re=FACT` passes it on.
                if self.delivered_at(inject).is_some() || self.revealed.contains(inject) {
                    Ok(())
                } else {
                    refuse(unknown(
                        "delivered inject",
                        inject,
                        self.log.iter().filter_map(|t| match &t.event {
                            Event::Deliver { inject, .. } => Some(inject.as_str()),
                            _ => None,
                        }),
                        "to answer",
                    ))
                }
            }
        }
    }

    /// The replies of `character` offered now: the inject each waits for was delivered,
    /// its time has come and its condition holds (judged on the status host, so asking
    /// draws nothing). Those that mention a word of `question` come first, each group in
    /// the scenario's order.
    pub fn offered(
        &self,
        character: &str,
        question: Option<&str>,
    ) -> Vec<&'c crate::authoring::model::scenario::Reply> {
        let s = self.c.scenario();
        let Some(ch) = s.characters.get(character) else {
            return Vec::new();
        };
        let mut out: Vec<_> = ch
            .replies
            .iter()
            .enumerate()
            .filter(|(n, r)| {
                r.at.as_ref()
                    .is_none_or(|at| SimTime::from_offset(at.value) <= self.now)
                    && r.after
                        .as_ref()
                        .is_none_or(|i| self.delivered_at(i.as_str()).is_some())
                    && self.holds_now(self.c.reply_when.get(&(character.to_string(), *n)))
            })
            .map(|(_, r)| r)
            .collect();
        if let Some(q) = question {
            out.sort_by_key(|r| r.keywords.is_empty() || !mentions(q, &r.keywords));
        }
        out
    }

    /// A character gave a scripted reply to `role`: what it may bring to light is drawn,
    /// as a decision's reveals are.
    fn replied(&mut self, character: &str, reply: &str, role: &str, out: &mut Vec<Timed>) {
        let s = self.c.scenario();
        let Some(r) = s.characters[character]
            .replies
            .iter()
            .find(|r| r.id.as_str() == reply)
        else {
            return;
        };
        let moment = Moment {
            role: role.to_string(),
            ..self.moment()
        };
        self.reveal(&reply_key(character, reply), &r.reveals, role, &moment, out);
        if !r.reveals.is_empty() {
            self.note_conditions();
            self.deliver_due(self.now, out);
        }
    }

    /// A role asked a character: the first automatic reply offered that the question
    /// mentions goes out at once, as the engine's output (a replay sends it again).
    fn answer_by_itself(
        &mut self,
        character: &str,
        role: &str,
        question: &str,
        out: &mut Vec<Timed>,
    ) {
        let Some(reply) = self
            .offered(character, None)
            .into_iter()
            .find(|r| r.auto && mentions(question, &r.keywords))
        else {
            return;
        };
        let asked = self.log.len() + out.len() - 1;
        let c = &self.c.scenario().characters[character];
        out.push(self.timed(Event::Message(Message {
            from: character.to_string(),
            participant: None,
            channel: Channel::Character(character.to_string(), role.to_string()),
            text: script::interpolate(&reply.text, &self.state),
            re: Some(format!("#{asked}")),
            forward: false,
            reply: Some(reply.id.to_string()),
            reliability: c.reliability.map(|r| r.as_str().to_string()),
            auto: true,
        })));
        self.replied(character, reply.id.as_str(), role, out);
    }

    /// Whether `role` has seen the inject: it was delivered to the role, or forwarded to it.
    fn has_seen(&self, role: &str, inject: &str) -> bool {
        self.log.iter().any(|t| match &t.event {
            Event::Deliver { inject: i, to, .. } => i == inject && to.iter().any(|r| r == role),
            Event::Message(m) => {
                m.forward
                    && m.re.as_deref() == Some(inject)
                    && m.from != role
                    && m.channel.reaches(role, &self.c.scenario().teams)
            }
            _ => false,
        })
    }

    /// Starts an exercise: the start event, the setup script, jitter for timed injects,
    /// and the injects due at the start. Returns the exercise and its first events.
    pub fn start(c: &'c Compiled, seed: u64, files: Files) -> (Exercise<'c>, Vec<Timed>) {
        Exercise::start_on(c, seed, files, Hosts::new(seed))
    }

    /// Starts an exercise on hosts made earlier (see [`Hosts`]), reseeding them.
    pub fn start_on(
        c: &'c Compiled,
        seed: u64,
        files: Files,
        hosts: Hosts,
    ) -> (Exercise<'c>, Vec<Timed>) {
        let s = c.scenario();
        let hosts = hosts.reseed(seed);
        let mut ex = Exercise {
            c,
            host: hosts.main,
            status_host: hosts.status,
            state: rhai::Map::new(),
            now: SimTime::START,
            paused: false,
            ended: false,
            due: vec![None; s.injects.len()],
            delivered: vec![None; s.injects.len()],
            pending: BTreeSet::new(),
            scheduled: vec![0; s.injects.len()],
            delivery_order: Vec::new(),
            taken: HashMap::new(),
            uses: HashMap::new(),
            handoffs: HashSet::new(),
            revealed: HashSet::new(),
            held_expectations: HashSet::new(),
            revealable: HashSet::new(),
            setup_state: Vec::new(),
            opened: vec![None; s.modules.len()],
            story_marks: Vec::new(),
            log: Vec::new(),
        };
        let mut out = vec![ex.timed(Event::Start {
            scenario: files.scenario,
            architecture: files.architecture,
            roster: files.roster,
            scenario_id: s.id.to_string(),
            scenario_version: s.version.value.clone(),
            seed,
            ttx: env!("CARGO_PKG_VERSION").to_string(),
        })];
        if let (Some(ast), Some(text)) = (&c.setup, &s.setup) {
            ex.run_script(ast, text, "setup", &mut out);
        }
        // The state as the setup script left it is this run's hidden truth (the map is
        // ordered by name, so this is deterministic).
        ex.setup_state = ex
            .state
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (i, inject) in s.injects.iter().enumerate() {
            // An inject of a module is scheduled when its module opens.
            if let (Some(at), None) = (&inject.at, &inject.module) {
                let due = SimTime::from_offset(at.value);
                ex.schedule(i, due, &mut out);
            }
        }
        ex.note_conditions();
        ex.deliver_due(SimTime::START, &mut out);
        ex.log.extend(out.iter().cloned());
        (ex, out)
    }

    fn timed(&self, event: Event) -> Timed {
        Timed {
            at: self.now,
            event,
        }
    }

    /// Ends the exercise's use of its hosts and hands them back for the next one.
    pub fn into_hosts(self) -> Hosts {
        Hosts {
            main: self.host,
            status: self.status_host,
        }
    }

    /// When the inject at `index` (in scenario order) falls due, once something has
    /// scheduled it; it may still be held by its condition.
    pub fn inject_due(&self, index: usize) -> Option<SimTime> {
        self.due.get(index).copied().flatten()
    }

    /// When the inject at `index` was delivered, if it was.
    pub fn inject_delivered(&self, index: usize) -> Option<SimTime> {
        self.delivered.get(index).copied().flatten()
    }

    /// Current scenario time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Whether the exercise is paused.
    pub fn paused(&self) -> bool {
        self.paused
    }

    /// Whether the exercise has ended.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// The compiled scenario.
    pub fn compiled(&self) -> &'c Compiled {
        self.c
    }

    /// Every event so far.
    pub fn log(&self) -> &[Timed] {
        &self.log
    }

    /// When the next scheduled inject falls due, or the next module opens by its time,
    /// after now, if any.
    pub fn next_due(&self) -> Option<SimTime> {
        let inject = self.pending_after_now().next().map(|(t, _)| t);
        let module = self.next_module_at().filter(|t| *t > self.now);
        match (inject, module) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The next module to open (the first not opened), if any: its index.
    pub fn next_module(&self) -> Option<usize> {
        self.opened.iter().position(Option::is_none)
    }

    /// The module open now (the last opened), if any: its index.
    pub fn current_module(&self) -> Option<usize> {
        self.opened.iter().rposition(Option::is_some)
    }

    /// When a module opened, if it has.
    pub fn module_opened(&self, index: usize) -> Option<SimTime> {
        self.opened.get(index).copied().flatten()
    }

    /// When the next module opens by its own time (`at`), if it has one: never before the
    /// module ahead of it opened.
    fn next_module_at(&self) -> Option<SimTime> {
        let m = self.next_module()?;
        let at = self.c.scenario().modules[m].at.as_ref()?;
        Some(SimTime::from_offset(at.value))
    }

    /// Whether the scenario tells story time (a module or an inject sets it).
    pub fn tells_story(&self) -> bool {
        self.c.tells_story
    }

    /// The story time at session time `t`: the last story mark at or before it, run on with
    /// the session; the session time itself before any mark.
    pub fn story_at(&self, t: SimTime) -> SimDuration {
        match self.story_marks.iter().rev().find(|(at, _, _)| *at <= t) {
            Some((at, story, _)) => story.saturating_add(t.since(*at)),
            None => t.since(SimTime::START),
        }
    }

    /// The first session time at or after `from` at which the story clock reads `target`
    /// or later, if the exercise got there: where a story-time deadline passed.
    pub fn when_story_reaches(&self, from: SimTime, target: SimDuration) -> Option<SimTime> {
        if self.story_at(from) >= target {
            return Some(from);
        }
        // The story runs with the session between marks and jumps at each mark.
        let mut starts: Vec<SimTime> = self
            .story_marks
            .iter()
            .map(|(at, _, _)| *at)
            .filter(|at| *at > from)
            .collect();
        starts.insert(0, from);
        for (n, start) in starts.iter().enumerate() {
            let story = self.story_at(*start);
            if story >= target {
                return Some(*start);
            }
            let reach = start.after(target.saturating_sub(story));
            let next = starts.get(n + 1).copied();
            if next.is_none_or(|next| reach < next) {
                return (reach <= self.now).then_some(reach);
            }
        }
        None
    }

    /// The story time as the room is told it now: from the last mark that set it, its
    /// label (`Day 2, 11:00`) and how long since (`Day 2, 11:00 +10m`), or without a label
    /// the time since the story began (`+26h10m`).
    fn story_text(&self) -> Option<String> {
        if !self.tells_story() {
            return None;
        }
        let mark = self
            .story_marks
            .iter()
            .rev()
            .find(|(at, _, _)| *at <= self.now);
        Some(match mark {
            Some((at, _, Some(label))) => {
                let since = self.now.since(*at);
                if since == SimDuration::ZERO {
                    label.trim().to_string()
                } else {
                    format!("{} +{since}", label.trim())
                }
            }
            _ => format!("+{}", self.story_at(self.now)),
        })
    }

    /// Opens module `m` now: its briefing, its story time, its injects scheduled.
    fn open_module(&mut self, m: usize, out: &mut Vec<Timed>) {
        let s = self.c.scenario();
        let module = &s.modules[m];
        self.opened[m] = Some(self.now);
        if let Some(story) = &module.story {
            self.story_marks
                .push((self.now, story.value, module.story_label.clone()));
        }
        let story = self.story_text();
        out.push(self.timed(Event::ModuleOpened {
            module: module.id.to_string(),
            title: module.title.trim().to_string(),
            briefing: module.briefing.as_ref().map(|b| b.trim().to_string()),
            story,
        }));
        for (i, inject) in s.injects.iter().enumerate() {
            if let (Some(at), Some(of)) = (&inject.at, &inject.module)
                && of.as_str() == module.id.as_str()
            {
                self.schedule(i, self.now.after(at.value), out);
            }
        }
    }

    /// Scheduled, undelivered injects due after now, soonest first (then scenario order).
    fn pending_after_now(&self) -> impl Iterator<Item = (SimTime, usize)> + '_ {
        use std::ops::Bound::{Excluded, Unbounded};
        self.pending
            .range((Excluded((self.now, usize::MAX, u32::MAX)), Unbounded))
            .map(|(t, i, _)| (*t, *i))
    }

    /// The injects delivered so far, in the order they were delivered.
    pub fn delivery_order(&self) -> &[usize] {
        &self.delivery_order
    }

    /// The next inject that will really be delivered if the clock moves on now: the
    /// earliest scheduled, undelivered inject after now whose condition holds in the
    /// current state (judged without drawing or journaling). Only a decision changes state,
    /// so an inject held by a false condition now stays held until one is taken. Returns
    /// its time and its index in scenario order.
    pub fn next_delivery(&self) -> Option<(SimTime, usize)> {
        // Soonest first, so only the conditions up to the first that holds are judged.
        self.pending_after_now()
            .find(|(_, i)| self.holds_now(self.c.inject_when[*i].as_ref()))
    }

    /// Where `next` takes the clock: the next delivery or the next module opening by its
    /// time, whichever comes first.
    pub fn next_stop(&self) -> Option<SimTime> {
        let delivery = self.next_delivery().map(|(t, _)| t);
        let module = self.next_module_at().filter(|t| *t > self.now);
        match (delivery, module) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Injects scheduled but not delivered whose condition is false now: they are not
    /// "next", and a facilitator sees them only when asking for the truth.
    pub fn held_injects(&self) -> Vec<usize> {
        (0..self.due.len())
            .filter(|i| self.delivered[*i].is_none() && self.due[*i].is_some())
            .filter(|i| !self.holds_now(self.c.inject_when[*i].as_ref()))
            .collect()
    }

    /// When a decision was first taken, if it was.
    pub fn taken_at(&self, decision: &str) -> Option<SimTime> {
        self.taken.get(decision).copied()
    }

    /// How many times a decision has been taken.
    pub fn uses_of(&self, decision: &str) -> usize {
        self.uses.get(decision).map_or(0, Vec::len)
    }

    /// The moment scripts see now, outside a decision.
    fn moment(&self) -> Moment {
        Moment {
            clock: (self.now.as_secs() / 60) as i64,
            module: self
                .current_module()
                .map(|m| self.c.scenario().modules[m].id.to_string())
                .unwrap_or_default(),
            ..Moment::default()
        }
    }

    /// Whether `role` may take `decision` now, and if not why (for the console, the sheet
    /// and the web console alike): its `when`, its limit and its cooldown. Judged on the
    /// status host, so asking draws nothing.
    pub fn may_take(&self, decision: &str) -> Result<(), String> {
        let s = self.c.scenario();
        let Some(d) = s.decisions.get(decision) else {
            return Err(format!("no decision `{decision}`"));
        };
        let uses = self.uses.get(decision).map_or(&[][..], Vec::as_slice);
        if let Some(limit) = &d.limit
            && uses.len() >= limit.value as usize
        {
            return Err(match limit.value {
                1 => format!("`{decision}` was taken at {}; it is taken once", uses[0]),
                n => format!("`{decision}` has been taken {n} times, its limit"),
            });
        }
        if let (Some(cooldown), Some(last)) = (&d.cooldown, uses.last()) {
            let again = last.after(cooldown.value);
            if again > self.now {
                return Err(format!(
                    "`{decision}` was last taken at {last}; it can be taken again at {again} (cooldown {})",
                    cooldown.value
                ));
            }
        }
        if let Some(ast) = self.c.decision_when.get(decision) {
            let at = Moment {
                uses: uses.len() as i64 + 1,
                ..self.moment()
            };
            let open = self
                .status_host
                .condition_at(ast, &self.state, &at)
                .unwrap_or(false);
            if !open {
                return Err(format!(
                    "`{decision}` is not open now (its condition `{}` does not hold)",
                    d.when.as_ref().map_or("", |w| w.value.trim())
                ));
            }
        }
        Ok(())
    }

    /// Expectations not yet met whose deadline is still ahead and whose condition holds
    /// now, soonest first: (expectation id, role, deadline). For the status line only; it
    /// evaluates conditions on a separate host so the journal is untouched.
    pub fn open_expectations(&self) -> Vec<(String, String, SimTime)> {
        let applies = |i: usize| self.holds_now(self.c.expect_when[i].as_ref());
        let mut out: Vec<_> = self
            .c
            .scenario()
            .expectations
            .iter()
            .enumerate()
            .filter(|(i, e)| {
                !e.decision
                    .iter()
                    .any(|d| self.taken.contains_key(d.as_str()))
                    && applies(*i)
            })
            .map(|(_, e)| e)
            .filter_map(|e| {
                let start = self.expectation_start(e)?;
                let deadline = match e.time {
                    crate::authoring::model::scenario::Clock::Session => {
                        start.after(e.within.value)
                    }
                    crate::authoring::model::scenario::Clock::Story => self
                        .when_story_reaches(
                            start,
                            self.story_at(start).saturating_add(e.within.value),
                        )
                        .unwrap_or(SimTime::from_offset(self.c.scenario().duration.value)),
                };
                (deadline >= self.now).then(|| (e.id.to_string(), e.role.either(), deadline))
            })
            .collect();
        out.sort_by_key(|(_, _, t)| *t);
        out
    }

    /// When an expectation's deadline starts counting: the delivery of its `after`
    /// inject, the opening of its module, or the start; `None` while that has not come.
    pub fn expectation_start(
        &self,
        e: &crate::authoring::model::scenario::Expectation,
    ) -> Option<SimTime> {
        match (&e.after, &e.module) {
            (Some(i), _) => self.delivered_at(i.as_str()),
            (None, Some(m)) => self.opened[self.c.scenario().module_index(m.as_str())?],
            (None, None) => Some(SimTime::START),
        }
    }

    fn delivered_at(&self, inject: &str) -> Option<SimTime> {
        let i = self
            .c
            .scenario()
            .injects
            .iter()
            .position(|x| x.id.as_str() == inject)?;
        self.delivered[i]
    }

    /// Applies one input event and returns it with everything that follows from it.
    pub fn apply(&mut self, input: Event) -> Result<Vec<Timed>, Refusal> {
        if self.ended && !input.allowed_after_end() {
            return refuse(format!(
                "the exercise has ended; after `end` only {} are taken",
                Event::after_end()
            ));
        }
        let s = self.c.scenario();
        let unknown_role = |r: &str| -> Option<Refusal> {
            (!s.roles.contains_key(r)).then(|| {
                Refusal(unknown(
                    "role",
                    r,
                    s.roles.keys().map(|k| k.as_str()),
                    "in this scenario",
                ))
            })
        };
        let mut out = Vec::new();
        match &input {
            Event::Advance { to } => {
                if self.paused {
                    return refuse("the exercise is paused; resume it first");
                }
                if *to < self.now {
                    return refuse(format!(
                        "the clock is at {}; it cannot go back to {to}",
                        self.now
                    ));
                }
                out.push(self.timed(input.clone()));
                self.deliver_due(*to, &mut out);
                self.now = *to;
            }
            Event::Decision {
                by,
                decision,
                action,
                option,
                participant,
                ..
            } => {
                if let Some(r) = unknown_role(by) {
                    return Err(r);
                }
                match (decision, action) {
                    (None, Some(_)) if option.is_some() => {
                        return refuse("a free-text action has no option");
                    }
                    (Some(d), None) => {
                        let Some(entry) = s.decisions.get(d.as_str()) else {
                            return refuse(unknown(
                                "decision",
                                d,
                                s.decisions.keys().map(|k| k.as_str()),
                                "in the catalog; record it as an action instead",
                            ));
                        };
                        if !entry.by.iter().any(|r| r.as_str() == by) {
                            let allowed: Vec<&str> = entry.by.iter().map(|r| r.as_str()).collect();
                            return refuse(format!(
                                "role `{by}` may not take `{d}` (the scenario allows: {})",
                                allowed.join(", ")
                            ));
                        }
                        match (entry.options.is_empty(), option) {
                            (true, Some(o)) => {
                                return refuse(format!("`{d}` has no options; leave `{o}` out"));
                            }
                            (false, None) => {
                                let ids: Vec<&str> =
                                    entry.options.keys().map(|k| k.as_str()).collect();
                                return refuse(format!(
                                    "`{d}` is taken with one of its options: {} (e.g. `decide {by} {d} {}`)",
                                    ids.join(", "),
                                    ids[0]
                                ));
                            }
                            (false, Some(o)) if !entry.options.contains_key(o.as_str()) => {
                                return refuse(unknown(
                                    "option",
                                    o,
                                    entry.options.keys().map(|k| k.as_str()),
                                    &format!("of `{d}`"),
                                ));
                            }
                            _ => {}
                        }
                        self.may_take(d).map_err(Refusal)?;
                        out.push(self.timed(input.clone()));
                        let moment = Moment {
                            role: by.clone(),
                            person: participant.clone().unwrap_or_default(),
                            option: option.clone().unwrap_or_default(),
                            ..self.moment()
                        };
                        self.decide(d, moment, &mut out);
                    }
                    (None, Some(_)) => out.push(self.timed(input.clone())),
                    _ => {
                        return refuse(
                            "a decision is either a catalog decision or a free-text action",
                        );
                    }
                }
            }
            Event::Open { module } => {
                let Some(m) = s.module_index(module) else {
                    return refuse(unknown(
                        "module",
                        module,
                        s.modules.iter().map(|x| x.id.as_str()),
                        "in this scenario",
                    ));
                };
                if let Some(at) = self.opened[m] {
                    return refuse(format!("module `{module}` opened at {at}"));
                }
                if let Some(next) = self.next_module()
                    && next != m
                {
                    return refuse(format!(
                        "modules open in order: `{}` comes first",
                        s.modules[next].id.as_str()
                    ));
                }
                out.push(self.timed(input.clone()));
                self.open_module(m, &mut out);
                self.deliver_due(self.now, &mut out);
            }
            Event::Notify { from, to, .. } => {
                if let Some(r) = [from, to].into_iter().find_map(|r| unknown_role(r)) {
                    return Err(r);
                }
                out.push(self.timed(input.clone()));
                self.handoffs.insert((from.clone(), to.clone()));
            }
            Event::Message(said) => {
                if said.auto {
                    return refuse("an automatic reply is the engine's to send, not an input");
                }
                // A character's answer carries the character's reliability, and a scripted
                // reply sent as it stands carries its text: the journal says what was read.
                let mut m = said.clone();
                let character = m
                    .channel
                    .character()
                    .filter(|c| *c == m.from)
                    .and_then(|c| s.characters.get(c));
                m.reliability = character
                    .and_then(|c| c.reliability)
                    .map(|r| r.as_str().to_string());
                if let (Some(c), Some(reply)) = (character, m.reply.as_deref())
                    && m.text.trim().is_empty()
                    && let Some(r) = c.replies.iter().find(|r| r.id.as_str() == reply)
                {
                    m.text = script::interpolate(&r.text, &self.state);
                }
                self.check_message(&m)?;
                out.push(self.timed(Event::Message(m.clone())));
                let m = &m;
                if let Channel::Character(c, role) = &m.channel {
                    if m.from == *c {
                        if let Some(reply) = m.reply.as_deref() {
                            self.replied(c, reply, role, &mut out);
                        }
                    } else {
                        self.answer_by_itself(c, role, &m.text, &mut out);
                    }
                }
            }
            Event::AdHocInject { to, .. } => {
                if to.is_empty() {
                    return refuse("an ad-hoc inject goes to at least one role");
                }
                if let Some(r) = to.iter().find_map(|r| unknown_role(r)) {
                    return Err(r);
                }
                out.push(self.timed(input.clone()));
            }
            Event::Note { .. } | Event::Link { .. } => out.push(self.timed(input.clone())),
            Event::Pause { .. } => {
                if self.paused {
                    return refuse("the exercise is already paused");
                }
                self.paused = true;
                out.push(self.timed(input.clone()));
            }
            Event::Resume { .. } => {
                if !self.paused {
                    return refuse("the exercise is not paused");
                }
                self.paused = false;
                out.push(self.timed(input.clone()));
            }
            Event::Rate {
                objective, rating, ..
            } => {
                if !s.objectives.iter().any(|o| o.id.as_str() == objective) {
                    return refuse(unknown(
                        "objective",
                        objective,
                        s.objectives.iter().map(|o| o.id.as_str()),
                        "in this scenario",
                    ));
                }
                if !matches!(rating.as_str(), "P" | "S" | "M" | "U") {
                    return refuse(format!("`{rating}` is not a rating; use P, S, M or U"));
                }
                out.push(self.timed(input.clone()));
            }
            Event::Strength { text } | Event::Improve(Improvement { text, .. }) => {
                if text.trim().is_empty() {
                    return refuse("say what: `strength : text` or `improve : text`");
                }
                out.push(self.timed(input.clone()));
            }
            Event::Present { role, .. } => {
                if let Some(r) = role.as_deref().and_then(unknown_role) {
                    return Err(r);
                }
                out.push(self.timed(input.clone()));
            }
            Event::Absent { .. } => out.push(self.timed(input.clone())),
            Event::Ask { question } => {
                if let Err(why) = question_number(s, *question) {
                    return refuse(why);
                }
                out.push(self.timed(input.clone()));
            }
            Event::Screen { message } => {
                if !matches!(
                    self.log.get(*message).map(|t| &t.event),
                    Some(Event::Message(_))
                ) {
                    return refuse(format!(
                        "no message #{message} to put on the screen; `#N` names a message in the feed"
                    ));
                }
                out.push(self.timed(input.clone()));
            }
            Event::HotWash => out.push(self.timed(input.clone())),
            Event::Answer { question, text } => {
                if let Err(why) = question_number(s, *question) {
                    return refuse(why);
                }
                if text.trim().is_empty() {
                    return refuse(format!(
                        "say what the room answered: `answer {question} : text`"
                    ));
                }
                out.push(self.timed(input.clone()));
            }
            Event::End { .. } => {
                self.ended = true;
                out.push(self.timed(input.clone()));
            }
            other => return refuse(format!("`{}` is not an input", other.name())),
        }
        self.log.extend(out.iter().cloned());
        Ok(out)
    }

    /// Records which expectation conditions and reveal conditions hold in the current
    /// state. Runs after setup and after each decision (the only moments state changes),
    /// on the status host, so it draws nothing and writes nothing to the journal.
    fn note_conditions(&mut self) {
        let s = self.c.scenario();
        for (i, when) in self.c.expect_when.iter().enumerate() {
            if self.holds_now(when.as_ref()) {
                self.held_expectations.insert(i);
            }
        }
        for (id, d) in &s.decisions {
            self.note_revealable(id.as_str(), &d.reveals);
        }
        // A character's reply can bring a fact to light while the reply's condition and
        // the reveal's hold: asking would have uncovered it.
        for (c, character) in &s.characters {
            for (n, reply) in character.replies.iter().enumerate() {
                if reply.reveals.is_empty()
                    || !self.holds_now(self.c.reply_when.get(&(c.to_string(), n)))
                {
                    continue;
                }
                self.note_revealable(&reply_key(c.as_str(), reply.id.as_str()), &reply.reveals);
            }
        }
    }

    /// Notes the facts of `reveals` (a decision's, or a reply's keyed `CHARACTER:REPLY`)
    /// whose reveal condition holds now.
    fn note_revealable(
        &mut self,
        key: &str,
        reveals: &[crate::authoring::model::scenario::Reveal],
    ) {
        for (r, reveal) in reveals.iter().enumerate() {
            if self.holds_now(self.c.reveal_when.get(&(key.to_string(), r))) {
                self.revealable.insert(reveal.fact.to_string());
            }
        }
    }

    /// Whether an optional condition holds in the current state, judged on the status
    /// host (no draws, nothing journaled); no condition always holds.
    fn holds_now(&self, condition: Option<&AST>) -> bool {
        condition.is_none_or(|ast| {
            self.status_host
                .condition_at(ast, &self.state, &self.moment())
                .unwrap_or(false)
        })
    }

    /// Whether the condition of the expectation at `index` held at some point (always true
    /// for an expectation without a condition).
    pub fn expectation_held(&self, index: usize) -> bool {
        self.held_expectations.contains(&index)
    }

    /// Whether a fact could have been revealed at some point (its reveal condition held).
    pub fn fact_revealable(&self, fact: &str) -> bool {
        self.revealable.contains(fact)
    }

    /// The scenario's outcome values (`report:`), each evaluated on the state as it is
    /// now (on the status host: nothing drawn, nothing journaled); a value that cannot
    /// be computed says why.
    pub fn outcome_values(&self) -> Vec<(String, String)> {
        self.c
            .outcomes
            .iter()
            .map(|(name, ast)| {
                let value = match ast {
                    Some(ast) => self
                        .status_host
                        .value(ast, &self.state)
                        .unwrap_or_else(|e| format!("(could not be computed: {})", e.message)),
                    None => "(could not be computed)".to_string(),
                };
                (name.clone(), value)
            })
            .collect()
    }

    /// The state the setup script drew, name and value, in name order: this run's truth.
    pub fn setup_state(&self) -> &[(String, String)] {
        &self.setup_state
    }

    /// Whether a fact was revealed.
    pub fn fact_revealed(&self, fact: &str) -> bool {
        self.revealed.contains(fact)
    }

    /// Whether the handoff `from → to` has happened.
    pub fn handed_off(&self, from: &str, to: &str) -> bool {
        self.handoffs.contains(&(from.to_string(), to.to_string()))
    }

    fn decide(&mut self, id: &str, mut moment: Moment, out: &mut Vec<Timed>) {
        let s = self.c.scenario();
        let by = moment.role.clone();
        let first_time = !self.taken.contains_key(id);
        let uses = self.uses.entry(id.to_string()).or_default();
        uses.push(self.now);
        moment.uses = uses.len() as i64;
        if first_time {
            self.taken.insert(id.to_string(), self.now);
        }
        self.schedule_followers(Trigger::Decision(id), self.now, first_time, out);
        let decision = &s.decisions[id];
        if let (Some(ast), Some(text)) = (self.c.effects.get(id), &decision.effect) {
            self.run_script_at(ast, text, &format!("effect:{id}"), &moment, out);
        }
        self.reveal(id, &decision.reveals, &by, &moment, out);
        self.note_conditions();
        // State may have changed: injects whose condition now holds are delivered.
        self.deliver_due(self.now, out);
    }

    /// The reveals of a decision, or of a character's reply (`key` is the decision id, or
    /// `CHARACTER:REPLY`): each condition judged and each chance drawn, in order, on the
    /// journaled host, and a fact that comes to light revealed to `by`.
    fn reveal(
        &mut self,
        key: &str,
        reveals: &[crate::authoring::model::scenario::Reveal],
        by: &str,
        moment: &Moment,
        out: &mut Vec<Timed>,
    ) {
        let s = self.c.scenario();
        for (r, reveal) in reveals.iter().enumerate() {
            let fact = reveal.fact.as_str();
            if self.revealed.contains(fact) {
                continue;
            }
            let cause = format!("reveal:{fact}");
            if let (Some(ast), Some(text)) =
                (self.c.reveal_when.get(&(key.to_string(), r)), &reveal.when)
                && !self.condition_at(ast, text, &cause, moment, out)
            {
                continue;
            }
            let mut chance = reveal.chance;
            for (m, modifier) in reveal.modifiers.iter().enumerate() {
                if let Some(ast) = self.c.modifiers.get(&(key.to_string(), r, m))
                    && self.condition_at(ast, &modifier.when, &cause, moment, out)
                {
                    chance += modifier.add;
                }
            }
            let chance = chance.clamp(0.0, 1.0);
            let hit = self.host.dice().chance(chance);
            out.push(self.timed(Event::Draw {
                cause: cause.clone(),
                what: format!("chance {chance:.2}"),
                result: hit.to_string(),
            }));
            if hit {
                self.revealed.insert(fact.to_string());
                let text = s
                    .facts
                    .get(fact)
                    .map(|f| script::interpolate(&f.text, &self.state))
                    .unwrap_or_default();
                out.push(self.timed(Event::Reveal {
                    fact: fact.to_string(),
                    decision: key.to_string(),
                    to: by.to_string(),
                    text,
                }));
            }
        }
    }

    /// Schedules the injects timed `after` a trigger that just happened at `at`: once, on
    /// the first time it happens, and again each time for those marked `each`.
    fn schedule_followers(
        &mut self,
        trigger: Trigger<'_>,
        at: SimTime,
        first_time: bool,
        out: &mut Vec<Timed>,
    ) {
        let c = self.c;
        let followers = match trigger {
            Trigger::Decision(id) => c.after_decision.get(id),
            Trigger::Inject(id) => c.after_inject.get(id),
        };
        for &i in followers.into_iter().flatten() {
            let after = c.scenario().injects[i].after.as_ref();
            let each = after.and_then(|a| a.each.as_ref()).is_some_and(|e| e.value);
            if (first_time && self.due[i].is_none()) || (each && !first_time) {
                let delay = after
                    .and_then(|a| a.delay.as_ref())
                    .map_or(SimDuration::ZERO, |d| d.value);
                self.schedule(i, at.after(delay), out);
            }
        }
    }

    /// Sets an inject's due time, adding its jitter (a seeded draw).
    fn schedule(&mut self, i: usize, base: SimTime, out: &mut Vec<Timed>) {
        let inject = &self.c.scenario().injects[i];
        let mut due = base;
        if let Some(jitter) = &inject.jitter {
            let extra = self.host.dice().jitter(jitter.value);
            out.push(Timed {
                at: self.now,
                event: Event::Draw {
                    cause: format!("jitter:{}", inject.id.as_str()),
                    what: format!("jitter up to {}", jitter.value),
                    result: extra.to_string(),
                },
            });
            due = due.after(extra);
        }
        self.due[i].get_or_insert(due);
        self.pending.insert((due, i, self.scheduled[i]));
        self.scheduled[i] += 1;
    }

    /// Delivers, in time order, every scheduled inject due by `until` whose condition
    /// holds, moving the clock to each delivery.
    fn deliver_due(&mut self, until: SimTime, out: &mut Vec<Timed>) {
        let mut held: HashSet<usize> = HashSet::new();
        loop {
            // The next is the earliest (due time, but never before now; then scenario
            // order): among those already due, the first in scenario order; else the
            // soonest due by `until`.
            let overdue = self
                .pending
                .range(..=(self.now, usize::MAX, u32::MAX))
                .filter(|(_, i, _)| !held.contains(i))
                .min_by_key(|(_, i, n)| (*i, *n))
                .copied();
            let next = match overdue {
                Some(key) => Some((self.now, key)),
                None => {
                    use std::ops::Bound::{Excluded, Unbounded};
                    self.pending
                        .range((Excluded((self.now, usize::MAX, u32::MAX)), Unbounded))
                        .take_while(|(t, _, _)| *t <= until)
                        .find(|(_, i, _)| !held.contains(i))
                        .map(|key| (key.0, *key))
                }
            };
            // A module due by its time opens before the injects due with it.
            if let Some(m_at) = self.next_module_at().filter(|t| *t <= until)
                && next.is_none_or(|(at, _)| m_at.max(self.now) <= at)
                && let Some(m) = self.next_module()
            {
                self.now = self.now.max(m_at);
                self.open_module(m, out);
                held.clear();
                continue;
            }
            let Some((at, key)) = next else { break };
            let i = key.1;
            let inject: &Inject = &self.c.scenario().injects[i];
            self.now = at;
            if let (Some(ast), Some(text)) = (&self.c.inject_when[i], &inject.when)
                && !self.condition(ast, text, &format!("when:{}", inject.id.as_str()), out)
            {
                held.insert(i);
                continue;
            }
            self.delivered[i].get_or_insert(at);
            self.pending.remove(&key);
            if let Some(story) = &inject.story {
                self.story_marks
                    .push((at, story.value, inject.story_label.clone()));
            }
            let story = self.story_text();
            self.delivery_order.push(i);
            let (source, reliability) = inject.source_and_reliability(self.c.scenario());
            out.push(
                self.timed(Event::Deliver {
                    inject: inject.id.to_string(),
                    to: inject.audience(),
                    via: inject.via.as_str().to_string(),
                    source,
                    reliability,
                    red_herring: inject.red_herring,
                    conflicts_with: inject
                        .conflicts_with
                        .iter()
                        .map(|c| c.to_string())
                        .collect(),
                    text: script::interpolate(inject.text.trim(), &self.state),
                    story,
                }),
            );
            let id = inject.id.as_str().to_string();
            self.host.mark_delivered(&id);
            self.status_host.mark_delivered(&id);
            self.schedule_followers(Trigger::Inject(&id), at, true, out);
        }
    }

    fn run_script(&mut self, ast: &AST, text: &Sp<String>, cause: &str, out: &mut Vec<Timed>) {
        let moment = self.moment();
        self.run_script_at(ast, text, cause, &moment, out);
    }

    fn run_script_at(
        &mut self,
        ast: &AST,
        text: &Sp<String>,
        cause: &str,
        moment: &Moment,
        out: &mut Vec<Timed>,
    ) {
        let result = self.host.run_at(ast, &mut self.state, moment);
        self.collect(cause, out);
        if let Err(e) = result {
            out.push(self.script_error(cause, text, &e));
        }
    }

    fn condition(
        &mut self,
        ast: &AST,
        text: &Sp<String>,
        cause: &str,
        out: &mut Vec<Timed>,
    ) -> bool {
        let moment = self.moment();
        self.condition_at(ast, text, cause, &moment, out)
    }

    fn condition_at(
        &mut self,
        ast: &AST,
        text: &Sp<String>,
        cause: &str,
        moment: &Moment,
        out: &mut Vec<Timed>,
    ) -> bool {
        let result = self.host.condition_at(ast, &self.state, moment);
        self.collect(cause, out);
        match result {
            Ok(b) => b,
            Err(e) => {
                out.push(self.script_error(cause, text, &e));
                false
            }
        }
    }

    fn collect(&mut self, cause: &str, out: &mut Vec<Timed>) {
        for d in self.host.take_draws() {
            out.push(self.timed(Event::Draw {
                cause: cause.to_string(),
                what: d.what,
                result: d.result,
            }));
        }
        for text in self.host.take_prints() {
            out.push(self.timed(Event::Print {
                cause: cause.to_string(),
                text,
            }));
        }
        if let Some(reason) = self.host.take_ended()
            && !self.ended
        {
            self.ended = true;
            out.push(self.timed(Event::Ended {
                cause: cause.to_string(),
                reason,
            }));
        }
    }

    fn script_error(&self, cause: &str, text: &Sp<String>, e: &RunError) -> Timed {
        let source = &self.c.loaded.source;
        let pos: Pos = script::error_position(source, text, e);
        // The scenario's file name, not its path: a path says where the exercise was run
        // from, and a replay from another folder (verify, report, resume) must give the
        // same event.
        let file = source.path.file_name().map_or_else(
            || source.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        self.timed(Event::ScriptError {
            cause: cause.to_string(),
            at: format!("{file}:{}:{}", pos.line, pos.col),
            message: e.message.clone(),
        })
    }
}

/// Whether `question` numbers one of the scenario's discussion questions (from 1).
fn question_number(
    s: &crate::authoring::model::scenario::Scenario,
    question: usize,
) -> Result<(), String> {
    let count = s.questions.len();
    if question == 0 || question > count {
        return Err(match count {
            0 => "this scenario has no discussion questions".to_string(),
            n => format!("there is no question {question}; the scenario has questions 1 to {n}"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authoring::source::SourceFile;

    const SCENARIO: &str = r#"
id: t
title: T
version: 1.0.0
summary: S
duration: 2h
roles:
  ic: {title: IC}
objectives:
  - {id: o, text: O, capability: c}
setup: state.blocked = false;
injects:
  - {id: start, at: 0m, to: [ic], text: Start}
  - {id: press, at: 10m, when: state.blocked, to: [ic], text: Press}
  - {id: chained, after: {inject: start, delay: 5m}, to: [ic], text: Chained}
  - {id: followup, after: {decision: block, delay: 2m}, to: [ic], text: Follow-up}
decisions:
  block: {by: [ic], effect: state.blocked = true;}
expectations:
  - {id: e, role: ic, decision: block, within: 30m, objective: o, element: Planning}
"#;

    fn compiled() -> Compiled {
        let loaded = crate::authoring::load::load_source(
            crate::authoring::schema::FileKind::Scenario,
            SourceFile::new("t.yaml", SCENARIO),
        )
        .unwrap();
        Compiled::new(loaded).unwrap()
    }

    fn files() -> Files {
        Files {
            scenario: FileRef {
                path: "t.yaml".into(),
                sha256: String::new(),
            },
            architecture: None,
            roster: None,
        }
    }

    fn delivered(events: &[Timed]) -> Vec<(String, u64)> {
        events
            .iter()
            .filter_map(|t| match &t.event {
                Event::Deliver { inject, .. } => Some((inject.clone(), t.at.as_secs())),
                _ => None,
            })
            .collect()
    }

    fn advance(ex: &mut Exercise<'_>, mins: u64) -> Vec<Timed> {
        ex.apply(Event::Advance {
            to: SimTime::from_offset(SimDuration::from_mins(mins)),
        })
        .unwrap()
    }

    #[test]
    fn a_held_inject_arrives_when_a_decision_makes_its_condition_true() {
        let c = compiled();
        let (mut ex, first) = Exercise::start(&c, 1, files());
        assert_eq!(delivered(&first), [("start".to_string(), 0)]);
        // At 10m the press inject is due but its condition is false: held, not dropped.
        assert_eq!(
            delivered(&advance(&mut ex, 20)),
            [("chained".to_string(), 300)]
        );
        let events = ex
            .apply(Event::Decision {
                by: "ic".into(),
                decision: Some("block".into()),
                action: None,
                option: None,
                participant: None,
                rationale: None,
                confidence: None,
                prompted_by: None,
            })
            .unwrap();
        assert_eq!(delivered(&events), [("press".to_string(), 1200)]);
        assert_eq!(
            ex.next_due(),
            Some(SimTime::from_offset(SimDuration::from_mins(22)))
        );
        assert_eq!(
            delivered(&advance(&mut ex, 30)),
            [("followup".to_string(), 1320)]
        );
    }

    #[test]
    fn inputs_the_scenario_forbids_are_refused_without_events() {
        let c = compiled();
        let (mut ex, _) = Exercise::start(&c, 1, files());
        advance(&mut ex, 5);
        let back = ex.apply(Event::Advance { to: SimTime::START }).unwrap_err();
        assert!(back.0.contains("cannot go back"), "{back}");
        ex.apply(Event::Pause { reason: None }).unwrap();
        assert!(
            ex.apply(Event::Advance {
                to: SimTime::from_offset(SimDuration::from_mins(9))
            })
            .is_err()
        );
        let unknown = ex
            .apply(Event::Notify {
                from: "ic".into(),
                to: "ceo".into(),
                text: None,
            })
            .unwrap_err();
        assert!(unknown.0.contains("no role `ceo`"), "{unknown}");
        assert_eq!(ex.now(), SimTime::from_offset(SimDuration::from_mins(5)));
    }
}
