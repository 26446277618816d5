//! Scores end to end: the admin API creates a score and sets a contact's value; ac-client
//! reads them back.

use ac_client::contacts::ContactInput;
use ac_client::scores::ScoreQuery;
use serde_json::{json, Value};

use crate::setup;

async fn admin(
    mock: &ac_mock::MockServer,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> Value {
    let url = format!("{}/__admin{path}", mock.base_url());
    let res = reqwest::Client::new()
        .request(method, url)
        .json(&body)
        .send()
        .await
        .expect("admin call");
    assert!(res.status().is_success(), "{}", res.status());
    res.json().await.expect("json")
}

#[tokio::test]
async fn admin_scores_and_values_read_back_through_the_client() {
    let (mock, client) = setup().await;
    let contact = client
        .contacts()
        .create(&ContactInput::new("scored@example.com"))
        .await
        .expect("contact");
    assert!(client
        .scores()
        .of_contact(contact.id)
        .await
        .expect("none")
        .is_empty());

    let created = admin(
        &mock,
        reqwest::Method::POST,
        "/scores",
        json!({"name": "Engagement", "descript": "+10 per open"}),
    )
    .await;
    let id: u64 = created["score"]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("number");
    admin(
        &mock,
        reqwest::Method::PUT,
        &format!("/scores/{id}/values"),
        json!({"contact": contact.id.get(), "value": 30}),
    )
    .await;

    let score = client.scores().get(id).await.expect("score");
    assert_eq!(
        (score.name.as_str(), score.reltype.as_str()),
        ("Engagement", "contact")
    );
    assert_eq!(score.active, Some(true));
    let page = client.scores().list(ScoreQuery::new()).await.expect("list");
    assert_eq!(page.total, 1);
    let values = client
        .scores()
        .of_contact(contact.id)
        .await
        .expect("values");
    assert_eq!(values.len(), 1);
    assert_eq!((values[0].score, values[0].value), (score.id, Some(30)));
    assert!(client
        .scores()
        .get(id + 1)
        .await
        .expect_err("unknown")
        .is_not_found());
}
