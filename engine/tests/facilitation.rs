//! The command layer on the shipped payments scenario and Acme's roster: regression tests
//! for what a live exercise got wrong (each named after the bug), what a role may see,
//! and the exercise driven from its own thread. Real time is a manual clock: no sleeps.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use support::{ok, refused};
use ttx_engine::assessment::assess::{self, Outcome};
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::program::Sla;
use ttx_engine::authoring::model::roster::Roster;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::exercise::clock::SimTime;
use ttx_engine::exercise::command::{Command, Vocabulary};
use ttx_engine::exercise::driver::{Driver, Setup};
use ttx_engine::exercise::event::{Event, FileRef, Improvement, Timed};
use ttx_engine::exercise::facilitation::{Facilitation, Open, Response, Shown, Verdict};
use ttx_engine::exercise::journal::{self, WallClock};
use ttx_engine::exercise::realtime::ManualClock;
use ttx_engine::exercise::session::{self, Session};
use ttx_engine::exercise::state::{Compiled, Files};
use ttx_engine::exercise::status_line::Mode;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn loaded() -> ttx_engine::authoring::load::Loaded<Scenario> {
    load::load_file::<Scenario>(
        FileKind::Scenario,
        &root().join("scenarios/payments-credential-leak.yaml"),
        4 << 20,
    )
    .unwrap()
}

fn compiled() -> &'static Compiled {
    Box::leak(Box::new(Compiled::new(loaded()).unwrap()))
}

fn roster() -> Roster {
    load::load_file::<Roster>(
        FileKind::Roster,
        &root().join("examples/acme/roster.yaml"),
        4 << 20,
    )
    .unwrap()
    .value
}

fn files() -> Files {
    Files {
        scenario: FileRef {
            path: "s.yaml".into(),
            sha256: String::new(),
        },
        architecture: None,
        roster: None,
    }
}

fn journal_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("facilitation");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.jsonl"));
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(path.with_extension("jsonl.lock"));
    path
}

const WALL: &str = "2026-03-01T10:00:00Z";

/// A new exercise of the payments scenario (seed 7: the leaked CI token) with a manual
/// clock the test moves.
fn start(name: &str) -> (Facilitation<'static>, ManualClock, PathBuf) {
    let path = journal_path(name);
    let (session, first) = Session::begin(
        compiled(),
        7,
        files(),
        &path,
        false,
        WallClock::Pinned(WALL.parse().unwrap()),
    )
    .unwrap();
    let clock = ManualClock::default();
    let mut f = Facilitation::new(session, Some(roster()), Box::new(clock.clone()), false);
    f.opening(first);
    (f, clock, path)
}

