//! Category-specific edits of one sentence, the raw material of [`generate`](crate::generate).

use crate::kind::FailureKind;
use crate::lexicon::{Category, Lexicon, Tag};
use crate::morph::VerbForm;
use crate::sentence::{Sentence, Splice};

/// Candidate rewrites of `s` meant to show `kind`; unchecked.
pub(crate) fn edits(lex: &Lexicon, s: &Sentence, kind: FailureKind) -> Vec<String> {
    let splices: Vec<Vec<Splice>> = match kind {
        FailureKind::Spatial => flip_phrases(lex, s, &[Category::Spatial]),
        FailureKind::Quantifier => {
            let mut v = flip_phrases(lex, s, &[Category::Quantifier, Category::Number]);
            v.extend(count_articles(lex, s));
            v
        }
        FailureKind::Attribute => {
            let cats = [
                Category::Color,
                Category::Size,
                Category::Material,
                Category::State,
            ];
            let mut v = swap_pairs(s, &attribute_slots(s, &cats), 2);
            v.extend(flip_phrases(lex, s, &cats));
            v
        }
        FailureKind::Negation => negate(lex, s),
        FailureKind::Presence => s
            .words
            .iter()
            .enumerate()
            .filter(|&(i, _)| i + 1 < s.words.len())
            .filter_map(|(i, w)| match w.as_str() {
                "with" => Some(vec![(
                    s.tokens[i].start,
                    s.tokens[i].end,
                    "without".to_string(),
                )]),
                "without" => Some(vec![(
                    s.tokens[i].start,
                    s.tokens[i].end,
                    "with".to_string(),
                )]),
                _ => None,
            })
            .collect(),
        FailureKind::RoleSwap => {
            let nouns = s.nouns(lex, &[Category::Subject, Category::Object]);
            let mut v = Vec::new();
            for (x, &(i, _, ref li, pi)) in nouns.iter().enumerate() {
                for &(j, _, ref lj, pj) in &nouns[x + 1..] {
                    if li != lj && j > i + 1 {
                        let (si, sj) = (&s.tokens[i], &s.tokens[j]);
                        v.push(vec![
                            (si.start, si.end, Sentence::noun_form(lex, lj, pi)),
                            (sj.start, sj.end, Sentence::noun_form(lex, li, pj)),
                        ]);
                    }
                }
            }
            v
        }
        FailureKind::Subject => substitute_nouns(lex, s, Category::Subject),
        FailureKind::Object => substitute_nouns(lex, s, Category::Object),
        FailureKind::Action => change_action(lex, s),
        _ => Vec::new(),
    };
    splices
        .into_iter()
        .map(|sp| s.apply(sp))
        .filter(|t| t != s.text)
        .collect()
}

/// Replace a listed phrase with another member of its line (or, for one-word lines such as
/// colours, with a word from another line of the same file).
fn flip_phrases(lex: &Lexicon, s: &Sentence, cats: &[Category]) -> Vec<Vec<Splice>> {
    let mut out = Vec::new();
    let mut tags: Vec<Tag> = s
        .tags
        .iter()
        .flatten()
        .copied()
        .filter(|t| cats.contains(&t.cat))
        .collect();
    tags.sort_by_key(|t| (t.start, t.len));
    tags.dedup();
    for t in &tags {
        // "old" before "man" is the subject's age, not an attribute to flip.
        if t.cat.is_attribute() && s.has(t.start, Category::Age) {
            continue;
        }
        let inside_longer = tags.iter().any(|u| {
            u != t && u.start <= t.start && u.start + u.len >= t.start + t.len && u.len > t.len
        });
        if inside_longer {
            continue;
        }
        let group = &lex.groups[t.group as usize];
        let here = &s.words[t.start..t.start + t.len];
        let mut options: Vec<&Vec<String>> = group
            .members
            .iter()
            .filter(|m| m.as_slice() != here)
            .collect();
        if options.is_empty() {
            options = lex
                .groups
                .iter()
                .filter(|g| g.cat == t.cat && g.members.len() == 1)
                .map(|g| &g.members[0])
                .collect();
            options.retain(|m| m.as_slice() != here);
        }
        let (start, end) = s.span(t.start, t.len);
        for m in options {
            out.push(vec![(start, end, m.join(" "))]);
        }
    }
    out
}

/// "a dog" -> "two dogs".
fn count_articles(lex: &Lexicon, s: &Sentence) -> Vec<Vec<Splice>> {
    let nouns = s.nouns(lex, &[Category::Subject, Category::Object]);
    let mut out = Vec::new();
    for (i, _, lemma, plural) in nouns {
        if i == 0 || plural || !matches!(s.words[i - 1].as_str(), "a" | "an" | "one") {
            continue;
        }
        for n in ["two", "three"] {
            let (start, end) = s.span(i - 1, 2);
            out.push(vec![(
                start,
                end,
                format!("{n} {}", lex.morph.plural(&lemma)),
            )]);
        }
    }
    out
}

