//! `lookalike scrape`: one command from a corpus file to a Parquet file of failures.

use anyhow::{bail, Result};
use lookalike_sql::Lookalike;

use crate::args::ScrapeArgs;
use crate::shell::{run_sql, Printer};

/// Registers the corpus, runs lookalike_pairs into the output file, and prints a summary.
pub async fn run(session: &Lookalike, args: &ScrapeArgs, printer: &Printer) -> Result<()> {
    lookalike_sql::register_file(session.ctx(), "corpus", &args.corpus).await?;
    let schema = session.ctx().table("corpus").await?.schema().clone();
    let has = |name: &str| schema.fields().iter().any(|f| f.name() == name);
    let column = match &args.column {
        Some(column) => column.clone(),
        None if has("text") => "text".into(),
        None if has("caption") => "caption".into(),
        None => bail!(
            "{} has no 'text' or 'caption' column; name one with --column",
            args.corpus.display()
        ),
    };
    let mut options = format!("judge={}", args.judge);
    if !args.options.trim().is_empty() {
        options = format!("{options}, {}", args.options);
    }
    let quote = |s: &str| s.replace('\'', "''");
    let out = args.out.to_string_lossy();
    let reference = if args.reference.eq_ignore_ascii_case("none") {
        "NULL".to_string()
    } else {
        format!("'{}'", quote(&args.reference))
    };
    let sql = format!(
        "CREATE TABLE failures AS SELECT * FROM lookalike_pairs('corpus', '{}', '{}', {reference}, '{}');\n\
         COPY failures TO '{}' STORED AS PARQUET;\n\
         SELECT kind, count(*) AS pairs, round(avg(target_sim), 3) AS mean_target_sim FROM failures GROUP BY kind ORDER BY pairs DESC, kind;",
        quote(&column),
        quote(&args.target),
        quote(&options),
        quote(&out)
    );
    run_sql(session, &sql, printer).await?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}
