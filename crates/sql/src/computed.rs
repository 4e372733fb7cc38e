//! What every table function shares: its arguments, evaluated while planning, and its work, run
//! by an [`ExecutionPlan`] when the plan executes, so planning and `EXPLAIN` cost nothing and
//! `EXPLAIN ANALYZE` shows the rows and time.

use std::fmt::{self, Debug};
use std::sync::Arc;

use datafusion::arrow::array::{Array, RecordBatch, RecordBatchOptions};
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::catalog::{Session, TableFunctionArgs, TableProvider};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{exec_err, plan_err, DFSchema, Result, ScalarValue};
use datafusion::execution::{SessionState, TaskContext};
use datafusion::logical_expr::{ColumnarValue, Expr, TableType};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::metrics::{BaselineMetrics, ExecutionPlanMetricsSet, MetricsSet};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
    SendableRecordBatchStream,
};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};

/// The rows of a table function, in order: one batch, or one per part for work that has some
/// parts before all (generation, category by category).
pub type Batches = BoxStream<'static, Result<RecordBatch>>;

/// The rows of work done in one piece.
pub fn one_batch(batch: RecordBatch) -> Batches {
    futures::stream::once(async move { Ok(batch) }).boxed()
}

/// The work behind one table function call.
#[async_trait::async_trait]
pub trait Compute: Debug + Send + Sync + 'static {
    /// The output schema, known while planning.
    fn schema(&self) -> SchemaRef;
    /// The rows, computed when the plan executes: the first batch is awaited here, later ones
    /// as the consumer asks for them.
    async fn compute(&self, session: &dyn Session) -> Result<Batches>;
}

/// A [`Compute`] as a table: scanning it plans a [`ComputedExec`] and does no work.
#[derive(Debug)]
pub struct Computed<C>(Arc<C>);

impl<C: Compute> Computed<C> {
    /// The table of one call.
    pub fn new(job: C) -> Self {
        Computed(Arc::new(job))
    }
}

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
        let Some(state) = session.as_any().downcast_ref::<SessionState>() else {
            return plan_err!("lookalike's table functions need a DataFusion SessionState");
        };
        // The job reads its source through the session when it runs, so the plan keeps a copy.
        Ok(Arc::new(ComputedExec::new(
            self.0.clone(),
            state.clone(),
            projection.cloned(),
        )?))
    }
}

/// Runs a [`Compute`] in `execute()`: one partition, streaming the job's batches.
pub struct ComputedExec<C> {
    job: Arc<C>,
    state: SessionState,
    projection: Option<Vec<usize>>,
    schema: SchemaRef,
    properties: Arc<PlanProperties>,
    metrics: ExecutionPlanMetricsSet,
}

impl<C: Compute> ComputedExec<C> {
    fn new(job: Arc<C>, state: SessionState, projection: Option<Vec<usize>>) -> Result<Self> {
        let full = job.schema();
        let schema = match &projection {
            Some(p) => Arc::new(full.project(p)?),
            None => full,
        };
        let properties = Arc::new(PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Final,
            Boundedness::Bounded,
        ));
        Ok(ComputedExec {
            job,
            state,
            projection,
            schema,
            properties,
            metrics: ExecutionPlanMetricsSet::new(),
        })
    }
}

impl<C> Debug for ComputedExec<C>
where
    C: Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ComputedExec({:?})", self.job)
    }
}

impl<C: Compute> DisplayAs for ComputedExec<C> {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        // The job's Debug form holds its arguments (source, models, options): what EXPLAIN
        // should show of a call that has not run.
        write!(f, "LookalikeTableFunctionExec: {:?}", self.job)
    }
}

impl<C: Compute> ExecutionPlan for ComputedExec<C> {
    fn name(&self) -> &str {
        "LookalikeTableFunctionExec"
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        Vec::new()
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        match children.is_empty() {
            true => Ok(self),
            false => exec_err!("{} has no children", self.name()),
        }
    }

    fn execute(
        &self,
        partition: usize,
        _context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        if partition != 0 {
            return exec_err!("{} has one partition, asked for {partition}", self.name());
        }
        let (job, state, projection) = (
            self.job.clone(),
            self.state.clone(),
            self.projection.clone(),
        );
        let baseline = BaselineMetrics::new(&self.metrics, partition);
        let schema = self.schema.clone();
        // Time counts until the job's stream is open; its batches are counted as they leave.
        let batches = async move {
            let timer = baseline.elapsed_compute().timer();
            let batches = job.compute(&state).await?;
            timer.done();
            let projected = batches.and_then(move |batch| {
                let batch = match &projection {
                    Some(p) => batch.project(p).map_err(Into::into),
                    None => Ok(batch),
                };
                if let Ok(batch) = &batch {
                    baseline.record_output(batch.num_rows());
                }
                futures::future::ready(batch)
            });
            Ok::<_, datafusion::error::DataFusionError>(projected)
        };
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            schema,
            futures::stream::once(batches).try_flatten(),
        )))
    }

    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }
}

/// The evaluated arguments of one table-function call: positional values, then the named
/// options (`name => value`), which [`crate::named`] gathers into a trailing struct. Values
/// arrive typed (literals, `@variables`, casts), never through text the function re-parses.
#[derive(Debug)]
pub struct CallArgs {
    usage: &'static str,
    positional: Vec<ScalarValue>,
    named: Vec<(String, ScalarValue)>,
}

