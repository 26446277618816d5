//! E-commerce (Deep Data): connections (`/connections`), their customers (`/ecomCustomers`)
//! and orders with their products (`/ecomOrders`, `/ecomOrderProducts`). Amounts are integers
//! in cents, as AC takes and answers them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::contacts::is_valid_email;
use super::{ContactInput, Entity, Store, StoreError, StoreResult, Table};

/// The e-commerce tables of one account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ecom {
    /// Connections to external stores.
    pub connections: Table<Connection>,
    /// Customers of a connection.
    pub customers: Table<EcomCustomer>,
    /// Orders (and abandoned carts) of a connection's customers.
    pub orders: Table<EcomOrder>,
    /// The products of orders.
    pub products: Table<OrderProduct>,
}

/// A connection to an external store (`service` + `externalid` is unique).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// Id.
    pub id: u64,
    /// The external service's name (`shopify`, ...).
    pub service: String,
    /// The store's id in that service.
    pub externalid: String,
    /// Display name.
    pub name: String,
    /// Logo URL.
    pub logo_url: String,
    /// Link to the store.
    pub link_url: String,
    /// Creation time.
    pub cdate: DateTime<Utc>,
    /// Last change.
    pub udate: DateTime<Utc>,
}

/// What a connection body may set (every attribute is required on create).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)] // the attributes are AC's
pub struct ConnectionInput {
    pub service: Option<String>,
    pub externalid: Option<String>,
    pub name: Option<String>,
    pub logo_url: Option<String>,
    pub link_url: Option<String>,
}

/// A customer of one connection (`externalid` is unique per connection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcomCustomer {
    /// Id.
    pub id: u64,
    /// Its connection.
    pub connectionid: u64,
    /// The customer's id in the external service.
    pub externalid: String,
    /// Email.
    pub email: String,
    /// Whether the customer accepts marketing.
    pub accepts_marketing: bool,
    /// Creation time.
    pub tstamp: DateTime<Utc>,
}

/// What a customer body may set (`connectionid`, `externalid`, `email` required on create).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)] // the attributes are AC's
pub struct CustomerInput {
    pub connectionid: Option<u64>,
    pub externalid: Option<String>,
    pub email: Option<String>,
    pub accepts_marketing: Option<bool>,
}

/// An order (with `externalid`) or an abandoned cart (with only `externalcheckoutid`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // the attributes are AC's; amounts in cents
pub struct EcomOrder {
    pub id: u64,
    pub connectionid: u64,
    pub customerid: u64,
    /// The contact with the order's email (created with the order when there was none).
    pub contact: u64,
    pub externalid: Option<String>,
    pub externalcheckoutid: Option<String>,
    /// 1: real time, 0: historical import.
    pub source: u8,
    pub email: String,
    pub total_price: i64,
    pub shipping_amount: i64,
    pub tax_amount: i64,
    pub discount_amount: i64,
    pub currency: String,
    pub order_url: String,
    pub shipping_method: String,
    pub order_number: String,
    pub external_created_date: String,
    pub external_updated_date: String,
    pub abandoned_date: String,
    pub cdate: DateTime<Utc>,
    pub udate: DateTime<Utc>,
}

/// What an order body may set. Required on create: `externalid` or `externalcheckoutid`,
/// `source`, `email`, `orderProducts`, `totalPrice`, `currency`, `connectionid`,
/// `customerid`, and `externalCreatedDate` (an order) or `abandonedDate` (a cart).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)] // the attributes are AC's; amounts in cents
pub struct OrderInput {
    pub externalid: Option<String>,
    pub externalcheckoutid: Option<String>,
    pub source: Option<u8>,
    pub email: Option<String>,
    pub products: Option<Vec<ProductInput>>,
    pub total_price: Option<i64>,
    pub shipping_amount: Option<i64>,
    pub tax_amount: Option<i64>,
    pub discount_amount: Option<i64>,
    pub currency: Option<String>,
    pub connectionid: Option<u64>,
    pub customerid: Option<u64>,
    pub order_url: Option<String>,
    pub shipping_method: Option<String>,
    pub order_number: Option<String>,
    pub external_created_date: Option<String>,
    pub external_updated_date: Option<String>,
    pub abandoned_date: Option<String>,
}

