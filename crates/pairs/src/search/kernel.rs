//! The one similarity kernel: an 8-lane dot product with a fixed summation order.
//!
//! Every path of the crate scores a pair with this arithmetic, so the exact search, the HNSW
//! rescoring and a naive reference agree bit for bit, and a threshold decision never depends on
//! which path found a pair. Lane `l` accumulates the products of dimensions `l, l + 8, l + 16,
//! ...` in order (separate multiply and add, never fused), then the lanes are reduced pairwise.
//! That is the shape of one 256-bit register, so the compiler vectorises the lane loop without
//! reordering anything; AVX and the portable fallback give identical bits.

/// Accumulator lanes (one AVX register of f32).
pub(crate) const LANES: usize = 8;

/// The dot product of two equal-length rows: for L2-normalised rows, their cosine similarity.
///
/// This is the crate's definition of a pair's similarity: every search path scores candidates
/// with exactly this function, so results agree bit for bit with a naive loop over it.
///
/// # Panics
/// If the slices have different lengths.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "dot: rows of different lengths");
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU supports AVX, checked just above.
        return unsafe { dot_avx(a, b) };
    }
    dot_portable(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn dot_avx(a: &[f32], b: &[f32]) -> f32 {
    dot_portable(a, b)
}

/// `dot` without dispatch; inlined into feature-enabled callers.
#[inline(always)]
pub(crate) fn dot_portable(a: &[f32], b: &[f32]) -> f32 {
    let (a_chunks, a_tail) = a.as_chunks::<LANES>();
    let (b_chunks, b_tail) = b.as_chunks::<LANES>();
    let mut acc = [0.0f32; LANES];
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    for (l, (x, y)) in a_tail.iter().zip(b_tail).enumerate() {
        acc[l] += x * y;
    }
    reduce(&acc)
}

/// The fixed pairwise reduction of the lanes: `((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7))`,
/// written as half-width vector adds so it compiles to three shuffles and three adds.
#[inline(always)]
fn reduce(acc: &[f32; LANES]) -> f32 {
    let mut half = [0.0f32; 4];
    for l in 0..4 {
        half[l] = acc[l] + acc[l + 4];
    }
    let quarter = [half[0] + half[2], half[1] + half[3]];
    quarter[0] + quarter[1]
}

/// Eight f32 lanes; element-wise code on it compiles to one AVX instruction per operation.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct F8([f32; LANES]);

impl F8 {
    #[inline(always)]
    fn load(chunk: &[f32; LANES]) -> Self {
        F8(*chunk)
    }

    /// `self += a * b`, lane by lane, multiply then add (never fused).
    #[inline(always)]
    fn add_product(&mut self, a: &F8, b: &F8) {
        for l in 0..LANES {
            self.0[l] += a.0[l] * b.0[l];
        }
    }
}

/// Dot products of `MR` rows against `NR` rows at once (register blocking): each loaded chunk
/// is used `NR` or `MR` times. Per pair the arithmetic is exactly [`dot`]'s.
#[inline(always)]
pub(crate) fn dot_block<const MR: usize, const NR: usize>(
    a: [&[f32]; MR],
    b: [&[f32]; NR],
) -> [[f32; NR]; MR] {
    let dim = a[0].len();
    let chunks = dim / LANES;
    let a_chunks: [&[[f32; LANES]]; MR] = std::array::from_fn(|i| &a[i].as_chunks().0[..chunks]);
    let b_chunks: [&[[f32; LANES]]; NR] = std::array::from_fn(|j| &b[j].as_chunks().0[..chunks]);
    let mut acc = [[F8([0.0; LANES]); NR]; MR];
    for c in 0..chunks {
        let bv: [F8; NR] = std::array::from_fn(|j| F8::load(&b_chunks[j][c]));
        for i in 0..MR {
            let av = F8::load(&a_chunks[i][c]);
            for j in 0..NR {
                acc[i][j].add_product(&av, &bv[j]);
            }
        }
    }
    for t in chunks * LANES..dim {
        let l = t - chunks * LANES;
        for i in 0..MR {
            for j in 0..NR {
                acc[i][j].0[l] += a[i][t] * b[j][t];
            }
        }
    }
    std::array::from_fn(|i| std::array::from_fn(|j| reduce(&acc[i][j].0)))
}

/// Calls `f(j, dot(row, other(j)))` for every `j < count`, bit-identical to [`dot`], four
/// rows at a time with [`dot_block`]: one [`dot`] is a chain of dependent adds, so scoring a
/// row against a short list one by one waits on add latency, and four chains interleave.
/// No dispatch: callers run it inside an AVX-compiled function (see
/// [`for_each_product_portable`]).
#[inline(always)]
pub(crate) fn dots_portable<'v>(
    row: &'v [f32],
    count: usize,
    other: impl Fn(usize) -> &'v [f32],
    mut f: impl FnMut(usize, f32),
) {
    const BATCH: usize = 4;
    let mut j = 0;
    while j + BATCH <= count {
        let [sims] = dot_block::<1, BATCH>([row], std::array::from_fn(|b| other(j + b)));
        for (b, sim) in sims.into_iter().enumerate() {
            f(j + b, sim);
        }
        j += BATCH;
    }
    for j in j..count {
        f(j, dot_portable(row, other(j)));
    }
}

