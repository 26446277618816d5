//! Sender addresses (`/addresses`): the postal addresses campaigns and lists show.

use std::borrow::Borrow;

use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use crate::ids::AddressId;
use crate::page::{query_stream, Identified, Meta, Page};
use crate::resources::{require_text, wrap};

/// An address as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// The address's id.
    pub id: AddressId,
    /// Company name (`companyName`).
    #[serde(
        rename = "companyName",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub company_name: String,
    /// First line (`address1`).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub address1: String,
    /// Second line (`address2`).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub address2: String,
    /// City.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub city: String,
    /// State.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub state: String,
    /// Postal code.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub zip: String,
    /// Two-letter country code.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub country: String,
    /// Whether this is the account's default address (`isDefault`).
    #[serde(
        rename = "isDefault",
        default,
        deserialize_with = "crate::de::opt_bool"
    )]
    pub is_default: Option<bool>,
    /// Every other field AC sent (`district`, `allgroup`, `links`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Identified for Address {
    fn id_value(&self) -> u64 {
        self.id.get()
    }
}

/// The body of an address create or update, with AC's documented (snake_case) names:
/// [`AddressInput::new`] for a create (company, first line and country are required),
/// [`AddressInput::update`] for an update that sends only what is set.
///
/// ```
/// use ac_client::addresses::AddressInput;
///
/// let input = AddressInput::new("Acme", "1 Main St", "US").city("Chicago").default_address(true);
/// assert_eq!(
///     serde_json::to_value(&input).unwrap(),
///     serde_json::json!({"company_name":"Acme","address_1":"1 Main St","country":"US",
///         "city":"Chicago","is_default":true})
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AddressInput {
    /// Company name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// First line.
    #[serde(rename = "address_1", skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    /// Second line.
    #[serde(rename = "address_2", skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    /// Two-letter country code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// District (for countries that use one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// Whether this becomes the default address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
}

impl AddressInput {
    /// A new address: company, first line and two-letter country code.
    pub fn new(
        company_name: impl Into<String>,
        address1: impl Into<String>,
        country: impl Into<String>,
    ) -> Self {
        AddressInput {
            company_name: Some(company_name.into()),
            address1: Some(address1.into()),
            country: Some(country.into()),
            ..Self::default()
        }
    }

    /// An update that changes nothing until fields are set.
    pub fn update() -> Self {
        Self::default()
    }

    /// Sets the company name.
    pub fn company_name(mut self, v: impl Into<String>) -> Self {
        self.company_name = Some(v.into());
        self
    }

    /// Sets the first line.
    pub fn address1(mut self, v: impl Into<String>) -> Self {
        self.address1 = Some(v.into());
        self
    }

    /// Sets the second line.
    pub fn address2(mut self, v: impl Into<String>) -> Self {
        self.address2 = Some(v.into());
        self
    }

    /// Sets the city.
    pub fn city(mut self, v: impl Into<String>) -> Self {
        self.city = Some(v.into());
        self
    }

    /// Sets the state.
    pub fn state(mut self, v: impl Into<String>) -> Self {
        self.state = Some(v.into());
        self
    }

    /// Sets the postal code.
    pub fn zip(mut self, v: impl Into<String>) -> Self {
        self.zip = Some(v.into());
        self
    }

    /// Sets the country code.
    pub fn country(mut self, v: impl Into<String>) -> Self {
        self.country = Some(v.into());
        self
    }

    /// Makes (or unmakes) this the default address.
    pub fn default_address(mut self, on: bool) -> Self {
        self.is_default = Some(on);
        self
    }

    /// Checks the input as the client does before sending: set required text must not be
    /// blank, and a country is two ASCII letters.
    pub fn validate(&self) -> Result<()> {
        for (field, value) in [
            ("company_name", &self.company_name),
            ("address_1", &self.address1),
            ("country", &self.country),
        ] {
            if let Some(v) = value {
                require_text(field, v)?;
            }
        }
        match self.country.as_deref().map(str::trim) {
            Some(c) if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) => Err(
                Error::invalid("country", "must be a two-letter country code"),
            ),
            _ => Ok(()),
        }
    }
}

