//! Relevant: the yes/no relevance filter that steers generated pairs towards a domain.

use crate::client::{ChatMessage, LlmClient, Purpose};
use crate::error::Result;
use crate::parse::parse_yes_no;
use crate::prompts::relevance_prompt;

impl LlmClient {
    /// Whether the pair `(text_a, text_b)` is relevant to `domain`: `Some(true)` or
    /// `Some(false)` from the model's yes/no answer, `None` when the answer says neither.
    /// An empty text or domain → `None` without a request.
    pub async fn relevant(&self, text_a: &str, text_b: &str, domain: &str) -> Result<Option<bool>> {
        if text_a.trim().is_empty() || text_b.trim().is_empty() || domain.trim().is_empty() {
            return Ok(None);
        }
        let purpose = Purpose::new("relevant", format!("'{text_a}' / '{text_b}' to {domain}"));
        let answer = self
            .chat_for(
                purpose,
                &[ChatMessage::user(relevance_prompt(text_a, text_b, domain))],
            )
            .await?;
        Ok(parse_yes_no(&answer.text))
    }
}
