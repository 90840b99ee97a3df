//! Printing diagnostics: coloured on a terminal unless `NO_COLOR` is set.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;

use ttx_engine::authoring::diagnostic::Diagnostic;
use ttx_engine::authoring::source::SourceFile;

/// Whether to colour what goes to stderr.
pub fn stderr_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Prints diagnostics to stderr, each with its source line, separated by blank lines.
pub fn print_diagnostics(diagnostics: &[Diagnostic], sources: &HashMap<PathBuf, SourceFile>) {
    let color = stderr_color();
    for d in diagnostics {
        eprintln!("{}\n", d.render(sources.get(&d.file), color));
    }
}

/// Whether to colour what goes to stdout (the console).
pub fn stdout_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// Pads columns to the widest cell.
pub fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |out: &mut String, cells: &[String]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let _ = write!(text, "{cell:<w$}  ", w = widths[i]);
            }
        }
        let _ = writeln!(out, "{}", text.trim_end());
    };
    line(
        out,
        &header.iter().map(|h| h.to_string()).collect::<Vec<_>>(),
    );
    for r in rows {
        line(out, r);
    }
}

/// A text file named on the command line, read through the bounded reader: a regular
/// file of at most `limit` bytes, in UTF-8. The error says which and why.
pub fn read_text(path: &std::path::Path, limit: u64) -> Result<String, String> {
    let bytes =
        ttx_engine::authoring::file::read_bounded(path, limit).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| format!("`{}` is not UTF-8 text", path.display()))
}
