//! `GET /contactLists` end to end: memberships across contacts and lists, filtered.

use ac_client::contact_lists::ContactListQuery;
use ac_client::contacts::ContactInput;
use ac_client::lists::{ListInput, MembershipStatus};
use futures_util::TryStreamExt;

use crate::setup;

#[tokio::test]
async fn memberships_filter_by_list_status_and_contact() {
    let (_mock, client) = setup().await;
    let list = client
        .lists()
        .create(
            &ListInput::new("News")
                .slug("news")
                .sender_url("https://example.com")
                .sender_reminder("You signed up."),
        )
        .await
        .expect("list");
    let mut contacts = Vec::new();
    for email in ["a@example.com", "b@example.com", "c@example.com"] {
        let c = client
            .contacts()
            .create(&ContactInput::new(email))
            .await
            .expect("contact");
        client
            .lists()
            .subscribe(c.id, list.id)
            .await
            .expect("subscribe");
        contacts.push(c.id);
    }
    client
        .lists()
        .unsubscribe(contacts[1], list.id)
        .await
        .expect("unsubscribe");

    let memberships = client.contact_lists();
    let active: Vec<_> = memberships
        .stream(
            ContactListQuery::new()
                .list(list.id)
                .status(MembershipStatus::Active)
                .limit(1),
        )
        .try_collect()
        .await
        .expect("active");
    let ids: Vec<_> = active.iter().map(|m| m.contact).collect();
    assert_eq!(ids, [contacts[0], contacts[2]]);

    let gone = memberships
        .find(contacts[1], list.id)
        .await
        .expect("find")
        .expect("a row");
    assert_eq!(gone.status, MembershipStatus::Unsubscribed);
    client.contacts().delete(contacts[0]).await.expect("delete");
    let left = memberships
        .list(ContactListQuery::new())
        .await
        .expect("left");
    assert_eq!(left.total, 2, "a deleted contact's memberships go with it");
}
