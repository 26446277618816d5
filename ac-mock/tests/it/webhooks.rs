//! Webhook management API over raw HTTP (reference §10.1).

use crate::common::Mock;
use serde_json::{json, Value};

fn hook() -> Value {
    json!({"webhook": {"name": "My Hook", "url": "http://example.com/my-hook",
        "events": ["subscribe", "unsubscribe", "sent"], "sources": ["public", "system"]}})
}

#[tokio::test]
async fn create_webhook_returns_201_reference_shape_plus_active() {
    let m = Mock::start().await;
    let (status, body) = m.post("/webhooks", hook()).await;
    assert_eq!(status, 201, "{body}");
    let w = &body["webhook"];
    assert_eq!(w["listid"], "0");
    assert_eq!(w["name"], "My Hook");
    assert_eq!(w["url"], "http://example.com/my-hook");
    assert_eq!(w["events"], json!(["subscribe", "unsubscribe", "sent"]));
    assert_eq!(w["sources"], json!(["public", "system"]));
    assert_eq!(w["links"], json!([]));
    assert_eq!(w["id"], "1");
    assert_eq!(w["active"], true);
    assert!(w["cdate"].as_str().unwrap().ends_with("-05:00"));
    let store = m.server.state().snapshot(ac_mock::AccountId(1)).unwrap();
    let row = store.webhooks.get(1).unwrap();
    assert!(row.active && row.matches("subscribe", "public", 3));
    assert!(!row.matches("subscribe", "api", 3));
}

#[tokio::test]
async fn missing_required_webhook_fields_are_422_field_missing_with_pointer() {
    let m = Mock::start().await;
    for attr in ["name", "url", "events", "sources"] {
        let mut body = hook();
        body["webhook"].as_object_mut().unwrap().remove(attr);
        let (status, body) = m.post("/webhooks", body).await;
        assert_eq!(status, 422, "{attr}");
        assert_eq!(body["errors"][0]["code"], "field_missing", "{attr}");
        assert_eq!(
            body["errors"][0]["source"]["pointer"],
            format!("/data/attributes/{attr}")
        );
    }
    let (status, body) = m.post("/webhooks", json!({"webhook": {}})).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"].as_array().unwrap().len(), 4);
    let (status, body) = m.post("/webhooks", json!({})).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "field_missing");
}

#[tokio::test]
async fn unknown_event_or_source_and_non_http_url_are_422_field_invalid() {
    let m = Mock::start().await;
    let mut body = hook();
    body["webhook"]["events"] = json!(["subscribe", "explode"]);
    let (status, body) = m.post("/webhooks", body).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "field_invalid");
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/events/1"
    );
    assert!(body["errors"][0]["title"]
        .as_str()
        .unwrap()
        .contains("explode"));

    let mut body = hook();
    body["webhook"]["sources"] = json!(["robots"]);
    let (status, body) = m.post("/webhooks", body).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "field_invalid");
    assert!(body["errors"][0]["title"]
        .as_str()
        .unwrap()
        .contains("robots"));

    for url in ["ftp://example.com/x", "not a url", "example.com/hook"] {
        let mut body = hook();
        body["webhook"]["url"] = json!(url);
        let (status, body) = m.post("/webhooks", body).await;
        assert_eq!(status, 422, "{url}");
        assert_eq!(body["errors"][0]["code"], "field_invalid");
        assert_eq!(
            body["errors"][0]["source"]["pointer"],
            "/data/attributes/url"
        );
    }
    let mut body = hook();
    body["webhook"]["url"] = json!("https://example.com:443/hook");
    assert_eq!(m.post("/webhooks", body).await.0, 201);
    assert_eq!(m.get("/webhooks").await.1["meta"]["total"], "1");
}

#[tokio::test]
async fn list_webhooks_with_filters_total_is_a_string() {
    let m = Mock::start().await;
    m.post("/webhooks", hook()).await;
    let (_, list) = m
        .post(
            "/lists",
            json!({"list": {"name": "N", "stringid": "n", "sender_url": "https://x.co", "sender_reminder": "r"}}),
        )
        .await;
    let lid = list["list"]["id"].clone();
    let mut other = hook();
    other["webhook"]["name"] = json!("Other");
    other["webhook"]["url"] = json!("https://other.example/x");
    other["webhook"]["listid"] = lid.clone();
    m.post("/webhooks", other).await;
    let (status, body) = m.get("/webhooks").await;
    assert_eq!(status, 200);
    assert_eq!(body["meta"]["total"], "2");
    let (_, body) = m.get("/webhooks?filters[name]=other").await;
    assert_eq!(body["meta"]["total"], "1");
    assert_eq!(body["webhooks"][0]["name"], "Other");
    let (_, body) = m
        .get("/webhooks?filters%5Burl%5D=http%3A%2F%2Fexample.com%2Fmy-hook")
        .await;
    assert_eq!(body["webhooks"][0]["name"], "My Hook");
    let (_, body) = m
        .get(&format!(
            "/webhooks?filters[listid]={}",
            lid.as_str().unwrap()
        ))
        .await;
    assert_eq!(body["webhooks"][0]["listid"], lid);
    assert_eq!(body["meta"]["total"], "1");
}

