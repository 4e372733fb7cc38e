//! `lookalike audit` end to end, offline: the Parquet tables, the report, resuming.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::compute::concat_batches;
use arrow::datatypes::{Float32Type, Float64Type, Int64Type};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::common::{has_model, lookalike, models, root, sql};

/// The first `n` captions of data/captions.txt, as a corpus file in `dir`.
fn corpus(dir: &Path, n: usize) -> PathBuf {
    let text = std::fs::read_to_string(root().join("data/captions.txt")).unwrap();
    let lines: Vec<&str> = text.lines().take(n).collect();
    let path = dir.join(format!("corpus-{n}.txt"));
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn read(path: &Path) -> RecordBatch {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    concat_batches(&batches[0].schema(), &batches).unwrap()
}

fn strings(batch: &RecordBatch, name: &str) -> Vec<String> {
    let c = arrow::compute::cast(
        batch.column_by_name(name).unwrap(),
        &arrow::datatypes::DataType::Utf8,
    )
    .unwrap();
    c.as_string::<i32>()
        .iter()
        .map(|s| s.unwrap_or("NULL").to_string())
        .collect()
}

fn audit(args: &[&str], cache: &Path) -> std::process::Output {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    lookalike(&all, Some(cache))
}

#[test]
fn offline_audit_of_two_targets_writes_tables_and_a_report() {
    if !has_model("minilm") || !has_model("mpnet") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 600);
    let out = dir.path().join("out");
    let cache = root().join(".lookalike/cache");
    let run = audit(
        &[
            "--corpus",
            corpus.to_str().unwrap(),
            "--target",
            "minilm,mpnet",
            "--reference",
            "mpnet",
            "--offline",
            "--out",
            out.to_str().unwrap(),
        ],
        &cache,
    );
    let stdout = String::from_utf8_lossy(&run.stdout).to_string();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        stdout.contains("minilm: ") && stdout.contains("mpnet: ") && stdout.contains("report.html"),
        "{stdout}"
    );
    // Every long step says what it is doing (a line each in a log; a bar on a terminal).
    let stderr = String::from_utf8_lossy(&run.stderr);
    for step in [
        "scrape · minilm: searching pairs above 0.9 among",
        "scrape · minilm: judging",
        "scrape · mpnet: judging",
    ] {
        assert!(stderr.contains(step), "no '{step}' in {stderr}");
    }
    // The summary's categories add up to its failures.
    let line = stdout
        .lines()
        .find(|l| l.starts_with("  minilm: "))
        .unwrap();
    let failures: u64 = line
        .split(" failures")
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let listed: u64 = stdout
        .lines()
        .skip_while(|l| !l.starts_with("  minilm: "))
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .map(|l| l.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(listed, failures, "{stdout}");

    // Pairs: every row a failure above the threshold, flagged by a judge, for both targets.
    let pairs = read(&out.join("pairs.parquet"));
    let candidates = read(&out.join("candidates.parquet"));
    assert!(
        pairs.num_rows() >= 10,
        "failures in 600 captions: {}",
        pairs.num_rows()
    );
    assert!(candidates.num_rows() >= pairs.num_rows());
    let sims = pairs
        .column_by_name("target_sim")
        .unwrap()
        .as_primitive::<Float32Type>();
    assert!(sims.iter().all(|s| s.unwrap() > 0.9));
    assert!(strings(&pairs, "flagged_by")
        .iter()
        .all(|f| ["reference", "structural", "both"].contains(&f.as_str())));
    // The judge's three answers: a structural flag is a confident change, a reference flag never
    // overrides a confident "same", and uncertain pairs are kept apart, never failures.
    for (f, v) in strings(&pairs, "flagged_by")
        .iter()
        .zip(strings(&pairs, "verdict"))
    {
        assert!(
            v != "same",
            "a failure the structural judge reads as the same picture"
        );
        if f == "structural" || f == "both" {
            assert_eq!(v, "changes_meaning");
        }
    }
    assert!(strings(&candidates, "verdict").iter().all(|v| [
        "changes_meaning",
        "same",
        "uncertain"
    ]
    .contains(&v.as_str())));
    let uncertain = read(&out.join("uncertain.parquet"));
    assert!(
        uncertain.num_rows() > 0,
        "600 captions leave some pairs uncertain"
    );
    assert!(strings(&uncertain, "verdict")
        .iter()
        .all(|v| v == "uncertain"));
    assert!(strings(&uncertain, "flagged_by")
        .iter()
        .all(|f| f == "NULL"));
    assert!(stdout.contains("uncertain (kept apart)"), "{stdout}");
    let targets = strings(&pairs, "target");
    assert!(targets.contains(&"minilm".to_string()) && targets.contains(&"mpnet".to_string()));
    // mpnet judged by itself has no gap: only the structural judge can flag its pairs.
    for (t, f) in targets.iter().zip(strings(&pairs, "flagged_by")) {
        if t == "mpnet" {
            assert_eq!(f, "structural");
        }
    }

    // Categories: the structural kinds, whose counts add up to the failures of each target.
    let categories = read(&out.join("categories.parquet"));
    let counts = categories
        .column_by_name("pairs")
        .unwrap()
        .as_primitive::<Int64Type>();
    let minilm_failures = targets.iter().filter(|t| *t == "minilm").count() as i64;
    let minilm_counted: i64 = strings(&categories, "target")
        .iter()
        .zip(counts.iter())
        .filter(|(t, _)| *t == "minilm")
        .map(|(_, c)| c.unwrap())
        .sum();
    assert_eq!(minilm_counted, minilm_failures);

    // Verification: the rate is what the generated pairs' similarities say.
    let generated = read(&out.join("generated.parquet"));
    let verification = read(&out.join("verification.parquet"));
    assert!(generated.num_rows() > 0, "offline generation made pairs");
    let g_sims = generated
        .column_by_name("target_sim")
        .unwrap()
        .as_primitive::<Float32Type>();
    let (g_target, g_category, g_verdict) = (
        strings(&generated, "target"),
        strings(&generated, "category"),
        strings(&generated, "verdict"),
    );
    let rates = verification
        .column_by_name("success_rate")
        .unwrap()
        .as_primitive::<Float64Type>();
    for (i, (t, c)) in strings(&verification, "target")
        .iter()
        .zip(strings(&verification, "category"))
        .enumerate()
    {
        // A generated pair reproduces when the target agrees and the judge confirms the change.
        let rows: Vec<(f32, &str)> = (0..generated.num_rows())
            .filter(|&j| &g_target[j] == t && g_category[j] == c)
            .map(|j| (g_sims.value(j), g_verdict[j].as_str()))
            .collect();
        if rows.is_empty() {
            assert!(rates.is_null(i), "{t}/{c}: no pairs, no rate");
        } else {
            let expected = rows
                .iter()
                .filter(|(s, v)| *s > 0.9 && *v == "changes_meaning")
                .count() as f64
                / rows.len() as f64;
            assert!(
                (rates.value(i) - expected).abs() < 1e-12,
                "{t}/{c}: {} vs {expected}",
                rates.value(i)
            );
        }
    }
    // A generated pair's similarity is the one embed() gives.
    let (a, b) = (
        strings(&generated, "text_a")[0].clone(),
        strings(&generated, "text_b")[0].clone(),
    );
    let q = format!(
        "SELECT cosine_sim(embed('{}', '{}'), embed('{}', '{}')) AS s",
        g_target[0],
        a.replace('\'', "''"),
        g_target[0],
        b.replace('\'', "''")
    );
    let direct: f32 = sql(&q, &[], Some(&cache))
        .lines()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (direct - g_sims.value(0)).abs() < 1e-6,
        "{direct} vs {}",
        g_sims.value(0)
    );

    // The report: every section, for both targets, and the tables are queryable by SQL.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for id in [
        "id=\"summary\"",
        "id=\"categories-minilm\"",
        "id=\"scatter-minilm\"",
        "id=\"bars-minilm\"",
        "id=\"categories-mpnet\"",
        "id=\"scatter-mpnet\"",
        "id=\"bars-mpnet\"",
    ] {
        assert!(html.contains(id), "report lacks {id}");
    }
    let outside = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !outside.contains("http://")
            && !outside.contains("https://")
            && !html.contains("<script src")
            && !html.contains("rel=\"stylesheet\""),
        "the report is self-contained: inline script and style, nothing loaded"
    );
    let joined = sql(&format!("SELECT count(*) AS n FROM '{}' p JOIN '{}' c ON p.target = c.target AND p.kind = c.category", out.join("pairs.parquet").display(), out.join("categories.parquet").display()), &[], None);
    assert_eq!(joined, format!("n\n{}\n", pairs.num_rows()));
    chromium_renders(&out.join("report.html"));
}

