//! `embed` and `cosine_sim` on real models, and the Parquet embedding cache.

use crate::common::{has_model, lookalike, shared, sql};

fn floats(csv: &str) -> Vec<f64> {
    csv.lines()
        .skip(1)
        .map(|l| l.trim().parse().unwrap())
        .collect()
}

#[test]
fn minilm_similarities_match_sentence_transformers() {
    if !has_model("minilm") {
        return;
    }
    // sentence-transformers' published similarities for all-MiniLM-L6-v2.
    let out = sql(
        "SELECT cosine_sim(embed('minilm', 'The weather is lovely today.'), embed('minilm', x)) AS s \
         FROM (VALUES ('It''s so sunny outside!'), ('He drove to the stadium.')) t(x) ORDER BY s DESC",
        &[],
        None,
    );
    let sims = floats(&out);
    assert!(
        (sims[0] - 0.6660).abs() < 5e-4 && (sims[1] - 0.1046).abs() < 5e-4,
        "{sims:?}"
    );
}

#[test]
fn embed_returns_fixed_size_vectors_and_null_for_null() {
    if !has_model("tiny-clip") {
        return;
    }
    let out = sql(
        "SELECT arrow_typeof(embed('tiny-clip', x)) AS t, embed('tiny-clip', x) IS NULL AS n FROM (VALUES ('a photo of a cat'), (NULL), ('')) v(x)",
        &[],
        None,
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[1].starts_with("FixedSizeList(48 x Float32)") || lines[1].contains("48"),
        "{out}"
    );
    assert!(
        lines[1].ends_with(",false") && lines[2].ends_with(",true") && lines[3].ends_with(",false"),
        "NULL in, NULL out; '' is a text: {out}"
    );
}

