//! Segment-spec messages (identify, track, page, screen, group, alias) and the batch envelope,
//! read as tolerantly as real senders write them:
//!
//! * `type` in any case (`"IDENTIFY"` is an identify);
//! * `userId` / `anonymousId` / `messageId` as a string, a number or `null`;
//! * traits in `traits` **or** `context.traits` (RudderStack's SDKs send identify traits only
//!   there); [`Message::trait_value`] reads both, the message's own `traits` winning key by key;
//! * `integrations` as `{}`, `{"All": true}` or per destination ([`Message::enabled_for`]);
//! * unknown keys (`_metadata`, `channel`, `sentAt`, ...) kept in [`Message::extra`].
//!
//! ```
//! use ac_segment::spec::{Message, MessageType};
//!
//! let m = Message::from_slice(br#"{"type":"IDENTIFY","userId":null,"anonymousId":42,
//!     "context":{"traits":{"email":"jane@example.com"}},"traits":{"first_name":"Jane"},
//!     "integrations":{"All":false,"ActiveCampaign":true},"_metadata":{"bundled":[]}}"#)?;
//! assert_eq!(m.kind, MessageType::Identify);
//! assert_eq!(m.anonymous_id.as_deref(), Some("42"));
//! assert_eq!(m.trait_str("email"), Some("jane@example.com"));
//! assert_eq!(m.trait_str("firstName"), Some("Jane"));
//! assert!(m.enabled_for("ActiveCampaign"));
//! assert!(m.extra.contains_key("_metadata"));
//! # Ok::<(), ac_segment::spec::SpecError>(())
//! ```

mod keys;

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use keys::{first_loose, get_loose, loose_eq, loose_key};

/// The destination name Segment uses for ActiveCampaign in `integrations`.
pub const DESTINATION_NAME: &str = "ActiveCampaign";

/// The kind of a message (`type`, read in any case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageType {
    /// `identify`: who the user is, with traits.
    Identify,
    /// `track`: an event the user did.
    Track,
    /// `page`: a web page view.
    Page,
    /// `screen`: a mobile screen view.
    Screen,
    /// `group`: the user belongs to a company or organisation.
    Group,
    /// `alias`: two identities are the same user.
    Alias,
    /// Any other `type`, kept as sent.
    #[serde(untagged)]
    Other(String),
}

impl MessageType {
    /// Reads a `type` value in any case.
    pub fn parse(s: &str) -> MessageType {
        let t = s.trim();
        [
            ("identify", MessageType::Identify),
            ("track", MessageType::Track),
            ("page", MessageType::Page),
            ("screen", MessageType::Screen),
            ("group", MessageType::Group),
            ("alias", MessageType::Alias),
        ]
        .into_iter()
        .find(|(name, _)| t.eq_ignore_ascii_case(name))
        .map(|(_, kind)| kind)
        .unwrap_or_else(|| MessageType::Other(t.to_owned()))
    }

    /// The lowercase name (`"identify"`, ...; other types as sent).
    pub fn as_str(&self) -> &str {
        match self {
            MessageType::Identify => "identify",
            MessageType::Track => "track",
            MessageType::Page => "page",
            MessageType::Screen => "screen",
            MessageType::Group => "group",
            MessageType::Alias => "alias",
            MessageType::Other(s) => s,
        }
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a message could not be read. The text names the key and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// The bytes are not JSON, or the JSON is not an object.
    #[error("not a JSON object: {0}")]
    Json(String),
    /// A message without `type`.
    #[error("the message has no `type` (one of identify, track, page, screen, group, alias)")]
    MissingType,
    /// A known key holds the wrong kind of value.
    #[error("`{key}` must be {expected}, got {got}")]
    WrongType {
        /// The key.
        key: &'static str,
        /// What it must be.
        expected: &'static str,
        /// What it was (`a number`, `an array`, ...).
        got: &'static str,
    },
    /// A batch envelope whose `batch` is missing or not an array.
    #[error("a batch envelope needs `batch`: an array of messages")]
    NotABatch,
}

/// One Segment message. Ids are strings whatever JSON type they came as; object-valued parts
/// are empty maps when absent or `null`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    /// `type`.
    pub kind: MessageType,
    /// `messageId`.
    pub message_id: Option<String>,
    /// `userId`.
    pub user_id: Option<String>,
    /// `anonymousId`.
    pub anonymous_id: Option<String>,
    /// `event` (track; RudderStack's screen).
    pub event: Option<String>,
    /// `name` (page, screen).
    pub name: Option<String>,
    /// `groupId` (group).
    pub group_id: Option<String>,
    /// `previousId` (alias).
    pub previous_id: Option<String>,
    /// `timestamp`, as sent.
    pub timestamp: Option<String>,
    /// `traits` (identify, group).
    pub traits: Map<String, Value>,
    /// `properties` (track, page, screen).
    pub properties: Map<String, Value>,
    /// `context`.
    pub context: Map<String, Value>,
    /// `integrations`.
    pub integrations: Map<String, Value>,
    /// Every other top-level key, as sent.
    pub extra: Map<String, Value>,
}

