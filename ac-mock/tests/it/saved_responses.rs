//! Saved responses over raw HTTP (`/savedResponses`).

use crate::common::Mock;
use serde_json::{json, Value};

#[tokio::test]
async fn create_get_update_delete_in_acs_shape() {
    let m = Mock::start().await;
    let (status, body) = m
        .post(
            "/savedResponses",
            json!({"savedResponse": {"title": "Response title", "subject": "Response subject",
                "body": "Response body"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let r = &body["savedResponse"];
    assert_eq!(
        (
            &r["title"],
            &r["subject"],
            &r["body"],
            &r["mdate"],
            &r["ldate"]
        ),
        (
            &json!("Response title"),
            &json!("Response subject"),
            &json!("Response body"),
            &Value::Null,
            &Value::Null
        )
    );
    assert_eq!(r["links"]["user"], m.url("/savedResponses/1/user"));
    let (status, body) = m
        .put(
            "/savedResponses/1",
            json!({"savedResponse": {"title": "New Response Title"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let r = &body["savedResponse"];
    assert_eq!(r["title"], "New Response Title");
    assert_eq!(r["subject"], "Response subject");
    assert!(r["mdate"].as_str().unwrap().ends_with("-05:00"));
    let (_, listed) = m.get("/savedResponses").await;
    assert_eq!(listed["meta"]["total"], "1");
    assert_eq!(listed["savedResponses"][0], body["savedResponse"]);
    assert_eq!(m.delete("/savedResponses/1").await, (200, json!({})));
    let missing = json!({"message": "No Result found for SavedResponse with id 1"});
    assert_eq!(m.delete("/savedResponses/1").await, (404, missing.clone()));
    assert_eq!(m.get("/savedResponses/1").await, (404, missing));
}

#[tokio::test]
async fn a_title_and_a_subject_or_body_are_required_as_ac_answers() {
    let m = Mock::start().await;
    let (status, body) = m
        .post("/savedResponses", json!({"savedResponse": {}}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"errors": [
            {"title": "This field is required.", "detail": "", "code": "field_missing",
             "source": {"pointer": "/data/attributes/title"}},
            {"title": "Either a subject or a body needs to be provided.", "detail": "",
             "code": "field_invalid", "source": {"pointer": "/data/attributes/subject"}},
            {"title": "Either a subject or a body needs to be provided.", "detail": "",
             "code": "field_invalid", "source": {"pointer": "/data/attributes/body"}}
        ]})
    );
    let (status, _) = m
        .post(
            "/savedResponses",
            json!({"savedResponse": {"title": "Only a body", "body": "Hi"}}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, body) = m
        .put("/savedResponses/1", json!({"savedResponse": {"body": ""}}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
}
