//! The model manifest: `lookalike.json` beside `model.onnx` and `tokenizer.json`.
//!
//! Every field is optional so that a Hugging Face ONNX export loads with a one-line manifest such
//! as `{"family": "clip-text"}`; what is missing is inferred from the graph, the tokenizer and the
//! family (see [`crate::model::ModelDir::open`]).

use serde::{Deserialize, Serialize};

/// File name of the manifest inside a model directory.
pub const MANIFEST_FILE: &str = "lookalike.json";

/// Model family: decides the default pooling, padding and which graph inputs are fed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// BERT and its distillations (all-MiniLM-L6-v2).
    Bert,
    /// MPNet (all-mpnet-base-v2).
    Mpnet,
    /// A CLIP text tower (with or without the projection).
    ClipText,
    /// Any other encoder: pooling must then be given explicitly or come from a named output.
    Other,
}

/// How token states become one vector per text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pooling {
    /// Mean over the positions where the attention mask is 1.
    Mean,
    /// The first position (BERT's `[CLS]`).
    Cls,
    /// The end-of-text position, as CLIP pools (see [`EosRule`]).
    Eos,
    /// The graph already pools: take this named output, shape `[batch, dim]`.
    Output(String),
}

/// Where CLIP's end-of-text token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EosRule {
    /// The position of the largest token id (the openai checkpoints, whose config has the legacy
    /// `eos_token_id: 2`); the first one when it repeats.
    Argmax,
    /// The first position holding `eos_token_id`.
    First,
}

/// The manifest as stored. `None` means "infer it".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Model family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<Family>,
    /// The ONNX graph, relative to the directory (default: `model.onnx`, then `onnx/model.onnx`,
    /// then `text_model.onnx`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onnx: Option<String>,
    /// The tokenizer, relative to the directory (default `tokenizer.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenizer: Option<String>,
    /// Pooling (default: mean for bert/mpnet; `text_embeds` output, else EOS, for clip-text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooling: Option<Pooling>,
    /// The graph output that holds token states for mean/cls/eos pooling
    /// (default `last_hidden_state`, else the first output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// L2-normalise the pooled vector (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalize: Option<bool>,
    /// Maximum tokens per text, special tokens included; longer input is truncated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<usize>,
    /// Embedding dimension (checked against the graph's output when it is static).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dim: Option<usize>,
    /// Token id used to pad a batch (default: the tokenizer's pad token, else 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pad_token_id: Option<u32>,
    /// CLIP end-of-text token id, for EOS pooling (default 49407).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eos_token_id: Option<u32>,
    /// CLIP end-of-text rule, for EOS pooling (default argmax).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eos_rule: Option<EosRule>,
    /// Free-form provenance written by the importer (source checkpoint, architecture, config).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_manifest_parses() {
        let m: Manifest = serde_json::from_str(r#"{"family": "clip-text"}"#).unwrap();
        assert_eq!(m.family, Some(Family::ClipText));
        assert_eq!(m.pooling, None);
    }

    #[test]
    fn named_output_pooling_round_trips() {
        let m = Manifest {
            pooling: Some(Pooling::Output("text_embeds".into())),
            ..Default::default()
        };
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(text, r#"{"pooling":{"output":"text_embeds"}}"#);
        assert_eq!(serde_json::from_str::<Manifest>(&text).unwrap(), m);
    }

    #[test]
    fn unknown_field_is_an_error() {
        let err = serde_json::from_str::<Manifest>(r#"{"famly": "bert"}"#).unwrap_err();
        assert!(err.to_string().contains("famly"), "{err}");
    }
}
