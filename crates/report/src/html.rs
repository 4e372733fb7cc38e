//! Escaping, number formatting, and the HTML (non-chart) parts of the page.

use std::fmt::Write as _;

use std::collections::HashMap;

use crate::{Audit, Candidate, FlagCounts, TargetReport};

/// Examples shown per category; the caller passes "a few", this caps a runaway list.
const MAX_EXAMPLES: usize = 5;

/// Escapes text for element content and quoted attribute values alike.
///
/// Control characters other than tab and newline become U+FFFD: they are parse errors in
/// HTML even as character references, and captions scraped from the web do contain them.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(ch),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Appends `s` as a JSON string literal that is also safe inside `<script>`: `<`, `>` and
/// `&` are written as `\u003c`, `\u003e`, `\u0026`, so no `</script>` or `<!--` can end or
/// bend the element, and U+2028/U+2029 are escaped for old JavaScript parsers. The text itself
/// round-trips exactly (control characters become `\u00XX`, not U+FFFD), since the review
/// file joins on it.
pub(crate) fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A float as a JSON number with `digits` decimals, `null` when absent or not finite.
pub(crate) fn json_num(x: Option<f64>, digits: usize) -> String {
    match x {
        Some(v) if v.is_finite() => num(v, digits),
        _ => "null".to_string(),
    }
}

/// The page's review key: FNV-1a (64 bit) over the title, the corpus and the model names,
/// as 16 hex digits. Rerunning the same audit keeps the labels a reviewer left in the
/// browser; another corpus or set of models starts afresh.
pub(crate) fn audit_key(a: &Audit) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |s: &str| {
        for b in s.bytes().chain([0u8]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(&a.title);
    feed(&a.corpus);
    for t in &a.targets {
        feed(&t.model);
    }
    format!("{h:016x}")
}

/// Model names sanitized to `[A-Za-z0-9_-]` for ids, made unique by `-2`, `-3`, ...
///
/// Two names such as `a/b` and `a.b` both sanitize to `a_b`; duplicate ids would break the
/// page's anchors and the tests that look sections up by id.
pub(crate) fn unique_slugs<'a>(models: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut slugs: Vec<String> = Vec::new();
    for model in models {
        let mut base: String = model
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if base.is_empty() {
            base.push_str("model");
        }
        let mut slug = base.clone();
        let mut n = 2;
        while slugs.contains(&slug) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        slugs.push(slug);
    }
    slugs
}

/// Fixed-precision float, "n/a" when not finite (never prints NaN or inf).
pub(crate) fn num(x: f64, digits: usize) -> String {
    if x.is_finite() {
        // A tiny negative would print as "-0.000"; drop the sign when only zeros follow.
        let s = format!("{:.*}", digits, x);
        if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
            s[1..].to_string()
        } else {
            s
        }
    } else {
        "n/a".to_string()
    }
}

/// A rate in [0, 1] as a percentage with one decimal, "n/a" when absent or not finite.
pub(crate) fn pct(rate: Option<f64>) -> String {
    match rate {
        Some(r) if r.is_finite() => format!("{}%", num(r * 100.0, 1)),
        _ => "n/a".to_string(),
    }
}

/// Integer with thousands separators: 12345 -> "12,345".
pub(crate) fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

pub(crate) fn head(out: &mut String, title: &str) {
    let title = if title.is_empty() {
        "lookalike audit"
    } else {
        title
    };
    // The empty data: icon stops browsers from requesting /favicon.ico (a console error
    // when the report is served over HTTP) without referencing anything external.
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<link rel=\"icon\" href=\"data:,\">\n<style>\n{}</style>\n</head>\n",
        esc(title),
        crate::style::css()
    );
}

