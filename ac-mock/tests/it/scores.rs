//! Scores over raw HTTP: `/scores`, `/contacts/{id}/scoreValues`, and the admin routes that
//! create scores and set values.

use crate::common::Mock;
use serde_json::{json, Value};

async fn admin(m: &Mock, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
    let url = format!("{}/__admin{path}", m.server.base_url());
    crate::common::read(
        m.http
            .request(method, url)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn score(m: &Mock, name: &str, reltype: &str) -> String {
    let (status, body) = admin(
        m,
        reqwest::Method::POST,
        "/scores",
        json!({"name": name, "reltype": reltype, "descript": "+50 per click"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["score"]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn scores_list_and_get_in_acs_shape() {
    let m = Mock::start().await;
    assert_eq!(
        m.get("/scores").await,
        (200, json!({"scores": [], "meta": {"total": "0"}}))
    );
    let id = score(&m, "Link Engagement Score", "contact").await;
    let (status, body) = m.get(&format!("/scores/{id}")).await;
    assert_eq!(status, 200);
    let s = &body["score"];
    assert_eq!(
        (
            &s["reltype"],
            &s["name"],
            &s["descript"],
            &s["status"],
            &s["links"]
        ),
        (
            &json!("contact"),
            &json!("Link Engagement Score"),
            &json!("+50 per click"),
            &json!("1"),
            &json!([])
        )
    );
    assert!(s["mdate"].as_str().unwrap().ends_with("-05:00"));
    let (_, listed) = m.get("/scores").await;
    assert_eq!(listed["scores"][0], body["score"]);
    assert_eq!(
        m.get("/scores/9").await,
        (
            404,
            json!({"message": "No Result found for Score with id 9"})
        )
    );
}

#[tokio::test]
async fn a_contact_has_no_values_until_the_admin_sets_one() {
    let m = Mock::start().await;
    let c = m.contact("ada@example.com").await;
    let id = score(&m, "Engagement", "contact").await;
    let path = format!("/contacts/{c}/scoreValues");
    assert_eq!(m.get(&path).await, (200, json!({"scoreValues": []})));
    let values = format!("/scores/{id}/values");
    let (status, body) = admin(
        &m,
        reqwest::Method::PUT,
        &values,
        json!({"contact": c, "value": 50}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    admin(
        &m,
        reqwest::Method::PUT,
        &values,
        json!({"contact": c, "value": "75"}),
    )
    .await;
    let (_, body) = m.get(&path).await;
    let rows = body["scoreValues"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "one row per (score, contact)");
    let v = &rows[0];
    assert_eq!(
        (&v["score"], &v["contact"], &v["deal"], &v["scoreValue"]),
        (&json!(id), &json!(c), &Value::Null, &json!("75"))
    );
    let (status, _) = admin(
        &m,
        reqwest::Method::PUT,
        &values,
        json!({"contact": 999, "value": 1}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = admin(&m, reqwest::Method::PUT, &values, json!({"contact": c})).await;
    assert_eq!(status, 422);
    assert_eq!(m.get("/contacts/999/scoreValues").await.0, 404);
}

#[tokio::test]
async fn deal_scores_attach_to_deals_and_bad_scores_are_refused() {
    let m = Mock::start().await;
    let c = m.contact("ada@example.com").await;
    let (_, deal) = m
        .post(
            "/deals",
            json!({"deal": {"title": "Big", "contact": c, "value": 100, "currency": "usd"}}),
        )
        .await;
    let d = deal["deal"]["id"].as_str().unwrap().to_string();
    let id = score(&m, "Deal fit", "deal").await;
    let (status, body) = admin(
        &m,
        reqwest::Method::PUT,
        &format!("/scores/{id}/values"),
        json!({"deal": d, "value": -5}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = m.get(&format!("/deals/{d}/scoreValues")).await;
    assert_eq!(body["scoreValues"][0]["scoreValue"], "-5");
    assert_eq!(body["scoreValues"][0]["contact"], Value::Null);
    let (status, _) = admin(
        &m,
        reqwest::Method::POST,
        "/scores",
        json!({"name": "x", "reltype": "account"}),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = admin(&m, reqwest::Method::POST, "/scores", json!({})).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn scores_survive_state_export_and_import_and_reset_clears_them() {
    let m = Mock::start().await;
    score(&m, "Engagement", "contact").await;
    let (_, doc) = m.admin_get("/state").await;
    let url = |p: &str| format!("{}/__admin{p}", m.server.base_url());
    m.http.post(url("/reset")).send().await.unwrap();
    assert_eq!(m.get("/scores").await.1["meta"]["total"], "0");
    m.http.put(url("/state")).json(&doc).send().await.unwrap();
    assert_eq!(m.get("/scores/1").await.1["score"]["name"], "Engagement");
}
