//! The flagged pairs of a target (embedded once as JSON, drawn a page at a time by the
//! script, with search and filters), the review counts per category, and the page-level
//! review controls.
//!
//! Everything the script needs is rendered here, in a fixed order, so the page stays
//! byte-identical for the same input; the script only reads it.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::html::{count, esc, json_num, json_str};
use crate::{Candidate, TargetReport};

/// Judges in the order the filter lists them; others follow alphabetically.
const KNOWN_JUDGES: [&str; 4] = ["structural", "reference", "both", "llm"];

/// The columns of the flagged-pairs table; the script writes the same labels on its cells.
const PAIR_COLUMNS: [(&str, bool); 8] = [
    ("text A", false),
    ("text B", false),
    ("category", false),
    ("judge", false),
    ("target sim", true),
    ("reference sim", true),
    ("evidence", false),
    ("review", false),
];

/// The page-level review section: what to do, save, load and forget.
pub(crate) fn review_section(out: &mut String, flagged: usize) {
    out.push_str("<section id=\"review\">\n<h2>Review</h2>\n");
    if flagged == 0 {
        out.push_str("<p class=\"empty\">No flagged pairs to review.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<p class=\"note\">Read each of the {} flagged pairs below and mark it <b>real failure</b> \
         (the two captions describe different pictures) or <b>false alarm</b> (one picture fits \
         both). Labels are kept in this browser until you save them. <b>Save labels</b> downloads \
         <code>reviews.csv</code> (<code>model,text_a,text_b,label</code>, label \
         <code>real_failure</code> or <code>false_alarm</code>), which <code>lookalike</code> \
         reads back as the table <code>reviews</code> for the next audit; <b>Load labels</b> \
         restores a saved file. Precision per category counts the reviewed pairs only.</p>",
        count(flagged as u64)
    );
    out.push_str(
        "<div class=\"controls\">\
         <button type=\"button\" id=\"review-save\">Save labels (reviews.csv)</button>\
         <label class=\"file\">Load labels <input type=\"file\" id=\"review-load\" accept=\".csv,text/csv\"></label>\
         <button type=\"button\" id=\"review-clear\">Forget labels</button>\
         <span id=\"review-status\" class=\"muted\" aria-live=\"polite\"></span></div>\n\
         <noscript><p class=\"note\">Listing, filtering and reviewing the flagged pairs needs \
         JavaScript; the tables and charts above and below do not.</p></noscript>\n</section>\n",
    );
}

/// Filter values: `c:<category>` or `none`; `j:<judge>`.
fn category_value(c: Option<&str>) -> String {
    c.map_or("none".to_string(), |c| format!("c:{c}"))
}

/// The category filter's options, `(value, label, flagged pairs)`: the categories in the
/// table's order, then any other category a pair names (alphabetically), then pairs with none.
fn category_options(t: &TargetReport, flagged: &[&Candidate]) -> Vec<(String, String, usize)> {
    let mut counts: HashMap<Option<&str>, usize> = HashMap::new();
    for c in flagged {
        *counts.entry(c.category.as_deref()).or_default() += 1;
    }
    let mut options = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for row in &t.categories {
        let name = row.category.as_str();
        if seen.contains(&name) {
            continue;
        }
        seen.push(name);
        if let Some(&n) = counts.get(&Some(name)) {
            options.push((category_value(Some(name)), name.to_string(), n));
        }
    }
    let others: BTreeMap<&str, usize> = counts
        .iter()
        .filter_map(|(k, &n)| k.filter(|k| !seen.contains(k)).map(|k| (k, n)))
        .collect();
    for (name, n) in others {
        options.push((category_value(Some(name)), name.to_string(), n));
    }
    if let Some(&n) = counts.get(&None) {
        options.push(("none".to_string(), "(no category)".to_string(), n));
    }
    options
}

fn judge_options(flagged: &[&Candidate]) -> Vec<(String, String, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in flagged {
        *counts
            .entry(c.flagged_by.as_deref().unwrap_or(""))
            .or_default() += 1;
    }
    let mut options = Vec::new();
    for judge in KNOWN_JUDGES {
        if let Some(n) = counts.remove(judge) {
            options.push((format!("j:{judge}"), judge.to_string(), n));
        }
    }
    for (judge, n) in counts {
        options.push((format!("j:{judge}"), judge.to_string(), n));
    }
    options
}

fn select(out: &mut String, class: &str, label: &str, options: &[(String, String, usize)]) {
    let _ = write!(
        out,
        "<label>{label} <select class=\"{class}\"><option value=\"\">all</option>"
    );
    for (value, name, n) in options {
        let _ = write!(
            out,
            "<option value=\"{}\">{} ({})</option>",
            esc(value),
            esc(name),
            count(*n as u64)
        );
    }
    out.push_str("</select></label>");
}

/// The flagged pairs of one target and its review counts.
pub(crate) fn render(out: &mut String, t: &TargetReport, slug: &str) {
    let flagged: Vec<&Candidate> = t
        .candidates
        .iter()
        .filter(|c| c.flagged_by.is_some())
        .collect();
    let _ = writeln!(
        out,
        "<div class=\"block pairs\" id=\"pairs-{slug}\" data-review-table=\"review-{slug}\">\n\
         <h3>Flagged pairs <span class=\"muted\">({})</span></h3>",
        count(flagged.len() as u64)
    );
    if flagged.is_empty() {
        out.push_str("<p class=\"empty\">No flagged pairs for this model.</p>\n</div>\n");
        return;
    }
    // The rows, once, as JSON:
    // [text_a, text_b, category, judge, target, reference, evidence, earlier review].
    out.push_str("<script type=\"application/json\" class=\"pairs-data\">{\"model\":");
    json_str(out, &t.model);
    out.push_str(",\"rows\":[");
    for (i, c) in flagged.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push('[');
        json_str(out, &c.text_a);
        out.push(',');
        json_str(out, &c.text_b);
        out.push(',');
        match &c.category {
            Some(s) => json_str(out, s),
            None => out.push_str("null"),
        }
        out.push(',');
        json_str(out, c.flagged_by.as_deref().unwrap_or(""));
        let _ = write!(
            out,
            ",{},{},",
            json_num(Some(c.target_sim as f64), 3),
            json_num(c.reference_sim.map(f64::from), 3)
        );
        match &c.evidence {
            Some(s) => json_str(out, s),
            None => out.push_str("null"),
        }
        if let Some(review) = &c.review {
            out.push(',');
            json_str(out, review);
        }
        out.push(']');
    }
    out.push_str("]}</script>\n");

    let categories = category_options(t, &flagged);
    out.push_str("<div class=\"controls\"><label>Search <input type=\"search\" class=\"f-search\" placeholder=\"texts, category, evidence\"></label>");
    select(out, "f-category", "Category", &categories);
    select(out, "f-judge", "Judge", &judge_options(&flagged));
    out.push_str(
        "<label>Review <select class=\"f-review\"><option value=\"\">all</option>\
         <option value=\"none\">not reviewed</option><option value=\"real_failure\">real failure</option>\
         <option value=\"false_alarm\">false alarm</option></select></label>\
         <span class=\"f-count muted\" aria-live=\"polite\"></span></div>\n",
    );
    out.push_str("<div class=\"scroll\"><table class=\"reflow pairs-table\">\n<thead><tr>");
    for (name, numeric) in PAIR_COLUMNS {
        let class = if numeric { " class=\"n\"" } else { "" };
        let _ = write!(out, "<th{class}>{name}</th>");
    }
    out.push_str(
        "</tr></thead>\n<tbody></tbody>\n</table></div>\n\
         <div class=\"pager\"><button type=\"button\" class=\"prev\" disabled>← previous</button> \
         <span class=\"page muted\"></span> \
         <button type=\"button\" class=\"next\" disabled>next →</button></div>\n</div>\n",
    );
    review_counts(out, slug, &categories, flagged.len());
}

