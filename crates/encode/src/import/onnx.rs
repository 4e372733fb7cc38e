//! The subset of `onnx.proto` the importer writes, as hand-written prost messages.
//!
//! Field numbers and wire forms follow onnx/onnx.proto (proto2): optional scalars are `Option`s
//! so that an explicit zero (say `axis = 0`) is still written, and proto2 `repeated int64` fields
//! that are not declared `[packed = true]` stay unpacked. Only what the graphs need is declared;
//! readers skip nothing because nothing else is ever written.

/// `TensorProto.DataType.FLOAT`.
pub const FLOAT: i32 = 1;
/// `TensorProto.DataType.INT8`.
pub const INT8: i32 = 3;
/// `TensorProto.DataType.INT64`.
pub const INT64: i32 = 7;

/// `AttributeProto.AttributeType` values used here.
const ATTR_FLOAT: i32 = 1;
const ATTR_INT: i32 = 2;
const ATTR_INTS: i32 = 7;

/// The file: IR version, operator sets and the graph.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ModelProto {
    #[prost(int64, optional, tag = "1")]
    pub ir_version: Option<i64>,
    #[prost(message, repeated, tag = "8")]
    pub opset_import: Vec<OperatorSetIdProto>,
    #[prost(string, optional, tag = "2")]
    pub producer_name: Option<String>,
    #[prost(string, optional, tag = "3")]
    pub producer_version: Option<String>,
    #[prost(message, optional, tag = "7")]
    pub graph: Option<GraphProto>,
}

/// An operator set the model relies on (`domain` empty = the default ONNX domain).
#[derive(Clone, PartialEq, prost::Message)]
pub struct OperatorSetIdProto {
    #[prost(string, optional, tag = "1")]
    pub domain: Option<String>,
    #[prost(int64, optional, tag = "2")]
    pub version: Option<i64>,
}

/// Nodes in topological order, weights, inputs and outputs.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GraphProto {
    #[prost(message, repeated, tag = "1")]
    pub node: Vec<NodeProto>,
    #[prost(string, optional, tag = "2")]
    pub name: Option<String>,
    #[prost(message, repeated, tag = "5")]
    pub initializer: Vec<TensorProto>,
    #[prost(message, repeated, tag = "11")]
    pub input: Vec<ValueInfoProto>,
    #[prost(message, repeated, tag = "12")]
    pub output: Vec<ValueInfoProto>,
}

/// One operator application.
#[derive(Clone, PartialEq, prost::Message)]
pub struct NodeProto {
    #[prost(string, repeated, tag = "1")]
    pub input: Vec<String>,
    #[prost(string, repeated, tag = "2")]
    pub output: Vec<String>,
    #[prost(string, optional, tag = "3")]
    pub name: Option<String>,
    #[prost(string, optional, tag = "4")]
    pub op_type: Option<String>,
    #[prost(message, repeated, tag = "5")]
    pub attribute: Vec<AttributeProto>,
    /// The operator's domain; `None` for the default ONNX domain.
    #[prost(string, optional, tag = "7")]
    pub domain: Option<String>,
}

/// A named attribute; `type` says which value field is set.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AttributeProto {
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    #[prost(int32, optional, tag = "20")]
    pub r#type: Option<i32>,
    #[prost(float, optional, tag = "2")]
    pub f: Option<f32>,
    #[prost(int64, optional, tag = "3")]
    pub i: Option<i64>,
    #[prost(int64, repeated, packed = "false", tag = "8")]
    pub ints: Vec<i64>,
}

/// A tensor: the importer stores every value little-endian in `raw_data`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorProto {
    #[prost(int64, repeated, packed = "false", tag = "1")]
    pub dims: Vec<i64>,
    #[prost(int32, optional, tag = "2")]
    pub data_type: Option<i32>,
    #[prost(string, optional, tag = "8")]
    pub name: Option<String>,
    #[prost(bytes = "vec", optional, tag = "9")]
    pub raw_data: Option<Vec<u8>>,
}

/// A graph input or output: name and type.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueInfoProto {
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    #[prost(message, optional, tag = "2")]
    pub r#type: Option<TypeProto>,
}

/// `TypeProto`: only the tensor arm of its `value` oneof is used.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TypeProto {
    #[prost(oneof = "TypeValue", tags = "1")]
    pub value: Option<TypeValue>,
}

/// `TypeProto.value`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum TypeValue {
    #[prost(message, tag = "1")]
    TensorType(TypeTensor),
}

