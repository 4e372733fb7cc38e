//! `llm_judge` and `llm_relevant` as DataFusion async UDFs.
//!
//! They are registered as plain scalar functions, so that planning sees their own type checks
//! and documentation: DataFusion 55's `AsyncScalarUDF` wrapper forwards neither
//! `coerce_types` nor `documentation`, which would lose their argument messages and their
//! entries in `information_schema`. This physical optimizer rule then swaps each call in a
//! projection, a filter or a grouping for its async form, which DataFusion evaluates in an
//! `AsyncFuncExec`: the query's thread awaits the answers instead of blocking. Elsewhere (an
//! aggregate function's argument, a join condition) a call keeps its synchronous form, which waits for
//! the same requests on the LLM runtime.

use std::sync::Arc;

use datafusion::arrow::datatypes::Schema;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TransformedResult, TreeNode, TreeNodeRecursion};
use datafusion::common::Result;
use datafusion::logical_expr::async_udf::{AsyncScalarUDF, AsyncScalarUDFImpl};
use datafusion::physical_expr::{PhysicalExpr, ScalarFunctionExpr};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::aggregates::{AggregateExec, PhysicalGroupBy};
use datafusion::physical_plan::async_func::{AsyncFuncExec, AsyncMapper};
use datafusion::physical_plan::filter::{FilterExec, FilterExecBuilder};
use datafusion::physical_plan::projection::{ProjectionExec, ProjectionExpr};
use datafusion::physical_plan::ExecutionPlan;

use super::{LlmJudgeFunc, LlmRelevantFunc};

/// The rule that makes LLM calls in projections and filters async.
#[derive(Debug, Default)]
pub struct AsyncLlmCalls;

