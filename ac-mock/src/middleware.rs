//! The layers in front of the handlers: the request journal, fault rules, JSON error bodies,
//! the rate limits, and the account and admin checks. The extractors handlers take (the
//! account, the body) are in [`crate::extract`].
//!
//! Order (outermost first): journal → faults → json_errors → rate limits (all four in one
//! layer, [`front`], which also looks up the `Api-Token` of `/api/3` requests) → body limit →
//! handlers, which take the account through the [`crate::extract::Authed`] extractor. Faults
//! sit outside `json_errors` so that their HTML pages and plain-text bodies leave exactly as
//! configured; admin routes are never faulted.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::account_id::AccountId;
use crate::faults::Dropped;
use crate::journal::JournalEntry;
use crate::reply::ApiError;
use crate::state::AppState;

/// The account of an `/api/3` request's `Api-Token` header, if it names one.
fn account_of(state: &AppState, req: &Request) -> Option<AccountId> {
    if !req.uri().path().starts_with("/api/3") {
        return None;
    }
    let token = req.headers().get("api-token")?.to_str().ok()?.trim();
    state.account_by_token(token)
}

/// Everything in front of the routes, as one layer (one layer instead of four keeps the
/// per-request cost down; the order is the module's): the journal records the final answer,
/// fault rules apply before anything else (and their bodies leave untouched), errors from
/// below leave as JSON, then the rate limits.
pub async fn front(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let uri = req.uri().clone();
    let account = account_of(&state, &req);
    if let Some(account) = account {
        req.extensions_mut().insert(account);
    }
    let writes = !matches!(
        method,
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let res = faults(&state, req, next).await;
    if writes && !res.status().is_client_error() {
        // Anything that may have changed the state (a 5xx may have, half-way): the state file
        // is written again within its debounce window.
        state.mark_changed();
    }
    let status = if res.extensions().get::<Dropped>().is_some() {
        0
    } else {
        res.status().as_u16()
    };
    let account = account.or_else(|| res.extensions().get::<AccountId>().copied());
    record(
        &state,
        method.as_str(),
        uri.path(),
        uri.query(),
        status,
        account,
    );
    res
}

/// Logs an answered request and adds it to the journal (the front layer's last step).
pub(crate) fn record(
    state: &AppState,
    method: &str,
    path: &str,
    query: Option<&str>,
    status: u16,
    account: Option<AccountId>,
) {
    tracing::debug!(%method, path, status, "request");
    let entry = JournalEntry {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.map(str::to_owned),
        status,
        account: account.map(|a| a.0),
        at: chrono::Utc::now(),
    };
    state.with_journal(|j| j.push(entry));
}

/// One auth layer over every matched `/api/3` route (unknown paths stay 404): a request whose
/// `Api-Token` names no account is answered 403 `{"message":"Forbidden"}` before any handler
/// runs, so a new route cannot forget the check.
pub async fn require_account(req: Request, next: Next) -> Response {
    if req.extensions().get::<AccountId>().is_none() {
        return ApiError::Forbidden.into_response();
    }
    next.run(req).await
}

/// When an admin token is configured, every `/__admin` call must carry it, as
/// `Authorization: Bearer TOKEN` or `X-Admin-Token: TOKEN`; otherwise 401.
pub async fn require_admin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(want) = state.options().admin_token.as_deref() else {
        return next.run(req).await;
    };
    let headers = req.headers();
    let given = headers
        .get("x-admin-token")
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                })
        })
        .map(str::trim);
    let ok = given.is_some_and(|g| {
        g.len() == want.len()
            && g.bytes()
                .zip(want.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if ok {
        next.run(req).await
    } else {
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "the admin API needs the admin token: Authorization: Bearer TOKEN or X-Admin-Token: TOKEN"})),
        )
            .into_response()
    }
}

