use ac_client::ecom::{
    ConnectionInput, EcomCustomerInput, EcomOrderInput, EcomQuery, OrderProductInput,
};
use ac_client::{ConnectionId, EcomCustomerId, EcomOrderId};
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, setup_sending_nothing};

fn order_json(id: u64) -> serde_json::Value {
    json!({"externalid": format!("O-{id}"), "email": "alice@example.com", "totalPrice": 9111,
           "currency": "USD", "connectionid": "1", "customerid": "2", "id": id.to_string()})
}

#[tokio::test]
async fn connection_create_and_update_send_acs_bodies() {
    let (server, client) = setup().await;
    let conn = json!({"service": "example", "externalid": "shop-1", "name": "My Store",
        "logoUrl": "https://example.com/logo.png", "linkUrl": "https://example.com/", "id": "1"});
    Mock::given(method("POST"))
        .and(path("/api/3/connections"))
        .and(body_json(json!({"connection": {"service": "example",
            "externalid": "shop-1", "name": "My Store",
            "logoUrl": "https://example.com/logo.png", "linkUrl": "https://example.com/"}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"connection": conn})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/connections/1"))
        .and(body_json(json!({"connection": {"name": "Renamed"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"connection": conn})))
        .expect(1)
        .mount(&server)
        .await;
    let input = ConnectionInput::new(
        "example",
        "shop-1",
        "My Store",
        "https://example.com/logo.png",
        "https://example.com/",
    );
    let c = client.connections().create(&input).await.unwrap();
    assert_eq!(c.id, ConnectionId(1));
    assert_eq!(c.logo_url, "https://example.com/logo.png");
    client
        .connections()
        .update(1, ConnectionInput::update().name("Renamed"))
        .await
        .unwrap();
}

#[tokio::test]
async fn customer_create_sends_flag_as_string_and_list_sends_filters() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/ecomCustomers"))
        .and(body_json(json!({"ecomCustomer": {"connectionid": "1",
            "externalid": "56789", "email": "alice@example.com", "acceptsMarketing": "1"}})))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"ecomCustomer": {
            "connectionid": "1", "externalid": "56789", "email": "alice@example.com",
            "acceptsMarketing": "1", "totalRevenue": "0", "totalOrders": "0", "id": "2"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/ecomCustomers"))
        .and(query_param("filters[email]", "alice@example.com"))
        .and(query_param("filters[connectionid]", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ecomCustomers": [{"email": "alice@example.com", "id": "2"}],
            "meta": {"total": "1"}})))
        .expect(1)
        .mount(&server)
        .await;
    let input = EcomCustomerInput::new(1, "56789", "alice@example.com").accepts_marketing(true);
    let c = client.ecom_customers().create(input).await.unwrap();
    assert_eq!(c.id, EcomCustomerId(2));
    assert_eq!(c.accepts_marketing, Some(true));
    assert_eq!(c.total_orders, Some(0));
    let page = client
        .ecom_customers()
        .list(EcomQuery::new().email("alice@example.com").connection(1))
        .await
        .unwrap();
    assert_eq!(page.total, 1);
}

#[tokio::test]
async fn order_create_sends_cents_and_products() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/ecomOrders"))
        .and(body_json(json!({"ecomOrder": {
            "externalid": "3246315233", "source": "1", "email": "alice@example.com",
            "orderProducts": [{"externalid": "PROD12345", "name": "Pogo Stick",
                "price": 4900, "quantity": 1, "sku": "POGO-12"}],
            "totalPrice": 9111, "shippingAmount": 200, "currency": "USD",
            "connectionid": "1", "customerid": "2",
            "externalCreatedDate": "2016-09-13T17:41:39-04:00"}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "ecomOrder": order_json(5),
            "ecomOrderProducts": [{"externalid": "PROD12345", "name": "Pogo Stick",
                "price": 4900, "quantity": 1, "orderid": "5", "id": "9"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let input = EcomOrderInput::new("3246315233", "alice@example.com", 1, 2)
        .product(OrderProductInput::new("PROD12345", "Pogo Stick", 4900, 1).sku("POGO-12"))
        .total_price(9111)
        .shipping_amount(200)
        .currency("USD")
        .created_at("2016-09-13T17:41:39-04:00");
    let o = client.ecom_orders().create(&input).await.unwrap();
    assert_eq!(o.order.id, EcomOrderId(5));
    assert_eq!(o.order.total_price, Some(9111));
    assert_eq!(o.products.len(), 1);
    assert_eq!(o.products[0].orderid, Some(EcomOrderId(5)));
}

#[tokio::test]
async fn orders_stream_pages_and_products_hit_acs_paths() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/ecomOrders"))
        .and(query_param("filters[customerid]", "2"))
        .and(query_param("offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ecomOrders": [order_json(1), order_json(2)], "meta": {"total": "3"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/ecomOrders"))
        .and(query_param("filters[customerid]", "2"))
        .and(query_param("offset", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ecomOrders": [order_json(3)], "meta": {"total": "3"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/ecomOrders/3/orderProducts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ecomOrderProducts": [{"name": "Ball", "price": "1500", "quantity": 2, "id": "4"}],
            "meta": {"total": "1"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/ecomOrders/3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let ids: Vec<u64> = client
        .ecom_orders()
        .stream(EcomQuery::new().customer(2).limit(2))
        .map_ok(|o| o.id.get())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, [1, 2, 3]);
    let products = client
        .ecom_orders()
        .products(3, EcomQuery::new())
        .await
        .unwrap();
    assert_eq!(products.items[0].price, Some(1500));
    assert_eq!(products.items[0].quantity, 2);
    client.ecom_orders().delete(3).await.unwrap();
}

#[tokio::test]
async fn blank_required_text_is_refused_before_sending() {
    let (_server, client) = setup_sending_nothing().await;
    let err = client
        .connections()
        .create(ConnectionInput::new("example", " ", "n", "l", "u"))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("externalid"));
    let err = client
        .ecom_orders()
        .create(EcomOrderInput::new("O-1", "", 1, 2))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("email"));
}