/// Opens the report in headless Chromium: it must load with no console message.
fn chromium_renders(report: &Path) {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        eprintln!("skipping the Chromium check: no chromium on PATH (apt-get install chromium)");
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .unwrap();
    let (dom, log) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "chromium failed: {log}");
    assert!(
        dom.contains("id=\"summary\"") && dom.contains("<svg"),
        "the DOM lacks the report: {}",
        &dom[..dom.len().min(500)]
    );
    let console: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:?}");
}

/// The report's review round trip, lookalike's half (#13): the labels the page saves as
/// reviews.csv in --out are read back by the next audit, which leaves reviewed false alarms out
/// of the failures, keeps every label on its candidate and hands it back to the page.
#[test]
fn reviews_saved_beside_the_outputs_shape_the_next_audit() {
    if !has_model("minilm") || !has_model("mpnet") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 600);
    let out = dir.path().join("out");
    let cache = root().join(".lookalike/cache");
    let args = [
        "--corpus",
        corpus.to_str().unwrap(),
        "--target",
        "minilm",
        "--offline",
        "--out",
        out.to_str().unwrap(),
    ];
    let first = audit(&args, &cache);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let pairs = read(&out.join("pairs.parquet"));
    assert!(pairs.num_rows() >= 2, "the sample corpus has failures");
    let (a, b) = (strings(&pairs, "text_a"), strings(&pairs, "text_b"));
    let csv_field = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    // The first failure is a false alarm (written b, a: order does not matter), the second real.
    let reviews = format!(
        "model,text_a,text_b,label\nminilm,{},{},false_alarm\nminilm,{},{},real_failure\nclip,{},{},false_alarm\n",
        csv_field(&b[0]),
        csv_field(&a[0]),
        csv_field(&a[1]),
        csv_field(&b[1]),
        csv_field(&a[1]),
        csv_field(&b[1]),
    );
    std::fs::write(out.join("reviews.csv"), reviews).unwrap();

    let second = audit(&args, &cache);
    let log = String::from_utf8_lossy(&second.stderr);
    assert!(second.status.success(), "{log}");
    assert!(log.contains("used the reviews in"), "{log}");
    assert!(
        out.join("reviews.csv").is_file(),
        "the labels outlive the outputs they label"
    );
    let after = read(&out.join("pairs.parquet"));
    assert_eq!(
        after.num_rows(),
        pairs.num_rows() - 1,
        "one false alarm left out"
    );
    let kept: Vec<(String, String)> = strings(&after, "text_a")
        .into_iter()
        .zip(strings(&after, "text_b"))
        .collect();
    assert!(!kept.contains(&(a[0].clone(), b[0].clone())));
    assert!(
        kept.contains(&(a[1].clone(), b[1].clone())),
        "the real failure stays"
    );
    let candidates = read(&out.join("candidates.parquet"));
    let mut labels: Vec<String> = strings(&candidates, "review")
        .into_iter()
        .filter(|l| l != "NULL")
        .collect();
    labels.sort();
    assert_eq!(
        labels,
        ["false_alarm", "real_failure"],
        "another model's labels do not apply"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(",\"false_alarm\"]") && html.contains(",\"real_failure\"]"));

    // A file that is not the page's gets an error naming it, before any stage.
    std::fs::write(out.join("reviews.csv"), "pair,verdict\nx,y\n").unwrap();
    let bad = audit(&args, &cache);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(
        err.contains("reviews.csv") && err.contains("model,text_a,text_b,label"),
        "{err}"
    );
    std::fs::write(
        out.join("reviews.csv"),
        "model,text_a,text_b,label\nminilm,x,y,maybe\n",
    )
    .unwrap();
    let err = audit(&args, &cache);
    assert!(String::from_utf8_lossy(&err.stderr).contains("a label is 'maybe'"));
}

