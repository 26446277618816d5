//! `/tags`, `/contactTags`, `/contacts/{id}/contactTags` (reference §3).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{json, Value};

use super::input::{name_query, required_id};
use super::{collection_json, delete_by_id, entity_id, page_json, path_id, wrapped};
use crate::extract::{Authed, JsonBody};
use crate::query::Params;
use crate::render::tags::contact_tag_json;
use crate::reply::{id, reply, reply_json, ts, ApiError, ApiResult, IdStr, Stamp};
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

/// The full tag of GET (§3.1), serialized straight into the response body (no `Value`
/// tree: `GET /tags` renders a page of these on every call). Keys in alphabetical order, as
/// the mock has always sent them.
#[derive(Serialize)]
struct TagJson<'a> {
    cdate: Stamp,
    created_by: (),
    created_timestamp: Stamp,
    deleted: &'static str,
    description: &'a str,
    id: IdStr,
    links: TagLinks<'a>,
    /// A count, sent as a string of digits like an id.
    subscriber_count: IdStr,
    tag: &'a str,
    #[serde(rename = "tagType")]
    tag_type: &'a str,
    updated_by: (),
    updated_timestamp: Stamp,
}

fn tag_json<'a>(store: &Store, t: &'a Tag, ctx: &'a Ctx) -> TagJson<'a> {
    TagJson {
        cdate: Stamp::ts(t.cdate, ctx.offset),
        created_by: (),
        created_timestamp: Stamp::naive(t.cdate, ctx.offset),
        deleted: "0",
        description: &t.description,
        id: IdStr(t.id),
        links: TagLinks {
            base: &ctx.api_base,
            tag: t.id,
        },
        subscriber_count: IdStr(store.tag_subscriber_count(t.id) as u64),
        tag: &t.tag,
        tag_type: &t.tag_type,
        updated_by: (),
        updated_timestamp: Stamp::naive(t.udate, ctx.offset),
    }
}

/// A tag's `links` (`contactGoalTags`, `templateTags`), the URLs written without a `String`.
struct TagLinks<'a> {
    base: &'a str,
    tag: u64,
}

impl Serialize for TagLinks<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Each URL is assembled once and escaped once (formatting it through `collect_str`
        // escapes every fragment separately, the larger part of a tag's rendering).
        let mut url = String::with_capacity(self.base.len() + 48);
        url.push_str(self.base);
        url.push_str("/tags/");
        url.push_str(itoa::Buffer::new().format(self.tag));
        url.push('/');
        let prefix = url.len();
        let mut map = serializer.serialize_map(Some(2))?;
        for name in ["contactGoalTags", "templateTags"] {
            url.truncate(prefix);
            url.push_str(name);
            map.serialize_entry(name, url.as_str())?;
        }
        map.end()
    }
}

/// `{"tag": …}`: one tag.
#[derive(Serialize)]
struct OneTag<'a> {
    tag: TagJson<'a>,
}

/// `{"meta": {"total": "<all>"}, "tags": [...]}`: a page of tags.
#[derive(Serialize)]
struct TagPage<'a> {
    meta: Total,
    tags: Vec<TagJson<'a>>,
}

/// `meta` with `total` as a string.
#[derive(Serialize)]
struct Total {
    total: IdStr,
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
        let tags = rows.into_iter().map(|t| tag_json(store, t, ctx)).collect();
        let meta = Total {
            total: IdStr(n as u64),
        };
        reply_json(StatusCode::OK, &TagPage { meta, tags })
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
        reply_json(
            StatusCode::OK,
            &OneTag {
                tag: tag_json(store, store.tag(tid)?, ctx),
            },
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
        reply_json(
            StatusCode::OK,
            &OneTag {
                tag: tag_json(store, store.tag(tid)?, ctx),
            },
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
