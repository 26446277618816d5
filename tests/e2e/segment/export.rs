//! export: AC contacts → Segment identifies, by scope, and the round trip: what an export
//! writes, replayed into another account, gives the same contacts.

use ac_mock::MockServer;
use ac_segment::export::{export, ExportOptions, Scope};
use ac_segment::replay::ReplayOptions;
use serde_json::{json, Value};

use super::{assert_all_applied, executor_for, fixture, read_state, replay_all, Fixture};

fn identify(i: usize, fx: Fixture) -> Value {
    let mut lists = vec![
        json!({"id": fx.newsletter, "status": if i.is_multiple_of(3) { "unsubscribed" } else { "active" }}),
    ];
    if i.is_multiple_of(2) {
        lists.push(json!({"id": fx.updates, "status": "active"}));
    }
    json!({"type":"identify","userId":format!("u{i}"),"traits":{
        "email":format!("export{i}@example.com"),"firstName":format!("Ex{i}"),"lastName":"Port",
        "phone": format!("+1555000{i:03}"),
        "tags": if i.is_multiple_of(2) { json!(["alpha","beta"]) } else { json!(["beta"]) },
        "lists": lists,
        "shirtSize": "M", "interests": ["rust", "chess"], "renewalDate": "2030-12-31", "plan": "pro"}})
}

async fn export_all(mock: &MockServer, scope: Scope) -> Vec<Value> {
    let mut out = Vec::new();
    let options = ExportOptions {
        scope,
        user_id_field: None,
    };
    let summary = export(&crate::client_for(mock), &options, |m| {
        out.push(m);
        Ok(())
    })
    .await
    .expect("export");
    assert_eq!(summary.exported as usize, out.len());
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exported_identifies_replay_into_the_same_contacts() {
    let source = MockServer::start().await.expect("mock");
    let fx = fixture(&source).await;
    let messages: Vec<Value> = (0..12).map(|i| identify(i, fx)).collect();
    assert_all_applied(
        &replay_all(executor_for(&source), &messages, ReplayOptions::default()).await,
    );

    let all = export_all(&source, Scope::All).await;
    assert_eq!(all.len(), 12);
    let first = all
        .iter()
        .find(|m| m["traits"]["email"] == "export0@example.com")
        .expect("export0");
    assert_eq!(first["type"], "identify");
    assert_eq!(first["anonymousId"], "export0@example.com");
    assert_eq!(first["traits"]["firstName"], "Ex0");
    assert_eq!(first["traits"]["tags"], json!(["alpha", "beta"]));
    assert!(first["messageId"]
        .as_str()
        .is_some_and(|m| m.starts_with("ac-contact-")));
    let tagged = export_all(&source, Scope::Tag("alpha".into())).await;
    assert_eq!(tagged.len(), 6);
    let on_updates = export_all(&source, Scope::List(ac_client::ListId(fx.updates))).await;
    assert_eq!(on_updates.len(), 6);
    let missing = export(
        &crate::client_for(&source),
        &ExportOptions {
            scope: Scope::Tag("nope".into()),
            user_id_field: None,
        },
        |_| Ok(()),
    )
    .await;
    assert!(missing.is_err_and(|f| f.message.contains("nope")));

    let target = MockServer::start().await.expect("mock");
    fixture(&target).await;
    assert_all_applied(&replay_all(executor_for(&target), &all, ReplayOptions::default()).await);
    let (a, b) = (read_state(&source).await, read_state(&target).await);
    assert_eq!(a.contacts.len(), 12);
    for (email, contact) in &a.contacts {
        let mut other = b
            .contacts
            .get(email)
            .unwrap_or_else(|| panic!("{email} missing"))
            .clone();
        other.id = contact.id.clone();
        assert_eq!(&other, contact, "{email}");
    }
}
