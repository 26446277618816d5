//! Contacts: `/contacts`, `/contact/sync` (reference §2).

use crate::page::BoxStream;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Borrow;

use crate::client::Client;
use crate::encode::{CustomValue, FieldCatalog};
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::ids::{AutomationId, ContactId, FieldId, FormId, ListId, SegmentId, TagId};
use crate::page::{cursor_stream, query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging, DateBound, Direction};
use crate::resources::fields::FieldValue;
use crate::resources::lists::ContactList;
use crate::resources::wrap;

/// A contact as AC returns it. Unknown fields are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// The contact's id.
    pub id: ContactId,
    /// Email address (`""` for phone-only contacts).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub email: String,
    /// First name (`firstName`).
    #[serde(
        rename = "firstName",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub first_name: String,
    /// Last name (`lastName`).
    #[serde(
        rename = "lastName",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub last_name: String,
    /// Phone number.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub phone: String,
    /// Organisation name (deprecated by AC in favour of accounts).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub orgname: String,
    /// Creation time, with the account's UTC offset.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    ///
    /// AC's `cdate`.
    #[serde(rename = "cdate")]
    pub created: Option<DateTime<FixedOffset>>,
    /// Last update time, with the account's UTC offset.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    ///
    /// AC's `udate`.
    #[serde(rename = "udate")]
    pub updated: Option<DateTime<FixedOffset>>,
    /// Custom field values side-loaded with the answer: all of them on
    /// [`Contacts::get`], the ones written on create / sync / update; empty in listings.
    #[serde(skip)]
    pub field_values: Vec<FieldValue>,
    /// Every other field AC sent (`links`, `hash`, `bounced_hard`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for Contact {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// A custom field value sent inline with a contact (`{"field":"1","value":"..."}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactFieldValue {
    /// The custom field.
    pub field: FieldId,
    /// The encoded value (see [`crate::encode`] for per-type encodings).
    pub value: String,
}

/// The body of a create or sync: `ContactInput::new(email)` plus setters.
///
/// ```
/// use ac_client::contacts::ContactInput;
///
/// let input = ContactInput::new("ada@example.com")
///     .first_name("Ada")
///     .last_name("Lovelace")
///     .field_value(3u64, "Blue");
/// assert_eq!(
///     serde_json::to_value(&input).unwrap(),
///     serde_json::json!({"email":"ada@example.com","firstName":"Ada","lastName":"Lovelace",
///                        "fieldValues":[{"field":"3","value":"Blue"}]})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactInput {
    /// Email address (required; the match key for sync).
    pub email: String,
    /// First name.
    #[serde(rename = "firstName", skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(rename = "lastName", skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Custom field values, written with the contact.
    #[serde(rename = "fieldValues", skip_serializing_if = "Vec::is_empty")]
    pub field_values: Vec<ContactFieldValue>,
}

impl ContactInput {
    /// A contact with this email and nothing else.
    pub fn new(email: impl Into<String>) -> Self {
        ContactInput {
            email: email.into(),
            first_name: None,
            last_name: None,
            phone: None,
            field_values: Vec::new(),
        }
    }

    /// Sets the first name.
    pub fn first_name(mut self, v: impl Into<String>) -> Self {
        self.first_name = Some(v.into());
        self
    }

    /// Sets the last name.
    pub fn last_name(mut self, v: impl Into<String>) -> Self {
        self.last_name = Some(v.into());
        self
    }

    /// Sets the phone number.
    pub fn phone(mut self, v: impl Into<String>) -> Self {
        self.phone = Some(v.into());
        self
    }

    /// Adds a custom field value (already encoded as AC expects; see [`crate::encode`]).
    pub fn field_value(mut self, field: impl Into<FieldId>, value: impl Into<String>) -> Self {
        self.field_values.push(ContactFieldValue {
            field: field.into(),
            value: value.into(),
        });
        self
    }

    /// Adds a custom field value by field title or perstag, encoded for the field's type
    /// (see [`FieldCatalog`]). Fails, naming the field, when the field is unknown or the
    /// value does not fit its type.
    pub fn custom_field(
        mut self,
        catalog: &FieldCatalog,
        name: &str,
        value: impl Into<CustomValue>,
    ) -> Result<Self> {
        self.field_values.push(catalog.field_value(name, value)?);
        Ok(self)
    }

