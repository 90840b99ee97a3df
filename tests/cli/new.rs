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

/// Issue 30: a scenario drafted from a public ATT&CK Navigator layer (MITRE's Wizard Spider
/// G0102 sample, Apache-2.0) is bound to Acme's architecture, ordered by tactic, cites the
/// intel, drafts from what the intel says, and validates with its TODOs as warnings.
#[test]
fn a_scenario_drafted_from_a_navigator_layer_is_bound_to_the_architecture() {
    let acme = copy_of_history("new-from-intel");
    let layer = crate::support::root().join("examples/intel/wizard-spider-g0102.layer.json");
    let run = Ttx::new()
        .cwd(&acme)
        .args(["new", "scenario", "wizard-spider", "--from"])
        .args([layer.to_str().unwrap()])
        .run();
    run.code(0)
        .stderr_has("drafting from the ATT&CK Navigator layer `Wizard Spider (G0102)`")
        .stderr_has(
            "warning: T1588.003 Code Signing Certificates matches nothing in the architecture",
        )
        .stderr_has("0 error(s)");
    let text = std::fs::read_to_string(acme.join("../../scenarios/wizard-spider.yaml")).unwrap();
    // The intel's name, and what it says about a technique, in its words.
    assert!(text.contains("- \"Wizard Spider (G0102)\""), "{text}");
    assert!(text.contains(
        "has used spearphishing attachments to deliver Microsoft documents containing macros"
    ));
    assert!(!text.contains("(Citation:"), "citation markers are dropped");
    // Bound by selector to real components of Acme's architecture.
    assert!(
        text.contains("saas: {kind: saas, tags: [email]}   # e.g. email-platform"),
        "{text}"
    );
    assert!(
        text.contains("identity: {kind: identity, tags: [sso]}"),
        "{text}"
    );
    // In kill-chain order: initial access before execution before impact.
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {text}"))
    };
    assert!(at("technique: T1566.001") < at("technique: T1059.001"));
    assert!(at("technique: T1059.001") < at("technique: T1489"));
    // A parent the layer lists only as a heading is not an inject of its own.
    assert!(!text.contains("technique: T1059\n"));
    Ttx::new()
        .cwd(&acme)
        .args(["validate", "../../scenarios/wizard-spider.yaml"])
        .run()
        .code(0)
        .stderr_has("0 errors")
        .stderr_has("warning[placeholder]");
}

#[test]
fn bad_intel_is_refused_at_its_place_and_nothing_is_written() {
    let acme = copy_of_history("new-from-bad-intel");
    let write = |name: &str, text: &str| {
        let p = acme.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let unknown = write(
        "unknown.json",
        "{\"type\": \"bundle\", \"objects\": [\n  {\"type\": \"attack-pattern\", \"external_references\": [{\"source_name\": \"mitre-attack\", \"external_id\": \"T1086\"}]}\n]}\n",
    );
    let broken = write(
        "broken.json",
        "{\"type\": \"bundle\",\n \"objects\": [,]}\n",
    );
    let empty = write(
        "empty.json",
        "{\"type\": \"bundle\", \"objects\": [{\"type\": \"malware\", \"name\": \"X\"}]}",
    );
    let cases = [
        (
            &unknown,
            "unknown.json:2:",
            "ATT&CK technique `T1086` (PowerShell) is revoked",
        ),
        (&broken, "broken.json:2:", "not valid JSON"),
        (
            &empty,
            "empty.json:1:1",
            "this STIX bundle names no ATT&CK technique",
        ),
    ];
    for (i, (file, place, says)) in cases.into_iter().enumerate() {
        let id = format!("bad-{i}");
        Ttx::new()
            .cwd(&acme)
            .args(["new", "scenario", &id, "--from", file.to_str().unwrap()])
            .run()
            .code(1)
            .stderr_has(place)
            .stderr_has(says)
            .stderr_has("no scenario drafted");
        assert!(!acme.join(format!("../../scenarios/{id}.yaml")).exists());
    }
    // Larger than intel is read: refused before it is parsed.
    let big = acme.join("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(50 << 20).unwrap();
    Ttx::new()
        .cwd(&acme)
        .args(["new", "scenario", "big", "--from", big.to_str().unwrap()])
        .run()
        .code(2)
        .stderr_has("larger than the limit")
        .stderr_has("intel is read up to 16 MiB");
}

/// The shipped example of a drafted scenario is what the command writes today, byte for
/// byte: drafting is deterministic, and the example never rots.
#[test]
fn the_shipped_intel_draft_is_regenerated_byte_for_byte() {
    let acme = copy_of_history("new-intel-example");
    let layer = crate::support::root().join("examples/intel/wizard-spider-g0102.layer.json");
    let out = acme.join("../intel/wizard-spider-g0102.yaml");
    let _ = std::fs::remove_file(&out);
    Ttx::new()
        .cwd(&acme)
        .args([
            "new",
            "scenario",
            "wizard-spider-g0102",
            "--from",
            layer.to_str().unwrap(),
            "-o",
            "../intel/wizard-spider-g0102.yaml",
        ])
        .run()
        .code(0);
    let shipped = std::fs::read_to_string(
        crate::support::root().join("examples/intel/wizard-spider-g0102.yaml"),
    )
    .unwrap();
    // The first line points an editor at the schema, relative to where the file is.
    let drafted = std::fs::read_to_string(&out).unwrap();
    let body = |t: &str| t.split_once('\n').map(|(_, rest)| rest.to_string());
    assert!(drafted.starts_with("# yaml-language-server: $schema="));
    assert!(
        body(&drafted) == body(&shipped),
        "examples/intel/wizard-spider-g0102.yaml is stale; regenerate it as examples/intel/README.md says"
    );
}
