//! E-commerce (Deep Data): connections to external stores (`/connections`), their customers
//! (`/ecomCustomers`), and orders with their products (`/ecomOrders`, `/ecomOrderProducts`).
//!
//! Every amount is an integer in cents (`totalPrice: 9111` is 91.11), as AC takes and answers
//! it. A connection's `service` + `externalid` is unique; a customer's and an order's
//! `externalid` is unique within its connection: AC answers 422 ([`crate::Error::is_duplicate`]).
//!
//! ```
//! use ac_client::ecom::{EcomOrderInput, OrderProductInput};
//!
//! let order = EcomOrderInput::new("3246315233", "alice@example.com", 1u64, 1u64)
//!     .created_at("2016-09-13T17:41:39-04:00")
//!     .product(OrderProductInput::new("PROD12345", "Pogo Stick", 4900, 1).sku("POGO-12"))
//!     .total_price(4900)
//!     .currency("USD");
//! let body = serde_json::to_value(&order).unwrap();
//! assert_eq!(body["totalPrice"], 4900);
//! assert_eq!(body["orderProducts"][0]["price"], 4900);
//! assert_eq!(body["connectionid"], "1");
//! ```

use std::borrow::Borrow;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::{ConnectionId, ContactId, EcomCustomerId, EcomOrderId, EcomOrderProductId};
use crate::page::{query_stream, BoxStream, Identified, Meta, Page};
use crate::query::{check_limit, paged_query, push_paging};
use crate::resources::accounts::opt_id;
use crate::resources::{require_text, wrap};

/// A connection to an external store, as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// The connection's id.
    pub id: ConnectionId,
    /// The external service (`shopify`, ...).
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub service: String,
    /// The store's id in that service.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub externalid: String,
    /// Display name.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub name: String,
    /// Logo URL (`logoUrl`).
    #[serde(
        rename = "logoUrl",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub logo_url: String,
    /// Link to the store (`linkUrl`).
    #[serde(
        rename = "linkUrl",
        default,
        deserialize_with = "crate::de::string_lenient"
    )]
    pub link_url: String,
    /// Creation time, when AC includes it.
    #[serde(default, deserialize_with = "crate::de::opt_datetime")]
    pub cdate: Option<DateTime<FixedOffset>>,
    /// Every other field AC sent (`status`, `syncStatus`, `links`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An e-commerce customer of one connection, as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EcomCustomer {
    /// The customer's id.
    pub id: EcomCustomerId,
    /// Its connection (`connectionid`).
    #[serde(default, deserialize_with = "opt_id")]
    pub connectionid: Option<ConnectionId>,
    /// The customer's id in the external service.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub externalid: String,
    /// Email.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub email: String,
    /// Whether the customer accepts marketing (`acceptsMarketing`), when AC includes it.
    #[serde(
        rename = "acceptsMarketing",
        default,
        deserialize_with = "crate::de::opt_bool"
    )]
    pub accepts_marketing: Option<bool>,
    /// Revenue of the customer's orders in cents (`totalRevenue`).
    #[serde(
        rename = "totalRevenue",
        default,
        deserialize_with = "crate::de::opt_i64"
    )]
    pub total_revenue: Option<i64>,
    /// Number of orders (`totalOrders`).
    #[serde(
        rename = "totalOrders",
        default,
        deserialize_with = "crate::de::opt_u64"
    )]
    pub total_orders: Option<u64>,
    /// Every other field AC sent (`totalProducts`, `tstamp`, `links`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An order (or an abandoned cart, with only `externalcheckoutid`), as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EcomOrder {
    /// The order's id.
    pub id: EcomOrderId,
    /// The order's id in the external service; `None` for an abandoned cart.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub externalid: Option<String>,
    /// The checkout's id in the external service, when set.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub externalcheckoutid: Option<String>,
    /// Email of the buyer.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub email: String,
    /// Total in cents (`totalPrice`).
    #[serde(
        rename = "totalPrice",
        default,
        deserialize_with = "crate::de::opt_i64"
    )]
    pub total_price: Option<i64>,
    /// Shipping in cents (`shippingAmount`).
    #[serde(
        rename = "shippingAmount",
        default,
        deserialize_with = "crate::de::opt_i64"
    )]
    pub shipping_amount: Option<i64>,
    /// Tax in cents (`taxAmount`).
    #[serde(rename = "taxAmount", default, deserialize_with = "crate::de::opt_i64")]
    pub tax_amount: Option<i64>,
    /// Discount in cents (`discountAmount`).
    #[serde(
        rename = "discountAmount",
        default,
        deserialize_with = "crate::de::opt_i64"
    )]
    pub discount_amount: Option<i64>,
    /// Three-letter currency code.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub currency: String,
    /// Its connection (`connectionid`).
    #[serde(default, deserialize_with = "opt_id")]
    pub connectionid: Option<ConnectionId>,
    /// Its customer (`customerid`).
    #[serde(default, deserialize_with = "opt_id")]
    pub customerid: Option<EcomCustomerId>,
    /// The buyer's contact, when AC includes it.
    #[serde(default, deserialize_with = "opt_id")]
    pub contact: Option<ContactId>,
    /// The store's order number (`orderNumber`).
    #[serde(
        rename = "orderNumber",
        default,
        deserialize_with = "crate::de::opt_string"
    )]
    pub order_number: Option<String>,
    /// When the order was placed (`orderDate`), as AC sent it.
    #[serde(
        rename = "orderDate",
        default,
        deserialize_with = "crate::de::opt_string"
    )]
    pub order_date: Option<String>,
    /// Every other field AC sent (`orderUrl`, `shippingMethod`, `source`, `links`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One product line of an order, as AC returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EcomOrderProduct {
    /// The order product's id.
    pub id: EcomOrderProductId,
    /// The product's id in the external service.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub externalid: String,
    /// Product name.
    #[serde(default, deserialize_with = "crate::de::string_lenient")]
    pub name: String,
    /// Unit price in cents.
    #[serde(default, deserialize_with = "crate::de::opt_i64")]
    pub price: Option<i64>,
    /// Quantity.
    #[serde(default, deserialize_with = "crate::de::u64_lenient")]
    pub quantity: u64,
    /// Its order (`orderid`), when AC includes it.
    #[serde(default, deserialize_with = "opt_id")]
    pub orderid: Option<EcomOrderId>,
    /// Every other field AC sent (`category`, `sku`, `imageUrl`, `productUrl`...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

