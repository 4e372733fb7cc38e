//! `lookalike audit`: scrape → (steer) → categorize → generate → verify, as the SQL scripts of
//! sql/, once per target model, then the Parquet outputs and the HTML report.
//!
//! Resuming is rerunning: embeddings are cached per chunk and LLM answers per request, so a
//! rerun after an interruption recomputes nothing already paid for. Outputs are written whole
//! (temporary file, then rename) at the end, in a fixed row order with one DataFusion
//! partition, so the same inputs give byte-identical Parquet.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float32Type, Float64Type, Int64Type};
use indicatif::{ProgressBar, ProgressStyle};
use lookalike_report::{Audit, Candidate, CategoryRow, TargetReport};
use lookalike_sql::Lookalike;

use crate::args::{AuditArgs, JudgeChoice};
use crate::vars::{substitute, Vars};

/// The scripts, as shipped; a `sql/` directory beside the working directory (or `--sql`)
/// overrides them, so edits to the repository's scripts take effect.
const SCRIPTS: [(&str, &str); 10] = [
    ("scrape.sql", include_str!("../../../sql/scrape.sql")),
    ("judge_llm.sql", include_str!("../../../sql/judge_llm.sql")),
    (
        "judge_generated.sql",
        include_str!("../../../sql/judge_generated.sql"),
    ),
    (
        "judge_generated_llm.sql",
        include_str!("../../../sql/judge_generated_llm.sql"),
    ),
    ("steer.sql", include_str!("../../../sql/steer.sql")),
    (
        "categorize.sql",
        include_str!("../../../sql/categorize.sql"),
    ),
    (
        "categorize_offline.sql",
        include_str!("../../../sql/categorize_offline.sql"),
    ),
    ("generate.sql", include_str!("../../../sql/generate.sql")),
    (
        "generate_offline.sql",
        include_str!("../../../sql/generate_offline.sql"),
    ),
    ("verify.sql", include_str!("../../../sql/verify.sql")),
];

/// The output tables: file name, the script table, its row order.
const OUTPUTS: [(&str, &str, &str); 6] = [
    ("candidates", "candidates", "target_sim DESC, id_a, id_b"),
    ("pairs", "failures", "target_sim DESC, id_a, id_b"),
    ("uncertain", "uncertain", "target_sim DESC, id_a, id_b"),
    ("categories", "categories", "pairs DESC, category"),
    ("generated", "verified", "category, text_a, text_b"),
    ("verification", "verification", "category"),
];

