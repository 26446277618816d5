//! `/notes`, `/contacts/{id}/notes`, `/deals/{id}/notes`, `/accounts/{id}/notes`,
//! `/dealTasks/{id}/notes`.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::Router;
use serde_json::{json, Value};

use super::{delete_by_id, entity_id, page_json, wrapped};
use crate::extract::{Authed, JsonBody};
use crate::query::Params;
use crate::render::deals::deal_json;
use crate::reply::{id, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::notes::{Note, NoteOwner};
use crate::store::{Entity, Store};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notes", get(list).post(create))
        .route(
            "/notes/{id}",
            get(retrieve).put(update).patch(update).delete(remove),
        )
        .route("/contacts/{id}/notes", get(of_contact))
        .route("/dealTasks/{id}/notes", get(of_task))
        .route("/deals/{id}/notes", get(of_deal).post(create_on_deal))
        .route("/deals/{id}/notes/{note}", put(update_on_deal))
        .route(
            "/accounts/{id}/notes",
            get(of_account).post(create_on_account),
        )
        .route("/accounts/{id}/notes/{note}", put(update_on_account))
}

fn note_json(n: &Note, ctx: &Ctx) -> Value {
    let base = format!("{}/notes/{}", ctx.api_base, n.id);
    json!({
        "note": n.note, "relid": id(n.relid), "reltype": n.owner.reltype(),
        "userid": id(n.user), "is_draft": "0",
        "cdate": ts(n.cdate, ctx.offset), "mdate": ts(n.mdate, ctx.offset),
        "owner": {"type": n.owner.owner_type(), "id": id(n.relid)},
        "links": {
            "activities": format!("{base}/activities"), "mentions": format!("{base}/mentions"),
            "notes": format!("{base}/notes"), "owner": format!("{base}/owner"),
            "user": format!("{base}/user")
        },
        "id": id(n.id)
    })
}

/// The attributes of a note body: text, owner kind, owner id.
type NoteAttrs = (Option<String>, Option<NoteOwner>, Option<u64>);

/// `{"note":{"note","reltype","relid"}}`; a `reltype` the mock does not know is 422.
fn note_input(body: &Value) -> Result<NoteAttrs, ApiError> {
    let a = wrapped(body, "note")?;
    let owner = match a.string("reltype")? {
        None => None,
        Some(s) if s.trim().is_empty() => None,
        Some(s) => Some(NoteOwner::parse(&s).ok_or_else(|| {
            ApiError::field_invalid(
                "/data/attributes/reltype",
                "The reltype must be Subscriber, Deal, CustomerAccount or DealTask.",
            )
        })?),
    };
    Ok((a.string("note")?, owner, a.u64("relid")?))
}

/// The note with its owner's side-load (`deals` for a deal note), as create answers.
fn note_reply(store: &Store, nid: u64, ctx: &Ctx, status: StatusCode) -> ApiResult {
    let n = store.note(nid)?;
    let mut body = json!({ "note": note_json(n, ctx) });
    if n.owner == NoteOwner::Deal {
        if let Some(d) = store.deals.get(n.relid) {
            body["deals"] = json!([deal_json(d, ctx, false)]);
        }
    }
    reply(status, body)
}

async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let (text, owner, relid) = note_input(&body)?;
    st.with_store(acct, |store, ctx| {
        let nid = store.create_note(text.as_deref(), owner, relid, crate::store::now())?;
        note_reply(store, nid, ctx, StatusCode::CREATED)
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let nid = entity_id(Entity::Note, &raw)?;
    st.with_store(acct, |store, ctx| {
        let n = store.note(nid)?;
        reply(StatusCode::OK, json!({ "note": note_json(n, ctx) }))
    })
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let nid = entity_id(Entity::Note, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.note(nid)?;
        let (text, owner, relid) = note_input(&body)?;
        store.update_note(nid, text.as_deref(), owner, relid, crate::store::now())?;
        note_reply(store, nid, ctx, StatusCode::OK)
    })
}

