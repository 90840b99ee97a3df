//! Anonymization for publications: replaces the roster's people (full names, name parts,
//! ids, emails, handles), any email, handle, hostname or IP address, the organisation's
//! own patterns and, on request, team names, by stable pseudonyms; then checks the
//! finished output for anything that survived.
//!
//! The rule for names that are also ordinary words ("Will", "May", "Rose", or a component
//! name such as "Vault"): a full name is always replaced in any case; a name part that is
//! a common word or a component name is replaced only when written with a capital
//! ("Will", "WILL"), so "we will page" stays readable; every other name part of two or
//! more letters is replaced in any case. The leak check applies the same rule.

use std::collections::{BTreeMap, HashMap};

use regex::Regex;
use serde::Serialize;

use crate::assessment::report::Report;
use crate::authoring::load;
use crate::authoring::model::architecture::Architecture;
use crate::authoring::model::program::PublishRules;
use crate::authoring::model::roster::Roster;
use crate::authoring::project::ProgramDir;
use crate::authoring::schema::FileKind;
use crate::program::fold::Folded;
use crate::program::names::{Entry, NameIndex};

/// Words that are also given names or surnames: replaced only when capitalized.
pub const COMMON_WORDS: &[&str] = &[
    "will", "may", "rose", "mark", "bill", "grant", "hope", "faith", "joy", "june", "april",
    "august", "summer", "dawn", "sky", "amber", "ruby", "pearl", "jack", "frank", "sue", "art",
    "bob", "rob", "pat", "guy", "chase", "hunter", "drew", "lane", "miles", "ray", "sandy", "rich",
    "carol", "gene", "dean", "victor", "king", "young", "brown", "white", "black", "green", "gray",
    "grey", "long", "short", "little", "small", "baker", "cook", "smith", "park", "case", "wood",
    "hill", "field", "stone", "banks", "page", "price", "ward", "hall", "bell", "rice", "ash",
    "crystal", "destiny", "glen", "heath", "holly", "iris", "ivy", "jade", "kit", "lily", "max",
    "rocky", "rusty", "sage", "storm", "river", "reed", "penny", "patience", "noble", "moss",
    "major", "love", "lucky", "gay", "free", "fox", "fisher", "rush", "well", "wells", "west",
    "north", "south", "east", "day", "knight", "bishop", "cash", "sharp", "strong", "swift",
    "best", "golden", "story", "guest", "ford", "bush", "burns", "moody", "hardy", "frost", "snow",
    "winter", "spring", "march", "norman", "pierce", "carter", "mason", "taylor", "porter", "hunt",
    "key", "shell", "rock", "cole", "doe", "al", "van", "de", "la", "le", "von", "der", "da", "di",
    "do", "so", "no", "an", "or", "on", "in",
];

/// What kind of identifier a match is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// A roster person (by index).
    Person(usize),
    /// A roster team (by index), with `--pseudonymize-teams`.
    Team(usize),
    /// An email address.
    Email,
    /// A chat or code-host handle.
    Handle,
    /// A host name.
    Host,
    /// An IP address.
    Ip,
    /// An organisation pattern (by name).
    Custom(String),
}

struct Matcher {
    regex: Regex,
    class: Class,
    /// For the handle pattern: the capture group holding the handle.
    group: usize,
    /// Replaced in the first pass: emails, handles and the organisation's patterns, whole
    /// tokens that must not be split by a name found inside or across them.
    first: bool,
}

/// Options of a publication.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Replace team names by `Team A`, `Team B`…
    pub pseudonymize_teams: bool,
    /// Replace people only (the roster's identifiers, any email, any handle), not host
    /// names, IP addresses or the organisation's patterns: the rule for a report without
    /// `--names`, which stays inside the organisation.
    pub people_only: bool,
}

/// A surviving identifier found by the leak check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leak {
    /// 1-based line in the checked text.
    pub line: usize,
    /// 1-based column (characters).
    pub col: usize,
    /// What it is: `a roster name`, `forbidden pattern codename`…
    pub what: String,
    /// The text found.
    pub found: String,
}

