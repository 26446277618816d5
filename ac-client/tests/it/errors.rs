use std::time::Duration;

use ac_client::contacts::{ContactInput, ContactQuery};
use ac_client::retry::Outcome;
use ac_client::{ContactId, Error, ErrorKind, Method, RetryPolicy, StatusCode};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client_for, contact_json, fast_retry, mount_retried, setup};

#[tokio::test]
async fn rate_limited_request_is_retried_after_retry_after() {
    let (server, client) = setup().await;
    mount_retried(
        &server,
        "POST",
        "/api/3/contacts",
        ResponseTemplate::new(429)
            .insert_header("Retry-After", "1")
            .set_body_json(json!({"message":"Too Many Requests"})),
        1,
        ResponseTemplate::new(201).set_body_json(json!({"contact": contact_json(1, "a@b.co")})),
    )
    .await;
    let started = std::time::Instant::now();
    // Even a plain create is retried after 429: AC did not process it.
    let c = client
        .contacts()
        .create(&ContactInput::new("a@b.co"))
        .await
        .unwrap();
    assert_eq!(c.id, ContactId(1));
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After was not honoured"
    );
}

#[tokio::test]
async fn rate_limit_with_too_long_retry_after_is_returned() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client.contacts().get(ContactId(1)).await.unwrap_err();
    assert!(err.is_rate_limited());
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_read_as_the_time_left() {
    let (server, client) = setup().await;
    let at = chrono::Utc::now() + chrono::Duration::hours(2);
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header(
            "Retry-After",
            at.format("%a, %d %b %Y %H:%M:%S GMT").to_string().as_str(),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client.contacts().get(ContactId(1)).await.unwrap_err();
    assert!(err.is_rate_limited());
    let left = err.retry_after().expect("Retry-After read");
    assert!(
        left > Duration::from_secs(7_100) && left <= Duration::from_secs(7_200),
        "{left:?}"
    );
}

#[tokio::test]
async fn service_unavailable_on_get_is_retried() {
    let (server, client) = setup().await;
    mount_retried(
        &server,
        "GET",
        "/api/3/contacts/1",
        ResponseTemplate::new(503),
        2,
        ResponseTemplate::new(200).set_body_json(json!({"contact": contact_json(1, "a@b.co")})),
    )
    .await;
    client.contacts().get(ContactId(1)).await.unwrap();
}

#[tokio::test]
async fn server_error_on_create_is_not_retried() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/contacts"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"message":"Internal error"})))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .contacts()
        .create(&ContactInput::new("a@b.co"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(
        err.is_retryable(),
        "transient, though the client did not retry a create"
    );
}

#[tokio::test]
async fn service_unavailable_on_sync_is_retried() {
    let (server, client) = setup().await;
    mount_retried(
        &server,
        "POST",
        "/api/3/contact/sync",
        ResponseTemplate::new(503),
        1,
        ResponseTemplate::new(200).set_body_json(json!({"contact": contact_json(1, "a@b.co")})),
    )
    .await;
    client
        .contacts()
        .sync(&ContactInput::new("a@b.co"))
        .await
        .unwrap();
}

#[tokio::test]
async fn retries_are_bounded() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502))
        .expect(4)
        .mount(&server)
        .await;
    let err = client.contacts().get(ContactId(1)).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
}

#[tokio::test]
async fn html_login_page_on_200_is_a_clear_error() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Content-Type", "text/html")
                .set_body_string("<html>login</html>"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client.contacts().get(ContactId(1)).await.unwrap_err();
    assert!(matches!(err, Error::Html { .. }), "{err:?}");
    assert!(!err.is_retryable());
    let msg = err.to_string();
    assert!(msg.contains("HTML") && msg.contains("API token"), "{msg}");
}

#[tokio::test]
async fn cloudflare_html_502_is_retryable() {
    let server = MockServer::start().await;
    let client = client_for(&server, RetryPolicy::none());
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string(
            "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client.contacts().get(ContactId(1)).await.unwrap_err();
    assert!(matches!(err, Error::Html { .. }));
    assert!(err.is_retryable());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
}

#[tokio::test]
async fn not_found_is_detected() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"message":"No Result found for Subscriber with id 1"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client.contacts().get(ContactId(1)).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(
        err.messages(),
        vec!["No Result found for Subscriber with id 1"]
    );
}

