//! What an assessment finds: each expectation's outcome, the objectives' ratings, and the
//! findings (gaps attached to roles), as the assessment ([`super::assess`]), the
//! communication findings ([`super::communication`]) and the report read them.

use serde::Serialize;

use crate::authoring::duration::SimDuration;
use crate::authoring::model::Priority;
use crate::authoring::model::scenario::{Element, Scenario};
use crate::exercise::clock::SimTime;

/// How an expectation turned out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Taken by the expected role by the deadline.
    Met,
    /// Taken by the expected role after the deadline.
    Late {
        /// How late, e.g. `6m`.
        by: SimDuration,
    },
    /// Not taken by anyone before the exercise ended.
    Missed,
    /// Its condition never held, or the inject that starts its deadline never came.
    NotApplicable,
    /// Taken, but by another role: a coordination gap.
    OtherRole {
        /// The role that took it.
        role: String,
    },
    /// Taken by the expected role with an option the expectation does not accept, or one
    /// it names as wrong: counted as missed.
    WrongOption {
        /// The option chosen.
        option: String,
    },
    /// The exercise has not ended and the deadline is still ahead.
    Pending,
}

/// One expectation, assessed.
#[derive(Clone, Debug, Serialize)]
pub struct ExpectationResult {
    /// Expectation id.
    pub id: String,
    /// Expected role.
    pub role: String,
    /// Expected decision.
    pub decision: String,
    /// Objective measured.
    pub objective: String,
    /// Deadline, when it applied.
    pub deadline: Option<SimTime>,
    /// When the decision was first taken (by anyone), if it was.
    pub taken_at: Option<SimTime>,
    /// When the taking that counted (see `by`) was made.
    #[serde(skip)]
    pub decided_at: Option<SimTime>,
    /// The option it was taken with, for a decision with options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    /// The role whose taking counted (one of the expected roles, or the other that took
    /// it); the report's "taken by".
    #[serde(skip)]
    pub by: Option<String>,
    /// For a deadline in story time: the story time it falls at, and the story time the
    /// decision was taken at.
    #[serde(skip)]
    pub story: Option<(SimDuration, Option<SimDuration>)>,
    /// The outcome.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The HSEEP rating of an objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Rating {
    /// Performed without challenges.
    P,
    /// Performed with some challenges.
    S,
    /// Performed with major challenges.
    M,
    /// Unable to be performed.
    U,
}

/// An objective and its rating.
#[derive(Clone, Debug, Serialize)]
pub struct ObjectiveRating {
    /// Objective id.
    pub id: String,
    /// Objective text.
    pub text: String,
    /// Capability.
    pub capability: String,
    /// The computed rating; `None` when no expectation applied.
    pub rating: Option<Rating>,
    /// The facilitator's rating and reason, when they overrode the computed one.
    pub override_rating: Option<(String, String)>,
}

/// The kinds of finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// An expectation taken late.
    Late,
    /// An expectation missed.
    Missed,
    /// An expectation met by another role.
    CoordinationGap,
    /// A decision taken with an option the expectation does not accept.
    WrongOption,
    /// A decision taken without the handoff it requires.
    HandoffGap,
    /// Acting on a red herring.
    RedHerring,
    /// High confidence on a low-reliability source that a later inject contradicted.
    OverconfidentOnWeakSource,
    /// A hidden fact that could have been uncovered and never was.
    FactNeverUncovered,
    /// A decision taken before its role had the inject or fact the expectation names
    /// (`informed_by`).
    DecidedUninformed,
    /// An inject or fact an expectation's role needed reached another role and never it.
    StuckInformation,
    /// A question in a direct message that the role asked never answered.
    Unanswered,
    /// An area for improvement from the hot wash.
    HotWash,
}

/// A gap, attached to a role and never to a person.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Kind.
    pub kind: FindingKind,
    /// The role concerned (the expected role, the role that acted), if any.
    pub role: Option<String>,
    /// The roster team that owns the fix when it is not a role's (a hot-wash improvement
    /// that names a team).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The objective it bears on, if any.
    pub objective: Option<String>,
    /// The expectation it is a gap in, if any: how the program spots a repeat finding.
    pub expectation: Option<String>,
    /// What happened, in one sentence.
    pub observation: String,
    /// Why it counts as a gap: the deadline, the times, the evidence.
    pub analysis: String,
    /// The corrective action.
    pub action: String,
    /// The runbook cited, if any.
    pub runbook: Option<String>,
    /// POETE element.
    pub element: Element,
    /// Priority.
    pub priority: Priority,
}

/// A catalog decision as findings name it: its title with its id beside it (“Rotate the
/// processor API key” (`rotate_api_key`)), or the id alone when it has no title.
pub(crate) fn named(s: &Scenario, decision: &str) -> String {
    match s.decisions.get(decision).and_then(|d| d.title.as_deref()) {
        Some(title) => format!("“{title}” (`{decision}`)"),
        None => format!("`{decision}`"),
    }
}