/// Runs the audit.
pub async fn run(session: &Lookalike, args: &AuditArgs, llm: Option<String>) -> Result<()> {
    let started = Instant::now();
    let offline = llm.is_none();
    if args.steer.is_some() && offline {
        bail!("--steer asks the LLM whether each pair is relevant to the domain; give an endpoint (--llm URL --llm-model NAME) or drop --steer");
    }
    let llm_judge = args.judge == JudgeChoice::Llm;
    if llm_judge && offline {
        bail!("--judge llm asks the LLM whether each pair differs in meaning; give an endpoint (--llm URL --llm-model NAME) or use --judge structural");
    }
    lookalike_sql::register_file(session.ctx(), "corpus", &args.corpus)
        .await
        .with_context(|| format!("reading the corpus {}", args.corpus.display()))?;
    // One partition: sums and averages then add up in one order, so reruns match to the bit.
    session
        .ctx()
        .sql("SET datafusion.execution.target_partitions = 1")
        .await?
        .collect()
        .await?;
    let column = text_column(session, args).await?;
    let texts = scalar_i64(
        session,
        &format!("SELECT count(DISTINCT \"{column}\") FROM corpus"),
    )
    .await? as usize;
    let mut vars = Vars::new();
    vars.insert("column".into(), column.replace('\'', "''"));
    vars.insert("reference".into(), args.reference.clone());
    vars.insert("threshold".into(), args.threshold.to_string());
    vars.insert("gap".into(), args.gap.to_string());
    vars.insert("per_category".into(), args.per_category.to_string());
    vars.insert(
        "domain".into(),
        args.steer.clone().unwrap_or_default().replace('\'', "''"),
    );
    let mut stages = vec!["scrape.sql"];
    if llm_judge {
        stages.push("judge_llm.sql");
    }
    if args.steer.is_some() {
        stages.push("steer.sql");
    }
    stages.extend(match offline {
        true => ["categorize_offline.sql", "generate_offline.sql"],
        false => ["categorize.sql", "generate.sql"],
    });
    stages.push(if llm_judge {
        "judge_generated_llm.sql"
    } else {
        "judge_generated.sql"
    });
    stages.push("verify.sql");

    let mut outputs: Vec<Vec<RecordBatch>> = vec![Vec::new(); OUTPUTS.len()];
    let mut reports = Vec::new();
    for target in &args.target {
        vars.insert("target".into(), target.clone());
        for stage in &stages {
            run_stage(session, &args.sql, stage, target, &vars).await?;
        }
        for (i, (_, table, order)) in OUTPUTS.iter().enumerate() {
            let sql = format!(
                "SELECT '{}' AS target, * FROM {table} ORDER BY {order}",
                target.replace('\'', "''")
            );
            let df = session.ctx().sql(&sql).await?;
            let schema = df.schema().as_arrow().clone();
            let batches = df.collect().await?;
            outputs[i].push(datafusion::arrow::compute::concat_batches(
                &Arc::new(schema),
                &batches,
            )?);
        }
        let last = |i: usize| {
            outputs[i]
                .last()
                .expect("one batch per target was just pushed")
                .clone()
        };
        reports.push(target_report(
            target,
            &last(0),
            last(2).num_rows(),
            &last(3),
            &last(5),
        )?);
    }

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    for ((name, _, _), batches) in OUTPUTS.iter().zip(&outputs) {
        let path = args.out.join(format!("{name}.parquet"));
        lookalike_sql::cache::write_parquet_atomically(&path, batches)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let audit = Audit {
        title: format!("lookalike audit of {}", args.corpus.display()),
        corpus: args.corpus.display().to_string(),
        texts,
        reference: (!args.reference.eq_ignore_ascii_case("none")).then(|| args.reference.clone()),
        threshold: args.threshold,
        gap: Some(args.gap),
        generator: llm.unwrap_or_else(|| {
            "offline: lexical edits of corpus sentences, checked by the structural judge".into()
        }),
        steer: args.steer.clone(),
        targets: reports,
    };
    let html = lookalike_report::render(&audit);
    let report = args.out.join("report.html");
    write_atomically(&report, html.as_bytes())?;
    print_summary(&audit, &args.out, started.elapsed());
    Ok(())
}

/// Runs one script for one target, with a spinner (and the embedding progress) on stderr.
async fn run_stage(
    session: &Lookalike,
    dir: &Option<PathBuf>,
    stage: &str,
    target: &str,
    vars: &Vars,
) -> Result<()> {
    let (origin, text) = script(dir, stage)?;
    let sql = substitute(&text, vars, &origin)?;
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {prefix:<28} {msg} [{elapsed}]").expect("template"),
    );
    bar.set_prefix(format!("{} · {target}", stage.trim_end_matches(".sql")));
    bar.enable_steady_tick(Duration::from_millis(120));
    let started = Instant::now();
    let shown = bar.clone();
    session.registry().set_progress(Some(Arc::new(
        move |model: &str, done: usize, total: usize| {
            shown.set_message(format!("embedding with {model}: {done}/{total} texts"));
        },
    )));
    let result = async {
        for statement in datafusion::sql::parser::DFParser::parse_sql(&sql)
            .with_context(|| format!("parsing {origin}"))?
        {
            let plan = session.ctx().state().statement_to_plan(statement).await?;
            session
                .ctx()
                .execute_logical_plan(plan)
                .await?
                .collect()
                .await?;
        }
        anyhow::Ok(())
    }
    .await
    .with_context(|| format!("in {origin} (target {target})"));
    session.registry().set_progress(None);
    let notes = session.take_notes();
    bar.finish_and_clear();
    result?;
    eprintln!(
        "{:<20} {target}: {:.1}s",
        stage.trim_end_matches(".sql"),
        started.elapsed().as_secs_f64()
    );
    for note in notes {
        eprintln!("    {note}");
    }
    Ok(())
}

/// The script `name`: from `--sql DIR`, else `./sql`, else the copy in the binary.
fn script(dir: &Option<PathBuf>, name: &str) -> Result<(String, String)> {
    let dir = dir.clone().unwrap_or_else(|| PathBuf::from("sql"));
    let path = dir.join(name);
    if path.is_file() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {} (UTF-8 SQL expected)", path.display()))?;
        return Ok((path.display().to_string(), text));
    }
    let (_, text) = SCRIPTS
        .iter()
        .find(|(n, _)| *n == name)
        .expect("every stage has a shipped script");
    Ok((format!("{name} (built in)"), text.to_string()))
}

/// The corpus column holding the texts: --column, else `text`, else `caption`.
async fn text_column(session: &Lookalike, args: &AuditArgs) -> Result<String> {
    let schema = session.ctx().table("corpus").await?.schema().clone();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    match &args.column {
        Some(column) if names.contains(&column.as_str()) => Ok(column.clone()),
        Some(column) => bail!(
            "{} has no column '{column}' (columns: {})",
            args.corpus.display(),
            names.join(", ")
        ),
        None => ["text", "caption"]
            .iter()
            .find(|c| names.contains(c))
            .map(|c| c.to_string())
            .with_context(|| {
                format!(
                    "{} has no 'text' or 'caption' column (columns: {}); name one with --column",
                    args.corpus.display(),
                    names.join(", ")
                )
            }),
    }
}

async fn scalar_i64(session: &Lookalike, sql: &str) -> Result<i64> {
    let batches = session.ctx().sql(sql).await?.collect().await?;
    let column = cast(batches[0].column(0), &DataType::Int64)?;
    Ok(column.as_primitive::<Int64Type>().value(0))
}

