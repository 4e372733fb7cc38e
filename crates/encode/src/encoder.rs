//! The encoding engine: tokenize in parallel, batch by length, run ONNX Runtime, pool, normalise.

use std::borrow::Cow;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use ort::session::{builder::GraphOptimizationLevel, Session, SessionInputValue};
use ort::value::{Tensor, TensorElementType};
use tokenizers::{Encoding, Tokenizer, TruncationParams};

use crate::error::{EncodeError, Result};
use crate::manifest::Pooling;
use crate::model::ModelDir;
use crate::{identity, pooling, runtime, Device};

/// How an [`Encoder`] spends the machine.
#[derive(Debug, Clone)]
pub struct EncoderOptions {
    /// Threads for ONNX Runtime in all (default: the number of cores).
    pub threads: usize,
    /// Sessions running batches side by side; each gets `threads / workers` intra-op threads.
    pub workers: usize,
    /// Most texts in one batch.
    pub max_batch_rows: usize,
    /// Most padded tokens (rows × longest row) in one batch.
    pub max_batch_tokens: usize,
    /// Show a progress bar on stderr for long runs.
    pub progress: bool,
    /// Where ONNX Runtime runs the model.
    pub device: Device,
}

impl Default for EncoderOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        // Short texts make small matrices, where one ONNX Runtime thread per session and several
        // sessions on different batches beat one session splitting each op across threads
        // (bench/RESULTS.md). Four sessions at most keep the weights' memory bounded on big
        // machines. Batches of 32 short texts measured fastest on 2 cores: 6.0s for 3,000 COCO
        // captions against 7.1s with 128 and 6.5s with 16.
        let defaults = EncoderOptions {
            threads: cores,
            workers: cores.min(4),
            max_batch_rows: 32,
            max_batch_tokens: 4096,
            progress: true,
            device: Device::Cpu,
        };
        defaults.with_env_overrides()
    }
}

impl EncoderOptions {
    /// Tuning knobs from the environment, for benchmarks and unusual machines:
    /// `LOOKALIKE_ENCODE_WORKERS`, `LOOKALIKE_BATCH_ROWS`, `LOOKALIKE_BATCH_TOKENS`.
    pub fn with_env_overrides(mut self) -> Self {
        let read = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|&v| v > 0)
        };
        if let Some(workers) = read("LOOKALIKE_ENCODE_WORKERS") {
            self.workers = workers;
        }
        if let Some(rows) = read("LOOKALIKE_BATCH_ROWS") {
            self.max_batch_rows = rows;
        }
        if let Some(tokens) = read("LOOKALIKE_BATCH_TOKENS") {
            self.max_batch_tokens = tokens;
        }
        self
    }
}

/// Vectors for a list of texts, row-major, in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct Embeddings {
    /// Dimension of each vector.
    pub dim: usize,
    /// `texts.len() × dim` floats.
    pub data: Vec<f32>,
    /// How many texts were longer than the model's context and were truncated.
    pub truncated: usize,
}

impl Embeddings {
    /// The vector of row `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }
}

/// What the graph's inputs are called and which of them it has.
#[derive(Debug)]
struct Inputs {
    names: Vec<String>,
    int32: bool,
}

/// A loaded model, ready to encode.
pub struct Encoder {
    model: ModelDir,
    tokenizer: Tokenizer,
    sessions: Vec<Mutex<Session>>,
    inputs: Inputs,
    output: String,
    pooling: Pooling,
    dim: usize,
    max_tokens: usize,
    pad_id: u32,
    identity: String,
    options: EncoderOptions,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("model", &self.model.name)
            .field("dim", &self.dim)
            .field("pooling", &self.pooling)
            .finish()
    }
}

