//! 8-bit codes of rows and an integer dot-product kernel (AVX-512 VNNI, portable fallback),
//! for ranking and filtering only: no reported similarity is ever computed here.
//!
//! Why: the IVF search spends nearly all its time on dot products whose only use is a
//! comparison (which cells are nearest, is a pair possibly above the threshold). One VNNI
//! instruction (`vpdpbusd`) does 64 byte products, against 16 f32 products (and a separate
//! add) for the f32 kernel, and codes are a quarter of the bytes.
//!
//! A row `x` is coded as `q = round(x / step)` with one `step = max|x| / Q` per row, where `Q`
//! is at most 127 and small enough that no integer dot product of two codes overflows an `i32`.
//! The integer dot product is exact, so the VNNI and portable kernels return the same integers
//! and every decision made from them is the same on every CPU.
//!
//! `vpdpbusd` multiplies unsigned by signed bytes, so the left rows are stored as `q + 128`
//! (`u8`) and the kernel subtracts `128 * sum(right code)` afterwards. The right operand is
//! packed 16 rows at a time, interleaved by 4 dimensions, so one 64-byte load feeds 16 output
//! lanes (one per right row) and no horizontal sum is ever needed.

/// Right-operand rows per packed group: one 512-bit register of `i32` outputs.
pub(crate) const GROUP: usize = 16;
/// Left rows scored together by the VNNI kernel (register blocking).
const MR: usize = 4;
/// Right groups scored together by the VNNI kernel: `MR * NG` accumulators.
const NG: usize = 4;

/// Largest code magnitude for rows of `dim` values: 127, or less where `Q² dim` would overflow
/// an `i32` (above 133k dimensions), so the integer dot product is always exact.
fn code_range(dim: usize) -> f32 {
    let safe = ((i32::MAX as f64) / dim as f64).sqrt().floor();
    safe.clamp(1.0, 127.0) as f32
}

/// Codes of one row into `codes` (`dim` values, the rest left as zero), returning its step
/// (the value of one code unit; 0 for an all-zero row).
fn encode(row: &[f32], codes: &mut [i8]) -> f32 {
    let max = row.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    if max == 0.0 || !max.is_finite() {
        codes.fill(0);
        return 0.0;
    }
    let q = code_range(row.len());
    let scale = q / max;
    for (c, &x) in codes.iter_mut().zip(row) {
        // Round half away from zero by hand: `f32::round` is a library call without SSE4.1,
        // and this runs on every value of every row. |x * scale| <= q <= 127 up to rounding;
        // the clamp keeps an overshoot in range.
        let y = x * scale;
        *c = (y + 0.5f32.copysign(y)).clamp(-q, q) as i8;
    }
    max / q
}

/// Every row of a matrix as left-operand codes (`q + 128`, padded to a multiple of 4
/// dimensions with the code of 0), with its step and L1 norm.
pub(crate) struct CodedRows {
    /// `dim` rounded up to a multiple of 4.
    dim4: usize,
    codes: Vec<u8>,
    steps: Vec<f32>,
    l1: Vec<f32>,
}

impl CodedRows {
    /// Codes of all `vectors.len() / dim` rows, on the current rayon pool.
    pub(crate) fn new(vectors: &[f32], dim: usize) -> Self {
        use rayon::prelude::*;
        let n = vectors.len() / dim;
        let dim4 = dim.div_ceil(4) * 4;
        let mut codes = vec![128u8; n * dim4];
        let mut steps = vec![0.0f32; n];
        let mut l1 = vec![0.0f32; n];
        codes
            .par_chunks_mut(dim4 * 256)
            .zip(steps.par_chunks_mut(256))
            .zip(l1.par_chunks_mut(256))
            .enumerate()
            .for_each(|(block, ((codes, steps), l1))| {
                let mut signed = vec![0i8; dim];
                for (r, ((dst, step), norm)) in codes
                    .chunks_exact_mut(dim4)
                    .zip(steps.iter_mut())
                    .zip(l1.iter_mut())
                    .enumerate()
                {
                    let i = block * 256 + r;
                    let row = &vectors[i * dim..(i + 1) * dim];
                    *step = encode(row, &mut signed);
                    *norm = row.iter().map(|x| x.abs()).sum();
                    for (d, &c) in dst.iter_mut().zip(&signed) {
                        *d = (c as u8) ^ 0x80; // q + 128
                    }
                }
            });
        Self {
            dim4,
            codes,
            steps,
            l1,
        }
    }

