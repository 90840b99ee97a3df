//! Source files: an author's file held as text, and byte offsets mapped to `line:col`
//! positions for diagnostics. Reading one from disk within limits is in `file.rs`.

use std::fmt;
use std::path::PathBuf;

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

    /// The line a position is on: the byte offset at which it starts and its text without
    /// the line ending. Found from the position's offset, in the line's length, when the
    /// offset agrees with its column; else by counting lines from the top. (Counting for
    /// every diagnostic made 16,000 diagnostics of one sheet take seconds: issue 27.)
    pub fn line_at(&self, pos: &Pos) -> (usize, &str) {
        let text = self.text.as_str();
        if pos.offset <= text.len() && text.is_char_boundary(pos.offset) {
            let start = text[..pos.offset].rfind('\n').map_or(0, |i| i + 1);
            if text[start..pos.offset].chars().count() + 1 == pos.col as usize {
                let end = text[pos.offset..]
                    .find('\n')
                    .map_or(text.len(), |i| pos.offset + i);
                return (start, text[start..end].trim_end_matches('\r'));
            }
        }
        (self.line_start(pos.line), self.line_text(pos.line))
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
    fn the_line_at_a_position_is_the_line_counted_from_the_top() {
        let src = SourceFile::new("s.yaml", "id: é\r\nroles:\n\n  ic: {title: Ünö}\nend");
        for offset in (0..=src.text.len()).filter(|o| src.text.is_char_boundary(*o)) {
            let pos = src.pos_at(offset, 1);
            assert_eq!(
                src.line_at(&pos),
                (src.line_start(pos.line), src.line_text(pos.line)),
                "offset {offset}"
            );
        }
        // A position whose offset does not agree with its column is found by its line.
        let odd = Pos {
            line: 4,
            col: 3,
            offset: 0,
            len: 1,
        };
        assert_eq!(src.line_at(&odd), (src.line_start(4), "  ic: {title: Ünö}"));
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "a: 1\nbé: x\n";
        let at = text.find('x').unwrap();
        let pos = pos_in(text, at, 1);
        assert_eq!((pos.line, pos.col), (2, 5));
    }
}
