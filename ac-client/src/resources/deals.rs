//! Deals (reference §8.3).
//!
//! The value is in **cents** (an integer ≥ 0) and the currency a lower-case 3-letter code;
//! both are checked (and the currency lower-cased) before sending. Some deals come back
//! minimal (`{"title":…,"status":"0","id":"1","isDisabled":true}`, a permission or pipeline
//! restriction), so every field but the id is optional.

use crate::page::BoxStream;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::borrow::Borrow;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::ids::{AccountId, ContactId, DealId, PipelineId, StageId, UserId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};
use crate::resources::accounts::{lenient_fields, opt_id, CustomFieldValue};
use crate::resources::wrap;

/// A deal's status: 0 open, 1 won, 2 lost; anything else is kept in [`DealStatus::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DealStatus {
    /// `0`: open.
    Open,
    /// `1`: won.
    Won,
    /// `2`: lost.
    Lost,
    /// Any other value AC sends.
    Other(String),
}

impl DealStatus {
    /// The wire value (`0`, `1`, `2`, or the raw value).
    pub fn as_str(&self) -> &str {
        match self {
            DealStatus::Open => "0",
            DealStatus::Won => "1",
            DealStatus::Lost => "2",
            DealStatus::Other(s) => s,
        }
    }

    fn from_wire(s: &str) -> Self {
        match s.trim() {
            "0" => DealStatus::Open,
            "1" => DealStatus::Won,
            "2" => DealStatus::Lost,
            other => DealStatus::Other(other.to_owned()),
        }
    }
}

impl Serialize for DealStatus {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.as_str().parse::<i64>() {
            Ok(n) => s.serialize_i64(n),
            Err(_) => s.serialize_str(self.as_str()),
        }
    }
}

impl<'de> Deserialize<'de> for DealStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(DealStatus::from_wire(&crate::de::string_lenient(d)?))
    }
}

/// A deal as AC returns it. Only `id` is guaranteed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deal {
    /// The deal's id.
    pub id: DealId,
    /// Title.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub title: Option<String>,
    /// Value in cents (a number on create/update echoes, a string on GET).
    #[serde(default, deserialize_with = "crate::de::opt_i64")]
    pub value: Option<i64>,
    /// Lower-case 3-letter currency (`usd`).
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub currency: Option<String>,
    /// The primary contact.
    #[serde(default, deserialize_with = "opt_id")]
    pub contact: Option<ContactId>,
    /// The account.
    #[serde(default, deserialize_with = "opt_id")]
    pub account: Option<AccountId>,
    /// The owning user.
    #[serde(default, deserialize_with = "opt_id")]
    pub owner: Option<UserId>,
    /// The pipeline (`group`).
    #[serde(default, deserialize_with = "opt_id")]
    pub group: Option<PipelineId>,
    /// The stage.
    #[serde(default, deserialize_with = "opt_id")]
    pub stage: Option<StageId>,
    /// Open, won or lost.
    #[serde(default)]
    pub status: Option<DealStatus>,
    /// Win percentage.
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    pub percent: Option<u64>,
    /// Description.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub description: Option<String>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    ///
    /// AC's `cdate`.
    #[serde(rename = "cdate")]
    pub created: Option<DateTime<FixedOffset>>,
    /// Last modification time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub mdate: Option<DateTime<FixedOffset>>,
    /// `isDisabled`: true for the minimal, restricted deal shape.
    #[serde(
        rename = "isDisabled",
        default,
        deserialize_with = "crate::de::opt_bool"
    )]
    pub is_disabled: Option<bool>,
    /// Custom field values (`fields`), when AC includes them.
    #[serde(default, deserialize_with = "lenient_fields")]
    pub fields: Vec<CustomFieldValue>,
    /// Every other field AC sent (`links`, `hash`, `nextdealid`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for Deal {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// The body of a deal create or update: [`DealInput::new`] for a create (title required, and
/// a contact or an account), [`DealInput::update`] for an update that changes only what is set.
///
/// ```
/// use ac_client::deals::{DealInput, DealStatus};
///
/// let input = DealInput::new("Big deal")
///     .contact(1u64)
///     .value(10_000)
///     .currency("USD")
///     .status(DealStatus::Open);
/// let body = input.prepare_create()?;
/// assert_eq!(
///     serde_json::to_value(&body).unwrap(),
///     serde_json::json!({"title":"Big deal","contact":"1","value":10000,"currency":"usd","status":0})
/// );
/// assert!(DealInput::new("x").contact(1u64).value(-1).prepare_create().is_err());
/// assert!(DealInput::new("x").value(1).prepare_create().is_err()); // no contact or account
/// # Ok::<(), ac_client::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DealInput {
    /// Title (required to create).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The primary contact (a contact or an account is required to create).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactId>,
    /// The account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountId>,
    /// Value in cents, ≥ 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
    /// 3-letter currency; lower-cased before sending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The pipeline (`group`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<PipelineId>,
    /// The stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<StageId>,
    /// The owning user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<UserId>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Win percentage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<u8>,
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<DealStatus>,
    /// Custom field values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<CustomFieldValue>,
}