    /// The step (value of one code unit) of row `r`.
    pub(crate) fn step(&self, r: u32) -> f32 {
        self.steps[r as usize]
    }

    /// The L1 norm of row `r`.
    pub(crate) fn l1(&self, r: u32) -> f32 {
        self.l1[r as usize]
    }

    /// Asks the CPU to fetch row `r`'s codes into cache ahead of use: the join reads the codes
    /// of rows scattered over the whole matrix (the rows probing a cell), and a block of the
    /// kernel otherwise waits on their misses.
    pub(crate) fn prefetch(&self, r: u32) {
        #[cfg(target_arch = "x86_64")]
        for line in self.codes(r).chunks(64) {
            // SAFETY: a prefetch is only a hint; the address is inside `codes`.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    line.as_ptr().cast(),
                )
            };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = r;
    }

    fn codes(&self, r: u32) -> &[u8] {
        &self.codes[r as usize * self.dim4..(r as usize + 1) * self.dim4]
    }
}

/// Right-operand rows coded as `i8` and packed [`GROUP`] at a time, interleaved by 4
/// dimensions: group `g`, dimensions `4k..4k+4` of its 16 rows are 64 consecutive bytes.
/// Missing rows of the last group are all zero.
pub(crate) struct Packed {
    rows: usize,
    dim4: usize,
    data: Vec<i8>,
    /// `128 * sum(codes)` per packed row: what the `u8` offset of the left codes adds.
    offsets: Vec<i32>,
    steps: Vec<f32>,
    l1: Vec<f32>,
}

impl Packed {
    /// Packs `rows` f32 rows of `dim` values, given by `row(i)`.
    pub(crate) fn from_f32<'v>(dim: usize, rows: usize, row: impl Fn(usize) -> &'v [f32]) -> Self {
        let mut packed = Self::empty(dim, rows);
        let mut signed = vec![0i8; dim];
        for i in 0..rows {
            let step = encode(row(i), &mut signed);
            packed.set(i, &signed, step, row(i).iter().map(|x| x.abs()).sum());
        }
        packed
    }

    /// Packs rows already coded in `coded`, given by number.
    pub(crate) fn from_coded(coded: &CodedRows, rows: &[u32]) -> Self {
        let mut packed = Self::empty(coded.dim4, rows.len());
        let mut signed = vec![0i8; coded.dim4];
        for (i, &r) in rows.iter().enumerate() {
            for (s, &c) in signed.iter_mut().zip(coded.codes(r)) {
                *s = (c ^ 0x80) as i8;
            }
            packed.set(i, &signed, coded.step(r), coded.l1(r));
        }
        packed
    }

    fn empty(dim: usize, rows: usize) -> Self {
        let dim4 = dim.div_ceil(4) * 4;
        let padded = rows.div_ceil(GROUP) * GROUP;
        Self {
            rows,
            dim4,
            data: vec![0; padded * dim4],
            offsets: vec![0; padded],
            steps: vec![0.0; padded],
            l1: vec![0.0; padded],
        }
    }

    fn set(&mut self, i: usize, codes: &[i8], step: f32, l1: f32) {
        let (g, lane) = (i / GROUP, i % GROUP);
        let base = g * self.dim4 * GROUP;
        for (d, &c) in codes.iter().enumerate() {
            self.data[base + (d / 4) * 4 * GROUP + lane * 4 + d % 4] = c;
        }
        self.offsets[i] = 128 * codes.iter().map(|&c| i32::from(c)).sum::<i32>();
        self.steps[i] = step;
        self.l1[i] = l1;
    }

    /// Rows packed.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Rows including the zero padding of the last group: the width of a kernel output row.
    pub(crate) fn padded(&self) -> usize {
        self.offsets.len()
    }

    /// Steps of the packed rows (0 in the padding).
    pub(crate) fn steps(&self) -> &[f32] {
        &self.steps
    }

    /// L1 norms of the packed rows (0 in the padding).
    pub(crate) fn l1(&self) -> &[f32] {
        &self.l1
    }
}

