//! Running an audit: check everything that can be checked, then the stages per target, then
//! the outputs, written whole.
//!
//! Resuming is rerunning: embeddings are cached per chunk and LLM answers per request, so a
//! rerun after an interruption recomputes nothing already paid for. Outputs are written in a
//! fixed row order with one DataFusion partition, so the same inputs give byte-identical
//! Parquet.

use std::sync::Arc;
use std::time::{Duration, Instant};

use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::compute::{cast, concat_batches};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{col, lit, Expr};
use datafusion::prelude::SessionContext;
use lookalike_report::Audit;
use lookalike_sql::Lookalike;

use crate::config::{defaults, AuditConfig};
use crate::error::{AuditError, Result};
use crate::outputs::{target_report, write_atomically, OUTPUTS};
use crate::scripts::{script, stages};
use crate::staging::Staging;

/// Hears what the audit is doing, for a progress display.
pub trait Observer: Send + Sync {
    /// A stage starts for a target.
    fn stage_started(&self, _stage: &str, _target: &str) {}
    /// Long work in the current stage advanced: `done` of `total` (texts embedded, pairs
    /// judged, …), `what` saying what it is, e.g. "embedding with minilm".
    fn progress(&self, _what: &str, _done: usize, _total: usize) {}
    /// A stage ended; `notes` say what it dropped or reused, and why.
    fn stage_finished(
        &self,
        _stage: &str,
        _target: &str,
        _origin: &str,
        _took: Duration,
        _notes: &[String],
    ) {
    }
}

/// An observer that hears nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Observer for Silent {}

/// What an audit produced, beside its files.
#[derive(Debug)]
pub struct AuditOutcome {
    /// The report's data: per target, the candidates, categories and verification.
    pub audit: Audit,
    /// Where each stage's script came from (`scrape.sql (built in)` or a path), in order.
    pub scripts: Vec<String>,
    /// Wall time of the whole audit.
    pub took: Duration,
}

/// Runs the audit of `config` on `session`.
pub async fn run(
    session: &Lookalike,
    config: &AuditConfig,
    observer: Arc<dyn Observer>,
) -> Result<AuditOutcome> {
    let started = Instant::now();
    config.validate()?;
    // Every model and every script is found before the first stage spends anything.
    for model in config.targets.iter().chain(&config.reference) {
        session
            .registry()
            .models()
            .open(model)
            .map_err(|e| AuditError::Config(e.to_string()))?;
    }
    let stages = stages(config);
    let scripts = stages
        .iter()
        .map(|stage| script(&config.scripts, stage))
        .collect::<Result<Vec<_>>>()?;
    // An unusable --out must fail now, not after every stage has run.
    let staging = Staging::begin(&config.out)?;
    lookalike_sql::register_file(session.ctx(), "corpus", &config.corpus)
        .await
        .map_err(|e| {
            AuditError::Corpus(format!(
                "reading the corpus {}: {e}",
                config.corpus.display()
            ))
        })?;
    // One partition: sums and averages then add up in one order, so reruns match to the bit.
    session
        .ctx()
        .state_ref()
        .write()
        .config_mut()
        .options_mut()
        .execution
        .target_partitions = 1;
    if let Some(reviews) = &config.reviews {
        crate::reviews::register(session.ctx(), reviews).await?;
    }
    let column = text_column(session.ctx(), config).await?;
    let texts = distinct_texts(session.ctx(), &column).await?;

    let mut outputs: Vec<Vec<RecordBatch>> = vec![Vec::new(); OUTPUTS.len()];
    let mut reports = Vec::new();
    for target in &config.targets {
        for (name, value) in config.variables(target, &column) {
            session.variables().set(name, value)?;
        }
        for (stage, script) in stages.iter().zip(&scripts) {
            run_stage(session, stage, script, target, &observer).await?;
        }
        for (i, (_, table, order)) in OUTPUTS.iter().enumerate() {
            outputs[i].push(output(session.ctx(), target, table, order).await?);
        }
        let last = |i: usize| {
            outputs[i]
                .last()
                .expect("one batch per target was just pushed")
        };
        reports.push(target_report(
            target,
            last(0),
            last(2).num_rows(),
            last(3),
            last(5),
        )?);
    }

    for ((name, _, _), batches) in OUTPUTS.iter().zip(&outputs) {
        let path = staging.path(&format!("{name}.parquet"));
        lookalike_encode::cache::write_parquet_atomically(&path, batches)
            .map_err(|e| AuditError::Config(format!("writing {}: {e}", path.display())))?;
    }
    let audit = Audit {
        title: format!("lookalike audit of {}", config.corpus.display()),
        corpus: config.corpus.display().to_string(),
        texts,
        reference: config.reference.clone(),
        threshold: config.threshold,
        gap: Some(config.gap),
        generator: config.llm.clone().unwrap_or_else(|| {
            "offline: lexical edits of corpus sentences, checked by the structural judge".into()
        }),
        steer: config.steer.clone(),
        targets: reports,
    };
    let html = lookalike_report::render(&audit);
    write_atomically(&staging.path("report.html"), html.as_bytes())?;
    staging.commit()?;
    Ok(AuditOutcome {
        audit,
        scripts: scripts.into_iter().map(|s| s.origin).collect(),
        took: started.elapsed(),
    })
}

