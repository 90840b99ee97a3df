//! Checks of a scenario: ids and references, timing, scripts, ATT&CK ids, the graph of
//! what can fire, and its binding to an architecture and a roster.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use rhai::Engine;

use super::Sink;
use crate::authoring::attack;
use crate::authoring::diagnostic::{Code, Diagnostic, Severity};
use crate::authoring::duration::SimDuration;
use crate::authoring::load::Loaded;
use crate::authoring::model::Id;
use crate::authoring::model::architecture::Architecture;
use crate::authoring::model::roster::Roster;
use crate::authoring::model::scenario::{Inject, Requirement, Scenario};
use crate::authoring::script::{self, ScriptKind};
use crate::authoring::source::{Pos, SourceFile};
use crate::authoring::spanned::Sp;
use crate::authoring::suggest::did_you_mean;

/// What a scenario is checked against, when the program provides it.
#[derive(Clone, Copy, Default)]
pub struct Context<'a> {
    /// The organisation's architecture.
    pub architecture: Option<&'a Architecture>,
    /// The roster.
    pub roster: Option<&'a Roster>,
    /// The folder the architecture's runbook paths are relative to (the architecture
    /// file's), to check a reference's `#section` against the runbook's headings.
    pub runbooks: Option<&'a std::path::Path>,
}

/// Runs every check of a loaded scenario.
pub fn check(loaded: &Loaded<Scenario>, ctx: Context<'_>, engine: &Engine) -> Vec<Diagnostic> {
    let s = &loaded.value;
    let mut sink = Sink::new(&loaded.source.path);
    ids(s, &mut sink);
    threats(s, &mut sink);
    requirements(s, ctx.architecture, &mut sink);
    injects(s, &mut sink);
    timing(s, &mut sink);
    modules(s, &mut sink);
    pace(loaded, &mut sink);
    decisions(s, &mut sink);
    characters(s, &mut sink);
    teams(s, &mut sink);
    expectations(s, ctx.architecture, ctx.runbooks, &mut sink);
    questions(s, &mut sink);
    let asts = scripts(s, &loaded.source, engine, &mut sink);
    if !sink
        .out
        .iter()
        .any(|d| matches!(d.code, Code::ScriptSyntax | Code::ScriptUndefinedVariable))
    {
        dry_run(s, &loaded.source, engine, &asts, &mut sink);
    }
    placeholders(loaded, &mut sink);
    never_fires(s, &mut sink);
    unused(s, &mut sink);
    if let Some(roster) = ctx.roster {
        staffing(s, roster, &mut sink);
    }
    sink.out
}

/// The checks of [`check`] the program's architecture and roster take part in, with the
/// parts of them that do not depend on it: for a library scenario shared by several
/// programs, [`check`] is made in the first and these in each of the others.
pub fn check_in_context(loaded: &Loaded<Scenario>, ctx: Context<'_>) -> Vec<Diagnostic> {
    let s = &loaded.value;
    let mut sink = Sink::new(&loaded.source.path);
    requirements(s, ctx.architecture, &mut sink);
    expectations(s, ctx.architecture, ctx.runbooks, &mut sink);
    if let Some(roster) = ctx.roster {
        staffing(s, roster, &mut sink);
    }
    sink.out
}

fn role_ids(s: &Scenario) -> impl Iterator<Item = &str> + Clone {
    s.roles.keys().map(|k| k.as_str())
}

fn inject_ids(s: &Scenario) -> impl Iterator<Item = &str> + Clone {
    s.injects.iter().map(|i| i.id.as_str())
}

fn decision_ids(s: &Scenario) -> impl Iterator<Item = &str> + Clone {
    s.decisions.keys().map(|k| k.as_str())
}

fn ids(s: &Scenario, sink: &mut Sink) {
    sink.duplicates("objective", s.objectives.iter().map(|o| &o.id));
    sink.duplicates("inject", s.injects.iter().map(|i| &i.id));
    sink.duplicates("expectation", s.expectations.iter().map(|e| &e.id));
}

fn threats(s: &Scenario, sink: &mut Sink) {
    let cited = s
        .threats
        .attack
        .iter()
        .chain(s.injects.iter().filter_map(|i| i.technique.as_ref()));
    for id in cited {
        if let Some((severity, code, message, help)) = attack::problem(id) {
            match severity {
                Severity::Error => sink.error(id.pos, code, message, help),
                _ => sink.warning(id.pos, code, message, help),
            }
        }
    }
}

/// Whether a component satisfies a selector.
pub fn selector_matches(
    req: &Requirement,
    c: &crate::authoring::model::architecture::Component,
) -> bool {
    req.kind.as_ref().is_none_or(|k| k.value == c.kind.value)
        && req
            .tags
            .iter()
            .all(|t| c.tags.iter().any(|ct| ct.value == t.value))
        && req
            .data
            .iter()
            .all(|d| c.data.iter().any(|cd| cd.value == d.value))
}

fn requirements(s: &Scenario, arch: Option<&Architecture>, sink: &mut Sink) {
    for (name, req) in &s.architecture.requires {
        let selects = req.kind.is_some() || !req.tags.is_empty() || !req.data.is_empty();
        match (&req.component, selects) {
            (Some(_), true) => sink.error(
                req.pos,
                Code::AmbiguousEntry,
                format!(
                    "requirement `{}` names a component and also a selector",
                    name.as_str()
                ),
                "give either `component: ID` or selector keys (`kind`, `tags`, `data`), not both"
                    .to_string(),
            ),
            (None, false) => sink.error(
                req.pos,
                Code::MissingKey,
                format!("requirement `{}` selects nothing", name.as_str()),
                "give `component: ID`, or a selector with `kind`, `tags` or `data`".to_string(),
            ),
            _ => {}
        }
        let Some(arch) = arch else { continue };
        if let Some(id) = &req.component {
            sink.reference(
                "component",
                id,
                arch.components.iter().map(|c| c.id.as_str()),
            );
        } else if selects && !arch.components.iter().any(|c| selector_matches(req, c)) {
            sink.error(
                req.pos,
                Code::UnmatchedComponent,
                format!(
                    "requirement `{}` matches no component of the architecture",
                    name.as_str()
                ),
                unmatched_help(req, arch),
            );
        }
    }
}

