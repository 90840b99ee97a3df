//! "Did you mean" suggestions for misspelt keys, ids and values.

/// The candidate closest to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&word_lower, &c.to_lowercase()),
                c,
            )
        })
        .filter(|(distance, c)| {
            let len = word.chars().count().max(c.chars().count());
            *distance <= (len / 3).max(1) && *distance < len
        })
        .min_by_key(|(distance, c)| (*distance, *c))
        .map(|(_, c)| c)
}

/// The roster person a facilitator most likely meant: a near-miss of a person id, or the
/// one person whose first name, or id before its first `-`, is the word (`Priya` for
/// `priya-nair`). `people` are (id, full name) pairs.
pub fn person<'a>(word: &str, people: &[(&'a str, &str)]) -> Option<&'a str> {
    if let Some(id) = did_you_mean(word, people.iter().map(|(id, _)| *id)) {
        return Some(id);
    }
    let word = word.to_lowercase();
    let matches: Vec<&'a str> = people
        .iter()
        .filter(|(id, name)| {
            let first = name.split_whitespace().next().unwrap_or("").to_lowercase();
            let id_head = id.split('-').next().unwrap_or("").to_lowercase();
            first == word || id_head == word || name.to_lowercase() == word
        })
        .map(|(id, _)| *id)
        .collect();
    match matches.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        assert_eq!(
            did_you_mean("titel", ["title", "text", "id"]),
            Some("title")
        );
        assert_eq!(
            did_you_mean("reliablity", ["name", "reliability"]),
            Some("reliability")
        );
        assert_eq!(did_you_mean("colour", ["id", "name", "poc"]), None);
        assert_eq!(did_you_mean("Oncall", ["oncall", "ic"]), Some("oncall"));
    }

    #[test]
    fn a_person_is_found_by_first_name_or_a_near_miss() {
        let people = [("priya-nair", "Priya Nair"), ("dana-reyes", "Dana Reyes")];
        assert_eq!(person("Priya", &people), Some("priya-nair"));
        assert_eq!(person("priya-nari", &people), Some("priya-nair"));
        assert_eq!(person("Dana Reyes", &people), Some("dana-reyes"));
        assert_eq!(person("sam", &people), None);
    }
}
