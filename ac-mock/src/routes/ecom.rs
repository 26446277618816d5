//! E-commerce (Deep Data): `/connections`, `/ecomCustomers`, `/ecomOrders`,
//! `/ecomOrders/{id}/orderProducts` and `/ecomOrderProducts`.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::{delete_by_id, entity_id, page_json, wrapped, Attrs};
use crate::extract::{Authed, JsonBody};
use crate::query::Params;
use crate::reply::{id, reply, ts, ApiError, ApiResult};
use crate::state::{AppState, Ctx};
use crate::store::ecom::{
    Connection, ConnectionInput, CustomerInput, EcomCustomer, EcomOrder, OrderInput, OrderProduct,
    ProductInput,
};
use crate::store::{Entity, Store};

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/connections",
            get(list_connections).post(create_connection),
        )
        .route(
            "/connections/{id}",
            get(get_connection)
                .put(update_connection)
                .delete(delete_connection),
        )
        .route("/ecomCustomers", get(list_customers).post(create_customer))
        .route(
            "/ecomCustomers/{id}",
            get(get_customer)
                .put(update_customer)
                .delete(delete_customer),
        )
        .route("/ecomOrders", get(list_orders).post(create_order))
        .route(
            "/ecomOrders/{id}",
            get(get_order).put(update_order).delete(delete_order),
        )
        .route("/ecomOrders/{id}/orderProducts", get(products_of_order))
        .route("/ecomOrderProducts", get(list_products))
        .route("/ecomOrderProducts/{id}", get(get_product))
}

fn connection_json(c: &Connection, ctx: &Ctx) -> Value {
    let base = format!("{}/connections/{}", ctx.api_base, c.id);
    json!({
        "isInternal": "0", "service": c.service, "externalid": c.externalid, "name": c.name,
        "logoUrl": c.logo_url, "linkUrl": c.link_url, "status": "1", "syncStatus": "0",
        "cdate": ts(c.cdate, ctx.offset), "udate": ts(c.udate, ctx.offset),
        "links": {"options": format!("{base}/options"), "customers": format!("{base}/customers")},
        "id": id(c.id)
    })
}

/// A customer with the totals of its orders (revenue in cents).
fn customer_json(store: &Store, c: &EcomCustomer, ctx: &Ctx) -> Value {
    let base = format!("{}/ecomCustomers/{}", ctx.api_base, c.id);
    let orders: Vec<&EcomOrder> = store
        .ecom
        .orders
        .iter()
        .filter(|o| o.customerid == c.id && o.externalid.is_some())
        .collect();
    let revenue: i64 = orders.iter().map(|o| o.total_price).sum();
    let products: u64 = orders
        .iter()
        .flat_map(|o| store.products_of(o.id))
        .map(|p| p.product.quantity)
        .sum();
    let avg = if orders.is_empty() {
        0
    } else {
        revenue / orders.len() as i64
    };
    json!({
        "connectionid": id(c.connectionid), "externalid": c.externalid, "email": c.email,
        "totalRevenue": revenue.to_string(), "totalOrders": orders.len().to_string(),
        "totalProducts": products.to_string(), "avgRevenuePerOrder": avg.to_string(),
        "avgProductCategory": "", "tstamp": ts(c.tstamp, ctx.offset),
        "acceptsMarketing": if c.accepts_marketing { "1" } else { "0" },
        "links": {
            "connection": format!("{base}/connection"), "orders": format!("{base}/orders")
        },
        "id": id(c.id), "connection": id(c.connectionid)
    })
}

fn product_json(p: &OrderProduct, ctx: &Ctx) -> Value {
    let base = format!("{}/ecomOrderProducts/{}", ctx.api_base, p.id);
    let x = &p.product;
    json!({
        "externalid": x.externalid, "name": x.name, "price": x.price,
        "quantity": x.quantity, "category": x.category, "sku": x.sku,
        "description": x.description, "imageUrl": x.image_url, "productUrl": x.product_url,
        "orderid": id(p.orderid),
        "links": {"ecomOrder": format!("{base}/ecomOrder")},
        "id": id(p.id), "ecomOrder": id(p.orderid)
    })
}

