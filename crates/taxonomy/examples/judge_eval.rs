//! Measures the structural judge on labelled dev sets (bench/judge/*.csv, see
//! bench/judge/LABELLING.md): false alarms on paraphrases, detection per kind of change,
//! precision of what it reports (95% Wilson intervals), the share it leaves uncertain, and
//! the time per pair. `--show N` prints up to N pairs it gets wrong per file; `--write FILE`
//! writes every verdict with its evidence.
//!
//!   cargo run --release -p lookalike-taxonomy --example judge_eval -- \
//!     --coco ../shared/reference/coco/captions_val2017.json bench/judge/written.csv bench/judge/coco.csv
//!
//! The same numbers for other judges come from `bench/judge/run.sh`, which reads verdicts
//! written by `lookalike` (`--verdicts FILE.csv` with columns `id,judgement`).

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use lookalike_taxonomy::{failure_kind, Judgement, WordNet};

struct Row {
    id: String,
    a: String,
    b: String,
    label: String,
    kind: String,
}

fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n, z) = (k as f64, n as f64, 1.96f64);
    let p = k / n;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt() / (1.0 + z * z / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

fn rate(k: usize, n: usize) -> String {
    let (lo, hi) = wilson(k, n);
    let p = if n == 0 {
        0.0
    } else {
        100.0 * k as f64 / n as f64
    };
    format!(
        "{k:>4}/{n:<4} {p:5.1}%  [{:4.1}–{:4.1}]",
        100.0 * lo,
        100.0 * hi
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut show = 0usize;
    let mut write: Option<String> = None;
    let mut captions: HashMap<String, String> = HashMap::new();
    let mut verdicts: Option<HashMap<String, Judgement>> = None;
    let mut judge_name = "structural".to_string();
    while let Some(i) = args.iter().position(|a| a.starts_with("--")) {
        let flag = args.remove(i);
        let value = args
            .get(i)
            .cloned()
            .ok_or(format!("{flag} takes a value"))?;
        args.remove(i);
        match flag.as_str() {
            "--show" => show = value.parse()?,
            "--write" => write = Some(value),
            "--coco" => {
                // Dev sets of COCO pairs name captions by id; the captions stay in the COCO file.
                let json: serde_json::Value =
                    serde_json::from_reader(std::fs::File::open(&value)?)?;
                for a in json["annotations"].as_array().ok_or("no annotations")? {
                    captions.insert(
                        a["id"].as_i64().unwrap_or(-1).to_string(),
                        a["caption"].as_str().unwrap_or("").trim().to_string(),
                    );
                }
            }
            "--verdicts" => {
                let mut map = HashMap::new();
                for rec in csv::Reader::from_path(&value)?.records() {
                    let rec = rec?;
                    let j = Judgement::from_name(&rec[1])
                        .ok_or(format!("{value}: unknown judgement '{}'", &rec[1]))?;
                    map.insert(rec[0].to_string(), j);
                }
                judge_name = value.clone();
                verdicts = Some(map);
            }
            _ => return Err(format!("unknown flag {flag}").into()),
        }
    }
    if args.is_empty() {
        return Err(
            "usage: judge_eval [--show N] [--write OUT.csv] [--verdicts FILE] DEV.csv ...".into(),
        );
    }
    match WordNet::installed() {
        Some(wn) => println!("judge: {judge_name}; WordNet from {}", wn.dir().display()),
        None => println!("judge: {judge_name}; WordNet NOT installed (run `lookalike setup`)"),
    }
    for path in &args {
        let mut rows = Vec::new();
        for rec in csv::Reader::from_path(path)?.deserialize::<HashMap<String, String>>() {
            let r = rec?;
            let get = |k: &str| r.get(k).cloned().unwrap_or_default();
            let text = |t: &str, id: &str| match r.get(t) {
                Some(text) => Ok(text.clone()),
                None => captions.get(&get(id)).cloned().ok_or(format!(
                    "{path}: no {t}, and caption {} is not in --coco",
                    get(id)
                )),
            };
            rows.push(Row {
                id: get("id"),
                a: text("text_a", "id_a")?,
                b: text("text_b", "id_b")?,
                label: get("label"),
                kind: get("kind"),
            });
        }
        let started = Instant::now();
        let judged: Vec<(Judgement, String)> = rows
            .iter()
            .map(|r| match &verdicts {
                Some(map) => (
                    map.get(&r.id).copied().unwrap_or(Judgement::Uncertain),
                    String::new(),
                ),
                None => {
                    let v = failure_kind(&r.a, &r.b);
                    (v.judgement, format!("{} ({})", v.kind, v.explanation))
                }
            })
            .collect();
        let per_pair = started.elapsed().as_secs_f64() / rows.len().max(1) as f64;
        if let Some(out) = &write {
            let mut w = csv::Writer::from_path(out)?;
            w.write_record([
                "id",
                "judgement",
                "evidence",
                "text_a",
                "text_b",
                "label",
                "kind",
            ])?;
            for (r, v) in rows.iter().zip(&judged) {
                w.write_record([
                    r.id.as_str(),
                    v.0.name(),
                    v.1.as_str(),
                    r.a.as_str(),
                    r.b.as_str(),
                    r.label.as_str(),
                    r.kind.as_str(),
                ])?;
            }
        }
        let count = |label: &str, j: Option<Judgement>| {
            rows.iter()
                .zip(&judged)
                .filter(|(r, v)| r.label == label && j.is_none_or(|j| v.0 == j))
                .count()
        };
        let (same, change) = (count("same", None), count("change", None));
        println!(
            "\n{path}: {} pairs ({} change, {} same, {} borderline)",
            rows.len(),
            change,
            same,
            count("borderline", None)
        );
        println!(
            "  false alarms on paraphrases   {}",
            rate(count("same", Some(Judgement::ChangesMeaning)), same)
        );
        println!(
            "  paraphrases left uncertain    {}",
            rate(count("same", Some(Judgement::Uncertain)), same)
        );
        println!(
            "  changes detected              {}",
            rate(count("change", Some(Judgement::ChangesMeaning)), change)
        );
        println!(
            "  changes left uncertain        {}",
            rate(count("change", Some(Judgement::Uncertain)), change)
        );
        let reported: Vec<&Row> = rows
            .iter()
            .zip(&judged)
            .filter(|(_, v)| v.0 == Judgement::ChangesMeaning)
            .map(|(r, _)| r)
            .collect();
        let real = reported.iter().filter(|r| r.label == "change").count();
        let false_alarm = reported.iter().filter(|r| r.label == "same").count();
        println!(
            "  precision of reported         {}  (borderline left out)",
            rate(real, real + false_alarm)
        );
        println!(
            "  precision, borderline = false {}",
            rate(real, reported.len())
        );
        println!("  seconds per pair              {per_pair:.6}");
        // Per kind of the pairs with `label`: how many the judge reports as changes.
        let reported_per_kind = |label: &str, heading: &str| {
            let mut kinds: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
            for (r, v) in rows.iter().zip(&judged).filter(|(r, _)| r.label == label) {
                let e = kinds.entry(r.kind.as_str()).or_default();
                e.1 += 1;
                e.0 += (v.0 == Judgement::ChangesMeaning) as usize;
            }
            println!("  {heading}:");
            for (k, (hit, n)) in &kinds {
                println!("    {k:<18} {}", rate(*hit, *n));
            }
        };
        reported_per_kind("change", "detection per kind");
        reported_per_kind("same", "false alarms per shape");
        if show > 0 {
            println!("  wrong (label → judgement):");
            let wrong = rows.iter().zip(&judged).filter(|(r, v)| {
                (r.label == "same" && v.0 == Judgement::ChangesMeaning)
                    || (r.label == "change" && v.0 != Judgement::ChangesMeaning)
            });
            for (r, v) in wrong.take(show) {
                println!(
                    "    {} {}/{} → {}: {:?} / {:?} {}",
                    r.id, r.label, r.kind, v.0, r.a, r.b, v.1
                );
            }
        }
    }
    Ok(())
}
