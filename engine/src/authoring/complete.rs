//! What the author is typing: the slot under the cursor of a half-written file (an id of
//! some kind, a duration, a runbook section), found by reading the file with a marker word
//! at the cursor through the same parser and the same table of places
//! ([`crate::authoring::symbols::PLACES`]) the index uses. The candidates for a slot come
//! from the program's files, which the editor's workspace holds.

use crate::authoring::load;
use crate::authoring::schema::FileKind;
use crate::authoring::source::SourceFile;
use crate::authoring::symbols::{self, SymbolKind};
use crate::authoring::yaml::{self, Node, Value, key_text};

/// The word put at the cursor to find where it stands; no author writes it.
const MARK: &str = "ttx_cursor_9f2c";

/// Keys whose values are durations.
const DURATION_KEYS: &[&str] = &[
    "at", "within", "delay", "jitter", "duration", "cooldown", "advance", "every", "story",
];

/// What is expected at the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// An id of this kind; for an option, of the named decision.
    Symbol(SymbolKind, Option<String>),
    /// A section of the named runbook (after `runbook: ID#`).
    RunbookSection(String),
    /// A duration (`15m`, or `3t` in a scenario played in turns).
    Duration,
}

/// The slot under the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    /// The kind of file the slot is in.
    pub file: FileKind,
    /// What belongs there.
    pub expected: Expected,
    /// Byte offset where the word being typed starts; a completion replaces from here to
    /// the cursor.
    pub start: usize,
    /// What is typed of it so far.
    pub typed: String,
}

/// The slot at byte `offset` of `text`, a file at `path`, if the cursor stands where an id
/// or a duration belongs.
pub fn slot_at(path: &std::path::Path, text: &str, offset: usize) -> Option<Slot> {
    let offset = floor_boundary(text, offset.min(text.len()));
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '#'))
        .last()
        .map_or(offset, |(i, _)| i);
    let typed = text[start..offset].to_string();
    // The file with the marker at the cursor, closed as an editor would close it when the
    // author has not yet typed the bracket.
    // A key being typed (`roles:` of a roster) reads as one once a colon follows it.
    let closers = ["", "]", "}", "\"", "'", "\"]", "']", "\"}", "'}", ":"];
    let (node, found) = closers.iter().find_map(|close| {
        let marked = format!("{}{MARK}{close}{}", &text[..offset], &text[offset..]);
        let node = yaml::parse(&SourceFile::new(path, marked)).ok()?;
        let found = find_mark(&node)?;
        Some((node, found))
    })?;
    let file = load::detect_kind(path, Some(&node))?;
    let keys: Vec<&str> = found.path.iter().map(String::as_str).collect();
    let expected = if let Some(place) = symbols::place_at(file, &keys, found.is_key) {
        match place.kind {
            SymbolKind::Runbook if typed.contains('#') => {
                let id = typed.split('#').next().unwrap_or_default().to_string();
                Expected::RunbookSection(id)
            }
            SymbolKind::Option => Expected::Symbol(SymbolKind::Option, found.decision),
            kind => Expected::Symbol(kind, None),
        }
    } else if !found.is_key && keys.last().is_some_and(|k| DURATION_KEYS.contains(k)) {
        Expected::Duration
    } else {
        return None;
    };
    let (start, typed) = match &expected {
        // A section replaces only what follows the `#`.
        Expected::RunbookSection(id) => (start + id.len() + 1, typed[id.len() + 1..].to_string()),
        _ => (start, typed),
    };
    Some(Slot {
        file,
        expected,
        start,
        typed,
    })
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

struct Found {
    path: Vec<String>,
    is_key: bool,
    /// The `decision:` beside the cursor, for an option.
    decision: Option<String>,
}

