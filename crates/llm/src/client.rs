//! [`LlmClient`]: chat completions against any OpenAI-compatible endpoint (OpenAI, vLLM,
//! llama.cpp server, Ollama) through async-openai, with a concurrency limit, a per-attempt
//! timeout, retries with exponential backoff and full jitter that honour `Retry-After`, a bound
//! on each request's total wait, and the response cache.
//!
//! Retried: HTTP 429, 408 and 5xx, timeouts, refused and dropped connections, truncated bodies
//! and answers without text. Not retried: 401 ([`LlmError::Unauthorized`]), 404
//! ([`LlmError::ModelNotFound`] or [`LlmError::EndpointNotFound`]) and other 4xx
//! ([`LlmError::Http`]). A request that runs out of retries or time fails with
//! [`LlmError::RetriesExhausted`], which names it; every answer received before is cached as
//! it arrives, so a rerun asks only for what is missing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_openai::config::OpenAIConfig;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::cache::{now_ms, request_key, CacheEntry, ResponseCache};
use crate::config::LlmConfig;
use crate::error::{start_of, LlmError, Result};
use crate::retry::Schedule;
use crate::transport::{Failure, StatusService, Target};

/// Who wrote a chat message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions that frame the whole conversation, ahead of the user's turns.
    System,
    /// The user: our prompts (MultiMon's and ours, see [`crate::prompts`]).
    User,
    /// The model: an earlier answer replayed, as in the categorize conversation's second turn.
    Assistant,
}

/// One message of a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Who wrote it.
    pub role: Role,
    /// What it says.
    pub content: String,
}

impl ChatMessage {
    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        ChatMessage {
            role: Role::User,
            content: content.into(),
        }
    }

    /// An assistant message: a model's earlier answer, replayed so the next turn follows it.
    pub fn assistant(content: impl Into<String>) -> Self {
        ChatMessage {
            role: Role::Assistant,
            content: content.into(),
        }
    }

    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        ChatMessage {
            role: Role::System,
            content: content.into(),
        }
    }
}

/// One answer, with the parameters that produced it.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// The answer's text (a leading `<think>…</think>` block removed).
    pub text: String,
    /// The model asked.
    pub model: String,
    /// The endpoint's base URL.
    pub base_url: String,
    /// The temperature asked for.
    pub temperature: f32,
    /// The seed asked for, if any.
    pub seed: Option<i64>,
    /// Whether it came from the response cache (no request was sent).
    pub from_cache: bool,
    /// The cache key of the request.
    pub key: String,
}

/// Counters of what a client did; see [`LlmClient::stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Answers served from the cache.
    pub cache_hits: u64,
    /// Retries after a retryable failure.
    pub retries: u64,
}

/// A chat-completions client; cheap to clone and share between tasks.
#[derive(Clone)]
pub struct LlmClient {
    inner: Arc<Inner>,
}

/// Told `(what, answered, total)` as the requests of a step are answered, e.g.
/// `("asking the LLM to judge 80 pairs", 3, 5)`.
pub type Progress = Arc<dyn Fn(&str, usize, usize) + Send + Sync>;

struct Inner {
    progress: std::sync::Mutex<Option<Progress>>,
    config: LlmConfig,
    openai: async_openai::Client<OpenAIConfig>,
    permits: Semaphore,
    cache: Option<ResponseCache>,
    requests: AtomicU64,
    cache_hits: AtomicU64,
    retries: AtomicU64,
}

impl std::fmt::Debug for LlmClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmClient")
            .field("config", &self.inner.config)
            .field("cache", &self.inner.cache.as_ref().map(|c| c.dir()))
            .finish()
    }
}

/// The request body, fields in a fixed order so that its JSON (and the cache key) is stable.
#[derive(Serialize)]
struct RequestBody<'a> {
    model: &'a str,
    messages: &'a [ChatMessage],
    temperature: f32,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<i64>,
    stream: bool,
}

impl LlmClient {
    /// A client for `config`, with the response cache in `config.cache_dir` if set.
    pub fn new(config: LlmConfig) -> Result<LlmClient> {
        let cache = config
            .cache_dir
            .as_ref()
            .map(ResponseCache::open)
            .transpose()?;
        Ok(Self::build(config, cache))
    }

    /// A client resolved from the environment ([`LlmConfig::from_env`]).
    pub fn from_env() -> Result<LlmClient> {
        LlmClient::new(LlmConfig::from_env()?)
    }

