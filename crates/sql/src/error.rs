//! Turning the domain crates' errors into DataFusion errors at the SQL boundary.
//!
//! Who is at fault decides the category: a model name or argument the user got wrong is a plan
//! error; a failure while running keeps its source as an external error.

use datafusion::error::DataFusionError;
use lookalike_encode::EncodeError;

/// Converts a domain error into a [`DataFusionError`] of the right category.
pub trait IntoDataFusion<T> {
    /// For errors found while planning (bad names, missing models): `DataFusionError::Plan`.
    fn plan(self, function: &str) -> Result<T, DataFusionError>;
    /// For errors found while executing: `DataFusionError::External`, source kept.
    fn exec(self, function: &str) -> Result<T, DataFusionError>;
}

impl<T> IntoDataFusion<T> for Result<T, EncodeError> {
    fn plan(self, function: &str) -> Result<T, DataFusionError> {
        self.map_err(|e| DataFusionError::Plan(format!("{function}: {e}")))
    }

    fn exec(self, function: &str) -> Result<T, DataFusionError> {
        self.map_err(|e| DataFusionError::External(Box::new(e)).context(function.to_string()))
    }
}

/// Errors of the SQL crate's own machinery: reading file tables.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SqlError {
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A cache or input file whose content is wrong.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl From<SqlError> for DataFusionError {
    fn from(e: SqlError) -> Self {
        DataFusionError::External(Box::new(e))
    }
}
