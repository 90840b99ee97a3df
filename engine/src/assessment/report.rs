//! The after-action report and improvement plan (AAR/IP): the report context built from a
//! replayed journal and its assessment, rendered as Markdown or HTML through minijinja
//! templates (embedded defaults, overridable), or as JSON and CSV.

use std::collections::HashMap;

use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::assessment::assess::{
    ActionItem, Assessment, ExpectationResult, Finding, Latency, Outcome,
};
use crate::authoring::model::roster::Roster;
use crate::exercise::event::Event;
use crate::exercise::journal::Line;
use crate::exercise::state::Exercise;

/// Version of the JSON report (and of the template context).
pub const REPORT_VERSION: u32 = 1;

/// The default Markdown template.
pub const MD_TEMPLATE: &str = include_str!("../../../reports/report.md.j2");
/// The default HTML template.
pub const HTML_TEMPLATE: &str = include_str!("../../../reports/report.html.j2");

/// The work one render may do (minijinja fuel: an instruction costs 1, and every 64 bytes
/// a template allocates cost 1): an untrusted template that loops forever or builds a
/// huge string stops with an error. 2,000,000 bounds what a template can allocate to about
/// 128 MiB, keeping a render under 256 MiB, and leaves the default templates room for a
/// 10,000-event journal (cargo bench --bench report).
pub const TEMPLATE_FUEL: u64 = 2_000_000;
/// Largest output a template may produce.
pub const MAX_OUTPUT_BYTES: usize = 32 * 1024 * 1024;

/// The report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// GitHub-flavoured Markdown.
    Md,
    /// One self-contained HTML file.
    Html,
    /// The versioned JSON report.
    Json,
    /// The improvement plan as CSV.
    Csv,
}

/// Everything a report shows; also the context templates receive (documented in
/// docs/report.md).
#[derive(Debug, Serialize)]
pub struct Report {
    /// Report format version.
    pub version: u32,
    /// The overview.
    pub exercise: Overview,
    /// Roles that played, with their teams.
    pub roles: Vec<RoleRow>,
    /// Objectives with computed and final ratings.
    pub objectives: Vec<ObjectiveRow>,
    /// Facts only, in time order.
    pub timeline: Vec<TimelineRow>,
    /// Expectation results.
    pub expectations: Vec<ExpectationResult>,
    /// Findings, with their action item id.
    pub findings: Vec<FindingRow>,
    /// The improvement plan.
    pub action_items: Vec<ActionItem>,
    /// Where the action items' ids come from.
    pub ids: IdStanding,
    /// The ids the assessment gave the action items, in order (the ledger's `report_id`),
    /// whatever ids the report shows.
    #[serde(skip)]
    pub assessed_ids: Vec<String>,
    /// The hot wash.
    pub hot_wash: HotWash,
    /// The decision log with rationale (roles, not people).
    pub decisions: Vec<DecisionRow>,
    /// Inject-to-decision latency per role.
    pub latency: Vec<Latency>,
    /// Participant names, only when asked for (`--names`): who the roll call marked
    /// present, or, for an exercise without a roll call, who was named on a decision.
    pub attendance: Option<Vec<String>>,
    /// The discussion questions the room answered, with the answers; absent from the JSON
    /// when none was answered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub discussion: Vec<DiscussionRow>,
    /// Warnings for the facilitator.
    pub warnings: Vec<String>,
    /// The timeline chart, laid out for the HTML template.
    pub chart: Chart,
}

/// Where a report's action-item ids come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IdStanding {
    /// No program ledger: the ids the assessment gave.
    Report,
    /// The ids the items were entered with in the program's ledger: final.
    Ledger,
    /// The ids entering the exercise now would give; another exercise of the same
    /// scenario entered first would move them.
    Provisional,
}

