//! The parsers and prompts against MultiMon's own demo (skipped where ../shared is absent, failing under CI=true).

use lookalike_llm::prompts::{
    generation_prompt, memorize_turn, CATEGORIZE_QUESTION, MEMORIZE_INTRO, PAIRS_PER_REQUEST,
};
use lookalike_llm::{parse_categories, parse_pairs};

/// A file of the MultiMon reference in `../shared` beside the checkout, or `None` with a
/// message where it is absent; under `CI=true`, where it must be present, a failure.
fn read(name: &str) -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/multimon")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!(
                "cannot read {} ({e}), and CI needs ../shared",
                path.display()
            )
        }
        Err(e) => {
            eprintln!("skipped: cannot read {} ({e})", path.display());
            None
        }
    }
}

/// The text between two markers.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).expect("start marker") + start.len();
    let to = from + text[from..].find(end).expect("end marker");
    &text[from..to]
}

#[test]
fn parses_the_41_generated_negation_pairs() {
    let (Some(demo), Some(tsv)) = (
        read("demo.md"),
        read("derived_demo_generated_negation_pairs.tsv"),
    ) else {
        return;
    };
    let answer = between(
        &demo,
        "<summary><b>See examples here</b></summary>\n",
        "</details>",
    );
    let mut rows = tsv.lines();
    assert_eq!(
        rows.next().unwrap().split('\t').collect::<Vec<_>>(),
        vec!["failure_mode", "prompt_1", "prompt_2"]
    );
    let want: Vec<(String, String)> = rows
        .map(|r| {
            let cells: Vec<&str> = r.split('\t').collect();
            assert_eq!(cells[0], "Negation");
            (cells[1].to_string(), cells[2].to_string())
        })
        .collect();
    assert_eq!(want.len(), 41);
    assert_eq!(parse_pairs(answer), want);
}

#[test]
fn parses_the_eight_demo_categories() {
    let Some(demo) = read("demo.md") else { return };
    let answer = between(
        &demo,
        "there should contain outputs looking like the following:\n",
        "### Step 3",
    );
    let categories = parse_categories(answer);
    let names: Vec<&str> = categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "Negation",
            "Temporal differences",
            "Quantifiers",
            "Semantic Role Ambiguity (Bag-Of-Words)",
            "Absence Vs Presence",
            "Homonyms",
            "Subtle Differences",
            "Spatial Relations"
        ]
    );
    // The Negation category, as a failure mode, gives the demo's generation prompt exactly.
    let block = between(&demo, "with the following message\n```\n", "```");
    assert_eq!(
        format!(
            "{}\n",
            generation_prompt(PAIRS_PER_REQUEST, &categories[0].failure_mode())
        ),
        block
    );
    assert!(categories[2]
        .description
        .contains("quantifiers like \"few,\" \"some,\" or \"many.\""));
    for c in &categories {
        assert!(c.examples.is_empty(), "{c:?}");
        assert!(
            c.description.starts_with("Embedding models")
                || c.description.starts_with("The models"),
            "{c:?}"
        );
        assert!(
            c.description.ends_with('.') && !c.description.contains("details"),
            "{c:?}"
        );
    }
}

/// The fenced blocks of demo.md.
fn demo_blocks() -> Option<Vec<String>> {
    read("demo.md").map(|text| text.split("```\n").map(str::to_string).collect())
}

/// Tab-separated rows with CSV quoting (quoted cells may hold tabs and line breaks).
fn read_tsv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut at_start) = (false, true);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if at_start => quoted = true,
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '\t' if !quoted => row.push(std::mem::take(&mut cell)),
            '\n' if !quoted => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            c => cell.push(c),
        }
        at_start = matches!(c, '\t' | '\n') && !quoted;
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

#[test]
fn categorize_turns_match_demo() {
    let Some(blocks) = demo_blocks() else { return };
    assert!(
        blocks[3].starts_with(MEMORIZE_INTRO),
        "memorize intro differs from demo.md"
    );
    assert_eq!(
        blocks[5],
        format!("{CATEGORIZE_QUESTION}\n"),
        "categorize question differs from demo.md"
    );
    // The whole first turn, rebuilt from the scraped pairs, is the demo's block.
    let Some(tsv) = read("derived_demo_scraped_pairs.tsv") else {
        return;
    };
    let rows = read_tsv(&tsv);
    assert_eq!(rows[0], vec!["sample_1", "sample_2"]);
    let pairs: Vec<(String, String)> = rows[1..]
        .iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    assert_eq!(pairs.len(), 116);
    assert_eq!(format!("{}\n", memorize_turn(&pairs)), blocks[3]);
}

#[test]
fn generation_prompt_matches_demo() {
    let Some(blocks) = demo_blocks() else { return };
    let failure_mode = blocks[7].trim_end().rsplit('\n').next().unwrap();
    assert!(failure_mode.starts_with("Negation: "));
    assert_eq!(
        format!("{}\n", generation_prompt(PAIRS_PER_REQUEST, failure_mode)),
        blocks[7]
    );
    // The failure mode line is also the demo's step-3 paragraph.
    let text = read("demo.md").expect("read above");
    assert!(text.contains(&format!("\n{failure_mode}\n\nWe start a new conversastion")));
}
