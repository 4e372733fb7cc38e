//! `failure_kind(text_a, text_b)`: the offline structural judge as a SQL function: the kind of
//! edit, its evidence, and the three-way verdict (`changes_meaning`, `same`, `uncertain`).

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, StringBuilder, StructArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use lookalike_taxonomy::failure_kind;

use super::is_string;
use crate::docs;

/// The SQL function `failure_kind`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FailureKindFunc {
    signature: Signature,
}

impl Default for FailureKindFunc {
    fn default() -> Self {
        FailureKindFunc {
            signature: super::documented_signature(
                vec![DataType::Utf8, DataType::Utf8],
                Volatility::Immutable,
            ),
        }
    }
}

/// The struct `failure_kind` returns.
pub fn verdict_fields() -> Fields {
    Fields::from(vec![
        Field::new("kind", DataType::Utf8, true),
        Field::new("changes_meaning", DataType::Boolean, true),
        Field::new("explanation", DataType::Utf8, true),
        Field::new("words_a", DataType::Utf8, true),
        Field::new("words_b", DataType::Utf8, true),
        Field::new("verdict", DataType::Utf8, true),
    ])
}

impl ScalarUDFImpl for FailureKindFunc {
    fn name(&self) -> &str {
        "failure_kind"
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
        Ok(DataType::Struct(verdict_fields()))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = args.number_rows;
        let a = cast(&args.args[0].to_array(rows)?, &DataType::Utf8)?;
        let b = cast(&args.args[1].to_array(rows)?, &DataType::Utf8)?;
        let (a, b) = (a.as_string::<i32>(), b.as_string::<i32>());
        let (mut kind, mut changes, mut explanation, mut words_a, mut words_b, mut judgement) = (
            StringBuilder::new(),
            BooleanBuilder::new(),
            StringBuilder::new(),
            StringBuilder::new(),
            StringBuilder::new(),
            StringBuilder::new(),
        );
        for (x, y) in a.iter().zip(b.iter()) {
            match (x, y) {
                (Some(x), Some(y)) => {
                    let verdict = failure_kind(x, y);
                    kind.append_value(verdict.kind.name());
                    changes.append_value(verdict.changes_meaning);
                    explanation.append_value(&verdict.explanation);
                    words_a.append_value(verdict.words_a.join(" "));
                    words_b.append_value(verdict.words_b.join(" "));
                    judgement.append_value(verdict.judgement.name());
                }
                _ => {
                    kind.append_null();
                    changes.append_null();
                    explanation.append_null();
                    words_a.append_null();
                    words_b.append_null();
                    judgement.append_null();
                }
            }
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(kind.finish()),
            Arc::new(changes.finish()),
            Arc::new(explanation.finish()),
            Arc::new(words_a.finish()),
            Arc::new(words_b.finish()),
            Arc::new(judgement.finish()),
        ];
        let nulls = datafusion::arrow::buffer::NullBuffer::from(
            (0..rows)
                .map(|i| a.is_valid(i) && b.is_valid(i))
                .collect::<Vec<_>>(),
        );
        let array: ArrayRef = Arc::new(StructArray::try_new(
            verdict_fields(),
            columns,
            Some(nulls),
        )?);
        if scalar {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &array, 0,
            )?));
        }
        Ok(ColumnarValue::Array(array))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(docs::failure_kind())
    }
}

/// The argument types the function takes, coerced, or the error naming what is wrong.
fn check_types(arg_types: &[DataType]) -> Result<Vec<DataType>> {
    match arg_types {
        [a, b] if is_string(a) && is_string(b) => Ok(vec![DataType::Utf8, DataType::Utf8]),
        [a, b] => {
            plan_err!("failure_kind(text_a, text_b) takes two strings; got failure_kind({a}, {b})")
        }
        _ => plan_err!(
            "failure_kind(text_a, text_b) takes 2 arguments; got {}",
            arg_types.len()
        ),
    }
}
