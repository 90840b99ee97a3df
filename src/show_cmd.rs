//! `ttx show SCENARIO`: the facilitator's preview.

use std::fmt::Write as _;
use std::path::Path;

use ttx_engine::authoring::load;
use ttx_engine::authoring::model::architecture::Architecture;
use ttx_engine::authoring::msel::{self, Msel};
use ttx_engine::authoring::project::{self, ProgramDir};
use ttx_engine::authoring::runbook;
use ttx_engine::authoring::schema::FileKind;

use crate::Format;
use crate::exit::Exit;
use crate::output::table;

/// Validates the scenario, then prints its MSEL and catalog.
pub fn run(path: &Path, format: Format) -> Exit {
    let loaded = match crate::validate_cmd::valid_scenario(path, "to preview it") {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let mut msel = msel::build(&loaded.value);
    // The organisation's own procedure, beside the expectations that cite it.
    // The program of the working folder (where `ttx validate` looks), else the scenario's.
    let program = project::find_program(Path::new("."))
        .or_else(|| project::find_program(path.parent().unwrap_or(Path::new("."))))
        .and_then(|p| ProgramDir::load(&p).ok());
    if let Some(program) = program
        && let Ok(arch) = load::load_file::<Architecture>(
            FileKind::Architecture,
            &program.architecture_path(),
            program.max_file_bytes(),
        )
    {
        let dir = program.architecture_path();
        let dir = dir.parent().unwrap_or(Path::new("."));
        msel::quote_runbooks(&mut msel, &runbook::cited(&loaded.value, &arch.value, dir));
    }
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
    let steps: Vec<_> = m
        .expectations
        .iter()
        .filter(|e| e.runbook.is_some())
        .collect();
    if !steps.is_empty() {
        let _ = writeln!(out, "\nRUNBOOK STEPS");
        for e in steps {
            let runbook = e.runbook.as_deref().unwrap_or_default();
            match &e.step {
                Some(step) => {
                    let _ = writeln!(out, "  {} ({runbook}): {step}", e.id);
                }
                None => {
                    let _ = writeln!(out, "  {} ({runbook})", e.id);
                }
            }
        }
    }
    if !m.questions.is_empty() {
        let _ = writeln!(out, "\nQUESTIONS");
        // Numbered as the console's `answer N` and a sheet's `answer: {question: N}` name them.
        for (n, q) in m.questions.iter().enumerate() {
            let _ = writeln!(out, "  {}. [{}] {}", n + 1, q.when, q.ask);
        }
    }
    out
}
