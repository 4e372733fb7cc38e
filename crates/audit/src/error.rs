//! The audit's errors: what went wrong and where, for the CLI to print once.

use std::path::PathBuf;

/// An audit's error.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The configuration cannot run; found before any stage.
    #[error("{0}")]
    Config(String),
    /// The corpus cannot be read or has no text column.
    #[error("{0}")]
    Corpus(String),
    /// A stage's SQL failed.
    #[error("in {script} (target {target}): {source}")]
    Stage {
        /// The script, with where it came from.
        script: String,
        /// The target being audited.
        target: String,
        /// The error.
        #[source]
        source: datafusion::error::DataFusionError,
    },
    /// Other SQL the audit runs itself failed.
    #[error(transparent)]
    Sql(#[from] datafusion::error::DataFusionError),
    /// An output table has a column of an unexpected type.
    #[error("reading an output table: {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    /// A file could not be read or written.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

/// The audit's result type.
pub type Result<T, E = AuditError> = std::result::Result<T, E>;

impl AuditError {
    /// An I/O error while `what` on `path`.
    pub fn io(what: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| AuditError::Io { what, path, source }
    }
}
