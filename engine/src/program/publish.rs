//! Anonymized findings for the whole organisation: per exercise a summary, what happened
//! and what is being done about it (with the ledger's status), and one page across
//! exercises (trends, repeat findings). Every text goes through the [`Scrubber`]; the
//! rendered pages then go through its leak check, and nothing is written unless all pass.

use serde::Serialize;

use crate::assessment::assess::FindingKind;
use crate::assessment::report::{Report, TemplateError, render_template};
use crate::program::anonymize::{Leak, Scrubber, html_text};
use crate::program::leak_check::Needles;
use crate::program::ledger::State;
use crate::program::status::{Decline, HalfYear, ProgramStatus, Relapse, Repeat};

/// The Markdown template of every page.
pub const MD_TEMPLATE: &str = include_str!("../../../reports/publication.md.j2");
/// The HTML template of every page.
pub const HTML_TEMPLATE: &str = include_str!("../../../reports/publication.html.j2");

/// One exercise, as published.
#[derive(Clone, Debug, Serialize)]
pub struct PublishedExercise {
    /// File name without extension, e.g. `2026-05-14-payments-credential-leak`.
    pub slug: String,
    /// Scenario title.
    pub title: String,
    /// Scenario id.
    pub scenario: String,
    /// Scenario version.
    pub version: String,
    /// Day.
    pub date: String,
    /// Roles that took part, with their team (or its pseudonym).
    pub roles: Vec<(String, String)>,
    /// Objectives, capability and rating.
    pub objectives: Vec<PublishedObjective>,
    /// What went well.
    pub strengths: Vec<String>,
    /// What happened, facts only, in order.
    pub happened: Vec<Happening>,
    /// Decisions with their rationale.
    pub decisions: Vec<Happening>,
    /// The gaps found.
    pub findings: Vec<String>,
    /// What we are doing about it.
    pub actions: Vec<PublishedAction>,
    /// Items done, of all.
    pub done: usize,
    /// Whether the status comes from the program's ledger (otherwise: as reported).
    pub tracked: bool,
    /// The exercise never ended (published on purpose with `--include-unfinished`): the
    /// findings that would give away its hidden truth are left out.
    pub unfinished: bool,
}

/// An objective's result.
#[derive(Clone, Debug, Serialize)]
pub struct PublishedObjective {
    /// The objective.
    pub text: String,
    /// Capability.
    pub capability: String,
    /// Rating, or none.
    pub rating: Option<String>,
}

/// A line of what happened.
#[derive(Clone, Debug, Serialize)]
pub struct Happening {
    /// Scenario time.
    pub at: String,
    /// inject, decision, reveal, note…
    pub kind: String,
    /// Roles.
    pub who: String,
    /// Text, scrubbed.
    pub text: String,
}

/// An action item, as published.
#[derive(Clone, Debug, Serialize)]
pub struct PublishedAction {
    /// Ledger id (or the report's, when the exercise is not in the ledger).
    pub id: String,
    /// The finding.
    pub finding: String,
    /// The corrective action.
    pub action: String,
    /// Owning team, or its pseudonym.
    pub owner: String,
    /// Priority.
    pub priority: String,
    /// Due date.
    pub due: String,
    /// open, in-progress, done, wont-fix.
    pub status: String,
}

/// The page across exercises.
#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    /// The organisation.
    pub org: String,
    /// The published exercises.
    pub exercises: Vec<PublishedExercise>,
    /// Capabilities rated.
    pub capabilities: Vec<String>,
    /// Trends by half-year, over the published exercises that are in the ledger.
    pub trends: Vec<HalfYear>,
    /// Repeat findings among them, scrubbed.
    pub repeat_findings: Vec<Repeat>,
    /// Gaps back after their item was marked done, scrubbed.
    pub relapses: Vec<Relapse>,
    /// Capabilities rated worse than in the exercise before, scrubbed.
    pub declines: Vec<Decline>,
}

/// A page ready to write.
#[derive(Debug)]
pub struct Page {
    /// File name in the output folder.
    pub file: String,
    /// Contents.
    pub text: String,
}

