//! Who does what to whom, what is where, and which noun an attribute describes, compared
//! across the aligned captions. Moving a phrase keeps these; a role swap changes one.

use crate::kind::FailureKind;

use super::units::{Class, Role, Unit};
use super::{Alignment, Finding, Judgement};

/// Relations that read the same both ways ("a cat next to a dog" / "a dog next to a cat").
const SYMMETRIC: &[&str] = &[
    "next to",
    "beside",
    "near",
    "by",
    "close to",
    "alongside",
    "adjacent to",
    "across from",
    "opposite",
    "between",
    "among",
    "around",
    "with",
    "along",
    "at",
    "in the middle of",
];

fn is_noun(u: &Unit) -> bool {
    u.class == Class::Word && u.role == Role::Noun
}

/// The nearest noun after unit `i`, not past a verb or relation.
fn next_noun(side: &[Unit], i: usize) -> Option<usize> {
    for (k, u) in side.iter().enumerate().skip(i + 1) {
        if is_noun(u) {
            // The head of a compound is its last noun: "a large city bus" describes a bus.
            let mut head = k;
            // A plural is no modifier ("two men play chess").
            while !side[head].plural && side.get(head + 1).is_some_and(is_noun) {
                head += 1;
            }
            return Some(head);
        }
        if u.role == Role::Verb || matches!(u.class, Class::Spatial(_) | Class::Negation) {
            return None;
        }
    }
    None
}

/// The nearest noun before unit `i`.
fn prev_noun(side: &[Unit], i: usize) -> Option<usize> {
    (0..i).rev().find(|&k| is_noun(&side[k]))
}

/// Whether the noun at `i` is a verb's object. A relation after it may then describe the verb's
/// doer instead: "riding a wave on a surfboard" / "riding a surfboard on a wave" draw one picture.
fn after_verb(side: &[Unit], i: usize) -> bool {
    side[..i]
        .iter()
        .rev()
        .find(|u| u.class != Class::Filler)
        .is_some_and(|u| u.role == Role::Verb)
}

/// Whether the noun at `i` is itself the object of a relation ("on a ledge on a skateboard"):
/// a relation after it may then attach to something before it.
fn after_relation(side: &[Unit], i: usize) -> bool {
    side[..i]
        .iter()
        .rev()
        .find(|u| {
            u.class != Class::Filler
                && !(u.role == Role::Adj || matches!(u.class, Class::Colour | Class::Count(_)))
        })
        .is_some_and(|u| matches!(u.class, Class::Spatial(_)))
}

/// Findings about relations among units both captions have.
pub(crate) fn moved(al: &Alignment) -> Vec<Finding> {
    let mut out = Vec::new();
    let map = |k: Option<usize>| k.and_then(|k| al.to_b[k]);
    for (i, u) in al.a.iter().enumerate() {
        let Some(j) = al.to_b[i] else { continue };
        let v = &al.b[j];
        // A word written twice ("a large clock on a large building") has no one noun to follow.
        let once = |side: &[Unit], t: &str| side.iter().filter(|w| w.text == t).count() == 1;
        let attribute = (matches!(u.class, Class::Colour | Class::Count(Some(_)))
            || u.is_visible_attribute())
            && once(&al.a, &u.text)
            && once(&al.b, &v.text);
        if attribute && u.class != Class::Filler {
            // An attribute or a number now describes another noun.
            let (na, nb) = (next_noun(&al.a, i), next_noun(&al.b, j));
            if let (Some(na), Some(nb)) = (na, nb) {
                // Any noun of one compound found in the other ("green grass covered field" /
                // "green grass field") is the same thing described.
                let run_b = (j + 1..=nb)
                    .filter(|&k| is_noun(&al.b[k]))
                    .collect::<Vec<_>>();
                let shared = (i + 1..=na)
                    .filter(|&k| is_noun(&al.a[k]))
                    .any(|k| al.to_b[k].is_some_and(|m| run_b.contains(&m)));
                if !shared
                    && al.to_b[na].is_some()
                    && al.to_b[na] != Some(nb)
                    && al.to_a[nb].is_some()
                {
                    let kind = if matches!(u.class, Class::Count(_)) {
                        FailureKind::Quantifier
                    } else {
                        FailureKind::Attribute
                    };
                    out.push(Finding::new(
                        Judgement::ChangesMeaning,
                        kind,
                        format!(
                            "'{}' describes '{}' in one caption and '{}' in the other",
                            u.text, al.a[na].text, al.b[nb].text
                        ),
                    ));
                }
            }
        }
        if let Class::Spatial(_) = u.class {
            if SYMMETRIC.contains(&u.text.as_str()) {
                continue;
            }
            let (la, ra) = (prev_noun(&al.a, i), next_noun(&al.a, i));
            let (lb, rb) = (prev_noun(&al.b, j), next_noun(&al.b, j));
            if let (Some(la), Some(ra), Some(lb), Some(rb)) = (la, ra, lb, rb) {
                if map(Some(la)) == Some(rb)
                    && map(Some(ra)) == Some(lb)
                    && la != ra
                    && !after_verb(&al.a, la)
                    && !after_relation(&al.a, la)
                {
                    out.push(Finding::new(
                        Judgement::ChangesMeaning,
                        FailureKind::RoleSwap,
                        format!(
                            "'{} {} {}' against '{} {} {}'",
                            al.a[la].text,
                            u.text,
                            al.a[ra].text,
                            al.b[lb].text,
                            v.text,
                            al.b[rb].text
                        ),
                    ));
                }
            }
        }
    }
    out.extend(swapped_nouns(al));
    out
}

