//! The audit's output tables and the report's view of them.

use std::path::Path;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float32Type, Float64Type, Int64Type};
use lookalike_report::{Candidate, CategoryRow, TargetReport};

use crate::error::{AuditError, Result};

/// The output tables: file name (without `.parquet`), the script's table, its row order.
pub(crate) const OUTPUTS: [(&str, &str, &str); 6] = [
    ("candidates", "candidates", "target_sim DESC, id_a, id_b"),
    ("pairs", "failures", "target_sim DESC, id_a, id_b"),
    ("uncertain", "uncertain", "target_sim DESC, id_a, id_b"),
    ("categories", "categories", "pairs DESC, category"),
    ("generated", "verified", "category, text_a, text_b"),
    ("verification", "verification", "category"),
];

/// The files an audit writes in its output directory.
pub const OUTPUT_FILES: [&str; 7] = [
    "candidates.parquet",
    "pairs.parquet",
    "uncertain.parquet",
    "categories.parquet",
    "generated.parquet",
    "verification.parquet",
    "report.html",
];

fn column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a dyn Array> {
    batch
        .column_by_name(name)
        .map(|c| c.as_ref())
        .ok_or_else(|| AuditError::Config(format!("a script's output lacks the column '{name}'")))
}

fn f32s(b: &RecordBatch, name: &str) -> Result<Vec<Option<f32>>> {
    let c = cast(column(b, name)?, &DataType::Float32)?;
    Ok(c.as_primitive::<Float32Type>().iter().collect())
}

fn strings(b: &RecordBatch, name: &str) -> Result<Vec<Option<String>>> {
    let c = cast(column(b, name)?, &DataType::Utf8)?;
    Ok(c.as_string::<i32>()
        .iter()
        .map(|s| s.map(str::to_string))
        .collect())
}

fn i64s(b: &RecordBatch, name: &str) -> Result<Vec<i64>> {
    let c = cast(column(b, name)?, &DataType::Int64)?;
    Ok(c.as_primitive::<Int64Type>()
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect())
}

