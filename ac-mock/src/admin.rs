//! The admin API under `/__admin` (JSON, no `Api-Token` needed): health, reset, accounts,
//! state export/import, the request journal, fault rules, simulated campaigns and the webhook
//! delivery log. Admin routes are never faulted or rate limited.
//!
//! Endpoints that act on one account's data (campaigns) use the account whose `Api-Token`
//! header they carry, or the default account when there is none.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::account_id::AccountId;
use crate::campaigns::CampaignEventType;
use crate::faults::FaultRule;
use crate::journal::JournalFilter;
use crate::query::Params;
use crate::state::AppState;
use crate::webhooks_out::CampaignExtras;

/// Admin routes (no `Api-Token`; the admin token when one is configured). `PUT /state`
/// takes at most `Options::max_state_bytes`, refused as soon as the body passes it.
pub fn router(state: &AppState) -> Router<AppState> {
    let max_state = state.options().max_state_bytes;
    Router::new()
        .route("/health", get(health))
        .route("/reset", post(reset))
        .route("/accounts", get(list_accounts).post(create_account))
        .route(
            "/state",
            get(export_state)
                .put(import_state)
                .layer(DefaultBodyLimit::max(max_state)),
        )
        .route("/requests", get(requests).delete(clear_requests))
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/faults/{id}", delete(remove_fault))
        .route("/campaigns", get(list_campaigns).post(create_campaign))
        .route("/campaigns/{id}/events", post(campaign_event))
        .route("/forms", post(crate::routes::forms::admin_create))
        .route("/segments", post(crate::routes::segments::admin_create))
        .route(
            "/forms/{id}/submissions",
            post(crate::routes::forms::admin_submit),
        )
        .route(
            "/automations",
            post(crate::routes::automations::admin_create),
        )
        .route(
            "/automations/{id}",
            delete(crate::routes::automations::admin_delete),
        )
        .route(
            "/webhook-deliveries",
            get(webhook_deliveries).delete(clear_webhook_deliveries),
        )
        .merge(crate::routes::scores::admin_router())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::middleware::require_admin,
        ))
}

/// An admin error: a status and `{"message": ...}`.
#[derive(Debug)]
pub(crate) struct Fail(StatusCode, String);

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "message": self.1 }))).into_response()
    }
}

fn bad(message: impl Into<String>) -> Fail {
    Fail(StatusCode::BAD_REQUEST, message.into())
}

fn not_found(message: impl Into<String>) -> Fail {
    Fail(StatusCode::NOT_FOUND, message.into())
}

pub(crate) fn bad_res(message: impl Into<String>) -> Response {
    bad(message).into_response()
}

pub(crate) fn not_found_res(message: impl Into<String>) -> Response {
    not_found(message).into_response()
}

/// Parses an admin body as a JSON object; a clear 400 otherwise.
pub(crate) fn object(bytes: &[u8]) -> Result<serde_json::Map<String, Value>, Fail> {
    match crate::extract::parse_json(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Err(bad("the request body must be a JSON object")),
        Ok(_) => Err(bad("the request body must be a JSON object")),
        Err(e) => Err(bad(match e {
            crate::reply::ApiError::BadRequest(m) => m,
            other => format!("{other:?}"),
        })),
    }
}

/// An id given as a number or a numeric string, as AC accepts them.
pub(crate) fn id_of(v: Option<&Value>, key: &str) -> Result<Option<u64>, Fail> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| bad(format!("\"{key}\" must be a non-negative integer id"))),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| {
            bad(format!(
                "\"{key}\" must be a non-negative integer id, got {s:?}"
            ))
        }),
        Some(other) => Err(bad(format!(
            "\"{key}\" must be a number or a numeric string, got {other}"
        ))),
    }
}

pub(crate) fn text_of(
    map: &serde_json::Map<String, Value>,
    key: &str,
) -> Result<Option<String>, Fail> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(bad(format!("\"{key}\" must be a string, got {other}"))),
    }
}