    /// Checks the input as the client does before sending.
    pub fn validate(&self) -> Result<()> {
        validate_email(&self.email)?;
        validate_field_values(&self.field_values)
    }
}

/// The body of an update (`PUT /contacts/{id}`): only the fields set are changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContactUpdate {
    /// New email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// New first name.
    #[serde(rename = "firstName", skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// New last name.
    #[serde(rename = "lastName", skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// New phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Custom field values to write.
    #[serde(rename = "fieldValues", skip_serializing_if = "Vec::is_empty")]
    pub field_values: Vec<ContactFieldValue>,
}

impl ContactUpdate {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Changes the email address.
    pub fn email(mut self, v: impl Into<String>) -> Self {
        self.email = Some(v.into());
        self
    }

    /// Changes the first name.
    pub fn first_name(mut self, v: impl Into<String>) -> Self {
        self.first_name = Some(v.into());
        self
    }

    /// Changes the last name.
    pub fn last_name(mut self, v: impl Into<String>) -> Self {
        self.last_name = Some(v.into());
        self
    }

    /// Changes the phone number.
    pub fn phone(mut self, v: impl Into<String>) -> Self {
        self.phone = Some(v.into());
        self
    }

    /// Writes a custom field value (already encoded; see [`crate::encode`]).
    pub fn field_value(mut self, field: impl Into<FieldId>, value: impl Into<String>) -> Self {
        self.field_values.push(ContactFieldValue {
            field: field.into(),
            value: value.into(),
        });
        self
    }

    /// Writes a custom field value by field title or perstag, encoded for the field's type
    /// (see [`FieldCatalog`]).
    pub fn custom_field(
        mut self,
        catalog: &FieldCatalog,
        name: &str,
        value: impl Into<CustomValue>,
    ) -> Result<Self> {
        self.field_values.push(catalog.field_value(name, value)?);
        Ok(self)
    }

    /// Checks the update as the client does before sending.
    pub fn validate(&self) -> Result<()> {
        if let Some(email) = &self.email {
            validate_email(email)?;
        }
        validate_field_values(&self.field_values)
    }
}

impl From<ContactInput> for ContactUpdate {
    fn from(i: ContactInput) -> Self {
        ContactUpdate {
            email: Some(i.email),
            first_name: i.first_name,
            last_name: i.last_name,
            phone: i.phone,
            field_values: i.field_values,
        }
    }
}

/// Rejects empty and obviously malformed addresses (AC does the full check).
pub(crate) fn validate_email(email: &str) -> Result<()> {
    let e = email.trim();
    if e.is_empty() {
        return Err(Error::invalid("email", "must not be empty"));
    }
    let malformed = || Error::invalid("email", format!("`{e}` is not a valid email address"));
    if e.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(malformed());
    }
    let (local, domain) = e.rsplit_once('@').ok_or_else(malformed)?;
    if local.is_empty()
        || domain.is_empty()
        || local.contains('@')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        return Err(malformed());
    }
    Ok(())
}

fn validate_field_values(values: &[ContactFieldValue]) -> Result<()> {
    match values.iter().find(|v| v.field.get() == 0) {
        Some(_) => Err(Error::invalid("fieldValues", "field id 0 is not a field")),
        None => Ok(()),
    }
}

/// Whether a sync created the contact (201) or updated an existing one (200).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncOutcome {
    /// A new contact was created (HTTP 201).
    Created,
    /// An existing contact (matched by email) was updated (HTTP 200).
    Updated,
}

/// The answer of [`Contacts::sync`].
#[derive(Debug, Clone, PartialEq)]
pub struct SyncedContact {
    /// The contact after the sync, with the written field values in `field_values`.
    pub contact: Contact,
    /// Created or updated.
    pub outcome: SyncOutcome,
}

impl SyncedContact {
    /// True when the sync created the contact.
    pub fn created(&self) -> bool {
        self.outcome == SyncOutcome::Created
    }
}

/// Contact status filter for listings (`status=`; AC's default `-1` means any).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactStatus {
    /// `-1`: any status.
    Any,
    /// `0`: unconfirmed.
    Unconfirmed,
    /// `1`: active.
    Active,
    /// `2`: unsubscribed.
    Unsubscribed,
    /// `3`: bounced.
    Bounced,
}