fn unmatched_help(req: &Requirement, arch: &Architecture) -> String {
    let tags = arch.components.iter().flat_map(|c| c.tags.iter());
    let data = arch.components.iter().flat_map(|c| c.data.iter());
    missing_value("is tagged", &req.tags, tags)
        .or_else(|| missing_value("holds data class", &req.data, data))
        .unwrap_or_else(|| {
            "no single component has this kind, all these tags and all these data classes; loosen the selector or tag a component".into()
        })
}

/// Explains the first of `wanted` that no component has, with a suggestion.
fn missing_value<'a>(
    what: &str,
    wanted: &[Sp<String>],
    present: impl Iterator<Item = &'a Sp<String>>,
) -> Option<String> {
    let present: HashSet<&str> = present.map(|v| v.as_str()).collect();
    let missing = wanted.iter().find(|w| !present.contains(w.as_str()))?;
    Some(match did_you_mean(missing, present.iter().copied()) {
        Some(s) => format!(
            "no component {what} `{}`; did you mean `{s}`?",
            missing.as_str()
        ),
        None => format!("no component {what} `{}`", missing.as_str()),
    })
}

fn injects(s: &Scenario, sink: &mut Sink) {
    for inject in &s.injects {
        match (&inject.at, &inject.after) {
            (Some(_), Some(after)) => sink.error(
                after.pos,
                Code::AmbiguousEntry,
                format!("inject `{}` has both `at` and `after`", inject.id.as_str()),
                "keep one: `at` for a time from the start, `after` for a time relative to another event".to_string(),
            ),
            (None, None) => sink.error(
                inject.id.pos,
                Code::MissingKey,
                format!("inject `{}` has no time", inject.id.as_str()),
                "add `at: 10m`, or `after: {inject: ID, delay: 5m}` or `after: {decision: ID, delay: 5m}`".to_string(),
            ),
            _ => {}
        }
        if let Some(after) = &inject.after {
            match (&after.inject, &after.decision) {
                (Some(i), None) => {
                    if i.as_str() == inject.id.as_str() {
                        sink.error(
                            i.pos,
                            Code::TimingCycle,
                            format!("inject `{}` follows itself", i.as_str()),
                            None,
                        );
                    } else {
                        sink.reference("inject", i, inject_ids(s));
                    }
                }
                (None, Some(d)) => {
                    sink.reference("decision", d, decision_ids(s));
                }
                _ => sink.error(
                    after.pos,
                    Code::AmbiguousEntry,
                    "`after` needs exactly one of `inject` or `decision`",
                    "write `after: {inject: ID, delay: 5m}` or `after: {decision: ID, delay: 5m}`"
                        .to_string(),
                ),
            }
        }
        if let Some(after) = &inject.after
            && let Some(each) = &after.each
            && each.value
            && after.decision.is_none()
        {
            sink.error(
                each.pos,
                Code::InvalidValue,
                format!(
                    "inject `{}` is sent after each taking of a decision, but follows an inject",
                    inject.id.as_str()
                ),
                "`each: true` goes with `after: {decision: ID}`; an inject is delivered once"
                    .to_string(),
            );
        }
        if inject.to.is_empty() {
            sink.error(
                inject.id.pos,
                Code::MissingKey,
                format!("inject `{}` reaches no role", inject.id.as_str()),
                "list the roles that receive it in `to: [...]`".to_string(),
            );
        }
        for role in &inject.to {
            sink.reference("role", role, role_ids(s));
        }
        for other in &inject.conflicts_with {
            if other.as_str() == inject.id.as_str() {
                sink.error(
                    other.pos,
                    Code::InvalidValue,
                    "an inject cannot conflict with itself",
                    None,
                );
            } else {
                sink.reference("inject", other, inject_ids(s));
            }
        }
    }
}

/// The earliest scenario time each inject can be delivered (decisions count as taken at
/// once), or `None` for injects in a timing cycle. Used by checks and by `ttx show`.
pub fn earliest_times(s: &Scenario) -> HashMap<&str, Option<SimDuration>> {
    let by_id: HashMap<&str, &Inject> = s.injects.iter().map(|i| (i.id.as_str(), i)).collect();
    let mut memo: HashMap<&str, Option<SimDuration>> = HashMap::new();
    let opens = module_openings(s);
    let by_id_opens = (&by_id, &opens);
    fn visit<'a>(
        id: &'a str,
        (by_id, opens): (
            &HashMap<&'a str, &'a Inject>,
            &HashMap<&'a str, SimDuration>,
        ),
        memo: &mut HashMap<&'a str, Option<SimDuration>>,
        stack: &mut Vec<&'a str>,
    ) -> Option<SimDuration> {
        if let Some(t) = memo.get(id) {
            return *t;
        }
        if stack.contains(&id) {
            return None;
        }
        let inject = by_id.get(id)?;
        stack.push(id);
        let t = match (&inject.at, &inject.after) {
            // A module's inject counts from the module's opening.
            (Some(at), _) => Some(
                inject
                    .module
                    .as_ref()
                    .and_then(|m| opens.get(m.as_str()))
                    .copied()
                    .unwrap_or(SimDuration::ZERO)
                    .saturating_add(at.value),
            ),
            (None, Some(after)) => {
                let delay = after.delay.as_ref().map_or(SimDuration::ZERO, |d| d.value);
                match &after.inject {
                    Some(prev) => visit(prev.as_str(), (by_id, opens), memo, stack)
                        .map(|t| t.saturating_add(delay)),
                    None => Some(delay),
                }
            }
            (None, None) => Some(SimDuration::ZERO),
        };
        stack.pop();
        memo.insert(id, t);
        t
    }
    for inject in &s.injects {
        let mut stack = Vec::new();
        visit(inject.id.as_str(), by_id_opens, &mut memo, &mut stack);
    }
    memo
}

/// The earliest each module can open: its `at`, never before the module ahead of it (a
/// module the facilitator opens may open as soon as the one ahead has).
pub fn module_openings(s: &Scenario) -> HashMap<&str, SimDuration> {
    let mut earliest = SimDuration::ZERO;
    s.modules
        .iter()
        .map(|m| {
            if let Some(at) = &m.at {
                earliest = earliest.max(at.value);
            }
            (m.id.as_str(), earliest)
        })
        .collect()
}