fn order_json(o: &EcomOrder, ctx: &Ctx) -> Value {
    let base = format!("{}/ecomOrders/{}", ctx.api_base, o.id);
    let order_date = if o.externalid.is_some() {
        &o.external_created_date
    } else {
        &o.abandoned_date
    };
    json!({
        "externalid": o.externalid, "externalcheckoutid": o.externalcheckoutid,
        "source": o.source.to_string(), "email": o.email, "currency": o.currency,
        "connectionid": id(o.connectionid), "customerid": id(o.customerid),
        "orderUrl": o.order_url, "shippingMethod": o.shipping_method,
        "totalPrice": o.total_price, "shippingAmount": o.shipping_amount,
        "taxAmount": o.tax_amount, "discountAmount": o.discount_amount,
        "orderNumber": o.order_number,
        "externalCreatedDate": o.external_created_date,
        "externalUpdatedDate": o.external_updated_date,
        "abandonedDate": Some(&o.abandoned_date).filter(|d| !d.is_empty()),
        "orderDate": order_date,
        "cdate": ts(o.cdate, ctx.offset), "udate": ts(o.udate, ctx.offset),
        "tstamp": ts(o.udate, ctx.offset), "contact": id(o.contact),
        "links": {
            "connection": format!("{base}/connection"), "customer": format!("{base}/customer"),
            "orderProducts": format!("{base}/orderProducts"),
            "orderDiscounts": format!("{base}/orderDiscounts")
        },
        "id": id(o.id), "connection": id(o.connectionid), "customer": id(o.customerid)
    })
}

/// The order with its products side-loaded, as create, update and retrieve answer.
fn order_reply(store: &Store, oid: u64, ctx: &Ctx, status: StatusCode) -> ApiResult {
    let o = store.ecom_order(oid)?;
    let products: Vec<Value> = store
        .products_of(oid)
        .into_iter()
        .map(|p| product_json(p, ctx))
        .collect();
    reply(
        status,
        json!({ "ecomOrder": order_json(o, ctx), "ecomOrderProducts": products }),
    )
}

fn connection_input(body: &Value) -> Result<ConnectionInput, ApiError> {
    let a = wrapped(body, "connection")?;
    Ok(ConnectionInput {
        service: a.string("service")?,
        externalid: a.string("externalid")?,
        name: a.string("name")?,
        logo_url: a.string("logoUrl")?,
        link_url: a.string("linkUrl")?,
    })
}

fn customer_input(body: &Value) -> Result<CustomerInput, ApiError> {
    let a = wrapped(body, "ecomCustomer")?;
    Ok(CustomerInput {
        connectionid: a.u64("connectionid")?,
        externalid: a.string("externalid")?,
        email: a.string("email")?,
        accepts_marketing: a.flag("acceptsMarketing")?,
    })
}

/// An amount in cents: an integer or an integer string.
fn cents(a: &Attrs<'_>, attr: &str) -> Result<Option<i64>, ApiError> {
    let bad = || {
        ApiError::field_invalid(
            &format!("/data/attributes/{attr}"),
            format!("The {attr} must be an integer amount in cents."),
        )
    };
    match a.raw(attr) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(bad),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

fn product_input(i: usize, v: &Value) -> Result<ProductInput, ApiError> {
    let pointer = |attr: &str| format!("/data/attributes/orderProducts/{i}/{attr}");
    let Value::Object(obj) = v else {
        return Err(ApiError::field_invalid(
            &format!("/data/attributes/orderProducts/{i}"),
            "Each order product must be an object.",
        ));
    };
    let a = Attrs::of(obj);
    let text = |attr: &str| a.string(attr).map(Option::unwrap_or_default);
    let mut missing = Vec::new();
    let externalid = text("externalid")?;
    let name = text("name")?;
    let price = cents(&a, "price")?;
    let quantity = a.u64("quantity")?;
    for (attr, absent) in [
        ("externalid", externalid.trim().is_empty()),
        ("name", name.trim().is_empty()),
        ("price", price.is_none()),
        ("quantity", quantity.is_none()),
    ] {
        if absent {
            missing.push(json!({
                "title": format!("The {attr} of order product {i} was not provided."),
                "detail": "", "code": "field_missing", "source": {"pointer": pointer(attr)}
            }));
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::Unprocessable(missing));
    }
    Ok(ProductInput {
        externalid,
        name,
        price: price.unwrap_or(0),
        quantity: quantity.unwrap_or(0),
        category: text("category")?,
        sku: text("sku")?,
        description: text("description")?,
        image_url: text("imageUrl")?,
        product_url: text("productUrl")?,
    })
}

fn order_input(body: &Value) -> Result<OrderInput, ApiError> {
    let a = wrapped(body, "ecomOrder")?;
    let products = match a.raw("orderProducts") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| product_input(i, v))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => {
            return Err(ApiError::field_invalid(
                "/data/attributes/orderProducts",
                "The orderProducts must be an array.",
            ))
        }
    };
    let source = match a.u64("source")? {
        None => None,
        Some(s @ (0 | 1)) => Some(s as u8),
        Some(_) => {
            return Err(ApiError::field_invalid(
                "/data/attributes/source",
                "The source must be 0 or 1.",
            ))
        }
    };
    Ok(OrderInput {
        externalid: a.string("externalid")?,
        externalcheckoutid: a.string("externalcheckoutid")?,
        source,
        email: a.string("email")?,
        products,
        total_price: cents(&a, "totalPrice")?,
        shipping_amount: cents(&a, "shippingAmount")?,
        tax_amount: cents(&a, "taxAmount")?,
        discount_amount: cents(&a, "discountAmount")?,
        currency: a.string("currency")?,
        connectionid: a.u64("connectionid")?,
        customerid: a.u64("customerid")?,
        order_url: a.string("orderUrl")?,
        shipping_method: a.string("shippingMethod")?,
        order_number: a.string("orderNumber")?,
        external_created_date: a.string("externalCreatedDate")?,
        external_updated_date: a.string("externalUpdatedDate")?,
        abandoned_date: a.string("abandonedDate")?,
    })
}

