//! Finding the person and reading trait values, as MAPPING.md's "Finding the person" says.

use ac_client::encode::CustomValue;
use serde_json::Value;

use super::{ListState, PlanError};
use crate::settings::Flavor;
use crate::spec::{get_loose, Message};

/// Where [`email`] looks, for error messages.
pub fn email_sources(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::Rudderstack => "traits.email, context.traits.email, properties.email",
        _ => "traits.email, context.traits.email, properties.email, userId (when an email)",
    }
}

/// True for something shaped like an email address (`local@domain.tld`, no spaces).
pub fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
        && !domain.contains('@')
}

/// The contact's email: `traits.email` → `context.traits.email` → `properties.email` →
/// `userId` when it is an email (not in the `rudderstack` flavour).
pub fn email(m: &Message, flavor: Flavor) -> Option<String> {
    m.trait_str("email")
        .or_else(|| m.property_str("email"))
        .map(str::to_owned)
        .or_else(|| match flavor {
            Flavor::Rudderstack => None,
            _ => m
                .user_id
                .as_deref()
                .map(str::trim)
                .filter(|u| looks_like_email(u))
                .map(str::to_owned),
        })
}

/// The email or the typed error naming where it looked.
pub fn require_email(m: &Message, flavor: Flavor) -> Result<String, PlanError> {
    email(m, flavor).ok_or(PlanError::MissingEmail {
        looked_in: email_sources(flavor),
    })
}

/// A string-ish trait: strings trimmed, numbers as text.
fn trait_text(m: &Message, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match m.trait_value(k)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// First and last name: `firstName` / `first_name` / `firstname` (loosely), else a trimmed
/// `name` split at its first space (Segment's facade rule).
pub fn names(m: &Message) -> (Option<String>, Option<String>) {
    let first = trait_text(m, &["firstName"]);
    let last = trait_text(m, &["lastName"]);
    if first.is_some() || last.is_some() {
        return (first, last);
    }
    match trait_text(m, &["name"]) {
        Some(full) => match full.split_once(' ') {
            Some((f, l)) => {
                let l = l.trim();
                (Some(f.to_owned()), (!l.is_empty()).then(|| l.to_owned()))
            }
            None => (Some(full), None),
        },
        None => (None, None),
    }
}

/// The phone trait.
pub fn phone(m: &Message) -> Option<String> {
    trait_text(m, &["phone"])
}

/// A JSON trait value as a custom field value before encoding: arrays become several values
/// (objects inside them JSON-encoded), numbers and booleans keep their kind, objects are
/// JSON-encoded text.
pub fn custom_value(v: &Value) -> Option<CustomValue> {
    Some(match v {
        Value::Null => return None,
        Value::String(s) => CustomValue::Text(s.clone()),
        Value::Bool(b) => CustomValue::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => CustomValue::Integer(i),
            None => CustomValue::Number(n.as_f64()?),
        },
        Value::Array(items) => CustomValue::Many(
            items
                .iter()
                .filter(|i| !i.is_null())
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
        ),
        Value::Object(_) => CustomValue::Text(v.to_string()),
    })
}

