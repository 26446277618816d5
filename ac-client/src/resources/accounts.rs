//! Accounts (organisations) and account contacts (reference §8.1, §8.2).
//!
//! Accounts use camelCase timestamps (`createdTimestamp`), unlike contacts. A contact belongs to
//! at most one account: a second association is AC's 422 `field_invalid`, surfaced as
//! [`Error::Api`] with [`Error::code`] `Some("field_invalid")`.

use crate::page::BoxStream;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::borrow::Borrow;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::ids::{AccountContactId, AccountId, ContactId, UserId};
use crate::page::{query_stream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};
use crate::resources::wrap;

/// `Option<Id>` from a number, a numeric string, `null` or `""` (`None`).
pub(crate) fn opt_id<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<u64>,
{
    Ok(crate::de::opt_u64(d)?.map(T::from))
}

/// A custom field value of an account or a deal (`{"customFieldId":9,"fieldValue":"500-1000"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomFieldValue {
    /// The custom field's id (`customFieldId`).
    #[serde(rename = "customFieldId", deserialize_with = "crate::de::u64_lenient")]
    pub custom_field_id: u64,
    /// The value (`fieldValue`), as AC expects it for the field's type.
    #[serde(rename = "fieldValue")]
    pub field_value: Value,
    /// The currency of a currency field (`fieldCurrency`, deals only).
    #[serde(
        rename = "fieldCurrency",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub field_currency: Option<String>,
}

impl CustomFieldValue {
    /// A value for the custom field `id`.
    pub fn new(id: u64, value: impl Into<Value>) -> Self {
        CustomFieldValue {
            custom_field_id: id,
            field_value: value.into(),
            field_currency: None,
        }
    }
}

/// An account as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// The account's id.
    pub id: AccountId,
    /// The account's name (unique in AC).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub name: String,
    /// The account's website (`accountUrl`).
    #[serde(
        rename = "accountUrl",
        default,
        deserialize_with = "crate::de::opt_string"
    )]
    pub account_url: Option<String>,
    /// The owning user.
    #[serde(default, deserialize_with = "opt_id")]
    pub owner: Option<UserId>,
    /// Number of contacts (`contactCount`; only with [`AccountQuery::count_deals`]).
    #[serde(
        rename = "contactCount",
        default,
        deserialize_with = "crate::de::opt_u64"
    )]
    pub contact_count: Option<u64>,
    /// Number of deals (`dealCount`; only with [`AccountQuery::count_deals`]).
    #[serde(rename = "dealCount", default, deserialize_with = "crate::de::opt_u64")]
    pub deal_count: Option<u64>,
    /// Creation time (`createdTimestamp`), with the account's UTC offset.
    #[serde(
        rename = "createdTimestamp",
        default,
        deserialize_with = "crate::de::opt_datetime"
    )]
    pub created: Option<DateTime<FixedOffset>>,
    /// Last update (`updatedTimestamp`).
    #[serde(
        rename = "updatedTimestamp",
        default,
        deserialize_with = "crate::de::opt_datetime"
    )]
    pub updated: Option<DateTime<FixedOffset>>,
    /// Custom field values (`fields`), when AC includes them.
    #[serde(default, deserialize_with = "lenient_fields")]
    pub fields: Vec<CustomFieldValue>,
    /// Every other field AC sent (`links`, `customFieldSaveStatus`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Custom field values, skipping entries of an unexpected shape rather than failing.
pub(crate) fn lenient_fields<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<CustomFieldValue>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        _ => Vec::new(),
    })
}

impl Identified for Account {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// The body of an account create or update. `AccountInput::new(name)` for a create;
/// [`AccountInput::update`] for an update that changes only what is set.
///
/// ```
/// use ac_client::accounts::{AccountInput, CustomFieldValue};
///
/// let input = AccountInput::new("Example Account")
///     .account_url("https://www.example.com")
///     .owner(1u64)
///     .field(CustomFieldValue::new(9, "500-1000"));
/// assert_eq!(
///     serde_json::to_value(&input).unwrap(),
///     serde_json::json!({"name":"Example Account","accountUrl":"https://www.example.com",
///         "owner":"1","fields":[{"customFieldId":9,"fieldValue":"500-1000"}]})
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AccountInput {
    /// The name (required to create; unique in AC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The website (`accountUrl`).
    #[serde(rename = "accountUrl", skip_serializing_if = "Option::is_none")]
    pub account_url: Option<String>,
    /// The owning user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<UserId>,
    /// Custom field values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<CustomFieldValue>,
}

impl AccountInput {
    /// An account named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        AccountInput {
            name: Some(name.into()),
            ..Self::default()
        }
    }

    /// An update that changes nothing yet.
    pub fn update() -> Self {
        Self::default()
    }

    /// Sets the name.
    pub fn name(mut self, v: impl Into<String>) -> Self {
        self.name = Some(v.into());
        self
    }

    /// Sets the website.
    pub fn account_url(mut self, v: impl Into<String>) -> Self {
        self.account_url = Some(v.into());
        self
    }

    /// Sets the owner.
    pub fn owner(mut self, v: impl Into<UserId>) -> Self {
        self.owner = Some(v.into());
        self
    }

    /// Adds a custom field value.
    pub fn field(mut self, v: CustomFieldValue) -> Self {
        self.fields.push(v);
        self
    }

    fn validate(&self, creating: bool) -> Result<()> {
        match &self.name {
            Some(n) if n.trim().is_empty() => Err(Error::invalid("name", "must not be empty")),
            None if creating => Err(Error::invalid("name", "an account needs a name")),
            _ => Ok(()),
        }
    }
}

