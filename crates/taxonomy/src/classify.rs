//! `failure_kind`: names the kind of difference between two texts.

use crate::diff::diff;
use crate::hunk::{Judged, Side, PRIORITY};
use crate::kind::{FailureKind, Verdict};
use crate::lexicon::{Category, Lexicon, Tag};
use crate::tokenize::words;

/// The most changed words a [`Verdict`] lists per side.
pub const MAX_VERDICT_WORDS: usize = 32;

/// Texts with more content words than this skip the reordering check (it is quadratic).
const MAX_REORDER_WORDS: usize = 256;

/// Names the kind of difference between `text_a` and `text_b`, with the built-in lexicon.
///
/// ```
/// use lookalike_taxonomy::{failure_kind, FailureKind};
/// let v = failure_kind("two dogs on the left of a red car", "two dogs on the right of a red car");
/// assert_eq!(v.kind, FailureKind::Spatial);
/// assert!(v.changes_meaning);
/// assert_eq!(v.explanation, "spatial relation: 'left' → 'right'");
/// ```
pub fn failure_kind(text_a: &str, text_b: &str) -> Verdict {
    Lexicon::builtin().failure_kind(text_a, text_b)
}

impl Lexicon {
    /// Names the kind of difference between `text_a` and `text_b` with this lexicon; see
    /// [`failure_kind`].
    pub fn failure_kind(&self, text_a: &str, text_b: &str) -> Verdict {
        let (wa, wb) = (words(text_a), words(text_b));
        if wa == wb {
            let explanation = if text_a == text_b {
                "identical: the same text".to_string()
            } else {
                "identical: the same words (case, punctuation or spacing differ)".to_string()
            };
            return Verdict {
                kind: FailureKind::Identical,
                words_a: vec![],
                words_b: vec![],
                explanation,
                changes_meaning: false,
            };
        }
        let (ta, tb) = (self.annotate(&wa), self.annotate(&wb));
        let a = Side {
            words: &wa,
            tags: &ta,
        };
        let b = Side {
            words: &wb,
            tags: &tb,
        };
        if let Some(v) = self.reordering(&a, &b) {
            return v;
        }
        let hunks = diff(&wa, &wb);
        let judged: Vec<Judged> = hunks.iter().map(|h| self.judge_hunk(&a, &b, h)).collect();
        let mut words_a: Vec<String> = hunks
            .iter()
            .flat_map(|h| wa[h.a.clone()].iter().cloned())
            .collect();
        let mut words_b: Vec<String> = hunks
            .iter()
            .flat_map(|h| wb[h.b.clone()].iter().cloned())
            .collect();
        words_a.truncate(MAX_VERDICT_WORDS);
        words_b.truncate(MAX_VERDICT_WORDS);
        let changing: Vec<&Judged> = judged.iter().filter(|j| j.changes).collect();
        let pick = |pool: &[&Judged], order: &[FailureKind]| -> Option<usize> {
            order
                .iter()
                .find_map(|k| pool.iter().position(|j| j.kind == *k))
        };
        let (lead, others) = if let Some(i) = pick(&changing, &PRIORITY) {
            (changing[i], changing.len() - 1)
        } else {
            let pool: Vec<&Judged> = judged.iter().collect();
            // Added or dropped detail says more than a paraphrase.
            let order = [
                FailureKind::Subject,
                FailureKind::Object,
                FailureKind::Other,
                FailureKind::Synonym,
            ];
            let i = pick(&pool, &order).unwrap_or(0);
            (pool[i], 0)
        };
        let mut explanation = explain(lead);
        if others > 0 {
            let s = if others == 1 { "" } else { "s" };
            explanation.push_str(&format!(" (and {others} other meaning change{s})"));
        }
        Verdict {
            kind: lead.kind,
            words_a,
            words_b,
            explanation,
            changes_meaning: lead.changes,
        }
    }

