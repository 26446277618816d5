//! The one error type of this crate, and the parser for every AC error body (reference §1.5).

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use http::StatusCode;

mod body;

pub use body::{ContactFailure, ErrorBody, ErrorItem};

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to ActiveCampaign.
///
/// Match on the variant when you need the details, or use the predicates
/// ([`Error::is_not_found`], [`Error::is_rate_limited`], [`Error::is_retryable`],
/// [`Error::is_duplicate`], ...) for the usual decisions. The source chain is kept
/// ([`std::error::Error::source`]). No variant ever contains the API token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client is misconfigured (missing or malformed URL or token, plain `http://` to a
    /// non-loopback host, a missing environment variable...). Fix the configuration.
    #[error("invalid ActiveCampaign client configuration: {message}")]
    Config {
        /// What is wrong, naming the setting or environment variable.
        message: String,
        /// The underlying error, if any (e.g. a URL parse error).
        #[source]
        source: Option<Box<dyn StdError + Send + Sync>>,
    },

    /// A request was rejected by the client before anything was sent.
    #[error("invalid `{field}`: {message}")]
    InvalidInput {
        /// The offending field (e.g. `email`, `limit`, or a custom field's title).
        field: String,
        /// Why it is invalid.
        message: String,
    },

    /// The request could not be sent or its response could not be read (DNS, TLS, connection
    /// reset, per-request timeout...). The message names the root cause once; the HTTP
    /// client's own error is kept opaque ([`TransportError`]).
    #[error("could not reach ActiveCampaign: {0}")]
    Transport(TransportError),

    /// AC answered with an error status and (usually) a JSON error body.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// AC answered with an HTML page instead of JSON: a login page on 2xx (usually a bad API
    /// URL or token), or a proxy (Cloudflare) error page on 5xx.
    #[error("{}", html_message(*.status))]
    Html {
        /// The HTTP status of the HTML answer.
        status: StatusCode,
        /// The start of the body, for diagnostics.
        snippet: String,
    },

    /// A successful response did not have the expected JSON shape.
    #[error("could not decode ActiveCampaign's response (HTTP {}) at `{path}`: {source}", .status.as_u16())]
    Decode {
        /// The JSON path where decoding failed (e.g. `contacts[3].id`).
        path: String,
        /// The HTTP status of the response.
        status: StatusCode,
        /// The start of the body, for diagnostics.
        snippet: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },

    /// The event/site tracking endpoint answered `{"success":0,...}`.
    #[error("ActiveCampaign tracking call failed: {message}")]
    Tracking {
        /// AC's message.
        message: String,
        /// AC's `failureReasons`, if any.
        failure_reasons: Vec<String>,
    },

    /// The total deadline of the retry policy passed before a response arrived.
    #[error("ActiveCampaign request did not complete within {:.1}s ({attempts} attempt(s)); try again later or raise the retry policy's total deadline", .elapsed.as_secs_f64())]
    DeadlineExceeded {
        /// Time spent, including back-off sleeps.
        elapsed: Duration,
        /// Attempts made.
        attempts: u32,
    },

    /// A paginated listing did not advance (the server returned the same page again).
    #[error(
        "ActiveCampaign pagination did not advance ({message}); stopping to avoid an endless loop"
    )]
    Pagination {
        /// What was observed.
        message: String,
    },
}

fn html_message(status: StatusCode) -> String {
    if status.is_success() {
        format!(
            "ActiveCampaign returned an HTML page instead of JSON (HTTP {}); check the API URL and that the API token is valid",
            status.as_u16()
        )
    } else {
        format!(
            "ActiveCampaign (or its proxy) returned an HTML error page (HTTP {}); the service may be temporarily unavailable",
            status.as_u16()
        )
    }
}

/// What went wrong below HTTP, without exposing the HTTP client's error type.
///
/// `Display` is the root cause (`connection refused (os error 111)`, `operation timed out`),
/// said once; there is no further source chain to repeat it.
#[derive(Debug)]
pub struct TransportError {
    message: String,
    timeout: bool,
    connect: bool,
}

impl TransportError {
    /// True when the attempt timed out (the per-request timeout).
    pub fn is_timeout(&self) -> bool {
        self.timeout
    }