#[test]
fn killed_audit_resumes_from_its_caches_with_identical_outputs() {
    if !has_model("minilm") || !has_model("mpnet") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 3670);
    let args = |out: &Path| {
        vec![
            "audit".to_string(),
            "--corpus".into(),
            corpus.display().to_string(),
            "--target".into(),
            "minilm".into(),
            "--offline".into(),
            "--out".into(),
            out.display().to_string(),
        ]
    };
    // Uninterrupted, on the suite's shared cache.
    let reference = dir.path().join("reference");
    let run = lookalike(
        &args(&reference)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        Some(&root().join(".lookalike/cache")),
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    // On a fresh cache, killed once the first chunk of embeddings is saved.
    let cache = dir.path().join("cache");
    let resumed = dir.path().join("resumed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_lookalike"))
        .args(args(&resumed))
        .env("LOOKALIKE_HOME", root().join(".lookalike"))
        .env("LOOKALIKE_MODELS", models())
        .env("LOOKALIKE_CACHE", &cache)
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let parts = || {
        walk(&cache.join("embeddings"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
            .count()
    };
    while parts() == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "no embedding chunk was saved"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the audit ended before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !resumed.join("pairs.parquet").exists(),
        "killed before writing outputs"
    );

    let rerun = lookalike(
        &args(&resumed)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        Some(&cache),
    );
    let log = String::from_utf8_lossy(&rerun.stderr);
    assert!(rerun.status.success(), "{log}");
    for name in [
        "candidates",
        "pairs",
        "categories",
        "generated",
        "verification",
    ] {
        let file = format!("{name}.parquet");
        assert!(
            std::fs::read(resumed.join(&file)).unwrap()
                == std::fs::read(reference.join(&file)).unwrap(),
            "{file} differs after resuming"
        );
    }
    // The killed run's staging directory is gone, and the outputs are exactly one run's files.
    let beside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(beside.is_empty(), "left behind: {beside:?}");
    let mut written: Vec<String> = std::fs::read_dir(&resumed)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    written.sort();
    let mut expected: Vec<String> = lookalike_audit::OUTPUT_FILES.map(String::from).to_vec();
    expected.sort();
    assert_eq!(written, expected);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| {
            if e.path().is_dir() {
                walk(&e.path())
            } else {
                vec![e.path()]
            }
        })
        .collect()
}

