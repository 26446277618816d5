//! `serve` driven over raw HTTP the way Segment's and RudderStack's libraries drive it (gzip,
//! Basic auth, batches of 100, the same batch again after a "timeout"), with the result read
//! back from the in-process mock; AC failing for a while; the answers senders act on; and the
//! source direction from the mock's simulated campaign events to a fake Segment endpoint and
//! an NDJSON file.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ac_mock::MockServer;
use ac_segment::execute::{Executor, MessageRetry};
use ac_segment::serve::{ServeOptions, Server, WorkerOptions};
use ac_segment::sink::{NdjsonSink, SegmentSink, Sink};
use ac_segment::store::{Store, StoreLimits};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::{
    add_fault, campaign_to_webhook, clear_faults, mock_with_fixture, read_state, settings_for,
};

const KEY: &str = "wk-test";

/// A temporary data directory, removed at the end.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let p = std::env::temp_dir().join(format!("ac-segment-e2e-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        Dir(p)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running serve.
struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    http: reqwest::Client,
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn health(&self) -> Value {
        self.http
            .get(self.url("/health"))
            .send()
            .await
            .expect("health")
            .json()
            .await
            .expect("health JSON")
    }

    async fn metrics(&self) -> String {
        self.http
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text")
    }

    /// Waits until the queue (and outbox) are empty, at most `secs`.
    async fn drained(&self, secs: u64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let h = self.health().await;
            if h["queue"] == 0 && h["outbox"] == 0 {
                return h;
            }
            assert!(Instant::now() < deadline, "not drained in {secs} s: {h}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        tokio::time::timeout(Duration::from_secs(15), self.task)
            .await
            .expect("serve stops in time")
            .expect("serve task");
    }
}

/// An executor that tries a message once (the worker's own retries are what is tested).
fn executor_once(mock: &MockServer) -> Executor {
    let settings = settings_for(mock);
    let client = settings.client(0).expect("client");
    Executor::with_retry(
        client,
        settings,
        MessageRetry {
            attempts: 1,
            ..MessageRetry::default()
        },
    )
}

