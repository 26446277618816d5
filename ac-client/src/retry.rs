//! Retry policy and the pure decision of whether to retry an attempt.
//!
//! What is retried, and why:
//!
//! * **429** is always retried: AC did not process the request. The wait honours `Retry-After`
//!   (seconds, or an HTTP date); when AC asks for longer than [`RetryPolicy::max_retry_after`], or the wait would
//!   pass the total deadline, the client gives up and returns the 429 (with
//!   [`Error::retry_after`](crate::Error::retry_after)) so the caller can decide.
//! * **500, 502, 503, 504** and **connection errors / timeouts** are retried only for
//!   [`Idempotency::Idempotent`] operations: `GET`, `PUT`, `DELETE`, and AC's upserts
//!   (`POST /contact/sync`, `POST /contactLists`, `POST /fieldValues`, `POST /contactTags`),
//!   where a repeat is harmless. A plain create (`POST /contacts`, `/tags`, `/lists`,
//!   `/fields`...) is **never** re-sent after a 5xx or a connection error: the first attempt may
//!   have been applied, and a repeat would create a duplicate.
//! * Any other 4xx is never retried.
//!
//! Waits between attempts are jittered exponential back-off, bounded by
//! [`RetryPolicy::max_backoff`], and the whole call by [`RetryPolicy::total_deadline`].

use std::time::Duration;

use http::StatusCode;

/// How many times, how long apart, and for how long in total a request may be attempted.
///
/// Use [`RetryPolicy::default`] (4 attempts, 250 ms base back-off, 10 s max back-off, 60 s
/// total deadline) or [`RetryPolicy::none`] to disable retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_backoff: Duration,
    max_backoff: Duration,
    total_deadline: Option<Duration>,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(10),
            total_deadline: Some(Duration::from_secs(60)),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The default policy (same as [`RetryPolicy::default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// One attempt, no retries (the total deadline still applies).
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Maximum attempts including the first (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first back-off; doubled on each retry before jitter.
    pub fn base_backoff(mut self, backoff: Duration) -> Self {
        self.base_backoff = backoff;
        self
    }

    /// The largest back-off between two attempts.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The deadline for the whole call, attempts and waits included (`None`: unbounded).
    pub fn total_deadline(mut self, deadline: Option<Duration>) -> Self {
        self.total_deadline = deadline;
        self
    }

    /// The longest `Retry-After` the client will wait for on a 429; a longer one is returned
    /// to the caller as an error instead.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// See [`RetryPolicy::max_attempts`].
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// See [`RetryPolicy::total_deadline`].
    pub fn get_total_deadline(&self) -> Option<Duration> {
        self.total_deadline
    }

    /// The back-off before attempt `attempt + 1`, given a jitter in `[0, 1)`:
    /// "equal jitter", between half and all of `min(max, base * 2^(attempt-1))`.
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exp = attempt.saturating_sub(1).min(20);
        let raw = self
            .base_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        let jitter = jitter.clamp(0.0, 1.0);
        raw.mul_f64(0.5 + jitter / 2.0)
    }
}

/// Whether repeating an operation is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// GET, PUT, DELETE and AC's upserts: safe to repeat after a 5xx or a connection error.
    Idempotent,
    /// A plain create: never repeated after a 5xx or a connection error (only after 429).
    NonIdempotent,
}

/// What happened on one attempt, as far as the retry decision cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP answer with this status (and `Retry-After`, if any).
    Status {
        /// The status.
        status: StatusCode,
        /// The parsed `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// The request failed below HTTP (connect, reset, per-request timeout).
    Transport,
}

/// The decision after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then try again.
    Retry(Duration),
    /// Return the error to the caller.
    Stop,
}

/// 500, 502, 503, 504: transient server-side failures.
pub fn is_transient_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
}

