//! The HTTP layer under async-openai, and the mapping of its errors to [`LlmError`]s.
//!
//! async-openai keeps the HTTP status only when an error body is OpenAI-shaped JSON; llama.cpp
//! (`"code": 404`), proxies (HTML) and wrong base URLs (plain text) lose it. [`StatusService`]
//! wraps reqwest so that every non-2xx answer becomes a [`StatusError`] carrying its status,
//! the best message found in the body, and the wait its `Retry-After` asks for, which
//! async-openai's `ApiError` has no room for. It travels as `OpenAIError::Boxed`, the variant
//! async-openai keeps for middleware errors, and [`Target::classify`] downcasts it.
//! async-openai's own retry layer is left out: retries, backoff and timeouts are ours
//! ([`crate::client`], [`crate::retry`]).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use async_openai::error::{ApiErrorResponse, OpenAIError};
use async_openai::middleware::{HttpRequestFactory, ReqwestService};

use crate::error::{start_of, LlmError};
use crate::secret::Secret;

/// reqwest plus "every non-2xx response is an error with its status".
#[derive(Clone, Debug)]
pub(crate) struct StatusService {
    inner: ReqwestService,
}

impl StatusService {
    /// A service for `base_url`; a loopback URL bypasses any proxy from the environment.
    pub(crate) fn new(base_url: &str, connect_timeout: Duration) -> Self {
        let mut builder = reqwest::Client::builder().connect_timeout(connect_timeout);
        if is_loopback(base_url) {
            builder = builder.no_proxy();
        }
        let client = builder.build().unwrap_or_default();
        StatusService {
            inner: ReqwestService::new(client),
        }
    }
}

type ResponseFuture = Pin<Box<dyn Future<Output = Result<reqwest::Response, OpenAIError>> + Send>>;

impl tower::Service<HttpRequestFactory> for StatusService {
    type Response = reqwest::Response;
    type Error = OpenAIError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), OpenAIError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: HttpRequestFactory) -> ResponseFuture {
        let call = self.inner.call(request);
        Box::pin(async move {
            let response = call.await?;
            let status = response.status();
            if status.is_success() {
                return Ok(response);
            }
            let retry_after =
                crate::retry_after::from_headers(response.headers(), SystemTime::now());
            let body = response.bytes().await.map_err(OpenAIError::Reqwest)?;
            Err(OpenAIError::Boxed(Box::new(StatusError {
                status: status.as_u16(),
                message: error_message(&body),
                retry_after,
            })))
        })
    }
}

/// A non-2xx answer.
#[derive(Debug, thiserror::Error)]
#[error("HTTP {status}: {message}")]
pub(crate) struct StatusError {
    status: u16,
    /// The best message in the body ([`error_message`]), not yet redacted.
    message: String,
    /// What `Retry-After` (or `retry-after-ms`) asked for.
    retry_after: Option<Duration>,
}

fn is_loopback(base_url: &str) -> bool {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

/// The most useful message in an error body: `error.message`, `error` as a string, `message`,
/// `detail`, or the start of the raw text.
fn error_message(body: &[u8]) -> String {
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) {
        let candidates = [
            json.pointer("/error/message"),
            json.get("error"),
            json.get("message"),
            json.get("detail"),
        ];
        if let Some(text) = candidates.into_iter().flatten().find_map(|v| v.as_str()) {
            return start_of(text, 500);
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        "(empty body)".into()
    } else {
        start_of(text, 300)
    }
}

/// What one failed attempt means for the request.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Worth another attempt: 429, 5xx, 408, timeouts, dropped or refused connections.
    Retryable {
        /// What went wrong, redacted.
        reason: String,
        /// The wait the server asked for, if it did.
        retry_after: Option<Duration>,
    },
    /// Retrying would not help.
    Fatal(LlmError),
}

/// Where a request went, for error messages.
pub(crate) struct Target<'a> {
    pub url: &'a str,
    pub model: &'a str,
    pub key: Option<&'a Secret>,
}