/// A value as event data or other text: strings as they are, everything else JSON-encoded.
pub fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Tag names from the `tags` trait: an array of names (strings or numbers); in `default` a
/// comma-separated string too. Empty names are dropped, duplicates kept once, order kept.
pub fn tag_names(m: &Message, flavor: Flavor) -> Result<Vec<String>, PlanError> {
    let Some(v) = m.trait_value("tags") else {
        return Ok(Vec::new());
    };
    let raw: Vec<String> = match v {
        Value::Array(items) => items
            .iter()
            .filter_map(|i| match i {
                Value::String(s) => Some(s.trim().to_owned()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Value::String(s) if flavor == Flavor::Default => {
            s.split(',').map(|t| t.trim().to_owned()).collect()
        }
        Value::String(_) => {
            return Err(PlanError::InvalidTrait {
                key: "tags".into(),
                reason: format!(
                    "must be an array of tag names in the {flavor} flavour (a comma-separated string is accepted only in `default`)"
                ),
            })
        }
        other => {
            return Err(PlanError::InvalidTrait {
                key: "tags".into(),
                reason: format!("must be an array of tag names, got {other}"),
            })
        }
    };
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for t in raw {
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

/// `tagsReset` = `1` / `true` / `"1"` / `"true"`.
pub fn tags_reset(m: &Message) -> bool {
    match m.trait_value("tagsReset") {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64() == Some(1.0),
        Some(Value::String(s)) => matches!(s.trim(), "1" | "true" | "TRUE" | "True"),
        _ => false,
    }
}

/// A list status word in the flavour's vocabulary.
pub fn list_status(raw: &Value, flavor: Flavor) -> Option<ListState> {
    let word = match raw {
        Value::String(s) => s.trim().to_ascii_lowercase(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    match (flavor, word.as_str()) {
        (Flavor::Segment, "active") | (Flavor::Rudderstack, "subscribe") => {
            Some(ListState::Subscribed)
        }
        (Flavor::Segment, "unsubscribed") | (Flavor::Rudderstack, "unsubscribe") => {
            Some(ListState::Unsubscribed)
        }
        (Flavor::Default, "active" | "subscribe" | "subscribed" | "1") => {
            Some(ListState::Subscribed)
        }
        (Flavor::Default, "unsubscribed" | "unsubscribe" | "2") => Some(ListState::Unsubscribed),
        _ => None,
    }
}

/// The words a flavour accepts, for notes.
pub fn list_words(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::Segment => "active, unsubscribed",
        Flavor::Rudderstack => "subscribe, unsubscribe",
        Flavor::Default => "active, subscribe, subscribed, 1, unsubscribed, unsubscribe, 2",
    }
}

/// A list id: a positive integer as a number or a string.
pub fn list_id(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|id| *id > 0)
}

/// The `lists` trait: one `{id, status}` object or an array of them.
pub fn list_entries(m: &Message) -> Vec<&Value> {
    match m.trait_value("lists") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    }
}

/// The host of a URL, with a first `www.` removed. With `bare_ok`, a bare domain
/// (`example.com/path`) is accepted too.
pub fn domain_of(key: &'static str, value: &str, bare_ok: bool) -> Result<String, PlanError> {
    let invalid = |reason: String| PlanError::InvalidUrl {
        key,
        value: value.to_owned(),
        reason,
    };
    let parsed = match url::Url::parse(value) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) if bare_ok => {
            url::Url::parse(&format!("https://{value}")).map_err(|e| invalid(e.to_string()))?
        }
        Err(e) => {
            return Err(invalid(format!(
                "{e} (a full URL such as https://example.com is needed)"
            )))
        }
    };
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| invalid("the URL has no host".to_owned()))?;
    if bare_ok && !host.contains('.') && host != "localhost" {
        return Err(invalid("not a domain".to_owned()));
    }
    Ok(strip_www(host))
}

/// Removes the first `www.` label (`www.example.com`, `sub.www.example.com`), never `www.`
/// inside a label: `awww.example.com` is another site.
fn strip_www(host: &str) -> String {
    let mut labels: Vec<&str> = host.split('.').collect();
    if labels.len() > 2 {
        if let Some(i) = labels.iter().position(|l| l.eq_ignore_ascii_case("www")) {
            labels.remove(i);
        }
    }
    labels.join(".")
}

/// A boolean trait (Engage audiences send `true` / `false`).
pub fn as_bool(v: &Value) -> Option<bool> {
    v.as_bool()
}

/// A key in `context.personas`, as a string.
pub fn persona(m: &Message, key: &str) -> Option<String> {
    let p = m.context.get("personas")?.as_object()?;
    get_loose(p, key)?.as_str().map(str::to_owned)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msg(v: Value) -> Message {
        Message::from_value(v).unwrap()
    }

    #[test]
    fn email_lookup_order() {
        let m = msg(
            json!({"type":"track","userId":"u@x.io","properties":{"email":"p@x.io"},
            "context":{"traits":{"email":"c@x.io"}}}),
        );
        assert_eq!(email(&m, Flavor::Default).as_deref(), Some("c@x.io"));
        let m = msg(json!({"type":"track","userId":"u@x.io"}));
        assert_eq!(email(&m, Flavor::Segment).as_deref(), Some("u@x.io"));
        assert_eq!(email(&m, Flavor::Rudderstack), None);
        let m = msg(json!({"type":"track","userId":"ze8rt1u89"}));
        assert_eq!(email(&m, Flavor::Default), None);
    }

    #[test]
    fn names_split_a_trimmed_name_at_the_first_space() {
        let m = msg(json!({"type":"identify","traits":{"name":"  John  van Doe "}}));
        assert_eq!(names(&m), (Some("John".into()), Some("van Doe".into())));
        let m = msg(json!({"type":"identify","traits":{"name":"Cher"}}));
        assert_eq!(names(&m), (Some("Cher".into()), None));
        let m = msg(json!({"type":"identify","traits":{"name":"A B","last_name":"Z"}}));
        assert_eq!(names(&m), (None, Some("Z".into())));
    }

    #[test]
    fn list_words_per_flavour() {
        let s = |w: &str, f| list_status(&json!(w), f);
        assert_eq!(s("active", Flavor::Segment), Some(ListState::Subscribed));
        assert_eq!(s("subscribe", Flavor::Segment), None);
        assert_eq!(
            s("subscribe", Flavor::Rudderstack),
            Some(ListState::Subscribed)
        );
        assert_eq!(s("active", Flavor::Rudderstack), None);
        assert_eq!(
            list_status(&json!(2), Flavor::Default),
            Some(ListState::Unsubscribed)
        );
        assert_eq!(s("unsubscribexyz", Flavor::Default), None);
    }

    #[test]
    fn domains() {
        assert_eq!(
            domain_of("u", "https://www.rudderlabs.com", false).unwrap(),
            "rudderlabs.com"
        );
        assert_eq!(
            domain_of("u", "http://sub.www.example.com/x", false).unwrap(),
            "sub.example.com"
        );
        assert!(domain_of("u", "rudderlabs.com", false).is_err());
        assert_eq!(
            domain_of("u", "rudderlabs.com", true).unwrap(),
            "rudderlabs.com"
        );
        assert!(domain_of("u", "url", true).is_err());
        assert_eq!(
            domain_of("u", "https://awww.example.com/", false).unwrap(),
            "awww.example.com"
        );
        assert_eq!(
            domain_of("u", "https://www.www.example.com", false).unwrap(),
            "www.example.com"
        );
        assert_eq!(
            domain_of("u", "https://WWW.Example.com", false).unwrap(),
            "example.com"
        );
        assert_eq!(domain_of("u", "https://www.com", false).unwrap(), "www.com");
    }
}
