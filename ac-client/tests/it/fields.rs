use ac_client::encode::FieldCatalog;
use ac_client::fields::{
    FieldInput, FieldOptionInput, FieldQuery, FieldType, FieldValueInput, FieldValueQuery,
    RelTarget,
};
use ac_client::{contacts::ContactInput, ContactId, FieldId, FieldRelId, FieldValueId, ListId};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{contact_json, setup, setup_sending_nothing};

fn field_json(id: u64, title: &str, t: &str, perstag: &str) -> serde_json::Value {
    json!({"title":title,"type":t,"perstag":perstag,"visible":"1","ordernum":"1",
           "options":[],"relations":[],"links":{},"id":id.to_string()})
}

#[tokio::test]
async fn field_crud_options_and_relations() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/fields"))
        .and(body_json(
            json!({"field":{"title":"Colour","type":"listbox","perstag":"COLOUR"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"field": field_json(8, "Colour", "listbox", "COLOUR")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/fields/8"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "fieldOptions":[{"field":"8","orderid":"1","value":"red","label":"Red","isdefault":"0","id":"1"}],
            "fieldRels":[{"field":"8","relid":"0","dorder":"0","links":[],"id":"2"}],
            "field": field_json(8, "Colour", "listbox", "COLOUR")})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/fields"))
        .and(query_param("filters[perstag]", "COLOUR"))
        .and(query_param("limit", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"fieldOptions":[],"fieldRels":[],
            "fields":[field_json(8, "Colour", "listbox", "COLOUR")],"meta":{"total":"1","selected":null}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/fieldOption/bulk"))
        .and(body_json(json!({"fieldOptions":[
            {"field":"8","value":"red","label":"Red","orderid":1,"isdefault":false},
            {"field":"8","value":"blue","label":"Blue","isdefault":true}]})))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"fieldOptions":[
            {"orderid":1,"value":"red","label":"Red","isdefault":0,"field":"8","id":"1"},
            {"orderid":2,"value":"blue","label":"Blue","isdefault":1,"field":"8","id":"2"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/fieldRels"))
        .and(body_json(json!({"fieldRel":{"field":"8","relid":0}})))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"fieldRel":{"relid":0,"field":8,"links":[],"id":"19"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/fieldRels/19"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/fields/8"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"field": field_json(8, "Colour", "listbox", "COLOUR")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/fields/8"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;

    let fields = client.fields();
    let input = FieldInput::new("Colour", FieldType::Listbox).perstag("COLOUR");
    let f = fields.create(&input).await.unwrap();
    assert_eq!(f.id, FieldId(8));
    let full = fields.get(FieldId(8)).await.unwrap();
    assert_eq!(full.options[0].label, "Red");
    assert_eq!(full.relations[0].target(), RelTarget::AllLists);
    let page = fields
        .list(&FieldQuery::new().perstag("COLOUR"))
        .await
        .unwrap();
    assert_eq!(page.items[0].field_type, FieldType::Listbox);
    let opts = fields
        .create_options(vec![
            FieldOptionInput::new(FieldId(8), "red", "Red").order(1),
            FieldOptionInput::new(FieldId(8), "blue", "Blue").is_default(true),
        ])
        .await
        .unwrap();
    assert_eq!(opts[1].is_default, Some(true));
    let rel = fields
        .relate(FieldId(8), RelTarget::AllLists)
        .await
        .unwrap();
    assert_eq!(rel.id, FieldRelId(19));
    fields.delete_relation(FieldRelId(19)).await.unwrap();
    fields.update(FieldId(8), &input).await.unwrap();
    fields.delete(FieldId(8)).await.unwrap();
}

#[tokio::test]
async fn field_value_calls() {
    let (server, client) = setup().await;
    let fv = json!({"contact":"2","field":"3","value":"Blue","links":{},"owner":"2","id":"15"});
    Mock::given(method("POST"))
        .and(path("/api/3/fieldValues"))
        .and(body_json(
            json!({"fieldValue":{"contact":"2","field":"3","value":"Blue"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"contacts":[contact_json(2, "a@b.co")],"fieldValue": fv})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/fieldValues/15"))
        .and(body_json(
            json!({"fieldValue":{"contact":"2","field":"3","value":"Red"},"useDefaults":true}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"fieldValue": fv})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/fieldValues/15"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"fieldValue": fv})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/fieldValues"))
        .and(query_param("filters[fieldid]", "3"))
        .and(query_param("filters[val]", "Blue"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"fieldValues":[fv],"meta":{"total":"1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts/2/fieldValues"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"fieldValues":[fv]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/fieldValues/15"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let values = client.field_values();
    let v = values.set(ContactId(2), FieldId(3), "Blue").await.unwrap();
    assert_eq!(v.id, FieldValueId(15));
    values
        .update(
            FieldValueId(15),
            &FieldValueInput::new(ContactId(2), FieldId(3), "Red").use_defaults(true),
        )
        .await
        .unwrap();
    assert_eq!(values.get(FieldValueId(15)).await.unwrap().value, "Blue");
    let page = values
        .list(&FieldValueQuery::new().field(FieldId(3)).value("Blue"))
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(values.of_contact(ContactId(2)).await.unwrap().len(), 1);
    values.delete(FieldValueId(15)).await.unwrap();
}

#[tokio::test]
async fn catalog_resolves_and_encodes_into_a_sync() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/fields"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"fields":[
            field_json(1, "Favourite Colour", "checkbox", "FAVOURITE_COLOUR"),
            field_json(2, "Birthday", "date", "BIRTHDAY"),
            field_json(3, "Odd", "multivalue", "ODD")],"meta":{"total":"3"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/contact/sync"))
        .and(body_json(json!({"contact":{"email":"a@b.co","fieldValues":[
            {"field":"1","value":"||Red||Blue||"},{"field":"2","value":"2000-01-31"},{"field":"3","value":"x"}]}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "fieldValues":[{"contact":"9","field":"1","value":"||Red||Blue||","id":"1"},
                           {"contact":"9","field":"2","value":"2000-01-31","id":"2"},
                           {"contact":"9","field":"3","value":"x","id":"3"}],
            "contact": contact_json(9, "a@b.co")})))
        .expect(1)
        .mount(&server)
        .await;
    let catalog = FieldCatalog::fetch(&client).await.unwrap();
    let mut input = ContactInput::new("a@b.co");
    input.field_values.push(
        catalog
            .field_value("favourite-colour", vec!["Red", "Blue"])
            .unwrap(),
    );
    input.field_values.push(
        catalog
            .field_value("BIRTHDAY", "2000-01-31T10:00:00Z")
            .unwrap(),
    );
    input
        .field_values
        .push(catalog.field_value("odd", "x").unwrap());
    let synced = client.contacts().sync(&input).await.unwrap();
    assert!(synced.created());
    assert_eq!(synced.contact.field_values.len(), 3);
    assert_eq!(synced.contact.field_values[0].value, "||Red||Blue||");
}

#[tokio::test]
async fn bad_field_input_is_refused_before_sending() {
    let (_server, client) = setup_sending_nothing().await;
    let err = client
        .fields()
        .create(&FieldInput::new("", FieldType::Text))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("title"));
    let err = client.fields().create_options(vec![]).await.unwrap_err();
    assert_eq!(err.field(), Some("fieldOptions"));
    let err = client
        .fields()
        .list(&FieldQuery::new().limit(1000))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("limit"));
    let f: ac_client::fields::Field =
        serde_json::from_value(field_json(2, "Birthday", "date", "BIRTHDAY")).unwrap();
    let catalog = FieldCatalog::new(vec![f]);
    let err = catalog.field_value("Birthday", "not a date").unwrap_err();
    assert_eq!(err.field(), Some("Birthday"));
    let _ = ListId(0);
}
