//! The program dashboard: one self-contained HTML file (inline CSS and SVG) with the
//! completion rate per exercise, open against closed items over time, open and overdue
//! items by team, repeat findings and ratings per capability over time. The charts are
//! laid out here and drawn by the embedded template `reports/program.html.j2`.

use jiff::civil::Date;
use serde::Serialize;

use crate::assessment::report::{TemplateError, render_template};
use crate::program::ledger::State;
use crate::program::status::{ProgramStatus, days_between};

/// The dashboard template.
pub const TEMPLATE: &str = include_str!("../../../reports/program.html.j2");

/// Everything the template draws.
#[derive(Debug, Serialize)]
pub struct Dashboard<'a> {
    /// The status the charts show.
    pub status: &'a ProgramStatus,
    /// Completion per exercise, stacked by status.
    pub completion: BarChart,
    /// Open and closed items over time.
    pub open_closed: LineChart,
    /// Open and overdue items per team.
    pub teams: TeamChart,
}

/// A tick on an axis.
#[derive(Debug, Serialize)]
pub struct Tick {
    /// Position along the axis, in pixels.
    pub at: u32,
    /// Label.
    pub label: String,
}

/// A vertical stacked bar chart with a percent axis.
#[derive(Debug, Serialize)]
pub struct BarChart {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Left edge of the plot.
    pub left: u32,
    /// Top of the plot.
    pub top: u32,
    /// Bottom of the plot (the zero line).
    pub bottom: u32,
    /// Y ticks.
    pub y_ticks: Vec<Tick>,
    /// Bars.
    pub bars: Vec<Bar>,
}

/// One bar.
#[derive(Debug, Serialize)]
pub struct Bar {
    /// Left edge.
    pub x: u32,
    /// Width.
    pub w: u32,
    /// Centre, for labels.
    pub cx: u32,
    /// Label lines under the bar.
    pub labels: Vec<String>,
    /// The headline figure above the bar, e.g. `60% done`.
    pub figure: String,
    /// Stacked segments, bottom up.
    pub segments: Vec<Segment>,
}

/// A part of a stacked bar.
#[derive(Debug, Serialize)]
pub struct Segment {
    /// Top.
    pub y: u32,
    /// Height.
    pub h: u32,
    /// CSS class: done, wont-fix, open, overdue.
    pub class: String,
    /// Tooltip.
    pub title: String,
}

/// A line chart over dates.
#[derive(Debug, Serialize)]
pub struct LineChart {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Left edge of the plot.
    pub left: u32,
    /// Right edge of the plot.
    pub right: u32,
    /// Top of the plot.
    pub top: u32,
    /// Bottom of the plot.
    pub bottom: u32,
    /// X ticks (dates).
    pub x_ticks: Vec<Tick>,
    /// Y ticks (counts).
    pub y_ticks: Vec<Tick>,
    /// The lines.
    pub series: Vec<Series>,
}

/// One line.
#[derive(Debug, Serialize)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// CSS class.
    pub class: String,
    /// SVG polyline points.
    pub points: String,
    /// The last value, for the legend.
    pub last: usize,
}

/// Horizontal bars per team.
#[derive(Debug, Serialize)]
pub struct TeamChart {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Left edge of the bars.
    pub left: u32,
    /// X ticks (counts).
    pub x_ticks: Vec<Tick>,
    /// Rows.
    pub rows: Vec<TeamRow>,
}

/// One team.
#[derive(Debug, Serialize)]
pub struct TeamRow {
    /// Team.
    pub team: String,
    /// Top of the row.
    pub y: u32,
    /// Width of the open (not overdue) part.
    pub open_w: u32,
    /// Width of the overdue part.
    pub overdue_w: u32,
    /// Open items.
    pub open: usize,
    /// Overdue items.
    pub overdue: usize,
}

fn nice_max(n: usize) -> usize {
    match n {
        0..=4 => 4,
        5..=10 => 10,
        11..=20 => 20,
        _ => n.div_ceil(10) * 10,
    }
}

fn completion(status: &ProgramStatus) -> BarChart {
    let (left, top, plot_h) = (48u32, 24u32, 200u32);
    let bottom = top + plot_h;
    let slot = 110u32;
    let width = left + slot * status.exercises.len().max(1) as u32 + 20;
    let y = |pct: u32| bottom - plot_h * pct / 100;
    let bars = status
        .exercises
        .iter()
        .enumerate()
        .map(|(n, x)| {
            let c = &x.counts;
            let bx = left + 15 + slot * n as u32;
            let mut segments = Vec::new();
            let mut acc = 0usize;
            let not_overdue = c.open - c.overdue;
            for (count, class, what) in [
                (c.done, "done", "done"),
                (c.wont_fix, "wont-fix", "won't fix"),
                (not_overdue, "open", "open, not yet due"),
                (c.overdue, "overdue", "overdue"),
            ] {
                if count == 0 || c.items == 0 {
                    continue;
                }
                let lo = (acc * 100 / c.items) as u32;
                acc += count;
                let hi = (acc * 100 / c.items) as u32;
                segments.push(Segment {
                    y: y(hi),
                    h: y(lo) - y(hi),
                    class: class.into(),
                    title: format!("{}: {count} of {} {what}", x.id, c.items),
                });
            }
            Bar {
                x: bx,
                w: 80,
                cx: bx + 40,
                labels: vec![x.date.clone(), {
                    let id: String = x.id.chars().take(15).collect();
                    if id.len() < x.id.len() {
                        id + "…"
                    } else {
                        id
                    }
                }],
                figure: c
                    .completion_rate
                    .map_or_else(|| "no items".into(), |r| format!("{r}% done")),
                segments,
            }
        })
        .collect();
    BarChart {
        width,
        height: bottom + 44,
        left,
        top,
        bottom,
        y_ticks: (0..=4)
            .map(|i| Tick {
                at: y(i * 25),
                label: format!("{}%", i * 25),
            })
            .collect(),
        bars,
    }
}

