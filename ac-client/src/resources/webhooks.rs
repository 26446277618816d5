//! Webhooks management (reference §10.1). To parse the bodies AC *delivers*, see
//! [`crate::webhook_payload`].

use crate::page::BoxStream;
use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::ids::{ListId, WebhookId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};
use crate::resources::accounts::opt_id;
use crate::resources::{require_text, wrap};

macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $wire:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $variant,)*
            /// A value this crate does not know (kept as sent).
            Other(String),
        }

        impl $name {
            /// Every known value, in AC's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The wire name.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Other(s) => s,
                }
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
                Ok(match s {
                    $($wire => $name::$variant,)*
                    other => $name::Other(other.to_owned()),
                })
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s.parse() {
                    Ok(v) => v,
                    Err(never) => match never {},
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                Ok($name::from(crate::de::string_lenient(d)?.as_str()))
            }
        }
    };
}

wire_enum!(
    /// A webhook event name (`GET /webhook/events`, plus the account/task events AC's webhook
    /// page also lists). Unknown names are kept in [`WebhookEvent::Other`].
    WebhookEvent {
        /// `bounce`: an email bounced.
        Bounce = "bounce",
        /// `click`: a campaign link was clicked.
        Click = "click",
        /// `contact_tag_added`.
        ContactTagAdded = "contact_tag_added",
        /// `contact_tag_removed`.
        ContactTagRemoved = "contact_tag_removed",
        /// `deal_add`.
        DealAdd = "deal_add",
        /// `deal_note_add`.
        DealNoteAdd = "deal_note_add",
        /// `deal_pipeline_add`.
        DealPipelineAdd = "deal_pipeline_add",
        /// `deal_stage_add`.
        DealStageAdd = "deal_stage_add",
        /// `deal_task_add`.
        DealTaskAdd = "deal_task_add",
        /// `deal_task_complete`.
        DealTaskComplete = "deal_task_complete",
        /// `deal_tasktype_add`.
        DealTasktypeAdd = "deal_tasktype_add",
        /// `deal_update`.
        DealUpdate = "deal_update",
        /// `forward`: a campaign was forwarded.
        Forward = "forward",
        /// `list_add`: a list was created.
        ListAdd = "list_add",
        /// `open`: a campaign was opened.
        Open = "open",
        /// `reply`: a campaign was replied to.
        Reply = "reply",
        /// `sent`: a campaign started sending.
        Sent = "sent",
        /// `share`: a campaign was shared.
        Share = "share",
        /// `sms_reply`.
        SmsReply = "sms_reply",
        /// `sms_sent`.
        SmsSent = "sms_sent",
        /// `sms_unsub`.
        SmsUnsub = "sms_unsub",
        /// `subscribe`: a contact was added.
        Subscribe = "subscribe",
        /// `subscriber_note`.
        SubscriberNote = "subscriber_note",
        /// `unsubscribe`.
        Unsubscribe = "unsubscribe",
        /// `update`: a contact was updated.
        Update = "update",
        /// `account_add`.
        AccountAdd = "account_add",
        /// `account_update`.
        AccountUpdate = "account_update",
        /// `account_contact_add`.
        AccountContactAdd = "account_contact_add",
        /// `account_contact_update`.
        AccountContactUpdate = "account_contact_update",
        /// `contact_task_add`.
        ContactTaskAdd = "contact_task_add",
    }
);

wire_enum!(
    /// Who caused an event (`sources[]` of a webhook, `initiated_from` of a delivery).
    WebhookSource {
        /// `public`: the contact (subscribes, opens...).
        Public = "public",
        /// `admin`: an account user in the UI.
        Admin = "admin",
        /// `api`: the API.
        Api = "api",
        /// `system`: automations and system processes.
        System = "system",
    }
);

/// A webhook as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    /// The webhook's id.
    pub id: WebhookId,
    /// Name.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub name: String,
    /// Delivery URL.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub url: String,
    /// Events delivered.
    #[serde(default)]
    pub events: Vec<WebhookEvent>,
    /// Sources delivered.
    #[serde(default)]
    pub sources: Vec<WebhookSource>,
    /// The list list-scoped events are restricted to (`None` for `"0"`: all lists).
    #[serde(default, deserialize_with = "opt_list")]
    ///
    /// AC's `listid`.
    #[serde(rename = "listid")]
    pub list: Option<ListId>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    ///
    /// AC's `cdate`.
    #[serde(rename = "cdate")]
    pub created: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn opt_list<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<ListId>, D::Error> {
    Ok(opt_id::<D, ListId>(d)?.filter(|l| l.get() != 0))
}

