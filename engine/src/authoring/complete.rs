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
    /// An id of either kind (an expectation's `informed_by`: an inject or a fact).
    Either(SymbolKind, SymbolKind),
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
    slot_read(path, text, offset, true)
}

/// [`slot_at`], reading the lines around the cursor first (`windowed`) or the whole file.
fn slot_read(path: &std::path::Path, text: &str, offset: usize, windowed: bool) -> Option<Slot> {
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
    let marked = |text: &str, offset: usize| {
        closers.iter().find_map(|close| {
            let marked = format!("{}{MARK}{close}{}", &text[..offset], &text[offset..]);
            let node = yaml::parse(&SourceFile::new(path, marked)).ok()?;
            let found = find_mark(&node)?;
            Some((node, found))
        })
    };
    // The lines the slot depends on first, so a keystroke in a 4 MiB scenario does not
    // parse it whole; the whole file when they do not tell.
    let (node, found) = windowed
        .then(|| window(text, offset))
        .flatten()
        .and_then(|w| marked(&w.text, w.at))
        .or_else(|| marked(text, offset))?;
    let file = load::detect_kind(path, Some(&node))?;
    let keys: Vec<&str> = found.path.iter().map(String::as_str).collect();
    let expected = if let Some(place) = symbols::place_at(file, &keys, found.is_key) {
        match place.kind {
            SymbolKind::Runbook if typed.contains('#') => {
                let id = typed.split('#').next().unwrap_or_default().to_string();
                Expected::RunbookSection(id)
            }
            SymbolKind::Option => Expected::Symbol(SymbolKind::Option, found.decision),
            kind => match place.or {
                Some(or) => Expected::Either(kind, or),
                None => Expected::Symbol(kind, None),
            },
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

/// The lines of a file around a place in it, as [`window`] cuts them.
pub(crate) struct Window {
    /// The lines.
    pub text: String,
    /// Where the place is in them.
    pub at: usize,
    /// The block of lines around the place: the only part whose places are the file's.
    block: Block,
}

/// Where a window's block of lines stands in the window and in the file.
#[derive(Default)]
struct Block {
    /// Its first byte in the window.
    in_window: usize,
    /// Its first byte in the file.
    in_file: usize,
    /// Its length in bytes.
    len: usize,
    /// Its first line in the window, from 0.
    window_line: usize,
    /// Its first line in the file, from 0.
    file_line: usize,
}

impl Window {
    /// The file's place of a place in the window's block around the cursor.
    pub fn to_file(
        &self,
        mut pos: crate::authoring::source::Pos,
    ) -> Option<crate::authoring::source::Pos> {
        let b = &self.block;
        if pos.offset < b.in_window || pos.offset + pos.len > b.in_window + b.len {
            return None;
        }
        pos.offset = pos.offset - b.in_window + b.in_file;
        pos.line = (pos.line as usize + b.file_line - b.window_line) as u32;
        Some(pos)
    }
}

/// The lines of `text` the slot at `offset` depends on, and the offset in them: the file's
/// top-level lines (its keys, for its kind) and the whole of the outermost indented block
/// the cursor stands in (one inject, one role, with the siblings beside the cursor, such
/// as a `decision:` that scopes its options). `None` when the file is not laid out as
/// plain indented block YAML at the top (a sequence or flow collection at column 0, a
/// document marker), so the caller parses it whole.
pub(crate) fn window(text: &str, offset: usize) -> Option<Window> {
    let indent = |line: &str| line.len() - line.trim_start_matches(' ').len();
    // Lines that say nothing of the structure: blank ones and comments.
    let silent = |line: &str| {
        let t = line.trim();
        t.is_empty() || t.starts_with('#')
    };
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        lines.push((start, line));
        start += line.len();
    }
    let cursor = lines
        .iter()
        .rposition(|(at, _)| *at <= offset)
        .unwrap_or_default();
    // The outermost indented line above the cursor that holds it.
    let mut block = (indent(lines.get(cursor)?.1) > 0).then_some(cursor);
    let mut least = indent(lines[cursor].1);
    for i in (0..cursor).rev() {
        let line = lines[i].1;
        if silent(line) || indent(line) >= least {
            continue;
        }
        if indent(line) == 0 {
            break;
        }
        least = indent(line);
        block = Some(i);
    }
    let end = block.map_or(cursor + 1, |b| {
        let depth = indent(lines[b].1);
        lines
            .iter()
            .enumerate()
            .skip(b + 1)
            .find(|(_, (_, l))| !silent(l) && indent(l) <= depth)
            .map_or(lines.len(), |(i, _)| i)
    });
    // A cursor on a line of its own level reads with the sibling above it, which says
    // whether that level is a mapping or a list.
    let mut first = block.unwrap_or(cursor);
    if block == Some(cursor)
        && let Some(i) = (0..cursor)
            .rev()
            .find(|&i| !silent(lines[i].1) && indent(lines[i].1) <= least)
        && indent(lines[i].1) == least
    {
        first = i;
    }
    let mut out = String::new();
    let mut at = None;
    let mut block = Block::default();
    let mut window_lines = 0;
    for (i, (line_start, line)) in lines.iter().enumerate() {
        if (first..end.max(cursor + 1)).contains(&i) {
            if i == first {
                block = Block {
                    in_window: out.len(),
                    in_file: *line_start,
                    len: 0,
                    window_line: window_lines,
                    file_line: i,
                };
            }
            if i == cursor {
                at = Some(out.len() + offset - line_start);
            }
            out.push_str(line);
            block.len += line.len();
            window_lines += 1;
            continue;
        }
        if silent(line) || indent(line) > 0 {
            continue;
        }
        // A top-level line must read as a key of the root mapping on its own.
        let plain = !line.starts_with([
            '-', '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '%', '@', '`', '"', '\'', '?',
            ':',
        ]);
        if !plain || !line.contains(':') {
            return None;
        }
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push('\n');
        }
        window_lines += 1;
    }
    Some(Window {
        text: out,
        at: at?,
        block,
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
    fn informed_by_takes_an_inject_or_a_fact_and_a_team_roles() {
        let s = slot("id: s\nexpectations:\n  - id: e\n    informed_by: [le|]\n").unwrap();
        assert_eq!(
            s.expected,
            Expected::Either(SymbolKind::Inject, SymbolKind::Fact)
        );
        assert_eq!(s.typed, "le");
        let s = slot("id: s\nteams:\n  tech: {name: T, roles: [ic, |]}\n").unwrap();
        assert_eq!(s.expected, Expected::Symbol(SymbolKind::Role, None));
    }

    #[test]
    fn an_inject_s_technique_is_an_attack_id() {
        let s = slot("id: s\ninjects:\n  - id: a\n    technique: T15|\n").unwrap();
        assert_eq!(s.expected, Expected::Symbol(SymbolKind::Technique, None));
        assert_eq!(s.typed, "T15");
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

    /// The slot read from the window is the slot read from the whole file, at the places
    /// a completion is asked for (after `[`, `, `, `: ` and at each line's end) on a
    /// sample of lines of every shipped file.
    #[test]
    fn the_window_reads_every_slot_as_the_whole_file_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in [
            "scenarios",
            "examples/acme",
            "examples/northwind",
            "examples/acme/sessions",
        ] {
            for e in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
                if e.path().extension().is_some_and(|x| x == "yaml") {
                    files.push(e.path());
                }
            }
        }
        assert!(files.len() > 10, "{files:?}");
        let mut compared = 0;
        let mut slots = 0;
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut line_start = 0;
            for (n, line) in text.split_inclusive('\n').enumerate() {
                let here = line_start;
                line_start += line.len();
                if n % 5 != 0 {
                    continue;
                }
                let body = line.trim_end_matches('\n');
                let mut at: Vec<usize> = ["[", ", ", ": "]
                    .iter()
                    .flat_map(|m| body.match_indices(m).map(|(i, m)| here + i + m.len()))
                    .collect();
                at.push(here + body.len());
                for offset in at {
                    let windowed = slot_read(&path, &text, offset, true);
                    let whole = slot_read(&path, &text, offset, false);
                    assert_eq!(
                        windowed,
                        whole,
                        "{}:{} at byte {offset}",
                        path.display(),
                        n + 1
                    );
                    compared += 1;
                    slots += usize::from(whole.is_some());
                }
            }
        }
        assert!(
            compared > 500 && slots > 50,
            "{compared} places, {slots} slots"
        );
    }

    #[test]
    fn durations_and_plain_text_positions() {
        let s = slot("id: s\ninjects:\n  - id: a\n    at: |\n").unwrap();
        assert_eq!(s.expected, Expected::Duration);
        assert_eq!(slot("id: s\ninjects:\n  - id: a\n    text: |\n"), None);
    }
}