/// Decides whether to retry after attempt number `attempt` (1-based) failed with `outcome`,
/// `elapsed` after the call started. `jitter` is a number in `[0, 1)` (random in production,
/// fixed in tests); the function is otherwise pure.
pub fn decide(
    policy: &RetryPolicy,
    idempotency: Idempotency,
    outcome: &Outcome,
    attempt: u32,
    elapsed: Duration,
    jitter: f64,
) -> Decision {
    if attempt >= policy.max_attempts {
        return Decision::Stop;
    }
    let wait = match *outcome {
        Outcome::Status {
            status,
            retry_after,
        } if status == StatusCode::TOO_MANY_REQUESTS => match retry_after {
            Some(after) if after > policy.max_retry_after => return Decision::Stop,
            Some(after) => after,
            None => policy.backoff(attempt, jitter),
        },
        Outcome::Status { status, .. }
            if is_transient_status(status) && idempotency == Idempotency::Idempotent =>
        {
            policy.backoff(attempt, jitter)
        }
        Outcome::Transport if idempotency == Idempotency::Idempotent => {
            policy.backoff(attempt, jitter)
        }
        _ => return Decision::Stop,
    };
    if let Some(deadline) = policy.total_deadline {
        if elapsed.saturating_add(wait) >= deadline {
            return Decision::Stop;
        }
    }
    Decision::Retry(wait)
}

/// Parses `Retry-After`: (possibly fractional) seconds, or an HTTP date (RFC 9110 §10.2.3:
/// IMF-fixdate, and the obsolete RFC 850 and asctime forms) read as the time left until then.
/// Waits are capped at a day; a date in the past is no wait; anything else is `None`.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    parse_retry_after_at(value, chrono::Utc::now())
}

/// [`parse_retry_after`] with the current time given.
fn parse_retry_after_at(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    const DAY: f64 = 86_400.0;
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(DAY)));
    }
    let at = http_date(value)?;
    let left = (at - now).to_std().unwrap_or(Duration::ZERO);
    Some(left.min(Duration::from_secs_f64(DAY)))
}

