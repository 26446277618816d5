//! Email activities (`/emailActivities`): emails of a contact or deal, including campaign
//! events where the server records them.

use std::borrow::Borrow;

use chrono::{DateTime, FixedOffset};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::{ContactId, DealId, EmailActivityId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};

/// An email activity as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailActivity {
    /// The activity's id.
    pub id: EmailActivityId,
    /// The contact (`subscriberid`).
    #[serde(
        rename = "subscriberid",
        default,
        deserialize_with = "crate::de::opt_u64"
    )]
    pub subscriber: Option<u64>,
    /// The deal (`d_id`; 0 for none).
    #[serde(rename = "d_id", default, deserialize_with = "crate::de::opt_u64")]
    pub deal: Option<u64>,
    /// What the activity relates to (`reltype`).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub reltype: String,
    /// The related record's id (`relid`).
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    pub relid: Option<u64>,
    /// The sender's name.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub from_name: String,
    /// The sender's address.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub from_address: String,
    /// The recipient.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub to_address: String,
    /// The subject.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub subject: String,
    /// When it happened.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub tstamp: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for EmailActivity {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// Filters and paging for `GET /emailActivities`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmailActivityQuery {
    contact: Option<ContactId>,
    deal: Option<DealId>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl EmailActivityQuery {
    /// Every email activity.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only this contact's (`filters[subscriberid]=`).
    pub fn contact(mut self, id: impl Into<ContactId>) -> Self {
        self.contact = Some(id.into());
        self
    }

    /// Only this deal's (`filters[dealId]=`).
    pub fn deal(mut self, id: impl Into<DealId>) -> Self {
        self.deal = Some(id.into());
        self
    }

    /// The query string pairs this query sends, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        if let Some(c) = self.contact {
            q.push(("filters[subscriberid]".to_owned(), c.to_string()));
        }
        if let Some(d) = self.deal {
            q.push(("filters[dealId]".to_owned(), d.to_string()));
        }
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(EmailActivityQuery);

#[derive(Deserialize)]
struct ActivityList {
    #[serde(rename = "emailActivities", default)]
    activities: Vec<EmailActivity>,
    #[serde(default)]
    meta: Meta,
}

/// The email activities handler: `client.email_activities()`.
#[derive(Debug, Clone, Copy)]
pub struct EmailActivities<'c> {
    client: &'c Client,
}

impl Client {
    /// Email activities: listing by contact or deal.
    pub fn email_activities(&self) -> EmailActivities<'_> {
        EmailActivities { client: self }
    }
}

impl<'c> EmailActivities<'c> {
    /// One page of email activities (`GET /emailActivities`).
    pub async fn list(
        &self,
        query: impl Borrow<EmailActivityQuery>,
    ) -> Result<Page<EmailActivity>> {
        list_page(self.client, query.borrow()).await
    }

    /// Every email activity matching `query`, fetched lazily (page size: the query's limit,
    /// or 100).
    pub fn stream(
        &self,
        query: impl Borrow<EmailActivityQuery>,
    ) -> impl Stream<Item = Result<EmailActivity>> + Send + 'static {
        query_stream(
            self.client,
            query.borrow().clone(),
            |client, q| async move { list_page(&client, &q).await },
        )
    }
}

async fn list_page(client: &Client, query: &EmailActivityQuery) -> Result<Page<EmailActivity>> {
    let req = ApiRequest::get("emailActivities").query(query.to_query()?);
    let list: ActivityList = client.send(req).await?;
    Ok(Page {
        items: list.activities,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_and_model() {
        let q = EmailActivityQuery::new()
            .contact(7)
            .deal(3)
            .limit(2)
            .to_query()
            .unwrap();
        let s: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            s,
            ["filters[subscriberid]=7", "filters[dealId]=3", "limit=2"]
        );
        let a: EmailActivity = serde_json::from_value(json!({
            "subscriberid": "7", "userid": "1", "d_id": "0", "reltype": "campaign",
            "relid": "2", "from_name": "Acme", "from_address": "news@acme.example",
            "to_address": "ada@example.com", "subject": "Hi",
            "tstamp": "2026-01-01T10:00:00-05:00", "event": "open", "id": "9"}))
        .unwrap();
        assert_eq!(
            (a.id, a.subscriber, a.relid),
            (EmailActivityId(9), Some(7), Some(2))
        );
        assert_eq!(a.to_address, "ada@example.com");
        assert!(a.tstamp.is_some());
        assert_eq!(a.extra["event"], json!("open"));
    }
}