/// Every duration of a scenario played in turns is written in turns (`3t`), and none of
/// a scenario played in minutes is: a `3t` among minutes (or `5m` among turns) is a slip.
fn pace(loaded: &Loaded<Scenario>, sink: &mut Sink) {
    use crate::authoring::duration::Pace;
    let s = &loaded.value;
    let mut all: Vec<&Sp<SimDuration>> = vec![&s.duration];
    for m in &s.modules {
        all.extend(m.at.iter().chain(m.story.iter()));
    }
    for i in &s.injects {
        all.extend(i.at.iter().chain(i.jitter.iter()));
        all.extend(i.after.iter().filter_map(|a| a.delay.as_ref()));
        all.extend(i.story.iter());
    }
    for d in s.decisions.values() {
        all.extend(d.cooldown.iter());
    }
    for e in &s.expectations {
        // A story-time window is the incident's clock, never turns.
        if e.time == crate::authoring::model::scenario::Clock::Session {
            all.push(&e.within);
        }
    }
    for q in &s.questions {
        all.extend(q.at.iter());
    }
    let story: HashSet<usize> = s
        .modules
        .iter()
        .filter_map(|m| m.story.as_ref())
        .chain(s.injects.iter().filter_map(|i| i.story.as_ref()))
        .map(|d| d.pos.offset)
        .collect();
    let text = &loaded.source.text;
    for d in all {
        let raw = text
            .get(d.pos.offset..d.pos.offset + d.pos.len)
            .unwrap_or("")
            .trim()
            .trim_matches(['"', '\'']);
        let in_turns = raw.ends_with('t');
        let is_story = story.contains(&d.pos.offset);
        match s.clock {
            Pace::Turns if !in_turns && !is_story => sink.error(
                d.pos,
                Code::BadDuration,
                format!("`{raw}` is in minutes, but the scenario is played in turns"),
                format!(
                    "write it in turns, e.g. `{}t`",
                    (d.value.as_secs() / 60).max(1)
                ),
            ),
            Pace::Minutes if in_turns => sink.error(
                d.pos,
                Code::BadDuration,
                format!("`{raw}` is in turns, but the scenario is played in minutes"),
                "write it as `15m`, or play the scenario in turns with `clock: turns`".to_string(),
            ),
            Pace::Turns if in_turns && is_story => sink.error(
                d.pos,
                Code::BadDuration,
                format!("`{raw}`: story time is the incident's clock, not turns"),
                "write how far into the incident it is, e.g. `24h`".to_string(),
            ),
            _ => {}
        }
    }
}

/// Modules: references from injects, questions, objectives and expectations, modules
/// timed in order, and a story-time deadline only where the scenario tells story time.
fn modules(s: &Scenario, sink: &mut Sink) {
    sink.duplicates("module", s.modules.iter().map(|m| &m.id));
    let ids = || s.modules.iter().map(|m| m.id.as_str());
    let mut last: Option<(&str, SimDuration)> = None;
    for m in &s.modules {
        if let Some(at) = &m.at {
            if let Some((before, t)) = last
                && at.value < t
            {
                sink.error(
                    at.pos,
                    Code::InvalidValue,
                    format!(
                        "module `{}` opens at {}, before module `{before}` ahead of it ({t})",
                        m.id.as_str(),
                        at.value
                    ),
                    "modules open in the order they are written; order them by time".to_string(),
                );
            }
            last = Some((m.id.as_str(), at.value));
        }
    }
    let named = s
        .injects
        .iter()
        .filter_map(|i| i.module.as_ref())
        .chain(s.questions.iter().filter_map(|q| q.module.as_ref()))
        .chain(s.objectives.iter().filter_map(|o| o.module.as_ref()))
        .chain(s.expectations.iter().filter_map(|e| e.module.as_ref()));
    for m in named {
        sink.reference("module", m, ids());
    }
    let tells_story = s.tells_story();
    for e in &s.expectations {
        if e.time == crate::authoring::model::scenario::Clock::Story && !tells_story {
            sink.error(
                e.within.pos,
                Code::InvalidValue,
                format!(
                    "expectation `{}` counts its deadline in story time, but nothing in the scenario sets the story clock",
                    e.id.as_str()
                ),
                "give a module or an inject `story: 24h` (how far into the incident it is), or count the deadline in session time".to_string(),
            );
        }
    }
    for (label, has_story, pos) in s
        .modules
        .iter()
        .map(|m| (&m.story_label, m.story.is_some(), m.id.pos))
        .chain(
            s.injects
                .iter()
                .map(|i| (&i.story_label, i.story.is_some(), i.id.pos)),
        )
    {
        if label.is_some() && !has_story {
            sink.warning(
                pos,
                Code::InvalidValue,
                "a `story_label` without `story` is never shown".to_string(),
                "add `story: 24h` (how far into the incident it is) beside it".to_string(),
            );
        }
    }
}

