//! What real AC clients written by others call and the mock used to miss: the deal filters
//! AC documents, `dealStages?filters[d_groupid]`, the plural `fieldOptions/bulk` AC's MCP server
//! uses, and lists created without `stringid`.

use crate::common::Mock;
use serde_json::{json, Value};

async fn deal(m: &Mock, body: Value) -> String {
    let (status, res) = m.post("/deals", json!({ "deal": body })).await;
    assert_eq!(status, 201, "{res}");
    res["deal"]["id"].as_str().unwrap().to_owned()
}

fn ids(body: &Value, key: &str) -> Vec<String> {
    body[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn deals_filter_by_stage_group_and_owner() {
    let m = Mock::start().await;
    let c = m.contact("deals@example.com").await;
    let a = deal(
        &m,
        json!({"title":"A","value":1,"currency":"usd","contact":c,"owner":1,"stage":1}),
    )
    .await;
    let b = deal(
        &m,
        json!({"title":"B","value":1,"currency":"usd","contact":c,"owner":1,"stage":2}),
    )
    .await;
    let (_, all) = m.get("/deals").await;
    assert_eq!(ids(&all, "deals"), [a.clone(), b.clone()]);
    let (_, s2) = m.get("/deals?filters[stage]=2").await;
    assert_eq!(ids(&s2, "deals"), [b]);
    assert_eq!(s2["meta"]["total"], json!(1));
    let (_, g1) = m.get("/deals?filters[group]=1").await;
    assert_eq!(ids(&g1, "deals").len(), 2);
    let (_, g9) = m.get("/deals?filters[group]=9").await;
    assert!(ids(&g9, "deals").is_empty());
    let (_, o1) = m.get("/deals?filters[owner]=1&filters[stage]=1").await;
    assert_eq!(ids(&o1, "deals"), [a]);
    let (_, o2) = m.get("/deals?filters[owner]=2").await;
    assert!(ids(&o2, "deals").is_empty());
    let (_, junk) = m.get("/deals?filters[stage]=abc").await;
    assert!(ids(&junk, "deals").is_empty(), "not an id matches nothing");
}

#[tokio::test]
async fn deal_stages_filter_by_pipeline() {
    let m = Mock::start().await;
    let (_, all) = m.get("/dealStages").await;
    assert_eq!(ids(&all, "dealStages").len(), 3);
    let (_, one) = m.get("/dealStages?filters[d_groupid]=1").await;
    assert_eq!(ids(&one, "dealStages").len(), 3);
    let (_, none) = m.get("/dealStages?filters[d_groupid]=2").await;
    assert!(ids(&none, "dealStages").is_empty());
    assert_eq!(
        none["meta"]["total"],
        all["meta"]["total"]
            .as_str()
            .map_or(json!(0), |_| json!("0"))
    );
}

#[tokio::test]
async fn field_options_bulk_answers_under_the_plural_too() {
    let m = Mock::start().await;
    let f = m.field("Colour").await;
    let body = json!({"fieldOptions": [
        {"orderid": 1, "value": "R", "label": "Red", "isdefault": false, "field": f},
    ]});
    let (singular, a) = m.post("/fieldOption/bulk", body.clone()).await;
    let (plural, b) = m.post("/fieldOptions/bulk", body).await;
    assert_eq!((singular, plural), (201, 201), "{a} {b}");
    assert_eq!(a["fieldOptions"][0]["value"], b["fieldOptions"][0]["value"]);
}

#[tokio::test]
async fn a_list_without_stringid_gets_a_unique_one_from_its_name() {
    let m = Mock::start().await;
    let list = |name: &str| {
        json!({"list": {"name": name, "sender_url": "https://example.com",
                        "sender_reminder": "You signed up"}})
    };
    let (status, a) = m.post("/lists", list("Product News!")).await;
    assert_eq!(status, 201, "{a}");
    assert_eq!(a["list"]["stringid"], "product-news");
    let (_, b) = m.post("/lists", list("Product  News")).await;
    assert_eq!(b["list"]["stringid"], "product-news-2");
    // A given stringid is still checked as before.
    let (status, _) = m
        .post(
            "/lists",
            json!({"list": {"name": "X", "stringid": "product-news", "sender_url": "u", "sender_reminder": "r"}}),
        )
        .await;
    assert_eq!(status, 422);
    // Without a name there is nothing to derive from: AC's field errors.
    let (status, _) = m.post("/lists", json!({"list": {"sender_url": "u"}})).await;
    assert_eq!(status, 422);
}