async fn start(
    mock: &MockServer,
    dir: &Dir,
    sink: Option<Arc<dyn Sink>>,
    tweak: impl FnOnce(&mut ServeOptions, &mut StoreLimits),
) -> (Running, Arc<Store>) {
    let mut options = ServeOptions::new(vec![KEY.to_owned().into()]);
    options.listen = "127.0.0.1:0".parse().expect("addr");
    options.worker = WorkerOptions {
        concurrency: 8,
        retry_base: Duration::from_millis(100),
        retry_max: Duration::from_millis(400),
        ..WorkerOptions::default()
    };
    let mut limits = StoreLimits::default();
    tweak(&mut options, &mut limits);
    let store = Arc::new(Store::open(&dir.0, limits).expect("store"));
    let server = Server::bind(options, store.clone(), executor_once(mock), sink)
        .await
        .expect("bind");
    let addr = server.local_addr();
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(server.run(async {
        let _ = rx.await;
    }));
    (
        Running {
            addr,
            stop: Some(tx),
            task,
            http: reqwest::Client::new(),
        },
        store,
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

fn email(i: usize) -> String {
    format!("sender{i}@example.com")
}

/// The messages of person `i`: an identify, a track, and an identify that renames them
/// (applied out of order, the first name would end as "First").
fn person(i: usize) -> Vec<Value> {
    vec![
        json!({"type":"identify","messageId":format!("id1-{i}"),"userId":format!("u{i}"),
               "traits":{"email":email(i),"firstName":"First","tags":["sdk"]},
               "context":{"library":{"name":"analytics-python","version":"2.4.0"}},
               "integrations":{},"timestamp":"2026-12-01T20:40:25.762+00:00"}),
        json!({"type":"track","messageId":format!("tr-{i}"),"userId":format!("u{i}"),
               "anonymousId":null,"event":"Order Placed",
               "properties":{"email":email(i),"acValue":format!("order-{i}")},
               "channel":"server","timestamp":"2026-12-01T20:40:30.399457+00:00"}),
        json!({"type":"identify","messageId":format!("id2-{i}"),"userId":format!("u{i}"),
               "context":{"traits":{"email":email(i),"firstName":"Second"}},
               "integrations":{"All":true}}),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_batches_are_applied_once_each_person_in_order() {
    let (mock, _fx) = mock_with_fixture().await;
    let dir = Dir::new("senders");
    let (serve, _store) = start(&mock, &dir, None, |_, _| {}).await;
    let messages: Vec<Value> = (0..100).flat_map(person).collect();
    let batches: Vec<Vec<u8>> = messages
        .chunks(100)
        .map(|c| {
            serde_json::to_vec(&json!({"batch": c, "sentAt": "2026-12-01T20:40:40.437219+00:00"}))
                .expect("json")
        })
        .collect();
    assert_eq!(batches.len(), 3);
    // RudderStack's way (gzip, Basic auth, no writeKey in the body), then batch 2 again as a
    // sender does after a timeout, then Segment Node's way (plain, writeKey in the body too).
    for (i, body) in batches
        .iter()
        .chain(std::iter::once(&batches[1]))
        .enumerate()
    {
        let res = serve
            .http
            .post(serve.url("/v1/batch"))
            .basic_auth(KEY, Some(""))
            .header("content-type", "application/json")
            .header("content-encoding", "gzip")
            .body(gzip(body))
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), 200, "batch {i}");
        assert_eq!(
            res.json::<Value>().await.expect("json"),
            json!({"success": true})
        );
    }
    // The same messages once more, the Node way: every messageId was seen.
    let again = json!({"batch": &messages[..50], "writeKey": KEY});
    let res = serve
        .http
        .post(serve.url("/v1/batch"))
        .json(&again)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 200);

    let h = serve.drained(120).await;
    assert_eq!(h["dead_letters"], 0, "{h}");
    let state = read_state(&mock).await;
    state.assert_no_duplicates();
    assert_eq!(state.contacts.len(), 100);
    for i in 0..100 {
        let c = state.contact(&email(i));
        assert_eq!(
            c.first_name,
            "Second",
            "{}: later identify applied last",
            email(i)
        );
        assert_eq!(c.tags, ["sdk"]);
        let orders: Vec<_> = c
            .logs
            .iter()
            .filter(|(_, v)| v.contains("order-"))
            .collect();
        assert_eq!(
            orders.len(),
            1,
            "{}: one Order Placed, got {:?}",
            email(i),
            c.logs
        );
    }
    let m = serve.metrics().await;
    assert!(m.contains("acsegment_duplicates_total 150"), "{m}");
    assert!(
        m.contains("acsegment_applied_total{type=\"track\"} 100"),
        "{m}"
    );
    assert!(
        m.contains("acsegment_accepted_total{type=\"identify\"} 200"),
        "{m}"
    );
    serve.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_the_ones_senders_act_on() {
    let (mock, _fx) = mock_with_fixture().await;
    let dir = Dir::new("answers");
    // AC refuses every sync, so accepted identifies stay queued and the queue fills.
    add_fault(&mock, json!({"path":"/api/3/contact/sync","status":503})).await;
    let (serve, _store) = start(&mock, &dir, None, |_, limits| limits.max_queue = 2).await;
    let post = |path: &str, body: Vec<u8>, auth: Option<&str>, headers: &[(&str, &str)]| {
        let mut req = serve.http.post(serve.url(path)).body(body);
        if let Some(k) = auth {
            req = req.basic_auth(k, Some(""));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        async move {
            let res = req.send().await.expect("post");
            let status = res.status().as_u16();
            let retry_after = res
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap_or("").to_owned());
            let body: Value = res.json().await.unwrap_or(Value::Null);
            (status, body, retry_after)
        }
    };
    let one = |n: usize| {
        serde_json::to_vec(&json!({"batch": (0..n).map(|i| json!({"type":"identify",
            "messageId": format!("a{n}-{i}"), "traits":{"email": format!("a{i}@example.com")}}))
            .collect::<Vec<_>>()}))
        .expect("json")
    };
    let check = |(status, body, _): &(u16, Value, Option<String>), want: u16, code: &str| {
        assert_eq!(*status, want, "{body}");
        assert_eq!(body["code"], code, "{body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    };
    check(
        &post("/v1/batch", one(1), None, &[]).await,
        401,
        "unauthorized",
    );
    check(
        &post("/v1/batch", one(1), Some("nope"), &[]).await,
        401,
        "unauthorized",
    );
    check(
        &post("/v1/batch", b"{not json".to_vec(), Some(KEY), &[]).await,
        400,
        "invalid_request",
    );
    let no_type = br#"{"batch":[{"type":"track","event":"A"},{"userId":"u"}]}"#.to_vec();
    let r = post("/v1/batch", no_type, Some(KEY), &[]).await;
    check(&r, 400, "invalid_request");
    assert!(
        r.1["message"].as_str().unwrap_or("").contains("batch[1]"),
        "{}",
        r.1
    );
    let big_message =
        json!({"batch":[{"type":"track","event":"A","properties":{"x":"y".repeat(40_000)}}]});
    let r = post(
        "/v1/batch",
        serde_json::to_vec(&big_message).expect("json"),
        Some(KEY),
        &[],
    )
    .await;
    check(&r, 413, "message_too_large");
    let big_request: Vec<Value> = (0..40)
        .map(|i| json!({"type":"track","event":"A","messageId":i,"properties":{"x":"y".repeat(15_000)}}))
        .collect();
    let body = serde_json::to_vec(&json!({ "batch": big_request })).expect("json");
    check(
        &post(
            "/v1/batch",
            gzip(&body),
            Some(KEY),
            &[("content-encoding", "gzip")],
        )
        .await,
        413,
        "payload_too_large",
    );
    check(
        &post(
            "/v1/batch",
            b"garbage".to_vec(),
            Some(KEY),
            &[("content-encoding", "gzip")],
        )
        .await,
        400,
        "invalid_request",
    );
    check(
        &post(
            "/v1/batch",
            one(1),
            Some(KEY),
            &[("content-encoding", "br")],
        )
        .await,
        415,
        "unsupported_encoding",
    );
    check(
        &post("/v1/nothing", b"{}".to_vec(), Some(KEY), &[]).await,
        404,
        "not_found",
    );
    check(
        &post("/webhooks/activecampaign", b"type=open".to_vec(), None, &[]).await,
        404,
        "not_found",
    );

    // The single-message routes take the type from the path; the write key may be in the body.
    let track = serde_json::to_vec(&json!({"writeKey": KEY, "event":"Signed Up","userId":"u1",
        "messageId":"single-1","properties":{"email":"a0@example.com"}}))
    .expect("json");
    assert_eq!(post("/v1/track", track, None, &[]).await.0, 200);
    serve.drained(30).await;
    // Two queued (the track above is applied; the identify waits for AC): then the queue is full.
    assert_eq!(post("/v1/batch", one(2), Some(KEY), &[]).await.0, 200);
    let r = post("/v1/batch", one(3), Some(KEY), &[]).await;
    check(&r, 429, "queue_full");
    assert_eq!(r.2.as_deref(), Some("5"), "Retry-After in whole seconds");
    // The refused batch left nothing behind: once AC is back, only what was accepted applies.
    clear_faults(&mock).await;
    serve.drained(60).await;
    let state = read_state(&mock).await;
    let emails: Vec<&String> = state.contacts.keys().collect();
    assert_eq!(emails, ["a0@example.com", "a1@example.com"]);
    // Refused requests are counted by code.
    let m = serve.metrics().await;
    assert!(
        m.contains("acsegment_rejected_requests_total{code=\"unauthorized\"} 2"),
        "{m}"
    );
    assert!(
        m.contains("acsegment_rejected_requests_total{code=\"queue_full\"} 1"),
        "{m}"
    );
    // A body of two gzip members is read whole; bytes after the last member are refused.
    let text = one(1);
    let (head, tail) = text.split_at(text.len() / 2);
    let mut two = gzip(head);
    two.extend(gzip(tail));
    let mut trailing = gzip(&text);
    trailing.extend_from_slice(b"garbage after the stream");
    let r = post(
        "/v1/batch",
        trailing,
        Some(KEY),
        &[("content-encoding", "gzip")],
    )
    .await;
    check(&r, 400, "invalid_request");
    let r = post("/v1/batch", two, Some(KEY), &[("content-encoding", "gzip")]).await;
    assert_eq!(r.0, 200, "{}", r.1);
    serve.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_ac_is_down_messages_wait_in_order_and_permanent_failures_dead_letter() {
    let (mock, _fx) = mock_with_fixture().await;
    let dir = Dir::new("down");
    add_fault(&mock, json!({"path_prefix":"/api/3/","status":503})).await;
    let (serve, store) = start(&mock, &dir, None, |_, _| {}).await;
    let mut batch: Vec<Value> = (1..=5)
        .map(|n| {
            json!({"type":"identify","messageId":format!("v{n}"),
            "traits":{"email":"order@example.com","firstName":format!("V{n}")}})
        })
        .collect();
    // A track without any email cannot be applied, ever: it is dead-lettered as received.
    let hopeless = r#"{"type":"track","event":"Nobody",  "userId":"ghost","messageId":"ghost-1"}"#;
    batch.push(serde_json::from_str(hopeless).expect("json"));
    let body = format!(
        "{{\"batch\":[{}, {hopeless}]}}",
        batch[..5]
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    let res = serve
        .http
        .post(serve.url("/v1/batch"))
        .basic_auth(KEY, Some(""))
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 200);
    // AC is down: the identifies stay queued (retried, not dead-lettered).
    let retries = |m: &str| -> u64 {
        m.lines()
            .find_map(|l| l.strip_prefix("acsegment_retries_total "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let h = serve.health().await;
        if h["dead_letters"] == 1 && retries(&serve.metrics().await) >= 2 {
            assert_eq!(h["queue"], 5, "{h}");
            break;
        }
        assert!(Instant::now() < deadline, "{h}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(serve.health().await["queue"], 5);
    clear_faults(&mock).await;
    serve.drained(60).await;
    let state = read_state(&mock).await;
    assert_eq!(state.contact("order@example.com").first_name, "V5");
    let dead = store.dead_letters().expect("dead letters");
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0].bytes,
        hopeless.as_bytes(),
        "dead-lettered exactly as received"
    );
    assert!(dead[0].reason.contains("email"), "{}", dead[0].reason);
    serve.stop().await;
}

/// A fake Segment endpoint: every `/v1/batch` body and its Authorization header.
async fn fake_segment() -> (url::Url, Arc<Mutex<Vec<(String, Value)>>>) {
    let seen: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let s = seen.clone();
    let app = Router::new().route(
        "/v1/batch",
        post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let s = s.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                s.lock().expect("lock").push((auth, v));
                axum::Json(json!({"success": true}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url.parse().expect("url"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaign_webhooks_reach_segment_and_an_ndjson_file() {
    let (mock, fx) = mock_with_fixture().await;
    let (segment_url, seen) = fake_segment().await;
    let seg_dir = Dir::new("source-segment");
    let file_dir = Dir::new("source-ndjson");
    std::fs::create_dir_all(&file_dir.0).expect("dir");
    let ndjson = file_dir.0.join("events.ndjson");
    let to_segment: Arc<dyn Sink> =
        Arc::new(SegmentSink::new(segment_url, "seg-key".to_owned().into()).expect("sink"));
    let to_file: Arc<dyn Sink> = Arc::new(NdjsonSink::open(&ndjson).expect("ndjson"));
    let token = |o: &mut ServeOptions, _: &mut StoreLimits| {
        o.webhook_token = Some("hook-secret".to_owned().into());
    };
    let (a, _) = start(&mock, &seg_dir, Some(to_segment), token).await;
    let (b, _) = start(&mock, &file_dir, Some(to_file), token).await;

    // Without the token a webhook is refused.
    let res = a
        .http
        .post(a.url("/webhooks/activecampaign"))
        .body("type=open")
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 401);

    let urls: Vec<String> = [&a, &b]
        .iter()
        .map(|s| s.url("/webhooks/activecampaign?token=hook-secret"))
        .collect();
    let id = campaign_to_webhook(&mock, fx, &urls).await;
    let want = [
        "Email Opened",
        "Email Link Clicked",
        "Email Bounced",
        "Email Unsubscribed",
    ];
    // The fake Segment receives the four email events, with Basic auth of the sink's key.
    let deadline = Instant::now() + Duration::from_secs(20);
    let events: Vec<Value> = loop {
        let got: Vec<Value> = seen
            .lock()
            .expect("lock")
            .iter()
            .flat_map(|(auth, body)| {
                assert_eq!(auth, "Basic c2VnLWtleTo=", "base64(\"seg-key:\")");
                body["batch"].as_array().cloned().unwrap_or_default()
            })
            .collect();
        if got.len() >= want.len() {
            break got;
        }
        assert!(Instant::now() < deadline, "got {got:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let names: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(names, want, "one event each, in the order AC sent them");
    for e in &events {
        assert_eq!(e["type"], "track");
        assert_eq!(e["anonymousId"], "ada@example.com");
        assert_eq!(e["context"]["traits"]["email"], "ada@example.com");
        assert_eq!(e["properties"]["campaign_name"], "May Newsletter");
        assert_eq!(e["properties"]["campaign_id"], id.as_str());
    }
    assert_eq!(
        events[1]["properties"]["link_url"],
        "https://example.com/pricing"
    );
    assert_eq!(events[2]["properties"]["bounce_type"], "hard");
    assert_eq!(
        events[3]["properties"]["unsubscribe_reason"],
        "Too many emails"
    );

    // The NDJSON file holds the same events, byte-equal as JSON, one a line.
    b.drained(20).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let lines: Vec<Value> = loop {
        let text = std::fs::read_to_string(&ndjson).unwrap_or_default();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        if lines.len() >= want.len() {
            break lines;
        }
        assert!(Instant::now() < deadline, "{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(lines, events, "both sinks got the same messages");
    let m = a.metrics().await;
    assert!(
        m.contains("acsegment_webhooks_total{result=\"converted\"} 4"),
        "{m}"
    );
    assert!(m.contains("acsegment_delivered_total 4"), "{m}");
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_failing_past_the_give_up_time_is_dead_lettered_and_its_person_goes_on() {
    let (mock, _fx) = mock_with_fixture().await;
    let dir = Dir::new("give-up");
    // AC refuses every sync until the first message has been given up on.
    add_fault(&mock, json!({"path":"/api/3/contact/sync","status":503})).await;
    let (serve, store) = start(&mock, &dir, None, |o, _| {
        o.worker.give_up_after = Duration::from_millis(600);
    })
    .await;
    let batch = json!({"batch":[
        {"type":"identify","messageId":"g1","traits":{"email":"stuck@example.com","firstName":"Stuck"}},
        {"type":"identify","messageId":"g2","traits":{"email":"stuck@example.com","firstName":"Moved On"}},
    ]});
    let res = serve
        .http
        .post(serve.url("/v1/batch"))
        .basic_auth(KEY, Some(""))
        .json(&batch)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 200);
    let deadline = Instant::now() + Duration::from_secs(30);
    while serve.health().await["dead_letters"] != 1 {
        assert!(Instant::now() < deadline, "never given up on");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    clear_faults(&mock).await;
    let h = serve.drained(30).await;
    assert_eq!(h["dead_letters"], 1, "{h}");
    let dead = store.dead_letters().expect("dead letters");
    assert!(
        dead[0].reason.starts_with("still failing"),
        "{}",
        dead[0].reason
    );
    assert!(String::from_utf8_lossy(&dead[0].bytes).contains("\"g1\""));
    let state = read_state(&mock).await;
    assert_eq!(state.contact("stuck@example.com").first_name, "Moved On");
    serve.stop().await;
}
