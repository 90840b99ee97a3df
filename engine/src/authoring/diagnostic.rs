//! Diagnostics: the one type for every problem an author can cause, with a stable code,
//! a position, a message, and help that says how to fix it.

use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

use crate::authoring::source::{Pos, SourceFile};

/// How bad a problem is: errors fail validation, warnings only with `--deny-warnings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be used as it is.
    Error,
    /// The file can be used, but something is probably not what the author meant.
    Warning,
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, )*) => {
        /// The stable identifier of a kind of problem, shown as `error[CODE]` and documented
        /// in `docs/format.md`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// The code as written in diagnostics, e.g. `unknown-key`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Code::$variant => $name, )*
                }
            }

            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];
        }
    };
}

codes! {
    /// A file could not be read or written.
    Io = "io",
    /// A file is larger than the configured limit.
    FileTooLarge = "file-too-large",
    /// A file is not UTF-8 text or holds NUL bytes.
    Encoding = "encoding",
    /// A file holds nothing.
    EmptyFile = "empty-file",
    /// The YAML itself cannot be parsed.
    YamlSyntax = "yaml-syntax",
    /// The YAML exceeds a nesting, size or alias-expansion limit.
    YamlLimit = "yaml-limit",
    /// A mapping repeats a key.
    DuplicateKey = "duplicate-key",
    /// The file holds more than one YAML document.
    MultipleDocuments = "multiple-documents",
    /// The top of the file is not a mapping.
    WrongRoot = "wrong-root",
    /// A key the format does not know.
    UnknownKey = "unknown-key",
    /// A value of the wrong type (a list where a string belongs, say).
    WrongType = "wrong-type",
    /// A required key is missing.
    MissingKey = "missing-key",
    /// A value outside the allowed set or shape.
    InvalidValue = "invalid-value",
    /// Two things of one kind share an id.
    DuplicateId = "duplicate-id",
    /// A name that refers to something that is not defined.
    UndefinedReference = "undefined-reference",
    /// An architecture requirement that no component satisfies.
    UnmatchedComponent = "unmatched-component",
    /// An ATT&CK technique id that does not exist.
    UnknownTechnique = "unknown-technique",
    /// An ATT&CK technique that MITRE revoked or deprecated.
    RevokedTechnique = "revoked-technique",
    /// A duration that cannot be read, such as `15 minutes` or `0`.
    BadDuration = "bad-duration",
    /// A version that is not semver.
    BadVersion = "bad-version",
    /// An inject, expectation or question placed after the scenario ends.
    BeyondDuration = "beyond-duration",
    /// Injects whose relative timing forms a loop.
    TimingCycle = "timing-cycle",
    /// An inject with both or neither of `at` and `after`, or a decisions-sheet entry with
    /// more than one kind.
    AmbiguousEntry = "ambiguous-entry",
    /// A decisions-sheet entry after `end` that the engine no longer takes.
    AfterEnd = "after-end",
    /// A hot-wash improvement that names no owner: its action item would be UNASSIGNED.
    Unowned = "unowned",
    /// A rhai script or condition that does not parse.
    ScriptSyntax = "script-syntax",
    /// A script that fails when run: the setup in any way, an effect by hitting a sandbox
    /// limit (endless loop, runaway recursion, unbounded growth).
    ScriptRuntime = "script-runtime",
    /// A script call that prints more than the journal takes from one call.
    ScriptOutput = "script-output",
    /// A rhai script that uses a variable that does not exist.
    ScriptUndefinedVariable = "script-undefined-variable",
    /// An inject that no play of the scenario can deliver.
    NeverFires = "never-fires",
    /// An inject or expectation that no run of `ttx simulate` (or `validate --simulate`)
    /// reached.
    NotReached = "not-reached",
    /// An expectation whose role may not take its decision.
    RoleCannotDecide = "role-cannot-decide",
    /// A role that receives no inject and has no expectation.
    UnusedRole = "unused-role",
    /// A runbook of the architecture that no scenario of the program exercises.
    UnexercisedRunbook = "unexercised-runbook",
    /// An objective that no expectation measures.
    UnmeasuredObjective = "unmeasured-objective",
    /// A decision that no expectation asks for.
    UnexpectedDecision = "unexpected-decision",
    /// An architecture component owned by a team the roster lacks.
    UnknownTeam = "unknown-team",
    /// A scenario role the roster does not staff.
    UnstaffedRole = "unstaffed-role",
    /// A publish pattern in `ttx.yaml` that is not a regular expression.
    BadPattern = "bad-pattern",
    /// A placeholder left in a file (`TODO`).
    Placeholder = "placeholder",
    /// No `ttx.yaml` was found, or it names files that are missing.
    Program = "program",
}

/// One problem in one file, at one position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in, as shown to the user.
    pub file: PathBuf,
    /// Where in the file.
    pub pos: Pos,
    /// Error or warning.
    pub severity: Severity,
    /// The stable code.
    pub code: Code,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, when we can say.
    pub help: Option<String>,
    /// What a tool acts on without reading the message (boxed: most diagnostics have
    /// none, and a diagnostic is passed around by value).
    pub hints: Option<Box<Hints>>,
}

