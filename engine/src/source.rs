//! Source files: reading an author's file within limits, and mapping byte offsets to
//! `line:col` positions for diagnostics.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic};

/// The default upper bound on the size of any YAML file ttx reads (4 MiB).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A position in a source file: 1-based line and column (in characters), plus the byte
/// offset and byte length of the thing it points at, for underlining.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pos {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub col: u32,
    /// Byte offset of the start in the file text.
    pub offset: usize,
    /// Length in bytes of the thing pointed at (at least 1 when rendered).
    pub len: usize,
}

impl Pos {
    /// A position that points at nothing in particular (the start of the file).
    pub const START: Pos = Pos {
        line: 1,
        col: 1,
        offset: 0,
        len: 0,
    };
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// One file an author wrote, held in memory as UTF-8 text with the path it is shown under.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as given by the user (or relative to the program), used in diagnostics.
    pub path: PathBuf,
    /// The whole text of the file.
    pub text: String,
}

impl SourceFile {
    /// Wraps text that did not come from disk (tests, generated files).
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    /// Reads a file, refusing one that is larger than `max_bytes`, is not UTF-8, or holds a
    /// NUL byte; each refusal is a diagnostic that says where and how to fix it.
    pub fn read(path: &Path, max_bytes: u64) -> Result<SourceFile, Diagnostic> {
        use std::io::Read;
        let shown = path.to_path_buf();
        let io_error = |e: std::io::Error| {
            Diagnostic::error(
                &shown,
                Pos::START,
                Code::Io,
                format!("cannot read `{}`: {e}", path.display()),
            )
        };
        let file = std::fs::File::open(path).map_err(io_error)?;
        // Read one byte past the limit so an oversized file is detected without reading it all.
        let mut bytes = Vec::new();
        file.take(max_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(io_error)?;
        if bytes.len() as u64 > max_bytes {
            return Err(Diagnostic::error(
                &shown,
                Pos::START,
                Code::FileTooLarge,
                format!("file is larger than the limit of {max_bytes} bytes"),
            )
            .with_help(
                "split the file, or raise `limits.max_file_bytes` in ttx.yaml if it really must be this large",
            ));
        }
        Self::from_bytes(shown, bytes)
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

    /// The position of a byte offset in this file.
    pub fn pos_at(&self, offset: usize, len: usize) -> Pos {
        pos_in(&self.text, offset, len)
    }

    /// The text of the 1-based line `line`, without its line ending.
    pub fn line_text(&self, line: u32) -> &str {
        self.text
            .split('\n')
            .nth(line.saturating_sub(1) as usize)
            .map(|l| l.trim_end_matches('\r'))
            .unwrap_or("")
    }

    /// The byte offset at which the 1-based `line` starts.
    pub fn line_start(&self, line: u32) -> usize {
        if line <= 1 {
            return 0;
        }
        self.text
            .match_indices('\n')
            .nth(line as usize - 2)
            .map(|(i, _)| i + 1)
            .unwrap_or(self.text.len())
    }
}

/// Computes line and column of `offset` within `text` (clamped to the text).
pub fn pos_in(text: &str, offset: usize, len: usize) -> Pos {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before[line_start..].chars().count() as u32 + 1;
    Pos {
        line,
        col,
        offset,
        len,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "a: 1\nbé: x\n";
        let at = text.find('x').unwrap();
        let pos = pos_in(text, at, 1);
        assert_eq!((pos.line, pos.col), (2, 5));
    }

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