fn timing(s: &Scenario, sink: &mut Sink) {
    let duration = s.duration.value;
    let times = earliest_times(s);
    let mut reported_cycle = false;
    for inject in &s.injects {
        match times.get(inject.id.as_str()).copied().flatten() {
            None if !reported_cycle && inject.after.is_some() => {
                reported_cycle = true;
                let cycle = cycle_from(s, inject.id.as_str());
                sink.error(
                    inject.after.as_ref().map_or(inject.id.pos, |a| a.pos),
                    Code::TimingCycle,
                    format!("injects follow each other in a loop: {}", cycle.join(" → ")),
                    "one inject of the loop needs an absolute time (`at:`)".to_string(),
                );
            }
            Some(t) if t > duration => {
                let pos = inject
                    .at
                    .as_ref()
                    .map(|a| a.pos)
                    .or(inject.after.as_ref().map(|a| a.pos))
                    .unwrap_or(inject.id.pos);
                sink.error(
                    pos,
                    Code::BeyondDuration,
                    format!(
                        "inject `{}` cannot arrive before {}, after the scenario ends at {}",
                        inject.id.as_str(),
                        s.clock.span(t),
                        s.clock.span(duration)
                    ),
                    "move it earlier, or lengthen `duration`".to_string(),
                );
            }
            _ => {}
        }
    }
    let opens = module_openings(s);
    for e in &s.expectations {
        // A deadline in story time may fall after the session ends: that is its point.
        if e.time == crate::authoring::model::scenario::Clock::Story {
            continue;
        }
        let start = match (&e.after, &e.module) {
            (Some(i), _) => times.get(i.as_str()).copied().flatten(),
            (None, Some(m)) => opens.get(m.as_str()).copied(),
            (None, None) => None,
        }
        .unwrap_or(SimDuration::ZERO);
        let deadline = start.saturating_add(e.within.value);
        if deadline > duration {
            sink.error(
                e.within.pos,
                Code::BeyondDuration,
                format!(
                    "expectation `{}` falls due at {}, after the scenario ends at {}",
                    e.id.as_str(),
                    s.clock.span(deadline),
                    s.clock.span(duration)
                ),
                "shorten `within`, or lengthen `duration`".to_string(),
            );
        }
    }
    for q in &s.questions {
        if let Some(at) = q.at.as_ref().filter(|at| at.value > duration) {
            sink.error(
                at.pos,
                Code::BeyondDuration,
                format!(
                    "question at {} is after the scenario ends at {}",
                    s.clock.span(at.value),
                    s.clock.span(duration)
                ),
                None,
            );
        }
    }
}

fn cycle_from(s: &Scenario, start: &str) -> Vec<String> {
    let next = |id: &str| {
        s.injects
            .iter()
            .find(|i| i.id.as_str() == id)
            .and_then(|i| i.after.as_ref())
            .and_then(|a| a.inject.as_ref())
            .map(|p| p.as_str().to_string())
    };
    let mut path = vec![start.to_string()];
    let mut current = start.to_string();
    while let Some(n) = next(&current) {
        if let Some(i) = path.iter().position(|p| *p == n) {
            let mut cycle = path[i..].to_vec();
            cycle.push(n);
            return cycle;
        }
        path.push(n.clone());
        current = n;
    }
    path
}

fn decisions(s: &Scenario, sink: &mut Sink) {
    for (id, d) in &s.decisions {
        if d.by.is_empty() {
            sink.error(
                id.pos,
                Code::MissingKey,
                format!("no role may take decision `{}`", id.as_str()),
                "list the roles that may take it in `by: [...]`".to_string(),
            );
        }
        for role in &d.by {
            sink.reference("role", role, role_ids(s));
        }
        if let Some(c) = &d.cooldown
            && c.value == SimDuration::ZERO
        {
            sink.error(
                c.pos,
                Code::InvalidValue,
                format!("the cooldown of `{}` is zero", id.as_str()),
                "give a cooldown such as `10m`, or leave it out".to_string(),
            );
        }
        if let (Some(c), Some(limit)) = (&d.cooldown, &d.limit)
            && limit.value == 1
        {
            sink.warning(
                c.pos,
                Code::InvalidValue,
                format!(
                    "`{}` is taken once (`limit: 1`), so its cooldown never applies",
                    id.as_str()
                ),
                "raise the limit, or leave the cooldown out".to_string(),
            );
        }
        for option in d.options.keys() {
            if matches!(option.as_str(), "low" | "medium" | "high") {
                sink.error(
                    option.pos,
                    Code::InvalidValue,
                    format!(
                        "option `{}` of `{}` reads as a confidence in the console (`decide ROLE DECISION OPTION high`)",
                        option.as_str(),
                        id.as_str()
                    ),
                    "name the option otherwise, e.g. `high-priority`".to_string(),
                );
            }
        }
        for reveal in &d.reveals {
            sink.reference("fact", &reveal.fact, s.facts.keys().map(|k| k.as_str()));
        }
        if let Some(h) = &d.requires_handoff {
            sink.reference("role", &h.from, role_ids(s));
            sink.reference("role", &h.to, role_ids(s));
        }
    }
}

/// Characters are named apart from the roles and the facilitator (a message's speaker is
/// one of them), their replies are named once each, and what replies and injects name
/// exists.
fn characters(s: &Scenario, sink: &mut Sink) {
    for (id, c) in &s.characters {
        if s.roles.contains_key(id.as_str())
            || id.as_str() == crate::authoring::model::scenario::WHITE_CELL
        {
            sink.error(
                id.pos,
                Code::InvalidValue,
                format!(
                    "character `{}` has the name of a role or of the facilitator (`white`)",
                    id.as_str()
                ),
                "a message names who says it, so a character needs an id of its own, e.g. `outside-counsel`".to_string(),
            );
        }
        sink.duplicates("reply", c.replies.iter().map(|r| &r.id));
        for r in &c.replies {
            if let Some(after) = &r.after {
                sink.reference("inject", after, inject_ids(s));
            }
            for reveal in &r.reveals {
                sink.reference("fact", &reveal.fact, s.facts.keys().map(|k| k.as_str()));
            }
        }
    }
    for i in &s.injects {
        if let Some(from) = &i.from {
            sink.reference("character", from, s.characters.keys().map(|k| k.as_str()));
        }
    }
}

fn teams(s: &Scenario, sink: &mut Sink) {
    for (id, t) in &s.teams {
        if s.roles.contains_key(id.as_str()) {
            sink.error(
                id.pos,
                Code::InvalidValue,
                format!("team `{}` has the name of a role", id.as_str()),
                format!(
                    "`team:{}` already names that role's own players' channel; give the team an id of its own, e.g. `{}-team`",
                    id.as_str(),
                    id.as_str()
                ),
            );
        }
        if t.roles.is_empty() {
            sink.error(
                id.pos,
                Code::InvalidValue,
                format!("team `{}` has no roles", id.as_str()),
                "list the roles whose players share its channel under `roles:`".to_string(),
            );
        }
        sink.duplicates("role", t.roles.iter());
        for r in &t.roles {
            sink.reference("role", r, role_ids(s));
        }
    }
}