impl ContactStatus {
    fn as_str(self) -> &'static str {
        match self {
            ContactStatus::Any => "-1",
            ContactStatus::Unconfirmed => "0",
            ContactStatus::Active => "1",
            ContactStatus::Unsubscribed => "2",
            ContactStatus::Bounced => "3",
        }
    }
}

/// Sort keys for contact listings (`orders[<key>]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactOrder {
    /// `orders[id]`.
    Id,
    /// `orders[cdate]`.
    Cdate,
    /// `orders[email]`.
    Email,
    /// `orders[first_name]`.
    FirstName,
    /// `orders[last_name]`.
    LastName,
    /// `orders[name]`.
    Name,
}

impl ContactOrder {
    fn key(self) -> &'static str {
        match self {
            ContactOrder::Id => "id",
            ContactOrder::Cdate => "cdate",
            ContactOrder::Email => "email",
            ContactOrder::FirstName => "first_name",
            ContactOrder::LastName => "last_name",
            ContactOrder::Name => "name",
        }
    }
}

/// Filters, order and paging for `GET /contacts`.
///
/// ```
/// use ac_client::contacts::{ContactOrder, ContactQuery};
/// use ac_client::Direction;
///
/// let q = ContactQuery::new()
///     .email_like("@example.com")
///     .order_by(ContactOrder::Id, Direction::Asc)
///     .limit(50);
/// let pairs = q.to_query().unwrap();
/// assert!(pairs.contains(&("orders[id]".to_string(), "ASC".to_string())));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactQuery {
    email: Option<String>,
    email_like: Option<String>,
    search: Option<String>,
    phone: Option<String>,
    ids: Vec<ContactId>,
    exclude: Option<ContactId>,
    listid: Option<ListId>,
    tagid: Option<TagId>,
    formid: Option<FormId>,
    seriesid: Option<AutomationId>,
    waitid: Option<u64>,
    segmentid: Option<SegmentId>,
    force_query: bool,
    in_group_lists: bool,
    status: Option<ContactStatus>,
    id_greater: Option<ContactId>,
    id_less: Option<ContactId>,
    created_before: Option<DateBound>,
    created_after: Option<DateBound>,
    updated_before: Option<DateBound>,
    updated_after: Option<DateBound>,
    orders: Vec<(ContactOrder, Direction)>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl ContactQuery {
    /// No filters: every contact, AC's default page size (20).
    pub fn new() -> Self {
        Self::default()
    }

    /// Exact email match (`email=`).
    pub fn email(mut self, v: impl Into<String>) -> Self {
        self.email = Some(v.into());
        self
    }

    /// Email contains (`email_like=`).
    pub fn email_like(mut self, v: impl Into<String>) -> Self {
        self.email_like = Some(v.into());
        self
    }

    /// Search names, organisation, phone and email (`search=`).
    pub fn search(mut self, v: impl Into<String>) -> Self {
        self.search = Some(v.into());
        self
    }

    /// Phone prefix (`phone=`).
    pub fn phone(mut self, v: impl Into<String>) -> Self {
        self.phone = Some(v.into());
        self
    }

    /// Only these ids (`ids[]=1&ids[]=2`).
    pub fn ids(mut self, ids: impl IntoIterator<Item = ContactId>) -> Self {
        self.ids = ids.into_iter().collect();
        self
    }

    /// Leave out one contact (`exclude=`).
    pub fn exclude(mut self, id: impl Into<ContactId>) -> Self {
        let id: ContactId = id.into();
        self.exclude = Some(id);
        self
    }

    /// Members of a list (`listid=`).
    pub fn list(mut self, id: impl Into<ListId>) -> Self {
        let id: ListId = id.into();
        self.listid = Some(id);
        self
    }

    /// Contacts with a tag (`tagid=`).
    pub fn tag(mut self, id: impl Into<TagId>) -> Self {
        let id: TagId = id.into();
        self.tagid = Some(id);
        self
    }

    /// Contacts who subscribed through a form (`formid=`).
    pub fn form(mut self, id: impl Into<FormId>) -> Self {
        let id: FormId = id.into();
        self.formid = Some(id);
        self
    }

    /// Contacts in an automation (`seriesid=`).
    pub fn automation(mut self, id: impl Into<AutomationId>) -> Self {
        let id: AutomationId = id.into();
        self.seriesid = Some(id);
        self
    }

    /// Contacts waiting at an automation's wait step (`waitid=`, the step's id).
    pub fn wait_step(mut self, id: u64) -> Self {
        self.waitid = Some(id);
        self
    }

    /// Contacts in a segment (`segmentid=`). AC caches a segment's results for an hour;
    /// [`ContactQuery::force_query`] asks it to recompute them.
    pub fn segment(mut self, id: impl Into<SegmentId>) -> Self {
        let id: SegmentId = id.into();
        self.segmentid = Some(id);
        self
    }

    /// With [`ContactQuery::segment`], recompute the segment instead of using AC's
    /// one-hour cache (`forceQuery=1`). Slower on large accounts.
    pub fn force_query(mut self, yes: bool) -> Self {
        self.force_query = yes;
        self
    }

    /// Only contacts in lists the API user's group may see (`in_group_lists=true`).
    pub fn in_group_lists(mut self, yes: bool) -> Self {
        self.in_group_lists = yes;
        self
    }

    /// Contact status (`status=`).
    pub fn status(mut self, status: ContactStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Ids above this one (`id_greater=`).
    pub fn id_greater(mut self, id: impl Into<ContactId>) -> Self {
        let id: ContactId = id.into();
        self.id_greater = Some(id);
        self
    }

    /// Ids below this one (`id_less=`).
    pub fn id_less(mut self, id: impl Into<ContactId>) -> Self {
        let id: ContactId = id.into();
        self.id_less = Some(id);
        self
    }

    /// Created before (`filters[created_before]=`).
    pub fn created_before(mut self, v: impl Into<DateBound>) -> Self {
        self.created_before = Some(v.into());
        self
    }

    /// Created after (`filters[created_after]=`).
    pub fn created_after(mut self, v: impl Into<DateBound>) -> Self {
        self.created_after = Some(v.into());
        self
    }

    /// Updated before (`filters[updated_before]=`).
    pub fn updated_before(mut self, v: impl Into<DateBound>) -> Self {
        self.updated_before = Some(v.into());
        self
    }

    /// Updated after (`filters[updated_after]=`).
    pub fn updated_after(mut self, v: impl Into<DateBound>) -> Self {
        self.updated_after = Some(v.into());
        self
    }

    /// Adds a sort key (`orders[<key>]=ASC|DESC`); several apply in the order given.
    pub fn order_by(mut self, key: ContactOrder, direction: Direction) -> Self {
        self.orders.retain(|(k, _)| *k != key);
        self.orders.push((key, direction));
        self
    }

    /// The query string pairs this query sends, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q: Vec<(String, String)> = Vec::new();
        let mut push = |k: &str, v: String| q.push((k.to_owned(), v));
        for id in &self.ids {
            push("ids[]", id.to_string());
        }
        if let Some(v) = &self.email {
            push("email", v.clone());
        }
        if let Some(v) = &self.email_like {
            push("email_like", v.clone());
        }
        if let Some(v) = &self.search {
            push("search", v.clone());
        }
        if let Some(v) = &self.phone {
            push("phone", v.clone());
        }
        if let Some(v) = self.exclude {
            push("exclude", v.to_string());
        }
        if let Some(v) = self.listid {
            push("listid", v.to_string());
        }
        if let Some(v) = self.tagid {
            push("tagid", v.to_string());
        }
        if let Some(v) = self.formid {
            push("formid", v.to_string());
        }
        if let Some(v) = self.seriesid {
            push("seriesid", v.to_string());
        }
        if let Some(v) = self.waitid {
            push("waitid", v.to_string());
        }
        if let Some(v) = self.segmentid {
            push("segmentid", v.to_string());
        }
        if self.force_query {
            push("forceQuery", "1".to_owned());
        }
        if self.in_group_lists {
            push("in_group_lists", "true".to_owned());
        }
        if let Some(v) = self.status {
            push("status", v.as_str().to_owned());
        }
        if let Some(v) = self.id_greater {
            push("id_greater", v.to_string());
        }
        if let Some(v) = self.id_less {
            push("id_less", v.to_string());
        }
        for (key, v) in [
            ("filters[created_before]", &self.created_before),
            ("filters[created_after]", &self.created_after),
            ("filters[updated_before]", &self.updated_before),
            ("filters[updated_after]", &self.updated_after),
        ] {
            if let Some(v) = v {
                push(key, v.as_str().to_owned());
            }
        }
        for (key, dir) in &self.orders {
            push(&format!("orders[{}]", key.key()), dir.as_str().to_owned());
        }
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(
    ContactQuery,
    "Page size, 1 to 100 (checked before sending)."
);

#[derive(Deserialize)]
struct ContactEnvelope {
    contact: Contact,
    #[serde(rename = "fieldValues", default)]
    field_values: Vec<FieldValue>,
}

impl ContactEnvelope {
    fn into_contact(self) -> Contact {
        let mut c = self.contact;
        c.field_values = self.field_values;
        c
    }
}

/// A contact with the related records AC side-loads on `GET /contacts/{id}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ContactDetails {
    /// The contact (its `field_values` are filled too).
    pub contact: Contact,
    /// The contact's list memberships (`contactLists`).
    #[serde(rename = "contactLists", default)]
    pub contact_lists: Vec<ContactList>,
    /// The contact's custom field values (`fieldValues`).
    #[serde(rename = "fieldValues", default)]
    pub field_values: Vec<FieldValue>,
    /// Every other side-load (`contactAutomations`, `deals`, `geoIps`, `accountContacts`...).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Deserialize)]
struct ContactPage {
    contacts: Vec<Contact>,
    #[serde(default)]
    meta: Meta,
}

/// The contacts handler: `client.contacts()`.
#[derive(Debug, Clone, Copy)]
pub struct Contacts<'c> {
    pub(crate) client: &'c Client,
}

impl Client {
    /// Contacts: create, sync (upsert), get, update, delete, list and stream.
    pub fn contacts(&self) -> Contacts<'_> {
        Contacts { client: self }
    }
}

