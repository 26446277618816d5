//! Brandings over raw HTTP: every account has branding 1; list, get, update.

use crate::common::Mock;
use serde_json::{json, Value};

#[tokio::test]
async fn every_account_has_branding_one_in_acs_shape() {
    let m = Mock::start().await;
    let (status, body) = m.get("/brandings").await;
    assert_eq!(status, 200);
    assert_eq!(body["meta"]["total"], "1");
    let b = &body["brandings"][0];
    assert_eq!(
        (&b["id"], &b["groupid"], &b["siteName"], &b["favicon"]),
        (
            &json!("1"),
            &json!("1"),
            &json!("ActiveCampaign Email Marketing"),
            &Value::Null
        )
    );
    for flag in ["copyright", "version", "license", "links", "help"] {
        assert_eq!(b[flag], "1", "{flag}");
    }
    for text in ["siteLogo", "headerHtmlValue", "publicTemplateCss"] {
        assert_eq!(b[text], "", "{text}");
    }
    let (_, one) = m.get("/brandings/1").await;
    assert_eq!(&one["branding"], b);
}

#[tokio::test]
async fn update_changes_only_sent_settings() {
    let m = Mock::start().await;
    let (status, body) = m
        .put(
            "/brandings/1",
            json!({"branding": {"siteName": "Acme Mail", "siteLogo": "https://acme.example/logo.png",
                "links": false, "help": "0", "favicon": "https://acme.example/favicon.ico"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let b = &body["branding"];
    assert_eq!(b["siteName"], "Acme Mail");
    assert_eq!(b["siteLogo"], "https://acme.example/logo.png");
    assert_eq!(
        (&b["links"], &b["help"], &b["copyright"]),
        (&json!("0"), &json!("0"), &json!("1"))
    );
    assert_eq!(b["favicon"], "https://acme.example/favicon.ico");
    let (_, again) = m
        .put(
            "/brandings/1",
            json!({"branding": {"headerTextValue": "Hi"}}),
        )
        .await;
    assert_eq!(again["branding"]["siteName"], "Acme Mail");
    assert_eq!(again["branding"]["headerTextValue"], "Hi");
    let (status, _) = m
        .put("/brandings/1", json!({"branding": {"links": "maybe"}}))
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn unknown_brandings_are_404_and_there_is_no_create_or_delete() {
    let m = Mock::start().await;
    let missing = json!({"message": "No Result found for Branding with id 2"});
    assert_eq!(m.get("/brandings/2").await, (404, missing.clone()));
    assert_eq!(
        m.put("/brandings/2", json!({"branding": {}})).await,
        (404, missing)
    );
    assert_eq!(m.post("/brandings", json!({"branding": {}})).await.0, 405);
    assert_eq!(m.delete("/brandings/1").await.0, 405);
    m.put("/brandings/1", json!({"branding": {"siteName": "Acme"}}))
        .await;
    let url = format!("{}/__admin/reset", m.server.base_url());
    m.http.post(url).send().await.unwrap();
    let (_, b) = m.get("/brandings/1").await;
    assert_eq!(b["branding"]["siteName"], "ActiveCampaign Email Marketing");
}
