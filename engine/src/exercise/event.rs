//! The events of an exercise: every change is one, and the journal is the list of them.
//! Inputs (what the room and the facilitator did) drive the engine; outputs (deliveries,
//! draws, reveals, script output) follow from the inputs, the scenario and the seed.

use serde::{Deserialize, Serialize};

use crate::authoring::check::sheet::AFTER_END_KINDS;
use crate::authoring::model::sheet::Confidence;
use crate::exercise::clock::SimTime;

/// A file the exercise depends on, pinned by content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    /// The path as given when the exercise started.
    pub path: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
}

/// One event of an exercise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// The first event: what is played, against what, with which seed.
    Start {
        /// The scenario file.
        scenario: FileRef,
        /// The architecture file, when a program provided one.
        architecture: Option<FileRef>,
        /// The roster file, when a program provided one.
        roster: Option<FileRef>,
        /// The scenario's id.
        scenario_id: String,
        /// The scenario's version.
        scenario_version: String,
        /// The seed of every random draw.
        seed: u64,
        /// The ttx version that wrote the journal.
        ttx: String,
    },
    /// A random draw by a script or by the engine.
    Draw {
        /// What made it: `setup`, `effect:DECISION`, `reveal:FACT`, `jitter:INJECT`.
        cause: String,
        /// What was drawn.
        what: String,
        /// The outcome.
        result: String,
    },
    /// Text a script printed.
    Print {
        /// Which script.
        cause: String,
        /// The text.
        text: String,
    },
    /// A script that failed; the exercise goes on.
    ScriptError {
        /// Which script.
        cause: String,
        /// `file:line:col` of the failure in the scenario.
        at: String,
        /// What went wrong.
        message: String,
    },
    /// An inject reached its audience.
    Deliver {
        /// Inject id.
        inject: String,
        /// Roles that received it.
        to: Vec<String>,
        /// Channel.
        via: String,
        /// Source name.
        source: Option<String>,
        /// Source reliability letter.
        reliability: Option<String>,
        /// Facilitator-only flag.
        red_herring: bool,
        /// Injects it contradicts.
        conflicts_with: Vec<String>,
        /// What the roles read.
        text: String,
        /// The story time, for a scenario that tells one (`Day 2, 08:00`, `+72h`); absent
        /// otherwise, so older journals read and write the same.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        story: Option<String>,
    },
    /// The facilitator opened the next module (input).
    Open {
        /// Module id.
        module: String,
    },
    /// A module opened, by its time or by the facilitator: its briefing reaches the room.
    ModuleOpened {
        /// Module id.
        module: String,
        /// Its title.
        title: String,
        /// Its briefing, when it has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        briefing: Option<String>,
        /// The story time it opens at, when the scenario tells one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        story: Option<String>,
    },
    /// A role decided something (input).
    Decision {
        /// The role.
        by: String,
        /// A catalog decision id.
        decision: Option<String>,
        /// Or a free-text action.
        action: Option<String>,
        /// The option it was taken with, for a decision that has options (absent from the
        /// line otherwise, so journals written before options read and write the same).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        option: Option<String>,
        /// The roster person who spoke for the role.
        participant: Option<String>,
        /// Why.
        rationale: Option<String>,
        /// How sure.
        confidence: Option<Confidence>,
        /// The inject that prompted it.
        prompted_by: Option<String>,
    },
    /// A role informed another: a notification or handoff (input).
    Notify {
        /// The role that informed.
        from: String,
        /// The role informed.
        to: String,
        /// What was said.
        text: Option<String>,
    },
    /// Something said in the room's conversation (input); see
    /// [`crate::exercise::channel::Message`].
    Message(crate::exercise::channel::Message),
    /// A hidden fact came to light.
    Reveal {
        /// Fact id.
        fact: String,
        /// The decision that revealed it.
        decision: String,
        /// The role that learnt it.
        to: String,
        /// The fact.
        text: String,
    },
    /// A facilitator's note (input).
    Note {
        /// The note.
        text: String,
    },
    /// The facilitator revoked a join link of the web console, or issued it anew with a
    /// new token, the old one no longer working (input). The link is named by whom it is
    /// for (`ic`, `dana-okafor`, `observer`, `room`); its token never is.
    Link {
        /// Whose link: a role, a roster person, `observer`, `room` or `facilitator`.
        link: String,
        /// What was done to it.
        change: LinkChange,
    },
    /// An inject the facilitator made up (input).
    AdHocInject {
        /// Roles that received it.
        to: Vec<String>,
        /// What they heard.
        text: String,
    },
    /// The facilitator moved the clock (input).
    Advance {
        /// The new time.
        to: SimTime,
    },
    /// The exercise paused (input).
    Pause {
        /// Why.
        reason: Option<String>,
    },
    /// The exercise resumed (input).
    Resume {
        /// Why.
        reason: Option<String>,
    },
    /// The facilitator overrides an objective's computed rating, with a reason (input).
    Rate {
        /// Objective id.
        objective: String,
        /// `P`, `S`, `M` or `U`.
        rating: String,
        /// Why the room's judgement differs from the rule.
        reason: String,
    },
    /// A strength the room names in the hot wash, journaled when said (input).
    Strength {
        /// What went well.
        text: String,
    },
    /// An area for improvement the room names in the hot wash, journaled when said; it
    /// becomes an action item (input).
    Improve(Improvement),
    /// The roll call: a person is in the exercise, optionally playing a role (input).
    Present {
        /// Roster person id.
        person: String,
        /// The role they play, when the facilitator says.
        role: Option<String>,
    },
    /// The roll call: a person is not (or no longer) in the exercise (input).
    Absent {
        /// Roster person id.
        person: String,
    },
    /// The room's answer to one of the scenario's discussion questions (input).
    Answer {
        /// The question's number in the scenario, from 1.
        question: usize,
        /// What the room said.
        text: String,
    },
    /// The facilitator puts a discussion question to the room: it shows on every screen
    /// until it is answered or another is asked (input).
    Ask {
        /// The question's number in the scenario, from 1.
        question: usize,
    },
    /// The facilitator puts a message of the conversation on the room's screen, for the
    /// whole room to read, whoever it was said to (input).
    Screen {
        /// The message's place in the journal (its `#N`).
        message: usize,
    },
    /// The facilitator opens the hot wash: participants' pages offer strengths and areas
    /// for improvement from now on (input).
    HotWash,
    /// The exercise ended with the hot wash (input). A sheet's hot wash comes in the
    /// lists; the console journals each line as a [`Event::Strength`] or
    /// [`Event::Improve`] when it is said, and ends with empty lists.
    End {
        /// What went well.
        strengths: Vec<String>,
        /// Areas for improvement; each becomes an action item.
        improvements: Vec<String>,
    },
    /// A scenario script ended the exercise (`end_exercise("reason")`): an output, so a
    /// replay reproduces it; after it the engine takes what it takes after `end`.
    Ended {
        /// Which script.
        cause: String,
        /// Why, in the script's words.
        reason: String,
    },
}

