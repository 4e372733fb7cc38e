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
        let attested = Attested::of(self, sentences);
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
                        cands.extend(
                            attested
                                .substitutes(wn, &s, i, 8)
                                .into_iter()
                                .map(|sp| s.apply(vec![sp])),
                        );
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
        if !self.natural(kind, a, b, &wa, &wb, attested) {
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

impl Lexicon {
    /// Whether the edit `a` → `b` reads as a caption a person would write.
    fn natural(
        &self,
        kind: FailureKind,
        a: &str,
        b: &str,
        wa: &[String],
        wb: &[String],
        attested: &Attested,
    ) -> bool {
        if !grammatical(wb) {
            return false;
        }
        let kind_of = |w: &String| WordNet::installed().and_then(|wn| wn.noun_kind(w));
        let gendered = wa.iter().any(|w| {
            matches!(
                w.as_str(),
                "he" | "she" | "his" | "her" | "him" | "himself" | "herself" | "hers"
            )
        });
        // A person's gender or age exchanged ("man" / "woman") keeps the sentence as natural as
        // it was, unless a pronoun still speaks of the other; an occupation swapped ("a surfer"
        // / "a student") shows nothing.
        if kind == FailureKind::Subject {
            let people = wa.iter().zip(wb).filter(|(x, y)| x != y).all(|(x, y)| {
                crate::judge::is_gender_or_age(x) && crate::judge::is_gender_or_age(y)
            });
            return !gendered && people;
        }
        if kind == FailureKind::Quantifier {
            // Count things, not places: "two beaches", "three fields" are no photo.
            let place =
                |w: &String| matches!(kind_of(w), Some(lexfile::LOCATION | lexfile::OBJECT));
            if wa.iter().zip(wb).any(|(x, y)| x != y && place(y)) {
                return false;
            }
            // A count belongs on the head of a compound ("two dirt roads", never "two dirts road").
            let k = wa.iter().zip(wb).rposition(|(x, y)| x != y);
            let noun = |w: &String| {
                WordNet::installed().is_some_and(|wn| wn.has(w, Pos::Noun) && !wn.has(w, Pos::Adj))
            };
            if k.is_some_and(|k| {
                wb.iter()
                    .skip(k)
                    .take(3)
                    .collect::<Vec<_>>()
                    .windows(2)
                    .any(|p| p[0].ends_with('s') && noun(p[1]))
            }) {
                return false;
            }
            // ... and a thing counted once: "three cars of cars".
            if k.is_some_and(|k| wb[k + 1..].iter().take(3).any(|w| *w == wb[k])) {
                return false;
            }
            // ... and the verb and pronouns after it must agree: "three men stands … his".
            let verb_s = |w: &String| {
                w.ends_with('s')
                    && WordNet::installed()
                        .is_some_and(|wn| wn.lemmas(w, Pos::Verb).iter().any(|l| l != w))
            };
            if k.is_some_and(|k| {
                wb.iter().skip(k + 1).take(5).any(|w| {
                    verb_s(w) || matches!(w.as_str(), "his" | "her" | "its" | "is" | "was" | "has")
                })
            }) {
                return false;
            }
        }
        // "with" after a participle ("decorated with", "topped with") says what something is
        // made of; only "with" after a thing or a person ("a man with a hat") can lose it.
        if kind == FailureKind::Presence {
            let k = wa
                .iter()
                .zip(wb)
                .position(|(x, y)| x == "with" && y == "without");
            if k.is_some_and(|k| {
                k > 0
                    && (wa[k - 1].ends_with("ed")
                        || matches!(wa[k - 1].as_str(), "is" | "are" | "and" | "along"))
            }) {
                return false;
            }
        }
        // The same words in another order (articles and number aside) are a swap.
        let forms = |x: &String| -> Vec<String> {
            let mut v = vec![if x == "an" {
                "a".to_string()
            } else {
                x.clone()
            }];
            v.extend(self.morph.singulars(x));
            if let Some(wn) = WordNet::installed() {
                v.extend(wn.lemmas(x, Pos::Noun));
            }
            v
        };
        let same_bag = |xs: &[String], ys: &[String]| {
            let fy: Vec<Vec<String>> = ys.iter().map(forms).collect();
            let mut used = vec![false; ys.len()];
            xs.len() == ys.len()
                && xs.iter().all(|x| {
                    let fx = forms(x);
                    let k =
                        (0..ys.len()).find(|&k| !used[k] && fy[k].iter().any(|f| fx.contains(f)));
                    k.map(|k| used[k] = true).is_some()
                })
        };
        // A thing replaced by a thing of its kind (an animal by an animal, a tool by a tool) keeps
        // the scene possible; "young bears sitting around a table" does not.
        if kind == FailureKind::Object {
            let swapped: Vec<(&String, &String)> =
                wa.iter().zip(wb).filter(|(x, y)| x != y).collect();
            let near = |x: &String, y: &String| {
                WordNet::installed().is_some_and(|wn| {
                    let base = |w: &String| {
                        wn.lemmas(w, Pos::Noun)
                            .into_iter()
                            .last()
                            .unwrap_or_else(|| w.clone())
                    };
                    wn.near_kinds(&base(x), &base(y), Pos::Noun, 4)
                })
            };
            let same_kind = wa.len() == wb.len()
                && swapped.iter().all(|(x, y)| {
                    kind_of(x).is_some() && kind_of(x) == kind_of(y) && near(x, y)
                        || matches!(x.as_str(), "a" | "an")
                });
            // ... and a thing the caption does not already name ("towels hanging by the towel").
            let repeats = swapped.iter().any(|(_, y)| wa.contains(y));
            if !same_kind || repeats {
                return false;
            }
        }
        if !same_bag(wa, wb) {
            // "in", "on", "at", "with" carry too many senses to flip into an opposite ("a man in a
            // sweater" is no place to be "out of").
            let removed: Vec<&String> = wa.iter().filter(|w| !wb.contains(w)).collect();
            if kind == FailureKind::Spatial
                && matches!(removed.as_slice(), [w] if matches!(w.as_str(), "in" | "on" | "at" | "with" | "by" | "into" | "onto" | "of"))
            {
                return false;
            }
            return attested.natural(self, a, b, kind == FailureKind::Spatial);
        }
        // A swap needs only people for people and animals for animals ("a cat chasing a dog");
        // swapped things make nonsense ("a laptop desk on a computer"). Attribute swaps move
        // words a caption already has.
        if kind != FailureKind::RoleSwap {
            // Materials traded between things ("wooden ducks on a fur walkway") read as nonsense.
            let materials =
                self.annotate(wa)
                    .iter()
                    .zip(wa.iter().zip(wb))
                    .any(|(tags, (x, y))| {
                        x != y
                            && tags
                                .iter()
                                .any(|t| t.cat == crate::lexicon::Category::Material)
                    });
            return !materials;
        }
        // Each swapped noun must still be witnessed where it now stands: "riding a dog" is not.
        if !attested.natural(self, a, b, false) {
            return false;
        }
        let at: Vec<usize> = (0..wa.len().min(wb.len()))
            .filter(|&k| wa[k] != wb[k])
            .collect();
        let changed: Vec<&String> = at.iter().map(|&k| &wa[k]).collect();
        // A swapped head of a compound ("a baseball child") reads wrong.
        let compound = WordNet::installed().is_some_and(|wn| {
            let noun_only = |w: &String| {
                wn.has(w, Pos::Noun)
                    && !wn.has(w, Pos::Adj)
                    && !wn.has(w, Pos::Verb)
                    && !matches!(w.as_str(), "a" | "an" | "the")
            };
            at.iter()
                .any(|&k| (k > 0 && noun_only(&wa[k - 1])) || wa.get(k + 1).is_some_and(noun_only))
        });
        if compound || changed.is_empty() {
            return false;
        }
        // People of one age only: "a baby holding a man" is no caption.
        let (first, last) = (changed[0], changed[changed.len() - 1]);
        let (x, y) = (kind_of(first), kind_of(last));
        let age = crate::judge::person_age;
        x == y
            && (x == Some(lexfile::ANIMAL)
                || x == Some(lexfile::PERSON) && !gendered && age(first) == age(last))
    }
}

/// Agreement an edit can break: "a two dogs", "a dogs", "two clocks that is", "a bride and
/// bride", "catching or catching", "one staring and one staring".
fn grammatical(w: &[String]) -> bool {
    const MANY: &[&str] = &[
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "several", "many",
        "some",
    ];
    let plural_noun = |x: &str| {
        x.len() > 3
            && x.ends_with('s')
            && !x.ends_with("ss")
            && !x.ends_with("us")
            && !x.ends_with("is")
    };
    !w.windows(3)
        .any(|p| matches!(p[1].as_str(), "and" | "or") && p[0] == p[2])
        && !w
            .windows(5)
            .any(|p| p[0] == "one" && p[2] == "and" && p[3] == "one" && p[1] == p[4])
        && !w.windows(2).any(|p| {
            matches!(p[0].as_str(), "a" | "an")
                && (MANY.contains(&p[1].as_str()) || plural_noun(&p[1]))
        })
        && !w.windows(3).any(|p| {
            plural_noun(&p[0])
                && matches!(p[1].as_str(), "that" | "which" | "who")
                && matches!(p[2].as_str(), "is" | "has" | "was")
        })
        && !w.windows(3).any(|p| {
            MANY.contains(&p[0].as_str())
                && plural_noun(&p[1])
                && matches!(p[2].as_str(), "is" | "has" | "was")
        })
        && !w.windows(2).any(|p| {
            MANY.contains(&p[0].as_str())
                && p[1].len() > 2
                && !plural_noun(&p[1])
                && !p[1].ends_with("ren")
                && !matches!(
                    p[1].as_str(),
                    "people"
                        | "men"
                        | "women"
                        | "sheep"
                        | "deer"
                        | "fish"
                        | "of"
                        | "small"
                        | "large"
                        | "big"
                        | "little"
                        | "young"
                        | "old"
                        | "white"
                        | "black"
                        | "brown"
                )
        })
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
