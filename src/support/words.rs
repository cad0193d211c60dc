//! Names a person may have mistyped: the closest known name, when it is close enough to be a
//! slip rather than a different word.

/// Levenshtein distance between two strings, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The known name closest to `word`, if within two edits or a third of its length (so `nmae`
/// finds `name` but `colour` finds nothing among `id`, `age`). Ties go to the first known.
pub fn closest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let (best, d) = known
        .into_iter()
        .map(|k| (k, edit_distance(word, k)))
        .min_by_key(|&(_, d)| d)?;
    (d > 0 && d <= 2.max(word.chars().count() / 3)).then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_slips_not_other_words() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(closest("nmae", ["id", "name", "age"]), Some("name"));
        assert_eq!(
            closest("weekly_prise", ["weekly_price", "vacancies"]),
            Some("weekly_price")
        );
        assert_eq!(closest("colour", ["id", "age"]), None);
        assert_eq!(closest("id", ["id"]), None);
    }
}