impl Event {
    /// Whether this journaled event is what a replay gives as `replayed`. A script error
    /// names the scenario's file: journals written before it was named by file name
    /// alone held the path from the folder the exercise was run in, so only the file
    /// name and position are compared.
    pub fn replays_as(&self, replayed: &Event) -> bool {
        match (self, replayed) {
            (
                Event::ScriptError { cause, at, message },
                Event::ScriptError {
                    cause: c,
                    at: a,
                    message: m,
                },
            ) => cause == c && message == m && file_position(at) == file_position(a),
            _ => self == replayed,
        }
    }

    /// Whether the event is an input that drives the engine (as opposed to an output the
    /// engine derives from inputs, scenario and seed).
    pub fn is_input(&self) -> bool {
        if let Event::Message(m) = self {
            // A character's automatic reply is the engine's output.
            return !m.auto;
        }
        matches!(
            self,
            Event::Decision { .. }
                | Event::Open { .. }
                | Event::Notify { .. }
                | Event::Note { .. }
                | Event::Link { .. }
                | Event::AdHocInject { .. }
                | Event::Advance { .. }
                | Event::Pause { .. }
                | Event::Resume { .. }
                | Event::Rate { .. }
                | Event::Strength { .. }
                | Event::Improve(_)
                | Event::Present { .. }
                | Event::Absent { .. }
                | Event::Answer { .. }
                | Event::Ask { .. }
                | Event::Screen { .. }
                | Event::HotWash
                | Event::End { .. }
        )
    }