/// One product of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // the attributes are AC's; price in cents
pub struct OrderProduct {
    pub id: u64,
    pub orderid: u64,
    pub product: ProductInput,
}

/// A product line as sent (`externalid`, `name`, `price`, `quantity` required).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // the attributes are AC's; price in cents
pub struct ProductInput {
    pub externalid: String,
    pub name: String,
    pub price: i64,
    pub quantity: u64,
    pub category: String,
    pub sku: String,
    pub description: String,
    pub image_url: String,
    pub product_url: String,
}

fn missing(attr: &str) -> StoreError {
    StoreError::Missing {
        title: format!("The {attr} was not provided."),
        pointer: format!("/data/attributes/{attr}"),
    }
}

fn duplicate(attr: &str, title: &str) -> StoreError {
    StoreError::Duplicate {
        title: title.into(),
        detail: String::new(),
        pointer: Some(format!("/data/attributes/{attr}")),
    }
}

fn related_missing(attr: &str, what: &str) -> StoreError {
    StoreError::Invalid {
        code: "related_missing",
        title: format!("The related {what} does not exist."),
        pointer: format!("/data/attributes/{attr}"),
        error: None,
    }
}

/// One error, or all of them as one errors array; `Ok` when there are none.
fn all(mut errors: Vec<StoreError>) -> StoreResult<()> {
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => Err(StoreError::Many(errors)),
    }
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn set(slot: &mut String, v: &Option<String>) {
    if let Some(v) = v {
        *slot = v.trim().to_string();
    }
}

impl Store {
    /// Fails with `NotFound` unless the connection exists.
    pub fn connection(&self, id: u64) -> StoreResult<&Connection> {
        self.ecom.connections.get_or(Entity::Connection, id)
    }

    /// Fails with `NotFound` unless the e-commerce customer exists.
    pub fn ecom_customer(&self, id: u64) -> StoreResult<&EcomCustomer> {
        self.ecom.customers.get_or(Entity::EcomCustomer, id)
    }

    /// Fails with `NotFound` unless the order exists.
    pub fn ecom_order(&self, id: u64) -> StoreResult<&EcomOrder> {
        self.ecom.orders.get_or(Entity::EcomOrder, id)
    }

    /// Fails with `NotFound` unless the order product exists.
    pub fn order_product(&self, id: u64) -> StoreResult<&OrderProduct> {
        self.ecom.products.get_or(Entity::EcomOrderProduct, id)
    }

    fn check_connection_unique(
        &self,
        id: Option<u64>,
        service: &str,
        ext: &str,
    ) -> StoreResult<()> {
        let taken = self.ecom.connections.iter().any(|c| {
            Some(c.id) != id && c.service.eq_ignore_ascii_case(service) && c.externalid == ext
        });
        if taken {
            return Err(duplicate(
                "externalid",
                "A connection with this service and externalid already exists.",
            ));
        }
        Ok(())
    }

    /// `POST /connections`: every attribute is required; `service` + `externalid` is unique.
    pub fn create_connection(
        &mut self,
        input: &ConnectionInput,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let attrs = [
            ("service", &input.service),
            ("externalid", &input.externalid),
            ("name", &input.name),
            ("logoUrl", &input.logo_url),
            ("linkUrl", &input.link_url),
        ];
        all(attrs
            .iter()
            .filter(|(_, v)| blank(v))
            .map(|(a, _)| missing(a))
            .collect())?;
        let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
        let (service, externalid) = (text(&input.service), text(&input.externalid));
        self.check_connection_unique(None, &service, &externalid)?;
        Ok(self.ecom.connections.insert_with(|id| Connection {
            id,
            service,
            externalid,
            name: text(&input.name),
            logo_url: text(&input.logo_url),
            link_url: text(&input.link_url),
            cdate: now,
            udate: now,
        }))
    }

