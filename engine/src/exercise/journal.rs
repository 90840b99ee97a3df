//! The journal: an append-only JSONL file, one event a line, each line carrying the hash
//! of the line before (a chain), written and fsync'd before the console acknowledges it,
//! with a lock file against a second writer and a torn last line set aside on resume.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::exercise::chain;
pub use crate::exercise::chain::{GENESIS, JournalError, MAX_LINE_BYTES, sha256_hex};
use crate::exercise::clock::SimTime;
use crate::exercise::event::{Event, Timed};

/// The version of the journal format this ttx writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// One line of the journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// Journal format version.
    pub v: u32,
    /// Position in the journal, from 0.
    pub seq: u64,
    /// Scenario time, seconds from the start.
    pub at: SimTime,
    /// Wall-clock time, RFC 3339. Recorded, never used for logic.
    pub wall: String,
    /// SHA-256 (hex) of the previous line's bytes.
    pub prev: String,
    /// The event.
    pub event: Event,
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> JournalError + '_ {
    move |source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A journal read back: its lines, and a torn last line if the writer crashed mid-write.
pub type Contents = chain::Contents<Line>;

/// The journal as a kind of chained file.
pub const KIND: chain::Kind = chain::Kind {
    line: "journal event",
    file: "journal",
    version: SCHEMA_VERSION,
};

impl chain::Link for Line {
    fn seq(&self) -> u64 {
        self.seq
    }
    fn prev(&self) -> &str {
        &self.prev
    }
}

/// Reads a journal and checks its chain. A last line that is cut short (no newline, or
/// not JSON) is returned as torn, not an error; anything else out of place is an error.
pub fn read(path: &Path) -> Result<Contents, JournalError> {
    chain::read(path, KIND)
}

/// How wall-clock times are stamped.
#[derive(Clone, Copy, Debug)]
pub enum WallClock {
    /// The real time of writing.
    System,
    /// A pinned start time plus scenario time, for deterministic journals and for entering
    /// a paper exercise afterwards with its real date.
    Pinned(jiff::Timestamp),
}

impl WallClock {
    fn stamp(&self, at: SimTime) -> String {
        let ts = match self {
            WallClock::System => jiff::Timestamp::now(),
            WallClock::Pinned(start) => start
                .checked_add(jiff::SignedDuration::from_secs(at.as_secs() as i64))
                .unwrap_or(*start),
        };
        // Whole seconds keep pinned journals byte-identical and real ones readable.
        ts.round(jiff::Unit::Second).unwrap_or(ts).to_string()
    }
}

/// The lock that stops a second writer: `JOURNAL.lock` holding the writer's process id.
#[derive(Debug)]
struct Lock {
    path: PathBuf,
}

impl Lock {
    fn take(journal: &Path) -> Result<(Lock, Option<u32>), JournalError> {
        let path = lock_path(journal);
        let mut stale = None;
        for _ in 0..2 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    let _ = writeln!(f, "{}", std::process::id());
                    let _ = f.sync_all();
                    return Ok((Lock { path }, stale));
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let pid = crate::authoring::file::read_bounded(&path, 64)
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok())
                        .and_then(|t| t.trim().parse::<u32>().ok())
                        .unwrap_or(0);
                    if pid != 0 && process_alive(pid) {
                        return Err(JournalError::Locked {
                            path: journal.to_path_buf(),
                            pid,
                        });
                    }
                    // The writer died (a crash): its lock is stale.
                    stale = Some(pid);
                    std::fs::remove_file(&path).map_err(io_error(&path))?;
                }
                Err(e) => return Err(io_error(&path)(e)),
            }
        }
        Err(JournalError::Locked {
            path: journal.to_path_buf(),
            pid: 0,
        })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn lock_path(journal: &Path) -> PathBuf {
    let mut name = journal.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    journal.with_file_name(name)
}

fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc_root = Path::new("/proc");
    if proc_root.is_dir() {
        return proc_root.join(pid.to_string()).exists();
    }
    // Without /proc we cannot tell; assume the other writer is alive, the safe answer.
    true
}

/// Appends events to a journal.
#[derive(Debug)]
pub struct Writer {
    path: PathBuf,
    /// Until the first lines are written: the file they are written to, renamed to
    /// `path` once they are durable, so a journal is never seen empty.
    pending: Option<PathBuf>,
    file: File,
    last_hash: String,
    seq: u64,
    fsync: bool,
    wall: WallClock,
    _lock: Lock,
}

impl Drop for Writer {
    /// A writer that never wrote leaves no file behind.
    fn drop(&mut self) {
        if let Some(pending) = self.pending.take() {
            let _ = std::fs::remove_file(pending);
        }
    }
}

/// What opening a journal for writing found.
#[derive(Debug)]
pub struct Opened {
    /// The writer, positioned after the last complete line.
    pub writer: Writer,
    /// The lines already there.
    pub lines: Vec<Line>,
    /// Warnings for the facilitator: a torn line set aside, a stale lock taken over.
    pub warnings: Vec<String>,
}