/// The `filters[<key>]` of a list request, matched exactly against a row's attribute text
/// (`email` case-insensitively).
fn filters(p: &Params, known: &[&str]) -> Vec<(String, String)> {
    p.bracketed("filters")
        .into_iter()
        .filter(|(k, v)| known.contains(&k.as_str()) && !v.trim().is_empty())
        .map(|(k, v)| (k, v.trim().to_string()))
        .collect()
}

fn matches(fs: &[(String, String)], attr: impl Fn(&str) -> Option<String>) -> bool {
    fs.iter().all(|(k, v)| {
        attr(k).is_some_and(|x| {
            if k == "email" {
                x.eq_ignore_ascii_case(v)
            } else {
                x == *v
            }
        })
    })
}

async fn create_connection(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = connection_input(&body)?;
    st.with_store(acct, |store, ctx| {
        let cid = store.create_connection(&input, crate::store::now())?;
        let c = store.connection(cid)?;
        reply(
            StatusCode::CREATED,
            json!({"connection": connection_json(c, ctx)}),
        )
    })
}

async fn get_connection(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let cid = entity_id(Entity::Connection, &raw)?;
    st.with_store(acct, |store, ctx| {
        let c = store.connection(cid)?;
        reply(
            StatusCode::OK,
            json!({"connection": connection_json(c, ctx)}),
        )
    })
}

async fn update_connection(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let cid = entity_id(Entity::Connection, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.connection(cid)?;
        let input = connection_input(&body)?;
        store.update_connection(cid, &input, crate::store::now())?;
        let c = store.connection(cid)?;
        reply(
            StatusCode::OK,
            json!({"connection": connection_json(c, ctx)}),
        )
    })
}

async fn delete_connection(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(
        &st,
        acct,
        Entity::Connection,
        &raw,
        Store::delete_connection,
    )
}

async fn list_connections(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let fs = filters(&p, &["service", "externalid"]);
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&Connection> = store
            .ecom
            .connections
            .iter()
            .filter(|c| {
                matches(&fs, |k| match k {
                    "service" => Some(c.service.clone()),
                    "externalid" => Some(c.externalid.clone()),
                    _ => None,
                })
            })
            .collect();
        reply(
            StatusCode::OK,
            page_json("connections", rows, &p, |c| connection_json(c, ctx)),
        )
    })
}

async fn create_customer(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = customer_input(&body)?;
    st.with_store(acct, |store, ctx| {
        let cid = store.create_ecom_customer(&input, crate::store::now())?;
        let c = store.ecom_customer(cid)?;
        reply(
            StatusCode::CREATED,
            json!({"ecomCustomer": customer_json(store, c, ctx)}),
        )
    })
}

