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

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::Result;
use crate::LlmClient;

impl LlmClient {
    /// Runs every request of a step to its end, in order. Unlike `try_join_all`, one request
    /// giving up does not cancel the others in flight: their answers, already paid for, reach
    /// the cache, and a rerun asks only for the one that failed. Each one that ends is reported
    /// to the progress hook as `what`.
    pub async fn settled<T>(
        &self,
        what: &str,
        requests: impl IntoIterator<Item = impl Future<Output = T>>,
    ) -> Vec<T> {
        let requests: Vec<_> = requests.into_iter().collect();
        let (total, done) = (requests.len(), AtomicUsize::new(0));
        self.report(what, 0, total);
        let counted = requests.into_iter().map(|request| async {
            let answer = request.await;
            self.report(what, done.fetch_add(1, Ordering::Relaxed) + 1, total);
            answer
        });
        futures::future::join_all(counted).await
    }
}

/// [`LlmClient::settled`], then every answer or the first error.
pub(crate) async fn all_settled<T>(
    client: &LlmClient,
    what: &str,
    requests: impl IntoIterator<Item = impl Future<Output = Result<T>>>,
) -> Result<Vec<T>> {
    client.settled(what, requests).await.into_iter().collect()
}
