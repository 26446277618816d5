//! Retry policy and the pure decision of whether to retry an attempt.
//!
//! What is retried is exactly what [`Error::is_retryable`](crate::Error::is_retryable) says:
//! both read [`Error::kind`](crate::Error::kind), through [`Outcome::of`]. And why:
//!
//! * **429** (and bulk import's per-minute limit) is always retried: AC did not process the request. The wait honours `Retry-After`
//!   (seconds, or an HTTP date); when AC asks for longer than [`RetryPolicy::max_retry_after`], or the wait would
//!   pass the total deadline, the client gives up and returns the 429 (with
//!   [`Error::retry_after`](crate::Error::retry_after)) so the caller can decide.
//! * **500, 502, 503, 504** (unless the body says `retryable: false`), any answer whose body
//!   says `retryable: true`, and **connection errors / timeouts** are retried only for
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

use crate::error::{Error, ErrorKind};

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
    /// Rate-limited ([`ErrorKind::RateLimited`]), with the wait AC asked for, if any.
    RateLimited {
        /// The parsed `Retry-After` (or bulk import's minute).
        retry_after: Option<Duration>,
    },
    /// A transient server-side failure ([`ErrorKind::Server`]).
    Transient,
    /// The request failed below HTTP or timed out ([`ErrorKind::Transport`],
    /// [`ErrorKind::Timeout`]).
    Transport,
    /// Anything trying again cannot fix.
    Permanent,
}

impl Outcome {
    /// The outcome of an attempt that failed with `err`, read from [`Error::kind`]: the same
    /// classification as [`Error::is_retryable`], so the two never disagree.
    pub fn of(err: &Error) -> Outcome {
        match err.kind() {
            ErrorKind::RateLimited => Outcome::RateLimited {
                retry_after: err.retry_after(),
            },
            ErrorKind::Server => Outcome::Transient,
            ErrorKind::Transport | ErrorKind::Timeout => Outcome::Transport,
            _ => Outcome::Permanent,
        }
    }

    /// True unless the outcome is [`Outcome::Permanent`]: a retry could succeed (whether it
    /// is *safe* depends on the operation's [`Idempotency`]).
    pub fn is_retryable(self) -> bool {
        self != Outcome::Permanent
    }
}

/// The decision after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then try again.
    Retry(Duration),
    /// Return the error to the caller.
    Stop,
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
        Outcome::RateLimited { retry_after } => match retry_after {
            Some(after) if after > policy.max_retry_after => return Decision::Stop,
            Some(after) => after,
            None => policy.backoff(attempt, jitter),
        },
        Outcome::Transient | Outcome::Transport if idempotency == Idempotency::Idempotent => {
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

/// Parses `Retry-After`: (possibly fractional) seconds, or an HTTP date (any of the three
/// forms RFC 9110 §5.6.7 asks recipients to accept, parsed by the `httpdate` crate) read as
/// the time left until then. Waits are capped at a day; a date in the past is no wait;
/// anything else is `None`.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    parse_retry_after_at(value, std::time::SystemTime::now())
}

/// [`parse_retry_after`] with the current time given.
fn parse_retry_after_at(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    const DAY: Duration = Duration::from_secs(86_400);
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(DAY.as_secs_f64())));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let left = at.duration_since(now).unwrap_or(Duration::ZERO);
    Some(left.min(DAY))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The outcome of an AC error answer with this status and `Retry-After`.
    fn status(code: u16, retry_after: Option<u64>) -> Outcome {
        Outcome::of(&api_error(code, serde_json::json!({}), retry_after))
    }

    fn api_error(code: u16, body: serde_json::Value, retry_after: Option<u64>) -> Error {
        Error::Api(Box::new(crate::error::ApiError {
            status: http::StatusCode::from_u16(code).unwrap(),
            body: crate::error::ErrorBody::from_json(&body),
            retry_after: retry_after.map(Duration::from_secs),
            snippet: String::new(),
        }))
    }

    #[test]
    fn outcome_and_predicate_read_the_same_kind() {
        use serde_json::json;
        let cases = [
            api_error(429, json!({}), Some(2)),
            api_error(503, json!({}), None),
            api_error(503, json!({"retryable": false}), None),
            api_error(520, json!({"retryable": true}), None),
            api_error(
                400,
                json!({"success":0,"message":"Rate limit exceeded."}),
                None,
            ),
            api_error(422, json!({"errors":[{"code":"duplicate"}]}), None),
            api_error(401, json!({}), None),
            api_error(404, json!({}), None),
            Error::Html {
                status: http::StatusCode::BAD_GATEWAY,
                snippet: String::new(),
            },
            Error::Html {
                status: http::StatusCode::OK,
                snippet: String::new(),
            },
            Error::invalid("email", "bad"),
        ];
        for err in &cases {
            assert_eq!(
                Outcome::of(err).is_retryable(),
                err.is_retryable(),
                "{err:?}"
            );
            let retried = matches!(
                decide(
                    &RetryPolicy::default(),
                    IDEM,
                    &Outcome::of(err),
                    1,
                    Duration::ZERO,
                    0.0
                ),
                Decision::Retry(_)
            );
            let bulk_minute = err.retry_after() == Some(Duration::from_secs(60));
            assert_eq!(retried, err.is_retryable() && !bulk_minute, "{err:?}");
        }
        // The body's flag wins over the status, in both.
        assert!(!cases[2].is_retryable());
        assert!(cases[3].is_retryable());
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
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_445_412_450); // 2015-10-21T07:27:30Z
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
            prop_assert_eq!(outcome.is_retryable(), transport || api_error(code, serde_json::json!({}), retry_after).is_retryable());
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
