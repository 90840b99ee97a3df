//! `ttx show SCENARIO`: the facilitator's preview.

use std::fmt::Write as _;
use std::path::Path;

use ttx_engine::authoring::msel::{self, Msel};

use crate::Format;
use crate::exit::Exit;
use crate::output::table;

/// Validates the scenario, then prints its MSEL and catalog.
pub fn run(path: &Path, format: Format) -> Exit {
    let loaded = match crate::validate_cmd::valid_scenario(path, "to preview it") {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let msel = msel::build(&loaded.value);
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&msel).unwrap_or_default()
        ),
        Format::Text => print!("{}", render(&msel)),
    }
    Exit::Ok
}

/// The text preview.
fn render(m: &Msel) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}: {} ({})\n",
        m.id,
        m.version,
        m.title,
        m.pace.span(m.duration)
    );
    let _ = writeln!(out, "MSEL");
    let rows: Vec<Vec<String>> = m
        .injects
        .iter()
        .map(|i| {
            vec![
                i.timing.clone(),
                i.id.clone(),
                i.to.join(", "),
                i.via.clone(),
                match (&i.source, &i.reliability) {
                    (Some(s), Some(r)) => format!("{s} ({r})"),
                    (Some(s), None) => s.clone(),
                    _ => "-".into(),
                },
                i.flags.join("; "),
            ]
        })
        .collect();
    table(
        &mut out,
        &[
            "TIME",
            "INJECT",
            "TO",
            "VIA",
            "SOURCE (RELIABILITY)",
            "FLAGS",
        ],
        &rows,
    );
    let _ = writeln!(out, "\nINJECT TEXT");
    for i in &m.injects {
        let _ = writeln!(out, "  {}: {}", i.id, i.text.replace('\n', " "));
        if let Some(n) = &i.notes {
            let _ = writeln!(out, "    facilitator: {}", n.replace('\n', " "));
        }
    }
    let _ = writeln!(out, "\nDECISIONS");
    let rows: Vec<Vec<String>> = m
        .decisions
        .iter()
        .map(|d| {
            vec![
                d.id.clone(),
                d.by.join(", "),
                if d.reveals.is_empty() {
                    "-".into()
                } else {
                    d.reveals.join(", ")
                },
                d.requires_handoff.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    table(
        &mut out,
        &["DECISION", "BY", "REVEALS", "REQUIRES HANDOFF"],
        &rows,
    );
    let _ = writeln!(out, "\nEXPECTATIONS");
    let rows: Vec<Vec<String>> = m
        .expectations
        .iter()
        .map(|e| {
            vec![
                e.deadline.clone(),
                e.id.clone(),
                e.role.clone(),
                e.decision.clone(),
                e.objective.clone(),
                format!("{}/{}", e.element, e.priority),
                e.when
                    .clone()
                    .map(|w| format!("if {w}"))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    table(
        &mut out,
        &[
            "BY",
            "EXPECTATION",
            "ROLE",
            "DECISION",
            "OBJECTIVE",
            "ELEMENT/PRIORITY",
            "CONDITION",
        ],
        &rows,
    );
    if !m.questions.is_empty() {
        let _ = writeln!(out, "\nQUESTIONS");
        // Numbered as the console's `answer N` and a sheet's `answer: {question: N}` name them.
        for (n, q) in m.questions.iter().enumerate() {
            let _ = writeln!(out, "  {}. [{}] {}", n + 1, q.when, q.ask);
        }
    }
    out
}
