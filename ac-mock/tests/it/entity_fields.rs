//! Deal and account custom fields (meta and data) over raw HTTP.

use crate::common::Mock;
use serde_json::{json, Value};

/// AC's names for one kind of record.
struct Kind {
    meta: &'static str,
    metum: &'static str,
    data: &'static str,
    datum: &'static str,
    owner_key: &'static str,
    owner_path: &'static str,
}

const DEAL: Kind = Kind {
    meta: "dealCustomFieldMeta",
    metum: "dealCustomFieldMetum",
    data: "dealCustomFieldData",
    datum: "dealCustomFieldDatum",
    owner_key: "dealId",
    owner_path: "deals",
};

const ACCOUNT: Kind = Kind {
    meta: "accountCustomFieldMeta",
    metum: "accountCustomFieldMetum",
    data: "accountCustomFieldData",
    datum: "accountCustomFieldDatum",
    owner_key: "customerAccountId",
    owner_path: "accounts",
};

/// A deal (with its contact) or an account; returns its id.
async fn owner(m: &Mock, k: &Kind) -> String {
    let (status, res) = if k.owner_path == "deals" {
        let c = m.contact("jane@example.com").await;
        m.post("/deals", json!({"deal": {"title": "T", "contact": c}}))
            .await
    } else {
        m.post("/accounts", json!({"account": {"name": "Acme"}}))
            .await
    };
    assert_eq!(status, 201, "{res}");
    let key = if k.owner_path == "deals" {
        "deal"
    } else {
        "account"
    };
    res[key]["id"].as_str().unwrap().to_string()
}

async fn meta(m: &Mock, k: &Kind, body: Value) -> Value {
    let (status, res) = m
        .post(&format!("/{}", k.meta), json!({ k.metum: body }))
        .await;
    assert_eq!(status, 201, "{res}");
    res[k.metum].clone()
}

async fn datum(m: &Mock, k: &Kind, body: Value) -> (u16, Value) {
    m.post(&format!("/{}", k.data), json!({ k.datum: body }))
        .await
}

async fn meta_crud(k: &Kind) {
    let m = Mock::start().await;
    let f = meta(
        &m,
        k,
        json!({"fieldLabel": "Colour", "fieldType": "dropdown", "fieldOptions": ["Red", "Blue"],
            "fieldDefault": "Red", "isFormVisible": 1, "displayOrder": 1}),
    )
    .await;
    assert_eq!(f["id"], "1");
    assert_eq!(f["fieldLabel"], "Colour");
    assert_eq!(f["fieldType"], "dropdown");
    assert_eq!(f["fieldOptions"], json!(["Red", "Blue"]));
    assert_eq!(f["fieldDefault"], "Red");
    assert_eq!(f["isFormVisible"], 1);
    assert_eq!(f["isRequired"], 0);
    assert_eq!(f["personalization"], "COLOUR");
    assert!(f["createdTimestamp"].as_str().unwrap().ends_with("-05:00"));
    let (status, res) = m
        .put(
            &format!("/{}/1", k.meta),
            json!({ k.metum: {"fieldLabel": "Hue"} }),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res[k.metum]["fieldLabel"], "Hue");
    assert_eq!(res[k.metum]["fieldType"], "dropdown");
    let (status, res) = m.get(&format!("/{}", k.meta)).await;
    assert_eq!(status, 200);
    assert_eq!(res[k.meta][0]["fieldLabel"], "Hue");
    assert_eq!(res["meta"]["total"], "1");

    let (status, res) = m
        .post(&format!("/{}", k.meta), json!({ k.metum: {} }))
        .await;
    assert_eq!(status, 422);
    assert_eq!(res["errors"].as_array().unwrap().len(), 2, "{res}");
    let (status, res) = m
        .post(
            &format!("/{}", k.meta),
            json!({ k.metum: {"fieldLabel": "X", "fieldType": "colour"} }),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        res["errors"][0]["source"]["pointer"],
        "/data/attributes/fieldType"
    );

    assert_eq!(m.delete(&format!("/{}/1", k.meta)).await, (200, json!({})));
    let (status, res) = m.get(&format!("/{}/1", k.meta)).await;
    assert_eq!(status, 404, "{res}");
    assert!(
        res["message"]
            .as_str()
            .unwrap()
            .contains("CustomFieldMetum with id 1"),
        "{res}"
    );
}

