//! The room's conversation, judged: decisions taken before the role had what it needed,
//! information that reached one role and stuck there, and questions left unanswered. Read
//! from the journal and [`Knowledge`], so it is as deterministic as the journal.

use crate::assessment::finding::{ExpectationResult, Finding, FindingKind, Outcome, named};
use crate::assessment::knowledge::Knowledge;
use crate::authoring::model::Priority;
use crate::authoring::model::scenario::{Element, Scenario};
use crate::exercise::channel::Channel;
use crate::exercise::clock::SimTime;
use crate::exercise::conversation::Question;

/// The communication findings: decided uninformed and stuck information, for the
/// expectations that name what their role needs (`informed_by`), and the direct questions
/// no one answered.
pub fn findings(
    s: &Scenario,
    results: &[ExpectationResult],
    knowledge: &Knowledge,
    questions: &[Question],
) -> Vec<Finding> {
    let pace = s.clock;
    let time = |t: SimTime| t.label(pace);
    let mut out = Vec::new();
    for (e, r) in s.expectations.iter().zip(results) {
        if e.informed_by.is_empty()
            || matches!(r.outcome, Outcome::NotApplicable | Outcome::Pending)
        {
            continue;
        }
        let finding = |kind, role: &str, observation, analysis, action, priority| Finding {
            kind,
            role: Some(role.to_string()),
            team: None,
            objective: Some(e.objective.to_string()),
            expectation: Some(e.id.to_string()),
            observation,
            analysis,
            action,
            runbook: e.runbook.as_ref().map(|r| r.to_string()),
            element: Element::Organization,
            priority,
        };
        let decision = named(s, &r.decision);
        for known in &e.informed_by {
            let known = known.as_str();
            let first = knowledge.first(known);
            match (&r.by, r.decided_at) {
                (Some(role), Some(at)) => {
                    let had = knowledge.of_role(known, role);
                    if had.is_some_and(|h| h.at <= at) {
                        continue;
                    }
                    let later = match had {
                        Some(h) => format!("it reached the {role} role only at {}", time(h.at)),
                        None => format!("it never reached the {role} role"),
                    };
                    let (observation, analysis, action, priority) = match first
                        .filter(|f| f.at <= at)
                    {
                        Some(f) => (
                            format!(
                                "The {role} role took {decision} at {} before it had `{known}`, which the {} role had had since {}.",
                                time(at),
                                f.role,
                                time(f.at)
                            ),
                            format!(
                                "The scenario says the decision should be informed by `{known}`; {later}."
                            ),
                            format!(
                                "Make `{known}` reach the {role} role before it decides: who passes it on from the {} role, and in which channel.",
                                f.role
                            ),
                            e.priority,
                        ),
                        None => (
                            format!(
                                "The {role} role took {decision} at {} before `{known}` had reached anyone.",
                                time(at)
                            ),
                            format!(
                                "The scenario says the decision should be informed by `{known}`; {later}. The decision was taken on a guess."
                            ),
                            format!(
                                "Agree what the {role} role needs to know before it takes {decision}, and how it finds out."
                            ),
                            Priority::Low,
                        ),
                    };
                    out.push(finding(
                        FindingKind::DecidedUninformed,
                        role,
                        observation,
                        analysis,
                        action,
                        priority,
                    ));
                }
                _ => {
                    // Not decided: did what the role needed stop on its way?
                    let Some(f) = first else { continue };
                    if e.role
                        .iter()
                        .any(|x| knowledge.of_role(known, x.as_str()).is_some())
                    {
                        continue;
                    }
                    out.push(finding(
                        FindingKind::StuckInformation,
                        &f.role,
                        format!(
                            "`{known}` reached the {} role at {} and never reached the {} role, which needed it for {decision}.",
                            f.role,
                            time(f.at),
                            e.role.either()
                        ),
                        format!(
                            "No delivery, forward or message passed `{known}` on to the {} role.",
                            e.role.either()
                        ),
                        format!(
                            "Make passing `{known}` on to the {} role a step for the {} role: who tells whom, and in which channel.",
                            e.role.either(),
                            f.role
                        ),
                        e.priority,
                    ));
                }
            }
        }
    }
    for q in questions {
        if q.answered_at.is_some() || !matches!(q.channel, Channel::Direct(..)) {
            // A private line or a character left unanswered is the facilitation's gap,
            // not the organisation's: the report lists it, the plan does not.
            continue;
        }
        out.push(Finding {
            kind: FindingKind::Unanswered,
            role: Some(q.to.clone()),
            team: None,
            objective: None,
            expectation: None,
            observation: format!(
                "The {} role asked the {} role a question in a direct message at {} and had no answer.",
                q.from,
                q.to,
                time(q.at)
            ),
            analysis: format!(
                "No later message from the {} role in that channel; the {} role waited {} to the end.",
                q.to,
                q.from,
                pace.span(q.wait)
            ),
            action: format!(
                "Agree how fast the {} role answers a direct question during an incident, and when to take it to the war room instead.",
                q.to
            ),
            runbook: None,
            element: Element::Organization,
            priority: Priority::Low,
        });
    }
    out
}
