//! What is sent: connection, customer and order bodies (amounts in cents), and the list
//! filters.

use serde::Serialize;

use crate::error::Result;
use crate::ids::{ConnectionId, EcomCustomerId};
use crate::query::{check_limit, paged_query, push_paging};
use crate::resources::require_text;

/// The body of a connection create or update. AC requires every attribute on create:
/// [`ConnectionInput::new`] takes them all; [`ConnectionInput::update`] sends only what is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConnectionInput {
    /// The external service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The store's id in that service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub externalid: Option<String>,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Logo URL.
    #[serde(rename = "logoUrl", skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Link to the store.
    #[serde(rename = "linkUrl", skip_serializing_if = "Option::is_none")]
    pub link_url: Option<String>,
}

impl ConnectionInput {
    /// A new connection: service, external id, name, logo URL and link URL.
    pub fn new(
        service: impl Into<String>,
        externalid: impl Into<String>,
        name: impl Into<String>,
        logo_url: impl Into<String>,
        link_url: impl Into<String>,
    ) -> Self {
        Self {
            service: Some(service.into()),
            externalid: Some(externalid.into()),
            name: Some(name.into()),
            logo_url: Some(logo_url.into()),
            link_url: Some(link_url.into()),
        }
    }

    /// An update that changes nothing until fields are set.
    pub fn update() -> Self {
        Self::default()
    }

    /// Sets the display name.
    pub fn name(mut self, v: impl Into<String>) -> Self {
        self.name = Some(v.into());
        self
    }

    /// Sets the logo URL.
    pub fn logo_url(mut self, v: impl Into<String>) -> Self {
        self.logo_url = Some(v.into());
        self
    }

    /// Sets the link URL.
    pub fn link_url(mut self, v: impl Into<String>) -> Self {
        self.link_url = Some(v.into());
        self
    }

    pub(super) fn check(&self) -> Result<()> {
        check_set(&[
            ("service", &self.service),
            ("externalid", &self.externalid),
            ("name", &self.name),
            ("logoUrl", &self.logo_url),
            ("linkUrl", &self.link_url),
        ])
    }
}

/// Set text must not be blank.
fn check_set(fields: &[(&str, &Option<String>)]) -> Result<()> {
    for (field, v) in fields {
        if let Some(v) = v {
            require_text(field, v)?;
        }
    }
    Ok(())
}

/// The body of a customer create or update: [`EcomCustomerInput::new`] (connection, external
/// id and email are required) or [`EcomCustomerInput::update`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EcomCustomerInput {
    /// The customer's connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connectionid: Option<ConnectionId>,
    /// The customer's id in the external service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub externalid: Option<String>,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Accepts marketing, sent as `"1"`/`"0"`.
    #[serde(
        rename = "acceptsMarketing",
        skip_serializing_if = "Option::is_none",
        serialize_with = "flag"
    )]
    pub accepts_marketing: Option<bool>,
}

fn flag<S: serde::Serializer>(v: &Option<bool>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match v {
        Some(b) => s.serialize_str(if *b { "1" } else { "0" }),
        None => s.serialize_none(),
    }
}

impl EcomCustomerInput {
    /// A new customer of `connection`.
    pub fn new(
        connection: impl Into<ConnectionId>,
        externalid: impl Into<String>,
        email: impl Into<String>,
    ) -> Self {
        Self {
            connectionid: Some(connection.into()),
            externalid: Some(externalid.into()),
            email: Some(email.into()),
            accepts_marketing: None,
        }
    }

    /// An update that changes nothing until fields are set.
    pub fn update() -> Self {
        Self::default()
    }

    /// Sets the email.
    pub fn email(mut self, v: impl Into<String>) -> Self {
        self.email = Some(v.into());
        self
    }

    /// Sets whether the customer accepts marketing.
    pub fn accepts_marketing(mut self, v: bool) -> Self {
        self.accepts_marketing = Some(v);
        self
    }

    pub(super) fn check(&self) -> Result<()> {
        check_set(&[("externalid", &self.externalid), ("email", &self.email)])
    }
}

/// One product line of an order body (amounts in cents).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OrderProductInput {
    /// The product's id in the external service.
    pub externalid: String,
    /// Product name.
    pub name: String,
    /// Unit price in cents.
    pub price: i64,
    /// Quantity.
    pub quantity: u64,
    /// Category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// SKU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Image URL.
    #[serde(rename = "imageUrl", skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Product page URL.
    #[serde(rename = "productUrl", skip_serializing_if = "Option::is_none")]
    pub product_url: Option<String>,
}

impl OrderProductInput {
    /// A product line: external id, name, unit price in cents, quantity.
    pub fn new(
        externalid: impl Into<String>,
        name: impl Into<String>,
        price: i64,
        quantity: u64,
    ) -> Self {
        Self {
            externalid: externalid.into(),
            name: name.into(),
            price,
            quantity,
            ..Self::default()
        }
    }

    /// Sets the category.
    pub fn category(mut self, v: impl Into<String>) -> Self {
        self.category = Some(v.into());
        self
    }

