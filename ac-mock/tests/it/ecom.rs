//! E-commerce (Deep Data) connections, customers, orders and order products over raw HTTP.

use crate::common::{read, Mock};
use serde_json::{json, Value};

fn connection_body(externalid: &str) -> Value {
    json!({"connection": {
        "service": "example", "externalid": externalid, "name": "My Store",
        "logoUrl": "https://example.com/logo.png", "linkUrl": "https://example.com/"
    }})
}

async fn connection(m: &Mock, externalid: &str) -> String {
    let (status, res) = m.post("/connections", connection_body(externalid)).await;
    assert_eq!(status, 201, "{res}");
    res["connection"]["id"].as_str().unwrap().to_string()
}

async fn customer(m: &Mock, conn: &str, externalid: &str, email: &str) -> String {
    let (status, res) = m
        .post(
            "/ecomCustomers",
            json!({"ecomCustomer": {
                "connectionid": conn, "externalid": externalid, "email": email,
                "acceptsMarketing": "1"
            }}),
        )
        .await;
    assert_eq!(status, 201, "{res}");
    res["ecomCustomer"]["id"].as_str().unwrap().to_string()
}

fn order_body(conn: &str, cust: &str, externalid: &str, email: &str) -> Value {
    json!({"ecomOrder": {
        "externalid": externalid, "source": "1", "email": email,
        "orderProducts": [
            {"externalid": "PROD12345", "name": "Pogo Stick", "price": 4900, "quantity": 1,
             "category": "Toys", "sku": "POGO-12", "description": "lorem ipsum...",
             "imageUrl": "https://example.com/product.jpg",
             "productUrl": "https://store.example.com/product12345"},
            {"externalid": "PROD23456", "name": "Skateboard", "price": 3000, "quantity": 2}
        ],
        "orderUrl": "https://example.com/orders/3246315233",
        "externalCreatedDate": "2016-09-13T17:41:39-04:00",
        "shippingMethod": "UPS Ground", "totalPrice": 9111, "shippingAmount": 200,
        "taxAmount": 500, "discountAmount": 100, "currency": "USD",
        "orderNumber": "myorder-123", "connectionid": conn, "customerid": cust
    }})
}

fn codes(res: &Value) -> Vec<(String, String)> {
    res["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap_or("").to_string(),
                e["source"]["pointer"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn connection_crud_has_ac_shape() {
    let m = Mock::start().await;
    let (status, res) = m.post("/connections", connection_body("shop-1")).await;
    assert_eq!(status, 201, "{res}");
    let c = &res["connection"];
    assert_eq!(c["id"], "1");
    assert_eq!(c["service"], "example");
    assert_eq!(c["externalid"], "shop-1");
    assert_eq!(c["logoUrl"], "https://example.com/logo.png");
    assert_eq!(c["linkUrl"], "https://example.com/");
    assert!(c["links"]["customers"]
        .as_str()
        .unwrap()
        .ends_with("/api/3/connections/1/customers"));

    let (status, res) = m
        .put("/connections/1", json!({"connection": {"name": "Renamed"}}))
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["connection"]["name"], "Renamed");
    assert_eq!(res["connection"]["externalid"], "shop-1");
    assert_eq!(
        m.get("/connections/1").await.1["connection"]["name"],
        "Renamed"
    );

    connection(&m, "shop-2").await;
    let (_, res) = m.get("/connections?filters[externalid]=shop-2").await;
    assert_eq!(res["meta"]["total"], "1");
    assert_eq!(res["connections"][0]["externalid"], "shop-2");

    assert_eq!(m.delete("/connections/1").await.0, 200);
    let (status, res) = m.get("/connections/1").await;
    assert_eq!(status, 404);
    assert_eq!(res["message"], "No Result found for Connection with id 1");
}

#[tokio::test]
async fn connection_needs_every_attribute_and_a_unique_service_and_externalid() {
    let m = Mock::start().await;
    let (status, res) = m
        .post(
            "/connections",
            json!({"connection": {"service": "example"}}),
        )
        .await;
    assert_eq!(status, 422);
    let pointers: Vec<String> = codes(&res).into_iter().map(|(_, p)| p).collect();
    assert_eq!(
        pointers,
        [
            "/data/attributes/externalid",
            "/data/attributes/name",
            "/data/attributes/logoUrl",
            "/data/attributes/linkUrl"
        ]
    );

    connection(&m, "shop-1").await;
    let (status, res) = m.post("/connections", connection_body("shop-1")).await;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&res),
        [("duplicate".into(), "/data/attributes/externalid".into())]
    );
    let mut other = connection_body("shop-1");
    other["connection"]["service"] = json!("other");
    assert_eq!(m.post("/connections", other).await.0, 201);
}

