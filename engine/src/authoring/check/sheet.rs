//! Checks of a decisions sheet: one kind per entry, time that only moves forward, and
//! references to the decisions, roles and injects of its scenario.

use super::Sink;
use crate::authoring::diagnostic::{Code, Diagnostic};
use crate::authoring::duration::SimDuration;
use crate::authoring::load::Loaded;
use crate::authoring::model::roster::Roster;
use crate::authoring::model::scenario::Scenario;
use crate::authoring::model::sheet::{DecisionsSheet, Entry};
use crate::authoring::source::Pos;

/// The kinds of entry, as their keys.
pub const ENTRY_KINDS: &[&str] = &[
    "decision", "action", "notify", "note", "inject", "advance", "pause", "resume", "rate",
    "strength", "improve", "present", "absent", "answer", "end", "open", "message",
];

/// The kinds of entry (and of journal input) the engine still takes after `end`: the one
/// rule for sheets, and, through `Event::allowed_after_end`, for the console.
pub const AFTER_END_KINDS: &[&str] = &["rate", "strength", "improve", "answer", "note"];

fn kinds(e: &Entry) -> Vec<&'static str> {
    let present = [
        e.decision.is_some(),
        e.action.is_some(),
        e.notify.is_some(),
        e.note.is_some(),
        e.inject.is_some(),
        e.advance.is_some(),
        e.pause.is_some(),
        e.resume.is_some(),
        e.rate.is_some(),
        e.strength.is_some(),
        e.improve.is_some(),
        e.present.is_some(),
        e.absent.is_some(),
        e.answer.is_some(),
        e.end.is_some(),
        e.open.is_some(),
        e.message.is_some(),
    ];
    ENTRY_KINDS
        .iter()
        .zip(present)
        .filter(|(_, p)| *p)
        .map(|(k, _)| *k)
        .collect()
}

