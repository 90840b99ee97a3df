//! `ttx new scenario`: a scaffold bound to the program that validates with warnings only
//! (so `--deny-warnings` keeps it out of CI), and a scenario based on another.

use crate::program::copy_of_history;
use crate::support::Ttx;

#[test]
fn a_new_scenario_validates_with_placeholders_as_warnings() {
    let acme = copy_of_history("new-scenario");
    Ttx::new()
        .cwd(&acme)
        .args(["new", "scenario", "ransomware-orders-db"])
        .run()
        .code(0)
        .stderr_has("0 error(s)");
    let path = acme.join("../../scenarios/ransomware-orders-db.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("id: ransomware-orders-db"));
    // Bound to Acme's architecture and roster.
    assert!(
        text.contains("{kind: datastore, data: [payment]}"),
        "{text}"
    );
    assert!(text.contains("  ic: {title:") && text.contains("  oncall: {title:"));
    assert!(text.contains("runbook: incident-severity"));
    let lenient = Ttx::new()
        .cwd(&acme)
        .args(["validate", "../../scenarios/ransomware-orders-db.yaml"])
        .run();
    lenient.code(0).stderr_has("0 errors");
    Ttx::new()
        .cwd(&acme)
        .args([
            "validate",
            "--deny-warnings",
            "../../scenarios/ransomware-orders-db.yaml",
        ])
        .run()
        .code(1)
        .stderr_has("warning[placeholder]");
    Ttx::new()
        .cwd(&acme)
        .args(["new", "scenario", "ransomware-orders-db"])
        .run()
        .code(2)
        .stderr_has("exists");
    Ttx::new()
        .cwd(&acme)
        .args(["new", "scenario", "Ransomware Orders"])
        .run()
        .code(2)
        .stderr_has("is not a scenario id");
}

#[test]
fn a_scenario_based_on_another_gets_its_own_id() {
    let acme = copy_of_history("new-from");
    Ttx::new()
        .cwd(&acme)
        .args([
            "new",
            "scenario",
            "payments-credential-leak-eu",
            "--from",
            "../../scenarios/payments-credential-leak.yaml",
            "-o",
            "drafts/eu.yaml",
        ])
        .run()
        .code(0);
    let text = std::fs::read_to_string(acme.join("drafts/eu.yaml")).unwrap();
    assert!(text.starts_with("# Based on ../../scenarios/payments-credential-leak.yaml."));
    assert!(text.contains("\nid: payments-credential-leak-eu\n"));
    assert!(text.contains("\nversion: 0.1.0\n"));
    Ttx::new()
        .cwd(&acme)
        .args(["validate", "--deny-warnings", "drafts/eu.yaml"])
        .run()
        .code(0);
}
