//! The precision-first meaning judge.
//!
//! It aligns the units of two captions (exact words and base forms first, in order, then the
//! same words moved elsewhere), pairs what is left by position and class, and asks of each
//! edit whether it visibly changes a picture. WordNet says which nouns and verbs are
//! synonyms, more general words, or things of another kind (`noun.animal` against
//! `noun.artifact`); the closed classes (numbers, colours, spatial relations, negation) come
//! from the lexicon. An edit it cannot vouch for makes the pair `uncertain`, never a failure:
//! a report that is mostly false alarms is worse than a short one.

mod relations;
mod rules;
mod units;
pub mod wordnet;

use serde::{Deserialize, Serialize};

use crate::kind::FailureKind;
use crate::lexicon::Lexicon;
use units::{units, Class, Unit};
use wordnet::WordNet;

/// The judge's answer for a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    /// Confident: a picture of one caption would fail to show the other.
    ChangesMeaning,
    /// Confident: only the wording differs.
    Same,
    /// An edit the judge cannot vouch for either way.
    Uncertain,
}

impl Judgement {
    /// The stable name stored in tables: `changes_meaning`, `same` or `uncertain`.
    pub fn name(self) -> &'static str {
        match self {
            Judgement::ChangesMeaning => "changes_meaning",
            Judgement::Same => "same",
            Judgement::Uncertain => "uncertain",
        }
    }

    /// The judgement with this name, if any.
    pub fn from_name(name: &str) -> Option<Judgement> {
        [
            Judgement::ChangesMeaning,
            Judgement::Same,
            Judgement::Uncertain,
        ]
        .into_iter()
        .find(|j| j.name() == name)
    }
}

impl std::fmt::Display for Judgement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What one edit says.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    pub(crate) judgement: Judgement,
    pub(crate) kind: FailureKind,
    pub(crate) evidence: String,
}

impl Finding {
    pub(crate) fn new(
        judgement: Judgement,
        kind: FailureKind,
        evidence: impl Into<String>,
    ) -> Finding {
        Finding {
            judgement,
            kind,
            evidence: evidence.into(),
        }
    }
}

/// The judge's reading of a pair.
#[derive(Debug, Clone)]
pub(crate) struct Reading {
    pub(crate) judgement: Judgement,
    pub(crate) kind: FailureKind,
    pub(crate) evidence: String,
    pub(crate) words_a: Vec<String>,
    pub(crate) words_b: Vec<String>,
}

/// Which kind names a pair when several edits change meaning: the first listed.
const ORDER: [FailureKind; 9] = [
    FailureKind::Negation,
    FailureKind::Quantifier,
    FailureKind::Spatial,
    FailureKind::RoleSwap,
    FailureKind::Subject,
    FailureKind::Attribute,
    FailureKind::Object,
    FailureKind::Action,
    FailureKind::Presence,
];

/// Left-over content words on both sides together past which even a contrast of closed classes
/// is not vouched for: the captions were written apart.
const REWRITE_WORDS: usize = 4;

/// Left-over content words past which a replaced noun or verb, or an added detail, is not
/// vouched for.
const WEAK_EDIT_WORDS: usize = 2;

/// Content words per caption past which the judge does not align (alignment is quadratic,
/// and a text this long is no caption).
const MAX_UNITS: usize = 256;

/// The aligned units of two captions.
pub(crate) struct Alignment {
    pub(crate) a: Vec<Unit>,
    pub(crate) b: Vec<Unit>,
    /// For each unit of `a`, its partner in `b` (exact or equivalent).
    pub(crate) to_b: Vec<Option<usize>>,
    pub(crate) to_a: Vec<Option<usize>>,
    /// Units of `a` and `b` matched in order (the anchors); the rest moved or changed.
    pub(crate) anchors: Vec<(usize, usize)>,
}

/// The age a person word says: `'a'` adult, `'c'` child, `' '` when it does not say (or the
/// word is no person word the judge lists).
pub(crate) fn person_age(word: &str) -> char {
    rules::person_age(word)
}

/// Whether `word` is one of the gender and age words a picture tells apart ("man", "girl").
pub(crate) fn is_gender_or_age(word: &str) -> bool {
    rules::person_age(word) != ' ' || rules::person_gender(word) != ' '
}

/// Whether a WordNet lexicographer file holds things a picture shows (animals, artifacts,
/// food, plants, people, body parts, substances).
pub(crate) fn is_concrete(lexfile: u8) -> bool {
    rules::CONCRETE.contains(&lexfile)
}

