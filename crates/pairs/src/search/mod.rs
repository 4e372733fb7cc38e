//! Candidate search: every unordered pair of L2-normalised rows whose cosine is strictly above
//! a threshold, found exactly ([`Method::Exact`]), by a partitioned (IVF) search
//! ([`Method::Ivf`]) or with a usearch HNSW self-join ([`Method::Hnsw`]).
//!
//! Vectors are one flat row-major `&[f32]` of `n * dim` values. Results are
//! [`Candidate`]s with `a < b`, sorted by `target_sim` descending, then `a`, then `b`.

mod assign;
mod closure;
mod exact;
mod hnsw;
mod ivf;
mod join;
mod kernel;
mod quant;
mod quantile;

pub use hnsw::HnswStats;
pub use ivf::{IvfStats, MAX_CELLS};
pub use kernel::dot;
pub use quantile::sample_similarity_quantile;

use crate::PairsError;

/// Row counts up to which [`Method::Auto`] uses the exact search; above, the partitioned search.
///
/// Measured on 2 cores (threshold 0.9, d = 384, bench/RESULTS.md). On an AMD EPYC, before the
/// 8-bit kernels: on 24,794 COCO captions under minilm the exact search takes 3.0 s and IVF
/// 1.1 s with recall 1.0; on 100k synthetic clustered rows exact 44 s, IVF 5.8 s (recall
/// 0.99996). At 1M rows on an Intel Xeon with AVX-512 VNNI, exact about 6,300 s
/// (extrapolated), IVF 21–27 s (recall 0.9988). Up to 50k rows the exact search costs seconds,
/// so it is kept there: it cannot miss a pair.
pub const AUTO_EXACT_MAX_ROWS: usize = 50_000;

/// A pair of rows (`a < b`) whose similarity is above the threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The smaller row number.
    pub a: u32,
    /// The larger row number.
    pub b: u32,
    /// Their similarity under the target encoder ([`dot`] of the two rows).
    pub target_sim: f32,
}

/// Which similarity join finds the candidate pairs: the exact one, which cannot miss a pair,
/// or an approximate one, which may miss a few but scores every pair it reports exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Method {
    /// Exact up to [`AUTO_EXACT_MAX_ROWS`] rows, IVF above.
    #[default]
    Auto,
    /// Blocked all-pairs dot products; exact.
    Exact,
    /// usearch HNSW with an adaptive-k self-join; approximate recall, exact scores.
    Hnsw,
    /// Spherical k-means cells, each row scored against its nearest cells; approximate recall,
    /// exact scores.
    Ivf,
}

/// How the HNSW index stores vectors. Only ranking uses the stored form; every reported
/// similarity is recomputed from the original f32 rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Quantization {
    /// 32-bit floats (usearch's default would be BF16).
    #[default]
    F32,
    /// 16-bit floats: half the memory, slightly noisier ranking.
    F16,
    /// 8-bit integers: a quarter of the memory, noticeably noisier ranking.
    I8,
}

/// usearch HNSW graph parameters for [`Method::Hnsw`]: larger values build and search more
/// slowly and miss fewer pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HnswParams {
    /// Edges per node (usearch `connectivity`, HNSW's `M`).
    pub connectivity: usize,
    /// Beam width while inserting (`efConstruction`).
    pub expansion_add: usize,
    /// Beam width while searching (`ef`); usearch raises it to `k` when `k` is larger.
    pub expansion_search: usize,
    /// After the self-join, every component of the found-pair graph with at most this many
    /// rows is scored exactly (all its pairs), restoring pairs the searches missed and making
    /// the output independent of the build's thread interleaving. Cost: the sum of the squared
    /// component sizes. 0 turns it off.
    pub closure_max_rows: usize,
}

impl Default for HnswParams {
    /// Tuned for recall ≥ 0.995 on clustered 384-d data (see the crate's recall test).
    fn default() -> Self {
        Self {
            connectivity: 16,
            expansion_add: 64,
            expansion_search: 64,
            closure_max_rows: 4096,
        }
    }
}

/// Partitioned (IVF) search parameters, for [`Method::Ivf`] and for [`Method::Auto`] above
/// [`AUTO_EXACT_MAX_ROWS`] rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IvfParams {
    /// Cells (k-means centroids); 0 chooses about `4 sqrt(n)`; at most [`MAX_CELLS`]
    /// ([`IvfParams::cells_for`]).
    pub cells: usize,
    /// Nearest cells each row is scored against; more finds more pairs and costs
    /// proportionally more. Clamped to the cell count, where the search is exact.
    pub probes: usize,
    /// Rounds of spherical k-means on the training sample.
    pub train_iterations: usize,
}

