//! Per-email order at high concurrency: subscribe, unsubscribe, subscribe again (or stop after
//! the unsubscribe) ends in the status of each email's last message, per call and in bulk.

use ac_segment::replay::ReplayOptions;
use serde_json::{json, Value};

use super::{
    assert_all_applied, count, executor_for, journal, mock_with_fixture, read_state, replay_all,
};

const EMAILS: usize = 60;

fn email(i: usize) -> String {
    format!("order{i}@example.com")
}

/// Email `i` gets subscribe, unsubscribe and (for even `i`) subscribe again.
fn steps(i: usize) -> &'static [&'static str] {
    if i.is_multiple_of(2) {
        &["active", "unsubscribed", "active"]
    } else {
        &["active", "unsubscribed"]
    }
}

fn identify(i: usize, step: usize, list: u64) -> Value {
    json!({"type":"identify","traits":{"email":email(i),"firstName":"Step",
        "lastName":step.to_string(),"lists":[{"id":list,"status":steps(i)[step]}]}})
}

/// Each email's messages back to back (`grouped`), or round by round across emails.
fn messages(list: u64, grouped: bool) -> Vec<Value> {
    let mut out = Vec::new();
    if grouped {
        for i in 0..EMAILS {
            for step in 0..steps(i).len() {
                out.push(identify(i, step, list));
            }
        }
    } else {
        for step in 0..3 {
            for i in (0..EMAILS).filter(|&i| step < steps(i).len()) {
                out.push(identify(i, step, list));
            }
        }
    }
    out
}

async fn last_message_wins(bulk: bool, grouped: bool) {
    let (mock, fx) = mock_with_fixture().await;
    let input = messages(fx.newsletter, grouped);
    let done = replay_all(
        executor_for(&mock),
        &input,
        ReplayOptions {
            concurrency: 16,
            bulk,
        },
    )
    .await;
    assert_all_applied(&done);
    // Each email's records are reported in input order.
    let mut last_seen: std::collections::HashMap<String, usize> = Default::default();
    for d in &done {
        let email = input[d.record.line - 1]["traits"]["email"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let prev = last_seen.insert(email.clone(), d.record.line);
        assert!(
            prev.is_none_or(|p| p < d.record.line),
            "{email}: line {} reported after line {prev:?}",
            d.record.line
        );
    }
    if bulk {
        // The subscribes in one batch, the unsubscribes in a second that waits for it, the
        // subscribes again per call (bulk import would not re-subscribe).
        let j = journal(&mock).await;
        assert_eq!(count(&j, "POST", "/api/3/import/bulk_import"), 2);
        assert_eq!(count(&j, "POST", "/api/3/contact/sync"), EMAILS / 2);
    }
    let state = read_state(&mock).await;
    state.assert_no_duplicates();
    assert_eq!(state.contacts.len(), EMAILS);
    let list = fx.newsletter.to_string();
    for i in 0..EMAILS {
        let c = state.contact(&email(i));
        let want = if i % 2 == 0 { "1" } else { "2" };
        assert_eq!(
            c.lists.get(&list).map(String::as_str),
            Some(want),
            "{} (bulk {bulk}, grouped {grouped})",
            email(i)
        );
        assert_eq!(
            c.last_name,
            (steps(i).len() - 1).to_string(),
            "{}",
            email(i)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_emails_last_list_status_wins_per_call() {
    last_message_wins(false, true).await;
    last_message_wins(false, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_emails_last_list_status_wins_in_bulk() {
    last_message_wins(true, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_emails_last_list_status_wins_in_bulk_with_messages_back_to_back() {
    last_message_wins(true, true).await;
}