    /// Same content words in another order: a role swap, an attribute swap, or a harmless
    /// reordering of a list ("a laptop and a computer" / "a computer and a laptop").
    fn reordering(&self, a: &Side, b: &Side) -> Option<Verdict> {
        // Articles and the plain-present copula say nothing about who does what.
        let content = |s: &Side| -> Vec<usize> {
            (0..s.words.len())
                .filter(|&i| !s.tags[i].iter().any(|t| t.cat == Category::Article))
                .filter(|&i| !matches!(s.words[i].as_str(), "is" | "are" | "am"))
                .collect()
        };
        let (ia, ib) = (content(a), content(b));
        if ia.len() != ib.len() || ia.is_empty() || ia.len() > MAX_REORDER_WORDS {
            return None;
        }
        let same = |x: &String, y: &String| x == y || self.morph.plural_variant(x, y);
        let wa: Vec<&String> = ia.iter().map(|&i| &a.words[i]).collect();
        let wb: Vec<&String> = ib.iter().map(|&i| &b.words[i]).collect();
        let mut used = vec![false; wb.len()];
        for x in &wa {
            let k = (0..wb.len()).find(|&k| !used[k] && same(x, wb[k]))?;
            used[k] = true;
        }
        let first = (0..wa.len()).find(|&k| !same(wa[k], wb[k]))?;
        let last = (0..wa.len()).rev().find(|&k| !same(wa[k], wb[k]))?;
        let swapped = |x: &[&String], y: &[&String]| {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        };
        for lo in first.saturating_sub(2)..=first {
            for hi in last..(last + 3).min(wa.len()) {
                let (xa, xb) = (&wa[lo..=hi], &wb[lo..=hi]);
                for (k, w) in xa.iter().enumerate() {
                    if !matches!(w.as_str(), "and" | "or" | "&" | "plus") {
                        continue;
                    }
                    let n = xa.len() - k - 1;
                    if xb.get(n).is_some_and(|c| same(c, w))
                        && swapped(&xb[..n], &xa[k + 1..])
                        && swapped(&xb[n + 1..], &xa[..k])
                    {
                        let expl = format!(
                            "near-synonym (list order): '{}' → '{}'",
                            join(xa.iter().map(|s| s.as_str())),
                            join(xb.iter().map(|s| s.as_str()))
                        );
                        return Some(verdict(FailureKind::Synonym, xa, xb, expl, false));
                    }
                }
            }
        }
        // Moved words: those outside a longest common subsequence.
        let moved = |hunks: &[crate::diff::Hunk], left: bool| -> Vec<usize> {
            hunks
                .iter()
                .flat_map(|h| if left { h.a.clone() } else { h.b.clone() })
                .collect()
        };
        let hunks = diff(&wa, &wb);
        let (ma, mb) = (moved(&hunks, true), moved(&hunks, false));
        let all = |s: &Side, idx: &[usize], m: &[usize], f: &dyn Fn(&Tag) -> bool| {
            m.iter().all(|&k| s.tags[idx[k]].iter().any(f))
        };
        let is_attr = |t: &Tag| t.cat.is_attribute();
        let is_qty = |t: &Tag| matches!(t.cat, Category::Number | Category::Quantifier);
        let is_spatial = |t: &Tag| t.cat == Category::Spatial;
        let (kind, changes) = if all(a, &ia, &ma, &is_attr) && all(b, &ib, &mb, &is_attr) {
            // Adjectives reordered on one noun ("big red ball") say the same thing.
            let spread = (first..=last).any(|k| !a.tags[ia[k]].iter().any(is_attr));
            (FailureKind::Attribute, spread)
        } else if all(a, &ia, &ma, &is_qty) && all(b, &ib, &mb, &is_qty) {
            (FailureKind::Quantifier, true)
        } else if all(a, &ia, &ma, &is_spatial) && all(b, &ib, &mb, &is_spatial) {
            (FailureKind::Spatial, true)
        } else {
            (FailureKind::RoleSwap, true)
        };
        let xa: Vec<&String> = ma.iter().map(|&k| wa[k]).collect();
        let xb: Vec<&String> = mb.iter().map(|&k| wb[k]).collect();
        let what = if kind == FailureKind::Attribute && !changes {
            "attribute (reordered adjectives)"
        } else {
            kind.label()
        };
        let expl = format!(
            "{what}: '{}' → '{}'",
            join(xa.iter().map(|s| s.as_str())),
            join(xb.iter().map(|s| s.as_str()))
        );
        Some(verdict(kind, &xa, &xb, expl, changes))
    }
}

fn verdict(
    kind: FailureKind,
    a: &[&String],
    b: &[&String],
    explanation: String,
    changes: bool,
) -> Verdict {
    let list = |x: &[&String]| {
        x.iter()
            .take(MAX_VERDICT_WORDS)
            .map(|s| s.to_string())
            .collect()
    };
    Verdict {
        kind,
        words_a: list(a),
        words_b: list(b),
        explanation,
        changes_meaning: changes,
    }
}

fn join<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let mut v: Vec<&str> = it.collect();
    if v.len() > 12 {
        v.truncate(12);
        v.push("…");
    }
    v.join(" ")
}

fn explain(j: &Judged) -> String {
    let label = match (j.kind, j.note) {
        (k, "") => k.label().to_string(),
        (k, note) => format!("{} ({note})", k.label()),
    };
    let (a, b) = (
        join(j.a.iter().map(String::as_str)),
        join(j.b.iter().map(String::as_str)),
    );
    match (a.is_empty(), b.is_empty()) {
        (true, _) => format!("{label}: added '{b}'"),
        (_, true) => format!("{label}: dropped '{a}'"),
        _ => format!("{label}: '{a}' → '{b}'"),
    }
}
