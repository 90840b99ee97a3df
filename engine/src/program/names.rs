//! The scrubber's index of roster identifiers: every person's name, name parts, id,
//! email (whole and its local part's pieces), handle, and with `--pseudonymize-teams` the
//! team names, found in one pass over a text however a room types them.
//!
//! A text is read as a stream of letters ([`Letters`]): folded ([`Folded`]), each
//! character reduced as both checks reduce it ([`fold::reduce_char`]: case, accents,
//! look-alikes, `ß` as `ss`), Markdown's emphasis markers read through, and between two
//! letters a note of what stood there: nothing, markup, a separator (space, `.-'_+@`) or a
//! break (any other punctuation). An identifier is the letters of its words run together
//! (`Priya Nair` is `priyanair`), so one Aho-Corasick automaton over all of them finds
//! `Priya Nair`, `priya.nair`, `PriyaNair`, `priyanair` and `Pri**ya** Nair` alike. A match
//! counts when it starts and ends at a word edge (a separator, a break, the text's ends, or
//! a camel-case step: `IvanPetrov`), has separators only where the identifier has word
//! edges (so `J. O'Connor` is not `Jo`), and crosses no break. A trailing `s` after a
//! name of three letters or more is its possessive (`Priyas`, `Nairs'`).
//!
//! Built once per publication, the automaton keeps the cost of a text linear in the
//! text and nearly flat in the roster's size (issue 27: one regex per identifier cost
//! 1.5 ms and 180 KB per person).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::program::fold::{self, Folded};

/// What stood between a letter and the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    /// Nothing: the same word goes on.
    None,
    /// Only Markdown markers: the same word, as a viewer renders it.
    Markup,
    /// Space or identifier punctuation: a word edge an identifier may cross.
    Separator,
    /// Other punctuation: a word edge no identifier crosses.
    Break,
}

/// One reduced letter of a text.
#[derive(Clone, Copy, Debug)]
struct Letter {
    /// The span of the original text it came from.
    start: usize,
    end: usize,
    gap: Gap,
    upper: bool,
    /// From a script written without spaces: no word edges.
    spaceless: bool,
    /// The reduced letter itself.
    letter: char,
    /// The end of the Markdown markers right after it (`end` without any): a name with
    /// markers inside is replaced with its closing ones, so no marker is left open.
    tail: usize,
}

/// A text as a stream of reduced letters.
pub struct Letters {
    /// The reduced letters, run together.
    key: String,
    /// Per byte of `key`: the letter it belongs to.
    letter_of: Vec<u32>,
    /// Per byte of `key`: whether a letter starts there.
    starts: Vec<bool>,
    letters: Vec<Letter>,
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '.' | '-' | '\'' | '_' | '+' | '@')
}

impl Letters {
    /// Reads `text`.
    pub fn new(text: &str) -> Letters {
        let folded = Folded::new(text);
        let mut out = Letters {
            key: String::with_capacity(text.len()),
            letter_of: Vec::with_capacity(text.len()),
            starts: Vec::with_capacity(text.len()),
            letters: Vec::new(),
        };
        let mut gap = Gap::Break;
        let mut reduced = String::new();
        for (i, c) in folded.text.char_indices() {
            if fold::is_markup(c) {
                if gap <= Gap::Markup
                    && let Some(last) = out.letters.last_mut()
                {
                    last.tail = folded.original(i, i + c.len_utf8()).1;
                }
                gap = gap.max(Gap::Markup);
                continue;
            }
            if !c.is_alphanumeric() {
                if unicode_normalization::char::is_combining_mark(c) {
                    continue;
                }
                gap = gap.max(if is_separator(c) {
                    Gap::Separator
                } else {
                    Gap::Break
                });
                continue;
            }
            reduced.clear();
            fold::reduce_char(c, &mut reduced);
            if reduced.is_empty() {
                continue;
            }
            let (start, end) = folded.original(i, i + c.len_utf8());
            for (n, r) in reduced.chars().enumerate() {
                let index = out.letters.len() as u32;
                out.letters.push(Letter {
                    start,
                    end,
                    gap: if n == 0 { gap } else { Gap::None },
                    upper: c.is_uppercase(),
                    spaceless: fold::spaceless(c),
                    letter: r,
                    tail: end,
                });
                let mut buf = [0u8; 4];
                let s = r.encode_utf8(&mut buf);
                out.key.push_str(s);
                for b in 0..s.len() {
                    out.letter_of.push(index);
                    out.starts.push(b == 0);
                }
            }
            gap = Gap::None;
        }
        out
    }