/// One replacement made, for the facilitator's redaction summary (never published).
#[derive(Clone, Debug, Serialize)]
pub struct Redaction {
    /// The kind: person, team, email, handle, host, ip, or a pattern name.
    pub kind: String,
    /// The text that was replaced.
    pub original: String,
    /// What replaced it.
    pub pseudonym: String,
    /// How often.
    pub count: usize,
}

/// Replaces identifiers by stable pseudonyms and remembers what it did.
pub struct Scrubber {
    matchers: Vec<Matcher>,
    /// How many of `matchers` are the organisation's patterns (they come first and win
    /// ties, then the roster's identifiers, then the generic shapes).
    custom: usize,
    /// Every roster identifier (and team name, when pseudonymized), with `owners`.
    names: NameIndex,
    owners: Vec<Class>,
    forbid: Vec<(String, Regex)>,
    person_labels: Vec<Option<String>>,
    team_names: Vec<String>,
    pseudonyms: HashMap<(Class, String), String>,
    counters: HashMap<String, usize>,
    counts: BTreeMap<(String, String), (String, usize)>,
}

/// The name parts worth matching: each word of the (folded) name and each half of a word
/// joined by a hyphen or an apostrophe (`Smith-Jones` gives `Smith-Jones`, `Smith` and
/// `Jones`; `O'Brien` gives `O'Brien` and `Brien`), trimmed of punctuation, of two or more
/// letters.
pub fn name_parts(name: &str) -> Vec<String> {
    let folded = Folded::new(name).text;
    let mut parts: Vec<String> = Vec::new();
    let trim = |p: &str| p.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    for word in folded.split_whitespace() {
        let word = trim(word);
        for piece in std::iter::once(word.as_str()).chain(word.split(['-', '\''])) {
            let piece = trim(piece);
            if piece.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !parts.contains(&piece) {
                parts.push(piece);
            }
        }
    }
    parts
}

/// Whether a name part is read as an ordinary word (replaced only when capitalized).
pub fn is_common(part: &str, component_words: &[String]) -> bool {
    let lower = part.to_lowercase();
    COMMON_WORDS.contains(&lower.as_str()) || component_words.contains(&lower)
}

const EMAIL: &str = r"(?i)\b[a-z0-9._%+'-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b";
const HANDLE: &str = r"(?:^|[^\w.@/])(@[\w][\w.-]*[\w]|@[\w])";
const IPV4: &str = r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b";
// Full form, or compressed with `::`; times such as 0:20:00 are neither.
const IPV6: &str = r"(?i)\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|(?i)\b(?:[0-9a-f]{1,4}:)+:(?:[0-9a-f]{1,4}:)*[0-9a-f]{1,4}\b";
const HOST: &str = r"(?i)\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,}[a-z][a-z0-9-]{1,62}\b";

/// Top-level domains and internal suffixes that make a two-label name a host name
/// (`vault.internal`); three labels or more always are.
const HOST_SUFFIXES: &[&str] = &[
    "com", "net", "org", "io", "dev", "app", "cloud", "internal", "local", "lan", "corp", "intra",
    "intranet", "prod", "stage", "staging", "svc", "cluster", "example", "co", "uk", "de", "fr",
    "nl", "eu", "us", "ai", "biz", "info", "tech", "site", "online", "host", "aws", "azure", "gcp",
];

fn is_host(candidate: &str) -> bool {
    let labels: Vec<&str> = candidate.split('.').collect();
    let last = labels.last().map(|l| l.to_lowercase()).unwrap_or_default();
    labels.len() >= 3 || HOST_SUFFIXES.contains(&last.as_str())
}

