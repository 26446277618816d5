//! Forms end to end: a form made through the mock's admin API, read through ac-client, and a
//! submission's contact found by its list and tags.

use ac_client::contacts::ContactQuery;
use ac_client::forms::FormQuery;
use ac_client::lists::ListInput;
use futures_util::TryStreamExt;
use serde_json::json;

use crate::campaigns::admin;
use crate::setup;

#[tokio::test]
async fn an_admin_form_reads_back_and_its_submission_joins_the_list_with_the_tag() {
    let (mock, client) = setup().await;
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
    let created = admin(
        &mock,
        "forms",
        json!({"name": "Newsletter", "lists": [list.id.get()], "tags": ["lead"]}),
    )
    .await;
    let id: u64 = created["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("the admin answer names the form id");
    let form = client.forms().get(id).await.expect("form");
    assert_eq!(form.name, "Newsletter");
    assert_eq!(form.list_ids(), [list.id]);
    assert_eq!(form.tag_names(), ["lead"]);
    assert_eq!(form.entries, 0);

    let sub = admin(
        &mock,
        &format!("forms/{id}/submissions"),
        json!({"email": "ada@example.com", "firstName": "Ada"}),
    )
    .await;
    let in_list = client
        .contacts()
        .list(ContactQuery::new().list(list.id))
        .await
        .expect("contacts of the list");
    assert_eq!(in_list.items.len(), 1);
    let ada = &in_list.items[0];
    assert_eq!(
        (ada.email.as_str(), ada.id.to_string()),
        (
            "ada@example.com",
            sub["contact"]
                .as_str()
                .expect("the submission names the contact")
                .to_string()
        )
    );
    let tags = client.tags().contact_tags(ada.id).await.expect("tags");
    let tag = client.tags().get(tags[0].tag).await.expect("tag");
    assert_eq!(tag.name, "lead");
    assert_eq!(client.forms().get(id).await.expect("form").entries, 1);

    let all: Vec<_> = client
        .forms()
        .stream(FormQuery::new())
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(all, [client.forms().get(id).await.expect("form")]);
    let err = client.forms().get(id + 1).await.expect_err("unknown form");
    assert!(err.is_not_found(), "{err}");
}
