//! Assessment: a replayed exercise judged against its expectations ([`assess`]) and
//! who knew what when ([`knowledge`]), written up as the after-action report and improvement plan ([`report`]).

pub mod assess;
pub mod communication;
pub mod finding;
pub mod knowledge;
pub mod report;
