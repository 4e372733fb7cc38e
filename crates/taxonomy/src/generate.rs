//! `generate`: new pairs of a chosen kind, made by editing corpus sentences, no LLM needed.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::attested::Attested;
use crate::edits::edits;
use crate::judge::wordnet::{lexfile, Pos, WordNet};
use crate::kind::FailureKind;
use crate::lexicon::Lexicon;
use crate::sentence::Sentence;
use crate::tokenize::{tokenize, words};

/// A generated pair: `text_a` is a corpus sentence, `text_b` an edit of it showing `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedPair {
    /// The kind the edit shows; [`failure_kind`](crate::failure_kind) agrees.
    pub kind: FailureKind,
    /// The corpus sentence, trimmed.
    pub text_a: String,
    /// The edited sentence.
    pub text_b: String,
    /// The corpus sentence as given, before trimming.
    pub source: String,
}

/// Kinds [`generate`] can make. The others (synonym, other, identical) do not change meaning,
/// so asking for them yields nothing.
pub const GENERATED_KINDS: [FailureKind; 9] = [
    FailureKind::Negation,
    FailureKind::Quantifier,
    FailureKind::Spatial,
    FailureKind::RoleSwap,
    FailureKind::Attribute,
    FailureKind::Subject,
    FailureKind::Action,
    FailureKind::Presence,
    FailureKind::Object,
];

/// Makes up to `per_kind` pairs of each of `kinds` from `sentences`, with the built-in lexicon.
///
/// Each sentence is edited the way its kind calls for (flip a spatial preposition, add "not",
/// "with" -> "without", change a number, swap two attributes or two nouns, change the subject,
/// the verb or the tense, substitute an object). Every pair is re-checked by
/// [`failure_kind`](crate::failure_kind): it must come back as the intended kind and as
/// changing meaning. Output is grouped by kind in the order asked, spread over as many
/// sentences as possible, free of duplicates (in either order), and the same for the same
/// inputs and `seed`.
pub fn generate<S: AsRef<str>>(
    sentences: &[S],
    kinds: &[FailureKind],
    per_kind: usize,
    seed: u64,
) -> Vec<GeneratedPair> {
    Lexicon::builtin().generate(sentences, kinds, per_kind, seed)
}

impl Lexicon {
    /// [`generate`] with this lexicon.
    pub fn generate<S: AsRef<str>>(
        &self,
        sentences: &[S],
        kinds: &[FailureKind],
        per_kind: usize,
        seed: u64,
    ) -> Vec<GeneratedPair> {
        let mut out = Vec::new();
        let mut seen: HashSet<(Vec<String>, Vec<String>)> = HashSet::new();
        let attested = Attested::of(sentences);
        let wordnet = WordNet::installed();
        let mut done_kinds = HashSet::new();
        for &kind in kinds {
            if !done_kinds.insert(kind) || !GENERATED_KINDS.contains(&kind) || per_kind == 0 {
                continue;
            }
            let mut rng =
                SplitMix64::new(seed ^ (kind as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut order: Vec<usize> = (0..sentences.len()).collect();
            rng.shuffle(&mut order);
            // Pass 1 takes one pair per sentence; later passes take more from the same ones.
            let mut pending: Vec<(usize, Vec<String>)> = Vec::new();
            let mut made = 0;
            for &i in &order {
                if made == per_kind {
                    break;
                }
                let raw = sentences[i].as_ref();
                let text = raw.trim();
                if text.is_empty() || text.len() > 2000 {
                    continue;
                }
                let w = words(text);
                let s = Sentence {
                    text,
                    tokens: tokenize(text),
                    tags: self.annotate(&w),
                    words: w,
                };
                let mut cands = edits(self, &s, kind);
                if let (FailureKind::Object, Some(wn)) = (kind, wordnet) {
                    // Nouns the corpus itself writes in this place.
                    for i in 0..s.words.len() {
                        cands.extend(attested.substitutes(wn, &s, i, 8).into_iter().map(|sp| s.apply(vec![sp])));
                    }
                }
                rng.shuffle(&mut cands);
                while let Some(c) = cands.pop() {
                    if self.accept(kind, text, &c, &attested, &mut seen) {
                        out.push(GeneratedPair {
                            kind,
                            text_a: text.to_string(),
                            text_b: c,
                            source: raw.to_string(),
                        });
                        made += 1;
                        break;
                    }
                }
                pending.push((i, cands));
            }
            while made < per_kind && pending.iter().any(|(_, c)| !c.is_empty()) {
                for (i, cands) in &mut pending {
                    if made == per_kind {
                        break;
                    }
                    let raw = sentences[*i].as_ref();
                    while let Some(c) = cands.pop() {
                        if self.accept(kind, raw.trim(), &c, &attested, &mut seen) {
                            let text_a = raw.trim().to_string();
                            out.push(GeneratedPair {
                                kind,
                                text_a,
                                text_b: c,
                                source: raw.to_string(),
                            });
                            made += 1;
                            break;
                        }
                    }
                }
            }
        }
        out
    }

    fn accept(
        &self,
        kind: FailureKind,
        a: &str,
        b: &str,
        attested: &Attested,
        seen: &mut HashSet<(Vec<String>, Vec<String>)>,
    ) -> bool {
        let (wa, wb) = (words(a), words(b));
        if wa == wb {
            return false;
        }
        // A swap is new by nature ("a cat chasing a dog", "a blue cube on a red sphere") and
        // needs no witness, but swapped nouns must be things of one kind, or both alive
        // ("a young surfboard carrying a woman" is no caption).
        let (mut sa, mut sb) = (wa.clone(), wb.clone());
        sa.sort();
        sb.sort();
        // A person's gender or age exchanged along a lexicon line ("man" / "woman") keeps the
        // sentence as natural as it was.
        let natural = if kind == FailureKind::Subject {
            true
        } else if sa == sb {
            let changed: Vec<&String> = wa.iter().zip(&wb).filter(|(x, y)| x != y).map(|(x, _)| x).collect();
            kind != FailureKind::RoleSwap
                || WordNet::installed().is_some_and(|wn| {
                    let file = |w: &String| wn.lemmas(w, Pos::Noun).first().and_then(|n| wn.lexfiles(n, Pos::Noun, 1).first().copied());
                    let alive = |f: Option<u8>| matches!(f, Some(lexfile::PERSON | lexfile::ANIMAL));
                    let (x, y) = (file(changed[0]), file(changed[changed.len() - 1]));
                    x.is_some() && (x == y || alive(x) && alive(y))
                })
        } else {
            attested.natural(self, a, b)
        };
        if !natural {
            return false;
        }
        // "in", "on", "at", "with" carry too many senses to flip into a natural opposite ("a man
        // in a sweater" is no place to be "out of").
        let removed: Vec<&String> = wa.iter().filter(|w| !wb.contains(w)).collect();
        if kind == FailureKind::Spatial && matches!(removed.as_slice(), [w] if matches!(w.as_str(), "in" | "on" | "at" | "with" | "by" | "into" | "onto" | "of")) {
            return false;
        }
        let key = if wa <= wb { (wa, wb) } else { (wb, wa) };
        if seen.contains(&key) {
            return false;
        }
        let v = self.failure_kind(a, b);
        if v.kind != kind || !v.changes_meaning {
            return false;
        }
        seen.insert(key);
        true
    }
}

/// SplitMix64: a small seeded generator whose stream never changes between versions.
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = ((u128::from(self.next_u64()) * (i as u128 + 1)) >> 64) as usize;
            v.swap(i, j);
        }
    }
}