/// Judges whether `text_a` and `text_b` mean different things, with `wn` when installed.
pub(crate) fn read(lex: &Lexicon, wn: Option<&WordNet>, text_a: &str, text_b: &str) -> Reading {
    let (ua, ub) = (units(lex, wn, text_a), units(lex, wn, text_b));
    let content = |u: &[Unit]| u.iter().filter(|u| u.class != Class::Filler).count();
    if content(&ua).max(content(&ub)) > MAX_UNITS {
        let evidence = format!(
            "too long to judge: {} and {} words (captions have at most {MAX_UNITS})",
            content(&ua),
            content(&ub)
        );
        return Reading {
            judgement: Judgement::Uncertain,
            kind: FailureKind::Other,
            evidence,
            words_a: vec![],
            words_b: vec![],
        };
    }
    let mut al = align(ua, ub);
    let mut findings = rules::edits(lex, wn, &mut al);
    findings.extend(relations::moved(&al));
    let leftover = |side: &[Unit], map: &[Option<usize>]| -> Vec<String> {
        side.iter()
            .zip(map)
            .filter(|(u, m)| m.is_none() && u.class != Class::Filler)
            .map(|(u, _)| u.text.clone())
            .collect()
    };
    let (words_a, words_b) = (leftover(&al.a, &al.to_b), leftover(&al.b, &al.to_a));
    // Captions written apart (two people describing one photo) differ in many small ways. A
    // replaced noun or verb, or an added detail, is vouched for only as a clean edit: nothing
    // else uncertain and at most WEAK_EDIT_WORDS words left over. Contrasts of closed classes
    // (negation, numbers, colours, relations, people, roles) stand up to REWRITE_WORDS.
    let weak = |k: FailureKind| {
        matches!(
            k,
            FailureKind::Object | FailureKind::Action | FailureKind::Presence
        )
    };
    let leftover_words = words_a.len() + words_b.len();
    let unsure = findings.iter().any(|f| f.judgement == Judgement::Uncertain);
    for f in findings
        .iter_mut()
        .filter(|f| f.judgement == Judgement::ChangesMeaning)
    {
        let weak_edit = weak(f.kind) || f.evidence.starts_with("added");
        let demote = if weak_edit {
            unsure || leftover_words > WEAK_EDIT_WORDS
        } else {
            leftover_words > REWRITE_WORDS
        };
        if demote {
            f.judgement = Judgement::Uncertain;
            f.evidence.push_str(" (among other differences)");
        }
    }
    let pick =
        |j: Judgement| -> Vec<&Finding> { findings.iter().filter(|f| f.judgement == j).collect() };
    let (changes, unsure, same) = (
        pick(Judgement::ChangesMeaning),
        pick(Judgement::Uncertain),
        pick(Judgement::Same),
    );
    let (judgement, lead, rest): (Judgement, Option<&Finding>, Vec<&Finding>) =
        if !changes.is_empty() {
            let lead = ORDER
                .iter()
                .find_map(|k| changes.iter().find(|f| f.kind == *k))
                .copied()
                .unwrap_or(changes[0]);
            (Judgement::ChangesMeaning, Some(lead), changes)
        } else if !unsure.is_empty() {
            (Judgement::Uncertain, Some(unsure[0]), unsure)
        } else {
            (Judgement::Same, same.first().copied(), same)
        };
    let kind = match lead {
        Some(f) => f.kind,
        None if text_a == text_b
            || crate::tokenize::words(text_a) == crate::tokenize::words(text_b) =>
        {
            FailureKind::Identical
        }
        None => FailureKind::Synonym,
    };
    let mut evidence: Vec<String> = Vec::new();
    if let Some(lead) = lead {
        evidence.push(lead.evidence.clone());
    }
    for f in rest
        .iter()
        .filter(|f| !lead.is_some_and(|l| std::ptr::eq(**f, l)))
        .take(3)
    {
        evidence.push(f.evidence.clone());
    }
    let mut evidence = if evidence.is_empty() {
        "the same words".to_string()
    } else {
        evidence.join("; ")
    };
    if wn.is_none() && judgement == Judgement::Uncertain {
        evidence.push_str(" (WordNet is not installed: run `lookalike setup`)");
    }
    Reading {
        judgement,
        kind,
        evidence,
        words_a,
        words_b,
    }
}

/// Aligns the units: order-preserving exact matches (anchors), then exact matches that moved.
fn align(a: Vec<Unit>, b: Vec<Unit>) -> Alignment {
    let ca: Vec<usize> = (0..a.len())
        .filter(|&i| a[i].class != Class::Filler)
        .collect();
    let cb: Vec<usize> = (0..b.len())
        .filter(|&j| b[j].class != Class::Filler)
        .collect();
    let same = |i: usize, j: usize| rules::same_unit(&a[i], &b[j]);
    // Longest common subsequence of the content units.
    let (n, m) = (ca.len(), cb.len());
    let mut dp = vec![0u16; (n + 1) * (m + 1)];
    let w = m + 1;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            dp[i * w + j] = if same(ca[i], cb[j]) {
                dp[(i + 1) * w + j + 1] + 1
            } else {
                dp[(i + 1) * w + j].max(dp[i * w + j + 1])
            };
        }
    }
    let (mut to_b, mut to_a) = (vec![None; a.len()], vec![None; b.len()]);
    let mut anchors = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if same(ca[i], cb[j]) && dp[i * w + j] == dp[(i + 1) * w + j + 1] + 1 {
            anchors.push((ca[i], cb[j]));
            to_b[ca[i]] = Some(cb[j]);
            to_a[cb[j]] = Some(ca[i]);
            i += 1;
            j += 1;
        } else if dp[(i + 1) * w + j] >= dp[i * w + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    for &x in &ca {
        if to_b[x].is_some() {
            continue;
        }
        if let Some(&y) = cb.iter().find(|&&y| to_a[y].is_none() && same(x, y)) {
            to_b[x] = Some(y);
            to_a[y] = Some(x);
        }
    }
    Alignment {
        a,
        b,
        to_b,
        to_a,
        anchors,
    }
}
