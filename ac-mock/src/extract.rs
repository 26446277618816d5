//! The extractors every handler takes: the account an `/api/3` request's `Api-Token` selected
//! ([`Authed`], looked up once by [`crate::middleware::front`]), and the request body as JSON
//! ([`JsonBody`]) or as bytes ([`RawBody`], with [`parse_json`] for the fallback), each
//! answering AC's error shapes (403, 400 `Malformed JSON`, 413) when it cannot.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::account_id::AccountId;
use crate::reply::ApiError;

/// The account an `/api/3` request's `Api-Token` selected: the extractor every API handler
/// takes. [`crate::middleware::front`] looks the token up once per request; a missing or
/// unknown token is answered 403 `{"message":"Forbidden"}` (unknown paths stay 404: no
/// handler runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authed(pub AccountId);

impl<S: Send + Sync> FromRequestParts<S> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<AccountId>()
            .copied()
            .map(Authed)
            .ok_or(ApiError::Forbidden)
    }
}

/// A request body parsed as JSON whatever its `Content-Type` says.
///
/// An empty body is `Value::Null` (handlers then report the missing wrapper as AC does);
/// bytes that are not JSON are a 400 `{"message":"Malformed JSON: ..."}` naming line and column;
/// a body over the limit is a 413 JSON body.
#[derive(Debug, Clone)]
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        parse_json(&bytes)
            .map(JsonBody)
            .map_err(IntoResponse::into_response)
    }
}

/// A request body as bytes, for handlers with a typed fast path that fall back to
/// [`parse_json`]; a body over the limit is the same 413 JSON body as [`JsonBody`]'s.
#[derive(Debug, Clone)]
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            let status = rejection.status();
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!("Payload Too Large: {}", rejection.body_text())
            } else {
                rejection.body_text()
            };
            (status, Json(json!({ "message": message }))).into_response()
        })?;
        Ok(RawBody(bytes))
    }
}

/// Parses a body; empty → `Null`; invalid → 400 naming what and where.
pub fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest(format!("Malformed JSON: {e}")))
}
