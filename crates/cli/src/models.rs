//! `lookalike model list|import|info`.

use anyhow::Result;
use lookalike_encode::{Encoder, Models};

use crate::args::{ModelCommand, SessionArgs};

/// Runs one model subcommand.
pub fn run(command: &ModelCommand, session: &SessionArgs) -> Result<()> {
    let models = Models::new(Some(session.models.clone()));
    match command {
        ModelCommand::List => {
            let names = models.list();
            if names.is_empty() {
                eprintln!(
                    "no models in {} (run `lookalike setup` or `lookalike model import`)",
                    models.dir().display()
                );
            }
            for name in names {
                match models.open(&name) {
                    Ok(model) => println!("{name}\t{:?}\t{}", model.family(), model.onnx.display()),
                    Err(e) => println!("{name}\tbroken: {e}"),
                }
            }
        }
        ModelCommand::Import { hf_dir, out_dir } => {
            let started = std::time::Instant::now();
            let report = lookalike_encode::import::import_checkpoint(hf_dir, out_dir)?;
            println!(
                "imported {} ({:?}, {} parameters) → {}: dim {}, max {} tokens, {} MB, {:.1}s",
                report.architecture,
                report.family,
                report.parameters,
                out_dir.display(),
                report.dim,
                report.max_tokens,
                report.onnx_bytes / 1_000_000,
                started.elapsed().as_secs_f64()
            );
        }
        ModelCommand::Info { name } => {
            let model = models.open(name)?;
            let encoder = Encoder::open(model)?;
            let model = encoder.model();
            println!("name:       {}", encoder.name());
            println!("directory:  {}", model.dir.display());
            println!("graph:      {}", model.onnx.display());
            println!("tokenizer:  {}", model.tokenizer.display());
            println!("family:     {:?}", model.family());
            println!("pooling:    {:?}", encoder.pooling());
            println!("normalize:  {}", model.normalize());
            println!("dim:        {}", encoder.dim());
            println!("max tokens: {}", encoder.max_tokens());
            println!("identity:   {}", encoder.identity());
        }
    }
    Ok(())
}
