//! `ttx verify JOURNAL [--head HASH]` and `ttx replay JOURNAL`: trust and read back a
//! journal. A hash chain proves that no line was edited or reordered, not that none was
//! cut off the end or that the whole was not rewritten with a new chain; what does is a
//! head kept elsewhere: the receipt `end` prints (`--head`), and the anchor the ledger
//! records when the exercise is entered, which every command that rebuilds a journal
//! checks.

use std::path::Path;

use ttx_engine::exercise::{status_line, view};
use ttx_engine::program::record::{Analysis, Record, RecordError, Replayed};

use crate::exit::Exit;
use crate::output;

/// Opens a journal on record ([`Record::open`]); prints why not and returns the exit code.
pub fn open(path: &Path) -> Result<Record, Exit> {
    Record::open(path).map_err(refused)
}

/// Prints why a journal cannot be read back, and gives the exit code.
pub fn refused(e: RecordError) -> Exit {
    match e {
        RecordError::NotAFile(_) => {
            eprintln!("error: {e}");
            Exit::Usage
        }
        RecordError::Invalid(report) => {
            output::print_diagnostics(&report.diagnostics, &report.sources);
            eprintln!("the scenario has errors; fix them to read the journal back");
            Exit::Problems
        }
        e => {
            eprintln!("error: {e}");
            Exit::Problems
        }
    }
}

/// Opens and replays a journal, then hands both to `on_success`; prints the problem and
/// returns the exit code when any step fails.
pub fn rebuild_and(path: &Path, on_success: impl FnOnce(&Record, &Replayed<'_>) -> Exit) -> Exit {
    let record = match open(path) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match record.replay() {
        Ok(replayed) => on_success(&record, &replayed),
        Err(e) => refused(e),
    }
}

/// Opens, replays and assesses a journal into its report ([`Record::analyze`]), printing
/// the assessment's warnings; problems are printed and returned as the exit code.
pub fn analyze(path: &Path, names: bool) -> Result<Analysis, Exit> {
    let analysis = open(path)?.analyze(names).map_err(refused)?;
    for w in &analysis.warnings {
        eprintln!("warning: {}: {w}", path.display());
    }
    Ok(analysis)
}

/// `ttx verify`: the chain holds and a replay of the inputs reproduces every event; with
/// `head`, the journal also holds the receipt's last event unchanged.
pub fn verify(path: &Path, head: Option<&str>) -> Exit {
    rebuild_and(path, |record, replayed| {
        let (exercise, contents, missing) =
            (&replayed.exercise, &record.contents, &replayed.missing);
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
    rebuild_and(path, |record, replayed| {
        let (exercise, contents, missing) =
            (&replayed.exercise, &record.contents, &replayed.missing);
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
