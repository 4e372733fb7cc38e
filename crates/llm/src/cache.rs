//! [`ResponseCache`]: every answer paid for, kept in a directory of Parquet files.
//!
//! Each answer is written at once as its own small Parquet file (`part-*.parquet`: temp file,
//! fsync, rename, fsync of the directory), so a crash loses no answer already received. Opening
//! and closing compact the parts into one `cache-*.parquet` sorted by key. Columns: `key`,
//! `base_url`, `model`, `request_json`, `response_text`, `temperature`, `seed`, `created_at`.
//!
//! The key is the SHA-256 of the base URL and the exact request body (model, messages,
//! temperature, seed, max_tokens), see [`request_key`]; the API key is never part of it, nor
//! stored anywhere.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMillisecondArray,
};
use arrow::datatypes::{
    DataType, Field, Float64Type, Int64Type, Schema, SchemaRef, TimeUnit, TimestampMillisecondType,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use sha2::{Digest, Sha256};

use crate::error::{LlmError, Result};

/// One cached answer: a row of the cache's Parquet files.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheEntry {
    /// [`request_key`] of the request.
    pub key: String,
    /// The endpoint's base URL.
    pub base_url: String,
    /// The model asked.
    pub model: String,
    /// The request body as sent (no API key).
    pub request_json: String,
    /// The answer's text, as received.
    pub response_text: String,
    /// The temperature asked for.
    pub temperature: f32,
    /// The seed asked for, if any.
    pub seed: Option<i64>,
    /// When the answer arrived, in milliseconds since the Unix epoch (UTC).
    pub created_at_ms: i64,
}

/// The cache key: hex SHA-256 of the base URL, a newline, and the request body.
pub fn request_key(base_url: &str, request_json: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(base_url.as_bytes());
    hasher.update(b"\n");
    hasher.update(request_json.as_bytes());
    hex::encode(hasher.finalize())
}

/// A persistent response cache in a directory of Parquet files; cheap to clone and share.
#[derive(Clone, Debug)]
pub struct ResponseCache {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<String, CacheEntry>,
    /// Files whose rows are all in `entries` (removed by the next compaction).
    files: Vec<PathBuf>,
}

impl ResponseCache {
    /// Opens (creating if needed) the cache in `dir`, reads every Parquet file there and
    /// compacts them into one.
    pub fn open(dir: impl Into<PathBuf>) -> Result<ResponseCache> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|e| cache_err(&dir, "creating the directory", e))?;
        let mut state = State::default();
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| cache_err(&dir, "listing", e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_data_file(p))
            .collect();
        paths.sort();
        for path in paths {
            for entry in read_file(&path)? {
                state.entries.entry(entry.key.clone()).or_insert(entry);
            }
            state.files.push(path);
        }
        let cache = ResponseCache {
            inner: Arc::new(Inner {
                dir,
                state: Mutex::new(state),
            }),
        };
        cache.compact()?;
        Ok(cache)
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The cached answer for `key`, if any.
    pub fn get(&self, key: &str) -> Option<CacheEntry> {
        self.lock().entries.get(key).cloned()
    }

    /// Number of cached answers.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every cached answer, sorted by key.
    pub fn entries(&self) -> Vec<CacheEntry> {
        let mut all: Vec<CacheEntry> = self.lock().entries.values().cloned().collect();
        all.sort_by(|a, b| a.key.cmp(&b.key));
        all
    }

    /// Stores an answer durably (its own Parquet file, renamed into place) before returning.
    /// A key already present is kept as it was.
    pub fn put(&self, entry: CacheEntry) -> Result<()> {
        let mut state = self.lock();
        if state.entries.contains_key(&entry.key) {
            return Ok(());
        }
        let path = write_file(&self.inner.dir, "part", std::slice::from_ref(&entry))?;
        state.files.push(path);
        state.entries.insert(entry.key.clone(), entry);
        Ok(())
    }

    /// Rewrites all entries as one file and removes the files it replaces. Does nothing when
    /// there is at most one file already. Also done when the last clone is dropped.
    pub fn compact(&self) -> Result<()> {
        self.inner.compact()
    }

    /// Compacts and closes the cache.
    pub fn close(self) -> Result<()> {
        self.compact()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.lock()
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn compact(&self) -> Result<()> {
        let mut state = self.lock();
        if state.files.len() <= 1 {
            return Ok(());
        }
        let mut all: Vec<CacheEntry> = state.entries.values().cloned().collect();
        all.sort_by(|a, b| a.key.cmp(&b.key));
        let new_file = write_file(&self.dir, "cache", &all)?;
        let mut kept = vec![new_file];
        let mut first_error = None;
        for old in std::mem::take(&mut state.files) {
            if let Err(e) = std::fs::remove_file(&old) {
                first_error.get_or_insert_with(|| cache_err(&old, "removing a compacted file", e));
                kept.push(old); // its rows are duplicates now; the next compaction retries
            }
        }
        state.files = kept;
        first_error.map_or(Ok(()), Err)
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.compact();
    }
}

