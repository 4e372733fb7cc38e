//! The SQL logic tests: one .slt file per function family in this directory, run against a
//! lookalike session on the real models (minilm, mpnet, and the tiny CLIP fixture imported
//! here), WordNet, and the sample corpus registered as `captions`.
//!
//! `cargo test -p lookalike-sql --test slt [-- FILTER]`. Without the models or WordNet the
//! suite skips with a message, except under `CI=true`, where it fails.

use std::path::{Path, PathBuf};

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::common::ScalarValue;
use lookalike_sql::{Lookalike, LookalikeConfig};
use sqllogictest::{DBOutput, DefaultColumnType};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The session's error, as the test files match it.
#[derive(Debug)]
struct SqlError(String);

impl std::fmt::Display for SqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SqlError {}

/// A lookalike session as sqllogictest's database.
struct Db {
    session: Lookalike,
}

impl Db {
    async fn new(models: &Path, cache: &Path) -> Db {
        let session = Lookalike::new(LookalikeConfig {
            models_dir: Some(models.to_path_buf()),
            cache_dir: Some(cache.to_path_buf()),
            ..LookalikeConfig::default()
        });
        lookalike_sql::register_file(session.ctx(), "captions", &root().join("data/captions.txt"))
            .await
            .expect("data/captions.txt registers");
        // What the audit's scripts read; a value with every character a splice would break on.
        let vars = session.variables();
        let text = |s: &str| ScalarValue::Utf8(Some(s.to_string()));
        vars.set("target", text("minilm")).unwrap();
        vars.set("threshold", ScalarValue::Float32(Some(0.9)))
            .unwrap();
        vars.set(
            "domain",
            text("cars, trucks; \"quoted\" & 'ünïcode'\nnext line"),
        )
        .unwrap();
        Db { session }
    }
}

#[async_trait::async_trait]
impl sqllogictest::AsyncDB for Db {
    type Error = SqlError;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, SqlError> {
        let fail = |e: datafusion::error::DataFusionError| SqlError(e.to_string());
        let df = self.session.ctx().sql(sql).await.map_err(fail)?;
        let schema = df.schema().as_arrow().clone();
        let batches = df.collect().await.map_err(fail)?;
        let head = sql
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        if matches!(head.as_str(), "CREATE" | "INSERT" | "DROP" | "COPY" | "SET") {
            return Ok(DBOutput::StatementComplete(0));
        }
        let rows = rows(&batches).map_err(|e| SqlError(e.to_string()))?;
        Ok(DBOutput::Rows {
            types: vec![DefaultColumnType::Any; schema.fields().len()],
            rows,
        })
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "lookalike"
    }
}

/// Every cell as text, trailing whitespace trimmed, a cell of several lines over several rows:
/// NULL as `NULL`, the empty string as `(empty)`.
fn rows(batches: &[RecordBatch]) -> datafusion::error::Result<Vec<Vec<String>>> {
    let options = FormatOptions::default().with_null("NULL");
    let mut out = Vec::new();
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for row in 0..batch.num_rows() {
            // Trailing line breaks (an EXPLAIN plan's) cannot be written in a .slt file.
            let cells: Vec<String> = formatters
                .iter()
                .map(|f| match f.value(row).to_string().trim_end() {
                    "" => "(empty)".to_string(),
                    s => s.to_string(),
                })
                .collect();
            // A cell of several lines (a plan) continues on rows of its own, as the file
            // shows it: one expected line per line of text.
            let lines: Vec<Vec<&str>> = cells.iter().map(|c| c.lines().collect()).collect();
            let depth = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
            for k in 0..depth {
                let row: Vec<String> = lines
                    .iter()
                    .filter_map(|l| l.get(k).map(|s| s.to_string()))
                    .collect();
                out.push(row);
            }
        }
    }
    Ok(out)
}

/// minilm and mpnet as `lookalike setup` installed them, and tiny CLIP imported from the fixture.
fn models(dir: &Path) -> Result<(), String> {
    for name in ["minilm", "mpnet"] {
        let installed = root().join("models").join(name);
        if !installed.join("model.onnx").exists() {
            return Err(format!(
                "model {name} is not installed (run `lookalike setup`)"
            ));
        }
        std::os::unix::fs::symlink(&installed, dir.join(name)).map_err(|e| e.to_string())?;
    }
    let clip = root().join("../shared/fixtures/tiny-clip");
    if !clip.exists() {
        return Err(format!("{} is missing", clip.display()));
    }
    lookalike_encode::import::import_checkpoint(&clip, &dir.join("tiny-clip"))
        .map_err(|e| format!("importing tiny-clip: {e}"))?;
    Ok(())
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let wordnet = root().join(".lookalike/wordnet");
    // Models and caches in folders of their own: an error listing the models lists only them.
    let (models_dir, caches_dir) = (dir.path().join("models"), dir.path().join("caches"));
    std::fs::create_dir_all(&models_dir).expect("a models directory");
    let missing = match models(&models_dir) {
        Err(why) => Some(why),
        Ok(()) if !wordnet.exists() => {
            Some(format!("WordNet is not installed at {}", wordnet.display()))
        }
        Ok(()) => None,
    };
    if let Some(why) = missing {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{why}, and CI must have it");
        }
        eprintln!("skipping the SQL logic tests: {why}");
        return;
    }
    std::env::set_var("LOOKALIKE_WORDNET", &wordnet);
    // ONNX Runtime and the paths in the .slt files are found from the workspace root.
    std::env::set_current_dir(root()).expect("the workspace root");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slt"))
            .expect("tests/slt")
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "slt"))
            .filter(|p| {
                filter
                    .as_ref()
                    .is_none_or(|f| p.to_string_lossy().contains(f.as_str()))
            })
            .collect();
    files.sort();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let mut failed = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let (models, cache) = (models_dir.clone(), caches_dir.join(name.as_str()));
        let mut runner = sqllogictest::Runner::new(move || {
            let (models, cache) = (models.clone(), cache.clone());
            async move { Ok::<_, SqlError>(Db::new(&models, &cache).await) }
        });
        // LOOKALIKE_SLT_COMPLETE=1 writes the actual results into the file, for review.
        if std::env::var("LOOKALIKE_SLT_COMPLETE").as_deref() == Ok("1") {
            runtime
                .block_on(runner.update_test_file(
                    file,
                    " ",
                    sqllogictest::default_validator,
                    sqllogictest::default_normalizer,
                    sqllogictest::default_column_validator,
                ))
                .unwrap_or_else(|e| panic!("completing {name}: {e}"));
            eprintln!("completed {name}");
            continue;
        }
        match runtime.block_on(runner.run_file_async(file)) {
            Ok(()) => eprintln!("ok   {name}"),
            Err(e) => {
                eprintln!("FAIL {name}: {}", e.display(true));
                failed.push(name);
            }
        }
    }
    assert!(!files.is_empty(), "no .slt files found");
    if !failed.is_empty() {
        eprintln!(
            "{} of {} SQL logic test files failed: {}",
            failed.len(),
            files.len(),
            failed.join(", ")
        );
        std::process::exit(1);
    }
    eprintln!("{} SQL logic test files passed", files.len());
}