impl Report {
    /// Gives the action items the ids they have (or will have) in the ledger, in every
    /// place the report names them: the plan, the findings, the objectives' improvements.
    /// `ids` maps the assessment's ids to the ledger's.
    pub fn use_ids(&mut self, ids: &[(String, String)], standing: IdStanding) {
        let by_assessed: std::collections::HashMap<&str, &str> =
            ids.iter().map(|(r, l)| (r.as_str(), l.as_str())).collect();
        // From the ids shown now (which an earlier call may have changed) to the new ones.
        let map: std::collections::HashMap<String, String> = self
            .action_items
            .iter()
            .zip(&self.assessed_ids)
            .filter_map(|(item, a)| {
                by_assessed
                    .get(a.as_str())
                    .map(|l| (item.id.clone(), l.to_string()))
            })
            .collect();
        let new = |id: &mut String| {
            if let Some(l) = map.get(id.as_str()) {
                *id = l.clone();
            }
        };
        self.action_items.iter_mut().for_each(|i| new(&mut i.id));
        self.findings
            .iter_mut()
            .for_each(|f| new(&mut f.action_item));
        for o in &mut self.objectives {
            o.improvements
                .iter_mut()
                .for_each(|f| new(&mut f.action_item));
        }
        self.ids = standing;
    }
}

/// A discussion question and what the room answered.
#[derive(Debug, Serialize)]
pub struct DiscussionRow {
    /// The question's number in the scenario, from 1.
    pub number: usize,
    /// The question.
    pub ask: String,
    /// The answers, in the order given (with their scenario time).
    pub answers: Vec<AnswerRow>,
}

/// One answer to a discussion question.
#[derive(Debug, Serialize)]
pub struct AnswerRow {
    /// Scenario time.
    pub at: String,
    /// The answer.
    pub text: String,
}

/// The overview of the exercise.
#[derive(Debug, Serialize)]
pub struct Overview {
    /// Organisation.
    pub org: String,
    /// Scenario id.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// Scenario version.
    pub version: String,
    /// SHA-256 of the scenario file played.
    pub sha256: String,
    /// Seed.
    pub seed: u64,
    /// Exercise date, YYYY-MM-DD.
    pub date: String,
    /// Where the exercise ended, `H:MM:SS`.
    pub ended_at: String,
    /// Whether it was ended with a hot wash.
    pub ended: bool,
}

/// A role and the team that plays it.
#[derive(Debug, Serialize)]
pub struct RoleRow {
    /// Role id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Owning team name, or UNASSIGNED.
    pub team: String,
}

/// An objective in the report.
#[derive(Debug, Serialize)]
pub struct ObjectiveRow {
    /// Objective id.
    pub id: String,
    /// Text.
    pub text: String,
    /// Capability.
    pub capability: String,
    /// The final rating: the facilitator's when given, else the computed one, else null.
    pub rating: Option<String>,
    /// The rating by the documented rule.
    pub computed_rating: Option<String>,
    /// The facilitator's reason for overriding, if they did.
    pub override_reason: Option<String>,
    /// Strengths: expectations met.
    pub strengths: Vec<String>,
    /// Areas for improvement: findings on this objective.
    pub improvements: Vec<FindingRow>,
}

/// One fact of the timeline.
#[derive(Debug, Serialize)]
pub struct TimelineRow {
    /// Scenario time.
    pub at: String,
    /// `inject`, `decision`, `notification`, `reveal`, `note`, `pause`, `resume`, `end`.
    pub kind: String,
    /// Who: roles.
    pub who: String,
    /// What.
    pub text: String,
}

/// A finding with its action item.
#[derive(Clone, Debug, Serialize)]
pub struct FindingRow {
    /// The action item that follows from it.
    pub action_item: String,
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
}

/// The hot wash.
#[derive(Debug, Default, Serialize)]
pub struct HotWash {
    /// Strengths.
    pub strengths: Vec<String>,
    /// Areas for improvement.
    pub improvements: Vec<String>,
}

/// A decision in the appendix.
#[derive(Debug, Serialize)]
pub struct DecisionRow {
    /// Scenario time.
    pub at: String,
    /// Role.
    pub role: String,
    /// Decision id or free-text action.
    pub decision: String,
    /// Rationale.
    pub rationale: String,
    /// Confidence.
    pub confidence: String,
    /// The inject that prompted it.
    pub prompted_by: String,
}

