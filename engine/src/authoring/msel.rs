//! The master scenario events list (MSEL): the facilitator's preview of a scenario as a
//! timeline, with decisions, expectations and questions, for `ttx show`.

use serde::Serialize;

use crate::authoring::check::scenario::earliest_times;
use crate::authoring::duration::SimDuration;
use crate::authoring::model::scenario::Scenario;

/// The whole preview.
#[derive(Debug, Serialize)]
pub struct Msel {
    /// Scenario id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: String,
    /// Length of the exercise.
    pub duration: SimDuration,
    /// Minutes or turns, for telling times (not in the JSON, which gives seconds).
    #[serde(skip)]
    pub pace: crate::authoring::duration::Pace,
    /// Injects in delivery order.
    pub injects: Vec<MselInject>,
    /// The decision catalog.
    pub decisions: Vec<MselDecision>,
    /// Expectations with their deadlines.
    pub expectations: Vec<MselExpectation>,
    /// Discussion questions.
    pub questions: Vec<MselQuestion>,
}

/// One inject row.
#[derive(Debug, Serialize)]
pub struct MselInject {
    /// Earliest delivery time; `None` when it waits for a decision that may never come.
    pub earliest: Option<SimDuration>,
    /// How its time is set, e.g. `0:15:00`, `0:25:00 (spike +25m)` or
    /// `decision investigate_ci +5m`.
    pub timing: String,
    /// Inject id.
    pub id: String,
    /// Roles it reaches.
    pub to: Vec<String>,
    /// Channel.
    pub via: String,
    /// Source name, if any.
    pub source: Option<String>,
    /// Source reliability letter, if any.
    pub reliability: Option<String>,
    /// Red herring, conditional, jitter, conflicts.
    pub flags: Vec<String>,
    /// What the roles read.
    pub text: String,
    /// Facilitator-only notes.
    pub notes: Option<String>,
}

/// One decision of the catalog.
#[derive(Debug, Serialize)]
pub struct MselDecision {
    /// Decision id.
    pub id: String,
    /// Title, if any.
    pub title: Option<String>,
    /// Roles that may take it.
    pub by: Vec<String>,
    /// Facts it may reveal, with their chance.
    pub reveals: Vec<String>,
    /// The handoff it requires, as `from → to`.
    pub requires_handoff: Option<String>,
}

/// One expectation.
#[derive(Debug, Serialize)]
pub struct MselExpectation {
    /// Expectation id.
    pub id: String,
    /// The role.
    pub role: String,
    /// The decision.
    pub decision: String,
    /// Deadline in words: `20m` or `15m after spike`.
    pub deadline: String,
    /// Objective id.
    pub objective: String,
    /// POETE element.
    pub element: String,
    /// Priority.
    pub priority: String,
    /// Condition, if any.
    pub when: Option<String>,
    /// The runbook it cites (`ID` or `ID#section`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runbook: Option<String>,
    /// What that runbook section says (its first paragraph), when the program's runbook
    /// file reads: filled by [`quote_runbooks`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
}

/// Quotes, beside each expectation that cites a runbook, the step its section says (as
/// [`crate::authoring::runbook::cited`] reads them from the program's runbook files).
pub fn quote_runbooks(m: &mut Msel, cited: &[crate::authoring::runbook::Cited]) {
    for e in &mut m.expectations {
        e.step = cited
            .iter()
            .find(|c| c.expectation == e.id)
            .map(|c| c.step.clone());
    }
}

/// One question.
#[derive(Debug, Serialize)]
pub struct MselQuestion {
    /// When to ask it.
    pub when: String,
    /// The question.
    pub ask: String,
}