/// The account an admin call acts on: the `Api-Token` header's, else the default account.
pub(crate) fn account_of(state: &AppState, headers: &HeaderMap) -> Result<AccountId, Fail> {
    let token = headers
        .get("api-token")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or(&state.options().api_token);
    state
        .account_by_token(token)
        .ok_or_else(|| bad("no account has this Api-Token"))
}

/// `GET /__admin/health` → `{"status":"ok"}`.
async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `POST /__admin/reset`: empties every account's data; credentials, fault rules and the
/// journal stay.
async fn reset(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    state.reset();
    (StatusCode::OK, Json(json!({})))
}

/// `GET /__admin/accounts` → `{"accounts":[{"api_token","actid","event_key"}]}`.
async fn list_accounts(State(state): State<AppState>) -> Json<Value> {
    let accounts: Vec<Value> = state
        .accounts()
        .into_iter()
        .map(|(id, token, actid, key)| {
            json!({"id": id.0, "api_token": token, "actid": actid, "event_key": key})
        })
        .collect();
    Json(json!({ "accounts": accounts }))
}

/// `POST /__admin/accounts` → 201 `{"api_token","actid","event_key"}` of a new, empty account.
async fn create_account(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let (id, token, actid, key) = state.create_account();
    (
        StatusCode::CREATED,
        Json(json!({"id": id.0, "api_token": token, "actid": actid, "event_key": key})),
    )
}

/// `GET /__admin/state`: the whole state as one JSON document.
async fn export_state(State(state): State<AppState>) -> Response {
    Json(state.export_state()).into_response()
}

/// `PUT /__admin/state`: replaces the whole state with a document from `GET /__admin/state`.
async fn import_state(State(state): State<AppState>, body: Bytes) -> Response {
    let doc = match crate::persist::parse(&body) {
        Ok(doc) => doc,
        Err(e) => return bad_res(e.to_string()),
    };
    match state.import_state(doc) {
        Ok(()) => Json(json!({"accounts": state.accounts().len()})).into_response(),
        Err(e) => bad_res(format!("invalid state document: {e}")),
    }
}

/// `GET /__admin/requests?limit=N&method=M&path_prefix=P`: the journal, newest first
/// (default 100, at most the journal's size).
async fn requests(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Json<Value> {
    let p = Params::parse(raw.as_deref());
    let filter = JournalFilter {
        method: p.text("method"),
        path_prefix: p
            .get("path_prefix")
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    };
    let entries = state.with_journal(|j| {
        let limit = p.limit(100, j.capacity().max(1));
        j.newest_matching(limit, &filter)
    });
    Json(json!({ "requests": entries }))
}

/// `DELETE /__admin/requests`: empties the journal.
async fn clear_requests(State(state): State<AppState>) -> Json<Value> {
    state.with_journal(|j| j.clear());
    Json(json!({}))
}

/// `POST /__admin/faults` with a rule → 201 `{"id": N}`.
async fn add_fault(State(state): State<AppState>, body: Bytes) -> Response {
    let map = match object(&body) {
        Ok(m) => m,
        Err(res) => return res.into_response(),
    };
    let rule: FaultRule = match serde_json::from_value(Value::Object(map)) {
        Ok(r) => r,
        Err(e) => return bad_res(format!("invalid fault rule: {e}")),
    };
    match state.add_fault(rule) {
        Ok(id) => (StatusCode::CREATED, Json(json!({ "id": id }))).into_response(),
        Err(e) => bad_res(format!("invalid fault rule: {e}")),
    }
}

/// `GET /__admin/faults` → `{"faults":[rule + id, hits, remaining]}` in the order they apply.
async fn list_faults(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "faults": state.with_faults(|f| f.list()) }))
}

/// `DELETE /__admin/faults`: removes every rule.
async fn clear_faults(State(state): State<AppState>) -> Json<Value> {
    state.with_faults(|f| f.clear());
    Json(json!({}))
}

