//! Failed creates and dropped connections: a create that failed (5xx, no answer) is looked up
//! before it is sent again, and a message whose step failed transiently is retried whole.
//! The executor's client here does not retry, so every fault reaches ac-segment itself.

use ac_mock::MockServer;
use ac_segment::execute::Executor;
use ac_segment::Status;
use serde_json::json;

use super::{add_fault, journal, message, read_state, settings_for};
use crate::client_for;

async fn setup() -> (MockServer, Executor) {
    let mock = MockServer::builder()
        .journal_size(10_000)
        .start()
        .await
        .expect("mock");
    let executor = Executor::new(client_for(&mock), settings_for(&mock));
    (mock, executor)
}

/// The statuses the journal holds for `method path`, oldest first.
async fn statuses(mock: &MockServer, method: &str, path: &str) -> Vec<u16> {
    journal(mock)
        .await
        .into_iter()
        .filter(|(m, p, _)| m == method && p == path)
        .map(|(_, _, s)| s)
        .collect()
}

#[tokio::test]
async fn a_503_on_a_tag_create_still_creates_the_tag_once() {
    let (mock, executor) = setup().await;
    add_fault(
        &mock,
        json!({"method":"POST","path":"/api/3/tags","status":503,"times":1}),
    )
    .await;
    let o = executor
        .apply(&message(&json!({"type":"identify","traits":{
            "email":"frag@example.com","firstName":"Fra","tags":["fragile"]}})))
        .await;
    assert_eq!(o.status, Status::Applied, "{o:?}");
    assert_eq!(statuses(&mock, "POST", "/api/3/tags").await, [503, 201]);

    let state = read_state(&mock).await;
    state.assert_no_duplicates();
    assert_eq!(state.tags, ["fragile"]);
    assert_eq!(state.contact("frag@example.com").tags, ["fragile"]);
}

#[tokio::test]
async fn a_dropped_contact_sync_is_absorbed_by_the_message_retry() {
    let (mock, executor) = setup().await;
    add_fault(
        &mock,
        json!({"path":"/api/3/contact/sync","drop_connection":true,"times":1}),
    )
    .await;
    let o = executor
        .apply(&message(&json!({"type":"identify","traits":{
            "email":"drop@example.com","firstName":"Dee","lastName":"Rop","tags":["kept"]}})))
        .await;
    assert_eq!(o.status, Status::Applied, "{o:?}");
    assert_eq!(
        statuses(&mock, "POST", "/api/3/contact/sync").await,
        [0, 201]
    );

    let state = read_state(&mock).await;
    state.assert_no_duplicates();
    assert_eq!(state.contacts.len(), 1);
    let c = state.contact("drop@example.com");
    assert_eq!(
        (c.first_name.as_str(), c.last_name.as_str()),
        ("Dee", "Rop")
    );
    assert_eq!(c.tags, ["kept"]);
}

#[tokio::test]
async fn a_dropped_event_registration_and_event_send_apply_once() {
    let (mock, executor) = setup().await;
    let o = executor
        .apply(&message(
            &json!({"type":"identify","traits":{"email":"ev@example.com","firstName":"Ev"}}),
        ))
        .await;
    assert_eq!(o.status, Status::Applied, "{o:?}");
    add_fault(
        &mock,
        json!({"method":"POST","path":"/api/3/eventTrackingEvents","drop_connection":true,"times":1}),
    )
    .await;
    add_fault(
        &mock,
        json!({"method":"POST","path":"/event","status":503,"times":1}),
    )
    .await;
    let o = executor
        .apply(&message(&json!({"type":"track","event":"Fragile Event",
            "properties":{"email":"ev@example.com","acValue":"v"}})))
        .await;
    assert_eq!(o.status, Status::Applied, "{o:?}");
    assert_eq!(
        statuses(&mock, "POST", "/api/3/eventTrackingEvents").await,
        [0, 201]
    );
    assert_eq!(statuses(&mock, "POST", "/event").await, [503, 200]);

    let state = read_state(&mock).await;
    state.assert_no_duplicates();
    assert_eq!(state.events, ["Fragile Event"]);
    assert_eq!(
        state.contact("ev@example.com").logs,
        [("Fragile Event".to_owned(), "v".to_owned())]
    );
}

#[tokio::test]
async fn failed_account_creates_and_links_apply_once() {
    let (mock, executor) = setup().await;
    add_fault(
        &mock,
        json!({"method":"POST","path":"/api/3/accounts","status":502,"times":1}),
    )
    .await;
    add_fault(
        &mock,
        json!({"method":"POST","path":"/api/3/accountContacts","drop_connection":true,"times":1}),
    )
    .await;
    let o = executor
        .apply(&message(
            &json!({"type":"group","groupId":"g","traits":{"name":"Flaky Corp"},
            "context":{"traits":{"email":"acct@example.com","firstName":"Acc"}}}),
        ))
        .await;
    assert_eq!(o.status, Status::Applied, "{o:?}");

    let state = read_state(&mock).await;
    assert_eq!(state.accounts.keys().collect::<Vec<_>>(), ["Flaky Corp"]);
    assert_eq!(
        state.account_contacts.iter().collect::<Vec<_>>(),
        [&("acct@example.com".to_owned(), "Flaky Corp".to_owned())]
    );
}
