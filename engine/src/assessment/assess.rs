//! Assessment: what the exercise showed, as a pure function of a replayed journal, the
//! scenario and the program's roster and SLA. Expectations met, late, missed, not
//! applicable or taken by another role; handoff gaps; ambiguity traps; latency; objective
//! ratings; and the findings as action items with owners and due dates.

use std::collections::HashMap;

use serde::Serialize;

use crate::assessment::communication;
use crate::assessment::knowledge::Knowledge;
use crate::authoring::duration::SimDuration;
use crate::authoring::model::Priority;
use crate::authoring::model::program::Sla;
use crate::authoring::model::roster::Roster;
use crate::authoring::model::scenario::Element;
use crate::exercise::clock::SimTime;
use crate::exercise::event::{Event, Timed};
use crate::exercise::state::Exercise;

pub(crate) use crate::assessment::finding::named;
pub use crate::assessment::finding::{
    ExpectationResult, Finding, FindingKind, ObjectiveRating, Outcome, Rating,
};

/// What the assessment needs besides the exercise.
pub struct Context<'a> {
    /// The roster, for owners; without it every owner is UNASSIGNED.
    pub roster: Option<&'a Roster>,
    /// Days until due per priority.
    pub sla: Sla,
    /// The day of the exercise (from the journal's first wall-clock time).
    pub date: jiff::civil::Date,
}

/// A corrective action with an owner and a due date.
#[derive(Clone, Debug, Serialize)]
pub struct ActionItem {
    /// Stable id, e.g. `2026H1-PAYMENTS-03`.
    pub id: String,
    /// The capability of the objective the finding bears on, if any.
    pub capability: Option<String>,
    /// The finding's observation.
    pub finding: String,
    /// The corrective action.
    pub action: String,
    /// Owning team name, or `UNASSIGNED`.
    pub owner: String,
    /// The team's point of contact, or `UNASSIGNED`.
    pub poc: String,
    /// Priority.
    pub priority: Priority,
    /// POETE element.
    pub element: Element,
    /// Start date, the exercise day.
    pub start: String,
    /// Due date, YYYY-MM-DD.
    pub due: String,
    /// Always `open` when the report is made.
    pub status: String,
    /// The runbook (`ID#section`) the corrective action should change: the one the finding
    /// cites.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runbook: Option<String>,
}

/// Time from an inject to the first decision it prompted, per role.
#[derive(Clone, Debug, Serialize)]
pub struct Latency {
    /// Inject id.
    pub inject: String,
    /// Role.
    pub role: String,
    /// How long until the role's first decision prompted by it.
    pub latency: SimDuration,
}

/// Everything the assessment found.
#[derive(Clone, Debug, Serialize)]
pub struct Assessment {
    /// Expectations, in scenario order.
    pub expectations: Vec<ExpectationResult>,
    /// Objectives and ratings, in scenario order.
    pub objectives: Vec<ObjectiveRating>,
    /// Findings, in a stable order.
    pub findings: Vec<Finding>,
    /// One action item per finding.
    pub action_items: Vec<ActionItem>,
    /// Latency per inject and role.
    pub latency: Vec<Latency>,
    /// Warnings for the facilitator (e.g. roles without an owning team).
    pub warnings: Vec<String>,
    /// Who first had what, when: the communication findings' evidence, which the report's
    /// Communication section shows.
    #[serde(skip)]
    pub knowledge: Knowledge,
    /// The questions of the conversation and their answers.
    #[serde(skip)]
    pub questions: Vec<crate::exercise::conversation::Question>,
}

struct Taken<'e> {
    at: SimTime,
    by: &'e str,
    decision: &'e str,
    option: Option<&'e str>,
}

