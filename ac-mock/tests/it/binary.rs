//! The `ac-mock` binary: start line, health, flags, port in use.

use crate::common::child::{ac_mock, start};

fn spawn(args: &[&str]) -> (crate::common::child::Killed, String) {
    start(ac_mock().args(args).env_remove("AC_MOCK_LISTEN"))
}

#[tokio::test]
async fn binary_prints_one_line_with_url_and_credentials_and_serves_health() {
    let (_child, line) = spawn(&["--listen", "127.0.0.1:0", "--api-token", "tok-9"]);
    assert!(
        line.starts_with("ac-mock listening on http://127.0.0.1:"),
        "{line}"
    );
    assert!(
        line.contains("api_token=tok-9") && line.contains("actid=1000000"),
        "{line}"
    );
    let url = line.split_whitespace().nth(3).unwrap();
    let body: serde_json::Value = reqwest::get(format!("{url}/__admin/health"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "ok");
    let res = reqwest::Client::new()
        .get(format!("{url}/api/3/contacts"))
        .header("Api-Token", "tok-9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[test]
fn binary_reads_env_fallbacks() {
    let (_guard, line) = start(
        ac_mock()
            .env("AC_MOCK_LISTEN", "127.0.0.1:0")
            .env("AC_MOCK_ACTID", "42"),
    );
    assert!(line.contains("actid=42"), "{line}");
}

/// Switches read from the environment take the usual spellings of true (`1`, `yes`, `on`),
/// as CI configurations write them.
#[tokio::test]
async fn env_switches_accept_1_and_yes() {
    let (_guard, line) = start(
        ac_mock()
            .env("AC_MOCK_LISTEN", "127.0.0.1:0")
            .env("AC_MOCK_NO_FAST_LANE", "1")
            .env("AC_MOCK_NO_BULK_IMPORT_LIMITS", "yes"),
    );
    let url = line.split_whitespace().nth(3).unwrap();
    // Bulk import's limit is 20 single-contact imports a minute; with the limits off the 21st
    // is accepted too.
    let http = reqwest::Client::new();
    for n in 0..21 {
        let res = http
            .post(format!("{url}/api/3/import/bulk_import"))
            .header("Api-Token", "ac-mock-token")
            .json(&serde_json::json!({"contacts": [{"email": format!("b{n}@example.com")}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "import {n}");
    }
}

#[test]
fn bad_flag_is_a_clap_error_not_a_panic() {
    let out = ac_mock().args(["--listen", "nonsense"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--listen") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn address_in_use_exits_1_with_a_clear_message() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = ac_mock().args(["--listen", &addr]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot listen on") && err.contains(&addr),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_binary_cleanly() {
    let (mut guard, line) = spawn(&["--listen", "127.0.0.1:0"]);
    assert!(line.starts_with("ac-mock listening on"), "{line}");
    crate::common::child::sigterm(&mut guard);
}