/// Search and paging for `GET /accounts`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountQuery {
    search: Option<String>,
    count_deals: bool,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl AccountQuery {
    /// All accounts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accounts whose name contains `text` (`search=`).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Also compute `contactCount` and `dealCount` (`count_deals=true`).
    pub fn count_deals(mut self, on: bool) -> Self {
        self.count_deals = on;
        self
    }

    /// The query string pairs, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        if let Some(s) = &self.search {
            q.push(("search".to_owned(), s.clone()));
        }
        if self.count_deals {
            q.push(("count_deals".to_owned(), "true".to_owned()));
        }
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(AccountQuery);

/// A contact ↔ account association.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountContact {
    /// The association's id.
    pub id: AccountContactId,
    /// The account.
    pub account: AccountId,
    /// The contact.
    pub contact: ContactId,
    /// The contact's job title at the account (`jobTitle`).
    #[serde(
        rename = "jobTitle",
        default,
        deserialize_with = "crate::de::opt_string"
    )]
    pub job_title: Option<String>,
    /// Creation time (`createdTimestamp`).
    #[serde(
        rename = "createdTimestamp",
        default,
        deserialize_with = "crate::de::opt_datetime"
    )]
    pub created: Option<DateTime<FixedOffset>>,
    /// Last update (`updatedTimestamp`).
    #[serde(
        rename = "updatedTimestamp",
        default,
        deserialize_with = "crate::de::opt_datetime"
    )]
    pub updated: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for AccountContact {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// The body of `POST /accountContacts` (`{"accountContact":{contact, account, jobTitle}}`).
///
/// ```
/// use ac_client::accounts::AccountContactInput;
///
/// let input = AccountContactInput::new(2u64, 1u64).job_title("Product Manager");
/// assert_eq!(
///     serde_json::to_value(&input).unwrap(),
///     serde_json::json!({"contact":"2","account":"1","jobTitle":"Product Manager"})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountContactInput {
    /// The contact.
    pub contact: ContactId,
    /// The account.
    pub account: AccountId,
    /// The job title (`jobTitle`).
    #[serde(rename = "jobTitle", skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
}

impl AccountContactInput {
    /// Associates `contact` with `account`.
    pub fn new(contact: impl Into<ContactId>, account: impl Into<AccountId>) -> Self {
        AccountContactInput {
            contact: contact.into(),
            account: account.into(),
            job_title: None,
        }
    }

    /// Sets the job title.
    pub fn job_title(mut self, v: impl Into<String>) -> Self {
        self.job_title = Some(v.into());
        self
    }
}

/// The body of `PUT /accountContacts/{id}`: only what is set changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccountContactUpdate {
    /// A new account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountId>,
    /// A new job title (`jobTitle`).
    #[serde(rename = "jobTitle", skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
}

/// Filters and paging for `GET /accountContacts`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountContactQuery {
    contact: Option<ContactId>,
    account: Option<AccountId>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl AccountContactQuery {
    /// Every association.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only this contact's (`filters[contact]=`).
    pub fn contact(mut self, id: impl Into<ContactId>) -> Self {
        self.contact = Some(id.into());
        self
    }

    /// Only this account's (`filters[account]=`).
    pub fn account(mut self, id: impl Into<AccountId>) -> Self {
        self.account = Some(id.into());
        self
    }

    /// The query string pairs, after validation.
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        check_limit(self.limit)?;
        let mut q = Vec::new();
        if let Some(c) = self.contact {
            q.push(("filters[contact]".to_owned(), c.to_string()));
        }
        if let Some(a) = self.account {
            q.push(("filters[account]".to_owned(), a.to_string()));
        }
        push_paging(&mut q, self.limit, self.offset);
        Ok(q)
    }
}

