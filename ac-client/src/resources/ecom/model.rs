//! What AC answers: connections, customers, orders and their product lines.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::{ConnectionId, ContactId, EcomCustomerId, EcomOrderId, EcomOrderProductId};
use crate::page::Identified;
use crate::resources::accounts::opt_id;

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