    /// `PUT /connections/{id}`: the attributes sent; none may be emptied.
    pub fn update_connection(
        &mut self,
        id: u64,
        input: &ConnectionInput,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let current = self.connection(id)?.clone();
        let attrs = [
            ("service", &input.service),
            ("externalid", &input.externalid),
            ("name", &input.name),
            ("logoUrl", &input.logo_url),
            ("linkUrl", &input.link_url),
        ];
        all(attrs
            .iter()
            .filter(|(_, v)| v.is_some() && blank(v))
            .map(|(a, _)| missing(a))
            .collect())?;
        let mut next = current;
        set(&mut next.service, &input.service);
        set(&mut next.externalid, &input.externalid);
        set(&mut next.name, &input.name);
        set(&mut next.logo_url, &input.logo_url);
        set(&mut next.link_url, &input.link_url);
        self.check_connection_unique(Some(id), &next.service, &next.externalid)?;
        next.udate = now;
        *self.ecom.connections.get_mut_or(Entity::Connection, id)? = next;
        Ok(())
    }

    /// `DELETE /connections/{id}`: also removes its customers and their orders.
    pub fn delete_connection(&mut self, id: u64) -> StoreResult<()> {
        self.ecom.connections.remove_or(Entity::Connection, id)?;
        self.ecom.customers.remove_where(|c| c.connectionid == id);
        let orders = self.ecom.orders.remove_where(|o| o.connectionid == id);
        self.drop_products_of(&orders);
        Ok(())
    }

    fn drop_products_of(&mut self, orders: &[u64]) {
        self.ecom
            .products
            .remove_where(|p| orders.contains(&p.orderid));
    }

    fn check_customer(&self, id: Option<u64>, c: &EcomCustomer) -> StoreResult<()> {
        if self.ecom.connections.get(c.connectionid).is_none() {
            return Err(related_missing("connectionid", "connection"));
        }
        if !is_valid_email(&c.email) {
            return Err(StoreError::Invalid {
                code: "email_invalid",
                title: "Email address is not valid.".into(),
                pointer: "/data/attributes/email".into(),
                error: Some("must_be_valid_email_address"),
            });
        }
        let taken = self.ecom.customers.iter().any(|o| {
            Some(o.id) != id && o.connectionid == c.connectionid && o.externalid == c.externalid
        });
        if taken {
            return Err(duplicate(
                "externalid",
                "A customer with this externalid already exists for this connection.",
            ));
        }
        Ok(())
    }

    /// `POST /ecomCustomers`: `connectionid` (existing), `externalid` (unique in the
    /// connection) and a valid `email` are required.
    pub fn create_ecom_customer(
        &mut self,
        input: &CustomerInput,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut errors = Vec::new();
        if input.connectionid.is_none() {
            errors.push(missing("connectionid"));
        }
        if blank(&input.externalid) {
            errors.push(missing("externalid"));
        }
        if blank(&input.email) {
            errors.push(missing("email"));
        }
        all(errors)?;
        let mut row = EcomCustomer {
            id: 0,
            connectionid: input.connectionid.unwrap_or(0),
            externalid: String::new(),
            email: String::new(),
            accepts_marketing: input.accepts_marketing.unwrap_or(false),
            tstamp: now,
        };
        set(&mut row.externalid, &input.externalid);
        set(&mut row.email, &input.email);
        self.check_customer(None, &row)?;
        Ok(self
            .ecom
            .customers
            .insert_with(|id| EcomCustomer { id, ..row }))
    }

    /// `PUT /ecomCustomers/{id}`: the attributes sent, checked as on create.
    pub fn update_ecom_customer(&mut self, id: u64, input: &CustomerInput) -> StoreResult<()> {
        let mut next = self.ecom_customer(id)?.clone();
        if input.externalid.is_some() && blank(&input.externalid) {
            return Err(missing("externalid"));
        }
        if input.email.is_some() && blank(&input.email) {
            return Err(missing("email"));
        }
        if let Some(c) = input.connectionid {
            next.connectionid = c;
        }
        set(&mut next.externalid, &input.externalid);
        set(&mut next.email, &input.email);
        if let Some(m) = input.accepts_marketing {
            next.accepts_marketing = m;
        }
        self.check_customer(Some(id), &next)?;
        *self.ecom.customers.get_mut_or(Entity::EcomCustomer, id)? = next;
        Ok(())
    }

