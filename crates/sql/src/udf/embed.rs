//! `embed(model, text)`: a text's vector under a model, cached on disk.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, FixedSizeListArray, Float32Array};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{exec_err, internal_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature,
    Volatility,
};

use super::is_string;
use crate::docs;
use crate::error::IntoDataFusion;
use lookalike_encode::EncoderRegistry;

/// The SQL function `embed`.
#[derive(Debug)]
pub struct EmbedFunc {
    signature: Signature,
    registry: Arc<EncoderRegistry>,
}

impl EmbedFunc {
    /// `embed` over the encoders of `registry`.
    pub fn new(registry: Arc<EncoderRegistry>) -> Self {
        EmbedFunc {
            signature: super::documented_signature(
                vec![DataType::Utf8, DataType::Utf8],
                Volatility::Immutable,
            ),
            registry,
        }
    }
}

// DataFusion compares UDFs for plan equality; two `embed`s are equal when they share a registry.
impl PartialEq for EmbedFunc {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.registry, &other.registry)
    }
}
impl Eq for EmbedFunc {}
impl Hash for EmbedFunc {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (Arc::as_ptr(&self.registry) as usize).hash(state)
    }
}

/// The list type `embed` returns for a model of dimension `dim`.
pub fn embedding_type(dim: usize) -> DataType {
    DataType::FixedSizeList(
        Arc::new(Field::new("item", DataType::Float32, true)),
        dim as i32,
    )
}

/// The model name of a constant first argument.
pub(crate) fn model_name<'a>(function: &str, arg: Option<&'a ScalarValue>) -> Result<&'a str> {
    match arg {
        Some(ScalarValue::Utf8(Some(name)) | ScalarValue::Utf8View(Some(name)) | ScalarValue::LargeUtf8(Some(name))) => Ok(name),
        Some(other) if other.is_null() => plan_err!("{function}: the model name is NULL; give a model such as 'minilm'"),
        _ => plan_err!("{function}: the model must be a constant string such as 'minilm', not a column or expression"),
    }
}

impl ScalarUDFImpl for EmbedFunc {
    fn name(&self) -> &str {
        "embed"
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

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        internal_err!("embed's type depends on its model: return_field_from_args is used")
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let types: Vec<DataType> = args
            .arg_fields
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        check_types(&types)?;
        // A model given as a `@variable` is known only when the plan runs: then the vectors
        // come as a plain list (cosine_sim takes either).
        let Some(model) = args.scalar_arguments.first().copied().flatten() else {
            let item = Arc::new(Field::new("item", DataType::Float32, true));
            return Ok(Arc::new(Field::new(
                self.name(),
                DataType::List(item),
                true,
            )));
        };
        let name = model_name("embed", Some(model))?;
        let loaded = self.registry.get(name).plan("embed")?;
        Ok(Arc::new(Field::new(
            self.name(),
            embedding_type(loaded.dim()),
            true,
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ColumnarValue::Scalar(model) = &args.args[0] else {
            return exec_err!(
                "embed: the model must be a constant string or @variable, not a column"
            );
        };
        let name = model_name("embed", Some(model))?;
        let scalar_input = matches!(args.args[1], ColumnarValue::Scalar(_));
        let texts = cast(&args.args[1].to_array(args.number_rows)?, &DataType::Utf8)?;
        let texts = texts.as_string::<i32>();
        let inputs: Vec<Option<&str>> = texts.iter().collect();
        let (loaded, vectors) = self.registry.embed(name, &inputs).exec("embed")?;
        let dim = loaded.dim();
        let mut values = Vec::with_capacity(vectors.len() * dim);
        for vector in &vectors {
            match vector {
                Some(v) => values.extend_from_slice(v),
                None => values.extend(std::iter::repeat_n(0.0, dim)),
            }
        }
        let nulls = NullBuffer::from(vectors.iter().map(Option::is_some).collect::<Vec<_>>());
        let DataType::FixedSizeList(item, _) = embedding_type(dim) else {
            unreachable!()
        };
        let array: ArrayRef = Arc::new(FixedSizeListArray::try_new(
            item,
            dim as i32,
            Arc::new(Float32Array::from(values)),
            Some(nulls),
        )?);
        let array = match args.return_field.data_type() {
            DataType::List(_) => cast(&array, args.return_field.data_type())?,
            _ => array,
        };
        if scalar_input {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &array, 0,
            )?));
        }
        Ok(ColumnarValue::Array(array))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(docs::embed())
    }
}

/// The argument types the function takes, coerced, or the error naming what is wrong.
fn check_types(arg_types: &[DataType]) -> Result<Vec<DataType>> {
    match arg_types {
        [m, t] if is_string(m) && is_string(t) => Ok(vec![DataType::Utf8, DataType::Utf8]),
        [m, t] => plan_err!("embed(model, text) takes two strings; got embed({m}, {t})"),
        _ => plan_err!(
            "embed(model, text) takes 2 arguments; got {}",
            arg_types.len()
        ),
    }
}