pub(crate) fn header(out: &mut String, a: &Audit) {
    let title = if a.title.is_empty() {
        "lookalike audit"
    } else {
        a.title.as_str()
    };
    let threshold = num(a.threshold as f64, 3);
    let reference = match &a.reference {
        Some(r) => esc(r),
        None => "none (structural judge only)".to_string(),
    };
    let gap = match a.gap {
        Some(g) => num(g as f64, 3),
        None => "none".to_string(),
    };
    let steer = a.steer.as_deref().map_or("none".to_string(), esc);
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<dl class=\"settings\">\n",
        esc(title)
    );
    let rows = [
        ("corpus", esc(&a.corpus)),
        ("distinct texts", count(a.texts as u64)),
        ("reference encoder", reference),
        ("target threshold", threshold.clone()),
        ("reference gap", gap.clone()),
        ("generator", esc(&a.generator)),
        ("steered to", steer),
        ("target models", count(a.targets.len() as u64)),
    ];
    for (k, v) in rows {
        let _ = writeln!(out, "<div><dt>{k}</dt><dd>{v}</dd></div>");
    }
    let gap_rule = match a.gap {
        Some(_) => format!("target − reference &gt; {gap}"),
        None => "no gap set".to_string(),
    };
    let _ = write!(
        out,
        "</dl>\n<p class=\"rule\">A pair is reported when the target encoder agrees (cosine \
         similarity above {threshold}) and either the reference encoder disagrees by more than \
         the gap ({gap_rule}) or the structural judge finds a meaning-changing edit."
    );
    if a.reference.is_none() {
        out.push_str(" No reference encoder was used, so only the structural judge flags pairs.");
    }
    out.push_str("</p>\n</header>\n");
}

/// The summary's columns: header text, and whether it holds a number.
const SUMMARY_COLUMNS: [&str; 12] = [
    "target model",
    "candidates",
    "flagged: reference",
    "flagged: structural",
    "flagged: both",
    "failures",
    "uncertain",
    "categories",
    "generated",
    "agreed",
    "reproduced",
    "success rate",
];

/// `<thead>` of a table whose narrow form is cards: number columns get class `n`.
fn thead(out: &mut String, columns: &[&str], numeric: impl Fn(usize) -> bool) {
    out.push_str("<thead><tr>");
    for (i, c) in columns.iter().enumerate() {
        let class = if numeric(i) { " class=\"n\"" } else { "" };
        let _ = write!(out, "<th{class}>{c}</th>");
    }
    out.push_str("</tr></thead>\n");
}