/// Makes sure every error leaves as JSON: axum's own plain-text rejections (413 body too
/// large, 405 wrong method, ...) are rewritten as `{"message":"..."}` with the same status.
pub(crate) async fn json_errors(res: Response) -> Response {
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "Payload Too Large: {}",
            if text.is_empty() {
                "request body exceeds the limit"
            } else {
                &text
            }
        ),
        StatusCode::METHOD_NOT_ALLOWED => "Method Not Allowed".to_string(),
        StatusCode::NOT_FOUND => "Not Found".to_string(),
        _ if !text.is_empty() => text,
        _ => status.canonical_reason().unwrap_or("Error").to_string(),
    };
    let body = serde_json::to_vec(&json!({ "message": message })).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(body))
}

/// Fallback for unknown routes: 404 `{"message":"Not Found"}`.
pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({"message": "Not Found"}))).into_response()
}

/// Applies the first matching fault rule (see [`crate::faults`]); admin routes are exempt.
/// Without a fault, the request goes on through the rate limits, and errors from below are
/// turned into JSON.
async fn faults(state: &AppState, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/__admin") {
        return json_errors(rate_limit(state, req, next).await).await;
    }
    // One atomic read when there are no rules: no lock on the common path.
    let fault = if state.has_faults() {
        state.with_faults(|f| f.pick(req.method().as_str(), req.uri().path()))
    } else {
        None
    };
    let Some(fault) = fault else {
        return json_errors(rate_limit(state, req, next).await).await;
    };
    tracing::debug!(rule = fault.rule, path = %req.uri().path(), "fault rule applied");
    if fault.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(fault.delay_ms)).await;
    }
    match crate::faults::respond(&fault.action) {
        Some(res) => res,
        None => json_errors(rate_limit(state, req, next).await).await,
    }
}

/// AC's answer when the per-second limit is hit: 429 with `Retry-After`, `RateLimit-Limit`
/// and `RateLimit-Remaining: 0`.
fn too_many(limit: u32, retry_after: u64) -> Response {
    let mut res = (
        StatusCode::TOO_MANY_REQUESTS,
        Json(json!({"message": "Too Many Requests"})),
    )
        .into_response();
    let h = res.headers_mut();
    h.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    h.insert("ratelimit-limit", HeaderValue::from(limit));
    h.insert("ratelimit-remaining", HeaderValue::from(0u32));
    res
}

/// Per-account rate limits on `/api/3` (see [`crate::ratelimit`]): the per-second bucket
/// (when configured) and bulk import's per-minute limits, answered as AC does
/// (400 `{"success":0,"message":"Rate limit exceeded.",...}`).
async fn rate_limit(state: &AppState, req: Request, next: Next) -> Response {
    let limits = state.limits();
    let path = req.uri().path();
    let is_bulk = req.method() == axum::http::Method::POST
        && path.trim_end_matches('/') == "/api/3/import/bulk_import";
    if (limits.per_second().is_none() && !(is_bulk && limits.bulk_enabled()))
        || !path.starts_with("/api/3")
    {
        return next.run(req).await;
    }
    let Some(account) = req.extensions().get::<AccountId>().copied() else {
        return next.run(req).await; // the handler answers 403
    };
    let now = std::time::Instant::now();
    if let (Some(n), Err(limited)) = (limits.per_second(), limits.check(account)) {
        return too_many(n, limited.retry_after_secs);
    }
    if !(is_bulk && limits.bulk_enabled()) {
        return next.run(req).await;
    }
    // Count the contacts: the body has to be read, then handed on unchanged.
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, state.options().max_body_bytes).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                Json(json!({"message": "Payload Too Large: request body exceeds the limit"})),
            )
                .into_response()
        }
    };
    let contacts = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|v| v.get("contacts").and_then(Value::as_array).map(Vec::len));
    if let Some(n) = contacts.filter(|n| *n > 0) {
        if let Err(limit) = limits.check_bulk(account, n, now) {
            let reason = format!(
                "Up to {limit} imports may be requested per minute.Please batch contacts into larger requests, or retry this request in a minute."
            );
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"success": 0, "message": "Rate limit exceeded.", "failureReasons": [reason]})),
            )
                .into_response();
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
