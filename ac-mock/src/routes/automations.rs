//! `/automations`, `/contactAutomations` and `/contacts/{id}/contactAutomations`. Automations
//! are created by the admin API (`POST /__admin/automations`), since AC's API cannot.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{entity_id, page_json, path_id, wrapped};
use crate::extract::{Authed, JsonBody};
use crate::query::Params;
use crate::render::automations::entry_json;
use crate::render::contact::full_json;
use crate::reply::{empty_ok, id, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::automations::AddRefused;
use crate::store::{Automation, ContactAutomation, Entity};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/automations", get(list))
        .route("/automations/{id}", get(retrieve))
        .route("/automations/{id}/contactAutomations", get(of_automation))
        .route("/contactAutomations", get(list_entries).post(add))
        .route(
            "/contactAutomations/{id}",
            get(retrieve_entry).delete(remove),
        )
        .route("/contacts/{id}/contactAutomations", get(of_contact))
}

/// An automation in AC's shape.
pub(crate) fn automation_json(a: &Automation, ctx: &Ctx) -> Value {
    let base = format!("{}/automations/{}", ctx.api_base, a.id);
    let mut links = serde_json::Map::new();
    for name in [
        "campaigns",
        "contactGoals",
        "contactAutomations",
        "blocks",
        "goals",
        "sms",
        "sitemessages",
        "triggers",
    ] {
        links.insert(name.into(), json!(format!("{base}/{name}")));
    }
    json!({
        "name": a.name, "cdate": ts(a.cdate, ctx.offset), "mdate": ts(a.mdate, ctx.offset),
        "userid": "1", "status": a.status.to_string(), "entered": a.entered.to_string(),
        "exited": a.exited.to_string(), "hidden": "0", "entitlements_violation": "0",
        "source": "0", "description": a.description, "exit_on_unsubscribe": "0",
        "exit_on_conversion": "0", "multientry": "0",
        "defaultscreenshot": "http://img-us1.com/default-series.gif", "screenshot": "",
        "links": Value::Object(links), "id": id(a.id)
    })
}

/// Sorts entries by `orders[lastdate]` or `orders[adddate]` (`ASC`/`DESC`), then id.
fn sort_entries(rows: &mut [&ContactAutomation], p: &Params) {
    for key in ["lastdate", "adddate"] {
        if let Some(v) = p.get(&format!("orders[{key}]")) {
            let desc = v.trim().eq_ignore_ascii_case("desc");
            rows.sort_by(|x, y| {
                let (a, b) = if key == "lastdate" {
                    (x.lastdate, y.lastdate)
                } else {
                    (x.adddate, y.adddate)
                };
                let o = a.cmp(&b).then(x.id.cmp(&y.id));
                if desc {
                    o.reverse()
                } else {
                    o
                }
            });
            return;
        }
    }
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&Automation> = store.automations.iter().collect();
        reply(
            StatusCode::OK,
            page_json("automations", rows, &p, |a| automation_json(a, ctx)),
        )
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let aid = entity_id(Entity::Automation, &raw)?;
    st.with_store(acct, |store, ctx| {
        let a = store.automation(aid)?;
        reply(
            StatusCode::OK,
            json!({"automation": automation_json(a, ctx)}),
        )
    })
}

async fn of_automation(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let aid = entity_id(Entity::Automation, &raw)?;
    let p = Params::parse(q.as_deref());
    st.with_store(acct, |store, ctx| {
        store.automation(aid)?;
        let mut rows: Vec<&ContactAutomation> = store
            .contact_automations
            .iter()
            .filter(|e| e.automation == aid)
            .collect();
        sort_entries(&mut rows, &p);
        reply(
            StatusCode::OK,
            page_json("contactAutomations", rows, &p, |e| entry_json(e, ctx)),
        )
    })
}

/// `GET /contactAutomations`: `filters[contact]`, `filters[seriesid]` (or
/// `filters[automation]`), `orders[lastdate]`/`orders[adddate]`, `limit`/`offset`.
async fn list_entries(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let filter = |key: &str| {
        p.get(&format!("filters[{key}]"))
            .map(|v| v.trim().parse::<u64>().ok())
    };
    let contact = filter("contact");
    let series = filter("seriesid").or_else(|| filter("automation"));
    st.with_store(acct, |store, ctx| {
        let mut rows: Vec<&ContactAutomation> = store
            .contact_automations
            .iter()
            .filter(|e| contact.is_none_or(|c| c == Some(e.contact)))
            .filter(|e| series.is_none_or(|s| s == Some(e.automation)))
            .collect();
        sort_entries(&mut rows, &p);
        reply(
            StatusCode::OK,
            page_json("contactAutomations", rows, &p, |e| entry_json(e, ctx)),
        )
    })
}

/// AC's answer when a contact cannot be added: 403 `Could not create SubscriberSeries`.
fn not_created() -> ApiResult {
    reply(
        StatusCode::FORBIDDEN,
        json!({"message": "Could not create SubscriberSeries"}),
    )
}

