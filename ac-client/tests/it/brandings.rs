use ac_client::brandings::{BrandingQuery, BrandingUpdate};
use ac_client::BrandingId;
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::setup;

fn branding(name: &str) -> serde_json::Value {
    json!({"groupid":"3","siteName":name,"siteLogo":"","copyright":"1","links":"0",
           "favicon":null,"id":"1"})
}

#[tokio::test]
async fn list_get_and_update_send_acs_requests() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/brandings"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"brandings": [branding("ActiveCampaign Email Marketing")], "meta": {"total": "1"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/brandings/1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"branding": branding("Acme")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/brandings/1"))
        .and(body_json(
            json!({"branding": {"siteName": "Acme", "links": false,
            "headerTextValue": "Hi"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"branding": branding("Acme")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let brandings = client.brandings();
    let page = brandings.list(BrandingQuery::new()).await.unwrap();
    assert_eq!((page.total, page.items[0].id), (1, BrandingId(1)));
    assert_eq!(brandings.get(1).await.unwrap().site_name, "Acme");
    let update = BrandingUpdate::new()
        .site_name("Acme")
        .flag("links", false)
        .setting("headerTextValue", "Hi");
    let b = brandings.update(1, &update).await.unwrap();
    assert_eq!(b.extra["links"], json!("0"));
}
