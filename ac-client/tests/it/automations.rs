use ac_client::automations::{AutomationQuery, ContactAutomationQuery};
use ac_client::{AutomationId, ContactAutomationId, ContactId};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::setup;

fn entry_json(id: u64) -> serde_json::Value {
    json!({"contact":"7","seriesid":"3","status":"1","adddate":"2026-05-28T03:43:37-05:00",
           "lastdate":"2026-05-28T03:43:37-05:00","id":id.to_string(),"automation":"3"})
}

#[tokio::test]
async fn add_get_and_remove_a_contact_have_exact_shapes() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/contactAutomations"))
        .and(body_json(
            json!({"contactAutomation": {"contact": "7", "automation": "3"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"contacts": [], "contactAutomation": entry_json(11)})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/contactAutomations/11"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"contactAutomation": entry_json(11)})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/contactAutomations/11"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let automations = client.automations();
    let entry = automations.add_contact(7, 3).await.unwrap();
    assert_eq!(
        (entry.id, entry.contact, entry.automation),
        (ContactAutomationId(11), ContactId(7), AutomationId(3))
    );
    assert_eq!(automations.entry(11).await.unwrap(), entry);
    automations.remove_contact(entry.id).await.unwrap();
}

#[tokio::test]
async fn add_contact_is_not_retried_after_a_5xx() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/contactAutomations"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    assert!(client.automations().add_contact(7, 3).await.is_err());
}

#[tokio::test]
async fn listings_send_filters_and_paging() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/automations"))
        .and(query_param("limit", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "automations": [{"name": "Welcome", "status": "1", "entered": "4", "id": "3"}],
            "meta": {"total": "1"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/automations/3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "automation": {"name": "Welcome", "status": "1", "id": "3"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/contactAutomations"))
        .and(query_param("filters[contact]", "7"))
        .and(query_param("filters[seriesid]", "3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "contactAutomations": [entry_json(11)], "meta": {"total": "1"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts/7/contactAutomations"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"contactAutomations": [entry_json(11)]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let automations = client.automations();
    let page = automations
        .list(AutomationQuery::new().limit(2))
        .await
        .unwrap();
    assert_eq!((page.total, page.items[0].entered), (1, 4));
    assert_eq!(automations.get(3).await.unwrap().name, "Welcome");
    let entries = automations
        .entries(&ContactAutomationQuery::new().contact(7).automation(3))
        .await
        .unwrap();
    assert_eq!(entries.items[0].id, ContactAutomationId(11));
    assert_eq!(automations.of_contact(7).await.unwrap().len(), 1);
}