#[tokio::test]
async fn customers_crud_filters_and_uniqueness() {
    let m = Mock::start().await;
    let c1 = connection(&m, "shop-1").await;
    let c2 = connection(&m, "shop-2").await;
    let (status, res) = m
        .post(
            "/ecomCustomers",
            json!({"ecomCustomer": {"connectionid": c1, "externalid": "56789",
                "email": "alice@example.com", "acceptsMarketing": "1"}}),
        )
        .await;
    assert_eq!(status, 201, "{res}");
    let cu = &res["ecomCustomer"];
    assert_eq!(cu["connectionid"], c1.as_str());
    assert_eq!(cu["externalid"], "56789");
    assert_eq!(cu["email"], "alice@example.com");
    assert_eq!(cu["acceptsMarketing"], "1");
    assert_eq!(cu["totalOrders"], "0");
    customer(&m, &c2, "56789", "bob@example.com").await;

    let (status, res) = m
        .post(
            "/ecomCustomers",
            json!({"ecomCustomer": {"connectionid": c1, "externalid": "56789",
                "email": "carol@example.com"}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(codes(&res)[0].0, "duplicate");
    let (status, res) = m.post("/ecomCustomers", json!({"ecomCustomer": {}})).await;
    assert_eq!(status, 422);
    assert_eq!(codes(&res).len(), 3);
    let (status, res) = m
        .post(
            "/ecomCustomers",
            json!({"ecomCustomer": {"connectionid": "99", "externalid": "1",
                "email": "x@example.com"}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&res),
        [(
            "related_missing".into(),
            "/data/attributes/connectionid".into()
        )]
    );

    let (_, res) = m.get("/ecomCustomers?filters[email]=BOB@example.com").await;
    assert_eq!(res["meta"]["total"], "1");
    assert_eq!(res["ecomCustomers"][0]["email"], "bob@example.com");
    let (_, res) = m
        .get(&format!(
            "/ecomCustomers?filters[externalid]=56789&filters[connectionid]={c1}"
        ))
        .await;
    assert_eq!(res["meta"]["total"], "1");
    assert_eq!(res["ecomCustomers"][0]["email"], "alice@example.com");

    let (status, res) = m
        .put(
            "/ecomCustomers/1",
            json!({"ecomCustomer": {"acceptsMarketing": "0"}}),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["ecomCustomer"]["acceptsMarketing"], "0");
    assert_eq!(m.delete("/ecomCustomers/1").await.0, 200);
    assert_eq!(m.get("/ecomCustomers/1").await.0, 404);
}

#[tokio::test]
async fn order_in_cents_with_products_and_a_created_contact() {
    let m = Mock::start().await;
    let conn = connection(&m, "shop-1").await;
    let cust = customer(&m, &conn, "56789", "alice@example.com").await;
    let (status, res) = m
        .post(
            "/ecomOrders",
            order_body(&conn, &cust, "3246315233", "alice@example.com"),
        )
        .await;
    assert_eq!(status, 201, "{res}");
    let o = &res["ecomOrder"];
    assert_eq!(o["id"], "1");
    assert_eq!(o["externalid"], "3246315233");
    assert_eq!(o["totalPrice"], 9111);
    assert_eq!(o["shippingAmount"], 200);
    assert_eq!(o["taxAmount"], 500);
    assert_eq!(o["discountAmount"], 100);
    assert_eq!(o["currency"], "USD");
    assert_eq!(o["orderNumber"], "myorder-123");
    assert_eq!(o["orderDate"], "2016-09-13T17:41:39-04:00");
    assert_eq!(o["connectionid"], conn.as_str());
    assert_eq!(o["customerid"], cust.as_str());
    let products = res["ecomOrderProducts"].as_array().unwrap();
    assert_eq!(products.len(), 2);
    assert_eq!(products[0]["name"], "Pogo Stick");
    assert_eq!(products[0]["price"], 4900);
    assert_eq!(products[0]["imageUrl"], "https://example.com/product.jpg");

    // The order's email had no contact: the order created it.
    let (_, res) = m.get("/contacts?email=alice@example.com").await;
    assert_eq!(res["meta"]["total"], "1");
    assert_eq!(o["contact"], res["contacts"][0]["id"]);

    let (_, res) = m.get("/ecomOrders/1/orderProducts").await;
    assert_eq!(res["meta"]["total"], "2");
    assert_eq!(res["ecomOrderProducts"][1]["quantity"], 2);
    let pid = res["ecomOrderProducts"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, res) = m.get(&format!("/ecomOrderProducts/{pid}")).await;
    assert_eq!(status, 200);
    assert_eq!(res["ecomOrderProduct"]["name"], "Skateboard");

    let (_, res) = m.get(&format!("/ecomCustomers/{cust}")).await;
    assert_eq!(res["ecomCustomer"]["totalOrders"], "1");
    assert_eq!(res["ecomCustomer"]["totalRevenue"], "9111");
    assert_eq!(res["ecomCustomer"]["totalProducts"], "3");
}

#[tokio::test]
async fn order_update_replaces_products_and_delete_removes_them() {
    let m = Mock::start().await;
    let conn = connection(&m, "shop-1").await;
    let cust = customer(&m, &conn, "1", "alice@example.com").await;
    let body = order_body(&conn, &cust, "A-1", "alice@example.com");
    assert_eq!(m.post("/ecomOrders", body).await.0, 201);
    let (status, res) = m
        .put(
            "/ecomOrders/1",
            json!({"ecomOrder": {"totalPrice": "1500", "orderProducts": [
                {"externalid": "P9", "name": "Ball", "price": 1500, "quantity": 1}
            ]}}),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["ecomOrder"]["totalPrice"], 1500);
    assert_eq!(res["ecomOrder"]["orderNumber"], "myorder-123");
    assert_eq!(res["ecomOrderProducts"].as_array().unwrap().len(), 1);
    let (_, res) = m.get("/ecomOrderProducts").await;
    assert_eq!(res["meta"]["total"], "1");
    assert_eq!(res["ecomOrderProducts"][0]["name"], "Ball");

    assert_eq!(m.delete("/ecomOrders/1").await.0, 200);
    let (status, res) = m.get("/ecomOrders/1").await;
    assert_eq!(status, 404);
    assert_eq!(res["message"], "No Result found for EcomOrder with id 1");
    assert_eq!(m.get("/ecomOrderProducts").await.1["meta"]["total"], "0");
}

#[tokio::test]
async fn order_required_fields_and_externalid_unique_per_connection() {
    let m = Mock::start().await;
    let (status, res) = m.post("/ecomOrders", json!({"ecomOrder": {}})).await;
    assert_eq!(status, 422);
    let pointers: Vec<String> = codes(&res).into_iter().map(|(_, p)| p).collect();
    for attr in [
        "externalid",
        "source",
        "email",
        "orderProducts",
        "totalPrice",
        "currency",
        "connectionid",
        "customerid",
    ] {
        assert!(
            pointers.contains(&format!("/data/attributes/{attr}")),
            "{attr}: {res}"
        );
    }

    let c1 = connection(&m, "shop-1").await;
    let c2 = connection(&m, "shop-2").await;
    let u1 = customer(&m, &c1, "1", "alice@example.com").await;
    let u2 = customer(&m, &c2, "1", "alice@example.com").await;
    let body = order_body(&c1, &u1, "A-1", "alice@example.com");
    assert_eq!(m.post("/ecomOrders", body.clone()).await.0, 201);
    let (status, res) = m.post("/ecomOrders", body).await;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&res),
        [("duplicate".into(), "/data/attributes/externalid".into())]
    );
    let other = order_body(&c2, &u2, "A-1", "alice@example.com");
    assert_eq!(m.post("/ecomOrders", other).await.0, 201);

    // A customer of another connection is not this order's customer.
    let wrong = order_body(&c1, &u2, "A-2", "alice@example.com");
    let (status, res) = m.post("/ecomOrders", wrong).await;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&res),
        [(
            "related_missing".into(),
            "/data/attributes/customerid".into()
        )]
    );
    let mut no_price = order_body(&c1, &u1, "A-3", "alice@example.com");
    no_price["ecomOrder"]["orderProducts"][0]
        .as_object_mut()
        .unwrap()
        .remove("price");
    let (status, res) = m.post("/ecomOrders", no_price).await;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&res),
        [(
            "field_missing".into(),
            "/data/attributes/orderProducts/0/price".into()
        )]
    );
    let mut bad = order_body(&c1, &u1, "A-4", "alice@example.com");
    bad["ecomOrder"]["totalPrice"] = json!(91.11);
    assert_eq!(m.post("/ecomOrders", bad).await.0, 422);
}

