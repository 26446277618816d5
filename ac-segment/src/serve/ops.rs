//! `GET /health` (200 with the queue depths, 503 when the store cannot be read) and
//! `GET /metrics` (Prometheus text), and the JSON 404 for everything else.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::ingest::Refusal;
use super::worker::blocking;
use super::App;

/// `GET /health`.
pub(crate) async fn health(State(app): State<Arc<App>>) -> Response {
    match blocking(&app.store, |s| s.depth()).await {
        Ok(d) => axum::Json(serde_json::json!({
            "status": "ok",
            "queue": d.queue,
            "outbox": d.outbox,
            "dead_letters": d.dead,
            "sink": app.sink,
        }))
        .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "unavailable", "message": e.to_string()})),
        )
            .into_response(),
    }
}

/// `GET /metrics`.
pub(crate) async fn metrics(State(app): State<Arc<App>>) -> Response {
    let depth = blocking(&app.store, |s| s.depth()).await.ok();
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(depth),
    )
        .into_response()
}

/// Any other route.
pub(crate) async fn not_found(uri: Uri) -> Response {
    Refusal::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "no route {}: serve has POST /v1/batch, POST /v1/{{type}}, POST /webhooks/activecampaign, GET /health, GET /metrics",
            uri.path()
        ),
    )
    .into_response()
}
