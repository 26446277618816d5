//! Automations and contacts' entries in them, end to end: an automation made through the
//! mock's admin API, a contact added and removed through ac-client.

use ac_client::automations::{AutomationQuery, ContactAutomationQuery};
use ac_client::contacts::{ContactInput, ContactQuery};
use serde_json::{json, Value};

use crate::setup;

#[tokio::test]
async fn a_contact_enters_and_leaves_an_automation() {
    let (mock, client) = setup().await;
    let created: Value = reqwest::Client::new()
        .post(format!("{}/__admin/automations", mock.base_url()))
        .json(&json!({"name": "Welcome series"}))
        .send()
        .await
        .expect("admin")
        .json()
        .await
        .expect("json");
    let id: u64 = created["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("numeric");

    let automations = client.automations();
    let page = automations
        .list(AutomationQuery::new())
        .await
        .expect("list");
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].name, "Welcome series");
    assert_eq!(page.items[0].status, Some(1));

    let ada = client
        .contacts()
        .create(&ContactInput::new("ada@example.com"))
        .await
        .expect("contact");
    client
        .contacts()
        .create(&ContactInput::new("bob@example.com"))
        .await
        .expect("contact");
    let entry = automations.add_contact(ada.id, id).await.expect("add");
    assert_eq!((entry.contact, entry.automation.get()), (ada.id, id));
    assert_eq!(automations.entry(entry.id).await.expect("entry"), entry);
    assert_eq!(
        automations.of_contact(ada.id).await.expect("of contact"),
        std::slice::from_ref(&entry)
    );
    let listed = automations
        .entries(ContactAutomationQuery::new().automation(id))
        .await
        .expect("entries");
    assert_eq!(listed.items, std::slice::from_ref(&entry));
    assert_eq!(automations.get(id).await.expect("get").entered, 1);

    let in_it = client
        .contacts()
        .list(&ContactQuery::new().automation(ac_client::AutomationId(id)))
        .await
        .expect("seriesid");
    assert_eq!(
        in_it.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ada.id]
    );

    let again = automations
        .add_contact(ada.id, id)
        .await
        .expect_err("already in");
    assert_eq!(again.status().map(|s| s.as_u16()), Some(403), "{again}");

    automations.remove_contact(entry.id).await.expect("remove");
    assert!(automations
        .of_contact(ada.id)
        .await
        .expect("empty")
        .is_empty());
    assert!(automations
        .entry(entry.id)
        .await
        .expect_err("gone")
        .is_not_found());
    let in_it = client
        .contacts()
        .list(&ContactQuery::new().automation(ac_client::AutomationId(id)))
        .await
        .expect("seriesid");
    assert!(in_it.items.is_empty());
    assert!(automations
        .get(id + 1)
        .await
        .expect_err("unknown")
        .is_not_found());
}