/// Held while a journal write and its sync are in hand, by every writer of the process.
static WRITING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Waits for the journal write in hand (if any) to be written and synced, and holds every
/// further write back while the returned guard lives: what a process that must exit now
/// (a server told to stop that does not) takes before it exits, so no line is torn.
pub fn quiesce() -> std::sync::MutexGuard<'static, ()> {
    WRITING.lock().unwrap_or_else(|e| e.into_inner())
}

impl Writer {
    /// Creates a new journal; it must not exist yet.
    pub fn create(path: &Path, fsync: bool, wall: WallClock) -> Result<Writer, JournalError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        }
        let (lock, _) = Lock::take(path)?;
        if std::fs::symlink_metadata(path).is_ok() {
            let empty = std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0);
            return Err(JournalError::Io {
                path: path.to_path_buf(),
                source: io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    if empty {
                        "the journal exists and is empty (an exercise stopped before its first event); delete it, or choose another --journal"
                    } else {
                        "the journal exists; resume it with --resume, or choose another --journal"
                    },
                ),
            });
        }
        // Written beside the journal and renamed once the first lines are synced: a crash
        // before then leaves no journal at all (we hold the lock, so nobody else writes
        // the pending file).
        let mut name = std::ffi::OsString::from(".");
        name.push(path.file_name().unwrap_or_default());
        name.push(".new");
        let pending = path.with_file_name(name);
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&pending)
            .map_err(io_error(&pending))?;
        Ok(Writer {
            path: path.to_path_buf(),
            pending: Some(pending),
            file,
            last_hash: GENESIS.to_string(),
            seq: 0,
            fsync,
            wall,
            _lock: lock,
        })
    }

    /// Opens an existing journal to continue it: checks the chain, sets a torn last line
    /// aside in `JOURNAL.torn` (never silently dropped), and takes over a stale lock.
    pub fn resume(path: &Path, fsync: bool, wall: WallClock) -> Result<Opened, JournalError> {
        let (lock, stale) = Lock::take(path)?;
        let contents = read(path)?;
        let mut warnings = Vec::new();
        if let Some(pid) = stale {
            warnings.push(format!(
                "took over the lock of a writer that is gone (process {pid})"
            ));
        }
        if let Some(torn) = &contents.torn {
            warnings.push(chain::set_aside(path, torn)?);
        }
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(io_error(path))?;
        file.set_len(contents.good_len).map_err(io_error(path))?;
        let mut file = file;
        use std::io::Seek;
        file.seek(io::SeekFrom::End(0)).map_err(io_error(path))?;
        Ok(Opened {
            writer: Writer {
                path: path.to_path_buf(),
                pending: None,
                file,
                last_hash: contents.last_hash,
                seq: contents.lines.len() as u64,
                fsync,
                wall,
                _lock: lock,
            },
            lines: contents.lines,
            warnings,
        })
    }

    /// Appends one event and, with fsync on, makes it durable before returning.
    pub fn append(&mut self, timed: &Timed) -> Result<(), JournalError> {
        self.append_all(std::slice::from_ref(timed))
    }

    /// Appends the events of one input with one write and, with fsync on, one sync
    /// before returning (group commit): acknowledged still means durable, and an input
    /// with many consequences costs one sync, not one per event. A crash between the
    /// write and the sync leaves a prefix of them, which resume completes.
    pub fn append_all(&mut self, events: &[Timed]) -> Result<(), JournalError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        let (mut hash, mut seq) = (self.last_hash.clone(), self.seq);
        for timed in events {
            let line = Line {
                v: SCHEMA_VERSION,
                seq,
                at: timed.at,
                wall: self.wall.stamp(timed.at),
                prev: hash,
                event: timed.event.clone(),
            };
            let one = serde_json::to_string(&line).map_err(|e| JournalError::Io {
                path: self.path.clone(),
                source: io::Error::other(e),
            })?;
            if one.len() > MAX_LINE_BYTES {
                return Err(JournalError::Io {
                    path: self.path.clone(),
                    source: io::Error::other(format!(
                        "an event of {} bytes is longer than a journal line may be ({MAX_LINE_BYTES} bytes)",
                        one.len()
                    )),
                });
            }
            hash = sha256_hex(one.as_bytes());
            seq += 1;
            text.push_str(&one);
            text.push('\n');
        }
        {
            // One input's lines are written and synced whole before a process that is
            // told to stop may exit (see [`quiesce`]).
            let _writing = WRITING.lock().unwrap_or_else(|e| e.into_inner());
            self.file
                .write_all(text.as_bytes())
                .map_err(io_error(&self.path))?;
            if self.fsync {
                self.file.sync_data().map_err(io_error(&self.path))?;
            }
            if let Some(pending) = &self.pending {
                std::fs::rename(pending, &self.path).map_err(io_error(&self.path))?;
                if self.fsync
                    && let Some(dir) = self.path.parent()
                {
                    let dir = if dir.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        dir
                    };
                    // The rename is durable once the folder is synced (where a folder
                    // can be opened to sync it).
                    if let Ok(d) = File::open(dir) {
                        let _ = d.sync_all();
                    }
                }
                self.pending = None;
            }
        }
        self.last_hash = hash;
        self.seq = seq;
        Ok(())
    }

    /// The hash of the last line written and the number of lines: a receipt.
    pub fn head(&self) -> (&str, u64) {
        (&self.last_hash, self.seq)
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ttx-journal-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("j.jsonl")
    }

    fn note(at: u64, text: &str) -> Timed {
        Timed {
            at: SimTime::from_offset(crate::authoring::duration::SimDuration::from_secs(at)),
            event: Event::Note { text: text.into() },
        }
    }

    fn pinned() -> WallClock {
        WallClock::Pinned("2026-05-14T14:00:00Z".parse().unwrap())
    }

    #[test]
    fn lines_chain_and_read_back() {
        let path = tmp("chain");
        let mut w = Writer::create(&path, false, pinned()).unwrap();
        w.append(&note(0, "a")).unwrap();
        w.append(&note(60, "b")).unwrap();
        drop(w);
        let c = read(&path).unwrap();
        assert_eq!(c.lines.len(), 2);
        assert_eq!(c.lines[0].prev, GENESIS);
        assert_eq!(c.lines[1].wall, "2026-05-14T14:01:00Z");
        assert!(c.torn.is_none());
        assert!(!lock_path(&path).exists(), "the lock goes with the writer");
    }

    #[test]
    fn the_events_of_one_input_are_written_together_and_chain() {
        let path = tmp("group");
        let mut w = Writer::create(&path, false, pinned()).unwrap();
        let events: Vec<Timed> = (0..5).map(|i| note(i, "one input")).collect();
        w.append_all(&events).unwrap();
        w.append(&note(5, "the next")).unwrap();
        assert_eq!(w.head().1, 6);
        drop(w);
        let c = read(&path).unwrap();
        assert_eq!(c.lines.len(), 6);
        assert_eq!(c.hashes.last(), Some(&c.last_hash));
    }

    #[test]
    fn an_edited_byte_breaks_the_chain() {
        let path = tmp("edit");
        let mut w = Writer::create(&path, false, pinned()).unwrap();
        for i in 0..3 {
            w.append(&note(i, "alpha")).unwrap();
        }
        drop(w);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replacen("alpha", "alphb", 1);
        std::fs::write(&path, text).unwrap();
        let err = read(&path).unwrap_err();
        assert!(
            matches!(err, JournalError::BrokenChain { line: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn a_torn_last_line_is_set_aside_on_resume() {
        let path = tmp("torn");
        let mut w = Writer::create(&path, true, pinned()).unwrap();
        w.append(&note(0, "kept")).unwrap();
        drop(w);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"v\":1,\"seq\":1,\"at\":5,\"wa").unwrap();
        drop(f);
        let opened = Writer::resume(&path, true, pinned()).unwrap();
        assert_eq!(opened.lines.len(), 1);
        assert!(
            opened.warnings[0].contains("cut short"),
            "{:?}",
            opened.warnings
        );
        let mut writer = opened.writer;
        writer.append(&note(10, "after")).unwrap();
        drop(writer);
        assert_eq!(read(&path).unwrap().lines.len(), 2);
        let aside = std::fs::read_to_string(path.with_file_name("j.jsonl.torn")).unwrap();
        assert!(aside.contains("\"seq\":1"));
    }

    /// Issue 27: a kill -9 between creating the journal and writing its start event
    /// left a 0-byte journal that neither a resume nor a new run would take.
    #[test]
    fn a_journal_appears_only_with_its_first_lines() {
        let path = tmp("atomic");
        let w = Writer::create(&path, true, pinned()).unwrap();
        // A crash now (the writer never drops) leaves no journal to trip over.
        assert!(!path.exists(), "no journal before its first line");
        std::mem::forget(w);
        assert!(!path.exists());
        let _ = std::fs::remove_file(lock_path(&path));
        let mut w = Writer::create(&path, true, pinned()).unwrap();
        w.append(&note(0, "first")).unwrap();
        assert_eq!(read(&path).unwrap().lines.len(), 1);
        w.append(&note(1, "second")).unwrap();
        drop(w);
        assert_eq!(read(&path).unwrap().lines.len(), 2);
        let err = Writer::create(&path, true, pinned())
            .unwrap_err()
            .to_string();
        assert!(err.contains("resume it with --resume"), "{err}");
        // An empty file, as older versions could leave: the refusal says what to do.
        let empty = tmp("empty");
        std::fs::write(&empty, "").unwrap();
        let err = Writer::create(&empty, true, pinned())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("is empty") && err.contains("delete it"),
            "{err}"
        );
    }

    #[test]
    fn a_second_writer_is_refused() {
        let path = tmp("lock");
        let _w = Writer::create(&path, false, pinned()).unwrap();
        let err = Writer::resume(&path, false, pinned()).unwrap_err();
        assert!(matches!(err, JournalError::Locked { .. }), "{err}");
    }

    #[test]
    fn newer_versions_are_refused() {
        let path = tmp("newer");
        std::fs::write(&path, "{\"v\":99,\"seq\":0}\n").unwrap();
        assert!(matches!(
            read(&path).unwrap_err(),
            JournalError::NewerVersion { found: 99, .. }
        ));
    }
}
