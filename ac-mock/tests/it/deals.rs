//! Deals over raw HTTP (reference §8.3).

use crate::common::Mock;
use serde_json::{json, Value};

async fn deal(m: &Mock, body: Value) -> Value {
    let (status, res) = m.post("/deals", json!({ "deal": body })).await;
    assert_eq!(status, 201, "{res}");
    res
}

/// Contact jane@example.com with one deal (`T`, 100 usd); returns the contact id.
async fn contact_with_deal(m: &Mock) -> String {
    let c = m.contact("jane@example.com").await;
    deal(
        m,
        json!({"title": "T", "value": 100, "currency": "usd", "contact": c}),
    )
    .await;
    c
}

#[tokio::test]
async fn create_deal_returns_201_live_shape_with_side_loads() {
    let m = Mock::start().await;
    let c = m.contact("jane@example.com").await;
    let res = deal(
        &m,
        json!({"title": "Nango Test Deal", "value": 10000, "currency": "usd", "contact": c, "owner": 1}),
    )
    .await;
    let d = &res["deal"];
    assert_eq!(d["title"], "Nango Test Deal");
    assert_eq!(d["value"], 10000);
    assert_eq!(d["status"], 0);
    assert_eq!(d["currency"], "usd");
    assert_eq!(d["contact"], c.as_str());
    assert_eq!(d["owner"], "1");
    assert_eq!(d["group"], "1");
    assert_eq!(d["stage"], "1");
    assert_eq!(d["id"], "1");
    assert_eq!(d["isDisabled"], false);
    assert_eq!(d["account"], Value::Null);
    assert_eq!(d["customerAccount"], Value::Null);
    assert_eq!(d["organization"], Value::Null);
    assert_eq!(d["customFieldSaveStatus"], json!({"status": "success"}));
    assert_eq!(d["fields"], json!([]));
    assert_eq!(d["hash"].as_str().unwrap().len(), 8);
    assert!(d["cdate"].as_str().unwrap().ends_with("-05:00"));
    assert!(d["links"]["dealActivities"]
        .as_str()
        .unwrap()
        .ends_with("/api/3/deals/1/dealActivities"));
    assert_eq!(res["contacts"][0]["email"], "jane@example.com");
    assert_eq!(res["dealGroups"][0]["title"], "Default Pipeline");
    assert_eq!(res["dealStages"].as_array().unwrap().len(), 3);
    assert_eq!(res["dealStages"][0]["group"], "1");
}

#[tokio::test]
async fn get_deal_renders_value_and_status_as_strings() {
    let m = Mock::start().await;
    let c = m.contact("jane@example.com").await;
    deal(
        &m,
        json!({"title": "T", "value": 2500, "currency": "eur", "contact": c, "status": 1}),
    )
    .await;
    let (status, body) = m.get("/deals/1").await;
    assert_eq!(status, 200);
    assert_eq!(body["deal"]["value"], "2500");
    assert_eq!(body["deal"]["status"], "1");
    assert_eq!(body["deal"]["currency"], "eur");
}

#[tokio::test]
async fn deal_validations_are_422() {
    let m = Mock::start().await;
    let c = m.contact("jane@example.com").await;
    let cases = [
        (
            json!({"value": 1, "currency": "usd", "contact": c}),
            "field_missing",
            "/data/attributes/title",
        ),
        (
            json!({"title": "", "contact": c}),
            "field_missing",
            "/data/attributes/title",
        ),
        (
            json!({"title": "T", "currency": "usd"}),
            "field_missing",
            "/data/attributes/contact",
        ),
        (
            json!({"title": "T", "contact": c, "currency": "USD"}),
            "field_invalid",
            "/data/attributes/currency",
        ),
        (
            json!({"title": "T", "contact": c, "currency": "us"}),
            "field_invalid",
            "/data/attributes/currency",
        ),
        (
            json!({"title": "T", "contact": c, "currency": 840}),
            "field_invalid",
            "/data/attributes/currency",
        ),
        (
            json!({"title": "T", "contact": c, "value": -1}),
            "field_invalid",
            "/data/attributes/value",
        ),
        (
            json!({"title": "T", "contact": c, "value": 10.5}),
            "field_invalid",
            "/data/attributes/value",
        ),
        (
            json!({"title": "T", "contact": c, "value": "abc"}),
            "field_invalid",
            "/data/attributes/value",
        ),
        (
            json!({"title": "T", "contact": c, "status": 3}),
            "field_invalid",
            "/data/attributes/status",
        ),
        (
            json!({"title": "T", "contact": 99}),
            "related_missing",
            "/data/attributes/contact",
        ),
        (
            json!({"title": "T", "account": 99}),
            "related_missing",
            "/data/attributes/account",
        ),
        (
            json!({"title": "T", "contact": c, "stage": 99}),
            "related_missing",
            "/data/attributes/stage",
        ),
    ];
    for (body, code, pointer) in cases {
        let (status, res) = m.post("/deals", json!({ "deal": body.clone() })).await;
        assert_eq!(status, 422, "{body} → {res}");
        assert_eq!(res["errors"][0]["code"], code, "{body}");
        assert_eq!(res["errors"][0]["source"]["pointer"], pointer, "{body}");
    }
    assert_eq!(m.get("/deals").await.1["meta"]["total"], 0);
    // An account alone is enough; a numeric-string value is accepted.
    let (_, a) = m.post("/accounts", json!({"account": {"name": "A"}})).await;
    let res = deal(
        &m,
        json!({"title": "T", "account": a["account"]["id"], "value": "300"}),
    )
    .await;
    assert_eq!(res["deal"]["account"], "1");
    assert_eq!(res["deal"]["value"], 300);
}

