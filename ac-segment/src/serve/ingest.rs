//! `POST /v1/batch` and `POST /v1/{identify,track,page,screen,group,alias}`: Segment's HTTP
//! API, answered the way the senders read it (`reference/segment-senders.md`).
//!
//! | answer | when |
//! |---|---|
//! | 200 `{"success":true}` | every message is committed to the queue (or was already, by `messageId`) |
//! | 400 `{"code","message"}` | not JSON, no `batch`, a message that is not an object or has no `type`, bad gzip |
//! | 401 | no write key, or not one of `--write-key` |
//! | 413 | over the request limit (after gzip) or a message over the message limit |
//! | 415 | a `Content-Encoding` other than gzip / identity |
//! | 429 + `Retry-After` | the queue is full |
//! | 503 + `Retry-After` | the store cannot be written |
//!
//! A request is all or nothing: one bad message refuses the whole request (the sender is told
//! which, and nothing of it is stored), so a 200 always means every message is durable.
//! Messages are stored as received; when the envelope carries `context` or `integrations`,
//! they are merged into each message first (as Segment does), and that message is stored.

use std::io::Read;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::worker::blocking;
use super::App;
use crate::spec::{merge_envelope, Message, MessageType};
use crate::store::StoreError;

/// An ingestion refusal: status, `code` and a message saying what was wrong and where.
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u32>,
}

impl Refusal {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    fn bad(message: impl Into<String>) -> Self {
        Refusal::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"code": self.code, "message": self.message});
        let mut r = (self.status, axum::Json(body)).into_response();
        if let Some(s) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        r
    }
}

fn success() -> Response {
    (
        StatusCode::OK,
        axum::Json(serde_json::json!({"success": true})),
    )
        .into_response()
}

/// Reads a request body within `limit` bytes after undoing gzip.
pub(crate) async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Vec<u8>, Refusal> {
    let too_big = || {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request is over {limit} bytes"),
        )
    };
    let wire = match Limited::new(body, limit).collect().await {
        Ok(c) => c.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => return Err(too_big()),
        Err(e) => {
            return Err(Refusal::bad(format!(
                "the request body could not be read: {e}"
            )))
        }
    };
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("") | Some("identity") => Ok(wire.to_vec()),
        Some("gzip") | Some("x-gzip") => {
            let mut out = Vec::with_capacity(wire.len().saturating_mul(8).min(limit));
            // Every member of the stream (a body may be several gzip streams back to back);
            // bytes after the last member that are not gzip are an error, never ignored.
            let mut decoder = flate2::read::MultiGzDecoder::new(&wire[..]).take(limit as u64 + 1);
            decoder
                .read_to_end(&mut out)
                .map_err(|e| Refusal::bad(format!("the body is not valid gzip: {e}")))?;
            if out.len() > limit {
                return Err(too_big());
            }
            Ok(out)
        }
        Some(other) => Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_encoding",
            format!("Content-Encoding {other:?} is not supported: send gzip or plain JSON"),
        )),
    }
}

/// The write key of the Basic-auth user, when there is an `Authorization` header.
fn basic_user(headers: &HeaderMap) -> Option<Result<String, Refusal>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let unauthorized =
        |m: &str| Refusal::new(StatusCode::UNAUTHORIZED, "unauthorized", m.to_owned());
    let text = match value.to_str() {
        Ok(t) => t.trim(),
        Err(_) => return Some(Err(unauthorized("the Authorization header is not text"))),
    };
    let Some((scheme, rest)) = text.split_once(' ') else {
        return Some(Err(unauthorized(
            "the Authorization header is not Basic auth",
        )));
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Some(Err(unauthorized(
            "the Authorization header is not Basic auth",
        )));
    }
    let decoded = match base64::engine::general_purpose::STANDARD.decode(rest.trim()) {
        Ok(d) => d,
        Err(_) => {
            return Some(Err(unauthorized(
                "the Basic auth credentials are not base64",
            )))
        }
    };
    let text = String::from_utf8_lossy(&decoded);
    let user = text.split_once(':').map_or(&*text, |(u, _)| u);
    Some(Ok(user.to_owned()))
}

fn check_key(app: &App, headers: &HeaderMap, body_key: Option<&str>) -> Result<(), Refusal> {
    let key = match basic_user(headers) {
        Some(r) => r?,
        None => match body_key {
            Some(k) => k.to_owned(),
            None => {
                return Err(Refusal::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "no write key: send it as the Basic-auth user or as the body's writeKey",
                ))
            }
        },
    };
    if app.knows_key(&key) {
        Ok(())
    } else {
        Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the write key is not one this server accepts",
        ))
    }
}

/// A message ready to store: its `messageId`, type and bytes.
struct Ready {
    id: Option<String>,
    kind: MessageType,
    bytes: Vec<u8>,
}

fn validate(app: &App, bytes: Vec<u8>, at: &str) -> Result<Ready, Refusal> {
    if bytes.len() > app.max_message {
        return Err(Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "message_too_large",
            format!(
                "{at} is {} bytes; one message may be at most {}",
                bytes.len(),
                app.max_message
            ),
        ));
    }
    let message = Message::from_slice(&bytes).map_err(|e| Refusal::bad(format!("{at}: {e}")))?;
    Ok(Ready {
        id: message.message_id.clone().filter(|i| !i.is_empty()),
        kind: message.kind,
        bytes,
    })
}