fn attribute_slots(s: &Sentence, cats: &[Category]) -> Vec<(usize, Category)> {
    (0..s.words.len())
        .filter(|&i| !s.has(i, Category::Age))
        .filter_map(|i| {
            s.tags[i]
                .iter()
                .find(|t| t.len == 1 && cats.contains(&t.cat))
                .map(|t| (i, t.cat))
        })
        .collect()
}

/// Swap two words of the same category at least `gap` words apart.
fn swap_pairs(s: &Sentence, slots: &[(usize, Category)], gap: usize) -> Vec<Vec<Splice>> {
    let mut out = Vec::new();
    for (x, &(i, ci)) in slots.iter().enumerate() {
        for &(j, cj) in &slots[x + 1..] {
            if ci == cj && j >= i + gap && s.words[i] != s.words[j] {
                let (ti, tj) = (&s.tokens[i], &s.tokens[j]);
                out.push(vec![
                    (ti.start, ti.end, s.words[j].clone()),
                    (tj.start, tj.end, s.words[i].clone()),
                ]);
            }
        }
    }
    out
}

fn negate(lex: &Lexicon, s: &Sentence) -> Vec<Vec<Splice>> {
    let mut out = Vec::new();
    for (i, w) in s.words.iter().enumerate() {
        let t = &s.tokens[i];
        let next_negated = s.words.get(i + 1).is_some_and(|n| n == "not");
        if matches!(w.as_str(), "is" | "are" | "was" | "were") && !next_negated {
            out.push(vec![(t.end, t.end, " not".to_string())]);
        }
        if w == "not" {
            let end = s.tokens.get(i + 1).map_or(t.end, |n| n.start);
            out.push(vec![(t.start, end, String::new())]);
        }
        let verb_ing = lex.morph.verb_form(w) == VerbForm::Ing && !s.has(i, Category::Object);
        let after_aux = i > 0
            && matches!(
                s.words[i - 1].as_str(),
                "is" | "are" | "was" | "were" | "not"
            );
        if verb_ing && !after_aux && i > 0 {
            out.push(vec![(t.start, t.start, "not ".to_string())]);
        }
    }
    out
}

fn substitute_nouns(lex: &Lexicon, s: &Sentence, cat: Category) -> Vec<Vec<Splice>> {
    let mut out = Vec::new();
    for (i, tag, lemma, plural) in s.nouns(lex, &[cat]) {
        let pronoun = matches!(
            lemma.as_str(),
            "he" | "she" | "him" | "her" | "his" | "himself" | "herself"
        );
        if pronoun || (cat == Category::Object && s.has(i, Category::Subject)) {
            continue;
        }
        for m in &lex.groups[tag.group as usize].members {
            if m.len() == 1 && m[0] != lemma {
                let t = &s.tokens[i];
                out.push(vec![(
                    t.start,
                    t.end,
                    Sentence::noun_form(lex, &m[0], plural),
                )]);
            }
        }
    }
    out
}

/// A listed verb at `i`: its lemma and line.
fn verb_at(lex: &Lexicon, s: &Sentence, i: usize) -> Option<(String, Tag)> {
    let tag = *s.tags[i]
        .iter()
        .find(|t| t.cat == Category::Verb && t.len == 1)?;
    let members = &lex.groups[tag.group as usize].members;
    let w = &s.words[i];
    let lemma = std::iter::once(w.clone())
        .chain(lex.morph.verb_lemmas(w))
        .find(|k| members.iter().any(|m| m.len() == 1 && m[0] == *k))?;
    Some((lemma, tag))
}

fn change_action(lex: &Lexicon, s: &Sentence) -> Vec<Vec<Splice>> {
    let mut out = Vec::new();
    for i in 0..s.words.len() {
        let form = lex.morph.verb_form(&s.words[i]);
        if form != VerbForm::Ing || s.has(i, Category::Object) {
            continue;
        }
        let Some((lemma, _)) = verb_at(lex, s, i) else {
            continue;
        };
        // Verbs of the same line ("throw" / "kick") often draw one picture; those of other lines
        // ("throw" / "eat") do not. The corpus then decides which read naturally.
        let verbs = lex
            .groups
            .iter()
            .filter(|g| g.cat == Category::Verb)
            .flat_map(|g| g.members.iter());
        for m in verbs.filter(|m| m.len() == 1 && m[0] != lemma) {
            let t = &s.tokens[i];
            out.push(vec![(t.start, t.end, lex.morph.ing_form(&m[0]))]);
        }
    }
    out
}
