//! A small ONNX graph builder that streams the weights straight from the checkpoint to the file.
//!
//! Nodes are collected as prost messages, but the weights are not: building one `ModelProto` that
//! owns every weight would hold the checkpoint twice more in memory (the tensors, then the encoded
//! buffer). Protobuf lets a message be written as the concatenation of its fields in any order, so
//! [`Graph::write`] encodes the small part (nodes, inputs, outputs) with prost and then appends each
//! initializer field by hand, copying (or transposing) one tensor at a time from the checkpoint.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

use prost::encoding::{encode_key, encode_varint, encoded_len_varint, key_len, WireType};
use prost::Message;

use super::checkpoint::Source;
use super::onnx::{
    AttributeProto, Dim, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto,
    ValueInfoProto, FLOAT, INT64, INT8,
};

/// ONNX IR version 8 (ONNX 1.10+), which every ONNX Runtime this project loads reads.
const IR_VERSION: i64 = 8;
/// Default-domain opset: 17 is the first with `LayerNormalization`.
const OPSET: i64 = 17;
/// `GraphProto.initializer` and `TensorProto.raw_data` field numbers (see onnx.rs).
const GRAPH_INITIALIZER: u32 = 5;
const TENSOR_RAW_DATA: u32 = 9;
/// `ModelProto.graph`.
const MODEL_GRAPH: u32 = 7;
/// ONNX Runtime's contrib operators (`DynamicQuantizeMatMul`), opset 1.
const MICROSOFT: &str = "com.microsoft";

/// Where an initializer's bytes come from.
enum Data<'a> {
    /// A constant computed by the importer, already little-endian.
    Owned(Vec<u8>),
    /// A checkpoint tensor, converted to f32 while writing.
    Weight(Source<'a>),
}

struct Initializer<'a> {
    /// `TensorProto` without `raw_data`.
    header: TensorProto,
    data: Data<'a>,
}

impl Initializer<'_> {
    fn raw_len(&self) -> usize {
        match &self.data {
            Data::Owned(bytes) => bytes.len(),
            Data::Weight(src) => src.f32_len(),
        }
    }

    /// Length of the `TensorProto` once `raw_data` is appended.
    fn encoded_len(&self) -> usize {
        let raw = self.raw_len();
        self.header.encoded_len() + key_len(TENSOR_RAW_DATA) + encoded_len_varint(raw as u64) + raw
    }
}

/// Graph under construction. Every value and initializer name is unique.
#[derive(Default)]
pub struct Graph<'a> {
    nodes: Vec<NodeProto>,
    initializers: Vec<Initializer<'a>>,
    inputs: Vec<ValueInfoProto>,
    outputs: Vec<ValueInfoProto>,
    names: HashSet<String>,
    /// Small constants already added, by (type, dims, bytes): every layer asks for the same
    /// scalars and shapes, and one initializer serves them all.
    constants: HashMap<(i32, Vec<i64>, Vec<u8>), String>,
    parameters: usize,
    /// Weights [`Graph::quantize_linear_weights`] leaves in f32.
    precise: HashSet<String>,
}

impl<'a> Graph<'a> {
    /// `base` if still free, else `base_1`, `base_2`, …
    fn unique(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        let mut n = 0;
        while !self.names.insert(name.clone()) {
            n += 1;
            name = format!("{base}_{n}");
        }
        name
    }

    /// Declares a graph input; returns its value name.
    pub fn input(&mut self, name: &str, elem_type: i32, dims: &[Dim]) -> String {
        let name = self.unique(name);
        self.inputs
            .push(ValueInfoProto::tensor(&name, elem_type, dims));
        name
    }

    /// Exposes `value` as graph output `name` (through an Identity, which ONNX Runtime removes).
    pub fn output(&mut self, value: &str, name: &str, elem_type: i32, dims: &[Dim]) {
        let name = self.unique(name);
        self.push_node("Identity", &[value], vec![], name.clone());
        self.outputs
            .push(ValueInfoProto::tensor(&name, elem_type, dims));
    }

    /// Adds a one-output node; returns the output's name.
    pub fn node(&mut self, op: &str, inputs: &[&str], attrs: Vec<AttributeProto>) -> String {
        let out = self.unique(&op.to_ascii_lowercase());
        self.push_node(op, inputs, attrs, out.clone());
        out
    }

