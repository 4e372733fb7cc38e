//! The LLM steps of MultiMon as methods of [`crate::LlmClient`]: [`categorize`](crate::LlmClient::categorize)
//! scraped pairs into systematic failures, [`generate`](crate::LlmClient::generate) new pairs
//! for a failure (optionally steered towards a domain), check relevance to a domain
//! ([`relevant`](crate::LlmClient::relevant)), [`judge`](crate::LlmClient::judge) whether pairs differ in meaning, and [`summarize`](crate::LlmClient::summarize) a group of texts. Empty input
//! gives empty output without a request.

mod budget;
mod categorize;
mod generate;
mod judge;
mod relevant;
mod summarize;

pub use judge::JUDGE_BATCH;
