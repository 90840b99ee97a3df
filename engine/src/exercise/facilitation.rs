//! Facilitation: the one path from a front end to a live exercise. A [`Command`] goes in
//! (typed, or a console line parsed by [`command::parse`]); what comes out is a
//! [`Response`]: the events written to the journal, in order, what the facilitator's
//! screen shows (event lines, notices such as a question falling due or a facilitator
//! note, answers to queries), and a verdict: acknowledged (written and fsync'd), refused
//! (nothing written by the command itself), answered, quit, or stopped by a journal that
//! cannot be written. The terminal, the pipe, the decisions sheet and the web console
//! all go through [`Facilitation`], so a refusal, an acknowledgement and a journal line
//! are the same whoever typed the command.
//!
//! The clock can follow real time (`follow 2x`). Real time is read from a [`Monotonic`]
//! clock the front end provides (a test provides a [`ManualClock`](crate::exercise::realtime::ManualClock)); the exercise itself
//! never reads it. Before any input is journaled, the time followed so far is journaled
//! as an `advance`, so every input carries the time it was really entered at, and replay
//! and verify reproduce the journal from its inputs alone.
//!
//! rhai's compiled scripts are not `Send`, so an exercise lives on one thread: a
//! `driver::Driver` starts that thread, which compiles the scenario itself, owns the exercise
//! and its journal, and answers requests sent over a channel.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The longest line the facilitation takes (a note, a rationale, an answer): what a room
/// says fits many times over; a pasted file does not get into the journal.
pub const MAX_INPUT_BYTES: usize = 64 * 1024;

use crate::authoring::duration::SimDuration;
use crate::authoring::model::roster::Roster;
use crate::authoring::suggest;
use crate::exercise::caller::{Caller, Denial};
use crate::exercise::clock::SimTime;
use crate::exercise::command::{self, Command, Decide, Vocabulary};
use crate::exercise::event::{Event, Timed};
use crate::exercise::journal::WallClock;
use crate::exercise::realtime::Monotonic;
use crate::exercise::session::{Session, SessionError};
use crate::exercise::state::{Compiled, Exercise, Files, unknown};
use crate::exercise::status_line::{self, Status, status_of};
use crate::exercise::view::{self, RoleItem};

/// The clock following real time: from `base` (scenario time) at `since` (real time), at
/// `pace` scenario seconds per real second.
#[derive(Clone, Copy, Debug)]
struct Follow {
    pace: f64,
    since: Duration,
    base: SimTime,
}

/// What the facilitator's screen shows, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Shown {
    /// A journaled event, with its line for the facilitator.
    Event(Box<Timed>, String),
    /// Something the facilitator should know now: a question falling due, an inject's
    /// facilitator note, a decision taken twice, the planned time passing.
    Notice(String),
    /// The answer to a query (`view`, `status`, `questions`, …), one line each.
    Text(String),
}

/// How a command ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The command was journaled (written and fsync'd): the console says `ok`.
    Ok,
    /// The command was refused; nothing of it was journaled.
    Refused(String),
    /// A query was answered; nothing was journaled.
    Answered,
    /// The facilitator leaves the console; the exercise stays open to resume.
    Quit,
    /// The journal cannot be written (a full disk, say): the exercise stops. Everything
    /// acknowledged before is in the journal.
    Stopped(String),
}

impl Verdict {
    /// The words a text front end answers with, the same on every one: `ok` for a
    /// journaled command, `! reason` for a refusal, nothing otherwise.
    pub fn acknowledgement(&self) -> Option<String> {
        match self {
            Verdict::Ok => Some("ok".to_string()),
            Verdict::Refused(why) => Some(format!("! {why}")),
            _ => None,
        }
    }
}

/// What came of one command.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// Events written to the journal, in order (also those of a followed clock caught
    /// up before the command).
    pub events: Vec<Timed>,
    /// What the facilitator's screen shows.
    pub shown: Vec<Shown>,
    /// How it ended.
    pub verdict: Verdict,
    /// When the caller was refused for who they are or the moment
    /// ([`Caller::permit`]), rather than by the exercise: what kind of refusal, for a
    /// front end that answers with a status (the reason is the verdict's).
    pub denial: Option<Denial>,
}

