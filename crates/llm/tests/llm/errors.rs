//! Clear errors (401, 404, 400, retries exhausted, no pairs), empty input, huge groups, and the
//! concurrency limit, all against the mock server.

use std::time::Duration;

use lookalike_llm::{Category, ChatMessage, LlmClient, LlmConfig, LlmError};

use crate::mock::{MockServer, Reply};
use crate::test_config;

fn client(server: &MockServer) -> LlmClient {
    LlmClient::new(test_config(&server.base_url, None)).unwrap()
}

fn hello() -> Vec<ChatMessage> {
    vec![ChatMessage::user("hello")]
}

#[tokio::test]
async fn wrong_key_is_401_without_retry_and_without_the_key() {
    let server = MockServer::start(|req| {
        assert_eq!(req.authorization.as_deref(), Some("Bearer sk-test-key-0123456789"));
        Reply::Status(401, r#"{"error":{"message":"Incorrect API key provided: sk-test-key-0123456789.","type":"invalid_request_error","code":"invalid_api_key"}}"#.into())
    })
    .await;
    let err = client(&server).chat(&hello()).await.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, LlmError::Unauthorized { .. }), "{err:?}");
    assert!(
        msg.starts_with(&format!(
            "wrong API key for {}/chat/completions",
            server.base_url
        )),
        "{msg}"
    );
    assert!(
        !msg.contains("sk-test-key-0123456789")
            && !format!("{err:?}").contains("sk-test-key-0123456789"),
        "{msg}"
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn unknown_model_and_unknown_endpoint_are_404s() {
    // OpenAI / vLLM style body.
    let server = MockServer::start(|_| {
        Reply::Status(404, r#"{"error":{"message":"The model `mock-gpt` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}"#.into())
    })
    .await;
    let err = client(&server).chat(&hello()).await.unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "model 'mock-gpt' not found at {}/chat/completions",
            server.base_url
        )),
        "{err}"
    );
    assert_eq!(server.requests(), 1);
    // llama.cpp style body, whose integer "code" async-openai alone cannot read.
    let server = MockServer::start(|_| {
        Reply::Status(
            404,
            r#"{"error":{"code":404,"message":"model not found","type":"not_found_error"}}"#.into(),
        )
    })
    .await;
    let err = client(&server).chat(&hello()).await.unwrap_err();
    assert!(matches!(err, LlmError::ModelNotFound { .. }), "{err:?}");
    // A base URL without /v1: the mock answers 404 "Not Found" for any other path.
    let server = MockServer::start(|_| Reply::Ok("unreachable".into())).await;
    let base = server.base_url.trim_end_matches("/v1").to_string();
    let err = LlmClient::new(test_config(&base, None))
        .unwrap()
        .chat(&hello())
        .await
        .unwrap_err();
    assert!(matches!(err, LlmError::EndpointNotFound { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&format!(
            "endpoint not found: {base}/chat/completions answered HTTP 404"
        )),
        "{err}"
    );
}

#[tokio::test]
async fn other_4xx_fail_at_once_and_5xx_until_retries_run_out() {
    let server = MockServer::start(|_| {
        Reply::Status(
            400,
            r#"{"error":{"message":"max_tokens is too large"}}"#.into(),
        )
    })
    .await;
    let err = client(&server).chat(&hello()).await.unwrap_err();
    assert!(matches!(err, LlmError::Http { status: 400, .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("HTTP 400 for model 'mock-gpt': max_tokens is too large"),
        "{err}"
    );
    assert_eq!(server.requests(), 1);

    let server = MockServer::start(|_| Reply::Status(503, "overloaded".into())).await;
    let err = client(&server).chat(&hello()).await.unwrap_err();
    assert!(
        matches!(err, LlmError::RetriesExhausted { attempts: 7, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .ends_with("last error: HTTP 503: overloaded"),
        "{err}"
    );
    assert_eq!(server.requests(), 7);

    let server = MockServer::start(|_| Reply::Slow(Duration::from_secs(5), "late".into())).await;
    let mut config = test_config(&server.base_url, None);
    config.max_retries = 1;
    let err = LlmClient::new(config)
        .unwrap()
        .chat(&hello())
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("gave up on chat (hello; cache key ")
            && msg.contains("after 2 attempts in ")
            && msg.contains("no retries left (max_retries); last error: timed out after"),
        "{msg}"
    );
}

#[tokio::test]
async fn an_answer_without_pairs_names_the_category() {
    let server = MockServer::start(|_| {
        Reply::Ok(
            "I'm sorry, but I can't help with writing such pairs. Is there anything else?".into(),
        )
    })
    .await;
    let category = Category::new("Spatial Relations", "left and right are confused");
    let err = client(&server).generate(&category, 10).await.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, LlmError::NoPairs { .. }), "{err:?}");
    assert!(
        msg.contains("category 'Spatial Relations'") && msg.contains("I'm sorry, but I can't help"),
        "{msg}"
    );
    // The categorize answer with no categories is as clear.
    let err = client(&server)
        .categorize(&[("a b".into(), "c d".into())])
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("no failure categories found in the answer to batch 1 of 1"),
        "{err}"
    );
}

