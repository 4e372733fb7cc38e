//! The LLM judge against the mock server: one request per 16 pairs, the same verdicts from a
//! clean and an always-faulty server (messy answers, 429, 500, timeouts, dropped connections),
//! empty texts never asked, and a rerun served from the cache with the server gone.

use lookalike_llm::{LlmClient, PairVerdict, JUDGE_BATCH};

use crate::canned::{clean, faulty};
use crate::mock::MockServer;
use crate::test_config;

fn pairs() -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for i in 0..40 {
        pairs.push(match i % 4 {
            0 => (
                format!("a dog chasing {i} cats"),
                format!("{i} cats chasing a dog"),
            ),
            1 => (
                format!("a red car number {i}"),
                format!("a blue car number {i}"),
            ),
            2 => (format!("maybe a cat {i}"), format!("a cat {i}")),
            _ => (String::new(), format!("an empty caption {i}")),
        });
    }
    pairs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verdicts_batched_tolerant_of_faults_and_cached() {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let server = MockServer::start(clean).await;
    let config = test_config(&server.base_url, Some(dirs.0.path()));
    let client = LlmClient::new(config.clone()).unwrap();
    let verdicts = client.judge(&pairs()).await.expect("clean judge");
    let asked = pairs().iter().filter(|(a, _)| !a.is_empty()).count();
    assert_eq!(
        server.requests(),
        asked.div_ceil(JUDGE_BATCH),
        "one request per {JUDGE_BATCH} pairs"
    );
    for (i, v) in verdicts.iter().enumerate() {
        let expected = match i % 4 {
            0 => Some(PairVerdict::Same),
            1 => Some(PairVerdict::Different),
            2 => Some(PairVerdict::Unsure),
            _ => None,
        };
        assert_eq!(*v, expected, "pair {i}");
    }
    server.stop().await;

    let faulty_server = MockServer::start(faulty).await;
    let faulty_client =
        LlmClient::new(test_config(&faulty_server.base_url, Some(dirs.1.path()))).unwrap();
    assert_eq!(
        faulty_client.judge(&pairs()).await.expect("faulty judge"),
        verdicts,
        "faults change nothing"
    );
    faulty_server.stop().await;

    // The server is gone: every answer comes from the cache, no request at all.
    drop(client);
    let mut offline = config;
    offline.max_retries = 0;
    let replay = LlmClient::new(offline).unwrap();
    assert_eq!(
        replay.judge(&pairs()).await.expect("cached judge"),
        verdicts
    );
    assert_eq!(replay.stats().requests, 0);
    assert_eq!(replay.judge(&[]).await.unwrap(), vec![]);
}