    /// Whether a word starts at letter `i` (or one ends before it).
    fn edge_at(&self, i: usize) -> bool {
        let Some(l) = self.letters.get(i) else {
            return true;
        };
        if i == 0 || l.gap >= Gap::Separator || l.spaceless {
            return true;
        }
        let prev = &self.letters[i - 1];
        // A camel-case step (`IvanPetrov`), not a capital spelled over two letters (`ß`).
        prev.spaceless || (l.upper && !prev.upper && (prev.start, prev.end) != (l.start, l.end))
    }
}

/// One identifier in the index.
struct Needle {
    /// Who or what it names (the scrubber's class index).
    owner: u32,
    /// Offsets in the key (in letters) where the identifier has a word edge.
    edges: Vec<u16>,
    /// Made only of ordinary words: counts only when each word starts with a capital.
    common: bool,
    /// Replaced in the scrubber's first pass (emails and handles: whole tokens).
    first: bool,
    /// A handle: counts only right after its `@`, which the match then includes.
    handle: bool,
    /// The key's length in letters.
    len: u16,
}

/// What the index is built from.
pub struct Entry<'a> {
    /// The identifier as the roster writes it.
    pub text: &'a str,
    /// Who or what it names.
    pub owner: u32,
    /// Counts only with capitals (a name part that is an ordinary word).
    pub common: bool,
    /// Replaced in the first pass.
    pub first: bool,
}

impl<'a> Entry<'a> {
    /// An identifier, any case, second pass.
    pub fn new(text: &'a str, owner: u32) -> Entry<'a> {
        Entry {
            text,
            owner,
            common: false,
            first: false,
        }
    }
}

/// A found identifier: the span in the original text, and its owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    /// Byte offsets in the original text.
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// The owner given at [`Entry::owner`].
    pub owner: u32,
    /// Whether it belongs to the first pass.
    pub first: bool,
}

/// The index.
pub struct NameIndex {
    automaton: Option<AhoCorasick>,
    /// Per pattern of the automaton: the needles with that key.
    by_pattern: Vec<Vec<Needle>>,
}

/// The words of an identifier as the stream reads them: its letters, and where its word
/// edges are.
fn spelled(text: &str) -> (String, Vec<u16>) {
    let letters = Letters::new(text);
    let mut edges = Vec::new();
    for i in 1..letters.letters.len() {
        if letters.edge_at(i) {
            edges.push(i as u16);
        }
    }
    (letters.key, edges)
}

impl NameIndex {
    /// Builds the index. Entries whose letters are fewer than two are left out.
    pub fn new<'a>(entries: impl IntoIterator<Item = Entry<'a>>) -> NameIndex {
        let mut keys: Vec<String> = Vec::new();
        let mut by_pattern: Vec<Vec<Needle>> = Vec::new();
        let mut position: std::collections::HashMap<String, usize> = Default::default();
        for e in entries {
            let handle = e.text.starts_with('@');
            for spelling in fold::ascii_spellings(e.text) {
                let (key, edges) = spelled(&spelling);
                let len = key.chars().count();
                if len < 2 || len > u16::MAX as usize {
                    continue;
                }
                let at = *position.entry(key.clone()).or_insert_with(|| {
                    keys.push(key);
                    by_pattern.push(Vec::new());
                    by_pattern.len() - 1
                });
                let needle = Needle {
                    owner: e.owner,
                    edges,
                    common: e.common,
                    first: e.first,
                    handle,
                    len: len as u16,
                };
                let list = &mut by_pattern[at];
                if !list.iter().any(|n| {
                    n.owner == needle.owner
                        && n.edges == needle.edges
                        && n.common == needle.common
                        && n.first == needle.first
                        && n.handle == needle.handle
                }) {
                    list.push(needle);
                }
            }
        }
        let automaton = (!keys.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(&keys)
                    .ok()
            })
            .flatten();
        NameIndex {
            automaton,
            by_pattern,
        }
    }

    /// Every identifier in `text` (overlapping; the caller picks), of one pass or of both
    /// (`None`).
    pub fn find(&self, text: &str, pass: Option<bool>) -> Vec<Found> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let letters = Letters::new(text);
        let mut out = Vec::new();
        for m in automaton.find_overlapping_iter(&letters.key) {
            if !letters.starts[m.start()]
                || (m.end() < letters.key.len() && !letters.starts[m.end()])
            {
                continue;
            }
            let first = letters.letter_of[m.start()] as usize;
            let last = letters.letter_of[m.end() - 1] as usize;
            for needle in &self.by_pattern[m.pattern().as_usize()] {
                if pass.is_some_and(|p| p != needle.first) {
                    continue;
                }
                if let Some(end) = accepted(&letters, needle, first, last) {
                    let mut start = letters.letters[first].start;
                    if needle.handle {
                        if !text[..start].ends_with('@') {
                            continue;
                        }
                        start -= 1;
                    }
                    out.push(Found {
                        start,
                        end,
                        owner: needle.owner,
                        first: needle.first,
                    });
                }
            }
        }
        out
    }
}

