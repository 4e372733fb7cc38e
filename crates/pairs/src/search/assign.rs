//! Cell choice: the `k` IVF cells each row probes, for the assignment and for k-means training.
//!
//! Scoring a row against every centroid in f32 was a third of the search (46 of 114 s at 1M x
//! 384). Here every centroid is first ranked by the 8-bit integer dot product
//! ([`super::quant`], 64 byte products per VNNI instruction), and only the best `2k + 8`
//! candidates are scored exactly with [`super::dot`]; the `k` best of those, by exact score with
//! ties to the lower cell, are the row's cells. A cell whose exact rank is within `k` but whose
//! coded rank is below `2k + 8` would be missed; the coding error (about 0.001 of cosine) is
//! far smaller than the gaps that would take. The integer scores are exact and the same on
//! every CPU, so the choice is too, and it never affects a reported similarity: the join
//! scores every pair it reports in f32.

use rayon::prelude::*;

use super::kernel::dots_portable;
use super::quant::{has_vnni, int_dots, CodedRows, Packed};

/// Rows per rayon task.
const ASSIGN_BLOCK: usize = 64;
/// Rows scored against all centroids at once: the integer scores of a sub-block (8 x cells
/// `i32`) stay in L2 while they are ranked.
const SUB_BLOCK: usize = 8;
/// Lanes per pre-check while ranking: one chunk's maximum is compared before its entries.
const CHUNK: usize = 16;

/// Centroids in f32 (for the exact rescoring) and packed as codes (for the ranking).
pub(crate) struct Centroids<'c> {
    dim: usize,
    exact: &'c [f32],
    packed: Packed,
}

impl<'c> Centroids<'c> {
    /// Codes of the `centroids.len() / dim` centroids.
    pub(crate) fn new(centroids: &'c [f32], dim: usize) -> Self {
        let cells = centroids.len() / dim;
        let packed = Packed::from_f32(dim, cells, |c| &centroids[c * dim..(c + 1) * dim]);
        Self {
            dim,
            exact: centroids,
            packed,
        }
    }

    fn cells(&self) -> usize {
        self.packed.rows()
    }

    fn exact(&self, c: u32) -> &[f32] {
        &self.exact[c as usize * self.dim..(c as usize + 1) * self.dim]
    }
}

/// How many candidates the integer ranking keeps for the exact rescoring of `k` cells.
pub(crate) fn candidates_for(k: usize) -> usize {
    2 * k + 8
}

/// For each of `rows`, its `k` nearest cells, best first: `rows.len() * k` values. `coded`
/// holds the codes of every row of `vectors`.
pub(crate) fn nearest_cells(
    vectors: &[f32],
    coded: &CodedRows,
    rows: &[u32],
    centroids: &Centroids,
    k: usize,
) -> Vec<u32> {
    let cells = centroids.cells();
    let k = k.min(cells);
    let keep = candidates_for(k).min(cells);
    let mut out = vec![0u32; rows.len() * k];
    out.par_chunks_mut(ASSIGN_BLOCK * k)
        .zip(rows.par_chunks(ASSIGN_BLOCK))
        .for_each(|(dst, block)| assign_block(vectors, coded, block, centroids, keep, dst));
    out
}

/// [`nearest_cells`] for one block of rows, into `dst` (`k` cells per row).
fn assign_block(
    vectors: &[f32],
    coded: &CodedRows,
    block: &[u32],
    centroids: &Centroids,
    keep: usize,
    dst: &mut [u32],
) {
    #[cfg(target_arch = "x86_64")]
    if has_vnni() {
        // SAFETY: the CPU supports the enabled features, checked just above.
        unsafe { assign_block_avx512(vectors, coded, block, centroids, keep, dst) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU supports AVX, checked just above.
        unsafe { assign_block_avx(vectors, coded, block, centroids, keep, dst) };
        return;
    }
    assign_block_portable(vectors, coded, block, centroids, keep, dst);
}

/// Compiled for AVX-512, so that the ranking's conversions and maxima run 16 lanes wide (they
/// cost as much as the integer kernel when compiled for SSE2).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx,avx2,avx512f,avx512bw,avx512vnni")]
unsafe fn assign_block_avx512(
    vectors: &[f32],
    coded: &CodedRows,
    block: &[u32],
    centroids: &Centroids,
    keep: usize,
    dst: &mut [u32],
) {
    assign_block_portable(vectors, coded, block, centroids, keep, dst);
}

/// Compiled for AVX, for the exact rescoring's f32 kernel.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn assign_block_avx(
    vectors: &[f32],
    coded: &CodedRows,
    block: &[u32],
    centroids: &Centroids,
    keep: usize,
    dst: &mut [u32],
) {
    assign_block_portable(vectors, coded, block, centroids, keep, dst);
}