#[tokio::test]
async fn duplicate_email_points_at_email() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({"errors":[{
            "title":"Email address already exists in the system","detail":"","code":"duplicate",
            "source":{"pointer":"/data/attributes/email"}}]})))
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .contacts()
        .create(&ContactInput::new("a@b.co"))
        .await
        .unwrap_err();
    assert!(err.is_duplicate());
    assert_eq!(err.field(), Some("email"));
    assert_eq!(err.code(), Some("duplicate"));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn every_error_body_shape_is_parsed() {
    let cases = [
        (
            404,
            json!({"message":"No Result found for Subscriber with id 1"}),
            vec!["No Result found for Subscriber with id 1"],
        ),
        (
            422,
            json!({"errors":[{"status":422,"title":"Missing attribute","source":{"pointer":"/data/attributes/contact"}}]}),
            vec!["Missing attribute"],
        ),
        (
            404,
            json!({"errors":[{"status":404,"title":"Not Found","detail":"Contact not found"}]}),
            vec!["Not Found", "Contact not found"],
        ),
        (
            422,
            json!({"errors":"Bulk operation failed."}),
            vec!["Bulk operation failed."],
        ),
        (
            400,
            json!({"success":0,"message":"'batchId' is a required field.","failureReasons":["r1"]}),
            vec!["'batchId' is a required field.", "r1"],
        ),
        (403, json!({"message":"Forbidden"}), vec!["Forbidden"]),
        (400, json!({}), vec![]),
    ];
    for (status, body, messages) in cases {
        let (server, client) = setup().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body.clone()))
            .expect(1)
            .mount(&server)
            .await;
        let err = client.contacts().get(ContactId(1)).await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{body}");
        assert_eq!(err.messages(), messages, "{body}");
    }
}