    /// The `type` name of the event, as in the journal (and as a sheet's entry key for the
    /// inputs a sheet records).
    pub fn name(&self) -> &'static str {
        match self {
            Event::Start { .. } => "start",
            Event::Draw { .. } => "draw",
            Event::Print { .. } => "print",
            Event::ScriptError { .. } => "script_error",
            Event::Deliver { .. } => "deliver",
            Event::Decision { .. } => "decision",
            Event::Open { .. } => "open",
            Event::ModuleOpened { .. } => "module_opened",
            Event::Notify { .. } => "notify",
            Event::Message(_) => "message",
            Event::Reveal { .. } => "reveal",
            Event::Note { .. } => "note",
            Event::Link { .. } => "link",
            Event::AdHocInject { .. } => "ad_hoc_inject",
            Event::Advance { .. } => "advance",
            Event::Pause { .. } => "pause",
            Event::Resume { .. } => "resume",
            Event::Rate { .. } => "rate",
            Event::Strength { .. } => "strength",
            Event::Improve(_) => "improve",
            Event::Present { .. } => "present",
            Event::Absent { .. } => "absent",
            Event::Answer { .. } => "answer",
            Event::Ask { .. } => "ask",
            Event::Screen { .. } => "screen",
            Event::HotWash => "hot_wash",
            Event::End { .. } => "end",
            Event::Ended { .. } => "ended",
        }
    }

    /// Whether the engine still takes this input after the exercise has ended: the
    /// ratings, the hot wash, answers to the discussion questions and notes, which a room
    /// often gives after `end`. The one rule, [`AFTER_END_KINDS`], that the console, the
    /// pipe and the decisions sheet's check all follow.
    pub fn allowed_after_end(&self) -> bool {
        // A link may be revoked during the debrief too (it is no move of the exercise).
        AFTER_END_KINDS.contains(&self.name()) || matches!(self, Event::Link { .. })
    }

    /// The inputs taken after `end`, as the console names them: "rate, strength, improve,
    /// answer and note".
    pub fn after_end() -> String {
        match AFTER_END_KINDS.split_last() {
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

/// What the facilitator did to a join link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkChange {
    /// It no longer opens the exercise.
    Revoked,
    /// It was replaced by a new one; the old no longer opens the exercise.
    Reissued,
}

impl LinkChange {
    /// As the console says it.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkChange::Revoked => "revoked",
            LinkChange::Reissued => "reissued",
        }
    }
}

/// An area for improvement as the room named it: the observation, and, when said, who
/// owns the fix, the corrective action, the objective it concerns and the finding it
/// restates. The optional fields are left out of the journal when absent, so journals
/// written before them read and replay byte for byte.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Improvement {
    /// What should get better: the observation.
    pub text: String,
    /// Who owns the fix: a role of the scenario (its team owns it) or a roster team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The corrective action, when the room said one apart from the observation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The objective it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<String>,
    /// The expectation (or its decision) whose engine finding it restates: then the two
    /// are one action item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub re: Option<String>,
}

impl Improvement {
    /// An improvement with only its observation (a sheet's `end` list, an older journal).
    pub fn text(text: impl Into<String>) -> Improvement {
        Improvement {
            text: text.into(),
            ..Improvement::default()
        }
    }
}

/// An event with the scenario time it happened at.
#[derive(Clone, Debug, PartialEq)]
pub struct Timed {
    /// When, in scenario time.
    pub at: SimTime,
    /// What.
    pub event: Event,
}

/// The hot wash's areas for improvement in the order the room said them: each journaled
/// when said (`improve`, with its owner, action and objective when said), or in the lists
/// of a sheet's `end` (text only).
pub fn improvements(log: &[Timed]) -> Vec<Improvement> {
    let mut out = Vec::new();
    for t in log {
        match &t.event {
            Event::Improve(i) => out.push(i.clone()),
            Event::End { improvements, .. } => {
                out.extend(improvements.iter().map(Improvement::text));
            }
            _ => {}
        }
    }
    out
}

/// `FILE:LINE:COL` without the folders before the file name.
fn file_position(at: &str) -> &str {
    at.rsplit(['/', '\\']).next().unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_improvement_reads_and_writes_as_before_and_refuses_unknown_fields() {
        let old = r#"{"type":"improve","text":"the pager was slow"}"#;
        let e: Event = serde_json::from_str(old).unwrap();
        assert_eq!(e, Event::Improve(Improvement::text("the pager was slow")));
        assert_eq!(serde_json::to_string(&e).unwrap(), old, "byte for byte");
        let owned = r#"{"type":"improve","text":"x","owner":"comms","re":"declare"}"#;
        let e: Event = serde_json::from_str(owned).unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), owned);
        let bad = r#"{"type":"improve","text":"x","onwer":"comms"}"#;
        assert!(serde_json::from_str::<Event>(bad).is_err());
    }
}
