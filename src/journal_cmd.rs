//! `ttx verify JOURNAL` and `ttx replay JOURNAL`: trust and read back a journal.

use std::path::Path;

use ttx_engine::exercise::event::Timed;
use ttx_engine::exercise::journal;
use ttx_engine::exercise::session;
use ttx_engine::exercise::{status_line, view};

use crate::exit::Exit;
use crate::run_cmd;

/// Reads a journal, checks its pinned scenario, and rebuilds the exercise; prints the
/// problem and returns the exit code when any step fails.
pub fn rebuild_and(
    path: &Path,
    on_success: impl FnOnce(
        &ttx_engine::exercise::state::Exercise<'_>,
        &[journal::Line],
        Vec<Timed>,
        Option<String>,
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
        eprintln!("error: {}: {e}", path.display());
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
    match session::rebuild(&compiled, &contents.lines, path) {
        Ok((exercise, missing)) => on_success(&exercise, &contents.lines, missing, contents.torn),
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Problems
        }
    }
}

/// `ttx verify`: the chain holds and a replay of the inputs reproduces every event.
pub fn verify(path: &Path) -> Exit {
    rebuild_and(path, |_, lines, missing, torn| {
        if torn.is_some() {
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
        println!(
            "{}: {} events, hash chain intact, replay reproduces every event",
            path.display(),
            lines.len()
        );
        Exit::Ok
    })
}

/// `ttx replay`: the exercise as the journal records it, and where it ended.
pub fn replay(path: &Path) -> Exit {
    rebuild_and(path, |exercise, _, missing, torn| {
        for t in exercise.log() {
            if !missing.contains(t) {
                // A replay is read by the facilitator or an auditor: the truth is shown.
                if let Some(line) = view::facilitator_line(t, true) {
                    println!("{line}");
                }
            }
        }
        if torn.is_some() || !missing.is_empty() {
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
