//! The program's status, as a pure function of the ledger, the cadence and a day: the
//! exercises held and their ratings, when the next is due, completion and on-time rates,
//! open and overdue items per team, repeat findings, and trends by half-year. The rules
//! are documented in docs/program.md.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use jiff::civil::Date;
use serde::Serialize;

use crate::authoring::duration::SimDuration;
use crate::program::ledger::{ExerciseRecord, RatingRecord, State, Status as ItemStatus};

/// The version of the status JSON.
pub const STATUS_VERSION: u32 = 1;

/// The program at a glance.
#[derive(Clone, Debug, Serialize)]
pub struct ProgramStatus {
    /// Format version.
    pub version: u32,
    /// The organisation.
    pub org: String,
    /// The day the status is for.
    pub as_of: String,
    /// When the next exercise is due.
    pub cadence: Cadence,
    /// Exercises held, oldest first.
    pub exercises: Vec<ExerciseRow>,
    /// All items: how many, done, open, overdue.
    pub totals: Counts,
    /// Open and overdue items per owning team.
    pub owners: Vec<OwnerRow>,
    /// The same gap in successive exercises.
    pub repeat_findings: Vec<Repeat>,
    /// Gaps that came back after their item was marked done: regressions.
    pub relapses: Vec<Relapse>,
    /// Exercises that rated a capability worse than the exercise before that rated it.
    pub declines: Vec<Decline>,
    /// Ratings per capability and decision latency, by half-year.
    pub trends: Vec<HalfYear>,
    /// Every capability rated in any exercise, in first-seen order.
    pub capabilities: Vec<String>,
    /// The architecture's runbooks, least recently exercised first (see [`runbooks`]);
    /// empty when the program's files were not read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runbooks: Vec<RunbookRow>,
}

/// A runbook of the architecture and the scenarios that cite it.
#[derive(Clone, Debug)]
pub struct Cited {
    /// Runbook id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Ids of the program's scenarios with an expectation citing it.
    pub scenarios: Vec<String>,
}

/// When a runbook was last rehearsed.
#[derive(Clone, Debug, Serialize)]
pub struct RunbookRow {
    /// Runbook id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The day of the last exercise of a scenario citing it.
    pub last: Option<String>,
    /// That exercise's id.
    pub exercise: Option<String>,
    /// How many exercises of the ledger played a scenario citing it.
    pub times: usize,
    /// The scenarios citing it.
    pub scenarios: Vec<String>,
}

