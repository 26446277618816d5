//! AC's rate limits (reference §1.6, §9): a per-account token bucket of N requests per second
//! (off unless configured), and bulk import's own per-minute limits (20 requests/min holding a
//! single contact, 100/min holding several).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::server::AccountId;

/// Bulk import requests holding one contact allowed per minute.
pub const BULK_SINGLE_PER_MINUTE: usize = 20;
/// Bulk import requests holding several contacts allowed per minute.
pub const BULK_MULTI_PER_MINUTE: usize = 100;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// A refused request: how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    /// Whole seconds until a request would be accepted (at least 1).
    pub retry_after_secs: u64,
}

/// Per-account limits. Cheap when off: one branch.
#[derive(Debug)]
pub struct Limits {
    per_second: Option<u32>,
    bulk_enabled: bool,
    buckets: Mutex<HashMap<AccountId, Bucket>>,
    bulk: Mutex<HashMap<(AccountId, bool), VecDeque<Instant>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Limits {
    /// `per_second`: requests/s per account (`None` or 0 = unlimited); `bulk_enabled`: apply
    /// bulk import's per-minute limits.
    pub fn new(per_second: Option<u32>, bulk_enabled: bool) -> Self {
        Self {
            per_second: per_second.filter(|n| *n > 0),
            bulk_enabled,
            buckets: Mutex::new(HashMap::new()),
            bulk: Mutex::new(HashMap::new()),
        }
    }

    /// The configured requests/s, if any.
    pub fn per_second(&self) -> Option<u32> {
        self.per_second
    }

    /// Whether bulk import's per-minute limits apply.
    pub fn bulk_enabled(&self) -> bool {
        self.bulk_enabled
    }

    /// Takes one request from the account's bucket (a bucket of N tokens refilled at N/s).
    pub fn check(&self, account: AccountId, now: Instant) -> Result<(), Limited> {
        let Some(n) = self.per_second else {
            return Ok(());
        };
        let rate = f64::from(n);
        let mut buckets = lock(&self.buckets);
        let b = buckets.entry(account).or_insert(Bucket {
            tokens: rate,
            at: now,
        });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * rate).min(rate);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - b.tokens) / rate;
            Err(Limited {
                retry_after_secs: (wait.ceil() as u64).max(1),
            })
        }
    }

    /// Counts one bulk import request of `contacts` contacts against the per-minute limit;
    /// refused requests are not counted. Returns the limit that was hit.
    pub fn check_bulk(
        &self,
        account: AccountId,
        contacts: usize,
        now: Instant,
    ) -> Result<(), usize> {
        if !self.bulk_enabled {
            return Ok(());
        }
        let single = contacts == 1;
        let limit = if single {
            BULK_SINGLE_PER_MINUTE
        } else {
            BULK_MULTI_PER_MINUTE
        };
        let mut bulk = lock(&self.bulk);
        let window = bulk.entry((account, single)).or_default();
        while window
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= Duration::from_secs(60))
        {
            window.pop_front();
        }
        if window.len() >= limit {
            return Err(limit);
        }
        window.push_back(now);
        Ok(())
    }

    /// Forgets every account's usage.
    pub fn clear(&self) {
        lock(&self.buckets).clear();
        lock(&self.bulk).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_n_per_second_then_refills() {
        let l = Limits::new(Some(5), true);
        let t0 = Instant::now();
        let a = AccountId(1);
        for _ in 0..5 {
            assert!(l.check(a, t0).is_ok());
        }
        assert_eq!(
            l.check(a, t0),
            Err(Limited {
                retry_after_secs: 1
            })
        );
        assert!(l.check(AccountId(2), t0).is_ok(), "accounts are separate");
        assert!(l.check(a, t0 + Duration::from_millis(250)).is_ok());
    }

    #[test]
    fn bulk_single_and_multi_have_separate_per_minute_limits() {
        let l = Limits::new(None, true);
        let t0 = Instant::now();
        let a = AccountId(1);
        for _ in 0..20 {
            assert!(l.check_bulk(a, 1, t0).is_ok());
        }
        assert_eq!(l.check_bulk(a, 1, t0), Err(20));
        assert!(l.check_bulk(a, 2, t0).is_ok());
        assert!(l.check_bulk(a, 1, t0 + Duration::from_secs(60)).is_ok());
    }
}