fn expectations(
    s: &Scenario,
    arch: Option<&Architecture>,
    runbooks: Option<&std::path::Path>,
    sink: &mut Sink,
) {
    // Each runbook file read once, however many expectations cite its sections.
    let mut books = arch
        .zip(runbooks)
        .map(|(a, dir)| crate::authoring::runbook::Runbooks::new(a, dir));
    for e in &s.expectations {
        // Every id is checked (and reported), not only up to the first undefined one.
        let undefined_roles = e
            .role
            .iter()
            .filter(|r| !sink.reference("role", r, role_ids(s)))
            .count();
        let undefined_decisions = e
            .decision
            .iter()
            .filter(|d| !sink.reference("decision", d, decision_ids(s)))
            .count();
        let (roles_ok, decisions_ok) = (undefined_roles == 0, undefined_decisions == 0);
        if roles_ok && decisions_ok {
            // Every role it accepts must be able to take one of the decisions it accepts.
            for role in e.role.iter() {
                let can = e.decision.iter().any(|d| {
                    s.decisions[d.as_str()]
                        .by
                        .iter()
                        .any(|r| r.as_str() == role.as_str())
                });
                if can {
                    continue;
                }
                let allowed: Vec<&str> = e
                    .decision
                    .iter()
                    .flat_map(|d| s.decisions[d.as_str()].by.iter().map(|r| r.as_str()))
                    .collect();
                sink.error(
                    role.pos,
                    Code::RoleCannotDecide,
                    format!(
                        "expectation `{}` asks role `{}` for decision `{}`, which that role may not take",
                        e.id.as_str(),
                        role.as_str(),
                        e.decision.either()
                    ),
                    format!(
                        "add `{}` to the decision's `by` (now: {}), or expect it of another role",
                        role.as_str(),
                        if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") }
                    ),
                );
            }
            expected_options(s, e, sink);
        }
        if let Some(after) = &e.after {
            sink.reference("inject", after, inject_ids(s));
        }
        for known in &e.informed_by {
            sink.reference(
                "inject or fact",
                known,
                inject_ids(s).chain(s.facts.keys().map(|f| f.as_str())),
            );
        }
        sink.reference(
            "objective",
            &e.objective,
            s.objectives.iter().map(|o| o.id.as_str()),
        );
        if let (Some(reference), Some(arch)) = (&e.runbook, arch) {
            let id = reference.split('#').next().unwrap_or_default();
            let as_id = Sp {
                value: Id(id.to_string()),
                pos: Pos {
                    len: id.len(),
                    ..reference.pos
                },
            };
            let known = sink.reference(
                "runbook",
                &as_id,
                arch.runbooks.iter().map(|r| r.id.as_str()),
            );
            if let (true, Some((_, section)), Some(books)) =
                (known, reference.split_once('#'), books.as_mut())
            {
                runbook_section(books, reference, id, section, sink);
            }
        }
    }
}

/// A runbook reference's `#section` is a heading of the runbook's file, by its link
/// anchor; an unknown one is an error with the nearest heading.
fn runbook_section(
    books: &mut crate::authoring::runbook::Runbooks<'_>,
    reference: &Sp<String>,
    id: &str,
    section: &str,
    sink: &mut Sink,
) {
    let Some(f) = books.file(id) else {
        // No file to read (a `url`, or a path the architecture's check reports).
        return;
    };
    if f.sections.iter().any(|s| s.anchor == section) {
        return;
    }
    let pos = Pos {
        offset: reference.pos.offset + id.len() + 1,
        col: reference.pos.col + id.chars().count() as u32 + 1,
        len: section.len(),
        ..reference.pos
    };
    let anchors: Vec<&str> = f.sections.iter().map(|s| s.anchor.as_str()).collect();
    let message = format!(
        "runbook `{id}` has no section `{section}` (`{}` has no such heading)",
        crate::authoring::paths::display_path(&f.path).display()
    );
    match did_you_mean(section, anchors.iter().copied()) {
        Some(near) => sink.error_suggesting(pos, Code::UndefinedReference, message, near),
        None => sink.error(
            pos,
            Code::UndefinedReference,
            message,
            format!(
                "a section is a heading's link anchor; this runbook's are: {}",
                anchors.join(", ")
            ),
        ),
    }
}

/// An expectation's `option` and `wrong_options` name options of the decisions it accepts,
/// and no option is both accepted and wrong.
fn expected_options(
    s: &Scenario,
    e: &crate::authoring::model::scenario::Expectation,
    sink: &mut Sink,
) {
    let options: Vec<&str> = e
        .decision
        .iter()
        .flat_map(|d| s.decisions[d.as_str()].options.keys().map(|k| k.as_str()))
        .collect();
    let named = e
        .option
        .iter()
        .flat_map(|o| o.iter())
        .chain(e.wrong_options.keys());
    for option in named {
        if options.is_empty() {
            sink.error(
                option.pos,
                Code::UndefinedReference,
                format!(
                    "decision `{}` has no options, so expectation `{}` cannot ask for `{}`",
                    e.decision.either(),
                    e.id.as_str(),
                    option.as_str()
                ),
                "give the decision `options:`, or leave the option out".to_string(),
            );
            continue;
        }
        sink.reference("option", option, options.iter().copied());
    }
    if let Some(accepted) = &e.option {
        for wrong in e.wrong_options.keys() {
            if accepted.contains(wrong.as_str()) {
                sink.error(
                    wrong.pos,
                    Code::InvalidValue,
                    format!(
                        "option `{}` is both accepted (`option`) and wrong (`wrong_options`)",
                        wrong.as_str()
                    ),
                    "keep it in one of the two".to_string(),
                );
            }
        }
    }
}

fn questions(s: &Scenario, sink: &mut Sink) {
    for q in &s.questions {
        if let Some(after) = &q.after {
            sink.reference("inject", after, inject_ids(s));
            if let Some(at) = &q.at {
                sink.error(
                    at.pos,
                    Code::AmbiguousEntry,
                    "a question has both `after` and `at`",
                    "keep one of them".to_string(),
                );
            }
        }
    }
}

