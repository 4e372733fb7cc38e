//! `failure_kind`: the judge's verdict on a pair, in the shape tables store.

use crate::judge::{self, wordnet::WordNet};
use crate::kind::Verdict;
use crate::lexicon::Lexicon;

/// The most changed words a [`Verdict`] lists per side.
pub const MAX_VERDICT_WORDS: usize = 32;

/// Judges whether `text_a` and `text_b` mean different things, with the built-in lexicon and
/// WordNet where it is installed (see [`WordNet::installed`]).
///
/// ```
/// use lookalike_taxonomy::{failure_kind, FailureKind, Judgement};
/// let v = failure_kind("two dogs on the left of a red car", "two dogs on the right of a red car");
/// assert_eq!(v.kind, FailureKind::Spatial);
/// assert_eq!(v.judgement, Judgement::ChangesMeaning);
/// assert!(v.changes_meaning);
/// assert_eq!(v.explanation, "spatial relation: 'on the left' → 'on the right'");
/// ```
pub fn failure_kind(text_a: &str, text_b: &str) -> Verdict {
    Lexicon::builtin().failure_kind(text_a, text_b)
}

impl Lexicon {
    /// Judges `text_a` against `text_b` with this lexicon; see [`failure_kind`].
    pub fn failure_kind(&self, text_a: &str, text_b: &str) -> Verdict {
        let r = judge::read(self, WordNet::installed(), text_a, text_b);
        let cut = |mut w: Vec<String>| {
            w.truncate(MAX_VERDICT_WORDS);
            w
        };
        Verdict {
            kind: r.kind,
            words_a: cut(r.words_a),
            words_b: cut(r.words_b),
            explanation: r.evidence,
            changes_meaning: r.judgement == judge::Judgement::ChangesMeaning,
            judgement: r.judgement,
        }
    }
}
