//! A mock OpenAI-compatible server: real HTTP/1.1 on 127.0.0.1 (ephemeral port), answering
//! `POST /v1/chat/completions` with whatever a handler decides: canned completions, error
//! statuses (with headers such as `Retry-After`), slow answers, dropped connections. It notes
//! when each request arrived, so tests can measure the pauses between attempts.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// HTTP 200 with a chat completion whose content is this text.
    Ok(String),
    /// This status with this raw body.
    Status(u16, String),
    /// This status with these extra headers and this raw body.
    Headers(u16, Vec<(String, String)>, String),
    /// Waits, then answers like `Ok`.
    Slow(Duration, String),
    /// Reads the request and closes the connection without answering.
    Drop,
}

/// One request as the handler sees it.
#[derive(Clone, Debug)]
pub struct Request {
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The JSON body.
    pub body: serde_json::Value,
    /// How many times this exact body was received before (0 on the first time).
    pub attempt: usize,
}

impl Request {
    /// The content of the last message.
    pub fn last_message(&self) -> &str {
        self.body["messages"]
            .as_array()
            .and_then(|m| m.last())
            .and_then(|m| m["content"].as_str())
            .unwrap_or("")
    }

    /// How many messages the conversation has.
    pub fn message_count(&self) -> usize {
        self.body["messages"].as_array().map_or(0, Vec::len)
    }

    /// All message contents joined.
    pub fn all_text(&self) -> String {
        self.body["messages"]
            .as_array()
            .map(|m| {
                m.iter()
                    .filter_map(|m| m["content"].as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

#[derive(Default)]
struct Shared {
    seen: Mutex<HashMap<String, usize>>,
    /// Bodies answered with HTTP 200 and a completion.
    answered: Mutex<Vec<String>>,
    /// When each request was read, in order.
    arrivals: Mutex<Vec<Instant>>,
    requests: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A running mock server; [`MockServer::stop`] closes its port.
pub struct MockServer {
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl MockServer {
    /// Starts a server on an ephemeral loopback port.
    pub async fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> MockServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let handler: Arc<Handler> = Arc::new(handler);
        let accept_shared = shared.clone();
        let accept = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve(stream, accept_shared.clone(), handler.clone()));
            }
        });
        MockServer {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            shared,
            accept,
        }
    }

    /// Requests received so far (including those that got faults).
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Distinct request bodies that got a successful completion.
    pub fn distinct_answered(&self) -> usize {
        let mut bodies = self.shared.answered.lock().unwrap().clone();
        bodies.sort();
        bodies.dedup();
        bodies.len()
    }

    /// When each request arrived (its body read), in order of arrival.
    pub fn arrivals(&self) -> Vec<Instant> {
        self.shared.arrivals.lock().unwrap().clone()
    }

    /// Most requests that were being handled at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// Stops accepting connections and closes the port.
    pub async fn stop(self) {
        self.accept.abort();
        let _ = self.accept.await;
    }
}

async fn serve(mut stream: TcpStream, shared: Arc<Shared>, handler: Arc<Handler>) {
    let Some((path, authorization, body)) = read_request(&mut stream).await else {
        return;
    };
    shared.arrivals.lock().unwrap().push(Instant::now());
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let attempt = {
        let mut seen = shared.seen.lock().unwrap();
        let count = seen.entry(body.clone()).or_insert(0);
        *count += 1;
        *count - 1
    };
    let reply = if path != "/v1/chat/completions" {
        Reply::Status(404, "Not Found".into())
    } else {
        match serde_json::from_str(&body) {
            Ok(json) => handler(&Request {
                authorization,
                body: json,
                attempt,
            }),
            Err(_) => Reply::Status(400, r#"{"error":{"message":"body is not JSON"}}"#.into()),
        }
    };
    let (status, headers, text) = match reply {
        Reply::Drop => {
            shared.in_flight.fetch_sub(1, Ordering::SeqCst);
            return; // the stream is dropped unanswered
        }
        Reply::Status(status, text) => (status, Vec::new(), text),
        Reply::Headers(status, headers, text) => (status, headers, text),
        Reply::Slow(delay, content) => {
            tokio::time::sleep(delay).await;
            (200, Vec::new(), completion(&body, &content))
        }
        Reply::Ok(content) => (200, Vec::new(), completion(&body, &content)),
    };
    let headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    if status == 200 {
        shared.answered.lock().unwrap().push(body);
    }
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{headers}Connection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
}

fn completion(request_body: &str, content: &str) -> String {
    let model = serde_json::from_str::<serde_json::Value>(request_body)
        .ok()
        .and_then(|v| v["model"].as_str().map(String::from))
        .unwrap_or_default();
    serde_json::json!({
        "id": "chatcmpl-mock",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    })
    .to_string()
}

/// Reads one HTTP/1.1 request: path, Authorization header, body. `None` on a bad request.
async fn read_request(stream: &mut TcpStream) -> Option<(String, Option<String>, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 1 << 20 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split_whitespace().nth(1)?.to_string();
    let mut length = 0;
    let mut authorization = None;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().ok()?,
                "authorization" => authorization = Some(value.trim().to_string()),
                _ => {}
            }
        }
    }
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some((
        path,
        authorization,
        String::from_utf8_lossy(&buf[header_end..header_end + length]).to_string(),
    ))
}
