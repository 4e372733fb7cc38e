//! What a scrape is asked for, with MultiMon's defaults.

use lookalike_pairs::{PairRule, SearchOptions};

/// Random pairs sampled to estimate a quantile threshold: enough for the 0.999 quantile to be
/// within a few thousandths of the exact one on COCO.
pub const QUANTILE_SAMPLE_PAIRS: usize = 200_000;

/// The sampler's seed: the same corpus always gets the same quantile threshold.
pub const QUANTILE_SEED: u64 = 0;

/// Which pairs a scrape returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Pairs the chosen judge flags as erroneous agreements.
    Failures,
    /// Every pair above the target threshold, with both judges' evidence, for SQL to decide.
    Candidates,
}

/// Who decides, in failures mode, that a pair above the target threshold differs in meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judge {
    /// The reference encoder, by the gap / ceiling rule (MultiMon's judge).
    Reference,
    /// The structural judge (`failure_kind(...).changes_meaning`).
    Structural,
    /// Either one (the audit's choice).
    Either,
}

/// The target threshold: a similarity, or a quantile of the corpus's own pair similarities.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// Strictly above this cosine.
    Value(f32),
    /// Strictly above this quantile of similarities of random pairs (estimated on a sample).
    Quantile(f64),
}

/// Every option of a scrape, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ScrapeOptions {
    /// Target threshold.
    pub threshold: Threshold,
    /// Gap rule, reference ceiling and excluded phrases (its `target_threshold` is set once the
    /// threshold is known).
    pub rule: PairRule,
    /// Search method, quantization, initial k.
    pub search: SearchOptions,
    /// What to return.
    pub mode: Mode,
    /// Who flags failures.
    pub judge: Judge,
    /// Most pairs returned.
    pub limit: Option<usize>,
}

impl Default for ScrapeOptions {
    /// MultiMon's scrape: above 0.9, its gap rule and excluded phrases, exact search up to 50k
    /// texts; failures flagged by either judge.
    fn default() -> Self {
        let rule = PairRule::default();
        ScrapeOptions {
            threshold: Threshold::Value(rule.target_threshold),
            rule,
            search: SearchOptions::default(),
            mode: Mode::Failures,
            judge: Judge::Either,
            limit: None,
        }
    }
}
