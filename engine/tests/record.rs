//! An exercise on record (`program::record`): a real exercise of the payments scenario
//! played into a journal inside a copy of Acme's program, then read back as `verify`,
//! `report`, `publish` and `--resume` read it, and each way a journal must be refused.

use std::path::{Path, PathBuf};

use ttx_engine::assessment::report::IdStanding;
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::exercise::event::FileRef;
use ttx_engine::exercise::facilitation::{Facilitation, Verdict};
use ttx_engine::exercise::journal::WallClock;
use ttx_engine::exercise::realtime::ManualClock;
use ttx_engine::exercise::session::{self, Session, SessionError};
use ttx_engine::exercise::state::{Compiled, Files};
use ttx_engine::program::ledger::{self, Stamp};
use ttx_engine::program::record::{Record, RecordError};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh program folder: Acme's ttx.yaml, architecture and roster, the payments
/// scenario in its library, and a journals folder.
fn program(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("record")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::create_dir_all(dir.join("journals")).unwrap();
    let acme = root().join("examples/acme");
    std::fs::write(
        dir.join("ttx.yaml"),
        "org: Acme Outfitters\narchitecture: architecture.yaml\nroster: roster.yaml\nscenarios:\n  - scenarios\n",
    )
    .unwrap();
    for f in ["architecture.yaml", "roster.yaml"] {
        std::fs::copy(acme.join(f), dir.join(f)).unwrap();
    }
    std::fs::copy(
        root().join("scenarios/payments-credential-leak.yaml"),
        dir.join("scenarios/payments.yaml"),
    )
    .unwrap();
    dir
}

fn compiled(path: &Path) -> &'static Compiled {
    let loaded = load::load_file::<Scenario>(FileKind::Scenario, path, 4 << 20).unwrap();
    Box::leak(Box::new(Compiled::new(loaded).unwrap()))
}

fn pin(file: &Path, journal: &Path) -> FileRef {
    session::file_ref(file, journal).unwrap()
}

/// Plays a short exercise (a strength, an improvement, the end) into `journals/x.jsonl`,
/// pinned to the program's scenario, roster and architecture.
fn play(dir: &Path) -> PathBuf {
    play_into(dir, &dir.join("journals/x.jsonl"))
}

fn play_into(dir: &Path, journal: &Path) -> PathBuf {
    let journal = journal.to_path_buf();
    let scenario = dir.join("scenarios/payments.yaml");
    let files = Files {
        scenario: pin(&scenario, &journal),
        architecture: Some(pin(&dir.join("architecture.yaml"), &journal)),
        roster: Some(pin(&dir.join("roster.yaml"), &journal)),
    };
    let (session, first) = Session::begin(
        compiled(&scenario),
        7,
        files,
        &journal,
        false,
        WallClock::Pinned("2026-03-01T10:00:00Z".parse().unwrap()),
    )
    .unwrap();
    let mut f = Facilitation::new(session, None, Box::new(ManualClock::default()), false);
    f.opening(first);
    for line in [
        "advance 30m",
        "strength : on-call paged the IC within two minutes",
        "improve : nobody owned the status page",
        "end",
    ] {
        let r = f.line(line);
        assert!(
            matches!(r.verdict, Verdict::Ok | Verdict::Answered),
            "`{line}`: {:?}",
            r.verdict
        );
    }
    journal
}

#[test]
fn a_journal_opens_with_its_program_roster_architecture_and_replays() {
    let dir = program("opens");
    let journal = play(&dir);
    let record = Record::open(&journal).unwrap();
    let program = record
        .program
        .as_ref()
        .expect("the program above the journal");
    assert_eq!(program.program.value.org, "Acme Outfitters");
    assert!(record.roster.is_some(), "the pinned roster");
    assert!(record.architecture.is_some(), "the program's architecture");
    assert!(record.ledger.is_none(), "no ledger file yet");
    let replayed = record.replay().unwrap();
    assert!(replayed.exercise.ended());
    assert!(replayed.missing.is_empty());
    assert_eq!(record.cut_short(&replayed), None);
    drop(replayed);

    let analysis = record.analyze(false).unwrap();
    assert!(analysis.report.exercise.ended);
    assert!(
        analysis
            .report
            .action_items
            .iter()
            .any(|i| i.finding.contains("status page") || i.action.contains("status page")),
        "the improvement is an action item: {:?}",
        analysis.report.action_items
    );
    assert_eq!(analysis.report.ids, IdStanding::Report);
}

#[test]
fn a_journal_kept_elsewhere_finds_its_program_through_its_pinned_roster() {
    let dir = program("elsewhere/program");
    // Beside the program, not in it: no ttx.yaml above the journal.
    let out = dir.parent().unwrap().join("handed-over");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let journal = play_into(&dir, &out.join("x.jsonl"));
    let record = Record::open(&journal).unwrap();
    let program = record
        .program
        .as_ref()
        .expect("found through the pinned roster");
    assert_eq!(program.root, dir);
    assert_eq!(
        record.analyze(false).unwrap().report.exercise.org,
        "Acme Outfitters"
    );
}

