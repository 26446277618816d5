//! One convention for every handler: ids as `impl Into<XId>`, inputs and queries by value or
//! by reference, boxed `Unpin` streams, and Rust names for AC's wire names.

use ac_client::contacts::{ContactInput, ContactQuery};
use ac_client::fields::FieldInput;
use ac_client::lists::ListInput;
use ac_client::webhook_payload::parse_form;
use ac_client::{BoxStream, CustomValue, FieldCatalog, StatusCode};
use futures_util::StreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{contact_json, setup};

#[tokio::test]
async fn ids_are_plain_numbers_or_webhook_ids() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts/42"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"contact": contact_json(42, "a@example.com")})),
        )
        .expect(2)
        .mount(&server)
        .await;
    assert_eq!(client.contacts().get(42).await.unwrap().id.get(), 42);

    // An id read from a delivered webhook goes straight back into the API.
    let payload = parse_form(b"type=subscribe&contact%5Bid%5D=42").unwrap();
    let id = payload.contact().and_then(|c| c.id).unwrap();
    assert_eq!(
        client.contacts().get(id).await.unwrap().email,
        "a@example.com"
    );
}

#[tokio::test]
async fn inputs_and_queries_by_value_or_by_reference() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/contact/sync"))
        .and(body_json(json!({"contact":{"email":"a@example.com"}})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"contact": contact_json(1, "a@example.com")})),
        )
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts"))
        .and(query_param("listid", "3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "contacts":[contact_json(1, "a@example.com")],"meta":{"total":"1"}})))
        .expect(3)
        .mount(&server)
        .await;

    let input = ContactInput::new("a@example.com");
    client.contacts().sync(&input).await.unwrap();
    client.contacts().sync(input).await.unwrap();

    let query = ContactQuery::new().list(3);
    assert_eq!(client.contacts().list(&query).await.unwrap().len(), 1);
    assert_eq!(
        client.contacts().list(query.clone()).await.unwrap().len(),
        1
    );
    // A stream is driven with `next()` directly: no pinning.
    let mut stream: BoxStream<_> = client.contacts().stream(&query);
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.email, "a@example.com");
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn wire_names_stay_on_the_wire() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/fields"))
        .and(body_json(json!({"field":{
            "title":"Size","type":"text","descript":"Shirt size","defval":"M","isrequired":1,"ordernum":2}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"field":{
            "id":"9","title":"Size","type":"text","descript":"Shirt size","defval":"M",
            "isrequired":"1","ordernum":"2","perstag":"SIZE"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/lists"))
        .and(body_json(
            json!({"list":{"name":"Weekly News","stringid":"weekly-news",
            "sender_url":"https://example.com","sender_reminder":"You signed up"}}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"list":{
            "id":"4","name":"Weekly News","stringid":"weekly-news"}})))
        .expect(1)
        .mount(&server)
        .await;

    let field = client
        .fields()
        .create(
            FieldInput::new("Size", ac_client::fields::FieldType::Text)
                .description("Shirt size")
                .default_value("M")
                .required(true)
                .order(2),
        )
        .await
        .unwrap();
    assert_eq!(field.description.as_deref(), Some("Shirt size"));
    assert_eq!(field.default_value.as_deref(), Some("M"));
    assert_eq!(field.required, Some(true));
    assert_eq!(field.order, Some(2));

    let list = client
        .lists()
        .create(
            ListInput::new("Weekly News")
                .sender_url("https://example.com")
                .sender_reminder("You signed up"),
        )
        .await
        .unwrap();
    assert_eq!(list.slug, "weekly-news");
}

#[test]
fn custom_values_from_arrays_and_reexported_types() {
    assert_eq!(
        CustomValue::from(["Rust", "Go"]),
        CustomValue::Many(vec!["Rust".into(), "Go".into()])
    );
    assert_eq!(
        CustomValue::from([String::from("a")]),
        CustomValue::Many(vec!["a".into()])
    );
    let date = ac_client::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
    assert_eq!(CustomValue::from(date), CustomValue::Date(date));
    let at: ac_client::DateTime<ac_client::Utc> = ac_client::Utc::now();
    assert!(matches!(CustomValue::from(at), CustomValue::DateTime(_)));
    let catalog = FieldCatalog::new(Vec::new());
    assert!(catalog.resolve("x").is_none());
    assert_eq!(StatusCode::NOT_FOUND.as_u16(), 404);
}
