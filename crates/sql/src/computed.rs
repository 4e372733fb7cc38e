//! A table whose rows are computed when it is scanned: what the table functions return, so
//! that planning (and `EXPLAIN`) costs nothing and the work runs off the planner.

use std::fmt::Debug;
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_plan::ExecutionPlan;

/// The work behind one table function call.
#[async_trait::async_trait]
pub trait Compute: Debug + Send + Sync + 'static {
    /// The output schema, known while planning.
    fn schema(&self) -> SchemaRef;
    /// The rows.
    async fn compute(&self, session: &dyn Session) -> Result<RecordBatch>;
}

/// A [`Compute`] as a table.
#[derive(Debug)]
pub struct Computed<C>(pub C);

#[async_trait::async_trait]
impl<C: Compute> TableProvider for Computed<C> {
    fn schema(&self) -> SchemaRef {
        self.0.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Temporary
    }

    async fn scan(
        &self,
        session: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let batch = self.0.compute(session).await?;
        Ok(MemorySourceConfig::try_new_exec(
            &[vec![batch]],
            self.0.schema(),
            projection.cloned(),
        )?)
    }
}

/// Argument `i` as a string literal (`None` for NULL); `usage` starts every message.
pub fn string_arg(usage: &str, exprs: &[Expr], i: usize, what: &str) -> Result<Option<String>> {
    match exprs.get(i) {
        Some(Expr::Literal(
            ScalarValue::Utf8(v) | ScalarValue::Utf8View(v) | ScalarValue::LargeUtf8(v),
            _,
        )) => Ok(v.clone()),
        Some(Expr::Literal(v, _)) if v.is_null() => Ok(None),
        Some(other) => plan_err!("{usage}: {what} must be a string literal, got {other}"),
        None => plan_err!("{usage}: missing {what}"),
    }
}

/// Argument `i` as a string literal that must not be NULL; the NULL message names it by `what`
/// up to its first parenthesis (`source (a table…)` → `source is NULL`).
pub fn required_string_arg(usage: &str, exprs: &[Expr], i: usize, what: &str) -> Result<String> {
    match string_arg(usage, exprs, i, what)? {
        Some(value) => Ok(value),
        None => plan_err!(
            "{usage}: {} is NULL",
            what.split(" (").next().unwrap_or(what)
        ),
    }
}

/// Argument `i` when given (a string literal, NULL as empty), else empty: the options string.
pub fn options_arg(usage: &str, exprs: &[Expr], i: usize) -> Result<String> {
    match exprs.get(i) {
        Some(_) => Ok(string_arg(usage, exprs, i, "options")?.unwrap_or_default()),
        None => Ok(String::new()),
    }
}

/// A `'key=value, …'` options string as pairs, keys lower-cased, each key one of `keys`.
pub fn key_values(function: &str, text: &str, keys: &[&str]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((key, value)) = item.split_once('=') else {
            return plan_err!(
                "{function}: option '{item}' is not key=value (keys: {})",
                keys.join(", ")
            );
        };
        let key = key.trim().to_ascii_lowercase();
        if !keys.contains(&key.as_str()) {
            return plan_err!(
                "{function}: unknown option '{key}' (keys: {})",
                keys.join(", ")
            );
        }
        out.push((key, value.trim().to_string()));
    }
    Ok(out)
}

/// A whole number option in `min..=max`.
pub fn whole(function: &str, key: &str, value: &str, min: usize, max: usize) -> Result<usize> {
    match value.parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => plan_err!("{function}: {key}={value} must be a whole number in [{min}, {max}]"),
    }
}
