//! The report's Communication section: who spoke to whom, who knew what when, how long
//! information took to pass between roles, and the questions asked with their answers.
//! Present when the room talked, or when an expectation names what its role needed.

use serde::Serialize;

use crate::assessment::knowledge::{How, Knowledge};
use crate::exercise::channel::{Channel, WHITE_CELL};
use crate::exercise::conversation::Question;
use crate::exercise::event::Event;
use crate::exercise::state::Exercise;

/// What the report says about the room's conversation.
#[derive(Clone, Debug, Serialize)]
pub struct CommunicationSection {
    /// The matrix's columns: the scenario's roles, then `war room`, `facilitator` and, for
    /// a scenario with characters, `characters`.
    pub columns: Vec<String>,
    /// Who said how much to whom: one row per speaker.
    pub matrix: Vec<MatrixRow>,
    /// The roles, the columns of `knew`.
    pub roles: Vec<String>,
    /// One row per key inject or fact: when each role first had it.
    pub knew: Vec<KnewRow>,
    /// Each time an inject or fact passed from one role to another, and how long after the
    /// room first had it.
    pub handoffs: Vec<HandoffRow>,
    /// Questions put in direct messages and on private lines, with their answers.
    pub questions: Vec<QuestionRow>,
}

/// One speaker's messages, by recipient.
#[derive(Clone, Debug, Serialize)]
pub struct MatrixRow {
    /// The role that spoke, `facilitator`, or `characters` (the facilitator answering as
    /// one).
    pub from: String,
    /// One cell per column: `3`, `3 (1 forward)` or empty.
    pub cells: Vec<String>,
}

/// When each role first had one inject or fact.
#[derive(Clone, Debug, Serialize)]
pub struct KnewRow {
    /// The inject or fact id.
    pub what: String,
    /// `inject` or `fact`.
    pub kind: String,
    /// One cell per role: `00:12 (forwarded by oncall)`, or `—` for never.
    pub cells: Vec<String>,
}

/// An inject or fact passed from one role to another.
#[derive(Clone, Debug, Serialize)]
pub struct HandoffRow {
    /// The inject or fact id.
    pub what: String,
    /// Who passed it on.
    pub from: String,
    /// The role it reached.
    pub to: String,
    /// When.
    pub at: String,
    /// How long after the room first had it.
    pub after: String,
    /// `forwarded` or `said`.
    pub how: String,
}

/// A question and its answer.
#[derive(Clone, Debug, Serialize)]
pub struct QuestionRow {
    /// When it was asked.
    pub at: String,
    /// The role that asked.
    pub from: String,
    /// The role asked, `facilitator`, or the character's name.
    pub to: String,
    /// What was asked (room text, scrubbed without `--names`).
    pub text: String,
    /// When it was answered, or `never`.
    pub answered: String,
    /// How long the asker waited.
    pub wait: String,
}

fn speaker(who: &str) -> &str {
    if who == WHITE_CELL {
        "facilitator"
    } else {
        who
    }
}

fn how_said(how: &How) -> String {
    match how {
        How::Delivered => "delivered".into(),
        How::Revealed => "revealed".into(),
        How::Forwarded { from } => format!("forwarded by {}", speaker(from)),
        How::Quoted { from } => format!("said by {}", speaker(from)),
    }
}

