//! Nothing accepted is lost: the `ac-segment serve` binary takes batches and webhooks while
//! AC and the Segment sink are both failing, is killed with SIGKILL (while a sender is still
//! posting), and is started again with the same `--data-dir` once both are healthy. Every
//! message that was answered 200 is applied exactly once, every accepted webhook is delivered
//! exactly once, and `dead-letters list` shows nothing. Also the binary's other promises as
//! an operator meets them: a bounded shutdown, a second signal exiting at once, the
//! dead-letters command, and one process per store.

#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ac_mock::MockServer;
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_ac-segment");
const KEY: &str = "crash-key";

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts `serve` on a free port; returns the child and its base URL.
async fn serve(mock: &MockServer, data: &Dir, segment: &str) -> (Child, String) {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(["--listen", "127.0.0.1:0", "--write-key", KEY])
        .arg("--data-dir")
        .arg(&data.0)
        .args(["--sink", "segment", "--segment-url", segment])
        .args(["--segment-write-key", "seg-crash"])
        .args(["--shutdown-timeout", "2s"])
        .env("AC_API_URL", mock.base_url())
        .env("AC_API_TOKEN", mock.api_token())
        .env("AC_ACTID", mock.actid())
        .env("AC_EVENT_KEY", mock.event_key())
        .env("AC_TRACKING_URL", mock.tracking_url())
        .env("AC_RATE_LIMIT", "0")
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("a start-up line in time")
        .expect("stdout readable")
        .expect("a start-up line");
    assert!(!line.contains(KEY) && !line.contains("seg-crash"), "{line}");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, url)
}

fn email(i: usize) -> String {
    format!("crash{i}@example.com")
}

fn batch(from: usize, n: usize) -> Value {
    let mut items = Vec::new();
    for i in from..from + n {
        items.push(json!({"type":"identify","messageId":format!("id-{i}"),
            "traits":{"email":email(i),"firstName":format!("P{i}")}}));
        items.push(
            json!({"type":"track","messageId":format!("tr-{i}"),"event":"Crash Tested",
            "properties":{"email":email(i),"acValue":format!("value-{i}")}}),
        );
    }
    json!({ "batch": items })
}

