//! One handler per AC resource, reached from [`Client`](crate::Client).

pub mod accounts;
pub mod addresses;
pub mod automations;
pub mod brandings;
pub mod bulk_import;
pub mod campaigns;
pub mod contact_deals;
pub mod contact_lists;
pub mod contacts;
pub mod deal_tasks;
pub mod deals;
pub mod ecom;
pub mod email_activities;
pub mod event_tracking;
pub mod field_values;
pub mod fields;
pub mod forms;
pub mod groups;
pub mod lists;
pub mod memberships;
pub mod messages;
pub mod notes;
pub mod record_fields;
pub mod saved_responses;
pub mod scores;
pub mod segments;
pub mod site_tracking;
pub mod tags;
pub mod users;
pub mod webhooks;

/// Keeps a request body's `{ "<key>": <value> }` wrapper in one place.
pub(crate) fn wrap<T: serde::Serialize>(key: &str, value: &T) -> crate::Result<serde_json::Value> {
    let inner = serde_json::to_value(value)
        .map_err(|e| crate::Error::invalid(key, format!("could not serialize: {e}")))?;
    let mut map = serde_json::Map::new();
    map.insert(key.to_owned(), inner);
    Ok(serde_json::Value::Object(map))
}

/// Rejects empty or whitespace-only text before sending.
pub(crate) fn require_text(field: &str, value: &str) -> crate::Result<()> {
    if value.trim().is_empty() {
        Err(crate::Error::invalid(field, "must not be empty"))
    } else {
        Ok(())
    }
}

/// Percent-encodes one path segment (an email or username in `/users/email/{email}`).
pub(crate) fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@+".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
