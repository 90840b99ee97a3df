//! `ttx validate`: every problem at once, as `file:line:col`, with exit codes 0, 1, 2.

use crate::support::Ttx;

#[test]
fn reports_every_problem_of_a_file_at_once_with_positions() {
    let out = Ttx::new()
        .args(["validate", "tests/bad/scenario/undefined-references.yaml"])
        .run();
    out.code(1);
    let errors = out.stderr.matches("error[undefined-reference]").count();
    assert!(
        errors >= 8,
        "expected every undefined reference, got {errors}:\n{}",
        out.stderr
    );
    out.stderr_has("tests/bad/scenario/undefined-references.yaml:11:34: error[undefined-reference]: undefined role `comms`");
    // What an expectation's role needs is an inject or a fact of the scenario.
    out.stderr_has("undefined inject or fact `alrt`")
        .stderr_has("did you mean `alert`?");
}

#[test]
fn json_output_carries_file_line_column_severity_code_message_help() {
    let out = Ttx::new()
        .args([
            "validate",
            "--format",
            "json",
            "tests/bad/scenario/unknown-keys.yaml",
        ])
        .run();
    out.code(1);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let first = &report["diagnostics"][0];
    for key in [
        "file", "line", "column", "severity", "code", "message", "help",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert_eq!(first["code"], "unknown-key");
    assert_eq!(first["severity"], "error");
    let helps: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["help"].as_str())
        .collect();
    assert!(helps.contains(&"did you mean `duration`?"), "{helps:?}");
    assert!(helps.contains(&"did you mean `red_herring`?"), "{helps:?}");
}

#[test]
fn warnings_pass_unless_denied() {
    let file = "tests/bad/scenario/warnings-only.yaml";
    Ttx::new()
        .args(["validate", file])
        .run()
        .code(0)
        .stderr_has("0 errors, 3 warnings");
    Ttx::new()
        .args(["validate", "--deny-warnings", file])
        .run()
        .code(1);
}

#[test]
fn without_paths_outside_a_program_is_a_usage_error() {
    Ttx::new()
        .cwd("tests")
        .args(["validate"])
        .run()
        .code(2)
        .stderr_has("no ttx.yaml in this folder or above it");
}

#[test]
fn a_missing_path_is_a_usage_error() {
    Ttx::new()
        .args(["validate", "no/such/file.yaml"])
        .run()
        .code(2);
}

#[test]
fn scenarios_are_checked_against_the_program_architecture_and_roster() {
    let out = Ttx::new()
        .cwd("examples/acme")
        .args(["validate", "../../tests/bad/acme/scenario-unbound.yaml"])
        .run();
    out.code(1)
        .stderr_has("error[unmatched-component]: requirement `mainframe` matches no component")
        .stderr_has("undefined component `payment-db`")
        .stderr_has("did you mean `payments-db`?")
        .stderr_has("warning[unstaffed-role]: role `cisco` is not staffed by the roster");
}

#[test]
fn a_broken_architecture_is_named_when_scenarios_are_checked_against_it() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("broken-program");
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::write(
        dir.join("ttx.yaml"),
        "org: X\narchitecture: arch.yaml\nroster: roster.yaml\nscenarios: [scenarios]\n",
    )
    .unwrap();
    std::fs::write(dir.join("arch.yaml"), "components: nope\n").unwrap();
    std::fs::write(dir.join("roster.yaml"), "teams: []\n").unwrap();
    let scenario = std::fs::read_to_string(
        crate::support::root().join("tests/bad/scenario/warnings-only.yaml"),
    )
    .unwrap();
    std::fs::write(dir.join("scenarios/s.yaml"), scenario).unwrap();
    let out = Ttx::new()
        .cwd(&dir)
        .args(["validate", "scenarios/s.yaml"])
        .run();
    out.code(1)
        .stderr_has("the architecture file `arch.yaml` has 1 problem(s)");
}

/// Issue 30: a runbook reference's `#section` is a heading of its Markdown file, and a
/// runbook that no scenario of the program cites is warned about when the whole program
/// is checked.
#[test]
fn runbook_sections_are_headings_and_unexercised_runbooks_are_named() {
    let acme = crate::program::copy_of_history("validate-runbooks");
    let scenario = acme.join("../../scenarios/compromised-build-dependency.yaml");
    let text = std::fs::read_to_string(&scenario).unwrap();
    std::fs::write(
        &scenario,
        text.replace("supply-chain-response#sbom", "supply-chain-response#sbm"),
    )
    .unwrap();
    let arch = acme.join("architecture.yaml");
    let mut a = std::fs::read_to_string(&arch).unwrap();
    a.push_str(
        "  - {id: tabletop-only, title: Never rehearsed, path: runbooks/incident-severity.md}\n",
    );
    std::fs::write(&arch, a).unwrap();
    Ttx::new()
        .cwd(&acme)
        .args(["validate"])
        .run()
        .code(1)
        .stderr_has("compromised-build-dependency.yaml:218:36: error[undefined-reference]: runbook `supply-chain-response` has no section `sbm`")
        .stderr_has("did you mean `sbom`?")
        .stderr_has("warning[unexercised-runbook]: runbook `tabletop-only` is not exercised by any scenario of the program");
    // One scenario checked alone says nothing of the program's other runbooks.
    Ttx::new()
        .cwd(&acme)
        .args([
            "validate",
            "../../scenarios/checkout-outage-ask-around.yaml",
        ])
        .run()
        .code(0)
        .stderr_has("0 errors, 0 warnings");
}
