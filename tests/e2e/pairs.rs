//! `lookalike_pairs` on real models and data, and its bad input.

use crate::common::{has_model, lookalike, root, shared, sql, sql_error};

fn captions() -> String {
    format!("corpus={}", root().join("data/captions.txt").display())
}

fn stderr_of(args: &[&str]) -> String {
    let out = lookalike(args, None);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{err}");
    err
}

#[test]
fn exact_and_hnsw_agree_on_the_sample_corpus_and_dedup_is_reported() {
    if !has_model("tiny-clip") {
        return;
    }
    let query = |method: &str| {
        format!("SELECT id_a, id_b, target_sim FROM lookalike_pairs('corpus', 'text', 'tiny-clip', NULL, quantile => 0.999, mode => 'candidates', {method}) ORDER BY target_sim DESC, id_a, id_b")
    };
    let exact = sql(&query("method => 'exact'"), &["-t", &captions()], None);
    let hnsw = sql(&query("method => 'hnsw'"), &["-t", &captions()], None);
    let ivf_every_cell = sql(
        &query("method => 'ivf', probes => 100000"),
        &["-t", &captions()],
        None,
    );
    assert_eq!(
        exact, ivf_every_cell,
        "IVF probing every cell is the exact search"
    );
    assert!(
        exact.lines().count() > 100,
        "a 0.999 quantile of 3,670 captions leaves thousands of pairs: {}",
        exact.lines().count()
    );
    assert_eq!(
        exact, hnsw,
        "HNSW with exact re-scoring returns the exact pairs"
    );
    let note = stderr_of(&[
        "--format",
        "csv",
        "-t",
        &captions(),
        "-c",
        &query("method => 'exact'"),
    ]);
    assert!(
        note.contains("lookalike_pairs: 3670 rows → 3670 distinct texts")
            && note.contains("equal after normalising"),
        "{note}"
    );
}

#[test]
fn no_self_pairs_no_normalised_duplicates_and_a_deterministic_order() {
    if !has_model("tiny-clip") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.txt");
    std::fs::write(&corpus, "A dog on a sofa.\na dog on a sofa\nA dog on a sofa.\na cat on a sofa\nThere is no dog here\n\na cat  on a sofa\n").unwrap();
    let table = format!("c={}", corpus.display());
    let out = sql(
        "SELECT id_a, id_b, text_a, text_b FROM lookalike_pairs('c', 'text', 'tiny-clip', NULL, threshold => -1, mode => 'candidates') ORDER BY id_a, id_b",
        &["-t", &table],
        None,
    );
    // Lines: 1 'A dog on a sofa.', 2 'a dog on a sofa', 3 repeat of 1, 4 'a cat on a sofa',
    // 5 excluded ('there is no'), 6 empty, 7 'a cat  on a sofa' (= 4 after normalising).
    assert_eq!(out, "id_a,id_b,text_a,text_b\n1,4,A dog on a sofa.,a cat on a sofa\n1,6,A dog on a sofa.,\n4,6,a cat on a sofa,\n", "{out}");
    let note = stderr_of(&["--format", "csv", "-t", &table, "-c", "SELECT count(*) FROM lookalike_pairs('c', 'text', 'tiny-clip', NULL, threshold => -1, mode => 'candidates')"]);
    assert!(
        note.contains("1 repeated, 1 with an excluded phrase"),
        "{note}"
    );
}

