//! `/users`, `/users/me`, `/users/email/{email}`, `/users/username/{username}`.

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
use crate::store::users::{User, UserInput};
use crate::store::{Entity, Store};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/me", get(me))
        .route("/users/email/{email}", get(by_email))
        .route("/users/username/{username}", get(by_username))
        .route(
            "/users/{id}",
            get(retrieve).put(update).patch(update).delete(remove),
        )
}

/// A user as AC renders it.
pub(crate) fn user_json(u: &User, ctx: &Ctx) -> Value {
    let base = format!("{}/users/{}", ctx.api_base, u.id);
    let link = |rel: &str| format!("{base}/{rel}");
    json!({
        "username": u.username, "firstName": u.first_name, "lastName": u.last_name,
        "email": u.email, "phone": u.phone, "signature": u.signature,
        "lang": u.lang, "localZoneid": u.local_zoneid, "userGroup": id(u.group),
        "cdate": ts(u.cdate, ctx.offset), "udate": ts(u.udate, ctx.offset),
        "links": {
            "lists": link("lists"), "userGroup": link("userGroup"),
            "dealGroupTotals": link("dealGroupTotals"), "dealGroupUsers": link("dealGroupUsers"),
            "configs": link("configs")
        },
        "id": id(u.id)
    })
}

/// The `userGroups` side-load of a user update: the user's one group membership (its id is
/// the user's).
fn user_groups_json(u: &User, ctx: &Ctx) -> Value {
    let base = format!("{}/userGroups/{}", ctx.api_base, u.id);
    json!([{
        "userid": id(u.id), "groupid": id(u.group),
        "links": {"group": format!("{base}/group"), "user": format!("{base}/user")},
        "id": id(u.id), "group": id(u.group), "user": id(u.id)
    }])
}

fn user_input(body: &Value) -> Result<UserInput, ApiError> {
    let a = wrapped(body, "user")?;
    // `password` is accepted and not kept.
    a.string("password")?;
    Ok(UserInput {
        username: a.string("username")?,
        email: a.string("email")?,
        first_name: a.string("firstName")?,
        last_name: a.string("lastName")?,
        phone: a.string("phone")?,
        signature: a.string("signature")?,
        group: a.u64("group")?,
    })
}

fn one(u: &User, ctx: &Ctx) -> ApiResult {
    reply(StatusCode::OK, json!({"user": user_json(u, ctx)}))
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, ctx| {
        let rows = store.list_users();
        reply(
            StatusCode::OK,
            page_json("users", rows, &p, |u| user_json(u, ctx)),
        )
    })
}

async fn me(State(st): State<AppState>, Authed(acct): Authed) -> ApiResult {
    st.with_store(acct, |store, ctx| one(store.token_user()?, ctx))
}

async fn by_email(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(email): Path<String>,
) -> ApiResult {
    st.with_store(acct, |store, ctx| {
        let u = store
            .user_by_email(&email)
            .ok_or_else(|| ApiError::not_found(Entity::User, &email))?;
        one(u, ctx)
    })
}

async fn by_username(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(username): Path<String>,
) -> ApiResult {
    st.with_store(acct, |store, ctx| {
        let u = store
            .user_by_username(&username)
            .ok_or_else(|| ApiError::not_found(Entity::User, &username))?;
        one(u, ctx)
    })
}

async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = user_input(&body)?;
    st.with_store(acct, |store, ctx| {
        let uid = store
            .create_user(&input, crate::store::now())
            .map_err(ApiError::from_store_related)?;
        reply(
            StatusCode::CREATED,
            json!({"user": user_json(store.user(uid)?, ctx)}),
        )
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let uid = entity_id(Entity::User, &raw)?;
    st.with_store(acct, |store, ctx| one(store.user(uid)?, ctx))
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let uid = entity_id(Entity::User, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.user(uid)?;
        let input = user_input(&body)?;
        store
            .update_user(uid, &input, crate::store::now())
            .map_err(ApiError::from_store_related)?;
        let u = store.user(uid)?;
        reply(
            StatusCode::OK,
            json!({"userGroups": user_groups_json(u, ctx), "user": user_json(u, ctx)}),
        )
    })
}

async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(&st, acct, Entity::User, &raw, Store::delete_user)
}
