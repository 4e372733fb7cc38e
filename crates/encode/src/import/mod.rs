//! Hugging Face safetensors → ONNX importer, in pure Rust.
//!
//! [`import_checkpoint`] reads a checkpoint directory (`config.json`, `model.safetensors`,
//! `tokenizer.json`, and the sentence-transformers extras when present) and writes a model
//! directory: `model.onnx`, `tokenizer.json` (copied byte for byte) and `lookalike.json`.
//!
//! Every graph takes `input_ids` and `attention_mask`, both int64 `[batch, sequence]`, padded on
//! the right. BERT and MPNet output `last_hidden_state` `[batch, sequence, hidden]` (the manifest
//! asks for mean pooling); CLIP text towers pool at the end-of-text token inside the graph and
//! output `text_embeds` `[batch, projection]` (or `pooler_output` `[batch, hidden]` without a
//! projection) plus `last_hidden_state`.

mod bert;
mod blocks;
mod checkpoint;
mod clip;
mod config;
mod graph;
mod hub;
mod mpnet;
mod onnx;
mod ops;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

pub use self::hub::resolve_checkpoint;

use self::checkpoint::Checkpoint;
use self::config::{read_json, read_optional_json, Config};
use self::graph::Graph;
use crate::error::{EncodeError, Result};
use crate::manifest::{Family, Manifest, Pooling, MANIFEST_FILE};

/// What [`import_checkpoint`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportReport {
    /// Model family written to the manifest.
    pub family: Family,
    /// The checkpoint's `architectures[0]` (else its `model_type`).
    pub architecture: String,
    /// Embedding dimension.
    pub dim: usize,
    /// Maximum tokens per text.
    pub max_tokens: usize,
    /// Number of checkpoint parameters in the graph.
    pub parameters: usize,
    /// Size of `model.onnx`.
    pub onnx_bytes: u64,
    /// `Linear` layers written as int8 (0 for an f32 import).
    pub quantized_layers: usize,
}

/// The int8 import of model `NAME` is installed as `NAME-int8`.
pub const INT8_SUFFIX: &str = "-int8";

/// The number format of an imported graph's `Linear` weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Precision {
    /// The checkpoint's weights as f32: the model under audit.
    #[default]
    F32,
    /// int8 weights with per-column scales, run by ONNX Runtime's `DynamicQuantizeMatMul`:
    /// about 1.7× faster on a CPU with VNNI, with cosines within a few hundredths of the f32
    /// model's (bench/RESULTS.md). A first pass, never the model under audit.
    Int8,
}

/// A family's graph and the manifest fields it decides.
struct Built<'a> {
    graph: Graph<'a>,
    manifest: Manifest,
}

/// What the sentence-transformers files say (defaults when they are absent).
struct SentenceTransformers {
    max_seq_length: Option<usize>,
    pooling: Pooling,
    normalize: bool,
}

/// The supported families, in the order `detect` tries them on `architectures[0]`.
#[derive(Clone, Copy)]
enum Kind {
    Bert,
    Mpnet,
    Clip,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Bert, Kind::Mpnet, Kind::Clip];

    /// Whether `architectures[0]` names a model of this family (a task head, a bare model).
    fn fits(self, architecture: &str) -> bool {
        match self {
            Kind::Bert => architecture.starts_with("Bert"),
            Kind::Mpnet => architecture.starts_with("MPNet"),
            Kind::Clip => CLIP_ARCHITECTURES.contains(&architecture),
        }
    }
}

const CLIP_ARCHITECTURES: [&str; 3] = ["CLIPTextModel", "CLIPTextModelWithProjection", "CLIPModel"];

/// Converts the Hugging Face checkpoint in `hf_dir` into a lookalike model directory `out_dir`
/// (created if needed; `model.onnx` is replaced atomically).
pub fn import_checkpoint(hf_dir: &Path, out_dir: &Path) -> Result<ImportReport> {
    import_checkpoint_as(hf_dir, out_dir, Precision::F32)
}

