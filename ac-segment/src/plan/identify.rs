//! identify → contact sync with fields inline, tags, lists (MAPPING.md "identify → contact").

use ac_client::contacts::ContactFieldValue;
use ac_client::encode::encode_value;
use ac_client::ListId;
use serde_json::Value;

use super::values::{self, custom_value};
use super::{Action, Known, Plan, PlanError, Planned};
use crate::settings::{Flavor, Settings};
use crate::spec::{loose_eq, Message, MessageType};

/// Segment's reserved identify traits: never custom fields in `default` and `segment`.
const RESERVED: [&str; 17] = [
    "address",
    "age",
    "avatar",
    "birthday",
    "company",
    "createdAt",
    "description",
    "email",
    "firstName",
    "gender",
    "id",
    "lastName",
    "name",
    "phone",
    "title",
    "username",
    "website",
];

/// Traits with a meaning of their own here.
const SPECIAL: [&str; 4] = ["tags", "tagsReset", "lists", "fieldInfo"];

fn is_reserved(key: &str) -> bool {
    RESERVED
        .iter()
        .chain(SPECIAL.iter())
        .any(|r| loose_eq(r, key))
}

/// True when planning this identify would look at custom fields, so the executor
/// loads the field catalog first (and not otherwise).
pub fn wants_field_catalog(m: &Message, settings: &Settings) -> bool {
    // Only identify maps custom fields (a group's traits describe the company).
    if m.kind != MessageType::Identify {
        return false;
    }
    if settings.user_id_field.is_some() && m.user_id.is_some() {
        return true;
    }
    let flavor = settings.flavor;
    m.merged_traits()
        .iter()
        .any(|(k, _)| is_field_candidate(flavor, k))
}

/// True when the flavour would look `key` up among the custom fields: a non-reserved
/// top-level trait (`default`, `segment`) or `fieldInfo` (`default`, `rudderstack`).
fn is_field_candidate(flavor: Flavor, key: &str) -> bool {
    match flavor {
        Flavor::Rudderstack => loose_eq(key, "fieldInfo"),
        Flavor::Segment => !is_reserved(key),
        Flavor::Default => loose_eq(key, "fieldInfo") || !is_reserved(key),
    }
}

/// True when AC's bulk import can express all of this plan: a creating sync, tags added and
/// list statuses set (no tag reset or removal, no update-only sync, no tracking).
pub fn bulk_expressible(plan: &Plan) -> bool {
    plan.kind == MessageType::Identify
        && plan.actions.iter().all(|a| match a {
            Action::SyncContact {
                create_if_missing, ..
            } => *create_if_missing,
            Action::AddTag { .. } | Action::SetListStatus { .. } => true,
            _ => false,
        })
}

fn encode(
    field: &ac_client::fields::Field,
    key: &str,
    value: &Value,
) -> Result<Option<ContactFieldValue>, PlanError> {
    let Some(v) = custom_value(value) else {
        return Ok(None);
    };
    let encoded =
        encode_value(&field.field_type, key, &v).map_err(|e| PlanError::InvalidTrait {
            key: key.to_owned(),
            reason: match e {
                ac_client::Error::InvalidInput { message, .. } => format!(
                    "{message} (custom field `{}`, type {})",
                    field.title,
                    field.field_type.as_str()
                ),
                other => other.to_string(),
            },
        })?;
    Ok(Some(ContactFieldValue {
        field: field.id,
        value: encoded,
    }))
}

/// Adds `fv`, replacing an earlier value for the same field (the later source wins).
fn put(values: &mut Vec<ContactFieldValue>, fv: ContactFieldValue) {
    match values.iter_mut().find(|v| v.field == fv.field) {
        Some(existing) => *existing = fv,
        None => values.push(fv),
    }
}

/// Reports the traits a flavour never reads as custom fields: top-level traits in
/// `rudderstack` (only `fieldInfo` is read), `fieldInfo` in `segment`.
fn flavour_ignored(flavor: Flavor, traits: &[(&str, &Value)], notes: &mut Vec<String>) {
    match flavor {
        Flavor::Rudderstack => {
            let ignored: Vec<&str> = traits
                .iter()
                .filter(|(k, _)| !is_reserved(k))
                .map(|(k, _)| *k)
                .collect();
            if !ignored.is_empty() {
                notes.push(format!(
                    "traits not read as custom fields in the rudderstack flavour (only `fieldInfo` is): {}",
                    ignored.join(", ")
                ));
            }
        }
        Flavor::Segment => {
            if traits.iter().any(|(k, _)| loose_eq(k, "fieldInfo")) {
                notes.push(
                    "trait `fieldInfo` is not read in the segment flavour (custom fields come from top-level traits)"
                        .to_owned(),
                );
            }
        }
        Flavor::Default => {}
    }
}