    /// True when no connection could be made (DNS, refused, TLS handshake).
    pub fn is_connect(&self) -> bool {
        self.connect
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<reqwest::Error> for TransportError {
    fn from(err: reqwest::Error) -> Self {
        // The innermost cause says what happened ("connection refused"); the layers above it
        // ("error sending request", "client error (Connect)") only repeat that it failed.
        let mut root: &(dyn StdError + 'static) = &err;
        while let Some(next) = root.source() {
            root = next;
        }
        let mut message = root.to_string();
        if err.is_timeout() && !message.to_ascii_lowercase().contains("timed out") {
            message = format!("timed out ({message})");
        }
        TransportError {
            message,
            timeout: err.is_timeout(),
            connect: err.is_connect(),
        }
    }
}

/// The one classification of an [`Error`]: what [`Error::kind`] returns, what the retry loop
/// decides on, and what every `is_*` predicate reads, so they cannot disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The client is misconfigured ([`Error::Config`]).
    Config,
    /// The input was refused before sending ([`Error::InvalidInput`]).
    InvalidInput,
    /// AC refused the credentials or the permission: 401, 403 (other than AC's "No Result
    /// found" 403s), or its HTML login page on a 2xx.
    Unauthorized,
    /// No such resource: 404, and the 403s AC sends with a "No Result found" message.
    NotFound,
    /// The thing already exists (`code: duplicate`).
    Duplicate,
    /// 409 Conflict.
    Conflict,
    /// Rate-limited: 429, or bulk import's per-minute limit (a 400 saying "Rate limit").
    RateLimited,
    /// A transient server-side failure: 500, 502, 503, 504, HTML proxy pages on those, or a
    /// body flagged `retryable: true`.
    Server,
    /// A timeout: the per-request timeout or the retry policy's total deadline.
    Timeout,
    /// The request could not be sent or read (connection refused, reset, DNS, TLS).
    Transport,
    /// AC rejected the request (any other 4xx, such as a 422 validation error).
    Rejected,
    /// A successful answer was not the expected JSON ([`Error::Decode`]).
    Decode,
    /// The tracking endpoint answered `success: 0` ([`Error::Tracking`]).
    Tracking,
    /// A listing did not advance ([`Error::Pagination`]).
    Pagination,
    /// Anything else (e.g. a 501, an unknown HTML page).
    Other,
}

impl ErrorKind {
    /// True for the kinds that may succeed when tried again: rate limits, transient server
    /// errors, timeouts and transport failures. Whether a repeat is *safe* also depends on the
    /// operation (see [`crate::retry`]).
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimited | ErrorKind::Server | ErrorKind::Timeout | ErrorKind::Transport
        )
    }
}

/// How long AC asks to wait after bulk import's per-minute limit ("wait about a minute").
pub(crate) const BULK_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

/// An HTTP error answer from AC: status, parsed error body, `Retry-After` and a body snippet.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The parsed error body (empty when the body was empty or not an error shape).
    pub body: ErrorBody,
    /// The `Retry-After` header, if AC sent one.
    pub retry_after: Option<Duration>,
    /// The start of the raw body, for diagnostics.
    pub snippet: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.status.as_u16();
        let what = match code {
            400 => "rejected the request as invalid",
            401 | 403 if self.body.is_not_found_message() => "found no such resource",
            401 => "refused the API token",
            403 => "refused the request (check the API token and the user's permissions)",
            404 => "found no such resource",
            409 => "reports a conflict (it already exists)",
            422 => "rejected the request",
            429 => "rate-limited the request",
            500..=599 => "had a server error",
            _ => "returned an error",
        };
        write!(f, "ActiveCampaign {what} (HTTP {code})")?;
        let messages = self.body.messages();
        if !messages.is_empty() {
            write!(f, ": {}", messages.join("; "))?;
        }
        if let Some(field) = self.body.field() {
            write!(f, " [field `{field}`]")?;
        }
        if let Some(after) = self.retry_after {
            write!(f, "; retry after {}s", after.as_secs())?;
        }
        Ok(())
    }
}

impl Error {
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The HTTP status, when the error came from an HTTP answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Html { status, .. } | Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The parsed AC error body, for [`Error::Api`].
    pub fn body(&self) -> Option<&ErrorBody> {
        match self {
            Error::Api(e) => Some(&e.body),
            _ => None,
        }
    }

    /// AC's human messages (titles, details, `message`, failure reasons); for client-side
    /// validation errors, the validation message.
    pub fn messages(&self) -> Vec<String> {
        match self {
            Error::Api(e) => e.body.messages(),
            Error::InvalidInput { message, .. } | Error::Config { message, .. } => {
                vec![message.clone()]
            }
            Error::Tracking {
                message,
                failure_reasons,
            } => std::iter::once(message.clone())
                .chain(failure_reasons.iter().cloned())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// How long AC asked us to wait (`Retry-After`, or a minute for bulk import's
    /// per-minute limit), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(e) => e
                .retry_after
                .or_else(|| is_bulk_rate_limit(e).then_some(BULK_RATE_LIMIT_WAIT)),
            _ => None,
        }
    }

