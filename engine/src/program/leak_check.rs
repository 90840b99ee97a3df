//! The second leak check of a publication, independent of the scrubber: it shares none of
//! its matching code (only the list of scripts written without spaces), so a scrubber miss is refused rather than published. It reads the
//! finished page as a reader's screen shows it (markup dropped, entities and
//! percent-escapes decoded), cuts it into words the way a reader sees them (runs of letters
//! and digits; in scripts without spaces, each character), and reduces every word to its
//! UTS #39 skeleton, lower case and without accents, so invisible characters, other
//! normalization forms, look-alike letters from other scripts and diacritics cannot hide a
//! name. A roster identifier is found when its words follow each other with nothing but
//! spaces or identifier punctuation (`-_./@+'`) between them; a name part alone when it is
//! one word. The common-word rule is the scrubber's documented one: a part (or an
//! identifier made only of parts) that is an ordinary word or a component name counts
//! only when written with a capital.

use std::collections::HashMap;

use unicode_normalization::char::is_combining_mark;
use unicode_security::confusable_detection::skeleton;

use crate::authoring::model::roster::Roster;
use crate::program::anonymize::{COMMON_WORDS, Leak};
// What is shared with the scrubber is how text is folded (which scripts are written
// without spaces, which characters are markup, how a character is reduced and how a name
// is typed in ASCII), never how it is matched.
use crate::program::fold::{self, is_markup, reduce, spaceless};

/// Punctuation that may join the words of one identifier (`first.last`, `first_last`,
/// `/u/first-last`, `first+last@`).
const JOINERS: &[char] = &['-', '_', '.', '/', '@', '+', '\'', '\u{2019}'];

/// What the second check looks for.
pub struct Needles {
    needles: Vec<Needle>,
    /// From a needle's first word to the needles that start with it.
    by_first: HashMap<String, Vec<usize>>,
    /// From a needle's words run together (`priyanair`, `obrien`) to the needles.
    by_joined: HashMap<String, Vec<usize>>,
}

struct Needle {
    words: Vec<String>,
    /// Made only of ordinary words: found only when every word has a capital.
    common: bool,
    what: &'static str,
}

/// One word of a page.
struct Word {
    skeleton: String,
    capital: bool,
    start: usize,
    end: usize,
}

