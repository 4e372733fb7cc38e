//! `llm_relevant(text_a, text_b, domain)`: MultiMon's steering filter, a yes/no question per
//! pair. All rows of a batch are asked at once (within the client's concurrency limit); an
//! answer that says neither yes nor no is NULL, never an error (MultiMon's code crashed here).

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, BooleanArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{plan_err, Result};
use datafusion::logical_expr::async_udf::AsyncScalarUDFImpl;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{block, exec_error, run, LlmService};
use crate::docs;
use crate::udf::is_string;

const NAME: &str = "llm_relevant";

/// The SQL function `llm_relevant`.
#[derive(Debug, Clone)]
pub struct LlmRelevantFunc {
    signature: Signature,
    service: Arc<LlmService>,
}

impl LlmRelevantFunc {
    /// Over the session's LLM.
    pub fn new(service: Arc<LlmService>) -> Self {
        LlmRelevantFunc {
            signature: crate::udf::documented_signature(
                vec![DataType::Utf8; 3],
                Volatility::Volatile,
            ),
            service,
        }
    }
}

super::equal_by_service!(LlmRelevantFunc);

impl ScalarUDFImpl for LlmRelevantFunc {
    fn name(&self) -> &str {
        NAME
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
        Ok(DataType::Boolean)
    }

    // Only where DataFusion calls the function synchronously (see `AsyncLlmCalls`).
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let this = self.clone();
        block(async move { this.evaluate(args).await })?
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(docs::llm_relevant())
    }
}

#[async_trait::async_trait]
impl AsyncScalarUDFImpl for LlmRelevantFunc {
    async fn invoke_async_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.evaluate(args).await
    }
}

impl LlmRelevantFunc {
    /// One batch's answers: every valid row is asked at once, on the LLM runtime.
    async fn evaluate(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let columns: Vec<_> = arrays
            .iter()
            .map(|a| cast(a, &DataType::Utf8))
            .collect::<Result<_, _>>()?;
        let (a, b, d) = (
            columns[0].as_string::<i32>(),
            columns[1].as_string::<i32>(),
            columns[2].as_string::<i32>(),
        );
        // NULL in any argument → NULL, without a request.
        let questions: Vec<Option<(String, String, String)>> = (0..rows)
            .map(|i| {
                (a.is_valid(i) && b.is_valid(i) && d.is_valid(i)).then(|| {
                    (
                        a.value(i).to_string(),
                        b.value(i).to_string(),
                        d.value(i).to_string(),
                    )
                })
            })
            .collect();
        if questions.iter().all(Option::is_none) {
            return Ok(ColumnarValue::Array(std::sync::Arc::new(
                BooleanArray::new_null(rows),
            )));
        }
        let client = self.service.client(NAME)?;
        let answers = run(async move {
            let what = format!(
                "asking the LLM whether {} pairs are relevant",
                questions.len()
            );
            let progress = client.clone();
            let jobs = questions.into_iter().map(|q| {
                let client = client.clone();
                async move {
                    match q {
                        Some((a, b, domain)) => client.relevant(&a, &b, &domain).await,
                        None => Ok(None),
                    }
                }
            });
            progress
                .settled(&what, jobs)
                .await
                .into_iter()
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
        self.service.note(NAME);
        let answers = answers.map_err(|e| exec_error(NAME, e))?;
        Ok(ColumnarValue::Array(std::sync::Arc::new(
            BooleanArray::from(answers),
        )))
    }
}

/// The argument types the function takes, coerced, or the error naming what is wrong.
fn check_types(arg_types: &[DataType]) -> Result<Vec<DataType>> {
    match arg_types {
        [a, b, d] if is_string(a) && is_string(b) && is_string(d) => Ok(vec![DataType::Utf8; 3]),
        [a, b, d] => plan_err!(
            "{NAME}(text_a, text_b, domain) takes three strings; got {NAME}({a}, {b}, {d})"
        ),
        _ => plan_err!(
            "{NAME}(text_a, text_b, domain) takes 3 arguments; got {}",
            arg_types.len()
        ),
    }
}
