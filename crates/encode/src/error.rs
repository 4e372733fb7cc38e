//! The encode crate's error type: every variant names what failed and where.

use std::path::PathBuf;

/// Result alias for this crate.
pub type Result<T, E = EncodeError> = std::result::Result<T, E>;

/// What can go wrong while finding, importing, loading or running an encoder.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A file or directory could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("reading", "writing", …).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A model directory or one of its files is missing.
    #[error("{what} not found at {path}{hint}")]
    Missing {
        /// What is missing ("model directory", "tokenizer.json", …).
        what: String,
        /// Where it was looked for.
        path: PathBuf,
        /// Extra advice, starting with a separator such as ". " (may be empty).
        hint: String,
    },
    /// A model name that no directory under the models directory carries.
    #[error("unknown model '{name}': no directory {dir}/{name} (models found: {available})")]
    UnknownModel {
        /// The name asked for.
        name: String,
        /// The models directory searched.
        dir: PathBuf,
        /// Comma-separated names that exist, or "none".
        available: String,
    },
    /// A file exists but its content is wrong (bad JSON, bad safetensors, bad manifest).
    #[error("invalid {what} {path}: {reason}")]
    Invalid {
        /// What kind of file.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why it is invalid.
        reason: String,
    },
    /// A checkpoint whose architecture the importer does not know.
    #[error("unsupported architecture '{architecture}' in {path}: lookalike imports BERT (BertModel), MPNet (MPNetModel) and CLIP text towers (CLIPTextModel, CLIPTextModelWithProjection, CLIPModel)")]
    UnsupportedArchitecture {
        /// The `architectures`/`model_type` value found.
        architecture: String,
        /// The config.json read.
        path: PathBuf,
    },
    /// The ONNX Runtime shared library could not be found or loaded.
    #[error("ONNX Runtime is not available: {reason}. Install it with `python3 -m pip install onnxruntime=={wheel}` (or run `lookalike setup`), or point ORT_DYLIB_PATH at libonnxruntime.so.{wheel}")]
    Runtime {
        /// Why loading failed.
        reason: String,
        /// The wheel version this build needs.
        wheel: &'static str,
    },
    /// ONNX Runtime rejected the model or failed while running it.
    #[error("ONNX Runtime failed on {path}: {message}")]
    Onnx {
        /// The model file.
        path: PathBuf,
        /// ONNX Runtime's message.
        message: String,
    },
    /// The tokenizer failed.
    #[error("tokenizer {path}: {message}")]
    Tokenizer {
        /// The tokenizer file.
        path: PathBuf,
        /// The tokenizer's message.
        message: String,
    },
    /// The graph's output does not have the shape the manifest promises.
    #[error("model {model}: {reason}")]
    Shape {
        /// The model name or path.
        model: String,
        /// What did not fit.
        reason: String,
    },
}

impl EncodeError {
    /// An [`EncodeError::Io`] for `path`.
    pub fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| EncodeError::Io {
            action,
            path,
            source,
        }
    }

    /// An [`EncodeError::Invalid`] for `path`.
    pub fn invalid(what: &'static str, path: impl Into<PathBuf>, reason: impl ToString) -> Self {
        EncodeError::Invalid {
            what,
            path: path.into(),
            reason: reason.to_string(),
        }
    }
}
