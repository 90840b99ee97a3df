//! What each audience may see of an exercise, decided in one place for every front end.
//! A role sees its injects (channel, source, reliability, and which of the reports it
//! has seen contradict each other), ad-hoc injects to it, what other roles told it and
//! what it learnt; never red-herring marks, facilitator notes, draws, script output,
//! hidden facts or expectations: the [`RoleItem`] type has no field that could carry
//! them. The facilitator sees everything, with the truth (draws, red-herring marks)
//! behind a switch, because the facilitator's screen is often projected.

use std::collections::HashSet;
use std::fmt;

use serde::Serialize;

use crate::exercise::event::{Event, Timed};

/// One thing a role has seen.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoleItem {
    /// Scenario time, `H:MM:SS`.
    pub at: String,
    /// What kind of thing it is.
    #[serde(flatten)]
    pub kind: RoleItemKind,
    /// What the role read or heard.
    pub text: String,
}

/// The kinds of thing a role sees.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RoleItemKind {
    /// An inject of the scenario.
    Inject {
        /// The inject's id, for `re=` (the prompt of a decision).
        inject: String,
        /// Channel.
        via: String,
        /// Who it comes from.
        source: Option<String>,
        /// How reliable that source is (A to F).
        reliability: Option<String>,
        /// Injects this role has seen that this one contradicts.
        conflicts_with: Vec<String>,
    },
    /// An inject the facilitator made up.
    AdHoc,
    /// Another role informed this one.
    Message {
        /// The role that informed.
        from: String,
    },
    /// A fact this role's own decision brought to light.
    Learned,
}

impl fmt::Display for RoleItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] ", self.at)?;
        match &self.kind {
            RoleItemKind::Inject {
                via,
                source,
                reliability,
                conflicts_with,
                ..
            } => {
                write!(f, "{via}")?;
                if let (Some(s), Some(r)) = (source, reliability) {
                    write!(f, " from {s} (reliability {r})")?;
                }
                write!(f, ": {}", self.text)?;
                if !conflicts_with.is_empty() {
                    write!(
                        f,
                        "   (contradicts what you heard in: {})",
                        conflicts_with.join(", ")
                    )?;
                }
                Ok(())
            }
            RoleItemKind::AdHoc => write!(f, "{}", self.text),
            RoleItemKind::Message { from } => write!(f, "from {from}: {}", self.text),
            RoleItemKind::Learned => write!(f, "you learn: {}", self.text),
        }
    }
}

/// What one role has seen so far, in time order: the one projection of the journal that
/// is safe to show that role.
pub fn role_view(log: &[Timed], role: &str) -> Vec<RoleItem> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for t in log {
        let at = t.at.to_string();
        let item = match &t.event {
            Event::Deliver {
                inject,
                to,
                via,
                source,
                reliability,
                conflicts_with,
                text,
                ..
            } if to.iter().any(|r| r == role) => {
                seen.insert(inject);
                RoleItem {
                    at,
                    kind: RoleItemKind::Inject {
                        inject: inject.clone(),
                        via: via.clone(),
                        source: source.clone(),
                        reliability: reliability.clone(),
                        conflicts_with: conflicts_with
                            .iter()
                            .filter(|c| seen.contains(c.as_str()))
                            .cloned()
                            .collect(),
                    },
                    text: text.clone(),
                }
            }
            Event::AdHocInject { to, text } if to.iter().any(|r| r == role) => RoleItem {
                at,
                kind: RoleItemKind::AdHoc,
                text: text.clone(),
            },
            Event::Notify { from, to, text } if to == role => RoleItem {
                at,
                kind: RoleItemKind::Message { from: from.clone() },
                text: text.clone().unwrap_or_default(),
            },
            Event::Reveal { to, text, .. } if to == role => RoleItem {
                at,
                kind: RoleItemKind::Learned,
                text: text.clone(),
            },
            _ => continue,
        };
        out.push(item);
    }
    out
}