/// The section, or `None` when nothing was said and no expectation names what its role
/// needed.
pub fn section(
    ex: &Exercise<'_>,
    knowledge: &Knowledge,
    questions: &[Question],
) -> Option<CommunicationSection> {
    let s = ex.compiled().scenario();
    let time = |t: crate::exercise::clock::SimTime| t.label(s.clock);
    let log = ex.log();
    let talked = log.iter().any(|t| matches!(t.event, Event::Message(_)));
    let needs = s.expectations.iter().any(|e| !e.informed_by.is_empty());
    if !talked && !needs {
        return None;
    }
    let roles: Vec<String> = s.roles.keys().map(|r| r.to_string()).collect();
    let mut columns = roles.clone();
    columns.push("war room".to_string());
    // A column for the team channels, when anyone spoke in one.
    let in_teams = log
        .iter()
        .any(|t| matches!(&t.event, Event::Message(m) if matches!(m.channel, Channel::Team(_))));
    if in_teams {
        columns.push("team channels".to_string());
    }
    columns.push("facilitator".to_string());
    let mut speakers = roles.clone();
    speakers.push("facilitator".into());
    if !s.characters.is_empty() {
        columns.push("characters".into());
        speakers.push("characters".into());
    }
    // (messages, forwards) per speaker and column.
    let mut counts = vec![vec![(0u32, 0u32); columns.len()]; speakers.len()];
    for t in log {
        let Event::Message(m) = &t.event else {
            continue;
        };
        let from = speaker(&m.from);
        let to = match &m.channel {
            Channel::War => "war room",
            Channel::Team(_) => "team channels",
            Channel::Private(r) if m.from == WHITE_CELL => r,
            Channel::Private(_) => "facilitator",
            Channel::Direct(a, b) if *a == m.from => b,
            Channel::Direct(a, _) => a,
            Channel::Character(c, _) if *c != m.from => "characters",
            Channel::Character(_, r) => r,
        };
        let from = if m.channel.character() == Some(m.from.as_str()) {
            "characters"
        } else {
            from
        };
        let (Some(row), Some(col)) = (
            speakers.iter().position(|x| x == from),
            columns.iter().position(|x| x == to),
        ) else {
            continue;
        };
        let cell = &mut counts[row][col];
        cell.0 += 1;
        cell.1 += u32::from(m.forward);
    }
    let matrix = speakers
        .iter()
        .zip(counts)
        .filter(|(_, cells)| cells.iter().any(|c| c.0 > 0))
        .map(|(from, cells)| MatrixRow {
            from: from.clone(),
            cells: cells
                .into_iter()
                .map(|(n, f)| match (n, f) {
                    (0, _) => String::new(),
                    (n, 0) => n.to_string(),
                    (n, f) => format!("{n} ({f} forward{})", if f == 1 { "" } else { "s" }),
                })
                .collect(),
        })
        .collect();

    // The key injects and facts: those an expectation needs, those passed on between
    // roles, and every revealed fact; in the order they first reached the room.
    let needed = |what: &str| {
        s.expectations
            .iter()
            .any(|e| e.informed_by.iter().any(|k| k.as_str() == what))
    };
    let is_fact = |what: &str| s.facts.contains_key(what);
    let passed = |what: &str| {
        knowledge
            .holders(what)
            .any(|l| matches!(l.how, How::Forwarded { .. } | How::Quoted { .. }))
    };
    let mut knew = Vec::new();
    let mut handoffs = Vec::new();
    for what in knowledge.known() {
        if !(needed(what) || is_fact(what) || passed(what)) {
            continue;
        }
        let first = knowledge.first(what).map(|l| l.at);
        knew.push(KnewRow {
            what: what.clone(),
            kind: if is_fact(what) { "fact" } else { "inject" }.into(),
            cells: roles
                .iter()
                .map(|r| match knowledge.of_role(what, r) {
                    Some(l) => format!("{} ({})", time(l.at), how_said(&l.how)),
                    None => "—".into(),
                })
                .collect(),
        });
        let mut passes: Vec<_> = knowledge
            .holders(what)
            .filter_map(|l| match &l.how {
                How::Forwarded { from } => Some((l, from, "forwarded")),
                How::Quoted { from } => Some((l, from, "said")),
                _ => None,
            })
            .collect();
        passes.sort_by_key(|(l, _, _)| l.at);
        for (l, from, how) in passes {
            handoffs.push(HandoffRow {
                what: what.clone(),
                from: speaker(from).to_string(),
                to: l.role.clone(),
                at: time(l.at),
                after: first.map_or_else(String::new, |f| s.clock.span(l.at.since(f))),
                how: how.into(),
            });
        }
    }
    let questions = questions
        .iter()
        .map(|q| QuestionRow {
            at: time(q.at),
            from: q.from.clone(),
            to: match s.characters.get(q.to.as_str()) {
                Some(c) => c.name.clone(),
                None => speaker(&q.to).to_string(),
            },
            text: q.text.clone(),
            answered: q.answered_at.map_or_else(|| "never".to_string(), time),
            wait: s.clock.span(q.wait),
        })
        .collect();
    Some(CommunicationSection {
        columns,
        matrix,
        roles,
        knew,
        handoffs,
        questions,
    })
}