/// The contact's custom field values from top-level traits, `fieldInfo` and the `userId`
/// field, per flavour. Unmatched traits become notes.
fn field_values(
    m: &Message,
    settings: &Settings,
    known: &Known<'_>,
    notes: &mut Vec<String>,
) -> Result<Vec<ContactFieldValue>, PlanError> {
    let flavor = settings.flavor;
    let mut out = Vec::new();
    let traits = m.merged_traits();
    flavour_ignored(flavor, &traits, notes);
    let Some(catalog) = known.fields else {
        let candidates: Vec<&str> = traits
            .iter()
            .filter(|(k, _)| is_field_candidate(flavor, k))
            .map(|(k, _)| *k)
            .collect();
        if !candidates.is_empty() {
            notes.push(format!(
                "custom fields not looked up (dry run): {} would be matched against the account's fields",
                candidates.join(", ")
            ));
        }
        return Ok(out);
    };
    let mut unmatched: Vec<&str> = Vec::new();
    if flavor != Flavor::Rudderstack {
        for (key, value) in &traits {
            if is_reserved(key) {
                continue;
            }
            match catalog.resolve(key) {
                Some(field) => {
                    if let Some(fv) = encode(field, key, value)? {
                        put(&mut out, fv);
                    }
                }
                _ => unmatched.push(key),
            }
        }
    }
    if flavor != Flavor::Segment {
        if let Some(info) = m.trait_value("fieldInfo") {
            let Value::Object(info) = info else {
                return Err(PlanError::InvalidTrait {
                    key: "fieldInfo".into(),
                    reason: "must be an object of field title → value".into(),
                });
            };
            for (title, value) in info {
                let field = match flavor {
                    Flavor::Rudderstack => catalog.fields().iter().find(|f| f.title == *title),
                    _ => catalog.resolve(title),
                };
                match field {
                    Some(field) => {
                        if let Some(fv) = encode(field, title, value)? {
                            put(&mut out, fv);
                        }
                    }
                    None => unmatched.push(title),
                }
            }
        }
    }
    if let (Some(tag), Some(user_id)) = (&settings.user_id_field, &m.user_id) {
        match catalog.resolve(tag) {
            Some(field) => {
                if let Some(fv) = encode(field, "userId", &Value::String(user_id.clone()))? {
                    put(&mut out, fv);
                }
            }
            None => notes.push(format!(
                "user_id_field `{tag}` matches no custom field: userId not stored"
            )),
        }
    }
    if !unmatched.is_empty() {
        notes.push(format!(
            "traits matching no custom field (ignored): {}",
            unmatched.join(", ")
        ));
    }
    Ok(out)
}

/// Plans an identify.
pub(super) fn plan(
    m: &Message,
    settings: &Settings,
    known: &Known<'_>,
) -> Result<Planned, PlanError> {
    let flavor = settings.flavor;
    let email = values::require_email(m, flavor)?;
    let mut notes = Vec::new();
    let mut actions = contact_actions(m, settings, known, &email, &mut notes)?;

    let tags = match values::tag_names(m, flavor) {
        Ok(tags) => tags,
        // RudderStack skips the tag step for a `tags` that is not an array and still syncs
        // the contact; here the skip is reported.
        Err(PlanError::InvalidTrait { reason, .. }) if flavor == Flavor::Rudderstack => {
            notes.push(format!("trait `tags` {reason}: no tags added"));
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    if values::tags_reset(m) {
        if flavor == Flavor::Rudderstack {
            notes.push(
                "trait `tagsReset` is not read in the rudderstack flavour: the contact's tags are kept"
                    .to_owned(),
            );
        } else {
            actions.push(Action::ResetTags);
        }
    }
    actions.extend(
        tags.iter()
            .map(|name| Action::AddTag { name: name.clone() }),
    );

    if settings.audiences_as_tags
        && values::persona(m, "computation_class").as_deref() == Some("audience")
    {
        let key = values::persona(m, "computation_key")
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty());
        if let Some(key) = key {
            match m.trait_value(&key).and_then(values::as_bool) {
                Some(true) if !tags.contains(&key) => actions.push(Action::AddTag { name: key }),
                Some(false) => actions.push(Action::RemoveTag { name: key }),
                _ => {}
            }
        }
    }

    for entry in values::list_entries(m) {
        let id = entry.get("id").and_then(values::list_id);
        let status = entry.get("status");
        match (id, status.and_then(|s| values::list_status(s, flavor))) {
            (Some(id), Some(status)) => actions.push(Action::SetListStatus {
                list: ListId(id),
                status,
            }),
            (None, _) => notes.push(format!("list entry {entry} has no valid `id`: skipped")),
            (Some(id), None) => notes.push(format!(
                "list {id}: status {} is not one of {} (flavour {flavor}): skipped",
                status
                    .map(Value::to_string)
                    .unwrap_or_else(|| "(missing)".into()),
                values::list_words(flavor)
            )),
        }
    }
    dedupe_lists(&mut actions);
    Ok(Planned::Apply(Plan {
        kind: m.kind.clone(),
        email: Some(email),
        actions,
        notes,
    }))
}

/// The contact sync action (shared with group).
pub(super) fn contact_actions(
    m: &Message,
    settings: &Settings,
    known: &Known<'_>,
    email: &str,
    notes: &mut Vec<String>,
) -> Result<Vec<Action>, PlanError> {
    let (first_name, last_name) = values::names(m);
    let create_if_missing =
        settings.flavor != Flavor::Segment || first_name.is_some() || last_name.is_some();
    let field_values = if m.kind == MessageType::Identify {
        field_values(m, settings, known, notes)?
    } else {
        Vec::new()
    };
    Ok(vec![Action::SyncContact {
        email: email.to_owned(),
        first_name,
        last_name,
        phone: values::phone(m),
        field_values,
        create_if_missing,
    }])
}

/// One status per list: the last entry for a list wins.
fn dedupe_lists(actions: &mut Vec<Action>) {
    let mut seen: Vec<ListId> = Vec::new();
    let mut i = actions.len();
    while i > 0 {
        i -= 1;
        if let Action::SetListStatus { list, .. } = &actions[i] {
            if seen.contains(list) {
                actions.remove(i);
            } else {
                seen.push(*list);
            }
        }
    }
}
