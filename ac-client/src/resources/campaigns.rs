//! Campaigns and their tracked links (`/campaigns`, `/campaigns/{id}/links`, `/links`).
//!
//! Campaigns are read-only here: AC's v3 API lists them and reports their counters (sends,
//! opens, clicks, bounces, unsubscribes).

use std::borrow::Borrow;

use chrono::{DateTime, FixedOffset};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::{AutomationId, CampaignId, LinkId, MessageId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging, Direction};

/// A campaign as AC returns it, with its counters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Campaign {
    /// The campaign's id.
    pub id: CampaignId,
    /// The campaign's name.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub name: String,
    /// `single`, `recurring`, `split`, `responder`, `reminder`, `special`, `activerss`,
    /// `text`...
    #[serde(
        rename = "type",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub campaign_type: String,
    /// AC's status code: 0 draft, 1 scheduled, 2 sending, 3 paused, 4 stopped, 5 completed.
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    pub status: Option<u64>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub cdate: Option<DateTime<FixedOffset>>,
    /// Last change.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub mdate: Option<DateTime<FixedOffset>>,
    /// When it was (first) sent.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub sdate: Option<DateTime<FixedOffset>>,
    /// When it was last sent.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub ldate: Option<DateTime<FixedOffset>>,
    /// Messages sent (`send_amt`).
    #[serde(default, deserialize_with = "crate::de::u64_lenient")]
    pub send_amt: u64,
    /// Opens, counting repeats.
    #[serde(default, deserialize_with = "crate::de::u64_lenient")]
    pub opens: u64,
    /// Contacts that opened.
    #[serde(
        rename = "uniqueopens",
        default,
        deserialize_with = "crate::de::u64_lenient"
    )]
    pub unique_opens: u64,
    /// Link clicks, counting repeats.
    #[serde(
        rename = "linkclicks",
        default,
        deserialize_with = "crate::de::u64_lenient"
    )]
    pub link_clicks: u64,
    /// Unique link clicks.
    #[serde(
        rename = "uniquelinkclicks",
        default,
        deserialize_with = "crate::de::u64_lenient"
    )]
    pub unique_link_clicks: u64,
    /// Contacts that clicked.
    #[serde(
        rename = "subscriberclicks",
        default,
        deserialize_with = "crate::de::u64_lenient"
    )]
    pub subscriber_clicks: u64,
    /// Forwards.
    #[serde(default, deserialize_with = "crate::de::u64_lenient")]
    pub forwards: u64,
    /// Hard bounces.
    #[serde(
        rename = "hardbounces",
        default,
        deserialize_with = "crate::de::u64_lenient"
    )]
    pub hard_bounces: u64,
    /// Soft bounces.
    #[serde(
        rename = "softbounces",
        default,
        deserialize_with = "crate::de::u64_lenient"
    )]
    pub soft_bounces: u64,
    /// Unsubscribes.
    #[serde(default, deserialize_with = "crate::de::u64_lenient")]
    pub unsubscribes: u64,
    /// Unsubscribes that gave a reason.
    #[serde(
        rename = "unsubreasons",
        default,
        deserialize_with = "crate::de::u64_lenient"
    )]
    pub unsub_reasons: u64,
    /// The automation that sends it (`seriesid`; 0 for none).
    #[serde(rename = "seriesid", default, deserialize_with = "crate::de::opt_u64")]
    pub series_id: Option<u64>,
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for Campaign {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// A tracked link of a campaign (`/campaigns/{id}/links`, `/links`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignLink {
    /// The link's id.
    pub id: LinkId,
    /// The campaign (`campaignid`).
    #[serde(
        rename = "campaignid",
        default,
        deserialize_with = "crate::de::opt_u64"
    )]
    pub campaign: Option<u64>,
    /// The message (`messageid`; 0 for none).
    #[serde(rename = "messageid", default, deserialize_with = "crate::de::opt_u64")]
    pub message: Option<u64>,
    /// The URL, or `open` for the read tracker.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub link: String,
    /// The link's name.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub name: String,
    /// Clicks on it, counting repeats (when AC reports them).
    #[serde(
        rename = "linkclicks",
        default,
        deserialize_with = "crate::de::opt_u64"
    )]
    pub link_clicks: Option<u64>,
    /// Contacts that clicked it (when AC reports them).
    #[serde(
        rename = "uniqueclicks",
        default,
        deserialize_with = "crate::de::opt_u64"
    )]
    pub unique_clicks: Option<u64>,
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for CampaignLink {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// What `GET /campaigns` can order by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CampaignOrder {
    /// `orders[sdate]`: send date.
    SendDate,
    /// `orders[ldate]`: last send date.
    LastSendDate,
}

