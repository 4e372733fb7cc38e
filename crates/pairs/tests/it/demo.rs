//! MultiMon's demo pairs (scraped from MS-COCO) through `dedup_pairs`.

use std::collections::HashSet;
use std::path::PathBuf;

use lookalike_pairs::{dedup_pairs, normalize_text, Candidate, DedupReport};

const FILE: &str = "reference/multimon/derived_demo_scraped_pairs.tsv";

/// `shared/` beside the checkout (CI and developers), or `$LOOKALIKE_SHARED`.
fn shared_file() -> Option<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("LOOKALIKE_SHARED")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            manifest.join("../../../shared"),
            manifest.join("../../shared"),
        ])
        .map(|dir| dir.join(FILE))
        .find(|path| path.is_file())
}

fn read_pairs() -> Option<Vec<(String, String)>> {
    let Some(path) = shared_file() else {
        println!("skipping: {FILE} not found beside the checkout (set LOOKALIKE_SHARED)");
        return None;
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .has_headers(true)
        .from_path(&path)
        .unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.iter().collect::<Vec<_>>(), ["sample_1", "sample_2"]);
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), 2, "row {:?}", r.position());
            (r[0].to_string(), r[1].to_string())
        })
        .collect();
    Some(rows)
}

#[test]
fn demo_pairs_dedup_to_distinct_normalised_pairs() {
    let Some(rows) = read_pairs() else { return };
    assert_eq!(rows.len(), 116);
    let with_newline = rows
        .iter()
        .filter(|(a, b)| a.contains('\n') || b.contains('\n'))
        .count();
    assert_eq!(with_newline, 4, "quoted values with embedded newlines");

    let unordered = |f: fn(&str) -> String| -> HashSet<(String, String)> {
        rows.iter()
            .map(|(a, b)| (f(a), f(b)))
            .map(|(a, b)| if a <= b { (a, b) } else { (b, a) })
            .collect()
    };
    let ordered: HashSet<&(String, String)> = rows.iter().collect();
    assert_eq!(ordered.len(), 98, "distinct ordered pairs by exact text");
    assert_eq!(
        unordered(|s| s.to_string()).len(),
        94,
        "distinct unordered pairs by exact text"
    );
    let collapse = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(
        unordered(collapse).len(),
        91,
        "distinct unordered pairs, whitespace collapsed"
    );
    assert_eq!(
        unordered(normalize_text).len(),
        90,
        "distinct unordered pairs, normalised"
    );

    // Row r's texts get ids 2r and 2r + 1: repeats of a caption live under different ids.
    let texts: Vec<&str> = rows
        .iter()
        .flat_map(|(a, b)| [a.as_str(), b.as_str()])
        .collect();
    let pairs: Vec<Candidate> = (0..rows.len() as u32)
        .map(|r| Candidate {
            a: 2 * r,
            b: 2 * r + 1,
            target_sim: 0.95,
        })
        .collect();
    let (kept, report) = dedup_pairs(&pairs, &texts).unwrap();
    println!(
        "demo dedup: {} rows -> {} kept, {report:?}",
        rows.len(),
        kept.len()
    );

    let mut seen = HashSet::new();
    for c in &kept {
        let (x, y) = (
            normalize_text(texts[c.a as usize]),
            normalize_text(texts[c.b as usize]),
        );
        assert_ne!(x, y, "kept a pair equal after normalisation: {x:?}");
        let key = if x <= y { (x, y) } else { (y, x) };
        assert!(
            seen.insert(key.clone()),
            "kept the same normalised pair twice: {key:?}"
        );
    }
    // Kept pairs are the first occurrence of each (smallest ids) and stay in input order.
    assert!(kept.windows(2).all(|w| w[0].a < w[1].a));
    assert_eq!(
        kept.len() + report.normalized_equal + report.duplicate,
        rows.len()
    );
    // Measured: no pair is equal after normalisation; 26 repeat a kept pair, among them
    // "a stop sign that has graffiti written on it[.]" / "a stop sign with some graffiti on it ."
    // which differ only by the final full stop.
    assert_eq!(
        report,
        DedupReport {
            normalized_equal: 0,
            duplicate: 26
        }
    );
    assert_eq!(kept.len(), 90);
}
