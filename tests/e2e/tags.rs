//! Tags and contact tags, end to end.

use ac_client::contacts::{ContactInput, ContactQuery};
use ac_client::tags::{TagInput, TagQuery};

use crate::setup;

#[tokio::test]
async fn tag_lifecycle_and_contact_association() {
    let (_mock, client) = setup().await;
    let tags = client.tags();
    let contact = client
        .contacts()
        .create(&ContactInput::new("t@example.com"))
        .await
        .expect("contact");

    let tag = tags
        .create(&TagInput::new("Customer").description("paying"))
        .await
        .expect("create tag");
    assert_eq!(tag.name, "Customer");
    let fetched = tags.get(tag.id).await.expect("get tag");
    assert_eq!(fetched.description, "paying");

    let renamed = tags
        .update(tag.id, &TagInput::new("Customers"))
        .await
        .expect("update tag");
    assert_eq!(renamed.name, "Customers");

    let first = tags.add_to_contact(contact.id, tag.id).await.expect("tag");
    let second = tags
        .add_to_contact(contact.id, tag.id)
        .await
        .expect("tag again");
    assert_eq!(
        first.id, second.id,
        "adding the same tag twice is idempotent"
    );
    assert_eq!(first.contact, contact.id);
    assert_eq!(first.tag, tag.id);

    let on_contact = tags.contact_tags(contact.id).await.expect("contact tags");
    assert_eq!(on_contact.len(), 1);

    let tagged = client
        .contacts()
        .list(&ContactQuery::new().tag(tag.id))
        .await
        .expect("contacts by tag");
    assert_eq!(tagged.total, 1);
    assert_eq!(tagged.items[0].id, contact.id);

    assert!(tags
        .remove_from_contact(contact.id, tag.id)
        .await
        .expect("remove"));
    assert!(!tags
        .remove_from_contact(contact.id, tag.id)
        .await
        .expect("remove again"));
    assert!(tags
        .contact_tags(contact.id)
        .await
        .expect("empty")
        .is_empty());

    tags.delete(tag.id).await.expect("delete tag");
    assert!(tags.get(tag.id).await.expect_err("gone").is_not_found());
}

#[tokio::test]
async fn find_or_create_matches_exact_names_across_pages() {
    let (_mock, client) = setup().await;
    let tags = client.tags();
    // Many tags that *contain* the name, so the exact one is not on the first search page.
    for n in 0..120 {
        tags.create(&TagInput::new(format!("vip-{n:03}")))
            .await
            .expect("filler tag");
    }
    let created = tags.find_or_create("vip").await.expect("create");
    let found = tags.find_or_create("vip").await.expect("find");
    assert_eq!(
        created.id, found.id,
        "the second call finds the first one's tag"
    );
    let all = tags
        .list(&TagQuery::new().search("vip"))
        .await
        .expect("search");
    assert_eq!(all.total, 121, "exactly one new tag was made");

    let err = tags.find_or_create("  ").await.expect_err("empty name");
    assert!(err.field().is_some(), "the error names the field: {err}");
}

#[tokio::test]
async fn deleting_a_contact_or_tag_removes_its_associations() {
    let (_mock, client) = setup().await;
    let tags = client.tags();
    let a = client
        .contacts()
        .create(&ContactInput::new("a@example.com"))
        .await
        .expect("a");
    let b = client
        .contacts()
        .create(&ContactInput::new("b@example.com"))
        .await
        .expect("b");
    let keep = tags.find_or_create("keep").await.expect("keep");
    let drop = tags.find_or_create("drop").await.expect("drop");
    for (c, t) in [(a.id, keep.id), (a.id, drop.id), (b.id, drop.id)] {
        tags.add_to_contact(c, t).await.expect("tag");
    }

    tags.delete(drop.id).await.expect("delete tag");
    let on_a = tags.contact_tags(a.id).await.expect("a's tags");
    assert_eq!(on_a.iter().map(|t| t.tag).collect::<Vec<_>>(), [keep.id]);
    assert!(tags.contact_tags(b.id).await.expect("b's tags").is_empty());

    client
        .contacts()
        .delete(a.id)
        .await
        .expect("delete contact");
    let by_tag = client
        .contacts()
        .list(&ContactQuery::new().tag(keep.id))
        .await
        .expect("by tag");
    assert_eq!(by_tag.total, 0);
    let err = tags.contact_tags(a.id).await.expect_err("contact gone");
    assert!(err.is_not_found());
}
