//! What was really going on in this run: the truth the setup script drew, every hidden
//! fact and whether (and when, by whom) it came to light, the red herrings the room was
//! sent, and every random draw. The facilitator knew it; the report tells everyone after.

use serde::Serialize;

use crate::exercise::event::Event;
use crate::exercise::state::Exercise;
use crate::exercise::view::decision_title;

/// The hidden truth of one run.
#[derive(Clone, Debug, Serialize)]
pub struct Truth {
    /// The state the setup script drew (e.g. `truth = leaked_ci_token`), in name order.
    pub drawn: Vec<StateRow>,
    /// Every hidden fact of the scenario, in scenario order.
    pub facts: Vec<FactRow>,
    /// The red herrings delivered, in time order.
    pub red_herrings: Vec<RedHerringRow>,
    /// Every random draw, in time order: the setup's, reveals', injects' jitter.
    pub draws: Vec<DrawRow>,
}

/// One value of the drawn state.
#[derive(Clone, Debug, Serialize)]
pub struct StateRow {
    /// The state's name.
    pub name: String,
    /// Its value as the setup left it.
    pub value: String,
}

/// A hidden fact and what became of it.
#[derive(Clone, Debug, Serialize)]
pub struct FactRow {
    /// Fact id.
    pub id: String,
    /// The fact.
    pub text: String,
    /// `uncovered`; `hidden` (true in this run, never uncovered); or `not_in_play` (the
    /// truth drawn made it false, so no decision could uncover it).
    pub status: String,
    /// When it was uncovered, `H:MM:SS`.
    pub at: Option<String>,
    /// The role that learnt it.
    pub to: Option<String>,
    /// The title of the decision that uncovered it.
    pub by_decision: Option<String>,
}

/// A red herring the room was sent.
#[derive(Clone, Debug, Serialize)]
pub struct RedHerringRow {
    /// Inject id.
    pub inject: String,
    /// When it was delivered, `H:MM:SS`.
    pub at: String,
    /// What it said.
    pub text: String,
}

/// One random draw.
#[derive(Clone, Debug, Serialize)]
pub struct DrawRow {
    /// When, `H:MM:SS`.
    pub at: String,
    /// What made it: `setup`, `effect:DECISION`, `reveal:FACT`, `jitter:INJECT`.
    pub cause: String,
    /// What was drawn.
    pub what: String,
    /// The outcome.
    pub result: String,
}

/// The truth of a replayed exercise.
pub(super) fn build(ex: &Exercise<'_>) -> Truth {
    let s = ex.compiled().scenario();
    let mut uncovered: Vec<(&str, String, String, String)> = Vec::new();
    let mut red_herrings = Vec::new();
    let mut draws = Vec::new();
    for t in ex.log() {
        match &t.event {
            Event::Reveal {
                fact, decision, to, ..
            } if !uncovered.iter().any(|(f, ..)| f == fact) => uncovered.push((
                fact.as_str(),
                t.at.label(ex.compiled().scenario().clock),
                to.clone(),
                decision_title(s, decision),
            )),
            Event::Deliver { inject, text, .. }
                if s.injects
                    .iter()
                    .any(|i| i.id.as_str() == inject && i.red_herring) =>
            {
                red_herrings.push(RedHerringRow {
                    inject: inject.clone(),
                    at: t.at.label(ex.compiled().scenario().clock),
                    text: text.clone(),
                })
            }
            Event::Draw {
                cause,
                what,
                result,
            } => draws.push(DrawRow {
                at: t.at.label(ex.compiled().scenario().clock),
                cause: cause.clone(),
                what: what.clone(),
                result: result.clone(),
            }),
            _ => {}
        }
    }
    let facts = s
        .facts
        .iter()
        .map(|(id, fact)| {
            let found = uncovered.iter().find(|(f, ..)| *f == id.as_str());
            let status = match found {
                Some(_) => "uncovered",
                None if ex.fact_revealable(id.as_str()) => "hidden",
                None => "not_in_play",
            };
            FactRow {
                id: id.to_string(),
                text: super::one_paragraph(&fact.text),
                status: status.into(),
                at: found.map(|f| f.1.clone()),
                to: found.map(|f| f.2.clone()),
                by_decision: found.map(|f| f.3.clone()),
            }
        })
        .collect();
    Truth {
        drawn: ex
            .setup_state()
            .iter()
            .map(|(name, value)| StateRow {
                name: name.clone(),
                value: value.clone(),
            })
            .collect(),
        facts,
        red_herrings,
        draws,
    }
}