impl Encoder {
    /// Loads a model directory into ONNX Runtime sessions.
    pub fn load(model: ModelDir, options: EncoderOptions) -> Result<Encoder> {
        let env = runtime::environment()?;
        let onnx_err = |e: &dyn std::fmt::Display| EncodeError::Onnx {
            path: model.onnx.clone(),
            message: e.to_string(),
        };
        let device = options.device.resolve();
        // A GPU runs one batch at a time; CPU sessions side by side only pay on the CPU.
        let workers = if device == Device::Cpu {
            options.workers.max(1)
        } else {
            1
        };
        let intra = (options.threads / workers).max(1);
        let mut sessions = Vec::with_capacity(workers);
        for _ in 0..workers {
            let builder = Session::builder(env).map_err(|e| onnx_err(&e))?;
            let session = device
                .register(builder, &model.onnx)?
                .with_optimization_level(GraphOptimizationLevel::Level3)
                .map_err(|e| onnx_err(&e))?
                .with_intra_threads(intra)
                .map_err(|e| onnx_err(&e))?
                // Every batch has another shape, so a memory plan made for one never fits the next.
                .with_memory_pattern(false)
                .map_err(|e| onnx_err(&e))?
                .commit_from_file(&model.onnx)
                .map_err(|e| onnx_err(&e))?;
            sessions.push(Mutex::new(session));
        }
        let first = sessions[0].get_mut().expect("fresh mutex");
        let inputs = plan_inputs(first, &model)?;
        let outputs: Vec<String> = first
            .outputs()
            .iter()
            .map(|o| o.name().to_string())
            .collect();
        let pooling = resolve_pooling(&model, &outputs)?;
        let output = match &pooling {
            Pooling::Output(name) => name.clone(),
            _ => model.manifest.output.clone().unwrap_or_else(|| {
                if outputs.iter().any(|o| o == "last_hidden_state") {
                    "last_hidden_state".into()
                } else {
                    outputs[0].clone()
                }
            }),
        };
        if !outputs.contains(&output) {
            return Err(EncodeError::Shape {
                model: model.name.clone(),
                reason: format!(
                    "the graph has no output '{output}' (outputs: {})",
                    outputs.join(", ")
                ),
            });
        }

        let mut tokenizer =
            Tokenizer::from_file(&model.tokenizer).map_err(|e| EncodeError::Tokenizer {
                path: model.tokenizer.clone(),
                message: e.to_string(),
            })?;
        let max_tokens = model.manifest.max_tokens.unwrap_or(512);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..Default::default()
            }))
            .map_err(|e| EncodeError::Tokenizer {
                path: model.tokenizer.clone(),
                message: e.to_string(),
            })?;
        let pad_id = model
            .manifest
            .pad_token_id
            .or_else(|| tokenizer.get_padding().map(|p| p.pad_id))
            .or_else(|| {
                ["[PAD]", "<pad>"]
                    .iter()
                    .find_map(|t| tokenizer.token_to_id(t))
            })
            .unwrap_or(0);
        tokenizer.with_padding(None);

        let mut parts = vec![
            identity::file_digest(&model.onnx)?,
            identity::file_digest(&model.tokenizer)?,
            serde_json::to_string(&(
                &pooling,
                &output,
                model.normalize(),
                max_tokens,
                pad_id,
                model.eos(),
            ))
            .unwrap_or_default(),
        ];
        parts.extend(device.tag().map(String::from));
        let identity = identity::combine(&parts.iter().map(String::as_str).collect::<Vec<_>>());
        let mut encoder = Encoder {
            model,
            tokenizer,
            sessions,
            inputs,
            output,
            pooling,
            dim: 0,
            max_tokens,
            pad_id,
            identity,
            options,
        };
        // One tiny run tells the output dimension whatever the graph declares, and proves the
        // graph runs before any real work is queued on it.
        let (probe, _) = encoder.tokenize(&[""])?;
        encoder.dim = encoder.run_on(0, &probe.iter().collect::<Vec<_>>())?.len();
        if let Some(declared) = encoder.model.manifest.dim {
            if declared != encoder.dim {
                return Err(EncodeError::Shape {
                    model: encoder.model.name.clone(),
                    reason: format!(
                        "manifest says dim {declared} but the graph produces {}",
                        encoder.dim
                    ),
                });
            }
        }
        Ok(encoder)
    }

    /// Loads with default options.
    pub fn open(model: ModelDir) -> Result<Encoder> {
        Encoder::load(model, EncoderOptions::default())
    }

    /// The model's name.
    pub fn name(&self) -> &str {
        &self.model.name
    }

    /// The model directory.
    pub fn model(&self) -> &ModelDir {
        &self.model
    }

    /// Embedding dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Most tokens per text (longer texts are truncated).
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    /// The pooling in use.
    pub fn pooling(&self) -> &Pooling {
        &self.pooling
    }

    /// Content hash of graph, tokenizer and settings: the embedding cache's key.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// Tokenizes, truncating to the model's context; returns the encodings and how many were cut.
    pub fn tokenize(&self, texts: &[&str]) -> Result<(Vec<Encoding>, usize)> {
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| EncodeError::Tokenizer {
                path: self.model.tokenizer.clone(),
                message: e.to_string(),
            })?;
        let truncated = encodings
            .iter()
            .filter(|e| !e.get_overflowing().is_empty())
            .count();
        Ok((encodings, truncated))
    }

    /// Encodes texts into one vector each, in input order.
    pub fn encode(&self, texts: &[&str]) -> Result<Embeddings> {
        let (encodings, truncated) = self.tokenize(texts)?;
        let mut order: Vec<usize> = (0..encodings.len()).collect();
        // Longest first: the memory peak shows at once, and each batch pads little.
        order.sort_by_key(|&i| std::cmp::Reverse(encodings[i].len()));
        let batches = self.batches(&order, &encodings);
        let progress = self.progress_bar(texts.len());
        let mut data = vec![0.0f32; texts.len() * self.dim];
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<(usize, Vec<f32>)>> = Mutex::new(Vec::new());
        let failure: Mutex<Option<EncodeError>> = Mutex::new(None);
        std::thread::scope(|scope| {
            for worker in 0..self.sessions.len() {
                let (next, results, failure, batches, encodings, progress) =
                    (&next, &results, &failure, &batches, &encodings, &progress);
                scope.spawn(move || loop {
                    let b = next.fetch_add(1, Ordering::Relaxed);
                    if b >= batches.len() || failure.lock().unwrap().is_some() {
                        break;
                    }
                    let batch: Vec<&Encoding> = batches[b].iter().map(|&i| &encodings[i]).collect();
                    match self.run_on(worker, &batch) {
                        Ok(vectors) => {
                            results.lock().unwrap().push((b, vectors));
                            if let Some(bar) = progress {
                                bar.inc(batch.len() as u64);
                            }
                        }
                        Err(e) => {
                            failure.lock().unwrap().get_or_insert(e);
                        }
                    }
                });
            }
        });
        if let Some(bar) = &progress {
            bar.finish_and_clear();
        }
        if let Some(e) = failure.into_inner().unwrap() {
            return Err(e);
        }
        for (b, vectors) in results.into_inner().unwrap() {
            for (row, &i) in batches[b].iter().enumerate() {
                data[i * self.dim..(i + 1) * self.dim]
                    .copy_from_slice(&vectors[row * self.dim..(row + 1) * self.dim]);
            }
        }
        Ok(Embeddings {
            dim: self.dim,
            data,
            truncated,
        })
    }

    fn progress_bar(&self, n: usize) -> Option<indicatif::ProgressBar> {
        (self.options.progress && n >= 2048).then(|| {
            let bar = indicatif::ProgressBar::new(n as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} [{bar:30}] {pos}/{len} texts, {per_sec}, eta {eta}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar.set_message(format!("embedding with {}", self.model.name));
            bar
        })
    }

    /// Groups length-sorted rows into batches bounded by rows and by padded tokens.
    fn batches(&self, order: &[usize], encodings: &[Encoding]) -> Vec<Vec<usize>> {
        let mut batches: Vec<Vec<usize>> = Vec::new();
        let mut current: Vec<usize> = Vec::new();
        let mut longest = 0;
        for &i in order {
            let len = encodings[i].len().max(1);
            let widest = longest.max(len);
            if !current.is_empty()
                && (current.len() >= self.options.max_batch_rows
                    || widest * (current.len() + 1) > self.options.max_batch_tokens)
            {
                batches.push(std::mem::take(&mut current));
                longest = 0;
            }
            longest = longest.max(len);
            current.push(i);
        }
        if !current.is_empty() {
            batches.push(current);
        }
        batches
    }

    /// Runs one batch on session `worker`: pad, run, pool, normalise.
    fn run_on(&self, worker: usize, batch: &[&Encoding]) -> Result<Vec<f32>> {
        let rows = batch.len();
        let lengths: Vec<usize> = batch.iter().map(|e| e.len().max(1)).collect();
        let seq = lengths.iter().copied().max().unwrap_or(1);
        let mut ids = vec![self.pad_id as i64; rows * seq];
        let mut mask = vec![0i64; rows * seq];
        for (row, enc) in batch.iter().enumerate() {
            for (pos, &id) in enc.get_ids().iter().enumerate() {
                ids[row * seq + pos] = id as i64;
                mask[row * seq + pos] = 1;
            }
        }
        let onnx_err = |e: ort::Error| EncodeError::Onnx {
            path: self.model.onnx.clone(),
            message: e.to_string(),
        };
        let mut values: Vec<(Cow<'static, str>, SessionInputValue<'static>)> = Vec::new();
        for name in &self.inputs.names {
            let data: Vec<i64> = match name.as_str() {
                "input_ids" => ids.clone(),
                "attention_mask" => mask.clone(),
                "token_type_ids" => vec![0; rows * seq],
                "position_ids" => (0..rows).flat_map(|_| 0..seq as i64).collect(),
                _ => unreachable!("plan_inputs only keeps known names"),
            };
            let value: SessionInputValue = if self.inputs.int32 {
                Tensor::from_array((
                    [rows, seq],
                    data.into_iter().map(|x| x as i32).collect::<Vec<_>>(),
                ))
                .map_err(onnx_err)?
                .into()
            } else {
                Tensor::from_array(([rows, seq], data))
                    .map_err(onnx_err)?
                    .into()
            };
            values.push((Cow::Owned(name.clone()), value));
        }
        let mut session = self.sessions[worker]
            .lock()
            .map_err(|_| EncodeError::Onnx {
                path: self.model.onnx.clone(),
                message: "a previous run panicked while holding the session".into(),
            })?;
        let outputs = session.run(values).map_err(onnx_err)?;
        let (shape, states) = outputs[self.output.as_str()]
            .try_extract_tensor::<f32>()
            .map_err(onnx_err)?;
        let shape: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
        let mut pooled;
        match (&self.pooling, shape.as_slice()) {
            (Pooling::Output(_), &[r, _]) if r == rows => pooled = states.to_vec(),
            (Pooling::Mean | Pooling::Cls | Pooling::Eos, &[r, s, dim]) if r == rows && s == seq => {
                pooled = vec![0.0; rows * dim];
                match self.pooling {
                    Pooling::Mean => pooling::mean(states, &mask, seq, dim, &mut pooled),
                    Pooling::Cls => pooling::at_positions(states, &vec![0; rows], seq, dim, &mut pooled),
                    _ => {
                        let (eos, rule) = self.model.eos();
                        let positions = pooling::eos_positions(&ids, &lengths, seq, eos, rule);
                        pooling::at_positions(states, &positions, seq, dim, &mut pooled)
                    }
                }
            }
            _ => {
                return Err(EncodeError::Shape {
                    model: self.model.name.clone(),
                    reason: format!("output '{}' has shape {shape:?}, which {:?} pooling cannot use for a batch of {rows}×{seq}", self.output, self.pooling),
                })
            }
        }
        let dim = pooled.len() / rows.max(1);
        if self.model.normalize() {
            pooling::l2_normalize(&mut pooled, dim);
        }
        Ok(pooled)
    }
}

