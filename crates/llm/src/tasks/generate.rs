//! Generate: MultiMon's generation prompt, asked again (listing what it already has) until
//! enough distinct pairs; optionally steered towards a domain and filtered by relevance.

use std::collections::HashSet;

use super::all_settled;
use super::budget::{prompt_budget, tokens};
use crate::category::Category;
use crate::client::{ChatMessage, LlmClient, Purpose};
use crate::error::{start_of, LlmError, Result};
use crate::parse::parse_pairs;
use crate::prompts::{
    generation_followup_prompt, generation_prompt, steering_suffix, PAIRS_PER_REQUEST,
};

/// Rounds in a row that may add nothing new before generation stops.
const MAX_STALE_ROUNDS: usize = 2;

impl LlmClient {
    /// New `(text_a, text_b)` pairs for `category`, asking for 41 per request (MultiMon's
    /// number; fewer when `n` is smaller) until `n` distinct pairs are collected.
    ///
    /// Pairs are deduplicated (case, spacing and order ignored) and pairs of two equal texts
    /// dropped. Follow-up requests list the pairs already written. Bounded: it stops after
    /// `ceil(n / 41) + 3` requests, or two requests in a row that add nothing, and then
    /// returns fewer than `n` pairs. An answer with no pairs at all is an error
    /// ([`LlmError::NoPairs`]) naming the category and quoting the start of the answer.
    /// `n == 0` → no request.
    pub async fn generate(&self, category: &Category, n: usize) -> Result<Vec<(String, String)>> {
        self.generate_impl(category, n, None).await
    }

    /// [`generate`](LlmClient::generate) steered towards `domain`: the prompt asks for scenes
    /// from the domain, and only pairs that [`relevant`](LlmClient::relevant) confirms are kept.
    pub async fn generate_for_domain(
        &self,
        category: &Category,
        n: usize,
        domain: &str,
    ) -> Result<Vec<(String, String)>> {
        if domain.trim().is_empty() {
            return self.generate_impl(category, n, None).await;
        }
        self.generate_impl(category, n, Some(domain)).await
    }

    async fn generate_impl(
        &self,
        category: &Category,
        n: usize,
        domain: Option<&str>,
    ) -> Result<Vec<(String, String)>> {
        let mut collected: Vec<(String, String)> = Vec::new();
        if n == 0 {
            return Ok(collected);
        }
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let per_request = PAIRS_PER_REQUEST.min(n);
        let failure_mode = category.failure_mode();
        let mut stale = 0;
        for round in 0..n.div_ceil(per_request) + 3 {
            let mut prompt = if round == 0 {
                generation_prompt(per_request, &failure_mode)
            } else {
                let base = tokens(&generation_prompt(per_request, &failure_mode)) + 64;
                let room = prompt_budget(self.config()).saturating_sub(base);
                generation_followup_prompt(
                    per_request,
                    &failure_mode,
                    recent_that_fit(&collected, room),
                )
            };
            if let Some(domain) = domain {
                prompt.push_str(&steering_suffix(domain));
            }
            let purpose = Purpose::new(
                "generate",
                format!("'{}', round {}", category.name, round + 1),
            );
            let answer = self.chat_for(purpose, &[ChatMessage::user(prompt)]).await?;
            let pairs = parse_pairs(&answer.text);
            if pairs.is_empty() {
                return Err(LlmError::NoPairs {
                    category: category.name.clone(),
                    answer_start: start_of(&answer.text, 300),
                });
            }
            let fresh: Vec<(String, String)> = pairs
                .into_iter()
                .filter(|(a, b)| seen.insert(dedup_key(a, b)) && normal(a) != normal(b))
                .collect();
            let fresh = match domain {
                Some(domain) => {
                    let checks = fresh.iter().map(|(a, b)| self.relevant(a, b, domain));
                    let what = format!("asking the LLM whether new pairs are about {domain}");
                    let verdicts = all_settled(self, &what, checks).await?;
                    fresh
                        .into_iter()
                        .zip(verdicts)
                        .filter(|(_, v)| *v == Some(true))
                        .map(|(p, _)| p)
                        .collect()
                }
                None => fresh,
            };
            stale = if fresh.is_empty() { stale + 1 } else { 0 };
            collected.extend(fresh);
            if collected.len() >= n || stale >= MAX_STALE_ROUNDS {
                break;
            }
        }
        collected.truncate(n);
        Ok(collected)
    }
}

/// The last pairs of `collected` whose listing fits in `room` tokens, in order.
fn recent_that_fit(collected: &[(String, String)], room: usize) -> &[(String, String)] {
    let mut used = 0;
    let mut start = collected.len();
    while start > 0 {
        let (a, b) = &collected[start - 1];
        let cost = tokens(a) + tokens(b) + 4;
        if used + cost > room {
            break;
        }
        used += cost;
        start -= 1;
    }
    &collected[start..]
}

/// Lower case, single spaces, no trailing punctuation.
fn normal(text: &str) -> String {
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    words
        .join(" ")
        .trim_end_matches(['.', '!', ',', ';'])
        .to_string()
}

/// The same for `(a, b)` and `(b, a)`.
fn dedup_key(a: &str, b: &str) -> (String, String) {
    let (a, b) = (normal(a), normal(b));
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_ignores_case_spacing_order() {
        assert_eq!(dedup_key("A  dog.", "no dog"), dedup_key("no DOG", "a dog"));
        let pairs: Vec<(String, String)> = (0..10)
            .map(|i| (format!("text {i}"), format!("other {i}")))
            .collect();
        assert_eq!(recent_that_fit(&pairs, 1000).len(), 10);
        assert_eq!(recent_that_fit(&pairs, 16), &pairs[8..]);
        assert!(recent_that_fit(&pairs, 0).is_empty());
    }
}
