//! [`parse_categories`]: the failure categories of a categorize answer, as text or JSON.

use serde_json::Value;

use super::pairs::collect_json_pairs;
use super::text::{json_values, normalise_double_quotes, quoted_strings, strip_list_marker};
use crate::category::Category;

/// Extracts the categories of a categorize answer: JSON first ([`parse_categories_json`]), then
/// a numbered list (`1. Negation: …`, `1. **Negation** - …`, `### 1. Negation`, MultiMon's
/// demo `<summary><b>1. Negation</b></summary>` blocks), then bold or `#` headings. Each
/// category's examples are the quoted pairs of several words it cites (`"a dog" vs "no dog"`).
/// Never panics; returns an empty list when nothing is found.
pub fn parse_categories(answer: &str) -> Vec<Category> {
    let from_json = parse_categories_json(answer);
    if !from_json.is_empty() {
        return from_json;
    }
    parse_categories_text(answer)
}

/// The structured variant: a JSON array of `{"name", "description", "examples": [[a, b], …]}`
/// objects (also `category`/`failure`/`title`, `explanation`, `pairs`, or wrapped as
/// `{"categories": […]}`), found anywhere in the answer.
pub fn parse_categories_json(answer: &str) -> Vec<Category> {
    let mut out = Vec::new();
    for value in json_values(answer) {
        let items = match &value {
            Value::Array(items) => items.clone(),
            Value::Object(map) => [
                "categories",
                "failures",
                "failure_modes",
                "failure_categories",
            ]
            .iter()
            .find_map(|k| map.get(*k).and_then(Value::as_array).cloned())
            .unwrap_or_else(|| vec![value.clone()]),
            _ => continue,
        };
        out.extend(items.iter().filter_map(json_category));
    }
    out
}

fn json_category(value: &Value) -> Option<Category> {
    let map = value.as_object()?;
    let field = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| map.get(*k).and_then(Value::as_str))
            .map(|s| s.trim().to_string())
    };
    let name = field(&["name", "category", "failure", "failure_mode", "title"])?;
    if name.is_empty() {
        return None;
    }
    let description = field(&["description", "explanation", "why", "details"]).unwrap_or_default();
    let mut examples = Vec::new();
    for key in ["examples", "example_pairs", "pairs"] {
        if let Some(v) = map.get(key) {
            collect_json_pairs(v, 0, &mut examples);
        }
    }
    Some(Category {
        name,
        description,
        examples,
    })
}

struct Line {
    indent: usize,
    text: String,
}

fn parse_categories_text(answer: &str) -> Vec<Category> {
    let text = normalise_double_quotes(&strip_html_tags(answer));
    let lines: Vec<Line> = text
        .lines()
        .map(|l| Line {
            indent: l.len() - l.trim_start().len(),
            text: l.trim().to_string(),
        })
        .collect();
    let numbered = |l: &Line| is_numbered(l.text.trim_start_matches('#').trim_start());
    let headings: Vec<usize> = match lines.iter().filter(|l| numbered(l)).map(|l| l.indent).min() {
        Some(top) => (0..lines.len())
            .filter(|&i| numbered(&lines[i]) && lines[i].indent == top)
            .collect(),
        None => (0..lines.len())
            .filter(|&i| is_plain_heading(&lines[i].text))
            .collect(),
    };
    let mut out = Vec::new();
    for (n, &start) in headings.iter().enumerate() {
        let end = headings.get(n + 1).copied().unwrap_or(lines.len());
        if let Some(category) = category_at(&lines[start..end]) {
            out.push(category);
        }
    }
    out
}

fn category_at(lines: &[Line]) -> Option<Category> {
    let head = strip_list_marker(lines[0].text.trim_start_matches('#'));
    let (name, rest) = split_head(head);
    let name = name
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '*' | '_' | '"' | ':' | '.' | '`'))
        .to_string();
    if name.is_empty() || quoted_strings(&name).len() >= 2 {
        return None;
    }
    let mut description: Vec<String> = Vec::new();
    let mut examples = Vec::new();
    let rest = rest.trim();
    if !rest.is_empty() {
        examples.extend(example_pairs(rest));
        description.push(rest.to_string());
    }
    let mut gap = false;
    for line in &lines[1..] {
        if line.text.is_empty() {
            gap = true;
            continue;
        }
        let text = strip_list_marker(&line.text);
        let found = example_pairs(text);
        let is_label = text.trim_end_matches(':').eq_ignore_ascii_case("examples")
            || text.trim_end_matches(':').eq_ignore_ascii_case("example");
        if found.is_empty() && !is_label && gap && line.indent == 0 && !description.is_empty() {
            break; // an unindented paragraph after a blank line: prose after the list
        }
        gap = false;
        let mostly_quotes = {
            let mut outside = text.to_string();
            for q in quoted_strings(text) {
                outside = outside.replace(&q, "");
            }
            outside
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count()
                <= 6
        };
        if !found.is_empty() && mostly_quotes || is_label {
            examples.extend(found);
        } else {
            examples.extend(found);
            description.push(text.to_string());
        }
    }
    Some(Category {
        name,
        description: description.join(" ").trim().to_string(),
        examples,
    })
}

