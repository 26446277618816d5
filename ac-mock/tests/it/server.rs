//! Cross-cutting behaviour: auth, JSON errors, body limit, journal, admin API.

use crate::common::{read, Mock};
use ac_mock::MockServer;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn missing_or_wrong_token_is_403_forbidden_json() {
    let m = Mock::start().await;
    let (status, body) = read(m.http.get(m.url("/contacts")).send().await.unwrap()).await;
    assert_eq!((status, body), (403, json!({"message": "Forbidden"})));
    let res = m
        .http
        .get(m.url("/contacts"))
        .header("Api-Token", "wrong")
        .send()
        .await
        .unwrap();
    let (status, body) = read(res).await;
    assert_eq!((status, body), (403, json!({"message": "Forbidden"})));
}

#[tokio::test]
async fn custom_token_is_honoured() {
    let m = Mock::with(MockServer::builder().api_token("secret-1")).await;
    assert_eq!(m.server.api_token(), "secret-1");
    let (status, _) = m.get("/contacts").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn malformed_json_is_400_json_naming_the_position() {
    let m = Mock::start().await;
    let (status, body) = m
        .raw(
            Method::POST,
            "/contacts",
            Some("application/json"),
            b"{\"contact\": {\"email\": }".to_vec(),
        )
        .await;
    assert_eq!(status, 400);
    let msg = body["message"].as_str().unwrap();
    assert!(
        msg.starts_with("Malformed JSON") && msg.contains("column"),
        "{msg}"
    );
}

#[tokio::test]
async fn post_without_content_type_is_parsed_as_json() {
    let m = Mock::start().await;
    let (status, body) = m
        .raw(
            Method::POST,
            "/contacts",
            None,
            br#"{"contact":{"email":"raw@example.com"}}"#.to_vec(),
        )
        .await;
    assert_eq!(
        (status, body["contact"]["email"].clone()),
        (201, json!("raw@example.com"))
    );
}

#[tokio::test]
async fn get_and_delete_with_json_content_type_and_empty_body_are_fine() {
    let m = Mock::start().await;
    let id = m.contact("e@example.com").await;
    let (status, _) = m
        .raw(
            Method::GET,
            "/contacts",
            Some("application/json"),
            Vec::new(),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = m
        .raw(
            Method::DELETE,
            &format!("/contacts/{id}"),
            Some("application/json"),
            Vec::new(),
        )
        .await;
    assert_eq!((status, body), (200, json!({})));
}

#[tokio::test]
async fn unknown_route_is_404_json_and_wrong_method_is_405_json() {
    let m = Mock::start().await;
    let (status, body) = m.get("/nope").await;
    assert_eq!((status, body), (404, json!({"message": "Not Found"})));
    let res = m
        .http
        .get(format!("{}/elsewhere", m.server.base_url()))
        .send()
        .await
        .unwrap();
    let (status, body) = read(res).await;
    assert_eq!((status, body), (404, json!({"message": "Not Found"})));
    let (status, body) = m.call(Method::PATCH, "/contacts", Some(json!({}))).await;
    assert_eq!(
        (status, body),
        (405, json!({"message": "Method Not Allowed"}))
    );
}

#[tokio::test]
async fn oversized_body_is_413_json() {
    let m = Mock::with(MockServer::builder().max_body_bytes(1024)).await;
    let big = format!(
        r#"{{"contact":{{"email":"a@b.co","firstName":"{}"}}}}"#,
        "x".repeat(4096)
    );
    let (status, body) = m
        .raw(
            Method::POST,
            "/contacts",
            Some("application/json"),
            big.into_bytes(),
        )
        .await;
    assert_eq!(status, 413);
    assert!(
        body["message"].as_str().unwrap().contains("Too Large"),
        "{body}"
    );
}

#[tokio::test]
async fn health_is_ok() {
    let m = Mock::start().await;
    assert_eq!(m.admin_get("/health").await, (200, json!({"status": "ok"})));
}

#[tokio::test]
async fn journal_is_bounded_and_newest_first() {
    let m = Mock::with(MockServer::builder().journal_size(5)).await;
    for i in 0..20 {
        m.get(&format!("/contacts/{i}")).await;
    }
    let (status, body) = m.admin_get("/requests").await;
    assert_eq!(status, 200);
    let reqs = body["requests"].as_array().unwrap();
    let paths: Vec<&str> = reqs.iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        vec![
            "/api/3/contacts/19",
            "/api/3/contacts/18",
            "/api/3/contacts/17",
            "/api/3/contacts/16",
            "/api/3/contacts/15"
        ]
    );
    assert_eq!(reqs[0]["method"], "GET");
    assert_eq!(reqs[0]["status"], 404);
    assert_eq!(reqs[0]["account"], 1);
    assert!(reqs[0]["at"].is_string());
}

#[tokio::test]
async fn journal_records_query_status_and_honours_limit() {
    let m = Mock::start().await;
    m.get("/contacts?limit=3").await;
    m.http.get(m.url("/contacts")).send().await.unwrap();
    let (_, body) = m.admin_get("/requests?limit=2").await;
    let reqs = body["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        (reqs[0]["status"].clone(), reqs[0]["account"].clone()),
        (json!(403), json!(null))
    );
    assert_eq!(reqs[1]["query"], "limit=3");
}

#[tokio::test]
async fn reset_empties_data_but_keeps_the_token() {
    let m = Mock::start().await;
    m.contact("r@example.com").await;
    let res = m
        .http
        .post(format!("{}/__admin/reset", m.server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(read(res).await.0, 200);
    let (status, body) = m.get("/contacts").await;
    assert_eq!((status, body["meta"]["total"].clone()), (200, json!("0")));
    let (status, body) = m
        .post("/contacts", json!({"contact": {"email": "r@example.com"}}))
        .await;
    assert_eq!((status, body["contact"]["id"].clone()), (201, json!("1")));
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let server = MockServer::start().await.unwrap();
    let url = format!("{}/__admin/health", server.base_url());
    drop(server);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(reqwest::get(&url).await.is_err());
}

#[tokio::test]
async fn accessors_describe_the_server() {
    let server = MockServer::start().await.unwrap();
    assert_eq!(server.base_url(), format!("http://{}", server.addr()));
    assert_eq!(server.tracking_url(), server.base_url());
    assert_eq!(
        (server.actid(), server.event_key()),
        ("1000000", "ac-mock-event-key")
    );
}
