//! Printing diagnostics: coloured on a terminal unless `NO_COLOR` is set.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use ttx_engine::diagnostic::Diagnostic;
use ttx_engine::source::SourceFile;

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
