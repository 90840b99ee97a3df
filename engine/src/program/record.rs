//! An exercise on record: a journal read back with everything it stands on (the scenario
//! it pinned, validated and compiled; the program it belongs to, with its roster and
//! architecture; the ledger's word on it), each file read once. Every command that reads
//! an exercise back (`verify`, `replay`, `report`, `publish`, `actions add`, and the
//! `--resume` of `run` and `serve`) opens one, so they all trust, refuse and assess a
//! journal by the same rules.

use std::path::{Path, PathBuf};

use crate::assessment::assess;
use crate::assessment::report::{self, IdStanding, Report};
use crate::authoring::load::{self, Loaded};
use crate::authoring::model::architecture::Architecture;
use crate::authoring::model::program::Sla;
use crate::authoring::model::roster::Roster;
use crate::authoring::model::scenario::Scenario;
use crate::authoring::paths::normalize;
use crate::authoring::project::{self, ProgramDir};
use crate::authoring::read_once::ReadOnce;
use crate::authoring::schema::FileKind;
use crate::authoring::source::DEFAULT_MAX_FILE_BYTES;
use crate::authoring::validate::{self, Files};
use crate::exercise::event::{Event, FileRef, Timed};
use crate::exercise::journal::{self, Contents, JournalError, Line};
use crate::exercise::session::{self, MAX_PINNED_BYTES, SessionError};
use crate::exercise::state::{Compiled, Exercise};
use crate::program::ledger::{self, Anchor, Ledger};

/// A journal and everything it stands on, read once and checked.
pub struct Record {
    /// The journal's path.
    pub journal: PathBuf,
    /// Its lines, chain checked.
    pub contents: Contents,
    /// The scenario it pinned, unchanged, validated and compiled.
    pub compiled: Compiled,
    /// The program it belongs to: the one above it, or the one its pinned roster or
    /// architecture lives in ([`program_of`]).
    pub program: Option<ProgramDir>,
    /// The roster it pinned, when still unchanged; else the program's, when it loads.
    pub roster: Option<Roster>,
    /// The program's architecture, when it loads.
    pub architecture: Option<Architecture>,
    /// The program's ledger, when it exists and reads (a ledger that does not read is
    /// reported by the commands that change it).
    pub ledger: Option<Ledger>,
}

/// Why a journal cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The path is not a file.
    #[error("`{}` is not a file", .0.display())]
    NotAFile(PathBuf),
    /// The journal does not read, or its chain is broken.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Its start event, a pinned file or its replay is wrong.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The pinned scenario has errors (or its scripts do not compile).
    #[error("the scenario has errors")]
    Invalid(Box<validate::Report>),
    /// The journal no longer holds what the ledger entered.
    #[error("{}: {why}", journal.display())]
    Anchor {
        /// The journal.
        journal: PathBuf,
        /// What the ledger recorded and what the journal holds.
        why: String,
    },
}

/// A journal's exercise, rebuilt by replaying its inputs.
pub struct Replayed<'c> {
    /// The exercise as the journal records it.
    pub exercise: Exercise<'c>,
    /// The events the replay gives beyond the journal's end (what a crash cut off).
    pub missing: Vec<Timed>,
}

/// A journal, replayed and assessed into its report.
pub struct Analysis {
    /// The report (ids from the ledger when it has entered the exercise, provisional
    /// ones when it has not; the room's words as typed).
    pub report: Report,
    /// What the assessment warns of.
    pub warnings: Vec<String>,
    /// SHA-256 of the journal's first line: the exercise's identity in the ledger.
    pub identity: String,
    /// The journal's last line and length, for the ledger to anchor it.
    pub anchor: Anchor,
    /// Why the journal is cut short by a crash, when it is: what is assessed is only
    /// what was acknowledged.
    pub cut_short: Option<String>,
    /// The program the journal belongs to.
    pub program: Option<ProgramDir>,
    /// The roster the report's teams come from.
    pub roster: Option<Roster>,
    /// The program's architecture.
    pub architecture: Option<Architecture>,
}

