//! `/deals`, `/contacts/{id}/deals`, `/dealGroups`, `/dealStages` (reference §8.3).

use std::collections::BTreeMap;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::input::custom_fields;
use super::{collection_json, delete_by_id, entity_id, page, wrapped};
use crate::extract::{Authed, JsonBody};
use crate::query::Params;
use crate::render::contact::full_json;
use crate::render::deals::deal_json;
use crate::reply::{id, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::deals::DealInput;
use crate::store::{Deal, DealGroup, DealStage, Entity, Store};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/deals", get(list).post(create))
        .route(
            "/deals/{id}",
            get(retrieve).put(update).patch(update).delete(remove),
        )
        .route("/contacts/{id}/deals", get(of_contact))
        .route("/dealGroups", get(groups))
        .route("/dealStages", get(stages))
}

fn group_json(store: &Store, g: &DealGroup, ctx: &Ctx) -> Value {
    let stages: Vec<Value> = store
        .pipelines
        .stages
        .iter()
        .filter(|s| s.group == g.id)
        .map(|s| id(s.id))
        .collect();
    let base = format!("{}/dealGroups/{}", ctx.api_base, g.id);
    json!({
        "title": g.title, "currency": g.currency, "autoassign": "0", "allusers": "1",
        "allgroups": "1", "cdate": ts(g.cdate, ctx.offset), "udate": ts(g.cdate, ctx.offset),
        "stages": stages,
        "links": {"stages": format!("{base}/stages"), "dealGroupUsers": format!("{base}/dealGroupUsers")},
        "id": id(g.id)
    })
}

fn stage_json(s: &DealStage, ctx: &Ctx) -> Value {
    let base = format!("{}/dealStages/{}", ctx.api_base, s.id);
    json!({
        "group": id(s.group), "title": s.title, "color": "32B0FC", "order": s.order.to_string(),
        "width": "280", "dealOrder": "next-action DESC", "cardRegion1": "title",
        "cardRegion2": "next-action", "cardRegion3": "show-avatar", "cardRegion4": "contact-fullname-orgname",
        "cardRegion5": "value", "cdate": ts(s.cdate, ctx.offset), "udate": ts(s.cdate, ctx.offset),
        "links": {"group": format!("{base}/group")}, "id": id(s.id)
    })
}

fn stages_of(store: &Store, group: u64, ctx: &Ctx) -> Vec<Value> {
    store
        .pipelines
        .stages
        .iter()
        .filter(|s| s.group == group)
        .map(|s| stage_json(s, ctx))
        .collect()
}

fn deal_input(body: &Value) -> Result<DealInput, ApiError> {
    let a = wrapped(body, "deal")?;
    let status = a.u64("status").map_err(|_| {
        ApiError::field_invalid(
            "/data/attributes/status",
            "The status must be 0 (open), 1 (won) or 2 (lost).",
        )
    })?;
    Ok(DealInput {
        title: a.string("title")?,
        description: a.string("description")?,
        value: a.u64("value").map_err(|_| {
            ApiError::field_invalid(
                "/data/attributes/value",
                "The value must be a whole number of cents, 0 or more.",
            )
        })?,
        currency: match a.raw("currency") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(_) => {
                return Err(ApiError::field_invalid(
                    "/data/attributes/currency",
                    "The currency must be a three-letter lower-case code.",
                ))
            }
        },
        contact: a.u64("contact")?,
        account: a.u64("account")?,
        group: a.u64("group")?,
        stage: a.u64("stage")?,
        owner: a.u64("owner")?,
        percent: a.u64("percent")?,
        status,
        // A field without `customFieldId` is the same 422 as any malformed `fields`.
        fields: custom_fields(&a, || {
            ApiError::field_invalid("/data/attributes/fields", "The fields are invalid.")
        })?,
    })
}

async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = deal_input(&body)?;
    st.with_store(acct, |store, ctx| {
        let did = store.create_deal(&input, crate::store::now())?;
        let d = store.deal(did)?;
        let contacts: Vec<Value> = d
            .contact
            .and_then(|c| store.contacts.get(c))
            .map(|c| full_json(c, ctx))
            .into_iter()
            .collect();
        let groups: Vec<Value> = store
            .pipelines
            .groups
            .get(d.group)
            .map(|g| group_json(store, g, ctx))
            .into_iter()
            .collect();
        let mut deal = deal_json(d, ctx, true);
        deal["customFieldSaveStatus"] = json!({"status": "success"});
        reply(
            StatusCode::CREATED,
            json!({
                "contacts": contacts, "dealGroups": groups,
                "dealStages": stages_of(store, d.group, ctx), "deal": deal
            }),
        )
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let did = entity_id(Entity::Deal, &raw)?;
    st.with_store(acct, |store, ctx| {
        let d = store.deal(did)?;
        reply(StatusCode::OK, json!({ "deal": deal_json(d, ctx, false) }))
    })
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let did = entity_id(Entity::Deal, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.deal(did)?;
        let input = deal_input(&body)?;
        store.update_deal(did, &input, crate::store::now())?;
        let d = store.deal(did)?;
        let mut deal = deal_json(d, ctx, true);
        deal["customFieldSaveStatus"] = json!({"status": "success"});
        reply(
            StatusCode::OK,
            json!({"dealStages": stages_of(store, d.group, ctx), "deal": deal}),
        )
    })
}