/// The parts of a diagnostic meant for tools.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hints {
    /// The word to put in place of the one at the position, when ttx can tell (a
    /// did-you-mean): what an editor's quick fix writes. The help says it to a person.
    pub suggestion: Option<String>,
    /// Where in the document's tree the value it is about sits, as a JSON Pointer
    /// (`/entries/3/at`), when the check knows (the schema check does).
    pub path: Option<String>,
}

impl Diagnostic {
    /// An error at `pos` in `file`.
    pub fn error(file: &Path, pos: Pos, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            pos,
            severity: Severity::Error,
            code,
            message: message.into(),
            help: None,
            hints: None,
        }
    }

    /// A warning at `pos` in `file`.
    pub fn warning(file: &Path, pos: Pos, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, pos, code, message)
        }
    }

    /// Adds a help line (how to fix it).
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a help line only when there is one.
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Suggests `word` in place of the one at the diagnostic's position: the field a quick
    /// fix reads, and the help line a person reads (`did you mean `word`?`).
    pub fn with_suggestion(mut self, word: impl Into<String>) -> Self {
        let word = word.into();
        self.help = Some(format!("did you mean `{word}`?"));
        self.hints.get_or_insert_default().suggestion = Some(word);
        self
    }

    /// Says where in the document's tree the value is (a JSON Pointer), unless it says
    /// already.
    pub fn at_path(mut self, pointer: impl Into<String>) -> Self {
        self.set_path(pointer);
        self
    }

    /// [`Diagnostic::at_path`] in place.
    pub fn set_path(&mut self, pointer: impl Into<String>) {
        self.hints
            .get_or_insert_default()
            .path
            .get_or_insert(pointer.into());
    }

    /// Where in the document's tree the value is, as a JSON Pointer, when known.
    pub fn path(&self) -> Option<&str> {
        self.hints.as_ref()?.path.as_deref()
    }

    /// The index of the decisions sheet entry the value is in (`/entries/N/…`).
    pub fn entry_index(&self) -> Option<usize> {
        let rest = self.path()?.strip_prefix("/entries/")?;
        rest.split('/').next()?.parse().ok()
    }

    /// The word to put in place of the one at the diagnostic's position, when ttx can
    /// tell: what an editor's quick fix puts there.
    pub fn suggestion(&self) -> Option<&str> {
        self.hints.as_ref()?.suggestion.as_deref()
    }

    /// `error` or `warning`.
    pub fn severity_str(&self) -> &'static str {
        match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }

    /// Renders the diagnostic for a terminal: a `file:line:col: error[code]: message`
    /// header, then the source line with a caret under the problem, then the help.
    pub fn render(&self, source: Option<&SourceFile>, color: bool) -> String {
        let header = format!(
            "{}:{}:{}: {}[{}]: {}",
            self.file.display(),
            self.pos.line,
            self.pos.col,
            self.severity_str(),
            self.code.as_str(),
            self.message
        );
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut group = Group::with_level(level.clone());
        if let Some(source) = source.filter(|s| self.pos.line >= 1 && !s.text.is_empty()) {
            let (line_start, line) = source.line_at(&self.pos);
            let start = self.pos.offset.saturating_sub(line_start).min(line.len());
            let mut end = (start + self.pos.len.max(1)).min(line.len().max(start));
            if end == start && start < line.len() {
                end = start + 1;
            }
            while end < line.len() && !line.is_char_boundary(end) {
                end += 1;
            }
            group = group.element(
                Snippet::source(line)
                    .line_start(self.pos.line as usize)
                    .annotation(AnnotationKind::Primary.span(start..end)),
            );
        }
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        let body = renderer.render(&[group]);
        if body.trim().is_empty() {
            header
        } else {
            format!("{header}\n{body}")
        }
    }

    /// The diagnostic as a JSON object for `--format json`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "file": self.file.display().to_string(),
            "line": self.pos.line,
            "column": self.pos.col,
            "severity": self.severity_str(),
            "code": self.code.as_str(),
            "message": self.message,
            "help": self.help,
        })
    }
}

/// Sorts diagnostics by file, then position, so output is stable whatever order checks ran in.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.pos.line, a.pos.col, a.code, &a.message)
            .cmp(&(&b.file, b.pos.line, b.pos.col, b.code, &b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_header_caret_and_help() {
        let src = SourceFile::new("s.yaml", "id: x\nroles:\n  ic: {titel: IC}\n");
        let at = src.text.find("titel").unwrap();
        let d = Diagnostic::error(
            &src.path,
            src.pos_at(at, 5),
            Code::UnknownKey,
            "unknown key `titel`",
        )
        .with_suggestion("title");
        let out = d.render(Some(&src), false);
        assert!(out.starts_with("s.yaml:3:8: error[unknown-key]: unknown key `titel`\n"));
        assert!(out.contains("  ic: {titel: IC}"));
        assert!(out.contains("^^^^^"));
        assert!(out.contains("help: did you mean `title`?"));
        assert_eq!(d.suggestion(), Some("title"));
        // A help that offers several words suggests none: the field is set, not read off
        // the help.
        let several = Diagnostic::error(&src.path, src.pos_at(at, 5), Code::UnknownKey, "x")
            .with_help("did you mean `a` or `b`?");
        assert_eq!(several.suggestion(), None);
    }
}