fn notices(r: &Response) -> Vec<String> {
    r.shown
        .iter()
        .filter_map(|s| match s {
            Shown::Notice(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

fn mins(m: u64) -> SimTime {
    SimTime::from_offset(ttx_engine::authoring::duration::SimDuration::from_mins(m))
}

fn journal_lines(path: &Path) -> Vec<journal::Line> {
    journal::read(path).unwrap().lines
}

/// Replays the journal's inputs through a fresh exercise: the journal is reproducible.
fn replays(path: &Path) {
    let lines = journal_lines(path);
    let (_, missing) = session::rebuild(compiled(), &lines, path).unwrap();
    assert!(missing.is_empty(), "the journal stops short of its inputs");
}

fn outcome(f: &Facilitation<'_>, expectation: &str) -> Outcome {
    let a = assess::assess(
        f.exercise(),
        &assess::Context {
            roster: None,
            sla: Sla::default(),
            date: "2026-03-01".parse().unwrap(),
        },
    );
    a.expectations
        .iter()
        .find(|e| e.id == expectation)
        .unwrap()
        .outcome
        .clone()
}

#[test]
fn follow_stamps_a_decision_with_the_followed_clock_not_the_last_inject() {
    let (mut f, clock, path) = start("follow-stamps");
    ok(&mut f, "follow 1x");
    // 25 real minutes pass; the last inject (refund-accounts, ~0:20) is behind us.
    clock.advance(Duration::from_secs(25 * 60));
    let r = ok(
        &mut f,
        "decide ic declare_incident : fraud until proven otherwise",
    );
    let decision = r
        .events
        .iter()
        .find(|t| matches!(t.event, Event::Decision { .. }))
        .unwrap();
    assert_eq!(
        decision.at,
        mins(25),
        "the decision carries the time it was entered"
    );
    // The followed time is journaled as an advance before the input it precedes.
    let lines = journal_lines(&path);
    let i = lines
        .iter()
        .position(|l| matches!(l.event, Event::Decision { .. }))
        .unwrap();
    let advance = lines[..i]
        .iter()
        .rev()
        .find(|l| matches!(l.event, Event::Advance { .. }))
        .unwrap();
    assert_eq!(advance.event, Event::Advance { to: mins(25) });
    // Judged against the deadline at that time: declare within 20m is late by 5m.
    assert!(
        matches!(outcome(&f, "declare"), Outcome::Late { by } if by.as_secs() == 300),
        "{:?}",
        outcome(&f, "declare")
    );
    replays(&path);
}

#[test]
fn follow_off_keeps_the_time_reached() {
    let (mut f, clock, path) = start("follow-off");
    ok(&mut f, "follow 2x");
    clock.advance(Duration::from_secs(5 * 60));
    ok(&mut f, "follow off");
    assert_eq!(f.exercise().now(), mins(10));
    clock.advance(Duration::from_secs(60 * 60));
    assert_eq!(f.status().now, mins(10), "the clock no longer follows");
    let r = ok(&mut f, "note : still at ten minutes");
    assert_eq!(r.events.last().unwrap().at, mins(10));
    replays(&path);
}

#[test]
fn pause_stops_the_followed_clock_and_resume_continues_without_a_jump() {
    let (mut f, clock, path) = start("follow-pause");
    ok(&mut f, "follow 1x");
    clock.advance(Duration::from_secs(3 * 60));
    ok(&mut f, "pause : the CFO call");
    assert_eq!(f.exercise().now(), mins(3));
    clock.advance(Duration::from_secs(30 * 60));
    assert_eq!(f.status().now, mins(3), "a paused clock does not follow");
    assert_eq!(f.status().mode, Mode::Paused);
    ok(&mut f, "resume");
    assert_eq!(f.status().now, mins(3), "no jump on resume");
    clock.advance(Duration::from_secs(2 * 60));
    let r = ok(&mut f, "note : two minutes after the resume");
    assert_eq!(r.events.last().unwrap().at, mins(5));
    replays(&path);
}

#[test]
fn a_followed_clock_delivers_injects_while_nobody_types() {
    let (mut f, clock, path) = start("follow-tick");
    ok(&mut f, "follow 10x");
    assert!(f.tick().is_none(), "nothing is due yet");
    clock.advance(Duration::from_secs(30)); // 5 scenario minutes
    let r = f.tick().expect("the CDN alert falls due at 0:04");
    assert!(r.events.iter().any(|t| matches!(
        &t.event,
        Event::Deliver { inject, .. } if inject == "cdn-noise"
    )));
    replays(&path);
}

#[test]
fn hot_wash_lines_are_journaled_and_acknowledged_when_typed() {
    let (mut f, _, path) = start("hot-wash");
    ok(&mut f, "advance 30m");
    let r = ok(&mut f, "strength : on-call paged the IC within two minutes");
    assert_eq!(r.verdict, Verdict::Ok);
    let r = ok(&mut f, "improve : nobody owned the status page");
    assert_eq!(r.verdict, Verdict::Ok);
    // Written before `ok`: a crash now loses neither line.
    let on_disk = journal_lines(&path);
    assert!(
        on_disk
            .iter()
            .any(|l| l.event == Event::Improve(Improvement::text("nobody owned the status page")))
    );
    drop(f); // quit, or the process killed: the lines are in the journal
    let (session, _, _) = Session::resume(
        compiled(),
        &path,
        false,
        WallClock::Pinned(WALL.parse().unwrap()),
    )
    .unwrap();
    let mut f = Facilitation::new(
        session,
        Some(roster()),
        Box::new(ManualClock::default()),
        false,
    );
    ok(&mut f, "end");
    let a = assess::assess(
        f.exercise(),
        &assess::Context {
            roster: None,
            sla: Sla::default(),
            date: "2026-03-01".parse().unwrap(),
        },
    );
    assert!(
        a.findings
            .iter()
            .any(|x| x.observation == "nobody owned the status page"),
        "the improvement becomes a finding after the resume"
    );
    let (strengths, _) = assess::hot_wash(f.exercise().log());
    assert_eq!(strengths, ["on-call paged the IC within two minutes"]);
    replays(&path);
}

#[test]
fn after_end_ratings_and_the_hot_wash_are_taken_and_everything_else_refused() {
    let (mut f, _, path) = start("after-end");
    ok(&mut f, "advance 10m");
    let r = ok(&mut f, "end");
    let told = notices(&r).join("\n");
    assert!(
        told.contains("ttx report"),
        "end says what to run next: {told}"
    );
    ok(&mut f, "rate detect S : declared late but correctly");
    ok(&mut f, "improve : the processor contact list is stale");
    ok(&mut f, "answer 1 : the IC decides; on-call pages");
    ok(&mut f, "note : debrief over coffee");
    let why = refused(&mut f, "decide ic declare_incident");
    assert!(
        why.contains("after `end` only rate, strength, improve, answer and note"),
        "{why}"
    );
    assert!(refused(&mut f, "advance 5m").contains("has ended"));
    replays(&path);
}

#[test]
fn next_goes_to_the_next_inject_that_will_really_be_delivered() {
    let (mut f, _, _) = start("next-real");
    // With the leaked token drawn, canary-diff (0:25, release bug only) and
    // processor-advisory (processor incident only) are held by false conditions.
    ok(&mut f, "advance 20m");
    ok(&mut f, "decide oncall block_refunds");
    let pending = f.status();
    assert!(pending.next.is_some());
    let r = ok(&mut f, "next");
    let delivered: Vec<String> = r
        .events
        .iter()
        .filter_map(|t| match &t.event {
            Event::Deliver { inject, .. } => Some(inject.clone()),
            _ => None,
        })
        .collect();
    assert!(
        !delivered.is_empty(),
        "`next` moved the clock to {} and delivered nothing",
        f.exercise().now()
    );
    assert_eq!(
        Some(f.exercise().now()),
        pending.next,
        "the status said what was next"
    );
    // Nothing the status calls next is ever held.
    let held = f.exercise().held_injects();
    let names: Vec<&str> = held
        .iter()
        .map(|i| f.exercise().compiled().scenario().injects[*i].id.as_str())
        .collect();
    assert!(names.contains(&"canary-diff"), "{names:?}");
}

#[test]
fn participants_and_ids_are_checked_with_a_did_you_mean() {
    let (mut f, _, path) = start("did-you-mean");
    let before = journal_lines(&path).len();
    let why = refused(&mut f, "decide ic declare_incident by=Priya");
    assert!(why.contains("did you mean `priya-nair`"), "{why}");
    let why = refused(&mut f, "decide ic declare_incidnet");
    assert!(why.contains("did you mean `declare_incident`"), "{why}");
    let why = refused(&mut f, "notify oncal ic");
    assert!(why.contains("did you mean `oncall`"), "{why}");
    let why = refused(&mut f, "decide ic declare_incident re=spkie");
    assert!(why.contains("did you mean `spike`"), "{why}");
    let why = refused(&mut f, "present Raj");
    assert!(why.contains("did you mean `raj-patel`"), "{why}");
    assert_eq!(
        journal_lines(&path).len(),
        before,
        "refusals journal nothing"
    );
    ok(&mut f, "decide ic declare_incident by=priya-nair re=spike");
}

#[test]
fn a_decision_taken_twice_by_the_same_role_says_so() {
    let (mut f, _, _) = start("twice");
    ok(&mut f, "advance 17m");
    ok(&mut f, "decide ic declare_incident");
    ok(&mut f, "advance 3m");
    let r = ok(&mut f, "decide ic declare_incident");
    let told = notices(&r).join("\n");
    assert!(
        told.contains("already decided declare_incident at 0:17:00"),
        "{told}"
    );
}

#[test]
fn the_roll_call_is_journaled() {
    let (mut f, _, path) = start("roll-call");
    ok(&mut f, "present priya-nair ic");
    ok(&mut f, "present raj-patel");
    ok(&mut f, "absent raj-patel");
    let why = refused(&mut f, "present priya-nair ceo");
    assert!(why.contains("no role `ceo`"), "{why}");
    let events: Vec<Event> = journal_lines(&path).into_iter().map(|l| l.event).collect();
    assert!(events.contains(&Event::Present {
        person: "priya-nair".into(),
        role: Some("ic".into())
    }));
    assert!(events.contains(&Event::Absent {
        person: "raj-patel".into()
    }));
}

#[test]
fn facilitator_notes_questions_and_the_planned_time_are_shown_when_due() {
    let (mut f, _, path) = start("notices");
    let r = ok(&mut f, "advance 5m");
    let told = notices(&r).join("\n");
    assert!(
        told.contains("facilitator note (cdn-noise): Unrelated to refunds"),
        "{told}"
    );
    // The first question follows the spike, delivered at the start; it was told at the
    // opening, so it is not told again.
    assert!(!told.contains("question 1"), "{told}");
    let r = ok(&mut f, "advance 15m");
    let told = notices(&r).join("\n");
    assert!(
        told.contains("question 2 for the room: Two sources disagree"),
        "{told}"
    );
    ok(&mut f, "answer 2 : the ledger query; the status page lags");
    let questions = f.line("questions");
    let text: Vec<String> = questions
        .shown
        .iter()
        .filter_map(|s| match s {
            Shown::Text(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    assert!(
        text.iter().any(|t| t.starts_with("2. [answered]")),
        "{text:?}"
    );
    assert!(
        f.status().to_string().contains("1:40:00 left"),
        "{}",
        f.status()
    );
    let r = ok(&mut f, "advance 2h");
    let told = notices(&r).join("\n");
    assert!(told.contains("planned 2:00:00 have passed"), "{told}");
    assert!(
        f.status().to_string().contains("0:20:00 over"),
        "{}",
        f.status()
    );
    let r = ok(&mut f, "advance 1m");
    assert!(
        notices(&r).iter().all(|n| !n.contains("have passed")),
        "told once"
    );
    replays(&path);
}

#[test]
fn the_shared_screen_hides_the_truth_until_asked() {
    let (mut f, _, _) = start("spoilers");
    let r = ok(&mut f, "advance 5m");
    let screen: Vec<String> = r
        .shown
        .iter()
        .filter_map(|s| match s {
            Shown::Event(_, line) => Some(line.clone()),
            _ => None,
        })
        .collect();
    let all = screen.join("\n");
    assert!(all.contains("ALERT cdn"), "{all}");
    assert!(!all.contains("red herring"), "{all}");
    assert!(
        !f.status().to_string().contains("rotate"),
        "truth-dependent expectation shown: {}",
        f.status()
    );
    let truth = f.line("truth");
    let text: Vec<String> = truth
        .shown
        .iter()
        .filter_map(|s| match s {
            Shown::Text(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let text = text.join("\n");
    assert!(text.contains("pick of 3 -> leaked_ci_token"), "{text}");
    assert!(text.contains("red herring: cdn-noise"), "{text}");
    assert!(text.contains("held: canary-diff"), "{text}");
    ok(&mut f, "truth on");
    assert!(
        f.status().to_string().contains("rotate (oncall)"),
        "{}",
        f.status()
    );
}

#[test]
fn a_role_never_sees_red_herring_marks_notes_draws_hidden_facts_or_expectations() {
    let (mut f, _, _) = start("role-view");
    ok(&mut f, "advance 20m");
    ok(&mut f, "decide oncall investigate_ci");
    ok(&mut f, "advance 10m");
    ok(&mut f, "notify oncall ic : it is a leaked key");
    let s = f.exercise().compiled().scenario();
    for role in s.roles.keys() {
        let view = f.role_view(role.as_str());
        let json = serde_json::to_string(&view).unwrap();
        let text: String = view.iter().map(|i| i.to_string() + "\n").collect();
        for leak in [
            "red_herring",
            "red herring",
            "leaked_ci_token",
            "pick of",
            "chance",
        ] {
            assert!(
                !json.contains(leak) && !text.contains(leak),
                "{role} sees `{leak}`:\n{text}"
            );
        }
        for inject in &s.injects {
            if let Some(notes) = &inject.notes {
                assert!(
                    !text.contains(notes.trim()),
                    "{role} sees a facilitator note"
                );
            }
        }
        for e in &s.expectations {
            assert!(
                !json.contains(&format!("\"{}\"", e.id)),
                "{role} sees expectation {}",
                e.id
            );
        }
        for (id, fact) in &s.facts {
            if !f.exercise().fact_revealed(id.as_str()) {
                assert!(
                    !text.contains(fact.text.trim()),
                    "{role} sees hidden fact {id}"
                );
            }
        }
    }
    let oncall: String = f
        .role_view("oncall")
        .iter()
        .map(|i| i.to_string() + "\n")
        .collect();
    assert!(
        oncall.contains("ALERT cdn"),
        "the red herring itself is an inject on-call saw"
    );
    let ic: String = f
        .role_view("ic")
        .iter()
        .map(|i| i.to_string() + "\n")
        .collect();
    assert!(ic.contains("from oncall to ic: it is a leaked key"), "{ic}");
    assert!(!ic.contains("ALERT cdn"), "ic sees only its own injects");
}

#[test]
fn completion_follows_the_position_in_the_command() {
    let v = Vocabulary::new(compiled().scenario(), Some(&roster()));
    let (start, words) = v.complete("decide oncall ", 14);
    assert_eq!(start, 14);
    assert!(words.contains(&"block_refunds ".to_string()), "{words:?}");
    assert!(
        !words.contains(&"declare_incident ".to_string()),
        "on-call may not declare: {words:?}"
    );
    let (_, words) = v.complete("decide i", 8);
    assert_eq!(words, ["ic "]);
    let (_, words) = v.complete("decide ic declare_incident by=pri", 33);
    assert_eq!(words, ["priya-nair "]);
    let (_, words) = v.complete("adv", 3);
    assert_eq!(words, ["advance "]);
}

#[test]
fn a_driver_runs_the_exercise_on_its_own_thread() {
    let path = journal_path("driver");
    let clock = ManualClock::default();
    let (updates_tx, updates) = std::sync::mpsc::channel::<(Response, Mode)>();
    let thread_clock = clock.clone();
    let thread_path = path.clone();
    let (mut driver, opened) = Driver::spawn(
        move || {
            Ok(Setup {
                compiled: Compiled::new(loaded()).map_err(|_| "compile".to_string())?,
                open: Open::Begin {
                    seed: 7,
                    files: files(),
                    journal: thread_path,
                    fsync: false,
                    wall: WallClock::Pinned(WALL.parse().unwrap()),
                },
                roster: Some(roster()),
                clock: Box::new(thread_clock),
                truth: false,
            })
        },
        move |r, s| {
            let _ = updates_tx.send((r, s.mode));
        },
    )
    .unwrap();
    assert_eq!(opened.status.now, SimTime::START);
    let r = driver.line("decide ic declare_incident").unwrap();
    assert_eq!(r.verdict, Verdict::Ok);
    assert_eq!(driver.status().unwrap().mode, Mode::Running);
    let r = driver.execute(Command::Follow(Some(10.0))).unwrap();
    assert_eq!(r.verdict, Verdict::Ok);
    clock.advance(Duration::from_secs(30));
    // The thread looks at the followed clock a few times a second; the CDN alert is due.
    let (update, mode) = updates
        .recv_timeout(Duration::from_secs(60))
        .expect("the followed clock delivers on its own");
    assert_eq!(mode, Mode::Following(10.0));
    assert!(update.events.iter().any(|t: &Timed| matches!(
        &t.event,
        Event::Deliver { inject, .. } if inject == "cdn-noise"
    )));
    let view = driver.role_view("oncall").unwrap();
    assert!(view.iter().any(|i| i.text.contains("ALERT cdn")));
    driver.stop();
    assert!(
        !path.with_extension("jsonl.lock").exists(),
        "stopping the driver closes the journal"
    );
    replays(&path);
}

#[test]
fn the_observer_sees_every_role_but_no_truth_and_the_room_only_what_everyone_was_sent() {
    use ttx_engine::exercise::view::{Audience, SeenKind, seen_by};
    let (mut f, _, path) = start("audiences");
    ok(&mut f, "advance 10m");
    ok(&mut f, "decide oncall investigate_ci high : CI");
    ok(
        &mut f,
        "inject oncall,ic,pm,comms,legal : all hands call at 0:15",
    );
    ok(&mut f, "inject pm : the CFO is calling");
    ok(&mut f, "note : the room is slow");
    ok(&mut f, "ask 1");
    let log = f.exercise().log().to_vec();
    let s = f.exercise().compiled().scenario();
    let observer = seen_by(&log, s, Audience::Observer);
    let text: String = observer.iter().map(|i| i.to_string() + "\n").collect();
    assert!(
        text.contains("ALERT cdn") && text.contains("the CFO is calling"),
        "{text}"
    );
    assert!(text.contains("oncall decided"), "{text}");
    assert!(!text.contains("the room is slow"), "a facilitator's note");
    let json = serde_json::to_string(&observer).unwrap();
    assert!(
        !json.contains("red_herring") && !json.contains("leaked-key"),
        "{json}"
    );
    let room = seen_by(&log, s, Audience::Room);
    let kinds: Vec<&SeenKind> = room.iter().map(|i| &i.kind).collect();
    assert_eq!(
        room.len(),
        2,
        "the all-hands inject and the question: {room:?}"
    );
    assert!(matches!(kinds[0], SeenKind::AdHoc { .. }));
    assert!(matches!(kinds[1], SeenKind::Question { number: 1 }));
    // A role sees its own decisions, never another's.
    let ic = seen_by(&log, s, Audience::Role("ic".into()));
    assert!(
        !ic.iter()
            .any(|i| matches!(&i.kind, SeenKind::Decided { .. }))
    );
    // Every item names its journal position.
    let lines = journal_lines(&path);
    for item in &observer {
        assert!(
            lines
                .iter()
                .any(|l| l.seq == item.seq && l.at.to_string() == item.at)
        );
    }
}

#[test]
fn a_question_stays_on_the_screen_until_it_is_answered_or_another_is_asked() {
    use ttx_engine::exercise::view::{current_question, hot_wash_open};
    let (mut f, _, path) = start("ask");
    assert!(refused(&mut f, "ask 0").contains("there is no question 0"));
    assert!(refused(&mut f, "ask 99").contains("questions 1 to"));
    assert!(refused(&mut f, "ask one").contains("ask N"));
    ok(&mut f, "ask 1");
    assert_eq!(current_question(f.exercise().log()), Some(1));
    ok(&mut f, "ask 2");
    assert_eq!(current_question(f.exercise().log()), Some(2));
    ok(&mut f, "answer 1 : late answer");
    assert_eq!(
        current_question(f.exercise().log()),
        Some(2),
        "another's answer"
    );
    ok(&mut f, "answer 2 : trust the processor's incident line");
    assert_eq!(current_question(f.exercise().log()), None);
    assert!(!hot_wash_open(f.exercise().log()));
    ok(&mut f, "hotwash");
    assert!(hot_wash_open(f.exercise().log()));
    ok(&mut f, "end");
    replays(&path);
}

#[test]
fn a_watcher_hears_every_event_once_in_journal_order_whoever_wrote_it() {
    use std::sync::{Arc, Mutex};
    use ttx_engine::exercise::driver::Journaled;
    let path = journal_path("watcher");
    let clock = ManualClock::default();
    let heard: Arc<Mutex<Vec<Journaled>>> = Arc::default();
    let sink = heard.clone();
    let thread_clock = clock.clone();
    let thread_path = path.clone();
    let (mut driver, _) = Driver::spawn_watched(
        move || {
            Ok(Setup {
                compiled: Compiled::new(loaded()).map_err(|_| "compile".to_string())?,
                open: Open::Begin {
                    seed: 7,
                    files: files(),
                    journal: thread_path,
                    fsync: false,
                    wall: WallClock::Pinned(WALL.parse().unwrap()),
                },
                roster: Some(roster()),
                clock: Box::new(thread_clock),
                truth: false,
            })
        },
        |_, _| {},
        Some(Box::new(move |j| sink.lock().unwrap().push(j))),
    )
    .unwrap();
    driver.line("advance 5m").unwrap();
    driver.line("decide oncall investigate_ci").unwrap();
    driver.line("view oncall").unwrap();
    driver.execute(Command::Follow(Some(60.0))).unwrap();
    clock.advance(Duration::from_secs(60));
    // The followed clock delivers on the thread's own tick; wait for the watcher (bounded).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !heard.lock().unwrap().iter().any(|j| {
        j.events
            .iter()
            .any(|t| matches!(t.event, Event::Deliver { .. }))
            && j.first > 8
    }) {
        assert!(
            std::time::Instant::now() < deadline,
            "the tick's deliveries reach the watcher"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    driver.stop();
    let heard = heard.lock().unwrap();
    let mut next = 0u64;
    let mut events = Vec::new();
    for j in heard.iter() {
        assert_eq!(j.first, next, "contiguous");
        next += j.events.len() as u64;
        events.extend(j.events.iter().cloned());
    }
    let lines = journal_lines(&path);
    assert_eq!(events.len(), lines.len(), "every journaled event, once");
    for (t, l) in events.iter().zip(&lines) {
        assert_eq!(t.event, l.event);
    }
    assert!(
        heard
            .iter()
            .any(|j| j.status.next_inject.is_none() && j.revealed.next_inject.is_some()),
        "the projectable status hides what comes next; the revealed one names it"
    );
}

#[test]
fn the_hot_wash_names_an_owner_and_an_improvement_without_one_is_warned_about_at_end() {
    let (mut f, _, path) = start("owners");
    ok(&mut f, "advance 30m");
    assert!(
        refused(&mut f, "improve paymnets : the pager was slow")
            .contains("did you mean `payments`")
    );
    assert!(refused(&mut f, "improve payments objective=speed : x").contains("objective"));
    ok(
        &mut f,
        "improve oncall objective=detect : we paged late => page on refund volume",
    );
    ok(&mut f, "improve comms : the statement waited for legal");
    ok(&mut f, "improve : nobody owned the status page");
    let r = ok(&mut f, "end");
    assert!(
        notices(&r)
            .iter()
            .any(|n| n.contains("1 hot-wash improvement(s) have no owner")),
        "{:?}",
        notices(&r)
    );
    let a = assess::assess(
        f.exercise(),
        &assess::Context {
            roster: Some(&roster()),
            sla: Sla::default(),
            date: "2026-03-01".parse().unwrap(),
        },
    );
    let item = |text: &str| {
        a.action_items
            .iter()
            .find(|i| i.finding.contains(text))
            .unwrap_or_else(|| panic!("no item for {text}"))
    };
    let paged = item("we paged late");
    assert_eq!(paged.owner, "Payments Platform", "on-call's team owns it");
    assert_eq!(paged.action, "page on refund volume");
    assert_eq!(paged.capability.as_deref(), Some("detection"));
    assert_eq!(
        item("waited for legal").owner,
        "Communications",
        "a team named directly"
    );
    assert_eq!(item("status page").owner, "UNASSIGNED");
    assert!(
        a.warnings.iter().any(|w| w.contains("named no owner")),
        "{:?}",
        a.warnings
    );
    replays(&path);
}

#[test]
fn an_improvement_that_restates_an_engine_finding_is_one_action_item() {
    let (mut f, _, path) = start("restates");
    // The IC declares late: the engine finds the gap on expectation `declare`.
    ok(&mut f, "advance 30m");
    ok(&mut f, "decide ic declare_incident");
    let assessed = |f: &Facilitation<'_>| {
        assess::assess(
            f.exercise(),
            &assess::Context {
                roster: Some(&roster()),
                sla: Sla::default(),
                date: "2026-03-01".parse().unwrap(),
            },
        )
    };
    assert!(refused(&mut f, "improve security re=declre : x").contains("did you mean `declare`"));
    // Named by the expectation, or by its decision: the same finding, the same item.
    ok(
        &mut f,
        "improve security re=declare : we declared too late => add refund volume to the SEV2 criteria",
    );
    ok(
        &mut f,
        "improve ic re=declare_incident : the IC waited for certainty",
    );
    ok(&mut f, "improve comms : the statement waited for legal");
    ok(&mut f, "end");
    let a = assessed(&f);
    let hot_wash: Vec<&str> = a
        .findings
        .iter()
        .filter(|x| x.kind == assess::FindingKind::HotWash)
        .map(|x| x.observation.as_str())
        .collect();
    assert_eq!(
        hot_wash,
        ["the statement waited for legal"],
        "only the improvement that restates nothing is an item of its own"
    );
    assert_eq!(a.action_items.len(), a.findings.len());
    let declare = a
        .findings
        .iter()
        .find(|x| x.expectation.as_deref() == Some("declare"))
        .expect("the engine's finding");
    assert!(
        declare.analysis.contains("we declared too late")
            && declare.analysis.contains("waited for certainty")
    );
    assert_eq!(declare.action, "add refund volume to the SEV2 criteria");
    replays(&path);
}
