//! A replay of every message type in the default flavour, read back over the API.

use std::collections::{BTreeMap, BTreeSet};

use ac_mock::MockServer;
use ac_segment::replay::ReplayOptions;
use serde_json::json;

use super::{assert_all_applied, executor_for, fixture, read_state, replay_all};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_of_every_message_type_lands_in_the_account() {
    let mock = MockServer::start().await.expect("mock");
    let fx = fixture(&mock).await;
    let messages = vec![
        json!({"type":"identify","userId":"u-ada","traits":{
            "email":"Ada@Example.com","firstName":"Ada","lastName":"Lovelace",
            "tags":["vip","beta"],
            "lists":[{"id":fx.newsletter,"status":"active"},{"id":fx.updates,"status":"unsubscribed"}],
            "shirtSize":"M","interests":["rust","chess"],"renewal_date":"1990-04-01T00:00:00Z",
            "plan":"pro"}}),
        json!({"type":"identify","userId":"u-grace","context":{"traits":{
            "email":"grace@example.com","name":"Grace Hopper","tags":"vip, navy",
            "lists":{"id":fx.newsletter,"status":"subscribe"},
            "fieldInfo":{"Shirt Size":"L"}}}}),
        json!({"type":"track","userId":"u-ada","event":"Signed Up",
               "properties":{"email":"ada@example.com","acValue":"pro"}}),
        json!({"type":"page","name":"Pricing","context":{"traits":{"email":"ada@example.com"}},
               "properties":{"url":"https://www.example.com/pricing","referrer":"https://search.example/"}}),
        json!({"type":"screen","name":"Home Screen","userId":"grace@example.com"}),
        json!({"type":"page","context":{"traits":{"email":"grace@example.com"},
               "page":{"url":"https://docs.example.org/start"}}}),
        json!({"type":"group","groupId":"g1","traits":{"name":"Acme Inc","website":"https://acme.example"},
               "context":{"traits":{"email":"ada@example.com"}}}),
        json!({"type":"group","groupId":"g1","traits":{"name":"ACME Inc","website":"https://acme.example"},
               "context":{"traits":{"email":"grace@example.com"}}}),
    ];
    let done = replay_all(
        executor_for(&mock),
        &messages,
        ReplayOptions {
            concurrency: 4,
            bulk: false,
        },
    )
    .await;
    assert_all_applied(&done);

    let state = read_state(&mock).await;
    state.assert_no_duplicates();
    assert_eq!(
        state.contacts.keys().collect::<Vec<_>>(),
        ["ada@example.com", "grace@example.com"]
    );
    let ada = state.contact("ada@example.com");
    let grace = state.contact("grace@example.com");
    assert_eq!(
        (ada.first_name.as_str(), ada.last_name.as_str()),
        ("Ada", "Lovelace")
    );
    assert_eq!(
        (grace.first_name.as_str(), grace.last_name.as_str()),
        ("Grace", "Hopper")
    );

    // One tag per name, each contact tagged once per name.
    assert_eq!(state.tags, ["beta", "navy", "vip"]);
    assert_eq!(ada.tags, ["beta", "vip"]);
    assert_eq!(grace.tags, ["navy", "vip"]);

    // List statuses: 1 subscribed, 2 unsubscribed.
    let (news, upd) = (fx.newsletter.to_string(), fx.updates.to_string());
    assert_eq!(
        ada.lists,
        BTreeMap::from([(news.clone(), "1".to_owned()), (upd, "2".to_owned())])
    );
    assert_eq!(grace.lists, BTreeMap::from([(news, "1".to_owned())]));

    // Custom fields: loose key match, the multi-value form, the calendar date as written.
    let fields = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    assert_eq!(
        ada.fields,
        fields(&[
            ("Interests", "||rust||chess||"),
            ("Plan", "pro"),
            ("Renewal Date", "1990-04-01"),
            ("Shirt Size", "M"),
        ])
    );
    assert_eq!(grace.fields, fields(&[("Shirt Size", "L")]));

    // Events: registered once each; the contacts' tracking logs hold the events and visits.
    assert_eq!(state.events, ["Home Screen", "Signed Up"]);
    assert_eq!(
        ada.logs,
        [
            ("Signed Up".to_owned(), "pro".to_owned()),
            (
                "__pagevisit".to_owned(),
                "https://www.example.com/pricing".to_owned()
            ),
        ]
    );
    let grace_types: Vec<&str> = grace.logs.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(grace_types, ["Home Screen", "__pagevisit"]);
    assert!(grace.logs.contains(&(
        "__pagevisit".to_owned(),
        "https://docs.example.org/start".to_owned()
    )));

    // Page domains are whitelisted, `www.` stripped.
    assert_eq!(state.domains, ["docs.example.org", "example.com"]);

    // One account: names match case-insensitively (which spelling created it depends on
    // which group ran first; the two emails are not ordered against each other).
    assert_eq!(state.accounts.len(), 1, "{:?}", state.accounts);
    let (name, website) = state.accounts.iter().next().expect("an account");
    assert!(name.eq_ignore_ascii_case("acme inc"), "{name}");
    assert_eq!(website, "https://acme.example");
    let name = name.clone();
    assert_eq!(
        state.account_contacts,
        BTreeSet::from([
            ("ada@example.com".to_owned(), name.clone()),
            ("grace@example.com".to_owned(), name),
        ])
    );
}