/// `DELETE /__admin/faults/{id}`: removes one rule (404 when unknown).
async fn remove_fault(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let removed = id
        .trim()
        .parse::<u64>()
        .ok()
        .is_some_and(|id| state.with_faults(|f| f.remove(id)));
    if removed {
        Json(json!({})).into_response()
    } else {
        not_found_res(format!("No fault rule with id {id}"))
    }
}

/// `GET /__admin/campaigns` → `{"campaigns":[...]}` of the selected account.
async fn list_campaigns(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let account = match account_of(&state, &headers) {
        Ok(a) => a,
        Err(res) => return res.into_response(),
    };
    let rows = state
        .with_account(account, |a| a.campaigns.iter().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    Json(json!({ "campaigns": rows })).into_response()
}

/// `POST /__admin/campaigns` `{"name","subject","list"}` → 201 `{"id"}`.
async fn create_campaign(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let account = match account_of(&state, &headers) {
        Ok(a) => a,
        Err(res) => return res.into_response(),
    };
    let map = match object(&body) {
        Ok(m) => m,
        Err(res) => return res.into_response(),
    };
    let fields = (|| {
        let name = text_of(&map, "name")?.filter(|s| !s.trim().is_empty());
        let subject = text_of(&map, "subject")?.unwrap_or_default();
        let list = id_of(map.get("list"), "list")?;
        Ok::<_, Fail>((name, subject, list))
    })();
    let (name, subject, list) = match fields {
        Ok(f) => f,
        Err(res) => return res.into_response(),
    };
    let Some(name) = name else {
        return bad_res("\"name\" is required");
    };
    let Some(list) = list else {
        return bad_res("\"list\" is required (a list id)");
    };
    let extra = match crate::routes::campaigns::admin_extras(&map) {
        Ok(x) => x,
        Err(m) => return bad_res(m),
    };
    let created = state.with_account(account, |a| {
        a.store.lists.get(list)?;
        Some(
            a.campaigns
                .create_with(name, subject, list, extra.0, &extra.1),
        )
    });
    match created.flatten() {
        Some(id) => (StatusCode::CREATED, Json(json!({ "id": id.to_string() }))).into_response(),
        None => not_found_res(format!("No Result found for _List with id {list}")),
    }
}

/// `POST /__admin/campaigns/{id}/events` `{"type","email","link_url","bounce_type","reason"}`:
/// applies the event to the data and fires the matching webhooks.
async fn campaign_event(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let account = match account_of(&state, &headers) {
        Ok(a) => a,
        Err(res) => return res.into_response(),
    };
    let map = match object(&body) {
        Ok(m) => m,
        Err(res) => return res.into_response(),
    };
    let Some(kind) = map.get("type") else {
        return bad_res("\"type\" is required: sent, open, click, bounce or unsubscribe");
    };
    let kind: CampaignEventType = match serde_json::from_value(kind.clone()) {
        Ok(k) => k,
        Err(_) => {
            return bad_res(format!(
                "\"type\" must be sent, open, click, bounce or unsubscribe, got {kind}"
            ))
        }
    };
    let parsed = (|| {
        Ok::<_, Fail>((
            text_of(&map, "email")?,
            CampaignExtras {
                link_id: id_of(map.get("link_id"), "link_id")?,
                link_url: text_of(&map, "link_url")?,
                bounce_type: text_of(&map, "bounce_type")?,
                reason: text_of(&map, "reason")?,
            },
        ))
    })();
    let (email, mut extras) = match parsed {
        Ok(p) => p,
        Err(res) => return res.into_response(),
    };
    if let Some(t) = extras.bounce_type.as_deref() {
        if t != "hard" && t != "soft" {
            return bad_res(format!("\"bounce_type\" must be hard or soft, got {t:?}"));
        }
    }
    let email = email
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty());
    if kind != CampaignEventType::Sent && email.is_none() {
        return bad_res(format!(
            "\"email\" is required for a {} event",
            kind.as_str()
        ));
    }
    let Some(campaign_id) = id.trim().parse::<u64>().ok() else {
        return not_found_res(format!("No campaign with id {id}"));
    };
    let outcome = state.with_account(account, |a| {
        let Some(campaign) = a.campaigns.get(campaign_id).cloned() else {
            return Err(not_found(format!("No campaign with id {campaign_id}")));
        };
        let contact = match &email {
            None => None,
            Some(e) => match a.store.contact_by_email(e) {
                Some(c) => Some(c.id),
                None => return Err(not_found(format!("No contact with email {e}"))),
            },
        };
        let now = crate::store::now();
        if let Some(c) = contact {
            match kind {
                CampaignEventType::Unsubscribe => {
                    if let Err(e) = a.store.set_contact_list(c, campaign.list, 2, None, now) {
                        return Err(bad(format!("{e}")));
                    }
                    if let Some(reason) = &extras.reason {
                        let row_id = a
                            .store
                            .contact_lists
                            .iter()
                            .find(|m| m.contact == c && m.list == campaign.list)
                            .map(|m| m.id);
                        if let Some(row) = row_id.and_then(|m| a.store.contact_lists.get_mut(m)) {
                            row.unsubreason = reason.clone();
                        }
                    }
                }
                CampaignEventType::Bounce => {
                    let hard = extras.bounce_type.as_deref() != Some("soft");
                    if let Some(row) = a.store.contacts.get_mut(c) {
                        if hard {
                            row.bounced_hard += 1;
                        } else {
                            row.bounced_soft += 1;
                        }
                        row.bounced_date = Some(now);
                    }
                    if hard {
                        // AC's list status 3 = bounced.
                        let lists: Vec<u64> =
                            a.store.contact_lists_of(c).iter().map(|m| m.list).collect();
                        for l in lists {
                            let _ = a.store.set_contact_list(c, l, 3, None, now);
                        }
                    }
                    if let (Some(e), Some(row)) = (&email, a.campaigns.get_mut(campaign_id)) {
                        row.bounces.insert(
                            e.to_lowercase(),
                            if hard { "hard" } else { "soft" }.to_string(),
                        );
                    }
                }
                _ => {}
            }
        }
        if let Some(row) = a.campaigns.get_mut(campaign_id) {
            *row.counts.entry(kind.as_str().to_string()).or_default() += 1;
        }
        crate::routes::campaigns::record_event(a, &campaign, kind, contact, &mut extras, now);
        let out = crate::webhooks_out::from_campaign_event(
            &a.store,
            account,
            &campaign,
            kind,
            contact,
            &extras,
            now,
            a.utc_offset,
        );
        Ok((out, contact))
    });
    match outcome {
        None => bad_res("no such account"),
        Some(Err(res)) => res.into_response(),
        Some(Ok((out, contact))) => {
            let fired = out.len();
            state.webhooks_out().send(out, state.weak());
            Json(json!({
                "type": kind.as_str(),
                "campaign": campaign_id.to_string(),
                "contact": contact.map(|c| c.to_string()),
                "webhooks": fired,
            }))
            .into_response()
        }
    }
}

/// `GET /__admin/webhook-deliveries?limit=N` → `{"deliveries":[...]}`, newest first.
async fn webhook_deliveries(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Json<Value> {
    let p = Params::parse(raw.as_deref());
    let out = state.webhooks_out();
    let limit = p.limit(100, out.capacity().max(1));
    Json(json!({ "deliveries": out.deliveries(limit) }))
}

/// `DELETE /__admin/webhook-deliveries`: empties the delivery log.
async fn clear_webhook_deliveries(State(state): State<AppState>) -> Json<Value> {
    state.webhooks_out().clear();
    Json(json!({}))
}
