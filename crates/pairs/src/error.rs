//! The crate's one error type.

/// Everything that can go wrong in `lookalike-pairs`.
///
/// Each message names the input that was wrong and where (which function family, which row,
/// which field), so a caller can surface it unchanged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PairsError {
    /// The embedding dimension was zero.
    #[error("vectors: dimension must be at least 1, got 0")]
    ZeroDimension,

    /// The flat vector buffer does not hold a whole number of rows.
    #[error("vectors: buffer length {len} is not a multiple of the dimension {dim}")]
    RaggedVectors {
        /// Length of the flat buffer.
        len: usize,
        /// Declared dimension.
        dim: usize,
    },

    /// More rows than a `u32` id can address.
    #[error("vectors: {rows} rows exceed the u32 id range of candidate pairs")]
    TooManyVectors {
        /// Number of rows given.
        rows: usize,
    },

    /// A row is not L2-normalised (or holds NaN / infinity).
    #[error(
        "vectors: row {row} has L2 norm {norm}, expected an L2-normalised vector \
         (|norm - 1| <= {tolerance})"
    )]
    NotNormalized {
        /// Row index.
        row: usize,
        /// Its L2 norm.
        norm: f32,
        /// The accepted deviation from 1.
        tolerance: f32,
    },

    /// A numeric parameter is outside its allowed range (or NaN).
    #[error("{what} = {value} is out of range: expected a value in [{min}, {max}]")]
    OutOfRange {
        /// Which parameter, e.g. `PairRule.gap` or `search threshold`.
        what: &'static str,
        /// The value given.
        value: f64,
        /// Inclusive lower bound.
        min: f64,
        /// Inclusive upper bound.
        max: f64,
    },

    /// A count parameter that must be positive was zero.
    #[error("{what} must be at least 1, got 0")]
    ZeroCount {
        /// Which parameter, e.g. `SearchOptions.initial_k`.
        what: &'static str,
    },

    /// An excluded phrase is empty or only whitespace, which would exclude every text.
    #[error("PairRule.excluded_phrases[{index}] is empty; it would exclude every text")]
    EmptyExcludedPhrase {
        /// Position in the list.
        index: usize,
    },

    /// A sample needs at least two vectors to form a pair.
    #[error("{what}: need at least 2 vectors to form a pair, got {rows}")]
    TooFewVectors {
        /// The operation that needed the pairs.
        what: &'static str,
        /// Number of rows given.
        rows: usize,
    },

    /// A candidate pair refers to a text that was not supplied.
    #[error("dedup: pair ({a}, {b}) refers to text id {id}, but only {len} texts were given")]
    TextIdOutOfRange {
        /// First id of the pair.
        a: u32,
        /// Second id of the pair.
        b: u32,
        /// The id that is out of range.
        id: u32,
        /// Number of texts supplied.
        len: usize,
    },

    /// The rayon thread pool for the requested thread count could not be built.
    #[error("search: could not build a pool of {threads} threads: {source}")]
    ThreadPool {
        /// Requested thread count.
        threads: usize,
        /// Rayon's error.
        #[source]
        source: rayon::ThreadPoolBuildError,
    },

    /// usearch reported an error.
    #[error("hnsw: usearch failed while {stage}: {message}")]
    Usearch {
        /// What the index was doing, e.g. `adding row 17`.
        stage: String,
        /// usearch's message.
        message: String,
    },
}
