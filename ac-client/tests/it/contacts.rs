use ac_client::contacts::{ContactInput, ContactOrder, ContactQuery, ContactUpdate, SyncOutcome};
use ac_client::{ContactId, Direction, FieldId};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{contact_json, setup, TOKEN};

fn common_headers(m: wiremock::MockBuilder) -> wiremock::MockBuilder {
    m.and(header("Api-Token", TOKEN))
        .and(header("Accept", "application/json"))
}

#[tokio::test]
async fn create_posts_exact_body_and_parses_field_values() {
    let (server, client) = setup().await;
    common_headers(Mock::given(method("POST")).and(path("/api/3/contacts")))
        .and(header("Content-Type", "application/json"))
        .and(body_json(json!({"contact":{
            "email":"ada@example.com","firstName":"Ada","lastName":"Lovelace","phone":"123",
            "fieldValues":[{"field":"1","value":"Blue"}]}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "fieldValues":[{"contact":"113","field":"1","value":"Blue","cdate":"2020-08-01T10:54:59-05:00",
                            "udate":"2020-08-01T14:13:34-05:00","links":{},"id":"11797","owner":"113"}],
            "contact": contact_json(113, "ada@example.com"),
        })))
        .expect(1)
        .mount(&server)
        .await;

    let input = ContactInput::new("ada@example.com")
        .first_name("Ada")
        .last_name("Lovelace")
        .phone("123")
        .field_value(FieldId(1), "Blue");
    let contact = client.contacts().create(&input).await.unwrap();
    assert_eq!(contact.id, ContactId(113));
    assert_eq!(contact.email, "ada@example.com");
    assert_eq!(contact.first_name, "Ada");
    assert_eq!(contact.field_values.len(), 1);
    assert_eq!(contact.field_values[0].value, "Blue");
    assert_eq!(contact.field_values[0].field, FieldId(1));
}

#[tokio::test]
async fn sync_tells_created_from_updated() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/contact/sync"))
        .and(header("Api-Token", TOKEN))
        .and(body_json(json!({"contact":{"email":"new@example.com"}})))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"contact": contact_json(5, "new@example.com")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/contact/sync"))
        .and(body_json(json!({"contact":{"email":"old@example.com"}})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"contact": contact_json(4, "old@example.com")})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let created = client
        .contacts()
        .sync(&ContactInput::new("new@example.com"))
        .await
        .unwrap();
    assert_eq!(created.outcome, SyncOutcome::Created);
    assert!(created.created());
    assert_eq!(created.contact.id, ContactId(5));
    let updated = client
        .contacts()
        .sync(&ContactInput::new("old@example.com"))
        .await
        .unwrap();
    assert_eq!(updated.outcome, SyncOutcome::Updated);
}

#[tokio::test]
async fn get_reads_contact_and_side_loaded_field_values() {
    let (server, client) = setup().await;
    common_headers(Mock::given(method("GET")).and(path("/api/3/contacts/1")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "contactAutomations":[],"contactLists":[{"contact":"1","list":"3","status":"1","id":"1"}],
            "fieldValues":[{"contact":"1","field":"2","value":"||a||b||","id":"9","owner":"1"}],
            "geoIps":[],"accountContacts":[],
            "contact": contact_json(1, "api@nango.dev"),
        })))
        .expect(1)
        .mount(&server)
        .await;
    let c = client.contacts().get(ContactId(1)).await.unwrap();
    assert_eq!(c.email, "api@nango.dev");
    assert_eq!(c.field_values[0].value, "||a||b||");
    assert_eq!(c.created.unwrap().to_rfc3339(), "2026-05-28T03:05:54-05:00");
}

