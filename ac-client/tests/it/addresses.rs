use ac_client::addresses::{AddressInput, AddressQuery};
use ac_client::AddressId;
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, setup_sending_nothing};

fn address(id: u64, company: &str) -> serde_json::Value {
    json!({"companyName":company,"address1":"1 Main St","address2":"","city":"","state":"",
           "district":"","zip":"","country":"US","allgroup":"0","isDefault":"1","links":{},
           "id":id.to_string()})
}

#[tokio::test]
async fn crud_sends_acs_snake_case_bodies() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/addresses"))
        .and(body_json(
            json!({"address": {"company_name":"Acme","address_1":"1 Main St",
            "country":"US"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"address": address(3, "Acme")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/addresses/3"))
        .and(body_json(
            json!({"address": {"zip": "12345", "is_default": true}}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"address": address(3, "Acme")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/addresses"))
        .and(query_param("offset", "20"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"addresses": [address(3, "Acme")], "meta": {"total": "21"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/addresses/3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let addresses = client.addresses();
    let a = addresses
        .create(AddressInput::new("Acme", "1 Main St", "US"))
        .await
        .unwrap();
    assert_eq!(a.id, AddressId(3));
    addresses
        .update(3, AddressInput::update().zip("12345").default_address(true))
        .await
        .unwrap();
    let page = addresses
        .list(AddressQuery::new().offset(20))
        .await
        .unwrap();
    assert_eq!(page.total, 21);
    addresses.delete(a.id).await.unwrap();
}

#[tokio::test]
async fn a_bad_country_is_refused_before_sending() {
    let (_server, client) = setup_sending_nothing().await;
    let err = client
        .addresses()
        .create(AddressInput::new("Acme", "1 Main St", "United States"))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("country"));
}