fn open_closed(state: &State, today: Date) -> LineChart {
    let (left, right, top, bottom) = (48u32, 660u32, 20u32, 220u32);
    // Every day something changed: an item opened on its exercise day, closed on the day
    // it was set done or won't-fix.
    let mut changes: Vec<(Date, i64, i64)> = Vec::new();
    for i in state.items.values() {
        if let Ok(start) = i.record.start.parse::<Date>() {
            changes.push((start, 1, 0));
        }
        if !i.status.is_open() {
            let closed = i
                .done_on
                .or_else(|| i.record.start.parse().ok())
                .unwrap_or(today);
            changes.push((closed, -1, 1));
        }
    }
    changes.sort();
    let first = changes.first().map_or(today, |c| c.0);
    let last = today.max(changes.last().map_or(today, |c| c.0));
    let span = days_between(first, last).max(1);
    let x = |d: Date| left + ((right - left) as i64 * days_between(first, d) / span) as u32;
    let (mut open, mut closed) = (0i64, 0i64);
    let mut points: Vec<(Date, i64, i64)> = Vec::new();
    for (d, o, c) in changes {
        open += o;
        closed += c;
        match points.last_mut() {
            Some(p) if p.0 == d => {
                p.1 = open;
                p.2 = closed;
            }
            _ => points.push((d, open, closed)),
        }
    }
    let top_value = nice_max(
        points
            .iter()
            .map(|p| p.1.max(p.2) as usize)
            .max()
            .unwrap_or(0),
    );
    let y = |v: i64| bottom - ((bottom - top) as i64 * v / top_value as i64) as u32;
    let line = |pick: fn(&(Date, i64, i64)) -> i64| {
        // A step line: the value holds until the next change.
        let mut out = Vec::new();
        let mut prev: Option<i64> = None;
        for p in &points {
            if let Some(v) = prev {
                out.push(format!("{},{}", x(p.0), y(v)));
            }
            out.push(format!("{},{}", x(p.0), y(pick(p))));
            prev = Some(pick(p));
        }
        if let Some(v) = prev {
            out.push(format!("{},{}", x(last), y(v)));
        }
        out.join(" ")
    };
    let x_ticks = {
        let mut ticks: Vec<Tick> = Vec::new();
        let mut d =
            Date::new(first.year(), if first.month() <= 6 { 1 } else { 7 }, 1).unwrap_or(first);
        while d <= last {
            if d >= first {
                ticks.push(Tick {
                    at: x(d),
                    label: format!("{}-{:02}", d.year(), d.month()),
                });
            }
            d = match d.checked_add(jiff::Span::new().months(6)) {
                Ok(n) => n,
                Err(_) => break,
            };
        }
        ticks
    };
    let step = (top_value / 4).max(1);
    LineChart {
        width: right + 20,
        height: bottom + 30,
        left,
        right,
        top,
        bottom,
        x_ticks,
        y_ticks: (0..=top_value)
            .step_by(step)
            .map(|v| Tick {
                at: y(v as i64),
                label: v.to_string(),
            })
            .collect(),
        series: vec![
            Series {
                name: "open".into(),
                class: "open".into(),
                points: line(|p| p.1),
                last: points.last().map_or(0, |p| p.1 as usize),
            },
            Series {
                name: "closed (done or won't fix)".into(),
                class: "done".into(),
                points: line(|p| p.2),
                last: points.last().map_or(0, |p| p.2 as usize),
            },
        ],
    }
}

fn teams(status: &ProgramStatus) -> TeamChart {
    let (left, plot_w, row_h) = (190u32, 420u32, 26u32);
    let max = nice_max(status.owners.iter().map(|o| o.open).max().unwrap_or(0));
    let w = |n: usize| (plot_w as usize * n / max) as u32;
    let rows: Vec<TeamRow> = status
        .owners
        .iter()
        .enumerate()
        .map(|(n, o)| TeamRow {
            team: o.team.clone(),
            y: 10 + row_h * n as u32,
            open_w: w(o.open - o.overdue),
            overdue_w: w(o.overdue),
            open: o.open,
            overdue: o.overdue,
        })
        .collect();
    let step = (max / 4).max(1);
    TeamChart {
        width: left + plot_w + 40,
        height: 10 + row_h * rows.len().max(1) as u32 + 30,
        left,
        x_ticks: (0..=max)
            .step_by(step)
            .map(|v| Tick {
                at: left + w(v),
                label: v.to_string(),
            })
            .collect(),
        rows,
    }
}

/// Lays out the charts for a status and the ledger state it came from.
pub fn build<'a>(status: &'a ProgramStatus, state: &State, today: Date) -> Dashboard<'a> {
    Dashboard {
        status,
        completion: completion(status),
        open_closed: open_closed(state, today),
        teams: teams(status),
    }
}

/// Renders the dashboard as one HTML file.
pub fn render(dashboard: &Dashboard<'_>) -> Result<String, TemplateError> {
    render_template("program.html.j2", TEMPLATE, dashboard, true)
}
