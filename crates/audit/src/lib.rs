//! MultiMon's audit as a typed library: scrape → (LLM judge) → (steer) → categorize → generate
//! → judge the generated pairs → verify, once per target encoder, then the Parquet outputs and
//! the HTML report.
//!
//! SQL stays the seam: each stage is a script (see [`scripts`]) over a lookalike session, and
//! the configuration reaches the scripts as typed `@variables`, never spliced into their text.
//! Every default lives in [`config::defaults`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), lookalike_audit::AuditError> {
//! use std::sync::Arc;
//! use lookalike_audit::{AuditConfig, Silent};
//! use lookalike_sql::{Lookalike, LookalikeConfig};
//! let session = Lookalike::new(LookalikeConfig::default());
//! let config = AuditConfig { corpus: "data/captions.txt".into(), ..AuditConfig::default() };
//! let outcome = lookalike_audit::run(&session, &config, Arc::new(Silent)).await?;
//! println!("{} failures", outcome.audit.targets[0].candidates.iter().filter(|c| c.flagged_by.is_some()).count());
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod config;
mod error;
mod outputs;
mod reviews;
mod run;
pub mod scripts;
mod staging;

pub use config::{defaults, AuditConfig, Judge, Scripts};
pub use error::{AuditError, Result};
pub use outputs::OUTPUT_FILES;
pub use run::{run, AuditOutcome, Observer, Silent};
