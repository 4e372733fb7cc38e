//! The page in headless Chromium (Debian's `chromium`) at 600 and 1,400 px.
//!
//! The page, opened as `report.html#selftest:TERM`, checks itself and writes `key=value` lines
//! (values percent-encoded) into `<pre id="selftest">`; `--dump-dom` hands them back. This
//! test asserts: nothing scrolls the page sideways; the category, judge and search filters
//! (and category with search) leave exactly the matching rows, a page of at most 100 drawn;
//! hostile texts reach the cells verbatim and run nothing; clicking "real failure" on the
//! first pair and "false alarm" on the second gives exactly the expected `reviews.csv` text
//! (the one *Save labels* downloads), keeps both labels in `localStorage`, counts them per
//! category, and survives a round trip (forget, load the text back, save again). The CSV is
//! written to the test's temporary folder as `reviews-<width>.csv`.
//!
//! Without Chromium on `PATH` (or in `LOOKALIKE_CHROMIUM`) the test prints why and passes,
//! except under `CI=true`, where it fails: `tests/run.sh` installs `chromium` when it can.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lookalike_report::{render, Audit, Candidate, CategoryRow, TargetReport};

/// Model name with a comma, quotes and markup: quoted in the CSV, escaped in the page.
const MODEL: &str = "clip, \"vit\" <b32>";
/// The first two flagged pairs, the ones the self-test reviews.
const HOSTILE: [(&str, &str); 2] = [
    (
        "</script><script>window.__pwned=1</script> a \"red\", car",
        "a <img src=x onerror=\"window.__pwned=1\"> & 'blue' car\nsecond line",
    ),
    (
        "a man, smiling \"broadly\"",
        "<!-- a smiling man --> \u{2028} ü",
    ),
];
const SEARCH: &str = "Giraffe";
const CATEGORIES: [&str; 3] = ["colour \"<&>\"", "negation", "spatial"];
const JUDGES: [&str; 4] = ["reference", "structural", "both", "llm"];
const ROWS: usize = 250;

fn category_of(i: usize) -> Option<&'static str> {
    (i % 7 != 6).then(|| CATEGORIES[i % 3])
}

fn judge_of(i: usize) -> &'static str {
    JUDGES[i % 4]
}

fn texts_of(i: usize) -> (String, String) {
    match HOSTILE.get(i) {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => {
            let animal = if i.is_multiple_of(5) {
                "giraffe"
            } else {
                "zebra"
            };
            (
                format!("a {animal} by a red car, number {i}"),
                format!("a {animal} by a blue car, number {i}"),
            )
        }
    }
}

