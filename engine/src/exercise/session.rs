//! A session: an exercise bound to its journal. Every event is written (and fsync'd)
//! before the input is acknowledged; a journal can be resumed after a crash, verified, and
//! replayed, because the engine regenerates every output from the recorded inputs.

use std::path::{Path, PathBuf};

use crate::exercise::clock::SimTime;
use crate::exercise::event::{Event, FileRef, Timed};
use crate::exercise::journal::{self, JournalError, Line, WallClock, Writer};
use crate::exercise::state::{Compiled, Exercise, Files, Refusal};

/// Why a session could not go on.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The journal could not be read or written.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The engine refused an input.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// An input of the journal that the engine refuses on replay.
    #[error(
        "{path}:{line}: the engine refuses the journal's input at event {seq} on replay: {refusal}; the engine took it when the exercise was played, so the journal was edited after (its hash chain recomputed) or played by another version of ttx"
    )]
    RefusedOnReplay {
        /// The journal.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// Event number.
        seq: u64,
        /// Why the engine refuses it.
        refusal: Refusal,
    },
    /// Replaying the journal's inputs does not give the journal's events.
    #[error(
        "{path}:{line}: the journal differs from a replay of its inputs at event {seq}: the journal has {found}, the replay gives {expected}"
    )]
    Diverged {
        /// The journal.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// Event number.
        seq: u64,
        /// What the journal holds.
        found: String,
        /// What the replay produced.
        expected: String,
    },
    /// A file the journal pins has changed.
    #[error(
        "{journal}:1: the start event pins {}, which has changed since the exercise started (its SHA-256 was {pinned}, now {now}); restore it to resume, verify or replay", path.display()
    )]
    FileChanged {
        /// The journal.
        journal: PathBuf,
        /// The file.
        path: PathBuf,
        /// Hash in the journal.
        pinned: String,
        /// Hash now.
        now: String,
    },
    /// A file the journal's start event pins cannot be read within bounds (a device, a
    /// FIFO, a folder, a huge file: the journal is untrusted).
    #[error(
        "{journal}:1: the start event pins `{pinned}`, which cannot be read: {problem}; restore the file the exercise was played with"
    )]
    Pinned {
        /// The journal.
        journal: PathBuf,
        /// The path as the journal names it.
        pinned: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The journal's start event pins something ttx never pins: an absolute path, or a
    /// file that is not YAML. It is neither read nor hashed, so a journal from elsewhere
    /// cannot make ttx disclose anything about a file of this machine.
    #[error(
        "{journal}:1: the start event pins `{pinned}`, {why}: ttx pins the exercise's scenario, architecture and roster by their path relative to the journal, and this journal was edited or not written by ttx; restore the journal the exercise wrote"
    )]
    PinRefused {
        /// The journal.
        journal: PathBuf,
        /// The path as the journal names it.
        pinned: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// The journal does not start with a start event.
    #[error("{0}: a journal starts with a `start` event")]
    NoStart(PathBuf),
    /// The journal holds nothing: a ttx before journals were created whole was stopped
    /// between creating the file and writing its first event.
    #[error(
        "{0}: the journal is empty: its exercise stopped before its first event was written, so nothing was acknowledged and there is nothing to resume; delete the file and start the exercise again"
    )]
    Empty(PathBuf),
}

/// An exercise being played into a journal.
pub struct Session<'c> {
    /// The exercise.
    pub exercise: Exercise<'c>,
    writer: Writer,
}

/// The largest file a journal may pin (a scenario, architecture or roster): the largest
/// `limits.max_file_bytes` allows a program to load is the program's business; this bound
/// keeps a hostile journal's pinned path from streaming without end.
pub const MAX_PINNED_BYTES: u64 = 64 * 1024 * 1024;

