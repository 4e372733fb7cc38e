//! [`parse_pairs`]: the `(text_a, text_b)` pairs of a generation answer, however it is laid out.

use super::text::{
    is_placeholder, json_values, normalise_double_quotes, quoted_strings, strip_list_marker,
};

/// Extracts the pairs of a generation answer, in order (duplicates kept).
///
/// Understood: MultiMon's `("a", "b"),` lines; curly quotes; missing commas; numbering (`1.`,
/// `1)`, `(1)`) and bullets; code fences and prose around the list; a pair split over two lines
/// or labelled (`Prompt 1: …` / `Prompt 2: …`); Python tuples with single quotes; tab, `|`,
/// `→` or ` vs ` separated lines; Markdown tables; JSON arrays of 2-string arrays or of objects
/// (`{"prompt1": …, "prompt2": …}`). An echo of the format (`("prompt1", "prompt2")`) is dropped.
/// Never panics; returns an empty list when nothing is found.
pub fn parse_pairs(answer: &str) -> Vec<(String, String)> {
    // JSON when it explains at least as much as reading line by line does.
    let from_json = json_pairs(answer);
    let from_lines = line_pairs(answer);
    let pairs = if !from_json.is_empty() && from_json.len() >= from_lines.len() {
        from_json
    } else {
        from_lines
    };
    pairs
        .into_iter()
        .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
        .filter(|(a, b)| {
            !(a.is_empty() || b.is_empty() || (is_placeholder(a) && is_placeholder(b)))
        })
        .collect()
}

fn json_pairs(answer: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for value in json_values(answer) {
        collect_json_pairs(&value, 0, &mut out);
    }
    out
}

const KEY_PAIRS: [(&str, &str); 8] = [
    ("prompt1", "prompt2"),
    ("prompt_1", "prompt_2"),
    ("text_a", "text_b"),
    ("caption1", "caption2"),
    ("caption_a", "caption_b"),
    ("sentence1", "sentence2"),
    ("first", "second"),
    ("a", "b"),
];