#[inline(always)]
fn assign_block_portable(
    vectors: &[f32],
    coded: &CodedRows,
    block: &[u32],
    centroids: &Centroids,
    keep: usize,
    dst: &mut [u32],
) {
    let dim = centroids.dim;
    let cells = centroids.cells();
    let k = dst.len() / block.len();
    let padded = centroids.packed.padded();
    let mut ints = vec![0i32; SUB_BLOCK * padded];
    let mut ranking = Ranking::default();
    let mut exact: Vec<(f32, u32)> = Vec::with_capacity(keep);
    for (sub, dst) in block.chunks(SUB_BLOCK).zip(dst.chunks_mut(SUB_BLOCK * k)) {
        let ints = &mut ints[..sub.len() * padded];
        int_dots(coded, sub, &centroids.packed, ints);
        for ((&r, scores), cells_of_r) in sub
            .iter()
            .zip(ints.chunks_exact(padded))
            .zip(dst.chunks_exact_mut(k))
        {
            rank(
                &scores[..cells],
                centroids.packed.steps(),
                keep,
                &mut ranking,
            );
            let row = &vectors[r as usize * dim..(r as usize + 1) * dim];
            exact.clear();
            let candidates = &ranking.best;
            dots_portable(
                row,
                candidates.len(),
                |j| centroids.exact(candidates[j].1),
                |j, sim| exact.push((sim, candidates[j].1)),
            );
            exact.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            for (slot, &(_, c)) in cells_of_r.iter_mut().zip(&exact) {
                *slot = c;
            }
        }
    }
}

/// The larger of two scores. A plain comparison, not `f32::max`: no NaN occurs, and
/// `f32::max`'s NaN handling keeps the compiler from using one vector max instruction.
#[inline(always)]
fn max(a: f32, b: f32) -> f32 {
    if a > b {
        a
    } else {
        b
    }
}

/// The maximum of 16 scores as a tree of halving vector maxima (a left-to-right fold is a
/// chain of 16 dependent scalar instructions).
#[inline(always)]
fn max16(x: &[f32; CHUNK]) -> f32 {
    let h8: [f32; 8] = std::array::from_fn(|l| max(x[l], x[l + 8]));
    let h4: [f32; 4] = std::array::from_fn(|l| max(h8[l], h8[l + 4]));
    max(max(h4[0], h4[2]), max(h4[1], h4[3]))
}

/// Scratch space of [`rank`], reused across rows.
#[derive(Default)]
struct Ranking {
    scores: Vec<f32>,
    maxima: Vec<f32>,
    selected: Vec<f32>,
    /// The result: the best `keep` (score, cell), best first, ties to the lower cell.
    best: Vec<(f32, u32)>,
}

