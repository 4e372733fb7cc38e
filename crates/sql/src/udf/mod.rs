//! Scalar functions.

pub mod cosine;
pub mod embed;
pub mod failure_kind;

use datafusion::arrow::datatypes::DataType;

/// Whether a type is one of Arrow's string types.
pub(crate) fn is_string(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
    )
}

/// A signature coerced by the function's own `coerce_types` (and its own error messages), that
/// also shows `example` in `SHOW FUNCTIONS` and `information_schema.parameters`: DataFusion lists
/// no parameters, and so no row, for a purely user-defined signature.
pub(crate) fn documented_signature(
    example: Vec<DataType>,
    volatility: datafusion::logical_expr::Volatility,
) -> datafusion::logical_expr::Signature {
    use datafusion::logical_expr::{Signature, TypeSignature};
    Signature::one_of(
        vec![TypeSignature::UserDefined, TypeSignature::Exact(example)],
        volatility,
    )
}
