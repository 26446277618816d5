//! Integration tests: ac-client against wiremock, with exact request checks.

#![allow(clippy::unwrap_used)]

mod accounts;
mod addresses;
mod automations;
mod brandings;
mod bulk_import;
mod campaigns;
mod contact_deals;
mod contact_lists;
mod contacts;
mod convention;
mod deal_tasks;
mod deals;
mod ecom;
mod errors;
mod event_tracking;
mod fields;
mod forms;
mod groups;
mod helpers;
mod lists;
mod notes;
mod pagination;
mod record_fields;
mod saved_responses;
mod scores;
mod secrets;
mod segments;
mod site_tracking;
mod tags;
mod users;
mod webhooks;

use std::time::Duration;

use ac_client::{Client, RateLimit, RetryPolicy};
use serde_json::{json, Value};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A distinctive token, so tests can prove it never leaks.
pub const TOKEN: &str = "tok-SUPERSECRET-7f3a9c";

/// Fast retries, no client-side rate limit.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .base_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
}

/// A wiremock server and a client pointed at it.
pub async fn setup() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = client_for(&server, fast_retry());
    (server, client)
}

/// Like [`setup`], but the server fails the test (when dropped) if any request reaches it:
/// for inputs the client must refuse before sending.
pub async fn setup_sending_nothing() -> (MockServer, Client) {
    let (server, client) = setup().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    (server, client)
}

/// Mounts a retry sequence on `verb path`: `failure` for exactly the first `failures`
/// requests, then `success` for exactly one more.
pub async fn mount_retried(
    server: &MockServer,
    verb: &str,
    route: &str,
    failure: ResponseTemplate,
    failures: u64,
    success: ResponseTemplate,
) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(failure)
        .up_to_n_times(failures)
        .expect(failures)
        .mount(server)
        .await;
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(success)
        .expect(1)
        .mount(server)
        .await;
}

/// A client for `url` with this retry policy and no rate limit.
fn client_at(url: impl AsRef<str>, retry: RetryPolicy) -> Client {
    Client::builder()
        .api_url(url)
        .api_token(TOKEN)
        .rate_limit(RateLimit::disabled())
        .retry_policy(retry)
        .build()
        .expect("client builds")
}

/// A client for `server` with this retry policy and no rate limit.
pub fn client_for(server: &MockServer, retry: RetryPolicy) -> Client {
    client_at(server.uri(), retry)
}

/// A contact as AC renders it.
pub fn contact_json(id: u64, email: &str) -> Value {
    json!({
        "cdate":"2026-05-28T03:05:54-05:00","email":email,"phone":"","firstName":"Ada","lastName":"L",
        "orgid":"0","orgname":"","bounced_hard":"0","udate":"2026-05-28T04:03:25-05:00",
        "links":{"fieldValues":format!("https://acct.api-us1.com/api/3/contacts/{id}/fieldValues")},
        "id":id.to_string(),"organization":null
    })
}

/// A loopback URL where nothing listens.
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// A client pointed at [`dead_url`].
pub fn dead_client(retry: RetryPolicy) -> Client {
    client_at(dead_url(), retry)
}