impl CallArgs {
    /// Evaluates `args`: between `min` and `max` positional arguments, named options among `keys`.
    pub fn evaluate(
        usage: &'static str,
        args: &TableFunctionArgs,
        (min, max): (usize, usize),
        keys: &[&str],
    ) -> Result<Self> {
        let mut values = args
            .exprs()
            .iter()
            .map(|expr| evaluate(args.session(), expr))
            .collect::<Result<Vec<_>>>()?;
        let named = match values.last() {
            Some(ScalarValue::Struct(_)) => named_options(usage, values.pop(), keys)?,
            _ => Vec::new(),
        };
        if values.len() > max {
            if let Some(ScalarValue::Utf8(Some(text)) | ScalarValue::Utf8View(Some(text))) =
                values.get(max)
            {
                if text.contains('=') {
                    return plan_err!("{usage}: options are named arguments now, not a string: write `key => value` (e.g. threshold => 0.95) instead of '{text}'");
                }
            }
        }
        if !(min..=max).contains(&values.len()) {
            let range = match min == max {
                true => format!("{min}"),
                false => format!("{min} to {max}"),
            };
            return plan_err!(
                "{usage}: takes {range} positional arguments, got {}",
                values.len()
            );
        }
        Ok(CallArgs {
            usage,
            positional: values,
            named,
        })
    }

    /// Positional argument `i` as a string (`None` for NULL or absent).
    pub fn string(&self, i: usize, what: &str) -> Result<Option<String>> {
        match self.positional.get(i) {
            None => Ok(None),
            Some(v) if v.is_null() => Ok(None),
            Some(
                ScalarValue::Utf8(Some(s))
                | ScalarValue::Utf8View(Some(s))
                | ScalarValue::LargeUtf8(Some(s)),
            ) => Ok(Some(s.clone())),
            Some(other) => plan_err!(
                "{}: {what} must be a string, got {other} ({})",
                self.usage,
                other.data_type()
            ),
        }
    }

    /// Positional argument `i` as a string that must be given; NULL is named by `what` up to
    /// its first parenthesis (`source (a table…)` → `source is NULL`).
    pub fn required_string(&self, i: usize, what: &str) -> Result<String> {
        match self.string(i, what)? {
            Some(value) => Ok(value),
            None => plan_err!(
                "{}: {} is NULL",
                self.usage,
                what.split(" (").next().unwrap_or(what)
            ),
        }
    }

    /// The named options, in the order given, names lower-cased.
    pub fn options(&self) -> &[(String, ScalarValue)] {
        &self.named
    }
}

/// A constant expression's value: a literal, a cast, a `@variable` of the session.
fn evaluate(session: &dyn Session, expr: &Expr) -> Result<ScalarValue> {
    let physical = session.create_physical_expr(expr.clone(), &DFSchema::empty())?;
    let one_row = RecordBatch::try_new_with_options(
        Arc::new(Schema::empty()),
        vec![],
        &RecordBatchOptions::new().with_row_count(Some(1)),
    )?;
    match physical.evaluate(&one_row)? {
        ColumnarValue::Scalar(value) => Ok(value),
        ColumnarValue::Array(array) => ScalarValue::try_from_array(&array, 0),
    }
}

/// The trailing struct of named options as (name, value), each name one of `keys`.
fn named_options(
    usage: &str,
    value: Option<ScalarValue>,
    keys: &[&str],
) -> Result<Vec<(String, ScalarValue)>> {
    let Some(ScalarValue::Struct(array)) = value else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (field, column) in array.fields().iter().zip(array.columns()) {
        let key = field.name().to_ascii_lowercase();
        if !keys.contains(&key.as_str()) {
            return plan_err!(
                "{usage}: unknown option '{key}' (options: {})",
                keys.join(", ")
            );
        }
        if out.iter().any(|(k, _)| *k == key) {
            return plan_err!("{usage}: option '{key}' is given twice");
        }
        out.push((key, ScalarValue::try_from_array(column.as_ref(), 0)?));
    }
    Ok(out)
}

/// An option's value as text: strings as they are, numbers and booleans as written, NULL as
/// `none`, a list as its items joined by `;`.
pub fn option_text(value: &ScalarValue) -> String {
    if value.is_null() {
        return "none".into();
    }
    match value {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::Utf8View(Some(s))
        | ScalarValue::LargeUtf8(Some(s)) => s.clone(),
        ScalarValue::List(_) => option_list(value).unwrap_or_default().join(";"),
        other => other.to_string(),
    }
}

/// A list option's items as text (`None` when the value is not a list).
pub fn option_list(value: &ScalarValue) -> Option<Vec<String>> {
    let ScalarValue::List(list) = value else {
        return None;
    };
    if list.is_null(0) {
        return Some(Vec::new());
    }
    let items = list.value(0);
    Some(
        (0..items.len())
            .filter_map(|i| ScalarValue::try_from_array(&items, i).ok())
            .filter(|v| !v.is_null())
            .map(|v| option_text(&v))
            .collect(),
    )
}

/// A whole number option in `min..=max`.
pub fn whole(
    function: &str,
    key: &str,
    value: &ScalarValue,
    min: usize,
    max: usize,
) -> Result<usize> {
    let text = option_text(value);
    match text.parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => plan_err!("{function}: {key} => {text} must be a whole number in [{min}, {max}]"),
    }
}