impl Target<'_> {
    pub(crate) fn redact(&self, text: &str) -> String {
        match self.key {
            Some(key) => key.redact(text),
            None => text.to_string(),
        }
    }

    /// Sorts an async-openai error into retryable or fatal.
    pub(crate) fn classify(&self, error: OpenAIError) -> Failure {
        let (url, model) = (self.url.to_string(), self.model.to_string());
        match error {
            OpenAIError::Boxed(boxed) => match boxed.downcast::<StatusError>() {
                Ok(status) => self.classify_status(*status),
                Err(other) => Failure::Fatal(LlmError::BadResponse {
                    url,
                    model,
                    reason: self.redact(&other.to_string()),
                }),
            },
            // async-openai's own reading of an error body, should a response ever bypass
            // StatusService.
            OpenAIError::ApiError(ApiErrorResponse {
                status_code,
                api_error,
            }) => self.classify_status(StatusError {
                status: status_code.as_u16(),
                message: api_error.message,
                retry_after: None,
            }),
            OpenAIError::Reqwest(e) if e.is_builder() => Failure::Fatal(LlmError::BadResponse {
                url,
                model,
                reason: format!("cannot build the request: {}", self.redact(&e.to_string())),
            }),
            OpenAIError::Reqwest(e) => Failure::retry(format!(
                "connection error: {}",
                self.redact(&error_chain(&e))
            )),
            // A truncated body is a dropped connection by another name: asked again.
            OpenAIError::JSONDeserialize(e, body) => Failure::retry(format!(
                "the body is not JSON ({e}); it starts: {:?}",
                start_of(&self.redact(&body), 200)
            )),
            other => Failure::Fatal(LlmError::BadResponse {
                url,
                model,
                reason: self.redact(&other.to_string()),
            }),
        }
    }

    fn classify_status(&self, error: StatusError) -> Failure {
        let (url, model) = (self.url.to_string(), self.model.to_string());
        let StatusError {
            status,
            message,
            retry_after,
        } = error;
        let message = self.redact(&message);
        match status {
            408 | 429 | 500..=599 => Failure::Retryable {
                reason: match retry_after {
                    Some(wait) => format!("HTTP {status} (Retry-After {wait:?}): {message}"),
                    None => format!("HTTP {status}: {message}"),
                },
                retry_after,
            },
            401 => Failure::Fatal(LlmError::Unauthorized {
                url,
                model,
                message,
            }),
            404 => {
                let lower = message.to_lowercase();
                if lower.contains("model") || lower.contains(&self.model.to_lowercase()) {
                    Failure::Fatal(LlmError::ModelNotFound {
                        model,
                        url,
                        message,
                    })
                } else {
                    Failure::Fatal(LlmError::EndpointNotFound {
                        url,
                        model,
                        message,
                    })
                }
            }
            _ => Failure::Fatal(LlmError::Http {
                url,
                model,
                status,
                message,
            }),
        }
    }
}

impl Failure {
    /// Retryable, with no wait asked for.
    pub(crate) fn retry(reason: String) -> Failure {
        Failure::Retryable {
            reason,
            retry_after: None,
        }
    }
}

/// An error and its sources on one line ("error sending request: connection closed …").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{error_message, is_loopback};

    #[test]
    fn loopback_hosts() {
        assert!(
            is_loopback("http://127.0.0.1:8080/v1")
                && is_loopback("http://localhost/v1")
                && is_loopback("http://[::1]:1/v1")
        );
        assert!(
            !is_loopback("https://api.openai.com/v1") && !is_loopback("http://10.0.0.1:8000/v1")
        );
    }

    #[test]
    fn messages_from_many_servers() {
        assert_eq!(
            error_message(br#"{"error":{"message":"bad key","type":"x"}}"#),
            "bad key"
        );
        assert_eq!(
            error_message(
                br#"{"error":{"code":404,"message":"model not found","type":"not_found_error"}}"#
            ),
            "model not found"
        );
        assert_eq!(
            error_message(br#"{"error":"model 'x' not found"}"#),
            "model 'x' not found"
        );
        assert_eq!(error_message(br#"{"detail":"Not Found"}"#), "Not Found");
        assert_eq!(error_message(b"<html>404</html>"), "<html>404</html>");
        assert_eq!(error_message(b""), "(empty body)");
    }
}