impl Needles {
    /// Every roster identifier (names, ids, emails, handles), every name part of two or
    /// more letters, the pieces of each email's local part, each name's initial and
    /// surname run together, each as typed on an ASCII keyboard too (`Mueller` for
    /// `Müller`), and with `teams` every team name.
    pub fn new(roster: &Roster, component_words: &[String], teams: bool) -> Needles {
        let ordinary = |w: &str| {
            COMMON_WORDS.contains(&w) || component_words.iter().any(|c| c.to_lowercase() == w)
        };
        let mut needles: Vec<Needle> = Vec::new();
        let mut seen: std::collections::HashSet<Vec<String>> = Default::default();
        let mut add = |text: &str, what: &'static str, needles: &mut Vec<Needle>| {
            for spelling in fold::ascii_spellings(text) {
                let (page_words, _) = words(&spelling);
                let plain: Vec<String> = page_words
                    .iter()
                    .map(|w| plain_lower(&spelling, w))
                    .collect();
                let skeletons: Vec<String> = page_words.into_iter().map(|w| w.skeleton).collect();
                if skeletons.is_empty() || !seen.insert(skeletons.clone()) {
                    continue;
                }
                needles.push(Needle {
                    common: plain.iter().all(|w| ordinary(w)),
                    words: skeletons,
                    what,
                });
            }
        };
        for p in &roster.people {
            for identifier in [
                Some(p.name.as_str()),
                Some(p.id.as_str()),
                p.email.as_deref(),
                p.handle.as_deref(),
            ]
            .into_iter()
            .flatten()
            .filter(|i| !i.trim().is_empty())
            {
                add(identifier, "a roster name or identifier", &mut needles);
            }
            let (name_words, _) = words(&p.name);
            for w in &name_words {
                if w.skeleton.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
                    add(&p.name[w.start..w.end], "a roster name", &mut needles);
                }
            }
            if let Some(local) = p.email.as_deref().and_then(|e| e.split('@').next()) {
                for piece in local.split(['.', '_', '-', '+']) {
                    if piece.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
                        add(piece, "a roster name", &mut needles);
                    }
                }
            }
            let tokens: Vec<&str> = p.name.split_whitespace().collect();
            if let (Some(first), Some(last)) = (tokens.first(), tokens.last())
                && tokens.len() >= 2
                && let Some(initial) = first.chars().next()
            {
                let joined = format!("{initial}{}", last.replace(['-', '\''], ""));
                if joined.chars().count() >= 4 {
                    add(&joined, "a roster name", &mut needles);
                }
            }
        }
        if teams {
            for t in &roster.teams {
                add(&t.name, "a team name", &mut needles);
            }
        }
        let mut by_first: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_joined: HashMap<String, Vec<usize>> = HashMap::new();
        for (n, needle) in needles.iter().enumerate() {
            by_first.entry(needle.words[0].clone()).or_default().push(n);
            by_joined.entry(needle.words.concat()).or_default().push(n);
        }
        Needles {
            needles,
            by_first,
            by_joined,
        }
    }

    /// Every roster identifier on a finished page (`html` for an HTML page), with its
    /// line and column in the page's visible text.
    pub fn find(&self, page: &str, html: bool) -> Vec<Leak> {
        let text = visible(page, html);
        let (found, runs) = words(&text);
        let mut leaks = Vec::new();
        // A possessive without its apostrophe: `Priyas`, `Nairs'`.
        let bare = |w: &Word| {
            (w.skeleton.len() >= 4)
                .then(|| w.skeleton.strip_suffix('s'))
                .flatten()
                .map(str::to_string)
        };
        for (i, first) in found.iter().enumerate() {
            let Some(candidates) = self.by_first.get(&first.skeleton) else {
                continue;
            };
            for &n in candidates {
                let needle = &self.needles[n];
                let Some(run) = found.get(i..i + needle.words.len()) else {
                    continue;
                };
                let last = run.len() - 1;
                let same = run
                    .iter()
                    .zip(&needle.words)
                    .enumerate()
                    .all(|(k, (w, s))| {
                        &w.skeleton == s || (k == last && bare(w).as_ref() == Some(s))
                    });
                let joined = run.windows(2).all(|p| {
                    text[p[0].end..p[1].start].chars().all(|c| {
                        c.is_whitespace() || JOINERS.contains(&c) || ignorable(c) || is_markup(c)
                    })
                });
                let capital = !needle.common || run.iter().all(|w| w.capital);
                if same && joined && capital {
                    let (start, end) = (run[0].start, run[last].end);
                    leaks.push(at(&text, start, end, needle.what));
                }
            }
        }
        // Words run together: `PriyaNair`, `priyanair`, `OBrien`.
        for w in &runs {
            for key in std::iter::once(Some(w.skeleton.clone()))
                .chain([bare(w)])
                .flatten()
            {
                let Some(candidates) = self.by_joined.get(&key) else {
                    continue;
                };
                if let Some(&n) = candidates
                    .iter()
                    .find(|&&n| !self.needles[n].common || w.capital)
                {
                    leaks.push(at(&text, w.start, w.end, self.needles[n].what));
                    break;
                }
            }
        }
        leaks.sort_by_key(|l| (l.line, l.col, std::cmp::Reverse(l.found.len())));
        leaks.dedup_by_key(|l| (l.line, l.col));
        leaks
    }
}

/// The page as a reader sees it: for HTML, markup, styles and scripts blanked (newlines
/// kept, so lines stay where they were); then entities and percent-escapes decoded.
fn visible(page: &str, html: bool) -> String {
    let mut text = page.to_string();
    if html {
        let mut out = String::with_capacity(page.len());
        let mut rest = page;
        while let Some(open) = rest.find('<') {
            out.push_str(&rest[..open]);
            let tail = &rest[open..];
            let lower = tail.get(..8).unwrap_or(tail).to_ascii_lowercase();
            let close = if lower.starts_with("<style") {
                find_ci(tail, "</style>")
            } else if lower.starts_with("<script") {
                find_ci(tail, "</script>")
            } else if tail.starts_with("<!--") {
                tail.find("-->").map(|e| e + 3)
            } else {
                tail.find('>').map(|e| e + 1)
            };
            let end = close.unwrap_or(tail.len());
            out.extend(
                tail[..end]
                    .chars()
                    .map(|c| if c == '\n' { '\n' } else { ' ' }),
            );
            rest = &tail[end..];
        }
        out.push_str(rest);
        text = out;
    }
    let decoded = html_escape::decode_html_entities(&text).into_owned();
    percent_encoding::percent_decode_str(&decoded)
        .decode_utf8_lossy()
        .into_owned()
}

fn find_ci(text: &str, needle: &str) -> Option<usize> {
    text.to_ascii_lowercase()
        .find(needle)
        .map(|at| at + needle.len())
}

/// A character that displays as nothing: the skeleton drops it.
fn ignorable(c: char) -> bool {
    let mut buf = [0u8; 4];
    skeleton(c.encode_utf8(&mut buf)).next().is_none()
}

