//! `/accounts`, `/accountContacts`, `/contacts/{id}/accountContacts`,
//! `/accounts/{id}/accountContacts` (reference §8.1, §8.2).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::input::custom_fields;
use super::{delete_by_id, entity_id, page_json, wrapped};
use crate::extract::{Authed, JsonBody};
use crate::query::Params;
use crate::render::accounts::{account_contact_json, fields_json};
use crate::reply::{id, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::accounts::AccountInput;
use crate::store::{AccountContact, CustomerAccount, Entity, Store, StoreError};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(list).post(create))
        .route(
            "/accounts/{id}",
            get(retrieve).put(update).patch(update).delete(remove),
        )
        .route(
            "/accountContacts",
            get(list_account_contacts).post(add_account_contact),
        )
        .route(
            "/accountContacts/{id}",
            get(get_account_contact)
                .put(update_account_contact)
                .patch(update_account_contact)
                .delete(remove_account_contact),
        )
        .route("/contacts/{id}/accountContacts", get(of_contact))
        .route("/accounts/{id}/accountContacts", get(of_account))
}

/// An account as GET renders it; `counts` adds `contactCount`/`dealCount`.
pub(crate) fn account_json(store: &Store, a: &CustomerAccount, ctx: &Ctx, counts: bool) -> Value {
    let base = format!("{}/accounts/{}", ctx.api_base, a.id);
    let mut v = json!({
        "name": a.name, "accountUrl": a.account_url,
        "createdTimestamp": ts(a.created, ctx.offset), "updatedTimestamp": ts(a.updated, ctx.offset),
        "owner": a.owner.to_string(),
        "links": {
            "notes": format!("{base}/notes"),
            "accountCustomFieldData": format!("{base}/accountCustomFieldData"),
            "accountContacts": format!("{base}/accountContacts"),
            "emailActivities": format!("{base}/emailActivities"),
            "contactEmails": format!("{base}/contactEmails"),
            "owner": format!("{base}/owner")
        },
        "fields": fields_json(&a.fields),
        "id": id(a.id)
    });
    if counts {
        let (contacts, deals) = store.account_counts(a.id);
        v["contactCount"] = json!(contacts.to_string());
        v["dealCount"] = json!(deals.to_string());
    }
    v
}

/// The create/update echo: the account plus `customFieldSaveStatus`.
fn account_write_json(store: &Store, a: &CustomerAccount, ctx: &Ctx) -> Value {
    let mut v = account_json(store, a, ctx, false);
    v["customFieldSaveStatus"] = json!({"status": "success"});
    v
}

fn account_input(body: &Value) -> Result<AccountInput, ApiError> {
    let a = wrapped(body, "account")?;
    Ok(AccountInput {
        name: a.string("name")?,
        account_url: a.string("accountUrl")?,
        owner: a.u64("owner")?,
        fields: custom_fields(&a, || {
            ApiError::field_missing(
                "/data/attributes/fields/customFieldId",
                "The customFieldId was not provided.",
            )
        })?,
    })
}

async fn create(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = account_input(&body)?;
    st.with_store(acct, |store, ctx| {
        let aid = store.create_account(&input, crate::store::now())?;
        let a = store.account(aid)?;
        reply(
            StatusCode::CREATED,
            json!({ "account": account_write_json(store, a, ctx) }),
        )
    })
}

async fn list(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let counts = p
        .get("count_deals")
        .is_some_and(|v| matches!(v.trim(), "true" | "1"));
    let search = p.text("search");
    st.with_store(acct, |store, ctx| {
        let rows = store.list_accounts(search.as_deref());
        let body = page_json("accounts", rows, &p, |a| {
            account_json(store, a, ctx, counts)
        });
        reply(StatusCode::OK, body)
    })
}

async fn retrieve(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let aid = entity_id(Entity::Account, &raw)?;
    st.with_store(acct, |store, ctx| {
        let a = store.account(aid)?;
        reply(
            StatusCode::OK,
            json!({ "account": account_json(store, a, ctx, false) }),
        )
    })
}

