//! Assessment of the three recorded sessions of the payments scenario: each expectation's
//! outcome, the ratings by the documented rule, the traps and gaps, and the action items.

use std::path::{Path, PathBuf};

use ttx_engine::assessment::assess::{self, Assessment, FindingKind, Outcome, Rating};
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::program::Sla;
use ttx_engine::authoring::model::roster::Roster;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::model::sheet::DecisionsSheet;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::exercise::command;
use ttx_engine::exercise::event::FileRef;
use ttx_engine::exercise::facilitation::{Facilitation, Verdict};
use ttx_engine::exercise::journal::WallClock;
use ttx_engine::exercise::realtime::ManualClock;
use ttx_engine::exercise::session::Session;
use ttx_engine::exercise::state::{Compiled, Files};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn assess_session(name: &str) -> Assessment {
    assess_sheet("payments-credential-leak", "sessions", name)
}

/// Plays `examples/acme/FOLDER/NAME` against `scenarios/SCENARIO.yaml` and assesses it.
fn assess_sheet(scenario: &str, folder: &str, name: &str) -> Assessment {
    let acme = root().join("examples/acme");
    let scenario = load::load_file::<Scenario>(
        FileKind::Scenario,
        &root().join(format!("scenarios/{scenario}.yaml")),
        4 << 20,
    )
    .unwrap();
    let compiled = Compiled::new(scenario).unwrap();
    let loaded_sheet = load::load_file::<DecisionsSheet>(
        FileKind::Decisions,
        &acme.join(folder).join(name),
        4 << 20,
    )
    .unwrap();
    let sheet = &loaded_sheet.value;
    let roster = load::load_file::<Roster>(FileKind::Roster, &acme.join("roster.yaml"), 4 << 20)
        .unwrap()
        .value;
    let files = Files {
        scenario: FileRef {
            path: "s.yaml".into(),
            sha256: String::new(),
        },
        architecture: None,
        roster: None,
    };
    // The sheet goes through the command layer, as `ttx run --decisions` plays it.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("assess");
    std::fs::create_dir_all(&dir).unwrap();
    // Tests run side by side and may assess the same session: one journal each.
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let journal = dir.join(format!("{name}-{run}.jsonl"));
    let _ = std::fs::remove_file(&journal);
    let (session, _) = Session::begin(
        &compiled,
        sheet.seed.unwrap(),
        files,
        &journal,
        false,
        WallClock::Pinned(sheet.started.as_ref().unwrap().parse().unwrap()),
    )
    .unwrap();
    let mut f = Facilitation::new(
        session,
        Some(roster.clone()),
        Box::new(ManualClock::default()),
        false,
    );
    for (pos, command) in command::sheet_commands(&loaded_sheet) {
        let r = f.execute(command);
        assert_eq!(r.verdict, Verdict::Ok, "{name}:{pos}");
    }
    let ex = f.exercise();
    let date = sheet.started.as_ref().unwrap()[..10]
        .parse::<ttx_engine::jiff::civil::Date>()
        .unwrap();
    assess::assess(
        ex,
        &assess::Context {
            roster: Some(&roster),
            sla: Sla::default(),
            date,
        },
    )
}

fn outcome<'a>(a: &'a Assessment, id: &str) -> &'a Outcome {
    &a.expectations.iter().find(|e| e.id == id).unwrap().outcome
}

fn rating(a: &Assessment, id: &str) -> Option<Rating> {
    a.objectives.iter().find(|o| o.id == id).unwrap().rating
}

fn kinds(a: &Assessment) -> Vec<FindingKind> {
    a.findings.iter().map(|f| f.kind.clone()).collect()
}

#[test]
fn the_textbook_session_meets_every_expectation_that_applies() {
    let a = assess_session("2026-05-14-textbook.yaml");
    for id in [
        "declare",
        "contain-refunds",
        "rotate",
        "processor",
        "legal-assessment",
    ] {
        assert_eq!(outcome(&a, id), &Outcome::Met, "{id}");
    }
    assert_eq!(
        outcome(&a, "rollback"),
        &Outcome::NotApplicable,
        "the truth was not the release bug"
    );
    assert_eq!(
        outcome(&a, "holding-statement"),
        &Outcome::NotApplicable,
        "the press inject never came"
    );
    for o in ["detect", "contain", "notify"] {
        assert_eq!(rating(&a, o), Some(Rating::P), "{o}");
    }
    assert_eq!(kinds(&a), [FindingKind::HotWash, FindingKind::HotWash]);
}

