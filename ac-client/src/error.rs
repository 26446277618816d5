//! The one error type of this crate, and the parser for every AC error body (reference §1.5).

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use http::StatusCode;
use serde_json::Value;

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
    /// reset, per-request timeout...).
    #[error("could not reach ActiveCampaign: {source}")]
    Transport {
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },

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

/// One entry of a JSON:API-style `errors` array (or the bare-string `errors` form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorItem {
    /// `title`: a short human message (sometimes generic, e.g. "Invalid attribute").
    pub title: Option<String>,
    /// `detail`: the longer human message, often empty.
    pub detail: Option<String>,
    /// `code`: a machine code such as `duplicate`, `field_missing`, `email_invalid`.
    pub code: Option<String>,
    /// `status`: an HTTP status repeated inside the item.
    pub status: Option<u16>,
    /// `error`: an extra machine code (e.g. `must_be_valid_email_address`).
    pub error: Option<String>,
    /// `source.pointer`: the JSON pointer of the offending attribute (`/data/attributes/email`).
    pub pointer: Option<String>,
}

/// AC's error body, whichever of its shapes it came in (reference §1.5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    /// `message` (`{"message":"No Result found for Subscriber with id 1"}`).
    pub message: Option<String>,
    /// `errors`: the JSON:API array, or one item holding the bare-string form as `title`.
    pub errors: Vec<ErrorItem>,
    /// `success` from the legacy `{"success":0,...}` shape.
    pub success: Option<bool>,
    /// `failureReasons` from the legacy shape.
    pub failure_reasons: Vec<String>,
    /// Cloudflare JSON's `retryable` flag, if present.
    pub retryable: Option<bool>,
    /// The per-contact entries of `failureReasons` (bulk import's
    /// `[{"contact":230,"failureReason":"..."}]`), also rendered into `failure_reasons`.
    pub contact_failures: Vec<ContactFailure>,
}

