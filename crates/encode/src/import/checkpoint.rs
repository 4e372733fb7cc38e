//! Reading `model.safetensors`: tensor lookup with an optional name prefix, shape checks, and
//! conversion of f32/f16/bf16 data to little-endian f32 (transposed for `Linear` weights).

use std::path::{Path, PathBuf};

use safetensors::{Dtype, SafeTensors};

use crate::error::{EncodeError, Result};

/// The raw file. It is read once into memory (about 1x the checkpoint); tensors borrow from it and
/// are converted one at a time while the ONNX file is written.
pub struct Checkpoint {
    path: PathBuf,
    bytes: Vec<u8>,
}

impl Checkpoint {
    /// Reads `path`; a missing file is [`EncodeError::Missing`].
    pub fn read(path: &Path) -> Result<Self> {
        if !path.is_file() {
            return Err(EncodeError::Missing {
                what: "model.safetensors".into(),
                path: path.to_path_buf(),
                hint: ". The importer needs the checkpoint's weights in safetensors format".into(),
            });
        }
        let bytes = std::fs::read(path).map_err(EncodeError::io("reading", path))?;
        Ok(Checkpoint {
            path: path.to_path_buf(),
            bytes,
        })
    }

    /// Parses the header. `probe` is a tensor every checkpoint of the family holds; the first of
    /// `prefixes` under which it exists becomes the prefix of every later lookup (task heads save
    /// the encoder as `bert.*` or `mpnet.*`, bare models without a prefix).
    pub fn weights(&self, probe: &str, prefixes: &[&str]) -> Result<Weights<'_>> {
        let st = SafeTensors::deserialize(&self.bytes)
            .map_err(|e| EncodeError::invalid("safetensors file", &self.path, e))?;
        let prefix = prefixes
            .iter()
            .find(|p| st.tensor(&format!("{p}{probe}")).is_ok())
            .ok_or_else(|| {
                let tried: Vec<String> = prefixes.iter().map(|p| format!("'{p}{probe}'")).collect();
                EncodeError::invalid(
                    "checkpoint",
                    &self.path,
                    format!("tensor {} is missing", tried.join(" or ")),
                )
            })?;
        Ok(Weights {
            st,
            prefix: prefix.to_string(),
            path: &self.path,
        })
    }
}

/// The checkpoint's tensors under the detected prefix.
pub struct Weights<'a> {
    st: SafeTensors<'a>,
    prefix: String,
    path: &'a Path,
}

impl<'a> Weights<'a> {
    /// Whether tensor `name` (after the prefix) exists.
    pub fn has(&self, name: &str) -> bool {
        self.st.tensor(&format!("{}{name}", self.prefix)).is_ok()
    }

    /// Tensor `name`, which must have exactly `shape`.
    pub fn get(&self, name: &str, shape: &[usize]) -> Result<Source<'a>> {
        let full = format!("{}{name}", self.prefix);
        let view = self.st.tensor(&full).map_err(|_| {
            EncodeError::invalid(
                "checkpoint",
                self.path,
                format!("tensor '{full}' is missing"),
            )
        })?;
        if view.shape() != shape {
            return Err(EncodeError::invalid(
                "checkpoint",
                self.path,
                format!(
                    "tensor '{full}' has shape {:?}, expected {shape:?}",
                    view.shape()
                ),
            ));
        }
        if !matches!(view.dtype(), Dtype::F32 | Dtype::F16 | Dtype::BF16) {
            return Err(EncodeError::invalid(
                "checkpoint",
                self.path,
                format!(
                    "tensor '{full}' has dtype {:?}; the importer reads F32, F16 and BF16",
                    view.dtype()
                ),
            ));
        }
        Ok(Source {
            data: view.data(),
            dtype: view.dtype(),
            shape: shape.to_vec(),
            transpose: false,
        })
    }

    /// A `Linear` weight stored `[out, in]`, returned transposed to `[in, out]` for `MatMul`.
    pub fn linear(&self, name: &str, inputs: usize, outputs: usize) -> Result<Source<'a>> {
        let mut src = self.get(name, &[outputs, inputs])?;
        src.transpose = true;
        Ok(src)
    }
}

/// Checkpoint bytes of one tensor (or of its leading rows) and how to turn them into f32.
pub struct Source<'a> {
    data: &'a [u8],
    dtype: Dtype,
    shape: Vec<usize>,
    transpose: bool,
}

