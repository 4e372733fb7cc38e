//! The IVF join of one cell: its probing rows scored against the rows it holds, keeping the
//! pairs above the threshold with their exact f32 similarity ([`super::dot`], bit for bit).
//!
//! With AVX-512 VNNI ([`join_cell`] on such a CPU), every pair is first scored with 8-bit codes
//! ([`super::quant`]) and only those that may lie above the threshold are scored in f32. The
//! filter is lossless: the coding error of a pair is bounded from the rows' steps and L1 norms
//! (below), so it drops no pair that the f32 join would keep, and both paths return the same
//! pairs with the same bits. At threshold 0.9 on 384-d rows the bound is about 0.02, so only
//! pairs that are already close are scored twice. Without VNNI the portable integer kernel
//! would be slower than the f32 one, so the join scores every pair in f32.
//!
//! The bound: with `x = step_x q + e`, `|e_i| <= step_x / 2 = h_x` (codes round to nearest)
//! and likewise for `y`, `x.y - step_x step_y (q.p) = sum x_i f_i + y_i e_i - e_i f_i`, so
//! `|x.y - approx| <= h_y |x|_1 + h_x |y|_1 + dim h_x h_y`.

use super::kernel::{dots_portable, for_each_product_portable};
use super::quant::{has_vnni, int_dots, CodedRows, Packed};
use super::Candidate;

/// Probing rows scored against the cell at once by the integer kernel.
const SUB_BLOCK: usize = 8;
/// Lanes per pre-check of the filter: one chunk's maximum is compared before its entries.
const CHUNK: usize = 16;

/// What joining one cell found, and how many pairs it rescored in f32 after the coded filter.
pub(crate) struct CellJoin {
    /// Pairs of distinct rows above the threshold, as `(min, max)`.
    pub(crate) pairs: Vec<Candidate>,
    /// Pairs scored in f32 (all of them without the coded filter).
    pub(crate) exact_scored: u64,
}

/// Scores the probing rows `queries` against the rows `members` of one cell, keeping each pair
/// of distinct rows above `threshold` as `(min, max)` with its exact similarity. `coded` (the
/// codes of every row) feeds the coded filter where the CPU has VNNI.
pub(crate) fn join_cell(
    vectors: &[f32],
    dim: usize,
    coded: &CodedRows,
    queries: &[u32],
    members: &[u32],
    threshold: f32,
) -> CellJoin {
    if has_vnni() {
        return join_coded(vectors, dim, coded, queries, members, threshold);
    }
    let mut pairs = Vec::new();
    join_f32(vectors, dim, queries, members, threshold, &mut pairs);
    CellJoin {
        pairs,
        exact_scored: (queries.len() * members.len()) as u64,
    }
}

/// Absolute slack added to the coding bound for f32 rounding: of the f32 kernel itself (at most
/// about `dim 2^-24` for unit rows) and of computing the approximation and the bound (a few
/// ulps of values below 2). Generous by more than ten times.
fn slack(dim: usize) -> f32 {
    1e-4 + dim as f32 * (1.0 / (1u32 << 21) as f32)
}

/// The coded filter, then f32 scores for the pairs it keeps.
fn join_coded(
    vectors: &[f32],
    dim: usize,
    coded: &CodedRows,
    queries: &[u32],
    members: &[u32],
    threshold: f32,
) -> CellJoin {
    #[cfg(target_arch = "x86_64")]
    if has_vnni() {
        // SAFETY: the CPU supports the enabled features, checked just above.
        return unsafe { join_coded_avx512(vectors, dim, coded, queries, members, threshold) };
    }
    join_coded_portable(vectors, dim, coded, queries, members, threshold)
}

/// Compiled for AVX-512, so that the filter runs 16 lanes wide and the f32 rescoring uses AVX.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx,avx2,avx512f,avx512bw,avx512vnni")]
unsafe fn join_coded_avx512(
    vectors: &[f32],
    dim: usize,
    coded: &CodedRows,
    queries: &[u32],
    members: &[u32],
    threshold: f32,
) -> CellJoin {
    join_coded_portable(vectors, dim, coded, queries, members, threshold)
}

