//! Property tests of the scrubber: generated rosters with hard names (two letters, common
//! words, component names, non-ASCII, apostrophes) and generated free text with those
//! names in any case, inside emails and handles. The oracle here is independent of the
//! scrubber's own patterns: it looks for whole words in the output.

use proptest::prelude::*;
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::program::PublishRules;
use ttx_engine::authoring::model::roster::Roster;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::source::SourceFile;
use ttx_engine::program::anonymize::{COMMON_WORDS, Options, Scrubber, is_common, name_parts};

const FIRST: &[&str] = &[
    "Al", "Jo", "Will", "May", "Rose", "Mark", "José", "Zoë", "Łukasz", "Søren", "Ærin", "Ngozi",
    "Kai", "Vault", "Bo", "Ed", "Chloé", "Lucía", "Dmitrij", "Grace",
];
const LAST: &[&str] = &[
    "Li", "Ng", "O'Brien", "Nguyễn", "Müller", "Smith", "Rose", "Stone", "Park", "Åström", "Kafka",
    "Gateway", "Ôba", "Okafor", "Mensah", "Whitaker",
];
/// Component names of the generated architecture: names that are also these words
/// follow the common-word rule.
const COMPONENTS: &[&str] = &["vault", "kafka", "gateway"];
const FILLER: &[&str] = &[
    "we",
    "will",
    "may",
    "rose",
    "mark",
    "park",
    "stone",
    "smith",
    "vault",
    "kafka",
    "gateway",
    "paged",
    "the",
    "incident",
    "commander",
    "alert",
    "also",
    "joined",
    "edits",
    "refunds",
    "key",
    "rotated",
    "after",
    "call",
    "and",
    "then",
];

#[derive(Clone, Debug)]
struct Person {
    first: String,
    last: String,
}

impl Person {
    fn full(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
    fn email(&self) -> String {
        format!("{}.{}@acme.example", ascii(&self.first), ascii(&self.last))
    }
    fn handle(&self) -> String {
        format!("@{}{}", ascii(&self.first), self.last.len())
    }
}

fn ascii(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

fn people() -> impl Strategy<Value = Vec<Person>> {
    prop::collection::vec((0..FIRST.len(), 0..LAST.len()), 1..6).prop_map(|pairs| {
        let mut out: Vec<Person> = Vec::new();
        for (f, l) in pairs {
            let p = Person {
                first: FIRST[f].into(),
                last: LAST[l].into(),
            };
            if !out.iter().any(|q| q.full() == p.full()) {
                out.push(p);
            }
        }
        out
    })
}

fn roster_of(people: &[Person]) -> Roster {
    let mut yaml = String::from("teams:\n  - {id: t, name: Team One, poc: p0}\npeople:\n");
    for (n, p) in people.iter().enumerate() {
        yaml.push_str(&format!(
            "  - {{id: p{n}, name: \"{}\", email: \"{}\", handle: \"{}\", team: t}}\n",
            p.full(),
            p.email(),
            p.handle()
        ));
    }
    load::load_source::<Roster>(FileKind::Roster, SourceFile::new("roster.yaml", yaml))
        .expect("generated roster loads")
        .value
}

/// A piece of free text: filler, or one person's identifier in some case.
#[derive(Clone, Debug)]
enum Piece {
    Filler(usize),
    First(usize, u8),
    Last(usize, u8),
    Full(usize, u8),
    Email(usize, u8),
    Handle(usize),
    Punct(usize),
}

fn case(text: &str, variant: u8) -> String {
    match variant % 3 {
        0 => text.to_string(),
        1 => text.to_lowercase(),
        _ => text.to_uppercase(),
    }
}

fn render(pieces: &[Piece], people: &[Person]) -> String {
    let mut out = String::new();
    for piece in pieces {
        let p = |i: &usize| &people[*i % people.len()];
        let word = match piece {
            Piece::Filler(i) => FILLER[*i % FILLER.len()].to_string(),
            Piece::First(i, c) => case(&p(i).first, *c),
            Piece::Last(i, c) => case(&p(i).last, *c),
            Piece::Full(i, c) => case(&p(i).full(), *c),
            Piece::Email(i, c) => case(&p(i).email(), *c),
            Piece::Handle(i) => p(i).handle(),
            Piece::Punct(i) => [",", ".", ";", ":", "(", ")", "!", "?"][*i % 8].to_string(),
        };
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word);
    }
    out
}

fn pieces() -> impl Strategy<Value = Vec<Piece>> {
    let piece = prop_oneof![
        4 => (0..100usize).prop_map(Piece::Filler),
        1 => (0..6usize, 0..3u8).prop_map(|(i, c)| Piece::First(i, c)),
        1 => (0..6usize, 0..3u8).prop_map(|(i, c)| Piece::Last(i, c)),
        1 => (0..6usize, 0..3u8).prop_map(|(i, c)| Piece::Full(i, c)),
        1 => (0..6usize, 0..3u8).prop_map(|(i, c)| Piece::Email(i, c)),
        1 => (0..6usize).prop_map(Piece::Handle),
        1 => (0..8usize).prop_map(Piece::Punct),
    ];
    prop::collection::vec(piece, 1..40)
}

/// Whether `word` occurs in `text` with no letter or digit on either side.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn title(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| {
            c.to_uppercase()
                .chain(chars.flat_map(char::to_lowercase))
                .collect()
        })
        .unwrap_or_default()
}

