//! The work behind `lookalike_pairs`: read the source, embed, search, dedup, judge.

use std::fmt;
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, AsArray, BooleanArray, Float32Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::catalog::Session;
use datafusion::common::{exec_err, Result};
use datafusion::error::DataFusionError;
use datafusion::prelude::col;
use lookalike_pairs::{
    dedup_pairs, dot, find_pairs_with_report, sample_similarity_quantile, Candidate, Method,
};
use lookalike_taxonomy::Judgement;

use super::options::{Judge, Mode, PairsOptions, Threshold};
use super::pairs_schema;
use crate::encoders::{EmbedError, EncoderRegistry};
use crate::error::IntoDataFusion;

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

/// What a call did, for the user: what was dropped, and why.
#[derive(Debug, Clone, Default)]
pub struct ScrapeReport {
    rows: usize,
    null_texts: usize,
    duplicate_texts: usize,
    excluded_texts: usize,
    distinct_texts: usize,
    threshold: f32,
    method: Option<Method>,
    above_threshold: usize,
    normalized_equal: usize,
    repeated_pairs: usize,
    reference_texts: usize,
    by_reference: usize,
    by_structure: usize,
    returned: usize,
}

impl fmt::Display for ScrapeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "lookalike_pairs: {} rows → {} distinct texts ({} NULL, {} repeated, {} with an excluded phrase); ",
            self.rows, self.distinct_texts, self.null_texts, self.duplicate_texts, self.excluded_texts
        )?;
        let method = match self.method {
            Some(Method::Hnsw) => "HNSW",
            Some(Method::Ivf) => "IVF",
            Some(_) => "exact",
            None => "no",
        };
        write!(
            f,
            "{method} search: {} pairs above {:.4}; ",
            self.above_threshold, self.threshold
        )?;
        write!(
            f,
            "dropped {} equal after normalising case, spacing and punctuation and {} repeats; ",
            self.normalized_equal, self.repeated_pairs
        )?;
        write!(
            f,
            "reference embedded {} texts; flagged {} by the reference gap, {} by the structural judge; {} rows returned",
            self.reference_texts, self.by_reference, self.by_structure, self.returned
        )
    }
}

/// Runs the search. Returns the rows (in output order) and the report.
pub async fn run(
    state: &dyn Session,
    request: &Request,
    registry: Arc<EncoderRegistry>,
) -> Result<(RecordBatch, ScrapeReport)> {
    let mut report = ScrapeReport::default();
    let (ids, texts) = read_source(state, request, &mut report).await?;
    let options = &request.options;
    if texts.len() < 2 {
        return Ok((empty(), report));
    }

    let target = embed(&registry, &request.target, texts.clone()).await?;
    let dim = target.len() / texts.len();
    let threshold = match options.threshold {
        Threshold::Value(t) => t,
        Threshold::Quantile(q) => {
            sample_similarity_quantile(&target, dim, q, 200_000, 0).map_err(pairs_error)?
        }
    };
    report.threshold = threshold;
    let search = options.search.clone();
    let (found, search_report) = tokio::task::spawn_blocking(move || {
        find_pairs_with_report(&target, dim, threshold, &search)
    })
    .await
    .map_err(|e| DataFusionError::External(Box::new(e)))?
    .map_err(pairs_error)?;
    report.method = Some(search_report.method);
    report.above_threshold = found.len();
    let (kept, dedup) = dedup_pairs(&found, &texts).map_err(pairs_error)?;
    report.normalized_equal = dedup.normalized_equal;
    report.repeated_pairs = dedup.duplicate;

    // The reference only ever sees texts that are in a candidate pair.
    let reference_sims = match &request.reference {
        Some(model) => {
            Some(reference_similarities(&registry, model, &kept, &texts, &mut report).await?)
        }
        None => None,
    };
    let mut rule = options.rule.clone();
    rule.target_threshold = threshold;

    let mut rows = Rows::default();
    for (i, pair) in kept.iter().enumerate() {
        let (a, b) = (&texts[pair.a as usize], &texts[pair.b as usize]);
        let reference_sim = reference_sims.as_ref().map(|s| s[i]);
        let verdict = lookalike_taxonomy::failure_kind(a, b);
        // The reference gap is MultiMon's judge; a pair the structural judge confidently reads
        // as the same picture is no failure whatever the reference says.
        let by_reference = reference_sim.is_some()
            && rule.judge(pair.target_sim, reference_sim).is_failure()
            && verdict.judgement != Judgement::Same;
        let by_structure = verdict.changes_meaning;
        report.by_reference += by_reference as usize;
        report.by_structure += by_structure as usize;
        let keep = match (options.mode, options.judge) {
            (Mode::Candidates, _) => true,
            (Mode::Failures, Judge::Reference) => by_reference,
            (Mode::Failures, Judge::Structural) => by_structure,
            (Mode::Failures, Judge::Either) => by_reference || by_structure,
        };
        if !keep {
            continue;
        }
        if options.limit.is_some_and(|limit| rows.len() >= limit) {
            break;
        }
        rows.push(
            ids[pair.a as usize],
            a,
            ids[pair.b as usize],
            b,
            pair.target_sim,
            reference_sim,
            verdict.kind.name(),
            by_structure,
            verdict.judgement.name(),
            flagged(by_reference, by_structure),
        );
    }
    report.returned = rows.len();
    Ok((rows.finish()?, report))
}

