//! Event tracking and site tracking, end to end (API host and tracking host).

use ac_client::contacts::ContactInput;
use ac_client::event_tracking::TrackedEvent;
use ac_client::site_tracking::{PageVisit, WhitelistInput};
use ac_client::Client;

use crate::{client_for, setup};

#[tokio::test]
async fn event_names_are_seeded_registered_and_deleted() {
    let (_mock, client) = setup().await;
    let tracking = client.event_tracking();
    let names: Vec<String> = tracking
        .list_events()
        .await
        .expect("list")
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert!(names.contains(&"__pagevisit".to_string()));
    assert!(names.contains(&"__redir".to_string()));

    tracking
        .find_or_register("signed up")
        .await
        .expect("register");
    tracking.find_or_register("signed up").await.expect("again");
    let count = tracking
        .list_events()
        .await
        .expect("list")
        .iter()
        .filter(|e| e.name == "signed up")
        .count();
    assert_eq!(count, 1, "find_or_register does not register twice");

    // A name with a space travels URL-encoded in the path.
    tracking.delete_event("signed up").await.expect("delete");
    assert!(!tracking
        .list_events()
        .await
        .expect("list")
        .iter()
        .any(|e| e.name == "signed up"));
}

#[tokio::test]
async fn a_sent_event_lands_in_the_contacts_tracking_log() {
    let (_mock, client) = setup().await;
    let tracking = client.event_tracking();
    tracking.set_enabled(true).await.expect("enable");
    let contact = client
        .contacts()
        .create(&ContactInput::new("ev@example.com"))
        .await
        .expect("contact");
    tracking
        .find_or_register("checkout")
        .await
        .expect("register");
    let answer = tracking
        .send(
            &TrackedEvent::new("checkout")
                .data("order-42")
                .email("ev@example.com"),
        )
        .await
        .expect("send");
    assert_eq!(answer.message.as_deref(), Some("Event spawned"));

    let logs = tracking.contact_logs(contact.id).await.expect("logs");
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].event_type, "checkout");
    assert_eq!(logs[0].value, "order-42");
}

#[tokio::test]
async fn events_sent_while_tracking_is_disabled_are_not_recorded() {
    let (_mock, client) = setup().await;
    let tracking = client.event_tracking();
    tracking.set_enabled(false).await.expect("disable");
    assert!(!tracking.settings().await.expect("settings").enabled);
    let contact = client
        .contacts()
        .create(&ContactInput::new("off@example.com"))
        .await
        .expect("contact");
    // Whatever the tracking host answers, nothing is stored.
    let _ = tracking
        .send(&TrackedEvent::new("checkout").email("off@example.com"))
        .await;
    assert!(tracking
        .contact_logs(contact.id)
        .await
        .expect("logs")
        .is_empty());
}

#[tokio::test]
async fn a_wrong_event_key_is_a_typed_tracking_error_without_the_key() {
    let (mock, _client) = setup().await;
    let key = "wrong-event-key-5e1d";
    let client = Client::builder()
        .api_url(mock.base_url())
        .api_token(mock.api_token())
        .tracking_url(mock.tracking_url())
        .actid(mock.actid())
        .event_key(key)
        .build()
        .expect("client");
    let err = client
        .event_tracking()
        .send(&TrackedEvent::new("checkout").email("x@example.com"))
        .await
        .expect_err("bad key");
    assert!(!err.to_string().contains(key), "{err}");
    assert!(!format!("{err:?}").contains(key));
    assert!(!err.messages().is_empty(), "AC's message is kept: {err:?}");
}

#[tokio::test]
async fn site_tracking_whitelists_and_records_visits() {
    let (mock, client) = setup().await;
    let site = client.site_tracking();
    site.set_enabled(true).await.expect("enable");
    assert!(site.settings().await.expect("settings").enabled);
    assert!(site.code().await.expect("code").contains(mock.actid()));

    let entry = site
        .add_whitelisting(&WhitelistInput::new("example.com"))
        .await
        .expect("whitelist");
    let err = site
        .add_whitelisting(&WhitelistInput::new("example.com"))
        .await
        .expect_err("already listed");
    assert!(err.is_conflict(), "409: {err}");
    site.add_domain("other.example").await.expect("legacy add");
    let names: Vec<String> = site
        .domains()
        .await
        .expect("legacy list")
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert!(names.contains(&"other.example".to_string()));
    site.remove_domain("other.example")
        .await
        .expect("legacy delete");
    site.remove_whitelisting(entry.id).await.expect("delete");
    assert!(site.whitelistings().await.expect("list").is_empty());

    let contact = client
        .contacts()
        .create(&ContactInput::new("visit@example.com"))
        .await
        .expect("contact");
    site.record_visit(&PageVisit::new(
        "https://example.com/a",
        "visit@example.com",
    ))
    .await
    .expect("visit");
    let logs = client
        .event_tracking()
        .contact_logs(contact.id)
        .await
        .expect("logs");
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].event_type, "__pagevisit");
    assert_eq!(logs[0].value, "https://example.com/a");

    // A second client on the same mock sees the same account.
    let again = client_for(&mock);
    assert_eq!(
        again.site_tracking().domains().await.expect("list").len(),
        0
    );
}