/// Rows of the left operand scored together by [`for_each_product_portable`].
const MR: usize = 4;
/// Rows of the right operand scored together.
const NR: usize = 2;
/// Bytes of right-operand rows per tile (about a quarter of a 1 MiB L2).
const TILE_BYTES: usize = 256 * 1024;

/// Calls `f(i, j, dot(left(i), right(j)))` for every `i < left_rows` and `j < right_rows`,
/// bit-identical to [`dot`]: the right rows are walked in tiles that fit in L2 and, inside a
/// tile, `MR x NR` rows are scored at a time with [`dot_block`], so each loaded chunk is reused
/// from registers and the `MR` current left rows stay in L1. Rows are reached through `left`
/// and `right`, so a caller scores a contiguous range or a gathered list without copying.
///
/// No dispatch: callers run it inside their own AVX-compiled function and define the row and
/// callback closures there, so those are compiled for AVX as well (defined outside, they made
/// the exact search 35 % slower).
#[inline(always)]
pub(crate) fn for_each_product_portable<'v>(
    dim: usize,
    left_rows: usize,
    left: impl Fn(usize) -> &'v [f32],
    right_rows: usize,
    right: impl Fn(usize) -> &'v [f32],
    mut f: impl FnMut(usize, usize, f32),
) {
    let tile = ((TILE_BYTES / (dim * 4)).max(4 * NR) / NR) * NR;
    for tile_start in (0..right_rows).step_by(tile) {
        let tile_end = (tile_start + tile).min(right_rows);
        let mut i = 0;
        while i < left_rows {
            let i_end = (i + MR).min(left_rows);
            let mut j = tile_start;
            if i_end - i == MR {
                while j + NR <= tile_end {
                    let sims = dot_block::<MR, NR>(
                        std::array::from_fn(|a| left(i + a)),
                        std::array::from_fn(|b| right(j + b)),
                    );
                    for (a, sims_a) in sims.iter().enumerate() {
                        for (b, &sim) in sims_a.iter().enumerate() {
                            f(i + a, j + b, sim);
                        }
                    }
                    j += NR;
                }
            }
            for a in i..i_end {
                for b in j..tile_end {
                    f(a, b, dot_portable(left(a), right(b)));
                }
            }
            i = i_end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{dot, dot_block, dot_portable};
    use crate::rng::SplitMix64;

    fn random_row(rng: &mut SplitMix64, dim: usize) -> Vec<f32> {
        (0..dim).map(|_| rng.normal_pair().0 as f32).collect()
    }

    #[test]
    fn block_kernel_matches_dot_bit_for_bit() {
        let mut rng = SplitMix64::new(11);
        for dim in [1, 7, 8, 9, 31, 64, 100, 384] {
            let a: Vec<Vec<f32>> = (0..4).map(|_| random_row(&mut rng, dim)).collect();
            let b: Vec<Vec<f32>> = (0..2).map(|_| random_row(&mut rng, dim)).collect();
            let block = dot_block::<4, 2>(
                std::array::from_fn(|i| a[i].as_slice()),
                std::array::from_fn(|j| b[j].as_slice()),
            );
            for i in 0..4 {
                for j in 0..2 {
                    assert_eq!(
                        block[i][j].to_bits(),
                        dot(&a[i], &b[j]).to_bits(),
                        "dim {dim}"
                    );
                    assert_eq!(
                        dot_portable(&a[i], &b[j]).to_bits(),
                        dot(&a[i], &b[j]).to_bits()
                    );
                }
            }
        }
    }

    #[test]
    fn dot_is_symmetric_and_close_to_f64() {
        let mut rng = SplitMix64::new(3);
        let a = random_row(&mut rng, 777);
        let b = random_row(&mut rng, 777);
        assert_eq!(dot(&a, &b).to_bits(), dot(&b, &a).to_bits());
        let exact: f64 = a
            .iter()
            .zip(&b)
            .map(|(x, y)| f64::from(*x) * f64::from(*y))
            .sum();
        assert!(
            (f64::from(dot(&a, &b)) - exact).abs() < 1e-3,
            "{} vs {exact}",
            dot(&a, &b)
        );
    }
}
