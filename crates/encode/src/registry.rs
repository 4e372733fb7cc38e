//! The encoders a session uses, loaded once by name, and their embedding caches.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use crate::cache::{text_hash, ModelCache};
use crate::card::{self, ModelCard};
use crate::{EncodeError, Encoder, EncoderOptions, ModelDir, Models};

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

/// Texts encoded (and cached) at a time when many are missing.
const CHUNK_TEXTS: usize = 1024;

/// Told `(what is being done, done so far, total)` as long work advances: `embedding with
/// MODEL` in texts, after each chunk, and whatever else reports through
/// [`EncoderRegistry::progress`] (the pair search, the judge).
pub type EmbedProgress = Arc<dyn Fn(&str, usize, usize) + Send + Sync>;

/// Finds models by name, loads each encoder only when a text needs it, and keeps them, with their
/// caches, for the session.
pub struct EncoderRegistry {
    models: Models,
    cache_root: Option<PathBuf>,
    options: EncoderOptions,
    loaded: Mutex<HashMap<String, Arc<Loaded>>>,
    stats: Mutex<HashMap<String, EmbedStats>>,
    progress: Mutex<Option<EmbedProgress>>,
}

impl std::fmt::Debug for EncoderRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncoderRegistry")
            .field("models", &self.models)
            .field("cache_root", &self.cache_root)
            .finish_non_exhaustive()
    }
}

/// A model of the session, its cache, and its encoder once a text has needed it.
///
/// A run whose texts are all cached never loads the graph: the identity (the cache's key) and
/// the dimension come from the model's card (see [`crate::card`]).
#[derive(Debug)]
pub struct Loaded {
    model: ModelDir,
    card: ModelCard,
    options: EncoderOptions,
    encoder: OnceLock<Encoder>,
    /// Held while loading, so two threads needing the model load it once.
    loading: Mutex<()>,
    cache: Mutex<Option<ModelCache>>,
}

impl Loaded {
    fn new(model: ModelDir, card: ModelCard, options: EncoderOptions) -> Loaded {
        Loaded {
            model,
            card,
            options,
            encoder: OnceLock::new(),
            loading: Mutex::new(()),
            cache: Mutex::new(None),
        }
    }

    /// Embedding dimension.
    pub fn dim(&self) -> usize {
        self.card.dim
    }

    /// The embedding cache's key: content hash of graph, tokenizer and settings.
    pub fn identity(&self) -> &str {
        &self.card.identity
    }

    /// The encoder, loaded on the first call.
    pub fn encoder(&self) -> crate::Result<&Encoder> {
        if let Some(encoder) = self.encoder.get() {
            return Ok(encoder);
        }
        let _loading = self.loading.lock().unwrap();
        if let Some(encoder) = self.encoder.get() {
            return Ok(encoder);
        }
        let encoder = Encoder::load(self.model.clone(), self.options.clone())?;
        let found = card_of(&encoder);
        if found != self.card {
            // Vectors looked up so far were keyed by the remembered identity: say so rather than
            // mix them with vectors of the loaded graph.
            card::write(&self.model, self.options.device, &found)?;
            return Err(EncodeError::Shape {
                model: self.model.name.clone(),
                reason: format!(
                    "its remembered identity and dimension ({}, {}) differ from the loaded \
                     graph's ({}, {}); the card in {} is replaced, run again",
                    self.card.identity,
                    self.card.dim,
                    found.identity,
                    found.dim,
                    card::card_path(&self.model, self.options.device)?.display()
                ),
            });
        }
        Ok(self.encoder.get_or_init(|| encoder))
    }
}

fn card_of(encoder: &Encoder) -> ModelCard {
    ModelCard {
        identity: encoder.identity().to_string(),
        dim: encoder.dim(),
    }
}

/// A model and the vectors of a batch of texts (`None` for a NULL text).
pub type Embedded = (Arc<Loaded>, Vec<Option<Vec<f32>>>);

impl EncoderRegistry {
    /// A registry over a models directory; `cache_root` None disables the on-disk cache.
    pub fn new(
        models: Models,
        cache_root: Option<PathBuf>,
        options: EncoderOptions,
    ) -> EncoderRegistry {
        // Settled once, so cards, caches and sessions all agree on where vectors come from.
        let options = EncoderOptions {
            device: options.device.resolve(),
            ..options
        };
        EncoderRegistry {
            models,
            cache_root,
            options,
            loaded: Mutex::default(),
            stats: Mutex::default(),
            progress: Mutex::default(),
        }
    }

    /// Reports the progress of long encodings to `progress` (None: stop reporting).
    pub fn set_progress(&self, progress: Option<EmbedProgress>) {
        *self.progress.lock().unwrap() = progress;
    }

    /// Reports `done` of `total` of some long work to the progress hook, if one is set.
    pub fn progress(&self, what: &str, done: usize, total: usize) {
        // Called outside the lock: the hook may draw on the terminal.
        let hook = self.progress.lock().unwrap().clone();
        if let Some(hook) = hook {
            hook(what, done, total);
        }
    }

    /// The models directory.
    pub fn models(&self) -> &Models {
        &self.models
    }

