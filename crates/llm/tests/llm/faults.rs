//! Waiting as servers ask (`Retry-After` in seconds or as a date, capped), giving up within
//! the bound on a request's total wait with an error that names the request and never the key,
//! keeping the answers of the requests that did not fail, and an always-faulty endpoint that
//! still gives a clean run's answers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use lookalike_llm::{Category, ChatMessage, LlmClient, LlmConfig, LlmError, RetryLimit};

use crate::canned::{clean, input_pairs};
use crate::mock::{MockServer, Reply, Request};
use crate::test_config;

const KEY: &str = "sk-test-key-0123456789";

/// 429 asking for `retry_after` on the first attempt, a good answer on the next.
fn rate_limited_once(retry_after: String) -> impl Fn(&Request) -> Reply {
    move |req| match req.attempt {
        0 => Reply::Headers(
            429,
            vec![("Retry-After".into(), retry_after.clone())],
            r#"{"error":{"message":"Rate limit reached"}}"#.into(),
        ),
        _ => Reply::Ok("fine now".into()),
    }
}

/// The pause between the first and the second request the server saw.
fn first_pause(server: &MockServer) -> Duration {
    let arrivals = server.arrivals();
    assert_eq!(arrivals.len(), 2, "one 429, one retry");
    arrivals[1] - arrivals[0]
}

#[tokio::test]
async fn retry_after_seconds_is_honoured_and_capped() {
    let asked = MockServer::start(rate_limited_once("1".into())).await;
    let greedy = MockServer::start(rate_limited_once("3600".into())).await;
    let mut capped = test_config(&greedy.base_url, None);
    capped.max_retry_after = Duration::from_millis(300);
    let (asked_answer, greedy_answer) = tokio::join!(
        async {
            let client = LlmClient::new(test_config(&asked.base_url, None)).unwrap();
            client.chat(&[ChatMessage::user("hello")]).await
        },
        async {
            let client = LlmClient::new(capped).unwrap();
            client.chat(&[ChatMessage::user("hello")]).await
        }
    );
    assert_eq!(asked_answer.unwrap().text, "fine now");
    let pause = first_pause(&asked);
    // The backoff alone (5 ms base) would have come back almost at once.
    assert!(pause >= Duration::from_secs(1), "{pause:?}");
    assert_eq!(greedy_answer.unwrap().text, "fine now");
    let pause = first_pause(&greedy);
    assert!(
        pause >= Duration::from_millis(300) && pause < Duration::from_secs(2),
        "an hour asked, 300 ms allowed: {pause:?}"
    );
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    // RFC 9110's example date, to check the test's own formatter.
    assert_eq!(
        http_date(UNIX_EPOCH + Duration::from_secs(784_111_777)),
        "Sun, 06 Nov 1994 08:49:37 GMT"
    );
    let server = MockServer::start(move |req| {
        // The date is written when asked, so it says "two seconds from now" to the second.
        let date = http_date(SystemTime::now() + Duration::from_secs(2));
        rate_limited_once(date)(req)
    })
    .await;
    let client = LlmClient::new(test_config(&server.base_url, None)).unwrap();
    let answer = client.chat(&[ChatMessage::user("hello")]).await.unwrap();
    assert_eq!(answer.text, "fine now");
    // Whole seconds: the date is 1 to 2 s away when read.
    let pause = first_pause(&server);
    assert!(pause >= Duration::from_millis(900), "{pause:?}");
}

