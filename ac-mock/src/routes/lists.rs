//! `/lists`, `/contactLists`, `/contacts/{id}/contactLists` (reference §4).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::input::{name_query, required_id};
use super::{collection_json, delete_by_id, entity_id, path_id, wrapped};
use crate::extract::{Authed, JsonBody};
use crate::query::Params;
use crate::render::lists::contact_list_json;
use crate::reply::{id, naive, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::{Entity, List, ListInput, Store};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/lists", get(list).post(create))
        .route(
            "/lists/{id}",
            get(retrieve).put(update).patch(update).delete(remove),
        )
        .route("/contactLists", post(set_contact_list))
        .route("/contactLists/{id}", get(get_contact_list))
        .route("/contacts/{id}/contactLists", get(lists_of_contact))
}

fn links(ctx: &Ctx, list: u64) -> Value {
    let base = format!("{}/lists/{list}", ctx.api_base);
    json!({
        "contactGoalLists": format!("{base}/contactGoalLists"),
        "user": format!("{base}/user"), "addressLists": format!("{base}/addressLists")
    })
}

/// The full list object of GET (§4.2): every scalar a string.
fn list_json(store: &Store, l: &List, ctx: &Ctx) -> Value {
    let (all, active) = store.list_counts(l.id);
    let off = ctx.offset;
    let mut v = json!({
        "stringid": l.stringid, "userid": l.user.to_string(), "name": l.name, "cdate": ts(l.cdate, off),
        "p_use_tracking": "1", "p_use_analytics_read": "0", "p_use_analytics_link": "0",
        "p_use_twitter": "0", "p_use_facebook": "0", "p_embed_image": "1", "p_use_captcha": "1",
        "send_last_broadcast": l.send_last_broadcast.to_string(), "private": "0",
        "analytics_domains": null, "analytics_source": "", "analytics_ua": "", "twitter_token": "",
        "twitter_token_secret": "", "facebook_session": null, "carboncopy": l.carboncopy,
        "subscription_notify": l.subscription_notify, "unsubscription_notify": l.unsubscription_notify,
        "require_name": "0", "get_unsubscribe_reason": "0", "to_name": "Subscriber",
        "optinoptout": "1", "sender_name": "", "sender_addr1": "", "sender_addr2": "",
        "sender_city": "", "sender_state": "", "sender_zip": "", "sender_country": "",
        "sender_phone": "", "sender_url": l.sender_url, "sender_reminder": l.sender_reminder
    });
    let rest = json!({
        "fulladdress": "", "optinmessageid": "0", "optoutconf": "0", "deletestamp": null,
        "udate": ts(l.udate, off), "created_timestamp": naive(l.cdate, off),
        "updated_timestamp": naive(l.udate, off), "created_by": null, "updated_by": null,
        "channel": l.channel, "description": l.description,
        "non_deleted_subscribers": all.to_string(), "active_subscribers": active.to_string(),
        "links": links(ctx, l.id), "id": id(l.id), "user": l.user.to_string()
    });
    if let (Some(v), Value::Object(rest)) = (v.as_object_mut(), rest) {
        v.extend(rest);
    }
    v
}

/// The create echo (§4.1): `userid`, `user`, `send_last_broadcast` as numbers.
fn list_echo(l: &List, ctx: &Ctx) -> Value {
    json!({
        "name": l.name, "channel": l.channel, "stringid": l.stringid, "sender_url": l.sender_url,
        "sender_reminder": l.sender_reminder, "description": l.description,
        "send_last_broadcast": l.send_last_broadcast, "carboncopy": l.carboncopy,
        "subscription_notify": l.subscription_notify, "unsubscription_notify": l.unsubscription_notify,
        "userid": l.user, "cdate": ts(l.cdate, ctx.offset), "udate": ts(l.udate, ctx.offset),
        "links": links(ctx, l.id), "id": id(l.id), "user": l.user
    })
}

