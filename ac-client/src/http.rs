//! The one request path: every API call goes through [`Client::execute`].
//!
//! Per attempt: wait for the rate limiter, send with `Api-Token` (a sensitive header) and
//! `Accept: application/json`, classify the answer (AC error shapes, HTML pages), then let
//! [`crate::retry::decide`] choose between retrying and returning. A `tracing` span per
//! attempt records method, path, attempt, status and elapsed time, never the token.
//!
//! Requests to the tracking host ([`Host::Tracking`]: `trackcmp.net/event`, `/visit`) take the
//! same path but carry no `Api-Token`, skip the API rate limiter (the 5/s budget is the API's),
//! and have the event key redacted from any error they produce.

use std::time::Duration;

use http::{HeaderValue, Method, StatusCode};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{looks_like_html, snippet, ApiError, Error, ErrorBody, Result};
use crate::retry::{decide, parse_retry_after, Decision, Idempotency, Outcome, RetryPolicy};

/// Which host a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host {
    /// The account's API (`{api_url}/api/3`), with `Api-Token`.
    Api,
    /// The tracking host (`https://trackcmp.net`), without `Api-Token`.
    Tracking,
}

/// One API request, built by a resource handler.
#[derive(Debug, Clone)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    /// Path below `/api/3` (or below the tracking URL), without a leading slash (`contacts/1`).
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) idempotency: Idempotency,
    pub(crate) host: Host,
    /// `Content-Type` of the body.
    pub(crate) content_type: &'static str,
    /// `Accept` header.
    pub(crate) accept: &'static str,
    /// The answer is text (JavaScript, HTML snippets): do not treat a `<` start as an error page.
    pub(crate) text: bool,
    /// A retry policy for this call only, instead of the client's.
    pub(crate) retry: Option<RetryPolicy>,
}

impl ApiRequest {
    pub(crate) fn new(method: Method, path: impl Into<String>, idempotency: Idempotency) -> Self {
        ApiRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            idempotency,
            host: Host::Api,
            content_type: "application/json",
            accept: "application/json",
            text: false,
            retry: None,
        }
    }

    /// A form-encoded POST to the tracking host (`trackcmp.net/event`): never repeated after a
    /// 5xx or a connection error (an event would be recorded twice); 429 is still retried.
    pub(crate) fn tracking_form(path: impl Into<String>, pairs: &[(&str, &str)]) -> Result<Self> {
        let body = serde_urlencoded::to_string(pairs)
            .map_err(|e| Error::invalid("body", format!("could not encode the form: {e}")))?;
        let mut req = Self::new(Method::POST, path, Idempotency::NonIdempotent);
        req.host = Host::Tracking;
        req.content_type = "application/x-www-form-urlencoded";
        req.body = Some(body.into_bytes());
        Ok(req)
    }

    /// A GET to the tracking host whose answer is not JSON (the `/visit` beacon). Not repeated
    /// after a 5xx or a connection error (a visit would be recorded twice).
    pub(crate) fn tracking_get(path: impl Into<String>, query: Vec<(String, String)>) -> Self {
        let mut req = Self::new(Method::GET, path, Idempotency::NonIdempotent);
        req.host = Host::Tracking;
        req.accept = "*/*";
        req.text = true;
        req.query = query;
        req
    }

    /// Marks the answer as text (`GET /siteTracking/code` returns `text/plain` JavaScript).
    pub(crate) fn text(mut self) -> Self {
        self.accept = "text/plain, */*";
        self.text = true;
        self
    }

    pub(crate) fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path, Idempotency::Idempotent)
    }

    pub(crate) fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path, Idempotency::Idempotent)
    }

    /// A plain create: never repeated after a 5xx or a connection error.
    pub(crate) fn post(path: impl Into<String>, body: &impl Serialize) -> Result<Self> {
        Self::new(Method::POST, path, Idempotency::NonIdempotent).json(body)
    }

    /// An upsert POST (`contact/sync`, `contactLists`, `fieldValues`, `contactTags`).
    pub(crate) fn post_upsert(path: impl Into<String>, body: &impl Serialize) -> Result<Self> {
        Self::new(Method::POST, path, Idempotency::Idempotent).json(body)
    }

    pub(crate) fn put(path: impl Into<String>, body: &impl Serialize) -> Result<Self> {
        Self::new(Method::PUT, path, Idempotency::Idempotent).json(body)
    }

    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid("body", format!("could not serialize the request: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }

    pub(crate) fn query(mut self, pairs: Vec<(String, String)>) -> Self {
        self.query = pairs;
        self
    }
}

/// A successful (2xx, non-HTML) answer.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
}

