//! Authoring: reading scenario, architecture, roster, program, decisions-sheet and
//! profile files with positions, checking them against their schemas and each other, and
//! compiling their scripts in the sandbox. Every problem is a [`diagnostic`] at
//! `file:line:col`.

pub mod attack;
pub mod check;
pub mod complete;
pub mod diagnostic;
pub mod draw;
pub mod duration;
pub mod file;
pub mod intel;
pub mod load;
pub mod model;
pub mod msel;
pub mod paths;
pub mod project;
pub mod reach;
pub mod read_once;
pub mod repair;
pub mod runbook;
pub mod scaffold;
pub mod schema;
pub mod script;
pub mod source;
pub mod spanned;
pub mod suggest;
pub mod symbols;
pub mod validate;
pub mod workspace;
pub mod yaml;