fn components() -> Vec<String> {
    COMPONENTS.iter().map(|c| c.to_string()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_identifier_survives(people in people(), pieces in pieces()) {
        let roster = roster_of(&people);
        let text = render(&pieces, &people);
        let mut scrubber = Scrubber::new(Some(&roster), &PublishRules::default(), &components(), Options::default()).unwrap();
        let out = scrubber.scrub(&text);
        let lower = out.to_lowercase();
        prop_assert!(!out.contains('@'), "an email or handle survived: {out}\nfrom: {text}");
        for p in &people {
            prop_assert!(!has_word(&lower, &p.full().to_lowercase()), "{} survived: {out}\nfrom: {text}", p.full());
            for part in name_parts(&p.full()) {
                if is_common(&part, &components()) {
                    for form in [title(&part), part.to_uppercase()] {
                        prop_assert!(!has_word(&out, &form), "{form} survived: {out}\nfrom: {text}");
                    }
                } else {
                    prop_assert!(!has_word(&lower, &part.to_lowercase()), "{part} survived: {out}\nfrom: {text}");
                }
            }
        }
        prop_assert!(scrubber.leaks(&out).is_empty(), "the leak check disagrees: {:?}", scrubber.leaks(&out));
    }

    #[test]
    fn the_same_text_gets_the_same_pseudonyms(people in people(), pieces in pieces()) {
        let roster = roster_of(&people);
        let text = render(&pieces, &people);
        let run = || {
            let mut s = Scrubber::new(Some(&roster), &PublishRules::default(), &components(), Options::default()).unwrap();
            let a = s.scrub(&text);
            let b = s.scrub(&text);
            (a, b)
        };
        let (first, again) = run();
        prop_assert_eq!(&first, &again, "within one publication an identifier keeps its pseudonym");
        prop_assert_eq!(first, run().0, "two publications of the same text agree");
    }

    #[test]
    fn lower_case_common_words_stay_readable(people in people()) {
        let roster = roster_of(&people);
        let mut s = Scrubber::new(Some(&roster), &PublishRules::default(), &components(), Options::default()).unwrap();
        let text = "we will page the vault team and may call after the kafka alert";
        prop_assert_eq!(s.scrub(text), text);
    }
}

#[test]
fn the_common_word_list_is_lower_case() {
    assert!(COMMON_WORDS.iter().all(|w| w.to_lowercase() == *w));
}