/// Pins a file by hash, with its path relative to the journal's folder.
pub fn file_ref(file: &Path, journal: &Path) -> std::io::Result<FileRef> {
    let bytes = crate::authoring::file::read_bounded(file, MAX_PINNED_BYTES)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
    Ok(FileRef {
        path: relative_to(file, journal.parent().unwrap_or(Path::new("."))),
        sha256: journal::sha256_hex(&bytes),
    })
}

/// `file` as a path relative to the folder `base`, with forward slashes.
pub fn relative_to(file: &Path, base: &Path) -> String {
    let file = crate::authoring::paths::normalize(file);
    let base = crate::authoring::paths::normalize(base);
    let f: Vec<_> = file.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = f.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for part in &f[common..] {
        out.push(part);
    }
    out.to_string_lossy().replace('\\', "/")
}

/// Where a pinned file is, from the journal's folder.
pub fn resolve(pinned: &FileRef, journal: &Path) -> PathBuf {
    journal
        .parent()
        .unwrap_or(Path::new("."))
        .join(&pinned.path)
}

/// Why a pinned path is one ttx would never have written, if it is: ttx pins YAML files
/// by their path relative to the journal.
pub fn pin_problem(pinned: &FileRef) -> Option<&'static str> {
    let path = Path::new(&pinned.path);
    if path.has_root() || path.is_absolute() || pinned.path.contains('\0') {
        return Some("an absolute path");
    }
    let yaml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    (!yaml).then_some("which is not a YAML file")
}

/// Checks that a pinned file is one ttx would pin and still has its hash.
pub fn check_pinned(pinned: &FileRef, journal: &Path) -> Result<(), SessionError> {
    check_pinned_with(pinned, journal, |path| {
        crate::authoring::file::read_bounded(path, MAX_PINNED_BYTES)
    })
}

/// [`check_pinned`], reading the file with `read` (a reader that keeps what it read, so
/// the bytes whose hash is checked are the bytes then used).
pub fn check_pinned_with<B: AsRef<[u8]>>(
    pinned: &FileRef,
    journal: &Path,
    read: impl FnOnce(&Path) -> Result<B, crate::authoring::file::ReadError>,
) -> Result<(), SessionError> {
    if let Some(why) = pin_problem(pinned) {
        return Err(SessionError::PinRefused {
            journal: journal.to_path_buf(),
            pinned: pinned.path.clone(),
            why,
        });
    }
    let path = resolve(pinned, journal);
    let bytes = read(&path).map_err(|e| SessionError::Pinned {
        journal: journal.to_path_buf(),
        pinned: pinned.path.clone(),
        problem: e.to_string(),
    })?;
    let now = journal::sha256_hex(bytes.as_ref());
    if now != pinned.sha256 {
        return Err(SessionError::FileChanged {
            journal: journal.to_path_buf(),
            path,
            pinned: pinned.sha256.clone(),
            now,
        });
    }
    Ok(())
}

/// The start event of a journal's lines.
pub fn start_of(lines: &[Line], path: &Path) -> Result<(FileRef, u64), SessionError> {
    match lines.first().map(|l| &l.event) {
        Some(Event::Start { scenario, seed, .. }) => Ok((scenario.clone(), *seed)),
        None => Err(SessionError::Empty(path.to_path_buf())),
        _ => Err(SessionError::NoStart(path.to_path_buf())),
    }
}

impl<'c> Session<'c> {
    /// Starts an exercise into a new journal.
    pub fn begin(
        compiled: &'c Compiled,
        seed: u64,
        files: Files,
        path: &Path,
        fsync: bool,
        wall: WallClock,
    ) -> Result<(Session<'c>, Vec<Timed>), SessionError> {
        let mut writer = Writer::create(path, fsync, wall)?;
        let (exercise, events) = Exercise::start(compiled, seed, files);
        writer.append_all(&events)?;
        Ok((Session { exercise, writer }, events))
    }