    /// The same client with `cache` as its response cache.
    pub fn with_cache(self, cache: ResponseCache) -> LlmClient {
        let config = self.inner.config.clone();
        Self::build(config, Some(cache))
    }

    fn build(config: LlmConfig, cache: Option<ResponseCache>) -> LlmClient {
        let key = config
            .api_key
            .as_ref()
            .map(|k| k.expose().to_string())
            .unwrap_or_default();
        let openai_config = OpenAIConfig::new()
            .with_api_base(config.base_url.clone())
            .with_api_key(key);
        let connect_timeout = config.timeout.min(Duration::from_secs(10));
        let openai = async_openai::Client::with_config(openai_config)
            .with_http_service(StatusService::new(&config.base_url, connect_timeout));
        let permits = Semaphore::new(config.concurrency.max(1));
        LlmClient {
            inner: Arc::new(Inner {
                progress: std::sync::Mutex::new(None),
                config,
                openai,
                permits,
                cache,
                requests: AtomicU64::new(0),
                cache_hits: AtomicU64::new(0),
                retries: AtomicU64::new(0),
            }),
        }
    }

    /// Reports how the requests of each step advance to `progress` (None: stop reporting).
    pub fn set_progress(&self, progress: Option<Progress>) {
        *self.inner.progress.lock().unwrap() = progress;
    }

    /// Tells the progress hook, if any, that `done` of the `total` requests of `what` are
    /// answered.
    pub fn report(&self, what: &str, done: usize, total: usize) {
        // Called outside the lock: the hook may draw on the terminal.
        let hook = self.inner.progress.lock().unwrap().clone();
        if let Some(hook) = hook {
            hook(what, done, total);
        }
    }

    /// The configuration.
    pub fn config(&self) -> &LlmConfig {
        &self.inner.config
    }

    /// The response cache, if any.
    pub fn cache(&self) -> Option<&ResponseCache> {
        self.inner.cache.as_ref()
    }

    /// What this client (and its clones) did so far.
    pub fn stats(&self) -> ClientStats {
        ClientStats {
            requests: self.inner.requests.load(Ordering::Relaxed),
            cache_hits: self.inner.cache_hits.load(Ordering::Relaxed),
            retries: self.inner.retries.load(Ordering::Relaxed),
        }
    }

    /// Sends one conversation and returns the answer, from the cache when it holds the same
    /// request, otherwise from the endpoint (then cached durably before returning).
    pub async fn chat(&self, messages: &[ChatMessage]) -> Result<Answer> {
        let subject = messages.last().map_or("", |m| m.content.as_str());
        self.chat_for(Purpose::new("chat", subject), messages).await
    }

    /// [`chat`](LlmClient::chat) for a task, which the error names if the request fails.
    pub(crate) async fn chat_for(
        &self,
        purpose: Purpose,
        messages: &[ChatMessage],
    ) -> Result<Answer> {
        let config = &self.inner.config;
        let body = RequestBody {
            model: &config.model,
            messages,
            temperature: config.temperature,
            max_tokens: config.max_tokens,
            seed: config.seed,
            stream: false,
        };
        let request_json = serde_json::to_string(&body).expect("a request body always serializes");
        let key = request_key(&config.base_url, &request_json);
        let answer = |text: &str, from_cache: bool| Answer {
            text: strip_reasoning(text).to_string(),
            model: config.model.clone(),
            base_url: config.base_url.clone(),
            temperature: config.temperature,
            seed: config.seed,
            from_cache,
            key: key.clone(),
        };
        if let Some(hit) = self.cache().and_then(|c| c.get(&key)) {
            self.inner.cache_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(answer(&hit.response_text, true));
        }
        let request: serde_json::Value =
            serde_json::from_str(&request_json).expect("just serialized");
        let text = self.send(request, &purpose, &key).await?;
        if let Some(cache) = self.cache() {
            cache.put(CacheEntry {
                key: key.clone(),
                base_url: config.base_url.clone(),
                model: config.model.clone(),
                request_json,
                response_text: text.clone(),
                temperature: config.temperature,
                seed: config.seed,
                created_at_ms: now_ms(),
            })?;
        }
        Ok(answer(&text, false))
    }

