//! The encoders a session uses, loaded once by name, and their embedding caches.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use lookalike_encode::{Encoder, EncoderOptions, Models};

use crate::cache::{text_hash, ModelCache};
use crate::error::SqlError;

/// What one call to [`EncoderRegistry::embed`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmbedStats {
    /// Texts found in the cache.
    pub cached: usize,
    /// Texts encoded now.
    pub computed: usize,
    /// Of those, texts truncated to the model's context.
    pub truncated: usize,
}

/// Loads encoders by name on first use and keeps them, with their caches, for the session.
#[derive(Debug)]
pub struct EncoderRegistry {
    models: Models,
    cache_root: Option<PathBuf>,
    options: EncoderOptions,
    loaded: Mutex<HashMap<String, Arc<Loaded>>>,
    stats: Mutex<HashMap<String, EmbedStats>>,
}

/// An encoder and its cache.
#[derive(Debug)]
pub struct Loaded {
    /// The encoder.
    pub encoder: Encoder,
    cache: Mutex<Option<ModelCache>>,
}

impl EncoderRegistry {
    /// A registry over a models directory; `cache_root` None disables the on-disk cache.
    pub fn new(models: Models, cache_root: Option<PathBuf>, options: EncoderOptions) -> EncoderRegistry {
        EncoderRegistry { models, cache_root, options, loaded: Mutex::default(), stats: Mutex::default() }
    }

    /// The models directory.
    pub fn models(&self) -> &Models {
        &self.models
    }

    /// The encoder called `name`, loading it on first use.
    pub fn get(&self, name: &str) -> lookalike_encode::Result<Arc<Loaded>> {
        if let Some(loaded) = self.loaded.lock().unwrap().get(name) {
            return Ok(loaded.clone());
        }
        // Load outside the lock: a big model takes seconds, and other models may be wanted meanwhile.
        let encoder = Encoder::load(self.models.open(name)?, self.options.clone())?;
        let loaded = Arc::new(Loaded { encoder, cache: Mutex::new(None) });
        Ok(self.loaded.lock().unwrap().entry(name.to_string()).or_insert(loaded).clone())
    }

    /// Per-model totals of cached, computed and truncated texts since the session began.
    pub fn stats(&self) -> HashMap<String, EmbedStats> {
        self.stats.lock().unwrap().clone()
    }

    /// Embeds texts (`None` stays `None`), reading and filling the cache.
    pub fn embed(&self, name: &str, texts: &[Option<&str>]) -> Result<(Arc<Loaded>, Vec<Option<Vec<f32>>>), EmbedError> {
        let loaded = self.get(name).map_err(EmbedError::Encode)?;
        let dim = loaded.encoder.dim();
        let mut cache_slot = loaded.cache.lock().unwrap();
        if cache_slot.is_none() {
            if let Some(root) = &self.cache_root {
                *cache_slot = Some(ModelCache::open(root, loaded.encoder.identity(), dim).map_err(EmbedError::Cache)?);
            }
        }
        let mut out: Vec<Option<Vec<f32>>> = vec![None; texts.len()];
        let mut missing: Vec<&str> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, text) in texts.iter().enumerate() {
            let Some(text) = text else { continue };
            match cache_slot.as_ref().and_then(|c| c.get(&text_hash(text))) {
                Some(vector) => out[i] = Some(vector.to_vec()),
                None => {
                    if seen.insert(*text) {
                        missing.push(text);
                    }
                }
            }
        }
        let mut stats = EmbedStats { cached: texts.iter().flatten().count(), ..Default::default() };
        if !missing.is_empty() {
            let embeddings = loaded.encoder.encode(&missing).map_err(EmbedError::Encode)?;
            stats.computed = missing.len();
            stats.cached -= texts.iter().flatten().filter(|t| seen.contains(*t)).count();
            stats.truncated = embeddings.truncated;
            let by_text: HashMap<&str, usize> = missing.iter().enumerate().map(|(i, t)| (*t, i)).collect();
            for (i, text) in texts.iter().enumerate() {
                if let Some(&row) = text.and_then(|t| by_text.get(t)) {
                    out[i] = Some(embeddings.row(row).to_vec());
                }
            }
            if let Some(cache) = cache_slot.as_mut() {
                // The vectors are already computed and returned; a cache that cannot be written
                // (full disk, read-only directory) costs a recompute next time, not this result.
                if let Err(e) = cache.insert(&missing, &embeddings.data) {
                    eprintln!("warning: embedding cache not updated: {e}");
                }
            }
        }
        let mut totals = self.stats.lock().unwrap();
        let total = totals.entry(name.to_string()).or_default();
        total.cached += stats.cached;
        total.computed += stats.computed;
        total.truncated += stats.truncated;
        drop(cache_slot);
        Ok((loaded, out))
    }
}

/// Why embedding failed: the model or the cache.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// Loading or running the model.
    #[error(transparent)]
    Encode(lookalike_encode::EncodeError),
    /// Reading the cache.
    #[error(transparent)]
    Cache(SqlError),
}