/// Paging for the addresses listing (AC documents no filters).
pub type AddressQuery = crate::query::PageQuery;

#[derive(Deserialize)]
struct AddressEnvelope {
    address: Address,
}

#[derive(Deserialize)]
struct AddressList {
    addresses: Vec<Address>,
    #[serde(default)]
    meta: Meta,
}

/// The addresses handler: `client.addresses()`.
#[derive(Debug, Clone, Copy)]
pub struct Addresses<'c> {
    client: &'c Client,
}

impl Client {
    /// Sender addresses: CRUD.
    pub fn addresses(&self) -> Addresses<'_> {
        Addresses { client: self }
    }
}

impl<'c> Addresses<'c> {
    /// One page of addresses (`GET /addresses`).
    pub async fn list(&self, query: impl Borrow<AddressQuery>) -> Result<Page<Address>> {
        list_page(self.client, query.borrow()).await
    }

    /// Every address, fetched lazily.
    pub fn stream(
        &self,
        query: impl Borrow<AddressQuery>,
    ) -> impl Stream<Item = Result<Address>> + Send + 'static {
        query_stream(self.client, *query.borrow(), |client, q| async move {
            list_page(&client, &q).await
        })
    }

    /// Reads an address (`GET /addresses/{id}`).
    pub async fn get(&self, id: impl Into<AddressId>) -> Result<Address> {
        let req = ApiRequest::get(format!("addresses/{}", id.into()));
        Ok(self.client.send::<AddressEnvelope>(req).await?.address)
    }

    /// Creates an address (`POST /addresses`; never retried after a 5xx).
    pub async fn create(&self, input: impl Borrow<AddressInput>) -> Result<Address> {
        let input = input.borrow();
        input.validate()?;
        let req = ApiRequest::post("addresses", &wrap("address", input)?)?;
        Ok(self.client.send::<AddressEnvelope>(req).await?.address)
    }

    /// Changes what `input` sets (`PUT /addresses/{id}`).
    pub async fn update(
        &self,
        id: impl Into<AddressId>,
        input: impl Borrow<AddressInput>,
    ) -> Result<Address> {
        let input = input.borrow();
        input.validate()?;
        let req = ApiRequest::put(format!("addresses/{}", id.into()), &wrap("address", input)?)?;
        Ok(self.client.send::<AddressEnvelope>(req).await?.address)
    }

    /// Deletes an address (`DELETE /addresses/{id}`).
    pub async fn delete(&self, id: impl Into<AddressId>) -> Result<()> {
        self.client
            .send_empty(ApiRequest::delete(format!("addresses/{}", id.into())))
            .await
    }
}

async fn list_page(client: &Client, query: &AddressQuery) -> Result<Page<Address>> {
    let req = ApiRequest::get("addresses").query(query.to_query()?);
    let list: AddressList = client.send(req).await?;
    Ok(Page {
        items: list.addresses,
        total: list.meta.total,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn address_reads_acs_shape_and_input_is_checked() {
        let a: Address = serde_json::from_value(json!({"companyName":"Test Company Name",
            "address1":"Test Address","address2":"","city":"","state":"","district":"",
            "zip":"","country":"US","allgroup":"0","isDefault":"1","links":{},"id":"1"}))
        .unwrap();
        assert_eq!((a.id, a.is_default), (AddressId(1), Some(true)));
        assert_eq!(a.company_name, "Test Company Name");
        let bad = AddressInput::new("Acme", "1 Main St", "USA");
        assert_eq!(bad.validate().unwrap_err().field(), Some("country"));
        let blank = AddressInput::update().company_name(" ");
        assert_eq!(blank.validate().unwrap_err().field(), Some("company_name"));
        assert!(AddressInput::update().zip("1").validate().is_ok());
    }
}