macro_rules! identified {
    ($($t:ty),*) => {$(
        impl Identified for $t {
            fn id_value(&self) -> u64 {
                self.id.get()
            }
        }
    )*};
}
identified!(Connection, EcomCustomer, EcomOrder, EcomOrderProduct);

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

    fn check(&self) -> Result<()> {
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

    fn check(&self) -> Result<()> {
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

    fn check(&self) -> Result<()> {
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

#[derive(Deserialize)]
struct ConnectionEnvelope {
    connection: Connection,
}

#[derive(Deserialize)]
struct CustomerEnvelope {
    #[serde(rename = "ecomCustomer")]
    customer: EcomCustomer,
}

/// An order as create, update and retrieve answer it: the order with its products.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EcomOrderWithProducts {
    /// The order.
    #[serde(rename = "ecomOrder")]
    pub order: EcomOrder,
    /// Its products (`ecomOrderProducts`), when AC side-loads them.
    #[serde(rename = "ecomOrderProducts", default)]
    pub products: Vec<EcomOrderProduct>,
}

#[derive(Deserialize)]
struct ProductEnvelope {
    #[serde(rename = "ecomOrderProduct")]
    product: EcomOrderProduct,
}

#[derive(Deserialize)]
struct List<T> {
    #[serde(
        default = "Vec::new",
        alias = "connections",
        alias = "ecomCustomers",
        alias = "ecomOrders",
        alias = "ecomOrderProducts"
    )]
    rows: Vec<T>,
    #[serde(default)]
    meta: Meta,
}

async fn page<T>(client: &Client, path: String, query: &EcomQuery) -> Result<Page<T>>
where
    T: serde::de::DeserializeOwned,
{
    let req = ApiRequest::get(path).query(query.to_query()?);
    let list: List<T> = client.send(req).await?;
    Ok(Page {
        items: list.rows,
        total: list.meta.total,
    })
}

fn stream<T>(client: &Client, path: &'static str, query: &EcomQuery) -> BoxStream<T>
where
    T: serde::de::DeserializeOwned + Identified + Send + 'static,
{
    query_stream(client, query.clone(), move |client, q| async move {
        page(&client, path.to_owned(), &q).await
    })
}

/// The connections handler: `client.connections()`.
#[derive(Debug, Clone, Copy)]
pub struct Connections<'c> {
    client: &'c Client,
}

/// The e-commerce customers handler: `client.ecom_customers()`.
#[derive(Debug, Clone, Copy)]
pub struct EcomCustomers<'c> {
    client: &'c Client,
}

/// The orders handler (and their products): `client.ecom_orders()`.
#[derive(Debug, Clone, Copy)]
pub struct EcomOrders<'c> {
    client: &'c Client,
}

impl Client {
    /// E-commerce connections: CRUD, list and stream.
    pub fn connections(&self) -> Connections<'_> {
        Connections { client: self }
    }

    /// E-commerce customers: CRUD, list and stream.
    pub fn ecom_customers(&self) -> EcomCustomers<'_> {
        EcomCustomers { client: self }
    }

    /// E-commerce orders and their products: CRUD, list and stream.
    pub fn ecom_orders(&self) -> EcomOrders<'_> {
        EcomOrders { client: self }
    }
}

