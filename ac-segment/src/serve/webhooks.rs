//! `POST /webhooks/activecampaign`: AC's form-encoded webhook, converted to zero or one
//! Segment `track` ([`crate::source`]) and committed to the outbox before the answer.
//!
//! | answer | when |
//! |---|---|
//! | 200 `{"converted":true,"messageId":…,"duplicate":false}` | the event is committed to the outbox |
//! | 200 `{"converted":true,"messageId":…,"duplicate":true}` | the same event was already (AC delivers at least once) |
//! | 200 `{"converted":false,"reason":…}` | not an email event (dropped, logged), or nothing to convert |
//! | 400 `{"code","message"}` | the body is not UTF-8, not a form, or has no `type` |
//! | 401 | `--webhook-token` is set and `?token=` is missing or wrong |
//! | 413 | over the request limit |
//! | 503 | the outbox is full or the store cannot be written |
//!
//! AC signs nothing, so the token in the URL you give AC is the only proof a webhook is AC's.

use std::sync::Arc;

use ac_client::webhook_payload::parse_form;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;

use super::ingest::{read_body, Refusal};
use super::worker::blocking;
use super::{constant_time_eq, App};
use crate::source::{webhook_to_track, Converted};
use crate::store::StoreError;

/// `POST /webhooks/activecampaign[?token=T]`.
pub(crate) async fn receive(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match accept(&app, query.as_deref(), &headers, body).await {
        Ok(r) => r,
        Err(r) => {
            app.metrics.webhook("refused");
            r.into_response()
        }
    }
}

fn token_ok(app: &App, query: Option<&str>) -> bool {
    let Some(want) = &app.webhook_token else {
        return true;
    };
    let given = query
        .map(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).unwrap_or_default())
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v);
    given.is_some_and(|g| constant_time_eq(g.as_bytes(), want.expose_secret().as_bytes()))
}

async fn accept(
    app: &Arc<App>,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    if !token_ok(app, query) {
        return Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the webhook URL's ?token= is missing or wrong",
        ));
    }
    let bytes = read_body(headers, body, app.max_request).await?;
    let bad = |m: String| Refusal::new(StatusCode::BAD_REQUEST, "invalid_webhook", m);
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        bad(format!(
            "the body is not UTF-8 (byte {}): AC sends application/x-www-form-urlencoded text",
            e.valid_up_to()
        ))
    })?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Err(bad(
            "the body is JSON, not a form: AC sends application/x-www-form-urlencoded".to_owned(),
        ));
    }
    let payload = parse_form(&bytes).map_err(|e| bad(format!("the body is not a form: {e}")))?;
    if payload.type_str().map(str::trim).is_none_or(str::is_empty) {
        return Err(bad("the webhook has no `type` field".to_owned()));
    }
    match webhook_to_track(&payload, &app.source) {
        Converted::Dropped { reason } => {
            tracing::info!(
                kind = payload.type_str().unwrap_or(""),
                %reason,
                "webhook dropped"
            );
            app.metrics.webhook("dropped");
            Ok((
                StatusCode::OK,
                axum::Json(serde_json::json!({"converted": false, "reason": reason})),
            )
                .into_response())
        }
        Converted::Track(event) => {
            let id = event["messageId"].as_str().unwrap_or("").to_owned();
            let bytes = serde_json::to_vec(&event)
                .map_err(|e| bad(format!("the event could not be written: {e}")))?;
            let key = id.clone();
            let stored = blocking(&app.store, move |s| {
                s.push_outbox(&[(Some(&key), bytes.as_slice())])
            })
            .await;
            match stored {
                Ok(report) => {
                    let duplicate = report.duplicates > 0;
                    if duplicate {
                        app.metrics.webhook("duplicate");
                    } else {
                        app.metrics.webhook("converted");
                        app.outboxed.notify_one();
                    }
                    Ok((
                        StatusCode::OK,
                        axum::Json(serde_json::json!({
                            "converted": true, "messageId": id, "duplicate": duplicate,
                        })),
                    )
                        .into_response())
                }
                Err(StoreError::Full { what, limit }) => Err(Refusal::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "outbox_full",
                    format!("the {what} holds its maximum of {limit} events"),
                )),
                Err(e) => {
                    tracing::error!(error = %e, "the store refused a webhook");
                    Err(Refusal::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "store_unavailable",
                        "the durable store cannot be written",
                    ))
                }
            }
        }
    }
}