impl RawResponse {
    /// The body as text (lossy UTF-8).
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Decodes the body, naming the JSON path on failure.
    pub(crate) fn json<T: DeserializeOwned>(&self, secrets: &[&str]) -> Result<T> {
        let de = &mut serde_json::Deserializer::from_slice(&self.body);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            Error::Decode {
                path,
                status: self.status,
                snippet: snippet(&self.body, secrets),
                source: e.into_inner(),
            }
        })
    }
}

impl Client {
    /// Every secret an error text must never show: the API token and the event key.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        let mut secrets = vec![self.inner.token.expose_secret()];
        if let Some(key) = &self.inner.event_key {
            secrets.push(key.expose_secret());
        }
        secrets
    }

    /// Sends a request and decodes a JSON answer.
    pub(crate) async fn send_json<T: DeserializeOwned>(
        &self,
        req: ApiRequest,
    ) -> Result<(StatusCode, T)> {
        let raw = self.execute(req).await?;
        let value = raw.json(&self.secrets())?;
        Ok((raw.status, value))
    }

    /// Sends a request and decodes a JSON answer, dropping the status.
    pub(crate) async fn send<T: DeserializeOwned>(&self, req: ApiRequest) -> Result<T> {
        Ok(self.send_json(req).await?.1)
    }

    /// Sends a request whose answer body does not matter (deletes: `{}` or empty).
    pub(crate) async fn send_empty(&self, req: ApiRequest) -> Result<()> {
        self.execute(req).await.map(|_| ())
    }

    /// Runs a request with rate limiting, retries and the total deadline.
    pub(crate) async fn execute(&self, req: ApiRequest) -> Result<RawResponse> {
        let policy = req.retry.as_ref().unwrap_or(&self.retry);
        let start = tokio::time::Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let remaining = match policy.get_total_deadline() {
                Some(deadline) => match deadline.checked_sub(start.elapsed()) {
                    Some(r) if !r.is_zero() => Some(r),
                    _ => {
                        return Err(Error::DeadlineExceeded {
                            elapsed: start.elapsed(),
                            attempts: attempt - 1,
                        })
                    }
                },
                None => None,
            };
            let span = tracing::debug_span!(
                "ac_request",
                method = %req.method,
                path = %req.path,
                attempt,
                status = tracing::field::Empty,
                elapsed_ms = tracing::field::Empty,
            );
            let fut = self.attempt(&req).instrument(span.clone());
            let result = match remaining {
                Some(r) => match tokio::time::timeout(r, fut).await {
                    Ok(res) => res,
                    Err(_) => {
                        return Err(Error::DeadlineExceeded {
                            elapsed: start.elapsed(),
                            attempts: attempt,
                        })
                    }
                },
                None => fut.await,
            };
            span.record("elapsed_ms", start.elapsed().as_millis() as u64);
            let err = match result {
                Ok(resp) => return Ok(resp),
                Err(err) => err,
            };
            // The same classification as `Error::is_retryable`: both read `Error::kind`.
            let outcome = Outcome::of(&err);
            if !outcome.is_retryable() {
                return Err(err);
            }
            let jitter: f64 = rand::random();
            match decide(
                policy,
                req.idempotency,
                &outcome,
                attempt,
                start.elapsed(),
                jitter,
            ) {
                Decision::Retry(wait) => {
                    span.in_scope(|| {
                        tracing::warn!(
                            error = %err,
                            wait_ms = wait.as_millis() as u64,
                            "retrying ActiveCampaign request"
                        )
                    });
                    tokio::time::sleep(wait).await;
                }
                Decision::Stop => return Err(err),
            }
        }
    }

    /// One attempt: rate limit, send, classify.
    async fn attempt(&self, req: &ApiRequest) -> Result<RawResponse> {
        let is_api = req.host == Host::Api;
        if is_api {
            if let Some(limiter) = &self.inner.limiter {
                limiter.until_ready().await;
            }
        }
        let started = tokio::time::Instant::now();
        let base = match req.host {
            Host::Api => self.inner.api_base.as_str(),
            Host::Tracking => self.inner.tracking_url.as_str().trim_end_matches('/'),
        };
        let mut url = url::Url::parse(&format!("{base}/{}", req.path))
            .map_err(|e| Error::invalid("path", format!("could not build the request URL: {e}")))?;
        if !req.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(req.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        let mut builder = self
            .inner
            .http
            .request(req.method.clone(), url)
            .header(http::header::ACCEPT, HeaderValue::from_static(req.accept));
        if is_api {
            builder = builder.header("Api-Token", self.inner.token_header.clone());
        }
        if let Some(body) = &req.body {
            builder = builder
                .header(
                    http::header::CONTENT_TYPE,
                    HeaderValue::from_static(req.content_type),
                )
                .body(body.clone());
        }
        let result = async {
            let response = builder.send().await?;
            let status = response.status();
            tracing::Span::current().record("status", status.as_u16());
            let retry_after = response
                .headers()
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let body = response.bytes().await?.to_vec();
            tracing::debug!(
                status = status.as_u16(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                bytes = body.len(),
                "ActiveCampaign answered"
            );
            classify(status, retry_after, body, &self.secrets(), req.text)
        }
        .await;
        // AC's own messages may echo what was sent: no secret leaves in an error.
        result.map_err(|e| self.secrets().into_iter().fold(e, redact))
    }
}

/// Removes `secret` from every text an error carries (snippets, AC's messages).
pub(crate) fn redact(err: Error, secret: &str) -> Error {
    if secret.is_empty() {
        return err;
    }
    let clean = |s: &mut String| {
        if s.contains(secret) {
            *s = s.replace(secret, "[REDACTED]");
        }
    };
    match err {
        Error::Api(mut api) => {
            clean(&mut api.snippet);
            if let Some(m) = api.body.message.as_mut() {
                clean(m);
            }
            for item in &mut api.body.errors {
                for s in [&mut item.title, &mut item.detail].into_iter().flatten() {
                    clean(s);
                }
            }
            api.body.failure_reasons.iter_mut().for_each(clean);
            for f in &mut api.body.contact_failures {
                clean(&mut f.reason);
            }
            Error::Api(api)
        }
        Error::Html {
            status,
            mut snippet,
        } => {
            clean(&mut snippet);
            Error::Html { status, snippet }
        }
        Error::Decode {
            path,
            status,
            mut snippet,
            source,
        } => {
            clean(&mut snippet);
            Error::Decode {
                path,
                status,
                snippet,
                source,
            }
        }
        Error::Tracking {
            mut message,
            mut failure_reasons,
        } => {
            clean(&mut message);
            failure_reasons.iter_mut().for_each(clean);
            Error::Tracking {
                message,
                failure_reasons,
            }
        }
        other => other,
    }
}

/// Turns an HTTP answer into a success or one of the error variants.
pub(crate) fn classify(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: Vec<u8>,
    secrets: &[&str],
    text: bool,
) -> Result<RawResponse> {
    if status.is_success() {
        if !text && looks_like_html(&body) {
            return Err(Error::Html {
                status,
                snippet: snippet(&body, secrets),
            });
        }
        return Ok(RawResponse { status, body });
    }
    let parsed: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    match parsed {
        Some(value) => {
            let body_parsed = ErrorBody::from_json(&value);
            // Cloudflare JSON may carry `retry_after` in the body.
            let retry_after = retry_after.or_else(|| {
                value
                    .get("retry_after")
                    .and_then(serde_json::Value::as_f64)
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .map(|s| Duration::from_secs_f64(s.min(86_400.0)))
            });
            Err(Error::Api(Box::new(ApiError {
                status,
                body: body_parsed,
                retry_after,
                snippet: snippet(&body, secrets),
            })))
        }
        None if looks_like_html(&body) => Err(Error::Html {
            status,
            snippet: snippet(&body, secrets),
        }),
        None => Err(Error::Api(Box::new(ApiError {
            status,
            body: ErrorBody::default(),
            retry_after,
            snippet: snippet(&body, secrets),
        }))),
    }
}
