//! `ttx show`: the facilitator's preview.

use crate::support::Ttx;

const SCENARIO: &str = "../../scenarios/payments-credential-leak.yaml";

#[test]
fn shows_the_msel_decisions_expectations_and_questions() {
    let out = Ttx::new()
        .cwd("examples/acme")
        .args(["show", SCENARIO])
        .run();
    out.code(0)
        .stdout_has("0:04:00                      cdn-noise")
        .stdout_has("red herring");
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn json_lists_timed_injects_in_delivery_order() {
    let out = Ttx::new()
        .cwd("examples/acme")
        .args(["show", "--format", "json", SCENARIO])
        .run();
    out.code(0);
    let msel: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let injects = msel["injects"].as_array().unwrap();
    assert_eq!(injects.len(), 13);
    let ids: Vec<&str> = injects.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids[0], "spike");
    assert_eq!(
        *ids.last().unwrap(),
        "secret-scan-hit",
        "decision-triggered injects come last"
    );
    let cdn = injects.iter().find(|i| i["id"] == "cdn-noise").unwrap();
    assert_eq!(cdn["flags"][0], "red herring");
    let canary = injects.iter().find(|i| i["id"] == "canary-diff").unwrap();
    assert_eq!(canary["earliest"], "25m");
}

#[test]
fn a_broken_scenario_is_not_previewed() {
    Ttx::new()
        .args(["show", "tests/bad/scenario/undefined-references.yaml"])
        .run()
        .code(1)
        .stderr_has("error[undefined-reference]")
        .stderr_has("fix them to preview it");
}

#[test]
fn a_missing_file_is_a_usage_error() {
    Ttx::new()
        .args(["show", "nope.yaml"])
        .run()
        .code(2)
        .stderr_has("`nope.yaml` is not a file");
}
