//! What the corpus itself says people write: its word bigrams. A generated caption is kept only
//! when every word pair its edit introduces occurs somewhere in the corpus ("a young woman
//! carrying a surfboard" may become "a young man carrying a surfboard", never "a young
//! surfboard carrying a woman"), and replacement nouns are drawn from words the corpus puts in
//! the same place.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::judge::wordnet::WordNet;
use crate::lexicon::{Category, Lexicon};
use crate::sentence::{Sentence, Splice};
use crate::tokenize::words;

/// The basic colour terms: any thing can be painted one of them ("a blue barn"), unlike "an
/// olive cow".
const BASIC_COLOURS: &[&str] = &[
    "black", "white", "red", "green", "yellow", "blue", "brown", "orange", "pink", "purple",
    "gray", "grey",
];

/// How far apart two words of one text may be to count as sharing a caption.
const TOGETHER_WINDOW: usize = 12;

/// The longest run of words whose occurrence witnesses a word's company.
const MAX_SPAN: usize = 5;

fn singular(lex: &Lexicon, w: &str) -> String {
    lex.morph
        .singulars(w)
        .into_iter()
        .next()
        .unwrap_or_else(|| w.to_string())
}

fn pair_hash(a: &str, b: &str) -> u64 {
    let (x, y) = if a <= b { (a, b) } else { (b, a) };
    span_hash(&[x.to_string(), y.to_string()])
}

fn span_hash(words: &[String]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    words.hash(&mut h);
    h.finish()
}

/// Words that stand between a verb and its object.
const DETERMINERS: &[&str] = &["a", "an", "the", "his", "her", "their", "its", "some"];

/// Marks the start and the end of a caption in bigrams.
const START: &str = "<s>";
const END: &str = "</s>";

/// The corpus's bigrams.
#[derive(Debug, Default)]
pub(crate) struct Attested {
    pairs: HashSet<(String, String)>,
    /// Word pairs with one determiner between them ("feeding a horse" → feeding, horse).
    across: HashSet<(String, String)>,
    /// Hashes of every run of two to five words.
    spans: HashSet<u64>,
    /// Hashes of the pairs of words that share a caption somewhere (at most a dozen words
    /// apart), singular forms, unordered.
    together: HashSet<u64>,
    /// Word → the words that follow it somewhere, in a fixed order.
    after: HashMap<String, BTreeSet<String>>,
}

fn bigrams(text: &str) -> Vec<(String, String)> {
    let mut w = vec![START.to_string()];
    w.extend(words(text));
    w.push(END.to_string());
    w.windows(2).map(|p| (p[0].clone(), p[1].clone())).collect()
}

impl Attested {
    pub(crate) fn of<S: AsRef<str>>(lex: &Lexicon, sentences: &[S]) -> Attested {
        let mut a = Attested::default();
        for s in sentences {
            let w: Vec<String> = words(s.as_ref())
                .iter()
                .filter(|x| x.len() > 2)
                .map(|x| singular(lex, x))
                .collect();
            // Within a caption's reach: a long text pairs each word with its next dozen only.
            for i in 0..w.len() {
                for j in i + 1..(i + TOGETHER_WINDOW).min(w.len()) {
                    a.together.insert(pair_hash(&w[i], &w[j]));
                }
            }
            let w = words(s.as_ref());
            for i in 0..w.len() {
                for j in i + 2..=(i + MAX_SPAN).min(w.len()) {
                    a.spans.insert(span_hash(&w[i..j]));
                }
            }
            let b = bigrams(s.as_ref());
            for k in 1..b.len() {
                if DETERMINERS.contains(&b[k].0.as_str()) {
                    a.across.insert((b[k - 1].0.clone(), b[k].1.clone()));
                }
            }
            for (x, y) in b {
                a.after.entry(x.clone()).or_default().insert(y.clone());
                a.pairs.insert((x, y));
            }
        }
        a
    }

