//! AC's `/api/3` routes, one router per resource, plus helpers to read request attributes.

use axum::Router;
use serde_json::{json, Map, Value};

use crate::account_id::AccountId;
use crate::query::Params;
use crate::reply::{empty_ok, total, ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{Entity, Store, StoreResult};

pub mod accounts;
pub mod addresses;
pub mod automations;
pub mod brandings;
pub mod bulk_import;
pub mod campaigns;
pub mod contact_deals;
pub mod contact_lists;
pub mod contacts;
pub mod deals;
pub mod ecom;
pub mod email_activities;
pub mod entity_fields;
pub mod event_tracking;
pub mod fields;
pub mod forms;
pub mod groups;
mod input;
pub mod lists;
pub mod notes;
pub mod saved_responses;
pub mod scores;
pub mod segments;
pub mod site_tracking;
pub mod tags;
pub mod tasks;
pub mod users;
pub mod webhooks;

/// Every `/api/3` route, behind one auth layer ([`crate::middleware::require_account`]):
/// a route added here cannot answer without a valid `Api-Token`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", axum::routing::get(token_check))
        .merge(contacts::router())
        .merge(tags::router())
        .merge(lists::router())
        .merge(fields::router())
        .merge(event_tracking::router())
        .merge(site_tracking::router())
        .merge(accounts::router())
        .merge(deals::router())
        .merge(webhooks::router())
        .merge(bulk_import::router())
        .merge(users::router())
        .merge(groups::router())
        .merge(contact_lists::router())
        .merge(campaigns::router())
        .merge(automations::router())
        .merge(email_activities::router())
        .merge(tasks::router())
        .merge(notes::router())
        .merge(entity_fields::router())
        .merge(scores::router())
        .merge(brandings::router())
        .merge(addresses::router())
        .merge(saved_responses::router())
        .merge(ecom::router())
        .merge(forms::router())
        .merge(segments::router())
        .merge(contact_deals::router())
        .route_layer(axum::middleware::from_fn(
            crate::middleware::require_account,
        ))
}

/// `GET /api/3/`: the token check clients make at start (a Singer tap takes 200 as "valid").
/// A valid token gets 200 `{}` (what AC's body holds here is not documented); a missing or
/// wrong one the auth layer's 403.
pub(crate) async fn token_check() -> axum::Json<Value> {
    axum::Json(json!({}))
}

/// The tracking host's routes (`POST /event`, `GET /visit`), served at the root of the same
/// listener without `Api-Token` (they authenticate with `actid`/`key`).
pub fn tracking_router() -> Router<AppState> {
    Router::new()
        .merge(event_tracking::tracking_router())
        .merge(site_tracking::tracking_router())
}

/// A path id: anything that is not a non-negative integer is treated as an id that does not
/// exist (AC answers its usual 404, never a 400).
pub(crate) fn path_id(raw: &str) -> Option<u64> {
    raw.trim().parse().ok()
}

/// The path id of an `entity`; one that is not an id is AC's usual 404 for that entity
/// (`No Result found for <Model> with id <raw>`).
pub(crate) fn entity_id(entity: Entity, raw: &str) -> Result<u64, ApiError> {
    path_id(raw).ok_or_else(|| ApiError::not_found(entity, raw))
}

/// `DELETE /<resource>/{id}`: the 404 of [`entity_id`], else `delete`'s store error, else
/// `200 {}`.
pub(crate) fn delete_by_id(
    st: &AppState,
    acct: AccountId,
    entity: Entity,
    raw: &str,
    delete: impl FnOnce(&mut Store, u64) -> StoreResult<()>,
) -> ApiResult {
    let id = entity_id(entity, raw)?;
    st.with_store(acct, |store, _| {
        delete(store, id)?;
        empty_ok()
    })
}

/// The rows of one page: skips `offset`, then takes `limit` (20 by default, at most 100).
pub(crate) fn page<T>(rows: impl IntoIterator<Item = T>, p: &Params) -> impl Iterator<Item = T> {
    rows.into_iter().skip(p.offset()).take(p.limit(20, 100))
}

/// `{"<key>": rows, "meta": {"total": "<all>"}}`: `all` counts every matching row (not only
/// this page's), and `total` is a string, as most collections send it.
pub(crate) fn collection_json(key: &str, rows: Vec<Value>, all: usize) -> Value {
    json!({ key: rows, "meta": {"total": total(all)} })
}

/// [`collection_json`] of one [`page`] of `rows`, each rendered with `render`.
pub(crate) fn page_json<T>(
    key: &str,
    rows: Vec<T>,
    p: &Params,
    render: impl FnMut(T) -> Value,
) -> Value {
    let all = rows.len();
    collection_json(key, page(rows, p).map(render).collect(), all)
}

/// The attributes of a wrapped request body such as `{"contact":{...}}`.
pub(crate) struct Attrs<'a> {
    obj: &'a Map<String, Value>,
}

/// The object under `key`; otherwise a 422 naming what is missing.
pub(crate) fn wrapped<'a>(body: &'a Value, key: &str) -> Result<Attrs<'a>, ApiError> {
    match body.get(key) {
        Some(Value::Object(obj)) => Ok(Attrs { obj }),
        Some(_) => Err(ApiError::field_invalid(
            &format!("/data/attributes/{key}"),
            format!("The {key} must be an object."),
        )),
        None => Err(ApiError::field_missing(
            &format!("/data/attributes/{key}"),
            format!("The request body must contain a \"{key}\" object."),
        )),
    }
}

fn invalid(attr: &str, what: &str) -> ApiError {
    ApiError::field_invalid(
        &format!("/data/attributes/{attr}"),
        format!("The {attr} must be {what}."),
    )
}

impl<'a> Attrs<'a> {
    /// Wraps an object directly (for arrays of objects such as `fieldOptions`).
    pub(crate) fn of(obj: &'a Map<String, Value>) -> Self {
        Self { obj }
    }

    /// The raw value.
    pub(crate) fn raw(&self, attr: &str) -> Option<&'a Value> {
        self.obj.get(attr)
    }

    /// A text attribute: strings as is, numbers and booleans as text, null as absent.
    pub(crate) fn string(&self, attr: &str) -> Result<Option<String>, ApiError> {
        match self.obj.get(attr) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(if *b { "1" } else { "0" }.to_string())),
            Some(_) => Err(invalid(attr, "a string")),
        }
    }

    /// An id or count: a non-negative integer or a numeric string; null as absent.
    pub(crate) fn u64(&self, attr: &str) -> Result<Option<u64>, ApiError> {
        match self.obj.get(attr) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| invalid(attr, "a non-negative integer")),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| invalid(attr, "a non-negative integer")),
            Some(Value::Bool(b)) => Ok(Some(u64::from(*b))),
            Some(_) => Err(invalid(attr, "a non-negative integer")),
        }
    }

    /// A 0/1 flag: booleans, 0/1 numbers or `"0"`/`"1"`/`"true"`/`"false"` strings.
    pub(crate) fn flag(&self, attr: &str) -> Result<Option<bool>, ApiError> {
        match self.obj.get(attr) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::Number(n)) => Ok(Some(n.as_f64().is_some_and(|f| f != 0.0))),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "1" | "true" => Ok(Some(true)),
                "0" | "false" | "" => Ok(Some(false)),
                _ => Err(invalid(attr, "0 or 1")),
            },
            Some(_) => Err(invalid(attr, "0 or 1")),
        }
    }
}
