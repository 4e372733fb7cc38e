//! Tests of the rendered page: section ids, escaping, decision boundary, empty input,
//! determinism, well-formed SVG without NaN or inf, and the flagged pairs' JSON and filters.
//! The page's script is exercised in a browser by tests/browser.rs.

use lookalike_report::{render, Audit, Candidate, CategoryRow, TargetReport};

const EVIL: &str = r#"<script>alert("x")</script> & 'q'"#;

fn cand(t: f32, r: Option<f32>, flag: Option<&str>) -> Candidate {
    Candidate {
        target_sim: t,
        reference_sim: r,
        flagged_by: flag.map(String::from),
        ..Default::default()
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
            Candidate {
                text_a: format!("text a {i}"),
                text_b: format!("text b {i}"),
                category: flag.map(|_| ["negation", "spatial"][i % 2].to_string()),
                evidence: flag.map(|f| format!("{f} evidence {i}")),
                ..cand(t, Some(r), flag)
            }
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
    assert_eq!(html.matches(r#"id="review""#).count(), 1);
    for slug in ["clip-vit-b32", "openai_clip_vit_L_14_"] {
        for section in ["categories", "scatter", "bars", "pairs", "review"] {
            let id = format!(r#"id="{section}-{slug}""#);
            assert_eq!(html.matches(&id).count(), 1, "{id}");
        }
    }
    assert!(html.contains(
        r#"<section class="target" id="target-clip-vit-b32" data-model="clip-vit-b32">"#
    ));
    assert!(html.contains(r#"data-model="openai/clip vit.L&lt;14&gt;""#));
    // Summary: 500 candidates, i % 4 gives 125 per flag.
    let row = [
        ("candidates", "500"),
        ("flagged: reference", "125"),
        ("flagged: structural", "125"),
        ("flagged: both", "125"),
        ("failures", "375"),
    ]
    .map(|(label, n)| format!(r#"<td class="n" data-label="{label}">{n}</td>"#))
    .concat();
    assert!(html.contains(&row), "{row}");
    // Overall success: (15 + 0) / (20 + 0) = 75 %.
    assert!(html.contains(r#"<td class="n" data-label="success rate">75.0%</td></tr>"#));
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
    for c in audit.targets[0].candidates.iter_mut().take(8) {
        c.text_a = EVIL.into();
        c.text_b = format!("{EVIL}</SCRIPT><!--");
        c.category = Some(EVIL.into());
        c.evidence = Some(EVIL.into());
    }
    let html = render(&audit);
    // The page's own script elements only: the main one and one JSON block per target.
    assert_eq!(html.matches("<script").count(), 3, "raw <script> in output");
    assert_eq!(
        html.to_ascii_lowercase().matches("</script").count(),
        3,
        "a text closes a script element"
    );
    assert!(!html.contains("<!--"));
    assert!(!html.contains(EVIL));
    // In the JSON, markup characters are \u escapes; the text itself round-trips.
    assert!(html.contains(r#""\u003cscript\u003ealert(\"x\")\u003c/script\u003e \u0026 'q'""#));
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
    assert!(html.contains("No flagged pairs for this model."));
    assert!(html.contains("No flagged pairs to review."));
    assert!(html.contains("No failure categories"));
    assert!(
        html.contains(r#"<td class="n" data-label="success rate">n/a</td></tr>"#),
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

/// The `<script type="application/json">` block of the `n`-th target with flagged pairs.
fn pairs_json(html: &str, n: usize) -> &str {
    let open = r#"<script type="application/json" class="pairs-data">"#;
    let start = html.match_indices(open).nth(n).expect("pairs data").0 + open.len();
    let end = html[start..].find("</script>").unwrap() + start;
    &html[start..end]
}

#[test]
fn flagged_pairs_are_embedded_once_with_every_column() {
    let mut audit = sample(Some(0.1));
    audit.targets[1].candidates[1] = Candidate {
        text_a: "a \"quoted\", back\\slash\nnew line\u{1}\u{2028}".into(),
        text_b: "plain".into(),
        target_sim: 0.91234,
        reference_sim: None,
        flagged_by: Some("llm".into()),
        category: None,
        evidence: None,
        review: None,
    };
    let html = render(&audit);
    let json = pairs_json(&html, 0);
    // 500 candidates, three in four flagged; only flagged ones are listed.
    assert_eq!(json.matches("\n[").count() + 1, 375);
    assert!(json.starts_with(
        r#"{"model":"clip-vit-b32","rows":[["text a 1","text b 1","spatial","reference","#
    ));
    assert!(
        !json.contains("text a 0\""),
        "unflagged pairs are not listed"
    );
    let json = pairs_json(&html, 1);
    assert!(json.contains(
        r#"["a \"quoted\", back\\slash\nnew line\u0001\u2028","plain",null,"llm",0.912,null,null]"#
    ));
    // Filters list what the rows hold: categories in the table's order, judges known first.
    let pairs = &html[html.find(r#"id="pairs-clip-vit-b32""#).unwrap()..];
    let pairs = &pairs[..pairs.find(r#"id="review-clip-vit-b32""#).unwrap()];
    let options: Vec<&str> = pairs
        .split("<option value=\"")
        .skip(1)
        .map(|o| &o[..o.find('"').unwrap()])
        .collect();
    assert_eq!(
        options,
        [
            "",
            "c:negation",
            "c:spatial",
            "",
            "j:structural",
            "j:reference",
            "j:both",
            "",
            "none",
            "real_failure",
            "false_alarm"
        ]
    );
    assert!(pairs.contains("negation (125)") && pairs.contains("spatial (250)"));
    // Review counts: one row per category and a total.
    assert!(html.contains(r#"<tr data-cat="c:negation"><td class="head" data-label="category">negation</td><td class="n" data-label="flagged">125</td>"#));
    assert!(html.contains(r#"<tr data-cat="" class="total">"#));
    // Categories link to their pairs.
    assert!(html.contains(r##"<a class="show-cat" href="#pairs-clip-vit-b32" data-cat="c:negation">list all 125 flagged pairs</a>"##));
}

#[test]
fn examples_show_their_similarities() {
    let mut audit = sample(Some(0.1));
    let c = &mut audit.targets[0].candidates[5];
    c.target_sim = 0.95;
    c.reference_sim = Some(0.61);
    audit.targets[0].categories[0].examples = vec![("text a 5".into(), "text b 5".into())];
    let html = render(&audit);
    assert!(html.contains(
        "<q>text a 5</q> ↔ <q>text b 5</q> <span class=\"sims\" title=\"target / reference cosine similarity\">0.950 / 0.610</span>"
    ));
}

#[test]
fn caption_names_the_colour_the_gap_line_is_drawn_in() {
    let html = render(&sample(Some(0.1)));
    assert!(html.contains(".boundary-gap { stroke: #D55E00;"));
    assert!(html.contains("Below the solid orange line y = x − gap, in the blue shaded zone"));
    assert!(!html.contains("red line"));
}

#[test]
fn review_key_is_stable_and_depends_on_the_audit() {
    let key = |a: &Audit| {
        let html = render(a);
        let start = html.find("<body data-audit-key=\"").unwrap() + 22;
        html[start..start + 16].to_string()
    };
    let a = sample(Some(0.1));
    assert_eq!(
        key(&a),
        key(&sample(None)),
        "settings do not change the key"
    );
    assert!(key(&a).chars().all(|c| c.is_ascii_hexdigit()));
    let mut b = sample(Some(0.1));
    b.corpus = "other.txt".into();
    assert_ne!(key(&a), key(&b));
}
