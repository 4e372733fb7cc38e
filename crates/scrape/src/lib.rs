//! MultiMon's scrape as a library: the corpus's distinct texts → target embeddings → every pair
//! above the threshold → dedup → the two judges → the failures (or every candidate, with the
//! judges' evidence).
//!
//! Where the texts come from is the caller's business (the SQL crate reads a table; a test
//! passes a vector); this crate decides which texts count, which pairs are found and who flags
//! them. It works on plain vectors and blocks while it embeds and searches: call it from a
//! thread that may block.
//!
//! ```no_run
//! use lookalike_encode::{EncoderOptions, EncoderRegistry, Models};
//! use lookalike_scrape::{scrape, Corpus, ScrapeOptions, ScrapeReport};
//! let registry = EncoderRegistry::new(Models::new(None), None, EncoderOptions::default());
//! let options = ScrapeOptions::default();
//! let mut report = ScrapeReport::default();
//! let texts = ["a dog chasing a cat", "a cat chasing a dog"].map(|t| Some(t.to_string()));
//! let corpus = Corpus::numbered(texts.to_vec(), &options, &mut report);
//! let pairs = scrape(&corpus, "minilm", Some("mpnet"), &options, &registry, &mut report)?;
//! println!("{report}: {} pairs", pairs.len());
//! # Ok::<(), lookalike_scrape::ScrapeError>(())
//! ```
#![deny(missing_docs)]

mod corpus;
mod first_pass;
mod options;
mod report;
mod run;

pub use corpus::Corpus;
pub use options::{
    FirstPass, Judge, Mode, ScrapeOptions, Threshold, INT8_MARGIN, QUANTILE_SAMPLE_PAIRS,
    QUANTILE_SEED, REFERENCE_INT8_MARGIN,
};
pub use report::ScrapeReport;
pub use run::{scrape, FlaggedBy, ScrapeError, ScrapedPair};
