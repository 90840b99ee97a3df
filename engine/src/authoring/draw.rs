//! Seeded random draws: the one generator of an exercise, seeded from `--seed`, so that
//! the same seed and decisions draw the same hidden truth, reveals and jitter.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::authoring::duration::SimDuration;

/// The exercise's random generator. ChaCha8 is portable and stable across platforms and
/// versions of `rand_chacha`, which a journal replayed years later relies on.
pub struct Dice {
    rng: ChaCha8Rng,
}

impl Dice {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Dice {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// True with probability `p` (clamped to 0..=1).
    pub fn chance(&mut self, p: f64) -> bool {
        let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        self.rng.random_bool(p)
    }

    /// A whole number from 1 to `sides`.
    pub fn roll(&mut self, sides: u64) -> u64 {
        self.rng.random_range(1..=sides.max(1))
    }

    /// An index below `len` (which must be at least 1).
    pub fn index(&mut self, len: usize) -> usize {
        self.rng.random_range(0..len.max(1))
    }

    /// A number in `0..1`, evenly (for weighted choices).
    pub fn uniform(&mut self) -> f64 {
        self.rng.random_range(0.0..1.0)
    }

    /// A delay from zero up to `max`, in whole seconds.
    pub fn jitter(&mut self, max: SimDuration) -> SimDuration {
        SimDuration::from_secs(self.rng.random_range(0..=max.as_secs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_sequence() {
        let draw = |seed| {
            let mut d = Dice::new(seed);
            (0..20)
                .map(|i| {
                    (
                        d.roll(6),
                        d.index(3),
                        d.chance(0.5),
                        d.jitter(SimDuration::from_secs(i)),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(42), draw(42));
        assert_ne!(draw(42), draw(43));
    }

    #[test]
    fn draws_stay_in_range() {
        let mut d = Dice::new(1);
        for _ in 0..1000 {
            assert!((1..=6).contains(&d.roll(6)));
            assert!(d.index(3) < 3);
            assert!(d.jitter(SimDuration::from_mins(3)) <= SimDuration::from_mins(3));
        }
        assert!(!d.chance(0.0));
        assert!(d.chance(1.0));
        assert!(!d.chance(f64::NAN));
    }
}
