//! Files read once: a [`Files`] that keeps the bytes of every file it reads, so that one
//! command that needs a file for several purposes (its pin's hash, its validation, its
//! model) reads it from disk once, and every purpose sees the same bytes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::authoring::diagnostic::Diagnostic;
use crate::authoring::file::{ReadError, read_bounded, read_diagnostic};
use crate::authoring::paths::normalize;
use crate::authoring::source::SourceFile;
use crate::authoring::validate::Files;

/// Why a file did not read, kept to be told again (an I/O error is not `Clone`).
#[derive(Debug)]
enum Failure {
    NotAFile,
    TooLarge,
    Io(std::io::ErrorKind, String),
}

/// What reading a file gave.
type Outcome = Result<Arc<[u8]>, Failure>;

/// Reads each file from disk at most once, within one bound, and hands out its bytes.
pub struct ReadOnce {
    bound: u64,
    read: Mutex<HashMap<PathBuf, Outcome>>,
}

impl ReadOnce {
    /// A reader that refuses any file larger than `bound` bytes (the largest bound any
    /// of its callers asks for; each call may ask for less).
    pub fn new(bound: u64) -> ReadOnce {
        ReadOnce {
            bound,
            read: Mutex::new(HashMap::new()),
        }
    }

    /// The bytes of `path`, read from disk the first time only; refused when larger
    /// than `limit`.
    pub fn bytes(&self, path: &Path, limit: u64) -> Result<Arc<[u8]>, ReadError> {
        let key = normalize(path);
        // Held while reading, so two threads asking for one file read it once; nothing
        // called here takes this lock again.
        let mut read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        let outcome = read.entry(key).or_insert_with(|| {
            read_bounded(path, self.bound)
                .map(Arc::from)
                .map_err(|e| match e {
                    ReadError::NotAFile(_) => Failure::NotAFile,
                    ReadError::TooLarge { .. } => Failure::TooLarge,
                    ReadError::Io { source, .. } => Failure::Io(source.kind(), source.to_string()),
                })
        });
        let too_large = || ReadError::TooLarge {
            path: path.to_path_buf(),
            limit: limit.min(self.bound),
        };
        match outcome {
            Ok(bytes) if bytes.len() as u64 > limit => Err(too_large()),
            Ok(bytes) => Ok(bytes.clone()),
            Err(Failure::NotAFile) => Err(ReadError::NotAFile(path.to_path_buf())),
            Err(Failure::TooLarge) => Err(too_large()),
            Err(Failure::Io(kind, message)) => Err(ReadError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::new(*kind, message.clone()),
            }),
        }
    }

    /// How many distinct files were asked for.
    #[cfg(test)]
    fn files(&self) -> usize {
        self.read.lock().map_or(0, |r| r.len())
    }
}

impl Files for ReadOnce {
    fn read(&self, path: &Path, max_bytes: u64) -> Result<SourceFile, Diagnostic> {
        let bytes = self
            .bytes(path, max_bytes)
            .map_err(|e| read_diagnostic(path, e, max_bytes))?;
        SourceFile::from_bytes(path.to_path_buf(), bytes.to_vec())
    }

    fn exists(&self, path: &Path) -> bool {
        path.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ttx-read-once-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_file_is_read_once_and_its_later_changes_are_not_seen() {
        let dir = tmp("once");
        let path = dir.join("a.yaml");
        std::fs::write(&path, "id: one\n").unwrap();
        let once = ReadOnce::new(1024);
        assert_eq!(&*once.bytes(&path, 1024).unwrap(), b"id: one\n");
        std::fs::write(&path, "id: two\n").unwrap();
        // The same bytes for every purpose of one command, even if the file changes.
        assert_eq!(&*once.bytes(&path, 1024).unwrap(), b"id: one\n");
        assert_eq!(once.read(&path, 1024).unwrap().text, "id: one\n");
        assert_eq!(once.files(), 1);
    }

    #[test]
    fn each_call_has_its_own_limit_and_a_missing_file_stays_missing() {
        let dir = tmp("limits");
        let path = dir.join("a.yaml");
        std::fs::write(&path, "0123456789").unwrap();
        let once = ReadOnce::new(1024);
        assert!(matches!(
            once.bytes(&path, 4),
            Err(ReadError::TooLarge { limit: 4, .. })
        ));
        assert!(once.bytes(&path, 10).is_ok());
        let missing = dir.as_path().join("gone.yaml");
        for _ in 0..2 {
            match once.bytes(&missing, 10) {
                Err(ReadError::Io { source, .. }) => {
                    assert_eq!(source.kind(), std::io::ErrorKind::NotFound)
                }
                other => panic!("expected not found, got {other:?}"),
            }
        }
        assert!(matches!(
            once.bytes(dir.as_path(), 10),
            Err(ReadError::NotAFile(_))
        ));
        let small = ReadOnce::new(4);
        assert!(matches!(
            small.bytes(&path, 100),
            Err(ReadError::TooLarge { limit: 4, .. })
        ));
    }
}
