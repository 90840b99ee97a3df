//! The timeline chart of the HTML report, laid out: a lane per role, time across, and
//! every mark numbered so the chart reads without hovering. Marks that would overlap in a
//! lane stack into rows of their own (so deadlines at one time are all visible), and the
//! legend lists every number with its time, role and what it is.

use std::collections::HashMap;

use serde::Serialize;

use super::ExpectationRow;
use crate::assessment::assess::Outcome;
use crate::exercise::event::Event;
use crate::exercise::state::Exercise;
use crate::exercise::view::decision_title;

/// Where the time axis starts (room for the lane names).
const LEFT: u32 = 120;
/// The chart's width in SVG units; the page scales it.
const WIDTH: u32 = 960;
/// Room right of the axis.
const RIGHT: u32 = 24;
/// A row of marks: a mark is 18 units across, so rows are 24 apart and two marks in a
/// row keep 22 between their centres.
const ROW: u32 = 24;
const MIN_GAP: u32 = 22;
/// Above the first lane: the time labels.
const TOP: u32 = 26;

/// The SVG timeline, laid out: one lane per role, time across.
#[derive(Clone, Debug, Serialize)]
pub struct Chart {
    /// Width in SVG units.
    pub width: u32,
    /// Height in SVG units.
    pub height: u32,
    /// Left edge of the time axis.
    pub left: u32,
    /// Lanes.
    pub lanes: Vec<Lane>,
    /// Time ticks.
    pub ticks: Vec<Tick>,
    /// Marks: injects, decisions, deadlines.
    pub marks: Vec<Mark>,
    /// What every numbered mark is, in number order (time order).
    pub legend: Vec<LegendEntry>,
}

/// A role's lane.
#[derive(Clone, Debug, Serialize)]
pub struct Lane {
    /// Role id.
    pub role: String,
    /// Vertical centre of the lane.
    pub y: u32,
    /// Top edge.
    pub top: u32,
    /// Height: one row per stack of marks that would otherwise overlap.
    pub height: u32,
}

/// A tick on the time axis.
#[derive(Clone, Debug, Serialize)]
pub struct Tick {
    /// Horizontal position.
    pub x: u32,
    /// Label, `H:MM`.
    pub label: String,
}

/// A mark on the chart.
#[derive(Clone, Debug, Serialize)]
pub struct Mark {
    /// Horizontal position (the mark's time).
    pub x: u32,
    /// Vertical centre (its row in its lane).
    pub y: u32,
    /// `inject`, `decision`, or a deadline `met`, `late`, `missed`, `other`.
    pub kind: String,
    /// Tooltip text.
    pub label: String,
    /// Its number in the legend, from 1.
    pub number: usize,
}

/// A legend line: what a numbered mark is.
#[derive(Clone, Debug, Serialize)]
pub struct LegendEntry {
    /// The mark's number.
    pub number: usize,
    /// Scenario time, `H:MM:SS`.
    pub at: String,
    /// As [`Mark::kind`].
    pub kind: String,
    /// The lane's role.
    pub role: String,
    /// What it is: the inject's id, the decision's title, the deadline's expectation.
    pub text: String,
}

/// A mark before it is placed.
struct Pending {
    secs: u64,
    at: String,
    lane: usize,
    kind: &'static str,
    label: String,
    text: String,
}

