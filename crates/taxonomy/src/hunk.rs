//! Judging one hunk of a word diff: which kind of edit it is, and whether it changes meaning.

use std::collections::BTreeSet;

use crate::diff::Hunk;
use crate::kind::FailureKind;
use crate::lexicon::{Category, Lexicon, Tag};
use crate::morph::VerbForm;

/// One text's words with their lexicon tags.
pub(crate) struct Side<'a> {
    pub(crate) words: &'a [String],
    pub(crate) tags: &'a [Vec<Tag>],
}

/// What one hunk is.
#[derive(Debug, Clone)]
pub(crate) struct Judged {
    pub(crate) kind: FailureKind,
    pub(crate) changes: bool,
    /// A sub-kind or reason, e.g. `colour`, `spelling`, `added detail`.
    pub(crate) note: &'static str,
    pub(crate) a: Vec<String>,
    pub(crate) b: Vec<String>,
}

/// The order in which kinds win when several apply: the first listed is reported.
pub(crate) const PRIORITY: [FailureKind; 12] = [
    FailureKind::Negation,
    FailureKind::Presence,
    FailureKind::Quantifier,
    FailureKind::RoleSwap,
    FailureKind::Spatial,
    FailureKind::Subject,
    FailureKind::Tense,
    FailureKind::Attribute,
    FailureKind::Action,
    FailureKind::Object,
    FailureKind::Synonym,
    FailureKind::Other,
];

/// Hunks longer than this (per side) skip word-by-word comparisons.
const MAX_PAIRWISE: usize = 64;

/// Quantity words too vague to contrast with saying nothing.
pub(crate) const VAGUE: [&str; 2] = ["some", "any"];

/// Kinds a replaced word can carry, best first.
const CONTENT_KINDS: [FailureKind; 5] = [
    FailureKind::Spatial,
    FailureKind::Subject,
    FailureKind::Attribute,
    FailureKind::Action,
    FailureKind::Object,
];

pub(crate) fn has(side: &Side, i: usize, cat: Category) -> bool {
    side.tags[i].iter().any(|t| t.cat == cat)
}

fn count(side: &Side, r: &[usize], cat: Category) -> usize {
    r.iter().filter(|&&i| has(side, i, cat)).count()
}

impl Lexicon {
    /// Judges hunk `h` between sides `a` and `b`.
    pub(crate) fn judge_hunk(&self, a: &Side, b: &Side, h: &Hunk) -> Judged {
        let ca: Vec<usize> =
            h.a.clone()
                .filter(|&i| !has(a, i, Category::Article))
                .collect();
        let cb: Vec<usize> =
            h.b.clone()
                .filter(|&i| !has(b, i, Category::Article))
                .collect();
        let wa: Vec<String> = ca.iter().map(|&i| a.words[i].clone()).collect();
        let wb: Vec<String> = cb.iter().map(|&i| b.words[i].clone()).collect();
        let judged = |kind, changes, note| Judged {
            kind,
            changes,
            note,
            a: a.words[h.a.clone()].to_vec(),
            b: b.words[h.b.clone()].to_vec(),
        };
        if wa.is_empty() && wb.is_empty() {
            return judged(FailureKind::Synonym, false, "article");
        }
        if count(a, &ca, Category::Negation) != count(b, &cb, Category::Negation) {
            return judged(FailureKind::Negation, true, "");
        }
        if count(a, &ca, Category::Presence) != count(b, &cb, Category::Presence) {
            return judged(FailureKind::Presence, true, "");
        }
        if self.tense_changes(a, &ca, b, &cb) {
            return judged(FailureKind::Tense, true, "");
        }
        if let Some(reason) = self.equivalent(a, &ca, b, &cb, h) {
            return judged(FailureKind::Synonym, false, reason);
        }
        if self.quantity_changes(a, &ca, b, &cb) {
            return judged(FailureKind::Quantifier, true, "");
        }
        if wa.is_empty() || wb.is_empty() {
            let note = if wa.is_empty() {
                "added detail"
            } else {
                "dropped detail"
            };
            return judged(FailureKind::Other, false, note);
        }
        if self.resplit_compound(&wa, &wb) || self.resplit_compound(&wb, &wa) {
            return judged(FailureKind::Other, true, "compound read another way");
        }
        let (ka, kb) = (self.kinds(a, &ca), self.kinds(b, &cb));
        if let Some(kind) = generic_swap(a, &ca, &ka, b, &cb, &kb) {
            return judged(kind, false, "general word");
        }
        let both = CONTENT_KINDS
            .into_iter()
            .find(|k| ka.contains(k) && kb.contains(k));
        if let Some(k) = both {
            if !self.residual_compatible(k, a, &ca, b, &cb) {
                return judged(FailureKind::Other, true, "restructured");
            }
        }
        let either = CONTENT_KINDS
            .into_iter()
            .find(|k| ka.contains(k) || kb.contains(k));
        // A spatial relation changes only into another relation: "in" against "gold" or
        // "sitting" rewrote the phrase.
        if both.is_none()
            && either == Some(FailureKind::Spatial)
            && !ka.is_empty()
            && !kb.is_empty()
        {
            return judged(FailureKind::Other, true, "restructured");
        }
        match both.or(either) {
            Some(FailureKind::Attribute) => {
                let note = attribute_note(a, &ca)
                    .or_else(|| attribute_note(b, &cb))
                    .unwrap_or("");
                judged(FailureKind::Attribute, true, note)
            }
            Some(k) => judged(k, true, ""),
            None => judged(FailureKind::Other, true, ""),
        }
    }