/// Every script and condition in the scenario, with what it is and where it is.
fn all_scripts(s: &Scenario) -> Vec<(&Sp<String>, ScriptKind)> {
    let mut out = Vec::new();
    if let Some(functions) = &s.functions {
        out.push((functions, ScriptKind::Script));
    }
    if let Some(setup) = &s.setup {
        out.push((setup, ScriptKind::Script));
    }
    for i in &s.injects {
        if let Some(w) = &i.when {
            out.push((w, ScriptKind::Condition));
        }
    }
    for d in s.decisions.values() {
        if let Some(effect) = &d.effect {
            out.push((effect, ScriptKind::Script));
        }
        if let Some(w) = &d.when {
            out.push((w, ScriptKind::Condition));
        }
        for r in &d.reveals {
            if let Some(w) = &r.when {
                out.push((w, ScriptKind::Condition));
            }
            for m in &r.modifiers {
                out.push((&m.when, ScriptKind::Condition));
            }
        }
    }
    for e in &s.expectations {
        if let Some(w) = &e.when {
            out.push((w, ScriptKind::Condition));
        }
    }
    for r in s.characters.values().flat_map(|c| &c.replies) {
        if let Some(w) = &r.when {
            out.push((w, ScriptKind::Condition));
        }
        for reveal in &r.reveals {
            if let Some(w) = &reveal.when {
                out.push((w, ScriptKind::Condition));
            }
            for m in &reveal.modifiers {
                out.push((&m.when, ScriptKind::Condition));
            }
        }
    }
    // Outcome values are expressions, compiled as conditions are (any value will do).
    for value in s.report.values() {
        out.push((value, ScriptKind::Condition));
    }
    out
}

/// The scripts of one file, compiled once: by each script's place in the file.
struct Asts(HashMap<(usize, usize), rhai::AST>);

impl Asts {
    /// The compiled script `text`, compiled now if `scripts` did not (it had an error).
    fn get(
        &self,
        engine: &Engine,
        text: &Sp<String>,
        kind: ScriptKind,
    ) -> Option<Cow<'_, rhai::AST>> {
        match self.0.get(&(text.pos.offset, text.pos.len)) {
            Some(ast) => Some(Cow::Borrowed(ast)),
            None => script::compile(engine, text, kind).ok().map(Cow::Owned),
        }
    }
}

/// Compiles every script, reporting syntax errors and properties of `state` read but
/// never written; gives the compiled scripts to the dry run, so none is compiled twice.
fn scripts(s: &Scenario, source: &SourceFile, engine: &Engine, sink: &mut Sink) -> Asts {
    let mut asts = HashMap::new();
    let all = all_scripts(s);
    let mut written: HashSet<String> = HashSet::new();
    for (text, kind) in &all {
        if *kind == ScriptKind::Script {
            written.extend(script::state_properties(text).1);
        }
    }
    for (text, kind) in &all {
        match script::compile(engine, text, *kind) {
            Ok(ast) => {
                asts.insert((text.pos.offset, text.pos.len), ast);
            }
            Err(e) => {
                let pos = script::position_in_file(source, text.pos, e.line, e.col);
                let (code, help) = if e.undefined_variable {
                    (
                        Code::ScriptUndefinedVariable,
                        "scripts see `state` and `clock`, `role`, `person`, `option`, `uses` and `current_module`; declare others with `let` first",
                    )
                } else if e.message.contains("terminate this statement") {
                    (
                        Code::ScriptSyntax,
                        "the statement before this point needs a `;` at its end",
                    )
                } else {
                    (
                        Code::ScriptSyntax,
                        "see docs/format.md#scripts for what scripts may use",
                    )
                };
                sink.error(
                    pos,
                    code,
                    format!("script error: {}", e.message),
                    help.to_string(),
                );
                continue;
            }
        }
        for (name, offset) in script::state_properties(text).0 {
            if written.contains(&name) {
                continue;
            }
            let (line, col) = script::line_col_in(text, offset);
            let pos = script::position_in_file(source, text.pos, line, col);
            let pos = Pos {
                len: name.len() + 6,
                ..pos
            };
            let message =
                format!("`state.{name}` is read but never set by the setup or any effect");
            match did_you_mean(&name, written.iter().map(String::as_str)) {
                Some(n) => sink.error_suggesting(
                    pos,
                    Code::ScriptUndefinedVariable,
                    message,
                    format!("state.{n}"),
                ),
                None => sink.error(
                    pos,
                    Code::ScriptUndefinedVariable,
                    message,
                    "set it in `setup` or in a decision's `effect` first".to_string(),
                ),
            }
        }
    }
    Asts(asts)
}

/// Every `{state.NAME}` in an inject's or a fact's text names a property some script sets:
/// a typo would reach the room as the literal braces.
fn placeholders(loaded: &Loaded<Scenario>, sink: &mut Sink) {
    let s = &loaded.value;
    let written: HashSet<String> = all_scripts(s)
        .into_iter()
        .filter(|(_, kind)| *kind == ScriptKind::Script)
        .flat_map(|(text, _)| script::state_properties(text).1)
        .collect();
    let mut texts: Vec<(&crate::authoring::yaml::Node, &str)> = Vec::new();
    for (i, inject) in s.injects.iter().enumerate() {
        let node = loaded.node.at_path(["injects", &i.to_string(), "text"]);
        texts.push((node, inject.text.as_str()));
    }
    for (id, fact) in &s.facts {
        let node = loaded.node.at_path(["facts", id.as_str(), "text"]);
        texts.push((node, fact.text.as_str()));
    }
    let source = &loaded.source;
    for (node, text) in texts {
        for (name, _) in script::placeholders(text) {
            if written.contains(&name) {
                continue;
            }
            // Point at the place as written in the file (the scalar may be quoted or folded).
            let needle = format!("{{state.{name}}}");
            let from = node.pos.offset.min(source.text.len());
            let pos = source.text[from..]
                .find(&needle)
                .map_or(node.pos, |at| source.pos_at(from + at, needle.len()));
            let help = match did_you_mean(&name, written.iter().map(String::as_str)) {
                Some(n) => {
                    format!("did you mean `{{state.{n}}}`? (write `{{{{` for a literal brace)")
                }
                None => "set it in `setup` or an effect first, or write `{{` for a literal brace"
                    .to_string(),
            };
            sink.error(
                pos,
                Code::ScriptUndefinedVariable,
                format!("the text names `state.{name}`, which no script sets"),
                help,
            );
        }
    }
}

