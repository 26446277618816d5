//! The CI features over raw HTTP: accounts, journal filters, state export/import, reset,
//! fault rules, rate limits. (Webhooks: webhooks_out.rs; the binary: binary_ops.rs.)

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use crate::common::{read, Mock};
use ac_mock::MockServer;
use serde_json::{json, Value};

fn admin(m: &Mock, path: &str) -> String {
    format!("{}/__admin{path}", m.server.base_url())
}

async fn admin_post(m: &Mock, path: &str, body: Value) -> (u16, Value) {
    read(
        m.http
            .post(admin(m, path))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn admin_get(m: &Mock, path: &str) -> (u16, Value) {
    read(m.http.get(admin(m, path)).send().await.unwrap()).await
}

async fn admin_delete(m: &Mock, path: &str) -> (u16, Value) {
    read(m.http.delete(admin(m, path)).send().await.unwrap()).await
}

/// `PUT /__admin/state` with this JSON document.
async fn put_state(m: &Mock, doc: &Value) -> reqwest::Response {
    m.http
        .put(admin(m, "/state"))
        .json(doc)
        .send()
        .await
        .unwrap()
}

async fn get_as(m: &Mock, token: &str, path: &str) -> (u16, Value) {
    read(
        m.http
            .get(m.url(path))
            .header("Api-Token", token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_new_account_sees_only_its_own_data() {
    let m = Mock::start().await;
    m.contact("default@example.com").await;
    let (status, acct) = admin_post(&m, "/accounts", json!({})).await;
    assert_eq!(status, 201, "{acct}");
    let token = acct["api_token"].as_str().unwrap();
    assert!(acct["actid"].as_str().is_some() && acct["event_key"].as_str().is_some());
    assert_ne!(acct["actid"].as_str().unwrap(), m.server.actid());

    let (_, theirs) = get_as(&m, token, "/contacts").await;
    assert_eq!(theirs["meta"]["total"], "0");
    let res = m
        .http
        .post(m.url("/contacts"))
        .header("Api-Token", token)
        .json(&json!({"contact": {"email": "other@example.com"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let (_, mine) = m.get("/contacts").await;
    assert_eq!(mine["meta"]["total"], "1");
    assert_eq!(mine["contacts"][0]["email"], "default@example.com");
    let (_, theirs) = get_as(&m, token, "/contacts").await;
    assert_eq!(theirs["contacts"][0]["email"], "other@example.com");

    let (_, list) = admin_get(&m, "/accounts").await;
    assert_eq!(list["accounts"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn journal_filters_by_method_and_prefix_and_can_be_cleared() {
    let m = Mock::start().await;
    m.contact("a@example.com").await;
    m.get("/contacts").await;
    m.get("/tags").await;
    let (_, body) = admin_get(&m, "/requests?method=get&path_prefix=/api/3/contacts").await;
    let reqs = body["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 1, "{body}");
    assert_eq!(reqs[0]["method"], "GET");
    assert_eq!(reqs[0]["path"], "/api/3/contacts");
    assert_eq!(reqs[0]["status"], 200);
    assert_eq!(reqs[0]["account"], 1);
    assert!(reqs[0]["at"].as_str().is_some());

    let (_, body) = admin_get(&m, "/requests?limit=2&path_prefix=/api").await;
    assert_eq!(body["requests"].as_array().unwrap().len(), 2);
    assert_eq!(body["requests"][0]["path"], "/api/3/tags", "newest first");

    let (status, _) = admin_delete(&m, "/requests").await;
    assert_eq!(status, 200);
    let (_, body) = admin_get(&m, "/requests?path_prefix=/api").await;
    assert_eq!(body["requests"], json!([]));
}

#[tokio::test]
async fn journal_limit_may_be_as_large_as_the_journal() {
    let m = Mock::with(MockServer::builder().journal_size(300)).await;
    for _ in 0..250 {
        m.get("/tags").await;
    }
    let (_, body) = admin_get(&m, "/requests?limit=300&path_prefix=/api").await;
    assert_eq!(body["requests"].as_array().unwrap().len(), 250);
}

#[tokio::test]
async fn state_export_reset_import_round_trips() {
    let m = Mock::start().await;
    let id = m.contact("keep@example.com").await;
    let (_, tag) = m
        .post(
            "/tags",
            json!({"tag": {"tag": "vip", "tagType": "contact"}}),
        )
        .await;
    m.post(
        "/contactTags",
        json!({"contactTag": {"contact": id, "tag": tag["tag"]["id"]}}),
    )
    .await;
    let (_, extra) = admin_post(&m, "/accounts", json!({})).await;
    let (status, state) = admin_get(&m, "/state").await;
    assert_eq!(status, 200);
    assert_eq!(state["accounts"].as_array().unwrap().len(), 2);

    let (status, _) = admin_post(&m, "/reset", json!({})).await;
    assert_eq!(status, 200);
    let (_, after_reset) = m.get("/contacts").await;
    assert_eq!(after_reset["meta"]["total"], "0");
    let (status, _) = get_as(&m, extra["api_token"].as_str().unwrap(), "/contacts").await;
    assert_eq!(status, 200, "credentials survive a reset");

    let res = put_state(&m, &state).await;
    assert_eq!(res.status(), 200);
    let (_, got) = m.get(&format!("/contacts/{id}")).await;
    assert_eq!(got["contact"]["email"], "keep@example.com");
    let (_, tags) = m.get(&format!("/contacts/{id}/contactTags")).await;
    assert_eq!(tags["contactTags"].as_array().unwrap().len(), 1);
    let (_, again) = admin_get(&m, "/state").await;
    assert_eq!(again, state, "export after import is identical");
    // New rows continue after the imported ids.
    let next = m.contact("next@example.com").await;
    assert_eq!(next.parse::<u64>().unwrap(), id.parse::<u64>().unwrap() + 1);
}

#[tokio::test]
async fn bad_state_documents_are_refused_with_a_message_and_change_nothing() {
    let m = Mock::start().await;
    m.contact("stay@example.com").await;
    for (body, needle) in [
        ("{", "invalid state document"),
        (r#"{"accounts": 3}"#, "invalid state document"),
        (r#"{"version": 9, "accounts": []}"#, "version 9"),
        (
            r#"{"accounts":[{"api_token":"a","actid":"1","event_key":"k"},{"api_token":"a","actid":"2","event_key":"k"}]}"#,
            "earlier account",
        ),
        (
            r#"{"accounts":[{"api_token":"a","actid":"1","event_key":"k","utc_offset":"noon"}]}"#,
            "utc_offset",
        ),
    ] {
        let res = m
            .http
            .put(admin(&m, "/state"))
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, err) = read(res).await;
        assert_eq!(status, 400, "{body}");
        assert!(err["message"].as_str().unwrap().contains(needle), "{err}");
    }
    let (_, list) = m.get("/contacts").await;
    assert_eq!(list["meta"]["total"], "1");
}

#[tokio::test]
async fn importing_a_document_without_the_flags_account_keeps_that_account() {
    let m = Mock::start().await;
    let doc = json!({"accounts": [{"api_token": "other", "actid": "5", "event_key": "k"}]});
    let res = put_state(&m, &doc).await;
    assert_eq!(res.status(), 200);
    assert_eq!(m.get("/contacts").await.0, 200);
    assert_eq!(get_as(&m, "other", "/contacts").await.0, 200);
}

#[tokio::test]
async fn a_fault_rule_with_times_fails_that_many_requests_then_service_is_normal() {
    let m = Mock::start().await;
    let (status, rule) = admin_post(
        &m,
        "/faults",
        json!({"method": "GET", "path": "/api/3/tags", "times": 2, "status": 429,
               "headers": {"Retry-After": "7"}, "body": {"message": "slow down"}}),
    )
    .await;
    assert_eq!(status, 201);
    assert!(rule["id"].as_u64().is_some());
    for _ in 0..2 {
        let res = m
            .http
            .get(m.url("/tags"))
            .header("Api-Token", m.server.api_token())
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["retry-after"], "7");
        let (status, body) = read(res).await;
        assert_eq!((status, body), (429, json!({"message": "slow down"})));
    }
    assert_eq!(m.get("/tags").await.0, 200);
    assert_eq!(admin_get(&m, "/faults").await.1["faults"], json!([]));
    // Other methods and paths were never affected.
    assert_eq!(admin_get(&m, "/health").await.0, 200);
}

#[tokio::test]
async fn fault_rules_list_delete_and_never_touch_admin_routes() {
    let m = Mock::start().await;
    let (_, a) = admin_post(&m, "/faults", json!({"path_prefix": "/", "status": 503})).await;
    let (_, b) = admin_post(
        &m,
        "/faults",
        json!({"path_prefix": "/api/3/", "status": 500}),
    )
    .await;
    assert_eq!(m.get("/contacts").await.0, 503, "first added wins");
    assert_eq!(
        admin_get(&m, "/health").await.0,
        200,
        "admin is never faulted"
    );
    let (_, list) = admin_get(&m, "/faults").await;
    let ids: Vec<&Value> = list["faults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["id"])
        .collect();
    assert_eq!(ids, vec![&a["id"], &b["id"]]);
    assert_eq!(list["faults"][0]["hits"], 1);

    let (status, _) = admin_delete(&m, &format!("/faults/{}", a["id"])).await;
    assert_eq!(status, 200);
    assert_eq!(m.get("/contacts").await.0, 500);
    assert_eq!(admin_delete(&m, "/faults/999").await.0, 404);
    assert_eq!(admin_delete(&m, "/faults").await.0, 200);
    assert_eq!(m.get("/contacts").await.0, 200);
}

#[tokio::test]
async fn bad_fault_rules_get_a_clear_400() {
    let m = Mock::start().await;
    for (rule, needle) in [
        (json!({"path": "/api/3/tags"}), "needs an action"),
        (json!({"status": 500, "colour": "red"}), "unknown field"),
        (json!({"status": "soon"}), "invalid type"),
        (json!({"status": 500, "probability": 1.5}), "probability"),
        (json!([1, 2]), "JSON object"),
    ] {
        let (status, body) = admin_post(&m, "/faults", rule.clone()).await;
        assert_eq!(status, 400, "{rule}");
        assert!(
            body["message"].as_str().unwrap().contains(needle),
            "{rule}: {body}"
        );
    }
    let res = m
        .http
        .post(admin(&m, "/faults"))
        .body("{nope")
        .send()
        .await
        .unwrap();
    let (status, body) = read(res).await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("Malformed JSON"),
        "{body}"
    );
}

#[tokio::test]
async fn html_faults_answer_a_login_page_and_a_cloudflare_page() {
    let m = Mock::start().await;
    admin_post(
        &m,
        "/faults",
        json!({"path": "/api/3/contacts", "html": "login", "times": 1}),
    )
    .await;
    admin_post(
        &m,
        "/faults",
        json!({"path": "/api/3/contacts", "html": "cloudflare", "times": 1}),
    )
    .await;
    for (status, needle) in [(200, "Login"), (502, "cloudflare")] {
        let res = m
            .http
            .get(m.url("/contacts"))
            .header("Api-Token", m.server.api_token())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(res.text().await.unwrap().contains(needle));
    }
}

#[tokio::test]
async fn a_delay_rule_delays_at_least_delay_ms_then_serves() {
    let m = Mock::start().await;
    admin_post(
        &m,
        "/faults",
        json!({"path": "/api/3/tags", "delay_ms": 300, "times": 1}),
    )
    .await;
    let t = Instant::now();
    assert_eq!(m.get("/tags").await.0, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn drop_connection_closes_without_an_answer() {
    let m = Mock::start().await;
    admin_post(
        &m,
        "/faults",
        json!({"path": "/api/3/tags", "drop_connection": true, "times": 1}),
    )
    .await;
    let addr = m.server.addr();
    let token = m.server.api_token().to_string();
    let got = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "GET /api/3/tags HTTP/1.1\r\nHost: x\r\nApi-Token: {token}\r\n\r\n"
        )
        .unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        buf
    })
    .await
    .unwrap();
    assert!(got.is_empty(), "got {:?}", String::from_utf8_lossy(&got));
    let (_, journal) = admin_get(&m, "/requests?limit=1&path_prefix=/api").await;
    assert_eq!(journal["requests"][0]["status"], 0);
    assert_eq!(m.get("/tags").await.0, 200, "the next request is served");
}

#[tokio::test]
async fn seeded_probability_repeats_the_same_pattern() {
    async fn pattern(seed: u64) -> Vec<u16> {
        let m = Mock::start().await;
        admin_post(
            &m,
            "/faults",
            json!({"path": "/api/3/tags", "status": 503, "probability": 0.5, "seed": seed}),
        )
        .await;
        let mut out = Vec::new();
        for _ in 0..20 {
            out.push(m.get("/tags").await.0);
        }
        out
    }
    let a = pattern(42).await;
    assert_eq!(a, pattern(42).await);
    assert!(a.contains(&503) && a.contains(&200), "{a:?}");
}

#[tokio::test]
async fn rate_limit_answers_429_with_acs_headers_per_account() {
    let m = Mock::with(MockServer::builder().rate_limit(3)).await;
    let mut limited = None;
    for _ in 0..20 {
        let res = m
            .http
            .get(m.url("/tags"))
            .header("Api-Token", m.server.api_token())
            .send()
            .await
            .unwrap();
        if res.status() == 429 {
            limited = Some(res);
            break;
        }
    }
    let res = limited.expect("a 429 within 20 quick requests at 3/s");
    assert_eq!(res.headers()["retry-after"], "1");
    assert_eq!(res.headers()["ratelimit-limit"], "3");
    assert_eq!(res.headers()["ratelimit-remaining"], "0");
    let (_, body) = read(res).await;
    assert_eq!(body, json!({"message": "Too Many Requests"}));
    // Another account has its own budget; admin routes are not limited.
    let (_, acct) = admin_post(&m, "/accounts", json!({})).await;
    assert_eq!(
        get_as(&m, acct["api_token"].as_str().unwrap(), "/tags")
            .await
            .0,
        200
    );
    assert_eq!(admin_get(&m, "/health").await.0, 200);
}

#[tokio::test]
async fn bulk_import_has_acs_per_minute_limit_for_single_contact_requests() {
    let m = Mock::start().await;
    let one = json!({"contacts": [{"email": "x@example.com"}]});
    for i in 0..20 {
        let (status, body) = m.post("/import/bulk_import", one.clone()).await;
        assert!(
            !(status == 400 && body["message"] == "Rate limit exceeded."),
            "request {i} was limited"
        );
    }
    let (status, body) = m.post("/import/bulk_import", one).await;
    assert_eq!(status, 400);
    assert_eq!(body["success"], 0);
    assert_eq!(body["message"], "Rate limit exceeded.");
    assert!(body["failureReasons"][0]
        .as_str()
        .unwrap()
        .starts_with("Up to 20 imports"));
    // Multi-contact requests count separately (100/min).
    let two = json!({"contacts": [{"email": "y@example.com"}, {"email": "z@example.com"}]});
    let (status, body) = m.post("/import/bulk_import", two).await;
    assert!(
        !(status == 400 && body["message"] == "Rate limit exceeded."),
        "{body}"
    );
}
