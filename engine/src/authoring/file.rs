//! Reading an author's file from disk within limits: a size bound, UTF-8 only, no NUL
//! bytes, a byte-order mark dropped. Each refusal is a diagnostic that says where and how
//! to fix it.

use std::path::{Path, PathBuf};

use crate::authoring::diagnostic::{Code, Diagnostic};
use crate::authoring::source::{Pos, SourceFile, pos_in};

impl SourceFile {
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
