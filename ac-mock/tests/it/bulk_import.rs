//! Bulk import over raw HTTP (reference §9).

use crate::common::Mock;
use reqwest::Method;
use serde_json::{json, Value};

async fn list(m: &Mock, name: &str) -> String {
    let (status, body) = m
        .post(
            "/lists",
            json!({"list": {"name": name, "stringid": name, "sender_url": "https://x.co", "sender_reminder": "r"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["list"]["id"].to_string().trim_matches('"').to_string()
}

async fn contact_count(m: &Mock) -> String {
    m.get("/contacts").await.1["meta"]["total"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn bulk_import_success_shape_and_applies_everything() {
    let m = Mock::start().await;
    let (l1, l2, l3) = (
        list(&m, "one").await,
        list(&m, "two").await,
        list(&m, "three").await,
    );
    let f = m.field("Size").await;
    // An existing contact is updated, not duplicated.
    let existing = m.contact("someone@somewhere.com").await;
    let (status, body) = m
        .post(
            "/import/bulk_import",
            json!({"contacts": [
                {"email": "someone@somewhere.com", "first_name": "Jane", "last_name": "Doe",
                 "phone": "123-456-7890", "customer_acct_name": "ActiveCampaign",
                 "exclude_automations": false, "tags": ["dictumst", "aliquam"],
                 "fields": [{"id": f.parse::<u64>().unwrap(), "value": "||foo||bar||"}],
                 "subscribe": [{"listid": l1}, {"listid": l2}], "unsubscribe": [{"listid": l3}]},
                {"email": "new@example.com", "tags": ["dictumst"]}
            ],
            "callback": {"url": "https://example.com/cb", "requestType": "POST"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Success"], 1);
    assert_eq!(body["queued_contacts"], 2);
    assert_eq!(body["message"], "Contact import queued");
    let batch = body["batchId"].as_str().unwrap().to_string();
    let parts: Vec<usize> = batch.split('-').map(str::len).collect();
    assert_eq!(parts, vec![8, 4, 4, 4, 12]);

    assert_eq!(contact_count(&m).await, "2");
    let (_, c) = m.get(&format!("/contacts/{existing}")).await;
    assert_eq!(c["contact"]["firstName"], "Jane");
    assert_eq!(c["contact"]["lastName"], "Doe");
    assert_eq!(c["contact"]["phone"], "123-456-7890");
    assert_eq!(c["fieldValues"][0]["value"], "||foo||bar||");
    let statuses: Vec<(String, String)> = c["contactLists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["list"].as_str().unwrap().to_string(),
                m["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(statuses.contains(&(l1.clone(), "1".into())));
    assert!(statuses.contains(&(l2.clone(), "1".into())));
    assert!(statuses.contains(&(l3.clone(), "2".into())));
    // Tags by name, created when missing, shared between contacts.
    let (_, tags) = m.get("/tags").await;
    assert_eq!(tags["meta"]["total"], "2");
    let (_, ct) = m.get(&format!("/contacts/{existing}/contactTags")).await;
    assert_eq!(ct["contactTags"].as_array().unwrap().len(), 2);
    // customer_acct_name links the contact to an account (created when missing).
    let store = m.server.state().snapshot(ac_mock::AccountId(1)).unwrap();
    let link = store.account_contacts.iter().next().unwrap();
    assert_eq!(link.contact.to_string(), existing);
    assert_eq!(
        store.accounts.get(link.account).unwrap().name,
        "ActiveCampaign"
    );

    let (status, info) = m.get(&format!("/import/info?batchId={batch}")).await;
    assert_eq!(status, 200);
    assert_eq!(info["status"], "completed");
    assert_eq!(info["success"], json!([existing, "2"]));
    assert_eq!(info["failure"], json!([]));
}

#[tokio::test]
async fn bulk_import_does_not_resubscribe_an_unsubscribed_contact() {
    let m = Mock::start().await;
    let l = list(&m, "news").await;
    let c = m.contact("gone@example.com").await;
    m.post(
        "/contactLists",
        json!({"contactList": {"list": l, "contact": c, "status": 2}}),
    )
    .await;
    let (status, _) = m
        .post(
            "/import/bulk_import",
            json!({"contacts": [{"email": "gone@example.com", "subscribe": [{"listid": l}]}]}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, body) = m.get(&format!("/contacts/{c}/contactLists")).await;
    assert_eq!(body["contactLists"][0]["status"], "2");
}

#[tokio::test]
async fn bulk_import_is_all_or_nothing_with_failure_reasons_per_contact() {
    let m = Mock::start().await;
    let (status, body) = m
        .post(
            "/import/bulk_import",
            json!({"contacts": [
                {"email": "good@example.com", "tags": ["t"]},
                {"email": "not-an-email"},
                {"first_name": "No Email"},
                {"email": "x@example.com", "fields": [{"id": 99, "value": "v"}]},
                {"email": "y@example.com", "subscribe": [{"listid": 42}]}
            ]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["success"], 0);
    assert_eq!(
        body["message"],
        "JSON payload did not pass validation. Please fix failure Reasons and retry. The import was not queued for processing."
    );
    assert_eq!(
        body["failureReasons"],
        json!([
            {"contact": 1, "failureReason": "Field 'email' incorrect format"},
            {"contact": 2, "failureReason": "Field 'email' is required"},
            {"contact": 3, "failureReason": "Field 'fields' references unknown field id 99"},
            {"contact": 4, "failureReason": "Field 'subscribe' references unknown list id 42"}
        ])
    );
    assert_eq!(contact_count(&m).await, "0");
    assert_eq!(m.get("/tags").await.1["meta"]["total"], "0");
    let (_, summary) = m.get("/import/bulk_import").await;
    assert_eq!(summary, json!({"outstanding": [], "recentlyCompleted": []}));
}

#[tokio::test]
async fn more_than_250_contacts_is_400_success_0() {
    let m = Mock::start().await;
    let contacts: Vec<Value> = (0..251)
        .map(|i| json!({"email": format!("c{i}@example.com")}))
        .collect();
    let (status, body) = m
        .post("/import/bulk_import", json!({ "contacts": contacts }))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"success": 0, "message": "Too many contacts: 251 were sent; at most 250 contacts may be imported per request."})
    );
    assert_eq!(contact_count(&m).await, "0");
    let contacts: Vec<Value> = (0..250)
        .map(|i| json!({"email": format!("c{i}@example.com")}))
        .collect();
    let (status, body) = m
        .post("/import/bulk_import", json!({ "contacts": contacts }))
        .await;
    assert_eq!((status, body["queued_contacts"].clone()), (200, json!(250)));
}

#[tokio::test]
async fn body_over_400000_bytes_is_400_success_0() {
    // The default server-wide limit (2 MiB) lets it through, and so does the route's own
    // limit when the server-wide one is set lower (bulk rate limits off: that middleware
    // buffers bodies up to the server-wide limit).
    let small = ac_mock::MockServer::builder()
        .max_body_bytes(10_000)
        .bulk_import_limits(false);
    for m in [Mock::start().await, Mock::with(small).await] {
        over_400000(&m).await;
    }
}

async fn over_400000(m: &Mock) {
    let prefix = r#"{"contacts":[{"email":"a@example.com","first_name":""#;
    let suffix = r#""}]}"#;
    let pad = 400_001 - prefix.len() - suffix.len();
    let body = format!("{prefix}{}{suffix}", "x".repeat(pad));
    assert_eq!(body.len(), 400_001);
    let (status, res) = m
        .raw(
            Method::POST,
            "/import/bulk_import",
            Some("application/json"),
            body.into_bytes(),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        res,
        json!({"success": 0, "message": "Payload too large: the request body is 400001 bytes; the maximum is 400000 bytes."})
    );
    assert_eq!(contact_count(m).await, "0");
    // Exactly 400,000 bytes is accepted.
    let pad = 400_000 - prefix.len() - suffix.len();
    let body = format!("{prefix}{}{suffix}", "x".repeat(pad));
    let (status, _) = m
        .raw(Method::POST, "/import/bulk_import", None, body.into_bytes())
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn missing_or_empty_contacts_is_400_success_0() {
    let m = Mock::start().await;
    for body in [json!({}), json!({"contacts": []}), json!({"contacts": "x"})] {
        let (status, res) = m.post("/import/bulk_import", body).await;
        assert_eq!(status, 400);
        assert_eq!(
            res,
            json!({"success": 0, "message": "'contacts' is a required field and must be a non-empty array."})
        );
    }
    let (status, res) = m
        .raw(Method::POST, "/import/bulk_import", None, b"{nope".to_vec())
        .await;
    assert_eq!((status, res["success"].clone()), (400, json!(0)));
}

#[tokio::test]
async fn import_info_requires_batch_id_and_unknown_batch_is_404() {
    let m = Mock::start().await;
    let (status, body) = m.get("/import/info").await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"success": 0, "message": "'batchId' is a required field."})
        )
    );
    let (status, body) = m.get("/import/info?batchId=nope").await;
    assert_eq!(status, 404);
    assert_eq!(body["success"], 0);
}

#[tokio::test]
async fn bulk_import_summary_groups_completed_batches_by_day() {
    let m = Mock::start().await;
    for i in 0..2 {
        m.post(
            "/import/bulk_import",
            json!({"contacts": [{"email": format!("a{i}@example.com")}, {"email": format!("b{i}@example.com")}]}),
        )
        .await;
    }
    let (status, body) = m.get("/import/bulk_import").await;
    assert_eq!(status, 200);
    assert_eq!(body["outstanding"], json!([]));
    let day = &body["recentlyCompleted"][0];
    assert_eq!(day["batches"], "2");
    assert_eq!(day["contacts"], "4");
    assert_eq!(day["forDate"].as_str().unwrap().len(), 10);
}

#[tokio::test]
async fn bulk_import_changes_are_marked_so_no_webhooks_fire() {
    let m = Mock::start().await;
    let mut state = m.server.state().snapshot(ac_mock::AccountId(1)).unwrap();
    // The store API itself: one marker instead of per-record changes.
    let batch = state
        .bulk_import(
            &[ac_mock::store::bulk_import::ImportContact {
                email: "a@b.co".into(),
                tags: vec!["t".into()],
                ..Default::default()
            }],
            ac_mock::store::now(),
        )
        .unwrap();
    let changes = state.drain_changes();
    assert_eq!(changes.len(), 1);
    assert!(matches!(
        &changes[0],
        ac_mock::store::Change::BulkImportCompleted { contacts, .. } if contacts == &vec![1]
    ));
    assert!(state.import_batch(&batch).is_some());
}

#[tokio::test]
async fn bulk_import_fires_no_webhooks_over_http() {
    use std::sync::{Arc, Mutex};
    type Seen = Arc<Mutex<Vec<String>>>;
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(
                |axum::extract::State(seen): axum::extract::State<Seen>, body: String| async move {
                    seen.lock().unwrap().push(body);
                    axum::http::StatusCode::OK
                },
            ),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let m = Mock::start().await;
    let l = list(&m, "news").await;
    let (status, _) = m
        .post(
            "/webhooks",
            json!({"webhook": {"name": "all", "url": url,
                "events": ["subscribe", "update", "contact_tag_added", "unsubscribe"],
                "sources": ["public", "admin", "api", "system"]}}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = m
        .post(
            "/import/bulk_import",
            json!({"contacts": [{"email": "jane@example.com", "first_name": "Jane",
                "tags": ["vip"], "subscribe": [{"listid": l}]}]}),
        )
        .await;
    assert_eq!(status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
    // The same kind of change made through the API does fire.
    let c = m.contact("joe@example.com").await;
    m.post(
        "/contactLists",
        json!({"contactList": {"list": l, "contact": c, "status": 1}}),
    )
    .await;
    for _ in 0..80 {
        if !seen.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|b| b.contains("type=subscribe")));
}

/// What a callback receiver saw: (method, query, x-token header, body).
type Calls = std::sync::Arc<std::sync::Mutex<Vec<(String, String, String, String)>>>;

async fn callback_receiver() -> (String, Calls) {
    use axum::extract::{Request, State};
    let calls: Calls = Default::default();
    let app = axum::Router::new()
        .route(
            "/cb",
            axum::routing::any(|State(calls): State<Calls>, req: Request| async move {
                let method = req.method().to_string();
                let query = req.uri().query().unwrap_or("").to_string();
                let token = req
                    .headers()
                    .get("x-token")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                let body = axum::body::to_bytes(req.into_body(), 1 << 20)
                    .await
                    .unwrap();
                let body = String::from_utf8(body.to_vec()).unwrap();
                calls.lock().unwrap().push((method, query, token, body));
                "ok"
            }),
        )
        .with_state(calls.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, calls)
}

async fn wait_calls(calls: &Calls, n: usize) -> Vec<(String, String, String, String)> {
    for _ in 0..200 {
        if calls.lock().unwrap().len() >= n {
            return calls.lock().unwrap().clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!(
        "expected {n} callback calls, got {:?}",
        calls.lock().unwrap()
    );
}

#[tokio::test]
async fn a_completed_import_calls_its_callback_with_params_headers_and_results() {
    let m = Mock::start().await;
    let (url, calls) = callback_receiver().await;
    let (status, body) = m
        .post(
            "/import/bulk_import",
            json!({"contacts": [{"email": "a@example.com"}, {"email": "b@example.com"}],
                   "callback": {"url": url, "requestType": "POST", "detailed_results": "true",
                                "params": [{"key": "job", "value": "nightly"}],
                                "headers": [{"key": "X-Token", "value": "abc"}]}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let batch = body["batchId"].as_str().unwrap().to_string();
    let got = wait_calls(&calls, 1).await;
    let (method, query, token, form) = &got[0];
    assert_eq!(
        (method.as_str(), query.as_str(), token.as_str()),
        ("POST", "", "abc")
    );
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(form.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let (_, list) = m.get("/contacts?orders[id]=ASC").await;
    let ids: Vec<String> = list["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let want: Vec<(String, String)> = [
        ("job", "nightly"),
        ("batchId", batch.as_str()),
        ("status", "completed"),
        ("success_count", "2"),
        ("failure_count", "0"),
        ("success[0]", ids[0].as_str()),
        ("success[1]", ids[1].as_str()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(pairs, want);

    // The attempt is in the delivery log, as webhook 0.
    let (_, log) = m.admin_get("/webhook-deliveries").await;
    let entry = &log["deliveries"][0];
    assert_eq!(entry["type"], "bulk_import_callback", "{log}");
    assert_eq!(entry["status"], 200);
    assert_eq!(entry["webhook"], 0);

    // GET: the same pairs, without the lists, in the query string; no body.
    m.post(
        "/import/bulk_import",
        json!({"contacts": [{"email": "c@example.com"}],
               "callback": {"url": url, "requestType": "get", "detailed_results": true}}),
    )
    .await;
    let got = wait_calls(&calls, 2).await;
    let (method, query, _, body) = &got[1];
    assert_eq!(method, "GET");
    assert!(body.is_empty());
    assert!(
        query.contains("status=completed") && query.contains("success_count=1"),
        "{query}"
    );
    assert!(!query.contains("success%5B0%5D"), "{query}");
}

#[tokio::test]
async fn a_bad_callback_is_400_success_0_naming_the_field_and_nothing_is_imported() {
    let m = Mock::start().await;
    for (callback, names) in [
        (json!("https://example.com"), "'callback' must be an object"),
        (json!({"requestType": "POST"}), "'callback.url' is required"),
        (
            json!({"url": "ftp://example.com/x"}),
            "absolute http or https URL",
        ),
        (
            json!({"url": "https://example.com", "requestType": "PUT"}),
            "'callback.requestType' must be 'GET' or 'POST'",
        ),
        (
            json!({"url": "https://example.com", "params": [{"value": "v"}]}),
            "'callback.params' entry 0",
        ),
        (
            json!({"url": "https://example.com", "headers": [{"key": "Bad Header", "value": "v"}]}),
            "invalid header",
        ),
    ] {
        let (status, body) = m
            .post(
                "/import/bulk_import",
                json!({"contacts": [{"email": "x@example.com"}], "callback": callback}),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["success"], 0);
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(names), "{message}");
    }
    assert_eq!(contact_count(&m).await, "0");
}
