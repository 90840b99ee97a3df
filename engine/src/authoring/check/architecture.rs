//! Checks of an architecture: unique ids, components named by boundaries and flows,
//! runbooks that say where they are, and owning teams the roster knows.

use std::path::Path;

use super::Sink;
use crate::authoring::diagnostic::{Code, Diagnostic};
use crate::authoring::load::Loaded;
use crate::authoring::model::architecture::Architecture;
use crate::authoring::model::roster::Roster;

/// Runs every check of a loaded architecture; `roster` enables the ownership check.
pub fn check(loaded: &Loaded<Architecture>, roster: Option<&Roster>) -> Vec<Diagnostic> {
    let a = &loaded.value;
    let mut sink = Sink::new(&loaded.source.path);
    sink.duplicates("component", a.components.iter().map(|c| &c.id));
    sink.duplicates("trust boundary", a.trust_boundaries.iter().map(|b| &b.id));
    sink.duplicates("runbook", a.runbooks.iter().map(|r| &r.id));
    let component_ids = || a.components.iter().map(|c| c.id.as_str());
    for b in &a.trust_boundaries {
        for c in &b.components {
            sink.reference("component", c, component_ids());
        }
    }
    for f in &a.data_flows {
        sink.reference("component", &f.from, component_ids());
        sink.reference("component", &f.to, component_ids());
    }
    let base = loaded.source.path.parent().unwrap_or(Path::new("."));
    for r in &a.runbooks {
        match (&r.path, &r.url) {
            (None, None) => sink.error(
                r.id.pos,
                Code::MissingKey,
                format!("runbook `{}` has neither `path` nor `url`", r.id.as_str()),
                "say where the runbook is: `path: runbooks/x.md` or `url: https://wiki/...`"
                    .to_string(),
            ),
            (Some(_), Some(_)) => sink.error(
                r.id.pos,
                Code::AmbiguousEntry,
                format!("runbook `{}` has both `path` and `url`", r.id.as_str()),
                "keep one of them".to_string(),
            ),
            (Some(path), None) if !base.join(path).exists() => sink.warning(
                r.id.pos,
                Code::UndefinedReference,
                format!(
                    "runbook `{}` points at `{path}`, which does not exist",
                    r.id.as_str()
                ),
                "fix the path (it is relative to the architecture file)".to_string(),
            ),
            _ => {}
        }
    }
    if let Some(roster) = roster {
        for c in &a.components {
            if !roster
                .teams
                .iter()
                .any(|t| t.id.as_str() == c.team.as_str())
            {
                let teams: Vec<&str> = roster.teams.iter().map(|t| t.id.as_str()).collect();
                let message = format!(
                    "component `{}` is owned by team `{}`, which the roster lacks",
                    c.id.as_str(),
                    c.team.as_str()
                );
                match crate::authoring::suggest::did_you_mean(
                    c.team.as_str(),
                    teams.iter().copied(),
                ) {
                    Some(t) => sink.error_suggesting(c.team.pos, Code::UnknownTeam, message, t),
                    None => sink.error(
                        c.team.pos,
                        Code::UnknownTeam,
                        message,
                        format!(
                            "add team `{}` to the roster, or use one of: {}",
                            c.team.as_str(),
                            teams.join(", ")
                        ),
                    ),
                }
            }
        }
    }
    sink.out
}