    /// The one classification of this error (see [`ErrorKind`]); the retry loop and every
    /// predicate below read it.
    ///
    /// ```
    /// use ac_client::{Error, ErrorKind};
    ///
    /// let err = ac_client::contacts::ContactInput::new("nope").validate().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidInput);
    /// assert!(!err.kind().is_retryable());
    /// # let _: Option<&Error> = None;
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Config { .. } => ErrorKind::Config,
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::Transport(t) if t.is_timeout() => ErrorKind::Timeout,
            Error::Transport(_) => ErrorKind::Transport,
            Error::DeadlineExceeded { .. } => ErrorKind::Timeout,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Tracking { .. } => ErrorKind::Tracking,
            Error::Pagination { .. } => ErrorKind::Pagination,
            Error::Html { status, .. } if status.is_success() => ErrorKind::Unauthorized,
            Error::Html { status, .. } if is_transient_status(*status) => ErrorKind::Server,
            Error::Html { .. } => ErrorKind::Other,
            Error::Api(e) => api_kind(e),
        }
    }

    /// True for a 404, and for the 403s AC sends with a "No Result found" message.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }

    /// True when AC refused the credentials or the permission: 401, 403 (other than its
    /// "No Result found" 403s), and the HTML login page AC serves on a 2xx when the API URL
    /// or token is wrong.
    pub fn is_unauthorized(&self) -> bool {
        self.kind() == ErrorKind::Unauthorized
    }

    /// True for HTTP 429 (AC's 5 requests/s limit), and for the HTTP 400
    /// `{"success":0,"message":"Rate limit exceeded.",...}` that bulk import answers when its
    /// own per-minute limits (20 single-contact / 100 multi-contact requests) are exceeded.
    /// The latter carries a [`Error::retry_after`] of a minute (AC asks to wait about that
    /// long), which the default retry policy does not wait for: wait and send again, or put
    /// more contacts in each request.
    pub fn is_rate_limited(&self) -> bool {
        self.kind() == ErrorKind::RateLimited
    }

    /// True for HTTP 409 Conflict (e.g. a domain already on the site-tracking whitelist).
    pub fn is_conflict(&self) -> bool {
        self.kind() == ErrorKind::Conflict
    }

    /// The per-contact failures of a rejected bulk import (AC's
    /// `failureReasons: [{"contact": N, "failureReason": "..."}]`); empty otherwise.
    pub fn contact_failures(&self) -> &[ContactFailure] {
        match self {
            Error::Api(e) => &e.body.contact_failures,
            _ => &[],
        }
    }

    /// True when the failure is transient ([`ErrorKind::is_retryable`]): 429, 500/502/503/504
    /// (unless the body says `retryable: false`), a body saying `retryable: true`, HTML proxy
    /// pages on 5xx, connection errors and timeouts. This is exactly what the retry loop
    /// retries; whether a *repeat is safe* also depends on the operation: see
    /// [`crate::retry`].
    pub fn is_retryable(&self) -> bool {
        self.kind().is_retryable()
    }

    /// True when AC says the thing already exists (`code: duplicate`).
    pub fn is_duplicate(&self) -> bool {
        self.kind() == ErrorKind::Duplicate
    }

    /// True for client-side validation errors (nothing was sent).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput { .. })
    }

    /// True for transport-level timeouts and an exceeded total deadline.
    pub fn is_timeout(&self) -> bool {
        self.kind() == ErrorKind::Timeout
    }

    /// The field a validation error points at: `email` for AC's `/data/attributes/email`,
    /// or the field named by a client-side [`Error::InvalidInput`].
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.body.field(),
            Error::InvalidInput { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The raw JSON pointer of a validation error (`/data/attributes/email`).
    pub fn pointer(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.body.pointer(),
            _ => None,
        }
    }

    /// AC's machine error code (`duplicate`, `field_missing`, `email_invalid`...).
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.body.code(),
            _ => None,
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(source: reqwest::Error) -> Self {
        // reqwest errors may carry the URL; ours never holds credentials, but drop it anyway.
        Error::Transport(TransportError::from(source.without_url()))
    }
}

/// 500, 502, 503, 504: transient server-side failures (429 is [`ErrorKind::RateLimited`]).
fn is_transient_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 500 | 502 | 503 | 504)
}

