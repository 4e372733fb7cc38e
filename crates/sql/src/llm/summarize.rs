//! `llm_summarize(text)`: an aggregate that asks the LLM what a group's texts have in common.
//!
//! The texts of each group are collected; when the groups are emitted, one request per group
//! is sent, all groups at once (the client's concurrency limit applies), so a `GROUP BY` over
//! twenty categories waits for the slowest answer, not for the sum of them.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, ListArray, StringArray};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, Documentation, EmitTo, GroupsAccumulator, Signature, Volatility,
};

use super::{block, exec_error, LlmService};
use crate::docs;
use crate::udf::is_string;

const NAME: &str = "llm_summarize";

/// The SQL aggregate `llm_summarize`.
#[derive(Debug)]
pub struct LlmSummarizeFunc {
    signature: Signature,
    service: Arc<LlmService>,
}

impl LlmSummarizeFunc {
    /// Over the session's LLM.
    pub fn new(service: Arc<LlmService>) -> Self {
        // Volatile: the same texts may summarize differently, so never fold or deduplicate calls.
        LlmSummarizeFunc {
            signature: crate::udf::documented_signature(vec![DataType::Utf8], Volatility::Volatile),
            service,
        }
    }
}

super::equal_by_service!(LlmSummarizeFunc);

fn texts_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

impl AggregateUDFImpl for LlmSummarizeFunc {
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

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format!("{}[texts]", args.name),
            texts_type(),
            true,
        ))])
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        // Fail at the first row, not after reading the whole input, when no endpoint is set.
        self.service.client(NAME)?;
        Ok(Box::new(TextsAccumulator {
            texts: Vec::new(),
            service: self.service.clone(),
        }))
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        _args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        self.service.client(NAME)?;
        Ok(Box::new(TextsGroups {
            groups: Vec::new(),
            service: self.service.clone(),
        }))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(docs::llm_summarize())
    }
}

/// Summaries of `groups`, concurrently; an empty group (no rows, or only NULL and empty
/// texts) is NULL without a request.
fn summarize(service: &LlmService, groups: Vec<Vec<String>>) -> Result<Vec<Option<String>>> {
    let client = service.client(NAME)?;
    let answers = block(async move {
        let what = format!("asking the LLM to summarize {} groups", groups.len());
        let jobs = groups.iter().map(|texts| {
            let client = client.clone();
            async move {
                match texts.iter().any(|t| !t.trim().is_empty()) {
                    true => client.summarize(texts).await.map(Some),
                    false => Ok(None),
                }
            }
        });
        client
            .settled(&what, jobs)
            .await
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
    })?;
    service.note(NAME);
    answers.map_err(|e| exec_error(NAME, e))
}

/// Appends the non-NULL strings of `values` (rows `rows`) to `out`.
fn strings(values: &ArrayRef) -> Result<ArrayRef> {
    Ok(cast(values, &DataType::Utf8)?)
}

/// The single-group accumulator (an aggregate without `GROUP BY`).
#[derive(Debug)]
struct TextsAccumulator {
    texts: Vec<String>,
    service: Arc<LlmService>,
}

impl Accumulator for TextsAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let values = strings(&values[0])?;
        self.texts.extend(
            values
                .as_string::<i32>()
                .iter()
                .flatten()
                .map(str::to_string),
        );
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for list in states[0].as_list::<i32>().iter().flatten() {
            self.texts
                .extend(list.as_string::<i32>().iter().flatten().map(str::to_string));
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let list = ListArray::new(
            Arc::new(Field::new("item", DataType::Utf8, true)),
            OffsetBuffer::from_lengths([self.texts.len()]),
            Arc::new(StringArray::from_iter_values(&self.texts)),
            None,
        );
        Ok(vec![ScalarValue::List(Arc::new(list))])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let texts = std::mem::take(&mut self.texts);
        let summary = summarize(&self.service, vec![texts])?.pop().flatten();
        Ok(ScalarValue::Utf8(summary))
    }

    fn size(&self) -> usize {
        size_of_val(self)
            + self
                .texts
                .iter()
                .map(|t| t.capacity() + size_of::<String>())
                .sum::<usize>()
    }
}

/// The many-group accumulator.
struct TextsGroups {
    groups: Vec<Vec<String>>,
    service: Arc<LlmService>,
}

impl TextsGroups {
    fn grow(&mut self, total: usize) {
        if self.groups.len() < total {
            self.groups.resize_with(total, Vec::new);
        }
    }
}

fn texts_list(groups: &[Vec<String>]) -> ArrayRef {
    let values: StringArray = groups.iter().flatten().map(Some).collect();
    Arc::new(ListArray::new(
        Arc::new(Field::new("item", DataType::Utf8, true)),
        OffsetBuffer::from_lengths(groups.iter().map(Vec::len)),
        Arc::new(values),
        None,
    ))
}

impl GroupsAccumulator for TextsGroups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.grow(total_num_groups);
        let values = strings(&values[0])?;
        let values = values.as_string::<i32>();
        for (row, &group) in group_indices.iter().enumerate() {
            let keep = opt_filter.is_none_or(|f| f.is_valid(row) && f.value(row));
            if keep && values.is_valid(row) {
                self.groups[group].push(values.value(row).to_string());
            }
        }
        Ok(())
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.grow(total_num_groups);
        let lists = values[0].as_list::<i32>();
        for (row, &group) in group_indices.iter().enumerate() {
            if lists.is_valid(row) {
                let list = lists.value(row);
                self.groups[group]
                    .extend(list.as_string::<i32>().iter().flatten().map(str::to_string));
            }
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let groups = emit_to.take_needed(&mut self.groups);
        let summaries = summarize(&self.service, groups)?;
        Ok(Arc::new(StringArray::from(summaries)))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let groups = emit_to.take_needed(&mut self.groups);
        Ok(vec![texts_list(&groups)])
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let values = strings(&values[0])?;
        let values = values.as_string::<i32>();
        let groups: Vec<Vec<String>> = (0..values.len())
            .map(|row| {
                let keep = opt_filter.is_none_or(|f| f.is_valid(row) && f.value(row))
                    && values.is_valid(row);
                if keep {
                    vec![values.value(row).to_string()]
                } else {
                    Vec::new()
                }
            })
            .collect();
        Ok(vec![texts_list(&groups)])
    }

    fn size(&self) -> usize {
        size_of_val(self)
            + self
                .groups
                .iter()
                .flatten()
                .map(|t| t.capacity() + size_of::<String>())
                .sum::<usize>()
            + self.groups.capacity() * size_of::<Vec<String>>()
    }
}

/// The argument types the function takes, coerced, or the error naming what is wrong.
fn check_types(arg_types: &[DataType]) -> Result<Vec<DataType>> {
    match arg_types {
        [t] if is_string(t) => Ok(vec![DataType::Utf8]),
        [t] => plan_err!("{NAME}(text) takes a string; got {NAME}({t})"),
        _ => plan_err!("{NAME}(text) takes 1 argument; got {}", arg_types.len()),
    }
}
