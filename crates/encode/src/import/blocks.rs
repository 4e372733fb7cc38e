//! Transformer blocks shared by the BERT, MPNet and CLIP graphs: the graph's inputs and hidden-state
//! output, embedding tables, multi-head attention, and the stack of encoder layers.
//!
//! The families differ only in tensor names, in where the LayerNorm sits (after each residual sum
//! in BERT and MPNet, before each sublayer in CLIP) and in the biases added to the attention
//! scores; a family file states those ([`Layers`]) and everything else is built here once.

use super::checkpoint::Weights;
use super::config::Sizes;
use super::graph::Graph;
use super::onnx::{attr_int, attr_ints, Dim, FLOAT, INT64};
use super::ops::{layer_norm, leading, linear, seq_len};
use crate::error::Result;

/// The graph inputs `input_ids` and `attention_mask`, int64 `[batch, sequence]`, in the order
/// every family declares them.
pub fn inputs(g: &mut Graph<'_>) -> (String, String) {
    let dims = [Dim::Named("batch"), Dim::Named("sequence")];
    (
        g.input("input_ids", INT64, &dims),
        g.input("attention_mask", INT64, &dims),
    )
}

/// Exposes `x` as the output `last_hidden_state` `[batch, sequence, hidden]`.
pub fn hidden_state_output(g: &mut Graph<'_>, x: &str, hidden: usize) {
    let dims = [
        Dim::Named("batch"),
        Dim::Named("sequence"),
        Dim::Fixed(hidden),
    ];
    g.output(x, "last_hidden_state", FLOAT, &dims);
}

/// The checkpoint's `[rows, cols]` table `name` (an embedding, MPNet's position bias) as an
/// initializer of the same name.
pub fn table<'a>(
    g: &mut Graph<'a>,
    w: &Weights<'a>,
    name: &str,
    rows: usize,
    cols: usize,
) -> Result<String> {
    let src = w.get(name, &[rows, cols])?;
    Ok(g.weight(name, src))
}

/// `words[ids] (+ token_type) + positions[0..seq]`, as `BertEmbeddings` and `CLIPTextEmbeddings`
/// compute it (BERT adds its token type row before the positions; the order is kept because
/// float addition does not associate). Returns the sum and the sequence length.
pub fn absolute_embeddings(
    g: &mut Graph<'_>,
    words: &str,
    positions: &str,
    ids: &str,
    token_type: Option<&str>,
) -> (String, String) {
    let seq = seq_len(g, ids);
    let mut embedded = g.node("Gather", &[words, ids], vec![]);
    if let Some(token_type) = token_type {
        embedded = g.node("Add", &[&embedded, token_type], vec![]);
    }
    let position_rows = leading(g, positions, &seq, 1);
    (g.node("Add", &[&embedded, &position_rows], vec![]), seq)
}

/// Where a layer's LayerNorms sit.
#[derive(Clone, Copy)]
pub enum Norm {
    /// `LayerNorm(x + sublayer(x))`, as in `BertLayer` and `MPNetLayer`.
    Post,
    /// `x + sublayer(LayerNorm(x))`, as in `CLIPEncoderLayer`.
    Pre,
}

/// What is particular to a family's encoder layers: the LayerNorm placement and the tensor names,
/// relative to `{prefix}.{layer index}`.
pub struct Layers {
    /// The layer list, e.g. `encoder.layer`; layer `i`'s tensors are under `{prefix}.{i}`.
    pub prefix: &'static str,
    /// Where the LayerNorms sit.
    pub norm: Norm,
    /// The query, key, value and output projections (`Linear`s) of the attention.
    pub query: &'static str,
    /// See `query`.
    pub key: &'static str,
    /// See `query`.
    pub value: &'static str,
    /// See `query`.
    pub attention_out: &'static str,
    /// The LayerNorm of the attention sublayer (after it for [`Norm::Post`], before for `Pre`).
    pub attention_norm: &'static str,
    /// The feed-forward's widening `Linear` (hidden → intermediate).
    pub up: &'static str,
    /// The feed-forward's narrowing `Linear` (intermediate → hidden).
    pub down: &'static str,
    /// The LayerNorm of the feed-forward sublayer.
    pub feed_forward_norm: &'static str,
}