macro_rules! setter {
    ($(#[$m:meta])* $name:ident: $t:ty) => {
        $(#[$m])*
        pub fn $name(mut self, v: impl Into<$t>) -> Self {
            self.$name = Some(v.into());
            self
        }
    };
}

impl DealInput {
    /// A deal titled `title`.
    pub fn new(title: impl Into<String>) -> Self {
        DealInput {
            title: Some(title.into()),
            ..Self::default()
        }
    }

    /// An update that changes nothing yet.
    pub fn update() -> Self {
        Self::default()
    }

    setter!(
        /// Sets the title.
        title: String
    );
    setter!(
        /// Sets the primary contact.
        contact: ContactId
    );
    setter!(
        /// Sets the account.
        account: AccountId
    );
    setter!(
        /// Sets the value in cents (must be ≥ 0).
        value: i64
    );
    setter!(
        /// Sets the currency (3 letters; `USD` is sent as `usd`).
        currency: String
    );
    setter!(
        /// Sets the pipeline.
        group: PipelineId
    );
    setter!(
        /// Sets the stage.
        stage: StageId
    );
    setter!(
        /// Sets the owner.
        owner: UserId
    );
    setter!(
        /// Sets the description.
        description: String
    );
    setter!(
        /// Sets the win percentage.
        percent: u8
    );
    setter!(
        /// Sets the status.
        status: DealStatus
    );

    /// Adds a custom field value.
    pub fn field(mut self, v: CustomFieldValue) -> Self {
        self.fields.push(v);
        self
    }

    /// Validates for a create and returns the body to send (currency lower-cased).
    pub fn prepare_create(&self) -> Result<DealInput> {
        match &self.title {
            Some(t) if !t.trim().is_empty() => {}
            _ => return Err(Error::invalid("title", "a deal needs a title")),
        }
        if self.contact.is_none() && self.account.is_none() {
            return Err(Error::invalid(
                "contact",
                "a deal needs a contact or an account",
            ));
        }
        self.prepare_update()
    }

    /// Validates for an update and returns the body to send (currency lower-cased).
    pub fn prepare_update(&self) -> Result<DealInput> {
        let mut out = self.clone();
        if let Some(t) = &self.title {
            if t.trim().is_empty() {
                return Err(Error::invalid("title", "must not be empty"));
            }
        }
        if let Some(v) = self.value {
            if v < 0 {
                return Err(Error::invalid(
                    "value",
                    format!("the value is in cents and must be ≥ 0, got {v}"),
                ));
            }
        }
        if let Some(p) = self.percent {
            if p > 100 {
                return Err(Error::invalid(
                    "percent",
                    format!("must be 0 to 100, got {p}"),
                ));
            }
        }
        if let Some(c) = &self.currency {
            out.currency = Some(normalize_currency(c)?);
        }
        Ok(out)
    }
}

/// Checks and lower-cases a currency code: `"USD"` → `"usd"`; anything but 3 ASCII letters is
/// refused.
pub fn normalize_currency(code: &str) -> Result<String> {
    let c = code.trim();
    if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) {
        Ok(c.to_ascii_lowercase())
    } else {
        Err(Error::invalid(
            "currency",
            format!("`{code}` is not a 3-letter currency code (e.g. usd)"),
        ))
    }
}

/// Filters and paging for `GET /deals` (`filters[...]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DealQuery {
    filters: Vec<(&'static str, String)>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl DealQuery {
    /// Every deal.
    pub fn new() -> Self {
        Self::default()
    }

    fn filter(mut self, key: &'static str, v: String) -> Self {
        self.filters.retain(|(k, _)| *k != key);
        self.filters.push((key, v));
        self
    }

    /// Title, contact or organisation contains `text` (`filters[search]`).
    pub fn search(self, text: impl Into<String>) -> Self {
        self.filter("search", text.into())
    }

    /// By title (`filters[title]`).
    pub fn title(self, text: impl Into<String>) -> Self {
        self.filter("title", text.into())
    }

    /// In a stage (`filters[stage]`).
    pub fn stage(self, id: impl Into<StageId>) -> Self {
        self.filter("stage", id.into().to_string())
    }

    /// In a pipeline (`filters[group]`).
    pub fn group(self, id: impl Into<PipelineId>) -> Self {
        self.filter("group", id.into().to_string())
    }

    /// With a status (`filters[status]`).
    pub fn status(self, s: DealStatus) -> Self {
        self.filter("status", s.as_str().to_owned())
    }

    /// Owned by (`filters[owner]`).
    pub fn owner(self, id: impl Into<UserId>) -> Self {
        self.filter("owner", id.into().to_string())
    }

    /// The query string pairs, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q: Vec<(String, String)> = self
            .filters
            .iter()
            .map(|(k, v)| (format!("filters[{k}]"), v.clone()))
            .collect();
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(DealQuery);

#[derive(Deserialize)]
struct DealEnvelope {
    deal: Deal,
}

#[derive(Deserialize)]
struct DealList {
    #[serde(default)]
    deals: Vec<Deal>,
    #[serde(default)]
    meta: Meta,
}

/// The deals handler: `client.deals()`.
#[derive(Debug, Clone, Copy)]
pub struct Deals<'c> {
    client: &'c Client,
}

impl Client {
    /// Deals: CRUD, list and stream.
    pub fn deals(&self) -> Deals<'_> {
        Deals { client: self }
    }
}