    /// Whether every word pair of `edited` that `original` lacks occurs in the corpus, or holds
    /// a closed-class word (a number, negation, article; a relation when `relations_free`,
    /// except "under", which few things can be): "not perched" needs no witness, "young
    /// surfboard", "eating past" and "under a tennis court" do.
    pub(crate) fn natural(
        &self,
        lex: &Lexicon,
        original: &str,
        edited: &str,
        relations_free: bool,
    ) -> bool {
        let before: HashSet<(String, String)> = bigrams(original).into_iter().collect();
        let w = words(edited);
        let tags = lex.annotate(&w);
        let closed: HashSet<&String> = w
            .iter()
            .zip(&tags)
            .filter(|(w, tags)| {
                BASIC_COLOURS.contains(&w.as_str())
                    || tags.iter().any(|t| {
                        matches!(
                            t.cat,
                            Category::Negation
                                | Category::Presence
                                | Category::Number
                                | Category::Quantifier
                                | Category::Article
                                | Category::Function
                        )
                    })
                    || (relations_free
                        && tags.iter().any(|t| t.cat == Category::Spatial)
                        && !matches!(w.as_str(), "under" | "underneath" | "beneath" | "below"))
            })
            .map(|(w, _)| w)
            .collect();
        // A noun made plural by a count edit keeps the company its singular had ("dogs on" /
        // "dog on").
        let one = |w: &String| singular(lex, w);
        let singular_before: HashSet<(String, String)> =
            before.iter().map(|(x, y)| (one(x), one(y))).collect();
        let seen = |p: &(String, String)| {
            before.contains(p) || singular_before.contains(&(one(&p.0), one(&p.1)))
        };
        let b = bigrams(edited);
        // A word before a determiner must also go with the noun after it: "feeding a horse" is
        // witnessed by "feeding the horse", "eating a horse" by nothing.
        let across_ok = (1..b.len()).all(|k| {
            let (x, det, y) = (&b[k - 1].0, &b[k].0, &b[k].1);
            !DETERMINERS.contains(&det.as_str())
                || x == START
                || closed.contains(x)
                || before.contains(&b[k - 1])
                || self.across.contains(&(x.clone(), y.clone()))
        });
        // A word the edit brings in must also keep company with the content words around it:
        // the whole run from the word before to the word after must occur in the corpus
        // ("woman is speaking" does; "speaking into a cake" does not).
        let original_words: HashSet<String> = words(original).iter().map(one).collect();
        // Company is kept with content words: not with auxiliaries or relations.
        let light = |i: usize| {
            closed.contains(&w[i])
                || tags[i].iter().any(|t| {
                    matches!(
                        t.cat,
                        Category::Tense
                            | Category::Spatial
                            | Category::Function
                            | Category::Article
                    )
                })
        };
        let content: Vec<usize> = (0..w.len()).filter(|&i| !light(i)).collect();
        let company_ok = content.iter().enumerate().all(|(k, &i)| {
            if original_words.contains(&one(&w[i])) || BASIC_COLOURS.contains(&w[i].as_str()) {
                return true;
            }
            // Up to two content words on each side, as far as a witnessed run reaches.
            let before = (1..=2).filter_map(|d| k.checked_sub(d).map(|p| content[p]));
            let after = (1..=2).filter_map(|d| content.get(k + d).copied());
            // And it must have shared a caption with every content word near it: a truck has,
            // somewhere, with "pulling", but never with "subway".
            let near = content
                .iter()
                .filter(|&&j| j != i && j.abs_diff(i) <= 5 && w[j].len() > 2);
            let together = near
                .clone()
                .all(|&j| self.together.contains(&pair_hash(&one(&w[i]), &one(&w[j]))));
            // A new verb also keeps company with the word after its object: "playing tennis on"
            // is witnessed, "swinging tennis on" is not.
            let verb = (w[i].ends_with("ing") || w[i].ends_with("ed"))
                && tags[i].iter().any(|t| t.cat == Category::Verb);
            let object_end = after
                .clone()
                .next()
                .map(|q| q + 1)
                .filter(|&e| verb && e < w.len() && e - i < MAX_SPAN);
            together
                && before
                    .filter(|&p| i - p < MAX_SPAN)
                    .all(|p| self.spans.contains(&span_hash(&w[p..=i])))
                && after
                    .filter(|&q| q - i < MAX_SPAN)
                    .all(|q| self.spans.contains(&span_hash(&w[i..=q])))
                && object_end.is_none_or(|e| self.spans.contains(&span_hash(&w[i..=e])))
        });
        across_ok
            && company_ok
            && b.iter()
                .filter(|p| !seen(p))
                .all(|p| self.pairs.contains(p) || closed.contains(&p.0) || closed.contains(&p.1))
    }

    /// Replacements for the noun at word `i`: other concrete nouns the corpus writes between the
    /// same two neighbours ("a puppy playing" → "a kitten playing"), at most `limit`.
    pub(crate) fn substitutes(
        &self,
        wn: &WordNet,
        s: &Sentence,
        i: usize,
        limit: usize,
    ) -> Vec<Splice> {
        let prev = if i == 0 {
            START
        } else {
            s.words[i - 1].as_str()
        };
        let next = s.words.get(i + 1).map_or(END, String::as_str);
        let here = &s.words[i];
        let Some(followers) = self.after.get(prev) else {
            return Vec::new();
        };
        followers
            .iter()
            .filter(|y| *y != here && !y.starts_with('<'))
            .filter(|y| self.pairs.contains(&((*y).clone(), next.to_string())))
            .filter(|y| wn.noun_kind(y).is_some_and(crate::judge::is_concrete))
            .take(limit)
            .map(|y| (s.tokens[i].start, s.tokens[i].end, y.clone()))
            .collect()
    }
}
