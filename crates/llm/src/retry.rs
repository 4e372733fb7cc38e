//! When to try a request again: full-jitter backoff, at least as long as a server's
//! `Retry-After` (capped), within a bound on the request's total wait.
//!
//! A request's clock counts its attempts and the pauses between them, not the time it queues
//! for one of the client's concurrency permits: with hundreds of requests queued behind a limit
//! of four, a bound that counted the queue would give up on requests that never failed.

use std::time::Duration;

use rand::Rng;

use crate::config::LlmConfig;
use crate::error::RetryLimit;

/// The retry state of one request.
#[derive(Debug)]
pub(crate) struct Schedule {
    max_retries: u32,
    max_wait: Duration,
    max_retry_after: Duration,
    base: Duration,
    cap: Duration,
    attempts: u32,
    spent: Duration,
}

impl Schedule {
    pub(crate) fn new(config: &LlmConfig) -> Schedule {
        Schedule {
            max_retries: config.max_retries,
            max_wait: config.max_wait,
            max_retry_after: config.max_retry_after,
            base: config.retry_base_delay,
            cap: config.retry_max_delay,
            attempts: 0,
            spent: Duration::ZERO,
        }
    }

    /// How long the next attempt may take: `timeout`, or what is left of the bound.
    pub(crate) fn attempt_limit(&self, timeout: Duration) -> Duration {
        timeout.min(self.max_wait.saturating_sub(self.spent))
    }

    /// Counts an attempt that took `took`.
    pub(crate) fn attempted(&mut self, took: Duration) {
        self.attempts += 1;
        self.spent += took;
    }

    /// After a retryable failure: the pause before the next attempt (the longer of the backoff
    /// and the capped `retry_after`), or the limit that says to stop. A pause that would reach
    /// the bound stops at once: sleeping to the bound only to fail then helps no one.
    pub(crate) fn pause(&self, retry_after: Option<Duration>) -> Result<Duration, RetryLimit> {
        if self.attempts > self.max_retries {
            return Err(RetryLimit::Retries);
        }
        let asked = retry_after.unwrap_or_default().min(self.max_retry_after);
        let pause = backoff(self.base, self.cap, self.attempts.saturating_sub(1)).max(asked);
        if self.spent + pause >= self.max_wait {
            return Err(RetryLimit::Wait);
        }
        Ok(pause)
    }

    /// Counts a pause.
    pub(crate) fn paused(&mut self, pause: Duration) {
        self.spent += pause;
    }

    /// Attempts so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Time in attempts and pauses so far.
    pub(crate) fn spent(&self) -> Duration {
        self.spent
    }
}

/// Full jitter: a uniformly random delay between zero and `min(max, base * 2^attempt)`.
pub(crate) fn backoff(base: Duration, max: Duration, attempt: u32) -> Duration {
    let ceiling = base
        .saturating_mul(2u32.saturating_pow(attempt.min(30)))
        .min(max);
    let millis = ceiling.as_millis() as u64;
    Duration::from_millis(if millis == 0 {
        0
    } else {
        rand::rng().random_range(0..=millis)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(max_retries: u32, max_wait_ms: u64) -> LlmConfig {
        let mut c = LlmConfig::builder()
            .base_url("http://127.0.0.1:1/v1")
            .model("m")
            .max_retries(max_retries)
            .retry_delays(Duration::from_millis(10), Duration::from_millis(20))
            .max_retry_after(Duration::from_secs(5))
            .build()
            .unwrap();
        c.max_wait = Duration::from_millis(max_wait_ms);
        c
    }

    #[test]
    fn backoff_is_bounded_full_jitter() {
        let (base, max) = (Duration::from_millis(100), Duration::from_millis(1000));
        for attempt in 0..40 {
            let d = backoff(base, max, attempt);
            assert!(
                d <= max && d <= base * 2u32.saturating_pow(attempt.min(30)),
                "{attempt}: {d:?}"
            );
        }
        assert_eq!(backoff(Duration::ZERO, max, 3), Duration::ZERO);
    }

    #[test]
    fn retry_after_is_honoured_up_to_its_cap() {
        let mut s = Schedule::new(&config(3, 60_000));
        s.attempted(Duration::from_millis(5));
        let pause = s.pause(Some(Duration::from_secs(2))).unwrap();
        assert_eq!(pause, Duration::from_secs(2));
        // Asking for an hour gets the 5 s cap; asking for nothing gets the backoff.
        assert_eq!(
            s.pause(Some(Duration::from_secs(3600))),
            Ok(Duration::from_secs(5))
        );
        assert!(s.pause(None).unwrap() <= Duration::from_millis(10));
    }

    #[test]
    fn retries_and_the_total_wait_are_bounded() {
        let mut s = Schedule::new(&config(1, 60_000));
        s.attempted(Duration::ZERO);
        assert!(s.pause(None).is_ok());
        s.attempted(Duration::ZERO);
        assert_eq!(s.pause(None), Err(RetryLimit::Retries));

        let mut s = Schedule::new(&config(100, 1000));
        assert_eq!(
            s.attempt_limit(Duration::from_secs(30)),
            Duration::from_secs(1)
        );
        s.attempted(Duration::from_millis(400));
        assert_eq!(
            s.attempt_limit(Duration::from_secs(30)),
            Duration::from_millis(600)
        );
        // A Retry-After beyond the bound stops at once, rather than sleeping to it.
        assert_eq!(s.pause(Some(Duration::from_secs(2))), Err(RetryLimit::Wait));
        let pause = s.pause(Some(Duration::from_millis(100))).unwrap();
        s.paused(pause);
        assert_eq!((s.attempts(), s.spent()), (1, Duration::from_millis(500)));
    }
}
