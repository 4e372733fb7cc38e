//! Bad and odd input: empty, identical, huge, non-ASCII.

use std::time::{Duration, Instant};

use lookalike_taxonomy::{
    failure_kind, generate, FailureKind, Judgement, GENERATED_KINDS, MAX_VERDICT_WORDS,
};

#[test]
fn empty_strings() {
    crate::with_wordnet();
    let v = failure_kind("", "");
    assert_eq!(v.kind, FailureKind::Identical);
    assert!(!v.changes_meaning);
    let v = failure_kind("", "a dog");
    assert_eq!(v.kind, FailureKind::Presence);
    assert_eq!(v.words_b, ["dog"]);
    let v = failure_kind("a dog", "   ");
    assert_eq!(v.kind, FailureKind::Presence);
    assert_eq!(v.words_a, ["dog"]);
    assert_eq!(failure_kind("!!!", "...").kind, FailureKind::Identical);
}

#[test]
fn identical_texts() {
    crate::with_wordnet();
    for t in ["a dog", "the cake was eaten by the child", "x"] {
        let v = failure_kind(t, t);
        assert_eq!(v.kind, FailureKind::Identical);
        assert!(!v.changes_meaning);
        assert!(v.words_a.is_empty() && v.words_b.is_empty());
    }
    let v = failure_kind("A dog, running!", "a dog running");
    assert_eq!(v.kind, FailureKind::Identical);
    assert!(!v.changes_meaning);
}

fn long_text(seed: u32, chars: usize) -> String {
    long_text_from(
        seed,
        chars,
        &[
            "a", "dog", "red", "on", "the", "left", "of", "car", "not", "two", "man", "running",
            "with",
        ],
    )
}

fn long_text_from(seed: u32, chars: usize, vocab: &[&str]) -> String {
    let mut out = String::new();
    let mut x = seed;
    while out.len() < chars {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        out.push_str(vocab[(x >> 16) as usize % vocab.len()]);
        out.push(' ');
    }
    out
}

#[test]
fn hundred_thousand_characters_in_bounded_time() {
    crate::with_wordnet();
    let (a, b) = (long_text(1, 100_000), long_text(2, 100_000));
    for (x, y) in [(&a, &b), (&a, &a), (&a, &"a dog".to_string())] {
        let start = Instant::now();
        let v = failure_kind(x, y);
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "took {:?}",
            start.elapsed()
        );
        assert!(v.words_a.len() <= MAX_VERDICT_WORDS && v.words_b.len() <= MAX_VERDICT_WORDS);
        assert!(v.explanation.chars().count() < 400, "{}", v.explanation);
    }
    // Plain content words only, so no early exit (negation, quantity) cuts the work short.
    let plain = [
        "dog", "running", "walked", "eating", "tree", "cars", "chased", "jumping",
    ];
    let (p, q) = (
        long_text_from(3, 100_000, &plain),
        long_text_from(4, 100_000, &plain),
    );
    let start = Instant::now();
    let v = failure_kind(&p, &q);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "took {:?}",
        start.elapsed()
    );
    // A text this long is no caption: the judge says so instead of guessing.
    assert_eq!(v.judgement, Judgement::Uncertain);
    assert!(
        v.explanation.starts_with("too long to judge"),
        "{}",
        v.explanation
    );
    let start = Instant::now();
    let _ = generate(&[a.as_str(), "a dog on the left"], &GENERATED_KINDS, 2, 1);
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn non_ascii_text() {
    crate::with_wordnet();
    let v = failure_kind(
        "un chien à gauche d’une voiture",
        "un chien à droite d’une voiture",
    );
    // Words of another language are not vouched for either way.
    assert_eq!(v.judgement, Judgement::Uncertain, "{v:?}");
    assert_eq!(
        (v.words_a, v.words_b),
        (vec!["gauche".to_string()], vec!["droite".to_string()])
    );
    let v = failure_kind("a dog on the left 🐶", "a dog on the right 🐕");
    assert_eq!(v.kind, FailureKind::Spatial);
    let v = failure_kind("一只狗在车的左边", "一只狗在车的右边");
    assert_eq!(v.judgement, Judgement::Uncertain, "{v:?}");
    assert_eq!(
        (v.words_a, v.words_b),
        (vec!["左".to_string()], vec!["右".to_string()])
    );
    assert_eq!(
        failure_kind("Ä CAFÉ", "ä café").kind,
        FailureKind::Identical
    );
    assert_eq!(
        failure_kind("a dog isn’t running", "a dog isn't running").kind,
        FailureKind::Identical
    );
    let pairs = generate(
        &["ein Hund ünter dem Tisch", "🐶🐶🐶", "a dog on the left ✓"],
        &GENERATED_KINDS,
        3,
        1,
    );
    for p in pairs {
        assert_eq!(failure_kind(&p.text_a, &p.text_b).kind, p.kind);
    }
}

#[test]
fn verdicts_serialise_with_snake_case_kinds() {
    crate::with_wordnet();
    let v = failure_kind("a dog chasing a cat", "a cat chasing a dog");
    let json = serde_json::to_string(&v).expect("serialise");
    assert!(json.contains("\"kind\":\"role_swap\""), "{json}");
    let back: lookalike_taxonomy::Verdict = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, v);
    for k in FailureKind::ALL {
        assert_eq!(FailureKind::from_name(k.name()), Some(k));
        assert_eq!(
            serde_json::to_string(&k).expect("kind"),
            format!("\"{}\"", k.name())
        );
    }
}
