//! The simulated clock's time: how far into the exercise something happened. The engine
//! never sleeps; the facilitator moves this clock.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::authoring::duration::SimDuration;

/// A point in scenario time, in whole seconds from the start of the exercise.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct SimTime(u64);

impl SimTime {
    /// The start of the exercise.
    pub const START: SimTime = SimTime(0);

    /// The time `offset` after the start.
    pub const fn from_offset(offset: SimDuration) -> Self {
        SimTime(offset.as_secs())
    }

    /// Seconds since the start.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// The time `d` later.
    pub fn after(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.as_secs()))
    }

    /// The time as a scenario of this pace tells it: `0:15:00`, or `turn 3`.
    pub fn label(self, pace: crate::authoring::duration::Pace) -> String {
        pace.at(SimDuration::from_secs(self.0))
    }

    /// How long after `earlier` this is (zero if it is not after).
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration::from_secs(self.0.saturating_sub(earlier.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&SimDuration::from_secs(self.0).clock())
    }
}