/// The runbooks by when they were last exercised, never-exercised ones first, then the
/// longest ago: the procedures most in need of a rehearsal lead.
pub fn runbooks(state: &State, cited: &[Cited]) -> Vec<RunbookRow> {
    let mut rows: Vec<RunbookRow> = cited
        .iter()
        .map(|c| {
            let played: Vec<&ExerciseRecord> = state
                .exercises
                .iter()
                .filter(|x| c.scenarios.contains(&x.scenario))
                .collect();
            let last = played.iter().max_by(|a, b| a.date.cmp(&b.date));
            RunbookRow {
                id: c.id.clone(),
                title: c.title.clone(),
                last: last.map(|x| x.date.clone()),
                exercise: last.map(|x| x.id.clone()),
                times: played.len(),
                scenarios: c.scenarios.clone(),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.last.cmp(&b.last).then(a.id.cmp(&b.id)));
    rows
}

/// The exercise cadence.
#[derive(Clone, Debug, Serialize)]
pub struct Cadence {
    /// As written in ttx.yaml, e.g. `6mo`.
    pub every: String,
    /// The last exercise's day.
    pub last: Option<String>,
    /// When the next one is due: the last plus the cadence.
    pub next_due: Option<String>,
    /// Days from `as_of` to `next_due` (negative when overdue).
    pub days_left: Option<i64>,
    /// Whether the next exercise is overdue.
    pub overdue: bool,
}

/// Item counts.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    /// All items.
    pub items: usize,
    /// Done.
    pub done: usize,
    /// Done by their due date.
    pub done_on_time: usize,
    /// Decided against.
    pub wont_fix: usize,
    /// Open or in progress.
    pub open: usize,
    /// Open or in progress past their due date.
    pub overdue: usize,
    /// Items whose due date has passed, or that are done: the base of the on-time rate.
    pub due_or_done: usize,
    /// Done of the items not closed as won't fix, percent (rounded down); none when
    /// there are no such items. A duplicate closed as won't fix does not count against it.
    pub completion_rate: Option<u32>,
    /// Done by the due date of the items due or done, percent; none when none is.
    pub on_time_rate: Option<u32>,
}

/// One exercise's line.
#[derive(Clone, Debug, Serialize)]
pub struct ExerciseRow {
    /// Exercise id.
    pub id: String,
    /// Day.
    pub date: String,
    /// Half-year, e.g. `2026H1`.
    pub half: String,
    /// Scenario id.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// Objective ratings.
    pub ratings: Vec<RatingRecord>,
    /// Its items.
    #[serde(flatten)]
    pub counts: Counts,
}

/// A team's open work.
#[derive(Clone, Debug, Serialize)]
pub struct OwnerRow {
    /// Team name.
    pub team: String,
    /// Open or in progress.
    pub open: usize,
    /// Of those, past due.
    pub overdue: usize,
}

/// A gap seen in successive exercises.
#[derive(Clone, Debug, Serialize)]
pub struct Repeat {
    /// `expectation` (the same expectation of one scenario) or `capability`.
    pub kind: String,
    /// The expectation id or the capability.
    pub key: String,
    /// The scenario, for an expectation.
    pub scenario: Option<String>,
    /// What the gap is, from the latest item.
    pub finding: String,
    /// How many exercises in a row showed it.
    pub times_in_a_row: usize,
    /// Those exercises.
    pub exercises: Vec<String>,
    /// Whether the run reaches the latest exercise that tested it.
    pub ongoing: bool,
}

/// A gap that came back after the item that was to close it was marked done.
#[derive(Clone, Debug, Serialize)]
pub struct Relapse {
    /// The scenario.
    pub scenario: String,
    /// The expectation whose gap came back.
    pub expectation: String,
    /// The gap, as the exercise it came back in words it.
    pub finding: String,
    /// The item that was marked done.
    pub closed_item: String,
    /// When it was marked done.
    pub closed_on: String,
    /// The exercise the gap came back in.
    pub exercise: String,
    /// Its item.
    pub item: String,
}

/// A capability rated worse than in the exercise before that rated it.
#[derive(Clone, Debug, Serialize)]
pub struct Decline {
    /// The capability.
    pub capability: String,
    /// The exercise that rated it worse.
    pub exercise: String,
    /// Its rating (the worst of its objectives with that capability).
    pub rating: String,
    /// The exercise before that rated it.
    pub previous_exercise: String,
    /// The rating there.
    pub previous_rating: String,
}

/// A half-year of exercises.
#[derive(Clone, Debug, Serialize)]
pub struct HalfYear {
    /// e.g. `2025H2`.
    pub half: String,
    /// Its exercises.
    pub exercises: Vec<String>,
    /// The worst rating per capability that half (P best, U worst).
    pub ratings: IndexMap<String, String>,
    /// Median time from an inject to the first decision it prompted, in seconds.
    pub median_latency_secs: Option<u64>,
    /// The same, readable, e.g. `4m30s`.
    pub median_latency: Option<String>,
}

/// `2026H1` for a day in January to June.
pub fn half_of(date: Date) -> String {
    format!("{}H{}", date.year(), if date.month() <= 6 { 1 } else { 2 })
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i64 {
    a.until((jiff::Unit::Day, b))
        .map(|s| i64::from(s.get_days()))
        .unwrap_or(0)
}

fn percent(part: usize, whole: usize) -> Option<u32> {
    (whole > 0).then(|| (part * 100 / whole) as u32)
}

fn count<'a>(items: impl Iterator<Item = &'a crate::program::ledger::Item>, today: Date) -> Counts {
    let mut c = Counts::default();
    for i in items {
        c.items += 1;
        match i.status {
            ItemStatus::Done => {
                c.done += 1;
                c.due_or_done += 1;
                if i.done_on.is_some_and(|d| d <= i.due) {
                    c.done_on_time += 1;
                }
            }
            ItemStatus::WontFix => c.wont_fix += 1,
            ItemStatus::Open | ItemStatus::InProgress => {
                c.open += 1;
                if i.overdue(today) {
                    c.overdue += 1;
                }
                if i.due < today {
                    c.due_or_done += 1;
                }
            }
        }
    }
    // A duplicate or an item decided against, closed as won't fix, is not work left
    // undone: it leaves the base instead of dragging the rate down.
    c.completion_rate = percent(c.done, c.items - c.wont_fix);
    c.on_time_rate = percent(c.done_on_time, c.due_or_done);
    c
}

fn rank(rating: &str) -> u8 {
    match rating {
        "P" => 0,
        "S" => 1,
        "M" => 2,
        _ => 3,
    }
}

fn median(mut values: Vec<u64>) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2
    } else {
        values[mid]
    })
}