fn find_mark(root: &Node) -> Option<Found> {
    fn go(node: &Node, path: &mut Vec<String>, decision: Option<String>) -> Option<Found> {
        match &node.value {
            Value::Str(s) if s.contains(MARK) => Some(Found {
                path: path.clone(),
                is_key: false,
                decision,
            }),
            Value::Map(entries) => {
                let here = node
                    .get("decision")
                    .and_then(|d| match &d.value {
                        Value::Str(s) => Some(s.clone()),
                        Value::Seq(items) => items.first().and_then(Node::as_str).map(Into::into),
                        _ => None,
                    })
                    .filter(|d| !d.contains(MARK))
                    .or(decision);
                for (k, v) in entries {
                    let key = key_text(k);
                    if key.contains(MARK) {
                        path.push(key);
                        return Some(Found {
                            path: path.clone(),
                            is_key: true,
                            decision: here,
                        });
                    }
                    path.push(key);
                    if let Some(f) = go(v, path, here.clone()) {
                        return Some(f);
                    }
                    path.pop();
                }
                None
            }
            Value::Seq(items) => items.iter().find_map(|i| go(i, path, decision.clone())),
            _ => None,
        }
    }
    go(root, &mut Vec::new(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(text_with_cursor: &str) -> Option<Slot> {
        let at = text_with_cursor.find('|').unwrap();
        let text = text_with_cursor.replacen('|', "", 1);
        slot_at(std::path::Path::new("s.yaml"), &text, at)
    }

    #[test]
    fn an_inject_recipient_is_a_role_in_a_list_or_alone() {
        for text in [
            "id: s\ninjects:\n  - id: a\n    to: [ic, |]\n",
            "id: s\ninjects:\n  - id: a\n    to: |\n",
            "id: s\ninjects:\n  - id: a\n    to:\n      - c|\n",
            // Not yet closed.
            "id: s\ninjects:\n  - id: a\n    to: [ic, c|\n",
        ] {
            let s = slot(text).unwrap_or_else(|| panic!("no slot in {text:?}"));
            assert_eq!(
                s.expected,
                Expected::Symbol(SymbolKind::Role, None),
                "{text:?}"
            );
            assert_eq!(s.file, FileKind::Scenario);
        }
    }

    #[test]
    fn after_names_an_inject_or_a_decision() {
        let s = slot("id: s\ninjects:\n  - id: a\n    after: {inject: sp|}\n").unwrap();
        assert_eq!(s.expected, Expected::Symbol(SymbolKind::Inject, None));
        assert_eq!(s.typed, "sp");
        let s = slot("id: s\ninjects:\n  - id: a\n    after:\n      decision: |\n").unwrap();
        assert_eq!(s.expected, Expected::Symbol(SymbolKind::Decision, None));
    }

    #[test]
    fn an_option_knows_its_decision_and_a_section_its_runbook() {
        let s =
            slot("id: s\nexpectations:\n  - id: e\n    decision: ransom\n    option: |\n").unwrap();
        assert_eq!(
            s.expected,
            Expected::Symbol(SymbolKind::Option, Some("ransom".into()))
        );
        let s = slot("id: s\nexpectations:\n  - id: e\n    runbook: ir#con|\n").unwrap();
        assert_eq!(s.expected, Expected::RunbookSection("ir".into()));
        assert_eq!(s.typed, "con");
    }

    #[test]
    fn quoted_and_unclosed_and_keys() {
        let s = slot("id: s\ninjects:\n  - id: a\n    to: [\"c|\n").unwrap();
        assert_eq!(s.expected, Expected::Symbol(SymbolKind::Role, None));
        assert_eq!(s.typed, "c");
        // The roster's `roles:` keys are the scenarios' roles.
        let s = slot("teams: []\nroles:\n  ic: {team: sec}\n  o|\n").unwrap();
        assert_eq!(s.file, FileKind::Roster);
        assert_eq!(s.expected, Expected::Symbol(SymbolKind::Role, None));
    }

    #[test]
    fn durations_and_plain_text_positions() {
        let s = slot("id: s\ninjects:\n  - id: a\n    at: |\n").unwrap();
        assert_eq!(s.expected, Expected::Duration);
        assert_eq!(slot("id: s\ninjects:\n  - id: a\n    text: |\n"), None);
    }
}
