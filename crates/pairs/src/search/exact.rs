//! Exact all-pairs search: blocked, register-tiled dot products, rayon over row blocks.
//!
//! Rows are split into blocks of [`ROW_BLOCK`] (one rayon task each). A task pairs its rows with
//! every later row, walking the later rows in tiles that fit in L2 and, inside a tile, scoring
//! `MR x NR` rows at a time with [`dot_block`], so each loaded chunk is reused from registers
//! and the task's `MR` current rows stay in L1. Per pair the arithmetic is exactly
//! [`super::dot`]'s, so results are exact with respect to the crate's similarity.

use rayon::prelude::*;

use super::kernel::{dot_block, dot_portable};
use super::Candidate;

/// Rows of the left operand scored together.
const MR: usize = 4;
/// Rows of the right operand scored together.
const NR: usize = 2;
/// Rows per rayon task.
const ROW_BLOCK: usize = 64;
/// Bytes of right-operand rows per tile (about a quarter of a 1 MiB L2).
const TILE_BYTES: usize = 256 * 1024;

/// Every pair `(i, j)` with `i` in `rows`, `i < j < n` and `dot > threshold`, unsorted, where
/// `n = vectors.len() / dim`. Runs on the current rayon pool.
pub(crate) fn exact_pairs(
    vectors: &[f32],
    dim: usize,
    rows: std::ops::Range<usize>,
    threshold: f32,
) -> Vec<Candidate> {
    let n = vectors.len() / dim;
    let blocks = rows.len().div_ceil(ROW_BLOCK);
    let per_block: Vec<Vec<Candidate>> = (0..blocks)
        .into_par_iter()
        .map(|block| {
            let start = rows.start + block * ROW_BLOCK;
            let end = (start + ROW_BLOCK).min(rows.end);
            let mut out = Vec::new();
            pairs_of_rows(vectors, dim, start..end, start + 1..n, threshold, &mut out);
            out
        })
        .collect();
    per_block.concat()
}

/// Pairs `(i, j)` with `i` in `rows`, `j` in `others` and `i < j`, pushed onto `out`.
fn pairs_of_rows(
    vectors: &[f32],
    dim: usize,
    rows: std::ops::Range<usize>,
    others: std::ops::Range<usize>,
    threshold: f32,
    out: &mut Vec<Candidate>,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU supports AVX, checked just above.
        unsafe { pairs_of_rows_avx(vectors, dim, rows, others, threshold, out) };
        return;
    }
    pairs_of_rows_portable(vectors, dim, rows, others, threshold, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn pairs_of_rows_avx(
    vectors: &[f32],
    dim: usize,
    rows: std::ops::Range<usize>,
    others: std::ops::Range<usize>,
    threshold: f32,
    out: &mut Vec<Candidate>,
) {
    pairs_of_rows_portable(vectors, dim, rows, others, threshold, out);
}

#[inline(always)]
fn pairs_of_rows_portable(
    vectors: &[f32],
    dim: usize,
    rows: std::ops::Range<usize>,
    others: std::ops::Range<usize>,
    threshold: f32,
    out: &mut Vec<Candidate>,
) {
    let row = |r: usize| &vectors[r * dim..(r + 1) * dim];
    let mut keep = |i: usize, j: usize, sim: f32| {
        if sim > threshold {
            out.push(Candidate {
                a: i as u32,
                b: j as u32,
                target_sim: sim,
            });
        }
    };
    let tile = ((TILE_BYTES / (dim * 4)).max(4 * NR) / NR) * NR;
    let mut tile_start = others.start.max(rows.start + 1);
    while tile_start < others.end {
        let tile_end = (tile_start + tile).min(others.end);
        let mut i = rows.start;
        while i < rows.end {
            let i_end = (i + MR).min(rows.end);
            let mut j = tile_start.max(i + 1);
            if i_end - i == MR {
                while j + NR <= tile_end {
                    let sims = dot_block::<MR, NR>(
                        std::array::from_fn(|a| row(i + a)),
                        std::array::from_fn(|b| row(j + b)),
                    );
                    for (a, sims_a) in sims.iter().enumerate() {
                        for (b, &sim) in sims_a.iter().enumerate() {
                            if j + b > i + a {
                                keep(i + a, j + b, sim);
                            }
                        }
                    }
                    j += NR;
                }
            }
            for a in i..i_end {
                for b in j.max(a + 1)..tile_end {
                    keep(a, b, dot_portable(row(a), row(b)));
                }
            }
            i = i_end;
        }
        tile_start = tile_end;
    }
}
