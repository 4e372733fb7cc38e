//! Importer tests that need no ONNX Runtime: error cases, and a tiny synthetic BERT whose written
//! model is decoded back with prost.

use std::path::Path;

use prost::Message;
use safetensors::tensor::TensorView;
use safetensors::Dtype;

use super::onnx::{ModelProto, TypeValue};
use super::*;

const TOKENIZER: &str = r#"{"version": "1.0", "added_tokens": []}"#;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A one-layer BERT (hidden 4, 2 heads, intermediate 8, vocab 10, 8 positions), saved the way a
/// task head saves it: every tensor under `bert.`.
fn tiny_bert(dir: &Path, intermediate_in_config: usize) {
    write(
        dir,
        "config.json",
        &format!(
            r#"{{"architectures": ["BertForMaskedLM"], "model_type": "bert", "hidden_size": 4,
                "num_attention_heads": 2, "intermediate_size": {intermediate_in_config},
                "num_hidden_layers": 1, "vocab_size": 10, "max_position_embeddings": 8,
                "pad_token_id": 0, "hidden_act": "gelu"}}"#
        ),
    );
    write(dir, "tokenizer.json", TOKENIZER);
    let mut shapes: Vec<(String, Vec<usize>)> = vec![
        ("embeddings.word_embeddings.weight".into(), vec![10, 4]),
        ("embeddings.position_embeddings.weight".into(), vec![8, 4]),
        ("embeddings.token_type_embeddings.weight".into(), vec![2, 4]),
    ];
    let norms = [
        "embeddings.LayerNorm",
        "encoder.layer.0.attention.output.LayerNorm",
        "encoder.layer.0.output.LayerNorm",
    ];
    for norm in norms {
        shapes.push((format!("{norm}.weight"), vec![4]));
        shapes.push((format!("{norm}.bias"), vec![4]));
    }
    let linears = [
        ("attention.self.query", 4, 4),
        ("attention.self.key", 4, 4),
        ("attention.self.value", 4, 4),
        ("attention.output.dense", 4, 4),
        ("intermediate.dense", 8, 4),
        ("output.dense", 4, 8),
    ];
    for (name, out, inp) in linears {
        shapes.push((format!("encoder.layer.0.{name}.weight"), vec![out, inp]));
        shapes.push((format!("encoder.layer.0.{name}.bias"), vec![out]));
    }
    let data: Vec<(String, Vec<usize>, Vec<u8>)> = shapes
        .into_iter()
        .map(|(name, shape)| {
            let n: usize = shape.iter().product();
            let bytes = (0..n)
                .flat_map(|i| (i as f32 * 0.01).to_le_bytes())
                .collect();
            (format!("bert.{name}"), shape, bytes)
        })
        .collect();
    let views = data.iter().map(|(name, shape, bytes)| {
        (
            name.clone(),
            TensorView::new(Dtype::F32, shape.clone(), bytes).unwrap(),
        )
    });
    std::fs::write(
        dir.join("model.safetensors"),
        safetensors::serialize(views, None).unwrap(),
    )
    .unwrap();
}

