//! Event tracking (reference §6): the on/off switch, event names, sending events to the
//! tracking host, and a contact's tracking log.
//!
//! Sending an event needs the tracking account id and the event key (Settings → Tracking),
//! set with [`ClientBuilder::actid`](crate::ClientBuilder::actid) and
//! [`ClientBuilder::event_key`](crate::ClientBuilder::event_key) (or `AC_ACTID` /
//! `AC_EVENT_KEY`). The event key is kept secret: it never appears in `Debug`, logs or errors.

use chrono::{DateTime, FixedOffset};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Borrow;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::ids::{ContactId, TrackingLogId};
use crate::page::Meta;
use crate::resources::contacts::validate_email;
use crate::resources::wrap;

/// The longest event name AC accepts (32 characters).
pub const MAX_EVENT_NAME_LEN: usize = 32;

/// The `{"enabled": bool}` object of `/eventTracking` and `/siteTracking`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingSettings {
    /// Whether the feature is enabled.
    #[serde(deserialize_with = "bool_lenient")]
    pub enabled: bool,
}

pub(crate) fn bool_lenient<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<bool, D::Error> {
    Ok(crate::de::opt_bool(d)?.unwrap_or(false))
}

/// A registered event name (`{"name":"file_download"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventName {
    /// The name (`__pagevisit` and `__redir` are AC's system events, always present).
    #[serde(deserialize_with = "crate::de::string_lenient")]
    pub name: String,
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One event to send to the tracking host (`POST {tracking URL}/event`).
///
/// ```
/// use ac_client::event_tracking::TrackedEvent;
///
/// let event = TrackedEvent::new("file_download")
///     .data("whitepaper.pdf")
///     .email("jane@example.com");
/// event.validate()?;
/// assert!(TrackedEvent::new("x".repeat(33)).validate().is_err());
/// # Ok::<(), ac_client::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedEvent {
    /// The event name (`event`; at most 32 characters).
    pub event: String,
    /// The event's value (`eventdata`), if any.
    pub data: Option<String>,
    /// The contact's email, sent as `visit={"email":"..."}`.
    pub email: Option<String>,
}

impl TrackedEvent {
    /// An event with this name and nothing else.
    pub fn new(event: impl Into<String>) -> Self {
        TrackedEvent {
            event: event.into(),
            data: None,
            email: None,
        }
    }

    /// Sets `eventdata`.
    pub fn data(mut self, data: impl Into<String>) -> Self {
        self.data = Some(data.into());
        self
    }

    /// Sets the contact the event belongs to (`visit={"email":...}`).
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Checks the event as the client does before sending: a name of 1 to 32 characters and,
    /// when set, a plausible email.
    pub fn validate(&self) -> Result<()> {
        validate_event_name(&self.event)?;
        if let Some(email) = &self.email {
            validate_email(email)?;
        }
        Ok(())
    }

    /// The form fields sent besides `actid` and `key`: `event`, `eventdata`, `visit`.
    pub fn form_fields(&self) -> Result<Vec<(&'static str, String)>> {
        let mut out = vec![("event", self.event.clone())];
        if let Some(d) = &self.data {
            out.push(("eventdata", d.clone()));
        }
        if let Some(email) = &self.email {
            let visit = serde_json::to_string(&serde_json::json!({ "email": email.trim() }))
                .map_err(|e| Error::invalid("visit", e.to_string()))?;
            out.push(("visit", visit));
        }
        Ok(out)
    }
}

/// Checks an event name: not blank, at most [`MAX_EVENT_NAME_LEN`] characters.
pub fn validate_event_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid("event", "the event name must not be empty"));
    }
    let len = name.chars().count();
    if len > MAX_EVENT_NAME_LEN {
        return Err(Error::invalid(
            "event",
            format!("the event name has {len} characters; AC accepts at most {MAX_EVENT_NAME_LEN}"),
        ));
    }
    Ok(())
}

/// The tracking host's answer to an accepted event (`{"success":1,"message":"Event spawned"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackResponse {
    /// AC's message, if any.
    pub message: Option<String>,
}

/// One row of a contact's tracking log (`GET /contacts/{id}/trackingLogs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackingLog {
    /// The row's id.
    pub id: TrackingLogId,
    /// The contact (`contact`).
    #[serde(default)]
    pub contact: Option<ContactId>,
    /// The event name (`type`; `__pagevisit` for site visits).
    #[serde(
        rename = "type",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub event_type: String,
    /// The event's value (`value`: the `eventdata`, or the URL of a visit).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub value: String,
    /// When it happened (`tstamp`), with the account's UTC offset.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub tstamp: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent (`subscriberid`, `hash`, `links`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Deserialize)]
struct SettingsEnvelope {
    #[serde(rename = "eventTracking")]
    event_tracking: TrackingSettings,
}

