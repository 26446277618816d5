//! The name-level helpers: find by email or name, find or create, a contact's tags and lists
//! with their names, the field catalog with options, and field values as their own handler.

use ac_client::field_values::FieldValueQuery;
use ac_client::lists::ListInput;
use ac_client::{CustomValue, FieldCatalog};
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{contact_json, setup, setup_sending_nothing};

fn list_json(id: u64, name: &str) -> serde_json::Value {
    json!({"id": id.to_string(), "name": name, "stringid": name.to_lowercase()})
}

#[tokio::test]
async fn find_by_email_is_none_when_there_is_none() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts"))
        .and(query_param("email", "ada@example.com"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "contacts":[contact_json(3, "Ada@Example.com")],"meta":{"total":"1"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts"))
        .and(query_param("email", "nobody@example.com"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"contacts":[],"meta":{"total":"0"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let found = client
        .contacts()
        .find_by_email("ada@example.com")
        .await
        .unwrap();
    assert_eq!(found.unwrap().id.get(), 3);
    assert!(client
        .contacts()
        .find_by_email("nobody@example.com")
        .await
        .unwrap()
        .is_none());
    let (_server, client) = setup_sending_nothing().await;
    assert!(client
        .contacts()
        .find_by_email("not-an-email")
        .await
        .is_err());
}

#[tokio::test]
async fn lists_find_by_name_and_find_or_create() {
    let (server, client) = setup().await;
    // `filters[name]` also matches longer names: only the exact one counts.
    Mock::given(method("GET"))
        .and(path("/api/3/lists"))
        .and(query_param("filters[name]", "News"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "lists":[list_json(1, "News archive")],"meta":{"total":"1"}})))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/lists"))
        .and(body_json(json!({"list":{"name":"News","stringid":"news",
            "sender_url":"https://example.com","sender_reminder":"You signed up"}})))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"list": list_json(2, "News")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    assert!(client.lists().find_by_name("News").await.unwrap().is_none());
    let input = ListInput::new("News")
        .sender_url("https://example.com")
        .sender_reminder("You signed up");
    let list = client.lists().find_or_create(&input).await.unwrap();
    assert_eq!(list.id.get(), 2);
}

#[tokio::test]
async fn tags_and_lists_side_load_then_name_in_the_fewest_requests() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts"))
        .and(query_param("ids[]", "7"))
        .and(query_param("include", "contactTags,contactLists"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "contacts":[contact_json(7, "a@example.com")],
            "contactTags":[
                {"id":"1","contact":"7","tag":"10"},
                {"id":"2","contact":"7","tag":"11"}],
            "contactLists":[{"id":"5","contact":"7","list":"3","status":"1"}],
            "meta":{"total":"1"}})))
        .expect(1)
        .mount(&server)
        .await;
    // Two tags: one page of every tag names both.
    Mock::given(method("GET"))
        .and(path("/api/3/tags"))
        .and(query_param("limit", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "tags":[{"id":"10","tag":"vip","tagType":"contact"},
                    {"id":"11","tag":"beta","tagType":"contact"},
                    {"id":"12","tag":"other","tagType":"contact"}],
            "meta":{"total":"3"}})))
        .expect(1)
        .mount(&server)
        .await;
    // One list: one GET by id, no paging.
    Mock::given(method("GET"))
        .and(path("/api/3/lists/3"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"list": list_json(3, "Newsletter")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let m = client.contacts().tags_and_lists(7).await.unwrap();
    assert_eq!(m.tag_names(), vec!["vip", "beta"]);
    assert_eq!(m.list_names(), vec!["Newsletter"]);
    assert_eq!(m.tags[0].association.id.get(), 1);
    assert_eq!(m.lists[0].membership.id.get(), 5);
}

#[tokio::test]
async fn the_catalog_fetches_options_and_checks_values() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/fields"))
        .and(query_param("limit", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "fields":[{"id":"4","title":"Colour","type":"dropdown","perstag":"COLOUR"}],
            "fieldOptions":[{"id":"1","field":"4","value":"Red","label":"Red"},
                            {"id":"2","field":"4","value":"Blue","label":"Blue"}],
            "meta":{"total":"1"}})))
        .expect(1)
        .mount(&server)
        .await;
    let catalog = FieldCatalog::fetch(&client).await.unwrap();
    assert_eq!(catalog.by_id(4u64).unwrap().title, "Colour");
    assert_eq!(catalog.field_value("Colour", "Blue").unwrap().value, "Blue");
    let err = catalog.field_value("Colour", "Bleu").unwrap_err();
    assert!(err.to_string().contains("did you mean `Blue`?"), "{err}");
}

#[tokio::test]
async fn field_values_are_their_own_handler_with_a_stream() {
    let (server, client) = setup().await;
    let fv = |id: u64, value: &str| json!({"id": id.to_string(), "contact":"2","field":"3","value": value});
    Mock::given(method("GET"))
        .and(path("/api/3/fieldValues"))
        .and(query_param("filters[fieldid]", "3"))
        .and(query_param("limit", "2"))
        .and(query_param("offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "fieldValues":[fv(1, "||a||"), fv(2, "||b||c||")],"meta":{"total":"3"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/fieldValues"))
        .and(query_param("offset", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "fieldValues":[fv(3, "")],"meta":{"total":"3"}})))
        .expect(1)
        .mount(&server)
        .await;
    let values: Vec<_> = client
        .field_values()
        .stream(FieldValueQuery::new().field(3).limit(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(values.len(), 3);
    let field: ac_client::fields::Field = serde_json::from_value(json!(
        {"id":"3","title":"Tags","type":"listbox"}))
    .unwrap();
    let catalog = FieldCatalog::new(vec![field]);
    assert_eq!(
        catalog.decode(&values[1]).unwrap(),
        CustomValue::from(["b", "c"])
    );
}