#[test]
fn the_slow_session_is_late_misses_and_falls_into_the_traps() {
    let a = assess_session("2026-05-14-slow-red-herring.yaml");
    assert_eq!(
        outcome(&a, "declare"),
        &Outcome::Late {
            by: "6m".parse().unwrap()
        }
    );
    assert_eq!(
        outcome(&a, "contain-refunds"),
        &Outcome::Late {
            by: "18m".parse().unwrap()
        }
    );
    assert_eq!(outcome(&a, "rollback"), &Outcome::Met);
    assert_eq!(
        outcome(&a, "processor"),
        &Outcome::OtherRole {
            role: "legal".into()
        }
    );
    assert_eq!(outcome(&a, "legal-assessment"), &Outcome::Missed);
    assert_eq!(rating(&a, "detect"), Some(Rating::S));
    assert_eq!(rating(&a, "contain"), Some(Rating::S));
    assert_eq!(rating(&a, "notify"), Some(Rating::M));
    let k = kinds(&a);
    assert!(
        k.contains(&FindingKind::HandoffGap),
        "comms spoke before the IC briefed them: {k:?}"
    );
    assert!(k.contains(&FindingKind::RedHerring), "{k:?}");
    assert!(k.contains(&FindingKind::CoordinationGap), "{k:?}");
    let gap = a
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::HandoffGap)
        .unwrap();
    assert_eq!(gap.role.as_deref(), Some("comms"));
    // Regression: when another role took the decision, the expectation's own corrective
    // action was replaced by generic text (docs/report.md says it is kept).
    let coordination = a
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::CoordinationGap)
        .unwrap();
    assert_eq!(
        coordination.action,
        "Name an owner for processor notifications in the incident roles and keep the contract's contacts current."
    );
}

#[test]
fn the_processor_session_finds_the_fact_and_shows_a_coordination_gap() {
    let a = assess_session("2026-11-12-processor-incident.yaml");
    assert_eq!(
        outcome(&a, "contain-refunds"),
        &Outcome::OtherRole { role: "ic".into() }
    );
    assert_eq!(rating(&a, "contain"), Some(Rating::S));
    assert_eq!(rating(&a, "detect"), Some(Rating::P));
    assert!(!kinds(&a).contains(&FindingKind::FactNeverUncovered));
}

#[test]
fn action_items_have_stable_ids_owners_and_due_dates() {
    let a = assess_session("2026-05-14-slow-red-herring.yaml");
    let again = assess_session("2026-05-14-slow-red-herring.yaml");
    let ids: Vec<&str> = a.action_items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        again
            .action_items
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>()
    );
    assert_eq!(ids[0], "2026H1-PAYMENTS-01");
    assert_eq!(a.action_items.len(), a.findings.len());
    let late_declare = &a.action_items[0];
    assert_eq!(late_declare.owner, "Security Engineering");
    assert_eq!(late_declare.poc, "Dana Okafor");
    assert_eq!(late_declare.start, "2026-05-14");
    assert_eq!(late_declare.due, "2026-06-13", "high priority: 30 days");
    assert_eq!(late_declare.status, "open");
    let hot_wash = a
        .action_items
        .iter()
        .find(|i| i.finding.contains("CDN alert for ten minutes"))
        .unwrap();
    assert_eq!(
        hot_wash.owner, "Payments Platform",
        "the sheet names the improvement's owner"
    );
    assert!(
        a.action_items.iter().all(|i| i.owner != "UNASSIGNED"),
        "every item of a shipped session is owned: {:?}",
        a.action_items
    );
    assert!(
        a.findings
            .iter()
            .all(|f| !f.observation.contains("Will Ortega")),
        "findings name roles, never people"
    );
}

/// Regression: a fact that was looked for, but whose draw failed, was reported as "could
/// have been uncovered and never was" with the fix "add the investigation to the runbook",
/// though the room did investigate.
#[test]
fn a_fact_investigated_but_not_found_is_told_apart_from_one_never_looked_for() {
    let a = assess_sheet(
        "ransomware-core-datastore",
        "library-sessions",
        "2026-06-16-ransomware-tested-restore.yaml",
    );
    let f = a
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::FactNeverUncovered)
        .expect("the exfiltration fact stays hidden in this session");
    assert!(
        f.observation.contains("was looked for")
            && f.observation.contains("`trace_exfiltration`")
            && f.observation.contains("by the sre role"),
        "{}",
        f.observation
    );
    assert!(
        f.action.starts_with("Make the investigation"),
        "{}",
        f.action
    );
    assert_eq!(f.role.as_deref(), Some("sre"));
}