impl Default for IvfParams {
    /// 16 probes: recall 0.9988 on 1M clustered 384-d rows (21–27 s on 2 cores with AVX-512
    /// VNNI), 0.99996 at 100k, 1.0 on COCO captions (8 probes: 0.995 at 1M; 32: 0.9998;
    /// bench/RESULTS.md; the probe sweep ran with the f32 join, whose pairs the current join
    /// reproduces exactly).
    fn default() -> Self {
        Self {
            cells: 0,
            probes: 16,
            train_iterations: 4,
        }
    }
}

/// Options for [`find_pairs`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchOptions {
    /// Exact, IVF, HNSW, or chosen by size.
    pub method: Method,
    /// How the HNSW index stores vectors; trades memory for ranking noise, never changes a
    /// reported similarity. Used only by [`Method::Hnsw`].
    pub quantization: Quantization,
    /// First `k` of the HNSW self-join; rows whose `k`-th neighbour is still above the
    /// threshold search again with `k` doubled.
    pub initial_k: usize,
    /// Worker threads; 0 uses the current rayon pool.
    pub threads: usize,
    /// HNSW graph parameters; used only by [`Method::Hnsw`].
    pub hnsw: HnswParams,
    /// Partitioned-search parameters; used by [`Method::Ivf`], and by [`Method::Auto`] on
    /// large inputs.
    pub ivf: IvfParams,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            method: Method::Auto,
            quantization: Quantization::F32,
            initial_k: 16,
            threads: 0,
            hnsw: HnswParams::default(),
            ivf: IvfParams::default(),
        }
    }
}

/// What a search did, besides its pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchReport {
    /// The method that ran (never [`Method::Auto`]).
    pub method: Method,
    /// Rows searched.
    pub rows: usize,
    /// HNSW self-join counts; `None` for the other methods.
    pub hnsw: Option<HnswStats>,
    /// Partitioned-search counts; `None` for the other methods.
    pub ivf: Option<IvfStats>,
}

/// Every pair `a < b` of rows whose similarity ([`dot`]) is strictly above `threshold`,
/// sorted by similarity descending, then `a`, then `b`.
///
/// Reproducibility: the exact and IVF searches return the same pairs and bits on every run
/// and thread count. HNSW scores are exact too, and with `threads: 1` its output is identical run after
/// run; with more threads the graph depends on how insertions interleave, so a run may miss a
/// different handful of pairs (5 of 84,306 between two runs in the 20k-row recall test).
///
/// # Errors
/// Bad shapes, rows that are not L2-normalised, a threshold outside [-1, 1], `initial_k` 0,
/// a thread pool that cannot be built, or a usearch failure.
pub fn find_pairs(
    vectors: &[f32],
    dim: usize,
    threshold: f32,
    options: &SearchOptions,
) -> Result<Vec<Candidate>, PairsError> {
    find_pairs_with_report(vectors, dim, threshold, options).map(|(pairs, _)| pairs)
}

/// [`find_pairs`], also returning which method ran and its HNSW or IVF counts, for tuning
/// and benchmarks.
///
/// # Errors
/// As [`find_pairs`].
pub fn find_pairs_with_report(
    vectors: &[f32],
    dim: usize,
    threshold: f32,
    options: &SearchOptions,
) -> Result<(Vec<Candidate>, SearchReport), PairsError> {
    let rows = check_vectors(vectors, dim)?;
    check_range("search threshold", threshold, -1.0, 1.0)?;
    if options.initial_k == 0 {
        return Err(PairsError::ZeroCount {
            what: "SearchOptions.initial_k",
        });
    }
    if options.ivf.probes == 0 {
        return Err(PairsError::ZeroCount {
            what: "SearchOptions.ivf.probes",
        });
    }
    let method = match options.method {
        Method::Auto if rows <= AUTO_EXACT_MAX_ROWS => Method::Exact,
        Method::Auto => Method::Ivf,
        chosen => chosen,
    };
    in_pool(options.threads, || {
        let (mut pairs, hnsw, ivf) = match method {
            Method::Hnsw => {
                let (pairs, stats) = hnsw::hnsw_pairs(
                    vectors,
                    dim,
                    threshold,
                    options.quantization,
                    options.initial_k,
                    &options.hnsw,
                )?;
                (pairs, Some(stats), None)
            }
            Method::Ivf => {
                let (pairs, stats) = ivf::ivf_pairs(vectors, dim, threshold, &options.ivf);
                (pairs, None, Some(stats))
            }
            _ => (
                exact::exact_pairs(vectors, dim, 0..rows, threshold),
                None,
                None,
            ),
        };
        sort_candidates(&mut pairs);
        let report = SearchReport {
            method,
            rows,
            hnsw,
            ivf,
        };
        Ok((pairs, report))
    })
}

