//! The after-action report and improvement plan (AAR/IP): the report context built from a
//! replayed journal and its assessment, rendered as Markdown or HTML through minijinja
//! templates (embedded defaults, overridable), or as JSON and CSV.

mod chart;
mod conversation;
mod csv;
mod render;
mod summary;
mod truth;

use serde::Serialize;

use crate::assessment::assess::{
    ActionItem, Assessment, ExpectationResult, Finding, Latency, Outcome,
};
use crate::authoring::model::architecture::Architecture;
use crate::authoring::model::roster::Roster;
use crate::exercise::event::Event;
use crate::exercise::journal::Line;
use crate::exercise::state::Exercise;
use crate::exercise::view::decision_title;

pub use chart::{Chart, Lane, LegendEntry, Mark, Tick};
pub use conversation::{CommunicationSection, HandoffRow, KnewRow, MatrixRow, QuestionRow};
pub use csv::{PLAN_COLUMNS, csv, csv_table, from_spreadsheet, spreadsheet_safe};
pub use render::{TemplateError, render, render_template};
pub use summary::{PriorityCount, Summary, SummaryFinding};
pub use truth::{DrawRow, FactRow, RedHerringRow, StateRow, Truth};

/// Version of the JSON report (and of the template context).
pub const REPORT_VERSION: u32 = 1;

