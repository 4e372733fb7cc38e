//! Exact all-pairs search: blocked, register-tiled dot products, rayon over row blocks.
//!
//! Rows are split into blocks of [`ROW_BLOCK`] (one rayon task each). A task pairs its rows with
//! every later row through the kernel's tiled product
//! ([`super::kernel::for_each_product_portable`]). Per pair the
//! arithmetic is exactly [`super::dot`]'s, so results are exact with respect to the crate's
//! similarity.

use rayon::prelude::*;

use super::kernel::for_each_product_portable;
use super::Candidate;

/// Rows per rayon task.
const ROW_BLOCK: usize = 64;

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
///
/// The product runs over the rectangle `rows x others` and drops `j <= i` afterwards: for a
/// block of [`ROW_BLOCK`] rows against every later row that is at most `ROW_BLOCK² / 2` wasted
/// products beside `ROW_BLOCK * (n - i)` useful ones.
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

/// The closures of [`pairs_of_rows_portable`] must be compiled with AVX too: defined outside
/// this function, they made the exact search 35 % slower (measured at 100k rows).
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
    let others = others.start.max(rows.start + 1)..others.end.max(rows.start + 1);
    for_each_product_portable(
        dim,
        rows.len(),
        |i| row(rows.start + i),
        others.len(),
        |j| row(others.start + j),
        |i, j, sim| {
            let (a, b) = (rows.start + i, others.start + j);
            if b > a && sim > threshold {
                out.push(Candidate {
                    a: a as u32,
                    b: b as u32,
                    target_sim: sim,
                });
            }
        },
    );
}