/// The report's view of one target's tables.
pub(crate) fn target_report(
    model: &str,
    candidates: &RecordBatch,
    uncertain: usize,
    categories: &RecordBatch,
    verification: &RecordBatch,
) -> Result<TargetReport> {
    use std::collections::HashMap;

    /// The judges' evidence in words, from the columns every candidate carries:
    /// "structural judge: changes_meaning (attribute); target − reference 0.312".
    fn evidence(
        flagged_by: &str,
        kind: Option<&str>,
        verdict: Option<&str>,
        gap: Option<f32>,
    ) -> Option<String> {
        let mut parts = Vec::new();
        // Under --judge llm the verdict column holds the LLM's verdict.
        let judge = if flagged_by == "llm" {
            "LLM judge"
        } else {
            "structural judge"
        };
        match (verdict, kind) {
            (Some(v), Some(k)) => parts.push(format!("{judge}: {v} ({k})")),
            (Some(v), None) => parts.push(format!("{judge}: {v}")),
            (None, Some(k)) => parts.push(format!("edit: {k}")),
            (None, None) => {}
        }
        if let Some(g) = gap.filter(|g| g.is_finite()) {
            parts.push(format!("target − reference {g:.3}"));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    // Columns past the three the report needs are optional: a script of one's own (--sql)
    // may leave them out, and the page then shows less.
    let optional_strings = |name: &str| -> Result<Vec<Option<String>>> {
        match candidates.column_by_name(name) {
            Some(_) => strings(candidates, name),
            None => Ok(vec![None; candidates.num_rows()]),
        }
    };
    let target = f32s(candidates, "target_sim")?;
    let reference = f32s(candidates, "reference_sim")?;
    let flagged = strings(candidates, "flagged_by")?;
    let texts_a = optional_strings("text_a")?;
    let texts_b = optional_strings("text_b")?;
    let kinds = optional_strings("kind")?;
    let reviews = optional_strings("review")?;
    let verdicts = optional_strings("verdict")?;
    let gaps = match candidates.column_by_name("gap") {
        Some(_) => f32s(candidates, "gap")?,
        None => vec![None; candidates.num_rows()],
    };
    // A script may write its own evidence; the built-in ones do not, so it is composed.
    let written = match candidates.column_by_name("evidence") {
        Some(_) => optional_strings("evidence")?,
        None => optional_strings("explanation")?,
    };

    // A failure's category: the one whose examples cite it (an LLM's categories cite every
    // failure they hold), else its structural kind when a category has that name (the
    // offline categories are the kinds).
    let category_names = strings(categories, "category")?;
    let examples = column(categories, "examples")?.as_list::<i32>().clone();
    // Each category's example pairs, as texts.
    let examples: Vec<Vec<(String, String)>> = (0..categories.num_rows())
        .map(|i| {
            let list = examples.value(i);
            let list = list.as_struct();
            let (a, b) = (
                cast(list.column(0), &DataType::Utf8)?,
                cast(list.column(1), &DataType::Utf8)?,
            );
            let (a, b) = (a.as_string::<i32>(), b.as_string::<i32>());
            Ok((0..a.len())
                .map(|k| (a.value(k).to_string(), b.value(k).to_string()))
                .collect())
        })
        .collect::<Result<_>>()?;
    let mut cited: HashMap<(String, String), String> = HashMap::new();
    for (name, pairs) in category_names.iter().zip(&examples) {
        let Some(name) = name else { continue };
        for pair in pairs {
            cited.entry(pair.clone()).or_insert_with(|| name.clone());
        }
    }
    let named = |kind: Option<&str>| {
        kind.filter(|k| category_names.iter().any(|n| n.as_deref() == Some(*k)))
            .map(str::to_string)
    };

    let candidates = (0..target.len())
        .map(|i| {
            let text_a = texts_a[i].clone().unwrap_or_default();
            let text_b = texts_b[i].clone().unwrap_or_default();
            let (category, evidence) = match flagged[i].as_deref() {
                Some(by) => (
                    cited
                        .get(&(text_a.clone(), text_b.clone()))
                        .cloned()
                        .or_else(|| named(kinds[i].as_deref())),
                    written[i].clone().or_else(|| {
                        evidence(by, kinds[i].as_deref(), verdicts[i].as_deref(), gaps[i])
                    }),
                ),
                None => (None, None),
            };
            Candidate {
                text_a,
                text_b,
                target_sim: target[i].unwrap_or(0.0),
                reference_sim: reference[i],
                flagged_by: flagged[i].clone(),
                category,
                evidence,
                review: reviews[i].clone(),
            }
        })
        .collect();

    let names = strings(verification, "category")?;
    let generated = i64s(verification, "generated")?;
    let agreed = i64s(verification, "agreed")?;
    let reproduced = i64s(verification, "reproduced")?;
    let rates = cast(column(verification, "success_rate")?, &DataType::Float64)?;
    let rates = rates.as_primitive::<Float64Type>();
    let verified = |category: &str| names.iter().position(|n| n.as_deref() == Some(category));

    let descriptions = strings(categories, "description")?;
    let pairs = i64s(categories, "pairs")?;
    let mut rows = Vec::new();
    for i in 0..categories.num_rows() {
        let category = category_names[i].clone().unwrap_or_default();
        let v = verified(&category);
        let count = |values: &[i64]| v.map_or(0, |j| values[j].max(0) as u64);
        rows.push(CategoryRow {
            description: descriptions[i].clone().unwrap_or_default(),
            pairs: pairs[i].max(0) as u64,
            generated: count(&generated),
            agreed: count(&agreed),
            reproduced: count(&reproduced),
            success_rate: v.and_then(|j| rates.is_valid(j).then(|| rates.value(j))),
            examples: examples[i].clone(),
            category,
        });
    }
    Ok(TargetReport {
        model: model.to_string(),
        candidates,
        categories: rows,
        uncertain,
    })
}

/// Writes `bytes` whole: a temporary file beside `path`, then a rename.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(AuditError::io("creating a temporary file in", dir))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(AuditError::io("writing", path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    tmp.persist(path)
        .map_err(|e| AuditError::io("writing", path)(e.error))?;
    Ok(())
}
