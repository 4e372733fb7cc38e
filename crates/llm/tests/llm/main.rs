//! Integration tests of lookalike-llm: one binary (see Cargo.toml `autotests = false`).
//!
//! Everything talks real HTTP to a mock OpenAI-compatible server on 127.0.0.1; nothing leaves
//! the machine. Tests that read the MultiMon reference in ../shared skip (with a
//! message) where it is absent, and fail under `CI=true`.

mod canned;
mod demo;
mod errors;
mod faults;
mod fuzz;
mod judge;
mod mock;
mod pipeline;

use std::path::Path;
use std::time::Duration;

use lookalike_llm::LlmConfig;

/// A config for the mock at `base_url`: short timeout and backoff, a small context.
pub fn test_config(base_url: &str, cache_dir: Option<&Path>) -> LlmConfig {
    let mut builder = LlmConfig::builder()
        .base_url(base_url)
        .model("mock-gpt")
        .api_key("sk-test-key-0123456789")
        .temperature(0.0)
        .seed(Some(7))
        .max_tokens(256)
        .context_tokens(1200)
        .concurrency(4)
        .max_retries(6)
        .timeout(Duration::from_millis(600))
        .retry_delays(Duration::from_millis(5), Duration::from_millis(40));
    if let Some(dir) = cache_dir {
        builder = builder.cache_dir(dir);
    }
    builder.build().expect("test config is valid")
}
