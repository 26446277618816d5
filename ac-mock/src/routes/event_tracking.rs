//! Event tracking (reference §6): `/eventTracking`, `/eventTrackingEvents`,
//! `/contacts/{id}/trackingLogs` under `/api/3`, and the tracking host's `POST /event`
//! (AC's `trackcmp.net/event`), served without `Api-Token` on the mock's own listener.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::input::{enabled_flag, TrackParams};
use super::{entity_id, page, page_json, path_id, wrapped};
use crate::account_id::AccountId;
use crate::extract::{Authed, JsonBody};
use crate::query::Params;
use crate::render::contact::full_json;
use crate::reply::{empty_ok, id, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::event_tracking::MAX_EVENT_NAME;
use crate::store::{Entity, TrackingLog};

/// `/api/3` routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/eventTracking",
            get(get_status).put(set_status).post(set_status),
        )
        .route("/eventTrackingEvents", get(list_events).post(add_event))
        .route("/eventTrackingEvents/{name}", delete(remove_event))
        .route("/contacts/{id}/trackingLogs", get(logs_of_contact))
        .route("/trackingLogs/{id}/contact", get(contact_of_log))
}

/// Routes of the tracking host (no `Api-Token`): `POST /event`.
pub fn tracking_router() -> Router<AppState> {
    Router::new().route("/event", post(event))
}

fn status_json(enabled: bool) -> Value {
    json!({"eventTracking": {"enabled": enabled}})
}

async fn get_status(State(st): State<AppState>, Authed(acct): Authed) -> ApiResult {
    st.with_store(acct, |store, _| {
        reply(StatusCode::OK, status_json(store.event_tracking.enabled))
    })
}

async fn set_status(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let enabled = enabled_flag(&body, "eventTracking")?;
    st.with_store(acct, |store, _| {
        store.set_event_tracking(enabled);
        reply(StatusCode::OK, status_json(enabled))
    })
}

async fn list_events(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, _| {
        let all = &store.event_tracking.events;
        let page: Vec<Value> = page(all, &p).map(|name| json!({ "name": name })).collect();
        // `total` is a number on this collection (reference §1.4).
        reply(
            StatusCode::OK,
            json!({"eventTrackingEvents": page, "meta": {"total": all.len()}}),
        )
    })
}

async fn add_event(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let name = wrapped(&body, "eventTrackingEvent")?
        .string("name")?
        .unwrap_or_default();
    st.with_store(acct, |store, _| {
        store.add_event_name(&name)?;
        reply(
            StatusCode::CREATED,
            json!({"eventTrackingEvent": {"name": name.trim()}}),
        )
    })
}

async fn remove_event(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(name): Path<String>,
) -> ApiResult {
    st.with_store(acct, |store, _| {
        if store.remove_event_name(&name) {
            empty_ok()
        } else {
            Err(ApiError::NotFoundMessage(format!(
                "No Result found for EventTrackingEvent with id {name}"
            )))
        }
    })
}

/// A tracking-log row (reference §6.3).
pub(crate) fn tracking_log_json(l: &TrackingLog, ctx: &Ctx) -> Value {
    json!({
        "subscriberid": id(l.contact), "type": l.kind, "value": l.value,
        "tstamp": ts(l.tstamp, ctx.offset), "hash": l.hash,
        "links": {"contact": format!("{}/trackingLogs/{}/contact", ctx.api_base, l.id)},
        "id": id(l.id), "contact": id(l.contact)
    })
}

async fn logs_of_contact(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let p = Params::parse(q.as_deref());
    let cid = entity_id(Entity::Contact, &raw)?;
    st.with_store(acct, |store, ctx| {
        let logs = store.tracking_logs_of(cid)?;
        reply(
            StatusCode::OK,
            page_json("trackingLogs", logs, &p, |l| tracking_log_json(l, ctx)),
        )
    })
}

async fn contact_of_log(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let not_found =
        || ApiError::NotFoundMessage(format!("No Result found for TrackingLog with id {raw}"));
    let lid = path_id(&raw).ok_or_else(not_found)?;
    st.with_store(acct, |store, ctx| {
        let log = store.tracking_logs.get(lid).ok_or_else(not_found)?;
        let c = store.contact(log.contact)?;
        reply(StatusCode::OK, json!({ "contact": full_json(c, ctx) }))
    })
}

/// `{"success":0|1,"message":...}` with HTTP 200 (AC's status on failure is unconfirmed),
/// tagged with the account for the journal.
fn track_reply(ok: bool, message: &str, account: Option<AccountId>) -> Response {
    let mut res = (
        StatusCode::OK,
        Json(json!({"success": u8::from(ok), "message": message})),
    )
        .into_response();
    if let Some(a) = account {
        res.extensions_mut().insert(a);
    }
    res
}

/// `POST /event` (`trackcmp.net/event`): `actid`, `key`, `event`, optional `eventdata` and a
/// `visit` JSON object whose `email` selects the contact. Form body, or query parameters.
async fn event(State(st): State<AppState>, RawQuery(q): RawQuery, body: Bytes) -> Response {
    let p = TrackParams::new(q.as_deref(), &body);
    let Some(actid) = p.text("actid") else {
        return track_reply(false, "An account ID must be provided.", None);
    };
    let Some(acct) = st.account_by_actid(&actid) else {
        return track_reply(false, "Invalid account ID.", None);
    };
    let Some(key) = p.text("key") else {
        return track_reply(false, "An event key must be provided.", Some(acct));
    };
    if st.tracking_keys(acct).is_none_or(|(_, k)| k != key) {
        return track_reply(false, "Invalid event key.", Some(acct));
    }
    let Some(name) = p.text("event") else {
        return track_reply(false, "An event name must be provided.", Some(acct));
    };
    if name.chars().count() > MAX_EVENT_NAME {
        return track_reply(
            false,
            "The event name must be at most 32 characters.",
            Some(acct),
        );
    }
    let email = match p.raw("visit").filter(|v| !v.trim().is_empty()) {
        None => None,
        Some(v) => match serde_json::from_str::<Value>(&v) {
            Ok(Value::Object(o)) => o
                .get("email")
                .and_then(Value::as_str)
                .map(|e| e.trim().to_string())
                .filter(|e| !e.is_empty()),
            _ => {
                return track_reply(
                    false,
                    "The visit parameter must be a JSON object.",
                    Some(acct),
                )
            }
        },
    };
    let value = p.raw("eventdata").unwrap_or_default();
    let outcome = st.with_store(acct, |store, _| {
        if !store.event_tracking.enabled {
            return Ok(false);
        }
        let contact = email
            .as_deref()
            .and_then(|e| store.contact_by_email(e))
            .map(|c| c.id);
        if let Some(cid) = contact {
            store.add_tracking_log(cid, &name, &value, crate::store::now())?;
        }
        Ok(true)
    });
    match outcome {
        Ok(true) => track_reply(true, "Event spawned", Some(acct)),
        Ok(false) => track_reply(
            false,
            "Event tracking is not enabled for this account.",
            Some(acct),
        ),
        Err(e) => e.into_response(),
    }
}
