//! Property tests of the scrubber: generated rosters with hard names (two letters, common
//! words, component names, non-ASCII, apostrophes, hyphenated surnames) and generated free
//! text with those names in any case, inside emails and handles, and in the forms people
//! really type them: NFD, with zero-width characters or a soft hyphen inside, a
//! typographic apostrophe, one half of a hyphenated surname, the name broken across a line
//! at its hyphen, inside identifiers and URLs, percent-encoded, as HTML entities, and in
//! scripts without spaces. Two oracles, both independent of the scrubber's patterns: whole
//! words in the output, and the second leak check (`leak_check`), which must also find the
//! variants in the text before scrubbing (so it is not blind).

use proptest::prelude::*;
use ttx_engine::authoring::load;
use ttx_engine::authoring::model::program::PublishRules;
use ttx_engine::authoring::model::roster::Roster;
use ttx_engine::authoring::schema::FileKind;
use ttx_engine::authoring::source::SourceFile;
use ttx_engine::program::anonymize::{COMMON_WORDS, Options, Scrubber, is_common, name_parts};
use ttx_engine::program::leak_check::Needles;

const FIRST: &[&str] = &[
    "Al", "Jo", "Will", "May", "Rose", "Mark", "José", "Zoë", "Łukasz", "Søren", "Ærin", "Ngozi",
    "Kai", "Vault", "Bo", "Ed", "Chloé", "Lucía", "Dmitrij", "Grace",
];
const LAST: &[&str] = &[
    "Li",
    "Ng",
    "O'Brien",
    "Nguyễn",
    "Müller",
    "Smith",
    "Rose",
    "Stone",
    "Park",
    "Åström",
    "Kafka",
    "Gateway",
    "Ôba",
    "Okafor",
    "Mensah",
    "Whitaker",
    "Smith-Jones",
    "García-Márquez",
    "D'Angelo",
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
    /// A person's name as people really type it (see [`variant`]).
    Variant(usize, u8),
}

/// The forms of a full name the scrubber must see through.
const VARIANTS: u8 = 20;

fn variant(p: &Person, v: u8) -> String {
    use unicode_normalization::UnicodeNormalization;
    let full = p.full();
    let mut last = p.last.chars();
    let head: String = last.next().into_iter().collect();
    let tail: String = last.collect();
    match v % VARIANTS {
        0 => full.nfd().collect(),
        1 => format!("{} {head}\u{200B}{tail}", p.first),
        2 => format!("{} {head}\u{00AD}{tail}", p.first),
        3 => format!("{}\u{200D} {}", p.first, p.last),
        4 => full.replace('\'', "\u{2019}"),
        5 => format!("/u/{}.{}", p.first.to_lowercase(), p.last.to_lowercase()),
        6 => format!("{}_{}", p.first, p.last.replace(' ', "_")),
        7 => full
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect(),
        8 => full
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    format!("&#{};", c as u32)
                }
            })
            .collect(),
        // One half of a hyphenated surname, with the first name; or broken at the hyphen.
        9 => format!(
            "{} {}",
            p.first,
            p.last.split('-').next_back().unwrap_or(&p.last)
        ),
        10 => full.replace('-', "-\n"),
        // Issue 27: what a held-out run published. Camel-case and run-together joins.
        11 => format!("{}{}", p.first, p.last.replace(['\'', '-'], "")),
        12 => format!("https://github.com/{}{}", plain(&p.first), plain(&p.last)),
        // Markdown emphasis, code and strike-through inside the name.
        13 => {
            let (a, b) = halves(&p.first);
            format!("{a}**{b}** {}", p.last)
        }
        14 => {
            let (a, b) = halves(&p.first);
            let (c, d) = halves(&p.last);
            format!("{a}`{b}` {c}`{d}`")
        }
        15 => {
            let (a, b) = halves(&p.first);
            format!("{a}~~~~{b} {}", p.last)
        }
        // Typed on an ASCII keyboard: `Mueller`, `Soeren`, `Aastroem`.
        16 => ttx_engine::program::fold::ascii_spellings(&full)
            .pop()
            .unwrap_or(full),
        // The surname's apostrophe or hyphen dropped.
        17 => format!("{} {}", p.first, p.last.replace(['\'', '-'], "")),
        // A possessive without its apostrophe.
        18 => format!("{full}s"),
        // The initial and the surname in a path.
        _ => format!(
            "/home/{}{}/.ssh",
            plain(&p.first.chars().take(1).collect::<String>()),
            plain(&p.last)
        ),
    }
}

