//! BERT (`model_type: "bert"`): word, token-type and absolute position embeddings, then post-LN
//! layers (see blocks.rs).

use super::blocks::{absolute_embeddings, hidden_state_output, inputs, table, Layers, Norm};
use super::checkpoint::Checkpoint;
use super::config::{Config, Defaults, Sizes};
use super::graph::Graph;
use super::ops::{layer_norm, padding_mask};
use super::{Built, SentenceTransformers};
use crate::error::{EncodeError, Result};
use crate::manifest::Family;

/// `BertConfig`'s defaults (MPNet's are the same).
pub const DEFAULTS: Defaults = Defaults {
    hidden: 768,
    heads: 12,
    intermediate: 3072,
    layers: 12,
    eps: 1e-12,
    act: "gelu",
    vocab: None,
    max_positions: 512,
};

/// `BertLayer`'s tensors.
pub const LAYERS: Layers = Layers {
    prefix: "encoder.layer",
    norm: Norm::Post,
    query: "attention.self.query",
    key: "attention.self.key",
    value: "attention.self.value",
    attention_out: "attention.output.dense",
    attention_norm: "attention.output.LayerNorm",
    up: "intermediate.dense",
    down: "output.dense",
    feed_forward_norm: "output.LayerNorm",
};

/// Builds the BERT graph: output `last_hidden_state` `[batch, sequence, hidden]`.
pub fn build<'a>(
    config: &Config<'_>,
    ckpt: &'a Checkpoint,
    st: &SentenceTransformers,
) -> Result<Built<'a>> {
    let position_type = config.str("position_embedding_type", "absolute")?;
    if position_type != "absolute" {
        return Err(EncodeError::UnsupportedArchitecture {
            architecture: format!("bert with position_embedding_type '{position_type}'"),
            path: config.path.to_path_buf(),
        });
    }
    let s = Sizes::read(config, &DEFAULTS)?;
    let pad_token_id = config.usize("pad_token_id", 0)?;
    let type_vocab = config.usize("type_vocab_size", 2)?;
    let max_tokens = st.max_tokens(s.max_positions);
    let w = ckpt.weights("embeddings.word_embeddings.weight", &["", "bert."])?;
    let mut g = Graph::default();
    let (ids, mask) = inputs(&mut g);
    let h = s.hidden;

    let words = table(&mut g, &w, "embeddings.word_embeddings.weight", s.vocab, h)?;
    // Every text is one segment (token type 0), so only that row of the table is kept.
    let token_type = w
        .get("embeddings.token_type_embeddings.weight", &[type_vocab, h])?
        .rows(1);
    let token_type = g.weight("embeddings.token_type_embeddings.weight", token_type);
    let positions = table(
        &mut g,
        &w,
        "embeddings.position_embeddings.weight",
        s.max_positions,
        h,
    )?;
    let (summed, _) = absolute_embeddings(&mut g, &words, &positions, &ids, Some(&token_type));
    let x = layer_norm(&mut g, &w, "embeddings.LayerNorm", h, s.eps, &summed)?;

    let mask_bias = padding_mask(&mut g, &mask);
    let x = LAYERS.build(&mut g, &w, &s, x, &[&mask_bias])?;
    hidden_state_output(&mut g, &x, h);
    Ok(Built {
        graph: g,
        manifest: st.manifest(Family::Bert, h, pad_token_id, max_tokens),
    })
}