/// [`import_checkpoint`] in the given precision; an int8 manifest records it under
/// `source.precision`.
pub fn import_checkpoint_as(
    hf_dir: &Path,
    out_dir: &Path,
    precision: Precision,
) -> Result<ImportReport> {
    if !hf_dir.is_dir() {
        return Err(EncodeError::Missing {
            what: "checkpoint directory".into(),
            path: hf_dir.to_path_buf(),
            hint: String::new(),
        });
    }
    let config_path = hf_dir.join("config.json");
    let config_value = read_json(&config_path, "config.json")?;
    let config = Config {
        value: &config_value,
        path: &config_path,
    };
    let (kind, model_type, architecture) = detect(&config)?;

    let tokenizer_path = hf_dir.join("tokenizer.json");
    if !tokenizer_path.is_file() {
        return Err(EncodeError::Missing {
            what: "tokenizer.json".into(),
            path: tokenizer_path,
            hint: ". Export the tokenizer with transformers' `save_pretrained` (fast tokenizer)"
                .into(),
        });
    }
    let tokenizer_bytes =
        std::fs::read(&tokenizer_path).map_err(EncodeError::io("reading", &tokenizer_path))?;
    let tokenizer: Value = serde_json::from_slice(&tokenizer_bytes)
        .map_err(|e| EncodeError::invalid("tokenizer", &tokenizer_path, e))?;

    let ckpt = Checkpoint::read(&hf_dir.join("model.safetensors"))?;
    let built = match kind {
        Kind::Bert => bert::build(&config, &ckpt, &SentenceTransformers::read(hf_dir)?)?,
        Kind::Mpnet => mpnet::build(&config, &ckpt, &SentenceTransformers::read(hf_dir)?)?,
        Kind::Clip => clip::build(&config, &model_type, &ckpt, &tokenizer)?,
    };

    std::fs::create_dir_all(out_dir).map_err(EncodeError::io("creating", out_dir))?;
    let Built {
        mut graph,
        mut manifest,
    } = built;
    let parameters = graph.parameters();
    let quantized_layers = match precision {
        Precision::F32 => 0,
        Precision::Int8 => graph.quantize_linear_weights(),
    };
    let onnx_bytes = write_model(graph, &out_dir.join("model.onnx"))?;
    drop(ckpt);
    let out_tokenizer = out_dir.join("tokenizer.json");
    std::fs::write(&out_tokenizer, &tokenizer_bytes)
        .map_err(EncodeError::io("writing", &out_tokenizer))?;

    manifest.source = Some(json!({
        "architecture": architecture,
        "model_type": model_type,
        "checkpoint": hf_dir.display().to_string(),
        "config": config_value,
    }));
    if precision == Precision::Int8 {
        manifest.source.as_mut().expect("set above")["precision"] =
            json!("int8 Linear weights, per-column scales (DynamicQuantizeMatMul)");
    }
    // Written last: a directory with a manifest is complete.
    let manifest_path = out_dir.join(MANIFEST_FILE);
    let text =
        serde_json::to_string_pretty(&manifest).expect("a manifest always serialises") + "\n";
    std::fs::write(&manifest_path, text).map_err(EncodeError::io("writing", &manifest_path))?;

    Ok(ImportReport {
        family: manifest.family.expect("every builder sets the family"),
        architecture,
        dim: manifest.dim.expect("every builder sets dim"),
        max_tokens: manifest.max_tokens.expect("every builder sets max_tokens"),
        parameters,
        onnx_bytes,
        quantized_layers,
    })
}

/// The family from `model_type` (else `architectures[0]`), checked against the architecture.
/// Returns the kind, the model type and the architecture name for the report.
fn detect(config: &Config<'_>) -> Result<(Kind, String, String)> {
    let unsupported = |name: &str| EncodeError::UnsupportedArchitecture {
        architecture: name.to_string(),
        path: config.path.to_path_buf(),
    };
    let model_type = config.value["model_type"].as_str();
    let architecture = config.value["architectures"]
        .as_array()
        .and_then(|a| a.first())
        .and_then(Value::as_str);
    let kind = match (model_type, architecture) {
        (Some("bert"), _) => Kind::Bert,
        (Some("mpnet"), _) => Kind::Mpnet,
        (Some("clip_text_model" | "clip"), _) => Kind::Clip,
        (Some(other), _) => return Err(unsupported(other)),
        (None, Some(a)) => Kind::ALL
            .into_iter()
            .find(|kind| kind.fits(a))
            .ok_or_else(|| unsupported(a))?,
        (None, None) => {
            return Err(unsupported(
                "(config has neither model_type nor architectures)",
            ))
        }
    };
    // A model type with another family's architecture (CLIPVisionModel says "clip") is refused.
    if let Some(a) = architecture.filter(|a| !kind.fits(a)) {
        return Err(unsupported(a));
    }
    let model_type = match (model_type, kind) {
        (Some(t), _) => t.to_string(),
        (None, Kind::Bert) => "bert".into(),
        (None, Kind::Mpnet) => "mpnet".into(),
        (None, Kind::Clip) if architecture == Some("CLIPModel") => "clip".into(),
        (None, Kind::Clip) => "clip_text_model".into(),
    };
    let architecture = architecture
        .map(str::to_string)
        .unwrap_or_else(|| model_type.clone());
    Ok((kind, model_type, architecture))
}

