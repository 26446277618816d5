//! `/groups`, `/listGroups`, `/groups/{id}/listGroups`.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};

use super::input::required_id;
use super::{delete_by_id, entity_id, page_json, path_id, wrapped, Attrs};
use crate::extract::Authed;
use crate::extract::JsonBody;
use crate::query::Params;
use crate::reply::{id, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::groups::{Group, GroupInput, ListGroup, PERMISSIONS};
use crate::store::{Entity, Store};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups", get(list).post(create))
        .route(
            "/groups/{id}",
            get(retrieve).put(update).patch(update).delete(remove),
        )
        .route("/groups/{id}/listGroups", get(list_groups_of_group))
        .route("/listGroups", get(list_list_groups).post(add_list_group))
        .route(
            "/listGroups/{id}",
            get(get_list_group).delete(remove_list_group),
        )
}

fn flag(on: bool) -> Value {
    Value::String(if on { "1" } else { "0" }.into())
}

/// A group as AC renders it: every flag a `"0"`/`"1"` string.
fn group_json(g: &Group, ctx: &Ctx) -> Value {
    let mut v = Map::new();
    v.insert("title".into(), json!(g.title));
    v.insert("descript".into(), json!(g.descript));
    v.insert("unsubscribelink".into(), flag(g.unsubscribelink));
    v.insert("optinconfirm".into(), flag(g.optinconfirm));
    v.insert("p_admin".into(), flag(true));
    for p in PERMISSIONS {
        v.insert((*p).into(), flag(g.can(p)));
    }
    v.insert("sdate".into(), json!(ts(g.sdate, ctx.offset)));
    v.insert("reqApproval".into(), flag(g.req_approval));
    v.insert(
        "reqApproval1st".into(),
        json!(g.req_approval_1st.to_string()),
    );
    v.insert("reqApprovalNotify".into(), json!(g.req_approval_notify));
    v.insert("socialdata".into(), flag(g.socialdata));
    let base = format!("{}/groups/{}", ctx.api_base, g.id);
    let rels = [
        "userGroups",
        "groupLimit",
        "dealGroupGroups",
        "listGroups",
        "addressGroups",
        "automationGroups",
    ];
    let links: Map<String, Value> = rels
        .iter()
        .map(|r| ((*r).to_string(), json!(format!("{base}/{r}"))))
        .collect();
    v.insert("links".into(), Value::Object(links));
    v.insert("id".into(), id(g.id));
    Value::Object(v)
}

/// A listGroup row; `echo` renders the ids as numbers, as the create response does.
fn list_group_json(lg: &ListGroup, ctx: &Ctx, echo: bool) -> Value {
    let base = format!("{}/listGroups/{}", ctx.api_base, lg.id);
    let (list, group) = if echo {
        (json!(lg.list), json!(lg.group))
    } else {
        (id(lg.list), id(lg.group))
    };
    json!({
        "list": list, "group": group,
        "links": {"list": format!("{base}/list"), "group": format!("{base}/group")},
        "id": id(lg.id)
    })
}

/// AC answers an unknown group with 403 and its usual not-found message.
fn group_missing(raw: &str) -> ApiResult {
    reply(
        StatusCode::FORBIDDEN,
        json!({"message": format!("No Result found for Group with id {raw}")}),
    )
}

fn group_input(body: &Value) -> Result<GroupInput, ApiError> {
    let a: Attrs<'_> = wrapped(body, "group")?;
    let mut permissions = std::collections::BTreeMap::new();
    for p in PERMISSIONS {
        if let Some(on) = a.flag(p)? {
            permissions.insert((*p).to_string(), on);
        }
    }
    Ok(GroupInput {
        title: a.string("title")?,
        descript: a.string("descript")?,
        unsubscribelink: a.flag("unsubscribelink")?,
        optinconfirm: a.flag("optinconfirm")?,
        permissions,
        req_approval: a.flag("reqApproval")?,
        req_approval_1st: a.u64("reqApproval1st")?,
        req_approval_notify: a.string("reqApprovalNotify")?,
        socialdata: a.flag("socialdata")?,
    })
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, ctx| {
        let rows = store.list_groups_all();
        reply(
            StatusCode::OK,
            page_json("groups", rows, &p, |g| group_json(g, ctx)),
        )
    })
}

async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = group_input(&body)?;
    st.with_store(acct, |store, ctx| {
        let gid = store.create_group(&input, crate::store::now())?;
        reply(
            StatusCode::CREATED,
            json!({"group": group_json(store.group(gid)?, ctx)}),
        )
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    st.with_store(acct, |store, ctx| {
        match path_id(&raw).and_then(|gid| store.group(gid).ok()) {
            Some(g) => reply(StatusCode::OK, json!({"group": group_json(g, ctx)})),
            None => group_missing(&raw),
        }
    })
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let Some(gid) = path_id(&raw) else {
        return group_missing(&raw);
    };
    st.with_store(acct, |store, ctx| {
        if store.group(gid).is_err() {
            return group_missing(&raw);
        }
        store.update_group(gid, &group_input(&body)?)?;
        reply(
            StatusCode::OK,
            json!({"group": group_json(store.group(gid)?, ctx)}),
        )
    })
}

async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    if path_id(&raw).is_none() {
        return group_missing(&raw);
    }
    match delete_by_id(&st, acct, Entity::Group, &raw, Store::delete_group) {
        Err(ApiError::NotFoundMessage(_)) => group_missing(&raw),
        other => other,
    }
}

async fn list_list_groups(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let filters = p.bracketed("filters");
    let wanted = |key: &str| -> Option<u64> {
        filters
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.trim().parse().ok())
    };
    let (list, group) = (
        wanted("listid").or(wanted("list")),
        wanted("groupid").or(wanted("group")),
    );
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&ListGroup> = store
            .list_groups
            .iter()
            .filter(|lg| list.is_none_or(|l| lg.list == l))
            .filter(|lg| group.is_none_or(|g| lg.group == g))
            .collect();
        reply(
            StatusCode::OK,
            page_json("listGroups", rows, &p, |lg| list_group_json(lg, ctx, false)),
        )
    })
}

async fn list_groups_of_group(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let p = Params::parse(q.as_deref());
    st.with_store(acct, |store, ctx| {
        let Some(gid) = path_id(&raw).filter(|gid| store.group(*gid).is_ok()) else {
            return group_missing(&raw);
        };
        let rows: Vec<&ListGroup> = store
            .list_groups
            .iter()
            .filter(|lg| lg.group == gid)
            .collect();
        reply(
            StatusCode::OK,
            page_json("listGroups", rows, &p, |lg| list_group_json(lg, ctx, false)),
        )
    })
}

async fn add_list_group(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let a = wrapped(&body, "listGroup")?;
    let (list, group) = (required_id(&a, "listid")?, required_id(&a, "groupid")?);
    st.with_store(acct, |store, ctx| {
        let (lgid, created) = store
            .add_list_group(list, group)
            .map_err(ApiError::from_store_related)?;
        let row = store.list_groups.get_or(Entity::ListGroup, lgid)?;
        let status = if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        reply(
            status,
            json!({"listGroup": list_group_json(row, ctx, true)}),
        )
    })
}

async fn get_list_group(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let lgid = entity_id(Entity::ListGroup, &raw)?;
    st.with_store(acct, |store, ctx| {
        let row = store.list_groups.get_or(Entity::ListGroup, lgid)?;
        reply(
            StatusCode::OK,
            json!({"listGroup": list_group_json(row, ctx, false)}),
        )
    })
}

async fn remove_list_group(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(&st, acct, Entity::ListGroup, &raw, Store::remove_list_group)
}
