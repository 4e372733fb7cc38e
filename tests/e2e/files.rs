//! Files as tables, and output formats.

use crate::common::{lookalike, sql, sql_error};

#[test]
fn text_csv_ndjson_and_parquet_files_are_tables() {
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("prompts.txt");
    std::fs::write(&txt, "a red car\na blue car\n").unwrap();
    let csv = dir.path().join("logs.csv");
    std::fs::write(&csv, "id,prompt\n1,a red car\n2,a dog\n").unwrap();
    let ndjson = dir.path().join("events.ndjson");
    std::fs::write(
        &ndjson,
        "{\"id\": 1, \"prompt\": \"a dog\"}\n{\"id\": 2, \"prompt\": \"a cat\"}\n",
    )
    .unwrap();
    let tables = [
        "-t",
        txt.to_str().unwrap(),
        "-t",
        csv.to_str().unwrap(),
        "-t",
        &format!("ev={}", ndjson.display()),
    ];
    let out = sql(
        "SELECT p.line, l.id, e.id AS eid FROM prompts p JOIN logs l ON p.text = l.prompt JOIN ev e ON l.id = e.id",
        &tables,
        None,
    );
    assert_eq!(out, "line,id,eid\n1,1,1\n");
    let parquet = dir.path().join("p.parquet");
    sql(
        &format!("COPY (SELECT * FROM prompts) TO '{}'", parquet.display()),
        &tables,
        None,
    );
    assert_eq!(
        sql(
            "SELECT count(*) AS n FROM p",
            &["-t", parquet.to_str().unwrap()],
            None
        ),
        "n\n2\n"
    );
}

/// Every format `-t` reads is read the same way by path in a query.
#[test]
fn files_by_path_read_as_with_t() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let txt = write("prompts.txt", "a red car\na blue car\n");
    let tsv = write("logs.tsv", "id\tprompt\n1\ta red car\n2\ta dog\n");
    let jsonl = write("events.jsonl", "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3}\n");
    let ndjson = write("events.ndjson", "{\"id\": 1}\n");
    let coco = write(
        "captions.json",
        r#"{"annotations": [{"id": 5, "image_id": 9, "caption": "a dog"}, {"id": 6, "image_id": 9, "caption": "a cat"}]}"#,
    );
    let query = format!(
        "SELECT (SELECT count(*) FROM '{txt}') AS txt, (SELECT count(*) FROM '{tsv}') AS tsv, \
         (SELECT count(*) FROM '{jsonl}') AS jsonl, (SELECT count(*) FROM '{ndjson}') AS ndjson, \
         (SELECT count(*) FROM '{coco}') AS coco, (SELECT max(text) FROM '{txt}') AS text"
    );
    assert_eq!(
        sql(&query, &[], None),
        "txt,tsv,jsonl,ndjson,coco,text\n2,2,3,1,2,a red car\n"
    );
}

#[test]
fn non_utf8_text_file_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("latin1.txt");
    std::fs::write(&bad, b"caf\xe9 au lait\n").unwrap();
    let err = sql_error("SELECT 1", &["-t", bad.to_str().unwrap()]);
    assert!(
        err.contains("latin1.txt") && err.contains("not UTF-8") && err.contains("line 1"),
        "{err}"
    );
}

#[test]
fn missing_table_file_is_named() {
    let err = sql_error("SELECT 1", &["-t", "x=/nonexistent/prompts.txt"]);
    assert!(err.contains("/nonexistent/prompts.txt"), "{err}");
}

#[test]
fn json_and_parquet_output() {
    let out = lookalike(
        &[
            "-q",
            "--format",
            "json",
            "-c",
            "SELECT 1 AS a, [1.0, 2.0] AS v",
        ],
        None,
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        r#"[{"a":1,"v":[1.0,2.0]}]"#
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.parquet");
    let out = lookalike(
        &[
            "-q",
            "--format",
            "parquet",
            "-o",
            path.to_str().unwrap(),
            "-c",
            "SELECT 1 AS a",
        ],
        None,
    );
    assert!(out.status.success());
    assert_eq!(
        sql("SELECT a FROM o", &["-t", path.to_str().unwrap()], None),
        "a\n1\n"
    );
    let err = sql_error("SELECT 1", &["--format", "parquet"]);
    assert!(err.contains("--format parquet needs --output"), "{err}");
}

/// Strings stay plain Utf8 through Parquet and casts, so every file written (the audit's, COPY's)
/// opens in pyarrow 14 and older BI readers, which do not know Utf8View.
#[test]
fn parquet_written_from_parquet_and_casts_keeps_plain_strings() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("a.parquet"), dir.path().join("b.parquet"));
    let txt = dir.path().join("p.txt");
    std::fs::write(&txt, "a red car\n").unwrap();
    let tables = ["-t", txt.to_str().unwrap()];
    sql(
        &format!(
            "COPY (SELECT CAST(text AS VARCHAR) AS t FROM p) TO '{}'",
            first.display()
        ),
        &tables,
        None,
    );
    sql(
        &format!(
            "COPY (SELECT * FROM '{}') TO '{}'",
            first.display(),
            second.display()
        ),
        &[],
        None,
    );
    for path in [&first, &second] {
        let file = std::fs::File::open(path).unwrap();
        let reader =
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let field = reader.schema().field(0).clone();
        assert_eq!(
            field.data_type(),
            &arrow::datatypes::DataType::Utf8,
            "{}",
            path.display()
        );
    }
}

