//! Model directories: finding a model by name and resolving its manifest.
//!
//! A model is a folder holding an ONNX graph, a `tokenizer.json` and an optional
//! [`MANIFEST_FILE`]. Hugging Face layouts load as they are downloaded: a CLIP export
//! (`text_model.onnx`) or a sentence-transformers export (`onnx/model.onnx`, tokenizer at the top).

use std::path::{Path, PathBuf};

use crate::error::{EncodeError, Result};
use crate::manifest::{EosRule, Family, Manifest, Pooling, MANIFEST_FILE};

/// Where ONNX graphs are looked for when the manifest names none.
const ONNX_CANDIDATES: [&str; 3] = ["model.onnx", "onnx/model.onnx", "text_model.onnx"];

/// A model directory with every manifest field resolved (pooling excepted: it may depend on the
/// graph's outputs, see [`crate::Encoder`]).
#[derive(Debug, Clone)]
pub struct ModelDir {
    /// The name it was found under (the directory's file name).
    pub name: String,
    /// The directory.
    pub dir: PathBuf,
    /// The ONNX graph.
    pub onnx: PathBuf,
    /// The tokenizer.
    pub tokenizer: PathBuf,
    /// The manifest as written (unresolved fields are `None`).
    pub manifest: Manifest,
}

impl ModelDir {
    /// Opens a model directory, checking that its files exist.
    pub fn open(dir: impl AsRef<Path>) -> Result<ModelDir> {
        let dir = dir.as_ref().to_path_buf();
        if !dir.is_dir() {
            return Err(EncodeError::Missing {
                what: "model directory".into(),
                path: dir,
                hint: ". Import one with `lookalike model import <hf-dir> <out-dir>` or run `lookalike setup`".into(),
            });
        }
        let manifest_path = dir.join(MANIFEST_FILE);
        let manifest = if manifest_path.is_file() {
            let text = std::fs::read_to_string(&manifest_path)
                .map_err(EncodeError::io("reading", &manifest_path))?;
            serde_json::from_str(&text)
                .map_err(|e| EncodeError::invalid("manifest", &manifest_path, e))?
        } else {
            Manifest::default()
        };
        let onnx = match &manifest.onnx {
            Some(rel) => dir.join(rel),
            None => ONNX_CANDIDATES
                .iter()
                .map(|c| dir.join(c))
                .find(|p| p.is_file())
                .unwrap_or_else(|| dir.join(ONNX_CANDIDATES[0])),
        };
        if !onnx.is_file() {
            return Err(EncodeError::Missing {
                what: "ONNX graph".into(),
                path: onnx,
                hint: format!(
                    " (looked for {} in {})",
                    ONNX_CANDIDATES.join(", "),
                    dir.display()
                ),
            });
        }
        let tokenizer = dir.join(manifest.tokenizer.as_deref().unwrap_or("tokenizer.json"));
        if !tokenizer.is_file() {
            return Err(EncodeError::Missing {
                what: "tokenizer".into(),
                path: tokenizer,
                hint: String::new(),
            });
        }
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| dir.display().to_string());
        Ok(ModelDir {
            name,
            dir,
            onnx,
            tokenizer,
            manifest,
        })
    }

    /// The family, inferred from the file layout when the manifest has none.
    pub fn family(&self) -> Family {
        self.manifest.family.unwrap_or_else(|| {
            if self
                .onnx
                .file_name()
                .is_some_and(|n| n == "text_model.onnx")
            {
                Family::ClipText
            } else {
                Family::Other
            }
        })
    }

    /// Pooling from the manifest, else the family's default; `None` when the graph must decide.
    pub fn pooling(&self) -> Option<Pooling> {
        self.manifest.pooling.clone().or(match self.family() {
            Family::Bert | Family::Mpnet => Some(Pooling::Mean),
            Family::ClipText | Family::Other => None,
        })
    }

    /// Whether to L2-normalise (default true: every audit compares cosines).
    pub fn normalize(&self) -> bool {
        self.manifest.normalize.unwrap_or(true)
    }

    /// The CLIP end-of-text token and rule for EOS pooling.
    pub fn eos(&self) -> (u32, EosRule) {
        (
            self.manifest.eos_token_id.unwrap_or(49407),
            self.manifest.eos_rule.unwrap_or(EosRule::Argmax),
        )
    }
}

/// The models directory: every subdirectory is a model, found by its name.
#[derive(Debug, Clone)]
pub struct Models {
    dir: PathBuf,
}

impl Models {
    /// The models directory from the argument, else [`lookalike_home::models_dir`]
    /// (`$LOOKALIKE_MODELS`, else `models/` in the data home).
    pub fn new(dir: Option<PathBuf>) -> Models {
        let dir = dir.unwrap_or_else(lookalike_home::models_dir);
        Models { dir }
    }

    /// The directory searched.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Names of the subdirectories that hold a model, sorted.
    pub fn list(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Opens the model called `name` (or, when `name` is a path to a directory, that directory).
    pub fn open(&self, name: &str) -> Result<ModelDir> {
        let path = self.dir.join(name);
        if path.is_dir() {
            return ModelDir::open(path);
        }
        if name.contains('/') && Path::new(name).is_dir() {
            return ModelDir::open(name);
        }
        let available = self.list();
        Err(EncodeError::UnknownModel {
            name: name.to_string(),
            dir: self.dir.clone(),
            available: if available.is_empty() {
                "none".into()
            } else {
                available.join(", ")
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_directory_names_the_path_and_the_fix() {
        let err = ModelDir::open("/nonexistent/models/minilm")
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/models/minilm"), "{err}");
        assert!(err.contains("lookalike model import"), "{err}");
    }

    #[test]
    fn missing_tokenizer_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("model.onnx"), b"x").unwrap();
        let err = ModelDir::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("tokenizer.json"), "{err}");
    }

    #[test]
    fn hugging_face_clip_layout_is_recognised() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("text_model.onnx"), b"x").unwrap();
        std::fs::write(dir.path().join("tokenizer.json"), b"{}").unwrap();
        let model = ModelDir::open(dir.path()).unwrap();
        assert_eq!(model.family(), Family::ClipText);
        assert!(model.onnx.ends_with("text_model.onnx"));
    }

    #[test]
    fn unknown_model_lists_what_exists() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("minilm")).unwrap();
        let err = Models::new(Some(dir.path().into()))
            .open("clip")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown model 'clip'") && err.contains("minilm"),
            "{err}"
        );
    }
}
