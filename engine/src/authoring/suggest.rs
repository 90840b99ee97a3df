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
}