/// Reviewed, real and false per category; the script fills the counts in as labels change.
fn review_counts(
    out: &mut String,
    slug: &str,
    categories: &[(String, String, usize)],
    total: usize,
) {
    let _ = write!(
        out,
        "<div class=\"block\" id=\"review-{slug}\">\n<h3>Review by category</h3>\n\
         <div class=\"scroll\"><table class=\"reflow review-table\">\n<thead><tr><th>category</th>\
         <th class=\"n\">flagged</th><th class=\"n\">reviewed</th><th class=\"n\">real failure</th>\
         <th class=\"n\">false alarm</th><th class=\"n\">precision</th></tr></thead>\n<tbody>\n"
    );
    let rows = categories
        .iter()
        .map(|(v, name, n)| (v.as_str(), name.as_str(), *n, ""))
        .chain([("", "all categories", total, " class=\"total\"")]);
    for (value, name, n, class) in rows {
        let _ = writeln!(
            out,
            "<tr data-cat=\"{}\"{class}><td class=\"head\" data-label=\"category\">{}</td>\
             <td class=\"n\" data-label=\"flagged\">{}</td><td class=\"n\" data-k=\"reviewed\" data-label=\"reviewed\">0</td>\
             <td class=\"n\" data-k=\"real\" data-label=\"real failure\">0</td>\
             <td class=\"n\" data-k=\"false\" data-label=\"false alarm\">0</td>\
             <td class=\"n\" data-k=\"precision\" data-label=\"precision\">–</td></tr>",
            esc(value),
            esc(name),
            count(n as u64)
        );
    }
    out.push_str(
        "</tbody>\n</table></div>\n<p class=\"note\">Precision: real failures / reviewed pairs \
         of the category.</p>\n</div>\n",
    );
}