/// The default Markdown template.
pub const MD_TEMPLATE: &str = include_str!("../../../../reports/report.md.j2");
/// The default HTML template.
pub const HTML_TEMPLATE: &str = include_str!("../../../../reports/report.html.j2");

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
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Report format version.
    pub version: u32,
    /// The overview.
    pub exercise: Overview,
    /// The executive summary: the first page.
    pub summary: Summary,
    /// What was really going on in this run: the truth drawn, the facts, the red herrings.
    pub truth: Truth,
    /// The scenario's outcome values (`report:`) as the exercise left them, and what its
    /// scripts printed, summarized by script; absent when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<OutcomeSection>,
    /// Roles that played, with their teams.
    pub roles: Vec<RoleRow>,
    /// Objectives with computed and final ratings.
    pub objectives: Vec<ObjectiveRow>,
    /// Facts only, in time order.
    pub timeline: Vec<TimelineRow>,
    /// Expectation results, in scenario order.
    pub expectations: Vec<ExpectationRow>,
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
    /// The roll call, only with `--names`: each person the roll call named, the role they
    /// played and whether they were still present at the end.
    pub roll_call: Option<Vec<RollCallRow>>,
    /// The scenario's discussion questions in order, with the answers the room recorded
    /// (none for a question not discussed); absent from the JSON for a scenario without
    /// questions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub discussion: Vec<DiscussionRow>,
    /// The room's conversation: who spoke to whom, who knew what when, questions and
    /// answers; absent when nothing was said and no expectation names what its role
    /// needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub communication: Option<CommunicationSection>,
    /// Warnings for the facilitator.
    pub warnings: Vec<String>,
    /// The timeline chart, laid out for the HTML template.
    pub chart: Chart,
    /// Whether people's names may be shown (`--names`): without, the rendered report
    /// leaves the teams' points of contact out (the ledger still records them).
    #[serde(skip)]
    pub names: bool,
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
    /// The report as it may be shown: without `--names`, no person's name, so the teams'
    /// points of contact are left out of the plan (SECURITY.md: reports are blameless).
    pub fn shown(&self) -> std::borrow::Cow<'_, Report> {
        if self.names {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut shown = self.clone();
        for item in shown
            .action_items
            .iter_mut()
            .chain(shown.summary.top_items.iter_mut())
        {
            item.poc.clear();
        }
        std::borrow::Cow::Owned(shown)
    }

    /// Passes every piece of text the room typed through `f` and keeps what it returns:
    /// notes, notifications, pause and resume reasons, free-text actions and ad-hoc
    /// injects in the timeline, the decision log's rationales, the hot wash, the answers
    /// to discussion questions, the questions of the conversation, override reasons, and the findings and action items made
    /// from them (whose sentences quote it), plus the chart's decision marks and the
    /// warnings. What the scenario's author wrote (inject texts, catalog decisions,
    /// objectives, the truth) is not visited: it is the organisation's own material, and
    /// a report without `--names` follows the publication's rule for people, not for
    /// hosts or patterns (docs/report.md).
    ///
    /// The order of the visit is fixed, so a `f` that numbers what it meets (`[person 1]`)
    /// numbers it the same way for the same journal.
    pub fn map_room_text(&mut self, f: &mut dyn FnMut(&str) -> String) {
        let mut apply = |text: &mut String| {
            if !text.is_empty() {
                *text = f(text);
            }
        };
        for row in &mut self.timeline {
            let typed = match row.kind.as_str() {
                "note" | "notification" | "pause" | "resume" => true,
                // A free-text action or an ad-hoc inject has no id; a catalog decision
                // or a scenario inject has one.
                "decision" | "inject" => row.id.is_none(),
                _ => false,
            };
            if typed {
                apply(&mut row.text);
            }
        }
        for d in &mut self.decisions {
            if d.decision == d.title {
                apply(&mut d.decision);
                d.title = d.decision.clone();
            }
            apply(&mut d.rationale);
        }
        for m in &mut self.chart.marks {
            if m.kind == "decision" {
                apply(&mut m.label);
            }
        }
        for l in &mut self.chart.legend {
            if l.kind == "decision" {
                apply(&mut l.text);
            }
        }
        let wash = std::iter::once((
            &mut self.hot_wash.strengths,
            &mut self.hot_wash.improvements,
        ))
        .chain(
            self.hot_wash
                .by_module
                .iter_mut()
                .map(|m| (&mut m.strengths, &mut m.improvements)),
        );
        for (strengths, improvements) in wash {
            strengths
                .iter_mut()
                .chain(improvements.iter_mut())
                .for_each(&mut apply);
        }
        self.summary.strengths.iter_mut().for_each(&mut apply);
        for s in &mut self.summary.improvements {
            apply(&mut s.observation);
        }
        let findings = self.findings.iter_mut().chain(
            self.objectives
                .iter_mut()
                .flat_map(|o| o.improvements.iter_mut()),
        );
        for f in findings {
            apply(&mut f.finding.observation);
            apply(&mut f.finding.analysis);
            apply(&mut f.finding.action);
        }
        for o in &mut self.objectives {
            if let Some(reason) = &mut o.override_reason {
                apply(reason);
            }
        }
        for item in self
            .action_items
            .iter_mut()
            .chain(self.summary.top_items.iter_mut())
        {
            apply(&mut item.finding);
            apply(&mut item.action);
        }
        for q in &mut self.discussion {
            q.answers.iter_mut().for_each(|a| apply(&mut a.text));
        }
        if let Some(c) = &mut self.communication {
            c.questions.iter_mut().for_each(|q| apply(&mut q.text));
        }
        self.warnings.iter_mut().for_each(&mut apply);
    }

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
        self.summary
            .improvements
            .iter_mut()
            .for_each(|f| new(&mut f.action_item));
        self.summary
            .top_items
            .iter_mut()
            .for_each(|i| new(&mut i.id));
        self.ids = standing;
    }
}

/// A discussion question and what the room answered.
#[derive(Clone, Debug, Serialize)]
pub struct DiscussionRow {
    /// The question's number in the scenario, from 1.
    pub number: usize,
    /// The question.
    pub ask: String,
    /// The answers, in the order given (with their scenario time).
    pub answers: Vec<AnswerRow>,
    /// The title of the module it belongs to, for a scenario in modules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
}

/// One answer to a discussion question.
#[derive(Clone, Debug, Serialize)]
pub struct AnswerRow {
    /// Scenario time.
    pub at: String,
    /// The answer.
    pub text: String,
}

