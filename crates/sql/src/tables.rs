//! Registering files as tables: Parquet, CSV/TSV, NDJSON, COCO caption JSON, and plain text.

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::catalog::MemTable;
use datafusion::error::{DataFusionError, Result};
use datafusion::prelude::{CsvReadOptions, JsonReadOptions, ParquetReadOptions, SessionContext};

use crate::error::SqlError;

/// Registers the file at `path` as table `name`, choosing the reader by extension:
/// `.parquet`; `.csv`; `.tsv`; `.json` (a COCO captions file becomes `id, image_id, caption`,
/// anything else is read as NDJSON); `.ndjson`/`.jsonl`; anything else is plain text, one row
/// (`line`, `text`) per line.
pub async fn register_file(ctx: &SessionContext, name: &str, path: &Path) -> Result<()> {
    if !path.exists() {
        return Err(DataFusionError::Plan(format!(
            "table '{name}': no file at {}",
            path.display()
        )));
    }
    let text_path = path.to_str().ok_or_else(|| {
        DataFusionError::Plan(format!(
            "table '{name}': path {} is not UTF-8",
            path.display()
        ))
    })?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "parquet" => {
            ctx.register_parquet(name, text_path, ParquetReadOptions::default())
                .await
        }
        "csv" => register_csv(ctx, name, text_path, CsvReadOptions::new()).await,
        "tsv" => {
            let options = CsvReadOptions::new()
                .delimiter(b'\t')
                .file_extension(".tsv");
            register_csv(ctx, name, text_path, options).await
        }
        "ndjson" | "jsonl" => {
            ctx.register_json(
                name,
                text_path,
                JsonReadOptions::default().file_extension(&format!(".{ext}")),
            )
            .await
        }
        "json" => match coco_captions(path)? {
            Some(batch) => register_batch(ctx, name, batch),
            None => {
                ctx.register_json(name, text_path, JsonReadOptions::default())
                    .await
            }
        },
        _ => register_batch(ctx, name, text_lines(path)?),
    }
}

/// A CSV or TSV file with its inferred schema, except that timestamps in whole seconds are
/// read as milliseconds: Parquet has no seconds unit, so arrow writes `Timestamp(Second)` as a
/// bare int64 that pyarrow, DuckDB and BI tools read as a number, not a time.
async fn register_csv(
    ctx: &SessionContext,
    name: &str,
    path: &str,
    options: CsvReadOptions<'_>,
) -> Result<()> {
    ctx.register_csv(name, path, options.clone()).await?;
    let inferred = ctx.table_provider(name).await?.schema();
    if !inferred
        .fields()
        .iter()
        .any(|f| matches!(f.data_type(), DataType::Timestamp(TimeUnit::Second, _)))
    {
        return Ok(());
    }
    let fields: Vec<Field> = inferred
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Timestamp(TimeUnit::Second, tz) => f
                .as_ref()
                .clone()
                .with_data_type(DataType::Timestamp(TimeUnit::Millisecond, tz.clone())),
            _ => f.as_ref().clone(),
        })
        .collect();
    let schema = Schema::new(fields);
    ctx.deregister_table(name)?;
    ctx.register_csv(name, path, options.schema(&schema)).await
}

/// The table name a file gets by default: its stem, with non-identifier characters as `_`.
pub fn default_table_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "t".into());
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        name.insert(0, 't');
    }
    name
}

fn register_batch(ctx: &SessionContext, name: &str, batch: RecordBatch) -> Result<()> {
    let table = MemTable::try_new(batch.schema(), vec![vec![batch]])?;
    ctx.register_table(name, Arc::new(table))?;
    Ok(())
}

