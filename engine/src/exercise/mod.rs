//! The exercise: a compiled scenario played on a simulated clock ([`state`]), driven by
//! commands from any front end ([`command`], [`facilitation`], on its own thread with
//! [`driver`], following [`realtime`] when asked), summed up in the [`status_line`], talked over in
//! [`channel`]s (its questions read back in [`conversation`]), shown to each audience as it may see it ([`view`]), and recorded in a hash-chained journal ([`journal`],
//! [`session`]).

pub mod caller;
pub mod chain;
pub mod channel;
pub mod clock;
pub mod command;
pub mod conversation;
pub mod driver;
pub mod event;
pub mod facilitation;
pub mod journal;
pub mod realtime;
pub mod session;
pub mod state;
pub mod status_line;
pub mod view;