/// Runs the setup once (seed 0) and each effect on what the setup left, in the sandbox,
/// so that a script that loops, recurses, grows without end or simply fails is caught
/// before the room is. Any setup failure is an error. An effect's failure is an error when
/// a sandbox limit stopped it, or when the effect reads nothing of `state` (an undefined
/// function, a division by zero, an overflow, `pick([])`: it fails whenever it runs);
/// when it reads `state`, another decision's effect may set what it needs first, so its
/// failure on the setup's state is a warning.
fn dry_run(s: &Scenario, source: &SourceFile, engine: &Engine, asts: &Asts, sink: &mut Sink) {
    thread_local! {
        /// One host per validating thread, started over for each file: building a host (a
        /// sandbox engine and ttx's functions) cost more than most files' whole dry run
        /// (issue 29: 20% of `ttx validate` on the 1,000-scenario library).
        static HOST: script::ScriptHost = script::ScriptHost::new(0);
    }
    HOST.with(|host| {
        host.reseed(0);
        dry_run_on(host, s, source, engine, asts, sink)
    })
}

/// A compiled script with the scenario's shared functions merged in, which it may call.
fn with_functions<'a>(
    functions: Option<&rhai::AST>,
    ast: Cow<'a, rhai::AST>,
) -> Cow<'a, rhai::AST> {
    match functions {
        Some(f) => Cow::Owned(f.merge(&ast)),
        None => ast,
    }
}

fn dry_run_on(
    host: &script::ScriptHost,
    s: &Scenario,
    source: &SourceFile,
    engine: &Engine,
    asts: &Asts,
    sink: &mut Sink,
) {
    let mut state = rhai::Map::new();
    let functions = match script::compile_functions(engine, source, s.functions.as_ref()) {
        Ok(f) => f,
        // A syntax error there is reported with the other scripts (and holds the dry run
        // back); what is left is a statement among the definitions.
        Err(d) => {
            sink.out.push(d);
            return;
        }
    };
    let with_functions = |ast| with_functions(functions.as_ref(), ast);
    let compile = |text: &Sp<String>| {
        asts.get(engine, text, ScriptKind::Script)
            .map(with_functions)
    };
    let report = |sink: &mut Sink, text: &Sp<String>, e: script::RunError, what: &str| {
        let pos = script::error_position(source, text, &e);
        let always = e.limit || e.property.is_some() || !reads_state(text);
        let help = if e.property.is_some() {
            "a closure (`|x| ...`) belongs to the script that made it; store values in state and call shared functions by name"
        } else if e.message.starts_with("Function not found") {
            "ttx's functions are pick(list), chance(probability), roll(sides) and end_exercise(reason), with those of `functions:`; check the name and the types of the arguments"
        } else {
            "scripts run in a sandbox with limits on operations, call depth and sizes; see docs/format.md#scripts"
        };
        if always {
            sink.error(
                pos,
                Code::ScriptRuntime,
                format!("{what} fails when run: {}", e.message),
                help.to_string(),
            );
        } else {
            sink.warning(
                pos,
                Code::ScriptRuntime,
                format!(
                    "{what} fails when run on the state the setup leaves: {}",
                    e.message
                ),
                format!(
                    "taken before the decision whose effect sets what it reads, it fails in the room: give `setup` a starting value for it, so any order works, or fix the script{}",
                    if e.message.starts_with("Function not found") {
                        format!(" ({help})")
                    } else {
                        String::new()
                    }
                ),
            );
        }
    };
    if let Some(setup) = &s.setup {
        let Some(ast) = compile(setup) else {
            return;
        };
        let result = host.run(&ast, &mut state);
        flooded(host, setup, source, "the setup script", sink);
        if let Err(e) = result {
            report(sink, setup, e, "the setup script");
            return;
        }
    }
    // A condition (or outcome value) that reads nothing that changes fails every time it
    // is judged: an unknown function, a division by zero, `roll(0)`.
    for (text, kind) in all_scripts(s) {
        if kind != ScriptKind::Condition || reads_state(text) {
            continue;
        }
        let Some(ast) = asts
            .get(engine, text, ScriptKind::Condition)
            .map(with_functions)
        else {
            continue;
        };
        if let Err(e) = host.value(&ast, &state) {
            report(sink, text, e, "this condition");
        }
    }
    for (id, d) in &s.decisions {
        let Some(effect) = &d.effect else { continue };
        let Some(ast) = compile(effect) else {
            continue;
        };
        let mut after = state.clone();
        let result = host.run(&ast, &mut after);
        let what = format!("the effect of `{}`", id.as_str());
        flooded(host, effect, source, &what, sink);
        // A decision whose `when` does not hold on what the setup leaves cannot be the
        // first taken: its effect's failure on that state says nothing. (Judged only for
        // an effect that failed.)
        let first = || {
            d.when.as_ref().is_none_or(|w| {
                asts.get(engine, w, ScriptKind::Condition)
                    .and_then(|c| host.condition(&c, &state).ok())
                    .unwrap_or(false)
            })
        };
        if let Err(e) = result
            && (e.limit || e.property.is_some() || !reads_state(effect) || first())
        {
            report(sink, effect, e, &what);
        }
    }
}

/// Whether a script reads `state` (a word of its text outside comments, other than as
/// the target of a plain assignment, `state.key = …`; in a string literal it counts too,
/// which only errs towards a warning) or anything else that changes from one taking to
/// the next: the moment's values ([`script::MOMENT`]) and `delivered(…)`. Shared
/// `functions:` cannot see `state` unless it is passed to them, so a script that never
/// reads it does the same whatever the state.
fn reads_state(text: &str) -> bool {
    let changing = || script::MOMENT.iter().copied().chain(["delivered"]);
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .any(|line| {
            changing().any(|name| word_tails(line, name).next().is_some())
                || word_tails(line, "state").any(|rest| !only_assigns(rest))
        })
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// What follows each place `name` stands in `line` as a whole word.
fn word_tails<'a>(line: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> {
    line.match_indices(name).filter_map(move |(i, _)| {
        let rest = &line[i + name.len()..];
        let whole = !line[..i].chars().next_back().is_some_and(is_word_char)
            && !rest.chars().next().is_some_and(is_word_char);
        whole.then_some(rest)
    })
}