/// Lays out the chart of a replayed exercise and its expectations.
pub(super) fn build(ex: &Exercise<'_>, expectations: &[ExpectationRow]) -> Chart {
    let s = ex.compiled().scenario();
    let span = s.duration.value.as_secs().max(ex.now().as_secs()).max(60);
    let x = |secs: u64| {
        LEFT + ((secs.min(span) as f64 / span as f64) * f64::from(WIDTH - LEFT - RIGHT)) as u32
    };
    let roles: Vec<&str> = s.roles.keys().map(|r| r.as_str()).collect();
    let lane_of: HashMap<&str, usize> = roles.iter().enumerate().map(|(i, r)| (*r, i)).collect();
    let mut pending = Vec::new();
    for t in ex.log() {
        match &t.event {
            Event::Deliver { inject, to, .. } => {
                for r in to {
                    if let Some(&lane) = lane_of.get(r.as_str()) {
                        pending.push(Pending {
                            secs: t.at.as_secs(),
                            at: t.at.label(ex.compiled().scenario().clock),
                            lane,
                            kind: "inject",
                            label: format!("{} inject {inject} to {r}", t.at),
                            text: format!("inject `{inject}`"),
                        });
                    }
                }
            }
            Event::Decision {
                by,
                decision,
                action,
                ..
            } => {
                if let Some(&lane) = lane_of.get(by.as_str()) {
                    let what = match (decision, action) {
                        (Some(d), _) => decision_title(s, d),
                        (None, Some(a)) => a.clone(),
                        (None, None) => String::new(),
                    };
                    pending.push(Pending {
                        secs: t.at.as_secs(),
                        at: t.at.label(ex.compiled().scenario().clock),
                        lane,
                        kind: "decision",
                        label: format!("{} {by}: {what}", t.at),
                        text: what,
                    });
                }
            }
            _ => {}
        }
    }
    for e in expectations {
        let (Some(deadline), Some(&lane)) =
            (e.result.deadline, lane_of.get(e.result.role.as_str()))
        else {
            continue;
        };
        let kind = match &e.result.outcome {
            Outcome::Met => "met",
            Outcome::Late { .. } => "late",
            Outcome::Missed => "missed",
            Outcome::OtherRole { .. } => "other",
            _ => continue,
        };
        pending.push(Pending {
            secs: deadline.as_secs(),
            at: deadline.label(ex.compiled().scenario().clock),
            lane,
            kind,
            label: format!("deadline {deadline} {}: {}", e.result.id, e.result_text),
            text: format!(
                "deadline of `{}` ({}): {}",
                e.result.id, e.decision_title, e.result_text
            ),
        });
    }
    // Numbers run in time order, lane by lane at one time, injects before the decisions
    // they prompt and deadlines last.
    let order = |k: &str| match k {
        "inject" => 0,
        "decision" => 1,
        _ => 2,
    };
    pending.sort_by_key(|p| (p.secs, p.lane, order(p.kind)));
    // Rows per lane: each mark takes the first row where it keeps its distance.
    let mut rows: Vec<Vec<u32>> = vec![Vec::new(); roles.len()];
    let mut placed: Vec<(usize, usize)> = Vec::with_capacity(pending.len());
    for p in &pending {
        let at = x(p.secs);
        let lane = &mut rows[p.lane];
        let row = match lane.iter().position(|&end| at >= end) {
            Some(r) => r,
            None => {
                lane.push(0);
                lane.len() - 1
            }
        };
        lane[row] = at + MIN_GAP;
        placed.push((p.lane, row));
    }
    let mut lanes = Vec::with_capacity(roles.len());
    let mut top = TOP;
    for (i, role) in roles.iter().enumerate() {
        let height = rows[i].len().max(1) as u32 * ROW + 8;
        lanes.push(Lane {
            role: role.to_string(),
            y: top + height / 2,
            top,
            height,
        });
        top += height;
    }
    let mut marks = Vec::with_capacity(pending.len());
    let mut legend = Vec::with_capacity(pending.len());
    for (n, (p, (lane, row))) in pending.into_iter().zip(placed).enumerate() {
        let number = n + 1;
        marks.push(Mark {
            x: x(p.secs),
            y: lanes[lane].top + 4 + row as u32 * ROW + ROW / 2,
            kind: p.kind.into(),
            label: p.label,
            number,
        });
        legend.push(LegendEntry {
            number,
            at: p.at,
            kind: p.kind.into(),
            role: roles[lane].to_string(),
            text: p.text,
        });
    }
    let step = if span > 3 * 3600 {
        3600
    } else if span > 3600 {
        1800
    } else {
        600
    };
    let ticks = (0..=span / step)
        .map(|i| {
            let secs = i * step;
            Tick {
                x: x(secs),
                label: format!("{}:{:02}", secs / 3600, secs / 60 % 60),
            }
        })
        .collect();
    Chart {
        width: WIDTH,
        height: top + 8,
        left: LEFT,
        lanes,
        ticks,
        marks,
        legend,
    }
}