fn is_data_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !name.starts_with('.') && name.ends_with(".parquet") && path.is_file()
}

fn cache_err(path: &Path, action: &'static str, e: impl std::fmt::Display) -> LlmError {
    LlmError::Cache {
        path: path.to_path_buf(),
        action,
        reason: e.to_string(),
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("base_url", DataType::Utf8, false),
        Field::new("model", DataType::Utf8, false),
        Field::new("request_json", DataType::Utf8, false),
        Field::new("response_text", DataType::Utf8, false),
        Field::new("temperature", DataType::Float64, false),
        Field::new("seed", DataType::Int64, true),
        Field::new(
            "created_at",
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            false,
        ),
    ]))
}

fn to_batch(entries: &[CacheEntry]) -> std::result::Result<RecordBatch, arrow::error::ArrowError> {
    let strings = |f: fn(&CacheEntry) -> &str| -> ArrayRef {
        Arc::new(entries.iter().map(|e| Some(f(e))).collect::<StringArray>())
    };
    let columns: Vec<ArrayRef> = vec![
        strings(|e| &e.key),
        strings(|e| &e.base_url),
        strings(|e| &e.model),
        strings(|e| &e.request_json),
        strings(|e| &e.response_text),
        Arc::new(
            entries
                .iter()
                .map(|e| Some(e.temperature as f64))
                .collect::<Float64Array>(),
        ),
        Arc::new(entries.iter().map(|e| e.seed).collect::<Int64Array>()),
        Arc::new(
            entries
                .iter()
                .map(|e| Some(e.created_at_ms))
                .collect::<TimestampMillisecondArray>()
                .with_timezone("UTC"),
        ),
    ];
    RecordBatch::try_new(schema(), columns)
}

