//! MultiMon's rule at its edges: strict comparisons, case-insensitive phrases, validation.

use lookalike_pairs::{PairRule, PairsError, Verdict};

#[test]
fn target_threshold_is_strict() {
    let rule = PairRule {
        gap: None,
        ..PairRule::default()
    };
    assert_eq!(rule.judge(0.9, None), Verdict::TargetNotAbove);
    assert_eq!(rule.judge(0.9f32.next_up(), None), Verdict::Failure);
    assert_eq!(
        rule.judge(0.9f32.next_down(), None),
        Verdict::TargetNotAbove
    );
}

#[test]
fn gap_is_strict_at_exactly_0_2() {
    // target - reference equals the f32 value 0.2 exactly (checked), so the gap is not above 0.2.
    let rule = PairRule {
        target_threshold: 0.3,
        ..PairRule::default()
    };
    let target = 0.4f32;
    let reference = (f64::from(target) - f64::from(0.2f32)) as f32;
    assert_eq!(
        f64::from(target) - f64::from(reference),
        f64::from(0.2f32),
        "precondition"
    );
    assert_eq!(rule.judge(target, Some(reference)), Verdict::GapNotAbove);
    assert_eq!(
        rule.judge(target, Some(reference.next_down())),
        Verdict::Failure
    );
    assert_eq!(
        rule.judge(target.next_up(), Some(reference)),
        Verdict::Failure
    );

    // With the default rule, 0.95 vs 0.75 is a gap of 0.2 in decimal: not a failure.
    let default = PairRule::default();
    assert_eq!(default.judge(0.95, Some(0.75)), Verdict::GapNotAbove);
    assert_eq!(default.judge(0.95, Some(0.74)), Verdict::Failure);
    // A representable gap, exactly met.
    let quarter = PairRule {
        gap: Some(0.25),
        ..PairRule::default()
    };
    assert_eq!(quarter.judge(1.0, Some(0.75)), Verdict::GapNotAbove);
    assert_eq!(
        quarter.judge(1.0, Some(0.75f32.next_down())),
        Verdict::Failure
    );
}

#[test]
fn reference_ceiling_is_strict_and_combines_with_gap() {
    let ceiling_only = PairRule {
        gap: None,
        reference_ceiling: Some(0.5),
        ..PairRule::default()
    };
    assert_eq!(
        ceiling_only.judge(0.95, Some(0.5)),
        Verdict::ReferenceNotBelow
    );
    assert_eq!(
        ceiling_only.judge(0.95, Some(0.5f32.next_down())),
        Verdict::Failure
    );
    assert_eq!(ceiling_only.judge(0.95, None), Verdict::ReferenceMissing);
    let both = PairRule {
        reference_ceiling: Some(0.5),
        ..PairRule::default()
    };
    assert_eq!(both.judge(0.95, Some(0.8)), Verdict::GapNotAbove);
    assert_eq!(both.judge(0.95, Some(0.7)), Verdict::ReferenceNotBelow);
    assert_eq!(both.judge(0.99, Some(0.6)), Verdict::ReferenceNotBelow);
    assert_eq!(both.judge(0.99, Some(0.4)), Verdict::Failure);
    // Neither gap nor ceiling: the reference is not needed.
    let target_only = PairRule {
        gap: None,
        ..PairRule::default()
    };
    assert_eq!(target_only.judge(0.95, None), Verdict::Failure);
}

#[test]
fn phrase_filter_ignores_case_and_spacing() {
    let rule = PairRule::default();
    for text in [
        "There is no dog in the picture",
        "THERE IS NO DOG",
        "the man Does Not wear a hat",
        "I am NOT sure",
        "No  Image\tavailable",
        "she was unable to",
        "UNABLE",
        "no picture here",
        "Do not enter",
    ] {
        assert!(rule.is_excluded(text), "{text:?} should be excluded");
    }
    for text in [
        "a dog on a sofa",
        "there is a dog",
        "an image of no one",
        "picture no",
    ] {
        assert!(!rule.is_excluded(text), "{text:?} should pass");
    }
    assert_eq!(
        rule.judge_texts("a dog", "There is NO dog", 0.99, Some(0.1)),
        Verdict::Excluded
    );
    assert_eq!(
        rule.judge_texts("a dog", "a cat", 0.99, Some(0.1)),
        Verdict::Failure
    );
    // Custom phrases are folded the same way.
    let custom = PairRule {
        excluded_phrases: vec!["Blurry  PHOTO".into()],
        ..PairRule::default()
    };
    assert!(custom.is_excluded("a blurry photo of a cat"));
    assert!(!custom.is_excluded("there is no cat"));
}

#[test]
fn invalid_thresholds_are_errors_naming_the_field() {
    let check = |rule: PairRule| rule.validate().unwrap_err().to_string();
    assert_eq!(
        check(PairRule {
            target_threshold: 1.5,
            ..PairRule::default()
        }),
        "PairRule.target_threshold = 1.5 is out of range: expected a value in [-1, 1]"
    );
    assert_eq!(
        check(PairRule {
            target_threshold: f32::NAN,
            ..PairRule::default()
        }),
        "PairRule.target_threshold = NaN is out of range: expected a value in [-1, 1]"
    );
    assert_eq!(
        check(PairRule {
            gap: Some(-0.1),
            ..PairRule::default()
        }),
        "PairRule.gap = -0.1 is out of range: expected a value in [0, 2]"
    );
    assert!(check(PairRule {
        gap: Some(2.5),
        ..PairRule::default()
    })
    .starts_with("PairRule.gap = 2.5"));
    assert!(check(PairRule {
        reference_ceiling: Some(-1.01),
        ..PairRule::default()
    })
    .starts_with("PairRule.reference_ceiling = -1.01 is out of range"));
    let empty = PairRule {
        excluded_phrases: vec!["ok".into(), "  ".into()],
        ..PairRule::default()
    };
    assert!(matches!(
        empty.validate(),
        Err(PairsError::EmptyExcludedPhrase { index: 1 })
    ));
    // The bounds themselves are allowed.
    PairRule {
        target_threshold: -1.0,
        gap: Some(2.0),
        reference_ceiling: Some(1.0),
        ..PairRule::default()
    }
    .validate()
    .unwrap();
    PairRule {
        gap: Some(0.0),
        ..PairRule::default()
    }
    .validate()
    .unwrap();
}