/// The report's view of one target's tables.
fn target_report(
    model: &str,
    candidates: &RecordBatch,
    uncertain: usize,
    categories: &RecordBatch,
    verification: &RecordBatch,
) -> Result<TargetReport> {
    let f32s = |b: &RecordBatch, name: &str| -> Result<Vec<Option<f32>>> {
        let c = cast(
            b.column_by_name(name).context(name.to_string())?,
            &DataType::Float32,
        )?;
        Ok(c.as_primitive::<Float32Type>().iter().collect())
    };
    let strings = |b: &RecordBatch, name: &str| -> Result<Vec<Option<String>>> {
        let c = cast(
            b.column_by_name(name).context(name.to_string())?,
            &DataType::Utf8,
        )?;
        Ok(c.as_string::<i32>()
            .iter()
            .map(|s| s.map(str::to_string))
            .collect())
    };
    let i64s = |b: &RecordBatch, name: &str| -> Result<Vec<i64>> {
        let c = cast(
            b.column_by_name(name).context(name.to_string())?,
            &DataType::Int64,
        )?;
        Ok(c.as_primitive::<Int64Type>()
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let target = f32s(candidates, "target_sim")?;
    let reference = f32s(candidates, "reference_sim")?;
    let flagged = strings(candidates, "flagged_by")?;
    let candidates = (0..target.len())
        .map(|i| Candidate {
            target_sim: target[i].unwrap_or(0.0),
            reference_sim: reference[i],
            flagged_by: flagged[i].clone(),
        })
        .collect();

    let names = strings(verification, "category")?;
    let generated = i64s(verification, "generated")?;
    let agreed = i64s(verification, "agreed")?;
    let reproduced = i64s(verification, "reproduced")?;
    let rates = cast(
        verification
            .column_by_name("success_rate")
            .context("success_rate")?,
        &DataType::Float64,
    )?;
    let rates = rates.as_primitive::<Float64Type>();
    let verified = |category: &str| names.iter().position(|n| n.as_deref() == Some(category));

    let category_names = strings(categories, "category")?;
    let descriptions = strings(categories, "description")?;
    let pairs = i64s(categories, "pairs")?;
    let examples = categories
        .column_by_name("examples")
        .context("examples")?
        .as_list::<i32>()
        .clone();
    let mut rows = Vec::new();
    for i in 0..categories.num_rows() {
        let category = category_names[i].clone().unwrap_or_default();
        let list = examples.value(i);
        let list = list.as_struct();
        let (a, b) = (
            cast(list.column(0), &DataType::Utf8)?,
            cast(list.column(1), &DataType::Utf8)?,
        );
        let (a, b) = (a.as_string::<i32>(), b.as_string::<i32>());
        let v = verified(&category);
        rows.push(CategoryRow {
            description: descriptions[i].clone().unwrap_or_default(),
            pairs: pairs[i].max(0) as u64,
            generated: v.map_or(0, |j| generated[j].max(0) as u64),
            agreed: v.map_or(0, |j| agreed[j].max(0) as u64),
            reproduced: v.map_or(0, |j| reproduced[j].max(0) as u64),
            success_rate: v.and_then(|j| rates.is_valid(j).then(|| rates.value(j))),
            examples: (0..a.len())
                .map(|k| (a.value(k).to_string(), b.value(k).to_string()))
                .collect(),
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

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    tmp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// A few lines per target on stdout.
fn print_summary(audit: &Audit, out: &Path, elapsed: Duration) {
    println!(
        "audit of {} ({} distinct texts), threshold {}, reference {}",
        audit.corpus,
        audit.texts,
        audit.threshold,
        audit.reference.as_deref().unwrap_or("none")
    );
    for target in &audit.targets {
        let failures = target
            .candidates
            .iter()
            .filter(|c| c.flagged_by.is_some())
            .count();
        let (generated, agreed, reproduced) =
            target.categories.iter().fold((0, 0, 0), |(g, a, r), c| {
                (g + c.generated, a + c.agreed, r + c.reproduced)
            });
        let rate = if generated > 0 {
            format!("{:.0}%", 100.0 * reproduced as f64 / generated as f64)
        } else {
            "n/a".into()
        };
        println!(
            "  {}: {} pairs above the threshold, {failures} failures in {} categories, {} uncertain (kept apart); {reproduced} of {generated} generated pairs reproduce ({rate}; the target agrees on {agreed})",
            target.model,
            target.candidates.len(),
            target.categories.len(),
            target.uncertain
        );
        for c in target.categories.iter().take(5) {
            let rate = c
                .success_rate
                .map_or("n/a".to_string(), |r| format!("{:.0}%", 100.0 * r));
            println!(
                "    {:<14} {:>6} pairs   generated {:>4}, target agrees {:>4}, reproduce {rate}",
                c.category, c.pairs, c.generated, c.agreed
            );
        }
    }
    println!("wrote {}/{{candidates,pairs,uncertain,categories,generated,verification}}.parquet and report.html in {:.1}s", out.display(), elapsed.as_secs_f64());
}