/// Runs every check of a sheet; `scenario` and `roster` enable the reference checks.
pub fn check(
    loaded: &Loaded<DecisionsSheet>,
    scenario: Option<&Scenario>,
    roster: Option<&Roster>,
) -> Vec<Diagnostic> {
    let sheet = &loaded.value;
    let mut sink = Sink::new(&loaded.source.path);
    if let Some(started) = &sheet.started
        && started.parse::<jiff::Timestamp>().is_err()
    {
        sink.error(
            started.pos,
            Code::InvalidValue,
            format!("`{}` is not a timestamp", started.as_str()),
            "write an RFC 3339 timestamp such as `2026-05-14T14:00:00Z`".to_string(),
        );
    }
    let mut clock = SimDuration::ZERO;
    let mut ended = false;
    // Where the exercise was paused, while it is: the clock cannot move then (the engine
    // refuses it, so `run` would stop at this entry).
    let mut paused: Option<Pos> = None;
    let entries = sheet.entries.iter().zip(entry_positions(loaded));
    for (entry, pos) in entries {
        let found = kinds(entry);
        let after_end = ended;
        if let [kind] = found.as_slice() {
            if ended && !AFTER_END_KINDS.contains(kind) {
                sink.error(
                    pos,
                    Code::AfterEnd,
                    format!("`{kind}` after `end`: the exercise has ended"),
                    format!(
                        "after `end` only {} are taken; move this entry before `end`",
                        AFTER_END_KINDS.join(", ")
                    ),
                );
            }
            ended |= *kind == "end";
        }
        match found.len() {
            1 => {}
            0 => sink.error(
                pos,
                Code::MissingKey,
                "this entry records nothing",
                format!("give it one of: {}", ENTRY_KINDS.join(", ")),
            ),
            _ => sink.error(
                pos,
                Code::AmbiguousEntry,
                format!(
                    "this entry records several things at once: {}",
                    found.join(", ")
                ),
                "split it into one entry per thing".to_string(),
            ),
        }
        let moves = entry.at.as_ref().is_some_and(|at| at.value > clock)
            || entry
                .advance
                .as_ref()
                .is_some_and(|a| a.value > SimDuration::ZERO);
        if let (true, Some(since)) = (moves, paused) {
            sink.error(
                pos,
                Code::InvalidValue,
                format!(
                    "the clock moves on here while the exercise is paused (since line {})",
                    since.line
                ),
                "add a `resume` entry before this one, or keep the time of the pause".to_string(),
            );
        }
        if entry.pause.is_some() {
            if let Some(since) = paused {
                sink.error(
                    pos,
                    Code::InvalidValue,
                    format!("the exercise is already paused (since line {})", since.line),
                    "remove this `pause`, or `resume` before it".to_string(),
                );
            }
            paused = Some(pos);
        }
        if entry.resume.is_some() {
            if paused.is_none() {
                sink.error(
                    pos,
                    Code::InvalidValue,
                    "`resume` but the exercise is not paused",
                    "remove this `resume`, or `pause` before it".to_string(),
                );
            }
            paused = None;
        }
        if let Some(at) = &entry.at {
            if at.value < clock {
                sink.error(
                    at.pos,
                    Code::InvalidValue,
                    format!(
                        "entry at {} goes back in time (the clock is already at {clock})",
                        at.value
                    ),
                    "keep entries in time order".to_string(),
                );
            }
            // The clock stopped at `end`: the engine refuses to move it (issue 27: this
            // passed `validate`, then `run` stopped here, naming `note` as allowed).
            if after_end && at.value > clock {
                sink.error(
                    at.pos,
                    Code::AfterEnd,
                    format!(
                        "`at: {}` after `end`: the clock stopped when the exercise ended, at {clock}",
                        at.value
                    ),
                    "remove `at` from this entry: what is said after `end` is recorded at the end's time"
                        .to_string(),
                );
            }
            clock = clock.max(at.value);
        }
        if let Some(advance) = &entry.advance {
            clock = clock.saturating_add(advance.value);
        }
        if entry.improve.is_none()
            && (entry.owner.is_some()
                || entry.corrective_action.is_some()
                || entry.objective.is_some()
                || entry.re.is_some())
        {
            sink.error(
                pos,
                Code::InvalidValue,
                "`owner`, `corrective_action`, `objective` and `re` belong to an `improve` entry",
                "put them on the `improve` entry they describe".to_string(),
            );
        }
        if let Some(end) = &entry.end
            && !end.improvements.is_empty()
        {
            sink.warning(
                pos,
                Code::Unowned,
                format!(
                    "{} improvement(s) in `end` have no owner; their action items will be UNASSIGNED",
                    end.improvements.len()
                ),
                "record each as its own entry before `end`: `improve: …` with `owner: TEAM` (a roster team, or a role whose team owns the fix)".to_string(),
            );
        }
        if entry.improve.is_some() && entry.owner.is_none() {
            sink.warning(
                pos,
                Code::Unowned,
                "this improvement has no owner; its action item will be UNASSIGNED",
                "add `owner: TEAM` (a roster team, or a role whose team owns the fix)".to_string(),
            );
        }
        if (entry.decision.is_some() || entry.action.is_some()) && entry.by.is_none() {
            sink.error(
                pos,
                Code::MissingKey,
                "a decision needs the role that took it",
                "add `by: ROLE`".to_string(),
            );
        }
        let person = entry
            .present
            .as_ref()
            .map(|p| &p.person)
            .or(entry.absent.as_ref());
        if let Some(roster) = roster {
            for p in entry.participant.iter().chain(person) {
                sink.reference("person", p, roster.people.iter().map(|p| p.id.as_str()));
            }
        }
        let Some(s) = scenario else { continue };
        let roles = || s.roles.keys().map(|k| k.as_str());
        let role_ok = entry
            .by
            .as_ref()
            .is_none_or(|by| sink.reference("role", by, roles()));
        if let Some(d) = &entry.decision
            && sink.reference("decision", d, s.decisions.keys().map(|k| k.as_str()))
            && role_ok
            && let Some(by) = &entry.by
        {
            let decision = &s.decisions[d.as_str()];
            if !decision.by.iter().any(|r| r.as_str() == by.as_str()) {
                let allowed: Vec<&str> = decision.by.iter().map(|r| r.as_str()).collect();
                sink.error(
                    by.pos,
                    Code::RoleCannotDecide,
                    format!(
                        "role `{}` may not take decision `{}`",
                        by.as_str(),
                        d.as_str()
                    ),
                    format!(
                        "the scenario lets these roles take it: {}",
                        allowed.join(", ")
                    ),
                );
            }
        }
        // The option, against the decision's options: one of them when it has options,
        // none when it has not.
        if let Some(d) = &entry.decision
            && let Some(decision) = s.decisions.get(d.as_str())
        {
            match &entry.option {
                Some(o) if decision.options.is_empty() => sink.error(
                    o.pos,
                    Code::InvalidValue,
                    format!("decision `{}` has no options", d.as_str()),
                    "leave `option:` out".to_string(),
                ),
                Some(o) => {
                    sink.reference("option", o, decision.options.keys().map(|k| k.as_str()));
                }
                None if !decision.options.is_empty() => {
                    let ids: Vec<&str> = decision.options.keys().map(|k| k.as_str()).collect();
                    sink.error(
                        d.pos,
                        Code::MissingKey,
                        format!("decision `{}` is taken with one of its options", d.as_str()),
                        format!("add `option:` with one of: {}", ids.join(", ")),
                    );
                }
                None => {}
            }
        } else if let (Some(o), None) = (&entry.option, &entry.decision) {
            sink.error(
                o.pos,
                Code::InvalidValue,
                "`option` goes with a catalog `decision`",
                "add the decision, or leave the option out".to_string(),
            );
        }
        if let Some(m) = &entry.open {
            sink.reference("module", m, s.modules.iter().map(|x| x.id.as_str()));
        }
        if let Some(n) = &entry.notify {
            sink.reference("role", &n.from, roles());
            sink.reference("role", &n.to, roles());
        }
        if let Some(m) = &entry.message {
            let speakers = roles()
                .chain(s.characters.keys().map(|c| c.as_str()))
                .chain([crate::authoring::model::scenario::WHITE_CELL]);
            sink.reference("role or character", &m.from, speakers);
            match m
                .channel
                .parse::<crate::authoring::model::channel::Channel>()
            {
                Err(e) => sink.error(
                    m.channel.pos,
                    Code::InvalidValue,
                    e.to_string(),
                    "e.g. `war`, `team:tech`, `dm:comms+ic`, `private:legal`, `char:counsel+legal`"
                        .to_string(),
                ),
                Ok(c) => {
                    for r in c.roles() {
                        if !s.roles.contains_key(r) {
                            sink.error(
                                m.channel.pos,
                                Code::UndefinedReference,
                                format!("undefined role `{r}` in channel `{}`", m.channel.as_str()),
                                format!(
                                    "the roles defined are: {}",
                                    roles().collect::<Vec<_>>().join(", ")
                                ),
                            );
                        }
                    }
                    if let crate::authoring::model::channel::Channel::Team(t) = &c
                        && s.team_roles(t).is_empty()
                    {
                        sink.error(
                            m.channel.pos,
                            Code::UndefinedReference,
                            format!("undefined team `{t}` in channel `{}`", m.channel.as_str()),
                            "a team channel names a team of the scenario's `teams:`, or a role for its own players".to_string(),
                        );
                    }
                    if let Some(ch) = c.character()
                        && !s.characters.contains_key(ch)
                    {
                        sink.error(
                            m.channel.pos,
                            Code::UndefinedReference,
                            format!(
                                "undefined character `{ch}` in channel `{}`",
                                m.channel.as_str()
                            ),
                            "define it under `characters:` in the scenario".to_string(),
                        );
                    }
                }
            }
        }
        if let Some(i) = &entry.inject {
            for r in &i.to {
                sink.reference("role", r, roles());
            }
        }
        if let Some(role) = entry.present.as_ref().and_then(|p| p.role.as_ref()) {
            sink.reference("role", role, roles());
        }
        if let Some(a) = &entry.answer
            && (a.question == 0 || a.question > s.questions.len())
        {
            sink.error(
                pos,
                Code::InvalidValue,
                format!("there is no question {}", a.question),
                match s.questions.len() {
                    0 => "the scenario has no discussion questions".to_string(),
                    n => format!(
                        "the scenario's questions are numbered 1 to {n} (`ttx show` lists them)"
                    ),
                },
            );
        }
        if let Some(r) = &entry.rate {
            sink.reference(
                "objective",
                &r.objective,
                s.objectives.iter().map(|o| o.id.as_str()),
            );
        }
        if let Some(p) = &entry.prompted_by {
            sink.reference("inject", p, s.injects.iter().map(|i| i.id.as_str()));
        }
        if let Some(r) = &entry.re {
            sink.reference(
                "expectation or decision",
                r,
                s.expectations
                    .iter()
                    .map(|e| e.id.as_str())
                    .chain(s.decisions.keys().map(|k| k.as_str())),
            );
        }
        if let Some(o) = &entry.objective {
            sink.reference("objective", o, s.objectives.iter().map(|o| o.id.as_str()));
        }
        if let Some(owner) = &entry.owner {
            let teams: Vec<&str> = roster
                .iter()
                .flat_map(|r| r.teams.iter().map(|t| t.id.as_str()))
                .collect();
            // Without a roster a team cannot be checked; a role always can.
            if roster.is_some() || s.roles.contains_key(owner.as_str()) {
                sink.reference("owner", owner, roles().chain(teams.iter().copied()));
            }
        }
    }
    sink.out
}

/// The position of each entry (its first key), for entry-level messages.
pub fn entry_positions(loaded: &Loaded<DecisionsSheet>) -> Vec<crate::authoring::source::Pos> {
    match loaded.node.get("entries").map(|n| &n.value) {
        Some(crate::authoring::yaml::Value::Seq(items)) => items
            .iter()
            .map(|item| match &item.value {
                crate::authoring::yaml::Value::Map(entries) if !entries.is_empty() => {
                    entries[0].0.pos
                }
                _ => item.pos,
            })
            .collect(),
        _ => Vec::new(),
    }
}
