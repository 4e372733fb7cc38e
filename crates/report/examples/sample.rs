//! Renders a sample audit: `cargo run -p lookalike-report --example sample -- /tmp/report.html`.

use lookalike_report::{render, Audit, Candidate, CategoryRow, TargetReport};

/// Synthetic candidates from a fixed linear congruential generator, so the sample is
/// reproducible without a random-number crate.
fn candidates(n: usize, seed: u64, threshold: f32, gap: f32) -> Vec<Candidate> {
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 40) as f32 / (1u64 << 24) as f32
    };
    (0..n)
        .map(|_| {
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
            Candidate {
                target_sim: target,
                reference_sim: Some(reference),
                flagged_by: flagged_by.map(String::from),
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