async fn update(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let aid = entity_id(Entity::Account, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.account(aid)?;
        let input = account_input(&body)?;
        store.update_account(aid, &input, crate::store::now())?;
        let a = store.account(aid)?;
        reply(
            StatusCode::OK,
            json!({ "account": account_write_json(store, a, ctx) }),
        )
    })
}

async fn remove(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(&st, acct, Entity::Account, &raw, Store::delete_account)
}

/// Unknown related records of a link body are a 422 `related_missing` naming the attribute.
fn related(err: StoreError) -> ApiError {
    match err {
        StoreError::NotFound { entity, .. } => {
            let attr = if entity == Entity::Contact {
                "contact"
            } else {
                "account"
            };
            ApiError::Unprocessable(vec![json!({
                "title": format!("The related {attr} does not exist."), "detail": "",
                "code": "related_missing", "source": {"pointer": format!("/data/attributes/{attr}")}
            })])
        }
        other => ApiError::from_store(other),
    }
}

async fn add_account_contact(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let a = wrapped(&body, "accountContact")?;
    let account = a.u64("account")?.ok_or_else(|| {
        ApiError::field_missing("/data/attributes/account", "The account was not provided.")
    })?;
    let contact = a.u64("contact")?.ok_or_else(|| {
        ApiError::field_missing("/data/attributes/contact", "The contact was not provided.")
    })?;
    let job_title = a.string("jobTitle")?;
    st.with_store(acct, |store, ctx| {
        let acid = store
            .add_account_contact(account, contact, job_title.as_deref(), crate::store::now())
            .map_err(related)?;
        let row = store.account_contact(acid)?;
        reply(
            StatusCode::CREATED,
            json!({ "accountContact": account_contact_json(row, ctx, true) }),
        )
    })
}

fn rows_json(rows: Vec<&AccountContact>, p: &Params, ctx: &Ctx) -> Value {
    page_json("accountContacts", rows, p, |r| {
        account_contact_json(r, ctx, false)
    })
}

async fn list_account_contacts(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let (mut contact, mut account) = (None, None);
    for (key, value) in p.bracketed("filters") {
        match key.as_str() {
            "contact" => contact = value.trim().parse().ok(),
            "account" => account = value.trim().parse().ok(),
            _ => {}
        }
    }
    st.with_store(acct, |store, ctx| {
        let rows = store.list_account_contacts(contact, account);
        reply(StatusCode::OK, rows_json(rows, &p, ctx))
    })
}

async fn get_account_contact(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let acid = entity_id(Entity::AccountContact, &raw)?;
    st.with_store(acct, |store, ctx| {
        let row = store.account_contact(acid)?;
        reply(
            StatusCode::OK,
            json!({ "accountContact": account_contact_json(row, ctx, false) }),
        )
    })
}

async fn update_account_contact(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let acid = entity_id(Entity::AccountContact, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.account_contact(acid)?;
        let a = wrapped(&body, "accountContact")?;
        let account = a.u64("account")?;
        let job_title = a.string("jobTitle")?;
        store
            .update_account_contact(acid, account, job_title.as_deref(), crate::store::now())
            .map_err(related)?;
        let row = store.account_contact(acid)?;
        reply(
            StatusCode::OK,
            json!({ "accountContact": account_contact_json(row, ctx, false) }),
        )
    })
}

async fn remove_account_contact(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(
        &st,
        acct,
        Entity::AccountContact,
        &raw,
        Store::remove_account_contact,
    )
}

async fn of_contact(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let p = Params::parse(q.as_deref());
    let cid = entity_id(Entity::Contact, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.contact(cid)?;
        let rows = store.list_account_contacts(Some(cid), None);
        reply(StatusCode::OK, rows_json(rows, &p, ctx))
    })
}

async fn of_account(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let p = Params::parse(q.as_deref());
    let aid = entity_id(Entity::Account, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.account(aid)?;
        let rows = store.list_account_contacts(None, Some(aid));
        reply(StatusCode::OK, rows_json(rows, &p, ctx))
    })
}
