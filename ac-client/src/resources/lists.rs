//! Lists and contact ↔ list memberships (reference §4).

use crate::page::BoxStream;
use chrono::{DateTime, FixedOffset};
use futures_util::TryStreamExt;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use serde_with::BoolFromInt;
use std::borrow::Borrow;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::ids::{ContactId, ContactListId, ListId, UserId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging, FilterOp};
use crate::resources::{require_text, wrap};

/// A mailing list as AC returns it. AC sends ~50 attributes; the common ones are typed and
/// the rest kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct List {
    /// The list's id.
    pub id: ListId,
    /// Name.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub name: String,
    /// URL-safe slug.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    ///
    /// AC's `stringid`.
    #[serde(rename = "stringid")]
    pub slug: String,
    /// The sender's website.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub sender_url: String,
    /// Why contacts receive this list's emails.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub sender_reminder: String,
    /// `email` or `sms`.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub channel: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub description: Option<String>,
    /// Owner user id (`user`; a number on create, a string on GET).
    #[serde(default, deserialize_with = "opt_user")]
    pub user: Option<UserId>,
    /// Creation time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    ///
    /// AC's `cdate`.
    #[serde(rename = "cdate")]
    pub created: Option<DateTime<FixedOffset>>,
    /// Last update time.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    ///
    /// AC's `udate`.
    #[serde(rename = "udate")]
    pub updated: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn opt_user<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<UserId>, D::Error> {
    Ok(crate::de::opt_u64(d)?.map(UserId))
}

impl Identified for List {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// A list's channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListChannel {
    /// `email`.
    Email,
    /// `sms`.
    Sms,
}

impl Serialize for ListChannel {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            ListChannel::Email => "email",
            ListChannel::Sms => "sms",
        })
    }
}

/// The body of a list create or update: `ListInput::new(name)` plus setters.
///
/// AC requires a slug, a sender URL and a sender reminder: the slug defaults to one derived
/// from the name (`"Weekly News"` → `weekly-news`); the sender URL and reminder must be set.
///
/// ```
/// use ac_client::lists::ListInput;
///
/// let input = ListInput::new("Weekly News")
///     .sender_url("https://example.com")
///     .sender_reminder("You signed up on example.com");
/// assert_eq!(input.slug, "weekly-news");
/// assert!(input.validate().is_ok());
/// assert_eq!(ListInput::new("Weekly News").validate().unwrap_err().field(), Some("sender_url"));
/// ```
#[serde_with::serde_as]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListInput {
    /// Name (required).
    pub name: String,
    /// URL-safe slug (required): letters, digits, `-` and `_`.
    ///
    /// AC's `stringid`.
    #[serde(rename = "stringid")]
    pub slug: String,
    /// The sender's website (required).
    pub sender_url: String,
    /// Why contacts receive the emails (required).
    pub sender_reminder: String,
    /// Send the last broadcast to new subscribers (sent as 0/1).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde_as(as = "Option<BoolFromInt>")]
    pub send_last_broadcast: Option<bool>,
    /// Comma-separated emails copied on every campaign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carboncopy: Option<String>,
    /// Comma-separated emails notified of subscriptions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_notify: Option<String>,
    /// Comma-separated emails notified of unsubscriptions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unsubscription_notify: Option<String>,
    /// Owner user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserId>,
    /// Channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<ListChannel>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl ListInput {
    /// A list named `name`, its slug derived from the name (see [`ListInput::slug`]).
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        ListInput {
            slug: slugify(&name),
            name,
            sender_url: String::new(),
            sender_reminder: String::new(),
            send_last_broadcast: None,
            carboncopy: None,
            subscription_notify: None,
            unsubscription_notify: None,
            user: None,
            channel: None,
            description: None,
        }
    }

    /// The URL-safe slug (AC's `stringid`; letters, digits, `-`, `_`), instead of the one
    /// derived from the name.
    pub fn slug(mut self, v: impl Into<String>) -> Self {
        self.slug = v.into();
        self
    }

    /// The sender's website (AC's `sender_url`; required).
    pub fn sender_url(mut self, v: impl Into<String>) -> Self {
        self.sender_url = v.into();
        self
    }

    /// Why contacts receive the emails (AC's `sender_reminder`; required).
    pub fn sender_reminder(mut self, v: impl Into<String>) -> Self {
        self.sender_reminder = v.into();
        self
    }

    /// Send the last broadcast to new subscribers.
    pub fn send_last_broadcast(mut self, v: bool) -> Self {
        self.send_last_broadcast = Some(v);
        self
    }

    /// Emails copied on every campaign (comma-separated).
    pub fn carboncopy(mut self, v: impl Into<String>) -> Self {
        self.carboncopy = Some(v.into());
        self
    }

    /// Emails notified of subscriptions (comma-separated).
    pub fn subscription_notify(mut self, v: impl Into<String>) -> Self {
        self.subscription_notify = Some(v.into());
        self
    }

    /// Emails notified of unsubscriptions (comma-separated).
    pub fn unsubscription_notify(mut self, v: impl Into<String>) -> Self {
        self.unsubscription_notify = Some(v.into());
        self
    }

    /// Owner user.
    pub fn user(mut self, v: impl Into<UserId>) -> Self {
        let v: UserId = v.into();
        self.user = Some(v);
        self
    }

    /// Channel.
    pub fn channel(mut self, v: ListChannel) -> Self {
        self.channel = Some(v);
        self
    }

    /// Description.
    pub fn description(mut self, v: impl Into<String>) -> Self {
        self.description = Some(v.into());
        self
    }

    /// Checks the input as the client does before sending.
    pub fn validate(&self) -> Result<()> {
        require_text("name", &self.name)?;
        require_text("stringid", &self.slug)?;
        if !self
            .slug
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Error::invalid(
                "stringid",
                "must be URL-safe (letters, digits, `-`, `_`)",
            ));
        }
        require_text("sender_url", &self.sender_url)?;
        require_text("sender_reminder", &self.sender_reminder)
    }
}

