//! `/scores`, `/contacts/{id}/scoreValues`, `/deals/{id}/scoreValues`, and the admin routes
//! that create scores and set values (`/__admin/scores`), which AC's API cannot do.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::Router;
use serde_json::{json, Value};

use super::{entity_id, page_json, Attrs};
use crate::account_id::AccountId;
use crate::extract::Authed;
use crate::extract::JsonBody;
use crate::query::Params;
use crate::reply::{id, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::scores::{Score, ScoreValue};
use crate::store::Entity;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/scores", get(list))
        .route("/scores/{id}", get(retrieve))
        .route("/contacts/{id}/scoreValues", get(of_contact))
        .route("/deals/{id}/scoreValues", get(of_deal))
}

/// Admin routes, merged under `/__admin`: `POST /scores` creates a score,
/// `PUT /scores/{id}/values` sets a contact's (or deal's) value.
pub fn admin_router() -> Router<AppState> {
    Router::new()
        .route("/scores", post(admin_create))
        .route("/scores/{id}/values", put(admin_set_value))
}

fn score_json(s: &Score, ctx: &Ctx) -> Value {
    json!({
        "reltype": s.reltype, "name": s.name, "descript": s.descript,
        "status": if s.active { "1" } else { "0" },
        "cdate": ts(s.cdate, ctx.offset), "mdate": ts(s.mdate, ctx.offset),
        "links": [], "id": id(s.id)
    })
}

fn score_value_json(v: &ScoreValue, ctx: &Ctx) -> Value {
    let base = format!("{}/scoreValues/{}", ctx.api_base, v.id);
    json!({
        "score": id(v.score), "contact": v.contact.map(id), "deal": v.deal.map(id),
        "cdate": ts(v.cdate, ctx.offset), "mdate": ts(v.mdate, ctx.offset),
        "scoreValue": v.value.to_string(),
        "links": {
            "score": format!("{base}/score"), "contact": format!("{base}/contact"),
            "deal": format!("{base}/deal")
        },
        "id": id(v.id)
    })
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&Score> = store.scores.iter().collect();
        reply(
            StatusCode::OK,
            page_json("scores", rows, &p, |s| score_json(s, ctx)),
        )
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let sid = entity_id(Entity::Score, &raw)?;
    st.with_store(acct, |store, ctx| {
        reply(
            StatusCode::OK,
            json!({"score": score_json(store.score(sid)?, ctx)}),
        )
    })
}

async fn of_contact(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let cid = entity_id(Entity::Contact, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.contact(cid)?;
        let rows: Vec<Value> = store
            .score_values_of_contact(cid)
            .into_iter()
            .map(|v| score_value_json(v, ctx))
            .collect();
        reply(StatusCode::OK, json!({ "scoreValues": rows }))
    })
}

async fn of_deal(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let did = entity_id(Entity::Deal, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.deal(did)?;
        let rows: Vec<Value> = store
            .score_values_of_deal(did)
            .into_iter()
            .map(|v| score_value_json(v, ctx))
            .collect();
        reply(StatusCode::OK, json!({ "scoreValues": rows }))
    })
}

/// The account an admin call acts on: the `Api-Token` header's, else the default account.
fn admin_account(st: &AppState, headers: &HeaderMap) -> Result<AccountId, ApiError> {
    let token = headers
        .get("api-token")
        .and_then(|v| v.to_str().ok())
        .map_or(st.options().api_token.as_str(), str::trim);
    st.account_by_token(token)
        .ok_or_else(|| ApiError::BadRequest("no account has this Api-Token".into()))
}

fn body_object(body: &Value) -> Result<Attrs<'_>, ApiError> {
    match body {
        Value::Object(map) => Ok(Attrs::of(map)),
        _ => Err(ApiError::BadRequest(
            "the request body must be a JSON object".into(),
        )),
    }
}

/// `POST /__admin/scores` `{"name", "reltype"?, "descript"?}` → 201 `{"score": ...}`.
async fn admin_create(
    State(st): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let acct = admin_account(&st, &headers)?;
    let a = body_object(&body)?;
    let name = a.string("name")?.unwrap_or_default();
    let reltype = a.string("reltype")?;
    let descript = a.string("descript")?.unwrap_or_default();
    st.with_store(acct, |store, ctx| {
        let sid = store.create_score(&name, reltype.as_deref(), &descript, crate::store::now())?;
        reply(
            StatusCode::CREATED,
            json!({"score": score_json(store.score(sid)?, ctx)}),
        )
    })
}

/// `PUT /__admin/scores/{id}/values` `{"contact": N, "value": 50}` (or `"deal"` for a deal
/// score) → 200 `{"scoreValue": ...}`.
async fn admin_set_value(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let acct = admin_account(&st, &headers)?;
    let sid = entity_id(Entity::Score, &raw)?;
    let a = body_object(&body)?;
    let target = a.u64("contact")?.or(a.u64("deal")?).ok_or_else(|| {
        ApiError::field_missing("/data/attributes/contact", "A contact or deal is required.")
    })?;
    let value = match a.raw("value") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| {
        ApiError::field_invalid("/data/attributes/value", "The value must be an integer.")
    })?;
    st.with_store(acct, |store, ctx| {
        let row = store.set_score_value(sid, target, value, crate::store::now())?;
        let v = store
            .score_values
            .get(row)
            .ok_or_else(|| ApiError::not_found(Entity::Score, sid))?;
        reply(
            StatusCode::OK,
            json!({"scoreValue": score_value_json(v, ctx)}),
        )
    })
}
