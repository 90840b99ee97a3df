//! The improvement plan as CSV, and the rule that keeps every CSV ttx writes safe to open
//! in a spreadsheet.

use super::Report;

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
