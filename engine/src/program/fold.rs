//! Text as the scrubber's name matching sees it: one form for the many ways people type a
//! name. HTML entities (`Zo&euml;`) and percent-encoding (`Zo%C3%AB`) decoded, invisible
//! characters (zero-width space and joiner, soft hyphen, bidi controls) removed,
//! typographic apostrophes and dashes folded to `'` and `-`, `_` read as a space (so
//! `First_Last` has its word edges), and NFKC normalization (so a name typed in NFD, or in
//! full-width letters, is the same name). Every character of the folded text remembers the
//! span of the original it came from, so a match is replaced in the original.

use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{canonical_combining_class, is_combining_mark};
use unicode_script::{Script, UnicodeScript};
use unicode_security::confusable_detection::skeleton;

/// A folded text and, for each of its bytes, the span of the original it came from.
pub struct Folded {
    /// The folded text.
    pub text: String,
    origin: Vec<(usize, usize)>,
}

impl Folded {
    /// Folds `original`.
    pub fn new(original: &str) -> Folded {
        let decoded = decode(original);
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        // NFKC a run at a time, each run a starter and the marks that follow it, so every
        // composed character keeps the span of the characters it was made from.
        let mut run: Vec<(char, usize, usize)> = Vec::new();
        let mut flush = |run: &mut Vec<(char, usize, usize)>| {
            if let (Some(first), Some(last)) = (run.first(), run.last()) {
                let span = (first.1, last.2);
                let chars: String = run.iter().map(|r| r.0).collect();
                for c in chars.nfkc() {
                    let mut buf = [0u8; 4];
                    let s = c.encode_utf8(&mut buf);
                    text.push_str(s);
                    origin.extend(std::iter::repeat_n(span, s.len()));
                }
            }
            run.clear();
        };
        for (c, start, end) in decoded {
            if is_default_ignorable(c) {
                continue;
            }
            let c = typographic(c);
            if canonical_combining_class(c) == 0 {
                flush(&mut run);
            }
            run.push((c, start, end));
        }
        flush(&mut run);
        Folded { text, origin }
    }

    /// The span of the original that the folded bytes `start..end` came from.
    pub fn original(&self, start: usize, end: usize) -> (usize, usize) {
        let from = self.origin.get(start).map_or(0, |o| o.0);
        let to = end
            .checked_sub(1)
            .and_then(|e| self.origin.get(e))
            .map_or(from, |o| o.1);
        (from, to.max(from))
    }
}

/// The original's characters, entities and percent-escapes decoded, each with its span.
fn decode(original: &str) -> Vec<(char, usize, usize)> {
    let mut out = Vec::with_capacity(original.len());
    let bytes = original.as_bytes();
    let mut at = 0;
    while at < original.len() {
        let rest = &original[at..];
        // An entity is short: look for its `;` in the next 40 bytes (on character edges).
        if rest.starts_with('&')
            && let Some((semi, _)) = rest
                .char_indices()
                .take_while(|(i, _)| *i < 40)
                .find(|(_, c)| *c == ';')
        {
            let entity = &rest[..=semi];
            let decoded = html_escape::decode_html_entities(entity);
            if decoded != entity {
                out.extend(decoded.chars().map(|c| (c, at, at + semi + 1)));
                at += semi + 1;
                continue;
            }
        }
        if rest.starts_with('%') {
            let mut raw = Vec::new();
            let mut end = at;
            while bytes.get(end) == Some(&b'%') {
                let hex = bytes
                    .get(end + 1..end + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
                match hex.and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()) {
                    Some(b) => {
                        raw.push(b);
                        end += 3;
                    }
                    None => break,
                }
            }
            if let Ok(s) = std::str::from_utf8(&raw)
                && !s.is_empty()
            {
                out.extend(s.chars().map(|c| (c, at, end)));
                at = end;
                continue;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push((c, at, at + c.len_utf8()));
        at += c.len_utf8();
    }
    out
}

/// Typographic apostrophes and quotes, dashes and `_` as the plain characters names are
/// written with.
fn typographic(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{02BC}' | '\u{2032}' | '\u{FF07}' => '\'',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => '-',
        '\u{201C}' | '\u{201D}' | '\u{201E}' => '"',
        '_' => ' ',
        c => c,
    }
}

/// Markdown's emphasis, strike-through and code markers: a viewer renders `Luc**ía**`,
/// ``P`riya` `` and `Pr~~iya` as the whole name, so name matching reads through them.
pub fn is_markup(c: char) -> bool {
    matches!(c, '*' | '~' | '`')
}

/// Letters that do not decompose into a base letter and a mark, as an ASCII keyboard
/// writes them.
fn plain_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' | 'ẞ' => "ss",
        'ł' | 'Ł' => "l",
        'ø' | 'Ø' => "o",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'þ' | 'Þ' => "th",
        'ı' => "i",
        'ħ' | 'Ħ' => "h",
        _ => return None,
    })
}

