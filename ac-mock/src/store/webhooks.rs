//! Webhook subscriptions (reference §10.1). Delivery is not done here: a sender reads
//! [`Store::webhooks`] (events, sources, listid, url, active) and the outbox [`super::Change`]s.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Change, Entity, Store, StoreError, StoreResult};

/// The 25 event names of `GET /webhook/events`, in AC's order.
pub const WEBHOOK_EVENTS: [&str; 25] = [
    "bounce",
    "click",
    "contact_tag_added",
    "contact_tag_removed",
    "deal_add",
    "deal_note_add",
    "deal_pipeline_add",
    "deal_stage_add",
    "deal_task_add",
    "deal_task_complete",
    "deal_tasktype_add",
    "deal_update",
    "forward",
    "list_add",
    "open",
    "reply",
    "sent",
    "share",
    "sms_reply",
    "sms_sent",
    "sms_unsub",
    "subscribe",
    "subscriber_note",
    "unsubscribe",
    "update",
];

/// Events AC's webhooks page names besides the 25 (accepted on create, not listed).
pub const EXTRA_WEBHOOK_EVENTS: [&str; 5] = [
    "account_add",
    "account_update",
    "account_contact_add",
    "account_contact_update",
    "contact_task_add",
];

/// Who caused an event.
pub const WEBHOOK_SOURCES: [&str; 4] = ["public", "admin", "api", "system"];

/// A webhook subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    /// Id.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Where to POST.
    pub url: String,
    /// Subscribed event names.
    pub events: Vec<String>,
    /// Subscribed sources (`public`, `admin`, `api`, `system`).
    pub sources: Vec<String>,
    /// List restriction for list-scoped events (0 = all lists).
    pub listid: u64,
    /// False once the receiver answered 410 Gone (AC then stops sending).
    pub active: bool,
    /// Creation time.
    pub cdate: DateTime<Utc>,
}

impl Webhook {
    /// Whether an event of this name, from this source, on this list (0 = not list-scoped)
    /// should be sent to this webhook.
    pub fn matches(&self, event: &str, source: &str, list: u64) -> bool {
        self.active
            && self.events.iter().any(|e| e == event)
            && self.sources.iter().any(|s| s == source)
            && (self.listid == 0 || list == 0 || self.listid == list)
    }
}

/// Attributes of a webhook create or update. `None` leaves a value unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct WebhookInput {
    pub name: Option<String>,
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub sources: Option<Vec<String>>,
    pub listid: Option<u64>,
}

fn invalid(attr: &str, title: String) -> StoreError {
    StoreError::Invalid {
        code: "field_invalid",
        title,
        pointer: format!("/data/attributes/{attr}"),
        error: None,
    }
}

fn missing(attr: &str) -> StoreError {
    StoreError::Missing {
        title: format!("The webhook {attr} was not provided."),
        pointer: format!("/data/attributes/{attr}"),
    }
}

fn check(input: &WebhookInput) -> StoreResult<()> {
    if let Some(name) = &input.name {
        if name.trim().is_empty() {
            return Err(missing("name"));
        }
    }
    if let Some(url) = &input.url {
        let ok = url::Url::parse(url.trim())
            .ok()
            .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            return Err(invalid(
                "url",
                format!("The webhook url \"{url}\" is not a valid http(s) URL."),
            ));
        }
    }
    if let Some(events) = &input.events {
        if events.is_empty() {
            return Err(missing("events"));
        }
        for (i, e) in events.iter().enumerate() {
            let known =
                WEBHOOK_EVENTS.contains(&e.as_str()) || EXTRA_WEBHOOK_EVENTS.contains(&e.as_str());
            if !known {
                return Err(invalid(
                    &format!("events/{i}"),
                    format!("The webhook event \"{e}\" is not a valid event."),
                ));
            }
        }
    }
    if let Some(sources) = &input.sources {
        if sources.is_empty() {
            return Err(missing("sources"));
        }
        for (i, s) in sources.iter().enumerate() {
            if !WEBHOOK_SOURCES.contains(&s.as_str()) {
                return Err(invalid(
                    &format!("sources/{i}"),
                    format!("The webhook source \"{s}\" is not a valid source."),
                ));
            }
        }
    }
    Ok(())
}

impl Store {
    /// Fails with `NotFound` unless the webhook exists.
    pub fn webhook(&self, id: u64) -> StoreResult<&Webhook> {
        self.webhooks.get_or(Entity::Webhook, id)
    }

    /// `POST /webhooks`: `name`, `url`, `events` and `sources` are required.
    pub fn create_webhook(&mut self, input: &WebhookInput, now: DateTime<Utc>) -> StoreResult<u64> {
        let absent: Vec<StoreError> = [
            ("name", input.name.is_none()),
            (
                "url",
                input.url.as_deref().is_none_or(|u| u.trim().is_empty()),
            ),
            ("events", input.events.is_none()),
            ("sources", input.sources.is_none()),
        ]
        .iter()
        .filter(|(_, missing)| *missing)
        .map(|(attr, _)| missing(attr))
        .collect();
        if absent.len() == 1 {
            return Err(absent.into_iter().next().unwrap_or_else(|| missing("name")));
        }
        if !absent.is_empty() {
            return Err(StoreError::Many(absent));
        }
        check(input)?;
        if let Some(l) = input.listid.filter(|l| *l > 0) {
            self.list(l)?;
        }
        let id = self.webhooks.insert_with(|id| Webhook {
            id,
            name: input.name.clone().unwrap_or_default().trim().to_string(),
            url: input.url.clone().unwrap_or_default().trim().to_string(),
            events: input.events.clone().unwrap_or_default(),
            sources: input.sources.clone().unwrap_or_default(),
            listid: input.listid.unwrap_or(0),
            active: true,
            cdate: now,
        });
        self.record(Change::WebhookCreated { webhook: id });
        Ok(id)
    }

    /// `PUT /webhooks/{id}`: any subset of the fields.
    pub fn update_webhook(&mut self, id: u64, input: &WebhookInput) -> StoreResult<()> {
        self.webhook(id)?;
        check(input)?;
        if let Some(l) = input.listid.filter(|l| *l > 0) {
            self.list(l)?;
        }
        let w = self.webhooks.get_mut_or(Entity::Webhook, id)?;
        if let Some(v) = &input.name {
            w.name = v.trim().to_string();
        }
        if let Some(v) = &input.url {
            w.url = v.trim().to_string();
        }
        if let Some(v) = &input.events {
            w.events = v.clone();
        }
        if let Some(v) = &input.sources {
            w.sources = v.clone();
        }
        if let Some(v) = input.listid {
            w.listid = v;
        }
        self.record(Change::WebhookUpdated { webhook: id });
        Ok(())
    }

    /// Marks a webhook inactive (what a 410 Gone from its receiver does); false when unknown.
    pub fn deactivate_webhook(&mut self, id: u64) -> bool {
        match self.webhooks.get_mut(id) {
            Some(w) => {
                w.active = false;
                true
            }
            None => false,
        }
    }

    /// `DELETE /webhooks/{id}`.
    pub fn delete_webhook(&mut self, id: u64) -> StoreResult<()> {
        self.webhooks.remove_or(Entity::Webhook, id)?;
        self.record(Change::WebhookDeleted { webhook: id });
        Ok(())
    }
}
