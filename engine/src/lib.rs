//! The ttx engine: the model of scenarios, architectures, rosters and programs, their
//! loading and validation. The command-line front end in `src/` only parses arguments,
//! calls this library and prints.

pub mod diagnostic;
pub mod duration;
pub mod model;
pub mod schema;
pub mod source;
pub mod spanned;
pub mod suggest;
pub mod yaml;