/// Whether letters `first..=last` are `needle` as written there; the end of the match in
/// the original (past a possessive `s`) if so.
fn accepted(letters: &Letters, needle: &Needle, first: usize, last: usize) -> Option<usize> {
    if !letters.edge_at(first) {
        return None;
    }
    for i in first + 1..=last {
        let gap = letters.letters[i].gap;
        let offset = (i - first) as u16;
        let at_edge = needle.edges.contains(&offset);
        if gap == Gap::Break || (gap == Gap::Separator && !at_edge) {
            return None;
        }
        if needle.common && at_edge && !letters.letters[i].upper {
            return None;
        }
    }
    if needle.common && !letters.letters[first].upper {
        return None;
    }
    let marked = (first + 1..=last).any(|i| letters.letters[i].gap == Gap::Markup);
    let end_of = |l: &Letter| if marked { l.tail } else { l.end };
    let mut end = end_of(&letters.letters[last]);
    if !letters.edge_at(last + 1) {
        // A possessive without its apostrophe: `Priyas`, `Nairs'`.
        let s = letters.letters.get(last + 1)?;
        if needle.len >= 3 && s.letter == 's' && s.gap <= Gap::Markup && letters.edge_at(last + 2) {
            end = end_of(s);
        } else {
            return None;
        }
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> NameIndex {
        NameIndex::new([
            Entry {
                text: "Priya Nair",
                owner: 0,
                common: false,
                first: false,
            },
            Entry {
                text: "Priya",
                owner: 0,
                common: false,
                first: false,
            },
            Entry {
                text: "Nair",
                owner: 0,
                common: false,
                first: false,
            },
            Entry {
                text: "Jo",
                owner: 1,
                common: false,
                first: false,
            },
            Entry {
                text: "O'Brien",
                owner: 2,
                common: false,
                first: false,
            },
            Entry {
                text: "Will",
                owner: 3,
                common: true,
                first: false,
            },
            Entry {
                text: "Jürgen Müller",
                owner: 4,
                common: false,
                first: false,
            },
        ])
    }

    fn spans(text: &str) -> Vec<&str> {
        let mut found = index().find(text, None);
        found.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
        found.dedup_by_key(|f| f.start);
        found.iter().map(|f| &text[f.start..f.end]).collect()
    }

    #[test]
    fn a_name_is_found_however_it_is_typed() {
        for (text, name) in [
            ("met Priya Nair today", "Priya Nair"),
            ("mail priya.nair@x", "priya.nair"),
            ("PriyaNair wrote", "PriyaNair"),
            ("https://github.com/priyanair", "priyanair"),
            ("Pri**ya** Na**ir**", "Pri**ya** Na**ir**"),
            ("P`riya` N`air`", "P`riya` N`air`"),
            ("Pr~~~~iya said", "Pr~~~~iya"),
            ("Priyas laptop", "Priyas"),
            ("the Nairs' dog", "Nairs"),
            ("OBrien, Obrien, o.brien", "OBrien"),
            ("Juergen Mueller", "Juergen Mueller"),
            ("Jurgen Muller", "Jurgen Muller"),
            ("Nаir with a Cyrillic а", "Nаir"),
        ] {
            let found = spans(text);
            assert_eq!(found.first().copied(), Some(name), "{text:?}: {found:?}");
        }
        assert_eq!(spans("OBrien, Obrien, o.brien").len(), 3);
    }

    #[test]
    fn words_that_only_contain_a_name_are_left_alone() {
        for text in [
            "an airline and a repair",
            "J. O'Connor called",
            "we will page",
            "enjoy the jobs",
            "Priyanka joined",
        ] {
            assert!(spans(text).is_empty(), "{text:?}: {:?}", spans(text));
        }
        assert_eq!(spans("Will we? WILL"), ["Will", "WILL"]);
    }
}
