//! Custom fields, options, relations and values over raw HTTP (reference §5).

use crate::common::Mock;
use serde_json::json;

/// Field `Colour` and contact c@example.com whose value of it is `red`: (field, contact).
async fn colour_red(m: &Mock) -> (String, String) {
    let f = m.field("Colour").await;
    let c = m.contact("c@example.com").await;
    m.post(
        "/fieldValues",
        json!({"fieldValue": {"contact": c, "field": f, "value": "red"}}),
    )
    .await;
    (f, c)
}

#[tokio::test]
async fn create_field_returns_201_live_shape_with_derived_perstag() {
    let m = Mock::start().await;
    let (status, body) = m
        .post(
            "/fields",
            json!({"field": {"title": "Another Test-Title", "type": "text"}}),
        )
        .await;
    assert_eq!(status, 201);
    let f = &body["field"];
    assert_eq!(
        (f["perstag"].clone(), f["ordernum"].clone(), f["id"].clone()),
        (json!("ANOTHER_TEST_TITLE"), json!(1), json!("1"))
    );
    assert_eq!(
        (f["type"].clone(), f["created_by"].clone()),
        (json!("text"), json!("1"))
    );
    assert!(f["links"]["options"]
        .as_str()
        .unwrap()
        .ends_with("/api/3/fields/1/options"));
}

#[tokio::test]
async fn supplied_perstag_is_upper_cased_without_spaces() {
    let m = Mock::start().await;
    let (_, body) = m
        .post(
            "/fields",
            json!({"field": {"title": "T", "type": "text", "perstag": "Personalized Tag"}}),
        )
        .await;
    assert_eq!(body["field"]["perstag"], "PERSONALIZEDTAG");
    let (_, body) = m
        .put("/fields/1", json!({"field": {"perstag": "my tag"}}))
        .await;
    assert_eq!(body["field"]["perstag"], "MYTAG");
}

#[tokio::test]
async fn duplicate_title_is_422_with_exact_body() {
    let m = Mock::start().await;
    m.field("Test Title").await;
    let (status, body) = m
        .post(
            "/fields",
            json!({"field": {"title": "Test Title", "type": "text"}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"errors":[{"title":"There is already a field with this title","detail":"There is already a field named 'Test Title' -- choose another name","code":"duplicate"}]})
    );
}

#[tokio::test]
async fn missing_title_or_type_is_422_field_missing() {
    let m = Mock::start().await;
    let (status, body) = m.post("/fields", json!({"field": {"title": "x"}})).await;
    assert_eq!(
        (status, body["errors"][0]["code"].clone()),
        (422, json!("field_missing"))
    );
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/type"
    );
    let (status, body) = m.post("/fields", json!({"field": {}})).await;
    assert_eq!((status, body["errors"].as_array().unwrap().len()), (422, 2));
}

#[tokio::test]
async fn options_rels_side_load_and_field_get_lists_ids() {
    let m = Mock::start().await;
    let f = m.field("Colour").await;
    let (status, body) = m
        .post(
            "/fieldOption/bulk",
            json!({"fieldOptions": [
                {"orderid": 1, "value": "R", "label": "Red", "isdefault": false, "field": f},
                {"orderid": 2, "value": "B", "label": "Blue", "isdefault": true, "field": f}
            ]}),
        )
        .await;
    assert_eq!(status, 201);
    let o = &body["fieldOptions"][1];
    assert_eq!(
        (
            o["orderid"].clone(),
            o["isdefault"].clone(),
            o["field"].clone(),
            o["id"].clone()
        ),
        (json!(2), json!(1), json!(f), json!("2"))
    );
    let (status, body) = m
        .post(
            "/fieldRels",
            json!({"fieldRel": {"field": f.parse::<u64>().unwrap(), "relid": 0}}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        (
            body["fieldRel"]["links"].clone(),
            body["fieldRel"]["relid"].clone()
        ),
        (json!([]), json!(0))
    );
    let (status, body) = m.get(&format!("/fields/{f}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            body["field"]["options"].clone(),
            body["field"]["relations"].clone()
        ),
        (json!(["1", "2"]), json!(["1"]))
    );
    assert_eq!(body["fieldOptions"][0]["orderid"], "1");
    assert_eq!(body["fieldRels"][0]["links"], json!([]));
    assert_eq!(m.delete("/fieldRels/1").await, (200, json!({})));
    assert_eq!(m.delete("/fieldRels/1").await.0, 404);
}

#[tokio::test]
async fn bulk_options_bad_shape_is_422_string_errors_and_unknown_field_404() {
    let m = Mock::start().await;
    let expected = json!({"errors": "Bulk operation failed. Request must contain an array of fieldOption objects."});
    for body in [
        json!({"fieldOption": {"field": 1}}),
        json!({"fieldOptions": {}}),
        json!({"fieldOptions": [1]}),
        json!({"fieldOptions": []}),
    ] {
        assert_eq!(
            m.post("/fieldOption/bulk", body).await,
            (422, expected.clone())
        );
    }
    let (status, body) = m
        .post(
            "/fieldOption/bulk",
            json!({"fieldOptions": [{"field": 42, "value": "x"}]}),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"message": "No Result found for Field with id 42"})
        )
    );
}