#[tokio::test]
async fn an_always_failing_server_is_given_up_within_the_bound_naming_the_request() {
    let server = MockServer::start(|_| {
        Reply::Status(
            503,
            format!(r#"{{"error":{{"message":"overloaded, and your key {KEY} is fine"}}}}"#),
        )
    })
    .await;
    let mut config = test_config(&server.base_url, None);
    config.max_retries = 1000;
    config.max_wait = Duration::from_secs(1);
    config.retry_base_delay = Duration::from_millis(20);
    config.retry_max_delay = Duration::from_millis(100);
    let client = LlmClient::new(config).unwrap();
    let started = Instant::now();
    let category = Category::new("Spatial Relations", "left and right are confused");
    let err = client.generate(&category, 10).await.unwrap_err();
    let elapsed = started.elapsed();
    // `waited` (below) is the exact check; the wall clock only shows that it did not go on
    // for its 1000 retries, with room for a loaded machine.
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    let LlmError::RetriesExhausted {
        attempts,
        waited,
        limit,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(*attempts > 3 && *waited <= Duration::from_secs(1), "{err}");
    assert_eq!(*limit, RetryLimit::Wait);
    let msg = err.to_string();
    assert!(
        msg.starts_with("gave up on generate ('Spatial Relations', round 1; cache key ")
            && msg.contains(&format!("after {attempts} attempts in "))
            && msg.contains(
                "no time left (max_wait_secs); last error: HTTP 503: overloaded, and your key *** is fine"
            ),
        "{msg}"
    );
    assert!(
        !msg.contains(KEY) && !format!("{err:?}").contains(KEY),
        "{msg}"
    );

    // A server asking to wait past the bound is given up at once, not slept on.
    let server = MockServer::start(rate_limited_once("30".into())).await;
    let mut config = test_config(&server.base_url, None);
    config.max_wait = Duration::from_secs(2);
    let started = Instant::now();
    let err = LlmClient::new(config)
        .unwrap()
        .summarize(&["a dog on a sofa", "a cat on a sofa"])
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(4), "30 s asked: {elapsed:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with("gave up on summarize (2 texts from 'a dog on a sofa'; cache key ")
            && msg.contains("after 1 attempts in ")
            && msg.contains("last error: HTTP 429 (Retry-After 30s): Rate limit reached"),
        "{msg}"
    );
}

/// One judge batch fails for good: the error names it, the other batches' answers are cached
/// all the same, and a rerun once the server is healed asks only for the failed one.
#[tokio::test]
async fn answers_before_a_failure_are_kept_for_the_rerun() {
    let cache = tempfile::tempdir().unwrap();
    let healed = Arc::new(AtomicBool::new(false));
    let healed_seen = healed.clone();
    let server = MockServer::start(move |req| {
        let poisoned = req.last_message().contains("a horse in a field number 20");
        if poisoned && !healed_seen.load(Ordering::SeqCst) {
            Reply::Status(500, "this batch always crashes".into())
        } else {
            clean(req)
        }
    })
    .await;
    let pairs: Vec<(String, String)> = (0..48)
        .map(|i| {
            (
                format!("a horse in a field number {i}"),
                format!("a pony in a field number {i}"),
            )
        })
        .collect();
    let mut config = test_config(&server.base_url, Some(cache.path()));
    config.max_retries = 2;
    let client = LlmClient::new(config.clone()).unwrap();
    let err = client.judge(&pairs).await.unwrap_err().to_string();
    assert!(
        err.starts_with(
            "gave up on judge (16 pairs from 'a horse in a field number 16'; cache key "
        ) && err.contains("after 3 attempts"),
        "{err}"
    );
    assert_eq!(client.cache().unwrap().len(), 2, "the two good batches");
    drop(client);

    healed.store(true, Ordering::SeqCst);
    let before = server.requests();
    let client = LlmClient::new(config).unwrap();
    let verdicts = client.judge(&pairs).await.unwrap();
    assert!(verdicts.iter().all(Option::is_some));
    assert_eq!(
        server.requests() - before,
        1,
        "only the failed batch is asked again"
    );
}

/// Random faults with a fixed seed, every request's first attempt failing: 429 with
/// `Retry-After: 0`, 500, empty choices, a truncated body, an answer slower than the timeout,
/// a dropped connection, now and then a good answer (always by the sixth attempt, so the test
/// cannot fail by bad luck). Twenty requests at once end in one call, with a clean run's answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_always_faulty_endpoint_gives_a_clean_runs_answers() {
    let caches = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let pairs: Vec<(String, String)> = input_pairs().into_iter().take(20).collect();
    let run = |config: LlmConfig| {
        let pairs = pairs.clone();
        async move {
            let client = LlmClient::new(config).unwrap();
            let checks = pairs.iter().map(|(a, b)| client.relevant(a, b, "pets"));
            let verdicts = futures::future::try_join_all(checks).await;
            let cached: Vec<(String, String)> = client
                .cache()
                .unwrap()
                .entries()
                .into_iter()
                .map(|e| (e.request_json, e.response_text))
                .collect();
            (verdicts.expect("every request ends well"), sorted(cached))
        }
    };
    let clean_server = MockServer::start(clean).await;
    let expected = run(test_config(&clean_server.base_url, Some(caches.0.path()))).await;
    assert_eq!(expected.0.len(), 20);
    assert_eq!(expected.1.len(), 20);

    let met = Arc::new(Mutex::new([0usize; 8]));
    let faulty = MockServer::start(random_faults(42, met.clone())).await;
    let mut config = test_config(&faulty.base_url, Some(caches.1.path()));
    config.timeout = Duration::from_millis(200);
    config.concurrency = 8;
    let started = Instant::now();
    let got = run(config).await;
    assert_eq!(got, expected, "faults change nothing");
    let met = *met.lock().unwrap();
    assert!(
        met.iter().all(|&n| n > 0),
        "every kind of fault, and good answers: {met:?}"
    );
    assert!(faulty.requests() >= 40, "{} requests", faulty.requests());
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(8), "{elapsed:?}");
    assert!(got
        .1
        .iter()
        .all(|(q, a)| !q.contains(KEY) && !a.contains(KEY)));
}

/// The faulty server; `met` counts the replies by kind (7: good answers).
fn random_faults(seed: u64, met: Arc<Mutex<[usize; 8]>>) -> impl Fn(&Request) -> Reply {
    move |req| {
        let roll = mix(seed ^ fnv(&req.body.to_string()) ^ mix(req.attempt as u64)) % 8;
        let kind = match (req.attempt, roll) {
            (5.., _) | (1.., 6..) => 7,
            (0, 6..) => 6,
            (_, roll) => roll as usize,
        };
        met.lock().unwrap()[kind] += 1;
        if req.attempt >= 5 {
            return clean(req);
        }
        let status = |code: u16, body: &str| Reply::Status(code, body.to_string());
        match (req.attempt, roll) {
            (_, 0) => Reply::Headers(
                429,
                vec![("Retry-After".into(), "0".into())],
                "slow down".into(),
            ),
            (_, 1) => status(500, &format!("crashed, key {KEY}")),
            (_, 2) => status(200, r#"{"id":"x","object":"chat.completion","choices":[]}"#),
            (_, 3) => status(
                200,
                r#"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Ye"#,
            ),
            (_, 4) => Reply::Slow(Duration::from_secs(1), "Yes.".into()),
            (_, 5) => Reply::Drop,
            (0, _) => status(503, "warming up"),
            _ => clean(req),
        }
    }
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// SplitMix64's finaliser.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), as servers write `Retry-After` dates.
fn http_date(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
