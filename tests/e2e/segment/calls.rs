//! Calls per message with warm caches (MAPPING.md's table), counted twice: by the outcome and
//! by the mock's request journal.

use ac_segment::Status;
use serde_json::{json, Value};

use super::{clear_journal, count, executor_for, journal, message, mock_with_fixture, Fixture};

fn identify(email: &str, fx: Fixture) -> Value {
    json!({"type":"identify","traits":{"email":email,"firstName":"Warm","lastName":"Cache",
        "tags":["warm-a","warm-b"],"lists":[{"id":fx.newsletter,"status":"active"}],
        "shirtSize":"S","interests":["a","b"]}})
}

fn track(email: &str) -> Value {
    json!({"type":"track","event":"Warm Event","properties":{"email":email,"value":"1"}})
}

fn page(email: &str) -> Value {
    json!({"type":"page","context":{"traits":{"email":email}},
           "properties":{"url":"https://www.warm.example/pricing"}})
}

fn screen(email: &str) -> Value {
    json!({"type":"screen","name":"Warm Screen","context":{"traits":{"email":email}}})
}

fn group(email: &str) -> Value {
    json!({"type":"group","groupId":"warm","traits":{"name":"Warm Co"},
           "context":{"traits":{"email":email}}})
}

/// A warm message, the most calls it may make, and the requests expected by method and path.
type Warm = (Value, usize, &'static [(&'static str, &'static str, usize)]);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_messages_cost_what_the_mapping_table_says() {
    let (mock, fx) = mock_with_fixture().await;
    let executor = executor_for(&mock);

    // Cold: fills the caches (fields, tags, event names, the domain, the account).
    for m in [
        identify("cold@example.com", fx),
        track("cold@example.com"),
        page("cold@example.com"),
        screen("cold@example.com"),
        group("cold@example.com"),
    ] {
        let o = executor.apply(&message(&m)).await;
        assert_eq!(o.status, Status::Applied, "{m}: {o:?}");
    }

    // Warm: another contact, the same names. (message, most calls, calls expected by path)
    let warm: [Warm; 5] = [
        (
            identify("warm@example.com", fx),
            4,
            &[
                ("POST", "/api/3/contact/sync", 1),
                ("POST", "/api/3/contactTags", 2),
                ("POST", "/api/3/contactLists", 1),
            ],
        ),
        (track("warm@example.com"), 1, &[("POST", "/event", 1)]),
        (page("warm@example.com"), 1, &[("GET", "/visit", 1)]),
        (screen("warm@example.com"), 1, &[("POST", "/event", 1)]),
        (
            group("warm@example.com"),
            3,
            &[
                ("POST", "/api/3/contact/sync", 1),
                ("POST", "/api/3/accountContacts", 1),
            ],
        ),
    ];
    for (m, most, expected) in warm {
        clear_journal(&mock).await;
        let o = executor.apply(&message(&m)).await;
        assert_eq!(o.status, Status::Applied, "{m}: {o:?}");
        let j = journal(&mock).await;
        assert!(
            o.calls.len() <= most,
            "{m}: {} calls {:?}",
            o.calls.len(),
            o.calls
        );
        assert_eq!(
            j.len(),
            o.calls.len(),
            "{m}: the journal {j:?} and the outcome {:?} disagree",
            o.calls
        );
        for (method, path, n) in expected {
            assert_eq!(count(&j, method, path), *n, "{m}: {method} {path} in {j:?}");
        }
    }
}