#[tokio::test]
async fn list_fields_default_limit_100_perstag_filter_and_meta() {
    let m = Mock::start().await;
    for i in 0..25 {
        m.field(&format!("F{i}")).await;
    }
    let (status, body) = m.get("/fields").await;
    assert_eq!(status, 200);
    assert_eq!(body["fields"].as_array().unwrap().len(), 25);
    assert_eq!(body["meta"], json!({"total": "25", "selected": null}));
    assert!(body["fieldOptions"].is_array() && body["fieldRels"].is_array());
    let (_, body) = m.get("/fields?filters[perstag]=F7").await;
    assert_eq!(
        (
            body["fields"][0]["title"].clone(),
            body["meta"]["total"].clone()
        ),
        (json!("F7"), json!("1"))
    );
}

#[tokio::test]
async fn update_and_delete_field_cascade_and_404() {
    let m = Mock::start().await;
    let (f, c) = colour_red(&m).await;
    m.post(
        "/fieldOption/bulk",
        json!({"fieldOptions": [{"field": f, "value": "x", "label": "X"}]}),
    )
    .await;
    let (status, body) = m
        .put(
            &format!("/fields/{f}"),
            json!({"field": {"title": "Color"}}),
        )
        .await;
    assert_eq!(
        (
            status,
            body["field"]["title"].clone(),
            body["field"]["perstag"].clone()
        ),
        (200, json!("Color"), json!("COLOUR"))
    );
    assert_eq!(m.delete(&format!("/fields/{f}")).await, (200, json!({})));
    let (_, body) = m.get(&format!("/contacts/{c}/fieldValues")).await;
    assert_eq!(body["fieldValues"], json!([]));
    assert_eq!(m.get("/fields").await.1["fieldOptions"], json!([]));
    let (status, body) = m.get(&format!("/fields/{f}")).await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"message": format!("No Result found for Field with id {f}")})
        )
    );
}

#[tokio::test]
async fn field_value_post_upserts_and_echoes_input_types() {
    let m = Mock::start().await;
    let f = m.field("Colour").await;
    let c = m.contact("c@example.com").await;
    let cn: u64 = c.parse().unwrap();
    let (status, first) = m
        .post(
            "/fieldValues",
            json!({"fieldValue": {"contact": cn, "field": f, "value": "red"}, "useDefaults": true}),
        )
        .await;
    assert_eq!(status, 200);
    let v = &first["fieldValue"];
    assert_eq!(
        (
            v["contact"].clone(),
            v["owner"].clone(),
            v["field"].clone(),
            v["value"].clone()
        ),
        (json!(cn), json!(cn), json!(f), json!("red"))
    );
    assert_eq!(first["contacts"][0]["email"], "c@example.com");
    let (status, second) = m
        .post(
            "/fieldValues",
            json!({"fieldValue": {"contact": c, "field": f, "value": "blue"}}),
        )
        .await;
    assert_eq!(
        (status, second["fieldValue"]["id"].clone()),
        (200, v["id"].clone())
    );
    let (_, body) = m.get(&format!("/contacts/{c}/fieldValues")).await;
    let values = body["fieldValues"].as_array().unwrap();
    assert_eq!(
        (
            values.len(),
            values[0]["value"].clone(),
            values[0]["owner"].clone()
        ),
        (1, json!("blue"), json!(c))
    );
}

