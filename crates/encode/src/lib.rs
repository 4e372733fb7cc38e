//! Text encoders for lookalike.
//!
//! - [`Models`] finds a model directory by name; [`ModelDir`] resolves its [`Manifest`];
//! - [`Encoder`] runs it under ONNX Runtime: parallel tokenization, length-sorted batches,
//!   pooling and normalisation, one `f32` vector per text;
//! - [`import`] converts Hugging Face safetensors checkpoints (BERT, MPNet, CLIP text) to ONNX;
//! - [`EncoderRegistry`] finds models by name, loads an encoder only when a text needs it (a
//!   [`card`] remembers identity and dimension), and keeps their [`cache`] of vectors (Parquet,
//!   keyed by model identity and text);
//! - [`Device`] picks ONNX Runtime's CPU or CUDA execution provider (CUDA with the `cuda` feature);
//! - [`runtime`] finds the ONNX Runtime library installed from the PyPI wheel.
//!
//! ```no_run
//! use lookalike_encode::{Encoder, Models};
//! let model = Models::new(None).open("minilm")?;
//! let encoder = Encoder::open(model)?;
//! let vectors = encoder.encode(&["a dog chasing a cat", "a cat chasing a dog"])?;
//! assert_eq!(vectors.data.len(), 2 * encoder.dim());
//! # Ok::<(), lookalike_encode::EncodeError>(())
//! ```
#![deny(missing_docs)]

pub mod cache;
pub mod card;
mod device;
mod encoder;
pub mod error;
mod identity;
pub mod import;
pub mod manifest;
mod model;
mod pooling;
mod registry;
pub mod runtime;

pub use device::Device;
pub use encoder::{Embeddings, Encoder, EncoderOptions};
pub use error::{EncodeError, Result};
pub use manifest::{EosRule, Family, Manifest, Pooling};
pub use model::{ModelDir, Models};
pub use registry::{EmbedProgress, EmbedStats, Embedded, EncoderRegistry, Loaded};
