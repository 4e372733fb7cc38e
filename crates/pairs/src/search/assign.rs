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

use super::dot;
use super::quant::{int_dots, CodedRows, Packed};

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
    let dim = centroids.dim;
    let cells = centroids.cells();
    let k = k.min(cells);
    let keep = candidates_for(k).min(cells);
    let mut out = vec![0u32; rows.len() * k];
    out.par_chunks_mut(ASSIGN_BLOCK * k)
        .zip(rows.par_chunks(ASSIGN_BLOCK))
        .for_each(|(dst, block)| {
            let padded = centroids.packed.padded();
            let mut ints = vec![0i32; SUB_BLOCK * padded];
            let mut best = Best::new(keep);
            let mut exact: Vec<(f32, u32)> = Vec::with_capacity(keep);
            for (sub, dst) in block.chunks(SUB_BLOCK).zip(dst.chunks_mut(SUB_BLOCK * k)) {
                let ints = &mut ints[..sub.len() * padded];
                int_dots(coded, sub, &centroids.packed, ints);
                for ((&r, scores), cells_of_r) in sub
                    .iter()
                    .zip(ints.chunks_exact(padded))
                    .zip(dst.chunks_exact_mut(k))
                {
                    best.clear();
                    rank(&scores[..cells], centroids.packed.steps(), &mut best);
                    let row = &vectors[r as usize * dim..(r as usize + 1) * dim];
                    exact.clear();
                    exact.extend(best.cells().map(|c| (dot(row, centroids.exact(c)), c)));
                    exact.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
                    for (slot, &(_, c)) in cells_of_r.iter_mut().zip(&exact) {
                        *slot = c;
                    }
                }
            }
        });
    out
}

/// Offers every cell to `best`, scored `ints[c] * steps[c]` (the row's own step is a common
/// positive factor, left out). Whole chunks below the current worst are skipped after one
/// comparison of their maximum, which is most of them once `best` is full.
fn rank(ints: &[i32], steps: &[f32], best: &mut Best) {
    let mut c = 0;
    for (ints, steps) in ints.chunks(CHUNK).zip(steps.chunks(CHUNK)) {
        let mut scores = [f32::NEG_INFINITY; CHUNK];
        for ((s, &i), &step) in scores.iter_mut().zip(ints).zip(steps) {
            *s = i as f32 * step;
        }
        let max = scores.iter().fold(f32::NEG_INFINITY, |m, &s| m.max(s));
        if best.admits(max) {
            for (l, &s) in scores.iter().enumerate().take(ints.len()) {
                best.offer(s, (c + l) as u32);
            }
        }
        c += ints.len();
    }
}

/// The best `cap` (score, cell) offered so far, best first; ties keep the earlier offer. Cells
/// are offered in increasing order, so an earlier offer is the lower cell. Insertion into a
/// small sorted array: after the first few hundred cells nearly every offer is rejected by one
/// comparison, so no heap or sort is needed.
struct Best {
    cap: usize,
    items: Vec<(f32, u32)>,
}

impl Best {
    fn new(cap: usize) -> Self {
        Self {
            cap,
            items: Vec::with_capacity(cap + 1),
        }
    }

    fn clear(&mut self) {
        self.items.clear();
    }

    /// Whether a score could enter.
    fn admits(&self, score: f32) -> bool {
        self.items.len() < self.cap || self.items.last().is_some_and(|w| score > w.0)
    }

    fn offer(&mut self, score: f32, cell: u32) {
        if !self.admits(score) {
            return;
        }
        let at = self.items.partition_point(|x| x.0 >= score);
        self.items.insert(at, (score, cell));
        self.items.truncate(self.cap);
    }

    fn cells(&self) -> impl Iterator<Item = u32> + '_ {
        self.items.iter().map(|x| x.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::quant::{has_vnni, int_dots_portable};
    use crate::synth::{clustered_unit_vectors, ClusteredSpec};

    #[test]
    fn best_keeps_the_highest_with_ties_to_the_earlier_cell() {
        let mut best = Best::new(3);
        for (c, s) in [0.1, 0.5, 0.3, 0.5, -1.0, 0.3].into_iter().enumerate() {
            best.offer(s, c as u32);
        }
        assert_eq!(best.cells().collect::<Vec<_>>(), [1, 3, 2]);
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
            let mut best = Best::new(candidates_for(k).min(cells));
            rank(&ints[..cells], centroids.packed.steps(), &mut best);
            let row = &vectors[r as usize * centroids.dim..(r as usize + 1) * centroids.dim];
            let mut exact: Vec<(f32, u32)> = best
                .cells()
                .map(|c| (dot(row, centroids.exact(c)), c))
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
