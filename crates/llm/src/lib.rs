//! The LLM steps of lookalike, after MultiMon (Tong, Jones, Steinhardt, NeurIPS 2023): given
//! pairs of texts an encoder wrongly finds alike, [`LlmClient::categorize`] names the
//! systematic failures behind them, [`LlmClient::generate`] writes new pairs for a failure,
//! [`LlmClient::relevant`] filters pairs for a domain, [`LlmClient::judge`] says whether one
//! picture fits both captions of a pair, and [`LlmClient::summarize`] sums up a
//! group of texts.
//!
//! - [`LlmConfig`] says which OpenAI-compatible endpoint and model to use (explicit values,
//!   environment, or a TOML/JSON file); the key is a [`Secret`] that never prints.
//! - [`LlmClient`] sends chat completions with a concurrency limit, timeouts and retries that
//!   honour `Retry-After`, within a bound on each request's total wait.
//! - [`ResponseCache`] keeps every answer in Parquet files, so reruns cost nothing.
//! - [`prompts`] holds MultiMon's prompts verbatim; [`parse`] reads answers tolerantly.
//!
//! ```no_run
//! use lookalike_llm::{LlmClient, LlmConfig, ResponseCache};
//! # async fn run() -> lookalike_llm::Result<()> {
//! let config = LlmConfig::builder().env(std::env::vars()).build()?;
//! let client = LlmClient::new(config)?.with_cache(ResponseCache::open(".lookalike/llm-cache")?);
//! let pairs = vec![("a bird flying in the sky".to_string(), "a bird not flying in the sky".to_string())];
//! for category in client.categorize(&pairs).await? {
//!     let new_pairs = client.generate(&category, 41).await?;
//!     println!("{}: {} new pairs", category.name, new_pairs.len());
//! }
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod cache;
mod category;
pub mod client;
pub mod config;
pub mod error;
pub mod parse;
pub mod prompts;
mod retry;
mod retry_after;
mod secret;
mod tasks;
mod transport;

pub use cache::{CacheEntry, ResponseCache};
pub use category::Category;
pub use client::{Answer, ChatMessage, ClientStats, LlmClient, Progress, Role};
pub use config::{LlmConfig, LlmConfigBuilder, LlmSettings};
pub use error::{LlmError, Result, RetryLimit};
pub use parse::{
    parse_categories, parse_categories_json, parse_judgements, parse_pairs, parse_yes_no,
    PairVerdict,
};
pub use secret::Secret;
pub use tasks::JUDGE_BATCH;