impl Scrubber {
    /// Builds the scrubber from the roster, the organisation's rules and the words that
    /// are component names (lower case).
    pub fn new(
        roster: Option<&Roster>,
        rules: &PublishRules,
        component_words: &[String],
        options: Options,
    ) -> Result<Scrubber, String> {
        let bad = |e: regex::Error| e.to_string();
        let mut matchers = Vec::new();
        let no_rules = PublishRules::default();
        let rules = if options.people_only {
            &no_rules
        } else {
            rules
        };
        for rule in &rules.redact {
            matchers.push(Matcher {
                regex: Regex::new(&rule.pattern).map_err(bad)?,
                class: Class::Custom(rule.name.to_string()),
                group: 0,
                first: true,
            });
        }
        let custom = matchers.len();
        let mut person_labels = Vec::new();
        let mut team_names = Vec::new();
        let mut owners = Vec::new();
        let mut entries: Vec<(String, u32, bool, bool)> = Vec::new();
        if let Some(roster) = roster {
            for (n, p) in roster.people.iter().enumerate() {
                let owner = owners.len() as u32;
                owners.push(Class::Person(n));
                let mut add = |text: &str, common: bool, first: bool| {
                    entries.push((text.to_string(), owner, common, first));
                };
                if let Some(e) = p.email.as_deref().filter(|e| !e.is_empty()) {
                    add(e, false, true);
                    // The local part's pieces are name parts too (`lucia.romero@` for
                    // Lucía Romero, `iivanova@`).
                    let local = e.split('@').next().unwrap_or("");
                    add(local, false, false);
                    for piece in local.split(['.', '_', '-', '+']) {
                        add(piece, is_common(piece, component_words), false);
                    }
                }
                if let Some(h) = p.handle.as_deref().filter(|h| !h.is_empty()) {
                    let bare = h.trim_start_matches('@');
                    add(&format!("@{bare}"), false, true);
                    // A bare handle that is an ordinary word ("will") follows the
                    // common-word rule; with its `@` it is always replaced.
                    add(bare, is_common(bare, component_words), false);
                }
                add(p.id.as_str(), false, false);
                add(&p.name, false, false);
                let parts = name_parts(&p.name);
                for part in &parts {
                    add(part, is_common(part, component_words), false);
                }
                // The first initial and the surname run together, as in a login or a
                // path: `pnair`, `/home/pnair`.
                let words: Vec<&str> = p.name.split_whitespace().collect();
                if let (Some(first), Some(last)) = (words.first(), words.last())
                    && words.len() >= 2
                    && let Some(initial) = first.chars().next()
                {
                    let joined = format!("{initial}{}", last.replace(['-', '\''], ""));
                    if joined.chars().count() >= 4 {
                        add(&joined, false, false);
                    }
                }
                let roles: Vec<&str> = roster
                    .roles
                    .iter()
                    .filter(|(_, a)| a.people.iter().any(|x| x.as_str() == p.id.as_str()))
                    .map(|(r, _)| r.as_str())
                    .collect();
                person_labels.push(match roles.as_slice() {
                    [one] => Some(one.to_string()),
                    _ => None,
                });
            }
            for (n, t) in roster.teams.iter().enumerate() {
                team_names.push(t.name.clone());
                if options.pseudonymize_teams {
                    entries.push((t.name.clone(), owners.len() as u32, false, false));
                    owners.push(Class::Team(n));
                }
            }
        }
        let names = NameIndex::new(entries.iter().map(|(text, owner, common, first)| Entry {
            text,
            owner: *owner,
            common: *common,
            first: *first,
        }));
        let shapes = [
            (EMAIL, Class::Email, 0),
            (HANDLE, Class::Handle, 1),
            (IPV6, Class::Ip, 0),
            (IPV4, Class::Ip, 0),
            (HOST, Class::Host, 0),
        ];
        let people = if options.people_only { 2 } else { shapes.len() };
        for (pattern, class, group) in shapes.into_iter().take(people) {
            let first = matches!(class, Class::Email | Class::Handle);
            matchers.push(Matcher {
                regex: Regex::new(pattern).map_err(bad)?,
                class,
                group,
                first,
            });
        }
        let mut forbid = Vec::new();
        for rule in &rules.forbid {
            forbid.push((
                rule.name.to_string(),
                Regex::new(&rule.pattern).map_err(bad)?,
            ));
        }
        Ok(Scrubber {
            matchers,
            custom,
            names,
            owners,
            forbid,
            person_labels,
            team_names,
            pseudonyms: HashMap::new(),
            counters: HashMap::new(),
            counts: BTreeMap::new(),
        })
    }

