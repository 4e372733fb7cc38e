//! Categorize: MultiMon's two-turn conversation per batch of pairs, then merging across batches.

use std::collections::HashMap;

use super::all_settled;
use super::budget::{prompt_budget, tokens, truncate};
use crate::category::{normalise_name, Category};
use crate::client::{ChatMessage, LlmClient, Purpose};
use crate::error::{start_of, LlmError, Result};
use crate::parse::{parse_categories, parse_categories_json};
use crate::prompts::{
    memorize_turn, merge_prompt, pair_line, CATEGORIZE_JSON_FORMAT, CATEGORIZE_QUESTION,
    MEMORIZE_INTRO,
};

/// Tokens kept free in the second request for the model's answer to the first turn.
const ACK_RESERVE: usize = 256;

impl LlmClient {
    /// Asks for the systematic failures behind `pairs` with MultiMon's prompts: the first turn
    /// has the model memorize the pairs (one `text_a<TAB>text_b` line each), the second asks
    /// the categorize question. Pairs that do not fit one context are split into batches
    /// (asked concurrently); categories from different batches are merged by normalised name
    /// and then by one merge request. Empty `pairs` → no request, no categories.
    pub async fn categorize(&self, pairs: &[(String, String)]) -> Result<Vec<Category>> {
        self.categorize_impl(pairs, false).await
    }

    /// [`categorize`](LlmClient::categorize) with the question asking for a JSON answer
    /// (`[{"name", "description", "examples"}]`), for models that follow formats well.
    pub async fn categorize_json(&self, pairs: &[(String, String)]) -> Result<Vec<Category>> {
        self.categorize_impl(pairs, true).await
    }

    async fn categorize_impl(
        &self,
        pairs: &[(String, String)],
        json: bool,
    ) -> Result<Vec<Category>> {
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        let question = if json {
            format!("{CATEGORIZE_QUESTION}{CATEGORIZE_JSON_FORMAT}")
        } else {
            CATEGORIZE_QUESTION.to_string()
        };
        let overhead = tokens(MEMORIZE_INTRO) + tokens(&question) + ACK_RESERVE;
        let batches = batch_pairs(
            pairs,
            prompt_budget(self.config())
                .saturating_sub(overhead)
                .max(64),
        );
        let count = batches.len();
        let asked = batches
            .iter()
            .enumerate()
            .map(|(i, batch)| self.categorize_batch(batch, &question, i + 1, count, json));
        let what = format!("asking the LLM to categorize {} pairs", pairs.len());
        let found: Vec<Category> = all_settled(self, &what, asked)
            .await?
            .into_iter()
            .flatten()
            .collect();
        let merged = merge_by_name(found);
        if count == 1 || merged.len() < 2 {
            return Ok(merged);
        }
        self.merge_request(merged, count).await
    }

    async fn categorize_batch(
        &self,
        batch: &[(String, String)],
        question: &str,
        index: usize,
        count: usize,
        json: bool,
    ) -> Result<Vec<Category>> {
        let first = ChatMessage::user(memorize_turn(batch));
        let turn = |n| Purpose::new("categorize", format!("batch {index} of {count}, turn {n}"));
        let ack = self.chat_for(turn(1), std::slice::from_ref(&first)).await?;
        let ack_text = truncate(&ack.text, ACK_RESERVE);
        let answer = self
            .chat_for(
                turn(2),
                &[
                    first,
                    ChatMessage::assistant(ack_text),
                    ChatMessage::user(question),
                ],
            )
            .await?;
        let categories = if json {
            parse_categories_json(&answer.text)
        } else {
            Vec::new()
        };
        let categories = if categories.is_empty() {
            parse_categories(&answer.text)
        } else {
            categories
        };
        if categories.is_empty() {
            return Err(LlmError::NoCategories {
                batch: index,
                batches: count,
                answer_start: start_of(&answer.text, 300),
            });
        }
        Ok(categories)
    }

    /// Asks the model which categories mean the same; keeps `categories` when the answer
    /// cannot be used.
    async fn merge_request(
        &self,
        categories: Vec<Category>,
        batches: usize,
    ) -> Result<Vec<Category>> {
        let purpose = Purpose::new(
            "categorize",
            format!(
                "merge of {} categories from {batches} batches",
                categories.len()
            ),
        );
        let answer = self
            .chat_for(
                purpose,
                &[ChatMessage::user(merge_prompt(&categories, batches))],
            )
            .await?;
        Ok(apply_merge(categories, &answer.text))
    }
}

