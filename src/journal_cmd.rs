//! `ttx verify JOURNAL [--head HASH]` and `ttx replay JOURNAL`: trust and read back a
//! journal. A hash chain proves that no line was edited or reordered, not that none was
//! cut off the end or that the whole was not rewritten with a new chain; what does is a
//! head kept elsewhere: the receipt `end` prints (`--head`), and the anchor the ledger
//! records when the exercise is entered, which every command that rebuilds a journal
//! checks.

use std::path::{Path, PathBuf};

use ttx_engine::authoring::project;
use ttx_engine::exercise::event::{Event, Timed};
use ttx_engine::exercise::journal::{self, Line};
use ttx_engine::exercise::session;
use ttx_engine::exercise::{status_line, view};
use ttx_engine::program::ledger::{Ledger, identity_of};

use crate::exit::Exit;
use crate::run_cmd;

/// Reads a journal, checks its pinned scenario, and rebuilds the exercise; prints the
/// problem and returns the exit code when any step fails.
pub fn rebuild_and(
    path: &Path,
    on_success: impl FnOnce(
        &ttx_engine::exercise::state::Exercise<'_>,
        &journal::Contents,
        Vec<Timed>,
    ) -> Exit,
) -> Exit {
    if !path.is_file() {
        eprintln!("error: `{}` is not a file", path.display());
        return Exit::Usage;
    }
    let contents = match journal::read(path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Problems;
        }
    };
    let (scenario, _) = match session::start_of(&contents.lines, path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Problems;
        }
    };
    if let Err(e) = session::check_pinned(&scenario, path) {
        eprintln!("error: {e}");
        return Exit::Problems;
    }
    // The roster and architecture may have changed since (people come and go), but a pin
    // ttx would never write means the journal was forged: refuse it unread.
    if let Some(Event::Start {
        roster,
        architecture,
        ..
    }) = contents.lines.first().map(|l| &l.event)
        && let Some((pinned, why)) = roster
            .iter()
            .chain(architecture)
            .find_map(|p| session::pin_problem(p).map(|why| (p, why)))
    {
        let e = session::SessionError::PinRefused {
            journal: path.to_path_buf(),
            pinned: pinned.path.clone(),
            why,
        };
        eprintln!("error: {e}");
        return Exit::Problems;
    }
    let scenario_path = session::resolve(&scenario, path);
    let program = ttx_engine::authoring::project::find_program(
        scenario_path.parent().unwrap_or(Path::new(".")),
    )
    .and_then(|p| ttx_engine::authoring::project::ProgramDir::load(&p).ok());
    let compiled =
        match run_cmd::load_valid(&scenario_path, program.as_ref()).and_then(run_cmd::compile) {
            Ok(c) => c,
            Err(code) => return code,
        };
    if let Err(why) = check_anchor(path, &contents) {
        eprintln!("error: {}: {why}", path.display());
        return Exit::Problems;
    }
    match session::rebuild(&compiled, &contents.lines, path) {
        Ok((exercise, missing)) => on_success(&exercise, &contents, missing),
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Problems
        }
    }
}

/// The program a journal belongs to: the one above it, or, for a journal kept elsewhere
/// (handed over, in an archive), the one its pinned roster or architecture lives in.
pub fn program_of(journal: &Path, lines: &[Line]) -> Option<PathBuf> {
    project::find_program(journal.parent().unwrap_or(Path::new("."))).or_else(|| {
        let Some(Event::Start {
            roster,
            architecture,
            ..
        }) = lines.first().map(|l| &l.event)
        else {
            return None;
        };
        roster.iter().chain(architecture).find_map(|pinned| {
            if session::pin_problem(pinned).is_some() {
                return None;
            }
            let path = session::resolve(pinned, journal);
            project::find_program(path.parent()?)
        })
    })
}

