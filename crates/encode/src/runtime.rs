//! Finding and loading the ONNX Runtime shared library.
//!
//! `ort` is built with `load-dynamic`: nothing is linked at build time, and the library comes from
//! the PyPI `onnxruntime` wheel. We look for it, in order, at `ORT_DYLIB_PATH`, in lookalike's own
//! Python target (`python/` in the data home, see [`lookalike_home`], where `lookalike setup`
//! installs it) and in the site-packages of `python3`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::error::{EncodeError, Result};

/// The onnxruntime wheel this build of `ort` (2.0.0-rc.15, ONNX Runtime API 1.31) is pinned to.
pub const ORT_WHEEL_VERSION: &str = "1.32.0";
/// The oldest ONNX Runtime minor version `ort` rc.15 accepts.
const MIN_MINOR: u32 = 31;

/// The directories searched for `onnxruntime/capi/libonnxruntime.so.*`, in order.
fn site_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![lookalike_home::data_home().join("python")];
    // Ask python3 where its packages live rather than guessing version-specific paths.
    let probe = "import site,sys; print('\\n'.join(site.getsitepackages()+[site.getusersitepackages()]+sys.path))";
    if let Ok(out) = std::process::Command::new("python3")
        .args(["-c", probe])
        .output()
    {
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout);
            dirs.extend(text.lines().filter(|l| !l.is_empty()).map(PathBuf::from));
        }
    }
    dirs.dedup();
    dirs
}

/// `(minor, patch)` of a file named `libonnxruntime.so.1.MINOR.PATCH`.
fn library_version(path: &Path) -> Option<(u32, u32)> {
    let name = path.file_name()?.to_str()?;
    let version = name.strip_prefix("libonnxruntime.so.1.")?;
    let mut parts = version.split('.');
    Some((
        parts.next()?.parse().ok()?,
        parts.next().unwrap_or("0").parse().ok()?,
    ))
}

/// Finds the ONNX Runtime library: the newest acceptable `libonnxruntime.so.1.*` found first.
pub fn find_onnxruntime() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("ORT_DYLIB_PATH") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(runtime_error(format!(
                "ORT_DYLIB_PATH points at {}, which is not a file",
                path.display()
            )))
        };
    }
    let mut too_old = Vec::new();
    for dir in site_dirs() {
        let capi = dir.join("onnxruntime").join("capi");
        let Ok(entries) = std::fs::read_dir(&capi) else {
            continue;
        };
        let mut found: Vec<(u32, u32, PathBuf)> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter_map(|p| library_version(&p).map(|(minor, patch)| (minor, patch, p)))
            .collect();
        found.sort();
        if let Some((minor, _, path)) = found.pop() {
            if minor >= MIN_MINOR {
                return Ok(path);
            }
            too_old.push(path.display().to_string());
        }
    }
    let reason = if too_old.is_empty() {
        format!(
            "no libonnxruntime.so.1.* found (looked at ORT_DYLIB_PATH, {} and python3's site-packages); run `lookalike setup`",
            lookalike_home::data_home().join("python").display()
        )
    } else {
        format!(
            "only ONNX Runtime older than 1.{MIN_MINOR} was found ({})",
            too_old.join(", ")
        )
    };
    Err(runtime_error(reason))
}

fn runtime_error(reason: String) -> EncodeError {
    EncodeError::Runtime {
        reason,
        wheel: ORT_WHEEL_VERSION,
    }
}

/// The process-wide ONNX Runtime environment, loaded on first use.
///
/// ONNX Runtime can be loaded once per process, so a failure is remembered and returned again.
pub fn environment() -> Result<&'static ort::environment::Environment> {
    static ENV: OnceLock<std::result::Result<ort::environment::Environment, String>> =
        OnceLock::new();
    let env = ENV.get_or_init(|| {
        let path = find_onnxruntime().map_err(|e| match e {
            EncodeError::Runtime { reason, .. } => reason,
            other => other.to_string(),
        })?;
        let builder =
            ort::init_from(&path).map_err(|e| format!("loading {}: {e}", path.display()))?;
        builder
            .with_name("lookalike")
            .build()
            .map_err(|e| format!("starting ONNX Runtime from {}: {e}", path.display()))
    });
    env.as_ref().map_err(|reason| runtime_error(reason.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_library_versions() {
        assert_eq!(
            library_version(Path::new("/x/libonnxruntime.so.1.32.0")),
            Some((32, 0))
        );
        assert_eq!(
            library_version(Path::new("libonnxruntime.so.1.31.1")),
            Some((31, 1))
        );
        assert_eq!(library_version(Path::new("libonnxruntime.so")), None);
        assert_eq!(
            library_version(Path::new("libonnxruntime_providers_shared.so")),
            None
        );
    }
}