/// Which of the inputs we know how to feed the graph has, and their integer type.
fn plan_inputs(session: &Session, model: &ModelDir) -> Result<Inputs> {
    const KNOWN: [&str; 4] = [
        "input_ids",
        "attention_mask",
        "token_type_ids",
        "position_ids",
    ];
    let mut names = Vec::new();
    let mut int32 = false;
    for input in session.inputs() {
        if !KNOWN.contains(&input.name()) {
            return Err(EncodeError::Shape {
                model: model.name.clone(),
                reason: format!(
                    "graph input '{}' is not one lookalike can feed (it feeds {})",
                    input.name(),
                    KNOWN.join(", ")
                ),
            });
        }
        match input.dtype().tensor_type() {
            Some(TensorElementType::Int64) => {}
            Some(TensorElementType::Int32) => int32 = true,
            other => {
                return Err(EncodeError::Shape {
                    model: model.name.clone(),
                    reason: format!(
                        "graph input '{}' has type {other:?}; expected int64 or int32",
                        input.name()
                    ),
                })
            }
        }
        names.push(input.name().to_string());
    }
    if !names.iter().any(|n| n == "input_ids") {
        return Err(EncodeError::Shape {
            model: model.name.clone(),
            reason: "the graph has no 'input_ids' input".into(),
        });
    }
    Ok(Inputs { names, int32 })
}

/// The pooling: the manifest's or family's, else a pooled output the graph offers, else EOS.
fn resolve_pooling(model: &ModelDir, outputs: &[String]) -> Result<Pooling> {
    if let Some(pooling) = model.pooling() {
        return Ok(pooling);
    }
    for name in ["text_embeds", "sentence_embedding", "pooler_output"] {
        if outputs.iter().any(|o| o == name) {
            return Ok(Pooling::Output(name.into()));
        }
    }
    match model.family() {
        crate::Family::ClipText => Ok(Pooling::Eos),
        _ => Err(EncodeError::invalid(
            "manifest",
            model.dir.join(crate::manifest::MANIFEST_FILE),
            format!("cannot tell how to pool outputs {outputs:?}: set \"pooling\" to \"mean\", \"cls\", \"eos\" or {{\"output\": \"name\"}}"),
        )),
    }
}