impl SentenceTransformers {
    /// Reads `sentence_bert_config.json`, `modules.json` and the pooling module's `config.json`.
    fn read(hf_dir: &Path) -> Result<Self> {
        let max_seq_length = read_optional_json(hf_dir.join("sentence_bert_config.json"))?
            .and_then(|c| c["max_seq_length"].as_u64())
            .map(|n| n as usize);
        let modules = read_optional_json(hf_dir.join("modules.json"))?;
        let modules: &[Value] = modules
            .as_ref()
            .and_then(Value::as_array)
            .map_or(&[], |m| m.as_slice());
        let is = |m: &&Value, kind: &str| m["type"].as_str().is_some_and(|t| t.ends_with(kind));
        let pooling_dir = modules
            .iter()
            .find(|m| is(m, "Pooling"))
            .and_then(|m| m["path"].as_str())
            .unwrap_or("1_Pooling");
        // Without modules.json, assume the usual sentence-transformers stack (which normalises).
        let normalize = modules.is_empty() || modules.iter().any(|m| is(&m, "Normalize"));
        let pooling_path = hf_dir.join(pooling_dir).join("config.json");
        let pooling = match read_optional_json(pooling_path.clone())? {
            Some(c) => pooling_mode(&c, &pooling_path)?,
            None => Pooling::Mean,
        };
        Ok(SentenceTransformers {
            max_seq_length,
            pooling,
            normalize,
        })
    }

    /// Tokens per text: `max_seq_length` (else BERT's 512), within the `positions` the model
    /// can embed.
    fn max_tokens(&self, positions: usize) -> usize {
        self.max_seq_length.unwrap_or(512).min(positions)
    }

    /// The manifest of a sentence encoder pooled by the encoder over `last_hidden_state`.
    fn manifest(
        &self,
        family: Family,
        dim: usize,
        pad_token_id: usize,
        max_tokens: usize,
    ) -> Manifest {
        Manifest {
            family: Some(family),
            pooling: Some(self.pooling.clone()),
            output: Some("last_hidden_state".into()),
            normalize: Some(self.normalize),
            max_tokens: Some(max_tokens),
            dim: Some(dim),
            pad_token_id: Some(pad_token_id as u32),
            ..Default::default()
        }
    }
}

/// The pooling a sentence-transformers `Pooling` config selects; only mean and CLS are supported.
fn pooling_mode(config: &Value, path: &Path) -> Result<Pooling> {
    let modes = [
        ("pooling_mode_cls_token", Some(Pooling::Cls)),
        ("pooling_mode_mean_tokens", Some(Pooling::Mean)),
        ("pooling_mode_max_tokens", None),
        ("pooling_mode_mean_sqrt_len_tokens", None),
        ("pooling_mode_weightedmean_tokens", None),
        ("pooling_mode_lasttoken", None),
    ];
    let on: Vec<_> = modes
        .into_iter()
        .filter(|(key, _)| config[*key].as_bool() == Some(true))
        .collect();
    match on.as_slice() {
        [(_, Some(pooling))] => Ok(pooling.clone()),
        [] => Ok(Pooling::Mean),
        _ => {
            let names: Vec<&str> = on.iter().map(|(key, _)| *key).collect();
            Err(EncodeError::invalid(
                "pooling config",
                path,
                format!(
                    "{} is not supported (lookalike pools with one of mean or cls)",
                    names.join(" + ")
                ),
            ))
        }
    }
}

/// Writes the graph to a temporary file beside `path`, then renames it into place.
fn write_model(graph: Graph<'_>, path: &Path) -> Result<u64> {
    let tmp: PathBuf = path.with_file_name(format!(".model.onnx.{}.tmp", std::process::id()));
    let written = (|| -> std::io::Result<u64> {
        let mut out = BufWriter::with_capacity(8 << 20, File::create(&tmp)?);
        let n = graph.write(&mut out)?;
        // No fsync: the rename already keeps readers from ever seeing a partial file, and
        // syncing 400 MB would triple the import time.
        drop(out.into_inner().map_err(|e| e.into_error())?);
        Ok(n)
    })();
    let renamed = written.and_then(|n| std::fs::rename(&tmp, path).map(|()| n));
    renamed.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        EncodeError::io("writing", path)(e)
    })
}

#[cfg(test)]
mod tests;