fn flagged(by_reference: bool, by_structure: bool) -> Option<&'static str> {
    match (by_reference, by_structure) {
        (true, true) => Some("both"),
        (true, false) => Some("reference"),
        (false, true) => Some("structural"),
        (false, false) => None,
    }
}

/// Reads `(id, text)`, drops NULL, excluded and repeated texts; rows come out in id order.
async fn read_source(
    state: &dyn Session,
    request: &Request,
    report: &mut ScrapeReport,
) -> Result<(Vec<i64>, Vec<String>)> {
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
    let id_column = match &request.options.id_column {
        Some(name) if names.contains(name) => Some(name.clone()),
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
    let batches = match &id_column {
        Some(id) => {
            df.select(vec![
                col(format!("\"{id}\"")),
                col(format!("\"{}\"", request.text_column)),
            ])?
            .collect()
            .await?
        }
        None => {
            df.select(vec![col(format!("\"{}\"", request.text_column))])?
                .collect()
                .await?
        }
    };
    let mut rows: Vec<(i64, Option<String>)> = Vec::new();
    for batch in &batches {
        let text = cast(batch.column(batch.num_columns() - 1), &DataType::Utf8)?;
        let text = text.as_string::<i32>();
        let ids = match &id_column {
            Some(name) => {
                let ids = cast(batch.column(0), &DataType::Int64)
                    .map_err(|_| DataFusionError::Execution(format!("lookalike_pairs: id column '{name}' is not an integer; name another with id=<column>")))?;
                ids.as_primitive::<Int64Type>()
                    .iter()
                    .map(|v| v.unwrap_or(i64::MAX))
                    .collect::<Vec<_>>()
            }
            None => vec![0; batch.num_rows()],
        };
        rows.extend(
            ids.into_iter()
                .zip(text.iter().map(|t| t.map(str::to_string))),
        );
    }
    report.rows = rows.len();
    if id_column.is_none() {
        // Without ids, number rows in text order: the same corpus gives the same ids whatever
        // order its partitions were read in.
        rows.sort_by(|x, y| x.1.cmp(&y.1));
        rows.iter_mut()
            .enumerate()
            .for_each(|(i, r)| r.0 = i as i64);
    } else {
        rows.sort_by(|x, y| x.0.cmp(&y.0).then_with(|| x.1.cmp(&y.1)));
    }
    let mut seen = std::collections::HashSet::new();
    let (mut ids, mut texts) = (Vec::new(), Vec::new());
    for (id, text) in rows {
        let Some(text) = text else {
            report.null_texts += 1;
            continue;
        };
        if request.options.rule.is_excluded(&text) {
            report.excluded_texts += 1;
        } else if !seen.insert(text.clone()) {
            report.duplicate_texts += 1;
        } else {
            ids.push(id);
            texts.push(text);
        }
    }
    report.distinct_texts = texts.len();
    Ok((ids, texts))
}

/// Embeds texts off the async runtime; the vectors are contiguous.
async fn embed(
    registry: &Arc<EncoderRegistry>,
    model: &str,
    texts: Vec<String>,
) -> Result<Vec<f32>> {
    let (registry, model) = (registry.clone(), model.to_string());
    let vectors = tokio::task::spawn_blocking(move || {
        let refs: Vec<Option<&str>> = texts.iter().map(|t| Some(t.as_str())).collect();
        registry.embed(&model, &refs).map(|(_, v)| v)
    })
    .await
    .map_err(|e| DataFusionError::External(Box::new(e)))?;
    let vectors = match vectors {
        Ok(v) => v,
        Err(EmbedError::Encode(e)) => return Err(e).exec("lookalike_pairs"),
        Err(EmbedError::Cache(e)) => return Err(e.into()),
    };
    Ok(vectors
        .into_iter()
        .flat_map(|v| v.unwrap_or_default())
        .collect())
}

async fn reference_similarities(
    registry: &Arc<EncoderRegistry>,
    model: &str,
    pairs: &[Candidate],
    texts: &[String],
    report: &mut ScrapeReport,
) -> Result<Vec<f32>> {
    let mut needed: Vec<u32> = pairs.iter().flat_map(|p| [p.a, p.b]).collect();
    needed.sort_unstable();
    needed.dedup();
    report.reference_texts = needed.len();
    if needed.is_empty() {
        return Ok(Vec::new());
    }
    let vectors = embed(
        registry,
        model,
        needed.iter().map(|&i| texts[i as usize].clone()).collect(),
    )
    .await?;
    let dim = vectors.len() / needed.len();
    let row = |id: u32| {
        let i = needed
            .binary_search(&id)
            .expect("every pair's ids were embedded");
        &vectors[i * dim..(i + 1) * dim]
    };
    Ok(pairs.iter().map(|p| dot(row(p.a), row(p.b))).collect())
}

fn pairs_error(e: lookalike_pairs::PairsError) -> DataFusionError {
    DataFusionError::External(Box::new(e)).context("lookalike_pairs")
}

fn empty() -> RecordBatch {
    RecordBatch::new_empty(pairs_schema())
}

/// Output columns being built.
#[derive(Default)]
struct Rows {
    id_a: Vec<i64>,
    text_a: Vec<String>,
    id_b: Vec<i64>,
    text_b: Vec<String>,
    target: Vec<f32>,
    reference: Vec<Option<f32>>,
    kind: Vec<&'static str>,
    changes: Vec<bool>,
    verdict: Vec<&'static str>,
    flagged: Vec<Option<&'static str>>,
}

impl Rows {
    fn len(&self) -> usize {
        self.id_a.len()
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        id_a: i64,
        a: &str,
        id_b: i64,
        b: &str,
        target: f32,
        reference: Option<f32>,
        kind: &'static str,
        changes: bool,
        verdict: &'static str,
        flagged: Option<&'static str>,
    ) {
        self.id_a.push(id_a);
        self.text_a.push(a.to_string());
        self.id_b.push(id_b);
        self.text_b.push(b.to_string());
        self.target.push(target);
        self.reference.push(reference);
        self.kind.push(kind);
        self.changes.push(changes);
        self.verdict.push(verdict);
        self.flagged.push(flagged);
    }

    fn finish(self) -> Result<RecordBatch> {
        let gap: Float32Array = self
            .target
            .iter()
            .zip(&self.reference)
            .map(|(t, r)| r.map(|r| t - r))
            .collect();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(self.id_a)),
            Arc::new(StringArray::from(self.text_a)),
            Arc::new(Int64Array::from(self.id_b)),
            Arc::new(StringArray::from(self.text_b)),
            Arc::new(Float32Array::from(self.target)),
            Arc::new(Float32Array::from(self.reference)),
            Arc::new(gap),
            Arc::new(StringArray::from(self.kind)),
            Arc::new(BooleanArray::from(self.changes)),
            Arc::new(StringArray::from(self.verdict)),
            Arc::new(StringArray::from(self.flagged)),
        ];
        Ok(RecordBatch::try_new(pairs_schema(), columns)?)
    }
}