    /// The matches of the matchers of one pass (or of all, with `None`) in `text` that
    /// do not touch a protected span, leftmost-longest and not overlapping: (start, end,
    /// class).
    fn matches(
        &self,
        text: &str,
        pass: Option<bool>,
        protected: &[(usize, usize)],
    ) -> Vec<(usize, usize, Class)> {
        // Matched in the folded text, replaced in the original; (start, end, rank, class)
        // where the rank breaks ties: the organisation's patterns, then the roster, then
        // the generic shapes.
        let folded = Folded::new(text);
        let mut found: Vec<(usize, usize, usize, Class)> = Vec::new();
        let free =
            |start: usize, end: usize| !protected.iter().any(|(ps, pe)| start < *pe && *ps < end);
        for (n, m) in self.matchers.iter().enumerate() {
            if pass.is_some_and(|first| first != m.first) {
                continue;
            }
            for caps in m.regex.captures_iter(&folded.text) {
                let Some(g) = caps.get(m.group) else { continue };
                if m.class == Class::Host && !is_host(g.as_str()) {
                    continue;
                }
                let (start, end) = folded.original(g.start(), g.end());
                if free(start, end) {
                    let rank = if n < self.custom { n } else { n + 1 };
                    found.push((start, end, rank, m.class.clone()));
                }
            }
        }
        for f in self.names.find(text, pass) {
            let start = f.start;
            if free(start, f.end) {
                found.push((
                    start,
                    f.end,
                    self.custom,
                    self.owners[f.owner as usize].clone(),
                ));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut chosen: Vec<(usize, usize, Class)> = Vec::new();
        for (start, end, _, class) in found {
            if chosen.last().is_none_or(|last| start >= last.1) {
                chosen.push((start, end, class));
            }
        }
        chosen
    }

    fn pseudonym(&mut self, class: &Class, original: &str) -> String {
        let canonical = match class {
            Class::Person(_) | Class::Team(_) => String::new(),
            _ => original.to_lowercase(),
        };
        let key = (class.clone(), canonical);
        if let Some(p) = self.pseudonyms.get(&key) {
            return p.clone();
        }
        let mut next = |kind: &str| {
            let n = self.counters.entry(kind.to_string()).or_insert(0);
            *n += 1;
            *n
        };
        let made = match class {
            Class::Person(i) => match self.person_labels.get(*i).cloned().flatten() {
                Some(role) => format!("[{role}]"),
                None => format!("[person {}]", next("person")),
            },
            Class::Team(i) => format!("Team {}", team_letter(*i)),
            Class::Email => format!("[email {}]", next("email")),
            Class::Handle => format!("[handle {}]", next("handle")),
            Class::Host => format!("[host {}]", next("host")),
            Class::Ip => format!("[ip {}]", next("ip")),
            Class::Custom(name) => format!("[{name} {}]", next(name)),
        };
        self.pseudonyms.insert(key, made.clone());
        made
    }

    /// The text with every identifier replaced: first emails, handles and the
    /// organisation's patterns, then names, ids, hosts and addresses in what is left.
    pub fn scrub(&mut self, text: &str) -> String {
        let first = self.matches(text, Some(true), &[]);
        let (mid, protected) = self.replace(text, first);
        let second = self.matches(&mid, Some(false), &protected);
        self.replace(&mid, second).0
    }

    /// Replaces the chosen matches; returns the text and the spans of the pseudonyms.
    fn replace(
        &mut self,
        text: &str,
        matches: Vec<(usize, usize, Class)>,
    ) -> (String, Vec<(usize, usize)>) {
        if matches.is_empty() {
            return (text.to_string(), Vec::new());
        }
        let mut out = String::with_capacity(text.len());
        let mut spans = Vec::new();
        let mut at = 0;
        for (start, end, class) in matches {
            out.push_str(&text[at..start]);
            let original = &text[start..end];
            let pseudonym = self.pseudonym(&class, original);
            self.count(&class, original, &pseudonym);
            spans.push((out.len(), out.len() + pseudonym.len()));
            out.push_str(&pseudonym);
            at = end;
        }
        out.push_str(&text[at..]);
        (out, spans)
    }

    /// A team's published name: itself, or its pseudonym with `--pseudonymize-teams`.
    pub fn team(&mut self, name: &str) -> String {
        match self.team_names.iter().position(|t| t == name) {
            Some(i) if self.owners.contains(&Class::Team(i)) => {
                let p = self.pseudonym(&Class::Team(i), name);
                self.count(&Class::Team(i), name, &p);
                p
            }
            _ => self.scrub(name),
        }
    }

    /// Counts one replacement for the redaction summary.
    fn count(&mut self, class: &Class, original: &str, pseudonym: &str) {
        let kind = match class {
            Class::Person(_) => "person",
            Class::Team(_) => "team",
            Class::Email => "email",
            Class::Handle => "handle",
            Class::Host => "host",
            Class::Ip => "ip",
            Class::Custom(name) => name,
        };
        let entry = self
            .counts
            .entry((kind.to_string(), original.to_string()))
            .or_insert_with(|| (pseudonym.to_string(), 0));
        entry.1 += 1;
    }

    /// What was replaced, how often: for the facilitator, never for the publication.
    pub fn summary(&self) -> Vec<Redaction> {
        self.counts
            .iter()
            .map(|((kind, original), (pseudonym, count))| Redaction {
                kind: kind.clone(),
                original: original.clone(),
                pseudonym: pseudonym.clone(),
                count: *count,
            })
            .collect()
    }

    /// The leak check: every roster identifier, team name (when pseudonymized),
    /// organisation pattern and forbidden pattern still in `text`, outside the pseudonyms
    /// this scrubber issued. The generic shapes (emails, handles, hosts, IP addresses)
    /// are replaced but not checked: the pages' own markup has such shapes (`@media`).
    pub fn leaks(&self, text: &str) -> Vec<Leak> {
        let mut masked = text.to_string();
        let mut issued: Vec<&String> = self.pseudonyms.values().collect();
        issued.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for p in issued {
            // Same length keeps positions; `#` is neither a word character nor space, so
            // a name cannot be matched across a masked pseudonym.
            masked = masked.replace(p.as_str(), &"#".repeat(p.len()));
        }
        let mut leaks = Vec::new();
        for (start, end, class) in self.matches(&masked, None, &[]) {
            let what = match &class {
                Class::Person(_) => "a roster name or identifier".to_string(),
                Class::Team(_) => "a team name".to_string(),
                Class::Custom(name) => format!("pattern `{name}`"),
                Class::Email | Class::Handle | Class::Host | Class::Ip => continue,
            };
            leaks.push(leak_at(&masked, start, end, what));
        }
        for (name, regex) in &self.forbid {
            for m in regex.find_iter(&masked) {
                leaks.push(leak_at(
                    &masked,
                    m.start(),
                    m.end(),
                    format!("forbidden pattern `{name}`"),
                ));
            }
        }
        leaks.sort_by_key(|l| (l.line, l.col));
        leaks
    }
}

fn team_letter(i: usize) -> String {
    let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    if i < 26 {
        (letters[i] as char).to_string()
    } else {
        format!("{}{}", letters[i / 26 - 1] as char, letters[i % 26] as char)
    }
}

fn leak_at(text: &str, start: usize, end: usize, what: String) -> Leak {
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before, |i| &before[i + 1..])
        .chars()
        .count()
        + 1;
    Leak {
        line,
        col,
        what,
        found: text[start..end].to_string(),
    }
}

/// The words that are component names in the program's architecture (its ids and names,
/// split into words of two or more letters, lower case): a name part that is one of them
/// is read as an ordinary word. An architecture that does not load gives none (its
/// problem is `ttx validate`'s to report).
pub fn component_words(program: &ProgramDir) -> Vec<String> {
    let Ok(loaded) = load::load_file::<Architecture>(
        FileKind::Architecture,
        &program.architecture_path(),
        program.max_file_bytes(),
    ) else {
        return Vec::new();
    };
    architecture_words(&loaded.value)
}

/// [`component_words`] of an architecture already loaded.
pub fn architecture_words(architecture: &Architecture) -> Vec<String> {
    let mut words = Vec::new();
    for c in &architecture.components {
        let text = format!("{} {}", c.id.as_str(), c.name.as_deref().unwrap_or(""));
        for w in text.split(|ch: char| !ch.is_alphanumeric()) {
            let w = w.to_lowercase();
            if w.chars().count() >= 2 && !words.contains(&w) {
                words.push(w);
            }
        }
    }
    words
}

/// A report without `--names`: the text the room typed (see [`Report::map_room_text`])
/// with the roster's people replaced by their role, or `[person N]` for someone with no
/// single role, and every email and handle by `[email N]`, `[handle N]`, as a
/// publication replaces them. Host names, IP addresses and the organisation's publish
/// patterns stay: the report does not leave the organisation.
pub fn scrub_report(report: &mut Report, roster: Option<&Roster>, component_words: &[String]) {
    let options = Options {
        people_only: true,
        ..Options::default()
    };
    // Without the organisation's patterns nothing here is a regex from outside, so the
    // scrubber cannot fail to build; should it, the report keeps nothing it cannot
    // vouch for.
    match Scrubber::new(roster, &PublishRules::default(), component_words, options) {
        Ok(mut scrubber) => report.map_room_text(&mut |text| scrubber.scrub(text)),
        Err(_) => report.map_room_text(&mut |_| "[withheld]".to_string()),
    }
}

/// HTML text with the entities the templates write turned back into characters, so the
/// leak check sees `O'Brien` where the page has `O&#x27;Brien`.
pub fn html_text(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authoring::load;
    use crate::authoring::schema::FileKind;

    fn roster() -> Roster {
        let text = "teams:\n  - {id: sec, name: Security Engineering, poc: will-may}\npeople:\n  - {id: will-may, name: Will May, email: will.may@acme.example, handle: wmay, team: sec}\n  - {id: jo-nguyen, name: Jo Nguyễn, team: sec}\nroles:\n  ic: {team: sec, people: [will-may]}\n";
        load::load_source::<Roster>(
            FileKind::Roster,
            crate::authoring::source::SourceFile::new("roster.yaml", text),
        )
        .unwrap()
        .value
    }

    fn scrubber(teams: bool) -> Scrubber {
        Scrubber::new(
            Some(&roster()),
            &PublishRules::default(),
            &[],
            Options {
                pseudonymize_teams: teams,
                ..Options::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn people_become_roles_and_common_words_stay_readable() {
        let mut s = scrubber(false);
        let out = s.scrub("Will May said we will page jo nguyễn; may we? WILL agreed. Mail will.may@acme.example or @wmay.");
        assert_eq!(
            out,
            "[ic] said we will page [person 1]; may we? [ic] agreed. Mail [ic] or [ic]."
        );
        assert!(s.leaks(&out).is_empty(), "{:?}", s.leaks(&out));
    }

    #[test]
    fn hosts_ips_and_emails_are_replaced_consistently() {
        let mut s = scrubber(false);
        let out = s.scrub("db-01.prod.acme.internal at 10.0.3.7 and 10.0.3.7; see runbook.md, e.g. node.js; ops@vendor.com; fe80::1 at 0:20:00");
        assert_eq!(
            out,
            "[host 1] at [ip 1] and [ip 1]; see runbook.md, e.g. node.js; [email 1]; [ip 2] at 0:20:00"
        );
    }

    #[test]
    fn teams_get_letters_when_asked() {
        let mut s = scrubber(true);
        assert_eq!(s.scrub("Security Engineering owns it"), "Team A owns it");
        assert_eq!(s.team("Security Engineering"), "Team A");
        let mut kept = scrubber(false);
        assert_eq!(kept.team("Security Engineering"), "Security Engineering");
    }

    #[test]
    fn the_leak_check_finds_what_was_not_scrubbed() {
        let s = scrubber(false);
        let leaks = s.leaks("fine\nthen Jo Nguyễn wrote");
        assert_eq!(leaks.len(), 1, "{leaks:?}");
        assert_eq!((leaks[0].line, leaks[0].col), (2, 6));
    }

    #[test]
    fn html_entities_do_not_hide_a_name() {
        assert_eq!(html_text("O&#x27;Brien &amp; co"), "O'Brien & co");
    }
}
