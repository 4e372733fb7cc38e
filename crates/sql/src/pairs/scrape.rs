//! `lookalike_pairs` in SQL: read the source table, hand its texts to lookalike-scrape, and
//! turn the pairs it finds into the output batch.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float32Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::arrow::compute::{cast, cast_with_options, CastOptions};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::catalog::Session;
use datafusion::common::{exec_err, Result};
use datafusion::error::DataFusionError;
use datafusion::prelude::{ident, Expr};
use lookalike_encode::EncoderRegistry;
use lookalike_scrape::{scrape, Corpus, ScrapeReport, ScrapedPair};

use super::options::PairsOptions;
use super::pairs_schema;

/// One call's arguments.
#[derive(Debug, Clone)]
pub struct Request {
    /// Table name or file path.
    pub source: String,
    /// The column holding the texts.
    pub text_column: String,
    /// The target model.
    pub target: String,
    /// The reference model, if any.
    pub reference: Option<String>,
    /// Everything else.
    pub options: PairsOptions,
}

/// Runs the scrape. Returns the rows (in output order) and the report.
pub async fn run(
    state: &dyn Session,
    request: &Request,
    registry: Arc<EncoderRegistry>,
) -> Result<(RecordBatch, ScrapeReport)> {
    let mut report = ScrapeReport::default();
    let corpus = read_source(state, request, &mut report).await?;
    let request = request.clone();
    // Embedding and searching block for seconds to minutes: off the async runtime.
    tokio::task::spawn_blocking(move || {
        let options = &request.options.scrape;
        let pairs = scrape(
            &corpus,
            &request.target,
            request.reference.as_deref(),
            options,
            &registry,
            &mut report,
        )
        .map_err(|e| DataFusionError::External(Box::new(e)).context("lookalike_pairs"))?;
        Ok((batch(&corpus, &pairs)?, report))
    })
    .await
    .map_err(|e| DataFusionError::External(Box::new(e)))?
}

/// Reads `(id, text)` rows into the scrape's corpus.
async fn read_source(
    state: &dyn Session,
    request: &Request,
    report: &mut ScrapeReport,
) -> Result<Corpus> {
    let df = crate::source::frame(state, "lookalike_pairs", &request.source).await?;
    let schema = df.schema().clone();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let Some(text_field) = schema
        .fields()
        .iter()
        .find(|f| f.name() == &request.text_column)
    else {
        return exec_err!(
            "lookalike_pairs: '{}' has no column '{}' (columns: {})",
            request.source,
            request.text_column,
            names.join(", ")
        );
    };
    if !crate::udf::is_string(text_field.data_type()) {
        return exec_err!(
            "lookalike_pairs: column '{}' of '{}' is {}, not text",
            request.text_column,
            request.source,
            text_field.data_type()
        );
    }
    let id_column = match request.options.id_column.as_deref() {
        Some(name) if name.eq_ignore_ascii_case("none") => None,
        Some(name) if names.iter().any(|n| n == name) => Some(name.to_string()),
        Some(name) => {
            return exec_err!(
                "lookalike_pairs: id column '{name}' is not in '{}' (columns: {})",
                request.source,
                names.join(", ")
            )
        }
        None => ["id", "line"]
            .iter()
            .find(|c| names.iter().any(|n| n == *c))
            .map(|c| c.to_string()),
    };
    // Ids are the source's own, or none: a string or NULL id is an error, never a made-up value.
    if let Some(name) = &id_column {
        let field = schema.field_with_unqualified_name(name)?;
        if !field.data_type().is_integer() {
            return exec_err!(
                "lookalike_pairs: id column '{name}' of '{}' is {}, not an integer; give id => 'none' to number the texts, or id => an integer column",
                request.source,
                field.data_type()
            );
        }
    }
    let mut columns: Vec<Expr> = id_column.iter().map(ident).collect();
    columns.push(ident(&request.text_column));
    let batches = df.select(columns)?.collect().await?;
    let mut rows: Vec<(i64, Option<String>)> = Vec::new();
    for batch in &batches {
        let text = cast(batch.column(batch.num_columns() - 1), &DataType::Utf8)?;
        let text = text.as_string::<i32>();
        let ids = match &id_column {
            Some(name) => {
                let exact = CastOptions {
                    safe: false,
                    ..CastOptions::default()
                };
                let ids =
                    cast_with_options(batch.column(0), &DataType::Int64, &exact).map_err(|e| {
                        DataFusionError::Execution(format!(
                        "lookalike_pairs: id column '{name}' does not fit a 64-bit integer: {e}"
                    ))
                    })?;
                if ids.null_count() > 0 {
                    return exec_err!(
                        "lookalike_pairs: id column '{name}' of '{}' has NULL ids; give id => 'none' to number the texts, or fill them",
                        request.source
                    );
                }
                ids.as_primitive::<Int64Type>().values().to_vec()
            }
            None => vec![0; batch.num_rows()],
        };
        rows.extend(
            ids.into_iter()
                .zip(text.iter().map(|t| t.map(str::to_string))),
        );
    }
    let options = &request.options.scrape;
    Ok(match id_column {
        Some(_) => Corpus::with_ids(rows, options, report),
        None => Corpus::numbered(rows.into_iter().map(|r| r.1).collect(), options, report),
    })
}

/// The output batch: both judges' evidence for each pair.
fn batch(corpus: &Corpus, pairs: &[ScrapedPair]) -> Result<RecordBatch> {
    let id = |i: u32| corpus.ids[i as usize];
    let text = |i: u32| corpus.texts[i as usize].as_str();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(pairs.iter().map(|p| id(p.a)))),
        Arc::new(StringArray::from_iter_values(
            pairs.iter().map(|p| text(p.a)),
        )),
        Arc::new(Int64Array::from_iter_values(pairs.iter().map(|p| id(p.b)))),
        Arc::new(StringArray::from_iter_values(
            pairs.iter().map(|p| text(p.b)),
        )),
        Arc::new(Float32Array::from_iter_values(
            pairs.iter().map(|p| p.target_sim),
        )),
        Arc::new(Float32Array::from_iter(
            pairs.iter().map(|p| p.reference_sim),
        )),
        Arc::new(Float32Array::from_iter(
            pairs
                .iter()
                .map(|p| p.reference_sim.map(|r| p.target_sim - r)),
        )),
        Arc::new(StringArray::from_iter_values(
            pairs.iter().map(|p| p.kind.name()),
        )),
        Arc::new(BooleanArray::from_iter(
            pairs.iter().map(|p| Some(p.changes_meaning)),
        )),
        Arc::new(StringArray::from_iter_values(
            pairs.iter().map(|p| p.verdict.name()),
        )),
        Arc::new(StringArray::from_iter(
            pairs.iter().map(|p| p.flagged_by.map(|f| f.name())),
        )),
    ];
    Ok(RecordBatch::try_new(pairs_schema(), columns)?)
}