impl Layers {
    /// `sizes.layers` layers over `x`, each attention then feed-forward, both residual.
    /// `biases` are added, in order, to every layer's attention scores.
    pub fn build<'a>(
        &self,
        g: &mut Graph<'a>,
        w: &Weights<'a>,
        sizes: &Sizes,
        mut x: String,
        biases: &[&str],
    ) -> Result<String> {
        let (h, inner) = (sizes.hidden, sizes.intermediate);
        let attention = Attention::new(g, sizes.heads, h);
        for i in 0..sizes.layers {
            let name = |suffix: &str| format!("{}.{i}.{suffix}", self.prefix);
            x = self.residual(g, w, sizes, &name(self.attention_norm), x, |g, x| {
                let q = linear(g, w, &name(self.query), h, h, x)?;
                let k = linear(g, w, &name(self.key), h, h, x)?;
                let v = linear(g, w, &name(self.value), h, h, x)?;
                let context = attention.apply(g, &q, &k, &v, biases);
                linear(g, w, &name(self.attention_out), h, h, &context)
            })?;
            x = self.residual(g, w, sizes, &name(self.feed_forward_norm), x, |g, x| {
                let up = linear(g, w, &name(self.up), h, inner, x)?;
                let activated = sizes.act.apply(g, &up);
                // An int8 import keeps this layer in f32: it reads the activation's output,
                // whose few large values make one uint8 scale per batch too coarse for the
                // rest (mpnet: cosine to the f32 model down to 0.83 with it quantized, 0.98
                // without; bench/RESULTS.md).
                g.keep_precise(&format!("{}.weight", name(self.down)));
                linear(g, w, &name(self.down), inner, h, &activated)
            })?;
        }
        Ok(x)
    }

    /// `x` plus `sublayer`, with the LayerNorm `norm` where the family puts it. The sums keep the
    /// operand order the family importers always wrote (sublayer first in `Post`, residual first
    /// in `Pre`): addition commutes, but swapping them would change every imported model.onnx.
    fn residual<'a>(
        &self,
        g: &mut Graph<'a>,
        w: &Weights<'a>,
        sizes: &Sizes,
        norm: &str,
        x: String,
        sublayer: impl FnOnce(&mut Graph<'a>, &str) -> Result<String>,
    ) -> Result<String> {
        match self.norm {
            Norm::Post => {
                let y = sublayer(g, &x)?;
                let sum = g.node("Add", &[&y, &x], vec![]);
                layer_norm(g, w, norm, sizes.hidden, sizes.eps, &sum)
            }
            Norm::Pre => {
                let normed = layer_norm(g, w, norm, sizes.hidden, sizes.eps, &x)?;
                let y = sublayer(g, &normed)?;
                Ok(g.node("Add", &[&x, &y], vec![]))
            }
        }
    }
}

/// Multi-head scaled dot-product attention over `[batch, seq, hidden]` projections.
struct Attention {
    split: String,
    merge: String,
    scale: String,
}

impl Attention {
    /// Shape constants for `heads` heads over `hidden`, and the score scale `head_dim ** -0.5`,
    /// computed as transformers does (a Python float, rounded once to f32 by torch).
    fn new(g: &mut Graph<'_>, heads: usize, hidden: usize) -> Self {
        let head_dim = hidden / heads;
        // Reshape's 0 copies the input dimension, so batch and sequence stay dynamic.
        let split = g.const_i64("split_heads", &[4], &[0, 0, heads as i64, head_dim as i64]);
        let merge = g.const_i64("merge_heads", &[3], &[0, 0, hidden as i64]);
        let scale = (head_dim as f64).powf(-0.5) as f32;
        let scale = g.const_f32("attention_scale", &[], &[scale]);
        Attention {
            split,
            merge,
            scale,
        }
    }

    /// `softmax(q k^T * scale + Σ biases) v`, heads merged back to `[batch, seq, hidden]`.
    /// Each bias broadcasts against `[batch, heads, seq, seq]`.
    fn apply(&self, g: &mut Graph<'_>, q: &str, k: &str, v: &str, biases: &[&str]) -> String {
        let q = self.heads(g, q, &[0, 2, 1, 3]);
        let k = self.heads(g, k, &[0, 2, 3, 1]);
        let v = self.heads(g, v, &[0, 2, 1, 3]);
        let raw = g.node("MatMul", &[&q, &k], vec![]);
        let mut scores = g.node("Mul", &[&raw, &self.scale], vec![]);
        for bias in biases {
            scores = g.node("Add", &[&scores, bias], vec![]);
        }
        let probs = g.node("Softmax", &[&scores], vec![attr_int("axis", -1)]);
        let context = g.node("MatMul", &[&probs, &v], vec![]);
        let back = g.node(
            "Transpose",
            &[&context],
            vec![attr_ints("perm", &[0, 2, 1, 3])],
        );
        g.node("Reshape", &[&back, &self.merge], vec![])
    }

    fn heads(&self, g: &mut Graph<'_>, x: &str, perm: &[i64]) -> String {
        let split = g.node("Reshape", &[x, &self.split], vec![]);
        g.node("Transpose", &[&split], vec![attr_ints("perm", perm)])
    }
}