/// One per-contact entry of a bulk import's `failureReasons`
/// (`{"contact":230,"failureReason":"Field 'email' incorrect format"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactFailure {
    /// AC's `contact`: the position of the contact in the request's `contacts` array
    /// (zero-based as far as AC's examples show; AC does not document it).
    pub contact: Option<u64>,
    /// AC's `failureReason`.
    pub reason: String,
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl ErrorBody {
    /// Parses any of AC's error shapes from a JSON value. Unknown shapes give an empty body.
    pub fn from_json(v: &Value) -> Self {
        let mut body = ErrorBody::default();
        let Some(obj) = v.as_object() else {
            if let Some(s) = v.as_str() {
                body.message = Some(s.to_owned());
            }
            return body;
        };
        body.message = obj
            .get("message")
            .and_then(str_of)
            .filter(|s| !s.is_empty());
        if body.message.is_none() {
            body.message = obj.get("error").and_then(str_of).filter(|s| !s.is_empty());
        }
        match obj.get("errors") {
            Some(Value::String(s)) => body.errors.push(ErrorItem {
                title: Some(s.clone()),
                ..ErrorItem::default()
            }),
            Some(Value::Array(items)) => {
                for item in items {
                    if let Some(s) = item.as_str() {
                        body.errors.push(ErrorItem {
                            title: Some(s.to_owned()),
                            ..ErrorItem::default()
                        });
                        continue;
                    }
                    let get = |k: &str| item.get(k).and_then(str_of).filter(|s| !s.is_empty());
                    body.errors.push(ErrorItem {
                        title: get("title"),
                        detail: get("detail"),
                        code: get("code"),
                        status: item.get("status").and_then(|s| match s {
                            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
                            Value::String(s) => s.parse().ok(),
                            _ => None,
                        }),
                        error: get("error"),
                        pointer: item
                            .get("source")
                            .and_then(|s| s.get("pointer"))
                            .and_then(str_of),
                    });
                }
            }
            Some(Value::Object(map)) => {
                // {"errors":{"email":"is invalid"}}: keyed by field.
                for (k, v) in map {
                    body.errors.push(ErrorItem {
                        title: str_of(v).or_else(|| Some(v.to_string())),
                        pointer: Some(format!("/data/attributes/{k}")),
                        ..ErrorItem::default()
                    });
                }
            }
            _ => {}
        }
        body.success = obj.get("success").and_then(|s| match s {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => n.as_i64().map(|n| n != 0),
            Value::String(s) => match s.as_str() {
                "0" | "false" => Some(false),
                "1" | "true" => Some(true),
                _ => None,
            },
            _ => None,
        });
        if let Some(reasons) = obj.get("failureReasons") {
            match reasons {
                Value::Array(items) => {
                    for item in items {
                        if let Some(reason) = item.get("failureReason") {
                            let reason = str_of(reason).unwrap_or_else(|| reason.to_string());
                            let contact = item.get("contact").and_then(|c| match c {
                                Value::Number(n) => n.as_u64(),
                                Value::String(s) => s.trim().parse().ok(),
                                _ => None,
                            });
                            body.failure_reasons.push(match contact {
                                Some(c) => format!("contact {c}: {reason}"),
                                None => reason.clone(),
                            });
                            body.contact_failures
                                .push(ContactFailure { contact, reason });
                        } else {
                            body.failure_reasons
                                .push(str_of(item).unwrap_or_else(|| item.to_string()));
                        }
                    }
                }
                Value::String(s) => body.failure_reasons.push(s.clone()),
                Value::Object(map) => {
                    body.failure_reasons.extend(map.iter().map(|(k, v)| {
                        format!("{k}: {}", str_of(v).unwrap_or_else(|| v.to_string()))
                    }))
                }
                _ => {}
            }
        }
        body.retryable = obj.get("retryable").and_then(Value::as_bool);
        body
    }

    /// The human messages AC sent: `message`, each error's `title` and `detail`, and any
    /// `failureReasons`, in that order, without empties or repeats.
    pub fn messages(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |s: &str| {
            let s = s.trim();
            if !s.is_empty() && !out.iter().any(|o| o == s) {
                out.push(s.to_owned());
            }
        };
        if let Some(m) = &self.message {
            push(m);
        }
        for e in &self.errors {
            if let Some(t) = &e.title {
                push(t);
            }
            if let Some(d) = &e.detail {
                push(d);
            }
        }
        for r in &self.failure_reasons {
            push(r);
        }
        out
    }

    /// The first `source.pointer` in the errors (e.g. `/data/attributes/email`).
    pub fn pointer(&self) -> Option<&str> {
        self.errors.iter().find_map(|e| e.pointer.as_deref())
    }

    /// The attribute named by the first pointer: `email` for `/data/attributes/email`.
    pub fn field(&self) -> Option<&str> {
        self.pointer()
            .and_then(|p| p.rsplit('/').next())
            .filter(|s| !s.is_empty())
    }

    /// The first machine `code` in the errors (e.g. `duplicate`).
    pub fn code(&self) -> Option<&str> {
        self.errors.iter().find_map(|e| e.code.as_deref())
    }

    /// True when nothing was parsed (e.g. `{}`).
    pub fn is_empty(&self) -> bool {
        self == &ErrorBody::default()
    }

    fn is_not_found_message(&self) -> bool {
        self.messages().iter().any(|m| {
            let m = m.to_ascii_lowercase();
            m.starts_with("no result found") || m.contains("not found")
        })
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
            Error::Transport { source } => source.status(),
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

    /// How long AC asked us to wait (`Retry-After`), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(e) => e.retry_after,
            _ => None,
        }
    }

    /// True for a 404, and for the 403s AC sends with a "No Result found" message.
    pub fn is_not_found(&self) -> bool {
        match self {
            Error::Api(e) => {
                e.status == StatusCode::NOT_FOUND
                    || (e.status == StatusCode::FORBIDDEN && e.body.is_not_found_message())
            }
            _ => false,
        }
    }

    /// True for HTTP 429 (AC's 5 requests/s limit), and for the HTTP 400
    /// `{"success":0,"message":"Rate limit exceeded.",...}` that bulk import answers when its
    /// own per-minute limits (20 single-contact / 100 multi-contact requests) are exceeded.
    /// The latter is not retried automatically (AC asks to wait about a minute): wait and
    /// send again, or put more contacts in each request.
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::Api(e) => {
                e.status == StatusCode::TOO_MANY_REQUESTS
                    || (e.status == StatusCode::BAD_REQUEST
                        && e.body.success == Some(false)
                        && e.body
                            .message
                            .as_deref()
                            .is_some_and(|m| m.to_ascii_lowercase().contains("rate limit")))
            }
            other => other.status() == Some(StatusCode::TOO_MANY_REQUESTS),
        }
    }

    /// True for HTTP 409 Conflict (e.g. a domain already on the site-tracking whitelist).
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(StatusCode::CONFLICT)
    }

    /// The per-contact failures of a rejected bulk import (AC's
    /// `failureReasons: [{"contact": N, "failureReason": "..."}]`); empty otherwise.
    pub fn contact_failures(&self) -> &[ContactFailure] {
        match self {
            Error::Api(e) => &e.body.contact_failures,
            _ => &[],
        }
    }

    /// True when the failure is transient (429, 500/502/503/504, HTML proxy pages on 5xx,
    /// connection errors and timeouts). Whether a *retry is safe* also depends on the
    /// operation: see [`crate::retry`].
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => {
                e.body.retryable == Some(true)
                    || crate::retry::is_transient_status(e.status)
                    || self.is_rate_limited()
            }
            Error::Html { status, .. } => crate::retry::is_transient_status(*status),
            Error::Transport { .. } | Error::DeadlineExceeded { .. } => true,
            _ => false,
        }
    }

    /// True when AC says the thing already exists (`code: duplicate`).
    pub fn is_duplicate(&self) -> bool {
        match self {
            Error::Api(e) => e
                .body
                .errors
                .iter()
                .any(|i| i.code.as_deref() == Some("duplicate")),
            _ => false,
        }
    }

    /// True for client-side validation errors (nothing was sent).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput { .. })
    }

    /// True for transport-level timeouts and an exceeded total deadline.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Transport { source } => source.is_timeout(),
            Error::DeadlineExceeded { .. } => true,
            _ => false,
        }
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
        Error::Transport {
            source: source.without_url(),
        }
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

/// The first ~200 characters of a body with whitespace collapsed; the token, if it somehow
/// appears, is redacted.
pub(crate) fn snippet(body: &[u8], token: &str) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if out.len() > 200 {
            break;
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
    if !token.is_empty() && out.contains(token) {
        out = out.replace(token, "[REDACTED]");
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

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
    }

    #[test]
    fn html_detection_and_snippet() {
        assert!(looks_like_html(b"  \n<html>login</html>"));
        assert!(!looks_like_html(b"{\"a\":1}"));
        let s = snippet(
            b"<html>\n  <body>secret-token here</body></html>",
            "secret-token",
        );
        assert_eq!(s, "<html> <body>[REDACTED] here</body></html>");
        let long = "é".repeat(500);
        assert!(snippet(long.as_bytes(), "").chars().count() <= 202);
    }
}