impl Response {
    fn new() -> Response {
        Response {
            events: Vec::new(),
            shown: Vec::new(),
            verdict: Verdict::Answered,
            denial: None,
        }
    }

    fn text(mut self, line: impl Into<String>) -> Response {
        self.shown.push(Shown::Text(line.into()));
        self
    }

    fn refused(mut self, why: impl Into<String>) -> Response {
        self.verdict = Verdict::Refused(why.into());
        self
    }
}

/// A live exercise driven by commands: the session (exercise + journal), the roster the
/// participants are checked against, the followed clock, and what the facilitator has
/// already been told.
pub struct Facilitation<'c> {
    session: Session<'c>,
    roster: Option<Roster>,
    clock: Box<dyn Monotonic>,
    follow: Option<Follow>,
    truth: bool,
    asked: HashSet<usize>,
    /// The expectations whose runbook step the facilitator was shown as they fell due.
    told_steps: HashSet<String>,
    told_over: bool,
    stopped: bool,
    /// When each (role, decision) was first taken, for "already decided at".
    decided: HashMap<(String, String), SimTime>,
}

impl<'c> Facilitation<'c> {
    /// Facilitates a session. `truth` shows draws and red-herring marks inline from the
    /// start (the default hides them: the facilitator's screen is often projected).
    pub fn new(
        session: Session<'c>,
        roster: Option<Roster>,
        clock: Box<dyn Monotonic>,
        truth: bool,
    ) -> Facilitation<'c> {
        let mut decided = HashMap::new();
        for t in session.exercise.log() {
            note_decision(&mut decided, t);
        }
        Facilitation {
            decided,
            session,
            roster,
            clock,
            follow: None,
            truth,
            asked: HashSet::new(),
            told_steps: HashSet::new(),
            told_over: false,
            stopped: false,
        }
    }

    /// Opens the session (a new journal, or a resumed one) and facilitates it; returns what
    /// the screen shows of the opening. The exercise lives where this is called: on the
    /// caller's thread, or on the thread a `driver::Driver` starts.
    pub fn open(
        compiled: &'c Compiled,
        open: Open,
        roster: Option<Roster>,
        clock: Box<dyn Monotonic>,
        truth: bool,
    ) -> Result<(Facilitation<'c>, Opened), String> {
        let vocabulary = Vocabulary::new(compiled.scenario(), roster.as_ref());
        let (session, events, warnings) = match open {
            Open::Begin {
                seed,
                files,
                journal,
                fsync,
                wall,
            } => Session::begin(compiled, seed, files, &journal, fsync, wall)
                .map(|(s, e)| (s, e, Vec::new())),
            Open::Resume {
                journal,
                fsync,
                wall,
            } => Session::resume(compiled, &journal, fsync, wall),
        }
        .map_err(|e| e.to_string())?;
        let mut f = Facilitation::new(session, roster, clock, truth);
        let response = f.opening(events);
        let opened = Opened {
            response,
            warnings,
            journal: f.journal().to_path_buf(),
            status: f.status(),
            vocabulary,
        };
        Ok((f, opened))
    }

    /// What the screen shows of events written when the session opened (the start, or
    /// what a resume wrote), with the questions and notices already due.
    pub fn opening(&mut self, events: Vec<Timed>) -> Response {
        let mut r = Response::new();
        r.events = events;
        self.show_events(&mut r);
        r
    }

    /// The exercise.
    pub fn exercise(&self) -> &Exercise<'c> {
        &self.session.exercise
    }

    /// The journal's path.
    pub fn journal(&self) -> &Path {
        self.session.path()
    }

    /// Parses and executes one console line.
    pub fn line(&mut self, line: &str) -> Response {
        if line.len() > MAX_INPUT_BYTES {
            return Response::new().refused(format!(
                "a line is at most {} KiB and this one is longer; say it in shorter lines",
                MAX_INPUT_BYTES / 1024
            ));
        }
        match command::parse(line) {
            Ok(Some(c)) => self.execute(c),
            Ok(None) => Response::new(),
            Err(why) => Response::new().refused(why),
        }
    }

    /// Executes one command from `caller`, if [`Caller::permit`] lets them send it now:
    /// the rule is judged here, on the exercise thread, against the log as it is when the
    /// command is carried out.
    pub fn execute_as(&mut self, caller: &Caller, command: Command) -> Response {
        let ended = self.session.exercise.ended();
        let permitted = caller
            .still_open(ended)
            .and_then(|()| caller.permit(self.session.exercise.log(), command));
        match permitted {
            Ok(command) => self.execute(command),
            Err(d) => {
                let mut r = Response::new().refused(d.reason);
                r.denial = Some(d.denial);
                r
            }
        }
    }

    /// Executes one command from the console (the terminal, a pipe, a sheet), which may
    /// send every command.
    pub fn execute(&mut self, command: Command) -> Response {
        if self.stopped {
            return Response::new().refused(
                "the exercise stopped because its journal could not be written; resume it with `ttx run --resume`",
            );
        }
        if command.is_query() {
            return self.query(command);
        }
        let mut r = Response::new();
        if let Err(why) = self.check(&command) {
            return r.refused(why);
        }
        let outcome = self.journal_command(&command, &mut r);
        self.show_events(&mut r);
        match outcome {
            Ok(()) => {
                r.verdict = Verdict::Ok;
                if matches!(command, Command::End { .. }) {
                    r.shown.push(Shown::Notice(self.end_notice()));
                }
                r
            }
            Err(Stop::Refused(why)) => r.refused(why),
            Err(Stop::Failed(e)) => self.stop(r, e),
        }
    }

    /// Journals a command: the followed time first, then the command's input (none for
    /// `follow`, which only changes the clock), collecting its events and notices in `r`.
    fn journal_command(&mut self, command: &Command, r: &mut Response) -> Result<(), Stop> {
        self.catch_up(r)?;
        if let Some(input) = self.input(command)? {
            let notice = self.already_decided(&input);
            let events = self.session.apply(input)?;
            for t in &events {
                note_decision(&mut self.decided, t);
            }
            r.events.extend(events);
            r.shown.extend(notice.map(Shown::Notice));
        }
        self.after(command);
        Ok(())
    }

    /// Moves a followed clock on while nobody types: when an inject falls due, or the
    /// planned time passes, the time followed so far is journaled and what follows from
    /// it shown. `None` when nothing happened.
    pub fn tick(&mut self) -> Option<Response> {
        if self.stopped || self.follow.is_none() {
            return None;
        }
        let ex = &self.session.exercise;
        if ex.paused() || ex.ended() {
            return None;
        }
        let to = self.followed_now();
        let planned = SimTime::from_offset(ex.compiled().scenario().duration.value);
        let due = ex.next_delivery().is_some_and(|(t, _)| t <= to);
        let passes = !self.told_over && to >= planned;
        if to <= ex.now() || !(due || passes) {
            return None;
        }
        let mut r = Response::new();
        if let Err(Stop::Failed(e)) = self.catch_up(&mut r) {
            self.show_events(&mut r);
            return Some(self.stop(r, e));
        }
        self.show_events(&mut r);
        Some(r)
    }

    /// The status line's facts, with the truth as the facilitator chose (`truth on`).
    pub fn status(&self) -> Status {
        self.status_with(self.truth)
    }

    /// The status line's facts, with or without the truth.
    pub fn status_with(&self, truth: bool) -> Status {
        status_of(
            &self.session.exercise,
            self.followed_now(),
            self.follow.map(|f| f.pace),
            truth,
        )
    }

    /// What a role has seen so far (see [`view::role_view`]).
    pub fn role_view(&self, role: &str) -> Vec<RoleItem> {
        let ex = &self.session.exercise;
        view::role_view(ex.log(), ex.compiled().scenario(), role)
    }

    /// Whether the clock follows real time now (not paused, not ended).
    pub fn following(&self) -> bool {
        let ex = &self.session.exercise;
        self.follow.is_some() && !ex.paused() && !ex.ended()
    }

    /// Scenario time now: the exercise's clock, or where the followed clock has got to.
    pub fn followed_now(&self) -> SimTime {
        let ex = &self.session.exercise;
        match self.follow {
            Some(f) if !ex.paused() && !ex.ended() => {
                let real = self.clock.elapsed().saturating_sub(f.since);
                let secs = (real.as_secs_f64() * f.pace) as u64;
                f.base.after(SimDuration::from_secs(secs)).max(ex.now())
            }
            _ => ex.now(),
        }
    }

    fn stop(&mut self, mut r: Response, error: String) -> Response {
        self.stopped = true;
        r.verdict = Verdict::Stopped(error);
        r
    }

    /// Journals the time a followed clock has reached, before an input is stamped.
    fn catch_up(&mut self, r: &mut Response) -> Result<(), Stop> {
        let to = self.followed_now();
        let ex = &self.session.exercise;
        if self.follow.is_none() || ex.paused() || ex.ended() || to <= ex.now() {
            return Ok(());
        }
        r.events.extend(self.session.apply(Event::Advance { to })?);
        Ok(())
    }

    /// After a command: a followed clock restarts from where a jump (or a resume) left
    /// the exercise's clock.
    fn after(&mut self, command: &Command) {
        let elapsed = self.clock.elapsed();
        let now = self.session.exercise.now();
        match command {
            Command::Follow(Some(pace)) => {
                self.follow = Some(Follow {
                    pace: *pace,
                    since: elapsed,
                    base: now,
                })
            }
            Command::Follow(None) => self.follow = None,
            Command::Advance(_)
            | Command::AdvanceTo(_)
            | Command::Next
            | Command::Pause(_)
            | Command::Resume(_) => {
                if let Some(f) = &mut self.follow {
                    f.since = elapsed;
                    f.base = now;
                }
            }
            _ => {}
        }
    }

    /// Checks a command against what only the command layer knows: the roster, and
    /// whether an inject named as a prompt exists.
    fn check(&self, command: &Command) -> Result<(), String> {
        let s = self.session.exercise.compiled().scenario();
        if self.session.exercise.ended() && matches!(command, Command::Follow(Some(_))) {
            return Err("the exercise has ended; its clock no longer runs".into());
        }
        let person = match command {
            Command::Decide(Decide { participant, .. }) | Command::Action { participant, .. } => {
                participant.as_deref()
            }
            Command::Present { person, .. } | Command::Absent(person) => Some(person.as_str()),
            _ => None,
        };
        if let (Some(p), Some(roster)) = (person, &self.roster)
            && !roster.people.iter().any(|x| x.id.as_str() == p)
        {
            let people: Vec<(&str, &str)> = roster
                .people
                .iter()
                .map(|x| (x.id.as_str(), x.name.as_str()))
                .collect();
            return Err(match suggest::person(p, &people) {
                Some(id) => format!("no person `{p}` in the roster (did you mean `{id}`?)"),
                None => format!(
                    "no person `{p}` in the roster; write their roster id, e.g. `{}`",
                    people.first().map_or("dana-reyes", |x| x.0)
                ),
            });
        }
        if let Command::Improve(i) = command {
            if let Some(owner) = &i.owner {
                let teams: Vec<&str> = self
                    .roster
                    .iter()
                    .flat_map(|r| r.teams.iter().map(|t| t.id.as_str()))
                    .collect();
                let known = s.roles.contains_key(owner.as_str())
                    || teams.contains(&owner.as_str())
                    // Without a roster there is nothing to check a team against.
                    || self.roster.is_none();
                if !known {
                    let all = s
                        .roles
                        .keys()
                        .map(|k| k.as_str())
                        .chain(teams.iter().copied());
                    return Err(unknown(
                        "owner",
                        owner,
                        all,
                        "(a role of the scenario, whose team owns the fix, or a roster team)",
                    ));
                }
            }
            if let Some(r) = &i.re
                && !s.expectations.iter().any(|e| e.id.as_str() == r)
                && !s.decisions.contains_key(r.as_str())
            {
                return Err(unknown(
                    "expectation or decision",
                    r,
                    s.expectations
                        .iter()
                        .map(|e| e.id.as_str())
                        .chain(s.decisions.keys().map(|k| k.as_str())),
                    "(re= names the finding this improvement restates)",
                ));
            }
            if let Some(o) = &i.objective
                && !s.objectives.iter().any(|x| x.id.as_str() == o)
            {
                return Err(unknown(
                    "objective",
                    o,
                    s.objectives.iter().map(|x| x.id.as_str()),
                    "in this scenario",
                ));
            }
        }
        let prompt = match command {
            Command::Decide(Decide { prompted_by, .. }) | Command::Action { prompted_by, .. } => {
                prompted_by.as_deref()
            }
            _ => None,
        };
        if let Some(inject) = prompt
            && !s.injects.iter().any(|i| i.id.as_str() == inject)
        {
            return Err(unknown(
                "inject",
                inject,
                s.injects.iter().map(|i| i.id.as_str()),
                "in this scenario (re= names the inject that prompted the decision)",
            ));
        }
        Ok(())
    }

    /// The journal input a command records, `None` for a command that only changes the
    /// followed clock.
    fn input(&self, command: &Command) -> Result<Option<Event>, Stop> {
        let ex = &self.session.exercise;
        let now = ex.now();
        let event = match command.clone() {
            Command::Advance(d) => Event::Advance { to: now.after(d) },
            Command::AdvanceTo(to) => Event::Advance { to },
            Command::Step => match ex.compiled().scenario().clock {
                crate::authoring::duration::Pace::Turns => Event::Advance {
                    to: now.after(crate::authoring::duration::TURN),
                },
                crate::authoring::duration::Pace::Minutes => {
                    return Err(Stop::Refused(
                        "advance takes a duration such as 5m or 1h30m (only a scenario played in turns moves one turn at a time)".into(),
                    ));
                }
            },
            Command::Next => match ex.next_stop() {
                Some(to) if !ex.paused() => Event::Advance { to },
                Some(_) => {
                    return Err(Stop::Refused(
                        "the exercise is paused; resume it first".into(),
                    ));
                }
                None => {
                    return Err(Stop::Refused(
                        "no inject will be delivered from here: `advance` moves the clock, `end` ends the exercise"
                            .into(),
                    ));
                }
            },
            Command::Follow(_) => return Ok(None),
            Command::Decide(d) => Event::Decision {
                by: d.role,
                decision: Some(d.decision),
                action: None,
                option: d.option,
                participant: d.participant,
                rationale: d.rationale,
                confidence: d.confidence,
                prompted_by: d.prompted_by,
            },
            Command::Action {
                role,
                text,
                participant,
                rationale,
                confidence,
                prompted_by,
            } => Event::Decision {
                by: role,
                decision: None,
                action: Some(text),
                option: None,
                participant,
                rationale,
                confidence,
                prompted_by,
            },
            Command::Notify { from, to, text } => Event::Notify { from, to, text },
            Command::Say(m) => Event::Message(m),
            Command::Note(text) => Event::Note { text },
            Command::Link { link, change } => Event::Link { link, change },
            Command::Inject { to, text } => Event::AdHocInject { to, text },
            Command::Rate {
                objective,
                rating,
                reason,
            } => Event::Rate {
                objective,
                rating,
                reason,
            },
            Command::Pause(reason) => Event::Pause { reason },
            Command::Resume(reason) => Event::Resume { reason },
            Command::Strength(text) => Event::Strength { text },
            Command::Improve(i) => Event::Improve(i),
            Command::Present { person, role } => Event::Present { person, role },
            Command::Absent(person) => Event::Absent { person },
            Command::Answer { question, text } => Event::Answer { question, text },
            Command::Ask(question) => Event::Ask { question },
            Command::Screen(message) => Event::Screen { message },
            Command::Open(module) => Event::Open { module },
            Command::HotWash => Event::HotWash,
            Command::End {
                strengths,
                improvements,
            } => Event::End {
                strengths,
                improvements,
            },
            Command::View(_)
            | Command::Decisions
            | Command::Questions
            | Command::Replies
            | Command::Truth(_)
            | Command::Status
            | Command::Help
            | Command::Quit => return Ok(None),
        };
        Ok(Some(event))
    }

    /// "already decided at 0:17:00" when the same role takes the same decision again.
    fn already_decided(&self, input: &Event) -> Option<String> {
        let Event::Decision {
            by,
            decision: Some(d),
            ..
        } = input
        else {
            return None;
        };
        // A move meant to be made again (a limit above one, a cooldown) is not news.
        let s = self.session.exercise.compiled().scenario();
        if s.decisions
            .get(d.as_str())
            .is_some_and(|x| x.cooldown.is_some() || x.limit.as_ref().is_some_and(|l| l.value > 1))
        {
            return None;
        }
        self.decided
            .get(&(by.clone(), d.clone()))
            .map(|at| format!("{by} already decided {d} at {at}; journaled again"))
    }

    /// Adds the screen lines for the events of `r`, the notes and
    /// questions they bring, and the planned time passing.
    fn show_events(&mut self, r: &mut Response) {
        let s = self.session.exercise.compiled().scenario();
        let mut shown = Vec::new();
        for t in &r.events {
            // The events of `r` are in the log already: an `end` counts the whole hot
            // wash said so far.
            if let Some(line) = view::facilitator_line_with(
                t,
                self.truth,
                self.session.exercise.compiled().scenario().clock,
                || view::hot_wash_said(self.session.exercise.log()),
            ) {
                shown.push(Shown::Event(Box::new(t.clone()), line));
            }
            if let Event::Deliver { inject, .. } = &t.event
                && let Some(notes) = s
                    .injects
                    .iter()
                    .find(|i| i.id.as_str() == inject)
                    .and_then(|i| i.notes.as_ref())
            {
                shown.push(Shown::Notice(format!(
                    "facilitator note ({inject}): {}",
                    notes.trim()
                )));
            }
        }
        // A role asked a character and nothing answered it by itself: the replies the
        // facilitator may send, at once.
        if let Some(Event::Message(m)) = r.events.last().map(|t| &t.event)
            && let Some(c) = m.channel.character()
            && m.from != c
            && let Some(w) = status_line::waiting(&self.session.exercise)
                .into_iter()
                .find(|w| w.seq == self.session.exercise.log().len() - 1)
        {
            shown.extend(reply_lines(&w).into_iter().map(Shown::Notice));
        }
        shown.extend(self.questions_due().into_iter().map(Shown::Notice));
        // The organisation's own procedure, as each expectation citing it falls due.
        let (ex, now) = (&self.session.exercise, self.followed_now());
        let steps = status_line::due_steps(ex, &status_line::due(ex, now, self.truth), now);
        for d in steps {
            if self.told_steps.insert(d.expectation.clone()) {
                shown.push(Shown::Notice(format!(
                    "{} ({}) falls due by {}; runbook {} says: {}",
                    d.expectation, d.role, d.by, d.runbook, d.step
                )));
            }
        }
        let ex = &self.session.exercise;
        let planned = s.duration.value;
        if !self.told_over && !ex.ended() && ex.now() >= SimTime::from_offset(planned) {
            self.told_over = true;
            shown.push(Shown::Notice(format!(
                "the scenario's planned {} have passed; `end` when the room is ready",
                planned.clock()
            )));
        }
        // Query answers and notices the caller added come after the events.
        let rest = std::mem::take(&mut r.shown);
        r.shown = shown;
        r.shown.extend(rest);
    }

    /// Questions that have fallen due since the facilitator was last told.
    fn questions_due(&mut self) -> Vec<String> {
        let ex = &self.session.exercise;
        let s = ex.compiled().scenario();
        let mut out = Vec::new();
        for (i, q) in s.questions.iter().enumerate() {
            if self.asked.contains(&i) || !question_due(ex, i) {
                continue;
            }
            self.asked.insert(i);
            let n = i + 1;
            out.push(format!(
                "question {n} for the room: {}  (record the answer: `answer {n} : …`)",
                q.ask.trim()
            ));
        }
        out
    }

    fn end_notice(&self) -> String {
        let journal = crate::authoring::paths::display_path(self.session.path());
        let journal = journal.display();
        let unowned = crate::exercise::event::improvements(self.exercise().log())
            .iter()
            .filter(|i| i.owner.is_none())
            .count();
        let owners = match unowned {
            0 => String::new(),
            n => format!(
                "\n{n} hot-wash improvement(s) have no owner: say one now (`improve TEAM : …`), or assign the action items later with `ttx actions set ID --owner TEAM`"
            ),
        };
        let (head, events) = self.session.head();
        format!(
            "the exercise has ended; ratings, the hot wash, answers and notes still go in{owners}\nreceipt: {events} events, head {head}; keep it (a chat message, the minutes): `ttx verify {journal} --head {head}` proves later that the journal still holds them unchanged\nnext: `ttx report {journal} -o aar.md` writes the after-action report; `ttx actions add {journal}` tracks its action items"
        )
    }

    fn query(&mut self, command: Command) -> Response {
        let r = Response::new();
        let ex = &self.session.exercise;
        let s = ex.compiled().scenario();
        match command {
            Command::Help => r.text(command::HELP),
            Command::Status => r.text(self.status().to_string()),
            Command::Quit => Response {
                verdict: Verdict::Quit,
                ..r
            },
            Command::View(role) => {
                if !s.roles.contains_key(role.as_str()) {
                    return r.refused(unknown(
                        "role",
                        &role,
                        s.roles.keys().map(|k| k.as_str()),
                        "in this scenario",
                    ));
                }
                let mut r = r.text(format!("--- what {role} has seen ---"));
                for item in self.role_view(&role) {
                    r = r.text(item.to_string());
                }
                r
            }
            Command::Decisions => s.decisions.iter().fold(r, |r, (id, d)| {
                let by: Vec<&str> = d.by.iter().map(|r| r.as_str()).collect();
                r.text(format!("{id:<24} by {}", by.join(", ")))
            }),
            Command::Questions => {
                if s.questions.is_empty() {
                    return r.text("this scenario has no discussion questions");
                }
                let answers = answers(ex);
                s.questions.iter().enumerate().fold(r, |r, (i, q)| {
                    let state = if answers.iter().any(|(n, _)| *n == i + 1) {
                        "answered"
                    } else if question_due(ex, i) {
                        "due"
                    } else {
                        "later"
                    };
                    let mut r = r.text(format!("{}. [{state}] {}", i + 1, q.ask.trim()));
                    for (_, a) in answers.iter().filter(|(n, _)| *n == i + 1) {
                        r = r.text(format!("   answer: {a}"));
                    }
                    r
                })
            }
            Command::Replies => {
                let waiting = status_line::waiting(ex);
                if waiting.is_empty() {
                    return r.text("no question to a character is waiting for an answer");
                }
                waiting.into_iter().fold(r, |r, w| {
                    let r = r.text(format!(
                        "#{} {} {} asks {} ({}): {}",
                        w.seq, w.at, w.role, w.name, w.character, w.question
                    ));
                    reply_lines(&w).into_iter().fold(r, Response::text)
                })
            }
            Command::Truth(Some(on)) => {
                self.truth = on;
                r.text(if on {
                    "the truth is shown inline: draws, red-herring marks, held injects, conditional expectations (`truth off` hides it)"
                } else {
                    "the truth is hidden from the screen (`truth` shows it once)"
                })
            }
            Command::Truth(None) => self.truth_lines().into_iter().fold(r, Response::text),
            _ => r,
        }
    }

    /// The hidden truth as it stands: every draw, which facts came to light, injects held
    /// by their conditions, and the expectations that depend on the truth.
    fn truth_lines(&self) -> Vec<String> {
        let ex = &self.session.exercise;
        let s = ex.compiled().scenario();
        let mut out = vec!["--- the truth (for the facilitator only) ---".to_string()];
        for t in ex.log() {
            if let Event::Draw {
                cause,
                what,
                result,
            } = &t.event
            {
                out.push(format!(
                    "[{}] draw ({cause}): {what} -> {result}",
                    t.at.label(s.clock)
                ));
            }
        }
        for (id, fact) in &s.facts {
            let state = if ex.fact_revealed(id.as_str()) {
                "revealed"
            } else {
                "hidden"
            };
            out.push(format!("fact {id} [{state}]: {}", fact.text.trim()));
        }
        for i in ex.held_injects() {
            let inject = &s.injects[i];
            out.push(format!(
                "held: {} (when {})",
                inject.id,
                inject.when.as_ref().map_or("", |w| w.as_str().trim())
            ));
        }
        for e in s.expectations.iter().filter(|e| e.when.is_some()) {
            let state = if e.decision.iter().any(|d| ex.taken_at(d.as_str()).is_some()) {
                "taken"
            } else {
                "open"
            };
            out.push(format!(
                "expectation {} ({} {} within {}, when {}) [{state}]",
                e.id,
                e.role,
                e.decision,
                s.clock.span(e.within.value),
                e.when.as_ref().map_or("", |w| w.as_str().trim())
            ));
        }
        for inject in s.injects.iter().filter(|i| i.red_herring) {
            out.push(format!("red herring: {}", inject.id));
        }
        out
    }
}