/// Two nouns that trade places around the same words: "a dog chasing a cat" / "a cat chasing a
/// dog", "the spider was scared of the human" / "the human was scared of the spider". A moved
/// phrase takes its relation along ("on a beach, a dog runs" / "a dog runs on a beach"), and a
/// change of voice puts "by" between them on one side only; neither is a swap.
fn swapped_nouns(al: &Alignment) -> Option<Finding> {
    let nouns: Vec<usize> = (0..al.a.len())
        .filter(|&i| is_noun(&al.a[i]) && al.to_b[i].is_some())
        .collect();
    // Every pair, not only neighbours: "a woman handing a baby to a man" swaps the two people
    // around the baby.
    let pairs = nouns
        .iter()
        .enumerate()
        .flat_map(|(k, &x)| nouns[k + 1..].iter().map(move |&y| (x, y)));
    for (x, y) in pairs {
        let (bx, by) = (al.to_b[x]?, al.to_b[y]?);
        if by >= bx {
            continue;
        }
        let between_a: Vec<&Unit> = al.a[x + 1..y].iter().collect();
        let between_b: Vec<&Unit> = al.b[by + 1..bx].iter().collect();
        // The words that relate the two nouns: verbs and relations, not their adjectives.
        // An adjective right before the second noun describes it ("a small child"); one before a
        // preposition relates ("scared of").
        let relating = |v: &[&Unit]| -> Vec<Unit> {
            let last = v.iter().rposition(|u| u.class != Class::Filler);
            v.iter()
                .enumerate()
                .filter(|(k, u)| {
                    (u.class == Class::Word && (u.role != Role::Adj || Some(*k) != last))
                        || matches!(u.class, Class::Spatial(_) | Class::Negation)
                })
                .map(|(_, u)| (*u).clone())
                .collect()
        };
        let (ra, rb) = (relating(&between_a), relating(&between_b));
        let same_words = !ra.is_empty()
            && ra.len() == rb.len()
            && ra
                .iter()
                .zip(&rb)
                .all(|(p, q)| super::rules::same_unit(p, q));
        let by_word = |v: &[&Unit]| v.iter().any(|u| u.text == "by");
        let symmetric = ra.iter().any(|u| SYMMETRIC.contains(&u.text.as_str()))
            || between_a.iter().any(|u| u.text == "and" || u.text == "or");
        let only_relation = ra.iter().all(|u| matches!(u.class, Class::Spatial(_)));
        if only_relation && (after_verb(&al.a, x) || after_relation(&al.a, x)) {
            continue;
        }
        let text = |v: &[Unit]| {
            v.iter()
                .map(|u| u.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let (ca, cb) = (text(&ra), text(&rb));
        if same_words && by_word(&between_a) == by_word(&between_b) && !symmetric {
            return Some(Finding::new(
                Judgement::ChangesMeaning,
                FailureKind::RoleSwap,
                format!(
                    "who does what: '{} {ca} {}' against '{} {cb} {}'",
                    al.a[x].text, al.a[y].text, al.b[by].text, al.b[bx].text
                ),
            ));
        }
    }
    None
}
