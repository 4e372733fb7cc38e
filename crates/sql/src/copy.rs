//! Checks of `COPY … TO` that DataFusion makes only while writing, made before any file exists.

use datafusion::common::plan_err;
use datafusion::error::Result;
use datafusion::logical_expr::LogicalPlan;

/// Fails a `COPY … TO` a CSV file of a nested column (a list, such as an embedding, or a
/// struct) before the file is created: DataFusion's CSV writer fails on the first batch and
/// leaves a 0-byte file behind.
pub fn check_copy(plan: &LogicalPlan) -> Result<()> {
    let LogicalPlan::Copy(copy) = plan else {
        return Ok(());
    };
    if !copy.file_type.get_ext().eq_ignore_ascii_case("csv") {
        return Ok(());
    }
    let schema = copy.input.schema();
    if let Some(field) = schema.fields().iter().find(|f| f.data_type().is_nested()) {
        let name = field.name();
        return plan_err!(
            "COPY TO '{}': column '{name}' is a {}, which CSV cannot hold, so nothing was written; \
             write Parquet or JSON instead (TO 'file.parquet'), or copy its text: arrow_cast(\"{name}\", 'Utf8')",
            copy.output_url,
            field.data_type()
        );
    }
    Ok(())
}