#[tokio::test]
async fn update_puts_only_set_fields() {
    let (server, client) = setup().await;
    Mock::given(method("PUT"))
        .and(path("/api/3/contacts/7"))
        .and(header("Content-Type", "application/json"))
        .and(body_json(json!({"contact":{"firstName":"Grace"}})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"contact": contact_json(7, "g@example.com")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = client
        .contacts()
        .update(ContactId(7), &ContactUpdate::new().first_name("Grace"))
        .await
        .unwrap();
    assert_eq!(c.id, ContactId(7));
}

#[tokio::test]
async fn delete_accepts_empty_object() {
    let (server, client) = setup().await;
    common_headers(Mock::given(method("DELETE")).and(path("/api/3/contacts/7")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    client.contacts().delete(ContactId(7)).await.unwrap();
}

#[tokio::test]
async fn list_sends_exact_query_and_reads_string_total() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts"))
        .and(query_param("email_like", "example.com"))
        .and(query_param("orders[cdate]", "DESC"))
        .and(query_param("limit", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "scoreValues":[],
            "contacts":[contact_json(1, "a@example.com"), contact_json(2, "b@example.com")],
            "meta":{"page_input":{"limit":2,"offset":0},"total":"10","sortable":true}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client
        .contacts()
        .list(
            &ContactQuery::new()
                .email_like("example.com")
                .order_by(ContactOrder::Cdate, Direction::Desc)
                .limit(2),
        )
        .await
        .unwrap();
    assert_eq!(page.total, 10);
    assert_eq!(page.len(), 2);
    assert!(page.has_more(0));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].url.query(),
        Some("email_like=example.com&orders%5Bcdate%5D=DESC&limit=2")
    );
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let (server, client) = setup().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let err = client
        .contacts()
        .create(&ContactInput::new(""))
        .await
        .unwrap_err();
    assert!(err.is_invalid_input());
    assert_eq!(err.field(), Some("email"));
    let err = client
        .contacts()
        .sync(&ContactInput::new("nope"))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("email"));
    let err = client
        .contacts()
        .list(&ContactQuery::new().limit(500))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("limit"));
    let err = client
        .contacts()
        .update(ContactId(1), &ContactUpdate::new().email("x y@z"))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("email"));
}

#[tokio::test]
async fn get_details_reads_side_loads() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "contactAutomations":[],
            "contactLists":[{"contact":"1","list":"3","status":"1","id":"1","channel":"email"}],
            "deals":[{"title":"Deal","status":"0","id":"1","isDisabled":true}],
            "fieldValues":[{"contact":"1","field":"2","value":"x","id":"9"}],
            "contact": contact_json(1, "a@b.co"),
        })))
        .expect(1)
        .mount(&server)
        .await;
    let d = client.contacts().get_details(ContactId(1)).await.unwrap();
    assert_eq!(d.contact_lists[0].list, ac_client::ListId(3));
    assert_eq!(d.contact.field_values.len(), 1);
    assert_eq!(d.other["deals"][0]["title"], "Deal");
}

#[tokio::test]
async fn custom_field_setter_encodes_by_type_before_sending() {
    use ac_client::encode::FieldCatalog;
    let fields: Vec<ac_client::fields::Field> = serde_json::from_value(json!([
        {"id":"1","title":"Colours","type":"listbox","perstag":"COLOURS"},
        {"id":"2","title":"Seen","type":"datetime","perstag":"SEEN"}
    ]))
    .unwrap();
    let catalog = FieldCatalog::new(fields);
    let input = ContactInput::new("a@b.co")
        .custom_field(&catalog, "colours", vec!["a", "b"])
        .unwrap()
        .custom_field(&catalog, "SEEN", "2024-11-01T13:05:00-06:00")
        .unwrap();
    assert_eq!(
        serde_json::to_value(&input).unwrap()["fieldValues"],
        json!([{"field":"1","value":"||a||b||"},{"field":"2","value":"2024-11-01T13:05:00-06:00"}])
    );
    let err = ContactInput::new("a@b.co")
        .custom_field(&catalog, "Seen", "whenever")
        .unwrap_err();
    assert_eq!(err.field(), Some("Seen"));
    let err = ContactUpdate::new()
        .custom_field(&catalog, "Missing", "x")
        .unwrap_err();
    assert_eq!(err.field(), Some("Missing"));
}
