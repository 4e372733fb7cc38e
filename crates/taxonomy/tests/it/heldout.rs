//! Held-out sanity checks: the six pairs from the brief, and ~20 pairs of each kind written for
//! this crate (tests/data/heldout.tsv), none of them used to tune the lexicons.

use std::collections::BTreeMap;

use lookalike_taxonomy::{failure_kind, FailureKind};

/// Pairs a reference embedding misses because it shares the target's bag-of-words blind spots.
#[test]
fn the_six_brief_examples() {
    let cases = [
        (
            "the cake was eaten by the child",
            "the child was eaten by the cake",
            &[FailureKind::RoleSwap][..],
        ),
        (
            "two dogs on the left of a red car",
            "two dogs on the right of a red car",
            &[FailureKind::Spatial],
        ),
        (
            "a red cube on top of a blue sphere",
            "a blue cube on top of a red sphere",
            &[FailureKind::Attribute],
        ),
        (
            "a dog chasing a cat",
            "a cat chasing a dog",
            &[FailureKind::RoleSwap],
        ),
        (
            "a horse standing in front of a barn",
            "a horse standing behind a barn",
            &[FailureKind::Spatial],
        ),
        (
            "a man with a hat",
            "a man without a hat",
            &[FailureKind::Negation, FailureKind::Presence],
        ),
    ];
    for (a, b, kinds) in cases {
        for (x, y) in [(a, b), (b, a)] {
            let v = failure_kind(x, y);
            assert!(kinds.contains(&v.kind), "{x:?} / {y:?}: got {v:?}");
            assert!(v.changes_meaning, "{x:?} / {y:?}: {v:?}");
        }
    }
    let v = failure_kind(
        "two dogs on the left of a red car",
        "two dogs on the right of a red car",
    );
    assert_eq!(v.explanation, "spatial relation: 'left' → 'right'");
    assert_eq!(
        (v.words_a, v.words_b),
        (vec!["left".to_string()], vec!["right".to_string()])
    );
}

#[test]
fn meaning_preserving_edits_are_judged_harmless() {
    for (a, b) in [
        ("a cat on the couch", "a cat on the sofa"),
        ("A dog, on the grass!", "a dog on the grass"),
        ("a dog on a bed", "the dog on the bed"),
        ("a man on a court", "a man on a tennis court"),
        ("a giraffe near trees", "a giraffe near a tree"),
        ("a big red ball", "a red big ball"),
        ("a laptop and a computer", "a computer and a laptop"),
    ] {
        let v = failure_kind(a, b);
        assert!(!v.changes_meaning, "{a:?} / {b:?}: {v:?}");
    }
}

#[test]
fn heldout_pairs_of_every_kind() {
    let text = include_str!("../data/heldout.tsv");
    let mut per_kind: BTreeMap<FailureKind, (usize, usize)> = BTreeMap::new();
    let (mut right, mut total, mut judged_right, mut judged) = (0, 0, 0, 0);
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 4, "bad line {line:?}");
        let kind = FailureKind::from_name(f[0]).unwrap_or_else(|| panic!("kind {}", f[0]));
        let v = failure_kind(f[2], f[3]);
        let e = per_kind.entry(kind).or_default();
        e.1 += 1;
        total += 1;
        if v.kind == kind {
            e.0 += 1;
            right += 1;
        } else {
            println!("miss [{}] {:?} / {:?}: {}", f[0], f[2], f[3], v.explanation);
        }
        if f[1] != "-" {
            judged += 1;
            if v.changes_meaning == (f[1] == "1") {
                judged_right += 1;
            } else {
                println!(
                    "judge [{}] {:?} / {:?}: changes_meaning = {}",
                    f[0], f[2], f[3], v.changes_meaning
                );
            }
        }
    }
    for (k, (r, n)) in &per_kind {
        println!("{:<11} {r:>2}/{n}", k.name());
    }
    println!("held-out kind agreement {right}/{total}; changes_meaning {judged_right}/{judged}");
    assert!(total >= 240);
    for (k, (r, n)) in &per_kind {
        assert!(
            r * 10 >= n * 7,
            "{}: only {r}/{n} held-out pairs right",
            k.name()
        );
    }
    assert!(
        right * 100 >= total * 85,
        "held-out kind agreement {right}/{total} is under 85%"
    );
    assert!(
        judged_right * 100 >= judged * 90,
        "changes_meaning right on {judged_right}/{judged}"
    );
}

/// A second batch written after tuning and scored once, kept as a check that the rules carry
/// over to sentences they were not shaped on.
#[test]
fn fresh_heldout_batch() {
    let text = include_str!("../data/heldout_fresh.tsv");
    let (mut right, mut total) = (0, 0);
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let kind = FailureKind::from_name(f[0]).unwrap_or_else(|| panic!("kind {}", f[0]));
        let v = failure_kind(f[2], f[3]);
        let judge_ok = f[1] == "-" || v.changes_meaning == (f[1] == "1");
        total += 1;
        if v.kind == kind && judge_ok {
            right += 1;
        } else {
            println!("miss [{}] {:?} / {:?}: {} (changes {})", f[0], f[2], f[3], v.explanation, v.changes_meaning);
        }
    }
    println!("fresh held-out: {right}/{total}");
    assert!(right * 100 >= total * 80, "fresh held-out {right}/{total} is under 80%");
}
