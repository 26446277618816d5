//! `/contactDeals`: a contact's role on a deal (create, list, get, update, delete).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::{delete_by_id, entity_id, page_json, wrapped};
use crate::extract::{Authed, JsonBody};
use crate::query::Params;
use crate::reply::{id, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::contact_deals::ContactDeal;
use crate::store::{Entity, Store};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contactDeals", get(list).post(create))
        .route(
            "/contactDeals/{id}",
            get(retrieve).put(update).patch(update).delete(remove),
        )
}

/// An association as AC renders it.
pub(crate) fn contact_deal_json(r: &ContactDeal, ctx: &Ctx) -> Value {
    let base = format!("{}/contactDeals/{}", ctx.api_base, r.id);
    json!({
        "deal": id(r.deal), "contact": id(r.contact), "role": id(r.role),
        "cdate": ts(r.cdate, ctx.offset), "udate": ts(r.udate, ctx.offset),
        "links": {"deal": format!("{base}/deal"), "contact": format!("{base}/contact"),
            "role": format!("{base}/role")},
        "id": id(r.id)
    })
}

fn one(r: &ContactDeal, ctx: &Ctx, status: StatusCode) -> ApiResult {
    reply(status, json!({"contactDeal": contact_deal_json(r, ctx)}))
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let (mut contact, mut deal, mut nothing) = (None, None, false);
    for (key, value) in p.bracketed("filters") {
        let slot = match key.as_str() {
            "contact" => &mut contact,
            "deal" => &mut deal,
            _ => continue,
        };
        match value.trim() {
            "" => {}
            v => match v.parse() {
                Ok(n) => *slot = Some(n),
                Err(_) => nothing = true,
            },
        }
    }
    st.with_store(acct, |store, ctx| {
        let mut rows = store.contact_deals_of(contact, deal);
        if nothing {
            rows.clear();
        }
        reply(
            StatusCode::OK,
            page_json("contactDeals", rows, &p, |r| contact_deal_json(r, ctx)),
        )
    })
}

async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let a = wrapped(&body, "contactDeal")?;
    let missing = |attr: &str| {
        ApiError::field_missing(
            &format!("/data/attributes/{attr}"),
            format!("The {attr} was not provided."),
        )
    };
    let contact = a.u64("contact")?.ok_or_else(|| missing("contact"))?;
    let deal = a.u64("deal")?.ok_or_else(|| missing("deal"))?;
    let role = a.u64("role")?.unwrap_or(0);
    st.with_store(acct, |store, ctx| {
        let rid = store
            .create_contact_deal(contact, deal, role, crate::store::now())
            .map_err(ApiError::from_store_related)?;
        one(store.contact_deal(rid)?, ctx, StatusCode::CREATED)
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let rid = entity_id(Entity::ContactDeal, &raw)?;
    st.with_store(acct, |store, ctx| {
        one(store.contact_deal(rid)?, ctx, StatusCode::OK)
    })
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let rid = entity_id(Entity::ContactDeal, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.contact_deal(rid)?;
        let role = wrapped(&body, "contactDeal")?.u64("role")?;
        store.update_contact_deal(rid, role, crate::store::now())?;
        one(store.contact_deal(rid)?, ctx, StatusCode::OK)
    })
}

async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(
        &st,
        acct,
        Entity::ContactDeal,
        &raw,
        Store::delete_contact_deal,
    )
}