/// The overview of the exercise.
#[derive(Clone, Debug, Serialize)]
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
    /// Set when the journal was cut short by a crash: why, in words. The report covers
    /// what the journal acknowledged before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
    /// The scenario's summary, its lines joined.
    pub summary: String,
    /// The ATT&CK techniques the scenario exercises, with their names.
    pub threats: Vec<ThreatRow>,
    /// Further threat references (advisories, reports).
    pub references: Vec<String>,
}

/// An ATT&CK technique the scenario names.
#[derive(Clone, Debug, Serialize)]
pub struct ThreatRow {
    /// `T1078.004`.
    pub id: String,
    /// `Cloud Accounts`, or empty for an id the bundled catalog does not know.
    pub name: String,
    /// Tactics, e.g. `initial-access`.
    pub tactics: Vec<String>,
}

/// A role and the team that plays it.
#[derive(Clone, Debug, Serialize)]
pub struct RoleRow {
    /// Role id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Owning team name, or UNASSIGNED.
    pub team: String,
}

/// An objective in the report.
#[derive(Clone, Debug, Serialize)]
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
#[derive(Clone, Debug, Serialize)]
pub struct TimelineRow {
    /// Scenario time.
    pub at: String,
    /// `inject`, `decision`, `notification`, `reveal`, `note`, `pause`, `resume`, `end`.
    pub kind: String,
    /// Who: roles.
    pub who: String,
    /// What: an inject's text, a decision's title, a free-text action.
    pub text: String,
    /// The inject or catalog decision, when the row is one.
    pub id: Option<String>,
    /// The module open at the time, for a scenario in modules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// The story time, for an inject or module of a scenario that tells one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story: Option<String>,
}

/// A finding with its action item.
#[derive(Clone, Debug, Serialize)]
pub struct FindingRow {
    /// The action item that follows from it.
    pub action_item: String,
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
    /// The title of the module it was found in (its expectation's or objective's), for a
    /// scenario in modules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// The step the cited runbook section says (its first paragraph), quoted from the
    /// organisation's own runbook when its file reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runbook_step: Option<String>,
}

/// The scenario's outcome values and its scripts' output.
#[derive(Clone, Debug, Default, Serialize)]
pub struct OutcomeSection {
    /// Name and value, in the scenario's order.
    pub values: Vec<(String, String)>,
    /// Per script that printed: its name, how many lines, and the last line.
    pub prints: Vec<PrintSummary>,
}

/// What one script printed over the exercise.
#[derive(Clone, Debug, Serialize)]
pub struct PrintSummary {
    /// The script (`effect:search`, `setup`).
    pub cause: String,
    /// How many lines it printed.
    pub lines: usize,
    /// The last line it printed.
    pub last: String,
}

/// The hot wash.
#[derive(Clone, Debug, Default, Serialize)]
pub struct HotWash {
    /// Strengths.
    pub strengths: Vec<String>,
    /// Areas for improvement.
    pub improvements: Vec<String>,
    /// For a scenario in modules: what was said while each module was open (a hot wash
    /// per module), then what was said after the end, for the whole exercise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_module: Vec<ModuleWash>,
}

/// The part of the hot wash said while one module was open (or after the end).
#[derive(Clone, Debug, Default, Serialize)]
pub struct ModuleWash {
    /// The module's title; `None` for what was said after the end.
    pub module: Option<String>,
    /// Strengths.
    pub strengths: Vec<String>,
    /// Areas for improvement.
    pub improvements: Vec<String>,
}

/// A decision in the appendix.
#[derive(Clone, Debug, Serialize)]
pub struct DecisionRow {
    /// Scenario time.
    pub at: String,
    /// Role.
    pub role: String,
    /// Decision id or free-text action.
    pub decision: String,
    /// The decision's title (its id when it has none), or the free-text action.
    pub title: String,
    /// Rationale.
    pub rationale: String,
    /// Confidence.
    pub confidence: String,
    /// The inject that prompted it.
    pub prompted_by: String,
}

