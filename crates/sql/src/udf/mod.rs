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
