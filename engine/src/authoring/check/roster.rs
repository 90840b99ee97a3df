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
        // Publication replaces each identifier wherever it appears: an empty or
        // one-character one would replace half the text (and stop the leak check on every
        // line).
        let significant = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).count();
        for (what, value) in [
            ("name", Some(p.name.as_str())),
            ("email", p.email.as_deref()),
            ("handle", p.handle.as_deref()),
        ] {
            if let Some(v) = value
                && significant(v) < 2
            {
                sink.error(
                    p.id.pos,
                    crate::authoring::diagnostic::Code::InvalidValue,
                    match v.trim() {
                        "" => format!("the {what} of `{}` is empty", p.id.as_str()),
                        _ => format!(
                            "the {what} of `{}` is `{v}`: too short to be told apart from ordinary text",
                            p.id.as_str()
                        ),
                    },
                    format!("give the full {what}, or leave it out"),
                );
            }
        }
    }
    for a in r.roles.values() {
        sink.reference("team", &a.team, team_ids());
        for p in &a.people {
            sink.reference("person", p, person_ids());
        }
    }
    sink.out
}
