//! Lists and memberships, end to end.

use ac_client::contacts::{ContactInput, ContactQuery};
use ac_client::lists::{ListInput, ListQuery, ListStatus, MembershipStatus};
use ac_client::ListId;

use crate::setup;

fn newsletter() -> ListInput {
    ListInput::new("Newsletter")
        .sender_url("https://example.com")
        .sender_reminder("You signed up on example.com.")
}

#[tokio::test]
async fn list_lifecycle() {
    let (_mock, client) = setup().await;
    let lists = client.lists();
    let list = lists.create(&newsletter()).await.expect("create");
    assert_eq!(list.name, "Newsletter");
    assert_eq!(list.slug, "newsletter");

    let fetched = lists.get(list.id).await.expect("get");
    assert_eq!(fetched.sender_url, "https://example.com");

    let page = lists
        .list(&ListQuery::new().name("Newsletter"))
        .await
        .expect("list");
    assert_eq!(page.total, 1);

    let mut renamed = newsletter();
    renamed.name = "Weekly".into();
    let updated = lists.update(list.id, &renamed).await.expect("update");
    assert_eq!(updated.name, "Weekly");

    lists.delete(list.id).await.expect("delete");
    let err = lists.get(list.id).await.expect_err("gone");
    assert!(err.is_not_found());
    assert!(
        err.to_string().contains("_List") || err.messages().iter().any(|m| m.contains("_List"))
    );
}

#[tokio::test]
async fn subscribe_then_unsubscribe_keeps_one_membership_row() {
    let (_mock, client) = setup().await;
    let lists = client.lists();
    let list = lists.create(&newsletter()).await.expect("list");
    let contact = client
        .contacts()
        .create(&ContactInput::new("m@example.com"))
        .await
        .expect("contact");

    let sub = lists
        .subscribe(contact.id, list.id)
        .await
        .expect("subscribe");
    assert_eq!(sub.status, MembershipStatus::Active);
    let unsub = lists
        .unsubscribe(contact.id, list.id)
        .await
        .expect("unsubscribe");
    assert_eq!(unsub.status, MembershipStatus::Unsubscribed);
    assert_eq!(sub.id, unsub.id, "one row per contact and list");

    let again = lists
        .set_status(contact.id, list.id, ListStatus::Subscribed)
        .await
        .expect("resubscribe");
    assert_eq!(again.status, MembershipStatus::Active);

    let memberships = lists.contact_lists(contact.id).await.expect("memberships");
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].list, list.id);
    assert_eq!(memberships[0].status, MembershipStatus::Active);

    let on_list = client
        .contacts()
        .list(&ContactQuery::new().list(list.id))
        .await
        .expect("contacts on list");
    assert_eq!(on_list.total, 1);
}

#[tokio::test]
async fn list_errors_are_typed() {
    let (_mock, client) = setup().await;
    let lists = client.lists();
    lists.create(&newsletter()).await.expect("first");
    let err = lists
        .create(&newsletter())
        .await
        .expect_err("same stringid");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));

    let contact = client
        .contacts()
        .create(&ContactInput::new("x@example.com"))
        .await
        .expect("contact");
    let err = lists
        .subscribe(contact.id, ListId::new(999))
        .await
        .expect_err("unknown list");
    assert!(err.is_not_found(), "{err}");

    let err = lists
        .set_status_raw(contact.id, ListId::new(1), 7)
        .await
        .expect_err("status 7");
    assert!(err.status().is_none(), "refused before sending: {err}");
}
