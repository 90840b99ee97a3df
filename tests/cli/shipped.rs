//! Every shipped scenario and example validates cleanly, so examples never rot.

use crate::support::Ttx;

#[test]
fn the_acme_program_and_every_shipped_scenario_validate_without_warnings() {
    // With a simulation: every inject of every shipped scenario fires and every
    // expectation applies in some run of some built-in profile.
    Ttx::new()
        .cwd("examples/acme")
        .args(["validate", "--deny-warnings", "--simulate", "200"])
        .run()
        .code(0)
        .stderr_has("0 errors, 0 warnings");
}

#[test]
fn the_program_folder_validates_the_same_named_or_from_inside() {
    // `ttx validate examples/acme`: the program folder means everything it names
    // (architecture, roster, the scenario library) and the files recorded in it.
    Ttx::new()
        .args(["validate", "--deny-warnings", "examples/acme"])
        .run()
        .code(0)
        .stderr_has("checked 34 files: 0 errors, 0 warnings");
    // Regression: `ttx validate` inside the program checked 10 files (only what ttx.yaml
    // names), so the README's tour and CI saw less than `ttx validate examples/acme`.
    for inside in ["examples/acme", "examples/acme/sessions"] {
        Ttx::new()
            .cwd(inside)
            .args(["validate", "--deny-warnings"])
            .run()
            .code(0)
            .stderr_has("checked 34 files: 0 errors, 0 warnings");
    }
}

#[test]
fn every_recorded_session_validates_against_its_scenario() {
    Ttx::new()
        .cwd("examples/acme")
        .args(["validate", "--deny-warnings", "sessions"])
        .run()
        .code(0)
        .stderr_has("0 errors, 0 warnings");
}

#[test]
fn the_scenario_library_validates_from_the_repository_root_too() {
    // Outside a program there is no architecture to bind to; the scenarios must still be
    // valid on their own.
    Ttx::new()
        .args(["validate", "--deny-warnings", "scenarios"])
        .run()
        .code(0);
}

#[test]
fn the_format_reference_documents_every_diagnostic_code() {
    let docs = std::fs::read_to_string(crate::support::root().join("docs/format.md")).unwrap();
    for code in ttx_engine::authoring::diagnostic::Code::ALL {
        assert!(
            docs.contains(&format!("| `{}` |", code.as_str())),
            "docs/format.md does not document `{}`",
            code.as_str()
        );
    }
}