pub(crate) fn summary(out: &mut String, a: &Audit, slugs: &[String]) {
    out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    if a.targets.is_empty() {
        out.push_str("<p class=\"empty\">No target models were audited.</p>\n</section>\n");
        return;
    }
    out.push_str("<div class=\"scroll\"><table class=\"reflow\">\n");
    thead(out, &SUMMARY_COLUMNS, |i| i > 0);
    out.push_str("<tbody>\n");
    for (t, slug) in a.targets.iter().zip(slugs) {
        let f = FlagCounts::of(&t.candidates);
        let generated: u64 = t.categories.iter().map(|c| c.generated).sum();
        let agreed: u64 = t.categories.iter().map(|c| c.agreed).sum();
        let reproduced: u64 = t.categories.iter().map(|c| c.reproduced).sum();
        // Overall rate pools the categories (sum reproduced / sum generated), so a category
        // with many generated pairs weighs more than one with a few.
        let rate = (generated > 0).then(|| reproduced as f64 / generated as f64);
        let _ = write!(
            out,
            "<tr><td class=\"head\" data-label=\"{}\"><a href=\"#target-{slug}\">{}</a></td>",
            SUMMARY_COLUMNS[0],
            esc(&t.model),
        );
        let values = [
            count(t.candidates.len() as u64),
            count(f.reference as u64),
            count(f.structural as u64),
            count(f.both as u64),
            count(f.failures() as u64),
            count(t.uncertain as u64),
            count(t.categories.len() as u64),
            count(generated),
            count(agreed),
            count(reproduced),
            pct(rate),
        ];
        for (label, v) in SUMMARY_COLUMNS[1..].iter().zip(values) {
            let _ = write!(out, "<td class=\"n\" data-label=\"{label}\">{v}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str(
        "</tbody>\n</table></div>\n<p class=\"note\">Failures count every flagged candidate; \
         uncertain pairs are ones the judge could not vouch for, kept apart and never reported as failures. \
         A generated pair reproduces when the target agrees and the judge confirms the change; \
         the success rate is reproduced / generated over all categories.</p>\n</section>\n",
    );
}

pub(crate) fn open_target(out: &mut String, t: &TargetReport, slug: &str) {
    let name = if t.model.is_empty() {
        "(unnamed model)".to_string()
    } else {
        esc(&t.model)
    };
    let _ = write!(
        out,
        "<section class=\"target\" id=\"target-{slug}\" data-model=\"{}\">\n<h2>{name}</h2>\n",
        esc(&t.model)
    );
}

const CATEGORY_COLUMNS: [&str; 8] = [
    "category",
    "description",
    "pairs",
    "generated",
    "agreed",
    "reproduced",
    "success rate",
    "example pairs",
];

pub(crate) fn categories(out: &mut String, t: &TargetReport, slug: &str) {
    let _ = writeln!(
        out,
        "<div class=\"block\" id=\"categories-{slug}\">\n<h3>Failure categories</h3>"
    );
    if t.categories.is_empty() {
        out.push_str("<p class=\"empty\">No failure categories for this model.</p>\n</div>\n");
        return;
    }
    // Examples show their similarities when the pair is among the candidates.
    let by_texts: HashMap<(&str, &str), &Candidate> = t
        .candidates
        .iter()
        .map(|c| ((c.text_a.as_str(), c.text_b.as_str()), c))
        .collect();
    let mut listed: HashMap<&str, usize> = HashMap::new();
    for c in t.candidates.iter().filter(|c| c.flagged_by.is_some()) {
        if let Some(category) = &c.category {
            *listed.entry(category.as_str()).or_default() += 1;
        }
    }
    out.push_str("<div class=\"scroll\"><table class=\"reflow cat-table\">\n");
    thead(out, &CATEGORY_COLUMNS, |i| (2..7).contains(&i));
    out.push_str("<tbody>\n");
    for c in &t.categories {
        let _ = write!(
            out,
            "<tr><td class=\"head\" data-label=\"category\">{}</td><td class=\"desc\" data-label=\"description\">{}</td>",
            esc(&c.category),
            esc(&c.description),
        );
        let values = [
            count(c.pairs),
            count(c.generated),
            count(c.agreed),
            count(c.reproduced),
            pct(c.success_rate),
        ];
        for (label, v) in CATEGORY_COLUMNS[2..7].iter().zip(values) {
            let _ = write!(out, "<td class=\"n\" data-label=\"{label}\">{v}</td>");
        }
        // One wrapper, so the cell stays one grid item when the table reflows into cards.
        out.push_str("<td class=\"ex\" data-label=\"example pairs\"><div>");
        if c.examples.is_empty() {
            out.push_str("<span class=\"muted\">none</span>");
        } else {
            out.push_str("<ul class=\"examples\">");
            for (a, b) in c.examples.iter().take(MAX_EXAMPLES) {
                let _ = write!(out, "<li><q>{}</q> ↔ <q>{}</q>", esc(a), esc(b));
                if let Some(cand) = by_texts.get(&(a.as_str(), b.as_str())) {
                    let _ = write!(
                        out,
                        " <span class=\"sims\" title=\"target / reference cosine similarity\">{} / {}</span>",
                        num(cand.target_sim as f64, 3),
                        cand.reference_sim.map_or("–".to_string(), |r| num(r as f64, 3)),
                    );
                }
                out.push_str("</li>");
            }
            out.push_str("</ul>");
            if c.examples.len() > MAX_EXAMPLES {
                let _ = write!(
                    out,
                    "<span class=\"muted\">+{} more not shown</span>",
                    count((c.examples.len() - MAX_EXAMPLES) as u64)
                );
            }
        }
        if let Some(&n) = listed.get(c.category.as_str()) {
            let mut value = String::from("c:");
            value.push_str(&c.category);
            let _ = write!(
                out,
                " <a class=\"show-cat\" href=\"#pairs-{slug}\" data-cat=\"{}\">list all {} flagged pairs</a>",
                esc(&value),
                count(n as u64)
            );
        }
        out.push_str("</div></td></tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n</div>\n");
}
