//! E-commerce connections → customers → orders with products, end to end.

use ac_client::contacts::ContactQuery;
use ac_client::ecom::{
    ConnectionInput, EcomCustomerInput, EcomOrderInput, EcomQuery, OrderProductInput,
};
use futures_util::TryStreamExt;

use crate::setup;

fn store(externalid: &str) -> ConnectionInput {
    ConnectionInput::new(
        "example",
        externalid,
        "My Store",
        "https://example.com/logo.png",
        "https://example.com/",
    )
}

#[tokio::test]
async fn an_order_in_cents_reads_back_with_its_products_and_contact() {
    let (_mock, client) = setup().await;
    let conn = client
        .connections()
        .create(store("shop-1"))
        .await
        .expect("connection");
    let customer = client
        .ecom_customers()
        .create(
            EcomCustomerInput::new(conn.id, "56789", "alice@example.com").accepts_marketing(true),
        )
        .await
        .expect("customer");
    assert_eq!(customer.accepts_marketing, Some(true));

    let input = EcomOrderInput::new("3246315233", "alice@example.com", conn.id, customer.id)
        .product(OrderProductInput::new("PROD12345", "Pogo Stick", 4900, 1).category("Toys"))
        .product(OrderProductInput::new("PROD23456", "Skateboard", 3000, 1))
        .total_price(9111)
        .shipping_amount(200)
        .tax_amount(500)
        .discount_amount(100)
        .currency("USD")
        .order_number("myorder-123")
        .created_at("2016-09-13T17:41:39-04:00");
    let created = client.ecom_orders().create(&input).await.expect("order");
    assert_eq!(created.order.total_price, Some(9111));
    assert_eq!(created.products.len(), 2);

    let read = client
        .ecom_orders()
        .get(created.order.id)
        .await
        .expect("get order");
    assert_eq!(read.order.order_number.as_deref(), Some("myorder-123"));
    assert_eq!(read.order.customerid, Some(customer.id));
    assert_eq!(read.products[1].price, Some(3000));

    // The order's email had no contact: the order created it.
    let contacts = client
        .contacts()
        .list(ContactQuery::new().email("alice@example.com"))
        .await
        .expect("contacts");
    assert_eq!(contacts.total, 1);
    assert_eq!(read.order.contact, Some(contacts.items[0].id));

    let updated = client
        .ecom_orders()
        .update(
            created.order.id,
            EcomOrderInput::update()
                .product(OrderProductInput::new("P9", "Ball", 1500, 2))
                .total_price(3000),
        )
        .await
        .expect("update");
    assert_eq!(updated.order.total_price, Some(3000));
    let products = client
        .ecom_orders()
        .products(created.order.id, EcomQuery::new())
        .await
        .expect("products");
    assert_eq!(products.total, 1);
    assert_eq!(products.items[0].name, "Ball");
    let again = client
        .ecom_orders()
        .product(products.items[0].id)
        .await
        .expect("product");
    assert_eq!(again.quantity, 2);

    let customer = client
        .ecom_customers()
        .get(customer.id)
        .await
        .expect("customer totals");
    assert_eq!(customer.total_orders, Some(1));
    assert_eq!(customer.total_revenue, Some(3000));
}

#[tokio::test]
async fn duplicates_are_refused_filters_match_and_a_connection_takes_its_data_along() {
    let (_mock, client) = setup().await;
    let c1 = client
        .connections()
        .create(store("shop-1"))
        .await
        .expect("c1");
    let err = client
        .connections()
        .create(store("shop-1"))
        .await
        .expect_err("refused");
    assert!(err.is_duplicate(), "{err:?}");
    let c2 = client
        .connections()
        .create(store("shop-2"))
        .await
        .expect("c2");

    let mut customers = Vec::new();
    for conn in [c1.id, c2.id] {
        let c = client
            .ecom_customers()
            .create(EcomCustomerInput::new(conn, "1", "bob@example.com"))
            .await
            .expect("customer");
        customers.push(c);
    }
    let found = client
        .ecom_customers()
        .list(EcomQuery::new().externalid("1").connection(c2.id))
        .await
        .expect("filter");
    assert_eq!(found.total, 1);
    assert_eq!(found.items[0].id, customers[1].id);

    for (i, (conn, cust)) in [(c1.id, customers[0].id), (c2.id, customers[1].id)]
        .into_iter()
        .cycle()
        .take(5)
        .enumerate()
    {
        let input = EcomOrderInput::new(format!("O-{i}"), "bob@example.com", conn, cust)
            .product(OrderProductInput::new("P1", "Pen", 100, 1))
            .total_price(100)
            .currency("EUR")
            .created_at("2026-01-02T10:00:00Z");
        client.ecom_orders().create(&input).await.expect("order");
    }
    let dup = EcomOrderInput::new("O-0", "bob@example.com", c1.id, customers[0].id)
        .product(OrderProductInput::new("P1", "Pen", 100, 1))
        .total_price(100)
        .currency("EUR")
        .created_at("2026-01-02T10:00:00Z");
    let err = client
        .ecom_orders()
        .create(&dup)
        .await
        .expect_err("refused");
    assert!(err.is_duplicate(), "{err:?}");

    let of_c1: Vec<_> = client
        .ecom_orders()
        .stream(EcomQuery::new().connection(c1.id).limit(2))
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(of_c1.len(), 3);

    client.connections().delete(c1.id).await.expect("delete");
    assert!(client
        .ecom_customers()
        .get(customers[0].id)
        .await
        .expect_err("refused")
        .is_not_found());
    let left = client
        .ecom_orders()
        .list(EcomQuery::new())
        .await
        .expect("orders");
    assert_eq!(left.total, 2);
    let products = client
        .ecom_orders()
        .all_products(EcomQuery::new())
        .await
        .expect("products");
    assert_eq!(products.total, 2);
}
