//! Sender addresses over raw HTTP (`/addresses`).

use crate::common::Mock;
use serde_json::{json, Value};

async fn create(m: &Mock, address: Value) -> Value {
    let (status, body) = m.post("/addresses", json!({ "address": address })).await;
    assert_eq!(status, 200, "{body}");
    body["address"].clone()
}

#[tokio::test]
async fn create_reads_snake_case_and_renders_acs_shape() {
    let m = Mock::start().await;
    let a = create(
        &m,
        json!({"company_name": "TEST NAME", "address_1": "TEST ADDRESS", "country": "us",
            "city": "Chicago", "allgroup": 1}),
    )
    .await;
    assert_eq!(
        (
            &a["companyName"],
            &a["address1"],
            &a["address2"],
            &a["country"]
        ),
        (
            &json!("TEST NAME"),
            &json!("TEST ADDRESS"),
            &json!(""),
            &json!("US")
        )
    );
    assert_eq!(
        (&a["allgroup"], &a["isDefault"]),
        (&json!("1"), &json!("1"))
    );
    assert_eq!(a["links"]["forms"], m.url("/addresses/1/forms"));
    let (_, got) = m.get("/addresses/1").await;
    assert_eq!(got["address"], a);
}

#[tokio::test]
async fn required_fields_and_country_code_are_checked() {
    let m = Mock::start().await;
    let (status, body) = m.post("/addresses", json!({"address": {}})).await;
    assert_eq!(status, 422);
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"]["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(
        pointers,
        [
            "/data/attributes/company_name",
            "/data/attributes/address_1",
            "/data/attributes/country"
        ]
    );
    let (status, body) = m
        .post(
            "/addresses",
            json!({"address": {"company_name": "A", "address_1": "B", "country": "USA"}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "field_invalid");
}

#[tokio::test]
async fn update_reads_camel_case_and_one_address_is_default() {
    let m = Mock::start().await;
    create(
        &m,
        json!({"company_name": "One", "address_1": "1 St", "country": "US"}),
    )
    .await;
    let two = create(
        &m,
        json!({"company_name": "Two", "address_1": "2 St", "country": "CA"}),
    )
    .await;
    assert_eq!(two["isDefault"], "0");
    let (status, body) = m
        .put(
            "/addresses/2",
            json!({"address": {"companyName": "New Two", "address1": "22 St", "zip": "12345",
                "is_default": true}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let a = &body["address"];
    assert_eq!(
        (
            &a["companyName"],
            &a["address1"],
            &a["zip"],
            &a["country"],
            &a["isDefault"]
        ),
        (
            &json!("New Two"),
            &json!("22 St"),
            &json!("12345"),
            &json!("CA"),
            &json!("1")
        )
    );
    let (_, one) = m.get("/addresses/1").await;
    assert_eq!(one["address"]["isDefault"], "0");
    let (status, _) = m
        .put("/addresses/2", json!({"address": {"company_name": " "}}))
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn delete_and_unknown_ids_are_acs() {
    let m = Mock::start().await;
    create(
        &m,
        json!({"company_name": "One", "address_1": "1 St", "country": "US"}),
    )
    .await;
    let (_, listed) = m.get("/addresses").await;
    assert_eq!(listed["meta"]["total"], "1");
    assert_eq!(m.delete("/addresses/1").await, (200, json!({})));
    let missing = json!({"message": "No Result found for Address with id 1"});
    assert_eq!(m.get("/addresses/1").await, (404, missing.clone()));
    assert_eq!(m.delete("/addresses/1").await, (404, missing.clone()));
    assert_eq!(
        m.put("/addresses/1", json!({"address": {}})).await,
        (404, missing)
    );
}
