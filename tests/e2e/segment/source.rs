//! The source direction over real deliveries: the mock's simulated campaign events (sent, open,
//! click, bounce, unsubscribe) reach a receiver as AC-shaped webhooks, and each becomes the
//! Segment email event MAPPING.md names.

use std::time::Duration;

use ac_client::webhook_payload::parse_form;
use ac_mock::MockServer;
use ac_segment::source::{webhook_to_track, Converted, SourceOptions};
use axum::body::Bytes;
use axum::routing::post;
use axum::Router;
use serde_json::Value;
use tokio::sync::mpsc;

use super::{api_get, campaign_to_webhook, fixture};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaign_events_become_segment_email_events() {
    let mock = MockServer::start().await.expect("mock");
    let fx = fixture(&mock).await;

    let (tx, mut rx) = mpsc::unbounded_channel::<Bytes>();
    let app = Router::new().route(
        "/hook",
        post(move |body: Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let id = campaign_to_webhook(&mock, fx, &[url]).await;

    // Collect deliveries until five email events arrived (the list subscription may add
    // others), at most ten seconds.
    let options = SourceOptions::default();
    let mut tracks: Vec<Value> = Vec::new();
    let mut dropped: Vec<String> = Vec::new();
    while tracks.len()
        + dropped
            .iter()
            .filter(|r| r.contains("campaign-level"))
            .count()
        < 5
    {
        let body = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("a delivery within 10 s")
            .expect("receiver open");
        let payload = parse_form(&body).expect("AC-shaped form body");
        match webhook_to_track(&payload, &options) {
            Converted::Track(t) => tracks.push(t),
            Converted::Dropped { reason } => dropped.push(reason),
        }
    }
    let events: Vec<&str> = tracks.iter().filter_map(|t| t["event"].as_str()).collect();
    for expected in [
        "Email Opened",
        "Email Link Clicked",
        "Email Bounced",
        "Email Unsubscribed",
    ] {
        assert!(
            events.contains(&expected),
            "{expected} missing in {events:?}"
        );
    }
    for t in &tracks {
        assert_eq!(t["type"], "track");
        assert_eq!(t["anonymousId"], "ada@example.com");
        assert_eq!(t["context"]["traits"]["email"], "ada@example.com");
        assert_eq!(t["properties"]["campaign_id"], id.as_str());
        assert_eq!(t["properties"]["campaign_name"], "May Newsletter");
        assert!(t["messageId"]
            .as_str()
            .is_some_and(|m| m.starts_with("ac-")));
        assert!(t["timestamp"].is_string(), "{t}");
        for (k, v) in t["properties"].as_object().expect("properties") {
            assert!(v.is_string(), "{k} is not a string in {t}");
        }
    }
    let click = tracks
        .iter()
        .find(|t| t["event"] == "Email Link Clicked")
        .expect("click");
    assert_eq!(
        click["properties"]["link_url"],
        "https://example.com/pricing"
    );
    let bounce = tracks
        .iter()
        .find(|t| t["event"] == "Email Bounced")
        .expect("bounce");
    assert_eq!(bounce["properties"]["bounce_type"], "hard");
    let unsub = tracks
        .iter()
        .find(|t| t["event"] == "Email Unsubscribed")
        .expect("unsubscribe");
    assert_eq!(unsub["properties"]["unsubscribe_reason"], "Too many emails");
    // Every event is one message: the ids are distinct.
    let mut ids: Vec<&str> = tracks
        .iter()
        .filter_map(|t| t["messageId"].as_str())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), tracks.len());
    // The contact exists on the account the events came from.
    let found = api_get(&mock, "contacts?email=ada%40example.com").await;
    assert_eq!(found["contacts"][0]["email"], "ada@example.com");
}