/// Records when a role first took a catalog decision.
fn note_decision(decided: &mut HashMap<(String, String), SimTime>, t: &Timed) {
    if let Event::Decision {
        by,
        decision: Some(d),
        ..
    } = &t.event
    {
        decided.entry((by.clone(), d.clone())).or_insert(t.at);
    }
}

/// Why a command could not be carried out.
enum Stop {
    Refused(String),
    Failed(String),
}

impl From<SessionError> for Stop {
    fn from(e: SessionError) -> Stop {
        match e {
            SessionError::Refused(why) => Stop::Refused(why.0),
            other => Stop::Failed(other.to_string()),
        }
    }
}

/// Whether question `index` has fallen due: after its inject was delivered, at its time
/// (from its module's opening, for a module's question), or when its module opens. A
/// question with none of these is asked when the facilitator chooses.
fn question_due(ex: &Exercise<'_>, index: usize) -> bool {
    let s = ex.compiled().scenario();
    let q = &s.questions[index];
    if let Some(m) = &q.module {
        let opened = s.module_index(m.as_str()).and_then(|i| ex.module_opened(i));
        let Some(opened) = opened else { return false };
        if q.after.is_none() {
            return q
                .at
                .as_ref()
                .is_none_or(|at| ex.now() >= opened.after(at.value));
        }
    }
    if let Some(after) = &q.after {
        return s
            .injects
            .iter()
            .position(|i| i.id.as_str() == after.as_str())
            .and_then(|i| ex.inject_delivered(i))
            .is_some();
    }
    q.at.as_ref()
        .is_some_and(|at| ex.now() >= SimTime::from_offset(at.value))
}

