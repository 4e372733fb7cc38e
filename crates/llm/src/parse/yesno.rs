//! [`parse_yes_no`]: the answer to a yes/no question.

/// `Some(true)` for "Yes.", "yes, because…", "**Yes**", "Answer: yes", "The answer is yes";
/// `Some(false)` for the same with no; `None` when the answer says neither (or both, with
/// neither first). Never panics.
pub fn parse_yes_no(answer: &str) -> Option<bool> {
    let words: Vec<String> = answer
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(200)
        .map(str::to_lowercase)
        .collect();
    let verdict = |w: &str| match w {
        "yes" | "y" | "yeah" | "yep" | "true" | "correct" | "relevant" => Some(true),
        "no" | "n" | "nope" | "false" | "irrelevant" | "unrelated" => Some(false),
        _ => None,
    };
    // The first word decides, after labels such as "Answer:" or "Final answer:".
    let first = words.iter().map(String::as_str).find(|w| {
        !matches!(
            *w,
            "answer" | "final" | "a" | "the" | "is" | "my" | "response"
        )
    });
    if let Some(v) = first.and_then(verdict) {
        return Some(v);
    }
    if words.first().is_some_and(|w| w == "not")
        && words
            .get(1)
            .is_some_and(|w| w == "relevant" || w == "related")
    {
        return Some(false);
    }
    // Otherwise a lone "yes" or "no" anywhere ("I think the answer is yes").
    let yes = words.iter().any(|w| w == "yes");
    let no = words.iter().any(|w| w == "no");
    match (yes, no) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_yes_no;

    #[test]
    fn answers() {
        for yes in [
            "Yes.",
            "yes, because it is about cars",
            "**Yes**",
            "Answer: yes",
            "YES",
            "The answer is yes.",
            "Final answer: Yes",
            "  yes\n",
            "Relevant.",
        ] {
            assert_eq!(parse_yes_no(yes), Some(true), "{yes}");
        }
        for no in [
            "No.",
            "**No**",
            "no, it is about food",
            "Answer: No",
            "Not relevant.",
            "I think the answer is no.",
        ] {
            assert_eq!(parse_yes_no(no), Some(false), "{no}");
        }
        for unsure in ["", "Maybe.", "It depends.", "I can't say yes or no.", "🤷"] {
            assert_eq!(parse_yes_no(unsure), None, "{unsure}");
        }
    }
}