/// The SVG timeline, laid out: one lane per role, time across.
#[derive(Debug, Serialize)]
pub struct Chart {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Left edge of the time axis.
    pub left: u32,
    /// Lanes.
    pub lanes: Vec<Lane>,
    /// Time ticks.
    pub ticks: Vec<Tick>,
    /// Marks: injects, decisions, deadlines.
    pub marks: Vec<Mark>,
}

/// A role's lane.
#[derive(Debug, Serialize)]
pub struct Lane {
    /// Role id.
    pub role: String,
    /// Vertical centre.
    pub y: u32,
}

/// A tick on the time axis.
#[derive(Debug, Serialize)]
pub struct Tick {
    /// Horizontal position.
    pub x: u32,
    /// Label, `H:MM`.
    pub label: String,
}

/// A mark on the chart.
#[derive(Debug, Serialize)]
pub struct Mark {
    /// Horizontal position.
    pub x: u32,
    /// Vertical position.
    pub y: u32,
    /// `inject`, `decision`, or a deadline `met`, `late`, `missed`, `other`.
    pub kind: String,
    /// Tooltip text.
    pub label: String,
}

/// What a report needs beyond the exercise and its assessment.
pub struct Inputs<'a> {
    /// The journal's lines (for the pinned scenario hash and the date).
    pub lines: &'a [Line],
    /// The organisation's name.
    pub org: String,
    /// The roster, for teams and, with `names`, attendance.
    pub roster: Option<&'a Roster>,
    /// Whether to list participant names.
    pub names: bool,
}