/// The answers recorded so far: (question number, text).
fn answers(ex: &Exercise<'_>) -> Vec<(usize, String)> {
    ex.log()
        .iter()
        .filter_map(|t| match &t.event {
            Event::Answer { question, text } => Some((*question, text.clone())),
            _ => None,
        })
        .collect()
}

/// How the exercise thread opens its session.
pub enum Open {
    /// A new exercise into a new journal.
    Begin {
        /// Seed of every draw.
        seed: u64,
        /// The files pinned in the start event.
        files: Files,
        /// The journal to create.
        journal: PathBuf,
        /// fsync each event.
        fsync: bool,
        /// Wall-clock times to record.
        wall: WallClock,
    },
    /// An exercise continued from its journal.
    Resume {
        /// The journal.
        journal: PathBuf,
        /// fsync each event.
        fsync: bool,
        /// Wall-clock times to record.
        wall: WallClock,
    },
}

/// What the exercise thread reports once its session is open.
pub struct Opened {
    /// The events written on opening, as the screen shows them.
    pub response: Response,
    /// Warnings for the facilitator (a torn line set aside, a lock taken over).
    pub warnings: Vec<String>,
    /// The journal.
    pub journal: PathBuf,
    /// The status.
    pub status: Status,
    /// The ids for completion.
    pub vocabulary: Vocabulary,
}

/// The replies offered for a waiting question, as the commands that send them (those the
/// question mentions first), or how to answer without one.
fn reply_lines(w: &status_line::Waiting) -> Vec<String> {
    let (c, role) = (&w.character, &w.role);
    if w.replies.is_empty() {
        return vec![format!(
            "   no scripted reply holds now; answer in your words: `as {c} {role} : …`"
        )];
    }
    w.replies
        .iter()
        .map(|reply| {
            format!(
                "   `as {c} {role} {}`{}: {}",
                reply.id,
                if reply.auto { " (automatic)" } else { "" },
                reply.text
            )
        })
        .collect()
}