impl<'c> Contacts<'c> {
    /// Creates a contact (`POST /contacts`). Fails with a duplicate error
    /// ([`Error::is_duplicate`]) when the email exists; use [`Contacts::sync`] to upsert.
    /// Never retried after a 5xx or connection error (it may have been applied).
    pub async fn create(&self, input: impl Borrow<ContactInput>) -> Result<Contact> {
        let input: &ContactInput = input.borrow();
        input.validate()?;
        let req = ApiRequest::post("contacts", &wrap("contact", input)?)?;
        let env: ContactEnvelope = self.client.send(req).await?;
        Ok(env.into_contact())
    }

    /// Creates or updates the contact matched by email (`POST /contact/sync`).
    pub async fn sync(&self, input: impl Borrow<ContactInput>) -> Result<SyncedContact> {
        let input: &ContactInput = input.borrow();
        input.validate()?;
        let req = ApiRequest::post_upsert("contact/sync", &wrap("contact", input)?)?;
        let (status, env): (_, ContactEnvelope) = self.client.send_json(req).await?;
        Ok(SyncedContact {
            contact: env.into_contact(),
            outcome: if status == http::StatusCode::CREATED {
                SyncOutcome::Created
            } else {
                SyncOutcome::Updated
            },
        })
    }

    /// The contact with this email, if any (`GET /contacts?email=`; AC compares emails
    /// without regard to case). `Ok(None)` when there is none.
    ///
    /// ```no_run
    /// # async fn run(client: ac_client::Client) -> ac_client::Result<()> {
    /// if let Some(ada) = client.contacts().find_by_email("ada@example.com").await? {
    ///     println!("contact {}", ada.id);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn find_by_email(&self, email: &str) -> Result<Option<Contact>> {
        let email = email.trim();
        validate_email(email)?;
        let page = list_page(self.client, &ContactQuery::new().email(email)).await?;
        Ok(page
            .into_iter()
            .find(|c| c.email.trim().eq_ignore_ascii_case(email)))
    }

    /// Reads one contact with its custom field values (`GET /contacts/{id}`).
    pub async fn get(&self, id: impl Into<ContactId>) -> Result<Contact> {
        let id: ContactId = id.into();
        let env: ContactEnvelope = self
            .client
            .send(ApiRequest::get(format!("contacts/{id}")))
            .await?;
        Ok(env.into_contact())
    }

    /// Reads one contact with everything AC side-loads: list memberships, field values and
    /// the rest (`GET /contacts/{id}`).
    pub async fn get_details(&self, id: impl Into<ContactId>) -> Result<ContactDetails> {
        let id: ContactId = id.into();
        let mut details: ContactDetails = self
            .client
            .send(ApiRequest::get(format!("contacts/{id}")))
            .await?;
        details.contact.field_values = details.field_values.clone();
        Ok(details)
    }

    /// Changes the fields set in `update` (`PUT /contacts/{id}`).
    pub async fn update(
        &self,
        id: impl Into<ContactId>,
        update: impl Borrow<ContactUpdate>,
    ) -> Result<Contact> {
        let id: ContactId = id.into();
        let update: &ContactUpdate = update.borrow();
        update.validate()?;
        let req = ApiRequest::put(format!("contacts/{id}"), &wrap("contact", update)?)?;
        let env: ContactEnvelope = self.client.send(req).await?;
        Ok(env.into_contact())
    }

    /// Deletes a contact (`DELETE /contacts/{id}`).
    pub async fn delete(&self, id: impl Into<ContactId>) -> Result<()> {
        let id: ContactId = id.into();
        self.client
            .send_empty(ApiRequest::delete(format!("contacts/{id}")))
            .await
    }

    /// One page of contacts (`GET /contacts`).
    pub async fn list(&self, query: impl Borrow<ContactQuery>) -> Result<Page<Contact>> {
        let query: &ContactQuery = query.borrow();
        list_page(self.client, query).await
    }

    /// Every contact matching `query`, fetched lazily by offset (page size: the query's
    /// limit, or 100). For large accounts prefer [`Contacts::stream_by_id`].
    pub fn stream(&self, query: impl Borrow<ContactQuery>) -> BoxStream<Contact> {
        let query: ContactQuery = query.borrow().clone();
        query_stream(self.client, query, |client, q| async move {
            list_page(&client, &q).await
        })
    }

    /// Every contact matching `query`, fetched lazily in id order with `orders[id]=ASC` and
    /// `id_greater=<last id>` (AC's advice for large sets). Page size: the query's limit, or
    /// 100; the query's own `id_greater` is the starting point; other orders and the offset
    /// are ignored. Ends on a short page.
    pub fn stream_by_id(&self, query: impl Borrow<ContactQuery>) -> BoxStream<Contact> {
        let query: ContactQuery = query.borrow().clone();
        let client = self.client.clone();
        let limit = query.limit.unwrap_or(100);
        let start = query.id_greater.map(ContactId::get);
        let mut base = query.limit(limit);
        base.orders = vec![(ContactOrder::Id, Direction::Asc)];
        base.offset = None;
        cursor_stream(limit, start, move |after| {
            let client = client.clone();
            let mut q = base.clone();
            q.id_greater = after.map(ContactId::new);
            async move { list_page(&client, &q).await }
        })
    }
}

