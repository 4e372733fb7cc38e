//! `llm_judge(text_a, text_b)`: the LLM judge as a SQL function. All rows of a batch are sent
//! together, sixteen pairs a request, so a few thousand candidates cost a few hundred requests,
//! each cached. The answer is spelt as the structural judge's verdict: `changes_meaning`,
//! `same` or `uncertain` (also when the model's answer has no readable line for the pair).

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{plan_err, Result};
use datafusion::logical_expr::async_udf::AsyncScalarUDFImpl;
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use lookalike_llm::PairVerdict;

use super::{block, exec_error, run, LlmService};
use crate::docs;
use crate::udf::is_string;

const NAME: &str = "llm_judge";

/// The SQL function `llm_judge`.
#[derive(Debug, Clone)]
pub struct LlmJudgeFunc {
    signature: Signature,
    service: Arc<LlmService>,
}

impl LlmJudgeFunc {
    /// Over the session's LLM.
    pub fn new(service: Arc<LlmService>) -> Self {
        LlmJudgeFunc {
            signature: crate::udf::documented_signature(
                vec![DataType::Utf8, DataType::Utf8],
                Volatility::Volatile,
            ),
            service,
        }
    }
}

super::equal_by_service!(LlmJudgeFunc);

impl ScalarUDFImpl for LlmJudgeFunc {
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
        Ok(DataType::Utf8)
    }

    // Only where DataFusion calls the function synchronously (see `AsyncLlmCalls`).
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let this = self.clone();
        block(async move { this.evaluate(args).await })?
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(docs::llm_judge())
    }
}

#[async_trait::async_trait]
impl AsyncScalarUDFImpl for LlmJudgeFunc {
    async fn invoke_async_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.evaluate(args).await
    }
}

impl LlmJudgeFunc {
    /// One batch's answers: every valid row is asked at once, on the LLM runtime.
    async fn evaluate(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let (a, b) = (
            cast(&arrays[0], &DataType::Utf8)?,
            cast(&arrays[1], &DataType::Utf8)?,
        );
        let (a, b) = (a.as_string::<i32>(), b.as_string::<i32>());
        // NULL in either argument → NULL, without a request.
        let valid: Vec<usize> = (0..rows)
            .filter(|&i| a.is_valid(i) && b.is_valid(i))
            .collect();
        if valid.is_empty() {
            return Ok(ColumnarValue::Array(Arc::new(StringArray::new_null(rows))));
        }
        let pairs: Vec<(String, String)> = valid
            .iter()
            .map(|&i| (a.value(i).to_string(), b.value(i).to_string()))
            .collect();
        let client = self.service.client(NAME)?;
        let verdicts = run(async move { client.judge(&pairs).await }).await?;
        self.service.note(NAME);
        let verdicts = verdicts.map_err(|e| exec_error(NAME, e))?;
        let mut out: Vec<Option<&str>> = vec![None; rows];
        for (&i, v) in valid.iter().zip(verdicts) {
            out[i] = Some(v.unwrap_or(PairVerdict::Unsure).judgement());
        }
        Ok(ColumnarValue::Array(Arc::new(StringArray::from(out))))
    }
}

/// The argument types the function takes, coerced, or the error naming what is wrong.
fn check_types(arg_types: &[DataType]) -> Result<Vec<DataType>> {
    match arg_types {
        [a, b] if is_string(a) && is_string(b) => Ok(vec![DataType::Utf8; 2]),
        [a, b] => plan_err!("{NAME}(text_a, text_b) takes two strings; got {NAME}({a}, {b})"),
        _ => plan_err!(
            "{NAME}(text_a, text_b) takes 2 arguments; got {}",
            arg_types.len()
        ),
    }
}
