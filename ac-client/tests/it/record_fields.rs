use ac_client::record_fields::{
    RecordFieldInput, RecordFieldType, RecordValueInput, RecordValueQuery,
};
use ac_client::{AccountId, DealId, RecordFieldId, RecordFieldValueId};
use futures_util::TryStreamExt;
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, setup_sending_nothing};

#[tokio::test]
async fn deal_field_and_value_exact_shapes() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/dealCustomFieldMeta"))
        .and(body_json(json!({"dealCustomFieldMetum": {"fieldLabel": "Tags",
            "fieldType": "multiselect", "fieldOptions": ["a", "b"], "isRequired": 1}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"dealCustomFieldMetum": {
            "fieldLabel": "Tags", "fieldType": "multiselect", "fieldOptions": ["a", "b"],
            "fieldDefault": null, "isFormVisible": 1, "isRequired": 1, "displayOrder": 1, "id": "3"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/dealCustomFieldData"))
        .and(body_json(
            json!({"dealCustomFieldDatum": {"dealId": "9", "customFieldId": "3",
            "fieldValue": "||a||b||"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"dealCustomFieldDatum": {
            "dealId": "9", "customFieldId": 3, "fieldValue": "||a||b||", "id": "7"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/dealCustomFieldData/7"))
        .and(body_json(
            json!({"dealCustomFieldDatum": {"fieldValue": "||b||"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"dealCustomFieldDatum": {
            "dealId": "9", "customFieldId": 3, "fieldValue": "||b||", "id": "7"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/deals/9/dealCustomFieldData"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"dealCustomFieldData": [
            {"dealId": "9", "customFieldId": 3, "fieldValue": "||b||", "id": "7"}], "meta": {"total": 1}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/dealCustomFieldData/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;

    let fields = client.deal_fields();
    let tags = fields
        .create(
            RecordFieldInput::new("Tags", RecordFieldType::Multiselect)
                .options(["a", "b"])
                .required(true),
        )
        .await
        .unwrap();
    assert_eq!(tags.id, RecordFieldId(3));
    assert_eq!(tags.options, ["a", "b"]);
    let v = fields
        .create_value(RecordValueInput::encode(DealId(9), &tags, vec!["a", "b"]).unwrap())
        .await
        .unwrap();
    assert_eq!((v.id, v.record), (RecordFieldValueId(7), Some(9)));
    let v = fields
        .update_value(
            7,
            RecordValueInput::encode(DealId(9), &tags, vec!["b"]).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(v.value, "||b||");
    let of_deal = fields.values_of(DealId(9)).await.unwrap();
    assert_eq!(of_deal.total, 1);
    fields.delete_value(7).await.unwrap();
}

#[tokio::test]
async fn account_fields_use_account_paths_and_keys() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/accountCustomFieldMeta"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"accountCustomFieldMeta": [
            {"fieldLabel": "Budget", "fieldType": "currency", "fieldOptions": null, "id": "1"}],
            "meta": {"total": "1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/accountCustomFieldData"))
        .and(body_json(
            json!({"accountCustomFieldDatum": {"customerAccountId": "4",
            "customFieldId": "1", "fieldValue": "150000", "fieldCurrency": "EUR"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"accountCustomFieldDatum": {
            "customerAccountId": "4", "customFieldId": 1, "fieldValue": "150000",
            "fieldCurrency": "EUR", "id": "2"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/accountCustomFieldData"))
        .and(query_param("filters[customFieldId]", "1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"accountCustomFieldData": [
            {"customerAccountId": "4", "customFieldId": 1, "fieldValue": "150000", "id": "2"}],
            "meta": {"total": "1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let fields = client.account_fields();
    let page = fields.list().await.unwrap();
    let budget = &page.items[0];
    assert_eq!(budget.field_type, RecordFieldType::Currency);
    let v = fields
        .create_value(
            RecordValueInput::encode(AccountId(4), budget, 150_000i64)
                .unwrap()
                .currency("eur")
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(v.currency.as_deref(), Some("EUR"));
    let all: Vec<_> = fields
        .stream_values(RecordValueQuery::new().field(1u64))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all[0].record, Some(4));
}

#[tokio::test]
async fn field_without_label_sends_nothing() {
    let (_server, client) = setup_sending_nothing().await;
    let err = client
        .deal_fields()
        .create(RecordFieldInput::new(" ", RecordFieldType::Text))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("fieldLabel"));
}