paged_query!(AccountContactQuery);

#[derive(Deserialize)]
struct AccountEnvelope {
    account: Account,
}

#[derive(Deserialize)]
struct AccountList {
    #[serde(default)]
    accounts: Vec<Account>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize)]
struct AccountContactEnvelope {
    #[serde(rename = "accountContact")]
    account_contact: AccountContact,
}

#[derive(Deserialize)]
struct AccountContactList {
    #[serde(rename = "accountContacts", default)]
    account_contacts: Vec<AccountContact>,
    #[serde(default)]
    meta: Meta,
}

/// The accounts handler: `client.accounts()`.
#[derive(Debug, Clone, Copy)]
pub struct Accounts<'c> {
    client: &'c Client,
}

/// The account contacts handler: `client.accounts().contacts()`.
#[derive(Debug, Clone, Copy)]
pub struct AccountContacts<'c> {
    client: &'c Client,
}

impl Client {
    /// Accounts (organisations): CRUD, search, list and stream; account contacts through
    /// [`Accounts::contacts`].
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts { client: self }
    }
}

impl<'c> Accounts<'c> {
    /// Contact ↔ account associations.
    pub fn contacts(&self) -> AccountContacts<'c> {
        AccountContacts {
            client: self.client,
        }
    }

    /// Creates an account (`POST /accounts`, 201). A taken name is a 422 duplicate
    /// ([`Error::is_duplicate`]). Never retried after a 5xx.
    pub async fn create(&self, input: impl Borrow<AccountInput>) -> Result<Account> {
        let input: &AccountInput = input.borrow();
        input.validate(true)?;
        let req = ApiRequest::post("accounts", &wrap("account", input)?)?;
        Ok(self.client.send::<AccountEnvelope>(req).await?.account)
    }

    /// Reads an account (`GET /accounts/{id}`).
    pub async fn get(&self, id: impl Into<AccountId>) -> Result<Account> {
        let id: AccountId = id.into();
        let req = ApiRequest::get(format!("accounts/{id}"));
        Ok(self.client.send::<AccountEnvelope>(req).await?.account)
    }

    /// Changes what `input` sets (`PUT /accounts/{id}`).
    pub async fn update(
        &self,
        id: impl Into<AccountId>,
        input: impl Borrow<AccountInput>,
    ) -> Result<Account> {
        let id: AccountId = id.into();
        let input: &AccountInput = input.borrow();
        input.validate(false)?;
        let req = ApiRequest::put(format!("accounts/{id}"), &wrap("account", input)?)?;
        Ok(self.client.send::<AccountEnvelope>(req).await?.account)
    }

    /// Deletes an account (`DELETE /accounts/{id}`).
    pub async fn delete(&self, id: impl Into<AccountId>) -> Result<()> {
        let id: AccountId = id.into();
        self.client
            .send_empty(ApiRequest::delete(format!("accounts/{id}")))
            .await
    }

    /// One page of accounts (`GET /accounts`).
    pub async fn list(&self, query: impl Borrow<AccountQuery>) -> Result<Page<Account>> {
        let query: &AccountQuery = query.borrow();
        account_page(self.client, query).await
    }

    /// Every account matching `query`, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(&self, query: impl Borrow<AccountQuery>) -> BoxStream<Account> {
        let query: AccountQuery = query.borrow().clone();
        query_stream(self.client, query, |client, q| async move {
            account_page(&client, &q).await
        })
    }
}

async fn account_page(client: &Client, query: &AccountQuery) -> Result<Page<Account>> {
    let req = ApiRequest::get("accounts").query(query.to_query()?);
    let list: AccountList = client.send(req).await?;
    Ok(Page {
        items: list.accounts,
        total: list.meta.total,
    })
}

impl<'c> AccountContacts<'c> {
    /// Associates a contact with an account (`POST /accountContacts`, 201). A contact already
    /// on an account is AC's 422 `field_invalid` ([`Error::code`]). Never retried after a 5xx.
    pub async fn create(&self, input: impl Borrow<AccountContactInput>) -> Result<AccountContact> {
        let input: &AccountContactInput = input.borrow();
        let req = ApiRequest::post("accountContacts", &wrap("accountContact", input)?)?;
        Ok(self
            .client
            .send::<AccountContactEnvelope>(req)
            .await?
            .account_contact)
    }