impl Default for MessageType {
    fn default() -> Self {
        MessageType::Other(String::new())
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An id: strings as they are, numbers as their decimal text, `null` and `""` as absent.
fn id_value(key: &'static str, v: Value) -> Result<Option<String>, SpecError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(SpecError::WrongType {
            key,
            expected: "a string, a number or null",
            got: kind_of(&other),
        }),
    }
}

fn object_value(key: &'static str, v: Value) -> Result<Map<String, Value>, SpecError> {
    match v {
        Value::Null => Ok(Map::new()),
        Value::Object(m) => Ok(m),
        other => Err(SpecError::WrongType {
            key,
            expected: "an object",
            got: kind_of(&other),
        }),
    }
}

impl Message {
    /// Parses one message from JSON bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Message, SpecError> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let raw = RawMessage::deserialize(&mut de).map_err(|e| SpecError::Json(e.to_string()))?;
        de.end().map_err(|e| SpecError::Json(e.to_string()))?;
        raw.finish()
    }

    /// Builds a message from an already parsed JSON value.
    pub fn from_value(value: Value) -> Result<Message, SpecError> {
        let Value::Object(map) = value else {
            return Err(SpecError::Json(format!(
                "expected a JSON object, got {}",
                kind_of(&value)
            )));
        };
        let mut raw = RawMessage::default();
        for (k, v) in map {
            raw.put(k, v);
        }
        raw.finish()
    }

    /// A trait by key (loosely): the message's `traits` first, then `context.traits`.
    /// `null` counts as absent.
    pub fn trait_value(&self, key: &str) -> Option<&Value> {
        get_loose(&self.traits, key)
            .filter(|v| !v.is_null())
            .or_else(|| {
                self.context_traits()
                    .and_then(|t| get_loose(t, key))
                    .filter(|v| !v.is_null())
            })
    }

    /// A trait that is a non-empty string (after trimming), from either place.
    pub fn trait_str(&self, key: &str) -> Option<&str> {
        fn text(v: &Value) -> Option<&str> {
            v.as_str().map(str::trim).filter(|s| !s.is_empty())
        }
        get_loose(&self.traits, key).and_then(text).or_else(|| {
            self.context_traits()
                .and_then(|t| get_loose(t, key))
                .and_then(text)
        })
    }

    /// `context.traits`, when it is an object.
    pub fn context_traits(&self) -> Option<&Map<String, Value>> {
        self.context.get("traits").and_then(Value::as_object)
    }

    /// Every trait: `context.traits` overlaid with the message's own `traits` (which win key
    /// by key, compared loosely), in the order `traits` then the rest of `context.traits`.
    pub fn merged_traits(&self) -> Vec<(&str, &Value)> {
        let mut out: Vec<(&str, &Value)> = self
            .traits
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        if let Some(ct) = self.context_traits() {
            for (k, v) in ct {
                // An own trait shadows a context trait only when it has a value: `null`
                // counts as absent, as in `trait_value`.
                let shadowed = self
                    .traits
                    .iter()
                    .any(|(own, ov)| !ov.is_null() && loose_eq(own, k));
                if v.is_null() || shadowed {
                    continue;
                }
                out.push((k.as_str(), v));
            }
        }
        out
    }

    /// A property by key (loosely), `null` counting as absent.
    pub fn property(&self, key: &str) -> Option<&Value> {
        get_loose(&self.properties, key).filter(|v| !v.is_null())
    }

    /// A property that is a non-empty string.
    pub fn property_str(&self, key: &str) -> Option<&str> {
        self.property(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// A string at `context.<part>.<key>` (e.g. `context.page.url`).
    pub fn context_str(&self, part: &str, key: &str) -> Option<&str> {
        self.context
            .get(part)
            .and_then(Value::as_object)
            .and_then(|m| get_loose(m, key))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// Segment's destination switch: `integrations.<name>` (a bool; any other non-null value,
    /// such as an options object, means enabled) wins over `integrations.All` (default true).
    pub fn enabled_for(&self, name: &str) -> bool {
        let all = match get_loose(&self.integrations, "All") {
            Some(Value::Bool(b)) => *b,
            _ => true,
        };
        match self.integrations.get(name) {
            Some(Value::Bool(b)) => *b,
            Some(Value::Null) | None => all,
            Some(_) => true,
        }
    }
}

/// Field-by-field accumulator; unknown keys go to `extra`.
#[derive(Default)]
struct RawMessage {
    kind: Option<Value>,
    fields: Vec<(&'static str, Value)>,
    extra: Map<String, Value>,
}

const KNOWN: [&str; 13] = [
    "messageId",
    "userId",
    "anonymousId",
    "event",
    "name",
    "groupId",
    "previousId",
    "timestamp",
    "traits",
    "properties",
    "context",
    "integrations",
    "type",
];

/// A top-level key: the known ones without allocating.
enum Key {
    Known(&'static str),
    Other(String),
}

impl Key {
    fn of(key: &str) -> Option<&'static str> {
        KNOWN.iter().find(|k| **k == key).copied()
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key::of(v).map_or_else(|| Key::Other(v.to_owned()), Key::Known))
            }
        }
        d.deserialize_str(V)
    }
}