    /// Sends with retries; returns the answer's text.
    async fn send(
        &self,
        request: serde_json::Value,
        purpose: &Purpose,
        key: &str,
    ) -> Result<String> {
        let config = &self.inner.config;
        let url = config.chat_url();
        let target = Target {
            url: &url,
            model: &config.model,
            key: config.api_key.as_ref(),
        };
        let mut schedule = Schedule::new(config);
        loop {
            let outcome = {
                let _permit = self
                    .inner
                    .permits
                    .acquire()
                    .await
                    .expect("the semaphore is never closed");
                self.inner.requests.fetch_add(1, Ordering::Relaxed);
                let chat = self.inner.openai.chat();
                let call = chat.create_byot::<_, serde_json::Value>(request.clone());
                let limit = schedule.attempt_limit(config.timeout);
                let started = tokio::time::Instant::now();
                let result = tokio::time::timeout(limit, call).await;
                schedule.attempted(started.elapsed());
                match result {
                    Err(_) => Failure::retry(format!("timed out after {limit:?}")),
                    Ok(Err(e)) => target.classify(e),
                    // A key the server echoes never reaches the cache or an output.
                    Ok(Ok(body)) => match extract_text(&body) {
                        Ok(text) => return Ok(target.redact(&text)),
                        // Empty `choices` and the like come and go with a misbehaving server:
                        // asked again, like a 5xx.
                        Err(reason) => Failure::retry(format!(
                            "an answer without text: {}",
                            target.redact(&reason)
                        )),
                    },
                }
            };
            let (last, retry_after) = match outcome {
                Failure::Fatal(e) => return Err(e),
                Failure::Retryable {
                    reason,
                    retry_after,
                } => (reason, retry_after),
            };
            // The permit is released while pausing, so other requests go on meanwhile.
            match schedule.pause(retry_after) {
                Ok(pause) => {
                    tokio::time::sleep(pause).await;
                    schedule.paused(pause);
                    self.inner.retries.fetch_add(1, Ordering::Relaxed);
                }
                Err(limit) => {
                    return Err(LlmError::RetriesExhausted {
                        request: target.redact(&purpose.describe(key)),
                        url,
                        model: config.model.clone(),
                        attempts: schedule.attempts(),
                        waited: schedule.spent(),
                        limit,
                        last,
                    })
                }
            }
        }
    }
}

/// What a request is for: a task (`categorize`, `generate`, …) and a short subject, named by
/// the error when the request is given up.
#[derive(Clone, Debug)]
pub(crate) struct Purpose {
    task: &'static str,
    subject: String,
}

impl Purpose {
    pub(crate) fn new(task: &'static str, subject: impl Into<String>) -> Purpose {
        Purpose {
            task,
            subject: subject.into(),
        }
    }

    /// `task (subject; cache key 0123456789ab)`, the subject on one line, cut to 60 characters.
    fn describe(&self, key: &str) -> String {
        let words: Vec<&str> = self.subject.split_whitespace().collect();
        let subject = start_of(&words.join(" "), 60);
        let key = &key[..key.len().min(12)];
        format!("{} ({subject}; cache key {key})", self.task)
    }
}

/// `choices[0].message.content` of a chat completion.
fn extract_text(body: &serde_json::Value) -> std::result::Result<String, String> {
    let body_start = || start_of(&body.to_string(), 200);
    let message = body
        .pointer("/choices/0/message")
        .ok_or_else(|| format!("no choices[0].message in {}", body_start()))?;
    match message.get("content") {
        Some(serde_json::Value::String(text)) => Ok(text.clone()),
        // Some servers send content as a list of parts.
        Some(serde_json::Value::Array(parts)) => Ok(parts
            .iter()
            .filter_map(|p| p.get("text").and_then(|t| t.as_str()))
            .collect()),
        _ => Err(format!(
            "choices[0].message has no text content: {}",
            body_start()
        )),
    }
}

/// The text after a leading `<think>…</think>` block (reasoning models served by vLLM/Ollama).
fn strip_reasoning(text: &str) -> &str {
    let trimmed = text.trim_start();
    if let Some(rest) = trimmed.strip_prefix("<think>") {
        if let Some(end) = rest.find("</think>") {
            return rest[end + "</think>".len()..].trim_start();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_extraction() {
        let ok =
            serde_json::json!({"choices": [{"message": {"role": "assistant", "content": "hi"}}]});
        assert_eq!(extract_text(&ok).unwrap(), "hi");
        let parts = serde_json::json!({"choices": [{"message": {"content": [{"type": "text", "text": "a"}, {"text": "b"}]}}]});
        assert_eq!(extract_text(&parts).unwrap(), "ab");
        assert!(extract_text(&serde_json::json!({"choices": []}))
            .unwrap_err()
            .contains("no choices"));
        assert_eq!(strip_reasoning("<think>hmm</think>\n\nYes."), "Yes.");
        assert_eq!(strip_reasoning("Yes <think>"), "Yes <think>");
    }
}