    /// Sets the SKU.
    pub fn sku(mut self, v: impl Into<String>) -> Self {
        self.sku = Some(v.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, v: impl Into<String>) -> Self {
        self.description = Some(v.into());
        self
    }

    /// Sets the image URL.
    pub fn image_url(mut self, v: impl Into<String>) -> Self {
        self.image_url = Some(v.into());
        self
    }

    /// Sets the product page URL.
    pub fn product_url(mut self, v: impl Into<String>) -> Self {
        self.product_url = Some(v.into());
        self
    }
}

/// The body of an order create or update (amounts in cents).
///
/// [`EcomOrderInput::new`] starts an order (`externalid`, `source` 1); AC also requires
/// products, `totalPrice`, `currency` and the creation date ([`EcomOrderInput::created_at`]).
/// [`EcomOrderInput::update`] sends only what is set; products, when set, replace the order's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // each field is the AC attribute of the same name, set by its builder
pub struct EcomOrderInput {
    #[serde(rename = "externalid", skip_serializing_if = "Option::is_none")]
    pub externalid: Option<String>,
    #[serde(rename = "externalcheckoutid", skip_serializing_if = "Option::is_none")]
    pub externalcheckoutid: Option<String>,
    /// 1: real time (the default of [`EcomOrderInput::new`]), 0: historical import.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_products: Option<Vec<OrderProductInput>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_price: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(rename = "connectionid", skip_serializing_if = "Option::is_none")]
    pub connectionid: Option<ConnectionId>,
    #[serde(rename = "customerid", skip_serializing_if = "Option::is_none")]
    pub customerid: Option<EcomCustomerId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_created_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_updated_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abandoned_date: Option<String>,
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $field:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, v: impl Into<String>) -> Self {
            self.$field = Some(v.into());
            self
        }
    )*};
}

impl EcomOrderInput {
    /// A new real-time order (`source` 1) of `customer` in `connection`.
    pub fn new(
        externalid: impl Into<String>,
        email: impl Into<String>,
        connection: impl Into<ConnectionId>,
        customer: impl Into<EcomCustomerId>,
    ) -> Self {
        Self {
            externalid: Some(externalid.into()),
            source: Some("1".into()),
            email: Some(email.into()),
            connectionid: Some(connection.into()),
            customerid: Some(customer.into()),
            ..Self::default()
        }
    }

    /// An update that changes nothing until fields are set.
    pub fn update() -> Self {
        Self::default()
    }

    /// Adds a product line (the first one replaces an update's "unchanged").
    pub fn product(mut self, p: OrderProductInput) -> Self {
        self.order_products.get_or_insert_with(Vec::new).push(p);
        self
    }

    /// Sets `source`: `true` for real time (1), `false` for a historical import (0).
    pub fn real_time(mut self, v: bool) -> Self {
        self.source = Some(if v { "1" } else { "0" }.into());
        self
    }

    /// Sets the total in cents.
    pub fn total_price(mut self, cents: i64) -> Self {
        self.total_price = Some(cents);
        self
    }

    /// Sets the shipping amount in cents.
    pub fn shipping_amount(mut self, cents: i64) -> Self {
        self.shipping_amount = Some(cents);
        self
    }

    /// Sets the tax amount in cents.
    pub fn tax_amount(mut self, cents: i64) -> Self {
        self.tax_amount = Some(cents);
        self
    }

    /// Sets the discount amount in cents.
    pub fn discount_amount(mut self, cents: i64) -> Self {
        self.discount_amount = Some(cents);
        self
    }

    setters! {
        /// Sets the checkout's external id (`externalcheckoutid`).
        checkout_id: externalcheckoutid;
        /// Sets the email.
        email: email;
        /// Sets the three-letter currency code.
        currency: currency;
        /// Sets the order's URL.
        order_url: order_url;
        /// Sets the shipping method.
        shipping_method: shipping_method;
        /// Sets the store's order number.
        order_number: order_number;
        /// Sets when the order was placed (`externalCreatedDate`, ISO 8601).
        created_at: external_created_date;
        /// Sets when the order last changed (`externalUpdatedDate`, ISO 8601).
        updated_at: external_updated_date;
        /// Sets when the cart was abandoned (`abandonedDate`, ISO 8601).
        abandoned_at: abandoned_date;
    }

    pub(super) fn check(&self) -> Result<()> {
        check_set(&[
            ("externalid", &self.externalid),
            ("email", &self.email),
            ("currency", &self.currency),
        ])
    }
}

/// Filters and paging for the e-commerce lists (`filters[...]`): which filters AC documents
/// depends on the list, see each handler's `list`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EcomQuery {
    filters: Vec<(&'static str, String)>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl EcomQuery {
    /// Every row.
    pub fn new() -> Self {
        Self::default()
    }

    fn filter(mut self, key: &'static str, v: String) -> Self {
        self.filters.retain(|(k, _)| *k != key);
        self.filters.push((key, v));
        self
    }

    /// `filters[email]` (customers, orders).
    pub fn email(self, v: impl Into<String>) -> Self {
        self.filter("email", v.into())
    }

    /// `filters[externalid]` (connections, customers, orders).
    pub fn externalid(self, v: impl Into<String>) -> Self {
        self.filter("externalid", v.into())
    }

    /// `filters[externalcheckoutid]` (orders).
    pub fn checkout_id(self, v: impl Into<String>) -> Self {
        self.filter("externalcheckoutid", v.into())
    }

    /// `filters[service]` (connections).
    pub fn service(self, v: impl Into<String>) -> Self {
        self.filter("service", v.into())
    }

    /// `filters[connectionid]` (customers, orders).
    pub fn connection(self, id: impl Into<ConnectionId>) -> Self {
        self.filter("connectionid", id.into().to_string())
    }

    /// `filters[customerid]` (orders).
    pub fn customer(self, id: impl Into<EcomCustomerId>) -> Self {
        self.filter("customerid", id.into().to_string())
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

paged_query!(EcomQuery);
