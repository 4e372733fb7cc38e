//! MPNet (`model_type: "mpnet"`): BERT's post-LN layers under other names (see blocks.rs), plus
//! what is MPNet's own: position ids that skip the padding index, and a T5-style relative position
//! bias added to every layer's attention scores.

use super::bert;
use super::blocks::{hidden_state_output, inputs, table, Layers};
use super::checkpoint::Checkpoint;
use super::config::{Config, Sizes};
use super::graph::Graph;
use super::onnx::{attr_int, attr_ints, INT64};
use super::ops::{layer_norm, leading, padding_mask, seq_len};
use super::{Built, SentenceTransformers};
use crate::error::{EncodeError, Result};
use crate::manifest::Family;

/// `MPNetEmbeddings.padding_idx`: hard-coded to 1 in transformers, whatever the config says.
const PADDING_IDX: i64 = 1;
/// `MPNetEncoder.compute_position_bias` always buckets with these, whatever the config says.
const NUM_BUCKETS: i64 = 32;
const MAX_DISTANCE: i64 = 128;

/// `MPNetLayer`'s tensors: `BertLayer`'s but for the attention block.
const LAYERS: Layers = Layers {
    query: "attention.attn.q",
    key: "attention.attn.k",
    value: "attention.attn.v",
    attention_out: "attention.attn.o",
    attention_norm: "attention.LayerNorm",
    ..bert::LAYERS
};

/// `MPNetEncoder.relative_position_bucket` for `relative = key position - query position`.
///
/// Like transformers it buckets the *negated* distance: keys before the query land in 0..16,
/// keys after it in 16..32; distances under 8 get their own bucket, longer ones share
/// logarithmically wider buckets up to 128. The logarithm is taken in f32, as torch does on
/// float tensors (f64 gives the same buckets for every distance up to 600).
pub fn relative_position_bucket(relative: i64) -> i64 {
    let half = NUM_BUCKETS / 2;
    let n = -relative;
    let ret = if n < 0 { half } else { 0 };
    let n = n.abs();
    let max_exact = half / 2;
    if n < max_exact {
        return ret + n;
    }
    let ratio = (n as f32 / max_exact as f32).ln() / (MAX_DISTANCE as f32 / max_exact as f32).ln();
    let large = max_exact + (ratio * (half - max_exact) as f32) as i64;
    ret + large.min(half - 1)
}

/// Builds the MPNet graph: output `last_hidden_state` `[batch, sequence, hidden]`.
pub fn build<'a>(
    config: &Config<'_>,
    ckpt: &'a Checkpoint,
    st: &SentenceTransformers,
) -> Result<Built<'a>> {
    let s = Sizes::read(config, &bert::DEFAULTS)?;
    let pad_token_id = config.usize("pad_token_id", PADDING_IDX as usize)?;
    let buckets = config.usize("relative_attention_num_buckets", NUM_BUCKETS as usize)?;
    if buckets < NUM_BUCKETS as usize {
        return Err(EncodeError::invalid(
            "config",
            config.path,
            format!("relative_attention_num_buckets {buckets} is below the {NUM_BUCKETS} buckets MPNet indexes"),
        ));
    }
    // Positions start at PADDING_IDX + 1, so the table holds two rows fewer usable positions.
    let max_tokens = st.max_tokens(s.max_positions.saturating_sub(2));
    let w = ckpt.weights("embeddings.word_embeddings.weight", &["", "mpnet."])?;
    let mut g = Graph::default();
    let (ids, mask) = inputs(&mut g);
    let h = s.hidden;

    // create_position_ids_from_input_ids: cumsum(ids != pad) * (ids != pad) + pad, i.e. i + 2 for
    // real tokens of right-padded input and 1 for padding.
    let words = table(&mut g, &w, "embeddings.word_embeddings.weight", s.vocab, h)?;
    let positions = table(
        &mut g,
        &w,
        "embeddings.position_embeddings.weight",
        s.max_positions,
        h,
    )?;
    let pad = g.const_i64("padding_idx", &[], &[PADDING_IDX]);
    let is_pad = g.node("Equal", &[&ids, &pad], vec![]);
    let is_token = g.node("Not", &[&is_pad], vec![]);
    let token = g.node("Cast", &[&is_token], vec![attr_int("to", INT64 as i64)]);
    let axis = g.const_i64("axis_1", &[], &[1]);
    let count = g.node("CumSum", &[&token, &axis], vec![]);
    let counted = g.node("Mul", &[&count, &token], vec![]);
    let position_ids = g.node("Add", &[&counted, &pad], vec![]);
    let embedded = g.node("Gather", &[&words, &ids], vec![]);
    let placed = g.node("Gather", &[&positions, &position_ids], vec![]);
    let summed = g.node("Add", &[&embedded, &placed], vec![]);
    let x = layer_norm(&mut g, &w, "embeddings.LayerNorm", h, s.eps, &summed)?;

    // Position bias [heads, seq, seq]: bucket map precomputed for max_tokens, sliced at run time.
    let bias_table = table(
        &mut g,
        &w,
        "encoder.relative_attention_bias.weight",
        buckets,
        s.heads,
    )?;
    let l = max_tokens as i64;
    let map: Vec<i64> = (0..l * l)
        .map(|k| relative_position_bucket(k % l - k / l))
        .collect();
    let map = g.const_i64("relative_position_buckets", &[max_tokens, max_tokens], &map);
    let seq = seq_len(&mut g, &ids);
    let map = leading(&mut g, &map, &seq, 2);
    let bias = g.node("Gather", &[&bias_table, &map], vec![]);
    let bias = g.node("Transpose", &[&bias], vec![attr_ints("perm", &[2, 0, 1])]);

    let mask_bias = padding_mask(&mut g, &mask);
    // transformers adds the position bias first, then the mask.
    let x = LAYERS.build(&mut g, &w, &s, x, &[&bias, &mask_bias])?;
    hidden_state_output(&mut g, &x, h);
    Ok(Built {
        graph: g,
        manifest: st.manifest(Family::Mpnet, h, pad_token_id, max_tokens),
    })
}

#[cfg(test)]
mod tests {
    use super::relative_position_bucket;

    #[test]
    fn buckets_match_transformers() {
        // Expected values from transformers' formula evaluated in Python (numpy float32 and
        // float64 agree): n = -(j - i); ret = 16 if n < 0; n = |n|; n < 8 -> n, else
        // 8 + int(log(n / 8) / log(16) * 8) capped at 15.
        let known = [
            (0, 0),
            (-1, 1),
            (1, 17),
            (-7, 7),
            (7, 23),
            (-8, 8),
            (8, 24),
            (11, 24),
            (12, 25),
            (-16, 10),
            (16, 26),
            (-32, 12),
            (32, 28),
            (63, 29),
            (-64, 14),
            (64, 30),
            (100, 31),
            (-128, 15),
            (128, 31),
            (-383, 15),
            (383, 31),
        ];
        for (relative, bucket) in known {
            assert_eq!(
                relative_position_bucket(relative),
                bucket,
                "relative position {relative}"
            );
        }
        // Bucket boundaries for keys before the query (distance where the bucket first changes).
        let firsts = [
            (8, 8),
            (12, 9),
            (16, 10),
            (23, 11),
            (32, 12),
            (46, 13),
            (64, 14),
            (91, 15),
        ];
        for (distance, bucket) in firsts {
            assert_eq!(relative_position_bucket(-distance), bucket);
            assert_eq!(relative_position_bucket(-(distance - 1)), bucket - 1);
        }
    }
}