/// The envelope of `/v1/batch`, reading the messages as raw JSON.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    batch: Option<Vec<&'a RawValue>>,
    #[serde(rename = "writeKey")]
    write_key: Option<String>,
    context: Option<Map<String, Value>>,
    integrations: Option<Map<String, Value>>,
}

/// `POST /v1/batch`.
pub(crate) async fn batch(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    match accept_batch(&app, &headers, body).await {
        Ok(()) => success(),
        Err(r) => {
            app.metrics.rejected(r.code);
            r.into_response()
        }
    }
}

async fn accept_batch(app: &Arc<App>, headers: &HeaderMap, body: Body) -> Result<(), Refusal> {
    let bytes = read_body(headers, body, app.max_request).await?;
    let parsed: Result<Envelope<'_>, _> = serde_json::from_slice(&bytes);
    let envelope = match parsed {
        Ok(e) => e,
        Err(e) => {
            // A wrong key in the header is said before a body problem.
            if basic_user(headers).is_some() {
                check_key(app, headers, None)?;
            }
            return Err(Refusal::bad(format!(
                "the body is not a JSON batch envelope: {e}"
            )));
        }
    };
    check_key(app, headers, envelope.write_key.as_deref())?;
    let Some(items) = envelope.batch else {
        return Err(Refusal::bad("the envelope has no \"batch\" array"));
    };
    let merge = envelope.context.is_some() || envelope.integrations.is_some();
    let mut ready = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("batch[{i}]");
        let raw = item.get().as_bytes();
        let bytes = if merge {
            let mut value: Value =
                serde_json::from_slice(raw).map_err(|e| Refusal::bad(format!("{at}: {e}")))?;
            let Value::Object(map) = &mut value else {
                return Err(Refusal::bad(format!(
                    "{at}: a message must be a JSON object"
                )));
            };
            merge_envelope(
                map,
                envelope.context.as_ref(),
                envelope.integrations.as_ref(),
            );
            serde_json::to_vec(&value).map_err(|e| Refusal::bad(format!("{at}: {e}")))?
        } else {
            raw.to_vec()
        };
        ready.push(validate(app, bytes, &at)?);
    }
    store(app, ready).await
}

const KINDS: [&str; 6] = ["identify", "track", "page", "screen", "group", "alias"];

/// `POST /v1/{identify,track,page,screen,group,alias}`: one message; its `type` is the path's
/// when it has none.
pub(crate) async fn single(
    State(app): State<Arc<App>>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match accept_single(&app, &kind, &headers, body).await {
        Ok(()) => success(),
        Err(r) => {
            app.metrics.rejected(r.code);
            r.into_response()
        }
    }
}

async fn accept_single(
    app: &Arc<App>,
    kind: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<(), Refusal> {
    if !KINDS.contains(&kind) {
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "no route /v1/{kind}: use /v1/batch or /v1/{{{}}}",
                KINDS.join(",")
            ),
        ));
    }
    let bytes = read_body(headers, body, app.max_request).await?;
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            if basic_user(headers).is_some() {
                check_key(app, headers, None)?;
            }
            return Err(Refusal::bad(format!("the body is not JSON: {e}")));
        }
    };
    let Value::Object(mut map) = value else {
        return Err(Refusal::bad("the body must be a JSON object"));
    };
    let body_key = map
        .get("writeKey")
        .and_then(Value::as_str)
        .map(str::to_owned);
    check_key(app, headers, body_key.as_deref())?;
    let bytes = if map.contains_key("type") {
        bytes
    } else {
        map.insert("type".to_owned(), Value::String(kind.to_owned()));
        serde_json::to_vec(&map).map_err(|e| Refusal::bad(e.to_string()))?
    };
    let ready = validate(app, bytes, "the message")?;
    store(app, vec![ready]).await
}

async fn store(app: &Arc<App>, ready: Vec<Ready>) -> Result<(), Refusal> {
    if ready.is_empty() {
        return Ok(());
    }
    let kinds: Vec<MessageType> = ready.iter().map(|r| r.kind.clone()).collect();
    let report = blocking(&app.store, move |s| {
        let refs: Vec<(Option<&str>, &[u8])> = ready
            .iter()
            .map(|r| (r.id.as_deref(), r.bytes.as_slice()))
            .collect();
        s.enqueue(&refs)
    })
    .await;
    match report {
        Ok(report) => {
            for (i, k) in kinds.iter().enumerate() {
                if report.duplicate_at.binary_search(&i).is_err() {
                    app.metrics.accepted(k);
                }
            }
            app.metrics.duplicates(report.duplicates);
            if report.accepted > 0 {
                app.queued.notify_one();
            }
            Ok(())
        }
        Err(StoreError::Full { what, limit }) => Err(Refusal {
            retry_after: Some(5),
            ..Refusal::new(
                StatusCode::TOO_MANY_REQUESTS,
                "queue_full",
                format!("the {what} holds its maximum of {limit} messages: try again later"),
            )
        }),
        Err(e) => {
            tracing::error!(error = %e, "the store refused a batch");
            Err(Refusal {
                retry_after: Some(5),
                ..Refusal::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    "the durable store cannot be written: try again later",
                )
            })
        }
    }
}
