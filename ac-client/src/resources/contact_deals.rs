//! A contact's role on a deal (`/contactDeals`): associate, list, read, change the role,
//! remove. Rows go with their contact or deal.

use std::borrow::Borrow;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::{ContactDealId, ContactId, DealId};
use crate::page::{query_stream, BoxStream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};
use crate::resources::wrap;

/// A contact ↔ deal association as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactDeal {
    /// The association's id.
    pub id: ContactDealId,
    /// The contact.
    pub contact: ContactId,
    /// The deal.
    pub deal: DealId,
    /// The contact's role id on the deal (0: none), when AC includes it.
    #[serde(default, deserialize_with = "crate::de::opt_u64")]
    pub role: Option<u64>,
    /// Creation time, when AC includes it.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub cdate: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent (`udate`, `links`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for ContactDeal {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// The body of an association create ([`ContactDealInput::new`]) or role change
/// ([`ContactDealInput::update`]).
///
/// ```
/// use ac_client::contact_deals::ContactDealInput;
///
/// let input = ContactDealInput::new(1u64, 2u64).role(3);
/// assert_eq!(
///     serde_json::to_value(&input).unwrap(),
///     serde_json::json!({"contact":"1","deal":"2","role":"3"})
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContactDealInput {
    /// The contact (create only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactId>,
    /// The deal (create only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deal: Option<DealId>,
    /// The role id, sent as AC's string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl ContactDealInput {
    /// A new association of this contact with this deal.
    pub fn new(contact: impl Into<ContactId>, deal: impl Into<DealId>) -> Self {
        ContactDealInput {
            contact: Some(contact.into()),
            deal: Some(deal.into()),
            role: None,
        }
    }

    /// A change that sends only what is set.
    pub fn update() -> Self {
        Self::default()
    }

    /// Sets the role id.
    pub fn role(mut self, role: u64) -> Self {
        self.role = Some(role.to_string());
        self
    }
}

/// Filters and paging for `GET /contactDeals`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactDealQuery {
    contact: Option<ContactId>,
    deal: Option<DealId>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl ContactDealQuery {
    /// Every association.
    pub fn new() -> Self {
        Self::default()
    }

    /// The associations of one contact (`filters[contact]`).
    pub fn contact(mut self, id: impl Into<ContactId>) -> Self {
        self.contact = Some(id.into());
        self
    }

    /// The associations of one deal (`filters[deal]`).
    pub fn deal(mut self, id: impl Into<DealId>) -> Self {
        self.deal = Some(id.into());
        self
    }

    /// The query string pairs this query sends, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        if let Some(c) = self.contact {
            q.push(("filters[contact]".to_string(), c.to_string()));
        }
        if let Some(d) = self.deal {
            q.push(("filters[deal]".to_string(), d.to_string()));
        }
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(ContactDealQuery);

#[derive(Deserialize)]
struct ContactDealEnvelope {
    #[serde(rename = "contactDeal")]
    contact_deal: ContactDeal,
}

#[derive(Deserialize)]
struct ContactDealList {
    #[serde(rename = "contactDeals")]
    contact_deals: Vec<ContactDeal>,
    #[serde(default)]
    meta: Meta,
}

/// The contact-deal handler: `client.contact_deals()`.
#[derive(Debug, Clone, Copy)]
pub struct ContactDeals<'c> {
    client: &'c Client,
}

impl Client {
    /// Contacts' roles on deals: CRUD, list and stream.
    pub fn contact_deals(&self) -> ContactDeals<'_> {
        ContactDeals { client: self }
    }
}

impl ContactDeals<'_> {
    /// Associates a contact with a deal (`POST /contactDeals`, 201; never retried after a 5xx).
    pub async fn create(&self, input: impl Borrow<ContactDealInput>) -> Result<ContactDeal> {
        let req = ApiRequest::post("contactDeals", &wrap("contactDeal", input.borrow())?)?;
        self.one(req).await
    }

    /// Reads an association (`GET /contactDeals/{id}`).
    pub async fn get(&self, id: impl Into<ContactDealId>) -> Result<ContactDeal> {
        self.one(ApiRequest::get(format!("contactDeals/{}", id.into())))
            .await
    }

    /// Changes what `input` sets (`PUT /contactDeals/{id}`).
    pub async fn update(
        &self,
        id: impl Into<ContactDealId>,
        input: impl Borrow<ContactDealInput>,
    ) -> Result<ContactDeal> {
        let body = wrap("contactDeal", input.borrow())?;
        let req = ApiRequest::put(format!("contactDeals/{}", id.into()), &body)?;
        self.one(req).await
    }

    /// Removes an association (`DELETE /contactDeals/{id}`).
    pub async fn delete(&self, id: impl Into<ContactDealId>) -> Result<()> {
        let req = ApiRequest::delete(format!("contactDeals/{}", id.into()));
        self.client.send_empty(req).await
    }

    /// One page of associations (`GET /contactDeals`).
    pub async fn list(&self, query: impl Borrow<ContactDealQuery>) -> Result<Page<ContactDeal>> {
        contact_deal_page(self.client, query.borrow()).await
    }

    /// Every association matching `query`, fetched lazily (page size: the query's limit, or
    /// 100).
    pub fn stream(&self, query: impl Borrow<ContactDealQuery>) -> BoxStream<ContactDeal> {
        query_stream(
            self.client,
            query.borrow().clone(),
            |client, q| async move { contact_deal_page(&client, &q).await },
        )
    }

    async fn one(&self, req: ApiRequest) -> Result<ContactDeal> {
        Ok(self
            .client
            .send::<ContactDealEnvelope>(req)
            .await?
            .contact_deal)
    }
}

async fn contact_deal_page(client: &Client, query: &ContactDealQuery) -> Result<Page<ContactDeal>> {
    let req = ApiRequest::get("contactDeals").query(query.to_query()?);
    let list: ContactDealList = client.send(req).await?;
    Ok(Page {
        items: list.contact_deals,
        total: list.meta.total,
    })
}
