//! Tests of the rendered page: section ids, escaping, decision boundary, empty input,
//! determinism, and well-formed SVG without NaN or inf.

use lookalike_report::{render, Audit, Candidate, CategoryRow, TargetReport};

const EVIL: &str = r#"<script>alert("x")</script> & 'q'"#;

fn cand(t: f32, r: Option<f32>, flag: Option<&str>) -> Candidate {
    Candidate {
        target_sim: t,
        reference_sim: r,
        flagged_by: flag.map(String::from),
    }
}

fn cat(name: &str, pairs: u64, generated: u64, agreed: u64) -> CategoryRow {
    CategoryRow {
        category: name.into(),
        description: format!("{name} description"),
        pairs,
        generated,
        agreed,
        reproduced: agreed,
        success_rate: (generated > 0).then(|| agreed as f64 / generated as f64),
        examples: vec![(EVIL.into(), "a plain caption".into())],
    }
}

fn candidates(n: usize) -> Vec<Candidate> {
    (0..n)
        .map(|i| {
            let t = 0.9 + 0.1 * (i % 97) as f32 / 97.0;
            let r = t - 0.3 * (i % 13) as f32 / 13.0;
            let flag = match i % 4 {
                0 => None,
                1 => Some("reference"),
                2 => Some("structural"),
                _ => Some("both"),
            };
            cand(t, Some(r), flag)
        })
        .collect()
}

fn sample(gap: Option<f32>) -> Audit {
    Audit {
        title: "lookalike audit of data/captions.txt".into(),
        corpus: "data/captions.txt".into(),
        texts: 12_345,
        reference: Some("all-mpnet-base-v2".into()),
        threshold: 0.9,
        gap,
        generator: "offline (lexical edits)".into(),
        steer: Some("kitchens".into()),
        targets: vec![
            TargetReport {
                model: "clip-vit-b32".into(),
                candidates: candidates(500),
                categories: vec![cat("negation", 40, 20, 15), cat("spatial", 10, 0, 0)],
                uncertain: 0,
            },
            TargetReport {
                model: "openai/clip vit.L<14>".into(),
                candidates: candidates(50),
                categories: vec![cat("role swap", 3, 10, 0)],
                uncertain: 0,
            },
        ],
    }
}

/// Every `<svg>...</svg>` element of the page.
fn svgs(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("unclosed <svg>") + start + "</svg>".len();
        out.push(&rest[start..end]);
        rest = &rest[end..];
    }
    out
}

/// The tags of an XML-ish fragment: (name, is_close, is_self_closing, attribute text).
fn tags(s: &str) -> Vec<(String, bool, bool, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        let gt = rest[lt..].find('>').expect("unterminated tag") + lt;
        let inner = &rest[lt + 1..gt];
        assert!(!inner.contains('<'), "'<' inside a tag: {inner}");
        let close = inner.starts_with('/');
        let self_close = inner.ends_with('/');
        let body = inner.trim_start_matches('/').trim_end_matches('/');
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(!name.is_empty(), "empty tag name in <{inner}>");
        out.push((
            name.clone(),
            close,
            self_close,
            body[name.len()..].to_string(),
        ));
        rest = &rest[gt + 1..];
    }
    out
}

/// Asserts the fragment's tags nest properly, every attribute is `name="value"` with no
/// stray quote, and every numeric attribute holds finite numbers.
fn assert_well_formed_svg(svg: &str) {
    let mut stack: Vec<String> = Vec::new();
    for (name, close, self_close, attrs) in tags(svg) {
        if close {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.as_str()),
                "mismatched </{name}>"
            );
        } else if !self_close {
            stack.push(name.clone());
        }
        for (key, value) in attributes(&attrs) {
            if [
                "x",
                "y",
                "x1",
                "y1",
                "x2",
                "y2",
                "cx",
                "cy",
                "r",
                "width",
                "height",
                "viewBox",
                "points",
                "d",
                "transform",
            ]
            .contains(&key.as_str())
            {
                assert_finite_numbers(&key, &value);
            }
        }
    }
    assert!(stack.is_empty(), "unclosed tags: {stack:?}");
}

