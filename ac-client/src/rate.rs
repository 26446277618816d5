//! Client-side rate limiting (AC allows 5 requests/s per account, reference §1.6).
//!
//! A GCRA limiter from `governor`, driven by tokio's clock so that it sleeps with
//! `tokio::time::sleep` (and can be tested with paused time). It is shared by a client and all
//! its clones.

use std::num::NonZeroU32;
use std::ops::Add;

use governor::clock::{Clock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

/// How fast the client may send requests. Default: 5 requests per second, no burst.
///
/// AC's budget is per account and shared by every key and user; lower the rate if several
/// processes talk to the same account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    per_second: Option<NonZeroU32>,
    burst: NonZeroU32,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit::per_second(5)
    }
}

impl RateLimit {
    /// At most `n` requests per second, evenly spaced (a value of 0 is treated as 1).
    pub fn per_second(n: u32) -> Self {
        RateLimit {
            per_second: Some(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)),
            burst: NonZeroU32::MIN,
        }
    }

    /// No client-side limit (AC's 429 answers are still retried).
    pub fn disabled() -> Self {
        RateLimit {
            per_second: None,
            burst: NonZeroU32::MIN,
        }
    }

    /// Allows up to `burst` requests at once before spacing kicks in (default 1).
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        self
    }

    /// The configured rate, `None` when disabled.
    pub fn requests_per_second(&self) -> Option<u32> {
        self.per_second.map(NonZeroU32::get)
    }

    pub(crate) fn build(&self) -> Option<Limiter> {
        let rate = self.per_second?;
        let quota = Quota::per_second(rate).allow_burst(self.burst);
        Some(Limiter {
            inner: RateLimiter::direct_with_clock(quota, TokioClock),
        })
    }
}

/// A point in tokio's (possibly paused) time, for governor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TokioInstant(tokio::time::Instant);

impl Add<Nanos> for TokioInstant {
    type Output = TokioInstant;

    fn add(self, rhs: Nanos) -> TokioInstant {
        TokioInstant(self.0 + std::time::Duration::from(rhs))
    }
}

impl Reference for TokioInstant {
    fn duration_since(&self, earlier: Self) -> Nanos {
        Nanos::from(self.0.saturating_duration_since(earlier.0))
    }

    fn saturating_sub(&self, duration: Nanos) -> Self {
        self.0
            .checked_sub(duration.into())
            .map(TokioInstant)
            .unwrap_or(*self)
    }
}

/// governor's clock over `tokio::time::Instant`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TokioClock;

impl Clock for TokioClock {
    type Instant = TokioInstant;

    fn now(&self) -> TokioInstant {
        TokioInstant(tokio::time::Instant::now())
    }
}

/// The shared limiter.
pub(crate) struct Limiter {
    inner: RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<TokioInstant>>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Limiter")
    }
}

impl Limiter {
    /// Waits until one request may be sent.
    pub(crate) async fn until_ready(&self) {
        loop {
            match self.inner.check() {
                Ok(()) => return,
                Err(not_until) => {
                    let wait = not_until.wait_time_from(TokioClock.now());
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn spaces_requests_evenly() {
        let limiter = RateLimit::per_second(2).build().unwrap();
        let start = tokio::time::Instant::now();
        for _ in 0..5 {
            limiter.until_ready().await;
        }
        // 5 permits at 2/s with no burst: the first is immediate, then one every 500 ms.
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn burst_allows_immediate_permits() {
        let limiter = RateLimit::per_second(1).burst(3).build().unwrap();
        let start = tokio::time::Instant::now();
        for _ in 0..3 {
            limiter.until_ready().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.until_ready().await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[test]
    fn disabled_builds_nothing() {
        assert!(RateLimit::disabled().build().is_none());
        assert_eq!(RateLimit::default().requests_per_second(), Some(5));
        assert_eq!(RateLimit::per_second(0).requests_per_second(), Some(1));
    }
}
