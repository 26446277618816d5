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

use serde::Deserialize;

use crate::client::Client;
use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::{ConnectionId, EcomCustomerId, EcomOrderId, EcomOrderProductId};
use crate::page::{query_stream, BoxStream, Identified, Meta, Page};
use crate::resources::wrap;

mod input;
mod model;

pub use input::{ConnectionInput, EcomCustomerInput, EcomOrderInput, EcomQuery, OrderProductInput};
pub use model::{Connection, EcomCustomer, EcomOrder, EcomOrderProduct, EcomOrderWithProducts};

#[derive(Deserialize)]
struct ConnectionEnvelope {
    connection: Connection,
}

#[derive(Deserialize)]
struct CustomerEnvelope {
    #[serde(rename = "ecomCustomer")]
    customer: EcomCustomer,
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