impl Record {
    /// Reads a journal and what it stands on, each file once: checks its chain, refuses a
    /// pin ttx would never write, checks the pinned scenario's hash, validates it in its
    /// program and compiles it, and checks the journal against the anchor the ledger
    /// recorded when it was entered.
    pub fn open(path: &Path) -> Result<Record, RecordError> {
        if !path.is_file() {
            return Err(RecordError::NotAFile(path.to_path_buf()));
        }
        let contents = journal::read(path)?;
        let (scenario, _) = session::start_of(&contents.lines, path)?;
        let (pinned_roster, pinned_architecture) = pins(&contents.lines);
        // The roster and architecture may have changed since (people come and go), but
        // a pin ttx would never write means the journal was forged: refuse it unread.
        if let Some((pinned, why)) = pinned_roster
            .iter()
            .chain(&pinned_architecture)
            .find_map(|p| session::pin_problem(p).map(|why| (p, why)))
        {
            return Err(SessionError::PinRefused {
                journal: path.to_path_buf(),
                pinned: pinned.path.clone(),
                why,
            }
            .into());
        }
        let files = ReadOnce::new(MAX_PINNED_BYTES);
        let pinned_bytes = |p: &Path| files.bytes(p, MAX_PINNED_BYTES);
        session::check_pinned_with(&scenario, path, pinned_bytes)?;
        let scenario_path = session::resolve(&scenario, path);

        let program = program_of(path, &contents.lines).and_then(|p| load_program(&files, &p));
        // The scenario is validated in the program it lives in, or else the journal's
        // (a library scenario is played in the program whose sheet or console named it).
        let near = project::find_program(scenario_path.parent().unwrap_or(Path::new(".")));
        let elsewhere = near
            .filter(|n| {
                program
                    .as_ref()
                    .is_none_or(|p| normalize(&p.root) != normalize(n.parent().unwrap_or(n)))
            })
            .and_then(|n| load_program(&files, &n));
        let checked_in = elsewhere.as_ref().or(program.as_ref());
        let loaded = valid_scenario(&files, &scenario_path, checked_in)?;
        let compiled = Compiled::new(loaded).map_err(|diagnostics| invalid(diagnostics, None))?;

        let roster = pinned_roster
            .as_ref()
            .filter(|p| session::check_pinned_with(p, path, pinned_bytes).is_ok())
            .and_then(|p| {
                let at = session::resolve(p, path);
                model::<Roster>(&files, FileKind::Roster, &at, DEFAULT_MAX_FILE_BYTES)
            })
            .or_else(|| {
                let p = program.as_ref()?;
                model::<Roster>(
                    &files,
                    FileKind::Roster,
                    &p.roster_path(),
                    p.max_file_bytes(),
                )
            });
        let architecture = program.as_ref().and_then(|p| {
            model::<Architecture>(
                &files,
                FileKind::Architecture,
                &p.architecture_path(),
                p.max_file_bytes(),
            )
        });
        let ledger = program
            .as_ref()
            .map(ProgramDir::ledger_path)
            .filter(|l| l.exists())
            .and_then(|l| Ledger::read(&l).ok());
        if let Some(l) = &ledger {
            check_anchor(l, &contents).map_err(|why| RecordError::Anchor {
                journal: path.to_path_buf(),
                why,
            })?;
        }
        Ok(Record {
            journal: path.to_path_buf(),
            contents,
            compiled,
            program,
            roster,
            architecture,
            ledger,
        })
    }

    /// Replays the journal's inputs through a fresh exercise, comparing every event the
    /// replay gives with the journal's.
    pub fn replay(&self) -> Result<Replayed<'_>, RecordError> {
        let (exercise, missing) =
            session::rebuild(&self.compiled, &self.contents.lines, &self.journal)?;
        Ok(Replayed { exercise, missing })
    }

    /// Why the journal is cut short by a crash (a torn last line, or events missing
    /// after its last input), when it is.
    pub fn cut_short(&self, replayed: &Replayed<'_>) -> Option<String> {
        if self.contents.torn.is_some() {
            Some("its last line is cut short (a crash)".to_string())
        } else if !replayed.missing.is_empty() {
            Some(format!(
                "it stops {} event(s) short of its last input's consequences (a crash)",
                replayed.missing.len()
            ))
        } else {
            None
        }
    }

    /// SHA-256 of the journal's first line: the exercise's identity in the ledger.
    pub fn identity(&self) -> String {
        ledger::identity_of(&self.contents)
    }

    /// Replays and assesses the journal into its report, its items named by the ids the
    /// ledger gives them (or would give them if it were entered now). `names` lists the
    /// participants in an attendance section.
    pub fn analyze(self, names: bool) -> Result<Analysis, RecordError> {
        let (report, warnings, cut_short) = {
            let replayed = self.replay()?;
            let lines = &self.contents.lines;
            let date = lines
                .first()
                .and_then(|l| l.wall.get(..10))
                .and_then(|d| d.parse::<jiff::civil::Date>().ok())
                .unwrap_or_default();
            let sla = self
                .program
                .as_ref()
                .map_or_else(Sla::default, |p| p.program.value.sla.clone());
            let assessment = assess::assess(
                &replayed.exercise,
                &assess::Context {
                    roster: self.roster.as_ref(),
                    sla,
                    date,
                },
            );
            // Runbook paths are relative to the architecture file.
            let runbook_dir = self
                .program
                .as_ref()
                .and_then(|p| p.architecture_path().parent().map(Path::to_path_buf));
            let inputs = report::Inputs {
                lines,
                org: self
                    .program
                    .as_ref()
                    .map_or_else(String::new, |p| p.program.value.org.clone()),
                roster: self.roster.as_ref(),
                names,
                runbooks: self.architecture.as_ref().zip(runbook_dir.as_deref()),
            };
            let mut report = report::build(&replayed.exercise, &assessment, &inputs);
            if let Some(l) = &self.ledger {
                let (ids, entered) = ledger::ids_for(&l.state, &report, &self.identity());
                let standing = if entered {
                    IdStanding::Ledger
                } else {
                    IdStanding::Provisional
                };
                report.use_ids(&ids, standing);
            }
            let cut_short = self.cut_short(&replayed);
            (report, assessment.warnings, cut_short)
        };
        Ok(Analysis {
            report,
            warnings,
            identity: self.identity(),
            anchor: Anchor::of(&self.contents),
            cut_short,
            program: self.program,
            roster: self.roster,
            architecture: self.architecture,
        })
    }
}