async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(&st, acct, Entity::Note, &raw, Store::delete_note)
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let (mut owner, mut relid, mut nothing) = (None, None, false);
    for (key, value) in p.bracketed("filters") {
        let v = value.trim();
        match key.as_str() {
            "reltype" if !v.is_empty() => match NoteOwner::parse(v) {
                Some(o) => owner = Some(o),
                None => nothing = true,
            },
            "relid" if !v.is_empty() => match v.parse() {
                Ok(r) => relid = Some(r),
                Err(_) => nothing = true,
            },
            _ => {}
        }
    }
    st.with_store(acct, |store, ctx| {
        let mut rows = store.notes_of(owner, relid);
        if nothing {
            rows.clear();
        }
        reply(
            StatusCode::OK,
            page_json("notes", rows, &p, |n| note_json(n, ctx)),
        )
    })
}

/// `GET /<owner>/{id}/notes`: 404 for an owner that does not exist.
fn notes_of(
    st: &AppState,
    acct: crate::account_id::AccountId,
    owner: NoteOwner,
    raw: &str,
    query: Option<&str>,
) -> ApiResult {
    let p = Params::parse(query);
    let entity = owner_entity(owner);
    let rid = entity_id(entity, raw)?;
    st.with_store(acct, |store, ctx| {
        owner_exists(store, owner, rid)?;
        let rows = store.notes_of(Some(owner), Some(rid));
        reply(
            StatusCode::OK,
            page_json("notes", rows, &p, |n| note_json(n, ctx)),
        )
    })
}

fn owner_entity(owner: NoteOwner) -> Entity {
    match owner {
        NoteOwner::Contact => Entity::Contact,
        NoteOwner::Deal => Entity::Deal,
        NoteOwner::Account => Entity::Account,
        NoteOwner::Task => Entity::DealTask,
    }
}

fn owner_exists(store: &Store, owner: NoteOwner, rid: u64) -> Result<(), ApiError> {
    match owner {
        NoteOwner::Contact => store.contact(rid).map(|_| ()),
        NoteOwner::Deal => store.deal(rid).map(|_| ()),
        NoteOwner::Account => store.account(rid).map(|_| ()),
        NoteOwner::Task => store.task(rid).map(|_| ()),
    }
    .map_err(ApiError::from)
}

/// `POST /<owner>/{id}/notes` with `{"note":{"note":"…"}}`: the path names the owner.
fn create_on(
    st: &AppState,
    acct: crate::account_id::AccountId,
    owner: NoteOwner,
    raw: &str,
    body: &Value,
) -> ApiResult {
    let rid = entity_id(owner_entity(owner), raw)?;
    let (text, _, _) = note_input(body)?;
    st.with_store(acct, |store, ctx| {
        owner_exists(store, owner, rid)?;
        let nid =
            store.create_note(text.as_deref(), Some(owner), Some(rid), crate::store::now())?;
        note_reply(store, nid, ctx, StatusCode::CREATED)
    })
}

/// `PUT /<owner>/{id}/notes/{note}`: 404 unless the note belongs to that owner.
fn update_on(
    st: &AppState,
    acct: crate::account_id::AccountId,
    owner: NoteOwner,
    (raw, raw_note): (String, String),
    body: &Value,
) -> ApiResult {
    let rid = entity_id(owner_entity(owner), &raw)?;
    let nid = entity_id(Entity::Note, &raw_note)?;
    let (text, _, _) = note_input(body)?;
    st.with_store(acct, |store, ctx| {
        owner_exists(store, owner, rid)?;
        let n = store.note(nid)?;
        if n.owner != owner || n.relid != rid {
            return Err(ApiError::not_found(Entity::Note, nid));
        }
        store.update_note(nid, text.as_deref(), None, None, crate::store::now())?;
        note_reply(store, nid, ctx, StatusCode::OK)
    })
}

async fn of_contact(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    notes_of(&st, acct, NoteOwner::Contact, &raw, q.as_deref())
}

async fn of_task(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    notes_of(&st, acct, NoteOwner::Task, &raw, q.as_deref())
}

async fn of_deal(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    notes_of(&st, acct, NoteOwner::Deal, &raw, q.as_deref())
}

async fn of_account(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    notes_of(&st, acct, NoteOwner::Account, &raw, q.as_deref())
}

async fn create_on_deal(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    create_on(&st, acct, NoteOwner::Deal, &raw, &body)
}

async fn create_on_account(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    create_on(&st, acct, NoteOwner::Account, &raw, &body)
}

async fn update_on_deal(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raws): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    update_on(&st, acct, NoteOwner::Deal, raws, &body)
}

async fn update_on_account(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raws): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    update_on(&st, acct, NoteOwner::Account, raws, &body)
}
