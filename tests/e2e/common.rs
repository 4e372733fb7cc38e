//! Running the binary in a scratch workspace that sees the installed runtime and models.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `../shared` beside the checkout, if present.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = root().join("../shared").join(relative);
    if path.exists() {
        return Some(path);
    }
    skip(&format!("{} not found", path.display()));
    None
}

/// Skips with a message, or fails under CI where every input must be present.
pub fn skip(why: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{why}, and CI must have it (run `lookalike setup`)");
    }
    eprintln!("skipping: {why}");
}

/// A models directory holding the installed minilm and mpnet (and their int8 imports) and a
/// freshly imported tiny CLIP.
pub fn models() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("lookalike-e2e-models-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["minilm", "mpnet", "minilm-int8", "mpnet-int8"] {
            let installed = root().join("models").join(name);
            if installed.exists() && !dir.join(name).exists() {
                std::os::unix::fs::symlink(&installed, dir.join(name)).unwrap();
            }
        }
        let clip = root().join("../shared/fixtures/tiny-clip");
        if clip.exists() && !dir.join("tiny-clip").exists() {
            let out = run(
                &[
                    "model",
                    "import",
                    clip.to_str().unwrap(),
                    dir.join("tiny-clip").to_str().unwrap(),
                ],
                None,
                None,
            );
            assert!(
                out.status.success(),
                "importing tiny-clip: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        dir
    })
}

/// Whether a model is available to the tests (skipping with a message if not).
pub fn has_model(name: &str) -> bool {
    let ok = models().join(name).exists();
    if !ok {
        skip(&format!("model {name} is not installed"));
    }
    ok
}

/// Runs the binary with the test models and a given cache directory (None: caching off).
pub fn lookalike(args: &[&str], cache: Option<&Path>) -> Output {
    run(args, cache, Some(models()))
}

/// Runs the binary in the repository root with the installed ONNX Runtime.
pub fn run(args: &[&str], cache: Option<&Path>, models: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lookalike"));
    command
        .args(args)
        .env("LOOKALIKE_HOME", root().join(".lookalike"))
        .env_remove("LOOKALIKE_MODELS")
        .current_dir(root());
    if let Some(models) = models {
        command.env("LOOKALIKE_MODELS", models);
    }
    // `model` and `setup` embed nothing, so they take no cache flag.
    let embeds = !matches!(args.first(), Some(&"model" | &"setup"));
    match cache {
        Some(dir) => command.env("LOOKALIKE_CACHE", dir),
        None if embeds => command.arg("--no-cache"),
        None => &mut command,
    };
    command.output().expect("running lookalike")
}

/// Runs SQL and returns stdout, failing the test with stderr on error.
pub fn sql(query: &str, extra: &[&str], cache: Option<&Path>) -> String {
    let mut args = vec!["-q", "--format", "csv", "-c", query];
    args.extend_from_slice(extra);
    let out = lookalike(&args, cache);
    assert!(
        out.status.success(),
        "query failed: {query}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs SQL that must fail and returns stderr.
pub fn sql_error(query: &str, extra: &[&str]) -> String {
    let mut args = vec!["-q", "-c", query];
    args.extend_from_slice(extra);
    let out = lookalike(&args, None);
    assert!(!out.status.success(), "query should have failed: {query}");
    assert_eq!(out.status.code(), Some(2), "errors exit with 2");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        !stderr.contains("panicked"),
        "panic instead of an error: {stderr}"
    );
    stderr
}
