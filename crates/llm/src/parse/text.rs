//! Small text helpers shared by the parsers: quote normalisation, list markers, quoted strings,
//! JSON values embedded in prose.

/// Replaces typographic double quotes with `"`. Single curly quotes stay: they are apostrophes
/// far more often than delimiters ("you’ve").
pub(crate) fn normalise_double_quotes(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '“' | '”' | '„' | '‟' | '″' | '«' | '»' | '＂' => '"',
            c => c,
        })
        .collect()
}

/// Strips list markers at the start of a line: bullets (`-`, `*`, `•`, `+`, `>`), numbering
/// (`1.`, `1)`, `(1)`, `1:`, `1 -`), labels like `Pair 3:`, and bold markers around them.
pub(crate) fn strip_list_marker(line: &str) -> &str {
    let mut s = line.trim();
    for _ in 0..4 {
        let before = s;
        s = s
            .trim_start_matches("**")
            .trim_start_matches("__")
            .trim_start();
        if let Some(rest) = s.strip_prefix(['-', '*', '•', '+', '>', '·', '–', '—']) {
            if rest.starts_with(char::is_whitespace) || rest.is_empty() {
                s = rest.trim_start();
            }
        }
        let lower = s.get(..5).map(str::to_ascii_lowercase);
        if lower.as_deref() == Some("pair ") {
            let rest = &s[5..];
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if digits > 0 {
                s = rest[digits..]
                    .trim_start_matches([':', '.', ')'])
                    .trim_start();
            }
        }
        s = strip_number(s);
        if s == before {
            break;
        }
    }
    s.trim_start_matches("**").trim_start()
}

fn strip_number(s: &str) -> &str {
    let (open, inner) = match s.strip_prefix('(') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let digits = inner.len() - inner.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 4 {
        return s;
    }
    let rest = &inner[digits..];
    let rest = rest.trim_start_matches("**");
    let stripped = if open {
        rest.strip_prefix(')')
    } else {
        rest.strip_prefix(['.', ')', ':'])
            .or_else(|| rest.strip_prefix(" -"))
            .or_else(|| rest.strip_prefix(" –"))
    };
    match stripped {
        Some(r) if r.is_empty() || r.starts_with(char::is_whitespace) || r.starts_with("**") => {
            r.trim_start_matches("**").trim_start()
        }
        _ => s,
    }
}

/// The `"…"`-quoted strings of a line, in order, with `\"` and `\\` unescaped. An unterminated
/// last quote yields its rest, without trailing `),];` (a model that forgot a closing quote).
pub(crate) fn quoted_strings(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut current = String::new();
        let mut closed = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' if matches!(chars.peek(), Some('"') | Some('\\')) => {
                    current.push(chars.next().unwrap_or('\\'))
                }
                '"' => {
                    closed = true;
                    break;
                }
                c => current.push(c),
            }
        }
        if closed {
            out.push(current);
        } else {
            let tail = current
                .trim_end()
                .trim_end_matches([')', ']', ',', ';', '}'])
                .trim_end();
            if !tail.is_empty() {
                out.push(tail.to_string());
            }
        }
    }
    out
}

/// JSON arrays and objects found in `text` (inside code fences or prose), outermost first.
/// Gives up after 64 failed starts, so it stays fast on arbitrary input.
pub(crate) fn json_values(text: &str) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut failures = 0;
    while let Some(offset) = text[pos..].find(['[', '{']) {
        let start = pos + offset;
        let mut stream =
            serde_json::Deserializer::from_str(&text[start..]).into_iter::<serde_json::Value>();
        match stream.next() {
            Some(Ok(value)) => {
                pos = start + stream.byte_offset();
                out.push(value);
            }
            _ => {
                failures += 1;
                if failures > 64 {
                    break;
                }
                pos = start + 1;
            }
        }
    }
    out
}

/// Whether `s` is a format placeholder echoed back ("prompt1", "text_a", "caption 2", …).
pub(crate) fn is_placeholder(s: &str) -> bool {
    let key: String = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let stem = key.trim_end_matches(|c: char| c.is_ascii_digit());
    let stem = if stem.len() == key.len() {
        stem.strip_suffix(['a', 'b']).unwrap_or(stem)
    } else {
        stem
    };
    matches!(
        stem,
        "prompt" | "text" | "caption" | "sentence" | "description"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        for (input, want) in [
            ("1. (\"a\", \"b\")", "(\"a\", \"b\")"),
            ("12) x", "x"),
            ("(3) x", "x"),
            ("- x", "x"),
            ("* 4. x", "x"),
            ("**5.** x", "x"),
            ("Pair 6: x", "x"),
            ("7 - x", "x"),
            ("1984 was a year", "1984 was a year"),
            ("3.5 apples", "3.5 apples"),
            ("-x", "-x"),
        ] {
            assert_eq!(strip_list_marker(input), want, "{input}");
        }
    }

    #[test]
    fn quotes() {
        assert_eq!(
            quoted_strings(r#"("a \"b\" c", "d")"#),
            vec![r#"a "b" c"#, "d"]
        );
        assert_eq!(quoted_strings(r#"("a" "b")"#), vec!["a", "b"]);
        assert_eq!(quoted_strings(r#"("a", "b),"#), vec!["a", "b"]);
        assert!(quoted_strings("none").is_empty());
        assert_eq!(normalise_double_quotes("“a” said"), "\"a\" said");
    }

    #[test]
    fn json_in_prose() {
        let v = json_values("Sure! ```json\n[[\"a\", \"b\"]]\n``` and {\"x\": 1} [broken");
        assert_eq!(v.len(), 2);
        assert!(json_values(&"[".repeat(10_000)).is_empty());
    }

    #[test]
    fn placeholders() {
        for p in [
            "prompt1",
            "prompt2",
            "Prompt 1",
            "text_a",
            "caption B",
            "sentence2",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        assert!(
            !is_placeholder("A bird flying in the sky")
                && !is_placeholder("bab")
                && !is_placeholder("a")
        );
    }
}
