//! Bad input gets a clear error naming what and where, exit code 2, and no panic.

use crate::common::{has_model, lookalike, root, run, sql_error};

#[test]
fn unknown_model_lists_the_installed_ones() {
    let err = sql_error("SELECT embed('no-such-model', 'x')", &[]);
    assert!(
        err.contains("unknown model 'no-such-model'") && err.contains("models found"),
        "{err}"
    );
}

#[test]
fn wrong_argument_types_and_counts() {
    let err = sql_error("SELECT embed(1, 'x')", &[]);
    assert!(
        err.contains("embed(model, text) takes two strings"),
        "{err}"
    );
    let err = sql_error("SELECT embed('minilm')", &[]);
    assert!(err.contains("takes 2 arguments"), "{err}");
    let err = sql_error("SELECT embed('minilm', 'x', 'y')", &[]);
    assert!(err.contains("takes 2 arguments"), "{err}");
    let err = sql_error("SELECT cosine_sim('a', 'b')", &[]);
    assert!(
        err.contains("cosine_sim(a, b) takes two numeric vectors"),
        "{err}"
    );
    let err = sql_error("SELECT embed(x, 'a') FROM (VALUES ('minilm')) t(x)", &[]);
    assert!(err.contains("must be a constant string"), "{err}");
    let err = sql_error("SELECT cosine_sim([1.0, 2.0], [1.0, 2.0, 3.0])", &[]);
    assert!(err.contains("different dimensions (2 and 3)"), "{err}");
}

#[test]
fn missing_model_directory_pieces_are_named() {
    let models = tempfile::tempdir().unwrap();
    // A model folder without a tokenizer.
    let no_tok = models.path().join("no-tokenizer");
    std::fs::create_dir(&no_tok).unwrap();
    std::fs::write(no_tok.join("model.onnx"), b"x").unwrap();
    // A model folder whose graph is garbage.
    let corrupt = models.path().join("corrupt");
    std::fs::create_dir(&corrupt).unwrap();
    std::fs::write(corrupt.join("model.onnx"), b"this is not an onnx file").unwrap();
    std::fs::copy(
        root().join("../shared/fixtures/tiny-clip/tokenizer.json"),
        corrupt.join("tokenizer.json"),
    )
    .ok();
    // A model folder without any graph.
    std::fs::create_dir(models.path().join("empty")).unwrap();

    let query = |model: &str| {
        let out = run(
            &["-q", "-c", &format!("SELECT embed('{model}', 'x')")],
            None,
            Some(models.path()),
        );
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8(out.stderr).unwrap()
    };
    let err = query("no-tokenizer");
    assert!(
        err.contains("tokenizer not found") && err.contains("no-tokenizer/tokenizer.json"),
        "{err}"
    );
    let err = query("empty");
    assert!(
        err.contains("ONNX graph not found") && err.contains("empty/model.onnx"),
        "{err}"
    );
    if corrupt.join("tokenizer.json").exists() {
        let err = query("corrupt");
        assert!(
            err.contains("ONNX Runtime failed on") && err.contains("corrupt/model.onnx"),
            "{err}"
        );
    }
    assert!(!query("empty").contains("panicked"));
}

#[test]
fn missing_onnx_runtime_says_how_to_install_it() {
    if !has_model("tiny-clip") {
        return;
    }
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_lookalike"));
    let empty = tempfile::tempdir().unwrap();
    let out = command
        .args(["-q", "--no-cache", "-c", "SELECT embed('tiny-clip', 'x')"])
        .env("LOOKALIKE_MODELS", crate::common::models())
        .env("LOOKALIKE_HOME", empty.path())
        .env("PATH", empty.path()) // no python3 to find site-packages with
        .env_remove("ORT_DYLIB_PATH")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("ONNX Runtime is not available")
            && err.contains("pip install onnxruntime==1.32.0"),
        "{err}"
    );

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lookalike"))
        .args(["-q", "--no-cache", "-c", "SELECT embed('tiny-clip', 'x')"])
        .env("LOOKALIKE_MODELS", crate::common::models())
        .env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so.1.32.0")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ORT_DYLIB_PATH points at /nonexistent/libonnxruntime.so.1.32.0"),
        "{err}"
    );
}

#[test]
fn unsupported_checkpoint_is_named() {
    let hf = tempfile::tempdir().unwrap();
    std::fs::write(
        hf.path().join("config.json"),
        r#"{"model_type": "llama", "architectures": ["LlamaForCausalLM"]}"#,
    )
    .unwrap();
    std::fs::write(hf.path().join("model.safetensors"), b"").unwrap();
    std::fs::write(hf.path().join("tokenizer.json"), b"{}").unwrap();
    let out_dir = hf.path().join("out");
    let out = lookalike(
        &[
            "model",
            "import",
            hf.path().to_str().unwrap(),
            out_dir.to_str().unwrap(),
        ],
        None,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("unsupported architecture") && err.to_lowercase().contains("llama"),
        "{err}"
    );
}