impl Connections<'_> {
    /// Creates a connection (`POST /connections`; never retried after a 5xx).
    pub async fn create(&self, input: impl Borrow<ConnectionInput>) -> Result<Connection> {
        let input = input.borrow();
        input.check()?;
        let req = ApiRequest::post("connections", &wrap("connection", input)?)?;
        Ok(self
            .client
            .send::<ConnectionEnvelope>(req)
            .await?
            .connection)
    }

    /// Reads a connection (`GET /connections/{id}`).
    pub async fn get(&self, id: impl Into<ConnectionId>) -> Result<Connection> {
        let req = ApiRequest::get(format!("connections/{}", id.into()));
        Ok(self
            .client
            .send::<ConnectionEnvelope>(req)
            .await?
            .connection)
    }

    /// Changes what `input` sets (`PUT /connections/{id}`).
    pub async fn update(
        &self,
        id: impl Into<ConnectionId>,
        input: impl Borrow<ConnectionInput>,
    ) -> Result<Connection> {
        let input = input.borrow();
        input.check()?;
        let body = wrap("connection", input)?;
        let req = ApiRequest::put(format!("connections/{}", id.into()), &body)?;
        Ok(self
            .client
            .send::<ConnectionEnvelope>(req)
            .await?
            .connection)
    }

    /// Deletes a connection (`DELETE /connections/{id}`).
    pub async fn delete(&self, id: impl Into<ConnectionId>) -> Result<()> {
        let req = ApiRequest::delete(format!("connections/{}", id.into()));
        self.client.send_empty(req).await
    }

    /// One page of connections (`GET /connections`; filters: service, externalid).
    pub async fn list(&self, query: impl Borrow<EcomQuery>) -> Result<Page<Connection>> {
        page(self.client, "connections".into(), query.borrow()).await
    }

    /// Every connection, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(&self, query: impl Borrow<EcomQuery>) -> BoxStream<Connection> {
        stream(self.client, "connections", query.borrow())
    }
}

impl EcomCustomers<'_> {
    /// Creates a customer (`POST /ecomCustomers`; never retried after a 5xx).
    pub async fn create(&self, input: impl Borrow<EcomCustomerInput>) -> Result<EcomCustomer> {
        let input = input.borrow();
        input.check()?;
        let req = ApiRequest::post("ecomCustomers", &wrap("ecomCustomer", input)?)?;
        Ok(self.client.send::<CustomerEnvelope>(req).await?.customer)
    }

    /// Reads a customer (`GET /ecomCustomers/{id}`).
    pub async fn get(&self, id: impl Into<EcomCustomerId>) -> Result<EcomCustomer> {
        let req = ApiRequest::get(format!("ecomCustomers/{}", id.into()));
        Ok(self.client.send::<CustomerEnvelope>(req).await?.customer)
    }

    /// Changes what `input` sets (`PUT /ecomCustomers/{id}`).
    pub async fn update(
        &self,
        id: impl Into<EcomCustomerId>,
        input: impl Borrow<EcomCustomerInput>,
    ) -> Result<EcomCustomer> {
        let input = input.borrow();
        input.check()?;
        let body = wrap("ecomCustomer", input)?;
        let req = ApiRequest::put(format!("ecomCustomers/{}", id.into()), &body)?;
        Ok(self.client.send::<CustomerEnvelope>(req).await?.customer)
    }

    /// Deletes a customer (`DELETE /ecomCustomers/{id}`).
    pub async fn delete(&self, id: impl Into<EcomCustomerId>) -> Result<()> {
        let req = ApiRequest::delete(format!("ecomCustomers/{}", id.into()));
        self.client.send_empty(req).await
    }

    /// One page of customers (`GET /ecomCustomers`; filters: email, externalid, connection).
    pub async fn list(&self, query: impl Borrow<EcomQuery>) -> Result<Page<EcomCustomer>> {
        page(self.client, "ecomCustomers".into(), query.borrow()).await
    }

    /// Every customer, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(&self, query: impl Borrow<EcomQuery>) -> BoxStream<EcomCustomer> {
        stream(self.client, "ecomCustomers", query.borrow())
    }
}

