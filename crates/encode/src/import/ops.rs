//! Graph primitives under the transformer blocks: `Linear`, `LayerNorm`, the activations, and the
//! shape and mask helpers, in plain opset-17 operators. ONNX Runtime's level-3 optimiser fuses
//! MatMul+Add, LayerNormalization and the GELU patterns.

use super::checkpoint::Weights;
use super::config::Config;
use super::graph::Graph;
use super::onnx::{attr_float, attr_int, FLOAT};
use crate::error::{EncodeError, Result};

/// Additive mask value for positions that must not be attended to: `torch.finfo(float32).min`,
/// as transformers' extended attention masks use.
pub const MASKED: f32 = f32::MIN;

/// `x @ W^T + b` for a Hugging Face `nn.Linear` named `name` (`name.weight` is `[out, in]`).
pub fn linear<'a>(
    g: &mut Graph<'a>,
    w: &Weights<'a>,
    name: &str,
    inputs: usize,
    outputs: usize,
    x: &str,
) -> Result<String> {
    let weight = g.weight(
        &format!("{name}.weight"),
        w.linear(&format!("{name}.weight"), inputs, outputs)?,
    );
    let bias = g.weight(
        &format!("{name}.bias"),
        w.get(&format!("{name}.bias"), &[outputs])?,
    );
    let y = g.node("MatMul", &[x, &weight], vec![]);
    Ok(g.node("Add", &[&y, &bias], vec![]))
}

/// `nn.LayerNorm` over the last axis.
pub fn layer_norm<'a>(
    g: &mut Graph<'a>,
    w: &Weights<'a>,
    name: &str,
    hidden: usize,
    eps: f32,
    x: &str,
) -> Result<String> {
    let scale = g.weight(
        &format!("{name}.weight"),
        w.get(&format!("{name}.weight"), &[hidden])?,
    );
    let bias = g.weight(
        &format!("{name}.bias"),
        w.get(&format!("{name}.bias"), &[hidden])?,
    );
    Ok(g.node(
        "LayerNormalization",
        &[x, &scale, &bias],
        vec![attr_int("axis", -1), attr_float("epsilon", eps)],
    ))
}

/// The activations of transformers' `ACT2FN` that these checkpoints use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// `gelu`: the exact erf form.
    Gelu,
    /// `gelu_new`, `gelu_pytorch_tanh`, `gelu_fast`: the tanh approximation.
    GeluTanh,
    /// `quick_gelu`: `x * sigmoid(1.702 x)` (the openai CLIP checkpoints).
    QuickGelu,
    /// `relu`.
    Relu,
}

impl Activation {
    /// The config's `hidden_act`, or `default`.
    pub fn from_config(config: &Config<'_>, default: &str) -> Result<Self> {
        match config.str("hidden_act", default)? {
            "gelu" => Ok(Activation::Gelu),
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Ok(Activation::GeluTanh),
            "quick_gelu" => Ok(Activation::QuickGelu),
            "relu" => Ok(Activation::Relu),
            other => Err(EncodeError::invalid(
                "config",
                config.path,
                format!("hidden_act '{other}' is not supported (gelu, gelu_new, gelu_pytorch_tanh, quick_gelu, relu)"),
            )),
        }
    }

    /// Applies the activation to `x`.
    pub fn apply(self, g: &mut Graph<'_>, x: &str) -> String {
        match self {
            Activation::Gelu => {
                // 0.5 * x * (1 + erf(x / sqrt 2))
                let root2 = g.const_f32("sqrt2", &[], &[std::f32::consts::SQRT_2]);
                let scaled = g.node("Div", &[x, &root2], vec![]);
                let erf = g.node("Erf", &[&scaled], vec![]);
                half_x_times_one_plus(g, x, &erf)
            }
            Activation::GeluTanh => {
                // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
                let three = g.const_f32("three", &[], &[3.0]);
                let cube = g.node("Pow", &[x, &three], vec![]);
                let c = g.const_f32("gelu_c", &[], &[0.044715]);
                let term = g.node("Mul", &[&cube, &c], vec![]);
                let inner = g.node("Add", &[x, &term], vec![]);
                let k = g.const_f32(
                    "sqrt_2_over_pi",
                    &[],
                    &[(2.0 / std::f64::consts::PI).sqrt() as f32],
                );
                let arg = g.node("Mul", &[&inner, &k], vec![]);
                let tanh = g.node("Tanh", &[&arg], vec![]);
                half_x_times_one_plus(g, x, &tanh)
            }
            Activation::QuickGelu => {
                let k = g.const_f32("quick_gelu_k", &[], &[1.702]);
                let scaled = g.node("Mul", &[x, &k], vec![]);
                let sig = g.node("Sigmoid", &[&scaled], vec![]);
                g.node("Mul", &[x, &sig], vec![])
            }
            Activation::Relu => g.node("Relu", &[x], vec![]),
        }
    }
}

/// `0.5 * x * (1 + t)`, the tail of both GELU forms.
fn half_x_times_one_plus(g: &mut Graph<'_>, x: &str, t: &str) -> String {
    let one = g.const_f32("one", &[], &[1.0]);
    let half = g.const_f32("half", &[], &[0.5]);
    let plus = g.node("Add", &[t, &one], vec![]);
    let prod = g.node("Mul", &[x, &plus], vec![]);
    g.node("Mul", &[&prod, &half], vec![])
}

/// The sequence length of `[batch, seq]` ids, as a 1-D int64 tensor `[seq]`.
pub fn seq_len(g: &mut Graph<'_>, ids: &str) -> String {
    g.node(
        "Shape",
        &[ids],
        vec![attr_int("start", 1), attr_int("end", 2)],
    )
}

/// The leading `seq` entries of `table` along each of its first `axes` axes
/// (position tables: one axis; precomputed `[L, L]` masks and bucket maps: two).
pub fn leading(g: &mut Graph<'_>, table: &str, seq: &str, axes: usize) -> String {
    let zeros = g.const_i64("zeros", &[axes], &vec![0; axes]);
    let axis_ids: Vec<i64> = (0..axes as i64).collect();
    let axes_const = g.const_i64("slice_axes", &[axes], &axis_ids);
    let ends = if axes == 1 {
        seq.to_string()
    } else {
        g.node("Concat", &vec![seq; axes], vec![attr_int("axis", 0)])
    };
    g.node("Slice", &[table, &zeros, &ends, &axes_const], vec![])
}

/// `(1 - mask) * MASKED` shaped `[batch, 1, 1, seq]`, added to the attention scores.
pub fn padding_mask(g: &mut Graph<'_>, mask: &str) -> String {
    let axes = g.const_i64("unsqueeze_axes", &[2], &[1, 2]);
    let wide = g.node("Unsqueeze", &[mask, &axes], vec![]);
    let float = g.node("Cast", &[&wide], vec![attr_int("to", FLOAT as i64)]);
    let one = g.const_f32("one", &[], &[1.0]);
    let inverse = g.node("Sub", &[&one, &float], vec![]);
    let masked = g.const_f32("masked", &[], &[MASKED]);
    g.node("Mul", &[&inverse, &masked], vec![])
}