impl RawMessage {
    fn put(&mut self, key: String, value: Value) {
        match Key::of(&key) {
            Some(k) => self.put_key(Key::Known(k), value),
            None => self.put_key(Key::Other(key), value),
        }
    }

    fn put_key(&mut self, key: Key, value: Value) {
        match key {
            Key::Known("type") => self.kind = Some(value),
            Key::Known(k) => self.fields.push((k, value)),
            Key::Other(k) => {
                self.extra.insert(k, value);
            }
        }
    }

    fn finish(self) -> Result<Message, SpecError> {
        let kind = match self.kind {
            Some(Value::String(s)) if !s.trim().is_empty() => MessageType::parse(&s),
            Some(Value::Null) | None => return Err(SpecError::MissingType),
            Some(Value::String(_)) => return Err(SpecError::MissingType),
            Some(other) => {
                return Err(SpecError::WrongType {
                    key: "type",
                    expected: "a string",
                    got: kind_of(&other),
                })
            }
        };
        let mut m = Message {
            kind,
            extra: self.extra,
            ..Message::default()
        };
        for (key, value) in self.fields {
            match key {
                "messageId" => m.message_id = id_value(key, value)?,
                "userId" => m.user_id = id_value(key, value)?,
                "anonymousId" => m.anonymous_id = id_value(key, value)?,
                "event" => m.event = text_value(key, value)?,
                "name" => m.name = text_value(key, value)?,
                "groupId" => m.group_id = id_value(key, value)?,
                "previousId" => m.previous_id = id_value(key, value)?,
                "timestamp" => m.timestamp = text_value(key, value)?,
                "traits" => m.traits = object_value(key, value)?,
                "properties" => m.properties = object_value(key, value)?,
                "context" => m.context = object_value(key, value)?,
                _ => m.integrations = object_value(key, value)?,
            }
        }
        Ok(m)
    }
}

/// A text value: strings (trimmed; empty = absent), numbers as text, `null` absent.
fn text_value(key: &'static str, v: Value) -> Result<Option<String>, SpecError> {
    match v {
        Value::String(s) => {
            let t = s.trim();
            Ok((!t.is_empty()).then(|| t.to_owned()))
        }
        other => id_value(key, other),
    }
}

impl<'de> Deserialize<'de> for RawMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawMessage;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Segment message (a JSON object)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawMessage, A::Error> {
                let mut raw = RawMessage::default();
                while let Some(key) = map.next_key::<Key>()? {
                    let value: Value = map.next_value()?;
                    raw.put_key(key, value);
                }
                Ok(raw)
            }
        }
        d.deserialize_map(V).map_err(de::Error::custom)
    }
}