/// `"Weekly News!"` → `weekly-news`: lower-case ASCII letters and digits, runs of anything
/// else as one `-`.
fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Sort order for lists by name (`orders[name]=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListOrder {
    /// `weight`: best matches first.
    Weight,
    /// `asc`.
    Asc,
    /// `desc`.
    Desc,
}

/// Filters, order and paging for `GET /lists`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    name: Option<String>,
    name_filters: Vec<(FilterOp, String)>,
    order: Option<ListOrder>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl ListQuery {
    /// Every list.
    pub fn new() -> Self {
        Self::default()
    }

    /// By name (`filters[name]=`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Name compared with an operator (`filters[name][<op>]=`).
    pub fn name_filter(mut self, op: FilterOp, value: impl Into<String>) -> Self {
        self.name_filters.push((op, value.into()));
        self
    }

    /// Order by name (`orders[name]=`).
    pub fn order(mut self, order: ListOrder) -> Self {
        self.order = Some(order);
        self
    }

    /// The query string pairs this query sends, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        if let Some(n) = &self.name {
            q.push(("filters[name]".to_owned(), n.clone()));
        }
        for (op, v) in &self.name_filters {
            q.push((format!("filters[name][{}]", op.as_str()), v.clone()));
        }
        if let Some(o) = self.order {
            let v = match o {
                ListOrder::Weight => "weight",
                ListOrder::Asc => "asc",
                ListOrder::Desc => "desc",
            };
            q.push(("orders[name]".to_owned(), v.to_owned()));
        }
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(ListQuery);

/// The status a client can set on a membership: AC accepts only 1 and 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListStatus {
    /// `1`: subscribed (active). Also re-subscribes someone who unsubscribed.
    Subscribed,
    /// `2`: unsubscribed.
    Unsubscribed,
}

impl ListStatus {
    /// The wire value.
    pub fn as_u8(self) -> u8 {
        match self {
            ListStatus::Subscribed => 1,
            ListStatus::Unsubscribed => 2,
        }
    }
}

impl TryFrom<i64> for ListStatus {
    type Error = Error;

    /// `1` or `2`; anything else is an [`Error::InvalidInput`] naming `status`.
    fn try_from(raw: i64) -> Result<Self> {
        match raw {
            1 => Ok(ListStatus::Subscribed),
            2 => Ok(ListStatus::Unsubscribed),
            other => Err(Error::invalid(
                "status",
                format!("must be 1 (subscribe) or 2 (unsubscribe), got {other}"),
            )),
        }
    }
}

impl Serialize for ListStatus {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_u8(self.as_u8())
    }
}

/// A membership's status as AC reports it (number or string on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MembershipStatus {
    /// `0`: unconfirmed (double opt-in pending).
    Unconfirmed,
    /// `1`: active.
    Active,
    /// `2`: unsubscribed.
    Unsubscribed,
    /// `3`: bounced.
    Bounced,
    /// Any other value.
    Other(i64),
}

impl<'de> Deserialize<'de> for MembershipStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(match crate::de::opt_i64(d)? {
            Some(0) => MembershipStatus::Unconfirmed,
            Some(1) => MembershipStatus::Active,
            Some(2) => MembershipStatus::Unsubscribed,
            Some(3) => MembershipStatus::Bounced,
            Some(n) => MembershipStatus::Other(n),
            None => MembershipStatus::Other(-1),
        })
    }
}

impl MembershipStatus {
    /// The wire number (0 unconfirmed, 1 active, 2 unsubscribed, 3 bounced).
    pub fn as_i64(self) -> i64 {
        match self {
            MembershipStatus::Unconfirmed => 0,
            MembershipStatus::Active => 1,
            MembershipStatus::Unsubscribed => 2,
            MembershipStatus::Bounced => 3,
            MembershipStatus::Other(n) => n,
        }
    }
}

impl Serialize for MembershipStatus {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_i64(self.as_i64())
    }
}

/// A contact ↔ list membership (`contactList`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactList {
    /// The membership row's id.
    pub id: ContactListId,
    /// The contact.
    pub contact: ContactId,
    /// The list.
    pub list: ListId,
    /// Status (echoed as a number on POST, a string on GET).
    pub status: MembershipStatus,
    /// Every other field AC sent (`sdate`, `sourceid`, `unsubreason`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of `POST /contactLists`, for when you need `sourceid`; otherwise use
/// [`Lists::subscribe`] / [`Lists::unsubscribe`] / [`Lists::set_status`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactListInput {
    /// The list.
    pub list: ListId,
    /// The contact.
    pub contact: ContactId,
    /// 1 subscribe, 2 unsubscribe.
    pub status: ListStatus,
    /// `4` when re-subscribing someone who had unsubscribed.
    #[serde(skip_serializing_if = "Option::is_none")]
    ///
    /// AC's `sourceid`.
    #[serde(rename = "sourceid")]
    pub source: Option<u32>,
}

impl ContactListInput {
    /// A membership change.
    pub fn new(contact: impl Into<ContactId>, list: impl Into<ListId>, status: ListStatus) -> Self {
        let contact: ContactId = contact.into();
        let list: ListId = list.into();
        ContactListInput {
            list,
            contact,
            status,
            source: None,
        }
    }

    /// Sets `sourceid` (AC's docs: 4 when re-subscribing).
    pub fn source(mut self, id: u32) -> Self {
        self.source = Some(id);
        self
    }
}

#[derive(Deserialize)]
struct ListEnvelope {
    list: List,
}

#[derive(Deserialize)]
struct ListList {
    lists: Vec<List>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize)]
struct ContactListEnvelope {
    #[serde(rename = "contactList")]
    contact_list: ContactList,
}

#[derive(Deserialize)]
struct ContactListList {
    #[serde(rename = "contactLists", default)]
    contact_lists: Vec<ContactList>,
}

/// The lists handler: `client.lists()`.
#[derive(Debug, Clone, Copy)]
pub struct Lists<'c> {
    client: &'c Client,
}

impl Client {
    /// Lists: CRUD and contact subscriptions.
    pub fn lists(&self) -> Lists<'_> {
        Lists { client: self }
    }
}

impl<'c> Lists<'c> {
    /// Creates a list (`POST /lists`; never retried after a 5xx).
    pub async fn create(&self, input: impl Borrow<ListInput>) -> Result<List> {
        let input: &ListInput = input.borrow();
        input.validate()?;
        let req = ApiRequest::post("lists", &wrap("list", input)?)?;
        Ok(self.client.send::<ListEnvelope>(req).await?.list)
    }

    /// Reads a list (`GET /lists/{id}`).
    pub async fn get(&self, id: impl Into<ListId>) -> Result<List> {
        let id: ListId = id.into();
        let req = ApiRequest::get(format!("lists/{id}"));
        Ok(self.client.send::<ListEnvelope>(req).await?.list)
    }

    /// The list named exactly `name`, if any (`GET /lists?filters[name]=`, every page of
    /// the matches). `Ok(None)` when there is none.
    ///
    /// ```no_run
    /// # async fn run(client: ac_client::Client) -> ac_client::Result<()> {
    /// let newsletter = client.lists().find_by_name("Newsletter").await?;
    /// # let _ = newsletter;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn find_by_name(&self, name: &str) -> Result<Option<List>> {
        require_text("name", name)?;
        let mut lists = self.stream(ListQuery::new().name(name).limit(100));
        while let Some(list) = lists.try_next().await? {
            if list.name == name {
                return Ok(Some(list));
            }
        }
        Ok(None)
    }

    /// The list named `input.name`, created from `input` when there is none (a list created
    /// meanwhile by someone else, answered as a duplicate, is read back).
    ///
    /// ```no_run
    /// use ac_client::lists::ListInput;
    ///
    /// # async fn run(client: ac_client::Client) -> ac_client::Result<()> {
    /// let list = client
    ///     .lists()
    ///     .find_or_create(
    ///         ListInput::new("Newsletter")
    ///             .sender_url("https://example.com")
    ///             .sender_reminder("You signed up on example.com"),
    ///     )
    ///     .await?;
    /// # let _ = list;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn find_or_create(&self, input: impl Borrow<ListInput>) -> Result<List> {
        let input: &ListInput = input.borrow();
        input.validate()?;
        if let Some(list) = self.find_by_name(&input.name).await? {
            return Ok(list);
        }
        match self.create(input).await {
            Ok(list) => Ok(list),
            Err(e) if e.is_duplicate() => self.find_by_name(&input.name).await?.ok_or(e),
            Err(e) => Err(e),
        }
    }

    /// One page of lists (`GET /lists`).
    pub async fn list(&self, query: impl Borrow<ListQuery>) -> Result<Page<List>> {
        let query: &ListQuery = query.borrow();
        list_page(self.client, query).await
    }

    /// Every list matching `query`, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(&self, query: impl Borrow<ListQuery>) -> BoxStream<List> {
        let query: ListQuery = query.borrow().clone();
        query_stream(self.client, query, |client, q| async move {
            list_page(&client, &q).await
        })
    }

    /// Replaces a list's attributes (`PUT /lists/{id}`).
    pub async fn update(
        &self,
        id: impl Into<ListId>,
        input: impl Borrow<ListInput>,
    ) -> Result<List> {
        let id: ListId = id.into();
        let input: &ListInput = input.borrow();
        input.validate()?;
        let req = ApiRequest::put(format!("lists/{id}"), &wrap("list", input)?)?;
        Ok(self.client.send::<ListEnvelope>(req).await?.list)
    }

    /// Deletes a list (`DELETE /lists/{id}`).
    pub async fn delete(&self, id: impl Into<ListId>) -> Result<()> {
        let id: ListId = id.into();
        self.client
            .send_empty(ApiRequest::delete(format!("lists/{id}")))
            .await
    }

    /// Subscribes a contact to a list (status 1).
    pub async fn subscribe(
        &self,
        contact: impl Into<ContactId>,
        list: impl Into<ListId>,
    ) -> Result<ContactList> {
        let contact: ContactId = contact.into();
        let list: ListId = list.into();
        self.set_status(contact, list, ListStatus::Subscribed).await
    }

    /// Unsubscribes a contact from a list (status 2).
    pub async fn unsubscribe(
        &self,
        contact: impl Into<ContactId>,
        list: impl Into<ListId>,
    ) -> Result<ContactList> {
        let contact: ContactId = contact.into();
        let list: ListId = list.into();
        self.set_status(contact, list, ListStatus::Unsubscribed)
            .await
    }

    /// Sets a contact's status on a list (`POST /contactLists`, an upsert).
    pub async fn set_status(
        &self,
        contact: impl Into<ContactId>,
        list: impl Into<ListId>,
        status: ListStatus,
    ) -> Result<ContactList> {
        let contact: ContactId = contact.into();
        let list: ListId = list.into();
        self.membership(&ContactListInput::new(contact, list, status))
            .await
    }

    /// Like [`Lists::set_status`] with a raw status; anything but 1 or 2 is refused before
    /// sending.
    pub async fn set_status_raw(
        &self,
        contact: impl Into<ContactId>,
        list: impl Into<ListId>,
        status: i64,
    ) -> Result<ContactList> {
        let contact: ContactId = contact.into();
        let list: ListId = list.into();
        let status = ListStatus::try_from(status)?;
        self.set_status(contact, list, status).await
    }

    /// Sends a full membership change (`POST /contactLists`).
    pub async fn membership(&self, input: impl Borrow<ContactListInput>) -> Result<ContactList> {
        let input: &ContactListInput = input.borrow();
        let req = ApiRequest::post_upsert("contactLists", &wrap("contactList", input)?)?;
        Ok(self
            .client
            .send::<ContactListEnvelope>(req)
            .await?
            .contact_list)
    }

    /// A contact's list memberships (`GET /contacts/{id}/contactLists`).
    pub async fn contact_lists(&self, contact: impl Into<ContactId>) -> Result<Vec<ContactList>> {
        let contact: ContactId = contact.into();
        let req = ApiRequest::get(format!("contacts/{contact}/contactLists"));
        Ok(self
            .client
            .send::<ContactListList>(req)
            .await?
            .contact_lists)
    }
}