fn attributes(attrs: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = attrs.trim();
    while !rest.is_empty() {
        let eq = rest
            .find("=\"")
            .unwrap_or_else(|| panic!("attribute without =\"…\": {rest}"));
        let key = rest[..eq].trim().to_string();
        assert!(
            key.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':'),
            "bad key {key:?}"
        );
        let after = &rest[eq + 2..];
        let end = after.find('"').expect("unterminated attribute value");
        out.push((key, after[..end].to_string()));
        rest = after[end + 1..].trim_start();
    }
    out
}

fn assert_finite_numbers(key: &str, value: &str) {
    let lower = value.to_ascii_lowercase();
    assert!(
        !lower.contains("nan") && !lower.contains("inf"),
        "{key}=\"{value}\""
    );
    // Path commands, rotate(...), commas and spaces separate the numbers.
    for tok in value.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')) {
        if tok.is_empty() {
            continue;
        }
        let v: f64 = tok
            .parse()
            .unwrap_or_else(|_| panic!("{key}: bad number {tok:?} in {value:?}"));
        assert!(v.is_finite() && v.abs() < 1e5, "{key}: {v}");
    }
}

#[test]
fn every_section_id_is_present() {
    let html = render(&sample(Some(0.1)));
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains(r#"id="summary""#));
    for slug in ["clip-vit-b32", "openai_clip_vit_L_14_"] {
        for section in ["categories", "scatter", "bars"] {
            let id = format!(r#"id="{section}-{slug}""#);
            assert_eq!(html.matches(&id).count(), 1, "{id}");
        }
    }
    assert!(html.contains(
        r#"<section class="target" id="target-clip-vit-b32" data-model="clip-vit-b32">"#
    ));
    assert!(html.contains(r#"data-model="openai/clip vit.L&lt;14&gt;""#));
    // Summary: 500 candidates, i % 4 gives 125 per flag.
    let row = ["500", "125", "125", "125", "375"]
        .map(|n| format!(r#"<td class="n">{n}</td>"#))
        .concat();
    assert!(html.contains(&row), "{row}");
    // Overall success: (15 + 0) / (20 + 0) = 75 %.
    assert!(html.contains(r#"<td class="n">75.0%</td></tr>"#));
}

#[test]
fn captions_and_names_are_escaped() {
    let mut audit = sample(Some(0.1));
    audit.title = EVIL.into();
    audit.corpus = EVIL.into();
    audit.generator = EVIL.into();
    audit.steer = Some(EVIL.into());
    audit.reference = Some(EVIL.into());
    audit.targets[0].model = EVIL.into();
    audit.targets[0].categories[0].category = EVIL.into();
    audit.targets[0].categories[0].description = EVIL.into();
    let html = render(&audit);
    assert!(!html.contains("<script"), "raw <script> in output");
    assert!(!html.contains(EVIL));
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"));
    for svg in svgs(&html) {
        assert_well_formed_svg(svg);
    }
    // Control characters would be HTML parse errors; they become U+FFFD.
    audit.targets[0].categories[0].examples = vec![("a\u{0}b\u{7}".into(), "c".into())];
    assert!(render(&audit).contains("a\u{FFFD}b\u{FFFD}"));
}

#[test]
fn decision_boundary_drawn_only_with_gap_and_reference() {
    let with_gap = render(&sample(Some(0.1)));
    assert_eq!(
        with_gap.matches(r#"class="boundary-gap""#).count(),
        2 + 2,
        "line and legend per target"
    );
    assert!(with_gap.contains(r#"class="flag-zone""#));
    assert!(with_gap.contains(r#"class="boundary-threshold""#));

    let without_gap = render(&sample(None));
    // The stylesheet names the classes too, so look for them as attributes.
    assert!(!without_gap.contains(r#"class="boundary-gap""#));
    assert!(!without_gap.contains(r#"class="flag-zone""#));
    assert!(without_gap.contains(r#"class="boundary-threshold""#));

    // A gap without a reference encoder has nothing to be measured against.
    let mut no_ref = sample(Some(0.1));
    no_ref.reference = None;
    assert!(!render(&no_ref).contains(r#"class="boundary-gap""#));
}

#[test]
fn gap_line_has_the_right_slope() {
    let html = render(&sample(Some(0.1)));
    let svg = svgs(&html)[0];
    let line = svg
        .split("<line ")
        .find(|l| l.contains("boundary-gap\" clip-path"))
        .unwrap();
    let attrs = attributes(line.split("/>").next().unwrap());
    let get = |k: &str| {
        attrs
            .iter()
            .find(|(key, _)| key == k)
            .unwrap()
            .1
            .parse::<f64>()
            .unwrap()
    };
    // y = x − gap has slope 1 in data space, so pixel slope = -(y px per unit)/(x px per unit);
    // both end points must differ and the line must go up to the right.
    assert!(get("x2") > get("x1"));
    assert!(get("y2") < get("y1"));
}

#[test]
fn no_reference_says_so_instead_of_a_scatter() {
    let mut audit = sample(None);
    audit.reference = None;
    for t in &mut audit.targets {
        for c in &mut t.candidates {
            c.reference_sim = None;
        }
    }
    let html = render(&audit);
    assert!(html.contains(r#"id="scatter-clip-vit-b32""#));
    assert!(html.contains("No reference similarities"));
    assert!(!html.contains("class=\"dots"));
    assert!(html.contains("none (structural judge only)"));
}

#[test]
fn empty_audit_renders() {
    let html = render(&Audit::default());
    assert!(html.contains(r#"id="summary""#));
    assert!(html.contains("No target models were audited."));
    assert!(html.ends_with("</html>\n"));

    let audit = Audit {
        targets: vec![TargetReport::default()],
        ..Default::default()
    };
    let html = render(&audit);
    for id in ["categories-model", "scatter-model", "bars-model"] {
        assert!(html.contains(&format!(r#"id="{id}""#)), "{id}");
    }
    assert!(html.contains("No candidate pairs above the threshold."));
    assert!(html.contains("No failure categories"));
    assert!(
        html.contains(r#"<td class="n">n/a</td></tr>"#),
        "no generated pairs gives n/a, not NaN"
    );
    assert!(!html.contains("NaN"));
}

#[test]
fn output_is_deterministic() {
    assert_eq!(render(&sample(Some(0.1))), render(&sample(Some(0.1))));
    assert_eq!(render(&sample(None)), render(&sample(None)));
}

#[test]
fn svg_is_well_formed_and_finite_even_with_bad_numbers() {
    let mut audit = sample(Some(0.1));
    audit.targets[0].candidates.extend([
        cand(f32::NAN, Some(0.5), None),
        cand(0.95, Some(f32::INFINITY), Some("reference")),
        cand(1.5, Some(-3.0), Some("something else")),
    ]);
    audit.targets[0].categories.push(CategoryRow {
        category: "weird".into(),
        success_rate: Some(f64::NAN),
        ..Default::default()
    });
    audit.targets[1].categories.push(CategoryRow {
        success_rate: Some(7.0),
        ..Default::default()
    });
    for threshold in [0.9, f32::NAN, -5.0] {
        for gap in [Some(0.1), Some(f32::INFINITY), Some(-40.0), Some(0.0), None] {
            audit.threshold = threshold;
            audit.gap = gap;
            let html = render(&audit);
            let charts = svgs(&html);
            assert_eq!(charts.len(), 4, "two scatters and two bar charts");
            for svg in charts {
                assert_well_formed_svg(svg);
                assert!(!svg.contains("NaN") && !svg.contains("inf"));
            }
            assert!(!html.contains("NaN"));
        }
    }
}

#[test]
fn large_inputs_are_subsampled_deterministically() {
    let mut audit = sample(Some(0.1));
    audit.targets[0].candidates = candidates(50_000);
    let html = render(&audit);
    assert!(html.contains("50,000 candidate pairs; 20,000 of them drawn"));
    let svg = svgs(&html)[0];
    assert_eq!(svg.matches("h0").count(), 20_000);
    assert_eq!(html, render(&audit));
}

#[test]
fn colliding_model_names_get_unique_ids() {
    let mut audit = sample(None);
    audit.targets[0].model = "a/b".into();
    audit.targets[1].model = "a.b".into();
    let html = render(&audit);
    assert!(html.contains(r#"id="scatter-a_b""#));
    assert!(html.contains(r#"id="scatter-a_b-2""#));
}
