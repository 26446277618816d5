//! The contacts lifecycle, end to end.

use ac_client::contacts::{ContactInput, ContactOrder, ContactQuery, ContactUpdate};
use ac_client::{ContactId, Direction, FormId, SegmentId};
use futures_util::TryStreamExt;

use crate::setup;

#[tokio::test]
async fn contact_lifecycle_create_get_update_list_delete() {
    let (_mock, client) = setup().await;
    let contacts = client.contacts();

    let created = contacts
        .create(
            &ContactInput::new("ada@example.com")
                .first_name("Ada")
                .last_name("Lovelace"),
        )
        .await
        .expect("create");
    assert_eq!(created.email, "ada@example.com");
    assert_eq!(created.first_name, "Ada");
    assert!(created.created.is_some(), "cdate is parsed with its offset");

    let fetched = contacts.get(created.id).await.expect("get");
    assert_eq!(fetched.id, created.id);
    assert_eq!(fetched.last_name, "Lovelace");

    let updated = contacts
        .update(created.id, &ContactUpdate::new().phone("+44 20 7946 0000"))
        .await
        .expect("update");
    assert_eq!(updated.phone, "+44 20 7946 0000");
    assert_eq!(updated.first_name, "Ada", "fields not sent are kept");

    let page = contacts
        .list(&ContactQuery::new().email("ada@example.com"))
        .await
        .expect("list");
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, created.id);

    contacts.delete(created.id).await.expect("delete");
    let err = contacts.get(created.id).await.expect_err("gone");
    assert!(err.is_not_found(), "404 after delete: {err}");
    let err = contacts
        .delete(created.id)
        .await
        .expect_err("second delete");
    assert!(err.is_not_found());
}

#[tokio::test]
async fn sync_creates_then_updates_the_same_contact() {
    let (_mock, client) = setup().await;
    let contacts = client.contacts();
    let first = contacts
        .sync(&ContactInput::new("grace@example.com").first_name("Grace"))
        .await
        .expect("first sync");
    assert!(first.created());
    let second = contacts
        .sync(&ContactInput::new("grace@example.com").last_name("Hopper"))
        .await
        .expect("second sync");
    assert!(!second.created());
    assert_eq!(second.contact.id, first.contact.id);
    assert_eq!(second.contact.first_name, "Grace");
    assert_eq!(second.contact.last_name, "Hopper");
}

#[tokio::test]
async fn duplicate_email_is_a_typed_validation_error_pointing_at_email() {
    let (_mock, client) = setup().await;
    let contacts = client.contacts();
    contacts
        .create(&ContactInput::new("dup@example.com"))
        .await
        .expect("first create");
    let err = contacts
        .create(&ContactInput::new("dup@example.com"))
        .await
        .expect_err("duplicate");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    assert!(err.is_duplicate(), "{err}");
    assert_eq!(err.field(), Some("email"));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn wrong_token_is_forbidden_and_the_error_never_shows_the_token() {
    let (mock, _client) = setup().await;
    let token = "e2e-wrong-token-7f3a9c";
    let client = ac_client::Client::builder()
        .api_url(mock.base_url())
        .api_token(token)
        .retry_policy(ac_client::RetryPolicy::none())
        .build()
        .expect("client");
    let err = client
        .contacts()
        .get(ContactId::new(1))
        .await
        .expect_err("403");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert!(!err.to_string().contains(token));
    assert!(!format!("{err:?}").contains(token));
    assert!(!format!("{client:?}").contains(token));
}

#[tokio::test]
async fn filters_and_orders_reach_the_mock_and_narrow_the_results() {
    let (_mock, client) = setup().await;
    let contacts = client.contacts();
    for (email, first) in [
        ("zoe@alpha.example", "Zoe"),
        ("adam@beta.example", "Adam"),
        ("maya@alpha.example", "Maya"),
    ] {
        contacts
            .create(&ContactInput::new(email).first_name(first))
            .await
            .expect("create");
    }

    let alpha = contacts
        .list(&ContactQuery::new().email_like("alpha.example"))
        .await
        .expect("email_like");
    assert_eq!(alpha.total, 2);

    let by_email_desc = contacts
        .list(&ContactQuery::new().order_by(ContactOrder::Email, Direction::Desc))
        .await
        .expect("ordered");
    let emails: Vec<_> = by_email_desc
        .items
        .iter()
        .map(|c| c.email.as_str())
        .collect();
    assert_eq!(
        emails,
        [
            "zoe@alpha.example",
            "maya@alpha.example",
            "adam@beta.example"
        ]
    );

    let searched = contacts
        .list(&ContactQuery::new().search("Maya"))
        .await
        .expect("search");
    assert_eq!(searched.total, 1);

    let first = &alpha.items[0];
    let greater = contacts
        .list(&ContactQuery::new().id_greater(first.id))
        .await
        .expect("id_greater");
    assert!(greater.items.iter().all(|c| c.id.get() > first.id.get()));

    let by_ids = contacts
        .list(&ContactQuery::new().ids([ContactId::new(1), ContactId::new(3)]))
        .await
        .expect("ids");
    let ids: Vec<u64> = by_ids.items.iter().map(|c| c.id.get()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&1) && ids.contains(&3));

    // The mock has no forms or segments: nobody came through form 7 or is in segment 2.
    let by_form = contacts
        .list(&ContactQuery::new().form(FormId::new(7)))
        .await
        .expect("formid");
    assert_eq!(by_form.total, 0);
    let by_segment = contacts
        .list(
            &ContactQuery::new()
                .segment(SegmentId::new(2))
                .force_query(true),
        )
        .await
        .expect("segmentid");
    assert!(by_segment.items.is_empty());
    let visible = contacts
        .list(&ContactQuery::new().in_group_lists(true))
        .await
        .expect("in_group_lists");
    assert_eq!(visible.total, 3);
}

#[tokio::test]
async fn streams_walk_every_page_by_offset_and_by_id() {
    let (_mock, client) = setup().await;
    let contacts = client.contacts();
    for n in 0..45 {
        contacts
            .create(&ContactInput::new(format!("p{n:02}@example.com")))
            .await
            .expect("create");
    }
    let page = contacts
        .list(&ContactQuery::new())
        .await
        .expect("default page");
    assert_eq!(page.items.len(), 20, "AC's default limit is 20");
    assert_eq!(page.total, 45);

    let all: Vec<_> = contacts
        .stream(ContactQuery::new().limit(10))
        .try_collect()
        .await
        .expect("offset stream");
    assert_eq!(all.len(), 45);
    let mut ids: Vec<u64> = all.iter().map(|c| c.id.get()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 45, "no contact twice");

    let by_id: Vec<_> = contacts
        .stream_by_id(ContactQuery::new().limit(7))
        .try_collect()
        .await
        .expect("id stream");
    let ids: Vec<u64> = by_id.iter().map(|c| c.id.get()).collect();
    assert_eq!(ids.len(), 45);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ascending ids");
}

#[tokio::test]
async fn invalid_input_is_refused_before_anything_is_sent() {
    let (mock, client) = setup().await;
    let err = client
        .contacts()
        .create(&ContactInput::new("not-an-email"))
        .await
        .expect_err("invalid email");
    assert_eq!(err.field(), Some("email"));
    let journal: serde_json::Value = reqwest::get(format!("{}/__admin/requests", mock.base_url()))
        .await
        .expect("journal")
        .json()
        .await
        .expect("json");
    let sent = journal["requests"]
        .as_array()
        .expect("requests array")
        .iter()
        .filter(|r| r["path"] == "/api/3/contacts")
        .count();
    assert_eq!(sent, 0, "nothing reached the server");
}