#[test]
fn a_changed_scenario_a_forged_pin_and_a_folder_are_refused() {
    let dir = program("refused");
    let journal = play(&dir);
    assert!(matches!(
        Record::open(&dir.join("journals")),
        Err(RecordError::NotAFile(_))
    ));

    let scenario = dir.join("scenarios/payments.yaml");
    let original = std::fs::read_to_string(&scenario).unwrap();
    std::fs::write(&scenario, format!("{original}\n# edited\n")).unwrap();
    match Record::open(&journal) {
        Err(RecordError::Session(SessionError::FileChanged { .. })) => {}
        Err(e) => panic!("expected a changed pin, got {e}"),
        Ok(_) => panic!("a changed scenario was read back"),
    }
    std::fs::write(&scenario, original).unwrap();
    assert!(Record::open(&journal).is_ok());

    // A roster pinned by absolute path is one ttx never writes: refused unread.
    let forged = dir.join("journals/forged.jsonl");
    let files = Files {
        scenario: pin(&scenario, &forged),
        architecture: None,
        roster: Some(FileRef {
            path: "/etc/passwd.yaml".into(),
            sha256: "0".repeat(64),
        }),
    };
    let (session, _) = Session::begin(
        compiled(&scenario),
        7,
        files,
        &forged,
        false,
        WallClock::Pinned("2026-03-01T10:00:00Z".parse().unwrap()),
    )
    .unwrap();
    drop(session);
    match Record::open(&forged) {
        Err(RecordError::Session(SessionError::PinRefused { why, .. })) => {
            assert_eq!(why, "an absolute path")
        }
        Err(e) => panic!("expected a refused pin, got {e}"),
        Ok(_) => panic!("a forged pin was read back"),
    }
}

#[test]
fn a_pinned_scenario_with_errors_is_invalid_with_its_diagnostics() {
    let dir = program("invalid");
    let journal = dir.join("journals/bad.jsonl");
    let scenario = dir.join("scenarios/payments.yaml");
    let good = compiled(&scenario);
    // The journal pins a scenario that does not validate (its hash matches: not forged).
    let broken = dir.join("scenarios/broken.yaml");
    let text = std::fs::read_to_string(&scenario).unwrap().replacen(
        "injects:",
        "injects_typo: 1\ninjects:",
        1,
    );
    std::fs::write(&broken, text).unwrap();
    let files = Files {
        scenario: pin(&broken, &journal),
        architecture: None,
        roster: None,
    };
    let (session, _) = Session::begin(
        good,
        7,
        files,
        &journal,
        false,
        WallClock::Pinned("2026-03-01T10:00:00Z".parse().unwrap()),
    )
    .unwrap();
    drop(session);
    match Record::open(&journal) {
        Err(RecordError::Invalid(report)) => {
            assert!(report.errors() > 0);
            let d = &report.diagnostics[0];
            assert!(
                d.file.ends_with("broken.yaml"),
                "points at the scenario: {d:?}"
            );
            assert!(d.pos.line > 0);
            assert!(
                !report.sources.is_empty(),
                "its text comes along for snippets"
            );
        }
        Err(e) => panic!("expected the scenario's errors, got {e}"),
        Ok(_) => panic!("an invalid scenario was read back"),
    }
}

#[test]
fn the_ledger_names_the_ids_and_a_journal_cut_after_entering_is_refused() {
    let dir = program("ledger");
    let journal = play(&dir);
    let analysis = Record::open(&journal).unwrap().analyze(false).unwrap();
    let program = analysis.program.as_ref().unwrap();
    let path = program.ledger_path();
    let stamp = Stamp {
        at: "2026-03-02T09:00:00Z".into(),
        by: "test".into(),
    };
    let written = ledger::transact(&path, &stamp, |state| {
        Ok(ledger::enter_events(
            state,
            &analysis.report,
            "journals/x.jsonl",
            "x",
            &analysis.identity,
            &analysis.anchor,
        ))
    })
    .unwrap();
    assert!(written.value.new);

    let record = Record::open(&journal).unwrap();
    assert!(record.ledger.is_some());
    let again = record.analyze(false).unwrap();
    assert_eq!(again.report.ids, IdStanding::Ledger);
    let entered: Vec<&str> = written.value.ids.iter().map(|(_, l)| l.as_str()).collect();
    let named: Vec<&str> = again
        .report
        .action_items
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(named, entered);

    // Cut the end off: the chain of the lines left still holds, the ledger's anchor
    // does not.
    let text = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(
        &journal,
        format!("{}\n", lines[..lines.len() - 1].join("\n")),
    )
    .unwrap();
    match Record::open(&journal) {
        Err(RecordError::Anchor { why, .. }) => assert!(why.contains("(it was cut)"), "{why}"),
        Err(e) => panic!("expected the anchor to fail, got {e}"),
        Ok(_) => panic!("a journal cut after entering was read back"),
    }
}