    /// Resumes an exercise from its journal: rebuilds it by replaying the recorded inputs,
    /// checks that the replay gives the recorded events, and writes what a crash cut off
    /// (outputs of the last input that were never written). Returns the events written
    /// now and warnings for the facilitator.
    pub fn resume(
        compiled: &'c Compiled,
        path: &Path,
        fsync: bool,
        wall: WallClock,
    ) -> Result<(Session<'c>, Vec<Timed>, Vec<String>), SessionError> {
        let opened = Writer::resume(path, fsync, wall)?;
        let (exercise, missing) = rebuild(compiled, &opened.lines, path)?;
        let mut writer = opened.writer;
        writer.append_all(&missing)?;
        Ok((Session { exercise, writer }, missing, opened.warnings))
    }

    /// Applies an input and writes every resulting event before returning them.
    pub fn apply(&mut self, input: Event) -> Result<Vec<Timed>, SessionError> {
        let events = self.exercise.apply(input)?;
        self.writer.append_all(&events)?;
        Ok(events)
    }

    /// The journal's receipt so far: the hash of its last line and its number of events.
    pub fn head(&self) -> (&str, u64) {
        self.writer.head()
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        self.writer.path()
    }
}

/// Replays a journal's inputs through a fresh exercise, comparing every event the replay
/// produces with the journal's. Returns the rebuilt exercise and the events the replay
/// produced beyond the end of the journal (what a crash cut off).
pub fn rebuild<'c>(
    compiled: &'c Compiled,
    lines: &[Line],
    path: &Path,
) -> Result<(Exercise<'c>, Vec<Timed>), SessionError> {
    let (scenario, seed) = start_of(lines, path)?;
    let (architecture, roster) = match &lines[0].event {
        Event::Start {
            architecture,
            roster,
            ..
        } => (architecture.clone(), roster.clone()),
        _ => (None, None),
    };
    let (mut exercise, first) = Exercise::start(
        compiled,
        seed,
        Files {
            scenario,
            architecture,
            roster,
        },
    );
    let mut pending: std::collections::VecDeque<Timed> = first.into();
    let mut i = 0;
    loop {
        if let Some(expected) = pending.pop_front() {
            match lines.get(i) {
                Some(line) => {
                    if !line.event.replays_as(&expected.event) || line.at != expected.at {
                        return Err(diverged(path, line, &expected));
                    }
                    i += 1;
                }
                None => {
                    pending.push_front(expected);
                    break;
                }
            }
            continue;
        }
        let Some(line) = lines.get(i) else { break };
        if !line.event.is_input() {
            return Err(SessionError::Diverged {
                path: path.to_path_buf(),
                line: i + 1,
                seq: line.seq,
                found: describe(&line.event, line.at),
                expected: "nothing (the replay produces no such event here)".into(),
            });
        }
        if matches!(line.event, Event::Advance { .. }) || exercise.now() == line.at {
            let applied = exercise.apply(line.event.clone()).map_err(|refusal| {
                // The engine took this input when it was played; refusing it now means the
                // journal was edited (its chain recomputed).
                SessionError::RefusedOnReplay {
                    path: path.to_path_buf(),
                    line: i + 1,
                    seq: line.seq,
                    refusal,
                }
            })?;
            pending.extend(applied);
        } else {
            return Err(SessionError::Diverged {
                path: path.to_path_buf(),
                line: i + 1,
                seq: line.seq,
                found: describe(&line.event, line.at),
                expected: format!("an input at {}", exercise.now()),
            });
        }
    }
    Ok((exercise, pending.into_iter().collect()))
}

fn describe(e: &Event, at: SimTime) -> String {
    let json = serde_json::to_string(e).unwrap_or_default();
    format!("{json} at {at}")
}

fn diverged(path: &Path, line: &Line, expected: &Timed) -> SessionError {
    SessionError::Diverged {
        path: path.to_path_buf(),
        line: line.seq as usize + 1,
        seq: line.seq,
        found: describe(&line.event, line.at),
        expected: describe(&expected.event, expected.at),
    }
}
