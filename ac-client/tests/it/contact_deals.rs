use ac_client::contact_deals::{ContactDealInput, ContactDealQuery};
use ac_client::{ContactDealId, ContactId, DealId};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::setup;

fn row(id: u64, role: &str) -> serde_json::Value {
    json!({"contactDeal": {"deal":"2","contact":"1","role":role,
        "cdate":"2026-05-28T03:05:54-05:00","links":{},"id":id.to_string()}})
}

#[tokio::test]
async fn crud_sends_acs_bodies_and_paths() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/contactDeals"))
        .and(body_json(
            json!({"contactDeal": {"contact":"1","deal":"2","role":"3"}}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(row(7, "3")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/contactDeals/7"))
        .and(body_json(json!({"contactDeal": {"role":"5"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(row(7, "5")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/contactDeals/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let cd = client.contact_deals();
    let created = cd
        .create(ContactDealInput::new(1u64, 2u64).role(3))
        .await
        .unwrap();
    assert_eq!(
        (created.id, created.contact, created.deal, created.role),
        (ContactDealId(7), ContactId(1), DealId(2), Some(3))
    );
    let updated = cd
        .update(7, &ContactDealInput::update().role(5))
        .await
        .unwrap();
    assert_eq!(updated.role, Some(5));
    cd.delete(7).await.unwrap();
}

#[tokio::test]
async fn list_sends_the_filters() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/contactDeals"))
        .and(query_param("filters[contact]", "1"))
        .and(query_param("filters[deal]", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "contactDeals": [row(7, "0")["contactDeal"]], "meta": {"total": "1"}})))
        .expect(1)
        .mount(&server)
        .await;
    let page = client
        .contact_deals()
        .list(ContactDealQuery::new().contact(1u64).deal(2u64))
        .await
        .unwrap();
    assert_eq!((page.total, page.items[0].role), (1, Some(0)));
}