fn list_input(body: &Value) -> Result<ListInput, ApiError> {
    let a = wrapped(body, "list")?;
    Ok(ListInput {
        name: a.string("name")?,
        stringid: a.string("stringid")?,
        sender_url: a.string("sender_url")?,
        sender_reminder: a.string("sender_reminder")?,
        description: a.string("description")?,
        send_last_broadcast: a.u64("send_last_broadcast")?,
        carboncopy: a.string("carboncopy")?,
        subscription_notify: a.string("subscription_notify")?,
        unsubscription_notify: a.string("unsubscription_notify")?,
        user: match a.u64("user")? {
            Some(u) => Some(u),
            None => a.u64("userid")?,
        },
        channel: a.string("channel")?,
    })
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = name_query(&Params::parse(raw.as_deref()), "name");
    st.with_store(acct, |store, ctx| {
        let (rows, n) = store.list_lists(&q);
        let lists: Vec<Value> = rows.into_iter().map(|l| list_json(store, l, ctx)).collect();
        reply(StatusCode::OK, collection_json("lists", lists, n))
    })
}

/// A slug of `name` (lowercase letters and digits, `-` between words) no list has yet.
fn unique_stringid(store: &crate::store::Store, name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let base = slug.trim_end_matches('-').to_owned();
    let base = if base.is_empty() {
        "list".to_owned()
    } else {
        base
    };
    let taken = |s: &str| store.lists.iter().any(|l| l.stringid == s);
    let mut candidate = base.clone();
    let mut n = 2;
    while taken(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
}

async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let mut input = list_input(&body)?;
    st.with_store(acct, |store, ctx| {
        // AC's docs require `stringid`, but AC's own MCP server creates lists without one:
        // the mock derives it from the name (a unique slug), as AC's UI does.
        if input
            .stringid
            .as_deref()
            .is_none_or(|s| s.trim().is_empty())
        {
            if let Some(name) = input.name.as_deref().filter(|n| !n.trim().is_empty()) {
                input.stringid = Some(unique_stringid(store, name));
            }
        }
        let lid = store.create_list(&input, crate::store::now())?;
        reply(
            StatusCode::CREATED,
            json!({"list": list_echo(store.list(lid)?, ctx)}),
        )
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let lid = entity_id(Entity::List, &raw)?;
    st.with_store(acct, |store, ctx| {
        reply(
            StatusCode::OK,
            json!({"list": list_json(store, store.list(lid)?, ctx)}),
        )
    })
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let lid = entity_id(Entity::List, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.list(lid)?;
        store.update_list(lid, &list_input(&body)?, crate::store::now())?;
        reply(
            StatusCode::OK,
            json!({"list": list_json(store, store.list(lid)?, ctx)}),
        )
    })
}

async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(&st, acct, Entity::List, &raw, Store::delete_list)
}

async fn set_contact_list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let a = wrapped(&body, "contactList")?;
    let (list, contact) = (required_id(&a, "list")?, required_id(&a, "contact")?);
    let status = required_id(&a, "status")?;
    let status = u8::try_from(status)
        .ok()
        .filter(|s| *s <= 3)
        .ok_or_else(|| {
            ApiError::field_invalid(
                "/data/attributes/status",
                "The contactList status is invalid.",
            )
        })?;
    let sourceid = a.u64("sourceid")?;
    st.with_store(acct, |store, ctx| {
        let (rid, _) = store
            .set_contact_list(contact, list, status, sourceid, crate::store::now())
            .map_err(ApiError::from_store_related)?;
        let row = store.contact_lists.get_or(Entity::ContactList, rid)?;
        reply(
            StatusCode::OK,
            json!({"contactList": contact_list_json(row, ctx, true)}),
        )
    })
}

async fn get_contact_list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let not_found = || ApiError::not_found(Entity::ContactList, &raw);
    let rid = path_id(&raw).ok_or_else(not_found)?;
    st.with_store(acct, |store, ctx| {
        let row = store.contact_lists.get(rid).ok_or_else(not_found)?;
        reply(
            StatusCode::OK,
            json!({"contactList": contact_list_json(row, ctx, false)}),
        )
    })
}

async fn lists_of_contact(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let cid = entity_id(Entity::Contact, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.contact(cid)?;
        let rows: Vec<Value> = store
            .contact_lists_of(cid)
            .into_iter()
            .map(|m| contact_list_json(m, ctx, false))
            .collect();
        reply(StatusCode::OK, json!({ "contactLists": rows }))
    })
}