    /// `DELETE /ecomCustomers/{id}`: also removes the customer's orders (a choice: AC's
    /// docs are silent).
    pub fn delete_ecom_customer(&mut self, id: u64) -> StoreResult<()> {
        self.ecom.customers.remove_or(Entity::EcomCustomer, id)?;
        let orders = self.ecom.orders.remove_where(|o| o.customerid == id);
        self.drop_products_of(&orders);
        Ok(())
    }

    fn check_order(&self, id: Option<u64>, o: &EcomOrder) -> StoreResult<()> {
        if self.ecom.connections.get(o.connectionid).is_none() {
            return Err(related_missing("connectionid", "connection"));
        }
        match self.ecom.customers.get(o.customerid) {
            Some(c) if c.connectionid == o.connectionid => {}
            _ => return Err(related_missing("customerid", "customer")),
        }
        if !is_valid_email(&o.email) {
            return Err(StoreError::Invalid {
                code: "email_invalid",
                title: "Email address is not valid.".into(),
                pointer: "/data/attributes/email".into(),
                error: Some("must_be_valid_email_address"),
            });
        }
        if o.currency.len() != 3 || !o.currency.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(StoreError::Invalid {
                code: "field_invalid",
                title: "The currency must be a three-letter ISO 4217 code.".into(),
                pointer: "/data/attributes/currency".into(),
                error: None,
            });
        }
        let others = || {
            self.ecom
                .orders
                .iter()
                .filter(move |x| Some(x.id) != id && x.connectionid == o.connectionid)
        };
        if o.externalid.is_some() && others().any(|x| x.externalid == o.externalid) {
            return Err(duplicate(
                "externalid",
                "An order with this externalid already exists for this connection.",
            ));
        }
        if o.externalcheckoutid.is_some()
            && others().any(|x| x.externalcheckoutid == o.externalcheckoutid)
        {
            return Err(duplicate(
                "externalcheckoutid",
                "An order with this externalcheckoutid already exists for this connection.",
            ));
        }
        Ok(())
    }

    /// `POST /ecomOrders`: checks what AC requires (see [`OrderInput`]); creates the contact
    /// with the order's email when there is none. Returns the order's id.
    pub fn create_ecom_order(
        &mut self,
        input: &OrderInput,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut errors = Vec::new();
        if blank(&input.externalid) && blank(&input.externalcheckoutid) {
            errors.push(StoreError::Missing {
                title: "The externalid or externalcheckoutid was not provided.".into(),
                pointer: "/data/attributes/externalid".into(),
            });
        }
        let is_order = !blank(&input.externalid);
        for (attr, absent) in [
            ("source", input.source.is_none()),
            ("email", blank(&input.email)),
            ("orderProducts", input.products.is_none()),
            ("totalPrice", input.total_price.is_none()),
            ("currency", blank(&input.currency)),
            ("connectionid", input.connectionid.is_none()),
            ("customerid", input.customerid.is_none()),
            (
                "externalCreatedDate",
                is_order && blank(&input.external_created_date),
            ),
            ("abandonedDate", !is_order && blank(&input.abandoned_date)),
        ] {
            if absent {
                errors.push(missing(attr));
            }
        }
        all(errors)?;
        let mut row = EcomOrder {
            id: 0,
            connectionid: 0,
            customerid: 0,
            contact: 0,
            externalid: None,
            externalcheckoutid: None,
            source: 1,
            email: String::new(),
            total_price: 0,
            shipping_amount: 0,
            tax_amount: 0,
            discount_amount: 0,
            currency: String::new(),
            order_url: String::new(),
            shipping_method: String::new(),
            order_number: String::new(),
            external_created_date: String::new(),
            external_updated_date: String::new(),
            abandoned_date: String::new(),
            cdate: now,
            udate: now,
        };
        apply_order(&mut row, input);
        self.check_order(None, &row)?;
        row.contact = self.contact_for_order(&row.email, now)?;
        let id = self.ecom.orders.insert_with(|id| EcomOrder { id, ..row });
        self.put_products(id, input.products.as_deref().unwrap_or_default());
        Ok(id)
    }

    /// `PUT /ecomOrders/{id}`: the attributes sent; `orderProducts`, when sent, replace the
    /// order's products.
    pub fn update_ecom_order(
        &mut self,
        id: u64,
        input: &OrderInput,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut next = self.ecom_order(id)?.clone();
        for (attr, v) in [("email", &input.email), ("currency", &input.currency)] {
            if v.is_some() && blank(v) {
                return Err(missing(attr));
            }
        }
        apply_order(&mut next, input);
        if blank(&next.externalid) && blank(&next.externalcheckoutid) {
            return Err(missing("externalid"));
        }
        self.check_order(Some(id), &next)?;
        next.contact = self.contact_for_order(&next.email, now)?;
        next.udate = now;
        *self.ecom.orders.get_mut_or(Entity::EcomOrder, id)? = next;
        if let Some(products) = &input.products {
            self.drop_products_of(&[id]);
            self.put_products(id, products);
        }
        Ok(())
    }

    /// `DELETE /ecomOrders/{id}`: also removes its products.
    pub fn delete_ecom_order(&mut self, id: u64) -> StoreResult<()> {
        self.ecom.orders.remove_or(Entity::EcomOrder, id)?;
        self.drop_products_of(&[id]);
        Ok(())
    }

    /// The products of one order, in id order.
    pub fn products_of(&self, order: u64) -> Vec<&OrderProduct> {
        self.ecom
            .products
            .iter()
            .filter(|p| p.orderid == order)
            .collect()
    }

    fn put_products(&mut self, order: u64, products: &[ProductInput]) {
        for p in products {
            self.ecom.products.insert_with(|id| OrderProduct {
                id,
                orderid: order,
                product: p.clone(),
            });
        }
    }

    /// The contact with this email, created when there is none.
    fn contact_for_order(&mut self, email: &str, now: DateTime<Utc>) -> StoreResult<u64> {
        if let Some(c) = self.contact_by_email(email) {
            return Ok(c.id);
        }
        let input = ContactInput {
            email: Some(email.to_string()),
            ..Default::default()
        };
        Ok(self.create_contact(&input, now)?.id)
    }
}

