//! The environment and file layers of [`LlmConfig`](super::LlmConfig), and value checks.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::LlmSettings;
use crate::error::{LlmError, Result};

/// The environment layer, and whether it said `LOOKALIKE_LLM_SEED=none`.
pub(super) fn env_settings(env: &HashMap<String, String>) -> Result<(LlmSettings, bool)> {
    let get = |name: &str| env.get(name).map(|v| v.trim().to_string());
    fn num<T: std::str::FromStr>(name: &str, value: Option<String>) -> Result<Option<T>> {
        value
            .map(|v| {
                v.parse::<T>().map_err(|_| LlmError::InvalidConfig {
                    field: name.trim_start_matches("LOOKALIKE_LLM_").to_lowercase(),
                    value: v.clone(),
                    origin: format!("environment variable {name}"),
                    reason: "not a number".into(),
                })
            })
            .transpose()
    }
    let seed_text = get("LOOKALIKE_LLM_SEED");
    let no_seed = seed_text
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("none"));
    let settings = LlmSettings {
        base_url: get("LOOKALIKE_LLM_BASE_URL").or_else(|| get("OPENAI_BASE_URL")),
        model: get("LOOKALIKE_LLM_MODEL"),
        api_key: get("LOOKALIKE_LLM_API_KEY").or_else(|| get("OPENAI_API_KEY")),
        temperature: num(
            "LOOKALIKE_LLM_TEMPERATURE",
            get("LOOKALIKE_LLM_TEMPERATURE"),
        )?,
        seed: if no_seed {
            None
        } else {
            num("LOOKALIKE_LLM_SEED", seed_text)?
        },
        max_tokens: num("LOOKALIKE_LLM_MAX_TOKENS", get("LOOKALIKE_LLM_MAX_TOKENS"))?,
        timeout_secs: num(
            "LOOKALIKE_LLM_TIMEOUT_SECS",
            get("LOOKALIKE_LLM_TIMEOUT_SECS"),
        )?,
        concurrency: num(
            "LOOKALIKE_LLM_CONCURRENCY",
            get("LOOKALIKE_LLM_CONCURRENCY"),
        )?,
        max_retries: num(
            "LOOKALIKE_LLM_MAX_RETRIES",
            get("LOOKALIKE_LLM_MAX_RETRIES"),
        )?,
        retry_base_delay_ms: None,
        retry_max_delay_ms: None,
        max_wait_secs: num(
            "LOOKALIKE_LLM_MAX_WAIT_SECS",
            get("LOOKALIKE_LLM_MAX_WAIT_SECS"),
        )?,
        max_retry_after_secs: num(
            "LOOKALIKE_LLM_MAX_RETRY_AFTER_SECS",
            get("LOOKALIKE_LLM_MAX_RETRY_AFTER_SECS"),
        )?,
        context_tokens: num(
            "LOOKALIKE_LLM_CONTEXT_TOKENS",
            get("LOOKALIKE_LLM_CONTEXT_TOKENS"),
        )?,
        cache_dir: get("LOOKALIKE_LLM_CACHE_DIR").map(PathBuf::from),
    };
    Ok((settings, no_seed))
}

pub(super) fn check<T: ToString>(
    value: T,
    field: &str,
    origin: String,
    ok: bool,
    reason: &str,
) -> Result<T> {
    if ok {
        Ok(value)
    } else {
        Err(LlmError::InvalidConfig {
            field: field.into(),
            value: value.to_string(),
            origin,
            reason: reason.into(),
        })
    }
}

/// A setting in seconds, checked: finite, and positive (or, with `zero_ok`, not negative).
/// Large values are clamped to a year, so that no setting can overflow a `Duration`.
pub(super) fn seconds(
    picked: Option<(f64, String)>,
    field: &str,
    zero_ok: bool,
) -> Result<Option<f64>> {
    picked
        .map(|(v, origin)| {
            let ok = v.is_finite() && (v > 0.0 || (zero_ok && v == 0.0));
            let reason = if zero_ok {
                "must be a number of seconds, 0 or more"
            } else {
                "must be a positive number of seconds"
            };
            check(v, field, origin, ok, reason).map(|v| v.min(365.0 * 86_400.0))
        })
        .transpose()
}

pub(super) fn normalise_url(url: &str, origin: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    let url = url.strip_suffix("/chat/completions").unwrap_or(url);
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() <= "https://".len()
    {
        return Err(LlmError::InvalidConfig {
            field: "base_url".into(),
            value: url.into(),
            origin: origin.into(),
            reason: "must be an http:// or https:// URL such as http://127.0.0.1:8080/v1".into(),
        });
    }
    Ok(url.to_string())
}

pub(super) fn read_file(path: &Path) -> Result<LlmSettings> {
    let fail = |reason: String| LlmError::ConfigFile {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let value: serde_json::Value = if is_json {
        serde_json::from_str(&text).map_err(|e| fail(format!("invalid JSON: {e}")))?
    } else {
        // toml's message quotes the offending line, which may hold the API key: say only
        // where and what.
        toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map_or(0, |span| text[..span.start].matches('\n').count() + 1);
            fail(format!(
                "invalid TOML at line {line}: {}",
                e.message().trim()
            ))
        })?
    };
    let value = match value.get("llm") {
        Some(section) if section.is_object() => section.clone(),
        _ => value,
    };
    // serde quotes a mistyped value, and the key may sit in the wrong field.
    let key = value
        .get("api_key")
        .and_then(|k| k.as_str())
        .map(|k| crate::secret::Secret::new(k.to_string()));
    serde_json::from_value(value).map_err(|e| {
        let message = e.to_string();
        fail(key.as_ref().map_or(message.clone(), |k| k.redact(&message)))
    })
}
