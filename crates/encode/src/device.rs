//! Where ONNX Runtime runs a model: the CPU, or a CUDA GPU when this build has the `cuda` feature
//! and the ONNX Runtime library found is the `onnxruntime-gpu` wheel.
//!
//! GPU kernels sum in another order than the CPU's, so their vectors differ in the last bits:
//! a GPU run keeps its own cache and card ([`Device::tag`]) rather than mixing with CPU vectors.
//! When the GPU cannot be used, the encoder says why on stderr and runs on the CPU, which then
//! uses the CPU's cache as usual.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use ort::session::builder::SessionBuilder;

use crate::error::{EncodeError, Result};

/// The execution device asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Device {
    /// ONNX Runtime's CPU execution provider.
    #[default]
    Cpu,
    /// ONNX Runtime's CUDA execution provider on GPU `n`.
    Cuda(i32),
}

impl FromStr for Device {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cpu" => Ok(Device::Cpu),
            "cuda" | "gpu" => Ok(Device::Cuda(0)),
            other => match other.strip_prefix("cuda:").map(str::parse::<i32>) {
                Some(Ok(n)) if n >= 0 => Ok(Device::Cuda(n)),
                _ => Err(format!(
                    "unknown device '{s}': expected cpu, cuda or cuda:N"
                )),
            },
        }
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::Cpu => f.write_str("cpu"),
            Device::Cuda(n) => write!(f, "cuda:{n}"),
        }
    }
}

impl Device {
    /// What sets this device's vectors apart in cache keys: nothing for the CPU (so caches made
    /// before devices existed stay valid), the provider's name otherwise.
    pub fn tag(self) -> Option<&'static str> {
        match self {
            Device::Cpu => None,
            Device::Cuda(_) => Some("cuda"),
        }
    }

    /// The device a model will really run on: `self`, or the CPU after saying on stderr why the
    /// GPU cannot be used.
    pub fn resolve(self) -> Device {
        match self {
            Device::Cpu => Device::Cpu,
            Device::Cuda(n) => match cuda_unavailable() {
                None => Device::Cuda(n),
                Some(why) => {
                    eprintln!("warning: {why}; embedding on the CPU");
                    Device::Cpu
                }
            },
        }
    }

    /// Adds the execution provider to a session being built (nothing for the CPU).
    pub(crate) fn register(self, builder: SessionBuilder, model: &Path) -> Result<SessionBuilder> {
        match self {
            Device::Cpu => Ok(builder),
            Device::Cuda(n) => register_cuda(builder, n).map_err(|message| EncodeError::Onnx {
                path: model.to_path_buf(),
                message,
            }),
        }
    }
}

#[cfg(feature = "cuda")]
fn cuda_unavailable() -> Option<String> {
    use ort::ep::ExecutionProvider;
    if let Err(e) = crate::runtime::environment() {
        return Some(format!("CUDA was asked for, but {e}"));
    }
    let library = crate::runtime::find_onnxruntime()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "the ONNX Runtime library".into());
    match ort::ep::CUDA::is_available() {
        Ok(true) => None,
        Ok(false) => Some(format!(
            "CUDA was asked for, but {library} has no CUDA execution provider (install the \
             onnxruntime-gpu wheel and point ORT_DYLIB_PATH at its libonnxruntime.so)"
        )),
        Err(e) => Some(format!(
            "CUDA was asked for, but {library} cannot list its providers: {e}"
        )),
    }
}

#[cfg(not(feature = "cuda"))]
fn cuda_unavailable() -> Option<String> {
    Some(
        "CUDA was asked for, but this lookalike was built without it (cargo build --features cuda)"
            .into(),
    )
}

#[cfg(feature = "cuda")]
fn register_cuda(
    mut builder: SessionBuilder,
    n: i32,
) -> std::result::Result<SessionBuilder, String> {
    use ort::ep::ExecutionProvider;
    ort::ep::CUDA::default()
        .with_device_id(n)
        .register(&mut builder)
        .map_err(|e| format!("registering the CUDA execution provider on GPU {n}: {e}"))?;
    Ok(builder)
}

#[cfg(not(feature = "cuda"))]
fn register_cuda(_: SessionBuilder, n: i32) -> std::result::Result<SessionBuilder, String> {
    Err(format!(
        "cannot run on GPU {n}: this lookalike was built without the cuda feature"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_devices_and_names_a_bad_one() {
        assert_eq!("cpu".parse::<Device>(), Ok(Device::Cpu));
        assert_eq!("CUDA".parse::<Device>(), Ok(Device::Cuda(0)));
        assert_eq!("cuda:1".parse::<Device>(), Ok(Device::Cuda(1)));
        assert_eq!(Device::Cuda(1).to_string(), "cuda:1");
        let err = "tpu".parse::<Device>().unwrap_err();
        assert!(err.contains("'tpu'") && err.contains("cuda:N"), "{err}");
        assert!("cuda:-1".parse::<Device>().is_err());
    }

    #[test]
    fn only_gpu_vectors_get_their_own_cache() {
        assert_eq!(Device::Cpu.tag(), None);
        assert_eq!(Device::Cuda(0).tag(), Some("cuda"));
    }
}

/// Built with `cuda` against the CPU wheel (as in CI): the GPU is refused with the reason, and the
/// run goes on on the CPU.
#[cfg(all(test, feature = "cuda"))]
mod cuda_tests {
    use super::*;

    #[test]
    fn the_cpu_wheel_has_no_cuda_and_the_cpu_takes_over() {
        if crate::runtime::environment().is_err() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI installs ONNX Runtime before testing"
            );
            eprintln!("skipped: ONNX Runtime not installed");
            return;
        }
        let why = cuda_unavailable().expect("the CPU wheel lists no CUDA provider");
        assert!(why.contains("no CUDA execution provider"), "{why}");
        assert!(why.contains("onnxruntime-gpu"), "{why}");
        assert_eq!(Device::Cuda(0).resolve(), Device::Cpu);
    }
}
