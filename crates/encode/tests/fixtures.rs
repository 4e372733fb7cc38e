//! The encoders against the reference Python stack (../shared/fixtures): every sentence's
//! embedding must have cosine > 0.9999 with sentence-transformers' / transformers' output.
//!
//! The checkpoints come from `lookalike setup` (.lookalike/checkpoints/{minilm,mpnet}) and the
//! tiny CLIP fixture; each test imports its checkpoint with our importer into a temporary
//! directory, then encodes through ONNX Runtime. Tests skip with a message when an input is
//! absent (a fresh clone without ../shared or without setup), except under CI, where that fails.

use std::path::{Path, PathBuf};

use lookalike_encode::{import::import_checkpoint, Encoder, EncoderOptions, ModelDir};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Returns the path when it exists; otherwise skips (or fails under CI).
fn require(path: PathBuf, what: &str) -> Option<PathBuf> {
    if path.exists() {
        return Some(path);
    }
    let message = format!("skipping: {what} not found at {} (run `lookalike setup`; ../shared comes with the workspace)", path.display());
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("{message}");
    None
}

struct Reference {
    sentences: Vec<String>,
    embeddings: Vec<Vec<f32>>,
    input_ids: Option<Vec<Vec<u32>>>,
}

fn reference(file: &str) -> Option<Reference> {
    let path = require(
        root().join("../shared/fixtures").join(file),
        "reference fixture",
    )?;
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let strings = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let matrix = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap() as f32)
                    .collect()
            })
            .collect()
    };
    let ids = json.get("input_ids").map(|v| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().unwrap() as u32)
                    .collect()
            })
            .collect()
    });
    Some(Reference {
        sentences: strings(&json["sentences"]),
        embeddings: matrix(&json["embeddings"]),
        input_ids: ids,
    })
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
    let na: f64 = a.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    dot / (na * nb)
}

fn init() {
    // Tests run in the crate directory; the ONNX Runtime that setup installed is at the root.
    if std::env::var_os("LOOKALIKE_HOME").is_none() {
        std::env::set_var("LOOKALIKE_HOME", root().join(".lookalike"));
    }
}

/// Imports `checkpoint`, encodes the fixture both all at once and one sentence at a time (so
/// padding inside a batch is exercised), and checks every sentence.
fn check(checkpoint: PathBuf, fixture: &str, expected_dim: usize) -> Option<Encoder> {
    init();
    let reference = reference(fixture)?;
    let out = tempfile::tempdir().unwrap();
    let report = import_checkpoint(&checkpoint, out.path()).unwrap();
    assert_eq!(report.dim, expected_dim);
    let encoder = Encoder::load(
        ModelDir::open(out.path()).unwrap(),
        EncoderOptions {
            progress: false,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(encoder.dim(), expected_dim);
    let texts: Vec<&str> = reference.sentences.iter().map(String::as_str).collect();
    let batch = encoder.encode(&texts).unwrap();
    // Truncation is counted: compare with the untruncated token counts.
    let mut raw = tokenizers::Tokenizer::from_file(&encoder.model().tokenizer).unwrap();
    raw.with_truncation(None).unwrap();
    let too_long = texts
        .iter()
        .filter(|t| raw.encode(**t, true).unwrap().len() > encoder.max_tokens())
        .count();
    assert_eq!(batch.truncated, too_long, "truncated texts are counted");
    let huge = "word ".repeat(20_000);
    let cut = encoder.encode(&[&huge]).unwrap();
    assert_eq!(cut.truncated, 1);
    assert!(
        (cut.row(0).iter().map(|x| x * x).sum::<f32>() - 1.0).abs() < 1e-4,
        "a truncated text still gets a unit vector"
    );
    for (i, text) in texts.iter().enumerate() {
        let alone = encoder.encode(&[text]).unwrap();
        let (in_batch, single) = (
            cosine(batch.row(i), &reference.embeddings[i]),
            cosine(alone.row(0), &reference.embeddings[i]),
        );
        assert!(
            in_batch > 0.9999 && single > 0.9999,
            "{fixture}: sentence {i} {text:?}: cosine {in_batch} in a batch, {single} alone"
        );
    }
    if let Some(ids) = &reference.input_ids {
        let (encodings, _) = encoder.tokenize(&texts).unwrap();
        for (i, (enc, expected)) in encodings.iter().zip(ids).enumerate() {
            assert_eq!(
                enc.get_ids(),
                expected.as_slice(),
                "token ids of sentence {i} {:?}",
                texts[i]
            );
        }
    }
    // Keep the directory alive while the encoder is used by the caller.
    std::mem::forget(out);
    Some(encoder)
}

#[test]
fn minilm_matches_sentence_transformers() {
    let Some(checkpoint) = require(
        root().join(".lookalike/checkpoints/minilm"),
        "MiniLM checkpoint",
    ) else {
        return;
    };
    let Some(encoder) = check(checkpoint, "reference-all-MiniLM-L6-v2.json", 384) else {
        return;
    };
    // sentence-transformers' published similarities for the first three sentences.
    let v = encoder
        .encode(&[
            "The weather is lovely today.",
            "It's so sunny outside!",
            "He drove to the stadium.",
        ])
        .unwrap();
    let sims = [
        cosine(v.row(0), v.row(1)),
        cosine(v.row(0), v.row(2)),
        cosine(v.row(1), v.row(2)),
    ];
    for (got, want) in sims.iter().zip([0.6660, 0.1046, 0.1411]) {
        assert!((got - want).abs() < 5e-4, "similarities {sims:?}");
    }
}

#[test]
fn mpnet_matches_sentence_transformers() {
    let Some(checkpoint) = require(
        root().join(".lookalike/checkpoints/mpnet"),
        "MPNet checkpoint",
    ) else {
        return;
    };
    check(checkpoint, "reference-all-mpnet-base-v2.json", 768);
}

#[test]
fn tiny_clip_matches_transformers_and_its_token_ids() {
    let Some(checkpoint) = require(
        root().join("../shared/fixtures/tiny-clip"),
        "tiny CLIP fixture",
    ) else {
        return;
    };
    check(checkpoint, "reference-tiny-clip.json", 48);
}
