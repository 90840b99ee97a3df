//! `ttx program status` and `ttx program report`: the exercise program at a glance, from
//! the ledger.

use std::path::PathBuf;

use ttx_engine::authoring::check::program::cadence_months;
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::architecture::Architecture;
use ttx_engine::authoring::model::scenario::Scenario;
use ttx_engine::authoring::project::ProgramDir;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::jiff::civil::Date;
use ttx_engine::program::dashboard;
use ttx_engine::program::status::{self, ProgramStatus};

use crate::actions_cmd::{self, table};
use crate::exit::Exit;

/// The options of `ttx program`.
#[derive(clap::Args)]
pub struct ProgramArgs {
    /// The program folder (or its ttx.yaml); found upward from here when left out.
    #[arg(long, global = true)]
    pub program: Option<PathBuf>,
    /// The day to report on, YYYY-MM-DD (default today).
    #[arg(long, global = true)]
    pub as_of: Option<String>,
    #[command(subcommand)]
    command: ProgramCommand,
}

#[derive(clap::Subcommand)]
enum ProgramCommand {
    /// Exercises held, cadence, completion and on-time rates, open and overdue items per
    /// team, repeat findings and trends.
    Status {
        /// text or json.
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// The program dashboard as one self-contained HTML file.
    Report {
        /// Write here instead of standard output.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
}

/// Runs a `program` subcommand.
pub fn run(args: ProgramArgs) -> Exit {
    let (status, state, today) = match compute(args.program, args.as_of.as_deref()) {
        Ok(s) => s,
        Err(e) => return e,
    };
    match args.command {
        ProgramCommand::Status { format } => {
            if format == "json" {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&status).unwrap_or_default()
                );
            } else {
                print!("{}", text(&status));
            }
            Exit::Ok
        }
        ProgramCommand::Report { output } => {
            let html = match dashboard::render(&dashboard::build(&status, &state, today)) {
                Ok(h) => h,
                Err(e) => {
                    eprintln!("error: template {e}");
                    return Exit::Problems;
                }
            };
            match output {
                Some(path) => match std::fs::write(&path, html) {
                    Ok(()) => {
                        eprintln!("wrote {}", path.display());
                        Exit::Ok
                    }
                    Err(e) => {
                        eprintln!("error: cannot write {}: {e}", path.display());
                        Exit::Usage
                    }
                },
                None => {
                    print!("{html}");
                    Exit::Ok
                }
            }
        }
    }
}

/// The program's status on a day, with the ledger state it came from.
pub fn compute(
    program: Option<PathBuf>,
    as_of: Option<&str>,
) -> Result<(ProgramStatus, ttx_engine::program::ledger::State, Date), Exit> {
    let program = actions_cmd::open_program(program.as_deref())?;
    let today = match as_of {
        None => actions_cmd::today(),
        Some(d) => d.parse().map_err(|_| {
            eprintln!("error: --as-of `{d}` is not a date; write YYYY-MM-DD");
            Exit::Usage
        })?,
    };
    let ledger = actions_cmd::read_ledger(&program)?;
    let p = &program.program.value;
    let mut status = status::status(
        &p.org,
        &ledger.state,
        &p.cadence,
        cadence_months(&p.cadence).ok(),
        today,
    );
    status.runbooks = status::runbooks(&ledger.state, &cited_runbooks(&program));
    Ok((status, ledger.state, today))
}

/// The architecture's runbooks and the program's scenarios that cite each; nothing when
/// the architecture does not load (a scenario that does not load cites nothing).
fn cited_runbooks(program: &ProgramDir) -> Vec<status::Cited> {
    let max = program.max_file_bytes();
    let Ok(arch) =
        load::load_file::<Architecture>(FileKind::Architecture, &program.architecture_path(), max)
    else {
        return Vec::new();
    };
    let scenarios: Vec<Scenario> = program
        .scenario_paths()
        .iter()
        .filter_map(|p| load::load_file::<Scenario>(FileKind::Scenario, p, max).ok())
        .map(|l| l.value)
        .collect();
    arch.value
        .runbooks
        .iter()
        .map(|r| status::Cited {
            id: r.id.to_string(),
            title: r.title.clone(),
            scenarios: scenarios
                .iter()
                .filter(|s| {
                    s.expectations.iter().any(|e| {
                        e.runbook
                            .as_deref()
                            .is_some_and(|x| x.split('#').next() == Some(r.id.as_str()))
                    })
                })
                .map(|s| s.id.to_string())
                .collect(),
        })
        .collect()
}

fn rate(r: Option<u32>) -> String {
    r.map_or_else(|| "—".into(), |r| format!("{r}%"))
}

