//! The organisation's runbook quoted as an expectation falls due (issue 30): the status
//! carries the step of each expectation within ten minutes of its deadline, and the
//! facilitator is told it once.

mod support;

use std::path::Path;

use support::ok;
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::architecture::Architecture;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::runbook;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::source::SourceFile;
use ttx_engine::exercise::facilitation::Shown;
use ttx_engine::exercise::state::Compiled;

const SCENARIO: &str = r#"
id: s
title: S
version: 1.0.0
summary: S.
duration: 1h
roles:
  ic: {title: IC}
objectives:
  - {id: detect, text: Detect, capability: detection}
injects:
  - {id: alert, at: 0m, to: [ic], text: "Alert"}
decisions:
  declare: {by: [ic]}
expectations:
  - {id: declare, role: ic, decision: declare, within: 20m, objective: detect, runbook: incident-severity#sev2, element: Planning, priority: high, corrective_action: Declare sooner.}
"#;

#[test]
fn a_runbook_step_is_quoted_once_as_its_expectation_falls_due() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/acme");
    let arch = load::load_file::<Architecture>(
        FileKind::Architecture,
        &root.join("architecture.yaml"),
        4 << 20,
    )
    .unwrap()
    .value;
    let loaded =
        load::load_source::<Scenario>(FileKind::Scenario, SourceFile::new("s.yaml", SCENARIO))
            .unwrap();
    let steps = runbook::cited(&loaded.value, &arch, &root);
    assert_eq!(steps.len(), 1);
    assert!(
        steps[0].step.starts_with("Suspected security incidents"),
        "{steps:?}"
    );
    let mut compiled = Compiled::new(loaded).unwrap();
    compiled.quote_runbooks(steps);
    let c: &'static Compiled = Box::leak(Box::new(compiled));
    let (mut f, _) = support::facilitate(c, "runbook-steps", "j", 1, None);
    // Twenty minutes away: not yet.
    assert!(f.status().steps.is_empty());
    let notices = |r: &ttx_engine::exercise::facilitation::Response| -> Vec<String> {
        r.shown
            .iter()
            .filter_map(|s| match s {
                Shown::Notice(n) => Some(n.clone()),
                _ => None,
            })
            .filter(|n| n.contains("falls due"))
            .collect()
    };
    let r = ok(&mut f, "advance 12m");
    assert_eq!(
        notices(&r),
        [
            "declare (ic) falls due by 0:20:00; runbook incident-severity#sev2 says: Suspected security incidents under investigation, including advisories for software we run and vendor breach notices."
        ]
    );
    assert_eq!(f.status().steps[0].runbook, "incident-severity#sev2");
    // Once.
    let r = ok(&mut f, "advance 2m");
    assert!(notices(&r).is_empty());
    // Once met, it no longer falls due.
    ok(&mut f, "decide ic declare");
    assert!(f.status().steps.is_empty());
}