impl Identified for Webhook {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// The body of `POST /webhooks`: name, URL, events and sources are required.
///
/// ```
/// use ac_client::webhooks::{WebhookEvent, WebhookInput, WebhookSource};
///
/// let input = WebhookInput::new("My Hook", "https://example.com/my-hook")
///     .events([WebhookEvent::Subscribe, WebhookEvent::Unsubscribe])
///     .sources([WebhookSource::Public, WebhookSource::System]);
/// assert_eq!(
///     serde_json::to_value(&input).unwrap(),
///     serde_json::json!({"name":"My Hook","url":"https://example.com/my-hook",
///         "events":["subscribe","unsubscribe"],"sources":["public","system"]})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookInput {
    /// Name.
    pub name: String,
    /// Delivery URL (http or https; AC delivers https only to port 443).
    pub url: String,
    /// Events to deliver (at least one).
    pub events: Vec<WebhookEvent>,
    /// Sources to deliver (at least one).
    pub sources: Vec<WebhookSource>,
    /// Restrict list-scoped events to this list.
    #[serde(skip_serializing_if = "Option::is_none")]
    ///
    /// AC's `listid`.
    #[serde(rename = "listid")]
    pub list: Option<ListId>,
}

impl WebhookInput {
    /// A webhook with no events or sources yet.
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> Self {
        WebhookInput {
            name: name.into(),
            url: url.into(),
            events: Vec::new(),
            sources: Vec::new(),
            list: None,
        }
    }

    /// Sets the events.
    pub fn events(mut self, events: impl IntoIterator<Item = WebhookEvent>) -> Self {
        self.events = events.into_iter().collect();
        self
    }

    /// Sets the sources.
    pub fn sources(mut self, sources: impl IntoIterator<Item = WebhookSource>) -> Self {
        self.sources = sources.into_iter().collect();
        self
    }

    /// Restricts list-scoped events to a list.
    pub fn list(mut self, id: impl Into<ListId>) -> Self {
        self.list = Some(id.into());
        self
    }

    /// Checks the webhook as the client does before sending.
    pub fn validate(&self) -> Result<()> {
        require_text("name", &self.name)?;
        validate_url(&self.url)?;
        if self.events.is_empty() {
            return Err(Error::invalid(
                "events",
                "a webhook needs at least one event",
            ));
        }
        if self.sources.is_empty() {
            return Err(Error::invalid(
                "sources",
                "a webhook needs at least one source",
            ));
        }
        Ok(())
    }
}

fn validate_url(url: &str) -> Result<()> {
    match url::Url::parse(url.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(Error::invalid(
            "url",
            format!("`{url}` is not an http(s) URL"),
        )),
    }
}

/// The body of `PUT /webhooks/{id}`: only what is set changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WebhookUpdate {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// New events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<WebhookEvent>>,
    /// New sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<WebhookSource>>,
    /// New list restriction.
    #[serde(skip_serializing_if = "Option::is_none")]
    ///
    /// AC's `listid`.
    #[serde(rename = "listid")]
    pub list: Option<ListId>,
}

impl WebhookUpdate {
    fn validate(&self) -> Result<()> {
        if let Some(n) = &self.name {
            require_text("name", n)?;
        }
        if let Some(u) = &self.url {
            validate_url(u)?;
        }
        if self.events.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::invalid("events", "must not be empty"));
        }
        if self.sources.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::invalid("sources", "must not be empty"));
        }
        Ok(())
    }
}

/// Filters and paging for `GET /webhooks`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookQuery {
    name: Option<String>,
    url: Option<String>,
    list: Option<ListId>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl WebhookQuery {
    /// Every webhook.
    pub fn new() -> Self {
        Self::default()
    }

    /// By name (`filters[name]`).
    pub fn name(mut self, v: impl Into<String>) -> Self {
        self.name = Some(v.into());
        self
    }

    /// By URL (`filters[url]`).
    pub fn url(mut self, v: impl Into<String>) -> Self {
        self.url = Some(v.into());
        self
    }

    /// By list (`filters[listid]`).
    pub fn list(mut self, v: impl Into<ListId>) -> Self {
        self.list = Some(v.into());
        self
    }

    /// The query string pairs, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        if let Some(v) = &self.name {
            q.push(("filters[name]".to_owned(), v.clone()));
        }
        if let Some(v) = &self.url {
            q.push(("filters[url]".to_owned(), v.clone()));
        }
        if let Some(v) = self.list {
            q.push(("filters[listid]".to_owned(), v.to_string()));
        }
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(WebhookQuery);

#[derive(Deserialize)]
struct WebhookEnvelope {
    webhook: Webhook,
}

#[derive(Deserialize)]
struct WebhookList {
    #[serde(default)]
    webhooks: Vec<Webhook>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize)]
struct EventList {
    #[serde(rename = "webhookEvents", default)]
    events: Vec<WebhookEvent>,
}

/// The webhooks handler: `client.webhooks()`.
#[derive(Debug, Clone, Copy)]
pub struct Webhooks<'c> {
    client: &'c Client,
}