#[tokio::test]
async fn get_put_delete_webhook_and_404_naming_webhook() {
    let m = Mock::start().await;
    m.post("/webhooks", hook()).await;
    let (status, body) = m.get("/webhooks/1").await;
    assert_eq!(
        (status, body["webhook"]["name"].clone()),
        (200, json!("My Hook"))
    );
    let (status, body) = m
        .put(
            "/webhooks/1",
            json!({"webhook": {"name": "Renamed", "events": ["update"]}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["webhook"]["name"], "Renamed");
    assert_eq!(body["webhook"]["events"], json!(["update"]));
    assert_eq!(body["webhook"]["url"], "http://example.com/my-hook");
    let (status, body) = m
        .put("/webhooks/1", json!({"webhook": {"events": ["nope"]}}))
        .await;
    assert_eq!(
        (status, body["errors"][0]["code"].clone()),
        (422, json!("field_invalid"))
    );
    let (status, body) = m.delete("/webhooks/1").await;
    assert_eq!((status, body), (200, json!({})));
    for (status, body) in [
        m.get("/webhooks/1").await,
        m.delete("/webhooks/1").await,
        m.put("/webhooks/1", hook()).await,
    ] {
        assert_eq!(
            (status, body),
            (
                404,
                json!({"message": "No Result found for Webhook with id 1"})
            )
        );
    }
}

#[tokio::test]
async fn webhook_events_lists_25_names_total_is_number_25() {
    let m = Mock::start().await;
    let (status, body) = m.get("/webhook/events").await;
    assert_eq!(status, 200);
    assert_eq!(body["meta"]["total"], 25);
    let names = body["webhookEvents"].as_array().unwrap();
    assert_eq!(names.len(), 25);
    for n in [
        "bounce",
        "contact_tag_added",
        "deal_update",
        "subscribe",
        "update",
        "sms_unsub",
    ] {
        assert!(names.contains(&json!(n)), "{n}");
    }
}

#[tokio::test]
async fn a_url_on_the_mocks_own_listener_is_422_field_invalid_naming_why() {
    let m = Mock::start().await;
    let port = m.server.addr().port();
    let base = m.server.base_url().to_string();
    for url in [
        format!("{base}/__admin/reset"),
        format!("http://127.0.0.1:{port}/__admin/reset"),
        format!("http://localhost:{port}/hook"),
        format!("http://[::1]:{port}/hook"),
        format!("http://0.0.0.0:{port}/hook"),
        format!("https://127.0.0.1:{port}/hook"),
    ] {
        let mut body = hook();
        body["webhook"]["url"] = json!(url);
        let (status, body) = m.post("/webhooks", body).await;
        assert_eq!(status, 422, "{url}: {body}");
        let e = &body["errors"][0];
        assert_eq!(e["code"], "field_invalid", "{url}");
        assert_eq!(e["source"]["pointer"], "/data/attributes/url");
        let title = e["title"].as_str().unwrap();
        assert!(
            title.contains(&url) && title.contains("own listener"),
            "{title}"
        );
    }
    assert_eq!(m.get("/webhooks").await.1["meta"]["total"], "0");

    // Another port on 127.0.0.1 is someone else.
    let mut body = hook();
    body["webhook"]["url"] = json!(format!("http://127.0.0.1:{}/hook", port ^ 1));
    let (status, created) = m.post("/webhooks", body).await;
    assert_eq!(status, 201, "{created}");

    // An update to the mock's own URL is refused too, and changes nothing.
    let (status, body) = m
        .put(
            "/webhooks/1",
            json!({"webhook": {"name": "Renamed", "url": format!("http://localhost:{port}/__admin/reset")}}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/url"
    );
    let (_, now) = m.get("/webhooks/1").await;
    assert_eq!(now["webhook"]["url"], created["webhook"]["url"]);
    assert_eq!(now["webhook"]["name"], "My Hook");
    // A missing webhook is still a 404 first.
    let (status, _) = m
        .put(
            "/webhooks/9",
            json!({"webhook": {"url": format!("http://localhost:{port}/x")}}),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn listening_on_every_interface_refuses_this_machines_addresses_on_the_mocks_port() {
    let m = Mock::with(ac_mock::MockServer::builder().listen(([0, 0, 0, 0], 0).into())).await;
    let port = m.server.addr().port();
    let mut refused = vec![
        format!("http://127.0.0.1:{port}/x"),
        format!("http://0.0.0.0:{port}/x"),
        format!("http://localhost:{port}/x"),
    ];
    // The address this machine sends from, when it has a route (no packet is sent).
    let own = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").and_then(|()| s.local_addr()))
        .ok()
        .map(|a| a.ip())
        .filter(|ip| !ip.is_unspecified() && !ip.is_loopback());
    if let Some(ip) = own {
        refused.push(format!("http://{ip}:{port}/x"));
    }
    for url in refused {
        let mut body = hook();
        body["webhook"]["url"] = json!(url);
        let (status, body) = m.post("/webhooks", body).await;
        assert_eq!(status, 422, "{url}: {body}");
    }
    // TEST-NET-2 is not this machine.
    let mut body = hook();
    body["webhook"]["url"] = json!(format!("http://198.51.100.7:{port}/x"));
    assert_eq!(m.post("/webhooks", body).await.0, 201);
}
