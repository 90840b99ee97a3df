//! The exercise: a compiled scenario played on a simulated clock ([`state`]), driven by
//! commands from any front end ([`command`], [`facilitation`]), shown to each audience
//! as it may see it ([`view`]), and recorded in a hash-chained journal ([`journal`],
//! [`session`]).

pub mod chain;
pub mod clock;
pub mod command;
pub mod event;
pub mod facilitation;
pub mod journal;
pub mod session;
pub mod state;
pub mod view;
