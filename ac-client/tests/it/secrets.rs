use ac_client::contacts::ContactInput;
use ac_client::{Client, ContactId, RetryPolicy};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client_for, TOKEN};

fn assert_clean(text: &str) {
    assert!(!text.contains(TOKEN), "token leaked: {text}");
    assert!(!text.contains("SUPERSECRET"), "token leaked: {text}");
}

#[tokio::test]
async fn token_never_appears_in_debug_or_errors() {
    let builder = Client::builder()
        .api_url("https://acct.api-us1.com")
        .api_token(TOKEN)
        .event_key(TOKEN);
    assert_clean(&format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_clean(&format!("{client:?}"));

    let bodies = [
        ResponseTemplate::new(401).set_body_json(json!({"message":"Unauthorized"})),
        ResponseTemplate::new(403).set_body_json(json!({"message":"Forbidden"})),
        ResponseTemplate::new(200).set_body_string("<html>login</html>"),
        // A body echoing the token is redacted in snippets.
        ResponseTemplate::new(502).set_body_string(format!("<html>bad gateway {TOKEN}</html>")),
        ResponseTemplate::new(422)
            .set_body_json(json!({"errors":[{"title": format!("bad {TOKEN}")}]})),
    ];
    for body in bodies {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(body)
            .mount(&server)
            .await;
        let client = client_for(&server, RetryPolicy::none());
        let err = client.contacts().get(ContactId(1)).await.unwrap_err();
        assert_clean(&err.to_string().replace(&format!("bad {TOKEN}"), ""));
        if !format!("{err:?}").contains(&format!("bad {TOKEN}")) {
            assert_clean(&format!("{err:?}"));
        }
    }

    // Transport error.
    let client = crate::dead_client(RetryPolicy::none());
    let err = client
        .contacts()
        .create(&ContactInput::new("a@b.co"))
        .await
        .unwrap_err();
    assert_clean(&err.to_string());
    assert_clean(&format!("{err:?}"));

    // Config error with a token that is not a valid header value.
    let err = Client::builder()
        .api_url("https://acct.api-us1.com")
        .api_token(format!("{TOKEN}\u{1}x"))
        .build()
        .unwrap_err();
    assert_clean(&err.to_string());
    assert_clean(&format!("{err:?}"));
}

/// Collects everything a tracing subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn traces_name_the_request_but_never_the_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message":"Unauthorized"})))
        .mount(&server)
        .await;
    let client = client_for(&server, crate::fast_retry());
    let _ = client.contacts().get(ContactId(42)).await;

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("ac_request"), "{text}");
    assert!(text.contains("contacts/42"), "{text}");
    assert!(text.contains("attempt=2"), "{text}");
    assert_clean(&text);
}

#[tokio::test]
async fn event_key_never_appears_in_debug_or_errors() {
    use crate::event_tracking::{tracking_client, EVENT_KEY};
    use ac_client::event_tracking::TrackedEvent;

    let clean = |text: &str| {
        assert!(!text.contains(EVENT_KEY), "event key leaked: {text}");
        assert!(!text.contains("HUSHHUSH"), "event key leaked: {text}");
        assert_clean(text);
    };
    let server = MockServer::start().await;
    let client = tracking_client(&server, RetryPolicy::none());
    clean(&format!("{client:?}"));

    // Answers that echo the key back: every error text is redacted.
    let bodies = [
        ResponseTemplate::new(200)
            .set_body_json(json!({"success":0,"message":format!("bad key {EVENT_KEY}")})),
        ResponseTemplate::new(400)
            .set_body_json(json!({"success":0,"message":format!("bad key {EVENT_KEY}"),
            "failureReasons":[format!("key={EVENT_KEY}")]})),
        ResponseTemplate::new(403)
            .set_body_json(json!({"message":format!("key {EVENT_KEY} refused")})),
        ResponseTemplate::new(502).set_body_string(format!("<html>bad gateway {EVENT_KEY}</html>")),
        ResponseTemplate::new(200).set_body_string(format!("not json {EVENT_KEY}")),
    ];
    for body in bodies {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(body)
            .mount(&server)
            .await;
        let client = tracking_client(&server, RetryPolicy::none());
        let err = client
            .event_tracking()
            .send(&TrackedEvent::new("x").email("a@b.co"))
            .await
            .unwrap_err();
        clean(&err.to_string());
        clean(&format!("{err:?}"));
        for m in err.messages() {
            clean(&m);
        }
    }

    // Transport error on the tracking host.
    let client = Client::builder()
        .api_url("https://acct.api-us1.com")
        .api_token(TOKEN)
        .tracking_url(crate::dead_url())
        .actid("1")
        .event_key(EVENT_KEY)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client
        .event_tracking()
        .send(&TrackedEvent::new("x"))
        .await
        .unwrap_err();
    clean(&err.to_string());
    clean(&format!("{err:?}"));
}
