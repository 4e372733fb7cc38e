//! Checkpoints named the Hugging Face way (`ORG/NAME`), found in the local hub cache.
//!
//! Nothing is downloaded: a user who has run `huggingface-cli download` (or any `transformers`
//! code) on this machine has the files under `models--ORG--NAME/snapshots/REVISION/`, and
//! `lookalike model import ORG/NAME` reads them there.

use std::path::{Path, PathBuf};

use crate::error::{EncodeError, Result};

/// The checkpoint directory `spec` names: a directory as given, else the snapshot of a Hugging
/// Face name in [`lookalike_home::hf_hub_dir`] (the one `refs/main` points at, else the newest
/// holding a `config.json`).
pub fn resolve_checkpoint(spec: &str) -> Result<PathBuf> {
    resolve_in(spec, &lookalike_home::hf_hub_dir())
}

fn resolve_in(spec: &str, hub: &Path) -> Result<PathBuf> {
    let as_path = Path::new(spec);
    if as_path.is_dir() {
        return Ok(as_path.to_path_buf());
    }
    let Some((org, name)) = hub_name(spec) else {
        return Err(EncodeError::Missing {
            what: "checkpoint directory".into(),
            path: as_path.to_path_buf(),
            hint: ". Give a directory holding config.json, model.safetensors and tokenizer.json, \
                   or a Hugging Face name such as openai/clip-vit-large-patch14"
                .into(),
        });
    };
    let repo = hub.join(format!("models--{org}--{name}"));
    let snapshots = repo.join("snapshots");
    let not_cached = |path: PathBuf, what: &str| EncodeError::Missing {
        what: format!("{what} of Hugging Face model '{org}/{name}'"),
        path,
        hint: format!(
            " (the local Hugging Face cache: $HF_HUB_CACHE, $HF_HOME/hub or \
             ~/.cache/huggingface/hub). lookalike downloads nothing: run `huggingface-cli \
             download {org}/{name}` where a network is allowed and copy {} here, or give the \
             checkpoint's directory",
            repo.display()
        ),
    };
    if !snapshots.is_dir() {
        return Err(not_cached(snapshots, "a snapshot"));
    }
    if let Ok(revision) = std::fs::read_to_string(repo.join("refs").join("main")) {
        let pinned = snapshots.join(revision.trim());
        if pinned.join("config.json").is_file() {
            return Ok(pinned);
        }
    }
    let newest = std::fs::read_dir(&snapshots)
        .map_err(EncodeError::io("reading", &snapshots))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| dir.join("config.json").is_file())
        .max_by_key(|dir| {
            std::fs::metadata(dir)
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH)
        });
    newest.ok_or_else(|| not_cached(snapshots.join("*/config.json"), "config.json"))
}

/// `(ORG, NAME)` when `spec` reads as a hub name: two non-empty parts of `[A-Za-z0-9._-]`.
fn hub_name(spec: &str) -> Option<(&str, &str)> {
    let (org, name) = spec.split_once('/')?;
    let part = |p: &str| {
        !p.is_empty()
            && !p.starts_with('.')
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    };
    (part(org) && part(name)).then_some((org, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(hub: &Path, repo: &str, revision: &str) -> PathBuf {
        let dir = hub.join(repo).join("snapshots").join(revision);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.json"), "{}").unwrap();
        dir
    }

    #[test]
    fn a_hub_name_resolves_to_the_snapshot_main_points_at() {
        let hub = tempfile::tempdir().unwrap();
        let repo = "models--openai--clip-vit-large-patch14";
        let main = snapshot(hub.path(), repo, "aaa");
        snapshot(hub.path(), repo, "bbb");
        std::fs::create_dir_all(hub.path().join(repo).join("refs")).unwrap();
        std::fs::write(hub.path().join(repo).join("refs/main"), "aaa\n").unwrap();
        let found = resolve_in("openai/clip-vit-large-patch14", hub.path()).unwrap();
        assert_eq!(found, main);
    }

    #[test]
    fn without_refs_the_only_snapshot_is_taken() {
        let hub = tempfile::tempdir().unwrap();
        let only = snapshot(hub.path(), "models--org--m", "rev1");
        assert_eq!(resolve_in("org/m", hub.path()).unwrap(), only);
    }

    #[test]
    fn a_missing_name_says_where_it_looked_and_that_nothing_is_downloaded() {
        let hub = tempfile::tempdir().unwrap();
        let err = resolve_in("openai/clip-vit-large-patch14", hub.path())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("models--openai--clip-vit-large-patch14")
                && err.contains("downloads nothing"),
            "{err}"
        );
        let err = resolve_in("no/such/dir", hub.path())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("checkpoint directory not found at no/such/dir"),
            "{err}"
        );
    }

    #[test]
    fn a_directory_wins_over_a_name() {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().to_str().unwrap();
        assert_eq!(
            resolve_in(spec, Path::new("/nonexistent")).unwrap(),
            dir.path()
        );
    }
}
