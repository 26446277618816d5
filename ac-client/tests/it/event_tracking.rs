use ac_client::event_tracking::TrackedEvent;
use ac_client::{Client, ContactId, Error, RateLimit, RetryPolicy, TrackingLogId};
use serde_json::json;
use wiremock::matchers::{body_json, body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::{fast_retry, mount_retried, setup, TOKEN};

/// A distinctive event key, so tests can prove it never leaks.
pub const EVENT_KEY: &str = "evkey-HUSHHUSH-91b2";

/// A client whose API and tracking host are both `server`.
pub fn tracking_client(server: &MockServer, retry: RetryPolicy) -> Client {
    Client::builder()
        .api_url(server.uri())
        .api_token(TOKEN)
        .tracking_url(server.uri())
        .actid("1000048128")
        .event_key(EVENT_KEY)
        .rate_limit(RateLimit::disabled())
        .retry_policy(retry)
        .build()
        .unwrap()
}

fn no_api_token(req: &Request) -> bool {
    !req.headers.contains_key("api-token")
}

#[tokio::test]
async fn settings_get_and_put() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/eventTracking"))
        .and(header("Api-Token", TOKEN))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"eventTracking":{"enabled":true}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/eventTracking"))
        .and(body_json(json!({"eventTracking":{"enabled":false}})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"eventTracking":{"enabled":false}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    assert!(client.event_tracking().settings().await.unwrap().enabled);
    assert!(
        !client
            .event_tracking()
            .set_enabled(false)
            .await
            .unwrap()
            .enabled
    );
}

#[tokio::test]
async fn list_events_reads_every_page() {
    let (server, client) = setup().await;
    let first: Vec<_> = (0..100).map(|i| json!({"name": format!("e{i}")})).collect();
    Mock::given(method("GET"))
        .and(path("/api/3/eventTrackingEvents"))
        .and(query_param("limit", "100"))
        .and(query_param("offset", "0"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"eventTrackingEvents": first, "meta":{"total":102}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/eventTrackingEvents"))
        .and(query_param("offset", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"eventTrackingEvents":[{"name":"__pagevisit"},{"name":"__redir"}],"meta":{"total":102}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let events = client.event_tracking().list_events().await.unwrap();
    assert_eq!(events.len(), 102);
    assert_eq!(events[101].name, "__redir");
}

#[tokio::test]
async fn create_and_delete_event_name() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/eventTrackingEvents"))
        .and(body_json(
            json!({"eventTrackingEvent":{"name":"my new fab event"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"eventTrackingEvent":{"name":"my new fab event"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(|req: &Request| req.url.path() == "/api/3/eventTrackingEvents/my%20event%2Fx")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let e = client
        .event_tracking()
        .create_event("my new fab event")
        .await
        .unwrap();
    assert_eq!(e.name, "my new fab event");
    client
        .event_tracking()
        .delete_event("my event/x")
        .await
        .unwrap();
}

#[tokio::test]
async fn find_or_register_lists_then_creates_only_when_missing() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/eventTrackingEvents"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"eventTrackingEvents":[{"name":"__pagevisit"},{"name":"signup"}],"meta":{"total":2}}),
        ))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/3/eventTrackingEvents"))
        .and(body_json(json!({"eventTrackingEvent":{"name":"purchase"}})))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"eventTrackingEvent":{"name":"purchase"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let et = client.event_tracking();
    assert_eq!(et.find_or_register("signup").await.unwrap().name, "signup");
    assert_eq!(
        et.find_or_register("purchase").await.unwrap().name,
        "purchase"
    );
}

#[tokio::test]
async fn invalid_event_names_send_nothing() {
    let (server, _) = setup().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let client = tracking_client(&server, fast_retry());
    let et = client.event_tracking();
    let long = "x".repeat(33);
    for err in [
        et.find_or_register(&long).await.unwrap_err(),
        et.create_event("").await.unwrap_err(),
        et.send(&TrackedEvent::new(&long)).await.unwrap_err(),
        et.send(&TrackedEvent::new("ok").email("not-an-email"))
            .await
            .unwrap_err(),
    ] {
        assert!(err.is_invalid_input(), "{err}");
    }
}

#[tokio::test]
async fn send_posts_the_exact_form_without_api_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/event"))
        .and(header("Content-Type", "application/x-www-form-urlencoded"))
        .and(no_api_token)
        .and(body_string(format!(
            "actid=1000048128&key={EVENT_KEY}&event=file_download&eventdata=whitepaper.pdf&visit=%7B%22email%22%3A%22jane%40example.com%22%7D"
        )))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success":1,"message":"Event spawned"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = tracking_client(&server, fast_retry());
    let resp = client
        .event_tracking()
        .send(
            &TrackedEvent::new("file_download")
                .data("whitepaper.pdf")
                .email("jane@example.com"),
        )
        .await
        .unwrap();
    assert_eq!(resp.message.as_deref(), Some("Event spawned"));
}

#[tokio::test]
async fn success_zero_is_a_tracking_error_without_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/event"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success":0,"message":format!("Bad key {EVENT_KEY}")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = tracking_client(&server, fast_retry());
    let err = client
        .event_tracking()
        .send(&TrackedEvent::new("x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Tracking { .. }), "{err:?}");
    assert!(err.to_string().contains("Bad key"));
    assert!(!err.to_string().contains(EVENT_KEY));
    assert!(!format!("{err:?}").contains(EVENT_KEY));
}

#[tokio::test]
async fn send_is_not_retried_after_5xx_but_is_after_429() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/event"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let client = tracking_client(&server, fast_retry());
    let err = client
        .event_tracking()
        .send(&TrackedEvent::new("x"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));

    let server = MockServer::start().await;
    mount_retried(
        &server,
        "POST",
        "/event",
        ResponseTemplate::new(429).insert_header("Retry-After", "0"),
        1,
        ResponseTemplate::new(200).set_body_json(json!({"success":1})),
    )
    .await;
    let client = tracking_client(&server, fast_retry());
    client
        .event_tracking()
        .send(&TrackedEvent::new("x"))
        .await
        .unwrap();
}

#[tokio::test]
async fn send_needs_actid_and_key() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let base = || {
        Client::builder()
            .api_url(server.uri())
            .api_token(TOKEN)
            .tracking_url(server.uri())
    };
    let no_key = base().actid("1").build().unwrap();
    let err = no_key
        .event_tracking()
        .send(&TrackedEvent::new("x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config { .. }));
    assert!(err.to_string().contains("event key"), "{err}");
    let no_actid = base().event_key(EVENT_KEY).build().unwrap();
    let err = no_actid
        .event_tracking()
        .send(&TrackedEvent::new("x"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("actid"), "{err}");
    assert!(!err.to_string().contains("event key"), "{err}");
    assert!(!err.to_string().contains(EVENT_KEY));
}

#[tokio::test]
async fn contact_tracking_logs() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts/112/trackingLogs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"trackingLogs":[
            {"subscriberid":"112","type":"Another event","value":"pdf","tstamp":"2022-09-27T12:39:59-05:00",
             "hash":"h","links":{"contact":"x"},"id":"12","contact":"112"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let logs = client
        .event_tracking()
        .contact_logs(ContactId(112))
        .await
        .unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].id, TrackingLogId(12));
    assert_eq!(logs[0].event_type, "Another event");
    assert_eq!(logs[0].value, "pdf");
}