#[derive(Deserialize)]
struct EventNameEnvelope {
    #[serde(rename = "eventTrackingEvent")]
    event: EventName,
}

#[derive(Deserialize)]
struct EventNameList {
    #[serde(rename = "eventTrackingEvents", default)]
    events: Vec<EventName>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize)]
struct TrackingLogList {
    #[serde(rename = "trackingLogs", default)]
    logs: Vec<TrackingLog>,
}

#[derive(Serialize)]
struct NameInput<'a> {
    name: &'a str,
}

/// Percent-encodes one URL path segment (everything but `A-Z a-z 0-9 - . _ ~`).
pub(crate) fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The event tracking handler: `client.event_tracking()`.
#[derive(Debug, Clone, Copy)]
pub struct EventTracking<'c> {
    client: &'c Client,
}

impl Client {
    /// Event tracking: settings, event names, sending events, tracking logs.
    pub fn event_tracking(&self) -> EventTracking<'_> {
        EventTracking { client: self }
    }
}

const PAGE: u32 = 100;
/// A bound on pages read by [`EventTracking::list_events`], so a server that ignores
/// `offset` cannot loop the client forever.
const MAX_PAGES: u64 = 1000;

impl<'c> EventTracking<'c> {
    /// Whether event tracking is enabled (`GET /eventTracking`).
    pub async fn settings(&self) -> Result<TrackingSettings> {
        let env: SettingsEnvelope = self.client.send(ApiRequest::get("eventTracking")).await?;
        Ok(env.event_tracking)
    }

    /// Enables or disables event tracking (`PUT /eventTracking`); returns the new settings.
    pub async fn set_enabled(&self, enabled: bool) -> Result<TrackingSettings> {
        let body = wrap("eventTracking", &TrackingSettings { enabled })?;
        let env: SettingsEnvelope = self
            .client
            .send(ApiRequest::put("eventTracking", &body)?)
            .await?;
        Ok(env.event_tracking)
    }

    /// Every registered event name (`GET /eventTrackingEvents`, all pages).
    pub async fn list_events(&self) -> Result<Vec<EventName>> {
        let mut all: Vec<EventName> = Vec::new();
        let mut offset: u64 = 0;
        for _ in 0..MAX_PAGES {
            let req = ApiRequest::get("eventTrackingEvents").query(vec![
                ("limit".into(), PAGE.to_string()),
                ("offset".into(), offset.to_string()),
            ]);
            let page: EventNameList = self.client.send(req).await?;
            let n = page.events.len() as u64;
            if n == 0 {
                break;
            }
            if offset > 0 && page.events.iter().all(|e| all.contains(e)) {
                return Err(Error::Pagination {
                    message: format!("the page at offset {offset} repeats earlier event names"),
                });
            }
            all.extend(page.events);
            offset += n;
            if n < u64::from(PAGE) || (page.meta.total > 0 && offset >= page.meta.total) {
                break;
            }
        }
        Ok(all)
    }

    /// Registers an event name (`POST /eventTrackingEvents`, 201). Never retried after a 5xx;
    /// prefer [`EventTracking::find_or_register`].
    pub async fn create_event(&self, name: &str) -> Result<EventName> {
        validate_event_name(name)?;
        let body = wrap("eventTrackingEvent", &NameInput { name })?;
        let env: EventNameEnvelope = self
            .client
            .send(ApiRequest::post("eventTrackingEvents", &body)?)
            .await?;
        Ok(env.event)
    }

    /// Deletes an event name (`DELETE /eventTrackingEvents/{name}`, the name percent-encoded).
    pub async fn delete_event(&self, name: &str) -> Result<()> {
        validate_event_name(name)?;
        let path = format!("eventTrackingEvents/{}", encode_path_segment(name));
        self.client.send_empty(ApiRequest::delete(path)).await
    }

    /// The registered event called exactly `name`; registers it when missing. The name is
    /// checked (1 to 32 characters) before any request.
    pub async fn find_or_register(&self, name: &str) -> Result<EventName> {
        validate_event_name(name)?;
        if let Some(found) = self
            .list_events()
            .await?
            .into_iter()
            .find(|e| e.name == name)
        {
            return Ok(found);
        }
        match self.create_event(name).await {
            Ok(e) => Ok(e),
            Err(err) if err.is_duplicate() => Ok(EventName {
                name: name.to_owned(),
                extra: Map::new(),
            }),
            Err(err) => Err(err),
        }
    }