/// Computes the program's status on `today`. `cadence_months` is `None` when the
/// cadence does not read (validation reports it).
pub fn status(
    org: &str,
    state: &State,
    cadence: &str,
    cadence_months: Option<i64>,
    today: Date,
) -> ProgramStatus {
    let exercises: Vec<ExerciseRow> = state
        .exercises
        .iter()
        .map(|x| ExerciseRow {
            id: x.id.clone(),
            date: x.date.clone(),
            half: x.date.parse().map(half_of).unwrap_or_default(),
            scenario: x.scenario.clone(),
            title: x.title.clone(),
            ratings: x.objectives.clone(),
            counts: count(state.items_of(&x.id), today),
        })
        .collect();
    let last = state
        .exercises
        .iter()
        .filter_map(|x| x.date.parse::<Date>().ok())
        .max();
    let next_due = last
        .zip(cadence_months)
        .and_then(|(d, m)| d.checked_add(jiff::Span::new().months(m)).ok());
    let days_left = next_due.map(|n| days_between(today, n));
    let mut owners: BTreeMap<String, OwnerRow> = BTreeMap::new();
    for i in state.items.values().filter(|i| i.status.is_open()) {
        let row = owners.entry(i.owner.clone()).or_insert_with(|| OwnerRow {
            team: i.owner.clone(),
            open: 0,
            overdue: 0,
        });
        row.open += 1;
        row.overdue += usize::from(i.overdue(today));
    }
    let mut owners: Vec<OwnerRow> = owners.into_values().collect();
    owners.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(b.open.cmp(&a.open))
            .then(a.team.cmp(&b.team))
    });
    let mut capabilities: Vec<String> = Vec::new();
    for x in &state.exercises {
        for o in &x.objectives {
            if !capabilities.contains(&o.capability) {
                capabilities.push(o.capability.clone());
            }
        }
    }
    ProgramStatus {
        version: STATUS_VERSION,
        org: org.to_string(),
        as_of: today.to_string(),
        cadence: Cadence {
            every: cadence.to_string(),
            last: last.map(|d| d.to_string()),
            next_due: next_due.map(|d| d.to_string()),
            days_left,
            overdue: days_left.is_some_and(|d| d < 0),
        },
        totals: count(state.items.values(), today),
        exercises,
        owners,
        repeat_findings: repeats(state),
        relapses: relapses(state),
        declines: declines(&state.exercises),
        trends: trends(&state.exercises),
        capabilities,
        runbooks: Vec::new(),
    }
}

/// Runs of the same gap in successive exercises. An expectation belongs to one scenario,
/// so its runs are counted over that scenario's exercises; a capability over the
/// exercises that rated it. An exercise that did not test it neither extends nor breaks
/// a run.
fn repeats(state: &State) -> Vec<Repeat> {
    // (kind, key, scenario) → the exercises that tested it, in order, each with whether
    // it showed the gap and the gap's latest wording.
    type Key = (String, String, Option<String>);
    let mut tested: IndexMap<Key, Vec<(String, Option<String>)>> = IndexMap::new();
    for x in &state.exercises {
        let items: Vec<_> = state.items_of(&x.id).collect();
        let capabilities: BTreeSet<&str> =
            x.objectives.iter().map(|o| o.capability.as_str()).collect();
        for cap in capabilities {
            let gap = items
                .iter()
                .find(|i| i.record.capability.as_deref() == Some(cap))
                .map(|i| i.record.finding.clone());
            tested
                .entry(("capability".into(), cap.to_string(), None))
                .or_default()
                .push((x.id.clone(), gap));
        }
        let mut expectations: Vec<&str> = Vec::new();
        for i in &items {
            if let Some(e) = &i.record.expectation
                && !expectations.contains(&e.as_str())
            {
                expectations.push(e);
            }
        }
        // Expectations met in this exercise leave no item; they count as tested without
        // a gap if an earlier exercise of the scenario had them.
        let known: Vec<String> = tested
            .keys()
            .filter(|(k, _, s)| k == "expectation" && s.as_deref() == Some(x.scenario.as_str()))
            .map(|(_, key, _)| key.clone())
            .collect();
        for e in known
            .iter()
            .map(String::as_str)
            .chain(expectations.iter().copied())
        {
            let key = (
                "expectation".to_string(),
                e.to_string(),
                Some(x.scenario.clone()),
            );
            let runs = tested.entry(key).or_default();
            if runs.last().is_some_and(|(id, _)| *id == x.id) {
                continue;
            }
            let gap = items
                .iter()
                .find(|i| i.record.expectation.as_deref() == Some(e))
                .map(|i| i.record.finding.clone());
            runs.push((x.id.clone(), gap));
        }
    }
    let mut out = Vec::new();
    for ((kind, key, scenario), runs) in tested {
        let mut run: Vec<&(String, Option<String>)> = Vec::new();
        let flush =
            |run: &mut Vec<&(String, Option<String>)>, ongoing: bool, out: &mut Vec<Repeat>| {
                if run.len() >= 2 {
                    out.push(Repeat {
                        kind: kind.clone(),
                        key: key.clone(),
                        scenario: scenario.clone(),
                        finding: run.last().and_then(|(_, f)| f.clone()).unwrap_or_default(),
                        times_in_a_row: run.len(),
                        exercises: run.iter().map(|(id, _)| id.clone()).collect(),
                        ongoing,
                    });
                }
                run.clear();
            };
        for entry in &runs {
            if entry.1.is_some() {
                run.push(entry);
            } else {
                flush(&mut run, false, &mut out);
            }
        }
        flush(&mut run, true, &mut out);
    }
    out.sort_by(|a, b| {
        b.ongoing
            .cmp(&a.ongoing)
            .then(b.times_in_a_row.cmp(&a.times_in_a_row))
            .then(a.kind.cmp(&b.kind))
            .then(a.key.cmp(&b.key))
    });
    out
}

