//! The prompts. MultiMon's are byte for byte those of its Demo/demo.md (curly apostrophes,
//! trailing spaces and the missing space in "generation.Please" included); the tests compare
//! them with MultiMon's demo.md (../shared/reference/multimon; tests/llm/demo.rs). The others (relevance, steering, merge,
//! summary, JSON format, follow-up rounds) are ours and say so.

/// Pairs MultiMon asks for in one generation request.
pub const PAIRS_PER_REQUEST: usize = 41;

/// MultiMon, first turn of the categorize conversation, before the pairs (verbatim).
pub const MEMORIZE_INTRO: &str = "I will provide a series of data for you to remember. Subsequently, I will ask you some questions to test your performance! Here are some pairs of prompts for you to memorize. \n\n";

/// MultiMon, second turn of the categorize conversation (verbatim).
pub const CATEGORIZE_QUESTION: &str = "I’m trying to find failures with an embedding model. The above are some pairs of sentences that it encodes very similarly, even though they’re conveying different concepts. Using these specific examples, are there any general types of failures you notice the embedding is making, or any common features that the embedding fails to encode? Try to give failures that are specific enough that someone could reliably produce examples that the embedding would encode similarly, even though it shouldn’t. Please try to give as many general failures as possible. Please focus on differences that are important visually, as these embeddings are later used to generate images, or videos. In your failure modes, please explain clearly why the failure would lead to problems for future tasks related to visual generation.Please summarize as many as you can and stick to the examples.";

/// MultiMon, the generation prompt up to the number of pairs (verbatim).
const GENERATE_HEAD: &str = "Write down ";

/// MultiMon, the generation prompt from the number of pairs to the failure mode (verbatim).
const GENERATE_BODY: &str = " additional pairs of prompts that an embedding model with the following failure mode might encode similarly, even though they would correspond to different images if used as captions. Use the following format:\n(\"prompt1\", \"prompt2\"),\n(\"prompt1\", \"prompt2\"),\nYou will be evaluated on how well you actually perform. Your sentence structure and length can be creative; extrapolate based on the failure mode you’ve summarized. Be both creative and cautious.\nFailure Mode:\n";

/// One pair as a line of the memorize turn: `text_a<TAB>text_b`. A text holding a tab or a
/// line break is put in double quotes (inner quotes doubled), as in demo.md.
pub fn pair_line(text_a: &str, text_b: &str) -> String {
    format!("{}\t{}", quote_cell(text_a), quote_cell(text_b))
}

