//! Assessment: a replayed exercise judged against its expectations ([`assess`]) and
//! written up as the after-action report and improvement plan ([`report`]).

pub mod assess;
pub mod report;