/// The exact pairs `(i, j)` with `i` in `rows` and `i < j < n`, sorted like [`find_pairs`].
/// Row blocks partition the all-pairs job, e.g. to shard it or time a sample of it.
///
/// # Errors
/// As [`find_pairs`], or a row range past the end ([`PairsError::OutOfRange`]).
pub fn exact_pairs_for_rows(
    vectors: &[f32],
    dim: usize,
    rows: std::ops::Range<usize>,
    threshold: f32,
) -> Result<Vec<Candidate>, PairsError> {
    let n = check_vectors(vectors, dim)?;
    check_range("search threshold", threshold, -1.0, 1.0)?;
    if rows.end > n || rows.start > rows.end {
        return Err(PairsError::OutOfRange {
            what: "exact_pairs_for_rows row range end",
            value: rows.end as f64,
            min: rows.start as f64,
            max: n as f64,
        });
    }
    let mut pairs = exact::exact_pairs(vectors, dim, rows, threshold);
    sort_candidates(&mut pairs);
    Ok(pairs)
}

/// Sorts by `target_sim` descending, then `a`, then `b`: a total order, so the result is
/// the same whatever order the pairs were found in.
pub fn sort_candidates(pairs: &mut [Candidate]) {
    use rayon::slice::ParallelSliceMut;
    pairs.par_sort_unstable_by(|x, y| {
        y.target_sim
            .total_cmp(&x.target_sim)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
}

/// Largest accepted deviation of a row's L2 norm from 1.
pub const NORM_TOLERANCE: f32 = 1e-3;

/// Checks the buffer shape and that each row is L2-normalised; returns the row count.
fn check_vectors(vectors: &[f32], dim: usize) -> Result<usize, PairsError> {
    use rayon::prelude::*;
    if dim == 0 {
        return Err(PairsError::ZeroDimension);
    }
    if !vectors.len().is_multiple_of(dim) {
        return Err(PairsError::RaggedVectors {
            len: vectors.len(),
            dim,
        });
    }
    let rows = vectors.len() / dim;
    if u32::try_from(rows).is_err() {
        return Err(PairsError::TooManyVectors { rows });
    }
    let bad = vectors
        .par_chunks_exact(dim)
        .enumerate()
        .find_first(|(_, row)| {
            let norm = dot(row, row).sqrt();
            let unit = (norm - 1.0).abs() <= NORM_TOLERANCE; // false for NaN
            !unit
        });
    match bad {
        Some((row, values)) => Err(PairsError::NotNormalized {
            row,
            norm: dot(values, values).sqrt(),
            tolerance: NORM_TOLERANCE,
        }),
        None => Ok(rows),
    }
}

/// `value` in `[min, max]` and not NaN, or [`PairsError::OutOfRange`] naming `what`.
pub(crate) fn check_range(
    what: &'static str,
    value: f32,
    min: f32,
    max: f32,
) -> Result<(), PairsError> {
    if (min..=max).contains(&value) {
        return Ok(());
    }
    // Widen through the shortest decimal, so the message shows 0.1 rather than 0.10000000149.
    let widen = |x: f32| x.to_string().parse::<f64>().unwrap_or(f64::from(x));
    Err(PairsError::OutOfRange {
        what,
        value: widen(value),
        min: widen(min),
        max: widen(max),
    })
}

/// Runs `job` on a pool of `threads` workers, or on the current pool when `threads` is 0.
fn in_pool<T: Send>(
    threads: usize,
    job: impl FnOnce() -> Result<T, PairsError> + Send,
) -> Result<T, PairsError> {
    if threads == 0 {
        return job();
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| PairsError::ThreadPool { threads, source })?
        .install(job)
}
