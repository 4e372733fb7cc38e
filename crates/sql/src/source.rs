//! The `source` argument of the table functions: a registered table, a file path, or a query.
//!
//! Table functions take literal arguments only, so a query is passed as a string:
//! `llm_categorize('SELECT text_a, text_b FROM failures WHERE kind = ''negation''')`.

use std::path::Path;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::catalog::Session;
use datafusion::common::{exec_err, plan_err, Result, TableReference};
use datafusion::execution::SessionState;
use datafusion::prelude::{DataFrame, SessionContext};

/// Whether `source` is a query rather than a name or path.
pub fn is_query(source: &str) -> bool {
    let head = source.trim_start().trim_start_matches('(').trim_start();
    let word: String = head
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    matches!(
        word.to_ascii_lowercase().as_str(),
        "select" | "with" | "values"
    )
}

/// At planning time: a name must be a registered table or an existing file (a query is
/// checked when it runs, where its own error names what is wrong).
pub fn check(session: &dyn Session, function: &str, source: &str) -> Result<()> {
    if is_query(source) || Path::new(source).is_file() {
        return Ok(());
    }
    let Some(state) = session.as_any().downcast_ref::<SessionState>() else {
        return Ok(());
    };
    let reference = TableReference::from(source);
    let exists = state
        .schema_for_ref(reference.clone())
        .map(|schema| schema.table_exist(reference.table()))
        .unwrap_or(false);
    if !exists {
        return plan_err!("{function}: no table or file '{source}' (register a file with -t NAME=PATH, give its path, or pass a query: 'SELECT …')");
    }
    Ok(())
}

/// The source as a DataFrame of the session.
pub async fn frame(session: &dyn Session, function: &str, source: &str) -> Result<DataFrame> {
    let Some(state) = session.as_any().downcast_ref::<SessionState>() else {
        return exec_err!("{function} needs a DataFusion SessionState");
    };
    let ctx = SessionContext::new_with_state(state.clone());
    if is_query(source) {
        let query = source.trim();
        let query = query
            .strip_prefix('(')
            .and_then(|q| q.strip_suffix(')'))
            .unwrap_or(query);
        return ctx
            .sql(query)
            .await
            .map_err(|e| e.context(format!("{function}: the source query")));
    }
    if Path::new(source).is_file() {
        let name = "__lookalike_source";
        crate::tables::register_file(&ctx, name, Path::new(source)).await?;
        return ctx.table(name).await;
    }
    ctx.table(source).await
}

/// The names of the frame's columns, for messages.
pub fn column_names(df: &DataFrame) -> String {
    df.schema()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads text columns `names` of `source` as rows of strings (NULL → `None`).
pub async fn text_rows(
    session: &dyn Session,
    function: &str,
    source: &str,
    names: &[&str],
) -> Result<Vec<Vec<Option<String>>>> {
    frame_text_rows(frame(session, function, source).await?, function, names).await
}

/// [`text_rows`] of a frame already planned.
pub async fn frame_text_rows(
    df: DataFrame,
    function: &str,
    names: &[&str],
) -> Result<Vec<Vec<Option<String>>>> {
    for name in names {
        let Some(field) = df.schema().fields().iter().find(|f| f.name() == name) else {
            return exec_err!(
                "{function}: the source has no column '{name}' (columns: {})",
                column_names(&df)
            );
        };
        if !crate::udf::is_string(field.data_type()) {
            return exec_err!(
                "{function}: column '{name}' is {}, not text",
                field.data_type()
            );
        }
    }
    let columns: Vec<_> = names
        .iter()
        .map(|n| datafusion::prelude::col(format!("\"{n}\"")))
        .collect();
    let batches: Vec<RecordBatch> = df.select(columns)?.collect().await?;
    let mut rows = Vec::new();
    for batch in &batches {
        let columns: Vec<_> = batch
            .columns()
            .iter()
            .map(|c| cast(c, &DataType::Utf8))
            .collect::<Result<_, _>>()?;
        for i in 0..batch.num_rows() {
            rows.push(
                columns
                    .iter()
                    .map(|c| {
                        let c = c.as_string::<i32>();
                        (!c.is_null(i)).then(|| c.value(i).to_string())
                    })
                    .collect(),
            );
        }
    }
    Ok(rows)
}
