//! Loading one file: read within limits, parse once, check the structure against the
//! kind's schema (every problem at once), then build the typed model from the same tree.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::authoring::diagnostic::{Code, Diagnostic};
use crate::authoring::schema::{self, FileKind};
use crate::authoring::source::SourceFile;
use crate::authoring::spanned;
use crate::authoring::yaml::{self, Node, Value};

/// A file that loaded: its text, its tree and its typed value.
#[derive(Debug)]
pub struct Loaded<T> {
    /// The file's text, for rendering diagnostics and mapping script positions.
    pub source: SourceFile,
    /// The parsed tree.
    pub node: Node,
    /// The typed model.
    pub value: T,
    /// Problems of form (a malformed id or version) that still let the model be built;
    /// they are errors all the same.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads and loads a file of a known kind.
pub fn load_file<T: DeserializeOwned>(
    kind: FileKind,
    path: &Path,
    max_bytes: u64,
) -> Result<Loaded<T>, Failed> {
    let source = SourceFile::read(path, max_bytes).map_err(|d| Failed {
        source: None,
        diagnostics: vec![d],
    })?;
    load_source(kind, source)
}

/// A file that did not load, with every problem found and its text when it could be read.
#[derive(Debug)]
pub struct Failed {
    /// The text, when the file could be read.
    pub source: Option<SourceFile>,
    /// What is wrong.
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads text already in memory.
pub fn load_source<T: DeserializeOwned>(
    kind: FileKind,
    source: SourceFile,
) -> Result<Loaded<T>, Failed> {
    match yaml::parse(&source) {
        Ok(node) => load_tree(kind, source, node),
        Err(d) => Err(Failed {
            source: Some(source),
            diagnostics: vec![d],
        }),
    }
}

/// Loads a file already parsed into a tree: schema check, then the typed model.
pub fn load_tree<T: DeserializeOwned>(
    kind: FileKind,
    source: SourceFile,
    node: Node,
) -> Result<Loaded<T>, Failed> {
    load_tree_or_back(kind, source, node).map_err(|back| back.0)
}

/// [`load_tree`], handing the tree back when the file does not load, for a caller that
/// repairs it (`ttx validate` checks what it can of a file whose structure is wrong)
/// without copying every tree in case it is needed.
pub fn load_tree_or_back<T: DeserializeOwned>(
    kind: FileKind,
    source: SourceFile,
    node: Node,
) -> Result<Loaded<T>, Box<(Failed, Node)>> {
    let diagnostics = schema::check(kind, &source, &node);
    if !diagnostics.iter().all(schema::is_leaf_problem) {
        return Err(Box::new((
            Failed {
                source: Some(source),
                diagnostics,
            },
            node,
        )));
    }
    match spanned::from_node::<T>(&node, &source.text) {
        Ok(value) => Ok(Loaded {
            source,
            node,
            value,
            diagnostics,
        }),
        Err(_) if !diagnostics.is_empty() => Err(Box::new((
            Failed {
                source: Some(source),
                diagnostics,
            },
            node,
        ))),
        Err(e) => {
            let pos = e.pos.unwrap_or(node.pos);
            let code = if e.message.contains("not a duration")
                || e.message.contains("longer than a week")
            {
                Code::BadDuration
            } else {
                Code::InvalidValue
            };
            let help = match code {
                Code::BadDuration => {
                    "write durations like `90s`, `15m` or `1h30m`, hours before minutes before seconds"
                }
                _ => "see `ttx schema` and docs/format.md for the expected form",
            };
            let d = Diagnostic::error(&source.path, pos, code, e.message).with_help(help);
            Err(Box::new((
                Failed {
                    source: Some(source),
                    diagnostics: vec![d],
                },
                node,
            )))
        }
    }
}

/// Guesses the kind of a file from its name and top-level keys, for `ttx validate FILE`.
pub fn detect_kind(path: &Path, node: Option<&Node>) -> Option<FileKind> {
    if path.file_name().and_then(|n| n.to_str())
        == Some(crate::authoring::model::program::PROGRAM_FILE)
    {
        return Some(FileKind::Program);
    }
    let Some(Value::Map(entries)) = node.map(|n| &n.value) else {
        return None;
    };
    let has = |key: &str| entries.iter().any(|(k, _)| k.as_str() == Some(key));
    if has("entries") {
        Some(FileKind::Decisions)
    } else if has("components") {
        Some(FileKind::Architecture)
    } else if (has("teams") || has("people")) && !has("id") && !has("injects") {
        // A scenario has `teams:` of roles too, but a roster has no id and no injects.
        Some(FileKind::Roster)
    } else if has("expected") || has("red_herrings") || has("handoffs") || has("investigations") {
        Some(FileKind::Profile)
    } else if has("org") {
        Some(FileKind::Program)
    } else if has("injects") || has("roles") || has("objectives") || has("id") {
        Some(FileKind::Scenario)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authoring::source::SourceFile;

    fn kind_of(text: &str) -> Option<FileKind> {
        let node = crate::authoring::yaml::parse(&SourceFile::new("f.yaml", text)).unwrap();
        detect_kind(Path::new("f.yaml"), Some(&node))
    }

    /// Regression: a scenario's `teams:` of roles once made it read as a roster.
    #[test]
    fn a_scenario_with_teams_is_a_scenario_and_a_roster_a_roster() {
        assert_eq!(
            kind_of("id: s\nteams:\n  tech: {name: T, roles: [ic]}\ninjects: []\n"),
            Some(FileKind::Scenario)
        );
        assert_eq!(
            kind_of("teams:\n  - {id: sec, name: Security, poc: dana}\npeople: []\n"),
            Some(FileKind::Roster)
        );
    }
}