/// Runs one script for one target, statement by statement.
async fn run_stage(
    session: &Lookalike,
    stage: &str,
    script: &crate::scripts::Script,
    target: &str,
    observer: &Arc<dyn Observer>,
) -> Result<()> {
    let name = stage.trim_end_matches(".sql");
    observer.stage_started(name, target);
    let started = Instant::now();
    let heard = observer.clone();
    session.set_progress(Some(Arc::new(
        move |what: &str, done: usize, total: usize| heard.progress(what, done, total),
    )));
    let result = async {
        let statements = datafusion::sql::parser::DFParser::parse_sql(&script.text)?;
        for statement in statements {
            let plan = session.ctx().state().statement_to_plan(statement).await?;
            session
                .ctx()
                .execute_logical_plan(plan)
                .await?
                .collect()
                .await?;
        }
        Ok(())
    }
    .await
    .map_err(|source| AuditError::Stage {
        script: script.origin.clone(),
        target: target.to_string(),
        source,
    });
    session.set_progress(None);
    let notes = session.take_notes();
    result?;
    observer.stage_finished(name, target, &script.origin, started.elapsed(), &notes);
    Ok(())
}

/// One output table of one target, with the target first, in its fixed order, as one batch.
async fn output(
    ctx: &SessionContext,
    target: &str,
    table: &str,
    order: &str,
) -> Result<RecordBatch> {
    let df = ctx.table(table).await?;
    let mut columns: Vec<Expr> =
        vec![lit(ScalarValue::Utf8(Some(target.to_string()))).alias("target")];
    columns.extend(
        df.schema()
            .fields()
            .iter()
            .map(|f| col(format!("\"{}\"", f.name()))),
    );
    let sort = order
        .split(", ")
        .map(|key| match key.strip_suffix(" DESC") {
            Some(name) => col(name).sort(false, true),
            None => col(key).sort(true, false),
        })
        .collect::<Vec<_>>();
    let df = df.select(columns)?.sort(sort)?;
    let schema = Arc::new(df.schema().as_arrow().clone());
    let batches = df.collect().await?;
    Ok(concat_batches(&schema, &batches)?)
}

/// The corpus column holding the texts: the configured one, else the first of the defaults.
async fn text_column(ctx: &SessionContext, config: &AuditConfig) -> Result<String> {
    let schema = ctx.table("corpus").await?.schema().clone();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let corpus = config.corpus.display();
    match &config.column {
        Some(column) if names.contains(&column.as_str()) => Ok(column.clone()),
        Some(column) => Err(AuditError::Corpus(format!(
            "{corpus} has no column '{column}' (columns: {})",
            names.join(", ")
        ))),
        None => defaults::TEXT_COLUMNS
            .iter()
            .find(|c| names.contains(c))
            .map(|c| c.to_string())
            .ok_or_else(|| {
                AuditError::Corpus(format!(
                    "{corpus} has no 'text' or 'caption' column (columns: {}); name one with --column",
                    names.join(", ")
                ))
            }),
    }
}

/// How many distinct texts the corpus holds.
async fn distinct_texts(ctx: &SessionContext, column: &str) -> Result<usize> {
    let df = ctx.table("corpus").await?.aggregate(
        vec![],
        vec![datafusion::functions_aggregate::expr_fn::count_distinct(
            col(format!("\"{column}\"")),
        )],
    )?;
    let batches = df.collect().await?;
    let count = cast(batches[0].column(0), &DataType::Int64)?;
    Ok(count.as_primitive::<Int64Type>().value(0).max(0) as usize)
}
