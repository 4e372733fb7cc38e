//! Converts a Hugging Face checkpoint directory into a lookalike model directory.
//!
//! `cargo run -p lookalike-encode --example import -- <hf_dir> <out_dir>`

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [hf_dir, out_dir] = args.as_slice() else {
        eprintln!("usage: import <hf_dir> <out_dir>");
        std::process::exit(2);
    };
    let start = Instant::now();
    match lookalike_encode::import::import_checkpoint(hf_dir, out_dir) {
        Ok(report) => println!("{report:?} in {:.2}s", start.elapsed().as_secs_f64()),
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(1);
        }
    }
}
