//! The client's retry and isolation behaviour against the mock's fault rules and accounts.

use ac_client::contacts::{ContactInput, ContactQuery};
use ac_client::tags::TagQuery;
use ac_client::{Client, RateLimit, RetryPolicy};
use ac_mock::MockServer;
use serde_json::{json, Value};

use crate::setup;

async fn admin(mock: &MockServer, method: reqwest::Method, path: &str, body: Value) -> Value {
    let res = reqwest::Client::new()
        .request(method, format!("{}/__admin/{path}", mock.base_url()))
        .json(&body)
        .send()
        .await
        .expect("admin call");
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap_or(Value::Null)
}

/// How many requests the mock journaled for `method path`.
async fn journaled(mock: &MockServer, method: &str, path: &str) -> usize {
    let journal = admin(
        mock,
        reqwest::Method::GET,
        "requests?limit=1000",
        Value::Null,
    )
    .await;
    journal["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| r["method"] == method && r["path"] == path)
        .count()
}

fn retrying_client(mock: &MockServer, token: &str) -> Client {
    Client::builder()
        .api_url(mock.base_url())
        .api_token(token)
        .rate_limit(RateLimit::disabled())
        .retry_policy(RetryPolicy::default())
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_until_it_succeeds() {
    let (mock, _) = setup().await;
    admin(
        &mock,
        reqwest::Method::POST,
        "faults",
        json!({"method": "GET", "path": "/api/3/tags", "times": 1,
               "status": 429, "headers": {"Retry-After": "1"},
               "body": {"message": "Too Many Requests"}}),
    )
    .await;
    let client = retrying_client(&mock, mock.api_token());
    let page = client.tags().list(&TagQuery::new()).await.expect("retried");
    assert_eq!(page.total, 0);
    assert_eq!(journaled(&mock, "GET", "/api/3/tags").await, 2);
}

#[tokio::test]
async fn a_503_on_a_read_is_retried_but_a_500_on_a_create_is_sent_once() {
    let (mock, _) = setup().await;
    let client = retrying_client(&mock, mock.api_token());

    admin(
        &mock,
        reqwest::Method::POST,
        "faults",
        json!({"method": "GET", "path": "/api/3/contacts", "times": 2, "status": 503}),
    )
    .await;
    client
        .contacts()
        .list(&ContactQuery::new())
        .await
        .expect("a read survives two 503s");
    assert_eq!(journaled(&mock, "GET", "/api/3/contacts").await, 3);

    admin(
        &mock,
        reqwest::Method::POST,
        "faults",
        json!({"method": "POST", "path": "/api/3/contacts", "times": 1, "status": 500}),
    )
    .await;
    let err = client
        .contacts()
        .create(&ContactInput::new("once@example.com"))
        .await
        .expect_err("the 500 comes back");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(
        journaled(&mock, "POST", "/api/3/contacts").await,
        1,
        "a plain create is never re-sent"
    );
}

#[tokio::test]
async fn an_html_login_page_on_200_is_an_error_not_a_success() {
    let (mock, client) = setup().await;
    admin(
        &mock,
        reqwest::Method::POST,
        "faults",
        json!({"path": "/api/3/tags", "times": 1, "html": "login"}),
    )
    .await;
    let err = client
        .tags()
        .list(&TagQuery::new())
        .await
        .expect_err("HTML is not JSON");
    assert!(!err.is_not_found());
    assert!(
        err.to_string().to_lowercase().contains("html"),
        "the error says what came back: {err}"
    );
}

#[tokio::test]
async fn accounts_made_through_the_admin_api_are_isolated() {
    let (mock, first) = setup().await;
    let created = admin(&mock, reqwest::Method::POST, "accounts", Value::Null).await;
    let token = created["api_token"].as_str().expect("api_token");
    let second = retrying_client(&mock, token);

    first
        .contacts()
        .create(&ContactInput::new("only-in-first@example.com"))
        .await
        .expect("first account");
    let seen_by_second = second
        .contacts()
        .list(&ContactQuery::new())
        .await
        .expect("second account");
    assert_eq!(seen_by_second.total, 0);
    let same_email = second
        .contacts()
        .create(&ContactInput::new("only-in-first@example.com"))
        .await
        .expect("no duplicate across accounts");
    assert_eq!(same_email.id.get(), 1, "ids are per account");
}
