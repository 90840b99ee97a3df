//! Inputs and context the engine tests of the second edition share.

// Each test file uses a part of this module.
#![allow(dead_code)]

use ttx_engine::assessment::assess;
use ttx_engine::authoring::duration::SimDuration;
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::source::SourceFile;
use ttx_engine::exercise::clock::SimTime;
use ttx_engine::exercise::event::{Event, FileRef};
use ttx_engine::exercise::facilitation::{Facilitation, Response, Verdict};
use ttx_engine::exercise::state::{Compiled, Files};

/// A scenario written in the test, as `s.yaml`, compiled for the rest of the test run.
pub fn compiled_from(text: &str) -> &'static Compiled {
    let loaded =
        load::load_source::<Scenario>(FileKind::Scenario, SourceFile::new("s.yaml", text)).unwrap();
    Box::leak(Box::new(Compiled::new(loaded).unwrap()))
}

/// The files an exercise is pinned to: only the scenario's path, no hash.
pub fn files(scenario: &str) -> Files {
    Files {
        scenario: FileRef {
            path: scenario.into(),
            sha256: String::new(),
        },
        architecture: None,
        roster: None,
    }
}

/// A catalog decision by `by`, with its option when given.
pub fn decide(by: &str, decision: &str, option: Option<&str>) -> Event {
    Event::Decision {
        by: by.into(),
        decision: Some(decision.into()),
        action: None,
        option: option.map(str::to_string),
        participant: None,
        rationale: None,
        confidence: None,
        prompted_by: None,
    }
}

/// The clock moved to `mins` minutes (turns, in a game) from the start.
pub fn at(mins: u64) -> Event {
    Event::Advance {
        to: SimTime::from_offset(SimDuration::from_mins(mins)),
    }
}

/// An assessment context without a roster, on a fixed day.
pub fn context() -> assess::Context<'static> {
    assess::Context {
        roster: None,
        sla: Default::default(),
        date: jiff::civil::date(2026, 12, 1),
    }
}

/// A console line the facilitation takes (acknowledged or answered).
pub fn ok(f: &mut Facilitation<'_>, line: &str) -> Response {
    let r = f.line(line);
    assert!(
        matches!(r.verdict, Verdict::Ok | Verdict::Answered),
        "`{line}`: {:?}",
        r.verdict
    );
    r
}

/// A console line the facilitation refuses, and its reason.
pub fn refused(f: &mut Facilitation<'_>, line: &str) -> String {
    match f.line(line).verdict {
        Verdict::Refused(why) => why,
        other => panic!("`{line}` was not refused: {other:?}"),
    }
}
