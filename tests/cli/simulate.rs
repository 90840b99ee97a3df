//! `ttx simulate` and `ttx validate --simulate`: golden output, determinism whatever the
//! thread count, custom profiles, bad profiles, and coverage warnings with their reasons.

use crate::support::{Ttx, root};

const SCENARIO: &str = "scenarios/payments-credential-leak.yaml";
const DEAD: &str = "tests/simulate/dead-branches.yaml";

fn simulate(args: &[&str]) -> crate::support::Output {
    Ttx::new().args(["simulate"]).args(args).run()
}

#[test]
fn the_text_report_is_golden() {
    let out = simulate(&[SCENARIO, "--runs", "300", "--seed", "7"]);
    out.code(0)
        .stdout_has("HIDDEN TRUTH")
        .stdout_has("PROFILE distracted");
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn the_figures_do_not_depend_on_the_thread_count() {
    let args = |threads: &str| {
        simulate(&[
            SCENARIO,
            "--runs",
            "100",
            "--seed",
            "3",
            "--profile",
            "distracted",
            "--profile",
            "random",
            "--threads",
            threads,
            "--format",
            "json",
        ])
    };
    let one = args("1");
    one.code(0);
    for threads in ["2", "3", "8"] {
        assert_eq!(one.stdout, args(threads).stdout, "{threads} threads");
    }
    let other_seed = simulate(&[
        SCENARIO,
        "--runs",
        "100",
        "--seed",
        "4",
        "--profile",
        "distracted",
        "--profile",
        "random",
        "--format",
        "json",
    ]);
    assert_ne!(one.stdout, other_seed.stdout, "the seed changes the draws");
}

#[test]
fn the_profiles_differ_the_way_their_names_say() {
    let out = simulate(&[SCENARIO, "--runs", "400", "--format", "json"]);
    out.code(0);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let profiles = json["profiles"].as_array().unwrap();
    let by_name = |n: &str| profiles.iter().find(|p| p["profile"] == n).unwrap();
    let findings = |n: &str| -> u64 {
        by_name(n)["findings"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum()
    };
    let kind = |n: &str, k: &str| by_name(n)["findings"][k].as_u64().unwrap_or(0);
    // The textbook room meets every expectation that applies and never chases a herring.
    for e in by_name("textbook")["expectations"].as_array().unwrap() {
        assert_eq!(
            e["met"].as_u64().unwrap() + e["not_applicable"].as_u64().unwrap(),
            400,
            "{e}"
        );
    }
    assert_eq!(kind("textbook", "red_herring"), 0);
    assert!(kind("slow", "late") > 0);
    assert_eq!(
        kind("distracted", "red_herring"),
        400,
        "distracted chases every herring"
    );
    assert!(kind("distracted", "handoff_gap") > 0);
    assert!(findings("textbook") < findings("slow"));
    assert!(findings("textbook") < findings("random"));
    // The hidden truth is drawn evenly from its three causes.
    let truth = &by_name("textbook")["truths"][0];
    assert_eq!(truth["what"], "pick of 3");
    for (cause, n) in truth["results"].as_object().unwrap() {
        let n = n.as_u64().unwrap();
        assert!((100..170).contains(&n), "{cause}: {n} of 400");
    }
    assert!(json["warnings"].as_array().unwrap().is_empty());
    // Leaving a decision out is measured by replaying the same runs without it: for the
    // textbook room, not declaring costs exactly the one finding of the missed expectation.
    let declare = by_name("textbook")["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "declare_incident")
        .unwrap();
    let replayed = declare["replayed"].as_u64().unwrap();
    assert_eq!(replayed, 400);
    assert_eq!(
        declare["replayed_findings_without"].as_u64().unwrap()
            - declare["replayed_findings_with"].as_u64().unwrap(),
        replayed
    );
}

#[test]
fn a_custom_profile_file_plays_by_its_numbers() {
    let out = simulate(&[
        SCENARIO,
        "--runs",
        "200",
        "--profile",
        "examples/acme/profiles/night-shift.yaml",
        "--profile",
        "textbook",
        "--format",
        "json",
    ]);
    out.code(0);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let night = &json["profiles"][0];
    assert_eq!(night["profile"], "night-shift");
    assert_eq!(json["profiles"][1]["profile"], "textbook");
    // The profile makes declaring certain and quick: always met.
    let declare = &night["expectations"][0];
    assert_eq!(declare["id"], "declare");
    assert_eq!(declare["met"], 200);
    assert!(night["findings"]["handoff_gap"].as_u64().unwrap_or(0) > 0);
}

#[test]
fn a_bad_profile_is_refused_at_its_line() {
    let dir = std::env::temp_dir().join(format!("ttx-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("typo.yaml");
    std::fs::write(
        &file,
        "name: typo\ndecisions:\n  block_refund: {probability: 0.5}\nexpected:\n  probability: 0.5\n  delay: {min: 20m, max: 5m}\n",
    )
    .unwrap();
    let out = simulate(&[SCENARIO, "--profile", file.to_str().unwrap()]);
    out.code(1)
        .stderr_has("typo.yaml:3:3: error[undefined-reference]: undefined decision `block_refund`")
        .stderr_has("did you mean `block_refunds`?")
        .stderr_has("typo.yaml:6:16: error[invalid-value]: the delay's min (20m) is longer than its max (5m)");
    std::fs::write(&file, "name: typo\nexpected: {probability: 2}\n").unwrap();
    simulate(&[SCENARIO, "--profile", file.to_str().unwrap()])
        .code(1)
        .stderr_has("typo.yaml:2:25");
    simulate(&[SCENARIO, "--profile", "texbook"])
        .code(2)
        .stderr_has("Did you mean `textbook`?");
    simulate(&[SCENARIO, "--runs", "0"]).code(2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unreachable_branches_are_warned_about_with_their_reason() {
    let out = simulate(&[DEAD, "--runs", "100", "--profile", "textbook"]);
    out.code(0)
        .stderr_has("dead-branches.yaml:18:9: warning[not-reached]: inject `power-cut` never fired in 100 runs (textbook): its condition `state.cause == \"power\"` was false whenever it fell due")
        .stderr_has("inject `after-power` never fired in 100 runs (textbook): `power-cut`, the inject it follows, never arrived")
        .stderr_has("inject `vendor-callback` never fired in 100 runs (textbook): nobody took `call_vendor`, the decision it follows")
        .stderr_has("expectation `escalated` never applied in 100 runs (textbook): `power-cut`, which starts its deadline, never arrived")
        .stderr_has("4 warnings");
    // The random room calls the vendor, so with every profile that branch is reached.
    let all = simulate(&[DEAD, "--runs", "100"]);
    all.code(0).stderr_has("3 warnings");
    assert!(!all.stderr.contains("vendor-callback"), "{}", all.stderr);
}

#[test]
fn validate_simulate_lets_ci_reject_dead_branches() {
    Ttx::new()
        .args(["validate", "--simulate", "50", "--deny-warnings", DEAD])
        .run()
        .code(1)
        .stderr_has("warning[not-reached]: inject `power-cut` never fired in 200 runs (textbook, slow, distracted, random)")
        .stderr_has("0 errors, 3 warnings");
    Ttx::new()
        .args(["validate", "--simulate", "50", DEAD])
        .run()
        .code(0);
    Ttx::new()
        .args(["validate", DEAD, "--deny-warnings"])
        .run()
        .code(0);
}

#[test]
fn a_scenario_with_errors_is_not_simulated() {
    let bad = root().join("tests/bad/scenario/at-and-after.yaml");
    simulate(&[bad.to_str().unwrap()])
        .code(1)
        .stderr_has("error[ambiguous-entry]")
        .stderr_has("fix them to simulate it");
    simulate(&["no/such/scenario.yaml"]).code(2);
}