fn apply_order(o: &mut EcomOrder, i: &OrderInput) {
    let opt = |slot: &mut Option<String>, v: &Option<String>| {
        if let Some(v) = v {
            *slot = Some(v.trim().to_string()).filter(|s| !s.is_empty());
        }
    };
    opt(&mut o.externalid, &i.externalid);
    opt(&mut o.externalcheckoutid, &i.externalcheckoutid);
    set(&mut o.email, &i.email);
    set(&mut o.order_url, &i.order_url);
    set(&mut o.shipping_method, &i.shipping_method);
    set(&mut o.order_number, &i.order_number);
    set(&mut o.external_created_date, &i.external_created_date);
    set(&mut o.external_updated_date, &i.external_updated_date);
    set(&mut o.abandoned_date, &i.abandoned_date);
    if let Some(c) = &i.currency {
        o.currency = c.trim().to_ascii_uppercase();
    }
    for (slot, v) in [
        (&mut o.total_price, i.total_price),
        (&mut o.shipping_amount, i.shipping_amount),
        (&mut o.tax_amount, i.tax_amount),
        (&mut o.discount_amount, i.discount_amount),
    ] {
        if let Some(v) = v {
            *slot = v;
        }
    }
    if let Some(s) = i.source {
        o.source = s;
    }
    if let Some(c) = i.connectionid {
        o.connectionid = c;
    }
    if let Some(c) = i.customerid {
        o.customerid = c;
    }
}
