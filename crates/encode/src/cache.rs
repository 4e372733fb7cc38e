//! The embedding cache: Parquet files keyed by model identity and text.
//!
//! Layout: `<root>/embeddings/<model identity>/part-*.parquet`, each with columns `text_hash`
//! (16 bytes of SHA-256), `text` and `embedding` (FixedSizeList<Float32, dim>). A part is written
//! to a temporary file and renamed into place, so an interrupted run leaves whole parts only; many
//! small parts are merged into one the same way. The files are ordinary Parquet: a user can query
//! them, and a second query over the same texts computes nothing.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{
    Array, AsArray, FixedSizeBinaryArray, FixedSizeListArray, Float32Array, RecordBatch,
    StringArray,
};
use arrow::datatypes::{DataType, Field, Float32Type, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use sha2::{Digest, Sha256};

use crate::EncodeError;

/// Parts beyond this many are merged into one when a model's cache is opened.
const MAX_PARTS: usize = 32;

/// 128 bits of SHA-256 of a text: collisions are negligible at any corpus size.
pub type TextHash = [u8; 16];

/// Hashes a text for the cache.
pub fn text_hash(text: &str) -> TextHash {
    let digest = Sha256::digest(text.as_bytes());
    digest[..16].try_into().expect("16 bytes")
}

/// The cached vectors of one model, held in memory once loaded.
#[derive(Debug)]
pub struct ModelCache {
    dir: PathBuf,
    dim: usize,
    index: HashMap<TextHash, usize>,
    vectors: Vec<f32>,
    parts: usize,
    /// The part files read so far, so [`ModelCache::refresh`] reads only other processes' parts.
    loaded: HashSet<PathBuf>,
}

/// A model's cache held by this process while it computes or merges vectors (see
/// [`ModelCache::lock`]); released when dropped, or when the process dies.
#[derive(Debug)]
pub struct CacheLock {
    _file: std::fs::File,
}

impl ModelCache {
    /// Opens (and loads) the cache of the model with this identity; merges parts when many.
    pub fn open(root: &Path, identity: &str, dim: usize) -> Result<ModelCache, EncodeError> {
        let dir = root.join("embeddings").join(identity);
        let mut cache = ModelCache {
            dir,
            dim,
            index: HashMap::new(),
            vectors: Vec::new(),
            parts: 0,
            loaded: HashSet::new(),
        };
        cache.refresh()?;
        if cache.parts > MAX_PARTS {
            // Merging removes parts another process may be reading: only under the lock, and
            // over every part there is once it is held.
            let _lock = cache.lock()?;
            cache.refresh()?;
            let parts: Vec<PathBuf> = cache.loaded.iter().cloned().collect();
            cache.compact(&parts)?;
        }
        Ok(cache)
    }

    /// Reads the parts written since the cache was opened, by other processes; returns how many
    /// texts they added.
    pub fn refresh(&mut self) -> Result<usize, EncodeError> {
        let before = self.len();
        for part in self.part_files()? {
            if self.loaded.contains(&part) {
                continue;
            }
            match self.load_part(&part) {
                Ok(()) => {
                    self.loaded.insert(part);
                    self.parts += 1;
                }
                // A part that is truncated, has flipped bytes or holds another shape costs a
                // recompute of its texts, never the run: it is named and moved aside.
                Err(e @ EncodeError::Invalid { .. }) => set_aside(&part, &e),
                Err(e) => return Err(e),
            }
        }
        Ok(self.len() - before)
    }

    /// Takes this model's cache for this process: two processes needing the same texts then
    /// compute them once (the second waits, [`refresh`](ModelCache::refresh)es and finds them),
    /// and no part is merged away while another process reads it.
    pub fn lock(&self) -> Result<CacheLock, EncodeError> {
        std::fs::create_dir_all(&self.dir).map_err(EncodeError::io("creating", &self.dir))?;
        let path = self.dir.join(".lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(EncodeError::io("opening", &path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                eprintln!(
                    "waiting for another lookalike process to finish with this model's cache ({})",
                    path.display()
                );
                file.lock().map_err(EncodeError::io("locking", &path))?;
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(EncodeError::io("locking", &path)(e))
            }
        }
        Ok(CacheLock { _file: file })
    }

    /// The vector of a cached text.
    pub fn get(&self, hash: &TextHash) -> Option<&[f32]> {
        self.index
            .get(hash)
            .map(|&row| &self.vectors[row * self.dim..(row + 1) * self.dim])
    }

    /// Number of cached texts.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Adds newly computed vectors and writes them as one new part.
    pub fn insert(&mut self, texts: &[&str], vectors: &[f32]) -> Result<(), EncodeError> {
        let mut fresh_texts = Vec::new();
        let mut fresh_hashes = Vec::new();
        let mut fresh_vectors = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let hash = text_hash(text);
            if self.index.contains_key(&hash) {
                continue;
            }
            let vector = &vectors[i * self.dim..(i + 1) * self.dim];
            self.index.insert(hash, self.index.len());
            self.vectors.extend_from_slice(vector);
            fresh_texts.push(*text);
            fresh_hashes.push(hash);
            fresh_vectors.extend_from_slice(vector);
        }
        if fresh_texts.is_empty() {
            return Ok(());
        }
        let batch = self.batch(&fresh_hashes, &fresh_texts, fresh_vectors)?;
        let name = format!("part-{}-{}.parquet", unique_suffix(), self.parts);
        let path = self.dir.join(name);
        write_parquet_atomically(&path, std::slice::from_ref(&batch))?;
        self.loaded.insert(path);
        self.parts += 1;
        Ok(())
    }

    fn part_files(&self) -> Result<Vec<PathBuf>, EncodeError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(EncodeError::Io {
                    action: "reading",
                    path: self.dir.clone(),
                    source,
                })
            }
        };
        let mut parts: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "parquet")
                    && p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("part-"))
            })
            .collect();
        parts.sort();
        Ok(parts)
    }

    fn load_part(&mut self, path: &Path) -> Result<(), EncodeError> {
        let invalid = |reason: String| EncodeError::Invalid {
            what: "embedding cache part",
            path: path.to_path_buf(),
            reason,
        };
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            // Another process merged this part away since we listed the directory.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(source) => {
                return Err(EncodeError::Io {
                    action: "reading",
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| invalid(format!("not a readable embedding cache part ({e})")))?;
        let expected = builder.schema().metadata().get(CHECKSUM_KEY).cloned();
        let reader = builder
            .build()
            .map_err(|e| invalid(format!("not a readable embedding cache part ({e})")))?;
        // Staged and merged only once the whole part has read well.
        let (mut hashes_read, mut vectors_read) = (Vec::new(), Vec::new());
        for batch in reader {
            let batch = batch.map_err(|e| invalid(e.to_string()))?;
            let (Some(hashes), Some(embeddings)) = (
                batch.column_by_name("text_hash"),
                batch.column_by_name("embedding"),
            ) else {
                return Err(invalid("missing column text_hash or embedding".into()));
            };
            let hashes = hashes
                .as_fixed_size_binary_opt()
                .ok_or_else(|| invalid("text_hash is not FixedSizeBinary(16)".into()))?;
            let embeddings = embeddings
                .as_fixed_size_list_opt()
                .ok_or_else(|| invalid("embedding is not a FixedSizeList".into()))?;
            if embeddings.value_length() as usize != self.dim {
                return Err(invalid(format!(
                    "cached embeddings have dimension {} but the model produces {}",
                    embeddings.value_length(),
                    self.dim,
                )));
            }
            let values = embeddings
                .values()
                .as_primitive_opt::<Float32Type>()
                .ok_or_else(|| invalid("embedding values are not Float32".into()))?;
            if embeddings.null_count() > 0 || values.null_count() > 0 {
                return Err(invalid("holds a NULL embedding".into()));
            }
            for row in 0..batch.num_rows() {
                let hash: TextHash = hashes
                    .value(row)
                    .try_into()
                    .map_err(|_| invalid("text_hash is not 16 bytes".into()))?;
                let vector = &values.values()[row * self.dim..(row + 1) * self.dim];
                if !vector.iter().all(|v| v.is_finite()) {
                    return Err(invalid(format!("row {row} holds a non-finite vector")));
                }
                hashes_read.push(hash);
                vectors_read.extend_from_slice(vector);
            }
        }
        // Parts written before checksums were kept have none, and are read as they are.
        if expected.is_some_and(|sum| sum != checksum(&hashes_read, &vectors_read)) {
            return Err(invalid(
                "its content does not match its checksum (flipped bytes?)".into(),
            ));
        }
        for (i, hash) in hashes_read.into_iter().enumerate() {
            if let std::collections::hash_map::Entry::Vacant(slot) = self.index.entry(hash) {
                slot.insert(self.vectors.len() / self.dim);
                self.vectors
                    .extend_from_slice(&vectors_read[i * self.dim..(i + 1) * self.dim]);
            }
        }
        Ok(())
    }

    fn batch(
        &self,
        hashes: &[TextHash],
        texts: &[&str],
        vectors: Vec<f32>,
    ) -> Result<RecordBatch, EncodeError> {
        let metadata = HashMap::from([(CHECKSUM_KEY.to_string(), checksum(hashes, &vectors))]);
        let item = Arc::new(Field::new("item", DataType::Float32, false));
        let embeddings = FixedSizeListArray::try_new(
            item.clone(),
            self.dim as i32,
            Arc::new(Float32Array::from(vectors)),
            None,
        )
        .map_err(|e| EncodeError::Invalid {
            what: "embedding cache part",
            path: self.dir.clone(),
            reason: e.to_string(),
        })?;
        let hashes = FixedSizeBinaryArray::try_from_iter(hashes.iter()).map_err(|e| {
            EncodeError::Invalid {
                what: "embedding cache part",
                path: self.dir.clone(),
                reason: e.to_string(),
            }
        })?;
        let schema = Schema::new_with_metadata(
            vec![
                Field::new("text_hash", DataType::FixedSizeBinary(16), false),
                Field::new("text", DataType::Utf8, false),
                Field::new(
                    "embedding",
                    DataType::FixedSizeList(item, self.dim as i32),
                    false,
                ),
            ],
            metadata,
        );
        RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(hashes),
                Arc::new(StringArray::from(texts.to_vec())),
                Arc::new(embeddings),
            ],
        )
        .map_err(|e| EncodeError::Invalid {
            what: "embedding cache part",
            path: self.dir.clone(),
            reason: e.to_string(),
        })
    }

    /// Rewrites every part as one, then removes the old parts.
    fn compact(&mut self, parts: &[PathBuf]) -> Result<(), EncodeError> {
        let mut texts_by_row: Vec<(TextHash, String)> = Vec::with_capacity(self.len());
        for part in parts {
            let Ok(file) = std::fs::File::open(part) else {
                continue;
            };
            let Ok(reader) = ParquetRecordBatchReaderBuilder::try_new(file).and_then(|b| b.build())
            else {
                continue;
            };
            for batch in reader.flatten() {
                let (Some(h), Some(t)) = (
                    batch.column_by_name("text_hash"),
                    batch.column_by_name("text"),
                ) else {
                    continue;
                };
                let (Some(h), Some(t)) = (h.as_fixed_size_binary_opt(), t.as_string_opt::<i32>())
                else {
                    continue;
                };
                for row in 0..batch.num_rows() {
                    if let Ok(hash) = <TextHash>::try_from(h.value(row)) {
                        texts_by_row.push((hash, t.value(row).to_string()));
                    }
                }
            }
        }
        texts_by_row.sort_by_key(|(hash, _)| self.index.get(hash).copied().unwrap_or(usize::MAX));
        texts_by_row.dedup_by_key(|(hash, _)| *hash);
        let hashes: Vec<TextHash> = texts_by_row.iter().map(|(h, _)| *h).collect();
        let texts: Vec<&str> = texts_by_row.iter().map(|(_, t)| t.as_str()).collect();
        let vectors: Vec<f32> = hashes
            .iter()
            .flat_map(|h| self.get(h).unwrap_or(&[]).to_vec())
            .collect();
        if vectors.len() != hashes.len() * self.dim {
            return Ok(()); // a part changed under us; merging can wait for the next open
        }
        let batch = self.batch(&hashes, &texts, vectors)?;
        let merged = self
            .dir
            .join(format!("part-{}-merged.parquet", unique_suffix()));
        write_parquet_atomically(&merged, std::slice::from_ref(&batch))?;
        for part in parts {
            let _ = std::fs::remove_file(part);
        }
        self.loaded = HashSet::from([merged]);
        self.parts = 1;
        Ok(())
    }
}

