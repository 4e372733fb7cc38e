//! Dropping candidate pairs that are not distinct failures.
//!
//! Two kinds go: pairs whose texts are equal after [`normalize_text`] (the encoder is right to
//! agree), and repeats of a pair already kept, i.e. the same two normalised texts in either
//! order, as when a corpus holds the same caption under several ids. MultiMon deduplicated on
//! float scores instead, which keeps repeats whose scores differ in the last bit and merges
//! distinct pairs whose scores happen to tie.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use rayon::prelude::*;

use crate::normalize::normalize_text;
use crate::{Candidate, PairsError};

/// What [`dedup_pairs`] dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DedupReport {
    /// Pairs whose two texts are equal after normalisation.
    pub normalized_equal: usize,
    /// Pairs whose normalised texts, as an unordered pair, repeat a kept pair.
    pub duplicate: usize,
}

/// Keeps one pair per unordered pair of distinct normalised texts: the one with the smallest
/// `(a, b)`. Kept pairs stay in input order. `texts[id]` is the text of row `id`.
///
/// # Errors
/// [`PairsError::TextIdOutOfRange`] when a pair refers to an id with no text.
pub fn dedup_pairs<S: AsRef<str> + Sync>(
    pairs: &[Candidate],
    texts: &[S],
) -> Result<(Vec<Candidate>, DedupReport), PairsError> {
    if let Some((c, id)) = pairs.iter().find_map(|c| {
        [c.a, c.b]
            .into_iter()
            .find(|&id| id as usize >= texts.len())
            .map(|id| (c, id))
    }) {
        return Err(PairsError::TextIdOutOfRange {
            a: c.a,
            b: c.b,
            id,
            len: texts.len(),
        });
    }

    // Normalise each referenced text once, then intern: equal normalised texts share an id.
    let mut ids: Vec<u32> = pairs.iter().flat_map(|c| [c.a, c.b]).collect();
    ids.par_sort_unstable();
    ids.dedup();
    let normalized: Vec<String> = ids
        .par_iter()
        .map(|&id| normalize_text(texts[id as usize].as_ref()))
        .collect();
    let mut interned: HashMap<&str, u32> = HashMap::with_capacity(normalized.len());
    let mut class_of: HashMap<u32, u32> = HashMap::with_capacity(ids.len());
    for (&id, text) in ids.iter().zip(&normalized) {
        let next = interned.len() as u32;
        class_of.insert(id, *interned.entry(text.as_str()).or_insert(next));
    }
    let key = |c: &Candidate| {
        let (x, y) = (class_of[&c.a], class_of[&c.b]);
        (x.min(y), x.max(y))
    };

    // The smallest (a, b) of each unordered pair of distinct normalised texts.
    let mut best: HashMap<(u32, u32), (u32, u32)> = HashMap::new();
    for c in pairs {
        let k = key(c);
        if k.0 == k.1 {
            continue;
        }
        match best.entry(k) {
            Entry::Vacant(slot) => {
                slot.insert((c.a, c.b));
            }
            Entry::Occupied(mut slot) => {
                if (c.a, c.b) < *slot.get() {
                    slot.insert((c.a, c.b));
                }
            }
        }
    }

    let mut report = DedupReport::default();
    let mut kept = Vec::with_capacity(best.len());
    for c in pairs {
        let k = key(c);
        if k.0 == k.1 {
            report.normalized_equal += 1;
        } else if best.get(&k) == Some(&(c.a, c.b)) {
            kept.push(*c);
            best.remove(&k); // a repeated identical (a, b) counts as a duplicate
        } else {
            report.duplicate += 1;
        }
    }
    Ok((kept, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: u32, b: u32, sim: f32) -> Candidate {
        Candidate {
            a,
            b,
            target_sim: sim,
        }
    }

    #[test]
    fn drops_equal_texts_and_keeps_smallest_ids_of_repeats() {
        let texts = ["A dog.", "a dog", "A cat", "a  cat .", "a cow"];
        let pairs = [
            pair(0, 1, 0.99), // equal after normalisation
            pair(1, 3, 0.97), // dog-cat, repeat
            pair(0, 2, 0.95), // dog-cat, smallest (a, b): kept
            pair(2, 4, 0.94), // cat-cow
            pair(3, 4, 0.93), // cat-cow, repeat
            pair(0, 2, 0.95), // exact repeat of a kept pair
        ];
        let (kept, report) = dedup_pairs(&pairs, &texts).unwrap();
        assert_eq!(kept, vec![pair(0, 2, 0.95), pair(2, 4, 0.94)]);
        assert_eq!(
            report,
            DedupReport {
                normalized_equal: 1,
                duplicate: 3
            }
        );
    }

    #[test]
    fn missing_text_is_an_error_naming_the_pair() {
        let err = dedup_pairs(&[pair(0, 5, 0.9)], &["x", "y"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dedup: pair (0, 5) refers to text id 5, but only 2 texts were given"
        );
    }
}