/// A name part in lower-case ASCII letters, accents dropped, as in a login.
fn plain(s: &str) -> String {
    ttx_engine::program::fold::reduce(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// A word cut in two at a character edge.
fn halves(s: &str) -> (String, String) {
    let n = s.chars().count() / 2;
    (s.chars().take(n).collect(), s.chars().skip(n).collect())
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
            Piece::Variant(i, v) => variant(p(i), *v),
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
        2 => (0..6usize, 0..VARIANTS).prop_map(|(i, v)| Piece::Variant(i, v)),
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

/// Names in scripts written without spaces, and sentences of the same script around them.
const CJK: &[(&str, &str)] = &[
    ("王小明", "zh"),
    ("佐藤花子", "ja"),
    ("김민수", "ko"),
    ("สมชาย", "th"),
];
const CJK_TEXT: &[&str] = &[
    "会议上{}说备份是干净的。",
    "{}さんが確認しました。",
    "{}가 보고했습니다.",
    "ตอนนั้น{}โทรมา",
];

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
        let second = Needles::new(&roster, &components(), false).find(&out, false);
        prop_assert!(second.is_empty(), "the second check found {:?} in: {out}\nfrom: {text}", second);
    }

    #[test]
    fn the_second_check_sees_every_variant_before_scrubbing(people in people(), i in 0..6usize, v in 0..VARIANTS) {
        let roster = roster_of(&people);
        let needles = Needles::new(&roster, &components(), false);
        let p = &people[i % people.len()];
        let text = format!("then {} joined", variant(p, v));
        // A name made only of ordinary words is a name only with its capitals, which
        // every variant but the lower-case URL keeps.
        let ordinary = name_parts(&p.full()).iter().all(|x| is_common(x, &components()));
        prop_assume!(!(ordinary && matches!(v % VARIANTS, 5 | 12)));
        // An initial and a surname of fewer than four letters in all (`ali`) is too
        // short to be told from a word: a documented limit.
        prop_assume!(v % VARIANTS != 19 || 1 + plain(&p.last).len() >= 4);
        prop_assert!(!needles.find(&text, false).is_empty(), "blind to {text:?}");
    }

    #[test]
    fn names_in_scripts_without_spaces_are_found_inside_sentences(i in 0..CJK.len(), j in 0..CJK_TEXT.len()) {
        let (name, _) = CJK[i];
        let yaml = format!("teams:\n  - {{id: t, name: Team One, poc: p0}}\npeople:\n  - {{id: p0, name: \"{name}\", team: t}}\n");
        let roster = load::load_source::<Roster>(FileKind::Roster, SourceFile::new("roster.yaml", yaml)).unwrap().value;
        let mut scrubber = Scrubber::new(Some(&roster), &PublishRules::default(), &[], Options::default()).unwrap();
        let text = CJK_TEXT[j].replace("{}", name);
        let out = scrubber.scrub(&text);
        prop_assert!(!out.contains(name), "{name} survived: {out}");
        let needles = Needles::new(&roster, &[], false);
        prop_assert!(needles.find(&out, false).is_empty());
        prop_assert!(!needles.find(&text, false).is_empty());
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

/// `ß` is folded to `ss` on both sides, so a surname with it is found in capitals, typed
/// with `ss`, or as written (docs/program.md listed `SS` as a limit before the scrubber read
/// reduced letters).
#[test]
fn a_sharp_s_is_found_in_capitals_and_typed_as_ss() {
    let people = [Person {
        first: "Jana".into(),
        last: "Strauß".into(),
    }];
    let roster = roster_of(&people);
    let mut s = Scrubber::new(
        Some(&roster),
        &PublishRules::default(),
        &[],
        Options::default(),
    )
    .unwrap();
    for text in [
        "ask STRAUSS first",
        "ask Strauss first",
        "ask Strauß first",
        "ask JANA STRAUSS first",
    ] {
        let out = s.scrub(text);
        assert!(
            !out.to_lowercase().contains("strau"),
            "{text} scrubs to {out}"
        );
    }
}
