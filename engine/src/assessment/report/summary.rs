//! The executive summary: what an executive reads on the first page. The scenario in two
//! sentences, the ratings (the template shows the objectives), the most important
//! strengths and areas for improvement, and the action items that come first.

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use super::{ExpectationRow, FindingRow, HotWash, Overview};
use crate::assessment::assess::{ActionItem, Outcome};
use crate::authoring::model::Priority;

/// How many strengths and areas for improvement the summary names.
const HIGHLIGHTS: usize = 3;
/// How many action items the summary lists.
const TOP_ITEMS: usize = 5;

/// The executive summary.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// The scenario in (at most) two sentences: the first two of its summary.
    pub scenario: String,
    /// Expectations met in time.
    pub met: usize,
    /// Expectations that applied in this run (met, late, missed, taken by another role).
    pub applied: usize,
    /// The most important strengths, at most three: expectations of critical or high
    /// priority met, then what the room named in the hot wash, then other expectations met.
    pub strengths: Vec<String>,
    /// The most important areas for improvement, at most three: the findings by priority,
    /// in the assessment's order within a priority.
    pub improvements: Vec<SummaryFinding>,
    /// How many action items there are of each priority, most urgent first (priorities
    /// without items left out).
    pub items_by_priority: Vec<PriorityCount>,
    /// The action items to start with, at most five: by priority, then due date, then id.
    pub top_items: Vec<ActionItem>,
}

/// An area for improvement in the summary.
#[derive(Clone, Debug, Serialize)]
pub struct SummaryFinding {
    /// What happened.
    pub observation: String,
    /// Its priority.
    pub priority: Priority,
    /// The action item that follows from it.
    pub action_item: String,
}

/// The number of action items of one priority.
#[derive(Clone, Debug, Serialize)]
pub struct PriorityCount {
    /// The priority.
    pub priority: Priority,
    /// How many items have it.
    pub count: usize,
}

/// Builds the summary from the report's parts. `priorities` gives each expectation's
/// priority by id.
pub(super) fn build(
    exercise: &Overview,
    expectations: &[ExpectationRow],
    priority_of: impl Fn(&str) -> Priority,
    findings: &[FindingRow],
    hot_wash: &HotWash,
    items: &[ActionItem],
) -> Summary {
    let met: Vec<&ExpectationRow> = expectations
        .iter()
        .filter(|e| e.result.outcome == Outcome::Met)
        .collect();
    let urgent = |e: &&&ExpectationRow| priority_of(&e.result.id) <= Priority::High;
    let strengths = met
        .iter()
        .filter(urgent)
        .map(|e| super::strength(e))
        .chain(hot_wash.strengths.iter().cloned())
        .chain(
            met.iter()
                .filter(|e| !urgent(e))
                .map(|e| super::strength(e)),
        )
        .take(HIGHLIGHTS)
        .collect();
    let mut ranked: Vec<&FindingRow> = findings.iter().collect();
    ranked.sort_by_key(|f| f.finding.priority);
    let improvements = ranked
        .into_iter()
        .take(HIGHLIGHTS)
        .map(|f| SummaryFinding {
            observation: f.finding.observation.clone(),
            priority: f.finding.priority,
            action_item: f.action_item.clone(),
        })
        .collect();
    let items_by_priority = [
        Priority::Critical,
        Priority::High,
        Priority::Medium,
        Priority::Low,
    ]
    .into_iter()
    .map(|priority| PriorityCount {
        priority,
        count: items.iter().filter(|i| i.priority == priority).count(),
    })
    .filter(|c| c.count > 0)
    .collect();
    let mut top: Vec<&ActionItem> = items.iter().collect();
    top.sort_by(|a, b| (a.priority, &a.due, &a.id).cmp(&(b.priority, &b.due, &b.id)));
    Summary {
        scenario: two_sentences(&exercise.summary),
        met: met.len(),
        applied: expectations
            .iter()
            .filter(|e| !matches!(e.result.outcome, Outcome::NotApplicable | Outcome::Pending))
            .count(),
        strengths,
        improvements,
        items_by_priority,
        top_items: top.into_iter().take(TOP_ITEMS).cloned().collect(),
    }
}

/// The first two sentences of a text (Unicode sentence boundaries, so "e.g. a" does not
/// end one).
fn two_sentences(text: &str) -> String {
    text.split_sentence_bounds()
        .take(2)
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::two_sentences;

    #[test]
    fn the_scenario_in_two_sentences() {
        assert_eq!(
            two_sentences("Refunds spike. Is it fraud? The truth is drawn."),
            "Refunds spike. Is it fraud?"
        );
        assert_eq!(two_sentences("One sentence only"), "One sentence only");
        assert_eq!(
            two_sentences("A ransom note, e.g. a text file, appears. Then more. And more."),
            "A ransom note, e.g. a text file, appears. Then more."
        );
        assert_eq!(two_sentences(""), "");
    }
}