/// Bulk import's per-minute limit: a 400 `{"success":0,"message":"Rate limit exceeded."}`.
fn is_bulk_rate_limit(e: &ApiError) -> bool {
    e.status == StatusCode::BAD_REQUEST
        && e.body.success == Some(false)
        && e.body
            .message
            .as_deref()
            .is_some_and(|m| m.to_ascii_lowercase().contains("rate limit"))
}

fn api_kind(e: &ApiError) -> ErrorKind {
    let status = e.status;
    if status == StatusCode::TOO_MANY_REQUESTS || is_bulk_rate_limit(e) {
        return ErrorKind::RateLimited;
    }
    // A body's own `retryable` flag (Cloudflare JSON) wins over the status.
    match e.body.retryable {
        Some(true) => return ErrorKind::Server,
        Some(false) if is_transient_status(status) => return ErrorKind::Other,
        _ => {}
    }
    if e.body
        .errors
        .iter()
        .any(|i| i.code.as_deref() == Some("duplicate"))
    {
        return ErrorKind::Duplicate;
    }
    match status.as_u16() {
        404 => ErrorKind::NotFound,
        401 | 403 if e.body.is_not_found_message() => ErrorKind::NotFound,
        401 | 403 => ErrorKind::Unauthorized,
        409 => ErrorKind::Conflict,
        _ if is_transient_status(status) => ErrorKind::Server,
        400..=499 => ErrorKind::Rejected,
        _ => ErrorKind::Other,
    }
}

/// True when the body looks like an HTML document rather than JSON.
pub(crate) fn looks_like_html(body: &[u8]) -> bool {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    body.get(start) == Some(&b'<')
}

