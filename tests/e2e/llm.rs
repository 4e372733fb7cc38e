//! The LLM functions through the binary, against a mock OpenAI-compatible server on 127.0.0.1
//! (the llm crate's, with its scripted answers to MultiMon's prompts).

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::canned;
use crate::common::{lookalike, root};
use crate::mock::{MockServer, Reply, Request};

/// A server on its own runtime, alive while the value lives.
struct Server {
    server: Option<MockServer>,
    runtime: tokio::runtime::Runtime,
}

impl Server {
    fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(MockServer::start(handler));
        Server {
            server: Some(server),
            runtime,
        }
    }

    fn url(&self) -> String {
        self.server.as_ref().unwrap().base_url.clone()
    }

    fn requests(&self) -> usize {
        self.server.as_ref().unwrap().requests()
    }

    fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.stop());
        }
    }
}

/// The scripted pairs as a TSV table (their texts hold commas).
fn pairs_file(dir: &Path) -> PathBuf {
    let path = dir.join("pairs.tsv");
    let mut text = String::from("text_a\ttext_b\n");
    for (a, b) in canned::input_pairs() {
        text.push_str(&format!("{a}\t{b}\n"));
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Fast retries and a short timeout, so the faulty server's schedule takes seconds.
fn config_file(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("llm.toml");
    std::fs::write(&path, format!("timeout_secs = 1\nretry_base_delay_ms = 10\nretry_max_delay_ms = 40\nmax_retries = 6\n{extra}")).unwrap();
    path
}

/// Runs `queries` (csv output) against `url` with the LLM cache under `cache`.
fn run(url: &str, dir: &Path, cache: &Path, queries: &[&str], env: &[(&str, &str)]) -> Output {
    let pairs = format!("pairs={}", pairs_file(dir).display());
    let config = config_file(dir, "");
    let mut args: Vec<&str> = vec![
        "-q",
        "--format",
        "csv",
        "--llm",
        url,
        "--llm-model",
        "mock-1",
        "--llm-config",
        config.to_str().unwrap(),
        "-t",
        &pairs,
    ];
    for q in queries {
        args.extend(["-c", q]);
    }
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_lookalike"));
    command
        .args(&args)
        .current_dir(root())
        .env("LOOKALIKE_HOME", root().join(".lookalike"))
        .env("LOOKALIKE_CACHE", cache);
    command
        .env_remove("LOOKALIKE_LLM_BASE_URL")
        .env_remove("LOOKALIKE_LLM_MODEL")
        .env_remove("OPENAI_API_KEY")
        .env_remove("LOOKALIKE_LLM_CONFIG");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "lookalike failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "lookalike should have failed; stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8(out.stderr.clone()).unwrap();
    assert!(!text.contains("panicked"), "a panic, not an error: {text}");
    text
}

const PIPELINE: [&str; 4] = [
    "CREATE TABLE categories AS SELECT * FROM llm_categorize('pairs')",
    "SELECT rank, category, description, cardinality(examples) AS cited FROM categories ORDER BY rank",
    "SELECT category, count(*) AS n, min(text_a) AS first_a FROM llm_generate('categories', n => 50) GROUP BY category ORDER BY category",
    "SELECT llm_relevant(text_a, text_b, 'pets') AS relevant, count(*) AS n FROM pairs GROUP BY relevant ORDER BY relevant",
];

#[test]
fn categorize_generate_steer_through_sql_and_faults_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut clean = Server::start(canned::clean);
    let expected = stdout(&run(
        &clean.url(),
        dir.path(),
        &dir.path().join("clean"),
        &PIPELINE,
        &[],
    ));
    // MultiMon's categories for the scripted pairs, with the pairs each one cites.
    assert!(expected.contains("rank,category,description,cited\n1,Gender,The embedding ignores whether a man or a woman is shown.,1\n2,Counting,The number of objects is lost.,1\n"), "{expected}");
    // 50 distinct pairs per category: 38 from the first answer (its 3 repeats dropped), the
    // rest from a follow-up request that lists what it already has.
    assert!(expected.contains("category,n,first_a\nCounting,50,one cat next to a backpack\nGender,50,a man holding a backpack\n"), "{expected}");
    // The yes/no filter: the cat pairs are about pets, the horse-riding ones are not.
    assert!(
        expected.contains("relevant,n\nfalse,18\ntrue,18\n"),
        "{expected}"
    );
    clean.stop();

    // Every request first meets 429, 500, a timeout and a dropped connection.
    let mut faulty = Server::start(canned::faulty);
    let faulty_cache = dir.path().join("faulty");
    assert_eq!(
        stdout(&run(
            &faulty.url(),
            dir.path(),
            &faulty_cache,
            &PIPELINE,
            &[]
        )),
        expected
    );
    assert!(
        faulty.requests() > 40,
        "the faults were met: {} requests",
        faulty.requests()
    );
    let url = faulty.url();
    faulty.stop();

    // With the endpoint gone (the cache is keyed by endpoint, so the same URL), the response
    // cache answers everything.
    assert_eq!(
        stdout(&run(&url, dir.path(), &faulty_cache, &PIPELINE, &[])),
        expected
    );
}

#[test]
fn summaries_per_group_empty_groups_and_huge_groups() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(canned::clean);
    let out = stdout(&run(
        &server.url(),
        dir.path(),
        &dir.path().join("cache"),
        &[
            "SELECT substr(text_a, 1, 5) AS who, llm_summarize(text_a) AS summary FROM pairs GROUP BY who ORDER BY who",
            // A group with only NULLs and empty strings, and no rows at all: NULL, no request.
            "SELECT g, llm_summarize(t) IS NULL AS none FROM (VALUES (1, NULL), (1, ''), (2, 'a dog')) AS v(g, t) GROUP BY g ORDER BY g",
            "SELECT llm_summarize(text_a) IS NULL AS none FROM pairs WHERE text_a = 'nothing'",
            "SELECT count(*) AS n FROM llm_categorize('SELECT text_a, text_b FROM pairs WHERE false')",
        ],
        &[],
    ));
    assert!(out.contains("who,summary\na man,They all describe people riding horses.\none c,They all describe people riding horses.\n"), "{out}");
    assert!(out.contains("g,none\n1,true\n2,false\n"), "{out}");
    assert!(out.contains("none\ntrue\n"), "{out}");
    assert!(out.ends_with("n\n0\n"), "{out}");
    assert_eq!(
        server.requests(),
        3,
        "two groups and the 'a dog' group; nothing for empty ones"
    );

    // 20,000 texts overflow a 2,048-token context: the summary says how many it covers.
    let huge = run(
        &server.url(),
        dir.path(),
        &dir.path().join("cache"),
        &["SELECT llm_summarize('a photo of a dog number ' || CAST(value AS VARCHAR)) AS s FROM generate_series(1, 20000)"],
        &[("LOOKALIKE_LLM_CONTEXT_TOKENS", "2048")],
    );
    let huge = stdout(&huge);
    assert!(
        huge.contains(
            "of 20000 texts (the first texts); the rest did not fit the 2048-token context]"
        ),
        "{huge}"
    );

    // Pairs that overflow one context are categorized in batches, then merged.
    let before = server.requests();
    let batched = stdout(&run(
        &server.url(),
        dir.path(),
        &dir.path().join("cache"),
        &["SELECT category FROM llm_categorize('pairs') ORDER BY rank"],
        &[("LOOKALIKE_LLM_CONTEXT_TOKENS", "700")],
    ));
    assert!(
        server.requests() - before >= 5,
        "several batches and a merge: {}",
        server.requests() - before
    );
    assert!(batched.starts_with("category\n"), "{batched}");
}