/// Whether what follows `state` makes it a plain assignment to a key: `.key = value`
/// only writes; `.key == x`, `+=` and the rest read.
fn only_assigns(rest: &str) -> bool {
    rest.strip_prefix('.').is_some_and(|r| {
        let key_end = r.find(|c: char| !is_word_char(c)).unwrap_or(r.len());
        let after = r[key_end..].trim_start();
        key_end > 0 && after.starts_with('=') && !after.starts_with("==")
    })
}

/// Warns of a script whose dry run printed past what one call may journal.
fn flooded(
    host: &script::ScriptHost,
    text: &Sp<String>,
    source: &SourceFile,
    what: &str,
    sink: &mut Sink,
) {
    if host.printed_past_bounds() {
        sink.warning(
            script::position_in_file(source, text.pos, 1, 1),
            Code::ScriptOutput,
            format!(
                "{what} prints more than {} lines or {} bytes in one call; the journal keeps the first and a note of what was cut",
                script::MAX_PRINT_LINES,
                script::MAX_PRINT_BYTES
            ),
            "print a summary instead of printing in a loop".to_string(),
        );
    }
}

/// Injects that no play can deliver: they follow a decision no role may take, or an inject
/// that itself never fires.
fn never_fires(s: &Scenario, sink: &mut Sink) {
    let by_id: HashMap<&str, &Inject> = s.injects.iter().map(|i| (i.id.as_str(), i)).collect();
    let mut dead: HashMap<&str, String> = HashMap::new();
    // Chains are short; iterate to a fixed point rather than sorting topologically.
    loop {
        let mut changed = false;
        for inject in &s.injects {
            if dead.contains_key(inject.id.as_str()) {
                continue;
            }
            let Some(after) = &inject.after else { continue };
            let reason = if let Some(d) = &after.decision {
                s.decisions
                    .get(d.as_str())
                    .filter(|dec| dec.by.is_empty())
                    .map(|_| {
                        format!(
                            "it follows decision `{}`, which no role may take",
                            d.as_str()
                        )
                    })
            } else if let Some(prev) = &after.inject {
                dead.contains_key(prev.as_str())
                    .then(|| format!("it follows inject `{}`, which never fires", prev.as_str()))
            } else {
                None
            };
            if let Some(reason) = reason {
                dead.insert(inject.id.as_str(), reason);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for inject in &s.injects {
        if let Some(reason) = dead.get(inject.id.as_str()) {
            let pos = by_id[inject.id.as_str()]
                .after
                .as_ref()
                .map_or(inject.id.pos, |a| a.pos);
            sink.error(
                pos,
                Code::NeverFires,
                format!("inject `{}` can never fire: {reason}", inject.id.as_str()),
                "let a role take the decision, or time the inject differently".to_string(),
            );
        }
    }
}

fn unused(s: &Scenario, sink: &mut Sink) {
    for role in s.roles.keys() {
        let receives = s
            .injects
            .iter()
            .any(|i| i.to.iter().any(|r| r.as_str() == role.as_str()));
        let expected = s
            .expectations
            .iter()
            .any(|e| e.role.contains(role.as_str()));
        if !receives && !expected {
            sink.warning(
                role.pos,
                Code::UnusedRole,
                format!(
                    "role `{}` receives no inject and has no expectation",
                    role.as_str()
                ),
                "send it an inject or expect something of it, or remove the role".to_string(),
            );
        }
    }
    for o in &s.objectives {
        if !s
            .expectations
            .iter()
            .any(|e| e.objective.as_str() == o.id.as_str())
        {
            sink.warning(
                o.id.pos,
                Code::UnmeasuredObjective,
                format!(
                    "objective `{}` has no expectation, so it cannot be rated",
                    o.id.as_str()
                ),
                "add an expectation with `objective: {id}`".replace("{id}", o.id.as_str()),
            );
        }
    }
    for (id, d) in &s.decisions {
        let expected = s
            .expectations
            .iter()
            .any(|e| e.decision.contains(id.as_str()));
        let triggers = s.injects.iter().any(|i| {
            i.after
                .as_ref()
                .and_then(|a| a.decision.as_ref())
                .is_some_and(|dec| dec.as_str() == id.as_str())
        });
        let acts = d.effect.is_some() || !d.reveals.is_empty();
        if !expected && !triggers && !acts {
            sink.warning(
                id.pos,
                Code::UnexpectedDecision,
                format!("decision `{}` is expected of nobody and changes nothing", id.as_str()),
                "add an expectation for it, give it an `effect` or `reveals`, or let an inject follow it".to_string(),
            );
        }
    }
}

fn staffing(s: &Scenario, roster: &Roster, sink: &mut Sink) {
    for role in s.roles.keys() {
        if !roster.roles.contains_key(role.as_str()) {
            let help = match did_you_mean(role.as_str(), roster.roles.keys().map(|k| k.as_str())) {
                Some(r) => format!(
                    "the roster staffs `{r}`; rename the role, or add `{}` to the roster's `roles`",
                    role.as_str()
                ),
                None => format!(
                    "add `{}` to the roster's `roles` with the team that plays it",
                    role.as_str()
                ),
            };
            sink.warning(
                role.pos,
                Code::UnstaffedRole,
                format!("role `{}` is not staffed by the roster", role.as_str()),
                help,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::reads_state;

    #[test]
    fn a_script_reads_state_unless_it_only_assigns_to_it() {
        for writes_only in [
            "state.share = 100 / 0;",
            "notify_everyone(\"x\");",
            "let s = 1; // state.x is not read here\nstate.y = s;",
            "state.statement = pick([]);",
            "let estate = 3; state.n = estate / 0;",
        ] {
            assert!(!reads_state(writes_only), "{writes_only}");
        }
        for reads in [
            "state.count += 1;",
            "state.per = 100 / state.count;",
            "if state.armed == true { x() }",
            "state.n = option;",
            "if delivered(\"alert\") { state.x = 1 / 0; }",
            "let m = state; m.x = 1;",
            "state[\"x\"] = 1;",
        ] {
            assert!(reads_state(reads), "{reads}");
        }
    }
}
