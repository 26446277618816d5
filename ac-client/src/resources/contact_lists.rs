//! Every contact ↔ list membership of the account (`GET /contactLists`), filtered by contact,
//! list and status. To subscribe or unsubscribe, use [`Lists`](crate::lists::Lists).

use std::borrow::Borrow;

use futures_util::Stream;
use serde::Deserialize;

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::{ContactId, ListId};
use crate::lists::{ContactList, MembershipStatus};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};

impl Identified for ContactList {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// Filters and paging for `GET /contactLists` (`filters[contact]`, `filters[list]`,
/// `filters[status]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContactListQuery {
    contact: Option<ContactId>,
    list: Option<ListId>,
    status: Option<MembershipStatus>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl ContactListQuery {
    /// Every membership.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only this contact's memberships.
    pub fn contact(mut self, contact: impl Into<ContactId>) -> Self {
        self.contact = Some(contact.into());
        self
    }

    /// Only memberships of this list.
    pub fn list(mut self, list: impl Into<ListId>) -> Self {
        self.list = Some(list.into());
        self
    }

    /// Only memberships with this status (e.g. [`MembershipStatus::Unsubscribed`]).
    pub fn status(mut self, status: MembershipStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// The query string pairs this query sends, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        if let Some(c) = self.contact {
            q.push(("filters[contact]".to_owned(), c.to_string()));
        }
        if let Some(l) = self.list {
            q.push(("filters[list]".to_owned(), l.to_string()));
        }
        if let Some(s) = self.status {
            q.push(("filters[status]".to_owned(), s.as_i64().to_string()));
        }
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(ContactListQuery);

#[derive(Deserialize)]
struct ContactListPage {
    #[serde(rename = "contactLists", default)]
    contact_lists: Vec<ContactList>,
    #[serde(default)]
    meta: Meta,
}

/// The memberships handler: `client.contact_lists()`.
#[derive(Debug, Clone, Copy)]
pub struct ContactLists<'c> {
    client: &'c Client,
}

impl Client {
    /// Every contact ↔ list membership, filtered (`GET /contactLists`).
    pub fn contact_lists(&self) -> ContactLists<'_> {
        ContactLists { client: self }
    }
}

impl<'c> ContactLists<'c> {
    /// One page of memberships (`GET /contactLists`).
    pub async fn list(&self, query: impl Borrow<ContactListQuery>) -> Result<Page<ContactList>> {
        list_page(self.client, query.borrow()).await
    }

    /// Every membership matching `query`, fetched lazily (page size: the query's limit, or
    /// 100).
    pub fn stream(
        &self,
        query: impl Borrow<ContactListQuery>,
    ) -> impl Stream<Item = Result<ContactList>> + Send + 'static {
        query_stream(self.client, *query.borrow(), |client, q| async move {
            list_page(&client, &q).await
        })
    }

    /// The membership of one contact on one list, if any.
    pub async fn find(
        &self,
        contact: impl Into<ContactId>,
        list: impl Into<ListId>,
    ) -> Result<Option<ContactList>> {
        let query = ContactListQuery::new().contact(contact).list(list);
        Ok(self.list(query).await?.items.into_iter().next())
    }
}

async fn list_page(client: &Client, query: &ContactListQuery) -> Result<Page<ContactList>> {
    let req = ApiRequest::get("contactLists").query(query.to_query()?);
    let page: ContactListPage = client.send(req).await?;
    Ok(Page {
        items: page.contact_lists,
        total: page.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn query_sends_acs_filters() {
        let q = ContactListQuery::new()
            .contact(7u64)
            .list(2u64)
            .status(MembershipStatus::Unsubscribed)
            .limit(50)
            .offset(100);
        let pairs: Vec<String> = q
            .to_query()
            .unwrap()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            pairs,
            [
                "filters[contact]=7",
                "filters[list]=2",
                "filters[status]=2",
                "limit=50",
                "offset=100"
            ]
        );
        assert!(ContactListQuery::new().limit(0).to_query().is_err());
    }
}
