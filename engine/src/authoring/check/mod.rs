//! Semantic checks: everything the schema cannot say. References between parts of a file
//! and between files, timing, scripts, and the graph of what can happen.

pub mod architecture;
pub mod profile;
pub mod program;
pub mod roster;
pub mod scenario;
pub mod sheet;

use std::collections::HashMap;
use std::path::Path;

use crate::authoring::diagnostic::{Code, Diagnostic, Severity};
use crate::authoring::model::Id;
use crate::authoring::source::Pos;
use crate::authoring::spanned::Sp;
use crate::authoring::suggest::did_you_mean;

/// Collects the diagnostics of one file.
pub struct Sink<'a> {
    file: &'a Path,
    /// Everything found so far.
    pub out: Vec<Diagnostic>,
}

impl<'a> Sink<'a> {
    /// A sink for diagnostics in `file`.
    pub fn new(file: &'a Path) -> Self {
        Sink {
            file,
            out: Vec::new(),
        }
    }

    /// Records an error.
    pub fn error(
        &mut self,
        pos: Pos,
        code: Code,
        message: impl Into<String>,
        help: impl Into<Option<String>>,
    ) {
        self.push(Severity::Error, pos, code, message.into(), help.into());
    }

    /// Records a warning.
    pub fn warning(
        &mut self,
        pos: Pos,
        code: Code,
        message: impl Into<String>,
        help: impl Into<Option<String>>,
    ) {
        self.push(Severity::Warning, pos, code, message.into(), help.into());
    }

    /// Records an error that suggests `word` in place of the one at `pos` (a
    /// did-you-mean, which an editor offers as a quick fix).
    pub fn error_suggesting(
        &mut self,
        pos: Pos,
        code: Code,
        message: impl Into<String>,
        word: impl Into<String>,
    ) {
        self.out
            .push(Diagnostic::error(self.file, pos, code, message).with_suggestion(word));
    }

    fn push(
        &mut self,
        severity: Severity,
        pos: Pos,
        code: Code,
        message: String,
        help: Option<String>,
    ) {
        let d = Diagnostic::error(self.file, pos, code, message).with_help_opt(help);
        self.out.push(Diagnostic { severity, ..d });
    }

    /// Checks that `id` names one of `defined`; `what` is the kind ("role", "inject").
    /// Returns whether it does.
    pub fn reference<'d>(
        &mut self,
        what: &str,
        id: &Sp<Id>,
        defined: impl Iterator<Item = &'d str> + Clone,
    ) -> bool {
        if defined.clone().any(|d| d == id.as_str()) {
            return true;
        }
        let message = format!("undefined {what} `{id}`", id = id.as_str());
        match did_you_mean(id.as_str(), defined.clone()) {
            Some(s) => self.error_suggesting(id.pos, Code::UndefinedReference, message, s),
            None => {
                let all: Vec<&str> = defined.collect();
                let help = if all.is_empty() {
                    format!("no {what} is defined; define one first")
                } else {
                    format!("the {what}s defined are: {}", all.join(", "))
                };
                self.error(id.pos, Code::UndefinedReference, message, help);
            }
        }
        false
    }

    /// Reports ids that appear twice among `ids`, pointing at the second.
    pub fn duplicates<'i>(&mut self, what: &str, ids: impl Iterator<Item = &'i Sp<Id>>) {
        let mut seen: HashMap<&str, Pos> = HashMap::new();
        for id in ids {
            if let Some(first) = seen.get(id.as_str()) {
                self.error(
                    id.pos,
                    Code::DuplicateId,
                    format!("duplicate {what} id `{}`", id.as_str()),
                    format!(
                        "it is already used on line {}; ids must be unique",
                        first.line
                    ),
                );
            } else {
                seen.insert(id.as_str(), id.pos);
            }
        }
    }
}

/// Warns about placeholders (`TODO`) left in any text of a file, so that an unfinished
/// file fails `--deny-warnings`.
pub fn placeholders(file: &Path, node: &crate::authoring::yaml::Node) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.value {
            crate::authoring::yaml::Value::Str(s) if s.contains("TODO") => out.push(
                Diagnostic::warning(file, n.pos, Code::Placeholder, "a placeholder is left here")
                    .with_help("replace the TODO with the real text"),
            ),
            crate::authoring::yaml::Value::Seq(items) => stack.extend(items.iter()),
            crate::authoring::yaml::Value::Map(entries) => {
                stack.extend(entries.iter().map(|(_, v)| v))
            }
            _ => {}
        }
    }
    out
}
