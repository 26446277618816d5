//! Automations (`/automations`) and contacts' entries in them (`/contactAutomations`,
//! `/contacts/{id}/contactAutomations`).

use std::borrow::Borrow;

use chrono::{DateTime, FixedOffset};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::{AutomationId, ContactAutomationId, ContactId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};
use crate::resources::wrap;

/// An automation as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Automation {
    /// The automation's id (`seriesid` elsewhere).
    pub id: AutomationId,
    /// The automation's name.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub name: String,
    /// AC's status code (1 active, 2 inactive).
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    pub status: Option<u64>,
    /// Contacts that entered it.
    #[serde(default, deserialize_with = "crate::de::u64_lenient")]
    pub entered: u64,
    /// Contacts that left it.
    #[serde(default, deserialize_with = "crate::de::u64_lenient")]
    pub exited: u64,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub cdate: Option<DateTime<FixedOffset>>,
    /// Last change.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub mdate: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for Automation {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// A contact's entry in an automation (`contactAutomation`). Its id is what
/// [`Automations::remove_contact`] takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactAutomation {
    /// The entry's id (not the automation's).
    pub id: ContactAutomationId,
    /// The contact.
    pub contact: ContactId,
    /// The automation (`seriesid`).
    #[serde(rename = "seriesid")]
    pub automation: AutomationId,
    /// AC's status code (1 active, 2 completed).
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    pub status: Option<u64>,
    /// When the contact entered.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub adddate: Option<DateTime<FixedOffset>>,
    /// When the entry last changed.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub lastdate: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for ContactAutomation {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// Paging for `GET /automations`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AutomationQuery {
    limit: Option<u32>,
    offset: Option<u64>,
}

impl AutomationQuery {
    /// Every automation.
    pub fn new() -> Self {
        Self::default()
    }

    /// The query string pairs this query sends, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(AutomationQuery);

/// Filters and paging for `GET /contactAutomations`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactAutomationQuery {
    contact: Option<ContactId>,
    automation: Option<AutomationId>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl ContactAutomationQuery {
    /// Every entry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only this contact's entries (`filters[contact]=`).
    pub fn contact(mut self, id: impl Into<ContactId>) -> Self {
        self.contact = Some(id.into());
        self
    }

    /// Only entries in this automation (`filters[seriesid]=`).
    pub fn automation(mut self, id: impl Into<AutomationId>) -> Self {
        self.automation = Some(id.into());
        self
    }

    /// The query string pairs this query sends, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        if let Some(c) = self.contact {
            q.push(("filters[contact]".to_owned(), c.to_string()));
        }
        if let Some(a) = self.automation {
            q.push(("filters[seriesid]".to_owned(), a.to_string()));
        }
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(ContactAutomationQuery);

#[derive(Serialize)]
struct EntryInput {
    contact: ContactId,
    automation: AutomationId,
}

#[derive(Deserialize)]
struct AutomationEnvelope {
    automation: Automation,
}

#[derive(Deserialize)]
struct AutomationList {
    #[serde(default)]
    automations: Vec<Automation>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize)]
struct EntryEnvelope {
    #[serde(rename = "contactAutomation")]
    entry: ContactAutomation,
}

#[derive(Deserialize)]
struct EntryList {
    #[serde(rename = "contactAutomations", default)]
    entries: Vec<ContactAutomation>,
    #[serde(default)]
    meta: Meta,
}

/// The automations handler: `client.automations()`.
#[derive(Debug, Clone, Copy)]
pub struct Automations<'c> {
    client: &'c Client,
}

impl Client {
    /// Automations: listing, reading, and adding contacts to them or removing them.
    pub fn automations(&self) -> Automations<'_> {
        Automations { client: self }
    }
}

impl<'c> Automations<'c> {
    /// One page of automations (`GET /automations`).
    pub async fn list(&self, query: impl Borrow<AutomationQuery>) -> Result<Page<Automation>> {
        automations_page(self.client, query.borrow()).await
    }

