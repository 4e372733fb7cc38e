//! `cosine_sim(a, b)`: cosine similarity of two vectors.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float32Array, Float32Builder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

use crate::docs;

/// The SQL function `cosine_sim`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CosineSimFunc {
    signature: Signature,
}

impl Default for CosineSimFunc {
    fn default() -> Self {
        CosineSimFunc {
            signature: super::documented_signature(
                vec![
                    DataType::new_list(DataType::Float32, true),
                    DataType::new_list(DataType::Float32, true),
                ],
                Volatility::Immutable,
            ),
        }
    }
}

/// `List<Float32>`: the one type both arguments are brought to.
fn float_list() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Float32, true)))
}

fn is_vector(t: &DataType) -> bool {
    match t {
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::FixedSizeList(f, _)
        | DataType::ListView(f) => f.data_type().is_floating() || f.data_type().is_integer(),
        DataType::Null => true,
        _ => false,
    }
}

impl ScalarUDFImpl for CosineSimFunc {
    fn name(&self) -> &str {
        "cosine_sim"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    // Any arguments pass here, and wrong ones are named by the return type's check: the
    // signature also lists an example for SHOW FUNCTIONS, which would otherwise take the
    // failed coercions and answer with DataFusion's generic message instead of ours.
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        Ok(check_types(arg_types).unwrap_or_else(|_| arg_types.to_vec()))
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        check_types(arg_types)?;
        Ok(DataType::Float32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = args.number_rows;
        let a = cast(&args.args[0].to_array(rows)?, &float_list())?;
        let b = cast(&args.args[1].to_array(rows)?, &float_list())?;
        let (a, b) = (a.as_list::<i32>(), b.as_list::<i32>());
        let mut out = Float32Builder::with_capacity(rows);
        for row in 0..rows {
            if a.is_null(row) || b.is_null(row) {
                out.append_null();
                continue;
            }
            let (x, y) = (a.value(row), b.value(row));
            let (x, y): (&Float32Array, &Float32Array) = (x.as_primitive(), y.as_primitive());
            if x.len() != y.len() {
                return exec_err!(
                    "cosine_sim: vectors of different dimensions ({} and {}) at row {row}",
                    x.len(),
                    y.len()
                );
            }
            if x.null_count() > 0 || y.null_count() > 0 {
                out.append_null();
                continue;
            }
            out.append_option(cosine(x.values(), y.values()));
        }
        let array: ArrayRef = Arc::new(out.finish());
        if scalar {
            return Ok(ColumnarValue::Scalar(
                datafusion::common::ScalarValue::try_from_array(&array, 0)?,
            ));
        }
        Ok(ColumnarValue::Array(array))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(docs::cosine_sim())
    }
}

/// Cosine similarity; `None` when either vector is all zeros (the angle is undefined).
pub fn cosine(x: &[f32], y: &[f32]) -> Option<f32> {
    let (mut dot, mut nx, mut ny) = (0.0f64, 0.0f64, 0.0f64);
    for (&a, &b) in x.iter().zip(y) {
        dot += a as f64 * b as f64;
        nx += a as f64 * a as f64;
        ny += b as f64 * b as f64;
    }
    (nx > 0.0 && ny > 0.0).then(|| (dot / (nx.sqrt() * ny.sqrt())) as f32)
}

/// The argument types the function takes, coerced, or the error naming what is wrong.
fn check_types(arg_types: &[DataType]) -> Result<Vec<DataType>> {
    match arg_types {
        [a, b] if is_vector(a) && is_vector(b) => Ok(vec![a.clone(), b.clone()]),
        [a, b] => plan_err!("cosine_sim(a, b) takes two numeric vectors (lists of floats, as embed returns); got cosine_sim({a}, {b})"),
        _ => plan_err!("cosine_sim(a, b) takes 2 arguments; got {}", arg_types.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::cosine;

    #[test]
    fn cosine_of_known_vectors() {
        assert_eq!(cosine(&[1., 0.], &[0., 1.]), Some(0.0));
        assert!((cosine(&[1., 2.], &[2., 4.]).unwrap() - 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[0., 0.], &[1., 1.]), None);
    }
}