/// Builds the report from a replayed exercise and its assessment.
pub fn build(ex: &Exercise<'_>, a: &Assessment, inputs: &Inputs<'_>) -> Report {
    let s = ex.compiled().scenario();
    let (sha256, seed) = match inputs.lines.first().map(|l| &l.event) {
        Some(Event::Start { scenario, seed, .. }) => (scenario.sha256.clone(), *seed),
        _ => (String::new(), 0),
    };
    let date = inputs
        .lines
        .first()
        .map(|l| l.wall.get(..10).unwrap_or("").to_string())
        .unwrap_or_default();
    let team_of = |role: &str| -> String {
        inputs
            .roster
            .and_then(|r| {
                let a = r.roles.get(role)?;
                r.teams
                    .iter()
                    .find(|t| t.id.as_str() == a.team.as_str())
                    .map(|t| t.name.clone())
            })
            .unwrap_or_else(|| "UNASSIGNED".into())
    };
    let findings: Vec<FindingRow> = a
        .findings
        .iter()
        .zip(&a.action_items)
        .map(|(f, item)| FindingRow {
            action_item: item.id.clone(),
            finding: f.clone(),
        })
        .collect();
    let objectives = a
        .objectives
        .iter()
        .map(|o| {
            let computed = o.rating.map(|r| format!("{r:?}"));
            let (rating, reason) = match &o.override_rating {
                Some((r, why)) => (Some(r.clone()), Some(why.clone())),
                None => (computed.clone(), None),
            };
            ObjectiveRow {
                id: o.id.clone(),
                text: o.text.clone(),
                capability: o.capability.clone(),
                rating,
                computed_rating: computed,
                override_reason: reason,
                strengths: a
                    .expectations
                    .iter()
                    .filter(|e| e.objective == o.id && e.outcome == Outcome::Met)
                    .map(|e| format!("The {} role took `{}` in time.", e.role, e.decision))
                    .collect(),
                improvements: findings
                    .iter()
                    .filter(|f| f.finding.objective.as_deref() == Some(o.id.as_str()))
                    .cloned()
                    .collect(),
            }
        })
        .collect();
    let (strengths, improvements) = crate::assessment::assess::hot_wash(ex.log());
    let hot_wash = HotWash {
        strengths: strengths.into_iter().map(String::from).collect(),
        improvements: improvements.into_iter().map(String::from).collect(),
    };
    let mut present: Vec<String> = Vec::new();
    let mut discussion: Vec<DiscussionRow> = Vec::new();
    let mut timeline = Vec::new();
    let mut decisions = Vec::new();
    let mut participants: Vec<String> = Vec::new();
    for t in ex.log() {
        let at = t.at.to_string();
        let row = |kind: &str, who: String, text: String| TimelineRow {
            at: at.clone(),
            kind: kind.into(),
            who,
            text,
        };
        match &t.event {
            Event::Deliver {
                to,
                via,
                source,
                reliability,
                text,
                ..
            } => {
                let from = match (source, reliability) {
                    (Some(s), Some(r)) => format!(" ({via}, {s}, reliability {r})"),
                    _ => format!(" ({via})"),
                };
                timeline.push(row("inject", to.join(", "), format!("{text}{from}")));
            }
            Event::AdHocInject { to, text } => {
                timeline.push(row("inject", to.join(", "), text.clone()))
            }
            Event::Decision {
                by,
                decision,
                action,
                rationale,
                confidence,
                prompted_by,
                participant,
            } => {
                let what = decision
                    .clone()
                    .or_else(|| action.clone())
                    .unwrap_or_default();
                timeline.push(row("decision", by.clone(), what.clone()));
                decisions.push(DecisionRow {
                    at: at.clone(),
                    role: by.clone(),
                    decision: what,
                    rationale: rationale.clone().unwrap_or_default(),
                    confidence: confidence
                        .map(|c| c.as_str().to_string())
                        .unwrap_or_default(),
                    prompted_by: prompted_by.clone().unwrap_or_default(),
                });
                if let Some(p) = participant {
                    participants.push(p.clone());
                }
            }
            Event::Notify { from, to, text } => timeline.push(row(
                "notification",
                format!("{from} → {to}"),
                text.clone().unwrap_or_default(),
            )),
            Event::Reveal { to, text, .. } => {
                timeline.push(row("reveal", to.clone(), text.clone()))
            }
            Event::Note { text } => timeline.push(row("note", "facilitator".into(), text.clone())),
            Event::Pause { reason } => timeline.push(row(
                "pause",
                "facilitator".into(),
                reason.clone().unwrap_or_default(),
            )),
            Event::Resume { reason } => timeline.push(row(
                "resume",
                "facilitator".into(),
                reason.clone().unwrap_or_default(),
            )),
            Event::Present { person, .. } => present.push(person.clone()),
            Event::Answer { question, text } => {
                let answer = AnswerRow {
                    at: at.clone(),
                    text: text.clone(),
                };
                match discussion.iter_mut().find(|d| d.number == *question) {
                    Some(d) => d.answers.push(answer),
                    None => discussion.push(DiscussionRow {
                        number: *question,
                        ask: s
                            .questions
                            .get(question.wrapping_sub(1))
                            .map(|q| q.ask.trim().to_string())
                            .unwrap_or_default(),
                        answers: vec![answer],
                    }),
                }
            }
            Event::End { .. } => {
                timeline.push(row(
                    "end",
                    "facilitator".into(),
                    "The exercise ended; hot wash.".into(),
                ));
            }
            _ => {}
        }
    }
    discussion.sort_by_key(|d| d.number);
    // The roll call is the record of who was there; without one, the people named on
    // decisions are the best the journal knows.
    let attendees = if present.is_empty() {
        participants
    } else {
        present
    };
    let attendance = inputs.names.then(|| {
        let mut names: Vec<String> = attendees
            .iter()
            .map(|id| {
                inputs
                    .roster
                    .and_then(|r| r.people.iter().find(|p| p.id.as_str() == id))
                    .map_or_else(|| id.clone(), |p| p.name.clone())
            })
            .collect();
        names.sort();
        names.dedup();
        names
    });
    Report {
        version: REPORT_VERSION,
        exercise: Overview {
            org: inputs.org.clone(),
            scenario: s.id.to_string(),
            title: s.title.clone(),
            version: s.version.value.clone(),
            sha256,
            seed,
            date,
            ended_at: ex.now().to_string(),
            ended: ex.ended(),
        },
        roles: s
            .roles
            .iter()
            .map(|(id, r)| RoleRow {
                id: id.to_string(),
                title: r.title.clone(),
                team: team_of(id.as_str()),
            })
            .collect(),
        objectives,
        timeline,
        expectations: a.expectations.clone(),
        findings,
        action_items: a.action_items.clone(),
        ids: IdStanding::Report,
        assessed_ids: a.action_items.iter().map(|i| i.id.clone()).collect(),
        hot_wash,
        decisions,
        latency: a.latency.clone(),
        attendance,
        discussion,
        warnings: a.warnings.clone(),
        chart: chart(ex, a),
    }
}

