//! `lookalike_pairs(source, text_column, target [, reference] [, name => value, …])`: erroneous-agreement
//! search as a table function.
//!
//! Arguments are checked while planning; the search runs when the plan executes, so an
//! `EXPLAIN` costs nothing and `EXPLAIN ANALYZE` shows the rows and time.

mod options;
mod scrape;

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{Session, TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{plan_err, Result};

use lookalike_encode::EncoderRegistry;
use lookalike_scrape::{Judge, Mode};

use crate::computed::{one_batch, Batches, CallArgs, Compute, Computed};
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
    "lookalike_pairs(source, text_column, target_model [, reference_model] [, name => value, …])";

impl TableFunctionImpl for LookalikePairsFunc {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let call = CallArgs::evaluate(USAGE, &args, (3, 4), &options::KEYS)?;
        let source = call.required_string(0, "source (a table name or file path)")?;
        let text_column = call.required_string(1, "text_column")?;
        let target = call.required_string(2, "target_model")?;
        // Absent, NULL or 'none' as the reference: judge structurally only.
        let reference = call
            .string(3, "reference_model")?
            .filter(|r| !r.eq_ignore_ascii_case("none"));
        let options = options::parse(call.options())?;
        if reference.is_none()
            && options.scrape.judge == Judge::Reference
            && options.scrape.mode == Mode::Failures
        {
            return plan_err!(
                "{USAGE}: without a reference model, give judge => 'structural' (or mode => 'candidates')"
            );
        }
        for model in std::iter::once(&target).chain(reference.as_ref()) {
            self.registry.models().open(model).map_err(|e| {
                datafusion::error::DataFusionError::Plan(format!("lookalike_pairs: {e}"))
            })?;
        }
        crate::source::check(args.session(), "lookalike_pairs", &source)?;
        Ok(Arc::new(Computed::new(PairsJob {
            request: scrape::Request {
                source,
                text_column,
                target,
                reference,
                options,
            },
            registry: self.registry.clone(),
            notes: self.notes.clone(),
        })))
    }
}

/// One call's search, run when the plan executes.
struct PairsJob {
    request: scrape::Request,
    registry: Arc<EncoderRegistry>,
    notes: Arc<Notes>,
}

impl std::fmt::Debug for PairsJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = &self.request;
        write!(
            f,
            "lookalike_pairs source={:?} column={:?} target={:?} reference={:?} threshold={:?} mode={:?} judge={:?} method={:?}",
            r.source,
            r.text_column,
            r.target,
            r.reference,
            r.options.scrape.threshold,
            r.options.scrape.mode,
            r.options.scrape.judge,
            r.options.scrape.search.method
        )
    }
}

#[async_trait::async_trait]
impl Compute for PairsJob {
    fn schema(&self) -> SchemaRef {
        pairs_schema()
    }

    async fn compute(&self, session: &dyn Session) -> Result<Batches> {
        let (batch, report) = scrape::run(session, &self.request, self.registry.clone()).await?;
        self.notes.push(report.to_string());
        Ok(one_batch(batch))
    }
}
