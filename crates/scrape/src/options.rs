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

/// The margin below the threshold at which an int8 first pass keeps candidates. Calibrated on
/// COCO val under minilm (bench/RESULTS.md): every f32 pair above 0.9 is above 0.88 under int8,
/// and over the pairs the first pass proposes its similarities stray from the f32 model's by at
/// most 0.022-0.027 (they depend a little on which texts share a batch, since ONNX Runtime
/// quantizes each batch's activations with one scale). 0.05 keeps them all with room; the
/// report warns when a corpus shows more than two thirds of it.
pub const INT8_MARGIN: f32 = 0.05;

/// The margin of the reference's int8 first pass (failures mode): a pair gets the reference's
/// exact cosine when the rule could flag it with its int8 cosine lowered by this much (or when
/// it is returned anyway). Calibrated on COCO val's 4,672 candidate pairs under mpnet
/// (bench/RESULTS.md): the int8 import's pair cosines stray by at most 0.059 there (99.9 % within
/// 0.051), and 0.1 leaves 105 of them to compute exactly under MultiMon's gap rule.
pub const REFERENCE_INT8_MARGIN: f32 = 0.1;

/// How the target's pairs are found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FirstPass {
    /// The target embeds every text.
    F32,
    /// The target's int8 import (`NAME-int8`, written by `lookalike setup` or `model import
    /// --int8`) embeds every text and finds the pairs above the threshold less `margin`; the
    /// target itself then embeds only the texts of those pairs and decides exactly, so the pairs
    /// and similarities are the f32 model's whenever the int8 error stays within the margin.
    /// Without an int8 import, or with a quantile threshold, the scrape runs as [`FirstPass::F32`].
    /// In failures mode the reference does the same with its own int8 import: the exact cosine
    /// only for pairs its rule could flag within [`REFERENCE_INT8_MARGIN`] or that are returned.
    Int8 {
        /// How far below the threshold the first pass looks.
        margin: f32,
    },
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
    /// How the target's (and in failures mode the reference's) vectors are found.
    pub first_pass: FirstPass,
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
            first_pass: FirstPass::Int8 {
                margin: INT8_MARGIN,
            },
        }
    }
}
