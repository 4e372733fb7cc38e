//! Typed reads from Hugging Face `config.json` objects, with the transformers defaults.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::ops::Activation;
use crate::error::{EncodeError, Result};

/// A JSON object from a config file (the whole config, or CLIP's `text_config`).
#[derive(Clone, Copy)]
pub struct Config<'a> {
    /// The object.
    pub value: &'a Value,
    /// The file it comes from, for error messages.
    pub path: &'a Path,
}

impl Config<'_> {
    fn invalid(&self, key: &str, expected: &str) -> EncodeError {
        EncodeError::invalid(
            "config",
            self.path,
            format!("'{key}' must be {expected}, found {}", self.value[key]),
        )
    }

    /// A non-negative integer, `default` when absent or null.
    pub fn usize(&self, key: &str, default: usize) -> Result<usize> {
        match &self.value[key] {
            Value::Null => Ok(default),
            v => v
                .as_u64()
                .map(|n| n as usize)
                .ok_or_else(|| self.invalid(key, "a non-negative integer")),
        }
    }

    /// An integer that must be present.
    pub fn required(&self, key: &str) -> Result<usize> {
        if self.value[key].is_null() {
            return Err(EncodeError::invalid(
                "config",
                self.path,
                format!("'{key}' is missing"),
            ));
        }
        self.usize(key, 0)
    }

    /// A number, `default` when absent or null.
    pub fn f32(&self, key: &str, default: f32) -> Result<f32> {
        match &self.value[key] {
            Value::Null => Ok(default),
            v => v
                .as_f64()
                .map(|n| n as f32)
                .ok_or_else(|| self.invalid(key, "a number")),
        }
    }

    /// A string, `default` when absent or null.
    pub fn str<'s>(&'s self, key: &str, default: &'s str) -> Result<&'s str> {
        match &self.value[key] {
            Value::Null => Ok(default),
            v => v.as_str().ok_or_else(|| self.invalid(key, "a string")),
        }
    }

    /// `num_attention_heads` and the head size, checking that they divide `hidden`.
    pub fn heads(&self, hidden: usize, default: usize) -> Result<usize> {
        let heads = self.usize("num_attention_heads", default)?;
        if heads == 0 || !hidden.is_multiple_of(heads) {
            return Err(EncodeError::invalid(
                "config",
                self.path,
                format!("hidden_size {hidden} is not a multiple of num_attention_heads {heads}"),
            ));
        }
        Ok(heads)
    }
}

/// The sizes of a transformer encoder, under the config keys that BERT, MPNet and CLIP share.
pub struct Sizes {
    /// `hidden_size`.
    pub hidden: usize,
    /// `num_attention_heads` (a divisor of `hidden`).
    pub heads: usize,
    /// `intermediate_size`: the feed-forward width.
    pub intermediate: usize,
    /// `num_hidden_layers`.
    pub layers: usize,
    /// `layer_norm_eps`.
    pub eps: f32,
    /// `hidden_act`.
    pub act: Activation,
    /// `vocab_size`: rows of the token embedding table.
    pub vocab: usize,
    /// `max_position_embeddings`: rows of the position embedding table.
    pub max_positions: usize,
}

/// A family's transformers defaults for the [`Sizes`] keys, field by field (`act` by its
/// `hidden_act` name). `vocab: None` makes `vocab_size` required: BERT-like configs always state
/// it, and a guessed default would only fail later, on a tensor shape.
#[allow(missing_docs)] // Each field is the default of the `Sizes` field of the same name.
pub struct Defaults {
    pub hidden: usize,
    pub heads: usize,
    pub intermediate: usize,
    pub layers: usize,
    pub eps: f32,
    pub act: &'static str,
    pub vocab: Option<usize>,
    pub max_positions: usize,
}

impl Sizes {
    /// Reads the sizes from `config`, falling back to `defaults`.
    pub fn read(config: &Config<'_>, defaults: &Defaults) -> Result<Self> {
        let hidden = config.usize("hidden_size", defaults.hidden)?;
        Ok(Sizes {
            hidden,
            heads: config.heads(hidden, defaults.heads)?,
            intermediate: config.usize("intermediate_size", defaults.intermediate)?,
            layers: config.usize("num_hidden_layers", defaults.layers)?,
            eps: config.f32("layer_norm_eps", defaults.eps)?,
            act: Activation::from_config(config, defaults.act)?,
            vocab: match defaults.vocab {
                Some(vocab) => config.usize("vocab_size", vocab)?,
                None => config.required("vocab_size")?,
            },
            max_positions: config.usize("max_position_embeddings", defaults.max_positions)?,
        })
    }
}

/// Reads and parses a JSON file; a missing file is [`EncodeError::Missing`] naming `what`.
pub fn read_json(path: &Path, what: &str) -> Result<Value> {
    if !path.is_file() {
        return Err(EncodeError::Missing {
            what: what.to_string(),
            path: path.to_path_buf(),
            hint: String::new(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(EncodeError::io("reading", path))?;
    serde_json::from_str(&text).map_err(|e| EncodeError::invalid("JSON file", path, e))
}

/// Reads a JSON file that may be absent (the sentence-transformers extras).
pub fn read_optional_json(path: PathBuf) -> Result<Option<Value>> {
    if !path.is_file() {
        return Ok(None);
    }
    read_json(&path, "").map(Some)
}