/// The `keep` best cells by `ints[c] * steps[c]` (the row's own step is a common positive
/// factor, left out), into `ranking.best`.
///
/// A sorted insertion or heap over all cells cost as much as the integer kernel (each of a
/// few hundred insertions a branchy search). Instead: if `floor` is the `keep`-th largest of
/// the maxima of 16-cell chunks, at least `keep` cells score `>= floor`, so no cell below it can
/// be among the best; the few at or above it are sorted. Everything else is vector code.
#[inline(always)]
fn rank(ints: &[i32], steps: &[f32], keep: usize, ranking: &mut Ranking) {
    let Ranking {
        scores,
        maxima,
        selected,
        best,
    } = ranking;
    scores.clear();
    scores.extend(ints.iter().zip(steps).map(|(&i, &step)| i as f32 * step));
    maxima.clear();
    maxima.extend(scores.chunks(CHUNK).map(|chunk| match chunk.try_into() {
        Ok(full) => max16(full),
        Err(_) => chunk.iter().fold(f32::NEG_INFINITY, |m, &s| max(m, s)),
    }));
    let floor = if maxima.len() > keep {
        selected.clear();
        selected.extend_from_slice(maxima);
        *selected
            .select_nth_unstable_by(keep - 1, |x, y| y.total_cmp(x))
            .1
    } else {
        f32::NEG_INFINITY
    };
    best.clear();
    for (chunk, (&max, scores)) in maxima.iter().zip(scores.chunks(CHUNK)).enumerate() {
        if max >= floor {
            for (l, &s) in scores.iter().enumerate() {
                if s >= floor {
                    best.push((s, (chunk * CHUNK + l) as u32));
                }
            }
        }
    }
    best.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    best.truncate(keep);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::dot;
    use crate::search::quant::int_dots_portable;
    use crate::synth::{clustered_unit_vectors, ClusteredSpec};

    #[test]
    fn rank_keeps_the_highest_with_ties_to_the_lower_cell() {
        let mut ranking = Ranking::default();
        let ints = [1, 5, 3, 5, -10, 3];
        rank(&ints, &[1.0; 6], 3, &mut ranking);
        let cells = |r: &Ranking| r.best.iter().map(|x| x.1).collect::<Vec<_>>();
        assert_eq!(cells(&ranking), [1, 3, 2]);
        // Across many chunks, against a full sort.
        let mut rng = crate::rng::SplitMix64::new(4);
        let ints: Vec<i32> = (0..1000).map(|_| rng.below(200) as i32 - 100).collect();
        let steps: Vec<f32> = (0..1000).map(|_| 1.0 + rng.below(3) as f32).collect();
        for keep in [1, 5, 40, 70] {
            rank(&ints, &steps, keep, &mut ranking);
            let mut all: Vec<(f32, u32)> = (0..1000)
                .map(|c| (ints[c] as f32 * steps[c], c as u32))
                .collect();
            all.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            assert_eq!(ranking.best, all[..keep], "keep {keep}");
        }
    }

    /// The cells chosen from the portable kernel's integers, the same way as `nearest_cells`.
    fn nearest_portable(
        vectors: &[f32],
        coded: &CodedRows,
        rows: &[u32],
        centroids: &Centroids,
        k: usize,
    ) -> Vec<u32> {
        let cells = centroids.cells();
        let padded = centroids.packed.padded();
        let mut out = Vec::new();
        for &r in rows {
            let mut ints = vec![0; padded];
            int_dots_portable(coded, &[r], &centroids.packed, &mut ints);
            let mut ranking = Ranking::default();
            let keep = candidates_for(k).min(cells);
            rank(&ints[..cells], centroids.packed.steps(), keep, &mut ranking);
            let row = &vectors[r as usize * centroids.dim..(r as usize + 1) * centroids.dim];
            let mut exact: Vec<(f32, u32)> = ranking
                .best
                .iter()
                .map(|&(_, c)| (dot(row, centroids.exact(c)), c))
                .collect();
            exact.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            out.extend(exact.iter().take(k).map(|x| x.1));
        }
        out
    }

    #[test]
    fn vnni_and_portable_choose_the_same_cells_and_mostly_the_exact_nearest() {
        let (n, dim, cells, k) = (3_000, 384, 150, 8);
        let v = clustered_unit_vectors(&ClusteredSpec::new(n, dim, 31));
        let coded = CodedRows::new(&v, dim);
        // Centroids: seeded rows, as training starts.
        let centroid_rows: Vec<f32> = v[..cells * 20 * dim]
            .chunks_exact(dim)
            .step_by(20)
            .flatten()
            .copied()
            .collect();
        let centroids = Centroids::new(&centroid_rows, dim);
        let rows: Vec<u32> = (0..n as u32).collect();
        let fast = nearest_cells(&v, &coded, &rows, &centroids, k);
        let slow = nearest_portable(&v, &coded, &rows, &centroids, k);
        eprintln!("vnni kernel: {}", has_vnni());
        assert_eq!(fast, slow);
        // Against the exact f32 ranking of every cell: the same first cell nearly always.
        let mut same_home = 0;
        for (r, chosen) in fast.chunks_exact(k).enumerate() {
            let row = &v[r * dim..(r + 1) * dim];
            let mut all: Vec<(f32, u32)> = (0..cells as u32)
                .map(|c| (dot(row, centroids.exact(c)), c))
                .collect();
            all.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            same_home += usize::from(all[0].1 == chosen[0]);
        }
        assert!(same_home >= n * 999 / 1000, "{same_home} of {n}");
    }
}