/// An int8 import rewrites the attention and up-projection `Linear`s as ONNX Runtime's
/// `DynamicQuantizeMatMul` (int8 weights, one scale per column), keeps the down-projection in
/// f32, declares the contrib domain, and says so in the manifest.
#[test]
fn tiny_bert_imports_in_int8() {
    let hf = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    tiny_bert(hf.path(), 8);
    let out_dir = out.path().join("tiny-int8");
    let report = import_checkpoint_as(hf.path(), &out_dir, Precision::Int8).unwrap();
    // q, k, v, attention out and up; not down.
    assert_eq!(report.quantized_layers, 5);
    let bytes = std::fs::read(out_dir.join("model.onnx")).unwrap();
    let model = ModelProto::decode(bytes.as_slice()).unwrap();
    assert!(model
        .opset_import
        .iter()
        .any(|o| o.domain.as_deref() == Some("com.microsoft") && o.version == Some(1)));
    let graph = model.graph.unwrap();
    let quantized: Vec<_> = graph
        .node
        .iter()
        .filter(|n| n.op_type.as_deref() == Some("DynamicQuantizeMatMul"))
        .collect();
    assert_eq!(quantized.len(), 5);
    assert!(quantized
        .iter()
        .all(|n| n.domain.as_deref() == Some("com.microsoft") && n.input.len() == 3));
    let init = |name: &str| {
        graph
            .initializer
            .iter()
            .find(|i| i.name.as_deref() == Some(name))
            .unwrap()
    };
    let up = init("encoder.layer.0.intermediate.dense.weight");
    assert_eq!((up.data_type, up.dims.as_slice()), (Some(3), &[4, 8][..]));
    assert_eq!(
        init("encoder.layer.0.intermediate.dense.weight.scale").dims,
        [8]
    );
    let down = init("encoder.layer.0.output.dense.weight");
    assert_eq!(
        down.data_type,
        Some(onnx::FLOAT),
        "the down-projection stays f32"
    );
    let manifest: Manifest =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join(MANIFEST_FILE)).unwrap())
            .unwrap();
    assert!(manifest.source.unwrap()["precision"]
        .as_str()
        .unwrap()
        .starts_with("int8"));
}

#[test]
fn tiny_bert_imports() {
    let hf = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    tiny_bert(hf.path(), 8);
    let out_dir = out.path().join("tiny");
    let report = import_checkpoint(hf.path(), &out_dir).unwrap();
    assert_eq!(report.family, Family::Bert);
    assert_eq!(report.architecture, "BertForMaskedLM");
    assert_eq!((report.dim, report.max_tokens), (4, 8));
    // Everything but row 1 of the token type table.
    assert_eq!(report.parameters, 40 + 32 + 4 + 6 * 4 + 4 * 20 + 40 + 36);

    let bytes = std::fs::read(out_dir.join("model.onnx")).unwrap();
    assert_eq!(report.onnx_bytes, bytes.len() as u64);
    let model = ModelProto::decode(bytes.as_slice()).unwrap();
    assert_eq!(model.ir_version, Some(8));
    assert_eq!(model.opset_import[0].version, Some(17));
    let graph = model.graph.unwrap();
    let names = |v: &[onnx::ValueInfoProto]| {
        v.iter()
            .map(|i| i.name.clone().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&graph.input), ["input_ids", "attention_mask"]);
    assert_eq!(names(&graph.output), ["last_hidden_state"]);
    let Some(TypeValue::TensorType(t)) = &graph.output[0].r#type.as_ref().unwrap().value else {
        panic!()
    };
    assert_eq!(t.shape.as_ref().unwrap().dim.len(), 3);

    let init = |name: &str| {
        graph
            .initializer
            .iter()
            .find(|i| i.name.as_deref() == Some(name))
            .unwrap()
    };
    // Linear weights are stored transposed, [in, out], and the data follows.
    let up = init("encoder.layer.0.intermediate.dense.weight");
    assert_eq!(up.dims, [4, 8]);
    let raw = up.raw_data.as_ref().unwrap();
    let second = f32::from_le_bytes(raw[4..8].try_into().unwrap());
    assert_eq!(
        second,
        4.0 * 0.01,
        "element [0][1] of the transpose is element [1][0] of the original"
    );
    assert_eq!(init("embeddings.token_type_embeddings.weight").dims, [1, 4]);
    let mut seen = std::collections::HashSet::new();
    assert!(
        graph
            .node
            .iter()
            .flat_map(|n| &n.output)
            .all(|o| seen.insert(o.clone())),
        "unique outputs"
    );

    assert_eq!(
        std::fs::read_to_string(out_dir.join("tokenizer.json")).unwrap(),
        TOKENIZER
    );
    let manifest: Manifest =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join(MANIFEST_FILE)).unwrap())
            .unwrap();
    assert_eq!(manifest.family, Some(Family::Bert));
    assert_eq!(manifest.pooling, Some(Pooling::Mean));
    assert_eq!(manifest.normalize, Some(true));
    assert_eq!(manifest.pad_token_id, Some(0));
    assert_eq!(manifest.source.unwrap()["config"]["hidden_size"], 4);
    let leftovers: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        3,
        "no temporary file left behind: {leftovers:?}"
    );
}