fn sample() -> Audit {
    let mut candidates: Vec<Candidate> = (0..ROWS)
        .map(|i| {
            let (text_a, text_b) = texts_of(i);
            let t = 0.99 - 0.0003 * i as f32;
            Candidate {
                text_a,
                text_b,
                target_sim: t,
                reference_sim: (i % 11 != 3).then_some(t - 0.25),
                flagged_by: Some(judge_of(i).to_string()),
                category: category_of(i).map(String::from),
                evidence: (i % 9 != 4).then(|| format!("edit {i}: <b>colour</b> & \"size\"")),
                review: None,
            }
        })
        .collect();
    // Unflagged candidates are charted but never listed.
    candidates.extend((0..40).map(|i| Candidate {
        text_a: format!("a giraffe eating, photo {i}"),
        text_b: format!("a giraffe feeding, photo {i}"),
        target_sim: 0.93,
        reference_sim: Some(0.92),
        ..Default::default()
    }));
    let categories = CATEGORIES
        .iter()
        .map(|c| CategoryRow {
            category: c.to_string(),
            description: format!("{c}: a long description that wraps at narrow widths"),
            pairs: 80,
            generated: 20,
            agreed: 10,
            reproduced: 8,
            success_rate: Some(0.4),
            examples: vec![texts_of(0), texts_of(5)],
        })
        .collect();
    Audit {
        title: "browser test <audit> & \"quotes\"".into(),
        corpus: "data/a-very-long-corpus-path-without-any-spaces/that/should/wrap/anywhere/captions_val2017_with_a_long_name.json".into(),
        texts: 3670,
        reference: Some("mpnet".into()),
        threshold: 0.9,
        gap: Some(0.2),
        generator: "offline (lexical edits)".into(),
        steer: None,
        targets: vec![
            TargetReport {
                model: MODEL.into(),
                candidates,
                categories,
                uncertain: 12,
            },
            TargetReport {
                model: "minilm".into(),
                candidates: vec![Candidate {
                    text_a: "a dog".into(),
                    text_b: "a cat".into(),
                    target_sim: 0.95,
                    reference_sim: Some(0.5),
                    flagged_by: Some("reference".into()),
                    category: Some("object".into()),
                    evidence: None,
                    review: None,
                }],
                categories: vec![],
                uncertain: 0,
            },
        ],
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn expected_csv() -> String {
    let mut out = String::from("model,text_a,text_b,label\n");
    for ((a, b), label) in HOSTILE.iter().zip(["real_failure", "false_alarm"]) {
        let line: Vec<String> = [MODEL, a, b, label].iter().map(|s| csv_field(s)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("LOOKALIKE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Chromium, or `None` after saying why the test is skipped (a failure under `CI=true`).
fn chromium_or_skip() -> Option<PathBuf> {
    let found = find_chromium();
    if found.is_none() {
        let msg = "chromium not found on PATH (install Debian's `chromium`, or set \
                   LOOKALIKE_CHROMIUM): skipping the browser test of report.html";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg}; CI=true requires it");
        }
        eprintln!("{msg}");
    }
    found
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).expect("percent escape"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8 after percent-decoding")
}

/// `file://` URL of an absolute path, with the characters a URL would misread escaped.
fn file_url(path: &Path, fragment: &str) -> String {
    let mut url = String::from("file://");
    for b in path.to_str().expect("UTF-8 path").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                url.push(b as char)
            }
            _ => url.push_str(&format!("%{b:02X}")),
        }
    }
    url.push('#');
    url.push_str(fragment);
    url
}

/// Runs the self-test at `width` px and returns its results and the dumped DOM.
fn selftest(chromium: &Path, page: &Path, width: u32) -> (HashMap<String, String>, String) {
    let dir = page.parent().unwrap();
    let profile = dir.join(format!("chromium-profile-{width}"));
    let _ = std::fs::remove_dir_all(&profile);
    let url = file_url(page, &format!("selftest:{SEARCH}"));
    let dom_path = dir.join(format!("dom-{width}.html"));
    let err_path = dir.join(format!("chromium-{width}.log"));
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--window-size={width},1000"),
            "--virtual-time-budget=5000",
            "--dump-dom",
            &url,
        ])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&dom_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", chromium.display()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium ran over 120 s at {width} px");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let dom = std::fs::read_to_string(&dom_path).unwrap();
    let log = std::fs::read_to_string(&err_path).unwrap_or_default();
    assert!(
        status.success(),
        "chromium failed at {width} px ({status}):\n{log}"
    );
    let start = dom
        .find("<pre id=\"selftest\"")
        .unwrap_or_else(|| panic!("no selftest element in the dumped DOM:\n{log}"));
    let body_start = dom[start..].find('>').unwrap() + start + 1;
    let end = dom[body_start..].find("</pre>").unwrap() + body_start;
    let results: HashMap<String, String> = dom[body_start..end]
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), percent_decode(v)))
        .collect();
    assert_eq!(
        results.get("done").map(String::as_str),
        Some("1"),
        "the self-test did not finish at {width} px: {results:?}\n{log}"
    );
    let _ = std::fs::remove_dir_all(&profile);
    (results, dom)
}

