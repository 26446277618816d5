//! `/forms` and `/forms/{id}` (read-only, as in AC), plus the admin calls that create and
//! submit forms (`POST /__admin/forms`, `POST /__admin/forms/{id}/submissions`).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::{entity_id, page_json};
use crate::admin::{account_of, bad_res, id_of, not_found_res, object, text_of};
use crate::extract::Authed;
use crate::query::Params;
use crate::reply::{id, reply, ts, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::forms::{Form, FormInput};
use crate::store::{ContactInput, Entity, StoreError};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/forms", get(list))
        .route("/forms/{id}", get(retrieve))
}

/// A form as AC renders it. `actiondata.actions` lists what a submission does: one
/// `subscribe-to-list` per list, one `add-tag` per tag.
pub(crate) fn form_json(f: &Form, ctx: &Ctx) -> Value {
    let mut actions: Vec<Value> = f
        .lists
        .iter()
        .map(|l| json!({"type": "subscribe-to-list", "list": id(*l)}))
        .collect();
    actions.extend(f.tags.iter().map(|t| json!({"type": "add-tag", "tag": t})));
    let mut options = Map::new();
    options.insert("confaction".into(), json!(f.action));
    options.insert("url".into(), json!(f.url));
    options.insert("sendoptin".into(), json!(0));
    options.extend(f.options.clone());
    json!({
        "name": f.name, "action": f.action, "actiondata": {"actions": actions},
        "submit": "", "url": f.url, "layout": "inline-form", "title": f.name, "body": "",
        "button": "Submit", "thanks": "Thanks for signing up!", "style": {},
        "options": options, "cfields": [], "parentformid": "0", "userid": "1",
        "addressid": "0", "cdate": ts(f.cdate, ctx.offset), "udate": ts(f.udate, ctx.offset),
        "entries": f.entries.to_string(), "aid": "0", "defaultscreenshot": "",
        "links": {"address": format!("{}/forms/{}/address", ctx.api_base, f.id)},
        "id": id(f.id)
    })
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&Form> = store.forms.iter().collect();
        reply(
            StatusCode::OK,
            page_json("forms", rows, &p, |f| form_json(f, ctx)),
        )
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let fid = entity_id(Entity::Form, &raw)?;
    st.with_store(acct, |store, ctx| {
        reply(
            StatusCode::OK,
            json!({"form": form_json(store.form(fid)?, ctx)}),
        )
    })
}

/// The ids of `key`: one id, or an array of ids.
fn ids_of(map: &Map<String, Value>, key: &str) -> Result<Vec<u64>, String> {
    match map.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match id_of(Some(v), key) {
                Ok(Some(n)) => Ok(n),
                _ => Err(format!("\"{key}\" must hold list ids, got {v}")),
            })
            .collect(),
        other => match id_of(other, key) {
            Ok(one) => Ok(one.into_iter().collect()),
            Err(_) => Err(format!("\"{key}\" must be a list id or an array of them")),
        },
    }
}

fn form_input(map: &Map<String, Value>) -> Result<FormInput, String> {
    let text = |key: &str| text_of(map, key).map_err(|_| format!("\"{key}\" must be a string"));
    let name = text("name")?
        .filter(|s| !s.trim().is_empty())
        .ok_or("\"name\" is required")?;
    let mut lists = ids_of(map, "lists")?;
    lists.extend(ids_of(map, "list")?);
    let tags = match map.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                _ => Err(format!("\"tags\" must hold tag names, got {v}")),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => return Err(format!("\"tags\" must be an array of names, got {other}")),
    };
    let action = text("action")?;
    if let Some(a) = action.as_deref() {
        if a != "show" && a != "redirect" {
            return Err(format!("\"action\" must be show or redirect, got {a:?}"));
        }
    }
    let options = match map.get("options") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(o)) => o.clone(),
        Some(other) => return Err(format!("\"options\" must be an object, got {other}")),
    };
    Ok(FormInput {
        name,
        lists,
        tags,
        action,
        url: text("url")?,
        options,
    })
}

/// `POST /__admin/forms` `{"name","lists"|"list","tags","action","url","options"}` → 201
/// `{"id"}`; 404 when a list does not exist.
pub(crate) async fn admin_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let account = match account_of(&state, &headers) {
        Ok(a) => a,
        Err(res) => return res.into_response(),
    };
    let input = match object(&body).map(|m| form_input(&m)) {
        Ok(Ok(input)) => input,
        Ok(Err(message)) => return bad_res(message),
        Err(res) => return res.into_response(),
    };
    let created = state.with_account(account, |a| {
        a.store.create_form(&input, crate::store::now())
    });
    match created {
        None => bad_res("no such account"),
        Some(Ok(fid)) => (StatusCode::CREATED, Json(json!({ "id": id(fid) }))).into_response(),
        Some(Err(e)) => store_fail(e),
    }
}

/// `POST /__admin/forms/{id}/submissions` `{"email","firstName","lastName","phone"}` →
/// `{"contact","created","lists","tags"}`: the contact is synced by email, subscribed to the
/// form's lists and given its tags.
pub(crate) async fn admin_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
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
    let texts = (|| {
        Ok::<_, String>(ContactInput {
            email: text_of(&map, "email").map_err(|_| "\"email\" must be a string")?,
            first_name: text_of(&map, "firstName").map_err(|_| "\"firstName\" must be a string")?,
            last_name: text_of(&map, "lastName").map_err(|_| "\"lastName\" must be a string")?,
            phone: text_of(&map, "phone").map_err(|_| "\"phone\" must be a string")?,
            ..Default::default()
        })
    })();
    let input = match texts {
        Ok(i) => i,
        Err(message) => return bad_res(message),
    };
    let Some(fid) = super::path_id(&raw) else {
        return not_found_res(format!("No Result found for Form with id {raw}"));
    };
    let done = state.with_account(account, |a| {
        a.store.submit_form(fid, &input, crate::store::now())
    });
    match done {
        None => bad_res("no such account"),
        Some(Ok(s)) => Json(json!({
            "contact": id(s.contact),
            "created": s.created,
            "lists": s.lists.into_iter().map(id).collect::<Vec<_>>(),
            "tags": s.tags.into_iter().map(id).collect::<Vec<_>>(),
        }))
        .into_response(),
        Some(Err(e)) => store_fail(e),
    }
}

/// A store refusal in an admin reply: 404 for a missing record, 400 otherwise.
fn store_fail(e: StoreError) -> Response {
    match e {
        StoreError::NotFound { entity, id } => not_found_res(format!(
            "No Result found for {} with id {id}",
            entity.ac_name()
        )),
        other => bad_res(other.to_string()),
    }
}
