//! BERT (`model_type: "bert"`): absolute position embeddings and post-LN encoder layers. The
//! layer builder here also serves MPNet, whose layers differ only in names and a position bias.

use super::blocks::{layer_norm, leading, linear, padding_mask, seq_len, Activation, Attention};
use super::checkpoint::{Checkpoint, Weights};
use super::config::Config;
use super::graph::Graph;
use super::onnx::{Dim, FLOAT, INT64};
use super::{Built, SentenceTransformers};
use crate::error::{EncodeError, Result};
use crate::manifest::{Family, Manifest};

/// Sizes shared by BERT and MPNet configs (the transformers defaults are the same for both).
pub struct EncoderConfig {
    pub hidden: usize,
    pub heads: usize,
    pub intermediate: usize,
    pub layers: usize,
    pub eps: f32,
    pub act: Activation,
    pub vocab: usize,
    pub max_positions: usize,
    pub pad_token_id: usize,
}

impl EncoderConfig {
    pub fn read(config: &Config<'_>, default_pad: usize) -> Result<Self> {
        let hidden = config.usize("hidden_size", 768)?;
        Ok(EncoderConfig {
            hidden,
            heads: config.heads(hidden, 12)?,
            intermediate: config.usize("intermediate_size", 3072)?,
            layers: config.usize("num_hidden_layers", 12)?,
            eps: config.f32("layer_norm_eps", 1e-12)?,
            act: Activation::from_config(config, "gelu")?,
            vocab: config.required("vocab_size")?,
            max_positions: config.usize("max_position_embeddings", 512)?,
            pad_token_id: config.usize("pad_token_id", default_pad)?,
        })
    }
}

/// Tensor names inside one post-LN layer, relative to the layer's prefix.
pub struct LayerNames {
    pub query: &'static str,
    pub key: &'static str,
    pub value: &'static str,
    pub attention_out: &'static str,
    pub attention_norm: &'static str,
}

/// The graph inputs, in the order every family declares them.
pub fn inputs(g: &mut Graph<'_>) -> (String, String) {
    let dims = [Dim::Named("batch"), Dim::Named("sequence")];
    (
        g.input("input_ids", INT64, &dims),
        g.input("attention_mask", INT64, &dims),
    )
}

/// `N` post-LN layers (attention → residual → LayerNorm; dense → activation → dense → residual →
/// LayerNorm), as in `BertLayer` and `MPNetLayer`. `biases` are added to every layer's scores.
pub fn encoder<'a>(
    g: &mut Graph<'a>,
    w: &Weights<'a>,
    c: &EncoderConfig,
    layer_prefix: &str,
    names: &LayerNames,
    mut x: String,
    biases: &[&str],
) -> Result<String> {
    let h = c.hidden;
    let attention = Attention::new(g, c.heads, h, 1.0 / ((h / c.heads) as f32).sqrt());
    for i in 0..c.layers {
        let p = format!("{layer_prefix}.{i}");
        let q = linear(g, w, &format!("{p}.{}", names.query), h, h, &x)?;
        let k = linear(g, w, &format!("{p}.{}", names.key), h, h, &x)?;
        let v = linear(g, w, &format!("{p}.{}", names.value), h, h, &x)?;
        let context = attention.apply(g, &q, &k, &v, biases);
        let out = linear(
            g,
            w,
            &format!("{p}.{}", names.attention_out),
            h,
            h,
            &context,
        )?;
        let sum = g.node("Add", &[&out, &x], vec![]);
        let attended = layer_norm(
            g,
            w,
            &format!("{p}.{}", names.attention_norm),
            h,
            c.eps,
            &sum,
        )?;
        let up = linear(
            g,
            w,
            &format!("{p}.intermediate.dense"),
            h,
            c.intermediate,
            &attended,
        )?;
        let act = c.act.apply(g, &up);
        let down = linear(g, w, &format!("{p}.output.dense"), c.intermediate, h, &act)?;
        let sum = g.node("Add", &[&down, &attended], vec![]);
        x = layer_norm(g, w, &format!("{p}.output.LayerNorm"), h, c.eps, &sum)?;
    }
    Ok(x)
}

/// The manifest of a mean/cls-pooled sentence encoder over `last_hidden_state`.
pub fn sentence_manifest(
    family: Family,
    st: &SentenceTransformers,
    c: &EncoderConfig,
    max_tokens: usize,
) -> Manifest {
    Manifest {
        family: Some(family),
        pooling: Some(st.pooling.clone()),
        output: Some("last_hidden_state".into()),
        normalize: Some(st.normalize),
        max_tokens: Some(max_tokens),
        dim: Some(c.hidden),
        pad_token_id: Some(c.pad_token_id as u32),
        ..Default::default()
    }
}

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
    let c = EncoderConfig::read(config, 0)?;
    let type_vocab = config.usize("type_vocab_size", 2)?;
    let max_tokens = st.max_seq_length.unwrap_or(512).min(c.max_positions);
    let w = ckpt.weights("embeddings.word_embeddings.weight", &["", "bert."])?;
    let mut g = Graph::default();
    let (ids, mask) = inputs(&mut g);
    let h = c.hidden;

    // inputs_embeds + token_type_embeddings(0) + position_embeddings(0..seq), as BertEmbeddings.
    let words = g.weight(
        "embeddings.word_embeddings.weight",
        w.get("embeddings.word_embeddings.weight", &[c.vocab, h])?,
    );
    let token_type = w
        .get("embeddings.token_type_embeddings.weight", &[type_vocab, h])?
        .rows(1);
    let token_type = g.weight("embeddings.token_type_embeddings.weight", token_type);
    let positions = w.get(
        "embeddings.position_embeddings.weight",
        &[c.max_positions, h],
    )?;
    let positions = g.weight("embeddings.position_embeddings.weight", positions);
    let seq = seq_len(&mut g, &ids);
    let embedded = g.node("Gather", &[&words, &ids], vec![]);
    let typed = g.node("Add", &[&embedded, &token_type], vec![]);
    let position_rows = leading(&mut g, &positions, &seq, 1);
    let summed = g.node("Add", &[&typed, &position_rows], vec![]);
    let x = layer_norm(&mut g, &w, "embeddings.LayerNorm", h, c.eps, &summed)?;

    let mask_bias = padding_mask(&mut g, &mask);
    let names = LayerNames {
        query: "attention.self.query",
        key: "attention.self.key",
        value: "attention.self.value",
        attention_out: "attention.output.dense",
        attention_norm: "attention.output.LayerNorm",
    };
    let x = encoder(&mut g, &w, &c, "encoder.layer", &names, x, &[&mask_bias])?;
    g.output(
        &x,
        "last_hidden_state",
        FLOAT,
        &[Dim::Named("batch"), Dim::Named("sequence"), Dim::Fixed(h)],
    );
    Ok(Built {
        graph: g,
        manifest: sentence_manifest(Family::Bert, st, &c, max_tokens),
    })
}