#[test]
fn llm_errors_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    // No endpoint anywhere.
    let pairs = format!("pairs={}", pairs_file(dir.path()).display());
    let out = lookalike(
        &[
            "-q",
            "-t",
            &pairs,
            "-c",
            "SELECT * FROM llm_categorize('pairs')",
        ],
        Some(&cache),
    );
    let err = stderr(&out);
    assert!(
        err.contains("llm_categorize: no LLM endpoint configured")
            && err.contains("--llm URL --llm-model NAME")
            && err.contains("offline_generate"),
        "{err}"
    );

    // A wrong key: 401, and the key never printed.
    let server = Server::start(|req| match req.authorization.as_deref() {
        Some("Bearer right-key") => canned::clean(req),
        _ => Reply::Status(
            401,
            r#"{"error":{"message":"Incorrect API key provided: sk-wrong-secret-123"}}"#.into(),
        ),
    });
    let err = stderr(&run(
        &server.url(),
        dir.path(),
        &cache,
        &["SELECT * FROM llm_categorize('pairs')"],
        &[("LOOKALIKE_LLM_API_KEY", "sk-wrong-secret-123")],
    ));
    assert!(
        err.contains("wrong API key") && err.contains("HTTP 401"),
        "{err}"
    );
    assert!(
        !err.contains("sk-wrong-secret-123"),
        "the key is printed: {err}"
    );

    // A model the server does not know: 404 naming it.
    let server = Server::start(|_| {
        Reply::Status(
            404,
            r#"{"error":{"message":"The model `mock-1` does not exist","code":"model_not_found"}}"#
                .into(),
        )
    });
    let err = stderr(&run(
        &server.url(),
        dir.path(),
        &cache,
        &["SELECT llm_relevant('a', 'b', 'cars')"],
        &[],
    ));
    assert!(
        err.contains("llm_relevant")
            && err.contains("model 'mock-1' not found")
            && err.contains("HTTP 404"),
        "{err}"
    );

    // An answer with no pairs in it.
    let server = Server::start(|_| Reply::Ok("I'm sorry, I can't help with that.".into()));
    let err = stderr(&run(
        &server.url(),
        dir.path(),
        &cache,
        &["SELECT * FROM llm_generate('SELECT ''Negation'' AS category')"],
        &[],
    ));
    assert!(
        err.contains("no (text_a, text_b) pairs found in the answer for category 'Negation'")
            && err.contains("I'm sorry"),
        "{err}"
    );

    // Bad arguments are planning errors.
    let err = stderr(&run(
        &server.url(),
        dir.path(),
        &cache,
        &["SELECT * FROM llm_categorize('pairs', format => 'xml')"],
        &[],
    ));
    assert!(err.contains("format => 'xml' is not text"), "{err}");
    let err = stderr(&run(
        &server.url(),
        dir.path(),
        &cache,
        &["SELECT * FROM llm_categorize('no_such_table')"],
        &[],
    ));
    assert!(err.contains("no table or file 'no_such_table'"), "{err}");
    let err = stderr(&run(
        &server.url(),
        dir.path(),
        &cache,
        &["SELECT * FROM llm_categorize('SELECT text_a AS x FROM pairs')"],
        &[],
    ));
    assert!(
        err.contains("the source has no column 'text_a' (columns: x)"),
        "{err}"
    );
    let err = stderr(&run(
        &server.url(),
        dir.path(),
        &cache,
        &["SELECT * FROM offline_generate('pairs', 'text_a', kinds => 'synonym')"],
        &[],
    ));
    assert!(
        err.contains("kind 'synonym' does not change meaning"),
        "{err}"
    );
}

