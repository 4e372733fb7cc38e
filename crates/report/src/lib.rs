//! Self-contained HTML report for a lookalike audit.
//!
//! An audit looks for *erroneous agreement* (MultiMon, NeurIPS 2023): caption pairs that
//! mean different things but that a *target* text encoder embeds with cosine similarity
//! above a threshold. A *reference* encoder (target − reference similarity > gap) and a
//! structural word-diff judge decide that the two captions differ.
//!
//! [`render`] turns an [`Audit`] into one HTML5 page that opens offline: inline CSS, charts
//! as inline SVG, one small inline script and no external URL. The output is deterministic:
//! the same input gives a byte-identical string (floats use fixed precision; the only hash,
//! the page's review key, is FNV-1a over the title, corpus and model names).
//!
//! The page is responsive: tables scroll inside their own box or reflow into cards when their
//! panel is narrow, charts scale to the width, and nothing scrolls the page sideways at 600 px.
//! Per target it lists every flagged pair (text A, text B, category, judge, target and
//! reference similarity, the judge's evidence), embedded once as JSON and drawn by the script
//! a page of rows at a time, with a search box and category, judge and review filters.
//!
//! **Review.** Each flagged pair has two buttons, *real failure* and *false alarm*. Labels are
//! kept in the browser's `localStorage` under `lookalike-reviews:<key>` (the key is on
//! `<body data-audit-key>`), counted per category with the precision of what was reviewed,
//! and *Save labels* downloads `reviews.csv`:
//!
//! ```text
//! model,text_a,text_b,label
//! minilm,a red car,a blue car,real_failure
//! minilm,"a man, smiling",a smiling man,false_alarm
//! ```
//!
//! `label` is `real_failure` or `false_alarm`; fields holding a comma, a quote or a line
//! break are quoted RFC 4180 style (quotes doubled); lines end in `\n`. *Load labels* reads
//! such a file back into the page.
//!
//! Opened with the URL fragment `#selftest` (or `#selftest:TERM` to choose the search term),
//! the page checks itself (no sideways overflow, filters, the review round trip) and writes
//! `key=value` lines, values percent-encoded, into `<pre id="selftest">`; the test
//! `tests/browser.rs` runs it in headless Chromium at 600 and 1,400 px.
//!
//! ```
//! use lookalike_report::{render, Audit, TargetReport};
//!
//! let audit = Audit {
//!     title: "lookalike audit of captions.txt".into(),
//!     threshold: 0.9,
//!     targets: vec![TargetReport { model: "clip-vit-b32".into(), ..Default::default() }],
//!     ..Default::default()
//! };
//! let html = render(&audit);
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert!(html.contains(r#"id="scatter-clip-vit-b32""#));
//! ```
#![deny(missing_docs)]

use std::fmt::Write as _;

mod bars;
mod html;
mod pairs;
mod scatter;
mod script;
mod style;
mod svg;

/// One audit: several target models side by side.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    /// Page title, e.g. "lookalike audit of data/captions.txt".
    pub title: String,
    /// Corpus path or name.
    pub corpus: String,
    /// Distinct texts in the corpus.
    pub texts: usize,
    /// Reference encoder name; `None` means the structural judge alone decided.
    pub reference: Option<String>,
    /// Target cosine threshold: pairs above it are candidates.
    pub threshold: f32,
    /// Reference judge: a pair is flagged when `target_sim - reference_sim > gap`.
    pub gap: Option<f32>,
    /// Who generated new pairs, e.g. "offline (lexical edits)" or "LLM gpt-4o at http://...".
    pub generator: String,
    /// Domain the audit was steered to, if any.
    pub steer: Option<String>,
    /// One report per target model, shown in this order.
    pub targets: Vec<TargetReport>,
}

/// The results for one target encoder.
#[derive(Debug, Clone, Default)]
pub struct TargetReport {
    /// Model name; shown escaped, and sanitized to `[A-Za-z0-9_-]` in element ids.
    pub model: String,
    /// Every pair above the threshold (0 to tens of thousands).
    pub candidates: Vec<Candidate>,
    /// Failure categories, already ordered.
    pub categories: Vec<CategoryRow>,
    /// Candidates the judge could not vouch for either way: kept apart, never failures.
    pub uncertain: usize,
}

/// One candidate pair: the target encoder embeds it above the threshold.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    /// The first text of the pair, verbatim (it is the review file's join key).
    pub text_a: String,
    /// The second text of the pair, verbatim.
    pub text_b: String,
    /// Cosine similarity under the target encoder.
    pub target_sim: f32,
    /// Cosine similarity under the reference encoder, if one was used.
    pub reference_sim: Option<f32>,
    /// `"reference"`, `"structural"`, `"both"`, `"llm"`, or `None` when the pair is not a
    /// failure. Only flagged pairs are listed (and reviewed) on the page.
    pub flagged_by: Option<String>,
    /// The failure category the pair belongs to, if any (a [`CategoryRow::category`]).
    pub category: Option<String>,
    /// Why the judges flagged it, in words, e.g. "structural judge: changes_meaning
    /// (attribute); target − reference 0.312". Shown and searched as plain text.
    pub evidence: Option<String>,
    /// The label a person gave this pair in an earlier review (`real_failure` or
    /// `false_alarm`), read back by the audit from `reviews.csv`; the page starts from it.
    pub review: Option<String>,
}