async fn get_customer(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let cid = entity_id(Entity::EcomCustomer, &raw)?;
    st.with_store(acct, |store, ctx| {
        let c = store.ecom_customer(cid)?;
        reply(
            StatusCode::OK,
            json!({"ecomCustomer": customer_json(store, c, ctx)}),
        )
    })
}

async fn update_customer(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let cid = entity_id(Entity::EcomCustomer, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.ecom_customer(cid)?;
        let input = customer_input(&body)?;
        store.update_ecom_customer(cid, &input)?;
        let c = store.ecom_customer(cid)?;
        reply(
            StatusCode::OK,
            json!({"ecomCustomer": customer_json(store, c, ctx)}),
        )
    })
}

async fn delete_customer(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(
        &st,
        acct,
        Entity::EcomCustomer,
        &raw,
        Store::delete_ecom_customer,
    )
}

async fn list_customers(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let fs = filters(&p, &["email", "externalid", "connectionid"]);
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&EcomCustomer> = store
            .ecom
            .customers
            .iter()
            .filter(|c| {
                matches(&fs, |k| match k {
                    "email" => Some(c.email.clone()),
                    "externalid" => Some(c.externalid.clone()),
                    "connectionid" => Some(c.connectionid.to_string()),
                    _ => None,
                })
            })
            .collect();
        reply(
            StatusCode::OK,
            page_json("ecomCustomers", rows, &p, |c| customer_json(store, c, ctx)),
        )
    })
}

async fn create_order(
    State(st): State<AppState>,
    Authed(acct): Authed,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let input = order_input(&body)?;
    st.with_store(acct, |store, ctx| {
        let oid = store.create_ecom_order(&input, crate::store::now())?;
        order_reply(store, oid, ctx, StatusCode::CREATED)
    })
}

async fn get_order(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let oid = entity_id(Entity::EcomOrder, &raw)?;
    st.with_store(acct, |store, ctx| {
        order_reply(store, oid, ctx, StatusCode::OK)
    })
}

async fn update_order(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let oid = entity_id(Entity::EcomOrder, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.ecom_order(oid)?;
        let input = order_input(&body)?;
        store.update_ecom_order(oid, &input, crate::store::now())?;
        order_reply(store, oid, ctx, StatusCode::OK)
    })
}

async fn delete_order(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    delete_by_id(&st, acct, Entity::EcomOrder, &raw, Store::delete_ecom_order)
}

async fn list_orders(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let p = Params::parse(raw.as_deref());
    let fs = filters(
        &p,
        &[
            "email",
            "externalid",
            "externalcheckoutid",
            "connectionid",
            "customerid",
        ],
    );
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&EcomOrder> = store
            .ecom
            .orders
            .iter()
            .filter(|o| {
                matches(&fs, |k| match k {
                    "email" => Some(o.email.clone()),
                    "externalid" => o.externalid.clone(),
                    "externalcheckoutid" => o.externalcheckoutid.clone(),
                    "connectionid" => Some(o.connectionid.to_string()),
                    "customerid" => Some(o.customerid.to_string()),
                    _ => None,
                })
            })
            .collect();
        reply(
            StatusCode::OK,
            page_json("ecomOrders", rows, &p, |o| order_json(o, ctx)),
        )
    })
}

async fn products_of_order(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let p = Params::parse(q.as_deref());
    let oid = entity_id(Entity::EcomOrder, &raw)?;
    st.with_store(acct, |store, ctx| {
        store.ecom_order(oid)?;
        let rows = store.products_of(oid);
        reply(
            StatusCode::OK,
            page_json("ecomOrderProducts", rows, &p, |x| product_json(x, ctx)),
        )
    })
}

async fn list_products(
    State(st): State<AppState>,
    Authed(acct): Authed,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let p = Params::parse(q.as_deref());
    st.with_store(acct, |store, ctx| {
        let rows: Vec<&OrderProduct> = store.ecom.products.iter().collect();
        reply(
            StatusCode::OK,
            page_json("ecomOrderProducts", rows, &p, |x| product_json(x, ctx)),
        )
    })
}

async fn get_product(
    State(st): State<AppState>,
    Authed(acct): Authed,
    Path(raw): Path<String>,
) -> ApiResult {
    let pid = entity_id(Entity::EcomOrderProduct, &raw)?;
    st.with_store(acct, |store, ctx| {
        let x = store.order_product(pid)?;
        reply(
            StatusCode::OK,
            json!({"ecomOrderProduct": product_json(x, ctx)}),
        )
    })
}