fn check_width(width: u32) {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("report-browser-{width}"));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("report.html");
    let audit = sample();
    std::fs::write(&page, render(&audit)).unwrap();
    let (r, dom) = selftest(&chromium, &page, width);
    let get = |k: &str| -> &str {
        r.get(k)
            .unwrap_or_else(|| panic!("no {k} in the self-test results: {r:?}"))
    };
    let num = |k: &str| -> usize {
        get(k)
            .parse()
            .unwrap_or_else(|_| panic!("{k} = {:?}", get(k)))
    };
    assert!(
        !r.contains_key("error"),
        "self-test error: {}",
        get("error")
    );

    // Layout: the window really is `width` wide, and nothing scrolls the page sideways.
    assert_eq!(num("inner_width"), width as usize);
    assert_eq!(
        get("overflow_ok"),
        "true",
        "horizontal overflow at {width} px: scrollWidth {} > clientWidth {}; elements past the edge: {}",
        get("scroll_width"),
        get("client_width"),
        get("overflowing")
    );
    assert_eq!(get("overflowing"), "", "elements past the right edge");

    // Filters, against counts computed here from the same sample.
    let flagged = ROWS;
    assert_eq!(get("model"), MODEL);
    assert_eq!(num("rows"), flagged);
    assert_eq!(num("visible_unfiltered"), 100, "one page of 100 rows drawn");
    assert_eq!(get("page_label"), "rows 1–100 of 250");
    let visible = |n: usize| n.min(100);
    let matches = |f: &dyn Fn(usize) -> bool| (0..ROWS).filter(|&i| f(i)).count();
    let search = SEARCH.to_lowercase();
    let hit = |i: usize| {
        let (a, b) = texts_of(i);
        a.to_lowercase().contains(&search) || b.to_lowercase().contains(&search)
    };

    assert_eq!(get("category"), CATEGORIES[0]);
    let n = matches(&|i| category_of(i) == Some(CATEGORIES[0]));
    assert_eq!(num("category_matched"), n);
    assert_eq!(num("category_visible"), visible(n));
    assert_eq!(get("category_all_match"), "true");

    assert_eq!(
        get("judge"),
        "structural",
        "the judge filter lists structural first"
    );
    let n = matches(&|i| judge_of(i) == "structural");
    assert_eq!(num("judge_matched"), n);
    assert_eq!(num("judge_visible"), visible(n));
    assert_eq!(get("judge_all_match"), "true");

    assert_eq!(get("search"), SEARCH);
    let n = matches(&hit);
    assert!(n > 0 && n < ROWS);
    assert_eq!(num("search_matched"), n);
    assert_eq!(num("search_visible"), visible(n));
    assert_eq!(get("search_all_match"), "true");

    let n = matches(&|i| hit(i) && category_of(i) == Some(CATEGORIES[0]));
    assert!(n > 0);
    assert_eq!(num("category_search_matched"), n);
    assert_eq!(num("category_search_visible"), visible(n));
    assert_eq!(get("category_search_all_match"), "true");

    // Hostile texts are text, not markup: verbatim in the cells, nothing ran, no <img>.
    assert_eq!(get("texts_verbatim"), "true");
    assert_eq!(get("pwned"), "false");
    assert!(!dom.contains("<img"), "an <img> element reached the DOM");

    // Review: two clicks, the CSV the Save button downloads, storage, counts, round trip.
    assert_eq!(num("pressed"), 2);
    assert_eq!(get("csv"), expected_csv());
    assert_eq!(num("stored"), 2, "both labels kept in localStorage");
    assert_eq!(get("counts_reviewed"), "2");
    assert_eq!(get("counts_real"), "1");
    assert_eq!(get("counts_false"), "1");
    assert_eq!(get("counts_precision"), "50.0%");
    assert_eq!(num("review_filter_matched"), 1);
    assert_eq!(num("cleared_pressed"), 0);
    assert_eq!(num("roundtrip_loaded"), 2);
    assert_eq!(num("roundtrip_skipped"), 0);
    assert_eq!(get("roundtrip_same"), "true");
    assert_eq!(num("roundtrip_pressed"), 2);
    assert_eq!(get("parse_fields"), "4,4,4");

    // Narrow panels show the pairs as cards: at 600 px always, at 1,400 px too, since the
    // two targets sit side by side.
    assert_eq!(get("cards"), "true");

    let csv = dir.join(format!("reviews-{width}.csv"));
    std::fs::write(&csv, get("csv")).unwrap();
    eprintln!(
        "report.html at {width} px: no sideways scroll (scrollWidth {} ≤ clientWidth {}), \
         filters and review round trip pass; labels written to {}",
        get("scroll_width"),
        get("client_width"),
        csv.display()
    );
}

#[test]
fn report_works_in_chromium_at_600_px() {
    check_width(600);
}

#[test]
fn report_works_in_chromium_at_1400_px() {
    check_width(1400);
}
