//! Between the engine's places (byte offsets in a file on disk) and the protocol's (a line
//! and a column counted in UTF-16 code units, or UTF-8 bytes when the client offers it,
//! in a document named by a `file:` URI).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{DiagnosticSeverity, NumberOrString, Position, Range, Uri};
use ttx_engine::authoring::diagnostic::{Diagnostic, Severity};
use ttx_engine::authoring::source::Pos;

/// How columns are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16 code units, the protocol's default.
    Utf16,
    /// UTF-8 bytes, when the client offers it (no counting needed).
    Utf8,
}

/// Where each line of a text starts, to turn offsets into positions and back.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// The index of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The position of byte `offset` of `text`.
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|s| *s <= offset) - 1;
        let before = &text[self.starts[line]..offset];
        let character = match enc {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.encode_utf16().count(),
        };
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of `pos` in `text`, clamped to the end of its line (and of the text).
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map_or(text.len(), |next| next - 1);
        let line = &text[start..end];
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += match enc {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
        }
        end
    }

    /// The range of the engine's `pos` (at least one character, so it can be seen).
    pub fn range(&self, text: &str, pos: Pos, enc: Encoding) -> Range {
        let start = pos.offset.min(text.len());
        let mut end = (start + pos.len.max(1)).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        Range::new(
            self.position(text, start, enc),
            self.position(text, end, enc),
        )
    }
}

/// The file a `file:` URI names.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///home/x`, or `file://localhost/home/x`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = rest
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    let path = PathBuf::from(String::from_utf8(out).ok()?);
    path.is_absolute().then_some(path)
}

/// The `file:` URI of a file.
pub fn uri_of(path: &Path) -> Uri {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&s).unwrap_or_else(|_| Uri::from_str("file:///").expect("a valid URI"))
}

/// A diagnostic of `ttx validate` as the protocol's: the same code, severity and message,
/// the help after it, and a did-you-mean kept as data for the quick fix.
pub fn diagnostic(
    d: &Diagnostic,
    text: &str,
    lines: &LineIndex,
    enc: Encoding,
) -> lsp_types::Diagnostic {
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    lsp_types::Diagnostic {
        range: lines.range(text, d.pos, enc),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        source: Some("ttx".into()),
        message,
        data: d
            .suggestion()
            .filter(|_| d.pos.len > 0)
            .map(|s| serde_json::json!({ "replace_with": s })),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_and_back() {
        let text = "a: é😀x\nb: y\n";
        let lines = LineIndex::new(text);
        let x = text.find('x').unwrap();
        let p = lines.position(text, x, Encoding::Utf16);
        assert_eq!((p.line, p.character), (0, 6));
        assert_eq!(lines.offset(text, p, Encoding::Utf16), x);
        let p8 = lines.position(text, x, Encoding::Utf8);
        assert_eq!(p8.character as usize, x);
        // Past the end of a line stays on that line.
        let eol = text.find('\n').unwrap();
        assert_eq!(
            lines.offset(text, Position::new(0, 99), Encoding::Utf16),
            eol
        );
        assert_eq!(
            lines.offset(text, Position::new(7, 0), Encoding::Utf16),
            text.len()
        );
    }

    #[test]
    fn uris_and_paths_round_trip() {
        let path = Path::new("/tmp/a b/ü.yaml");
        let uri = uri_of(path);
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/%C3%BC.yaml");
        assert_eq!(path_of(&uri).unwrap(), path);
        assert_eq!(path_of(&Uri::from_str("untitled:1").unwrap()), None);
    }
}