    /// Reads an association (`GET /accountContacts/{id}`).
    pub async fn get(&self, id: impl Into<AccountContactId>) -> Result<AccountContact> {
        let id: AccountContactId = id.into();
        let req = ApiRequest::get(format!("accountContacts/{id}"));
        Ok(self
            .client
            .send::<AccountContactEnvelope>(req)
            .await?
            .account_contact)
    }

    /// Changes an association (`PUT /accountContacts/{id}`).
    pub async fn update(
        &self,
        id: impl Into<AccountContactId>,
        update: impl Borrow<AccountContactUpdate>,
    ) -> Result<AccountContact> {
        let id: AccountContactId = id.into();
        let update: &AccountContactUpdate = update.borrow();
        let req = ApiRequest::put(
            format!("accountContacts/{id}"),
            &wrap("accountContact", update)?,
        )?;
        Ok(self
            .client
            .send::<AccountContactEnvelope>(req)
            .await?
            .account_contact)
    }

    /// Deletes an association (`DELETE /accountContacts/{id}`).
    pub async fn delete(&self, id: impl Into<AccountContactId>) -> Result<()> {
        let id: AccountContactId = id.into();
        self.client
            .send_empty(ApiRequest::delete(format!("accountContacts/{id}")))
            .await
    }

    /// One page of associations (`GET /accountContacts?filters[contact]=&filters[account]=`).
    pub async fn list(
        &self,
        query: impl Borrow<AccountContactQuery>,
    ) -> Result<Page<AccountContact>> {
        let query: &AccountContactQuery = query.borrow();
        account_contact_page(self.client, query).await
    }

    /// Every association matching `query`, fetched lazily.
    pub fn stream(&self, query: impl Borrow<AccountContactQuery>) -> BoxStream<AccountContact> {
        let query: AccountContactQuery = query.borrow().clone();
        query_stream(self.client, query, |client, q| async move {
            account_contact_page(&client, &q).await
        })
    }

    /// A contact's associations (`GET /contacts/{id}/accountContacts`; at most one in
    /// practice).
    pub async fn of_contact(&self, contact: impl Into<ContactId>) -> Result<Vec<AccountContact>> {
        let contact: ContactId = contact.into();
        let req = ApiRequest::get(format!("contacts/{contact}/accountContacts"));
        Ok(self
            .client
            .send::<AccountContactList>(req)
            .await?
            .account_contacts)
    }
}

async fn account_contact_page(
    client: &Client,
    query: &AccountContactQuery,
) -> Result<Page<AccountContact>> {
    let req = ApiRequest::get("accountContacts").query(query.to_query()?);
    let list: AccountContactList = client.send(req).await?;
    Ok(Page {
        items: list.account_contacts,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn account_model_tolerates_live_shape() {
        let env: AccountEnvelope = serde_json::from_value(json!({"account":{"name":"Nango Test Account Final",
            "createdTimestamp":"2026-05-28T04:05:48-05:00","updatedTimestamp":"2026-05-28T04:05:48-05:00",
            "owner":"1","links":{"notes":"x"},"customFieldSaveStatus":{"status":"success"},"fields":[],"id":"14"}}))
        .unwrap();
        let a = env.account;
        assert_eq!(a.id, AccountId(14));
        assert_eq!(a.owner, Some(UserId(1)));
        assert_eq!(a.created.unwrap().to_rfc3339(), "2026-05-28T04:05:48-05:00");
        assert!(a.extra.contains_key("customFieldSaveStatus"));
        let list: AccountList =
            serde_json::from_value(json!({"accounts":[{"name":"A","accountUrl":null,
            "contactCount":"3","dealCount":"0","owner":"1","id":"1"}],"meta":{"total":"12"}}))
            .unwrap();
        assert_eq!(list.meta.total, 12);
        assert_eq!(list.accounts[0].contact_count, Some(3));
    }

    #[test]
    fn queries() {
        let q = AccountQuery::new()
            .search("acme")
            .count_deals(true)
            .limit(10);
        assert_eq!(
            q.to_query().unwrap(),
            vec![
                ("search".to_owned(), "acme".to_owned()),
                ("count_deals".to_owned(), "true".to_owned()),
                ("limit".to_owned(), "10".to_owned())
            ]
        );
        let q = AccountContactQuery::new().contact(2u64).account(1u64);
        assert_eq!(
            q.to_query().unwrap(),
            vec![
                ("filters[contact]".to_owned(), "2".to_owned()),
                ("filters[account]".to_owned(), "1".to_owned())
            ]
        );
    }

    #[test]
    fn validation() {
        assert!(AccountInput::update().validate(true).is_err());
        assert!(AccountInput::new(" ").validate(true).is_err());
        AccountInput::update().validate(false).unwrap();
    }
}