/// Builds the preview of a scenario.
pub fn build(s: &Scenario) -> Msel {
    let times = earliest_times(s);
    let mut injects: Vec<(usize, MselInject)> = s
        .injects
        .iter()
        .enumerate()
        .map(|(i, inj)| {
            let waits_for_decision = inj.after.as_ref().is_some_and(|a| a.decision.is_some());
            let earliest = times
                .get(inj.id.as_str())
                .copied()
                .flatten()
                .filter(|_| !waits_for_decision);
            let pace = s.clock;
            let timing = match (&inj.at, &inj.after) {
                // A module's inject: its earliest time, and how long after the module opens.
                (Some(at), _) => match (&inj.module, earliest) {
                    (Some(m), Some(t)) => {
                        format!("{} ({} +{})", pace.at(t), m.as_str(), pace.span(at.value))
                    }
                    _ => pace.at(at.value),
                },
                (None, Some(after)) => {
                    let delay =
                        pace.span(after.delay.as_ref().map_or(SimDuration::ZERO, |d| d.value));
                    match (&after.inject, &after.decision, earliest) {
                        (Some(i), _, Some(t)) => {
                            format!("{} ({} +{delay})", pace.at(t), i.as_str())
                        }
                        (Some(i), _, None) => format!("{} +{delay}", i.as_str()),
                        (_, Some(d), _) => format!("decision {} +{delay}", d.as_str()),
                        _ => delay,
                    }
                }
                (None, None) => "untimed".into(),
            };
            let mut flags = Vec::new();
            if inj.red_herring {
                flags.push("red herring".to_string());
            }
            if let Some(w) = &inj.when {
                flags.push(format!("if {}", w.as_str().trim()));
            }
            if let Some(j) = &inj.jitter {
                flags.push(format!("jitter {}", j.value));
            }
            for c in &inj.conflicts_with {
                flags.push(format!("conflicts with {}", c.as_str()));
            }
            let (source, reliability) = inj.source_and_reliability(s);
            let row = MselInject {
                earliest,
                timing,
                id: inj.id.to_string(),
                to: inj.audience(),
                via: inj.via.as_str().to_string(),
                source,
                reliability,
                flags,
                text: inj.text.trim().to_string(),
                notes: inj.notes.as_ref().map(|n| n.trim().to_string()),
            };
            (i, row)
        })
        .collect();
    // Timed injects first in time order; decision-triggered ones after, in file order.
    injects.sort_by_key(|(i, row)| (row.earliest.is_none(), row.earliest, *i));
    Msel {
        id: s.id.to_string(),
        title: s.title.clone(),
        version: s.version.value.clone(),
        duration: s.duration.value,
        pace: s.clock,
        injects: injects.into_iter().map(|(_, r)| r).collect(),
        decisions: s
            .decisions
            .iter()
            .map(|(id, d)| MselDecision {
                id: id.to_string(),
                title: d.title.clone(),
                by: d.by.iter().map(|r| r.to_string()).collect(),
                reveals: d
                    .reveals
                    .iter()
                    .map(|r| format!("{} ({:.0}%)", r.fact.as_str(), r.chance * 100.0))
                    .collect(),
                requires_handoff: d
                    .requires_handoff
                    .as_ref()
                    .map(|h| format!("{} → {}", h.from.as_str(), h.to.as_str())),
            })
            .collect(),
        expectations: s
            .expectations
            .iter()
            .map(|e| MselExpectation {
                id: e.id.to_string(),
                role: e.role.to_string(),
                decision: e.decision.to_string(),
                deadline: {
                    let within = match e.time {
                        crate::authoring::model::scenario::Clock::Story => {
                            format!("{} of story", e.within.value)
                        }
                        crate::authoring::model::scenario::Clock::Session => {
                            s.clock.span(e.within.value)
                        }
                    };
                    match (&e.after, &e.module) {
                        (Some(i), _) => format!("{within} after {}", i.as_str()),
                        (None, Some(m)) => format!("{within} after module {} opens", m.as_str()),
                        (None, None)
                            if e.time == crate::authoring::model::scenario::Clock::Story =>
                        {
                            within
                        }
                        (None, None) => s.clock.at(e.within.value),
                    }
                },
                objective: e.objective.to_string(),
                element: e.element.as_str().to_string(),
                priority: e.priority.as_str().to_string(),
                when: e.when.as_ref().map(|w| w.as_str().trim().to_string()),
                runbook: e.runbook.as_ref().map(|r| r.to_string()),
                step: None,
            })
            .collect(),
        questions: s
            .questions
            .iter()
            .map(|q| MselQuestion {
                when: match (&q.after, &q.at, &q.module) {
                    (Some(i), _, _) => format!("after {}", i.as_str()),
                    (_, Some(at), Some(m)) => format!("{} +{}", m.as_str(), s.clock.span(at.value)),
                    (_, Some(at), None) => s.clock.at(at.value),
                    (None, None, Some(m)) => format!("when {} opens", m.as_str()),
                    _ => "any time".into(),
                },
                ask: q.ask.trim().to_string(),
            })
            .collect(),
    }
}
