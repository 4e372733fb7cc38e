//! What a run needs to know of a model without loading it: its identity and dimension.
//!
//! Loading mpnet costs ~0.5 GB and seconds, and a rerun whose embeddings are all cached needs
//! only the identity (to find the cache) and the dimension (to type the column). Both are fixed
//! by the graph, the tokenizer and the manifest, so after the first load they are remembered in a
//! card under `digests/` of the data home, keyed by the content hashes of those three.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{EncodeError, Result};
use crate::identity;
use crate::model::ModelDir;
use crate::Device;

/// Bumped when what an identity hashes changes, so old cards are not trusted.
const CARD_VERSION: &str = "card-1";

/// A model's identity and dimension, as its last load found them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelCard {
    /// The embedding cache's key (see [`crate::Encoder::identity`]).
    pub identity: String,
    /// Embedding dimension.
    pub dim: usize,
}

/// Where the card of `model` is kept: named by the hashes of everything its identity depends on.
/// A GPU's card is apart from the CPU's, as its identity is (see [`Device::tag`]).
pub fn card_path(model: &ModelDir, device: Device) -> Result<PathBuf> {
    let manifest = serde_json::to_string(&model.manifest).unwrap_or_default();
    let mut parts = vec![
        CARD_VERSION.to_string(),
        identity::file_digest(&model.onnx)?,
        identity::file_digest(&model.tokenizer)?,
        manifest,
    ];
    parts.extend(device.tag().map(String::from));
    let key = identity::combine(&parts.iter().map(String::as_str).collect::<Vec<_>>());
    Ok(lookalike_home::data_home()
        .join("digests")
        .join(format!("card-{key}.json")))
}

/// The remembered card, `None` when there is none or it does not read as one.
pub fn read(model: &ModelDir, device: Device) -> Result<Option<ModelCard>> {
    let path = card_path(model, device)?;
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    Ok(serde_json::from_str::<ModelCard>(&text)
        .ok()
        .filter(|c| c.dim > 0 && c.identity.len() == 32))
}

/// Remembers `card`; a read-only data home only costs a load next time.
pub fn write(model: &ModelDir, device: Device, card: &ModelCard) -> Result<()> {
    let path = card_path(model, device)?;
    let text =
        serde_json::to_string(card).map_err(|e| EncodeError::invalid("model card", &path, e))?;
    identity::remember(&path, &text);
    Ok(())
}