#[tokio::test]
async fn empty_input_sends_nothing() {
    let server = MockServer::start(|_| panic!("no request expected")).await;
    let c = client(&server);
    assert!(c.categorize(&[]).await.unwrap().is_empty());
    assert!(c.categorize_json(&[]).await.unwrap().is_empty());
    assert!(c
        .generate(&Category::new("Negation", "x"), 0)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(c.relevant("", "b", "pets").await.unwrap(), None);
    assert_eq!(c.relevant("a", "b", " ").await.unwrap(), None);
    assert_eq!(c.summarize::<&str>(&[]).await.unwrap(), "");
    assert_eq!(c.summarize(&["", "   "]).await.unwrap(), "");
    assert_eq!(server.requests(), 0);
}

#[tokio::test]
async fn huge_groups_are_cut_to_the_context_and_say_so() {
    let server = MockServer::start(|req| {
        let chars: usize = req.all_text().chars().count();
        // Every request fits the 1200-token context, less the 256-token answer.
        assert!(
            chars / 4 <= 1200 - 256,
            "request of {chars} chars overflows the context"
        );
        if req.last_message().starts_with("I’m trying") {
            Reply::Ok("1. Gender: man and woman are confused.".into())
        } else if req.last_message().starts_with("Below are") {
            Reply::Ok("[]".into())
        } else {
            Reply::Ok("Many texts about horses.".into())
        }
    })
    .await;
    let c = client(&server);
    let texts: Vec<String> = (0..2000)
        .map(|i| format!("text number {i} about a horse running in a green field"))
        .collect();
    let summary = c.summarize(&texts).await.unwrap();
    assert!(
        summary.starts_with("Many texts about horses. [summary of "),
        "{summary}"
    );
    assert!(
        summary.ends_with(
            " of 2000 texts (the first texts); the rest did not fit the 1200-token context]"
        ),
        "{summary}"
    );
    let one_huge = vec!["word ".repeat(100_000)];
    let summary = c.summarize(&one_huge).await.unwrap();
    assert!(
        summary.contains("[summary of 1 of 1 texts (a shortened first text)"),
        "{summary}"
    );

    // A large categorize input is split into batches, each fitting the context.
    let pairs: Vec<(String, String)> = (0..200)
        .map(|i| {
            (
                format!("a man riding horse number {i}"),
                format!("a woman riding horse number {i}"),
            )
        })
        .collect();
    let before = server.requests();
    let categories = c.categorize(&pairs).await.unwrap();
    assert_eq!(
        categories.len(),
        1,
        "same name in every batch → one category"
    );
    assert!(
        server.requests() - before > 4,
        "several batches, two turns each"
    );
}

#[tokio::test]
async fn concurrency_is_limited() {
    let server = MockServer::start(|_| Reply::Slow(Duration::from_millis(50), "Yes.".into())).await;
    let mut config = test_config(&server.base_url, None);
    config.concurrency = 2;
    let c = LlmClient::new(config).unwrap();
    let checks = (0..10).map(|i| {
        let c = c.clone();
        async move { c.relevant(&format!("a cat {i}"), "a dog", "pets").await }
    });
    let verdicts = futures::future::join_all(checks).await;
    assert!(verdicts.iter().all(|v| matches!(v, Ok(Some(true)))));
    assert!(server.max_in_flight() <= 2, "{}", server.max_in_flight());
    assert_eq!(server.requests(), 10);
}

#[test]
fn no_endpoint_says_how_to_configure_or_go_offline() {
    let err = LlmConfig::builder()
        .env([("PATH", "/usr/bin")])
        .build()
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("no LLM endpoint configured"), "{msg}");
    assert!(
        msg.contains("LOOKALIKE_LLM_BASE_URL")
            && msg.contains("failure_kind")
            && msg.contains("offline_generate"),
        "{msg}"
    );
}

/// An answer with empty `choices`, then a truncated body, then a good answer: one call,
/// finished by its retries, as against a server that misbehaves now and then.
#[tokio::test]
async fn empty_choices_and_truncated_json_are_asked_again() {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = calls.clone();
    let server =
        MockServer::start(
            move |_| match seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
                0 => Reply::Status(
                    200,
                    r#"{"id":"x","object":"chat.completion","choices":[]}"#.into(),
                ),
                1 => Reply::Status(
                    200,
                    r#"{"id":"x","object":"chat.completion","choices":[{"mess"#.into(),
                ),
                _ => Reply::Ok("hello back".into()),
            },
        )
        .await;
    let answer = client(&server).chat(&hello()).await.unwrap();
    assert_eq!(answer.text, "hello back");
    assert_eq!(server.requests(), 3);

    // A server that never gives text: the error says so after the retries, naming the reason.
    let server = MockServer::start(|_| Reply::Status(200, r#"{"choices":[]}"#.into())).await;
    let err = client(&server)
        .chat(&hello())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("after 7 attempts") && err.contains("an answer without text"),
        "{err}"
    );
}

/// A server that echoes the key: the answer (and so the cache and every output) has it
/// redacted.
#[tokio::test]
async fn an_echoed_key_never_reaches_the_answer() {
    let server =
        MockServer::start(|_| Reply::Ok("your key is sk-test-key-0123456789, thanks".into())).await;
    let answer = client(&server).chat(&hello()).await.unwrap();
    assert_eq!(answer.text, "your key is ***, thanks");
}

/// A config file with a syntax error on the key's line: the error names the line, never the key.
#[test]
fn a_broken_config_file_never_prints_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("llm.toml");
    std::fs::write(
        &path,
        "base_url = \"http://127.0.0.1:1/v1\"\napi_key = \"sk-secret-in-file-42\nmodel = \"m\"\n",
    )
    .unwrap();
    let err = LlmConfig::builder()
        .config_file(path.clone())
        .build()
        .unwrap_err()
        .to_string();
    assert!(!err.contains("sk-secret-in-file-42"), "{err}");
    assert!(err.contains("llm.toml") && err.contains("line 2"), "{err}");
}
