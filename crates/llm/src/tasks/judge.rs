//! Judge: whether one picture fits both captions of each pair, a batch of pairs a request.

use super::all_settled;
use crate::client::{ChatMessage, LlmClient, Purpose};
use crate::error::Result;
use crate::parse::{parse_judgements, PairVerdict};
use crate::prompts::judge_prompt;

/// Pairs per request: short enough for a small model to keep count, long enough that a COCO
/// audit's few thousand candidates take a few hundred requests.
pub const JUDGE_BATCH: usize = 16;

impl LlmClient {
    /// The judge's verdict on each pair, in order: `None` where a text is empty (no request)
    /// or the answer has no readable line for the pair. Batches of [`JUDGE_BATCH`] run
    /// concurrently under the client's limit, and each answer is cached like every other.
    pub async fn judge(&self, pairs: &[(String, String)]) -> Result<Vec<Option<PairVerdict>>> {
        let asked: Vec<usize> = (0..pairs.len())
            .filter(|&i| !pairs[i].0.trim().is_empty() && !pairs[i].1.trim().is_empty())
            .collect();
        let jobs = asked.chunks(JUDGE_BATCH).map(|chunk| async move {
            let batch: Vec<(String, String)> = chunk.iter().map(|&i| pairs[i].clone()).collect();
            let purpose = Purpose::new(
                "judge",
                format!("{} pairs from '{}'", batch.len(), batch[0].0),
            );
            let answer = self
                .chat_for(purpose, &[ChatMessage::user(judge_prompt(&batch))])
                .await?;
            Ok::<_, crate::LlmError>(parse_judgements(&answer.text, batch.len()))
        });
        let what = format!("asking the LLM to judge {} pairs", asked.len());
        let answers = all_settled(self, &what, jobs).await?;
        let mut out = vec![None; pairs.len()];
        for (&i, verdict) in asked.iter().zip(answers.into_iter().flatten()) {
            out[i] = verdict;
        }
        Ok(out)
    }
}
