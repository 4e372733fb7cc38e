//! A model's identity: what an embedding cache is keyed by.
//!
//! Two directories with the same graph, tokenizer and settings give the same vectors, so the
//! identity hashes their content, not their path. Hashing a 400 MB graph takes about a second, so
//! the digest is remembered under `digests/` in the data home, keyed by path, size and mtime.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{EncodeError, Result};

/// SHA-256 of a file's content, hex-encoded, remembered across runs while the file is unchanged.
pub fn file_digest(path: &Path) -> Result<String> {
    let meta = std::fs::metadata(path).map_err(EncodeError::io("reading", path))?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let key = hex::encode(Sha256::digest(format!(
        "{}\0{}\0{}",
        canonical.display(),
        meta.len(),
        mtime
    )));
    let memo = lookalike_home::data_home().join("digests").join(&key);
    if let Ok(digest) = std::fs::read_to_string(&memo) {
        if digest.len() == 64 {
            return Ok(digest);
        }
    }
    let mut file = std::fs::File::open(path).map_err(EncodeError::io("reading", path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(EncodeError::io("reading", path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let digest = hex::encode(hasher.finalize());
    remember(&memo, &digest);
    Ok(digest)
}

/// Writes a memo whole (a temporary file, then a rename) under the data home. Remembering is an
/// optimisation: a read-only home must not fail the encode, so failures are ignored.
pub(crate) fn remember(memo: &Path, text: &str) {
    if memo
        .parent()
        .is_some_and(|dir| std::fs::create_dir_all(dir).is_ok())
    {
        let tmp = memo.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, memo);
        }
    }
}

/// Combines the parts of an identity into one short hex string.
pub fn combine(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hex::encode(&hasher.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_the_content_hash_and_changes_with_content() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("model.onnx");
        std::fs::write(&file, b"abc").unwrap();
        let first = file_digest(&file).unwrap();
        assert_eq!(
            first,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&file, b"abcd").unwrap();
        assert_ne!(file_digest(&file).unwrap(), first);
    }

    #[test]
    fn combine_separates_parts() {
        assert_ne!(combine(&["ab", "c"]), combine(&["a", "bc"]));
    }
}
