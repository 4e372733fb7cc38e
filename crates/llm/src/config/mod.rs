//! [`LlmConfig`]: which endpoint, model and parameters to use, resolved from (in order of
//! precedence) explicit values, the environment, and a TOML or JSON config file.
//!
//! | setting | environment | file key | default |
//! |---|---|---|---|
//! | base URL | `LOOKALIKE_LLM_BASE_URL`, else `OPENAI_BASE_URL` | `base_url` | `https://api.openai.com/v1` only when an OpenAI key is set |
//! | model | `LOOKALIKE_LLM_MODEL` | `model` | `gpt-4o` for api.openai.com, else required |
//! | API key | `LOOKALIKE_LLM_API_KEY`, else `OPENAI_API_KEY` | `api_key` | none |
//! | temperature | `LOOKALIKE_LLM_TEMPERATURE` | `temperature` | 0.7 |
//! | seed | `LOOKALIKE_LLM_SEED` (`none` for no seed) | `seed` | none |
//! | max answer tokens | `LOOKALIKE_LLM_MAX_TOKENS` | `max_tokens` | 2048 |
//! | per-attempt timeout | `LOOKALIKE_LLM_TIMEOUT_SECS` | `timeout_secs` | 120 |
//! | parallel requests | `LOOKALIKE_LLM_CONCURRENCY` | `concurrency` | 4 |
//! | retries | `LOOKALIKE_LLM_MAX_RETRIES` | `max_retries` | 5 |
//! | total wait of one request | `LOOKALIKE_LLM_MAX_WAIT_SECS` | `max_wait_secs` | 600 |
//! | longest Retry-After honoured | `LOOKALIKE_LLM_MAX_RETRY_AFTER_SECS` | `max_retry_after_secs` | 60 |
//! | context size (tokens) | `LOOKALIKE_LLM_CONTEXT_TOKENS` | `context_tokens` | 8192 |
//! | response cache directory | `LOOKALIKE_LLM_CACHE_DIR` | `cache_dir` | none |
//!
//! The file is named by [`LlmConfigBuilder::config_file`] or `LOOKALIKE_LLM_CONFIG`; `.json`
//! files are JSON, anything else TOML. Its keys may sit at the top level or under `[llm]`.
//! The file also takes `retry_base_delay_ms` (500) and `retry_max_delay_ms` (30000), the
//! backoff's first delay and cap. Every default lives in [`defaults`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::error::{LlmError, Result};
use crate::secret::Secret;

pub mod defaults;
mod sources;

/// The OpenAI API, used when only an OpenAI key is configured.
pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";

/// Everything the client needs to talk to one OpenAI-compatible endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct LlmConfig {
    /// Base URL ending before `/chat/completions`, e.g. `http://127.0.0.1:8080/v1`.
    pub base_url: String,
    /// Model name sent with every request.
    pub model: String,
    /// API key; prints as `***`.
    pub api_key: Option<Secret>,
    /// Sampling temperature, 0 to 2.
    pub temperature: f32,
    /// Sampling seed, where the server supports one.
    pub seed: Option<i64>,
    /// Most tokens in one answer.
    pub max_tokens: u32,
    /// Limit for one attempt, from connecting to the last byte of the answer.
    pub timeout: Duration,
    /// Most requests in flight at once.
    pub concurrency: usize,
    /// Retries after the first attempt, on 429, 5xx, timeouts and dropped connections.
    pub max_retries: u32,
    /// First backoff delay; attempt `n` waits a random time up to `base * 2^n` (full jitter).
    pub retry_base_delay: Duration,
    /// Cap on one backoff delay.
    pub retry_max_delay: Duration,
    /// Bound on one request's attempts and the pauses between them (not its wait for a
    /// concurrency slot): when the next attempt would start later, the request is given up.
    pub max_wait: Duration,
    /// Cap on a server's `Retry-After`: the pause before the next attempt is the longer of the
    /// backoff and the `Retry-After`, the latter at most this.
    pub max_retry_after: Duration,
    /// The model's context window in tokens (estimated at 4 characters per token).
    pub context_tokens: usize,
    /// Directory of the persistent response cache, if any.
    pub cache_dir: Option<PathBuf>,
}

impl LlmConfig {
    /// A builder with no explicit values, no environment and no file.
    pub fn builder() -> LlmConfigBuilder {
        LlmConfigBuilder::default()
    }

    /// Resolves the configuration from the process environment (and `LOOKALIKE_LLM_CONFIG`).
    pub fn from_env() -> Result<LlmConfig> {
        LlmConfig::builder().env(std::env::vars()).build()
    }

    /// The URL requests go to.
    pub fn chat_url(&self) -> String {
        format!("{}/chat/completions", self.base_url)
    }
}

