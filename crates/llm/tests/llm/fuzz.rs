//! The parsers never panic, on arbitrary strings or on list-like noise.

use lookalike_llm::{parse_categories, parse_categories_json, parse_pairs, parse_yes_no};
use proptest::prelude::*;

fn all(text: &str) {
    let _ = parse_pairs(text);
    let _ = parse_categories(text);
    let _ = parse_categories_json(text);
    let _ = parse_yes_no(text);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings(text in any::<String>()) {
        all(&text);
    }

    #[test]
    fn list_like_noise(text in "([0-9]{1,3}[.)]? ?|[-*•#|>]+ ?|\\*\\*|[(\\[{]|[)\\]}],?|\"|“|”|'|‘|’|\\\\|:|\t|\n|```|<b>|</summary>|yes|No|[a-z ]{1,8}){0,60}") {
        all(&text);
    }

    #[test]
    fn pairs_round_trip(pairs in proptest::collection::vec(("[A-Za-z][A-Za-z ,']{0,30}[A-Za-z]", "[A-Za-z][A-Za-z ,']{0,30}[A-Za-z]"), 1..20)) {
        let text: String = pairs.iter().map(|(a, b)| format!("(\"{a}\", \"{b}\"),\n")).collect();
        let want: Vec<(String, String)> = pairs.iter().map(|(a, b)| (a.trim().to_string(), b.trim().to_string())).collect();
        let got = parse_pairs(&text);
        // Placeholder echoes ("prompt1", "prompt2") are dropped; nothing else is.
        prop_assert!(got.len() <= want.len());
        let kept: Vec<(String, String)> = want.into_iter().filter(|p| got.contains(p)).collect();
        prop_assert_eq!(got, kept);
    }
}