/// The words of a text: runs of letters, digits and marks (invisible characters and
/// Markdown's emphasis markers inside are skipped, not breaks), each character of a
/// script without spaces a word of its own. Returns the words cut also at camel-case steps
/// (`IvanPetrov` gives `Ivan` and `Petrov`), and the whole runs.
fn words(text: &str) -> (Vec<Word>, Vec<Word>) {
    let mut pieces = Vec::new();
    let mut runs = Vec::new();
    let mut start: Option<usize> = None;
    let mut piece: Option<usize> = None;
    let mut prev_lower = false;
    let finish = |start: usize, end: usize, out: &mut Vec<Word>| {
        let raw = &text[start..end];
        let kept: String = raw.chars().filter(|c| !is_markup(*c)).collect();
        let skeleton = reduce(&kept);
        if !skeleton.is_empty() {
            out.push(Word {
                capital: kept
                    .chars()
                    .find(|c| c.is_alphabetic())
                    .is_some_and(char::is_uppercase),
                skeleton,
                start,
                end,
            });
        }
    };
    for (at, c) in text.char_indices() {
        let inside = start.is_some() && (ignorable(c) || is_markup(c));
        if spaceless(c) {
            if let (Some(s), Some(p)) = (start.take(), piece.take()) {
                finish(p, at, &mut pieces);
                finish(s, at, &mut runs);
            }
            finish(at, at + c.len_utf8(), &mut pieces);
            finish(at, at + c.len_utf8(), &mut runs);
            prev_lower = false;
        } else if c.is_alphanumeric() || is_combining_mark(c) || inside {
            if c.is_uppercase()
                && prev_lower
                && let Some(p) = piece
            {
                finish(p, at, &mut pieces);
                piece = Some(at);
            }
            start.get_or_insert(at);
            piece.get_or_insert(at);
            if c.is_alphabetic() {
                prev_lower = c.is_lowercase();
            }
        } else {
            if let (Some(s), Some(p)) = (start.take(), piece.take()) {
                finish(p, at, &mut pieces);
                finish(s, at, &mut runs);
            }
            prev_lower = false;
        }
    }
    if let (Some(s), Some(p)) = (start, piece) {
        finish(p, text.len(), &mut pieces);
        finish(s, text.len(), &mut runs);
    }
    (pieces, runs)
}

/// A word as the roster spells it, lower case, for the common-word rule.
fn plain_lower(text: &str, w: &Word) -> String {
    text[w.start..w.end]
        .chars()
        .filter(|c| !ignorable(*c))
        .collect::<String>()
        .to_lowercase()
}

fn at(text: &str, start: usize, end: usize, what: &str) -> Leak {
    let before = &text[..start];
    Leak {
        line: before.matches('\n').count() + 1,
        col: before
            .rfind('\n')
            .map_or(before, |i| &before[i + 1..])
            .chars()
            .count()
            + 1,
        what: format!("{what} (second check)"),
        found: text[start..end].to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authoring::load;
    use crate::authoring::schema::FileKind;
    use crate::authoring::source::SourceFile;

    fn needles() -> Needles {
        let text = "teams:\n  - {id: sec, name: Security Engineering, poc: will-may}\npeople:\n  - {id: will-may, name: Will May, email: will.may@acme.example, handle: wmay, team: sec}\n  - {id: zoe, name: Zoë Smith-Jones, team: sec}\n  - {id: wang, name: 王小明, team: sec}\nroles:\n  ic: {team: sec, people: [will-may]}\n";
        let roster = load::load_source::<Roster>(FileKind::Roster, SourceFile::new("r.yaml", text))
            .unwrap()
            .value;
        Needles::new(&roster, &[], false)
    }

    #[test]
    fn names_are_found_however_they_are_written() {
        let n = needles();
        for page in [
            "met Zoe\u{0308} yesterday",
            "met Zo\u{200B}ë yesterday",
            "see /u/zoe.smith-jones",
            "ping Zoe_Smith",
            "call JONES now",
            "Smith-\nJones wrote",
            "<p>Zo&euml; wrote</p>",
            "https://x.example/u/Zo%C3%AB",
            "会议上王小明说",
            "Will May agreed",
            "mail will.may@acme.example",
            "Zоë with a Cyrillic o",
            // Issue 27: what a held-out run published.
            "ZoeSmithJones wrote",
            "https://github.com/zoesmithjones",
            "Zo**ë** Smith",
            "Z`oë` Sm`ith`",
            "Zo~~~~ë Smith",
            "Zoës laptop",
            "Smith-Jones's and SmithJoness",
            "/home/zsmithjones/.ssh",
        ] {
            assert!(!n.find(page, true).is_empty(), "missed in {page:?}");
        }
    }

    #[test]
    fn ordinary_words_and_markup_are_not_names() {
        let n = needles();
        for page in [
            "we will page them; may we?",
            "<style>.smith { color: red }</style><p>fine</p>",
            "a blacksmith and a jonesing",
            "[ic] and [person 1] decided",
        ] {
            assert!(
                n.find(page, true).is_empty(),
                "{page:?}: {:?}",
                n.find(page, true)
            );
        }
    }

    #[test]
    fn a_leak_says_where() {
        let leaks = needles().find("fine\nthen Zoë wrote", false);
        assert_eq!((leaks[0].line, leaks[0].col), (2, 6));
    }
}