impl<'a> Source<'a> {
    /// Only the first `n` rows of a 2-D tensor (e.g. token type 0 of BERT's table), as `[n, cols]`.
    pub fn rows(mut self, n: usize) -> Self {
        let cols: usize = self.shape[1..].iter().product();
        let width = self.data.len() / self.numel();
        self.data = &self.data[..n * cols * width];
        self.shape[0] = n;
        self
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// ONNX dimensions of the tensor as written (transposed when asked).
    pub fn dims(&self) -> Vec<i64> {
        let mut dims: Vec<i64> = self.shape.iter().map(|&d| d as i64).collect();
        if self.transpose {
            dims.reverse();
        }
        dims
    }

    /// Size of the f32 data.
    pub fn f32_len(&self) -> usize {
        self.numel() * 4
    }

    /// The tensor as little-endian f32 bytes: the checkpoint's own bytes when they already are
    /// (f32, not transposed), else converted into `scratch`. Safetensors data is little-endian,
    /// so f32 data is only ever moved as 4-byte groups, never reinterpreted.
    pub fn f32_le_bytes<'s>(&'s self, scratch: &'s mut Vec<u8>) -> &'s [u8] {
        if !self.transpose {
            if self.dtype == Dtype::F32 {
                return self.data;
            }
            *scratch = self.widen();
            return scratch;
        }
        let widened;
        let wide = if self.dtype == Dtype::F32 {
            self.data
        } else {
            widened = self.widen();
            &widened
        };
        transpose4(wide, self.shape[0], self.shape[1], scratch);
        scratch
    }

    /// f16/bf16 data as little-endian f32 bytes.
    fn widen(&self) -> Vec<u8> {
        let widen: fn([u8; 2]) -> f32 = match self.dtype {
            Dtype::F16 => |b: [u8; 2]| half::f16::from_le_bytes(b).to_f32(),
            _ => |b: [u8; 2]| half::bf16::from_le_bytes(b).to_f32(),
        };
        self.data
            .chunks_exact(2)
            .flat_map(|b| widen([b[0], b[1]]).to_le_bytes())
            .collect()
    }
}

/// Transposes a row-major `[rows, cols]` matrix of 4-byte elements into `out`, in square tiles
/// so that both the reads and the writes stay within cache lines (a plain strided walk over
/// the 768x3072 MPNet weights takes seconds).
fn transpose4(src: &[u8], rows: usize, cols: usize, out: &mut Vec<u8>) {
    const TILE: usize = 32;
    out.clear();
    out.resize(src.len(), 0);
    for r0 in (0..rows).step_by(TILE) {
        for c0 in (0..cols).step_by(TILE) {
            for r in r0..(r0 + TILE).min(rows) {
                for c in c0..(c0 + TILE).min(cols) {
                    let (from, to) = ((r * cols + c) * 4, (c * rows + r) * 4);
                    out[to..to + 4].copy_from_slice(&src[from..from + 4]);
                }
            }
        }
    }
}

#[cfg(test)]
pub(crate) fn test_source(values: &[f32], shape: &[usize], transpose: bool) -> Source<'static> {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    Source {
        data: bytes.leak(),
        dtype: Dtype::F32,
        shape: shape.to_vec(),
        transpose,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_and_rows() {
        let src = test_source(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3], true);
        assert_eq!(src.dims(), vec![3, 2]);
        let mut scratch = Vec::new();
        let out: Vec<f32> = src
            .f32_le_bytes(&mut scratch)
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(out, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        let row = test_source(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3], false).rows(1);
        assert_eq!(row.dims(), vec![1, 3]);
        assert_eq!(row.f32_le_bytes(&mut scratch).len(), 12);
    }

    #[test]
    fn transpose_crosses_tiles() {
        let (rows, cols) = (40, 70);
        let values: Vec<f32> = (0..rows * cols).map(|i| i as f32).collect();
        let src = test_source(&values, &[rows, cols], true);
        let mut scratch = Vec::new();
        let out = src.f32_le_bytes(&mut scratch);
        for (r, c) in [(0, 0), (39, 0), (0, 69), (33, 35), (39, 69)] {
            let at = (c * rows + r) * 4;
            assert_eq!(
                out[at..at + 4],
                values[r * cols + c].to_le_bytes(),
                "[{r}][{c}]"
            );
        }
    }

    #[test]
    fn half_precision_is_widened() {
        let data: Vec<u8> = [1.5f32, -2.0]
            .iter()
            .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
            .collect();
        let src = Source {
            data: &data,
            dtype: Dtype::F16,
            shape: vec![2],
            transpose: false,
        };
        let mut scratch = Vec::new();
        assert_eq!(
            src.f32_le_bytes(&mut scratch)[4..8],
            (-2.0f32).to_le_bytes()
        );
        let data: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0]
            .iter()
            .flat_map(|v| half::bf16::from_f32(*v).to_le_bytes())
            .collect();
        let src = Source {
            data: &data,
            dtype: Dtype::BF16,
            shape: vec![2, 2],
            transpose: true,
        };
        assert_eq!(src.f32_le_bytes(&mut scratch)[4..8], 3.0f32.to_le_bytes());
    }
}