impl<'c> Deals<'c> {
    /// Creates a deal (`POST /deals`, 201). Validated first ([`DealInput::prepare_create`]).
    /// Never retried after a 5xx.
    pub async fn create(&self, input: impl Borrow<DealInput>) -> Result<Deal> {
        let input: &DealInput = input.borrow();
        let body = input.prepare_create()?;
        let req = ApiRequest::post("deals", &wrap("deal", &body)?)?;
        Ok(self.client.send::<DealEnvelope>(req).await?.deal)
    }

    /// Reads a deal (`GET /deals/{id}`).
    pub async fn get(&self, id: impl Into<DealId>) -> Result<Deal> {
        let id: DealId = id.into();
        let req = ApiRequest::get(format!("deals/{id}"));
        Ok(self.client.send::<DealEnvelope>(req).await?.deal)
    }

    /// Changes what `input` sets (`PUT /deals/{id}`).
    pub async fn update(
        &self,
        id: impl Into<DealId>,
        input: impl Borrow<DealInput>,
    ) -> Result<Deal> {
        let id: DealId = id.into();
        let input: &DealInput = input.borrow();
        let body = input.prepare_update()?;
        let req = ApiRequest::put(format!("deals/{id}"), &wrap("deal", &body)?)?;
        Ok(self.client.send::<DealEnvelope>(req).await?.deal)
    }

    /// Deletes a deal (`DELETE /deals/{id}`).
    pub async fn delete(&self, id: impl Into<DealId>) -> Result<()> {
        let id: DealId = id.into();
        self.client
            .send_empty(ApiRequest::delete(format!("deals/{id}")))
            .await
    }

    /// One page of deals (`GET /deals`; `meta.total` is a number here).
    pub async fn list(&self, query: impl Borrow<DealQuery>) -> Result<Page<Deal>> {
        let query: &DealQuery = query.borrow();
        deal_page(self.client, query).await
    }

    /// Every deal matching `query`, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(&self, query: impl Borrow<DealQuery>) -> BoxStream<Deal> {
        let query: DealQuery = query.borrow().clone();
        query_stream(self.client, query, |client, q| async move {
            deal_page(&client, &q).await
        })
    }
}

async fn deal_page(client: &Client, query: &DealQuery) -> Result<Page<Deal>> {
    let req = ApiRequest::get("deals").query(query.to_query()?);
    let list: DealList = client.send(req).await?;
    Ok(Page {
        items: list.deals,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn minimal_and_full_deal_shapes() {
        let env: DealEnvelope = serde_json::from_value(
            json!({"deal":{"title":"Nango Deal 1","status":"0","id":"1","isDisabled":true}}),
        )
        .unwrap();
        assert_eq!(env.deal.id, DealId(1));
        assert_eq!(env.deal.status, Some(DealStatus::Open));
        assert_eq!(env.deal.is_disabled, Some(true));
        assert_eq!(env.deal.value, None);
        let env: DealEnvelope = serde_json::from_value(json!({"deal":{"title":"Nango Test Deal","value":10000,
            "currency":"usd","contact":"1","owner":"1","group":"4","stage":"10",
            "cdate":"2026-05-28T04:05:28-05:00","mdate":"2026-05-28T04:05:28-05:00","description":"",
            "organization":null,"status":0,"nextdate":null,"nextdealid":"0","hash":"b7d0a729",
            "winProbability":null,"links":{},"fields":[],"customFieldSaveStatus":{"status":"success"},
            "id":"15","isDisabled":false,"account":null,"customerAccount":null}}))
        .unwrap();
        let d = env.deal;
        assert_eq!(d.value, Some(10000));
        assert_eq!(d.contact, Some(ContactId(1)));
        assert_eq!(d.account, None);
        assert_eq!(d.group, Some(PipelineId(4)));
        assert_eq!(d.stage, Some(StageId(10)));
        assert_eq!(DealStatus::from_wire("7"), DealStatus::Other("7".into()));
        assert_eq!(serde_json::to_value(DealStatus::Lost).unwrap(), json!(2));
    }

    #[test]
    fn currency_rules() {
        assert_eq!(normalize_currency("USD").unwrap(), "usd");
        assert_eq!(normalize_currency(" eur ").unwrap(), "eur");
        for bad in ["US", "USDX", "U5D", "", "€€€"] {
            assert_eq!(
                normalize_currency(bad).unwrap_err().field(),
                Some("currency"),
                "{bad}"
            );
        }
    }

    #[test]
    fn create_validation() {
        assert_eq!(
            DealInput::update()
                .contact(1u64)
                .prepare_create()
                .unwrap_err()
                .field(),
            Some("title")
        );
        DealInput::new("t").account(1u64).prepare_create().unwrap();
        assert_eq!(
            DealInput::update()
                .percent(101u8)
                .prepare_update()
                .unwrap_err()
                .field(),
            Some("percent")
        );
    }
}