/// Settings as they appear in a file, the environment or explicit values; all optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmSettings {
    /// See [`LlmConfig::base_url`].
    pub base_url: Option<String>,
    /// See [`LlmConfig::model`].
    pub model: Option<String>,
    /// See [`LlmConfig::api_key`].
    pub api_key: Option<String>,
    /// See [`LlmConfig::temperature`].
    pub temperature: Option<f32>,
    /// See [`LlmConfig::seed`].
    pub seed: Option<i64>,
    /// See [`LlmConfig::max_tokens`].
    pub max_tokens: Option<u32>,
    /// See [`LlmConfig::timeout`], in seconds.
    pub timeout_secs: Option<f64>,
    /// See [`LlmConfig::concurrency`].
    pub concurrency: Option<usize>,
    /// See [`LlmConfig::max_retries`].
    pub max_retries: Option<u32>,
    /// See [`LlmConfig::retry_base_delay`], in milliseconds.
    pub retry_base_delay_ms: Option<u64>,
    /// See [`LlmConfig::retry_max_delay`], in milliseconds.
    pub retry_max_delay_ms: Option<u64>,
    /// See [`LlmConfig::max_wait`], in seconds.
    pub max_wait_secs: Option<f64>,
    /// See [`LlmConfig::max_retry_after`], in seconds.
    pub max_retry_after_secs: Option<f64>,
    /// See [`LlmConfig::context_tokens`].
    pub context_tokens: Option<usize>,
    /// See [`LlmConfig::cache_dir`].
    pub cache_dir: Option<PathBuf>,
}

/// Collects the three sources, then [`build`](LlmConfigBuilder::build)s an [`LlmConfig`].
#[derive(Clone, Debug, Default)]
pub struct LlmConfigBuilder {
    explicit: LlmSettings,
    /// Set when the explicit seed is "none" (overrides a seed from env or file).
    no_seed: bool,
    env: HashMap<String, String>,
    file: Option<PathBuf>,
}

macro_rules! setter {
    ($(#[$doc:meta] $name:ident: $ty:ty => $conv:expr;)*) => {$(
        #[$doc]
        pub fn $name(mut self, value: $ty) -> Self {
            self.explicit.$name = Some($conv(value));
            self
        }
    )*};
}

impl LlmConfigBuilder {
    setter! {
        /// Explicit base URL.
        base_url: impl Into<String> => Into::into;
        /// Explicit model.
        model: impl Into<String> => Into::into;
        /// Explicit API key.
        api_key: impl Into<String> => Into::into;
        /// Explicit temperature.
        temperature: f32 => std::convert::identity;
        /// Explicit maximum answer length in tokens.
        max_tokens: u32 => std::convert::identity;
        /// Explicit concurrency limit.
        concurrency: usize => std::convert::identity;
        /// Explicit retry count.
        max_retries: u32 => std::convert::identity;
        /// Explicit context size in tokens.
        context_tokens: usize => std::convert::identity;
        /// Explicit cache directory.
        cache_dir: impl Into<PathBuf> => Into::into;
    }

    /// Explicit seed; `None` sends no seed even if the environment or file names one.
    pub fn seed(mut self, seed: Option<i64>) -> Self {
        self.explicit.seed = seed;
        self.no_seed = seed.is_none();
        self
    }