fn webhook(i: usize) -> String {
    format!(
        "type=open&date_time=2026-12-01T10%3A00%3A{:02}-05%3A00&campaign%5Bid%5D=7&campaign%5Bname%5D=Crash\
         &contact%5Bid%5D={}&contact%5Bemail%5D=crash{i}%40example.com",
        i % 60,
        1000 + i
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_while_ac_and_the_sink_fail_loses_nothing_and_repeats_nothing() {
    let mock = MockServer::builder()
        .journal_size(10_000)
        .start()
        .await
        .expect("mock");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    for rule in [
        json!({"path_prefix":"/api/3/","status":503}),
        json!({"path":"/event","status":503}),
    ] {
        let res = http
            .post(format!("{}/__admin/faults", mock.base_url()))
            .json(&rule)
            .send()
            .await
            .expect("fault");
        assert!(res.status().is_success());
    }

    // A fake Segment that fails until told otherwise, then records every messageId.
    let healthy = Arc::new(AtomicBool::new(false));
    let delivered: Arc<Mutex<Vec<String>>> = Arc::default();
    let (h, d) = (healthy.clone(), delivered.clone());
    let app = Router::new().route(
        "/v1/batch",
        post(move |body: axum::body::Bytes| {
            let (h, d) = (h.clone(), d.clone());
            async move {
                if !h.load(Ordering::SeqCst) {
                    return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "down").into_response();
                }
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let mut d = d.lock().expect("lock");
                for e in v["batch"].as_array().into_iter().flatten() {
                    d.push(e["messageId"].as_str().unwrap_or("").to_owned());
                }
                axum::Json(json!({"success": true})).into_response()
            }
        }),
    );
    use axum::response::IntoResponse;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let segment = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let data = Dir(std::env::temp_dir().join(format!("ac-segment-crash-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&data.0);
    let (mut child, url) = serve(&mock, &data, &segment).await;

    // Ten batches of 25 people (50 messages), and 30 webhooks, all answered 200.
    let mut accepted: BTreeSet<usize> = BTreeSet::new();
    for b in 0..10 {
        let res = http
            .post(format!("{url}/v1/batch"))
            .basic_auth(KEY, Some(""))
            .json(&batch(b * 25, 25))
            .send()
            .await
            .expect("batch");
        assert_eq!(res.status(), 200);
        accepted.extend(b * 25..b * 25 + 25);
    }
    let mut hooks: BTreeSet<String> = BTreeSet::new();
    for i in 0..30 {
        let res = http
            .post(format!("{url}/webhooks/activecampaign"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(webhook(i))
            .send()
            .await
            .expect("webhook");
        assert_eq!(res.status(), 200);
        let v: Value = res.json().await.expect("json");
        hooks.insert(v["messageId"].as_str().expect("messageId").to_owned());
    }
    assert_eq!(hooks.len(), 30);

    // A sender keeps posting while the process is killed: what was answered 200 counts.
    let sender = {
        let http = http.clone();
        let url = url.clone();
        tokio::spawn(async move {
            let mut ok = Vec::new();
            for b in 10..400 {
                let r = http
                    .post(format!("{url}/v1/batch"))
                    .basic_auth(KEY, Some(""))
                    .json(&batch(b * 25, 25))
                    .send()
                    .await;
                match r {
                    Ok(res) if res.status() == 200 => ok.extend(b * 25..b * 25 + 25),
                    _ => break,
                }
            }
            ok
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.start_kill().expect("SIGKILL");
    let status = child.wait().await.expect("wait");
    assert!(!status.success(), "killed: {status:?}");
    let more = sender.await.expect("sender");
    assert!(!more.is_empty(), "the sender got answers before the kill");
    eprintln!(
        "accepted before the kill: {} people (sender: {})",
        accepted.len() + more.len(),
        more.len()
    );
    accepted.extend(more);

    // Both sides healthy again; the same data directory.
    let res = http
        .delete(format!("{}/__admin/faults", mock.base_url()))
        .send()
        .await
        .expect("faults");
    assert!(res.status().is_success());
    healthy.store(true, Ordering::SeqCst);
    let (mut child, url) = serve(&mock, &data, &segment).await;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let h: Value = http
            .get(format!("{url}/health"))
            .send()
            .await
            .expect("health")
            .json()
            .await
            .expect("json");
        if h["queue"] == 0 && h["outbox"] == 0 {
            assert_eq!(h["dead_letters"], 0, "{h}");
            break;
        }
        assert!(Instant::now() < deadline, "not drained: {h}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Every accepted webhook delivered exactly once.
    let got = delivered.lock().expect("lock").clone();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for id in &got {
        *counts.entry(id.as_str()).or_default() += 1;
    }
    for id in &hooks {
        assert_eq!(
            counts.get(id.as_str()),
            Some(&1),
            "webhook {id}: {counts:?}"
        );
    }
    assert_eq!(got.len(), hooks.len(), "nothing else delivered");

    // Every accepted person applied exactly once: one contact, one tracked event.
    let mut contacts: BTreeMap<String, Value> = BTreeMap::new();
    let mut offset = 0;
    loop {
        let page: Value = http
            .get(format!(
                "{}/api/3/contacts?limit=100&offset={offset}",
                mock.base_url()
            ))
            .header("Api-Token", mock.api_token())
            .send()
            .await
            .expect("contacts")
            .json()
            .await
            .expect("json");
        let items = page["contacts"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        offset += items.len();
        for c in items {
            let e = c["email"].as_str().unwrap_or("").to_owned();
            assert!(
                contacts.insert(e.clone(), c).is_none(),
                "two contacts for {e}"
            );
        }
    }
    for i in &accepted {
        let c = contacts
            .get(&email(*i))
            .unwrap_or_else(|| panic!("{} accepted but not applied", email(*i)));
        assert_eq!(c["firstName"], format!("P{i}"));
    }
    // The mock's journal: one accepted /event per accepted track (and none twice).
    let journal: Value = http
        .get(format!(
            "{}/__admin/requests?limit=100000&method=POST&path_prefix=/event",
            mock.base_url()
        ))
        .send()
        .await
        .expect("journal")
        .json()
        .await
        .expect("json");
    let ok_events = journal["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| r["status"] == 200)
        .count();
    let applied_people = contacts.len();
    assert!(applied_people >= accepted.len());
    assert_eq!(
        ok_events, applied_people,
        "one tracked event per person applied, none repeated"
    );

    // Clean stop: SIGTERM ends the process within the shutdown timeout, exit 0.
    let pid = child.id().expect("pid");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("stops within the bound")
        .expect("wait");
    assert!(status.success(), "{status:?}");

    // Nothing dead-lettered, as the dead-letters command shows.
    let out = std::process::Command::new(BIN)
        .args(["dead-letters", "list", "--data-dir"])
        .arg(&data.0)
        .output()
        .expect("dead-letters");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn sigterm(child: &Child) {
    let pid = child.id().expect("pid");
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(ok.success());
}

/// A connection holding a request half-sent (the body never finishes).
async fn half_request(url: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let addr = url.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(
        b"POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: Basic Y3Jhc2gta2V5Og==\r\n\
          Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"batch\":[",
    )
    .await
    .expect("write");
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_bounded_and_a_second_signal_exits_at_once() {
    let mock = MockServer::start().await.expect("mock");
    let data = Dir(std::env::temp_dir().join(format!("ac-segment-signal-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&data.0);

    // One signal: a request held half-sent does not keep the process past --shutdown-timeout.
    let (mut child, url) = serve(&mock, &data, "http://127.0.0.1:9").await;
    let _held = half_request(&url).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let asked = Instant::now();
    sigterm(&child);
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("stops")
        .expect("wait");
    assert!(status.success(), "{status:?}");
    assert!(
        asked.elapsed() < Duration::from_secs(8),
        "bounded by the 2 s timeout"
    );
    drop(_held);

    // Two signals: the second exits at once, without waiting for the held request.
    let (mut child, url) = serve(&mock, &data, "http://127.0.0.1:9").await;
    let _held = half_request(&url).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    sigterm(&child);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        child.try_wait().expect("try_wait").is_none(),
        "still draining"
    );
    sigterm(&child);
    let status = tokio::time::timeout(Duration::from_secs(1), child.wait())
        .await
        .expect("exits at once")
        .expect("wait");
    assert_eq!(status.code(), Some(130), "{status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_are_listed_retried_and_purged() {
    use ac_segment::store::{Store, StoreLimits};
    let data = Dir(std::env::temp_dir().join(format!("ac-segment-dl-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&data.0);
    let message = br#"{"type":"track","event":"Nobody",  "userId":"ghost"}"#;
    {
        let store = Store::open(&data.0, StoreLimits::default()).expect("store");
        store.enqueue(&[(None, &message[..])]).expect("enqueue");
        let seq = store.peek(1).expect("peek")[0].seq;
        store
            .dead_letter(seq, "no email for the track")
            .expect("dead");
        store.push_outbox(&[(None, b"not json")]).expect("outbox");
        let seq = store.peek_outbox(1).expect("peek")[0].seq;
        store
            .dead_letter_outbox(seq, "Segment answered 400")
            .expect("dead");
    }
    let cli = |args: &[&str]| {
        std::process::Command::new(BIN)
            .arg("dead-letters")
            .args(args)
            .arg("--data-dir")
            .arg(&data.0)
            .output()
            .expect("runs")
    };
    let out = cli(&["list"]);
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["from"], "queue");
    assert_eq!(lines[0]["reason"], "no email for the track");
    assert_eq!(lines[0]["message"]["event"], "Nobody");
    assert_eq!(lines[1]["from"], "outbox");
    assert_eq!(lines[1]["message"], "not json", "non-JSON shown as text");
    // The message is embedded exactly as accepted (its odd spacing kept).
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(std::str::from_utf8(message).expect("utf8")),
        "{text}"
    );

    let first = lines[0]["id"].as_u64().expect("id").to_string();
    let out = cli(&["retry", "--id", &first]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("retried 1"));
    // purge needs --id or --all.
    assert_eq!(cli(&["purge"]).status.code(), Some(2));
    let out = cli(&["purge", "--all"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("purged 1"));
    assert!(cli(&["list"]).stdout.is_empty());
    {
        let store = Store::open(&data.0, StoreLimits::default()).expect("store");
        let back = store.peek(10).expect("queue");
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].bytes, message, "retried exactly as accepted");
    }
    // A directory without a store is a usage error.
    let out = std::process::Command::new(BIN)
        .args([
            "dead-letters",
            "list",
            "--data-dir",
            "/nonexistent/ac-segment",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_is_one_process_at_a_time() {
    let mock = MockServer::start().await.expect("mock");
    let data = Dir(std::env::temp_dir().join(format!("ac-segment-lock-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&data.0);
    let (mut child, _url) = serve(&mock, &data, "http://127.0.0.1:9").await;
    let out = std::process::Command::new(BIN)
        .args(["dead-letters", "list", "--data-dir"])
        .arg(&data.0)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("stop it first"), "{err}");
    child.start_kill().expect("kill");
    let _ = child.wait().await;
}