#[test]
fn second_query_over_the_same_texts_computes_nothing() {
    if !has_model("tiny-clip") {
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let query = "SELECT sum(cosine_sim(embed('tiny-clip', x), embed('tiny-clip', 'a dog'))) AS s FROM (VALUES ('a cat'), ('a red car'), ('a cat')) v(x)";
    let first = lookalike(&["--format", "csv", "-c", query], Some(cache.path()));
    let second = lookalike(&["--format", "csv", "-c", query], Some(cache.path()));
    assert!(first.status.success() && second.status.success());
    let (e1, e2) = (
        String::from_utf8_lossy(&first.stderr),
        String::from_utf8_lossy(&second.stderr),
    );
    assert!(
        e1.contains("tiny-clip: 3 texts embedded"),
        "first run embeds the 3 distinct texts: {e1}"
    );
    assert!(
        e2.contains("tiny-clip: 0 texts embedded, 4 from cache"),
        "second run reads all from cache: {e2}"
    );
    assert_eq!(
        first.stdout, second.stdout,
        "cached vectors give the same answer"
    );
    let parts: Vec<_> = walk(cache.path())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    assert!(!parts.is_empty(), "the cache is Parquet files");
    // No temporary file is left behind (the lock file of the model's cache stays, empty).
    assert!(
        walk(cache.path()).iter().all(|p| {
            p.extension().is_some_and(|e| e == "parquet")
                || p.file_name().is_some_and(|n| n == ".lock")
        }),
        "{:?}",
        walk(cache.path())
    );
}

#[test]
fn long_text_is_truncated_and_reported() {
    if !has_model("tiny-clip") {
        return;
    }
    let long = "word ".repeat(20_000);
    let query = format!("SELECT embed('tiny-clip', '{long}') IS NOT NULL AS ok");
    let out = lookalike(&["--format", "csv", "-c", &query], None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("true"));
    assert!(stderr.contains("1 truncated"), "{stderr}");
}

#[test]
fn coco_captions_embed_and_copy_to_parquet() {
    if !has_model("minilm") {
        return;
    }
    let Some(coco) = shared("reference/coco/captions_val2017.json") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("emb.parquet");
    let query = format!(
        "COPY (WITH first AS (SELECT id, caption FROM coco ORDER BY id LIMIT 200) SELECT id, caption, embed('minilm', caption) AS v FROM first) TO '{}'",
        out_path.display()
    );
    sql(&query, &["-t", &format!("coco={}", coco.display())], None);
    let check = sql(
        &format!("SELECT count(*) AS n, min(cosine_sim(v, v)) AS self_sim, count(DISTINCT caption) AS d FROM '{}'", out_path.display()),
        &[],
        None,
    );
    let row: Vec<f64> = check
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    assert_eq!(row[0], 200.0);
    assert!((row[1] - 1.0).abs() < 1e-5, "unit vectors: {check}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A run whose texts are all cached loads no model (#13, #14): with ONNX Runtime made
/// unfindable it still answers, from the cache and the model's card; a new text then needs the
/// model and says what is missing.
#[test]
fn cached_texts_load_no_model() {
    if !has_model("minilm") {
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let query = |texts: &str| {
        format!("SELECT round(cosine_sim(embed('minilm', 'a dog on a beach'), embed('minilm', {texts})), 4) AS s")
    };
    let first = lookalike(
        &["--format", "csv", "-c", &query("'a cat on a sofa'")],
        Some(cache.path()),
    );
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let without_runtime = |sql: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_lookalike"))
            .args(["--format", "csv", "-c", sql])
            .env("LOOKALIKE_HOME", crate::common::root().join(".lookalike"))
            .env("LOOKALIKE_MODELS", crate::common::models())
            .env("LOOKALIKE_CACHE", cache.path())
            .env("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so.1.32.0")
            .output()
            .unwrap()
    };
    let second = without_runtime(&query("'a cat on a sofa'"));
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(
        second.stdout, first.stdout,
        "the same answer from the cache"
    );
    let third = without_runtime(&query("'a horse in a field'"));
    let err = String::from_utf8_lossy(&third.stderr);
    assert!(!third.status.success());
    assert!(
        err.contains("ORT_DYLIB_PATH points at /nonexistent"),
        "{err}"
    );
}

/// Two processes embedding the same texts on one cache compute them once (#13): the second
/// waits for the first's lock, then reads its parts; both answer the same.
#[test]
fn two_processes_on_one_cache_compute_each_text_once() {
    if !has_model("minilm") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let corpus = dir.path().join("texts.txt");
    let text = std::fs::read_to_string(crate::common::root().join("data/captions.txt")).unwrap();
    let lines: Vec<&str> = text.lines().take(1500).collect();
    std::fs::write(&corpus, lines.join("\n") + "\n").unwrap();
    let distinct = lines.iter().collect::<std::collections::HashSet<_>>().len();
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_lookalike"))
            .args(["--format", "csv", "-t"])
            .arg(format!("t={}", corpus.display()))
            .args(["-c", "SELECT round(sum(cosine_sim(embed('minilm', text), embed('minilm', 'a dog'))), 3) AS s FROM t"])
            .env("LOOKALIKE_HOME", crate::common::root().join(".lookalike"))
            .env("LOOKALIKE_MODELS", crate::common::models())
            .env("LOOKALIKE_CACHE", &cache)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let computed = |out: &std::process::Output| -> usize {
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{log}");
        log.lines()
            .find_map(|l| l.strip_prefix("minilm: "))
            .and_then(|l| l.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no embedding line in {log}"))
    };
    assert_eq!(a.stdout, b.stdout, "both answer the same");
    // "a dog" is one more text; whoever computed it, it is computed once.
    assert_eq!(
        computed(&a) + computed(&b),
        distinct + 1,
        "no text computed twice"
    );
}

/// `--device cuda` where CUDA cannot be had (this build has no `cuda` feature; CI has no GPU)
/// says why once and embeds on the CPU, with the CPU's very vectors and cache; a device that
/// does not exist is refused before anything runs.
#[test]
fn a_device_that_cannot_be_had_falls_back_to_the_cpu_and_says_why() {
    if !has_model("minilm") {
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let query = "SELECT round(cosine_sim(embed('minilm', 'a dog on a beach'), embed('minilm', 'a cat on a sofa')), 6) AS s";
    let cpu = lookalike(&["--format", "csv", "-c", query], Some(cache.path()));
    assert!(
        cpu.status.success(),
        "{}",
        String::from_utf8_lossy(&cpu.stderr)
    );
    let gpu = lookalike(
        &["--device", "cuda", "--format", "csv", "-c", query],
        Some(cache.path()),
    );
    let err = String::from_utf8_lossy(&gpu.stderr);
    assert!(gpu.status.success(), "{err}");
    assert_eq!(gpu.stdout, cpu.stdout, "the CPU's answer");
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("CUDA was asked for"))
        .collect();
    assert_eq!(warnings.len(), 1, "said once: {err}");
    assert!(warnings[0].contains("embedding on the CPU"), "{err}");

    let bad = lookalike(&["--device", "tpu", "-c", query], None);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(err.contains("unknown device 'tpu'"), "{err}");
}