#[test]
fn reference_is_faithful_to_multimon_and_structural_judge_catches_what_it_misses() {
    if !has_model("minilm") || !has_model("mpnet") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c.txt");
    std::fs::write(
        &corpus,
        "the cake was eaten by the child\nthe child was eaten by the cake\ntwo dogs on the left of a red car\ntwo dogs on the right of a red car\na dog chasing a cat\na cat chasing a dog\na man with a hat\na man without a hat\n",
    )
    .unwrap();
    let table = format!("c={}", corpus.display());
    let out = sql(
        "SELECT text_a, text_b, round(target_sim, 3) AS t, round(reference_sim, 3) AS r, kind, flagged_by FROM lookalike_pairs('c', 'text', 'minilm', 'mpnet', mode => 'candidates') ORDER BY t DESC",
        &["-t", &table],
        None,
    );
    // The table of the pairs issue: mpnet shares minilm's blind spots, so the gap rule flags
    // none of these; the structural judge flags every one.
    assert!(out.contains("two dogs on the left of a red car,two dogs on the right of a red car,0.988,0.988,spatial,structural"), "{out}");
    assert!(out.contains("the cake was eaten by the child,the child was eaten by the cake,0.975,0.927,role_swap,structural"), "{out}");
    assert!(
        out.contains("a dog chasing a cat,a cat chasing a dog,0.977,0.96,role_swap,structural"),
        "{out}"
    );
    assert!(
        !out.contains("a man with a hat"),
        "0.812 is below the 0.9 target threshold: {out}"
    );
    let failures = sql("SELECT count(*) AS n FROM lookalike_pairs('c', 'text', 'minilm', 'mpnet', judge => 'reference')", &["-t", &table], None);
    assert_eq!(
        failures, "n\n0\n",
        "MultiMon's gap rule alone finds nothing here"
    );
}

#[test]
fn coco_hnsw_and_ivf_recall_against_exact_and_identical_reruns() {
    if !has_model("minilm") {
        return;
    }
    let Some(coco) = shared("reference/coco/captions_val2017.json") else {
        return;
    };
    let table = format!("coco={}", coco.display());
    let cache = root().join(".lookalike/cache");
    let query = |method: &str| {
        format!("SELECT id_a, id_b FROM lookalike_pairs('coco', 'caption', 'minilm', NULL, mode => 'candidates', {method}) ORDER BY target_sim DESC, id_a, id_b")
    };
    let run = |method: &str| {
        let out = lookalike(
            &["-q", "--format", "csv", "-t", &table, "-c", &query(method)],
            Some(&cache),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let exact = run("method => 'exact'");
    let hnsw = run("method => 'hnsw'");
    let ivf = run("method => 'ivf'");
    assert_eq!(
        ivf,
        run("method => 'ivf', threads => 1"),
        "IVF gives the same pairs on any thread count"
    );
    // One build thread makes the graph, hence the pairs, the same on every run (the
    // multi-threaded build interleaves insertions, so only its recall is promised).
    let serial = run("method => 'hnsw', threads => 1");
    assert_eq!(
        serial,
        run("method => 'hnsw', threads => 1"),
        "two single-threaded HNSW runs give identical results"
    );
    let exact_pairs: std::collections::HashSet<&str> = exact.lines().skip(1).collect();
    let found = hnsw
        .lines()
        .skip(1)
        .filter(|l| exact_pairs.contains(l))
        .count();
    let recall = found as f64 / exact_pairs.len() as f64;
    eprintln!(
        "COCO val, minilm > 0.9: {} exact pairs, HNSW recall {recall:.4}",
        exact_pairs.len()
    );
    assert!(
        exact_pairs.len() > 4000,
        "thousands of distinct COCO caption pairs are above 0.9 under minilm"
    );
    assert!(recall >= 0.995, "recall {recall}");
    let found_ivf = ivf
        .lines()
        .skip(1)
        .filter(|l| exact_pairs.contains(l))
        .count();
    eprintln!(
        "COCO val, minilm > 0.9: IVF recall {:.4}",
        found_ivf as f64 / exact_pairs.len() as f64
    );
    assert_eq!(
        found_ivf,
        ivf.lines().count() - 1,
        "IVF reports only true pairs"
    );
    assert!(
        found_ivf as f64 / exact_pairs.len() as f64 >= 0.995,
        "IVF recall {found_ivf}"
    );
    let found_serial = serial
        .lines()
        .skip(1)
        .filter(|l| exact_pairs.contains(l))
        .count();
    assert!(
        found_serial as f64 / exact_pairs.len() as f64 >= 0.995,
        "single-threaded recall {found_serial}"
    );
}

#[test]
fn bad_input_is_named() {
    let corpus = captions();
    let t = ["-t", corpus.as_str()];
    let err = sql_error(
        "SELECT * FROM lookalike_pairs('nope', 'text', 'minilm', 'mpnet')",
        &t,
    );
    assert!(err.contains("no table or file 'nope'"), "{err}");
    let err = sql_error(
        "SELECT * FROM lookalike_pairs('corpus', 'txt', 'tiny-clip', NULL, judge => 'structural')",
        &t,
    );
    assert!(
        err.contains("has no column 'txt' (columns: line, text)"),
        "{err}"
    );
    let err = sql_error(
        "SELECT * FROM lookalike_pairs('corpus', 'line', 'tiny-clip', NULL, judge => 'structural')",
        &t,
    );
    assert!(
        err.contains("column 'line' of 'corpus' is UInt64, not text"),
        "{err}"
    );
    let err = sql_error(
        "SELECT * FROM lookalike_pairs('corpus', 'text', 'no-model', 'mpnet')",
        &t,
    );
    assert!(err.contains("unknown model 'no-model'"), "{err}");
    let err = sql_error(
        "SELECT * FROM lookalike_pairs('corpus', 'text', 'minilm', 'mpnet', threshold => 1.2)",
        &t,
    );
    assert!(err.contains("threshold => 1.2 is outside [-1, 1]"), "{err}");
    let err = sql_error(
        "SELECT * FROM lookalike_pairs('corpus', 'text', 'minilm', 'mpnet', k => 0)",
        &t,
    );
    assert!(
        err.contains("k => 0 must be a positive whole number"),
        "{err}"
    );
    let err = sql_error("SELECT * FROM lookalike_pairs('corpus', 'text')", &t);
    assert!(
        err.contains("takes 3 to 4 positional arguments, got 2"),
        "{err}"
    );
    let err = sql_error(
        "SELECT * FROM lookalike_pairs('corpus', 'text', 'minilm', NULL, judge => 'reference')",
        &t,
    );
    assert!(
        err.contains("without a reference model, give judge => 'structural'"),
        "{err}"
    );
}

#[test]
fn degenerate_corpora_give_empty_results_with_a_reason() {
    if !has_model("tiny-clip") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, content, distinct) in [
        ("empty", "", 0),
        ("one", "a dog\n", 1),
        ("same", "a dog\na dog\na dog\n", 1),
    ] {
        let path = dir.path().join(format!("{name}.txt"));
        std::fs::write(&path, content).unwrap();
        let table = format!("c={}", path.display());
        let args = ["--format", "csv", "-t", &table, "-c", "SELECT count(*) AS n FROM lookalike_pairs('c', 'text', 'tiny-clip', NULL, judge => 'structural')"];
        let out = lookalike(&args, None);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {err}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "n\n0\n", "{name}");
        assert!(
            err.contains(&format!("{distinct} distinct texts")),
            "{name}: {err}"
        );
    }
}

