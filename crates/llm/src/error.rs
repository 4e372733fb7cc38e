//! The llm crate's error type: every variant names what failed and where (endpoint URL, model,
//! HTTP status, file). No variant ever carries the API key: server messages are redacted before
//! they are stored here (see [`crate::client`]).

use std::path::PathBuf;
use std::time::Duration;

/// `Result` with [`LlmError`] as the default error: what every fallible call of this crate
/// returns.
pub type Result<T, E = LlmError> = std::result::Result<T, E>;

/// How to configure an endpoint, shown whenever none is configured.
pub const HOW_TO_CONFIGURE: &str = "set LOOKALIKE_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1 for \
a llama.cpp, vLLM or Ollama server) and LOOKALIKE_LLM_MODEL, plus LOOKALIKE_LLM_API_KEY if the \
server needs one (OPENAI_API_KEY alone selects https://api.openai.com/v1), or write them as \
base_url/model/api_key in a TOML or JSON file named by LOOKALIKE_LLM_CONFIG; without an LLM, use \
the offline functions instead (failure_kind, offline_generate)";

/// What can go wrong while configuring, calling or caching an LLM, or reading its answers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LlmError {
    /// No endpoint (or no model) is configured.
    #[error("no LLM endpoint configured: {missing}; {HOW_TO_CONFIGURE}")]
    NotConfigured {
        /// What is missing ("no base URL", "no model for http://…").
        missing: String,
    },
    /// A configuration value is invalid.
    #[error("invalid LLM setting {field} = '{value}' (from {origin}): {reason}")]
    InvalidConfig {
        /// The setting (`temperature`, `timeout_secs`, …).
        field: String,
        /// The offending value (never the API key).
        value: String,
        /// Where it came from (explicit value, an environment variable, a file).
        origin: String,
        /// What is allowed.
        reason: String,
    },
    /// A configuration file could not be read or parsed.
    #[error("LLM config file {path}: {reason}")]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// Why it failed.
        reason: String,
    },
    /// The server rejected the API key (HTTP 401).
    #[error("wrong API key for {url} (HTTP 401, model '{model}'): {message}")]
    Unauthorized {
        /// The chat completions URL.
        url: String,
        /// The model asked for.
        model: String,
        /// The server's message, redacted.
        message: String,
    },
    /// The server does not know the model (HTTP 404 that mentions the model).
    #[error("model '{model}' not found at {url} (HTTP 404): {message}")]
    ModelNotFound {
        /// The model asked for.
        model: String,
        /// The chat completions URL.
        url: String,
        /// The server's message, redacted.
        message: String,
    },
    /// The URL itself does not exist (HTTP 404 that does not mention the model).
    #[error(
        "endpoint not found: {url} answered HTTP 404 (model '{model}'); check the base URL, \
             which usually ends in /v1: {message}"
    )]
    EndpointNotFound {
        /// The chat completions URL.
        url: String,
        /// The model asked for.
        model: String,
        /// The server's message, redacted.
        message: String,
    },
    /// Any other HTTP error that retrying would not fix (400, 403, 422, …).
    #[error("{url} answered HTTP {status} for model '{model}': {message}")]
    Http {
        /// The chat completions URL.
        url: String,
        /// The model asked for.
        model: String,
        /// The HTTP status code.
        status: u16,
        /// The server's message, redacted.
        message: String,
    },
    /// Every attempt failed with a retryable error (429, 5xx, timeout, dropped connection,
    /// an answer without text) until the retries or the bound on the request's total wait ran
    /// out. Answers the same run already received are in the response cache.
    #[error(
        "gave up on {request} at {url} (model '{model}') after {attempts} attempts in \
             {waited:.1?}: {limit}; last error: {last}"
    )]
    RetriesExhausted {
        /// Which request: its task, a short subject and the start of its cache key, e.g.
        /// `generate ('Spatial Relations', round 1; cache key 3fa9c1d2e4b5)`.
        request: String,
        /// The chat completions URL.
        url: String,
        /// The model asked for.
        model: String,
        /// How many requests were sent.
        attempts: u32,
        /// Time spent in the attempts and the pauses between them.
        waited: Duration,
        /// Which limit ended it.
        limit: RetryLimit,
        /// The last failure, e.g. "HTTP 429: rate limited" or "timed out after 30s".
        last: String,
    },
    /// The server answered 200 but the body is not a usable chat completion.
    #[error("unusable answer from {url} (model '{model}'): {reason}")]
    BadResponse {
        /// The chat completions URL.
        url: String,
        /// The model asked for.
        model: String,
        /// What is wrong, with the start of the body.
        reason: String,
    },
    /// A generation answer in which no pair could be found.
    #[error(
        "no (text_a, text_b) pairs found in the answer for category '{category}'; the answer \
             starts: {answer_start:?}"
    )]
    NoPairs {
        /// The failure category that was asked for.
        category: String,
        /// The first characters of the answer.
        answer_start: String,
    },
    /// A categorize answer in which no category could be found.
    #[error(
        "no failure categories found in the answer to batch {batch} of {batches}; the answer \
             starts: {answer_start:?}"
    )]
    NoCategories {
        /// Which batch of pairs (1-based).
        batch: usize,
        /// How many batches there were.
        batches: usize,
        /// The first characters of the answer.
        answer_start: String,
    },
    /// Reading or writing a response-cache file failed.
    #[error("response cache {path}: {action}: {reason}")]
    Cache {
        /// The cache directory or file.
        path: PathBuf,
        /// What was being done ("writing", "reading", "compacting").
        action: &'static str,
        /// The underlying error.
        reason: String,
    },
}

/// The limit that ended a request's retries ([`LlmError::RetriesExhausted`]). Fieldless, so
/// that [`LlmError`] stays small; the setting it names says the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RetryLimit {
    /// Every retry `max_retries` allows was used.
    #[error("no retries left (max_retries)")]
    Retries,
    /// The next attempt would start past the bound on one request's attempts and pauses.
    #[error("no time left (max_wait_secs)")]
    Wait,
}

/// The first `max_chars` characters of `text`, with "…" when cut.
pub(crate) fn start_of(text: &str, max_chars: usize) -> String {
    let mut out: String = text.chars().take(max_chars).collect();
    if text.chars().nth(max_chars).is_some() {
        out.push('…');
    }
    out
}