impl CampaignOrder {
    fn key(self) -> &'static str {
        match self {
            CampaignOrder::SendDate => "orders[sdate]",
            CampaignOrder::LastSendDate => "orders[ldate]",
        }
    }
}

/// Filters, order and paging for `GET /campaigns`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignQuery {
    series: Option<AutomationId>,
    orders: Vec<(CampaignOrder, Direction)>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl CampaignQuery {
    /// Every campaign.
    pub fn new() -> Self {
        Self::default()
    }

    /// Campaigns sent by this automation (`filters[seriesid]=`).
    pub fn automation(mut self, id: impl Into<AutomationId>) -> Self {
        self.series = Some(id.into());
        self
    }

    /// Adds a sort key (`orders[sdate]=` / `orders[ldate]=`).
    pub fn order(mut self, by: CampaignOrder, dir: Direction) -> Self {
        self.orders.push((by, dir));
        self
    }

    /// The query string pairs this query sends, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        if let Some(s) = self.series {
            q.push(("filters[seriesid]".to_owned(), s.to_string()));
        }
        for (by, dir) in &self.orders {
            q.push((by.key().to_owned(), dir.as_str().to_owned()));
        }
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(CampaignQuery);

/// Paging for `GET /links`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkQuery {
    limit: Option<u32>,
    offset: Option<u64>,
}

impl LinkQuery {
    /// Every link.
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

paged_query!(LinkQuery);

#[derive(Deserialize)]
struct CampaignEnvelope {
    campaign: Campaign,
}

#[derive(Deserialize)]
struct CampaignList {
    #[serde(default)]
    campaigns: Vec<Campaign>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize)]
struct LinkEnvelope {
    link: CampaignLink,
}

#[derive(Deserialize)]
struct LinkList {
    #[serde(default)]
    links: Vec<CampaignLink>,
    #[serde(default)]
    meta: Meta,
}

/// The campaigns handler: `client.campaigns()`.
#[derive(Debug, Clone, Copy)]
pub struct Campaigns<'c> {
    client: &'c Client,
}

impl Client {
    /// Campaigns: listing, reading, and their tracked links.
    pub fn campaigns(&self) -> Campaigns<'_> {
        Campaigns { client: self }
    }
}

impl<'c> Campaigns<'c> {
    /// One page of campaigns (`GET /campaigns`).
    pub async fn list(&self, query: impl Borrow<CampaignQuery>) -> Result<Page<Campaign>> {
        list_page(self.client, query.borrow()).await
    }

    /// Every campaign matching `query`, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(
        &self,
        query: impl Borrow<CampaignQuery>,
    ) -> impl Stream<Item = Result<Campaign>> + Send + 'static {
        query_stream(
            self.client,
            query.borrow().clone(),
            |client, q| async move { list_page(&client, &q).await },
        )
    }

    /// Reads a campaign (`GET /campaigns/{id}`).
    pub async fn get(&self, id: impl Into<CampaignId>) -> Result<Campaign> {
        let req = ApiRequest::get(format!("campaigns/{}", id.into()));
        Ok(self.client.send::<CampaignEnvelope>(req).await?.campaign)
    }

    /// The tracked links of a campaign (`GET /campaigns/{id}/links`).
    pub async fn links(&self, id: impl Into<CampaignId>) -> Result<Vec<CampaignLink>> {
        let req = ApiRequest::get(format!("campaigns/{}/links", id.into()));
        Ok(self.client.send::<LinkList>(req).await?.links)
    }

    /// One page of every campaign's links (`GET /links`).
    pub async fn all_links(&self, query: impl Borrow<LinkQuery>) -> Result<Page<CampaignLink>> {
        links_page(self.client, query.borrow()).await
    }

    /// Every link of every campaign, fetched lazily.
    pub fn stream_links(
        &self,
        query: impl Borrow<LinkQuery>,
    ) -> impl Stream<Item = Result<CampaignLink>> + Send + 'static {
        query_stream(
            self.client,
            query.borrow().clone(),
            |client, q| async move { links_page(&client, &q).await },
        )
    }

    /// Reads a link (`GET /links/{id}`).
    pub async fn link(&self, id: impl Into<LinkId>) -> Result<CampaignLink> {
        let req = ApiRequest::get(format!("links/{}", id.into()));
        Ok(self.client.send::<LinkEnvelope>(req).await?.link)
    }
}

