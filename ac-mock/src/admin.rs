//! The admin API under `/__admin`: health, reset, request journal.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::query::Params;
use crate::server::AppState;

/// Admin routes (no `Api-Token` needed).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/reset", post(reset))
        .route("/requests", get(requests))
}

/// `GET /__admin/health` → `{"status":"ok"}`.
async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `POST /__admin/reset`: empties every account's data; credentials and the journal stay.
async fn reset(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    state.reset();
    (StatusCode::OK, Json(json!({})))
}

/// `GET /__admin/requests?limit=N`: the journal, newest first (default 100).
async fn requests(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Json<Value> {
    let p = Params::parse(raw.as_deref());
    let entries = state.with_journal(|j| {
        let limit = p.limit(100, j.capacity().max(1));
        j.newest(limit)
    });
    Json(json!({ "requests": entries }))
}