pub(crate) fn collect_json_pairs(
    value: &serde_json::Value,
    depth: usize,
    out: &mut Vec<(String, String)>,
) {
    use serde_json::Value;
    if depth > 3 {
        return;
    }
    match value {
        Value::Array(items) => {
            let strings: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            if items.len() == 2 && strings.len() == 2 {
                out.push((strings[0].to_string(), strings[1].to_string()));
                return;
            }
            for item in items {
                collect_json_pairs(item, depth + 1, out);
            }
        }
        Value::Object(map) => {
            for (ka, kb) in KEY_PAIRS {
                if let (Some(a), Some(b)) = (
                    map.get(ka).and_then(Value::as_str),
                    map.get(kb).and_then(Value::as_str),
                ) {
                    out.push((a.to_string(), b.to_string()));
                    return;
                }
            }
            let strings: Vec<&str> = map.values().filter_map(Value::as_str).collect();
            if strings.len() == 2 && map.len() == 2 {
                out.push((strings[0].to_string(), strings[1].to_string()));
                return;
            }
            for item in map.values().filter(|v| v.is_array() || v.is_object()) {
                collect_json_pairs(item, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// What one line holds.
enum Item {
    Pair(String, String),
    Single(String),
    Nothing,
}

fn line_pairs(answer: &str) -> Vec<(String, String)> {
    let text = normalise_double_quotes(answer);
    let mut out = Vec::new();
    let mut pending: Option<String> = None;
    for raw in text.lines() {
        let line = strip_list_marker(raw);
        if line.starts_with("```") {
            continue;
        }
        let listed = line.len() != raw.trim().len();
        match line_item(line, listed) {
            Item::Pair(a, b) => {
                pending = None;
                out.push((a, b));
            }
            Item::Single(s) => match pending.take() {
                Some(first) => out.push((first, s)),
                None => pending = Some(s),
            },
            Item::Nothing if line.is_empty() => {}
            Item::Nothing => pending = None,
        }
    }
    out
}

fn line_item(line: &str, listed: bool) -> Item {
    if is_json_member(line) {
        return Item::Nothing; // `"text_a": "…",` inside a pretty-printed JSON object
    }
    let (label, rest) = strip_label(line);
    let quoted = quoted_strings(rest);
    if quoted.len() >= 2 && !label {
        return Item::Pair(quoted[0].clone(), quoted[1].clone());
    }
    if let Some((a, b)) = single_quoted_tuple(rest) {
        return Item::Pair(a, b);
    }
    if quoted.len() == 1 {
        let outside = rest.replace(&quoted[0], "");
        if label || outside.chars().filter(|c| c.is_alphanumeric()).count() <= 3 {
            return Item::Single(quoted[0].clone());
        }
        return Item::Nothing;
    }
    if label && !rest.is_empty() {
        return Item::Single(rest.trim_end_matches(',').to_string());
    }
    if let Some((a, b)) = table_row(line).or_else(|| separated(line, listed)) {
        return Item::Pair(a, b);
    }
    Item::Nothing
}

/// `"key": value`: a quoted string followed by a colon.
fn is_json_member(line: &str) -> bool {
    let Some(rest) = line.strip_prefix('"') else {
        return false;
    };
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return rest[i + 1..].trim_start().starts_with(':'),
            _ => escaped = false,
        }
    }
    false
}

/// Strips `Prompt 1:`, `Caption B -`, `Sentence 2 =` labels; says whether one was found.
fn strip_label(line: &str) -> (bool, &str) {
    let lower = line.to_ascii_lowercase();
    for word in ["prompt", "caption", "sentence", "text"] {
        if let Some(rest) = lower.strip_prefix(word) {
            let rest_trim = rest.trim_start_matches([' ', '_']);
            let mut chars = rest_trim.chars();
            if let Some(c) = chars.next() {
                if c.is_ascii_digit() || matches!(c, 'a' | 'b') {
                    let after = chars.as_str().trim_start();
                    if let Some(value) = after.strip_prefix([':', '-', '=', '–']) {
                        let start = line.len() - value.len();
                        return (true, line[start..].trim());
                    }
                }
            }
        }
    }
    (false, line)
}

/// `('a', 'b')` or `(‘a’, ‘b’)`.
fn single_quoted_tuple(line: &str) -> Option<(String, String)> {
    let line: String = line
        .chars()
        .map(|c| if matches!(c, '‘' | '’') { '\'' } else { c })
        .collect();
    let inner = line.trim().trim_end_matches([',', ';']).trim_end();
    let inner = inner
        .strip_prefix(['(', '['])?
        .strip_suffix([')', ']'])?
        .trim();
    let inner = inner.strip_prefix('\'')?.strip_suffix('\'')?;
    for sep in ["', '", "','", "' , '"] {
        if let Some(i) = inner.find(sep) {
            return Some((inner[..i].to_string(), inner[i + sep.len()..].to_string()));
        }
    }
    None
}

/// A Markdown table row with two text cells (numbers and the separator row skipped).
fn table_row(line: &str) -> Option<(String, String)> {
    let inner = line.strip_prefix('|')?.strip_suffix('|')?;
    let cells: Vec<&str> = inner
        .split('|')
        .map(str::trim)
        .filter(|c| {
            !c.is_empty()
                && !c
                    .chars()
                    .all(|ch| ch.is_ascii_digit() || ch == '.' || ch == '#')
        })
        .collect();
    if cells.len() < 2
        || cells
            .iter()
            .any(|c| c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
    {
        return None;
    }
    Some((cells[0].to_string(), cells[1].to_string()))
}

/// `a<TAB>b`, and on numbered or bulleted lines also `a | b`, `a → b`, `a -> b`, `a vs. b`.
fn separated(line: &str, listed: bool) -> Option<(String, String)> {
    let separators: &[&str] = if listed {
        &["\t", " | ", " → ", " -> ", " vs. ", " vs "]
    } else {
        &["\t"]
    };
    for sep in separators {
        if let Some(i) = line.find(sep) {
            let (a, b) = (line[..i].trim(), line[i + sep.len()..].trim());
            if !a.is_empty() && !b.is_empty() {
                return Some((a.to_string(), b.trim_end_matches(',').to_string()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::parse_pairs;

    fn p(a: &str, b: &str) -> (String, String) {
        (a.to_string(), b.to_string())
    }

    #[test]
    fn many_layouts() {
        let want = vec![p("A dog", "No dog"), p("A cat", "No cat")];
        let cases = [
            "(\"A dog\", \"No dog\"),\n(\"A cat\", \"No cat\")",
            "Here you go:\n\n1. (“A dog”, “No dog”),\n2) (\"A cat\" \"No cat\")\n\nHope this helps!",
            "```\n- (\"A dog\", \"No dog\")\n- (\"A cat\", \"No cat\")\n```",
            "```json\n[[\"A dog\", \"No dog\"], [\"A cat\", \"No cat\"]]\n```",
            "[{\"prompt1\": \"A dog\", \"prompt2\": \"No dog\"}, {\"prompt1\": \"A cat\", \"prompt2\": \"No cat\"}]",
            "{\"pairs\": [{\"text_a\": \"A dog\", \"text_b\": \"No dog\"}, {\"text_a\": \"A cat\", \"text_b\": \"No cat\"}]}",
            "1. \"A dog\"\n   \"No dog\"\n2. \"A cat\"\n   \"No cat\"",
            "Prompt 1: A dog\nPrompt 2: No dog\n\nPrompt 1: \"A cat\"\nPrompt 2: \"No cat\"",
            "('A dog', 'No dog'),\n(‘A cat’, ‘No cat’),",
            "A dog\tNo dog\nA cat\tNo cat",
            "| # | Prompt 1 | Prompt 2 |\n|---|---|---|\n| 1 | A dog | No dog |\n| 2 | A cat | No cat |",
            "1. A dog → No dog\n2. A cat vs. No cat",
            "(\"prompt1\", \"prompt2\"),\n(\"A dog\", \"No dog\"),\n(\"A cat\", \"No cat),",
            "**1.** (\"A dog\", \"No dog\")\n**2.** (\"A cat\", \"No cat\")",
            "[\n  {\n    \"text_a\": \"A dog\",\n    \"text_b\": \"No dog\"\n  },\n  {\"prompt1\": \"A cat\", \"prompt2\": \"No cat\"}\n]",
            "1. (\"A dog\", \"No dog\"),\n2. [\"A cat\", \"No cat\"],",
        ];
        for case in cases {
            assert_eq!(parse_pairs(case), want, "{case}");
        }
    }

    #[test]
    fn keeps_inner_quotes_and_apostrophes() {
        assert_eq!(
            parse_pairs(r#"("A man taking a \"selfie\"", "A man’s selfie")"#),
            vec![p("A man taking a \"selfie\"", "A man’s selfie")]
        );
    }

    #[test]
    fn nothing_to_find() {
        assert!(parse_pairs("I'm sorry, I can't help with that.").is_empty());
        assert!(parse_pairs("").is_empty());
        assert!(parse_pairs("He said \"hello\" to me and left.").is_empty());
    }
}
