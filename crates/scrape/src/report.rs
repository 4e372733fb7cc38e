//! What a scrape did, for the user: what it dropped, and why.

use std::fmt;

use lookalike_pairs::Method;

/// What an int8 first pass did.
#[derive(Debug, Clone, Default)]
pub(crate) struct FirstPassReport {
    /// The int8 model.
    pub model: String,
    /// How far below the threshold it looked.
    pub margin: f32,
    /// Its pairs above the threshold less the margin.
    pub candidates: usize,
    /// The texts of those pairs, then embedded by the target.
    pub texts: usize,
    /// The largest difference between its similarity and the target's over its pairs.
    pub strayed: f32,
}

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
    pub(crate) first_pass: Option<FirstPassReport>,
    /// The reference's int8 first pass: `candidates` are the pairs given its exact cosine.
    pub(crate) reference_first_pass: Option<FirstPassReport>,
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
        if let Some(p) = &self.first_pass {
            write!(
                f,
                "{} first pass: {} pairs above the threshold less {}, straying from the target by at most {:.4}, {} texts embedded by the target; ",
                p.model, p.candidates, p.margin, p.strayed, p.texts
            )?;
            // Past two thirds of the margin, a pair just below the lowered threshold may have
            // been lost: say so, and how to be sure.
            if p.strayed > p.margin * 2.0 / 3.0 {
                write!(
                    f,
                    "WARNING: that is close to the margin, so a pair may have been missed (rerun with first_pass => 'f32' or --f32-only to be sure); "
                )?;
            }
        }
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
        if let Some(p) = &self.reference_first_pass {
            write!(
                f,
                "{} first pass: {} pairs the reference could flag or that are returned, straying from the reference by at most {:.4} on them (margin {}); ",
                p.model, p.candidates, p.strayed, p.margin
            )?;
            if p.strayed > p.margin * 2.0 / 3.0 {
                write!(
                    f,
                    "WARNING: that is close to the margin, so a flag may have been missed (rerun with first_pass => 'f32' or --f32-only to be sure); "
                )?;
            }
        }
        write!(
            f,
            "reference embedded {} texts; flagged {} by the reference gap, {} by the structural judge; {} rows returned",
            self.reference_texts, self.by_reference, self.by_structure, self.returned
        )
    }
}
