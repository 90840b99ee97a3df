//! Checks of a roster: unique ids, people in teams that exist, points of contact who
//! exist, and role assignments to known teams and people.

use super::Sink;
use crate::authoring::diagnostic::Diagnostic;
use crate::authoring::load::Loaded;
use crate::authoring::model::roster::Roster;

/// Runs every check of a loaded roster.
pub fn check(loaded: &Loaded<Roster>) -> Vec<Diagnostic> {
    let r = &loaded.value;
    let mut sink = Sink::new(&loaded.source.path);
    sink.duplicates("team", r.teams.iter().map(|t| &t.id));
    sink.duplicates("person", r.people.iter().map(|p| &p.id));
    let team_ids = || r.teams.iter().map(|t| t.id.as_str());
    let person_ids = || r.people.iter().map(|p| p.id.as_str());
    for t in &r.teams {
        sink.reference("person", &t.poc, person_ids());
    }
    for p in &r.people {
        sink.reference("team", &p.team, team_ids());
    }
    for a in r.roles.values() {
        sink.reference("team", &a.team, team_ids());
        for p in &a.people {
            sink.reference("person", p, person_ids());
        }
    }
    sink.out
}
