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
use std::sync::Arc;

use futures::stream::{FuturesOrdered, Stream, StreamExt};

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
        self.settling(what, requests).collect().await
    }

    /// [`settled`](Self::settled) as a stream: the answers in the order of the requests, each
    /// as soon as it and those before it have ended, while all of them are in flight (within
    /// the client's concurrency limit). A consumer can act on the first answers of a long step;
    /// polling the stream to its end runs every request to its end.
    pub fn settling<'a, T: 'a, F: Future<Output = T> + 'a>(
        &'a self,
        what: &'a str,
        requests: impl IntoIterator<Item = F>,
    ) -> impl Stream<Item = T> + 'a {
        let requests: Vec<F> = requests.into_iter().collect();
        let total = requests.len();
        let done = Arc::new(AtomicUsize::new(0));
        self.report(what, 0, total);
        requests
            .into_iter()
            .map(move |request| {
                let done = done.clone();
                async move {
                    let answer = request.await;
                    self.report(what, done.fetch_add(1, Ordering::Relaxed) + 1, total);
                    answer
                }
            })
            .collect::<FuturesOrdered<_>>()
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
