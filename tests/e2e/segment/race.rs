//! Single-flight find-or-create: 16 cold messages racing for the same new tags and event name
//! create each exactly once (RudderStack's destination fails 15 of 16 here).

use ac_mock::MockServer;
use ac_segment::Status;
use serde_json::json;

use super::{count, executor_for, journal, message, read_state};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_cold_racers_create_each_tag_and_event_name_once() {
    let mock = MockServer::builder()
        .journal_size(10_000)
        .start()
        .await
        .expect("mock");
    let executor = executor_for(&mock);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let email = format!("racer{i}@example.com");
        let identify = message(&json!({"type":"identify","traits":{"email":email,
            "firstName":"Racer","lastName":i.to_string(),"tags":["rush","Dash","sprint"]}}));
        let track = message(&json!({"type":"track","event":"Race Started",
            "properties":{"email":email}}));
        for m in [identify, track] {
            let executor = executor.clone();
            tasks.push(tokio::spawn(async move { executor.apply(&m).await }));
        }
    }
    for t in tasks {
        let o = t.await.expect("task");
        assert_eq!(o.status, Status::Applied, "{o:?}");
    }

    let j = journal(&mock).await;
    assert_eq!(count(&j, "POST", "/api/3/tags"), 3, "{j:?}");
    assert_eq!(count(&j, "POST", "/api/3/eventTrackingEvents"), 1, "{j:?}");
    assert_eq!(count(&j, "POST", "/api/3/contact/sync"), 16);

    let state = read_state(&mock).await;
    state.assert_no_duplicates();
    assert_eq!(state.tags, ["Dash", "rush", "sprint"]);
    assert_eq!(state.events, ["Race Started"]);
    assert_eq!(state.contacts.len(), 16);
    for (email, c) in &state.contacts {
        assert_eq!(c.tags, ["Dash", "rush", "sprint"], "{email}");
    }
}