async fn add(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let a = wrapped(&body, "contactAutomation")?;
    let contact = a.u64("contact")?;
    let automation = a.u64("automation")?;
    let (Some(contact), Some(automation)) = (contact, automation) else {
        let attr = if contact.is_none() {
            "contact"
        } else {
            "automation"
        };
        return Err(ApiError::field_missing(
            &format!("/data/attributes/{attr}"),
            format!("The {attr} was not provided."),
        ));
    };
    st.with_store(acct, |store, ctx| {
        match store.add_contact_automation(contact, automation, crate::store::now()) {
            Ok(eid) => {
                let e = store.contact_automation(eid)?;
                let contacts: Vec<Value> = store
                    .contacts
                    .get(contact)
                    .map(|c| full_json(c, ctx))
                    .into_iter()
                    .collect();
                reply(
                    StatusCode::CREATED,
                    json!({"contacts": contacts, "contactAutomation": entry_json(e, ctx)}),
                )
            }
            Err(AddRefused::NoContact | AddRefused::NoAutomation | AddRefused::AlreadyIn) => {
                not_created()
            }
        }
    })
}

async fn retrieve_entry(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let eid = entity_id(Entity::ContactAutomation, &raw)?;
    st.with_store(acct, |store, ctx| {
        let e = store.contact_automation(eid)?;
        reply(
            StatusCode::OK,
            json!({"contactAutomation": entry_json(e, ctx)}),
        )
    })
}

/// `DELETE /contactAutomations/{id}`: 200 `{}`; an unknown entry is AC's documented 403
/// `No Result found for SubscriberSeries with id N`.
async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let missing = || {
        reply(
            StatusCode::FORBIDDEN,
            json!({"message": format!("No Result found for SubscriberSeries with id {raw}")}),
        )
    };
    let Some(eid) = path_id(&raw) else {
        return missing();
    };
    st.with_store(acct, |store, _| {
        match store.remove_contact_automation(eid, crate::store::now()) {
            Ok(()) => empty_ok(),
            Err(_) => missing(),
        }
    })
}

/// `GET /contacts/{id}/contactAutomations`: every entry of the contact (no paging, as AC's
/// example has no `meta`), ordered by `orders[lastdate]`/`orders[adddate]` when given.
async fn of_contact(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let cid = entity_id(Entity::Contact, &raw)?;
    let p = Params::parse(q.as_deref());
    st.with_store(acct, |store, ctx| {
        store.contact(cid)?;
        let mut rows = store.automations_of_contact(cid);
        sort_entries(&mut rows, &p);
        let rows: Vec<Value> = rows.into_iter().map(|e| entry_json(e, ctx)).collect();
        reply(StatusCode::OK, json!({ "contactAutomations": rows }))
    })
}

/// `POST /__admin/automations` `{"name","status","description"}` → 201 `{"id"}` (`status` 1
/// active, the default, or 2 inactive).
pub(crate) async fn admin_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let account = match crate::admin::account_of(&state, &headers) {
        Ok(a) => a,
        Err(res) => return res.into_response(),
    };
    let map = match crate::admin::object(&body) {
        Ok(m) => m,
        Err(res) => return res.into_response(),
    };
    let bad = |m: &str| (StatusCode::BAD_REQUEST, Json(json!({ "message": m }))).into_response();
    let text = |key: &str| match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(format!("\"{key}\" must be a string")),
    };
    let (name, description) = match (text("name"), text("description")) {
        (Ok(n), Ok(d)) => (n.filter(|n| !n.is_empty()), d.unwrap_or_default()),
        (Err(e), _) | (_, Err(e)) => return bad(&e),
    };
    let Some(name) = name else {
        return bad("\"name\" is required");
    };
    let status = match map.get("status") {
        None | Some(Value::Null) => 1,
        Some(v) if v == &json!(1) || v == &json!("1") => 1,
        Some(v) if v == &json!(2) || v == &json!("2") => 2,
        Some(v) => {
            return bad(&format!(
                "\"status\" must be 1 (active) or 2 (inactive), got {v}"
            ))
        }
    };
    let created = state.with_account(account, |a| {
        a.store
            .create_automation(name, status, description, crate::store::now())
    });
    match created {
        Some(id) => (StatusCode::CREATED, Json(json!({ "id": id.to_string() }))).into_response(),
        None => bad("no such account"),
    }
}

/// `DELETE /__admin/automations/{id}`: removes the automation and every contact's entry in it.
pub(crate) async fn admin_delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Response {
    let account = match crate::admin::account_of(&state, &headers) {
        Ok(a) => a,
        Err(res) => return res.into_response(),
    };
    let deleted = path_id(&raw)
        .and_then(|aid| state.with_account(account, |a| a.store.delete_automation(aid).is_ok()));
    if deleted == Some(true) {
        Json(json!({})).into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(json!({ "message": format!("No automation with id {raw}") })),
        )
            .into_response()
    }
}