/// One failure category of a target model.
#[derive(Debug, Clone, Default)]
pub struct CategoryRow {
    /// Category name, e.g. "negation".
    pub category: String,
    /// One-line description of the category.
    pub description: String,
    /// Scraped failure pairs in this category.
    pub pairs: u64,
    /// New pairs generated for this category and verified (embedded by the target encoder and
    /// judged): the denominator of [`success_rate`](CategoryRow::success_rate).
    pub generated: u64,
    /// Generated pairs the target encoder embeds above the threshold.
    pub agreed: u64,
    /// Generated pairs the target agrees on *and* the judge confirms as a change of meaning:
    /// the failures that reproduce.
    pub reproduced: u64,
    /// `reproduced / generated`, `None` when nothing was generated.
    pub success_rate: Option<f64>,
    /// A few example pairs `(text_a, text_b)`.
    pub examples: Vec<(String, String)>,
}

/// Renders the audit as one self-contained HTML5 page.
///
/// Sections carry fixed ids: `summary`, `review`, and per target `categories-<m>`,
/// `scatter-<m>`, `bars-<m>`, `pairs-<m>` (the flagged pairs) and `review-<m>` (review counts
/// per category) where `<m>` is the model name sanitized to `[A-Za-z0-9_-]` (other characters
/// become `_`; a name that collides with an earlier one gets a `-2`, `-3`, ... suffix so ids
/// stay unique). Every target sits in a `<section class="target" data-model="...">`.
pub fn render(audit: &Audit) -> String {
    let slugs = html::unique_slugs(audit.targets.iter().map(|t| t.model.as_str()));
    let flagged: usize = audit
        .targets
        .iter()
        .map(|t| FlagCounts::of(&t.candidates).failures())
        .sum();
    let mut out = String::with_capacity(16 * 1024 + flagged * 160);
    html::head(&mut out, &audit.title);
    let _ = writeln!(out, "<body data-audit-key=\"{}\">", html::audit_key(audit));
    html::header(&mut out, audit);
    html::summary(&mut out, audit, &slugs);
    pairs::review_section(&mut out, flagged);
    out.push_str("<div class=\"targets\">\n");
    for (target, slug) in audit.targets.iter().zip(&slugs) {
        html::open_target(&mut out, target, slug);
        html::categories(&mut out, target, slug);
        scatter::render(&mut out, audit, target, slug);
        bars::render(&mut out, target, slug);
        pairs::render(&mut out, target, slug);
        out.push_str("</section>\n");
    }
    out.push_str(
        "</div>\n<footer>Generated by lookalike-report. Self-contained: one inline script, \
         no external resources; labels stay in this browser until you save them.</footer>\n",
    );
    out.push_str("<pre id=\"selftest\" hidden></pre>\n<script>\n");
    out.push_str(script::JS);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

/// Failures by judge, counted over all candidates of a target.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FlagCounts {
    pub none: usize,
    pub reference: usize,
    pub structural: usize,
    pub both: usize,
    /// `flagged_by` set to a string outside the documented three.
    pub other: usize,
}

impl FlagCounts {
    pub fn of(candidates: &[Candidate]) -> Self {
        let mut c = FlagCounts::default();
        for cand in candidates {
            *c.slot(cand.flagged_by.as_deref()) += 1;
        }
        c
    }

    fn slot(&mut self, flag: Option<&str>) -> &mut usize {
        match Flag::of(flag) {
            Flag::None => &mut self.none,
            Flag::Reference => &mut self.reference,
            Flag::Structural => &mut self.structural,
            Flag::Both => &mut self.both,
            Flag::Other => &mut self.other,
        }
    }

    /// All flagged pairs, whichever judge.
    pub fn failures(&self) -> usize {
        self.reference + self.structural + self.both + self.other
    }
}

/// `flagged_by` parsed; unknown strings still count as failures, under "other".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flag {
    None,
    Reference,
    Structural,
    Both,
    Other,
}

impl Flag {
    /// Drawing order: unflagged first so failures are painted on top.
    pub const ALL: [Flag; 5] = [
        Flag::None,
        Flag::Reference,
        Flag::Structural,
        Flag::Both,
        Flag::Other,
    ];

    pub fn of(flag: Option<&str>) -> Self {
        match flag {
            None => Flag::None,
            Some("reference") => Flag::Reference,
            Some("structural") => Flag::Structural,
            Some("both") => Flag::Both,
            Some(_) => Flag::Other,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Flag::None => "not flagged",
            Flag::Reference => "reference",
            Flag::Structural => "structural",
            Flag::Both => "both",
            Flag::Other => "other",
        }
    }

    /// CSS class, colored in `style.rs` (Okabe–Ito palette, readable with color blindness).
    pub fn class(self) -> &'static str {
        match self {
            Flag::None => "f-none",
            Flag::Reference => "f-ref",
            Flag::Structural => "f-struct",
            Flag::Both => "f-both",
            Flag::Other => "f-other",
        }
    }

    pub fn count(self, c: &FlagCounts) -> usize {
        match self {
            Flag::None => c.none,
            Flag::Reference => c.reference,
            Flag::Structural => c.structural,
            Flag::Both => c.both,
            Flag::Other => c.other,
        }
    }
}