/// Merges a batch envelope's top-level `context` and `integrations` into one of its messages:
/// the message's own keys win (one level deep for `context`, as Segment merges).
pub fn merge_envelope(
    item: &mut Map<String, Value>,
    context: Option<&Map<String, Value>>,
    integrations: Option<&Map<String, Value>>,
) {
    for (key, shared) in [("context", context), ("integrations", integrations)] {
        let Some(shared) = shared.filter(|m| !m.is_empty()) else {
            continue;
        };
        match item.get_mut(key) {
            Some(Value::Object(own)) => {
                for (k, v) in shared {
                    own.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            Some(Value::Null) | None => {
                item.insert(key.to_owned(), Value::Object(shared.clone()));
            }
            Some(_) => {}
        }
    }
}

/// Splits a `{"batch":[...], "context":{...}, "integrations":{...}}` envelope into its
/// messages (as JSON values, the envelope's context and integrations merged in).
pub fn split_batch(envelope: Value) -> Result<Vec<Value>, SpecError> {
    let Value::Object(mut env) = envelope else {
        return Err(SpecError::NotABatch);
    };
    let Some(Value::Array(items)) = env.remove("batch") else {
        return Err(SpecError::NotABatch);
    };
    let context = env.get("context").and_then(Value::as_object).cloned();
    let integrations = env.get("integrations").and_then(Value::as_object).cloned();
    Ok(items
        .into_iter()
        .map(|item| match item {
            Value::Object(mut m) => {
                merge_envelope(&mut m, context.as_ref(), integrations.as_ref());
                Value::Object(m)
            }
            other => other,
        })
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_in_any_case_and_ids_of_any_shape() {
        let m = Message::from_slice(br#"{"type":" Track ","userId":7,"messageId":null}"#).unwrap();
        assert_eq!(m.kind, MessageType::Track);
        assert_eq!(m.user_id.as_deref(), Some("7"));
        assert_eq!(m.message_id, None);
        assert_eq!(
            Message::from_slice(br#"{"type":"weird"}"#).unwrap().kind,
            MessageType::Other("weird".into())
        );
    }

    #[test]
    fn errors_name_what_was_wrong() {
        assert_eq!(
            Message::from_slice(br#"{"userId":"u"}"#),
            Err(SpecError::MissingType)
        );
        assert_eq!(
            Message::from_slice(br#"{"type":"identify","traits":[1]}"#)
                .unwrap_err()
                .to_string(),
            "`traits` must be an object, got an array"
        );
        assert!(matches!(
            Message::from_slice(b"[1,2]"),
            Err(SpecError::Json(_))
        ));
        assert!(matches!(
            Message::from_slice(br#"{"type":"track"} trailing"#),
            Err(SpecError::Json(_))
        ));
    }

    #[test]
    fn own_traits_win_over_context_traits_key_by_key() {
        let m = Message::from_value(json!({"type":"identify",
            "traits":{"firstName":"Own","email":null},
            "context":{"traits":{"first_name":"Ctx","email":"a@b.co","plan":"pro"}}}))
        .unwrap();
        assert_eq!(m.trait_str("firstName"), Some("Own"));
        assert_eq!(m.trait_str("email"), Some("a@b.co"));
        let merged: Vec<&str> = m.merged_traits().into_iter().map(|(k, _)| k).collect();
        assert_eq!(merged, vec!["firstName", "email", "plan"]);
    }

    #[test]
    fn integrations_switch() {
        let on = |v: Value| {
            Message::from_value(json!({"type":"track","integrations":v}))
                .unwrap()
                .enabled_for(DESTINATION_NAME)
        };
        assert!(on(json!({})));
        assert!(on(json!({"All":true})));
        assert!(!on(json!({"All":false})));
        assert!(on(json!({"All":false,"ActiveCampaign":true})));
        assert!(on(json!({"All":false,"ActiveCampaign":{"opt":1}})));
        assert!(!on(json!({"ActiveCampaign":false})));
        assert!(on(json!(null)));
    }

    #[test]
    fn batch_envelope_merges_context_and_integrations() {
        let items = split_batch(json!({"batch":[
            {"type":"track","event":"A","context":{"ip":"1.1.1.1"}},
            {"type":"identify","integrations":{"ActiveCampaign":false}}],
            "context":{"ip":"9.9.9.9","library":{"name":"x"}},"integrations":{"All":true}}))
        .unwrap();
        assert_eq!(items[0]["context"]["ip"], "1.1.1.1");
        assert_eq!(items[0]["context"]["library"]["name"], "x");
        assert_eq!(items[1]["integrations"]["ActiveCampaign"], false);
        assert_eq!(items[1]["integrations"]["All"], true);
        assert_eq!(split_batch(json!({"batch":1})), Err(SpecError::NotABatch));
    }
}