/// Checks a journal against the anchor its program's ledger recorded when the exercise
/// was entered: the line the ledger saw last must still be there, with its hash.
fn check_anchor(path: &Path, contents: &journal::Contents) -> Result<(), String> {
    let Some(program) =
        program_of(path, &contents.lines).and_then(|p| project::ProgramDir::load(&p).ok())
    else {
        return Ok(());
    };
    let Ok(ledger) = Ledger::read(&program.ledger_path()) else {
        // A ledger that does not read is reported by the commands that use it.
        return Ok(());
    };
    let Some(x) = ledger.state.exercise_by_journal(&identity_of(contents)) else {
        return Ok(());
    };
    if x.anchor_holds(&contents.hashes) != Some(false) {
        return Ok(());
    }
    let (head, events) = (
        x.journal_head.clone().unwrap_or_default(),
        x.journal_events.unwrap_or_default(),
    );
    let on = x.entered_at.get(..10).unwrap_or(&x.entered_at);
    Err(format!(
        "this journal was cut or changed after it was entered in the ledger on {on}: the ledger recorded {events} events ending in line hash {}…, the journal has {} events{}",
        &head[..head.len().min(12)],
        contents.lines.len(),
        if (contents.lines.len() as u64) < events {
            " (it was cut)"
        } else {
            " and a different line there (it was rewritten)"
        }
    ))
}

/// `ttx verify`: the chain holds and a replay of the inputs reproduces every event; with
/// `head`, the journal also holds the receipt's last event unchanged.
pub fn verify(path: &Path, head: Option<&str>) -> Exit {
    rebuild_and(path, |exercise, contents, missing| {
        let lines = &contents.lines;
        if contents.torn.is_some() {
            eprintln!(
                "error: {}: the last line is cut short (a crash); `ttx run --resume {}` sets it aside and completes the journal",
                path.display(),
                path.display()
            );
            return Exit::Problems;
        }
        if !missing.is_empty() {
            eprintln!(
                "error: {}: the journal stops {} event(s) short of its last input's consequences (a crash); `ttx run --resume {}` completes it",
                path.display(),
                missing.len(),
                path.display()
            );
            return Exit::Problems;
        }
        if let Some(receipt) = head {
            let receipt = receipt.trim().to_ascii_lowercase();
            let Some(n) = contents.hashes.iter().position(|h| *h == receipt) else {
                eprintln!(
                    "error: {}: this journal does not hold the receipt's last event (line hash {receipt}): it was cut or changed after the receipt was given",
                    path.display()
                );
                return Exit::Problems;
            };
            let after = lines.len() - (n + 1);
            println!(
                "{}: the receipt's {} events are here unchanged{}",
                path.display(),
                n + 1,
                match after {
                    0 => String::new(),
                    k => format!(" ({k} added after it)"),
                }
            );
        }
        println!(
            "{}: {} events, hash chain intact, replay reproduces every event; head {}",
            path.display(),
            lines.len(),
            contents.last_hash
        );
        if !exercise.ended() {
            // A cut that took the end off leaves a journal that chains and replays: say so.
            println!(
                "{}: not ended: {} events, the last at {}; `ttx run --resume {}` continues it",
                path.display(),
                lines.len(),
                exercise.now(),
                path.display()
            );
        }
        Exit::Ok
    })
}

/// `ttx replay`: the exercise as the journal records it, and where it ended.
pub fn replay(path: &Path) -> Exit {
    rebuild_and(path, |exercise, contents, missing| {
        let log = exercise.log();
        for (i, t) in log.iter().enumerate() {
            if !missing.contains(t) {
                // A replay is read by the facilitator or an auditor: the truth is shown.
                if let Some(line) = view::facilitator_line_with(
                    t,
                    true,
                    exercise.compiled().scenario().clock,
                    || view::hot_wash_said(&log[..=i]),
                ) {
                    println!("{line}");
                }
            }
        }
        if contents.torn.is_some() || !missing.is_empty() {
            eprintln!(
                "warning: the journal was cut short by a crash; `ttx run --resume {}` completes it",
                path.display()
            );
        }
        println!(
            "{}",
            status_line::status_of(exercise, exercise.now(), None, true)
        );
        Exit::Ok
    })
}
