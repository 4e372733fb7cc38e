//! The one home of each LLM setting's default: [`LlmConfigBuilder::build`] uses these, the
//! settings table of [`crate::config`] quotes them (a test checks that it does), and nothing
//! else repeats them.
//!
//! [`LlmConfigBuilder::build`]: super::LlmConfigBuilder::build

/// The model when the endpoint is the OpenAI API and none is named.
pub const OPENAI_MODEL: &str = "gpt-4o";
/// Sampling temperature.
pub const TEMPERATURE: f32 = 0.7;
/// Most tokens in one answer.
pub const MAX_TOKENS: u32 = 2048;
/// Limit of one attempt, in seconds.
pub const TIMEOUT_SECS: f64 = 120.0;
/// Requests in flight at once.
pub const CONCURRENCY: usize = 4;
/// Retries after the first attempt.
pub const MAX_RETRIES: u32 = 5;
/// Bound on one request's attempts and the pauses between them, in seconds: a few slow
/// attempts, then the request is given up and named, not waited on for ever.
pub const MAX_WAIT_SECS: f64 = 600.0;
/// Longest `Retry-After` honoured, in seconds; a server asking for more is asked again then.
pub const MAX_RETRY_AFTER_SECS: f64 = 60.0;
/// First backoff delay, in milliseconds.
pub const RETRY_BASE_DELAY_MS: u64 = 500;
/// Cap on one backoff delay, in milliseconds.
pub const RETRY_MAX_DELAY_MS: u64 = 30_000;
/// The model's context window, in tokens.
pub const CONTEXT_TOKENS: usize = 8192;

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings table in the module docs of `config` says what these constants are.
    #[test]
    fn the_settings_table_quotes_the_defaults() {
        let docs = include_str!("mod.rs");
        let rows = [
            ("| model |", format!("`{OPENAI_MODEL}` for api.openai.com")),
            ("| temperature |", format!("| {TEMPERATURE} |")),
            ("| max answer tokens |", format!("| {MAX_TOKENS} |")),
            ("| per-attempt timeout |", format!("| {TIMEOUT_SECS} |")),
            ("| parallel requests |", format!("| {CONCURRENCY} |")),
            ("| retries |", format!("| {MAX_RETRIES} |")),
            (
                "| total wait of one request |",
                format!("| {MAX_WAIT_SECS} |"),
            ),
            (
                "| longest Retry-After honoured |",
                format!("| {MAX_RETRY_AFTER_SECS} |"),
            ),
            ("| context size (tokens) |", format!("| {CONTEXT_TOKENS} |")),
        ];
        for (row, default) in rows {
            let line = docs
                .lines()
                .find(|l| l.starts_with(&format!("//! {row}")))
                .unwrap_or_else(|| panic!("no row {row}"));
            assert!(line.contains(&default), "{line} should say {default}");
        }
    }
}