/// Planning sends nothing: EXPLAIN of every llm_* function leaves the endpoint untouched, while
/// running one query does reach it.
#[test]
fn explain_of_llm_functions_sends_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let mut server = Server::start(canned::clean);
    let explained = run(
        &server.url(),
        dir.path(),
        &cache,
        &[
            "EXPLAIN SELECT llm_judge(text_a, text_b) FROM pairs",
            "EXPLAIN SELECT llm_relevant('a dog', 'a cat', 'pets')",
            "EXPLAIN SELECT text_a FROM pairs WHERE llm_relevant(text_a, text_b, 'pets')",
            "EXPLAIN SELECT llm_relevant('pets', 'pets', 'pets') AS r, count(*) FROM pairs GROUP BY r",
            "EXPLAIN SELECT llm_summarize(text_a) FROM pairs",
            "EXPLAIN SELECT * FROM llm_categorize('pairs')",
            "EXPLAIN SELECT * FROM llm_generate('SELECT ''Counting'' AS category', n => 3)",
        ],
        &[],
    );
    let plans = stdout(&explained);
    assert!(plans.contains("LookalikeTableFunctionExec"), "{plans}");
    // The row-wise functions run as async UDFs: in a projection, a filter and a grouping.
    for call in [
        "expr=llm_judge(text_a@0, text_b@1)",
        "expr=llm_relevant(text_a@0, text_b@1, pets)",
        "expr=llm_relevant(pets, pets, pets)",
    ] {
        assert!(
            plans.contains(&format!(
                "AsyncFuncExec: async_expr=[async_expr(name=__async_fn_0, {call})]"
            )),
            "{call}: {plans}"
        );
    }
    assert_eq!(server.requests(), 0, "EXPLAIN sent a request");
    let ran = run(
        &server.url(),
        dir.path(),
        &cache,
        &["SELECT count(*) FROM llm_categorize('pairs')"],
        &[],
    );
    stdout(&ran);
    assert!(
        server.requests() > 0,
        "running the query reaches the endpoint"
    );
    server.stop();
}

/// Generation streams by category: with one category's endpoint hanging, a `LIMIT` that the
/// first category fills returns its rows, while the whole query fails naming the function.
#[test]
fn generation_streams_category_by_category() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let mut server = Server::start(|req: &Request| {
        if req.last_message().contains("Failure Mode:\nGender") {
            // Longer than the client's timeout (1 s) on every attempt.
            return Reply::Slow(std::time::Duration::from_secs(30), String::new());
        }
        canned::clean(req)
    });
    let categories = "SELECT column1 AS category FROM (VALUES (''Counting''), (''Gender''))";
    let first =
        format!("SELECT category, text_a FROM llm_generate('{categories}', n => 5) LIMIT 3");
    let out = stdout(&run(&server.url(), dir.path(), &cache, &[&first], &[]));
    assert_eq!(
        out,
        "category,text_a\nCounting,one cat next to a red ball\nCounting,one cat next to a kite\nCounting,one cat next to a guitar\n"
    );
    let all = format!("SELECT count(*) FROM llm_generate('{categories}', n => 5)");
    let err = stderr(&run(&server.url(), dir.path(), &cache, &[&all], &[]));
    assert!(err.contains("llm_generate"), "{err}");
    server.stop();
}
