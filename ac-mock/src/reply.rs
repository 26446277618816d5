//! AC's envelopes and error bodies (reference §1.4, §1.5).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Serialize, Serializer};
use serde_json::{json, Value};

use crate::store::{Entity, StoreError};

/// Every error the mock answers with, each rendered in AC's exact shape.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 404 `{"message":"<text>"}`, e.g. `No Result found for Subscriber with id 1`.
    NotFoundMessage(String),
    /// 404 `{"errors":[{"status":404,"title":"Not Found","detail":"<text>"}]}`.
    NotFoundDetail(String),
    /// 422 JSON:API errors array (`title`, `detail`, `code`, `source.pointer`, ...).
    Unprocessable(Vec<Value>),
    /// 422 `{"errors":[{"status":422,"title":"Missing attribute","source":{"pointer":…}}]}`.
    MissingAttribute(String),
    /// `{"errors":"<text>"}` with this status.
    BareErrors(StatusCode, String),
    /// 400 `{"message":"<text>"}` (malformed JSON, bad query parameter).
    BadRequest(String),
    /// 403 `{"message":"Forbidden"}`.
    Forbidden,
}

impl ApiError {
    /// AC's usual not-found: `No Result found for <Model> with id <id>`.
    pub fn not_found(entity: Entity, id: impl std::fmt::Display) -> Self {
        Self::NotFoundMessage(format!(
            "No Result found for {} with id {id}",
            entity.ac_name()
        ))
    }

    /// A store error in the shape most endpoints use.
    pub fn from_store(err: StoreError) -> Self {
        match err {
            StoreError::NotFound { entity, id } => Self::not_found(entity, id),
            other => Self::Unprocessable(validation_items(other)),
        }
    }

    /// A store error where a missing *related* record is answered with the errors-array
    /// 404 (`Contact not found`), as `POST /contactTags` does.
    pub fn from_store_related(err: StoreError) -> Self {
        match err {
            StoreError::NotFound { entity, .. } => {
                Self::NotFoundDetail(format!("{} not found", entity.plain_name()))
            }
            other => Self::from_store(other),
        }
    }

    /// 422 `field_invalid` naming the attribute.
    pub fn field_invalid(pointer: &str, title: impl Into<String>) -> Self {
        Self::Unprocessable(vec![json!({
            "title": title.into(), "detail": "", "code": "field_invalid",
            "source": {"pointer": pointer}
        })])
    }

    /// 422 `field_missing` naming the attribute.
    pub fn field_missing(pointer: &str, title: impl Into<String>) -> Self {
        Self::Unprocessable(vec![json!({
            "title": title.into(), "detail": "", "code": "field_missing",
            "source": {"pointer": pointer}
        })])
    }
}

fn validation_items(err: StoreError) -> Vec<Value> {
    match err {
        StoreError::Duplicate {
            title,
            detail,
            pointer,
        } => {
            let mut item = json!({"title": title, "detail": detail, "code": "duplicate"});
            if let Some(p) = pointer {
                item["source"] = json!({ "pointer": p });
            }
            vec![item]
        }
        StoreError::Invalid {
            code,
            title,
            pointer,
            error,
        } => {
            let mut item = json!({"title": title, "detail": "", "code": code});
            if let Some(e) = error {
                item["error"] = json!(e);
            }
            item["source"] = json!({ "pointer": pointer });
            vec![item]
        }
        StoreError::Missing { title, pointer } => vec![json!({
            "title": title, "detail": "", "code": "field_missing", "source": {"pointer": pointer}
        })],
        StoreError::NotFound { entity, id } => vec![json!({
            "title": format!("The related {} does not exist.", entity.plain_name().to_lowercase()),
            "detail": format!("No {} with id {id}", entity.plain_name()), "code": "related_missing"
        })],
        StoreError::Many(errors) => errors.into_iter().flat_map(validation_items).collect(),
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        Self::from_store(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Self::NotFoundMessage(m) => (StatusCode::NOT_FOUND, json!({ "message": m })),
            Self::NotFoundDetail(d) => (
                StatusCode::NOT_FOUND,
                json!({"errors": [{"status": 404, "title": "Not Found", "detail": d}]}),
            ),
            Self::Unprocessable(items) => {
                (StatusCode::UNPROCESSABLE_ENTITY, json!({ "errors": items }))
            }
            Self::MissingAttribute(p) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"errors": [{"status": 422, "title": "Missing attribute", "source": {"pointer": p}}]}),
            ),
            Self::BareErrors(status, m) => (status, json!({ "errors": m })),
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, json!({ "message": m })),
            Self::Forbidden => (StatusCode::FORBIDDEN, json!({"message": "Forbidden"})),
        };
        (status, Json(body)).into_response()
    }
}

