//! Renders a sample audit: `cargo run -p lookalike-report --example sample -- /tmp/report.html`.

use lookalike_report::{render, Audit, Candidate, CategoryRow, TargetReport};

const NOUNS: [&str; 8] = ["dog", "cat", "car", "man", "woman", "horse", "bus", "kite"];
const COLOURS: [&str; 6] = ["red", "blue", "green", "white", "black", "yellow"];
const PLACES: [&str; 5] = [
    "on a beach",
    "in a park",
    "on a street",
    "in a kitchen",
    "by a lake",
];

/// Synthetic candidates from a fixed linear congruential generator, so the sample is
/// reproducible without a random-number crate. Flagged pairs get a category and evidence.
fn candidates(n: usize, seed: u64, threshold: f32, gap: f32) -> Vec<Candidate> {
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 40) as f32 / (1u64 << 24) as f32
    };
    (0..n)
        .map(|i| {
            let target = threshold + (1.0 - threshold) * next();
            let reference = (target - 0.45 * next() * next()).clamp(-1.0, 1.0);
            let structural = next() < 0.15;
            let by_reference = target - reference > gap;
            let flagged_by = match (by_reference, structural) {
                (true, true) => Some("both"),
                (true, false) => Some("reference"),
                (false, true) => Some("structural"),
                (false, false) => None,
            };
            let pick = |k: usize, len: usize| (i * 7 + k * 13 + i / len) % len;
            let noun = NOUNS[pick(1, NOUNS.len())];
            let place = PLACES[pick(2, PLACES.len())];
            let (c1, c2) = (
                COLOURS[pick(3, COLOURS.len())],
                COLOURS[(pick(3, COLOURS.len()) + 1) % COLOURS.len()],
            );
            let (text_a, text_b, category) = match i % 4 {
                0 => (
                    format!("a {c1} {noun} {place} ({i})"),
                    format!("a {c2} {noun} {place} ({i})"),
                    "attribute binding with a very long category name",
                ),
                1 => (
                    format!("a {noun} {place}, photo {i}"),
                    format!("no {noun} {place}, photo {i}"),
                    "negation",
                ),
                2 => (
                    format!("a {noun} to the left of car {i}, {c1}"),
                    format!("a {noun} to the right of car {i}, {c1}"),
                    "spatial",
                ),
                _ => (
                    format!("a {noun} chasing a {c1} kite #{i}"),
                    format!("a {c1} kite chasing a {noun} #{i}"),
                    "role swap",
                ),
            };
            let evidence = flagged_by.map(|f| {
                format!(
                    "{category} edit; flagged by {f}; target − reference {:.3}",
                    target - reference
                )
            });
            Candidate {
                text_a,
                text_b,
                target_sim: target,
                reference_sim: Some(reference),
                category: flagged_by.map(|_| category.to_string()),
                flagged_by: flagged_by.map(String::from),
                evidence,
                review: None,
            }
        })
        .collect()
}

fn category(
    name: &str,
    description: &str,
    pairs: u64,
    generated: u64,
    agreed: u64,
    examples: &[(&str, &str)],
) -> CategoryRow {
    CategoryRow {
        category: name.into(),
        description: description.into(),
        pairs,
        generated,
        agreed,
        reproduced: agreed,
        success_rate: (generated > 0).then(|| agreed as f64 / generated as f64),
        examples: examples
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
    }
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "report-sample.html".into());
    let (threshold, gap) = (0.88_f32, 0.10_f32);
    let categories = vec![
        category(
            "negation",
            "one text negates the other",
            412,
            200,
            151,
            &[
                ("a man with a hat", "a man without a hat"),
                ("the door is open", "the door is not open"),
            ],
        ),
        category(
            "spatial",
            "a spatial relation is flipped (left/right, above/below)",
            288,
            200,
            173,
            &[("a cat to the left of a dog", "a cat to the right of a dog")],
        ),
        category(
            "role swap",
            "subject and object trade places",
            97,
            150,
            88,
            &[(
                "the cake was eaten by the child",
                "the child was eaten by the cake",
            )],
        ),
        category(
            "attribute binding with a very long category name",
            "colors bound to the wrong object",
            41,
            0,
            0,
            &[(
                "<script>alert(\"x\")</script> & 'q'",
                "a red cube & a blue sphere",
            )],
        ),
    ];
    let audit = Audit {
        title: "lookalike audit of data/captions.txt".into(),
        corpus: "data/captions.txt".into(),
        texts: 118_287,
        reference: Some("all-mpnet-base-v2".into()),
        threshold,
        gap: Some(gap),
        generator: "offline (lexical edits)".into(),
        steer: Some("self-driving".into()),
        targets: vec![
            TargetReport {
                model: "clip-vit-b32".into(),
                candidates: candidates(3_000, 7, threshold, gap),
                categories: categories.clone(),
                uncertain: 120,
            },
            TargetReport {
                model: "openai/clip-vit-large-patch14".into(),
                candidates: candidates(25_000, 11, threshold, gap),
                categories: categories[..2].to_vec(),
                uncertain: 900,
            },
            TargetReport {
                model: "empty model".into(),
                candidates: vec![],
                categories: vec![],
                uncertain: 0,
            },
        ],
    };
    std::fs::write(&path, render(&audit)).expect("write report");
    eprintln!("wrote {path}");
}
