//! The ttx engine. Its folders are the stages of the data flow, in order; a stage uses
//! the ones before it and never one after it (a test in `tests/layers.rs` holds this):
//!
//! 1. [`authoring`]: files in, typed and validated scenarios, architectures, rosters and
//!    programs out; scripts compiled in the sandbox.
//! 2. [`exercise`]: a live exercise: the state machine, the command layer every front end
//!    goes through, what each audience may see, and the journal.
//! 3. [`assessment`]: a journal replayed into findings, action items and the report.
//! 4. [`program`]: the ledger of action items across exercises, status, dashboard and
//!    anonymized publication.
//! 5. [`simulation`]: many synthetic exercises through the same engine and assessment.
//!
//! The command-line front end in `src/` only parses arguments, calls this library and
//! prints.

pub mod assessment;
pub mod authoring;
pub mod exercise;
pub mod program;
pub mod simulation;

/// The date and time crate the engine uses, for front ends that parse `--now`.
pub use jiff;
pub use rhai;
