//! The scenario library: every scenario meets the bar the library promises (length,
//! injects, roles, ambiguity, hidden truth, runbooks, ATT&CK), binds to two unrelated
//! architectures, and has two recorded sessions with golden reports that replay.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use ttx_engine::authoring::load;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::schema::FileKind;

use crate::run::play_sheet;
use crate::support::{Ttx, root};

const SESSIONS: &str = "library-sessions";

fn scenarios() -> Vec<(PathBuf, Scenario)> {
    let mut out: Vec<(PathBuf, Scenario)> =
        ttx_engine::authoring::project::yaml_files(&root().join("scenarios"))
            .into_iter()
            .map(|p| {
                let loaded = load::load_file::<Scenario>(FileKind::Scenario, &p, 4 << 20)
                    .unwrap_or_else(|f| panic!("{}: {:?}", p.display(), f.diagnostics));
                (p, loaded.value)
            })
            .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn sheets() -> Vec<PathBuf> {
    let mut out =
        ttx_engine::authoring::project::yaml_files(&root().join("examples/acme").join(SESSIONS));
    out.sort();
    out
}

fn stem(p: &std::path::Path) -> String {
    p.file_stem().unwrap().to_str().unwrap().to_string()
}

#[test]
fn every_scenario_meets_the_library_bar() {
    let all = scenarios();
    assert!(
        all.len() >= 7,
        "the library has the payments scenario and six more"
    );
    let themes = [
        "ransomware",
        "dependency",
        "vendor",
        "cloud-credentials",
        "insider",
        "ddos",
    ];
    for theme in themes {
        assert!(
            all.iter().any(|(_, s)| s.id.as_str().contains(theme)),
            "no scenario for {theme}"
        );
    }
    for (path, s) in &all {
        let name = path.display();
        let minutes = s.duration.value.as_secs() / 60;
        match s.clock {
            // A game in turns: a turn is a round of play, not a minute.
            ttx_engine::authoring::duration::Pace::Turns => {
                assert!((6..=30).contains(&minutes), "{name}: {minutes} turns")
            }
            ttx_engine::authoring::duration::Pace::Minutes => {
                assert!((60..=120).contains(&minutes), "{name}: {minutes} minutes")
            }
        }
        assert!(s.injects.len() >= 12, "{name}: {} injects", s.injects.len());
        assert!(s.roles.len() >= 4, "{name}: {} roles", s.roles.len());
        assert!(
            s.injects.iter().any(|i| i.red_herring),
            "{name}: no red herring"
        );
        assert!(
            s.injects.iter().any(|i| !i.conflicts_with.is_empty()),
            "{name}: no conflicting sources"
        );
        let setup = s.setup.as_ref().map_or("", |t| t.as_str());
        assert!(setup.contains("pick(["), "{name}: no hidden truth drawn");
        assert!(!s.facts.is_empty(), "{name}: no hidden facts");
        assert!(!s.threats.attack.is_empty(), "{name}: no ATT&CK techniques");
        assert!(!s.threats.references.is_empty(), "{name}: no references");
        assert!(
            s.questions.len() >= 3,
            "{name}: {} questions",
            s.questions.len()
        );
        assert!(
            !s.architecture.requires.is_empty(),
            "{name}: bound to nothing"
        );
        assert!(
            s.architecture
                .requires
                .values()
                .all(|r| r.component.is_none()),
            "{name}: binds by component id instead of selector"
        );
        for e in &s.expectations {
            assert!(
                e.runbook.is_some(),
                "{name}: `{}` cites no runbook",
                e.id.as_str()
            );
            assert!(
                e.corrective_action.is_some(),
                "{name}: `{}` has no corrective action",
                e.id.as_str()
            );
        }
    }
}

#[test]
fn the_library_binds_to_a_second_unrelated_architecture() {
    // Northwind shares no component id with Acme; selectors alone bind the scenarios.
    Ttx::new()
        .args(["validate", "--deny-warnings", "examples/northwind"])
        .run()
        .code(0)
        .stderr_has("0 errors, 0 warnings");
    let acme = std::fs::read_to_string(root().join("examples/acme/architecture.yaml")).unwrap();
    let northwind =
        std::fs::read_to_string(root().join("examples/northwind/architecture.yaml")).unwrap();
    let ids = |text: &str| -> BTreeSet<String> {
        text.lines()
            .filter_map(|l| l.split("id: ").nth(1))
            .map(|r| r.split([',', '}']).next().unwrap().trim().to_string())
            .collect()
    };
    let components = |text: &str| -> BTreeSet<String> {
        let (head, _) = text.split_once("runbooks:").unwrap();
        ids(head)
    };
    let shared: Vec<_> = components(&acme)
        .intersection(&components(&northwind))
        .cloned()
        .collect();
    assert!(shared.is_empty(), "shared component ids: {shared:?}");
}

#[test]
fn every_scenario_has_two_recorded_sessions_that_draw_different_truths() {
    let mut by_scenario: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for sheet in sheets() {
        let text = std::fs::read_to_string(&sheet).unwrap();
        let scenario = text
            .lines()
            .find_map(|l| l.strip_prefix("scenario: "))
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".yaml")
            .to_string();
        by_scenario.entry(scenario).or_default().push(stem(&sheet));
    }
    for (path, s) in scenarios() {
        if s.id.as_str() == "payments-credential-leak" {
            continue; // recorded in examples/acme/sessions
        }
        let stems = by_scenario.get(s.id.as_str()).cloned().unwrap_or_default();
        assert!(stems.len() >= 2, "{}: sessions {stems:?}", path.display());
        let truths: BTreeSet<String> = stems
            .iter()
            .map(|stem| {
                let (abs, _) = play_sheet(SESSIONS, stem, &format!("library-truth-{stem}"));
                let journal = std::fs::read_to_string(abs).unwrap();
                journal
                    .lines()
                    .find(|l| l.contains("\"cause\":\"setup\""))
                    .and_then(|l| l.split("\"result\":\"").nth(1))
                    .map(|r| r.split('"').next().unwrap().to_string())
                    .unwrap()
            })
            .collect();
        assert!(truths.len() >= 2, "{}: one truth {truths:?}", s.id.as_str());
    }
}

#[test]
fn every_library_session_replays_and_has_a_golden_report() {
    let all = sheets();
    assert_eq!(all.len(), 16);
    for sheet in all {
        let stem = stem(&sheet);
        let (first, rel) = play_sheet(SESSIONS, &stem, &format!("library-{stem}-0"));
        let (second, _) = play_sheet(SESSIONS, &stem, &format!("library-{stem}-1"));
        assert_eq!(
            std::fs::read_to_string(first).unwrap(),
            std::fs::read_to_string(second).unwrap(),
            "{stem}: two plays differ"
        );
        Ttx::new()
            .cwd("examples/acme")
            .args(["verify", &rel])
            .run()
            .code(0)
            .stdout_has("replay reproduces every event");
        for format in ["md", "csv"] {
            let out = Ttx::new()
                .cwd("examples/acme")
                .args(["report", "--no-ledger", &rel, "--format", format])
                .run();
            out.code(0);
            assert!(!out.stdout.contains("script error"), "{stem}");
            insta::assert_snapshot!(format!("library-report-{stem}.{format}"), out.stdout);
        }
    }
}