impl Client {
    /// Webhooks: CRUD, list, stream, and the list of event names.
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks { client: self }
    }
}

impl<'c> Webhooks<'c> {
    /// Creates a webhook (`POST /webhooks`, 201). Never retried after a 5xx.
    pub async fn create(&self, input: impl Borrow<WebhookInput>) -> Result<Webhook> {
        let input: &WebhookInput = input.borrow();
        input.validate()?;
        let req = ApiRequest::post("webhooks", &wrap("webhook", input)?)?;
        Ok(self.client.send::<WebhookEnvelope>(req).await?.webhook)
    }

    /// Reads a webhook (`GET /webhooks/{id}`).
    pub async fn get(&self, id: impl Into<WebhookId>) -> Result<Webhook> {
        let id: WebhookId = id.into();
        let req = ApiRequest::get(format!("webhooks/{id}"));
        Ok(self.client.send::<WebhookEnvelope>(req).await?.webhook)
    }

    /// Changes what `update` sets (`PUT /webhooks/{id}`).
    pub async fn update(
        &self,
        id: impl Into<WebhookId>,
        update: impl Borrow<WebhookUpdate>,
    ) -> Result<Webhook> {
        let id: WebhookId = id.into();
        let update: &WebhookUpdate = update.borrow();
        update.validate()?;
        let req = ApiRequest::put(format!("webhooks/{id}"), &wrap("webhook", update)?)?;
        Ok(self.client.send::<WebhookEnvelope>(req).await?.webhook)
    }

    /// Deletes a webhook (`DELETE /webhooks/{id}`).
    pub async fn delete(&self, id: impl Into<WebhookId>) -> Result<()> {
        let id: WebhookId = id.into();
        self.client
            .send_empty(ApiRequest::delete(format!("webhooks/{id}")))
            .await
    }

    /// One page of webhooks (`GET /webhooks?filters[name|url|listid]=`).
    pub async fn list(&self, query: impl Borrow<WebhookQuery>) -> Result<Page<Webhook>> {
        let query: &WebhookQuery = query.borrow();
        webhook_page(self.client, query).await
    }

    /// Every webhook matching `query`, fetched lazily.
    pub fn stream(&self, query: impl Borrow<WebhookQuery>) -> BoxStream<Webhook> {
        let query: WebhookQuery = query.borrow().clone();
        query_stream(self.client, query, |client, q| async move {
            webhook_page(&client, &q).await
        })
    }

    /// The event names webhooks can subscribe to (`GET /webhook/events`).
    pub async fn events(&self) -> Result<Vec<WebhookEvent>> {
        let list: EventList = self.client.send(ApiRequest::get("webhook/events")).await?;
        Ok(list.events)
    }
}

async fn webhook_page(client: &Client, query: &WebhookQuery) -> Result<Page<Webhook>> {
    let req = ApiRequest::get("webhooks").query(query.to_query()?);
    let list: WebhookList = client.send(req).await?;
    Ok(Page {
        items: list.webhooks,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn enums_round_trip_and_keep_unknowns() {
        for e in WebhookEvent::ALL {
            assert_eq!(&WebhookEvent::from(e.as_str()), e);
        }
        assert_eq!(WebhookEvent::ALL.len(), 30);
        assert_eq!(
            WebhookEvent::from("brand_new"),
            WebhookEvent::Other("brand_new".into())
        );
        assert_eq!(WebhookSource::from("api"), WebhookSource::Api);
        assert_eq!(
            serde_json::to_value(WebhookSource::System).unwrap(),
            json!("system")
        );
    }

    #[test]
    fn webhook_model() {
        let env: WebhookEnvelope = serde_json::from_value(json!({"webhook":{"cdate":"2016-01-01T12:00:00-00:00",
            "listid":"0","name":"My Hook","url":"http://example.com/my-hook",
            "events":["subscribe","unsubscribe","sent"],"sources":["public","system"],"links":[],"id":"1"}}))
        .unwrap();
        let w = env.webhook;
        assert_eq!(w.id, WebhookId(1));
        assert_eq!(w.list, None);
        assert_eq!(w.events[2], WebhookEvent::Sent);
        assert_eq!(w.sources[0], WebhookSource::Public);
    }

    #[test]
    fn validation() {
        let ok = WebhookInput::new("n", "https://x.co/h")
            .events([WebhookEvent::Open])
            .sources([WebhookSource::Api]);
        ok.validate().unwrap();
        let mut bad = ok.clone();
        bad.url = "ftp://x".into();
        assert_eq!(bad.validate().unwrap_err().field(), Some("url"));
        assert_eq!(
            ok.clone().events([]).validate().unwrap_err().field(),
            Some("events")
        );
        assert_eq!(
            ok.sources([]).validate().unwrap_err().field(),
            Some("sources")
        );
    }
}