async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(&st, acct, Entity::Deal, &raw, Store::delete_deal)
}

/// `{"deals":[…],"meta":{"currencies":{…},"total":N}}`: `total` is a number here, and
/// `currencies` sums the matching deals per upper-case currency.
fn deals_page(rows: Vec<&Deal>, p: &Params, ctx: &Ctx) -> Value {
    let mut currencies: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    for d in &rows {
        let slot = currencies.entry(d.currency.to_uppercase()).or_default();
        slot.0 += 1;
        slot.1 += d.value;
    }
    let currencies: serde_json::Map<String, Value> = currencies
        .into_iter()
        .map(|(code, (n, value))| {
            let v = json!({"total": n.to_string(), "value": value.to_string(), "currency": code, "isDisabled": false});
            (code, v)
        })
        .collect();
    let n = rows.len();
    let page: Vec<Value> = page(rows, p).map(|d| deal_json(d, ctx, false)).collect();
    json!({"deals": page, "meta": {"currencies": currencies, "total": n}})
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let (mut contact, mut account, mut status, mut search) = (None, None, None, p.text("search"));
    // `filters[stage|group|owner]` (AC's docs): a value that is not an id matches nothing.
    let (mut stage, mut group, mut owner) = (None, None, None);
    let id_or_none = |v: &str| Some(v.parse::<u64>().unwrap_or(u64::MAX));
    for (key, value) in p.bracketed("filters") {
        let value = value.trim().to_string();
        match key.as_str() {
            "contact" => contact = value.parse().ok(),
            "account" | "customerAccount" => account = value.parse().ok(),
            "status" => status = value.parse::<u8>().ok(),
            "search" | "title" if !value.is_empty() => search = Some(value),
            "stage" if !value.is_empty() => stage = id_or_none(&value),
            "group" if !value.is_empty() => group = id_or_none(&value),
            "owner" if !value.is_empty() => owner = id_or_none(&value),
            _ => {}
        }
    }
    st.with_store(acct, |store, ctx| {
        let mut rows = store.list_deals(contact, account, status, search.as_deref());
        rows.retain(|d| {
            stage.is_none_or(|s| d.stage == s)
                && group.is_none_or(|g| d.group == g)
                && owner.is_none_or(|o| d.owner == o)
        });
        reply(StatusCode::OK, deals_page(rows, &p, ctx))
    })
}

async fn of_contact(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let p = Params::parse(q.as_deref());
    let cid = entity_id(Entity::Contact, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.contact(cid)?;
        let rows = store.list_deals(Some(cid), None, None, None);
        reply(StatusCode::OK, deals_page(rows, &p, ctx))
    })
}

async fn groups(State(st): State<AppState>, Authed(acct): Authed) -> ApiResult {
    st.with_store(acct, |store, ctx| {
        let rows: Vec<Value> = store
            .pipelines
            .groups
            .iter()
            .map(|g| group_json(store, g, ctx))
            .collect();
        let n = rows.len();
        reply(StatusCode::OK, collection_json("dealGroups", rows, n))
    })
}

async fn stages(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    // `filters[d_groupid]` (AC's docs): the stages of one pipeline; not an id matches nothing.
    let p = Params::parse(raw.as_deref());
    let group = p
        .bracketed("filters")
        .into_iter()
        .find(|(k, v)| k == "d_groupid" && !v.trim().is_empty())
        .map(|(_, v)| v.trim().parse::<u64>().unwrap_or(u64::MAX));
    st.with_store(acct, |store, ctx| {
        let rows: Vec<Value> = store
            .pipelines
            .stages
            .iter()
            .filter(|s| group.is_none_or(|g| s.group == g))
            .map(|s| stage_json(s, ctx))
            .collect();
        let n = rows.len();
        reply(StatusCode::OK, collection_json("dealStages", rows, n))
    })
}