    /// Whether a quantity word or number is among the changed words. A vague "some" or "any"
    /// against no quantity word at all ("with graffiti" / "with some graffiti") is not a change.
    fn quantity_changes(&self, a: &Side, ca: &[usize], b: &Side, cb: &[usize]) -> bool {
        let qty = |s: &Side, r: &[usize]| -> Vec<usize> {
            r.iter()
                .copied()
                .filter(|&i| has(s, i, Category::Quantifier) || has(s, i, Category::Number))
                .collect()
        };
        let (qa, qb) = (qty(a, ca), qty(b, cb));
        let vague = |s: &Side, q: &[usize]| q.iter().all(|&i| VAGUE.contains(&s.words[i].as_str()));
        match (qa.is_empty(), qb.is_empty()) {
            (true, true) => false,
            (false, true) => !vague(a, &qa),
            (true, false) => !vague(b, &qb),
            (false, false) => true,
        }
    }

    /// Whether the tense or aspect differs: different markers, or two forms of one verb.
    fn tense_changes(&self, a: &Side, ca: &[usize], b: &Side, cb: &[usize]) -> bool {
        let present = self
            .groups
            .iter()
            .position(|g| g.cat == Category::Tense && g.members[0] == ["is"]);
        // "has" marks the perfect only before a participle: "has planted", not "has a clock".
        let auxiliary = |s: &Side, i: usize| {
            !matches!(s.words[i].as_str(), "has" | "have" | "had")
                || s.words.get(i + 1).is_some_and(|n| {
                    self.morph.verb_form(n) == VerbForm::Past
                        || matches!(
                            n.as_str(),
                            "been" | "just" | "already" | "never" | "not" | "finished"
                        )
                })
        };
        let marks = |s: &Side, r: &[usize]| -> BTreeSet<u32> {
            r.iter()
                .filter(|&&i| auxiliary(s, i))
                .flat_map(|&i| s.tags[i].iter())
                .filter(|t| t.cat == Category::Tense && Some(t.group as usize) != present)
                .map(|t| t.group)
                .collect()
        };
        if marks(a, ca) != marks(b, cb) {
            return true;
        }
        // Word-by-word comparison is quadratic; a hunk this long is no tense edit anyway.
        if ca.len() > MAX_PAIRWISE || cb.len() > MAX_PAIRWISE {
            return false;
        }
        ca.iter().any(|&i| {
            cb.iter().any(|&j| {
                let (x, y) = (&a.words[i], &b.words[j]);
                let (fx, fy) = (self.morph.verb_form(x), self.morph.verb_form(y));
                x != y
                    && fx != fy
                    && fx != VerbForm::Base
                    && fy != VerbForm::Base
                    && !matches!((fx, fy), (VerbForm::ThirdS, VerbForm::ThirdS))
                    && self.morph.same_verb(x, y)
            })
        })
    }

    /// The content kinds the words at `r` carry.
    fn kinds(&self, s: &Side, r: &[usize]) -> BTreeSet<FailureKind> {
        r.iter().flat_map(|&i| self.word_kinds(s, i)).collect()
    }