/// Writes `entries` to `<dir>/<prefix>-<millis>-<random>.parquet` atomically and durably.
fn write_file(dir: &Path, prefix: &str, entries: &[CacheEntry]) -> Result<PathBuf> {
    let fail = |e: &dyn std::fmt::Display| cache_err(dir, "writing", e);
    let batch = to_batch(entries).map_err(|e| fail(&e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| fail(&e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .build();
    let mut writer =
        ArrowWriter::try_new(tmp.as_file_mut(), schema(), Some(props)).map_err(|e| fail(&e))?;
    writer.write(&batch).map_err(|e| fail(&e))?;
    writer.close().map_err(|e| fail(&e))?;
    tmp.as_file().sync_all().map_err(|e| fail(&e))?;
    let name = format!(
        "{prefix}-{:013}-{:016x}.parquet",
        now_ms(),
        rand::random::<u64>()
    );
    let path = dir.join(name);
    tmp.persist(&path).map_err(|e| fail(&e.error))?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| fail(&e))?;
    Ok(path)
}

fn read_file(path: &Path) -> Result<Vec<CacheEntry>> {
    let fail = |e: &dyn std::fmt::Display| cache_err(path, "reading", e);
    let file = File::open(path).map_err(|e| fail(&e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| fail(&e))?
        .build()
        .map_err(|e| fail(&e))?;
    let mut out = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| fail(&e))?;
        let column = |name: &str| {
            batch
                .column_by_name(name)
                .ok_or_else(|| fail(&format!("no column '{name}'")))
        };
        let string = |name: &str| -> Result<arrow::array::StringArray> {
            let c = column(name)?;
            let c = arrow::compute::cast(c, &DataType::Utf8).map_err(|e| fail(&e))?;
            Ok(c.as_string::<i32>().clone())
        };
        let (key, base_url, model, request, response) = (
            string("key")?,
            string("base_url")?,
            string("model")?,
            string("request_json")?,
            string("response_text")?,
        );
        let temperature = arrow::compute::cast(column("temperature")?, &DataType::Float64)
            .map_err(|e| fail(&e))?;
        let temperature = temperature.as_primitive::<Float64Type>();
        let seed = arrow::compute::cast(column("seed")?, &DataType::Int64).map_err(|e| fail(&e))?;
        let seed = seed.as_primitive::<Int64Type>();
        let created = arrow::compute::cast(
            column("created_at")?,
            &DataType::Timestamp(TimeUnit::Millisecond, None),
        )
        .map_err(|e| fail(&e))?;
        let created = created.as_primitive::<TimestampMillisecondType>();
        for i in 0..batch.num_rows() {
            out.push(CacheEntry {
                key: key.value(i).to_string(),
                base_url: base_url.value(i).to_string(),
                model: model.value(i).to_string(),
                request_json: request.value(i).to_string(),
                response_text: response.value(i).to_string(),
                temperature: temperature.value(i) as f32,
                seed: seed.is_valid(i).then(|| seed.value(i)),
                created_at_ms: created.value(i),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: usize) -> CacheEntry {
        let request_json = format!("{{\"model\":\"m\",\"n\":{n}}}");
        CacheEntry {
            key: request_key("http://x/v1", &request_json),
            base_url: "http://x/v1".into(),
            model: "m".into(),
            request_json,
            response_text: format!("answer {n} “curly”\n\ttabbed"),
            temperature: 0.7,
            seed: n.is_multiple_of(2).then_some(n as i64),
            created_at_ms: 1_700_000_000_000 + n as i64,
        }
    }

    fn data_files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn durable_per_answer_and_compacted_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ResponseCache::open(dir.path()).unwrap();
        assert!(cache.is_empty());
        for n in 0..5 {
            cache.put(entry(n)).unwrap();
        }
        cache.put(entry(1)).unwrap();
        // Every answer is on disk at once, one part file each, no temp files left.
        let files = data_files(dir.path());
        assert_eq!(files.len(), 5, "{files:?}");
        assert!(files
            .iter()
            .all(|f| f.starts_with("part-") && f.ends_with(".parquet")));
        // A "crash": the cache is never closed; reopening sees every answer and compacts.
        std::mem::forget(cache);
        let cache = ResponseCache::open(dir.path()).unwrap();
        assert_eq!(cache.len(), 5);
        let files = data_files(dir.path());
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(files[0].starts_with("cache-"));
        assert_eq!(cache.get(&entry(3).key), Some(entry(3)));
        assert_eq!(cache.get(&entry(2).key).unwrap().seed, Some(2));
        cache.put(entry(9)).unwrap();
        cache.close().unwrap();
        assert_eq!(data_files(dir.path()).len(), 1);
        let cache = ResponseCache::open(dir.path()).unwrap();
        assert_eq!(cache.entries().len(), 6);
    }

    #[test]
    fn key_depends_on_url_and_body_only() {
        assert_ne!(
            request_key("http://a/v1", "{}"),
            request_key("http://b/v1", "{}")
        );
        assert_eq!(request_key("http://a/v1", "{}").len(), 64);
    }
}