#[inline(always)]
fn join_coded_portable(
    vectors: &[f32],
    dim: usize,
    coded: &CodedRows,
    queries: &[u32],
    members: &[u32],
    threshold: f32,
) -> CellJoin {
    let row = |r: u32| &vectors[r as usize * dim..(r as usize + 1) * dim];
    let packed = Packed::from_coded(coded, members);
    let padded = packed.padded();
    // Per member: step, half step (the largest rounding error) and L1 norm.
    let m_step = packed.steps();
    let m_l1 = packed.l1();
    let m_half: Vec<f32> = m_step.iter().map(|s| s / 2.0).collect();
    let floor = threshold - slack(dim);
    let mut ints = vec![0i32; SUB_BLOCK * padded];
    let mut kept: Vec<u32> = Vec::new();
    let mut out = CellJoin {
        pairs: Vec::new(),
        exact_scored: 0,
    };
    for (s, sub) in queries.chunks(SUB_BLOCK).enumerate() {
        for &next in queries.iter().skip((s + 1) * SUB_BLOCK).take(SUB_BLOCK) {
            coded.prefetch(next);
        }
        let ints = &mut ints[..sub.len() * padded];
        int_dots(coded, sub, &packed, ints);
        for (&q, ints) in sub.iter().zip(ints.chunks_exact(padded)) {
            let q_step = coded.step(q);
            let q_half = q_step / 2.0;
            let q_term = coded.l1(q) + dim as f32 * q_half;
            // approx + bound = ints q_step m_step + q_half m_l1 + m_half (q_l1 + dim q_half)
            kept.clear();
            // Fixed 16-lane chunks (the packed arrays are padded to whole groups, padding
            // rows have step and norm 0), so that this compiles to vector code.
            for (chunk, (((ints, m_step), m_l1), m_half)) in ints
                .chunks_exact(CHUNK)
                .zip(m_step.chunks_exact(CHUNK))
                .zip(m_l1.chunks_exact(CHUNK))
                .zip(m_half.chunks_exact(CHUNK))
                .enumerate()
            {
                let mut upper = [0.0f32; CHUNK];
                let mut any = false;
                for l in 0..CHUNK {
                    upper[l] =
                        ints[l] as f32 * q_step * m_step[l] + q_half * m_l1[l] + m_half[l] * q_term;
                    any |= upper[l] > floor;
                }
                if any {
                    for (l, &u) in upper.iter().enumerate() {
                        let j = chunk * CHUNK + l;
                        if u > floor && j < members.len() && members[j] != q {
                            kept.push(members[j]);
                        }
                    }
                }
            }
            out.exact_scored += kept.len() as u64;
            dots_portable(
                row(q),
                kept.len(),
                |i| row(kept[i]),
                |i, sim| {
                    if sim > threshold {
                        let m = kept[i];
                        out.pairs.push(Candidate {
                            a: q.min(m),
                            b: q.max(m),
                            target_sim: sim,
                        });
                    }
                },
            );
        }
    }
    out
}

/// Every pair scored in f32 with the tiled kernel.
fn join_f32(
    vectors: &[f32],
    dim: usize,
    queries: &[u32],
    members: &[u32],
    threshold: f32,
    out: &mut Vec<Candidate>,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU supports AVX, checked just above.
        unsafe { join_f32_avx(vectors, dim, queries, members, threshold, out) };
        return;
    }
    join_f32_portable(vectors, dim, queries, members, threshold, out);
}

/// Compiles the row and callback closures of [`join_f32_portable`] for AVX as well: closures
/// defined outside made the exact search 35 % slower (bench/RESULTS.md).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn join_f32_avx(
    vectors: &[f32],
    dim: usize,
    queries: &[u32],
    members: &[u32],
    threshold: f32,
    out: &mut Vec<Candidate>,
) {
    join_f32_portable(vectors, dim, queries, members, threshold, out);
}

#[inline(always)]
fn join_f32_portable(
    vectors: &[f32],
    dim: usize,
    queries: &[u32],
    members: &[u32],
    threshold: f32,
    out: &mut Vec<Candidate>,
) {
    let row = |r: u32| &vectors[r as usize * dim..(r as usize + 1) * dim];
    for_each_product_portable(
        dim,
        queries.len(),
        |i| row(queries[i]),
        members.len(),
        |j| row(members[j]),
        |i, j, sim| {
            let (a, b) = (queries[i], members[j]);
            if sim > threshold && a != b {
                out.push(Candidate {
                    a: a.min(b),
                    b: a.max(b),
                    target_sim: sim,
                });
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{clustered_unit_vectors, ClusteredSpec};

    #[test]
    fn coded_filter_keeps_every_pair_of_the_f32_join_with_the_same_bits() {
        let (n, dim) = (2_000, 384);
        let v = clustered_unit_vectors(&ClusteredSpec::new(n, dim, 77));
        let coded = CodedRows::new(&v, dim);
        let queries: Vec<u32> = (0..n as u32).step_by(3).collect();
        let members: Vec<u32> = (0..n as u32).filter(|r| r % 3 != 1).collect();
        for threshold in [0.5, 0.8, 0.9, 0.99] {
            let mut want = Vec::new();
            join_f32(&v, dim, &queries, &members, threshold, &mut want);
            let got = join_coded(&v, dim, &coded, &queries, &members, threshold);
            let key = |c: &Candidate| (c.a, c.b, c.target_sim.to_bits());
            let mut want: Vec<_> = want.iter().map(key).collect();
            let mut found: Vec<_> = got.pairs.iter().map(key).collect();
            want.sort_unstable();
            found.sort_unstable();
            assert!(!want.is_empty(), "no pairs at {threshold}");
            assert_eq!(found, want, "threshold {threshold}");
            // The filter does its job: few pairs are scored twice.
            assert!(
                got.exact_scored < (queries.len() * members.len() / 10) as u64,
                "{} rescored at {threshold}",
                got.exact_scored
            );
        }
    }
}
