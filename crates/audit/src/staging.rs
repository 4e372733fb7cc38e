//! The output directory, swapped in whole.
//!
//! A run writes every file into a hidden staging directory beside `--out` and, once all are
//! written, renames it into place. A run killed at any point leaves the previous outputs as they
//! were (never a mix of two runs, never a 0-byte file), and the next run removes what a killed
//! run left behind.

use std::path::{Path, PathBuf};

use crate::error::{AuditError, Result};
use crate::outputs::OUTPUT_FILES;

/// The review labels a person may keep in the output directory (see [`crate::reviews`]).
pub(crate) const REVIEWS: &str = "reviews.csv";

/// A staging directory for one run's outputs.
#[derive(Debug)]
pub(crate) struct Staging {
    out: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Checks `out` (a directory of an earlier audit's files, or new), removes what killed runs
    /// left beside it, and makes the staging directory: all before any stage spends anything.
    pub(crate) fn begin(out: &Path) -> Result<Staging> {
        let out = absolute(out)?;
        let (parent, name) = match (out.parent(), out.file_name()) {
            (Some(parent), Some(name)) => {
                (parent.to_path_buf(), name.to_string_lossy().to_string())
            }
            _ => {
                return Err(AuditError::Config(format!(
                    "--out {} must name a directory of its own, not a root",
                    out.display()
                )))
            }
        };
        if out.exists() {
            check_holds_only_outputs(&out)?;
        }
        std::fs::create_dir_all(&parent).map_err(AuditError::io(
            "creating the output directory's parent",
            &parent,
        ))?;
        remove_leftovers(&parent, &name);
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).map_err(AuditError::io(
            "writing in the output directory's parent",
            &parent,
        ))?;
        Ok(Staging {
            out,
            dir,
            committed: false,
        })
    }

    /// Where the output file `name` is written during the run.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Puts the run's outputs in place of the previous ones.
    pub(crate) fn commit(mut self) -> Result<()> {
        let old = self.dir.with_file_name(
            self.dir
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .replace(".staging-", ".old-"),
        );
        // A person's labels saved beside the outputs outlive the outputs they label.
        let reviews = self.out.join(REVIEWS);
        if reviews.is_file() && !self.dir.join(REVIEWS).exists() {
            std::fs::copy(&reviews, self.dir.join(REVIEWS))
                .map_err(AuditError::io("keeping the reviews", &reviews))?;
        }
        if self.out.exists() {
            std::fs::rename(&self.out, &old).map_err(AuditError::io(
                "moving the previous outputs aside from",
                &self.out,
            ))?;
        }
        std::fs::rename(&self.dir, &self.out)
            .map_err(AuditError::io("moving the outputs into", &self.out))?;
        self.committed = true;
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    }
}

impl Drop for Staging {
    /// A failed run leaves no staging directory.
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// `out` made absolute without resolving links, so `out/..` tricks cannot name the parent.
fn absolute(out: &Path) -> Result<PathBuf> {
    let joined = std::path::absolute(out).map_err(AuditError::io("resolving", out))?;
    let mut clean = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    Ok(clean)
}

/// `out` must be a directory holding only an audit's files (and temporaries of older versions):
/// it is replaced whole, so anything else in it would be lost.
fn check_holds_only_outputs(out: &Path) -> Result<()> {
    if !out.is_dir() {
        return Err(AuditError::Config(format!(
            "the output directory --out {} is a file; give a directory",
            out.display()
        )));
    }
    let entries = std::fs::read_dir(out).map_err(AuditError::io("reading", out))?;
    let foreign: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|name| {
            !OUTPUT_FILES.contains(&name.as_str()) && name != REVIEWS && !name.starts_with(".tmp")
        })
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    let mut shown = foreign.clone();
    shown.sort();
    shown.truncate(5);
    Err(AuditError::Config(format!(
        "--out {} holds files that are not an audit's ({}{}); the audit replaces the whole \
         directory, so give a new or empty one",
        out.display(),
        shown.join(", "),
        if foreign.len() > 5 { ", …" } else { "" }
    )))
}

/// Removes `.NAME.staging-PID` and `.NAME.old-PID` beside the output whose process is gone.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().to_string();
        let pid = [".staging-", ".old-"].iter().find_map(|infix| {
            file.strip_prefix(&format!(".{name}{infix}"))
                .and_then(|pid| pid.parse::<u32>().ok())
        });
        if let Some(pid) = pid {
            let alive = pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists();
            if !alive {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_replaces_every_file_and_leaves_no_staging() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("audit");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("pairs.parquet"), b"old").unwrap();
        std::fs::write(out.join("uncertain.parquet"), b"old, not written again").unwrap();
        std::fs::write(out.join(".tmpAbC12"), b"").unwrap();
        std::fs::write(out.join("reviews.csv"), b"model,text_a,text_b,label\n").unwrap();
        // What a run killed with -9 left.
        std::fs::create_dir(parent.path().join(".audit.staging-999999999")).unwrap();

        let staging = Staging::begin(&out).unwrap();
        assert!(!parent.path().join(".audit.staging-999999999").exists());
        std::fs::write(staging.path("pairs.parquet"), b"new").unwrap();
        assert_eq!(std::fs::read(out.join("pairs.parquet")).unwrap(), b"old");
        staging.commit().unwrap();

        let mut names: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["pairs.parquet", "reviews.csv"], "reviews are kept");
        assert_eq!(std::fs::read(out.join("pairs.parquet")).unwrap(), b"new");
        let beside: Vec<_> = std::fs::read_dir(parent.path()).unwrap().collect();
        assert_eq!(beside.len(), 1, "only the output directory remains");
    }

    #[test]
    fn a_failed_run_keeps_the_previous_outputs() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("audit");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("pairs.parquet"), b"old").unwrap();
        {
            let staging = Staging::begin(&out).unwrap();
            std::fs::write(staging.path("pairs.parquet"), b"half").unwrap();
        }
        assert_eq!(std::fs::read(out.join("pairs.parquet")).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_directory_with_other_files_or_a_file_is_refused() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("mine");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("thesis.tex"), b"precious").unwrap();
        let err = Staging::begin(&out).unwrap_err().to_string();
        assert!(
            err.contains("thesis.tex") && err.contains("new or empty"),
            "{err}"
        );
        let file = parent.path().join("file");
        std::fs::write(&file, b"").unwrap();
        let err = Staging::begin(&file).unwrap_err().to_string();
        assert!(err.contains("is a file"), "{err}");
    }
}