/// An HTTP date in any of its three forms, always GMT.
fn http_date(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::NaiveDateTime;
    // IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`; RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`;
    // asctime: `Sun Nov  6 08:49:37 1994`.
    let naive = value
        .strip_suffix(" GMT")
        .and_then(|v| {
            NaiveDateTime::parse_from_str(v, "%a, %d %b %Y %H:%M:%S")
                .or_else(|_| NaiveDateTime::parse_from_str(v, "%A, %d-%b-%y %H:%M:%S"))
                .ok()
        })
        .or_else(|| {
            let collapsed = value.split_whitespace().collect::<Vec<_>>().join(" ");
            NaiveDateTime::parse_from_str(&collapsed, "%a %b %e %H:%M:%S %Y").ok()
        })?;
    Some(naive.and_utc())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn status(code: u16, retry_after: Option<u64>) -> Outcome {
        Outcome::Status {
            status: StatusCode::from_u16(code).unwrap(),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    const IDEM: Idempotency = Idempotency::Idempotent;
    const NON: Idempotency = Idempotency::NonIdempotent;

    #[test]
    fn rate_limit_honours_retry_after_for_any_operation() {
        let p = RetryPolicy::default();
        for idem in [IDEM, NON] {
            assert_eq!(
                decide(&p, idem, &status(429, Some(3)), 1, Duration::ZERO, 0.5),
                Decision::Retry(Duration::from_secs(3))
            );
        }
    }

    #[test]
    fn rate_limit_gives_up_past_cap_or_deadline() {
        let p = RetryPolicy::default();
        assert_eq!(
            decide(&p, IDEM, &status(429, Some(3600)), 1, Duration::ZERO, 0.0),
            Decision::Stop
        );
        assert_eq!(
            decide(
                &p,
                IDEM,
                &status(429, Some(30)),
                1,
                Duration::from_secs(40),
                0.0
            ),
            Decision::Stop
        );
    }

    #[test]
    fn server_errors_only_for_idempotent() {
        let p = RetryPolicy::default();
        for code in [500, 502, 503, 504] {
            assert!(matches!(
                decide(&p, IDEM, &status(code, None), 1, Duration::ZERO, 0.0),
                Decision::Retry(_)
            ));
            assert_eq!(
                decide(&p, NON, &status(code, None), 1, Duration::ZERO, 0.0),
                Decision::Stop
            );
        }
        assert!(matches!(
            decide(&p, IDEM, &Outcome::Transport, 1, Duration::ZERO, 0.0),
            Decision::Retry(_)
        ));
        assert_eq!(
            decide(&p, NON, &Outcome::Transport, 1, Duration::ZERO, 0.0),
            Decision::Stop
        );
    }

    #[test]
    fn client_errors_never_retried() {
        let p = RetryPolicy::default();
        for code in [400, 401, 403, 404, 409, 422, 501] {
            assert_eq!(
                decide(&p, IDEM, &status(code, None), 1, Duration::ZERO, 0.0),
                Decision::Stop,
                "{code}"
            );
        }
    }

    #[test]
    fn none_policy_never_retries() {
        let p = RetryPolicy::none();
        assert_eq!(
            decide(&p, IDEM, &status(429, Some(1)), 1, Duration::ZERO, 0.0),
            Decision::Stop
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(250));
        assert_eq!(p.backoff(2, 1.0), Duration::from_millis(500));
        assert_eq!(p.backoff(1, 0.0), Duration::from_millis(125));
        assert_eq!(p.backoff(30, 1.0), Duration::from_secs(10));
    }

    #[test]
    fn retry_after_parsing() {
        assert_eq!(parse_retry_after("30"), Some(Duration::from_secs(30)));
        assert_eq!(
            parse_retry_after(" 1.5 "),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after(""), None);
        assert_eq!(parse_retry_after("1e9"), Some(Duration::from_secs(86_400)));
    }

    #[test]
    fn retry_after_as_an_http_date_is_the_time_left() {
        let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:27:30Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let at = |v: &str| parse_retry_after_at(v, now);
        // The three forms RFC 9110 asks recipients to accept, all naming 07:28:00 GMT.
        assert_eq!(
            at("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            at("Wednesday, 21-Oct-15 07:28:00 GMT"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            at("Wed Oct 21 07:28:00 2015"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            at("Thu Oct  1 07:28:00 2015"),
            Some(Duration::ZERO),
            "past: no wait"
        );
        assert_eq!(
            at("Thu, 29 Oct 2015 07:28:00 GMT"),
            Some(Duration::from_secs(86_400)),
            "capped at a day"
        );
        assert_eq!(
            at("Wed, 21 Oct 2015 07:28:00 PST"),
            None,
            "HTTP dates are GMT"
        );
        assert_eq!(at("Wed, 32 Oct 2015 07:28:00 GMT"), None);
    }

    proptest! {
        #[test]
        fn decision_invariants(
            code in 100u16..600,
            retry_after in proptest::option::of(0u64..120),
            attempt in 1u32..10,
            elapsed_ms in 0u64..120_000,
            jitter in 0.0f64..1.0,
            idempotent in any::<bool>(),
            transport in any::<bool>(),
        ) {
            let p = RetryPolicy::default();
            let idem = if idempotent { IDEM } else { NON };
            let outcome = if transport { Outcome::Transport } else { status(code, retry_after) };
            let elapsed = Duration::from_millis(elapsed_ms);
            let d = decide(&p, idem, &outcome, attempt, elapsed, jitter);
            if let Decision::Retry(wait) = d {
                // Bounded attempts and deadline.
                prop_assert!(attempt < p.get_max_attempts());
                prop_assert!(elapsed + wait < Duration::from_secs(60));
                // A plain create is only ever retried on 429.
                if !idempotent {
                    prop_assert!(!transport && code == 429);
                }
                // Only 429 and transient 5xx / transport are retried.
                prop_assert!(transport || code == 429 || [500, 502, 503, 504].contains(&code));
                if code == 429 && !transport {
                    if let Some(after) = retry_after {
                        prop_assert_eq!(wait, Duration::from_secs(after));
                    }
                } else {
                    prop_assert!(wait <= Duration::from_secs(10));
                }
            }
        }
    }
}