/// `**Name**: rest`, `Name: rest`, `Name - rest`, or just `Name`.
fn split_head(head: &str) -> (&str, &str) {
    if let Some(bold) = head.strip_prefix("**") {
        if let Some(end) = bold.find("**") {
            let rest = bold[end + 2..].trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, ':' | '-' | '–' | '—' | '.')
            });
            return (&bold[..end], rest);
        }
    }
    if let Some(i) = head.find(':') {
        if head[..i].chars().count() <= 80 {
            return (&head[..i], &head[i + 1..]);
        }
    }
    for sep in [" - ", " – ", " — "] {
        if let Some(i) = head.find(sep) {
            return (&head[..i], &head[i + sep.len()..]);
        }
    }
    (head, "")
}

/// Consecutive quoted strings of at least two words each, paired up.
fn example_pairs(text: &str) -> Vec<(String, String)> {
    let quotes: Vec<String> = quoted_strings(text)
        .into_iter()
        .filter(|q| q.split_whitespace().count() >= 2)
        .collect();
    quotes
        .chunks_exact(2)
        .map(|c| (c[0].trim().to_string(), c[1].trim().to_string()))
        .collect()
}

fn is_numbered(text: &str) -> bool {
    let t = text.trim_start_matches("**").trim_start();
    let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 3 {
        return false;
    }
    let rest = t[digits..].trim_start_matches("**");
    matches!(rest.chars().next(), Some('.') | Some(')'))
        && rest[1..].starts_with(|c: char| c.is_whitespace() || c == '*')
}

/// `### Name`, `**Name**`, `**Name**: …` when the answer has no numbered list.
fn is_plain_heading(text: &str) -> bool {
    if text.starts_with('#') {
        return !text.trim_start_matches('#').trim().is_empty();
    }
    text.starts_with("**")
        && text[2..].contains("**")
        && !text.to_ascii_lowercase().starts_with("**example")
}

/// Removes HTML tags such as `<summary>`, `<b>`, `</details>` (not `a < b` comparisons).
fn strip_html_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let tag_end = after
            .find('>')
            .filter(|&j| j <= 100 && !after[..j].contains('\n'));
        let looks_like_tag = after
            .trim_start_matches('/')
            .starts_with(|c: char| c.is_ascii_alphabetic());
        match tag_end {
            Some(j) if looks_like_tag => rest = &after[j + 1..],
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_list_with_examples_and_prose() {
        let answer = "Sure! Here are the failures I notice:\n\n\
            1. **Negation**: The embedding ignores \"not\".\n   - Example: \"a bird flying in the sky\" vs \"a bird not flying in the sky\"\n\n\
            2. **Counting** - Numbers of objects are lost, like \"few,\" \"some,\" or \"many.\"\n   Examples:\n   - (\"a giraffe next to a tree\", \"two giraffes next to a tree\")\n\n\
            3. Gender: man vs woman.\n\n\
            These failures matter for image generation.";
        let cats = parse_categories(answer);
        assert_eq!(cats.len(), 3, "{cats:#?}");
        assert_eq!(cats[0].name, "Negation");
        assert_eq!(cats[0].description, "The embedding ignores \"not\".");
        assert_eq!(
            cats[0].examples,
            vec![(
                "a bird flying in the sky".to_string(),
                "a bird not flying in the sky".to_string()
            )]
        );
        assert_eq!(cats[1].name, "Counting");
        assert!(cats[1]
            .description
            .starts_with("Numbers of objects are lost"));
        assert_eq!(cats[1].examples.len(), 1);
        assert_eq!(
            (cats[2].name.as_str(), cats[2].description.as_str()),
            ("Gender", "man vs woman.")
        );
    }

    #[test]
    fn headings_and_json() {
        let cats = parse_categories("### Spatial relations\nLeft and right are confused.\n\n### Colour binding\nColours swap between objects.");
        assert_eq!(
            cats.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            vec!["Spatial relations", "Colour binding"]
        );
        assert_eq!(cats[1].description, "Colours swap between objects.");
        let json = "```json\n{\"categories\": [{\"name\": \"Negation\", \"description\": \"d\", \"examples\": [[\"a b\", \"a not b\"]]}]}\n```";
        let cats = parse_categories(json);
        assert_eq!(
            cats,
            vec![Category {
                name: "Negation".into(),
                description: "d".into(),
                examples: vec![("a b".into(), "a not b".into())]
            }]
        );
    }

    #[test]
    fn nothing() {
        assert!(parse_categories("I cannot see any pattern.").is_empty());
        assert!(parse_categories("").is_empty());
        assert_eq!(strip_html_tags("a < b <b>bold</b>"), "a < b bold");
    }
}