#[tokio::test]
async fn undecodable_success_names_the_json_path() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "contacts":[contact_json(1, "a@b.co"), {"id":"not-a-number"}],"meta":{"total":"2"}})))
        .mount(&server)
        .await;
    let err = client
        .contacts()
        .list(&ContactQuery::new())
        .await
        .unwrap_err();
    match &err {
        Error::Decode { path, .. } => assert!(path.starts_with("contacts[1]"), "{path}"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn transport_error_is_retryable_and_typed() {
    let client = crate::dead_client(fast_retry().max_attempts(2));
    let err = client.contacts().get(ContactId(1)).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(err.kind(), ErrorKind::Transport);
    // The message names the root cause once, and no source chain repeats it.
    let shown = err.to_string();
    assert!(
        shown.starts_with("could not reach ActiveCampaign: "),
        "{shown}"
    );
    assert!(
        !shown.contains("error sending request"),
        "a wrapper, not the cause: {shown}"
    );
    let cause = shown.trim_start_matches("could not reach ActiveCampaign: ");
    assert!(!cause.is_empty());
    assert_eq!(shown.matches(cause).count(), 1, "{shown}");
    let mut chain = String::new();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        chain.push_str(&s.to_string());
        source = s.source();
    }
    assert!(
        !chain.contains(cause),
        "the chain repeats the cause: {chain}"
    );
    match &err {
        Error::Transport(t) => assert!(t.is_connect() && !t.is_timeout()),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_body_retryable_flag_and_the_retry_loop_agree() {
    // 520 is no transient status, but the body says `retryable: true`: retried, and
    // `is_retryable` says so.
    let (server, client) = setup().await;
    mount_retried(
        &server,
        "GET",
        "/api/3/contacts/1",
        ResponseTemplate::new(520).set_body_json(json!({"retryable": true})),
        1,
        ResponseTemplate::new(200).set_body_json(json!({"contact": contact_json(1, "a@b.co")})),
    )
    .await;
    client.contacts().get(1).await.unwrap();

    // 503 is transient, but the body says `retryable: false`: one attempt, and
    // `is_retryable` says no.
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts/2"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"retryable": false})))
        .expect(1)
        .mount(&server)
        .await;
    let err = client.contacts().get(2).await.unwrap_err();
    assert!(!err.is_retryable());
    assert_eq!(Outcome::of(&err).is_retryable(), err.is_retryable());
}

#[tokio::test]
async fn a_per_call_retry_policy_overrides_the_clients() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts/3"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let once = client.with_retry_policy(RetryPolicy::none());
    assert!(once.contacts().get(3).await.unwrap_err().is_retryable());
    assert_eq!(once.retry_policy().get_max_attempts(), 1);
    assert_eq!(
        client.retry_policy().get_max_attempts(),
        4,
        "the original keeps its policy"
    );
    server.verify().await;

    // The escape hatch takes one too.
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts/4"))
        .respond_with(ResponseTemplate::new(503))
        .expect(2)
        .mount(&server)
        .await;
    let err = client
        .request(Method::GET, "contacts/4")
        .retry_policy(fast_retry().max_attempts(2))
        .send::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
}

#[tokio::test]
async fn a_wrong_token_or_url_is_unauthorized() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts/5"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message":"Unauthorized"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/contacts/6"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Content-Type", "text/html")
                .set_body_string("<!DOCTYPE html><html><title>Login</title></html>"),
        )
        .mount(&server)
        .await;
    for id in [5, 6] {
        let err = client.contacts().get(id).await.unwrap_err();
        assert!(err.is_unauthorized(), "{err:?}");
        assert_eq!(err.kind(), ErrorKind::Unauthorized);
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn total_deadline_bounds_a_slow_call() {
    let server = MockServer::start().await;
    let client = client_for(
        &server,
        fast_retry().total_deadline(Some(Duration::from_millis(200))),
    );
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"contact": contact_json(1, "a@b.co")}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let err = client.contacts().get(ContactId(1)).await.unwrap_err();
    assert!(
        matches!(err, Error::DeadlineExceeded { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(err.is_timeout());
    assert!(err.to_string().contains("deadline"));
}

#[tokio::test]
async fn cloudflare_json_502_carries_retry_after() {
    let server = MockServer::start().await;
    let client = client_for(&server, RetryPolicy::none());
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_json(
            json!({"success":false,"retryable":true,"retry_after":7,"message":"Bad gateway"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client.contacts().get(ContactId(1)).await.unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(err.messages(), vec!["Bad gateway"]);
}

#[tokio::test]
async fn server_error_on_upserts_is_retried_but_not_on_creates() {
    use ac_client::fields::{FieldInput, FieldType};
    use ac_client::lists::ListInput;
    use ac_client::tags::TagInput;
    use ac_client::{FieldId, ListId, TagId};

    let (server, client) = setup().await;
    // Upserts: one 503, then success.
    for (p, body) in [
        (
            "/api/3/contactTags",
            json!({"contactTag":{"contact":"1","tag":"2","id":"3"}}),
        ),
        (
            "/api/3/contactLists",
            json!({"contactList":{"contact":"1","list":"2","status":1,"id":"3"}}),
        ),
        (
            "/api/3/fieldValues",
            json!({"fieldValue":{"contact":"1","field":"2","value":"v","id":"3"}}),
        ),
    ] {
        mount_retried(
            &server,
            "POST",
            p,
            ResponseTemplate::new(503),
            1,
            ResponseTemplate::new(200).set_body_json(body),
        )
        .await;
    }
    // Plain creates: one attempt only.
    for p in ["/api/3/tags", "/api/3/lists", "/api/3/fields"] {
        Mock::given(method("POST"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(503))
            .expect(1)
            .mount(&server)
            .await;
    }
    client
        .tags()
        .add_to_contact(ContactId(1), TagId(2))
        .await
        .unwrap();
    client
        .lists()
        .subscribe(ContactId(1), ListId(2))
        .await
        .unwrap();
    client
        .field_values()
        .set(ContactId(1), FieldId(2), "v")
        .await
        .unwrap();
    assert!(client.tags().create(&TagInput::new("t")).await.is_err());
    assert!(client
        .lists()
        .create(
            &ListInput::new("n")
                .slug("s")
                .sender_url("https://x")
                .sender_reminder("r")
        )
        .await
        .is_err());
    assert!(client
        .fields()
        .create(&FieldInput::new("f", FieldType::Text))
        .await
        .is_err());
}

#[tokio::test]
async fn the_escape_hatch_takes_the_same_path_as_typed_calls() {
    use wiremock::matchers::{header, query_param};
    let (server, client) = setup().await;
    // Sent with the token, the query and the body; retried after a 429 like any call.
    mount_retried(
        &server,
        "POST",
        "/api/3/notes",
        ResponseTemplate::new(429).insert_header("Retry-After", "0"),
        1,
        ResponseTemplate::new(201).set_body_json(json!({"note": {"id": "7"}})),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/api/3/users"))
        .and(query_param("limit", "5"))
        .and(header("Api-Token", crate::TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"users": []})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/users/9"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"message": format!("No Result found for User with id 9 {}", crate::TOKEN)}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let note: serde_json::Value = client
        .request(Method::POST, "notes")
        .json(&json!({"note": {"note": "hi"}}))
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(note["note"]["id"], "7");
    let users: serde_json::Value = client
        .request(Method::GET, "/users")
        .query("limit", 5)
        .send()
        .await
        .unwrap();
    assert_eq!(users["users"], json!([]));
    let err = client
        .request(Method::GET, "users/9")
        .send_empty()
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert!(!format!("{err} {err:?}").contains(crate::TOKEN));
    let err = client
        .request(Method::GET, "https://elsewhere.example/users")
        .send_empty()
        .await
        .unwrap_err();
    assert!(err.is_invalid_input());
}
