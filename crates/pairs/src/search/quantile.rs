//! Turning a similarity quantile into a threshold.
//!
//! Similarity scales differ by encoder: unrelated captions sit near 0.6–0.7 under CLIP but
//! near 0.1 under MiniLM, so a fixed 0.9 means different things. A quantile of the
//! similarity of random pairs puts thresholds on one footing.

use rayon::prelude::*;

use super::{check_vectors, dot};
use crate::rng::SplitMix64;
use crate::PairsError;

/// The `q`-quantile of the similarity of random pairs of distinct rows.
///
/// Draws `sample_pairs` pairs `(i, j)`, `i != j`, uniformly with replacement from a generator
/// seeded with `seed` (or takes every pair once when there are no more than `sample_pairs`),
/// scores them with [`dot`] and interpolates linearly between order statistics, as NumPy's
/// default `quantile` does. The result depends only on the inputs and the seed, not on the
/// thread count or platform.
///
/// # Errors
/// Bad vectors (as in [`super::find_pairs`]), fewer than 2 rows, `q` outside [0, 1] or
/// `sample_pairs` 0.
pub fn sample_similarity_quantile(
    vectors: &[f32],
    dim: usize,
    q: f64,
    sample_pairs: usize,
    seed: u64,
) -> Result<f32, PairsError> {
    let n = check_vectors(vectors, dim)?;
    if !(0.0..=1.0).contains(&q) {
        return Err(PairsError::OutOfRange {
            what: "quantile q",
            value: q,
            min: 0.0,
            max: 1.0,
        });
    }
    if sample_pairs == 0 {
        return Err(PairsError::ZeroCount {
            what: "sample_similarity_quantile sample_pairs",
        });
    }
    if n < 2 {
        return Err(PairsError::TooFewVectors {
            what: "sample_similarity_quantile",
            rows: n,
        });
    }
    let row = |r: usize| &vectors[r * dim..(r + 1) * dim];
    let all_pairs = n as u128 * (n as u128 - 1) / 2;
    let mut sims: Vec<f32> = if all_pairs <= sample_pairs as u128 {
        (0..n)
            .into_par_iter()
            .flat_map_iter(|i| (i + 1..n).map(move |j| (i, j)))
            .map(|(i, j)| dot(row(i), row(j)))
            .collect()
    } else {
        (0..sample_pairs as u64)
            .into_par_iter()
            .map(|s| {
                let mut rng = SplitMix64::stream(seed, s);
                let i = rng.below(n as u64) as usize;
                let mut j = rng.below(n as u64 - 1) as usize;
                if j >= i {
                    j += 1;
                }
                dot(row(i), row(j))
            })
            .collect()
    };
    sims.par_sort_unstable_by(f32::total_cmp);
    let h = (sims.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sims.len() - 1);
    let (x0, x1) = (f64::from(sims[lo]), f64::from(sims[hi]));
    let value = (x0 + (h - lo as f64) * (x1 - x0)) as f32;
    // Rounding can put a unit vector's self-similarity a hair past 1; keep it a valid threshold.
    Ok(value.clamp(-1.0, 1.0))
}