#[test]
fn every_function_is_documented_and_every_example_runs() {
    use crate::common::has_model;
    if !has_model("minilm") || !has_model("mpnet") {
        return;
    }
    let records = lookalike_sql::docs::all();
    let names: Vec<&str> = records.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "cosine_sim",
            "embed",
            "failure_kind",
            "llm_categorize",
            "llm_generate",
            "llm_judge",
            "llm_relevant",
            "llm_summarize",
            "lookalike_pairs",
            "offline_generate"
        ]
    );
    // The scalar functions' records reach information_schema through DataFusion.
    let described = sql(
        "SELECT DISTINCT routine_name FROM information_schema.routines WHERE routine_name IN ('cosine_sim', 'embed', 'failure_kind', 'llm_judge', 'llm_relevant', 'llm_summarize') AND description IS NOT NULL ORDER BY routine_name",
        &[],
        None,
    );
    assert_eq!(
        described,
        "routine_name\ncosine_sim\nembed\nfailure_kind\nllm_judge\nllm_relevant\nllm_summarize\n"
    );
    // The LLM examples run against the mock server, over a small `failures` table.
    let dir = tempfile::tempdir().unwrap();
    let failures = dir.path().join("failures.csv");
    std::fs::write(&failures, "text_a,text_b,kind\na dog chasing a cat,a cat chasing a dog,role_swap\na man with a hat,a man without a hat,presence\n").unwrap();
    let failures = format!("failures={}", failures.display());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(crate::mock::MockServer::start(crate::canned::clean));
    for (name, doc) in records {
        let example = doc
            .sql_example
            .as_deref()
            .unwrap_or_else(|| panic!("{name} has no example"));
        let out = lookalike(
            &[
                "-q",
                "--llm",
                &server.base_url,
                "--llm-model",
                "mock-1",
                "-t",
                &failures,
                "-c",
                example,
            ],
            None,
        );
        assert!(
            out.status.success(),
            "{name}'s example fails: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "{name}'s example prints a result");
    }
}

/// `COPY … TO` a CSV of a nested column fails before the file exists (#13): the writer would
/// fail on the first batch and leave a 0-byte file. Parquet and JSON take the same query.
#[test]
fn copy_of_a_list_to_csv_fails_before_creating_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("vectors.csv");
    let query = |path: &std::path::Path| {
        format!(
            "COPY (SELECT 'a' AS text, [0.5, 0.25] AS v) TO '{}'",
            path.display()
        )
    };
    let err = sql_error(&query(&csv), &[]);
    assert!(
        err.contains("column 'v'") && err.contains("CSV cannot hold") && err.contains("Parquet"),
        "{err}"
    );
    assert!(!csv.exists(), "no file is left behind");
    for ok in ["vectors.parquet", "vectors.json"] {
        sql(&query(&dir.path().join(ok)), &[], None);
        assert!(dir.path().join(ok).is_file());
    }
    // Its text, as the message suggests, fits in a CSV.
    sql(
        &format!(
            "COPY (SELECT arrow_cast(v, 'Utf8') AS v FROM (SELECT [0.5, 0.25] AS v)) TO '{}'",
            csv.display()
        ),
        &[],
        None,
    );
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "v\n\"[0.5, 0.25]\"\n"
    );
}

