//! `/savedResponses`.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::{delete_by_id, entity_id, page_json, wrapped};
use crate::extract::Authed;
use crate::extract::JsonBody;
use crate::query::Params;
use crate::reply::{id, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::saved_responses::{SavedResponse, SavedResponseInput};
use crate::store::{Entity, Store};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/savedResponses", get(list).post(create))
        .route(
            "/savedResponses/{id}",
            get(retrieve).put(update).patch(update).delete(remove),
        )
}

fn saved_response_json(r: &SavedResponse, ctx: &Ctx) -> Value {
    let base = format!("{}/savedResponses/{}", ctx.api_base, r.id);
    json!({
        "title": r.title, "subject": r.subject, "body": r.body,
        "ldate": null, "last_sent_user_id": null,
        "cdate": ts(r.cdate, ctx.offset), "mdate": r.mdate.map(|t| ts(t, ctx.offset)),
        "links": {
            "user": format!("{base}/user"),
            "savedResponseCategorySavedResponse": format!("{base}/savedResponseCategorySavedResponse")
        },
        "id": id(r.id)
    })
}

fn input(body: &Value) -> Result<SavedResponseInput, ApiError> {
    let a = wrapped(body, "savedResponse")?;
    Ok(SavedResponseInput {
        title: a.string("title")?,
        subject: a.string("subject")?,
        body: a.string("body")?,
    })
}

fn one(store: &Store, rid: u64, ctx: &Ctx, status: StatusCode) -> ApiResult {
    let r = store.saved_response(rid)?;
    reply(
        status,
        json!({"savedResponse": saved_response_json(r, ctx)}),
    )
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&SavedResponse> = store.saved_responses.iter().collect();
        reply(
            StatusCode::OK,
            page_json("savedResponses", rows, &p, |r| saved_response_json(r, ctx)),
        )
    })
}

async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = input(&body)?;
    st.with_store(acct, |store, ctx| {
        let rid = store.create_saved_response(&input, crate::store::now())?;
        one(store, rid, ctx, StatusCode::CREATED)
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let rid = entity_id(Entity::SavedResponse, &raw)?;
    st.with_store(acct, |store, ctx| one(store, rid, ctx, StatusCode::OK))
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let rid = entity_id(Entity::SavedResponse, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.saved_response(rid)?;
        store.update_saved_response(rid, &input(&body)?, crate::store::now())?;
        one(store, rid, ctx, StatusCode::OK)
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
        Entity::SavedResponse,
        &raw,
        Store::delete_saved_response,
    )
}