/// One character as both name checks compare it: lower case, compatibility-decomposed,
/// its UTS #39 skeleton (so a look-alike letter of another script is the letter it looks
/// like), without accents, and the letters of [`plain_letter`] spelled in ASCII. What it
/// gives is appended to `out` (nothing for a mark alone, two letters for `ß`).
pub fn reduce_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push_str(&ascii_reduced()[c as usize]);
        return;
    }
    for lower in c.to_lowercase() {
        if let Some(p) = plain_letter(lower) {
            out.push_str(p);
            continue;
        }
        let mut buf = [0u8; 4];
        let decomposed: String = lower.encode_utf8(&mut buf).nfkd().collect();
        for k in skeleton(&decomposed).filter(|k| !is_combining_mark(*k)) {
            match plain_letter(k) {
                Some(p) => out.push_str(p),
                None => out.extend(k.to_lowercase()),
            }
        }
    }
}

/// [`reduce_char`] of every ASCII character, worked out once.
fn ascii_reduced() -> &'static [String] {
    static TABLE: OnceLock<Vec<String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0u8..128)
            .map(|b| {
                let lower = (b as char).to_ascii_lowercase().to_string();
                skeleton(&lower).flat_map(char::to_lowercase).collect()
            })
            .collect()
    })
}

/// A word reduced with [`reduce_char`], character by character.
pub fn reduce(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        reduce_char(c, &mut out);
    }
    out
}

/// How a name with umlauts and Nordic letters is typed on an ASCII keyboard besides
/// dropping the accents (which [`reduce_char`] does): `Müller` as `Mueller`, `Søren` as
/// `Soeren`, `Åsa` as `Aasa`. The name itself first, then the typed spelling if it
/// differs.
pub fn ascii_spellings(name: &str) -> Vec<String> {
    let mut typed = String::with_capacity(name.len() + 4);
    for c in name.nfc() {
        match c {
            'ä' => typed.push_str("ae"),
            'ö' | 'ø' => typed.push_str("oe"),
            'ü' => typed.push_str("ue"),
            'å' => typed.push_str("aa"),
            'Ä' => typed.push_str("Ae"),
            'Ö' | 'Ø' => typed.push_str("Oe"),
            'Ü' => typed.push_str("Ue"),
            'Å' => typed.push_str("Aa"),
            c => typed.push(c),
        }
    }
    let mut out = vec![name.to_string()];
    if typed != name.nfc().collect::<String>() {
        out.push(typed);
    }
    out
}

/// Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): characters that
/// display as nothing, so one inside a name hides it from a plain match.
pub fn is_default_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Whether `c` belongs to a script written without spaces between words (Chinese,
/// Japanese, Thai, Lao, Khmer, Myanmar) or one whose particles attach to names (Korean):
/// there a name has no word edge, so it is matched without one.
pub fn spaceless(c: char) -> bool {
    matches!(
        c.script(),
        Script::Han
            | Script::Hiragana
            | Script::Katakana
            | Script::Hangul
            | Script::Thai
            | Script::Lao
            | Script::Khmer
            | Script::Myanmar
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ways_a_name_is_typed_fold_to_one() {
        for typed in [
            "Zoe\u{0308} Adams",         // NFD
            "Zo&euml; Adams",            // an HTML entity
            "Zo&#235; Adams",            // a numeric one
            "Zo%C3%AB Adams",            // percent-encoding
            "Zo\u{200B}ë Adams",         // a zero-width space inside
            "Zo\u{00AD}ë Ad\u{200D}ams", // a soft hyphen, a zero-width joiner
            "Ｚｏë Adams",               // full-width letters
            "Zoë_Adams",
        ] {
            let f = Folded::new(typed);
            assert_eq!(f.text, "Zoë Adams", "{typed:?}");
        }
        assert_eq!(
            Folded::new("O’Brien — Smith‐Jones").text,
            "O'Brien - Smith-Jones"
        );
    }

    #[test]
    fn letters_reduce_as_an_ascii_keyboard_types_them() {
        assert_eq!(reduce("Lucía"), "lucia");
        assert_eq!(reduce("Strauß"), "strauss");
        assert_eq!(reduce("Łukasz"), "lukasz");
        assert_eq!(reduce("Søren"), "soren");
        assert_eq!(reduce("Nаir"), reduce("Nair"), "a Cyrillic а looks like a");
        assert_eq!(reduce("ＮＡＩＲ"), reduce("nair"));
        assert_eq!(
            ascii_spellings("Jürgen Müller"),
            ["Jürgen Müller", "Juergen Mueller"]
        );
        assert_eq!(ascii_spellings("Priya Nair"), ["Priya Nair"]);
    }

    #[test]
    fn a_folded_match_maps_back_to_the_original_span() {
        let original = "see Zo&euml; now";
        let f = Folded::new(original);
        let start = f.text.find("Zoë").unwrap();
        let (s, e) = f.original(start, start + "Zoë".len());
        assert_eq!(&original[s..e], "Zo&euml;");
        let original = "a Zoe\u{0308}!";
        let f = Folded::new(original);
        let start = f.text.find("Zoë").unwrap();
        let (s, e) = f.original(start, start + "Zoë".len());
        assert_eq!(&original[s..e], "Zoe\u{0308}");
    }

    #[test]
    fn broken_escapes_are_left_as_they_are() {
        assert_eq!(
            Folded::new("100% &nope; %zz %C3").text,
            "100% &nope; %zz %C3"
        );
        // Regression: an `&` followed by multi-byte text panicked on a character edge.
        let long = format!("&{}", "é".repeat(30));
        assert_eq!(Folded::new(&long).text, long);
    }
}