/// Writes batches to `path` through a temporary file in the same directory and a rename.
pub fn write_parquet_atomically(path: &Path, batches: &[RecordBatch]) -> Result<(), EncodeError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|source| EncodeError::Io {
        action: "creating",
        path: dir.to_path_buf(),
        source,
    })?;
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|source| EncodeError::Io {
        action: "creating a temporary file in",
        path: dir.to_path_buf(),
        source,
    })?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("valid level"),
        ))
        .build();
    let schema = batches
        .first()
        .map(|b| b.schema())
        .unwrap_or_else(|| Arc::new(Schema::empty()));
    let invalid = |e: parquet::errors::ParquetError| EncodeError::Invalid {
        what: "embedding cache part",
        path: path.to_path_buf(),
        reason: format!("writing Parquet: {e}"),
    };
    let mut writer = ArrowWriter::try_new(
        tmp.as_file()
            .try_clone()
            .map_err(|source| EncodeError::Io {
                action: "writing",
                path: path.to_path_buf(),
                source,
            })?,
        schema,
        Some(props),
    )
    .map_err(invalid)?;
    for batch in batches {
        writer.write(batch).map_err(invalid)?;
    }
    writer.close().map_err(invalid)?;
    tmp.as_file().sync_all().map_err(|source| EncodeError::Io {
        action: "syncing",
        path: path.to_path_buf(),
        source,
    })?;
    // Readable by others, like any file a tool writes (temporary files start private).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    tmp.persist(path).map_err(|e| EncodeError::Io {
        action: "renaming into",
        path: path.to_path_buf(),
        source: e.error,
    })?;
    Ok(())
}