#[test]
fn audit_mistakes_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let corpus = corpus(dir.path(), 10);
    let out = dir.path().join("out");
    let err = |args: &[&str]| {
        let run = audit(args, &cache);
        assert!(!run.status.success());
        let text = String::from_utf8_lossy(&run.stderr).to_string();
        assert!(!text.contains("panicked"), "{text}");
        text
    };
    let c = corpus.to_str().unwrap();
    let o = out.to_str().unwrap();
    let e = err(&["--corpus", c, "--target", "minilm", "--out", o]);
    assert!(
        e.contains("no LLM endpoint configured") && e.contains("--offline"),
        "{e}"
    );
    let e = err(&[
        "--corpus",
        c,
        "--target",
        "minilm",
        "--offline",
        "--steer",
        "self-driving",
        "--out",
        o,
    ]);
    assert!(e.contains("--steer asks the LLM"), "{e}");
    let e = err(&[
        "--corpus",
        "/no/such/corpus.txt",
        "--target",
        "minilm",
        "--offline",
        "--out",
        o,
    ]);
    assert!(e.contains("/no/such/corpus.txt"), "{e}");
    let csv = dir.path().join("c.csv");
    std::fs::write(&csv, "id,words\n1,a dog\n").unwrap();
    let e = err(&[
        "--corpus",
        csv.to_str().unwrap(),
        "--target",
        "minilm",
        "--offline",
        "--out",
        o,
    ]);
    assert!(
        e.contains("no 'text' or 'caption' column (columns: id, words)"),
        "{e}"
    );
    let e = err(&[
        "--corpus",
        c,
        "--target",
        "no-such-model",
        "--offline",
        "--out",
        o,
    ]);
    assert!(e.contains("no-such-model"), "{e}");
}