/// Gaps that came back: an exercise with an item for an expectation whose item from an
/// earlier exercise of the same scenario had been marked done on or before this one's
/// day. Counted from the ledger alone, so the program status, the dashboard and
/// publications all see the same regressions.
fn relapses(state: &State) -> Vec<Relapse> {
    let mut out = Vec::new();
    for (n, x) in state.exercises.iter().enumerate() {
        let Ok(day) = x.date.parse::<Date>() else {
            continue;
        };
        for item in state.items_of(&x.id) {
            let Some(e) = &item.record.expectation else {
                continue;
            };
            // The latest earlier item of this gap that was done by then.
            let closed = state.exercises[..n]
                .iter()
                .rev()
                .filter(|earlier| earlier.scenario == x.scenario)
                .flat_map(|earlier| state.items_of(&earlier.id))
                .find(|i| {
                    i.record.expectation.as_deref() == Some(e.as_str())
                        && i.done_on.is_some_and(|d| d <= day)
                });
            if let Some(c) = closed {
                out.push(Relapse {
                    scenario: x.scenario.clone(),
                    expectation: e.clone(),
                    finding: item.record.finding.clone(),
                    closed_item: c.record.id.clone(),
                    closed_on: c.done_on.map(|d| d.to_string()).unwrap_or_default(),
                    exercise: x.id.clone(),
                    item: item.record.id.clone(),
                });
            }
        }
    }
    out
}

/// Each exercise that rated a capability worse than the last exercise before it that
/// rated the same capability (the worst rating of its objectives with that capability).
fn declines(exercises: &[ExerciseRecord]) -> Vec<Decline> {
    let mut last: IndexMap<String, (String, String)> = IndexMap::new();
    let mut out = Vec::new();
    for x in exercises {
        let mut worst: IndexMap<String, String> = IndexMap::new();
        for o in &x.objectives {
            let Some(r) = &o.rating else { continue };
            let w = worst
                .entry(o.capability.clone())
                .or_insert_with(|| r.clone());
            if rank(r) > rank(w) {
                *w = r.clone();
            }
        }
        for (cap, rating) in worst {
            if let Some((prev_x, prev_r)) = last.get(&cap)
                && rank(&rating) > rank(prev_r)
            {
                out.push(Decline {
                    capability: cap.clone(),
                    exercise: x.id.clone(),
                    rating: rating.clone(),
                    previous_exercise: prev_x.clone(),
                    previous_rating: prev_r.clone(),
                });
            }
            last.insert(cap, (x.id.clone(), rating));
        }
    }
    out
}

fn trends(exercises: &[ExerciseRecord]) -> Vec<HalfYear> {
    let mut halves: BTreeMap<String, Vec<&ExerciseRecord>> = BTreeMap::new();
    for x in exercises {
        if let Ok(d) = x.date.parse::<Date>() {
            halves.entry(half_of(d)).or_default().push(x);
        }
    }
    halves
        .into_iter()
        .map(|(half, xs)| {
            let mut ratings: IndexMap<String, String> = IndexMap::new();
            for o in xs.iter().flat_map(|x| &x.objectives) {
                let Some(r) = &o.rating else { continue };
                let worse = ratings
                    .get(&o.capability)
                    .is_none_or(|have| rank(r) > rank(have));
                if worse {
                    ratings.insert(o.capability.clone(), r.clone());
                }
            }
            let latency = median(
                xs.iter()
                    .flat_map(|x| x.latencies.iter().copied())
                    .collect(),
            );
            HalfYear {
                half,
                exercises: xs.iter().map(|x| x.id.clone()).collect(),
                ratings,
                median_latency_secs: latency,
                median_latency: latency.map(|s| SimDuration::from_secs(s).to_string()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_halves() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5, 1, 3]), Some(3));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
        assert_eq!(half_of("2026-06-30".parse().unwrap()), "2026H1");
        assert_eq!(half_of("2026-07-01".parse().unwrap()), "2026H2");
    }

    #[test]
    fn percentages_round_down_and_need_a_base() {
        assert_eq!(percent(2, 3), Some(66));
        assert_eq!(percent(0, 0), None);
    }
}