impl EcomOrders<'_> {
    /// Creates an order (`POST /ecomOrders`; never retried after a 5xx). AC creates the
    /// contact with the order's email when there is none.
    pub async fn create(
        &self,
        input: impl Borrow<EcomOrderInput>,
    ) -> Result<EcomOrderWithProducts> {
        let input = input.borrow();
        input.check()?;
        let req = ApiRequest::post("ecomOrders", &wrap("ecomOrder", input)?)?;
        self.client.send(req).await
    }

    /// Reads an order with its products (`GET /ecomOrders/{id}`).
    pub async fn get(&self, id: impl Into<EcomOrderId>) -> Result<EcomOrderWithProducts> {
        let req = ApiRequest::get(format!("ecomOrders/{}", id.into()));
        self.client.send(req).await
    }

    /// Changes what `input` sets (`PUT /ecomOrders/{id}`).
    pub async fn update(
        &self,
        id: impl Into<EcomOrderId>,
        input: impl Borrow<EcomOrderInput>,
    ) -> Result<EcomOrderWithProducts> {
        let input = input.borrow();
        input.check()?;
        let body = wrap("ecomOrder", input)?;
        let req = ApiRequest::put(format!("ecomOrders/{}", id.into()), &body)?;
        self.client.send(req).await
    }

    /// Deletes an order (`DELETE /ecomOrders/{id}`).
    pub async fn delete(&self, id: impl Into<EcomOrderId>) -> Result<()> {
        let req = ApiRequest::delete(format!("ecomOrders/{}", id.into()));
        self.client.send_empty(req).await
    }

    /// One page of orders (`GET /ecomOrders`; filters: email, externalid, checkout id,
    /// connection, customer).
    pub async fn list(&self, query: impl Borrow<EcomQuery>) -> Result<Page<EcomOrder>> {
        page(self.client, "ecomOrders".into(), query.borrow()).await
    }

    /// Every order, fetched lazily (page size: the query's limit, or 100).
    pub fn stream(&self, query: impl Borrow<EcomQuery>) -> BoxStream<EcomOrder> {
        stream(self.client, "ecomOrders", query.borrow())
    }

    /// One page of an order's products (`GET /ecomOrders/{id}/orderProducts`).
    pub async fn products(
        &self,
        id: impl Into<EcomOrderId>,
        query: impl Borrow<EcomQuery>,
    ) -> Result<Page<EcomOrderProduct>> {
        let path = format!("ecomOrders/{}/orderProducts", id.into());
        page(self.client, path, query.borrow()).await
    }

    /// One page of every order's products (`GET /ecomOrderProducts`).
    pub async fn all_products(
        &self,
        query: impl Borrow<EcomQuery>,
    ) -> Result<Page<EcomOrderProduct>> {
        page(self.client, "ecomOrderProducts".into(), query.borrow()).await
    }

    /// Reads one order product (`GET /ecomOrderProducts/{id}`).
    pub async fn product(&self, id: impl Into<EcomOrderProductId>) -> Result<EcomOrderProduct> {
        let req = ApiRequest::get(format!("ecomOrderProducts/{}", id.into()));
        Ok(self.client.send::<ProductEnvelope>(req).await?.product)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn order_model_reads_ac_shape_in_cents() {
        let o: EcomOrderWithProducts = serde_json::from_value(json!({
            "ecomOrder": {"externalid": "3246315233", "email": "a@example.com",
                "totalPrice": 9111, "shippingAmount": "200", "currency": "USD",
                "connectionid": "1", "customerid": "2", "orderNumber": "myorder-123",
                "orderUrl": "https://example.com/o", "id": "7"},
            "ecomOrderProducts": [{"externalid": "P1", "name": "Pogo Stick", "price": 4900,
                "quantity": "1", "orderid": "7", "id": "3"}]
        }))
        .unwrap();
        assert_eq!(o.order.id, EcomOrderId(7));
        assert_eq!(o.order.total_price, Some(9111));
        assert_eq!(o.order.shipping_amount, Some(200));
        assert_eq!(o.order.customerid, Some(EcomCustomerId(2)));
        assert!(o.order.extra.contains_key("orderUrl"));
        assert_eq!(o.products[0].price, Some(4900));
        assert_eq!(o.products[0].quantity, 1);
    }

    #[test]
    fn updates_send_only_what_is_set_and_blank_text_is_refused() {
        let i = EcomOrderInput::update().total_price(1500);
        assert_eq!(
            wrap("ecomOrder", &i).unwrap(),
            json!({"ecomOrder": {"totalPrice": 1500}})
        );
        let c = EcomCustomerInput::update().accepts_marketing(false);
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            json!({"acceptsMarketing": "0"})
        );
        let blank = ConnectionInput::update().name(" ");
        assert_eq!(blank.check().unwrap_err().field(), Some("name"));
        assert_eq!(
            EcomQuery::new()
                .connection(3u64)
                .email("a@example.com")
                .limit(5)
                .to_query()
                .unwrap(),
            [
                ("filters[connectionid]".into(), "3".into()),
                ("filters[email]".into(), "a@example.com".into()),
                ("limit".into(), "5".into())
            ]
        );
    }
}