#[test]
fn audit_with_an_llm_runs_the_llm_scripts_and_steers() {
    if !has_model("minilm") || !has_model("mpnet") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 600);
    let out = dir.path().join("out");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(crate::mock::MockServer::start(crate::canned::clean));
    let cache = root().join(".lookalike/cache");
    let run = lookalike(
        &[
            "audit",
            "--corpus",
            corpus.to_str().unwrap(),
            "--target",
            "minilm",
            "--llm",
            &server.base_url,
            "--llm-model",
            "mock-1",
            "--steer",
            "pets",
            "--per-category",
            "45",
            "--out",
            out.to_str().unwrap(),
        ],
        Some(&cache),
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // The LLM requests of each stage are counted as they are answered (a line per step in a log).
    let log = String::from_utf8_lossy(&run.stderr);
    for step in [
        "steer · minilm: asking the LLM whether",
        "categorize · minilm: asking the LLM to categorize",
        "generate · minilm: asking the LLM for new pairs of",
    ] {
        assert!(log.contains(step), "no '{step}' in {log}");
    }
    // Steering kept only the failures the LLM calls relevant (the scripted one says yes to cats and dogs).
    let pairs = read(&out.join("pairs.parquet"));
    assert!(pairs.num_rows() > 0);
    for (a, b) in strings(&pairs, "text_a")
        .iter()
        .zip(strings(&pairs, "text_b"))
    {
        let both = format!("{a} {b}").to_lowercase();
        assert!(
            both.contains("cat") || both.contains("dog"),
            "not about pets: {a} / {b}"
        );
    }
    // The LLM's categories, its generated pairs, and their verification.
    let categories = read(&out.join("categories.parquet"));
    assert_eq!(
        strings(&categories, "category"),
        ["Counting", "Gender"],
        "ordered by cited pairs, then name"
    );
    // Generation is steered too: the Gender pairs (people holding things) are not about pets,
    // so the relevance filter drops them all and only Counting (cats) keeps its 45.
    let generated = read(&out.join("generated.parquet"));
    assert_eq!(generated.num_rows(), 45);
    assert!(strings(&generated, "category")
        .iter()
        .all(|c| c == "Counting"));
    let verification = read(&out.join("verification.parquet"));
    assert_eq!(strings(&verification, "category"), ["Counting", "Gender"]);
    assert_eq!(
        verification
            .column_by_name("generated")
            .unwrap()
            .as_primitive::<Int64Type>()
            .values()
            .to_vec(),
        [45, 0]
    );
    assert!(
        verification
            .column_by_name("success_rate")
            .unwrap()
            .is_null(1),
        "no rate without pairs"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("mock-1") && html.contains("pets"),
        "the report names the LLM and the domain"
    );
}

#[test]
fn audit_with_the_llm_judge() {
    if !has_model("minilm") || !has_model("mpnet") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 300);
    let out = dir.path().join("out");
    let cache = dir.path().join("cache");
    // A cache of its own: the LLM's answers must start empty (300 captions embed in seconds).
    std::fs::create_dir_all(&cache).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(crate::mock::MockServer::start(crate::canned::clean));
    let url = server.base_url.clone();
    let args = [
        "--corpus",
        corpus.to_str().unwrap(),
        "--target",
        "minilm",
        "--judge",
        "llm",
        "--llm",
        &url,
        "--llm-model",
        "mock-1",
        "--out",
        out.to_str().unwrap(),
    ];
    let run = audit(&args, &cache);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let asked = server.requests();
    assert!(asked > 0, "the judge asked the LLM");
    // The scripted judge calls a pair the same only when both have the same words, so every
    // candidate it read is a failure flagged by 'llm', and candidates the structural judge
    // calls the same were never asked about (they keep 'same').
    let candidates = read(&out.join("candidates.parquet"));
    let pairs = read(&out.join("pairs.parquet"));
    assert!(pairs.num_rows() > 0);
    assert!(strings(&pairs, "flagged_by").iter().all(|f| f == "llm"));
    assert!(strings(&pairs, "verdict")
        .iter()
        .all(|v| v == "changes_meaning"));
    let verdicts = strings(&candidates, "verdict");
    assert_eq!(
        verdicts.iter().filter(|v| *v == "changes_meaning").count(),
        pairs.num_rows()
    );
    assert!(
        verdicts
            .iter()
            .all(|v| v == "changes_meaning" || v == "same"),
        "{verdicts:?}"
    );
    // Generated pairs are confirmed by the LLM judge too.
    let generated = read(&out.join("generated.parquet"));
    assert!(strings(&generated, "verdict").iter().all(|v| [
        "changes_meaning",
        "same",
        "uncertain"
    ]
    .contains(&v.as_str())));

    // Rerun with the server gone: every answer comes from the cache, outputs identical.
    runtime.block_on(server.stop());
    let again = dir.path().join("again");
    let mut args2 = args.to_vec();
    let last = args2.len() - 1;
    args2[last] = again.to_str().unwrap();
    let rerun = audit(&args2, &cache);
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    for f in [
        "candidates",
        "pairs",
        "uncertain",
        "generated",
        "verification",
    ] {
        let (x, y) = (
            std::fs::read(out.join(format!("{f}.parquet"))).unwrap(),
            std::fs::read(again.join(format!("{f}.parquet"))).unwrap(),
        );
        assert!(x == y, "{f}.parquet differs after a cached rerun");
    }

    let offline = audit(
        &[
            "--corpus",
            corpus.to_str().unwrap(),
            "--target",
            "minilm",
            "--judge",
            "llm",
            "--offline",
            "--out",
            out.to_str().unwrap(),
        ],
        &cache,
    );
    let err = String::from_utf8_lossy(&offline.stderr).to_string();
    assert!(
        !offline.status.success() && err.contains("--judge llm asks the LLM"),
        "{err}"
    );
}