/// An exercise's report, with its ledger identity, ready to publish.
pub struct Source<'a> {
    /// The report (built without names).
    pub report: &'a Report,
    /// The exercise id in the ledger, if it entered.
    pub exercise: Option<String>,
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Builds one exercise's published form.
pub fn exercise(src: &Source<'_>, state: &State, scrub: &mut Scrubber) -> PublishedExercise {
    let r = src.report;
    let mut s = |t: &str| scrub.scrub(t);
    let objectives = r
        .objectives
        .iter()
        .map(|o| PublishedObjective {
            text: s(&o.text),
            capability: s(&o.capability),
            rating: o.rating.clone(),
        })
        .collect();
    let mut strengths: Vec<String> = r
        .objectives
        .iter()
        .flat_map(|o| o.strengths.iter())
        .map(|t| s(t))
        .collect();
    strengths.extend(r.hot_wash.strengths.iter().map(|t| s(t)));
    let happened = r
        .timeline
        .iter()
        .map(|t| Happening {
            at: t.at.clone(),
            kind: t.kind.clone(),
            who: s(&t.who),
            text: s(&t.text),
        })
        .collect();
    let decisions = r
        .decisions
        .iter()
        .map(|d| Happening {
            at: d.at.clone(),
            kind: s(&d.decision),
            who: s(&d.role),
            text: s(&d.rationale),
        })
        .collect();
    // An exercise that never ended may be played on: nothing that gives its hidden truth
    // away (which inject was a red herring, which facts stayed hidden) is published.
    let unfinished = !r.exercise.ended;
    let secret = |k: &FindingKind| {
        unfinished && matches!(k, FindingKind::RedHerring | FindingKind::FactNeverUncovered)
    };
    let findings = r
        .findings
        .iter()
        .filter(|f| !secret(&f.finding.kind))
        .map(|f| s(&f.finding.observation))
        .collect();
    let tracked = src.exercise.is_some();
    let actions: Vec<PublishedAction> = match &src.exercise {
        Some(x) => state
            .items_of(x)
            .map(|i| PublishedAction {
                id: i.record.id.clone(),
                finding: scrub.scrub(&i.record.finding),
                action: scrub.scrub(&i.record.action),
                owner: scrub.team(&i.owner),
                priority: i.record.priority.as_str().into(),
                due: i.due.to_string(),
                status: i.status.as_str().into(),
            })
            .collect(),
        None => r
            .action_items
            .iter()
            .zip(&r.findings)
            .filter(|(_, f)| !secret(&f.finding.kind))
            .map(|(i, _)| PublishedAction {
                id: i.id.clone(),
                finding: scrub.scrub(&i.finding),
                action: scrub.scrub(&i.action),
                owner: scrub.team(&i.owner),
                priority: i.priority.as_str().into(),
                due: i.due.clone(),
                status: i.status.clone(),
            })
            .collect(),
    };
    let roles = r
        .roles
        .iter()
        .map(|x| (scrub.scrub(&x.title), scrub.team(&x.team)))
        .collect();
    PublishedExercise {
        slug: {
            let name = src
                .exercise
                .as_deref()
                .map(|x| scrub.scrub(x))
                .unwrap_or_else(|| r.exercise.scenario.clone());
            if name.starts_with(&r.exercise.date) {
                slug(&name)
            } else {
                slug(&format!("{}-{name}", r.exercise.date))
            }
        },
        title: scrub.scrub(&r.exercise.title),
        scenario: r.exercise.scenario.clone(),
        version: r.exercise.version.clone(),
        date: r.exercise.date.clone(),
        roles,
        objectives,
        strengths,
        happened,
        decisions,
        findings,
        unfinished,
        done: actions.iter().filter(|a| a.status == "done").count(),
        actions,
        tracked,
    }
}

/// The page across exercises: the program status of the published exercises.
pub fn overview(
    org: &str,
    exercises: Vec<PublishedExercise>,
    status: &ProgramStatus,
    scrub: &mut Scrubber,
) -> Overview {
    Overview {
        org: org.to_string(),
        exercises,
        capabilities: status.capabilities.clone(),
        trends: status.trends.clone(),
        repeat_findings: status
            .repeat_findings
            .iter()
            .map(|r| Repeat {
                finding: scrub.scrub(&r.finding),
                exercises: r.exercises.iter().map(|x| scrub.scrub(x)).collect(),
                ..r.clone()
            })
            .collect(),
        relapses: status
            .relapses
            .iter()
            .map(|r| Relapse {
                finding: scrub.scrub(&r.finding),
                exercise: scrub.scrub(&r.exercise),
                ..r.clone()
            })
            .collect(),
        declines: status
            .declines
            .iter()
            .map(|d| Decline {
                exercise: scrub.scrub(&d.exercise),
                previous_exercise: scrub.scrub(&d.previous_exercise),
                ..d.clone()
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct Context<'a> {
    page: &'a str,
    overview: &'a Overview,
    exercise: Option<&'a PublishedExercise>,
}

/// Renders every page: `index.md`, `index.html` and two per exercise.
pub fn render(overview: &Overview) -> Result<Vec<Page>, TemplateError> {
    let mut pages = Vec::new();
    let mut one = |page: &str, exercise: Option<&PublishedExercise>, file: &str| {
        let ctx = Context {
            page,
            overview,
            exercise,
        };
        for (ext, name, text, html) in [
            ("md", "publication.md.j2", MD_TEMPLATE, false),
            ("html", "publication.html.j2", HTML_TEMPLATE, true),
        ] {
            pages.push(Page {
                file: format!("{file}.{ext}"),
                text: render_template(name, text, &ctx, html)?,
            });
        }
        Ok::<(), TemplateError>(())
    };
    one("index", None, "index")?;
    for x in &overview.exercises {
        one("exercise", Some(x), &x.slug)?;
    }
    Ok(pages)
}

/// The leak checks over every page: where each surviving identifier is, by the
/// scrubber's own matchers and by the independent second check.
pub fn leaks(pages: &[Page], scrub: &Scrubber, second: &Needles) -> Vec<(String, Leak)> {
    let mut out = Vec::new();
    for p in pages {
        let text = if p.file.ends_with(".html") {
            html_text(&p.text)
        } else {
            p.text.clone()
        };
        out.extend(scrub.leaks(&text).into_iter().map(|l| (p.file.clone(), l)));
        // The second check reads the page as it is written, not as the first one does.
        let found = second.find(&p.text, p.file.ends_with(".html"));
        out.extend(found.into_iter().map(|l| (p.file.clone(), l)));
    }
    out.sort_by(|a, b| (&a.0, a.1.line, a.1.col).cmp(&(&b.0, b.1.line, b.1.col)));
    out.dedup_by(|a, b| a.0 == b.0 && a.1.line == b.1.line && a.1.found == b.1.found);
    out
}
