//! Scenario durations (`90s`, `15m`, `1h30m`): how long after the start, or after another
//! event, something happens.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The pattern every duration in a ttx file must match; the JSON Schema carries it, so an
/// editor underlines `15 minutes` before ttx ever sees it.
pub const DURATION_PATTERN: &str = "^(([0-9]+h)?([0-9]+m)?([0-9]+s)?|[0-9]+t)$";

/// How long one turn lasts in the engine's clock: a scenario played in turns
/// (`clock: turns`) writes `3t` for three turns, and the engine keeps a turn as a minute.
pub const TURN: SimDuration = SimDuration::from_mins(1);

/// How a scenario's clock runs: in minutes (the default) or in turns (card and dice
/// games, where `advance` moves one turn).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Pace {
    /// Session time in hours, minutes and seconds.
    #[default]
    Minutes,
    /// Turns: `advance` moves one turn; durations are written `3t`.
    Turns,
}

impl Pace {
    /// A length as the room is told it: `15m`, or `3 turns`.
    pub fn span(self, d: SimDuration) -> String {
        match self {
            Pace::Minutes => d.to_string(),
            Pace::Turns => match d.0 / TURN.0 {
                1 => "1 turn".to_string(),
                n => format!("{n} turns"),
            },
        }
    }

    /// A point in the exercise, given as the time since the start: `0:15:00`, or
    /// `turn 3` (the first turn is turn 0, the start).
    pub fn at(self, since_start: SimDuration) -> String {
        match self {
            Pace::Minutes => since_start.clock(),
            Pace::Turns => format!("turn {}", since_start.0 / TURN.0),
        }
    }
}

/// A length of scenario time, in whole seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(u64);

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);

    /// A duration of `secs` seconds.
    pub const fn from_secs(secs: u64) -> Self {
        SimDuration(secs)
    }

    /// A duration of `mins` minutes.
    pub const fn from_mins(mins: u64) -> Self {
        SimDuration(mins * 60)
    }

    /// The duration in seconds.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// The sum, saturating rather than overflowing.
    pub fn saturating_add(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(other.0))
    }

    /// The difference, zero rather than negative.
    pub fn saturating_sub(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_sub(other.0))
    }
}

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not in the compact form ttx documents.
    #[error("`{0}` is not a duration")]
    Malformed(String),
    /// Longer than any exercise could be.
    #[error("`{0}` is longer than a week")]
    TooLong(String),
}

impl FromStr for SimDuration {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, DurationError> {
        let malformed = || DurationError::Malformed(text.to_string());
        // Turns: `3t`, for scenarios played in turns.
        if let Some(n) = text.strip_suffix('t')
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
        {
            let turns: u64 = n.parse().map_err(|_| malformed())?;
            if turns > 7 * 24 * 60 {
                return Err(DurationError::TooLong(text.to_string()));
            }
            return Ok(SimDuration(turns * TURN.0));
        }
        let well_formed = !text.is_empty()
            && text.split_inclusive(['h', 'm', 's']).all(|part| {
                part.len() >= 2 && part[..part.len() - 1].bytes().all(|b| b.is_ascii_digit())
            });
        if !well_formed || !text.ends_with(['h', 'm', 's']) {
            return Err(malformed());
        }
        // The shape is ours; jiff does the arithmetic and the unit order check (`30m1h`).
        let parsed: jiff::SignedDuration = text.parse().map_err(|_| malformed())?;
        let secs = u64::try_from(parsed.as_secs()).map_err(|_| malformed())?;
        if secs > 7 * 24 * 3600 {
            return Err(DurationError::TooLong(text.to_string()));
        }
        Ok(SimDuration(secs))
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 / 60 % 60, self.0 % 60);
        if self.0 == 0 {
            return f.write_str("0m");
        }
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 {
            write!(f, "{s}s")?;
        }
        Ok(())
    }
}

impl SimDuration {
    /// Formats as a clock offset from the start, `H:MM:SS`, for timelines.
    pub fn clock(self) -> String {
        format!(
            "{}:{:02}:{:02}",
            self.0 / 3600,
            self.0 / 60 % 60,
            self.0 % 60
        )
    }
}

impl<'de> Deserialize<'de> for SimDuration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for SimDuration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for SimDuration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": DURATION_PATTERN,
            "minLength": 2,
            "description": "A duration such as `90s`, `15m` or `1h30m` (hours, minutes, seconds, in that order), or `3t` (turns) in a scenario played in turns.",
            "examples": ["0m", "90s", "15m", "1h30m", "3t"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_forms() {
        assert_eq!("90s".parse::<SimDuration>().unwrap().as_secs(), 90);
        assert_eq!("15m".parse::<SimDuration>().unwrap().as_secs(), 900);
        assert_eq!("1h30m".parse::<SimDuration>().unwrap().as_secs(), 5400);
        assert_eq!("0m".parse::<SimDuration>().unwrap(), SimDuration::ZERO);
        assert_eq!("2h".parse::<SimDuration>().unwrap().to_string(), "2h");
        assert_eq!(SimDuration::from_secs(5430).to_string(), "1h30m30s");
        assert_eq!(
            "3t".parse::<SimDuration>().unwrap(),
            SimDuration::from_mins(3)
        );
        assert_eq!(Pace::Turns.span(SimDuration::from_mins(1)), "1 turn");
        assert_eq!(Pace::Turns.at(SimDuration::from_mins(4)), "turn 4");
        assert!("t".parse::<SimDuration>().is_err());
        assert!("3m2t".parse::<SimDuration>().is_err());
    }

    #[test]
    fn refuses_other_forms() {
        for bad in [
            "",
            "0",
            "15",
            "15 minutes",
            "m",
            "1.5h",
            "-5m",
            "30m1h",
            "1d",
            "15M",
        ] {
            assert!(bad.parse::<SimDuration>().is_err(), "{bad:?} was accepted");
        }
        assert!(matches!(
            "200h".parse::<SimDuration>(),
            Err(DurationError::TooLong(_))
        ));
    }
}