/// Values reach the scripts as typed variables: a domain with commas, quotes, `&` and non-ASCII
/// arrives at the LLM verbatim and is recorded in the report; a model name with a quote is an
/// unknown model, found before any stage runs.
#[test]
fn audit_parameters_pass_through_verbatim_or_fail_before_any_stage() {
    if !has_model("minilm") || !has_model("mpnet") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 300);
    let cache = dir.path().join("cache");
    let out = dir.path().join("out");
    let (c, o) = (corpus.to_str().unwrap(), out.to_str().unwrap());

    let run = audit(
        &[
            "--corpus",
            c,
            "--target",
            "min'ilm",
            "--offline",
            "--out",
            o,
        ],
        &cache,
    );
    let stderr = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(!run.status.success());
    assert!(stderr.contains("unknown model 'min'ilm'"), "{stderr}");
    assert!(!stderr.contains("scrape "), "no stage may run: {stderr}");
    assert!(
        !cache.exists() || walk(&cache).is_empty(),
        "nothing embedded"
    );

    let domain = r#"cars, trucks; "quoted" & ünïcode"#;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let heard = seen.clone();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(crate::mock::MockServer::start(move |request| {
        heard.lock().unwrap().push(request.all_text());
        crate::canned::clean(request)
    }));
    let run = audit(
        &[
            "--corpus",
            c,
            "--target",
            "minilm",
            "--llm",
            &server.base_url,
            "--llm-model",
            "mock-1",
            "--steer",
            domain,
            "--per-category",
            "5",
            "--out",
            o,
        ],
        &cache,
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let asked = seen.lock().unwrap().clone();
    let steering = asked.iter().filter(|text| text.contains(domain)).count();
    assert!(
        steering > 0,
        "no request carried the domain verbatim among {}",
        asked.len()
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("cars, trucks; &quot;quoted&quot; &amp; ünïcode"),
        "the report records the domain"
    );
}

/// An output path that cannot be a directory fails before any stage runs, naming the path.
#[test]
fn unwritable_out_fails_before_any_stage() {
    if !has_model("minilm") || !has_model("mpnet") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 50);
    let cache = dir.path().join("cache");
    let out = dir.path().join("a-file");
    std::fs::write(&out, "not a directory").unwrap();
    let run = audit(
        &[
            "--corpus",
            corpus.to_str().unwrap(),
            "--target",
            "minilm",
            "--offline",
            "--out",
            out.to_str().unwrap(),
        ],
        &cache,
    );
    let stderr = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(!run.status.success());
    assert!(
        stderr.contains("the output directory") && stderr.contains("a-file"),
        "{stderr}"
    );
    assert!(!stderr.contains("scrape "), "no stage may run: {stderr}");
    assert!(walk(&cache).is_empty(), "nothing embedded");
}