async fn list_page(client: &Client, query: &ContactQuery) -> Result<Page<Contact>> {
    let req = ApiRequest::get("contacts").query(query.to_query()?);
    let list: ContactPage = client.send(req).await?;
    Ok(Page {
        items: list.contacts,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use serde_json::json;

    fn pairs(q: &ContactQuery) -> Vec<(String, String)> {
        q.to_query().unwrap()
    }

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_owned(), v.to_owned())
    }

    #[test]
    fn input_serializes_exactly() {
        let input = ContactInput::new("a@b.co").phone("123");
        assert_eq!(
            serde_json::to_value(wrap("contact", &input).unwrap()).unwrap(),
            json!({"contact":{"email":"a@b.co","phone":"123"}})
        );
        let update = ContactUpdate::new()
            .last_name("L")
            .field_value(FieldId(2), "x");
        assert_eq!(
            serde_json::to_value(&update).unwrap(),
            json!({"lastName":"L","fieldValues":[{"field":"2","value":"x"}]})
        );
    }

    #[test]
    fn email_validation() {
        for bad in [
            "", "  ", "plain", "@b.co", "a@", "a b@c.co", "a@b..co", "a@.b",
        ] {
            let err = ContactInput::new(bad).validate().unwrap_err();
            assert_eq!(err.field(), Some("email"), "{bad}");
        }
        for good in ["a@b.co", "first.last+tag@sub.example.com", "x@localhost"] {
            ContactInput::new(good).validate().unwrap();
        }
        assert!(ContactUpdate::new().validate().is_ok());
        assert_eq!(
            ContactUpdate::new()
                .email("nope")
                .validate()
                .unwrap_err()
                .field(),
            Some("email")
        );
        assert_eq!(
            ContactInput::new("a@b.co")
                .field_value(0u64, "x")
                .validate()
                .unwrap_err()
                .field(),
            Some("fieldValues")
        );
    }

    #[test]
    fn query_serializes_every_filter() {
        let q = ContactQuery::new()
            .email("a@b.co")
            .email_like("b.co")
            .search("ada")
            .phone("+1")
            .ids([ContactId(1), ContactId(2)])
            .exclude(ContactId(9))
            .list(ListId(3))
            .tag(TagId(4))
            .form(FormId(5))
            .automation(AutomationId(6))
            .wait_step(7)
            .segment(SegmentId(8))
            .force_query(true)
            .in_group_lists(true)
            .status(ContactStatus::Active)
            .id_greater(ContactId(10))
            .id_less(ContactId(20))
            .created_before(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap())
            .created_after(DateTime::parse_from_rfc3339("2026-01-01T00:00:00-05:00").unwrap())
            .updated_before(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap())
            .updated_after(NaiveDate::from_ymd_opt(2025, 12, 1).unwrap())
            .order_by(ContactOrder::LastName, Direction::Asc)
            .order_by(ContactOrder::Email, Direction::Desc)
            .limit(50)
            .offset(100);
        assert_eq!(
            pairs(&q),
            vec![
                p("ids[]", "1"),
                p("ids[]", "2"),
                p("email", "a@b.co"),
                p("email_like", "b.co"),
                p("search", "ada"),
                p("phone", "+1"),
                p("exclude", "9"),
                p("listid", "3"),
                p("tagid", "4"),
                p("formid", "5"),
                p("seriesid", "6"),
                p("waitid", "7"),
                p("segmentid", "8"),
                p("forceQuery", "1"),
                p("in_group_lists", "true"),
                p("status", "1"),
                p("id_greater", "10"),
                p("id_less", "20"),
                p("filters[created_before]", "2026-01-02"),
                p("filters[created_after]", "2026-01-01T00:00:00-05:00"),
                p("filters[updated_before]", "2026-02-01"),
                p("filters[updated_after]", "2025-12-01"),
                p("orders[last_name]", "ASC"),
                p("orders[email]", "DESC"),
                p("limit", "50"),
                p("offset", "100"),
            ]
        );
        assert!(pairs(&ContactQuery::new()).is_empty());
        let names = [
            (ContactOrder::Id, "orders[id]"),
            (ContactOrder::Cdate, "orders[cdate]"),
            (ContactOrder::FirstName, "orders[first_name]"),
            (ContactOrder::Name, "orders[name]"),
        ];
        for (o, key) in names {
            assert_eq!(
                pairs(&ContactQuery::new().order_by(o, Direction::Desc)),
                vec![p(key, "DESC")]
            );
        }
    }

    #[test]
    fn limit_is_checked() {
        for bad in [0, 101] {
            let err = ContactQuery::new().limit(bad).to_query().unwrap_err();
            assert_eq!(err.field(), Some("limit"));
        }
        ContactQuery::new().limit(1).to_query().unwrap();
        ContactQuery::new().limit(100).to_query().unwrap();
    }

    #[test]
    fn contact_model_tolerates_live_shape() {
        let c: Contact = serde_json::from_value(json!({
            "cdate":"2026-05-28T03:05:54-05:00","email":"api@nango.dev","phone":"","firstName":"","lastName":"",
            "orgid":"0","orgname":"","bounced_hard":"0","bounced_date":null,"udate":"2026-05-28T04:03:25-05:00",
            "adate":null,"deleted_at":null,"scoreValues":[],"links":{"bounceLogs":"x"},"id":"1","organization":null,
            "fieldValues":["14","15"]
        }))
        .unwrap();
        assert_eq!(c.id, ContactId(1));
        assert_eq!(c.email, "api@nango.dev");
        assert_eq!(c.created.unwrap().to_rfc3339(), "2026-05-28T03:05:54-05:00");
        assert_eq!(c.extra["bounced_hard"], json!("0"));
        assert_eq!(c.extra["fieldValues"], json!(["14", "15"]));
        assert!(c.field_values.is_empty());
        let minimal: Contact = serde_json::from_value(json!({"id":7,"email":null})).unwrap();
        assert_eq!(minimal.email, "");
    }
}
