//! Reading files from disk within limits. [`read_bounded`] is the one reader every file
//! ttx opens goes through, whoever names it (the command line, `ttx.yaml`, a journal's
//! pinned paths): regular files only (a device, FIFO, socket or folder is refused before
//! it is opened, so nothing hangs or streams forever) and a size bound enforced while
//! reading. An author's file is then checked as text: UTF-8 only, no NUL bytes, a
//! byte-order mark dropped; each refusal is a diagnostic that says where and how to fix it.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::authoring::diagnostic::{Code, Diagnostic};
use crate::authoring::source::{Pos, SourceFile, pos_in};

/// Why a file could not be read within bounds.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not a regular file.
    #[error(
        "`{0}` is not a regular file (a folder, device, FIFO or socket); ttx reads regular files only"
    )]
    NotAFile(PathBuf),
    /// Larger than the bound.
    #[error("`{path}` is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The bound.
        limit: u64,
    },
    /// The file system refused.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Reads a regular file of at most `limit` bytes.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Checked before opening: opening a FIFO blocks until a writer comes.
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(ReadError::NotAFile(path.to_path_buf()));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile(path.to_path_buf()));
    }
    // One byte past the limit tells an oversized file without reading it all. Sized from
    // the file's length (within the limit), so the buffer is not grown and copied as it
    // fills (issue 29: a tenth of validating the library went to that).
    let expected = meta.len().min(limit).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(bytes)
}

/// The diagnostic of a file larger than `max_bytes`, read from disk or held by an editor.
pub fn too_large(path: &Path, max_bytes: u64) -> Diagnostic {
    Diagnostic::error(
        path,
        Pos::START,
        Code::FileTooLarge,
        format!("file is larger than the limit of {max_bytes} bytes"),
    )
    .with_help(
        "split the file, or raise `limits.max_file_bytes` in ttx.yaml if it really must be this large",
    )
}

/// The diagnostic of a file that did not read (`path` as it is shown).
pub fn read_diagnostic(path: &Path, e: ReadError, max_bytes: u64) -> Diagnostic {
    match e {
        ReadError::TooLarge { .. } => too_large(path, max_bytes),
        ReadError::NotAFile(_) => Diagnostic::error(path, Pos::START, Code::Io, e.to_string())
            .with_help("name a YAML file"),
        ReadError::Io { .. } => Diagnostic::error(path, Pos::START, Code::Io, e.to_string()),
    }
}

impl SourceFile {
    /// Reads a file, refusing one that is larger than `max_bytes`, is not UTF-8, or holds a
    /// NUL byte; each refusal is a diagnostic that says where and how to fix it.
    pub fn read(path: &Path, max_bytes: u64) -> Result<SourceFile, Diagnostic> {
        let bytes =
            read_bounded(path, max_bytes).map_err(|e| read_diagnostic(path, e, max_bytes))?;
        Self::from_bytes(path.to_path_buf(), bytes)
    }

    /// Checks raw bytes for the encoding problems ttx refuses (invalid UTF-8, NUL bytes) and
    /// strips a leading byte-order mark.
    pub fn from_bytes(path: PathBuf, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let bytes = e.as_bytes();
                let at = e.utf8_error().valid_up_to();
                let valid = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
                let pos = pos_in(valid, at, 1);
                return Err(Diagnostic::error(
                    &path,
                    pos,
                    Code::Encoding,
                    format!("invalid UTF-8 (byte 0x{:02x})", bytes[at]),
                )
                .with_help("save the file as UTF-8"));
            }
        };
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        if let Some(at) = text.find('\0') {
            return Err(Diagnostic::error(
                &path,
                pos_in(&text, at, 1),
                Code::Encoding,
                "the file holds a NUL byte; is it a binary file?",
            )
            .with_help("ttx reads YAML text files only"));
        }
        Ok(SourceFile { path, text })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_points_at_the_bad_byte() {
        let err =
            SourceFile::from_bytes("f.yaml".into(), b"id: x\nti\xfftle: y\n".to_vec()).unwrap_err();
        assert_eq!((err.pos.line, err.pos.col), (2, 3));
        assert!(err.message.contains("0xff"));
    }

    #[test]
    fn bom_is_stripped_and_nul_refused() {
        let ok = SourceFile::from_bytes("f".into(), "\u{feff}id: x".as_bytes().to_vec()).unwrap();
        assert_eq!(ok.text, "id: x");
        let err = SourceFile::from_bytes("f".into(), b"id: x\0".to_vec()).unwrap_err();
        assert_eq!(err.code, Code::Encoding);
    }
}