/// Handler result.
pub type ApiResult = Result<Response, ApiError>;

/// A JSON reply with a status.
pub fn reply(status: StatusCode, body: Value) -> ApiResult {
    Ok((status, Json(body)).into_response())
}

/// `200 {}`: AC's answer to a successful delete.
pub fn empty_ok() -> ApiResult {
    reply(StatusCode::OK, json!({}))
}

/// A JSON reply with a status, serialized straight from a typed body (no `Value` tree).
/// The bytes and headers are those `reply` sends for the equal `Value`.
pub fn reply_json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> ApiResult {
    let mut buf = Vec::with_capacity(4096);
    if let Err(e) = serde_json::to_writer(&mut buf, body) {
        // Not reachable for the mock's bodies (string keys only); answered like axum's `Json`.
        return Ok((StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response());
    }
    reply_bytes(status, buf)
}

/// A JSON reply from bytes already rendered (with the headers of [`reply_json`]).
pub fn reply_bytes(status: StatusCode, json: Vec<u8>) -> ApiResult {
    Ok((
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response())
}

/// `YYYY-MM-DDTHH:MM:SS±HH:MM` in the account's offset.
pub fn ts(t: DateTime<Utc>, offset: FixedOffset) -> String {
    Stamp::ts(t, offset).to_string()
}

/// `YYYY-MM-DD HH:MM:SS`, naive, as the `*_timestamp` fields are (account-local wall time,
/// as in the live recordings).
pub fn naive(t: DateTime<Utc>, offset: FixedOffset) -> String {
    Stamp::naive(t, offset).to_string()
}

/// A time as [`ts`] or [`naive`] render it, written without allocating (a JSON string when
/// serialized). Falls back to chrono's formatter outside years 0–9999, for leap seconds and
/// for offsets with seconds, so the text is always chrono's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    at: DateTime<Utc>,
    offset: FixedOffset,
    naive: bool,
}

impl Stamp {
    /// `YYYY-MM-DDTHH:MM:SS±HH:MM` in `offset`.
    pub fn ts(at: DateTime<Utc>, offset: FixedOffset) -> Self {
        Self {
            at,
            offset,
            naive: false,
        }
    }

    /// `YYYY-MM-DD HH:MM:SS`, the wall time in `offset`.
    pub fn naive(at: DateTime<Utc>, offset: FixedOffset) -> Self {
        Self {
            at,
            offset,
            naive: true,
        }
    }

    /// The common case by hand: digits into `buf`.
    fn fast<'b>(&self, buf: &'b mut [u8; 25]) -> Option<&'b str> {
        use chrono::{Datelike, Timelike};
        let off = self.offset.local_minus_utc();
        let local = self.at.with_timezone(&self.offset).naive_local();
        let year = u32::try_from(local.year()).ok().filter(|y| *y <= 9999)?;
        if off % 60 != 0 || local.nanosecond() >= 1_000_000_000 {
            return None;
        }
        let mut put = |at: usize, value: u32, width: usize| {
            let mut v = value;
            for i in (0..width).rev() {
                buf[at + i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        put(0, year, 4);
        put(5, local.month(), 2);
        put(8, local.day(), 2);
        put(11, local.hour(), 2);
        put(14, local.minute(), 2);
        put(17, local.second(), 2);
        let abs = off.unsigned_abs() / 60;
        put(20, abs / 60, 2);
        put(23, abs % 60, 2);
        buf[4] = b'-';
        buf[7] = b'-';
        buf[13] = b':';
        buf[16] = b':';
        buf[22] = b':';
        let len = if self.naive {
            buf[10] = b' ';
            19
        } else {
            buf[10] = b'T';
            buf[19] = if off < 0 { b'-' } else { b'+' };
            25
        };
        std::str::from_utf8(&buf[..len]).ok()
    }
}

impl Stamp {
    /// Appends the time as a JSON string (the bytes its `Serialize` writes).
    pub fn push_json(&self, out: &mut Vec<u8>) {
        let mut buf = [0u8; 25];
        out.push(b'"');
        match self.fast(&mut buf) {
            Some(text) => out.extend_from_slice(text.as_bytes()),
            // chrono's digits, signs, colons and spaces need no escaping.
            None => out.extend_from_slice(self.to_string().as_bytes()),
        }
        out.push(b'"');
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut buf = [0u8; 25];
        if let Some(text) = self.fast(&mut buf) {
            return f.write_str(text);
        }
        let format = if self.naive {
            "%Y-%m-%d %H:%M:%S"
        } else {
            "%Y-%m-%dT%H:%M:%S%:z"
        };
        write!(f, "{}", self.at.with_timezone(&self.offset).format(format))
    }
}

impl Serialize for Stamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 25];
        match self.fast(&mut buf) {
            Some(text) => serializer.serialize_str(text),
            None => serializer.collect_str(self),
        }
    }
}