#[test]
fn scrape_shortcut_writes_the_same_rows_as_the_table_function() {
    if !has_model("tiny-clip") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("failures.parquet");
    let corpus = root().join("data/captions.txt");
    let args = [
        "scrape",
        "--corpus",
        corpus.to_str().unwrap(),
        "--target",
        "tiny-clip",
        "--reference",
        "none",
        "--judge",
        "structural",
        "--quantile",
        "0.999",
        "--out",
        out_path.to_str().unwrap(),
    ];
    let out = lookalike(&args, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = sql(
        &format!("SELECT count(*) AS n FROM '{}'", out_path.display()),
        &[],
        None,
    );
    let direct = sql(
        "SELECT count(*) AS n FROM lookalike_pairs('corpus', 'text', 'tiny-clip', NULL, judge => 'structural', quantile => 0.999)",
        &["-t", &captions()],
        None,
    );
    assert_eq!(written, direct);
    assert_ne!(written, "n\n0\n");
}

/// EXPLAIN of a pair search over COCO val plans it without running it: nothing is embedded
/// (the cache stays empty) and no search note is printed; EXPLAIN ANALYZE runs it and reports
/// the rows.
#[test]
fn explain_plans_the_search_without_running_it() {
    if !has_model("minilm") {
        return;
    }
    let Some(coco) = shared("reference/coco/captions_val2017.json") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let table = format!("coco={}", coco.display());
    let started = std::time::Instant::now();
    let out = lookalike(
        &[
            "--format",
            "csv",
            "-t",
            &table,
            "-c",
            "EXPLAIN SELECT * FROM lookalike_pairs('coco', 'caption', 'minilm', 'mpnet')",
        ],
        Some(&cache),
    );
    let took = started.elapsed();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    eprintln!("EXPLAIN over COCO val took {took:?} (the process included)");
    assert!(
        stdout.contains("LookalikeTableFunctionExec") && stdout.contains("\"minilm\""),
        "{stdout}"
    );
    assert!(!stderr.contains("rows →"), "the search ran: {stderr}");
    let embedded = std::fs::read_dir(&cache).map(|d| d.count()).unwrap_or(0);
    assert_eq!(embedded, 0, "EXPLAIN embedded texts");

    let analyzed = sql(
        // minilm at 0.97: 250 pairs to judge (the random tiny CLIP puts millions above 0.9).
        "EXPLAIN ANALYZE SELECT * FROM lookalike_pairs('corpus', 'text', 'minilm', NULL, threshold => 0.97, judge => 'structural')",
        &["-t", &captions()],
        None,
    );
    assert!(
        analyzed.contains("LookalikeTableFunctionExec") && analyzed.contains("output_rows="),
        "{analyzed}"
    );
}

/// The int8 first pass changes the work, not the result: on the sample corpus the candidates,
/// their similarities (bit for bit) and verdicts equal a pure f32 scrape's, and both int8
/// imports stay close to their f32 models text by text (mpnet's least on the shortest texts:
/// 0.965 for "Two birds.").
#[test]
fn int8_first_pass_finds_exactly_the_f32_pairs() {
    if !has_model("minilm") || !has_model("minilm-int8") || !has_model("mpnet-int8") {
        return;
    }
    let query = |first_pass: &str| {
        format!("SELECT id_a, id_b, target_sim, kind, verdict FROM lookalike_pairs('corpus', 'text', 'minilm', NULL, mode => 'candidates', first_pass => '{first_pass}') ORDER BY target_sim DESC, id_a, id_b")
    };
    let exact = sql(&query("f32"), &["-t", &captions()], None);
    let two_pass = sql(&query("int8"), &["-t", &captions()], None);
    assert!(
        exact.lines().count() > 500,
        "{} pairs",
        exact.lines().count()
    );
    assert_eq!(exact, two_pass);
    // In failures mode the reference's int8 import decides which pairs need mpnet's exact
    // cosine: the rows, reference cosines included, are the same.
    for judge in ["reference", "either"] {
        let failures = |first_pass: &str| {
            format!("SELECT id_a, id_b, target_sim, reference_sim, flagged_by FROM lookalike_pairs('corpus', 'text', 'minilm', 'mpnet', judge => '{judge}', first_pass => '{first_pass}') ORDER BY target_sim DESC, id_a, id_b")
        };
        let exact = sql(&failures("f32"), &["-t", &captions()], None);
        assert!(exact.lines().count() > 2, "{judge}: {exact}");
        assert_eq!(
            exact,
            sql(&failures("int8"), &["-t", &captions()], None),
            "{judge}"
        );
    }
    let note = stderr_of(&["--format", "csv", "-t", &captions(), "-c", &query("int8")]);
    assert!(
        note.contains("minilm-int8 first pass: ") && !note.contains("WARNING"),
        "{note}"
    );
    let closeness = sql(
        "SELECT min(cosine_sim(embed('minilm', text), embed('minilm-int8', text))) > 0.98 AS minilm, \
                min(cosine_sim(embed('mpnet', text), embed('mpnet-int8', text))) > 0.95 AS mpnet \
         FROM (SELECT text FROM corpus LIMIT 400)",
        &["-t", &captions()],
        None,
    );
    assert_eq!(closeness, "minilm,mpnet\ntrue,true\n");
}