/// An expectation in the report's expectations table: the assessment's result with the
/// times and names a reader needs.
#[derive(Clone, Debug, Serialize)]
pub struct ExpectationRow {
    /// The assessed expectation (`id`, `role`, `decision`, `objective`, `deadline` and
    /// `taken_at` in seconds, `outcome`).
    #[serde(flatten)]
    pub result: ExpectationResult,
    /// The decision's title.
    pub decision_title: String,
    /// How long the role had, from the start or from the inject that starts the clock.
    pub within: String,
    /// The deadline, `H:MM:SS`, when it applied.
    pub deadline_at: Option<String>,
    /// When the decision was first taken, `H:MM:SS`.
    pub taken: Option<String>,
    /// The role that took it (the expected one, or the other that did).
    pub taken_by: Option<String>,
    /// The outcome in words: `met`, `late by 6m`, `missed`, `taken by comms instead`,
    /// `did not apply`, `pending`.
    pub result_text: String,
}

/// One person of the roll call.
#[derive(Clone, Debug, Serialize)]
pub struct RollCallRow {
    /// Their name from the roster (their id when the roster does not know them).
    pub name: String,
    /// The role they played, when the facilitator said.
    pub role: Option<String>,
    /// Whether they were present when the journal ends (not marked absent after).
    pub present: bool,
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
    /// The architecture and the folder its runbook paths are relative to, to quote the
    /// runbook step a finding cites.
    pub runbooks: Option<(&'a Architecture, &'a std::path::Path)>,
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
    let mut books = inputs
        .runbooks
        .map(|(arch, dir)| crate::authoring::runbook::Runbooks::new(arch, dir));
    let findings: Vec<FindingRow> = a
        .findings
        .iter()
        .zip(&a.action_items)
        .map(|(f, item)| FindingRow {
            action_item: item.id.clone(),
            finding: f.clone(),
            module: finding_module(s, f),
            runbook_step: f
                .runbook
                .as_deref()
                .zip(books.as_mut())
                .and_then(|(reference, books)| books.step(reference)),
        })
        .collect();
    let expectations: Vec<ExpectationRow> = a
        .expectations
        .iter()
        .map(|e| {
            let within = s
                .expectations
                .iter()
                .find(|x| x.id.as_str() == e.id)
                .map(|x| x.within.value);
            expectation_row(e, decision_title(s, &e.decision), within, s.clock)
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
                strengths: expectations
                    .iter()
                    .filter(|e| e.result.objective == o.id && e.result.outcome == Outcome::Met)
                    .map(strength)
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
        by_module: module_washes(s, ex.log()),
    };
    let mut roll: Vec<(String, Option<String>, bool)> = Vec::new();
    let mut answers: Vec<Vec<AnswerRow>> = s.questions.iter().map(|_| Vec::new()).collect();
    let mut timeline = Vec::new();
    let mut module: Option<String> = None;
    let mut decisions = Vec::new();
    let mut participants: Vec<String> = Vec::new();
    for t in ex.log() {
        let at = t.at.label(s.clock);
        if let Event::ModuleOpened { title, .. } = &t.event {
            module = Some(title.clone());
        }
        let row = |kind: &str, who: String, text: String, id: Option<&String>| TimelineRow {
            at: at.clone(),
            kind: kind.into(),
            who,
            text,
            id: id.cloned(),
            module: module.clone(),
            story: None,
        };
        match &t.event {
            Event::Deliver {
                inject,
                to,
                via,
                source,
                reliability,
                text,
                story,
                ..
            } => {
                let from = match (source, reliability) {
                    (Some(s), Some(r)) => format!(" ({via}, {s}, reliability {r})"),
                    _ => format!(" ({via})"),
                };
                timeline.push(TimelineRow {
                    story: story.clone(),
                    ..row(
                        "inject",
                        to.join(", "),
                        format!("{text}{from}"),
                        Some(inject),
                    )
                });
            }
            Event::ModuleOpened {
                module: id,
                title,
                briefing,
                story,
            } => {
                let text = match briefing {
                    Some(b) => format!("{title}: {b}"),
                    None => title.clone(),
                };
                timeline.push(TimelineRow {
                    story: story.clone(),
                    ..row("module", "facilitator".into(), text, Some(id))
                });
            }
            Event::Draw {
                cause,
                what,
                result,
            } if cause.starts_with("effect:") => {
                // Dice rolled and cards drawn by a move are part of the story the
                // facilitator tells (the setup's draws are in "What was really going on";
                // reveal chances and jitter are the engine's own).
                timeline.push(row(
                    "draw",
                    cause.clone(),
                    format!("{what}: {result}"),
                    None,
                ));
            }
            Event::AdHocInject { to, text } => {
                timeline.push(row("inject", to.join(", "), text.clone(), None))
            }
            Event::Decision {
                by,
                decision,
                action,
                option,
                rationale,
                confidence,
                prompted_by,
                participant,
            } => {
                let what = decision
                    .clone()
                    .or_else(|| action.clone())
                    .unwrap_or_default();
                let title = match decision {
                    Some(d) => crate::exercise::view::decision_title_with(s, d, option.as_deref()),
                    None => what.clone(),
                };
                timeline.push(row(
                    "decision",
                    by.clone(),
                    title.clone(),
                    decision.as_ref(),
                ));
                decisions.push(DecisionRow {
                    at: at.clone(),
                    role: by.clone(),
                    decision: what,
                    title,
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
                None,
            )),
            Event::Reveal { to, text, .. } => {
                timeline.push(row("reveal", to.clone(), text.clone(), None))
            }
            Event::Note { text } => {
                timeline.push(row("note", "facilitator".into(), text.clone(), None))
            }
            Event::Pause { reason } => timeline.push(row(
                "pause",
                "facilitator".into(),
                reason.clone().unwrap_or_default(),
                None,
            )),
            Event::Resume { reason } => timeline.push(row(
                "resume",
                "facilitator".into(),
                reason.clone().unwrap_or_default(),
                None,
            )),
            Event::Present { person, role } => match roll.iter_mut().find(|(p, ..)| p == person) {
                Some(entry) => {
                    entry.2 = true;
                    if role.is_some() {
                        entry.1 = role.clone();
                    }
                }
                None => roll.push((person.clone(), role.clone(), true)),
            },
            Event::Absent { person } => {
                if let Some(entry) = roll.iter_mut().find(|(p, ..)| p == person) {
                    entry.2 = false;
                }
            }
            Event::Answer { question, text } => {
                if let Some(list) = answers.get_mut(question.wrapping_sub(1)) {
                    list.push(AnswerRow {
                        at: at.clone(),
                        text: text.clone(),
                    });
                }
            }
            Event::End { .. } => {
                timeline.push(row(
                    "end",
                    "facilitator".into(),
                    "The exercise ended; hot wash.".into(),
                    None,
                ));
            }
            Event::Ended { reason, .. } => {
                timeline.push(row(
                    "end",
                    "scenario".into(),
                    format!("The scenario ended the exercise: {reason}"),
                    None,
                ));
            }
            _ => {}
        }
    }
    let discussion = s
        .questions
        .iter()
        .zip(answers)
        .enumerate()
        .map(|(i, (q, answers))| DiscussionRow {
            number: i + 1,
            ask: q.ask.trim().to_string(),
            answers,
            module: q.module.as_ref().and_then(|m| s.module_title(m.as_str())),
        })
        .collect();
    let name_of = |id: &str| -> String {
        inputs
            .roster
            .and_then(|r| r.people.iter().find(|p| p.id.as_str() == id))
            .map_or_else(|| id.to_string(), |p| p.name.clone())
    };
    // The roll call is the record of who was there; without one, the people named on
    // decisions are the best the journal knows.
    let attendees: Vec<String> = if roll.is_empty() {
        participants
    } else {
        roll.iter().map(|(p, ..)| p.clone()).collect()
    };
    let attendance = inputs.names.then(|| {
        let mut names: Vec<String> = attendees.iter().map(|id| name_of(id)).collect();
        names.sort();
        names.dedup();
        names
    });
    let roll_call = (inputs.names && !roll.is_empty()).then(|| {
        let mut rows: Vec<RollCallRow> = roll
            .iter()
            .map(|(person, role, present)| RollCallRow {
                name: name_of(person),
                role: role.clone(),
                present: *present,
            })
            .collect();
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        rows
    });
    let exercise = Overview {
        org: inputs.org.clone(),
        scenario: s.id.to_string(),
        title: s.title.clone(),
        version: s.version.value.clone(),
        sha256,
        seed,
        date,
        ended_at: ex.now().label(s.clock),
        ended: ex.ended(),
        incomplete: None,
        summary: one_paragraph(&s.summary),
        threats: s
            .threats
            .attack
            .iter()
            .map(|id| {
                let known = crate::authoring::attack::technique(&id.value);
                ThreatRow {
                    id: id.value.clone(),
                    name: known.map(|t| t.name.to_string()).unwrap_or_default(),
                    tactics: known
                        .map(|t| t.tactics.iter().map(|t| t.to_string()).collect())
                        .unwrap_or_default(),
                }
            })
            .collect(),
        references: s.threats.references.clone(),
    };
    let action_items = a.action_items.clone();
    let priority_of = |id: &str| {
        s.expectations
            .iter()
            .find(|x| x.id.as_str() == id)
            .map(|x| x.priority)
            .unwrap_or_default()
    };
    let summary = summary::build(
        &exercise,
        &expectations,
        priority_of,
        &findings,
        &hot_wash,
        &action_items,
    );
    Report {
        version: REPORT_VERSION,
        summary,
        truth: truth::build(ex),
        outcome: outcome_section(ex),
        exercise,
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
        chart: chart::build(ex, &expectations),
        expectations,
        findings,
        ids: IdStanding::Report,
        assessed_ids: a.action_items.iter().map(|i| i.id.clone()).collect(),
        action_items,
        hot_wash,
        decisions,
        latency: a.latency.clone(),
        attendance,
        roll_call,
        discussion,
        communication: conversation::section(ex, &a.knowledge, &a.questions),
        warnings: a.warnings.clone(),
        names: inputs.names,
    }
}

/// The outcome values and print summary, for a scenario that declares values; `None`
/// otherwise, so other reports read as before.
fn outcome_section(ex: &Exercise<'_>) -> Option<OutcomeSection> {
    if ex.compiled().scenario().report.is_empty() {
        return None;
    }
    let mut prints: Vec<PrintSummary> = Vec::new();
    for t in ex.log() {
        if let Event::Print { cause, text } = &t.event {
            match prints.iter_mut().find(|p| &p.cause == cause) {
                Some(p) => {
                    p.lines += 1;
                    p.last = text.clone();
                }
                None => prints.push(PrintSummary {
                    cause: cause.clone(),
                    lines: 1,
                    last: text.clone(),
                }),
            }
        }
    }
    Some(OutcomeSection {
        values: ex.outcome_values(),
        prints,
    })
}

/// The module a finding belongs to: its expectation's, else its objective's.
fn finding_module(s: &crate::authoring::model::scenario::Scenario, f: &Finding) -> Option<String> {
    let of_expectation = f.expectation.as_deref().and_then(|id| {
        s.expectations
            .iter()
            .find(|e| e.id.as_str() == id)
            .and_then(|e| e.module.as_ref())
    });
    let of_objective = || {
        f.objective.as_deref().and_then(|id| {
            s.objectives
                .iter()
                .find(|o| o.id.as_str() == id)
                .and_then(|o| o.module.as_ref())
        })
    };
    s.module_title(of_expectation.or_else(of_objective)?.as_str())
}

/// The hot wash by module: what was said while each module was open, then after the end.
/// Empty for a scenario without modules, so its report reads as before.
fn module_washes(
    s: &crate::authoring::model::scenario::Scenario,
    log: &[crate::exercise::event::Timed],
) -> Vec<ModuleWash> {
    if s.modules.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<ModuleWash> = Vec::new();
    let mut current: Option<String> = None;
    let mut ended = false;
    let part = |out: &mut Vec<ModuleWash>, module: Option<String>| -> usize {
        match out.iter().position(|w| w.module == module) {
            Some(i) => i,
            None => {
                out.push(ModuleWash {
                    module,
                    ..ModuleWash::default()
                });
                out.len() - 1
            }
        }
    };
    for t in log {
        let here = || if ended { None } else { current.clone() };
        match &t.event {
            Event::ModuleOpened { title, .. } => current = Some(title.clone()),
            Event::End {
                strengths,
                improvements,
            } => {
                ended = true;
                let i = part(&mut out, None);
                out[i].strengths.extend(strengths.iter().cloned());
                out[i].improvements.extend(improvements.iter().cloned());
            }
            Event::Ended { .. } => ended = true,
            Event::Strength { text } => {
                let i = part(&mut out, here());
                out[i].strengths.push(text.clone());
            }
            Event::Improve(imp) => {
                let i = part(&mut out, here());
                out[i].improvements.push(imp.text.clone());
            }
            _ => {}
        }
    }
    out.retain(|w| !w.strengths.is_empty() || !w.improvements.is_empty());
    out
}

/// An expectation's row: the result with its times and the outcome in words.
fn expectation_row(
    e: &ExpectationResult,
    decision_title: String,
    within: Option<crate::authoring::duration::SimDuration>,
    pace: crate::authoring::duration::Pace,
) -> ExpectationRow {
    let (taken_by, result_text) = match &e.outcome {
        Outcome::Met => (e.by.clone(), "met".to_string()),
        Outcome::Late { by } => (e.by.clone(), format!("late by {}", pace.span(*by))),
        Outcome::WrongOption { option } => (e.by.clone(), format!("chose {option}")),
        Outcome::Missed => (None, "missed".into()),
        Outcome::NotApplicable => (None, "did not apply".into()),
        Outcome::OtherRole { role } => (Some(role.clone()), format!("taken by {role} instead")),
        Outcome::Pending => (None, "pending".into()),
    };
    ExpectationRow {
        decision_title,
        within: within
            .map(|w| match e.story {
                Some(_) => format!("{w} of story"),
                None => pace.span(w),
            })
            .unwrap_or_default(),
        deadline_at: match e.story {
            Some((d, _)) => Some(format!("story +{d}")),
            None => e.deadline.map(|d| d.label(pace)),
        },
        taken: match e.story {
            Some((_, Some(t))) => e
                .taken_at
                .map(|at| format!("{} (story +{t})", at.label(pace))),
            _ => e.taken_at.map(|t| t.label(pace)),
        },
        taken_by,
        result_text,
        result: e.clone(),
    }
}

/// A met expectation as a strength, in words a reader who never saw the scenario follows.
fn strength(e: &ExpectationRow) -> String {
    match (&e.taken, &e.deadline_at) {
        (Some(at), Some(deadline)) => format!(
            "The {} role took “{}” (`{}`) at {at}, within its deadline of {deadline}.",
            e.result.role, e.decision_title, e.result.decision
        ),
        _ => format!(
            "The {} role took “{}” (`{}`) in time.",
            e.result.role, e.decision_title, e.result.decision
        ),
    }
}

/// A YAML block's lines as one paragraph.
fn one_paragraph(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