/// `TypeProto.Tensor`: element type and shape.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TypeTensor {
    #[prost(int32, optional, tag = "1")]
    pub elem_type: Option<i32>,
    #[prost(message, optional, tag = "2")]
    pub shape: Option<TensorShapeProto>,
}

/// `TensorShapeProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorShapeProto {
    #[prost(message, repeated, tag = "1")]
    pub dim: Vec<Dimension>,
}

/// `TensorShapeProto.Dimension`: a fixed size or a named dynamic one.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Dimension {
    #[prost(oneof = "DimValue", tags = "1, 2")]
    pub value: Option<DimValue>,
}

/// `TensorShapeProto.Dimension.value`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum DimValue {
    #[prost(int64, tag = "1")]
    DimValue(i64),
    #[prost(string, tag = "2")]
    DimParam(String),
}

/// A graph input/output dimension as the builders spell it.
#[derive(Clone, Copy, Debug)]
pub enum Dim {
    /// A named dynamic dimension ("batch", "sequence").
    Named(&'static str),
    /// A fixed size.
    Fixed(usize),
}

impl ValueInfoProto {
    /// A tensor value of `elem_type` with the given dimensions.
    pub fn tensor(name: &str, elem_type: i32, dims: &[Dim]) -> Self {
        let dim = dims
            .iter()
            .map(|d| Dimension {
                value: Some(match *d {
                    Dim::Named(n) => DimValue::DimParam(n.to_string()),
                    Dim::Fixed(n) => DimValue::DimValue(n as i64),
                }),
            })
            .collect();
        ValueInfoProto {
            name: Some(name.to_string()),
            r#type: Some(TypeProto {
                value: Some(TypeValue::TensorType(TypeTensor {
                    elem_type: Some(elem_type),
                    shape: Some(TensorShapeProto { dim }),
                })),
            }),
        }
    }
}

/// An integer attribute.
pub fn attr_int(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(ATTR_INT),
        i: Some(i),
        ..Default::default()
    }
}

/// A float attribute.
pub fn attr_float(name: &str, f: f32) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(ATTR_FLOAT),
        f: Some(f),
        ..Default::default()
    }
}

/// An integer-list attribute.
pub fn attr_ints(name: &str, ints: &[i64]) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(ATTR_INTS),
        ints: ints.to_vec(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn model_round_trips() {
        let node = NodeProto {
            input: vec!["x".into(), "w".into()],
            output: vec!["y".into()],
            name: Some("matmul_0".into()),
            op_type: Some("MatMul".into()),
            attribute: vec![attr_int("axis", 0), attr_ints("perm", &[0, 2, 1, 3])],
            domain: None,
        };
        let weight = TensorProto {
            dims: vec![2, 1],
            data_type: Some(FLOAT),
            name: Some("w".into()),
            raw_data: Some(
                [1.5f32, -2.0]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
        };
        let model = ModelProto {
            ir_version: Some(8),
            opset_import: vec![OperatorSetIdProto {
                domain: Some(String::new()),
                version: Some(17),
            }],
            producer_name: Some("lookalike".into()),
            producer_version: None,
            graph: Some(GraphProto {
                node: vec![node],
                name: Some("g".into()),
                initializer: vec![weight],
                input: vec![ValueInfoProto::tensor(
                    "x",
                    FLOAT,
                    &[Dim::Named("batch"), Dim::Fixed(2)],
                )],
                output: vec![ValueInfoProto::tensor(
                    "y",
                    FLOAT,
                    &[Dim::Named("batch"), Dim::Fixed(1)],
                )],
            }),
        };
        let bytes = model.encode_to_vec();
        // ir_version is field 1 as a varint: key 0x08, value 8.
        assert_eq!(&bytes[..2], &[0x08, 0x08]);
        let back = ModelProto::decode(bytes.as_slice()).unwrap();
        assert_eq!(back, model);
        let graph = back.graph.unwrap();
        assert_eq!(
            graph.node[0].attribute[0].i,
            Some(0),
            "an explicit zero survives"
        );
        assert_eq!(
            graph.initializer[0].raw_data.as_deref().unwrap()[..4],
            1.5f32.to_le_bytes()
        );
        match &graph.input[0].r#type.as_ref().unwrap().value {
            Some(TypeValue::TensorType(t)) => {
                let dims = &t.shape.as_ref().unwrap().dim;
                assert_eq!(dims[0].value, Some(DimValue::DimParam("batch".into())));
                assert_eq!(dims[1].value, Some(DimValue::DimValue(2)));
            }
            None => panic!("input lost its type"),
        }
    }
}
