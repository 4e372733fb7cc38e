//! The `lookalike` binary: parse flags, build the session, run, report errors with exit code 2.

mod args;
mod audit;
mod help;
mod models;
mod repl;
mod scrape;
mod setup;
mod shell;
mod vars;

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{CommandFactory, FromArgMatches};
use lookalike_encode::EncoderOptions;
use lookalike_sql::{Lookalike, LookalikeConfig};

use args::{Cli, Command, Format};

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli.with_scripts_in_order(&matches),
        Err(e) => e.exit(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed pipe (`lookalike … | head`) is not an error.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", shell::render_error(&e));
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Some(Command::Setup(setup)) => {
            let models = lookalike_encode::Models::new(setup.models.models.clone());
            return setup::setup(models.dir(), &setup.only);
        }
        Some(Command::Model(model)) => return models::run(model),
        Some(Command::Scrape(scrape)) => {
            let session = build_session(&scrape.encode, &args::LlmArgs::default());
            let printer = shell::Printer {
                format: cli.format,
                maxrows: cli.maxrows,
                output: None,
                quiet: cli.quiet,
            };
            return scrape::run(&session, scrape, &printer).await;
        }
        Some(Command::Audit(audit)) => {
            if audit.offline && (audit.llm.llm.is_some() || audit.llm.llm_model.is_some()) {
                anyhow::bail!("--offline and --llm/--llm-model contradict each other; give one");
            }
            let session = build_session(&audit.encode, &audit.llm);
            return audit::run(&session, audit).await;
        }
        None => {}
    }
    if cli.format == Format::Parquet && cli.output.is_none() {
        anyhow::bail!("--format parquet needs --output <file.parquet>");
    }
    let session = build_session(&cli.session.encode, &cli.session.llm);
    register_tables(&session, &cli.session.tables).await?;
    let printer = shell::Printer {
        format: cli.format,
        maxrows: cli.maxrows,
        output: cli.output.clone(),
        quiet: cli.quiet,
    };
    vars::define(&session, &cli.defines)?;
    // In the order given, as psql and DuckDB run them.
    for script in &cli.scripts {
        match script {
            args::Script::File(path) => shell::run_file(&session, path, &printer).await?,
            args::Script::Command(sql) => shell::run_sql(&session, sql, &printer).await?,
        }
    }
    if cli.scripts.is_empty() {
        repl::repl(&session, &printer).await?;
    }
    Ok(())
}

/// The session with the flags' models, cache, threads and LLM endpoint.
fn build_session(args: &args::EncodeArgs, llm: &args::LlmArgs) -> Lookalike {
    let mut encoder = EncoderOptions::default();
    if let Some(threads) = args.threads {
        encoder.threads = threads.max(1);
        encoder.workers = encoder.workers.min(encoder.threads);
    }
    if let Some(device) = args.device {
        encoder.device = device;
    }
    Lookalike::new(LookalikeConfig {
        models_dir: args.models.models.clone(),
        cache_dir: args.cache.clone(),
        no_cache: args.no_cache,
        encoder,
        llm: lookalike_sql::llm::LlmSession {
            base_url: llm.llm.clone(),
            model: llm.llm_model.clone(),
            config_file: llm.llm_config.clone(),
            cache_dir: None,
        },
    })
}

/// Registers each `-t NAME=PATH` (or `-t PATH`) as a table.
async fn register_tables(session: &Lookalike, tables: &[String]) -> Result<()> {
    for table in tables {
        let (name, path) = match table.split_once('=') {
            Some((name, path)) => (name.to_string(), std::path::PathBuf::from(path)),
            None => (
                lookalike_sql::default_table_name(std::path::Path::new(table)),
                std::path::PathBuf::from(table),
            ),
        };
        lookalike_sql::register_file(session.ctx(), &name, &path)
            .await
            .with_context(|| format!("registering table '{name}' from {}", path.display()))?;
    }
    Ok(())
}