    fn word_kinds(&self, s: &Side, i: usize) -> Vec<FailureKind> {
        let mut out = Vec::new();
        for t in &s.tags[i] {
            let k = match t.cat {
                Category::Spatial => FailureKind::Spatial,
                Category::Subject => FailureKind::Subject,
                Category::Age => {
                    let next_is_person = s.tags.get(i + 1).is_some_and(|n| {
                        n.iter()
                            .any(|t| matches!(t.cat, Category::Subject | Category::Generic))
                    });
                    if next_is_person {
                        FailureKind::Subject
                    } else {
                        FailureKind::Attribute
                    }
                }
                c if c.is_attribute() => FailureKind::Attribute,
                Category::Verb => FailureKind::Action,
                Category::Object => FailureKind::Object,
                _ => continue,
            };
            out.push(k);
        }
        let w = &s.words[i];
        if s.tags[i].is_empty() && matches!(self.morph.verb_form(w), VerbForm::Ing | VerbForm::Past)
        {
            out.push(FailureKind::Action);
        }
        out
    }

    /// After taking away the words of kind `k`, do the leftovers still line up? Leftovers of
    /// clashing kinds (a verb against a noun), or a known leftover against nothing, mean the
    /// hunk rewrote the phrase rather than changed one relation or attribute.
    fn residual_compatible(
        &self,
        k: FailureKind,
        a: &Side,
        ca: &[usize],
        b: &Side,
        cb: &[usize],
    ) -> bool {
        let rest = |s: &Side, r: &[usize]| -> Vec<usize> {
            r.iter()
                .copied()
                .filter(|&i| !self.word_kinds(s, i).contains(&k) && !has(s, i, Category::Function))
                .collect()
        };
        let (ra, rb) = (rest(a, ca), rest(b, cb));
        let (ka, kb) = (self.kinds(a, &ra), self.kinds(b, &rb));
        if !ka.is_empty() && !kb.is_empty() {
            return ka.intersection(&kb).next().is_some();
        }
        // Nothing left on one side against a known leftover on the other does not line up.
        let one_sided = |r: &[usize], k: &BTreeSet<FailureKind>| r.is_empty() && !k.is_empty();
        !one_sided(&ra, &kb) && !one_sided(&rb, &ka)
    }

    /// Whether `one` is a single unlisted word spelt by joining words of `many` that are not
    /// all adjacent (`bookworm` / `book with a worm`).
    fn resplit_compound(&self, one: &[String], many: &[String]) -> bool {
        if one.len() != 1 || many.len() < 3 || many.len() > MAX_PAIRWISE || self.knows(&one[0]) {
            return false;
        }
        let w = &one[0];
        many.iter().enumerate().any(|(i, x)| {
            w.starts_with(x.as_str()) && many.iter().skip(i + 2).any(|y| *w == format!("{x}{y}"))
        })
    }
}

/// A general word against a specific one ("person" / "man", "animal" / "dog").
fn generic_swap(
    a: &Side,
    ca: &[usize],
    ka: &BTreeSet<FailureKind>,
    b: &Side,
    cb: &[usize],
    kb: &BTreeSet<FailureKind>,
) -> Option<FailureKind> {
    let generic = |s: &Side, r: &[usize]| r.len() == 1 && has(s, r[0], Category::Generic);
    let specific = |k: &BTreeSet<FailureKind>, r: &[usize]| {
        if r.len() > 2 {
            None
        } else if k.contains(&FailureKind::Subject) {
            Some(FailureKind::Subject)
        } else if k.contains(&FailureKind::Object) {
            Some(FailureKind::Object)
        } else {
            None
        }
    };
    if generic(a, ca) {
        specific(kb, cb).or_else(|| generic(b, cb).then_some(FailureKind::Synonym))
    } else if generic(b, cb) {
        specific(ka, ca)
    } else {
        None
    }
}

fn attribute_note(s: &Side, r: &[usize]) -> Option<&'static str> {
    r.iter()
        .flat_map(|&i| s.tags[i].iter())
        .find_map(|t| match t.cat {
            Category::Color => Some("colour"),
            Category::Size => Some("size"),
            Category::Material => Some("material"),
            Category::State => Some("state"),
            Category::Mood => Some("mood"),
            Category::Age => Some("age"),
            _ => None,
        })
}
