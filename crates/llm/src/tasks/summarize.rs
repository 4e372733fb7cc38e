//! Summarize: a short summary of a group of texts, for the SQL aggregate `llm_summarize`.

use super::budget::{prompt_budget, tokens, truncate};
use crate::client::{ChatMessage, LlmClient, Purpose};
use crate::error::Result;
use crate::prompts::summary_prompt;

impl LlmClient {
    /// One or two sentences on what `texts` have in common. Empty texts are skipped; no texts
    /// → `""` without a request. A group too large for the context is cut to the texts that
    /// fit (in order; a single huge text is shortened), the prompt tells the model it sees a
    /// sample, and the summary ends with a note saying how many texts it covers.
    pub async fn summarize<S: AsRef<str>>(&self, texts: &[S]) -> Result<String> {
        let texts: Vec<&str> = texts
            .iter()
            .map(AsRef::as_ref)
            .filter(|t| !t.trim().is_empty())
            .collect();
        if texts.is_empty() {
            return Ok(String::new());
        }
        let budget = prompt_budget(self.config())
            .saturating_sub(tokens(&summary_prompt(&[], texts.len())) + 16);
        let mut kept: Vec<String> = Vec::new();
        let mut used = 0;
        for text in &texts {
            let cost = tokens(text) + 1;
            if used + cost > budget {
                if kept.is_empty() {
                    kept.push(truncate(text, budget.saturating_sub(1).max(1)));
                }
                break;
            }
            used += cost;
            kept.push(text.to_string());
        }
        let shortened = kept.len() == 1 && kept[0] != texts[0];
        let refs: Vec<&str> = kept.iter().map(String::as_str).collect();
        let purpose = Purpose::new(
            "summarize",
            format!("{} texts from '{}'", texts.len(), texts[0]),
        );
        let answer = self
            .chat_for(
                purpose,
                &[ChatMessage::user(summary_prompt(&refs, texts.len()))],
            )
            .await?;
        let mut summary = answer.text.trim().to_string();
        if kept.len() < texts.len() || shortened {
            let what = if shortened {
                "a shortened first text"
            } else {
                "the first texts"
            };
            summary.push_str(&format!(
                " [summary of {} of {} texts ({what}); the rest did not fit the {}-token context]",
                kept.len(),
                texts.len(),
                self.config().context_tokens
            ));
        }
        Ok(summary)
    }
}