/// Splits `pairs` into consecutive batches of at most `budget` estimated tokens each; a pair
/// too long for any batch is cut to fit.
fn batch_pairs(pairs: &[(String, String)], budget: usize) -> Vec<Vec<(String, String)>> {
    let mut batches = Vec::new();
    let mut current: Vec<(String, String)> = Vec::new();
    let mut used = 0;
    for (a, b) in pairs {
        let mut pair = (a.clone(), b.clone());
        let mut cost = tokens(&pair_line(a, b)) + 1;
        if cost > budget {
            pair = (
                truncate(a, (budget / 2).saturating_sub(2)),
                truncate(b, (budget / 2).saturating_sub(2)),
            );
            cost = tokens(&pair_line(&pair.0, &pair.1)) + 1;
        }
        if used + cost > budget && !current.is_empty() {
            batches.push(std::mem::take(&mut current));
            used = 0;
        }
        used += cost;
        current.push(pair);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

/// Merges categories with the same normalised name: first name and description kept,
/// examples united (in order, without repeats).
pub(crate) fn merge_by_name(categories: Vec<Category>) -> Vec<Category> {
    let mut out: Vec<Category> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for c in categories {
        match index.get(&c.normalised_name()) {
            Some(&i) => absorb(&mut out[i], c.examples),
            None => {
                index.insert(c.normalised_name(), out.len());
                let mut fresh = Category {
                    examples: Vec::new(),
                    ..c.clone()
                };
                absorb(&mut fresh, c.examples);
                out.push(fresh);
            }
        }
    }
    out
}

fn absorb(into: &mut Category, examples: Vec<(String, String)>) {
    for e in examples {
        if !into.examples.contains(&e) {
            into.examples.push(e);
        }
    }
}

/// Applies a merge answer (`[{"name", "description", "merged": [input names]}]`): each group
/// becomes one category with the examples of the inputs it names; inputs no group names stay
/// as they are. An answer without usable groups leaves `categories` unchanged.
fn apply_merge(categories: Vec<Category>, answer: &str) -> Vec<Category> {
    let groups: Vec<(Category, Vec<String>)> = crate::parse::text_json_values(answer)
        .iter()
        .filter_map(|v| v.as_array())
        .flatten()
        .filter_map(|g| {
            let name = g.get("name")?.as_str()?.trim().to_string();
            let description = g
                .get("description")
                .and_then(|d| d.as_str())
                .unwrap_or("")
                .trim()
                .to_string();
            let merged = g
                .get("merged")?
                .as_array()?
                .iter()
                .filter_map(|m| m.as_str())
                .map(normalise_name)
                .collect();
            Some((Category::new(name, description), merged))
        })
        .collect();
    let mut taken = vec![false; categories.len()];
    let mut out = Vec::new();
    for (mut group, members) in groups {
        let mut any = false;
        for (i, c) in categories.iter().enumerate() {
            if !taken[i] && members.contains(&c.normalised_name()) {
                taken[i] = true;
                any = true;
                absorb(&mut group, c.examples.clone());
                if group.description.is_empty() {
                    group.description = c.description.clone();
                }
            }
        }
        if any && !group.name.is_empty() {
            out.push(group);
        }
    }
    if out.is_empty() {
        return categories;
    }
    out.extend(
        categories
            .into_iter()
            .zip(taken)
            .filter(|(_, t)| !t)
            .map(|(c, _)| c),
    );
    merge_by_name(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.into(), b.into())
    }

    #[test]
    fn batches_fit_budget() {
        let pairs: Vec<_> = (0..100)
            .map(|i| {
                pair(
                    &format!("a dog number {i} runs"),
                    &format!("a cat number {i} runs"),
                )
            })
            .collect();
        let batches = batch_pairs(&pairs, 100);
        assert!(batches.len() > 1);
        assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), 100);
        for b in &batches {
            assert!(
                b.iter()
                    .map(|(x, y)| tokens(&pair_line(x, y)) + 1)
                    .sum::<usize>()
                    <= 100
            );
        }
        let huge = vec![pair(&"x".repeat(10_000), "short")];
        let batches = batch_pairs(&huge, 100);
        assert!(tokens(&pair_line(&batches[0][0].0, &batches[0][0].1)) <= 100);
    }

    #[test]
    fn merges() {
        let mut a = Category::new("Negation", "first");
        a.examples.push(pair("x y", "x not y"));
        let mut b = Category::new("negations", "second");
        b.examples.push(pair("p q", "p not q"));
        let c = Category::new("Counting", "numbers");
        let d = Category::new("Quantity", "amounts");
        let merged = merge_by_name(vec![a, b, c, d]);
        assert_eq!(merged.len(), 3);
        assert_eq!(merged[0].examples.len(), 2);
        let answer = r#"```json
[{"name": "Counting", "description": "numbers and amounts", "merged": ["Counting", "Quantity"]}]
```"#;
        let out = apply_merge(merged.clone(), answer);
        assert_eq!(
            out.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            vec!["Counting", "Negation"]
        );
        assert_eq!(apply_merge(merged.clone(), "no idea"), merged);
    }
}
