//! `ttx attack update`: MITRE's STIX release rewritten as the catalog the validator uses,
//! and a program that pins its own catalog in ttx.yaml (issue 30).

use serde_json::{Value, json};

use crate::program::copy_of_history;
use crate::support::{Ttx, root};

/// The rows of a catalog, without its comment lines.
fn rows(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect()
}

/// A STIX bundle shaped as MITRE's enterprise-attack.json, from a catalog's rows: an
/// attack pattern per technique (tactics as mitre-attack kill-chain phases, `revoked`,
/// `x_mitre_deprecated`), a `revoked-by` relationship per replacement, and the collection
/// with its version.
fn bundle_of(catalog: &str, version: &str) -> Value {
    let mut objects = vec![json!({
        "type": "x-mitre-collection",
        "id": "x-mitre-collection--1",
        "name": "Enterprise ATT&CK",
        "x_mitre_version": version,
    })];
    let stix = |id: &str| format!("attack-pattern--{}", id.replace('.', "-"));
    for row in rows(catalog) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (id, name, tactics, status) = (cols[0], cols[1], cols[2], cols[3]);
        objects.push(json!({
            "type": "attack-pattern",
            "id": stix(id),
            "name": name,
            "external_references": [
                {"source_name": "mitre-attack", "external_id": id, "url": "https://attack.mitre.org/"},
                {"source_name": "capec", "external_id": "CAPEC-1"}
            ],
            "kill_chain_phases": tactics
                .split(',')
                .filter(|t| !t.is_empty())
                .map(|t| json!({"kill_chain_name": "mitre-attack", "phase_name": t}))
                .collect::<Vec<_>>(),
            "revoked": status == "revoked",
            "x_mitre_deprecated": status == "deprecated",
        }));
        if let Some(to) = cols.get(4).filter(|r| !r.is_empty()) {
            objects.push(json!({
                "type": "relationship",
                "id": format!("relationship--{id}"),
                "relationship_type": "revoked-by",
                "source_ref": stix(id),
                "target_ref": stix(to),
            }));
        }
    }
    json!({"type": "bundle", "id": "bundle--1", "objects": objects})
}

#[test]
fn mitre_s_release_becomes_the_catalog_the_validator_bundles() {
    let bundled =
        std::fs::read_to_string(root().join("engine/data/attack-enterprise.tsv")).unwrap();
    let dir = copy_of_history("attack-update");
    let bundle = dir.join("enterprise-attack.json");
    std::fs::write(&bundle, bundle_of(&bundled, "18.1").to_string()).unwrap();
    Ttx::new()
        .cwd(&dir)
        .args([
            "attack",
            "update",
            "enterprise-attack.json",
            "-o",
            "attack.tsv",
        ])
        .run()
        .code(0)
        .stderr_has(&format!(
            "wrote {} techniques of ATT&CK Enterprise 18.1 to attack.tsv",
            rows(&bundled).len()
        ));
    let written = std::fs::read_to_string(dir.join("attack.tsv")).unwrap();
    assert_eq!(
        rows(&written),
        rows(&bundled),
        "the same ids, names, tactics, status and replacements"
    );
    assert!(written.contains("# version: 18.1\n"));
}

#[test]
fn a_program_checks_against_the_catalog_it_pins() {
    let acme = copy_of_history("attack-pinned");
    // A later release in which MITRE revoked T1078.004 for a new technique.
    let bundled =
        std::fs::read_to_string(root().join("engine/data/attack-enterprise.tsv")).unwrap();
    let later: String = bundled
        .lines()
        .map(|l| {
            if l.starts_with("T1078.004\t") {
                "T1078.004\tCloud Accounts\tdefense-evasion,persistence,privilege-escalation,initial-access\trevoked\tT1078.009".to_string()
            } else {
                l.to_string()
            }
        })
        .chain(["T1078.009\tCloud Identities\tinitial-access\tactive\t".to_string()])
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(
        acme.join("enterprise-attack.json"),
        bundle_of(&later, "19.0").to_string(),
    )
    .unwrap();
    Ttx::new()
        .cwd(&acme)
        .args([
            "attack",
            "update",
            "enterprise-attack.json",
            "-o",
            "attack-19.tsv",
        ])
        .run()
        .code(0);
    let scenario = "../../scenarios/leaked-cloud-credentials.yaml";
    let cites = std::fs::read_to_string(acme.join(scenario)).unwrap();
    assert!(
        cites.contains("T1078.004"),
        "the scenario cites cloud accounts"
    );
    // Bundled: clean, and it says which catalog it checked against.
    Ttx::new()
        .cwd(&acme)
        .args(["validate", scenario])
        .run()
        .code(0)
        .stderr_has("technique ids checked against ATT&CK Enterprise 18.1 (bundled)");
    let ttx_yaml = acme.join("ttx.yaml");
    let mut program = std::fs::read_to_string(&ttx_yaml).unwrap();
    program.push_str("attack: attack-19.tsv\n");
    std::fs::write(&ttx_yaml, program).unwrap();
    Ttx::new()
        .cwd(&acme)
        .args(["validate", scenario])
        .run()
        .code(1)
        .stderr_has("technique ids checked against ATT&CK Enterprise 19.0 (attack-19.tsv)")
        .stderr_has(
            "error[revoked-technique]: ATT&CK technique `T1078.004` (Cloud Accounts) is revoked",
        )
        .stderr_has("MITRE replaced it with `T1078.009` (Cloud Identities)");
    // A catalog ttx.yaml names but that is not there: the program's error, at its key.
    let mut program = std::fs::read_to_string(&ttx_yaml).unwrap();
    program = program.replace("attack: attack-19.tsv", "attack: attack-20.tsv");
    std::fs::write(&ttx_yaml, program).unwrap();
    Ttx::new()
        .cwd(&acme)
        .args(["validate"])
        .run()
        .code(1)
        .stderr_has("the ATT&CK catalog `attack-20.tsv` does not exist");
}

#[test]
fn what_is_not_mitre_s_release_is_refused_and_nothing_written() {
    let dir = copy_of_history("attack-bad");
    for (name, text, says) in [
        (
            "broken.json",
            "{\"type\": \"bundle\",\n \"objects\": [,]}",
            "not valid JSON at line 2",
        ),
        (
            "layer.json",
            "{\"name\": \"x\", \"techniques\": []}",
            "not a STIX bundle",
        ),
        (
            "empty.json",
            "{\"type\": \"bundle\", \"objects\": [{\"type\": \"malware\", \"id\": \"malware--1\"}]}",
            "no attack-pattern with a mitre-attack technique id",
        ),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
        Ttx::new()
            .cwd(&dir)
            .args(["attack", "update", name, "-o", "out.tsv"])
            .run()
            .code(1)
            .stderr_has(says);
        assert!(!dir.join("out.tsv").exists());
    }
}
