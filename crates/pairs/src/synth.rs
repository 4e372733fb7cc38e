//! Seeded synthetic embeddings for tests and benchmarks.
//!
//! Real caption embeddings come in clumps: a few near-identical phrasings of one scene, many
//! loners, now and then a large family. [`clustered_unit_vectors`] imitates that: cluster
//! centres are random unit vectors (nearly orthogonal to each other in high dimension), and a
//! row is its centre plus Gaussian noise of a per-row strength, renormalised. Two rows of one
//! cluster with noise `s` and `t` have cosine about `1 / sqrt((1 + s²)(1 + t²))`, so the
//! default noise range straddles 0.9; rows of different clusters sit near 0.

use rayon::prelude::*;

use crate::rng::SplitMix64;

/// Shape of the synthetic data: how many rows, how they clump into clusters and how noisy each
/// row is (see [`crate::synth`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ClusteredSpec {
    /// Rows to generate.
    pub rows: usize,
    /// Dimension of each row.
    pub dim: usize,
    /// Mean size of an ordinary cluster (sizes are 1 + a geometric-like tail).
    pub mean_cluster_size: f64,
    /// Chance that a new cluster is a large one instead.
    pub big_cluster_rate: f64,
    /// Inclusive size range of large clusters.
    pub big_cluster_sizes: (usize, usize),
    /// Range of the per-row noise strength (relative to the unit centre).
    pub noise: (f64, f64),
    /// Chance that a row is an exact copy of its cluster's first row (ties).
    pub duplicate_rate: f64,
    /// Seed; equal specs give equal data on every platform and thread count.
    pub seed: u64,
}

impl ClusteredSpec {
    /// The default shape for `rows` rows of dimension `dim`.
    pub fn new(rows: usize, dim: usize, seed: u64) -> Self {
        Self {
            rows,
            dim,
            mean_cluster_size: 8.0,
            big_cluster_rate: 0.002,
            big_cluster_sizes: (50, 300),
            noise: (0.15, 0.6),
            duplicate_rate: 0.01,
            seed,
        }
    }
}

/// `spec.rows * spec.dim` values: L2-normalised rows, row-major, as described in the module.
pub fn clustered_unit_vectors(spec: &ClusteredSpec) -> Vec<f32> {
    let (n, dim) = (spec.rows, spec.dim);
    let mut rng = SplitMix64::new(spec.seed);

    // Cluster sizes, then a shuffled assignment of rows to clusters.
    let mut cluster_of: Vec<u32> = Vec::with_capacity(n);
    let mut clusters = 0u32;
    while cluster_of.len() < n {
        let size = if rng.unit_f64() < spec.big_cluster_rate {
            let (lo, hi) = spec.big_cluster_sizes;
            lo + rng.below((hi - lo + 1) as u64) as usize
        } else {
            1 + (-(1.0 - rng.unit_f64()).ln() * (spec.mean_cluster_size - 1.0)).floor() as usize
        };
        cluster_of.extend(std::iter::repeat_n(
            clusters,
            size.min(n - cluster_of.len()),
        ));
        clusters += 1;
    }
    for i in (1..n).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        cluster_of.swap(i, j);
    }
    let mut first_row = vec![u32::MAX; clusters as usize];
    for (row, &c) in cluster_of.iter().enumerate().rev() {
        first_row[c as usize] = row as u32;
    }

    let centres: Vec<f32> = (0..clusters as usize)
        .into_par_iter()
        .flat_map_iter(|c| {
            let mut rng = SplitMix64::stream(spec.seed, (1 << 40) | c as u64);
            unit_row(&mut rng, dim, |_, g| g, 1.0)
        })
        .collect();

    let mut out = vec![0.0f32; n * dim];
    out.par_chunks_mut(dim).enumerate().for_each(|(row, dst)| {
        let mut rng = SplitMix64::stream(spec.seed, row as u64);
        let c = cluster_of[row] as usize;
        let (lo, hi) = spec.noise;
        let noise = lo + (hi - lo) * rng.unit_f64();
        let centre = &centres[c * dim..(c + 1) * dim];
        let values = unit_row(
            &mut rng,
            dim,
            |k, g| f64::from(centre[k]) + g,
            noise / (dim as f64).sqrt(),
        );
        dst.copy_from_slice(&values);
    });
    // Exact duplicates, copied from a generated row so ties are bit-identical.
    let duplicates: Vec<(usize, usize)> = (0..n)
        .filter_map(|row| {
            let mut rng = SplitMix64::stream(spec.seed ^ 0xD0B1_E5ED, row as u64);
            let source = first_row[cluster_of[row] as usize] as usize;
            (source != row && rng.unit_f64() < spec.duplicate_rate).then_some((row, source))
        })
        .collect();
    for (row, source) in duplicates {
        out.copy_within(source * dim..(source + 1) * dim, row * dim);
    }
    out
}

/// A normalised row whose value `k` is `base(k, scale * gaussian)`.
fn unit_row(
    rng: &mut SplitMix64,
    dim: usize,
    base: impl Fn(usize, f64) -> f64,
    scale: f64,
) -> Vec<f32> {
    let mut values = Vec::with_capacity(dim);
    while values.len() < dim {
        let (x, y) = rng.normal_pair();
        values.push(base(values.len(), scale * x));
        if values.len() < dim {
            values.push(base(values.len(), scale * y));
        }
    }
    let norm = values.iter().map(|v| v * v).sum::<f64>().sqrt();
    values.iter().map(|v| (v / norm) as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dot;

    #[test]
    fn rows_are_unit_deterministic_and_clustered() {
        let spec = ClusteredSpec::new(2_000, 64, 5);
        let a = clustered_unit_vectors(&spec);
        assert_eq!(a, clustered_unit_vectors(&spec));
        assert_ne!(
            a,
            clustered_unit_vectors(&ClusteredSpec {
                seed: 6,
                ..spec.clone()
            })
        );
        let rows: Vec<&[f32]> = a.chunks_exact(64).collect();
        assert!(rows.iter().all(|r| (dot(r, r) - 1.0).abs() < 1e-5));
        let above = (0..rows.len())
            .flat_map(|i| (i + 1..rows.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| dot(rows[i], rows[j]) > 0.9)
            .count();
        let identical = (1..rows.len())
            .filter(|&i| rows[..i].contains(&rows[i]))
            .count();
        assert!(above > 100 && above < 20_000, "{above} pairs above 0.9");
        assert!(identical > 0, "expected some exact duplicates");
    }
}
