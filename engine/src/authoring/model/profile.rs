//! A simulation profile: the synthetic room `ttx simulate` plays a scenario with. It says,
//! for each kind of decision, how likely the room is to take it and how long after its cue.
//! The four built-in profiles are values of the same type, so a custom profile file is a
//! built-in with some numbers changed.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Id;
use crate::authoring::duration::SimDuration;
use crate::authoring::spanned::Sp;

/// The names of the built-in profiles, in the order `ttx simulate` plays them.
pub const BUILT_IN: [&str; 4] = ["textbook", "slow", "distracted", "random"];

/// A synthetic room. Every key but `name` may be left out: it then has the `textbook`
/// value, so a custom profile says only what differs from the room that does everything
/// right.
#[derive(Clone, Debug, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The name in the output, e.g. `night-shift`.
    pub name: String,
    /// What room this profile stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Decisions an expectation names, by the expected role, counted from the moment the
    /// expectation applies (the start, or the inject it is timed `after`, once its `when`
    /// holds). A share (`50%`) is of the expectation's `within`.
    #[serde(default = "Behaviour::textbook_expected")]
    pub expected: Behaviour,
    /// Decisions no expectation names that reveal a fact (investigations), counted from
    /// the first inject delivered to a role that may take them. A share is of the
    /// scenario's duration.
    #[serde(default = "Behaviour::textbook_investigations")]
    pub investigations: Behaviour,
    /// Every other catalog decision, counted like investigations.
    #[serde(default = "Behaviour::never")]
    pub others: Behaviour,
    /// Acting on a red herring: a free-text action prompted by it, counted from its
    /// delivery, by one of the roles it was sent to.
    #[serde(default = "Behaviour::never")]
    pub red_herrings: Behaviour,
    /// The chance that the briefing a decision's `requires_handoff` asks for happens just
    /// before the decision.
    #[serde(default = "one")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub handoffs: f64,
    /// The chance that an expected decision is taken by another role allowed to take it
    /// (a coordination gap), when there is one.
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub other_role: f64,
    /// Behaviour for single decisions by id, replacing the behaviour of their kind.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub decisions: IndexMap<Sp<Id>, Behaviour>,
}

fn one() -> f64 {
    1.0
}

/// How likely a decision is taken and how long after its cue.
#[derive(Clone, Debug, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    /// The chance the room takes it at all.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub probability: f64,
    /// How long after the cue, drawn evenly between `min` and `max`.
    #[serde(default = "Delay::none")]
    pub delay: Delay,
    /// What the delay counts from: the decision's `cue` (see each kind) or the `start` of
    /// the exercise (any time at all, with a share of the scenario's duration).
    #[serde(default)]
    pub from: From,
    /// How many times the room takes it (a repeatable move: a search made each turn); the
    /// first as above, the others `every` apart, within the decision's limit. When absent:
    /// once, or up to the limit of a decision whose limit is above one.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub uses: Option<u32>,
    /// How long between uses: the decision's cooldown when absent, or 5m without one.
    #[serde(default)]
    pub every: Option<Sp<SimDuration>>,
    /// Which option the room chooses, by weight (`{refuse: 3, pay: 1}`). Without it the
    /// room chooses an option an expectation accepts (and none it names as wrong) with the
    /// behaviour's probability, and any option at random otherwise.
    #[serde(default)]
    pub options: IndexMap<Sp<Id>, f64>,
}

/// What a delay counts from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum From {
    /// The decision's cue.
    #[default]
    Cue,
    /// The start of the exercise.
    Start,
}

/// A delay drawn evenly between two bounds.
#[derive(Clone, Debug, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Delay {
    /// The shortest delay: a duration (`2m`) or a share (`10%`).
    pub min: Sp<Wait>,
    /// The longest delay.
    pub max: Sp<Wait>,
}

impl Delay {
    fn none() -> Delay {
        Delay::between(Wait::Time(SimDuration::ZERO), Wait::Time(SimDuration::ZERO))
    }

    fn between(min: Wait, max: Wait) -> Delay {
        Delay {
            min: Sp::unplaced(min),
            max: Sp::unplaced(max),
        }
    }
}

/// One bound of a delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// A fixed length of scenario time.
    Time(SimDuration),
    /// A share, in percent, of the expectation's window or the scenario's duration.
    Share(u32),
}

impl Wait {
    /// The length this bound stands for, given what a share is of.
    pub fn resolve(self, whole: SimDuration) -> SimDuration {
        match self {
            Wait::Time(d) => d,
            Wait::Share(p) => SimDuration::from_secs(whole.as_secs() * u64::from(p) / 100),
        }
    }
}

impl FromStr for Wait {
    type Err = String;

    fn from_str(text: &str) -> Result<Wait, String> {
        match text.strip_suffix('%') {
            Some(number) => number
                .parse::<u32>()
                .ok()
                .filter(|p| *p <= 1000)
                .map(Wait::Share)
                .ok_or_else(|| format!("`{text}` is not a share from 0% to 1000%")),
            None => text.parse().map(Wait::Time).map_err(|e| e.to_string()),
        }
    }
}

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Wait::Time(d) => d.fmt(f),
            Wait::Share(p) => write!(f, "{p}%"),
        }
    }
}