/// A plain text file as rows `(line, text)`, 1-based; a final newline adds no empty row.
pub fn text_lines(path: &Path) -> Result<RecordBatch, SqlError> {
    let bytes = std::fs::read(path).map_err(|source| SqlError::Io {
        action: "reading",
        path: path.to_path_buf(),
        source,
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        SqlError::Invalid {
            path: path.to_path_buf(),
            reason: format!(
                "not UTF-8 text: invalid byte 0x{:02x} at line {line}, byte offset {offset}",
                bytes[offset]
            ),
        }
    })?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    let lines: Vec<&str> = if text.is_empty() {
        Vec::new()
    } else {
        text.split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect()
    };
    let schema = Schema::new(vec![
        Field::new("line", DataType::UInt64, false),
        Field::new("text", DataType::Utf8, false),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from_iter_values(1..=lines.len() as u64)),
        Arc::new(StringArray::from(lines)),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).map_err(|e| SqlError::Invalid {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// A COCO captions file (`{"annotations": [{"id", "image_id", "caption"}…]}`) as rows
/// `(id, image_id, caption)` with captions trimmed; `None` when the JSON is not of that shape.
pub fn coco_captions(path: &Path) -> Result<Option<RecordBatch>, SqlError> {
    #[derive(serde::Deserialize)]
    struct Coco {
        annotations: Vec<Annotation>,
    }
    #[derive(serde::Deserialize)]
    struct Annotation {
        id: i64,
        image_id: i64,
        caption: String,
    }
    let bytes = std::fs::read(path).map_err(|source| SqlError::Io {
        action: "reading",
        path: path.to_path_buf(),
        source,
    })?;
    // NDJSON starts with '{' too, but a whole-file object fails to parse as one record set.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Ok(None);
    }
    let Ok(coco) = serde_json::from_slice::<Coco>(&bytes) else {
        return Ok(None);
    };
    let schema = Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("image_id", DataType::Int64, false),
        Field::new("caption", DataType::Utf8, false),
    ]);
    let a = &coco.annotations;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(a.iter().map(|x| x.id))),
        Arc::new(Int64Array::from_iter_values(a.iter().map(|x| x.image_id))),
        Arc::new(StringArray::from_iter_values(
            a.iter().map(|x| x.caption.trim()),
        )),
    ];
    RecordBatch::try_new(Arc::new(schema), columns)
        .map(Some)
        .map_err(|e| SqlError::Invalid {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_utf8_text_names_file_line_and_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prompts.txt");
        std::fs::write(&path, b"ok line\nbad \xff byte\n").unwrap();
        let err = text_lines(&path).unwrap_err().to_string();
        assert!(
            err.contains("prompts.txt") && err.contains("line 2") && err.contains("0xff"),
            "{err}"
        );
    }

    #[test]
    fn text_lines_keep_inner_empty_lines_and_drop_the_final_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.txt");
        std::fs::write(&path, "a\r\n\nb\n").unwrap();
        let batch = text_lines(&path).unwrap();
        assert_eq!(batch.num_rows(), 3);
        std::fs::write(&path, "").unwrap();
        assert_eq!(text_lines(&path).unwrap().num_rows(), 0);
    }

    #[test]
    fn table_names_are_identifiers() {
        assert_eq!(
            default_table_name(Path::new("/x/captions_val2017.json")),
            "captions_val2017"
        );
        assert_eq!(default_table_name(Path::new("2024-logs.txt")), "t2024_logs");
    }
}

/// Files read by path in a query (`SELECT * FROM 'pairs.tsv'`), the same way `-t` reads them:
/// plain text a row a line, CSV and TSV (timestamps kept as such), NDJSON / JSONL and COCO
/// caption JSON here; Parquet and globs by DataFusion's own listing tables.
#[derive(Debug, Default)]
pub struct FileTables {
    listing: datafusion::datasource::dynamic_file::DynamicListTableFactory,
}

impl FileTables {
    /// DataFusion's factory, which needs the session it reads files for.
    pub fn listing(&self) -> &datafusion::datasource::dynamic_file::DynamicListTableFactory {
        &self.listing
    }
}

#[async_trait::async_trait]
impl datafusion::catalog::UrlTableFactory for FileTables {
    async fn try_new(
        &self,
        url: &str,
    ) -> Result<Option<Arc<dyn datafusion::catalog::TableProvider>>> {
        let path = Path::new(url);
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if matches!(
            ext.as_str(),
            "txt" | "text" | "csv" | "tsv" | "ndjson" | "jsonl" | "json"
        ) && path.is_file()
        {
            // One reader per format: register it in a scratch session and hand over the table.
            let scratch = SessionContext::new();
            register_file(&scratch, "file", path).await?;
            return scratch.table_provider("file").await.map(Some);
        }
        self.listing.try_new(url).await
    }
}
