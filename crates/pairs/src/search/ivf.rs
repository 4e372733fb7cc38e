//! Partitioned all-pairs search (an inverted file, IVF): spherical k-means cells, and each row
//! scored against the rows of its nearest cells.
//!
//! Why it exists: on 2 cores the HNSW self-join at 1M rows costs about as much as the exact
//! search at 300k (its build is memory-latency bound), and on clustered data its graph is hard
//! to navigate: cluster centres are nearly orthogonal, so a greedy walk has no gradient to
//! follow. A pair above a high threshold (cosine 0.9 is an angle under 26°) lies in one cell or
//! in neighbouring ones, so scoring each row against the rows of its `probes` nearest cells
//! finds nearly all pairs at a small fraction of the all-pairs cost, with dense, cache-friendly
//! dot products instead of pointer chasing.
//!
//! Steps: every row is coded in 8 bits ([`super::quant`]); centroids are trained by a few
//! rounds of spherical k-means on a seeded sample; every row is assigned to its nearest
//! centroid (its home cell) and lists its `probes` nearest ([`super::assign`]: ranked by the
//! codes, the best few rescored in f32); each cell then scores the rows that probe it against
//! the rows it holds ([`super::join`]: a lossless filter on the codes, then the crate's f32
//! kernel), so every reported similarity is exact and bit-identical to [`super::dot`]. A pair
//! is found when either row probes the other's home cell. Everything is deterministic: the
//! sample is seeded, sums run in a fixed order, integer scores are exact, and ties go to the
//! lower cell, so the output does not depend on the thread count or on the CPU's features.

use std::cmp::Reverse;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::assign::{nearest_cells, Centroids};
use super::join::join_cell;
use super::quant::CodedRows;
use super::{Candidate, IvfParams};
use crate::rng::SplitMix64;

/// Counts from one partitioned search, for tuning and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IvfStats {
    /// Cells (centroids) used.
    pub cells: usize,
    /// Nearest cells each row was scored against.
    pub probes: usize,
    /// Rows in the fullest cell.
    pub largest_cell: usize,
    /// Wall time of the k-means training.
    pub train_time: Duration,
    /// Wall time to assign every row to its nearest cells.
    pub assign_time: Duration,
    /// Wall time of scoring rows against their probed cells, and collecting the pairs.
    pub join_time: Duration,
    /// Row-to-row dot products computed in the join (the all-pairs search needs n(n-1)/2):
    /// with 8-bit codes where the CPU has AVX-512 VNNI, else in f32.
    pub dot_products: u64,
    /// Of those, the pairs also scored in f32: the pairs that the lossless 8-bit filter could
    /// not rule out (all of them without VNNI).
    pub exact_scored: u64,
}

/// Most cells a search uses, whatever [`IvfParams::cells`] asks: assigning a row costs one dot
/// product per cell, so this caps the assignment and k-means training cost.
pub const MAX_CELLS: usize = 1 << 16;
/// Probing rows per join task; a large cell's queries are split so that the cores share it.
const JOIN_CHUNK: usize = 2048;
/// Training sample rows per cell.
const SAMPLE_PER_CELL: usize = 32;
/// Seed of the training sample; fixed, so a search is reproducible.
const SAMPLE_SEED: u64 = 0x1F5E_A7C4;

impl IvfParams {
    /// The cell count for `n` rows: `cells`, or about `4 sqrt(n)` when it is 0, so that a cell
    /// holds about `sqrt(n) / 4` rows; at least 1, at most `n` and [`MAX_CELLS`] (assigning a
    /// row costs a dot product per cell, so more cells than that only cost time and memory).
    pub fn cells_for(&self, n: usize) -> usize {
        let cells = if self.cells == 0 {
            (4.0 * (n as f64).sqrt()).round() as usize
        } else {
            self.cells
        };
        cells.clamp(1, n.clamp(1, MAX_CELLS))
    }
}

/// The pairs `i < j` with `dot > threshold` that the partitioned search finds, sorted by
/// `(a, b)` and free of duplicates, on the current rayon pool.
pub(crate) fn ivf_pairs(
    vectors: &[f32],
    dim: usize,
    threshold: f32,
    params: &IvfParams,
) -> (Vec<Candidate>, IvfStats) {
    let n = vectors.len() / dim;
    let cells = params.cells_for(n);
    let probes = params.probes.clamp(1, cells);
    let mut stats = IvfStats {
        cells,
        probes,
        ..IvfStats::default()
    };
    if n < 2 {
        return (Vec::new(), stats);
    }

    let started = Instant::now();
    // 8-bit codes of every row, for ranking cells and filtering pairs (a quarter of the
    // vectors' memory); every reported similarity is still computed in f32.
    let coded = CodedRows::new(vectors, dim);
    let centroids = train(vectors, dim, &coded, cells, params.train_iterations);
    stats.train_time = started.elapsed();

    let started = Instant::now();
    let all: Vec<u32> = (0..n as u32).collect();
    let nearest = nearest_cells(
        vectors,
        &coded,
        &all,
        &Centroids::new(&centroids, dim),
        probes,
    );
    let home: Vec<u32> = nearest.chunks_exact(probes).map(|p| p[0]).collect();
    let members = group(&home, cells, 1);
    let queries = group(&nearest, cells, probes);
    drop(nearest);
    stats.largest_cell = members.sizes().max().unwrap_or(0);
    stats.assign_time = started.elapsed();

    let started = Instant::now();
    // (cell, range of its probing rows), most work first, so the long tasks start early.
    let mut tasks: Vec<(usize, std::ops::Range<usize>)> = (0..cells)
        .filter(|&c| !members.of(c).is_empty())
        .flat_map(|c| {
            let q = queries.of(c).len();
            (0..q)
                .step_by(JOIN_CHUNK)
                .map(move |s| (c, s..(s + JOIN_CHUNK).min(q)))
        })
        .collect();
    tasks.sort_by_key(|(c, r)| Reverse(r.len() * members.of(*c).len()));
    stats.dot_products = tasks
        .iter()
        .map(|(c, r)| (r.len() * members.of(*c).len()) as u64)
        .sum();
    let found: Vec<_> = tasks
        .par_iter()
        .map(|(c, range)| {
            join_cell(
                vectors,
                dim,
                &coded,
                &queries.of(*c)[range.clone()],
                members.of(*c),
                threshold,
            )
        })
        .collect();
    stats.exact_scored = found.iter().map(|f| f.exact_scored).sum();
    let mut pairs: Vec<Candidate> = found.into_iter().flat_map(|f| f.pairs).collect();
    pairs.par_sort_unstable_by_key(|c| (c.a, c.b));
    pairs.dedup_by_key(|c| (c.a, c.b));
    stats.join_time = started.elapsed();
    (pairs, stats)
}