/// The metadata key of a part's checksum.
const CHECKSUM_KEY: &str = "lookalike.checksum";

/// SHA-256 of a part's hashes and vectors (little-endian): flipped bytes anywhere in the data
/// show as a mismatch, where Parquet itself would read them as other numbers.
fn checksum(hashes: &[TextHash], vectors: &[f32]) -> String {
    let mut hasher = Sha256::new();
    for hash in hashes {
        hasher.update(hash);
    }
    for v in vectors {
        hasher.update(v.to_le_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Renames a bad part to `*.corrupt` (kept for a look, never read again) and says so.
fn set_aside(part: &Path, why: &EncodeError) {
    let aside = part.with_extension("parquet.corrupt");
    match std::fs::rename(part, &aside) {
        Ok(()) => eprintln!(
            "warning: {why}; moved it aside to {}, and its texts will be embedded again",
            aside.display()
        ),
        Err(e) => eprintln!(
            "warning: {why}; could not move it aside ({e}), and its texts will be embedded again"
        ),
    }
}

/// A name part unique across processes and calls: time, process id and a counter.
fn unique_suffix() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{nanos:024}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_reads_what_another_process_wrote_and_the_lock_is_exclusive() {
        let root = tempfile::tempdir().unwrap();
        let mut first = ModelCache::open(root.path(), "m1", 2).unwrap();
        let mut second = ModelCache::open(root.path(), "m1", 2).unwrap();
        first.insert(&["a dog"], &[0.6, 0.8]).unwrap();
        assert!(second.get(&text_hash("a dog")).is_none());
        assert_eq!(second.refresh().unwrap(), 1);
        assert_eq!(second.get(&text_hash("a dog")).unwrap(), &[0.6, 0.8]);
        assert_eq!(
            first.refresh().unwrap(),
            0,
            "its own part is not read twice"
        );

        let held = first.lock().unwrap();
        let path = root.path().join("embeddings/m1/.lock");
        let other = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        assert!(matches!(
            other.try_lock(),
            Err(std::fs::TryLockError::WouldBlock)
        ));
        drop(held);
        assert!(other.try_lock().is_ok(), "released when dropped");
    }

    #[test]
    fn round_trips_and_survives_reopen() {
        let root = tempfile::tempdir().unwrap();
        let mut cache = ModelCache::open(root.path(), "m1", 2).unwrap();
        cache
            .insert(&["a", "b", "a"], &[1., 0., 0., 1., 1., 0.])
            .unwrap();
        assert_eq!(cache.len(), 2);
        let reopened = ModelCache::open(root.path(), "m1", 2).unwrap();
        assert_eq!(reopened.get(&text_hash("b")), Some(&[0., 1.][..]));
        assert_eq!(reopened.get(&text_hash("c")), None);
    }

    /// The parts of m1 moved aside.
    fn set_aside_parts(root: &Path) -> Vec<String> {
        let dir = root.join("embeddings").join("m1");
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".corrupt"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_part_of_another_dimension_is_set_aside() {
        let root = tempfile::tempdir().unwrap();
        ModelCache::open(root.path(), "m1", 2)
            .unwrap()
            .insert(&["a"], &[1., 0.])
            .unwrap();
        let reopened = ModelCache::open(root.path(), "m1", 3).unwrap();
        assert!(reopened.is_empty());
        assert_eq!(set_aside_parts(root.path()).len(), 1);
    }

    #[test]
    fn truncated_flipped_and_non_finite_parts_are_set_aside_and_the_rest_kept() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("embeddings").join("m1");
        let mut cache = ModelCache::open(root.path(), "m1", 2).unwrap();
        cache.insert(&["good"], &[1., 0.]).unwrap();
        let good = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .next()
            .unwrap()
            .path();
        // A copy of a part with one bit of a vector flipped: Parquet reads it as another number.
        let mut bytes = std::fs::read(&good).unwrap();
        let one = 1f32.to_le_bytes();
        let at = bytes
            .windows(4)
            .position(|w| w == one)
            .expect("the vector is stored as plain little-endian floats");
        bytes[at] ^= 1;
        std::fs::write(dir.join("part-zz-flipped.parquet"), &bytes).unwrap();
        cache.insert(&["nan"], &[f32::NAN, 0.]).unwrap();
        std::fs::write(dir.join("part-0.parquet"), b"not parquet").unwrap();

        let reopened = ModelCache::open(root.path(), "m1", 2).unwrap();
        assert_eq!(reopened.get(&text_hash("good")), Some(&[1., 0.][..]));
        assert_eq!(reopened.get(&text_hash("nan")), None);
        assert_eq!(reopened.len(), 1);
        let aside = set_aside_parts(root.path());
        assert_eq!(aside.len(), 3, "{aside:?}");
        assert!(aside.contains(&"part-0.parquet.corrupt".to_string()));
        assert!(aside.contains(&"part-zz-flipped.parquet.corrupt".to_string()));
    }

    #[test]
    fn many_parts_are_merged_without_loss() {
        let root = tempfile::tempdir().unwrap();
        let mut cache = ModelCache::open(root.path(), "m1", 1).unwrap();
        for i in 0..(MAX_PARTS + 3) {
            cache.insert(&[&format!("t{i}")], &[i as f32]).unwrap();
        }
        let merged = ModelCache::open(root.path(), "m1", 1).unwrap();
        assert_eq!(merged.len(), MAX_PARTS + 3);
        assert_eq!(merged.part_files().unwrap().len(), 1);
        assert_eq!(merged.get(&text_hash("t7")), Some(&[7.0][..]));
    }
}
