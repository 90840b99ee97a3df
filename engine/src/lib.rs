//! The ttx engine: the model of scenarios, architectures, rosters and programs, their
//! loading and validation. The command-line front end in `src/` only parses arguments,
//! calls this library and prints.

pub mod anonymize;
pub mod assess;
pub mod attack;
pub mod chain;
pub mod check;
pub mod clock;
pub mod dashboard;
pub mod diagnostic;
pub mod draw;
pub mod duration;
pub mod event;
pub mod exercise;
pub mod journal;
pub mod ledger;
pub mod load;
pub mod model;
pub mod msel;
pub mod program;
pub mod project;
pub mod publish;
pub mod report;
pub mod scaffold;
pub mod schema;
pub mod script;
pub mod session;
pub mod simulate;
pub mod source;
pub mod spanned;
pub mod suggest;
pub mod validate;
pub mod yaml;

/// The date and time crate the engine uses, for front ends that parse `--now`.
pub use jiff;
pub use rhai;
