//! AC's envelopes and error bodies (reference §1.4, §1.5).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, FixedOffset, Utc};
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

/// `YYYY-MM-DDTHH:MM:SS±HH:MM` in the account's offset.
pub fn ts(t: DateTime<Utc>, offset: FixedOffset) -> String {
    t.with_timezone(&offset)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// `YYYY-MM-DD HH:MM:SS`, naive, as the `*_timestamp` fields are (account-local wall time,
/// as in the live recordings).
pub fn naive(t: DateTime<Utc>, offset: FixedOffset) -> String {
    t.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// `meta.total` as AC sends it for most collections: a string.
pub fn total(n: usize) -> Value {
    Value::String(n.to_string())
}

/// An id rendered as AC does: a JSON string.
pub fn id(n: u64) -> Value {
    Value::String(n.to_string())
}