#[test]
fn wrong_shape_names_the_tensor() {
    let hf = tempfile::tempdir().unwrap();
    tiny_bert(hf.path(), 6);
    let err = import_checkpoint(hf.path(), &hf.path().join("out")).unwrap_err();
    assert!(matches!(err, EncodeError::Invalid { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("bert.encoder.layer.0.intermediate.dense.weight"),
        "{err}"
    );
}

#[test]
fn unsupported_architecture_is_named() {
    let hf = tempfile::tempdir().unwrap();
    write(
        hf.path(),
        "config.json",
        r#"{"architectures": ["LlamaForCausalLM"], "model_type": "llama"}"#,
    );
    let err = import_checkpoint(hf.path(), &hf.path().join("out")).unwrap_err();
    match &err {
        EncodeError::UnsupportedArchitecture { architecture, .. } => {
            assert_eq!(architecture, "llama")
        }
        other => panic!("expected UnsupportedArchitecture, got {other}"),
    }
    write(
        hf.path(),
        "config.json",
        r#"{"architectures": ["CLIPVisionModel"], "model_type": "clip"}"#,
    );
    let err = import_checkpoint(hf.path(), &hf.path().join("out")).unwrap_err();
    assert!(err.to_string().contains("CLIPVisionModel"), "{err}");
}

#[test]
fn missing_weights_are_reported() {
    let hf = tempfile::tempdir().unwrap();
    write(
        hf.path(),
        "config.json",
        r#"{"architectures": ["BertModel"], "model_type": "bert", "vocab_size": 10}"#,
    );
    write(hf.path(), "tokenizer.json", TOKENIZER);
    let err = import_checkpoint(hf.path(), &hf.path().join("out")).unwrap_err();
    match &err {
        EncodeError::Missing { path, .. } => assert!(path.ends_with("model.safetensors"), "{err}"),
        other => panic!("expected Missing, got {other}"),
    }
    assert!(
        !hf.path().join("out").exists(),
        "nothing is written on failure"
    );
}

#[test]
fn pooling_config_is_read() {
    let path = Path::new("1_Pooling/config.json");
    let cls =
        serde_json::json!({"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false});
    assert_eq!(pooling_mode(&cls, path).unwrap(), Pooling::Cls);
    let max = serde_json::json!({"pooling_mode_max_tokens": true});
    assert!(pooling_mode(&max, path)
        .unwrap_err()
        .to_string()
        .contains("pooling_mode_max_tokens"));
}

#[test]
fn family_is_detected_from_either_key() {
    let detected = |config: &str| {
        let value: Value = serde_json::from_str(config).unwrap();
        let config = Config {
            value: &value,
            path: Path::new("config.json"),
        };
        detect(&config).map(|(_, model_type, architecture)| (model_type, architecture))
    };
    let found =
        |model_type: &str, architecture: &str| Some((model_type.into(), architecture.into()));
    assert_eq!(
        detected(r#"{"architectures": ["MPNetForMaskedLM"]}"#).ok(),
        found("mpnet", "MPNetForMaskedLM")
    );
    assert_eq!(
        detected(r#"{"architectures": ["CLIPModel"]}"#).ok(),
        found("clip", "CLIPModel")
    );
    assert_eq!(
        detected(r#"{"model_type": "bert"}"#).ok(),
        found("bert", "bert")
    );
    for wrong in [
        r#"{"model_type": "bert", "architectures": ["MPNetModel"]}"#,
        r#"{"architectures": ["RobertaModel"]}"#,
        r#"{}"#,
    ] {
        assert!(
            matches!(
                detected(wrong),
                Err(EncodeError::UnsupportedArchitecture { .. })
            ),
            "{wrong}"
        );
    }
}