    fn push_node(
        &mut self,
        op: &str,
        inputs: &[&str],
        attribute: Vec<AttributeProto>,
        out: String,
    ) {
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![out.clone()],
            name: Some(out),
            op_type: Some(op.to_string()),
            attribute,
            domain: None,
        });
    }

    /// A checkpoint tensor as an f32 initializer named after it.
    pub fn weight(&mut self, name: &str, src: Source<'a>) -> String {
        let name = self.unique(name);
        self.parameters += src.numel();
        let header = tensor_header(&name, FLOAT, &src.dims());
        self.initializers.push(Initializer {
            header,
            data: Data::Weight(src),
        });
        name
    }

    /// An f32 constant.
    pub fn const_f32(&mut self, base: &str, dims: &[usize], values: &[f32]) -> String {
        self.constant(
            base,
            FLOAT,
            dims,
            values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        )
    }

    /// An i64 constant.
    pub fn const_i64(&mut self, base: &str, dims: &[usize], values: &[i64]) -> String {
        self.constant(
            base,
            INT64,
            dims,
            values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        )
    }

    fn constant(&mut self, base: &str, data_type: i32, dims: &[usize], bytes: Vec<u8>) -> String {
        let dims: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
        let key = (data_type, dims, bytes);
        if key.2.len() <= 64 {
            if let Some(name) = self.constants.get(&key) {
                return name.clone();
            }
        }
        let (data_type, dims, bytes) = key;
        let name = self.unique(base);
        if bytes.len() <= 64 {
            self.constants
                .insert((data_type, dims.clone(), bytes.clone()), name.clone());
        }
        let header = tensor_header(&name, data_type, &dims);
        self.initializers.push(Initializer {
            header,
            data: Data::Owned(bytes),
        });
        name
    }

    /// Keeps the weight initializer `name` in f32 when the graph is quantized.
    pub fn keep_precise(&mut self, name: &str) {
        self.precise.insert(name.to_string());
    }

    /// Rewrites every `MatMul` by a 2-D checkpoint weight (the `Linear` layers), except those kept
    /// precise, as ONNX Runtime's
    /// `DynamicQuantizeMatMul`: the weight in int8, symmetric, one scale per output column; the
    /// activations quantized to uint8 per batch at run time, so the product runs as u8·s8
    /// integer dot products (VNNI where the CPU has it). Everything else stays f32. Returns how
    /// many layers were quantized.
    pub fn quantize_linear_weights(&mut self) -> usize {
        let mut uses: HashMap<&str, usize> = HashMap::new();
        for input in self.nodes.iter().flat_map(|n| &n.input) {
            *uses.entry(input.as_str()).or_default() += 1;
        }
        let weights: HashMap<String, usize> = self
            .initializers
            .iter()
            .enumerate()
            .filter(|(_, i)| matches!(&i.data, Data::Weight(src) if src.dims().len() == 2))
            .filter_map(|(at, i)| {
                let name = i.header.name.clone()?;
                (uses.get(name.as_str()) == Some(&1)).then_some((name, at))
            })
            .collect();
        let mut quantized = Vec::new();
        for (n, node) in self.nodes.iter().enumerate() {
            if node.op_type.as_deref() == Some("MatMul")
                && node.input.len() == 2
                && !self.precise.contains(&node.input[1])
            {
                if let Some(&at) = weights.get(&node.input[1]) {
                    quantized.push((n, at));
                }
            }
        }
        for &(n, at) in &quantized {
            let Data::Weight(src) = &self.initializers[at].data else {
                unreachable!("only checkpoint weights were chosen")
            };
            let dims = src.dims();
            let columns = dims[1] as usize;
            let mut scratch = Vec::new();
            let (codes, scales) = quantize_columns(src.f32_le_bytes(&mut scratch), columns);
            let init = &mut self.initializers[at];
            init.header.data_type = Some(INT8);
            init.data = Data::Owned(codes);
            let base = format!("{}.scale", self.nodes[n].input[1]);
            let scale = self.const_f32(&base, &[columns], &scales);
            let node = &mut self.nodes[n];
            node.op_type = Some("DynamicQuantizeMatMul".into());
            node.domain = Some(MICROSOFT.into());
            node.input.push(scale);
        }
        quantized.len()
    }

    /// Number of checkpoint parameters the graph holds.
    pub fn parameters(&self) -> usize {
        self.parameters
    }

    /// Writes the model; returns the bytes written.
    pub fn write(self, mut out: impl Write) -> io::Result<u64> {
        let mut opsets = vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(OPSET),
        }];
        if self
            .nodes
            .iter()
            .any(|n| n.domain.as_deref() == Some(MICROSOFT))
        {
            opsets.push(OperatorSetIdProto {
                domain: Some(MICROSOFT.into()),
                version: Some(1),
            });
        }
        let small = GraphProto {
            node: self.nodes,
            name: Some("lookalike".into()),
            initializer: Vec::new(),
            input: self.inputs,
            output: self.outputs,
        };
        let graph_len = small.encoded_len()
            + self
                .initializers
                .iter()
                .map(|i| {
                    key_len(GRAPH_INITIALIZER)
                        + encoded_len_varint(i.encoded_len() as u64)
                        + i.encoded_len()
                })
                .sum::<usize>();
        let model = ModelProto {
            ir_version: Some(IR_VERSION),
            opset_import: opsets,
            producer_name: Some("lookalike".into()),
            producer_version: Some(env!("CARGO_PKG_VERSION").into()),
            graph: None,
        };
        let mut head = model.encode_to_vec();
        encode_key(MODEL_GRAPH, WireType::LengthDelimited, &mut head);
        encode_varint(graph_len as u64, &mut head);
        let total = head.len() + graph_len;
        out.write_all(&head)?;
        out.write_all(&small.encode_to_vec())?;

        let mut scratch = Vec::new();
        for init in &self.initializers {
            let mut prefix = Vec::with_capacity(128);
            encode_key(GRAPH_INITIALIZER, WireType::LengthDelimited, &mut prefix);
            encode_varint(init.encoded_len() as u64, &mut prefix);
            init.header.encode(&mut prefix).map_err(io::Error::other)?;
            encode_key(TENSOR_RAW_DATA, WireType::LengthDelimited, &mut prefix);
            encode_varint(init.raw_len() as u64, &mut prefix);
            out.write_all(&prefix)?;
            match &init.data {
                Data::Owned(bytes) => out.write_all(bytes)?,
                Data::Weight(src) => out.write_all(src.f32_le_bytes(&mut scratch))?,
            }
        }
        out.flush()?;
        Ok(total as u64)
    }
}

