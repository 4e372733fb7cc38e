//! A person's reviews of an earlier report, read back as the table `reviews`.
//!
//! The report's "Save labels" writes `reviews.csv` with the columns `model, text_a, text_b,
//! label`, label `real_failure` or `false_alarm`. The audit checks the file before any stage and
//! registers it, and `reviews.sql` leaves the pairs labelled false alarms out of the failures.

use std::path::Path;

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::file_format::options::CsvReadOptions;
use datafusion::prelude::SessionContext;

use crate::error::{AuditError, Result};

/// The labels a review may carry.
pub const LABELS: [&str; 2] = ["real_failure", "false_alarm"];

/// Registers `path` as the table `reviews`, after checking its header and labels.
pub(crate) async fn register(ctx: &SessionContext, path: &Path) -> Result<()> {
    let bad = |why: String| AuditError::Config(format!("reviews {}: {why}", path.display()));
    let text = std::fs::read(path).map_err(AuditError::io("reading the reviews", path))?;
    let text = String::from_utf8(text).map_err(|e| {
        bad(format!(
            "not UTF-8 (byte {}); save it again from the report",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let header = text
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches('\u{feff}');
    if header.trim() != "model,text_a,text_b,label" {
        return Err(bad(format!(
            "the first line is '{}', not 'model,text_a,text_b,label' (the report's \"Save labels\" writes that)",
            header.chars().take(80).collect::<String>()
        )));
    }
    let schema = Schema::new(
        ["model", "text_a", "text_b", "label"]
            .map(|name| Field::new(name, DataType::Utf8, true))
            .to_vec(),
    );
    let options = CsvReadOptions::new()
        .has_header(true)
        .newlines_in_values(true)
        .file_extension("")
        .schema(&schema);
    ctx.register_csv("reviews", &path.to_string_lossy(), options)
        .await
        .map_err(|e| bad(e.to_string()))?;
    let labels = LABELS.map(|l| format!("'{l}'")).join(", ");
    let wrong = ctx
        .sql(&format!(
            "SELECT label, count(*) AS n FROM reviews WHERE label IS NULL OR label NOT IN ({labels}) GROUP BY label ORDER BY n DESC LIMIT 3"
        ))
        .await?
        .collect()
        .await?;
    if let Some(batch) = wrong.iter().find(|b| b.num_rows() > 0) {
        let shown = datafusion::arrow::util::display::ArrayFormatter::try_new(
            batch.column(0).as_ref(),
            &Default::default(),
        )?
        .value(0)
        .to_string();
        return Err(bad(format!(
            "a label is '{shown}'; labels are {}",
            LABELS.join(" or ")
        )));
    }
    Ok(())
}
