//! `/segments` and `/segments/{id}` (read-only, as in AC), plus `POST /__admin/segments`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{entity_id, page_json};
use crate::admin::{account_of, bad_res, object, text_of};
use crate::extract::Authed;
use crate::query::Params;
use crate::reply::{id, reply, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::segments::Segment;
use crate::store::Entity;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/segments", get(list))
        .route("/segments/{id}", get(retrieve))
}

/// A segment as AC renders it.
pub(crate) fn segment_json(s: &Segment, ctx: &Ctx) -> Value {
    let base = format!("{}/segments/{}", ctx.api_base, s.id);
    json!({
        "name": s.name, "logic": s.logic, "hidden": if s.hidden { "1" } else { "0" },
        "seriesid": "0", "campaignid": "0",
        "links": {"segmentConditions": format!("{base}/segmentConditions")},
        "id": id(s.id)
    })
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&Segment> = store.segments.iter().collect();
        reply(
            StatusCode::OK,
            page_json("segments", rows, &p, |s| segment_json(s, ctx)),
        )
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let sid = entity_id(Entity::Segment, &raw)?;
    st.with_store(acct, |store, ctx| {
        reply(
            StatusCode::OK,
            json!({"segment": segment_json(store.segment(sid)?, ctx)}),
        )
    })
}

/// `POST /__admin/segments` `{"name","logic","hidden"}` → 201 `{"id"}`.
pub(crate) async fn admin_create(
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
    let Ok(name) = text_of(&map, "name") else {
        return bad_res("\"name\" must be a string");
    };
    let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
        return bad_res("\"name\" is required");
    };
    let logic = match text_of(&map, "logic") {
        Ok(None) => "and".to_string(),
        Ok(Some(l)) if l == "and" || l == "or" => l,
        _ => return bad_res("\"logic\" must be and or or"),
    };
    let hidden = match map.get("hidden") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return bad_res("\"hidden\" must be true or false"),
    };
    let created = state.with_account(account, |a| {
        a.store
            .create_segment(&name, &logic, hidden, crate::store::now())
    });
    match created {
        None => bad_res("no such account"),
        Some(sid) => (StatusCode::CREATED, Json(json!({ "id": id(sid) }))).into_response(),
    }
}