impl PhysicalOptimizerRule for AsyncLlmCalls {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            if let Some(projection) = node.downcast_ref::<ProjectionExec>() {
                return Ok(projection_of_calls(projection)?.unwrap_or(Transformed::no(node)));
            }
            if let Some(filter) = node.downcast_ref::<FilterExec>() {
                return Ok(filter_of_calls(filter)?.unwrap_or(Transformed::no(node)));
            }
            if let Some(aggregate) = node.downcast_ref::<AggregateExec>() {
                return Ok(grouping_by_calls(aggregate)?.unwrap_or(Transformed::no(node)));
            }
            Ok(Transformed::no(node))
        })
        .data()
    }

    fn name(&self) -> &str {
        "lookalike_async_llm_calls"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// `projection` over an `AsyncFuncExec` of its LLM calls, when it has any.
fn projection_of_calls(
    projection: &ProjectionExec,
) -> Result<Option<Transformed<Arc<dyn ExecutionPlan>>>> {
    let input = projection.input();
    let schema = input.schema();
    let mut any = false;
    let exprs = projection
        .expr()
        .iter()
        .map(|e| {
            let call = asynchronous(&e.expr, &schema)?;
            any |= call.transformed;
            Ok(ProjectionExpr {
                expr: call.data,
                alias: e.alias.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if !any {
        return Ok(None);
    }
    let mut calls = AsyncMapper::new(schema.fields().len());
    for e in &exprs {
        calls.find_references(&e.expr, &schema)?;
    }
    let exprs = exprs
        .into_iter()
        .map(|e| {
            Ok(ProjectionExpr {
                expr: e.expr.transform_up(|e| Ok(calls.map_expr(e)))?.data,
                alias: e.alias,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let evaluated = Arc::new(AsyncFuncExec::try_new(calls.async_exprs, input.clone())?);
    let projected =
        ProjectionExec::try_new_with_schema_metadata(exprs, evaluated, &projection.schema())?;
    Ok(Some(Transformed::yes(Arc::new(projected))))
}

/// `filter` over an `AsyncFuncExec` of its LLM calls, when it has any, keeping the columns it
/// kept before (the calls' columns are appended after the input's).
fn filter_of_calls(filter: &FilterExec) -> Result<Option<Transformed<Arc<dyn ExecutionPlan>>>> {
    let input = filter.input();
    let schema = input.schema();
    let predicate = asynchronous(filter.predicate(), &schema)?;
    if !predicate.transformed {
        return Ok(None);
    }
    let mut calls = AsyncMapper::new(schema.fields().len());
    calls.find_references(&predicate.data, &schema)?;
    let predicate = predicate.data.transform_up(|e| Ok(calls.map_expr(e)))?.data;
    let evaluated = Arc::new(AsyncFuncExec::try_new(calls.async_exprs, input.clone())?);
    let mut builder = FilterExecBuilder::from(filter)
        .with_input(evaluated)
        .with_predicate(predicate);
    if filter.projection().is_none() {
        builder = builder.apply_projection(Some((0..schema.fields().len()).collect()))?;
    }
    Ok(Some(Transformed::yes(Arc::new(builder.build()?))))
}

/// `aggregate` over an `AsyncFuncExec` of the LLM calls it groups by (`GROUP BY
/// llm_relevant(…)`), when it has any. The calls' columns are appended after the input's, so
/// the aggregate functions' column references stay valid.
fn grouping_by_calls(
    aggregate: &AggregateExec,
) -> Result<Option<Transformed<Arc<dyn ExecutionPlan>>>> {
    let input = aggregate.input();
    let schema = input.schema();
    let group_by = aggregate.group_expr();
    let mut any = false;
    let keys = group_by
        .expr()
        .iter()
        .map(|(expr, name)| {
            let call = asynchronous(expr, &schema)?;
            any |= call.transformed;
            Ok((call.data, name.clone()))
        })
        .collect::<Result<Vec<_>>>()?;
    if !any {
        return Ok(None);
    }
    let mut calls = AsyncMapper::new(schema.fields().len());
    for (expr, _) in &keys {
        calls.find_references(expr, &schema)?;
    }
    let keys = keys
        .into_iter()
        .map(|(expr, name)| Ok((expr.transform_up(|e| Ok(calls.map_expr(e)))?.data, name)))
        .collect::<Result<Vec<_>>>()?;
    let group_by = PhysicalGroupBy::new(
        keys,
        group_by.null_expr().to_vec(),
        group_by.groups().to_vec(),
        group_by.has_grouping_set(),
    );
    let evaluated: Arc<dyn ExecutionPlan> =
        Arc::new(AsyncFuncExec::try_new(calls.async_exprs, input.clone())?);
    let grouped = AggregateExec::try_new(
        *aggregate.mode(),
        group_by,
        aggregate.aggr_expr().to_vec(),
        aggregate.filter_expr().to_vec(),
        evaluated.clone(),
        evaluated.schema(),
    )?
    .with_limit_options(aggregate.limit_options());
    Ok(Some(Transformed::yes(Arc::new(grouped))))
}

/// `expr` with its LLM calls in their async form. A call whose arguments hold another LLM
/// call stays synchronous: DataFusion evaluates async calls one level deep.
fn asynchronous(
    expr: &Arc<dyn PhysicalExpr>,
    schema: &Schema,
) -> Result<Transformed<Arc<dyn PhysicalExpr>>> {
    expr.clone().transform_up(|e| {
        let Some(call) = e.downcast_ref::<ScalarFunctionExpr>() else {
            return Ok(Transformed::no(e));
        };
        let inner = call.fun().inner();
        let function: Arc<dyn AsyncScalarUDFImpl> =
            if let Some(judge) = inner.downcast_ref::<LlmJudgeFunc>() {
                Arc::new(judge.clone())
            } else if let Some(relevant) = inner.downcast_ref::<LlmRelevantFunc>() {
                Arc::new(relevant.clone())
            } else {
                return Ok(Transformed::no(e));
            };
        if call.args().iter().any(holds_async_call) {
            return Ok(Transformed::no(e));
        }
        let udf = Arc::new(AsyncScalarUDF::new(function).into_scalar_udf());
        let swapped = ScalarFunctionExpr::new(
            call.name(),
            udf,
            call.args().to_vec(),
            call.return_field(schema)?,
            Arc::new(call.config_options().clone()),
        );
        Ok(Transformed::yes(Arc::new(swapped) as Arc<dyn PhysicalExpr>))
    })
}

fn holds_async_call(expr: &Arc<dyn PhysicalExpr>) -> bool {
    let mut found = false;
    let _ = expr.apply(|e| {
        if let Some(call) = e.downcast_ref::<ScalarFunctionExpr>() {
            if call.fun().as_async().is_some() {
                found = true;
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    found
}
