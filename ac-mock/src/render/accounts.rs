//! Account renderers other rooms borrow: the custom `fields` of accounts and deals, and the
//! accountContact rows of `/accountContacts` and of the contact GET's side-loads.

use serde_json::{json, Value};

use crate::reply::{id, ts};
use crate::state::Ctx;
use crate::store::{AccountContact, Store};

/// `fields: [{customFieldId, fieldValue}]` as stored.
pub(crate) fn fields_json(fields: &[(u64, String)]) -> Value {
    Value::Array(
        fields
            .iter()
            .map(|(f, v)| json!({"customFieldId": f, "fieldValue": v}))
            .collect(),
    )
}

/// An accountContact row; `echo` renders `account`/`contact` as numbers, as the POST does.
pub(crate) fn account_contact_json(ac: &AccountContact, ctx: &Ctx, echo: bool) -> Value {
    let base = format!("{}/accountContacts/{}", ctx.api_base, ac.id);
    let (account, contact) = if echo {
        (json!(ac.account), json!(ac.contact))
    } else {
        (id(ac.account), id(ac.contact))
    };
    json!({
        "account": account, "contact": contact, "jobTitle": ac.job_title,
        "createdTimestamp": ts(ac.created, ctx.offset), "updatedTimestamp": ts(ac.updated, ctx.offset),
        "links": {"account": format!("{base}/account"), "contact": format!("{base}/contact")},
        "id": id(ac.id)
    })
}

/// The account contacts of a contact as GET renders them (the contact GET's side-load).
pub(crate) fn contact_account_contacts_json(store: &Store, contact: u64, ctx: &Ctx) -> Vec<Value> {
    store
        .list_account_contacts(Some(contact), None)
        .into_iter()
        .map(|r| account_contact_json(r, ctx, false))
        .collect()
}