/// Whether this CPU runs the VNNI kernel; elsewhere [`int_dots`] runs a portable loop that
/// returns the same integers, more slowly.
pub(crate) fn has_vnni() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vnni")
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// The integer dot products of the coded rows `left` (at most a few, e.g. one block) with every
/// row of `right`: `out[i * right.padded() + j]` for left row `i` and packed row `j`.
pub(crate) fn int_dots(coded: &CodedRows, left: &[u32], right: &Packed, out: &mut [i32]) {
    assert_eq!(coded.dim4, right.dim4, "int_dots: different dimensions");
    assert_eq!(
        out.len(),
        left.len() * right.padded(),
        "int_dots: output size"
    );
    #[cfg(target_arch = "x86_64")]
    if has_vnni() {
        // SAFETY: the CPU supports the enabled features, checked just above.
        unsafe { vnni::int_dots(coded, left, right, out) };
        return;
    }
    int_dots_portable(coded, left, right, out);
}

/// [`int_dots`] without SIMD intrinsics: the same integers. Written over the packed layout,
/// 16 lanes at a time, so that the compiler vectorises it (compiled for AVX2 where there is
/// one): on CPUs without VNNI this is the assignment's kernel.
pub(crate) fn int_dots_portable(coded: &CodedRows, left: &[u32], right: &Packed, out: &mut [i32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { int_dots_avx2(coded, left, right, out) };
        return;
    }
    int_dots_lanes(coded, left, right, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn int_dots_avx2(coded: &CodedRows, left: &[u32], right: &Packed, out: &mut [i32]) {
    int_dots_lanes(coded, left, right, out);
}

#[inline(always)]
fn int_dots_lanes(coded: &CodedRows, left: &[u32], right: &Packed, out: &mut [i32]) {
    let padded = right.padded();
    let group_len = right.dim4 * GROUP;
    for (&r, out) in left.iter().zip(out.chunks_exact_mut(padded)) {
        let codes = coded.codes(r);
        for ((group, out), offsets) in right
            .data
            .chunks_exact(group_len)
            .zip(out.chunks_exact_mut(GROUP))
            .zip(right.offsets.chunks_exact(GROUP))
        {
            let mut acc = [0i32; GROUP];
            for (four, chunk) in codes.chunks_exact(4).zip(group.chunks_exact(4 * GROUP)) {
                for (lane, p) in acc.iter_mut().zip(chunk.chunks_exact(4)) {
                    for b in 0..4 {
                        *lane += i32::from(four[b]) * i32::from(p[b]);
                    }
                }
            }
            for ((o, a), off) in out.iter_mut().zip(acc).zip(offsets) {
                *o = a - off;
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod vnni {
    use std::arch::x86_64::*;

    use super::{CodedRows, Packed, GROUP, MR, NG};

    /// [`super::int_dots`] with `vpdpbusd`: `MR` left rows by `NG` groups at a time.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub(super) unsafe fn int_dots(
        coded: &CodedRows,
        left: &[u32],
        right: &Packed,
        out: &mut [i32],
    ) {
        let groups = right.padded() / GROUP;
        let mut i = 0;
        while i < left.len() {
            let rows = (left.len() - i).min(MR);
            let mut g = 0;
            while g < groups {
                let ng = (groups - g).min(NG);
                match (rows == MR, ng == NG) {
                    (true, true) => block::<MR, NG>(coded, &left[i..], right, g, out, i),
                    (true, false) => block::<MR, 1>(coded, &left[i..], right, g, out, i),
                    (false, true) => block::<1, NG>(coded, &left[i..], right, g, out, i),
                    (false, false) => block::<1, 1>(coded, &left[i..], right, g, out, i),
                }
                g += if ng == NG { NG } else { 1 };
            }
            i += if rows == MR { MR } else { 1 };
        }
    }

    /// Left rows `left[..M]` (output rows `i0..i0 + M`) against groups `g0..g0 + G`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    fn block<const M: usize, const G: usize>(
        coded: &CodedRows,
        left: &[u32],
        right: &Packed,
        g0: usize,
        out: &mut [i32],
        i0: usize,
    ) {
        let dim4 = coded.dim4;
        let padded = right.padded();
        let rows: [&[u8]; M] = std::array::from_fn(|m| coded.codes(left[m]));
        let group_len = dim4 * GROUP;
        let groups: [&[i8]; G] =
            std::array::from_fn(|g| &right.data[(g0 + g) * group_len..(g0 + g + 1) * group_len]);
        let mut acc = [[_mm512_setzero_si512(); G]; M];
        for k in 0..dim4 / 4 {
            // SAFETY: each group slice holds dim4 / 4 chunks of 64 bytes.
            let b: [__m512i; G] = std::array::from_fn(|g| unsafe {
                _mm512_loadu_si512(groups[g].as_ptr().add(k * 64).cast())
            });
            for (row, acc) in rows.iter().zip(acc.iter_mut()) {
                let four = &row[4 * k..4 * k + 4];
                let a = _mm512_set1_epi32(i32::from_le_bytes([four[0], four[1], four[2], four[3]]));
                for (acc, &b) in acc.iter_mut().zip(&b) {
                    *acc = _mm512_dpbusd_epi32(*acc, a, b);
                }
            }
        }
        for (m, acc) in acc.iter().enumerate() {
            for (g, &acc) in acc.iter().enumerate() {
                let col = (g0 + g) * GROUP;
                let dst = &mut out[(i0 + m) * padded + col..(i0 + m) * padded + col + GROUP];
                let offsets = &right.offsets[col..col + GROUP];
                // SAFETY: both slices hold GROUP = 16 i32 values.
                unsafe {
                    let corr = _mm512_loadu_si512(offsets.as_ptr().cast());
                    _mm512_storeu_si512(dst.as_mut_ptr().cast(), _mm512_sub_epi32(acc, corr));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    #[test]
    fn vnni_and_portable_kernels_give_the_same_exact_integers() {
        let mut rng = SplitMix64::new(5);
        for dim in [3, 8, 45, 384] {
            let n = 37;
            let vectors: Vec<f32> = (0..n * dim).map(|_| rng.normal_pair().0 as f32).collect();
            let coded = CodedRows::new(&vectors, dim);
            let right = Packed::from_coded(&coded, &(0..21).collect::<Vec<u32>>());
            let left: Vec<u32> = (10..n as u32).collect();
            let mut fast = vec![0; left.len() * right.padded()];
            let mut slow = fast.clone();
            int_dots(&coded, &left, &right, &mut fast);
            int_dots_portable(&coded, &left, &right, &mut slow);
            assert_eq!(fast, slow, "dim {dim}");
            // The integers are the dot products of the signed codes; padding rows score 0.
            let signed = |r: usize| -> Vec<i32> {
                coded.codes(r as u32)[..dim]
                    .iter()
                    .map(|&c| i32::from((c ^ 0x80) as i8))
                    .collect()
            };
            for (i, &l) in left.iter().enumerate() {
                for j in 0..right.padded() {
                    let want = if j < 21 {
                        signed(l as usize)
                            .iter()
                            .zip(signed(j))
                            .map(|(a, b)| a * b)
                            .sum()
                    } else {
                        0
                    };
                    assert_eq!(slow[i * right.padded() + j], want);
                }
            }
        }
    }

    #[test]
    fn codes_approximate_the_dot_product_within_a_step() {
        let mut rng = SplitMix64::new(9);
        let dim = 384;
        let row = |rng: &mut SplitMix64| -> Vec<f32> {
            let v: Vec<f32> = (0..dim).map(|_| rng.normal_pair().0 as f32).collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter().map(|x| x / norm).collect()
        };
        let (a, b) = (row(&mut rng), row(&mut rng));
        let mut both = a.clone();
        both.extend(&b);
        let coded = CodedRows::new(&both, dim);
        let right = Packed::from_f32(dim, 1, |_| &b);
        let mut out = vec![0; right.padded()];
        int_dots(&coded, &[0], &right, &mut out);
        let approx = out[0] as f32 * coded.step(0) * right.steps()[0];
        let exact = crate::search::dot(&a, &b);
        assert!((approx - exact).abs() < 0.01, "{approx} vs {exact}");
        assert_eq!(right.steps()[0], coded.step(1));
    }
}