impl CampaignLink {
    /// The link's message, if any (`messageid` other than 0).
    pub fn message_id(&self) -> Option<MessageId> {
        self.message.filter(|m| *m > 0).map(MessageId)
    }
}

async fn list_page(client: &Client, query: &CampaignQuery) -> Result<Page<Campaign>> {
    let req = ApiRequest::get("campaigns").query(query.to_query()?);
    let list: CampaignList = client.send(req).await?;
    Ok(Page {
        items: list.campaigns,
        total: list.meta.total,
    })
}

async fn links_page(client: &Client, query: &LinkQuery) -> Result<Page<CampaignLink>> {
    let req = ApiRequest::get("links").query(query.to_query()?);
    let list: LinkList = client.send(req).await?;
    Ok(Page {
        items: list.links,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_serializes() {
        let q = CampaignQuery::new()
            .automation(4)
            .order(CampaignOrder::SendDate, Direction::Desc)
            .order(CampaignOrder::LastSendDate, Direction::Asc)
            .limit(10)
            .offset(20)
            .to_query()
            .unwrap();
        let s: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            s,
            [
                "filters[seriesid]=4",
                "orders[sdate]=DESC",
                "orders[ldate]=ASC",
                "limit=10",
                "offset=20"
            ]
        );
        assert!(CampaignQuery::new().limit(101).to_query().is_err());
    }

    #[test]
    fn campaign_model_reads_string_counters() {
        let c: Campaign = serde_json::from_value(json!({
            "type": "single", "name": "Opt In Email", "status": "5", "seriesid": "0",
            "cdate": "2018-08-17T13:47:31-05:00", "sdate": null, "send_amt": "12",
            "opens": "3", "uniqueopens": "2", "linkclicks": "4", "uniquelinkclicks": "3",
            "subscriberclicks": "2", "hardbounces": "1", "softbounces": "1",
            "unsubscribes": "1", "unsubreasons": "1", "public": "1", "id": "1"}))
        .unwrap();
        assert_eq!(c.id, CampaignId(1));
        assert_eq!(c.campaign_type, "single");
        assert_eq!(
            (c.status, c.send_amt, c.opens, c.unique_opens),
            (Some(5), 12, 3, 2)
        );
        assert_eq!(
            (c.link_clicks, c.unique_link_clicks, c.subscriber_clicks),
            (4, 3, 2)
        );
        assert_eq!((c.hard_bounces, c.soft_bounces), (1, 1));
        assert_eq!((c.unsubscribes, c.unsub_reasons), (1, 1));
        assert!(c.sdate.is_none());
        assert_eq!(c.extra["public"], json!("1"));
    }

    #[test]
    fn link_model_reads_ac_example() {
        let l: CampaignLink = serde_json::from_value(json!({
            "campaignid": "1", "messageid": "0", "link": "open", "name": "Read Tracker",
            "ref": "", "tracked": "1", "id": "2", "campaign": "1", "message": null}))
        .unwrap();
        assert_eq!(
            (l.id, l.campaign, l.link.as_str()),
            (LinkId(2), Some(1), "open")
        );
        assert_eq!(l.message_id(), None);
        assert_eq!(l.link_clicks, None);
    }
}
