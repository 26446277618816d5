//! `/webhooks`, `/webhook/events` (reference §10.1). Delivery is a separate feature; the
//! subscriptions live in [`crate::store::Store::webhooks`]. A URL that leads to the mock's own
//! listener is refused (422 `field_invalid` on `/data/attributes/url`): a webhook there could
//! reset or change any account's data.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::{delete_by_id, entity_id, page_json, wrapped, Attrs};
use crate::extract::{Authed, JsonBody};
use crate::query::Params;
use crate::reply::{id, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::webhooks::{WebhookInput, WEBHOOK_EVENTS};
use crate::store::{Entity, Store, Webhook};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks", get(list).post(create))
        .route("/webhooks/{id}", get(retrieve).put(update).delete(remove))
        .route("/webhook/events", get(events))
}

/// AC's webhook object plus `active` (the mock's extra field: false once a receiver
/// answered 410 Gone).
pub(crate) fn webhook_json(w: &Webhook, ctx: &Ctx) -> Value {
    json!({
        "cdate": ts(w.cdate, ctx.offset), "listid": w.listid.to_string(), "name": w.name,
        "url": w.url, "events": w.events, "sources": w.sources, "links": [],
        "id": id(w.id), "active": w.active
    })
}

fn string_list(a: &Attrs<'_>, attr: &str) -> Result<Option<Vec<String>>, ApiError> {
    let bad = || {
        ApiError::field_invalid(
            &format!("/data/attributes/{attr}"),
            format!("The webhook {attr} must be an array of strings."),
        )
    };
    match a.raw(attr) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(|s| s.trim().to_string()).ok_or_else(bad))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(bad()),
    }
}

fn webhook_input(body: &Value) -> Result<WebhookInput, ApiError> {
    let a = wrapped(body, "webhook")?;
    Ok(WebhookInput {
        name: a.string("name")?,
        url: a.string("url")?,
        events: string_list(&a, "events")?,
        sources: string_list(&a, "sources")?,
        listid: a.u64("listid")?,
    })
}

/// 422 when the input's URL leads to the mock itself (see `webhooks_out::guard`).
async fn refuse_self(st: &AppState, input: &WebhookInput) -> Result<(), ApiError> {
    let Some(url) = &input.url else {
        return Ok(());
    };
    match crate::webhooks_out::refuse_self_url(st.base_url(), st.options().listen, url).await {
        Some(why) => Err(ApiError::field_invalid("/data/attributes/url", why)),
        None => Ok(()),
    }
}

async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = webhook_input(&body)?;
    refuse_self(&st, &input).await?;
    st.with_store(acct, |store, ctx| {
        let wid = store.create_webhook(&input, crate::store::now())?;
        let w = store.webhook(wid)?;
        reply(
            StatusCode::CREATED,
            json!({ "webhook": webhook_json(w, ctx) }),
        )
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let wid = entity_id(Entity::Webhook, &raw)?;
    st.with_store(acct, |store, ctx| {
        let w = store.webhook(wid)?;
        reply(StatusCode::OK, json!({ "webhook": webhook_json(w, ctx) }))
    })
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let wid = entity_id(Entity::Webhook, &raw)?;
    let input = webhook_input(&body);
    let refused = match &input {
        Ok(input) => refuse_self(&st, input).await,
        Err(_) => Ok(()),
    };
    st.with_store(acct, |store, ctx| {
        store.webhook(wid)?;
        let input = input?;
        refused?;
        store.update_webhook(wid, &input)?;
        let w = store.webhook(wid)?;
        reply(StatusCode::OK, json!({ "webhook": webhook_json(w, ctx) }))
    })
}

async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(&st, acct, Entity::Webhook, &raw, Store::delete_webhook)
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let (mut name, mut url, mut listid) = (None, None, None);
    for (key, value) in p.bracketed("filters") {
        let value = value.trim().to_string();
        if value.is_empty() {
            continue;
        }
        match key.as_str() {
            "name" => name = Some(value.to_lowercase()),
            "url" => url = Some(value),
            "listid" => listid = value.parse::<u64>().ok(),
            _ => {}
        }
    }
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&Webhook> = store
            .webhooks
            .iter()
            .filter(|w| {
                name.as_deref()
                    .is_none_or(|n| w.name.to_lowercase().contains(n))
            })
            .filter(|w| url.as_deref().is_none_or(|u| w.url == u))
            .filter(|w| listid.is_none_or(|l| w.listid == l))
            .collect();
        reply(
            StatusCode::OK,
            page_json("webhooks", rows, &p, |w| webhook_json(w, ctx)),
        )
    })
}

/// `GET /webhook/events`: the 25 names; `total` is a number here.
async fn events() -> ApiResult {
    reply(
        StatusCode::OK,
        json!({"webhookEvents": WEBHOOK_EVENTS, "meta": {"total": WEBHOOK_EVENTS.len()}}),
    )
}
