//! `/tags`, `/contactTags`, `/contacts/{id}/contactTags` (reference §3).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::input::{name_query, required_id};
use super::{collection_json, delete_by_id, entity_id, page_json, path_id, wrapped};
use crate::extract::{Authed, JsonBody};
use crate::query::Params;
use crate::render::tags::contact_tag_json;
use crate::reply::{id, naive, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::{ContactTag, Entity, Store, Tag, TagInput};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tags", get(list).post(create))
        .route(
            "/tags/{id}",
            get(retrieve).put(update).patch(update).delete(remove),
        )
        .route("/contactTags", get(list_contact_tags).post(add_contact_tag))
        .route(
            "/contactTags/{id}",
            get(get_contact_tag).delete(remove_contact_tag),
        )
        .route("/contacts/{id}/contactTags", get(tags_of_contact))
}

fn links(ctx: &Ctx, tag: u64) -> Value {
    let base = format!("{}/tags/{tag}", ctx.api_base);
    json!({"contactGoalTags": format!("{base}/contactGoalTags"), "templateTags": format!("{base}/templateTags")})
}

/// The full tag of GET (§3.1).
fn tag_json(store: &Store, t: &Tag, ctx: &Ctx) -> Value {
    json!({
        "tagType": t.tag_type, "tag": t.tag, "description": t.description,
        "subscriber_count": store.tag_subscriber_count(t.id).to_string(),
        "cdate": ts(t.cdate, ctx.offset),
        "created_timestamp": naive(t.cdate, ctx.offset), "updated_timestamp": naive(t.udate, ctx.offset),
        "created_by": null, "updated_by": null, "deleted": "0",
        "links": links(ctx, t.id), "id": id(t.id)
    })
}

fn tag_input(body: &Value) -> Result<TagInput, ApiError> {
    let a = wrapped(body, "tag")?;
    Ok(TagInput {
        tag: a.string("tag")?,
        tag_type: a.string("tagType")?,
        description: a.string("description")?,
    })
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = name_query(&Params::parse(raw.as_deref()), "search");
    st.with_store(acct, |store, ctx| {
        let (rows, n) = store.list_tags(&q);
        let tags: Vec<Value> = rows.into_iter().map(|t| tag_json(store, t, ctx)).collect();
        reply(StatusCode::OK, collection_json("tags", tags, n))
    })
}

async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = tag_input(&body)?;
    st.with_store(acct, |store, ctx| {
        let tid = store.create_tag(&input, crate::store::now())?;
        let t = store.tag(tid)?;
        reply(
            StatusCode::CREATED,
            json!({"tag": {
                "tag": t.tag, "description": t.description, "tagType": t.tag_type,
                "cdate": ts(t.cdate, ctx.offset), "links": links(ctx, t.id), "id": id(t.id)
            }}),
        )
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let tid = entity_id(Entity::Tag, &raw)?;
    st.with_store(acct, |store, ctx| {
        reply(
            StatusCode::OK,
            json!({"tag": tag_json(store, store.tag(tid)?, ctx)}),
        )
    })
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let tid = entity_id(Entity::Tag, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.tag(tid)?;
        store.update_tag(tid, &tag_input(&body)?, crate::store::now())?;
        reply(
            StatusCode::OK,
            json!({"tag": tag_json(store, store.tag(tid)?, ctx)}),
        )
    })
}

async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(&st, acct, Entity::Tag, &raw, Store::delete_tag)
}

async fn add_contact_tag(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let a = wrapped(&body, "contactTag")?;
    let (contact, tag) = (required_id(&a, "contact")?, required_id(&a, "tag")?);
    st.with_store(acct, |store, ctx| {
        let (ctid, created) = store
            .add_contact_tag(contact, tag, crate::store::now())
            .map_err(ApiError::from_store_related)?;
        let row = store.contact_tags.get_or(Entity::ContactTag, ctid)?;
        let status = if created {
            StatusCode::from_u16(ctx.contact_tag_created_status).unwrap_or(StatusCode::CREATED)
        } else {
            StatusCode::OK
        };
        reply(status, json!({"contactTag": contact_tag_json(row, ctx)}))
    })
}

async fn get_contact_tag(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let not_found = || ApiError::not_found(Entity::ContactTag, &raw);
    let ctid = path_id(&raw).ok_or_else(not_found)?;
    st.with_store(acct, |store, ctx| {
        let row = store.contact_tags.get(ctid).ok_or_else(not_found)?;
        reply(
            StatusCode::OK,
            json!({"contactTag": contact_tag_json(row, ctx)}),
        )
    })
}

async fn remove_contact_tag(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(
        &st,
        acct,
        Entity::ContactTag,
        &raw,
        Store::remove_contact_tag,
    )
}

async fn list_contact_tags(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&ContactTag> = store.contact_tags.iter().collect();
        reply(
            StatusCode::OK,
            page_json("contactTags", rows, &p, |ct| contact_tag_json(ct, ctx)),
        )
    })
}

async fn tags_of_contact(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let cid = entity_id(Entity::Contact, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.contact(cid)?;
        let rows: Vec<Value> = store
            .contact_tags_of(cid)
            .into_iter()
            .map(|ct| contact_tag_json(ct, ctx))
            .collect();
        let n = rows.len();
        reply(StatusCode::OK, collection_json("contactTags", rows, n))
    })
}
