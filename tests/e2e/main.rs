//! End-to-end tests: ac-client against an in-process ac-mock.
//!
//! One test binary (modules per resource) so the workspace links it once.

mod accounts;
mod addresses;
mod automations;
mod brandings;
mod bulk_import;
mod campaigns;
mod contact_deals;
mod contact_lists;
mod contacts;
mod deal_tasks;
mod ecom;
mod faults;
mod fields;
mod forms;
mod lists;
mod notes;
mod record_fields;
mod saved_responses;
mod scores;
mod segment;
mod segments;
mod tags;
mod tracking;
mod users;
mod webhooks;

use ac_client::{Client, RateLimit, RetryPolicy};
use ac_mock::MockServer;

/// A fresh mock and a client pointed at it (no client-side rate limit, no retries: the tests
/// pin behaviour, and a retry would hide a wrong status).
pub async fn setup() -> (MockServer, Client) {
    let mock = MockServer::start().await.expect("mock starts");
    let client = client_for(&mock);
    (mock, client)
}

/// A client for an already running mock.
pub fn client_for(mock: &MockServer) -> Client {
    Client::builder()
        .api_url(mock.base_url())
        .api_token(mock.api_token())
        .tracking_url(mock.tracking_url())
        .actid(mock.actid())
        .event_key(mock.event_key())
        .rate_limit(RateLimit::disabled())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds")
}
