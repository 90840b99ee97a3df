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
use ttx_engine::exercise::journal::{self, WallClock};
use ttx_engine::exercise::realtime::ManualClock;
use ttx_engine::exercise::session::{self, Session};
use ttx_engine::exercise::state::{Compiled, Files};
use ttx_engine::exercise::view::{self, Audience};

use std::path::{Path, PathBuf};
use ttx_engine::authoring::model::roster::Roster;

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

/// A facilitation of `c` on a fresh journal `NAME.jsonl` in the test folder `folder`, with
/// seed `seed`, a pinned wall clock, a manual clock, the truth hidden, and its opening
/// shown: where each conversation test starts.
pub fn facilitate(
    c: &'static Compiled,
    folder: &str,
    name: &str,
    seed: u64,
    roster: Option<Roster>,
) -> (Facilitation<'static>, PathBuf) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.jsonl"));
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(path.with_extension("jsonl.lock"));
    let wall = WallClock::Pinned("2026-03-01T10:00:00Z".parse().unwrap());
    let (session, first) = Session::begin(c, seed, files("s.yaml"), &path, false, wall).unwrap();
    let mut f = Facilitation::new(session, roster, Box::new(ManualClock::default()), false);
    f.opening(first);
    (f, path)
}

/// The texts an audience reads, in order.
pub fn read_by(f: &Facilitation<'_>, c: &Compiled, audience: Audience) -> Vec<String> {
    view::seen_by(f.exercise().log(), c.scenario(), audience)
        .into_iter()
        .map(|s| s.text)
        .collect()
}

/// The journal at `path` replays to the events the facilitation holds.
pub fn replays_the_same(c: &Compiled, path: &Path, f: &Facilitation<'_>) {
    let lines = journal::read(path).unwrap().lines;
    let (rebuilt, missing) = session::rebuild(c, &lines, path).unwrap();
    assert!(missing.is_empty());
    assert_eq!(rebuilt.log(), f.exercise().log());
}