fn chart(ex: &Exercise<'_>, a: &Assessment) -> Chart {
    let s = ex.compiled().scenario();
    let (left, lane_height, width) = (110u32, 36u32, 960u32);
    let span = s.duration.value.as_secs().max(ex.now().as_secs()).max(60);
    let x = |secs: u64| {
        left + ((secs.min(span) as f64 / span as f64) * f64::from(width - left - 20)) as u32
    };
    let lanes: Vec<Lane> = s
        .roles
        .keys()
        .enumerate()
        .map(|(i, r)| Lane {
            role: r.to_string(),
            y: 30 + i as u32 * lane_height,
        })
        .collect();
    let y_of: HashMap<&str, u32> = lanes.iter().map(|l| (l.role.as_str(), l.y)).collect();
    let mut marks = Vec::new();
    for t in ex.log() {
        match &t.event {
            Event::Deliver { inject, to, .. } => {
                for r in to {
                    if let Some(y) = y_of.get(r.as_str()) {
                        marks.push(Mark {
                            x: x(t.at.as_secs()),
                            y: *y,
                            kind: "inject".into(),
                            label: format!("{} {inject}", t.at),
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
                if let Some(y) = y_of.get(by.as_str()) {
                    let what = decision
                        .clone()
                        .or_else(|| action.clone())
                        .unwrap_or_default();
                    marks.push(Mark {
                        x: x(t.at.as_secs()),
                        y: *y,
                        kind: "decision".into(),
                        label: format!("{} {by}: {what}", t.at),
                    });
                }
            }
            _ => {}
        }
    }
    for e in &a.expectations {
        let (Some(deadline), Some(y)) = (e.deadline, y_of.get(e.role.as_str())) else {
            continue;
        };
        let kind = match &e.outcome {
            Outcome::Met => "met",
            Outcome::Late { .. } => "late",
            Outcome::Missed => "missed",
            Outcome::OtherRole { .. } => "other",
            _ => continue,
        };
        marks.push(Mark {
            x: x(deadline.as_secs()),
            y: *y,
            kind: kind.into(),
            label: format!("deadline {} {}: {kind}", deadline, e.id),
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
    let height = 30 + lanes.len() as u32 * lane_height + 20;
    Chart {
        width,
        height,
        left,
        lanes,
        ticks,
        marks,
    }
}

/// A template that failed, with the template's name and line.
#[derive(Debug, thiserror::Error)]
#[error("{name}:{line}: {message}")]
pub struct TemplateError {
    /// The template file.
    pub name: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// What went wrong.
    pub message: String,
}

/// Renders a report. `template` overrides the default template of `md` or `html` with
/// (file name, text); it is untrusted: strict undefined variables, fuel, output bounded,
/// HTML auto-escaped.
pub fn render(
    report: &Report,
    format: Format,
    template: Option<(&str, &str)>,
) -> Result<String, TemplateError> {
    match format {
        Format::Json => Ok(serde_json::to_string_pretty(report).unwrap_or_default() + "\n"),
        Format::Csv => Ok(csv(report)),
        Format::Md | Format::Html => {
            let (default_name, default_text) = match format {
                Format::Md => ("report.md.j2", MD_TEMPLATE),
                _ => ("report.html.j2", HTML_TEMPLATE),
            };
            let (name, text) = template.unwrap_or((default_name, default_text));
            render_template(name, text, report, format == Format::Html)
        }
    }
}

/// Renders an untrusted template against a context: strict undefined variables, fuel,
/// output bounded to [`MAX_OUTPUT_BYTES`], HTML auto-escaped when `html`. Used for
/// reports, the program dashboard and publications.
pub fn render_template<S: Serialize>(
    name: &str,
    text: &str,
    context: &S,
    html: bool,
) -> Result<String, TemplateError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(TEMPLATE_FUEL));
    env.set_auto_escape_callback(move |_| {
        if html {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    env.add_filter("cell", |v: String| {
        v.replace('|', "\\|")
            .replace('\n', " ")
            .replace('<', "&lt;")
    });
    env.add_filter("code", inline_code);
    let fail = |e: minijinja::Error| TemplateError {
        name: e.name().unwrap_or(name).to_string(),
        line: e.line().unwrap_or(0),
        message: e.to_string(),
    };
    env.add_template_owned(name.to_string(), text.to_string())
        .map_err(fail)?;
    let out = env
        .get_template(name)
        .map_err(fail)?
        .render(Value::from(minijinja::value::Serde(context)))
        .map_err(fail)?;
    if out.len() > MAX_OUTPUT_BYTES {
        return Err(TemplateError {
            name: name.to_string(),
            line: 0,
            message: format!("the output is larger than {MAX_OUTPUT_BYTES} bytes"),
        });
    }
    Ok(out)
}

/// The improvement plan as CSV, one action item a row.
pub fn csv(report: &Report) -> String {
    csv_table(
        &PLAN_COLUMNS,
        report.action_items.iter().map(|i| {
            vec![
                i.id.clone(),
                i.capability.clone().unwrap_or_default(),
                i.finding.clone(),
                i.action.clone(),
                i.element.as_str().to_string(),
                i.owner.clone(),
                i.poc.clone(),
                i.priority.as_str().to_string(),
                i.start.clone(),
                i.due.clone(),
                i.status.clone(),
            ]
        }),
    )
}

/// The `code` filter of the HTML templates: the text escaped, with `backticked` spans as
/// `<code>` (the findings name decisions and injects that way). Unpaired backticks stay.
fn inline_code(text: String) -> Value {
    let escaped = minijinja::HtmlEscape(&text).to_string();
    if escaped.matches('`').count() % 2 == 1 {
        return Value::from_safe_string(escaped);
    }
    let mut out = String::with_capacity(escaped.len() + 16);
    for (n, part) in escaped.split('`').enumerate() {
        if n > 0 {
            out.push_str(if n % 2 == 1 { "<code>" } else { "</code>" });
        }
        out.push_str(part);
    }
    Value::from_safe_string(out)
}

/// The improvement plan's columns, shared by the report's CSV and the ledger's.
pub const PLAN_COLUMNS: [&str; 11] = [
    "id",
    "capability",
    "finding",
    "corrective_action",
    "element",
    "owner",
    "poc",
    "priority",
    "start",
    "due",
    "status",
];

/// The first characters that make a spreadsheet read a cell as a formula (OWASP's CSV
/// injection rule): `=`, `+`, `-`, `@`, tab and carriage return.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as it is safe to open in a spreadsheet: one that a spreadsheet would read as a
/// formula gets a leading `'` (shown as text, never evaluated). A cell that already
/// starts with `'` gets one more, so [`from_spreadsheet`] gives back exactly the text.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) || c == '\'' => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// The text of a cell [`spreadsheet_safe`] wrote (or a tracker exported the same way).
pub fn from_spreadsheet(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest)
            if rest
                .chars()
                .next()
                .is_some_and(|c| FORMULA_STARTS.contains(&c) || c == '\'') =>
        {
            rest
        }
        _ => cell,
    }
}

/// A CSV text with a header and rows, quoted where needed, every cell safe to open in a
/// spreadsheet (free text from a journal must never run as a formula).
pub fn csv_table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(row.iter().map(|c| spreadsheet_safe(c).into_owned()));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_a_spreadsheet_would_evaluate_is_neutralized_and_reads_back_unchanged() {
        for cell in [
            "=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=quoted", "''", "'plain", "'",
        ] {
            let safe = spreadsheet_safe(cell);
            assert!(safe.starts_with('\''), "{cell:?} -> {safe:?}");
            assert_eq!(from_spreadsheet(&safe), cell, "round trip of {cell:?}");
        }
        for cell in ["plain", "2026-05-14", "", "a=b"] {
            assert_eq!(spreadsheet_safe(cell), cell);
        }
        let csv = csv_table(
            &["a", "b"],
            [vec!["=cmd|' /C calc'!A0".into(), "ok".into()]],
        );
        assert!(
            csv.lines().nth(1).is_some_and(|l| l.starts_with("'=cmd|")),
            "{csv}"
        );
    }
}
