//! The crate's one error type.

use std::path::PathBuf;

/// A lexicon could not be loaded.
///
/// Every variant names the file, and syntax errors name the line, so an edited word list can be
/// fixed from the message alone.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LexiconError {
    /// A lexicon file could not be read.
    #[error("lexicon: cannot read {}: {source}", path.display())]
    Io {
        /// The file that was being read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A line of a lexicon file is malformed.
    #[error("lexicon: {file}:{line}: {message}")]
    Syntax {
        /// The file name, e.g. `spatial.txt`, or its full path when loaded from a directory.
        file: String,
        /// The 1-based line number.
        line: usize,
        /// What is wrong with the line.
        message: String,
    },
}