/// Assesses a replayed exercise.
pub fn assess(ex: &Exercise<'_>, ctx: &Context<'_>) -> Assessment {
    let s = ex.compiled().scenario();
    let log = ex.log();
    let ended = ex.ended();
    let now = ex.now();

    let mut delivered: HashMap<&str, SimTime> = HashMap::new();
    let mut taken: HashMap<&str, Vec<Taken<'_>>> = HashMap::new();
    for t in log {
        match &t.event {
            Event::Deliver { inject, .. } => {
                delivered.entry(inject.as_str()).or_insert(t.at);
            }
            Event::Decision {
                decision: Some(d),
                by,
                option,
                ..
            } => taken.entry(d.as_str()).or_default().push(Taken {
                at: t.at,
                by,
                decision: d,
                option: option.as_deref(),
            }),
            _ => {}
        }
    }

    let mut findings = Vec::new();
    let pace = s.clock;
    let expectations: Vec<ExpectationResult> = s
        .expectations
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let start = ex.expectation_start(e);
            let story = e.time == crate::authoring::model::scenario::Clock::Story;
            // A story-time window closes when the story clock gets there (modules and
            // injects move it on); until then, or if the exercise never got there, the
            // deadline in session time is the end of what was played.
            let story_deadline = start.map(|t| ex.story_at(t).saturating_add(e.within.value));
            let deadline = start.filter(|_| ex.expectation_held(i)).map(|t| {
                if story {
                    story_deadline
                        .and_then(|d| ex.when_story_reaches(t, d))
                        .unwrap_or(SimTime::from_offset(s.duration.value).max(now))
                } else {
                    t.after(e.within.value)
                }
            });
            let in_time = |taken: SimTime, d: SimTime| {
                if story {
                    story_deadline.is_some_and(|sd| ex.story_at(taken) <= sd)
                } else {
                    taken <= d
                }
            };
            let lateness = |taken: SimTime, d: SimTime| {
                if story {
                    ex.story_at(taken)
                        .saturating_sub(story_deadline.unwrap_or_default())
                } else {
                    taken.since(d)
                }
            };
            // Any of the decisions it accepts, in the order they were taken.
            let mut all: Vec<&Taken<'_>> = e
                .decision
                .iter()
                .flat_map(|d| taken.get(d.as_str()).map(Vec::as_slice).unwrap_or(&[]))
                .collect();
            all.sort_by_key(|t| t.at);
            let wrong = |t: &Taken<'_>| -> Option<String> {
                let chosen = t.option?;
                let accepted = e.option.as_ref().is_none_or(|o| o.contains(chosen));
                (!accepted || e.wrong_options.contains_key(chosen)).then(|| chosen.to_string())
            };
            let by_role = all
                .iter()
                .copied()
                .find(|t| e.role.contains(t.by) && start.is_none_or(|s| t.at >= s));
            let by_other = all
                .iter()
                .copied()
                .find(|t| start.is_none_or(|s| t.at >= s) && wrong(t).is_none());
            let outcome = match (deadline, by_role, by_other) {
                (None, _, _) => Outcome::NotApplicable,
                (Some(_), Some(t), _) if wrong(t).is_some() => Outcome::WrongOption {
                    option: wrong(t).unwrap_or_default(),
                },
                (Some(d), Some(t), _) if in_time(t.at, d) => Outcome::Met,
                (Some(d), Some(t), _) => Outcome::Late {
                    by: lateness(t.at, d),
                },
                (Some(_), None, Some(t)) => Outcome::OtherRole {
                    role: t.by.to_string(),
                },
                (Some(d), None, None) if !ended && now <= d => Outcome::Pending,
                (Some(_), None, None) => Outcome::Missed,
            };
            let expected = e.decision.first();
            let corrective = e.corrective_action.clone().unwrap_or_else(|| {
                format!(
                    "Review with the {} role when and how to take `{}`, and rehearse it.",
                    e.role.either(),
                    expected
                )
            });
            let taken_by_role = by_role.map(|t| t.at);
            let time = |t: SimTime| t.label(pace);
            let analysis = match (&outcome, deadline) {
                (Outcome::Late { .. }, Some(d)) => format!(
                    "The deadline was {}{}; the decision came at {}.",
                    time(d),
                    e.after.as_ref().map_or(String::new(), |a| format!(" ({} after `{}`)", pace.span(e.within.value), a.as_str())),
                    taken_by_role.map_or_else(String::new, time)
                ),
                (Outcome::Missed, Some(d)) => match all.first() {
                    Some(early) => format!(
                        "The deadline was {}; it was taken only at {}, before `{}` started the deadline.",
                        time(d),
                        time(early.at),
                        e.after.as_ref().map_or("", |a| a.as_str())
                    ),
                    None => format!(
                        "The deadline was {}; the exercise ended at {} without it.",
                        time(d),
                        time(now)
                    ),
                },
                (Outcome::OtherRole { role }, _) => format!(
                    "The {role} role took it at {}; the scenario expects it of the {} role.",
                    by_other.map_or_else(String::new, |t| time(t.at)),
                    e.role.either()
                ),
                (Outcome::WrongOption { option }, _) => format!(
                    "It was taken at {} with {}{}.",
                    by_role.map_or_else(String::new, |t| time(t.at)),
                    option_named(s, by_role.map_or(expected, |t| t.decision), option),
                    e.option.as_ref().map_or(String::new(), |o| format!(
                        "; the scenario expects {}",
                        o.iter()
                            .map(|x| option_named(s, by_role.map_or(expected, |t| t.decision), x.as_str()))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ))
                ),
                _ => String::new(),
            };
            let finding = |kind, observation: String, action: String| Finding {
                kind,
                role: Some(by_role.map_or(e.role.first(), |t| t.by).to_string()),
                team: None,
                objective: Some(e.objective.to_string()),
                expectation: Some(e.id.to_string()),
                observation,
                analysis: analysis.clone(),
                action,
                runbook: e.runbook.as_ref().map(|r| r.to_string()),
                element: e.element,
                priority: e.priority,
            };
            match &outcome {
                Outcome::Late { by } => findings.push(finding(
                    FindingKind::Late,
                    format!(
                        "The {} role took {} {} after the {} deadline.",
                        by_role.map_or(e.role.first(), |t| t.by),
                        named(s, by_role.map_or(expected, |t| t.decision)),
                        pace.span(*by),
                        pace.span(e.within.value)
                    ),
                    corrective.clone(),
                )),
                Outcome::Missed => findings.push(finding(
                    FindingKind::Missed,
                    format!(
                        "{} was expected of the {} role within {}{} and was not taken in time.",
                        named_any(s, &e.decision),
                        e.role.either(),
                        pace.span(e.within.value),
                        e.after.as_ref().map_or(String::new(), |a| format!(" of `{}`", a.as_str()))
                    ),
                    corrective.clone(),
                )),
                Outcome::OtherRole { role } => findings.push(Finding {
                    element: Element::Organization,
                    ..finding(
                        FindingKind::CoordinationGap,
                        format!(
                            "{} was expected of the {} role but taken by the {role} role.",
                            named(s, by_other.map_or(expected, |t| t.decision)),
                            e.role.either()
                        ),
                        // The expectation's own corrective action when it has one (as
                        // docs/report.md says); else the coordination fix.
                        e.corrective_action.clone().unwrap_or_else(|| {
                            format!(
                                "Agree who owns {} and write it into the incident roles.",
                                named(s, by_other.map_or(expected, |t| t.decision))
                            )
                        }),
                    )
                }),
                Outcome::WrongOption { option } => {
                    let decision = by_role.map_or(expected, |t| t.decision);
                    let observation = e.wrong_options.get(option.as_str()).cloned().unwrap_or_else(|| {
                        format!(
                            "The {} role took {} with {}.",
                            by_role.map_or(e.role.first(), |t| t.by),
                            named(s, decision),
                            option_named(s, decision, option)
                        )
                    });
                    findings.push(finding(FindingKind::WrongOption, observation, corrective.clone()));
                }
                _ => {}
            }
            ExpectationResult {
                id: e.id.to_string(),
                role: e.role.either(),
                decision: by_role
                    .or(by_other)
                    .or(all.first().copied())
                    .map_or(expected, |t| t.decision)
                    .to_string(),
                objective: e.objective.to_string(),
                deadline,
                taken_at: all.first().map(|t| t.at),
                decided_at: by_role.or(by_other).map(|t| t.at),
                option: by_role.or(by_other).and_then(|t| t.option).map(str::to_string),
                by: by_role.or(by_other).map(|t| t.by.to_string()),
                story: story_deadline.filter(|_| story).map(|d| {
                    (d, by_role.or(by_other).map(|t| ex.story_at(t.at)))
                }),
                outcome,
            }
        })
        .collect();

    findings.extend(handoff_and_trap_findings(ex));
    let roles: Vec<&str> = s.roles.keys().map(|r| r.as_str()).collect();
    let knowledge = Knowledge::of(log, &roles, &s.teams);
    let questions = crate::exercise::conversation::questions(log, now);
    findings.extend(communication::findings(
        s,
        &expectations,
        &knowledge,
        &questions,
    ));

    let objectives = s
        .objectives
        .iter()
        .map(|o| {
            let outcomes: Vec<&Outcome> = expectations
                .iter()
                .filter(|r| r.objective == o.id.as_str())
                .map(|r| &r.outcome)
                .filter(|o| !matches!(o, Outcome::NotApplicable | Outcome::Pending))
                .collect();
            ObjectiveRating {
                id: o.id.to_string(),
                text: o.text.clone(),
                capability: o.capability.to_string(),
                rating: rate(&outcomes),
                override_rating: log.iter().rev().find_map(|t| match &t.event {
                    Event::Rate {
                        objective,
                        rating,
                        reason,
                    } if objective == o.id.as_str() => Some((rating.clone(), reason.clone())),
                    _ => None,
                }),
            }
        })
        .collect();

    for i in crate::exercise::event::improvements(log) {
        // An improvement that restates an engine finding (`re=` its expectation or that
        // expectation's decision) is that finding's item, not a second one: the room's
        // words join its analysis, and the room's owner and action, when said, win.
        let restated = i.re.as_deref().and_then(|r| {
            findings.iter().position(|f| {
                f.expectation.as_deref().is_some_and(|e| {
                    e == r
                        || s.expectations
                            .iter()
                            .any(|x| x.id.as_str() == e && x.decision.contains(r))
                })
            })
        });
        if let Some(n) = restated {
            let f = &mut findings[n];
            f.analysis
                .push_str(&format!(" The room said in the hot wash: \"{}\"", i.text));
            if let Some(o) = i.owner {
                if s.roles.contains_key(o.as_str()) {
                    f.role = Some(o);
                    f.team = None;
                } else {
                    f.team = Some(o);
                }
            }
            if let Some(a) = i.action {
                f.action = a;
            }
            continue;
        }
        // The owner is a role of the scenario (its team owns the fix) or a roster team.
        let (role, team) = match i.owner {
            Some(o) if s.roles.contains_key(o.as_str()) => (Some(o), None),
            other => (None, other),
        };
        findings.push(Finding {
            kind: FindingKind::HotWash,
            role,
            team,
            objective: i.objective,
            expectation: None,
            analysis: "Raised by the room in the hot wash.".into(),
            action: i
                .action
                .unwrap_or_else(|| format!("Decide and carry out a fix for: {}", i.text)),
            observation: i.text,
            runbook: None,
            element: Element::Planning,
            priority: Priority::Medium,
        });
    }

    let mut warnings = Vec::new();
    let action_items = action_items(ex, ctx, &findings, &mut warnings);
    Assessment {
        expectations,
        objectives,
        findings,
        action_items,
        latency: latency(log),
        warnings,
        knowledge,
        questions,
    }
}

