//! `lookalike model list|import|info`.

use anyhow::Result;
use lookalike_encode::import::{import_checkpoint_as, Precision, INT8_SUFFIX};
use lookalike_encode::{Encoder, Models};

use crate::args::{ModelArgs, ModelCommand};

/// Runs one model subcommand.
pub fn run(args: &ModelArgs) -> Result<()> {
    let models = Models::new(args.models.models.clone());
    match &args.command {
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
        ModelCommand::Import {
            checkpoint,
            out_dir,
            int8,
        } => {
            let precision = match int8 {
                true => Precision::Int8,
                false => Precision::F32,
            };
            let started = std::time::Instant::now();
            let hf_dir = lookalike_encode::import::resolve_checkpoint(checkpoint)?;
            // `openai/clip-vit-large-patch14` lands in models/clip-vit-large-patch14.
            let out_dir = match out_dir {
                Some(dir) => dir.clone(),
                None => {
                    let name = checkpoint.trim_end_matches('/').rsplit('/').next();
                    let name = name.unwrap_or(checkpoint);
                    match precision {
                        Precision::F32 => models.dir().join(name),
                        Precision::Int8 => models.dir().join(format!("{name}{INT8_SUFFIX}")),
                    }
                }
            };
            eprintln!("importing {} → {}", hf_dir.display(), out_dir.display());
            let report = import_checkpoint_as(&hf_dir, &out_dir, precision)?;
            println!(
                "imported {} ({:?}, {} parameters, {} int8 layers) → {}: dim {}, max {} tokens, {} MB, {:.1}s",
                report.architecture,
                report.family,
                report.parameters,
                report.quantized_layers,
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
