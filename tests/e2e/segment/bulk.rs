//! The bulk lane (`ReplayOptions { bulk: true }`): the same state as the per-call path, later
//! messages for an email wait for its batch, and AC's bulk-import rate limits are respected.

use ac_mock::MockServer;
use ac_segment::replay::{Done, ReplayOptions};
use serde_json::{json, Value};

use super::{
    assert_all_applied, count, executor_for, fixture, journal, mock_with_fixture, read_state,
    replay_all, Fixture,
};

const TAGS: [&str; 5] = ["alpha", "bravo", "charlie", "delta", "echo"];

fn email(i: usize) -> String {
    format!("bulk{i}@example.com")
}

fn identify(i: usize, fx: Fixture) -> Value {
    let list = if i.is_multiple_of(3) {
        fx.updates
    } else {
        fx.newsletter
    };
    let status = if i.is_multiple_of(4) {
        "unsubscribed"
    } else {
        "active"
    };
    json!({"type":"identify","userId":format!("u{i}"),"traits":{
        "email":email(i),"firstName":format!("Bulk{i}"),"lastName":"Person",
        "tags":[TAGS[i % 5], TAGS[(i + 2) % 5]],
        "lists":[{"id":list,"status":status}],
        "shirtSize":format!("XL{i}"),"renewalDate":"2030-12-31"}})
}

fn track(i: usize) -> Value {
    json!({"type":"track","userId":format!("u{i}"),"event":"Imported",
           "properties":{"email":email(i),"acValue":format!("v{i}")}})
}

fn options(bulk: bool) -> ReplayOptions {
    ReplayOptions {
        concurrency: 8,
        bulk,
    }
}

