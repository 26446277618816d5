//! Saved responses end to end.

use ac_client::saved_responses::{SavedResponseInput, SavedResponseQuery};

use crate::setup;

#[tokio::test]
async fn saved_responses_round_trip_and_validate() {
    let (_mock, client) = setup().await;
    let saved = client.saved_responses();
    let r = saved
        .create(SavedResponseInput::new(
            "Follow-up",
            "Checking in",
            "Hi {name},",
        ))
        .await
        .expect("create");
    assert_eq!(r.mdate, None);
    let r = saved
        .update(r.id, SavedResponseInput::update().subject("Still there?"))
        .await
        .expect("update");
    assert_eq!(
        (r.subject.as_str(), r.body.as_str()),
        ("Still there?", "Hi {name},")
    );
    assert!(r.mdate.is_some());
    let err = saved
        .create(SavedResponseInput::update().body("no title"))
        .await
        .expect_err("no title");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    assert_eq!(err.field(), Some("title"));
    assert_eq!(
        saved
            .list(SavedResponseQuery::new())
            .await
            .expect("list")
            .total,
        1
    );
    saved.delete(r.id).await.expect("delete");
    assert!(saved.get(r.id).await.expect_err("gone").is_not_found());
}