/// An id as AC renders it, a JSON string (`"12"`), written without a `String`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdStr(pub u64);

impl Serialize for IdStr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// An always-empty JSON array (`[]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EmptyList;

impl Serialize for EmptyList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        serializer.serialize_seq(Some(0))?.end()
    }
}

/// `meta.total` as AC sends it for most collections: a string.
pub fn total(n: usize) -> Value {
    Value::String(n.to_string())
}

/// An id rendered as AC does: a JSON string.
pub fn id(n: u64) -> Value {
    Value::String(n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written digits equal chrono's formatter, across offsets and odd dates.
    #[test]
    fn stamp_matches_chrono() {
        let offsets = [
            0,
            -5 * 3600,
            5 * 3600 + 30 * 60,
            -(9 * 3600 + 30 * 60),
            14 * 3600,
        ];
        let times = [
            "2026-01-02T03:04:05Z",
            "2026-12-31T23:59:59.999Z",
            "1970-01-01T00:00:00Z",
            "2024-02-29T12:00:00Z",
            "0001-01-01T10:00:00Z",
            "9999-12-31T10:00:00Z",
        ];
        for secs in offsets {
            let off = FixedOffset::east_opt(secs).expect("offset");
            for t in times {
                let at = DateTime::parse_from_rfc3339(t)
                    .expect("time")
                    .with_timezone(&Utc);
                let local = at.with_timezone(&off);
                let want_ts = local.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
                let want_naive = local.format("%Y-%m-%d %H:%M:%S").to_string();
                assert_eq!(ts(at, off), want_ts, "{t} {secs}");
                assert_eq!(naive(at, off), want_naive, "{t} {secs}");
                assert_eq!(
                    serde_json::to_string(&Stamp::ts(at, off)).expect("json"),
                    format!("\"{want_ts}\"")
                );
            }
        }
    }

    #[test]
    fn id_and_empty_list_render_as_value_did() {
        let json = serde_json::to_string(&(IdStr(42), EmptyList)).expect("json");
        assert_eq!(json, r#"["42",[]]"#);
    }
}