#[tokio::test]
async fn abandoned_cart_needs_an_abandoned_date() {
    let m = Mock::start().await;
    let conn = connection(&m, "shop-1").await;
    let cust = customer(&m, &conn, "1", "alice@example.com").await;
    let mut cart = order_body(&conn, &cust, "", "alice@example.com");
    let o = cart["ecomOrder"].as_object_mut().unwrap();
    o.remove("externalid");
    o.remove("externalCreatedDate");
    o.insert("externalcheckoutid".into(), json!("cart-7"));
    let (status, res) = m.post("/ecomOrders", cart.clone()).await;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&res),
        [(
            "field_missing".into(),
            "/data/attributes/abandonedDate".into()
        )]
    );
    cart["ecomOrder"]["abandonedDate"] = json!("2016-09-13T17:41:39-04:00");
    let (status, res) = m.post("/ecomOrders", cart).await;
    assert_eq!(status, 201, "{res}");
    assert_eq!(res["ecomOrder"]["externalcheckoutid"], "cart-7");
    assert_eq!(res["ecomOrder"]["externalid"], Value::Null);
    let (_, res) = m
        .get("/ecomOrders?filters[externalcheckoutid]=cart-7")
        .await;
    assert_eq!(res["meta"]["total"], "1");
}

#[tokio::test]
async fn orders_filter_and_page() {
    let m = Mock::start().await;
    let conn = connection(&m, "shop-1").await;
    let a = customer(&m, &conn, "1", "alice@example.com").await;
    let b = customer(&m, &conn, "2", "bob@example.com").await;
    for (i, (cust, email)) in [(&a, "alice@example.com"), (&b, "bob@example.com")]
        .iter()
        .cycle()
        .take(5)
        .enumerate()
    {
        let body = order_body(&conn, cust, &format!("O-{i}"), email);
        assert_eq!(m.post("/ecomOrders", body).await.0, 201);
    }
    let (_, res) = m.get("/ecomOrders?filters[email]=alice@example.com").await;
    assert_eq!(res["meta"]["total"], "3");
    let (_, res) = m.get(&format!("/ecomOrders?filters[customerid]={b}")).await;
    assert_eq!(res["meta"]["total"], "2");
    let (_, res) = m.get("/ecomOrders?filters[externalid]=O-4").await;
    assert_eq!(res["ecomOrders"][0]["id"], "5");
    let (_, res) = m.get("/ecomOrders?limit=2&offset=2").await;
    assert_eq!(res["meta"]["total"], "5");
    let ids: Vec<&str> = res["ecomOrders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["3", "4"]);
}

#[tokio::test]
async fn deleting_a_connection_removes_its_customers_orders_and_products() {
    let m = Mock::start().await;
    let c1 = connection(&m, "shop-1").await;
    let c2 = connection(&m, "shop-2").await;
    let u1 = customer(&m, &c1, "1", "alice@example.com").await;
    let u2 = customer(&m, &c2, "1", "alice@example.com").await;
    let body = order_body(&c1, &u1, "A-1", "alice@example.com");
    assert_eq!(m.post("/ecomOrders", body).await.0, 201);
    let body = order_body(&c2, &u2, "A-1", "alice@example.com");
    assert_eq!(m.post("/ecomOrders", body).await.0, 201);

    assert_eq!(m.delete(&format!("/connections/{c1}")).await.0, 200);
    assert_eq!(m.get(&format!("/ecomCustomers/{u1}")).await.0, 404);
    assert_eq!(m.get("/ecomOrders/1").await.0, 404);
    assert_eq!(m.get("/ecomOrders").await.1["meta"]["total"], "1");
    assert_eq!(m.get("/ecomOrderProducts").await.1["meta"]["total"], "2");
    assert_eq!(m.get("/ecomCustomers").await.1["meta"]["total"], "1");
    // The contact stays.
    let (_, res) = m.get("/contacts?email=alice@example.com").await;
    assert_eq!(res["meta"]["total"], "1");
}

#[tokio::test]
async fn ecom_survives_state_export_and_import_and_reset_empties_it() {
    let m = Mock::start().await;
    let conn = connection(&m, "shop-1").await;
    let cust = customer(&m, &conn, "1", "alice@example.com").await;
    let body = order_body(&conn, &cust, "A-1", "alice@example.com");
    assert_eq!(m.post("/ecomOrders", body).await.0, 201);
    let (_, before) = m.get("/ecomOrders/1").await;
    let (_, doc) = m.admin_get("/state").await;

    let reset = format!("{}/__admin/reset", m.server.base_url());
    let (status, _) = read(m.http.post(reset).send().await.unwrap()).await;
    assert_eq!(status, 200);
    for path in [
        "/connections",
        "/ecomCustomers",
        "/ecomOrders",
        "/ecomOrderProducts",
    ] {
        assert_eq!(m.get(path).await.1["meta"]["total"], "0", "{path}");
    }

    let url = format!("{}/__admin/state", m.server.base_url());
    let (status, res) = read(m.http.put(url).json(&doc).send().await.unwrap()).await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(m.get("/ecomOrders/1").await.1, before);
    assert_eq!(m.get("/connections").await.1["meta"]["total"], "1");
}

#[tokio::test]
async fn ecom_ids_that_are_not_ids_are_404() {
    let m = Mock::start().await;
    for (path, model) in [
        ("/connections/abc", "Connection"),
        ("/ecomCustomers/abc", "EcomCustomer"),
        ("/ecomOrders/abc", "EcomOrder"),
        ("/ecomOrders/abc/orderProducts", "EcomOrder"),
        ("/ecomOrderProducts/abc", "EcomOrderProduct"),
    ] {
        let (status, res) = m.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(
            res["message"],
            format!("No Result found for {model} with id abc")
        );
    }
}
