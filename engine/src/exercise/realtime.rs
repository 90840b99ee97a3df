//! Real time for a clock that follows it (`follow 2x`): a monotonic clock the front end
//! provides. The exercise never reads it; the command layer turns it into journaled
//! `advance` events. Tests and sheets use a [`ManualClock`] that moves only when told.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Real time as the facilitator lives it, for following the clock: time elapsed since
/// some fixed moment, never going back.
pub trait Monotonic: Send {
    /// Time elapsed since the clock's start.
    fn elapsed(&self) -> Duration;
}

/// The machine's monotonic clock.
pub struct SystemClock(Instant);

impl SystemClock {
    /// A clock that starts now.
    pub fn new() -> SystemClock {
        SystemClock(Instant::now())
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Monotonic for SystemClock {
    fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
}

/// A clock that moves only when told to: for tests of the followed clock (no sleeps),
/// and for sheets, where real time plays no part.
#[derive(Clone, Default)]
pub struct ManualClock(Arc<Mutex<Duration>>);

impl ManualClock {
    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        if let Ok(mut d) = self.0.lock() {
            *d += by;
        }
    }
}

impl Monotonic for ManualClock {
    fn elapsed(&self) -> Duration {
        self.0.lock().map(|d| *d).unwrap_or_default()
    }
}