/// Unit centroids from `iterations` rounds of spherical k-means on a seeded sample of
/// `SAMPLE_PER_CELL * cells` rows (all rows when fewer), started from the sample's first rows.
/// A cell that loses all its rows keeps its previous centroid.
fn train(
    vectors: &[f32],
    dim: usize,
    coded: &CodedRows,
    cells: usize,
    iterations: usize,
) -> Vec<f32> {
    let n = vectors.len() / dim;
    let sample = seeded_sample(n, (cells * SAMPLE_PER_CELL).min(n));
    let row = |r: u32| &vectors[r as usize * dim..(r as usize + 1) * dim];
    let mut centroids: Vec<f32> = sample[..cells]
        .iter()
        .flat_map(|&r| row(r))
        .copied()
        .collect();
    for _ in 0..iterations {
        let nearest = nearest_cells(vectors, coded, &sample, &Centroids::new(&centroids, dim), 1);
        let by_cell = group(&nearest, cells, 1);
        centroids
            .par_chunks_mut(dim)
            .enumerate()
            .for_each(|(c, centroid)| {
                let rows = by_cell.of(c);
                if rows.is_empty() {
                    return;
                }
                // Sums in f64, in sample order: the same centroid on every run and pool size.
                let mut sum = vec![0.0f64; dim];
                for &i in rows {
                    for (s, &x) in sum.iter_mut().zip(row(sample[i as usize])) {
                        *s += f64::from(x);
                    }
                }
                let norm = sum.iter().map(|s| s * s).sum::<f64>().sqrt();
                if norm > 0.0 {
                    for (x, s) in centroid.iter_mut().zip(&sum) {
                        *x = (s / norm) as f32;
                    }
                }
            });
    }
    centroids
}

/// `count` distinct rows of `0..n` in a seeded random order (a partial Fisher-Yates shuffle).
fn seeded_sample(n: usize, count: usize) -> Vec<u32> {
    let mut rng = SplitMix64::new(SAMPLE_SEED);
    let mut rows: Vec<u32> = (0..n as u32).collect();
    for i in 0..count {
        let j = i + rng.below((n - i) as u64) as usize;
        rows.swap(i, j);
    }
    rows.truncate(count);
    rows
}

/// Rows grouped by cell (compressed sparse rows): `of(c)` lists, in ascending order, the row
/// numbers whose entry in `assigned` (`per_row` cells per row) is `c`.
struct Groups {
    starts: Vec<usize>,
    rows: Vec<u32>,
}

impl Groups {
    fn of(&self, cell: usize) -> &[u32] {
        &self.rows[self.starts[cell]..self.starts[cell + 1]]
    }

    fn sizes(&self) -> impl Iterator<Item = usize> + '_ {
        self.starts.windows(2).map(|w| w[1] - w[0])
    }
}

fn group(assigned: &[u32], cells: usize, per_row: usize) -> Groups {
    let mut starts = vec![0usize; cells + 1];
    for &c in assigned {
        starts[c as usize + 1] += 1;
    }
    for c in 0..cells {
        starts[c + 1] += starts[c];
    }
    let mut next = starts.clone();
    let mut rows = vec![0u32; assigned.len()];
    for (i, &c) in assigned.iter().enumerate() {
        rows[next[c as usize]] = (i / per_row) as u32;
        next[c as usize] += 1;
    }
    Groups { starts, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::exact::exact_pairs;
    use crate::synth::{clustered_unit_vectors, ClusteredSpec};

    #[test]
    fn all_probes_is_exact_and_scores_are_bit_identical() {
        let spec = ClusteredSpec::new(3_000, 48, 9);
        let v = clustered_unit_vectors(&spec);
        let mut exact = exact_pairs(&v, 48, 0..3_000, 0.9);
        exact.sort_by_key(|c| (c.a, c.b));
        let params = IvfParams {
            cells: 20,
            probes: 20,
            train_iterations: 2,
        };
        let (found, stats) = ivf_pairs(&v, 48, 0.9, &params);
        assert!(exact.len() > 500, "{} pairs", exact.len());
        assert_eq!(found.len(), exact.len());
        for (f, e) in found.iter().zip(&exact) {
            assert_eq!(
                (f.a, f.b, f.target_sim.to_bits()),
                (e.a, e.b, e.target_sim.to_bits())
            );
        }
        assert_eq!(stats.dot_products, 3_000 * 3_000);
    }
}
