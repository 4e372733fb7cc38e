//! `lookalike_pairs(source, text_column, target, reference [, options])`: erroneous-agreement
//! search as a table function.
//!
//! Arguments are checked while planning; the search runs when the table is scanned, so an
//! `EXPLAIN` costs nothing and the embedding work happens off the planner.

mod options;
mod scrape;

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{Session, TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{plan_err, Result};
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_plan::ExecutionPlan;

pub use options::{parse as parse_options, Judge, Mode, PairsOptions, Threshold};
pub use scrape::ScrapeReport;

use crate::computed::{required_string_arg, string_arg};
use crate::encoders::EncoderRegistry;
use crate::notes::Notes;

/// Output column names.
pub mod columns {
    /// Id of the first text.
    pub const ID_A: &str = "id_a";
    /// The first text.
    pub const TEXT_A: &str = "text_a";
    /// Id of the second text.
    pub const ID_B: &str = "id_b";
    /// The second text.
    pub const TEXT_B: &str = "text_b";
    /// Cosine under the target encoder.
    pub const TARGET_SIM: &str = "target_sim";
    /// Cosine under the reference encoder (NULL without one).
    pub const REFERENCE_SIM: &str = "reference_sim";
    /// target_sim − reference_sim.
    pub const GAP: &str = "gap";
    /// The structural judge's kind of edit.
    pub const KIND: &str = "kind";
    /// Whether the structural judge is confident the edit changes the picture.
    pub const CHANGES_MEANING: &str = "changes_meaning";
    /// The structural judge's three-way answer: `changes_meaning`, `same` or `uncertain`.
    pub const VERDICT: &str = "verdict";
    /// Which judge flagged the pair: reference, structural, both, or NULL.
    pub const FLAGGED_BY: &str = "flagged_by";
}

/// The schema every call returns.
pub fn pairs_schema() -> SchemaRef {
    use columns::*;
    Arc::new(Schema::new(vec![
        Field::new(ID_A, DataType::Int64, false),
        Field::new(TEXT_A, DataType::Utf8, false),
        Field::new(ID_B, DataType::Int64, false),
        Field::new(TEXT_B, DataType::Utf8, false),
        Field::new(TARGET_SIM, DataType::Float32, false),
        Field::new(REFERENCE_SIM, DataType::Float32, true),
        Field::new(GAP, DataType::Float32, true),
        Field::new(KIND, DataType::Utf8, false),
        Field::new(CHANGES_MEANING, DataType::Boolean, false),
        Field::new(VERDICT, DataType::Utf8, false),
        Field::new(FLAGGED_BY, DataType::Utf8, true),
    ]))
}

/// The table function.
#[derive(Debug)]
pub struct LookalikePairsFunc {
    registry: Arc<EncoderRegistry>,
    notes: Arc<Notes>,
}

impl LookalikePairsFunc {
    /// Over the session's encoders; reports go to `notes`.
    pub fn new(registry: Arc<EncoderRegistry>, notes: Arc<Notes>) -> Self {
        LookalikePairsFunc { registry, notes }
    }
}

const USAGE: &str =
    "lookalike_pairs(source, text_column, target_model, reference_model [, 'key=value, …'])";

impl TableFunctionImpl for LookalikePairsFunc {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let exprs = args.exprs();
        if !(4..=5).contains(&exprs.len()) {
            return plan_err!("{USAGE}: takes 4 or 5 arguments, got {}", exprs.len());
        }
        let source = required_string_arg(USAGE, exprs, 0, "source (a table name or file path)")?;
        let text_column = required_string_arg(USAGE, exprs, 1, "text_column")?;
        let target = required_string_arg(USAGE, exprs, 2, "target_model")?;
        // NULL or 'none' as the reference: judge structurally only.
        let reference = string_arg(USAGE, exprs, 3, "reference_model")?
            .filter(|r| !r.eq_ignore_ascii_case("none"));
        let options = match exprs.len() {
            5 => options::parse(&string_arg(USAGE, exprs, 4, "options")?.unwrap_or_default())?,
            _ => PairsOptions::default(),
        };
        if reference.is_none()
            && options.judge == Judge::Reference
            && options.mode == Mode::Failures
        {
            return plan_err!(
                "{USAGE}: without a reference model, give judge=structural (or mode=candidates)"
            );
        }
        for model in std::iter::once(&target).chain(reference.as_ref()) {
            self.registry.models().open(model).map_err(|e| {
                datafusion::error::DataFusionError::Plan(format!("lookalike_pairs: {e}"))
            })?;
        }
        crate::source::check(args.session(), "lookalike_pairs", &source)?;
        Ok(Arc::new(PairsTable {
            request: scrape::Request {
                source,
                text_column,
                target,
                reference,
                options,
            },
            registry: self.registry.clone(),
            notes: self.notes.clone(),
        }))
    }
}

/// The result of one call, computed when scanned.
#[derive(Debug)]
struct PairsTable {
    request: scrape::Request,
    registry: Arc<EncoderRegistry>,
    notes: Arc<Notes>,
}

#[async_trait::async_trait]
impl TableProvider for PairsTable {
    fn schema(&self) -> SchemaRef {
        pairs_schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Temporary
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let (batch, report) = scrape::run(state, &self.request, self.registry.clone()).await?;
        self.notes.push(report.to_string());
        Ok(MemorySourceConfig::try_new_exec(
            &[vec![batch]],
            pairs_schema(),
            projection.cloned(),
        )?)
    }
}
