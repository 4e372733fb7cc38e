//! Running SQL: statements from flags, files or the interactive shell, and printing results.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::sql::parser::DFParser;
use lookalike_sql::{EmbedStats, Lookalike};

use crate::args::{Format, MaxRows};

/// How results are printed.
#[derive(Debug, Clone)]
pub struct Printer {
    /// Output format.
    pub format: Format,
    /// Table row limit.
    pub maxrows: MaxRows,
    /// Output file, if any.
    pub output: Option<std::path::PathBuf>,
    /// Suppress timing lines.
    pub quiet: bool,
}

/// Runs every statement of `sql` in order, printing each result.
pub async fn run_sql(session: &Lookalike, sql: &str, printer: &Printer) -> Result<()> {
    let statements = DFParser::parse_sql(sql).context("parsing SQL")?;
    for statement in statements {
        let started = Instant::now();
        let before = session.registry().stats();
        let state = session.ctx().state();
        let plan = state.statement_to_plan(statement).await?;
        lookalike_sql::check_copy(&plan)?;
        let df = session.ctx().execute_logical_plan(plan).await?;
        let batches = df.collect().await?;
        printer.print(&batches)?;
        if !printer.quiet {
            let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
            eprintln!(
                "{rows} row{} in {:.3}s",
                if rows == 1 { "" } else { "s" },
                started.elapsed().as_secs_f64()
            );
            report_embedding(&before, &session.registry().stats());
        }
        for note in session.take_notes() {
            eprintln!("{note}");
        }
    }
    Ok(())
}

/// Says how many texts were embedded, read from cache and truncated, per model.
fn report_embedding(
    before: &std::collections::HashMap<String, EmbedStats>,
    after: &std::collections::HashMap<String, EmbedStats>,
) {
    let mut names: Vec<&String> = after.keys().collect();
    names.sort();
    for name in names {
        let (a, b) = (after[name], before.get(name).copied().unwrap_or_default());
        let (computed, cached, truncated) = (
            a.computed - b.computed,
            a.cached - b.cached,
            a.truncated - b.truncated,
        );
        if computed + cached > 0 {
            let cut = if truncated > 0 {
                format!(", {truncated} truncated to the model's context")
            } else {
                String::new()
            };
            eprintln!("{name}: {computed} texts embedded, {cached} from cache{cut}");
        }
    }
}

impl Printer {
    /// Prints (or writes) one statement's result.
    pub fn print(&self, batches: &[RecordBatch]) -> Result<()> {
        if self.format == Format::Parquet {
            let Some(path) = &self.output else {
                bail!("--format parquet needs --output <file.parquet>")
            };
            lookalike_encode::cache::write_parquet_atomically(path, batches)?;
            return Ok(());
        }
        let mut out: Box<dyn Write> = match &self.output {
            Some(path) => Box::new(
                std::fs::File::create(path)
                    .with_context(|| format!("creating {}", path.display()))?,
            ),
            None => Box::new(std::io::stdout().lock()),
        };
        match self.format {
            Format::Table => {
                let shown = self.limited(batches);
                if !shown.is_empty() && shown.iter().any(|b| b.num_columns() > 0) {
                    let shown = shown
                        .iter()
                        .map(shorten_lists)
                        .collect::<Result<Vec<_>>>()?;
                    writeln!(out, "{}", pretty_format_batches(&shown)?)?;
                }
            }
            Format::Csv | Format::Tsv => {
                let delimiter = if self.format == Format::Csv {
                    b','
                } else {
                    b'\t'
                };
                let mut writer = datafusion::arrow::csv::WriterBuilder::new()
                    .with_delimiter(delimiter)
                    .build(&mut out);
                for batch in batches {
                    writer.write(&flatten_nested(batch)?)?;
                }
            }
            Format::Markdown => {
                let shown = self.limited(batches);
                let shown = shown
                    .iter()
                    .map(shorten_lists)
                    .collect::<Result<Vec<_>>>()?;
                write!(out, "{}", markdown(&shown)?)?;
            }
            Format::Json => {
                let mut writer = datafusion::arrow::json::ArrayWriter::new(&mut out);
                writer.write_batches(&batches.iter().collect::<Vec<_>>())?;
                writer.finish()?;
                writeln!(out)?;
            }
            Format::Ndjson => {
                let mut writer = datafusion::arrow::json::LineDelimitedWriter::new(&mut out);
                writer.write_batches(&batches.iter().collect::<Vec<_>>())?;
                writer.finish()?;
            }
            Format::Parquet => unreachable!("handled above"),
        }
        out.flush()?;
        Ok(())
    }

