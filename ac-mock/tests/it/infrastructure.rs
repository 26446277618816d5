//! The mock as infrastructure, probed as a hostile client would: half-sent requests and idle
//! sockets are closed on time, a half-closed client is answered, a SIGTERM with a body held
//! open still stops within the shutdown timeout and writes the state file, a second signal
//! exits at once, `kill -9` loses at most the last half second, an unwritable state file is an
//! error at start, auth is one layer over `/api/3`, and the admin API can be locked.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::common::child::{ac_mock, Killed};
use ac_mock::MockServer;
use serde_json::{json, Value};

fn spawn(args: &[&str]) -> (Killed, String) {
    crate::common::child::spawn_on_free_port(args)
}

fn temp_path(name: &str) -> std::path::PathBuf {
    crate::common::child::temp_path("infra", name)
}

fn connect(url: &str) -> TcpStream {
    let s = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Reads until the server closes the connection; returns what it sent and how long it took.
fn read_to_close(s: &mut TcpStream) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the server kept the connection open: {e}"),
        }
    }
    (out, started.elapsed())
}

async fn quick_mock() -> MockServer {
    MockServer::builder()
        .header_read_timeout(Duration::from_millis(300))
        .idle_timeout(Duration::from_millis(500))
        .shutdown_timeout(Duration::from_millis(500))
        .start()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_a_request_head_is_closed_after_the_header_read_timeout() {
    let mock = quick_mock().await;
    let url = mock.base_url().to_owned();
    let (out, took) = tokio::task::spawn_blocking(move || {
        let mut s = connect(&url);
        s.write_all(b"GET /api/3/contacts HTTP/1.1\r\nHost: x\r\nApi-To")
            .unwrap();
        read_to_close(&mut s)
    })
    .await
    .unwrap();
    assert!(took < Duration::from_secs(5), "closed after {took:?}");
    // hyper answers a head that timed out with nothing or a 408; never a hang.
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stops_half_way_and_idle_keep_alives_are_closed() {
    let mock = quick_mock().await;
    let url = mock.base_url().to_owned();
    let u = url.clone();
    let took = tokio::task::spawn_blocking(move || {
        let mut s = connect(&u);
        s.write_all(
            b"POST /api/3/contacts HTTP/1.1\r\nHost: x\r\nApi-Token: ac-mock-token\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"contact\":",
        )
        .unwrap();
        read_to_close(&mut s).1
    })
    .await
    .unwrap();
    assert!(
        took < Duration::from_secs(5),
        "a stalled body held {took:?}"
    );
    // A keep-alive connection that answered once and then idles is closed too.
    let took = tokio::task::spawn_blocking(move || {
        let mut s = connect(&url);
        s.write_all(b"GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let (out, took) = read_to_close(&mut s);
        assert!(String::from_utf8_lossy(&out).starts_with("HTTP/1.1 200"));
        took
    })
    .await
    .unwrap();
    assert!(
        took < Duration::from_secs(5),
        "an idle keep-alive held {took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_idle_sockets_do_not_starve_the_health_check_for_long() {
    let mock = quick_mock().await;
    let url = mock.base_url().to_owned();
    let held: Vec<TcpStream> = (0..200).map(|_| connect(&url)).collect();
    // Every one of them is closed by the server within the header-read timeout.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let res = reqwest::get(format!("{url}/__admin/health")).await.unwrap();
    assert_eq!(res.status(), 200);
    let closed = tokio::task::spawn_blocking(move || {
        held.into_iter()
            .filter(|s| {
                let mut s = s.try_clone().unwrap();
                s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                matches!(s.read(&mut [0u8; 16]), Ok(0) | Err(_))
            })
            .count()
    })
    .await
    .unwrap();
    assert_eq!(closed, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_half_closes_after_its_request_gets_the_answer() {
    let mock = quick_mock().await;
    let url = mock.base_url().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        let mut s = connect(&url);
        let body = br#"{"contact":{"email":"half@example.com"}}"#;
        write!(
            s,
            "POST /api/3/contacts HTTP/1.1\r\nHost: x\r\nApi-Token: ac-mock-token\r\n\
             Content-Type: application/json\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .unwrap();
        s.write_all(body).unwrap();
        s.shutdown(std::net::Shutdown::Write).unwrap();
        read_to_close(&mut s).0
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 201"), "{text}");
    assert!(text.contains("half@example.com"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_is_one_layer_over_every_api_route() {
    let mock = MockServer::start().await.unwrap();
    let http = reqwest::Client::new();
    let get = |path: &str, token: Option<&str>| {
        let mut req = http.get(format!("{}{path}", mock.base_url()));
        if let Some(t) = token {
            req = req.header("Api-Token", t);
        }
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // A route whose handler never asked for the account is behind the layer all the same.
    assert_eq!(
        get("/api/3/webhook/events", None).await,
        (403, json!({"message": "Forbidden"}))
    );
    assert_eq!(get("/api/3/webhook/events", Some("nope")).await.0, 403);
    assert_eq!(
        get("/api/3/webhook/events", Some("ac-mock-token")).await.0,
        200
    );
    // AC's token check.
    assert_eq!(get("/api/3/", Some("ac-mock-token")).await.0, 200);
    assert_eq!(get("/api/3/", Some("wrong")).await.0, 403);
    assert_eq!(get("/api/3/", None).await.0, 403);
    // Unknown paths stay 404, token or not.
    assert_eq!(get("/api/3/no-such-thing", None).await.0, 404);
    // The tracking routes authenticate with actid/key, not Api-Token.
    assert_ne!(get("/visit", None).await.0, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_token_locks_every_admin_call() {
    let mock = MockServer::builder()
        .admin_token("s3cret")
        .max_state_bytes(10_000)
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}/__admin/{p}", mock.base_url());
    for (method, path) in [
        (reqwest::Method::GET, "accounts"),
        (reqwest::Method::POST, "reset"),
        (reqwest::Method::GET, "state"),
        (reqwest::Method::GET, "health"),
        (reqwest::Method::GET, "requests"),
    ] {
        let res = http
            .request(method.clone(), url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{method} {path}");
        let body: Value = res.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().contains("admin token"));
        let res = http
            .request(method.clone(), url(path))
            .header("Authorization", "Bearer wrong")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{method} {path} with a wrong token");
    }
    let res = http
        .get(url("accounts"))
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = http
        .get(url("health"))
        .header("X-Admin-Token", "s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The API itself is not behind the admin token.
    let res = http
        .get(format!("{}/api/3/contacts", mock.base_url()))
        .header("Api-Token", "ac-mock-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A state document over the limit is refused (and nothing was replaced).
    let big =
        json!({"accounts": [{"api_token": "x".repeat(20_000), "actid": "1", "event_key": "k"}]});
    let res = http
        .put(url("state"))
        .bearer_auth("s3cret")
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let res = http
        .get(url("accounts"))
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    let accounts: Value = res.json().await.unwrap();
    assert_eq!(accounts["accounts"].as_array().unwrap().len(), 1);
}

#[cfg(unix)]
fn signal(child: &Killed, sig: &str) {
    let pid = child.0.id().to_string();
    assert!(std::process::Command::new("kill")
        .args([sig, &pid])
        .status()
        .unwrap()
        .success());
}

#[cfg(unix)]
fn wait_exit(child: &mut Killed, within: Duration) -> Option<i32> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            return status.code();
        }
        assert!(Instant::now() < deadline, "still running after {within:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_with_a_body_held_open_stops_in_time_and_writes_the_state() {
    let path = temp_path("held.json");
    let file = path.to_str().unwrap();
    let (mut child, url) = spawn(&["--state-file", file, "--shutdown-timeout", "1s"]);
    crate::common::child::create_contact(&url, "kept@example.com").await;
    let mut held = connect(&url);
    held.write_all(
        b"POST /api/3/contacts HTTP/1.1\r\nHost: x\r\nApi-Token: ac-mock-token\r\n\
          Content-Length: 1000\r\n\r\n{\"contact\"",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    signal(&child, "-TERM");
    assert_eq!(wait_exit(&mut child, Duration::from_secs(5)), Some(0));
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(doc.to_string().contains("kept@example.com"));
    drop(held);

    // A second signal exits at once, even with a request held open and a long timeout.
    let (mut child, url) = spawn(&["--state-file", file, "--shutdown-timeout", "60s"]);
    let mut held = connect(&url);
    held.write_all(
        b"POST /api/3/contacts HTTP/1.1\r\nHost: x\r\nApi-Token: ac-mock-token\r\n\
          Content-Length: 1000\r\n\r\n{",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    signal(&child, "-TERM");
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.0.try_wait().unwrap().is_none(), "draining");
    signal(&child, "-TERM");
    assert_eq!(wait_exit(&mut child, Duration::from_secs(2)), Some(130));
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_at_most_the_last_half_second() {
    let path = temp_path("kill9.json");
    let file = path.to_str().unwrap();
    let (mut child, url) = spawn(&["--state-file", file]);
    for i in 0..20 {
        crate::common::child::create_contact(&url, &format!("burst{i}@example.com")).await;
    }
    // Written within the debounce window, as one document.
    tokio::time::sleep(ac_mock::STATE_WRITE_DELAY + Duration::from_millis(700)).await;
    child.0.kill().unwrap();
    let _ = child.0.wait();
    let (_second, url) = spawn(&["--state-file", file]);
    let res: Value = reqwest::Client::new()
        .get(format!("{url}/api/3/contacts?limit=100"))
        .header("Api-Token", "ac-mock-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(res["meta"]["total"], "20", "nothing lost to kill -9");
}

#[test]
fn an_unwritable_state_file_is_refused_at_start() {
    let out = ac_mock()
        .args([
            "--listen",
            "127.0.0.1:0",
            "--state-file",
            "/nonexistent-dir/ac-mock/state.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent-dir/ac-mock/state.json"), "{err}");
    assert!(err.contains("No such file"), "{err}");
}

#[test]
fn listening_beyond_loopback_without_an_admin_token_warns() {
    let mut child = ac_mock()
        .args(["--listen", "0.0.0.0:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let mut err = String::new();
    let stderr = child.stderr.take().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    std::io::BufReader::new(stderr)
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        err.contains("WARNING") && err.contains("--admin-token"),
        "{err}"
    );
}