impl<'de> Deserialize<'de> for Wait {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl Serialize for Wait {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for Wait {
    fn schema_name() -> Cow<'static, str> {
        "Wait".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^(([0-9]+h)?([0-9]+m)?([0-9]+s)?|[0-9]+%)$",
            "minLength": 2,
            "description": "A duration (`90s`, `15m`) or a share (`50%`) of the expectation's window or the scenario's duration.",
            "examples": ["2m", "50%"]
        })
    }
}

impl Behaviour {
    fn new(probability: f64, min: Wait, max: Wait) -> Behaviour {
        Behaviour {
            probability,
            delay: Delay::between(min, max),
            from: From::Cue,
            uses: None,
            every: None,
            options: IndexMap::new(),
        }
    }

    /// Never taken.
    pub fn never() -> Behaviour {
        Behaviour::new(
            0.0,
            Wait::Time(SimDuration::ZERO),
            Wait::Time(SimDuration::ZERO),
        )
    }

    fn textbook_expected() -> Behaviour {
        Behaviour::new(1.0, Wait::Share(10), Wait::Share(50))
    }

    fn textbook_investigations() -> Behaviour {
        Behaviour::new(1.0, mins(1), mins(5))
    }

    fn at_random(probability: f64) -> Behaviour {
        Behaviour {
            from: From::Start,
            ..Behaviour::new(probability, Wait::Share(0), Wait::Share(100))
        }
    }
}

fn mins(m: u64) -> Wait {
    Wait::Time(SimDuration::from_mins(m))
}

impl Profile {
    /// The four built-in profiles, in the order of [`BUILT_IN`].
    pub fn all_built_in() -> Vec<Profile> {
        BUILT_IN
            .iter()
            .filter_map(|n| Profile::built_in(n))
            .collect()
    }

    /// A built-in profile by name.
    pub fn built_in(name: &str) -> Option<Profile> {
        let textbook = Profile {
            name: name.to_string(),
            description: None,
            expected: Behaviour::textbook_expected(),
            investigations: Behaviour::textbook_investigations(),
            others: Behaviour::never(),
            red_herrings: Behaviour::never(),
            handoffs: 1.0,
            other_role: 0.0,
            decisions: IndexMap::new(),
        };
        let profile = match name {
            "textbook" => Profile {
                description: Some(
                    "Takes every expected decision, by the expected role, within the first half of its window; investigates; briefs before it acts; ignores red herrings."
                        .into(),
                ),
                ..textbook
            },
            "slow" => Profile {
                description: Some(
                    "Takes the right decisions by the right roles, but anywhere from 60% to 250% of the window after they apply; investigates late."
                        .into(),
                ),
                expected: Behaviour::new(1.0, Wait::Share(60), Wait::Share(250)),
                investigations: Behaviour::new(1.0, mins(10), mins(40)),
                ..textbook
            },
            "distracted" => Profile {
                description: Some(
                    "Chases red herrings, skips most briefings, leaves some expected decisions untaken or to the wrong role, and does other things on the way."
                        .into(),
                ),
                expected: Behaviour::new(0.8, Wait::Share(20), Wait::Share(150)),
                investigations: Behaviour::new(0.4, mins(5), mins(30)),
                others: Behaviour::new(0.6, mins(1), mins(10)),
                red_herrings: Behaviour::new(1.0, mins(1), mins(5)),
                handoffs: 0.2,
                other_role: 0.3,
                ..textbook
            },
            "random" => Profile {
                description: Some(
                    "Takes any permitted decision, by any permitted role, at a random time, each with an even chance; briefs half the time."
                        .into(),
                ),
                expected: Behaviour::at_random(0.5),
                investigations: Behaviour::at_random(0.5),
                others: Behaviour::at_random(0.5),
                red_herrings: Behaviour::new(0.5, mins(0), mins(30)),
                handoffs: 0.5,
                other_role: 0.5,
                ..textbook
            },
            _ => return None,
        };
        Some(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_profile_exists_and_carries_its_name() {
        for name in BUILT_IN {
            let p = Profile::built_in(name).unwrap();
            assert_eq!(p.name, name);
            assert!(p.description.is_some());
        }
        assert!(Profile::built_in("heroic").is_none());
    }

    #[test]
    fn waits_read_durations_and_shares() {
        assert_eq!("15m".parse::<Wait>(), Ok(mins(15)));
        assert_eq!("50%".parse::<Wait>(), Ok(Wait::Share(50)));
        assert!("fifty%".parse::<Wait>().is_err());
        assert!("5000%".parse::<Wait>().is_err());
        assert_eq!(
            Wait::Share(50).resolve(SimDuration::from_mins(20)),
            SimDuration::from_mins(10)
        );
    }
}