    fn limited(&self, batches: &[RecordBatch]) -> Vec<RecordBatch> {
        let MaxRows::Limited(max) = self.maxrows else {
            return batches.to_vec();
        };
        let total: usize = batches.iter().map(|b| b.num_rows()).sum();
        let mut left = max;
        let mut shown = Vec::new();
        for batch in batches {
            if left == 0 {
                break;
            }
            let take = left.min(batch.num_rows());
            shown.push(batch.slice(0, take));
            left -= take;
        }
        if total > max {
            eprintln!("(showing {max} of {total} rows; --maxrows inf shows all)");
        }
        shown
    }
}

/// A Markdown (GitHub) table: `|` in values escaped, line breaks as `<br>`.
fn markdown(batches: &[RecordBatch]) -> Result<String> {
    let Some(first) = batches.first() else {
        return Ok(String::new());
    };
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', "<br>");
    let schema = first.schema();
    let names: Vec<String> = schema.fields().iter().map(|f| cell(f.name())).collect();
    let mut text = format!(
        "| {} |\n|{}\n",
        names.join(" | "),
        " --- |".repeat(names.len())
    );
    let options = FormatOptions::default().with_null("NULL");
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for row in 0..batch.num_rows() {
            let values: Vec<String> = formatters
                .iter()
                .map(|f| cell(&f.value(row).to_string()))
                .collect();
            text.push_str(&format!("| {} |\n", values.join(" | ")));
        }
    }
    Ok(text)
}

/// Values of a list shown in a table before the rest is elided.
const LIST_SHOWN: usize = 6;

/// A table is for reading: a 384-value vector becomes `[0.01, -0.02, …] (384 values)`. Lists
/// of at most [`LIST_SHOWN`] values, and every other format, keep every value.
fn shorten_lists(batch: &RecordBatch) -> Result<RecordBatch> {
    let options = FormatOptions::default();
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        let value = |row: usize| -> Option<ArrayRef> {
            match column.data_type() {
                DataType::List(_) => Some(column.as_list::<i32>().value(row)),
                DataType::LargeList(_) => Some(column.as_list::<i64>().value(row)),
                DataType::FixedSizeList(_, _) => Some(column.as_fixed_size_list().value(row)),
                _ => None,
            }
        };
        let long = (0..column.len())
            .any(|row| !column.is_null(row) && value(row).is_some_and(|v| v.len() > LIST_SHOWN));
        if !long {
            fields.push(field.as_ref().clone());
            columns.push(column.clone());
            continue;
        }
        let mut text = Vec::with_capacity(column.len());
        for row in 0..column.len() {
            let Some(values) = value(row).filter(|_| !column.is_null(row)) else {
                text.push(None);
                continue;
            };
            let formatter = ArrayFormatter::try_new(values.as_ref(), &options)?;
            let shown: Vec<String> = (0..values.len().min(LIST_SHOWN))
                .map(|i| formatter.value(i).to_string())
                .collect();
            text.push(Some(if values.len() > LIST_SHOWN {
                format!("[{}, …] ({} values)", shown.join(", "), values.len())
            } else {
                format!("[{}]", shown.join(", "))
            }));
        }
        fields.push(Field::new(field.name(), DataType::Utf8, true));
        columns.push(Arc::new(StringArray::from(text)));
    }
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}

