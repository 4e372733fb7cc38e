//! CLIP text towers (`clip_text_model`, or the text half of a full `clip` model): token and
//! absolute position embeddings, pre-LN layers (see blocks.rs) under a causal mask, then what is
//! CLIP's own: the final LayerNorm, pooling at the end-of-text token inside the graph, and the
//! optional projection.

use serde_json::Value;

use super::blocks::{absolute_embeddings, hidden_state_output, inputs, table, Layers, Norm};
use super::checkpoint::Checkpoint;
use super::config::{Config, Defaults, Sizes};
use super::graph::Graph;
use super::onnx::{attr_int, Dim, FLOAT};
use super::ops::{layer_norm, leading, padding_mask, MASKED};
use super::Built;
use crate::error::{EncodeError, Result};
use crate::manifest::{EosRule, Family, Manifest, Pooling};

/// The `eos_token_id` of the openai checkpoints' configs, which transformers takes to mean
/// "pool at the largest token id" (the real end-of-text id is the vocabulary's last).
const LEGACY_EOS: usize = 2;
/// The end-of-text token in CLIP's BPE vocabulary.
const END_OF_TEXT: &str = "<|endoftext|>";

/// `CLIPTextConfig`'s defaults.
const DEFAULTS: Defaults = Defaults {
    hidden: 512,
    heads: 8,
    intermediate: 2048,
    layers: 12,
    eps: 1e-5,
    act: "quick_gelu",
    vocab: Some(49408),
    max_positions: 77,
};

/// `CLIPEncoderLayer`'s tensors.
const LAYERS: Layers = Layers {
    prefix: "text_model.encoder.layers",
    norm: Norm::Pre,
    query: "self_attn.q_proj",
    key: "self_attn.k_proj",
    value: "self_attn.v_proj",
    attention_out: "self_attn.out_proj",
    attention_norm: "layer_norm1",
    up: "mlp.fc1",
    down: "mlp.fc2",
    feed_forward_norm: "layer_norm2",
};

/// Builds the CLIP text graph. Outputs `text_embeds` `[batch, projection]` when the checkpoint
/// has `text_projection.weight` (else `pooler_output` `[batch, hidden]`), and `last_hidden_state`.
pub fn build<'a>(
    root: &Config<'_>,
    model_type: &str,
    ckpt: &'a Checkpoint,
    tokenizer: &Value,
) -> Result<Built<'a>> {
    // A full CLIPModel nests the text settings; its projection size stays at the top level.
    let text = if model_type == "clip" {
        let value = &root.value["text_config"];
        if !value.is_object() {
            return Err(EncodeError::invalid(
                "config",
                root.path,
                "a 'clip' config needs a 'text_config' object",
            ));
        }
        Config {
            value,
            path: root.path,
        }
    } else {
        *root
    };
    let s = Sizes::read(&text, &DEFAULTS)?;
    let eos = text.usize("eos_token_id", 49407)?;
    let projection = root.usize("projection_dim", 512)?;

    let w = ckpt.weights("text_model.embeddings.token_embedding.weight", &[""])?;
    let mut g = Graph::default();
    let (ids, mask) = inputs(&mut g);
    let h = s.hidden;

    let tokens = table(
        &mut g,
        &w,
        "text_model.embeddings.token_embedding.weight",
        s.vocab,
        h,
    )?;
    let positions = table(
        &mut g,
        &w,
        "text_model.embeddings.position_embedding.weight",
        s.max_positions,
        h,
    )?;
    let (x, seq) = absolute_embeddings(&mut g, &tokens, &positions, &ids, None);

    // Causal mask (key after query) and padding mask, merged with Min so that a position masked
    // twice stays at MASKED instead of overflowing to -inf.
    let l = s.max_positions;
    let causal: Vec<f32> = (0..l * l)
        .map(|k| if k % l > k / l { MASKED } else { 0.0 })
        .collect();
    let causal = g.const_f32("causal_mask", &[l, l], &causal);
    let causal = leading(&mut g, &causal, &seq, 2);
    let padding = padding_mask(&mut g, &mask);
    let mask_bias = g.node("Min", &[&causal, &padding], vec![]);

    let x = LAYERS.build(&mut g, &w, &s, x, &[&mask_bias])?;
    let last = layer_norm(&mut g, &w, "text_model.final_layer_norm", h, s.eps, &x)?;

    // EOS position per row, [batch, 1]: ArgMax returns the first maximum, as torch.argmax does.
    let rule = if eos == LEGACY_EOS {
        EosRule::Argmax
    } else {
        EosRule::First
    };
    let scores = match rule {
        EosRule::Argmax => ids.clone(),
        EosRule::First => {
            let eos_id = g.const_i64("eos_token_id", &[], &[eos as i64]);
            g.node("Equal", &[&ids, &eos_id], vec![])
        }
    };
    // Ids stay exact in f32 (below 2^24) and ArgMax on float is supported everywhere.
    let scores = g.node("Cast", &[&scores], vec![attr_int("to", FLOAT as i64)]);
    let position = g.node(
        "ArgMax",
        &[&scores],
        vec![attr_int("axis", 1), attr_int("keepdims", 1)],
    );
    let pooled = g.node(
        "GatherND",
        &[&last, &position],
        vec![attr_int("batch_dims", 1)],
    );

    let (pooled_name, dim) = if w.has("text_projection.weight") {
        let proj = g.weight(
            "text_projection.weight",
            w.linear("text_projection.weight", h, projection)?,
        );
        let embeds = g.node("MatMul", &[&pooled, &proj], vec![]);
        g.output(
            &embeds,
            "text_embeds",
            FLOAT,
            &[Dim::Named("batch"), Dim::Fixed(projection)],
        );
        ("text_embeds", projection)
    } else {
        g.output(
            &pooled,
            "pooler_output",
            FLOAT,
            &[Dim::Named("batch"), Dim::Fixed(h)],
        );
        ("pooler_output", h)
    };
    hidden_state_output(&mut g, &last, h);

    // The legacy config's eos id (2) is not the token to look for; record the real one.
    let eos_token_id = match rule {
        EosRule::Argmax => added_token_id(tokenizer, END_OF_TEXT),
        EosRule::First => Some(eos as u32),
    };
    let pad = tokenizer["padding"]["pad_id"]
        .as_u64()
        .map(|id| id as usize);
    let pad = match pad {
        Some(id) => id,
        None => text.usize("pad_token_id", 1)?,
    };
    let manifest = Manifest {
        family: Some(Family::ClipText),
        pooling: Some(Pooling::Output(pooled_name.into())),
        output: Some("last_hidden_state".into()),
        normalize: Some(true),
        max_tokens: Some(s.max_positions),
        dim: Some(dim),
        pad_token_id: Some(pad as u32),
        eos_token_id,
        eos_rule: Some(rule),
        ..Default::default()
    };
    Ok(Built { graph: g, manifest })
}

/// The id of special token `content` in a tokenizer.json's `added_tokens`.
fn added_token_id(tokenizer: &Value, content: &str) -> Option<u32> {
    tokenizer["added_tokens"]
        .as_array()?
        .iter()
        .find(|t| t["content"] == content)
        .and_then(|t| t["id"].as_u64())
        .map(|id| id as u32)
}