fn quote_cell(text: &str) -> String {
    if text.contains(['\t', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// MultiMon's first categorize turn: [`MEMORIZE_INTRO`] then one [`pair_line`] per pair.
pub fn memorize_turn(pairs: &[(String, String)]) -> String {
    let lines: Vec<String> = pairs.iter().map(|(a, b)| pair_line(a, b)).collect();
    format!("{MEMORIZE_INTRO}{}", lines.join("\n"))
}

/// Ours: appended to [`CATEGORIZE_QUESTION`] for the structured-JSON variant.
pub const CATEGORIZE_JSON_FORMAT: &str = "\n\nAnswer with a JSON array only, one object per failure: {\"name\": \"short name\", \"description\": \"what the embedding fails to encode and why it matters for visual generation\", \"examples\": [[\"text_a\", \"text_b\"], ...]}, where examples are pairs from above that show the failure.";

/// MultiMon's generation prompt asking for `n` pairs for one failure mode (`Name: description`,
/// see [`crate::Category::failure_mode`]).
pub fn generation_prompt(n: usize, failure_mode: &str) -> String {
    format!("{GENERATE_HEAD}{n}{GENERATE_BODY}{failure_mode}")
}

/// Ours: the generation prompt of a follow-up round, which lists the pairs already written so
/// the model does not repeat them (and so the request, hence its cache key, differs).
pub fn generation_followup_prompt(
    n: usize,
    failure_mode: &str,
    already: &[(String, String)],
) -> String {
    let mut prompt = generation_prompt(n, failure_mode);
    prompt.push_str(
        "\nYou already wrote the following pairs; write new ones that are not among them:\n",
    );
    for (a, b) in already {
        prompt.push_str(&format!("({:?}, {:?}),\n", a, b));
    }
    prompt
}

/// Ours: steering. The MultiMon paper steers generation towards an application and filters the
/// results by relevance, but its exact wording is not in demo.md; this sentence is ours.
pub fn steering_suffix(domain: &str) -> String {
    format!("\nEvery pair must describe a scene from this domain: {domain}.")
}

/// Ours: the yes/no relevance check used to filter pairs for a domain (MultiMon describes the
/// relevance filter but demo.md has no prompt for it).
pub fn relevance_prompt(text_a: &str, text_b: &str, domain: &str) -> String {
    format!(
        "Here are two captions:\n1. {text_a}\n2. {text_b}\nAre these captions relevant to the following domain: {domain}? Answer with Yes or No only."
    )
}

/// Ours: merging the categories found in separate batches of pairs.
pub fn merge_prompt(categories: &[crate::Category], batches: usize) -> String {
    let mut prompt = format!(
        "Below are failure categories of an embedding model, found separately in {batches} batches of pairs. Some of them describe the same failure under different names. Merge those and keep the others. Answer with a JSON array only, one object per resulting category: {{\"name\": \"short name\", \"description\": \"one description\", \"merged\": [\"names of the input categories it covers\"]}}. Every input name must appear in exactly one \"merged\" list.\n\n"
    );
    for c in categories {
        prompt.push_str(&format!("- {}: {}\n", c.name, c.description));
    }
    prompt
}

/// Ours: summarizing a group of texts (for the SQL aggregate `llm_summarize`).
pub fn summary_prompt(texts: &[&str], total: usize) -> String {
    let sample = if texts.len() < total {
        format!(
            " (a sample of {} of the group's {total} texts; the rest did not fit)",
            texts.len()
        )
    } else {
        String::new()
    };
    let mut prompt = format!(
        "Here are {} texts from one group{sample}. In one or two sentences, summarize what they have in common. Answer with the summary only.\n\n",
        texts.len()
    );
    for t in texts {
        prompt.push_str("- ");
        prompt.push_str(&t.replace('\n', " "));
        prompt.push('\n');
    }
    prompt
}

/// Ours: the LLM judge. One picture must fit both captions for a pair to be the same; the
/// answer format is one numbered line per pair, so a batch costs one request.
pub fn judge_prompt(pairs: &[(String, String)]) -> String {
    let mut prompt = String::from(
        "You compare image captions. For each numbered pair below, decide whether one picture could fit both captions, \
         with nothing that either caption states left out or contradicted.\n\
         Answer \"different\" when a picture drawn for one caption would fail to show something the other states: \
         another object, attribute, colour, number, spatial relation, action or person, a negation, or an added visible detail.\n\
         Answer \"same\" when only the wording differs (synonyms, word order, active or passive voice, tense).\n\
         Answer \"unsure\" when you cannot tell.\n\
         Reply with one line per pair, in order, written as \"<number>: same\", \"<number>: different\" or \"<number>: unsure\", and nothing else.\n\n",
    );
    for (i, (a, b)) in pairs.iter().enumerate() {
        prompt.push_str(&format!(
            "{}. A: {} | B: {}\n",
            i + 1,
            a.replace('\n', " "),
            b.replace('\n', " ")
        ));
    }
    prompt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_prompts() {
        assert!(
            generation_followup_prompt(41, "X: y", &[("a \"q\"".into(), "b".into())])
                .ends_with("(\"a \\\"q\\\"\", \"b\"),\n")
        );
        assert!(summary_prompt(&["a", "b"], 10).contains("a sample of 2 of the group's 10 texts"));
        assert!(relevance_prompt("a", "b", "cars").contains("domain: cars?"));
        assert_eq!(pair_line("a\tb", "c"), "\"a\tb\"\tc");
    }
}