#[tokio::test]
async fn list_deals_total_is_a_number_with_currencies() {
    let m = Mock::start().await;
    let c = m.contact("jane@example.com").await;
    let other = m.contact("joe@example.com").await;
    deal(
        &m,
        json!({"title": "A", "value": 10000, "currency": "usd", "contact": c}),
    )
    .await;
    deal(
        &m,
        json!({"title": "B", "value": 75000, "currency": "usd", "contact": c}),
    )
    .await;
    deal(
        &m,
        json!({"title": "C", "value": 500, "currency": "eur", "contact": other, "status": 2}),
    )
    .await;
    let (status, body) = m.get("/deals").await;
    assert_eq!(status, 200);
    assert_eq!(body["meta"]["total"], 3);
    assert_eq!(
        body["meta"]["currencies"]["USD"],
        json!({"total": "2", "value": "85000", "currency": "USD", "isDisabled": false})
    );
    assert_eq!(body["meta"]["currencies"]["EUR"]["value"], "500");
    let (_, body) = m.get(&format!("/deals?filters[contact]={other}")).await;
    assert_eq!(body["meta"]["total"], 1);
    let (_, body) = m.get("/deals?filters[status]=2").await;
    assert_eq!(body["deals"][0]["title"], "C");
    let (_, body) = m.get("/deals?limit=1&offset=1").await;
    assert_eq!(
        (
            body["meta"]["total"].clone(),
            body["deals"][0]["title"].clone()
        ),
        (json!(3), json!("B"))
    );
    let (status, body) = m.get(&format!("/contacts/{c}/deals")).await;
    assert_eq!(status, 200);
    assert_eq!(body["meta"]["total"], 2);
    let (status, body) = m.get("/contacts/99/deals").await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"message": "No Result found for Subscriber with id 99"})
        )
    );
}

#[tokio::test]
async fn put_patch_delete_deal_and_404_names_deal() {
    let m = Mock::start().await;
    contact_with_deal(&m).await;
    let (status, body) = m
        .put(
            "/deals/1",
            json!({"deal": {"title": "T2", "value": 200, "stage": 2, "status": 1}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["deal"]["title"], "T2");
    assert_eq!(body["deal"]["value"], 200);
    assert_eq!(body["deal"]["stage"], "2");
    assert_eq!(body["deal"]["status"], 1);
    assert_eq!(body["dealStages"].as_array().unwrap().len(), 3);
    let (status, body) = m
        .patch("/deals/1", json!({"deal": {"currency": "EUR"}}))
        .await;
    assert_eq!(
        (status, body["errors"][0]["code"].clone()),
        (422, json!("field_invalid"))
    );
    let (status, body) = m
        .patch("/deals/1", json!({"deal": {"description": "d"}}))
        .await;
    assert_eq!(
        (status, body["deal"]["description"].clone()),
        (200, json!("d"))
    );
    assert_eq!(body["deal"]["title"], "T2");
    let (status, body) = m.delete("/deals/1").await;
    assert_eq!((status, body), (200, json!({})));
    for (status, body) in [
        m.get("/deals/1").await,
        m.put("/deals/1", json!({"deal": {"title": "x"}})).await,
        m.delete("/deals/1").await,
        m.get("/deals/abc").await,
    ] {
        assert_eq!(status, 404);
        assert!(body["message"]
            .as_str()
            .unwrap()
            .starts_with("No Result found for Deal with id "));
    }
    assert_eq!(
        m.get("/deals/1").await.1,
        json!({"message": "No Result found for Deal with id 1"})
    );
}

#[tokio::test]
async fn contact_get_side_loads_deals_and_account_contacts() {
    let m = Mock::start().await;
    let c = contact_with_deal(&m).await;
    let (_, a) = m.post("/accounts", json!({"account": {"name": "A"}})).await;
    m.post(
        "/accountContacts",
        json!({"accountContact": {"contact": c, "account": a["account"]["id"]}}),
    )
    .await;
    let (status, body) = m.get(&format!("/contacts/{c}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["deals"][0]["title"], "T");
    assert_eq!(body["deals"][0]["value"], "100");
    assert_eq!(body["contact"]["deals"], json!(["1"]));
    assert_eq!(body["accountContacts"][0]["account"], "1");
}

#[tokio::test]
async fn default_pipeline_and_stages_are_listed() {
    let m = Mock::start().await;
    let (status, body) = m.get("/dealGroups").await;
    assert_eq!(status, 200);
    assert_eq!(body["dealGroups"][0]["title"], "Default Pipeline");
    assert_eq!(body["dealGroups"][0]["stages"], json!(["1", "2", "3"]));
    let (_, body) = m.get("/dealStages").await;
    let titles: Vec<&str> = body["dealStages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, vec!["To Contact", "In Contact", "Follow Up"]);
}

#[tokio::test]
async fn deal_custom_field_without_id_is_fields_invalid() {
    let m = Mock::start().await;
    let c = m.contact("jane@example.com").await;
    for fields in [json!([{"fieldValue": "x"}]), json!("x")] {
        let (status, body) = m
            .post(
                "/deals",
                json!({"deal": {"title": "T", "value": 1, "currency": "usd", "contact": c, "fields": fields}}),
            )
            .await;
        assert_eq!(
            (status, body),
            (
                422,
                json!({"errors": [{"title": "The fields are invalid.", "detail": "", "code": "field_invalid", "source": {"pointer": "/data/attributes/fields"}}]})
            )
        );
    }
}