/// A row-major `[rows, columns]` f32 matrix (little-endian bytes) as int8 codes and one scale
/// per column: `w ≈ code × scale`, with `scale = max |w| / 127` over the column.
fn quantize_columns(f32_le: &[u8], columns: usize) -> (Vec<u8>, Vec<f32>) {
    let values: Vec<f32> = f32_le
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let mut scales = vec![0.0f32; columns];
    for row in values.chunks_exact(columns) {
        for (scale, &w) in scales.iter_mut().zip(row) {
            *scale = scale.max(w.abs());
        }
    }
    for scale in &mut scales {
        *scale = if *scale > 0.0 { *scale / 127.0 } else { 1.0 };
    }
    let codes = values
        .chunks_exact(columns)
        .flat_map(|row| {
            row.iter()
                .zip(&scales)
                .map(|(&w, &scale)| (w / scale).round().clamp(-127.0, 127.0) as i8 as u8)
        })
        .collect();
    (codes, scales)
}

fn tensor_header(name: &str, data_type: i32, dims: &[i64]) -> TensorProto {
    TensorProto {
        dims: dims.to_vec(),
        data_type: Some(data_type),
        name: Some(name.to_string()),
        raw_data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::quantize_columns;

    /// Every weight comes back within half a step of its column's scale; a column of zeros
    /// gets scale 1 and codes 0 rather than a division by zero.
    #[test]
    fn columns_quantize_within_half_a_step() {
        let (rows, columns) = (5, 3);
        let values: Vec<f32> = (0..rows * columns)
            .map(|i| match i % columns {
                2 => 0.0,
                c => ((i * 37 % 11) as f32 - 5.0) * 0.1 * (c + 1) as f32,
            })
            .collect();
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let (codes, scales) = quantize_columns(&bytes, columns);
        assert_eq!(scales[2], 1.0);
        for (i, (&w, &code)) in values.iter().zip(&codes).enumerate() {
            let scale = scales[i % columns];
            let back = code as i8 as f32 * scale;
            assert!(
                (back - w).abs() <= scale / 2.0 + 1e-7,
                "{w} came back as {back}"
            );
        }
        let max0 = values
            .iter()
            .step_by(columns)
            .fold(0.0f32, |m, w| m.max(w.abs()));
        assert_eq!(scales[0], max0 / 127.0);
    }
}