    /// Sends an event to the tracking host (`POST {tracking URL}/event`, form-encoded `actid`,
    /// `key`, `event`, `eventdata`, `visit`). No `Api-Token` is sent there.
    ///
    /// Fails before sending when `actid` or the event key is not configured
    /// ([`Error::Config`]) or the event is invalid. A `{"success":0,...}` answer is
    /// [`Error::Tracking`]. Not idempotent: never repeated after a 5xx or a connection error
    /// (the event could be recorded twice); a 429 is retried.
    pub async fn send(&self, event: impl Borrow<TrackedEvent>) -> Result<TrackResponse> {
        let event: &TrackedEvent = event.borrow();
        let inner = &self.client.inner;
        let actid = inner.actid.as_deref().filter(|a| !a.trim().is_empty());
        let key = inner
            .event_key
            .as_ref()
            .map(|k| k.expose_secret())
            .filter(|k| !k.trim().is_empty());
        let (actid, key) = match (actid, key) {
            (Some(a), Some(k)) => (a, k),
            (a, k) => {
                let mut missing = Vec::new();
                if a.is_none() {
                    missing.push("the tracking account id (use .actid(...) or AC_ACTID)");
                }
                if k.is_none() {
                    missing.push("the event key (use .event_key(...) or AC_EVENT_KEY)");
                }
                return Err(Error::config(format!(
                    "sending events needs {}",
                    missing.join(" and ")
                )));
            }
        };
        event.validate()?;
        let fields = event.form_fields()?;
        let mut pairs: Vec<(&str, &str)> = vec![("actid", actid), ("key", key)];
        pairs.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let req = ApiRequest::tracking_form("event", &pairs)?;
        let raw = match self.client.execute(req).await {
            Ok(raw) => raw,
            Err(Error::Api(api))
                if api.body.success == Some(false)
                    && api.status != http::StatusCode::TOO_MANY_REQUESTS =>
            {
                return Err(Error::Tracking {
                    message: api
                        .body
                        .message
                        .clone()
                        .unwrap_or_else(|| format!("HTTP {}", api.status.as_u16())),
                    failure_reasons: api.body.failure_reasons.clone(),
                })
            }
            Err(e) => return Err(e),
        };
        let value: Value = raw.json(&self.client.secrets())?;
        let body = crate::error::ErrorBody::from_json(&value);
        if body.success == Some(false) {
            return Err(crate::http::redact(
                Error::Tracking {
                    message: body
                        .message
                        .unwrap_or_else(|| "the tracking host answered success=0".to_owned()),
                    failure_reasons: body.failure_reasons,
                },
                key,
            ));
        }
        Ok(TrackResponse {
            message: body.message,
        })
    }

    /// A contact's tracking log: events and site visits
    /// (`GET /contacts/{id}/trackingLogs`).
    pub async fn contact_logs(&self, contact: impl Into<ContactId>) -> Result<Vec<TrackingLog>> {
        let contact: ContactId = contact.into();
        let req = ApiRequest::get(format!("contacts/{contact}/trackingLogs"));
        Ok(self.client.send::<TrackingLogList>(req).await?.logs)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn event_name_limits() {
        validate_event_name("a").unwrap();
        validate_event_name(&"é".repeat(32)).unwrap();
        assert!(validate_event_name(&"a".repeat(33)).is_err());
        assert_eq!(validate_event_name(" ").unwrap_err().field(), Some("event"));
    }

    #[test]
    fn form_fields() {
        let e = TrackedEvent::new("dl").data("x.pdf").email("a@b.co");
        assert_eq!(
            e.form_fields().unwrap(),
            vec![
                ("event", "dl".to_owned()),
                ("eventdata", "x.pdf".to_owned()),
                ("visit", r#"{"email":"a@b.co"}"#.to_owned())
            ]
        );
        assert_eq!(
            TrackedEvent::new("dl").form_fields().unwrap(),
            vec![("event", "dl".to_owned())]
        );
        assert!(TrackedEvent::new("dl").email("nope").validate().is_err());
    }

    #[test]
    fn path_segment_encoding() {
        assert_eq!(encode_path_segment("my event/1?"), "my%20event%2F1%3F");
        assert_eq!(encode_path_segment("a-b_c.d~"), "a-b_c.d~");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
    }

    #[test]
    fn models() {
        let s: SettingsEnvelope =
            serde_json::from_value(json!({"eventTracking":{"enabled":"1"}})).unwrap();
        assert!(s.event_tracking.enabled);
        let log: TrackingLog = serde_json::from_value(json!({"subscriberid":"112","type":"Another event","value":"v",
            "tstamp":"2022-09-27T12:39:59-05:00","hash":"h","links":{"contact":"x"},"id":"12","contact":"112"}))
        .unwrap();
        assert_eq!(log.id, TrackingLogId(12));
        assert_eq!(log.contact, Some(ContactId(112)));
        assert_eq!(log.event_type, "Another event");
        assert_eq!(
            log.tstamp.unwrap().to_rfc3339(),
            "2022-09-27T12:39:59-05:00"
        );
    }
}
