use ac_client::deals::{DealInput, DealQuery, DealStatus};
use ac_client::{AccountId, ContactId, DealId, PipelineId, StageId};
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, setup_sending_nothing, TOKEN};

fn deal_json(id: u64) -> Value {
    json!({"title":"Nango Test Deal","value":"10000","currency":"usd","contact":"1","owner":"1","group":"4",
        "stage":"10","cdate":"2026-05-28T04:05:28-05:00","mdate":"2026-05-28T04:05:28-05:00","description":"",
        "organization":null,"status":"1","nextdealid":"0","hash":"b7d0a729","links":{},"id":id.to_string(),
        "isDisabled":false,"account":null,"customerAccount":null})
}

#[tokio::test]
async fn deal_crud_exact_shapes() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/deals"))
        .and(header("Api-Token", TOKEN))
        .and(body_json(json!({"deal":{"title":"Nango Test Deal","contact":"1","value":10000,
            "currency":"usd","group":"4","stage":"10","owner":"1","status":0,
            "fields":[{"customFieldId":3,"fieldValue":"x"}]}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "contacts":[],"dealGroups":[],"dealStages":[],
            "deal":{"title":"Nango Test Deal","value":10000,"currency":"usd","contact":"1","owner":"1",
              "group":"4","stage":"10","status":0,"fields":[],"id":"15","isDisabled":false,"account":null}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/deals/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"deal":{"title":"Nango Deal 1","status":"0","id":"1","isDisabled":true}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/deals/15"))
        .and(body_json(
            json!({"deal":{"value":25000,"currency":"eur","status":1}}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"dealStages":[],"deal": deal_json(15)})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/deals/15"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;

    let deals = client.deals();
    let created = deals
        .create(
            &DealInput::new("Nango Test Deal")
                .contact(1u64)
                .value(10_000)
                .currency("USD")
                .group(4u64)
                .stage(10u64)
                .owner(1u64)
                .status(DealStatus::Open)
                .field(ac_client::accounts::CustomFieldValue::new(3, "x")),
        )
        .await
        .unwrap();
    assert_eq!(created.id, DealId(15));
    assert_eq!(created.value, Some(10_000));
    assert_eq!(created.group, Some(PipelineId(4)));
    assert_eq!(created.stage, Some(StageId(10)));
    let minimal = deals.get(DealId(1)).await.unwrap();
    assert_eq!(minimal.title.as_deref(), Some("Nango Deal 1"));
    assert_eq!(minimal.is_disabled, Some(true));
    assert_eq!(minimal.status, Some(DealStatus::Open));
    let updated = deals
        .update(
            DealId(15),
            &DealInput::update()
                .value(25_000)
                .currency("EUR")
                .status(DealStatus::Won),
        )
        .await
        .unwrap();
    assert_eq!(updated.status, Some(DealStatus::Won));
    assert_eq!(updated.value, Some(10_000));
    deals.delete(DealId(15)).await.unwrap();
}

#[tokio::test]
async fn invalid_deals_are_never_sent() {
    let (_server, client) = setup_sending_nothing().await;
    let deals = client.deals();
    let cases = [
        (DealInput::new("t").contact(1u64).value(-5), "value"),
        (
            DealInput::new("t").contact(1u64).currency("dollars"),
            "currency",
        ),
        (DealInput::new("t").contact(1u64).currency("us"), "currency"),
        (DealInput::new("t").value(5), "contact"),
        (DealInput::new(" ").account(1u64), "title"),
        (DealInput::update().account(AccountId(1)), "title"),
    ];
    for (input, field) in cases {
        let err = deals.create(&input).await.unwrap_err();
        assert!(err.is_invalid_input());
        assert_eq!(err.field(), Some(field), "{input:?}");
    }
    let err = deals
        .update(DealId(1), &DealInput::update().value(-1))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("value"));
}

#[tokio::test]
async fn deal_list_numeric_total_and_stream() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/deals"))
        .and(query_param("filters[status]", "1"))
        .and(query_param("filters[owner]", "1"))
        .and(query_param("limit", "2"))
        .and(query_param("offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "deals":[deal_json(1), deal_json(2)],
            "meta":{"currencies":{"USD":{"total":"13","value":"85000","currency":"USD","isDisabled":false}},"total":3}})))
        .expect(2) // list, then the stream's first page
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/deals"))
        .and(query_param("offset", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "deals":[{"title":"Nango Deal 1","status":"0","id":"3","isDisabled":true}],"meta":{"total":3}})))
        .expect(1)
        .mount(&server)
        .await;
    let q = DealQuery::new()
        .status(DealStatus::Won)
        .owner(1u64)
        .limit(2);
    let page = client.deals().list(&q.clone().offset(0)).await.unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.items[0].contact, Some(ContactId(1)));
    let all: Vec<_> = client.deals().stream(q).try_collect().await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].is_disabled, Some(true));
}
