//! Hash-chained JSONL files, shared by the journal and the ledger: every line carries the
//! SHA-256 of the line before and its position, so an edited byte, a removed line or a
//! reordering is caught on reading; a torn last line (a crash mid-write, never
//! acknowledged) is told apart from damage and set aside rather than dropped.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use sha2::{Digest, Sha256};

/// The `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Why a journal could not be read, written or trusted.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The file is not a regular file, or larger than [`MAX_CHAINED_BYTES`].
    #[error(transparent)]
    Bounded(#[from] crate::authoring::file::ReadError),
    /// The file system said no.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// Another process holds the lock.
    #[error("{path} is being written by another ttx (process {pid}); wait for it to finish")]
    Locked {
        /// The journal.
        path: PathBuf,
        /// The other writer.
        pid: u32,
    },
    /// A line that is not a journal event or ledger entry (other than a torn last line).
    #[error("{path}:{line}: not a {what}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What a line should be, e.g. `journal event`.
        what: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A line from a newer ttx.
    #[error(
        "{path}:{line}: written by a newer ttx ({format} format {found}; this ttx reads {reads}); upgrade ttx to read it"
    )]
    NewerVersion {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The file kind, e.g. `journal`.
        format: &'static str,
        /// The newest version this ttx reads.
        reads: u32,
        /// The version found.
        found: u64,
    },
    /// The chain is broken: a line was edited, removed or reordered.
    #[error(
        "{path}:{line}: the hash chain is broken ({message}); the {what} was edited, reordered or cut"
    )]
    BrokenChain {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The file kind, e.g. `journal`.
        what: &'static str,
        /// Which link failed.
        message: String,
    },
}

/// SHA-256 of bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What kind of chained file is being read, for messages and version checks.
#[derive(Clone, Copy, Debug)]
pub struct Kind {
    /// What one line is, e.g. `journal event`.
    pub line: &'static str,
    /// The file kind, e.g. `journal`.
    pub file: &'static str,
    /// The newest format version this ttx reads.
    pub version: u32,
}

/// A line of a chained file: it knows its position and its predecessor's hash.
pub trait Link: DeserializeOwned {
    /// Position from 0.
    fn seq(&self) -> u64;
    /// SHA-256 (hex) of the previous line's bytes.
    fn prev(&self) -> &str;
}

/// A chained file read back.
#[derive(Debug)]
pub struct Contents<L> {
    /// The complete, chained lines.
    pub lines: Vec<L>,
    /// The hash of the last complete line.
    pub last_hash: String,
    /// The hash of every complete line, in order: where a receipt or an anchor is found.
    pub hashes: Vec<String>,
    /// Bytes after the last complete line, if any.
    pub torn: Option<String>,
    /// Byte length of the complete lines.
    pub good_len: u64,
}

/// Parses a chained file's bytes and checks the chain. A last line that is cut short (no
/// newline, or not JSON) is returned as torn, not an error; anything else out of place is.
pub fn parse<L: Link>(bytes: &[u8], path: &Path, kind: Kind) -> Result<Contents<L>, JournalError> {
    let mut lines: Vec<L> = Vec::new();
    let mut prev = GENESIS.to_string();
    let mut hashes = Vec::new();
    let mut offset = 0usize;
    let mut torn = None;
    let mut number = 0usize;
    while offset < bytes.len() {
        number += 1;
        let rest = &bytes[offset..];
        let (raw, complete) = match rest.iter().position(|b| *b == b'\n') {
            Some(i) => (&rest[..i], true),
            None => (rest, false),
        };
        let parsed = std::str::from_utf8(raw)
            .map_err(|e| e.to_string())
            .and_then(|text| {
                serde_json::from_str::<serde_json::Value>(text).map_err(|e| e.to_string())
            });
        let is_last = offset + raw.len() + usize::from(complete) >= bytes.len();
        let malformed = |message: String| JournalError::Malformed {
            path: path.to_path_buf(),
            line: number,
            what: kind.line,
            // serde_json counts lines inside the JSON text, which is always one line here.
            message: match message.rsplit_once(" at line 1 column ") {
                Some((what, col)) => format!("{what} at column {col}"),
                None => message,
            },
        };
        if raw.len() > MAX_LINE_BYTES {
            return Err(malformed(format!(
                "the line is {} bytes long, more than a line may be ({MAX_LINE_BYTES} bytes)",
                raw.len()
            )));
        }
        if complete && raw.ends_with(b"\r") {
            return Err(malformed(
                "the line ends with a carriage return: the file was saved with Windows line endings (CRLF), which changes every line's hash; convert it back to LF (`dos2unix`, or your editor's line-ending setting) and try again".into(),
            ));
        }
        let value = match parsed {
            Ok(v) if complete => v,
            Ok(_) | Err(_) if is_last => {
                torn = Some(String::from_utf8_lossy(raw).into_owned());
                break;
            }
            Ok(_) => return Err(malformed("a line without its newline".into())),
            Err(message) => return Err(malformed(message)),
        };
        let version = value
            .get("v")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        if version > u64::from(kind.version) {
            return Err(JournalError::NewerVersion {
                path: path.to_path_buf(),
                line: number,
                format: kind.file,
                reads: kind.version,
                found: version,
            });
        }
        let line: L = serde_json::from_value(value).map_err(|e| malformed(e.to_string()))?;
        let broken = |message: String| JournalError::BrokenChain {
            path: path.to_path_buf(),
            line: number,
            what: kind.file,
            message,
        };
        if line.prev() != prev {
            return Err(broken(if number == 1 {
                "the first line must start the chain".to_string()
            } else {
                format!("its `prev` does not match the hash of line {}", number - 1)
            }));
        }
        if line.seq() != lines.len() as u64 {
            return Err(broken(format!(
                "expected seq {}, found {}",
                lines.len(),
                line.seq()
            )));
        }
        prev = sha256_hex(raw);
        hashes.push(prev.clone());
        lines.push(line);
        offset += raw.len() + 1;
    }
    Ok(Contents {
        hashes,
        lines,
        last_hash: prev,
        torn,
        good_len: offset.min(bytes.len()) as u64,
    })
}

/// Reads and parses a chained file.
pub fn read<L: Link>(path: &Path, kind: Kind) -> Result<Contents<L>, JournalError> {
    let bytes = crate::authoring::file::read_bounded(path, MAX_CHAINED_BYTES)?;
    parse(&bytes, path, kind)
}

/// The longest line of a journal or ledger: an event is far smaller (free text from the
/// room is bounded by the console, script output per call by the sandbox).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// The largest journal or ledger ttx reads: far beyond any exercise (a 10,000-event
/// journal is about 2 MiB), small enough that a hostile file cannot exhaust memory.
pub const MAX_CHAINED_BYTES: u64 = 256 * 1024 * 1024;

/// Keeps a torn last line in `FILE.torn` (appended, fsync'd) so that nothing is silently
/// dropped, and returns the warning for the user.
pub fn set_aside(path: &Path, torn: &str) -> Result<String, JournalError> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".torn");
    let aside: PathBuf = path.with_file_name(name);
    let io = |source: io::Error| JournalError::Io {
        path: aside.clone(),
        source,
    };
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&aside)
        .map_err(io)?;
    writeln!(f, "{torn}").map_err(io)?;
    f.sync_all().map_err(io)?;
    Ok(format!(
        "the last line of {} was cut short by a crash; it was never acknowledged and is kept in {}",
        path.display(),
        aside.display()
    ))
}