    /// Explicit per-request timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.explicit.timeout_secs = Some(timeout.as_secs_f64());
        self
    }

    /// Explicit bound on one request's attempts and pauses.
    pub fn max_wait(mut self, bound: Duration) -> Self {
        self.explicit.max_wait_secs = Some(bound.as_secs_f64());
        self
    }

    /// Explicit cap on a server's `Retry-After`.
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.explicit.max_retry_after_secs = Some(cap.as_secs_f64());
        self
    }

    /// Explicit backoff delays: the first one and the cap.
    pub fn retry_delays(mut self, base: Duration, max: Duration) -> Self {
        self.explicit.retry_base_delay_ms = Some(base.as_millis() as u64);
        self.explicit.retry_max_delay_ms = Some(max.as_millis() as u64);
        self
    }

    /// Environment variables to read (pass `std::env::vars()`, or a map in tests).
    pub fn env<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.env = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .filter(|(k, v)| {
                (k.starts_with("LOOKALIKE_LLM_") || k.starts_with("OPENAI_"))
                    && !v.trim().is_empty()
            })
            .collect();
        self
    }

    /// A TOML or JSON config file (overrides `LOOKALIKE_LLM_CONFIG`).
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// Resolves every setting: explicit value, else environment, else file, else default.
    pub fn build(self) -> Result<LlmConfig> {
        let env = sources::env_settings(&self.env)?;
        let file_path = self
            .file
            .clone()
            .or_else(|| self.env.get("LOOKALIKE_LLM_CONFIG").map(PathBuf::from));
        let file = match &file_path {
            Some(path) => sources::read_file(path)?,
            None => LlmSettings::default(),
        };
        let file_origin = file_path
            .as_ref()
            .map(|p| format!("config file {}", p.display()))
            .unwrap_or_default();
        let layers = [
            (&self.explicit, "explicit value".to_string()),
            (&env.0, "environment".to_string()),
            (&file, file_origin),
        ];
        macro_rules! pick {
            ($field:ident) => {
                layers
                    .iter()
                    .find_map(|(s, origin)| s.$field.clone().map(|v| (v, origin.clone())))
            };
        }

        let openai_key = self.env.contains_key("OPENAI_API_KEY");
        let base_url = match pick!(base_url) {
            Some((url, origin)) => (sources::normalise_url(&url, &origin)?, origin),
            None if openai_key => (OPENAI_BASE_URL.to_string(), "default".to_string()),
            None => {
                return Err(LlmError::NotConfigured {
                    missing: "no base URL".into(),
                })
            }
        };
        let model = match pick!(model) {
            Some((m, _)) => m,
            None if base_url.0 == OPENAI_BASE_URL => defaults::OPENAI_MODEL.to_string(),
            None => {
                return Err(LlmError::NotConfigured {
                    missing: format!("no model for {}", base_url.0),
                })
            }
        };
        let seed = match (self.no_seed, self.explicit.seed, env.1) {
            (true, _, _) => None,
            (false, Some(seed), _) => Some(seed),
            (false, None, true) => None,
            (false, None, false) => env.0.seed.or(file.seed),
        };
        let temperature = pick!(temperature)
            .map(|(t, o)| {
                sources::check(
                    t,
                    "temperature",
                    o,
                    (0.0..=2.0).contains(&t),
                    "must be between 0 and 2",
                )
            })
            .transpose()?
            .unwrap_or(defaults::TEMPERATURE);
        let max_tokens = pick!(max_tokens)
            .map(|(v, o)| sources::check(v, "max_tokens", o, v > 0, "must be at least 1"))
            .transpose()?
            .unwrap_or(defaults::MAX_TOKENS);
        let timeout = sources::seconds(pick!(timeout_secs), "timeout_secs", false)?
            .unwrap_or(defaults::TIMEOUT_SECS);
        let max_wait = sources::seconds(pick!(max_wait_secs), "max_wait_secs", false)?
            .unwrap_or(defaults::MAX_WAIT_SECS);
        let max_retry_after =
            sources::seconds(pick!(max_retry_after_secs), "max_retry_after_secs", true)?
                .unwrap_or(defaults::MAX_RETRY_AFTER_SECS);
        let concurrency = pick!(concurrency)
            .map(|(v, o)| sources::check(v, "concurrency", o, v > 0, "must be at least 1"))
            .transpose()?
            .unwrap_or(defaults::CONCURRENCY);
        let context_tokens = pick!(context_tokens)
            .map(|(v, o)| sources::check(v, "context_tokens", o, v >= 256, "must be at least 256"))
            .transpose()?
            .unwrap_or(defaults::CONTEXT_TOKENS);
        let api_key = match pick!(api_key) {
            Some((key, origin)) if key.chars().any(|c| !c.is_ascii_graphic()) => {
                return Err(LlmError::InvalidConfig {
                    field: "api_key".into(),
                    value: "***".into(),
                    origin,
                    reason: "contains spaces, control or non-ASCII characters".into(),
                })
            }
            Some((key, _)) => Some(Secret::new(key)),
            None => None,
        };
        Ok(LlmConfig {
            base_url: base_url.0,
            model,
            api_key,
            temperature,
            seed,
            max_tokens,
            timeout: Duration::from_secs_f64(timeout),
            concurrency,
            max_retries: pick!(max_retries)
                .map(|(v, _)| v)
                .unwrap_or(defaults::MAX_RETRIES),
            retry_base_delay: Duration::from_millis(
                pick!(retry_base_delay_ms)
                    .map(|(v, _)| v)
                    .unwrap_or(defaults::RETRY_BASE_DELAY_MS),
            ),
            retry_max_delay: Duration::from_millis(
                pick!(retry_max_delay_ms)
                    .map(|(v, _)| v)
                    .unwrap_or(defaults::RETRY_MAX_DELAY_MS),
            ),
            max_wait: Duration::from_secs_f64(max_wait),
            max_retry_after: Duration::from_secs_f64(max_retry_after),
            context_tokens,
            cache_dir: pick!(cache_dir).map(|(v, _)| v),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn nothing_configured_says_how() {
        let err = LlmConfig::builder()
            .env(env(&[("HOME", "/root")]))
            .build()
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("LOOKALIKE_LLM_BASE_URL") && msg.contains("failure_kind"),
            "{msg}"
        );
        let err = LlmConfig::builder()
            .base_url("http://127.0.0.1:1/v1")
            .build()
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("no model for http://127.0.0.1:1/v1"),
            "{err}"
        );
    }

    #[test]
    fn precedence_explicit_env_file() {
        let dir = tempfile::tempdir().unwrap();
        let toml_path = dir.path().join("llm.toml");
        std::fs::write(&toml_path, "[llm]\nbase_url = \"http://file:1/v1/\"\nmodel = \"file-model\"\ntemperature = 0.1\nseed = 7\nconcurrency = 9\n").unwrap();
        let e = env(&[
            ("LOOKALIKE_LLM_MODEL", "env-model"),
            ("LOOKALIKE_LLM_CONFIG", toml_path.to_str().unwrap()),
            ("OPENAI_API_KEY", "sk-env"),
            ("LOOKALIKE_LLM_TEMPERATURE", "0.3"),
        ]);
        let c = LlmConfig::builder()
            .env(e.clone())
            .temperature(1.5)
            .build()
            .unwrap();
        assert_eq!(c.base_url, "http://file:1/v1");
        assert_eq!(c.model, "env-model");
        assert_eq!(c.temperature, 1.5);
        assert_eq!(c.seed, Some(7));
        assert_eq!(c.concurrency, 9);
        assert_eq!(c.api_key.as_ref().map(Secret::expose), Some("sk-env"));
        assert!(!format!("{c:?}").contains("sk-env"));
        let c = LlmConfig::builder().env(e).seed(None).build().unwrap();
        assert_eq!((c.seed, c.temperature), (None, 0.3));

        let json_path = dir.path().join("llm.json");
        std::fs::write(
            &json_path,
            r#"{"base_url": "http://json:2/v1", "model": "m", "timeout_secs": 1.5}"#,
        )
        .unwrap();
        let c = LlmConfig::builder()
            .config_file(&json_path)
            .build()
            .unwrap();
        assert_eq!(
            (c.base_url.as_str(), c.timeout),
            ("http://json:2/v1", Duration::from_millis(1500))
        );
        assert_eq!(c.chat_url(), "http://json:2/v1/chat/completions");
    }

    #[test]
    fn bounds_on_waiting() {
        let c = LlmConfig::builder()
            .base_url("http://x/v1")
            .model("m")
            .build()
            .unwrap();
        assert_eq!(
            (c.max_wait, c.max_retry_after),
            (
                Duration::from_secs_f64(defaults::MAX_WAIT_SECS),
                Duration::from_secs_f64(defaults::MAX_RETRY_AFTER_SECS)
            )
        );
        let e = env(&[
            ("LOOKALIKE_LLM_BASE_URL", "http://x/v1"),
            ("LOOKALIKE_LLM_MODEL", "m"),
            ("LOOKALIKE_LLM_MAX_WAIT_SECS", "90"),
            ("LOOKALIKE_LLM_MAX_RETRY_AFTER_SECS", "0"),
        ]);
        let c = LlmConfig::builder().env(e.clone()).build().unwrap();
        assert_eq!(
            (c.max_wait, c.max_retry_after),
            (Duration::from_secs(90), Duration::ZERO)
        );
        let err = LlmConfig::builder()
            .env(e)
            .max_wait(Duration::ZERO)
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains("max_wait_secs = '0'") && err.to_string().contains("positive"),
            "{err}"
        );
    }

    #[test]
    fn openai_fallback_and_errors() {
        let c = LlmConfig::builder()
            .env(env(&[("OPENAI_API_KEY", "sk-x")]))
            .build()
            .unwrap();
        assert_eq!(
            (c.base_url.as_str(), c.model.as_str()),
            (OPENAI_BASE_URL, "gpt-4o")
        );
        let err = LlmConfig::builder()
            .env(env(&[
                ("OPENAI_API_KEY", "sk-x"),
                ("LOOKALIKE_LLM_TEMPERATURE", "hot"),
            ]))
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains("LOOKALIKE_LLM_TEMPERATURE"),
            "{err}"
        );
        let err = LlmConfig::builder()
            .base_url("ftp://x")
            .model("m")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("base_url"), "{err}");
        let err = LlmConfig::builder()
            .base_url("http://x/v1")
            .model("m")
            .temperature(5.0)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("temperature = '5'"), "{err}");
        let err = LlmConfig::builder()
            .config_file("/nonexistent/llm.toml")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/llm.toml"), "{err}");
    }
}
