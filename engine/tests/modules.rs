//! Modules, story time and turns: modules opened by their time or by the facilitator, in
//! order; injects, questions and expectations of a module; the story clock and deadlines
//! counted on it; a scenario played in turns.

mod support;

use support::{at, context, decide, files};
use ttx_engine::assessment::assess::{self, Outcome};
use ttx_engine::authoring::duration::SimDuration;
use ttx_engine::exercise::clock::SimTime;
use ttx_engine::exercise::event::{Event, Timed};
use ttx_engine::exercise::state::{Compiled, Exercise};
use ttx_engine::exercise::view;

const MODULES: &str = r#"
id: m
title: Modules
version: 1.0.0
summary: Three modules.
duration: 2h
modules:
  - {id: first, title: "Module 1", at: 0m, story: 0m, story_label: "Day 1, 09:00", briefing: It starts.}
  - {id: second, title: "Module 2", story: 26h, story_label: "Day 2, 11:00"}
  - {id: third, title: "Module 3", at: 90m, story: 80h}
roles:
  ic: {title: IC}
  legal: {title: Legal}
objectives:
  - {id: o, text: O, capability: c}
injects:
  - {id: a, module: first, at: 5m, to: [ic], text: A}
  - {id: b, module: second, at: 10m, to: [ic, legal], text: B}
  - {id: c, module: third, at: 5m, to: [legal], text: C}
decisions:
  notify: {by: [legal]}
  brief: {by: [ic]}
  escalate: {by: [ic], when: 'delivered("b") && current_module == "second"'}
expectations:
  - {id: authority, role: legal, decision: notify, within: 72h, time: story, objective: o, element: Planning}
  - {id: brief-in-2, role: ic, decision: brief, module: second, within: 15m, objective: o, element: Planning}
questions:
  - {module: second, ask: What now?}
"#;

const GAME: &str = r#"
id: g
title: Game
version: 1.0.0
summary: A game.
clock: turns
duration: 5t
roles:
  ic: {title: IC}
objectives:
  - {id: o, text: O, capability: c}
injects:
  - {id: t0, at: 0t, to: [ic], text: Start}
  - {id: t2, at: 2t, to: [ic], text: Two}
decisions:
  look: {by: [ic], cooldown: 1t}
expectations:
  - {id: look-soon, role: ic, decision: look, within: 3t, objective: o, element: Planning}
"#;

fn compiled(text: &str) -> &'static Compiled {
    support::compiled_from(text)
}

/// The facilitator opens `module`.
fn open(module: &str) -> Event {
    Event::Open {
        module: module.into(),
    }
}

/// The modules scenario, started, with module 2 opened by the facilitator at 20m.
fn second_opened_at_20m() -> Exercise<'static> {
    let (mut ex, _) = Exercise::start(compiled(MODULES), 1, files("s.yaml"));
    ex.apply(at(20)).unwrap();
    ex.apply(open("second")).unwrap();
    ex
}

