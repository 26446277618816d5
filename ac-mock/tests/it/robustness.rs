//! No input gives a 5xx, a dropped connection or a non-JSON body; the router works via oneshot.

use crate::common::Mock;
use ac_mock::{app, AppState, Options};
use axum::body::Body;
use http_body_util::BodyExt;
use reqwest::Method;
use serde_json::{json, Value};
use tower::ServiceExt;

#[tokio::test]
async fn bad_bodies_on_every_write_route_get_ac_shaped_4xx() {
    let m = Mock::start().await;
    m.contact("a@example.com").await;
    m.post("/tags", json!({"tag": {"tag": "t"}})).await;
    let writes = [
        (Method::POST, "/contacts"),
        (Method::POST, "/contact/sync"),
        (Method::PUT, "/contacts/1"),
        (Method::PATCH, "/contacts/1"),
        (Method::POST, "/tags"),
        (Method::PUT, "/tags/1"),
        (Method::POST, "/contactTags"),
        (Method::POST, "/lists"),
        (Method::POST, "/contactLists"),
        (Method::POST, "/fields"),
        (Method::POST, "/fieldOption/bulk"),
        (Method::POST, "/fieldRels"),
        (Method::POST, "/fieldValues"),
    ];
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\"text\"".to_vec(),
        b"42".to_vec(),
        b"{".to_vec(),
        b"{}".to_vec(),
        br#"{"contact":[],"tag":1,"list":"x","field":null,"fieldValue":[],"contactTag":"1","contactList":true,"fieldRel":{}}"#.to_vec(),
        br#"{"contact":{"email":["x"],"fieldValues":"nope"},"contactList":{"list":{},"contact":[],"status":"abc"}}"#.to_vec(),
        br#"{"contactTag":{"contact":-1,"tag":1.5},"fieldValue":{"contact":"x","field":{}},"fieldRel":{"field":"abc"}}"#.to_vec(),
        br#"{"fieldOptions":[{"field":[]}],"list":{"name":1,"stringid":{},"user":"me"},"field":{"title":[],"type":{}}}"#.to_vec(),
        vec![0xff, 0xfe, 0x00],
    ];
    for (method, path) in &writes {
        for body in &bodies {
            let (status, value) = m
                .raw(method.clone(), path, Some("application/json"), body.clone())
                .await;
            assert!(
                (400..500).contains(&status),
                "{method} {path} {:?} → {status} {value}",
                String::from_utf8_lossy(body)
            );
            assert!(value.is_object(), "{method} {path}: {value}");
        }
    }
}

#[tokio::test]
async fn odd_paths_and_queries_never_fail_with_5xx() {
    let m = Mock::start().await;
    for path in [
        "/contacts/-1",
        "/contacts/99999999999999999999999",
        "/contacts/%20",
        "/tags/1.5",
        "/lists/abc",
        "/fields/0",
        "/fieldValues/x",
        "/contacts?limit=1e9&offset=-0&ids=a,b&ids[]=&status=x&id_greater=-3&orders[bogus]=up",
        "/contacts?filters[unknown]=1&filters[created_after]=&search=%ZZ",
        "/tags?filters[search][weird]=1&orders[search]=sideways&limit=0",
        "/lists?filters[name][]=x",
        "/fieldValues?filters[fieldid]=abc",
    ] {
        let (status, value) = m.get(path).await;
        assert!(status < 500, "{path} → {status} {value}");
    }
}

#[tokio::test]
async fn router_factory_serves_through_oneshot() {
    let state = AppState::new(Options::default(), "http://mock.test");
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/3/contacts")
        .header("Api-Token", "ac-mock-token")
        .body(Body::from(r#"{"contact":{"email":"o@example.com"}}"#))
        .unwrap();
    let res = app(state.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), 201);
    let body: Value =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(
        body["contact"]["links"]["notes"],
        "http://mock.test/api/3/contacts/1/notes"
    );
    let mut store = state.snapshot(ac_mock::AccountId(1)).unwrap();
    assert_eq!(store.contacts.len(), 1);
    assert!(
        store.drain_changes().is_empty(),
        "the server drains the outbox after each request"
    );
}
