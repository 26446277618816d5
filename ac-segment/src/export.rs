//! export: AC contacts → Segment `identify` messages (MAPPING.md "export"), the "import from AC
//! by list or tag" of sync tools. Contacts are streamed by `id_greater` (AC's advice for large
//! accounts); each becomes one identify whose traits replay back into the same contact:
//! `email`, `firstName`, `lastName`, `phone`, `tags` (names), `lists` (`{id, status}` with
//! `active` / `unsubscribed`) and custom fields keyed by perstag (multi-values as arrays).
//! `userId` comes from `user_id_field` when the contact has it, else `anonymousId` = the email.

use std::collections::HashMap;

use ac_client::contacts::{Contact, ContactQuery};
use ac_client::encode::{decode_multi, FieldCatalog};
use ac_client::lists::MembershipStatus;
use ac_client::tags::TagQuery;
use ac_client::{Client, ListId, TagId};
use futures_util::TryStreamExt;
use serde_json::{json, Map, Value};

use crate::outcome::{Failure, FailureKind};
use crate::spec::loose_eq;

/// Which contacts to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every contact.
    All,
    /// The contacts on this list (any status).
    List(ListId),
    /// The contacts with the tag of this name.
    Tag(String),
}

/// What to export and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// Which contacts.
    pub scope: Scope,
    /// The perstag of the custom field holding the Segment `userId`.
    pub user_id_field: Option<String>,
}

/// What an export did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportSummary {
    /// Identify messages produced.
    pub exported: u64,
    /// Contacts left out because they have no email (phone-only contacts).
    pub without_email: u64,
}

fn ac(step: &str) -> impl Fn(ac_client::Error) -> Failure + '_ {
    move |e| Failure::from_ac(step, &e)
}

/// Streams the scope's contacts as identify messages into `emit`, in contact id order.
/// Per contact: its tags and its lists and field values (two calls); the account's tags and
/// fields are read once.
pub async fn export<F>(
    client: &Client,
    options: &ExportOptions,
    mut emit: F,
) -> Result<ExportSummary, Failure>
where
    F: FnMut(Value) -> std::io::Result<()>,
{
    let tags: HashMap<TagId, String> = client
        .tags()
        .stream(TagQuery::new())
        .map_ok(|t| (t.id, t.name))
        .try_collect()
        .await
        .map_err(ac("reading tags"))?;
    let catalog = FieldCatalog::fetch(client)
        .await
        .map_err(ac("reading custom fields"))?;
    let mut query = ContactQuery::new();
    match &options.scope {
        Scope::All => {}
        Scope::List(id) => query = query.list(*id),
        Scope::Tag(name) => {
            let id = tags
                .iter()
                .find(|(_, n)| n.eq_ignore_ascii_case(name))
                .map(|(id, _)| *id)
                .ok_or_else(|| {
                    Failure::new(FailureKind::Config, format!("no tag is named `{name}`"))
                })?;
            query = query.tag(id);
        }
    }
    let mut summary = ExportSummary::default();
    let mut contacts = client.contacts().stream_by_id(query);
    while let Some(c) = contacts.try_next().await.map_err(ac("listing contacts"))? {
        if c.email.trim().is_empty() {
            summary.without_email += 1;
            continue;
        }
        let message = identify(client, &c, &tags, &catalog, options).await?;
        emit(message)
            .map_err(|e| Failure::new(FailureKind::Config, format!("writing the export: {e}")))?;
        summary.exported += 1;
    }
    Ok(summary)
}

async fn identify(
    client: &Client,
    c: &Contact,
    tags: &HashMap<TagId, String>,
    catalog: &FieldCatalog,
    options: &ExportOptions,
) -> Result<Value, Failure> {
    let details = client
        .contacts()
        .get_details(c.id)
        .await
        .map_err(ac("reading a contact"))?;
    let contact_tags = client
        .tags()
        .contact_tags(c.id)
        .await
        .map_err(ac("reading a contact's tags"))?;
    let mut traits = Map::new();
    traits.insert("email".into(), json!(c.email));
    for (key, value) in [
        ("firstName", &c.first_name),
        ("lastName", &c.last_name),
        ("phone", &c.phone),
    ] {
        if !value.trim().is_empty() {
            traits.insert(key.into(), json!(value));
        }
    }
    let mut names: Vec<&str> = contact_tags
        .iter()
        .filter_map(|ct| tags.get(&ct.tag).map(String::as_str))
        .collect();
    names.sort_unstable();
    names.dedup();
    if !names.is_empty() {
        traits.insert("tags".into(), json!(names));
    }
    let lists: Vec<Value> = details
        .contact_lists
        .iter()
        .filter_map(|cl| {
            let status = match cl.status {
                MembershipStatus::Active => "active",
                MembershipStatus::Unsubscribed => "unsubscribed",
                _ => return None,
            };
            Some(json!({"id": cl.list.get(), "status": status}))
        })
        .collect();
    if !lists.is_empty() {
        traits.insert("lists".into(), Value::Array(lists));
    }
    let mut user_id = None;
    for fv in &details.field_values {
        let Some(field) = catalog.fields().iter().find(|f| f.id == fv.field) else {
            continue;
        };
        if fv.value.is_empty() || field.perstag.is_empty() {
            continue;
        }
        if options
            .user_id_field
            .as_deref()
            .is_some_and(|u| loose_eq(u, &field.perstag))
        {
            user_id = Some(fv.value.clone());
            continue;
        }
        let value = if field.field_type.is_multi_value() {
            json!(decode_multi(&fv.value))
        } else {
            json!(fv.value)
        };
        traits.insert(field.perstag.clone(), value);
    }
    let mut m = json!({
        "type": "identify",
        "messageId": format!("ac-contact-{}-{}", c.id, c.updated.map(|u| u.timestamp()).unwrap_or(0)),
        "traits": traits,
    });
    match user_id {
        Some(u) => m["userId"] = json!(u),
        None => m["anonymousId"] = json!(c.email),
    }
    if let Some(u) = c.updated {
        m["timestamp"] = json!(u.to_rfc3339());
    }
    Ok(m)
}
