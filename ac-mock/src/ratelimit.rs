//! AC's rate limits (reference §1.6, §9): a per-account limit of N requests per second with
//! a burst of N (governor's keyed GCRA limiter; off unless configured), and bulk import's own
//! per-minute limits (20 requests/min holding a single contact, 100/min holding several, a
//! sliding one-minute window as AC counts them).

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::account_id::AccountId;

/// Bulk import requests holding one contact allowed per minute.
pub const BULK_SINGLE_PER_MINUTE: usize = 20;
/// Bulk import requests holding several contacts allowed per minute.
pub const BULK_MULTI_PER_MINUTE: usize = 100;

/// A refused request: how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    /// Whole seconds until a request would be accepted (at least 1).
    pub retry_after_secs: u64,
}

/// Per-account limits. Cheap when off: one branch.
pub struct Limits {
    per_second: Option<u32>,
    bulk_enabled: bool,
    /// Replaced (not cleared) on reset: governor's store has no `clear`.
    per_account: Option<RwLock<Arc<DefaultKeyedRateLimiter<AccountId>>>>,
    bulk: Mutex<HashMap<(AccountId, bool), VecDeque<Instant>>>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits")
            .field("per_second", &self.per_second)
            .field("bulk_enabled", &self.bulk_enabled)
            .finish_non_exhaustive()
    }
}

fn limiter(n: NonZeroU32) -> Arc<DefaultKeyedRateLimiter<AccountId>> {
    Arc::new(governor::RateLimiter::keyed(Quota::per_second(n)))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Limits {
    /// `per_second`: requests/s per account (`None` or 0 = unlimited); `bulk_enabled`: apply
    /// bulk import's per-minute limits.
    pub fn new(per_second: Option<u32>, bulk_enabled: bool) -> Self {
        let per_second = per_second.and_then(NonZeroU32::new);
        Self {
            per_second: per_second.map(NonZeroU32::get),
            bulk_enabled,
            per_account: per_second.map(|n| RwLock::new(limiter(n))),
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

    /// Takes one request from the account's allowance (N per second, bursts of up to N).
    pub fn check(&self, account: AccountId) -> Result<(), Limited> {
        let Some(lock) = &self.per_account else {
            return Ok(());
        };
        let limiter = lock.read().unwrap_or_else(|p| p.into_inner()).clone();
        limiter.check_key(&account).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Limited {
                retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
            }
        })
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
        if let (Some(lock), Some(n)) =
            (&self.per_account, self.per_second.and_then(NonZeroU32::new))
        {
            *lock.write().unwrap_or_else(|p| p.into_inner()) = limiter(n);
        }
        lock(&self.bulk).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n_per_second_in_a_burst_then_one_every_nth_of_a_second() {
        let l = Limits::new(Some(5), true);
        let a = AccountId(1);
        for _ in 0..5 {
            assert!(l.check(a).is_ok());
        }
        assert_eq!(
            l.check(a),
            Err(Limited {
                retry_after_secs: 1
            })
        );
        assert!(l.check(AccountId(2)).is_ok(), "accounts are separate");
        // One request's worth comes back every 200 ms.
        std::thread::sleep(Duration::from_millis(250));
        assert!(l.check(a).is_ok());
        assert!(l.check(a).is_err());
        // A reset forgets the usage.
        l.clear();
        assert!(l.check(a).is_ok());
        assert!(
            Limits::new(None, true).check(a).is_ok(),
            "off: always allowed"
        );
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
