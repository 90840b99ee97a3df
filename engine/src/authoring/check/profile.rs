//! Checks of a simulation profile: delays whose bounds are in order, and, against a
//! scenario, per-decision behaviour for decisions the scenario has.

use super::Sink;
use crate::authoring::diagnostic::{Code, Diagnostic};
use crate::authoring::load::Loaded;
use crate::authoring::model::profile::{Behaviour, Profile, Wait};
use crate::authoring::model::scenario::Scenario;

/// Runs every check of a profile; `scenario` enables the decision references.
pub fn check(loaded: &Loaded<Profile>, scenario: Option<&Scenario>) -> Vec<Diagnostic> {
    let p = &loaded.value;
    let mut sink = Sink::new(&loaded.source.path);
    let kinds = [&p.expected, &p.investigations, &p.others, &p.red_herrings];
    for b in kinds.into_iter().chain(p.decisions.values()) {
        ordered(b, &mut sink);
    }
    if let Some(s) = scenario {
        for id in p.decisions.keys() {
            sink.reference("decision", id, s.decisions.keys().map(|d| d.as_str()));
        }
    }
    sink.out
}

/// A delay's `min` must not be longer than its `max` when both are of one kind.
fn ordered(b: &Behaviour, sink: &mut Sink<'_>) {
    let (min, max) = (&b.delay.min, &b.delay.max);
    let backwards = match (min.value, max.value) {
        (Wait::Time(a), Wait::Time(z)) => a > z,
        (Wait::Share(a), Wait::Share(z)) => a > z,
        _ => false,
    };
    if backwards {
        sink.error(
            min.pos,
            Code::InvalidValue,
            format!(
                "the delay's min ({}) is longer than its max ({})",
                min.value, max.value
            ),
            "swap them: a delay is drawn evenly from min to max".to_string(),
        );
    }
}