pub(crate) async fn list_page(client: &Client, query: &ListQuery) -> Result<Page<List>> {
    let req = ApiRequest::get("lists").query(query.to_query()?);
    let list: ListList = client.send(req).await?;
    Ok(Page {
        items: list.lists,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn input_serializes_and_validates() {
        let i = ListInput::new("L")
            .slug("l-1")
            .sender_url("https://x.dev")
            .sender_reminder("Because")
            .user(UserId(1))
            .send_last_broadcast(false)
            .channel(ListChannel::Email);
        assert_eq!(
            wrap("list", &i).unwrap(),
            json!({"list":{"name":"L","stringid":"l-1","sender_url":"https://x.dev",
                "sender_reminder":"Because","send_last_broadcast":0,"user":"1","channel":"email"}})
        );
        i.validate().unwrap();
        let bad = ListInput::new("L")
            .slug("has space")
            .sender_url("u")
            .sender_reminder("r");
        assert_eq!(bad.validate().unwrap_err().field(), Some("stringid"));
        let bad = ListInput::new(" ")
            .slug("s")
            .sender_url("u")
            .sender_reminder("r");
        assert_eq!(bad.validate().unwrap_err().field(), Some("name"));
        let bad = ListInput::new("n").sender_reminder("r");
        assert_eq!(bad.validate().unwrap_err().field(), Some("sender_url"));
    }

    #[test]
    fn query_serializes() {
        let q = ListQuery::new()
            .name("News")
            .name_filter(FilterOp::Contains, "ew")
            .order(ListOrder::Asc)
            .limit(10)
            .to_query()
            .unwrap();
        let s: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            s,
            [
                "filters[name]=News",
                "filters[name][contains]=ew",
                "orders[name]=asc",
                "limit=10"
            ]
        );
    }

    #[test]
    fn statuses() {
        assert_eq!(ListStatus::try_from(1).unwrap(), ListStatus::Subscribed);
        assert_eq!(ListStatus::try_from(2).unwrap(), ListStatus::Unsubscribed);
        for bad in [0, 3, -1] {
            assert_eq!(
                ListStatus::try_from(bad).unwrap_err().field(),
                Some("status")
            );
        }
        let body = wrap(
            "contactList",
            &ContactListInput::new(ContactId(1), ListId(2), ListStatus::Subscribed).source(4),
        )
        .unwrap();
        assert_eq!(
            body,
            json!({"contactList":{"list":"2","contact":"1","status":1,"sourceid":4}})
        );
        for (raw, want) in [
            (json!(1), MembershipStatus::Active),
            (json!("1"), MembershipStatus::Active),
            (json!("2"), MembershipStatus::Unsubscribed),
            (json!(0), MembershipStatus::Unconfirmed),
            (json!("3"), MembershipStatus::Bounced),
            (json!(7), MembershipStatus::Other(7)),
        ] {
            let row: ContactList =
                serde_json::from_value(json!({"id":"1","contact":"1","list":"3","status":raw}))
                    .unwrap();
            assert_eq!(row.status, want);
        }
    }

    #[test]
    fn list_model_reads_create_echo() {
        let l: List = serde_json::from_value(json!({"name":"Nango","channel":"email","stringid":"n",
            "sender_url":"https://nango.dev","sender_reminder":"r","description":"","send_last_broadcast":0,
            "userid":1,"cdate":"2026-05-28T04:43:43-05:00","udate":"2026-05-28T04:43:43-05:00",
            "links":{},"id":"17","user":1}))
        .unwrap();
        assert_eq!(l.id, ListId(17));
        assert_eq!(l.user, Some(UserId(1)));
        assert_eq!(l.extra["send_last_broadcast"], json!(0));
    }
}
