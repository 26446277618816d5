//! One contact by id, and the contact writes: create, sync, retrieve, update and delete, with
//! their answer bodies (the reduced or detailed contact, inline `fieldValues`, the GET's
//! side-loads).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;

use super::input::{contact_input, plain_contact_input};
use crate::account_id::AccountId;
use crate::extract::{parse_json, Authed, JsonBody, RawBody};
use crate::render::accounts::contact_account_contacts_json;
use crate::render::contact::reduced_json;
use crate::render::contact_bytes::push_detailed_contact;
use crate::render::deals::contact_deals_json;
use crate::render::fields::field_value_json;
use crate::render::lists::contact_list_json;
use crate::reply::{empty_ok, reply_bytes, ApiError, ApiResult};
use crate::routes::{entity_id, path_id};
use crate::state::{AppState, Ctx};
use crate::store::contacts::ContactWrite;
use crate::store::{Entity, Store};

/// `{"contact":…}` plus `fieldValues` when values were written inline (sorted key order):
/// the reduced contact (create) or the detailed one (sync, update).
pub(super) fn write_reply(
    store: &Store,
    ctx: &Ctx,
    w: &ContactWrite,
    reduced: bool,
) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::with_capacity(4096);
    push_reply(&mut out, store, ctx, w, reduced)?;
    Ok(out)
}

/// [`write_reply`], appended to `out`.
fn push_reply(
    out: &mut Vec<u8>,
    store: &Store,
    ctx: &Ctx,
    w: &ContactWrite,
    reduced: bool,
) -> Result<(), ApiError> {
    let c = store.contact(w.id)?;
    out.extend_from_slice(br#"{"contact":"#);
    if reduced {
        serde_json::to_writer(&mut *out, &reduced_json(c, ctx)).map_err(internal)?;
    } else {
        push_detailed_contact(out, store, c, ctx);
    }
    if !w.field_values.is_empty() {
        out.extend_from_slice(br#","fieldValues":"#);
        let values: Vec<Value> = w
            .field_values
            .iter()
            .filter_map(|fv| store.field_values.get(*fv))
            .map(|fv| field_value_json(fv, ctx))
            .collect();
        serde_json::to_writer(&mut *out, &values).map_err(internal)?;
    }
    out.push(b'}');
    Ok(())
}

/// A serialization failure (not reachable for the mock's bodies: string keys only).
fn internal(e: serde_json::Error) -> ApiError {
    ApiError::BareErrors(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

pub(super) async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = contact_input(&body)?;
    st.with_store(acct, |store, ctx| {
        let w = store.create_contact(&input, crate::store::now())?;
        reply_bytes(StatusCode::CREATED, write_reply(store, ctx, &w, true)?)
    })
}

pub(super) async fn sync(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawBody(bytes): RawBody,
) -> ApiResult {
    let mut out = Vec::with_capacity(4096);
    let status = sync_into(&st, acct, &bytes, &mut out)?;
    reply_bytes(status, out)
}

/// `POST /contact/sync` for one account and body: appends the JSON answer to `out` and
/// returns its status (the handler's code, and the fast lane's: both answer alike).
pub(crate) fn sync_into(
    st: &AppState,
    acct: AccountId,
    bytes: &[u8],
    out: &mut Vec<u8>,
) -> Result<StatusCode, ApiError> {
    let input = match plain_contact_input(bytes) {
        Some(input) => input,
        None => contact_input(&parse_json(bytes)?)?,
    };
    st.with_store(acct, |store, ctx| {
        let w = store.sync_contact(&input, crate::store::now())?;
        push_reply(out, store, ctx, &w, false)?;
        Ok(if w.created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        })
    })
}

pub(super) async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let mut out = Vec::with_capacity(4096);
    let status = retrieve_into(&st, acct, &raw, &mut out)?;
    reply_bytes(status, out)
}

/// `GET /contacts/{id}` for one account and raw path id: appends the JSON answer to `out`
/// and returns its status (the handler's code, and the fast lane's).
pub(crate) fn retrieve_into(
    st: &AppState,
    acct: AccountId,
    raw: &str,
    out: &mut Vec<u8>,
) -> Result<StatusCode, ApiError> {
    let cid = entity_id(Entity::Contact, raw)?;
    st.with_store(acct, |store, ctx| {
        push_retrieve_json(out, store, cid, ctx)?;
        Ok(StatusCode::OK)
    })
}

/// Appends the body of `GET /contacts/{id}`: the detailed contact and its side-loads (sorted key
/// order, as every contact body of the mock).
pub(super) fn push_retrieve_json(
    out: &mut Vec<u8>,
    store: &Store,
    cid: u64,
    ctx: &Ctx,
) -> Result<(), ApiError> {
    let c = store.contact(cid)?;
    out.extend_from_slice(br#"{"accountContacts":"#);
    let account_contacts = contact_account_contacts_json(store, cid, ctx);
    serde_json::to_writer(&mut *out, &account_contacts).map_err(internal)?;
    out.extend_from_slice(br#","contact":"#);
    push_detailed_contact(out, store, c, ctx);
    out.extend_from_slice(br#","contactAutomations":"#);
    let entries: Vec<Value> = store
        .automations_of_contact(cid)
        .into_iter()
        .map(|e| crate::render::automations::entry_json(e, ctx))
        .collect();
    serde_json::to_writer(&mut *out, &entries).map_err(internal)?;
    out.extend_from_slice(br#","contactLists":"#);
    let lists: Vec<Value> = store
        .contact_lists_of(cid)
        .into_iter()
        .map(|m| contact_list_json(m, ctx, false))
        .collect();
    serde_json::to_writer(&mut *out, &lists).map_err(internal)?;
    out.extend_from_slice(br#","deals":"#);
    serde_json::to_writer(&mut *out, &contact_deals_json(store, cid, ctx)).map_err(internal)?;
    out.extend_from_slice(br#","fieldValues":"#);
    let values: Vec<Value> = store
        .field_values_of(cid)
        .into_iter()
        .map(|v| field_value_json(v, ctx))
        .collect();
    serde_json::to_writer(&mut *out, &values).map_err(internal)?;
    out.extend_from_slice(br#","geoIps":[]}"#);
    Ok(())
}

pub(super) async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let cid = entity_id(Entity::Contact, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.contact(cid)?;
        let input = contact_input(&body)?;
        let w = store.update_contact(cid, &input, crate::store::now())?;
        reply_bytes(StatusCode::OK, write_reply(store, ctx, &w, false)?)
    })
}

pub(super) async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    // DELETE words its 404 differently from GET (reference §2.6).
    let lower = || ApiError::NotFoundMessage(format!("No result found for contact with id {raw}"));
    let cid = path_id(&raw).ok_or_else(lower)?;
    st.with_store(acct, |store, _| match store.delete_contact(cid) {
        Ok(()) => empty_ok(),
        Err(_) => Err(lower()),
    })
}
