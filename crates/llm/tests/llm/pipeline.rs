//! categorize + generate + relevant against a clean server and a faulty one: identical results;
//! then the cache holds every answer and a rerun with the server stopped costs nothing.

use lookalike_llm::prompts::CATEGORIZE_JSON_FORMAT;
use lookalike_llm::{Category, LlmClient, ResponseCache, Result, Secret};

use crate::canned::{clean, faulty, input_pairs};
use crate::mock::{MockServer, Reply};
use crate::test_config;

#[derive(Debug, PartialEq)]
struct Outcome {
    categories: Vec<Category>,
    generated: Vec<Vec<(String, String)>>,
    relevance: Vec<Option<bool>>,
}

async fn pipeline(client: &LlmClient) -> Result<Outcome> {
    let categories = client.categorize(&input_pairs()).await?;
    let mut generated = Vec::new();
    for category in &categories {
        generated.push(client.generate(category, 50).await?);
    }
    let mut relevance = Vec::new();
    for pairs in &generated {
        for (a, b) in pairs.iter().take(3) {
            relevance.push(client.relevant(a, b, "pets").await?);
        }
    }
    Ok(Outcome {
        categories,
        generated,
        relevance,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faulty_server_gives_clean_results_and_cache_replays_them() {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    let clean_server = MockServer::start(clean).await;
    let clean_client =
        LlmClient::new(test_config(&clean_server.base_url, Some(dirs.0.path()))).unwrap();
    let expected = pipeline(&clean_client).await.expect("clean run");

    // What the clean run found: batches merged by name (Gender/Genders) and by the merge
    // request (Counting/Quantity); 50 distinct pairs each; relevance from the answers.
    let names: Vec<&str> = expected
        .categories
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, vec!["Counting", "Gender"]);
    assert_eq!(
        expected.categories[0].description,
        "The number of objects is lost."
    );
    assert!(
        expected.categories[1].examples.len() >= 2,
        "one example from each of several batches"
    );
    assert!(expected.generated.iter().all(|g| g.len() == 50));
    assert_eq!(
        expected.generated[1][0],
        (
            "a man holding a red ball".to_string(),
            "a woman holding a red ball".to_string()
        )
    );
    assert_eq!(
        expected.relevance,
        vec![Some(true); 3]
            .into_iter()
            .chain(vec![Some(false); 3])
            .collect::<Vec<_>>()
    );

    let faulty_server = MockServer::start(faulty).await;
    let config = test_config(&faulty_server.base_url, Some(dirs.1.path()));
    let faulty_client = LlmClient::new(config.clone()).unwrap();
    let got = pipeline(&faulty_client).await.expect("faulty run");
    assert_eq!(
        got, expected,
        "faults and messy layouts must not change the results"
    );
    let stats = faulty_client.stats();
    let answered = faulty_server.distinct_answered();
    assert!(
        stats.retries >= 4 * answered as u64,
        "429, 500, timeout, drop before each answer: {stats:?}"
    );
    assert!(faulty_server.requests() >= 5 * answered);
    assert!(
        answered >= 9,
        "two categorize turns per batch, a merge, generation rounds, relevance: {answered}"
    );

    // The cache holds every answer paid for, with its parameters and never the key.
    let cache = faulty_client.cache().unwrap();
    assert_eq!(cache.len(), answered);
    for entry in cache.entries() {
        assert_eq!(
            (entry.model.as_str(), entry.base_url.as_str()),
            ("mock-gpt", faulty_server.base_url.as_str())
        );
        assert_eq!((entry.temperature, entry.seed), (0.0, Some(7)));
        assert!(!entry.request_json.contains("sk-test-key"));
    }
    drop(faulty_client);

    // Rerun with the server stopped: everything from the cache, no request at all.
    faulty_server.stop().await;
    // Another API key still hits the cache: the key is not part of the cache key.
    let mut offline = config.clone();
    offline.max_retries = 0;
    offline.api_key = Some(Secret::new("sk-another-key-987"));
    let replay_client = LlmClient::new(offline).unwrap();
    let replayed = pipeline(&replay_client).await.expect("replay from cache");
    assert_eq!(replayed, expected);
    assert_eq!(replay_client.stats().requests, 0);
    assert_eq!(replay_client.stats().cache_hits, answered as u64);

    // On disk: one compacted Parquet file after close, with all the answers.
    replay_client.cache().unwrap().clone().close().unwrap();
    let files: Vec<_> = std::fs::read_dir(dirs.1.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(ResponseCache::open(dirs.1.path()).unwrap().len(), answered);

    // The stopped server is really gone: an uncached request fails fast with a clear error.
    let err = replay_client
        .relevant("a new caption", "another caption", "pets")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("connection error") && err.to_string().contains(&config.base_url),
        "{err}"
    );
    clean_server.stop().await;
}

#[tokio::test]
async fn categorize_json_variant() {
    let server = MockServer::start(|req| {
        if req.message_count() == 1 {
            return Reply::Ok("OK.".into());
        }
        assert!(req.last_message().ends_with(CATEGORIZE_JSON_FORMAT));
        Reply::Ok(r#"Here you go:
```json
[{"name": "Gender", "description": "Man and woman are confused.", "examples": [["a man riding a horse", "a woman riding a horse"]]}]
```"#.into())
    })
    .await;
    let client = LlmClient::new(test_config(&server.base_url, None)).unwrap();
    let categories = client.categorize_json(&input_pairs()[..4]).await.unwrap();
    assert_eq!(categories.len(), 1);
    assert_eq!(
        categories[0].failure_mode(),
        "Gender: Man and woman are confused."
    );
    assert_eq!(
        categories[0].examples,
        vec![(
            "a man riding a horse".to_string(),
            "a woman riding a horse".to_string()
        )]
    );
}