/// One event as the facilitator's screen shows it, or `None` when it is part of the
/// truth (a draw, script output) and `truth` is off. Red-herring marks are shown only
/// with `truth`; conflicting reports are ambiguity the room lives with, so always shown.
pub fn facilitator_line(t: &Timed, truth: bool) -> Option<String> {
    let at = format!("[{}]", t.at);
    let line = match &t.event {
        Event::Start {
            scenario_id,
            scenario_version,
            seed,
            ..
        } => {
            let seed = if truth {
                format!(" (seed {seed})")
            } else {
                String::new()
            };
            format!("{at} exercise {scenario_id} {scenario_version} starts{seed}")
        }
        Event::Draw {
            cause,
            what,
            result,
        } if truth => format!("{at}   draw ({cause}): {what} -> {result}"),
        Event::Print { cause, text } if truth => format!("{at}   script ({cause}): {text}"),
        Event::Draw { .. } | Event::Print { .. } => return None,
        Event::ScriptError {
            cause,
            at: place,
            message,
        } => {
            format!("{at} ✗ script error in {cause} at {place}: {message} (the exercise goes on)")
        }
        Event::Deliver {
            inject,
            to,
            via,
            source,
            reliability,
            red_herring,
            conflicts_with,
            text,
        } => {
            let from = match (source, reliability) {
                (Some(s), Some(r)) => format!(" from {s} ({r})"),
                _ => String::new(),
            };
            let mut marks = String::new();
            if *red_herring && truth {
                marks.push_str(" [red herring]");
            }
            for c in conflicts_with {
                marks.push_str(&format!(" [conflicts with {c}]"));
            }
            format!(
                "{at} → {} by {via}{from}: {text}   ({inject}){marks}",
                to.join(", ")
            )
        }
        Event::Decision {
            by,
            decision,
            action,
            confidence,
            rationale,
            participant,
            ..
        } => {
            let what = decision
                .clone()
                .or_else(|| action.clone())
                .unwrap_or_default();
            let conf = confidence
                .map(|c| format!(" ({})", c.as_str()))
                .unwrap_or_default();
            let who = participant
                .as_ref()
                .map(|p| format!(" (said by {p})"))
                .unwrap_or_default();
            let why = rationale
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            format!("{at} ✓ {by} decided {what}{conf}{who}{why}")
        }
        Event::Notify { from, to, text } => {
            let text = text.as_ref().map(|t| format!(": {t}")).unwrap_or_default();
            format!("{at} ✓ {from} informed {to}{text}")
        }
        Event::Reveal { fact, to, text, .. } => format!("{at} ! {to} learns {fact}: {text}"),
        Event::Note { text } => format!("{at} note: {text}"),
        Event::AdHocInject { to, text } => format!("{at} → {} (ad hoc): {text}", to.join(", ")),
        Event::Advance { to } => format!("{at} clock moves to {to}"),
        Event::Pause { reason } => format!("{at} paused{}", colon(reason)),
        Event::Resume { reason } => format!("{at} resumed{}", colon(reason)),
        Event::Rate {
            objective,
            rating,
            reason,
        } => format!("{at} objective {objective} rated {rating} by the facilitator: {reason}"),
        Event::Strength { text } => format!("{at} hot wash, strength: {text}"),
        Event::Improve { text } => format!("{at} hot wash, to improve: {text}"),
        Event::Present { person, role } => match role {
            Some(r) => format!("{at} present: {person} as {r}"),
            None => format!("{at} present: {person}"),
        },
        Event::Absent { person } => format!("{at} absent: {person}"),
        Event::Answer { question, text } => format!("{at} answer to question {question}: {text}"),
        Event::End {
            strengths,
            improvements,
        } => {
            if strengths.is_empty() && improvements.is_empty() {
                format!("{at} exercise ends")
            } else {
                format!(
                    "{at} exercise ends: {} strength(s), {} area(s) for improvement",
                    strengths.len(),
                    improvements.len()
                )
            }
        }
    };
    Some(line)
}

fn colon(text: &Option<String>) -> String {
    text.as_ref().map(|r| format!(": {r}")).unwrap_or_default()
}
