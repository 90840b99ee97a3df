//! A journal turned into its assessed report: the one path from evidence to findings that
//! `report`, `actions add` and `publish` share.

use std::path::Path;

use ttx_engine::assessment::assess;
use ttx_engine::assessment::report::{self, Report};
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::program::Sla;
use ttx_engine::authoring::model::roster::Roster;
use ttx_engine::authoring::project::ProgramDir;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::exercise::event::Event;
use ttx_engine::exercise::journal::Line;
use ttx_engine::exercise::session;

use crate::exit::Exit;
use crate::journal_cmd;

/// A journal, replayed, verified and assessed.
pub struct Analyzed {
    /// The report's context.
    pub report: Report,
    /// The program the journal belongs to, if one is found upward from it.
    pub program: Option<ProgramDir>,
    /// The roster the journal pinned (or the program's).
    pub roster: Option<Roster>,
    /// SHA-256 of the journal's first line: the exercise's identity in the ledger.
    pub identity: String,
    /// The journal's last line and length, for the ledger to anchor it.
    pub anchor: ttx_engine::program::ledger::Anchor,
    /// Why the journal is cut short by a crash (a torn last line, or events missing after
    /// its last input), when it is: what is assessed is only what was acknowledged.
    pub cut_short: Option<String>,
}

/// Replays and assesses a journal; problems are printed and returned as the exit code.
pub fn analyze(journal: &Path, names: bool) -> Result<Analyzed, Exit> {
    let mut out = None;
    let code = journal_cmd::rebuild_and(journal, |ex, contents, missing| {
        let lines = &contents.lines;
        let program =
            journal_cmd::program_of(journal, lines).and_then(|p| ProgramDir::load(&p).ok());
        let roster = pinned_roster(lines, journal).or_else(|| {
            program
                .as_ref()
                .and_then(|p| {
                    load::load_file::<Roster>(
                        FileKind::Roster,
                        &p.roster_path(),
                        p.max_file_bytes(),
                    )
                    .ok()
                })
                .map(|l| l.value)
        });
        let date = lines
            .first()
            .and_then(|l| l.wall.get(..10))
            .and_then(|d| d.parse::<ttx_engine::jiff::civil::Date>().ok())
            .unwrap_or_default();
        let sla = program
            .as_ref()
            .map_or_else(Sla::default, |p| p.program.value.sla.clone());
        let assessment = assess::assess(
            ex,
            &assess::Context {
                roster: roster.as_ref(),
                sla,
                date,
            },
        );
        for w in &assessment.warnings {
            eprintln!("warning: {}: {w}", journal.display());
        }
        let inputs = report::Inputs {
            lines,
            org: program
                .as_ref()
                .map_or_else(String::new, |p| p.program.value.org.clone()),
            roster: roster.as_ref(),
            names,
        };
        let mut report = report::build(ex, &assessment, &inputs);
        let identity = ttx_engine::program::ledger::identity_of(contents);
        if let Some(p) = &program {
            ledger_ids(&mut report, &p.ledger_path(), &identity);
        }
        out = Some(Analyzed {
            report,
            program,
            roster,
            identity,
            anchor: ttx_engine::program::ledger::Anchor::of(contents),
            cut_short: if contents.torn.is_some() {
                Some("its last line is cut short (a crash)".to_string())
            } else if !missing.is_empty() {
                Some(format!(
                    "it stops {} event(s) short of its last input's consequences (a crash)",
                    missing.len()
                ))
            } else {
                None
            },
        });
        Exit::Ok
    });
    out.ok_or(code)
}

/// Gives a report the ids its items have in the program's ledger (or would have if it
/// were entered now), so the report, the ledger and everything made from them name an
/// item by one id. A ledger that does not read leaves the report's ids (its problem is
/// reported by the commands that use the ledger).
pub fn ledger_ids(report: &mut Report, ledger: &Path, identity: &str) {
    if !ledger.exists() {
        return;
    }
    let Ok(l) = ttx_engine::program::ledger::Ledger::read(ledger) else {
        return;
    };
    let (ids, entered) = ttx_engine::program::ledger::ids_for(&l.state, report, identity);
    let standing = if entered {
        report::IdStanding::Ledger
    } else {
        report::IdStanding::Provisional
    };
    report.use_ids(&ids, standing);
}

/// The roster the journal pinned, if it is still there unchanged.
fn pinned_roster(lines: &[Line], journal: &Path) -> Option<Roster> {
    let Some(Event::Start {
        roster: Some(pinned),
        ..
    }) = lines.first().map(|l| &l.event)
    else {
        return None;
    };
    session::check_pinned(pinned, journal).ok()?;
    let path = session::resolve(pinned, journal);
    load::load_file::<Roster>(
        FileKind::Roster,
        &path,
        ttx_engine::authoring::source::DEFAULT_MAX_FILE_BYTES,
    )
    .ok()
    .map(|l| l.value)
}
