use ac_client::saved_responses::{SavedResponseInput, SavedResponseQuery};
use ac_client::SavedResponseId;
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::{setup, setup_sending_nothing};

fn saved(title: &str) -> serde_json::Value {
    json!({"title":title,"subject":"s","body":"b","ldate":null,"last_sent_user_id":null,
           "cdate":"2018-11-16T02:50:54-06:00","mdate":null,"links":{},"id":"1"})
}

#[tokio::test]
async fn crud_sends_acs_bodies() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/3/savedResponses"))
        .and(body_json(
            json!({"savedResponse": {"title":"T","subject":"s","body":"b"}}),
        ))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"savedResponse": saved("T")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/3/savedResponses/1"))
        .and(body_json(json!({"savedResponse": {"title":"T2"}})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"savedResponse": saved("T2")})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/3/savedResponses"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"savedResponses": [saved("T2")], "meta": {"total": "1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/3/savedResponses/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let saved_responses = client.saved_responses();
    let r = saved_responses
        .create(SavedResponseInput::new("T", "s", "b"))
        .await
        .unwrap();
    assert_eq!(r.id, SavedResponseId(1));
    let r = saved_responses
        .update(1, SavedResponseInput::update().title("T2"))
        .await
        .unwrap();
    assert_eq!(r.title, "T2");
    let page = saved_responses
        .list(SavedResponseQuery::new())
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    saved_responses.delete(r.id).await.unwrap();
}

#[tokio::test]
async fn neither_subject_nor_body_is_refused_before_sending() {
    let (_server, client) = setup_sending_nothing().await;
    let err = client
        .saved_responses()
        .create(SavedResponseInput::new("T", "", ""))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("subject"));
}
