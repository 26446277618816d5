//! A replay through a flaky account: probabilistic 429s, 503s, dropped connections and delays
//! on the API and the tracking host, with fixed seeds. Every message still applies exactly
//! once in effect: one contact per email, one tag per name, one contactTag per pair, every
//! list status, field value and event.

use std::collections::BTreeMap;

use ac_mock::MockServer;
use ac_segment::replay::ReplayOptions;
use serde_json::{json, Value};

use super::{
    add_fault, assert_all_applied, executor_for, fixture, read_state, replay_all, Fixture,
};

const EMAILS: usize = 100;
const TAGS: [&str; 6] = ["red", "orange", "yellow", "green", "blue", "violet"];

fn email(i: usize) -> String {
    format!("flaky{i}@example.com")
}

fn tags_of(i: usize) -> [&'static str; 2] {
    [TAGS[i % TAGS.len()], TAGS[(i + 1) % TAGS.len()]]
}

fn messages(fx: Fixture) -> Vec<Value> {
    let mut out = Vec::new();
    for i in 0..EMAILS {
        let updates = if i % 2 == 0 { "active" } else { "unsubscribed" };
        out.push(json!({"type":"identify","userId":format!("u{i}"),"traits":{
            "email":email(i),"firstName":"Flaky","lastName":format!("No{i}"),
            "tags":tags_of(i),
            "lists":[{"id":fx.newsletter,"status":"active"},{"id":fx.updates,"status":updates}],
            "shirtSize":format!("S{i}"),"interests":["x",format!("i{i}")]}}));
        out.push(
            json!({"type":"track","userId":format!("u{i}"),"event":"Order Placed",
            "properties":{"email":email(i),"acValue":format!("order-{i}")}}),
        );
        out.push(
            json!({"type":"page","context":{"traits":{"email":email(i)}},
            "properties":{"url":format!("https://www.shop.example/p/{i}")}}),
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_through_injected_faults_applies_everything_once() {
    let mock = MockServer::start().await.expect("mock");
    let fx = fixture(&mock).await;
    for rule in [
        json!({"path_prefix":"/api/3/","status":429,"headers":{"Retry-After":"1"},
               "probability":0.04,"seed":11}),
        json!({"path_prefix":"/api/3/","status":503,"probability":0.08,"seed":12}),
        json!({"path_prefix":"/api/3/","drop_connection":true,"probability":0.05,"seed":13}),
        json!({"path_prefix":"/api/3/","delay_ms":25,"probability":0.1,"seed":14}),
        json!({"path":"/event","status":503,"probability":0.1,"seed":21}),
        json!({"path":"/event","drop_connection":true,"probability":0.1,"seed":22}),
        json!({"path":"/event","delay_ms":25,"probability":0.1,"seed":23}),
    ] {
        add_fault(&mock, rule).await;
    }
    let done = replay_all(
        executor_for(&mock),
        &messages(fx),
        ReplayOptions {
            concurrency: 8,
            bulk: false,
        },
    )
    .await;
    assert_all_applied(&done);
    // Every rule fired: the replay went through each kind of fault.
    for rule in super::faults(&mock).await {
        assert!(
            rule["hits"].as_u64().unwrap_or(0) > 0,
            "never fired: {rule}"
        );
    }
    super::clear_faults(&mock).await;

    let state = read_state(&mock).await;
    state.assert_no_duplicates();
    assert_eq!(state.contacts.len(), EMAILS);
    let mut tags: Vec<&str> = TAGS.to_vec();
    tags.sort_unstable();
    assert_eq!(state.tags, tags);
    assert_eq!(state.events, ["Order Placed"]);
    assert_eq!(state.domains, ["shop.example"]);
    for i in 0..EMAILS {
        let c = state.contact(&email(i));
        assert_eq!(c.last_name, format!("No{i}"));
        let mut want: Vec<&str> = tags_of(i).to_vec();
        want.sort_unstable();
        assert_eq!(c.tags, want, "{}", email(i));
        let updates = if i % 2 == 0 { "1" } else { "2" };
        assert_eq!(
            c.lists,
            BTreeMap::from([
                (fx.newsletter.to_string(), "1".to_owned()),
                (fx.updates.to_string(), updates.to_owned()),
            ]),
            "{}",
            email(i)
        );
        assert_eq!(
            c.fields,
            BTreeMap::from([
                ("Interests".to_owned(), format!("||x||i{i}||")),
                ("Shirt Size".to_owned(), format!("S{i}")),
            ]),
            "{}",
            email(i)
        );
        assert_eq!(
            c.logs,
            [
                ("Order Placed".to_owned(), format!("order-{i}")),
                (
                    "__pagevisit".to_owned(),
                    format!("https://www.shop.example/p/{i}")
                ),
            ],
            "{}",
            email(i)
        );
    }
}
