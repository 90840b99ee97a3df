//! `ttx schema`: one JSON Schema per file kind, generated from the model types, committed
//! under docs/schemas for editors, and met by every shipped file.

use std::path::Path;

use crate::support::{Ttx, root};

const KINDS: [&str; 5] = ["program", "architecture", "roster", "scenario", "decisions"];

#[test]
fn prints_a_draft_2020_12_schema_for_every_kind() {
    for kind in KINDS {
        let out = Ttx::new().args(["schema", kind]).run();
        out.code(0);
        let schema: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(schema["type"], "object", "{kind}");
        assert!(
            schema["properties"]
                .as_object()
                .is_some_and(|p| !p.is_empty())
        );
    }
}

#[test]
fn unknown_kinds_are_a_usage_error() {
    Ttx::new()
        .args(["schema", "journal"])
        .run()
        .code(2)
        .stderr_has("invalid value 'journal'");
}

#[test]
fn committed_schemas_are_up_to_date() {
    for kind in KINDS {
        let printed = Ttx::new().args(["schema", kind]).run().stdout.clone();
        let path = root().join(format!("docs/schemas/{kind}.schema.json"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            printed == committed,
            "{} is stale; run scripts/update-schemas.sh",
            path.display()
        );
    }
}

/// Reads a YAML file the way an editor's YAML language server would, into JSON.
fn yaml_as_json(path: &Path) -> serde_json::Value {
    let source = ttx_engine::authoring::source::SourceFile::read(path, 4 << 20).unwrap();
    ttx_engine::authoring::yaml::parse(&source)
        .unwrap()
        .to_json()
}

#[test]
fn every_shipped_file_meets_its_schema() {
    let mut files: Vec<(std::path::PathBuf, &str)> = vec![
        (root().join("examples/acme/ttx.yaml"), "program"),
        (
            root().join("examples/acme/architecture.yaml"),
            "architecture",
        ),
        (root().join("examples/acme/roster.yaml"), "roster"),
    ];
    for f in ttx_engine::authoring::project::yaml_files(&root().join("scenarios")) {
        files.push((f, "scenario"));
    }
    for f in ttx_engine::authoring::project::yaml_files(&root().join("examples/acme/sessions")) {
        files.push((f, "decisions"));
    }
    assert!(files.len() >= 5);
    for (file, kind) in files {
        let schema_path = root().join(format!("docs/schemas/{kind}.schema.json"));
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
        let validator = jsonschema::draft202012::new(&schema).unwrap();
        let instance = yaml_as_json(&file);
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{} fails its schema:\n{}",
            file.display(),
            errors.join("\n")
        );
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema="),
            "{} lacks the editor schema line",
            file.display()
        );
    }
}