/// The documented rule: no applicable expectation, no rating; all met, P; none missed but
/// some late or taken by another role, S; some missed and some not, M; all missed, U.
pub fn rate(outcomes: &[&Outcome]) -> Option<Rating> {
    if outcomes.is_empty() {
        return None;
    }
    let missed = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Missed | Outcome::WrongOption { .. }))
        .count();
    let met = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Met))
        .count();
    Some(if met == outcomes.len() {
        Rating::P
    } else if missed == 0 {
        Rating::S
    } else if missed < outcomes.len() {
        Rating::M
    } else {
        Rating::U
    })
}

fn handoff_and_trap_findings(ex: &Exercise<'_>) -> Vec<Finding> {
    let s = ex.compiled().scenario();
    let mut out = Vec::new();
    let mut briefed: Vec<(&str, &str)> = Vec::new();
    let log = ex.log();
    for (index, t) in log.iter().enumerate() {
        match &t.event {
            Event::Notify { from, to, .. } => briefed.push((from, to)),
            Event::Decision {
                by,
                decision,
                action,
                confidence,
                prompted_by,
                ..
            } => {
                let what = match (decision, action) {
                    (Some(d), _) => named(s, d),
                    (None, Some(a)) => format!("“{a}”"),
                    (None, None) => String::new(),
                };
                if let Some(h) = decision
                    .as_deref()
                    .and_then(|d| s.decisions.get(d))
                    .and_then(|d| d.requires_handoff.as_ref())
                    && !briefed.contains(&(h.from.as_str(), h.to.as_str()))
                {
                    out.push(trap(
                        FindingKind::HandoffGap,
                        by,
                        format!(
                            "The {by} role took {what} at {} before the {} role briefed it.",
                            t.at,
                            h.from.as_str()
                        ),
                        format!(
                            "Make the {} → {} briefing a step before {what} in the runbook.",
                            h.from.as_str(),
                            h.to.as_str()
                        ),
                        Element::Organization,
                        Priority::High,
                    ));
                }
                let Some(p) = prompted_by.as_deref() else {
                    continue;
                };
                let Some(inject) = s.injects.iter().find(|i| i.id.as_str() == p) else {
                    continue;
                };
                if inject.red_herring {
                    out.push(trap(
                        FindingKind::RedHerring,
                        by,
                        format!("The {by} role acted on `{p}`, which was unrelated to the incident ({what} at {}).", t.at),
                        "Practise triaging unrelated alerts during an incident: who checks, for how long, and who stays on the incident.".into(),
                        Element::Training,
                        Priority::Medium,
                    ));
                }
                let weak = matches!(
                    inject.source_and_reliability(s).1.as_deref(),
                    Some("D" | "E" | "F")
                );
                let high = matches!(
                    confidence,
                    Some(crate::authoring::model::sheet::Confidence::High)
                );
                let contradicted_later = log[index..].iter().any(|later| match &later.event {
                    Event::Deliver {
                        inject: other,
                        conflicts_with,
                        ..
                    } => {
                        conflicts_with.iter().any(|c| c == p)
                            || inject.conflicts_with.iter().any(|c| c.as_str() == other)
                    }
                    _ => false,
                });
                if weak && high && contradicted_later {
                    out.push(trap(
                        FindingKind::OverconfidentOnWeakSource,
                        by,
                        format!("The {by} role took {what} with high confidence on `{p}`, a low-reliability source that a later report contradicted."),
                        "Rate sources before acting on them; state the confidence and what would change it.".into(),
                        Element::Training,
                        Priority::Medium,
                    ));
                }
            }
            _ => {}
        }
    }
    for fact in s.facts.keys() {
        if ex.fact_revealable(fact.as_str()) && !ex.fact_revealed(fact.as_str()) {
            // The fix belongs to the role that could have uncovered it: the first that may
            // take a decision revealing it.
            let decided = s
                .decisions
                .values()
                .find(|d| d.reveals.iter().any(|r| r.fact.as_str() == fact.as_str()))
                .and_then(|d| d.by.first())
                .map(|r| r.as_str());
            // A fact only a character's answer reveals: the character who knew, and the
            // role that asked them anything (or the first role of the scenario).
            let knew = s.characters.iter().find(|(_, c)| {
                c.replies
                    .iter()
                    .any(|r| r.reveals.iter().any(|x| x.fact.as_str() == fact.as_str()))
            });
            let asker = knew.and_then(|(id, _)| {
                log.iter().find_map(|t| match &t.event {
                    Event::Message(m) if m.channel.character() == Some(id.as_str()) => {
                        m.channel.roles().first().map(|r| r.to_string())
                    }
                    _ => None,
                })
            });
            let role = decided
                .or(asker.as_deref())
                .or_else(|| knew.and_then(|_| s.roles.keys().next()).map(|r| r.as_str()))
                .unwrap_or("");
            // Never investigated, or investigated and the draw failed: different fixes.
            let cause = format!("reveal:{}", fact.as_str());
            let tried = log.iter().enumerate().find_map(|(n, t)| match &t.event {
                Event::Draw {
                    cause: c, result, ..
                } if *c == cause && result == "false" => {
                    log[..n].iter().rev().find_map(|d| match &d.event {
                        Event::Decision {
                            by,
                            decision: Some(x),
                            ..
                        } => Some((by.clone(), named(s, x), t.at)),
                        _ => None,
                    })
                }
                _ => None,
            });
            let only_asked = knew.filter(|_| decided.is_none());
            let mut finding = match (&tried, only_asked) {
                (None, Some((id, c))) => {
                    let id = id.as_str();
                    trap(
                        FindingKind::FactNeverUncovered,
                        role,
                        format!(
                            "The fact `{}` could have been learnt by asking {} (`{id}`) and never was.",
                            fact.as_str(),
                            c.name
                        ),
                        format!(
                            "Name {} in the runbook as a source to ask, with how to reach them.",
                            c.name
                        ),
                        Element::Planning,
                        Priority::Low,
                    )
                }
                (None, None) => trap(
                    FindingKind::FactNeverUncovered,
                    role,
                    format!(
                        "The fact `{}` could have been uncovered and never was.",
                        fact.as_str()
                    ),
                    format!(
                        "Add the investigation that uncovers `{}` to the runbook.",
                        fact.as_str()
                    ),
                    Element::Planning,
                    Priority::Low,
                ),
                (Some((by, what, at)), _) => trap(
                    FindingKind::FactNeverUncovered,
                    by,
                    format!(
                        "The fact `{}` was looked for ({what} by the {by} role at {at}) but the investigation did not find it.",
                        fact.as_str()
                    ),
                    format!(
                        "Make the investigation that uncovers `{}` more reliable: the tooling, access or runbook step it needs.",
                        fact.as_str()
                    ),
                    Element::Equipment,
                    Priority::Low,
                ),
            };
            if tried.is_none() && only_asked.is_some() {
                finding.analysis =
                    "A reply that reveals it could be given during the exercise, but no one asked that character what it answers.".into();
            }
            if tried.is_some() {
                finding.analysis =
                    "Its reveal condition held and a decision that can reveal it was taken, but the draw failed; no later decision revealed it.".into();
            }
            out.push(finding);
        }
    }
    out
}