fn delivered(log: &[Timed]) -> Vec<(String, u64, Option<String>)> {
    log.iter()
        .filter_map(|t| match &t.event {
            Event::Deliver { inject, story, .. } => {
                Some((inject.clone(), t.at.as_secs() / 60, story.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn modules_open_in_order_by_their_time_or_the_facilitator_and_time_their_injects() {
    let c = compiled(MODULES);
    let (mut ex, first) = Exercise::start(c, 1, files("s.yaml"));
    assert!(
        first
            .iter()
            .any(|t| matches!(&t.event, Event::ModuleOpened { module, .. } if module == "first"))
    );
    // Module 3 is timed, but it cannot open before module 2, which waits for the facilitator.
    let why = ex.apply(open("third")).unwrap_err();
    assert!(why.0.contains("`second` comes first"), "{why}");
    ex.apply(at(20)).unwrap();
    ex.apply(open("second")).unwrap();
    let again = ex.apply(open("second")).unwrap_err();
    assert!(again.0.contains("opened at 0:20:00"), "{again}");
    ex.apply(at(100)).unwrap();
    // Each module's injects count from its opening; the story is told from the last label.
    assert_eq!(
        delivered(ex.log()),
        [
            ("a".to_string(), 5, Some("Day 1, 09:00 +5m".to_string())),
            ("b".to_string(), 30, Some("Day 2, 11:00 +10m".to_string())),
            ("c".to_string(), 95, Some("+80h5m".to_string())),
        ]
    );
    assert_eq!(
        ex.story_at(SimTime::from_offset(SimDuration::from_mins(30))),
        SimDuration::from_mins(26 * 60 + 10)
    );
}

#[test]
fn a_modules_expectation_counts_from_its_opening_and_a_story_deadline_on_the_story_clock() {
    let mut ex = second_opened_at_20m();
    ex.apply(at(40)).unwrap();
    ex.apply(decide("ic", "brief", None)).unwrap();
    // Module 3 jumps the story to 80h: the 72-hour window has passed when legal notifies.
    ex.apply(at(95)).unwrap();
    ex.apply(decide("legal", "notify", None)).unwrap();
    ex.apply(Event::End {
        strengths: Vec::new(),
        improvements: Vec::new(),
    })
    .unwrap();
    let a = assess::assess(&ex, &context());
    let by_id = |id: &str| a.expectations.iter().find(|e| e.id == id).unwrap();
    // Opened at 20m, 15m to brief: due 35m, briefed at 40m.
    assert_eq!(
        by_id("brief-in-2").outcome,
        Outcome::Late {
            by: SimDuration::from_mins(5)
        }
    );
    assert_eq!(
        by_id("authority").outcome,
        Outcome::Late {
            by: SimDuration::from_mins(8 * 60 + 5)
        }
    );
}

#[test]
fn a_story_deadline_is_met_before_the_story_clock_reaches_it() {
    let mut ex = second_opened_at_20m();
    ex.apply(decide("legal", "notify", None)).unwrap();
    let a = assess::assess(&ex, &context());
    assert_eq!(a.expectations[0].outcome, Outcome::Met);
}

#[test]
fn a_game_in_turns_moves_a_turn_at_a_time_and_tells_times_as_turns() {
    let c = compiled(GAME);
    let (mut ex, _) = Exercise::start(c, 1, files("s.yaml"));
    ex.apply(decide("ic", "look", None)).unwrap();
    let why = ex.apply(decide("ic", "look", None)).unwrap_err();
    assert!(why.0.contains("again at"), "{why}");
    ex.apply(at(2)).unwrap();
    let pace = c.scenario().clock;
    let lines: Vec<String> = ex
        .log()
        .iter()
        .filter_map(|t| view::facilitator_line(t, false, pace))
        .collect();
    assert!(
        lines.iter().any(|l| l.starts_with("[turn 2] →")),
        "{lines:?}"
    );
    let status = ttx_engine::exercise::status_line::status_of(&ex, ex.now(), None, false);
    assert!(
        status.to_string().starts_with("[turn 2 of 5 running]"),
        "{status}"
    );
}

#[test]
fn a_decision_may_open_only_after_an_inject_and_in_a_module() {
    let c = compiled(MODULES);
    let (mut ex, _) = Exercise::start(c, 1, files("s.yaml"));
    let why = ex.apply(decide("ic", "escalate", None)).unwrap_err();
    assert!(why.0.contains("not open now"), "{why}");
    ex.apply(open("second")).unwrap();
    assert!(
        ex.apply(decide("ic", "escalate", None)).is_err(),
        "b is not delivered yet"
    );
    ex.apply(at(15)).unwrap();
    ex.apply(decide("ic", "escalate", None)).unwrap();
    ex.apply(at(95)).unwrap();
    assert!(
        ex.apply(decide("ic", "escalate", None)).is_err(),
        "module 3 is open now"
    );
}