#[tokio::test]
async fn deal_field_meta_crud() {
    meta_crud(&DEAL).await;
}

#[tokio::test]
async fn account_field_meta_crud() {
    meta_crud(&ACCOUNT).await;
}

async fn data_by_type(k: &Kind) {
    let m = Mock::start().await;
    let o = owner(&m, k).await;
    meta(
        &m,
        k,
        json!({"fieldLabel": "Colour", "fieldType": "dropdown", "fieldOptions": ["Red", "Blue"]}),
    )
    .await;
    meta(
        &m,
        k,
        json!({"fieldLabel": "Tags", "fieldType": "multiselect", "fieldOptions": ["a", "b", "c"]}),
    )
    .await;
    meta(&m, k, json!({"fieldLabel": "Due", "fieldType": "date"})).await;
    meta(
        &m,
        k,
        json!({"fieldLabel": "Budget", "fieldType": "currency"}),
    )
    .await;
    meta(&m, k, json!({"fieldLabel": "Seats", "fieldType": "number"})).await;

    let (status, res) = datum(
        &m,
        k,
        json!({k.owner_key: o, "customFieldId": 1, "fieldValue": "Blue"}),
    )
    .await;
    assert_eq!(status, 201, "{res}");
    let d = &res[k.datum];
    assert_eq!(d[k.owner_key], o.as_str());
    assert_eq!(d["customFieldId"], 1);
    assert_eq!(d["fieldValue"], "Blue");
    assert_eq!(d["id"], "1");
    // A list of options is stored as AC's ||a||b||.
    let (status, res) = datum(
        &m,
        k,
        json!({k.owner_key: o, "customFieldId": 2, "fieldValue": ["a", "c"]}),
    )
    .await;
    assert_eq!(status, 201, "{res}");
    assert_eq!(res[k.datum]["fieldValue"], "||a||c||");
    let (status, _) = datum(
        &m,
        k,
        json!({k.owner_key: o, "customFieldId": 3, "fieldValue": "2026-05-01"}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, res) = datum(
        &m,
        k,
        json!({k.owner_key: o, "customFieldId": 4, "fieldValue": 150000, "fieldCurrency": "eur"}),
    )
    .await;
    assert_eq!(status, 201, "{res}");
    assert_eq!(res[k.datum]["fieldValue"], "150000");
    assert_eq!(res[k.datum]["fieldCurrency"], "EUR");

    for (field, value, why) in [
        (1, json!("Green"), "not an option"),
        (2, json!("a,b"), "not ||a||b||"),
        (2, json!(["a", "z"]), "z not an option"),
        (3, json!("May 1st"), "not a date"),
        (4, json!("12.50"), "not cents"),
        (5, json!("many"), "not a number"),
    ] {
        let (status, res) = datum(
            &m,
            k,
            json!({k.owner_key: o, "customFieldId": field, "fieldValue": value}),
        )
        .await;
        assert_eq!(status, 422, "{why}: {res}");
        assert_eq!(res["errors"][0]["code"], "field_invalid", "{why}: {res}");
    }
    let (status, res) = datum(
        &m,
        k,
        json!({k.owner_key: o, "customFieldId": 1, "fieldValue": "Red"}),
    )
    .await;
    assert_eq!(
        (status, res["errors"][0]["code"].clone()),
        (422, json!("duplicate")),
        "{res}"
    );
    let (status, res) = datum(
        &m,
        k,
        json!({k.owner_key: 99, "customFieldId": 1, "fieldValue": "Red"}),
    )
    .await;
    assert_eq!(
        (status, res["errors"][0]["code"].clone()),
        (422, json!("related_missing"))
    );
    let (status, res) = datum(
        &m,
        k,
        json!({k.owner_key: o, "customFieldId": 99, "fieldValue": "x"}),
    )
    .await;
    assert_eq!(
        (status, res["errors"][0]["code"].clone()),
        (422, json!("related_missing"))
    );
    let (status, res) = datum(&m, k, json!({"customFieldId": 1})).await;
    assert_eq!(status, 422);
    assert_eq!(
        res["errors"][0]["source"]["pointer"],
        format!("/data/attributes/{}", k.owner_key)
    );

    // Update, read back, and see it on the record's inline `fields`.
    let (status, res) = m
        .put(
            &format!("/{}/1", k.data),
            json!({ k.datum: {"fieldValue": "Red"} }),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res[k.datum]["fieldValue"], "Red");
    assert_eq!(
        m.put(
            &format!("/{}/1", k.data),
            json!({ k.datum: {"fieldValue": "Pink"} })
        )
        .await
        .0,
        422
    );
    let (_, rec) = m.get(&format!("/{}/{o}", k.owner_path)).await;
    let key = if k.owner_path == "deals" {
        "deal"
    } else {
        "account"
    };
    assert!(
        rec[key]["fields"]
            .as_array()
            .unwrap()
            .contains(&json!({"customFieldId": 1, "fieldValue": "Red"})),
        "{rec}"
    );
    let (status, res) = m.get(&format!("/{}/{o}/{}", k.owner_path, k.data)).await;
    assert_eq!(status, 200);
    assert_eq!(res["meta"]["total"], "4");
    let (_, res) = m
        .get(&format!("/{}?filters[customFieldId]=2", k.data))
        .await;
    assert_eq!(res[k.data][0]["fieldValue"], "||a||c||");
    assert_eq!(
        m.get(&format!("/{}/99/{}", k.owner_path, k.data)).await.0,
        404
    );

    assert_eq!(m.delete(&format!("/{}/2", k.data)).await, (200, json!({})));
    assert_eq!(m.get(&format!("/{}/2", k.data)).await.0, 404);
    // Deleting a field removes its values; deleting the record removes the rest.
    assert_eq!(m.delete(&format!("/{}/3", k.meta)).await.0, 200);
    let (_, res) = m.get(&format!("/{}", k.data)).await;
    assert_eq!(res["meta"]["total"], "2");
    assert_eq!(m.delete(&format!("/{}/{o}", k.owner_path)).await.0, 200);
    let (_, res) = m.get(&format!("/{}", k.data)).await;
    assert_eq!(res["meta"]["total"], "0");
}

#[tokio::test]
async fn deal_field_data_are_checked_per_type_and_go_with_the_deal() {
    data_by_type(&DEAL).await;
}

#[tokio::test]
async fn account_field_data_are_checked_per_type_and_go_with_the_account() {
    data_by_type(&ACCOUNT).await;
}

#[tokio::test]
async fn inline_deal_fields_become_data_and_kinds_have_their_own_ids() {
    let m = Mock::start().await;
    let d = owner(&m, &DEAL).await;
    meta(
        &m,
        &DEAL,
        json!({"fieldLabel": "Colour", "fieldType": "text"}),
    )
    .await;
    let a = meta(
        &m,
        &ACCOUNT,
        json!({"fieldLabel": "Size", "fieldType": "text"}),
    )
    .await;
    assert_eq!(a["id"], "1");
    let (status, res) = m
        .put(
            &format!("/deals/{d}"),
            json!({"deal": {"fields": [{"customFieldId": 1, "fieldValue": "green"}]}}),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    let (_, res) = m.get(&format!("/deals/{d}/dealCustomFieldData")).await;
    assert_eq!(res["dealCustomFieldData"][0]["fieldValue"], "green");
    assert_eq!(
        m.get("/accountCustomFieldData").await.1["meta"]["total"],
        "0"
    );

    let (_, state) = m.admin_get("/state").await;
    let admin = format!("{}/__admin", m.server.base_url());
    m.http.post(format!("{admin}/reset")).send().await.unwrap();
    assert_eq!(m.get("/dealCustomFieldMeta").await.1["meta"]["total"], "0");
    m.http
        .put(format!("{admin}/state"))
        .json(&state)
        .send()
        .await
        .unwrap();
    assert_eq!(
        m.get("/dealCustomFieldData/1").await.1["dealCustomFieldDatum"]["fieldValue"],
        "green"
    );
}
