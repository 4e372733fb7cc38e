//! Candidate pairs for finding erroneous agreement of text encoders.
//!
//! After MultiMon (Tong, Jones, Steinhardt, NeurIPS 2023): a text encoder such as CLIP fails
//! on a pair of texts when it embeds them almost identically although they mean different
//! things. This crate works on plain slices of L2-normalised f32 embeddings:
//!
//! - [`find_pairs`] finds every pair above a similarity threshold, exactly (blocked dot
//!   products), by scoring each row against its nearest k-means cells (IVF), or with a usearch
//!   HNSW self-join; the approximate methods score every pair they report exactly
//!   ([`SearchOptions`], [`Method`]); [`sample_similarity_quantile`] turns a quantile into a
//!   threshold for encoders whose similarity scales differ.
//! - [`PairRule`] is MultiMon's rule (target above 0.9, gap to a reference encoder above 0.2,
//!   excluded phrases) with its defects fixed.
//! - [`normalize_text`] and [`dedup_pairs`] drop pairs whose texts are equal up to case,
//!   spacing and punctuation, and repeats of a pair.
//!
//! ```
//! use lookalike_pairs::{dedup_pairs, find_pairs, PairRule, SearchOptions};
//!
//! let texts = ["A dog on a sofa.", "a dog on a sofa", "a cat on a sofa", "no image here"];
//! let s = 0.6f32.sqrt(); // rows 0..3 lie close together, row 3 elsewhere
//! let t = 0.4f32.sqrt();
//! let vectors = [
//!     1.0, 0.0, 0.0, //
//!     1.0, 0.0, 0.0, //
//!     0.96, 0.28, 0.0, //
//!     s, 0.0, t,
//! ];
//! let pairs = find_pairs(&vectors, 3, 0.9, &SearchOptions::default())?;
//! assert_eq!(pairs.len(), 3); // (0, 1) at 1.0, then (0, 2) and (1, 2) at 0.96
//!
//! let (kept, report) = dedup_pairs(&pairs, &texts)?;
//! assert_eq!((kept.len(), report.normalized_equal, report.duplicate), (1, 1, 1));
//!
//! let rule = PairRule::default();
//! rule.validate()?;
//! let reference_sim = 0.55; // what a reference encoder says about the kept pair
//! let pair = kept[0];
//! let verdict = rule.judge_texts(
//!     texts[pair.a as usize], texts[pair.b as usize], pair.target_sim, Some(reference_sim));
//! assert!(verdict.is_failure());
//! assert!(rule.is_excluded("There is NO dog"));
//! # Ok::<(), lookalike_pairs::PairsError>(())
//! ```
#![deny(missing_docs)]

mod dedup;
mod error;
mod normalize;
mod rng;
mod rule;
mod search;
pub mod synth;

pub use dedup::{dedup_pairs, DedupReport};
pub use error::PairsError;
pub use normalize::normalize_text;
pub use rule::{PairRule, Verdict, MULTIMON_EXCLUDED_PHRASES};
pub use search::{
    dot, exact_pairs_for_rows, find_pairs, find_pairs_with_report, sample_similarity_quantile,
    sort_candidates, Candidate, HnswParams, HnswStats, IvfParams, IvfStats, Method, Quantization,
    SearchOptions, SearchReport, AUTO_EXACT_MAX_ROWS, MAX_CELLS, NORM_TOLERANCE,
};
