//! Who knew what, when: for every inject and revealed fact, the moment each role first had
//! it, from the journal alone. A role has an inject when it is delivered to it, forwarded
//! to it, or quoted to it (a message that answers it, `re=INJECT`, in a channel the role
//! reads, or that the facilitator put on the room's screen); it has a fact when the fact
//! is revealed to it, or quoted to it the same way. The assessment's communication findings and the report's Communication section read
//! this one table.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::authoring::model::scenario::Teams;
use crate::exercise::channel::Message;
use crate::exercise::clock::SimTime;
use crate::exercise::event::{Event, Timed};

/// How a role came to have something.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum How {
    /// The inject was delivered to the role.
    Delivered,
    /// The fact was revealed to the role by its decision.
    Revealed,
    /// Another role forwarded the inject to it.
    Forwarded {
        /// The role that forwarded it.
        from: String,
    },
    /// Someone said it to the role: a message answering it, in a channel the role reads.
    Quoted {
        /// Who said it: a role, or `white` for the facilitator.
        from: String,
    },
}

/// The first time one role had one inject or fact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Learned {
    /// The inject or fact id.
    pub what: String,
    /// The role.
    pub role: String,
    /// When it first had it.
    pub at: SimTime,
    /// How.
    #[serde(flatten)]
    pub how: How,
}

/// Who first had what, when, for every inject and fact of one exercise.
#[derive(Clone, Debug, Default)]
pub struct Knowledge {
    /// (what, role) → the first time the role had it.
    first: BTreeMap<(String, String), Learned>,
    /// The order things first reached the room, for a stable listing.
    order: Vec<String>,
}

impl Knowledge {
    /// Reads the journal, in order, for every role of `roles` (the scenario's), with the
    /// scenario's teams for who reads a team's channel.
    pub fn of(log: &[Timed], roles: &[&str], teams: &Teams) -> Knowledge {
        let mut k = Knowledge::default();
        for t in log {
            match &t.event {
                Event::Deliver { inject, to, .. } => {
                    for r in to {
                        k.learn(inject, r, t.at, How::Delivered);
                    }
                }
                Event::Reveal { fact, to, .. } => k.learn(fact, to, t.at, How::Revealed),
                Event::Message(m) => k.passed_on(m, t.at, roles, |r| m.channel.reaches(r, teams)),
                // A message on the room's screen reaches every role, wherever it was
                // first said.
                Event::Screen { message } => {
                    if let Some(Event::Message(m)) = log.get(*message).map(|t| &t.event) {
                        k.passed_on(m, t.at, roles, |_| true);
                    }
                }
                _ => {}
            }
        }
        k
    }

    /// What message `m` passes on, at `at`, to each role that `reads` it but said it.
    fn passed_on(
        &mut self,
        m: &Message,
        at: SimTime,
        roles: &[&str],
        reads: impl Fn(&str) -> bool,
    ) {
        let Some(what) = m.re.as_deref().filter(|r| !r.starts_with('#')) else {
            return;
        };
        // Only what the room already had can be passed on: an id that never reached
        // anyone is not knowledge, whatever the text says.
        if !self.order.iter().any(|o| o == what) {
            return;
        }
        let how = if m.forward {
            How::Forwarded {
                from: m.from.clone(),
            }
        } else {
            How::Quoted {
                from: m.from.clone(),
            }
        };
        // Whoever reads it, as every screen shows it.
        for &r in roles {
            if r != m.from && reads(r) {
                self.learn(what, r, at, how.clone());
            }
        }
    }

    fn learn(&mut self, what: &str, role: &str, at: SimTime, how: How) {
        if !self.order.iter().any(|o| o == what) {
            self.order.push(what.to_string());
        }
        self.first
            .entry((what.to_string(), role.to_string()))
            .or_insert_with(|| Learned {
                what: what.to_string(),
                role: role.to_string(),
                at,
                how,
            });
    }

    /// When `role` first had `what`, and how.
    pub fn of_role(&self, what: &str, role: &str) -> Option<&Learned> {
        self.first.get(&(what.to_string(), role.to_string()))
    }

    /// The first role to have `what` (the earliest; of those at the same moment, the
    /// first by name), when anyone had it.
    pub fn first(&self, what: &str) -> Option<&Learned> {
        self.holders(what).min_by(|a, b| a.at.cmp(&b.at))
    }

    /// Every role that had `what`, by role name.
    pub fn holders(&self, what: &str) -> impl Iterator<Item = &Learned> {
        let what = what.to_string();
        self.first
            .range((what.clone(), String::new())..)
            .take_while(move |((w, _), _)| *w == what)
            .map(|(_, l)| l)
    }

    /// The injects and facts that reached anyone, in the order they first did.
    pub fn known(&self) -> &[String] {
        &self.order
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authoring::duration::SimDuration;
    use crate::exercise::channel::{Channel, Message};

    fn at(m: u64, event: Event) -> Timed {
        Timed {
            at: SimTime::from_offset(SimDuration::from_secs(m * 60)),
            event,
        }
    }

    fn deliver(inject: &str, to: &[&str]) -> Event {
        Event::Deliver {
            inject: inject.into(),
            to: to.iter().map(|r| r.to_string()).collect(),
            via: "chat".into(),
            source: None,
            reliability: None,
            red_herring: false,
            conflicts_with: Vec::new(),
            text: String::new(),
            story: None,
        }
    }

    fn say(from: &str, channel: Channel, re: &str, forward: bool) -> Event {
        Event::Message(Message {
            from: from.into(),
            participant: None,
            channel,
            text: "see this".into(),
            re: Some(re.into()),
            forward,
            ..Default::default()
        })
    }

    #[test]
    fn delivery_forward_and_quote_each_teach_the_roles_they_reach_once() {
        let roles = ["comms", "ic", "legal", "oncall"];
        let log = vec![
            at(0, deliver("leak", &["oncall"])),
            at(
                5,
                say("oncall", Channel::direct("oncall", "ic"), "leak", true),
            ),
            at(9, say("ic", Channel::War, "leak", false)),
            at(
                12,
                say("oncall", Channel::direct("oncall", "ic"), "leak", true),
            ),
            // An id nobody had is not passed on by naming it.
            at(13, say("ic", Channel::War, "never-delivered", false)),
        ];
        let k = Knowledge::of(&log, &roles, &Teams::new());
        assert_eq!(k.of_role("leak", "oncall").unwrap().how, How::Delivered);
        let ic = k.of_role("leak", "ic").unwrap();
        assert_eq!(
            (ic.at, &ic.how),
            (
                SimTime::from_offset(SimDuration::from_secs(300)),
                &How::Forwarded {
                    from: "oncall".into()
                }
            )
        );
        let legal = k.of_role("leak", "legal").unwrap();
        assert_eq!(
            (legal.at, &legal.how),
            (
                SimTime::from_offset(SimDuration::from_secs(540)),
                &How::Quoted { from: "ic".into() }
            )
        );
        assert_eq!(k.holders("leak").count(), 4);
        assert_eq!(k.first("leak").unwrap().role, "oncall");
        assert_eq!(k.known(), ["leak"]);
        assert!(k.first("never-delivered").is_none());
    }
}
