//! `/addresses` (sender addresses).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::{delete_by_id, entity_id, page_json, wrapped, Attrs};
use crate::extract::Authed;
use crate::extract::JsonBody;
use crate::query::Params;
use crate::reply::{id, reply, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::addresses::{Address, AddressInput};
use crate::store::{Entity, Store};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/addresses", get(list).post(create))
        .route(
            "/addresses/{id}",
            get(retrieve).put(update).patch(update).delete(remove),
        )
}

fn flag(on: bool) -> &'static str {
    if on {
        "1"
    } else {
        "0"
    }
}

fn address_json(a: &Address, ctx: &Ctx) -> Value {
    let base = format!("{}/addresses/{}", ctx.api_base, a.id);
    json!({
        "companyName": a.company_name, "address1": a.address1, "address2": a.address2,
        "city": a.city, "state": a.state, "district": a.district, "zip": a.zip,
        "country": a.country, "allgroup": flag(a.allgroup), "isDefault": flag(a.is_default),
        "links": {
            "addressGroup": format!("{base}/addressGroup"),
            "addressList": format!("{base}/addressList"),
            "forms": format!("{base}/forms")
        },
        "id": id(a.id)
    })
}

/// AC's documented names are snake_case (`company_name`, `address_1`); its update example
/// sends the camelCase names it renders (`companyName`, `address1`). Both are read.
fn text(a: &Attrs<'_>, names: [&str; 2]) -> Result<Option<String>, ApiError> {
    Ok(match a.string(names[0])? {
        Some(v) => Some(v),
        None => a.string(names[1])?,
    })
}

fn address_input(body: &Value) -> Result<AddressInput, ApiError> {
    let a = wrapped(body, "address")?;
    let is_default = match a.flag("is_default")? {
        Some(v) => Some(v),
        None => a.flag("isDefault")?,
    };
    Ok(AddressInput {
        company_name: text(&a, ["company_name", "companyName"])?,
        address1: text(&a, ["address_1", "address1"])?,
        address2: text(&a, ["address_2", "address2"])?,
        city: a.string("city")?,
        state: a.string("state")?,
        district: a.string("district")?,
        zip: a.string("zip")?,
        country: a.string("country")?,
        allgroup: a.flag("allgroup")?,
        is_default,
    })
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&Address> = store.addresses.iter().collect();
        reply(
            StatusCode::OK,
            page_json("addresses", rows, &p, |a| address_json(a, ctx)),
        )
    })
}

async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = address_input(&body)?;
    st.with_store(acct, |store, ctx| {
        let aid = store.create_address(&input)?;
        reply(
            StatusCode::OK,
            json!({"address": address_json(store.address(aid)?, ctx)}),
        )
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let aid = entity_id(Entity::Address, &raw)?;
    st.with_store(acct, |store, ctx| {
        reply(
            StatusCode::OK,
            json!({"address": address_json(store.address(aid)?, ctx)}),
        )
    })
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let aid = entity_id(Entity::Address, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.address(aid)?;
        store.update_address(aid, &address_input(&body)?)?;
        reply(
            StatusCode::OK,
            json!({"address": address_json(store.address(aid)?, ctx)}),
        )
    })
}

async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(&st, acct, Entity::Address, &raw, Store::delete_address)
}