/// The shell as people expect (#13): `\mode`/`.mode` switch the output format, `\d` lists the
/// session's tables and `\d NAME` describes one (any name, quoted whole), an unknown table is
/// named, and the statements are kept in the history file.
#[test]
fn shell_modes_describe_and_history() {
    use std::io::Write;
    let home = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lookalike"))
        .arg("--no-cache")
        .env("LOOKALIKE_HOME", home.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"CREATE TABLE \"prod logs\" AS SELECT 'a | b' AS text, 3 AS n;\n\\mode csv\nSELECT n FROM \"prod logs\";\n\\d\n\\d prod logs\n\\d nosuch\n.mode markdown\nSELECT text FROM \"prod logs\";\n\\q\n",
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("n\n3\n"), "csv mode: {stdout}");
    assert!(
        stdout.contains("prod logs,BASE TABLE"),
        "\\d lists tables: {stdout}"
    );
    assert!(!stdout.contains("information_schema"), "{stdout}");
    assert!(
        stdout.contains("text,Utf8,NO") && stdout.contains("n,Int64,NO"),
        "\\d NAME: {stdout}"
    );
    assert!(
        stdout.contains("| text |\n| --- |\n| a \\| b |"),
        "markdown: {stdout}"
    );
    assert!(stderr.contains("no table 'nosuch'"), "{stderr}");
    let history = std::fs::read_to_string(home.path().join("history")).unwrap();
    assert!(
        history.contains("SELECT n FROM \"prod logs\";"),
        "{history}"
    );
}

/// The audit's Parquet and `COPY`'s open in the readers BI tools use (#13): pyarrow 14 (which
/// knows no Utf8View) and DuckDB, both from PyPI (the test command installs them into
/// .lookalike/bi); a CSV timestamp stays a timestamp in Parquet.
#[test]
fn outputs_open_in_pyarrow_14_and_duckdb() {
    let bi = crate::common::root().join(".lookalike/bi");
    if !bi.join("pyarrow").is_dir() || !bi.join("duckdb").is_dir() {
        crate::common::skip(&format!(
            "pyarrow and duckdb are not installed in {} (the test command installs them)",
            bi.display()
        ));
        return;
    }
    if !crate::common::has_model("minilm") || !crate::common::has_model("mpnet") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate::common::root().join("data/captions.txt")).unwrap();
    let corpus = dir.path().join("corpus.txt");
    std::fs::write(
        &corpus,
        text.lines().take(400).collect::<Vec<_>>().join("\n") + "\n",
    )
    .unwrap();
    let out = dir.path().join("audit");
    let run = lookalike(
        &[
            "audit",
            "--corpus",
            corpus.to_str().unwrap(),
            "--target",
            "minilm",
            "--offline",
            "--out",
            out.to_str().unwrap(),
        ],
        Some(&crate::common::root().join(".lookalike/cache")),
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let logs = dir.path().join("logs.csv");
    std::fs::write(
        &logs,
        "ts,prompt\n2026-11-30T08:15:00,a dog on a beach\n2026-12-01 17:45:30,a cat on a sofa\n",
    )
    .unwrap();
    let copied = dir.path().join("logs.parquet");
    sql(
        &format!(
            "COPY (SELECT * FROM '{}') TO '{}'",
            logs.display(),
            copied.display()
        ),
        &[],
        None,
    );
    let script = r#"
import sys, pyarrow, pyarrow.parquet as pq, duckdb
out, logs = sys.argv[1], sys.argv[2]
con = duckdb.connect()
assert pyarrow.__version__.startswith("14."), pyarrow.__version__
for name in ["candidates", "pairs", "uncertain", "categories", "generated", "verification"]:
    path = f"{out}/{name}.parquet"
    table = pq.read_table(path)
    assert "view" not in str(table.schema), (name, table.schema)
    n = con.execute(f"SELECT count(*) FROM '{path}'").fetchone()[0]
    assert n == table.num_rows, (name, n, table.num_rows)
joined = con.execute(f"SELECT count(*) FROM '{out}/pairs.parquet' p JOIN '{out}/categories.parquet' c ON p.target = c.target AND p.kind = c.category").fetchone()[0]
assert joined == pq.read_table(f"{out}/pairs.parquet").num_rows, joined
ts = pq.read_table(logs).schema.field("ts").type
assert pyarrow.types.is_timestamp(ts), ts
assert str(con.execute(f"SELECT max(ts) FROM '{logs}'").fetchone()[0]) == "2026-12-01 17:45:30"
print("ok")
"#;
    let check = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&out)
        .arg(&copied)
        .env("PYTHONPATH", &bi)
        .output()
        .unwrap();
    assert!(
        check.status.success() && String::from_utf8_lossy(&check.stdout).trim() == "ok",
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}