/// The first ~200 characters of a body with whitespace collapsed. Every secret is redacted
/// *before* the cut, so a secret straddling it cannot leave its prefix behind.
pub(crate) fn snippet(body: &[u8], secrets: &[&str]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if out.contains(secret) {
            out = out.replace(secret, "[REDACTED]");
        }
    }
    if out.len() > 200 {
        let mut cut = 200;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn api(status: u16, body: Value) -> Error {
        Error::Api(Box::new(ApiError {
            status: StatusCode::from_u16(status).unwrap(),
            body: ErrorBody::from_json(&body),
            retry_after: None,
            snippet: body.to_string(),
        }))
    }

    #[test]
    fn shape_a_message_not_found() {
        let e = api(
            404,
            json!({"message":"No Result found for Subscriber with id 1"}),
        );
        assert!(e.is_not_found());
        assert_eq!(
            e.messages(),
            vec!["No Result found for Subscriber with id 1"]
        );
        assert!(e.to_string().contains("No Result found for Subscriber"));
        assert!(!e.is_retryable());
    }

    #[test]
    fn shape_a_403_not_found_counts_as_not_found() {
        let e = api(
            403,
            json!({"message":"No Result found for FieldValue with id 10"}),
        );
        assert!(e.is_not_found());
        let e = api(403, json!({"message":"Forbidden"}));
        assert!(!e.is_not_found());
        assert!(e.to_string().contains("permissions"));
    }

    #[test]
    fn shape_b_validation_duplicate() {
        let e = api(
            422,
            json!({"errors":[{"title":"Email address already exists in the system","detail":"","code":"duplicate","source":{"pointer":"/data/attributes/email"}}]}),
        );
        assert!(e.is_duplicate());
        assert_eq!(e.field(), Some("email"));
        assert_eq!(e.pointer(), Some("/data/attributes/email"));
        assert_eq!(e.code(), Some("duplicate"));
        assert_eq!(
            e.messages(),
            vec!["Email address already exists in the system"]
        );
        let shown = e.to_string();
        assert!(
            shown.contains("422") && shown.contains("already exists") && shown.contains("email")
        );
    }

    #[test]
    fn shape_b_email_invalid_with_error_key() {
        let e = api(
            422,
            json!({"errors":[{"title":"Contact Email Address is not valid.","detail":"","code":"email_invalid","error":"must_be_valid_email_address","source":{"pointer":"/data/attributes/email"}}]}),
        );
        assert_eq!(e.code(), Some("email_invalid"));
        assert_eq!(
            e.body().unwrap().errors[0].error.as_deref(),
            Some("must_be_valid_email_address")
        );
        assert!(!e.is_duplicate());
    }

    #[test]
    fn shape_b_status_no_code() {
        let e = api(
            422,
            json!({"errors":[{"status":422,"title":"Missing attribute","source":{"pointer":"/data/attributes/contact"}}]}),
        );
        assert_eq!(e.field(), Some("contact"));
        assert_eq!(e.body().unwrap().errors[0].status, Some(422));
        assert_eq!(e.code(), None);
    }

    #[test]
    fn shape_c_errors_with_status() {
        let e = api(
            404,
            json!({"errors":[{"status":404,"title":"Not Found","detail":"Contact not found"}]}),
        );
        assert!(e.is_not_found());
        assert_eq!(e.messages(), vec!["Not Found", "Contact not found"]);
        let e = api(
            403,
            json!({"errors":[{"status":403,"title":"Forbidden","detail":"You do not have permission to create lists."}]}),
        );
        assert!(!e.is_not_found());
        assert!(e.to_string().contains("permission to create lists"));
    }

    #[test]
    fn shape_d_errors_bare_string() {
        let e = api(
            422,
            json!({"errors":"Bulk operation failed. Request must contain an array of fieldOption objects."}),
        );
        assert_eq!(
            e.messages(),
            vec!["Bulk operation failed. Request must contain an array of fieldOption objects."]
        );
    }

    #[test]
    fn shape_e_success_flag() {
        let e = api(
            400,
            json!({"success":0,"message":"'batchId' is a required field.","failureReasons":["bad row 1"]}),
        );
        let body = e.body().unwrap();
        assert_eq!(body.success, Some(false));
        assert_eq!(
            e.messages(),
            vec!["'batchId' is a required field.", "bad row 1"]
        );
    }

    #[test]
    fn shape_f_forbidden_and_g_empty() {
        let e = api(403, json!({"message":"Forbidden"}));
        assert_eq!(e.messages(), vec!["Forbidden"]);
        let e = api(400, json!({}));
        assert!(e.body().unwrap().is_empty());
        assert!(e.messages().is_empty());
        assert_eq!(
            e.to_string(),
            "ActiveCampaign rejected the request as invalid (HTTP 400)"
        );
    }

    #[test]
    fn retryable_statuses() {
        for s in [429, 500, 502, 503, 504] {
            assert!(api(s, json!({})).is_retryable(), "{s}");
        }
        for s in [400, 401, 403, 404, 422] {
            assert!(!api(s, json!({})).is_retryable(), "{s}");
        }
        assert!(api(429, json!({})).is_rate_limited());
        let e = api(520, json!({"retryable":true}));
        assert!(e.is_retryable());
        assert_eq!(e.kind(), ErrorKind::Server);
        let e = api(503, json!({"retryable":false}));
        assert!(!e.is_retryable());
    }

    #[test]
    fn unauthorized_is_401_403_and_the_login_page() {
        assert!(api(401, json!({"message":"Unauthorized"})).is_unauthorized());
        assert!(api(403, json!({"message":"Forbidden"})).is_unauthorized());
        let not_found = api(
            403,
            json!({"message":"No Result found for Subscriber with id 1"}),
        );
        assert!(!not_found.is_unauthorized() && not_found.is_not_found());
        let login = Error::Html {
            status: StatusCode::OK,
            snippet: "<html>login".into(),
        };
        assert!(login.is_unauthorized());
        let proxy = Error::Html {
            status: StatusCode::BAD_GATEWAY,
            snippet: "<html>502".into(),
        };
        assert!(!proxy.is_unauthorized() && proxy.is_retryable());
        assert!(!api(404, json!({})).is_unauthorized());
    }

    #[test]
    fn bulk_rate_limit_asks_for_a_minute() {
        let e = api(400, json!({"success":0,"message":"Rate limit exceeded."}));
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(60)));
        let e = api(
            400,
            json!({"success":0,"message":"'batchId' is a required field."}),
        );
        assert_eq!(e.kind(), ErrorKind::Rejected);
    }

    #[test]
    fn html_detection_and_snippet() {
        assert!(looks_like_html(b"  \n<html>login</html>"));
        assert!(!looks_like_html(b"{\"a\":1}"));
        let s = snippet(
            b"<html>\n  <body>secret-token here</body></html>",
            &["secret-token"],
        );
        assert_eq!(s, "<html> <body>[REDACTED] here</body></html>");
        let long = "é".repeat(500);
        assert!(snippet(long.as_bytes(), &[""]).chars().count() <= 202);
    }

    #[test]
    fn a_secret_straddling_the_cut_leaves_nothing_behind() {
        let token = "tok-SUPERSECRET-7f3a9c";
        for start in 185..200 {
            let body = format!("{}{token} and more text after the token", "x".repeat(start));
            let s = snippet(body.as_bytes(), &[token]);
            assert!(!s.contains("tok-SUPER"), "{start}: {s}");
            assert!(!s.contains("tok-"), "{start}: {s}");
        }
    }
}