#[tokio::test]
async fn field_value_get_put_filter_delete_and_404() {
    let m = Mock::start().await;
    let f = m.field("Colour").await;
    let g = m.field("Size").await;
    let a = m.contact("a@example.com").await;
    let b = m.contact("b@example.com").await;
    m.post(
        "/fieldValues",
        json!({"fieldValue": {"contact": a, "field": f, "value": "red"}}),
    )
    .await;
    m.post(
        "/fieldValues",
        json!({"fieldValue": {"contact": b, "field": f, "value": "blue"}}),
    )
    .await;
    m.post(
        "/fieldValues",
        json!({"fieldValue": {"contact": b, "field": g, "value": "red"}}),
    )
    .await;
    let (status, body) = m
        .put(
            "/fieldValues/1",
            json!({"fieldValue": {"contact": a, "field": f, "value": "green"}}),
        )
        .await;
    assert_eq!(
        (status, body["fieldValue"]["value"].clone()),
        (200, json!("green"))
    );
    let (status, body) = m.get("/fieldValues/1").await;
    assert_eq!(
        (
            status,
            body["fieldValue"]["value"].clone(),
            body["fieldValue"]["id"].clone()
        ),
        (200, json!("green"), json!("1"))
    );
    let (_, body) = m.get(&format!("/fieldValues?filters[fieldid]={f}")).await;
    assert_eq!(body["meta"]["total"], "2");
    let (_, body) = m.get("/fieldValues?filters[val]=red").await;
    assert_eq!(
        (
            body["meta"]["total"].clone(),
            body["fieldValues"][0]["field"].clone()
        ),
        (json!("1"), json!(g))
    );
    assert_eq!(m.delete("/fieldValues/1").await, (200, json!({})));
    assert_eq!(
        m.get("/fieldValues/1").await,
        (
            404,
            json!({"message": "No Result found for FieldValue with id 1"})
        )
    );
    assert_eq!(
        m.put("/fieldValues/1", json!({"fieldValue": {"value": "x"}}))
            .await
            .0,
        404
    );
    assert_eq!(m.delete("/fieldValues/1").await.0, 404);
}

#[tokio::test]
async fn field_value_unknown_contact_or_field_is_404_errors_array() {
    let m = Mock::start().await;
    let f = m.field("Colour").await;
    let c = m.contact("c@example.com").await;
    let (status, body) = m
        .post(
            "/fieldValues",
            json!({"fieldValue": {"contact": 9, "field": f, "value": "x"}}),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["detail"].clone()),
        (404, json!("Contact not found"))
    );
    let (status, body) = m
        .post(
            "/fieldValues",
            json!({"fieldValue": {"contact": c, "field": 9, "value": "x"}}),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["detail"].clone()),
        (404, json!("Field not found"))
    );
    let (status, body) = m
        .post("/fieldValues", json!({"fieldValue": {"field": f}}))
        .await;
    assert_eq!(
        (status, body["errors"][0]["title"].clone()),
        (422, json!("Missing attribute"))
    );
}

#[tokio::test]
async fn inline_field_values_on_create_sync_update() {
    let m = Mock::start().await;
    let f = m.field("Colour").await;
    let (status, body) = m
        .post("/contacts", json!({"contact": {"email": "i@example.com", "fieldValues": [{"field": f, "value": "red"}]}}))
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        (
            body["fieldValues"][0]["value"].clone(),
            body["fieldValues"][0]["field"].clone()
        ),
        (json!("red"), json!(f))
    );
    let c = body["contact"]["id"].as_str().unwrap().to_string();
    let (status, body) = m
        .post("/contact/sync", json!({"contact": {"email": "i@example.com", "fieldValues": [{"field": f, "value": "blue"}]}}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            body["fieldValues"][0]["value"].clone(),
            body["contact"]["fieldValues"].clone()
        ),
        (json!("blue"), json!(["1"]))
    );
    let (status, body) = m
        .put(
            &format!("/contacts/{c}"),
            json!({"contact": {"fieldValues": [{"field": f, "value": "green"}]}}),
        )
        .await;
    assert_eq!(
        (status, body["fieldValues"][0]["value"].clone()),
        (200, json!("green"))
    );
    let (_, body) = m.get(&format!("/contacts/{c}")).await;
    assert_eq!(
        (
            body["fieldValues"][0]["value"].clone(),
            body["contact"]["fieldValues"].clone()
        ),
        (json!("green"), json!(["1"]))
    );
}

#[tokio::test]
async fn inline_field_value_with_unknown_field_is_422_and_writes_nothing() {
    let m = Mock::start().await;
    let (status, body) = m
        .post("/contacts", json!({"contact": {"email": "i@example.com", "fieldValues": [{"field": 99, "value": "x"}]}}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "related_missing");
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/fieldValues/0/field"
    );
    assert_eq!(m.get("/contacts").await.1["meta"]["total"], "0");
    let (status, body) = m
        .post(
            "/contacts",
            json!({"contact": {"email": "i@example.com", "fieldValues": {"field": 1}}}),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["source"]["pointer"].clone()),
        (422, json!("/data/attributes/fieldValues"))
    );
}

#[tokio::test]
async fn deleting_a_contact_removes_its_field_values() {
    let m = Mock::start().await;
    let (_, c) = colour_red(&m).await;
    m.delete(&format!("/contacts/{c}")).await;
    assert_eq!(m.get("/fieldValues").await.1["meta"]["total"], "0");
}
