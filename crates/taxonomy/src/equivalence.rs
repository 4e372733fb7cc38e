//! Edits that keep meaning: synonyms, spelling slips, plurals, compounds, equal numbers.

use std::collections::BTreeSet;

use crate::diff::Hunk;
use crate::hunk::{has, Side, VAGUE};
use crate::lexicon::{Category, Lexicon};
use crate::morph::spelling_slip;

impl Lexicon {
    /// Why the two sides say the same thing, if they do.
    pub(crate) fn equivalent(
        &self,
        a: &Side,
        ca: &[usize],
        b: &Side,
        cb: &[usize],
        h: &Hunk,
    ) -> Option<&'static str> {
        // Function words, the plain-present copula and a vague "some" carry no picture ("a man
        // who is walking" / "a man walking").
        let copula = |w: &str| matches!(w, "is" | "are" | "am");
        let keep = |s: &Side, r: &[usize]| -> Vec<usize> {
            r.iter()
                .copied()
                .filter(|&i| {
                    !has(s, i, Category::Function)
                        && !copula(&s.words[i])
                        && !VAGUE.contains(&s.words[i].as_str())
                })
                .collect()
        };
        let (ca, cb) = (&keep(a, ca)[..], &keep(b, cb)[..]);
        let wa: Vec<String> = ca.iter().map(|&i| a.words[i].clone()).collect();
        let wb: Vec<String> = cb.iter().map(|&i| b.words[i].clone()).collect();
        if wa.is_empty() && wb.is_empty() {
            return Some("function words");
        }
        let numbers = |s: &Side, r: &[usize]| -> Option<BTreeSet<u32>> {
            let mut groups = BTreeSet::new();
            for &i in r {
                groups.insert(s.tags[i].iter().find(|t| t.cat == Category::Number)?.group);
            }
            Some(groups)
        };
        if let (Some(x), Some(y)) = (numbers(a, ca), numbers(b, cb)) {
            if x.len() == 1 && x == y {
                return Some("number");
            }
        }
        let one_for_a = |w: &[String], side: &Side, r: &std::ops::Range<usize>| {
            w.len() == 1
                && w[0] == "one"
                && r.clone()
                    .any(|i| matches!(side.words[i].as_str(), "a" | "an"))
        };
        if (wa.is_empty() && one_for_a(&wb, a, &h.a)) || (wb.is_empty() && one_for_a(&wa, b, &h.b))
        {
            return Some("number");
        }
        if wa.is_empty() || wb.is_empty() {
            return None;
        }
        if wa.concat() == wb.concat() {
            return Some("compound");
        }
        if self.synonyms(&wa, &wb) {
            return Some("synonym");
        }
        if wa.len() != wb.len() {
            return None;
        }
        let mut reason = "synonym";
        for (k, (x, y)) in wa.iter().zip(&wb).enumerate() {
            if x == y {
                continue;
            }
            let (x1, y1) = (std::slice::from_ref(x), std::slice::from_ref(y));
            if self.morph.plural_variant(x, y) {
                reason = "plural";
            } else if self.synonyms(x1, y1) {
            } else if self.same_number(a, ca[k], b, cb[k]) {
                reason = "number";
            } else if spelling_slip(x, y) && !(self.knows(x) && self.knows(y)) {
                reason = "spelling";
            } else {
                return None;
            }
        }
        Some(reason)
    }

    fn same_number(&self, a: &Side, i: usize, b: &Side, j: usize) -> bool {
        let group = |s: &Side, i: usize| {
            s.tags[i]
                .iter()
                .find(|t| t.cat == Category::Number)
                .map(|t| t.group)
        };
        let value = |w: &str| w.replace(',', "").parse::<f64>().ok();
        match (value(&a.words[i]), value(&b.words[j])) {
            (Some(x), Some(y)) => x == y,
            _ => group(a, i).is_some() && group(a, i) == group(b, j),
        }
    }
}