    /// The model called `name`: its card if one is remembered, else loaded now (to learn its
    /// identity and dimension, and to prove it runs).
    pub fn get(&self, name: &str) -> crate::Result<Arc<Loaded>> {
        if let Some(loaded) = self.loaded.lock().unwrap().get(name) {
            return Ok(loaded.clone());
        }
        // Outside the lock: a big model takes seconds, and other models may be wanted meanwhile.
        let model = self.models.open(name)?;
        let loaded = match card::read(&model, self.options.device)? {
            Some(card) => Loaded::new(model, card, self.options.clone()),
            None => {
                let encoder = Encoder::load(model.clone(), self.options.clone())?;
                let card = card_of(&encoder);
                card::write(&model, self.options.device, &card)?;
                let loaded = Loaded::new(model, card, self.options.clone());
                let _ = loaded.encoder.set(encoder);
                loaded
            }
        };
        let loaded = Arc::new(loaded);
        Ok(self
            .loaded
            .lock()
            .unwrap()
            .entry(name.to_string())
            .or_insert(loaded)
            .clone())
    }

    /// Whether the cache holds a vector of model `name` for every one of `texts` (a model is
    /// loaded only when it has never been, to learn its identity).
    pub fn all_cached(&self, name: &str, texts: &[&str]) -> crate::Result<bool> {
        let loaded = self.get(name)?;
        let mut slot = loaded.cache.lock().unwrap();
        if slot.is_none() {
            if let Some(root) = &self.cache_root {
                *slot = Some(ModelCache::open(root, loaded.identity(), loaded.dim())?);
            }
        }
        Ok(slot
            .as_ref()
            .is_some_and(|cache| texts.iter().all(|t| cache.get(&text_hash(t)).is_some())))
    }

    /// Lets go of model `name` (its ONNX Runtime sessions and cache handle) once no caller
    /// holds it: a pipeline that is done with one model frees its memory before loading the
    /// next. A later [`get`](Self::get) loads it again.
    pub fn release(&self, name: &str) {
        self.loaded.lock().unwrap().remove(name);
    }

    /// Per-model totals of cached, computed and truncated texts since the session began.
    pub fn stats(&self) -> HashMap<String, EmbedStats> {
        self.stats.lock().unwrap().clone()
    }

    /// Embeds texts (`None` stays `None`), reading and filling the cache.
    pub fn embed(&self, name: &str, texts: &[Option<&str>]) -> Result<Embedded, EncodeError> {
        let loaded = self.get(name)?;
        let dim = loaded.dim();
        let mut cache_slot = loaded.cache.lock().unwrap();
        if cache_slot.is_none() {
            if let Some(root) = &self.cache_root {
                *cache_slot = Some(ModelCache::open(root, loaded.identity(), dim)?);
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
        let mut stats = EmbedStats {
            cached: texts.iter().flatten().count(),
            ..Default::default()
        };
        // Another process may be computing these very texts: wait for it, then take what it
        // wrote, so two audits on one cache do the work once.
        let _lock = match (missing.is_empty(), cache_slot.as_mut()) {
            (false, Some(cache)) => {
                let lock = cache.lock()?;
                if cache.refresh()? > 0 {
                    missing.retain(|t| cache.get(&text_hash(t)).is_none());
                    seen = missing.iter().copied().collect();
                    for (i, text) in texts.iter().enumerate() {
                        if let (None, Some(text)) = (&out[i], text) {
                            out[i] = cache.get(&text_hash(text)).map(<[f32]>::to_vec);
                        }
                    }
                }
                Some(lock)
            }
            _ => None,
        };
        if !missing.is_empty() {
            stats.cached -= texts.iter().flatten().filter(|t| seen.contains(*t)).count();
            let by_text: HashMap<&str, usize> =
                missing.iter().enumerate().map(|(i, t)| (*t, i)).collect();
            let mut rows: Vec<f32> = Vec::with_capacity(missing.len() * dim);
            // In chunks, each saved to the cache as soon as it is computed: an interrupted run
            // keeps what it paid for, and the progress hook sees the work advance.
            let what = format!("embedding with {name}");
            self.progress(&what, 0, missing.len());
            let encoder = loaded.encoder()?;
            for chunk in missing.chunks(CHUNK_TEXTS) {
                let embeddings = encoder.encode(chunk)?;
                stats.computed += chunk.len();
                stats.truncated += embeddings.truncated;
                rows.extend_from_slice(&embeddings.data);
                if let Some(cache) = cache_slot.as_mut() {
                    // The vectors are already computed and returned; a cache that cannot be
                    // written (full disk, read-only directory) costs a recompute next time.
                    if let Err(e) = cache.insert(chunk, &embeddings.data) {
                        eprintln!("warning: embedding cache not updated: {e}");
                    }
                }
                self.progress(&what, stats.computed, missing.len());
            }
            for (i, text) in texts.iter().enumerate() {
                if let Some(&row) = text.and_then(|t| by_text.get(t)) {
                    out[i] = Some(rows[row * dim..(row + 1) * dim].to_vec());
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
