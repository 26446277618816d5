use ac_client::site_tracking::{PageVisit, WhitelistInput};
use ac_client::{Client, UrlWhitelistingId};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::event_tracking::tracking_client;
use crate::{fast_retry, setup, TOKEN};

const SNIPPET: &str = "<script type=\"text/javascript\">\n  pgo('setAccount', 1);\n</script>";

#[tokio::test]
async fn settings_and_code() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/siteTracking"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"siteTracking":{"enabled":false}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/siteTracking"))
        .and(body_json(json!({"siteTracking":{"enabled":true}})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"siteTracking":{"enabled":true}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/siteTracking/code"))
        .and(header("Api-Token", TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Content-Type", "text/plain")
                .set_body_string(SNIPPET),
        )
        .expect(1)
        .mount(&server)
        .await;
    let st = client.site_tracking();
    assert!(!st.settings().await.unwrap().enabled);
    assert!(st.set_enabled(true).await.unwrap().enabled);
    assert_eq!(st.code().await.unwrap(), SNIPPET);
}

#[tokio::test]
async fn legacy_domains_list_add_delete() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/siteTrackingDomains"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"siteTrackingDomains":[{"name":"example.com"}],"meta":{"total":1}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/siteTrackingDomains"))
        .and(body_json(
            json!({"siteTrackingDomain":{"name":"shop.example.com"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"siteTrackingDomain":{"name":"shop.example.com"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/siteTrackingDomains/shop.example.com"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let st = client.site_tracking();
    let domains = st.domains().await.unwrap();
    assert_eq!(domains[0].name, "example.com");
    assert_eq!(
        st.add_domain("shop.example.com").await.unwrap().name,
        "shop.example.com"
    );
    st.remove_domain("shop.example.com").await.unwrap();
}

#[tokio::test]
async fn prism_whitelist_list_add_conflict_delete() {
    let (server, client) = setup().await;
    let entry = json!({"type":"urlWhitelistings","id":"534756","attributes":{"whitelisted_domain":"example.com",
        "whitelisted_page":"*","url_regex":"#^example\\.com(\\/.*)?$#","conversations_enabled":0,
        "tracking_enabled":1,"created_at":"2024-01-03T17:19:36Z","updated_at":"2025-04-24T19:11:32Z","wp_enabled":0}});
    Mock::given(method("GET"))
        .and(path("/api/3/prism/urlWhitelistings"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data":[entry.clone()]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/prism/urlWhitelistings"))
        .and(body_json(
            json!({"data":{"type":"urlWhitelistings","attributes":{
            "whitelisted_domain":"example.com","whitelisted_page":"*",
            "conversations_enabled":false,"wp_enabled":false,"tracking_enabled":true}}}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"data": entry})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/prism/urlWhitelistings"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/prism/urlWhitelistings/534756"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let st = client.site_tracking();
    let list = st.whitelistings().await.unwrap();
    assert_eq!(list[0].id, UrlWhitelistingId(534756));
    let added = st
        .add_whitelisting(&WhitelistInput::new("example.com"))
        .await
        .unwrap();
    assert_eq!(added.domain, "example.com");
    let err = st
        .add_whitelisting(&WhitelistInput::new("example.com"))
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert!(!err.is_retryable());
    st.remove_whitelisting(added.id).await.unwrap();
}

#[tokio::test]
async fn visit_beacon_shape_and_validation() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/visit"))
        .and(query_param("actid", "1000048128"))
        .and(query_param("e", "jane@example.com"))
        .and(query_param("u", "https://example.com/pricing?a=1"))
        .and(query_param("r", "https://google.com/"))
        .and(|req: &Request| !req.headers.contains_key("api-token"))
        .respond_with(ResponseTemplate::new(200).insert_header("Content-Type", "text/javascript"))
        .expect(1)
        .mount(&server)
        .await;
    let client = tracking_client(&server, fast_retry());
    client
        .site_tracking()
        .record_visit(
            &PageVisit::new("https://example.com/pricing?a=1", "jane@example.com")
                .referrer("https://google.com/"),
        )
        .await
        .unwrap();
    // Invalid input and a missing actid send nothing (the mock above expects exactly one call).
    let err = client
        .site_tracking()
        .record_visit(&PageVisit::new("", "jane@example.com"))
        .await
        .unwrap_err();
    assert!(err.is_invalid_input());
    let no_actid = Client::builder()
        .api_url(server.uri())
        .api_token(TOKEN)
        .tracking_url(server.uri())
        .build()
        .unwrap();
    let err = no_actid
        .site_tracking()
        .record_visit(&PageVisit::new("https://x.co", "a@b.co"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("actid"), "{err}");
}