fn bulk_requests(done: &[Done]) -> usize {
    done.iter()
        .filter(|d| {
            d.outcome
                .calls
                .iter()
                .any(|c| c.starts_with("POST /api/3/import/bulk_import"))
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_and_per_call_replays_leave_the_same_state() {
    const N: usize = 300;
    let bulk_mock = MockServer::builder()
        .journal_size(10_000)
        .start()
        .await
        .expect("mock");
    let call_mock = MockServer::start().await.expect("mock");
    let fx = fixture(&bulk_mock).await;
    let fx2 = fixture(&call_mock).await;
    assert_eq!((fx.newsletter, fx.updates), (fx2.newsletter, fx2.updates));
    let messages: Vec<Value> = (0..N).map(|i| identify(i, fx)).collect();

    let bulk = replay_all(executor_for(&bulk_mock), &messages, options(true)).await;
    assert_all_applied(&bulk);
    assert_eq!(bulk_requests(&bulk), N, "every identify went the bulk way");
    let j = journal(&bulk_mock).await;
    assert_eq!(
        count(&j, "POST", "/api/3/import/bulk_import"),
        2,
        "250 + 50"
    );
    assert_eq!(count(&j, "POST", "/api/3/contact/sync"), 0);

    let per_call = replay_all(executor_for(&call_mock), &messages, options(false)).await;
    assert_all_applied(&per_call);
    assert_eq!(bulk_requests(&per_call), 0);

    let (a, b) = (read_state(&bulk_mock).await, read_state(&call_mock).await);
    a.assert_no_duplicates();
    b.assert_no_duplicates();
    assert_eq!(a.contacts.len(), N);
    assert_eq!(a.tags, b.tags);
    let (a, b) = (a.without_ids(), b.without_ids());
    for (email, want) in &b {
        assert_eq!(a.get(email), Some(want), "{email}");
    }
    assert_eq!(a, b);
    let c = &a["bulk7@example.com"];
    assert_eq!(c.first_name, "Bulk7");
    assert_eq!(c.tags, ["charlie", "echo"]);
    assert_eq!(c.fields["Renewal Date"], "2030-12-31");
}

/// Where each record ended in the replay's output, by input line.
fn positions(done: &[Done]) -> Vec<usize> {
    let mut at = vec![usize::MAX; done.len()];
    for (pos, d) in done.iter().enumerate() {
        at[d.record.line - 1] = pos;
    }
    at
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_track_after_its_identify_waits_for_the_batch() {
    const N: usize = 40;
    let (mock, fx) = mock_with_fixture().await;
    // Identifies for everyone, with the track of email 5 right after its identify.
    let mut messages = Vec::new();
    for i in 0..N {
        messages.push(identify(i, fx));
        if i == 5 {
            messages.push(track(5));
        }
    }
    let done = replay_all(executor_for(&mock), &messages, options(true)).await;
    assert_all_applied(&done);
    let at = positions(&done);
    let track_line = 7; // identify 0..=5 are lines 1..=6
    assert!(
        messages[track_line - 1]["type"] == "track",
        "the fixture puts the track on line {track_line}"
    );
    let track_at = at[track_line - 1];
    assert!(
        track_at > at[5],
        "the track ended before its identify: {at:?}"
    );
    assert!(
        !done[track_at]
            .outcome
            .calls
            .iter()
            .any(|c| c.contains("bulk_import")),
        "the track goes the normal way"
    );
    assert!(
        bulk_requests(&done) >= N - 6,
        "most identifies went the bulk way"
    );

    let state = read_state(&mock).await;
    assert_eq!(state.contacts.len(), N);
    assert_eq!(
        state.contact(&email(5)).logs,
        [("Imported".to_owned(), "v5".to_owned())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interleaved_identifies_and_tracks_apply_within_the_bulk_import_limits() {
    const N: usize = 30;
    let mock = MockServer::builder()
        .bulk_import_limits(true)
        .journal_size(10_000)
        .start()
        .await
        .expect("mock");
    let fx = fixture(&mock).await;
    let mut messages = Vec::new();
    for i in 0..N {
        messages.push(identify(i, fx));
        messages.push(track(i));
    }
    let done = replay_all(executor_for(&mock), &messages, options(true)).await;
    assert_all_applied(&done);
    let at = positions(&done);
    for i in 0..N {
        assert!(
            at[2 * i + 1] > at[2 * i],
            "{}: the track ended first",
            email(i)
        );
    }
    let j = journal(&mock).await;
    let refused = j
        .iter()
        .filter(|(m, p, s)| m == "POST" && p == "/api/3/import/bulk_import" && *s == 400)
        .count();
    assert_eq!(refused, 0, "no bulk import was refused by the rate limit");
    // The tracks wait for the batch instead of cutting it short: one import for everyone.
    assert_eq!(count(&j, "POST", "/api/3/import/bulk_import"), 1);

    let state = read_state(&mock).await;
    state.assert_no_duplicates();
    assert_eq!(state.contacts.len(), N);
    for i in 0..N {
        let c = state.contact(&email(i));
        assert_eq!(c.first_name, format!("Bulk{i}"));
        assert_eq!(c.tags.len(), 2);
        assert_eq!(c.logs, [("Imported".to_owned(), format!("v{i}"))]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_bulk_import_rejects_fail_alone_and_the_rest_is_applied() {
    let (mock, fx) = mock_with_fixture().await;
    // Items 3 and 7 name a list that does not exist: AC's bulk import rejects the whole
    // request with their positions in `failureReasons`; the lane fails exactly those two and
    // sends the rest again.
    let messages: Vec<Value> = (0..10)
        .map(|i| {
            let mut m = identify(i, fx);
            if i == 3 || i == 7 {
                m["traits"]["lists"] = json!([{"id": 9999, "status": "active"}]);
            }
            m
        })
        .collect();
    let done = replay_all(executor_for(&mock), &messages, options(true)).await;
    for d in &done {
        let line = d.record.line;
        if line == 4 || line == 8 {
            assert_eq!(d.outcome.status, ac_segment::Status::Failed, "line {line}");
            let reason = d.outcome.reason.as_deref().unwrap_or("");
            assert!(reason.contains("9999"), "line {line}: {reason}");
            assert!(!d.outcome.is_retryable(), "line {line}");
        } else {
            assert_eq!(
                d.outcome.status,
                ac_segment::Status::Applied,
                "line {line}: {:?}",
                d.outcome.reason
            );
        }
    }
    let j = journal(&mock).await;
    assert_eq!(
        count(&j, "POST", "/api/3/import/bulk_import"),
        2,
        "rejected once, then sent without the two"
    );
    let state = read_state(&mock).await;
    assert_eq!(state.contacts.len(), 8);
    assert!(!state.contacts.contains_key(&email(3)) && !state.contacts.contains_key(&email(7)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_reads_only_a_bounded_distance_ahead_of_ac() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let mock = MockServer::builder()
        .journal_size(1_000)
        .start()
        .await
        .expect("mock");
    let fx = fixture(&mock).await;
    // Every bulk import hangs for a while: the replay must stop reading instead of queueing
    // the whole file in memory.
    super::add_fault(
        &mock,
        json!({"method":"POST","path":"/api/3/import/bulk_import","delay_ms":1500}),
    )
    .await;
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    const N: usize = 50_000;
    let records = (0..N).map(move |i| {
        counter.fetch_add(1, Ordering::SeqCst);
        let raw = identify(i, fx).to_string().into_bytes();
        Ok(ac_segment::input::Record {
            line: i + 1,
            item: None,
            message: ac_segment::spec::Message::from_slice(&raw),
            raw,
        })
    });
    let mut rx = ac_segment::replay::spawn(executor_for(&mock), records, options(true));
    let first = rx.recv().await.expect("a first outcome");
    assert_eq!(first.outcome.status, ac_segment::Status::Applied);
    let read = pulled.load(Ordering::SeqCst);
    // 1,024 records in the reader's channel, 4 batches open and 4 sent (250 each), 1,024
    // single jobs: far from the 50,000 of the file.
    assert!(read < 6_000, "{read} records read ahead");
    drop(rx);
}