    /// Every automation, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(
        &self,
        query: impl Borrow<AutomationQuery>,
    ) -> impl Stream<Item = Result<Automation>> + Send + 'static {
        query_stream(
            self.client,
            query.borrow().clone(),
            |client, q| async move { automations_page(&client, &q).await },
        )
    }

    /// Reads an automation (`GET /automations/{id}`).
    pub async fn get(&self, id: impl Into<AutomationId>) -> Result<Automation> {
        let req = ApiRequest::get(format!("automations/{}", id.into()));
        Ok(self
            .client
            .send::<AutomationEnvelope>(req)
            .await?
            .automation)
    }

    /// Puts a contact into an automation (`POST /contactAutomations`; never retried after a
    /// 5xx, as a second entry could start the automation twice).
    pub async fn add_contact(
        &self,
        contact: impl Into<ContactId>,
        automation: impl Into<AutomationId>,
    ) -> Result<ContactAutomation> {
        let input = EntryInput {
            contact: contact.into(),
            automation: automation.into(),
        };
        let req = ApiRequest::post("contactAutomations", &wrap("contactAutomation", &input)?)?;
        Ok(self.client.send::<EntryEnvelope>(req).await?.entry)
    }

    /// Reads a contact's entry in an automation (`GET /contactAutomations/{id}`).
    pub async fn entry(&self, id: impl Into<ContactAutomationId>) -> Result<ContactAutomation> {
        let req = ApiRequest::get(format!("contactAutomations/{}", id.into()));
        Ok(self.client.send::<EntryEnvelope>(req).await?.entry)
    }

    /// Takes a contact out of an automation by the entry's id (`DELETE /contactAutomations/{id}`).
    pub async fn remove_contact(&self, id: impl Into<ContactAutomationId>) -> Result<()> {
        self.client
            .send_empty(ApiRequest::delete(format!(
                "contactAutomations/{}",
                id.into()
            )))
            .await
    }

    /// One page of entries (`GET /contactAutomations`).
    pub async fn entries(
        &self,
        query: impl Borrow<ContactAutomationQuery>,
    ) -> Result<Page<ContactAutomation>> {
        entries_page(self.client, query.borrow()).await
    }

    /// Every entry matching `query`, fetched lazily.
    pub fn stream_entries(
        &self,
        query: impl Borrow<ContactAutomationQuery>,
    ) -> impl Stream<Item = Result<ContactAutomation>> + Send + 'static {
        query_stream(
            self.client,
            query.borrow().clone(),
            |client, q| async move { entries_page(&client, &q).await },
        )
    }

    /// The automations a contact is in (`GET /contacts/{id}/contactAutomations`).
    pub async fn of_contact(
        &self,
        contact: impl Into<ContactId>,
    ) -> Result<Vec<ContactAutomation>> {
        let req = ApiRequest::get(format!("contacts/{}/contactAutomations", contact.into()));
        Ok(self.client.send::<EntryList>(req).await?.entries)
    }
}

async fn automations_page(client: &Client, query: &AutomationQuery) -> Result<Page<Automation>> {
    let req = ApiRequest::get("automations").query(query.to_query()?);
    let list: AutomationList = client.send(req).await?;
    Ok(Page {
        items: list.automations,
        total: list.meta.total,
    })
}

async fn entries_page(
    client: &Client,
    query: &ContactAutomationQuery,
) -> Result<Page<ContactAutomation>> {
    let req = ApiRequest::get("contactAutomations").query(query.to_query()?);
    let list: EntryList = client.send(req).await?;
    Ok(Page {
        items: list.entries,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn models_read_ac_examples() {
        let e: ContactAutomation = serde_json::from_value(json!({
            "contact": "110", "seriesid": "2", "startid": "0", "status": "2", "batchid": null,
            "adddate": "2018-09-19T09:44:26-05:00", "lastdate": "2018-09-19T09:44:26-05:00",
            "completed": 1, "id": "2", "automation": "2"}))
        .unwrap();
        assert_eq!(
            (e.id, e.contact, e.automation),
            (ContactAutomationId(2), ContactId(110), AutomationId(2))
        );
        assert_eq!(e.status, Some(2));
        assert_eq!(e.extra["completed"], json!(1));
        let a: Automation = serde_json::from_value(json!({
            "name": "Email Subscription", "cdate": "2018-08-06T16:28:43-05:00", "status": 2,
            "entered": "3", "exited": "1", "hidden": "0", "id": "1"}))
        .unwrap();
        assert_eq!(
            (a.id, a.status, a.entered, a.exited),
            (AutomationId(1), Some(2), 3, 1)
        );
        let q = ContactAutomationQuery::new()
            .contact(5)
            .automation(2)
            .limit(10)
            .to_query()
            .unwrap();
        let s: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(s, ["filters[contact]=5", "filters[seriesid]=2", "limit=10"]);
    }
}
