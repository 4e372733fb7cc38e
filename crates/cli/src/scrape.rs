//! `lookalike scrape`: one command from a corpus file to a Parquet file of failures. The flags
//! reach `lookalike_pairs` as typed `@variables`; the output path goes to DataFusion's writer,
//! never into SQL text.

use anyhow::{bail, Result};
use datafusion::common::ScalarValue;
use datafusion::dataframe::DataFrameWriteOptions;
use lookalike_sql::Lookalike;

use crate::args::{PairJudge, ScrapeArgs};
use crate::shell::{run_sql, Printer};

const SCRAPE: &str = "CREATE OR REPLACE TABLE failures AS \
    SELECT * FROM lookalike_pairs('corpus', @column, @target, @reference, \
                                  threshold => @threshold, gap => @gap, judge => @judge, method => @method, \
                                  first_pass => @first_pass) \
    ORDER BY target_sim DESC, id_a, id_b";

/// The same with a quantile of the corpus's own similarities as the threshold.
const SCRAPE_QUANTILE: &str = "CREATE OR REPLACE TABLE failures AS \
    SELECT * FROM lookalike_pairs('corpus', @column, @target, @reference, \
                                  quantile => @quantile, gap => @gap, judge => @judge, method => @method, \
                                  first_pass => @first_pass) \
    ORDER BY target_sim DESC, id_a, id_b";

const SUMMARY: &str =
    "SELECT kind, count(*) AS pairs, round(avg(target_sim), 3) AS mean_target_sim \
    FROM failures GROUP BY kind ORDER BY pairs DESC, kind";

/// Registers the corpus, runs lookalike_pairs into the output file, and prints a summary.
pub async fn run(session: &Lookalike, args: &ScrapeArgs, printer: &Printer) -> Result<()> {
    lookalike_sql::register_file(session.ctx(), "corpus", &args.corpus).await?;
    let schema = session.ctx().table("corpus").await?.schema().clone();
    let has = |name: &str| schema.fields().iter().any(|f| f.name() == name);
    let column = match &args.column {
        Some(column) => column.clone(),
        None => match lookalike_audit::defaults::TEXT_COLUMNS
            .iter()
            .find(|c| has(c))
        {
            Some(c) => c.to_string(),
            None => bail!(
                "{} has no 'text' or 'caption' column; name one with --column",
                args.corpus.display()
            ),
        },
    };
    let text = |s: &str| ScalarValue::Utf8(Some(s.to_string()));
    let judge = match args.judge {
        PairJudge::Reference => "reference",
        PairJudge::Structural => "structural",
        PairJudge::Either => "either",
    };
    let reference = Some(args.reference.clone()).filter(|r| !r.eq_ignore_ascii_case("none"));
    let variables = session.variables();
    variables.set("column", text(&column))?;
    variables.set("target", text(&args.target))?;
    variables.set("reference", ScalarValue::Utf8(reference))?;
    variables.set("threshold", ScalarValue::Float32(Some(args.threshold)))?;
    variables.set("gap", ScalarValue::Float32(Some(args.gap)))?;
    variables.set("judge", text(judge))?;
    variables.set("method", text(&args.method))?;
    variables.set(
        "first_pass",
        text(if args.f32_only { "f32" } else { "default" }),
    )?;
    let scrape = match args.quantile {
        Some(q) => {
            variables.set("quantile", ScalarValue::Float64(Some(q)))?;
            SCRAPE_QUANTILE
        }
        None => SCRAPE,
    };
    run_sql(session, scrape, printer).await?;
    let out = args.out.to_string_lossy().to_string();
    session
        .ctx()
        .table("failures")
        .await?
        .write_parquet(
            &out,
            DataFrameWriteOptions::new().with_single_file_output(true),
            None,
        )
        .await?;
    run_sql(session, SUMMARY, printer).await?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}
