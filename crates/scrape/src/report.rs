//! What a scrape did, for the user: what it dropped, and why.

use std::fmt;

use lookalike_pairs::Method;

/// What a scrape did: rows read, texts dropped, pairs found and dropped, who flagged what.
/// Its `Display` is the one-line note `lookalike_pairs` prints after a query.
#[derive(Debug, Clone, Default)]
pub struct ScrapeReport {
    pub(crate) rows: usize,
    pub(crate) null_texts: usize,
    pub(crate) duplicate_texts: usize,
    pub(crate) excluded_texts: usize,
    pub(crate) distinct_texts: usize,
    pub(crate) threshold: f32,
    pub(crate) method: Option<Method>,
    pub(crate) above_threshold: usize,
    pub(crate) normalized_equal: usize,
    pub(crate) repeated_pairs: usize,
    pub(crate) reference_texts: usize,
    pub(crate) by_reference: usize,
    pub(crate) by_structure: usize,
    pub(crate) returned: usize,
}

impl fmt::Display for ScrapeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "lookalike_pairs: {} rows → {} distinct texts ({} NULL, {} repeated, {} with an excluded phrase); ",
            self.rows, self.distinct_texts, self.null_texts, self.duplicate_texts, self.excluded_texts
        )?;
        let method = match self.method {
            Some(Method::Hnsw) => "HNSW",
            Some(Method::Ivf) => "IVF",
            Some(_) => "exact",
            None => "no",
        };
        write!(
            f,
            "{method} search: {} pairs above {:.4}; ",
            self.above_threshold, self.threshold
        )?;
        write!(
            f,
            "dropped {} equal after normalising case, spacing and punctuation and {} repeats; ",
            self.normalized_equal, self.repeated_pairs
        )?;
        write!(
            f,
            "reference embedded {} texts; flagged {} by the reference gap, {} by the structural judge; {} rows returned",
            self.reference_texts, self.by_reference, self.by_structure, self.returned
        )
    }
}