/// The program a journal belongs to: the one above it, or, for a journal kept elsewhere
/// (handed over, in an archive), the one its pinned roster or architecture lives in.
pub fn program_of(journal: &Path, lines: &[Line]) -> Option<PathBuf> {
    project::find_program(journal.parent().unwrap_or(Path::new("."))).or_else(|| {
        let (roster, architecture) = pins(lines);
        roster.iter().chain(&architecture).find_map(|pinned| {
            if session::pin_problem(pinned).is_some() {
                return None;
            }
            let path = session::resolve(pinned, journal);
            project::find_program(path.parent()?)
        })
    })
}

/// The roster and architecture a journal's start event pinned.
fn pins(lines: &[Line]) -> (Option<FileRef>, Option<FileRef>) {
    match lines.first().map(|l| &l.event) {
        Some(Event::Start {
            roster,
            architecture,
            ..
        }) => (roster.clone(), architecture.clone()),
        _ => (None, None),
    }
}

fn load_program(files: &ReadOnce, path: &Path) -> Option<ProgramDir> {
    let source = files.read(path, DEFAULT_MAX_FILE_BYTES).ok()?;
    ProgramDir::from_source(path, source).ok()
}

/// A file's model, read through `files`, when it loads (its problems are
/// `ttx validate`'s to report).
fn model<T: serde::de::DeserializeOwned>(
    files: &ReadOnce,
    kind: FileKind,
    path: &Path,
    max_bytes: u64,
) -> Option<T> {
    validate::load_through::<T>(files, kind, path, max_bytes)
        .ok()
        .map(|l| l.value)
}

/// The scenario at `path`, validated in `program` and loaded, from the bytes whose hash
/// was checked.
fn valid_scenario(
    files: &ReadOnce,
    path: &Path,
    program: Option<&ProgramDir>,
) -> Result<Loaded<Scenario>, RecordError> {
    let max = program.map_or(DEFAULT_MAX_FILE_BYTES, ProgramDir::max_file_bytes);
    let source = files.read(path, max).map_err(|d| invalid(vec![d], None))?;
    let report = validate::validate_source(source.clone(), FileKind::Scenario, program, files);
    if report.errors() > 0 {
        return Err(RecordError::Invalid(Box::new(report)));
    }
    load::load_source::<Scenario>(FileKind::Scenario, source)
        .map_err(|f| invalid(f.diagnostics, f.source))
}

/// The problems of a scenario that does not load or compile, with its text for snippets
/// when there is one.
fn invalid(
    diagnostics: Vec<crate::authoring::diagnostic::Diagnostic>,
    source: Option<crate::authoring::source::SourceFile>,
) -> RecordError {
    let mut report = validate::Report {
        diagnostics,
        files: 1,
        ..validate::Report::default()
    };
    if let Some(s) = source {
        report.sources.insert(s.path.clone(), s);
    }
    RecordError::Invalid(Box::new(report))
}

/// Checks a journal against the anchor its program's ledger recorded when the exercise
/// was entered: the line the ledger saw last must still be there, with its hash.
fn check_anchor(ledger: &Ledger, contents: &Contents) -> Result<(), String> {
    let entered = ledger
        .state
        .exercise_by_journal(&ledger::identity_of(contents));
    match entered.map(|x| anchor_verdict(x, contents)) {
        Some(Anchored::Broken(why)) => Err(why),
        _ => Ok(()),
    }
}

/// What a journal holds of the anchor the ledger recorded when it entered the exercise.
#[derive(Debug, PartialEq, Eq)]
pub enum Anchored {
    /// Entered before ledgers kept anchors: nothing to compare.
    NotAnchored,
    /// The line the ledger saw last is there, with its hash.
    Holds,
    /// It is gone (the journal was cut) or different (rewritten): what is wrong.
    Broken(String),
}

/// Checks a journal the ledger entered as `x` against the anchor recorded then.
pub fn anchor_verdict(x: &ledger::ExerciseRecord, contents: &Contents) -> Anchored {
    match x.anchor_holds(&contents.hashes) {
        None => return Anchored::NotAnchored,
        Some(true) => return Anchored::Holds,
        Some(false) => {}
    }
    let (head, events) = (
        x.journal_head.clone().unwrap_or_default(),
        x.journal_events.unwrap_or_default(),
    );
    let on = x.entered_at.get(..10).unwrap_or(&x.entered_at);
    Anchored::Broken(format!(
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