/// The status for a terminal.
fn text(s: &ProgramStatus) -> String {
    let mut out = format!("{}: exercise program as of {}\n\n", s.org, s.as_of);
    let c = &s.cadence;
    match (&c.last, &c.next_due, c.days_left) {
        (Some(last), Some(next), Some(days)) if c.overdue => out.push_str(&format!(
            "cadence every {}: last exercise {last}; next was due {next}: OVERDUE by {} day(s)\n",
            c.every, -days
        )),
        (Some(last), Some(next), Some(days)) => out.push_str(&format!(
            "cadence every {}: last exercise {last}; next due {next} (in {days} day(s))\n",
            c.every
        )),
        _ => out.push_str(&format!(
            "cadence every {}: no exercise recorded yet\n",
            c.every
        )),
    }
    let t = &s.totals;
    out.push_str(&format!(
        "action items: {} in all, {} done, {} won't fix, {} open ({} overdue); completion rate {}, on-time rate {}\n",
        t.items,
        t.done,
        t.wont_fix,
        t.open,
        t.overdue,
        rate(t.completion_rate),
        rate(t.on_time_rate)
    ));
    out.push_str("\nexercises\n");
    let rows: Vec<[String; 6]> = s
        .exercises
        .iter()
        .map(|x| {
            [
                x.date.clone(),
                x.id.clone(),
                x.ratings
                    .iter()
                    .map(|r| format!("{}={}", r.objective, r.rating.as_deref().unwrap_or("-")))
                    .collect::<Vec<_>>()
                    .join(" "),
                // Done of the items still to do; won't-fix items are outside the rate.
                match x.counts.wont_fix {
                    0 => format!("{}/{}", x.counts.done, x.counts.items),
                    w => format!("{}/{} (+{w} won't fix)", x.counts.done, x.counts.items - w),
                },
                rate(x.counts.completion_rate),
                rate(x.counts.on_time_rate),
            ]
        })
        .collect();
    out.push_str(&indent(&table(
        &[
            "DATE",
            "EXERCISE",
            "RATINGS",
            "DONE",
            "COMPLETION RATE",
            "ON-TIME RATE",
        ],
        &rows,
    )));
    out.push_str("\nopen items by team\n");
    if s.owners.is_empty() {
        out.push_str("  none\n");
    } else {
        let rows: Vec<[String; 3]> = s
            .owners
            .iter()
            .map(|o| [o.team.clone(), o.open.to_string(), o.overdue.to_string()])
            .collect();
        out.push_str(&indent(&table(&["TEAM", "OPEN", "OVERDUE"], &rows)));
    }
    if !s.runbooks.is_empty() {
        out.push_str("\nrunbooks, least recently exercised first\n");
        let rows: Vec<[String; 4]> = s
            .runbooks
            .iter()
            .map(|r| {
                [
                    r.id.clone(),
                    r.last.clone().unwrap_or_else(|| "never".into()),
                    r.exercise.clone().unwrap_or_else(|| "-".into()),
                    match (r.times, r.scenarios.len()) {
                        (_, 0) => "no scenario cites it".into(),
                        (t, n) => format!("{t} exercise(s); cited by {n} scenario(s)"),
                    },
                ]
            })
            .collect();
        out.push_str(&indent(&table(
            &["RUNBOOK", "LAST EXERCISED", "EXERCISE", "HOW OFTEN"],
            &rows,
        )));
    }
    out.push_str("\nrepeat findings\n");
    if s.repeat_findings.is_empty() {
        out.push_str("  none: no gap appeared in two successive exercises\n");
    }
    for r in &s.repeat_findings {
        out.push_str(&format!(
            "  {} `{}`{}: {} times in a row{} ({})\n    {}\n",
            r.kind,
            r.key,
            r.scenario
                .as_deref()
                .map(|s| format!(" of {s}"))
                .unwrap_or_default(),
            r.times_in_a_row,
            if r.ongoing { ", still open" } else { "" },
            r.exercises.join(", "),
            r.finding
        ));
    }
    out.push_str("\nregressions (a gap back after its item was marked done)\n");
    if s.relapses.is_empty() {
        out.push_str("  none\n");
    }
    for r in &s.relapses {
        out.push_str(&format!(
            "  expectation `{}` of {}: back in {} as {}, after {} was marked done on {}\n    {}\n",
            r.expectation, r.scenario, r.exercise, r.item, r.closed_item, r.closed_on, r.finding
        ));
    }
    out.push_str("\nrated worse than the exercise before\n");
    if s.declines.is_empty() {
        out.push_str("  none\n");
    }
    for d in &s.declines {
        out.push_str(&format!(
            "  {}: {} in {} (was {} in {})\n",
            d.capability, d.rating, d.exercise, d.previous_rating, d.previous_exercise
        ));
    }
    out.push_str("\ntrends by half-year (worst rating per capability)\n");
    let mut header: Vec<String> = vec!["CAPABILITY".into()];
    header.extend(s.trends.iter().map(|h| h.half.clone()));
    let mut grid: Vec<Vec<String>> = s
        .capabilities
        .iter()
        .map(|cap| {
            let mut row = vec![cap.clone()];
            row.extend(
                s.trends
                    .iter()
                    .map(|h| h.ratings.get(cap).cloned().unwrap_or_else(|| "-".into())),
            );
            row
        })
        .collect();
    let mut latency = vec!["median time to first decision".to_string()];
    latency.extend(
        s.trends
            .iter()
            .map(|h| h.median_latency.clone().unwrap_or_else(|| "-".into())),
    );
    grid.push(latency);
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            grid.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(&header).chain(&grid) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(&format!("  {}\n", cells.join("  ").trim_end()));
    }
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}