/// Any of several decisions as findings name them: “A” (`a`) or “B” (`b`).
fn named_any(
    s: &crate::authoring::model::scenario::Scenario,
    ids: &crate::authoring::model::Ids,
) -> String {
    ids.iter()
        .map(|d| named(s, d.as_str()))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// An option of a decision as findings name it: its title with its id beside it.
pub(crate) fn option_named(
    s: &crate::authoring::model::scenario::Scenario,
    decision: &str,
    option: &str,
) -> String {
    match s
        .decisions
        .get(decision)
        .and_then(|d| d.options.get(option))
    {
        Some(title) => format!("“{title}” (`{option}`)"),
        None => format!("`{option}`"),
    }
}

fn trap(
    kind: FindingKind,
    role: &str,
    observation: String,
    action: String,
    element: Element,
    priority: Priority,
) -> Finding {
    let analysis = match kind {
        FindingKind::HandoffGap => {
            "No notification between the two roles is recorded before the decision."
        }
        FindingKind::RedHerring => "The scenario marks the inject as unrelated to the incident.",
        FindingKind::OverconfidentOnWeakSource => {
            "The source was rated D, E or F, and a later report contradicted it."
        }
        FindingKind::FactNeverUncovered => {
            "Its reveal condition held during the exercise, but no decision revealed it."
        }
        _ => "",
    }
    .to_string();
    Finding {
        kind,
        role: (!role.is_empty()).then(|| role.to_string()),
        team: None,
        objective: None,
        expectation: None,
        observation,
        analysis,
        action,
        runbook: None,
        element,
        priority,
    }
}

fn latency(log: &[crate::exercise::event::Timed]) -> Vec<Latency> {
    // The times of the decisions each role took prompted by each inject, in log (time)
    // order: one pass, so the cost grows with the journal, not with its square.
    let mut prompted: HashMap<(&str, &str), Vec<SimTime>> = HashMap::new();
    for d in log {
        if let Event::Decision {
            by,
            prompted_by: Some(p),
            ..
        } = &d.event
        {
            prompted.entry((by, p)).or_default().push(d.at);
        }
    }
    let mut out = Vec::new();
    for t in log {
        let Event::Deliver { inject, to, .. } = &t.event else {
            continue;
        };
        for role in to {
            let first = prompted
                .get(&(role.as_str(), inject.as_str()))
                .and_then(|times| times.get(times.partition_point(|at| *at < t.at)).copied());
            if let Some(at) = first {
                out.push(Latency {
                    inject: inject.clone(),
                    role: role.clone(),
                    latency: at.since(t.at),
                });
            }
        }
    }
    out
}

fn action_items(
    ex: &Exercise<'_>,
    ctx: &Context<'_>,
    findings: &[Finding],
    warnings: &mut Vec<String>,
) -> Vec<ActionItem> {
    let s = ex.compiled().scenario();
    let half = if ctx.date.month() <= 6 { 1 } else { 2 };
    let prefix =
        s.id.as_str()
            .split('-')
            .next()
            .unwrap_or("X")
            .to_uppercase();
    let start = ctx.date.to_string();
    findings
        .iter()
        .enumerate()
        .map(|(n, f)| {
            let owned = match &f.team {
                Some(team) => team_owner(team, ctx.roster),
                None => owner_of(f.role.as_deref(), ctx.roster),
            };
            let (owner, poc) = owned.unwrap_or_else(|| {
                let warning = match (&f.team, f.role.as_deref()) {
                    (Some(t), _) => format!(
                        "team `{t}` is not in the roster; its action items are UNASSIGNED"
                    ),
                    (None, Some(r)) => format!(
                        "role `{r}` has no owning team in the roster; its action items are UNASSIGNED"
                    ),
                    (None, None) => "a hot-wash improvement named no owner; its action item is UNASSIGNED (name one as `improve TEAM : …`)".to_string(),
                };
                if !warnings.contains(&warning) {
                    warnings.push(warning);
                }
                ("UNASSIGNED".into(), "UNASSIGNED".into())
            });
            let due = ctx
                .date
                .checked_add(jiff::Span::new().days(i64::from(ctx.sla.days(f.priority))))
                .unwrap_or(ctx.date);
            let capability = f
                .objective
                .as_deref()
                .and_then(|o| s.objectives.iter().find(|x| x.id.as_str() == o))
                .map(|o| o.capability.to_string());
            ActionItem {
                id: format!("{}H{half}-{prefix}-{:02}", ctx.date.year(), n + 1),
                capability,
                finding: f.observation.clone(),
                action: f.action.clone(),
                owner,
                poc,
                priority: f.priority,
                element: f.element,
                start: start.clone(),
                due: due.to_string(),
                status: "open".into(),
                runbook: f.runbook.clone(),
            }
        })
        .collect()
}

/// The team and point of contact that own findings for a role.
fn owner_of(role: Option<&str>, roster: Option<&Roster>) -> Option<(String, String)> {
    let assignment = roster?.roles.get(role?)?;
    team_owner(assignment.team.as_str(), roster)
}

/// A roster team's name and its point of contact's name.
fn team_owner(team: &str, roster: Option<&Roster>) -> Option<(String, String)> {
    let roster = roster?;
    let team = roster.teams.iter().find(|t| t.id.as_str() == team)?;
    let poc = roster
        .people
        .iter()
        .find(|p| p.id.as_str() == team.poc.as_str())
        .map_or_else(|| "UNASSIGNED".to_string(), |p| p.name.clone());
    Some((team.name.clone(), poc))
}

/// The hot wash as (strengths, improvements), from `strength`/`improve` events and the
/// lists of `end`, in journal order.
pub fn hot_wash(log: &[Timed]) -> (Vec<&str>, Vec<&str>) {
    let (mut strengths, mut improvements) = (Vec::new(), Vec::new());
    for t in log {
        match &t.event {
            Event::Strength { text } => strengths.push(text.as_str()),
            Event::Improve(i) => improvements.push(i.text.as_str()),
            Event::End {
                strengths: s,
                improvements: i,
            } => {
                strengths.extend(s.iter().map(String::as_str));
                improvements.extend(i.iter().map(String::as_str));
            }
            _ => {}
        }
    }
    (strengths, improvements)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_follow_the_documented_rule() {
        let late = Outcome::Late {
            by: SimDuration::from_mins(5),
        };
        let other = Outcome::OtherRole { role: "ic".into() };
        assert_eq!(rate(&[]), None);
        assert_eq!(rate(&[&Outcome::Met, &Outcome::Met]), Some(Rating::P));
        assert_eq!(rate(&[&Outcome::Met, &late]), Some(Rating::S));
        assert_eq!(rate(&[&other]), Some(Rating::S));
        assert_eq!(rate(&[&Outcome::Met, &Outcome::Missed]), Some(Rating::M));
        assert_eq!(rate(&[&late, &Outcome::Missed]), Some(Rating::M));
        assert_eq!(rate(&[&Outcome::Missed, &Outcome::Missed]), Some(Rating::U));
    }
}