/// CSV cannot hold lists: nested columns become their display text (`[0.1, 0.2, …]`).
fn flatten_nested(batch: &RecordBatch) -> Result<RecordBatch> {
    let options = FormatOptions::default();
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if field.data_type().is_nested() {
            let formatter = ArrayFormatter::try_new(column.as_ref(), &options)?;
            let text: StringArray = (0..column.len())
                .map(|i| (!column.is_null(i)).then(|| formatter.value(i).to_string()))
                .collect();
            fields.push(Field::new(field.name(), text.data_type().clone(), true));
            columns.push(Arc::new(text));
        } else {
            fields.push(field.as_ref().clone());
            columns.push(column.clone());
        }
    }
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}

/// Runs a SQL file.
pub async fn run_file(session: &Lookalike, path: &Path, printer: &Printer) -> Result<()> {
    let sql = read_script(path)?;
    run_sql(session, &sql, printer)
        .await
        .with_context(|| format!("in {}", path.display()))
}

/// A SQL file's text.
pub fn read_script(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let sql = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} is not UTF-8 (byte offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    if sql.contains("${") {
        anyhow::bail!(
            "{}: scripts read parameters as @variables now (@target, @threshold, or any -D NAME=VALUE as @NAME), not ${{name}}",
            path.display()
        );
    }
    Ok(sql)
}

/// An error and its causes on one line, each message once. DataFusion's errors repeat their
/// source in their own message (`External error: …`, a context above its error), so printing
/// the chain as anyhow does (`{:#}`) shows the same text two or three times.
pub fn render_error(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::error::DataFusionError;

    #[test]
    fn long_vectors_are_shortened_in_tables_only() {
        use datafusion::arrow::array::{Float32Array, ListArray};
        use datafusion::arrow::datatypes::Float32Type;
        let long: Vec<Option<f32>> = (0..384).map(|i| Some(i as f32)).collect();
        let lists = ListArray::from_iter_primitive::<Float32Type, _, _>(vec![
            Some(long),
            None,
            Some(vec![Some(1.5)]),
        ]);
        let short = Float32Array::from(vec![1.0, 2.0, 3.0]);
        let batch = RecordBatch::try_from_iter([
            ("v", Arc::new(lists) as ArrayRef),
            ("x", Arc::new(short) as ArrayRef),
        ])
        .unwrap();
        let shown = shorten_lists(&batch).unwrap();
        let v = shown.column(0).as_string::<i32>();
        assert_eq!(v.value(0), "[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, …] (384 values)");
        assert!(v.is_null(1));
        assert_eq!(v.value(2), "[1.5]");
        assert_eq!(shown.column(1).data_type(), &DataType::Float32);
    }

    #[test]
    fn markdown_escapes_pipes_and_line_breaks() {
        use datafusion::arrow::array::Int64Array;
        let batch = RecordBatch::try_from_iter([
            (
                "text",
                Arc::new(StringArray::from(vec![
                    Some("a | b"),
                    Some("two\nlines"),
                    None,
                ])) as ArrayRef,
            ),
            ("n", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
        ])
        .unwrap();
        assert_eq!(
            markdown(&[batch]).unwrap(),
            "| text | n |\n| --- | --- |\n| a \\| b | 1 |\n| two<br>lines | 2 |\n| NULL | 3 |\n"
        );
    }

    #[test]
    fn each_message_is_printed_once() {
        let io = std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "models/x/model.onnx is missing",
        );
        let df = DataFusionError::External(Box::new(io)).context("embed");
        let error = anyhow::Error::new(df).context("in sql/scrape.sql");
        let line = render_error(&error);
        assert_eq!(
            line.matches("models/x/model.onnx is missing").count(),
            1,
            "{line}"
        );
        assert!(line.starts_with("in sql/scrape.sql: "), "{line}");
        assert!(line.contains("embed"), "{line}");
    }
}
