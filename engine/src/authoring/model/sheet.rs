//! The scribe's decisions sheet: a recorded exercise as timed entries, played through the
//! engine by `ttx run --decisions FILE`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Id;
use crate::authoring::duration::SimDuration;
use crate::authoring::spanned::Sp;

/// A recorded exercise.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionsSheet {
    /// The scenario played: a path relative to this file, or a scenario id in the program.
    pub scenario: Sp<String>,
    /// The seed of the run, so the same hidden truth is drawn again.
    #[serde(default)]
    pub seed: Option<u64>,
    /// When the exercise started, as an RFC 3339 timestamp (`2026-05-14T14:00:00Z`).
    #[serde(default)]
    pub started: Option<Sp<String>>,
    /// What happened, in order.
    pub entries: Vec<Entry>,
}

/// One line of the sheet. Each entry has exactly one of `decision`, `action`, `notify`,
/// `note`, `inject`, `advance`, `pause`, `resume`, `rate`, `strength`, `improve`,
/// `present`, `absent`, `answer` or `end`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Scenario time of the entry; the clock moves forward to it.
    #[serde(default)]
    pub at: Option<Sp<SimDuration>>,
    /// A decision from the scenario's catalog.
    #[serde(default)]
    pub decision: Option<Sp<Id>>,
    /// The option the decision was taken with, for a decision with options.
    #[serde(default)]
    pub option: Option<Sp<Id>>,
    /// A free-text decision not in the catalog.
    #[serde(default)]
    pub action: Option<String>,
    /// A notification or handoff from one role to another.
    #[serde(default)]
    pub notify: Option<Notify>,
    /// Something said in the room's conversation (the journal's `message`).
    #[serde(default)]
    pub message: Option<SheetMessage>,
    /// The facilitator opened this module.
    #[serde(default)]
    pub open: Option<Sp<Id>>,
    /// A facilitator's note.
    #[serde(default)]
    pub note: Option<String>,
    /// An ad-hoc inject from the facilitator.
    #[serde(default)]
    pub inject: Option<AdHocInject>,
    /// Move the clock forward by this much.
    #[serde(default)]
    pub advance: Option<Sp<SimDuration>>,
    /// Pause the exercise (the reason).
    #[serde(default)]
    pub pause: Option<String>,
    /// Resume the exercise (the reason).
    #[serde(default)]
    pub resume: Option<String>,
    /// End the exercise with the hot wash.
    #[serde(default)]
    pub end: Option<HotWash>,
    /// Override an objective's computed rating, with the reason.
    #[serde(default)]
    pub rate: Option<RatingOverride>,
    /// A hot-wash strength, as the room said it.
    #[serde(default)]
    pub strength: Option<String>,
    /// A hot-wash area for improvement; it becomes an action item.
    #[serde(default)]
    pub improve: Option<String>,
    /// With `improve`: who owns the fix, a role of the scenario (its team) or a roster
    /// team.
    #[serde(default)]
    pub owner: Option<Sp<Id>>,
    /// With `improve`: the corrective action, when it differs from the observation.
    #[serde(default)]
    pub corrective_action: Option<String>,
    /// With `improve`: the objective it concerns.
    #[serde(default)]
    pub objective: Option<Sp<Id>>,
    /// With `improve`: the expectation (or decision) whose engine finding it restates;
    /// the two become one action item.
    #[serde(default)]
    pub re: Option<Sp<Id>>,
    /// The roll call: a person who is in the exercise.
    #[serde(default)]
    pub present: Option<Attendance>,
    /// The roll call: a person who is not, by roster id.
    #[serde(default)]
    pub absent: Option<Sp<Id>>,
    /// The room's answer to one of the scenario's discussion questions.
    #[serde(default)]
    pub answer: Option<Answer>,
    /// The role that decided (for `decision`, `action`).
    #[serde(default)]
    pub by: Option<Sp<Id>>,
    /// The person who spoke for the role, by roster id (optional).
    #[serde(default)]
    pub participant: Option<Sp<Id>>,
    /// Why, in the room's words.
    #[serde(default)]
    pub rationale: Option<String>,
    /// How sure the room was.
    #[serde(default)]
    pub confidence: Option<Confidence>,
    /// The inject that prompted it.
    #[serde(default)]
    pub prompted_by: Option<Sp<Id>>,
}

/// A notification or handoff.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notify {
    /// The role that informs.
    pub from: Sp<Id>,
    /// The role informed.
    pub to: Sp<Id>,
    /// What was said.
    #[serde(default)]
    pub text: Option<String>,
}

/// A message of the conversation, as a scribe notes it: who said it, where, and what.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetMessage {
    /// The role that spoke, `white` for the facilitator, or a character the facilitator
    /// answered as.
    pub from: Sp<Id>,
    /// `war`, `dm:ROLE+ROLE`, `private:ROLE` or `char:CHARACTER+ROLE`.
    pub channel: Sp<String>,
    /// What was said (a forward's comment may be empty; a scripted reply without it is
    /// sent as written).
    #[serde(default)]
    pub text: String,
    /// What it answers or passes on: an inject, a revealed fact, or `#SEQ`.
    #[serde(default)]
    pub re: Option<String>,
    /// Whether it forwards the inject `re` names.
    #[serde(default)]
    pub forward: bool,
    /// For a character's answer: the scripted reply given.
    #[serde(default)]
    pub reply: Option<Sp<Id>>,
}

/// An inject the facilitator makes up on the spot.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdHocInject {
    /// The roles that receive it.
    pub to: Vec<Sp<Id>>,
    /// What they hear.
    pub text: String,
}

/// A person at the exercise, and the role they play if the scribe noted it.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attendance {
    /// Roster person id.
    pub person: Sp<Id>,
    /// The role they play.
    #[serde(default)]
    pub role: Option<Sp<Id>>,
}

/// What the room answered to a discussion question.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The question's number in the scenario, from 1 (as `ttx show` lists them).
    pub question: usize,
    /// The answer.
    pub text: String,
}

/// The hot wash at the end: what the room says went well and what did not.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HotWash {
    /// Strengths.
    #[serde(default)]
    pub strengths: Vec<String>,
    /// Areas for improvement; each becomes an action item.
    #[serde(default)]
    pub improvements: Vec<String>,
}

/// The facilitator's rating of an objective, overriding the computed one.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingOverride {
    /// Objective id.
    pub objective: Sp<Id>,
    /// The rating.
    pub rating: RatingLetter,
    /// Why.
    pub reason: String,
}

/// HSEEP ratings: P (performed without challenges), S (some challenges), M (major
/// challenges), U (unable to be performed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum RatingLetter {
    /// Performed without challenges.
    P,
    /// Performed with some challenges.
    S,
    /// Performed with major challenges.
    M,
    /// Unable to be performed.
    U,
}

/// How sure the room was of a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// A guess.
    Low,
    /// Reasonably sure.
    Medium,
    /// Certain.
    High,
}

impl Confidence {
    /// The word as written in sheets, the console and reports: `low`, `medium`, `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}
