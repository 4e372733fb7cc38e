//! Offline pair generation: every pair is of its intended kind, changes meaning, is unique and
//! is the same for the same seed.

use std::collections::HashSet;

use lookalike_taxonomy::{failure_kind, generate, FailureKind, GENERATED_KINDS};

const SEEDS: [&str; 20] = [
    "A man is riding a horse on the left side of a red barn.",
    "a dog sitting next to a small wooden table with a cup on it",
    "Two women sitting on a bench in front of a large building.",
    "a boy throwing a ball to a dog in the park",
    "a cat sleeping on top of a blue car",
    "a girl is holding an umbrella above her head",
    "a woman with a hat walking her dog",
    "three birds flying over a lake at sunset",
    "a chef is cutting vegetables in a clean kitchen",
    "an old man reading a newspaper under a tree",
    "a horse standing in front of a barn",
    "a child eating a green apple",
    "a pizza with mushrooms and olives on a plate",
    "a dog chasing a cat across the yard",
    "a woman handing a baby to a man",
    "a man is feeding a horse on a farm",
    "a dog sleeping on a bed",
    "a banana with mushrooms on a plate",
    "a cat chasing a mouse across the yard",
    "a boy chasing a dog across the yard",
];

#[test]
fn every_pair_is_its_kind_and_changes_meaning() {
    crate::with_wordnet();
    let pairs = generate(&SEEDS, &GENERATED_KINDS, 6, 42);
    for kind in GENERATED_KINDS {
        let n = pairs.iter().filter(|p| p.kind == kind).count();
        println!("{:<11} {n}", kind.name());
        // Every edit must read naturally (witnessed by the seeds) and be confirmed by the
        // precision-first judge, so a few seeds give a few pairs of each kind (an action only
        // a thing or a swapped noun where another seed shows the new word with the same people
        // and things).
        let least = if matches!(
            kind,
            FailureKind::Action | FailureKind::Object | FailureKind::RoleSwap
        ) {
            1
        } else {
            2
        };
        assert!(
            n >= least,
            "only {n} {} pairs from the seed sentences",
            kind.name()
        );
        assert!(n <= 6);
    }
    let mut seen = HashSet::new();
    for p in &pairs {
        println!("{:<11} {:?} -> {:?}", p.kind.name(), p.text_a, p.text_b);
        let v = failure_kind(&p.text_a, &p.text_b);
        assert_eq!(v.kind, p.kind, "{p:?}: {}", v.explanation);
        assert!(v.changes_meaning, "{p:?}");
        assert_ne!(p.text_a, p.text_b);
        assert_eq!(p.text_a, p.source.trim());
        assert!(SEEDS.contains(&p.source.as_str()));
        let key = if p.text_a < p.text_b {
            (&p.text_a, &p.text_b)
        } else {
            (&p.text_b, &p.text_a)
        };
        assert!(seen.insert(key), "duplicate {p:?}");
    }
}

#[test]
fn the_same_seed_gives_the_same_pairs() {
    crate::with_wordnet();
    let a = generate(&SEEDS, &GENERATED_KINDS, 4, 7);
    let b = generate(&SEEDS, &GENERATED_KINDS, 4, 7);
    assert_eq!(a, b);
    let c = generate(&SEEDS, &GENERATED_KINDS, 4, 8);
    assert_ne!(a, c, "a different seed should pick differently");
    // Asking for one kind gives the same pairs of that kind as asking for all of them.
    let spatial: Vec<_> = a
        .iter()
        .filter(|p| p.kind == FailureKind::Spatial)
        .cloned()
        .collect();
    assert_eq!(generate(&SEEDS, &[FailureKind::Spatial], 4, 7), spatial);
}

#[test]
fn specific_edits() {
    crate::with_wordnet();
    let one = |s: &str, k: FailureKind| -> Vec<String> {
        generate(&[s], &[k], 1000, 1)
            .into_iter()
            .map(|p| p.text_b)
            .collect()
    };
    assert!(
        one("a man with a hat", FailureKind::Presence).contains(&"a man without a hat".to_string())
    );
    assert!(one("a cat is sleeping", FailureKind::Negation)
        .contains(&"a cat is not sleeping".to_string()));
    // A swap needs a corpus that shows a cat chasing and something chasing a dog.
    let swaps: Vec<String> = generate(
        &[
            "a dog chasing a cat",
            "a cat chasing a mouse",
            "a boy chasing a dog",
        ],
        &[FailureKind::RoleSwap],
        1000,
        1,
    )
    .into_iter()
    .map(|p| p.text_b)
    .collect();
    assert!(
        swaps.contains(&"a cat chasing a dog".to_string()),
        "{swaps:?}"
    );
    assert!(
        one("a red cube on top of a blue sphere", FailureKind::Attribute)
            .contains(&"a blue cube on top of a red sphere".to_string())
    );
    assert!(one("a man riding a horse", FailureKind::Subject)
        .contains(&"a woman riding a horse".to_string()));
    assert!(one("a dog on a bench", FailureKind::Quantifier)
        .contains(&"two dogs on a bench".to_string()));
    assert!(one("a horse in front of a barn", FailureKind::Spatial)
        .contains(&"a horse behind a barn".to_string()));
    // A replacement must be a thing of the same kind, witnessed by the corpus: "a cat on" is,
    // once sentences say so; nothing witnesses "a sofa on a bench".
    let object: Vec<String> = generate(
        &[
            "a dog on a bench",
            "a cat on a sofa",
            "a cat on a bench in a park",
        ],
        &[FailureKind::Object],
        1000,
        1,
    )
    .into_iter()
    .map(|p| p.text_b)
    .collect();
    assert!(object.iter().any(|t| t == "a cat on a bench"), "{object:?}");
    assert!(!object.iter().any(|t| t.contains("sofa on")), "{object:?}");
}

#[test]
fn kinds_that_keep_meaning_are_not_generated() {
    crate::with_wordnet();
    for k in [
        FailureKind::Synonym,
        FailureKind::Other,
        FailureKind::Identical,
        // A change of tense shows no other picture.
        FailureKind::Tense,
    ] {
        assert!(generate(&SEEDS, &[k], 5, 1).is_empty());
    }
    assert!(generate(&SEEDS, &[FailureKind::Spatial], 0, 1).is_empty());
    assert!(generate::<&str>(&[], &GENERATED_KINDS, 5, 1).is_empty());
    assert!(generate(&["", "   ", "!!!"], &GENERATED_KINDS, 5, 1).is_empty());
}
