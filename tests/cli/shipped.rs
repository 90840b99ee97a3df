//! Every shipped scenario and example validates cleanly, so examples never rot.

use crate::support::Ttx;

#[test]
fn the_acme_program_and_every_shipped_scenario_validate_without_warnings() {
    Ttx::new()
        .cwd("examples/acme")
        .args(["validate", "--deny-warnings"])
        .run()
        .code(0)
        .stderr_has("0 errors, 0 warnings");
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
